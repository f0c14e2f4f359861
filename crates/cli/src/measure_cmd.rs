//! `mcpwarden measure`, `report` and `export`: the ecosystem measurement
//! commands. The logic lives in mcpwarden-measure; this file holds the
//! arguments, progress display and exit codes.

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mcpwarden_collect::{from_dir, read_list, Config};
use mcpwarden_measure::backend::{self, SharedOptions};
use mcpwarden_measure::export::{export, ExportError, ExportTable, Format};
use mcpwarden_measure::run::{measure as run_measure, Event, RunOptions};
use mcpwarden_measure::store::{is_tool, Status};
use mcpwarden_measure::{analyser_version, compare, report};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Args)]
#[command(
    after_help = "Exit codes: 0 the run finished (failed packages are results, stored with their reason); 1 the database could not be written; 2 bad usage or an unreadable list.\n\nExamples:\n  mcpwarden measure examples/ecosystem-sample.tsv --db results.sqlite\n  mcpwarden measure list.tsv --db results.sqlite --jobs 8 --limit 100\n  mcpwarden measure --from-dir servers/ --db results.sqlite\n  mcpwarden measure list.tsv --db results.sqlite --offline   # cache only\n  mcpwarden measure list.tsv --db postgres://mcpw:PASSWORD@db.example/mcpw   # one worker of a shared run"
)]
pub struct MeasureArgs {
    /// The servers: a TSV, CSV or JSONL list (a `source` column such as npm:NAME@VERSION, pypi:NAME==VERSION, crates:NAME@VERSION, git:URL@REV#SUBDIR, dir:PATH, or `registry`, `name`, `version` columns), or MCP registry server.json documents.
    pub list: Option<PathBuf>,
    /// The results database: a SQLite file (created when missing, resumed otherwise), or a PostgreSQL server (postgres://USER:PASSWORD@HOST/DB) shared by workers on many machines (docs/distributed.md).
    #[arg(long, value_name = "FILE|URL")]
    pub db: String,
    /// PostgreSQL only: how long a worker's claim on a package lives without a heartbeat (renewed every third of it); a crashed worker's packages are taken over after this.
    #[arg(long, value_name = "SECS", default_value_t = 120.0)]
    pub lease: f64,
    /// PostgreSQL only: name of the shared run (default: derived from the list, the analyser and --rescan, so workers given the same list join the same run).
    #[arg(long, value_name = "NAME")]
    pub run: Option<String>,
    /// Wait this long after each server (for tests that interrupt a run).
    #[arg(long, hide = true, default_value_t = 0)]
    pub debug_pause_ms: u64,
    /// Also measure every subfolder of DIR as a server.
    #[arg(long, value_name = "DIR")]
    pub from_dir: Option<PathBuf>,
    /// Servers collected and scanned at once.
    #[arg(long, default_value_t = default_jobs(), value_name = "N")]
    pub jobs: usize,
    /// Use the download cache only; never touch the network.
    #[arg(long)]
    pub offline: bool,
    /// Scan again servers already stored for this analyser version.
    #[arg(long)]
    pub rescan: bool,
    /// Download cache (default: $MCPWARDEN_CACHE_DIR, else $XDG_CACHE_HOME/mcpwarden).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// npm registry URL (default: npm's configured registry).
    #[arg(long, value_name = "URL")]
    pub npm_registry: Option<String>,
    /// PyPI index URL (default: pip's configured index).
    #[arg(long, value_name = "URL")]
    pub pypi_url: Option<String>,
    /// Only the first N servers of the list.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Keep each unpacked tree in the cache (CACHE/trees) instead of removing it after its scan; several MB a package.
    #[arg(long)]
    pub keep_trees: bool,
}

