//! `mcpwarden trust` (the assessment and a CI gate), `mcpwarden diff`
//! (privilege drift between two versions) and SARIF output for `scan`.

use crate::manifest_cmd::fetch_target;
use clap::{Args, ValueEnum};
use mcpwarden_analyze::{scan, Options};
use mcpwarden_model::{Kind, Resource, ServerReport};
use mcpwarden_policy::trust::{self, diff, sarif, Assessment};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const TRUST_HELP: &str = "TARGET is a directory or a package: npm:NAME@VERSION, pypi:NAME==VERSION, \
crates:NAME@VERSION, git:URL@REV#SUBDIR (fetched into the cache, never run).\n\n\
--fail-on (repeatable or comma-separated): `risky-flow` (a tool argument reaches a shell, program name, \
host, path, code or deserialiser with no containment check seen), a kind (`sys.shell`), a resource class \
(`network`), `grade<X` (the grade is worse than X, e.g. grade<C), `contradiction`, `install`.\n\
--baseline FILE: a previous `trust --format json` or SARIF output; only results not in it fail the gate \
(grade conditions always apply).\n\n\
Exit codes: 0 assessed, no --fail-on condition met; 1 a --fail-on condition met; 2 the target is missing, \
cannot be fetched, or bad usage.\n\n\
Examples:\n  mcpwarden trust examples/notes-server\n  mcpwarden trust npm:some-mcp-server@1.2.0 --format sarif > trust.sarif\n  \
mcpwarden trust . --fail-on risky-flow,grade<C --baseline main.trust.json";

