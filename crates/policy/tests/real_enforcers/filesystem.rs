//! @modelcontextprotocol/server-filesystem (npm) under srt, Node and Deno.

use crate::harness::*;
use mcpwarden_policy::export::{ExportKind, Verdict};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

struct Setup {
    base: PathBuf,
    root: PathBuf,
    secret: PathBuf,
    script: String,
}

fn setup(d: &Deps, name: &str) -> Setup {
    let base = scratch(name);
    let root = base.join("root");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("a.txt"), "alpha\nbeta\n").unwrap();
    std::fs::write(root.join("sub/b.txt"), "bravo").unwrap();
    std::fs::create_dir_all(base.join("outside")).unwrap();
    let secret = base.join("outside/secret.txt");
    std::fs::write(&secret, "TOP-SECRET").unwrap();
    let script = d
        .nm()
        .join("@modelcontextprotocol/server-filesystem/dist/index.js")
        .display()
        .to_string();
    Setup {
        base,
        root,
        secret,
        script,
    }
}

/// Every tool of the server, with input inside the granted root.
fn allowed_calls(root: &Path) -> Vec<Value> {
    let p = |s: &str| root.join(s).display().to_string();
    vec![
        json!({"tool": "list_allowed_directories", "args": {}}),
        json!({"tool": "read_file", "args": {"path": p("a.txt")}}),
        json!({"tool": "read_text_file", "args": {"path": p("a.txt"), "head": 1}}),
        json!({"tool": "read_media_file", "args": {"path": p("sub/b.txt")}}),
        json!({"tool": "read_multiple_files", "args": {"paths": [p("a.txt"), p("sub/b.txt")]}}),
        json!({"tool": "write_file", "args": {"path": p("new.txt"), "content": "new"}}),
        json!({"tool": "edit_file", "args": {"path": p("new.txt"), "edits": [{"oldText": "new", "newText": "edited"}]}}),
        json!({"tool": "create_directory", "args": {"path": p("made")}}),
        json!({"tool": "list_directory", "args": {"path": p("")}}),
        json!({"tool": "list_directory_with_sizes", "args": {"path": p("")}}),
        json!({"tool": "directory_tree", "args": {"path": p("")}}),
        json!({"tool": "move_file", "args": {"source": p("new.txt"), "destination": p("made/moved.txt")}}),
        json!({"tool": "search_files", "args": {"path": p(""), "pattern": "*.txt"}}),
        json!({"tool": "get_file_info", "args": {"path": p("a.txt")}}),
    ]
}

fn check_tools_work(out: &Value, root: &Path, what: &str) {
    assert_eq!(
        out["tools"].as_array().unwrap().len(),
        14,
        "{what}: {}",
        out["tools"]
    );
    assert_all_ok(out, what);
    assert!(result(out, "read_text_file", 0)["text"]
        .as_str()
        .unwrap()
        .contains("alpha"));
    assert_eq!(
        std::fs::read_to_string(root.join("made/moved.txt")).unwrap(),
        "edited"
    );
}

/// The probe's attempts: outside file, outside write, a port, a program.
fn probe_plan(s: &Setup, port: u16, stray: &Path) -> Value {
    json!({
        "read": s.secret, "write": s.base.join("outside/probe-wrote.txt"),
        "connect": format!("127.0.0.1:{port}"), "spawn": stray,
    })
}

#[test]
fn filesystem_server_under_srt() {
    let test = "filesystem_server_under_srt";
    let Some(d) = deps(test, &["srt", "node"]) else {
        return;
    };
    if !userns(test) {
        return;
    }
    let s = setup(&d, "fs-srt");
    let root = s.root.display().to_string();
    let l = launch(&d, &s.base, std::slice::from_ref(&root), &[&s.root], &[]);
    let cmd = argv(&["node", &s.script, &root]);
    let x = exported(
        ExportKind::Srt,
        &manifest("filesystem.json"),
        &l,
        &cmd,
        &s.base,
    );
    let out = drive(&d, &x.command, &[], &s.base, &allowed_calls(&s.root));
    check_tools_work(&out, &s.root, test);

    // The server is told its root is the parent of the granted one, so it
    // tries; the sandbox is what refuses.
    let base = s.base.display().to_string();
    let wide = with_args(&x, &root, &base);
    let outside_write = s.base.join("outside/written.txt");
    let calls = [
        json!({"tool": "read_text_file", "args": {"path": s.secret}}),
        json!({"tool": "write_file", "args": {"path": outside_write, "content": "x"}}),
    ];
    let out = drive(&d, &wide, &[], &s.base, &calls);
    let read = result(&out, "read_text_file", 0);
    assert_eq!(read["is_error"], true, "{read}");
    assert!(!read["text"].as_str().unwrap().contains("TOP-SECRET"));
    assert_eq!(result(&out, "write_file", 0)["is_error"], true);
    assert!(
        !outside_write.exists(),
        "srt let the server write outside the grant"
    );

    let (_l, port) = forbidden_port();
    let stray = stray_program(&s.base.join("outside"));
    let p = probe(
        &runner(&x, &s.script),
        &s.root.join("probe.mjs"),
        &[("PATH", d.path_var())],
        &probe_plan(&s, port, &stray),
    );
    for what in ["read", "write", "connect", "spawn"] {
        assert!(refused(&p, what), "srt did not refuse {what}: {p}");
    }
    assert!(!s.base.join("outside/probe-wrote.txt").exists());
}