#[derive(Args)]
#[command(
    after_help = "Writes report.md, report.html (self-contained, inline SVG charts), summary.json, one CSV per table and charts/*.svg.\n\n\
--compare-to adds a section on what changed since a baseline: packages matched by registry and name, \
compared between versions (privilege growth as `mcpwarden diff` sees it) or between analysers; kinds, tools, \
the kinds each tool reaches, hosts and trust grades per package; packages added and removed; totals side by side.\n\n\
Examples:\n  mcpwarden report results.sqlite --out report/\n  \
mcpwarden report new.sqlite --out report/ --compare-to old.sqlite\n  \
mcpwarden report results.sqlite --out report/ --baseline-analyser 'mcpwarden 0.1.0+cat.1a2b3c4d'   # one store, two analysers"
)]
pub struct ReportArgs {
    /// The results database written by `mcpwarden measure`: a SQLite file or a postgres:// URL.
    pub db: String,
    /// Output directory (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Compare with this earlier results database (SQLite file or postgres:// URL).
    #[arg(long, value_name = "FILE|URL")]
    pub compare_to: Option<String>,
    /// The baseline is the rows of this analyser version (as in `runs.analyser_version`), in the --compare-to database or, without it, in DB itself.
    #[arg(long, value_name = "VERSION")]
    pub baseline_analyser: Option<String>,
}

#[derive(Args)]
#[command(
    after_help = "Examples:\n  mcpwarden export results.sqlite --format csv > servers.csv\n  mcpwarden export results.sqlite --format jsonl --table findings | head\n  mcpwarden export results.sqlite --format csv --table trust-items > trust-items.csv"
)]
pub struct ExportArgs {
    /// The results database written by `mcpwarden measure`: a SQLite file or a postgres:// URL.
    pub db: String,
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    #[arg(long, value_enum, default_value_t = TableArg::Servers)]
    pub table: TableArg,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Jsonl,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum TableArg {
    Servers,
    Findings,
    Tools,
    /// The trust assessment of each server: score, grade, counts, JSON document.
    Trust,
    /// Risky flows, install-time code and contradicted annotations, one per line.
    TrustItems,
}

fn default_jobs() -> usize {
    // Collection waits on the network, so more servers than cores are in flight.
    std::thread::available_parallelism()
        .map(|n| n.get() * 2)
        .unwrap_or(4)
        .clamp(4, 16)
}

fn secs(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}h{:02}m{:02}s", s / 3600, s % 3600 / 60, s % 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{:.1}s", ms as f64 / 1000.0)
    }
}

