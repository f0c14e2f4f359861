//! Fetching MCP server sources safely: npm tarballs, PyPI sdists/wheels, git
//! repositories and local directories, into a verified content cache.
//!
//! - Nothing from a package is ever run: archives are fetched directly (no
//!   `npm install`, no `pip download`) and unpacked here, with path, link,
//!   size, count and compression-ratio limits (see [`extract`]).
//! - Archives are checked against the registry's published checksum.
//! - Archive URLs come only from registry metadata, resolved against the
//!   metadata URL (mirrors answer with relative links).
//! - The cache layout is described in `cache.rs`; every write is a rename of
//!   a finished temporary file, so `collect` is safe to call from many
//!   threads (and processes) at once.

mod cache;
mod config;
mod crates;
pub mod discover;
mod error;
pub mod extract;
mod git;
mod http;
mod list;
mod local;
mod npm;
mod prune;
mod pypi;
mod source;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

pub use config::{Config, DEFAULT_NPM_REGISTRY, DEFAULT_PYPI_URL, RATIO_FLOOR};
pub use error::{CollectError, ErrorKind};
pub use extract::Skipped;
pub use list::{from_dir, read_list, ListEntry, ListError};
pub use local::TEXT_LIMIT;
pub use prune::{parse_size, prune, PruneOptions, PruneReport};
pub use source::Source;

use cache::{Cache, Meta};
use error::{io_err, Result};

/// A collected source, ready to scan.
#[derive(Debug, Clone)]
pub struct Collected {
    pub source: Source,
    /// `npm`, `pypi`, `git` or `dir`.
    pub registry: String,
    /// The registry's spelling of the name; the URL for git; the package
    /// name (package.json/pyproject) or folder name for a dir.
    pub name: String,
    /// The resolved version; the commit for git; the declared version (or "") for a dir.
    pub version: String,
    /// The tree to scan (npm's `package/`, an sdist's top folder, a wheel's root,
    /// a git checkout or its subdir, or the dir itself).
    pub root: PathBuf,
    /// `sha256:<hex>` of the archive; `git:<commit>`; for a dir, `dir:<hex>`
    /// over the paths, sizes and modification times of its files.
    pub digest: String,
    /// Nothing was downloaded.
    pub from_cache: bool,
    /// Description / summary, at most [`TEXT_LIMIT`] bytes.
    pub summary: Option<String>,
    pub keywords: Vec<String>,
    /// README text, at most [`TEXT_LIMIT`] bytes.
    pub readme: Option<String>,
    /// Wall time of this `collect` call.
    pub ms: u64,
    /// Archive entries that were not written (links, devices, conflicts).
    pub skipped: Vec<Skipped>,
    /// The cached archive, for npm and PyPI sources.
    pub archive: Option<PathBuf>,
    /// Set when `root` lies in a temporary tree, removed once the last
    /// clone of this `Collected` is dropped.
    temp_tree: Option<Arc<TempTree>>,
}

impl Collected {
    /// Whether `root` disappears when this collection is dropped.
    pub fn is_temporary(&self) -> bool {
        self.temp_tree.is_some()
    }
}

/// A tree unpacked for one scan; removed when dropped.
#[derive(Debug)]
struct TempTree(PathBuf);

impl Drop for TempTree {
    fn drop(&mut self) {
        cache::remove_tree(&self.0);
    }
}

/// An unpacked tree: kept in `trees/`, or temporary.
pub(crate) struct Tree {
    dir: PathBuf,
    skipped: Vec<Skipped>,
    temp: Option<Arc<TempTree>>,
}

