//! Shared pieces of the `mcpwarden run` tests: test dependencies (skip or,
//! under CI, fail), a scratch world with a canary outside the granted root,
//! loopback HTTP listeners, manifests written per test, and the real MCP
//! client (Python `mcp` SDK) that drives a server through `mcpwarden run`.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn deps_dir() -> PathBuf {
    let d = std::env::var_os("MCPWARDEN_TEST_DEPS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/test-deps"));
    // The sandbox grants real paths (a relative or linked path would not match).
    d.canonicalize().unwrap_or(d)
}

/// `Some(path)` when present; otherwise prints SKIP (or panics under CI).
pub fn need(test: &str, what: &str, p: PathBuf) -> Option<PathBuf> {
    if p.exists() {
        return Some(p);
    }
    let msg = format!(
        "SKIP {test}: {what} not found at {} (run .ci/deps.sh)",
        p.display()
    );
    if std::env::var_os("CI").is_some() {
        panic!("{msg}");
    }
    eprintln!("{msg}");
    None
}

pub fn python(test: &str) -> Option<PathBuf> {
    need(
        test,
        "the test venv's python",
        deps_dir().join("venv/bin/python"),
    )
}

pub fn node(test: &str) -> Option<PathBuf> {
    let p = Command::new("sh")
        .args(["-c", "command -v node"])
        .output()
        .ok()?;
    let path = String::from_utf8_lossy(&p.stdout).trim().to_string();
    need(
        test,
        "node",
        PathBuf::from(if path.is_empty() {
            "/nonexistent/node"
        } else {
            &path
        }),
    )
}

pub fn enforce_tests() -> PathBuf {
    workspace().join("crates/enforce/tests")
}

/// A scratch directory with a granted root, a canary outside it, and two
/// loopback listeners: one the manifest allows, one it does not (which
/// counts every connection it gets).
pub struct World {
    pub dir: PathBuf,
    pub root: PathBuf,
    pub outside: PathBuf,
    pub canary: PathBuf,
    pub secret: String,
    pub ok_port: u16,
    pub bad_port: u16,
    pub bad_hits: Arc<AtomicUsize>,
    /// A unix socket outside the root (think docker.sock), and its connections.
    pub unix_sock: PathBuf,
    pub unix_hits: Arc<AtomicUsize>,
}

