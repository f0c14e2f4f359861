//! `mcpwarden run` with real parts: the escape-test servers (Node, and Python
//! on the `mcp` SDK) and the published filesystem server, driven by the
//! Python `mcp` SDK client through the proxy and the sandbox, each layer
//! alone and both together, as root and unprivileged.

mod run_support;

use run_support::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const BIN: &str = env!("CARGO_BIN_EXE_mcpwarden");

#[derive(Clone, Copy, PartialEq)]
enum Layers {
    Both,
    ProxyOnly,
    SandboxOnly,
}

/// Which layer stops an attack.
#[derive(Clone, Copy, PartialEq)]
enum Stop {
    /// The manifest names the argument: the proxy and the sandbox each stop it.
    Either,
    /// Invisible to the proxy (undeclared argument, number, env): the sandbox stops it.
    Sandbox,
    /// A tool the manifest hides: only the proxy can refuse it.
    Proxy,
}

struct Case {
    tool: &'static str,
    args: Value,
    /// `Some(text)`: allowed, its result contains text. `None`: an attack.
    allowed: Option<String>,
    stop: Stop,
}

fn cases(w: &World, child_allowed: bool) -> Vec<Case> {
    let s = |p: &PathBuf| p.display().to_string();
    let ok = |tool, args, text: &str| Case {
        tool,
        args,
        allowed: Some(text.to_string()),
        stop: Stop::Either,
    };
    let attack = |tool, args, stop| Case {
        tool,
        args,
        allowed: None,
        stop,
    };
    let mut v = vec![
        ok(
            "read_file",
            json!({"path": s(&w.root.join("hello.txt"))}),
            "hello from the root",
        ),
        ok(
            "write_file",
            json!({"path": s(&w.root.join("new.txt")), "content": "fresh"}),
            "written",
        ),
        ok(
            "fetch_url",
            json!({"url": format!("http://127.0.0.1:{}/x", w.ok_port)}),
            "hello-ok",
        ),
        ok("get_env", json!({"name": "ALLOWED_VAR"}), "visible-value"),
        attack("read_file", json!({"path": s(&w.canary)}), Stop::Either),
        attack(
            "read_file",
            json!({"path": format!("{}/../outside/canary.txt", s(&w.root))}),
            Stop::Either,
        ),
        attack(
            "write_file",
            json!({"path": s(&w.outside.join("evil.txt")), "content": "x"}),
            Stop::Either,
        ),
        attack(
            "fetch_url",
            json!({"url": format!("http://127.0.0.1:{}/", w.bad_port)}),
            Stop::Either,
        ),
        attack(
            "run_shell",
            json!({"command": format!("cat {}", s(&w.canary))}),
            Stop::Either,
        ),
        attack("child_read", json!({"path": s(&w.canary)}), Stop::Either),
        attack("connect_port", json!({"port": w.bad_port}), Stop::Sandbox),
        attack("sneaky_read", json!({"note": s(&w.canary)}), Stop::Sandbox),
        attack("get_env", json!({"name": "SECRET_VAR"}), Stop::Sandbox),
        attack("secret_tool", json!({}), Stop::Proxy),
    ];
    if child_allowed {
        v.push(ok(
            "child_read",
            json!({"path": s(&w.root.join("hello.txt"))}),
            "hello from the root",
        ));
        // The Node server also reads its ancestors' environments and
        // connects to a unix socket outside the root (think docker.sock).
        v.push(attack("ancestors_env", json!({}), Stop::Sandbox));
        v.push(attack(
            "connect_unix",
            json!({"path": s(&w.unix_sock)}),
            Stop::Sandbox,
        ));
    }
    v
}

