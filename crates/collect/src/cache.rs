//! The content cache.
//!
//! ```text
//! CACHE/archives/sha256/ab/<sha256>      downloaded archives, by content digest (mtime = last use)
//! CACHE/trees/<id>/                      kept trees (<id> = archive sha256 with --keep-trees, or git-<commit>)
//! CACHE/trees/<id>.skipped.json          what extraction skipped (links, specials)
//! CACHE/meta/<registry>/<name>@<version>.json   what was resolved, and the metadata for the classifier
//! CACHE/resolved/<registry>/<name>.json  the version an unversioned source last resolved to (for --offline)
//! CACHE/tmp/                             downloads in progress and the trees being scanned;
//!                                        safe to delete when no run is active
//! ```
//!
//! Every file and tree appears by `rename` of a finished temporary sibling,
//! so an interrupted run never leaves half an archive, and two threads or
//! processes collecting the same package each finish their own copy and one
//! rename wins (the contents are identical).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{json, Value};

use crate::error::{io_err, Result};
use crate::extract::Skipped;

pub(crate) struct Cache {
    root: PathBuf,
}

/// What the cache remembers about one resolved package version.
#[derive(Debug, Clone, Default)]
pub(crate) struct Meta {
    pub registry: String,
    pub name: String,
    pub version: String,
    /// `sha256:<hex>` or `git:<commit>`
    pub digest: String,
    /// Directory name under `trees/`.
    pub tree: String,
    pub url: String,
    pub summary: Option<String>,
    pub keywords: Vec<String>,
    pub readme: Option<String>,
}

impl Meta {
    fn to_json(&self) -> Value {
        json!({
            "schema": "mcpwarden/collect-meta/v1",
            "registry": self.registry,
            "name": self.name,
            "version": self.version,
            "digest": self.digest,
            "tree": self.tree,
            "url": self.url,
            "summary": self.summary,
            "keywords": self.keywords,
            "readme": self.readme,
        })
    }

    fn from_json(v: &Value) -> Option<Meta> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let tree = s("tree")?;
        if !safe_component(&tree) {
            return None;
        }
        Some(Meta {
            registry: s("registry")?,
            name: s("name")?,
            version: s("version")?,
            digest: s("digest")?,
            tree,
            url: s("url").unwrap_or_default(),
            summary: s("summary"),
            keywords: v
                .get("keywords")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            readme: s("readme"),
        })
    }
}

fn safe_component(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && !s.contains('/')
        && !s.contains('\\')
        && !s.contains('\0')
}

/// File-name form of a package name or version: names are already limited to
/// URL-safe characters by `Source`; '/' (npm scopes) becomes `%2f`.
fn enc(s: &str) -> String {
    s.replace('%', "%25").replace('/', "%2f")
}

/// Unique temporary names: process id, a per-process counter, and the time
/// (a second run in the same pid namespace after a crash must not collide).
fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}-{n}-{nanos:x}", std::process::id())
}

impl Cache {
    pub fn new(root: &Path) -> Cache {
        Cache {
            root: root.to_path_buf(),
        }
    }

    fn dir(&self, rel: &str) -> Result<PathBuf> {
        let d = self.root.join(rel);
        fs::create_dir_all(&d)
            .map_err(|e| io_err(format!("cache directory {}", d.display()), e))?;
        Ok(d)
    }

    /// A fresh path under `tmp/` (not created).
    pub fn temp_path(&self, prefix: &str) -> Result<PathBuf> {
        Ok(self.dir("tmp")?.join(unique(prefix)))
    }

    pub fn archive_path(&self, sha256: &str) -> PathBuf {
        self.root
            .join("archives/sha256")
            .join(&sha256[..2.min(sha256.len())])
            .join(sha256)
    }

    pub fn tree_path(&self, id: &str) -> PathBuf {
        self.root.join("trees").join(id)
    }

    fn meta_path(&self, registry: &str, name: &str, version: &str) -> PathBuf {
        self.root
            .join("meta")
            .join(registry)
            .join(format!("{}@{}.json", enc(name), enc(version)))
    }

    fn resolved_path(&self, registry: &str, name: &str) -> PathBuf {
        self.root
            .join("resolved")
            .join(registry)
            .join(format!("{}.json", enc(name)))
    }

