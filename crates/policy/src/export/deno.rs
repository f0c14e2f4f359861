//! Deno permission flags: `deno run --no-prompt --allow-read=… --allow-net=host:port
//! --allow-env=NAME --allow-run=prog SCRIPT`. Based on Deno's documentation of
//! its security model (`--allow-read`/`--allow-write` per path, `--allow-net`
//! per `host[:port]`, `--allow-env` per name, `--allow-run` per program,
//! `--allow-ffi` per library, `--allow-sys`, `--no-prompt`) and checked with
//! the `deno` npm package. JavaScript servers only: `node SCRIPT` becomes
//! `deno run … SCRIPT`, `npx -y PKG` becomes `deno run … npm:PKG`.

use super::plan::{file_grants, push, Plan};
use super::{ExportError, LossReport, Output, Verdict};

pub(crate) fn export(plan: &Plan) -> Result<Output, ExportError> {
    let entry = entry_point(plan)?;
    let mut r = LossReport::new("deno", plan.server_name());
    let mut flags: Vec<String> = vec!["run".into(), "--no-prompt".into()];
    fs_flags(plan, &mut r, &mut flags);
    net_flag(plan, &mut r, &mut flags);
    env_flag(plan, &mut r, &mut flags);
    run_flag(plan, &mut r, &mut flags);
    if !plan.native.is_empty() {
        flags.push("--allow-ffi".into());
        for n in &plan.native {
            r.push(
                n,
                Verdict::Wider,
                "--allow-ffi lets any native library load",
            );
        }
    }
    for o in &plan.other {
        if o.label == "sys.info" {
            flags.push("--allow-sys".into());
            r.push(o, Verdict::Exact, "--allow-sys");
        } else {
            r.push(o, Verdict::Exact, "not restricted by Deno");
        }
    }
    if let Some(t) = &plan.per_tool {
        r.push(
            t,
            Verdict::Wider,
            "the flags apply to the whole process: every tool gets the union of the grants",
        );
    }
    plan.report_unbound(&mut r);
    let mut command = vec!["deno".to_string()];
    command.extend(flags);
    command.extend(entry);
    Ok(Output {
        config: String::new(),
        config_path: String::new(),
        command,
        report: r,
    })
}

/// The module to run and its arguments.
fn entry_point(plan: &Plan) -> Result<Vec<String>, ExportError> {
    let cmd = &plan.cmd;
    let Some(first) = cmd.first() else {
        return Err(super::srt::no_command("deno"));
    };
    let base = first.rsplit('/').next().unwrap_or(first);
    match base {
        "node" | "nodejs" => {
            let rest: Vec<String> = cmd[1..].iter().skip_while(|a| a.starts_with('-')).cloned().collect();
            if rest.is_empty() {
                return Err(ExportError::Command("`node` without a script: give `node SCRIPT ARGS…`".into()));
            }
            Ok(rest)
        }
        "npx" => {
            let rest: Vec<String> = cmd[1..].iter().filter(|a| *a != "-y" && *a != "--yes").cloned().collect();
            match rest.split_first() {
                Some((pkg, args)) => Ok(std::iter::once(format!("npm:{pkg}")).chain(args.iter().cloned()).collect()),
                None => Err(ExportError::Command("`npx` without a package".into())),
            }
        }
        _ if [".js", ".mjs", ".cjs", ".ts"].iter().any(|e| first.ends_with(e)) => Ok(cmd.clone()),
        _ => Err(ExportError::Command(format!(
            "the deno export runs JavaScript servers: start the server as `node SCRIPT ARGS…` or `npx -y PACKAGE ARGS…`, not `{first}`"
        ))),
    }
}

fn fs_flags(plan: &Plan, r: &mut LossReport, flags: &mut Vec<String>) {
    let (read, write) = file_grants(plan, r);
    if !read.is_empty() {
        flags.push(format!("--allow-read={}", read.join(",")));
    }
    if !write.is_empty() {
        flags.push(format!("--allow-write={}", write.join(",")));
    }
}

fn net_flag(plan: &Plan, r: &mut LossReport, flags: &mut Vec<String>) {
    let mut hosts: Vec<String> = vec![];
    for n in &plan.net {
        let e = match n.port {
            Some(p) => format!("{}:{p}", n.host),
            None => n.host.clone(),
        };
        r.push(&n.item, Verdict::Exact, format!("--allow-net={e}"));
        push(&mut hosts, &e);
    }
    for l in &plan.listen {
        match l.port {
            Some(p) => {
                for h in ["0.0.0.0", "127.0.0.1", "localhost"] {
                    push(&mut hosts, &format!("{h}:{p}"));
                }
                r.push(
                    &l.item,
                    Verdict::Exact,
                    format!("--allow-net=0.0.0.0:{p},127.0.0.1:{p},localhost:{p}"),
                );
            }
            None => r.push(
                &l.item,
                Verdict::Stricter,
                "the port is not known: Deno grants listening per host:port",
            ),
        }
    }
    if !hosts.is_empty() {
        flags.push(format!("--allow-net={}", hosts.join(",")));
    }
}

/// Deno-native servers get exactly the manifest's names. Servers run through
/// Deno's Node compatibility read variables in their dependencies (which the
/// manifest does not cover) and hand the whole environment to the programs
/// they start: they get `--allow-env`, minus the secrets of the launch that
/// the manifest does not read (`--deny-env`).
fn env_flag(plan: &Plan, r: &mut LossReport, flags: &mut Vec<String>) {
    let all = plan.env.iter().any(|e| e.name == "*");
    let native = plan.cmd.first().is_some_and(|c| c.ends_with(".ts"));
    if all || !native {
        flags.push("--allow-env".into());
        for e in &plan.env {
            r.push(&e.item, Verdict::Exact, "--allow-env");
        }
        if all {
            return;
        }
        let deny: Vec<String> = plan
            .launch
            .env
            .keys()
            .filter(|k| super::srt::looks_secret(k) && !plan.env.iter().any(|e| &e.name == *k))
            .cloned()
            .collect();
        r.add("env (every variable)", "code run through Deno's Node compatibility (dependencies, child_process) reads variables the manifest does not list");
        if !deny.is_empty() {
            r.note(format!(
                "secrets in the launch environment that the manifest does not read are denied: {}",
                deny.join(", ")
            ));
            flags.push(format!("--deny-env={}", deny.join(",")));
        }
        return;
    }
    let names: Vec<String> = plan.env.iter().map(|e| e.name.clone()).collect();
    for e in &plan.env {
        r.push(&e.item, Verdict::Exact, format!("--allow-env={}", e.name));
    }
    if !names.is_empty() {
        flags.push(format!("--allow-env={}", names.join(",")));
    }
}

fn run_flag(plan: &Plan, r: &mut LossReport, flags: &mut Vec<String>) {
    let mut progs: Vec<String> = vec![];
    for e in &plan.exec {
        if e.shell {
            r.push(
                &e.item,
                Verdict::Wider,
                "--allow-run=sh: a shell can start any program",
            );
        } else {
            r.push(
                &e.item,
                Verdict::Exact,
                format!("--allow-run={}", e.program),
            );
        }
        push(&mut progs, &e.program);
        if let Some(p) = &e.resolved {
            if p != &e.program && !e.program.contains('/') {
                push(&mut progs, p);
            }
        }
    }
    if !progs.is_empty() {
        flags.push(format!("--allow-run={}", progs.join(",")));
    }
}
