//! Finding the test dependencies, exporting, driving a server, probing.

use mcpwarden_policy::bind::Launch;
use mcpwarden_policy::export::{export, Export, ExportKind, Verdict};
use mcpwarden_policy::Manifest;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Deps {
    pub root: PathBuf,
}

impl Deps {
    pub fn nm(&self) -> PathBuf {
        self.root.join("node/node_modules")
    }
    pub fn bin(&self) -> PathBuf {
        self.nm().join(".bin")
    }
    pub fn python(&self) -> PathBuf {
        self.root.join("venv/bin/python")
    }
    pub fn path_var(&self) -> String {
        format!("{}:/usr/bin:/bin", self.bin().display())
    }
}

/// The dependencies, or `None` after printing why the test is skipped
/// (panics under `CI`, where deps.sh has run).
pub fn deps(test: &str, bins: &[&str]) -> Option<Deps> {
    let root = std::env::var_os("MCPWARDEN_TEST_DEPS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-deps"));
    // Sandboxes grant real paths: a `..` in a granted path leaves the
    // interpreter outside every mount and Landlock rule.
    let root = root.canonicalize().unwrap_or(root);
    let d = Deps { root };
    let mut missing: Vec<String> = bins
        .iter()
        .map(|b| d.bin().join(b))
        .filter(|p| !p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !d.python().exists() {
        missing.push(d.python().display().to_string());
    }
    for tool in ["git"] {
        if Command::new(tool).arg("--version").output().is_err() {
            missing.push(tool.into());
        }
    }
    if missing.is_empty() {
        return Some(d);
    }
    let why = format!("missing {} (run .ci/deps.sh)", missing.join(", "));
    if std::env::var_os("CI").is_some() {
        panic!("{test}: {why}");
    }
    println!("SKIP {test}: {why}");
    None
}

