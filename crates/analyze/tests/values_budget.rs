//! Following values to their origin multiplies with fan-out (each helper
//! called from many places, through many levels): the walk has one budget per
//! call site, so a hostile tree costs little and still gets an answer.

use mcpwarden_analyze::{scan, Options};

#[test]
fn helpers_called_from_everywhere_do_not_explode() {
    let dir = std::env::temp_dir().join(format!("mcpwarden-values-budget-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut src = String::from(
        "import { McpServer } from \"@modelcontextprotocol/sdk/server/mcp.js\";\nimport * as fs from \"node:fs\";\n\
         const server = new McpServer({ name: \"x\", version: \"1\" });\n\
         function h0(p) { return fs.readFileSync(p); }\n",
    );
    // Ten levels, each helper calling the one below from sixteen sites: 16^10 paths.
    for level in 1..=10 {
        src.push_str(&format!("function h{level}(a) {{\n"));
        for i in 0..16 {
            src.push_str(&format!("  h{}(a + \"/{i}\");\n", level - 1));
        }
        src.push_str("}\n");
    }
    src.push_str("server.tool(\"t\", async ({ p }) => h10(p));\n");
    std::fs::write(dir.join("index.ts"), src).unwrap();
    let report = scan(&dir, &Options::default()).unwrap();
    let read = report
        .findings
        .iter()
        .find(|f| f.api.contains("readFileSync"))
        .expect("the read is found");
    assert!(
        !read.values.is_empty() && read.values.len() <= 8,
        "{:?}",
        read.values
    );
    assert_eq!(read.tools, vec!["t".to_string()]);
    std::fs::remove_dir_all(&dir).ok();
}
