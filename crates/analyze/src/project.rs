//! Project structure: manifests, compiled twins, which part of the repository
//! each file is, and resolution of module specifiers to files in the tree.

use crate::walk::SourceFile;
use mcpwarden_lang::Family;
use mcpwarden_model::{Part, Skipped};
use std::collections::{HashMap, HashSet};

use std::path::PathBuf;

/// What the package manifests say about entry points.
#[derive(Debug, Default)]
pub struct Manifest {
    pub name: Option<String>,
    /// Paths (relative to the root) named as entry points: `main`, `bin`, `exports`.
    pub js_entries: Vec<String>,
    /// Python modules named by console scripts (`pkg.server:main` → `pkg.server`, `main`).
    pub py_entries: Vec<(String, String)>,
    /// Folders holding a manifest, relative to the root (`""` for the root).
    pub dirs: Vec<String>,
    /// Go modules: (folder of go.mod, module path).
    pub go_modules: Vec<(String, String)>,
    /// Rust crates: (name with `-` as `_`, folder of its sources).
    pub rust_crates: Vec<(String, String)>,
    /// C# projects referencing the C# MCP SDK (`ModelContextProtocol`, `.Core`,
    /// `.AspNetCore`) at a version: (folder of the `.csproj` or of a central
    /// `Directory.Packages.props`, version as written).
    pub csharp_mcp_versions: Vec<(String, String)>,
}

/// The first C# SDK release that names an entry without an explicit name in
/// snake_case, without an `Async` suffix (modelcontextprotocol/csharp-sdk#568,
/// 0.3.0-preview.2, July 2025); earlier releases used the method's name.
pub const CSHARP_SDK_SNAKE_CASE_SINCE: &str = "0.3.0-preview.2";

impl Manifest {
    /// Whether a C# file belongs to a project that pins a C# SDK older than
    /// [`CSHARP_SDK_SNAKE_CASE_SINCE`] (the nearest project file or central
    /// package file above it that names a version). Unknown versions are current.
    pub fn csharp_sdk_names_raw(&self, rel: &str) -> bool {
        self.csharp_mcp_versions
            .iter()
            .filter(|(dir, _)| dir.is_empty() || rel.starts_with(&format!("{dir}/")))
            .max_by_key(|(dir, _)| dir.len())
            .and_then(|(_, v)| version_key(v))
            .zip(version_key(CSHARP_SDK_SNAKE_CASE_SINCE))
            .is_some_and(|(v, since)| v < since)
    }
}

/// The version a C# project file (or `Directory.Packages.props`) gives the C#
/// MCP SDK: `<PackageReference Include="ModelContextProtocol" Version="x" />`,
/// its `<Version>x</Version>` child, or `<PackageVersion Include=… Version=… />`.
fn csharp_mcp_version(text: &str) -> Option<String> {
    const PACKAGES: &[&str] = &[
        "ModelContextProtocol",
        "ModelContextProtocol.Core",
        "ModelContextProtocol.AspNetCore",
    ];
    for element in ["PackageReference", "PackageVersion"] {
        let open = format!("<{element}");
        let mut rest = text;
        while let Some(at) = rest.find(&open) {
            rest = &rest[at + open.len()..];
            let Some(end) = rest.find('>') else { break };
            let tag = &rest[..end];
            let package = xml_attr(tag, "Include").or_else(|| xml_attr(tag, "Update"));
            if !package.is_some_and(|p| PACKAGES.iter().any(|k| p.eq_ignore_ascii_case(k))) {
                continue;
            }
            if let Some(v) = xml_attr(tag, "Version") {
                return Some(v.to_string());
            }
            if !tag.ends_with('/') {
                let body = &rest[end + 1..];
                let body = &body[..body.find(&format!("</{element}")).unwrap_or(body.len())];
                if let Some(v) = body
                    .split_once("<Version>")
                    .and_then(|(_, b)| b.split_once("</Version>"))
                {
                    return Some(v.0.trim().to_string());
                }
            }
        }
    }
    None
}

