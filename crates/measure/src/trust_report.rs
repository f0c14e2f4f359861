//! The report's section on trust, read from the stored assessments (`trust`,
//! `trust_items`): grades by category and popularity band, the annotations
//! most often contradicted by the code, how many tools let the model steer a
//! shell, a program, a host, a path or code, and how many packages run code
//! at install time.

use crate::categories::Taxonomy;
use crate::popularity::{band_label, band_order};
use crate::report::{Cell, Table};
use crate::store::{Store, StoreError};
use mcpwarden_policy::trust::flows::Sink;
use std::collections::{BTreeMap, BTreeSet};

/// Grades in order, best first.
const GRADES: [char; 5] = ['A', 'B', 'C', 'D', 'F'];

/// Install kinds in the order of `docs/trust.md`.
const INSTALL_KINDS: [(&str, &str); 5] = [
    ("npm-script", "npm lifecycle script"),
    ("native-build", "native addon build (binding.gyp)"),
    ("setup-py", "setup.py code"),
    ("build-backend", "custom build backend"),
    ("binary-download", "downloaded binary"),
];

/// The newest analysed row of each source, joined to its assessment.
const ASSESSED: &str =
    "current_servers s JOIN trust t ON t.server_id = s.id AND s.status != 'error'";

fn share(n: u64, d: u64) -> Cell {
    Cell::Share((d > 0).then(|| n as f64 / d as f64))
}

fn cols(c: &[&str]) -> Vec<String> {
    c.iter().map(|s| s.to_string()).collect()
}

/// One assessed server.
struct Graded {
    registry: String,
    category: String,
    band: String,
    score: u64,
    grade: char,
}

