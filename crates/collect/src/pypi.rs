//! PyPI: `/pypi/NAME/json` → sdist (or a pure-Python wheel, else a platform
//! wheel, whose Python is scanned and whose binaries the scan reports as
//! opaque) → verified, extracted tree.
//!
//! Only the project endpoint is used: some mirrors answer 404 to the
//! per-version one (`/pypi/NAME/VERSION/json`), and `releases[VERSION]` in
//! the project document holds the same files.

use serde_json::Value;

use crate::cache::{Cache, Meta};
use crate::error::{CollectError, ErrorKind, Result};
use crate::http::{self, Expected};
use crate::npm::resolve;
use crate::{
    cached, collected, ensure_tree, fetch_archive, local, pinned_or_cached, Collected, Config,
};

const METADATA_LIMIT: u64 = 100 << 20;

/// PEP 503 normalised name: the cache key, so `Foo_Bar` and `foo-bar` meet.
pub(crate) fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

pub(crate) fn collect(
    cfg: &Config,
    cache: &Cache,
    name: &str,
    version: Option<&str>,
) -> Result<Collected> {
    let key = normalize(name);
    let (pinned, hit) = pinned_or_cached(cfg, cache, "pypi", &key, version, |v| {
        format!("{name}=={v}")
    })?;
    if let Some(c) = hit {
        return Ok(c);
    }

    let meta_url = format!("{}/pypi/{}/json", cfg.pypi_url.trim_end_matches('/'), name);
    let (body, doc_url) = http::get_bytes(cfg, &meta_url, METADATA_LIMIT)?;
    let doc: Value = serde_json::from_slice(&body).map_err(|e| {
        CollectError::new(ErrorKind::BadMetadata, format!("{meta_url}: not JSON: {e}"))
    })?;
    drop(body);
    let info = doc.get("info").unwrap_or(&Value::Null);
    let latest = info.get("version").and_then(Value::as_str);
    let version = match (&pinned, latest) {
        (Some(v), _) => v.clone(),
        (None, Some(l)) => l.to_string(),
        (None, None) => {
            return Err(CollectError::new(
                ErrorKind::BadMetadata,
                format!("{meta_url}: no info.version"),
            ))
        }
    };
    let files = release_files(&doc, &version, latest).ok_or_else(|| {
        CollectError::new(
            ErrorKind::NotFound,
            format!(
                "version {version} is not in the index (latest: {})",
                latest.unwrap_or("none")
            ),
        )
    })?;
    // The key under which the version is cached is the index's spelling.
    let version = files.0;
    if pinned.as_deref() != Some(version.as_str()) {
        if let Some(c) = cached(cfg, cache, "pypi", &key, &version) {
            if pinned.is_none() {
                cache.write_resolved("pypi", &key, &version)?;
            }
            return Ok(c);
        }
    }
    let file = choose_file(files.1).ok_or_else(|| {
        let names: Vec<&str> = files
            .1
            .iter()
            .filter_map(|f| f.get("filename").and_then(Value::as_str))
            .collect();
        CollectError::new(
            ErrorKind::NoSource,
            if names.is_empty() {
                format!("{name}=={version} has no files")
            } else {
                format!(
                    "{name}=={version} has no sdist and no wheel (only {})",
                    names.join(", ")
                )
            },
        )
    })?;
    let link = file.get("url").and_then(Value::as_str).ok_or_else(|| {
        CollectError::new(
            ErrorKind::BadMetadata,
            format!("{name}=={version}: a file has no url"),
        )
    })?;
    let url = resolve(&doc_url, link)?;
    let expected = file
        .pointer("/digests/sha256")
        .and_then(Value::as_str)
        .and_then(http::unhex)
        .or_else(|| {
            link.split_once("#sha256=")
                .and_then(|(_, h)| http::unhex(h))
        })
        .filter(|b| b.len() == 32)
        .map(Expected::Sha256)
        .ok_or_else(|| {
            CollectError::new(
                ErrorKind::Integrity,
                format!("{name}=={version}: the index publishes no sha256"),
            )
        })?;
    if let Some(size) = file.get("size").and_then(Value::as_u64) {
        if size > cfg.max_archive_bytes {
            return Err(CollectError::new(
                ErrorKind::TooLarge,
                format!(
                    "{} is {size} bytes, over the {}-byte limit",
                    filename(file),
                    cfg.max_archive_bytes
                ),
            ));
        }
    }

    let (archive, sha256) = fetch_archive(cfg, cache, &url, Some(&expected))?;
    let tree = ensure_tree(cfg, cache, &archive, &sha256)?;
    // `info` describes the latest release; for an older one the archive's own
    // PKG-INFO / METADATA is the right text, `info` the fallback.
    let from_info = Meta {
        summary: local::nonempty(info.get("summary").and_then(Value::as_str)),
        keywords: local::keywords(info.get("keywords")),
        readme: local::nonempty(info.get("description").and_then(Value::as_str)),
        ..Meta::default()
    };
    let is_latest = latest.is_some_and(|l| l.eq_ignore_ascii_case(&version));
    let own = if is_latest && from_info.summary.is_some() && from_info.readme.is_some() {
        local::LocalMeta::default()
    } else {
        local::read(&crate::extract::tree_root(tree.dir()))
    };
    let (first, second) = if is_latest {
        (
            (from_info.summary, from_info.keywords, from_info.readme),
            (own.summary, own.keywords, own.readme),
        )
    } else {
        (
            (own.summary, own.keywords, own.readme),
            (from_info.summary, from_info.keywords, from_info.readme),
        )
    };
    let meta = Meta {
        registry: "pypi".into(),
        name: info
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(name)
            .to_string(),
        version: version.clone(),
        digest: format!("sha256:{sha256}"),
        tree: sha256.clone(),
        url: http::redact(&url),
        summary: first.0.or(second.0),
        keywords: if first.1.is_empty() {
            second.1
        } else {
            first.1
        },
        readme: first.2.or(second.2),
    };
    cache.write_meta(&key, &meta.version, &meta)?;
    if pinned.is_none() {
        cache.write_resolved("pypi", &key, &version)?;
    }
    collected(cache, &meta, tree, false, None)
}

