//! The Codex export, run with `codex sandbox` (npm @openai/codex).

use crate::harness::*;
use mcpwarden_policy::export::ExportKind;
use serde_json::json;

/// `$CODEX_HOME` with the exported profile (outside the temp directory,
/// which Codex refuses: see [`codex_dir`]).
fn codex_home(x: &mcpwarden_policy::export::Export, tag: &str) -> String {
    let home = codex_dir(tag).join("codex-home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("config.toml"), &x.config).unwrap();
    home.display().to_string()
}

#[test]
fn filesystem_server_under_codex_sandbox() {
    let test = "filesystem_server_under_codex_sandbox";
    let Some(d) = deps(test, &["codex", "node"]) else {
        return;
    };
    if !userns(test) {
        return;
    }
    let base = scratch("fs-codex");
    let root = base.join("root");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("a.txt"), "alpha").unwrap();
    std::fs::create_dir_all(base.join("outside")).unwrap();
    std::fs::write(base.join("outside/secret.txt"), "TOP-SECRET").unwrap();
    let script = d
        .nm()
        .join("@modelcontextprotocol/server-filesystem/dist/index.js")
        .display()
        .to_string();
    let r = root.display().to_string();
    let l = launch(&d, &base, std::slice::from_ref(&r), &[&root], &[]);
    let x = exported(
        ExportKind::Codex,
        &manifest("filesystem.json"),
        &l,
        &argv(&["node", &script, &r]),
        &base,
    );
    let env = [("CODEX_HOME", codex_home(&x, "fs-codex-home"))];
    let calls = [
        json!({"tool": "read_text_file", "args": {"path": root.join("a.txt")}}),
        json!({"tool": "write_file", "args": {"path": root.join("b.txt"), "content": "b"}}),
        json!({"tool": "list_directory", "args": {"path": root}}),
    ];
    let out = drive(&d, &x.command, &env, &base, &calls);
    assert_all_ok(&out, test);
    assert_eq!(std::fs::read_to_string(root.join("b.txt")).unwrap(), "b");
    // Told its root is the parent, the server tries; the sandbox refuses.
    let wide = with_args(&x, &r, &base.display().to_string());
    let calls = [
        json!({"tool": "read_text_file", "args": {"path": base.join("outside/secret.txt")}}),
        json!({"tool": "write_file", "args": {"path": base.join("outside/w.txt"), "content": "x"}}),
    ];
    let out = drive(&d, &wide, &env, &base, &calls);
    let read = result(&out, "read_text_file", 0);
    assert!(
        read["is_error"] == true && !read["text"].as_str().unwrap().contains("TOP-SECRET"),
        "{read}"
    );
    assert!(
        !base.join("outside/w.txt").exists(),
        "codex let the server write outside the grant"
    );
}

#[test]
fn gitlab_server_under_codex_sandbox() {
    use crate::gitlab::{api, calls, check_tools_work};
    let test = "gitlab_server_under_codex_sandbox";
    let Some(d) = deps(test, &["codex", "node"]) else {
        return;
    };
    if !userns(test) {
        return;
    }
    let base = scratch("gitlab-codex");
    let (good, other) = (api(&d), api(&d));
    let script = d
        .nm()
        .join("@modelcontextprotocol/server-gitlab/dist/index.js")
        .display()
        .to_string();
    let token = ("GITLAB_PERSONAL_ACCESS_TOKEN", "glpat-test".to_string());
    let l = launch(
        &d,
        &base,
        &[],
        &[],
        &[("GITLAB_API_URL", good.url.clone()), token.clone()],
    );
    let x = exported(
        ExportKind::Codex,
        &manifest("gitlab.json"),
        &l,
        &argv(&["node", &script]),
        &base,
    );
    assert!(
        x.command.contains(&"network_proxy".to_string()),
        "{:?}",
        x.command
    );
    let home = ("CODEX_HOME", codex_home(&x, "gitlab-codex-home"));
    let out = drive(
        &d,
        &x.command,
        &[
            ("GITLAB_API_URL", good.url.clone()),
            token.clone(),
            home.clone(),
        ],
        &base,
        &calls(),
    );
    check_tools_work(&out, test);
    // Codex's domain rules have no ports: another port of the same host is
    // reachable, as the loss report says ("wider").
    assert_eq!(
        verdict(&x, "network"),
        mcpwarden_policy::export::Verdict::Wider
    );
    // A host the manifest does not name is refused by Codex's proxy.
    let elsewhere = other.url.replace("127.0.0.1", "localhost");
    let out = drive(
        &d,
        &x.command,
        &[("GITLAB_API_URL", elsewhere.clone()), token, home],
        &base,
        &calls()[..1],
    );
    let r = result(&out, "search_repositories", 0);
    assert_eq!(
        r["is_error"], true,
        "codex let the server reach {elsewhere}: {r}"
    );
}
