//! Two measurements side by side: what changed between a baseline and the
//! current results, package by package (matched by registry and name) and in
//! aggregate. A pair whose versions differ is a comparison between package
//! versions, judged like `mcpwarden diff` (privilege growth, from the stored
//! manifests); a pair of one version measured by two analysers shows what the
//! new analyser sees differently; a pair of one version and one analyser
//! (a `dir:` source whose files changed) shows what changed in the code.
//!
//! Either side is a store (a SQLite file or a PostgreSQL snapshot); the
//! baseline may be restricted to the rows of one analyser version, so one
//! store that kept the rows of an earlier analyser (a rerun by a new
//! analyser adds rows, it does not replace them) compares with itself.

use crate::report::{Cell, Table};
use crate::store::{Store, StoreError};
use mcpwarden_model::{Kind, Resource};
use mcpwarden_policy::Manifest;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Which rows of a store one side of the comparison reads.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub store: &'a Store,
    /// Only rows written by this analyser version (the newest per source);
    /// `None`: the current rows (`current_servers`).
    pub analyser: Option<&'a str>,
}

/// One package on one side.
#[derive(Clone, Debug)]
struct Pkg {
    id: i64,
    version: String,
    analyser: String,
    status: String,
    res: [bool; 4],
    kinds: BTreeSet<String>,
    call_sites: u64,
    /// Tool name → kinds it reaches.
    tools: BTreeMap<String, BTreeSet<String>>,
    /// Server-level `connect` values of the manifest.
    hosts: BTreeSet<String>,
    /// `(score, grade)` of the trust assessment, when assessed.
    grade: Option<(i64, String)>,
}

impl Pkg {
    fn analysed(&self) -> bool {
        self.status != "error"
    }
}

/// The packages of one side by `(registry, name)`, and how many rows it read.
struct Loaded {
    pkgs: BTreeMap<(String, String), Pkg>,
    analysers: BTreeSet<String>,
}

fn load(side: Side) -> Result<Loaded, StoreError> {
    let conn = side.store.conn();
    let ids: BTreeSet<i64> = match side.analyser {
        Some(a) => conn
            .prepare("SELECT max(id) FROM servers WHERE analyser_version = ?1 GROUP BY source")?
            .query_map([a], |r| r.get(0))?
            .collect::<Result<_, _>>()?,
        None => conn
            .prepare("SELECT id FROM current_servers")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?,
    };
    let mut by_id: HashMap<i64, ((String, String), Pkg)> = HashMap::new();
    let mut st = conn.prepare(
        "SELECT id, registry, name, version, analyser_version, status, network, system, file, memory, kinds, call_sites FROM servers",
    )?;
    let it = st.query_map([], |r| {
        let flag = |i: usize| -> rusqlite::Result<bool> {
            Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0) != 0)
        };
        Ok((
            (r.get::<_, String>(1)?, r.get::<_, String>(2)?),
            Pkg {
                id: r.get(0)?,
                version: r.get(3)?,
                analyser: r.get(4)?,
                status: r.get(5)?,
                res: [flag(6)?, flag(7)?, flag(8)?, flag(9)?],
                kinds: r
                    .get::<_, String>(10)?
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
                call_sites: r.get::<_, Option<i64>>(11)?.unwrap_or(0).max(0) as u64,
                tools: BTreeMap::new(),
                hosts: BTreeSet::new(),
                grade: None,
            },
        ))
    })?;
    for x in it {
        let (key, p) = x?;
        if ids.contains(&p.id) {
            by_id.insert(p.id, (key, p));
        }
    }
    let mut st = conn.prepare(
        "SELECT t.server_id, t.name, k.kind FROM tools t LEFT JOIN tool_kinds k ON k.tool_id = t.id WHERE t.entry = 'tool'",
    )?;
    let it = st.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
        ))
    })?;
    for x in it {
        let (id, tool, kind) = x?;
        if let Some((_, p)) = by_id.get_mut(&id) {
            let kinds = p.tools.entry(tool).or_default();
            kinds.extend(kind);
        }
    }
    let mut st = conn.prepare(
        "SELECT server_id, value FROM manifest_items WHERE tool = '' AND class = 'connect'",
    )?;
    let it = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    for x in it {
        let (id, host) = x?;
        if let Some((_, p)) = by_id.get_mut(&id) {
            p.hosts.insert(host);
        }
    }
    let mut st = conn.prepare("SELECT server_id, score, grade FROM trust")?;
    let it = st.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    for x in it {
        let (id, score, grade) = x?;
        if let Some((_, p)) = by_id.get_mut(&id) {
            p.grade = Some((score, grade));
        }
    }
    // A name measured in several versions (or sources): its newest row.
    let mut pkgs: BTreeMap<(String, String), Pkg> = BTreeMap::new();
    for (key, p) in by_id.into_values() {
        match pkgs.get(&key) {
            Some(q) if q.id > p.id => {}
            _ => {
                pkgs.insert(key, p);
            }
        }
    }
    let analysers = pkgs.values().map(|p| p.analyser.clone()).collect();
    Ok(Loaded { pkgs, analysers })
}

