//! Listing files: which servers to collect.
//!
//! - TSV / CSV with a header row: a `source` column, or `registry` + `name`
//!   (+ `version`) columns; optional `category`, `popularity`; every other
//!   non-empty column is kept in `extra`. `#` starts a comment line.
//! - JSONL: one object per line with the same keys.
//! - MCP registry `server.json` documents: one object, an array, a registry
//!   API answer (`{"servers": [...]}`, entries optionally wrapped in
//!   `{"server": ...}`), or a directory of `*.json` files. Each server gives
//!   one entry: its first npm/PyPI package, else its repository as a git
//!   source; servers with neither (remote-only) are left out.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::Source;

/// One server to collect, with what the list says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// 1-based line of the row (TSV/CSV/JSONL), or 1-based position of the
    /// server in a server.json document; position in the folder for `from_dir`.
    pub line: usize,
    pub source: Source,
    pub category: Option<String>,
    pub popularity: Option<String>,
    /// Other non-empty columns (e.g. `summary`, `stars`), by lower-case name.
    pub extra: BTreeMap<String, String>,
}

/// A listing that cannot be read, with the file and the line (or entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for ListError {}

fn err(file: &Path, line: Option<usize>, message: impl Into<String>) -> ListError {
    ListError {
        file: file.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// Reads a listing file (or a directory of server.json files).
pub fn read_list(path: &Path) -> Result<Vec<ListEntry>, ListError> {
    if path.is_dir() {
        return read_server_dir(path);
    }
    let bytes = fs::read(path).map_err(|e| err(path, None, format!("cannot read: {e}")))?;
    let text =
        String::from_utf8(bytes).map_err(|e| err(path, None, format!("not UTF-8 text: {e}")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "jsonl" | "ndjson" => read_jsonl(path, text),
        "json" => match serde_json::from_str::<Value>(text) {
            Ok(v) => read_json_doc(path, &v, None),
            // Several objects, one per line, in a .json file.
            Err(_) if text.trim_start().starts_with('{') && text.trim().lines().count() > 1 => {
                read_jsonl(path, text)
            }
            Err(e) => Err(err(path, Some(e.line()), format!("invalid JSON: {e}"))),
        },
        "csv" => read_delimited(path, text, b','),
        "tsv" | "tab" => read_delimited(path, text, b'\t'),
        _ => {
            let first = text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with('#'))
                .unwrap_or("");
            if first.starts_with('{') {
                read_jsonl(path, text)
            } else if first.starts_with('[') {
                let v = serde_json::from_str::<Value>(text)
                    .map_err(|e| err(path, Some(e.line()), format!("invalid JSON: {e}")))?;
                read_json_doc(path, &v, None)
            } else if first.contains('\t') {
                read_delimited(path, text, b'\t')
            } else {
                read_delimited(path, text, b',')
            }
        }
    }
}

/// Every subfolder of `dir` (hidden ones aside) is a `dir:` source, in name order.
pub fn from_dir(dir: &Path) -> Result<Vec<ListEntry>, ListError> {
    let rd =
        fs::read_dir(dir).map_err(|e| err(dir, None, format!("cannot read directory: {e}")))?;
    let mut dirs: Vec<PathBuf> = rd
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
        .map(|e| e.path())
        .collect();
    dirs.sort();
    Ok(dirs
        .into_iter()
        .enumerate()
        .map(|(i, p)| ListEntry {
            line: i + 1,
            source: Source::Dir(p),
            category: None,
            popularity: None,
            extra: BTreeMap::new(),
        })
        .collect())
}

/// Column names that are not kept in `extra` once used.
const CONSUMED: &[&str] = &["source", "category", "popularity"];

/// Builds an entry from one row's (lower-case key, value) pairs.
fn row_entry(fields: Vec<(String, String)>, line: usize) -> Result<ListEntry, String> {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, v)| n == k && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
    };
    let mut used: Vec<&str> = CONSUMED.to_vec();
    let source = if let Some(s) = get("source") {
        Source::parse(&s)?
    } else if let Some(reg) = get("registry") {
        let name = get("name");
        let version = get("version");
        used.extend(["registry", "name", "version"]);
        match reg.to_ascii_lowercase().as_str() {
            "npm" => Source::npm(name.as_deref().ok_or("empty `name`")?, version.as_deref())?,
            "pypi" | "pip" | "python" => {
                Source::pypi(name.as_deref().ok_or("empty `name`")?, version.as_deref())?
            }
            "crates" | "cargo" | "crates.io" | "rust" => {
                Source::crates(name.as_deref().ok_or("empty `name`")?, version.as_deref())?
            }
            "git" | "github" => {
                used.extend(["url", "rev", "subdir", "subfolder"]);
                let url = get("url").or(name).ok_or("empty `url`/`name`")?;
                let rev = get("rev").or(version);
                let subdir = get("subdir").or_else(|| get("subfolder"));
                Source::git(&url, rev.as_deref(), subdir.as_deref())?
            }
            "dir" | "local" => {
                used.push("path");
                Source::Dir(PathBuf::from(
                    get("path").or(name).ok_or("empty `path`/`name`")?,
                ))
            }
            other => {
                return Err(format!(
                    "unknown registry `{other}` (expected npm, pypi, crates, git or dir)"
                ))
            }
        }
    } else {
        return Err("no `source` value (nor `registry` + `name`)".into());
    };
    let extra = fields
        .iter()
        .filter(|(k, v)| !used.contains(&k.as_str()) && !v.trim().is_empty())
        .map(|(k, v)| (k.clone(), v.trim().to_string()))
        .collect();
    Ok(ListEntry {
        line,
        source,
        category: get("category"),
        popularity: get("popularity"),
        extra,
    })
}

