//! Deriving the manifest from a scan: every finding of the server's own code
//! becomes a permission item (or an `unresolved` entry), per tool and for
//! the whole server. Never narrower than the scan: a finding whose value is
//! not known still grants its capability with `*` and is listed as unresolved.

use crate::manifest::*;
use mcpwarden_model::{Finding, Kind, Part, Reach, Resource, ServerReport, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The manifest of a scanned server. `source` names where it came from
/// (`npm:pkg@1.2.3` or a directory); `analyser` the analyser version.
pub fn derive(report: &ServerReport, source: &str, analyser: &str) -> Manifest {
    let server: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.part == Part::Server)
        .collect();
    let lib_hosts = library_hosts(&server);
    let mut unresolved = BTreeSet::new();
    let permissions = build(&server, None, &lib_hosts, &mut unresolved);
    let tools = report
        .tools
        .iter()
        .filter(|t| {
            t.entry
                .is_none_or(|e| e == mcpwarden_model::EntryKind::Tool)
        })
        .map(|t| {
            let reached: Vec<&Finding> = server
                .iter()
                .copied()
                .filter(|f| f.tools.iter().any(|n| n == &t.name))
                .collect();
            let mut ignore = BTreeSet::new();
            let permissions = build(&reached, Some(&t.name), &lib_hosts, &mut ignore);
            ToolPermissions {
                name: t.name.clone(),
                resources: t.resources.clone(),
                kinds: t.kinds.clone(),
                params: tool_params(&reached, &t.name),
                permissions,
                handler_found: t.handler_found,
            }
        })
        .collect();
    Manifest {
        schema: MANIFEST_SCHEMA.to_string(),
        server: ServerInfo {
            name: report.name.clone(),
            source: source.to_string(),
            analyser: analyser.to_string(),
            languages: report.languages.clone(),
            opaque: report.opaque.clone(),
        },
        permissions,
        tools,
        unresolved: unresolved.into_iter().collect(),
    }
}

/// Hosts of the base URLs each library's clients are created with in this
/// server (`axios.create({ baseURL })`): a relative request through the same
/// library goes there.
fn library_hosts(findings: &[&Finding]) -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.resource == Resource::Network) {
        let Some(via) = &f.via else { continue };
        let named = |v: &&Value| host_of(v).is_some_and(|h| h.host != "*");
        for v in values_of(f).iter().filter(named) {
            let list = out.entry(via.clone()).or_default();
            if !list.contains(v) {
                list.push(v.clone());
            }
        }
    }
    out
}

fn evidence(f: &Finding) -> String {
    format!("{}:{}", f.file, f.line)
}

/// `${ARG:param}` of a server-level value, named for one tool: `${ARG:tool.param}`.
fn for_tool(text: &str, tool: &str) -> String {
    text.replace("${ARG:", &format!("${{ARG:{tool}."))
}

fn origin(v: &Value, tool: Option<&str>) -> Origin {
    Origin {
        source: v.source.clone(),
        default: v.default.clone(),
        tool: tool
            .filter(|_| v.provenance == Provenance::ToolArg)
            .map(str::to_string),
        param: v
            .param
            .clone()
            .filter(|_| v.provenance == Provenance::ToolArg),
    }
}

/// The tools a tool-argument value stands for: the one being built, or every
/// tool reaching the finding (server level).
fn tools_for<'a>(f: &'a Finding, v: &'a Value, tool: Option<&'a str>) -> Vec<Option<&'a str>> {
    // A tool argument is that of the tools whose handler it enters, when known.
    let enters = |t: &str| v.tools.is_empty() || v.tools.iter().any(|x| x == t);
    match (v.provenance, tool) {
        (Provenance::ToolArg, Some(t)) if enters(t) => vec![Some(t)],
        (Provenance::ToolArg, Some(_)) => vec![],
        (Provenance::ToolArg, None) if !f.tools.is_empty() => f
            .tools
            .iter()
            .filter(|t| enters(t))
            .map(|t| Some(t.as_str()))
            .collect(),
        _ => vec![tool],
    }
}

