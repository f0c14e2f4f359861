//! The manifest bound to one launch: every item with its concrete values
//! (hosts and ports, absolute paths, resolved programs), or the reason it
//! cannot be bound. Exporters read this, never the raw manifest.

use crate::bind::{expand, sandbox_path, Launch};
use crate::{Access, Connect, EnvVar, Exec as ExecItem, FsRule, Listen as ListenItem, Manifest};
use crate::{Permissions, Provenance};

/// Finds programs and follows links; replaceable so tests do not depend on
/// the machine.
pub trait Resolver {
    /// Absolute path of `program` on the `PATH` value `path`.
    fn which(&self, program: &str, path: &str) -> Option<String>;
    /// `p` with symbolic links resolved; `p` itself when it does not exist.
    fn real(&self, p: &str) -> String;
    /// Whether `p` is an existing regular file.
    fn is_file(&self, p: &str) -> bool;
    /// Whether `p` exists.
    fn exists(&self, p: &str) -> bool;
    /// `(major, minor)` of a program that prints `vX.Y.Z` for `--version`
    /// (Node); `None` when unknown.
    fn version(&self, _program: &str) -> Option<(u32, u32)> {
        None
    }
}

/// The real file system and `PATH`.
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn which(&self, program: &str, path: &str) -> Option<String> {
        use std::os::unix::fs::PermissionsExt;
        path.split(':').filter(|d| !d.is_empty()).find_map(|d| {
            let p = std::path::Path::new(d).join(program);
            let meta = std::fs::metadata(&p).ok()?;
            (meta.is_file() && meta.permissions().mode() & 0o111 != 0)
                .then(|| p.display().to_string())
        })
    }
    fn real(&self, p: &str) -> String {
        std::fs::canonicalize(p)
            .map(|r| r.display().to_string())
            .unwrap_or_else(|_| p.to_string())
    }
    fn is_file(&self, p: &str) -> bool {
        std::path::Path::new(p).is_file()
    }
    fn exists(&self, p: &str) -> bool {
        std::path::Path::new(p).exists()
    }
    fn version(&self, program: &str) -> Option<(u32, u32)> {
        let out = std::process::Command::new(program)
            .arg("--version")
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let mut it = text.trim().trim_start_matches('v').split('.');
        Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
    }
}

/// A manifest item as the loss report names it.
#[derive(Clone, Debug)]
pub struct Item {
    pub class: &'static str,
    pub label: String,
    pub tools: Vec<String>,
}

/// An outbound destination; `host` may be `*.domain` (any subdomain).
#[derive(Clone, Debug)]
pub struct Net {
    pub item: Item,
    pub host: String,
    pub port: Option<u16>,
    pub scheme: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Listen {
    pub item: Item,
    pub port: Option<u16>,
}

/// A path: absolute, without a trailing `/**`.
#[derive(Clone, Debug)]
pub struct Fs {
    pub item: Item,
    pub path: String,
    pub read: bool,
    pub write: bool,
}

#[derive(Clone, Debug)]
pub struct Exec {
    pub item: Item,
    /// The name as the code gives it (`git`, `/usr/bin/git`; `sh` for a shell).
    pub program: String,
    /// Absolute path found on the launch `PATH`, links resolved.
    pub resolved: Option<String>,
    pub shell: bool,
}

#[derive(Clone, Debug)]
pub struct Env {
    pub item: Item,
    /// `*` for the whole environment.
    pub name: String,
    pub secret: bool,
}

/// An item that cannot be bound (value chosen by the model with nothing
/// granted, placeholder not set, value not known): no target grants it.
#[derive(Clone, Debug)]
pub struct Unbound {
    pub item: Item,
    pub reason: String,
}

/// A directory the server needs to run at all (its code, its interpreter).
#[derive(Clone, Debug)]
pub struct CodeRoot {
    pub path: String,
    pub write: bool,
    pub reason: String,
}

pub struct Plan<'a> {
    pub manifest: &'a Manifest,
    pub launch: &'a Launch,
    pub resolver: &'a dyn Resolver,
    pub net: Vec<Net>,
    pub listen: Vec<Listen>,
    pub fs: Vec<Fs>,
    pub exec: Vec<Exec>,
    pub env: Vec<Env>,
    pub native: Vec<Item>,
    pub other: Vec<Item>,
    pub unbound: Vec<Unbound>,
    /// Set when tools need different grants: every target but the proxy
    /// confines the server to their union.
    pub per_tool: Option<Item>,
    /// The server command line as given.
    pub cmd: Vec<String>,
    /// `cmd[0]` found on the launch `PATH` (links resolved).
    pub program: Option<String>,
    pub code: Vec<CodeRoot>,
    /// Registries a package runner (`npx`, `uvx`) downloads the server from.
    pub fetch_hosts: Vec<(String, String)>,
}