fn run_args(
    manifest: &Path,
    w: &World,
    layers: Layers,
    extra: &[&str],
    server: &[String],
) -> Vec<String> {
    let mut a: Vec<String> = vec![
        "run".into(),
        "--manifest".into(),
        manifest.display().to_string(),
    ];
    a.extend(["--grant-fs".into(), w.root.display().to_string()]);
    a.extend([
        "--audit-log".into(),
        w.file("audit.jsonl").display().to_string(),
    ]);
    match layers {
        Layers::Both => {}
        Layers::ProxyOnly => a.push("--no-sandbox".into()),
        Layers::SandboxOnly => a.push("--proxy-off".into()),
    }
    a.extend(extra.iter().map(|s| s.to_string()));
    a.push("--".into());
    a.extend(server.iter().cloned());
    a
}

/// Drive every case through `mcpwarden run` and check each layer did its part.
fn escape(
    test: &str,
    w: &World,
    python: &Path,
    server: Vec<String>,
    exec: Option<&str>,
    layers: Layers,
    era: &str,
) -> Value {
    let m = write_json(&w.file("manifest.json"), &escape_manifest(w, test, exec));
    let cases = cases(w, exec.is_some());
    let calls: Vec<Value> = cases
        .iter()
        .map(|c| json!({"tool": c.tool, "args": c.args}))
        .collect();
    let plan = json!({"command": BIN, "args": run_args(&m, w, layers, &[], &server), "env": client_env(w), "era": era, "calls": calls});
    let out = drive(python, w, plan);
    if std::env::var_os("MCPW_VERBOSE").is_some() {
        eprintln!("{test}: {}", serde_json::to_string_pretty(&out).unwrap());
    }
    let results = out["results"].as_array().unwrap();
    assert_eq!(results.len(), cases.len());
    let proxy = layers != Layers::SandboxOnly;
    let sandbox = layers != Layers::ProxyOnly;
    for (c, r) in cases.iter().zip(results) {
        let what = format!("{test}: {} {}", c.tool, c.args);
        let text = r.to_string();
        let got = seen(r);
        if let Some(expect) = &c.allowed {
            assert!(
                matches!(&got, Seen::Ok(d) if d.contains(expect.as_str())),
                "{what}: allowed call failed: {r}"
            );
            continue;
        }
        let blocked = match c.stop {
            Stop::Either => proxy || sandbox,
            Stop::Sandbox => sandbox,
            Stop::Proxy => proxy,
        };
        if !blocked {
            continue;
        }
        assert!(!text.contains(&w.secret), "{what}: the canary leaked: {r}");
        match (c.stop, proxy) {
            (Stop::Either, true) => assert!(
                matches!(got, Seen::Denied(_)),
                "{what}: the proxy should deny: {r}"
            ),
            (Stop::Proxy, _) => assert_eq!(got, Seen::RpcError(-32602), "{what}: {r}"),
            _ if c.tool == "get_env" => assert_eq!(got, Seen::Ok("null".into()), "{what}: {r}"),
            _ if c.tool == "ancestors_env" => assert!(
                matches!(&got, Seen::Ok(d) if d.contains("EACCES")),
                "{what}: {r}"
            ),
            _ => assert!(
                matches!(got, Seen::Failed(_)),
                "{what}: the sandbox should stop it: {r}"
            ),
        }
    }
    assert!(
        !w.outside.join("evil.txt").exists(),
        "{test}: a write outside the root landed"
    );
    assert!(w.root.join("new.txt").exists());
    if sandbox {
        assert_eq!(
            w.bad_hits.load(std::sync::atomic::Ordering::SeqCst),
            0,
            "{test}: the forbidden port was reached"
        );
        let unix = w.unix_hits.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(unix, 0, "{test}: the unix socket was reached");
    }
    if proxy {
        let tools: Vec<&str> = out["tools"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t.as_str())
            .collect();
        assert!(
            !tools.contains(&"secret_tool"),
            "{test}: a hidden tool was listed: {tools:?}"
        );
        assert!(tools.contains(&"read_file"));
        check_audit(w, results);
    }
    out
}

