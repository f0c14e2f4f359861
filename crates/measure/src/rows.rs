//! What one result writes, as plain values per table: built once here and
//! bound by either backend (SQLite in `store`, PostgreSQL in `pg`), so a new
//! column is added in one place (here and in `schema::SCHEMA`).

use crate::store::{is_tool, Assessed, ServerRecord};
use mcpwarden_model::{Finding, Tool};
use mcpwarden_policy::trust::Assessment;

/// A column value in the types both backends share.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::Int(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Val {
        Val::Int(v as i64)
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::Real(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Val {
        Val::Text(v.to_string())
    }
}
impl From<String> for Val {
    fn from(v: String) -> Val {
        Val::Text(v)
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Val {
        v.map_or(Val::Null, Into::into)
    }
}

pub const SERVER_COLS: &[&str] = &[
    "run_id",
    "source",
    "registry",
    "name",
    "version",
    "analyser_version",
    "status",
    "error_stage",
    "error_kind",
    "error_message",
    "category",
    "category_source",
    "category_confidence",
    "popularity_raw",
    "popularity_kind",
    "popularity_band",
    "languages",
    "sdk",
    "network",
    "system",
    "file",
    "memory",
    "reach_network",
    "reach_system",
    "reach_file",
    "reach_memory",
    "classes",
    "kinds",
    "call_sites",
    "tool_count",
    "files",
    "bytes",
    "collect_ms",
    "scan_ms",
    "digest",
    "from_cache",
    "list_line",
    "scanned_at",
    "metadata",
    "tools_with_handler",
];
/// Each child row starts with `server_id`, filled in by the backend.
pub const FINDING_COLS: &[&str] = &[
    "server_id",
    "resource",
    "kind",
    "api",
    "via",
    "file",
    "line",
    "col",
    "value",
    "reach",
    "part",
    "confidence",
    "function",
    "tools",
];
pub const TOOL_COLS: &[&str] = &[
    "server_id",
    "name",
    "entry",
    "def_file",
    "def_line",
    "handler_found",
    "network",
    "system",
    "file",
    "memory",
    "kinds",
];
pub const SKIPPED_COLS: &[&str] = &["server_id", "path", "reason"];
pub const OPAQUE_COLS: &[&str] = &["server_id", "path"];
pub const MANIFEST_COLS: &[&str] = &["server_id", "doc"];
pub const MANIFEST_ITEM_COLS: &[&str] = &[
    "server_id",
    "tool",
    "class",
    "value",
    "provenance",
    "secret",
];
pub const TRUST_COLS: &[&str] = &[
    "server_id",
    "score",
    "grade",
    "capped_by",
    "tools",
    "flows",
    "unguarded_flows",
    "install",
    "contradictions",
    "incidental",
    "doc",
];
pub const TRUST_ITEM_COLS: &[&str] = &[
    "server_id",
    "item",
    "type",
    "tool",
    "param",
    "kind",
    "guarded",
    "incidental",
    "scored",
    "detail",
    "file",
    "line",
];

/// One tool row and the kinds it reaches (`tool_kinds`).
pub struct ToolRows {
    pub row: Vec<Val>,
    pub kinds: Vec<String>,
}

/// Everything one result writes; child rows lack their leading `server_id`.
pub struct ServerRows {
    pub server: Vec<Val>,
    pub findings: Vec<Vec<Val>>,
    pub tools: Vec<ToolRows>,
    pub skipped: Vec<Vec<Val>>,
    pub opaque: Vec<Vec<Val>>,
    /// The derived manifest (one row: its JSON document) and its flat items.
    pub manifest: Vec<Vec<Val>>,
    pub manifest_items: Vec<Vec<Val>>,
    /// The trust assessment (one row) and its flows, install items and contradictions.
    pub trust: Vec<Vec<Val>>,
    pub trust_items: Vec<Vec<Val>>,
}

/// A child table's rows: `(table, columns, rows)`.
pub type ChildRows<'a> = (&'static str, &'static [&'static str], &'a Vec<Vec<Val>>);

impl ServerRows {
    /// The child tables without ids of their own, in insertion order (tools
    /// and their kinds are written apart).
    pub fn children(&self) -> [ChildRows<'_>; 7] {
        [
            ("findings", FINDING_COLS, &self.findings),
            ("skipped", SKIPPED_COLS, &self.skipped),
            ("opaque", OPAQUE_COLS, &self.opaque),
            ("manifests", MANIFEST_COLS, &self.manifest),
            ("manifest_items", MANIFEST_ITEM_COLS, &self.manifest_items),
            ("trust", TRUST_COLS, &self.trust),
            ("trust_items", TRUST_ITEM_COLS, &self.trust_items),
        ]
    }
}