impl<'a> Plan<'a> {
    pub fn new(
        manifest: &'a Manifest,
        launch: &'a Launch,
        cmd: &[String],
        resolver: &'a dyn Resolver,
    ) -> Plan<'a> {
        let mut plan = Plan {
            manifest,
            launch,
            resolver,
            net: vec![],
            listen: vec![],
            fs: vec![],
            exec: vec![],
            env: vec![],
            native: vec![],
            other: vec![],
            unbound: vec![],
            per_tool: per_tool_item(manifest),
            cmd: cmd.to_vec(),
            program: None,
            code: vec![],
            fetch_hosts: vec![],
        };
        let p = &manifest.permissions;
        for c in &p.network.connect {
            plan.bind_connect(c);
        }
        for l in &p.network.listen {
            plan.listen.push(Listen {
                item: listen_item(l, manifest),
                port: l.port,
            });
        }
        for f in &p.fs {
            plan.bind_fs(f);
        }
        for e in &p.exec {
            plan.bind_exec(e);
        }
        for v in &p.env {
            plan.env.push(Env {
                item: env_item(v, manifest),
                name: v.name.clone(),
                secret: v.secret,
            });
        }
        for n in &p.native {
            let lib = n
                .library
                .clone()
                .unwrap_or_else(|| "<unknown library>".into());
            plan.native.push(Item {
                class: "native",
                label: format!("load {lib}"),
                tools: vec![],
            });
        }
        for k in &p.other {
            plan.other.push(Item {
                class: "other",
                label: k.as_str().to_string(),
                tools: tools_with(manifest, |t| t.other.contains(k)),
            });
        }
        plan.code_roots();
        plan
    }

    /// The launch `PATH`.
    pub fn path_var(&self) -> &str {
        self.launch
            .env
            .get("PATH")
            .map(String::as_str)
            .unwrap_or("")
    }

    fn bind_connect(&mut self, c: &Connect) {
        let item = connect_item(c, self.manifest);
        match connect_values(c, self.launch) {
            Err(reason) => self.unbound.push(Unbound { item, reason }),
            Ok(values) => {
                for v in values {
                    if v.contains("${") {
                        let reason = format!("`{v}` still holds a placeholder after binding");
                        self.unbound.push(Unbound {
                            item: item.clone(),
                            reason,
                        });
                        continue;
                    }
                    let (scheme, host, port) = split_url(&v);
                    let scheme = scheme.or_else(|| c.scheme.clone());
                    let port = port
                        .or(c.port)
                        .or_else(|| scheme.as_deref().and_then(default_port));
                    if host.is_empty() {
                        let reason = format!("`{v}` names no host");
                        self.unbound.push(Unbound {
                            item: item.clone(),
                            reason,
                        });
                        continue;
                    }
                    self.net.push(Net {
                        item: item.clone(),
                        host,
                        port,
                        scheme: scheme.clone(),
                    });
                }
            }
        }
    }

    fn bind_fs(&mut self, f: &FsRule) {
        let item = fs_item(f, self.manifest);
        let read = f.access.contains(&Access::Read);
        let write = f.access.contains(&Access::Write) || f.access.contains(&Access::Delete);
        if f.path == "*"
            || f.provenance == Provenance::Unknown
                && !f.path.starts_with('/')
                && !f.path.contains("${")
        {
            let reason = "the path is not known: never granted".to_string();
            self.unbound.push(Unbound { item, reason });
            return;
        }
        match expand(&f.path, self.launch, f.origin.default.as_deref()) {
            Err(e) => self.unbound.push(Unbound { item, reason: e.0 }),
            Ok(paths) => {
                for p in paths {
                    if p.contains("${") {
                        let reason = format!("`{p}` still holds a placeholder after binding");
                        self.unbound.push(Unbound {
                            item: item.clone(),
                            reason,
                        });
                        continue;
                    }
                    let path = sandbox_path(&p, &self.launch.cwd);
                    self.fs.push(Fs {
                        item: item.clone(),
                        path,
                        read,
                        write,
                    });
                }
            }
        }
    }

    fn bind_exec(&mut self, e: &ExecItem) {
        let item = exec_item(e, self.manifest);
        let name = match (&e.program, e.shell) {
            (_, true) => "sh".to_string(),
            (Some(p), false) => p.clone(),
            (None, false) => {
                let reason = match (&e.origin.tool, &e.origin.param) {
                    (Some(t), Some(p)) => format!("the program is chosen by the model through `{t}.{p}`: no target can list it in advance"),
                    _ => "the program is not known: never granted".to_string(),
                };
                self.unbound.push(Unbound { item, reason });
                return;
            }
        };
        let names = if name.contains("${") {
            match expand(&name, self.launch, e.origin.default.as_deref()) {
                Ok(v) => v,
                Err(err) => {
                    self.unbound.push(Unbound {
                        item,
                        reason: err.0,
                    });
                    return;
                }
            }
        } else {
            vec![name]
        };
        for program in names {
            if program.contains("${") {
                let reason = format!("`{program}` still holds a placeholder after binding");
                self.unbound.push(Unbound {
                    item: item.clone(),
                    reason,
                });
                continue;
            }
            let resolved = self.find_program(&program);
            self.exec.push(Exec {
                item: item.clone(),
                program,
                resolved,
                shell: e.shell,
            });
        }
    }

    /// A program name or path as the launch would find it, links resolved.
    pub fn find_program(&self, program: &str) -> Option<String> {
        let found = if program.contains('/') {
            Some(sandbox_path(program, &self.launch.cwd))
        } else {
            self.resolver.which(program, self.path_var())
        }?;
        Some(self.resolver.real(&found))
    }

    /// The server's own code and interpreter: read access every target must
    /// give for the server to start.
    fn code_roots(&mut self) {
        let Some(first) = self.cmd.first().cloned() else {
            return;
        };
        let found = if first.contains('/') {
            Some(sandbox_path(&first, &self.launch.cwd))
        } else {
            self.resolver.which(&first, self.path_var())
        };
        if let Some(f) = &found {
            let real = self.resolver.real(f);
            for p in [f.clone(), real.clone()] {
                if let Some(prefix) = install_prefix(&p) {
                    self.add_code(&prefix, false, format!("the interpreter `{first}`"));
                }
            }
            self.program = Some(real);
        }
        let base = first.rsplit('/').next().unwrap_or(&first).to_string();
        if base == "npx" || base == "npm" {
            let cache = format!("{}/.npm", self.launch.home.trim_end_matches('/'));
            self.add_code(
                &cache,
                true,
                "npx installs and runs the package from the npm cache".into(),
            );
            self.fetch_hosts.push((
                "registry.npmjs.org:443".into(),
                "npx downloads the package".into(),
            ));
        }
        if base == "uvx" || base == "uv" {
            let cache = format!("{}/.cache/uv", self.launch.home.trim_end_matches('/'));
            self.add_code(
                &cache,
                true,
                "uvx installs and runs the package from the uv cache".into(),
            );
            let pythons = format!("{}/.local/share/uv", self.launch.home.trim_end_matches('/'));
            self.add_code(
                &pythons,
                false,
                "uvx may run a Python it installed there".into(),
            );
            for h in ["pypi.org:443", "files.pythonhosted.org:443"] {
                self.fetch_hosts
                    .push((h.into(), "uvx downloads the package".into()));
            }
        }
        for arg in self.cmd.clone().iter().skip(1) {
            if arg.starts_with('-') {
                continue;
            }
            let abs = sandbox_path(arg, &self.launch.cwd);
            if !self.resolver.is_file(&abs) {
                continue;
            }
            for p in [abs.clone(), self.resolver.real(&abs)] {
                let root = package_root(&p, self.resolver);
                self.add_code(&root, false, format!("the server's code (`{arg}`)"));
            }
        }
    }

    fn add_code(&mut self, path: &str, write: bool, reason: String) {
        if is_system(path) || self.code.iter().any(|c| c.path == path) {
            return;
        }
        self.code.push(CodeRoot {
            path: path.to_string(),
            write,
            reason,
        });
    }

    /// Hosts reached over TLS (port 443 or `https`), for credential injection.
    pub fn tls_hosts(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .net
            .iter()
            .filter(|n| n.port == Some(443) || n.scheme.as_deref() == Some("https"))
            .map(|n| n.host.clone())
            .collect();
        v.dedup();
        v
    }

    /// Whether every destination is reached over TLS (then masking secrets is safe).
    pub fn all_tls(&self) -> bool {
        !self.net.is_empty()
            && self.unbound.iter().all(|u| u.item.class != "network")
            && self
                .net
                .iter()
                .all(|n| n.port == Some(443) || n.scheme.as_deref() == Some("https"))
    }

    /// Items that cannot be granted, reported as `stricter` by every target.
    pub fn report_unbound(&self, r: &mut super::LossReport) {
        for u in &self.unbound {
            r.push(
                &u.item,
                super::Verdict::Stricter,
                format!("not granted: {}", u.reason),
            );
        }
    }

    pub fn server_name(&self) -> &str {
        if self.manifest.server.name.is_empty() {
            "server"
        } else {
            &self.manifest.server.name
        }
    }
}

