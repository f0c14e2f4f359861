//! `mcpwarden cache prune`: trims the cache by age and by size.
//!
//! What is pruned: archives (`archives/`), kept trees (`trees/`) and
//! leftovers of interrupted runs (`tmp/`, older than a day). Metadata files
//! are tiny and stay: a version whose archive was pruned is downloaded again
//! when next needed (or is an `offline-miss`). Age is the modification time,
//! which a run refreshes whenever it uses an archive or a kept tree, so the
//! entries pruned first are those unused for longest.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// What to remove; with neither limit, only old `tmp/` leftovers go.
#[derive(Debug, Clone, Copy, Default)]
pub struct PruneOptions {
    /// Remove entries unused for longer than this.
    pub older_than: Option<Duration>,
    /// Then remove the least recently used until the cache is at most this many bytes.
    pub max_bytes: Option<u64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PruneReport {
    pub removed: u64,
    pub freed_bytes: u64,
    pub kept: u64,
    pub kept_bytes: u64,
}

/// A leftover in `tmp/` this old belongs to no live run.
const TMP_MARGIN: Duration = Duration::from_secs(24 * 3600);

struct Entry {
    path: PathBuf,
    /// `trees/<id>.skipped.json` goes with its tree.
    companion: Option<PathBuf>,
    bytes: u64,
    used: SystemTime,
}

/// Prunes `cache_dir` (see the module docs). Entries another process is
/// using may be removed under it: prune between runs.
pub fn prune(cache_dir: &Path, opts: &PruneOptions) -> io::Result<PruneReport> {
    let mut report = PruneReport::default();
    for e in entries_in(&cache_dir.join("tmp"))? {
        if age(e.used) > TMP_MARGIN {
            remove(&e, &mut report);
        }
    }
    let mut all = archives(cache_dir)?;
    all.extend(trees(cache_dir)?);
    // Oldest first.
    all.sort_by_key(|e| e.used);
    let mut total: u64 = all.iter().map(|e| e.bytes).sum();
    for e in all {
        let too_old = opts.older_than.is_some_and(|d| age(e.used) > d);
        let too_big = opts.max_bytes.is_some_and(|m| total > m);
        if too_old || too_big {
            total -= e.bytes;
            remove(&e, &mut report);
        } else {
            report.kept += 1;
            report.kept_bytes += e.bytes;
        }
    }
    Ok(report)
}

fn age(t: SystemTime) -> Duration {
    t.elapsed().unwrap_or(Duration::ZERO)
}

fn remove(e: &Entry, report: &mut PruneReport) {
    let r = if e.path.is_dir() {
        fs::remove_dir_all(&e.path)
    } else {
        fs::remove_file(&e.path)
    };
    if r.is_ok() {
        if let Some(c) = &e.companion {
            let _ = fs::remove_file(c);
        }
        report.removed += 1;
        report.freed_bytes += e.bytes;
    }
}

fn read_dir(dir: &Path) -> io::Result<Vec<fs::DirEntry>> {
    match fs::read_dir(dir) {
        Ok(rd) => Ok(rd.flatten().collect()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(io::Error::new(e.kind(), format!("{}: {e}", dir.display()))),
    }
}

/// Every direct child of `dir`, files and directories alike.
fn entries_in(dir: &Path) -> io::Result<Vec<Entry>> {
    Ok(read_dir(dir)?
        .into_iter()
        .filter_map(|d| entry(d.path(), None))
        .collect())
}

/// `archives/sha256/<xx>/<sha256>`
fn archives(cache_dir: &Path) -> io::Result<Vec<Entry>> {
    let mut out = Vec::new();
    for fan in read_dir(&cache_dir.join("archives/sha256"))? {
        out.extend(entries_in(&fan.path())?);
    }
    Ok(out)
}

/// `trees/<id>/` with its `trees/<id>.skipped.json`.
fn trees(cache_dir: &Path) -> io::Result<Vec<Entry>> {
    let dir = cache_dir.join("trees");
    Ok(read_dir(&dir)?
        .into_iter()
        .filter(|d| d.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|d| {
            let companion = dir.join(format!("{}.skipped.json", d.file_name().to_string_lossy()));
            entry(d.path(), Some(companion))
        })
        .collect())
}

fn entry(path: PathBuf, companion: Option<PathBuf>) -> Option<Entry> {
    let md = path.symlink_metadata().ok()?;
    let extra = companion
        .as_ref()
        .and_then(|c| c.metadata().ok())
        .map_or(0, |m| m.len());
    Some(Entry {
        bytes: size(&path, &md) + extra,
        used: md.modified().unwrap_or(SystemTime::UNIX_EPOCH),
        path,
        companion,
    })
}

/// Bytes of a file, or of every file under a directory (links not followed).
fn size(path: &Path, md: &fs::Metadata) -> u64 {
    if !md.is_dir() {
        return md.len();
    }
    let mut total = 0;
    let mut stack = vec![path.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in read_dir(&d).unwrap_or_default() {
            match e.metadata() {
                Ok(m) if m.is_dir() => stack.push(e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

/// Parses a size: `500M`, `30G`, `1.5GB`, `2GiB`, `1024` (bytes). Units are powers of 1024.
pub fn parse_size(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_lowercase();
    let digits = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(digits);
    let n: f64 = num.parse().ok()?;
    let mult: u64 = match unit.trim().trim_end_matches("ib").trim_end_matches('b') {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => return None,
    };
    (n >= 0.0 && n.is_finite()).then_some((n * mult as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1024"), Some(1024));
        assert_eq!(parse_size("500M"), Some(500 << 20));
        assert_eq!(parse_size("30G"), Some(30 << 30));
        assert_eq!(parse_size("1.5GB"), Some(3 << 29));
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("12 kb"), Some(12 << 10));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("5X"), None);
    }
}
