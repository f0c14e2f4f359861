//! `mcpwarden discover npm|pypi`: writes a list of MCP server packages in the
//! `measure` format (heuristic in docs/discover.md).

use clap::{Args, ValueEnum};
use mcpwarden_collect::discover::{self, Found, NPM_KEYWORDS};
use mcpwarden_collect::Config;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum Registry {
    Npm,
    Pypi,
}

#[derive(Args)]
#[command(
    after_help = "npm is searched by keyword (the registry's /-/v1/search endpoint). PyPI has no search API: give candidate names on the command line or in a file (one a line, # comments), and each is checked through the JSON API. Every hit is judged by the MCP-server heuristic of docs/discover.md; the `evidence` column says which rule accepted it.\n\nExit codes: 0 list written; 1 the registry could not be read; 2 bad usage.\n\nExamples:\n  mcpwarden discover npm --since 2025-01-01 --out npm.tsv\n  mcpwarden discover pypi --names candidates.txt --out pypi.tsv\n  mcpwarden discover pypi mcp-server-time mcp-server-fetch\n  mcpwarden measure npm.tsv --db results.sqlite"
)]
pub struct DiscoverArgs {
    /// Which registry.
    #[arg(value_enum)]
    pub registry: Registry,
    /// PyPI: candidate project names.
    pub names: Vec<String>,
    /// PyPI: a file of candidate names, one a line.
    #[arg(long, value_name = "FILE")]
    pub names_file: Option<PathBuf>,
    /// npm: search these keywords (repeatable; default: mcp, mcp-server, modelcontextprotocol, model-context-protocol).
    #[arg(long = "keyword", value_name = "WORD")]
    pub keywords: Vec<String>,
    /// Only packages whose found version was published on or after DATE (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// npm: read at most N search hits per keyword.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub max: usize,
    /// Write the list here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// npm registry URL (default: npm's configured registry).
    #[arg(long, value_name = "URL")]
    pub npm_registry: Option<String>,
    /// PyPI URL (default: pip's configured index).
    #[arg(long, value_name = "URL")]
    pub pypi_url: Option<String>,
}

fn valid_date(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

pub fn run(a: DiscoverArgs) -> ExitCode {
    if let Some(d) = a.since.as_deref().filter(|d| !valid_date(d)) {
        eprintln!("mcpwarden: --since `{d}`: expected a date YYYY-MM-DD");
        return ExitCode::from(2);
    }
    let mut cfg = Config::from_env();
    if let Some(u) = &a.npm_registry {
        cfg.npm_registry = u.clone();
    }
    if let Some(u) = &a.pypi_url {
        cfg.pypi_url = u.clone();
    }
    let since = a.since.as_deref();
    let found: Vec<Found> = match a.registry {
        Registry::Npm => {
            let kws: Vec<String> = if a.keywords.is_empty() {
                NPM_KEYWORDS.iter().map(|s| s.to_string()).collect()
            } else {
                a.keywords.clone()
            };
            match discover::npm(&cfg, &kws, since, a.max) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("mcpwarden: npm search: {e}");
                    return ExitCode::from(1);
                }
            }
        }
        Registry::Pypi => {
            let mut names = a.names.clone();
            if let Some(f) = &a.names_file {
                match std::fs::read_to_string(f) {
                    Ok(t) => names.extend(
                        t.lines()
                            .map(|l| l.split('#').next().unwrap_or("").trim())
                            .filter(|l| !l.is_empty())
                            .map(str::to_string),
                    ),
                    Err(e) => {
                        eprintln!("mcpwarden: {}: {e}", f.display());
                        return ExitCode::from(2);
                    }
                }
            }
            if names.is_empty() {
                eprintln!("mcpwarden: discover pypi needs candidate names (arguments or --names-file FILE)");
                return ExitCode::from(2);
            }
            let (found, left_out) = discover::pypi(&cfg, &names, since);
            for l in &left_out {
                eprintln!("left out {l}");
            }
            found
        }
    };
    let tsv = discover::to_tsv(&found);
    let written = match &a.out {
        Some(p) => std::fs::write(p, &tsv).map_err(|e| format!("{}: {e}", p.display())),
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(tsv.as_bytes())
                .map_err(|e| e.to_string())
        }
    };
    if let Err(e) = written {
        eprintln!("mcpwarden: {e}");
        return ExitCode::from(1);
    }
    eprintln!("{} MCP server packages listed", found.len());
    ExitCode::SUCCESS
}
