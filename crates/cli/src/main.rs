//! `mcpwarden`: what can this MCP server do to your machine?

mod cache_cmd;
mod discover_cmd;
mod export_cmd;
mod manifest_cmd;
mod measure_cmd;
mod run_cmd;
mod text;
mod trust_cmd;

use clap::{Parser, Subcommand, ValueEnum};
use mcpwarden_analyze::{scan, Options};
use mcpwarden_model::ScanDocument;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "mcpwarden",
    version,
    about = "Tells what an MCP server can do to your machine before you run it.",
    long_about = "mcpwarden reads an MCP server's source code (TypeScript, JavaScript, Python, Go, Rust, Java, Kotlin, C#), never runs it, and reports every privileged API it uses (network, system, file, memory), with evidence file:line, and which MCP tool reaches each one."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan a server's source tree (or one source file) and report its privileged API use.
    #[command(
        after_help = "Exit codes: 0 scanned; 2 the path is missing or unreadable, or bad usage.\n\nExamples:\n  mcpwarden scan examples/notes-server\n  mcpwarden scan path/to/server --format json > report.json\n  mcpwarden scan path/to/server --tool run_command"
    )]
    Scan {
        /// Directory of the server (or a single source file).
        path: PathBuf,
        /// Output format; `text` is a readable table, `json` the mcpwarden/scan/v1 document, `sarif` SARIF 2.1.0.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Explain one tool: every kind it reaches, with the call chain as evidence.
        #[arg(long, value_name = "NAME")]
        tool: Option<String>,
        /// Read and parse every file but match nothing (measures the parsing floor).
        #[arg(long, hide = true)]
        parse_only: bool,
        /// Skip source files larger than this many bytes.
        #[arg(long, default_value_t = 16 * 1024 * 1024, value_name = "BYTES")]
        max_file_bytes: u64,
        /// Analyse only these languages, comma-separated: typescript, javascript, python,
        /// go, rust, java, kotlin, csharp (or ts, js, py, rs, kt, cs). Default: all.
        #[arg(long, value_name = "LIST", value_delimiter = ',')]
        languages: Option<Vec<String>>,
    },
    /// Derive a server's least-privilege manifest: per tool, the hosts, programs, env vars and paths it needs, and where each value comes from.
    Manifest(manifest_cmd::ManifestArgs),
    /// Collect, scan and store many servers (npm, PyPI, git, dirs) in a SQLite results database; resumable.
    Measure(measure_cmd::MeasureArgs),
    /// Turn a results database into the study's tables and charts (Markdown, HTML, CSV, JSON).
    Report(measure_cmd::ReportArgs),
    /// Print one table of a results database (servers, findings, tools) as CSV or JSON lines.
    Export(measure_cmd::ExportArgs),
    /// Export a stored manifest to a sandbox (srt, vscode, codex, toolhive, docker, node, deno), with a loss report.
    ExportManifest(export_cmd::ExportManifestArgs),
    /// List MCP server packages of npm (by keyword search) or PyPI (from candidate names), in the `measure` list format.
    Discover(discover_cmd::DiscoverArgs),
    /// Manage the download cache (`prune` by age and size).
    #[command(subcommand)]
    Cache(cache_cmd::CacheCommand),
    /// Run an MCP server in a sandbox built from its manifest, behind a per-tool policy proxy.
    Run(run_cmd::RunArgs),
    /// Print which sandbox layers this machine offers to `mcpwarden run`.
    Doctor(run_cmd::DoctorArgs),
    /// Assess trust: risky data flows from tool arguments, install-time code, dishonest annotations, a 0-100 score and grade; a CI gate.
    Trust(trust_cmd::TrustArgs),
    /// Privilege drift between two versions (dirs or package sources); exit 1 when privileges grew.
    Diff(trust_cmd::DiffArgs),
    /// Compare a registry profile (server.json or ToolHive entry) with what the code needs: env vars, secrets, hosts.
    LintProfile(trust_cmd::LintArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    /// SARIF 2.1.0 for code-scanning UIs (one rule per kind, call chains as codeFlows).
    Sarif,
}

fn main() -> ExitCode {
    mcpwarden_lang::use_mimalloc_for_parsers();
    let cli = Cli::parse();
    match cli.command {
        Command::Manifest(a) => manifest_cmd::manifest(a),
        Command::Measure(a) => measure_cmd::measure(a),
        Command::Report(a) => measure_cmd::report(a),
        Command::Export(a) => measure_cmd::export_cmd(a),
        Command::ExportManifest(a) => export_cmd::run(a),
        Command::Cache(c) => cache_cmd::run(c),
        Command::Discover(a) => discover_cmd::run(a),
        Command::Run(a) => run_cmd::run(a),
        Command::Doctor(a) => run_cmd::doctor(a),
        Command::Trust(a) => trust_cmd::trust_cmd(a),
        Command::Diff(a) => trust_cmd::diff_cmd(a),
        Command::LintProfile(a) => trust_cmd::lint_cmd(a),
        Command::Scan {
            path,
            format,
            tool,
            parse_only,
            max_file_bytes,
            languages,
        } => {
            let languages = match languages {
                None => None,
                Some(names) => {
                    let mut langs = vec![];
                    for n in &names {
                        let l = mcpwarden_lang::Lang::by_name(n);
                        if l.is_empty() {
                            eprintln!("mcpwarden: unknown language `{n}` in --languages (known: typescript, javascript, python, go, rust, java, kotlin, csharp)");
                            return ExitCode::from(2);
                        }
                        langs.extend(l);
                    }
                    Some(langs)
                }
            };
            let opts = Options {
                max_file_bytes,
                parse_only,
                languages,
            };
            let report = match scan(&path, &opts) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("mcpwarden: {e}");
                    return ExitCode::from(2);
                }
            };
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let res = match format {
                Format::Sarif => out.write_all(trust_cmd::scan_sarif(&report).as_bytes()),
                Format::Json => {
                    serde_json::to_writer_pretty(&mut out, &ScanDocument::new(vec![report]))
                        .map_err(std::io::Error::other)
                        .and_then(|_| writeln!(out))
                }
                Format::Text => {
                    let color =
                        std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
                    match tool {
                        Some(name) => match text::explain_tool(&report, &name) {
                            Some(s) => out.write_all(s.as_bytes()),
                            None => {
                                let known: Vec<&str> =
                                    report.tools.iter().map(|t| t.name.as_str()).collect();
                                eprintln!(
                                    "mcpwarden: no tool named `{name}` in {} (tools: {})",
                                    path.display(),
                                    if known.is_empty() {
                                        "none found".to_string()
                                    } else {
                                        known.join(", ")
                                    }
                                );
                                return ExitCode::from(2);
                            }
                        },
                        None => out.write_all(text::render(&report, color).as_bytes()),
                    }
                }
            };
            match res {
                Ok(()) => ExitCode::SUCCESS,
                // A closed pipe (`| head`) is not an error worth reporting.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("mcpwarden: writing output: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}