/// An attribute's value in an XML start tag's text.
fn xml_attr<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    for q in ['"', '\''] {
        let key = format!("{name}={q}");
        let mut from = 0;
        while let Some(i) = tag[from..].find(&key) {
            let at = from + i;
            let bounded = at == 0 || tag[..at].ends_with(char::is_whitespace);
            let value = &tag[at + key.len()..];
            if bounded {
                return value.find(q).map(|e| value[..e].trim());
            }
            from = at + key.len();
        }
    }
    None
}

/// Release numbers, whether it is a release, pre-release identifiers (numeric
/// ones as numbers, others after them by text).
type VersionKey = (Vec<u64>, bool, Vec<(u64, String)>);

/// A NuGet version as an ordered key: the release numbers, then its
/// pre-release identifiers (a release sorts after its pre-releases). A range
/// (`[0.2.0, )`) counts as its lower bound; a floating or property version is unknown.
fn version_key(v: &str) -> Option<VersionKey> {
    let v = v.trim().trim_start_matches(['[', '(']);
    let v = v.split(',').next()?.trim();
    let (core, pre) = match v.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (v, None),
    };
    let mut nums = core
        .split('.')
        .map(|n| n.parse::<u64>().ok())
        .collect::<Option<Vec<u64>>>()?;
    nums.resize(nums.len().max(3), 0);
    let ids = pre
        .map(|p| {
            p.split('.')
                .map(|id| match id.parse::<u64>() {
                    Ok(n) => (n, String::new()),
                    Err(_) => (u64::MAX, id.to_ascii_lowercase()),
                })
                .collect()
        })
        .unwrap_or_default();
    Some((nums, pre.is_none(), ids))
}

pub fn read_manifests(manifests: &[(String, PathBuf)]) -> Manifest {
    let mut m = Manifest::default();
    // Shallowest manifests first: the package's own, not a nested example's.
    let mut sorted: Vec<&(String, PathBuf)> = manifests.iter().collect();
    sorted.sort_by_key(|(rel, _)| (rel.matches('/').count(), rel.clone()));
    for (rel, abs) in sorted {
        let dir = rel
            .rsplit_once('/')
            .map(|(d, _)| format!("{d}/"))
            .unwrap_or_default();
        // C# project files only say which SDK release names the tools.
        if rel.ends_with(".csproj") || rel.ends_with("Directory.Packages.props") {
            if let Some(v) = std::fs::read_to_string(abs)
                .ok()
                .and_then(|t| csharp_mcp_version(&t))
            {
                m.csharp_mcp_versions
                    .push((dir.trim_end_matches('/').to_string(), v));
            }
            continue;
        }
        m.dirs.push(dir.trim_end_matches('/').to_string());
        let Ok(text) = std::fs::read_to_string(abs) else {
            continue;
        };
        if rel.ends_with("package.json") {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            if m.name.is_none() {
                m.name = v.get("name").and_then(|n| n.as_str()).map(str::to_string);
            }
            let mut push = |p: &str| {
                let p = p.trim_start_matches("./");
                m.js_entries.push(format!("{dir}{p}"));
            };
            for key in ["main", "module"] {
                if let Some(s) = v.get(key).and_then(|x| x.as_str()) {
                    push(s);
                }
            }
            match v.get("bin") {
                Some(serde_json::Value::String(s)) => push(s),
                Some(serde_json::Value::Object(o)) => {
                    o.values().filter_map(|x| x.as_str()).for_each(&mut push)
                }
                _ => {}
            }
            let mut stack: Vec<&serde_json::Value> = v.get("exports").into_iter().collect();
            while let Some(x) = stack.pop() {
                match x {
                    serde_json::Value::String(s) if s.ends_with("js") || s.ends_with(".ts") => {
                        push(s)
                    }
                    serde_json::Value::Object(o) => stack.extend(o.values()),
                    serde_json::Value::Array(a) => stack.extend(a.iter()),
                    _ => {}
                }
            }
        } else if rel == "go.mod" || rel.ends_with("/go.mod") {
            let module = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("module "))
                .map(|m| m.trim().trim_matches('"').to_string());
            if let Some(module) = module {
                if m.name.is_none() {
                    m.name = module.rsplit('/').next().map(str::to_string);
                }
                m.go_modules
                    .push((dir.trim_end_matches('/').to_string(), module));
            }
        } else if rel == "Cargo.toml" || rel.ends_with("/Cargo.toml") {
            let Ok(v) = toml::from_str::<toml::Value>(&text) else {
                continue;
            };
            if let Some(name) = v
                .get("package")
                .and_then(|p| p.get("name"))
                .and_then(|n| n.as_str())
            {
                if m.name.is_none() {
                    m.name = Some(name.to_string());
                }
                let lib = v
                    .get("lib")
                    .and_then(|l| l.get("name"))
                    .and_then(|n| n.as_str())
                    .unwrap_or(name);
                m.rust_crates
                    .push((lib.replace('-', "_"), format!("{dir}src")));
            }
        } else if rel.ends_with("pyproject.toml") {
            let Ok(v) = toml::from_str::<toml::Value>(&text) else {
                continue;
            };
            if m.name.is_none() {
                m.name = v
                    .get("project")
                    .and_then(|p| p.get("name"))
                    .and_then(|n| n.as_str())
                    .map(str::to_string);
            }
            let tables = [
                v.get("project").and_then(|p| p.get("scripts")),
                v.get("tool")
                    .and_then(|t| t.get("poetry"))
                    .and_then(|p| p.get("scripts")),
            ];
            for t in tables.into_iter().flatten() {
                if let Some(t) = t.as_table() {
                    for target in t.values().filter_map(|x| x.as_str()) {
                        let (module, func) = target.split_once(':').unwrap_or((target, "main"));
                        m.py_entries
                            .push((module.trim().to_string(), func.trim().to_string()));
                    }
                }
            }
        }
    }
    m
}