/// Whether unprivileged namespaces work (bubblewrap needs them).
pub fn userns(test: &str) -> bool {
    let ok = Command::new("bwrap")
        .args(["--ro-bind", "/", "/", "--unshare-net", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if std::env::var_os("CI").is_some()
            && Command::new("bwrap").arg("--version").output().is_err()
        {
            panic!("{test}: bubblewrap is missing (run .ci/deps.sh)");
        }
        println!("SKIP {test}: this kernel does not let bubblewrap create namespaces");
    }
    ok
}

/// A fresh directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("enforce-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A directory for `$CODEX_HOME`. Codex refuses to install its sandbox helper
/// under the temp directory, and a checkout in /tmp has its target directory
/// there too: then the home goes under `$HOME/.cache/mcpwarden-tests`.
pub fn codex_dir(name: &str) -> PathBuf {
    let d = scratch(name);
    let tmp = std::env::temp_dir();
    let tmp = tmp.canonicalize().unwrap_or(tmp);
    if !d.canonicalize().unwrap_or(d.clone()).starts_with(&tmp) {
        return d;
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from);
    let d = home
        .join(".cache/mcpwarden-tests")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn manifest(name: &str) -> Manifest {
    Manifest::load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/manifests")
            .join(name),
    )
    .unwrap()
}

pub fn launch(
    d: &Deps,
    cwd: &Path,
    argv: &[String],
    grant: &[&Path],
    env: &[(&str, String)],
) -> Launch {
    let mut e: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    e.insert("PATH".into(), d.path_var());
    Launch {
        home: std::env::var("HOME").unwrap_or_else(|_| "/root".into()),
        tmpdir: "/tmp".into(),
        cwd: cwd.display().to_string(),
        env: e,
        argv: argv.to_vec(),
        grant_fs: grant.iter().map(|p| p.display().to_string()).collect(),
    }
}

/// Export without loss allowed, the configuration written into `dir`.
pub fn exported(kind: ExportKind, m: &Manifest, l: &Launch, cmd: &[String], dir: &Path) -> Export {
    let mut x = export(kind, m, l, cmd, false).unwrap_or_else(|e| panic!("{kind}: {e}"));
    if !x.config.is_empty() {
        let p = dir.join(format!("{kind}-config"));
        std::fs::write(&p, &x.config).unwrap();
        x.set_config_path(&p.display().to_string());
    }
    x
}

/// The verdict the report gives the first item of `class`.
pub fn verdict(x: &Export, class: &str) -> Verdict {
    x.report
        .items
        .iter()
        .find(|i| i.class == class)
        .map(|i| i.verdict)
        .unwrap()
}

/// Start the server with `command`, list its tools and make `calls`.
pub fn drive(
    d: &Deps,
    command: &[String],
    env: &[(&str, String)],
    cwd: &Path,
    calls: &[Value],
) -> Value {
    let mut e: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    e.insert("PATH".into(), d.path_var());
    let plan = json!({ "command": command, "env": e, "cwd": cwd, "calls": calls });
    let plan_file = cwd.join(format!("plan-{}.json", std::process::id()));
    std::fs::write(&plan_file, plan.to_string()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/mcp_drive.py");
    let out = Command::new(d.python())
        .arg(script)
        .arg(&plan_file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.trim()).unwrap_or_else(|_| {
        panic!(
            "driver failed ({}): {stdout}\n{}\ncommand: {command:?}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Every call of `out` answered without error.
pub fn assert_all_ok(out: &Value, what: &str) {
    for r in out["results"].as_array().unwrap() {
        assert_eq!(
            r["is_error"], false,
            "{what}: {} failed: {}",
            r["tool"], r["text"]
        );
    }
}

/// The result of the call to `tool` (the first one).
pub fn result<'a>(out: &'a Value, tool: &str, nth: usize) -> &'a Value {
    out["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["tool"] == tool)
        .nth(nth)
        .unwrap()
}

/// Run the probe (tests/support/probe.mjs, copied to `at`) with `runner`
/// (the export's command up to the server script) and return its findings.
pub fn probe(runner: &[String], at: &Path, env: &[(&str, String)], plan: &Value) -> Value {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/probe.mjs");
    std::fs::copy(src, at).unwrap();
    let mut cmd = Command::new(&runner[0]);
    cmd.args(&runner[1..]).arg(at).arg(plan.to_string());
    cmd.env_clear()
        .envs(env.iter().map(|(k, v)| (k.to_string(), v.clone())));
    cmd.env("HOME", std::env::var("HOME").unwrap_or_default());
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| {
            panic!(
                "probe printed nothing ({}): {stdout}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            )
        });
    serde_json::from_str(line).unwrap()
}

/// The export's command with `script` (and what follows) cut off.
pub fn runner(x: &Export, script: &str) -> Vec<String> {
    let i = x
        .command
        .iter()
        .position(|a| a == script)
        .unwrap_or_else(|| panic!("{script} not in {:?}", x.command));
    x.command[..i].to_vec()
}

/// The export's command with each `from` argument replaced by `to`.
pub fn with_args(x: &Export, from: &str, to: &str) -> Vec<String> {
    x.command
        .iter()
        .map(|a| if a == from { to.to_string() } else { a.clone() })
        .collect()
}

/// A TCP listener on 127.0.0.1 nobody is asked to reach.
pub fn forbidden_port() -> (std::net::TcpListener, u16) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let p = l.local_addr().unwrap().port();
    (l, p)
}

/// A copy of `/usr/bin/true` where no grant reaches.
pub fn stray_program(dir: &Path) -> PathBuf {
    let p = dir.join("stray-program");
    std::fs::copy("/usr/bin/true", &p).unwrap();
    p
}

pub fn argv(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// `ok` means the probe did it: the enforcer did not stop it.
pub fn refused(p: &Value, what: &str) -> bool {
    p[what].as_str().is_some_and(|v| v != "ok")
}