fn manifest(store: &Store, id: i64) -> Option<Manifest> {
    let doc: String = store
        .conn()
        .query_row(
            "SELECT doc FROM manifests WHERE server_id = ?1",
            [id],
            |r| r.get(0),
        )
        .ok()?;
    Manifest::from_json(&doc).ok()
}

/// `+a +b -c`: what the new side has that the old lacks, and the reverse.
fn delta(old: &BTreeSet<String>, new: &BTreeSet<String>) -> String {
    let mut parts: Vec<String> = new.difference(old).map(|x| format!("+{x}")).collect();
    parts.extend(old.difference(new).map(|x| format!("-{x}")));
    parts.join(" ")
}

fn grade_text(g: &Option<(i64, String)>) -> String {
    match g {
        Some((score, grade)) => format!("{grade} ({score})"),
        None => "–".into(),
    }
}

/// How a matched pair was compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum How {
    Versions,
    Analysers,
    Same,
}

/// What changed in one matched package.
struct Changed {
    package: String,
    how: How,
    compared: String,
    status: String,
    grade: String,
    grade_worse: Option<bool>,
    kinds: String,
    tools: String,
    tool_kinds: String,
    hosts: String,
    /// Versions only: whether privileges grew, and the server-level items
    /// added beyond hosts.
    privileges: Option<(bool, Vec<String>)>,
    /// Versions only: the manifests differ at all (an item added or removed,
    /// for the server or a tool).
    drifted: bool,
}

impl Changed {
    fn any(&self) -> bool {
        self.drifted
            || [
                &self.status,
                &self.grade,
                &self.kinds,
                &self.tools,
                &self.tool_kinds,
                &self.hosts,
            ]
            .iter()
            .any(|s| !s.is_empty())
    }

    fn row(&self) -> Vec<Cell> {
        let privileges = match &self.privileges {
            None => String::new(),
            Some((grew, added)) => {
                let verdict = if *grew { "grew" } else { "did not grow" };
                if added.is_empty() {
                    verdict.to_string()
                } else {
                    format!("{verdict}: {}", added.join(", "))
                }
            }
        };
        [
            &self.package,
            &self.compared,
            &self.status,
            &self.grade,
            &self.kinds,
            &self.tools,
            &self.tool_kinds,
            &self.hosts,
            &privileges,
        ]
        .into_iter()
        .map(|s| Cell::Text(s.clone()))
        .collect()
    }
}

fn compare_pair(
    package: String,
    old: &Pkg,
    new: &Pkg,
    old_store: &Store,
    new_store: &Store,
) -> Changed {
    let how = if !old.version.is_empty() && !new.version.is_empty() && old.version != new.version {
        How::Versions
    } else if old.analyser != new.analyser {
        How::Analysers
    } else {
        How::Same
    };
    let compared = match how {
        How::Versions => format!("version {} → {}", old.version, new.version),
        How::Analysers => format!("analyser {} → {}", old.analyser, new.analyser),
        How::Same => "same version and analyser".to_string(),
    };
    let status = if old.status != new.status {
        format!("{} → {}", old.status, new.status)
    } else {
        String::new()
    };
    // A side without an assessment (stored before schema v3) says nothing.
    let grade = match (&old.grade, &new.grade) {
        (Some(a), Some(b)) if a.1 != b.1 => {
            format!("{} → {}", grade_text(&old.grade), grade_text(&new.grade))
        }
        _ => String::new(),
    };
    let grade_worse = match (&old.grade, &new.grade) {
        (Some(a), Some(b)) if a.1 != b.1 => Some(b.1 > a.1),
        _ => None,
    };
    let names = |p: &Pkg| p.tools.keys().cloned().collect::<BTreeSet<_>>();
    let mut tool_kinds = vec![];
    for (name, kinds) in &new.tools {
        if let Some(before) = old.tools.get(name) {
            let d = delta(before, kinds);
            if !d.is_empty() {
                tool_kinds.push(format!("{name} {d}"));
            }
        }
    }
    // Like `mcpwarden diff`, from the stored manifests: only between versions.
    let drift = (how == How::Versions)
        .then(|| {
            let (a, b) = (manifest(old_store, old.id)?, manifest(new_store, new.id)?);
            Some(mcpwarden_policy::trust::diff::diff(&a, &b))
        })
        .flatten();
    let drifted = drift.as_ref().is_some_and(|d| {
        !(d.server.is_empty()
            && d.tools.is_empty()
            && d.added_tools.is_empty()
            && d.removed_tools.is_empty())
    });
    let privileges = drift.map(|d| {
        let added: Vec<String> = d
            .server
            .added
            .into_iter()
            .filter(|i| !i.starts_with("connect "))
            .collect();
        (d.privileges_grew, added)
    });
    Changed {
        package,
        how,
        compared,
        status,
        grade,
        grade_worse,
        kinds: delta(&old.kinds, &new.kinds),
        tools: delta(&names(old), &names(new)),
        tool_kinds: tool_kinds.join("; "),
        hosts: delta(&old.hosts, &new.hosts),
        privileges,
        drifted,
    }
}