const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "__test__",
    "spec",
    "specs",
    "e2e",
    "__mocks__",
    "testing",
    "test-utils",
    "integration-tests",
    // Model evaluations of the server's tools (mcp-evals and the like).
    "evals",
];
const SCRIPT_DIRS: &[&str] = &[
    "benches",
    "scripts",
    "script",
    "examples",
    "example",
    "benchmarks",
    "benchmark",
    "bench",
    "docs",
    "doc",
    "demo",
    "demos",
    "samples",
    "sample",
    "playground",
    ".github",
    "evals",
];
const BUILD_PREFIXES: &[&str] = &[
    "webpack.",
    "rollup.",
    "vite.",
    "vitest.",
    "jest.",
    "babel.",
    "tsup.",
    "esbuild.",
    "eslint.",
    ".eslintrc",
    "prettier.",
    ".prettierrc",
    "commitlint.",
    "gulpfile.",
    "gruntfile.",
    "karma.",
    "playwright.config",
    "tailwind.config",
    "postcss.config",
    "next.config",
    "nuxt.config",
    "svelte.config",
    "astro.config",
    "drizzle.config",
    "knexfile",
    "lint-staged",
    ".mocharc",
    "nodemon.",
    "ecosystem.config",
    "metro.config",
    "turbo.",
    "typedoc.",
];

