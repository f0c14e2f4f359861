//! Per-call decisions: is this tool allowed, and do the arguments the manifest
//! names (paths, URLs, commands) stay within what the manifest and the grants
//! allow? Pure: no I/O but resolving paths on the file system.

use crate::grants::{normalise_host, Grants, HostGrant};
use crate::paths;
use mcpwarden_policy::bind::{expand, sandbox_path, Launch};
use mcpwarden_policy::{Access, FsRule, Manifest, ParamUse, Provenance, ToolPermissions};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::PathBuf;

/// What would make a denied call allowed (what `--mode ask` offers to grant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Need {
    Tool,
    Root(PathBuf),
    Host(HostGrant),
    Command,
}

#[derive(Clone, Debug)]
pub struct Denial {
    /// Stable rule name (`unknown-tool`, `path-outside-roots`, ...).
    pub rule: &'static str,
    /// A sentence the model can read.
    pub reason: String,
    pub tool: String,
    pub param: Option<String>,
    pub value: Option<Value>,
    pub need: Option<Need>,
}

/// The outcome of checking one call.
#[derive(Clone, Debug, Default)]
pub struct Checked {
    /// The argument values that decided (for the audit log).
    pub decided_by: Map<String, Value>,
    pub denial: Option<Denial>,
}

/// A tool parameter to check, and how.
#[derive(Clone, Debug)]
struct Param {
    name: String,
    used_as: ParamUse,
    write: bool,
}

#[derive(Clone, Debug, Default)]
struct ToolRule {
    visible: bool,
    params: Vec<Param>,
    read_roots: Vec<PathBuf>,
    write_roots: Vec<PathBuf>,
    hosts: Vec<HostGrant>,
}

pub struct Policy {
    tools: HashMap<String, ToolRule>,
    cwd: PathBuf,
    home: PathBuf,
    /// Placeholders that could not be bound (reported at start, never granted).
    pub warnings: Vec<String>,
}

impl Policy {
    pub fn new(manifest: &Manifest, launch: &Launch) -> Policy {
        let mut warnings = vec![];
        // A path argument may also point into what the server's own startup
        // configuration names (a filesystem server's directories given on its
        // command line): the sandbox grants those to the server anyway.
        let (server_read, server_write) = fs_roots(&manifest.permissions.fs, launch, &mut warnings);
        let tools = manifest
            .tools
            .iter()
            .map(|t| {
                let mut r = tool_rule(t, launch, &mut warnings);
                r.read_roots.extend(server_read.iter().cloned());
                r.write_roots.extend(server_write.iter().cloned());
                (t.name.clone(), r)
            })
            .collect();
        Policy {
            tools,
            cwd: PathBuf::from(&launch.cwd),
            home: PathBuf::from(&launch.home),
            warnings,
        }
    }

    /// Shown in `tools/list` and callable without asking.
    pub fn tool_allowed(&self, name: &str, grants: &Grants) -> bool {
        grants.tools.contains(name) || self.tools.get(name).is_some_and(|t| t.visible)
    }

