//! ToolHive: a permission profile JSON and `thv run --isolate-network
//! --permission-profile FILE SERVER`. Based on ToolHive's documentation of
//! custom permission profiles (`read`, `write` host paths mounted at the same
//! place in the container; `network.outbound` with `insecure_allow_all`,
//! `allow_host` where a leading dot means subdomains, and `allow_port`, one
//! list for every host) and of `thv run` (`npx://`, `uvx://` packages or an
//! image; `--env`, `--secret`).

use super::plan::Plan;
use super::srt::{existing_or_parent, is_local, looks_secret, pretty};
use super::{ExportError, LossReport, Output, Verdict};
use serde_json::json;

pub const PROFILE_FILE: &str = "mcpwarden-toolhive.json";

pub(crate) fn export(plan: &Plan) -> Result<Output, ExportError> {
    let (server, args) = container_source(plan, "toolhive", "thv run")?;
    let mut r = LossReport::new("toolhive", plan.server_name());
    let (read, write) = mounts(plan, &mut r, "toolhive");
    let (hosts, ports) = outbound(plan, &mut r);
    let profile = json!({
        "read": read,
        "write": write,
        "network": { "outbound": {
            "insecure_allow_all": false,
            "allow_host": hosts,
            "allow_port": ports,
        }}
    });
    let mut command: Vec<String> = [
        "thv",
        "run",
        "--isolate-network",
        "--permission-profile",
        PROFILE_FILE,
    ]
    .map(String::from)
    .to_vec();
    for e in &plan.env {
        command.extend(env_flag(plan, e, &mut r));
    }
    container_common(plan, &mut r, "toolhive");
    command.push(server);
    if !args.is_empty() {
        command.push("--".into());
        command.extend(args);
    }
    Ok(Output {
        config: pretty(&profile),
        config_path: PROFILE_FILE.into(),
        command,
        report: r,
    })
}

/// What runs in the container and its arguments: `npx -y PKG ARGS` →
/// `npx://PKG`, `uvx PKG ARGS` → `uvx://PKG`, an image reference as is.
pub(crate) fn container_source(
    plan: &Plan,
    target: &str,
    how: &str,
) -> Result<(String, Vec<String>), ExportError> {
    let cmd = &plan.cmd;
    let Some(first) = cmd.first() else {
        return Err(super::srt::no_command(target));
    };
    let base = first.rsplit('/').next().unwrap_or(first);
    let rest: Vec<String> = cmd[1..]
        .iter()
        .filter(|a| *a != "-y" && *a != "--yes")
        .cloned()
        .collect();
    if matches!(base, "npx" | "uvx") {
        if let Some((pkg, args)) = rest.split_first() {
            let scheme = if base == "npx" { "npx" } else { "uvx" };
            return Ok((format!("{scheme}://{pkg}"), args.to_vec()));
        }
    }
    let image_like = !first.starts_with('/')
        && !first.starts_with('.')
        && (first.contains('/') || first.contains(':'));
    if image_like {
        return Ok((first.clone(), cmd[1..].to_vec()));
    }
    Err(ExportError::Command(format!(
        "{how} starts servers in a container from a package or an image, not `{first}`: give the server as `npx -y PACKAGE ARGS…`, `uvx PACKAGE ARGS…` or `IMAGE ARGS…` after `--`"
    )))
}

/// Host paths mounted read-only / read-write at the same place.
pub(crate) fn mounts(plan: &Plan, r: &mut LossReport, target: &str) -> (Vec<String>, Vec<String>) {
    let (mut read, mut write) = (vec![], vec![]);
    for f in &plan.fs {
        let (path, widened) = existing_or_parent(plan, &f.path, f.write);
        let list = if f.write { &mut write } else { &mut read };
        if !list.contains(&path) {
            list.push(path.clone());
        }
        let (v, d) = match (widened, f.write && !f.read) {
            (true, _) => (
                Verdict::Wider,
                super::srt::widened_why(&f.path, &path, "mounted"),
            ),
            (false, true) => (
                Verdict::Wider,
                format!("`{path}` mounted read-write ({target} cannot mount write-only)"),
            ),
            (false, false) => (
                Verdict::Exact,
                format!(
                    "`{path}` mounted {}",
                    if f.write { "read-write" } else { "read-only" }
                ),
            ),
        };
        r.push(&f.item, v, d);
    }
    (read, write)
}

