//! Safe extraction of .tar.gz / .tgz / .tar / .zip / .whl.
//!
//! The destination is a fresh directory that only this code writes to, and
//! no link is ever created in it, so a relative path whose `..` parts are
//! resolved lexically cannot lead outside it. Entries whose `..` climbs above
//! the root make the archive hostile; those that stay inside
//! (`pkg-0.1.0/../README.md`) are skipped and reported. Links and special files are
//! skipped and reported. Bytes, entries and the compression ratio are
//! counted as data flows, not taken from headers, which can lie.

use std::cell::Cell;
use std::fs::{self, File};
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::config::RATIO_FLOOR;
use crate::error::{io_err, CollectError, ErrorKind, Result};

/// An archive entry that was not written, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Path inside the archive, as written there.
    pub path: String,
    /// `symlink`, `hardlink`, `special`, `conflict`, `encrypted`, `unsupported-compression`,
    /// `unwritable`, `dot-dot-path` (written with `..` yet inside the archive).
    pub reason: String,
    /// The link target, or the error.
    pub detail: Option<String>,
}

/// Limits for one extraction.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_unpacked_bytes: u64,
    pub max_files: u64,
    pub max_ratio: u64,
}

/// Archive formats, recognised by their first bytes rather than the file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    TarGz,
    Tar,
    Zip,
}

impl Format {
    pub fn sniff(path: &Path) -> Result<Format> {
        let mut head = [0u8; 512];
        let mut f = File::open(path).map_err(|e| io_err(path.display(), e))?;
        let mut n = 0;
        while n < head.len() {
            match f.read(&mut head[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_err(path.display(), e)),
            }
        }
        let h = &head[..n];
        if h.starts_with(&[0x1f, 0x8b]) {
            Ok(Format::TarGz)
        } else if h.starts_with(b"PK\x03\x04") || h.starts_with(b"PK\x05\x06") {
            Ok(Format::Zip)
        } else if n >= 262 && &h[257..262] == b"ustar" {
            Ok(Format::Tar)
        } else if h.starts_with(b"BZh") {
            Err(CollectError::new(
                ErrorKind::Unsupported,
                "bzip2-compressed archives are not supported",
            ))
        } else if h.starts_with(&[0xfd, b'7', b'z', b'X', b'Z']) {
            Err(CollectError::new(
                ErrorKind::Unsupported,
                "xz-compressed archives are not supported",
            ))
        } else {
            Err(CollectError::new(
                ErrorKind::Unsupported,
                "not a tar, gzip or zip archive",
            ))
        }
    }
}

/// Extracts `archive` into `dest` (an empty directory). On error `dest` may
/// hold part of the tree: the caller extracts into a temporary directory and
/// removes it.
pub fn extract(archive: &Path, dest: &Path, limits: &Limits) -> Result<Vec<Skipped>> {
    let archive_len = fs::metadata(archive)
        .map_err(|e| io_err(archive.display(), e))?
        .len();
    match Format::sniff(archive)? {
        Format::TarGz => extract_tar(archive, true, archive_len, dest, limits),
        Format::Tar => extract_tar(archive, false, archive_len, dest, limits),
        Format::Zip => extract_zip(archive, archive_len, dest, limits),
    }
}

/// Why extraction stopped, set by the counting reader that sits under the tar
/// parser (its own errors lose ours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Ratio,
    Stream,
}

struct Counting<R> {
    inner: R,
    total: u64,
    ratio_cap: u64,
    stream_cap: u64,
    stop: Rc<Cell<Option<Stop>>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        let stop = if self.total > RATIO_FLOOR && self.total > self.ratio_cap {
            Some(Stop::Ratio)
        } else if self.total > self.stream_cap {
            Some(Stop::Stream)
        } else {
            None
        };
        if let Some(s) = stop {
            self.stop.set(Some(s));
            return Err(io::Error::other("extraction limit reached"));
        }
        Ok(n)
    }
}

struct Budget<'a> {
    limits: &'a Limits,
    archive_len: u64,
    entries: u64,
    written: u64,
}

