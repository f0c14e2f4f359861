//! @modelcontextprotocol/server-gitlab (npm), an HTTP client whose API base
//! comes from GITLAB_API_URL, against a stand-in API on 127.0.0.1.

use crate::harness::*;
use mcpwarden_policy::export::{Export, ExportKind, Verdict};
use serde_json::{json, Value};
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The stand-in API (tests/support/fake_gitlab.py); killed on drop.
pub struct Api {
    child: Child,
    pub url: String,
}

impl Drop for Api {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn api(d: &Deps) -> Api {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/fake_gitlab.py");
    let mut child = Command::new(d.python())
        .arg(script)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = format!("http://127.0.0.1:{}/api/v4", line.trim());
    Api { child, url }
}

pub fn calls() -> Vec<Value> {
    let p = json!("7");
    vec![
        json!({"tool": "search_repositories", "args": {"search": "demo"}}),
        json!({"tool": "create_repository", "args": {"name": "demo"}}),
        json!({"tool": "get_file_contents", "args": {"project_id": p, "file_path": "README.md", "ref": "main"}}),
        json!({"tool": "create_or_update_file", "args": {"project_id": p, "file_path": "README.md", "content": "hi", "commit_message": "m", "branch": "main"}}),
        json!({"tool": "push_files", "args": {"project_id": p, "branch": "main", "files": [{"file_path": "a", "content": "b"}], "commit_message": "m"}}),
        json!({"tool": "create_issue", "args": {"project_id": p, "title": "t"}}),
        json!({"tool": "create_merge_request", "args": {"project_id": p, "title": "t", "source_branch": "f", "target_branch": "main"}}),
        json!({"tool": "fork_repository", "args": {"project_id": p}}),
        json!({"tool": "create_branch", "args": {"project_id": p, "branch": "f", "ref": "main"}}),
    ]
}

struct Run {
    x: Export,
    good: Api,
    other: Api,
    script: String,
}

/// Export for the API at `good`, then run every tool against it, and one
/// against `other`, which the manifest bound at this launch does not name.
fn run(d: &Deps, name: &str, kind: ExportKind, node: &str) -> (Run, Value, Value) {
    let dir = scratch(name);
    let (good, other) = (api(d), api(d));
    let script = d
        .nm()
        .join("@modelcontextprotocol/server-gitlab/dist/index.js")
        .display()
        .to_string();
    let env = [
        ("GITLAB_API_URL", good.url.clone()),
        ("GITLAB_PERSONAL_ACCESS_TOKEN", "glpat-test".to_string()),
    ];
    let l = launch(d, &dir, &[], &[], &env);
    let mut x = exported(
        kind,
        &manifest("gitlab.json"),
        &l,
        &argv(&[node, &script]),
        &dir,
    );
    if kind == ExportKind::Deno {
        x.command[0] = d.bin().join("deno").display().to_string();
    }
    let out = drive(d, &x.command, &env, &dir, &calls());
    let env2 = [
        ("GITLAB_API_URL", other.url.clone()),
        ("GITLAB_PERSONAL_ACCESS_TOKEN", "glpat-test".to_string()),
    ];
    let stray = drive(d, &x.command, &env2, &dir, &calls()[..1]);
    (
        Run {
            x,
            good,
            other,
            script,
        },
        out,
        stray,
    )
}

pub fn check_tools_work(out: &Value, what: &str) {
    assert_eq!(
        out["tools"].as_array().unwrap().len(),
        9,
        "{what}: {}",
        out["tools"]
    );
    assert_all_ok(out, what);
    assert!(result(out, "search_repositories", 0)["text"]
        .as_str()
        .unwrap()
        .contains("me/demo"));
}

#[test]
fn gitlab_server_under_srt() {
    let test = "gitlab_server_under_srt";
    let Some(d) = deps(test, &["srt", "node"]) else {
        return;
    };
    if !userns(test) {
        return;
    }
    let (r, out, stray) = run(&d, "gitlab-srt", ExportKind::Srt, "node");
    check_tools_work(&out, test);
    assert!(r.x.command.contains(&"NODE_USE_ENV_PROXY=1".to_string()));
    let s = result(&stray, "search_repositories", 0);
    assert_eq!(
        s["is_error"], true,
        "srt let the server reach {}: {s}",
        r.other.url
    );
    let _ = (&r.good, &r.script);
}

#[test]
fn gitlab_server_under_deno() {
    let test = "gitlab_server_under_deno";
    let Some(d) = deps(test, &["deno"]) else {
        return;
    };
    let (r, out, stray) = run(&d, "gitlab-deno", ExportKind::Deno, "node");
    check_tools_work(&out, test);
    let s = result(&stray, "search_repositories", 0);
    assert_eq!(
        s["is_error"], true,
        "deno let the server reach {}: {s}",
        r.other.url
    );
    assert!(
        s["text"].as_str().unwrap().contains("net access")
            || s["text"].as_str().unwrap().contains("NotCapable"),
        "{s}"
    );
}

#[test]
fn gitlab_server_under_node_permissions() {
    let test = "gitlab_server_under_node_permissions";
    let Some(d) = deps(test, &["node"]) else {
        return;
    };
    let node = d.bin().join("node").display().to_string();
    let (r, out, stray) = run(&d, "gitlab-node", ExportKind::Node, &node);
    check_tools_work(&out, test);
    // Node's --allow-net opens every destination: the report says so, and
    // the other API is indeed reached.
    assert_eq!(verdict(&r.x, "network"), Verdict::Wider);
    assert_eq!(result(&stray, "search_repositories", 0)["is_error"], false);
    // Without the network grant the same server cannot connect at all.
    let p = probe(
        &runner(&r.x, &r.script)[..1]
            .to_vec()
            .into_iter()
            .chain([
                "--permission".to_string(),
                format!("--allow-fs-read={}", d.root.display()),
            ])
            .collect::<Vec<_>>(),
        &d.root.join("node/probe-gitlab.mjs"),
        &[("PATH", d.path_var())],
        &json!({"connect": r.good.url.trim_start_matches("http://").trim_end_matches("/api/v4")}),
    );
    assert!(refused(&p, "connect"), "{p}");
}
