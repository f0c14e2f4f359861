//! The PostgreSQL store against a real server: three `mcpwarden measure`
//! workers share one list while one is killed mid-run; every package ends up
//! with exactly one result, and the report equals a single SQLite run's.

mod pg_harness;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mcpwarden"));
    c.env_remove("MCPWARDEN_CACHE_DIR")
        .env("MCPWARDEN_OFFLINE", "1");
    c
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mcpwarden-dist-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `dir:` sources: the fixture servers of this repository (no registry).
fn fixture_list(dir: &Path, n: usize) -> (PathBuf, Vec<String>) {
    let mut servers = vec![];
    for group in ["attribution", "python", "javascript", "go"] {
        let mut cases: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/fixtures").join(group))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        cases.sort();
        servers.extend(cases);
    }
    servers.truncate(n);
    assert_eq!(servers.len(), n, "not enough fixture servers");
    let sources: Vec<String> = servers
        .iter()
        .map(|p| format!("dir:{}", p.display()))
        .collect();
    let list = dir.join("list.tsv");
    std::fs::write(&list, format!("source\n{}\n", sources.join("\n"))).unwrap();
    (list, sources)
}

fn worker(list: &Path, db: &str, cache: &Path, log: &Path) -> Child {
    bin()
        .arg("measure")
        .arg(list)
        .args([
            "--db",
            db,
            "--jobs",
            "2",
            "--lease",
            "2",
            "--debug-pause-ms",
            "250",
            "--offline",
        ])
        .arg("--cache")
        .arg(cache)
        .stdout(Stdio::from(
            std::fs::File::create(log.with_extension("out")).unwrap(),
        ))
        .stderr(Stdio::from(std::fs::File::create(log).unwrap()))
        .spawn()
        .unwrap()
}