fn build(
    findings: &[&Finding],
    tool: Option<&str>,
    lib_hosts: &BTreeMap<String, Vec<Value>>,
    unresolved: &mut BTreeSet<Unresolved>,
) -> Permissions {
    let mut b = Builder::default();
    for f in findings {
        let ev = evidence(f);
        let values = values_for_tool(values_of(f), tool);
        match f.kind {
            Kind::NetHttp | Kind::NetConnect => b.connect(f, &values, tool, lib_hosts, unresolved),
            Kind::DbClient if f.resource == Resource::Network => {
                b.connect(f, &values, tool, lib_hosts, unresolved)
            }
            Kind::DbClient
            | Kind::FsRead
            | Kind::FsList
            | Kind::FsMeta
            | Kind::FsWrite
            | Kind::FsDelete => b.fs(f, &values, tool, unresolved),
            Kind::NetListen => b.listen(f, &values, unresolved),
            Kind::SysExec | Kind::SysShell => b.exec(f, &values, tool, unresolved),
            Kind::SysEnv => b.env(f, &values, unresolved),
            Kind::MemNative => {
                let lib = values
                    .iter()
                    .find(|v| v.provenance == Provenance::Const)
                    .map(|v| v.text.clone());
                if lib.is_none() {
                    unresolved.insert(unresolved_entry(
                        f,
                        "native library not named by a constant",
                    ));
                }
                let prov = if lib.is_some() {
                    Provenance::Const
                } else {
                    Provenance::Unknown
                };
                b.native.entry((lib, prov)).or_default().insert(ev);
            }
            other => {
                b.other.insert(other);
            }
        }
    }
    b.finish()
}

/// A finding's values; a report without them (an older scan) falls back to
/// its literal `value`, a constant unless it has an unknown part.
fn values_of(f: &Finding) -> Vec<Value> {
    if !f.values.is_empty() {
        return f.values.clone();
    }
    f.value
        .iter()
        .map(|v| Value {
            text: v.clone(),
            provenance: if v.contains('*') {
                Provenance::Unknown
            } else {
                Provenance::Const
            },
            source: None,
            default: None,
            param: None,
            tools: vec![],
        })
        .collect()
}

/// The values a finding takes when one tool reaches it: another tool's
/// arguments are not this tool's. When none is left, the value is unknown
/// here, and says so.
fn values_for_tool(values: Vec<Value>, tool: Option<&str>) -> Vec<Value> {
    let Some(t) = tool else { return values };
    let mine = |v: &Value| {
        v.provenance != Provenance::ToolArg || v.tools.is_empty() || v.tools.iter().any(|x| x == t)
    };
    if values.is_empty() || values.iter().any(mine) {
        return values.into_iter().filter(mine).collect();
    }
    vec![Value {
        text: "*".into(),
        provenance: Provenance::Unknown,
        source: None,
        default: None,
        param: None,
        tools: vec![],
    }]
}

fn unresolved_entry(f: &Finding, reason: &str) -> Unresolved {
    Unresolved {
        kind: f.kind,
        evidence: evidence(f),
        reason: reason.to_string(),
        tools: f.tools.clone(),
    }
}

/// Items keyed by everything but their evidence, so one rule collects every call site.
/// Evidence (`file:line`) per item, keyed by what makes items distinct.
type Items<K> = BTreeMap<K, BTreeSet<String>>;
/// host, port, scheme, provenance, origin, via.
type ConnectKey = (
    String,
    Option<u16>,
    Option<String>,
    Provenance,
    Origin,
    Option<String>,
);

/// path, provenance, origin.
type FsKey = (String, Provenance, Origin);

#[derive(Default)]
struct Builder {
    connect: Items<ConnectKey>,
    listen: Items<(Option<u16>, Option<String>, Provenance, Origin)>,
    exec: Items<(Option<String>, bool, Provenance, Origin)>,
    env: BTreeMap<String, (When, BTreeSet<String>)>,
    fs: BTreeMap<FsKey, (BTreeSet<Access>, BTreeSet<String>)>,
    native: BTreeMap<(Option<String>, Provenance), BTreeSet<String>>,
    other: BTreeSet<Kind>,
}