fn read_delimited(path: &Path, text: &str, delim: u8) -> Result<Vec<ListEntry>, ListError> {
    // csv counts neither blank nor comment lines, and a record's position is
    // where the parser started, before the blank and comment lines it skipped:
    // step over those, then count newlines.
    let newlines: Vec<usize> = text
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let bytes = text.as_bytes();
    let line_of = |p: Option<&csv::Position>| {
        let mut i = p?.byte() as usize;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' | b'\r' => i += 1,
                b'#' => {
                    i = bytes[i..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(bytes.len(), |n| i + n + 1)
                }
                _ => break,
            }
        }
        Some(newlines.partition_point(|&nl| nl < i) + 1)
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        // TSV has no quoting: a summary may hold a lone '"'.
        .quoting(delim != b'\t')
        .flexible(true)
        .comment(Some(b'#'))
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = rdr.records();
    let header = loop {
        match records.next() {
            None => return Err(err(path, None, "empty list: no header row")),
            Some(Err(e)) => return Err(err(path, line_of(e.position()), format!("{e}"))),
            Some(Ok(r)) if r.iter().all(|f| f.trim().is_empty()) => continue,
            Some(Ok(r)) => break r,
        }
    };
    let header_line = line_of(header.position()).unwrap_or(1);
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let has = |k: &str| names.iter().any(|n| n == k);
    if !has("source") && !(has("registry") && (has("name") || has("url") || has("path"))) {
        return Err(err(
            path,
            Some(header_line),
            format!(
                "the header row needs a `source` column, or `registry` and `name` columns (found: {})",
                names.join(", ")
            ),
        ));
    }
    let mut out = Vec::new();
    for rec in records {
        let rec = rec.map_err(|e| err(path, line_of(e.position()), format!("{e}")))?;
        let line = line_of(rec.position()).unwrap_or(0);
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rec.len() > names.len() {
            return Err(err(
                path,
                Some(line),
                format!("{} fields, but the header has {}", rec.len(), names.len()),
            ));
        }
        let fields = names
            .iter()
            .cloned()
            .zip(rec.iter().map(str::to_string))
            .collect();
        out.push(row_entry(fields, line).map_err(|m| err(path, Some(line), m))?);
    }
    Ok(out)
}

fn json_fields(obj: &serde_json::Map<String, Value>) -> Vec<(String, String)> {
    obj.iter()
        .filter_map(|(k, v)| {
            let s = match v {
                Value::Null => return None,
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                other => other.to_string(),
            };
            Some((k.to_ascii_lowercase(), s))
        })
        .collect()
}

fn read_jsonl(path: &Path, text: &str) -> Result<Vec<ListEntry>, ListError> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let line = i + 1;
        let l = l.trim();
        if l.is_empty() || l.starts_with('#') || l.starts_with("//") {
            continue;
        }
        let v: Value = serde_json::from_str(l)
            .map_err(|e| err(path, Some(line), format!("invalid JSON: {e}")))?;
        let Value::Object(obj) = &v else {
            return Err(err(path, Some(line), "expected a JSON object"));
        };
        let e = if is_server_doc(obj) {
            server_entry(&v, line)
        } else {
            row_entry(json_fields(obj), line).map(Some)
        };
        if let Some(e) = e.map_err(|m| err(path, Some(line), m))? {
            out.push(e);
        }
    }
    Ok(out)
}