/// One audit line per call; every denial is there with its rule.
fn check_audit(w: &World, results: &[Value]) {
    let log = std::fs::read_to_string(w.file("audit.jsonl")).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), results.len(), "audit log:\n{log}");
    for r in results {
        if let Seen::Denied(rule) = seen(r) {
            assert!(
                lines.iter().any(|l| l["decision"] == "deny"
                    && l["rule"] == rule.as_str()
                    && l["latency_ms"].is_number()),
                "no audit line for {rule}:\n{log}"
            );
        }
    }
    assert!(lines
        .iter()
        .all(|l| l["time"].as_str().is_some_and(|t| t.ends_with('Z'))));
}

fn node_server(test: &str) -> Option<Vec<String>> {
    let node = node(test)?;
    Some(vec![
        node.display().to_string(),
        enforce_tests()
            .join("servers/escape_node/server.js")
            .display()
            .to_string(),
    ])
}

fn py_server(test: &str) -> Option<Vec<String>> {
    let py = python(test)?;
    Some(vec![
        py.display().to_string(),
        enforce_tests()
            .join("servers/escape_py/server.py")
            .display()
            .to_string(),
    ])
}

macro_rules! escape_test {
    ($name:ident, $server:ident, $exec:expr, $layers:expr, $era:expr) => {
        #[test]
        fn $name() {
            let t = stringify!($name);
            let (Some(py), Some(server)) = (python(t), $server(t)) else {
                return;
            };
            let w = World::new(t);
            escape(t, &w, &py, server, $exec, $layers, $era);
        }
    };
}

escape_test!(
    node_escapes_stopped_by_proxy_and_sandbox,
    node_server,
    Some("node"),
    Layers::Both,
    "handshake"
);
escape_test!(
    node_escapes_stopped_by_sandbox_alone,
    node_server,
    Some("node"),
    Layers::SandboxOnly,
    "handshake"
);
escape_test!(
    node_escapes_stopped_by_proxy_alone,
    node_server,
    Some("node"),
    Layers::ProxyOnly,
    "handshake"
);
escape_test!(
    node_escapes_stateless_2026_07_28,
    node_server,
    Some("node"),
    Layers::Both,
    "modern"
);
escape_test!(
    python_escapes_stopped_by_proxy_and_sandbox,
    py_server,
    None,
    Layers::Both,
    "handshake"
);
escape_test!(
    python_escapes_stopped_by_sandbox_alone,
    py_server,
    None,
    Layers::SandboxOnly,
    "handshake"
);

/// 2025-06-18 (the server pins it) and 2026-07-28 (stateless: denials carry
/// `resultType`, which the SDK client validates).
#[test]
fn protocol_versions_are_each_served() {
    let t = "protocol_versions_are_each_served";
    let (Some(py), Some(server)) = (python(t), node_server(t)) else {
        return;
    };
    let w = World::new(t);
    let m = write_json(&w.file("manifest.json"), &escape_manifest(&w, t, None));
    let calls = json!([{"tool": "read_file", "args": {"path": w.canary.display().to_string()}}]);
    for (era, pin, want) in [
        ("handshake", "2025-06-18", "2025-06-18"),
        ("handshake", "", "2025-11-25"),
        ("modern", "", "2026-07-28"),
    ] {
        let mut env = client_env(&w);
        if !pin.is_empty() {
            env["ESCAPE_PROTOCOL"] = json!(pin);
        }
        let plan = json!({"command": BIN, "args": run_args(&m, &w, Layers::Both, &[], &server), "env": env, "era": era, "calls": calls});
        let out = drive(&py, &w, plan);
        assert_eq!(out["protocol"], want);
        assert_eq!(
            seen(&out["results"][0]),
            Seen::Denied("path-outside-roots".into()),
            "{want}: {out}"
        );
    }
}