impl Builder {
    fn connect(
        &mut self,
        f: &Finding,
        values: &[Value],
        tool: Option<&str>,
        lib_hosts: &BTreeMap<String, Vec<Value>>,
        unresolved: &mut BTreeSet<Unresolved>,
    ) {
        let ev = evidence(f);
        // A value that says nothing at all (`*`) gives way to what the library is known to contact.
        let mut targets: Vec<Value> = values
            .iter()
            .filter(|v| host_of(v).is_some() && v.text != "*")
            .cloned()
            .collect();
        if targets.is_empty() {
            // A relative request through a client created with a base URL, else the library's default host.
            if let Some(base) = f.via.as_ref().and_then(|v| lib_hosts.get(v)) {
                targets = base.clone();
            }
        }
        if targets.is_empty() {
            let defaults = mcpwarden_catalog::hosts::default_hosts(f.via.as_deref(), &f.api);
            for hp in defaults {
                let (host, port) = hp.rsplit_once(':').unwrap_or((hp, "443"));
                let key = (
                    host.to_string(),
                    port.parse().ok(),
                    Some("https".into()),
                    Provenance::Const,
                    Origin::default(),
                    f.via.clone(),
                );
                self.connect.entry(key).or_default().insert(ev.clone());
            }
            if !defaults.is_empty() {
                return;
            }
        }
        if targets.is_empty() {
            let why = match values.first() {
                Some(v) => format!("host not resolved from `{}`", v.text),
                None => "no URL or host argument could be read".into(),
            };
            unresolved.insert(unresolved_entry(f, &why));
            let prov = values.first().map_or(Provenance::Unknown, |v| v.provenance);
            let o = values.first().map(|v| origin(v, tool)).unwrap_or_default();
            self.connect
                .entry(("*".into(), None, None, prov, o, f.via.clone()))
                .or_default()
                .insert(ev);
            return;
        }
        for v in &targets {
            let Some(h) = host_of(v) else { continue };
            for t in tools_for(f, v, tool) {
                let key = (
                    h.host.clone(),
                    h.port,
                    h.scheme.clone(),
                    h.provenance,
                    origin(v, t),
                    f.via.clone(),
                );
                self.connect.entry(key).or_default().insert(ev.clone());
            }
            if h.provenance == Provenance::Unknown {
                unresolved.insert(unresolved_entry(
                    f,
                    &format!("host not resolved from `{}`", v.text),
                ));
            }
        }
    }

    fn listen(&mut self, f: &Finding, values: &[Value], unresolved: &mut BTreeSet<Unresolved>) {
        let ev = evidence(f);
        let port = |v: &Value| -> Option<u16> {
            v.text
                .parse()
                .ok()
                .or_else(|| v.default.as_ref().and_then(|d| d.parse().ok()))
        };
        let found: Vec<&Value> = values
            .iter()
            .filter(|v| port(v).is_some() || v.provenance == Provenance::Config)
            .collect();
        if found.is_empty() {
            unresolved.insert(unresolved_entry(f, "port not resolved"));
            self.listen
                .entry((None, None, Provenance::Unknown, Origin::default()))
                .or_default()
                .insert(ev);
            return;
        }
        for v in found {
            self.listen
                .entry((port(v), None, v.provenance, origin(v, None)))
                .or_default()
                .insert(ev.clone());
        }
    }

    fn exec(
        &mut self,
        f: &Finding,
        values: &[Value],
        tool: Option<&str>,
        unresolved: &mut BTreeSet<Unresolved>,
    ) {
        let ev = evidence(f);
        let shell = f.kind == Kind::SysShell;
        // A wrapper library runs its own program; the values are its arguments.
        let programs = mcpwarden_catalog::hosts::programs(f.via.as_deref(), &f.api);
        if !programs.is_empty() {
            for p in programs {
                let key = (Some(p.clone()), shell, Provenance::Const, Origin::default());
                self.exec.entry(key).or_default().insert(ev.clone());
            }
            return;
        }
        if values.is_empty() {
            unresolved.insert(unresolved_entry(f, "command not resolved"));
            self.exec
                .entry((None, shell, Provenance::Unknown, Origin::default()))
                .or_default()
                .insert(ev);
            return;
        }
        for v in values {
            let program = program_of(&v.text);
            let prov = match (&program, v.provenance) {
                // `git ${ARG:x}`: the program is fixed even though its arguments are not.
                (Some(_), Provenance::ToolArg | Provenance::Unknown) if !shell => Provenance::Const,
                (_, p) => p,
            };
            if program.is_none() && prov == Provenance::Unknown {
                unresolved.insert(unresolved_entry(
                    f,
                    &format!("program not resolved from `{}`", v.text),
                ));
            }
            for t in tools_for(f, v, tool) {
                let o = if prov == v.provenance {
                    origin(v, t)
                } else {
                    Origin::default()
                };
                self.exec
                    .entry((program.clone(), shell, prov, o))
                    .or_default()
                    .insert(ev.clone());
            }
        }
    }

