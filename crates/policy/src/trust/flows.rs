//! Risky data flows: a tool argument (provenance `tool-arg` in the manifest)
//! reaching a shell, a program name, a URL host, a file path, dynamic code or
//! a deserialiser. A containment check the scan saw on the way (`guards` of
//! the findings) marks the flow guarded; it is shown, never hidden.

use crate::{Manifest, ParamUse, Provenance, ToolPermissions};
use mcpwarden_model::{Finding, Kind, ServerReport};
use serde::{Deserialize, Serialize};

/// Where a tool argument ends up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sink {
    /// A command line run through a shell.
    CommandInjection,
    /// The program to run.
    ProgramChoice,
    /// The host of a URL or connection (server-side request forgery).
    Ssrf,
    /// A file path (arbitrary file access).
    FilePath,
    /// Code evaluated (`eval`, `exec`, `new Function`).
    CodeInjection,
    /// Data given to an unsafe deserialiser (`pickle.loads`, `yaml.load`).
    Deserialisation,
}

impl Sink {
    pub const ALL: [Sink; 6] = [
        Sink::CommandInjection,
        Sink::ProgramChoice,
        Sink::Ssrf,
        Sink::FilePath,
        Sink::CodeInjection,
        Sink::Deserialisation,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Sink::CommandInjection => "command-injection",
            Sink::ProgramChoice => "program-choice",
            Sink::Ssrf => "ssrf",
            Sink::FilePath => "file-path",
            Sink::CodeInjection => "code-injection",
            Sink::Deserialisation => "deserialisation",
        }
    }
    /// The class of containment check that confines this sink.
    fn guard_class(self) -> Option<&'static str> {
        match self {
            Sink::CommandInjection | Sink::ProgramChoice => Some("command"),
            Sink::Ssrf => Some("host"),
            Sink::FilePath => Some("path"),
            Sink::CodeInjection | Sink::Deserialisation => None,
        }
    }
    pub fn describe(self) -> &'static str {
        match self {
            Sink::CommandInjection => "a tool argument reaches a shell command line",
            Sink::ProgramChoice => "a tool argument names the program to run",
            Sink::Ssrf => "a tool argument chooses the host of a request",
            Sink::FilePath => "a tool argument chooses a file path",
            Sink::CodeInjection => "a tool argument reaches dynamic code evaluation",
            Sink::Deserialisation => "a tool argument reaches an unsafe deserialiser",
        }
    }
}

/// One tool argument reaching one kind of sink.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Flow {
    pub tool: String,
    /// The input-schema parameter (`*` when not known).
    pub param: String,
    pub sink: Sink,
    pub kind: Kind,
    /// `file:line` of each privileged call.
    pub evidence: Vec<String>,
    /// The tool's call chain to the kind, from the scan.
    pub chain: Vec<String>,
    /// A containment check of the right class was seen on the way.
    pub guarded: bool,
    /// The checks seen (`path:resolve+startsWith@src/x.ts:12`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guards: Vec<String>,
}

/// Every risky flow of every tool, sorted.
pub fn flows(report: &ServerReport, manifest: &Manifest) -> Vec<Flow> {
    let mut out = vec![];
    for t in &manifest.tools {
        for (sink, param, evidence) in sinks(t) {
            let found = at(report, &t.name, &evidence);
            // A tool argument only in the path or query of a URL whose host is
            // fixed or configured (`${BASE}/${ARG:project}/...`) is no SSRF.
            if sink == Sink::Ssrf && !found.iter().any(|f| host_is_argument(f)) {
                continue;
            }
            let kind = kind_of(sink, &found);
            let sink = match sink {
                Sink::CodeInjection if found.iter().any(|f| is_deserialiser(&f.api)) => {
                    Sink::Deserialisation
                }
                s => s,
            };
            let mut guards: Vec<String> = found
                .iter()
                .flat_map(|f| f.guards.iter())
                .filter(|g| sink.guard_class().is_some_and(|c| g.starts_with(c)))
                .cloned()
                .collect();
            guards.sort();
            guards.dedup();
            out.push(Flow {
                tool: t.name.clone(),
                param,
                sink,
                kind,
                chain: super::chain(report, &t.name, kind),
                evidence,
                guarded: !guards.is_empty(),
                guards,
            });
        }
    }
    merge(out)
}

