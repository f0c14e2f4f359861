//! Cross-file resolution: what a callee seen in one file denotes in the tree.
//!
//! A callee resolved inside its file (see `mcpwarden_lang::Callee`) is followed
//! through in-tree imports, re-exports (`export * from`, `__init__.py`),
//! classes and their bases, to one of: a definition in the tree, an external
//! module member (matched against the catalogue), a runtime global, or a name
//! to look up by the fallback tier.

use crate::project::ModuleIndex;
use crate::units::Units;
use mcpwarden_lang::{Arg, Callee, DefKind, Export, Family, FileFacts, ObjLit};
use std::collections::{HashMap, HashSet};

/// A file as the linker sees it.
pub struct LinkFile<'a> {
    pub rel: &'a str,
    pub family: Family,
    pub facts: &'a FileFacts,
}

/// What a callee denotes in the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A definition: (file, def). For a class, `method` is the member reached.
    Def {
        file: u32,
        def: u32,
    },
    /// A member of a module outside the tree (`node:` stripped, `default` dropped).
    External {
        module: String,
        path: Vec<String>,
    },
    Global {
        path: Vec<String>,
    },
    /// Only a member name is known (`obj.search()` on an unknown object).
    Name(String),
    Unknown,
}

/// How an edge was resolved (DESIGN: tiers a–d).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    SameFile,
    CrossFile,
    SelfMember,
    NameOnly,
}

pub struct Linker<'a> {
    pub files: &'a [LinkFile<'a>],
    pub index: &'a ModuleIndex,
    pub units: &'a Units,
    /// (file, class def, method name) → method def.
    methods: HashMap<(u32, u32, &'a str), u32>,
    /// Method / function name → definitions anywhere (for the name-only tier).
    by_name: HashMap<&'a str, Vec<(u32, u32)>>,
    /// Class → classes naming it as a base (compiled-together languages).
    subclasses: HashMap<(u32, u32), Vec<(u32, u32)>>,
    /// Go definitions holding at least one reference (an interface method holds none).
    with_refs: HashSet<(u32, u32)>,
    /// Python methods decorated `@property` / `@cached_property`: reading the
    /// attribute runs them.
    properties: HashSet<(u32, u32)>,
    /// C# files of projects pinning a C# SDK release that names an entry
    /// without an explicit name after its method as written
    /// (`project::CSHARP_SDK_SNAKE_CASE_SINCE`).
    pub csharp_raw_names: HashSet<u32>,
}

/// Names too generic to link by name alone: they are nearly always methods of
/// runtime or library objects (`arr.map`, `res.json`, `dict.get`).
const STOP_NAMES: &[&str] = &[
    "get",
    "set",
    "has",
    "map",
    "filter",
    "reduce",
    "forEach",
    "find",
    "push",
    "pop",
    "shift",
    "join",
    "split",
    "then",
    "catch",
    "finally",
    "json",
    "text",
    "send",
    "end",
    "on",
    "once",
    "emit",
    "log",
    "error",
    "warn",
    "info",
    "debug",
    "toString",
    "keys",
    "values",
    "items",
    "entries",
    "append",
    "extend",
    "update",
    "copy",
    "close",
    "open",
    "read",
    "write",
    "start",
    "stop",
    "call",
    "apply",
    "bind",
    "parse",
    "stringify",
    "format",
    "replace",
    "strip",
    "lower",
    "upper",
    "add",
    "remove",
    "delete",
    "clear",
    "next",
    "resolve",
    "reject",
    "all",
    "__init__",
    "constructor",
    "connect",
    "query",
    "request",
    "exec",
    "listen",
    "sort",
    "slice",
    "includes",
    "indexOf",
    "trim",
    "test",
    "match",
    "encode",
    "decode",
    "dump",
    "dumps",
    "loads",
    "wait",
    "sleep",
    "__enter__",
    "__exit__",
    "__aenter__",
    "__aexit__",
];

/// Past this many same-named definitions the name-only tier gives up ("unresolved").
pub const NAME_FANOUT_CAP: usize = 3;