    fn env(&mut self, f: &Finding, values: &[Value], unresolved: &mut BTreeSet<Unresolved>) {
        let when = match f.reach {
            Reach::Startup | Reach::Unreachable => When::Startup,
            _ => When::Tool,
        };
        let names: Vec<String> = values
            .iter()
            .filter(|v| v.provenance == Provenance::Const && is_env_name(&v.text))
            .map(|v| v.text.clone())
            .collect();
        let names = if names.is_empty() {
            unresolved.insert(unresolved_entry(
                f,
                "variable name not resolved (the whole environment may be read)",
            ));
            vec!["*".to_string()]
        } else {
            names
        };
        for n in names {
            let e = self.env.entry(n).or_insert((when, BTreeSet::new()));
            e.0 = e.0.min(when);
            e.1.insert(evidence(f));
        }
    }

    fn fs(
        &mut self,
        f: &Finding,
        values: &[Value],
        tool: Option<&str>,
        unresolved: &mut BTreeSet<Unresolved>,
    ) {
        // A database call's argument is often a query, not the file.
        let kept: Vec<Value>;
        let values = if f.kind == Kind::DbClient {
            kept = values
                .iter()
                .filter(|v| looks_like_path(&v.text))
                .cloned()
                .collect();
            &kept[..]
        } else {
            values
        };
        let access = match f.kind {
            Kind::FsWrite => Access::Write,
            Kind::FsDelete => Access::Delete,
            _ => Access::Read,
        };
        let ev = evidence(f);
        if values.is_empty() {
            unresolved.insert(unresolved_entry(f, "path not resolved"));
            let e = self
                .fs
                .entry(("*".into(), Provenance::Unknown, Origin::default()))
                .or_default();
            e.0.insert(access);
            e.1.insert(ev);
            return;
        }
        for v in values {
            if v.provenance == Provenance::Unknown {
                unresolved.insert(unresolved_entry(
                    f,
                    &format!("path not resolved from `{}`", v.text),
                ));
            }
            for t in tools_for(f, v, tool) {
                let text = match t {
                    Some(t) => for_tool(&v.text, t),
                    None => v.text.clone(),
                };
                let e = self
                    .fs
                    .entry((path_pattern(&text), v.provenance, origin(v, t)))
                    .or_default();
                e.0.insert(access);
                e.1.insert(ev.clone());
            }
        }
    }

    fn finish(self) -> Permissions {
        let list = |s: BTreeSet<String>| s.into_iter().collect::<Vec<_>>();
        Permissions {
            network: Network {
                connect: self
                    .connect
                    .into_iter()
                    .map(
                        |((host, port, scheme, provenance, origin, via), ev)| Connect {
                            host,
                            port,
                            scheme,
                            provenance,
                            origin,
                            via,
                            evidence: list(ev),
                        },
                    )
                    .collect(),
                listen: self
                    .listen
                    .into_iter()
                    .map(|((port, host, provenance, origin), ev)| Listen {
                        port,
                        host,
                        provenance,
                        origin,
                        evidence: list(ev),
                    })
                    .collect(),
            },
            exec: self
                .exec
                .into_iter()
                .map(|((program, shell, provenance, origin), ev)| Exec {
                    program,
                    shell,
                    provenance,
                    origin,
                    evidence: list(ev),
                })
                .collect(),
            env: self
                .env
                .into_iter()
                .map(|(name, (when, ev))| EnvVar {
                    secret: is_secret(&name),
                    name,
                    when,
                    evidence: list(ev),
                })
                .collect(),
            fs: self
                .fs
                .into_iter()
                .map(|((path, provenance, origin), (access, ev))| FsRule {
                    path,
                    access: access.into_iter().collect(),
                    provenance,
                    origin,
                    evidence: list(ev),
                })
                .collect(),
            native: self
                .native
                .into_iter()
                .map(|((library, provenance), ev)| Native {
                    library,
                    provenance,
                    evidence: list(ev),
                })
                .collect(),
            other: self.other.into_iter().collect(),
        }
    }
}

