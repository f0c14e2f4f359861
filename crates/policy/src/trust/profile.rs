//! Registry profile lint: what a server's published profile declares against
//! what its code needs. Reads an MCP registry `server.json`
//! (`packages[].environmentVariables[]` with `isSecret`) or a ToolHive
//! registry entry (`env_vars[]` with `secret`, and
//! `permissions.network.outbound.allow_host`).

use crate::{Manifest, Provenance};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;

/// Variables every process may read; a profile need not declare them.
const AMBIENT: &[&str] = &[
    "HOME",
    "PATH",
    "USER",
    "USERNAME",
    "TMPDIR",
    "TEMP",
    "TMP",
    "PWD",
    "SHELL",
    "LANG",
    "TERM",
    "NODE_ENV",
    "CI",
    "DEBUG",
    "APPDATA",
    "LOCALAPPDATA",
    "USERPROFILE",
    "PYTHONPATH",
    "NO_COLOR",
    "LOG_LEVEL",
    "PORT",
    "HOST",
];

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Problem {
    /// `undeclared-env`, `unused-env`, `secret-not-marked`, `missing-host`, `unused-host`.
    pub check: String,
    pub subject: String,
    pub detail: String,
}

/// What a profile declares.
#[derive(Default, Debug)]
pub struct Profile {
    pub env: Vec<(String, bool)>,
    /// `None` when the profile says nothing about hosts.
    pub hosts: Option<Vec<String>>,
}

impl Profile {
    /// Parse a server.json or a ToolHive entry (or a ToolHive registry with one server).
    pub fn parse(text: &str) -> Result<Profile, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let v = match v.get("servers").and_then(|s| s.as_object()) {
            Some(m) if m.len() == 1 => m.values().next().cloned().unwrap_or(Value::Null),
            Some(_) => return Err("a registry with several servers: give one entry".into()),
            None => v,
        };
        let mut p = Profile::default();
        let mut env_list = |list: &Value| {
            for e in list.as_array().into_iter().flatten() {
                if let Some(n) = e.get("name").and_then(|n| n.as_str()) {
                    let secret = ["isSecret", "is_secret", "secret"]
                        .iter()
                        .any(|k| e.get(*k).and_then(|s| s.as_bool()) == Some(true));
                    p.env.push((n.to_string(), secret));
                }
            }
        };
        for pkg in v
            .get("packages")
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
        {
            for k in ["environmentVariables", "environment_variables"] {
                if let Some(l) = pkg.get(k) {
                    env_list(l);
                }
            }
        }
        if let Some(l) = v.get("env_vars") {
            env_list(l);
        }
        if let Some(out) = v.pointer("/permissions/network/outbound") {
            let hosts = out.get("allow_host").and_then(|h| h.as_array());
            p.hosts = Some(
                hosts
                    .into_iter()
                    .flatten()
                    .filter_map(|h| h.as_str().map(str::to_string))
                    .collect(),
            );
            if out.get("insecure_allow_all").and_then(|b| b.as_bool()) == Some(true) {
                p.hosts = None;
            }
        }
        if p.env.is_empty()
            && p.hosts.is_none()
            && v.get("packages").is_none()
            && v.get("image").is_none()
        {
            return Err("neither a server.json (packages) nor a ToolHive entry (image, env_vars, permissions)".into());
        }
        Ok(p)
    }
}

/// ToolHive matching: exact, or a `.example.com` / `*.example.com` suffix.
fn allowed(host: &str, allow: &[String]) -> bool {
    allow.iter().any(|a| {
        let suffix = a.strip_prefix('*').unwrap_or(a);
        host == a || (suffix.starts_with('.') && (host.ends_with(suffix) || host == &suffix[1..]))
    })
}

pub fn lint(p: &Profile, m: &Manifest) -> Vec<Problem> {
    let mut out = vec![];
    let problem = |check: &str, subject: &str, detail: String| Problem {
        check: check.into(),
        subject: subject.into(),
        detail,
    };
    let read: BTreeSet<&str> = m.permissions.env.iter().map(|e| e.name.as_str()).collect();
    let declared: BTreeSet<&str> = p.env.iter().map(|(n, _)| n.as_str()).collect();
    for e in &m.permissions.env {
        let n = e.name.as_str();
        if n != "*" && !declared.contains(n) && !AMBIENT.contains(&n) {
            let ev = e.evidence.first().cloned().unwrap_or_default();
            out.push(problem(
                "undeclared-env",
                n,
                format!("read at {ev}, not declared"),
            ));
        }
    }
    if !read.contains("*") {
        for (n, _) in &p.env {
            if !read.contains(n.as_str()) {
                out.push(problem(
                    "unused-env",
                    n,
                    "declared, never read by the code".into(),
                ));
            }
        }
    }
    for (n, secret) in &p.env {
        let code_secret = m.permissions.env.iter().any(|e| &e.name == n && e.secret);
        if code_secret && !secret {
            out.push(problem(
                "secret-not-marked",
                n,
                "looks like a credential but is not marked secret".into(),
            ));
        }
    }
    if let Some(allow) = &p.hosts {
        let mut needed = BTreeSet::new();
        for c in &m.permissions.network.connect {
            let host = match (c.host.as_str(), c.provenance, &c.origin.default) {
                ("*", Provenance::Config, Some(d)) => host_of(d),
                ("*", _, _) => continue,
                (h, _, _) => h.to_string(),
            };
            if host.is_empty() || ["localhost", "127.0.0.1", "::1"].contains(&host.as_str()) {
                continue;
            }
            needed.insert(host.clone());
            if !allowed(&host, allow) {
                let apex = allow.iter().any(|a| host.ends_with(&format!(".{a}")));
                let why = if apex {
                    "not allowed: the profile allows its apex domain only (use a leading `.`)"
                } else {
                    "not allowed by the profile"
                };
                let ev = c.evidence.first().cloned().unwrap_or_default();
                out.push(problem(
                    "missing-host",
                    &host,
                    format!("{why}; contacted at {ev}"),
                ));
            }
        }
        for a in allow {
            if !needed.iter().any(|h| allowed(h, std::slice::from_ref(a))) {
                out.push(problem(
                    "unused-host",
                    a,
                    "allowed, never contacted by the code".into(),
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let hostport = rest.split(['/', '?', '#']).next().unwrap_or("");
    hostport
        .rsplit_once(':')
        .map_or(hostport, |(h, _)| h)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toolhive_suffixes_and_apex_domains() {
        let allow = vec![".github.com".to_string(), "example.org".to_string()];
        assert!(allowed("api.github.com", &allow));
        assert!(allowed("github.com", &allow));
        assert!(allowed("example.org", &allow));
        assert!(!allowed("api.example.org", &allow));
        assert_eq!(host_of("https://api.x.com:443/v1"), "api.x.com");
    }

    #[test]
    fn profiles_of_both_registries_parse() {
        let s = r#"{"name":"io.github.a/b","packages":[{"registryType":"npm","identifier":"b",
            "environmentVariables":[{"name":"API_TOKEN","isSecret":false}]}]}"#;
        let p = Profile::parse(s).unwrap();
        assert_eq!(p.env, vec![("API_TOKEN".to_string(), false)]);
        assert!(p.hosts.is_none());
        let t = r#"{"image":"x","env_vars":[{"name":"K","secret":true}],
            "permissions":{"network":{"outbound":{"allow_host":[".x.com"]}}}}"#;
        let p = Profile::parse(t).unwrap();
        assert_eq!(p.hosts, Some(vec![".x.com".to_string()]));
        assert!(Profile::parse("{}").is_err());
    }
}