/// The part a file belongs to by its path alone (`None`: decided by imports).
pub fn part_by_path(rel: &str) -> Option<Part> {
    let (dirs, file) = rel.rsplit_once('/').unwrap_or(("", rel));
    let lower = file.to_ascii_lowercase();
    let dir_parts: Vec<&str> = dirs.split('/').filter(|d| !d.is_empty()).collect();
    if dir_parts
        .iter()
        .any(|d| TEST_DIRS.contains(&d.to_ascii_lowercase().as_str()))
        || lower.contains(".test.")
        || lower.contains(".spec.")
        || lower.contains(".e2e.")
        || lower.contains(".eval.")
        || lower.contains(".evals.")
        || lower.starts_with("evals.")
        || (lower.starts_with("test_") && lower.ends_with(".py"))
        || lower.ends_with("_test.py")
        || lower == "conftest.py"
        || lower == "tests.py"
        || lower.ends_with("_test.go")
        // Rust unit tests kept beside the code (`#[cfg(test)] mod export_tests;`).
        || lower == "tests.rs"
        || lower.ends_with("_tests.rs")
        || lower.ends_with("_test.rs")
        || dir_parts.iter().any(|d| {
            *d == "testdata"
                || d.ends_with(".Tests")
                || d.ends_with(".Test")
                || d.ends_with(".UnitTests")
                || d.ends_with(".IntegrationTests")
        })
        || ((lower.ends_with("test.java")
            || lower.ends_with("tests.java")
            || lower.ends_with("test.kt")
            || lower.ends_with("tests.kt")
            || lower.ends_with("tests.cs")
            || lower.ends_with("test.cs"))
            && !lower.ends_with("latest.java")
            && !lower.ends_with("latest.kt")
            && !lower.ends_with("latest.cs"))
    {
        return Some(Part::Test);
    }
    if BUILD_PREFIXES.iter().any(|p| lower.starts_with(p))
        || lower.contains(".config.")
        || dir_parts.first() == Some(&"buildSrc")
        || matches!(
            lower.as_str(),
            "build.rs"
                | "setup.py"
                | "noxfile.py"
                | "fabfile.py"
                | "build.js"
                | "build.mjs"
                | "build.ts"
                | "build.cjs"
                | "conf.py"
        )
    {
        return Some(Part::Build);
    }
    // JVM sources: folders under a source root (`src/main/java/com/example/`) are
    // packages (`com.example` is the usual one), not script or example folders.
    let source_root = dir_parts
        .iter()
        .position(|d| matches!(*d, "java" | "kotlin"))
        .filter(|&i| dir_parts[..i].contains(&"src"))
        .unwrap_or(dir_parts.len());
    if dir_parts[..source_root]
        .iter()
        .any(|d| SCRIPT_DIRS.contains(&d.to_ascii_lowercase().as_str()))
        || browser_chunk(&dir_parts, file)
    {
        return Some(Part::Script);
    }
    None
}

