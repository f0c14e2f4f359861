//! The fixture harness: scans every server under `tests/fixtures/<group>/<case>/`
//! and compares the report with the inline expectations written on the source
//! lines (see `tests/fixtures/README.md`) and the optional `expect.toml`.

use mcpwarden_analyze::{scan, Options};
use mcpwarden_model::{EntryKind, Finding, ServerReport};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Clone)]
struct Expect {
    kinds: BTreeSet<String>,
    attrs: Vec<(String, String)>,
    none: bool,
    tools: Vec<String>,
    missing: BTreeSet<String>,
    spurious: BTreeSet<String>,
    has_expect: bool,
}

const MARKERS: &[&str] = &[
    "expect-none",
    "expect-tool:",
    "expect:",
    "MISSING:",
    "SPURIOUS:",
];

/// Split `value="a b" tool=x net.http` into tokens, honouring quotes.
fn tokens(s: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn parse_line(line: &str) -> Option<Expect> {
    // The comment that holds the annotations: the first `//` or `#` (a URL's
    // `//` inside an annotation does not count).
    let first_marker = MARKERS.iter().filter_map(|m| line.find(m)).min()?;
    let comment = [
        line[..first_marker].rfind("//"),
        line[..first_marker].rfind('#'),
    ]
    .into_iter()
    .flatten()
    .min()
    .map(|i| &line[i..])?;
    let mut e = Expect::default();
    let mut found = false;
    // Positions of every marker in the comment, in order.
    let mut spots: Vec<(usize, &str)> = vec![];
    for m in MARKERS {
        let mut from = 0;
        while let Some(i) = comment[from..].find(m) {
            let at = from + i;
            // `expect-none` contains `expect`; `expect:` must not match inside `expect-tool:`.
            if !spots.iter().any(|(s, mm)| *s <= at && at < s + mm.len()) {
                spots.push((at, m));
            }
            from = at + m.len();
        }
    }
    spots.sort();
    for (i, (at, m)) in spots.iter().enumerate() {
        let end = spots.get(i + 1).map(|(s, _)| *s).unwrap_or(comment.len());
        let body = comment[at + m.len()..end].trim();
        found = true;
        match *m {
            "expect-none" => e.none = true,
            "expect-tool:" => e.tools.extend(tokens(body).into_iter().take(1)),
            "expect:" => {
                e.has_expect = true;
                for t in tokens(body) {
                    match t.split_once('=') {
                        Some((k, v)) => e.attrs.push((k.to_string(), v.to_string())),
                        None if t.contains('.') => {
                            e.kinds.insert(t);
                        }
                        None => {}
                    }
                }
            }
            "MISSING:" => e
                .missing
                .extend(tokens(body).into_iter().filter(|t| t.contains('.'))),
            "SPURIOUS:" => e
                .spurious
                .extend(tokens(body).into_iter().filter(|t| t.contains('.'))),
            _ => {}
        }
    }
    found.then_some(e)
}

fn source_files(dir: &Path, root: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            source_files(&p, root, out);
        } else if ft.is_file() && mcpwarden_lang::Lang::from_path(&p.to_string_lossy()).is_some() {
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, p));
        }
    }
}

#[path = "fixtures/manifest_check.rs"]
mod manifest_check;

fn check_attr(f: &Finding, k: &str, v: &str) -> Option<String> {
    if manifest_check::KEYS.contains(&k) {
        return None; // checked against the manifest
    }
    let actual = match k {
        "reach" => f.reach.as_str().to_string(),
        "part" => f.part.as_str().to_string(),
        "tool" | "tools" => {
            if f.tools.is_empty() {
                "-".to_string()
            } else {
                f.tools.join(",")
            }
        }
        "value" => f.value.clone().unwrap_or_else(|| "-".into()),
        "api" => f.api.clone(),
        "via" => f.via.clone().unwrap_or_else(|| "-".into()),
        "resource" => f.resource.as_str().to_string(),
        _ => return Some(format!("unknown attribute `{k}`")),
    };
    let expected = if k == "tool" || k == "tools" {
        let mut v: Vec<&str> = v.split(',').collect();
        v.sort();
        v.join(",")
    } else {
        v.to_string()
    };
    (actual != expected).then(|| {
        format!(
            "{} {k}: expected `{expected}`, got `{actual}`",
            f.kind.as_str()
        )
    })
}

