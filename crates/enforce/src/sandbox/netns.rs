//! A fresh user and network namespace for the server: no interface but its
//! own loopback, so the only way out is the relay to mcpwarden's proxy.

use std::io;

/// Enter new user and network namespaces (the calling process must be
/// single-threaded), keep the same uid/gid inside, and bring `lo` up.
pub fn enter(uid: u32, gid: u32) -> io::Result<()> {
    // SAFETY: called while the process has a single thread, before any file
    // descriptor table or namespace sharing matters.
    unsafe {
        rustix::thread::unshare_unsafe(
            rustix::thread::UnshareFlags::NEWUSER | rustix::thread::UnshareFlags::NEWNET,
        )
    }
    .map_err(|e| io::Error::other(format!("unshare(CLONE_NEWUSER|CLONE_NEWNET): {e}")))?;
    write("/proc/self/setgroups", "deny")?;
    write("/proc/self/uid_map", &format!("{uid} {uid} 1"))?;
    write("/proc/self/gid_map", &format!("{gid} {gid} 1"))?;
    loopback_up()
}

fn write(path: &str, v: &str) -> io::Result<()> {
    std::fs::write(path, v).map_err(|e| io::Error::other(format!("{path}: {e}")))
}

fn loopback_up() -> io::Result<()> {
    unsafe {
        let s = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if s < 0 {
            return Err(io::Error::last_os_error());
        }
        let mut req: libc::ifreq = std::mem::zeroed();
        for (i, b) in b"lo\0".iter().enumerate() {
            req.ifr_name[i] = *b as libc::c_char;
        }
        let ok = libc::ioctl(s, libc::SIOCGIFFLAGS as _, &mut req) == 0 && {
            req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
            libc::ioctl(s, libc::SIOCSIFFLAGS as _, &req) == 0
        };
        let err = io::Error::last_os_error();
        libc::close(s);
        if ok {
            Ok(())
        } else {
            Err(io::Error::other(format!("bringing up lo: {err}")))
        }
    }
}