/// A web front end's bundled chunk (`web/assets/agent-DeT_Hy8W.js`,
/// `public/static/js/main.3f2a9c1e.js`): code a browser runs, shipped beside
/// a server that serves it. Its objects (diagram shapes with handlers) are
/// not the server's tools.
fn browser_chunk(dir_parts: &[&str], file: &str) -> bool {
    const ASSET_DIRS: &[&str] = &["assets", "static", "public", "_next", "chunks"];
    let Some(stem) = [".js", ".mjs"].iter().find_map(|e| file.strip_suffix(e)) else {
        return false;
    };
    let hash = stem.rsplit(['-', '.']).next().unwrap_or("");
    let hashed = (8..=20).contains(&hash.len())
        && hash.len() < stem.len()
        && hash.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && hash
            .chars()
            .any(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        && hash.chars().any(|c| c.is_ascii_alphabetic());
    hashed && dir_parts.iter().any(|d| ASSET_DIRS.contains(d))
}

const OUTPUT_DIRS: &[&str] = &[
    "dist", "build", "out", "lib", "esm", "cjs", "umd", "compiled", "output", "dist-esm",
    "dist-cjs", "bundle",
];

fn strip_ext(p: &str) -> &str {
    p.rsplit_once('.').map(|(a, _)| a).unwrap_or(p)
}

/// When TypeScript sources are present, compiled JavaScript next to them or in
/// output directories is their twin: analyse the sources only. Returns the
/// indexes of files to drop and one skipped entry per twin directory.
pub fn compiled_twins(files: &[SourceFile]) -> (HashSet<usize>, Vec<Skipped>) {
    let is_ts = |f: &SourceFile| {
        matches!(
            f.lang,
            mcpwarden_lang::Lang::TypeScript | mcpwarden_lang::Lang::Tsx
        )
    };
    let in_output = |rel: &str| {
        rel.split('/')
            .rev()
            .skip(1)
            .any(|d| OUTPUT_DIRS.contains(&d))
    };
    let ts_sources: Vec<&SourceFile> = files.iter().filter(|f| is_ts(f)).collect();
    let mut drop = HashSet::new();
    let mut dirs: Vec<String> = vec![];
    // setuptools leaves `build/lib/<same files>`: a copy when the source is present.
    let py_rels: HashSet<&str> = files
        .iter()
        .filter(|f| f.lang == mcpwarden_lang::Lang::Python)
        .map(|f| f.rel.as_str())
        .collect();
    for (i, f) in files.iter().enumerate() {
        if let Some(pos) = f
            .rel
            .find("build/lib/")
            .filter(|&p| p == 0 || f.rel[..p].ends_with('/'))
        {
            let inner = &f.rel[pos + "build/lib/".len()..];
            let prefix = &f.rel[..pos];
            let twin_present = [format!("{prefix}{inner}"), format!("{prefix}src/{inner}")]
                .iter()
                .any(|t| py_rels.contains(t.as_str()));
            if twin_present {
                drop.insert(i);
                dirs.push(format!("{prefix}build/lib"));
            }
        }
    }
    if ts_sources.is_empty() {
        dirs.sort();
        dirs.dedup();
        return (
            drop,
            dirs.into_iter()
                .map(|path| Skipped {
                    path,
                    reason: "compiled-twin".into(),
                })
                .collect(),
        );
    }
    let ts_stems: HashSet<&str> = ts_sources.iter().map(|f| strip_ext(&f.rel)).collect();
    // Output directories that themselves hold TypeScript sources are not outputs.
    let ts_output_dirs: HashSet<String> = files
        .iter()
        .filter(|f| is_ts(f) && in_output(&f.rel))
        .filter_map(|f| output_root(&f.rel))
        .collect();
    // `pkg/dist/tools/x.js` is the output of `pkg/src/tools/x.ts` (or `pkg/tools/x.ts`,
    // `pkg/lib/x.ts`): the source sits beside the output folder, in the same project.
    let has_source = |root: &str, tail: &str| {
        let parent = root
            .rsplit_once('/')
            .map(|(p, _)| format!("{p}/"))
            .unwrap_or_default();
        ["", "src/", "lib/", "source/"]
            .iter()
            .any(|mid| ts_stems.contains(format!("{parent}{mid}{tail}").as_str()))
    };
    // An output folder is a twin only when its files have TypeScript counterparts:
    // a published `dist/` next to one unrelated `scripts/x.ts` is the code itself.
    let mut outputs: HashMap<String, (usize, usize)> = HashMap::new();
    for f in files
        .iter()
        .filter(|f| f.lang == mcpwarden_lang::Lang::JavaScript && in_output(&f.rel))
    {
        if let Some(root) = output_root(&f.rel) {
            let tail = strip_ext(&f.rel[root.len()..]).trim_start_matches('/');
            let matched = has_source(&root, tail);
            let e = outputs.entry(root).or_insert((0, 0));
            e.0 += 1;
            if matched {
                e.1 += 1;
            }
        }
    }
    let is_twin_dir = |root: &str| {
        outputs
            .get(root)
            .map(|(all, matched)| *matched > 0 && *matched * 4 >= *all)
            .unwrap_or(false)
    };
    for (i, f) in files.iter().enumerate() {
        if is_ts(f) {
            continue;
        }
        if ts_stems.contains(strip_ext(&f.rel)) {
            drop.insert(i);
            dirs.push(f.rel.clone());
            continue;
        }
        if f.lang == mcpwarden_lang::Lang::JavaScript && in_output(&f.rel) {
            if let Some(root) = output_root(&f.rel) {
                if !ts_output_dirs.contains(&root) && is_twin_dir(&root) {
                    drop.insert(i);
                    dirs.push(root);
                }
            }
        }
    }
    dirs.sort();
    dirs.dedup();
    (
        drop,
        dirs.into_iter()
            .map(|path| Skipped {
                path,
                reason: "compiled-twin".into(),
            })
            .collect(),
    )
}

fn output_root(rel: &str) -> Option<String> {
    let parts: Vec<&str> = rel.split('/').collect();
    let i = parts[..parts.len().saturating_sub(1)]
        .iter()
        .position(|d| OUTPUT_DIRS.contains(d))?;
    Some(parts[..=i].join("/"))
}

/// Maps module specifiers to files of the tree.
pub struct ModuleIndex {
    by_rel: HashMap<String, usize>,
    /// Python dotted module name → file.
    py_modules: HashMap<String, usize>,
    py_name_of: Vec<Option<String>>,
}

const JS_EXTS: &[&str] = &["ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs"];

impl ModuleIndex {
    /// `project_dirs`: folders holding a project manifest (pyproject.toml, setup.py,
    /// setup.cfg, package.json), relative to the root; the root itself is implied.
    pub fn new(files: &[(String, Family)], project_dirs: &[String]) -> ModuleIndex {
        let mut by_rel = HashMap::new();
        let mut py_modules = HashMap::new();
        let mut py_name_of = vec![None; files.len()];
        let dir_of = |rel: &str| {
            rel.rsplit_once('/')
                .map(|(d, _)| d.to_string())
                .unwrap_or_default()
        };
        let packages: HashSet<String> = files
            .iter()
            .filter(|(r, _)| r == "__init__.py" || r.ends_with("/__init__.py"))
            .map(|(r, _)| dir_of(r))
            .collect();
        let dotted = |path: &str| {
            path.trim_end_matches("/__init__")
                .trim_end_matches("__init__")
                .trim_end_matches('/')
                .replace('/', ".")
        };
        for (i, (rel, fam)) in files.iter().enumerate() {
            by_rel.insert(rel.clone(), i);
            if *fam != Family::Python {
                continue;
            }
            let stem = strip_ext(rel);
            // The importable name: from the first folder above the `__init__.py` chain.
            let mut root = dir_of(rel);
            while !root.is_empty() && packages.contains(&root) {
                root = dir_of(&root);
            }
            let in_root = |base: &str| {
                if base.is_empty() {
                    Some(stem)
                } else {
                    stem.strip_prefix(base).and_then(|s| s.strip_prefix('/'))
                }
            };
            let canonical = in_root(&root).map(dotted).unwrap_or_else(|| dotted(stem));
            let mut names = vec![canonical.clone()];
            // Also relative to each project folder above it and its `src/` (namespace packages,
            // sdists unpacked one level down, monorepos).
            for p in std::iter::once(&String::new()).chain(project_dirs.iter()) {
                for base in [
                    p.clone(),
                    if p.is_empty() {
                        "src".to_string()
                    } else {
                        format!("{p}/src")
                    },
                ] {
                    if let Some(s) = in_root(&base) {
                        names.push(dotted(s));
                    }
                }
            }
            for n in names {
                if !n.is_empty() {
                    py_modules.entry(n).or_insert(i);
                }
            }
            py_name_of[i] = Some(canonical);
        }
        ModuleIndex {
            by_rel,
            py_modules,
            py_name_of,
        }
    }

    pub fn file(&self, rel: &str) -> Option<usize> {
        self.by_rel.get(rel).copied()
    }

    /// Resolve a JavaScript specifier imported from `from_rel`.
    pub fn resolve_js(&self, from_rel: &str, spec: &str) -> Option<usize> {
        let base = if let Some(rest) = spec.strip_prefix("@/").or_else(|| spec.strip_prefix("~/")) {
            format!("src/{rest}")
        } else if spec.starts_with('.') {
            let dir = from_rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            normalize(&format!("{dir}/{spec}"))?
        } else {
            return None;
        };
        if let Some(i) = self.file(&base) {
            return Some(i);
        }
        // ESM imports name the compiled file (`./x.js`); the source is `./x.ts`.
        let stem = match base.rsplit_once('.') {
            Some((s, e)) if JS_EXTS.contains(&e) => s.to_string(),
            _ => base.clone(),
        };
        for e in JS_EXTS {
            if let Some(i) = self.file(&format!("{stem}.{e}")) {
                return Some(i);
            }
        }
        for e in JS_EXTS {
            if let Some(i) = self.file(&format!("{base}/index.{e}")) {
                return Some(i);
            }
        }
        None
    }

    /// The dotted name of a Python file (`pkg.sub.mod`).
    pub fn py_name(&self, file: usize) -> Option<&str> {
        self.py_name_of.get(file)?.as_deref()
    }

    pub fn is_package_init(rel: &str) -> bool {
        rel.ends_with("__init__.py")
    }

    /// Absolute dotted name of a (possibly relative) Python import in `file`.
    pub fn absolute_py(&self, file: usize, rel_path: &str, module: &str) -> Option<String> {
        if !module.starts_with('.') {
            return Some(module.to_string());
        }
        let dots = module.chars().take_while(|c| *c == '.').count();
        let rest = &module[dots..];
        let me = self.py_name(file)?;
        let mut parts: Vec<&str> = if me.is_empty() {
            vec![]
        } else {
            me.split('.').collect()
        };
        // A module's package is its parent; a package's `__init__` is the package itself.
        if !Self::is_package_init(rel_path) {
            parts.pop();
        }
        for _ in 1..dots {
            parts.pop()?;
        }
        let mut name = parts.join(".");
        if !rest.is_empty() {
            if !name.is_empty() {
                name.push('.');
            }
            name.push_str(rest);
        }
        Some(name)
    }

    pub fn resolve_py_abs(&self, dotted: &str) -> Option<usize> {
        self.py_modules.get(dotted).copied()
    }

    pub fn resolve_py(&self, file: usize, rel_path: &str, module: &str) -> Option<usize> {
        let abs = self.absolute_py(file, rel_path, module)?;
        self.resolve_py_abs(&abs)
    }
}

/// Collapse `.` and `..` in a `/` path; `None` if it escapes the root.
pub fn normalize(p: &str) -> Option<String> {
    let mut out: Vec<&str> = vec![];
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            s => out.push(s),
        }
    }
    Some(out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_by_path() {
        assert_eq!(part_by_path("src/__tests__/a.ts"), Some(Part::Test));
        assert_eq!(part_by_path("src/a.test.ts"), Some(Part::Test));
        assert_eq!(part_by_path("evals.ts"), Some(Part::Test));
        assert_eq!(part_by_path("src/search.eval.ts"), Some(Part::Test));
        assert_eq!(part_by_path("evals/tools.py"), Some(Part::Test));
        assert_eq!(part_by_path("src/evaluate.ts"), None);
        assert_eq!(part_by_path("tests/test_x.py"), Some(Part::Test));
        assert_eq!(part_by_path("webpack.config.js"), Some(Part::Build));
        assert_eq!(part_by_path("setup.py"), Some(Part::Build));
        assert_eq!(part_by_path("scripts/release.js"), Some(Part::Script));
        assert_eq!(part_by_path("src/index.ts"), None);
        assert_eq!(part_by_path("src/latest.ts"), None);
        assert_eq!(part_by_path("internal/fs/fs_test.go"), Some(Part::Test));
        assert_eq!(part_by_path("pkg/testdata/x.go"), Some(Part::Test));
        assert_eq!(
            part_by_path("src/test/java/a/ToolsTest.java"),
            Some(Part::Test)
        );
        assert_eq!(
            part_by_path("Server.Tests/EchoToolTests.cs"),
            Some(Part::Test)
        );
        assert_eq!(part_by_path("src/Latest.java"), None);
        assert_eq!(part_by_path("build.rs"), Some(Part::Build));
        assert_eq!(
            part_by_path("src/okf/export/export_tests.rs"),
            Some(Part::Test)
        );
        assert_eq!(part_by_path("src/graph/tests.rs"), Some(Part::Test));
        assert_eq!(part_by_path("src/latest.rs"), None);
        assert_eq!(part_by_path("benches/scan.rs"), Some(Part::Script));
        assert_eq!(part_by_path("cmd/server/main.go"), None);
        assert_eq!(
            part_by_path("web/assets/agent-DeT_Hy8W.js"),
            Some(Part::Script)
        );
        assert_eq!(
            part_by_path("public/static/js/main.3f2a9c1e.js"),
            Some(Part::Script)
        );
        assert_eq!(part_by_path("dist/assets/server.js"), None);
        assert_eq!(part_by_path("dist/tools/get-failure-logs.js"), None);
        assert_eq!(part_by_path("dist/index-handlers.js"), None);
    }

    #[test]
    fn js_specifiers_map_to_sources() {
        let files: Vec<(String, Family)> =
            ["src/index.ts", "src/handlers/x.ts", "src/lib/index.ts"]
                .iter()
                .map(|s| (s.to_string(), Family::JavaScript))
                .collect();
        let ix = ModuleIndex::new(&files, &[]);
        assert_eq!(ix.resolve_js("src/index.ts", "./handlers/x.js"), Some(1));
        assert_eq!(ix.resolve_js("src/handlers/x.ts", "../lib"), Some(2));
        assert_eq!(ix.resolve_js("src/index.ts", "zod"), None);
        assert_eq!(ix.resolve_js("src/index.ts", "../../../etc/passwd"), None);
    }

    #[test]
    fn python_modules_resolve_relative_and_src_layout() {
        let files: Vec<(String, Family)> = [
            "src/pkg/__init__.py",
            "src/pkg/server.py",
            "src/pkg/tools/helpers.py",
            "src/pkg/tools/__init__.py",
        ]
        .iter()
        .map(|s| (s.to_string(), Family::Python))
        .collect();
        let ix = ModuleIndex::new(&files, &[]);
        assert_eq!(
            ix.resolve_py(1, "src/pkg/server.py", ".tools.helpers"),
            Some(2)
        );
        assert_eq!(ix.resolve_py(1, "src/pkg/server.py", "pkg.tools"), Some(3));
        assert_eq!(ix.resolve_py(2, "src/pkg/tools/helpers.py", ".."), Some(0));
        assert_eq!(
            ix.resolve_py(3, "src/pkg/tools/__init__.py", ".helpers"),
            Some(2)
        );
    }

    #[test]
    fn twins_are_matched_within_their_own_project() {
        let f = |rel: &str| SourceFile {
            abs: rel.into(),
            rel: rel.into(),
            lang: mcpwarden_lang::Lang::from_path(rel).unwrap(),
            size: 1,
        };
        // `a` ships TypeScript and its build; `b` ships only its build (an npm package).
        let files = vec![
            f("a/src/index.ts"),
            f("a/dist/index.js"),
            f("b/dist/index.js"),
            f("b/dist/tools.js"),
        ];
        let (drop, skipped) = compiled_twins(&files);
        assert_eq!(drop, HashSet::from([1]));
        assert_eq!(
            skipped,
            vec![Skipped {
                path: "a/dist".into(),
                reason: "compiled-twin".into()
            }]
        );
    }

    #[test]
    fn normalize_rejects_escapes() {
        assert_eq!(normalize("a/./b/../c").as_deref(), Some("a/c"));
        assert_eq!(normalize("../x"), None);
    }
}

