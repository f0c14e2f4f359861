//! The trust score: 100 minus the points of each rule of the rubric
//! (`data/trust-rubric.toml`), every point a line with evidence, and a grade.

use super::flows::{Flow, Sink};
use super::honesty::Contradiction;
use super::install::InstallItem;
use crate::{Access, Manifest, Provenance};
use mcpwarden_model::{Kind, Reach, ServerReport};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const RUBRIC: &str = include_str!("../../data/trust-rubric.toml");

/// Rule ids the scorer knows; the rubric may not name others.
pub const RULE_IDS: &[&str] = &[
    "flow.command-injection",
    "flow.code-injection",
    "flow.program-choice",
    "flow.deserialisation",
    "flow.ssrf",
    "flow.file-path",
    "unconfinable.eval",
    "unconfinable.native",
    "unconfinable.opaque",
    "install",
    "contradiction",
    "contradiction.incidental",
    "breadth.class",
    "breadth.exec",
    "breadth.fs-write",
    "secrets",
];

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub what: String,
    pub points: u32,
    #[serde(default)]
    pub guarded: Option<u32>,
    pub cap: u32,
    #[serde(default)]
    pub max_score: Option<u32>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    pub grades: BTreeMap<String, u32>,
    pub rule: Vec<Rule>,
}

impl Rubric {
    /// Parse and validate a rubric; errors say what is wrong.
    pub fn parse(text: &str) -> Result<Rubric, String> {
        let r: Rubric = toml::from_str(text).map_err(|e| format!("trust rubric: {e}"))?;
        let mut seen = std::collections::BTreeSet::new();
        for rule in &r.rule {
            if !RULE_IDS.contains(&rule.id.as_str()) {
                return Err(format!("trust rubric: unknown rule id `{}`", rule.id));
            }
            if !seen.insert(rule.id.clone()) {
                return Err(format!("trust rubric: rule `{}` twice", rule.id));
            }
            if rule.guarded.is_some_and(|g| g > rule.points) || rule.cap < rule.points {
                return Err(format!(
                    "trust rubric: rule `{}` needs guarded <= points <= cap",
                    rule.id
                ));
            }
            if rule.max_score.is_some_and(|m| m > 100) {
                return Err(format!("trust rubric: rule `{}` max_score > 100", rule.id));
            }
        }
        let g = |k: &str| r.grades.get(k).copied();
        match (g("A"), g("B"), g("C"), g("D")) {
            (Some(a), Some(b), Some(c), Some(d)) if a <= 100 && a > b && b > c && c > d => {}
            _ => return Err("trust rubric: grades need 100 >= A > B > C > D".into()),
        }
        if r.grades.len() != 4 {
            return Err("trust rubric: grades are exactly A, B, C, D (below D is F)".into());
        }
        Ok(r)
    }

    /// The rubric compiled into the binary (validated by a test).
    pub fn embedded() -> &'static Rubric {
        static R: std::sync::OnceLock<Rubric> = std::sync::OnceLock::new();
        R.get_or_init(|| Rubric::parse(RUBRIC).expect("embedded trust rubric is valid"))
    }

    fn rule(&self, id: &str) -> Option<&Rule> {
        self.rule.iter().find(|r| r.id == id)
    }

    pub fn grade(&self, score: u32) -> char {
        for g in ['A', 'B', 'C', 'D'] {
            if score >= self.grades[&g.to_string()] {
                return g;
            }
        }
        'F'
    }
}

/// One deduction: a rule, its points and the evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub rule: String,
    pub points: u32,
    pub what: String,
    pub evidence: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub score: u32,
    pub grade: char,
    pub lines: Vec<Line>,
    /// Rules whose `max_score` capped the score.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capped_by: Vec<String>,
}

/// A matched item before the rubric prices it.
struct Hit {
    rule: String,
    guarded: bool,
    what: String,
    evidence: String,
}

pub fn score(
    rubric: &Rubric,
    report: &ServerReport,
    manifest: &Manifest,
    flows: &[Flow],
    install: &[InstallItem],
    contradictions: &[Contradiction],
) -> Score {
    let hits = hits(report, manifest, flows, install, contradictions);
    let mut lines = vec![];
    let mut spent: BTreeMap<String, u32> = BTreeMap::new();
    let mut ceiling = 100;
    let mut capped_by = vec![];
    for h in hits {
        let Some(rule) = rubric.rule(&h.rule) else {
            continue;
        };
        let want = if h.guarded {
            rule.guarded.unwrap_or(rule.points)
        } else {
            rule.points
        };
        let used = spent.entry(h.rule.clone()).or_default();
        let points = want.min(rule.cap - *used);
        *used += points;
        if let (Some(m), false) = (rule.max_score, h.guarded) {
            if m < ceiling {
                ceiling = m;
            }
            if !capped_by.contains(&rule.id) {
                capped_by.push(rule.id.clone());
            }
        }
        lines.push(Line {
            rule: h.rule,
            points,
            what: h.what,
            evidence: h.evidence,
        });
    }
    let total: u32 = lines.iter().map(|l| l.points).sum();
    let score = 100u32.saturating_sub(total).min(ceiling);
    if score == 100u32.saturating_sub(total) {
        capped_by.clear();
    }
    Score {
        score,
        grade: rubric.grade(score),
        lines,
        capped_by,
    }
}