impl<'a> Linker<'a> {
    pub fn new(files: &'a [LinkFile<'a>], index: &'a ModuleIndex, units: &'a Units) -> Linker<'a> {
        let mut methods = HashMap::new();
        let mut by_name: HashMap<&str, Vec<(u32, u32)>> = HashMap::new();
        for (fi, f) in files.iter().enumerate() {
            for (di, d) in f.facts.defs.iter().enumerate() {
                if d.kind == DefKind::Method {
                    if let Some(c) = d.parent {
                        if f.facts.defs[c as usize].kind == DefKind::Class {
                            methods.insert((fi as u32, c, d.name.as_str()), di as u32);
                        }
                    }
                }
                // Python `obj.m()` can only be a method; JavaScript object-literal
                // functions are methods too.
                let linkable = match f.family {
                    Family::Python => d.kind == DefKind::Method,
                    _ => matches!(d.kind, DefKind::Method | DefKind::Function),
                };
                if linkable && !d.name.is_empty() {
                    by_name
                        .entry(d.name.as_str())
                        .or_default()
                        .push((fi as u32, di as u32));
                }
            }
        }
        let mut l = Linker {
            files,
            index,
            units,
            methods,
            by_name,
            subclasses: HashMap::new(),
            with_refs: HashSet::new(),
            properties: property_getters(files),
            csharp_raw_names: HashSet::new(),
        };
        // Subclasses and implementers of every class of the tree, from the bases each
        // class names (`class FileServiceImpl implements FileService`).
        let mut subclasses: HashMap<(u32, u32), Vec<(u32, u32)>> = HashMap::new();
        for (fi, f) in files.iter().enumerate() {
            // Only Go asks which methods have a body (see `overrides`).
            if f.family == Family::Go {
                l.with_refs.extend(
                    f.facts
                        .refs
                        .iter()
                        .filter_map(|r| r.in_def.map(|d| (fi as u32, d))),
                );
            }
            for (di, d) in f.facts.defs.iter().enumerate() {
                if d.kind != DefKind::Class {
                    continue;
                }
                for b in d.bases.iter().filter(|b| !b.through_call()) {
                    if let (Target::Def { file: bf, def: bd }, _) = l.resolve_depth(fi as u32, b, 1)
                    {
                        if (bf, bd) != (fi as u32, di as u32)
                            && files[bf as usize].facts.defs[bd as usize].kind == DefKind::Class
                        {
                            subclasses
                                .entry((bf, bd))
                                .or_default()
                                .push((fi as u32, di as u32));
                        }
                    }
                }
            }
        }
        l.subclasses = subclasses;
        l
    }

    /// What a call of method `def` may run besides itself: the same-named
    /// methods of subclasses and implementers (a call through an interface or
    /// a base class runs an implementation). In JavaScript and Python only for
    /// a call on a value (`through_value`: `self._adapter.read_note()` with
    /// `_adapter: Adapter`), never `self.m()` inside a class hierarchy, where
    /// a base's template method would reach every subclass. Go names no
    /// interfaces it satisfies: a bodiless interface method stands for the
    /// same-named methods found by name.
    pub fn overrides(&self, file: u32, def: u32, through_value: bool) -> Vec<(u32, u32)> {
        let f = &self.files[file as usize];
        let d = &f.facts.defs[def as usize];
        if (!f.family.compiles_together() && !through_value) || d.kind != DefKind::Method {
            return vec![];
        }
        let Some(class) = d.parent else { return vec![] };
        let mut out = vec![];
        // Most classes have no subclass: no walk (this runs for every call edge).
        let mut seen: HashSet<(u32, u32)> = HashSet::new();
        let mut stack = if self.subclasses.contains_key(&(file, class)) {
            vec![(file, class)]
        } else {
            vec![]
        };
        while let Some(c) = stack.pop() {
            if seen.len() > 64 || !seen.insert(c) {
                continue;
            }
            for &sub in self.subclasses.get(&c).map(|v| v.as_slice()).unwrap_or(&[]) {
                if let Some(&m) = self.methods.get(&(sub.0, sub.1, d.name.as_str())) {
                    out.push((sub.0, m));
                }
                stack.push(sub);
            }
        }
        if out.is_empty() && f.family == Family::Go && !self.with_refs.contains(&(file, def)) {
            out.extend(self.by_name(&d.name).iter().copied().filter(|&(mf, md)| {
                let m = &self.files[mf as usize].facts.defs[md as usize];
                (mf, md) != (file, def)
                    && m.kind == DefKind::Method
                    && m.parent != Some(class)
                    && self.with_refs.contains(&(mf, md))
            }));
        }
        out
    }

    /// Definitions a bare member name may denote (tier d), or empty past the cap.
    pub fn by_name(&self, name: &str) -> &[(u32, u32)] {
        if STOP_NAMES.contains(&name) {
            return &[];
        }
        match self.by_name.get(name) {
            Some(v) if v.len() <= NAME_FANOUT_CAP => v,
            _ => &[],
        }
    }

    /// True when the name has more candidates than the cap allows.
    pub fn over_cap(&self, name: &str) -> bool {
        !STOP_NAMES.contains(&name)
            && self
                .by_name
                .get(name)
                .map(|v| v.len() > NAME_FANOUT_CAP)
                .unwrap_or(false)
    }

    pub fn resolve(&self, file: u32, callee: &Callee) -> (Target, Tier) {
        self.resolve_depth(file, callee, 0)
    }

    fn resolve_depth(&self, file: u32, callee: &Callee, depth: u32) -> (Target, Tier) {
        if depth > 12 {
            return (Target::Unknown, Tier::SameFile);
        }
        let f = &self.files[file as usize];
        match callee {
            Callee::Def { def, path } => {
                let t = self.member_of_def(file, *def, path, depth);
                (
                    t,
                    if depth == 0 {
                        Tier::SameFile
                    } else {
                        Tier::CrossFile
                    },
                )
            }
            Callee::Import { module, path } if f.family.compiles_together() => {
                self.resolve_compiled_import(file, module, path, depth)
            }
            Callee::Global { path } if f.family.compiles_together() => {
                self.resolve_compiled_global(file, path, depth)
            }
            Callee::Import { module, path } => {
                let target_file = self.import_file(file, module);
                match target_file {
                    Some(tf) => {
                        let mut path = path.clone();
                        if f.family == Family::JavaScript
                            && path.first().map(|s| s == "default").unwrap_or(false)
                            && !self.exports_name(tf as u32, "default")
                        {
                            // CommonJS module imported by default: the module object itself.
                            path.remove(0);
                        }
                        let (t, _) = self.resolve_in_module(tf as u32, &path, depth + 1);
                        (t, Tier::CrossFile)
                    }
                    None if module.starts_with('.') => (Target::Unknown, Tier::CrossFile),
                    None => {
                        let module = module.strip_prefix("node:").unwrap_or(module).to_string();
                        let mut path = path.clone();
                        if f.family == Family::JavaScript
                            && path.first().map(|s| s == "default").unwrap_or(false)
                        {
                            path.remove(0);
                        }
                        (Target::External { module, path }, Tier::CrossFile)
                    }
                }
            }
            Callee::Global { path } => {
                // A Python module-level name used before its definition is still a global here.
                (Target::Global { path: path.clone() }, Tier::SameFile)
            }
            Callee::SelfMember {
                class: Some(c),
                path,
            } if path.first().map(|s| s == "<super>").unwrap_or(false) => {
                // `super().m()` / `super.m()` / `super(...)`: the bases' member.
                let ctor = if f.family == Family::Python {
                    "__init__"
                } else {
                    "constructor"
                };
                let name = path.get(1).map(|s| s.as_str()).unwrap_or(ctor);
                let d = &f.facts.defs[*c as usize];
                for base in &d.bases {
                    if let (Target::Def { file: bf, def: bd }, _) =
                        self.resolve_depth(file, base, depth + 1)
                    {
                        if let Some((mf, md)) = self.method(bf, bd, name, depth) {
                            return (Target::Def { file: mf, def: md }, Tier::SelfMember);
                        }
                    }
                }
                (Target::Unknown, Tier::SelfMember)
            }
            // `self.session.get(...)`: what the field was set to, then the member.
            Callee::SelfMember {
                class: Some(c),
                path,
            } if path.len() >= 2 && self.member_field(file, *c, &path[0], depth).is_some() => {
                let (ff, mut value) = self
                    .member_field(file, *c, &path[0], depth)
                    .expect("checked");
                append(&mut value, &path[1..]);
                let (t, _) = self.resolve_depth(ff, &value, depth + 1);
                (t, Tier::SelfMember)
            }
            // `this.createApp().listen()`: a member of what the method returns.
            Callee::SelfMember {
                class: Some(c),
                path,
            } if path.len() >= 3 && path[1] == "()" => {
                let result = self
                    .method(file, *c, &path[0], depth)
                    .and_then(|(mf, md)| self.through_result(mf, md, &path[2..], depth));
                match result {
                    Some(t) => (t, Tier::SelfMember),
                    None => (last_name(path), Tier::NameOnly),
                }
            }
            Callee::SelfMember { class, path } => match (class, path.first()) {
                (Some(c), Some(m)) if path.len() == 1 => match self.method(file, *c, m, depth) {
                    Some((mf, md)) => (Target::Def { file: mf, def: md }, Tier::SelfMember),
                    None => match self.field_alias(file, *c, m, depth) {
                        Some(t) => (t, Tier::SelfMember),
                        None => match self.promoted_external(file, *c, path, depth) {
                            Some(t) => (t, Tier::SelfMember),
                            None => (Target::Name(m.clone()), Tier::NameOnly),
                        },
                    },
                },
                (Some(c), Some(_)) => match self.promoted_external(file, *c, path, depth) {
                    Some(t) => (t, Tier::SelfMember),
                    None => (last_name(path), Tier::NameOnly),
                },
                _ => (last_name(path), Tier::NameOnly),
            },
            Callee::Var { path, .. } => (last_name(path), Tier::NameOnly),
            Callee::Dynamic { member } => (
                member.clone().map(Target::Name).unwrap_or(Target::Unknown),
                Tier::NameOnly,
            ),
        }
    }

    /// The string constant a value denotes, through imports (`TOOL_NAMES.search` → `"search"`).
    pub fn const_value(&self, file: u32, callee: &Callee) -> Option<String> {
        self.const_depth(file, callee, 0)
    }

    fn const_depth(&self, file: u32, callee: &Callee, depth: u32) -> Option<String> {
        if depth > 6 {
            return None;
        }
        let f = &self.files[file as usize];
        let lookup = |fi: u32, key: String| -> Option<String> {
            self.files[fi as usize]
                .facts
                .consts
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.clone())
        };
        // `Tools.SEARCH.value` is `Tools.SEARCH`'s string.
        let trim = |path: &[String]| -> Vec<String> {
            let mut p = path.to_vec();
            if p.last().map(|s| s == "value").unwrap_or(false) {
                p.pop();
            }
            p
        };
        match callee {
            Callee::Var { name, path } => {
                let mut key = name.clone();
                for p in trim(path) {
                    key.push('.');
                    key.push_str(&p);
                }
                lookup(file, key)
            }
            Callee::Def { def, path } if !path.is_empty() => {
                let mut key = f.facts.defs[*def as usize].name.clone();
                for p in trim(path) {
                    key.push('.');
                    key.push_str(&p);
                }
                lookup(file, key)
            }
            // Compiled-together languages: a constant of the package (`const ToolName = "x"`).
            Callee::Global { path } if f.family.compiles_together() => {
                let unit = self.units.unit_of(file)?;
                let key = trim(path).join(".");
                self.units
                    .files(f.family, unit)
                    .iter()
                    .find_map(|&uf| lookup(uf, key.clone()))
            }
            // `NAME` / `this.NAME` inside a class: its constant.
            Callee::SelfMember {
                class: Some(c),
                path,
            } if f.family.compiles_together() && !path.is_empty() => {
                let key = format!(
                    "{}.{}",
                    f.facts.defs[*c as usize].name,
                    trim(path).join(".")
                );
                lookup(file, key)
            }
            Callee::Import { module, path } if f.family.compiles_together() => {
                // `tools.SearchName`, `ToolNames.SEARCH` from another package of the tree.
                let (files, key) = self.unit_member(file, module, &trim(path))?;
                files.iter().find_map(|&uf| lookup(uf, key.clone()))
            }
            Callee::Import { module, path } => {
                let tf = self.import_file(file, module)? as u32;
                let first = path.first()?;
                if let Some(v) =
                    lookup(tf, path.join(".")).or_else(|| lookup(tf, trim(path).join(".")))
                {
                    return Some(v);
                }
                // Re-exported: follow the export.
                let target =
                    self.files[tf as usize]
                        .facts
                        .exports
                        .iter()
                        .find_map(|e| match e {
                            Export::Local { name, target } if name == first => Some(target.clone()),
                            _ => None,
                        })?;
                let mut t = target;
                append(&mut t, &path[1..]);
                if matches!(t, Callee::Import { .. } | Callee::Var { .. }) {
                    self.const_depth(tf, &t, depth + 1)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// The file a JavaScript or Python import names, if it is in the tree.
    pub(crate) fn import_file(&self, file: u32, module: &str) -> Option<usize> {
        let f = &self.files[file as usize];
        match f.family {
            Family::JavaScript => self.index.resolve_js(f.rel, module),
            Family::Python => self.index.resolve_py(file as usize, f.rel, module),
            _ => None,
        }
    }

    /// A name exported by one of a unit's files, then the rest of the path.
    fn resolve_in_unit(
        &self,
        family: Family,
        unit: &str,
        path: &[String],
        depth: u32,
    ) -> Option<(Target, Tier)> {
        let uf = self.units.exporter(family, unit, first_of(path)?)?;
        Some((
            self.resolve_in_module(uf, path, depth + 1).0,
            Tier::CrossFile,
        ))
    }

    /// Go, Rust, JVM, C#: an import names a package (or a member of one); in the
    /// tree it is a unit, otherwise an external API.
    fn resolve_compiled_import(
        &self,
        file: u32,
        module: &str,
        path: &[String],
        depth: u32,
    ) -> (Target, Tier) {
        let f = &self.files[file as usize];
        let external = || {
            (
                Target::External {
                    module: module.to_string(),
                    path: path.to_vec(),
                },
                Tier::CrossFile,
            )
        };
        match f.family {
            Family::Go => match self.units.go_dir(module) {
                Some(dir) => self
                    .resolve_in_unit(Family::Go, &dir, path, depth)
                    .unwrap_or((last_name(path), Tier::NameOnly)),
                None => external(),
            },
            Family::Rust => {
                let segs = segments(module, "::", path);
                // `use tools::x` from the crate root is relative to the current module.
                let abs = self.units.rust_absolute(f.rel, &segs).or_else(|| {
                    let mut rel = vec!["self".to_string()];
                    rel.extend(segs.iter().cloned());
                    let (root, full) = self.units.rust_absolute(f.rel, &rel)?;
                    let (_, k) = self.units.rust_unit(&root, &full)?;
                    (k > full.len() - segs.len()).then_some((root, full))
                });
                let Some((root, full)) = abs else {
                    return external();
                };
                match self.units.rust_unit(&root, &full) {
                    Some((key, k)) if k < full.len() => self
                        .resolve_in_unit(Family::Rust, &key, &full[k..], depth)
                        .unwrap_or((last_name(&full), Tier::NameOnly)),
                    _ => (last_name(&full), Tier::NameOnly),
                }
            }
            _ => self
                .resolve_qualified(f.family, &segments(module, ".", path), depth)
                .unwrap_or_else(external),
        }
    }

    /// JVM and C#: a qualified name (`com.acme.Tools.run`, `Acme.Clients.Http`)
    /// through the longest prefix naming a package of the tree.
    fn resolve_qualified(
        &self,
        family: Family,
        segs: &[String],
        depth: u32,
    ) -> Option<(Target, Tier)> {
        (1..segs.len()).rev().find_map(|k| {
            let unit = segs[..k].join(".");
            if self.units.files(family, &unit).is_empty() {
                return None;
            }
            self.resolve_in_unit(family, &unit, &segs[k..], depth)
        })
    }

    /// The unit of the tree an import goes into, and the member path inside it.
    fn unit_member(&self, file: u32, module: &str, path: &[String]) -> Option<(&[u32], String)> {
        let f = &self.files[file as usize];
        match f.family {
            Family::Go => Some((
                self.units.files(Family::Go, &self.units.go_dir(module)?),
                path.join("."),
            )),
            Family::Rust => {
                let segs = segments(module, "::", path);
                let (root, full) = self.units.rust_absolute(f.rel, &segs)?;
                let (key, k) = self.units.rust_unit(&root, &full)?;
                Some((self.units.files(Family::Rust, &key), full[k..].join(".")))
            }
            _ => {
                let segs = segments(module, ".", path);
                (1..segs.len()).rev().find_map(|k| {
                    let files = self.units.files(f.family, &segs[..k].join("."));
                    (!files.is_empty()).then(|| (files, segs[k..].join(".")))
                })
            }
        }
    }

    /// Go, Rust, JVM, C#: an unqualified name is the package's own, or comes from
    /// a wildcard import (`import a.b.*`, `using A.B;`), or is a runtime name.
    fn resolve_compiled_global(&self, file: u32, path: &[String], depth: u32) -> (Target, Tier) {
        let f = &self.files[file as usize];
        let global = || {
            (
                Target::Global {
                    path: path.to_vec(),
                },
                Tier::SameFile,
            )
        };
        if let Some(unit) = self.units.unit_of(file) {
            // Another file of the package (names of this file were resolved by the extractor).
            if let Some(uf) = first_of(path)
                .and_then(|n| self.units.exporter(f.family, unit, n))
                .filter(|&uf| uf != file)
            {
                return (
                    self.resolve_in_module(uf, path, depth + 1).0,
                    Tier::CrossFile,
                );
            }
            // C#: code in namespace `A.B.C` also sees `A.B` and `A`.
            if f.family == Family::CSharp {
                let mut ns: Vec<&str> = unit.split('.').collect();
                while ns.len() > 1 {
                    ns.pop();
                    if let Some(t) = self.resolve_in_unit(f.family, &ns.join("."), path, depth) {
                        return t;
                    }
                }
            }
        }
        for star in &f.facts.star_imports {
            let unit = match f.family {
                Family::Rust => {
                    let segs = segments(star, "::", &[]);
                    match self
                        .units
                        .rust_absolute(f.rel, &segs)
                        .and_then(|(root, full)| {
                            self.units
                                .rust_unit(&root, &full)
                                .filter(|(_, k)| *k == full.len())
                        }) {
                        Some((key, _)) => key,
                        None => continue,
                    }
                }
                _ => star.clone(),
            };
            if let Some(t) = self.resolve_in_unit(f.family, &unit, path, depth) {
                return t;
            }
        }
        // A qualified name written in full (`Acme.Clients.Http()`).
        if matches!(f.family, Family::Jvm | Family::CSharp) {
            if let Some(t) = self.resolve_qualified(f.family, path, depth) {
                return t;
            }
        }
        global()
    }

    fn exports_name(&self, file: u32, name: &str) -> bool {
        self.files[file as usize]
            .facts
            .exports
            .iter()
            .any(|e| matches!(e, Export::Local { name: n, .. } if n == name))
    }

    /// A function held by a module-level object literal (`export const
    /// scanPhase = { execute() {…} }` called as `scanPhase.execute()`).
    fn object_member(&self, file: u32, name: &str, member: &str, depth: u32) -> Option<Target> {
        let f = &self.files[file as usize];
        let o = f
            .facts
            .objects
            .iter()
            .find(|o| o.in_def.is_none() && o.binding.as_deref() == Some(name))?;
        match &o.props.iter().find(|(k, _)| k == member)?.1 {
            Arg::Func(d) => Some(Target::Def { file, def: *d }),
            Arg::Path(c) if !c.through_call() && depth < 12 => {
                Some(self.resolve_depth(file, c, depth + 1).0)
            }
            _ => None,
        }
    }

    /// `path` looked up from a module: the first segment is an exported name.
    fn resolve_in_module(&self, file: u32, path: &[String], depth: u32) -> (Target, Tier) {
        let Some(first) = path.first() else {
            return (Target::Unknown, Tier::CrossFile);
        };
        let f = &self.files[file as usize];
        if let [_, member] = path {
            if let Some(t) = self.object_member(file, first, member, depth) {
                return (t, Tier::CrossFile);
            }
        }
        for e in &f.facts.exports {
            if let Export::Local { name, target } = e {
                if name == first {
                    let mut c = target.clone();
                    append(&mut c, &path[1..]);
                    return self.resolve_depth(file, &c, depth + 1);
                }
            }
        }
        for e in &f.facts.exports {
            if let Export::Star { module } = e {
                if let Some(tf) = self.index.resolve_js(f.rel, module) {
                    if tf as u32 != file {
                        let (t, tier) = self.resolve_in_module(tf as u32, path, depth + 1);
                        if t != Target::Unknown {
                            return (t, tier);
                        }
                    }
                }
            }
        }
        // A Python package: `pkg.sub` is a submodule even if `__init__` does not import it.
        if f.family == Family::Python {
            if let Some(me) = self.index.py_name(file as usize) {
                let sub = if me.is_empty() {
                    first.clone()
                } else {
                    format!("{me}.{first}")
                };
                if let Some(sf) = self.index.resolve_py_abs(&sub) {
                    if sf as u32 != file && depth < 12 {
                        return self.resolve_in_module(sf as u32, &path[1..], depth + 1);
                    }
                }
            }
        }
        (last_name(path), Tier::NameOnly)
    }

    /// A member path applied to a definition: a class's method, a call result, ...
    fn member_of_def(&self, file: u32, def: u32, path: &[String], depth: u32) -> Target {
        let d = &self.files[file as usize].facts.defs[def as usize];
        if path.is_empty() {
            return Target::Def { file, def };
        }
        // `factory()` as a value (a handler built by a factory): the factory's code,
        // whose inner closures are its children.
        if path == ["()"] && d.kind != DefKind::Class {
            return Target::Def { file, def };
        }
        // `getClient().Do()`: a member of what the function declares it returns.
        if d.kind != DefKind::Class && path[0] == "()" && path.len() > 1 {
            if let Some(t) = self.through_result(file, def, &path[1..], depth) {
                return t;
            }
        }
        if d.kind == DefKind::Class {
            let rest: Vec<&String> = path.iter().filter(|s| s.as_str() != "()").collect();
            if path.len() == 1 && path[0] == "()" {
                // Constructing: the constructor runs.
                let ctor = if self.files[file as usize].family == Family::Python {
                    "__init__"
                } else {
                    "constructor"
                };
                return match self.method(file, def, ctor, depth) {
                    Some((mf, md)) => Target::Def { file: mf, def: md },
                    None => Target::Def { file, def },
                };
            }
            if rest.len() == 1 {
                if let Some((mf, md)) = self.method(file, def, rest[0], depth) {
                    return Target::Def { file: mf, def: md };
                }
                // A Python proxy: a member the class lacks is looked up by
                // `__getattr__` (a lazy client built on first use).
                if self.files[file as usize].family == Family::Python {
                    if let Some((mf, md)) = self.method(file, def, "__getattr__", depth) {
                        return Target::Def { file: mf, def: md };
                    }
                }
            }
            // `deps.GetClient(ctx).Query()`, `Config.load().read()`: a method's declared
            // result, then the member.
            let lead = usize::from(path[0] == "()");
            if path.len() > lead + 2 && path[lead] != "()" && path[lead + 1] == "()" {
                if let Some((mf, md)) = self.method(file, def, &path[lead], depth) {
                    if let Some(t) = self.through_result(mf, md, &path[lead + 2..], depth) {
                        return t;
                    }
                }
            }
            // `srv.client.Do()` on a value of a struct (a Go receiver declared in
            // another file of the package): what the field holds, then the member.
            if path.len() >= 3 && path[0] == "()" && path[1] != "()" {
                if let Some((ff, mut value)) = self.field(file, def, &path[1], depth) {
                    append(&mut value, &path[2..]);
                    return self.resolve_depth(ff, &value, depth + 1).0;
                }
            }
            // `bot.PostMessage()` on a struct embedding `*slack.Client`.
            if path.len() >= 2 && path[0] == "()" && path[1] != "()" {
                if let Some(t) = self.promoted_external(file, def, &path[1..], depth) {
                    return t;
                }
            }
        }
        last_name(path)
    }

    /// A member a Go struct lacks, promoted from a type of another module it
    /// embeds (`type Bot struct { *slack.Client }`: `b.PostMessage()` is the
    /// client's), as a member of a value of that type. Own methods and fields
    /// come first; embedded structs of the project are followed.
    fn promoted_external(
        &self,
        file: u32,
        class: u32,
        path: &[String],
        depth: u32,
    ) -> Option<Target> {
        let f = &self.files[file as usize];
        if f.family != Family::Go || depth > 12 || path.is_empty() || path[0] == "()" {
            return None;
        }
        if f.facts.defs[class as usize].kind != DefKind::Class {
            return None;
        }
        for base in &f.facts.defs[class as usize].bases {
            if base.through_call() {
                continue;
            }
            match self.resolve_depth(file, base, depth + 1).0 {
                Target::External { module, path: bp } if !bp.iter().any(|s| s == "()") => {
                    // `b.Client.PostMessage()` names the embedded field by its type.
                    let named = bp.last().is_some_and(|t| *t == path[0]) && path.len() > 1;
                    let mut p = bp;
                    p.push("()".into());
                    p.extend(path[usize::from(named)..].iter().cloned());
                    return Some(Target::External { module, path: p });
                }
                Target::Def { file: bf, def: bd } if (bf, bd) != (file, class) => {
                    if let Some(t) = self.promoted_external(bf, bd, path, depth + 1) {
                        return Some(t);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// `rest` applied to a value of the type a function declares it returns.
    fn through_result(&self, file: u32, def: u32, rest: &[String], depth: u32) -> Option<Target> {
        if depth > 12 {
            return None;
        }
        let d = &self.files[file as usize].facts.defs[def as usize];
        // A declared result type is called for its instance; a returned
        // instance (`return this.client`) is the value itself.
        let mut value = match (&d.returns, &d.returned) {
            (Some(t), _) => {
                let mut v = t.clone();
                append(&mut v, &["()".to_string()]);
                v
            }
            (None, Some(v)) => v.clone(),
            (None, None) => return None,
        };
        append(&mut value, rest);
        Some(self.resolve_depth(file, &value, depth + 1).0)
    }

    /// A field whose members are used (`this.api.get()`): an instance, or a
    /// module kept in a field (`this.fs = fs`). A global read kept there
    /// (`this.home = process.env.HOME`) was the use; its members are data.
    fn member_field(&self, file: u32, class: u32, name: &str, depth: u32) -> Option<(u32, Callee)> {
        self.field(file, class, name, depth)
            .filter(|(_, v)| v.through_call() || matches!(v, Callee::Import { .. }))
    }

    /// `this.#fetch(url)` where the field holds a function, not an instance
    /// (`this.#fetch = fetchImpl ?? fetch`): calling the field calls it.
    fn field_alias(&self, file: u32, class: u32, name: &str, depth: u32) -> Option<Target> {
        let (ff, value) = self.field(file, class, name, depth)?;
        if value.through_call() {
            return None; // an instance: calling it is no call of its class
        }
        Some(self.resolve_depth(ff, &value, depth + 1).0)
    }

    /// What a class field (or a base class's) was set to: (file of the class, value).
    fn field(&self, file: u32, class: u32, name: &str, depth: u32) -> Option<(u32, Callee)> {
        let f = &self.files[file as usize];
        if let Some(x) = f
            .facts
            .fields
            .iter()
            .find(|x| x.class == class && x.name == name)
        {
            return Some((file, x.value.clone()));
        }
        // `self.client` read through a `@property` getter holds what it returns.
        if let Some(&m) = self.methods.get(&(file, class, name)) {
            if self.properties.contains(&(file, m)) {
                return Some((
                    file,
                    Callee::Def {
                        def: m,
                        path: vec!["()".into()],
                    },
                ));
            }
        }
        // The depth is shared with `resolve_depth`, which calls back here: a base
        // that resolves through the class itself (`class A extends A.B`) ends.
        if depth > 12 {
            return None;
        }
        for base in &f.facts.defs[class as usize].bases {
            // A call result as a base (`class A(A()):`) would construct the class again.
            if base.through_call() {
                continue;
            }
            if let (Target::Def { file: bf, def: bd }, _) =
                self.resolve_depth(file, base, depth + 1)
            {
                if (bf, bd) != (file, class) {
                    if let Some(found) = self.field(bf, bd, name, depth + 1) {
                        return Some(found);
                    }
                }
            }
        }
        None
    }

    /// The getter a member read runs: `self.sock.sendall()` reads `sock`,
    /// a `@property` of the enclosing class (or of a base).
    pub fn property_read(&self, file: u32, callee: &Callee) -> Option<(u32, u32)> {
        let Callee::SelfMember {
            class: Some(c),
            path,
        } = callee
        else {
            return None;
        };
        let name = path.first()?;
        if path.len() < 2 || name == "<super>" {
            return None;
        }
        self.method(file, *c, name, 0)
            .filter(|m| self.properties.contains(m))
    }

    /// JavaScript and Python: whether a call goes through a value held
    /// somewhere (`self._adapter.read()`, `adapter.read()` on an instance),
    /// not `self.read()` within a class hierarchy.
    pub fn dispatches_on_value(&self, file: u32, callee: &Callee) -> bool {
        if self.files[file as usize].family.compiles_together() {
            return false;
        }
        match callee {
            Callee::SelfMember { path, .. } => path.len() >= 2 && path[0] != "<super>",
            c => {
                let p = c.path();
                p.len() >= 2 && p[..p.len() - 1].iter().any(|s| s == "()")
            }
        }
    }

    /// A `@property` / `@cached_property` getter.
    pub fn is_property(&self, file: u32, def: u32) -> bool {
        self.properties.contains(&(file, def))
    }

    /// A method of a class or of its bases in the tree.
    pub fn method(&self, file: u32, class: u32, name: &str, depth: u32) -> Option<(u32, u32)> {
        if let Some(&m) = self.methods.get(&(file, class, name)) {
            return Some((file, m));
        }
        // Shared with `resolve_depth` (see `field`).
        if depth > 12 {
            return None;
        }
        let d = &self.files[file as usize].facts.defs[class as usize];
        for base in &d.bases {
            if base.through_call() {
                continue;
            }
            if let (Target::Def { file: bf, def: bd }, _) =
                self.resolve_depth(file, base, depth + 1)
            {
                let bdef = &self.files[bf as usize].facts.defs[bd as usize];
                if bdef.kind == DefKind::Class && (bf, bd) != (file, class) {
                    if let Some(found) = self.method(bf, bd, name, depth + 1) {
                        return Some(found);
                    }
                }
            }
        }
        None
    }
}

/// Methods whose decorator makes an attribute read call them (`@property`,
/// `@functools.cached_property`, `@cached_property` from anywhere).
fn property_getters(files: &[LinkFile]) -> HashSet<(u32, u32)> {
    let mut out = HashSet::new();
    for (fi, f) in files.iter().enumerate() {
        if f.family != Family::Python {
            continue;
        }
        for r in &f.facts.refs {
            let (Some(d), Some(last)) = (r.decorates, r.callee.path().last()) else {
                continue;
            };
            if matches!(last.as_str(), "property" | "cached_property") {
                out.insert((fi as u32, d));
            }
        }
    }
    out
}

/// A module name split at `sep`, followed by a member path: the segments the
/// unit and catalogue lookups walk (`java.nio.file` + `Files.readString`).
pub(crate) fn segments(module: &str, sep: &str, path: &[String]) -> Vec<String> {
    let mut segs: Vec<String> = module
        .split(sep)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    segs.extend(path.iter().cloned());
    segs
}

fn first_of(path: &[String]) -> Option<&str> {
    path.first()
        .map(|s| s.as_str())
        .filter(|s| *s != "()" && *s != "[]")
}

fn last_name(path: &[String]) -> Target {
    path.iter()
        .rev()
        .find(|s| s.as_str() != "()" && s.as_str() != "[]")
        .map(|s| Target::Name(s.clone()))
        .unwrap_or(Target::Unknown)
}

fn append(c: &mut Callee, more: &[String]) {
    if more.is_empty() {
        return;
    }
    match c {
        Callee::Import { path, .. }
        | Callee::Global { path }
        | Callee::Def { path, .. }
        | Callee::SelfMember { path, .. }
        | Callee::Var { path, .. } => path.extend(more.iter().cloned()),
        Callee::Dynamic { member } => *member = more.last().cloned(),
    }
}

impl<'a> Linker<'a> {
    /// The module-level object literal a name denotes, in this file or
    /// imported from another (`schema: fetchSchema`, `import { saveSchema }`),
    /// with the file it is in.
    pub fn object_literal(&self, file: u32, callee: &Callee) -> Option<(u32, &'a ObjLit)> {
        let (file, name) = match callee {
            Callee::Var { name, path } if path.is_empty() => (file, name.as_str()),
            Callee::Import { module, path } if path.len() == 1 => {
                (self.import_file(file, module)? as u32, path[0].as_str())
            }
            _ => return None,
        };
        let facts = self.files[file as usize].facts;
        let o = facts
            .objects
            .iter()
            .find(|o| o.in_def.is_none() && o.binding.as_deref() == Some(name))?;
        Some((file, o))
    }
}

impl<'a> Linker<'a> {
    /// The values a variable was assigned, as (file, function, value): a
    /// local of function `in_def` or of the module in this file
    /// (`find_foo = find`, then `find_foo = wrap(find_foo)`), or a module
    /// variable imported from another file (`const get = createReadHandler(…)`,
    /// `exports.archive = withLogging(doArchive)`).
    pub fn values_of(
        &self,
        file: u32,
        in_def: Option<u32>,
        callee: &Callee,
    ) -> Vec<(u32, Option<u32>, &'a Arg)> {
        let (file, name, scopes) = match callee {
            Callee::Var { name, path } if path.is_empty() => (file, name.as_str(), [in_def, None]),
            Callee::Import { module, path } if path.len() == 1 => {
                match self.import_file(file, module) {
                    Some(f) => (f as u32, path[0].as_str(), [None, None]),
                    None => return vec![],
                }
            }
            _ => return vec![],
        };
        let facts = self.files[file as usize].facts;
        facts
            .locals
            .iter()
            .filter(|l| l.name == name && scopes.contains(&l.def))
            .map(|l| (file, l.def, &l.value))
            .collect()
    }
}

impl<'a> Linker<'a> {
    /// The other definitions a call on a function's result may run: the
    /// callee goes through a function (`createAdapter().all`, also when a
    /// variable holds that result) that returns one of several instances
    /// (`new SqliteAdapter()`, `new PgAdapter()`); the resolver follows the
    /// first, these are the same member of the others.
    pub fn alternatives(&self, file: u32, callee: &Callee) -> Vec<(u32, u32)> {
        let path = callee.path();
        let Some(i) = path.iter().position(|s| s == "()") else {
            return vec![];
        };
        if i + 1 >= path.len() {
            return vec![];
        }
        let mut maker = callee.clone();
        truncate(&mut maker, i);
        let Target::Def { file: mf, def: md } = self.resolve(file, &maker).0 else {
            return vec![];
        };
        let made = &self.files[mf as usize].facts.defs[md as usize];
        if made.kind == DefKind::Class {
            return vec![];
        }
        made.also_returned
            .iter()
            .filter_map(|inst| {
                let mut v = inst.clone();
                append(&mut v, &path[i + 1..]);
                match self.resolve(mf, &v).0 {
                    Target::Def { file, def } => Some((file, def)),
                    _ => None,
                }
            })
            .collect()
    }
}

/// Keep the first `n` members of a callee's path.
fn truncate(c: &mut Callee, n: usize) {
    match c {
        Callee::Import { path, .. }
        | Callee::Global { path }
        | Callee::Def { path, .. }
        | Callee::SelfMember { path, .. }
        | Callee::Var { path, .. } => path.truncate(n),
        Callee::Dynamic { .. } => {}
    }
}