#[cfg(test)]
mod csharp_sdk_version_tests {
    use super::{csharp_mcp_version, Manifest};

    #[test]
    fn reads_the_csharp_sdk_version_of_a_project() {
        let attr = r#"<Project><ItemGroup>
            <PackageReference Include="Serilog" Version="4.0.0" />
            <PackageReference Include="ModelContextProtocol.AspNetCore" Version="0.2.0-preview.3" />
        </ItemGroup></Project>"#;
        assert_eq!(csharp_mcp_version(attr).as_deref(), Some("0.2.0-preview.3"));
        let child = "<PackageReference Include='ModelContextProtocol'>\n<Version>0.3.0-preview.1</Version>\n</PackageReference>";
        assert_eq!(
            csharp_mcp_version(child).as_deref(),
            Some("0.3.0-preview.1")
        );
        let central = r#"<PackageVersion Include="ModelContextProtocol" Version="1.0.0" />"#;
        assert_eq!(csharp_mcp_version(central).as_deref(), Some("1.0.0"));
        assert_eq!(
            csharp_mcp_version(
                r#"<PackageReference Include="ModelContextProtocolX" Version="0.1.0" />"#
            ),
            None
        );
    }

    #[test]
    fn old_csharp_sdk_releases_name_entries_raw() {
        let m = |v: &str| Manifest {
            csharp_mcp_versions: vec![("srv".into(), v.into())],
            ..Manifest::default()
        };
        for (v, raw) in [
            ("0.2.0-preview.3", true),
            ("0.3.0-preview.1", true),
            ("0.1.0-preview.14", true),
            ("[0.2.0, )", true),
            ("0.3.0-preview.2", false),
            ("0.3.0-preview.10", false),
            ("0.3.0", false),
            ("1.2.0", false),
            ("$(McpVersion)", false),
            ("0.*", false),
        ] {
            assert_eq!(m(v).csharp_sdk_names_raw("srv/Tools.cs"), raw, "{v}");
        }
        assert!(!m("0.2.0-preview.3").csharp_sdk_names_raw("other/Tools.cs"));
    }
}
