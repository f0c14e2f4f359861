//! Aggregation of a results database into the study's tables and charts, and
//! their rendering as Markdown, self-contained HTML, CSV and JSON.
//!
//! Shares are over the *analysed* servers (status `ok` or `opaque`): a server
//! that failed to download or scan says nothing about API use. Every caption
//! states the status counts so that the denominator is never hidden, and
//! `opaque` servers (shipping native code) are counted in their own row.

use crate::categories::Taxonomy;
use crate::popularity::{band_label, band_order};
use crate::store::{Status, Store, StoreError};
use crate::svg;
use mcpwarden_model::{Kind, Resource};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The measurement study's published counts (arXiv 2507.06250).
pub const PAPER_TOTAL: u64 = 2562;
pub const PAPER: [(Resource, u64); 4] = [
    (Resource::Network, 1438),
    (Resource::System, 1237),
    (Resource::File, 613),
    (Resource::Memory, 25),
];

pub const REPORT_SCHEMA: &str = "mcpwarden/report/v1";

/// One cell of a table; rendering decides the format (CSV keeps raw numbers).
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Int(u64),
    /// A fraction in [0, 1], shown as a percentage.
    Share(Option<f64>),
    /// A mean, median or ratio.
    Num(Option<f64>),
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => thousands(*n),
            Cell::Share(Some(f)) => format!("{:.1}%", f * 100.0),
            Cell::Num(Some(f)) => format!("{f:.1}"),
            Cell::Share(None) | Cell::Num(None) => "–".to_string(),
        }
    }

    fn raw(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Share(Some(f)) => format!("{f:.4}"),
            Cell::Num(Some(f)) => format!("{f:.2}"),
            Cell::Share(None) | Cell::Num(None) => String::new(),
        }
    }

    fn json(&self) -> Value {
        match self {
            Cell::Text(s) => json!(s),
            Cell::Int(n) => json!(n),
            Cell::Share(Some(f)) => json!((f * 10_000.0).round() / 10_000.0),
            Cell::Num(Some(f)) => json!((f * 100.0).round() / 100.0),
            Cell::Share(None) | Cell::Num(None) => Value::Null,
        }
    }

    fn numeric(&self) -> bool {
        !matches!(self, Cell::Text(_))
    }
}

#[derive(Clone, Debug)]
pub struct Table {
    /// File-name-safe identifier (`resources` -> `resources.csv`).
    pub id: String,
    pub title: String,
    pub caption: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Inline SVG charts illustrating the table.
    pub figures: Vec<String>,
}

/// Status counts, the denominators of every table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub ok: u64,
    pub opaque: u64,
    pub error: u64,
}

impl Counts {
    pub fn total(&self) -> u64 {
        self.ok + self.opaque + self.error
    }
    pub fn analysed(&self) -> u64 {
        self.ok + self.opaque
    }
    fn add(&mut self, s: Status) {
        match s {
            Status::Ok => self.ok += 1,
            Status::Opaque => self.opaque += 1,
            Status::Error => self.error += 1,
        }
    }
    fn caption(&self) -> String {
        format!("{} servers: {} ok, {} opaque, {} error; shares are over the {} analysed (ok + opaque).", thousands(self.total()), thousands(self.ok), thousands(self.opaque), thousands(self.error), thousands(self.analysed()))
    }
}

/// One server as the report sees it (a row of `current_servers`).
#[derive(Clone, Debug)]
struct Srv {
    registry: String,
    status: Status,
    error: Option<(String, String, String)>,
    category: String,
    category_source: String,
    confidence: f64,
    band: String,
    languages: Vec<String>,
    sdk: Vec<String>,
    res: [bool; 4],
    reach: [bool; 4],
    kinds: BTreeSet<String>,
    call_sites: u64,
    collect_ms: u64,
    scan_ms: u64,
    from_cache: Option<bool>,
    analyser: String,
}

impl Srv {
    fn analysed(&self) -> bool {
        self.status != Status::Error
    }
    fn has(&self, r: Resource) -> bool {
        self.res[ri(r)]
    }
    fn high_risk(&self, which: &str) -> bool {
        match which {
            "mem.*" => self.kinds.iter().any(|k| k.starts_with("mem.")),
            "any" => self
                .kinds
                .iter()
                .any(|k| Kind::parse(k).is_some_and(Kind::is_high_risk)),
            k => self.kinds.contains(k),
        }
    }
}

fn ri(r: Resource) -> usize {
    match r {
        Resource::Network => 0,
        Resource::System => 1,
        Resource::File => 2,
        Resource::Memory => 3,
    }
}

/// Everything a report shows.
#[derive(Clone, Debug)]
pub struct Report {
    pub counts: Counts,
    pub tables: Vec<Table>,
    pub headline: Value,
    pub runs: Vec<Value>,
    pub analysers: Vec<String>,
}

fn share(n: u64, d: u64) -> Cell {
    Cell::Share((d > 0).then(|| n as f64 / d as f64))
}