/// `allow_host` (a `*.d` host gives `.d` and the apex `d`) and `allow_port`.
fn outbound(plan: &Plan, r: &mut LossReport) -> (Vec<String>, Vec<u16>) {
    let (mut hosts, mut ports): (Vec<String>, Vec<u16>) = (vec![], vec![]);
    for n in &plan.net {
        for p in n.port.map(|p| vec![p]).unwrap_or_else(|| vec![80, 443]) {
            if !ports.contains(&p) {
                ports.push(p);
            }
        }
    }
    let shared_ports = ports.len() > 1;
    for n in &plan.net {
        if is_local(&n.host) {
            r.push(&n.item, Verdict::Stricter, format!(
                "`{}` is this machine, but inside the container it names the container itself: the server cannot reach it", n.host
            ));
            continue;
        }
        let (entries, apex) = match n.host.strip_prefix("*.") {
            Some(d) => (vec![format!(".{d}"), d.to_string()], true),
            None => (vec![n.host.clone()], false),
        };
        for e in &entries {
            if !hosts.contains(e) {
                hosts.push(e.clone());
            }
        }
        let mut why = vec![];
        if apex {
            why.push("apex domain added".to_string());
        }
        if n.port.is_none() {
            why.push("port not known: 80 and 443 allowed".into());
        } else if shared_ports {
            why.push(format!(
                "allow_port is shared by every host: ports {ports:?} allowed"
            ));
        }
        let v = if why.is_empty() {
            Verdict::Exact
        } else {
            Verdict::Wider
        };
        let mut d = format!("allow_host {}", entries.join(", "));
        if !why.is_empty() {
            d.push_str(&format!(" ({})", why.join("; ")));
        }
        r.push(&n.item, v, d);
    }
    (hosts, ports)
}

/// `--env NAME=VALUE` from the launch environment, or `--secret` for a secret.
fn env_flag(plan: &Plan, e: &super::plan::Env, r: &mut LossReport) -> Vec<String> {
    if e.name == "*" {
        r.push(&e.item, Verdict::Stricter, "the server reads its whole environment, but only variables named with --env reach the container");
        return vec![];
    }
    if e.secret || looks_secret(&e.name) {
        r.push(
            &e.item,
            Verdict::Exact,
            format!(
                "from ToolHive's secret store: `thv secret set {}` first",
                e.name
            ),
        );
        return vec!["--secret".into(), format!("{},target={}", e.name, e.name)];
    }
    match plan.launch.env.get(&e.name) {
        Some(v) => {
            r.push(
                &e.item,
                Verdict::Exact,
                "passed with --env (value from the launch environment)",
            );
            vec!["--env".into(), format!("{}={v}", e.name)]
        }
        None => {
            r.push(
                &e.item,
                Verdict::Exact,
                "not set at this launch: add `--env NAME=VALUE` to give it",
            );
            vec![]
        }
    }
}

/// Rows shared by the container targets (ToolHive, Docker).
pub(crate) fn container_common(plan: &Plan, r: &mut LossReport, target: &str) {
    for l in &plan.listen {
        r.push(&l.item, Verdict::Stricter, format!("{target} publishes no port of a stdio server: nothing outside the container can connect"));
    }
    for e in &plan.exec {
        r.push(
            &e.item,
            Verdict::Wider,
            format!(
                "any program in the container image can run; `{}` must be in the image",
                e.program
            ),
        );
    }
    for n in &plan.native {
        r.push(
            n,
            Verdict::Wider,
            "any library in the container image can be loaded",
        );
    }
    for o in &plan.other {
        r.push(o, Verdict::Exact, format!("not restricted by {target}"));
    }
    if let Some(t) = &plan.per_tool {
        r.push(
            t,
            Verdict::Wider,
            format!("{target} confines the whole server to the union of its tools' grants"),
        );
    }
    plan.report_unbound(r);
    r.note("the server runs in a container: its code comes from the package or image, not from this machine's paths");
}