fn set_of(v: &toml::Value) -> BTreeSet<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn check_case(dir: &Path) -> (usize, Vec<String>) {
    let report: ServerReport = match scan(dir, &Options::default()) {
        Ok(r) => r,
        Err(e) => return (0, vec![format!("scan failed: {e}")]),
    };
    let mut errors = vec![];
    let mut checked = 0usize;
    let mut files = vec![];
    source_files(dir, dir, &mut files);
    let mut expects: BTreeMap<(String, u32), Expect> = BTreeMap::new();
    for (rel, path) in &files {
        let raw = std::fs::read(path).unwrap_or_default();
        let text = String::from_utf8(mcpwarden_analyze::source::decode(raw)).unwrap_or_default();
        for (i, line) in text.lines().enumerate() {
            if let Some(e) = parse_line(line) {
                expects.insert((rel.clone(), i as u32 + 1), e);
            }
        }
    }
    let mut at: BTreeMap<(String, u32), Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        at.entry((f.file.clone(), f.line)).or_default().push(f);
    }
    // Every finding is expected.
    for ((file, line), fs) in &at {
        let e = expects.get(&(file.clone(), *line));
        for f in fs {
            let k = f.kind.as_str();
            let ok = e
                .map(|e| e.kinds.contains(k) || e.spurious.contains(k))
                .unwrap_or(false);
            if !ok {
                let hint = if e.map(|e| e.missing.contains(k)).unwrap_or(false) {
                    " (MISSING is now found: turn it into expect:)"
                } else {
                    ""
                };
                errors.push(format!("{file}:{line}: unexpected {k} ({}){hint}", f.api));
            }
        }
    }
    let manifest = mcpwarden_policy::derive::derive(&report, "fixture", "test");
    errors.extend(manifest_check::check_covers_scan(&report, &manifest));
    let mut expected_tools: BTreeSet<String> = BTreeSet::new();
    for ((file, line), e) in &expects {
        if e.has_expect {
            errors.extend(manifest_check::check_line(&manifest, file, *line, &e.attrs));
        }
        let here: Vec<&Finding> = at.get(&(file.clone(), *line)).cloned().unwrap_or_default();
        let kinds: BTreeSet<String> = here.iter().map(|f| f.kind.as_str().to_string()).collect();
        if e.none && !here.is_empty() {
            errors.push(format!(
                "{file}:{line}: expect-none but found {}",
                kinds.iter().cloned().collect::<Vec<_>>().join(" ")
            ));
        }
        if e.has_expect {
            checked += 1;
            for k in &e.kinds {
                if !kinds.contains(k) {
                    errors.push(format!(
                        "{file}:{line}: expected {k}, found {}",
                        if kinds.is_empty() {
                            "nothing".to_string()
                        } else {
                            kinds.iter().cloned().collect::<Vec<_>>().join(" ")
                        }
                    ));
                }
            }
            // `resources=network,file`: the set of resource classes over the line's
            // findings (a client whose mode is chosen at startup counts both).
            if let Some((_, v)) = e.attrs.iter().find(|(k, _)| k == "resources") {
                let want: BTreeSet<&str> = v.split(',').collect();
                let got: BTreeSet<&str> = here.iter().map(|f| f.resource.as_str()).collect();
                if want != got {
                    errors.push(format!(
                        "{file}:{line}: resources: expected `{v}`, got `{}`",
                        got.into_iter().collect::<Vec<_>>().join(",")
                    ));
                }
            }
            for f in here.iter().filter(|f| e.kinds.contains(f.kind.as_str())) {
                for (k, v) in e.attrs.iter().filter(|(k, _)| k != "resources") {
                    if let Some(msg) = check_attr(f, k, v) {
                        errors.push(format!("{file}:{line}: {msg}"));
                    }
                }
            }
        }
        for k in &e.missing {
            checked += 1;
            let _ = k;
        }
        for k in &e.spurious {
            if !kinds.contains(k) {
                errors.push(format!(
                    "{file}:{line}: SPURIOUS {k} is gone: remove the annotation"
                ));
            }
        }
        for t in &e.tools {
            checked += 1;
            expected_tools.insert(t.clone());
            let found = report.tools.iter().any(|x| {
                x.entry == Some(EntryKind::Tool)
                    && &x.name == t
                    && &x.file == file
                    && x.line == *line
            });
            if !found {
                let elsewhere: Vec<String> = report
                    .tools
                    .iter()
                    .filter(|x| &x.name == t)
                    .map(|x| format!("{}:{}", x.file, x.line))
                    .collect();
                errors.push(format!(
                    "{file}:{line}: expected tool `{t}`{}",
                    if elsewhere.is_empty() {
                        " (not found)".to_string()
                    } else {
                        format!(" (found at {})", elsewhere.join(", "))
                    }
                ));
            }
        }
    }
    for t in report
        .tools
        .iter()
        .filter(|t| t.entry == Some(EntryKind::Tool))
    {
        if !expected_tools.contains(&t.name) {
            errors.push(format!(
                "{}:{}: unexpected tool `{}`",
                t.file, t.line, t.name
            ));
        }
    }
    // Server-level facts.
    if let Ok(text) = std::fs::read_to_string(dir.join("expect.toml")) {
        let v: toml::Value = match toml::from_str(&text) {
            Ok(v) => v,
            Err(e) => return (checked, vec![format!("expect.toml: {e}")]),
        };
        let res_set = |s: &mcpwarden_model::ResourceSet| {
            s.iter()
                .map(|r| r.as_str().to_string())
                .collect::<BTreeSet<_>>()
        };
        let mut cmp = |key: &str, actual: BTreeSet<String>, exact: bool| {
            if let Some(x) = v.get(key) {
                checked += 1;
                let want = set_of(x);
                let ok = if exact {
                    want == actual
                } else {
                    want.is_subset(&actual)
                };
                if !ok {
                    errors.push(format!(
                        "expect.toml {key}: expected {want:?}, got {actual:?}"
                    ));
                }
            }
        };
        cmp("resources", res_set(&report.resources), true);
        cmp(
            "reachable_resources",
            res_set(&report.reachable_resources),
            true,
        );
        cmp(
            "tools",
            report
                .tools
                .iter()
                .filter(|t| t.entry == Some(EntryKind::Tool))
                .map(|t| t.name.clone())
                .collect(),
            true,
        );
        cmp("sdk", report.sdk.iter().cloned().collect(), false);
        cmp(
            "languages",
            report.languages.iter().cloned().collect(),
            true,
        );
        cmp("opaque", report.opaque.iter().cloned().collect(), true);
        cmp("bundled", report.bundled.iter().cloned().collect(), true);
        // `gap` is read by the runner (see `known_gap`).
        if let Some(sk) = v.get("skipped").and_then(|x| x.as_array()) {
            for pair in sk {
                checked += 1;
                let p: Vec<&str> = pair
                    .as_array()
                    .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
                    .unwrap_or_default();
                if p.len() != 2 {
                    errors.push(format!("expect.toml skipped: bad entry {pair}"));
                    continue;
                }
                let ok = report
                    .skipped
                    .iter()
                    .any(|s| s.path.starts_with(p[0]) && s.reason.starts_with(p[1]));
                if !ok {
                    errors.push(format!(
                        "expect.toml skipped: no ({}, {}) in {:?}",
                        p[0], p[1], report.skipped
                    ));
                }
            }
        }
    }
    (checked, errors)
}

