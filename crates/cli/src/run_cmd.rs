//! `mcpwarden run` and `mcpwarden doctor`: argument parsing only; the work is
//! in the mcpwarden-enforce crate.

use clap::{Args, ValueEnum};
use mcpwarden_enforce::grants::HostGrant;
use mcpwarden_enforce::run::{RunError, RunOptions, EXIT_SETUP};
use mcpwarden_enforce::Mode;
use mcpwarden_policy::Manifest;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum ModeArg {
    /// Deny what the manifest and the grants do not allow.
    Enforce,
    /// Ask the user (MCP elicitation, else the terminal) for what is not allowed yet.
    Ask,
    /// Allow everything; log what enforce would deny.
    Audit,
}

#[derive(Args)]
#[command(
    after_help = "Exit codes: the server's own exit status (128+N when it is killed by signal N); \
125 mcpwarden refused to start (bad manifest or grant, --strict with a missing layer); \
126 the server could not be started; 127 the server's program was not found.\n\n\
Example (an MCP client's server entry):\n  \
mcpwarden run --manifest fs.manifest.json --grant-fs ~/notes -- node server.js ~/notes\n\n\
See docs/run.md."
)]
pub struct RunArgs {
    /// The mcpwarden/manifest/v1 file to enforce.
    #[arg(long, value_name = "FILE", required_unless_present_any = ["derive", "sandbox_init"], conflicts_with = "derive")]
    manifest: Option<PathBuf>,
    /// Derive the manifest from the server's package (located from the command).
    #[arg(long)]
    derive: bool,
    /// A directory where paths chosen by the model may point (read and write). Repeatable.
    #[arg(long = "grant-fs", value_name = "DIR")]
    grant_fs: Vec<PathBuf>,
    /// A host the server and its tools may connect to: HOST, HOST:PORT, *.DOMAIN. Repeatable.
    #[arg(long = "grant-host", value_name = "HOST:PORT")]
    grant_host: Vec<String>,
    /// A tool allowed to take a command or code from the model. Repeatable.
    #[arg(long = "grant-command", value_name = "TOOL")]
    grant_command: Vec<String>,
    #[arg(long, value_enum, default_value_t = ModeArg::Enforce)]
    mode: ModeArg,
    /// Append one JSON line per tool call to FILE.
    #[arg(long = "audit-log", value_name = "FILE")]
    audit_log: Option<PathBuf>,
    /// Keep the answers given in --mode ask in FILE (read at start, written on each grant).
    #[arg(long, value_name = "FILE")]
    remember: Option<PathBuf>,
    /// Refuse to start when a sandbox layer is unavailable on this machine.
    #[arg(long)]
    strict: bool,
    /// Run the server without the sandbox (the proxy still checks every call).
    #[arg(long = "no-sandbox")]
    no_sandbox: bool,
    /// Test only: sandbox without the proxy (tool calls are not checked).
    #[arg(long = "proxy-off", hide = true)]
    proxy_off: bool,
    /// Internal: the in-namespace launcher started by `mcpwarden run`.
    #[arg(long = "sandbox-init", hide = true)]
    sandbox_init: bool,
    /// Largest JSON-RPC message accepted, in bytes.
    #[arg(long = "max-message", value_name = "BYTES", default_value_t = mcpwarden_enforce::framing::MAX_LINE)]
    max_message: usize,
    /// The server's command line.
    #[arg(last = true, required = true, value_name = "CMD")]
    command: Vec<String>,
}

#[derive(Args)]
pub struct DoctorArgs {}

pub fn run(a: RunArgs) -> ExitCode {
    if a.sandbox_init {
        mcpwarden_enforce::sandbox::init::main();
    }
    match options(a).and_then(mcpwarden_enforce::run::run) {
        Ok(status) => ExitCode::from(status.clamp(0, 255) as u8),
        Err(RunError(msg, status)) => {
            eprintln!("mcpwarden: {msg}");
            ExitCode::from(status as u8)
        }
    }
}

