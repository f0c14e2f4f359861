//! seccomp hardening, built with `seccompiler`: syscalls no MCP server needs
//! and that widen what it can reach (ptrace, mount, bpf, keyrings, kernel
//! modules, namespaces, io_uring), and inet sockets when the manifest has no
//! network. Denied calls fail with EPERM rather than killing the server.

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen as Len, SeccompCmpOp as Op,
    SeccompCondition as Cond, SeccompFilter, SeccompRule, TargetArch,
};
use std::collections::BTreeMap;

#[cfg(target_arch = "x86_64")]
const ARCH: TargetArch = TargetArch::x86_64;
#[cfg(target_arch = "aarch64")]
const ARCH: TargetArch = TargetArch::aarch64;

const DENIED: &[i64] = &[
    libc::SYS_ptrace,
    libc::SYS_process_vm_readv,
    libc::SYS_process_vm_writev,
    libc::SYS_mount,
    libc::SYS_umount2,
    libc::SYS_pivot_root,
    libc::SYS_chroot,
    libc::SYS_move_mount,
    libc::SYS_open_tree,
    libc::SYS_fsopen,
    libc::SYS_fsmount,
    libc::SYS_fspick,
    libc::SYS_mount_setattr,
    libc::SYS_bpf,
    libc::SYS_keyctl,
    libc::SYS_add_key,
    libc::SYS_request_key,
    libc::SYS_init_module,
    libc::SYS_finit_module,
    libc::SYS_delete_module,
    libc::SYS_kexec_load,
    libc::SYS_kexec_file_load,
    libc::SYS_unshare,
    libc::SYS_setns,
    libc::SYS_perf_event_open,
    libc::SYS_userfaultfd,
    libc::SYS_open_by_handle_at,
    libc::SYS_name_to_handle_at,
    libc::SYS_reboot,
    libc::SYS_swapon,
    libc::SYS_swapoff,
    libc::SYS_acct,
    libc::SYS_syslog,
    libc::SYS_io_uring_setup,
    libc::SYS_io_uring_enter,
    libc::SYS_io_uring_register,
];

/// Namespace flags refused in `clone` (the other way to get a namespace).
const NS_FLAGS: &[u64] = &[
    libc::CLONE_NEWNS as u64,
    libc::CLONE_NEWUTS as u64,
    libc::CLONE_NEWIPC as u64,
    libc::CLONE_NEWUSER as u64,
    libc::CLONE_NEWPID as u64,
    libc::CLONE_NEWNET as u64,
    libc::CLONE_NEWCGROUP as u64,
];

/// The names of what `hardening` denies, for the start-up banner.
pub fn describe(network: bool, unix: bool) -> String {
    let inet = if network { "" } else { ", inet sockets" };
    let unix = if unix {
        ""
    } else {
        ", unix sockets (socketpair stays)"
    };
    format!("ptrace, mount, bpf, keyctl, kernel modules, namespaces, io_uring{inet}{unix} denied")
}

/// The hardening filter, and a second one answering `clone3` with ENOSYS so
/// that libc falls back to `clone`, whose flags the first filter can read.
/// `unix`: the manifest needs IPC; otherwise `socket(AF_UNIX)` is refused, so
/// that the server cannot reach the host's unix sockets (docker, D-Bus,
/// agents), which Landlock before ABI 9 does not cover. `socketpair` (how
/// runtimes talk to their own children) stays allowed.
pub fn hardening(network: bool, unix: bool) -> Result<Vec<BpfProgram>, String> {
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = DENIED.iter().map(|&s| (s, vec![])).collect();
    let rule = |conds: Vec<Cond>| SeccompRule::new(conds).map_err(|e| e.to_string());
    let cond = |arg, op, v| Cond::new(arg, Len::Qword, op, v).map_err(|e| e.to_string());
    let mut clone = vec![];
    for &f in NS_FLAGS {
        clone.push(rule(vec![cond(0, Op::MaskedEq(f), f)?])?);
    }
    rules.insert(libc::SYS_clone, clone);
    let mut families = vec![];
    if !network {
        families.extend([libc::AF_INET, libc::AF_INET6]);
    }
    if !unix {
        families.push(libc::AF_UNIX);
    }
    let mut socket = vec![];
    for f in families {
        let c = Cond::new(0, Len::Dword, Op::Eq, f as u64).map_err(|e| e.to_string())?;
        socket.push(rule(vec![c])?);
    }
    if !socket.is_empty() {
        rules.insert(libc::SYS_socket, socket);
    }
    let eperm = SeccompAction::Errno(libc::EPERM as u32);
    let main =
        SeccompFilter::new(rules, SeccompAction::Allow, eperm, ARCH).map_err(|e| e.to_string())?;
    let clone3: BTreeMap<i64, Vec<SeccompRule>> = [(libc::SYS_clone3, vec![])].into();
    let enosys = SeccompAction::Errno(libc::ENOSYS as u32);
    let c3 = SeccompFilter::new(clone3, SeccompAction::Allow, enosys, ARCH)
        .map_err(|e| e.to_string())?;
    Ok(vec![
        main.try_into()
            .map_err(|e: seccompiler::BackendError| e.to_string())?,
        c3.try_into()
            .map_err(|e: seccompiler::BackendError| e.to_string())?,
    ])
}

/// Install in the calling thread (after `fork`, before `execve`): raw system
/// calls only, no allocation.
pub fn apply(progs: &[BpfProgram]) -> std::io::Result<()> {
    for p in progs {
        seccompiler::apply_filter(p).map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    Ok(())
}