#[derive(Args)]
#[command(after_help = TRUST_HELP)]
pub struct TrustArgs {
    /// A server directory, or a package source (npm:, pypi:, crates:, git:).
    pub target: String,
    #[arg(long, value_enum, default_value_t = TrustFormat::Text)]
    pub format: TrustFormat,
    /// Exit 1 when one of these is found (see below).
    #[arg(long, value_name = "COND", value_delimiter = ',')]
    pub fail_on: Vec<String>,
    /// Only results absent from this earlier output fail the gate.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Cache directory for fetched packages (default: $MCPWARDEN_CACHE_DIR or ~/.cache/mcpwarden).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Use the cache only; never download.
    #[arg(long)]
    pub offline: bool,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TrustFormat {
    Text,
    Json,
    Sarif,
}

#[derive(Args)]
#[command(
    after_help = "OLD and NEW are directories or package sources (npm:pkg@1.2.0 npm:pkg@1.3.0).\n\n\
Exit codes: 0 privileges did not grow; 1 NEW may do something OLD could not (a new privileged tool, \
or a tool or startup code gained a kind, host, program, environment variable, path or native library); \
2 a target is missing, cannot be fetched, or bad usage."
)]
pub struct DiffArgs {
    pub old: String,
    pub new: String,
    /// `text` lists the changes; `json` is the drift document.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    #[arg(long)]
    pub offline: bool,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DiffFormat {
    Text,
    Json,
}

/// Everything one target yields.
pub struct Assessed {
    pub report: ServerReport,
    pub assessment: Assessment,
}

pub fn assess_target(
    target: &str,
    cache: Option<&Path>,
    offline: bool,
) -> Result<Assessed, String> {
    let t = fetch_target(target, cache, offline)?;
    let report = scan(&t.root, &Options::default()).map_err(|e| e.to_string())?;
    let manifest =
        mcpwarden_policy::derive::derive(&report, &t.source, mcpwarden_measure::analyser_version());
    let assessment = trust::assess(&report, &manifest, Some(&t.root));
    Ok(Assessed { report, assessment })
}

fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

pub fn trust_cmd(a: TrustArgs) -> ExitCode {
    let conds = match a
        .fail_on
        .iter()
        .map(|c| Cond::parse(c))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let baseline = match a.baseline.as_deref().map(read_baseline).transpose() {
        Ok(b) => b.unwrap_or_default(),
        Err(e) => return fail(&e),
    };
    let x = match assess_target(&a.target, a.cache.as_deref(), a.offline) {
        Ok(x) => x,
        Err(e) => return fail(&e),
    };
    let log = sarif::sarif(&x.report, Some(&x.assessment), version());
    let out = match a.format {
        TrustFormat::Sarif => pretty(&log),
        TrustFormat::Json => {
            let mut v = serde_json::to_value(&x.assessment).unwrap_or(Value::Null);
            v["fingerprints"] = fingerprints(&log).into_iter().collect::<Vec<_>>().into();
            pretty(&v)
        }
        TrustFormat::Text => text(&x.assessment),
    };
    if let Err(e) = std::io::stdout().lock().write_all(out.as_bytes()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return fail(&format!("writing output: {e}"));
        }
    }
    let hits = gate(&conds, &x.assessment, &log, &baseline);
    for h in &hits {
        eprintln!("mcpwarden: --fail-on: {h}");
    }
    if hits.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn fail(e: &str) -> ExitCode {
    eprintln!("mcpwarden: {e}");
    ExitCode::from(2)
}

fn pretty(v: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

/// A `--fail-on` condition.
#[derive(Debug)]
enum Cond {
    RiskyFlow,
    Contradiction,
    Install,
    Kind(Kind),
    Resource(Resource),
    GradeBelow(char),
}

impl Cond {
    fn parse(s: &str) -> Result<Cond, String> {
        let s = s.trim();
        if let Some(g) = s.strip_prefix("grade<") {
            return match g.trim() {
                g @ ("A" | "B" | "C" | "D" | "F") => {
                    Ok(Cond::GradeBelow(g.chars().next().unwrap_or('F')))
                }
                g => Err(format!(
                    "--fail-on: `grade<{g}`: the grade is one of A, B, C, D, F"
                )),
            };
        }
        match s {
            "risky-flow" => Ok(Cond::RiskyFlow),
            "contradiction" => Ok(Cond::Contradiction),
            "install" => Ok(Cond::Install),
            _ => Kind::parse(s).map(Cond::Kind).or_else(|| Resource::parse(s).map(Cond::Resource)).ok_or_else(|| {
                format!("--fail-on: unknown condition `{s}` (risky-flow, contradiction, install, grade<X, a kind such as sys.shell, or a resource class)")
            }),
        }
    }

    fn matches(&self, rule: &str, level: &str) -> bool {
        match self {
            Cond::RiskyFlow => rule.starts_with("flow/") && level == "error",
            Cond::Contradiction => rule.starts_with("annotation/"),
            Cond::Install => rule.starts_with("install/"),
            Cond::Kind(k) => rule.strip_prefix("kind/") == Some(k.as_str()),
            Cond::Resource(r) => rule
                .strip_prefix("kind/")
                .and_then(Kind::parse)
                .is_some_and(|k| k.default_resource() == *r),
            Cond::GradeBelow(_) => false,
        }
    }
}

/// What fails the gate, one line each.
fn gate(conds: &[Cond], a: &Assessment, log: &Value, baseline: &BTreeSet<String>) -> Vec<String> {
    let mut out = vec![];
    for c in conds {
        if let Cond::GradeBelow(g) = c {
            if a.score.grade > *g {
                out.push(format!("grade {} is worse than {g}", a.score.grade));
            }
            continue;
        }
        for r in results(log) {
            let rule = r["ruleId"].as_str().unwrap_or("");
            let level = r["level"].as_str().unwrap_or("");
            if c.matches(rule, level) && !baseline.contains(&key(r)) {
                let loc = &r["locations"][0]["physicalLocation"];
                out.push(format!(
                    "{rule} at {}:{}: {}",
                    loc["artifactLocation"]["uri"].as_str().unwrap_or(""),
                    loc["region"]["startLine"],
                    r["message"]["text"].as_str().unwrap_or("")
                ));
            }
        }
    }
    out
}

fn results(log: &Value) -> impl Iterator<Item = &Value> {
    log["runs"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|run| run["results"].as_array().into_iter().flatten())
}

/// `ruleId#fingerprint`: a result's identity across commits.
fn key(r: &Value) -> String {
    format!(
        "{}#{}",
        r["ruleId"].as_str().unwrap_or(""),
        r["partialFingerprints"]["mcpwarden/v1"]
            .as_str()
            .unwrap_or("")
    )
}

fn fingerprints(log: &Value) -> BTreeSet<String> {
    results(log).map(key).collect()
}

/// Keys of a baseline: a trust JSON (`fingerprints`) or a SARIF log.
fn read_baseline(p: &Path) -> Result<BTreeSet<String>, String> {
    let text =
        std::fs::read_to_string(p).map_err(|e| format!("--baseline {}: {e}", p.display()))?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| format!("--baseline {}: not JSON: {e}", p.display()))?;
    if let Some(list) = v["fingerprints"].as_array() {
        return Ok(list
            .iter()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect());
    }
    if v["runs"].is_array() {
        return Ok(fingerprints(&v));
    }
    Err(format!(
        "--baseline {}: neither a `trust --format json` document nor a SARIF log",
        p.display()
    ))
}

fn text(a: &Assessment) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} ({}): trust {} / 100, grade {}",
        a.server, a.source, a.score.score, a.score.grade
    );
    if !a.score.capped_by.is_empty() {
        let _ = writeln!(s, "  capped by: {}", a.score.capped_by.join(", "));
    }
    for l in &a.score.lines {
        let _ = writeln!(
            s,
            "  -{:<3} {:<24} {}  [{}]",
            l.points, l.rule, l.what, l.evidence
        );
    }
    let _ = writeln!(s, "\nRisky flows ({}):", a.flows.len());
    for f in &a.flows {
        let g = if f.guarded {
            format!("guarded by {}", f.guards.join(", "))
        } else {
            "NO containment check".into()
        };
        let _ = writeln!(
            s,
            "  {} {}.{} -> {} [{}] {}",
            f.sink.as_str(),
            f.tool,
            f.param,
            f.kind,
            f.evidence.join(" "),
            g
        );
        if !f.chain.is_empty() {
            let _ = writeln!(s, "      chain: {}", f.chain.join(" -> "));
        }
    }
    let _ = writeln!(
        s,
        "\nAnnotation contradictions ({}):",
        a.contradictions.len()
    );
    for c in &a.contradictions {
        let _ = writeln!(
            s,
            "  {}: declares {}={} ({}) but reaches {}{}{}",
            c.tool,
            c.hint,
            c.declared,
            c.declared_at,
            c.kind,
            if c.incidental {
                " (incidental: own state)"
            } else {
                ""
            },
            if c.only_for.is_empty() {
                String::new()
            } else {
                format!(" (only for {})", c.only_for.join(", "))
            }
        );
        if !c.chain.is_empty() {
            let _ = writeln!(s, "      chain: {}", c.chain.join(" -> "));
        }
    }
    let resolved: Vec<_> = a
        .inferred
        .iter()
        .filter_map(|i| i.resolution.as_ref().map(|r| (&i.tool, r)))
        .collect();
    if !resolved.is_empty() {
        let _ = writeln!(
            s,
            "\nPer-call annotations, Tool Resolution ({} tool{}):",
            resolved.len(),
            if resolved.len() == 1 { "" } else { "s" }
        );
        for (tool, r) in resolved {
            let _ = writeln!(s, "  {tool} by {}:", r.param);
            let width = r.values.keys().map(|v| v.len()).max().unwrap_or(0);
            for (value, h) in &r.values {
                let mut flags = vec![if h.read_only_hint {
                    "read-only"
                } else {
                    "writes"
                }];
                if h.destructive_hint {
                    flags.push("destructive");
                }
                if h.open_world_hint {
                    flags.push("open-world");
                }
                let _ = writeln!(s, "    {value:<width$}  {:<32} {}", flags.join(", "), h.at);
                for b in &h.because {
                    let _ = writeln!(s, "      {b}");
                }
            }
        }
    }
    let _ = writeln!(s, "\nInstall-time code ({}):", a.install.len());
    for i in &a.install {
        let _ = writeln!(
            s,
            "  {:?} {} [{}] reach: {}",
            i.kind, i.detail, i.evidence, i.reach
        );
    }
    s
}

