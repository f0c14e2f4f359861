//! `mcpwarden measure`, `report` and `export` end to end over `dir:` sources
//! (fixture servers of this repository): no network is touched (`--offline`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mcpwarden"));
    // Never read the developer's registry settings or cache.
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
    let d = std::env::temp_dir().join(format!(
        "mcpwarden-measure-cli-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn measure(list: &Path, db: &Path, cache: &Path, extra: &[&str]) -> Output {
    bin()
        .arg("measure")
        .arg(list)
        .arg("--db")
        .arg(db)
        .arg("--cache")
        .arg(cache)
        .args(["--offline", "--jobs", "2"])
        .args(extra)
        .output()
        .unwrap()
}

fn jsonl(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn measure_report_export_over_fixture_servers() {
    let d = tmpdir("e2e");
    let r = repo();
    let list = d.join("list.tsv");
    std::fs::write(
        &list,
        format!(
            "source\tcategory\tpopularity\tstars\tnote\n\
             dir:{r}/examples/notes-server\t\t\t12\tthe README example\n\
             dir:{r}/tests/fixtures/typescript/child_process_aliases\tDeveloper Tools\t\t\t\n\
             dir:{r}/tests/fixtures/python/subprocess_aliases\t\t\t\t\n\
             dir:{r}/tests/fixtures/javascript/native_launcher\t\t\t\t\n\
             dir:{d}/no-such-server\t\t\t\t\n\
             dir:{r}/examples/notes-server\t\t\t\tduplicate line\n",
            r = r.display(),
            d = d.display()
        ),
    )
    .unwrap();
    let db = d.join("results.sqlite");
    let cache = d.join("cache");

    let out = measure(&list, &db, &cache, &[]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("measured 5 servers"), "{stdout}");
    assert!(
        stdout.contains("scanned 4 (of which opaque 1), failed 1"),
        "{stdout}"
    );
    assert!(stderr.contains("1 duplicate lines ignored"), "{stderr}");
    // Not a terminal: one plain line per server.
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with('[')).count(),
        5,
        "{stderr}"
    );

    let out = bin()
        .arg("export")
        .arg(&db)
        .args(["--format", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows = jsonl(&out.stdout);
    assert_eq!(rows.len(), 5);
    let by = |needle: &str| {
        rows.iter()
            .find(|r| r["source"].as_str().unwrap().contains(needle))
            .unwrap()
            .clone()
    };
    let notes = by("notes-server");
    assert_eq!(
        (
            notes["status"].as_str(),
            notes["network"].as_i64(),
            notes["system"].as_i64(),
            notes["file"].as_i64()
        ),
        (Some("ok"), Some(1), Some(1), Some(1))
    );
    assert_eq!(notes["tool_count"], 4);
    assert_eq!(notes["popularity_band"], "stars:10-100");
    assert_eq!(notes["metadata"]["extra"]["note"], "the README example");
    let cp = by("child_process_aliases");
    assert_eq!(
        (cp["category"].as_str(), cp["category_source"].as_str()),
        (Some("developer-tools"), Some("input"))
    );
    let native = by("native_launcher");
    assert_eq!(native["status"], "opaque");
    let missing = by("no-such-server");
    assert_eq!(missing["status"], "error");
    assert_eq!(missing["error_stage"], "collect");
    assert!(missing["error_message"]
        .as_str()
        .unwrap()
        .contains("no-such-server"));

    // Findings and tools carry their server.
    let out = bin()
        .arg("export")
        .arg(&db)
        .args(["--format", "csv", "--table", "findings"])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.starts_with("source,registry,name,version,server_id,resource,kind,api"),
        "{csv}"
    );
    assert!(csv.contains("child_process.execFile"), "{csv}");
    let out = bin()
        .arg("export")
        .arg(&db)
        .args(["--format", "jsonl", "--table", "tools"])
        .output()
        .unwrap();
    assert!(jsonl(&out.stdout)
        .iter()
        .any(|t| t["tool"] == "history" && t["kinds"] == "sys.exec"));

    // A rerun skips what is stored and retries the failure.
    let out = measure(&list, &db, &cache, &[]);
    let (stdout, _) = text(&out);
    assert!(out.status.success());
    assert!(
        stdout.contains("already stored 4")
            && stdout.contains("scanned 0")
            && stdout.contains("failed 1"),
        "{stdout}"
    );
    let out = measure(&list, &db, &cache, &["--rescan", "--limit", "2"]);
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains("measured 2 servers") && stdout.contains("scanned 2"),
        "{stdout}"
    );
    let out = bin()
        .arg("export")
        .arg(&db)
        .args(["--format", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(jsonl(&out.stdout).len(), 5, "a rescan replaces rows");

    // The report.
    let rep = d.join("report");
    let out = bin()
        .arg("report")
        .arg(&db)
        .arg("--out")
        .arg(&rep)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("5 servers measured: 4 analysed (3 ok, 1 opaque), 1 failed"),
        "{stdout}"
    );
    for f in [
        "report.md",
        "report.html",
        "summary.json",
        "resources.csv",
        "kinds.csv",
        "categories.csv",
        "popularity.csv",
        "languages.csv",
        "sdk.csv",
        "apis.csv",
        "tools.csv",
        "paper.csv",
    ] {
        assert!(rep.join(f).is_file(), "{f}");
    }
    let md = std::fs::read_to_string(rep.join("report.md")).unwrap();
    assert!(md.contains("| network | 1,438 | 56.1% |"), "{md}");
}

#[test]
fn list_errors_name_the_line() {
    let d = tmpdir("badlist");
    let list = d.join("list.tsv");
    std::fs::write(&list, "source\tcategory\ndir:/tmp\t\nfrobnicate:thing\t\n").unwrap();
    let out = measure(&list, &d.join("r.sqlite"), &d.join("cache"), &[]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("list.tsv:3"), "{stderr}");
}

#[test]
fn usage_errors() {
    let d = tmpdir("usage");
    let out = bin()
        .args(["measure", "--db"])
        .arg(d.join("x.sqlite"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("LIST or --from-dir"));
    let out = bin()
        .args(["report"])
        .arg(d.join("missing.sqlite"))
        .arg("--out")
        .arg(d.join("o"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("no such database"));
    let out = bin()
        .args(["export"])
        .arg(d.join("missing.sqlite"))
        .args(["--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin()
        .arg("measure")
        .arg(d.join("missing.tsv"))
        .arg("--db")
        .arg(d.join("x.sqlite"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn from_dir_measures_every_subfolder() {
    let d = tmpdir("fromdir");
    let out = bin()
        .arg("measure")
        .arg("--from-dir")
        .arg(repo().join("tests/fixtures/attribution"))
        .arg("--db")
        .arg(d.join("r.sqlite"))
        .arg("--cache")
        .arg(d.join("cache"))
        .args(["--offline", "--limit", "3"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("measured 3 servers") && stdout.contains("scanned 3"),
        "{stdout}{stderr}"
    );
}

#[test]
fn cache_prune_by_size_and_age() {
    let d = tmpdir("prune");
    let cache = d.join("cache");
    let fan = cache.join("archives/sha256/ab");
    std::fs::create_dir_all(&fan).unwrap();
    std::fs::write(fan.join("ab01"), vec![0u8; 3000]).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(fan.join("ab02"), vec![0u8; 2000]).unwrap();
    let prune = |args: &[&str]| {
        bin()
            .args(["cache", "prune", "--cache"])
            .arg(&cache)
            .args(args)
            .output()
            .unwrap()
    };
    let out = prune(&["--max-size", "lots"]);
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    assert!(text(&out).1.contains("--max-size"));
    // Over 4 KiB: the least recently used archive goes.
    let out = prune(&["--max-size", "4K"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("removed 1 entries"), "{stdout}");
    assert!(!fan.join("ab01").exists() && fan.join("ab02").exists());
    let out = prune(&["--older-than", "0"]);
    assert!(text(&out).0.contains("removed 1 entries"));
    assert!(!fan.join("ab02").exists());
}

/// A run killed (SIGKILL) or interrupted (SIGINT) mid-way and then resumed:
/// every server ends up with exactly one row, none lost.
#[test]
fn killed_and_interrupted_runs_resume_without_loss_or_duplicates() {
    let d = tmpdir("resume");
    let mut servers: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/fixtures/attribution"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    servers.sort();
    servers.truncate(12);
    let list = d.join("list.tsv");
    let lines: Vec<String> = servers
        .iter()
        .map(|p| format!("dir:{}", p.display()))
        .collect();
    std::fs::write(&list, format!("source\n{}\n", lines.join("\n"))).unwrap();
    let db = d.join("r.sqlite");
    let rows = || -> Vec<(String, i64)> {
        let o = bin()
            .args(["export"])
            .arg(&db)
            .args(["--format", "jsonl"])
            .output()
            .unwrap();
        let mut by: std::collections::BTreeMap<String, i64> = Default::default();
        for v in jsonl(&o.stdout) {
            *by.entry(v["source"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
        by.into_iter().collect()
    };
    for signal in ["-KILL", "-INT"] {
        let _ = std::fs::remove_file(&db);
        let mut child = bin()
            .arg("measure")
            .arg(&list)
            .arg("--db")
            .arg(&db)
            .arg("--cache")
            .arg(d.join("cache"))
            .args(["--offline", "--jobs", "1", "--debug-pause-ms", "150"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Wait for a few results, then stop it the hard way.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while rows().len() < 3 {
            assert!(std::time::Instant::now() < deadline, "no progress");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Command::new("kill")
            .arg(signal)
            .arg(child.id().to_string())
            .status()
            .unwrap();
        child.wait().unwrap();
        let before = rows();
        assert!(
            before.len() < servers.len(),
            "{signal}: finished before the signal"
        );
        let out = measure(&list, &db, &d.join("cache"), &[]);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stderr}");
        assert!(
            stdout.contains(&format!("already stored {}", before.len())),
            "{signal}: {stdout}"
        );
        let after = rows();
        assert_eq!(after.len(), servers.len(), "{signal}: lost results");
        assert!(after.iter().all(|(_, n)| *n == 1), "{signal}: {after:?}");
    }
}