fn is_server_doc(obj: &serde_json::Map<String, Value>) -> bool {
    !obj.contains_key("source")
        && (obj.contains_key("packages")
            || obj.contains_key("repository")
            || obj.contains_key("server"))
}

/// One document: a server, a list row, an array of either, or `{"servers": [...]}`.
fn read_json_doc(
    path: &Path,
    v: &Value,
    file_tag: Option<&str>,
) -> Result<Vec<ListEntry>, ListError> {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Object(o) => match o.get("servers") {
            Some(Value::Array(a)) => a.iter().collect(),
            _ => vec![v],
        },
        _ => return Err(err(path, None, "expected a JSON object or array")),
    };
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let n = i + 1;
        let where_ = |m: String| err(path, Some(n), format!("entry {n}: {m}"));
        let Value::Object(obj) = item else {
            return Err(where_("expected a JSON object".into()));
        };
        let e = if is_server_doc(obj)
            || !(obj.contains_key("source") || obj.contains_key("registry"))
        {
            server_entry(item, n)
        } else {
            row_entry(json_fields(obj), n).map(Some)
        };
        if let Some(mut e) = e.map_err(where_)? {
            if let Some(t) = file_tag {
                e.extra.insert("list_file".into(), t.to_string());
            }
            out.push(e);
        }
    }
    Ok(out)
}

fn read_server_dir(dir: &Path) -> Result<Vec<ListEntry>, ListError> {
    let rd =
        fs::read_dir(dir).map_err(|e| err(dir, None, format!("cannot read directory: {e}")))?;
    let mut files: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
                && p.is_file()
        })
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text =
            fs::read_to_string(&f).map_err(|e| err(&f, None, format!("cannot read: {e}")))?;
        let v: Value = serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(&text))
            .map_err(|e| err(&f, Some(e.line()), format!("invalid JSON: {e}")))?;
        let tag = f.file_name().map(|n| n.to_string_lossy().into_owned());
        out.extend(read_json_doc(&f, &v, tag.as_deref())?);
    }
    Ok(out)
}

