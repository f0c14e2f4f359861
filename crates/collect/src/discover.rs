//! `mcpwarden discover`: a list of MCP server packages in the `measure`
//! format, for users who have none. The heuristic is documented in
//! `docs/discover.md`; keep the two in step.
//!
//! - npm: the registry's search endpoint (`/-/v1/search`), one query per
//!   keyword, paged; every hit is then judged by [`judge`].
//! - PyPI has no search API: candidate names come from the caller (command
//!   line or a file), each looked up through the JSON API (`/pypi/NAME/json`).

use serde_json::Value;

use crate::error::{CollectError, ErrorKind, Result};
use crate::{http, local, Config, Source};

/// Keywords npm is searched for by default.
pub const NPM_KEYWORDS: &[&str] = &[
    "mcp",
    "mcp-server",
    "modelcontextprotocol",
    "model-context-protocol",
];
/// Results per search page (the registry's maximum).
const PAGE: usize = 250;
/// Search pages are small; a PyPI project document may be large.
const DOC_LIMIT: u64 = 64 << 20;

/// One discovered package, a line of the list.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub source: Source,
    /// Monthly downloads (npm), when the registry says.
    pub popularity: Option<u64>,
    /// Date of the version found (`YYYY-MM-DD…`).
    pub date: Option<String>,
    pub summary: Option<String>,
    /// Which rule of the heuristic accepted it.
    pub evidence: String,
}

/// What the heuristic sees of a package.
pub struct Candidate<'a> {
    pub name: &'a str,
    pub summary: &'a str,
    pub keywords: &'a [String],
    /// Dependency names (PyPI `requires_dist`; npm search does not give them).
    pub dependencies: &'a [String],
}

/// The MCP-server heuristic: `Some(evidence)` when the package looks like an
/// MCP server, `None` otherwise (documented in docs/discover.md).
pub fn judge(c: &Candidate) -> Option<String> {
    let name = c.name.to_ascii_lowercase();
    let text = format!("{} {}", name, c.summary.to_ascii_lowercase());
    // SDKs, clients and tooling around MCP are not servers.
    const NOT_SERVERS: &[&str] = &[
        "@modelcontextprotocol/sdk",
        "mcp",
        "fastmcp",
        "@modelcontextprotocol/inspector",
    ];
    if NOT_SERVERS.contains(&name.as_str()) {
        return None;
    }
    let says_client = [
        "mcp client",
        "mcp-client",
        "client for mcp",
        "mcp sdk",
        "sdk for",
    ]
    .iter()
    .any(|w| text.contains(w))
        && !text.contains("server");
    if says_client {
        return None;
    }
    let dep = c.dependencies.iter().find(|d| {
        let d = d.to_ascii_lowercase();
        matches!(d.as_str(), "mcp" | "fastmcp" | "@modelcontextprotocol/sdk")
    });
    if let Some(d) = dep {
        return Some(format!("depends on {d}"));
    }
    let mcp_word = |s: &str| {
        s.split(|ch: char| !ch.is_ascii_alphanumeric())
            .any(|w| w == "mcp")
    };
    let kw = c.keywords.iter().map(|k| k.to_ascii_lowercase()).find(|k| {
        matches!(
            k.as_str(),
            "mcp"
                | "mcp-server"
                | "mcp server"
                | "modelcontextprotocol"
                | "model-context-protocol"
                | "model context protocol"
        )
    });
    let server_word = text.contains("server");
    if let Some(k) = kw {
        if server_word || mcp_word(&name) || kw_like(&text) {
            return Some(format!("keyword `{k}`"));
        }
    }
    if mcp_word(&name) && (server_word || kw_like(&text)) {
        return Some("`mcp` in the name".into());
    }
    if text.contains("model context protocol") && server_word {
        return Some("described as a Model Context Protocol server".into());
    }
    None
}