impl Tree {
    /// A tree kept in the cache under `trees/<id>`.
    fn kept(cache: &Cache, id: &str) -> Tree {
        Tree {
            dir: cache.tree_path(id),
            skipped: cache.skipped(id),
            temp: None,
        }
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Fetches (or finds in the cache) one source and returns where its tree is.
pub fn collect(cfg: &Config, src: &Source) -> std::result::Result<Collected, CollectError> {
    let started = Instant::now();
    let mut c = match src {
        Source::Dir(p) => local_dir(p),
        _ => {
            std::fs::create_dir_all(&cfg.cache_dir)
                .map_err(|e| io_err(format!("cache directory {}", cfg.cache_dir.display()), e))?;
            // Absolute paths in `Collected::root`, whatever the caller's cwd later is.
            let root = cfg
                .cache_dir
                .canonicalize()
                .map_err(|e| io_err(cfg.cache_dir.display(), e))?;
            let cache = Cache::new(&root);
            match src {
                Source::Npm { name, version } => {
                    npm::collect(cfg, &cache, name, version.as_deref())
                }
                Source::Pypi { name, version } => {
                    pypi::collect(cfg, &cache, name, version.as_deref())
                }
                Source::Crates { name, version } => {
                    crates::collect(cfg, &cache, name, version.as_deref())
                }
                Source::Git { url, rev, subdir } => {
                    git::collect(cfg, &cache, url, rev.as_deref(), subdir.as_deref())
                }
                Source::Dir(_) => unreachable!(),
            }
        }
    }
    .map_err(|e| e.context(&src.key()))?;
    c.source = src.clone();
    c.ms = started.elapsed().as_millis() as u64;
    Ok(c)
}

/// `Collected` for an unpacked tree, with the metadata the cache remembers.
fn collected(
    cache: &Cache,
    meta: &Meta,
    tree: Tree,
    from_cache: bool,
    subdir: Option<&str>,
) -> Result<Collected> {
    let mut root = extract::tree_root(&tree.dir);
    if let Some(d) = subdir {
        root = root.join(d);
        if !root.is_dir() {
            return Err(CollectError::new(
                ErrorKind::NotFound,
                format!("no directory `{d}` in {}", meta.url),
            ));
        }
    }
    let archive = meta
        .digest
        .strip_prefix("sha256:")
        .map(|h| cache.archive_path(h))
        .filter(|p| p.is_file());
    Ok(Collected {
        source: Source::Dir(PathBuf::new()), // set by `collect`
        registry: meta.registry.clone(),
        name: meta.name.clone(),
        version: meta.version.clone(),
        root,
        digest: meta.digest.clone(),
        from_cache,
        summary: meta.summary.clone(),
        keywords: meta.keywords.clone(),
        readme: meta.readme.clone(),
        ms: 0,
        skipped: tree.skipped,
        archive,
        temp_tree: tree.temp,
    })
}

/// A cached version: its kept tree, or its archive (checked against its
/// digest) unpacked again.
fn cached(
    cfg: &Config,
    cache: &Cache,
    registry: &str,
    key_name: &str,
    version: &str,
) -> Option<Collected> {
    let meta = cache.read_meta(registry, key_name, version)?;
    let tree = if cache.tree_path(&meta.tree).is_dir() {
        cache::touch(&cache.tree_path(&meta.tree));
        Tree::kept(cache, &meta.tree)
    } else {
        let sha = meta.digest.strip_prefix("sha256:")?;
        let archive = cache.archive_path(sha);
        // The file name is its digest; check it still is before trusting it.
        if http::sha256_file(&archive).ok()? != sha {
            return None;
        }
        cache::touch(&archive);
        ensure_tree(cfg, cache, &archive, sha).ok()?
    };
    collected(cache, &meta, tree, true, None).ok()
}

/// Unpacks a verified archive: into `trees/<sha256>` with `keep_trees` (or
/// when a kept tree is there already), else into a temporary tree.
fn ensure_tree(cfg: &Config, cache: &Cache, archive: &Path, sha256: &str) -> Result<Tree> {
    if cache.tree_path(sha256).is_dir() {
        return Ok(Tree::kept(cache, sha256));
    }
    let tmp = cache.temp_path("tree")?;
    std::fs::create_dir_all(&tmp).map_err(|e| io_err(tmp.display(), e))?;
    let limits = extract::Limits {
        max_unpacked_bytes: cfg.max_unpacked_bytes,
        max_files: cfg.max_files,
        max_ratio: cfg.max_ratio,
    };
    match extract::extract(archive, &tmp, &limits) {
        Ok(skipped) if cfg.keep_trees => {
            let dir = cache.install_tree(&tmp, sha256, &skipped)?;
            Ok(Tree {
                dir,
                skipped,
                temp: None,
            })
        }
        Ok(skipped) => Ok(Tree {
            dir: tmp.clone(),
            skipped,
            temp: Some(Arc::new(TempTree(tmp))),
        }),
        Err(e) => {
            cache::remove_tree(&tmp);
            Err(e)
        }
    }
}

/// Downloads `url` into the cache, checked against `expected`; returns the
/// archive path and its sha256.
fn fetch_archive(
    cfg: &Config,
    cache: &Cache,
    url: &str,
    expected: Option<&http::Expected>,
) -> Result<(PathBuf, String)> {
    let tmp = cache.temp_path("download")?;
    match http::download(cfg, url, &tmp, cfg.max_archive_bytes, expected) {
        Ok(d) => {
            let path = cache.store_archive(&tmp, &d.sha256).inspect_err(|_| {
                let _ = std::fs::remove_file(&tmp);
            })?;
            Ok((path, d.sha256))
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Removes leftovers of interrupted runs from `CACHE/tmp` that are older
/// than `older_than` (pass a margin longer than any run still going, e.g. a
/// day); returns how many were removed. Call it at the start of a run.
pub fn clean_tmp(cfg: &Config, older_than: std::time::Duration) -> std::io::Result<usize> {
    let dir = cfg.cache_dir.join("tmp");
    let rd = match std::fs::read_dir(&dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut n = 0;
    for e in rd.flatten() {
        let Ok(md) = e.path().symlink_metadata() else {
            continue;
        };
        let old = md
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > older_than);
        if old {
            let r = if md.is_dir() {
                std::fs::remove_dir_all(e.path())
            } else {
                std::fs::remove_file(e.path())
            };
            if r.is_ok() {
                n += 1;
            }
        }
    }
    Ok(n)
}

/// Before any request to a registry: the version asked for (offline, the one
/// last resolved) and, when that version is cached, the collection itself.
/// `spelled` writes name and version as the registry does (`x@1.0`, `x==1.0`).
fn pinned_or_cached(
    cfg: &Config,
    cache: &Cache,
    registry: &str,
    key: &str,
    version: Option<&str>,
    spelled: impl Fn(&str) -> String,
) -> Result<(Option<String>, Option<Collected>)> {
    let pinned = match version {
        Some(v) => Some(v.to_string()),
        None if cfg.offline => Some(
            cache
                .read_resolved(registry, key)
                .ok_or_else(|| offline_miss("never resolved"))?,
        ),
        None => None,
    };
    if let Some(v) = &pinned {
        if let Some(c) = cached(cfg, cache, registry, key, v) {
            return Ok((pinned, Some(c)));
        }
        if cfg.offline {
            return Err(offline_miss(&spelled(v)));
        }
    }
    Ok((pinned, None))
}

fn offline_miss(what: &str) -> CollectError {
    CollectError::new(
        ErrorKind::OfflineMiss,
        format!("not in the cache ({what}) and offline mode is on"),
    )
}

/// A local directory: used in place, described by its own metadata.
fn local_dir(p: &Path) -> Result<Collected> {
    let md = std::fs::metadata(p)
        .map_err(|e| CollectError::new(ErrorKind::NotFound, format!("{}: {e}", p.display())))?;
    if !md.is_dir() {
        return Err(CollectError::new(
            ErrorKind::NotFound,
            format!("{} is not a directory", p.display()),
        ));
    }
    let m = local::read(p);
    let folder = p
        .canonicalize()
        .ok()
        .and_then(|c| c.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| p.display().to_string());
    Ok(Collected {
        source: Source::Dir(p.to_path_buf()),
        registry: "dir".into(),
        name: m.name.unwrap_or(folder),
        version: m.version.unwrap_or_default(),
        root: p.to_path_buf(),
        digest: format!("dir:{}", local::fingerprint(p)),
        from_cache: false,
        summary: m.summary,
        keywords: m.keywords,
        readme: m.readme,
        ms: 0,
        skipped: Vec::new(),
        archive: None,
        temp_tree: None,
    })
}
