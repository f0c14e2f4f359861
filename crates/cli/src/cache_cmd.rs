//! `mcpwarden cache prune`: keeps the download cache within bounds.

use clap::{Args, Subcommand};
use mcpwarden_collect::{parse_size, prune, Config, PruneOptions};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Subcommand)]
pub enum CacheCommand {
    /// Remove archives and kept trees unused for DAYS, then the least recently used until the cache fits SIZE.
    #[command(
        after_help = "Age is the last use: every run that reads an archive refreshes it. Metadata stays, so a pruned version is downloaded again when next needed. Leftovers of interrupted runs in CACHE/tmp older than a day always go. Prune between runs, not during one.\n\nExit codes: 0 pruned; 1 the cache could not be read; 2 bad usage.\n\nExamples:\n  mcpwarden cache prune --older-than 30\n  mcpwarden cache prune --max-size 30G\n  mcpwarden cache prune --cache /data/mcpwarden --older-than 90 --max-size 500G"
    )]
    Prune(PruneArgs),
}

#[derive(Args)]
pub struct PruneArgs {
    /// Remove what no run has used for this many days.
    #[arg(long, value_name = "DAYS")]
    pub older_than: Option<f64>,
    /// Then remove the least recently used until the cache is at most SIZE (bytes, or with K, M, G, T: powers of 1024).
    #[arg(long, value_name = "SIZE")]
    pub max_size: Option<String>,
    /// The cache (default: $MCPWARDEN_CACHE_DIR, else $XDG_CACHE_HOME/mcpwarden).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
}

pub fn run(cmd: CacheCommand) -> ExitCode {
    match cmd {
        CacheCommand::Prune(a) => prune_cmd(a),
    }
}

fn prune_cmd(a: PruneArgs) -> ExitCode {
    let older_than = match a.older_than {
        None => None,
        Some(d) if d.is_finite() && d >= 0.0 => Some(Duration::from_secs_f64(d * 86_400.0)),
        Some(d) => {
            eprintln!("mcpwarden: --older-than {d}: expected a number of days, 0 or more");
            return ExitCode::from(2);
        }
    };
    let max_bytes = match a.max_size.as_deref().map(|s| (s, parse_size(s))) {
        None => None,
        Some((_, Some(n))) => Some(n),
        Some((s, None)) => {
            eprintln!("mcpwarden: --max-size `{s}`: expected bytes or a size such as 500M, 30G");
            return ExitCode::from(2);
        }
    };
    let dir = a.cache.unwrap_or_else(|| Config::from_env().cache_dir);
    match prune(
        &dir,
        &PruneOptions {
            older_than,
            max_bytes,
        },
    ) {
        Ok(r) => {
            println!(
                "{}: removed {} entries ({}), kept {} ({})",
                dir.display(),
                r.removed,
                human(r.freed_bytes),
                r.kept,
                human(r.kept_bytes)
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("mcpwarden: {e}");
            ExitCode::from(1)
        }
    }
}

fn human(b: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < units.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", units[i])
    }
}
