//! Metadata read from a source tree itself: package.json, pyproject.toml,
//! PKG-INFO / METADATA and the README. Used for git and dir sources, and as
//! a fallback when a registry document lacks a field.

use std::fs;
use std::path::Path;

use serde_json::Value;

/// Most text kept for the category classifier (README, description).
pub const TEXT_LIMIT: usize = 64 * 1024;

#[derive(Debug, Default, Clone)]
pub(crate) struct LocalMeta {
    pub name: Option<String>,
    pub version: Option<String>,
    pub summary: Option<String>,
    pub keywords: Vec<String>,
    pub readme: Option<String>,
}

/// Cuts `s` to at most `TEXT_LIMIT` bytes on a character boundary.
pub(crate) fn truncate(mut s: String) -> String {
    if s.len() > TEXT_LIMIT {
        let mut end = TEXT_LIMIT;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

/// Empty and placeholder texts count as absent.
pub(crate) fn nonempty(s: Option<&str>) -> Option<String> {
    let t = s?.trim();
    if t.is_empty() || t == "UNKNOWN" || t.starts_with("ERROR: No README data found") {
        None
    } else {
        Some(truncate(t.to_string()))
    }
}

/// Keywords as a list: npm gives an array (old packages a string), PyPI a
/// comma- or space-separated string.
pub(crate) fn keywords(v: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = match v {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(|s| s.trim().to_string())
            .collect(),
        Some(Value::String(s)) => split_keywords(s),
        _ => Vec::new(),
    };
    out.retain(|k| !k.is_empty());
    out.dedup();
    out.truncate(100);
    out
}

fn split_keywords(s: &str) -> Vec<String> {
    if s.contains(',') {
        s.split(',').map(|k| k.trim().to_string()).collect()
    } else {
        s.split_whitespace().map(str::to_string).collect()
    }
}

fn read_small(path: &Path, limit: u64) -> Option<String> {
    use std::io::Read;
    let f = fs::File::open(path).ok()?;
    if !f.metadata().ok()?.is_file() {
        return None;
    }
    let mut buf = Vec::new();
    f.take(limit).read_to_end(&mut buf).ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// Reads what `root` says about itself.
pub(crate) fn read(root: &Path) -> LocalMeta {
    let mut m = LocalMeta::default();
    if let Some(text) = read_small(&root.join("package.json"), 4 << 20) {
        if let Ok(v) = serde_json::from_str::<Value>(&text) {
            m.name = v.get("name").and_then(Value::as_str).map(str::to_string);
            m.version = v.get("version").and_then(Value::as_str).map(str::to_string);
            m.summary = nonempty(v.get("description").and_then(Value::as_str));
            m.keywords = keywords(v.get("keywords"));
        }
    }
    if m.name.is_none() {
        if let Some(text) = read_small(&root.join("pyproject.toml"), 4 << 20) {
            if let Ok(v) = text.parse::<toml::Table>() {
                let project = v
                    .get("project")
                    .or_else(|| v.get("tool").and_then(|t| t.get("poetry")))
                    .and_then(|p| p.as_table());
                if let Some(p) = project {
                    let s = |k: &str| p.get(k).and_then(|x| x.as_str()).map(str::to_string);
                    m.name = s("name");
                    m.version = s("version");
                    m.summary = nonempty(s("description").as_deref());
                    if let Some(k) = p.get("keywords").and_then(|k| k.as_array()) {
                        m.keywords = k
                            .iter()
                            .filter_map(|x| x.as_str())
                            .map(str::to_string)
                            .collect();
                    }
                }
            }
        }
    }
    // sdists carry PKG-INFO, wheels `<name>.dist-info/METADATA`.
    let pkg_info = Some(root.join("PKG-INFO"))
        .filter(|p| p.is_file())
        .or_else(|| {
            fs::read_dir(root)
                .ok()?
                .flatten()
                .map(|e| e.path())
                .find(|p| {
                    p.extension().is_some_and(|e| e == "dist-info") && p.join("METADATA").is_file()
                })
                .map(|p| p.join("METADATA"))
        });
    if let Some(text) = pkg_info.and_then(|p| read_small(&p, 4 << 20)) {
        let (headers, body) = parse_core_metadata(&text);
        let h = |k: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.clone())
        };
        m.name = m.name.or_else(|| h("Name"));
        m.version = m.version.or_else(|| h("Version"));
        m.summary = m.summary.or_else(|| nonempty(h("Summary").as_deref()));
        if m.keywords.is_empty() {
            m.keywords = h("Keywords")
                .map(|k| split_keywords(&k))
                .unwrap_or_default();
        }
        m.readme = nonempty(h("Description").as_deref()).or_else(|| nonempty(Some(body)));
    }
    if m.readme.is_none() {
        m.readme = readme(root);
    }
    m
}

/// Python core metadata: RFC 822 headers, then the long description.
fn parse_core_metadata(text: &str) -> (Vec<(String, String)>, &str) {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        offset += line.len();
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            return (headers, &text[offset..]);
        }
        if l.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push('\n');
                last.1.push_str(l.trim());
            }
        } else if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    (headers, "")
}

