//! Codex permission profiles: `[permissions.<name>]` tables for
//! `config.toml` and `codex sandbox -P <name> -- CMD`. Based on the Codex
//! documentation of permission profiles (filesystem table of path → `read` /
//! `write` / `deny`, with the special `:minimal` path; `network.enabled`,
//! `network.mode` and the `network.domains` table of host → `allow`), and
//! checked with `codex sandbox` 0.169 (`--permission-profile`, and
//! `--enable network_proxy`, without which domain rules are not enforced;
//! the proxy refuses local addresses unless they are listed, and a listed
//! `127.0.0.1` is reachable).

use super::plan::{Plan, SYSTEM_DIRS};
use super::srt::{common_items, existing_or_parent, no_command};
use super::{ExportError, LossReport, Output, Verdict};
use std::fmt::Write as _;

pub const CONFIG_FILE: &str = "config.toml";

pub(crate) fn export(plan: &Plan) -> Result<Output, ExportError> {
    if plan.cmd.is_empty() {
        return Err(no_command("codex"));
    }
    let name = profile_name(plan);
    let mut r = LossReport::new("codex", plan.server_name());
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# Codex permission profile for {} (mcpwarden export)",
        plan.server_name()
    );
    let _ = writeln!(
        t,
        "# Codex needs `default_permissions` once any profile exists; keep yours, or:"
    );
    let _ = writeln!(t, "# default_permissions = \":workspace\"\n");
    let _ = writeln!(t, "[permissions.{name}.filesystem]");
    for (path, access) in filesystem(plan, &mut r) {
        let _ = writeln!(t, "{} = \"{access}\"", toml_key(&path));
    }
    let domains = network(plan, &mut r);
    if !domains.is_empty() {
        let _ = writeln!(
            t,
            "\n[permissions.{name}.network]\nenabled = true\nmode = \"full\""
        );
        let _ = writeln!(t, "\n[permissions.{name}.network.domains]");
        for d in &domains {
            let _ = writeln!(t, "{} = \"allow\"", toml_key(d));
        }
    }
    for e in &plan.env {
        r.push(
            &e.item,
            Verdict::Exact,
            "passed through (codex sandbox does not filter the environment)",
        );
    }
    common_items(plan, &mut r, "codex");
    let mut command: Vec<String> = vec!["codex".into(), "sandbox".into()];
    if !domains.is_empty() {
        command.extend(["--enable".into(), "network_proxy".into()]);
    }
    command.extend(["-P".into(), name, "--".into()]);
    command.extend(plan.cmd.iter().cloned());
    r.note("put the profile in $CODEX_HOME/config.toml (default ~/.codex/config.toml)");
    Ok(Output {
        config: t,
        config_path: CONFIG_FILE.into(),
        command,
        report: r,
    })
}

fn profile_name(plan: &Plan) -> String {
    format!("mcp-{}", super::vscode::server_key(plan))
}

/// Path → access, `:minimal` first (what any process needs to start).
fn filesystem(plan: &Plan, r: &mut LossReport) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = vec![(":minimal".into(), "read")];
    for d in SYSTEM_DIRS {
        set(&mut out, d, "read");
        r.add(
            format!("read {d}"),
            "system libraries, programs and configuration",
        );
    }
    if let Some(dir) = codex_install(plan) {
        set(&mut out, &dir, "read");
        r.add(
            format!("read {dir}"),
            "codex runs its own sandbox helper from its install inside the sandbox",
        );
    }
    for c in &plan.code {
        set(&mut out, &c.path, if c.write { "write" } else { "read" });
        r.add(
            format!("{} {}", if c.write { "write" } else { "read" }, c.path),
            c.reason.clone(),
        );
    }
    for f in &plan.fs {
        let (path, widened) = existing_or_parent(plan, &f.path, f.write);
        set(&mut out, &path, if f.write { "write" } else { "read" });
        let (v, d) = match (widened, f.write && !f.read) {
            (true, _) => (
                Verdict::Wider,
                super::srt::widened_why(&f.path, &path, "granted"),
            ),
            (false, true) => (
                Verdict::Wider,
                format!("`{path}` = \"write\", which lets it be read too"),
            ),
            (false, false) => (
                Verdict::Exact,
                format!("`{path}` = \"{}\"", if f.write { "write" } else { "read" }),
            ),
        };
        r.push(&f.item, v, d);
    }
    out
}

/// Where `codex` is installed (the npm packages under `@openai`, or the
/// binary's directory), found on the launch PATH.
fn codex_install(plan: &Plan) -> Option<String> {
    let real = plan
        .resolver
        .real(&plan.resolver.which("codex", plan.path_var())?);
    if let Some(i) = real.find("/node_modules/@openai/") {
        return Some(real[..i + "/node_modules/@openai".len()].to_string());
    }
    let dir = real.rsplit_once('/')?.0.to_string();
    (!super::plan::is_system(&dir)).then_some(dir)
}

/// Write wins over read for the same path.
fn set(v: &mut Vec<(String, &'static str)>, path: &str, access: &'static str) {
    match v.iter_mut().find(|(p, _)| p == path) {
        Some(e) if access == "write" => e.1 = "write",
        Some(_) => {}
        None => v.push((path.to_string(), access)),
    }
}

/// Hosts for `network.domains` (ports cannot be given: dropped).
fn network(plan: &Plan, r: &mut LossReport) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for (h, why) in &plan.fetch_hosts {
        let host = h.split(':').next().unwrap_or(h).to_string();
        r.add(format!("network {host}"), why.clone());
        out.push(host);
    }
    for n in &plan.net {
        let (v, d) = match n.port {
            Some(p) => (
                Verdict::Wider,
                format!(
                    "`{}` allowed on every port (Codex domain rules have no port; {p} needed)",
                    n.host
                ),
            ),
            None => (Verdict::Exact, format!("`{}` allowed", n.host)),
        };
        r.push(&n.item, v, d);
        if !out.contains(&n.host) {
            out.push(n.host.clone());
        }
    }
    for l in &plan.listen {
        r.push(&l.item, Verdict::Stricter, "codex sandbox gives the command its own network namespace on Linux: nothing outside it can connect");
    }
    out
}

/// A TOML key, quoted.
fn toml_key(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}
