//! `mcpwarden run --sandbox-init`: runs as the server's parent, enters the
//! namespaces, starts the relay to the host's proxy, and execs the server
//! with Landlock and seccomp applied in the child between fork and exec.
//! Stays outside the sandbox itself (it holds the exec-watch listener).

use super::{connect, execwatch, filter, landlock_fs, netns, Config, CONFIG_VAR};
use crate::run::{code, EXIT_SETUP, EXIT_SPAWN};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::Command;

fn die(msg: &str, status: i32) -> ! {
    eprintln!("mcpwarden: sandbox: {msg}");
    std::process::exit(status)
}

/// Never returns: exits with the server's status.
pub fn main() -> ! {
    let cfg: Config = match std::env::var(CONFIG_VAR).map(|s| serde_json::from_str(&s)) {
        Ok(Ok(c)) => c,
        _ => die(
            &format!("{CONFIG_VAR} missing or invalid: this mode is started by `mcpwarden run`"),
            EXIT_SETUP,
        ),
    };
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
    let mut env = cfg.env.clone();
    let (relay, connect_ports) = enter_namespaces(&cfg, &mut env);
    let watch = (cfg.use_exec_watch && !cfg.exec_allowed).then(|| {
        let (ours, theirs) =
            UnixStream::pair().unwrap_or_else(|e| die(&format!("socketpair: {e}"), EXIT_SETUP));
        let ours: OwnedFd = ours.into();
        std::thread::spawn(move || execwatch::serve(ours));
        theirs
    });
    let mut cmd = Command::new(&cfg.program);
    cmd.arg0(&cfg.argv[0])
        .args(&cfg.argv[1..])
        .env_clear()
        .envs(env);
    confine(
        &mut cmd,
        &cfg,
        &connect_ports,
        watch.as_ref().map(|s| s.as_raw_fd()),
    );
    let mut child = cmd.spawn().unwrap_or_else(|e| {
        let st = if e.kind() == std::io::ErrorKind::NotFound {
            127
        } else {
            EXIT_SPAWN
        };
        die(&format!("{}: {e}", cfg.program.display()), st)
    });
    drop(watch);
    if let Some((l, sock)) = relay {
        std::thread::spawn(move || connect::relay(l, sock));
    }
    std::process::exit(code(child.wait()))
}

type Relay = Option<(std::net::TcpListener, std::path::PathBuf)>;

/// Enter the user and network namespaces (while single-threaded, as
/// unshare(CLONE_NEWUSER) requires) and bind the relay to the host's proxy,
/// adding the proxy variables to `env`. Returns the relay and the TCP ports
/// Landlock lets the server connect to.
fn enter_namespaces(cfg: &Config, env: &mut Vec<(String, String)>) -> (Relay, Vec<u16>) {
    if !cfg.use_netns {
        return (None, cfg.direct_ports.clone());
    }
    netns::enter(cfg.uid, cfg.gid).unwrap_or_else(|e| die(&e.to_string(), EXIT_SETUP));
    let (true, Some(sock)) = (cfg.network, &cfg.proxy_socket) else {
        return (None, vec![]);
    };
    let l = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap_or_else(|e| die(&format!("relay: {e}"), EXIT_SETUP));
    let port = l.local_addr().map(|a| a.port()).unwrap_or(0);
    let url = format!("http://127.0.0.1:{port}");
    for v in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        env.push((v.to_string(), url.clone()));
    }
    env.push(("NO_PROXY".into(), String::new()));
    env.push(("no_proxy".into(), String::new()));
    (Some((l, sock.clone())), vec![port])
}

/// Build Landlock and seccomp here, apply them in the child between fork
/// and exec: raw system calls only there (this process may have threads).
fn confine(cmd: &mut Command, cfg: &Config, connect_ports: &[u16], watch_fd: Option<i32>) {
    let mut ruleset = cfg
        .use_landlock
        .then(|| landlock_fs::build(cfg, connect_ports).unwrap_or_else(|e| die(&e, EXIT_SETUP)));
    let filters = if cfg.use_seccomp {
        filter::hardening(cfg.network, cfg.unix_sockets).unwrap_or_else(|e| die(&e, EXIT_SETUP))
    } else {
        vec![]
    };
    let (no_x32, watch_prog, use_seccomp) =
        (execwatch::no_x32(), execwatch::program(), cfg.use_seccomp);
    unsafe {
        cmd.pre_exec(move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            drop_capabilities();
            if let Some(r) = ruleset.take() {
                r.restrict_self()
                    .map_err(|e| std::io::Error::other(e.to_string()))?;
            }
            if use_seccomp {
                filter::apply(&filters)?;
                execwatch::apply_raw(&no_x32)?;
            }
            if let Some(fd) = watch_fd {
                execwatch::install_and_send(&watch_prog, fd)?;
            }
            Ok(())
        });
    }
}

/// No capabilities survive into the server, even when mcpwarden runs as root
/// (uid 0 inside the namespace would otherwise keep them across exec).
unsafe fn drop_capabilities() {
    for cap in 0..64 {
        libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0);
    }
    libc::prctl(
        libc::PR_CAP_AMBIENT,
        libc::PR_CAP_AMBIENT_CLEAR_ALL,
        0,
        0,
        0,
    );
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    let h = Header {
        version: 0x2008_0522,
        pid: 0,
    };
    let d = [
        Data {
            effective: 0,
            permitted: 0,
            inheritable: 0,
        },
        Data {
            effective: 0,
            permitted: 0,
            inheritable: 0,
        },
    ];
    libc::syscall(libc::SYS_capset, &h as *const Header, d.as_ptr());
}
