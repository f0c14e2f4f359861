//! What the user grants beyond the manifest: directories for paths the model
//! chooses, hosts, tools, and tools allowed to take a command. Granted on the
//! command line, or answered in `--mode ask` (kept for the session and, with
//! `--remember FILE`, in that file).

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// `host[:port]`; `*.example.com` covers every subdomain (not the domain itself).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct HostGrant {
    pub host: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

impl HostGrant {
    /// Parse `HOST`, `HOST:PORT`, `[V6]:PORT`.
    pub fn parse(s: &str) -> Result<HostGrant, String> {
        let bad = || format!("`{s}` is not HOST or HOST:PORT");
        if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c == '/') {
            return Err(bad());
        }
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (h, after) = rest.split_once(']').ok_or_else(bad)?;
            (h.to_string(), after.strip_prefix(':'))
        } else {
            match s.rsplit_once(':') {
                Some((h, p)) if !h.contains(':') => (h.to_string(), Some(p)),
                _ => (s.to_string(), None),
            }
        };
        let port = match port {
            Some(p) => Some(p.parse::<u16>().map_err(|_| bad())?),
            None => None,
        };
        if host.is_empty() {
            return Err(bad());
        }
        Ok(HostGrant {
            host: normalise_host(&host),
            port,
        })
    }

    pub fn matches(&self, host: &str, port: u16) -> bool {
        let host = normalise_host(host);
        let host_ok = match self.host.strip_prefix("*.") {
            Some(suffix) => host.ends_with(&format!(".{suffix}")),
            None => host == self.host,
        };
        host_ok && self.port.is_none_or(|p| p == port)
    }
}

impl std::fmt::Display for HostGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let h = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        match self.port {
            Some(p) => write!(f, "{h}:{p}"),
            None => f.write_str(&h),
        }
    }
}

/// Lower case, no trailing dot, no IPv6 brackets: one spelling per host.
pub fn normalise_host(h: &str) -> String {
    h.trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grants {
    /// Directories (canonical) where model-chosen paths may point, read and write.
    #[serde(default)]
    pub roots: Vec<PathBuf>,
    #[serde(default)]
    pub hosts: Vec<HostGrant>,
    /// Tools allowed although the manifest does not list them (or lists no handler).
    #[serde(default)]
    pub tools: BTreeSet<String>,
    /// Tools allowed to take a command or code from the model.
    #[serde(default)]
    pub commands: BTreeSet<String>,
}

impl Grants {
    /// Add a directory, canonicalised; it must exist.
    pub fn add_root(&mut self, dir: &Path) -> Result<(), String> {
        let c = std::fs::canonicalize(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        if c == Path::new("/") {
            return Err("granting `/` would allow every path; grant a directory".into());
        }
        if !self.roots.contains(&c) {
            self.roots.push(c);
        }
        Ok(())
    }

    pub fn merge(&mut self, other: Grants) {
        for r in other.roots {
            if !self.roots.contains(&r) {
                self.roots.push(r);
            }
        }
        for h in other.hosts {
            if !self.hosts.contains(&h) {
                self.hosts.push(h);
            }
        }
        self.tools.extend(other.tools);
        self.commands.extend(other.commands);
    }

    /// Read a `--remember` file; a missing file is an empty grant.
    pub fn load(path: &Path) -> Result<Grants, String> {
        match std::fs::read_to_string(path) {
            Ok(t) => serde_json::from_str(&t).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Grants::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// Write atomically (temp file + rename) so a crash never leaves half a file.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let tmp = path.with_extension("tmp");
        let text = serde_json::to_string_pretty(self).expect("grants serialise");
        std::fs::write(&tmp, text + "\n")
            .and_then(|_| std::fs::rename(&tmp, path))
            .map_err(|e| format!("{}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_grants_parse_and_match() {
        let g = HostGrant::parse("API.example.com.:443").unwrap();
        assert!(g.matches("api.example.com", 443));
        assert!(!g.matches("api.example.com", 80));
        let w = HostGrant::parse("*.example.com").unwrap();
        assert!(w.matches("a.b.example.com", 1));
        assert!(!w.matches("example.com", 1));
        assert!(!w.matches("evilexample.com", 1));
        assert_eq!(HostGrant::parse("[::1]:8080").unwrap().host, "::1");
        assert!(HostGrant::parse("a:b").is_err());
        assert!(HostGrant::parse("").is_err());
    }
}