/// The tool arguments that reach privileged calls, with their use.
fn tool_params(findings: &[&Finding], tool: &str) -> Vec<ToolParam> {
    let mut out: BTreeMap<(String, ParamUse), (BTreeSet<Access>, BTreeSet<String>)> =
        BTreeMap::new();
    for f in findings {
        let used_as = match f.kind.default_resource() {
            _ if matches!(f.kind, Kind::SysExec | Kind::SysShell) => ParamUse::Command,
            _ if f.kind == Kind::SysEval => ParamUse::Code,
            Resource::Network if f.kind != Kind::DbClient || f.resource == Resource::Network => {
                ParamUse::Url
            }
            Resource::File => ParamUse::Path,
            _ if f.kind == Kind::DbClient => ParamUse::Path,
            _ => continue,
        };
        let mine = |v: &&Value| v.tools.is_empty() || v.tools.iter().any(|x| x == tool);
        let args = f
            .values
            .iter()
            .filter(|v| v.provenance == Provenance::ToolArg);
        for v in args.filter(mine) {
            let Some(p) = &v.param else { continue };
            let e = out.entry((p.clone(), used_as)).or_default();
            if used_as == ParamUse::Path {
                e.0.insert(match f.kind {
                    Kind::FsWrite => Access::Write,
                    Kind::FsDelete => Access::Delete,
                    _ => Access::Read,
                });
            }
            e.1.insert(evidence(f));
        }
    }
    out.into_iter()
        .map(|((name, used_as), (access, ev))| ToolParam {
            name,
            used_as,
            access: access.into_iter().collect(),
            evidence: ev.into_iter().collect(),
        })
        .collect()
}

/// A parsed network target.
struct HostPort {
    host: String,
    port: Option<u16>,
    scheme: Option<String>,
    provenance: Provenance,
}

fn default_port(scheme: &str) -> Option<u16> {
    Some(match scheme {
        "http" | "ws" => 80,
        "https" | "wss" => 443,
        "postgres" | "postgresql" => 5432,
        "mysql" | "mariadb" => 3306,
        "mongodb" => 27017,
        "redis" => 6379,
        "rediss" => 6380,
        "amqp" => 5672,
        "amqps" => 5671,
        "ftp" => 21,
        "ssh" | "sftp" => 22,
        "smtp" => 25,
        "smtps" => 465,
        _ => return None,
    })
}

/// Host, port and scheme of a URL-like value; `None` when nothing names a host
/// (a relative path). The host's provenance is that of the text it comes from.
fn host_of(v: &Value) -> Option<HostPort> {
    // A configured URL with a literal default: its host is the default's, bound at launch.
    let text = match (&v.provenance, &v.default) {
        (Provenance::Config, Some(d))
            if v.text.starts_with("${ENV:") || v.text.starts_with("${CLI:") =>
        {
            let rest = &v.text[v.text.find('}').map_or(v.text.len(), |i| i + 1)..];
            format!("{d}{rest}")
        }
        _ => v.text.clone(),
    };
    let (scheme, rest) = match text.split_once("://") {
        Some((s, r))
            if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '+') =>
        {
            (Some(s.to_ascii_lowercase()), r)
        }
        _ if text.starts_with("${") => {
            // The whole URL is a placeholder: host chosen by config, model or unknown.
            return Some(HostPort {
                host: "*".into(),
                port: None,
                scheme: None,
                provenance: v.provenance,
            });
        }
        _ if text == "*" => {
            return Some(HostPort {
                host: "*".into(),
                port: None,
                scheme: None,
                provenance: Provenance::Unknown,
            })
        }
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => match p.parse::<u16>() {
            Ok(n) => (h.to_string(), Some(n)),
            Err(_) => (authority.to_string(), None),
        },
        _ => (authority.to_string(), None),
    };
    let scheme_base = scheme
        .as_deref()
        .map(|s| s.split('+').next().unwrap_or(s).to_string());
    let port = port.or_else(|| scheme_base.as_deref().and_then(default_port));
    let host_is_literal = !host.is_empty() && !host.contains(['$', '*', '{']);
    let provenance = if host_is_literal {
        if v.provenance == Provenance::Config && v.default.is_some() && v.text.starts_with("${") {
            Provenance::Config
        } else {
            Provenance::Const
        }
    } else {
        v.provenance
    };
    Some(HostPort {
        host: if host_is_literal {
            host.to_ascii_lowercase()
        } else {
            "*".into()
        },
        port,
        scheme: scheme_base,
        provenance,
    })
}

/// The program of a command line: its first word, when literal.
fn program_of(command: &str) -> Option<String> {
    let first = command.split_whitespace().next()?;
    if first.contains(['$', '*']) {
        return None;
    }
    Some(first.trim_matches(['"', '\'']).to_string())
}

