//! What to collect: one server source, written as `registry:spec` text.

use std::fmt;
use std::path::PathBuf;

/// One server to collect.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    Npm {
        name: String,
        version: Option<String>,
    },
    Pypi {
        name: String,
        version: Option<String>,
    },
    /// A crate on crates.io (Rust servers).
    Crates {
        name: String,
        version: Option<String>,
    },
    Git {
        url: String,
        rev: Option<String>,
        subdir: Option<String>,
    },
    Dir(PathBuf),
}

impl Source {
    /// `npm:NAME[@VERSION]`, `pypi:NAME[==VERSION]`, `crates:NAME[@VERSION]`,
    /// `git:URL[@REV][#SUBDIR]`, `dir:PATH`
    pub fn parse(s: &str) -> Result<Source, String> {
        let s = s.trim();
        let (scheme, rest) = s.split_once(':').ok_or_else(|| {
            format!("`{s}`: expected npm:, pypi:, crates:, git: or dir: before the name")
        })?;
        let rest = rest.trim();
        if rest.is_empty() {
            return Err(format!("`{s}`: nothing after `{scheme}:`"));
        }
        match scheme.to_ascii_lowercase().as_str() {
            "npm" => {
                // A scoped name starts with '@', so the version separator is an
                // '@' after the first character.
                let (name, version) = match rest.rfind('@') {
                    Some(i) if i > 0 => (&rest[..i], Some(&rest[i + 1..])),
                    _ => (rest, None),
                };
                Source::npm(name, version)
            }
            "pypi" => {
                let (name, version) = match rest.split_once("==") {
                    Some((n, v)) => (n.trim(), Some(v.trim())),
                    None => (rest, None),
                };
                Source::pypi(name, version)
            }
            "git" => {
                let (url_rev, subdir) = match rest.split_once('#') {
                    Some((u, d)) => (u, Some(d)),
                    None => (rest, None),
                };
                // The revision is the last '@' inside the URL's path: an '@'
                // in the authority (`user@host`) or in scp-like `git@host:` is
                // not one, and a revision may itself hold '/' (`feature/x`).
                let path_start = git_path_start(url_rev);
                let (url, rev) = match url_rev[path_start..].rfind('@') {
                    Some(i) => (
                        &url_rev[..path_start + i],
                        Some(&url_rev[path_start + i + 1..]),
                    ),
                    None => (url_rev, None),
                };
                Source::git(url, rev, subdir)
            }
            "crates" | "cargo" | "crates.io" => {
                let (name, version) = match rest.split_once('@') {
                    Some((n, v)) => (n.trim(), Some(v.trim())),
                    None => (rest, None),
                };
                Source::crates(name, version)
            }
            "dir" => Ok(Source::Dir(PathBuf::from(rest))),
            other => Err(format!(
                "`{s}`: unknown source kind `{other}` (expected npm, pypi, crates, git or dir)"
            )),
        }
    }

    /// Builds a validated npm source; an empty version means the latest.
    pub fn npm(name: &str, version: Option<&str>) -> Result<Source, String> {
        let name = name.trim();
        check_npm_name(name)?;
        let version = check_version(version, "npm", name)?;
        Ok(Source::Npm {
            name: name.to_string(),
            version,
        })
    }

    /// Builds a validated PyPI source; an empty version means the latest.
    pub fn pypi(name: &str, version: Option<&str>) -> Result<Source, String> {
        let name = name.trim();
        check_pypi_name(name)?;
        let version = check_version(version, "pypi", name)?;
        Ok(Source::Pypi {
            name: name.to_string(),
            version,
        })
    }

