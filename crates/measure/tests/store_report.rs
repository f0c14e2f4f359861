//! The store on a real SQLite file, queried back with SQL; resumability
//! semantics; the report built from a fixture database (Markdown tables
//! snapshotted); exports.

use mcpwarden_measure::export::{export, ExportTable, Format};
use mcpwarden_measure::popularity;
use mcpwarden_measure::report;
use mcpwarden_measure::store::{ErrorInfo, ServerRecord, Store};
use mcpwarden_model::*;
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const ANALYSER: &str = "mcpwarden test+cat.0";

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mcpwarden-measure-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn finding(kind: Kind, api: &str, reach: Reach, part: Part, tools: &[&str]) -> Finding {
    Finding {
        resource: kind.default_resource(),
        kind,
        api: api.into(),
        via: None,
        file: "src/index.ts".into(),
        line: 1,
        column: 1,
        value: None,
        reach,
        tools: tools.iter().map(|t| t.to_string()).collect(),
        part,
        confidence: Confidence::High,
        function: String::new(),
        values: vec![],
        guards: vec![],
    }
}

/// A report as the scanner would produce it, from findings and tools.
fn server(
    findings: Vec<Finding>,
    tools: &[(&str, &[Kind])],
    lang: &str,
    sdk: &str,
    opaque: bool,
) -> ServerReport {
    let mut r = ServerReport {
        languages: vec![lang.into()],
        sdk: if sdk.is_empty() {
            vec![]
        } else {
            vec![sdk.into()]
        },
        ..Default::default()
    };
    for f in &findings {
        if f.part == Part::Server {
            r.resources.insert(f.resource);
            if f.reach != Reach::Unreachable {
                r.reachable_resources.insert(f.resource);
            }
            if !r.kinds.contains(&f.kind) {
                r.kinds.push(f.kind);
            }
        }
    }
    r.kinds.sort();
    r.findings = findings;
    r.tools = tools
        .iter()
        .map(|(name, kinds)| {
            let mut resources: Vec<Resource> = kinds.iter().map(|k| k.default_resource()).collect();
            resources.sort();
            resources.dedup();
            Tool {
                name: name.to_string(),
                file: "src/index.ts".into(),
                line: 3,
                entry: Some(EntryKind::Tool),
                resources,
                kinds: kinds.to_vec(),
                chains: vec![],
                handler_found: true,
                description: None,
                annotations: None,
                resolution: None,
            }
        })
        .collect();
    if opaque {
        r.opaque = vec!["bin/native-helper".into()];
    }
    r.skipped = vec![Skipped {
        path: "node_modules".into(),
        reason: "dependency".into(),
    }];
    r.stats.files = 3;
    r.stats.parsed = 3;
    r
}

fn record(
    source: &str,
    name: &str,
    category: &str,
    pop: &str,
    report: Option<ServerReport>,
) -> ServerRecord {
    let registry = source.split(':').next().unwrap().to_string();
    let version = source
        .rsplit_once(['@', '='])
        .map(|(_, v)| v.to_string())
        .unwrap_or_default();
    let cls = mcpwarden_measure::categories::Taxonomy::embedded().classify(
        if category.is_empty() {
            None
        } else {
            Some(category)
        },
        &mcpwarden_measure::categories::Text {
            name,
            summary: None,
            keywords: &[],
            readme: None,
        },
    );
    ServerRecord {
        source: source.into(),
        registry: registry.clone(),
        name: name.into(),
        version,
        category: cls.category,
        category_source: cls.source.into(),
        category_confidence: cls.confidence,
        popularity: popularity::classify(
            &registry,
            if pop.is_empty() { None } else { Some(pop) },
            &BTreeMap::new(),
        ),
        error: if report.is_none() {
            Some(ErrorInfo {
                stage: "collect".into(),
                kind: "not-found".into(),
                message: format!("{name}: no such package"),
            })
        } else {
            None
        },
        collect_ms: 100,
        scan_ms: if report.is_some() { 20 } else { 0 },
        digest: Some("sha256:00".into()),
        from_cache: report.as_ref().map(|_| false),
        list_line: Some(2),
        metadata: serde_json::json!({"extra": {"summary": "x"}}),
        report,
        assessed: None,
    }
}

/// Eight servers covering every status, several categories and bands.
fn fixture_records() -> Vec<ServerRecord> {
    use Kind::*;
    use Part::Server as S;
    use Reach::*;
    vec![
        record(
            "npm:git-helper@1.0.0",
            "git-helper",
            "",
            "150000",
            Some(server(
                vec![
                    finding(SysShell, "child_process.exec", Tool, S, &["run"]),
                    finding(SysEnv, "process.env", Startup, S, &[]),
                    finding(FsRead, "fs.readFile", Tool, S, &["read"]),
                    finding(NetHttp, "fetch", Tool, Part::Test, &[]),
                ],
                &[("run", &[SysShell]), ("read", &[FsRead])],
                "typescript",
                "@modelcontextprotocol/sdk",
                false,
            )),
        ),
        record(
            "npm:weather-maps@2.0.0",
            "weather-maps",
            "",
            "5000",
            Some(server(
                vec![
                    finding(NetHttp, "fetch", Tool, S, &["forecast"]),
                    finding(NetHttp, "axios.get", Tool, S, &["forecast"]),
                    finding(SysEnv, "process.env", Startup, S, &[]),
                ],
                &[("forecast", &[NetHttp])],
                "typescript",
                "@modelcontextprotocol/sdk",
                false,
            )),
        ),
        record(
            "pypi:postgres-mcp==0.3",
            "postgres-mcp",
            "",
            "2350",
            Some(server(
                vec![
                    finding(DbClient, "psycopg.connect", Tool, S, &["query"]),
                    finding(SysEval, "eval", Unreachable, S, &[]),
                ],
                &[("query", &[DbClient])],
                "python",
                "mcp",
                false,
            )),
        ),
        record(
            "pypi:clock-mcp==1.0",
            "clock-mcp",
            "",
            "listed",
            Some(server(vec![], &[("now", &[])], "python", "mcp", false)),
        ),
        record(
            "npm:native-bridge@0.1.0",
            "native-bridge",
            "Developer Tools",
            "50",
            Some(server(
                vec![
                    finding(MemNative, "ffi-napi.Library", Startup, S, &[]),
                    finding(SysExec, "child_process.spawn", Tool, S, &["launch"]),
                ],
                &[("launch", &[SysExec])],
                "javascript",
                "",
                true,
            )),
        ),
        record(
            "npm:empty-native@0.0.1",
            "empty-native",
            "",
            "",
            Some(server(vec![], &[], "javascript", "", true)),
        ),
        record("npm:gone-package@9.9.9", "gone-package", "", "700", None),
        record(
            "git:https://example.org/mail.git@v1",
            "mail-mcp",
            "",
            "42",
            Some(server(
                vec![
                    finding(NetConnect, "nodemailer.createTransport", Tool, S, &["send"]),
                    finding(FsWrite, "fs.writeFile", Tool, Part::Script, &[]),
                ],
                &[("send", &[NetConnect])],
                "typescript",
                "@modelcontextprotocol/sdk",
                false,
            )),
        ),
    ]
}

