//! Anthropic's sandbox-runtime (`srt`): a settings file and
//! `srt --settings FILE -- CMD`. Based on the settings schema and README
//! shipped in `@anthropic-ai/sandbox-runtime` 0.0.83 (dist/sandbox/sandbox-config.js).
//!
//! Reads are confined with `denyRead: ["/"]` plus `allowRead` of the system
//! directories, the server's code and the manifest's paths; writes with
//! `allowWrite`; the network with `allowedDomains` (`host:port`). On Linux the
//! sandbox has its own network namespace and reaches the host only through
//! srt's proxies, whose addresses it puts in `HTTP(S)_PROXY`.

use super::plan::{Plan, SYSTEM_DIRS};
use super::{ExportError, LossReport, Output, Verdict};
use serde_json::{json, Value};

pub const SETTINGS_FILE: &str = "mcpwarden-srt.json";

pub(crate) fn export(plan: &Plan) -> Result<Output, ExportError> {
    if plan.cmd.is_empty() {
        return Err(no_command("srt"));
    }
    let mut r = LossReport::new("srt", plan.server_name());
    let network = network(plan, &mut r, "srt");
    let fs = filesystem(plan, &mut r, "srt");
    let mut settings = json!({ "network": network, "filesystem": fs });
    credentials(plan, &mut r, &mut settings);
    common_items(plan, &mut r, "srt");
    let command = command(plan, &mut r);
    Ok(Output {
        config: pretty(&settings),
        config_path: SETTINGS_FILE.into(),
        command,
        report: r,
    })
}

pub(crate) fn no_command(target: &str) -> ExportError {
    ExportError::Command(format!(
        "the {target} export needs the command that starts the server: add it after `--` (e.g. `-- node dist/index.js /data`)"
    ))
}

pub(crate) fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// `allowedDomains` entries (`host` or `host:port`) and the report rows.
pub(crate) fn domains(plan: &Plan, r: &mut LossReport, target: &str, ports: bool) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for (h, why) in &plan.fetch_hosts {
        r.add(format!("network {h}"), why.clone());
        out.push(h.clone());
    }
    for n in &plan.net {
        let entry = match (n.port, ports) {
            (Some(p), true) => format!("{}:{p}", n.host),
            _ => n.host.clone(),
        };
        let verdict = if n.port.is_some() && !ports {
            Verdict::Wider
        } else {
            Verdict::Exact
        };
        let detail = if verdict == Verdict::Wider {
            format!("allowed as `{entry}`: {target} cannot restrict the port")
        } else {
            format!("allowed as `{entry}`")
        };
        r.push(&n.item, verdict, detail);
        if !out.contains(&entry) {
            out.push(entry);
        }
    }
    out
}

fn network(plan: &Plan, r: &mut LossReport, target: &str) -> Value {
    let allowed = domains(plan, r, target, true);
    for l in &plan.listen {
        let port = l
            .port
            .map(|p| p.to_string())
            .unwrap_or_else(|| "its port".into());
        r.push(&l.item, Verdict::Stricter, format!(
            "the server may listen, but on Linux the sandbox has its own network namespace: nothing outside it can connect to {port}"
        ));
    }
    json!({ "allowedDomains": allowed, "deniedDomains": [] })
}

