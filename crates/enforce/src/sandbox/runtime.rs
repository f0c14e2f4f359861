//! The files a server needs just to start: its interpreter, the ELF loader,
//! a `#!` line's interpreter, the interpreter's own prefix (Python's standard
//! library), and the system directories every runtime reads.

use crate::locate::which;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Read-only for every server. `/etc` is listed entry by entry so that its
/// secrets (shadow files, sudoers, ssh host keys, private TLS keys) are left out.
pub const SYSTEM_READ: &[&str] = &[
    "/usr",
    "/lib",
    "/lib64",
    "/lib32",
    "/libx32",
    "/bin",
    "/sbin",
    "/proc",
    "/sys/devices/system/cpu",
    "/sys/fs/cgroup",
    "/dev/urandom",
    "/dev/random",
    "/dev/null",
    "/dev/zero",
    "/dev/full",
];
const ETC_SECRETS: &[&str] = &[
    "shadow",
    "shadow-",
    "gshadow",
    "gshadow-",
    "sudoers",
    "sudoers.d",
    "ssh",
    "ssl",
    "security",
    "credstore",
    "credstore.encrypted",
];
/// Writable for every server.
pub const SYSTEM_WRITE: &[&str] = &["/dev/null", "/dev/zero", "/dev/full"];

pub fn system_read() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = SYSTEM_READ
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.exists())
        .collect();
    if let Ok(rd) = std::fs::read_dir("/etc") {
        for e in rd.flatten() {
            let name = e.file_name();
            if !ETC_SECRETS.iter().any(|s| name == *s) {
                out.push(e.path());
            }
        }
    }
    // The public CA certificates under /etc/ssl are needed for TLS.
    for p in ["/etc/ssl/certs", "/etc/ssl/openssl.cnf"] {
        if Path::new(p).exists() {
            out.push(PathBuf::from(p));
        }
    }
    out
}

/// Programs that must be executable to start `program`, and directories the
/// runtime reads: (executables, read-only dirs).
pub fn startup_files(program: &Path, path_var: &str) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut exec = vec![];
    let mut read = vec![];
    add_program(program, path_var, &mut exec, &mut read, 0);
    (exec, read)
}

fn add_program(
    program: &Path,
    path_var: &str,
    exec: &mut Vec<PathBuf>,
    read: &mut Vec<PathBuf>,
    depth: u8,
) {
    let Ok(real) = std::fs::canonicalize(program) else {
        return;
    };
    if exec.contains(&real) || depth > 3 {
        return;
    }
    exec.push(real.clone());
    // A Python virtualenv: bin/python is a link into the base interpreter,
    // and the venv's own site-packages must be readable.
    if let Some(venv) = program.parent().and_then(|b| b.parent()) {
        if venv.join("pyvenv.cfg").is_file() {
            read.push(venv.to_path_buf());
        }
    }
    if let Some(prefix) = real
        .parent()
        .filter(|b| b.ends_with("bin"))
        .and_then(|b| b.parent())
    {
        if prefix != Path::new("/usr") && prefix != Path::new("/") {
            read.push(prefix.to_path_buf());
        }
    }
    match head(&real) {
        Head::Elf(Some(interp)) => add_program(&interp, path_var, exec, read, depth + 1),
        Head::Script(interp, arg) => {
            add_program(&interp, path_var, exec, read, depth + 1);
            if interp.file_name().is_some_and(|n| n == "env") {
                if let Some(p) = arg.and_then(|a| which(&a, path_var)) {
                    add_program(&p, path_var, exec, read, depth + 1);
                }
            }
        }
        _ => {}
    }
}

enum Head {
    Elf(Option<PathBuf>),
    Script(PathBuf, Option<String>),
    Other,
}

/// The ELF interpreter (`PT_INTERP`) or the `#!` line of a file.
fn head(p: &Path) -> Head {
    let Ok(mut f) = std::fs::File::open(p) else {
        return Head::Other;
    };
    let mut buf = vec![0u8; 4096];
    let n = f.read(&mut buf).unwrap_or(0);
    buf.truncate(n);
    if buf.starts_with(b"#!") {
        let line = buf[2..].split(|&c| c == b'\n').next().unwrap_or(&[]);
        let line = String::from_utf8_lossy(line);
        let mut parts = line.split_whitespace();
        return match parts.next() {
            Some(i) => Head::Script(PathBuf::from(i), parts.next().map(String::from)),
            None => Head::Other,
        };
    }
    if buf.starts_with(b"\x7fELF") {
        return Head::Elf(elf_interp(&buf, &mut f));
    }
    Head::Other
}

/// `PT_INTERP` of a 64-bit little-endian ELF file.
fn elf_interp(hdr: &[u8], f: &mut std::fs::File) -> Option<PathBuf> {
    use std::io::{Seek, SeekFrom};
    if hdr.len() < 64 || hdr[4] != 2 || hdr[5] != 1 {
        return None;
    }
    let u64_at = |b: &[u8], o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap());
    let u16_at = |b: &[u8], o: usize| u16::from_le_bytes(b[o..o + 2].try_into().unwrap());
    let (phoff, phentsize, phnum) = (
        u64_at(hdr, 32),
        u16_at(hdr, 54) as u64,
        u16_at(hdr, 56).min(256) as u64,
    );
    let mut ph = vec![0u8; (phentsize * phnum) as usize];
    f.seek(SeekFrom::Start(phoff)).ok()?;
    f.read_exact(&mut ph).ok()?;
    for i in 0..phnum as usize {
        let e = &ph[i * phentsize as usize..];
        if e.len() >= 40 && u32::from_le_bytes(e[0..4].try_into().unwrap()) == 3 {
            let (off, size) = (u64_at(e, 8), u64_at(e, 32).min(4096));
            let mut s = vec![0u8; size as usize];
            f.seek(SeekFrom::Start(off)).ok()?;
            f.read_exact(&mut s).ok()?;
            let s = s.split(|&c| c == 0).next()?;
            return Some(PathBuf::from(String::from_utf8_lossy(s).into_owned()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_loader_of_a_dynamic_binary() {
        let sh = which("sh", "/usr/bin:/bin").expect("sh");
        let (exec, _) = startup_files(&sh, "/usr/bin:/bin");
        assert!(exec.len() >= 2, "sh and its loader: {exec:?}");
        assert!(
            exec.iter().any(|p| p.to_string_lossy().contains("ld-")),
            "{exec:?}"
        );
    }
}
