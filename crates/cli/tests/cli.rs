//! The `mcpwarden` binary as a user runs it: exit codes, formats, bad input.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mcpwarden"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mcpwarden-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn missing_path_is_a_usage_error_naming_the_path() {
    let out = bin().args(["scan", "/no/such/server"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/no/such/server") && err.contains("no such file"),
        "{err}"
    );
}

#[test]
fn a_non_source_file_is_rejected() {
    let d = tmpdir("nonsource");
    let f = d.join("README.md");
    std::fs::write(&f, "hello").unwrap();
    let out = bin().arg("scan").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn json_output_follows_the_contract() {
    let out = bin()
        .arg("scan")
        .arg(repo().join("examples/notes-server"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "mcpwarden/scan/v1");
    let s = &v["servers"][0];
    for k in [
        "root",
        "name",
        "languages",
        "sdk",
        "resources",
        "reachable_resources",
        "kinds",
        "findings",
        "tools",
        "skipped",
        "stats",
    ] {
        assert!(s.get(k).is_some(), "missing {k}");
    }
    for k in ["network", "system", "file", "memory"] {
        assert!(s["resources"][k].is_boolean());
    }
    let f = &s["findings"][0];
    for k in [
        "resource", "kind", "api", "via", "file", "line", "column", "value", "reach", "tools",
    ] {
        assert!(f.get(k).is_some(), "finding lacks {k}");
    }
    let tools: Vec<&str> = s["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        tools,
        vec!["list_notes", "read_note", "clip_url", "history"]
    );
    let history = s["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "history")
        .unwrap();
    assert_eq!(history["kinds"], serde_json::json!(["sys.exec"]));
    assert_eq!(
        s["resources"],
        serde_json::json!({"network": true, "system": true, "file": true, "memory": false})
    );
}

#[test]
fn text_output_reads_as_a_table() {
    let out = bin()
        .current_dir(repo())
        .args(["scan", "examples/notes-server"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    // Timing varies; everything above it is stable.
    let stable: String = text
        .lines()
        .filter(|l| !l.ends_with(" ms"))
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("notes_server_text", stable);
}

#[test]
fn tool_explains_its_chains() {
    let out = bin()
        .arg("scan")
        .arg(repo().join("examples/notes-server"))
        .args(["--tool", "clip_url"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("net.http") && text.contains("src/clipper.ts:3 fetch"),
        "{text}"
    );
    let out = bin()
        .arg("scan")
        .arg(repo().join("examples/notes-server"))
        .args(["--tool", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("list_notes"));
}

#[test]
fn hostile_trees_never_crash() {
    let d = tmpdir("hostile");
    std::fs::write(d.join("chain.js"), format!("a{}();\n", ".x".repeat(50_000))).unwrap();
    std::fs::write(
        d.join("concat.js"),
        format!("f({}x);\n", "\"s\" + ".repeat(50_000)),
    )
    .unwrap();
    std::fs::write(
        d.join("nest.js"),
        format!("f({}{});\n", "[".repeat(20_000), "]".repeat(20_000)),
    )
    .unwrap();
    std::fs::write(
        d.join("chain.py"),
        format!("import os\nos{}()\n", ".x".repeat(50_000)),
    )
    .unwrap();
    std::fs::write(d.join("bin.js"), b"\x00\x01binary\x00".repeat(100)).unwrap();
    std::fs::write(
        d.join("latin.py"),
        b"# caf\xe9\nimport os\nos.system('x')\n",
    )
    .unwrap();
    let mut u16 = vec![0xFF, 0xFE];
    for c in "import os\nos.getenv('A')\n".encode_utf16() {
        u16.extend_from_slice(&c.to_le_bytes());
    }
    std::fs::write(d.join("u16.py"), u16).unwrap();
    std::fs::write(
        d.join("broken.ts"),
        "function (((( { import x from ; child_process.exec(\n",
    )
    .unwrap();
    std::fs::write(d.join("big.js"), "x".repeat(4096)).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("loop", d.join("loop")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", d.join("passwd.js")).unwrap();
    }
    let out = bin()
        .arg("scan")
        .arg(&d)
        .args(["--format", "json", "--max-file-bytes", "2048"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &v["servers"][0];
    let skipped: Vec<(String, String)> = s["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["path"].as_str().unwrap().to_string(),
                x["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let reason = |p: &str| {
        skipped
            .iter()
            .find(|(q, _)| q == p)
            .map(|(_, r)| r.clone())
            .unwrap_or_default()
    };
    assert_eq!(reason("bin.js"), "binary");
    assert!(reason("big.js").starts_with("too-large"), "{skipped:?}");
    assert_eq!(reason("passwd.js"), "symlink");
    let found: Vec<(String, u64, String)> = s["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        found.contains(&("latin.py".into(), 3, "sys.shell".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("u16.py".into(), 2, "sys.env".into())),
        "{found:?}"
    );
    assert!(s["stats"]["syntax_errors"].as_u64().unwrap() > 0);
}

#[test]
fn empty_directory_scans_clean() {
    let d = tmpdir("empty");
    let out = bin()
        .arg("scan")
        .arg(&d)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["servers"][0]["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn languages_limit_what_is_analysed() {
    let d = tmpdir("languages");
    std::fs::write(d.join("server.py"), "import os\nos.system('ls')\n").unwrap();
    std::fs::write(
        d.join("main.go"),
        "package main\n\nimport \"os/exec\"\n\nfunc main() { exec.Command(\"ls\").Run() }\n",
    )
    .unwrap();
    let scan = |langs: &str| {
        let out = bin()
            .arg("scan")
            .arg(&d)
            .args(["--format", "json", "--languages", langs])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["servers"][0].clone()
    };
    let py = scan("py");
    assert_eq!(py["languages"], serde_json::json!(["python"]));
    assert!(py["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["path"] == "main.go" && s["reason"] == "language-not-selected"));
    let both = scan("python,go");
    assert_eq!(both["languages"], serde_json::json!(["go", "python"]));
    let out = bin()
        .arg("scan")
        .arg(&d)
        .args(["--languages", "cobol"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cobol"));
}

/// One file per language nested 20,000 deep (calls; lambdas in Java), and a
/// tool whose handler starts a 20,000-step call chain: `scan` in text and JSON
/// and `--tool` (which prints the chain) finish, and the deep files are
/// reported as truncated. The analyser's own tests cover every construct.
#[test]
fn deep_nesting_never_aborts() {
    let d = tmpdir("deep");
    let n = 20_000;
    let calls = format!("{}1{}", "f(".repeat(n), ")".repeat(n));
    let files = [
        ("a.ts", format!("const v = {calls};\n")),
        ("b.js", format!("const v = {calls};\n")),
        ("c.py", format!("v = {calls}\n")),
        (
            "d.go",
            format!("package main\nfunc main() {{ v := {calls}; _ = v }}\n"),
        ),
        ("e.rs", format!("fn main() {{ let v = {calls}; }}\n")),
        (
            "F.java",
            format!(
                "class F {{ void m() {{ Object v = {}1; }} }}\n",
                "() -> ".repeat(n)
            ),
        ),
        ("g.kt", format!("fun main() {{ val v = {calls} }}\n")),
        (
            "H.cs",
            format!("class H {{ void M() {{ object v = {calls}; }} }}\n"),
        ),
    ];
    for (name, src) in &files {
        std::fs::write(d.join(name), src).unwrap();
    }
    let mut chain = String::from(
        "import { McpServer } from \"@modelcontextprotocol/sdk/server/mcp.js\";\n\
         const server = new McpServer({ name: \"deep\", version: \"1\" });\n\
         server.tool(\"deep\", async () => f0());\n",
    );
    for i in 0..n {
        chain.push_str(&format!("function f{i}() {{ return f{}(); }}\n", i + 1));
    }
    chain.push_str(&format!("function f{n}() {{ return process.env.HOME; }}\n"));
    std::fs::write(d.join("server.js"), chain).unwrap();
    for args in [
        &["--format", "json"][..],
        &["--format", "text"][..],
        &["--tool", "deep"][..],
    ] {
        let out = bin().arg("scan").arg(&d).args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {err}");
        if args[1] == "json" {
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let truncated: Vec<&str> = v["servers"][0]["skipped"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["reason"].as_str().unwrap().starts_with("truncated"))
                .map(|s| s["path"].as_str().unwrap())
                .collect();
            for (name, _) in &files {
                assert!(
                    truncated.contains(name),
                    "{name} not truncated: {truncated:?}"
                );
            }
            let tool = &v["servers"][0]["tools"][0];
            assert_eq!(tool["name"], "deep");
            assert!(tool["kinds"].to_string().contains("sys.env"), "{tool}");
        }
    }
}

/// A tool whose handler is not found is counted, in text and JSON: an
/// incomplete attribution is never silent.
#[test]
fn tools_without_a_handler_are_counted() {
    let d = tmpdir("handlers");
    std::fs::write(
        d.join("index.ts"),
        "import { McpServer } from \"@modelcontextprotocol/sdk/server/mcp.js\";\n\
         import { handlers } from \"some-package\";\n\
         const server = new McpServer({ name: \"hf\", version: \"1\" });\n\
         server.tool(\"found\", async () => process.env.HOME);\n\
         server.tool(\"lost\", handlers.lost);\n",
    )
    .unwrap();
    let out = bin().arg("scan").arg(&d).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("tools (2, handler found for 1)"), "{text}");
    let out = bin()
        .arg("scan")
        .arg(&d)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stats = &v["servers"][0]["stats"];
    assert_eq!(
        (&stats["tools_registered"], &stats["tools_with_handler"]),
        (&serde_json::json!(2), &serde_json::json!(1))
    );
}
