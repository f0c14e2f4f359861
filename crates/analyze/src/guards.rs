//! Containment checks: calls that confine a value before it reaches a
//! privileged API (`path.resolve` + `startsWith(root)`, `realpath`,
//! `Path.is_relative_to`, a `validatePath` helper, `ALLOWED_HOSTS.includes`).
//!
//! The check is syntactic and per function: a finding is guarded when such a
//! call appears in its enclosing function (or an enclosing one) or in a
//! function on a tool's call chain to it. It does not prove the check is
//! applied to the same value; the trust assessment shows it and downgrades
//! the flow, it never hides it.

use crate::link::LinkFile;
use mcpwarden_lang::Callee;
use std::collections::HashMap;

/// Calls that confine a path on their own.
const PATH_CHECKS: &[&str] = &[
    "is_relative_to",
    "relative_to",
    "commonpath",
    "IsLocal",
    "secure_filename",
    "safe_join",
];
/// A prefix test confines a path only next to a normalisation.
const PREFIX_TESTS: &[&str] = &[
    "startsWith",
    "startswith",
    "HasPrefix",
    "starts_with",
    "StartsWith",
];
const NORMALISERS: &[&str] = &[
    "realpath",
    "realpathSync",
    "EvalSymlinks",
    "canonicalize",
    "toRealPath",
    "resolve",
    "normalize",
    "abspath",
    "normpath",
    "relative",
    "Abs",
    "Clean",
    "Rel",
    "GetFullPath",
    "toAbsolutePath",
];
/// Membership tests on a list whose name says it is an allow-list.
const MEMBERSHIP: &[&str] = &[
    "includes",
    "has",
    "contains",
    "Contains",
    "indexOf",
    "some",
    "__contains__",
];

/// Refs of each (file, enclosing definition), built once per scan.
pub struct Guards<'a> {
    files: &'a [LinkFile<'a>],
    by_scope: HashMap<(u32, Option<u32>), Vec<usize>>,
    cache: HashMap<(u32, Option<u32>), Vec<String>>,
}

