//! The published `@modelcontextprotocol/server-filesystem` through
//! `mcpwarden run`, driven by the Python `mcp` SDK client, with a
//! hand-written manifest: allowed calls work; a write outside the granted
//! root is denied by the proxy (the server's stdin never carries it); with
//! the proxy off, the sandbox alone stops the same write. And the same with
//! the manifest derived from the published package's own code (`--derive`).

mod run_support;

use run_support::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const BIN: &str = env!("CARGO_BIN_EXE_mcpwarden");

fn server_js(test: &str) -> Option<PathBuf> {
    need(
        test,
        "@modelcontextprotocol/server-filesystem",
        deps_dir().join("node/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js"),
    )
}

/// Paths are tool arguments confined to `--grant-fs`; nothing else is granted.
fn manifest(w: &World) -> PathBuf {
    let tool = |name: &str, access: &str| {
        json!({
        "name": name, "resources": ["file"],
        "permissions": {"fs": [{"path": format!("${{ARG:{name}.path}}"), "access": [access], "provenance": "tool-arg", "tool": name, "param": "path", "evidence": ["dist/index.js"]}]},
        "params": [{"name": "path", "used_as": "path", "access": [access], "evidence": ["dist/index.js"]}]})
    };
    let m = json!({
        "schema": "mcpwarden/manifest/v1",
        "server": {"name": "@modelcontextprotocol/server-filesystem", "source": "npm:@modelcontextprotocol/server-filesystem@2026.8.31", "analyser": "hand-written"},
        "permissions": {"fs": [{"path": "${ARG:write_file.path}", "access": ["read", "write"], "provenance": "tool-arg", "tool": "write_file", "param": "path", "evidence": ["dist/index.js"]}]},
        "tools": [tool("read_text_file", "read"), tool("write_file", "write"),
                  {"name": "list_allowed_directories", "resources": [], "permissions": {}}]
    });
    write_json(&w.file("fs.manifest.json"), &m)
}

fn calls(w: &World) -> Value {
    json!([
        {"tool": "read_text_file", "args": {"path": w.root.join("hello.txt")}},
        {"tool": "write_file", "args": {"path": w.root.join("new.txt"), "content": "fresh"}},
        {"tool": "write_file", "args": {"path": w.outside.join("evil.txt"), "content": "pwned"}},
    ])
}

fn run(w: &World, py: &Path, js: &Path, layer: Option<&str>, server: Vec<String>) -> Value {
    let policy = vec!["--manifest".into(), manifest(w).display().to_string()];
    run_with(w, py, js, policy, layer, server)
}

fn run_with(
    w: &World,
    py: &Path,
    js: &Path,
    policy: Vec<String>,
    layer: Option<&str>,
    server: Vec<String>,
) -> Value {
    // Derived manifests are cached per test, not in the user's cache.
    let mut env = client_env(w);
    env["XDG_CACHE_HOME"] = json!(w.file("xdg-cache"));
    let mut args: Vec<String> = vec!["run".into()];
    args.extend(policy);
    args.extend([
        "--grant-fs".into(),
        w.root.display().to_string(),
        "--audit-log".into(),
        w.file("audit.jsonl").display().to_string(),
    ]);
    args.extend(layer.map(String::from));
    args.push("--".into());
    args.extend(server);
    let _ = js;
    drive(
        py,
        w,
        json!({"command": BIN, "args": args, "env": env, "calls": calls(w)}),
    )
}

fn node_cmd(js: &Path, dirs: &[&PathBuf]) -> Vec<String> {
    let mut v = vec!["node".to_string(), js.display().to_string()];
    v.extend(dirs.iter().map(|d| d.display().to_string()));
    v
}

fn assert_allowed_work(w: &World, out: &Value) {
    let r = &out["results"];
    assert_eq!(r[0]["isError"], false, "{out}");
    assert!(
        r[0]["text"]
            .as_str()
            .unwrap()
            .contains("hello from the root"),
        "{out}"
    );
    assert_eq!(r[1]["isError"], false, "{out}");
    assert_eq!(
        std::fs::read_to_string(w.root.join("new.txt")).unwrap(),
        "fresh"
    );
}

