//! The VS Code export, run the way VS Code runs a sandboxed stdio server:
//! its `sandbox` block, plus VS Code's defaults, as sandbox-runtime settings.

use crate::harness::*;
use mcpwarden_policy::export::ExportKind;
use serde_json::{json, Value};

#[test]
fn filesystem_server_under_the_vscode_sandbox() {
    let test = "filesystem_server_under_the_vscode_sandbox";
    let Some(d) = deps(test, &["srt", "node"]) else {
        return;
    };
    if !userns(test) {
        return;
    }
    let base = scratch("fs-vscode");
    let (root, home) = (base.join("root"), base.join("home"));
    std::fs::create_dir_all(home.join(".ssh")).unwrap();
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(home.join(".ssh/id_ed25519"), "PRIVATE-KEY").unwrap();
    std::fs::write(base.join("elsewhere.txt"), "not in the manifest").unwrap();
    let script = d
        .nm()
        .join("@modelcontextprotocol/server-filesystem/dist/index.js")
        .display()
        .to_string();
    let r = root.display().to_string();
    let mut l = launch(&d, &base, std::slice::from_ref(&r), &[&root], &[]);
    l.home = home.display().to_string();
    let x = exported(
        ExportKind::Vscode,
        &manifest("filesystem.json"),
        &l,
        &argv(&["node", &script, &r]),
        &base,
    );
    let doc: Value = serde_json::from_str(&x.config).unwrap();
    let entry = doc["servers"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .clone();
    let sb = &entry["sandbox"];
    let settings = json!({
        "network": {"allowedDomains": ["*.npmjs.org"], "deniedDomains": []},
        "filesystem": {
            "allowWrite": sb["filesystem"]["allowWrite"].as_array().unwrap().iter().cloned().chain([json!("~/.npm")]).collect::<Vec<_>>(),
            "denyRead": sb["filesystem"]["denyRead"], "denyWrite": sb["filesystem"]["denyWrite"],
        },
    });
    let f = base.join("vscode-srt.json");
    std::fs::write(&f, settings.to_string()).unwrap();
    // The server is told its root is the parent, so it tries everything.
    let b = base.display().to_string();
    let mut cmd = argv(&[
        "srt",
        "--settings",
        &f.display().to_string(),
        "--",
        entry["command"].as_str().unwrap(),
    ]);
    cmd.extend(entry["args"].as_array().unwrap().iter().map(|a| {
        if a == &json!(r) {
            b.clone()
        } else {
            a.as_str().unwrap().to_string()
        }
    }));
    let calls = [
        json!({"tool": "write_file", "args": {"path": root.join("a.txt"), "content": "a"}}),
        json!({"tool": "read_text_file", "args": {"path": root.join("a.txt")}}),
        json!({"tool": "read_text_file", "args": {"path": home.join(".ssh/id_ed25519")}}),
        json!({"tool": "read_text_file", "args": {"path": base.join("elsewhere.txt")}}),
        json!({"tool": "write_file", "args": {"path": base.join("w.txt"), "content": "w"}}),
    ];
    let out = drive(&d, &cmd, &[], &base, &calls);
    assert_eq!(result(&out, "write_file", 0)["is_error"], false, "{out}");
    assert_eq!(result(&out, "read_text_file", 0)["text"], "a");
    let key = result(&out, "read_text_file", 1);
    assert!(
        key["is_error"] == true && !key["text"].as_str().unwrap().contains("PRIVATE"),
        "{key}"
    );
    // No allowRead in VS Code's block: other reads pass, as the report says.
    assert_eq!(result(&out, "read_text_file", 2)["is_error"], false);
    assert!(x
        .report
        .notes
        .iter()
        .any(|n| n.contains("reads are not confined")));
    assert_eq!(result(&out, "write_file", 1)["is_error"], true);
    assert!(!base.join("w.txt").exists());
}
