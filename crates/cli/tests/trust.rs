//! The trust assessment on fixture servers (`tests/trust-fixtures/<case>`)
//! written for it, with expectations on the line they describe:
//!
//! - `trust: flow=SINK tool=T param=P guarded=true|false` on one of a flow's call sites;
//! - `trust: contradiction=HINT tool=T [incidental] [only=P=V,…]` on the registration that
//!   declares the annotation (`only=` the values of a dispatch argument it holds for, when not all);
//! - `trust: install=KIND` on an install-time item's line;
//! - `trust: resolve=T PARAM=VALUE [readonly] [destructive] [openworld]` on the
//!   branch a tool takes for one value of the argument it dispatches on: the
//!   inferred per-call annotations (Tool Resolution), naming the hints that are
//!   true;
//!
//! several per line separated by `;`. `expect.toml` lists install items with no
//! line to annotate (`install = ["npm-script package.json:6"]`). Every flow,
//! contradiction, install item and resolved value must be expected and every
//! expectation met.
//! SARIF output is validated with Microsoft's SARIF Multitool.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mcpwarden"))
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/trust-fixtures")
}

fn cases() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("tests/trust-fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

fn run(args: &[&str], cwd: &Path) -> (Value, i32) {
    let out = bin()
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run mcpwarden");
    let code = out.status.code().unwrap_or(-1);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, code)
}

/// Expectations written in the case's source files, as comparable strings.
fn expected(case: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for f in walk(case) {
        let rel = f
            .strip_prefix(case)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            let Some((_, spec)) = line.split_once("trust: ") else {
                continue;
            };
            for one in spec.split(';') {
                out.insert(format!("{rel}:{} {}", i + 1, one.trim()));
            }
        }
    }
    if let Ok(t) = std::fs::read_to_string(case.join("expect.toml")) {
        let v: toml::Table = t.parse().expect("expect.toml");
        for i in v
            .get("install")
            .and_then(|x| x.as_array())
            .into_iter()
            .flatten()
        {
            let (kind, at) = i.as_str().unwrap().split_once(' ').unwrap();
            out.insert(format!("{at} install={kind}"));
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.file_name().is_some_and(|n| n != "expect.toml") {
            out.push(p);
        }
    }
    out
}

/// What the assessment reports, in the expectations' form. A flow matches
/// an expectation on any of its call sites.
fn actual(doc: &Value, expected: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for f in doc["flows"].as_array().unwrap() {
        let spec = format!(
            "flow={} tool={} param={} guarded={}",
            f["sink"].as_str().unwrap(),
            f["tool"].as_str().unwrap(),
            f["param"].as_str().unwrap(),
            f["guarded"]
        );
        let sites: Vec<String> = f["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{} {spec}", e.as_str().unwrap()))
            .collect();
        out.insert(
            sites
                .iter()
                .find(|s| expected.contains(*s))
                .unwrap_or(&sites[0])
                .clone(),
        );
    }
    for c in doc["contradictions"].as_array().unwrap() {
        let only: Vec<&str> = c["only_for"]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap()).collect())
            .unwrap_or_default();
        out.insert(format!(
            "{} contradiction={} tool={}{}{}",
            c["declared_at"].as_str().unwrap(),
            c["hint"].as_str().unwrap(),
            c["tool"].as_str().unwrap(),
            if c["incidental"] == true {
                " incidental"
            } else {
                ""
            },
            if only.is_empty() {
                String::new()
            } else {
                format!(" only={}", only.join(","))
            }
        ));
    }
    for i in doc["install"].as_array().unwrap() {
        out.insert(format!(
            "{} install={}",
            i["evidence"].as_str().unwrap(),
            i["kind"].as_str().unwrap()
        ));
    }
    for t in doc["inferred"].as_array().unwrap() {
        let Some(r) = t.get("resolution") else {
            continue;
        };
        for (value, h) in r["values"].as_object().unwrap() {
            let mut spec = format!(
                "{} resolve={} {}={value}",
                h["at"].as_str().unwrap(),
                t["tool"].as_str().unwrap(),
                r["param"].as_str().unwrap()
            );
            for (hint, flag) in [
                ("readOnlyHint", "readonly"),
                ("destructiveHint", "destructive"),
                ("openWorldHint", "openworld"),
            ] {
                if h[hint] == true {
                    spec.push(' ');
                    spec.push_str(flag);
                }
            }
            out.insert(spec);
        }
    }
    out
}