fn filename(f: &Value) -> &str {
    f.get("filename").and_then(Value::as_str).unwrap_or("?")
}

/// The files of `version`: `releases[version]` (exact, then case-insensitive
/// key), or `urls` when it is the latest. Returns the index's spelling of the version.
fn release_files<'a>(
    doc: &'a Value,
    version: &str,
    latest: Option<&str>,
) -> Option<(String, &'a [Value])> {
    if let Some(releases) = doc.get("releases").and_then(Value::as_object) {
        let hit = releases.get_key_value(version).or_else(|| {
            releases
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(version))
        });
        if let Some((k, Value::Array(files))) = hit {
            if !files.is_empty() || latest != Some(k.as_str()) {
                return Some((k.clone(), files));
            }
        }
    }
    if latest.is_some_and(|l| l.eq_ignore_ascii_case(version)) {
        if let Some(Value::Array(files)) = doc.get("urls") {
            return Some((latest.unwrap_or(version).to_string(), files));
        }
    }
    None
}

/// The sdist (any of .tar.gz/.tar/.zip), else a wheel for any platform
/// (`-none-any.whl`), else a platform wheel (this machine's first, then any):
/// files not yanked first.
fn choose_file(files: &[Value]) -> Option<&Value> {
    source_file(files)
        .or_else(|| platform_wheel(files, std::env::consts::OS, std::env::consts::ARCH))
}

fn name(f: &Value) -> String {
    filename(f).to_ascii_lowercase()
}

fn yanked(f: &Value) -> bool {
    f.get("yanked").and_then(Value::as_bool).unwrap_or(false)
}

fn source_file(files: &[Value]) -> Option<&Value> {
    let sdist = |f: &Value| {
        let n = name(f);
        f.get("packagetype")
            .and_then(Value::as_str)
            .is_none_or(|t| t == "sdist")
            && [".tar.gz", ".tgz", ".tar", ".zip"]
                .iter()
                .any(|e| n.ends_with(e))
    };
    let pure_wheel = |f: &Value| name(f).ends_with("-none-any.whl");
    for want_unyanked in [true, false] {
        let ok = |f: &&Value| !want_unyanked || !yanked(f);
        if let Some(f) = files.iter().filter(ok).find(|f| sdist(f)) {
            return Some(f);
        }
        // Prefer a py3 wheel over a py2-only one.
        let mut wheels: Vec<&Value> = files.iter().filter(ok).filter(|f| pure_wheel(f)).collect();
        wheels.sort_by_key(|f| !name(f).contains("py3"));
        if let Some(f) = wheels.first() {
            return Some(f);
        }
    }
    None
}

