//! Trust assessment: what a server's code does that its self-description and
//! a sandbox cannot vouch for. Read from a scan (`ServerReport`) and its
//! manifest, never by running the server; every point of the score is a line
//! with evidence.
//!
//! - [`flows`]: tool arguments reaching a shell, a program name, a URL host, a
//!   file path, dynamic code or a deserialiser, and the containment checks seen.
//! - [`install`]: code that runs at install time (npm lifecycle scripts,
//!   `setup.py`, custom build backends, downloaded binaries).
//! - [`honesty`]: declared tool annotations against what the code does.
//! - [`score`]: the rubric (`data/trust-rubric.toml`) turned into 0–100 and A–F.
//! - [`sarif`]: SARIF 2.1.0 for code-scanning UIs; [`diff`]: privilege drift.

pub mod diff;
pub mod flows;
pub mod honesty;
pub mod install;
pub mod profile;
pub mod sarif;
pub mod score;

use crate::Manifest;
use mcpwarden_model::ServerReport;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Schema identifier of the trust document.
pub const TRUST_SCHEMA: &str = "mcpwarden/trust/v1";

/// The `mcpwarden/trust/v1` document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub schema: String,
    pub server: String,
    pub source: String,
    pub score: score::Score,
    pub flows: Vec<flows::Flow>,
    pub install: Vec<install::InstallItem>,
    pub contradictions: Vec<honesty::Contradiction>,
    /// Honest annotations inferred for every tool, declared or not.
    pub inferred: Vec<honesty::Inferred>,
}

/// Assess one scanned server. `root` is its directory (for package metadata:
/// `package.json` scripts, `setup.py`, `pyproject.toml`).
pub fn assess(report: &ServerReport, manifest: &Manifest, root: Option<&Path>) -> Assessment {
    let flows = flows::flows(report, manifest);
    let install = install::install_items(report, root);
    let (contradictions, inferred) = honesty::check(report, manifest);
    let score = score::score(
        score::Rubric::embedded(),
        report,
        manifest,
        &flows,
        &install,
        &contradictions,
    );
    Assessment {
        schema: TRUST_SCHEMA.to_string(),
        server: report.name.clone(),
        source: manifest.server.source.clone(),
        score,
        flows,
        install,
        contradictions,
        inferred,
    }
}

/// The chain of a tool to a kind, from the scan: `file:line name` steps from
/// the registration's handler to the API.
pub(crate) fn chain(report: &ServerReport, tool: &str, kind: mcpwarden_model::Kind) -> Vec<String> {
    report
        .tools
        .iter()
        .filter(|t| t.name == tool)
        .flat_map(|t| t.chains.iter())
        .find(|c| c.kind == kind)
        .map(|c| c.steps.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