impl World {
    pub fn new(name: &str) -> World {
        let dir = std::env::temp_dir().join(format!("mcpw-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (root, outside) = (dir.join("root"), dir.join("outside"));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        let secret = format!("CANARY-{}-{name}", std::process::id());
        let canary = outside.join("canary.txt");
        std::fs::write(&canary, &secret).unwrap();
        std::fs::write(root.join("hello.txt"), "hello from the root").unwrap();
        // World-accessible, so that only the sandbox stands between an
        // unprivileged server and the canary.
        for d in [&dir, &root, &outside] {
            set_mode(d, 0o777);
        }
        set_mode(&canary, 0o644);
        let ok_port = http_listener("hello-ok", Arc::new(AtomicUsize::new(0)));
        let bad_hits = Arc::new(AtomicUsize::new(0));
        let bad_port = http_listener("SHOULD-NOT-BE-REACHED", bad_hits.clone());
        let unix_sock = outside.join("agent.sock");
        let unix_hits = Arc::new(AtomicUsize::new(0));
        unix_listener(&unix_sock, unix_hits.clone());
        World {
            dir: dir.canonicalize().unwrap(),
            root: root.canonicalize().unwrap(),
            outside: outside.canonicalize().unwrap(),
            canary: canary.canonicalize().unwrap(),
            secret,
            ok_port,
            bad_port,
            bad_hits,
            unix_sock,
            unix_hits,
        }
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A unix socket anyone may connect to, counting connections.
fn unix_listener(path: &Path, hits: Arc<AtomicUsize>) {
    let l = std::os::unix::net::UnixListener::bind(path).unwrap();
    set_mode(path, 0o777);
    std::thread::spawn(move || {
        for _ in l.incoming().flatten() {
            hits.fetch_add(1, Ordering::SeqCst);
        }
    });
}

/// A loopback HTTP server answering `body` to every request.
fn http_listener(body: &'static str, hits: Arc<AtomicUsize>) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut c in l.incoming().flatten() {
            hits.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = c.read(&mut buf);
            let _ = write!(
                c,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

/// The manifest of the escape servers: what each tool may do.
pub fn escape_manifest(w: &World, server: &str, exec_program: Option<&str>) -> Value {
    let ev = |s: &str| json!([format!("{server}:{s}")]);
    let path_param = |tool: &str, access: &str| {
        json!({
        "name": tool, "resources": ["file"],
        "permissions": {"fs": [{"path": format!("${{ARG:{tool}.path}}"), "access": [access], "provenance": "tool-arg", "tool": tool, "param": "path", "evidence": ev(tool)}]},
        "params": [{"name": "path", "used_as": "path", "access": [access], "evidence": ev(tool)}]})
    };
    let connect = json!({"host": "127.0.0.1", "port": w.ok_port, "scheme": "http", "provenance": "const", "evidence": ev("fetch")});
    let exec: Vec<Value> = exec_program.map(|p| json!({"program": p, "shell": false, "provenance": "const", "evidence": ev("child")})).into_iter().collect();
    let mut child = path_param("child_read", "read");
    child["permissions"]["exec"] = json!(exec);
    json!({
        "schema": "mcpwarden/manifest/v1",
        "server": {"name": format!("escape-{server}"), "source": "tests", "analyser": "hand-written"},
        "permissions": {
            "network": {"connect": [connect.clone()]},
            "exec": exec,
            "env": [{"name": "ALLOWED_VAR", "when": "tool", "evidence": ev("env")}, {"name": "ESCAPE_PROTOCOL", "when": "startup", "evidence": ev("env")}],
            "fs": [{"path": "${ARG:read_file.path}", "access": ["read", "write"], "provenance": "tool-arg", "tool": "read_file", "param": "path", "evidence": ev("fs")}]
        },
        "tools": [
            path_param("read_file", "read"),
            path_param("write_file", "write"),
            {"name": "fetch_url", "resources": ["network"], "permissions": {"network": {"connect": [connect]}},
             "params": [{"name": "url", "used_as": "url", "evidence": ev("fetch")}]},
            {"name": "connect_port", "resources": ["network"], "permissions": {"network": {"connect": [connect]}}},
            {"name": "run_shell", "resources": ["system"], "permissions": {"exec": [{"program": null, "shell": true, "provenance": "tool-arg", "tool": "run_shell", "param": "command", "evidence": ev("sh")}]},
             "params": [{"name": "command", "used_as": "command", "evidence": ev("sh")}]},
            {"name": "get_env", "resources": ["system"], "permissions": {"env": [{"name": "ALLOWED_VAR", "when": "tool", "evidence": ev("env")}]}},
            child,
            {"name": "sneaky_read", "resources": [], "permissions": {}},
            {"name": "ancestors_env", "resources": [], "permissions": {}},
            {"name": "connect_unix", "resources": [], "permissions": {}}
        ]
    })
}

pub fn write_json(p: &Path, v: &Value) -> PathBuf {
    std::fs::write(p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    p.to_path_buf()
}

/// Run the Python MCP client on a plan; returns its JSON output.
pub fn drive(python: &Path, w: &World, plan: Value) -> Value {
    let plan_file = write_json(&w.file(&format!("plan-{}.json", rand_tag())), &plan);
    let out = Command::new(python)
        .arg(enforce_tests().join("client/drive.py"))
        .arg(&plan_file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "client failed: {}\nstderr:\n{stderr}",
        out.status
    );
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("client output not JSON ({e}): {text}\nstderr:\n{stderr}"))
}

fn rand_tag() -> u64 {
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::SeqCst) as u64
}

/// The environment the client gives `mcpwarden run`: a secret the manifest
/// does not name, and one it does.
pub fn client_env(w: &World) -> Value {
    json!({"PATH": std::env::var("PATH").unwrap_or_default(), "HOME": std::env::var("HOME").unwrap_or("/root".into()),
           "SECRET_VAR": w.secret, "ALLOWED_VAR": "visible-value"})
}

/// What a call's result says.
#[derive(Debug, PartialEq)]
pub enum Seen {
    /// The tool ran and succeeded; its data.
    Ok(String),
    /// The proxy denied it (isError with mcpwarden's `_meta`), with the rule.
    Denied(String),
    /// A JSON-RPC error (hidden tool).
    RpcError(i64),
    /// The tool ran and failed (the sandbox stopped it); the error text.
    Failed(String),
}

pub fn seen(r: &Value) -> Seen {
    if let Some(e) = r.get("rpc_error") {
        return Seen::RpcError(e["code"].as_i64().unwrap_or(0));
    }
    if let Some(d) = r["meta"].get("io.mcpwarden/denial") {
        return Seen::Denied(d["rule"].as_str().unwrap_or("").to_string());
    }
    let text = r["text"].as_str().unwrap_or("");
    match serde_json::from_str::<Value>(text) {
        Ok(v) if v["ok"] == true => Seen::Ok(
            v["data"]
                .as_str()
                .map(String::from)
                .unwrap_or_else(|| v["data"].to_string()),
        ),
        Ok(v) => Seen::Failed(v["error"].as_str().unwrap_or("").to_string()),
        Err(_) => Seen::Failed(text.to_string()),
    }
}
