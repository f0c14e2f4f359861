//! Rust adapter (see docs/languages.md for the contract).
//!
//! Two passes like `python.rs`: types first (so `impl X` finds `struct X`
//! wherever it is in the file), then every binding (`use`, `let`, parameters,
//! functions), then references.
//!
//! Representation choices:
//! - `use a::b::C;` binds `C` to `Import{"a::b", ["C"]}`; a path written in
//!   full whose first segment is bound nowhere (`std::fs::read`, `tools::run`,
//!   `crate::x::f`, `super::f`) is `Import{first, rest}`; an unbound
//!   capitalised path (`Server::new` of a sibling file) is `Global`, which the
//!   linker looks up in the module.
//! - `T::new(..)` / `T::default()` used as a value is an instance of `T`
//!   (`["T", "()", member]`); the construction call itself keeps its path.
//! - `Command::new("sh").arg("-c").arg(x)`: the literal `.arg`/`.args`
//!   strings of the chain are appended to the `new` call's positional
//!   arguments, so the matcher sees the whole command line.
//! - `extern "C" { .. }` blocks and raw-pointer dereferences inside `unsafe`
//!   are references to the pseudo module `@rust` (`@rust::extern_block`,
//!   `@rust::unsafe_deref`), matched by rows of `rust.toml`.
//! - `#[cfg(test)]` items (the inline `mod tests`) are skipped: they are not
//!   compiled into the server, and the analyser has no way to mark part of a
//!   file as test code. `#[test]` functions are kept: in `tests/` they are the
//!   test files' code (reported `reach=test`); outside a `#[cfg(test)]` module
//!   they are rare.

use crate::ir::*;
use crate::scope::{Binding, RawPath, Root, ScopeId, Scopes};
use crate::text::{FieldExt, Src};
use rustc_hash::FxHashMap as HashMap;
use tree_sitter::{Node, Tree};

const MAX_DEPTH: u32 = 300;
/// Pseudo module of language-level capabilities (FFI blocks, raw pointers).
const PSEUDO: &str = "@rust";

pub fn extract(tree: &Tree, src: &str) -> FileFacts {
    let mut cx = Cx {
        src: Src(src),
        scopes: Scopes::default(),
        facts: FileFacts::default(),
        scope_of: HashMap::default(),
        def_of: HashMap::default(),
        impl_class: HashMap::default(),
        types: HashMap::default(),
        inits: HashMap::default(),
        top: 0,
        results: vec![],
    };
    let root = tree.root_node();
    cx.top = cx.scopes.new_scope(None, None);
    cx.declare_types(root, None, 0);
    cx.declare(root, cx.top, None, None, 0);
    cx.emit(root, cx.top, None, &[], 0);
    for (def, raw, scope) in std::mem::take(&mut cx.results) {
        cx.facts.defs[def as usize].returns = Some(cx.scopes.resolve(scope, &raw));
    }
    if cx.facts.syntax_errors == 0 && root.has_error() {
        cx.facts.syntax_errors = 1;
    }
    cx.exports(root);
    cx.facts
}

struct Cx<'a, 't> {
    /// Result types of functions, resolved after the walks.
    results: Vec<(DefId, RawPath, ScopeId)>,
    src: Src<'a>,
    scopes: Scopes,
    facts: FileFacts,
    scope_of: HashMap<usize, ScopeId>,
    def_of: HashMap<usize, DefId>,
    /// `impl X` nodes → X's definition when X is declared in the file.
    impl_class: HashMap<usize, Option<DefId>>,
    /// Type names of the file (struct, enum, trait, union) → definition.
    types: HashMap<String, DefId>,
    /// Locals initialised once: (scope, name) → the initialiser (None once reassigned).
    inits: HashMap<(ScopeId, String), Option<Node<'t>>>,
    top: ScopeId,
}

/// Look through `(x)`, `x.await`, `x?`, `&x`, `&mut x`.
fn unwrap(mut n: Node) -> Node {
    for _ in 0..32 {
        let next = match n.kind() {
            "parenthesized_expression" | "try_expression" | "await_expression" => n.named_child(0),
            "reference_expression" => n.field("value"),
            _ => None,
        };
        match next {
            Some(c) => n = c,
            None => break,
        }
    }
    n
}

fn is_item_type(kind: &str) -> bool {
    matches!(
        kind,
        "struct_item" | "enum_item" | "trait_item" | "union_item"
    )
}

/// Generic wrappers whose instance is the wrapped type's (`Arc<Client>`).
const WRAPPERS: &[&str] = &[
    "Arc", "Rc", "Box", "Option", "Mutex", "RwLock", "RefCell", "Cell", "OnceCell", "OnceLock",
    "Lazy", "LazyLock",
];

const PRIMITIVE_TYPES: &[&str] = &[
    "String", "str", "Vec", "HashMap", "HashSet", "BTreeMap", "Value", "Self",
];

