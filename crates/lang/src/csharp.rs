//! C# adapter (tree-sitter-c-sharp), following docs/languages.md.
//!
//! Two passes like python.rs: `declare` records definitions, usings, locals,
//! parameters and class members; `emit` resolves references. Members of a
//! class are declared in the class body's scope as opaque markers: a bare name
//! found there resolves to `Callee::SelfMember` (fields, properties, methods,
//! primary-constructor parameters).
//!
//! `unsafe` blocks, methods and types are reported as a pseudo reference
//! `Import { module: "csharp", path: ["unsafe"] }` (catalogue row `csharp.unsafe`).

use crate::ir::*;
use crate::scope::{Binding, RawPath, Root, ScopeId, Scopes};
use crate::text::{FieldExt, Src};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use tree_sitter::{Node, Tree};

const MAX_DEPTH: u32 = 200;

pub fn extract(tree: &Tree, src: &str) -> FileFacts {
    let mut cx = Cx {
        src: Src(src),
        scopes: Scopes::default(),
        facts: FileFacts::default(),
        scope_of: HashMap::default(),
        def_of: HashMap::default(),
        class_body: HashMap::default(),
        members: HashSet::default(),
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
    cx.facts
}

const TYPE_DECLS: &[&str] = &[
    "class_declaration",
    "struct_declaration",
    "interface_declaration",
    "record_declaration",
    "record_struct_declaration",
    "enum_declaration",
];

const METHOD_DECLS: &[&str] = &[
    "method_declaration",
    "constructor_declaration",
    "local_function_statement",
    "destructor_declaration",
    "operator_declaration",
    "conversion_operator_declaration",
];

const PREDEFINED: &[&str] = &[
    "string", "int", "long", "bool", "double", "float", "decimal", "object", "byte", "char",
    "short", "uint", "ulong", "ushort", "sbyte", "void", "dynamic", "var", "nint", "nuint",
];

struct Cx<'t> {
    /// Result types of methods, resolved after the walks.
    results: Vec<(DefId, RawPath, ScopeId)>,
    src: Src<'t>,
    scopes: Scopes,
    facts: FileFacts,
    scope_of: HashMap<usize, ScopeId>,
    def_of: HashMap<usize, DefId>,
    /// Class body scopes and their class.
    class_body: HashMap<ScopeId, DefId>,
    /// (scope, name) of class members declared as markers.
    members: HashSet<(ScopeId, String)>,
    /// The single initializer of a local: (declaring scope, name) → value node.
    inits: HashMap<(ScopeId, String), Node<'t>>,
    top: ScopeId,
}

fn unwrap(mut n: Node) -> Node {
    for _ in 0..64 {
        match n.kind() {
            "parenthesized_expression"
            | "await_expression"
            | "postfix_unary_expression"
            | "checked_expression" => {
                match n.named_child(n.named_child_count().saturating_sub(1)) {
                    Some(c) => n = c,
                    None => break,
                }
            }
            "cast_expression" => match n.field("value") {
                Some(c) => n = c,
                None => break,
            },
            _ => break,
        }
    }
    n
}

fn line(n: Node) -> u32 {
    n.start_position().row as u32 + 1
}

