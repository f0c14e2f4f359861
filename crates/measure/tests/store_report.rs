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
    assert_eq!(v, "2");
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
    assert!(e.contains("schema v99") && e.contains("v2"), "{e}");
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
    assert_eq!(v, "2");
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