/// `--mode audit` forwards everything and logs what enforce would deny.
#[test]
fn audit_mode_forwards_and_logs_would_deny() {
    let t = "audit_mode_forwards_and_logs_would_deny";
    let (Some(py), Some(server)) = (python(t), node_server(t)) else {
        return;
    };
    let w = World::new(t);
    let m = write_json(&w.file("manifest.json"), &escape_manifest(&w, t, None));
    let calls = json!([{"tool": "read_file", "args": {"path": w.canary.display().to_string()}}]);
    let plan = json!({"command": BIN, "args": run_args(&m, &w, Layers::ProxyOnly, &["--mode", "audit"], &server), "env": client_env(&w), "calls": calls});
    let out = drive(&py, &w, plan);
    assert_eq!(
        seen(&out["results"][0]),
        Seen::Ok(w.secret.clone()),
        "audit mode forwards: {out}"
    );
    let log = std::fs::read_to_string(w.file("audit.jsonl")).unwrap();
    let rec: Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    assert_eq!(
        (rec["decision"].as_str(), rec["rule"].as_str()),
        (Some("would-deny"), Some("path-outside-roots")),
        "{log}"
    );
    assert_eq!(rec["args"]["path"], w.canary.display().to_string());
}

/// `--mode ask` through MCP elicitation: an accepted grant lets the call
/// through (and is remembered in the file), a declined one denies it.
#[test]
fn ask_mode_uses_elicitation_and_remembers() {
    ask_mode("ask_mode_uses_elicitation_and_remembers", "handshake");
}

/// The same on 2026-07-28, where the question is an `input_required` result
/// and the client retries the call with the answer.
#[test]
fn ask_mode_stateless_uses_input_required() {
    ask_mode("ask_mode_stateless_uses_input_required", "modern");
}

fn ask_mode(t: &str, era: &str) {
    let (Some(py), Some(server)) = (python(t), node_server(t)) else {
        return;
    };
    let w = World::new(t);
    let m = write_json(&w.file("manifest.json"), &escape_manifest(&w, t, None));
    let remember = w.file("grants.json").display().to_string();
    let calls = json!([{"tool": "read_file", "args": {"path": w.canary.display().to_string()}}, {"tool": "secret_tool"}]);
    let extra = ["--mode", "ask", "--remember", remember.as_str()];
    let plan = |answer: &str| json!({"command": BIN, "args": run_args(&m, &w, Layers::ProxyOnly, &extra, &server), "env": client_env(&w), "elicit": answer, "era": era, "calls": calls});
    let out = drive(&py, &w, plan("decline"));
    assert_eq!(
        seen(&out["results"][0]),
        Seen::Denied("path-outside-roots".into()),
        "{out}"
    );
    assert_eq!(out["elicited"].as_array().unwrap().len(), 2, "{out}");
    let out = drive(&py, &w, plan("accept"));
    assert_eq!(
        seen(&out["results"][0]),
        Seen::Ok(w.secret.clone()),
        "{out}"
    );
    assert_eq!(
        seen(&out["results"][1]),
        Seen::Ok("secret tool ran".into()),
        "{out}"
    );
    let grants: Value = serde_json::from_str(&std::fs::read_to_string(&remember).unwrap()).unwrap();
    assert_eq!(grants["roots"][0], w.outside.display().to_string());
    assert_eq!(grants["tools"][0], "secret_tool");
}

/// The same escapes, with `mcpwarden run` itself unprivileged (nobody).
#[test]
fn unprivileged_user_gets_the_same_protection() {
    let t = "unprivileged_user_gets_the_same_protection";
    if unsafe { libc_getuid() } != 0 || !std::path::Path::new("/usr/bin/setpriv").exists() {
        eprintln!("SKIP {t}: needs root (to switch to nobody) and setpriv");
        return;
    }
    let (Some(py), Some(server)) = (python(t), node_server(t)) else {
        return;
    };
    let w = World::new(t);
    let m = write_json(
        &w.file("manifest.json"),
        &escape_manifest(&w, t, Some("node")),
    );
    let cases = cases(&w, true);
    let calls: Vec<Value> = cases
        .iter()
        .map(|c| json!({"tool": c.tool, "args": c.args}))
        .collect();
    for layers in [Layers::SandboxOnly, Layers::Both] {
        let mut args: Vec<String> = ["--reuid=65534", "--regid=65534", "--clear-groups", BIN]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend(run_args(&m, &w, layers, &["--strict"], &server));
        let plan = json!({"command": "/usr/bin/setpriv", "args": args, "env": client_env(&w), "calls": calls, "cwd": "/"});
        let out = drive(&py, &w, plan);
        for (c, r) in cases.iter().zip(out["results"].as_array().unwrap()) {
            assert!(
                !r.to_string().contains(&w.secret),
                "{}: canary leaked as nobody: {r}",
                c.tool
            );
            if c.allowed.is_some() {
                assert!(
                    matches!(seen(r), Seen::Ok(_)),
                    "{}: allowed call failed as nobody: {r}",
                    c.tool
                );
            }
        }
        assert!(!w.outside.join("evil.txt").exists());
        assert_eq!(w.bad_hits.load(std::sync::atomic::Ordering::SeqCst), 0);
    }
}