/// Directories every target leaves readable for programs to run at all.
pub const SYSTEM_DIRS: &[&str] = &["/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc"];

/// A directory without its trailing slash (`/` stays `/`).
pub fn clean_dir(d: &str) -> String {
    let t = d.trim_end_matches('/');
    if t.is_empty() {
        "/".into()
    } else {
        t.to_string()
    }
}

pub fn is_system(path: &str) -> bool {
    SYSTEM_DIRS
        .iter()
        .any(|d| path == *d || path.starts_with(&format!("{d}/")))
}

/// `/x/venv` for `/x/venv/bin/python`: what an interpreter reads its library from.
fn install_prefix(program: &str) -> Option<String> {
    let dir = program.rsplit_once('/')?.0;
    let (prefix, last) = dir.rsplit_once('/')?;
    (last == "bin" && !prefix.is_empty()).then(|| prefix.to_string())
}

/// The directory that holds a script's package: above any `node_modules`
/// (its dependencies live beside it), else the nearest directory with a
/// package manifest, else the script's directory.
fn package_root(file: &str, r: &dyn Resolver) -> String {
    if let Some(i) = file.find("/node_modules/") {
        return file[..i].to_string();
    }
    let dir = file.rsplit_once('/').map(|(d, _)| d).unwrap_or("/");
    let mut cur = dir.to_string();
    loop {
        for m in ["package.json", "pyproject.toml", "setup.py", "deno.json"] {
            if r.exists(&format!("{cur}/{m}")) {
                return cur;
            }
        }
        match cur.rsplit_once('/') {
            Some((parent, _)) if !parent.is_empty() => cur = parent.to_string(),
            _ => return dir.to_string(),
        }
    }
}