fn cols(c: &[&str]) -> Vec<String> {
    c.iter().map(|s| s.to_string()).collect()
}

/// The numbers of one side that the totals table compares.
fn totals(l: &Loaded) -> Vec<(String, u64)> {
    let pk: Vec<&Pkg> = l.pkgs.values().collect();
    let analysed: Vec<&&Pkg> = pk.iter().filter(|p| p.analysed()).collect();
    let mut out = vec![
        ("packages".to_string(), pk.len() as u64),
        ("analysed (ok + opaque)".to_string(), analysed.len() as u64),
        (
            "failed".to_string(),
            pk.iter().filter(|p| !p.analysed()).count() as u64,
        ),
    ];
    for (i, r) in Resource::ALL.iter().enumerate() {
        out.push((
            format!("servers using {}", r.as_str()),
            analysed.iter().filter(|p| p.res[i]).count() as u64,
        ));
    }
    out.push((
        "tools".into(),
        analysed.iter().map(|p| p.tools.len() as u64).sum(),
    ));
    out.push((
        "findings (privileged call sites)".into(),
        analysed.iter().map(|p| p.call_sites).sum(),
    ));
    for g in ["A", "B", "C", "D", "F"] {
        out.push((
            format!("servers graded {g}"),
            analysed
                .iter()
                .filter(|p| p.grade.as_ref().is_some_and(|x| x.1 == g))
                .count() as u64,
        ));
    }
    for k in Kind::ALL {
        out.push((
            format!("tools reaching {}", k.as_str()),
            analysed
                .iter()
                .flat_map(|p| p.tools.values())
                .filter(|kinds| kinds.contains(k.as_str()))
                .count() as u64,
        ));
    }
    out
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

/// The comparison tables: overview, totals, and package by package.
/// `base_name` and `cur_name` say where each side comes from (for captions).
pub fn tables(
    base: Side,
    cur: Side,
    base_name: &str,
    cur_name: &str,
) -> Result<Vec<Table>, StoreError> {
    let old = load(base)?;
    let new = load(cur)?;
    let keys: BTreeSet<&(String, String)> = old.pkgs.keys().chain(new.pkgs.keys()).collect();
    let mut changed = vec![];
    let (mut added, mut removed, mut matched) = (vec![], vec![], vec![]);
    for key in keys {
        let package = format!("{}:{}", key.0, key.1);
        match (old.pkgs.get(key), new.pkgs.get(key)) {
            (Some(a), Some(b)) => {
                let c = compare_pair(package, a, b, base.store, cur.store);
                matched.push(c.how);
                if c.any() {
                    changed.push(c);
                }
            }
            (None, Some(b)) => added.push((package, b)),
            (Some(a), None) => removed.push((package, a)),
            (None, None) => {}
        }
    }
    let desc = |l: &Loaded| {
        let a: Vec<&str> = l.analysers.iter().map(String::as_str).collect();
        format!(
            "{} packages, analyser {}",
            l.pkgs.len(),
            if a.is_empty() {
                "–".to_string()
            } else {
                a.join(", ")
            }
        )
    };
    let cap = format!(
        "Baseline: {base_name}{} ({}); current: {cur_name} ({}). Packages are matched by registry and name; a name measured in several versions on one side counts with its newest row.",
        base.analyser
            .map(|a| format!(", rows of analyser {a}"))
            .unwrap_or_default(),
        desc(&old),
        desc(&new)
    );
    let mut out = vec![];

    // --- Overview.
    {
        let n = |pred: &dyn Fn(&Changed) -> bool| changed.iter().filter(|c| pred(c)).count() as u64;
        let how = |h: How| matched.iter().filter(|x| **x == h).count() as u64;
        let rows: Vec<(&str, u64)> = vec![
            ("matched by name", matched.len() as u64),
            ("… compared between versions", how(How::Versions)),
            ("… compared between analysers", how(How::Analysers)),
            ("… same version and analyser", how(How::Same)),
            ("changed", changed.len() as u64),
            ("… status changed", n(&|c| !c.status.is_empty())),
            ("… kinds changed", n(&|c| !c.kinds.is_empty())),
            ("… tools added or removed", n(&|c| !c.tools.is_empty())),
            ("… tool kinds changed", n(&|c| !c.tool_kinds.is_empty())),
            ("… hosts changed", n(&|c| !c.hosts.is_empty())),
            ("… grade worse", n(&|c| c.grade_worse == Some(true))),
            ("… grade better", n(&|c| c.grade_worse == Some(false))),
            (
                "… privileges grew (versions)",
                n(&|c| c.privileges.as_ref().is_some_and(|p| p.0)),
            ),
            ("added (current only)", added.len() as u64),
            ("removed (baseline only)", removed.len() as u64),
        ];
        out.push(Table {
            id: "compare_overview".into(),
            title: "Compared with the baseline".into(),
            caption: format!("{cap} A matched package has changed when its status, kinds, tools, the kinds a tool reaches, the hosts it contacts or its trust grade differ, or (between versions) when its privileges differ as `mcpwarden diff` sees them."),
            columns: cols(&["packages", "count"]),
            rows: rows
                .into_iter()
                .map(|(what, n)| vec![Cell::Text(what.into()), Cell::Int(n)])
                .collect(),
            figures: vec![],
        });
    }

    // --- Totals side by side.
    {
        let (a, b) = (totals(&old), totals(&new));
        let rows = a
            .iter()
            .zip(b.iter())
            .filter(|((name, x), (_, y))| {
                !(name.starts_with("tools reaching") && *x == 0 && *y == 0)
            })
            .map(|((name, x), (_, y))| {
                vec![
                    Cell::Text(name.clone()),
                    Cell::Int(*x),
                    Cell::Int(*y),
                    Cell::Text(signed(*y as i64 - *x as i64)),
                ]
            })
            .collect();
        out.push(Table {
            id: "compare_totals".into(),
            title: "Totals, baseline and current".into(),
            caption: format!("{cap} Over each side's packages (added and removed ones included); servers, tools and findings of analysed packages; tools reaching a kind are listed when either side has one."),
            columns: cols(&["measure", "baseline", "current", "change"]),
            rows,
            figures: vec![],
        });
    }

    // --- Package by package.
    {
        let mut rows: Vec<Vec<Cell>> = changed.iter().map(Changed::row).collect();
        let plus = |s: &BTreeSet<String>, sign: &str| {
            s.iter()
                .map(|x| format!("{sign}{x}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        for (what, list, sign) in [("added", &added, "+"), ("removed", &removed, "-")] {
            for (package, p) in list {
                let tools: BTreeSet<String> = p.tools.keys().cloned().collect();
                let version = if p.version.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", p.version)
                };
                rows.push(
                    [
                        package.clone(),
                        format!("{what}{version}"),
                        p.status.clone(),
                        grade_text(&p.grade),
                        plus(&p.kinds, sign),
                        plus(&tools, sign),
                        String::new(),
                        plus(&p.hosts, sign),
                        String::new(),
                    ]
                    .into_iter()
                    .map(Cell::Text)
                    .collect(),
                );
            }
        }
        out.push(Table {
            id: "compare_packages".into(),
            title: "What changed, package by package".into(),
            caption: format!("{cap} `+` present only in the current results, `-` only in the baseline. Tool kinds: per tool present on both sides. Hosts: the manifest's server-level connections (`*`: chosen at run time). Privileges (between versions): whether the new version may do anything the old could not (a new privileged tool, or a tool or the startup code gaining a kind, host, program, environment variable, path or native library), with the server-level items it gained beyond hosts."),
            columns: cols(&["package", "compared", "status", "grade", "kinds", "tools", "tool kinds", "hosts", "privileges"]),
            rows,
            figures: vec![],
        });
    }
    Ok(out)
}