pub fn measure(a: MeasureArgs) -> ExitCode {
    if a.list.is_none() && a.from_dir.is_none() {
        eprintln!("mcpwarden: measure needs a LIST or --from-dir DIR");
        return ExitCode::from(2);
    }
    let mut entries = vec![];
    if let Some(list) = &a.list {
        match read_list(list) {
            Ok(e) => entries.extend(e),
            Err(e) => {
                eprintln!("mcpwarden: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if let Some(dir) = &a.from_dir {
        match from_dir(dir) {
            Ok(e) => entries.extend(e),
            Err(e) => {
                eprintln!("mcpwarden: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let mut cfg = Config::from_env();
    if let Some(c) = &a.cache {
        cfg.cache_dir = c.clone();
    }
    cfg.offline |= a.offline;
    cfg.keep_trees |= a.keep_trees;
    // Trees and downloads of runs that were killed; a day spares any run still going.
    let _ = mcpwarden_collect::clean_tmp(&cfg, Duration::from_secs(24 * 3600));
    if let Some(u) = &a.npm_registry {
        cfg.npm_registry = u.clone();
    }
    if let Some(u) = &a.pypi_url {
        cfg.pypi_url = u.clone();
    }
    if !(a.lease.is_finite() && a.lease >= 1.0) {
        eprintln!("mcpwarden: --lease {}: expected at least 1 second", a.lease);
        return ExitCode::from(2);
    }
    let shared = SharedOptions {
        lease: Duration::from_secs_f64(a.lease),
    };
    let mut store = match backend::open(&a.db, analyser_version(), shared) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mcpwarden: {e}");
            return ExitCode::from(1);
        }
    };
    let input = match (&a.list, &a.from_dir) {
        (Some(l), Some(d)) => format!("{} + dir {}", l.display(), d.display()),
        (Some(l), None) => l.display().to_string(),
        (None, Some(d)) => format!("dir {}", d.display()),
        (None, None) => String::new(),
    };
    let opts = RunOptions {
        jobs: a.jobs.max(1),
        rescan: a.rescan,
        limit: a.limit,
        scan: Default::default(),
        input,
        run_key: a.run.clone(),
        pause: Duration::from_millis(a.debug_pause_ms),
        options: serde_json::json!({"jobs": a.jobs, "rescan": a.rescan, "offline": cfg.offline, "limit": a.limit, "keep_trees": a.keep_trees,
            "cache": cfg.cache_dir.display().to_string(), "npm_registry": cfg.npm_registry, "pypi_url": cfg.pypi_url}),
    };

    // A bar with counts, rate and ETA on a terminal; one plain line per server
    // otherwise, with the same rate and ETA. Results are committed as they
    // arrive, so Ctrl-C or a kill loses only the servers in flight, which a
    // rerun measures (and nothing is stored twice: a rerun skips what is stored).
    let tty = std::io::stderr().is_terminal();
    let bar = ProgressBar::with_draw_target(
        None,
        if tty {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:30.cyan/blue} {pos}/{len} {per_sec:.1} {msg}  {elapsed_precise} ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("█▉▊▋▌▍▎▏ "),
    );
    let (mut ok, mut opaque, mut failed) = (0u64, 0u64, 0u64);
    let mut rate = Rate::default();
    let mut shared_seen = false;
    let mut on_event = |e: Event| match e {
        Event::Started {
            todo,
            resumed,
            duplicates,
        } => {
            bar.set_length(todo as u64);
            rate = Rate::start();
            let mut line = format!("measuring {todo} servers with {} jobs", opts.jobs);
            if resumed > 0 {
                line.push_str(&format!("; {resumed} already stored (--rescan to redo)"));
            }
            if duplicates > 0 {
                line.push_str(&format!("; {duplicates} duplicate lines ignored"));
            }
            if tty {
                bar.println(line);
                bar.enable_steady_tick(Duration::from_millis(250));
            } else {
                eprintln!("{line}");
            }
        }
        Event::Stored {
            record,
            done,
            todo,
            shared,
        } => {
            let status = record.status();
            match status {
                Status::Ok => ok += 1,
                Status::Opaque => opaque += 1,
                Status::Error => failed += 1,
            }
            let what = match (&record.error, &record.report) {
                (Some(e), _) => format!("{}/{}: {}", e.stage, e.kind, first_line(&e.message)),
                (None, Some(r)) => {
                    let classes: Vec<&str> = r.resources.iter().map(|c| c.as_str()).collect();
                    let tools: Vec<_> = r.tools.iter().filter(|t| is_tool(t)).collect();
                    let lost = tools.iter().filter(|t| !t.handler_found).count();
                    format!(
                        "{}  {} tools{}  {}",
                        if classes.is_empty() {
                            "no class".to_string()
                        } else {
                            classes.join(" ")
                        },
                        tools.len(),
                        if lost > 0 {
                            format!(" ({lost} without a handler)")
                        } else {
                            String::new()
                        },
                        if record.from_cache == Some(true) {
                            "cached"
                        } else {
                            "downloaded"
                        }
                    )
                }
                (None, None) => String::new(),
            };
            // A shared run's bar counts every worker's packages.
            let (done, todo) = shared.map_or((done, todo), |(d, t)| (d as usize, t as usize));
            let line = format!(
                "[{done}/{todo}{}{}] {:<6} {}  {}  ({} + {})",
                if shared.is_some() {
                    " in the shared run"
                } else {
                    ""
                },
                rate.show(done, todo),
                status.as_str(),
                record.source,
                what,
                secs(record.collect_ms),
                secs(record.scan_ms)
            );
            if tty {
                bar.set_message(format!("ok {ok} · opaque {opaque} · failed {failed}"));
                bar.set_length(todo as u64);
                bar.set_position(done as u64);
                if shared.is_some() && !shared_seen {
                    // The first count includes work done before: not a rate.
                    bar.reset_eta();
                    shared_seen = true;
                }
                if status == Status::Error {
                    bar.println(line);
                }
            } else {
                eprintln!("{line}");
            }
        }
    };
    let result = run_measure(store.as_mut(), &cfg, entries, &opts, &mut on_event);
    bar.finish_and_clear();
    let s = match result {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mcpwarden: {e} (results committed so far are kept; rerun to resume)");
            return ExitCode::from(1);
        }
    };
    let t = &s.totals;
    println!(
        "measured {} servers in {} (run #{}, {})",
        t.total,
        secs(t.elapsed_ms),
        s.run_id,
        store.describe()
    );
    println!(
        "  downloaded {}, from cache {}, already stored {}",
        t.downloaded, t.cached, t.resumed
    );
    println!(
        "  scanned {} (of which opaque {}), failed {}",
        t.scanned, t.opaque, t.failed
    );
    for (reason, n) in &s.failures {
        println!("    {reason:<28} {n}");
    }
    println!("next: mcpwarden report {} --out report/", a.db);
    ExitCode::SUCCESS
}

/// Servers per second and time left, for the plain (non-terminal) lines.
/// (For a shared run, `done` counts every worker's packages: the rate is
/// taken from the first count seen, which may include work done earlier.)
#[derive(Default)]
struct Rate {
    start: Option<std::time::Instant>,
    base: Option<usize>,
}

impl Rate {
    fn start() -> Rate {
        Rate {
            start: Some(std::time::Instant::now()),
            base: None,
        }
    }

    /// ` 3.2/s ETA 4m10s` once a rate is known.
    fn show(&mut self, done: usize, todo: usize) -> String {
        let Some(t0) = self.start else {
            return String::new();
        };
        // The first count seen, less the one server it includes.
        let base = *self.base.get_or_insert(done.saturating_sub(1));
        let elapsed = t0.elapsed().as_secs_f64();
        let done_here = done.saturating_sub(base);
        if done_here == 0 || elapsed <= 0.0 {
            return String::new();
        }
        let per_sec = done_here as f64 / elapsed;
        let left = todo.saturating_sub(done) as f64 / per_sec;
        format!(" {per_sec:.1}/s ETA {}", secs((left * 1000.0) as u64))
    }
}

fn first_line(s: &str) -> &str {
    let l = s.lines().next().unwrap_or("");
    match l.char_indices().nth(160) {
        Some((i, _)) => &l[..i],
        None => l,
    }
}

pub fn report(a: ReportArgs) -> ExitCode {
    let store = match backend::open_read(&a.db) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mcpwarden: {e}");
            return ExitCode::from(2);
        }
    };
    let mut rep = match report::build(&store) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mcpwarden: {e}");
            return ExitCode::from(1);
        }
    };
    if a.compare_to.is_some() || a.baseline_analyser.is_some() {
        let base_db = a.compare_to.as_deref().unwrap_or(&a.db);
        let other;
        let base_store = if base_db == a.db {
            &store
        } else {
            other = match backend::open_read(base_db) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("mcpwarden: --compare-to: {e}");
                    return ExitCode::from(2);
                }
            };
            &other
        };
        let base = compare::Side {
            store: base_store,
            analyser: a.baseline_analyser.as_deref(),
        };
        let cur = compare::Side {
            store: &store,
            analyser: None,
        };
        match compare::tables(base, cur, base_store.path(), store.path()) {
            Ok(t) => {
                // One line of the overview's counts on the terminal.
                if let Some(o) = t.iter().find(|t| t.id == "compare_overview") {
                    let n = |label: &str| {
                        o.rows
                            .iter()
                            .find(|r| r[0] == report::Cell::Text(label.into()))
                            .map(|r| r[1].display())
                            .unwrap_or_default()
                    };
                    println!(
                        "compared with {}: {} packages matched, {} changed, {} added, {} removed",
                        base_store.path(),
                        n("matched by name"),
                        n("changed"),
                        n("added (current only)"),
                        n("removed (baseline only)")
                    );
                }
                rep.tables.extend(t)
            }
            Err(e) => {
                eprintln!("mcpwarden: {e}");
                return ExitCode::from(1);
            }
        }
    }
    match rep.write(&a.out) {
        Ok(files) => {
            println!("{}", rep.headline_line());
            println!(
                "wrote {} files to {}: report.md, report.html, summary.json, {} CSV tables",
                files.len(),
                a.out.display(),
                rep.tables.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("mcpwarden: {}: {e}", a.out.display());
            ExitCode::from(1)
        }
    }
}

pub fn export_cmd(a: ExportArgs) -> ExitCode {
    let store = match backend::open_read(&a.db) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mcpwarden: {e}");
            return ExitCode::from(2);
        }
    };
    let format = match a.format {
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Jsonl => Format::Jsonl,
    };
    let table = match a.table {
        TableArg::Servers => ExportTable::Servers,
        TableArg::Findings => ExportTable::Findings,
        TableArg::Tools => ExportTable::Tools,
        TableArg::Trust => ExportTable::Trust,
        TableArg::TrustItems => ExportTable::TrustItems,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match export(&store, table, format, &mut out) {
        Ok(_) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is not an error worth reporting.
        Err(ExportError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mcpwarden: {e}");
            ExitCode::from(1)
        }
    }
}