/// A server.json document (possibly wrapped as `{"server": {...}, "_meta": ...}`).
fn server_entry(doc: &Value, line: usize) -> Result<Option<ListEntry>, String> {
    let doc = match doc.get("server") {
        Some(inner @ Value::Object(_)) => inner,
        _ => doc,
    };
    let s = |v: &Value, keys: &[&str]| {
        keys.iter()
            .find_map(|k| v.get(*k).and_then(Value::as_str))
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
    };
    let mut source = None;
    if let Some(pkgs) = doc.get("packages").and_then(Value::as_array) {
        for p in pkgs {
            let reg = s(
                p,
                &[
                    "registryType",
                    "registry_type",
                    "registryName",
                    "registry_name",
                ],
            )
            .map(|r| r.to_ascii_lowercase());
            let ident = s(p, &["identifier", "name"]);
            let version = s(p, &["version"]);
            let (Some(reg), Some(ident)) = (reg, ident) else {
                continue;
            };
            source = match reg.as_str() {
                "npm" => Some(Source::npm(&ident, version.as_deref())?),
                "pypi" => Some(Source::pypi(&ident, version.as_deref())?),
                _ => None, // oci, nuget, mcpb, ...: not source packages we fetch
            };
            if source.is_some() {
                break;
            }
        }
    }
    if source.is_none() {
        if let Some(repo) = doc.get("repository") {
            if let Some(url) = s(repo, &["url"]) {
                source = Some(Source::git(
                    &url,
                    None,
                    s(repo, &["subfolder", "subdir"]).as_deref(),
                )?);
            }
        }
    }
    let Some(source) = source else {
        return Ok(None);
    };
    let mut extra = BTreeMap::new();
    for (key, field) in [
        ("server_name", "name"),
        ("description", "description"),
        ("server_version", "version"),
        ("website_url", "websiteUrl"),
    ] {
        if let Some(v) = s(doc, &[field]) {
            extra.insert(key.to_string(), v);
        }
    }
    Ok(Some(ListEntry {
        line,
        source,
        category: None,
        popularity: None,
        extra,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        fs::write(&p, text).unwrap();
        p
    }

    fn keys(v: &[ListEntry]) -> Vec<String> {
        v.iter().map(|e| e.source.key()).collect()
    }

    #[test]
    fn tsv_with_source_column() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "l.tsv",
            "# comment\nsource\tcategory\tpopularity\tstars\tsummary\nnpm:@a/b@1.0.0\tdatabases\t1200\t\tsays \"hi\n\npypi:x==2\t\t\t33\t\n",
        );
        let v = read_list(&p).unwrap();
        assert_eq!(keys(&v), ["npm:@a/b@1.0.0", "pypi:x==2"]);
        assert_eq!(v[0].line, 3);
        assert_eq!(v[0].category.as_deref(), Some("databases"));
        assert_eq!(v[0].popularity.as_deref(), Some("1200"));
        assert_eq!(
            v[0].extra.get("summary").map(String::as_str),
            Some("says \"hi")
        );
        assert!(!v[0].extra.contains_key("stars"));
        assert_eq!(v[1].extra.get("stars").map(String::as_str), Some("33"));
        assert_eq!(v[1].line, 5);
    }

    #[test]
    fn tsv_with_registry_columns() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "l.tsv",
            "registry\tname\tversion\tpopularity\nnpm\t@s/n\t3.3.0\t34018\npypi\tmcp-x\t\t\n",
        );
        let v = read_list(&p).unwrap();
        assert_eq!(keys(&v), ["npm:@s/n@3.3.0", "pypi:mcp-x"]);
        assert!(v[0].extra.is_empty(), "{:?}", v[0].extra);
    }

    #[test]
    fn real_dev_sample_if_present() {
        let p =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ecosystem/dev-sample.tsv");
        if !p.exists() {
            eprintln!("skipped: {} not present", p.display());
            return;
        }
        let v = read_list(&p).unwrap();
        let rows = fs::read_to_string(&p)
            .unwrap()
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .count();
        assert_eq!(v.len(), rows);
        assert!(v
            .iter()
            .all(|e| matches!(e.source.registry(), "npm" | "pypi")));
        assert!(v.iter().all(|e| e.source.version().is_some()));
        assert!(v.iter().any(|e| e.extra.contains_key("summary")));
        assert!(v.iter().all(|e| e.popularity.is_some()));
    }

    #[test]
    fn csv_with_quotes() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "l.csv",
            "Source,Category,Summary\r\n\"npm:x@1.0.0\",search,\"Finds things, fast\"\r\npypi:y,,\"He said \"\"hi\"\"\nover two lines\"\r\ngit:https://h.example/o/r@v1#pkg,dev,\r\n",
        );
        let v = read_list(&p).unwrap();
        assert_eq!(
            keys(&v),
            ["npm:x@1.0.0", "pypi:y", "git:https://h.example/o/r@v1#pkg"]
        );
        assert_eq!(v[0].extra["summary"], "Finds things, fast");
        assert_eq!(v[1].extra["summary"], "He said \"hi\"\nover two lines");
        assert_eq!(v[2].line, 5);
    }

    #[test]
    fn jsonl_rows() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "l.jsonl",
            "{\"source\":\"npm:a\",\"popularity\":120,\"stars\":5}\n\n{\"registry\":\"pypi\",\"name\":\"b\",\"version\":\"1.0\",\"category\":\"finance\",\"tags\":[\"x\"]}\n",
        );
        let v = read_list(&p).unwrap();
        assert_eq!(keys(&v), ["npm:a", "pypi:b==1.0"]);
        assert_eq!(v[0].popularity.as_deref(), Some("120"));
        assert_eq!(v[0].extra["stars"], "5");
        assert_eq!(v[1].line, 3);
        assert_eq!(v[1].category.as_deref(), Some("finance"));
        assert_eq!(v[1].extra["tags"], "[\"x\"]");
    }

    const SERVER_NPM: &str = r#"{
      "$schema": "https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json",
      "name": "io.github.someone/weather", "description": "Weather lookups", "version": "1.0.2",
      "repository": {"url": "https://github.com/someone/weather", "source": "github"},
      "packages": [
        {"registryType": "oci", "identifier": "docker.io/someone/weather", "version": "1.0.2"},
        {"registryType": "npm", "identifier": "@someone/weather-mcp", "version": "1.0.2", "transport": {"type": "stdio"}}
      ]}"#;
    const SERVER_PYPI_OLD: &str = r#"{"name": "io.github.x/y", "packages": [{"registry_type": "pypi", "identifier": "mcp-y", "version": "0.3.0"}]}"#;
    const SERVER_GIT: &str = r#"{"name": "io.github.x/mono", "repository": {"url": "https://github.com/x/mono", "source": "github", "subfolder": "servers/z"}}"#;
    const SERVER_REMOTE: &str = r#"{"name": "com.example/remote", "remotes": [{"type": "streamable-http", "url": "https://mcp.example/"}]}"#;

    #[test]
    fn server_json_single_array_and_dir() {
        let d = tempfile::tempdir().unwrap();
        let one = write(d.path(), "one.json", SERVER_NPM);
        let v = read_list(&one).unwrap();
        assert_eq!(keys(&v), ["npm:@someone/weather-mcp@1.0.2"]);
        assert_eq!(v[0].extra["server_name"], "io.github.someone/weather");
        assert_eq!(v[0].extra["description"], "Weather lookups");

        let arr = write(
            d.path(),
            "arr.json",
            &format!("[{SERVER_NPM},{SERVER_PYPI_OLD},{SERVER_GIT},{SERVER_REMOTE}]"),
        );
        let v = read_list(&arr).unwrap();
        assert_eq!(
            keys(&v),
            [
                "npm:@someone/weather-mcp@1.0.2",
                "pypi:mcp-y==0.3.0",
                "git:https://github.com/x/mono#servers/z"
            ]
        );
        assert_eq!(v[2].line, 3);

        // The registry API shape: {"servers": [{"server": {...}, "_meta": {...}}]}
        let api = write(
            d.path(),
            "api.json",
            &format!("{{\"servers\": [{{\"server\": {SERVER_PYPI_OLD}, \"_meta\": {{}}}}], \"metadata\": {{\"count\": 1}}}}"),
        );
        assert_eq!(keys(&read_list(&api).unwrap()), ["pypi:mcp-y==0.3.0"]);

        let sub = d.path().join("servers");
        fs::create_dir(&sub).unwrap();
        write(&sub, "b.json", SERVER_GIT);
        write(&sub, "a.json", SERVER_NPM);
        write(&sub, "notes.txt", "ignored");
        let v = read_list(&sub).unwrap();
        assert_eq!(
            keys(&v),
            [
                "npm:@someone/weather-mcp@1.0.2",
                "git:https://github.com/x/mono#servers/z"
            ]
        );
        assert_eq!(v[1].extra["list_file"], "b.json");
    }

    #[test]
    fn bad_rows_name_file_and_line() {
        let d = tempfile::tempdir().unwrap();
        let cases = [
            (
                "a.tsv",
                "source\tcategory\nnpm:ok\tx\nnpm:bad name\ty\n",
                3,
                "bad",
            ),
            (
                "b.tsv",
                "source\nnpm:ok\n\n\nnuget:serde\n",
                5,
                "unknown source kind",
            ),
            (
                "c.csv",
                "registry,name,version\nnpm,x,1\nnuget,y,2\n",
                3,
                "unknown registry",
            ),
            ("d.csv", "name,version\nx,1\n", 1, "header row needs"),
            ("e.csv", "source\nnpm:x\nnpm:y,extra\n", 3, "fields"),
            (
                "f.jsonl",
                "{\"source\":\"npm:x\"}\n{\"source\":\"npm:y\"\n",
                2,
                "invalid JSON",
            ),
            ("g.jsonl", "{\"source\":\"npm:x\"}\n[1]\n", 2, "object"),
            (
                "h.jsonl",
                "{\"source\":\"npm:x\"}\n{\"category\":\"y\"}\n",
                2,
                "no `source`",
            ),
            ("i.tsv", "registry\tname\nnpm\t\n", 2, "empty `name`"),
            (
                "j.json",
                "[{\"packages\":[{\"registryType\":\"npm\",\"identifier\":\"../x\"}]}]",
                1,
                "bad package name",
            ),
        ];
        for (name, text, line, needle) in cases {
            let p = write(d.path(), name, text);
            let e = read_list(&p).expect_err(name);
            assert_eq!(e.line, Some(line), "{name}: {e}");
            assert!(e.to_string().contains(needle), "{name}: {e}");
            assert!(
                e.to_string().starts_with(&p.display().to_string()),
                "{name}: {e}"
            );
        }
        let e = read_list(&d.path().join("missing.tsv")).unwrap_err();
        assert!(e.to_string().contains("cannot read"), "{e}");
    }

    #[test]
    fn from_dir_lists_subfolders() {
        let d = tempfile::tempdir().unwrap();
        for n in ["b", "a", ".git"] {
            fs::create_dir(d.path().join(n)).unwrap();
        }
        fs::write(d.path().join("file.txt"), "x").unwrap();
        let v = from_dir(d.path()).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].source, Source::Dir(d.path().join("a")));
        assert_eq!(v[1].line, 2);
        assert!(from_dir(&d.path().join("nope")).is_err());
    }
}
