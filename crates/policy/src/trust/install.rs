//! Code that runs at install time or first run, before any sandbox or proxy:
//! npm lifecycle scripts, native addon builds, `setup.py` code beyond
//! `setup()`, custom Python build backends, and binaries the server
//! downloads. Every item has `reach: install`.

use mcpwarden_model::{Kind, Part, ServerReport};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What kind of install-time code it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InstallKind {
    /// `preinstall`, `install`, `postinstall` or `prepare` in package.json.
    NpmScript,
    /// `binding.gyp`: npm runs `node-gyp rebuild` at install.
    NativeBuild,
    /// `setup.py` doing more than declaring metadata.
    SetupPy,
    /// A `pyproject.toml` build backend outside the well-known ones, or an in-tree one.
    BuildBackend,
    /// A binary or archive fetched by the code (at startup or first use).
    BinaryDownload,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InstallItem {
    pub kind: InstallKind,
    /// Always `install`: it runs before anything can confine it.
    pub reach: String,
    /// The script, command or backend.
    pub detail: String,
    /// `file:line` (or the metadata file).
    pub evidence: String,
}

impl InstallItem {
    /// Whether it runs when the package is installed from `source` (a
    /// source key such as `npm:NAME@VERSION`): npm runs `prepare` for git and
    /// local installs, never for a registry tarball. The score counts only
    /// items that run.
    pub fn runs_on_install(&self, source: &str) -> bool {
        !(source.starts_with("npm:")
            && self.kind == InstallKind::NpmScript
            && self.detail.starts_with("prepare:"))
    }
}

const NPM_HOOKS: &[&str] = &["preinstall", "install", "postinstall", "prepare"];
const KNOWN_BACKENDS: &[&str] = &[
    "setuptools.build_meta",
    "setuptools.build_meta:__legacy__",
    "hatchling.build",
    "poetry.core.masonry.api",
    "poetry.masonry.api",
    "flit_core.buildapi",
    "flit.buildapi",
    "pdm.backend",
    "pdm.pep517.api",
    "maturin",
    "scikit_build_core.build",
    "mesonpy",
    "uv_build",
    "whey",
    "sipbuild.api",
];

pub fn install_items(report: &ServerReport, root: Option<&Path>) -> Vec<InstallItem> {
    let mut out = vec![];
    if let Some(root) = root.filter(|r| r.is_dir()) {
        npm(root, &mut out);
        pyproject(root, &mut out);
        cmdclass(root, &mut out);
        if root.join("binding.gyp").is_file() {
            out.push(item(
                InstallKind::NativeBuild,
                "node-gyp rebuild",
                "binding.gyp",
            ));
        }
    }
    setup_py(report, &mut out);
    downloads(report, &mut out);
    out.sort();
    out.dedup();
    out
}

fn item(kind: InstallKind, detail: &str, evidence: &str) -> InstallItem {
    InstallItem {
        kind,
        reach: "install".into(),
        detail: detail.into(),
        evidence: evidence.into(),
    }
}

fn npm(root: &Path, out: &mut Vec<InstallItem>) {
    let Ok(text) = std::fs::read_to_string(root.join("package.json")) else {
        return;
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return;
    };
    let Some(scripts) = v.get("scripts").and_then(|s| s.as_object()) else {
        return;
    };
    for hook in NPM_HOOKS {
        if let Some(cmd) = scripts.get(*hook).and_then(|c| c.as_str()) {
            let line = line_of(&text, &format!("\"{hook}\""));
            // npm runs `prepare` for git and local installs, not for a registry tarball.
            let only = if *hook == "prepare" {
                " (git and local installs only)"
            } else {
                ""
            };
            out.push(item(
                InstallKind::NpmScript,
                &format!("{hook}: {cmd}{only}"),
                &format!("package.json:{line}"),
            ));
        }
    }
}

fn pyproject(root: &Path, out: &mut Vec<InstallItem>) {
    let Ok(text) = std::fs::read_to_string(root.join("pyproject.toml")) else {
        return;
    };
    let Ok(v) = text.parse::<toml::Table>() else {
        return;
    };
    let Some(bs) = v.get("build-system").and_then(|b| b.as_table()) else {
        return;
    };
    let backend = bs.get("build-backend").and_then(|b| b.as_str());
    let in_tree = bs.contains_key("backend-path");
    if let Some(b) = backend {
        if in_tree || !KNOWN_BACKENDS.contains(&b) {
            let line = line_of(&text, "build-backend");
            out.push(item(
                InstallKind::BuildBackend,
                &format!(
                    "build-backend = {b}{}",
                    if in_tree { " (in-tree)" } else { "" }
                ),
                &format!("pyproject.toml:{line}"),
            ));
        }
    }
}

/// `setup(cmdclass={...})`: custom build or install commands run by pip.
fn cmdclass(root: &Path, out: &mut Vec<InstallItem>) {
    let Ok(text) = std::fs::read_to_string(root.join("setup.py")) else {
        return;
    };
    if text.contains("cmdclass") {
        let line = line_of(&text, "cmdclass");
        out.push(item(
            InstallKind::SetupPy,
            "custom build/install commands (cmdclass)",
            &format!("setup.py:{line}"),
        ));
    }
}

/// Privileged calls in `setup.py` run at install (`pip install` executes it).
fn setup_py(report: &ServerReport, out: &mut Vec<InstallItem>) {
    for f in &report.findings {
        let is_setup = f.file == "setup.py" || f.file.ends_with("/setup.py");
        if is_setup && f.part == Part::Build && f.kind != Kind::FsRead && f.kind != Kind::SysEnv {
            out.push(item(
                InstallKind::SetupPy,
                &format!("{} {}", f.kind, f.api),
                &format!("{}:{}", f.file, f.line),
            ));
        }
    }
}

/// Requests for executables or archives (`releases/download`, `.tar.gz`,
/// `.exe`) from the server's own code.
fn downloads(report: &ServerReport, out: &mut Vec<InstallItem>) {
    for f in &report.findings {
        if f.kind != Kind::NetHttp || !matches!(f.part, Part::Server | Part::Build | Part::Script) {
            continue;
        }
        let texts = f.value.iter().chain(f.values.iter().map(|v| &v.text));
        if let Some(url) = texts.into_iter().find(|u| is_binary_url(u)) {
            out.push(item(
                InstallKind::BinaryDownload,
                url,
                &format!("{}:{}", f.file, f.line),
            ));
        }
    }
}

fn is_binary_url(u: &str) -> bool {
    let l = u.to_ascii_lowercase();
    l.contains("/releases/download/")
        || [
            ".tar.gz",
            ".tgz",
            ".zip",
            ".exe",
            ".msi",
            ".dmg",
            ".appimage",
            ".deb",
            ".whl",
        ]
        .iter()
        .any(|e| l.ends_with(e))
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or(1)
}