    /// Writes `bytes` to `path` through a temporary file and a rename.
    pub fn write_atomic(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        let parent = path.parent().expect("cache paths have parents");
        fs::create_dir_all(parent).map_err(|e| io_err(parent.display(), e))?;
        let tmp = self.temp_path("w")?;
        fs::write(&tmp, bytes).map_err(|e| io_err(tmp.display(), e))?;
        fs::rename(&tmp, path).map_err(|e| {
            let _ = fs::remove_file(&tmp);
            io_err(path.display(), e)
        })
    }

    /// Moves a finished, verified download into `archives/`.
    pub fn store_archive(&self, tmp: &Path, sha256: &str) -> Result<PathBuf> {
        let dest = self.archive_path(sha256);
        let parent = dest.parent().expect("archive paths have parents");
        fs::create_dir_all(parent).map_err(|e| io_err(parent.display(), e))?;
        fs::rename(tmp, &dest).map_err(|e| io_err(dest.display(), e))?;
        Ok(dest)
    }

    /// Moves a finished temporary tree to `trees/<id>`. If another run got
    /// there first, its tree (identical) is kept and ours removed.
    pub fn install_tree(&self, tmp: &Path, id: &str, skipped: &[Skipped]) -> Result<PathBuf> {
        let dest = self.tree_path(id);
        let parent = dest.parent().expect("tree paths have parents");
        fs::create_dir_all(parent).map_err(|e| io_err(parent.display(), e))?;
        // The report goes first: a tree without one reads as "nothing skipped".
        let report: Vec<Value> = skipped
            .iter()
            .map(|s| json!({"path": s.path, "reason": s.reason, "detail": s.detail}))
            .collect();
        self.write_atomic(
            &self.skipped_path(id),
            serde_json::to_string(&report)
                .unwrap_or_default()
                .as_bytes(),
        )?;
        match fs::rename(tmp, &dest) {
            Ok(()) => Ok(dest),
            Err(_) if dest.is_dir() => {
                remove_tree(tmp);
                Ok(dest)
            }
            Err(e) => {
                remove_tree(tmp);
                Err(io_err(dest.display(), e))
            }
        }
    }

    fn skipped_path(&self, id: &str) -> PathBuf {
        self.root.join("trees").join(format!("{id}.skipped.json"))
    }

    pub fn skipped(&self, id: &str) -> Vec<Skipped> {
        let Ok(text) = fs::read_to_string(self.skipped_path(id)) else {
            return Vec::new();
        };
        let Ok(Value::Array(items)) = serde_json::from_str::<Value>(&text) else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|v| {
                Some(Skipped {
                    path: v.get("path")?.as_str()?.to_string(),
                    reason: v.get("reason")?.as_str()?.to_string(),
                    detail: v.get("detail").and_then(Value::as_str).map(str::to_string),
                })
            })
            .collect()
    }

    pub fn read_meta(&self, registry: &str, name: &str, version: &str) -> Option<Meta> {
        let text = fs::read_to_string(self.meta_path(registry, name, version)).ok()?;
        Meta::from_json(&serde_json::from_str(&text).ok()?)
    }

    /// Stores `meta` as what `key_name` at `key_version` resolved to.
    pub fn write_meta(&self, key_name: &str, key_version: &str, meta: &Meta) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(&meta.to_json()).unwrap_or_default();
        self.write_atomic(
            &self.meta_path(&meta.registry, key_name, key_version),
            &bytes,
        )
    }

    pub fn read_resolved(&self, registry: &str, name: &str) -> Option<String> {
        let text = fs::read_to_string(self.resolved_path(registry, name)).ok()?;
        let v: Value = serde_json::from_str(&text).ok()?;
        v.get("version").and_then(Value::as_str).map(str::to_string)
    }

    pub fn write_resolved(&self, registry: &str, name: &str, version: &str) -> Result<()> {
        let bytes = serde_json::to_vec(&json!({ "version": version })).unwrap_or_default();
        self.write_atomic(&self.resolved_path(registry, name), &bytes)
    }
}

/// Marks a cache entry as just used (its mtime), so pruning by age removes
/// what no run has needed for longest. Best effort.
pub(crate) fn touch(p: &Path) {
    let now = std::time::SystemTime::now();
    let _ = match fs::File::open(p) {
        Ok(f) if p.is_dir() => f.set_modified(now),
        _ => fs::OpenOptions::new()
            .append(true)
            .open(p)
            .and_then(|f| f.set_modified(now)),
    };
}

/// Best-effort removal of a temporary tree.
pub(crate) fn remove_tree(p: &Path) {
    let _ = fs::remove_dir_all(p);
}