    /// Builds a validated crates.io source; an empty version means the latest.
    pub fn crates(name: &str, version: Option<&str>) -> Result<Source, String> {
        let name = name.trim();
        // crates.io names: ASCII letters, digits, `-` and `_`, starting with a letter, at most 64.
        let ok = !name.is_empty()
            && name.len() <= 64
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            return Err(format!("crates:{name}: not a valid crate name"));
        }
        let version = check_version(version, "crates", name)?;
        Ok(Source::Crates {
            name: name.to_string(),
            version,
        })
    }

    /// Builds a validated git source.
    pub fn git(url: &str, rev: Option<&str>, subdir: Option<&str>) -> Result<Source, String> {
        let url = url.trim();
        check_git_url(url)?;
        let rev = match rev.map(str::trim) {
            None | Some("") => None,
            Some(r) => {
                // Handed to git as an argument: no option look-alikes, no spaces.
                if r.starts_with('-') || r.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(format!("git:{url}: bad revision `{r}`"));
                }
                Some(r.to_string())
            }
        };
        let subdir = match subdir.map(|d| d.trim().trim_matches('/')) {
            None | Some("") => None,
            Some(d) => {
                if d.split('/').any(|c| c == ".." || c == "." || c.is_empty())
                    || d.contains('\\')
                    || d.contains('\0')
                {
                    return Err(format!(
                        "git:{url}: bad subdirectory `{d}` (must be a plain relative path)"
                    ));
                }
                Some(d.to_string())
            }
        };
        Ok(Source::Git {
            url: url.to_string(),
            rev,
            subdir,
        })
    }

    /// Canonical text form; `Source::parse(&s.key())` gives `s` back.
    pub fn key(&self) -> String {
        match self {
            Source::Npm {
                name,
                version: Some(v),
            } => format!("npm:{name}@{v}"),
            Source::Npm {
                name,
                version: None,
            } => format!("npm:{name}"),
            Source::Pypi {
                name,
                version: Some(v),
            } => format!("pypi:{name}=={v}"),
            Source::Pypi {
                name,
                version: None,
            } => format!("pypi:{name}"),
            Source::Crates {
                name,
                version: Some(v),
            } => format!("crates:{name}@{v}"),
            Source::Crates {
                name,
                version: None,
            } => format!("crates:{name}"),
            Source::Git { url, rev, subdir } => {
                let mut k = format!("git:{url}");
                if let Some(r) = rev {
                    k.push('@');
                    k.push_str(r);
                }
                if let Some(d) = subdir {
                    k.push('#');
                    k.push_str(d);
                }
                k
            }
            Source::Dir(p) => format!("dir:{}", p.display()),
        }
    }

    /// `"npm" | "pypi" | "crates" | "git" | "dir"`
    pub fn registry(&self) -> &'static str {
        match self {
            Source::Npm { .. } => "npm",
            Source::Pypi { .. } => "pypi",
            Source::Crates { .. } => "crates",
            Source::Git { .. } => "git",
            Source::Dir(_) => "dir",
        }
    }

    /// The package name (npm/PyPI), the URL (git) or the path (dir).
    pub fn name(&self) -> String {
        match self {
            Source::Npm { name, .. } | Source::Pypi { name, .. } | Source::Crates { name, .. } => {
                name.clone()
            }
            Source::Git { url, .. } => url.clone(),
            Source::Dir(p) => p.display().to_string(),
        }
    }

    /// The requested version or revision, if any.
    pub fn version(&self) -> Option<&str> {
        match self {
            Source::Npm { version, .. }
            | Source::Pypi { version, .. }
            | Source::Crates { version, .. } => version.as_deref(),
            Source::Git { rev, .. } => rev.as_deref(),
            Source::Dir(_) => None,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

impl std::str::FromStr for Source {
    type Err = String;
    fn from_str(s: &str) -> Result<Source, String> {
        Source::parse(s)
    }
}

/// Byte offset where the path of a git URL starts (see `Source::parse`).
fn git_path_start(u: &str) -> usize {
    if let Some(i) = u.find("://") {
        let after = i + 3;
        return u[after..].find('/').map(|j| after + j).unwrap_or(u.len());
    }
    // scp-like `user@host:path`: a ':' before any '/'.
    match (u.find(':'), u.find('/')) {
        (Some(c), Some(s)) if c < s => c + 1,
        (Some(c), None) => c + 1,
        _ => 0,
    }
}

// Names end up in URLs and cache file names: only the characters the
// registries allow, so neither can be steered elsewhere.
fn check_npm_name(name: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("npm:{name}: bad package name ({why})"));
    if name.is_empty() {
        return bad("empty");
    }
    if name.len() > 214 {
        return bad("longer than 214 characters");
    }
    let plain = |s: &str| {
        !s.is_empty()
            && !s.starts_with('.')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
    };
    if let Some(scoped) = name.strip_prefix('@') {
        match scoped.split_once('/') {
            Some((scope, pkg)) if plain(scope) && plain(pkg) => Ok(()),
            _ => bad("a scoped name is @scope/name"),
        }
    } else if plain(name) {
        Ok(())
    } else {
        bad("letters, digits, '-', '.', '_', '~' only")
    }
}

fn check_pypi_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "pypi:{name}: bad project name (letters, digits, '-', '.', '_')"
        ))
    }
}

fn check_version(v: Option<&str>, reg: &str, name: &str) -> Result<Option<String>, String> {
    match v.map(str::trim) {
        None | Some("") | Some("latest") => Ok(None),
        Some(v) => {
            if v.len() <= 128
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._+!".contains(c))
                && !v.starts_with('.')
            {
                Ok(Some(v.to_string()))
            } else {
                Err(format!("{reg}:{name}: bad version `{v}`"))
            }
        }
    }
}