#[test]
fn every_trust_fixture_meets_its_inline_expectations() {
    let mut failures = 0;
    for case in cases() {
        let (doc, code) = run(&["trust", ".", "--format", "json"], &case);
        assert_eq!(code, 0, "{}", case.display());
        let want = expected(&case);
        let got = actual(&doc, &want);
        let name = case.file_name().unwrap().to_string_lossy();
        for missing in want.difference(&got) {
            eprintln!("FAIL {name}: expected, not reported: {missing}");
            failures += 1;
        }
        for extra in got.difference(&want) {
            eprintln!("FAIL {name}: reported, not expected: {extra}");
            failures += 1;
        }
        // Every point of the score is a line with evidence.
        let lines = doc["score"]["lines"].as_array().unwrap();
        let spent: u64 = lines.iter().map(|l| l["points"].as_u64().unwrap()).sum();
        let score = doc["score"]["score"].as_u64().unwrap();
        assert!(
            score == 100u64.saturating_sub(spent)
                || doc["score"]["capped_by"]
                    .as_array()
                    .is_some_and(|a| !a.is_empty()),
            "{name}: score {score} is not 100 - {spent}"
        );
        assert!(
            lines
                .iter()
                .all(|l| !l["evidence"].as_str().unwrap().is_empty()),
            "{name}: a score line without evidence"
        );
    }
    assert_eq!(
        failures, 0,
        "trust fixtures do not meet their expectations (see above)"
    );
}

fn grade(case: &str) -> (u64, String) {
    let (doc, _) = run(&["trust", ".", "--format", "json"], &fixtures().join(case));
    (
        doc["score"]["score"].as_u64().unwrap(),
        doc["score"]["grade"].as_str().unwrap().to_string(),
    )
}

#[test]
fn grades_follow_the_evidence() {
    let (fixed, g) = grade("ts-fixed-read");
    assert_eq!(g, "A", "a server that only reads a fixed file");
    for risky in ["ts-flows", "py-flows", "go-annotations"] {
        let (s, g) = grade(risky);
        assert!(
            s < fixed,
            "{risky} ({s}) must grade below ts-fixed-read ({fixed})"
        );
        assert_eq!(g, "F", "{risky} runs model-chosen shell commands");
    }
}

