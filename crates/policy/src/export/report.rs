//! The loss report: for every item of the manifest, how the target grants it.

use serde::Serialize;
use std::fmt::Write as _;

/// How a target grants one manifest item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Granted as the manifest says, no more.
    Exact,
    /// Granted, but the target allows more than the manifest needs.
    Wider,
    /// Not granted: the server breaks where it needs this.
    Stricter,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Exact => "exact",
            Verdict::Wider => "wider",
            Verdict::Stricter => "stricter",
        }
    }
}

/// One manifest item and its verdict.
#[derive(Clone, Debug, Serialize)]
pub struct LossItem {
    /// `network`, `listen`, `fs`, `exec`, `env`, `native`, `other`, `tools`.
    pub class: String,
    /// The item as the manifest names it (`api.github.com:443`, `read ${HOME}/.acme`).
    pub item: String,
    pub verdict: Verdict,
    /// What the target does instead; for `stricter`, what breaks.
    pub detail: String,
    /// Tools that reach the item (empty: startup code only, or no tool says).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<String>,
}

/// A grant the export adds that no manifest item asks for (the interpreter,
/// the server's own code, what the target itself needs).
#[derive(Clone, Debug, Serialize)]
pub struct Added {
    pub grant: String,
    pub reason: String,
}

/// The loss report of one export.
#[derive(Clone, Debug, Serialize)]
pub struct LossReport {
    pub schema: &'static str,
    pub target: String,
    pub server: String,
    pub items: Vec<LossItem>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<Added>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Schema identifier of the JSON loss report.
pub const LOSS_SCHEMA: &str = "mcpwarden/loss-report/v1";

impl LossReport {
    pub fn new(target: &str, server: &str) -> LossReport {
        LossReport {
            schema: LOSS_SCHEMA,
            target: target.to_string(),
            server: server.to_string(),
            items: vec![],
            added: vec![],
            notes: vec![],
        }
    }

    pub fn push(&mut self, item: &super::plan::Item, verdict: Verdict, detail: impl Into<String>) {
        self.items.push(LossItem {
            class: item.class.to_string(),
            item: item.label.clone(),
            verdict,
            detail: detail.into(),
            tools: item.tools.clone(),
        });
    }

    pub fn add(&mut self, grant: impl Into<String>, reason: impl Into<String>) {
        let grant = grant.into();
        if !self.added.iter().any(|a| a.grant == grant) {
            self.added.push(Added {
                grant,
                reason: reason.into(),
            });
        }
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    pub fn stricter(&self) -> impl Iterator<Item = &LossItem> {
        self.items.iter().filter(|i| i.verdict == Verdict::Stricter)
    }

    /// Count of items per verdict: (exact, wider, stricter).
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |v| self.items.iter().filter(|i| i.verdict == v).count();
        (n(Verdict::Exact), n(Verdict::Wider), n(Verdict::Stricter))
    }

    /// The report for a person: one line per item, then what was added.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let (e, w, st) = self.counts();
        let _ = writeln!(
            s,
            "loss report: {} for {} ({e} exact, {w} wider, {st} stricter)",
            self.target, self.server
        );
        for i in &self.items {
            let tools = if i.tools.is_empty() {
                String::new()
            } else {
                format!(" [tools: {}]", i.tools.join(", "))
            };
            let _ = writeln!(
                s,
                "  {:<8} {:<8} {}{}\n           {}",
                i.verdict.as_str(),
                i.class,
                i.item,
                tools,
                i.detail
            );
        }
        if !self.added.is_empty() {
            let _ = writeln!(s, "added (not in the manifest, needed to run it):");
            for a in &self.added {
                let _ = writeln!(s, "  {}  ({})", a.grant, a.reason);
            }
        }
        for n in &self.notes {
            let _ = writeln!(s, "note: {n}");
        }
        s
    }
}
