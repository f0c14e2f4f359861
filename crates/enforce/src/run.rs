//! `mcpwarden run`: bind the manifest to this launch, start the server (in
//! the sandbox unless `--no-sandbox`), and proxy its stdio (unless the
//! test-only `--proxy-off`). Returns the server's exit status.

use crate::audit::AuditLog;
use crate::core::{Core, Mode};
use crate::grants::{Grants, HostGrant};
use crate::locate::parse_command;
use crate::policy::Policy;
use crate::proxy::{Pump, TerminalAsker};
use mcpwarden_policy::bind::Launch;
use mcpwarden_policy::Manifest;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};

/// Exit status when mcpwarden itself refuses or fails before the server runs.
pub const EXIT_SETUP: i32 = 125;
/// The server could not be started.
pub const EXIT_SPAWN: i32 = 126;

pub struct RunOptions {
    pub manifest: Manifest,
    pub cmd: Vec<String>,
    pub grant_fs: Vec<PathBuf>,
    pub grant_hosts: Vec<HostGrant>,
    pub grant_commands: Vec<String>,
    pub mode: Mode,
    pub audit_log: Option<PathBuf>,
    pub remember: Option<PathBuf>,
    pub strict: bool,
    pub sandbox: bool,
    pub proxy: bool,
    pub max_line: usize,
}

/// A setup failure: the message and the exit status to use.
#[derive(Debug)]
pub struct RunError(pub String, pub i32);

pub fn run(o: RunOptions) -> Result<i32, RunError> {
    let setup = |e: String| RunError(e, EXIT_SETUP);
    let sc = parse_command(&o.cmd);
    let mut grants = Grants::default();
    for d in &o.grant_fs {
        grants
            .add_root(d)
            .map_err(|e| setup(format!("--grant-fs: {e}")))?;
    }
    grants.hosts.extend(o.grant_hosts.iter().cloned());
    grants.commands.extend(o.grant_commands.iter().cloned());
    let remembered = match &o.remember {
        Some(p) => Some(Grants::load(p).map_err(|e| setup(format!("--remember: {e}")))?),
        None => None,
    };
    if let Some(r) = &remembered {
        grants.merge(r.clone());
    }
    let roots: Vec<String> = grants
        .roots
        .iter()
        .map(|r| r.display().to_string())
        .collect();
    let launch = Launch::from_process(sc.server_args.clone(), roots);
    let (mut child, cleanup) = spawn(&o, &launch, &grants)?;
    let status = supervise(&o, &mut child, launch, grants, remembered)?;
    if let Some(dir) = cleanup {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(status)
}

fn supervise(
    o: &RunOptions,
    child: &mut Child,
    launch: Launch,
    grants: Grants,
    remembered: Option<Grants>,
) -> Result<i32, RunError> {
    let setup = |e: String| RunError(e, EXIT_SETUP);
    if !o.proxy {
        eprintln!("mcpwarden: proxy OFF (test-only): tool calls are not checked");
        return Ok(code(child.wait()));
    }
    let policy = Policy::new(&o.manifest, &launch);
    for w in &policy.warnings {
        eprintln!("mcpwarden: {w}");
    }
    let audit = match &o.audit_log {
        Some(p) => Some(Arc::new(Mutex::new(AuditLog::open(p).map_err(setup)?))),
        None => None,
    };
    eprintln!(
        "mcpwarden: proxy on: mode {}, {} tools in the manifest",
        o.mode.as_str(),
        o.manifest.tools.len()
    );
    let pump = Arc::new(Pump {
        core: Arc::new(Mutex::new(Core::new(policy, grants, o.mode, remembered))),
        audit,
        remember: o.remember.clone(),
        asker: Arc::new(TerminalAsker::new()),
        max_line: o.max_line,
    });
    let server_in = child.stdin.take().expect("piped");
    let server_out = child.stdout.take().expect("piped");
    pump.run(
        Box::new(std::io::stdin()),
        Box::new(std::io::stdout()),
        Box::new(server_in),
        Box::new(server_out),
    );
    Ok(code(child.wait()))
}

fn spawn(
    o: &RunOptions,
    launch: &Launch,
    grants: &Grants,
) -> Result<(Child, Option<PathBuf>), RunError> {
    let (mut cmd, cleanup) = if o.sandbox {
        let p = crate::sandbox::command(&o.manifest, &o.cmd, launch, grants, o.strict)?;
        (p.cmd, p.cleanup)
    } else {
        eprintln!(
            "mcpwarden: sandbox OFF (--no-sandbox): the server runs with your full privileges"
        );
        let mut c = Command::new(&o.cmd[0]);
        c.args(&o.cmd[1..]);
        (c, None)
    };
    if o.proxy {
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped());
    }
    let child = cmd
        .spawn()
        .map_err(|e| RunError(format!("{}: {e}", o.cmd[0]), EXIT_SPAWN))?;
    Ok((child, cleanup))
}

/// The server's exit status; killed by a signal N gives 128+N like a shell.
pub fn code(st: std::io::Result<ExitStatus>) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    match st {
        Ok(s) => s
            .code()
            .or_else(|| s.signal().map(|n| 128 + n))
            .unwrap_or(1),
        Err(_) => 1,
    }
}