    /// Check a `tools/call`: the tool, then each argument the manifest names.
    pub fn check(&self, tool: &str, args: Option<&Value>, grants: &Grants) -> Checked {
        let mut out = Checked::default();
        let deny = |rule, reason: String, need| Denial {
            rule,
            reason,
            tool: tool.to_string(),
            param: None,
            value: None,
            need,
        };
        if !self.tool_allowed(tool, grants) {
            let rule = if self.tools.contains_key(tool) {
                "tool-needs-unknown"
            } else {
                "unknown-tool"
            };
            out.denial = Some(deny(
                rule,
                format!("Unknown tool: {tool}"),
                Some(Need::Tool),
            ));
            return out;
        }
        let Some(rule) = self.tools.get(tool) else {
            return out;
        };
        let empty = Map::new();
        let args = match args {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(m)) => m,
            Some(_) if rule.params.is_empty() => &empty,
            Some(_) => {
                let r = format!("mcpwarden denied {tool}: its arguments are not an object");
                out.denial = Some(deny("arguments-not-object", r, None));
                return out;
            }
        };
        for p in &rule.params {
            let Some(v) = lookup(args, &p.name) else {
                continue;
            };
            out.decided_by.insert(p.name.clone(), v.clone());
            if let Some(mut d) = self.check_param(tool, rule, p, v, grants) {
                d.param = Some(p.name.clone());
                d.value = Some(v.clone());
                out.denial = Some(d);
                return out;
            }
        }
        out
    }

    fn check_param(
        &self,
        tool: &str,
        rule: &ToolRule,
        p: &Param,
        v: &Value,
        g: &Grants,
    ) -> Option<Denial> {
        let values: Vec<&Value> = match v {
            Value::Null => return None,
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        for v in values {
            let Some(s) = v.as_str() else {
                return Some(self.denial(
                    tool,
                    "argument-not-string",
                    format!("`{}` must be a string", p.name),
                    None,
                ));
            };
            let d = match p.used_as {
                ParamUse::Path => self.check_path(tool, rule, p, s, g),
                ParamUse::Url => check_url(tool, rule, p, s, g),
                ParamUse::Command | ParamUse::Code if g.commands.contains(tool) => None,
                ParamUse::Command | ParamUse::Code => Some(self.denial(
                    tool,
                    "command-not-granted",
                    format!("`{}` is a command or code chosen by the model, and no command was granted to this tool", p.name),
                    Some(Need::Command),
                )),
            };
            if d.is_some() {
                return d;
            }
        }
        None
    }

    fn check_path(
        &self,
        tool: &str,
        rule: &ToolRule,
        p: &Param,
        s: &str,
        g: &Grants,
    ) -> Option<Denial> {
        let real = match paths::resolve(s, &self.cwd, &self.home) {
            Ok(r) => r,
            Err(e) => {
                return Some(self.denial(tool, "path-invalid", format!("`{}`: {e}", p.name), None))
            }
        };
        if let Some(t) = paths::dangling_target(&real) {
            let r = format!(
                "`{s}` goes through a symlink to `{}`, which does not exist",
                t.display()
            );
            return Some(self.denial(tool, "path-dangling-symlink", r, None));
        }
        let manifest_roots = if p.write {
            &rule.write_roots
        } else {
            &rule.read_roots
        };
        if paths::inside(&real, &g.roots).is_some()
            || paths::inside(&real, manifest_roots).is_some()
        {
            return None;
        }
        let granted: Vec<String> = g
            .roots
            .iter()
            .chain(manifest_roots)
            .map(|r| r.display().to_string())
            .collect();
        let reason = format!(
            "`{s}` resolves to {}, outside the directories granted to this server ({})",
            real.display(),
            if granted.is_empty() {
                "none".to_string()
            } else {
                granted.join(", ")
            }
        );
        let dir = if real.is_dir() {
            real.clone()
        } else {
            real.parent().map(PathBuf::from).unwrap_or(real.clone())
        };
        Some(self.denial(tool, "path-outside-roots", reason, Some(Need::Root(dir))))
    }

    fn denial(&self, tool: &str, rule: &'static str, reason: String, need: Option<Need>) -> Denial {
        Denial {
            rule,
            reason: format!("mcpwarden denied {tool}: {reason}"),
            tool: tool.into(),
            param: None,
            value: None,
            need,
        }
    }
}

fn check_url(tool: &str, rule: &ToolRule, p: &Param, s: &str, g: &Grants) -> Option<Denial> {
    let deny = |rule: &'static str, reason: String, need| {
        Some(Denial {
            rule,
            reason: format!("mcpwarden denied {tool}: {reason}"),
            tool: tool.into(),
            param: None,
            value: None,
            need,
        })
    };
    let (host, port) = match url_host(s) {
        Ok(hp) => hp,
        Err(e) => return deny("url-invalid", format!("`{}`: {e}", p.name), None),
    };
    if rule
        .hosts
        .iter()
        .chain(&g.hosts)
        .any(|h| h.matches(&host, port))
    {
        return None;
    }
    let need = HostGrant {
        host: host.clone(),
        port: Some(port),
    };
    deny(
        "host-not-granted",
        format!("`{s}` connects to {need}, which is not granted to this tool"),
        Some(Need::Host(need)),
    )
}

