//! Docker MCP gateway: a catalog entry (YAML) and
//! `docker mcp gateway run --additional-catalog FILE --servers NAME --block-network`.
//! Based on the docker/mcp-gateway documentation and catalog files (server
//! fields `image`, `command`, `allowHosts` as `host:port`, `disableNetwork`,
//! `volumes` as `host:container[:ro]`, `secrets` with `name`/`env`, `env`
//! with `name`/`value`) and the `gateway run` reference (`--block-network`
//! enforces `allowHosts`).

use super::plan::Plan;
use super::srt::{is_local, looks_secret};
use super::toolhive::{container_common, container_source, mounts};
use super::{ExportError, LossReport, Output, Verdict};
use std::fmt::Write as _;

pub const CATALOG_FILE: &str = "mcpwarden-catalog.yaml";

pub(crate) fn export(plan: &Plan) -> Result<Output, ExportError> {
    let (source, args) = container_source(plan, "docker", "the Docker MCP gateway")?;
    let mut r = LossReport::new("docker", plan.server_name());
    let name = super::vscode::server_key(plan);
    let (image, command) = image_and_command(&source, &args, &mut r);
    let (read, write) = mounts(plan, &mut r, "docker");
    let hosts = allow_hosts(plan, &source, &mut r);
    let mut y = String::new();
    let _ = writeln!(
        y,
        "# Docker MCP gateway catalog entry for {} (mcpwarden export)",
        plan.server_name()
    );
    let _ = writeln!(
        y,
        "version: 3\nname: mcpwarden\ndisplayName: mcpwarden exports\nregistry:"
    );
    let _ = writeln!(
        y,
        "  {name}:\n    title: {}\n    description: {}",
        q(&name),
        q(&format!(
            "{} under its mcpwarden manifest",
            plan.server_name()
        ))
    );
    let _ = writeln!(y, "    type: server\n    image: {}", q(&image));
    list(&mut y, "command", &command);
    if hosts.is_empty() {
        let _ = writeln!(y, "    disableNetwork: true");
    } else {
        list(&mut y, "allowHosts", &hosts);
    }
    let vols: Vec<String> = read
        .iter()
        .map(|p| format!("{p}:{p}:ro"))
        .chain(write.iter().map(|p| format!("{p}:{p}")))
        .collect();
    list(&mut y, "volumes", &vols);
    env_and_secrets(plan, &name, &mut y, &mut r);
    container_common(plan, &mut r, "docker");
    r.note(
        "put the catalog under ~/.docker/mcp/catalogs/ (newer gateways refuse catalogs elsewhere)",
    );
    let cmd = [
        "docker",
        "mcp",
        "gateway",
        "run",
        "--additional-catalog",
        CATALOG_FILE,
        "--servers",
        &name,
        "--block-network",
    ]
    .map(String::from)
    .to_vec();
    Ok(Output {
        config: y,
        config_path: CATALOG_FILE.into(),
        command: cmd,
        report: r,
    })
}

/// `npx://pkg` runs in a Node image through npx, `uvx://pkg` in a uv image.
fn image_and_command(source: &str, args: &[String], r: &mut LossReport) -> (String, Vec<String>) {
    if let Some(pkg) = source.strip_prefix("npx://") {
        r.add(
            "image node:22-slim",
            "the package is run with npx in a stock Node image",
        );
        let cmd = ["npx", "-y", pkg]
            .iter()
            .map(|s| s.to_string())
            .chain(args.iter().cloned())
            .collect();
        return ("node:22-slim".into(), cmd);
    }
    if let Some(pkg) = source.strip_prefix("uvx://") {
        r.add(
            "image ghcr.io/astral-sh/uv:python3.12-bookworm-slim",
            "the package is run with uvx in a stock uv image",
        );
        let cmd = ["uvx", pkg]
            .iter()
            .map(|s| s.to_string())
            .chain(args.iter().cloned())
            .collect();
        return ("ghcr.io/astral-sh/uv:python3.12-bookworm-slim".into(), cmd);
    }
    (source.to_string(), args.to_vec())
}

fn allow_hosts(plan: &Plan, source: &str, r: &mut LossReport) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for n in &plan.net {
        let why_not = if is_local(&n.host) {
            Some(format!(
                "`{}` is this machine, but inside the container it names the container itself",
                n.host
            ))
        } else if n.host.starts_with("*.") {
            Some(format!(
                "allowHosts names hosts, not `{}` (any subdomain)",
                n.host
            ))
        } else {
            None
        };
        if let Some(w) = why_not {
            r.push(
                &n.item,
                Verdict::Stricter,
                format!("{w}: the server cannot reach it"),
            );
            continue;
        }
        let ports = n.port.map(|p| vec![p]).unwrap_or_else(|| vec![443, 80]);
        let entries: Vec<String> = ports.iter().map(|p| format!("{}:{p}", n.host)).collect();
        let v = if n.port.is_some() {
            Verdict::Exact
        } else {
            Verdict::Wider
        };
        let mut d = format!("allowHosts {}", entries.join(", "));
        if n.port.is_none() {
            d.push_str(" (port not known: 443 and 80 allowed)");
        }
        r.push(&n.item, v, d);
        for e in entries {
            if !out.contains(&e) {
                out.push(e);
            }
        }
    }
    let registry = if source.starts_with("npx://") {
        Some("registry.npmjs.org:443")
    } else if source.starts_with("uvx://") {
        Some("pypi.org:443")
    } else {
        None
    };
    if let Some(h) = registry {
        r.add(
            format!("network {h}"),
            "the package is downloaded when the container starts",
        );
        out.push(h.into());
        if h.starts_with("pypi") {
            out.push("files.pythonhosted.org:443".into());
        }
    }
    out
}

/// Secrets come from Docker's secret store (`docker mcp secret set`); other
/// variables take their value from the launch environment.
fn env_and_secrets(plan: &Plan, name: &str, y: &mut String, r: &mut LossReport) {
    let (mut secrets, mut env) = (vec![], vec![]);
    for e in &plan.env {
        if e.name == "*" {
            r.push(&e.item, Verdict::Stricter, "the server reads its whole environment, but only the variables listed reach the container");
        } else if e.secret || looks_secret(&e.name) {
            let key = format!("{name}.{}", e.name.to_ascii_lowercase());
            r.push(
                &e.item,
                Verdict::Exact,
                format!("secret `{key}`: set it with `docker mcp secret set {key}=…`"),
            );
            secrets.push((key, e.name.clone()));
        } else if let Some(v) = plan.launch.env.get(&e.name) {
            r.push(
                &e.item,
                Verdict::Exact,
                "passed as env (value from the launch environment)",
            );
            env.push((e.name.clone(), v.clone()));
        } else {
            r.push(
                &e.item,
                Verdict::Exact,
                "not set at this launch: add it to the entry's env to give it",
            );
        }
    }
    if !secrets.is_empty() {
        let _ = writeln!(y, "    secrets:");
        for (k, v) in secrets {
            let _ = writeln!(y, "      - name: {}\n        env: {v}", q(&k));
        }
    }
    if !env.is_empty() {
        let _ = writeln!(y, "    env:");
        for (k, v) in env {
            let _ = writeln!(y, "      - name: {k}\n        value: {}", q(&v));
        }
    }
}

fn list(y: &mut String, key: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(y, "    {key}:");
    for i in items {
        let _ = writeln!(y, "      - {}", q(i));
    }
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}