fn filesystem(plan: &Plan, r: &mut LossReport, target: &str) -> Value {
    let mut read: Vec<String> = SYSTEM_DIRS.iter().map(|s| s.to_string()).collect();
    for d in SYSTEM_DIRS {
        r.add(
            format!("read {d}"),
            "system libraries, programs and configuration",
        );
    }
    let mut write: Vec<String> = vec![];
    for c in &plan.code {
        push(&mut read, &c.path);
        r.add(format!("read {}", c.path), c.reason.clone());
        if c.write {
            push(&mut write, &c.path);
            r.add(format!("write {}", c.path), c.reason.clone());
        }
    }
    if !plan.net.is_empty() || !plan.fetch_hosts.is_empty() {
        let tmp = super::plan::clean_dir(&plan.launch.tmpdir);
        push(&mut read, &tmp);
        r.add(format!("read {tmp}"), "srt's proxy sockets are made in the temp directory; denying it would cut the sandbox off its proxy");
    }
    if let Some(pkg) = srt_package(plan) {
        r.add(
            format!("read {pkg}"),
            "srt's own helpers run inside the sandbox",
        );
        push(&mut read, &pkg);
    }
    for f in &plan.fs {
        let (path, widened) = existing_or_parent(plan, &f.path, f.write);
        if f.read || f.write {
            push(&mut read, &path);
        }
        if f.write {
            push(&mut write, &path);
        }
        let (v, detail) = match (widened, f.write && !f.read) {
            (true, _) => (
                Verdict::Wider,
                super::srt::widened_why(&f.path, &path, "granted"),
            ),
            (false, true) => (
                Verdict::Wider,
                format!("write granted on `{path}`; {target} lets it be read too"),
            ),
            (false, false) => (
                Verdict::Exact,
                format!(
                    "{} `{path}`",
                    if f.write { "read and write" } else { "read" }
                ),
            ),
        };
        r.push(&f.item, v, detail);
    }
    for e in &plan.exec {
        if let Some(dir) = e
            .resolved
            .as_deref()
            .and_then(|p| p.rsplit_once('/'))
            .map(|(d, _)| d)
        {
            if !super::plan::is_system(dir) && !dir.is_empty() {
                push(&mut read, dir);
                r.add(
                    format!("read {dir}"),
                    format!("holds the program `{}`", e.program),
                );
            }
        }
    }
    json!({ "denyRead": ["/"], "allowRead": read, "allowWrite": write, "denyWrite": [] })
}

/// What a sandbox can name: a file that does not exist yet cannot be bound
/// into it (its directory is granted), nor can a glob pattern (the directory
/// above the first wildcard is granted).
pub(crate) fn existing_or_parent(plan: &Plan, path: &str, write: bool) -> (String, bool) {
    if let Some(i) = path.find(['*', '?', '[']) {
        let dir = path[..i].rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        return (
            if dir.is_empty() {
                "/".into()
            } else {
                dir.to_string()
            },
            true,
        );
    }
    if !write || plan.resolver.exists(path) {
        return (path.to_string(), false);
    }
    match path.rsplit_once('/') {
        Some((parent, _)) if !parent.is_empty() => (parent.to_string(), true),
        _ => (path.to_string(), false),
    }
}

/// Why a path was widened to `granted`, for the loss report.
pub(crate) fn widened_why(path: &str, granted: &str, how: &str) -> String {
    if path.contains(['*', '?', '[']) {
        format!("`{path}` is a pattern: its directory `{granted}` is {how}")
    } else {
        format!("`{path}` does not exist yet: its directory `{granted}` is {how}")
    }
}

