//! SARIF 2.1.0 for code-scanning UIs: one rule per capability kind and per
//! trust check, a result per finding / flow / contradiction / install item,
//! `codeFlows` carrying the call chain from the tool's handler to the API,
//! and `partialFingerprints` that ignore line numbers so a finding keeps its
//! identity across commits.

use super::Assessment;
use mcpwarden_model::{Finding, Kind, Part, Reach, ServerReport};
use serde_json::{json, Value};

pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A SARIF log of a scan, plus the trust checks when given.
pub fn sarif(report: &ServerReport, trust: Option<&Assessment>, version: &str) -> Value {
    let mut rules = Rules::default();
    let mut results = vec![];
    for f in report.findings.iter().filter(|f| f.part == Part::Server) {
        results.push(finding_result(&mut rules, report, f));
    }
    if let Some(a) = trust {
        trust_results(&mut rules, a, &mut results);
    }
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mcpwarden",
                "version": version,
                "informationUri": "https://github.com/mcpwarden/mcpwarden",
                "rules": rules.list,
            }},
            "results": results,
        }]
    })
}

#[derive(Default)]
struct Rules {
    list: Vec<Value>,
    ids: Vec<String>,
}

impl Rules {
    /// Index of a rule, added on first use.
    fn index(&mut self, id: &str, text: &str, level: &str) -> usize {
        if let Some(i) = self.ids.iter().position(|x| x == id) {
            return i;
        }
        self.ids.push(id.to_string());
        self.list.push(json!({
            "id": id,
            "name": pascal(id),
            "shortDescription": {"text": text},
            "defaultConfiguration": {"level": level},
        }));
        self.ids.len() - 1
    }
}

fn kind_text(k: Kind) -> String {
    format!(
        "Uses a `{k}` capability ({} resource)",
        k.default_resource()
    )
}

fn finding_result(rules: &mut Rules, report: &ServerReport, f: &Finding) -> Value {
    let level = if f.kind.is_high_risk() {
        "warning"
    } else {
        "note"
    };
    let id = format!("kind/{}", f.kind);
    let idx = rules.index(&id, &kind_text(f.kind), level);
    let tools = if f.tools.is_empty() {
        format!("reach: {}", f.reach.as_str())
    } else {
        format!("reached by tools: {}", f.tools.join(", "))
    };
    let mut r = json!({
        "ruleId": id,
        "ruleIndex": idx,
        "level": level,
        "message": {"text": format!("{} via `{}` ({tools})", f.kind, f.api)},
        "locations": [location(&f.file, f.line, Some(f.column), None)],
        "partialFingerprints": {"mcpwarden/v1": fingerprint(&[&id, &f.file, &f.function, &f.api, &f.tools.join(",")])},
    });
    if f.reach == Reach::Tool {
        let at = format!("{}:{}", f.file, f.line);
        let chain = f.tools.iter().find_map(|t| {
            let c = super::chain(report, t, f.kind);
            (c.last().is_some_and(|s| s.starts_with(&format!("{at} ")))).then_some(c)
        });
        if let Some(c) = chain.filter(|c| !c.is_empty()) {
            r["codeFlows"] = code_flows(&c);
        }
    }
    r
}

