//! Walking a server tree: what is own source, what is skipped and why, and
//! which shipped files are opaque native code.

use mcpwarden_lang::Lang;
use mcpwarden_model::Skipped;
use std::path::{Path, PathBuf};

/// A candidate source file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub abs: PathBuf,
    /// `/`-separated, relative to the root.
    pub rel: String,
    pub lang: Lang,
    pub size: u64,
}

#[derive(Debug, Default)]
pub struct Walked {
    pub sources: Vec<SourceFile>,
    pub skipped: Vec<Skipped>,
    pub opaque: Vec<String>,
    /// Manifests and configs read later (`package.json`, `pyproject.toml`, ...).
    pub manifests: Vec<(String, PathBuf)>,
}

/// Directory names that hold somebody else's code or generated state.
fn excluded_dir(name: &str) -> Option<&'static str> {
    Some(match name {
        "node_modules" | "bower_components" | "jspm_packages" | "vendor" | "site-packages"
        | "dist-packages" | ".venv" | "venv" | "virtualenv" | ".virtualenv" | ".tox" | ".nox"
        | ".eggs" | "Pods" | "third_party" | "third-party" | ".yarn" | ".pnpm-store" => {
            "dependency"
        }
        ".git" | ".hg" | ".svn" => "vcs",
        "__pycache__" | ".mypy_cache" | ".pytest_cache" | ".ruff_cache" | ".cache"
        | ".parcel-cache" | ".turbo" | ".next" | ".nuxt" | ".svelte-kit" | ".angular"
        | ".nyc_output" | "htmlcov" | "lcov-report" => "cache",
        _ => return None,
    })
}

/// Compiler output next to the project file that produced it: Cargo and Maven
/// `target/`, Gradle `build/`, .NET `bin/` and `obj/` (generated sources in them,
/// such as bindgen or protobuf output, are not the server's own code).
fn build_output(name: &str, dir: &Path) -> bool {
    let Some(parent) = dir.parent() else {
        return false;
    };
    let has = |f: &str| parent.join(f).is_file();
    match name {
        "target" => has("Cargo.toml") || has("pom.xml"),
        "build" => has("build.gradle") || has("build.gradle.kts"),
        "bin" | "obj" => std::fs::read_dir(parent)
            .map(|rd| {
                rd.flatten()
                    .any(|e| e.file_name().to_string_lossy().ends_with(".csproj"))
            })
            .unwrap_or(false),
        _ => false,
    }
}

/// A virtualenv is recognised by its marker file, whatever its name.
fn is_virtualenv(dir: &Path) -> bool {
    dir.join("pyvenv.cfg").is_file()
}

const MANIFESTS: &[&str] = &[
    "package.json",
    "pyproject.toml",
    "setup.cfg",
    "tsconfig.json",
    "server.json",
    "smithery.yaml",
    "go.mod",
    "Cargo.toml",
];

/// Native code shipped with the package: its behaviour is invisible to us.
fn native_by_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".node", ".so", ".dll", ".dylib", ".exe", ".pyd"]
        .iter()
        .any(|e| lower.ends_with(e))
        || lower.contains(".so.")
}

fn native_by_magic(path: &Path) -> bool {
    use std::io::Read;
    let mut buf = [0u8; 4];
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    if f.read_exact(&mut buf).is_err() {
        return false;
    }
    matches!(
        buf,
        [0x7f, b'E', b'L', b'F']
            | [0xcf, 0xfa, 0xed, 0xfe]
            | [0xce, 0xfa, 0xed, 0xfe]
            | [0xca, 0xfe, 0xba, 0xbe]
            | [b'M', b'Z', _, _]
    )
}

pub fn rel_path(root: &Path, p: &Path) -> String {
    let r = p.strip_prefix(root).unwrap_or(p);
    let s = r.to_string_lossy().replace('\\', "/");
    if s.is_empty() {
        ".".to_string()
    } else {
        s
    }
}

/// Walk `root` without following links. Never fails: unreadable entries are
/// reported in `skipped`.
pub fn walk(root: &Path, max_file_bytes: u64) -> Walked {
    let mut out = Walked::default();
    let pruned: std::sync::Arc<std::sync::Mutex<Vec<Skipped>>> = Default::default();
    let mut wb = ignore::WalkBuilder::new(root);
    wb.standard_filters(false)
        .follow_links(false)
        .max_depth(Some(64));
    {
        let pruned = pruned.clone();
        let root = root.to_path_buf();
        wb.filter_entry(move |e| {
            if e.depth() == 0 || !e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            // A `coverage/` folder is a report only when it looks like one (a source
            // folder may be called so: `tools/coverage/`).
            let coverage_report = name == "coverage"
                && [
                    "lcov.info",
                    "coverage-final.json",
                    "lcov-report",
                    "clover.xml",
                ]
                .iter()
                .any(|f| e.path().join(f).exists());
            let reason = excluded_dir(&name)
                .or_else(|| coverage_report.then_some("cache"))
                .or_else(|| build_output(&name, e.path()).then_some("build-output"))
                .or_else(|| is_virtualenv(e.path()).then_some("dependency"));
            match reason {
                Some(reason) => {
                    if let Ok(mut v) = pruned.lock() {
                        v.push(Skipped {
                            path: rel_path(&root, e.path()),
                            reason: reason.into(),
                        });
                    }
                    false
                }
                None => true,
            }
        });
    }
    for entry in wb.build() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = match &e {
                    ignore::Error::WithPath { path, .. } => rel_path(root, path),
                    _ => "?".into(),
                };
                out.skipped.push(Skipped {
                    path,
                    reason: format!("unreadable: {e}"),
                });
                continue;
            }
        };
        let path = entry.path();
        if entry.depth() == 0 {
            continue;
        }
        let rel = rel_path(root, path);
        let Some(ft) = entry.file_type() else {
            continue;
        };
        if ft.is_symlink() {
            out.skipped.push(Skipped {
                path: rel,
                reason: "symlink".into(),
            });
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if ft.is_dir() {
            continue;
        }
        if !ft.is_file() {
            continue;
        }
        if MANIFESTS.contains(&name.as_ref())
            || name.ends_with(".csproj")
            || name == "Directory.Packages.props"
        {
            out.manifests.push((rel.clone(), path.to_path_buf()));
        }
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        if let Some(lang) = Lang::from_path(&name) {
            if size > max_file_bytes {
                out.skipped.push(Skipped {
                    path: rel,
                    reason: format!("too-large: {size} bytes (cap {max_file_bytes})"),
                });
                continue;
            }
            if name.ends_with(".min.js") || name.ends_with(".min.mjs") {
                // Minified copies of libraries; a server's own bundle is never named so.
                out.skipped.push(Skipped {
                    path: rel,
                    reason: "minified-library".into(),
                });
                continue;
            }
            out.sources.push(SourceFile {
                abs: path.to_path_buf(),
                rel,
                lang,
                size,
            });
        } else if native_by_name(&name)
            || (size > 1024 && !name.contains('.') && native_by_magic(path))
        {
            out.opaque.push(rel);
        }
    }
    if let Ok(mut v) = pruned.lock() {
        out.skipped.append(&mut v);
    }
    out.sources.sort_by(|a, b| a.rel.cmp(&b.rel));
    out.opaque.sort();
    out
}