fn wait(mut c: Child, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        if let Some(st) = c.try_wait().unwrap() {
            let err = std::fs::read_to_string(log).unwrap_or_default();
            assert!(st.success(), "worker failed: {st}\n{err}");
            return;
        }
        assert!(Instant::now() < deadline, "worker hung");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every file of a report but the timings (which differ from run to run).
fn report_files(db: &str, out: &Path) -> BTreeMap<String, String> {
    let o = bin()
        .args(["report", db, "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut files = BTreeMap::new();
    for e in std::fs::read_dir(out).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".csv") && name != "timings.csv" {
            files.insert(name, std::fs::read_to_string(e.path()).unwrap());
        }
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let tables: Vec<&serde_json::Value> = summary["tables"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["id"] != "timings")
        .collect();
    files.insert(
        "summary.json#headline".into(),
        summary["headline"].to_string(),
    );
    files.insert(
        "summary.json#tables".into(),
        serde_json::to_string(&tables).unwrap(),
    );
    files
}

#[test]
fn three_workers_one_killed_every_package_once() {
    let Some(pg) = pg_harness::start("three_workers_one_killed_every_package_once") else {
        return;
    };
    let d = tmpdir("three");
    let (list, sources) = fixture_list(&d, 24);

    let workers: Vec<(Child, PathBuf)> = (0..3)
        .map(|i| {
            let log = d.join(format!("worker{i}.log"));
            (
                worker(&list, &pg.url, &d.join(format!("cache{i}")), &log),
                log,
            )
        })
        .collect();
    let mut workers = workers.into_iter();
    let (mut victim, _) = workers.next().unwrap();

    // Kill the first worker once it has stored a result and holds a claim.
    let mut client = pg.client();
    let pattern = format!("%:{}:%", victim.id());
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let row = client
            .query_opt(
                "SELECT count(*) FILTER (WHERE state = 'done'), count(*) FILTER (WHERE state = 'claimed') FROM claims WHERE worker LIKE $1",
                &[&pattern],
            )
            .ok()
            .flatten();
        let (done, held): (i64, i64) = row.map(|r| (r.get(0), r.get(1))).unwrap_or((0, 0));
        if done >= 1 && held >= 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the first worker never got going"
        );
        assert!(
            victim.try_wait().unwrap().is_none(),
            "the first worker finished too early"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    victim.kill().unwrap(); // SIGKILL: no clean-up, its claims stay until the lease ends
    victim.wait().unwrap();
    for (c, log) in workers {
        wait(c, &log);
        // Progress counts the whole shared run, not one worker's share.
        let err = std::fs::read_to_string(&log).unwrap();
        assert!(
            err.contains(&format!("/{} in the shared run", sources.len())),
            "{err}"
        );
    }

    // Exactly one result per package, all of them stored.
    let rows = client
        .query(
            "SELECT source, count(*) FROM servers GROUP BY source ORDER BY source",
            &[],
        )
        .unwrap();
    let counts: BTreeMap<String, i64> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let mut want: Vec<String> = sources.clone();
    want.sort();
    assert_eq!(counts.keys().cloned().collect::<Vec<_>>(), want);
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
    let states = client
        .query(
            "SELECT state, count(*), max(attempts) FROM claims GROUP BY state",
            &[],
        )
        .unwrap();
    assert_eq!(states.len(), 1, "claims left undone");
    assert_eq!(states[0].get::<_, String>(0), "done");
    let retaken: i64 = client
        .query_one("SELECT count(*) FROM claims WHERE attempts > 1", &[])
        .unwrap()
        .get(0);
    assert!(retaken >= 1, "no claim of the killed worker was taken over");

    // The same list in one SQLite run reports the same.
    let sqlite = d.join("single.sqlite");
    let o = bin()
        .arg("measure")
        .arg(&list)
        .arg("--db")
        .arg(&sqlite)
        .arg("--cache")
        .arg(d.join("cache-single"))
        .args(["--offline", "--jobs", "2"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let from_pg = report_files(&pg.url, &d.join("report-pg"));
    let from_sqlite = report_files(sqlite.to_str().unwrap(), &d.join("report-sqlite"));
    assert_eq!(
        from_pg.keys().collect::<Vec<_>>(),
        from_sqlite.keys().collect::<Vec<_>>()
    );
    for (name, text) in &from_sqlite {
        assert_eq!(
            &from_pg[name], text,
            "{name} differs between PostgreSQL and SQLite"
        );
    }

    // `export` reads PostgreSQL too.
    let o = bin()
        .args(["export", &pg.url, "--format", "jsonl"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).lines().count(),
        sources.len()
    );

    // A rerun finds everything stored: nothing left to claim.
    let o = bin()
        .arg("measure")
        .arg(&list)
        .args(["--db", &pg.url, "--offline", "--lease", "2"])
        .arg("--cache")
        .arg(d.join("cache0"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && out.contains(&format!("already stored {}", sources.len())),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn bad_postgres_urls_fail_clearly() {
    let d = tmpdir("badurl");
    let list = d.join("list.tsv");
    std::fs::write(&list, "source\ndir:/tmp\n").unwrap();
    // Nothing listens on this port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://u:topsecret@127.0.0.1:{port}/x");
    let o = bin()
        .arg("measure")
        .arg(&list)
        .args(["--db", &url])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("127.0.0.1") && !err.contains("topsecret"),
        "{err}"
    );
    let o = bin()
        .args(["report", &url, "--out"])
        .arg(d.join("r"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// A package that every worker died on is stored as an error after three
/// tries instead of killing workers forever.
#[test]
fn a_package_that_kills_workers_is_abandoned() {
    let Some(pg) = pg_harness::start("a_package_that_kills_workers_is_abandoned") else {
        return;
    };
    let d = tmpdir("abandon");
    let (list, sources) = fixture_list(&d, 2);
    let run = |extra: &[&str]| {
        let o = bin()
            .arg("measure")
            .arg(&list)
            .args(["--db", &pg.url, "--offline", "--lease", "1", "--run", "r1"])
            .arg("--cache")
            .arg(d.join("cache"))
            .args(extra)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    run(&[]);
    let mut c = pg.client();
    // As if three workers had died on the first package.
    c.execute(
        "UPDATE claims SET state = 'claimed', attempts = 3, worker = 'gone:1:0', lease_until = now() - interval '1 second' WHERE run_key = 'r1' AND source = $1",
        &[&sources[0]],
    )
    .unwrap();
    c.execute("DELETE FROM servers WHERE source = $1", &[&sources[0]])
        .unwrap();
    run(&[]);
    let row = c
        .query_one(
            "SELECT status, error_stage, error_kind, error_message FROM servers WHERE source = $1",
            &[&sources[0]],
        )
        .unwrap();
    let (status, stage, kind): (String, String, String) = (row.get(0), row.get(1), row.get(2));
    assert_eq!(
        (status.as_str(), stage.as_str(), kind.as_str()),
        ("error", "claim", "abandoned")
    );
    let msg: String = row.get(3);
    assert!(msg.contains("3 workers stopped"), "{msg}");
    // Errors are retried by the next worker of the run, like a SQLite rerun.
    run(&[]);
    let status: String = c
        .query_one(
            "SELECT status FROM servers WHERE source = $1",
            &[&sources[0]],
        )
        .unwrap()
        .get(0);
    assert_eq!(status, "ok");
    let _ = std::fs::remove_dir_all(&d);
}

/// Six fixture servers with a trust story each (flows, install-time code,
/// contradicted annotations), as `dir:` sources with a category and stars.
fn trust_list(dir: &Path) -> PathBuf {
    let r = repo();
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
    for (d, cat, stars) in rows {
        text.push_str(&format!("dir:{}\t{cat}\t{stars}\n", r.join(d).display()));
    }
    let list = dir.join("trust.tsv");
    std::fs::write(&list, text).unwrap();
    list
}

fn export_lines(db: &str, table: &str, format: &str) -> Vec<String> {
    let o = bin()
        .args(["export", db, "--format", format, "--table", table])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// `name score grade tools flows unguarded install contradictions incidental`
/// per assessed server, from `export --table trust`.
fn trust_summary(db: &str) -> Vec<String> {
    let mut v: Vec<String> = export_lines(db, "trust", "jsonl")
        .iter()
        .map(|l| {
            let j: serde_json::Value = serde_json::from_str(l).unwrap();
            let f = |k: &str| match &j[k] {
                serde_json::Value::String(s) => s.clone(),
                x => x.to_string(),
            };
            [
                "name",
                "score",
                "grade",
                "tools",
                "flows",
                "unguarded_flows",
                "install",
                "contradictions",
                "incidental",
            ]
            .map(f)
            .join(" ")
        })
        .collect();
    v.sort();
    v
}

/// `export --table trust-items` without the row ids (which differ between
/// stores), sorted.
fn trust_items(db: &str) -> Vec<String> {
    let lines = export_lines(db, "trust-items", "csv");
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(
        header,
        [
            "source",
            "registry",
            "name",
            "version",
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
            "line"
        ]
    );
    let mut v: Vec<String> = lines[1..]
        .iter()
        .map(|l| {
            let mut f: Vec<&str> = l.splitn(6, ',').collect();
            f.remove(4);
            f.join(",")
        })
        .collect();
    v.sort();
    v
}

const TRUST_SUMMARY: &[&str] = &[
    "acme-weather-mcp 66 C 4 2 2 0 0 0",
    "go-annotations 15 F 3 1 1 0 3 0",
    "trust-js-install 78 B 1 0 0 4 0 0",
    "trust-js-lowlevel-list 70 C 4 0 0 0 3 1",
    "trust-py-flows 0 F 7 7 5 3 2 0",
    "trust-ts-fixed-read 98 A 1 0 0 0 0 0",
];

/// The trust tables of a real PostgreSQL store hold what a SQLite run holds,
/// the report's trust section reads the same from both, and a v2 PostgreSQL
/// store (before `trust`) is read with no assessments, then upgraded by the
/// next worker and filled by a rescan.
#[test]
fn trust_assessments_in_postgres_equal_sqlite_and_v2_upgrades() {
    let Some(pg) = pg_harness::start("trust_assessments_in_postgres_equal_sqlite_and_v2_upgrades")
    else {
        return;
    };
    let d = tmpdir("trust");
    let list = trust_list(&d);
    let sqlite = d.join("r.sqlite");
    let sqlite = sqlite.to_str().unwrap();
    let measure = |db: &str, extra: &[&str]| {
        let o = bin()
            .arg("measure")
            .arg(&list)
            .args(["--db", db, "--offline", "--jobs", "2", "--lease", "5"])
            .arg("--cache")
            .arg(d.join("cache"))
            .args(extra)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    measure(&pg.url, &[]);
    measure(sqlite, &[]);
    assert_eq!(trust_summary(&pg.url), TRUST_SUMMARY);
    assert_eq!(trust_summary(sqlite), TRUST_SUMMARY);
    let items = trust_items(&pg.url);
    assert_eq!(
        items.len(),
        10 + 7 + 8,
        "flows, install items, contradictions"
    );
    assert_eq!(items, trust_items(sqlite));
    let go: Vec<&String> = items
        .iter()
        .filter(|l| l.contains(",go-annotations,"))
        .collect();
    let tail = |l: &str| l.splitn(5, ',').nth(4).unwrap().to_string();
    assert_eq!(
        go.iter().map(|l| tail(l)).collect::<Vec<_>>(),
        [
            "contradiction,destructiveHint,cache_size,,fs.delete,0,0,1,main.go:14 os.RemoveAll,main.go,41",
            "contradiction,readOnlyHint,cache_size,,fs.delete,0,0,1,main.go:14 os.RemoveAll,main.go,41",
            "contradiction,readOnlyHint,run,,sys.shell,0,0,1,main.go:30 os/exec.Command,main.go,54",
            "flow,command-injection,run,line,sys.shell,0,0,1,,main.go,30",
        ]
    );

    // The report's trust section, the same from both backends.
    let from_pg = report_files(&pg.url, &d.join("report-pg"));
    let from_sqlite = report_files(sqlite, &d.join("report-sqlite"));
    for id in [
        "trust_grades_category",
        "trust_grades_popularity",
        "trust_flows",
        "trust_contradictions",
        "trust_contradiction_kinds",
        "trust_install",
    ] {
        let name = format!("{id}.csv");
        assert_eq!(from_pg[&name], from_sqlite[&name], "{name}");
    }
    assert_eq!(
        from_pg["trust_grades_category.csv"],
        "category,assessed,A,B,C,D,F,mean score,median score\n\
         Developer Tools,3,0.0000,0.3333,0.0000,0.0000,0.6667,31.00,15.00\n\
         File Systems & Documents,3,0.3333,0.0000,0.6667,0.0000,0.0000,78.00,70.00\n\
         all,6,0.1667,0.1667,0.3333,0.0000,0.3333,54.50,68.00\n"
    );
    assert_eq!(
        from_pg["trust_install.csv"]
            .lines()
            .find(|l| l.starts_with("any of these"))
            .unwrap(),
        "any of these,2,0.3333,0,,0,"
    );

    // Back to schema v2: no trust tables.
    let mut c = pg.client();
    c.batch_execute(
        "DROP TABLE trust_items; DROP TABLE trust;
         UPDATE meta SET value = '2' WHERE key = 'schema_version';",
    )
    .unwrap();
    let old = report_files(&pg.url, &d.join("report-v2"));
    assert_eq!(
        old["trust_grades_category.csv"].lines().nth(1).unwrap(),
        "all,0,,,,,,,"
    );
    assert!(
        export_lines(&pg.url, "trust", "csv").len() == 1,
        "header only"
    );
    // A worker upgrades it; a rescan assesses every package again.
    measure(&pg.url, &["--rescan"]);
    let v: String = c
        .query_one("SELECT value FROM meta WHERE key = 'schema_version'", &[])
        .unwrap()
        .get(0);
    assert_eq!(v, "3");
    assert_eq!(trust_summary(&pg.url), TRUST_SUMMARY);
    let _ = std::fs::remove_dir_all(&d);
}

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

/// `report CUR --compare-to BASE` works the same whichever backend holds
/// either side: two measurements of copies of fixture servers (one copy in
/// a newer version with an extra tool, one removed, one added), in SQLite
/// files and in two PostgreSQL databases.
#[test]
fn reports_compare_measurements_in_either_backend() {
    let Some(pg) = pg_harness::start("reports_compare_measurements_in_either_backend") else {
        return;
    };
    let d = tmpdir("compare");
    let r = repo();
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
    let index = c.join("fixed-read/src/index.ts");
    edit(
        &index,
        "import { readFile } from \"node:fs/promises\";",
        "import { readFile, writeFile } from \"node:fs/promises\";\nimport { z } from \"zod\";",
    );
    edit(
        &index,
        "await server.connect(",
        "server.tool(\"clip\", \"Save a page\", { url: z.string() }, async ({ url }) => {\n  const page = await fetch(url);\n  await writeFile(\"/tmp/clip.html\", await page.text());\n  return { content: [{ type: \"text\", text: \"saved\" }] };\n});\n\nawait server.connect(",
    );
    let list = |name: &str, dirs: &[PathBuf]| {
        let text: String = dirs
            .iter()
            .map(|p| format!("dir:{}\n", p.display()))
            .collect();
        let l = d.join(name);
        std::fs::write(&l, format!("source\n{text}")).unwrap();
        l
    };
    let base_list = list(
        "base.tsv",
        &[b.join("fixed-read"), b.join("hosts"), b.join("install")],
    );
    let cur_list = list(
        "cur.tsv",
        &[
            c.join("fixed-read"),
            c.join("hosts"),
            c.join("go-annotations"),
        ],
    );
    let mut client = pg.client();
    for name in ["base", "cur"] {
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
    }
    let pg_db = |name: &str| pg.url.replace("/postgres", &format!("/{name}"));
    let measure = |list: &Path, db: &str| {
        let o = bin()
            .arg("measure")
            .arg(list)
            .args(["--db", db, "--offline", "--jobs", "2"])
            .arg("--cache")
            .arg(d.join("cache"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let (base_sqlite, cur_sqlite) = (d.join("base.sqlite"), d.join("cur.sqlite"));
    let (base_sqlite, cur_sqlite) = (base_sqlite.to_str().unwrap(), cur_sqlite.to_str().unwrap());
    measure(&base_list, base_sqlite);
    measure(&cur_list, cur_sqlite);
    measure(&base_list, &pg_db("base"));
    measure(&cur_list, &pg_db("cur"));

    let compare = |cur: &str, base: &str, out: &str| -> BTreeMap<String, String> {
        let out = d.join(out);
        let o = bin()
            .args(["report", cur, "--compare-to", base, "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        ["compare_overview", "compare_totals", "compare_packages"]
            .iter()
            .map(|id| {
                let f = format!("{id}.csv");
                (f.clone(), std::fs::read_to_string(out.join(&f)).unwrap())
            })
            .collect()
    };
    let sqlite = compare(cur_sqlite, base_sqlite, "r-sqlite");
    assert_eq!(
        sqlite["compare_packages.csv"],
        "package,compared,status,grade,kinds,tools,tool kinds,hosts,privileges\n\
         dir:trust-ts-fixed-read,version 1.0.0 → 1.1.0,,A (98) → B (82),+fs.write +net.http,+clip,,+*,grew: fs /tmp/clip.html\n\
         dir:go-annotations,added,ok,F (15),+fs.delete +fs.read +sys.shell,+cache_size +hostname +run,,,\n\
         dir:trust-js-install,removed (1.0.0),ok,B (78),-net.http,-version,,-github.com:443,\n"
    );
    assert!(
        sqlite["compare_totals.csv"].contains("\ntools,6,9,+3\n"),
        "{}",
        sqlite["compare_totals.csv"]
    );
    assert_eq!(compare(&pg_db("cur"), &pg_db("base"), "r-pg"), sqlite);
    let o = bin()
        .args([
            "report",
            &pg_db("cur"),
            "--compare-to",
            base_sqlite,
            "--out",
        ])
        .arg(d.join("r-line"))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&o.stdout).contains(&format!(
            "compared with {base_sqlite}: 2 packages matched, 1 changed, 1 added, 1 removed"
        )),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(compare(cur_sqlite, &pg_db("base"), "r-mixed"), sqlite);
    // The summary says what was compared with what (no password shown).
    let summary = std::fs::read_to_string(d.join("r-pg/summary.json")).unwrap();
    assert!(summary.contains("\"id\": \"compare_packages\""));
    let _ = std::fs::remove_dir_all(&d);
}