/// Host and port of a URL (or of a bare `host[:port]`). Strings that parsers
/// read differently (backslashes, whitespace, control characters, percent-
/// encoded hosts) are refused rather than guessed.
pub fn url_host(s: &str) -> Result<(String, u16), String> {
    if s.chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return Err("URL contains whitespace, control characters or backslashes".into());
    }
    let u = match url::Url::parse(s) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) if !s.contains('/') => {
            url::Url::parse(&format!("http://{s}")).map_err(|e| e.to_string())?
        }
        Err(e) => return Err(e.to_string()),
    };
    let authority = s.split_once("://").map(|(_, r)| r).unwrap_or(s);
    let authority = authority.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('%') {
        return Err("percent-encoded host".into());
    }
    let host = u.host_str().ok_or("URL has no host")?;
    let port = u
        .port_or_known_default()
        .ok_or("URL has no port and no known default")?;
    Ok((normalise_host(host), port))
}

/// `name` or a dotted path into nested objects (`options.path`).
fn lookup<'a>(args: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if let Some(v) = args.get(name) {
        return Some(v);
    }
    let mut parts = name.split('.');
    let mut cur = args.get(parts.next()?)?;
    for p in parts {
        cur = cur.as_object()?.get(p)?;
    }
    Some(cur)
}

fn tool_rule(t: &ToolPermissions, launch: &Launch, warnings: &mut Vec<String>) -> ToolRule {
    let mut r = ToolRule {
        visible: t.handler_found,
        ..Default::default()
    };
    let mut add = |name: &str, used_as, write| {
        if !r
            .params
            .iter()
            .any(|p: &Param| p.name == name && p.used_as == used_as && p.write >= write)
        {
            r.params.push(Param {
                name: name.to_string(),
                used_as,
                write,
            });
        }
    };
    for p in &t.params {
        add(&p.name, p.used_as, writes(&p.access));
    }
    let perms = &t.permissions;
    for f in perms
        .fs
        .iter()
        .filter(|f| f.provenance == Provenance::ToolArg)
    {
        if let Some(param) = &f.origin.param {
            add(param, ParamUse::Path, writes(&f.access));
        }
    }
    for c in perms
        .network
        .connect
        .iter()
        .filter(|c| c.provenance == Provenance::ToolArg)
    {
        if let Some(param) = &c.origin.param {
            add(param, ParamUse::Url, false);
        }
    }
    for e in perms
        .exec
        .iter()
        .filter(|e| e.provenance == Provenance::ToolArg)
    {
        if let Some(param) = &e.origin.param {
            add(param, ParamUse::Command, false);
        }
    }
    (r.read_roots, r.write_roots) = fs_roots(&perms.fs, launch, warnings);
    for c in perms
        .network
        .connect
        .iter()
        .filter(|c| bindable(c.provenance) && c.host != "*")
    {
        for host in bound_values(&c.host, launch, c.origin.default.as_deref(), warnings) {
            r.hosts.push(HostGrant {
                host: normalise_host(&host),
                port: c.port,
            });
        }
    }
    r
}

/// Read and write roots of the `const`/`config` paths of `fs`, bound at launch
/// (`/` is never a root).
fn fs_roots(
    fs: &[FsRule],
    launch: &Launch,
    warnings: &mut Vec<String>,
) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let (mut read, mut write) = (vec![], vec![]);
    for f in fs
        .iter()
        .filter(|f| bindable(f.provenance) && f.path != "*")
    {
        for bound in bound_values(&f.path, launch, f.origin.default.as_deref(), warnings) {
            let p = PathBuf::from(sandbox_path(&bound, &launch.cwd));
            let p = std::fs::canonicalize(&p).unwrap_or(p);
            if p == std::path::Path::new("/") {
                warnings.push(format!(
                    "`{}` binds to `/`: not a root for tool arguments",
                    f.path
                ));
                continue;
            }
            if f.access.contains(&Access::Read) || f.access.is_empty() || writes(&f.access) {
                read.push(p.clone());
            }
            if writes(&f.access) {
                write.push(p);
            }
        }
    }
    (read, write)
}

fn bindable(p: Provenance) -> bool {
    matches!(p, Provenance::Const | Provenance::Config)
}

fn writes(a: &[Access]) -> bool {
    a.contains(&Access::Write) || a.contains(&Access::Delete)
}

fn bound_values(
    v: &str,
    launch: &Launch,
    default: Option<&str>,
    warnings: &mut Vec<String>,
) -> Vec<String> {
    match expand(v, launch, default) {
        Ok(vals) => vals,
        Err(e) => {
            warnings.push(format!("`{v}` not granted: {}", e.0));
            vec![]
        }
    }
}