extern "C" {
    #[link_name = "getuid"]
    fn libc_getuid() -> u32;
}

#[test]
fn exit_status_is_the_servers() {
    let w = World::new("exit_status");
    let m = write_json(&w.file("manifest.json"), &escape_manifest(&w, "exit", None));
    for layers in ["--no-sandbox", "--proxy-off"] {
        let st = std::process::Command::new(BIN)
            .args([
                "run",
                "--manifest",
                &m.display().to_string(),
                layers,
                "--",
                "/bin/sh",
                "-c",
                "exit 7",
            ])
            .stdin(std::process::Stdio::null())
            .status()
            .unwrap();
        assert_eq!(st.code(), Some(7), "{layers}");
    }
    let st = std::process::Command::new(BIN)
        .args(["run", "--manifest", "/nonexistent.json", "--", "true"])
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(125));
    let out = std::process::Command::new(BIN)
        .args(["run", "--derive", "--", "node", "/nonexistent/x.js"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125));
}

#[test]
fn doctor_lists_every_layer() {
    let out = std::process::Command::new(BIN)
        .arg("doctor")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for layer in [
        "landlock",
        "seccomp",
        "seccomp-exec-watch",
        "user+net namespace",
        "stdio proxy",
    ] {
        assert!(text.contains(layer), "{text}");
    }
}

/// Over-long lines, invalid JSON, batches and unknown methods through the
/// real binary: each gets an error (or is forwarded), and the session goes on.
#[test]
fn bad_input_does_not_stop_the_proxy() {
    use std::io::{BufRead, BufReader, Write};
    let t = "bad_input_does_not_stop_the_proxy";
    let Some(server) = node_server(t) else { return };
    let w = World::new(t);
    let m = write_json(&w.file("manifest.json"), &escape_manifest(&w, t, None));
    let mut child = std::process::Command::new(BIN)
        .args([
            "run",
            "--manifest",
            &m.display().to_string(),
            "--no-sandbox",
            "--max-message",
            "4096",
            "--",
        ])
        .args(&server)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let mut output = BufReader::new(child.stdout.take().unwrap());
    let long = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{{\"x\":\"{}\"}}}}\n",
        "a".repeat(10_000)
    );
    let lines = [
        long.as_str(),
        "{not json\n",
        "[{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}]\n",
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"no/such\"}\n",
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\"}\n",
    ];
    for l in lines {
        input.write_all(l.as_bytes()).unwrap();
    }
    input.flush().unwrap();
    let mut got = vec![];
    for _ in 0..5 {
        let mut l = String::new();
        output.read_line(&mut l).unwrap();
        got.push(serde_json::from_str::<Value>(&l).unwrap());
    }
    let codes: Vec<i64> = got
        .iter()
        .filter_map(|v| v["error"]["code"].as_i64())
        .collect();
    assert_eq!(codes, [-32600, -32700, -32600, -32601], "{got:?}");
    assert_eq!(got[4]["id"], 4);
    assert!(got[4]["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["name"] != "secret_tool"));
    drop(input);
    assert_eq!(
        child.wait().unwrap().code(),
        Some(0),
        "the server's status after stdin closed"
    );
}