#[test]
fn filesystem_server_write_outside_denied_by_proxy_never_reaches_server() {
    let t = "filesystem_server_write_outside_denied_by_proxy_never_reaches_server";
    let (Some(py), Some(js)) = (python(t), server_js(t)) else {
        return;
    };
    let w = World::new(t);
    // The server itself is told it may use both directories: only the proxy
    // stands in the way. Its stdin is copied to a file to prove what it saw.
    let seen_by_server = w.file("server-stdin.log");
    let script = format!(
        "tee -a '{}' | exec node '{}' '{}' '{}'",
        seen_by_server.display(),
        js.display(),
        w.root.display(),
        w.outside.display()
    );
    let out = run(
        &w,
        &py,
        &js,
        Some("--no-sandbox"),
        vec!["/bin/sh".into(), "-c".into(), script],
    );
    assert_allowed_work(&w, &out);
    let denied = &out["results"][2];
    assert_eq!(denied["isError"], true, "{out}");
    assert_eq!(
        denied["meta"]["io.mcpwarden/denial"]["rule"], "path-outside-roots",
        "{out}"
    );
    assert!(!w.outside.join("evil.txt").exists());
    let stdin = std::fs::read_to_string(&seen_by_server).unwrap();
    assert!(
        stdin.contains("new.txt") && !stdin.contains("evil.txt"),
        "the server saw:\n{stdin}"
    );
    let tools: Vec<&str> = out["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert_eq!(
        tools,
        ["read_text_file", "write_file", "list_allowed_directories"],
        "tools/list filtered to the manifest"
    );
}

#[test]
fn filesystem_server_in_sandbox_with_proxy() {
    let t = "filesystem_server_in_sandbox_with_proxy";
    let (Some(py), Some(js)) = (python(t), server_js(t)) else {
        return;
    };
    let w = World::new(t);
    let out = run(&w, &py, &js, None, node_cmd(&js, &[&w.root]));
    assert_allowed_work(&w, &out);
    assert_eq!(
        out["results"][2]["meta"]["io.mcpwarden/denial"]["rule"], "path-outside-roots",
        "{out}"
    );
    assert!(!w.outside.join("evil.txt").exists());
}

#[test]
fn filesystem_server_sandbox_alone_stops_the_same_write() {
    let t = "filesystem_server_sandbox_alone_stops_the_same_write";
    let (Some(py), Some(js)) = (python(t), server_js(t)) else {
        return;
    };
    let w = World::new(t);
    // The server would write outside (it is given both directories) and the
    // proxy is off: Landlock alone refuses.
    let out = run(
        &w,
        &py,
        &js,
        Some("--proxy-off"),
        node_cmd(&js, &[&w.root, &w.outside]),
    );
    assert_allowed_work(&w, &out);
    let r = &out["results"][2];
    assert_eq!(r["isError"], true, "{out}");
    assert!(
        r["meta"].get("io.mcpwarden/denial").is_none(),
        "the proxy was off: {out}"
    );
    assert!(
        r["text"].as_str().unwrap().contains("EACCES")
            || r["text"].as_str().unwrap().contains("denied"),
        "{out}"
    );
    assert!(
        !w.outside.join("evil.txt").exists(),
        "the sandbox let the write through"
    );
}

#[test]
fn filesystem_server_under_its_derived_manifest() {
    let t = "filesystem_server_under_its_derived_manifest";
    let (Some(py), Some(js)) = (python(t), server_js(t)) else {
        return;
    };
    let w = World::new(t);
    let derive = vec!["--derive".to_string()];
    // Both layers: allowed calls work, the write outside is denied by the proxy.
    let out = run_with(
        &w,
        &py,
        &js,
        derive.clone(),
        None,
        node_cmd(&js, &[&w.root]),
    );
    assert_allowed_work(&w, &out);
    assert_eq!(
        out["results"][2]["meta"]["io.mcpwarden/denial"]["rule"], "path-outside-roots",
        "{out}"
    );
    assert!(!w.outside.join("evil.txt").exists());
    // Every tool the server registers is in the derived manifest, so none is hidden.
    let tools = out["tools"].as_array().unwrap();
    assert!(tools.len() >= 14, "{out}");
    // The sandbox alone, the server told it may use both folders: still refused.
    let _ = std::fs::remove_file(w.root.join("new.txt"));
    let out = run_with(
        &w,
        &py,
        &js,
        derive,
        Some("--proxy-off"),
        node_cmd(&js, &[&w.root, &w.outside]),
    );
    assert_allowed_work(&w, &out);
    assert_eq!(out["results"][2]["isError"], true, "{out}");
    assert!(
        !w.outside.join("evil.txt").exists(),
        "the sandbox let the write through"
    );
    // The derived manifest was cached and read back by the second run.
    let cached = std::fs::read_dir(w.file("xdg-cache").join("mcpwarden/derived")).unwrap();
    assert_eq!(cached.count(), 1);
}
