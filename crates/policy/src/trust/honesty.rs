//! Declared tool annotations (`readOnlyHint`, `destructiveHint`,
//! `openWorldHint`) against what the code does. Clients are told not to trust
//! annotations; this checks them. Only explicit declarations can contradict:
//! an absent hint means the protocol's cautious default.

use crate::{Manifest, Provenance};
use mcpwarden_model::{Chain, EntryKind, Finding, Kind, ServerReport};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The honest annotations of one tool, inferred from its code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Inferred {
    pub tool: String,
    pub read_only_hint: bool,
    pub destructive_hint: bool,
    pub open_world_hint: bool,
    /// Why each hint has its value: `readOnlyHint=false: fs.write src/x.ts:12`.
    pub because: Vec<String>,
    /// Per value of the argument the tool dispatches on, the annotations a
    /// `tools/resolve` call with that value should answer (MCP Tool
    /// Resolution, SEP-1862).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
}

/// Honest annotations per value of a tool's dispatch argument.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// The argument (`action`, `operation`, …).
    pub param: String,
    /// Keyed by the argument's value: the `annotations` of the tool a
    /// `tools/resolve` request with `arguments: {param: value}` should return.
    pub values: BTreeMap<String, Hints>,
}

/// The inferred hints for one call, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hints {
    pub read_only_hint: bool,
    pub destructive_hint: bool,
    pub open_world_hint: bool,
    /// Where the branch for the value is written (`file:line`).
    pub at: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub because: Vec<String>,
}

/// A declared hint the code contradicts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Contradiction {
    pub tool: String,
    /// `readOnlyHint`, `destructiveHint` or `openWorldHint`.
    pub hint: String,
    pub declared: bool,
    pub actual: bool,
    /// Where the hint is declared (`file:line`).
    pub declared_at: String,
    /// The kind that contradicts it and the tool's call chain to it.
    pub kind: Kind,
    pub chain: Vec<String>,
    /// The contradicting call sits in a function that keeps the server's own
    /// state (`saveToken`, `cleanupTempDir`, `_validate_api_key`), is made for
    /// telemetry (`trackMCP`), is a POST (also used for queries), or touches
    /// the server's own temp files: true to the code, rarely what the
    /// annotation is about. Scored lower.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incidental: bool,
    /// When the tool dispatches on an argument and only some of its values
    /// contradict the hint: those (`action=delete`). The hint is still
    /// wrong for the tool; per-call annotations would make it right.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only_for: Vec<String>,
}

const LOOPBACK: &[&str] = &["localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"];

