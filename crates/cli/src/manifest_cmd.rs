//! `mcpwarden manifest`: the least-privilege manifest of a server directory or
//! package, as JSON (`mcpwarden/manifest/v1`) or a per-tool table.

use clap::{Args, ValueEnum};
use mcpwarden_analyze::{scan, Options};
use mcpwarden_collect::{collect, Config, Source};
use mcpwarden_policy::{Manifest, Permissions, Provenance};
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
#[command(
    after_help = "TARGET is a directory or a package: npm:NAME@VERSION, pypi:NAME==VERSION, \
crates:NAME@VERSION, git:URL@REV#SUBDIR. Packages are fetched into the cache, verified and never run.\n\n\
Exit codes: 0 manifest written (or exported); 1 with --export, the target cannot grant something the manifest needs; 2 the target is missing, cannot be fetched, or bad usage.\n\n\
Examples:\n  mcpwarden manifest examples/notes-server\n  mcpwarden manifest npm:@modelcontextprotocol/server-filesystem --format json > fs.manifest.json"
)]
pub struct ManifestArgs {
    /// A server directory, or a package source (npm:, pypi:, crates:, git:).
    pub target: String,
    /// `json` (default) is the mcpwarden/manifest/v1 document, `text` a per-tool
    /// table; with --export, `json` prints the export as one document and `text`
    /// (default) the configuration, the command and the loss report.
    #[arg(long, value_enum)]
    pub format: Option<ManifestFormat>,
    /// Write the output to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Cache directory for fetched packages (default: $MCPWARDEN_CACHE_DIR or ~/.cache/mcpwarden).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Use the cache only; never download.
    #[arg(long)]
    pub offline: bool,
    /// Export the manifest to a sandbox instead of printing it: srt, vscode,
    /// codex, toolhive, docker, node, deno (see `mcpwarden export-manifest --help`).
    #[arg(long = "export", value_name = "KIND", value_parser = clap::builder::PossibleValuesParser::new(mcpwarden_policy::export::ExportKind::NAMES))]
    pub export: Option<String>,
    /// With --export: a directory that paths chosen by the model may use; repeat for several.
    #[arg(long = "grant-fs", value_name = "DIR", requires = "export")]
    pub grant_fs: Vec<String>,
    /// With --export: export even when the target would block something the manifest needs.
    #[arg(long, requires = "export")]
    pub allow_loss: bool,
    /// With --export: the command that starts the server (after `--`); `config`
    /// values are bound from it and from the environment.
    #[arg(last = true, value_name = "SERVER CMD")]
    pub cmd: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ManifestFormat {
    Text,
    Json,
}

/// Scan a directory or a fetched package and derive its manifest.
pub fn derive_target(
    target: &str,
    cache: Option<&Path>,
    offline: bool,
) -> Result<Manifest, String> {
    let t = fetch_target(target, cache, offline)?;
    let report = scan(&t.root, &Options::default()).map_err(|e| e.to_string())?;
    Ok(mcpwarden_policy::derive::derive(
        &report,
        &t.source,
        mcpwarden_measure::analyser_version(),
    ))
}

/// A target ready to scan. A package's unpacked tree is temporary: it lives
/// as long as `_collected`, so keep the `Fetched` until the scan is done.
pub struct Fetched {
    pub root: PathBuf,
    /// The source name a manifest records (`npm:NAME@VERSION`, or the path).
    pub source: String,
    _collected: Option<mcpwarden_collect::Collected>,
}

/// The directory of a target, fetched and unpacked for a package source.
pub fn fetch_target(target: &str, cache: Option<&Path>, offline: bool) -> Result<Fetched, String> {
    if Path::new(target).exists() {
        return Ok(Fetched {
            root: PathBuf::from(target),
            source: target.to_string(),
            _collected: None,
        });
    }
    let src = Source::parse(target)
        .map_err(|e| format!("{target}: not a directory, and not a package source ({e})"))?;
    let mut cfg = Config::from_env();
    if let Some(c) = cache {
        cfg.cache_dir = c.to_path_buf();
    }
    cfg.offline |= offline;
    let c = collect(&cfg, &src).map_err(|e| format!("{target}: {e}"))?;
    let source = match c.registry.as_str() {
        "npm" => format!("npm:{}@{}", c.name, c.version),
        "pypi" => format!("pypi:{}=={}", c.name, c.version),
        "crates" => format!("crates:{}@{}", c.name, c.version),
        _ => target.to_string(),
    };
    Ok(Fetched {
        root: c.root.clone(),
        source,
        _collected: Some(c),
    })
}

pub fn manifest(a: ManifestArgs) -> ExitCode {
    let m = match derive_target(&a.target, a.cache.as_deref(), a.offline) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("mcpwarden: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(kind) = &a.export {
        let json = a.format == Some(ManifestFormat::Json);
        return crate::export_cmd::export_manifest(
            &m,
            kind,
            a.out.as_deref(),
            json,
            &a.grant_fs,
            a.allow_loss,
            &a.cmd,
        );
    }
    let text = match a.format.unwrap_or(ManifestFormat::Json) {
        ManifestFormat::Json => serde_json::to_string_pretty(&m)
            .map(|s| s + "\n")
            .unwrap_or_default(),
        ManifestFormat::Text => render(&m),
    };
    write_out(a.out.as_deref(), &text)
}

/// Write to a file or standard output; a closed pipe is not an error.
pub fn write_out(out: Option<&Path>, text: &str) -> ExitCode {
    let res = match out {
        Some(p) => std::fs::write(p, text).map_err(|e| format!("{}: {e}", p.display())),
        None => {
            let mut o = std::io::stdout().lock();
            match o.write_all(text.as_bytes()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(format!("writing output: {e}"))
                }
                _ => Ok(()),
            }
        }
    };
    match res {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mcpwarden: {e}");
            ExitCode::from(2)
        }
    }
}