/// One flow per (tool, parameter, sink): evidence and checks unioned; guarded
/// only when every call site is.
fn merge(flows: Vec<Flow>) -> Vec<Flow> {
    let mut by: std::collections::BTreeMap<(String, String, Sink), Flow> = Default::default();
    for f in flows {
        match by.entry((f.tool.clone(), f.param.clone(), f.sink)) {
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(f);
            }
            std::collections::btree_map::Entry::Occupied(mut o) => {
                let g = o.get_mut();
                g.evidence.extend(f.evidence);
                g.evidence.sort();
                g.evidence.dedup();
                g.guards.extend(f.guards);
                g.guards.sort();
                g.guards.dedup();
                g.guarded &= f.guarded;
            }
        }
    }
    by.into_values().collect()
}

/// (sink, parameter, evidence) of a tool's tool-arg items.
fn sinks(t: &ToolPermissions) -> Vec<(Sink, String, Vec<String>)> {
    let p = &t.permissions;
    let param = |o: &crate::Origin| o.param.clone().unwrap_or_else(|| "*".into());
    let mut out = vec![];
    for e in p
        .exec
        .iter()
        .filter(|e| e.provenance == Provenance::ToolArg)
    {
        if e.shell {
            out.push((Sink::CommandInjection, param(&e.origin), e.evidence.clone()));
        } else if e.program.is_none() {
            out.push((Sink::ProgramChoice, param(&e.origin), e.evidence.clone()));
        }
    }
    for c in &p.network.connect {
        if c.provenance == Provenance::ToolArg && c.host == "*" {
            out.push((Sink::Ssrf, param(&c.origin), c.evidence.clone()));
        }
    }
    for f in p.fs.iter().filter(|f| f.provenance == Provenance::ToolArg) {
        out.push((Sink::FilePath, param(&f.origin), f.evidence.clone()));
    }
    for tp in t.params.iter().filter(|tp| tp.used_as == ParamUse::Code) {
        out.push((Sink::CodeInjection, tp.name.clone(), tp.evidence.clone()));
    }
    out
}

/// The scan's findings at these `file:line` places reached by the tool.
fn at<'a>(report: &'a ServerReport, tool: &str, evidence: &[String]) -> Vec<&'a Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.tools.iter().any(|t| t == tool))
        .filter(|f| evidence.contains(&format!("{}:{}", f.file, f.line)))
        .collect()
}

fn kind_of(sink: Sink, found: &[&Finding]) -> Kind {
    let wanted: &[Kind] = match sink {
        Sink::CommandInjection => &[Kind::SysShell, Kind::SysExec],
        Sink::ProgramChoice => &[Kind::SysExec, Kind::SysShell],
        Sink::Ssrf => &[Kind::NetHttp, Kind::NetConnect, Kind::DbClient],
        Sink::FilePath => &[
            Kind::FsDelete,
            Kind::FsWrite,
            Kind::FsRead,
            Kind::FsList,
            Kind::FsMeta,
        ],
        Sink::CodeInjection | Sink::Deserialisation => &[Kind::SysEval],
    };
    wanted
        .iter()
        .copied()
        .find(|k| found.iter().any(|f| f.kind == *k))
        .unwrap_or(wanted[0])
}

/// The value starts with a tool argument (`${ARG:url}`, `https://${ARG:host}/`),
/// so the argument decides the host.
fn host_is_argument(f: &Finding) -> bool {
    f.values.iter().any(|v| {
        v.provenance == Provenance::ToolArg && {
            let t = v
                .text
                .split_once("://")
                .map_or(v.text.as_str(), |(_, rest)| rest);
            t.starts_with("${ARG:")
        }
    })
}

fn is_deserialiser(api: &str) -> bool {
    let a = api.to_ascii_lowercase();
    [
        "pickle",
        "yaml",
        "marshal",
        "shelve",
        "dill",
        "joblib",
        "unserialize",
        "deserial",
    ]
    .iter()
    .any(|w| a.contains(w))
}