fn trust_results(rules: &mut Rules, a: &Assessment, out: &mut Vec<Value>) {
    for f in &a.flows {
        let id = format!("flow/{}", f.sink.as_str());
        let level = if f.guarded { "warning" } else { "error" };
        let idx = rules.index(&id, &capital(f.sink.describe()), "error");
        let (file, line) = split(f.evidence.first().map(String::as_str).unwrap_or(""));
        let guards = if f.guarded {
            format!("; containment check seen: {}", f.guards.join(", "))
        } else {
            "; no containment check seen".into()
        };
        let mut r = json!({
            "ruleId": id, "ruleIndex": idx, "level": level,
            "message": {"text": format!("Tool `{}` parameter `{}` reaches {} ({}){guards}", f.tool, f.param, f.kind, f.sink.as_str())},
            "locations": [location(file, line, None, None)],
            "partialFingerprints": {"mcpwarden/v1": fingerprint(&[&id, &f.tool, &f.param, file])},
        });
        if !f.chain.is_empty() {
            r["codeFlows"] = code_flows(&f.chain);
        }
        out.push(r);
    }
    for c in &a.contradictions {
        let id = format!("annotation/{}", c.hint);
        let idx = rules.index(
            &id,
            &format!("A declared `{}` the code contradicts", c.hint),
            "warning",
        );
        let (file, line) = split(&c.declared_at);
        let level = if c.incidental { "note" } else { "warning" };
        let mut own = if c.incidental {
            " (own-state housekeeping)".to_string()
        } else {
            String::new()
        };
        if !c.only_for.is_empty() {
            own.push_str(&format!(" (only for {})", c.only_for.join(", ")));
        }
        let mut r = json!({
            "ruleId": id, "ruleIndex": idx, "level": level,
            "message": {"text": format!("Tool `{}` declares {}: {} but reaches {}{own}", c.tool, c.hint, c.declared, c.kind)},
            "locations": [location(file, line, None, None)],
            "partialFingerprints": {"mcpwarden/v1": fingerprint(&[&id, &c.tool, file])},
        });
        if !c.chain.is_empty() {
            r["codeFlows"] = code_flows(&c.chain);
        }
        out.push(r);
    }
    for i in &a.install {
        let kind = serde_json::to_value(i.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let id = format!("install/{kind}");
        let idx = rules.index(
            &id,
            "Code that runs at install time, before any sandbox",
            "warning",
        );
        let (file, line) = split(&i.evidence);
        out.push(json!({
            "ruleId": id, "ruleIndex": idx, "level": "warning",
            "message": {"text": format!("Runs at install: {}", i.detail)},
            "locations": [location(file, line, None, None)],
            "partialFingerprints": {"mcpwarden/v1": fingerprint(&[&id, file, &i.detail])},
        }));
    }
}

/// `kind/sys.shell` → `KindSysShell`: a readable name distinct from the id.
fn pascal(id: &str) -> String {
    id.split(['/', '.', '-', '_']).map(capital).collect()
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// `file:line` → (file, line); a bare file is line 1.
fn split(ev: &str) -> (&str, u32) {
    match ev.rsplit_once(':') {
        Some((f, l)) if l.parse::<u32>().is_ok() => (f, l.parse().unwrap_or(1).max(1)),
        _ => (ev, 1),
    }
}

fn location(file: &str, line: u32, column: Option<u32>, msg: Option<&str>) -> Value {
    let mut region = json!({"startLine": line.max(1)});
    if let Some(c) = column.filter(|c| *c > 0) {
        region["startColumn"] = json!(c);
    }
    let mut l = json!({"physicalLocation": {
        "artifactLocation": {"uri": uri(file)},
        "region": region,
    }});
    if let Some(m) = msg {
        l["message"] = json!({"text": m});
    }
    l
}

/// A relative URI reference: `%`, spaces and `#`/`?` escaped.
fn uri(file: &str) -> String {
    let mut s = String::new();
    for c in file.chars() {
        match c {
            '%' => s.push_str("%25"),
            ' ' => s.push_str("%20"),
            '#' => s.push_str("%23"),
            '?' => s.push_str("%3F"),
            _ => s.push(c),
        }
    }
    if s.is_empty() {
        s.push('.');
    }
    s
}

/// Chain steps `file:line name` as one thread flow.
fn code_flows(steps: &[String]) -> Value {
    let locs: Vec<Value> = steps
        .iter()
        .map(|s| {
            let (place, name) = s.split_once(' ').unwrap_or((s, ""));
            let (file, line) = split(place);
            json!({"location": location(file, line, None, Some(if name.is_empty() { place } else { name }))})
        })
        .collect();
    json!([{"threadFlows": [{"locations": locs}]}])
}

/// FNV-1a 64 of the parts: stable across runs and platforms.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    format!("{h:016x}")
}