#[test]
fn filesystem_server_under_node_permissions() {
    let test = "filesystem_server_under_node_permissions";
    let Some(d) = deps(test, &["node"]) else {
        return;
    };
    let s = setup(&d, "fs-node");
    let root = s.root.display().to_string();
    let l = launch(&d, &s.base, std::slice::from_ref(&root), &[&s.root], &[]);
    let node = d.bin().join("node").display().to_string();
    let cmd = argv(&[&node, &s.script, &root]);
    let x = exported(
        ExportKind::Node,
        &manifest("filesystem.json"),
        &l,
        &cmd,
        &s.base,
    );
    assert!(
        x.command.contains(&"--permission".to_string()),
        "{:?}",
        x.command
    );
    let out = drive(&d, &x.command, &[], &s.base, &allowed_calls(&s.root));
    check_tools_work(&out, &s.root, test);

    let (_l, port) = forbidden_port();
    let stray = stray_program(&s.base.join("outside"));
    let p = probe(
        &runner(&x, &s.script),
        &s.root.join("probe.mjs"),
        &[("PATH", d.path_var())],
        &probe_plan(&s, port, &stray),
    );
    for what in ["read", "write", "connect", "spawn"] {
        assert!(refused(&p, what), "node did not refuse {what}: {p}");
        assert!(
            p[what].as_str().unwrap().contains("ERR_ACCESS_DENIED"),
            "{what}: {p}"
        );
    }
}

#[test]
fn filesystem_server_under_deno() {
    let test = "filesystem_server_under_deno";
    let Some(d) = deps(test, &["deno"]) else {
        return;
    };
    let s = setup(&d, "fs-deno");
    let root = s.root.display().to_string();
    let l = launch(&d, &s.base, std::slice::from_ref(&root), &[&s.root], &[]);
    let cmd = argv(&["node", &s.script, &root]);
    let mut x = exported(
        ExportKind::Deno,
        &manifest("filesystem.json"),
        &l,
        &cmd,
        &s.base,
    );
    x.command[0] = d.bin().join("deno").display().to_string();
    let out = drive(&d, &x.command, &[], &s.base, &allowed_calls(&s.root));
    check_tools_work(&out, &s.root, test);

    let (_l, port) = forbidden_port();
    let stray = stray_program(&s.base.join("outside"));
    let p = probe(
        &runner(&x, &s.script),
        &s.root.join("probe.mjs"),
        &[("PATH", d.path_var())],
        &probe_plan(&s, port, &stray),
    );
    for what in ["read", "write", "connect", "spawn"] {
        assert!(refused(&p, what), "deno did not refuse {what}: {p}");
    }
    assert_eq!(verdict(&x, "fs"), Verdict::Exact);
}

/// The Node of the system (Debian's is 20): `--experimental-permission`, and
/// no network permission to give.
#[test]
fn filesystem_server_under_the_system_node() {
    let test = "filesystem_server_under_the_system_node";
    let Some(d) = deps(test, &[]) else { return };
    let version = std::process::Command::new("/usr/bin/node")
        .arg("--version")
        .output();
    let Ok(version) = version else {
        println!("SKIP {test}: no /usr/bin/node");
        return;
    };
    let s = setup(&d, "fs-node-system");
    let root = s.root.display().to_string();
    let mut l = launch(&d, &s.base, std::slice::from_ref(&root), &[&s.root], &[]);
    l.env.insert("PATH".into(), "/usr/bin:/bin".into());
    let cmd = argv(&["node", &s.script, &root]);
    let x = exported(
        ExportKind::Node,
        &manifest("filesystem.json"),
        &l,
        &cmd,
        &s.base,
    );
    let v = String::from_utf8_lossy(&version.stdout);
    let old = v
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok())
        .is_some_and(|m| m < 22);
    if old {
        assert_eq!(x.command[1], "--experimental-permission", "{v}");
    }
    let mut command = x.command.clone();
    command[0] = "/usr/bin/node".into();
    let out = drive(&d, &command, &[], &s.base, &allowed_calls(&s.root));
    check_tools_work(&out, &s.root, test);
    let stray = stray_program(&s.base.join("outside"));
    let mut runner = runner(&x, &s.script);
    runner[0] = "/usr/bin/node".into();
    let p = probe(
        &runner,
        &s.root.join("probe.mjs"),
        &[("PATH", "/usr/bin:/bin".into())],
        &json!({"read": s.secret, "write": s.base.join("outside/w"), "spawn": stray}),
    );
    for what in ["read", "write", "spawn"] {
        assert!(refused(&p, what), "node {v}: did not refuse {what}: {p}");
    }
}
