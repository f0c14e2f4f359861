//! What this kernel offers, layer by layer, with the reason when a layer is
//! missing (`mcpwarden doctor`, the start-up banner, `--strict`).

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
    pub name: &'static str,
    pub available: bool,
    /// Version or reason.
    pub detail: String,
}

pub const LANDLOCK: &str = "landlock";
pub const SECCOMP: &str = "seccomp";
pub const EXEC_WATCH: &str = "seccomp-exec-watch";
pub const NETNS: &str = "user+net namespace";

pub fn detect() -> Vec<Layer> {
    vec![landlock(), seccomp(), exec_watch(), netns()]
}

pub fn find<'a>(layers: &'a [Layer], name: &str) -> Option<&'a Layer> {
    layers.iter().find(|l| l.name == name)
}

/// The Landlock ABI version of the running kernel, or why there is none.
pub fn landlock_abi() -> Result<i32, String> {
    // landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)
    let r = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            1u32,
        )
    };
    if r >= 1 {
        return Ok(r as i32);
    }
    Err(match std::io::Error::last_os_error().raw_os_error() {
        Some(libc::ENOSYS) => "kernel built without Landlock (CONFIG_SECURITY_LANDLOCK)".into(),
        Some(libc::EOPNOTSUPP) => {
            "Landlock is not enabled at boot (add `landlock` to the lsm= kernel parameter)".into()
        }
        Some(e) => format!(
            "landlock_create_ruleset failed: {}",
            std::io::Error::from_raw_os_error(e)
        ),
        None => "unknown".into(),
    })
}

fn landlock() -> Layer {
    match landlock_abi() {
        Ok(v) => Layer {
            name: LANDLOCK,
            available: true,
            detail: format!(
                "ABI {v}: files{}{}",
                if v >= 4 { ", TCP ports" } else { "" },
                if v >= 6 {
                    ", signal and abstract-socket scoping"
                } else {
                    ""
                }
            ),
        },
        Err(e) => Layer {
            name: LANDLOCK,
            available: false,
            detail: e,
        },
    }
}

fn seccomp() -> Layer {
    let r = unsafe { libc::prctl(libc::PR_GET_SECCOMP, 0, 0, 0, 0) };
    if r < 0 {
        return Layer {
            name: SECCOMP,
            available: false,
            detail: "kernel built without seccomp".into(),
        };
    }
    Layer {
        name: SECCOMP,
        available: true,
        detail: "syscall filter (BPF)".into(),
    }
}

fn exec_watch() -> Layer {
    let actions =
        std::fs::read_to_string("/proc/sys/kernel/seccomp/actions_avail").unwrap_or_default();
    let ok = actions.split_whitespace().any(|a| a == "user_notif");
    Layer {
        name: EXEC_WATCH,
        available: ok,
        detail: if ok {
            "user notification: execve allowed once, then refused".into()
        } else {
            "seccomp user_notif not offered (kernel < 5.0?)".into()
        },
    }
}

/// Try it: a forked child (raw `fork`, nothing but `unshare` and `_exit` in
/// it) that creates a user and a network namespace; its exit code is the errno.
fn netns() -> Layer {
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let r = unsafe { libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNET) };
        let code = if r == 0 {
            0
        } else {
            std::io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(1)
                .min(255)
        };
        unsafe { libc::_exit(code) };
    }
    if pid < 0 {
        return Layer {
            name: NETNS,
            available: false,
            detail: format!("fork: {}", std::io::Error::last_os_error()),
        };
    }
    let mut status = 0;
    unsafe { libc::waitpid(pid, &mut status, 0) };
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    if code == 0 {
        return Layer {
            name: NETNS,
            available: true,
            detail: "network reachable only through mcpwarden's filtering proxy".into(),
        };
    }
    let hint =
        match std::fs::read_to_string("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") {
            Ok(v) if v.trim() == "1" => " (AppArmor restricts unprivileged user namespaces)",
            _ => match std::fs::read_to_string("/proc/sys/user/max_user_namespaces") {
                Ok(v) if v.trim() == "0" => " (user.max_user_namespaces is 0)",
                _ => "",
            },
        };
    let err = if code > 0 {
        std::io::Error::from_raw_os_error(code).to_string()
    } else {
        "probe killed".into()
    };
    Layer {
        name: NETNS,
        available: false,
        detail: format!("unshare(CLONE_NEWUSER|CLONE_NEWNET): {err}{hint}"),
    }
}