fn check_git_url(url: &str) -> Result<(), String> {
    if url.is_empty() {
        return Err("git: empty URL".into());
    }
    if url.starts_with('-') || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("git:{url}: bad URL"));
    }
    // Transports such as `ext::` run commands; only the plain ones are allowed.
    if let Some(i) = url.find("://") {
        let scheme = url[..i].to_ascii_lowercase();
        if !matches!(
            scheme.as_str(),
            "https" | "http" | "ssh" | "git" | "file" | "git+ssh" | "ssh+git"
        ) {
            return Err(format!("git:{url}: unsupported URL scheme `{scheme}`"));
        }
        if url.len() == i + 3 {
            return Err(format!("git:{url}: URL has no host or path"));
        }
        return Ok(());
    }
    if url.contains("::") {
        return Err(format!("git:{url}: remote helpers (`x::`) are not allowed"));
    }
    Ok(()) // scp-like `git@host:org/repo` or a local path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_round_trips() {
        let cases = [
            "npm:left-pad",
            "npm:left-pad@1.3.0",
            "npm:@scope/name",
            "npm:@scope/name@1.2.3",
            "npm:@modelcontextprotocol/server-filesystem@2025.1.14-beta.1",
            "pypi:mcp-server-time",
            "pypi:mcp_server.time==2025.9.25",
            "pypi:x==1.0rc1+local.2",
            "crates:rmcp",
            "crates:rust-mcp-filesystem@0.3.6",
            "git:https://github.com/org/repo",
            "git:https://github.com/org/repo.git@v1.2.0",
            "git:https://github.com/org/repo@feature/x#packages/server",
            "git:https://user@host.example/org/repo#sub",
            "git:git@github.com:org/repo.git",
            "git:git@github.com:org/repo.git@main",
            "git:file:///tmp/some/repo@0123456789abcdef0123456789abcdef01234567",
            "dir:/tmp/x",
            "dir:relative/path",
        ];
        for c in cases {
            let s = Source::parse(c).unwrap_or_else(|e| panic!("{c}: {e}"));
            assert_eq!(s.key(), c, "round trip of {c}");
            assert_eq!(Source::parse(&s.key()).unwrap(), s);
        }
    }

    #[test]
    fn splits_fields() {
        assert_eq!(
            Source::parse("npm:@scope/name@1.2.3").unwrap(),
            Source::Npm {
                name: "@scope/name".into(),
                version: Some("1.2.3".into())
            }
        );
        assert_eq!(
            Source::parse("npm:@scope/name").unwrap(),
            Source::Npm {
                name: "@scope/name".into(),
                version: None
            }
        );
        assert_eq!(
            Source::parse("pypi:foo == 1.0").unwrap(),
            Source::Pypi {
                name: "foo".into(),
                version: Some("1.0".into())
            }
        );
        assert_eq!(
            Source::parse("git:https://user@h.example/o/r@v1#a/b").unwrap(),
            Source::Git {
                url: "https://user@h.example/o/r".into(),
                rev: Some("v1".into()),
                subdir: Some("a/b".into())
            }
        );
        assert_eq!(
            Source::parse("git:git@github.com:o/r.git").unwrap(),
            Source::Git {
                url: "git@github.com:o/r.git".into(),
                rev: None,
                subdir: None
            }
        );
        assert_eq!(Source::parse("npm:x@latest").unwrap().key(), "npm:x");
        assert_eq!(Source::parse("NPM:x").unwrap().registry(), "npm");
        assert_eq!(Source::parse("dir:/a").unwrap(), Source::Dir("/a".into()));
    }

    #[test]
    fn rejects_bad_inputs() {
        let bad = [
            "",
            "left-pad",
            "npm:",
            "npm:@scope",
            "npm:@/x",
            "npm:../etc/passwd",
            "npm:a/b",
            "npm:x@1.0 beta",
            "npm:.hidden",
            "pypi:",
            "pypi:foo/bar",
            "pypi:-foo",
            "pypi:foo==1.0;rm",
            "git:",
            "git:-uhack",
            "git:ext::sh -c touch% /tmp/pwned",
            "git:ext::sh",
            "git:fd::17",
            "git:gopher://x/y",
            "git:https://h/r@-x",
            "git:https://h/r#../up",
            "git:https://h/r#/abs/../x",
            "nuget:serde",
            "crates:",
            "crates:-serde",
            "crates:ser de",
            "crates:serde@1.0 beta",
            "crates:../x",
            "dir:",
        ];
        for b in bad {
            assert!(
                Source::parse(b).is_err(),
                "accepted `{b}`: {:?}",
                Source::parse(b)
            );
        }
    }
}