fn push(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// The installed sandbox-runtime package, found from `srt` on the launch PATH.
fn srt_package(plan: &Plan) -> Option<String> {
    let cli = plan
        .resolver
        .real(&plan.resolver.which("srt", plan.path_var())?);
    let i = cli.find("/sandbox-runtime/")?;
    Some(cli[..i + "/sandbox-runtime".len()].to_string())
}

/// Secrets the manifest needs are masked when every destination is TLS (the
/// proxy puts the real value back only in requests to those hosts); secrets
/// in the launch environment that the manifest does not read are withheld.
fn credentials(plan: &Plan, r: &mut LossReport, settings: &mut Value) {
    let mut vars = vec![];
    let reads_all = plan.env.iter().any(|e| e.name == "*");
    let mask = plan.all_tls();
    let hosts = plan.tls_hosts();
    for e in &plan.env {
        if e.name == "*" {
            r.push(&e.item, Verdict::Exact, "srt passes the whole environment");
        } else if e.secret && mask && env_name_ok(&e.name) {
            vars.push(json!({ "name": e.name, "mode": "mask", "injectHosts": hosts }));
            r.push(&e.item, Verdict::Exact, format!(
                "masked: the server sees a stand-in; srt's proxy puts the real value back only in TLS requests to {}",
                hosts.join(", ")
            ));
        } else {
            r.push(&e.item, Verdict::Exact, "passed through");
        }
    }
    let mut withheld = vec![];
    if !reads_all {
        for name in plan.launch.env.keys() {
            if looks_secret(name) && env_name_ok(name) && !plan.env.iter().any(|e| &e.name == name)
            {
                vars.push(json!({ "name": name, "mode": "deny" }));
                withheld.push(name.clone());
            }
        }
    }
    if !withheld.is_empty() {
        r.note(format!(
            "secrets in the launch environment that the manifest does not read are withheld: {}",
            withheld.join(", ")
        ));
    }
    r.note("srt passes the rest of the launching environment to the server (it filters no variable names but the credentials listed)");
    if vars.is_empty() {
        return;
    }
    settings["credentials"] = json!({ "envVars": vars });
    if vars.iter().any(|v| v["mode"] == "mask") {
        settings["network"]["tlsTerminate"] = json!({});
        r.add(
            "network.tlsTerminate",
            "masked credentials are substituted only on TLS connections srt terminates",
        );
    }
}

/// Names that usually hold credentials.
pub(crate) fn looks_secret(name: &str) -> bool {
    let u = name.to_ascii_uppercase();
    [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "_KEY",
        "APIKEY",
        "CREDENTIAL",
    ]
    .iter()
    .any(|p| u.contains(p))
}

fn env_name_ok(n: &str) -> bool {
    let mut c = n.chars();
    matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
}

/// Rows every srt-like target reports the same way.
pub(crate) fn common_items(plan: &Plan, r: &mut LossReport, target: &str) {
    for e in &plan.exec {
        let found = match &e.resolved {
            Some(p) => format!("`{p}`"),
            None => "not found on PATH at export time".into(),
        };
        r.push(&e.item, Verdict::Wider, format!(
            "{target} does not restrict which programs run: any program readable in the sandbox can be started ({} {found})",
            e.program
        ));
    }
    for n in &plan.native {
        r.push(
            n,
            Verdict::Wider,
            format!("{target} does not restrict native libraries: any readable one can be loaded"),
        );
    }
    for o in &plan.other {
        r.push(o, Verdict::Exact, format!("not restricted by {target}"));
    }
    if let Some(t) = &plan.per_tool {
        r.push(t, Verdict::Wider, format!(
            "{target} confines the whole server to the union of its tools' grants (per-tool checks need the mcpwarden proxy)"
        ));
    }
    plan.report_unbound(r);
}

/// `srt --settings FILE -- [env …] CMD`: the proxies are reached through
/// `HTTP(S)_PROXY`, so loopback destinations must not be in `NO_PROXY` (the
/// sandbox's own loopback is not the host's), and Node's built-in clients
/// read the proxy variables only with `NODE_USE_ENV_PROXY=1`.
fn command(plan: &Plan, r: &mut LossReport) -> Vec<String> {
    let mut cmd: Vec<String> = vec![
        "srt".into(),
        "--settings".into(),
        SETTINGS_FILE.into(),
        "--".into(),
    ];
    let mut env: Vec<String> = vec![];
    if plan.net.iter().any(|n| is_local(&n.host)) {
        env.extend(["-u", "NO_PROXY", "-u", "no_proxy"].map(String::from));
        r.note("a destination is on this machine: NO_PROXY is unset so the connection goes through srt's proxy (the sandbox's loopback is its own)");
    }
    let base = plan.cmd[0].rsplit('/').next().unwrap_or("");
    if !plan.net.is_empty() && matches!(base, "node" | "npx" | "npm") {
        env.push("NODE_USE_ENV_PROXY=1".into());
        r.note("NODE_USE_ENV_PROXY=1 makes Node's fetch/http use srt's proxy (read by Node 22.21+ and 24.5+; older Node cannot reach the network under srt)");
    }
    if !env.is_empty() {
        cmd.push("env".into());
        cmd.extend(env);
    }
    cmd.extend(plan.cmd.iter().cloned());
    cmd
}

pub(crate) fn is_local(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host.starts_with("127.")
        || host == "[::1]"
        || host.starts_with("10.")
        || host.starts_with("192.168.")
}