fn load(store: &Store) -> Result<Vec<Graded>, StoreError> {
    let mut st = store.conn().prepare(&format!(
        "SELECT s.registry, s.category, s.popularity_band, t.score, t.grade FROM {ASSESSED} ORDER BY s.id"
    ))?;
    let rows = st.query_map([], |r| {
        Ok(Graded {
            registry: r.get(0)?,
            category: r.get(1)?,
            band: r.get(2)?,
            score: r.get::<_, i64>(3)?.max(0) as u64,
            grade: r.get::<_, String>(4)?.chars().next().unwrap_or('F'),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn count(store: &Store, sql: &str) -> Result<u64, StoreError> {
    Ok(store
        .conn()
        .query_row(sql, [], |r| r.get::<_, i64>(0))?
        .max(0) as u64)
}

/// A grade distribution row: label, assessed, share per grade, mean and median score.
fn grade_row(label: String, group: &[&Graded]) -> Vec<Cell> {
    let d = group.len() as u64;
    let mut row = vec![Cell::Text(label), Cell::Int(d)];
    for g in GRADES {
        row.push(share(
            group.iter().filter(|s| s.grade == g).count() as u64,
            d,
        ));
    }
    let mut scores: Vec<u64> = group.iter().map(|s| s.score).collect();
    scores.sort_unstable();
    let mean = (d > 0).then(|| scores.iter().sum::<u64>() as f64 / d as f64);
    let median = (d > 0).then(|| {
        let n = scores.len();
        if n % 2 == 1 {
            scores[n / 2] as f64
        } else {
            (scores[n / 2 - 1] + scores[n / 2]) as f64 / 2.0
        }
    });
    row.extend([Cell::Num(mean), Cell::Num(median)]);
    row
}

fn grade_columns(first: &str) -> Vec<String> {
    cols(&[
        first,
        "assessed",
        "A",
        "B",
        "C",
        "D",
        "F",
        "mean score",
        "median score",
    ])
}

/// `(item, type)` rows of `trust_items` of assessed servers, grouped.
fn items(
    store: &Store,
    select: &str,
    filter: &str,
    group: &str,
) -> Result<Vec<Vec<rusqlite::types::Value>>, StoreError> {
    let sql = format!(
        "SELECT {select} FROM trust_items i JOIN {ASSESSED} AND s.id = i.server_id
         WHERE {filter} GROUP BY {group}"
    );
    let mut st = store.conn().prepare(&sql)?;
    let n = st.column_count();
    let rows = st.query_map([], |r| {
        (0..n)
            .map(|i| r.get::<_, rusqlite::types::Value>(i))
            .collect::<Result<Vec<_>, _>>()
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn int(v: &rusqlite::types::Value) -> u64 {
    match v {
        rusqlite::types::Value::Integer(i) => (*i).max(0) as u64,
        _ => 0,
    }
}

fn text(v: &rusqlite::types::Value) -> String {
    match v {
        rusqlite::types::Value::Text(t) => t.clone(),
        _ => String::new(),
    }
}

/// The tables of the trust section; `cap` is the report's status caption.
pub fn tables(store: &Store, cap: &str) -> Result<Vec<Table>, StoreError> {
    let graded = load(store)?;
    let assessed = graded.len() as u64;
    let analysed = count(
        store,
        "SELECT count(*) FROM current_servers WHERE status != 'error'",
    )?;
    let cap = format!(
        "{cap} Assessed (`mcpwarden trust`, stored per server): {assessed} of the {analysed} analysed; a server stored before schema v3 has no assessment until it is measured again."
    );
    let mut out = vec![];

    // --- Grades by category, then by popularity band.
    {
        let tax = Taxonomy::embedded();
        let mut by: BTreeMap<&str, Vec<&Graded>> = BTreeMap::new();
        for s in &graded {
            by.entry(s.category.as_str()).or_default().push(s);
        }
        let pos = |id: &str| tax.ids().position(|x| x == id).unwrap_or(usize::MAX);
        let mut order: Vec<&str> = by.keys().copied().collect();
        order.sort_by(|a, b| {
            (*a == "other")
                .cmp(&(*b == "other"))
                .then(by[b].len().cmp(&by[a].len()))
                .then(pos(a).cmp(&pos(b)))
                .then(a.cmp(b))
        });
        let mut rows: Vec<Vec<Cell>> = order
            .iter()
            .map(|id| grade_row(tax.title(id), &by[id]))
            .collect();
        rows.push(grade_row("all".into(), &graded.iter().collect::<Vec<_>>()));
        out.push(Table {
            id: "trust_grades_category".into(),
            title: "Trust grades by category".into(),
            caption: format!("{cap} Grades of the trust score (100 minus the rubric's points; A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, F below), as shares of the category's assessed servers."),
            columns: grade_columns("category"),
            rows,
            figures: vec![],
        });

        let mut by: BTreeMap<(usize, &str), Vec<&Graded>> = BTreeMap::new();
        for s in &graded {
            by.entry((band_order(&s.band), s.band.as_str()))
                .or_default()
                .push(s);
        }
        let mut rows: Vec<Vec<Cell>> = by
            .iter()
            .map(|((_, band), group)| grade_row(band_label(band), group))
            .collect();
        rows.push(grade_row("all".into(), &graded.iter().collect::<Vec<_>>()));
        out.push(Table {
            id: "trust_grades_popularity".into(),
            title: "Trust grades by popularity band".into(),
            caption: format!("{cap} Shares of the band's assessed servers."),
            columns: grade_columns("band"),
            rows,
            figures: vec![],
        });
    }

    // --- Risky flows: tools whose arguments reach a sink, guarded or not.
    {
        let tools = count(
            store,
            &format!("SELECT count(*) FROM tools x JOIN {ASSESSED} AND s.id = x.server_id WHERE x.entry = 'tool'"),
        )?;
        // Per (server, tool, sink): unguarded when any flow of it is.
        let sql = format!(
            "SELECT type, count(*), sum(CASE WHEN unguarded > 0 THEN 1 ELSE 0 END), count(DISTINCT server_id)
               FROM (SELECT i.server_id, i.tool, i.type, sum(1 - i.guarded) AS unguarded
                       FROM trust_items i JOIN {ASSESSED} AND s.id = i.server_id
                      WHERE i.item = 'flow' GROUP BY 1, 2, 3)
              GROUP BY type"
        );
        let mut by: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
        {
            let mut st = store.conn().prepare(&sql)?;
            let it = st.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)? as u64,
                    r.get::<_, i64>(2)? as u64,
                    r.get::<_, i64>(3)? as u64,
                ))
            })?;
            for x in it {
                let (sink, n, unguarded, servers) = x?;
                by.insert(sink, (n, unguarded, servers));
            }
        }
        let any = |unguarded_only: bool| -> Result<(u64, u64), StoreError> {
            let cond = if unguarded_only {
                "AND i.guarded = 0"
            } else {
                ""
            };
            let row = store.conn().query_row(
                &format!(
                    "SELECT count(DISTINCT i.server_id || char(31) || i.tool), count(DISTINCT i.server_id)
                       FROM trust_items i JOIN {ASSESSED} AND s.id = i.server_id
                      WHERE i.item = 'flow' {cond}"
                ),
                [],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
            )?;
            Ok(row)
        };
        let mut rows = vec![];
        let row = |label: String, n: u64, unguarded: u64, servers: u64| {
            vec![
                Cell::Text(label),
                Cell::Int(n),
                share(n, tools),
                Cell::Int(unguarded),
                share(unguarded, tools),
                Cell::Int(n - unguarded),
                Cell::Int(servers),
                share(servers, assessed),
            ]
        };
        for sink in Sink::ALL {
            let (n, u, s) = by.get(sink.as_str()).copied().unwrap_or_default();
            rows.push(row(sink.as_str().to_string(), n, u, s));
        }
        let (n, servers) = any(false)?;
        let (u, _) = any(true)?;
        rows.push(row("any sink".into(), n, u, servers));
        out.push(Table {
            id: "trust_flows".into(),
            title: "Tools with risky flows, by sink".into(),
            caption: format!("{cap} Over the {tools} tools of the assessed servers: a tool counts for a sink when one of its arguments (provenance `tool-arg`) reaches it: a shell command line (`command-injection`), the program to run (`program-choice`), the host of a request (`ssrf`), a file path (`file-path`), evaluated code (`code-injection`), an unsafe deserialiser (`deserialisation`). `unguarded`: no containment check (path confinement, allow-list) was seen on the way for at least one of its flows; `guarded only`: one was seen for every flow. `servers`: share of the assessed servers."),
            columns: cols(&[
                "sink",
                "tools",
                "share of tools",
                "unguarded",
                "unguarded share",
                "guarded only",
                "servers",
                "servers share",
            ]),
            rows,
            figures: vec![],
        });
    }

    // --- Contradicted annotations: by hint, then by hint and evidence kind.
    {
        let tools_assessed = count(
            store,
            &format!("SELECT coalesce(sum(t.tools), 0) FROM {ASSESSED}"),
        )?;
        let by_hint = items(
            store,
            "i.type, count(DISTINCT i.server_id || char(31) || i.tool), count(DISTINCT i.server_id),
             count(DISTINCT CASE WHEN i.incidental = 1 THEN i.server_id || char(31) || i.tool END)",
            "i.item = 'contradiction'",
            "i.type ORDER BY 2 DESC, 1",
        )?;
        out.push(Table {
            id: "trust_contradictions".into(),
            title: "Annotations contradicted by the code".into(),
            caption: format!("{cap} A tool declares a hint (`readOnlyHint: true`, `destructiveHint: false`, `openWorldHint: false`) that its code contradicts: it writes, deletes, runs programs or sends writing requests; deletes; talks to a host beyond loopback. Shares over the {tools_assessed} tools whose handler was found. `incidental`: the contradicting call sits in own-state housekeeping (token cache, temp dir)."),
            columns: cols(&["hint", "tools", "share of tools", "servers", "servers share", "incidental"]),
            rows: by_hint
                .iter()
                .map(|r| {
                    vec![
                        Cell::Text(text(&r[0])),
                        Cell::Int(int(&r[1])),
                        share(int(&r[1]), tools_assessed),
                        Cell::Int(int(&r[2])),
                        share(int(&r[2]), assessed),
                        Cell::Int(int(&r[3])),
                    ]
                })
                .collect(),
            figures: vec![],
        });
        let by_kind = items(
            store,
            "i.type, i.kind, count(DISTINCT i.server_id || char(31) || i.tool), count(DISTINCT i.server_id)",
            "i.item = 'contradiction'",
            "i.type, i.kind ORDER BY 3 DESC, 1, 2 LIMIT 25",
        )?;
        out.push(Table {
            id: "trust_contradiction_kinds".into(),
            title: "Contradicted annotations by the kind of evidence".into(),
            caption: format!("{cap} The kind of the call that contradicts the hint (`fs.delete` against `readOnlyHint: true`), most common first."),
            columns: cols(&["hint", "evidence kind", "tools", "servers"]),
            rows: by_kind
                .iter()
                .map(|r| {
                    vec![
                        Cell::Text(text(&r[0])),
                        Cell::Text(text(&r[1])),
                        Cell::Int(int(&r[2])),
                        Cell::Int(int(&r[3])),
                    ]
                })
                .collect(),
            figures: vec![],
        });
    }

    // --- Install-time code, by kind and registry.
    {
        let per_registry =
            |registry: &str| graded.iter().filter(|s| s.registry == registry).count() as u64;
        let (npm, pypi) = (per_registry("npm"), per_registry("pypi"));
        // (server, registry, type) of every install item that runs.
        let mut st = store.conn().prepare(&format!(
            "SELECT DISTINCT i.server_id, s.registry, i.type, i.scored FROM trust_items i JOIN {ASSESSED} AND s.id = i.server_id
              WHERE i.item = 'install'"
        ))?;
        let found: Vec<(i64, String, String, bool)> = st
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? != 0))
            })?
            .collect::<Result<_, _>>()?;
        let servers = |pick: &dyn Fn(&str, bool) -> bool| {
            let mut all = BTreeSet::new();
            let mut by_reg: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
            for (id, reg, ty, scored) in &found {
                if pick(ty, *scored) {
                    all.insert(*id);
                    by_reg.entry(reg.as_str()).or_default().insert(*id);
                }
            }
            let n = |r: &str| by_reg.get(r).map_or(0, |s| s.len() as u64);
            (all.len() as u64, n("npm"), n("pypi"))
        };
        let row = |label: &str, (all, n, p): (u64, u64, u64)| {
            vec![
                Cell::Text(label.into()),
                Cell::Int(all),
                share(all, assessed),
                Cell::Int(n),
                share(n, npm),
                Cell::Int(p),
                share(p, pypi),
            ]
        };
        let mut rows = vec![];
        for (ty, label) in INSTALL_KINDS {
            rows.push(row(label, servers(&|t, scored| t == ty && scored)));
        }
        rows.push(row("any of these", servers(&|_, scored| scored)));
        // Listed, not counted: `prepare` of a registry tarball never runs.
        let only_prepare = {
            let runs: BTreeSet<i64> = found.iter().filter(|x| x.3).map(|x| x.0).collect();
            let ids: BTreeSet<i64> = found
                .iter()
                .filter(|x| !x.3 && !runs.contains(&x.0))
                .map(|x| x.0)
                .collect();
            let n = found
                .iter()
                .filter(|x| ids.contains(&x.0) && x.1 == "npm")
                .map(|x| x.0)
                .collect::<BTreeSet<_>>()
                .len() as u64;
            (ids.len() as u64, n, 0)
        };
        rows.push(row(
            "npm `prepare` only (not run for a registry install)",
            only_prepare,
        ));
        out.push(Table {
            id: "trust_install".into(),
            title: "Packages with install-time code".into(),
            caption: format!("{cap} Code that runs when the package is installed or first started, before any sandbox can confine it: npm `preinstall`/`install`/`postinstall` scripts, a `binding.gyp` (node-gyp), `setup.py` doing more than declaring metadata (or custom `cmdclass` commands), an in-tree or unknown `pyproject.toml` build backend, an executable or archive the code downloads. Shares over the assessed servers, npm packages ({npm}) and PyPI packages ({pypi})."),
            columns: cols(&["install-time code", "servers", "share", "npm", "npm share", "PyPI", "PyPI share"]),
            rows,
            figures: vec![],
        });
    }
    Ok(out)
}
