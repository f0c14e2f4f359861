//! Compilation units of the languages whose files are compiled together.
//!
//! In Go, Rust, Java, Kotlin and C# a file sees the names of its whole package
//! (Go directory, Rust module, JVM package, C# namespace) without importing
//! them, and imports name packages rather than files. A [`Units`] groups the
//! files of each unit so the linker can look a name up in all of them.

use mcpwarden_lang::{Family, FileFacts};
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct Units {
    files: HashMap<Family, HashMap<String, Vec<u32>>>,
    /// Per unit, which file exports each top-level name (the first one wins).
    exporters: HashMap<Family, HashMap<String, HashMap<String, u32>>>,
    unit_of: Vec<Option<String>>,
    /// Go modules of the tree: (folder of go.mod, module path).
    go_modules: Vec<(String, String)>,
    /// Rust crates of the tree: (crate name with `-` as `_`, folder of its sources).
    rust_crates: Vec<(String, String)>,
}

/// Implicit imports: where an unqualified name comes from when nothing declares it.
pub fn implicit_imports(family: Family) -> &'static [&'static str] {
    match family {
        Family::Jvm => &[
            "java.lang",
            "kotlin",
            "kotlin.io",
            "kotlin.collections",
            "kotlin.text",
        ],
        // `<ImplicitUsings>` of the .NET SDK, which new projects enable.
        Family::CSharp => &[
            "System",
            "System.IO",
            "System.Net.Http",
            "System.Collections.Generic",
            "System.Linq",
            "System.Threading",
            "System.Threading.Tasks",
            // Added by the Web SDK (ASP.NET Core projects: `WebApplication`).
            "Microsoft.AspNetCore.Builder",
        ],
        _ => &[],
    }
}