fn frac(n: u64, d: u64) -> f64 {
    if d == 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

pub fn thousands(n: u64) -> String {
    let digits: Vec<char> = n.to_string().chars().collect();
    let groups: Vec<String> = digits
        .rchunks(3)
        .rev()
        .map(|g| g.iter().collect())
        .collect();
    groups.join(",")
}

fn pct(v: f64) -> String {
    let p = v * 100.0;
    if (p - p.round()).abs() < 0.05 || p >= 10.0 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

fn pct1(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn mean(v: &[u64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<u64>() as f64 / v.len() as f64)
}

fn median(v: &[u64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_unstable();
    let n = s.len();
    Some(if n % 2 == 1 {
        s[n / 2] as f64
    } else {
        (s[n / 2 - 1] + s[n / 2]) as f64 / 2.0
    })
}

fn percentile(v: &[u64], p: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_unstable();
    let i = ((s.len() - 1) as f64 * p).round() as usize;
    Some(s[i] as f64)
}

fn split_list(s: String) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn load_servers(store: &Store) -> Result<Vec<Srv>, StoreError> {
    let mut st = store.conn().prepare(
        "SELECT registry, status, error_stage, error_kind, error_message, category, category_source, category_confidence, popularity_band,
                languages, sdk, network, system, file, memory, reach_network, reach_system, reach_file, reach_memory, kinds,
                call_sites, collect_ms, scan_ms, from_cache, analyser_version
         FROM current_servers ORDER BY id",
    )?;
    let rows = st.query_map([], |r| {
        let flag = |i: usize| -> rusqlite::Result<bool> {
            Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0) != 0)
        };
        let status: String = r.get(1)?;
        let err_kind: Option<String> = r.get(3)?;
        Ok(Srv {
            registry: r.get(0)?,
            status: Status::parse(&status).unwrap_or(Status::Error),
            error: err_kind
                .map(|k| {
                    Ok::<_, rusqlite::Error>((
                        r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                        k,
                        r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                    ))
                })
                .transpose()?,
            category: r.get(5)?,
            category_source: r.get(6)?,
            confidence: r.get(7)?,
            band: r.get(8)?,
            languages: split_list(r.get(9)?),
            sdk: split_list(r.get(10)?),
            res: [flag(11)?, flag(12)?, flag(13)?, flag(14)?],
            reach: [flag(15)?, flag(16)?, flag(17)?, flag(18)?],
            kinds: r
                .get::<_, String>(19)?
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            call_sites: r.get::<_, Option<i64>>(20)?.unwrap_or(0) as u64,
            collect_ms: r.get::<_, Option<i64>>(21)?.unwrap_or(0) as u64,
            scan_ms: r.get::<_, Option<i64>>(22)?.unwrap_or(0) as u64,
            from_cache: r.get::<_, Option<i64>>(23)?.map(|x| x != 0),
            analyser: r.get(24)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Build every table from the store.
pub fn build(store: &Store) -> Result<Report, StoreError> {
    let servers = load_servers(store)?;
    let tax = Taxonomy::embedded();
    let mut counts = Counts::default();
    for s in &servers {
        counts.add(s.status);
    }
    let analysed: Vec<&Srv> = servers.iter().filter(|s| s.analysed()).collect();
    let n = analysed.len() as u64;
    let cap = counts.caption();
    let mut tables = vec![];

    // --- Status.
    {
        let mut by_reg: BTreeMap<&str, Counts> = BTreeMap::new();
        for s in &servers {
            by_reg.entry(s.registry.as_str()).or_default().add(s.status);
        }
        let mut rows = vec![];
        for (reg, c) in &by_reg {
            rows.push(vec![
                Cell::text(*reg),
                Cell::Int(c.total()),
                Cell::Int(c.ok),
                Cell::Int(c.opaque),
                Cell::Int(c.error),
                share(c.analysed(), c.total()),
            ]);
        }
        rows.push(vec![
            Cell::text("all"),
            Cell::Int(counts.total()),
            Cell::Int(counts.ok),
            Cell::Int(counts.opaque),
            Cell::Int(counts.error),
            share(counts.analysed(), counts.total()),
        ]);
        tables.push(Table {
            id: "status".into(),
            title: "Servers by status and registry".into(),
            caption: format!("{cap} `opaque`: scanned, but the package ships native executables or libraries whose behaviour no source analysis sees."),
            columns: cols(&["registry", "servers", "ok", "opaque", "error", "analysed share"]),
            rows,
            figures: vec![],
        });
    }

    // --- Errors by reason.
    {
        let mut by: BTreeMap<(String, String), (u64, String)> = BTreeMap::new();
        for s in &servers {
            if let Some((stage, kind, msg)) = &s.error {
                let e = by
                    .entry((stage.clone(), kind.clone()))
                    .or_insert((0, msg.clone()));
                e.0 += 1;
            }
        }
        let mut v: Vec<_> = by.into_iter().collect();
        v.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
        let rows = v
            .into_iter()
            .map(|((stage, kind), (c, msg))| {
                vec![
                    Cell::text(stage),
                    Cell::text(kind),
                    Cell::Int(c),
                    share(c, counts.total()),
                    Cell::text(cut(&msg, 120)),
                ]
            })
            .collect();
        tables.push(Table {
            id: "errors".into(),
            title: "Failures by stage and reason".into(),
            caption: format!(
                "{cap} One example message per reason; all messages are in the `servers` table."
            ),
            columns: cols(&["stage", "reason", "servers", "share of all", "example"]),
            rows,
            figures: vec![],
        });
    }

    // --- Servers per resource class.
    {
        let mut rows = vec![];
        let mut ours = vec![];
        for r in Resource::ALL {
            let c = analysed.iter().filter(|s| s.has(r)).count() as u64;
            let reach = analysed.iter().filter(|s| s.reach[ri(r)]).count() as u64;
            let op = analysed
                .iter()
                .filter(|s| s.has(r) && s.status == Status::Opaque)
                .count() as u64;
            ours.push(frac(c, n));
            rows.push(vec![
                Cell::text(r.as_str()),
                Cell::Int(c),
                share(c, n),
                Cell::Int(reach),
                share(reach, n),
                Cell::Int(op),
            ]);
        }
        let any = analysed.iter().filter(|s| s.res.iter().any(|x| *x)).count() as u64;
        let any_reach = analysed
            .iter()
            .filter(|s| s.reach.iter().any(|x| *x))
            .count() as u64;
        let any_op = analysed
            .iter()
            .filter(|s| s.res.iter().any(|x| *x) && s.status == Status::Opaque)
            .count() as u64;
        rows.push(vec![
            Cell::text("any class"),
            Cell::Int(any),
            share(any, n),
            Cell::Int(any_reach),
            share(any_reach, n),
            Cell::Int(any_op),
        ]);
        let none = analysed
            .iter()
            .filter(|s| !s.res.iter().any(|x| *x) && s.status == Status::Ok)
            .count() as u64;
        rows.push(vec![
            Cell::text("none (ok, no privileged API)"),
            Cell::Int(none),
            share(none, n),
            Cell::text(""),
            Cell::text(""),
            Cell::Int(0),
        ]);
        let no_api_opaque = analysed
            .iter()
            .filter(|s| !s.res.iter().any(|x| *x) && s.status == Status::Opaque)
            .count() as u64;
        rows.push(vec![
            Cell::text("none found, but opaque (never clean)"),
            Cell::Int(no_api_opaque),
            share(no_api_opaque, n),
            Cell::text(""),
            Cell::text(""),
            Cell::Int(no_api_opaque),
        ]);
        let paper: Vec<f64> = PAPER.iter().map(|(_, c)| frac(*c, PAPER_TOTAL)).collect();
        let labels: Vec<String> = Resource::ALL
            .iter()
            .map(|r| r.as_str().to_string())
            .collect();
        let fig = svg::hbars(
            "Servers using each resource class",
            &labels,
            &[
                ("mcpwarden".into(), ours),
                (format!("paper ({} servers)", thousands(PAPER_TOTAL)), paper),
            ],
            1.0,
            &pct,
        );
        tables.push(Table {
            id: "resources".into(),
            title: "Servers per resource class".into(),
            caption: format!("{cap} A class counts when the server's own code (`part = server`) calls a catalogued API of it; `reachable`: some tool, handler or startup code reaches the call."),
            columns: cols(&["class", "servers", "share", "reachable", "reachable share", "of which opaque"]),
            rows,
            figures: vec![fig],
        });
    }

    // --- Against the paper.
    {
        let mut rows = vec![];
        for (r, pc) in PAPER {
            let c = analysed.iter().filter(|s| s.has(r)).count() as u64;
            let diff = (n > 0).then(|| (frac(c, n) - frac(pc, PAPER_TOTAL)) * 100.0);
            rows.push(vec![
                Cell::text(r.as_str()),
                Cell::Int(pc),
                share(pc, PAPER_TOTAL),
                Cell::Int(c),
                share(c, n),
                Cell::Num(diff),
            ]);
        }
        // Environment variables and host information alone put most servers in
        // `system`; this row shows the class without them, for comparison.
        let strict = analysed
            .iter()
            .filter(|s| {
                s.kinds.iter().any(|k| {
                    Kind::parse(k).is_some_and(|k| {
                        k.default_resource() == Resource::System
                            && !matches!(k, Kind::SysEnv | Kind::SysInfo)
                    })
                })
            })
            .count() as u64;
        rows.push(vec![
            Cell::text("system, counting only exec, shell, eval, signal, ipc"),
            Cell::text(""),
            Cell::text(""),
            Cell::Int(strict),
            share(strict, n),
            Cell::text(""),
        ]);
        rows.push(vec![
            Cell::text("servers"),
            Cell::Int(PAPER_TOTAL),
            Cell::text(""),
            Cell::Int(n),
            Cell::text(""),
            Cell::text(""),
        ]);
        tables.push(Table {
            id: "paper".into(),
            title: "Side by side with the measurement study".into(),
            caption: format!("{cap} Paper: \"We Urgently Need Privilege Management in MCP\" (arXiv 2507.06250), 2,562 servers from one marketplace, name-matching signatures over all files; mcpwarden resolves imports and counts the server's own code only. Difference in percentage points."),
            columns: cols(&["class", "paper servers", "paper share", "mcpwarden servers", "mcpwarden share", "difference (pp)"]),
            rows,
            figures: vec![],
        });
    }

    // --- Per kind.
    {
        let mut per_kind: HashMap<String, (u64, u64, u64)> = HashMap::new();
        let mut st = store.conn().prepare(
            "SELECT f.kind, count(DISTINCT f.server_id), count(*), count(DISTINCT CASE WHEN f.reach = 'tool' THEN f.server_id END)
             FROM findings f JOIN current_servers s ON s.id = f.server_id
             WHERE f.part = 'server' AND s.status != 'error' GROUP BY f.kind",
        )?;
        let it = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)? as u64,
                r.get::<_, i64>(2)? as u64,
                r.get::<_, i64>(3)? as u64,
            ))
        })?;
        for x in it {
            let (k, a, b, c) = x?;
            per_kind.insert(k, (a, b, c));
        }
        let mut rows = vec![];
        let mut labels = vec![];
        let mut vals = vec![];
        for k in Kind::ALL {
            let (servers_n, sites, tool_n) = per_kind.get(k.as_str()).copied().unwrap_or_default();
            rows.push(vec![
                Cell::text(k.as_str()),
                Cell::text(k.default_resource().as_str()),
                Cell::Int(servers_n),
                share(servers_n, n),
                Cell::Int(sites),
                Cell::Int(tool_n),
                share(tool_n, n),
            ]);
            labels.push(k.as_str().to_string());
            vals.push(frac(servers_n, n));
        }
        let max = vals.iter().cloned().fold(0.0, f64::max).max(0.05);
        let fig = svg::hbars(
            "Servers using each kind",
            &labels,
            &[("share of analysed servers".into(), vals)],
            nice_max(max),
            &pct,
        );
        tables.push(Table {
            id: "kinds".into(),
            title: "Servers per kind".into(),
            caption: format!("{cap} Call sites: privileged calls in the server's own code. `from a tool`: at least one call of the kind is reached from an MCP tool handler. `db.client` is listed under its default class (network); SQLite/DuckDB clients count as file."),
            columns: cols(&["kind", "class", "servers", "share", "call sites", "from a tool", "from a tool share"]),
            rows,
            figures: vec![fig],
        });
    }

    // --- Classes per server and combinations.
    {
        let mut by_n = [0u64; 5];
        let mut combos: BTreeMap<String, u64> = BTreeMap::new();
        for s in &analysed {
            let set: Vec<&str> = Resource::ALL
                .iter()
                .filter(|r| s.has(**r))
                .map(|r| r.as_str())
                .collect();
            by_n[set.len()] += 1;
            *combos
                .entry(if set.is_empty() {
                    "none".into()
                } else {
                    set.join(" + ")
                })
                .or_default() += 1;
        }
        let rows = (0..5)
            .map(|i| vec![Cell::Int(i as u64), Cell::Int(by_n[i]), share(by_n[i], n)])
            .collect();
        let labels: Vec<String> = (0..5)
            .map(|i| format!("{i} class{}", if i == 1 { "" } else { "es" }))
            .collect();
        let fig = svg::hbars(
            "Resource classes per server",
            &labels,
            &[(
                "share of analysed servers".into(),
                (0..5).map(|i| frac(by_n[i], n)).collect(),
            )],
            nice_max(by_n.iter().map(|c| frac(*c, n)).fold(0.0, f64::max)),
            &pct,
        );
        tables.push(Table {
            id: "classes_per_server".into(),
            title: "Number of resource classes per server".into(),
            caption: cap.clone(),
            columns: cols(&["classes", "servers", "share"]),
            rows,
            figures: vec![fig],
        });
        let mut v: Vec<(String, u64)> = combos.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let rows = v
            .iter()
            .take(10)
            .map(|(c, k)| vec![Cell::text(c.clone()), Cell::Int(*k), share(*k, n)])
            .collect();
        tables.push(Table {
            id: "combinations".into(),
            title: "Most common combinations of classes".into(),
            caption: format!("{cap} The ten most frequent sets of classes."),
            columns: cols(&["combination", "servers", "share"]),
            rows,
            figures: vec![],
        });
    }

    // --- Category × resource.
    {
        let mut by: BTreeMap<String, Vec<&Srv>> = BTreeMap::new();
        for s in &servers {
            by.entry(s.category.clone()).or_default().push(s);
        }
        let order: Vec<String> = {
            let mut ids: Vec<String> = by.keys().cloned().collect();
            // Largest first; the taxonomy order breaks ties, `other` last.
            let pos = |id: &str| tax.ids().position(|x| x == id).unwrap_or(usize::MAX);
            ids.sort_by(|a, b| {
                (a == "other")
                    .cmp(&(b == "other"))
                    .then(
                        by[b]
                            .iter()
                            .filter(|s| s.analysed())
                            .count()
                            .cmp(&by[a].iter().filter(|s| s.analysed()).count()),
                    )
                    .then(pos(a).cmp(&pos(b)))
                    .then(a.cmp(b))
            });
            ids
        };
        let mut rows = vec![];
        let mut heat = vec![];
        let mut labels = vec![];
        let mut intensity = vec![];
        for id in &order {
            let group = &by[id];
            let mut c = Counts::default();
            group.iter().for_each(|s| c.add(s.status));
            let an: Vec<&&Srv> = group.iter().filter(|s| s.analysed()).collect();
            let d = an.len() as u64;
            let sites: Vec<u64> = an.iter().map(|s| s.call_sites).collect();
            let mut row = vec![Cell::text(tax.title(id)), Cell::Int(d)];
            let mut hrow = vec![];
            for r in Resource::ALL {
                let k = an.iter().filter(|s| s.has(r)).count() as u64;
                row.push(share(k, d));
                hrow.push((d > 0).then(|| frac(k, d)));
            }
            row.extend([
                Cell::Num(mean(&sites)),
                Cell::Num(median(&sites)),
                Cell::text(format!("{}/{}/{}", c.ok, c.opaque, c.error)),
            ]);
            rows.push(row);
            heat.push(hrow);
            labels.push(format!("{} ({})", tax.title(id), d));
            intensity.push(mean(&sites).unwrap_or(0.0));
        }
        let res_labels: Vec<String> = Resource::ALL
            .iter()
            .map(|r| r.as_str().to_string())
            .collect();
        let fig = svg::heatmap(
            "Share of servers using each class, by category",
            &labels,
            &res_labels,
            &heat,
            1.0,
            &pct,
        );
        tables.push(Table {
            id: "categories".into(),
            title: "Category × resource class".into(),
            caption: format!("{cap} API intensity: privileged call sites in the server's own code per analysed server (mean, median). Last column: ok/opaque/error."),
            columns: cols(&["category", "analysed", "network", "system", "file", "memory", "intensity mean", "intensity median", "ok/opaque/error"]),
            rows,
            figures: vec![fig],
        });
        let max = intensity.iter().cloned().fold(0.0, f64::max);
        let fig = svg::hbars(
            "API intensity by category (mean privileged call sites per server)",
            &labels,
            &[("mean call sites".into(), intensity)],
            nice_max(max),
            &|v| format!("{v:.1}"),
        );
        tables.last_mut().unwrap().figures.push(fig);

        // How categories were assigned.
        let mut rows = vec![];
        let from_input = servers
            .iter()
            .filter(|s| s.category_source == "input")
            .count() as u64;
        let cls: Vec<&Srv> = servers
            .iter()
            .filter(|s| s.category_source == "classifier")
            .collect();
        let high = cls.iter().filter(|s| s.confidence >= 0.5).count() as u64;
        let low = cls.len() as u64 - high;
        let none = servers
            .iter()
            .filter(|s| s.category_source == "none")
            .count() as u64;
        let t = counts.total();
        rows.push(vec![
            Cell::text("given in the input list"),
            Cell::Int(from_input),
            share(from_input, t),
            Cell::Num(None),
        ]);
        rows.push(vec![
            Cell::text("classifier, margin ≥ 0.5"),
            Cell::Int(high),
            share(high, t),
            Cell::Num((high > 0).then(|| {
                cls.iter()
                    .filter(|s| s.confidence >= 0.5)
                    .map(|s| s.confidence)
                    .sum::<f64>()
                    / high as f64
            })),
        ]);
        rows.push(vec![
            Cell::text("classifier, margin < 0.5"),
            Cell::Int(low),
            share(low, t),
            Cell::Num((low > 0).then(|| {
                cls.iter()
                    .filter(|s| s.confidence < 0.5)
                    .map(|s| s.confidence)
                    .sum::<f64>()
                    / low as f64
            })),
        ]);
        rows.push(vec![
            Cell::text("no category term matched (other)"),
            Cell::Int(none),
            share(none, t),
            Cell::Num(None),
        ]);
        tables.push(Table {
            id: "category_sources".into(),
            title: "How categories were assigned".into(),
            caption: format!("{} servers: {} ok, {} opaque, {} error; shares over all servers (errors are classified too, from the list and registry text). Margin: (best − second score) / best; the last column is its mean.", thousands(t), counts.ok, counts.opaque, counts.error),
            columns: cols(&["assignment", "servers", "share", "mean margin"]),
            rows,
            figures: vec![],
        });
    }

    // --- Popularity band × resource and high-risk kinds.
    {
        let mut by: BTreeMap<(usize, String), Vec<&Srv>> = BTreeMap::new();
        for s in &servers {
            by.entry((band_order(&s.band), s.band.clone()))
                .or_default()
                .push(s);
        }
        let risk = ["sys.shell", "sys.eval", "mem.*", "any"];
        let mut rows = vec![];
        let mut heat = vec![];
        let mut labels = vec![];
        for ((_, band), group) in &by {
            let mut c = Counts::default();
            group.iter().for_each(|s| c.add(s.status));
            let an: Vec<&&Srv> = group.iter().filter(|s| s.analysed()).collect();
            let d = an.len() as u64;
            let mut row = vec![Cell::text(band_label(band)), Cell::Int(d)];
            let mut hrow = vec![];
            for r in Resource::ALL {
                let k = an.iter().filter(|s| s.has(r)).count() as u64;
                row.push(share(k, d));
                hrow.push((d > 0).then(|| frac(k, d)));
            }
            for k in risk {
                let x = an.iter().filter(|s| s.high_risk(k)).count() as u64;
                row.push(share(x, d));
                hrow.push((d > 0).then(|| frac(x, d)));
            }
            let sites: Vec<u64> = an.iter().map(|s| s.call_sites).collect();
            row.push(Cell::Num(mean(&sites)));
            row.push(Cell::text(format!("{}/{}/{}", c.ok, c.opaque, c.error)));
            rows.push(row);
            heat.push(hrow);
            labels.push(format!("{} ({d})", band_label(band)));
        }
        let hcols: Vec<String> = [
            "network",
            "system",
            "file",
            "memory",
            "sys.shell",
            "sys.eval",
            "mem.*",
            "high-risk",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let fig = svg::heatmap(
            "Share of servers by popularity band",
            &labels,
            &hcols,
            &heat,
            1.0,
            &pct,
        );
        tables.push(Table {
            id: "popularity".into(),
            title: "Popularity band × resource class and high-risk kinds".into(),
            caption: format!("{cap} Bands: npm downloads per month; PyPI rank among the 15,000 most downloaded packages (`listed` = outside them); stars when the list gives stars; `unknown` when the list gives nothing. High-risk: `sys.shell`, `sys.eval`, `mem.*`. Last column: ok/opaque/error."),
            columns: cols(&["band", "analysed", "network", "system", "file", "memory", "sys.shell", "sys.eval", "mem.*", "any high-risk", "intensity mean", "ok/opaque/error"]),
            rows,
            figures: vec![fig],
        });
    }

    // --- Language and SDK.
    for (id, title, pick, none_label) in [
        (
            "languages",
            "Per language",
            (|s: &Srv| s.languages.clone()) as fn(&Srv) -> Vec<String>,
            "(no source parsed)",
        ),
        (
            "sdk",
            "Per MCP SDK",
            |s: &Srv| s.sdk.clone(),
            "(no MCP SDK imported)",
        ),
    ] {
        let mut by: BTreeMap<String, Vec<&Srv>> = BTreeMap::new();
        for s in &analysed {
            let keys = pick(s);
            if keys.is_empty() {
                by.entry(none_label.to_string()).or_default().push(s);
            }
            for k in keys {
                by.entry(k).or_default().push(s);
            }
        }
        let mut v: Vec<(String, Vec<&Srv>)> = by.into_iter().collect();
        v.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
        let rows = v
            .iter()
            .map(|(k, group)| {
                let d = group.len() as u64;
                let mut row = vec![Cell::text(k.clone()), Cell::Int(d), share(d, n)];
                for r in Resource::ALL {
                    row.push(share(group.iter().filter(|s| s.has(r)).count() as u64, d));
                }
                row.push(share(
                    group.iter().filter(|s| s.high_risk("any")).count() as u64,
                    d,
                ));
                row.push(Cell::Num(mean(
                    &group.iter().map(|s| s.call_sites).collect::<Vec<_>>(),
                )));
                row
            })
            .collect();
        tables.push(Table {
            id: id.into(),
            title: title.into(),
            caption: format!("{cap} A server written in several languages (or importing several SDKs) counts in each row."),
            columns: cols(&[if id == "sdk" { "sdk" } else { "language" }, "servers", "share", "network", "system", "file", "memory", "any high-risk", "intensity mean"]),
            rows,
            figures: vec![],
        });
    }

    // --- Most used APIs per class.
    {
        let mut st = store.conn().prepare(
            "SELECT f.resource, f.api, coalesce(f.via, ''), count(DISTINCT f.server_id) AS servers, count(*) AS sites
             FROM findings f JOIN current_servers s ON s.id = f.server_id
             WHERE f.part = 'server' AND s.status != 'error'
             GROUP BY f.resource, f.api ORDER BY servers DESC, sites DESC, f.api",
        )?;
        let it = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)? as u64,
                r.get::<_, i64>(4)? as u64,
            ))
        })?;
        let mut per: BTreeMap<usize, Vec<Vec<Cell>>> = BTreeMap::new();
        for x in it {
            let (res, api, via, sv, sites) = x?;
            let Some(r) = Resource::parse(&res) else {
                continue;
            };
            let v = per.entry(ri(r)).or_default();
            if v.len() < 10 {
                v.push(vec![
                    Cell::text(res),
                    Cell::text(api),
                    Cell::text(via),
                    Cell::Int(sv),
                    share(sv, n),
                    Cell::Int(sites),
                ]);
            }
        }
        tables.push(Table {
            id: "apis".into(),
            title: "Most used APIs per class".into(),
            caption: format!("{cap} Top 10 per class by number of servers; `via`: the library doing the privileged work."),
            columns: cols(&["class", "api", "via", "servers", "share", "call sites"]),
            rows: per.into_values().flatten().collect(),
            figures: vec![],
        });
    }

    // --- Tool level.
    {
        let mut st = store.conn().prepare(
            "SELECT t.network, t.system, t.file, t.memory, t.kinds, t.handler_found FROM tools t JOIN current_servers s ON s.id = t.server_id
             WHERE t.entry = 'tool' AND s.status != 'error'",
        )?;
        let it = st.query_map([], |r| {
            Ok((
                [
                    r.get::<_, i64>(0)? != 0,
                    r.get::<_, i64>(1)? != 0,
                    r.get::<_, i64>(2)? != 0,
                    r.get::<_, i64>(3)? != 0,
                ],
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)? != 0,
            ))
        })?;
        let mut total = 0u64;
        let mut per = [0u64; 4];
        let mut any = 0u64;
        let mut high = 0u64;
        let mut no_handler = 0u64;
        let mut per_kind: BTreeMap<String, u64> = BTreeMap::new();
        for x in it {
            let (res, kinds, found) = x?;
            total += 1;
            for i in 0..4 {
                per[i] += res[i] as u64;
            }
            any += res.iter().any(|x| *x) as u64;
            if kinds
                .split_whitespace()
                .any(|k| Kind::parse(k).is_some_and(Kind::is_high_risk))
            {
                high += 1;
            }
            no_handler += !found as u64;
            for k in kinds.split_whitespace() {
                *per_kind.entry(k.to_string()).or_default() += 1;
            }
        }
        let servers_with_tools: u64 = store.conn().query_row("SELECT count(DISTINCT t.server_id) FROM tools t JOIN current_servers s ON s.id = t.server_id WHERE t.entry = 'tool' AND s.status != 'error'", [], |r| r.get::<_, i64>(0))? as u64;
        let mut rows = vec![];
        for r in Resource::ALL {
            rows.push(vec![
                Cell::text(format!("tools reaching {}", r.as_str())),
                Cell::Int(per[ri(r)]),
                share(per[ri(r)], total),
            ]);
        }
        rows.push(vec![
            Cell::text("tools reaching any class"),
            Cell::Int(any),
            share(any, total),
        ]);
        rows.push(vec![
            Cell::text("tools reaching a high-risk kind"),
            Cell::Int(high),
            share(high, total),
        ]);
        rows.push(vec![
            Cell::text("tools whose handler was not found"),
            Cell::Int(no_handler),
            share(no_handler, total),
        ]);
        rows.push(vec![Cell::text("tools"), Cell::Int(total), Cell::text("")]);
        rows.push(vec![
            Cell::text("servers with at least one tool found"),
            Cell::Int(servers_with_tools),
            share(servers_with_tools, n),
        ]);
        let labels: Vec<String> = Resource::ALL
            .iter()
            .map(|r| r.as_str().to_string())
            .collect();
        let fig = svg::hbars(
            "Tools reaching each resource class",
            &labels,
            &[(
                "share of tools".into(),
                (0..4).map(|i| frac(per[i], total)).collect(),
            )],
            nice_max(per.iter().map(|c| frac(*c, total)).fold(0.0, f64::max)),
            &pct,
        );
        tables.push(Table {
            id: "tools".into(),
            title: "Tool-level shares".into(),
            caption: format!("{cap} Over the {} MCP tools registered by analysed servers (resource and prompt handlers excluded): a tool reaches a class when some call chain from its handler ends in a privileged call.", thousands(total)),
            columns: cols(&["measure", "tools", "share"]),
            rows,
            figures: vec![fig],
        });
        let rows = Kind::ALL.iter().map(|k| {
            let c = per_kind.get(k.as_str()).copied().unwrap_or(0);
            vec![Cell::text(k.as_str()), Cell::Int(c), share(c, total)]
        });
        tables.push(Table {
            id: "tool_kinds".into(),
            title: "Tools per kind".into(),
            caption: format!("{cap} Share of the {} tools.", thousands(total)),
            columns: cols(&["kind", "tools", "share"]),
            rows: rows.collect(),
            figures: vec![],
        });
    }

    // --- Timings.
    {
        let collect: Vec<u64> = servers.iter().map(|s| s.collect_ms).collect();
        let scan: Vec<u64> = analysed.iter().map(|s| s.scan_ms).collect();
        let downloaded = servers
            .iter()
            .filter(|s| s.from_cache == Some(false))
            .count() as u64;
        let cached = servers
            .iter()
            .filter(|s| s.from_cache == Some(true))
            .count() as u64;
        let row = |name: &str, v: &[u64]| {
            vec![
                Cell::text(name),
                Cell::Int(v.len() as u64),
                Cell::Int(v.iter().sum()),
                Cell::Num(mean(v)),
                Cell::Num(median(v)),
                Cell::Num(percentile(v, 0.95)),
                Cell::Int(v.iter().copied().max().unwrap_or(0)),
            ]
        };
        tables.push(Table {
            id: "timings".into(),
            title: "Timings per server (ms)".into(),
            caption: format!("{cap} Collection: {downloaded} servers downloaded, {cached} taken from the cache (stored runs only; skipped servers keep their first timing). Scanning: analysed servers. Servers overlap in time, so totals exceed the wall time."),
            columns: cols(&["stage", "servers", "total", "mean", "median", "p95", "max"]),
            rows: vec![row("collect", &collect), row("scan", &scan)],
            figures: vec![],
        });
    }

    tables.extend(crate::values_report::tables(store, &cap)?);
    tables.extend(crate::trust_report::tables(store, &cap)?);

    let mut runs = vec![];
    {
        let mut st = store.conn().prepare("SELECT id, started_at, finished_at, input, analyser_version, total, resumed, downloaded, cached, scanned, opaque, failed, elapsed_ms FROM runs ORDER BY id")?;
        let it = st.query_map([], |r| {
            Ok(json!({"id": r.get::<_, i64>(0)?, "started_at": r.get::<_, String>(1)?, "finished_at": r.get::<_, Option<String>>(2)?, "input": r.get::<_, String>(3)?,
                "analyser_version": r.get::<_, String>(4)?, "total": r.get::<_, i64>(5)?, "resumed": r.get::<_, i64>(6)?, "downloaded": r.get::<_, i64>(7)?,
                "cached": r.get::<_, i64>(8)?, "scanned": r.get::<_, i64>(9)?, "opaque": r.get::<_, i64>(10)?, "failed": r.get::<_, i64>(11)?, "elapsed_ms": r.get::<_, Option<i64>>(12)?}))
        })?;
        for r in it {
            runs.push(r?);
        }
    }
    let analysers: Vec<String> = servers
        .iter()
        .map(|s| s.analyser.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut resources = serde_json::Map::new();
    for r in Resource::ALL {
        let c = analysed.iter().filter(|s| s.has(r)).count() as u64;
        resources.insert(
            r.as_str().into(),
            json!({"servers": c, "share": (frac(c, n) * 10_000.0).round() / 10_000.0}),
        );
    }
    // Trust grades of the assessed servers (schema v3 rows).
    let mut grades = serde_json::Map::new();
    let mut assessed = 0i64;
    {
        let mut st = store.conn().prepare(
            "SELECT t.grade, count(*) FROM trust t JOIN current_servers s ON s.id = t.server_id AND s.status != 'error' GROUP BY 1 ORDER BY 1",
        )?;
        let it = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for x in it {
            let (g, c) = x?;
            assessed += c;
            grades.insert(g, json!(c));
        }
    }
    let headline = json!({
        "servers": counts.total(), "ok": counts.ok, "opaque": counts.opaque, "error": counts.error, "analysed": n,
        "resources": resources,
        "trust": {"assessed": assessed, "grades": grades},
        "paper": {"servers": PAPER_TOTAL, "network": PAPER[0].1, "system": PAPER[1].1, "file": PAPER[2].1, "memory": PAPER[3].1},
    });
    Ok(Report {
        counts,
        tables,
        headline,
        runs,
        analysers,
    })
}