impl Budget<'_> {
    fn entry(&mut self) -> Result<()> {
        self.entries += 1;
        if self.entries > self.limits.max_files {
            return Err(CollectError::new(
                ErrorKind::TooLarge,
                format!("archive has more than {} entries", self.limits.max_files),
            ));
        }
        Ok(())
    }

    fn ratio_error(&self, unpacked: u64) -> CollectError {
        CollectError::new(
            ErrorKind::HostileArchive,
            format!(
                "compression bomb: over {unpacked} bytes unpacked from a {}-byte archive (ratio limit {})",
                self.archive_len, self.limits.max_ratio
            ),
        )
    }

    fn size_error(&self) -> CollectError {
        CollectError::new(
            ErrorKind::TooLarge,
            format!(
                "archive unpacks to more than {} bytes",
                self.limits.max_unpacked_bytes
            ),
        )
    }

    /// Copies one file's data, counting it against the limits.
    fn copy(&mut self, from: &mut dyn Read, to: &mut File, path: &Path) -> Result<()> {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(CollectError::new(
                        ErrorKind::BadArchive,
                        format!("reading the archive: {e}"),
                    ))
                }
            };
            self.written += n as u64;
            if self.written > self.limits.max_unpacked_bytes {
                return Err(self.size_error());
            }
            if self.written > RATIO_FLOOR
                && self.written > self.archive_len.saturating_mul(self.limits.max_ratio)
            {
                return Err(self.ratio_error(self.written));
            }
            to.write_all(&buf[..n])
                .map_err(|e| io_err(path.display(), e))?;
        }
    }
}

/// Where an archive path leads once `.`, `..` and empty parts are resolved.
#[derive(Debug, PartialEq, Eq)]
enum Rel {
    /// The archive root itself (`./`).
    Root,
    /// A plain relative path.
    Plain(PathBuf),
    /// A path written with `..` that still stays inside the root
    /// (`pkg-0.1.0/../README.md`): not written, reported as skipped.
    Odd(PathBuf),
}

/// Resolves an archive path lexically. Absolute paths, drive letters and
/// `..` that climbs above the root make the whole archive hostile: no honest
/// package has them. (Nothing in the destination is a link, so a lexical
/// resolution is the real one.)
fn safe_rel(raw: &[u8], backslash_is_sep: bool) -> std::result::Result<Rel, String> {
    let shown = String::from_utf8_lossy(raw);
    if raw.starts_with(b"/") || (backslash_is_sep && raw.starts_with(b"\\")) {
        return Err(format!("absolute path `{shown}`"));
    }
    if raw.contains(&0) {
        return Err(format!("NUL byte in path `{shown}`"));
    }
    let mut parts: Vec<&[u8]> = Vec::new();
    let mut odd = false;
    let split = raw.split(|&b| b == b'/' || (backslash_is_sep && b == b'\\'));
    for (i, part) in split.enumerate() {
        if i == 0 && part.len() == 2 && part[1] == b':' && part[0].is_ascii_alphabetic() {
            return Err(format!("absolute path `{shown}`"));
        }
        match part {
            b"" | b"." => {}
            b".." => {
                odd = true;
                if parts.pop().is_none() {
                    return Err(format!("path traversal `{shown}` leaves the archive root"));
                }
            }
            _ => parts.push(part),
        }
    }
    let out: PathBuf = parts.iter().map(|p| os_str(p)).collect();
    Ok(match (out.as_os_str().is_empty(), odd) {
        (true, _) => Rel::Root,
        (false, true) => Rel::Odd(out),
        (false, false) => Rel::Plain(out),
    })
}

/// The path to write an entry at, or `None` after recording why not.
fn entry_path(
    raw: &[u8],
    backslash_is_sep: bool,
    skipped: &mut Vec<Skipped>,
) -> Result<Option<PathBuf>> {
    match safe_rel(raw, backslash_is_sep).map_err(hostile)? {
        Rel::Root => Ok(None),
        Rel::Plain(p) => Ok(Some(p)),
        Rel::Odd(p) => {
            skipped.push(Skipped {
                path: String::from_utf8_lossy(raw).into_owned(),
                reason: "dot-dot-path".into(),
                detail: Some(format!("resolves to {} inside the archive", p.display())),
            });
            Ok(None)
        }
    }
}

#[cfg(unix)]
fn os_str(b: &[u8]) -> &std::ffi::OsStr {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(b)
}

#[cfg(not(unix))]
fn os_str(b: &[u8]) -> std::ffi::OsString {
    String::from_utf8_lossy(b).into_owned().into()
}

fn hostile(msg: String) -> CollectError {
    CollectError::new(ErrorKind::HostileArchive, msg)
}

/// Errors that mean "this one entry cannot be written here" rather than
/// "the disk is broken": the entry is skipped and reported.
fn entry_level(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::AlreadyExists
            | io::ErrorKind::NotADirectory
            | io::ErrorKind::IsADirectory
            | io::ErrorKind::InvalidInput
            | io::ErrorKind::InvalidFilename
            | io::ErrorKind::DirectoryNotEmpty
    ) || e.raw_os_error() == Some(36) // ENAMETOOLONG
}

