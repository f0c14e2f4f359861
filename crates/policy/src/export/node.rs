//! Node's permission model: `node --permission --allow-fs-read=… SCRIPT`.
//! Based on Node's documentation of the permission model (doc/api/permissions.md
//! and the `--allow-*` flags in doc/api/cli.md): file-system reads and writes
//! per path; child processes, worker threads, native addons and (Node 25+)
//! the network are allowed or denied as a whole; the environment is not
//! restricted.

use super::plan::{file_grants, Plan};
use super::{ExportError, LossReport, Output, Verdict};

pub(crate) fn export(plan: &Plan) -> Result<Output, ExportError> {
    let (node, script_and_args) = split_node_command(plan)?;
    let mut r = LossReport::new("node", plan.server_name());
    let v = node_version(plan, &node);
    let mut flags: Vec<String> = vec![permission_flag(v, &mut r).into()];
    fs_flags(plan, &mut r, &mut flags);
    if !plan.exec.is_empty() {
        flags.push("--allow-child-process".into());
        for e in &plan.exec {
            r.push(
                &e.item,
                Verdict::Wider,
                format!(
                    "--allow-child-process lets the server start any program, not only `{}`",
                    e.program
                ),
            );
        }
    }
    net_flags(plan, v, &mut r, &mut flags);
    if !plan.native.is_empty() {
        flags.push("--allow-addons".into());
        for n in &plan.native {
            r.push(
                n,
                Verdict::Wider,
                "--allow-addons lets any native addon load",
            );
        }
    }
    for e in &plan.env {
        r.push(
            &e.item,
            Verdict::Exact,
            "passed through (Node's permission model does not restrict the environment)",
        );
    }
    for o in &plan.other {
        r.push(
            o,
            Verdict::Exact,
            "not restricted by Node's permission model",
        );
    }
    if let Some(t) = &plan.per_tool {
        r.push(
            t,
            Verdict::Wider,
            "the flags apply to the whole process: every tool gets the union of the grants",
        );
    }
    plan.report_unbound(&mut r);
    r.note("the environment is not restricted: every variable of the launch reaches the server");
    let mut command = vec![node];
    command.extend(flags);
    command.extend(script_and_args);
    Ok(Output {
        config: String::new(),
        config_path: String::new(),
        command,
        report: r,
    })
}

/// `node [node flags] SCRIPT ARGS` → (`node`, [flags…, SCRIPT, ARGS…]); a
/// bare `SCRIPT.js` gets `node` in front.
fn split_node_command(plan: &Plan) -> Result<(String, Vec<String>), ExportError> {
    let cmd = &plan.cmd;
    let Some(first) = cmd.first() else {
        return Err(super::srt::no_command("node"));
    };
    let base = first.rsplit('/').next().unwrap_or(first);
    if base == "node" || base == "nodejs" {
        return Ok((first.clone(), cmd[1..].to_vec()));
    }
    if is_script(first) || plan.program.as_deref().is_some_and(is_script) {
        let script = plan
            .program
            .clone()
            .filter(|p| is_script(p))
            .unwrap_or_else(|| first.clone());
        let mut rest = vec![script];
        rest.extend(cmd[1..].iter().cloned());
        return Ok(("node".into(), rest));
    }
    Err(ExportError::Command(format!(
        "the node export needs the server started as `node SCRIPT ARGS…`, not `{first}`: point at the package's script (e.g. `-- node node_modules/PKG/dist/index.js ARGS…`)"
    )))
}

fn is_script(p: &str) -> bool {
    [".js", ".mjs", ".cjs"].iter().any(|e| p.ends_with(e))
}

fn fs_flags(plan: &Plan, r: &mut LossReport, flags: &mut Vec<String>) {
    let (read, write) = file_grants(plan, r);
    flags.extend(read.iter().map(|p| format!("--allow-fs-read={p}")));
    flags.extend(write.iter().map(|p| format!("--allow-fs-write={p}")));
}

/// The Node that will run the server, found on the launch PATH: its version
/// decides the flags (`None`: not found, the newest is assumed).
fn node_version(plan: &Plan, node: &str) -> Option<(u32, u32)> {
    let path = if node.contains('/') {
        node.to_string()
    } else {
        plan.resolver.which(node, plan.path_var())?
    };
    plan.resolver.version(&path)
}

/// `--permission` from Node 22.13 / 23.5; `--experimental-permission` before.
fn permission_flag(v: Option<(u32, u32)>, r: &mut LossReport) -> &'static str {
    match v {
        Some((major, minor))
            if major < 22 || (major == 22 && minor < 13) || (major == 23 && minor < 5) =>
        {
            r.note(format!("Node {major}.{minor} found on PATH: its permission model is `--experimental-permission`"));
            "--experimental-permission"
        }
        _ => "--permission",
    }
}

/// `--allow-net` exists from Node 25 (all or nothing); older Node does not
/// restrict the network at all (and refuses the flag).
fn net_flags(plan: &Plan, v: Option<(u32, u32)>, r: &mut LossReport, flags: &mut Vec<String>) {
    let has_net_permission = v.is_none_or(|(major, _)| major >= 25);
    if plan.net.is_empty() && plan.listen.is_empty() {
        if has_net_permission {
            r.note("the network is denied (Node 25+)");
        } else {
            r.note(
                "this Node does not restrict the network (Node 25+ denies it under --permission)",
            );
        }
        return;
    }
    let why = if has_net_permission {
        flags.push("--allow-net".into());
        "--allow-net (Node 25+) opens every host and port".to_string()
    } else {
        "this Node does not restrict the network at all (Node 25+ has --allow-net, still every host)".to_string()
    };
    for n in &plan.net {
        let port = n.port.map(|p| format!(":{p}")).unwrap_or_default();
        r.push(
            &n.item,
            Verdict::Wider,
            format!("{why}, not only {}{port}", n.host),
        );
    }
    for l in &plan.listen {
        r.push(
            &l.item,
            Verdict::Wider,
            format!("{why}: any port may listen"),
        );
    }
}
