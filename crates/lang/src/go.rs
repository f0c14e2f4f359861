//! Go adapter.
//!
//! Two passes like `python.rs`: the first declares every binding (imports,
//! package-level types and functions, locals, parameters, receivers), the
//! second emits references with their callees resolved through the scopes.

use crate::ir::*;
use crate::scope::{Binding, RawPath, Root, ScopeId, Scopes};
use crate::text::{FieldExt, Src};
use rustc_hash::FxHashMap as HashMap;
use tree_sitter::{Node, Tree};

const MAX_DEPTH: u32 = 400;

/// Predeclared functions: a call of one is no reference to anything.
const BUILTIN_FUNCS: &[&str] = &[
    "append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make", "max",
    "min", "new", "panic", "print", "println", "real", "recover",
];

/// Predeclared types: neither instances worth tracking nor references.
const BUILTIN_TYPES: &[&str] = &[
    "any",
    "bool",
    "byte",
    "comparable",
    "complex64",
    "complex128",
    "error",
    "float32",
    "float64",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "rune",
    "string",
    "uint",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "uintptr",
];

/// Node kinds that only name types: nothing in them runs.
fn is_type_node(kind: &str) -> bool {
    matches!(
        kind,
        "qualified_type"
            | "pointer_type"
            | "type_identifier"
            | "slice_type"
            | "array_type"
            | "implicit_length_array_type"
            | "map_type"
            | "channel_type"
            | "function_type"
            | "struct_type"
            | "interface_type"
            | "generic_type"
            | "negated_type"
            | "parameter_list"
            | "type_arguments"
            | "type_parameter_list"
            | "field_identifier"
            | "package_identifier"
    )
}

pub fn extract(tree: &Tree, src: &str) -> FileFacts {
    let root = tree.root_node();
    let mut cx = Cx {
        src: Src(src),
        scopes: Scopes::default(),
        facts: FileFacts::default(),
        scope_of: HashMap::default(),
        def_of: HashMap::default(),
        top: 0,
        receivers: HashMap::default(),
        values: HashMap::default(),
        results: vec![],
    };
    cx.top = cx.scopes.new_scope(None, None);
    // Package-level types first: methods and fields may name a type declared later.
    let mut c = root.walk();
    for child in root.named_children(&mut c) {
        if child.kind() == "type_declaration" {
            cx.declare_types(child, cx.top, None);
        }
    }
    cx.declare(root, cx.top, None, 0);
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

struct Cx<'a> {
    /// Result types of definitions, resolved after the walks.
    results: Vec<(DefId, RawPath, ScopeId)>,
    src: Src<'a>,
    scopes: Scopes,
    facts: FileFacts,
    scope_of: HashMap<usize, ScopeId>,
    def_of: HashMap<usize, DefId>,
    top: ScopeId,
    /// Method scopes and the name of their receiver (`s` in `func (s *Server) f()`).
    receivers: HashMap<ScopeId, String>,
    /// The single value a local was given (`None` once assigned twice).
    values: HashMap<(ScopeId, String), Option<Node<'a>>>,
}

fn unwrap(mut n: Node) -> Node {
    while n.kind() == "parenthesized_expression" {
        match n.named_child(0) {
            Some(c) => n = c,
            None => break,
        }
    }
    n
}

fn line_of(n: Node) -> u32 {
    n.start_position().row as u32 + 1
}

/// Append `"()"`: the value of a type is an instance of it.
fn instance_of(c: Callee) -> Callee {
    let push = |mut p: Vec<String>| {
        p.push("()".into());
        p
    };
    match c {
        Callee::Import { module, path } => Callee::Import {
            module,
            path: push(path),
        },
        Callee::Global { path } => Callee::Global { path: push(path) },
        Callee::Def { def, path } => Callee::Def {
            def,
            path: push(path),
        },
        Callee::SelfMember { class, path } => Callee::SelfMember {
            class,
            path: push(path),
        },
        Callee::Var { name, path } => Callee::Var {
            name,
            path: push(path),
        },
        d => d,
    }
}