/// Creates the file for `rel` under `dest`, or says why it was skipped.
fn create_file(
    dest: &Path,
    rel: &Path,
    executable: bool,
) -> Result<std::result::Result<(File, PathBuf), Skipped>> {
    let path = dest.join(rel);
    let skipped = |e: &io::Error| Skipped {
        path: rel.display().to_string(),
        reason: if matches!(
            e.kind(),
            io::ErrorKind::AlreadyExists
                | io::ErrorKind::NotADirectory
                | io::ErrorKind::IsADirectory
        ) {
            "conflict".into()
        } else {
            "unwritable".into()
        },
        detail: Some(e.to_string()),
    };
    if let Some(parent) = path.parent() {
        if let Err(e) = fs::create_dir_all(parent) {
            return if entry_level(&e) {
                Ok(Err(skipped(&e)))
            } else {
                Err(io_err(parent.display(), e))
            };
        }
    }
    // Nothing in `dest` is a link, so opening (and truncating a duplicate
    // entry's earlier copy) cannot write elsewhere.
    if path.is_dir() {
        let e = io::Error::new(
            io::ErrorKind::IsADirectory,
            "a directory of this name exists",
        );
        return Ok(Err(skipped(&e)));
    }
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Keep "is executable" (opaque-binary detection uses it), drop
        // setuid/setgid/sticky and group/other write.
        opts.mode(if executable { 0o755 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = executable;
    match opts.open(&path) {
        Ok(f) => Ok(Ok((f, path))),
        Err(e) if entry_level(&e) => Ok(Err(skipped(&e))),
        Err(e) => Err(io_err(path.display(), e)),
    }
}

fn create_dir(dest: &Path, rel: &Path, skipped: &mut Vec<Skipped>) -> Result<()> {
    let path = dest.join(rel);
    match fs::create_dir_all(&path) {
        Ok(()) => Ok(()),
        Err(e) if entry_level(&e) => {
            skipped.push(Skipped {
                path: rel.display().to_string(),
                reason: "conflict".into(),
                detail: Some(e.to_string()),
            });
            Ok(())
        }
        Err(e) => Err(io_err(path.display(), e)),
    }
}

fn extract_tar(
    archive: &Path,
    gz: bool,
    archive_len: u64,
    dest: &Path,
    limits: &Limits,
) -> Result<Vec<Skipped>> {
    let file = BufReader::new(File::open(archive).map_err(|e| io_err(archive.display(), e))?);
    let inner: Box<dyn Read> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let stop = Rc::new(Cell::new(None));
    let counting = Counting {
        inner,
        total: 0,
        ratio_cap: if gz {
            archive_len.saturating_mul(limits.max_ratio)
        } else {
            u64::MAX
        },
        // Headers and padding take at most ~1.5 KiB per entry on top of the data.
        stream_cap: limits
            .max_unpacked_bytes
            .saturating_add(limits.max_files.saturating_mul(1536))
            .saturating_add(1 << 20),
        stop: stop.clone(),
    };
    let mut tar = tar::Archive::new(counting);
    let mut budget = Budget {
        limits,
        archive_len,
        entries: 0,
        written: 0,
    };
    let mut skipped = Vec::new();
    // Our limit errors surface through the tar parser as generic I/O errors;
    // the shared flag says which limit it was.
    let explain = |e: CollectError, budget: &Budget| -> CollectError {
        match stop.get() {
            Some(Stop::Ratio) => {
                budget.ratio_error(RATIO_FLOOR.max(archive_len.saturating_mul(limits.max_ratio)))
            }
            Some(Stop::Stream) => budget.size_error(),
            None => e,
        }
    };
    let entries = tar
        .entries()
        .map_err(|e| CollectError::new(ErrorKind::BadArchive, format!("reading the tar: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| {
            explain(
                CollectError::new(ErrorKind::BadArchive, format!("reading the tar: {e}")),
                &budget,
            )
        })?;
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions()
            || kind.is_pax_local_extensions()
            || kind.is_gnu_longname()
            || kind.is_gnu_longlink()
        {
            continue; // metadata records, already applied by the parser
        }
        budget.entry()?;
        let raw = entry.path_bytes().into_owned();
        let Some(rel) = entry_path(&raw, false, &mut skipped)? else {
            continue;
        };
        let shown = rel.display().to_string();
        if kind.is_symlink() || kind.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .map(|t| String::from_utf8_lossy(&t).into_owned());
            let reason = if kind.is_symlink() {
                "symlink"
            } else {
                "hardlink"
            };
            skipped.push(Skipped {
                path: shown,
                reason: reason.into(),
                detail: target,
            });
        } else if kind.is_dir() {
            create_dir(dest, &rel, &mut skipped)?;
        } else if kind.is_file() || kind.is_contiguous() {
            let exec = entry
                .header()
                .mode()
                .map(|m| m & 0o111 != 0)
                .unwrap_or(false);
            match create_file(dest, &rel, exec)? {
                Ok((mut f, path)) => budget
                    .copy(&mut entry, &mut f, &path)
                    .map_err(|e| explain(e, &budget))?,
                Err(s) => skipped.push(s),
            }
        } else {
            // Devices, FIFOs, sparse files: nothing a source scan needs.
            skipped.push(Skipped {
                path: shown,
                reason: "special".into(),
                detail: Some(format!("{kind:?}")),
            });
        }
    }
    if let Some(s) = stop.get() {
        // The parser may end quietly after our reader refused more data.
        return Err(match s {
            Stop::Ratio => {
                budget.ratio_error(RATIO_FLOOR.max(archive_len.saturating_mul(limits.max_ratio)))
            }
            Stop::Stream => budget.size_error(),
        });
    }
    Ok(skipped)
}

fn extract_zip(
    archive: &Path,
    archive_len: u64,
    dest: &Path,
    limits: &Limits,
) -> Result<Vec<Skipped>> {
    let file = BufReader::new(File::open(archive).map_err(|e| io_err(archive.display(), e))?);
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| CollectError::new(ErrorKind::BadArchive, format!("reading the zip: {e}")))?;
    // The central directory is read up front: a count over the limit is
    // refused before anything is written.
    if zip.len() as u64 > limits.max_files {
        return Err(CollectError::new(
            ErrorKind::TooLarge,
            format!(
                "archive has {} entries, over the limit of {}",
                zip.len(),
                limits.max_files
            ),
        ));
    }
    let mut budget = Budget {
        limits,
        archive_len,
        entries: 0,
        written: 0,
    };
    let mut skipped = Vec::new();
    for i in 0..zip.len() {
        budget.entry()?;
        // Read before `by_index` borrows the archive: a skipped entry is reported by name.
        let name = zip.name_for_index(i).unwrap_or("?").to_string();
        let mut f = match zip.by_index(i) {
            Ok(f) => f,
            Err(zip::result::ZipError::UnsupportedArchive(why)) => {
                let reason = if why.to_ascii_lowercase().contains("password") {
                    "encrypted"
                } else {
                    "unsupported-compression"
                };
                if entry_path(name.as_bytes(), true, &mut skipped)?.is_none() {
                    continue;
                }
                skipped.push(Skipped {
                    path: name,
                    reason: reason.into(),
                    detail: Some(why.to_string()),
                });
                continue;
            }
            Err(e) => {
                return Err(CollectError::new(
                    ErrorKind::BadArchive,
                    format!("reading the zip: {e}"),
                ))
            }
        };
        let raw = f.name_raw().to_vec();
        // Zips made on Windows may use '\' as separator.
        let Some(rel) = entry_path(&raw, true, &mut skipped)? else {
            continue;
        };
        if f.is_symlink() {
            let mut target = Vec::new();
            let _ = (&mut f).take(4096).read_to_end(&mut target);
            skipped.push(Skipped {
                path: rel.display().to_string(),
                reason: "symlink".into(),
                detail: Some(String::from_utf8_lossy(&target).into_owned()),
            });
        } else if f.is_dir() {
            create_dir(dest, &rel, &mut skipped)?;
        } else {
            let exec = f.unix_mode().map(|m| m & 0o111 != 0).unwrap_or(false);
            match create_file(dest, &rel, exec)? {
                Ok((mut out, path)) => budget.copy(&mut f, &mut out, &path)?,
                Err(s) => skipped.push(s),
            }
        }
    }
    Ok(skipped)
}

/// The directory to scan inside an extracted tree: its only top-level
/// directory when there is nothing else (npm's `package/`, an sdist's
/// `name-1.0/`), else the tree itself (wheels).
pub fn tree_root(tree: &Path) -> PathBuf {
    let Ok(rd) = fs::read_dir(tree) else {
        return tree.to_path_buf();
    };
    let mut only_dir = None;
    for e in rd.flatten() {
        let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if !is_dir || only_dir.is_some() {
            return tree.to_path_buf();
        }
        only_dir = Some(e.path());
    }
    only_dir.unwrap_or_else(|| tree.to_path_buf())
}