impl<'a> Guards<'a> {
    pub fn new(files: &'a [LinkFile<'a>]) -> Self {
        let mut by_scope: HashMap<(u32, Option<u32>), Vec<usize>> = HashMap::new();
        for (fi, f) in files.iter().enumerate() {
            for (ri, r) in f.facts.refs.iter().enumerate() {
                by_scope.entry((fi as u32, r.in_def)).or_default().push(ri);
            }
        }
        Guards {
            files,
            by_scope,
            cache: HashMap::new(),
        }
    }

    /// Checks in a definition and the definitions enclosing it.
    pub fn around(&mut self, file: u32, def: Option<u32>) -> Vec<String> {
        let mut out = vec![];
        let mut cur = def;
        let mut depth = 0;
        while let Some(d) = cur {
            out.extend(self.of(file, Some(d)));
            // A resolver it calls that returns only contained paths
            // (`const p = resolveRoutePath(root, route); if (!p) return null`).
            for c in self.called(file, d) {
                out.extend(self.of(file, Some(c)));
            }
            cur = self.files[file as usize].facts.defs[d as usize].parent;
            depth += 1;
            if depth > 16 {
                break;
            }
        }
        out
    }

    /// Functions of the same file a definition calls directly (one level).
    fn called(&self, file: u32, def: u32) -> Vec<u32> {
        let f = &self.files[file as usize];
        let refs = self
            .by_scope
            .get(&(file, Some(def)))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let mut out: Vec<u32> = refs
            .iter()
            .filter_map(|&ri| match &f.facts.refs[ri].callee {
                Callee::Def { def: c, path } if path.is_empty() && *c != def => Some(*c),
                _ => None,
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Checks in one definition's own body (cached).
    pub fn of(&mut self, file: u32, def: Option<u32>) -> Vec<String> {
        if let Some(g) = self.cache.get(&(file, def)) {
            return g.clone();
        }
        let g = self.scan(file, def);
        self.cache.insert((file, def), g.clone());
        g
    }

    fn scan(&self, file: u32, def: Option<u32>) -> Vec<String> {
        let f = &self.files[file as usize];
        let refs = self
            .by_scope
            .get(&(file, def))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let mut out = vec![];
        let at = |what: &str, line: u32| format!("{what}@{}:{line}", f.rel);
        let mut prefix = None;
        let mut normal = None;
        for &ri in refs {
            let r = &f.facts.refs[ri];
            // A direct call of a function of the tree (`_validate_url(u)`) has
            // no member path: its name is the definition's.
            let own;
            let last = match (&r.callee, r.callee.last_name()) {
                (_, Some(l)) => l,
                (Callee::Def { def, .. }, None) => match f.facts.defs.get(*def as usize) {
                    Some(d) => {
                        own = d.name.clone();
                        own.as_str()
                    }
                    None => continue,
                },
                (Callee::Var { name, .. }, None) => name.as_str(),
                _ => continue,
            };
            if PATH_CHECKS.contains(&last) {
                out.push(at(&format!("path:{last}"), r.line));
            } else if PREFIX_TESTS.contains(&last) {
                prefix.get_or_insert((last.to_string(), r.line));
            } else if NORMALISERS.contains(&last) {
                normal.get_or_insert(last.to_string());
            } else if MEMBERSHIP.contains(&last) {
                if let Some(list) = receiver_name(f, &r.callee) {
                    if let Some(class) = allow_list_class(&list) {
                        out.push(at(&format!("{class}:{list}.{last}"), r.line));
                    }
                }
            } else if let Some(class) = helper_class(last) {
                out.push(at(&format!("{class}:{last}"), r.line));
            }
        }
        if let (Some((p, line)), Some(n)) = (prefix, normal) {
            out.push(at(&format!("path:{n}+{p}"), line));
        }
        out
    }
}

/// The name of the object a method is called on: `ALLOWED.includes` → `ALLOWED`.
fn receiver_name(f: &LinkFile, c: &Callee) -> Option<String> {
    let path = c.path();
    if path.len() >= 2 {
        return Some(path[path.len() - 2].clone());
    }
    match c {
        Callee::Var { name, .. } => Some(name.clone()),
        Callee::Def { def, .. } => f.facts.defs.get(*def as usize).map(|d| d.name.clone()),
        Callee::Import { module, .. } => Some(module.clone()),
        _ => None,
    }
}

/// A list named like an allow-list (`ALLOWED_HOSTS`, `allowedCommands`,
/// `WHITELIST`), and what it confines.
fn allow_list_class(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    if !["allow", "whitelist", "permitted", "safe"]
        .iter()
        .any(|w| n.contains(w))
    {
        return None;
    }
    Some(object_class(&n))
}

/// A helper named like a check (`validatePath`, `is_safe_url`,
/// `ensureWithinRoot`, `checkCommand`), and what it confines.
fn helper_class(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    // Words of confinement, not of mere checking: `ensureFileOpen`,
    // `assertRootIsDirectory` and `checkFileExists` confine nothing.
    let checks = [
        "valid",
        "saniti",
        "safe",
        "within",
        "allowed",
        "inside",
        "contain",
        "permit",
        "restrict",
        "whitelist",
        "allowlist",
        "trusted",
        "secure",
    ];
    let objects = [
        "path", "dir", "file", "root", "url", "host", "domain", "command", "cmd", "program",
    ];
    let not = [
        "exist",
        "open",
        "isdir",
        "directory",
        "format",
        "schema",
        "json",
    ];
    // Containment words outweigh the mere checks: `isWithinDirectory`.
    let contains = ["within", "inside", "contain"]
        .iter()
        .any(|c| n.contains(c));
    (checks.iter().any(|c| n.contains(c))
        && objects.iter().any(|o| n.contains(o))
        && (contains || !not.iter().any(|w| n.contains(w))))
    .then(|| object_class(&n))
}

fn object_class(n: &str) -> &'static str {
    if ["url", "host", "domain", "origin"]
        .iter()
        .any(|w| n.contains(w))
    {
        "host"
    } else if ["command", "cmd", "program", "binar", "exec"]
        .iter()
        .any(|w| n.contains(w))
    {
        "command"
    } else {
        "path"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_classify_checks() {
        assert_eq!(helper_class("validatePath"), Some("path"));
        assert_eq!(helper_class("is_safe_url"), Some("host"));
        assert_eq!(helper_class("checkCommandAllowed"), Some("command"));
        assert_eq!(helper_class("ensureFileOpen"), None);
        assert_eq!(helper_class("assertWalkRootIsDirectory"), None);
        assert_eq!(helper_class("validateFileExists"), None);
        assert_eq!(helper_class("readFile"), None);
        assert_eq!(helper_class("isWithinDirectory"), Some("path"));
        assert_eq!(allow_list_class("ALLOWED_HOSTS"), Some("host"));
        assert_eq!(allow_list_class("items"), None);
    }
}