/// Where a value comes from, as the table shows it.
fn prov(p: Provenance, o: &mcpwarden_policy::Origin) -> String {
    let default = o
        .default
        .as_ref()
        .map(|d| format!(" (default {d})"))
        .unwrap_or_default();
    match (p, &o.source, &o.tool, &o.param) {
        (Provenance::Config, Some(s), _, _) => format!("config {s}{default}"),
        (Provenance::ToolArg, _, Some(t), Some(a)) => format!("tool-arg {t}.{a}"),
        (p, ..) => p.as_str().to_string(),
    }
}

/// One line per permission item: what, value, provenance.
fn lines(p: &Permissions) -> Vec<(String, String, String)> {
    let mut out = vec![];
    for c in &p.network.connect {
        let port = c.port.map(|n| format!(":{n}")).unwrap_or_default();
        let via = c
            .via
            .as_ref()
            .map(|v| format!(" (via {v})"))
            .unwrap_or_default();
        out.push((
            "connect".into(),
            format!("{}{port}{via}", c.host),
            prov(c.provenance, &c.origin),
        ));
    }
    for l in &p.network.listen {
        let port = l.port.map_or("?".to_string(), |n| n.to_string());
        out.push((
            "listen".into(),
            format!("port {port}"),
            prov(l.provenance, &l.origin),
        ));
    }
    for e in &p.exec {
        let prog = e.program.clone().unwrap_or_else(|| "?".into());
        let what = if e.shell { "shell" } else { "exec" };
        out.push((what.into(), prog, prov(e.provenance, &e.origin)));
    }
    for e in &p.env {
        let secret = if e.secret { " (secret)" } else { "" };
        let when = match e.when {
            mcpwarden_policy::When::Startup => "startup",
            mcpwarden_policy::When::Tool => "tool",
        };
        out.push(("env".into(), format!("{}{secret}", e.name), when.into()));
    }
    for f in &p.fs {
        let acc: Vec<&str> = f
            .access
            .iter()
            .map(|a| match a {
                mcpwarden_policy::Access::Read => "r",
                mcpwarden_policy::Access::Write => "w",
                mcpwarden_policy::Access::Delete => "d",
            })
            .collect();
        out.push((
            format!("fs {}", acc.join("")),
            f.path.clone(),
            prov(f.provenance, &f.origin),
        ));
    }
    for n in &p.native {
        out.push((
            "native".into(),
            n.library.clone().unwrap_or_else(|| "?".into()),
            n.provenance.as_str().into(),
        ));
    }
    for k in &p.other {
        out.push(("other".into(), k.as_str().into(), String::new()));
    }
    out
}

/// The per-tool table a person reads in a terminal.
pub fn render(m: &Manifest) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "manifest {}  ({})", m.server.name, m.server.source);
    let section = |o: &mut String, title: &str, p: &Permissions| {
        let _ = writeln!(o, "{title}");
        let rows = lines(p);
        if rows.is_empty() {
            let _ = writeln!(o, "  (nothing privileged)");
        }
        let w = rows
            .iter()
            .map(|r| r.1.chars().count())
            .max()
            .unwrap_or(0)
            .min(60);
        for (what, value, prov) in rows {
            let _ = writeln!(o, "  {what:<9} {value:<w$}  {prov}");
        }
    };
    section(&mut o, "server (startup and every tool)", &m.permissions);
    for t in &m.tools {
        let title = if t.handler_found {
            format!("tool {}", t.name)
        } else {
            format!("tool {}  (handler not found: needs unknown)", t.name)
        };
        section(&mut o, &title, &t.permissions);
    }
    if !m.unresolved.is_empty() {
        let _ = writeln!(o, "unresolved ({})", m.unresolved.len());
        for u in &m.unresolved {
            let _ = writeln!(o, "  {:<9} {}  {}", u.kind.as_str(), u.evidence, u.reason);
        }
    }
    if !m.server.opaque.is_empty() {
        let _ = writeln!(
            o,
            "opaque binaries (not covered): {}",
            m.server.opaque.join(", ")
        );
    }
    o
}
