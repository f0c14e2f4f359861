//! Declared tool annotations (`readOnlyHint`, `destructiveHint`,
//! `openWorldHint`) against what the code does. Clients are told not to trust
//! annotations; this checks them. Only explicit declarations can contradict:
//! an absent hint means the protocol's cautious default.

use crate::{Manifest, Provenance};
use mcpwarden_model::{Chain, EntryKind, Kind, ServerReport};
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
    /// state (`saveToken`, `cleanupTempDir`, `_validate_api_key`): true to the
    /// code, rarely what the annotation is about. Scored lower.
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
        let Some(a) = &t.annotations else {
            inferred.push(Inferred {
                tool: t.name.clone(),
                read_only_hint: write.is_none(),
                destructive_hint: destroy.is_some(),
                open_world_hint: open.is_some(),
                because: because(&write, &destroy, &open),
                resolution,
            });
            continue;
        };
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
                    incidental: incidental(&w.chain),
                    only_for: only_for(hint),
                });
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
    let why = |k: Option<Kind>| {
        k.map(|kind| Why {
            kind,
            chain: scope.chain(kind),
        })
    };
    let write = why(first(
        scope.kinds,
        &[Kind::FsDelete, Kind::FsWrite, Kind::SysShell, Kind::SysExec],
    ))
    .or_else(|| non_get(report, scope));
    let destroy = why(first(scope.kinds, &[Kind::FsDelete]));
    let open = why(open_world(manifest, scope));
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

/// A request with a writing method (`requests.post`, `axios.delete`, `http.MethodPut`).
fn non_get(report: &ServerReport, scope: &Scope) -> Option<Why> {
    let tool = scope.tool;
    let f = report
        .findings
        .iter()
        .filter(|f| f.kind == Kind::NetHttp && f.tools.iter().any(|t| t == tool))
        .filter(|f| scope.covers(&format!("{}:{}", f.file, f.line)))
        .find(|f| {
            let last = f
                .api
                .rsplit(['.', ':'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            matches!(last.as_str(), "post" | "put" | "patch" | "delete")
        })?;
    // The tool's chain for net.http may end at another request: then the
    // writing request itself is the evidence.
    let at = format!("{}:{} ", f.file, f.line);
    let chain = scope.chain(f.kind);
    let chain = if chain.last().is_some_and(|s| s.starts_with(&at)) {
        chain
    } else {
        vec![format!("{at}{}", f.function), format!("{at}{}", f.api)]
    };
    Some(Why {
        kind: f.kind,
        chain,
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

/// The function making the contradicting call (the step before the API) is
/// named like own-state housekeeping.
fn incidental(chain: &[String]) -> bool {
    let Some(caller) = chain.len().checked_sub(2).and_then(|i| chain.get(i)) else {
        return false;
    };
    let name = caller
        .split_once(' ')
        .map_or("", |(_, n)| n)
        .to_ascii_lowercase();
    OWN_STATE.iter().any(|w| name.contains(w))
}

/// The kind behind an inferred hint and the tool's chain to it.
struct Why {
    kind: Kind,
    chain: Vec<String>,
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
