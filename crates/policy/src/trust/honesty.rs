//! Declared tool annotations (`readOnlyHint`, `destructiveHint`,
//! `openWorldHint`) against what the code does. Clients are told not to trust
//! annotations; this checks them. Only explicit declarations can contradict:
//! an absent hint means the protocol's cautious default.

use crate::{Manifest, Provenance};
use mcpwarden_model::{EntryKind, Kind, ServerReport};
use serde::{Deserialize, Serialize};

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
    /// telemetry (`trackMCP`), or is a POST (also used for queries): true to
    /// the code, rarely what the annotation is about. Scored lower.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incidental: bool,
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
        let why = |k: Option<Kind>| {
            k.map(|kind| Why {
                kind,
                chain: super::chain(report, &t.name, kind),
                post_only: false,
            })
        };
        let write = why(first(
            &t.kinds,
            &[Kind::FsDelete, Kind::FsWrite, Kind::SysShell, Kind::SysExec],
        ))
        .or_else(|| non_get(report, &t.name));
        let destroy = why(first(&t.kinds, &[Kind::FsDelete]));
        let open = why(open_world(manifest, &t.name, &t.kinds));
        let mut because = vec![];
        for (hint, k) in [
            ("readOnlyHint=false", &write),
            ("destructiveHint=true", &destroy),
            ("openWorldHint=true", &open),
        ] {
            if let Some(w) = k {
                let at = w.chain.last().cloned().unwrap_or_default();
                because.push(format!("{hint}: {} {at}", w.kind));
            }
        }
        inferred.push(Inferred {
            tool: t.name.clone(),
            read_only_hint: write.is_none(),
            destructive_hint: destroy.is_some(),
            open_world_hint: open.is_some(),
            because,
        });
        let Some(a) = &t.annotations else { continue };
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
                    incidental: w.post_only || incidental(&w.chain),
                });
            }
        }
    }
    out.sort();
    (out, inferred)
}

fn first(kinds: &[Kind], wanted: &[Kind]) -> Option<Kind> {
    wanted.iter().copied().find(|k| kinds.contains(k))
}

/// A request with a writing method (`requests.post`, `axios.delete`,
/// `http.MethodPut`): PUT, PATCH or DELETE first, which change state by
/// definition; else POST, which APIs also use for queries (search, render,
/// GraphQL), so a contradiction resting on POST alone is incidental.
fn non_get(report: &ServerReport, tool: &str) -> Option<Why> {
    let method = |api: &str| {
        api.rsplit(['.', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    let requests = || {
        report
            .findings
            .iter()
            .filter(|f| f.kind == Kind::NetHttp && f.tools.iter().any(|t| t == tool))
    };
    let f = requests()
        .find(|f| matches!(method(&f.api).as_str(), "put" | "patch" | "delete"))
        .or_else(|| requests().find(|f| method(&f.api) == "post"))?;
    // The tool's chain for net.http may end at another request: then the
    // writing request itself is the evidence.
    let at = format!("{}:{} ", f.file, f.line);
    let chain = super::chain(report, tool, f.kind);
    let chain = if chain.last().is_some_and(|s| s.starts_with(&at)) {
        chain
    } else {
        vec![format!("{at}{}", f.function), format!("{at}{}", f.api)]
    };
    Some(Why {
        kind: f.kind,
        chain,
        post_only: method(&f.api) == "post",
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
    /// The only writing request is a POST.
    post_only: bool,
}

/// Talks to a host beyond loopback: a connect item of the tool that is not
/// loopback (a model- or config-chosen host counts), or a network kind with
/// no host resolved.
fn open_world(m: &Manifest, tool: &str, kinds: &[Kind]) -> Option<Kind> {
    let net = first(kinds, &[Kind::NetHttp, Kind::NetConnect])?;
    let t = m.tool(tool)?;
    // Proven only by a host that is known and not loopback, or that the model
    // chooses; an unresolved host (a local daemon's socket, a configured URL
    // without default) proves nothing either way.
    let outside = t
        .permissions
        .network
        .connect
        .iter()
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