/// SARIF for `scan --format sarif` (findings only).
pub fn scan_sarif(report: &ServerReport) -> String {
    pretty(&sarif::sarif(report, None, version()))
}

pub fn diff_cmd(a: DiffArgs) -> ExitCode {
    let load = |t: &str| crate::manifest_cmd::derive_target(t, a.cache.as_deref(), a.offline);
    let (old, new) = match (load(&a.old), load(&a.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return fail(&e),
    };
    let d = diff::diff(&old, &new);
    let out = match a.format {
        DiffFormat::Json => pretty(&d),
        DiffFormat::Text => diff_text(&d),
    };
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    if d.privileges_grew {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn diff_text(d: &diff::Drift) -> String {
    let mut s = format!("{} -> {}\n", d.old, d.new);
    for t in &d.added_tools {
        let _ = writeln!(s, "  + tool {t}");
    }
    for t in &d.removed_tools {
        let _ = writeln!(s, "  - tool {t}");
    }
    let mut block = |name: &str, c: &diff::Change| {
        for x in &c.added {
            let _ = writeln!(s, "  + {name}: {x}");
        }
        for x in &c.removed {
            let _ = writeln!(s, "  - {name}: {x}");
        }
    };
    block("server", &d.server);
    for t in &d.tools {
        block(&format!("tool {}", t.tool), &t.change);
    }
    let _ = writeln!(
        s,
        "privileges {}",
        if d.privileges_grew {
            "GREW"
        } else {
            "did not grow"
        }
    );
    s
}

#[derive(Args)]
#[command(
    after_help = "FILE is an MCP registry server.json (packages[].environmentVariables, isSecret) or a ToolHive \
registry entry (env_vars, permissions.network.outbound.allow_host). TARGET is a directory or a package source.\n\n\
Checks: undeclared-env (read by the code, not declared), unused-env (declared, never read), secret-not-marked, \
missing-host (contacted, not allowed; apex-only allows are named), unused-host.\n\n\
Exit codes: 0 the profile matches the code; 1 problems found; 2 a file or target is missing or unreadable, or bad usage."
)]
pub struct LintArgs {
    pub file: PathBuf,
    pub target: String,
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    #[arg(long)]
    pub offline: bool,
}

pub fn lint_cmd(a: LintArgs) -> ExitCode {
    use mcpwarden_policy::trust::profile::{lint, Profile};
    let profile = match std::fs::read_to_string(&a.file)
        .map_err(|e| e.to_string())
        .and_then(|t| Profile::parse(&t))
    {
        Ok(p) => p,
        Err(e) => return fail(&format!("{}: {e}", a.file.display())),
    };
    let m = match crate::manifest_cmd::derive_target(&a.target, a.cache.as_deref(), a.offline) {
        Ok(m) => m,
        Err(e) => return fail(&e),
    };
    let problems = lint(&profile, &m);
    let out = match a.format {
        DiffFormat::Json => pretty(&problems),
        DiffFormat::Text => {
            let mut s = String::new();
            for p in &problems {
                let _ = writeln!(s, "{:<18} {:<32} {}", p.check, p.subject, p.detail);
            }
            let _ = writeln!(s, "{} problem(s)", problems.len());
            s
        }
    };
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