/// Contradictions and the inferred annotations of every tool.
pub fn check(report: &ServerReport, manifest: &Manifest) -> (Vec<Contradiction>, Vec<Inferred>) {
    let mut out = vec![];
    let mut inferred = vec![];
    for t in report
        .tools
        .iter()
        .filter(|t| t.entry.unwrap_or(EntryKind::Tool) == EntryKind::Tool && t.handler_found)
    {
        let (write, destroy, open) = infer(
            report,
            manifest,
            &Scope {
                tool: &t.name,
                kinds: &t.kinds,
                chains: &t.chains,
                evidence: None,
            },
        );
        // Only a split of the hints is worth resolving: values with the same
        // hints as each other are what the tool's own annotations say.
        let resolution = t.resolution.as_ref().map(|r| Resolution {
            param: r.param.clone(),
            values: r
                .values
                .iter()
                .map(|v| {
                    let (w, d, o) = infer(
                        report,
                        manifest,
                        &Scope {
                            tool: &t.name,
                            kinds: &v.kinds,
                            chains: &v.chains,
                            evidence: Some(&v.evidence),
                        },
                    );
                    let hints = Hints {
                        read_only_hint: w.is_none(),
                        destructive_hint: d.is_some(),
                        open_world_hint: o.is_some(),
                        at: v.at.clone(),
                        because: because(&w, &d, &o),
                    };
                    (v.value.clone(), hints)
                })
                .collect(),
        });
        let resolution = resolution.filter(|r| {
            let mut hints = r
                .values
                .values()
                .map(|h| (h.read_only_hint, h.destructive_hint, h.open_world_hint));
            let first = hints.next();
            hints.any(|h| Some(h) != first)
        });
        // The values for which a contradicted hint is wrong, when not all are.
        let only_for = |hint: &str| -> Vec<String> {
            let Some(r) = &resolution else { return vec![] };
            let wrong: Vec<String> = r
                .values
                .iter()
                .filter(|(_, h)| match hint {
                    "readOnlyHint" => !h.read_only_hint,
                    "destructiveHint" => h.destructive_hint,
                    _ => h.open_world_hint,
                })
                .map(|(v, _)| format!("{}={v}", r.param))
                .collect();
            if wrong.len() < r.values.len() {
                wrong
            } else {
                vec![]
            }
        };
        if let Some(a) = &t.annotations {
            let cases = [
                (
                    "readOnlyHint",
                    a.read_only_hint == Some(true),
                    &write,
                    false,
                ),
                (
                    "destructiveHint",
                    a.destructive_hint == Some(false),
                    &destroy,
                    true,
                ),
                (
                    "openWorldHint",
                    a.open_world_hint == Some(false),
                    &open,
                    true,
                ),
            ];
            for (hint, declared_it, evidence, actual) in cases {
                if let (true, Some(w)) = (declared_it, evidence) {
                    out.push(Contradiction {
                        tool: t.name.clone(),
                        hint: hint.into(),
                        declared: !actual,
                        actual,
                        declared_at: a.evidence.clone(),
                        kind: w.kind,
                        chain: w.chain.clone(),
                        incidental: w.incidental,
                        only_for: only_for(hint),
                    });
                }
            }
        }
        inferred.push(Inferred {
            tool: t.name.clone(),
            read_only_hint: write.is_none(),
            destructive_hint: destroy.is_some(),
            open_world_hint: open.is_some(),
            because: because(&write, &destroy, &open),
            resolution,
        });
    }
    out.sort();
    (out, inferred)
}

/// What the inference reads: a tool's kinds and chains, or those of one
/// value of its dispatch argument.
struct Scope<'a> {
    tool: &'a str,
    kinds: &'a [Kind],
    chains: &'a [Chain],
    /// For one value: the `file:line` of the findings it reaches (the tool's
    /// other findings are another value's).
    evidence: Option<&'a [String]>,
}

impl Scope<'_> {
    fn chain(&self, kind: Kind) -> Vec<String> {
        self.chains
            .iter()
            .find(|c| c.kind == kind)
            .map(|c| c.steps.clone())
            .unwrap_or_default()
    }

    fn covers(&self, at: &str) -> bool {
        self.evidence.is_none_or(|e| e.iter().any(|x| x == at))
    }
}

/// Why the hints are not read-only, are destructive, are open-world.
fn infer(
    report: &ServerReport,
    manifest: &Manifest,
    scope: &Scope,
) -> (Option<Why>, Option<Why>, Option<Why>) {
    // Evidence that is true to the code but incidental (own temp files,
    // caches, telemetry) is kept only when nothing else contradicts.
    let write = prefer_direct(
        [Kind::FsDelete, Kind::FsWrite, Kind::SysShell, Kind::SysExec]
            .iter()
            .filter(|k| scope.kinds.contains(k))
            .map(|k| evidence(report, scope, *k))
            .chain(non_get(report, scope)),
    );
    let destroy = scope
        .kinds
        .contains(&Kind::FsDelete)
        .then(|| evidence(report, scope, Kind::FsDelete));
    let open = open_world(manifest, scope).map(|k| evidence(report, scope, k));
    (write, destroy, open)
}

fn because(write: &Option<Why>, destroy: &Option<Why>, open: &Option<Why>) -> Vec<String> {
    let mut out = vec![];
    for (hint, k) in [
        ("readOnlyHint=false", write),
        ("destructiveHint=true", destroy),
        ("openWorldHint=true", open),
    ] {
        if let Some(w) = k {
            let at = w.chain.last().cloned().unwrap_or_default();
            out.push(format!("{hint}: {} {at}", w.kind));
        }
    }
    out
}

