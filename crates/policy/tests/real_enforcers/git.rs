//! mcp-git (npm), which runs `git` in a repository the model names.

use crate::harness::*;
use mcpwarden_policy::export::{ExportKind, Verdict};
use serde_json::{json, Value};
use std::path::Path;

const IDENTITY: [(&str, &str); 4] = [
    ("GIT_AUTHOR_NAME", "t"),
    ("GIT_AUTHOR_EMAIL", "t@example.invalid"),
    ("GIT_COMMITTER_NAME", "t"),
    ("GIT_COMMITTER_EMAIL", "t@example.invalid"),
];

fn env() -> Vec<(&'static str, String)> {
    IDENTITY
        .iter()
        .map(|(k, v)| (*k, v.to_string()))
        .chain([("GIT_CONFIG_NOSYSTEM", "1".to_string())])
        .collect()
}

/// Every tool, in an order where each succeeds.
fn calls(repo: &Path) -> Vec<Value> {
    let r = repo.display().to_string();
    let c = |tool: &str, extra: Value| {
        let mut args = json!({"repo_path": r});
        for (k, v) in extra.as_object().unwrap() {
            args[k] = v.clone();
        }
        json!({"tool": tool, "args": args})
    };
    vec![
        c("git_init", json!({})),
        c("git_add", json!({"files": ["a.txt"]})),
        c("git_diff_staged", json!({})),
        c("git_commit", json!({"message": "first"})),
        c("git_status", json!({})),
        c("git_log", json!({})),
        c("git_show", json!({"revision": "HEAD"})),
        c("git_create_branch", json!({"branch_name": "topic"})),
        c("git_checkout", json!({"branch_name": "topic"})),
        c("git_diff", json!({"target": "HEAD"})),
        c("git_add", json!({"files": ["a.txt"]})),
        c("git_reset", json!({})),
        c("git_diff_unstaged", json!({})),
        c("git_stash", json!({})),
        c("git_stash_apply", json!({})),
        c("git_stash", json!({})),
        c("git_stash_pop", json!({})),
    ]
}

fn prepare(repo: &Path) {
    std::fs::create_dir_all(repo).unwrap();
    std::fs::write(repo.join("a.txt"), "one\n").unwrap();
}

/// Between the first commit and the stash, a change to stash.
fn drive_all(d: &Deps, cmd: &[String], repo: &Path, cwd: &Path) -> Value {
    prepare(repo);
    let all = calls(repo);
    let (first, rest) = all.split_at(10);
    let a = drive(d, cmd, &env(), cwd, first);
    std::fs::write(repo.join("a.txt"), "one\ntwo\n").unwrap();
    let b = drive(d, cmd, &env(), cwd, rest);
    let mut results = a["results"].as_array().unwrap().clone();
    results.extend(b["results"].as_array().unwrap().iter().cloned());
    json!({"tools": a["tools"], "results": results})
}

fn check(out: &Value, what: &str) {
    assert_eq!(
        out["tools"].as_array().unwrap().len(),
        15,
        "{what}: {}",
        out["tools"]
    );
    assert_all_ok(out, what);
    assert!(
        result(out, "git_log", 0)["text"]
            .as_str()
            .unwrap()
            .contains("first"),
        "{what}"
    );
}

fn script(d: &Deps) -> String {
    d.nm().join("mcp-git/dist/cli.js").display().to_string()
}

#[test]
fn git_server_under_srt() {
    let test = "git_server_under_srt";
    let Some(d) = deps(test, &["srt", "node"]) else {
        return;
    };
    if !userns(test) {
        return;
    }
    let base = scratch("git-srt");
    let repos = base.join("repos");
    std::fs::create_dir_all(&repos).unwrap();
    let l = launch(&d, &base, &[], &[&repos], &env());
    let sc = script(&d);
    let x = exported(
        ExportKind::Srt,
        &manifest("git.json"),
        &l,
        &argv(&["node", &sc]),
        &base,
    );
    check(&drive_all(&d, &x.command, &repos.join("r"), &base), test);
    // A repository outside the granted directory is out of reach for git too.
    let outside = base.join("outside");
    prepare(&outside);
    let out = drive(
        &d,
        &x.command,
        &env(),
        &base,
        &[json!({"tool": "git_init", "args": {"repo_path": outside}})],
    );
    assert_eq!(result(&out, "git_init", 0)["is_error"], true, "{out}");
    assert!(
        !outside.join(".git").exists(),
        "git wrote outside the grant under srt"
    );
    assert_eq!(verdict(&x, "exec"), Verdict::Wider);
    let stray = stray_program(&outside);
    let p = probe(
        &runner(&x, &sc),
        &repos.join("probe.mjs"),
        &[("PATH", d.path_var())],
        &json!({"spawn": stray}),
    );
    assert!(refused(&p, "spawn"), "{p}");
}

#[test]
fn git_server_under_deno() {
    let test = "git_server_under_deno";
    let Some(d) = deps(test, &["deno"]) else {
        return;
    };
    let base = scratch("git-deno");
    let repos = base.join("repos");
    std::fs::create_dir_all(&repos).unwrap();
    let l = launch(&d, &base, &[], &[&repos], &env());
    let sc = script(&d);
    let mut x = exported(
        ExportKind::Deno,
        &manifest("git.json"),
        &l,
        &argv(&["node", &sc]),
        &base,
    );
    x.command[0] = d.bin().join("deno").display().to_string();
    check(&drive_all(&d, &x.command, &repos.join("r"), &base), test);
    assert_eq!(verdict(&x, "exec"), Verdict::Exact);
    let p = probe(
        &runner(&x, &sc),
        &repos.join("probe.mjs"),
        &[("PATH", d.path_var())],
        &json!({"spawn": "ls", "read": "/etc/hostname"}),
    );
    assert!(
        refused(&p, "spawn"),
        "deno let a program other than git run: {p}"
    );
    assert!(refused(&p, "read"), "{p}");
}

#[test]
fn git_server_under_node_permissions() {
    let test = "git_server_under_node_permissions";
    let Some(d) = deps(test, &["node"]) else {
        return;
    };
    let base = scratch("git-node");
    let repos = base.join("repos");
    std::fs::create_dir_all(&repos).unwrap();
    let l = launch(&d, &base, &[], &[&repos], &env());
    let node = d.bin().join("node").display().to_string();
    let sc = script(&d);
    let x = exported(
        ExportKind::Node,
        &manifest("git.json"),
        &l,
        &argv(&[&node, &sc]),
        &base,
    );
    check(&drive_all(&d, &x.command, &repos.join("r"), &base), test);
    // --allow-child-process cannot name programs: the report says wider.
    assert_eq!(verdict(&x, "exec"), Verdict::Wider);
    let p = probe(
        &runner(&x, &sc),
        &repos.join("probe.mjs"),
        &[("PATH", d.path_var())],
        &json!({"read": "/etc/hostname", "write": base.join("w")}),
    );
    assert!(refused(&p, "read") && refused(&p, "write"), "{p}");
}