impl<'a> Cx<'a> {
    fn new_def(&mut self, name: String, kind: DefKind, node: Node, parent: Option<DefId>) -> DefId {
        let id = self.facts.add_def(
            name,
            kind,
            line_of(node),
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

    /// `type X struct {...}` / `type ( A ...; B ... )`: one class definition each.
    fn declare_types(&mut self, node: Node, scope: ScopeId, cur: Option<DefId>) {
        let mut c = node.walk();
        for spec in node.named_children(&mut c) {
            if !matches!(spec.kind(), "type_spec" | "type_alias")
                || self.def_of.contains_key(&spec.id())
            {
                continue;
            }
            let Some(name) = spec.field("name") else {
                continue;
            };
            let name = self.text(name).to_string();
            let def = self.new_def(name.clone(), DefKind::Class, spec, cur);
            self.scopes.declare(scope, &name, Binding::Def(def));
            // An interface's methods, for their result types: `deps.GetClient(ctx)`
            // on a `ToolDependencies` value gives the `*github.Client` it declares.
            if let Some(iface) = spec.field("type").filter(|t| t.kind() == "interface_type") {
                let mut c2 = iface.walk();
                for m in iface
                    .named_children(&mut c2)
                    .filter(|m| m.kind() == "method_elem")
                {
                    let Some(mname) = m.field("name") else {
                        continue;
                    };
                    let md =
                        self.new_def(self.text(mname).to_string(), DefKind::Method, m, Some(def));
                    self.record_result(md, m, scope);
                }
            }
        }
    }

    /// The first result type of a function, method or interface method, resolved
    /// once every binding of the file is known.
    fn record_result(&mut self, def: DefId, node: Node, scope: ScopeId) {
        let ty = node.field("result").and_then(|r| {
            if r.kind() == "parameter_list" {
                r.named_child(0).and_then(|p| p.field("type"))
            } else {
                Some(r)
            }
        });
        if let Some(raw) = ty.and_then(|t| self.type_raw(t)) {
            self.results.push((def, raw, scope));
        }
    }

    fn declare(&mut self, node: Node<'a>, scope: ScopeId, cur: Option<DefId>, depth: u32) {
        if depth > MAX_DEPTH {
            self.facts.truncated = true;
            return;
        }
        match node.kind() {
            "package_clause" => {
                if let Some(n) = node.named_child(0) {
                    self.facts.package = Some(self.text(n).to_string());
                }
                return;
            }
            "import_spec" => {
                self.declare_import(node, scope);
                return;
            }
            "type_declaration" => {
                self.declare_types(node, scope, cur);
                return;
            }
            "function_declaration" | "method_declaration" | "func_literal" => {
                self.declare_func(node, scope, cur, depth);
                return;
            }
            "short_var_declaration" => {
                // Values first: a func literal becomes a definition the name can bind.
                if let Some(r) = node.field("right") {
                    self.declare(r, scope, cur, depth + 1);
                }
                // Only inside functions (a package-level one is a parse error's debris).
                if scope == self.top {
                    return;
                }
                let lefts = node.field("left").map(|l| self.list(l)).unwrap_or_default();
                let rights = node
                    .field("right")
                    .map(|r| self.list(r))
                    .unwrap_or_default();
                self.bind_names(&lefts, &rights, None, scope);
                return;
            }
            "var_spec" | "const_spec" => {
                if let Some(v) = node.field("value") {
                    self.declare(v, scope, cur, depth + 1);
                }
                let mut c = node.walk();
                let names: Vec<Node<'a>> = node
                    .children_by_field_name("name", &mut c)
                    .filter(|n| n.kind() == "identifier")
                    .collect();
                let values = node
                    .field("value")
                    .map(|v| self.list(v))
                    .unwrap_or_default();
                let ty = node.field("type");
                if scope == self.top {
                    for (n, v) in names.iter().zip(values.iter()) {
                        if let Some(s) = self.string_lit(*v) {
                            self.facts.consts.push((self.text(*n).to_string(), s));
                        }
                    }
                }
                self.bind_names(&names, &values, ty, scope);
                return;
            }
            "assignment_statement" => {
                if let Some(r) = node.field("right") {
                    self.declare(r, scope, cur, depth + 1);
                }
                // A second assignment makes a local's value unknown for argument passing.
                if let Some(l) = node.field("left") {
                    for n in self.list(l) {
                        if n.kind() == "identifier" {
                            if let Some((_, sid)) = self.scopes.lookup(scope, self.text(n)) {
                                self.values.insert((sid, self.text(n).to_string()), None);
                            }
                        }
                    }
                }
                return;
            }
            "range_clause" => {
                if let Some(r) = node.field("right") {
                    self.declare(r, scope, cur, depth + 1);
                }
                if let Some(l) = node.field("left") {
                    for n in self.list(l) {
                        if n.kind() == "identifier" {
                            self.scopes.declare(scope, self.text(n), Binding::Opaque);
                        }
                    }
                }
                return;
            }
            "type_switch_statement" => {
                if let Some(a) = node.field("alias") {
                    for n in self.list(a) {
                        if n.kind() == "identifier" {
                            self.scopes.declare(scope, self.text(n), Binding::Opaque);
                        }
                    }
                }
            }
            "receive_statement" | "labeled_statement" => {}
            _ => {}
        }
        let mut c = node.walk();
        for child in node.named_children(&mut c) {
            self.declare(child, scope, cur, depth + 1);
        }
    }

    fn declare_import(&mut self, node: Node, scope: ScopeId) {
        let Some(p) = node.field("path") else {
            return;
        };
        let path = self.src.unquote(p);
        if path.is_empty() {
            return;
        }
        self.facts.imports.push(path.clone());
        let name = match node.field("name") {
            Some(n) if n.kind() == "dot" => {
                self.facts.star_imports.push(path);
                return;
            }
            Some(n) if n.kind() == "blank_identifier" => return,
            Some(n) => self.text(n).to_string(),
            None => {
                // `github.com/metoro-io/mcp-golang` declares `package mcp_golang`.
                let name = package_name_of(&path);
                if name.contains('-') {
                    self.scopes.declare(
                        scope,
                        &name.replace('-', "_"),
                        Binding::Import {
                            module: path.clone(),
                            path: vec![],
                        },
                    );
                }
                name.to_string()
            }
        };
        self.scopes.declare(
            scope,
            &name,
            Binding::Import {
                module: path,
                path: vec![],
            },
        );
    }

    fn declare_func(&mut self, node: Node<'a>, scope: ScopeId, cur: Option<DefId>, depth: u32) {
        let kind = node.kind();
        let name = node.field("name").map(|n| self.text(n).to_string());
        // `func (s *Server) f()`: the receiver's type, when declared in this file.
        let mut receiver: Option<(String, Option<DefId>)> = None;
        let mut receiver_type: Option<String> = None;
        if kind == "method_declaration" {
            if let Some(decl) = node
                .field("receiver")
                .and_then(|r| r.named_child(0))
                .filter(|d| d.kind() == "parameter_declaration")
            {
                let ty = decl.field("type").and_then(|t| self.base_type_name(t));
                receiver_type = ty.map(str::to_string);
                let class = ty.and_then(|t| match self.scopes.lookup(self.top, t) {
                    Some((Binding::Def(d), _)) => Some(*d),
                    _ => None,
                });
                let rname = decl
                    .field("name")
                    .map(|n| self.text(n).to_string())
                    .unwrap_or_default();
                receiver = Some((rname, class));
            }
        }
        let (def_kind, parent) = match kind {
            "function_declaration" => (DefKind::Function, cur),
            "method_declaration" => (DefKind::Method, receiver.as_ref().and_then(|r| r.1).or(cur)),
            _ => (DefKind::Anonymous, cur),
        };
        let def = self.new_def(name.clone().unwrap_or_default(), def_kind, node, parent);
        self.record_result(def, node, scope);
        if kind == "function_declaration" {
            if let Some(n) = &name {
                self.scopes.declare(scope, n, Binding::Def(def));
            }
        }
        let class = receiver.as_ref().and_then(|r| r.1);
        let inner = self.scopes.new_scope(Some(scope), class);
        self.scope_of.insert(node.id(), inner);
        if let Some((rname, class)) = &receiver {
            if !rname.is_empty() && rname != "_" {
                match (class, &receiver_type) {
                    // The struct is declared in another file of the package: the
                    // receiver is an instance of it, which the linker finds in the unit.
                    (None, Some(ty)) => self.scopes.declare(
                        inner,
                        rname,
                        Binding::Instance(
                            RawPath {
                                root: Root::Name(ty.clone()),
                                members: vec![],
                            },
                            self.top,
                        ),
                    ),
                    _ => {
                        self.scopes.declare(inner, rname, Binding::Opaque);
                        self.receivers.insert(inner, rname.clone());
                    }
                }
            }
        }
        if let Some(p) = node.field("parameters") {
            let params = self.declare_params(p, inner);
            self.facts.defs[def as usize].params = params;
        }
        if let Some(r) = node
            .field("result")
            .filter(|r| r.kind() == "parameter_list")
        {
            self.declare_params(r, inner);
        }
        if let Some(b) = node.field("body") {
            self.declare(b, inner, Some(def), depth + 1);
        }
    }

    fn declare_params(&mut self, list: Node, scope: ScopeId) -> Vec<String> {
        let mut names = vec![];
        let mut c = list.walk();
        for p in list.named_children(&mut c) {
            let ty = p.field("type");
            let raw = if p.kind() == "parameter_declaration" {
                ty.and_then(|t| self.type_raw(t))
            } else {
                None
            };
            let mut c2 = p.walk();
            let ids: Vec<Node> = p
                .children_by_field_name("name", &mut c2)
                .filter(|n| n.kind() == "identifier")
                .collect();
            if ids.is_empty() {
                names.push(String::new());
            }
            for n in ids {
                let name = self.text(n);
                names.push(name.to_string());
                let b = match &raw {
                    Some(raw) => Binding::Instance(raw.clone(), scope),
                    None => Binding::Opaque,
                };
                self.scopes.declare(scope, name, b);
            }
        }
        names
    }

    /// Bind `a, b := x, y` / `var a T = x` names.
    fn bind_names(
        &mut self,
        lefts: &[Node<'a>],
        rights: &[Node<'a>],
        ty: Option<Node>,
        scope: ScopeId,
    ) {
        let ty_raw = ty.and_then(|t| self.type_raw(t));
        for (i, n) in lefts.iter().enumerate() {
            if n.kind() != "identifier" {
                continue;
            }
            let name = self.text(*n);
            if name == "_" {
                continue;
            }
            // `x, err := f()`: the first name holds the call's result.
            let value = if rights.len() == lefts.len() {
                rights.get(i).copied()
            } else if i == 0 && rights.len() == 1 {
                rights.first().copied()
            } else {
                None
            };
            let b = match (&ty_raw, value) {
                // `const Echo ToolName = "echo"` is still the string.
                (Some(_), Some(v)) if self.string_lit(v).is_some() => {
                    self.binding_for_value(v, scope)
                }
                (Some(raw), _) => Binding::Instance(raw.clone(), scope),
                (None, Some(v)) => self.binding_for_value(v, scope),
                (None, None) => Binding::Opaque,
            };
            let key = (scope, name.to_string());
            let single = value.map(unwrap).filter(|v| {
                matches!(v.kind(), "call_expression" | "composite_literal")
                    || (v.kind() == "unary_expression"
                        && v.field("operand")
                            .map(|o| o.kind() == "composite_literal")
                            .unwrap_or(false))
            });
            match self.values.get(&key) {
                Some(_) => {
                    self.values.insert(key, None);
                }
                None => {
                    self.values.insert(key, single);
                }
            }
            // A redeclaration replaces the binding (opaque ones never hide known ones).
            self.scopes.declare(scope, name, b);
        }
    }

    fn binding_for_value(&self, v: Node, scope: ScopeId) -> Binding {
        let v = unwrap(v);
        match v.kind() {
            "interpreted_string_literal" | "raw_string_literal" => {
                Binding::Const(self.src.unquote(v))
            }
            "func_literal" => match self.def_of.get(&v.id()) {
                Some(d) => Binding::Def(*d),
                None => Binding::Opaque,
            },
            "call_expression" => {
                let Some(f) = v.field("function") else {
                    return Binding::Opaque;
                };
                // `new(http.Client)`: an instance of the type.
                if f.kind() == "identifier"
                    && self.text(f) == "new"
                    && self.scopes.lookup(scope, "new").is_none()
                {
                    return match v
                        .field("arguments")
                        .and_then(|a| a.named_child(0))
                        .and_then(|t| self.type_raw(t))
                    {
                        Some(raw) => Binding::Instance(raw, scope),
                        None => Binding::Opaque,
                    };
                }
                match self.raw_path(f, scope) {
                    Some(raw) => Binding::Instance(raw, scope),
                    None => Binding::Opaque,
                }
            }
            "composite_literal" => match v.field("type").and_then(|t| self.type_raw(t)) {
                Some(raw) => Binding::Instance(raw, scope),
                None => Binding::Opaque,
            },
            "unary_expression" => match v.field("operand").map(unwrap) {
                Some(o) if o.kind() == "composite_literal" => self.binding_for_value(o, scope),
                _ => Binding::Opaque,
            },
            "identifier" | "selector_expression" => match self.raw_path(v, scope) {
                Some(raw) => Binding::Alias(raw, scope),
                None => Binding::Opaque,
            },
            _ => Binding::Opaque,
        }
    }

    fn list(&self, n: Node<'a>) -> Vec<Node<'a>> {
        if n.kind() == "expression_list" {
            let mut c = n.walk();
            n.named_children(&mut c)
                .filter(|x| x.kind() != "comment")
                .collect()
        } else {
            vec![n]
        }
    }

    /// The named type a type expression denotes, as an access path (`*http.Client` → `http.Client`).
    fn type_raw(&self, t: Node) -> Option<RawPath> {
        let mut t = t;
        for _ in 0..16 {
            match t.kind() {
                "pointer_type" | "parenthesized_type" => t = t.named_child(0)?,
                "generic_type" => t = t.field("type")?,
                _ => break,
            }
        }
        match t.kind() {
            "qualified_type" => Some(RawPath {
                root: Root::Name(self.text(t.field("package")?).to_string()),
                members: vec![self.text(t.field("name")?).to_string()],
            }),
            "type_identifier" => {
                let name = self.text(t);
                (!BUILTIN_TYPES.contains(&name)).then(|| RawPath {
                    root: Root::Name(name.to_string()),
                    members: vec![],
                })
            }
            _ => None,
        }
    }

    /// `Server` in `*Server` / `Server[T]`.
    fn base_type_name(&self, t: Node) -> Option<&'a str> {
        let mut t = t;
        for _ in 0..16 {
            match t.kind() {
                "pointer_type" | "parenthesized_type" => t = t.named_child(0)?,
                "generic_type" => t = t.field("type")?,
                "type_identifier" => return Some(self.text(t)),
                _ => return None,
            }
        }
        None
    }

    fn string_lit(&self, v: Node) -> Option<String> {
        let v = unwrap(v);
        matches!(
            v.kind(),
            "interpreted_string_literal" | "raw_string_literal"
        )
        .then(|| self.src.unquote(v))
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
            "identifier" => {
                let name = self.text(n);
                if let Some((Binding::Opaque, sid)) = self.scopes.lookup(scope, name) {
                    if self.receivers.get(&sid).map(|r| r == name).unwrap_or(false) {
                        return Some(RawPath {
                            root: Root::This,
                            members: vec![],
                        });
                    }
                }
                Some(RawPath {
                    root: Root::Name(name.to_string()),
                    members: vec![],
                })
            }
            "selector_expression" => {
                let mut p = self.raw_path_d(n.field("operand")?, scope, depth + 1)?;
                p.members.push(self.text(n.field("field")?).to_string());
                Some(p)
            }
            "call_expression" => {
                let mut p = self.raw_path_d(n.field("function")?, scope, depth + 1)?;
                p.members.push("()".into());
                Some(p)
            }
            "index_expression" => {
                let mut p = self.raw_path_d(n.field("operand")?, scope, depth + 1)?;
                let key = n.field("index").and_then(|i| self.string_lit(i));
                p.members.push(key.unwrap_or_else(|| "[]".into()));
                Some(p)
            }
            "unary_expression" | "type_assertion_expression" => {
                self.raw_path_d(n.field("operand")?, scope, depth + 1)
            }
            "composite_literal" => {
                let mut p = self.type_raw(n.field("type")?)?;
                p.members.push("()".into());
                Some(p)
            }
            _ => None,
        }
    }

    // ---------------------------------------------------------------- pass 2

    fn emit(
        &mut self,
        node: Node<'a>,
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
        if is_type_node(kind) {
            return;
        }
        match kind {
            "package_clause" | "import_declaration" | "comment" => return,
            "function_declaration" | "method_declaration" | "func_literal" => {
                let scope = self.scope_of.get(&node.id()).copied().unwrap_or(scope);
                let cur = self.def_of.get(&node.id()).copied().or(cur);
                if let Some(b) = node.field("body") {
                    self.emit(b, scope, cur, labels, depth + 1);
                }
                return;
            }
            "type_declaration" => {
                self.emit_types(node, scope);
                return;
            }
            "var_spec" | "const_spec" => {
                if let Some(v) = node.field("value") {
                    self.emit(v, scope, cur, labels, depth + 1);
                }
                return;
            }
            "call_expression" => {
                self.emit_call(node, scope, cur, labels, depth);
                return;
            }
            "selector_expression" | "index_expression" => {
                self.emit_access(node, scope, cur, labels);
                self.emit_chain_inner(node, scope, cur, labels, depth + 1);
                return;
            }
            "composite_literal" => {
                self.emit_composite(node, scope, cur, labels, depth);
                return;
            }
            "keyed_element" => {
                // Struct keys are field names; map keys are expressions.
                if let Some(v) = node.field("value") {
                    self.emit(v, scope, cur, labels, depth + 1);
                }
                if let Some(k) = node.field("key").and_then(|k| k.named_child(0)) {
                    if k.kind() != "identifier" {
                        self.emit(k, scope, cur, labels, depth + 1);
                    }
                }
                return;
            }
            "expression_switch_statement" => {
                let mut c = node.walk();
                for ch in node.named_children(&mut c) {
                    match ch.kind() {
                        "expression_case" => {
                            let mut found = vec![];
                            if let Some(v) = ch.field("value") {
                                for x in self.list(v) {
                                    match self.label_value(x, scope) {
                                        Some(s) => found.push(s),
                                        None => {
                                            self.collect_eq_labels(unwrap(x), scope, &mut found, 0)
                                        }
                                    }
                                }
                                self.emit(v, scope, cur, labels, depth + 1);
                            }
                            let use_labels: &[String] =
                                if found.is_empty() { labels } else { &found };
                            let mut c2 = ch.walk();
                            for st in ch.named_children(&mut c2) {
                                if Some(st) != ch.field("value") {
                                    self.emit(st, scope, cur, use_labels, depth + 1);
                                }
                            }
                        }
                        _ => self.emit(ch, scope, cur, labels, depth + 1),
                    }
                }
                return;
            }
            "if_statement" => {
                if let Some(cond) = node.field("condition") {
                    let mut found = vec![];
                    self.collect_eq_labels(unwrap(cond), scope, &mut found, 0);
                    if !found.is_empty() {
                        if let Some(i) = node.field("initializer") {
                            self.emit(i, scope, cur, labels, depth + 1);
                        }
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

    /// Struct fields with a named type, embedded types as bases.
    fn emit_types(&mut self, node: Node, scope: ScopeId) {
        let mut c = node.walk();
        for spec in node.named_children(&mut c) {
            if self.facts.syntax_errors == 0 && spec.has_error() {
                self.facts.syntax_errors += 1;
            }
            let Some(&class) = self.def_of.get(&spec.id()) else {
                continue;
            };
            let Some(st) = spec.field("type").filter(|t| t.kind() == "struct_type") else {
                continue;
            };
            let Some(list) = st
                .named_child(0)
                .filter(|l| l.kind() == "field_declaration_list")
            else {
                continue;
            };
            let mut c2 = list.walk();
            for fd in list.named_children(&mut c2) {
                if fd.kind() != "field_declaration" {
                    continue;
                }
                let Some(raw) = fd.field("type").and_then(|t| self.type_raw(t)) else {
                    continue;
                };
                let value = self.scopes.resolve(scope, &raw);
                let mut c3 = fd.walk();
                let names: Vec<String> = fd
                    .children_by_field_name("name", &mut c3)
                    .map(|n| self.text(n).to_string())
                    .collect();
                if names.is_empty() {
                    // An embedded type: its methods are promoted, like a base class's.
                    let own = matches!(&value, Callee::Def { def, path } if *def == class || !path.is_empty());
                    if !own {
                        self.facts.defs[class as usize].bases.push(value);
                    }
                    continue;
                }
                for name in names {
                    self.facts.fields.push(Field {
                        class,
                        name,
                        value: instance_of(value.clone()),
                    });
                }
            }
        }
    }

    fn emit_call(
        &mut self,
        node: Node<'a>,
        scope: ScopeId,
        cur: Option<DefId>,
        labels: &[String],
        depth: u32,
    ) {
        let Some(f) = node.field("function") else {
            return;
        };
        let fu = unwrap(f);
        let builtin = fu.kind() == "identifier"
            && BUILTIN_FUNCS.contains(&self.text(fu))
            && self.scopes.lookup(scope, self.text(fu)).is_none();
        let conversion = fu.kind() == "identifier"
            && BUILTIN_TYPES.contains(&self.text(fu))
            && self.scopes.lookup(scope, self.text(fu)).is_none();
        if builtin && self.text(fu) == "new" {
            // `new(http.Client)` constructs.
            if let Some(raw) = node
                .field("arguments")
                .and_then(|a| a.named_child(0))
                .and_then(|t| self.type_raw(t))
            {
                let callee = self.scopes.resolve(scope, &raw);
                self.push_ref(
                    RefKind::New,
                    callee,
                    fu,
                    Args::default(),
                    cur,
                    labels,
                    None,
                    None,
                );
            }
        } else if !builtin && !conversion && !is_type_node(fu.kind()) {
            let args = node
                .field("arguments")
                .map(|a| self.args(a, scope))
                .unwrap_or_default();
            let callee = match self.raw_path(fu, scope) {
                Some(raw) => self.scopes.resolve(scope, &raw),
                None => Callee::Dynamic {
                    member: (fu.kind() == "selector_expression")
                        .then(|| fu.field("field").map(|a| self.text(a).to_string()))
                        .flatten(),
                },
            };
            self.push_ref(RefKind::Call, callee, fu, args, cur, labels, None, None);
        }
        self.emit_chain_inner(fu, scope, cur, labels, depth + 1);
        if let Some(a) = node.field("arguments") {
            self.emit(a, scope, cur, labels, depth + 1);
        }
    }

    fn emit_composite(
        &mut self,
        node: Node<'a>,
        scope: ScopeId,
        cur: Option<DefId>,
        labels: &[String],
        depth: u32,
    ) {
        let props = node
            .field("body")
            .map(|b| self.literal_props(b, scope, 1))
            .unwrap_or_default();
        if let Some(raw) = node.field("type").and_then(|t| self.type_raw(t)) {
            let callee = self.scopes.resolve(scope, &raw);
            let args = Args {
                pos: if props.is_empty() {
                    vec![]
                } else {
                    vec![Arg::Obj(props.clone())]
                },
                kw: vec![],
            };
            self.push_ref(RefKind::New, callee, node, args, cur, labels, None, None);
        }
        if !props.is_empty() {
            self.record_object(node, props, scope, cur);
        }
        if let Some(b) = node.field("body") {
            self.emit(b, scope, cur, labels, depth + 1);
        }
    }

    /// A keyed literal that may describe a tool (`server.ServerTool{Tool: …, Handler: h}`)
    /// or a dispatch table (`map[string]Handler{"x": doX}`).
    fn record_object(
        &mut self,
        node: Node,
        props: Vec<(String, Arg)>,
        scope: ScopeId,
        cur: Option<DefId>,
    ) {
        let Some(body) = node.field("body") else {
            return;
        };
        let mut name_line = 0;
        let mut prop_lines = vec![];
        let mut c = body.walk();
        for el in body.named_children(&mut c) {
            if el.kind() != "keyed_element" {
                continue;
            }
            let Some(key) = el.field("key").and_then(|k| self.key_name(k)) else {
                continue;
            };
            if matches!(key.as_str(), "name" | "Name" | "Tool") && name_line == 0 {
                name_line = line_of(el);
            }
            prop_lines.push(line_of(el));
        }
        // `var tools = map[string]...{...}` / `tools := ...` names the table.
        let mut up = node.parent();
        if let Some(p) = up.filter(|p| p.kind() == "unary_expression") {
            up = p.parent();
        }
        let binding = up
            .filter(|p| p.kind() == "expression_list")
            .and_then(|l| l.parent())
            .filter(|p| {
                matches!(p.kind(), "var_spec" | "short_var_declaration")
                    && (scope == self.top || cur.is_some())
            })
            .and_then(|p| {
                if p.kind() == "var_spec" {
                    p.field("name")
                } else {
                    p.field("left").and_then(|l| l.named_child(0))
                }
            })
            .map(|n| self.text(n).to_string());
        self.facts.objects.push(ObjLit {
            binding,
            line: line_of(node),
            in_def: cur,
            props,
            name_line,
            prop_lines,
            computed: vec![],
        });
    }

    fn key_name(&self, k: Node) -> Option<String> {
        let k = if k.kind() == "literal_element" {
            k.named_child(0)?
        } else {
            k
        };
        match k.kind() {
            "identifier" | "field_identifier" => Some(self.text(k).to_string()),
            "interpreted_string_literal" | "raw_string_literal" => Some(self.src.unquote(k)),
            _ => None,
        }
    }

    fn literal_props(&self, body: Node, scope: ScopeId, depth: u32) -> Vec<(String, Arg)> {
        let mut out = vec![];
        let mut c = body.walk();
        for el in body.named_children(&mut c) {
            if el.kind() != "keyed_element" {
                continue;
            }
            let (Some(k), Some(v)) = (
                el.field("key").and_then(|k| self.key_name(k)),
                el.field("value"),
            ) else {
                continue;
            };
            out.push((k, self.element_arg(v, scope, depth)));
            if out.len() >= 64 {
                break;
            }
        }
        out
    }

    fn element_arg(&self, v: Node, scope: ScopeId, depth: u32) -> Arg {
        let v = if v.kind() == "literal_element" {
            match v.named_child(0) {
                Some(x) => x,
                None => return Arg::Other,
            }
        } else {
            v
        };
        if v.kind() == "literal_value" {
            return if depth < 4 {
                let props = self.literal_props(v, scope, depth + 1);
                if props.is_empty() {
                    Arg::List(self.list_items(v, scope, depth))
                } else {
                    Arg::Obj(props)
                }
            } else {
                Arg::Other
            };
        }
        self.arg(v, scope, depth)
    }

    fn list_items(&self, body: Node, scope: ScopeId, depth: u32) -> Vec<Option<String>> {
        let mut c = body.walk();
        body.named_children(&mut c)
            .filter(|e| e.kind() == "literal_element")
            .take(16)
            .map(|e| {
                self.element_arg(e, scope, depth + 1)
                    .as_str()
                    .map(str::to_string)
            })
            .collect()
    }

    fn emit_chain_inner(
        &mut self,
        n: Node<'a>,
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
            "selector_expression" => {
                if let Some(o) = n.field("operand") {
                    self.emit_chain_inner(o, scope, cur, labels, depth + 1);
                }
            }
            "index_expression" => {
                if let Some(o) = n.field("operand") {
                    self.emit_chain_inner(o, scope, cur, labels, depth + 1);
                }
                if let Some(i) = n.field("index") {
                    self.emit(i, scope, cur, labels, depth + 1);
                }
            }
            "unary_expression" | "type_assertion_expression" => {
                if let Some(o) = n.field("operand") {
                    self.emit_chain_inner(o, scope, cur, labels, depth + 1);
                }
            }
            "identifier" => {}
            _ => self.emit(n, scope, cur, labels, depth + 1),
        }
    }

    /// A member read that is not called: `runtime.GOOS`, `os.Args`, `http.DefaultClient`.
    fn emit_access(&mut self, node: Node, scope: ScopeId, cur: Option<DefId>, labels: &[String]) {
        let Some(raw) = self.raw_path(node, scope) else {
            return;
        };
        if raw.members.is_empty() {
            return;
        }
        let callee = self.scopes.resolve(scope, &raw);
        if !matches!(callee, Callee::Import { .. }) {
            return;
        }
        let key = if node.kind() == "index_expression" {
            node.field("index").and_then(|i| self.string_lit(i))
        } else {
            None
        };
        self.push_ref(
            RefKind::Access,
            callee,
            node,
            Args::default(),
            cur,
            labels,
            None,
            key,
        );
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
        key: Option<String>,
    ) {
        let p = at.start_position();
        self.facts
            .add_ref(kind, callee, p, args, cur, labels, decorates, key);
    }

    // ---------------------------------------------------------------- labels

    fn collect_eq_labels(&self, n: Node, scope: ScopeId, out: &mut Vec<String>, depth: u32) {
        if depth > 8 || n.kind() != "binary_expression" {
            return;
        }
        let (Some(l), Some(op), Some(r)) = (n.field("left"), n.field("operator"), n.field("right"))
        else {
            return;
        };
        match self.text(op) {
            "||" => {
                self.collect_eq_labels(unwrap(l), scope, out, depth + 1);
                self.collect_eq_labels(unwrap(r), scope, out, depth + 1);
            }
            "==" => {
                let subject_ok = |x: Node| {
                    matches!(
                        unwrap(x).kind(),
                        "identifier"
                            | "selector_expression"
                            | "index_expression"
                            | "call_expression"
                    )
                };
                for (a, b) in [(l, r), (r, l)] {
                    if subject_ok(b) {
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
            "interpreted_string_literal" | "raw_string_literal" => Some(self.src.unquote(v)),
            "identifier" => self.scopes.const_str(scope, self.text(v)),
            _ => None,
        }
    }

    // ---------------------------------------------------------------- arguments

    fn args(&self, list: Node, scope: ScopeId) -> Args {
        let mut out = Args::default();
        let mut c = list.walk();
        for a in list.named_children(&mut c) {
            if a.kind() == "comment" {
                continue;
            }
            out.pos.push(self.arg(a, scope, 0));
            if out.pos.len() >= 12 {
                break;
            }
        }
        out
    }

    fn arg(&self, a: Node, scope: ScopeId, depth: u32) -> Arg {
        if depth > 16 {
            return Arg::Other;
        }
        let a = unwrap(a);
        match a.kind() {
            "interpreted_string_literal" | "raw_string_literal" => Arg::Str(self.src.unquote(a)),
            "true" => Arg::Bool(true),
            "false" => Arg::Bool(false),
            "int_literal" | "float_literal" | "imaginary_literal" | "rune_literal" => Arg::Num,
            "func_literal" => self
                .def_of
                .get(&a.id())
                .map(|d| Arg::Func(*d))
                .unwrap_or(Arg::Other),
            "binary_expression" => {
                match (
                    a.field("operator").map(|o| self.text(o)),
                    a.field("left"),
                    a.field("right"),
                ) {
                    (Some("+"), Some(l), Some(r)) => {
                        concat(self.arg(l, scope, depth + 1), self.arg(r, scope, depth + 1))
                    }
                    _ => Arg::Other,
                }
            }
            "identifier" => {
                let name = self.text(a);
                if let Some(s) = self.scopes.const_str(scope, name) {
                    return Arg::Str(s);
                }
                if matches!(name, "nil" | "iota") {
                    return Arg::Other;
                }
                // A local given one value: passed on as that value.
                if let Some((_, sid)) = self.scopes.lookup(scope, name) {
                    if sid != self.top {
                        if let Some(Some(v)) = self.values.get(&(sid, name.to_string())) {
                            return self.arg(*v, scope, depth + 1);
                        }
                    }
                }
                match self.raw_path(a, scope) {
                    Some(raw) => Arg::Path(self.scopes.resolve(scope, &raw)),
                    None => Arg::Other,
                }
            }
            "selector_expression" => match self.raw_path(a, scope) {
                Some(raw) => Arg::Path(self.scopes.resolve(scope, &raw)),
                None => Arg::Other,
            },
            "unary_expression" => match a.field("operand") {
                Some(o) => self.arg(o, scope, depth + 1),
                None => Arg::Other,
            },
            "composite_literal" => match a.field("body") {
                Some(b) => {
                    let props = self.literal_props(b, scope, depth + 1);
                    if props.is_empty() {
                        Arg::List(self.list_items(b, scope, depth + 1))
                    } else {
                        Arg::Obj(props)
                    }
                }
                None => Arg::Other,
            },
            "call_expression" => {
                let Some(f) = a.field("function").map(unwrap) else {
                    return Arg::Other;
                };
                let Some(raw) = self.raw_path(f, scope) else {
                    return Arg::Other;
                };
                let callee = self.scopes.resolve(scope, &raw);
                // A conversion (`string(ECHO)`, `ToolName("x")`) is its operand.
                let conversion = match &callee {
                    Callee::Global { path } => {
                        path.len() == 1 && BUILTIN_TYPES.contains(&path[0].as_str())
                    }
                    Callee::Def { def, path } => {
                        path.is_empty()
                            && self.facts.defs.get(*def as usize).map(|d| d.kind)
                                == Some(DefKind::Class)
                    }
                    _ => false,
                };
                if conversion {
                    let args = a.field("arguments");
                    if let Some(x) = args
                        .filter(|l| l.named_child_count() == 1)
                        .and_then(|l| l.named_child(0))
                    {
                        return self.arg(x, scope, depth + 1);
                    }
                }
                let inner = a
                    .field("arguments")
                    .map(|l| {
                        let mut c = l.walk();
                        l.named_children(&mut c)
                            .filter(|x| x.kind() != "comment")
                            .take(12)
                            .map(|x| self.arg(x, scope, depth + 1))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                // `fmt.Sprintf("https://api/%s", x)`: a string with a constant prefix.
                if matches!(&callee, Callee::Import { module, path } if module == "fmt" && path.len() == 1 && path[0] == "Sprintf")
                {
                    if let Some(Arg::Str(s)) = inner.first() {
                        let prefix = s.split('%').next().unwrap_or("");
                        if prefix.len() == s.len() {
                            return Arg::Str(s.clone());
                        }
                        return if prefix.is_empty() {
                            Arg::Other
                        } else {
                            Arg::Prefix(prefix.to_string())
                        };
                    }
                }
                Arg::Call(callee, inner)
            }
            _ => Arg::Other,
        }
    }

    // ---------------------------------------------------------------- exports

    /// Package-level functions, types and variables holding known values.
    fn exports(&mut self, root: Node) {
        let mut names: Vec<(String, Callee)> = vec![];
        let mut c = root.walk();
        for child in root.named_children(&mut c) {
            match child.kind() {
                "function_declaration" => {
                    if let (Some(n), Some(&d)) = (child.field("name"), self.def_of.get(&child.id()))
                    {
                        names.push((
                            self.text(n).to_string(),
                            Callee::Def {
                                def: d,
                                path: vec![],
                            },
                        ));
                    }
                }
                "type_declaration" => {
                    let mut c2 = child.walk();
                    for spec in child.named_children(&mut c2) {
                        if let (Some(n), Some(&d)) =
                            (spec.field("name"), self.def_of.get(&spec.id()))
                        {
                            names.push((
                                self.text(n).to_string(),
                                Callee::Def {
                                    def: d,
                                    path: vec![],
                                },
                            ));
                        }
                    }
                }
                "var_declaration" => {
                    let mut c2 = child.walk();
                    let specs: Vec<Node> = child
                        .named_children(&mut c2)
                        .flat_map(|s| {
                            if s.kind() == "var_spec_list" {
                                let mut c3 = s.walk();
                                s.named_children(&mut c3).collect::<Vec<_>>()
                            } else {
                                vec![s]
                            }
                        })
                        .collect();
                    for spec in specs {
                        let mut c3 = spec.walk();
                        for n in spec.children_by_field_name("name", &mut c3) {
                            let name = self.text(n).to_string();
                            let target = self.scopes.resolve(
                                self.top,
                                &RawPath {
                                    root: Root::Name(name.clone()),
                                    members: vec![],
                                },
                            );
                            if matches!(target, Callee::Import { .. } | Callee::Def { .. }) {
                                names.push((name, target));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        for (name, target) in names {
            self.facts.exports.push(Export::Local { name, target });
        }
    }
}

/// The name an import binds by default: the last path segment, skipping a
/// `/vN` major version suffix and a `.vN` gopkg.in suffix (`gopkg.in/yaml.v3` → `yaml`),
/// and a `go-` prefix (`github.com/x/go-foo` → `foo`) as most such packages declare.
fn package_name_of(path: &str) -> &str {
    let mut segs = path.rsplit('/');
    let mut last = segs.next().unwrap_or(path);
    let is_major =
        |s: &str| s.len() >= 2 && s.starts_with('v') && s[1..].chars().all(|c| c.is_ascii_digit());
    if is_major(last) {
        if let Some(prev) = segs.next() {
            last = prev;
        }
    }
    if let Some((base, ver)) = last.rsplit_once('.') {
        if is_major(ver) && !base.is_empty() {
            last = base;
        }
    }
    if let Some(rest) = last.strip_prefix("go-") {
        if !rest.is_empty() {
            last = rest;
        }
    }
    if let Some(rest) = last.strip_suffix("-go") {
        if !rest.is_empty() {
            last = rest;
        }
    }
    last
}