/// A binary wheel, best first: not yanked, built for `os`/`arch`, for
/// Python 3. Any wheel beats none: its Python files are what we scan.
fn platform_wheel<'a>(files: &'a [Value], os: &str, arch: &str) -> Option<&'a Value> {
    files
        .iter()
        .filter(|f| name(f).ends_with(".whl"))
        .min_by_key(|f| {
            let n = name(f);
            (
                yanked(f),
                !platform_matches(platform_tag(&n), os, arch),
                !(n.contains("-cp3") || n.contains("-py3")),
            )
        })
}

/// The platform part of a wheel name (`manylinux_2_17_x86_64.manylinux2014_x86_64`).
fn platform_tag(wheel: &str) -> &str {
    let stem = wheel.strip_suffix(".whl").unwrap_or(wheel);
    stem.rsplit('-').next().unwrap_or("")
}

fn platform_matches(tag: &str, os: &str, arch: &str) -> bool {
    let os_words: &[&str] = match os {
        "linux" => &["linux"],
        "macos" => &["macosx"],
        "windows" => &["win"],
        _ => &[],
    };
    let arch_words: &[&str] = match arch {
        "x86_64" => &["x86_64", "amd64", "universal2", "intel"],
        "aarch64" => &["aarch64", "arm64", "universal2"],
        "x86" => &["i686", "win32"],
        _ => &[],
    };
    tag.split('.').any(|t| {
        os_words
            .iter()
            .any(|o| t.starts_with(o) || t.contains(&format!("{o}_")))
            && (arch_words.iter().any(|a| t.ends_with(a)) || t == "win32" && arch == "x86")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn normalizes_names() {
        assert_eq!(normalize("MCP_Server..Time"), "mcp-server-time");
        assert_eq!(normalize("a-b"), "a-b");
    }

    #[test]
    fn prefers_sdist_then_pure_wheel() {
        let f = |n: &str, t: &str| json!({"filename": n, "packagetype": t});
        let files = vec![
            f("x-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", "bdist_wheel"),
            f("x-1.0-py3-none-any.whl", "bdist_wheel"),
            f("x-1.0.tar.gz", "sdist"),
        ];
        assert_eq!(filename(choose_file(&files).unwrap()), "x-1.0.tar.gz");
        assert_eq!(
            filename(choose_file(&files[..2]).unwrap()),
            "x-1.0-py3-none-any.whl"
        );
        assert!(source_file(&files[..1]).is_none());
        let y = vec![
            json!({"filename": "x-1.0.tar.gz", "packagetype": "sdist", "yanked": true}),
            f("x-1.0-py2.py3-none-any.whl", "bdist_wheel"),
        ];
        assert_eq!(
            filename(choose_file(&y).unwrap()),
            "x-1.0-py2.py3-none-any.whl"
        );
    }

    #[test]
    fn platform_wheels_this_platform_first() {
        let f = |n: &str| json!({"filename": n, "packagetype": "bdist_wheel"});
        let files = vec![
            f("x-1.0-cp312-cp312-win_amd64.whl"),
            f("x-1.0-cp312-cp312-macosx_11_0_arm64.whl"),
            f("x-1.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl"),
            f("x-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
            f("x-1.0-cp312-cp312-musllinux_1_1_x86_64.whl"),
        ];
        let pick = |os, arch| filename(platform_wheel(&files, os, arch).unwrap()).to_string();
        assert_eq!(pick("linux", "x86_64"), filename(&files[3]));
        assert_eq!(pick("linux", "aarch64"), filename(&files[2]));
        assert_eq!(pick("macos", "aarch64"), filename(&files[1]));
        assert_eq!(pick("windows", "x86_64"), filename(&files[0]));
        // No wheel for this platform: any wheel.
        assert_eq!(pick("freebsd", "riscv64"), filename(&files[0]));
        assert!(platform_wheel(&[json!({"filename": "x-1.0.exe"})], "linux", "x86_64").is_none());
        // Only platform wheels: choose_file falls back to one.
        assert!(choose_file(&files).is_some());
    }

    #[test]
    fn finds_release_files() {
        let doc = json!({"info": {"version": "2.0"}, "releases": {"1.0RC1": [{"filename": "a"}], "2.0": []}, "urls": [{"filename": "b"}]});
        assert_eq!(
            release_files(&doc, "1.0rc1", Some("2.0")).unwrap().0,
            "1.0RC1"
        );
        assert_eq!(
            filename(&release_files(&doc, "2.0", Some("2.0")).unwrap().1[0]),
            "b"
        );
        assert!(release_files(&doc, "3.0", Some("2.0")).is_none());
    }
}