/// `INSERT INTO t(cols) VALUES (p(1), p(2), ...)` with the backend's placeholders.
pub fn insert_sql(table: &str, cols: &[&str], placeholder: fn(usize) -> String) -> String {
    let ps: Vec<String> = (1..=cols.len()).map(placeholder).collect();
    format!(
        "INSERT INTO {table}({}) VALUES ({})",
        cols.join(", "),
        ps.join(", ")
    )
}

fn kinds_text<'a>(kinds: impl Iterator<Item = &'a mcpwarden_model::Kind>) -> String {
    kinds.map(|k| k.as_str()).collect::<Vec<_>>().join(" ")
}

pub fn server_rows(run: i64, analyser: &str, now: &str, r: &ServerRecord) -> ServerRows {
    let rep = r.report.as_ref();
    let res = rep.map(|x| x.resources);
    let reach = rep.map(|x| x.reachable_resources);
    let server_findings = rep.map(|x| {
        x.findings
            .iter()
            .filter(|f| f.part == mcpwarden_model::Part::Server)
            .count() as i64
    });
    let err = r.error.as_ref();
    let server: Vec<Val> = vec![
        run.into(),
        r.source.as_str().into(),
        r.registry.as_str().into(),
        r.name.as_str().into(),
        r.version.as_str().into(),
        analyser.into(),
        r.status().as_str().into(),
        err.map(|e| e.stage.as_str()).into(),
        err.map(|e| e.kind.as_str()).into(),
        err.map(|e| e.message.as_str()).into(),
        r.category.as_str().into(),
        r.category_source.as_str().into(),
        r.category_confidence.into(),
        r.popularity.raw.clone().into(),
        r.popularity.kind.as_str().into(),
        r.popularity.band.as_str().into(),
        rep.map(|x| x.languages.join(","))
            .unwrap_or_default()
            .into(),
        rep.map(|x| x.sdk.join(",")).unwrap_or_default().into(),
        res.map(|s| s.network).into(),
        res.map(|s| s.system).into(),
        res.map(|s| s.file).into(),
        res.map(|s| s.memory).into(),
        reach.map(|s| s.network).into(),
        reach.map(|s| s.system).into(),
        reach.map(|s| s.file).into(),
        reach.map(|s| s.memory).into(),
        res.map(|s| s.iter().count() as i64).into(),
        rep.map(|x| kinds_text(x.kinds.iter()))
            .unwrap_or_default()
            .into(),
        server_findings.into(),
        rep.map(|x| x.tools.iter().filter(|t| is_tool(t)).count() as i64)
            .into(),
        rep.map(|x| x.stats.files as i64).into(),
        rep.map(|x| x.stats.bytes as i64).into(),
        (r.collect_ms as i64).into(),
        rep.map(|_| r.scan_ms as i64).into(),
        r.digest.clone().into(),
        r.from_cache.into(),
        r.list_line.map(|l| l as i64).into(),
        now.into(),
        r.metadata.to_string().into(),
        rep.map(|x| {
            x.tools
                .iter()
                .filter(|t| is_tool(t) && t.handler_found)
                .count() as i64
        })
        .into(),
    ];
    debug_assert_eq!(server.len(), SERVER_COLS.len());
    let Some(rep) = rep else {
        return ServerRows {
            server,
            findings: vec![],
            tools: vec![],
            skipped: vec![],
            opaque: vec![],
            manifest: vec![],
            manifest_items: vec![],
            trust: vec![],
            trust_items: vec![],
        };
    };
    // Assessed by the worker while the tree existed; otherwise now, without it.
    let later;
    let assessed = match &r.assessed {
        Some(a) => a,
        None => {
            later = Assessed::of(rep, &r.source, analyser, None);
            &later
        }
    };
    let (manifest, manifest_items) = manifest_rows(&assessed.manifest);
    let (trust, trust_items) = trust_rows(&assessed.trust, &r.source);
    ServerRows {
        server,
        findings: rep.findings.iter().map(finding_row).collect(),
        tools: rep.tools.iter().map(tool_rows).collect(),
        skipped: rep
            .skipped
            .iter()
            .map(|s| vec![s.path.as_str().into(), s.reason.as_str().into()])
            .collect(),
        opaque: rep.opaque.iter().map(|p| vec![p.as_str().into()]).collect(),
        manifest,
        manifest_items,
        trust,
        trust_items,
    }
}

/// The manifest derived from a report: its document, and one row per item
/// (`tool` is `''` for the server-level union).
fn manifest_rows(m: &mcpwarden_policy::Manifest) -> (Vec<Vec<Val>>, Vec<Vec<Val>>) {
    let doc = vec![vec![serde_json::to_string(&m).unwrap_or_default().into()]];
    let scopes = std::iter::once(("", &m.permissions))
        .chain(m.tools.iter().map(|t| (t.name.as_str(), &t.permissions)));
    let mut items = vec![];
    for (tool, p) in scopes {
        for (class, value, provenance, secret) in mcpwarden_policy::derive::items(p) {
            items.push(vec![
                tool.into(),
                class.into(),
                value.into(),
                provenance.as_str().into(),
                secret.into(),
            ]);
        }
    }
    (doc, items)
}