fn options(a: RunArgs) -> Result<RunOptions, RunError> {
    let setup = |m: String| RunError(m, EXIT_SETUP);
    let manifest = match (&a.manifest, a.derive) {
        (Some(p), _) => Manifest::load(p).map_err(|e| setup(e.0))?,
        (None, _) => derive_manifest(&a.command)?,
    };
    let grant_hosts = a
        .grant_host
        .iter()
        .map(|h| HostGrant::parse(h).map_err(|e| setup(format!("--grant-host: {e}"))))
        .collect::<Result<_, _>>()?;
    Ok(RunOptions {
        manifest,
        cmd: a.command,
        grant_fs: a.grant_fs,
        grant_hosts,
        grant_commands: a.grant_command,
        mode: match a.mode {
            ModeArg::Enforce => Mode::Enforce,
            ModeArg::Ask => Mode::Ask,
            ModeArg::Audit => Mode::Audit,
        },
        audit_log: a.audit_log,
        remember: a.remember,
        strict: a.strict,
        sandbox: !a.no_sandbox,
        proxy: !a.proxy_off,
        max_line: a.max_message,
    })
}

/// `--derive`: locate the server's package from its command line, then derive.
/// Derivation (`mcpwarden_policy::derive::derive`) is not in this build yet.
fn derive_manifest(cmd: &[String]) -> Result<Manifest, RunError> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let pkg = mcpwarden_enforce::locate::locate_package(cmd, &cwd)
        .map_err(|e| RunError(format!("--derive: {e}"), EXIT_SETUP))?;
    let cache = derived_cache_path(&pkg);
    if let Some(m) = cache.as_ref().and_then(|c| Manifest::load(c).ok()) {
        eprintln!(
            "mcpwarden: --derive: manifest of {} from the cache",
            pkg.display()
        );
        return Ok(m);
    }
    let report = mcpwarden_analyze::scan(&pkg, &Default::default()).map_err(|e| {
        RunError(
            format!("--derive: scanning {}: {e}", pkg.display()),
            EXIT_SETUP,
        )
    })?;
    let m = mcpwarden_policy::derive::derive(
        &report,
        &pkg.display().to_string(),
        mcpwarden_measure::analyser_version(),
    );
    if let Some(c) = cache {
        // A cache that cannot be written only costs a scan next time.
        let _ = std::fs::create_dir_all(c.parent().unwrap_or(&cwd));
        let _ = std::fs::write(&c, serde_json::to_string_pretty(&m).unwrap_or_default());
    }
    eprintln!(
        "mcpwarden: --derive: manifest of {} derived from its code",
        pkg.display()
    );
    Ok(m)
}

/// Where a derived manifest is cached: by package path, analyser and the
/// modification times of the package folder and its manifest files, so an
/// updated package or analyser derives again.
fn derived_cache_path(pkg: &std::path::Path) -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let canon = pkg.canonicalize().ok()?;
    let mut key = format!(
        "{}\n{}",
        canon.display(),
        mcpwarden_measure::analyser_version()
    );
    for f in [
        "",
        "package.json",
        "pyproject.toml",
        "setup.py",
        "Cargo.toml",
        "go.mod",
    ] {
        if let Ok(t) = std::fs::metadata(canon.join(f)).and_then(|m| m.modified()) {
            key.push_str(&format!("\n{f}:{t:?}"));
        }
    }
    // FNV-1a: a stable file name, not a security boundary (the cache is the user's own).
    let h = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    });
    Some(
        base.join("mcpwarden/derived")
            .join(format!("{h:016x}.json")),
    )
}

pub fn doctor(_a: DoctorArgs) -> ExitCode {
    let layers = mcpwarden_enforce::sandbox::detect::detect();
    println!("mcpwarden doctor: sandbox layers for `mcpwarden run` on this machine");
    for l in &layers {
        let s = if l.available {
            "available  "
        } else {
            "UNAVAILABLE"
        };
        println!("  {:<20} {s} {}", l.name, l.detail);
    }
    println!(
        "  {:<20} available   per-tool checks of every tools/call (no kernel support needed)",
        "stdio proxy"
    );
    let missing = layers.iter().filter(|l| !l.available).count();
    if missing == 0 {
        println!("All layers available: `mcpwarden run --strict` will start.");
    } else {
        println!("{missing} layer(s) unavailable: `mcpwarden run` starts with the others and says so; `--strict` refuses.");
    }
    ExitCode::SUCCESS
}
