//! Java adapter (tree-sitter-java).
//!
//! Two passes like `python.rs`: the first declares every binding (imports,
//! classes, members, parameters, locals), the second emits references.
//!
//! Conventions specific to Java:
//! - a class body is a scope whose names (fields, methods) resolve to
//!   `Callee::SelfMember` of the class; nested types stay `Callee::Def`;
//! - a bare method call that nothing in the file declares is a member of the
//!   enclosing class (or of its bases): `SelfMember`, never a global;
//! - a declared type makes an instance (`HttpClient c` → `HttpClient()`); `var`
//!   takes the initializer's (`var f = new File(p)` → `File()`);
//! - a `native` method emits a call of the pseudo-API `jni.native` (catalogued as
//!   `mem.native`) inside that method, on the line of its name, so that code
//!   reaching the native method reaches the JNI boundary;
//! - `List.of(..)`, `Arrays.asList(..)`, `Set.of(..)`, `Stream.of(..)` and array
//!   literals passed as arguments are `Arg::List` (a command line is usually one).

use crate::ir::*;
use crate::scope::{Binding, RawPath, Root, ScopeId, Scopes};
use crate::text::{FieldExt, Src};
use rustc_hash::FxHashMap as HashMap;
use tree_sitter::{Node, Tree};

const MAX_DEPTH: u32 = 400;

/// Module of the pseudo-API a `native` method calls.
pub const JNI_MODULE: &str = "jni";

pub fn extract(tree: &Tree, src: &str) -> FileFacts {
    let mut cx = Cx {
        src: Src(src),
        scopes: Scopes::default(),
        facts: FileFacts::default(),
        scope_of: HashMap::default(),
        def_of: HashMap::default(),
        class_body: HashMap::default(),
        inits: HashMap::default(),
        top: 0,
        results: vec![],
    };
    let root = tree.root_node();
    cx.top = cx.scopes.new_scope(None, None);
    cx.declare(root, cx.top, None, None, 0);
    cx.emit(root, cx.top, None, &[], 0);
    for (def, raw, scope) in std::mem::take(&mut cx.results) {
        cx.facts.defs[def as usize].returns = Some(cx.scopes.resolve(scope, &raw));
    }
    if cx.facts.syntax_errors == 0 && root.has_error() {
        cx.facts.syntax_errors = 1;
    }
    // Top-level types are visible to the whole package.
    let mut exports = vec![];
    for (i, d) in cx.facts.defs.iter().enumerate() {
        if d.parent.is_none() && d.kind == DefKind::Class && !d.name.is_empty() {
            exports.push(Export::Local {
                name: d.name.clone(),
                target: Callee::Def {
                    def: i as DefId,
                    path: vec![],
                },
            });
        }
    }
    cx.facts.exports = exports;
    cx.facts
}

struct Cx<'a, 't> {
    /// Result types of methods, resolved after the walks.
    results: Vec<(DefId, RawPath, ScopeId)>,
    src: Src<'a>,
    scopes: Scopes,
    facts: FileFacts,
    scope_of: HashMap<usize, ScopeId>,
    def_of: HashMap<usize, DefId>,
    /// Class body scopes and their class.
    class_body: HashMap<ScopeId, DefId>,
    /// Locals declared with an initializer: (scope, name) → (value, assignments).
    inits: HashMap<(ScopeId, &'a str), (Node<'t>, u32)>,
    top: ScopeId,
}

fn is_type_decl(kind: &str) -> bool {
    matches!(
        kind,
        "class_declaration"
            | "interface_declaration"
            | "enum_declaration"
            | "record_declaration"
            | "annotation_type_declaration"
    )
}

/// Types whose values are plain data: never clients.
fn plain_type(name: &str) -> bool {
    matches!(
        name,
        "var"
            | "String"
            | "Object"
            | "Integer"
            | "Long"
            | "Short"
            | "Byte"
            | "Double"
            | "Float"
            | "Boolean"
            | "Character"
            | "Number"
            | "CharSequence"
            | "StringBuilder"
            | "List"
            | "Map"
            | "Set"
            | "Collection"
            | "Optional"
            | "Iterable"
            | "Void"
            | "ArrayList"
            | "HashMap"
            | "LinkedHashMap"
            | "HashSet"
    )
}

fn unwrap(mut n: Node) -> Node {
    let mut hops = 0;
    while n.kind() == "parenthesized_expression" && hops < 64 {
        match n.named_child(0) {
            Some(c) => n = c,
            None => break,
        }
        hops += 1;
    }
    n
}

fn has_modifier(node: Node, src: &Src, word: &str) -> bool {
    let mut c = node.walk();
    let found = node
        .children(&mut c)
        .filter(|m| m.kind() == "modifiers")
        .any(|m| {
            let mut c2 = m.walk();
            let hit = m.children(&mut c2).any(|x| src.text(x) == word);
            hit
        });
    found
}

/// The contents of a Java string literal or text block, with simple escapes decoded.
fn string_value(src: &Src, n: Node) -> String {
    let t = src.text(n);
    let body = if let Some(b) = t.strip_prefix("\"\"\"") {
        let b = b.strip_suffix("\"\"\"").unwrap_or(b);
        // Text block: content starts after the opening line; incidental indentation goes.
        let b = b.split_once('\n').map(|(_, r)| r).unwrap_or(b);
        let indent = b
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0);
        let mut out = String::new();
        for (i, l) in b.lines().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(l.get(indent..).unwrap_or(l.trim_start()));
        }
        return unescape(out.trim_end_matches([' ', '\t']));
    } else {
        crate::text::unquote(t)
    };
    unescape(&body)
}

fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some(x) => out.push(x),
            None => out.push('\\'),
        }
    }
    out
}

impl<'a, 't> Cx<'a, 't> {
    fn new_def(&mut self, name: String, kind: DefKind, node: Node, parent: Option<DefId>) -> DefId {
        let id = self.facts.add_def(
            name,
            kind,
            node.start_position().row as u32 + 1,
            node.end_position().row as u32 + 1,
            parent,
        );
        self.def_of.insert(node.id(), id);
        id
    }

    fn text(&self, n: Node) -> &'a str {
        self.src.text(n)
    }

    // ---------------------------------------------------------------- pass 1

    fn declare(
        &mut self,
        node: Node<'t>,
        scope: ScopeId,
        cur: Option<DefId>,
        class: Option<DefId>,
        depth: u32,
    ) {
        if depth > MAX_DEPTH {
            self.facts.truncated = true;
            return;
        }
        if self.declare_node(node, scope, cur, class, depth) {
            return;
        }
        let mut c = node.walk();
        for child in node.named_children(&mut c) {
            self.declare(child, scope, cur, class, depth + 1);
        }
    }

    /// One node of pass 1; true when its children are done.
    #[inline(never)]
    fn declare_node(
        &mut self,
        node: Node<'t>,
        scope: ScopeId,
        cur: Option<DefId>,
        class: Option<DefId>,
        depth: u32,
    ) -> bool {
        let kind = node.kind();
        match kind {
            "package_declaration" => {
                let mut c = node.walk();
                let name = node
                    .named_children(&mut c)
                    .find(|n| matches!(n.kind(), "scoped_identifier" | "identifier"));
                if let Some(n) = name {
                    self.facts.package = Some(self.text(n).replace(char::is_whitespace, ""));
                }
                return true;
            }
            "import_declaration" => {
                self.declare_import(node);
                return true;
            }
            k if is_type_decl(k) => {
                let name = node.field("name").map(|n| self.text(n)).unwrap_or("");
                let def = self.new_def(name.to_string(), DefKind::Class, node, cur);
                if !name.is_empty() {
                    self.scopes.declare(scope, name, Binding::Def(def));
                }
                let inner = self.scopes.new_scope(Some(scope), Some(def));
                self.class_body.insert(inner, def);
                self.scope_of.insert(node.id(), inner);
                // A record's components are its fields.
                if let Some(p) = node.field("parameters") {
                    let mut c = p.walk();
                    for fp in p.named_children(&mut c) {
                        if let Some(n) = fp.field("name") {
                            self.declare_field(fp.field("type"), n, None, inner, def, false);
                        }
                    }
                }
                if let Some(b) = node.field("body") {
                    self.declare(b, inner, Some(def), Some(def), depth + 1);
                }
                return true;
            }
            "object_creation_expression" => {
                // An anonymous class: `new Runnable() { public void run() {...} }`.
                let mut c = node.walk();
                let body = node
                    .named_children(&mut c)
                    .find(|n| n.kind() == "class_body");
                if let Some(b) = body {
                    let mut c = node.walk();
                    for ch in node.named_children(&mut c) {
                        if ch.id() != b.id() {
                            self.declare(ch, scope, cur, class, depth + 1);
                        }
                    }
                    let def = self.new_def(String::new(), DefKind::Class, b, cur);
                    let inner = self.scopes.new_scope(Some(scope), Some(def));
                    self.class_body.insert(inner, def);
                    self.scope_of.insert(b.id(), inner);
                    self.declare(b, inner, Some(def), Some(def), depth + 1);
                    return true;
                }
            }
            "method_declaration"
            | "constructor_declaration"
            | "compact_constructor_declaration" => {
                let name = if kind == "method_declaration" {
                    node.field("name").map(|n| self.text(n)).unwrap_or("")
                } else {
                    "constructor"
                };
                let def = self.new_def(
                    name.to_string(),
                    if class.is_some() {
                        DefKind::Method
                    } else {
                        DefKind::Function
                    },
                    node,
                    class.or(cur),
                );
                if kind == "method_declaration" && !name.is_empty() {
                    self.scopes.declare(scope, name, Binding::Opaque);
                }
                // The declared result type (`HttpClient client()`), resolved after the walks.
                if let Some(raw) = node.field("type").and_then(|t| self.type_raw(t, true)) {
                    self.results.push((def, raw, scope));
                }
                let inner = self.scopes.new_scope(Some(scope), class);
                self.scope_of.insert(node.id(), inner);
                if let Some(p) = node.field("parameters") {
                    let names = self.declare_params(p, inner);
                    self.facts.defs[def as usize].params = names;
                }
                if let Some(b) = node.field("body") {
                    self.declare(b, inner, Some(def), None, depth + 1);
                }
                return true;
            }
            "lambda_expression" => {
                let def = self.new_def(String::new(), DefKind::Anonymous, node, cur);
                let inner = self.scopes.new_scope(Some(scope), None);
                self.scope_of.insert(node.id(), inner);
                if let Some(p) = node.field("parameters") {
                    let names = match p.kind() {
                        "identifier" => {
                            self.scopes.declare(inner, self.text(p), Binding::Opaque);
                            vec![self.text(p).to_string()]
                        }
                        "inferred_parameters" => {
                            let mut c = p.walk();
                            let ids: Vec<Node> = p.named_children(&mut c).collect();
                            ids.iter()
                                .map(|i| {
                                    self.scopes.declare(inner, self.text(*i), Binding::Opaque);
                                    self.text(*i).to_string()
                                })
                                .collect()
                        }
                        _ => self.declare_params(p, inner),
                    };
                    self.facts.defs[def as usize].params = names;
                }
                if let Some(b) = node.field("body") {
                    self.declare(b, inner, Some(def), None, depth + 1);
                }
                return true;
            }
            "field_declaration" | "constant_declaration" if class.is_some() => {
                let def = class.expect("checked");
                let is_const = kind == "constant_declaration"
                    || (has_modifier(node, &self.src, "static")
                        && has_modifier(node, &self.src, "final"));
                let ty = node.field("type");
                let mut c = node.walk();
                for d in node.children_by_field_name("declarator", &mut c) {
                    if let Some(n) = d.field("name") {
                        self.declare_field(ty, n, d.field("value"), scope, def, is_const);
                    }
                }
            }
            "local_variable_declaration" | "resource" => {
                let ty = node.field("type");
                if kind == "resource" {
                    if let Some(n) = node.field("name") {
                        self.declare_local(ty, n, node.field("value"), scope);
                    }
                } else {
                    let mut c = node.walk();
                    for d in node.children_by_field_name("declarator", &mut c) {
                        if let Some(n) = d.field("name") {
                            self.declare_local(ty, n, d.field("value"), scope);
                        }
                    }
                }
            }
            "enhanced_for_statement" => {
                if let Some(n) = node.field("name") {
                    let b = node
                        .field("type")
                        .and_then(|t| self.type_raw(t, true))
                        .map(|r| Binding::Instance(r, scope))
                        .unwrap_or(Binding::Opaque);
                    self.scopes.declare(scope, self.text(n), b);
                }
            }
            "catch_formal_parameter" | "instanceof_expression" => {
                if let Some(n) = node.field("name") {
                    self.scopes.declare(scope, self.text(n), Binding::Opaque);
                }
            }
            "assignment_expression" => {
                // A local assigned again no longer has one known value.
                if let Some(l) = node.field("left").filter(|l| l.kind() == "identifier") {
                    let name = self.text(l);
                    if let Some((_, s)) = self.scopes.lookup(scope, name) {
                        if let Some(e) = self.inits.get_mut(&(s, name)) {
                            e.1 += 1;
                        }
                    }
                }
            }
            _ => {}
        }
        false
    }

    fn declare_import(&mut self, node: Node) {
        let mut c = node.walk();
        let mut name = None;
        let mut star = false;
        let mut is_static = false;
        for ch in node.children(&mut c) {
            match ch.kind() {
                "identifier" | "scoped_identifier" => name = Some(ch),
                "asterisk" => star = true,
                "static" => is_static = true,
                _ => {}
            }
        }
        let Some(n) = name else { return };
        let full = self.text(n).replace(char::is_whitespace, "");
        self.facts.imports.push(full.clone());
        if star {
            self.facts.star_imports.push(full);
            return;
        }
        let _ = is_static; // a static import binds its member like a type import binds its type
        let (module, last) = match full.rsplit_once('.') {
            Some((m, l)) => (m.to_string(), l.to_string()),
            None => (String::new(), full.clone()),
        };
        self.scopes.declare(
            self.top,
            &last.clone(),
            Binding::Import {
                module,
                path: vec![last],
            },
        );
    }

    /// Declare parameters in `scope`; their names in order.
    fn declare_params(&mut self, params: Node, scope: ScopeId) -> Vec<String> {
        let mut out = vec![];
        let mut c = params.walk();
        for p in params.named_children(&mut c) {
            let (name, ty) = match p.kind() {
                "formal_parameter" => (p.field("name"), p.field("type")),
                "spread_parameter" => {
                    let mut c2 = p.walk();
                    let d = p
                        .named_children(&mut c2)
                        .find(|x| x.kind() == "variable_declarator");
                    (d.and_then(|d| d.field("name")), None)
                }
                _ => (None, None),
            };
            let Some(n) = name else {
                continue;
            };
            let b = ty
                .and_then(|t| self.type_raw(t, true))
                .map(|r| Binding::Instance(r, scope))
                .unwrap_or(Binding::Opaque);
            self.scopes.declare(scope, self.text(n), b);
            out.push(self.text(n).to_string());
        }
        out
    }

    fn declare_field(
        &mut self,
        ty: Option<Node>,
        name: Node,
        value: Option<Node>,
        scope: ScopeId,
        class: DefId,
        is_const: bool,
    ) {
        let n = self.text(name);
        if let (true, Some(v)) = (is_const, value.map(unwrap)) {
            if v.kind() == "string_literal" {
                let s = string_value(&self.src, v);
                let cname = self.facts.defs[class as usize].name.clone();
                self.facts.consts.push((format!("{cname}.{n}"), s.clone()));
                self.scopes.declare(scope, n, Binding::Const(s));
                return;
            }
        }
        self.scopes.declare(scope, n, Binding::Opaque);
        let raw = ty
            .and_then(|t| self.type_raw(t, true))
            .or_else(|| value.and_then(|v| self.value_type(unwrap(v))));
        if let Some(mut raw) = raw {
            raw.members.push("()".into());
            let value = self.resolve(scope, &raw);
            self.facts.fields.push(Field {
                class,
                name: n.to_string(),
                value,
            });
        }
    }

    fn declare_local(
        &mut self,
        ty: Option<Node>,
        name: Node<'t>,
        value: Option<Node<'t>>,
        scope: ScopeId,
    ) {
        let n: &'a str = self.src.0.get(name.byte_range()).unwrap_or("");
        let value = value.map(unwrap);
        let b = match (ty.and_then(|t| self.type_raw(t, true)), value) {
            (Some(raw), _) => Binding::Instance(raw, scope),
            (None, Some(v)) if v.kind() == "string_literal" => {
                Binding::Const(string_value(&self.src, v))
            }
            (None, Some(v)) => match self.value_type(v) {
                Some(raw) => Binding::Instance(raw, scope),
                None => Binding::Opaque,
            },
            (None, None) => Binding::Opaque,
        };
        self.scopes.declare(scope, n, b);
        if let Some(v) = value {
            let e = self.inits.entry((scope, n)).or_insert((v, 0));
            e.0 = v;
            e.1 += 1;
        }
    }

    /// What a `var` initializer makes: `new File(p)` → `File`, `HttpClient.newHttpClient()`
    /// → `HttpClient.newHttpClient` (its result), `(T) x` → `T`.
    fn value_type(&self, v: Node) -> Option<RawPath> {
        match v.kind() {
            "object_creation_expression" => self.type_raw(v.field("type")?, false),
            "cast_expression" => self.type_raw(v.field("type")?, true),
            "method_invocation" => {
                let mut p = self.call_raw(v, None)?;
                if p.members.is_empty() && matches!(p.root, Root::Name(_)) {
                    return None;
                }
                // The result of the call: `Instance` adds the `()`.
                if p.members.last().map(|s| s == "()").unwrap_or(false) {
                    p.members.pop();
                }
                Some(p)
            }
            _ => None,
        }
    }

    /// A type as an access path; `skip_plain` drops data types (`String`, `List<..>`, `var`).
    fn type_raw(&self, t: Node, skip_plain: bool) -> Option<RawPath> {
        self.type_raw_d(t, skip_plain, 0)
    }

    fn type_raw_d(&self, t: Node, skip_plain: bool, depth: u32) -> Option<RawPath> {
        if depth > 32 {
            return None;
        }
        match t.kind() {
            "type_identifier" | "identifier" => {
                let name = self.text(t);
                if skip_plain && plain_type(name) {
                    return None;
                }
                Some(RawPath {
                    root: Root::Name(name.to_string()),
                    members: vec![],
                })
            }
            "scoped_type_identifier" => {
                let mut c = t.walk();
                let parts: Vec<Node> = t
                    .named_children(&mut c)
                    .filter(|x| {
                        matches!(
                            x.kind(),
                            "type_identifier" | "scoped_type_identifier" | "generic_type"
                        )
                    })
                    .collect();
                let (first, rest) = parts.split_first()?;
                let mut p = self.type_raw_d(*first, false, depth + 1)?;
                for r in rest {
                    p.members.push(self.text(*r).to_string());
                }
                Some(p)
            }
            "scoped_identifier" => {
                let mut p = self.type_raw_d(t.field("scope")?, false, depth + 1)?;
                p.members.push(self.text(t.field("name")?).to_string());
                Some(p)
            }
            "generic_type" => {
                let first = t.named_child(0)?;
                self.type_raw_d(first, skip_plain, depth + 1)
            }
            _ => None,
        }
    }

    // ---------------------------------------------------------------- resolution

    /// Resolve a path: names found in a class body are members of that class.
    fn resolve(&self, scope: ScopeId, raw: &RawPath) -> Callee {
        if let Root::Name(n) = &raw.root {
            if let Some((b, s)) = self.scopes.lookup(scope, n) {
                if let (Some(&class), false) = (
                    self.class_body.get(&s),
                    matches!(b, Binding::Def(_) | Binding::Const(_)),
                ) {
                    let mut path = vec![n.clone()];
                    path.extend(raw.members.iter().cloned());
                    return Callee::SelfMember {
                        class: Some(class),
                        path,
                    };
                }
            }
        }
        match self.scopes.resolve(scope, raw) {
            // A local holding a field's value (`var c = clients.http()`): the field's member.
            Callee::Var { name, path } => match self
                .scopes
                .lookup(scope, &name)
                .and_then(|(_, s)| self.class_body.get(&s))
            {
                Some(&class) => {
                    let mut p = vec![name];
                    p.extend(path);
                    Callee::SelfMember {
                        class: Some(class),
                        path: p,
                    }
                }
                None => Callee::Var { name, path },
            },
            c => c,
        }
    }

    /// The callee of a method invocation as a path (without the final `()`),
    /// or of its result (with it) when `scope` is given for a bare name.
    fn call_raw(&self, n: Node, scope: Option<ScopeId>) -> Option<RawPath> {
        self.call_raw_d(n, scope, 0)
    }

    fn call_raw_d(&self, n: Node, scope: Option<ScopeId>, depth: u32) -> Option<RawPath> {
        let name = self.text(n.field("name")?);
        match n.field("object") {
            Some(o) => {
                let mut p = self.raw_path_d(o, scope, depth + 1)?;
                p.members.push(name.to_string());
                Some(p)
            }
            None => {
                // A bare call: a member of the enclosing class unless the file binds it.
                if let Some(s) = scope {
                    if self.scopes.lookup(s, name).is_none() && self.scopes.class_of(s).is_some() {
                        return Some(RawPath {
                            root: Root::This,
                            members: vec![name.to_string()],
                        });
                    }
                }
                Some(RawPath {
                    root: Root::Name(name.to_string()),
                    members: vec![],
                })
            }
        }
    }

    fn raw_path(&self, n: Node, scope: ScopeId) -> Option<RawPath> {
        self.raw_path_d(n, Some(scope), 0)
    }

    fn raw_path_d(&self, n: Node, scope: Option<ScopeId>, depth: u32) -> Option<RawPath> {
        if depth > 64 {
            return None;
        }
        let n = unwrap(n);
        match n.kind() {
            "identifier" | "type_identifier" => Some(RawPath {
                root: Root::Name(self.text(n).to_string()),
                members: vec![],
            }),
            "this" => Some(RawPath {
                root: Root::This,
                members: vec![],
            }),
            "super" => Some(RawPath {
                root: Root::This,
                members: vec!["<super>".into()],
            }),
            "field_access" => {
                let o = n.field("object").or_else(|| n.named_child(0))?;
                let mut p = self.raw_path_d(o, scope, depth + 1)?;
                let f = n.field("field")?;
                if f.kind() == "this" {
                    // `Outer.this`
                    return Some(RawPath {
                        root: Root::This,
                        members: vec![],
                    });
                }
                p.members.push(self.text(f).to_string());
                Some(p)
            }
            "scoped_identifier" => {
                let mut p = self.raw_path_d(n.field("scope")?, scope, depth + 1)?;
                p.members.push(self.text(n.field("name")?).to_string());
                Some(p)
            }
            "method_invocation" => {
                let mut p = self.call_raw_d(n, scope, depth + 1)?;
                p.members.push("()".into());
                Some(p)
            }
            "object_creation_expression" => {
                let mut p = self.type_raw_d(n.field("type")?, false, depth + 1)?;
                p.members.push("()".into());
                Some(p)
            }
            "cast_expression" => {
                let mut p = self.type_raw_d(n.field("type")?, false, depth + 1)?;
                p.members.push("()".into());
                Some(p)
            }
            "scoped_type_identifier" | "generic_type" => self.type_raw_d(n, false, depth + 1),
            "array_access" => {
                let mut p = self.raw_path_d(n.field("array")?, scope, depth + 1)?;
                p.members.push("[]".into());
                Some(p)
            }
            _ => None,
        }
    }

    // ---------------------------------------------------------------- pass 2

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
        let outer = cur;
        let (scope, cur) = match self.scope_of.get(&node.id()) {
            Some(s) => (*s, self.def_of.get(&node.id()).copied().or(cur)),
            None => (scope, cur),
        };
        if self.emit_node(node, scope, cur, outer, labels, depth) {
            return;
        }
        let mut c = node.walk();
        for child in node.named_children(&mut c) {
            self.emit(child, scope, cur, labels, depth + 1);
        }
    }

    /// One node of pass 2; true when its children are done.
    #[inline(never)]
    fn emit_node(
        &mut self,
        node: Node<'t>,
        scope: ScopeId,
        cur: Option<DefId>,
        outer: Option<DefId>,
        labels: &[String],
        depth: u32,
    ) -> bool {
        let kind = node.kind();
        match kind {
            "modifiers"
            | "type_identifier"
            | "scoped_type_identifier"
            | "generic_type"
            | "import_declaration"
            | "package_declaration"
            | "line_comment"
            | "block_comment" => return true,
            k if is_type_decl(k) => {
                if let Some(def) = self.def_of.get(&node.id()).copied() {
                    self.emit_annotations(node, scope, outer, labels, def);
                    let mut bases = vec![];
                    if let Some(s) = node.field("superclass") {
                        self.collect_types(s, scope, &mut bases, 0);
                    }
                    if let Some(s) = node.field("interfaces") {
                        self.collect_types(s, scope, &mut bases, 0);
                    }
                    let mut c = node.walk();
                    for ch in node.named_children(&mut c) {
                        if ch.kind() == "extends_interfaces" {
                            self.collect_types(ch, scope, &mut bases, 0);
                        }
                    }
                    self.facts.defs[def as usize].bases = bases;
                }
                if let Some(b) = node.field("body") {
                    self.emit(b, scope, cur, labels, depth + 1);
                }
                return true;
            }
            "method_declaration"
            | "constructor_declaration"
            | "compact_constructor_declaration" => {
                if let Some(def) = self.def_of.get(&node.id()).copied() {
                    self.emit_annotations(node, scope, outer, labels, def);
                    if has_modifier(node, &self.src, "native") {
                        let at = node.field("name").unwrap_or(node);
                        self.push_ref(
                            RefKind::Call,
                            Callee::Import {
                                module: JNI_MODULE.into(),
                                path: vec!["native".into()],
                            },
                            at,
                            Args::default(),
                            Some(def),
                            labels,
                            None,
                        );
                    }
                }
                if let Some(b) = node.field("body") {
                    self.emit(b, scope, cur, labels, depth + 1);
                }
                return true;
            }
            // Static initializers and static fields run when the class loads: file-level code.
            "static_initializer" => {
                let mut c = node.walk();
                for child in node.named_children(&mut c) {
                    self.emit(child, scope, None, labels, depth + 1);
                }
                return true;
            }
            "field_declaration" if has_modifier(node, &self.src, "static") => {
                let mut c = node.walk();
                for child in node.named_children(&mut c) {
                    self.emit(child, scope, None, labels, depth + 1);
                }
                return true;
            }
            "method_invocation" => {
                self.emit_call(node, scope, cur, labels);
            }
            "object_creation_expression" => {
                if let Some(t) = node.field("type") {
                    if let Some(raw) = self.type_raw(t, false) {
                        let callee = self.resolve(scope, &raw);
                        let args = node
                            .field("arguments")
                            .map(|a| self.args(a, scope))
                            .unwrap_or_default();
                        self.push_ref(RefKind::New, callee, node, args, cur, labels, None);
                    }
                }
            }
            "explicit_constructor_invocation" => {
                let args = node
                    .field("arguments")
                    .map(|a| self.args(a, scope))
                    .unwrap_or_default();
                let is_super = node
                    .field("constructor")
                    .map(|c| c.kind() == "super")
                    .unwrap_or(false);
                let callee = Callee::SelfMember {
                    class: self.scopes.class_of(scope),
                    path: if is_super {
                        vec!["<super>".into()]
                    } else {
                        vec!["constructor".into()]
                    },
                };
                self.push_ref(RefKind::Call, callee, node, args, cur, labels, None);
            }
            "method_reference" => {
                if let Some(c) = self.method_ref(node, scope) {
                    if matches!(c, Callee::Import { .. } | Callee::Global { .. }) {
                        self.push_ref(RefKind::Access, c, node, Args::default(), cur, labels, None);
                    }
                }
                return true;
            }
            "if_statement" => {
                if let Some(cond) = node.field("condition") {
                    let found = self.labels_in_condition(cond, scope);
                    if !found.is_empty() {
                        self.emit(cond, scope, cur, labels, depth + 1);
                        if let Some(c) = node.field("consequence") {
                            self.emit(c, scope, cur, &found, depth + 1);
                        }
                        if let Some(a) = node.field("alternative") {
                            self.emit(a, scope, cur, labels, depth + 1);
                        }
                        return true;
                    }
                }
            }
            "switch_block_statement_group" | "switch_rule" => {
                let mut found = vec![];
                let mut c = node.walk();
                for ch in node.named_children(&mut c) {
                    if ch.kind() == "switch_label" {
                        let mut c2 = ch.walk();
                        for e in ch.named_children(&mut c2) {
                            if let Some(s) = self.label_value(e, scope) {
                                found.push(s);
                            }
                        }
                    }
                }
                if !found.is_empty() {
                    let mut c = node.walk();
                    for ch in node.named_children(&mut c) {
                        if ch.kind() != "switch_label" {
                            self.emit(ch, scope, cur, &found, depth + 1);
                        }
                    }
                    return true;
                }
            }
            _ => {}
        }
        false
    }

    fn collect_types(&mut self, n: Node, scope: ScopeId, out: &mut Vec<Callee>, depth: u32) {
        if depth > 8 {
            return;
        }
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            match ch.kind() {
                "type_identifier" | "scoped_type_identifier" | "generic_type" => {
                    if let Some(raw) = self.type_raw(ch, false) {
                        out.push(self.resolve(scope, &raw));
                    }
                }
                "type_list" => self.collect_types(ch, scope, out, depth + 1),
                _ => {}
            }
        }
    }

    /// `@Tool(name = "x")` on a definition: a call decorating it.
    fn emit_annotations(
        &mut self,
        node: Node,
        scope: ScopeId,
        cur: Option<DefId>,
        labels: &[String],
        def: DefId,
    ) {
        let mut c = node.walk();
        let mods: Vec<Node> = node
            .children(&mut c)
            .filter(|m| m.kind() == "modifiers")
            .collect();
        for m in mods {
            let mut c = m.walk();
            for a in m.named_children(&mut c) {
                if !matches!(a.kind(), "annotation" | "marker_annotation") {
                    continue;
                }
                let Some(name) = a.field("name") else {
                    continue;
                };
                let Some(raw) = self.type_raw(name, false) else {
                    continue;
                };
                let callee = self.resolve(scope, &raw);
                let mut args = Args::default();
                if let Some(list) = a.field("arguments") {
                    let mut c2 = list.walk();
                    for x in list.named_children(&mut c2) {
                        match x.kind() {
                            "element_value_pair" => {
                                if let (Some(k), Some(v)) = (x.field("key"), x.field("value")) {
                                    args.kw
                                        .push((self.text(k).to_string(), self.arg(v, scope, 0)));
                                }
                            }
                            "line_comment" | "block_comment" => {}
                            _ => args.pos.push(self.arg(x, scope, 0)),
                        }
                    }
                }
                self.push_ref(RefKind::Call, callee, a, args, cur, labels, Some(def));
            }
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

    fn call_callee(&self, node: Node, scope: ScopeId) -> Callee {
        match self.call_raw(node, Some(scope)) {
            Some(raw) => self.resolve(scope, &raw),
            None => Callee::Dynamic {
                member: node.field("name").map(|n| self.text(n).to_string()),
            },
        }
    }

    fn emit_call(&mut self, node: Node, scope: ScopeId, cur: Option<DefId>, labels: &[String]) {
        let callee = self.call_callee(node, scope);
        let args = node
            .field("arguments")
            .map(|a| self.args(a, scope))
            .unwrap_or_default();
        self.push_ref(RefKind::Call, callee, node, args, cur, labels, None);
    }

    /// `this::handle`, `Tools::read`, `Files::readString`, `String::new`.
    fn method_ref(&self, node: Node, scope: ScopeId) -> Option<Callee> {
        let mut c = node.walk();
        let kids: Vec<Node> = node.named_children(&mut c).collect();
        let target = *kids.first()?;
        let name = kids
            .iter()
            .skip(1)
            .rev()
            .find(|k| k.kind() == "identifier")
            .map(|k| self.text(*k))
            .unwrap_or("new");
        let mut raw = match target.kind() {
            "this" => RawPath {
                root: Root::This,
                members: vec![],
            },
            _ => self
                .raw_path(target, scope)
                .or_else(|| self.type_raw(target, false))?,
        };
        raw.members.push(name.to_string());
        Some(self.resolve(scope, &raw))
    }

    fn labels_in_condition(&self, cond: Node, scope: ScopeId) -> Vec<String> {
        let mut out = vec![];
        self.collect_eq_labels(unwrap(cond), scope, &mut out, 0);
        out
    }

    fn collect_eq_labels(&self, n: Node, scope: ScopeId, out: &mut Vec<String>, depth: u32) {
        if depth > 8 {
            return;
        }
        let n = unwrap(n);
        match n.kind() {
            "binary_expression" => {
                let op = n.field("operator").map(|o| self.text(o));
                let (Some(l), Some(r)) = (n.field("left"), n.field("right")) else {
                    return;
                };
                match op {
                    Some("||") => {
                        self.collect_eq_labels(l, scope, out, depth + 1);
                        self.collect_eq_labels(r, scope, out, depth + 1);
                    }
                    Some("==") => {
                        for (a, b) in [(l, r), (r, l)] {
                            if matches!(
                                unwrap(b).kind(),
                                "identifier" | "field_access" | "method_invocation"
                            ) {
                                if let Some(s) = self.label_value(unwrap(a), scope) {
                                    out.push(s);
                                    return;
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            "method_invocation" => {
                let name = n.field("name").map(|x| self.text(x));
                if !matches!(name, Some("equals" | "equalsIgnoreCase" | "contentEquals")) {
                    return;
                }
                let arg = n.field("arguments").and_then(|a| a.named_child(0));
                let (Some(o), Some(a)) = (n.field("object"), arg) else {
                    return;
                };
                // `"x".equals(name)` or `name.equals("x")` / `name.equals(NAME)`.
                if let Some(s) = self.label_value(unwrap(o), scope) {
                    out.push(s);
                } else if let Some(s) = self.label_value(unwrap(a), scope) {
                    out.push(s);
                }
            }
            _ => {}
        }
    }

    fn label_value(&self, v: Node, scope: ScopeId) -> Option<String> {
        match v.kind() {
            "string_literal" => Some(string_value(&self.src, v)),
            "identifier" => self.scopes.const_str(scope, self.text(v)),
            "field_access" => {
                let key = self.text(v).replace(char::is_whitespace, "");
                self.facts
                    .consts
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, s)| s.clone())
            }
            _ => None,
        }
    }

    fn args(&self, list: Node, scope: ScopeId) -> Args {
        let mut out = Args::default();
        let mut c = list.walk();
        for a in list.named_children(&mut c) {
            if matches!(a.kind(), "line_comment" | "block_comment") {
                continue;
            }
            out.pos.push(self.arg(a, scope, 0));
            if out.pos.len() >= 12 {
                break;
            }
        }
        out
    }

    fn list_of(&self, items: Node, scope: ScopeId, depth: u32) -> Arg {
        let mut c = items.walk();
        let v = items
            .named_children(&mut c)
            .filter(|x| !matches!(x.kind(), "line_comment" | "block_comment"))
            .take(16)
            .map(|x| self.arg(x, scope, depth + 1).as_str().map(str::to_string))
            .collect();
        Arg::List(v)
    }

    fn arg(&self, a: Node, scope: ScopeId, depth: u32) -> Arg {
        if depth > 16 {
            return Arg::Other;
        }
        let a = unwrap(a);
        match a.kind() {
            "string_literal" => {
                let mut c = a.walk();
                let interpolated = a
                    .named_children(&mut c)
                    .any(|x| x.kind() == "string_interpolation");
                if interpolated {
                    let mut prefix = String::new();
                    let mut c = a.walk();
                    for ch in a.named_children(&mut c) {
                        match ch.kind() {
                            "string_interpolation" => break,
                            _ => prefix.push_str(&unescape(self.text(ch))),
                        }
                    }
                    if prefix.is_empty() {
                        Arg::Other
                    } else {
                        Arg::Prefix(prefix)
                    }
                } else {
                    Arg::Str(string_value(&self.src, a))
                }
            }
            "true" => Arg::Bool(true),
            "false" => Arg::Bool(false),
            // A nested annotation as an element value
            // (`annotations = @McpTool.McpAnnotations(readOnlyHint = true)`): its pairs.
            "annotation" => {
                let mut props = vec![];
                if let Some(list) = a.field("arguments") {
                    let mut c = list.walk();
                    for x in list.named_children(&mut c) {
                        if let (Some(k), Some(v)) = (x.field("key"), x.field("value")) {
                            props.push((self.text(k).to_string(), self.arg(v, scope, depth + 1)));
                        }
                    }
                }
                Arg::Obj(props)
            }
            "decimal_integer_literal"
            | "hex_integer_literal"
            | "octal_integer_literal"
            | "binary_integer_literal"
            | "decimal_floating_point_literal"
            | "hex_floating_point_literal" => Arg::Num,
            "binary_expression" => {
                match (a.field("operator").map(|o| self.text(o)), a.field("left")) {
                    (Some("+"), Some(l)) => match self.arg(l, scope, depth + 1) {
                        Arg::Str(s) | Arg::Prefix(s) if !s.is_empty() => Arg::Prefix(s),
                        _ => Arg::Other,
                    },
                    _ => Arg::Other,
                }
            }
            "lambda_expression" => self
                .def_of
                .get(&a.id())
                .map(|d| Arg::Func(*d))
                .unwrap_or(Arg::Other),
            "method_reference" => self
                .method_ref(a, scope)
                .map(Arg::Path)
                .unwrap_or(Arg::Other),
            "array_creation_expression" => {
                let mut c = a.walk();
                let init = a
                    .named_children(&mut c)
                    .find(|x| x.kind() == "array_initializer");
                match init {
                    Some(i) => self.list_of(i, scope, depth),
                    None => Arg::Other,
                }
            }
            "array_initializer" => self.list_of(a, scope, depth),
            "identifier" => {
                let name = self.text(a);
                match self.scopes.lookup(scope, name) {
                    Some((Binding::Const(s), _)) => return Arg::Str(s.clone()),
                    Some((_, s)) => {
                        // A local assigned once from a call or construction: that value.
                        if let Some((v, 1)) = self.inits.get(&(s, name)) {
                            if matches!(
                                v.kind(),
                                "method_invocation" | "object_creation_expression"
                            ) && v.id() != a.id()
                            {
                                return self.arg(*v, scope, depth + 1);
                            }
                        }
                    }
                    None => {}
                }
                match self.raw_path(a, scope) {
                    Some(raw) => Arg::Path(self.resolve(scope, &raw)),
                    None => Arg::Other,
                }
            }
            "field_access" => {
                let key = self.text(a).replace(char::is_whitespace, "");
                if let Some((_, s)) = self.facts.consts.iter().find(|(k, _)| *k == key) {
                    return Arg::Str(s.clone());
                }
                match self.raw_path(a, scope) {
                    Some(raw) => Arg::Path(self.resolve(scope, &raw)),
                    None => Arg::Other,
                }
            }
            "method_invocation" => {
                let name = a.field("name").map(|n| self.text(n)).unwrap_or("");
                let obj = a.field("object").map(|o| self.text(o)).unwrap_or("");
                let args = a.field("arguments");
                if matches!(
                    (obj, name),
                    ("List" | "Set" | "Stream", "of") | ("Arrays", "asList")
                ) {
                    if let Some(l) = args {
                        return self.list_of(l, scope, depth);
                    }
                }
                let callee = self.call_callee(a, scope);
                let inner = if depth < 3 {
                    args.map(|l| self.args_d(l, scope, depth + 1))
                        .unwrap_or_default()
                } else {
                    vec![]
                };
                Arg::Call(callee, inner)
            }
            "object_creation_expression" => {
                let Some(raw) = a.field("type").and_then(|t| self.type_raw(t, false)) else {
                    return Arg::Other;
                };
                let callee = self.resolve(scope, &raw);
                let inner = if depth < 3 {
                    a.field("arguments")
                        .map(|l| self.args_d(l, scope, depth + 1))
                        .unwrap_or_default()
                } else {
                    vec![]
                };
                Arg::Call(callee, inner)
            }
            "this" => Arg::Path(Callee::SelfMember {
                class: self.scopes.class_of(scope),
                path: vec![],
            }),
            _ => Arg::Other,
        }
    }

    fn args_d(&self, list: Node, scope: ScopeId, depth: u32) -> Vec<Arg> {
        let mut c = list.walk();
        list.named_children(&mut c)
            .filter(|x| !matches!(x.kind(), "line_comment" | "block_comment"))
            .take(12)
            .map(|x| self.arg(x, scope, depth))
            .collect()
    }
}
