//! Exports of a manifest to the sandboxes people already run: one module per
//! target, each turning the launch-bound manifest ([`plan::Plan`]) into the
//! target's configuration text, the command line that starts the server under
//! it, and a loss report saying, item by item, whether the target grants
//! exactly what the manifest asks, more (`wider`) or less (`stricter`).
//!
//! One entry point: [`export`].

mod codex;
mod deno;
mod docker;
mod node;
pub(crate) mod plan;
mod report;
mod srt;
mod toolhive;
mod vscode;

pub use plan::{Resolver, SystemResolver};
pub use report::{Added, LossItem, LossReport, Verdict};

use crate::bind::Launch;
use crate::Manifest;
use plan::Plan;
use std::fmt;
use std::str::FromStr;

/// The sandboxes a manifest can be exported to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExportKind {
    /// Anthropic's sandbox-runtime (`srt --settings FILE CMD`).
    Srt,
    /// A `.vscode/mcp.json` server entry with `sandboxEnabled` and `sandbox`.
    Vscode,
    /// A Codex permission profile and `codex sandbox -P NAME -- CMD`.
    Codex,
    /// A ToolHive permission profile and `thv run --permission-profile`.
    Toolhive,
    /// A Docker MCP gateway catalog entry.
    Docker,
    /// Node's permission model flags (`node --permission …`).
    Node,
    /// Deno permission flags (`deno run --allow-… SCRIPT`).
    Deno,
}

impl ExportKind {
    pub const ALL: &'static [ExportKind] = &[
        ExportKind::Srt,
        ExportKind::Vscode,
        ExportKind::Codex,
        ExportKind::Toolhive,
        ExportKind::Docker,
        ExportKind::Node,
        ExportKind::Deno,
    ];

    /// The names accepted on the command line (`--export KIND`).
    pub const NAMES: &'static [&'static str] = &[
        "srt", "vscode", "codex", "toolhive", "docker", "node", "deno",
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Srt => "srt",
            ExportKind::Vscode => "vscode",
            ExportKind::Codex => "codex",
            ExportKind::Toolhive => "toolhive",
            ExportKind::Docker => "docker",
            ExportKind::Node => "node",
            ExportKind::Deno => "deno",
        }
    }
}

impl fmt::Display for ExportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ExportKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ExportKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!(
                    "unknown export kind `{s}` (known: {})",
                    ExportKind::NAMES.join(", ")
                )
            })
    }
}

/// What an export produces.
#[derive(Clone, Debug)]
pub struct Export {
    pub kind: ExportKind,
    /// The target's configuration text (empty for flag-only targets: node, deno).
    pub config: String,
    /// Where the configuration is meant to go; the command line refers to it.
    pub config_path: String,
    /// The command line that starts the server under the target.
    pub command: Vec<String>,
    pub report: LossReport,
}

impl Export {
    /// Point the command line at the file the configuration was written to.
    pub fn set_config_path(&mut self, path: &str) {
        for arg in &mut self.command {
            if *arg == self.config_path {
                *arg = path.to_string();
            } else if let Some(rest) = arg.strip_prefix(&format!("{}=", self.config_path)) {
                *arg = format!("{path}={rest}");
            }
        }
        self.config_path = path.to_string();
    }

