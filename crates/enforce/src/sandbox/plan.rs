//! Host side: turn the manifest, this launch and the grants into a sandbox
//! `Config`, start the filtering network proxy, report the layers, and build
//! the `--sandbox-init` command.

use super::detect::{self, Layer};
use super::{connect, filter, runtime, Config, CONFIG_VAR};
use crate::grants::{normalise_host, Grants, HostGrant};
use crate::locate::{package_dir, parse_command, which};
use crate::run::{RunError, EXIT_SETUP};
use mcpwarden_policy::bind::{expand, sandbox_path, Launch};
use mcpwarden_policy::{Access, Manifest, Provenance};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

/// The command to spawn, and a private directory to remove afterwards.
pub struct Prepared {
    pub cmd: Command,
    pub cleanup: Option<PathBuf>,
}

/// Variables passed to every server besides those the manifest names.
const BASE_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "LC_MESSAGES",
    "TZ",
    "TMPDIR",
    "TERM",
];

pub fn command(
    m: &Manifest,
    argv: &[String],
    launch: &Launch,
    grants: &Grants,
    strict: bool,
) -> Result<Prepared, RunError> {
    let layers = detect::detect();
    if strict {
        if let Some(l) = layers.iter().find(|l| !l.available) {
            return Err(RunError(
                format!(
                    "--strict: sandbox layer `{}` is unavailable: {}",
                    l.name, l.detail
                ),
                EXIT_SETUP,
            ));
        }
    }
    let on = |n| detect::find(&layers, n).is_some_and(|l| l.available);
    let path_var = launch
        .env
        .get("PATH")
        .cloned()
        .unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    let program = which(&argv[0], &path_var)
        .ok_or_else(|| RunError(format!("{}: not found in PATH", argv[0]), 127))?;
    let mut cfg = Config {
        program: program.clone(),
        argv: argv.to_vec(),
        uid: unsafe { libc::getuid() },
        gid: unsafe { libc::getgid() },
        use_landlock: on(detect::LANDLOCK),
        use_seccomp: on(detect::SECCOMP),
        use_exec_watch: on(detect::EXEC_WATCH) && on(detect::SECCOMP),
        use_netns: on(detect::NETNS),
        ..Config::default()
    };
    let mut warnings = vec![];
    runtime_paths(&mut cfg, &path_var, launch);
    manifest_programs(&mut cfg, m, &path_var, &mut warnings);
    manifest_paths(&mut cfg, m, launch, grants, &mut warnings);
    cfg.env = environment(m, launch, &mut warnings);
    let allow = network_allow(m, launch, grants, &mut cfg, &mut warnings);
    let cleanup = if cfg.network && cfg.use_netns {
        Some(start_proxy(&mut cfg, allow)?)
    } else {
        None
    };
    banner(&cfg, &layers, &warnings);
    let mut cmd = Command::new("/proc/self/exe");
    cmd.args(["run", "--sandbox-init", "--"])
        .args(argv)
        .env_clear();
    cmd.env(CONFIG_VAR, serde_json::to_string(&cfg).expect("serialise"));
    cmd.current_dir(&launch.cwd);
    Ok(Prepared { cmd, cleanup })
}

fn runtime_paths(cfg: &mut Config, path_var: &str, launch: &Launch) {
    cfg.read.extend(runtime::system_read());
    cfg.write
        .extend(runtime::SYSTEM_WRITE.iter().map(PathBuf::from));
    let (exec, read) = runtime::startup_files(&cfg.program, path_var);
    cfg.exec.extend(exec);
    cfg.read.extend(read);
    let sc = parse_command(&cfg.argv);
    // `python -m pkg` run from a project directory reads the project.
    let cwd = PathBuf::from(&launch.cwd);
    if sc.script.is_none()
        && cfg.argv.iter().any(|a| a == "-m")
        && ["pyproject.toml", "setup.py"]
            .iter()
            .any(|f| cwd.join(f).is_file())
    {
        cfg.read.push(cwd);
    }
    let own = sc
        .script
        .map(|s| PathBuf::from(&launch.cwd).join(s))
        .unwrap_or(cfg.program.clone());
    if let Some(dir) = package_dir(&own) {
        // An npm package's dependencies are hoisted into the outermost node_modules.
        let hoisted = dir
            .ancestors()
            .filter(|a| a.ends_with("node_modules"))
            .last()
            .map(PathBuf::from);
        if dir != std::path::Path::new("/") {
            cfg.read.push(dir);
        }
        cfg.read.extend(hoisted);
    }
}

fn manifest_programs(cfg: &mut Config, m: &Manifest, path_var: &str, warnings: &mut Vec<String>) {
    cfg.exec_allowed = !m.permissions.exec.is_empty();
    cfg.unix_sockets = m.permissions.other.contains(&mcpwarden_model::Kind::SysIpc);
    for e in &m.permissions.exec {
        let names: Vec<&str> = match (&e.program, e.shell) {
            (Some(p), false) => vec![p.as_str()],
            (Some(p), true) => vec![p.as_str(), "sh"],
            (None, true) => vec!["sh"],
            (None, false) => {
                warnings.push(
                    "a program chosen at run time is not granted: only listed programs can run"
                        .into(),
                );
                vec![]
            }
        };
        for n in names {
            match which(n, path_var) {
                Some(p) => {
                    let (exec, read) = runtime::startup_files(&p, path_var);
                    cfg.exec.extend(exec);
                    cfg.read.extend(read);
                }
                None => warnings.push(format!("program `{n}` from the manifest is not in PATH")),
            }
        }
    }
}