impl<'t> Cx<'t> {
    fn text(&self, n: Node) -> &'t str {
        self.src.text(n)
    }

    fn new_def(&mut self, name: String, kind: DefKind, node: Node, parent: Option<DefId>) -> DefId {
        let id = self.facts.add_def(
            name,
            kind,
            line(node),
            node.end_position().row as u32 + 1,
            parent,
        );
        self.def_of.insert(node.id(), id);
        id
    }

    fn has_modifier(&self, n: Node<'t>, m: &str) -> Option<Node<'t>> {
        let mut c = n.walk();
        let found = n
            .children(&mut c)
            .find(|ch| ch.kind() == "modifier" && self.text(*ch) == m);
        found
    }

    fn declare_member(&mut self, scope: ScopeId, name: &str) {
        if self.class_body.contains_key(&scope) {
            self.scopes.declare(scope, name, Binding::Opaque);
            self.members.insert((scope, name.to_string()));
        }
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
        let kind = node.kind();
        match kind {
            "using_directive" => {
                self.declare_using(node, scope);
                return;
            }
            "namespace_declaration" | "file_scoped_namespace_declaration" => {
                if let Some(n) = node.field("name") {
                    let name: String = self.text(n).split_whitespace().collect();
                    // A nested block namespace extends the enclosing one.
                    let full = match (&self.facts.package, kind, node.parent()) {
                        (Some(outer), "namespace_declaration", Some(p))
                            if p.kind() == "declaration_list" =>
                        {
                            format!("{outer}.{name}")
                        }
                        _ => name,
                    };
                    if self.facts.package.is_none() || kind == "namespace_declaration" {
                        self.facts.package = Some(full);
                    }
                }
            }
            k if TYPE_DECLS.contains(&k) => {
                let name = node
                    .field("name")
                    .map(|n| self.text(n).to_string())
                    .unwrap_or_default();
                let def = self.new_def(name.clone(), DefKind::Class, node, class.or(cur));
                self.scopes.declare(scope, &name, Binding::Def(def));
                if class.is_none() && cur.is_none() {
                    self.facts.exports.push(Export::Local {
                        name: name.clone(),
                        target: Callee::Def { def, path: vec![] },
                    });
                }
                let body = self.scopes.new_scope(Some(scope), Some(def));
                self.class_body.insert(body, def);
                self.scope_of.insert(node.id(), body);
                // Primary constructor parameters are fields of the type.
                let mut c = node.walk();
                let plist = node
                    .children(&mut c)
                    .find(|ch| ch.kind() == "parameter_list");
                if let Some(pl) = plist {
                    let names = self.param_names(pl);
                    for n in &names {
                        self.declare_member(body, n);
                    }
                    self.facts.defs[def as usize].params = names;
                }
                let mut c = node.walk();
                for ch in node.named_children(&mut c) {
                    if ch.kind() != "attribute_list" && ch.kind() != "parameter_list" {
                        self.declare(ch, body, Some(def), Some(def), depth + 1);
                    }
                }
                return;
            }
            k if METHOD_DECLS.contains(&k) => {
                let name = if k == "constructor_declaration" {
                    "constructor".to_string()
                } else {
                    node.field("name")
                        .map(|n| self.text(n).to_string())
                        .unwrap_or_default()
                };
                let local = k == "local_function_statement";
                let (dk, parent) = if local || class.is_none() {
                    (DefKind::Function, cur)
                } else {
                    (DefKind::Method, class)
                };
                let def = self.new_def(name.clone(), dk, node, parent);
                // The declared result type (`HttpClient Client()`), resolved after the walks.
                if let Some(raw) = node
                    .field("returns")
                    .or_else(|| node.field("type"))
                    .and_then(|t| self.type_raw(t))
                {
                    self.results.push((def, raw, scope));
                }
                if local || class.is_none() {
                    self.scopes.declare(scope, &name, Binding::Def(def));
                } else {
                    self.declare_member(scope, &name);
                }
                let inner = self.scopes.new_scope(Some(scope), None);
                self.scope_of.insert(node.id(), inner);
                if let Some(p) = node.field("parameters") {
                    self.facts.defs[def as usize].params = self.param_names(p);
                    self.declare_params(p, inner);
                }
                let mut c = node.walk();
                for ch in node.named_children(&mut c) {
                    if !matches!(ch.kind(), "attribute_list" | "parameter_list") {
                        self.declare(ch, inner, Some(def), None, depth + 1);
                    }
                }
                return;
            }
            "lambda_expression" | "anonymous_method_expression" => {
                let def = self.new_def(String::new(), DefKind::Anonymous, node, cur);
                let inner = self.scopes.new_scope(Some(scope), None);
                self.scope_of.insert(node.id(), inner);
                if let Some(p) = node.field("parameters") {
                    if p.kind() == "implicit_parameter" || p.kind() == "identifier" {
                        let n = self.text(p).to_string();
                        self.scopes.declare(inner, &n, Binding::Opaque);
                        self.facts.defs[def as usize].params = vec![n];
                    } else {
                        self.facts.defs[def as usize].params = self.param_names(p);
                        self.declare_params(p, inner);
                    }
                }
                let mut c = node.walk();
                for ch in node.named_children(&mut c) {
                    if ch.kind() == "parameter_list" {
                        if node.field("parameters").is_none() {
                            self.facts.defs[def as usize].params = self.param_names(ch);
                            self.declare_params(ch, inner);
                        }
                        continue;
                    }
                    self.declare(ch, inner, Some(def), None, depth + 1);
                }
                return;
            }
            "field_declaration" | "event_field_declaration" => {
                let is_const = self.has_modifier(node, "const").is_some()
                    || (self.has_modifier(node, "static").is_some()
                        && self.has_modifier(node, "readonly").is_some());
                let mut c = node.walk();
                for vd in node.named_children(&mut c) {
                    if vd.kind() != "variable_declaration" {
                        continue;
                    }
                    let mut c2 = vd.walk();
                    for d in vd.named_children(&mut c2) {
                        if d.kind() != "variable_declarator" {
                            continue;
                        }
                        let Some(n) = d.field("name") else { continue };
                        let name = self.text(n).to_string();
                        self.declare_member(scope, &name);
                        if let (true, Some(cl), Some(v)) = (is_const, class, self.init_of(d)) {
                            if let Some(s) = self.plain_string(v) {
                                let cname = self.facts.defs[cl as usize].name.clone();
                                self.facts.consts.push((format!("{cname}.{name}"), s));
                            }
                        }
                        if let Some(v) = self.init_of(d) {
                            self.declare(v, scope, cur, None, depth + 1);
                        }
                    }
                }
                return;
            }
            "property_declaration" | "event_declaration" | "indexer_declaration" => {
                if let Some(n) = node.field("name") {
                    let name = self.text(n).to_string();
                    self.declare_member(scope, &name);
                }
            }
            "enum_member_declaration" => {
                if let Some(n) = node.field("name") {
                    let name = self.text(n).to_string();
                    self.declare_member(scope, &name);
                }
                return;
            }
            "variable_declaration" => {
                let ty = node.field("type");
                let mut c = node.walk();
                for d in node.named_children(&mut c) {
                    if d.kind() != "variable_declarator" {
                        continue;
                    }
                    let Some(n) = d.field("name") else { continue };
                    let name = self.text(n);
                    let init = self.init_of(d);
                    let b = self.binding_for(ty, init, scope);
                    self.scopes.declare(scope, name, b);
                    if let Some(v) = init {
                        self.inits.insert((scope, name.to_string()), unwrap(v));
                    }
                }
            }
            "foreach_statement" => {
                if let Some(l) = node.field("left") {
                    self.declare_pattern(l, scope);
                }
            }
            "catch_declaration" => {
                if let Some(n) = node.field("name") {
                    self.scopes.declare(scope, self.text(n), Binding::Opaque);
                }
            }
            "declaration_expression" | "declaration_pattern" => {
                if let Some(n) = node.field("name") {
                    let b = match node.field("type").and_then(|t| self.type_raw(t)) {
                        Some(raw) => Binding::Instance(raw, scope),
                        None => Binding::Opaque,
                    };
                    self.scopes.declare(scope, self.text(n), b);
                }
            }
            _ => {}
        }
        let mut c = node.walk();
        for child in node.named_children(&mut c) {
            self.declare(child, scope, cur, class, depth + 1);
        }
    }

    fn declare_pattern(&mut self, l: Node, scope: ScopeId) {
        match l.kind() {
            "identifier" => self.scopes.declare(scope, self.text(l), Binding::Opaque),
            _ => {
                let mut c = l.walk();
                let ids: Vec<Node> = l
                    .named_children(&mut c)
                    .filter(|x| x.kind() == "identifier")
                    .collect();
                for id in ids {
                    self.scopes.declare(scope, self.text(id), Binding::Opaque);
                }
            }
        }
    }

    fn declare_using(&mut self, node: Node, scope: ScopeId) {
        let mut c = node.walk();
        let mut is_static = false;
        let mut target = None;
        for ch in node.children(&mut c) {
            match ch.kind() {
                "static" => is_static = true,
                "qualified_name" | "identifier" | "generic_name" | "alias_qualified_name"
                    if node.field("name").map(|n| n.id()) != Some(ch.id()) =>
                {
                    target = Some(ch)
                }
                _ => {}
            }
        }
        let Some(t) = target else { return };
        let full: String = self
            .text(t)
            .trim_start_matches("global::")
            .split_whitespace()
            .collect();
        self.facts.imports.push(full.clone());
        match node.field("name") {
            Some(alias) => {
                let (module, path) = match full.rsplit_once('.') {
                    Some((m, last)) => (m.to_string(), vec![last.to_string()]),
                    None => (full.clone(), vec![]),
                };
                self.scopes
                    .declare(scope, self.text(alias), Binding::Import { module, path });
            }
            None => {
                let _ = is_static;
                self.facts.star_imports.push(full);
            }
        }
    }

    fn init_of(&self, declarator: Node<'t>) -> Option<Node<'t>> {
        if let Some(v) = declarator.field("value") {
            return Some(v);
        }
        // `name = value`: the value is the last named child after `=`.
        let mut c = declarator.walk();
        let mut after_eq = false;
        let mut found = None;
        for ch in declarator.children(&mut c) {
            if after_eq && ch.is_named() {
                found = Some(ch);
            }
            if ch.kind() == "=" {
                after_eq = true;
            }
        }
        found
    }

    fn binding_for(&self, ty: Option<Node>, init: Option<Node>, scope: ScopeId) -> Binding {
        let declared = ty.and_then(|t| self.type_raw(t));
        if let Some(v) = init.map(unwrap) {
            match v.kind() {
                "object_creation_expression" => {
                    if let Some(raw) = v.field("type").and_then(|t| self.type_raw(t)) {
                        return Binding::Instance(raw, scope);
                    }
                }
                "implicit_object_creation_expression" => {
                    if let Some(raw) = declared {
                        return Binding::Instance(raw, scope);
                    }
                }
                _ if declared.is_some() => {}
                "invocation_expression" => {
                    if let Some(raw) = v.field("function").and_then(|f| self.raw_path(f, scope)) {
                        return Binding::Instance(raw, scope);
                    }
                }
                "string_literal" | "verbatim_string_literal" | "raw_string_literal" => {
                    if let Some(s) = self.plain_string(v) {
                        return Binding::Const(s);
                    }
                }
                "identifier" | "member_access_expression" => {
                    if let Some(raw) = self.raw_path(v, scope) {
                        return Binding::Alias(raw, scope);
                    }
                }
                _ => {}
            }
        }
        match declared {
            Some(raw) => Binding::Instance(raw, scope),
            None => Binding::Opaque,
        }
    }

    fn param_names(&self, p: Node) -> Vec<String> {
        let mut c = p.walk();
        let names = p
            .named_children(&mut c)
            .filter(|x| x.kind() == "parameter")
            .map(|x| {
                x.field("name")
                    .map(|n| self.text(n).to_string())
                    .unwrap_or_default()
            })
            .collect();
        names
    }

    fn declare_params(&mut self, p: Node, scope: ScopeId) {
        let mut c = p.walk();
        for x in p.named_children(&mut c) {
            if x.kind() != "parameter" {
                continue;
            }
            let Some(n) = x.field("name") else { continue };
            let b = match x.field("type").and_then(|t| self.type_raw(t)) {
                Some(raw) => Binding::Instance(raw, scope),
                None => Binding::Opaque,
            };
            self.scopes.declare(scope, self.text(n), b);
        }
    }

    /// The class a type names (`HttpClient`, `Http.HttpClient`, `ILogger<T>`, `HttpClient?`),
    /// `None` for predefined, array, tuple and pointer types.
    fn type_raw(&self, t: Node) -> Option<RawPath> {
        self.type_raw_d(t, 0)
    }

    fn type_raw_d(&self, t: Node, depth: u32) -> Option<RawPath> {
        if depth > 32 {
            return None;
        }
        match t.kind() {
            "identifier" => {
                let name = self.text(t);
                if PREDEFINED.contains(&name) {
                    return None;
                }
                Some(RawPath {
                    root: Root::Name(name.to_string()),
                    members: vec![],
                })
            }
            "generic_name" => {
                let id = t.named_child(0)?;
                self.type_raw_d(id, depth + 1)
            }
            "nullable_type" => self.type_raw_d(t.field("type").or(t.named_child(0))?, depth + 1),
            "qualified_name" => {
                let mut p = self.type_raw_d(t.field("qualifier")?, depth + 1)?;
                let name = t.field("name")?;
                let n = if name.kind() == "generic_name" {
                    name.named_child(0)?
                } else {
                    name
                };
                p.members.push(self.text(n).to_string());
                Some(p)
            }
            "alias_qualified_name" => self.type_raw_d(t.field("name")?, depth + 1),
            _ => None,
        }
    }

    /// A type resolved past class-member markers (a property named like its type).
    fn resolve_type(&self, scope: ScopeId, raw: &RawPath) -> Callee {
        if let Root::Name(n) = &raw.root {
            let mut s = Some(scope);
            while let Some(id) = s {
                let sc = &self.scopes.scopes[id as usize];
                if let Some(b) = sc.bindings.get(n) {
                    if matches!(b, Binding::Import { .. } | Binding::Def(_)) {
                        return self.scopes.resolve(id, raw);
                    }
                }
                s = sc.parent;
            }
            let mut path = vec![n.clone()];
            path.extend(raw.members.iter().cloned());
            return Callee::Global { path };
        }
        self.scopes.resolve(scope, raw)
    }

    fn plain_string(&self, v: Node) -> Option<String> {
        match self.string_arg(v)? {
            Arg::Str(s) => Some(s),
            _ => None,
        }
    }

    /// String literals of every form: `"x"`, `@"x"`, `"""x"""`, `$"x{y}"` (a prefix).
    fn string_arg(&self, v: Node) -> Option<Arg> {
        match v.kind() {
            "string_literal" => {
                let mut s = String::new();
                let mut c = v.walk();
                for ch in v.named_children(&mut c) {
                    match ch.kind() {
                        "string_literal_content" => s.push_str(self.text(ch)),
                        "escape_sequence" => s.push_str(unescape(self.text(ch))),
                        _ => {}
                    }
                }
                Some(Arg::Str(s))
            }
            "verbatim_string_literal" => {
                let t = self.text(v);
                let body = t.trim_start_matches('@').trim_start_matches('"');
                let body = body.strip_suffix('"').unwrap_or(body);
                Some(Arg::Str(body.replace("\"\"", "\"")))
            }
            "raw_string_literal" => {
                let mut c = v.walk();
                let s: String = v
                    .named_children(&mut c)
                    .filter(|ch| ch.kind() == "raw_string_content")
                    .map(|ch| self.text(ch))
                    .collect();
                Some(Arg::Str(s.trim_matches('\n').to_string()))
            }
            "interpolated_string_expression" => {
                let mut s = String::new();
                let mut c = v.walk();
                for ch in v.named_children(&mut c) {
                    match ch.kind() {
                        "string_content" | "interpolated_verbatim_string_text" => {
                            s.push_str(self.text(ch))
                        }
                        "escape_sequence" => s.push_str(unescape(self.text(ch))),
                        "interpolation" => {
                            return Some(if s.is_empty() {
                                Arg::Other
                            } else {
                                Arg::Prefix(s)
                            })
                        }
                        _ => {}
                    }
                }
                Some(Arg::Str(s))
            }
            _ => None,
        }
    }

    /// An access path as written.
    fn raw_path(&self, n: Node, scope: ScopeId) -> Option<RawPath> {
        self.raw_path_d(n, scope, 0)
    }

    #[allow(clippy::only_used_in_recursion)]
    fn raw_path_d(&self, n: Node, scope: ScopeId, depth: u32) -> Option<RawPath> {
        if depth > 64 {
            return None;
        }
        let n = unwrap(n);
        match n.kind() {
            "identifier" => Some(RawPath {
                root: Root::Name(self.text(n).to_string()),
                members: vec![],
            }),
            "generic_name" => self.raw_path_d(n.named_child(0)?, scope, depth + 1),
            "predefined_type" => Some(RawPath {
                root: Root::Name(self.text(n).to_string()),
                members: vec![],
            }),
            "this" | "this_expression" => Some(RawPath {
                root: Root::This,
                members: vec![],
            }),
            "base" | "base_expression" => Some(RawPath {
                root: Root::This,
                members: vec!["<super>".into()],
            }),
            "member_access_expression" | "qualified_name" => {
                let obj = n.field("expression").or(n.field("qualifier"))?;
                let mut p = self.raw_path_d(obj, scope, depth + 1)?;
                let name = n.field("name")?;
                let name = if name.kind() == "generic_name" {
                    name.named_child(0)?
                } else {
                    name
                };
                p.members.push(self.text(name).to_string());
                Some(p)
            }
            "alias_qualified_name" => self.raw_path_d(n.field("name")?, scope, depth + 1),
            "conditional_access_expression" => {
                let mut p = self.raw_path_d(n.field("condition")?, scope, depth + 1)?;
                let mut c = n.walk();
                let mb = n
                    .named_children(&mut c)
                    .find(|x| x.kind() == "member_binding_expression")?;
                let name = mb.field("name")?;
                let name = if name.kind() == "generic_name" {
                    name.named_child(0)?
                } else {
                    name
                };
                p.members.push(self.text(name).to_string());
                Some(p)
            }
            "invocation_expression" => {
                let mut p = self.raw_path_d(n.field("function")?, scope, depth + 1)?;
                p.members.push("()".into());
                Some(p)
            }
            "object_creation_expression" => {
                let mut p = self.type_raw(n.field("type")?)?;
                p.members.push("()".into());
                Some(p)
            }
            "element_access_expression" => {
                let mut p = self.raw_path_d(n.field("expression")?, scope, depth + 1)?;
                p.members.push("[]".into());
                Some(p)
            }
            _ => None,
        }
    }

    /// Resolve a path: a bare name declared as a member of an enclosing class is `SelfMember`.
    fn resolve(&self, scope: ScopeId, raw: &RawPath) -> Callee {
        if let Root::Name(n) = &raw.root {
            if let Some((_, found)) = self.scopes.lookup(scope, n) {
                if let Some(&class) = self.class_body.get(&found) {
                    if self.members.contains(&(found, n.clone())) {
                        let mut path = vec![n.clone()];
                        path.extend(raw.members.iter().cloned());
                        return Callee::SelfMember {
                            class: Some(class),
                            path,
                        };
                    }
                }
            }
        }
        // Locals bound to instances/aliases are resolved through scopes.
        let c = self.scopes.resolve(scope, raw);
        self.fix_self(c, scope)
    }

    /// Aliases and instances bound to a class member (`var c = _http;`) resolve to the member.
    fn fix_self(&self, c: Callee, scope: ScopeId) -> Callee {
        if let Callee::Global { path } = &c {
            if let Some(first) = path.first() {
                if let Some((_, found)) = self.scopes.lookup(scope, first) {
                    if let Some(&class) = self.class_body.get(&found) {
                        if self.members.contains(&(found, first.clone())) {
                            return Callee::SelfMember {
                                class: Some(class),
                                path: path.clone(),
                            };
                        }
                    }
                }
            }
        }
        c
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
        let kind = node.kind();
        let (scope, cur) = match (self.scope_of.get(&node.id()), self.def_of.get(&node.id())) {
            (Some(s), d) => (*s, d.copied().or(cur)),
            (None, d) => (scope, d.copied().or(cur)),
        };
        match kind {
            "using_directive" => return,
            "attribute_list" => {
                let parent = node.parent();
                let target = parent.and_then(|p| self.def_of.get(&p.id()).copied());
                if parent.map(|p| p.kind() == "parameter").unwrap_or(false) {
                    return;
                }
                let in_def = target
                    .filter(|d| self.facts.defs[*d as usize].kind != DefKind::Class)
                    .or(cur);
                let mut c = node.walk();
                for a in node.named_children(&mut c) {
                    if a.kind() == "attribute" {
                        self.emit_attribute(a, scope, in_def, labels, target);
                    }
                }
                return;
            }
            k if TYPE_DECLS.contains(&k) => self.emit_type_decl(node, scope, cur, labels),
            k if METHOD_DECLS.contains(&k) => {
                if let Some(m) = self.has_modifier(node, "unsafe") {
                    self.push_unsafe(m, cur, labels);
                }
            }
            "unsafe_statement" => {
                let kw = node.child(0).unwrap_or(node);
                self.push_unsafe(kw, cur, labels);
            }
            "field_declaration" | "property_declaration" => self.emit_fields(node, scope),
            "invocation_expression" => {
                // `nameof(x)` is a compile-time string.
                if node.field("function").map(|f| self.text(f)) == Some("nameof") {
                    return;
                }
                self.emit_call(node, scope, cur, labels);
                if let Some(f) = node.field("function") {
                    self.emit_chain_inner(f, scope, cur, labels, depth + 1);
                }
                if let Some(a) = node.field("arguments") {
                    self.emit(a, scope, cur, labels, depth + 1);
                }
                return;
            }
            "object_creation_expression" | "implicit_object_creation_expression" => {
                self.emit_new(node, scope, cur, labels);
            }
            "member_access_expression" => {
                // An assignment target is written, not read (`client.Timeout = ...`).
                let target = node
                    .parent()
                    .filter(|p| p.kind() == "assignment_expression")
                    .and_then(|p| p.field("left"))
                    .map(|l| l.id() == node.id())
                    .unwrap_or(false);
                if !target {
                    self.emit_access(node, scope, cur, labels);
                }
                self.emit_chain_inner(node, scope, cur, labels, depth + 1);
                return;
            }
            "switch_statement" => {
                self.emit_switch(node, scope, cur, labels, depth);
                return;
            }
            "switch_expression_arm" => {
                let mut found = vec![];
                let mut c = node.walk();
                let kids: Vec<Node> = node.named_children(&mut c).collect();
                if let Some(first) = kids.first() {
                    self.pattern_labels(*first, scope, &mut found, 0);
                }
                if !found.is_empty() {
                    for k in kids.iter().skip(1) {
                        self.emit(*k, scope, cur, &found, depth + 1);
                    }
                    return;
                }
            }
            "if_statement" => {
                if let Some(cond) = node.field("condition") {
                    let mut found = vec![];
                    self.eq_labels(cond, scope, &mut found, 0);
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
            _ => {}
        }
        let mut c = node.walk();
        for child in node.named_children(&mut c) {
            self.emit(child, scope, cur, labels, depth + 1);
        }
    }

    #[inline(never)]
    fn emit_switch(
        &mut self,
        node: Node<'t>,
        scope: ScopeId,
        cur: Option<DefId>,
        labels: &[String],
        depth: u32,
    ) {
        if let Some(v) = node.field("value") {
            self.emit(v, scope, cur, labels, depth + 1);
        }
        if let Some(body) = node.field("body") {
            let mut pending: Vec<String> = vec![];
            let mut c = body.walk();
            let sections: Vec<Node> = body
                .named_children(&mut c)
                .filter(|x| x.kind() == "switch_section")
                .collect();
            for sec in sections {
                let mut c2 = sec.walk();
                let kids: Vec<Node> = sec.named_children(&mut c2).collect();
                let mut has_stmt = false;
                for k in &kids {
                    if is_label(k.kind()) {
                        self.pattern_labels(*k, scope, &mut pending, 0);
                    } else {
                        has_stmt = true;
                    }
                }
                if !has_stmt {
                    continue; // falls through to the next section
                }
                let ls = if pending.is_empty() {
                    labels.to_vec()
                } else {
                    std::mem::take(&mut pending)
                };
                for k in kids {
                    if is_label(k.kind()) {
                        self.emit(k, scope, cur, labels, depth + 1);
                    } else {
                        self.emit(k, scope, cur, &ls, depth + 1);
                    }
                }
                pending.clear();
            }
        }
    }

    #[inline(never)]
    fn emit_fields(&mut self, node: Node<'t>, scope: ScopeId) {
        let kind = node.kind();
        if let Some(class) = self
            .scopes
            .class_of(scope)
            .filter(|_| self.class_body.contains_key(&scope))
        {
            if kind == "property_declaration" {
                if let (Some(n), Some(t)) = (node.field("name"), node.field("type")) {
                    let init = node.field("value");
                    self.push_field(class, n, t, init, scope);
                }
            } else {
                let mut c = node.walk();
                let vds: Vec<Node> = node
                    .named_children(&mut c)
                    .filter(|x| x.kind() == "variable_declaration")
                    .collect();
                for vd in vds {
                    let Some(t) = vd.field("type") else { continue };
                    let mut c2 = vd.walk();
                    let ds: Vec<Node> = vd
                        .named_children(&mut c2)
                        .filter(|x| x.kind() == "variable_declarator")
                        .collect();
                    for d in ds {
                        if let Some(n) = d.field("name") {
                            let init = self.init_of(d);
                            self.push_field(class, n, t, init, scope);
                        }
                    }
                }
            }
        }
    }

    #[inline(never)]
    fn emit_type_decl(
        &mut self,
        node: Node<'t>,
        scope: ScopeId,
        cur: Option<DefId>,
        labels: &[String],
    ) {
        if let Some(def) = self.def_of.get(&node.id()).copied() {
            let outer = self.scopes.scopes[scope as usize].parent.unwrap_or(scope);
            let mut c = node.walk();
            for ch in node.named_children(&mut c) {
                match ch.kind() {
                    "base_list" => {
                        let mut c2 = ch.walk();
                        for b in ch.named_children(&mut c2) {
                            let b = if b.kind() == "primary_constructor_base_type" {
                                match b.named_child(0) {
                                    Some(x) => x,
                                    None => continue,
                                }
                            } else {
                                b
                            };
                            if let Some(raw) = self.type_raw(b) {
                                let callee = self.resolve_type(outer, &raw);
                                self.facts.defs[def as usize].bases.push(callee);
                            }
                        }
                    }
                    "parameter_list" => {
                        let mut c2 = ch.walk();
                        for p in ch.named_children(&mut c2) {
                            if p.kind() != "parameter" {
                                continue;
                            }
                            if let (Some(n), Some(t)) = (p.field("name"), p.field("type")) {
                                self.push_field(def, n, t, None, scope);
                            }
                        }
                    }
                    "modifier" if self.text(ch) == "unsafe" => {
                        self.push_unsafe(ch, cur, labels);
                    }
                    _ => {}
                }
            }
        }
    }

    fn push_unsafe(&mut self, at: Node, cur: Option<DefId>, labels: &[String]) {
        let callee = Callee::Import {
            module: "csharp".into(),
            path: vec!["unsafe".into()],
        };
        self.push_ref(
            RefKind::Call,
            callee,
            at,
            Args::default(),
            cur,
            labels,
            None,
        );
    }

    /// A typed field, property or primary-constructor parameter: `value` = type + `()`.
    fn push_field(
        &mut self,
        class: DefId,
        name: Node,
        ty: Node,
        init: Option<Node>,
        scope: ScopeId,
    ) {
        // `IFoo x = new Foo()`: the constructed class is the better type.
        let raw = init
            .map(unwrap)
            .filter(|v| v.kind() == "object_creation_expression")
            .and_then(|v| v.field("type"))
            .and_then(|t| self.type_raw(t))
            .or_else(|| self.type_raw(ty));
        let Some(mut raw) = raw else { return };
        raw.members.push("()".into());
        let value = self.resolve_type(scope, &raw);
        self.facts.fields.push(Field {
            class,
            name: self.text(name).to_string(),
            value,
        });
    }

    fn emit_attribute(
        &mut self,
        a: Node<'t>,
        scope: ScopeId,
        cur: Option<DefId>,
        labels: &[String],
        target: Option<DefId>,
    ) {
        let Some(n) = a.field("name") else { return };
        let Some(mut raw) = self.type_raw(n) else {
            return;
        };
        // `[McpServerToolAttribute]` is `[McpServerTool]`.
        let strip = |s: &mut String| {
            if s.len() > 9 && s.ends_with("Attribute") {
                s.truncate(s.len() - 9);
            }
        };
        match raw.members.last_mut() {
            Some(m) => strip(m),
            None => {
                if let Root::Name(r) = &mut raw.root {
                    strip(r)
                }
            }
        }
        let callee = self.resolve_type(scope, &raw);
        let mut args = Args::default();
        let mut c = a.walk();
        let list = a
            .named_children(&mut c)
            .find(|x| x.kind() == "attribute_argument_list");
        if let Some(list) = list {
            let mut c2 = list.walk();
            for arg in list.named_children(&mut c2) {
                if arg.kind() != "attribute_argument" {
                    continue;
                }
                let Some(v) = arg.named_child(arg.named_child_count().saturating_sub(1)) else {
                    continue;
                };
                let name = arg.field("name").or_else(|| {
                    arg.named_child(0)
                        .filter(|x| matches!(x.kind(), "name_equals" | "name_colon"))
                });
                let val = self.arg(v, scope, 0);
                match name.filter(|x| x.id() != v.id()) {
                    Some(k) => {
                        let k = if k.kind() == "identifier" {
                            k
                        } else {
                            k.named_child(0).unwrap_or(k)
                        };
                        args.kw.push((self.text(k).to_string(), val));
                    }
                    None => args.pos.push(val),
                }
            }
        }
        self.push_ref(RefKind::Call, callee, n, args, cur, labels, target);
        if let Some(list) = list {
            self.emit(list, scope, cur, labels, 1);
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

    fn emit_call(&mut self, node: Node, scope: ScopeId, cur: Option<DefId>, labels: &[String]) {
        let Some(f) = node.field("function") else {
            return;
        };
        let args = node
            .field("arguments")
            .map(|a| self.args(a, scope))
            .unwrap_or_default();
        let callee = match self.raw_path(f, scope) {
            Some(raw) => self.resolve(scope, &raw),
            None => Callee::Dynamic {
                member: (f.kind() == "member_access_expression")
                    .then(|| f.field("name").map(|a| self.text(a).to_string()))
                    .flatten(),
            },
        };
        self.push_ref(RefKind::Call, callee, f, args, cur, labels, None);
    }

    fn new_type(&self, node: Node, scope: ScopeId) -> Option<Callee> {
        let raw = if node.kind() == "object_creation_expression" {
            self.type_raw(node.field("type")?)?
        } else {
            // `new()`: the declared type of the variable, field or property.
            let mut p = node.parent()?;
            if p.kind() == "equals_value_clause" {
                p = p.parent()?;
            }
            let ty = match p.kind() {
                "variable_declarator" => p.parent()?.field("type")?,
                "property_declaration" => p.field("type")?,
                _ => return None,
            };
            self.type_raw(ty)?
        };
        Some(self.resolve_type(scope, &raw))
    }

    fn emit_new(&mut self, node: Node, scope: ScopeId, cur: Option<DefId>, labels: &[String]) {
        let Some(callee) = self.new_type(node, scope) else {
            return;
        };
        let args = self.new_args(node, scope, 0);
        self.push_ref(RefKind::New, callee, node, args, cur, labels, None);
    }

    /// Constructor arguments, then the object initializer as an `Arg::Obj`.
    fn new_args(&self, node: Node, scope: ScopeId, depth: u32) -> Args {
        // `new() { Name = "x" }` (target-typed) names neither part by field.
        let child = |kind: &str| {
            let mut c = node.walk();
            let found = node.named_children(&mut c).find(|x| x.kind() == kind);
            found
        };
        let mut args = node
            .field("arguments")
            .or_else(|| child("argument_list"))
            .map(|a| self.args_d(a, scope, depth))
            .unwrap_or_default();
        if let Some(init) = node
            .field("initializer")
            .or_else(|| child("initializer_expression"))
        {
            let props = self.init_props(init, scope, depth + 1);
            if !props.is_empty() {
                args.pos.push(Arg::Obj(props));
            }
        }
        args
    }

    fn init_props(&self, init: Node, scope: ScopeId, depth: u32) -> Vec<(String, Arg)> {
        let mut out = vec![];
        let mut c = init.walk();
        for a in init.named_children(&mut c) {
            if a.kind() != "assignment_expression" {
                continue;
            }
            if let (Some(l), Some(r)) = (a.field("left"), a.field("right")) {
                if l.kind() == "identifier" {
                    out.push((self.text(l).to_string(), self.arg(r, scope, depth)));
                }
            }
            if out.len() >= 64 {
                break;
            }
        }
        out
    }

    fn emit_access(&mut self, node: Node, scope: ScopeId, cur: Option<DefId>, labels: &[String]) {
        // Assignment targets and `nameof(...)` operands are not reads.
        let Some(raw) = self.raw_path(node, scope) else {
            return;
        };
        if raw.members.is_empty() {
            return;
        }
        let callee = self.resolve(scope, &raw);
        if !matches!(callee, Callee::Import { .. } | Callee::Global { .. }) {
            return;
        }
        self.push_ref(
            RefKind::Access,
            callee,
            node,
            Args::default(),
            cur,
            labels,
            None,
        );
    }

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
            "member_access_expression" => {
                // `Environment.OSVersion.ToString()`: the inner read counts too.
                if depth > 0 && n.parent().map(|p| p.kind()) == Some("member_access_expression") {
                    self.emit_access(n, scope, cur, labels);
                }
                if let Some(o) = n.field("expression") {
                    self.emit_chain_inner(o, scope, cur, labels, depth + 1);
                }
            }
            "conditional_access_expression" => {
                if let Some(o) = n.field("condition") {
                    self.emit_chain_inner(o, scope, cur, labels, depth + 1);
                }
            }
            "element_access_expression" => {
                if let Some(o) = n.field("expression") {
                    self.emit_chain_inner(o, scope, cur, labels, depth + 1);
                }
                let mut c = n.walk();
                let rest: Vec<Node> = n
                    .named_children(&mut c)
                    .filter(|x| x.kind() == "bracketed_argument_list")
                    .collect();
                for r in rest {
                    self.emit(r, scope, cur, labels, depth + 1);
                }
            }
            "identifier" | "generic_name" | "this" | "base" | "predefined_type" => {}
            _ => self.emit(n, scope, cur, labels, depth + 1),
        }
    }

    fn args(&self, list: Node, scope: ScopeId) -> Args {
        self.args_d(list, scope, 0)
    }

    fn args_d(&self, list: Node, scope: ScopeId, depth: u32) -> Args {
        let mut out = Args::default();
        let mut c = list.walk();
        for a in list.named_children(&mut c) {
            if a.kind() != "argument" {
                continue;
            }
            let Some(v) = a.named_child(a.named_child_count().saturating_sub(1)) else {
                continue;
            };
            let name = a.field("name").filter(|n| n.id() != v.id()).or_else(|| {
                a.named_child(0)
                    .filter(|x| x.kind() == "name_colon")
                    .and_then(|x| x.named_child(0))
            });
            let val = self.arg(v, scope, depth);
            match name {
                Some(n) => out.kw.push((self.text(n).to_string(), val)),
                None => out.pos.push(val),
            }
            if out.pos.len() + out.kw.len() >= 12 {
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
        if let Some(s) = self.string_arg(a) {
            return s;
        }
        match a.kind() {
            "boolean_literal" => Arg::Bool(self.text(a) == "true"),
            "integer_literal" | "real_literal" => Arg::Num,
            "lambda_expression" | "anonymous_method_expression" => self
                .def_of
                .get(&a.id())
                .map(|d| Arg::Func(*d))
                .unwrap_or(Arg::Other),
            "identifier" => {
                let name = self.text(a);
                if let Some(s) = self.scopes.const_str(scope, name) {
                    return Arg::Str(s);
                }
                // A local assigned once from a call or a construction: that value.
                if let Some((_, found)) = self.scopes.lookup(scope, name) {
                    if let Some(v) = self.inits.get(&(found, name.to_string())) {
                        if matches!(
                            v.kind(),
                            "invocation_expression"
                                | "object_creation_expression"
                                | "anonymous_object_creation_expression"
                        ) {
                            return self.arg(*v, scope, depth + 1);
                        }
                    }
                }
                match self.raw_path(a, scope) {
                    Some(raw) => Arg::Path(self.resolve(scope, &raw)),
                    None => Arg::Other,
                }
            }
            "member_access_expression" | "generic_name" => match self.raw_path(a, scope) {
                Some(raw) => Arg::Path(self.resolve(scope, &raw)),
                None => Arg::Other,
            },
            "binary_expression" => {
                match (a.field("operator").map(|o| self.text(o)), a.field("left")) {
                    (Some("+"), Some(l)) => match self.arg(l, scope, depth + 1) {
                        Arg::Str(s) | Arg::Prefix(s) if !s.is_empty() => Arg::Prefix(s),
                        _ => Arg::Other,
                    },
                    _ => Arg::Other,
                }
            }
            "invocation_expression" => {
                let Some(f) = a.field("function") else {
                    return Arg::Other;
                };
                let callee = match self.raw_path(f, scope) {
                    Some(raw) => self.resolve(scope, &raw),
                    None => return Arg::Other,
                };
                let args = a
                    .field("arguments")
                    .map(|l| self.args_d(l, scope, depth + 1))
                    .unwrap_or_default();
                let mut pos = args.pos;
                if !args.kw.is_empty() {
                    pos.push(Arg::Obj(args.kw));
                }
                Arg::Call(callee, pos)
            }
            "object_creation_expression" | "implicit_object_creation_expression" => {
                let Some(callee) = self.new_type(a, scope) else {
                    let args = self.new_args(a, scope, depth + 1);
                    return args
                        .pos
                        .into_iter()
                        .find(|x| matches!(x, Arg::Obj(_)))
                        .unwrap_or(Arg::Other);
                };
                let args = self.new_args(a, scope, depth + 1);
                let mut pos = args.pos;
                if !args.kw.is_empty() {
                    pos.push(Arg::Obj(args.kw));
                }
                Arg::Call(callee, pos)
            }
            "anonymous_object_creation_expression" => {
                // `new { Name = "x", y }`: identifier `=` expression, or a projection.
                let mut out = vec![];
                let mut c = a.walk();
                let kids: Vec<Node> = a.children(&mut c).collect();
                let mut i = 0;
                while i + 2 < kids.len() {
                    if kids[i].kind() == "identifier" && kids[i + 1].kind() == "=" {
                        out.push((
                            self.text(kids[i]).to_string(),
                            self.arg(kids[i + 2], scope, depth + 1),
                        ));
                        i += 3;
                    } else {
                        i += 1;
                    }
                    if out.len() >= 64 {
                        break;
                    }
                }
                Arg::Obj(out)
            }
            "array_creation_expression"
            | "implicit_array_creation_expression"
            | "collection_expression"
            | "initializer_expression" => {
                let list = if a.kind() == "collection_expression"
                    || a.kind() == "initializer_expression"
                {
                    Some(a)
                } else {
                    let mut c = a.walk();
                    let found = a
                        .named_children(&mut c)
                        .find(|x| x.kind() == "initializer_expression");
                    found
                };
                let Some(list) = list else { return Arg::Other };
                let mut c = list.walk();
                let items = list
                    .named_children(&mut c)
                    .take(16)
                    .map(|x| {
                        let x = if x.kind() == "expression_element" {
                            x.named_child(0).unwrap_or(x)
                        } else {
                            x
                        };
                        self.arg(x, scope, depth + 1).as_str().map(str::to_string)
                    })
                    .collect();
                Arg::List(items)
            }
            _ => Arg::Other,
        }
    }

    /// Labels of a switch label / pattern: string constants, `or` patterns.
    fn pattern_labels(&self, n: Node, scope: ScopeId, out: &mut Vec<String>, depth: u32) {
        if depth > 8 {
            return;
        }
        match n.kind() {
            "case_switch_label"
            | "constant_pattern"
            | "or_pattern"
            | "parenthesized_pattern"
            | "case_pattern_switch_label" => {
                let mut c = n.walk();
                for ch in n.named_children(&mut c) {
                    self.pattern_labels(ch, scope, out, depth + 1);
                }
            }
            _ => {
                if let Some(s) = self.label_value(n, scope) {
                    out.push(s);
                }
            }
        }
    }

    fn label_value(&self, v: Node, scope: ScopeId) -> Option<String> {
        if let Some(s) = self.plain_string(v) {
            return Some(s);
        }
        match v.kind() {
            "identifier" => {
                if let Some(s) = self.scopes.const_str(scope, self.text(v)) {
                    return Some(s);
                }
                // A constant of the enclosing class.
                let class = self.scopes.class_of(scope)?;
                let key = format!("{}.{}", self.facts.defs[class as usize].name, self.text(v));
                self.const_lookup(&key)
            }
            "member_access_expression" => self.const_lookup(self.text(v)),
            _ => None,
        }
    }

    fn const_lookup(&self, key: &str) -> Option<String> {
        self.facts
            .consts
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, s)| s.clone())
    }

    /// `name == "x"`, `"x" == name`, `name.Equals("x")`, `string.Equals(name, "x")`, `||`.
    fn eq_labels(&self, n: Node, scope: ScopeId, out: &mut Vec<String>, depth: u32) {
        if depth > 8 {
            return;
        }
        let n = unwrap(n);
        match n.kind() {
            "binary_expression" => {
                let op = n.field("operator").map(|o| self.text(o)).unwrap_or("");
                let (Some(l), Some(r)) = (n.field("left"), n.field("right")) else {
                    return;
                };
                match op {
                    "||" => {
                        self.eq_labels(l, scope, out, depth + 1);
                        self.eq_labels(r, scope, out, depth + 1);
                    }
                    "==" => {
                        for x in [r, l] {
                            if let Some(s) = self.label_value(unwrap(x), scope) {
                                out.push(s);
                                return;
                            }
                        }
                    }
                    _ => {}
                }
            }
            "invocation_expression" => {
                let Some(f) = n.field("function") else { return };
                let name = f.field("name").map(|x| self.text(x)).unwrap_or("");
                if name != "Equals" {
                    return;
                }
                if let Some(list) = n.field("arguments") {
                    let mut c = list.walk();
                    for a in list.named_children(&mut c) {
                        if let Some(v) = a.named_child(a.named_child_count().saturating_sub(1)) {
                            if let Some(s) = self.label_value(v, scope) {
                                out.push(s);
                                return;
                            }
                        }
                    }
                }
            }
            "is_pattern_expression" => {
                if let Some(p) = n.field("pattern") {
                    self.pattern_labels(p, scope, out, depth + 1);
                }
            }
            _ => {}
        }
    }
}

fn is_label(kind: &str) -> bool {
    matches!(
        kind,
        "case_switch_label"
            | "case_pattern_switch_label"
            | "default_switch_label"
            | "constant_pattern"
            | "or_pattern"
            | "parenthesized_pattern"
            | "when_clause"
            | "discard"
            | "declaration_pattern"
            | "recursive_pattern"
            | "type_pattern"
            | "relational_pattern"
            | "and_pattern"
            | "not_pattern"
            | "var_pattern"
    )
}

fn unescape(e: &str) -> &str {
    match e {
        "\\\\" => "\\",
        "\\\"" => "\"",
        "\\'" => "'",
        "\\n" => "\n",
        "\\t" => "\t",
        "\\r" => "\r",
        "\\0" => "\0",
        _ => e,
    }
}
