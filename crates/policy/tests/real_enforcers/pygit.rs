//! mcp-server-git (PyPI), a Python server that runs `git` through GitPython,
//! under its srt export.

use crate::harness::*;
use mcpwarden_policy::export::{ExportKind, Verdict};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

const IDENTITY: [(&str, &str); 4] = [
    ("GIT_AUTHOR_NAME", "t"),
    ("GIT_AUTHOR_EMAIL", "t@example.invalid"),
    ("GIT_COMMITTER_NAME", "t"),
    ("GIT_COMMITTER_EMAIL", "t@example.invalid"),
];

fn env() -> Vec<(&'static str, String)> {
    IDENTITY.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

/// A repository with one commit and one staged and one unstaged change.
fn repo(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(args)
            .current_dir(dir)
            .envs(IDENTITY)
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    std::fs::write(dir.join("a.txt"), "one\n").unwrap();
    git(&["add", "a.txt"]);
    git(&["commit", "-q", "-m", "first"]);
    std::fs::write(dir.join("a.txt"), "one\ntwo\n").unwrap();
    std::fs::write(dir.join("b.txt"), "b\n").unwrap();
}

fn calls(r: &Path) -> Vec<Value> {
    let c = |tool: &str, extra: Value| {
        let mut args = json!({"repo_path": r});
        for (k, v) in extra.as_object().unwrap() {
            args[k] = v.clone();
        }
        json!({"tool": tool, "args": args})
    };
    vec![
        c("git_status", json!({})),
        c("git_diff_unstaged", json!({})),
        c("git_add", json!({"files": ["b.txt"]})),
        c("git_diff_staged", json!({})),
        c("git_commit", json!({"message": "second"})),
        c("git_log", json!({"max_count": 5})),
        c("git_show", json!({"revision": "HEAD"})),
        c("git_diff", json!({"target": "HEAD~1"})),
        c("git_create_branch", json!({"branch_name": "topic"})),
        c("git_checkout", json!({"branch_name": "topic"})),
        c("git_branch", json!({"branch_type": "local"})),
        c("git_reset", json!({})),
    ]
}

#[test]
fn python_git_server_under_srt() {
    let test = "python_git_server_under_srt";
    let Some(d) = deps(test, &["srt"]) else {
        return;
    };
    if !userns(test) {
        return;
    }
    let has_server = Command::new(d.python())
        .args(["-c", "import mcp_server_git"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_server {
        if std::env::var_os("CI").is_some() {
            panic!("{test}: mcp-server-git is not installed (run .ci/deps.sh)");
        }
        println!("SKIP {test}: mcp-server-git is not installed (run .ci/deps.sh)");
        return;
    }
    let base = scratch("pygit-srt");
    let r = base.join("repo");
    repo(&r);
    let rs = r.display().to_string();
    let py = d.python().display().to_string();
    let l = launch(&d, &base, &argv(&["--repository", &rs]), &[&r], &env());
    let cmd = argv(&[&py, "-m", "mcp_server_git", "--repository", &rs]);
    let x = exported(
        ExportKind::Srt,
        &manifest("python-git.json"),
        &l,
        &cmd,
        &base,
    );
    let out = drive(&d, &x.command, &env(), &base, &calls(&r));
    assert_eq!(
        out["tools"].as_array().unwrap().len(),
        12,
        "{}",
        out["tools"]
    );
    assert_all_ok(&out, test);
    assert!(result(&out, "git_log", 0)["text"]
        .as_str()
        .unwrap()
        .contains("second"));
    assert_eq!(verdict(&x, "exec"), Verdict::Wider);

    // Started without its own confinement, the server opens any repository
    // it is given; the sandbox is what keeps it in the granted one.
    let outside = base.join("outside");
    repo(&outside);
    let unconfined: Vec<String> = x.command[..x.command.len() - 2].to_vec();
    let out = drive(
        &d,
        &unconfined,
        &env(),
        &base,
        &[json!({"tool": "git_add", "args": {"repo_path": outside, "files": ["b.txt"]}})],
    );
    assert_eq!(result(&out, "git_add", 0)["is_error"], true, "{out}");
    let staged = Command::new("git")
        .args(["diff", "--cached", "--name-only"])
        .current_dir(&outside)
        .output()
        .unwrap();
    assert!(
        staged.stdout.is_empty(),
        "git staged a file outside the grant under srt"
    );
}