    /// The command line as one shell-quoted string.
    pub fn command_line(&self) -> String {
        self.command
            .iter()
            .map(|a| shell_quote(a))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Why an export could not be made.
#[derive(Debug)]
pub enum ExportError {
    /// The target would block something the manifest needs (see the report's
    /// `stricter` items); pass `allow_loss` to export anyway.
    Loss(Box<LossReport>),
    /// The server command line does not suit the target (node needs `node SCRIPT`).
    Command(String),
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::Loss(r) => {
                let n = r.stricter().count();
                write!(
                    f,
                    "{} cannot grant {n} item{} the manifest needs (rerun with --allow-loss to export anyway):",
                    r.target,
                    if n == 1 { "" } else { "s" }
                )?;
                for i in r.stricter() {
                    write!(f, "\n  {}: {}", i.item, i.detail)?;
                }
                Ok(())
            }
            ExportError::Command(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ExportError {}

/// Export `manifest` to `kind`, binding its placeholders from `launch` (the
/// real command line and environment, and the `--grant-fs` roots) and
/// starting the server with `cmd` (program and arguments). A target that
/// cannot grant something the manifest needs is an error unless `allow_loss`.
pub fn export(
    kind: ExportKind,
    manifest: &Manifest,
    launch: &Launch,
    cmd: &[String],
    allow_loss: bool,
) -> Result<Export, ExportError> {
    export_with(kind, manifest, launch, cmd, allow_loss, &SystemResolver)
}

/// [`export`] with a chosen way of finding programs on disk (tests use a
/// fixed one so golden files do not depend on the machine).
#[doc(hidden)]
pub fn export_with(
    kind: ExportKind,
    manifest: &Manifest,
    launch: &Launch,
    cmd: &[String],
    allow_loss: bool,
    resolver: &dyn Resolver,
) -> Result<Export, ExportError> {
    let plan = Plan::new(manifest, launch, cmd, resolver);
    let out = match kind {
        ExportKind::Srt => srt::export(&plan)?,
        ExportKind::Vscode => vscode::export(&plan)?,
        ExportKind::Codex => codex::export(&plan)?,
        ExportKind::Toolhive => toolhive::export(&plan)?,
        ExportKind::Docker => docker::export(&plan)?,
        ExportKind::Node => node::export(&plan)?,
        ExportKind::Deno => deno::export(&plan)?,
    };
    let report = out.report;
    if report.stricter().next().is_some() && !allow_loss {
        return Err(ExportError::Loss(Box::new(report)));
    }
    Ok(Export {
        kind,
        config: out.config,
        config_path: out.config_path,
        command: out.command,
        report,
    })
}

/// What a target module returns.
pub(crate) struct Output {
    pub config: String,
    pub config_path: String,
    pub command: Vec<String>,
    pub report: LossReport,
}

/// The server's own arguments in a command line (what `${CLI:…}` placeholders
/// bind to): after the interpreter's options and the script for `node`,
/// `python`, `deno`, `bun`; after the package for `npx`, `uvx`, `pipx run`;
/// after the program otherwise.
pub fn server_args(cmd: &[String]) -> Vec<String> {
    let Some(first) = cmd.first() else {
        return vec![];
    };
    let base = first.rsplit('/').next().unwrap_or(first);
    let rest = &cmd[1..];
    let skip_one = |opts_with_value: &[&str]| -> Vec<String> {
        let mut i = 0;
        while i < rest.len() && rest[i].starts_with('-') {
            if rest[i] == "-m" {
                return rest[(i + 2).min(rest.len())..].to_vec();
            }
            i += if opts_with_value.contains(&rest[i].as_str()) {
                2
            } else {
                1
            };
        }
        rest[(i + 1).min(rest.len())..].to_vec()
    };
    match base {
        "node" | "nodejs" | "bun" => skip_one(&["-r", "--require", "--import", "--loader"]),
        b if b.starts_with("python") => skip_one(&["-W", "-X", "-c"]),
        "deno" => {
            let after_run = if rest.first().map(String::as_str) == Some("run") {
                &rest[1..]
            } else {
                rest
            };
            let i = after_run
                .iter()
                .position(|a| !a.starts_with('-'))
                .unwrap_or(after_run.len());
            after_run[(i + 1).min(after_run.len())..].to_vec()
        }
        "npx" | "uvx" | "pipx" => {
            let r: Vec<&String> = rest
                .iter()
                .filter(|a| !matches!(a.as_str(), "-y" | "--yes" | "run"))
                .collect();
            r.iter().skip(1).map(|s| s.to_string()).collect()
        }
        _ => rest.to_vec(),
    }
}

/// Quote an argument for a POSIX shell when it needs it.
pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,+@%^".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn server_args_skip_interpreter_and_package() {
        assert_eq!(
            server_args(&v(&["node", "--permission", "dist/index.js", "/a", "/b"])),
            v(&["/a", "/b"])
        );
        assert_eq!(
            server_args(&v(&["npx", "-y", "@x/server", "/a"])),
            v(&["/a"])
        );
        assert_eq!(
            server_args(&v(&[
                "python3",
                "-m",
                "mcp_server_git",
                "--repository",
                "/r"
            ])),
            v(&["--repository", "/r"])
        );
        assert_eq!(
            server_args(&v(&["uvx", "mcp-server-fetch", "--x"])),
            v(&["--x"])
        );
        assert_eq!(
            server_args(&v(&["deno", "run", "-A", "main.ts", "/d"])),
            v(&["/d"])
        );
        assert_eq!(
            server_args(&v(&["/usr/local/bin/server", "--root", "/d"])),
            v(&["--root", "/d"])
        );
        assert!(server_args(&[]).is_empty());
    }

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(shell_quote("--allow-read=/a,/b"), "--allow-read=/a,/b");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