impl<'a, 't> Cx<'a, 't> {
    fn text(&self, n: Node) -> &'a str {
        self.src.text(n)
    }

    fn line(n: Node) -> u32 {
        n.start_position().row as u32 + 1
    }

    fn new_def(&mut self, name: String, kind: DefKind, node: Node, parent: Option<DefId>) -> DefId {
        let id = self.facts.add_def(
            name,
            kind,
            Self::line(node),
            node.end_position().row as u32 + 1,
            parent,
        );
        self.def_of.insert(node.id(), id);
        id
    }

    /// Items compiled only for tests (`#[cfg(test)] mod tests`): not server code.
    fn is_test_item(&self, node: Node) -> bool {
        if !matches!(node.kind(), "mod_item" | "function_item") {
            return false;
        }
        let mut p = node.prev_sibling();
        let mut hops = 0;
        while let Some(s) = p {
            hops += 1;
            if hops > 32 {
                break;
            }
            match s.kind() {
                "attribute_item" => {
                    let t: String = self
                        .text(s)
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .collect();
                    if t == "#[cfg(test)]" {
                        return true;
                    }
                }
                "line_comment" | "block_comment" => {}
                _ => break,
            }
            p = s.prev_sibling();
        }
        false
    }

    // ---------------------------------------------------------------- pass 0: types

    fn declare_types(&mut self, node: Node<'t>, parent: Option<DefId>, depth: u32) {
        if depth > 64 {
            return;
        }
        let mut c = node.walk();
        for ch in node.named_children(&mut c) {
            if is_item_type(ch.kind()) {
                if let Some(n) = ch.field("name") {
                    let name = self.text(n).to_string();
                    let def = self.new_def(name.clone(), DefKind::Class, ch, parent);
                    self.types.entry(name.clone()).or_insert(def);
                    self.scopes.declare(self.top, &name, Binding::Def(def));
                }
            } else if ch.kind() == "mod_item" && !self.is_test_item(ch) {
                if let Some(b) = ch.field("body") {
                    self.declare_types(b, parent, depth + 1);
                }
            }
        }
    }

    // ---------------------------------------------------------------- pass 1: bindings

    fn declare(
        &mut self,
        node: Node<'t>,
        scope: ScopeId,
        cur: Option<DefId>,
        class: Option<Option<DefId>>,
        depth: u32,
    ) {
        if depth > MAX_DEPTH {
            self.facts.truncated = true;
            return;
        }
        match node.kind() {
            "function_item" | "closure_expression" => {
                if self.is_test_item(node) {
                    return;
                }
                let name = node.field("name").map(|n| self.text(n).to_string());
                let kind = match (&name, class) {
                    (None, _) => DefKind::Anonymous,
                    (Some(_), Some(_)) => DefKind::Method,
                    (Some(_), None) => DefKind::Function,
                };
                let parent = match class {
                    Some(Some(c)) => Some(c),
                    _ => cur,
                };
                let def = self.new_def(name.clone().unwrap_or_default(), kind, node, parent);
                // The declared result type (`fn client(&self) -> reqwest::Client`), resolved after the walks.
                if let Some(raw) = node
                    .field("return_type")
                    .and_then(|t| self.type_path(t, scope))
                {
                    self.results.push((def, raw, scope));
                }
                if let (Some(n), None) = (&name, class) {
                    self.scopes.declare(scope, n, Binding::Def(def));
                }
                let inner = self.scopes.new_scope(Some(scope), class.flatten());
                self.scope_of.insert(node.id(), inner);
                if let Some(p) = node.field("parameters") {
                    let names = self.declare_params(p, inner);
                    self.facts.defs[def as usize].params = names;
                }
                if let Some(b) = node.field("body") {
                    self.declare(b, inner, Some(def), None, depth + 1);
                }
                return;
            }
            "impl_item" => {
                let ty = node.field("type").and_then(|t| self.type_name(t));
                let cls = ty.and_then(|t| self.types.get(t).copied());
                self.impl_class.insert(node.id(), cls);
                if let (Some(b), Some(t)) = (node.field("body"), ty) {
                    // Associated string constants: `impl Tools { const READ: &str = "read"; }`,
                    // and functions without parameters that return a literal
                    // (`fn name() -> Cow<'static, str> { "read".into() }`, rmcp's `ToolBase::name`).
                    let mut c = b.walk();
                    for ch in b.named_children(&mut c) {
                        let value = match ch.kind() {
                            "const_item" => ch.field("value").and_then(|v| self.literal(v)),
                            "function_item" => self.literal_getter(ch),
                            _ => None,
                        };
                        if let (Some(n), Some(s)) = (ch.field("name"), value) {
                            self.facts.consts.push((format!("{t}.{}", self.text(n)), s));
                        }
                    }
                    self.declare(b, scope, cur, Some(cls), depth + 1);
                }
                return;
            }
            "trait_item" => {
                let cls = self.def_of.get(&node.id()).copied();
                if let Some(b) = node.field("body") {
                    self.declare(b, scope, cur, Some(cls), depth + 1);
                }
                return;
            }
            "mod_item" => {
                if self.is_test_item(node) {
                    return;
                }
                if let Some(b) = node.field("body") {
                    self.declare(b, scope, cur, None, depth + 1);
                }
                return;
            }
            "use_declaration" => {
                if let Some(arg) = node.field("argument") {
                    let mut out = vec![];
                    self.use_tree(arg, &[], &mut out, 0);
                    let public =
                        node.named_child(0).map(|c| c.kind()) == Some("visibility_modifier");
                    for (name, segs) in out {
                        self.facts.imports.push(segs.join("::"));
                        if name == "*" {
                            continue;
                        }
                        let b = import_binding(&segs);
                        if public && scope == self.top {
                            if let Binding::Import { module, path } = &b {
                                self.facts.exports.push(Export::Local {
                                    name: name.clone(),
                                    target: Callee::Import {
                                        module: module.clone(),
                                        path: path.clone(),
                                    },
                                });
                            }
                        }
                        self.scopes.declare(scope, &name, b);
                    }
                }
                return;
            }
            "const_item" | "static_item" => {
                if let (Some(n), Some(v)) = (node.field("name"), node.field("value")) {
                    let name = self.text(n).to_string();
                    match self.literal(v) {
                        Some(s) => {
                            if scope == self.top {
                                self.facts.consts.push((name.clone(), s.clone()));
                            }
                            self.scopes.declare(scope, &name, Binding::Const(s));
                        }
                        None => {
                            let b = self.binding_for_value(v, None, scope);
                            self.scopes.declare(scope, &name, b);
                        }
                    }
                }
            }
            "let_declaration" => {
                let pat = node.field("pattern");
                let value = node.field("value");
                match pat.map(|p| self.pattern_ident(p)) {
                    Some(Some(id)) => {
                        let name = self.text(id).to_string();
                        let b = self.binding_for_value_opt(value, node.field("type"), scope);
                        let key = (scope, name.clone());
                        let once = !self.inits.contains_key(&key);
                        self.inits
                            .insert(key, if once { value.map(unwrap) } else { None });
                        // A rebinding replaces the earlier one (shadowing).
                        self.scopes.scopes[scope as usize].bindings.remove(&name);
                        self.scopes.declare(scope, &name, b);
                    }
                    _ => {
                        if let Some(p) = pat {
                            self.declare_pattern(p, scope, 0);
                        }
                    }
                }
            }
            "for_expression" => {
                if let Some(p) = node.field("pattern") {
                    self.declare_pattern(p, scope, 0);
                }
            }
            "let_condition" | "match_arm" => {
                if let Some(p) = node.field("pattern") {
                    self.declare_pattern(p, scope, 0);
                }
            }
            "assignment_expression" => {
                // A reassigned local is no longer its initialiser.
                if let Some(l) = node.field("left").filter(|l| l.kind() == "identifier") {
                    let key = (scope, self.text(l).to_string());
                    if self.inits.contains_key(&key) {
                        self.inits.insert(key, None);
                    }
                }
            }
            _ => {}
        }
        let mut c = node.walk();
        for child in node.named_children(&mut c) {
            self.declare(child, scope, cur, class, depth + 1);
        }
    }

    /// The identifier a simple pattern binds (`x`, `mut x`).
    fn pattern_ident(&self, p: Node<'t>) -> Option<Node<'t>> {
        match p.kind() {
            "identifier" => Some(p),
            "mut_pattern" => {
                let mut c = p.walk();
                let found = p.named_children(&mut c).find(|x| x.kind() == "identifier");
                found
            }
            _ => None,
        }
    }

    fn declare_pattern(&mut self, p: Node, scope: ScopeId, depth: u32) {
        if depth > 16 {
            return;
        }
        match p.kind() {
            "identifier" => {
                let name = self.text(p);
                // `None`, `Ok` and unit variants are not bindings.
                if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
                    self.scopes.scopes[scope as usize].bindings.remove(name);
                    self.scopes.declare(scope, name, Binding::Opaque);
                }
            }
            "shorthand_field_identifier" => {
                self.scopes.declare(scope, self.text(p), Binding::Opaque);
            }
            "scoped_identifier" | "string_literal" | "raw_string_literal" | "integer_literal" => {}
            _ => {
                let mut c = p.walk();
                for ch in p.named_children(&mut c) {
                    // `Some(x)`: the constructor is not a binding, its fields are.
                    if p.kind() == "tuple_struct_pattern" && p.field("type") == Some(ch) {
                        continue;
                    }
                    if p.kind() == "struct_pattern" && p.field("type") == Some(ch) {
                        continue;
                    }
                    if p.kind() == "field_pattern"
                        && p.field("name") == Some(ch)
                        && p.field("pattern").is_some()
                    {
                        continue;
                    }
                    self.declare_pattern(ch, scope, depth + 1);
                }
            }
        }
    }

    fn declare_params(&mut self, params: Node<'t>, scope: ScopeId) -> Vec<String> {
        let mut names = vec![];
        let mut c = params.walk();
        for p in params.named_children(&mut c) {
            match p.kind() {
                "self_parameter" => names.push("self".to_string()),
                "parameter" => {
                    let pat = p.field("pattern");
                    match pat.and_then(|x| self.pattern_ident(x)) {
                        Some(id) => {
                            let name = self.text(id).to_string();
                            let b = match p.field("type").and_then(|t| self.type_path(t, scope)) {
                                Some(raw) => Binding::Instance(raw, scope),
                                None => Binding::Opaque,
                            };
                            self.scopes.declare(scope, &name, b);
                            names.push(name);
                        }
                        None => {
                            if let Some(x) = pat {
                                self.declare_pattern(x, scope, 0);
                            }
                            names.push(String::new());
                        }
                    }
                }
                // Closure parameters: a bare pattern.
                "identifier" => {
                    let name = self.text(p).to_string();
                    self.scopes.declare(scope, &name, Binding::Opaque);
                    names.push(name);
                }
                "attribute_item" | "line_comment" | "block_comment" => {}
                _ => {
                    self.declare_pattern(p, scope, 0);
                    names.push(String::new());
                }
            }
        }
        names
    }

    /// `use` trees flattened to (bound name, full path); globs as ("*", path).
    fn use_tree(
        &mut self,
        n: Node,
        prefix: &[String],
        out: &mut Vec<(String, Vec<String>)>,
        depth: u32,
    ) {
        if depth > 16 || out.len() > 256 {
            return;
        }
        match n.kind() {
            "identifier" | "crate" | "self" | "super" | "metavariable" => {
                let t = self.text(n).to_string();
                if t == "self" && !prefix.is_empty() {
                    // `use std::io::{self, Read}` binds `io`.
                    out.push((prefix.last().cloned().unwrap_or_default(), prefix.to_vec()));
                } else {
                    let mut segs = prefix.to_vec();
                    segs.push(t.clone());
                    out.push((t, segs));
                }
            }
            "scoped_identifier" => {
                let mut segs = prefix.to_vec();
                segs.extend(self.segments(n, 0));
                if let Some(last) = segs.last().cloned() {
                    if last == "self" && segs.len() > 1 {
                        segs.pop();
                        out.push((segs.last().cloned().unwrap_or_default(), segs));
                    } else {
                        out.push((last, segs));
                    }
                }
            }
            "use_as_clause" => {
                if let (Some(p), Some(a)) = (n.field("path"), n.field("alias")) {
                    let mut segs = prefix.to_vec();
                    segs.extend(self.segments(p, 0));
                    let alias = self.text(a).to_string();
                    if alias != "_" {
                        out.push((alias, segs));
                    }
                }
            }
            "use_list" => {
                let mut c = n.walk();
                for ch in n.named_children(&mut c) {
                    self.use_tree(ch, prefix, out, depth + 1);
                }
            }
            "scoped_use_list" => {
                let mut p = prefix.to_vec();
                if let Some(path) = n.field("path") {
                    p.extend(self.segments(path, 0));
                }
                if let Some(l) = n.field("list") {
                    self.use_tree(l, &p, out, depth + 1);
                }
            }
            "use_wildcard" => {
                let mut p = prefix.to_vec();
                if let Some(path) = n.named_child(0) {
                    p.extend(self.segments(path, 0));
                }
                if !p.is_empty() {
                    let star = p.join("::");
                    if !self.facts.star_imports.contains(&star) {
                        self.facts.star_imports.push(star);
                    }
                    out.push(("*".into(), p));
                }
            }
            _ => {}
        }
    }

    /// The segments of a path node (`a::b::c`).
    fn segments(&self, n: Node, depth: u32) -> Vec<String> {
        if depth > 32 {
            return vec![];
        }
        match n.kind() {
            "scoped_identifier" | "scoped_type_identifier" => {
                let mut v = n
                    .field("path")
                    .map(|p| self.segments(p, depth + 1))
                    .unwrap_or_default();
                if let Some(name) = n.field("name") {
                    v.push(self.text(name).to_string());
                }
                v
            }
            "generic_type" | "generic_type_with_turbofish" => n
                .field("type")
                .map(|t| self.segments(t, depth + 1))
                .unwrap_or_default(),
            _ => vec![self.text(n).to_string()],
        }
    }

    /// The last name of a type (`X` of `impl<T> a::X<T>`).
    fn type_name(&self, t: Node) -> Option<&'a str> {
        match t.kind() {
            "type_identifier" => Some(self.text(t)),
            "scoped_type_identifier" => t.field("name").map(|n| self.text(n)),
            "generic_type" => self.type_name(t.field("type")?),
            _ => None,
        }
    }

    /// A declared type as an access path, through references and wrappers
    /// (`&reqwest::Client`, `Arc<Client>`, `Option<PgPool>`).
    fn type_path(&self, t: Node, scope: ScopeId) -> Option<RawPath> {
        self.type_path_d(t, scope, 0)
    }

    fn type_path_d(&self, t: Node, scope: ScopeId, depth: u32) -> Option<RawPath> {
        if depth > 8 {
            return None;
        }
        match t.kind() {
            "reference_type" | "pointer_type" => {
                self.type_path_d(t.field("type")?, scope, depth + 1)
            }
            "generic_type" => {
                let base = t.field("type")?;
                let name = self.type_name(base).unwrap_or("");
                if WRAPPERS.contains(&name) {
                    let args = t.field("type_arguments")?;
                    let mut c = args.walk();
                    let first = args.named_children(&mut c).find(|x| x.kind() != "lifetime");
                    first.and_then(|x| self.type_path_d(x, scope, depth + 1))
                } else {
                    self.type_path_d(base, scope, depth + 1)
                }
            }
            "type_identifier" | "scoped_type_identifier" => {
                let segs = self.segments(t, 0);
                if segs.len() == 1 && PRIMITIVE_TYPES.contains(&segs[0].as_str()) {
                    return None;
                }
                Some(self.path_of_segments(&segs, scope))
            }
            _ => None,
        }
    }

    /// A raw path from written segments: `self`/`Self` are the receiver,
    /// `crate`/`super` roots are modules, an unbound lowercase root is a crate.
    fn path_of_segments(&self, segs: &[String], scope: ScopeId) -> RawPath {
        let first = segs.first().map(|s| s.as_str()).unwrap_or("");
        let members: Vec<String> = segs.iter().skip(1).cloned().collect();
        let root = match first {
            "Self" if self.scopes.class_of(scope).is_some() => Root::This,
            "crate" | "super" => Root::Module(first.to_string()),
            "self" if segs.len() > 1 => Root::Module("self".into()),
            "self" => Root::This,
            _ if segs.len() > 1
                && self.scopes.lookup(scope, first).is_none()
                && first.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') =>
            {
                Root::Module(first.to_string())
            }
            _ => Root::Name(first.to_string()),
        };
        RawPath { root, members }
    }

    fn binding_for_value_opt(&self, v: Option<Node>, ty: Option<Node>, scope: ScopeId) -> Binding {
        if let Some(raw) = ty.and_then(|t| self.type_path(t, scope)) {
            return Binding::Instance(raw, scope);
        }
        match v {
            Some(v) => self.binding_for_value(v, None, scope),
            None => Binding::Opaque,
        }
    }

    fn binding_for_value(&self, v: Node, _ty: Option<Node>, scope: ScopeId) -> Binding {
        let v = unwrap(v);
        match v.kind() {
            "string_literal" | "raw_string_literal" => match self.literal(v) {
                Some(s) => Binding::Const(s),
                None => Binding::Opaque,
            },
            "call_expression" => match v
                .field("function")
                .and_then(|f| self.callee_path(f, scope, true))
            {
                Some(raw) => Binding::Instance(raw, scope),
                None => Binding::Opaque,
            },
            "struct_expression" => match v.field("name").map(|n| self.segments(n, 0)) {
                Some(segs) if !segs.is_empty() => {
                    Binding::Instance(self.path_of_segments(&segs, scope), scope)
                }
                _ => Binding::Opaque,
            },
            "identifier" | "scoped_identifier" | "field_expression" => {
                match self.raw_path(v, scope) {
                    Some(raw) => Binding::Alias(raw, scope),
                    None => Binding::Opaque,
                }
            }
            _ => Binding::Opaque,
        }
    }

    /// A string literal's contents (plain, raw, byte strings).
    fn literal(&self, n: Node) -> Option<String> {
        let n = unwrap(n);
        if !matches!(n.kind(), "string_literal" | "raw_string_literal") {
            return None;
        }
        let t = self.text(n);
        let (a, b) = (t.find('"')?, t.rfind('"')?);
        (b > a).then(|| t[a + 1..b].to_string())
    }

    /// The literal a function without parameters returns, when its body is
    /// that literal alone, possibly converted (`"x".into()`, `"x".to_string()`,
    /// `Cow::Borrowed("x")`, `String::from("x")`).
    fn literal_getter(&self, f: Node) -> Option<String> {
        let params = f.field("parameters")?;
        if params.named_child_count() > 0 {
            return None;
        }
        let body = f.field("body")?;
        let mut c = body.walk();
        let stmts: Vec<Node> = body
            .named_children(&mut c)
            .filter(|x| !x.is_extra() && !x.kind().ends_with("comment"))
            .collect();
        let [e] = stmts.as_slice() else { return None };
        let e = if e.kind() == "expression_statement" {
            e.named_child(0)?
        } else {
            *e
        };
        self.converted_literal(e, 0)
    }

    fn converted_literal(&self, e: Node, depth: u32) -> Option<String> {
        if depth > 4 {
            return None;
        }
        let e = unwrap(e);
        if let Some(s) = self.literal(e) {
            return Some(s);
        }
        if e.kind() != "call_expression" {
            return None;
        }
        let f = e.field("function")?;
        match f.kind() {
            "field_expression" => {
                let m = f.field("field").map(|x| self.text(x)).unwrap_or("");
                if !matches!(m, "into" | "to_string" | "to_owned") {
                    return None;
                }
                self.converted_literal(f.field("value")?, depth + 1)
            }
            "scoped_identifier" => {
                let name = f.field("name").map(|x| self.text(x)).unwrap_or("");
                if !matches!(name, "from" | "Borrowed" | "Owned") {
                    return None;
                }
                let args = e.field("arguments")?;
                let first = args.named_child(0)?;
                self.converted_literal(first, depth + 1)
            }
            _ => None,
        }
    }

    /// The path a call's function denotes. With `ctor`, `T::new` / `T::default`
    /// stand for `T` (their result is a `T`).
    fn callee_path(&self, f: Node, scope: ScopeId, ctor: bool) -> Option<RawPath> {
        self.callee_path_d(f, scope, ctor, 0)
    }

    fn callee_path_d(&self, f: Node, scope: ScopeId, ctor: bool, depth: u32) -> Option<RawPath> {
        let f = if f.kind() == "generic_function" {
            f.field("function")?
        } else {
            f
        };
        let mut raw = self.raw_path_d(f, scope, depth)?;
        if ctor && f.kind() == "scoped_identifier" {
            let n = raw.members.len();
            let is_ctor = raw
                .members
                .last()
                .map(|m| m == "new" || m == "default")
                .unwrap_or(false);
            let type_before = if n >= 2 {
                raw.members[n - 2].starts_with(|c: char| c.is_ascii_uppercase())
            } else {
                matches!(raw.root, Root::Name(ref s) if s.starts_with(|c: char| c.is_ascii_uppercase()))
            };
            if is_ctor && type_before {
                raw.members.pop();
            }
        }
        Some(raw)
    }

    fn raw_path(&self, n: Node, scope: ScopeId) -> Option<RawPath> {
        self.raw_path_d(n, scope, 0)
    }

    fn raw_path_d(&self, n: Node, scope: ScopeId, depth: u32) -> Option<RawPath> {
        if depth > 64 {
            return None;
        }
        let n = unwrap(n);
        match n.kind() {
            "identifier" | "self" | "type_identifier" => {
                let name = self.text(n);
                // `self` is only valid in methods; `Self` only inside an impl or trait.
                if name == "self" || (name == "Self" && self.scopes.class_of(scope).is_some()) {
                    return Some(RawPath {
                        root: Root::This,
                        members: vec![],
                    });
                }
                Some(RawPath {
                    root: Root::Name(name.to_string()),
                    members: vec![],
                })
            }
            "scoped_identifier" | "scoped_type_identifier" => {
                let segs = self.segments(n, 0);
                if segs.is_empty() || segs.iter().any(|s| s.is_empty() || s.contains('<')) {
                    return None;
                }
                Some(self.path_of_segments(&segs, scope))
            }
            "field_expression" => {
                let mut p = self.raw_path_d(n.field("value")?, scope, depth + 1)?;
                p.members.push(self.text(n.field("field")?).to_string());
                Some(p)
            }
            "call_expression" => {
                let mut p = self.callee_path_d(n.field("function")?, scope, true, depth + 1)?;
                p.members.push("()".into());
                Some(p)
            }
            "index_expression" => {
                let mut p = self.raw_path_d(n.named_child(0)?, scope, depth + 1)?;
                p.members.push("[]".into());
                Some(p)
            }
            _ => None,
        }
    }

    // ---------------------------------------------------------------- pass 2: references

    fn emit(
        &mut self,
        node: Node<'t>,
        scope: ScopeId,
        cur: Option<DefId>,
        labels: &[String],
        depth: u32,
    ) {
        if depth > MAX_DEPTH {
            self.facts.truncated = true;
            return;
        }
        if node.is_error() || node.is_missing() {
            self.facts.syntax_errors += 1;
        }
        let kind = node.kind();
        if matches!(kind, "function_item" | "mod_item") && self.is_test_item(node) {
            return;
        }
        let (scope, cur) = if matches!(kind, "function_item" | "closure_expression") {
            match (self.scope_of.get(&node.id()), self.def_of.get(&node.id())) {
                (Some(s), d) => (*s, d.copied().or(cur)),
                (None, d) => (scope, d.copied().or(cur)),
            }
        } else {
            (scope, cur)
        };
        match kind {
            "call_expression" => {
                self.emit_call(node, scope, cur, labels);
                if let Some(f) = node.field("function") {
                    self.emit_chain_inner(f, scope, cur, labels, depth + 1);
                }
                if let Some(a) = node.field("arguments") {
                    self.emit(a, scope, cur, labels, depth + 1);
                }
                return;
            }
            "field_expression" => {
                self.emit_chain_inner(node, scope, cur, labels, depth + 1);
                return;
            }
            "struct_expression" => {
                if let Some(n) = node.field("name") {
                    let segs = self.segments(n, 0);
                    if !segs.is_empty() {
                        let raw = self.path_of_segments(&segs, scope);
                        let callee = self.scopes.resolve(scope, &raw);
                        let props = self.struct_props(node, scope, 1);
                        let args = Args {
                            pos: vec![Arg::Obj(props)],
                            kw: vec![],
                        };
                        self.push_ref(RefKind::New, callee, node, args, cur, labels, None);
                    }
                }
            }
            "macro_invocation" => {
                if let Some(tt) = node
                    .named_children(&mut node.walk())
                    .find(|c| c.kind() == "token_tree")
                {
                    self.emit_token_tree(tt, scope, cur, labels, 0);
                }
                return;
            }
            "attribute_item" => {
                self.emit_attribute(node, scope, cur, labels);
                return;
            }
            "type_identifier"
            | "scoped_type_identifier"
            | "generic_type"
            | "reference_type"
            | "use_declaration"
            | "line_comment"
            | "block_comment" => return,
            "struct_item" | "union_item" => {
                self.record_fields(node, scope);
            }
            "impl_item" => {
                let cls = self.impl_class.get(&node.id()).copied().flatten();
                if let (Some(c), Some(tr)) = (cls, node.field("trait")) {
                    if let Some(raw) = self.type_path(tr, scope) {
                        let callee = self.scopes.resolve(scope, &raw);
                        self.facts.defs[c as usize].bases.push(callee);
                    }
                }
                if let Some(b) = node.field("body") {
                    self.emit(b, scope, cur, labels, depth + 1);
                }
                return;
            }
            "trait_item" => {
                if let (Some(&c), Some(bounds)) =
                    (self.def_of.get(&node.id()), node.field("bounds"))
                {
                    let mut w = bounds.walk();
                    for b in bounds.named_children(&mut w) {
                        if let Some(raw) = self.type_path(b, scope) {
                            let callee = self.scopes.resolve(scope, &raw);
                            self.facts.defs[c as usize].bases.push(callee);
                        }
                    }
                }
            }
            "foreign_mod_item" => {
                self.push_ref(
                    RefKind::Call,
                    pseudo("extern_block"),
                    node,
                    Args::default(),
                    cur,
                    labels,
                    None,
                );
            }
            "unsafe_block" => {
                self.emit_derefs(node, cur, labels, 0);
            }
            "if_expression" => {
                if let Some(cond) = node.field("condition") {
                    let mut found = vec![];
                    self.collect_eq_labels(cond, scope, &mut found, 0);
                    if !found.is_empty() {
                        self.emit(cond, scope, cur, labels, depth + 1);
                        if let Some(c) = node.field("consequence") {
                            self.emit(c, scope, cur, &found, depth + 1);
                        }
                        if let Some(a) = node.field("alternative") {
                            self.emit(a, scope, cur, labels, depth + 1);
                        }
                        return;
                    }
                }
            }
            "match_arm" => {
                let mut found = vec![];
                if let Some(p) = node.field("pattern") {
                    self.collect_pattern_labels(p, scope, &mut found, 0);
                }
                if !found.is_empty() {
                    if let Some(v) = node.field("value") {
                        self.emit(v, scope, cur, &found, depth + 1);
                    }
                    return;
                }
            }
            _ => {}
        }
        let mut c = node.walk();
        for child in node.named_children(&mut c) {
            self.emit(child, scope, cur, labels, depth + 1);
        }
    }

    /// The value of a field expression chain, emitted without the chain itself.
    fn emit_chain_inner(
        &mut self,
        n: Node<'t>,
        scope: ScopeId,
        cur: Option<DefId>,
        labels: &[String],
        depth: u32,
    ) {
        if depth > MAX_DEPTH {
            self.facts.truncated = true;
            return;
        }
        let n = unwrap(n);
        match n.kind() {
            "field_expression" => {
                if let Some(v) = n.field("value") {
                    self.emit_chain_inner(v, scope, cur, labels, depth + 1);
                }
            }
            "generic_function" => {
                if let Some(f) = n.field("function") {
                    self.emit_chain_inner(f, scope, cur, labels, depth + 1);
                }
            }
            "identifier" | "scoped_identifier" | "self" => {}
            _ => self.emit(n, scope, cur, labels, depth + 1),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push_ref(
        &mut self,
        kind: RefKind,
        callee: Callee,
        at: Node,
        args: Args,
        cur: Option<DefId>,
        labels: &[String],
        decorates: Option<DefId>,
    ) {
        let p = at.start_position();
        self.facts
            .add_ref(kind, callee, p, args, cur, labels, decorates, None);
    }

    fn resolve_call(&self, f: Node, scope: ScopeId) -> Callee {
        match self.callee_path(f, scope, false) {
            Some(raw) => self.scopes.resolve(scope, &raw),
            None => Callee::Dynamic {
                member: (f.kind() == "field_expression")
                    .then(|| f.field("field").map(|a| self.text(a).to_string()))
                    .flatten(),
            },
        }
    }

    fn emit_call(&mut self, node: Node<'t>, scope: ScopeId, cur: Option<DefId>, labels: &[String]) {
        let Some(f) = node.field("function") else {
            return;
        };
        let mut args = node
            .field("arguments")
            .map(|a| self.args(a, scope, 0))
            .unwrap_or_default();
        let callee = self.resolve_call(f, scope);
        if callee.last_name() == Some("new") {
            self.append_chain_args(node, scope, &mut args);
        }
        self.push_ref(RefKind::Call, callee, f, args, cur, labels, None);
    }

    /// `Command::new("sh").arg("-c").args([x, y])`: the chain's program arguments
    /// become further positional arguments of the `new` call.
    fn append_chain_args(&self, node: Node, scope: ScopeId, args: &mut Args) {
        let mut n = node;
        for _ in 0..32 {
            let Some(fe) = n.parent().filter(|p| p.kind() == "field_expression") else {
                break;
            };
            let Some(call) = fe.parent().filter(|p| p.kind() == "call_expression") else {
                break;
            };
            let method = fe.field("field").map(|x| self.text(x)).unwrap_or("");
            let a = call
                .field("arguments")
                .map(|a| self.args(a, scope, 1))
                .unwrap_or_default();
            match method {
                "arg" => args.pos.extend(a.pos.into_iter().take(1)),
                "args" => match a.pos.into_iter().next() {
                    Some(Arg::List(items)) => args.pos.extend(
                        items
                            .into_iter()
                            .map(|x| x.map(Arg::Str).unwrap_or(Arg::Other)),
                    ),
                    Some(other) => args.pos.push(other),
                    None => {}
                },
                _ => {}
            }
            if args.pos.len() > 16 {
                break;
            }
            n = call;
        }
    }

    /// Raw pointer dereferences inside an `unsafe` block (not in nested closures' own unsafe).
    fn emit_derefs(&mut self, n: Node, cur: Option<DefId>, labels: &[String], depth: u32) {
        if depth > 64 {
            return;
        }
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            if ch.kind() == "unary_expression"
                && self.text(ch).starts_with('*')
                && ch
                    .named_child(0)
                    .map(|x| x.kind() != "unary_expression")
                    .unwrap_or(false)
            {
                self.push_ref(
                    RefKind::Call,
                    pseudo("unsafe_deref"),
                    ch,
                    Args::default(),
                    cur,
                    labels,
                    None,
                );
            }
            if !matches!(
                ch.kind(),
                "closure_expression" | "function_item" | "unsafe_block"
            ) {
                self.emit_derefs(ch, cur, labels, depth + 1);
            }
        }
    }

    /// `#[tool(name = "x", description = "...")]` decorating the next item.
    fn emit_attribute(
        &mut self,
        node: Node<'t>,
        scope: ScopeId,
        cur: Option<DefId>,
        labels: &[String],
    ) {
        let Some(attr) = node.named_child(0).filter(|a| a.kind() == "attribute") else {
            return;
        };
        let Some(path) = attr.named_child(0) else {
            return;
        };
        let name = self.text(path);
        if matches!(
            name,
            "derive"
                | "allow"
                | "warn"
                | "deny"
                | "doc"
                | "cfg"
                | "cfg_attr"
                | "serde"
                | "schemars"
                | "inline"
                | "must_use"
                | "non_exhaustive"
                | "repr"
                | "async_trait"
                | "expect"
        ) {
            return;
        }
        // The item decorated: the next sibling that is not an attribute or a comment.
        let mut next = node.next_named_sibling();
        while let Some(s) = next {
            if matches!(
                s.kind(),
                "attribute_item" | "line_comment" | "block_comment"
            ) {
                next = s.next_named_sibling();
            } else {
                break;
            }
        }
        let target = next.and_then(|s| match s.kind() {
            "impl_item" => self.impl_class.get(&s.id()).copied().flatten(),
            _ => self.def_of.get(&s.id()).copied(),
        });
        let Some(target) = target else {
            return;
        };
        let segs = self.segments(path, 0);
        let raw = self.path_of_segments(&segs, scope);
        let callee = self.scopes.resolve(scope, &raw);
        let args = attr
            .field("arguments")
            .map(|tt| self.token_args(tt, scope, 0))
            .unwrap_or_default();
        self.push_ref(RefKind::Call, callee, path, args, cur, labels, Some(target));
    }

    /// Arguments of an attribute or macro token tree: `a = "x"` pairs are
    /// keywords, lone literals positional, and a nested list
    /// (`annotations(read_only_hint = true)`) a keyword whose value is an
    /// object of its pairs (attributes only, one level deep: `depth` 0).
    fn token_args(&self, tt: Node, scope: ScopeId, depth: u32) -> Args {
        let mut out = Args::default();
        let mut seg: Vec<Node> = vec![];
        let mut c = tt.walk();
        let children: Vec<Node> = tt.children(&mut c).collect();
        let n = children.len();
        for (i, ch) in children.into_iter().enumerate() {
            // Skip the delimiters of the tree itself.
            if (i == 0 || i + 1 == n) && matches!(ch.kind(), "(" | ")" | "[" | "]" | "{" | "}") {
                continue;
            }
            if ch.kind() == "," {
                self.token_segment(&seg, scope, &mut out, depth);
                seg.clear();
            } else if matches!(ch.kind(), "line_comment" | "block_comment") {
                // Comments between the arguments are not part of any.
            } else {
                seg.push(ch);
            }
            if out.pos.len() + out.kw.len() >= 16 {
                return out;
            }
        }
        self.token_segment(&seg, scope, &mut out, depth);
        out
    }

    fn token_segment(&self, seg: &[Node], scope: ScopeId, out: &mut Args, depth: u32) {
        match seg {
            [] => {}
            [k, tt] if depth == 0 && k.kind() == "identifier" && tt.kind() == "token_tree" => {
                let inner = self.token_args(*tt, scope, depth + 1);
                out.kw.push((self.text(*k).to_string(), Arg::Obj(inner.kw)));
            }
            [k, eq, v] if k.kind() == "identifier" && eq.kind() == "=" => {
                let val = match self.literal(*v) {
                    Some(s) => Arg::Str(s),
                    None => match v.kind() {
                        "boolean_literal" | "true" | "false" => Arg::Bool(self.text(*v) == "true"),
                        "identifier" => match self.scopes.const_str(scope, self.text(*v)) {
                            Some(s) => Arg::Str(s),
                            None => Arg::Path(self.scopes.resolve(
                                scope,
                                &RawPath {
                                    root: Root::Name(self.text(*v).to_string()),
                                    members: vec![],
                                },
                            )),
                        },
                        _ => Arg::Other,
                    },
                };
                out.kw.push((self.text(*k).to_string(), val));
            }
            [k] if k.kind() == "identifier" => {
                if let Some(s) = self.scopes.const_str(scope, self.text(*k)) {
                    out.pos.push(Arg::Str(s));
                } else {
                    out.kw.push((self.text(*k).to_string(), Arg::Bool(true)));
                }
            }
            [v] => out.pos.push(match self.literal(*v) {
                Some(s) => Arg::Str(s),
                None => match v.kind() {
                    "integer_literal" | "float_literal" => Arg::Num,
                    "boolean_literal" => Arg::Bool(self.text(*v) == "true"),
                    _ => Arg::Other,
                },
            }),
            _ => {
                let lit = seg.iter().find_map(|x| self.literal(*x));
                out.pos.push(match lit {
                    Some(s) if seg[0].kind() == "string_literal" => Arg::Prefix(s),
                    _ => Arg::Other,
                });
            }
        }
    }

    /// Calls written inside macro arguments (`println!("{}", std::env::var("X")?)`,
    /// `vec![Content::text(fs::read_to_string(p)?)]`): token trees are not
    /// parsed as expressions, so path calls `a::b(..)`, `x(..)` and method calls
    /// on `self.f.m(..)` are recognised from the tokens.
    fn emit_token_tree(
        &mut self,
        tt: Node<'t>,
        scope: ScopeId,
        cur: Option<DefId>,
        labels: &[String],
        depth: u32,
    ) {
        if depth > 32 {
            self.facts.truncated = true;
            return;
        }
        let mut c = tt.walk();
        let children: Vec<Node<'t>> = tt.children(&mut c).collect();
        let mut i = 0;
        while i < children.len() {
            let ch = children[i];
            if ch.kind() == "token_tree" {
                self.emit_token_tree(ch, scope, cur, labels, depth + 1);
                i += 1;
                continue;
            }
            if !matches!(ch.kind(), "identifier" | "self" | "crate" | "super") {
                i += 1;
                continue;
            }
            // A path `a::b::c` or a member chain `self.a.b`.
            let start = i;
            let mut segs = vec![self.text(ch).to_string()];
            let mut j = i + 1;
            let mut member = false;
            while j + 1 < children.len()
                && matches!(children[j].kind(), "::" | ".")
                && matches!(children[j + 1].kind(), "identifier" | "field_identifier")
            {
                member |= children[j].kind() == ".";
                segs.push(self.text(children[j + 1]).to_string());
                j += 2;
            }
            let after_dot = start > 0 && children[start - 1].kind() == ".";
            let called = children
                .get(j)
                .map(|x| x.kind() == "token_tree" && self.text(*x).starts_with('('))
                .unwrap_or(false);
            let macro_bang = children.get(j).map(|x| x.kind() == "!").unwrap_or(false);
            if called && !after_dot && !macro_bang && (!member || segs[0] == "self") {
                let raw = if member {
                    RawPath {
                        root: Root::This,
                        members: segs[1..].to_vec(),
                    }
                } else {
                    self.path_of_segments(&segs, scope)
                };
                let callee = self.scopes.resolve(scope, &raw);
                let args = self.token_args(children[j], scope, 1);
                self.push_ref(RefKind::Call, callee, ch, args, cur, labels, None);
            }
            i = j.max(i + 1);
        }
    }

    fn record_fields(&mut self, node: Node, scope: ScopeId) {
        let (Some(&class), Some(body)) = (self.def_of.get(&node.id()), node.field("body")) else {
            return;
        };
        if body.kind() != "field_declaration_list" {
            return;
        }
        let mut c = body.walk();
        for f in body.named_children(&mut c) {
            if f.kind() != "field_declaration" {
                continue;
            }
            let (Some(n), Some(t)) = (f.field("name"), f.field("type")) else {
                continue;
            };
            if let Some(mut raw) = self.type_path(t, scope) {
                raw.members.push("()".into());
                let value = self.scopes.resolve(scope, &raw);
                self.facts.fields.push(Field {
                    class,
                    name: self.text(n).to_string(),
                    value,
                });
            }
        }
    }

    fn collect_eq_labels(&self, n: Node, scope: ScopeId, out: &mut Vec<String>, depth: u32) {
        if depth > 8 {
            return;
        }
        let n = unwrap(n);
        if n.kind() != "binary_expression" {
            return;
        }
        let op = n
            .child_by_field_name("operator")
            .map(|o| self.text(o))
            .unwrap_or("");
        let (Some(l), Some(r)) = (n.field("left"), n.field("right")) else {
            return;
        };
        match op {
            "||" => {
                self.collect_eq_labels(l, scope, out, depth + 1);
                self.collect_eq_labels(r, scope, out, depth + 1);
            }
            "==" => {
                for (a, b) in [(l, r), (r, l)] {
                    let b = unwrap(b);
                    if matches!(
                        b.kind(),
                        "identifier" | "field_expression" | "call_expression" | "index_expression"
                    ) {
                        if let Some(s) = self.label_value(a, scope) {
                            out.push(s);
                            return;
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn label_value(&self, v: Node, scope: ScopeId) -> Option<String> {
        let v = unwrap(v);
        match v.kind() {
            "string_literal" | "raw_string_literal" => self.literal(v),
            "identifier" => self.scopes.const_str(scope, self.text(v)),
            "scoped_identifier" => {
                let key = self.segments(v, 0).join(".");
                self.facts
                    .consts
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, s)| s.clone())
            }
            _ => None,
        }
    }

    fn collect_pattern_labels(&self, n: Node, scope: ScopeId, out: &mut Vec<String>, depth: u32) {
        if depth > 8 {
            return;
        }
        match n.kind() {
            "string_literal" | "raw_string_literal" | "identifier" | "scoped_identifier" => {
                if let Some(s) = self.label_value(n, scope) {
                    out.push(s);
                }
            }
            "match_pattern" | "or_pattern" => {
                let mut c = n.walk();
                for ch in n.named_children(&mut c) {
                    // `"x" if cond =>`: the guard is not a label.
                    if n.kind() == "match_pattern" && n.field("condition") == Some(ch) {
                        continue;
                    }
                    self.collect_pattern_labels(ch, scope, out, depth + 1);
                }
            }
            _ => {}
        }
    }

    fn args(&self, list: Node, scope: ScopeId, depth: u32) -> Args {
        let mut out = Args::default();
        let mut c = list.walk();
        for a in list.named_children(&mut c) {
            if matches!(
                a.kind(),
                "line_comment" | "block_comment" | "attribute_item"
            ) {
                continue;
            }
            out.pos.push(self.arg(a, scope, depth));
            if out.pos.len() >= 12 {
                break;
            }
        }
        out
    }

    fn arg(&self, a: Node, scope: ScopeId, depth: u32) -> Arg {
        if depth > 8 {
            return Arg::Other;
        }
        let a = unwrap(a);
        match a.kind() {
            "string_literal" | "raw_string_literal" => {
                self.literal(a).map(Arg::Str).unwrap_or(Arg::Other)
            }
            "boolean_literal" => Arg::Bool(self.text(a) == "true"),
            "integer_literal" | "float_literal" => Arg::Num,
            "array_expression" => Arg::List({
                let mut c = a.walk();
                let v: Vec<Option<String>> = a
                    .named_children(&mut c)
                    .take(16)
                    .map(|x| self.arg(x, scope, depth + 1).as_str().map(str::to_string))
                    .collect();
                v
            }),
            "closure_expression" => self
                .def_of
                .get(&a.id())
                .map(|d| Arg::Func(*d))
                .unwrap_or(Arg::Other),
            "macro_invocation" => self.macro_arg(a, scope),
            "struct_expression" => Arg::Obj(self.struct_props(a, scope, depth + 1)),
            // A tuple is a struct with fields `0`, `1`, …: rmcp's
            // `with_route((Tool::new("x", ..), Self::handler))`.
            "tuple_expression" => {
                let mut c = a.walk();
                let props: Vec<(String, Arg)> = a
                    .named_children(&mut c)
                    .filter(|x| !x.is_extra())
                    .take(16)
                    .enumerate()
                    .map(|(i, x)| (i.to_string(), self.arg(x, scope, depth + 1)))
                    .collect();
                Arg::Obj(props)
            }
            "identifier" => {
                let name = self.text(a);
                if let Some(s) = self.scopes.const_str(scope, name) {
                    return Arg::Str(s);
                }
                // A local initialised once from a call or a literal: passed as that value.
                if let Some((_, s)) = self.scopes.lookup(scope, name) {
                    if let Some(Some(init)) = self.inits.get(&(s, name.to_string())) {
                        if matches!(
                            init.kind(),
                            "call_expression"
                                | "struct_expression"
                                | "macro_invocation"
                                | "array_expression"
                                | "closure_expression"
                        ) && init.id() != a.id()
                        {
                            return self.arg(*init, scope, depth + 2);
                        }
                    }
                }
                match self.raw_path(a, scope) {
                    Some(raw) => Arg::Path(self.scopes.resolve(scope, &raw)),
                    None => Arg::Other,
                }
            }
            "scoped_identifier" | "field_expression" => match self.raw_path(a, scope) {
                Some(raw) => Arg::Path(self.scopes.resolve(scope, &raw)),
                None => Arg::Other,
            },
            "call_expression" => {
                let Some(f) = a.field("function") else {
                    return Arg::Other;
                };
                // `"x".to_string()`, `String::from("x")`, `PathBuf::from("x")`: the literal.
                if f.kind() == "field_expression" {
                    let m = f.field("field").map(|x| self.text(x)).unwrap_or("");
                    if matches!(m, "to_string" | "to_owned" | "into" | "as_str" | "clone") {
                        if let Some(v) = f.field("value") {
                            let inner = self.arg(v, scope, depth + 1);
                            if matches!(inner, Arg::Str(_) | Arg::Prefix(_)) {
                                return inner;
                            }
                        }
                    }
                }
                let callee = self.resolve_call(f, scope);
                let args = a
                    .field("arguments")
                    .map(|x| self.args(x, scope, depth + 1))
                    .unwrap_or_default();
                if callee.ends_with(&["from"]) || callee.ends_with(&["new"]) {
                    if let Some(Arg::Str(s)) = args.pos.first() {
                        let ty = callee
                            .path()
                            .iter()
                            .rev()
                            .nth(1)
                            .map(|s| s.as_str())
                            .unwrap_or("");
                        if matches!(ty, "String" | "PathBuf" | "Path" | "OsString" | "OsStr") {
                            return Arg::Str(s.clone());
                        }
                    }
                }
                Arg::Call(callee, args.pos)
            }
            "binary_expression" => {
                let op = a
                    .child_by_field_name("operator")
                    .map(|o| self.text(o))
                    .unwrap_or("");
                match (op, a.field("left")) {
                    ("+", Some(l)) => match self.arg(l, scope, depth + 1) {
                        Arg::Str(s) | Arg::Prefix(s) if !s.is_empty() => Arg::Prefix(s),
                        _ => Arg::Other,
                    },
                    _ => Arg::Other,
                }
            }
            _ => Arg::Other,
        }
    }

    /// `format!("curl {}", x)` is a prefix; `vec!["-c", x]` a list.
    fn macro_arg(&self, m: Node, scope: ScopeId) -> Arg {
        let name = m.field("macro").map(|x| self.text(x)).unwrap_or("");
        let mut c = m.walk();
        let Some(tt) = m.named_children(&mut c).find(|x| x.kind() == "token_tree") else {
            return Arg::Other;
        };
        let args = self.token_args(tt, scope, 1);
        match name {
            "format" => match args.pos.first() {
                Some(Arg::Str(s)) => match s.find('{') {
                    Some(0) => Arg::Other,
                    Some(i) => Arg::Prefix(s[..i].to_string()),
                    None => Arg::Str(s.clone()),
                },
                _ => Arg::Other,
            },
            "vec" => Arg::List(
                args.pos
                    .iter()
                    .map(|x| x.as_str().map(str::to_string))
                    .collect(),
            ),
            _ => Arg::Other,
        }
    }

    fn struct_props(&self, s: Node, scope: ScopeId, depth: u32) -> Vec<(String, Arg)> {
        let mut out = vec![];
        let Some(body) = s.field("body") else {
            return out;
        };
        let mut c = body.walk();
        for f in body.named_children(&mut c) {
            match f.kind() {
                "field_initializer" => {
                    if let (Some(k), Some(v)) = (f.field("field"), f.field("value")) {
                        out.push((self.text(k).to_string(), self.arg(v, scope, depth + 1)));
                    }
                }
                "shorthand_field_initializer" => {
                    if let Some(id) = f.named_child(0) {
                        out.push((self.text(id).to_string(), self.arg(id, scope, depth + 1)));
                    }
                }
                _ => {}
            }
            if out.len() >= 32 {
                break;
            }
        }
        out
    }

    // ---------------------------------------------------------------- exports

    fn exports(&mut self, root: Node) {
        let mut c = root.walk();
        for ch in root.named_children(&mut c) {
            let name = match ch.kind() {
                "function_item" | "struct_item" | "enum_item" | "trait_item" | "union_item" => {
                    ch.field("name").map(|n| self.text(n).to_string())
                }
                _ => None,
            };
            if let (Some(name), Some(&def)) = (name, self.def_of.get(&ch.id())) {
                if self.is_test_item(ch) {
                    continue;
                }
                self.facts.exports.push(Export::Local {
                    name,
                    target: Callee::Def { def, path: vec![] },
                });
            }
        }
    }
}

fn pseudo(name: &str) -> Callee {
    Callee::Global {
        path: vec![PSEUDO.to_string(), name.to_string()],
    }
}

/// `use a::b::C` → `Import{"a::b", ["C"]}`; `use reqwest` → `Import{"reqwest", []}`.
fn import_binding(segs: &[String]) -> Binding {
    match segs.split_last() {
        Some((last, rest)) if !rest.is_empty() => Binding::Import {
            module: rest.join("::"),
            path: vec![last.clone()],
        },
        Some((last, _)) => Binding::Import {
            module: last.clone(),
            path: vec![],
        },
        None => Binding::Opaque,
    }
}