/// The README at the top of `root`: `README.md` first, then any `readme*`.
pub(crate) fn readme(root: &Path) -> Option<String> {
    let mut best: Option<(u8, std::path::PathBuf)> = None;
    for e in fs::read_dir(root).ok()?.flatten() {
        let name = e.file_name().to_string_lossy().to_ascii_lowercase();
        if !name.starts_with("readme") {
            continue;
        }
        let rank = match name.as_str() {
            "readme.md" => 0,
            "readme.markdown" | "readme.rst" => 1,
            "readme" | "readme.txt" => 2,
            _ => 3,
        };
        if best.as_ref().is_none_or(|(r, _)| rank < *r) {
            best = Some((rank, e.path()));
        }
    }
    nonempty(read_small(&best?.1, TEXT_LIMIT as u64).as_deref())
}

/// Folders that are not the server's own code (the scanner skips them too),
/// left out of a dir fingerprint so an install does not change it.
const NOT_OWN: &[&str] = &[
    "node_modules",
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    "site-packages",
    ".tox",
];

/// A cheap change detector for a local tree: sha256 over the relative path,
/// size and modification time of every file (links are not followed).
pub(crate) fn fingerprint(root: &Path) -> String {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    let mut stack = vec![root.to_path_buf()];
    let mut seen = 0u32;
    while let Some(dir) = stack.pop() {
        let Ok(rd) = fs::read_dir(&dir) else { continue };
        let mut entries: Vec<_> = rd.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            seen += 1;
            if seen > 1_000_000 {
                break;
            }
            let Ok(md) = e.path().symlink_metadata() else {
                continue;
            };
            let name = e.file_name();
            if md.is_dir() {
                if !NOT_OWN.iter().any(|n| name == *n) {
                    stack.push(e.path());
                }
                continue;
            }
            let rel = e
                .path()
                .strip_prefix(root)
                .map(|r| r.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mtime = md
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            h.update(rel.as_bytes());
            h.update([0]);
            h.update(md.len().to_le_bytes());
            h.update(mtime.to_le_bytes());
        }
    }
    crate::http::hex(&h.finalize())
}

/// Files and bytes under `root` (links not followed), for limits on git checkouts.
pub(crate) fn tree_size(root: &Path) -> (u64, u64) {
    let (mut files, mut bytes) = (0u64, 0u64);
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = fs::read_dir(&dir) else { continue };
        for e in rd.flatten() {
            let Ok(md) = e.path().symlink_metadata() else {
                continue;
            };
            files += 1;
            if md.is_dir() {
                stack.push(e.path());
            } else {
                bytes += md.len();
            }
        }
    }
    (files, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_package_metadata() {
        let d = tempfile::tempdir().unwrap();
        fs::write(
            d.path().join("package.json"),
            r#"{"name":"@a/b","version":"1.2.3","description":"Talks to Slack","keywords":["mcp","slack"]}"#,
        )
        .unwrap();
        fs::write(d.path().join("Readme.md"), "# B\nA server.").unwrap();
        let m = read(d.path());
        assert_eq!(m.name.as_deref(), Some("@a/b"));
        assert_eq!(m.version.as_deref(), Some("1.2.3"));
        assert_eq!(m.summary.as_deref(), Some("Talks to Slack"));
        assert_eq!(m.keywords, ["mcp", "slack"]);
        assert_eq!(m.readme.as_deref(), Some("# B\nA server."));

        let d = tempfile::tempdir().unwrap();
        fs::write(
            d.path().join("PKG-INFO"),
            "Metadata-Version: 2.1\nName: mcp-x\nVersion: 0.1\nSummary: Queries Postgres\nKeywords: mcp,postgres\n\n# mcp-x\nlong text\n",
        )
        .unwrap();
        let m = read(d.path());
        assert_eq!(m.name.as_deref(), Some("mcp-x"));
        assert_eq!(m.summary.as_deref(), Some("Queries Postgres"));
        assert_eq!(m.keywords, ["mcp", "postgres"]);
        assert_eq!(m.readme.as_deref(), Some("# mcp-x\nlong text"));
    }

    #[test]
    fn truncates_on_char_boundary() {
        let s = "é".repeat(TEXT_LIMIT); // 2 bytes each
        let t = truncate(s);
        assert!(t.len() <= TEXT_LIMIT && t.is_char_boundary(t.len()));
        assert_eq!(
            keywords(Some(&Value::String("a, b,c".into()))),
            ["a", "b", "c"]
        );
        assert_eq!(keywords(Some(&Value::String("a b".into()))), ["a", "b"]);
    }
}