fn known_gap(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("expect.toml")).ok()?;
    let v: toml::Value = toml::from_str(&text).ok()?;
    v.get("gap").and_then(|g| g.as_str()).map(str::to_string)
}

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn cases() -> Vec<PathBuf> {
    let mut out = vec![];
    for group in std::fs::read_dir(fixtures_root())
        .expect("tests/fixtures exists")
        .flatten()
    {
        if !group.path().is_dir() {
            continue;
        }
        for case in std::fs::read_dir(group.path()).unwrap().flatten() {
            if case.path().is_dir() {
                out.push(case.path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_fixture_meets_its_inline_expectations() {
    let only = std::env::var("FIXTURE").ok();
    let mut failed = 0;
    let mut gaps = 0;
    let mut total_checked = 0;
    let all = cases();
    assert!(
        all.len() >= 25,
        "expected at least 25 fixture servers, found {}",
        all.len()
    );
    let mut ran = 0;
    for dir in &all {
        let name = dir
            .strip_prefix(fixtures_root())
            .unwrap()
            .to_string_lossy()
            .to_string();
        if let Some(o) = &only {
            if !name.contains(o.as_str()) {
                continue;
            }
        }
        ran += 1;
        let (checked, errors) = check_case(dir);
        total_checked += checked;
        // A known gap: the fixture states the right behaviour, the analyser does not
        // meet it yet. Reported, not failed; once it passes, the marker must go.
        if let Some(gap) = known_gap(dir) {
            if errors.is_empty() {
                failed += 1;
                eprintln!("FAIL {name}: passes now, remove `gap` from its expect.toml ({gap})");
            } else {
                gaps += 1;
                eprintln!("GAP  {name} ({} differences): {gap}", errors.len());
            }
            continue;
        }
        if !errors.is_empty() {
            failed += 1;
            eprintln!("FAIL {name} ({} problems)", errors.len());
            for e in &errors {
                eprintln!("    {e}");
            }
        }
        assert!(
            checked > 0 || !errors.is_empty(),
            "{name}: no expectation checked"
        );
    }
    eprintln!(
        "{ran} fixture servers, {total_checked} expectations, {failed} failing, {gaps} known gaps"
    );
    assert_eq!(
        failed, 0,
        "{failed} fixture servers do not meet their expectations (see above)"
    );
}

#[test]
fn annotation_parser_reads_every_form() {
    let e = parse_line(
        r#"  run(x)  # expect: sys.exec sys.shell tool=a,b value="git status" reach=tool"#,
    )
    .unwrap();
    assert_eq!(e.kinds.len(), 2);
    assert!(e.attrs.contains(&("value".into(), "git status".into())));
    let e = parse_line("server.tool('x', f) // expect-tool: x").unwrap();
    assert_eq!(e.tools, vec!["x".to_string()]);
    assert!(!e.has_expect);
    let e = parse_line("x() // expect-none").unwrap();
    assert!(e.none);
    let e = parse_line("y() # expect: net.http MISSING: sys.env").unwrap();
    assert!(
        e.kinds.contains("net.http")
            && e.missing.contains("sys.env")
            && !e.kinds.contains("sys.env")
    );
    assert!(parse_line("plain() // nothing").is_none());
}