fn first(kinds: &[Kind], wanted: &[Kind]) -> Option<Kind> {
    wanted.iter().copied().find(|k| kinds.contains(k))
}

/// A request with a writing method (`requests.post`, `axios.delete`,
/// `http.MethodPut`): PUT, PATCH or DELETE first, which change state by
/// definition; else POST, which APIs also use for queries (search, render,
/// GraphQL), so a contradiction resting on POST alone is incidental.
fn non_get(report: &ServerReport, scope: &Scope) -> Option<Why> {
    let method = |api: &str| {
        api.rsplit(['.', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    let requests = || tool_calls(report, scope, Kind::NetHttp);
    let f = requests()
        .find(|f| matches!(method(&f.api).as_str(), "put" | "patch" | "delete"))
        .or_else(|| requests().find(|f| method(&f.api) == "post"))?;
    let chain = chain_to(scope, f);
    let incidental = method(&f.api) == "post" || incidental(&chain);
    Some(Why {
        kind: f.kind,
        chain,
        incidental,
    })
}

/// Words of a function that keeps the server's own state.
const OWN_STATE: &[&str] = &[
    "temp",
    "tmp",
    "cleanup",
    "credential",
    "token",
    "cache",
    "profile",
    "probe",
    "apikey",
    "api_key",
    "session",
    "oauth",
];

/// Words of a function that reports on the server rather than acting for
/// the tool (`trackMCP`, `send_telemetry`, `recordMetric`).
const TELEMETRY: &[&str] = &["track", "telemetry", "analytics", "instrument", "metric"];

/// The function making the contradicting call (the step before the API) is
/// named like own-state housekeeping, or the call is made on behalf of
/// telemetry (any step of the chain: a handler named `track_order` is one
/// too, a known over-approximation of a downgrade, never of a finding).
fn incidental(chain: &[String]) -> bool {
    let name = |step: &String| {
        step.split_once(' ')
            .map_or("", |(_, n)| n)
            .to_ascii_lowercase()
    };
    let caller = chain.len().checked_sub(2).and_then(|i| chain.get(i));
    let own_state = caller.is_some_and(|c| OWN_STATE.iter().any(|w| name(c).contains(w)));
    let telemetry = chain
        .iter()
        .any(|s| TELEMETRY.iter().any(|w| name(s).contains(w)));
    own_state || telemetry
}

/// The kind behind an inferred hint and the tool's chain to it.
struct Why {
    kind: Kind,
    chain: Vec<String>,
    /// True to the code, rarely what the annotation is about (see
    /// [`Contradiction::incidental`]).
    incidental: bool,
}

/// The first evidence that is not incidental, else the first.
fn prefer_direct(all: impl Iterator<Item = Why>) -> Option<Why> {
    let all: Vec<Why> = all.collect();
    let direct = all.iter().position(|w| !w.incidental).unwrap_or(0);
    all.into_iter().nth(direct)
}

/// The tool's evidence for `kind`: its shortest chain, or, when the call at
/// the end of that chain is incidental, another call of that kind the tool
/// reaches that is not (`writeFile(dest)` beside `unlink(partial)`).
fn evidence(report: &ServerReport, scope: &Scope, kind: Kind) -> Why {
    let shortest = scope.chain(kind);
    let mut calls: Vec<&Finding> = tool_calls(report, scope, kind).collect();
    calls.sort_by_key(|f| !ends_at(&shortest, f));
    let whys = calls.into_iter().map(|f| {
        let chain = chain_to(scope, f);
        let incidental = incidental(&chain) || own_files(report, f);
        Why {
            kind,
            chain,
            incidental,
        }
    });
    // A kind the tool reaches always counts, with whatever chain is known.
    prefer_direct(whys).unwrap_or_else(|| Why {
        kind,
        incidental: incidental(&shortest),
        chain: shortest,
    })
}

/// The calls of `kind` the tool (or the value in scope) reaches.
fn tool_calls<'r>(
    report: &'r ServerReport,
    scope: &'r Scope<'r>,
    kind: Kind,
) -> impl Iterator<Item = &'r Finding> {
    report.findings.iter().filter(move |f| {
        f.kind == kind
            && f.tools.iter().any(|t| t == scope.tool)
            && scope.covers(&format!("{}:{}", f.file, f.line))
    })
}

/// Whether a call chain ends at the call `f`.
fn ends_at(chain: &[String], f: &Finding) -> bool {
    chain
        .last()
        .is_some_and(|s| s.starts_with(&format!("{}:{} ", f.file, f.line)))
}

/// The tool's chain to `f`'s kind when it ends at `f`; else `f` alone, as
/// its function and the call (the shortest chain may end at another call).
fn chain_to(scope: &Scope, f: &Finding) -> Vec<String> {
    let shortest = scope.chain(f.kind);
    if ends_at(&shortest, f) {
        return shortest;
    }
    let at = format!("{}:{} ", f.file, f.line);
    vec![format!("{at}{}", f.function), format!("{at}{}", f.api)]
}

/// Words of a path the server keeps for itself.
const OWN_PATHS: &[&str] = &["tmp", "temp", "cache", ".lock", "write_test"];

/// A file operation on the server's own files: a temp API (`mkdtemp`), a
/// path whose value names a temp or cache location, or a path the model does
/// not choose that one function both creates and removes (`mkdtemp` …
/// `rmSync(tempDir)`, a write probe `touch()` … `unlink()`).
fn own_files(report: &ServerReport, f: &Finding) -> bool {
    let api = f.api.to_ascii_lowercase();
    let temp_api = api.contains("temp") || api.contains("tmp");
    let named = f
        .values
        .iter()
        .map(|v| v.text.to_ascii_lowercase())
        .chain(f.value.iter().map(|v| v.to_ascii_lowercase()))
        .any(|t| {
            // Removing a cache is more than housekeeping (a "show the cache
            // size" tool that empties it); creating one is not.
            OWN_PATHS
                .iter()
                .filter(|w| f.kind != Kind::FsDelete || **w != "cache")
                .any(|w| t.contains(w))
        });
    let model_chosen = f.values.iter().any(|v| v.provenance == Provenance::ToolArg);
    let pair = |kind: Kind, before: bool| {
        report.findings.iter().any(|g| {
            g.kind == kind
                && g.file == f.file
                && g.function == f.function
                && (g.line <= f.line) == before
        })
    };
    let created_and_removed = match f.kind {
        Kind::FsDelete => pair(Kind::FsWrite, true),
        Kind::FsWrite => pair(Kind::FsDelete, false),
        _ => false,
    };
    temp_api || named || (created_and_removed && !model_chosen)
}

/// Talks to a host beyond loopback: a connect item of the tool that is not
/// loopback (a model- or config-chosen host counts), or a network kind with
/// no host resolved.
fn open_world(m: &Manifest, scope: &Scope) -> Option<Kind> {
    let net = first(scope.kinds, &[Kind::NetHttp, Kind::NetConnect])?;
    let t = m.tool(scope.tool)?;
    // Proven only by a host that is known and not loopback, or that the model
    // chooses; an unresolved host (a local daemon's socket, a configured URL
    // without default) proves nothing either way.
    let outside = t
        .permissions
        .network
        .connect
        .iter()
        .filter(|c| c.evidence.iter().any(|e| scope.covers(e)))
        .any(|c| match c.provenance {
            Provenance::ToolArg => true,
            Provenance::Unknown => false,
            Provenance::Const | Provenance::Config => {
                let host = if c.host == "*" {
                    c.origin.default.as_deref().unwrap_or("")
                } else {
                    c.host.as_str()
                };
                !host.is_empty()
                    && !LOOPBACK
                        .iter()
                        .any(|l| host == *l || host.contains(&format!("//{l}")))
            }
        });
    outside.then_some(net)
}