/// Split `https://host:8443/path`, `host:port` or `host` into its parts.
pub fn split_url(v: &str) -> (Option<String>, String, Option<u16>) {
    let (scheme, rest) = match v.split_once("://") {
        Some((s, r)) => (Some(s.to_ascii_lowercase()), r),
        None => (None, v),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(authority);
    if let Some(inner) = authority.strip_prefix('[') {
        let (h, after) = inner.split_once(']').unwrap_or((inner, ""));
        let port = after.strip_prefix(':').and_then(|p| p.parse().ok());
        return (scheme, format!("[{h}]"), port);
    }
    match authority.rsplit_once(':') {
        Some((h, p)) if p.parse::<u16>().is_ok() => {
            (scheme, h.to_ascii_lowercase(), p.parse().ok())
        }
        _ => (scheme, authority.to_ascii_lowercase(), None),
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "https" | "wss" => Some(443),
        "http" | "ws" => Some(80),
        _ => None,
    }
}

/// The values a destination takes at this launch.
fn connect_values(c: &Connect, launch: &Launch) -> Result<Vec<String>, String> {
    let default = c.origin.default.as_deref();
    if c.host.contains("${") {
        return expand(&c.host, launch, default).map_err(|e| e.0);
    }
    if c.host != "*" {
        return Ok(vec![c.host.clone()]);
    }
    match (c.provenance, c.origin.source.as_deref()) {
        (Provenance::Config, Some(src)) => source_values(src, launch, default),
        (Provenance::ToolArg, _) => Err(match (&c.origin.tool, &c.origin.param) {
            (Some(t), Some(p)) => {
                format!("the host is chosen by the model through `{t}.{p}`: any host")
            }
            _ => "the host is chosen by the model: any host".into(),
        }),
        _ => Err("the host is not known: never granted".into()),
    }
}

/// Values of a `config` source (`env:NAME`, `arg:--root`, `arg:positional`).
fn source_values(src: &str, launch: &Launch, default: Option<&str>) -> Result<Vec<String>, String> {
    let found: Vec<String> = if let Some(name) = src.strip_prefix("env:") {
        launch.env.get(name).cloned().into_iter().collect()
    } else if let Some(arg) = src.strip_prefix("arg:") {
        launch.cli(arg)
    } else {
        vec![]
    };
    if !found.is_empty() {
        return Ok(found);
    }
    match default {
        Some(d) => Ok(vec![d.to_string()]),
        None => Err(format!(
            "`{src}` is not set at this launch and has no default"
        )),
    }
}

fn origin_suffix(prov: Provenance, o: &crate::Origin) -> String {
    match prov {
        Provenance::Const => String::new(),
        Provenance::Config => match &o.source {
            Some(s) => format!(" <- config {s}"),
            None => " <- config".into(),
        },
        Provenance::ToolArg => match (&o.tool, &o.param) {
            (Some(t), Some(p)) => format!(" <- tool-arg {t}.{p}"),
            _ => " <- tool-arg".into(),
        },
        Provenance::Unknown => " <- unknown".into(),
    }
}

fn connect_key(c: &Connect) -> (String, Option<u16>) {
    (c.host.clone(), c.port)
}

fn connect_item(c: &Connect, m: &Manifest) -> Item {
    let port = c.port.map(|p| format!(":{p}")).unwrap_or_default();
    let key = connect_key(c);
    Item {
        class: "network",
        label: format!(
            "connect {}{port}{}",
            c.host,
            origin_suffix(c.provenance, &c.origin)
        ),
        tools: tools_with(m, |t| {
            t.network.connect.iter().any(|x| connect_key(x) == key)
        }),
    }
}

fn listen_item(l: &ListenItem, m: &Manifest) -> Item {
    let port = l
        .port
        .map(|p| p.to_string())
        .unwrap_or_else(|| "<any port>".into());
    Item {
        class: "listen",
        label: format!("listen {port}{}", origin_suffix(l.provenance, &l.origin)),
        tools: tools_with(m, |t| t.network.listen.iter().any(|x| x.port == l.port)),
    }
}

fn fs_item(f: &FsRule, m: &Manifest) -> Item {
    let access: Vec<&str> = f
        .access
        .iter()
        .map(|a| match a {
            Access::Read => "read",
            Access::Write => "write",
            Access::Delete => "delete",
        })
        .collect();
    Item {
        class: "fs",
        label: format!(
            "{} {}{}",
            access.join(","),
            f.path,
            origin_suffix(f.provenance, &f.origin)
        ),
        tools: tools_with(m, |t| t.fs.iter().any(|x| x.path == f.path)),
    }
}

fn exec_item(e: &ExecItem, m: &Manifest) -> Item {
    let prog = e.program.clone().unwrap_or_else(|| "<any program>".into());
    let shell = if e.shell { " (through a shell)" } else { "" };
    Item {
        class: "exec",
        label: format!(
            "exec {prog}{shell}{}",
            origin_suffix(e.provenance, &e.origin)
        ),
        tools: tools_with(m, |t| t.exec.iter().any(|x| x.program == e.program)),
    }
}

fn env_item(v: &EnvVar, m: &Manifest) -> Item {
    let secret = if v.secret { " (secret)" } else { "" };
    Item {
        class: "env",
        label: format!("env {}{secret}", v.name),
        tools: tools_with(m, |t| t.env.iter().any(|x| x.name == v.name)),
    }
}

fn tools_with(m: &Manifest, has: impl Fn(&Permissions) -> bool) -> Vec<String> {
    m.tools
        .iter()
        .filter(|t| has(&t.permissions))
        .map(|t| t.name.clone())
        .collect()
}

/// One report row when tools differ in what they need.
fn per_tool_item(m: &Manifest) -> Option<Item> {
    let first = m.tools.first()?;
    let differ = m
        .tools
        .iter()
        .any(|t| t.permissions != first.permissions || !t.handler_found);
    (m.tools.len() > 1 && differ).then(|| Item {
        class: "tools",
        label: format!("per-tool grants ({} tools)", m.tools.len()),
        tools: vec![],
    })
}

/// What a permission-flag target grants: the server's code read (and written
/// where the plan says), each file rule read or written, a path that does not
/// exist yet widened to its parent; every item goes into the loss report.
/// Node's `--allow-fs-*` and Deno's `--allow-read`/`--allow-write` differ
/// only in how they spell the two lists.
pub(crate) fn file_grants(plan: &Plan, r: &mut super::LossReport) -> (Vec<String>, Vec<String>) {
    use super::srt::{existing_or_parent, widened_why};
    use super::Verdict;
    let mut read: Vec<String> = vec![];
    let mut write: Vec<String> = vec![];
    for c in &plan.code {
        push(&mut read, &c.path);
        r.add(format!("read {}", c.path), c.reason.clone());
        if c.write {
            push(&mut write, &c.path);
            r.add(format!("write {}", c.path), c.reason.clone());
        }
    }
    for f in &plan.fs {
        let (path, widened) = existing_or_parent(plan, &f.path, f.write);
        if f.read {
            push(&mut read, &path);
        }
        if f.write {
            push(&mut write, &path);
        }
        let (v, d) = if widened {
            (Verdict::Wider, widened_why(&f.path, &path, "granted"))
        } else {
            (
                Verdict::Exact,
                format!(
                    "{}`{path}`",
                    if f.write && f.read {
                        "read and write "
                    } else if f.write {
                        "write "
                    } else {
                        "read "
                    }
                ),
            )
        };
        r.push(&f.item, v, d);
    }
    (read, write)
}

/// Adds `s` to `v` unless it is there already (flag lists keep their order).
pub(crate) fn push(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls_and_host_ports() {
        assert_eq!(
            split_url("https://api.x.io/v1"),
            (Some("https".into()), "api.x.io".into(), None)
        );
        assert_eq!(
            split_url("http://127.0.0.1:8080/x"),
            (Some("http".into()), "127.0.0.1".into(), Some(8080))
        );
        assert_eq!(
            split_url("Example.com:22"),
            (None, "example.com".into(), Some(22))
        );
        assert_eq!(
            split_url("http://u:p@h:1"),
            (Some("http".into()), "h".into(), Some(1))
        );
        assert_eq!(split_url("[::1]:5"), (None, "[::1]".into(), Some(5)));
    }

    #[test]
    fn prefixes_and_system_dirs() {
        assert_eq!(install_prefix("/v/env/bin/python"), Some("/v/env".into()));
        assert_eq!(install_prefix("/usr/local/lib/x"), None);
        assert!(is_system("/usr/lib/x"));
        assert!(!is_system("/usrx"));
    }
}
