//! VS Code's MCP sandbox: a `.vscode/mcp.json` stdio server entry with
//! `"sandboxEnabled": true` and a `sandbox` block. Based on VS Code's source
//! (src/vs/platform/mcp/common/mcpPlatformTypes.ts: `IMcpSandboxConfiguration`,
//! and contrib/mcp/common/mcpSandboxService.ts, which runs the server under
//! sandbox-runtime with that block as its settings, adding `*.npmjs.org` and
//! `~/.npm`). The block has `network.allowedDomains`/`deniedDomains` and
//! `filesystem.denyRead`/`allowWrite`/`denyWrite`: no `allowRead`, so reads
//! can only be narrowed by denying regions.

use super::plan::Plan;
use super::srt::{common_items, domains, existing_or_parent, no_command, pretty};
use super::{ExportError, LossReport, Output, Verdict};
use serde_json::{json, Value};

pub const CONFIG_FILE: &str = ".vscode/mcp.json";

/// Credential stores denied unless the manifest reads them.
const SECRET_STORES: &[&str] = &[
    ".ssh",
    ".aws",
    ".gnupg",
    ".config/gcloud",
    ".azure",
    ".kube",
    ".docker",
    ".netrc",
    ".npmrc",
    ".pypirc",
    ".git-credentials",
];

pub(crate) fn export(plan: &Plan) -> Result<Output, ExportError> {
    if plan.cmd.is_empty() {
        return Err(no_command("vscode"));
    }
    let mut r = LossReport::new("vscode", plan.server_name());
    let allowed = domains(plan, &mut r, "vscode", true);
    for l in &plan.listen {
        r.push(&l.item, Verdict::Stricter, "the sandbox (sandbox-runtime) has its own network namespace on Linux: nothing outside it can connect");
    }
    let (deny_read, allow_write) = filesystem(plan, &mut r);
    for e in &plan.env {
        r.push(
            &e.item,
            Verdict::Exact,
            "passed through (VS Code's sandbox does not filter the environment)",
        );
    }
    common_items(plan, &mut r, "vscode");
    r.add("network *.npmjs.org", "VS Code adds it to every sandbox");
    r.add("write ~/.npm", "VS Code adds it to every sandbox");
    r.note("sandboxing of MCP servers is available on macOS and Linux only; Windows runs the server unsandboxed");
    let entry = entry(plan, &allowed, &deny_read, &allow_write);
    let name = server_key(plan);
    let doc = json!({ "servers": { name.clone(): entry.clone() } });
    let mut add = entry;
    add["name"] = json!(name);
    let command = vec![
        "code".into(),
        "--add-mcp".into(),
        serde_json::to_string(&add).unwrap_or_default(),
    ];
    Ok(Output {
        config: pretty(&doc),
        config_path: CONFIG_FILE.into(),
        command,
        report: r,
    })
}

fn entry(plan: &Plan, allowed: &[String], deny_read: &[String], allow_write: &[String]) -> Value {
    json!({
        "type": "stdio",
        "command": plan.cmd[0],
        "args": plan.cmd[1..],
        "sandboxEnabled": true,
        "sandbox": {
            "network": { "allowedDomains": allowed, "deniedDomains": [] },
            "filesystem": { "denyRead": deny_read, "allowWrite": allow_write, "denyWrite": [] },
        }
    })
}

/// A JSON key for the server: its name, made safe.
pub(crate) fn server_key(plan: &Plan) -> String {
    let n = plan.server_name();
    let base = n.rsplit('/').next().unwrap_or(n);
    let k: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if k.trim_matches('-').is_empty() {
        "server".into()
    } else {
        k
    }
}

fn filesystem(plan: &Plan, r: &mut LossReport) -> (Vec<String>, Vec<String>) {
    let mut write: Vec<String> = vec![];
    for c in plan.code.iter().filter(|c| c.write) {
        write.push(c.path.clone());
        r.add(format!("write {}", c.path), c.reason.clone());
    }
    for f in &plan.fs {
        let (path, widened) = existing_or_parent(plan, &f.path, f.write);
        if f.write && !write.contains(&path) {
            write.push(path.clone());
        }
        let (v, d) = match (f.write, widened) {
            (true, true) => (
                Verdict::Wider,
                super::srt::widened_why(&f.path, &path, "writable"),
            ),
            (true, false) => (
                Verdict::Exact,
                format!("writable: `{path}` (reads are not confined)"),
            ),
            (false, _) => (Verdict::Exact, format!("readable: `{path}`")),
        };
        r.push(&f.item, v, d);
    }
    let home = plan.launch.home.trim_end_matches('/');
    let deny: Vec<String> = SECRET_STORES
        .iter()
        .map(|s| format!("{home}/{s}"))
        .filter(|d| {
            !plan.fs.iter().any(|f| {
                f.path == *d
                    || f.path.starts_with(&format!("{d}/"))
                    || d.starts_with(&format!("{}/", f.path))
            })
        })
        .collect();
    r.note(format!(
        "reads are not confined to the manifest's paths (the sandbox block has no allowRead); denied: the credential stores {}",
        deny.join(", ")
    ));
    (deny, write)
}