fn manifest_paths(
    cfg: &mut Config,
    m: &Manifest,
    launch: &Launch,
    grants: &Grants,
    warnings: &mut Vec<String>,
) {
    for r in &grants.roots {
        cfg.read.push(r.clone());
        cfg.write.push(r.clone());
    }
    for f in &m.permissions.fs {
        if f.path == "*" || f.provenance == Provenance::Unknown {
            warnings.push(format!(
                "path `{}` ({}) is not granted: its value is unknown",
                f.path,
                f.provenance.as_str()
            ));
            continue;
        }
        if f.provenance == Provenance::ToolArg {
            continue; // bound to the --grant-fs roots, added above
        }
        let bound = match expand(&f.path, launch, f.origin.default.as_deref()) {
            Ok(b) => b,
            Err(e) => {
                warnings.push(format!("path `{}` not granted: {}", f.path, e.0));
                continue;
            }
        };
        for b in bound {
            let p = PathBuf::from(sandbox_path(&b, &launch.cwd));
            if p == std::path::Path::new("/") {
                warnings.push(format!("path `{}` binds to `/`: not granted", f.path));
                continue;
            }
            if f.access
                .iter()
                .any(|a| matches!(a, Access::Write | Access::Delete))
            {
                cfg.write.push(p.clone());
            }
            cfg.read.push(p);
        }
    }
}

fn environment(m: &Manifest, launch: &Launch, warnings: &mut Vec<String>) -> Vec<(String, String)> {
    let mut names: Vec<&str> = BASE_ENV.to_vec();
    let all_env = m
        .permissions
        .env
        .iter()
        .chain(m.tools.iter().flat_map(|t| &t.permissions.env));
    for e in all_env {
        if e.name == "*" {
            warnings.push("the server reads computed environment variable names: only named variables are passed".into());
        } else if !names.contains(&e.name.as_str()) {
            names.push(&e.name);
        }
    }
    names
        .iter()
        .filter_map(|n| launch.env.get(*n).map(|v| (n.to_string(), v.clone())))
        .collect()
}

fn network_allow(
    m: &Manifest,
    launch: &Launch,
    grants: &Grants,
    cfg: &mut Config,
    warnings: &mut Vec<String>,
) -> Vec<HostGrant> {
    let net = &m.permissions.network;
    let mut allow = grants.hosts.clone();
    for c in &net.connect {
        if c.host == "*" || !matches!(c.provenance, Provenance::Const | Provenance::Config) {
            continue;
        }
        match expand(&c.host, launch, c.origin.default.as_deref()) {
            Ok(hosts) => allow.extend(hosts.iter().map(|h| HostGrant {
                host: normalise_host(h),
                port: c.port,
            })),
            Err(e) => warnings.push(format!("host `{}` not granted: {}", c.host, e.0)),
        }
    }
    cfg.bind_ports = net.listen.iter().filter_map(|l| l.port).collect();
    cfg.network = !net.connect.is_empty() || !net.listen.is_empty() || !grants.hosts.is_empty();
    cfg.direct_ports = allow.iter().map(|g| g.port.unwrap_or(443)).collect();
    allow
}

/// The filtering proxy on a unix socket in a new private directory.
fn start_proxy(cfg: &mut Config, allow: Vec<HostGrant>) -> Result<PathBuf, RunError> {
    use std::os::unix::fs::DirBuilderExt;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("mcpwarden-{}-{nanos:x}", std::process::id()));
    let fail = |e: std::io::Error| {
        RunError(
            format!("network proxy in {}: {e}", dir.display()),
            EXIT_SETUP,
        )
    };
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .map_err(fail)?;
    let sock = dir.join("proxy.sock");
    let listener = std::os::unix::net::UnixListener::bind(&sock).map_err(fail)?;
    let allow = Arc::new(connect::Allow(allow));
    std::thread::spawn(move || connect::serve(listener, allow));
    cfg.proxy_socket = Some(sock);
    Ok(dir)
}

fn banner(cfg: &Config, layers: &[Layer], warnings: &[String]) {
    let state = |name: &str, used: bool, what: String| {
        let l = detect::find(layers, name).expect("layer");
        let s = if used {
            format!("ACTIVE  {what}")
        } else if !l.available {
            format!("MISSING {}", l.detail)
        } else {
            format!("off     {what}")
        };
        eprintln!("mcpwarden:   {name:<20} {s}");
    };
    eprintln!("mcpwarden: sandbox layers:");
    state(
        detect::LANDLOCK,
        cfg.use_landlock,
        format!(
            "{} read, {} write, {} executable paths",
            cfg.read.len(),
            cfg.write.len(),
            cfg.exec.len()
        ),
    );
    state(
        detect::SECCOMP,
        cfg.use_seccomp,
        filter::describe(cfg.network, cfg.unix_sockets),
    );
    let watch = cfg.use_exec_watch && !cfg.exec_allowed;
    let why = if cfg.exec_allowed {
        "manifest lists programs: Landlock limits which".to_string()
    } else {
        "no execve after the server starts".to_string()
    };
    state(detect::EXEC_WATCH, watch, why);
    let net = if cfg.network {
        "only the manifest's hosts, through mcpwarden's proxy"
    } else {
        "no network at all"
    };
    state(detect::NETNS, cfg.use_netns, net.to_string());
    eprintln!(
        "mcpwarden:   environment          {} variables passed",
        cfg.env.len()
    );
    for w in warnings {
        eprintln!("mcpwarden: note: {w}");
    }
}