fn cols(c: &[&str]) -> Vec<String> {
    c.iter().map(|s| s.to_string()).collect()
}

fn cut(s: &str, n: usize) -> String {
    let s = s.replace(['\n', '\r', '\t'], " ");
    if s.chars().count() <= n {
        s
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// Round an axis end up to a readable share (10%, 20%, 25%, 50%, 100%).
fn nice_max(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    if v > 1.0 {
        // Not a share: round up to 1, 2 or 5 times a power of ten.
        let p = 10f64.powf(v.log10().floor());
        return [1.0, 1.2, 1.6, 2.0, 2.4, 3.0, 4.0, 6.0, 8.0, 10.0]
            .iter()
            .map(|m| m * p)
            .find(|x| *x >= v)
            .unwrap_or(v);
    }
    // Quarters of these are round percentages (1%, 2%, 5%, 10%, 15%, 20%, 25%).
    [0.04, 0.08, 0.2, 0.4, 0.6, 0.8, 1.0]
        .into_iter()
        .find(|x| *x >= v)
        .unwrap_or(1.0)
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

impl Table {
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "| {} |",
            self.columns
                .iter()
                .map(|c| md_escape(c))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let aligns: Vec<&str> = (0..self.columns.len())
            .map(|i| {
                if self
                    .rows
                    .iter()
                    .any(|r| r.get(i).is_some_and(Cell::numeric))
                {
                    "---:"
                } else {
                    "---"
                }
            })
            .collect();
        let _ = writeln!(s, "|{}|", aligns.join("|"));
        for r in &self.rows {
            let _ = writeln!(
                s,
                "| {} |",
                r.iter()
                    .map(|c| md_escape(&c.display()))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
        }
        if self.rows.is_empty() {
            let _ = writeln!(
                s,
                "| (none) |{}",
                " |".repeat(self.columns.len().saturating_sub(1))
            );
        }
        s
    }

    pub fn csv(&self) -> String {
        let mut s = String::new();
        s.push_str(
            &self
                .columns
                .iter()
                .map(|c| csv_field(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        s.push('\n');
        for r in &self.rows {
            s.push_str(
                &r.iter()
                    .map(|c| csv_field(&c.raw()))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            s.push('\n');
        }
        s
    }

    fn json(&self) -> Value {
        json!({"id": self.id, "title": self.title, "caption": self.caption, "columns": self.columns,
               "rows": self.rows.iter().map(|r| r.iter().map(Cell::json).collect::<Vec<_>>()).collect::<Vec<_>>()})
    }

    fn html(&self) -> String {
        let mut s = String::new();
        let _ = write!(
            s,
            "<p class=\"cap\">{}</p><div class=\"scroll\"><table><thead><tr>",
            html_inline(&self.caption)
        );
        let numeric: Vec<bool> = (0..self.columns.len())
            .map(|i| {
                self.rows
                    .iter()
                    .any(|r| r.get(i).is_some_and(Cell::numeric))
            })
            .collect();
        for (i, c) in self.columns.iter().enumerate() {
            let _ = write!(
                s,
                "<th{}>{}</th>",
                if numeric[i] { " class=\"n\"" } else { "" },
                svg::esc(c)
            );
        }
        s.push_str("</tr></thead><tbody>");
        for r in &self.rows {
            s.push_str("<tr>");
            for (i, c) in r.iter().enumerate() {
                let _ = write!(
                    s,
                    "<td{}>{}</td>",
                    if numeric.get(i).copied().unwrap_or(false) {
                        " class=\"n\""
                    } else {
                        ""
                    },
                    svg::esc(&c.display())
                );
            }
            s.push_str("</tr>");
        }
        if self.rows.is_empty() {
            let _ = write!(
                s,
                "<tr><td colspan=\"{}\">(none)</td></tr>",
                self.columns.len()
            );
        }
        s.push_str("</tbody></table></div>");
        s
    }
}

/// Backquoted spans in captions become `<code>`.
fn html_inline(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", svg::esc(part));
        } else {
            out.push_str(&svg::esc(part));
        }
    }
    out
}

pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl Report {
    /// The tables as Markdown, without run times: stable for a given database
    /// content (what the snapshot tests compare).
    pub fn markdown_tables(&self) -> String {
        let mut s = String::new();
        for t in &self.tables {
            let _ = writeln!(s, "## {}\n\n{}\n", t.title, t.caption);
            for i in 0..t.figures.len() {
                let _ = writeln!(s, "![{}](charts/{}.svg)\n", t.title, chart_name(&t.id, i));
            }
            s.push_str(&t.markdown());
            s.push('\n');
        }
        s
    }

    /// One paragraph: status counts and servers per class.
    pub fn headline_line(&self) -> String {
        let h = &self.headline;
        let mut s = format!(
            "{} servers measured: {} analysed ({} ok, {} opaque), {} failed.",
            thousands(self.counts.total()),
            thousands(self.counts.analysed()),
            thousands(self.counts.ok),
            thousands(self.counts.opaque),
            thousands(self.counts.error)
        );
        if self.counts.analysed() > 0 {
            let parts: Vec<String> = Resource::ALL
                .iter()
                .map(|r| {
                    format!(
                        "{} {} ({})",
                        r.as_str(),
                        thousands(h["resources"][r.as_str()]["servers"].as_u64().unwrap_or(0)),
                        pct1(h["resources"][r.as_str()]["share"].as_f64().unwrap_or(0.0))
                    )
                })
                .collect();
            let _ = write!(s, " Servers per class: {}.", parts.join(", "));
        }
        s
    }

    pub fn markdown(&self) -> String {
        let mut s = String::from("# MCP ecosystem measurement\n\n");
        let _ = writeln!(s, "{}\n", self.headline_line());
        let _ = writeln!(
            s,
            "Analyser: {}. Runs: {}.\n",
            if self.analysers.is_empty() {
                "–".to_string()
            } else {
                self.analysers.join(", ")
            },
            self.runs_line()
        );
        s.push_str(&self.markdown_tables());
        s
    }

    fn runs_line(&self) -> String {
        if self.runs.is_empty() {
            return "none".into();
        }
        self.runs
            .iter()
            .map(|r| {
                format!(
                    "#{} {} ({} s, {} servers, {} resumed)",
                    r["id"],
                    r["started_at"].as_str().unwrap_or(""),
                    r["elapsed_ms"]
                        .as_i64()
                        .map(|m| format!("{:.0}", m as f64 / 1000.0))
                        .unwrap_or("unfinished".into()),
                    r["total"],
                    r["resumed"]
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn html(&self) -> String {
        let mut s = String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>MCP ecosystem measurement</title>\n<style>\n");
        s.push_str(CSS);
        s.push_str("</style></head><body><main>\n<h1>MCP ecosystem measurement</h1>\n");
        let _ = writeln!(
            s,
            "<p class=\"lead\">{}</p>",
            svg::esc(&self.headline_line())
        );
        let _ = writeln!(
            s,
            "<p class=\"meta\">Analyser: {}. Runs: {}.</p>",
            svg::esc(&self.analysers.join(", ")),
            svg::esc(&self.runs_line())
        );
        s.push_str("<nav><ol>");
        for t in &self.tables {
            let _ = write!(
                s,
                "<li><a href=\"#{}\">{}</a></li>",
                t.id,
                svg::esc(&t.title)
            );
        }
        s.push_str("</ol></nav>\n");
        for t in &self.tables {
            let _ = writeln!(
                s,
                "<section id=\"{}\"><h2>{}</h2>",
                t.id,
                svg::esc(&t.title)
            );
            for f in &t.figures {
                let _ = writeln!(s, "<figure>{f}</figure>");
            }
            s.push_str(&t.html());
            let _ = writeln!(
                s,
                "<p class=\"csv\">Data: <a href=\"{}.csv\">{}.csv</a></p></section>",
                t.id, t.id
            );
        }
        s.push_str("</main></body></html>\n");
        s
    }

    pub fn summary_json(&self) -> Value {
        json!({
            "schema": REPORT_SCHEMA,
            "headline": self.headline,
            "analysers": self.analysers,
            "runs": self.runs,
            "tables": self.tables.iter().map(Table::json).collect::<Vec<_>>(),
        })
    }

    /// Write report.md, report.html, summary.json, one CSV per table and the
    /// charts (`charts/*.svg`, which report.md links) into `dir`.
    pub fn write(&self, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir.join("charts"))?;
        let mut written = vec![];
        let mut put = |name: &str, text: &str| -> std::io::Result<()> {
            let p = dir.join(name);
            std::fs::write(&p, text)?;
            written.push(p);
            Ok(())
        };
        put("report.md", &self.markdown())?;
        put("report.html", &self.html())?;
        put(
            "summary.json",
            &(serde_json::to_string_pretty(&self.summary_json()).unwrap_or_default() + "\n"),
        )?;
        for t in &self.tables {
            put(&format!("{}.csv", t.id), &t.csv())?;
            for (i, f) in t.figures.iter().enumerate() {
                put(&format!("charts/{}.svg", chart_name(&t.id, i)), f)?;
            }
        }
        Ok(written)
    }
}

fn chart_name(id: &str, i: usize) -> String {
    if i == 0 {
        id.to_string()
    } else {
        format!("{id}-{}", i + 1)
    }
}

const CSS: &str = "body{margin:0;background:#fafafa;color:#1d1d1f;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif}
main{max-width:1040px;margin:0 auto;padding:24px 28px 64px;background:#fff}
h1{font-size:28px;margin:8px 0 4px}h2{font-size:20px;margin:36px 0 8px;border-bottom:1px solid #e5e5e5;padding-bottom:4px}
.lead{font-size:17px}.meta{color:#666;font-size:13px}
nav ol{columns:2;font-size:14px;color:#444}nav a{color:#0a58ca;text-decoration:none}
figure{margin:12px 0;overflow-x:auto}
table{border-collapse:collapse;margin:8px 0 4px;font-size:13.5px;font-variant-numeric:tabular-nums}
.cap{color:#555;font-size:13px;margin:10px 0 4px}.scroll{overflow-x:auto}
th,td{padding:4px 10px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}td:first-child{white-space:nowrap}
th{background:#f3f5f8;font-weight:600}td.n,th.n{text-align:right}
tbody tr:nth-child(even){background:#fbfbfd}
code{background:#f1f1f4;padding:0 3px;border-radius:3px;font-size:92%}
.csv{font-size:12px;color:#777}.csv a{color:#777}
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_shares_format_for_people_and_machines() {
        assert_eq!(thousands(2562), "2,562");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(Cell::Share(Some(0.5613)).display(), "56.1%");
        assert_eq!(Cell::Share(Some(0.5613)).raw(), "0.5613");
        assert_eq!(Cell::Share(None).display(), "–");
        assert_eq!(median(&[3, 1, 2]), Some(2.0));
        assert_eq!(median(&[4, 1, 2, 3]), Some(2.5));
        assert_eq!(median(&[]), None);
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(nice_max(0.13), 0.2);
        assert_eq!(nice_max(37.0), 40.0);
        assert_eq!(nice_max(203.0), 240.0);
    }
}