/// `file:line` split; `(text, None)` when there is no line (`binding.gyp`).
fn file_line(evidence: &str) -> (String, Option<i64>) {
    match evidence.rsplit_once(':') {
        Some((file, line)) if !file.is_empty() => match line.parse::<i64>() {
            Ok(n) => (file.to_string(), Some(n)),
            Err(_) => (evidence.to_string(), None),
        },
        _ => (evidence.to_string(), None),
    }
}

/// The assessment: one row with the score and counts (and the document), and
/// one row per flow, install item and contradiction.
fn trust_rows(a: &Assessment, source: &str) -> (Vec<Vec<Val>>, Vec<Vec<Val>>) {
    let installs = a.install.iter().filter(|i| i.runs_on_install(source));
    let summary = vec![
        (a.score.score as i64).into(),
        a.score.grade.to_string().into(),
        a.score.capped_by.join(" ").into(),
        (a.inferred.len() as i64).into(),
        (a.flows.len() as i64).into(),
        (a.flows.iter().filter(|f| !f.guarded).count() as i64).into(),
        (installs.count() as i64).into(),
        (a.contradictions.len() as i64).into(),
        (a.contradictions.iter().filter(|c| c.incidental).count() as i64).into(),
        serde_json::to_string(a).unwrap_or_default().into(),
    ];
    let mut items = vec![];
    let mut push = |item: &str,
                    ty: &str,
                    tool: &str,
                    param: &str,
                    kind: &str,
                    flags: (bool, bool, bool),
                    detail: String,
                    evidence: &str| {
        let (file, line) = file_line(evidence);
        items.push(vec![
            item.into(),
            ty.into(),
            tool.into(),
            param.into(),
            kind.into(),
            flags.0.into(),
            flags.1.into(),
            flags.2.into(),
            detail.into(),
            file.into(),
            line.into(),
        ]);
    };
    for f in &a.flows {
        push(
            "flow",
            f.sink.as_str(),
            &f.tool,
            &f.param,
            f.kind.as_str(),
            (f.guarded, false, true),
            f.guards.join(" "),
            f.evidence.first().map_or("", String::as_str),
        );
    }
    for i in &a.install {
        let ty = serde_json::to_value(i.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        push(
            "install",
            &ty,
            "",
            "",
            "",
            (false, false, i.runs_on_install(source)),
            i.detail.clone(),
            &i.evidence,
        );
    }
    for c in &a.contradictions {
        // Evidence: the declaration; detail: where the code does otherwise.
        push(
            "contradiction",
            &c.hint,
            &c.tool,
            "",
            c.kind.as_str(),
            (false, c.incidental, true),
            c.chain.last().cloned().unwrap_or_default(),
            &c.declared_at,
        );
    }
    (vec![summary], items)
}

fn finding_row(f: &Finding) -> Vec<Val> {
    let confidence = match f.confidence {
        mcpwarden_model::Confidence::High => "high",
        mcpwarden_model::Confidence::Low => "low",
    };
    vec![
        f.resource.as_str().into(),
        f.kind.as_str().into(),
        f.api.as_str().into(),
        f.via.clone().into(),
        f.file.as_str().into(),
        (f.line as i64).into(),
        (f.column as i64).into(),
        f.value.clone().into(),
        f.reach.as_str().into(),
        f.part.as_str().into(),
        confidence.into(),
        f.function.as_str().into(),
        serde_json::to_string(&f.tools).unwrap_or_default().into(),
    ]
}

fn tool_rows(t: &Tool) -> ToolRows {
    use mcpwarden_model::Resource::*;
    let has = |r| Val::from(t.resources.contains(&r));
    let entry = match t.entry {
        None | Some(mcpwarden_model::EntryKind::Tool) => "tool",
        Some(mcpwarden_model::EntryKind::Resource) => "resource",
        Some(mcpwarden_model::EntryKind::Prompt) => "prompt",
    };
    let mut kinds: Vec<String> = t.kinds.iter().map(|k| k.as_str().to_string()).collect();
    kinds.dedup();
    ToolRows {
        row: vec![
            t.name.as_str().into(),
            entry.into(),
            t.file.as_str().into(),
            (t.line as i64).into(),
            t.handler_found.into(),
            has(Network),
            has(System),
            has(File),
            has(Memory),
            kinds_text(t.kinds.iter()).into(),
        ],
        kinds,
    }
}
