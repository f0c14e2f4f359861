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
        let write = first(
            &t.kinds,
            &[Kind::FsDelete, Kind::FsWrite, Kind::SysShell, Kind::SysExec],
        )
        .or_else(|| non_get(report, &t.name));
        let destroy = first(&t.kinds, &[Kind::FsDelete]);
        let open = open_world(manifest, &t.name, &t.kinds);
        let mut because = vec![];
        for (hint, k) in [
            ("readOnlyHint=false", write),
            ("destructiveHint=true", destroy),
            ("openWorldHint=true", open),
        ] {
            if let Some(k) = k {
                because.push(format!("{hint}: {k}"));
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
            ("readOnlyHint", a.read_only_hint == Some(true), write, false),
            (
                "destructiveHint",
                a.destructive_hint == Some(false),
                destroy,
                true,
            ),
            (
                "openWorldHint",
                a.open_world_hint == Some(false),
                open,
                true,
            ),
        ];
        for (hint, declared_it, evidence, actual) in cases {
            if let (true, Some(kind)) = (declared_it, evidence) {
                out.push(Contradiction {
                    tool: t.name.clone(),
                    hint: hint.into(),
                    declared: !actual,
                    actual,
                    declared_at: a.evidence.clone(),
                    kind,
                    chain: super::chain(report, &t.name, kind),
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

/// A request with a writing method (`requests.post`, `axios.delete`, `http.MethodPut`).
fn non_get(report: &ServerReport, tool: &str) -> Option<Kind> {
    report
        .findings
        .iter()
        .filter(|f| f.kind == Kind::NetHttp && f.tools.iter().any(|t| t == tool))
        .find(|f| {
            let last = f
                .api
                .rsplit(['.', ':'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            matches!(last.as_str(), "post" | "put" | "patch" | "delete")
        })
        .map(|f| f.kind)
}

/// Talks to a host beyond loopback: a connect item of the tool that is not
/// loopback (a model- or config-chosen host counts), or a network kind with
/// no host resolved.
fn open_world(m: &Manifest, tool: &str, kinds: &[Kind]) -> Option<Kind> {
    let net = first(kinds, &[Kind::NetHttp, Kind::NetConnect])?;
    let Some(t) = m.tool(tool) else {
        return Some(net);
    };
    let connects = &t.permissions.network.connect;
    // A configured host whose default is loopback (a local daemon) stays closed.
    let local = |c: &crate::Connect| {
        LOOPBACK.contains(&c.host.as_str())
            || (c.provenance == Provenance::Config
                && c.origin.default.as_deref().is_some_and(is_loopback_url))
    };
    let outside = connects.is_empty() || !connects.iter().all(local);
    outside.then_some(net)
}

fn is_loopback_url(u: &str) -> bool {
    LOOPBACK.iter().any(|h| u.contains(&format!("//{h}")))
}