#[test]
fn fail_on_and_baseline_gate_a_build() {
    let case = fixtures().join("ts-flows");
    let gate = |extra: &[&str]| {
        let mut args = vec!["trust", ".", "--format", "json"];
        args.extend_from_slice(extra);
        bin().args(&args).current_dir(&case).output().unwrap()
    };
    assert_eq!(gate(&["--fail-on", "risky-flow"]).status.code(), Some(1));
    assert_eq!(gate(&["--fail-on", "sys.shell"]).status.code(), Some(1));
    assert_eq!(gate(&["--fail-on", "grade<C"]).status.code(), Some(1));
    assert_eq!(gate(&["--fail-on", "mem.native"]).status.code(), Some(0));
    assert_eq!(gate(&["--fail-on", "nonsense"]).status.code(), Some(2));
    let fixed = fixtures().join("ts-fixed-read");
    let ok = bin()
        .args(["trust", ".", "--fail-on", "risky-flow,grade<B"])
        .current_dir(&fixed)
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
    // A baseline of the same code: nothing new, the gate passes.
    let dir = std::env::temp_dir().join(format!("mcpwarden-trust-baseline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = dir.join("base.json");
    std::fs::write(&base, gate(&[]).stdout).unwrap();
    let b = base.to_str().unwrap();
    assert_eq!(
        gate(&["--fail-on", "risky-flow,sys.shell", "--baseline", b])
            .status
            .code(),
        Some(0)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// SARIF of the scan and of the assessment, for every fixture.
fn sarif_logs() -> Vec<(String, String)> {
    let mut out = vec![];
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        for (what, args) in [
            ("trust", vec!["trust", ".", "--format", "sarif"]),
            ("scan", vec!["scan", ".", "--format", "sarif"]),
        ] {
            let o = bin().args(&args).current_dir(&case).output().unwrap();
            out.push((
                format!("{name}.{what}"),
                String::from_utf8(o.stdout).unwrap(),
            ));
        }
    }
    out
}

#[test]
fn sarif_is_stable_and_golden() {
    let logs = sarif_logs();
    let again = sarif_logs();
    assert_eq!(logs, again, "SARIF output is deterministic");
    let (_, ts) = logs.iter().find(|(n, _)| n == "ts-flows.trust").unwrap();
    let mut v: Value = serde_json::from_str(ts).unwrap();
    v["runs"][0]["tool"]["driver"]["version"] = "VERSION".into();
    insta::assert_json_snapshot!("ts_flows_trust_sarif", v);
}

#[test]
fn sarif_validates_with_the_multitool() {
    let deps = std::env::var("MCPWARDEN_TEST_DEPS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-deps"));
    let mt = deps.join("node/node_modules/@microsoft/sarif-multitool-linux");
    let exe = mt.join("Sarif.Multitool");
    if !exe.is_file() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI: SARIF Multitool missing at {} (run .ci/deps.sh)",
            exe.display()
        );
        println!(
            "SKIP sarif_validates_with_the_multitool: no {} (run .ci/deps.sh)",
            exe.display()
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("mcpwarden-sarif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, log) in sarif_logs() {
        let input = dir.join(format!("{name}.sarif"));
        let output = dir.join(format!("{name}.validation.sarif"));
        std::fs::write(&input, log).unwrap();
        let o = Command::new(&exe)
            .args(["validate", "-j"])
            .arg(mt.join("sarif-2.1.0.json"))
            .arg(&input)
            .arg("-o")
            .arg(&output)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{name}: multitool failed: {}",
            String::from_utf8_lossy(&o.stdout)
        );
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
        let problems: Vec<String> = v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| matches!(r["level"].as_str(), Some("error") | Some("warning") | None))
            .map(|r| format!("{} {}", r["ruleId"], r["message"]))
            .collect();
        assert!(
            problems.is_empty(),
            "{name}: SARIF Multitool reports:\n{}",
            problems.join("\n")
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `diff` on published versions whose privileges changed (and one whose did
/// not): needs the registries or a warm cache ($MCPWARDEN_CACHE_DIR).
#[test]
fn diff_reports_privilege_growth_between_real_versions() {
    let cases: &[(&str, &str, i32, &str)] = &[
        // 0.6.2 had 9 file tools; later versions add edit_file, read_media_file, ...
        (
            "npm:@modelcontextprotocol/server-filesystem@0.6.2",
            "npm:@modelcontextprotocol/server-filesystem@2025.7.29",
            1,
            "+ tool edit_file",
        ),
        // git_branch, git_checkout, git_init, ... are new tools running `git`.
        (
            "pypi:mcp-server-git==0.4.1",
            "pypi:mcp-server-git==2025.7.1",
            1,
            "+ tool git_checkout",
        ),
        // Issue and pull-request tools reaching api.github.com.
        (
            "npm:@modelcontextprotocol/server-github@0.6.2",
            "npm:@modelcontextprotocol/server-github@2025.4.8",
            1,
            "+ tool get_pull_request",
        ),
        // 0.1.0 parsed pages in Python; 0.6.2 passes use_readability=True,
        // which runs Readability.js under node on a temporary file.
        (
            "pypi:mcp-server-fetch==0.1.0",
            "pypi:mcp-server-fetch==0.6.2",
            1,
            "+ tool fetch: exec node",
        ),
        // Same single fetch tool, the same hosts and programs: no growth.
        (
            "pypi:mcp-server-fetch==0.6.2",
            "pypi:mcp-server-fetch==2025.1.17",
            0,
            "did not grow",
        ),
    ];
    for (old, new, code, line) in cases {
        let o = bin().args(["diff", old, new]).output().unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        if o.status.code() == Some(2) {
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                std::env::var_os("CI").is_none(),
                "CI: diff {old} {new} could not fetch: {err}"
            );
            println!("SKIP diff_reports_privilege_growth_between_real_versions: {err}");
            return;
        }
        assert_eq!(o.status.code(), Some(*code), "diff {old} {new}:\n{out}");
        assert!(
            out.contains(line),
            "diff {old} {new} lacks `{line}`:\n{out}"
        );
    }
}

#[test]
fn lint_profile_compares_declarations_with_the_code() {
    let profiles = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/profiles");
    let lint = |profile: &str, case: &str| {
        let o = bin()
            .args(["lint-profile", "--format", "json"])
            .arg(profiles.join(profile))
            .arg(fixtures().join(case))
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        let got: BTreeSet<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                format!(
                    "{} {}",
                    p["check"].as_str().unwrap(),
                    p["subject"].as_str().unwrap()
                )
            })
            .collect();
        (o.status.code(), got)
    };
    let set = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        lint("ts-flows.server.json", "ts-flows"),
        (Some(1), set(&["unused-env TS_FLOWS_API_KEY"]))
    );
    assert_eq!(
        lint("py-flows.empty.server.json", "py-flows"),
        (Some(1), set(&["undeclared-env NOTES_DIR"]))
    );
    assert_eq!(
        lint("js-install.toolhive.json", "js-install"),
        (
            Some(1),
            set(&[
                "missing-host github.com",
                "unused-host objects.githubusercontent.com"
            ])
        )
    );
    let bad = bin()
        .args(["lint-profile", "/nonexistent.json", "."])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
