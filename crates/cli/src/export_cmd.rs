//! `mcpwarden export-manifest`: a stored manifest exported to a sandbox.

use clap::{Args, ValueEnum};
use mcpwarden_policy::bind::Launch;
use mcpwarden_policy::export::{export, server_args, Export, ExportError, ExportKind};
use mcpwarden_policy::Manifest;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
#[command(
    after_help = "Exit codes: 0 exported; 1 the target cannot grant something the manifest needs (see the loss report; --allow-loss exports anyway); 2 bad usage, unreadable manifest, or a server command the target cannot run.

The configuration goes to stdout (or --out FILE), the command that starts the server under the target and the loss report to stderr; with --format json, one JSON document on stdout holds all three.

Examples:
  mcpwarden export-manifest fs.json --export srt --out srt.json --grant-fs ~/work -- npx -y @modelcontextprotocol/server-filesystem ~/work
  mcpwarden export-manifest fs.json --export deno --grant-fs ~/work -- node node_modules/@modelcontextprotocol/server-filesystem/dist/index.js ~/work
  mcpwarden export-manifest gitlab.json --export toolhive --format json -- npx -y @modelcontextprotocol/server-gitlab"
)]
pub struct ExportManifestArgs {
    /// The mcpwarden/manifest/v1 document (from `mcpwarden manifest … --format json`).
    manifest: PathBuf,
    /// The sandbox to export to.
    #[arg(long = "export", value_name = "KIND", value_parser = clap::builder::PossibleValuesParser::new(ExportKind::NAMES))]
    kind: String,
    /// Write the configuration to FILE; the printed command refers to it.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// `text` prints the loss report for a person on stderr; `json` prints one document on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// A directory that paths chosen by the model (tool arguments) may use; repeat for several. Never `/` unless you say so.
    #[arg(long = "grant-fs", value_name = "DIR")]
    grant_fs: Vec<String>,
    /// Export even when the target would block something the manifest needs.
    #[arg(long)]
    allow_loss: bool,
    /// The command that starts the server, with its arguments (after `--`); `config` values of the manifest are bound from it and from the environment.
    #[arg(last = true, value_name = "SERVER CMD")]
    cmd: Vec<String>,
}

/// Where and how an export is printed.
struct Opts {
    out: Option<PathBuf>,
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

pub fn run(a: ExportManifestArgs) -> ExitCode {
    let manifest = match Manifest::load(&a.manifest) {
        Ok(m) => m,
        Err(e) => return fail(&e.to_string(), 2),
    };
    let json = matches!(a.format, Format::Json);
    export_manifest(
        &manifest,
        &a.kind,
        a.out.as_deref(),
        json,
        &a.grant_fs,
        a.allow_loss,
        &a.cmd,
    )
}

/// Export a manifest (stored or just derived by `mcpwarden manifest --export`)
/// and print the configuration, the command and the loss report.
pub fn export_manifest(
    manifest: &Manifest,
    kind: &str,
    out: Option<&std::path::Path>,
    json: bool,
    grant_fs: &[String],
    allow_loss: bool,
    cmd: &[String],
) -> ExitCode {
    let a = Opts {
        out: out.map(|p| p.to_path_buf()),
        format: if json { Format::Json } else { Format::Text },
    };
    let kind: ExportKind = match kind.parse() {
        Ok(k) => k,
        Err(e) => return fail(&e, 2),
    };
    let grant: Vec<String> = grant_fs.iter().map(|d| absolute(d)).collect();
    let launch = Launch::from_process(server_args(cmd), grant);
    let mut x = match export(kind, manifest, &launch, cmd, allow_loss) {
        Ok(x) => x,
        Err(ExportError::Loss(report)) => {
            let e = ExportError::Loss(report.clone());
            match a.format {
                Format::Json => {
                    print_json(&serde_json::json!({ "error": e.to_string(), "report": report }))
                }
                Format::Text => eprint!("{}", report.to_text()),
            }
            let summary = e.to_string();
            return fail(summary.lines().next().unwrap_or_default(), 1);
        }
        Err(e) => return fail(&e.to_string(), 2),
    };
    if let Some(out) = &a.out {
        if let Err(e) = std::fs::write(out, &x.config) {
            return fail(&format!("writing {}: {e}", out.display()), 2);
        }
        x.set_config_path(&out.display().to_string());
    }
    match a.format {
        Format::Json => print_json(&document(&x, a.out.is_some())),
        Format::Text => print_text(&x, a.out.is_some()),
    }
    ExitCode::SUCCESS
}

fn document(x: &Export, written: bool) -> serde_json::Value {
    serde_json::json!({
        "schema": "mcpwarden/export/v1",
        "kind": x.kind.as_str(),
        "config_path": x.config_path,
        "config": if written { serde_json::Value::Null } else { x.config.clone().into() },
        "command": x.command,
        "command_line": x.command_line(),
        "report": x.report,
    })
}

fn print_text(x: &Export, written: bool) {
    let mut out = std::io::stdout().lock();
    if x.config.is_empty() {
        let _ = writeln!(out, "{}", x.command_line());
    } else if !written {
        let _ = out.write_all(x.config.as_bytes());
    }
    let mut err = std::io::stderr().lock();
    if !x.config.is_empty() {
        if !written {
            let _ = writeln!(err, "save the configuration above as {}", x.config_path);
        }
        let _ = writeln!(err, "run: {}", x.command_line());
    }
    let _ = err.write_all(x.report.to_text().as_bytes());
}

fn print_json(v: &serde_json::Value) {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer_pretty(&mut out, v);
    let _ = writeln!(out);
}

fn absolute(dir: &str) -> String {
    let p = std::path::Path::new(dir);
    if p.is_absolute() {
        return dir.trim_end_matches('/').to_string();
    }
    std::env::current_dir()
        .map(|c| c.join(p).display().to_string())
        .unwrap_or_else(|_| dir.to_string())
}

fn fail(msg: &str, code: u8) -> ExitCode {
    eprintln!("mcpwarden: {msg}");
    ExitCode::from(code)
}
