//! "No `execve` when the manifest has no `exec`", although the launcher must
//! itself exec the server after the filters are in place. A plain seccomp
//! rule cannot tell the launcher's execve from the server's (it only sees
//! register values, and a pointer value can be forged). So execve and
//! execveat go to a user-notification listener held by the launcher (outside
//! the sandbox): it lets the first one through (the launch itself: no other
//! task has the filter yet) and refuses every later one with EPERM.
//! seccompiler has no USER_NOTIF action, so this filter is written by hand.

use std::os::fd::{FromRawFd, OwnedFd, RawFd};

const AUDIT_ARCH: u32 = if cfg!(target_arch = "aarch64") {
    0xC000_00B7
} else {
    0xC000_003E
};

fn stmt(code: u16, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}
fn jeq(k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter {
        code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
        jt,
        jf,
        k,
    }
}

/// The BPF program: wrong architecture or an x32 system call → kill;
/// execve/execveat → notify; else allow.
pub fn program() -> Vec<libc::sock_filter> {
    let ld = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
    let ret = (libc::BPF_RET | libc::BPF_K) as u16;
    let jge = |k, jt, jf| libc::sock_filter {
        code: (libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K) as u16,
        jt,
        jf,
        k,
    };
    vec![
        stmt(ld, 4), // seccomp_data.arch
        jeq(AUDIT_ARCH, 0, 6),
        stmt(ld, 0), // seccomp_data.nr
        jge(X32_BIT, 4, 0),
        jeq(libc::SYS_execve as u32, 2, 0),
        jeq(libc::SYS_execveat as u32, 1, 0),
        stmt(ret, libc::SECCOMP_RET_ALLOW),
        stmt(ret, libc::SECCOMP_RET_USER_NOTIF),
        stmt(ret, libc::SECCOMP_RET_KILL_PROCESS),
    ]
}

/// x86-64's x32 system calls carry this bit; the seccompiler filters match
/// x86-64 numbers only, so x32 calls are killed here and in `no_x32`.
const X32_BIT: u32 = 0x4000_0000;

/// A filter killing any x32 system call (installed with every sandbox).
pub fn no_x32() -> Vec<libc::sock_filter> {
    let ld = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
    let ret = (libc::BPF_RET | libc::BPF_K) as u16;
    let jge = |k, jt, jf| libc::sock_filter {
        code: (libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K) as u16,
        jt,
        jf,
        k,
    };
    vec![
        stmt(ld, 0),
        jge(X32_BIT, 1, 0),
        stmt(ret, libc::SECCOMP_RET_ALLOW),
        stmt(ret, libc::SECCOMP_RET_KILL_PROCESS),
    ]
}

/// Install the filter in the calling thread and send its listener over
/// `sock` (SCM_RIGHTS). Runs after `fork`: raw system calls only.
pub fn install_and_send(prog: &[libc::sock_filter], sock: RawFd) -> std::io::Result<()> {
    let fprog = libc::sock_fprog {
        len: prog.len() as u16,
        filter: prog.as_ptr() as *mut _,
    };
    unsafe {
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let fd = libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            libc::SECCOMP_FILTER_FLAG_NEW_LISTENER,
            &fprog as *const _,
        );
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let r = send_fd(sock, fd as RawFd);
        libc::close(fd as RawFd);
        r
    }
}

unsafe fn send_fd(sock: RawFd, fd: RawFd) -> std::io::Result<()> {
    let mut byte = [0u8; 1];
    let mut iov = libc::iovec {
        iov_base: byte.as_mut_ptr() as *mut _,
        iov_len: 1,
    };
    let mut cbuf = [0u64; 8];
    let mut msg: libc::msghdr = std::mem::zeroed();
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf.as_mut_ptr() as *mut _;
    msg.msg_controllen = libc::CMSG_SPACE(std::mem::size_of::<RawFd>() as u32) as _;
    let c = libc::CMSG_FIRSTHDR(&msg);
    (*c).cmsg_level = libc::SOL_SOCKET;
    (*c).cmsg_type = libc::SCM_RIGHTS;
    (*c).cmsg_len = libc::CMSG_LEN(std::mem::size_of::<RawFd>() as u32) as _;
    std::ptr::write_unaligned(libc::CMSG_DATA(c) as *mut RawFd, fd);
    if libc::sendmsg(sock, &msg, 0) < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

fn recv_fd(sock: RawFd) -> std::io::Result<OwnedFd> {
    unsafe {
        let mut byte = [0u8; 1];
        let mut iov = libc::iovec {
            iov_base: byte.as_mut_ptr() as *mut _,
            iov_len: 1,
        };
        let mut cbuf = [0u64; 8];
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = cbuf.as_mut_ptr() as *mut _;
        msg.msg_controllen = std::mem::size_of_val(&cbuf) as _;
        if libc::recvmsg(sock, &mut msg, libc::MSG_CMSG_CLOEXEC) <= 0 {
            return Err(std::io::Error::last_os_error());
        }
        let c = libc::CMSG_FIRSTHDR(&msg);
        if c.is_null() || (*c).cmsg_type != libc::SCM_RIGHTS {
            return Err(std::io::Error::other("no listener received"));
        }
        Ok(OwnedFd::from_raw_fd(std::ptr::read_unaligned(
            libc::CMSG_DATA(c) as *const RawFd,
        )))
    }
}

/// Receive the listener, then answer every execve: the first continues,
/// every later one fails with EPERM. Runs on its own thread in the launcher.
pub fn serve(sock: OwnedFd) {
    use std::os::fd::AsRawFd;
    let Ok(listener) = recv_fd(sock.as_raw_fd()) else {
        return;
    };
    drop(sock);
    let fd = listener.as_raw_fd();
    let mut first = true;
    loop {
        let mut req: libc::seccomp_notif = unsafe { std::mem::zeroed() };
        if unsafe { libc::ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_RECV as _, &mut req) } != 0 {
            match std::io::Error::last_os_error().raw_os_error() {
                Some(libc::EINTR) | Some(libc::ENOENT) => continue,
                _ => return,
            }
        }
        let mut resp: libc::seccomp_notif_resp = unsafe { std::mem::zeroed() };
        resp.id = req.id;
        if first {
            resp.flags = libc::SECCOMP_USER_NOTIF_FLAG_CONTINUE as u32;
            first = false;
        } else {
            resp.error = -libc::EPERM;
            eprintln!("mcpwarden: sandbox refused an execve by pid {} (the manifest lists no program to run)", req.pid);
        }
        unsafe { libc::ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_SEND as _, &resp) };
    }
}

/// Install a hand-written filter in the calling thread (raw system calls).
pub fn apply_raw(prog: &[libc::sock_filter]) -> std::io::Result<()> {
    let fprog = libc::sock_fprog {
        len: prog.len() as u16,
        filter: prog.as_ptr() as *mut _,
    };
    unsafe {
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
            || libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER,
                0,
                &fprog as *const _,
            ) != 0
        {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}