fn fixture_db(name: &str) -> (PathBuf, PathBuf) {
    let d = tmpdir(name);
    let db = d.join("results.sqlite");
    let mut store = Store::open(&db, ANALYSER).unwrap();
    let run = store
        .begin_run("fixture.tsv", &serde_json::json!({}))
        .unwrap();
    store.write(run, &fixture_records()).unwrap();
    (d, db)
}

#[test]
fn a_real_scan_round_trips_through_sqlite() {
    let d = tmpdir("roundtrip");
    let db = d.join("r.sqlite");
    let rep = mcpwarden_analyze::scan(&repo().join("examples/notes-server"), &Default::default())
        .unwrap();
    let server_sites = rep
        .findings
        .iter()
        .filter(|f| f.part == Part::Server)
        .count() as i64;
    let mut store = Store::open(&db, ANALYSER).unwrap();
    let run = store
        .begin_run("x", &serde_json::json!({"jobs": 2}))
        .unwrap();
    let mut rec = record(
        "dir:examples/notes-server",
        "notes-server",
        "",
        "",
        Some(rep.clone()),
    );
    rec.version = "0.1.0".into();
    store.write(run, &[rec]).unwrap();
    drop(store);

    // What a user does: open the file with SQL.
    let c = Connection::open(&db).unwrap();
    let (status, network, system, file, memory, tools, sites): (
        String,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
    ) = c
        .query_row(
            "SELECT status, network, system, file, memory, tool_count, call_sites FROM servers",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            },
        )
        .unwrap();
    assert_eq!(
        (status.as_str(), network, system, file, memory),
        ("ok", 1, 1, 1, 0)
    );
    assert_eq!(tools, 4);
    assert_eq!(sites, server_sites);
    let n: i64 = c
        .query_row(
            "SELECT count(*) FROM findings WHERE part = 'server'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, server_sites);
    let total: i64 = c
        .query_row("SELECT count(*) FROM findings", [], |r| r.get(0))
        .unwrap();
    assert_eq!(total as usize, rep.findings.len());
    let kinds: String = c.query_row("SELECT group_concat(k.kind, ' ') FROM tool_kinds k JOIN tools t ON t.id = k.tool_id WHERE t.name = 'history'", [], |r| r.get(0)).unwrap();
    assert_eq!(kinds, "sys.exec");
    // Tool lists are JSON, usable with sqlite's json functions.
    let via_tool: i64 = c
        .query_row(
            "SELECT count(*) FROM findings f, json_each(f.tools) j WHERE j.value = 'clip_url'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(via_tool >= 1);
    let v: String = c
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(v, "3");
    let with_handler: i64 = c
        .query_row("SELECT tools_with_handler FROM servers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(with_handler, 4);
    let opts: String = c
        .query_row("SELECT options FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(opts, r#"{"jobs":2}"#);
    // The manifest is stored whole and as items: `history` runs git, a constant.
    let doc: String = c
        .query_row("SELECT doc FROM manifests", [], |r| r.get(0))
        .unwrap();
    let m = mcpwarden_policy::Manifest::from_json(&doc).unwrap();
    assert_eq!(m.tools.len(), 4);
    let git: (String, String) = c
        .query_row(
            "SELECT value, provenance FROM manifest_items WHERE tool = 'history' AND class = 'exec'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(git, ("git".to_string(), "const".to_string()));
    let url: String = c
        .query_row(
            "SELECT provenance FROM manifest_items WHERE tool = 'clip_url' AND class = 'connect'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(url, "tool-arg");
    // The report's values section reads them.
    let store = Store::open(&db, ANALYSER).unwrap();
    let report = mcpwarden_measure::report::build(&store).unwrap();
    let chosen = report
        .tables
        .iter()
        .find(|t| t.id == "values_model_chosen")
        .unwrap();
    let md = format!("{:?}", chosen.rows);
    assert!(md.contains("hosts") && md.contains("Int(1)"), "{md}");
    let programs = report
        .tables
        .iter()
        .find(|t| t.id == "values_programs")
        .unwrap();
    assert!(format!("{:?}", programs.rows).contains("\"git\""));
}

#[test]
fn stored_results_are_skipped_errors_retried_and_rescans_replace() {
    let (_d, db) = fixture_db("resume");
    let store = Store::open(&db, ANALYSER).unwrap();
    assert!(store
        .is_stored("npm:git-helper@1.0.0", Some("1.0.0"))
        .unwrap());
    assert!(
        store
            .is_stored("npm:native-bridge@0.1.0", Some("0.1.0"))
            .unwrap(),
        "opaque is a result"
    );
    assert!(!store
        .is_stored("npm:git-helper@1.0.0", Some("2.0.0"))
        .unwrap());
    assert!(
        !store
            .is_stored("npm:gone-package@9.9.9", Some("9.9.9"))
            .unwrap(),
        "errors are retried"
    );
    assert!(!store.is_stored("npm:unknown", None).unwrap());
    drop(store);
    // Another analyser version sees nothing stored.
    let other = Store::open(&db, "mcpwarden other").unwrap();
    assert!(!other
        .is_stored("npm:git-helper@1.0.0", Some("1.0.0"))
        .unwrap());
    drop(other);

    // Writing the same server again replaces it, children included; a success replaces an error.
    let mut store = Store::open(&db, ANALYSER).unwrap();
    let run = store.begin_run("again", &serde_json::json!({})).unwrap();
    let recs = fixture_records();
    let mut fixed = recs[6].clone();
    fixed.error = None;
    fixed.report = Some(server(vec![], &[], "python", "", false));
    store.write(run, &[recs[0].clone(), fixed]).unwrap();
    drop(store);
    let c = Connection::open(&db).unwrap();
    let q = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(q("SELECT count(*) FROM servers"), 8);
    assert_eq!(
        q("SELECT count(*) FROM servers WHERE source = 'npm:git-helper@1.0.0'"),
        1
    );
    assert_eq!(q("SELECT count(*) FROM findings f JOIN servers s ON s.id = f.server_id WHERE s.source = 'npm:git-helper@1.0.0'"), 4);
    assert_eq!(
        q("SELECT count(*) FROM findings WHERE server_id NOT IN (SELECT id FROM servers)"),
        0,
        "no orphans"
    );
    assert_eq!(
        q("SELECT count(*) FROM tool_kinds WHERE server_id NOT IN (SELECT id FROM servers)"),
        0
    );
    assert_eq!(q("SELECT count(*) FROM servers WHERE status = 'error'"), 0);
}

#[test]
fn a_store_of_another_schema_version_is_refused() {
    let (_d, db) = fixture_db("schema");
    Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
            [],
        )
        .unwrap();
    let e = Store::open(&db, ANALYSER).err().unwrap().to_string();
    assert!(e.contains("schema v99") && e.contains("v3"), "{e}");
    assert!(Store::open_read(&db).is_err());
    let not_ours = _d.join("other.sqlite");
    Connection::open(&not_ours)
        .unwrap()
        .execute("CREATE TABLE t(x)", [])
        .unwrap();
    assert!(Store::open(&not_ours, ANALYSER)
        .err()
        .unwrap()
        .to_string()
        .contains("not an mcpwarden"));
    assert!(Store::open_read(&_d.join("missing.sqlite"))
        .err()
        .unwrap()
        .to_string()
        .contains("no such database"));
}

/// A v1 file (before `servers.tools_with_handler`) is read as is and
/// upgraded in place when opened for writing; its old rows say NULL (unknown).
#[test]
fn a_v1_store_is_read_and_upgraded() {
    let (_d, db) = fixture_db("v1");
    let c = Connection::open(&db).unwrap();
    c.execute_batch(
        "ALTER TABLE servers DROP COLUMN tools_with_handler;
         UPDATE meta SET value = '1' WHERE key = 'schema_version';",
    )
    .unwrap();
    drop(c);
    Store::open_read(&db).unwrap();
    drop(Store::open(&db, ANALYSER).unwrap());
    let c = Connection::open(&db).unwrap();
    let v: String = c
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(v, "3");
    let unknown: i64 = c
        .query_row(
            "SELECT count(*) FROM servers WHERE tools_with_handler IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let all: i64 = c
        .query_row("SELECT count(*) FROM servers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(unknown, all);
}

#[test]
fn report_tables_from_a_fixture_database() {
    let (d, db) = fixture_db("report");
    let store = Store::open_read(&db).unwrap();
    let rep = report::build(&store).unwrap();
    assert_eq!(
        (rep.counts.ok, rep.counts.opaque, rep.counts.error),
        (5, 2, 1)
    );
    insta::assert_snapshot!("fixture_report_tables", rep.markdown_tables());

    let out = d.join("out");
    let files = rep.write(&out).unwrap();
    for f in [
        "report.md",
        "report.html",
        "summary.json",
        "resources.csv",
        "paper.csv",
        "categories.csv",
        "popularity.csv",
        "charts/resources.svg",
    ] {
        assert!(out.join(f).is_file(), "{f} missing; wrote {files:?}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<svg"));
    assert!(!html.contains("<script"), "no JavaScript");
    assert!(
        !html.contains("src=\"http"),
        "nothing loaded from the network"
    );
    assert_eq!(html.matches("<table>").count(), rep.tables.len());
    // Every table caption states the status counts.
    for t in &rep.tables {
        assert!(
            t.caption.contains("5 ok")
                && t.caption.contains("2 opaque")
                && t.caption.contains("1 error"),
            "{}: {}",
            t.id,
            t.caption
        );
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["schema"], "mcpwarden/report/v1");
    assert_eq!(summary["headline"]["resources"]["network"]["servers"], 3);
    assert_eq!(summary["headline"]["paper"]["network"], 1438);
    assert_eq!(
        summary["headline"]["trust"],
        serde_json::json!({"assessed": 7, "grades": {"A": 5, "B": 1, "C": 1}})
    );
    let csv = std::fs::read_to_string(out.join("resources.csv")).unwrap();
    assert!(csv.starts_with("class,servers,share,"), "{csv}");
    assert!(csv.contains("\nnetwork,3,0.4286,"), "{csv}");
}

#[test]
fn an_empty_database_still_reports() {
    let d = tmpdir("empty");
    let db = d.join("e.sqlite");
    drop(Store::open(&db, ANALYSER).unwrap());
    let rep = report::build(&Store::open_read(&db).unwrap()).unwrap();
    assert_eq!(rep.counts.total(), 0);
    rep.write(&d.join("out")).unwrap();
    assert!(std::fs::read_to_string(d.join("out/report.md"))
        .unwrap()
        .contains("0 servers measured"));
}

#[test]
fn exports_stream_every_row() {
    let (_d, db) = fixture_db("export");
    let store = Store::open_read(&db).unwrap();
    let mut out = vec![];
    assert_eq!(
        export(&store, ExportTable::Servers, Format::Csv, &mut out).unwrap(),
        8
    );
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), 9);
    assert!(text
        .lines()
        .next()
        .unwrap()
        .starts_with("id,run_id,source,registry,name,version"));
    let mut out = vec![];
    let n = export(&store, ExportTable::Findings, Format::Jsonl, &mut out).unwrap();
    assert_eq!(n, 13);
    let first: serde_json::Value =
        serde_json::from_str(String::from_utf8(out).unwrap().lines().next().unwrap()).unwrap();
    assert_eq!(first["source"], "npm:git-helper@1.0.0");
    assert!(first["tools"].is_array(), "JSON columns stay JSON: {first}");
    let mut out = vec![];
    assert_eq!(
        export(&store, ExportTable::Tools, Format::Jsonl, &mut out).unwrap(),
        7
    );
}

// --- The trust assessment of measured packages ------------------------------

/// Six fixture servers written for the trust assessment and the manifest,
/// measured as `dir:` sources with a category and a star count each.
fn trust_list(d: &Path) -> PathBuf {
    let r = repo().canonicalize().unwrap();
    let rows = [
        (
            "tests/trust-fixtures/go-annotations",
            "Developer Tools",
            "5",
        ),
        ("tests/trust-fixtures/js-install", "Developer Tools", "50"),
        ("tests/trust-fixtures/py-flows", "developer-tools", "5"),
        (
            "tests/trust-fixtures/js-lowlevel-list",
            "File Systems",
            "500",
        ),
        ("tests/trust-fixtures/ts-fixed-read", "file-systems", "5000"),
        ("tests/fixtures/manifest/py-fastmcp", "file-systems", "20"),
    ];
    let mut text = String::from("source\tcategory\tstars\n");
    for (dir, cat, stars) in rows {
        text.push_str(&format!("dir:{}\t{cat}\t{stars}\n", r.join(dir).display()));
    }
    let list = d.join("trust.tsv");
    std::fs::write(&list, text).unwrap();
    list
}

/// `mcpwarden measure LIST --db DB --offline`, through the library.
fn measure_list(db: &Path, list: &Path, cache: &Path) -> mcpwarden_measure::run::Summary {
    let mut store = Store::open(db, ANALYSER).unwrap();
    let mut cfg = mcpwarden_collect::Config::from_env();
    cfg.cache_dir = cache.to_path_buf();
    cfg.offline = true;
    let opts = mcpwarden_measure::run::RunOptions {
        jobs: 2,
        rescan: false,
        limit: None,
        scan: Default::default(),
        input: list.display().to_string(),
        options: serde_json::json!({}),
        run_key: None,
        pause: std::time::Duration::ZERO,
    };
    let entries = mcpwarden_collect::read_list(list).unwrap();
    mcpwarden_measure::run::measure(&mut store, &cfg, entries, &opts, &mut |_| {}).unwrap()
}

/// `name score grade tools flows unguarded install contradictions incidental`
/// of every assessed server, by name.
fn trust_summary(db: &Path) -> Vec<String> {
    let c = Connection::open(db).unwrap();
    let mut st = c
        .prepare(
            "SELECT s.name, t.score, t.grade, t.tools, t.flows, t.unguarded_flows, t.install, t.contradictions, t.incidental
             FROM trust t JOIN servers s ON s.id = t.server_id ORDER BY s.name",
        )
        .unwrap();
    st.query_map([], |r| {
        Ok((0..9)
            .map(|i| match r.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                v => format!("{v:?}"),
            })
            .collect::<Vec<_>>()
            .join(" "))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// `item type tool param kind guarded incidental scored file:line | detail` of one server.
fn trust_items(db: &Path, name: &str) -> Vec<String> {
    let c = Connection::open(db).unwrap();
    let mut st = c
        .prepare(
            "SELECT i.item, i.type, i.tool, i.param, i.kind, i.guarded, i.incidental, i.scored, i.file, i.line, i.detail
             FROM trust_items i JOIN servers s ON s.id = i.server_id WHERE s.name = ?1
             ORDER BY i.item, i.type, i.tool, i.file, i.line",
        )
        .unwrap();
    st.query_map([name], |r| {
        let line: Option<i64> = r.get(9)?;
        Ok(format!(
            "{} {} {} {} {} {} {} {} {}{} | {}",
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(6)?,
            r.get::<_, i64>(7)?,
            r.get::<_, String>(8)?,
            line.map(|l| format!(":{l}")).unwrap_or_default(),
            r.get::<_, String>(10)?,
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// A report table's rows as displayed (`a | b | c`).
fn table_rows(rep: &report::Report, id: &str) -> Vec<String> {
    let t = rep
        .tables
        .iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("no table {id}"));
    t.rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| c.display())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect()
}

/// What `mcpwarden trust` says of each fixture is what `measure` stores: the
/// score and counts per package, one row per flow, install item and
/// contradiction (with the install items read from the package metadata of
/// the tree, which exists only while the package is measured).
const TRUST_SUMMARY: &[&str] = &[
    "acme-weather-mcp 66 C 4 2 2 0 0 0",
    "go-annotations 15 F 3 1 1 0 3 0",
    "trust-js-install 78 B 1 0 0 4 0 0",
    "trust-js-lowlevel-list 70 C 4 0 0 0 3 1",
    "trust-py-flows 0 F 7 7 5 3 2 0",
    "trust-ts-fixed-read 98 A 1 0 0 0 0 0",
];

#[test]
fn measured_packages_carry_their_trust_assessment() {
    let d = tmpdir("trust");
    let db = d.join("r.sqlite");
    let s = measure_list(&db, &trust_list(&d), &d.join("cache"));
    assert_eq!((s.totals.scanned, s.totals.failed), (6, 0));
    assert_eq!(trust_summary(&db), TRUST_SUMMARY);
    assert_eq!(
        trust_items(&db, "go-annotations"),
        [
            "contradiction destructiveHint cache_size  fs.delete 0 0 1 main.go:41 | main.go:14 os.RemoveAll",
            "contradiction readOnlyHint cache_size  fs.delete 0 0 1 main.go:41 | main.go:14 os.RemoveAll",
            "contradiction readOnlyHint run  sys.shell 0 0 1 main.go:54 | main.go:30 os/exec.Command",
            "flow command-injection run line sys.shell 0 0 1 main.go:30 | ",
        ]
    );
    assert_eq!(
        trust_items(&db, "trust-js-install"),
        [
            "install binary-download    0 0 1 lib/index.js:9 | https://github.com/example/helper/releases/download/v1.2.0/helper-linux-x64.tar.gz",
            "install native-build    0 0 1 binding.gyp | node-gyp rebuild",
            "install npm-script    0 0 1 package.json:6 | preinstall: node lib/check-platform.js",
            "install npm-script    0 0 1 package.json:7 | postinstall: node lib/download.js",
        ]
    );
    assert_eq!(
        trust_items(&db, "trust-js-lowlevel-list"),
        [
            "contradiction destructiveHint tidy  fs.delete 0 0 1 server.js:9 | server.js:44 fs/promises.unlink",
            "contradiction readOnlyHint tidy  fs.delete 0 0 1 server.js:9 | server.js:44 fs/promises.unlink",
            "contradiction readOnlyHint whoami  fs.write 0 1 1 server.js:21 | server.js:36 fs/promises.writeFile",
        ]
    );
    let py = trust_items(&db, "trust-py-flows");
    assert_eq!(
        py.iter().filter(|l| l.starts_with("flow ")).cloned().collect::<Vec<_>>(),
        [
            "flow code-injection calc expression sys.eval 0 0 1 pkg/server.py:68 | ",
            "flow command-injection shell command sys.shell 0 0 1 pkg/server.py:19 | ",
            "flow deserialisation load_state blob sys.eval 0 0 1 pkg/server.py:61 | ",
            "flow file-path read_inside name fs.read 1 0 1 pkg/server.py:33 | path:is_relative_to@pkg/server.py:34",
            "flow file-path read_note name fs.read 0 0 1 pkg/server.py:26 | ",
            "flow ssrf fetch url net.http 0 0 1 pkg/server.py:43 | ",
            "flow ssrf fetch_checked url net.http 1 0 1 pkg/server.py:55 | host:_require_allowed_host@pkg/server.py:54",
        ]
    );
    // The stored document is the `mcpwarden trust --format json` assessment.
    let c = Connection::open(&db).unwrap();
    let doc: String = c
        .query_row(
            "SELECT t.doc FROM trust t JOIN servers s ON s.id = t.server_id WHERE s.name = 'trust-ts-fixed-read'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let a: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(a["schema"], "mcpwarden/trust/v1");
    assert_eq!(a["score"]["score"], 98);
    // The manifest stored beside it names the analyser of the store.
    let analyser: String = c
        .query_row(
            "SELECT json_extract(m.doc, '$.server.analyser') FROM manifests m JOIN servers s ON s.id = m.server_id WHERE s.name = 'trust-ts-fixed-read'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(analyser, ANALYSER);
    drop(c);

    // The report's trust section.
    let rep = report::build(&Store::open_read(&db).unwrap()).unwrap();
    assert_eq!(
        table_rows(&rep, "trust_grades_category"),
        [
            "Developer Tools | 3 | 0.0% | 33.3% | 0.0% | 0.0% | 66.7% | 31.0 | 15.0",
            "File Systems & Documents | 3 | 33.3% | 0.0% | 66.7% | 0.0% | 0.0% | 78.0 | 70.0",
            "all | 6 | 16.7% | 16.7% | 33.3% | 0.0% | 33.3% | 54.5 | 68.0",
        ]
    );
    assert_eq!(
        table_rows(&rep, "trust_grades_popularity"),
        [
            "0-10 stars | 2 | 0.0% | 0.0% | 0.0% | 0.0% | 100.0% | 7.5 | 7.5",
            "10-100 stars | 2 | 0.0% | 50.0% | 50.0% | 0.0% | 0.0% | 72.0 | 72.0",
            "100-1k stars | 1 | 0.0% | 0.0% | 100.0% | 0.0% | 0.0% | 70.0 | 70.0",
            ">=1k stars | 1 | 100.0% | 0.0% | 0.0% | 0.0% | 0.0% | 98.0 | 98.0",
            "all | 6 | 16.7% | 16.7% | 33.3% | 0.0% | 33.3% | 54.5 | 68.0",
        ]
    );
    assert_eq!(
        table_rows(&rep, "trust_flows"),
        [
            "command-injection | 2 | 10.0% | 2 | 10.0% | 0 | 2 | 33.3%",
            "program-choice | 0 | 0.0% | 0 | 0.0% | 0 | 0 | 0.0%",
            "ssrf | 3 | 15.0% | 2 | 10.0% | 1 | 2 | 33.3%",
            "file-path | 3 | 15.0% | 2 | 10.0% | 1 | 2 | 33.3%",
            "code-injection | 1 | 5.0% | 1 | 5.0% | 0 | 1 | 16.7%",
            "deserialisation | 1 | 5.0% | 1 | 5.0% | 0 | 1 | 16.7%",
            "any sink | 10 | 50.0% | 8 | 40.0% | 2 | 3 | 50.0%",
        ]
    );
    assert_eq!(
        table_rows(&rep, "trust_contradictions"),
        [
            "readOnlyHint | 5 | 25.0% | 3 | 50.0% | 1",
            "destructiveHint | 2 | 10.0% | 2 | 33.3% | 0",
            "openWorldHint | 1 | 5.0% | 1 | 16.7% | 0",
        ]
    );
    assert_eq!(
        table_rows(&rep, "trust_contradiction_kinds"),
        [
            "destructiveHint | fs.delete | 2 | 2",
            "readOnlyHint | fs.delete | 2 | 2",
            "readOnlyHint | sys.shell | 2 | 2",
            "openWorldHint | net.http | 1 | 1",
            "readOnlyHint | fs.write | 1 | 1",
        ]
    );
    assert_eq!(
        table_rows(&rep, "trust_install"),
        [
            "npm lifecycle script | 1 | 16.7% | 0 | – | 0 | –",
            "native addon build (binding.gyp) | 1 | 16.7% | 0 | – | 0 | –",
            "setup.py code | 1 | 16.7% | 0 | – | 0 | –",
            "custom build backend | 1 | 16.7% | 0 | – | 0 | –",
            "downloaded binary | 1 | 16.7% | 0 | – | 0 | –",
            "any of these | 2 | 33.3% | 0 | – | 0 | –",
            "npm `prepare` only (not run for a registry install) | 0 | 0.0% | 0 | – | 0 | –",
        ]
    );
    // Exported, one line per item.
    let store = Store::open_read(&db).unwrap();
    let mut out = vec![];
    assert_eq!(
        export(&store, ExportTable::TrustItems, Format::Csv, &mut out).unwrap(),
        10 + 7 + 8,
        "flows, install items, contradictions"
    );
    let mut out = vec![];
    assert_eq!(
        export(&store, ExportTable::Trust, Format::Jsonl, &mut out).unwrap(),
        6
    );
    let first: serde_json::Value =
        serde_json::from_str(String::from_utf8(out).unwrap().lines().next().unwrap()).unwrap();
    assert_eq!(
        first["doc"]["schema"], "mcpwarden/trust/v1",
        "JSON stays JSON"
    );
}

/// npm runs `prepare` for git and local installs only: for a registry
/// package it is listed (`scored = 0`) and left out of the score and counts.
#[test]
fn a_registry_package_prepare_script_is_listed_not_counted() {
    let d = tmpdir("prepare");
    let tree = d.join("package");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(
        tree.join("package.json"),
        "{\n  \"name\": \"p\",\n  \"scripts\": {\n    \"prepare\": \"tsc\",\n    \"postinstall\": \"node setup.js\"\n  }\n}\n",
    )
    .unwrap();
    let rep = server(vec![], &[("now", &[])], "typescript", "", false);
    let db = d.join("r.sqlite");
    let mut store = Store::open(&db, ANALYSER).unwrap();
    let run = store.begin_run("x", &serde_json::json!({})).unwrap();
    let mut recs = vec![];
    for source in ["npm:p@1.0.0", "dir:/src/p"] {
        let mut r = record(source, "p", "", "", Some(rep.clone()));
        r.assessed = Some(mcpwarden_measure::store::Assessed::of(
            &rep,
            source,
            ANALYSER,
            Some(&tree),
        ));
        recs.push(r);
    }
    store.write(run, &recs).unwrap();
    drop(store);
    let c = Connection::open(&db).unwrap();
    let rows: Vec<(String, i64, i64, String)> = c
        .prepare(
            "SELECT s.registry, t.score, t.install, group_concat(i.scored || ' ' || i.detail, '; ')
             FROM trust t JOIN servers s ON s.id = t.server_id JOIN trust_items i ON i.server_id = s.id
             GROUP BY s.id ORDER BY s.registry",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        rows,
        [
            (
                "dir".to_string(),
                80,
                2,
                "1 postinstall: node setup.js; 1 prepare: tsc (git and local installs only)"
                    .to_string()
            ),
            (
                "npm".to_string(),
                90,
                1,
                "1 postinstall: node setup.js; 0 prepare: tsc (git and local installs only)"
                    .to_string()
            ),
        ]
    );
    let rep = report::build(&Store::open_read(&db).unwrap()).unwrap();
    assert_eq!(
        table_rows(&rep, "trust_install")[0],
        "npm lifecycle script | 2 | 100.0% | 1 | 100.0% | 0 | –"
    );
}

/// A v2 file (before `trust` and `trust_items`) is read with those tables
/// empty (the file untouched), upgraded in place when written to, and its
/// servers are assessed once measured again.
#[test]
fn a_v2_store_is_read_upgraded_and_assessed_again() {
    let d = tmpdir("v2");
    let db = d.join("r.sqlite");
    let list = trust_list(&d);
    measure_list(&db, &list, &d.join("cache"));
    let c = Connection::open(&db).unwrap();
    c.execute_batch(
        "DROP TABLE trust_items; DROP TABLE trust;
         UPDATE meta SET value = '2' WHERE key = 'schema_version';",
    )
    .unwrap();
    drop(c);
    let before = std::fs::read(&db).unwrap();
    let rep = report::build(&Store::open_read(&db).unwrap()).unwrap();
    assert_eq!(
        table_rows(&rep, "trust_grades_category"),
        ["all | 0 | – | – | – | – | – | – | –"]
    );
    let t = rep.tables.iter().find(|t| t.id == "trust_flows").unwrap();
    assert!(
        t.caption
            .contains("Assessed (`mcpwarden trust`, stored per server): 0 of the 6 analysed"),
        "{}",
        t.caption
    );
    let mut out = vec![];
    assert_eq!(
        export(
            &Store::open_read(&db).unwrap(),
            ExportTable::Trust,
            Format::Csv,
            &mut out
        )
        .unwrap(),
        0
    );
    assert_eq!(std::fs::read(&db).unwrap(), before, "reading never writes");

    // Written to: upgraded; the old rows stay, unassessed, until measured again.
    drop(Store::open(&db, ANALYSER).unwrap());
    let c = Connection::open(&db).unwrap();
    let v: String = c
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(v, "3");
    let n: i64 = c
        .query_row("SELECT count(*) FROM trust", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
    drop(c);
    let mut store = Store::open(&db, ANALYSER).unwrap();
    let mut cfg = mcpwarden_collect::Config::from_env();
    cfg.cache_dir = d.join("cache");
    cfg.offline = true;
    let opts = mcpwarden_measure::run::RunOptions {
        jobs: 1,
        rescan: true,
        limit: None,
        scan: Default::default(),
        input: "again".into(),
        options: serde_json::json!({}),
        run_key: None,
        pause: std::time::Duration::ZERO,
    };
    let entries = mcpwarden_collect::read_list(&list).unwrap();
    mcpwarden_measure::run::measure(&mut store, &cfg, entries, &opts, &mut |_| {}).unwrap();
    drop(store);
    assert_eq!(trust_summary(&db), TRUST_SUMMARY);
}

// --- Comparing two measurements ---------------------------------------------

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{}: no {from:?}", file.display());
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

fn dir_list(d: &Path, name: &str, dirs: &[PathBuf]) -> PathBuf {
    let mut text = String::from("source\n");
    for p in dirs {
        text.push_str(&format!("dir:{}\n", p.display()));
    }
    let list = d.join(name);
    std::fs::write(&list, text).unwrap();
    list
}

/// The newer copy of `ts-fixed-read`: version 1.1.0 and a second tool that
/// fetches a page the model names and saves it.
fn add_clip_tool(dir: &Path) {
    edit(
        &dir.join("src/index.ts"),
        "import { readFile } from \"node:fs/promises\";",
        "import { readFile, writeFile } from \"node:fs/promises\";\nimport { z } from \"zod\";",
    );
    edit(
        &dir.join("src/index.ts"),
        "await server.connect(",
        "server.tool(\"clip\", \"Save a page\", { url: z.string() }, async ({ url }) => {\n  const page = await fetch(url);\n  await writeFile(\"/tmp/clip.html\", await page.text());\n  return { content: [{ type: \"text\", text: \"saved\" }] };\n});\n\nawait server.connect(",
    );
}

/// A baseline and a current measurement of fixture servers: one server in a
/// newer version with an extra tool, one with the same version whose code
/// now contacts another host and reads a variable in one tool, one
/// unchanged, one removed and one added.
fn two_measurements(d: &Path) -> (PathBuf, PathBuf) {
    let r = repo().canonicalize().unwrap();
    let (b, c) = (d.join("base"), d.join("cur"));
    for side in [&b, &c] {
        copy_dir(
            &r.join("tests/trust-fixtures/ts-fixed-read"),
            &side.join("fixed-read"),
        );
        copy_dir(
            &r.join("tests/fixtures/manifest/ts-hosts"),
            &side.join("hosts"),
        );
        copy_dir(
            &r.join("tests/fixtures/manifest/py-fastmcp"),
            &side.join("weather"),
        );
    }
    copy_dir(
        &r.join("tests/trust-fixtures/js-install"),
        &b.join("install"),
    );
    copy_dir(
        &r.join("tests/trust-fixtures/go-annotations"),
        &c.join("go-annotations"),
    );
    edit(
        &c.join("fixed-read/package.json"),
        "\"version\": \"1.0.0\"",
        "\"version\": \"1.1.0\"",
    );
    add_clip_tool(&c.join("fixed-read"));
    edit(
        &c.join("hosts/src/config.ts"),
        "https://catalog.acme.io",
        "https://catalog.acme.dev",
    );
    edit(
        &c.join("hosts/src/index.ts"),
        "const items = await api.get(\"/items\");",
        "const items = await api.get(\"/items\", { headers: { \"x-key\": process.env.CATALOG_KEY } });",
    );
    let base_list = dir_list(
        d,
        "base.tsv",
        &[
            b.join("fixed-read"),
            b.join("hosts"),
            b.join("weather"),
            b.join("install"),
        ],
    );
    let cur_list = dir_list(
        d,
        "cur.tsv",
        &[
            c.join("fixed-read"),
            c.join("hosts"),
            c.join("weather"),
            c.join("go-annotations"),
        ],
    );
    let (base_db, cur_db) = (d.join("base.sqlite"), d.join("cur.sqlite"));
    measure_list(&base_db, &base_list, &d.join("cache"));
    measure_list(&cur_db, &cur_list, &d.join("cache"));
    (base_db, cur_db)
}

fn compared(base: &Store, analyser: Option<&str>, cur: &Store) -> BTreeMap<String, Vec<String>> {
    use mcpwarden_measure::compare::{tables, Side};
    let t = tables(
        Side {
            store: base,
            analyser,
        },
        Side {
            store: cur,
            analyser: None,
        },
        "base",
        "cur",
    )
    .unwrap();
    t.iter()
        .map(|t| {
            (
                t.id.clone(),
                t.rows
                    .iter()
                    .map(|r| {
                        r.iter()
                            .map(|c| c.display())
                            .collect::<Vec<_>>()
                            .join(" | ")
                    })
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn two_measurements_compare_package_by_package() {
    let d = tmpdir("compare");
    let (base_db, cur_db) = two_measurements(&d);
    let (base, cur) = (
        Store::open_read(&base_db).unwrap(),
        Store::open_read(&cur_db).unwrap(),
    );
    let c = compared(&base, None, &cur);
    assert_eq!(
        c["compare_packages"],
        [
            "dir:acme-search-mcp | same version and analyser |  |  |  |  | list_items +sys.env | +catalog.acme.dev:443 -catalog.acme.io:443 | ",
            "dir:trust-ts-fixed-read | version 1.0.0 → 1.1.0 |  | A (98) → B (82) | +fs.write +net.http | +clip |  | +* | grew: fs /tmp/clip.html",
            "dir:go-annotations | added | ok | F (15) | +fs.delete +fs.read +sys.shell | +cache_size +hostname +run |  |  | ",
            "dir:trust-js-install | removed (1.0.0) | ok | B (78) | -net.http | -version |  | -github.com:443 | ",
        ]
    );
    assert_eq!(
        c["compare_overview"],
        [
            "matched by name | 3",
            "… compared between versions | 1",
            "… compared between analysers | 0",
            "… same version and analyser | 2",
            "changed | 2",
            "… status changed | 0",
            "… kinds changed | 1",
            "… tools added or removed | 1",
            "… tool kinds changed | 1",
            "… hosts changed | 2",
            "… grade worse | 1",
            "… grade better | 0",
            "… privileges grew (versions) | 1",
            "added (current only) | 1",
            "removed (baseline only) | 1",
        ]
    );
    assert_eq!(
        c["compare_totals"],
        [
            "packages | 4 | 4 | 0",
            "analysed (ok + opaque) | 4 | 4 | 0",
            "failed | 0 | 0 | 0",
            "servers using network | 3 | 3 | 0",
            "servers using system | 2 | 3 | +1",
            "servers using file | 2 | 3 | +1",
            "servers using memory | 0 | 0 | 0",
            "tools | 10 | 13 | +3",
            "findings (privileged call sites) | 19 | 24 | +5",
            "servers graded A | 1 | 0 | -1",
            "servers graded B | 2 | 2 | 0",
            "servers graded C | 1 | 1 | 0",
            "servers graded D | 0 | 0 | 0",
            "servers graded F | 0 | 1 | +1",
            "tools reaching net.http | 7 | 7 | 0",
            "tools reaching sys.exec | 1 | 1 | 0",
            "tools reaching sys.shell | 0 | 1 | +1",
            "tools reaching sys.env | 0 | 1 | +1",
            "tools reaching sys.info | 1 | 1 | 0",
            "tools reaching fs.read | 1 | 2 | +1",
            "tools reaching fs.write | 1 | 2 | +1",
            "tools reaching fs.delete | 0 | 1 | +1",
        ]
    );

    // Reversed, the same changes the other way round.
    let back = compared(&cur, None, &base);
    assert_eq!(
        back["compare_packages"][1],
        "dir:trust-ts-fixed-read | version 1.1.0 → 1.0.0 |  | B (82) → A (98) | -fs.write -net.http | -clip |  | -* | did not grow"
    );

    // A baseline stored before assessments (schema v2): no grade to compare.
    Connection::open(&base_db)
        .unwrap()
        .execute_batch("DELETE FROM trust_items; DELETE FROM trust;")
        .unwrap();
    let unassessed = compared(&Store::open_read(&base_db).unwrap(), None, &cur);
    assert_eq!(
        unassessed["compare_packages"][1],
        "dir:trust-ts-fixed-read | version 1.0.0 → 1.1.0 |  |  | +fs.write +net.http | +clip |  | +* | grew: fs /tmp/clip.html"
    );
    assert_eq!(unassessed["compare_overview"][4], "changed | 2");
}

/// One store that kept the rows of an earlier analyser (a rerun by a new
/// analyser adds rows): the baseline is that analyser's rows, the current
/// results the newest; a server the new analyser sees differently is
/// compared between analysers.
#[test]
fn one_store_compares_two_analysers() {
    let d = tmpdir("analysers");
    let r = repo().canonicalize().unwrap();
    let server = d.join("fixed-read");
    copy_dir(&r.join("tests/trust-fixtures/ts-fixed-read"), &server);
    copy_dir(
        &r.join("tests/fixtures/manifest/py-fastmcp"),
        &d.join("weather"),
    );
    let list = dir_list(&d, "list.tsv", &[server.clone(), d.join("weather")]);
    let db = d.join("r.sqlite");
    let run = |analyser: &str| {
        let mut store = Store::open(&db, analyser).unwrap();
        let mut cfg = mcpwarden_collect::Config::from_env();
        cfg.cache_dir = d.join("cache");
        cfg.offline = true;
        let opts = mcpwarden_measure::run::RunOptions {
            jobs: 1,
            rescan: false,
            limit: None,
            scan: Default::default(),
            input: "list".into(),
            options: serde_json::json!({}),
            run_key: None,
            pause: std::time::Duration::ZERO,
        };
        let entries = mcpwarden_collect::read_list(&list).unwrap();
        mcpwarden_measure::run::measure(&mut store, &cfg, entries, &opts, &mut |_| {}).unwrap();
    };
    run("mcpwarden 0.0.9+cat.00000000");
    // What the newer analyser sees differently, played by a changed file.
    add_clip_tool(&server);
    run(ANALYSER);
    let store = Store::open_read(&db).unwrap();
    let c = compared(&store, Some("mcpwarden 0.0.9+cat.00000000"), &store);
    assert_eq!(
        c["compare_packages"],
        ["dir:trust-ts-fixed-read | analyser mcpwarden 0.0.9+cat.00000000 → mcpwarden test+cat.0 |  | A (98) → B (82) | +fs.write +net.http | +clip |  | +* | "]
    );
    assert_eq!(
        &c["compare_overview"][..5],
        [
            "matched by name | 2",
            "… compared between versions | 0",
            "… compared between analysers | 2",
            "… same version and analyser | 0",
            "changed | 1",
        ]
    );
    // Without the analyser, the store against itself: nothing changed.
    let same = compared(&store, None, &store);
    assert!(same["compare_packages"].is_empty());
    assert_eq!(
        same["compare_overview"][3],
        "… same version and analyser | 2"
    );
}