/// Descriptions that name what an MCP server exposes.
fn kw_like(text: &str) -> bool {
    [
        "tools",
        "mcp server",
        "for claude",
        "for ai agents",
        "model context protocol",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// Searches npm for `keywords`; packages last published before `since`
/// (`YYYY-MM-DD`) are left out. `max` caps the hits read per keyword.
pub fn npm(
    cfg: &Config,
    keywords: &[String],
    since: Option<&str>,
    max: usize,
) -> Result<Vec<Found>> {
    let mut seen = std::collections::HashSet::new();
    let mut out = vec![];
    for kw in keywords {
        let mut from = 0;
        while from < max {
            let url = format!(
                "{}/-/v1/search?text=keywords:{}&size={PAGE}&from={from}",
                cfg.npm_registry.trim_end_matches('/'),
                url_word(kw)
            );
            let doc = get_json(cfg, &url)?;
            let objects = doc
                .get("objects")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for o in &objects {
                if let Some(f) = npm_hit(o, since) {
                    if seen.insert(f.source.key()) {
                        out.push(f);
                    }
                }
            }
            let total = doc.get("total").and_then(Value::as_u64).unwrap_or(0) as usize;
            from += PAGE;
            if objects.is_empty() || from >= total {
                break;
            }
        }
    }
    Ok(out)
}

/// Keywords travel in the query string: only characters that need no escaping.
fn url_word(kw: &str) -> String {
    kw.chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect()
}

fn npm_hit(o: &Value, since: Option<&str>) -> Option<Found> {
    let p = o.get("package")?;
    let name = p.get("name")?.as_str()?;
    let version = p.get("version").and_then(Value::as_str);
    let date = p.get("date").and_then(Value::as_str).map(str::to_string);
    if let (Some(s), Some(d)) = (since, &date) {
        if d.as_str() < s {
            return None;
        }
    }
    let summary = local::nonempty(p.get("description").and_then(Value::as_str));
    let keywords = local::keywords(p.get("keywords"));
    let evidence = judge(&Candidate {
        name,
        summary: summary.as_deref().unwrap_or(""),
        keywords: &keywords,
        dependencies: &[],
    })?;
    let popularity = o.pointer("/downloads/monthly").and_then(Value::as_u64);
    Some(Found {
        source: Source::npm(name, version).ok()?,
        popularity,
        date,
        summary,
        evidence,
    })
}

/// Looks up each PyPI name; unknown names and non-servers are left out and
/// reported in the second list (`name: why`).
pub fn pypi(cfg: &Config, names: &[String], since: Option<&str>) -> (Vec<Found>, Vec<String>) {
    let mut found = vec![];
    let mut left_out = vec![];
    for name in names {
        match pypi_one(cfg, name, since) {
            Ok(Ok(f)) => found.push(f),
            Ok(Err(why)) => left_out.push(format!("{name}: {why}")),
            Err(e) => left_out.push(format!("{name}: {e}")),
        }
    }
    (found, left_out)
}

fn pypi_one(
    cfg: &Config,
    name: &str,
    since: Option<&str>,
) -> Result<std::result::Result<Found, String>> {
    Source::pypi(name, None).map_err(|e| CollectError::new(ErrorKind::BadMetadata, e))?;
    let url = format!("{}/pypi/{name}/json", cfg.pypi_url.trim_end_matches('/'));
    let doc = get_json(cfg, &url)?;
    let info = doc.get("info").unwrap_or(&Value::Null);
    let real = info.get("name").and_then(Value::as_str).unwrap_or(name);
    let version = info.get("version").and_then(Value::as_str);
    let date = doc
        .get("urls")
        .and_then(Value::as_array)
        .and_then(|u| {
            u.iter()
                .filter_map(|f| f.get("upload_time_iso_8601").and_then(Value::as_str))
                .max()
        })
        .map(str::to_string);
    if let (Some(s), Some(d)) = (since, &date) {
        if d.as_str() < s {
            return Ok(Err(format!("last release {d} is before {s}")));
        }
    }
    let summary = local::nonempty(info.get("summary").and_then(Value::as_str));
    let keywords = local::keywords(info.get("keywords"));
    let deps: Vec<String> = info
        .get("requires_dist")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter(|r| !r.contains("extra =="))
                .map(requirement_name)
                .collect()
        })
        .unwrap_or_default();
    let Some(evidence) = judge(&Candidate {
        name: real,
        summary: summary.as_deref().unwrap_or(""),
        keywords: &keywords,
        dependencies: &deps,
    }) else {
        return Ok(Err("does not look like an MCP server".into()));
    };
    let source =
        Source::pypi(real, version).map_err(|e| CollectError::new(ErrorKind::BadMetadata, e))?;
    Ok(Ok(Found {
        source,
        popularity: None,
        date,
        summary,
        evidence,
    }))
}

/// `mcp[cli] (>=1.2); python_version >= "3.10"` → `mcp`
fn requirement_name(r: &str) -> String {
    r.trim()
        .split(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
        .next()
        .unwrap_or("")
        .to_string()
}

fn get_json(cfg: &Config, url: &str) -> Result<Value> {
    let (body, _) = http::get_bytes(cfg, url, DOC_LIMIT)?;
    serde_json::from_slice(&body)
        .map_err(|e| CollectError::new(ErrorKind::BadMetadata, format!("{url}: not JSON: {e}")))
}

/// The list as `measure` reads it (TSV with a header).
pub fn to_tsv(found: &[Found]) -> String {
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    let mut out = String::from("source\tpopularity\tdate\tsummary\tevidence\n");
    for f in found {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            f.source.key(),
            f.popularity.map(|p| p.to_string()).unwrap_or_default(),
            f.date.as_deref().unwrap_or(""),
            clean(f.summary.as_deref().unwrap_or("")),
            clean(&f.evidence)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(name: &str, summary: &str, kw: &[&str], deps: &[&str]) -> Option<String> {
        let kw: Vec<String> = kw.iter().map(|s| s.to_string()).collect();
        let deps: Vec<String> = deps.iter().map(|s| s.to_string()).collect();
        judge(&Candidate {
            name,
            summary,
            keywords: &kw,
            dependencies: &deps,
        })
    }

    #[test]
    fn heuristic() {
        assert!(j("mcp-server-time", "Time tools", &[], &[]).is_some());
        assert!(j("weather", "Forecasts", &[], &["mcp"]).is_some());
        assert!(j("@acme/jira", "Jira for agents", &["mcp", "jira"], &[]).is_none());
        assert!(j("@acme/jira", "Jira MCP server", &["mcp"], &[]).is_some());
        assert!(j("@acme/jira-mcp", "Jira for agents", &["mcp"], &[]).is_some());
        assert!(j("@modelcontextprotocol/sdk", "The SDK", &["mcp"], &[]).is_none());
        assert!(j("mcp-client-kit", "An MCP client", &["mcp"], &[]).is_none());
        assert!(j("left-pad", "Pads strings", &[], &[]).is_none());
        assert!(j("mcpx", "No word", &[], &[]).is_none());
        assert!(j(
            "db-bridge",
            "A Model Context Protocol server for Postgres",
            &[],
            &[]
        )
        .is_some());
        assert_eq!(
            requirement_name("mcp[cli] (>=1.2); python_version >= \"3.10\""),
            "mcp"
        );
    }
}