fn hit(rule: &str, guarded: bool, what: String, evidence: String) -> Hit {
    Hit {
        rule: rule.into(),
        guarded,
        what,
        evidence,
    }
}

fn hits(
    report: &ServerReport,
    m: &Manifest,
    flows: &[Flow],
    install: &[InstallItem],
    contradictions: &[Contradiction],
) -> Vec<Hit> {
    let mut out = vec![];
    // The worst flows first, so caps keep the lines that matter.
    for sink in Sink::ALL {
        for f in flows.iter().filter(|f| f.sink == sink) {
            let what = format!(
                "tool `{}` parameter `{}`: {}{}",
                f.tool,
                f.param,
                sink.describe(),
                if f.guarded {
                    " (containment check seen)"
                } else {
                    ""
                }
            );
            let ev = f.evidence.first().cloned().unwrap_or_default();
            out.push(hit(&format!("flow.{}", sink.as_str()), f.guarded, what, ev));
        }
    }
    fn reachable<'a>(
        r: &'a ServerReport,
        k: &'a [Kind],
    ) -> impl Iterator<Item = &'a mcpwarden_model::Finding> {
        r.findings.iter().filter(move |f| {
            k.contains(&f.kind) && matches!(f.reach, Reach::Tool | Reach::Handler | Reach::Startup)
        })
    }
    let code_flow = flows
        .iter()
        .any(|f| matches!(f.sink, Sink::CodeInjection | Sink::Deserialisation));
    if let Some(f) = reachable(report, &[Kind::SysEval])
        .next()
        .filter(|_| !code_flow)
    {
        out.push(hit(
            "unconfinable.eval",
            false,
            format!("{} reachable", f.api),
            format!("{}:{}", f.file, f.line),
        ));
    }
    for f in reachable(report, &[Kind::MemNative, Kind::MemUnsafe]).take(4) {
        out.push(hit(
            "unconfinable.native",
            false,
            format!("{} {}", f.kind, f.api),
            format!("{}:{}", f.file, f.line),
        ));
    }
    for o in &report.opaque {
        out.push(hit(
            "unconfinable.opaque",
            false,
            format!("shipped binary {o}"),
            o.clone(),
        ));
    }
    // A registry tarball's `prepare` never runs on the user's machine.
    for i in install
        .iter()
        .filter(|i| i.runs_on_install(&m.server.source))
    {
        out.push(hit(
            "install",
            false,
            format!("{:?}: {}", i.kind, i.detail),
            i.evidence.clone(),
        ));
    }
    for c in contradictions {
        let what = format!(
            "tool `{}` declares {}={} but reaches {}",
            c.tool, c.hint, c.declared, c.kind
        );
        let rule = if c.incidental {
            "contradiction.incidental"
        } else {
            "contradiction"
        };
        out.push(hit(rule, false, what, c.declared_at.clone()));
    }
    for r in report.reachable_resources.iter() {
        let ev = reachable(report, Kind::ALL)
            .find(|f| f.resource == r)
            .map(|f| format!("{}:{}", f.file, f.line))
            .unwrap_or_default();
        out.push(hit("breadth.class", false, format!("{r} reachable"), ev));
    }
    let p = &m.permissions;
    for e in p
        .exec
        .iter()
        .filter(|e| e.provenance != Provenance::ToolArg)
    {
        let prog = e
            .program
            .clone()
            .unwrap_or_else(|| "a computed program".into());
        out.push(hit(
            "breadth.exec",
            false,
            format!("runs {prog}"),
            e.evidence.first().cloned().unwrap_or_default(),
        ));
    }
    for f in p.fs.iter().filter(|f| f.provenance != Provenance::ToolArg) {
        if f.access
            .iter()
            .any(|a| matches!(a, Access::Write | Access::Delete))
        {
            out.push(hit(
                "breadth.fs-write",
                false,
                format!("writes {}", f.path),
                f.evidence.first().cloned().unwrap_or_default(),
            ));
        }
    }
    for e in p.env.iter().filter(|e| e.secret) {
        out.push(hit(
            "secrets",
            false,
            format!("reads {}", e.name),
            e.evidence.first().cloned().unwrap_or_default(),
        ));
    }
    out
}