/// A path value as a rule: a trailing unknown part covers everything below.
fn path_pattern(text: &str) -> String {
    match text.strip_suffix('*') {
        Some(prefix) if !prefix.is_empty() && !prefix.ends_with('*') => {
            let base = prefix.trim_end_matches('/');
            if prefix.ends_with('/') || base.is_empty() {
                format!("{base}/**")
            } else {
                format!("{prefix}*")
            }
        }
        _ => text.to_string(),
    }
}

/// A value that can be a file name (not a query or a message).
fn looks_like_path(s: &str) -> bool {
    const SQL: &[&str] = &[
        "SELECT ", "INSERT ", "CREATE ", "UPDATE ", "DELETE ", "PRAGMA ", "WITH ", "DROP ",
        "ALTER ",
    ];
    let head = s.trim_start().to_ascii_uppercase();
    !s.is_empty()
        && s.len() < 512
        && !s.contains(['\n', ';'])
        && !SQL.iter().any(|k| head.starts_with(k))
}

fn is_env_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Every item of a permission set as (class, value, provenance, secret):
/// `connect host:port`, `listen port`, `exec program`, `env NAME`, `fs path`,
/// `native library`. For stores and reports.
pub fn items(p: &Permissions) -> Vec<(&'static str, String, Provenance, bool)> {
    let mut out = vec![];
    for c in &p.network.connect {
        let port = c.port.map(|n| format!(":{n}")).unwrap_or_default();
        out.push(("connect", format!("{}{port}", c.host), c.provenance, false));
    }
    for l in &p.network.listen {
        let port = l.port.map_or("*".to_string(), |n| n.to_string());
        out.push(("listen", port, l.provenance, false));
    }
    for e in &p.exec {
        let prog = e.program.clone().unwrap_or_else(|| "*".into());
        out.push(("exec", prog, e.provenance, false));
    }
    for e in &p.env {
        out.push(("env", e.name.clone(), Provenance::Const, e.secret));
    }
    for f in &p.fs {
        out.push(("fs", f.path.clone(), f.provenance, false));
    }
    for n in &p.native {
        let lib = n.library.clone().unwrap_or_else(|| "*".into());
        out.push(("native", lib, n.provenance, false));
    }
    out
}

/// Names that look like credentials.
pub fn is_secret(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "CREDENTIAL",
        "ACCESS_KEY",
        "AUTH",
    ]
    .iter()
    .any(|k| n.contains(k))
        || n.ends_with("_KEY")
        || n.ends_with("_PASS")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn val(text: &str, p: Provenance) -> Value {
        Value {
            text: text.into(),
            provenance: p,
            source: None,
            default: None,
            param: None,
            tools: vec![],
        }
    }

    #[test]
    fn hosts_ports_and_schemes_from_urls() {
        let h = host_of(&val("https://api.acme.io/v1/*", Provenance::Unknown)).unwrap();
        assert_eq!(
            (h.host.as_str(), h.port, h.provenance),
            ("api.acme.io", Some(443), Provenance::Const)
        );
        let h = host_of(&val("postgres://u:p@db.local:6543/x", Provenance::Const)).unwrap();
        assert_eq!((h.host.as_str(), h.port), ("db.local", Some(6543)));
        let h = host_of(&val("${ARG:url}", Provenance::ToolArg)).unwrap();
        assert_eq!((h.host.as_str(), h.provenance), ("*", Provenance::ToolArg));
        assert!(host_of(&val("/search", Provenance::Const)).is_none());
        let mut v = val("${ENV:API_URL}/search", Provenance::Config);
        v.default = Some("http://localhost:8080".into());
        let h = host_of(&v).unwrap();
        assert_eq!(
            (h.host.as_str(), h.port, h.provenance),
            ("localhost", Some(8080), Provenance::Config)
        );
    }

    #[test]
    fn programs_paths_and_secrets() {
        assert_eq!(program_of("git log --oneline").as_deref(), Some("git"));
        assert_eq!(program_of("${ARG:cmd}"), None);
        assert_eq!(path_pattern("${HOME}/.acme/*"), "${HOME}/.acme/**");
        assert_eq!(path_pattern("/data/file.txt"), "/data/file.txt");
        assert_eq!(path_pattern("/data/log-*"), "/data/log-*");
        assert!(is_secret("GITHUB_TOKEN") && is_secret("OPENAI_API_KEY") && !is_secret("HOME"));
    }
}