fn dir_of(rel: &str) -> &str {
    rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

/// A Rust file's crate source folder and module path (`crate::a::b`).
fn rust_module(rel: &str) -> (String, Vec<String>) {
    let parts: Vec<&str> = rel.split('/').collect();
    // The innermost `src/` folder is the crate's (binaries in `src/bin/` are crates of their own).
    let Some(src) = parts.iter().rposition(|p| *p == "src") else {
        return (dir_of(rel).to_string(), vec!["crate".into()]);
    };
    let root = parts[..=src].join("/");
    let rest = &parts[src + 1..];
    if rest.first() == Some(&"bin") {
        return (
            rel.trim_end_matches(".rs").to_string(),
            vec!["crate".into()],
        );
    }
    let mut module = vec!["crate".to_string()];
    for (i, p) in rest.iter().enumerate() {
        let last = i + 1 == rest.len();
        if last {
            let stem = p.trim_end_matches(".rs");
            if !(stem == "mod" || (i == 0 && (stem == "lib" || stem == "main"))) {
                module.push(stem.to_string());
            }
        } else {
            module.push(p.to_string());
        }
    }
    (root, module)
}

fn rust_key(root: &str, module: &[String]) -> String {
    format!("{root}:{}", module.join("::"))
}

impl Units {
    pub fn new(
        files: &[(&str, Family, &FileFacts)],
        go_modules: Vec<(String, String)>,
        rust_crates: Vec<(String, String)>,
    ) -> Units {
        let mut u = Units {
            go_modules,
            rust_crates,
            ..Default::default()
        };
        for (i, (rel, family, facts)) in files.iter().enumerate() {
            let key = match family {
                Family::Go => Some(dir_of(rel).to_string()),
                Family::Rust => {
                    let (root, module) = rust_module(rel);
                    Some(rust_key(&root, &module))
                }
                Family::Jvm | Family::CSharp => Some(facts.package.clone().unwrap_or_default()),
                Family::JavaScript | Family::Python => None,
            };
            if let Some(k) = &key {
                u.files
                    .entry(*family)
                    .or_default()
                    .entry(k.clone())
                    .or_default()
                    .push(i as u32);
                let names = u
                    .exporters
                    .entry(*family)
                    .or_default()
                    .entry(k.clone())
                    .or_default();
                for e in &facts.exports {
                    if let mcpwarden_lang::Export::Local { name, .. } = e {
                        names.entry(name.clone()).or_insert(i as u32);
                    }
                }
            }
            u.unit_of.push(key);
        }
        u
    }

    /// Files of a unit (empty when the tree has none).
    pub fn files(&self, family: Family, key: &str) -> &[u32] {
        self.files
            .get(&family)
            .and_then(|m| m.get(key))
            .map(|v| v.as_slice())
            .unwrap_or(&[])
    }

    /// The file of a unit that exports `name` (a top-level definition or re-export).
    pub fn exporter(&self, family: Family, key: &str, name: &str) -> Option<u32> {
        self.exporters.get(&family)?.get(key)?.get(name).copied()
    }

    /// The unit a file belongs to.
    pub fn unit_of(&self, file: u32) -> Option<&str> {
        self.unit_of.get(file as usize)?.as_deref()
    }

    /// Go: the folder of an import path that belongs to a module of the tree.
    pub fn go_dir(&self, import: &str) -> Option<String> {
        let mut best: Option<(usize, String)> = None;
        for (dir, module) in &self.go_modules {
            let rest = if import == module {
                Some("")
            } else {
                import
                    .strip_prefix(module.as_str())
                    .and_then(|r| r.strip_prefix('/'))
            };
            if let Some(rest) = rest {
                let d = [dir.as_str(), rest]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join("/");
                if best
                    .as_ref()
                    .map(|(l, _)| module.len() > *l)
                    .unwrap_or(true)
                {
                    best = Some((module.len(), d));
                }
            }
        }
        best.map(|(_, d)| d)
    }

    /// Rust: a path as written (`crate::a::f`, `super::f`, `self::m::f`, `other_crate::f`)
    /// made absolute: (unit key candidates as (key, number of segments consumed)).
    /// Returns `None` when the path does not start inside the tree.
    pub fn rust_absolute(&self, file_rel: &str, segs: &[String]) -> Option<(String, Vec<String>)> {
        let (root, mut module) = rust_module(file_rel);
        let first = segs.first()?;
        let rest: &[String];
        let root = match first.as_str() {
            "crate" => {
                module = vec!["crate".into()];
                rest = &segs[1..];
                root
            }
            "self" => {
                rest = &segs[1..];
                root
            }
            "super" => {
                let mut i = 0;
                while segs.get(i).map(|s| s == "super").unwrap_or(false) {
                    if module.len() > 1 {
                        module.pop();
                    }
                    i += 1;
                }
                rest = &segs[i..];
                root
            }
            name => {
                let (_, src) = self.rust_crates.iter().find(|(n, _)| n == name)?;
                module = vec!["crate".into()];
                rest = &segs[1..];
                src.clone()
            }
        };
        let mut full = module;
        full.extend(rest.iter().cloned());
        Some((root, full))
    }

    /// Rust: the longest prefix of an absolute module path that is a unit of the
    /// tree, and the rest of the path.
    pub fn rust_unit(&self, root: &str, full: &[String]) -> Option<(String, usize)> {
        (1..=full.len())
            .rev()
            .map(|k| (rust_key(root, &full[..k]), k))
            .find(|(key, _)| !self.files(Family::Rust, key).is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_module_paths() {
        assert_eq!(
            rust_module("src/main.rs"),
            ("src".into(), vec!["crate".to_string()])
        );
        assert_eq!(
            rust_module("x/src/a/mod.rs"),
            ("x/src".into(), vec!["crate".to_string(), "a".into()])
        );
        assert_eq!(
            rust_module("src/a/b.rs"),
            (
                "src".into(),
                vec!["crate".to_string(), "a".into(), "b".into()]
            )
        );
        assert_eq!(rust_module("src/bin/tool.rs").1, vec!["crate".to_string()]);
    }

    #[test]
    fn go_import_paths_map_to_folders() {
        let u = Units {
            go_modules: vec![
                ("".into(), "github.com/me/srv".into()),
                ("tools".into(), "github.com/me/srv/tools".into()),
            ],
            ..Default::default()
        };
        assert_eq!(
            u.go_dir("github.com/me/srv/internal/fs").as_deref(),
            Some("internal/fs")
        );
        assert_eq!(
            u.go_dir("github.com/me/srv/tools/x").as_deref(),
            Some("tools/x")
        );
        assert_eq!(u.go_dir("github.com/me/srv").as_deref(), Some(""));
        assert_eq!(u.go_dir("github.com/me/srvx"), None);
        assert_eq!(u.go_dir("net/http"), None);
    }

    #[test]
    fn rust_paths_are_made_absolute() {
        let u = Units {
            rust_crates: vec![("core_lib".into(), "core/src".into())],
            ..Default::default()
        };
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            u.rust_absolute("src/a/b.rs", &s(&["super", "c", "f"])),
            Some(("src".into(), s(&["crate", "a", "c", "f"])))
        );
        assert_eq!(
            u.rust_absolute("src/a/b.rs", &s(&["crate", "f"])),
            Some(("src".into(), s(&["crate", "f"])))
        );
        assert_eq!(
            u.rust_absolute("src/main.rs", &s(&["core_lib", "x", "f"])),
            Some(("core/src".into(), s(&["crate", "x", "f"])))
        );
        assert_eq!(u.rust_absolute("src/main.rs", &s(&["std", "fs"])), None);
    }
}
