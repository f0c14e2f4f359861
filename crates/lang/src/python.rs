//! Python adapter.

use crate::ir::*;
use crate::scope::{Binding, RawPath, Root, ScopeId, Scopes};
use crate::text::{FieldExt, Src};
use rustc_hash::FxHashMap as HashMap;
use tree_sitter::{Node, Tree};

const MAX_DEPTH: u32 = 400;

pub fn extract(tree: &Tree, src: &str) -> FileFacts {
    let mut cx = Cx {
        src: Src(src),
        scopes: Scopes::default(),
        facts: FileFacts::default(),
        scope_of: HashMap::default(),
        def_of: HashMap::default(),
        scope_def: HashMap::default(),
        top: 0,
        class_scopes: HashMap::default(),
        globals: HashMap::default(),
    };
    let root = tree.root_node();
    cx.top = cx.scopes.new_scope(None, None);
    cx.declare(root, cx.top, None, None, 0);
    cx.emit(root, cx.top, None, &[], 0);
    if cx.facts.syntax_errors == 0 && root.has_error() {
        cx.facts.syntax_errors = 1;
    }
    // Every module-level name is importable in Python.
    let top = &cx.scopes.scopes[cx.top as usize];
    let mut names: Vec<&String> = top.bindings.keys().collect();
    names.sort();
    for name in names {
        let target = cx.scopes.resolve(
            cx.top,
            &RawPath {
                root: Root::Name(name.clone()),
                members: vec![],
            },
        );
        cx.facts.exports.push(Export::Local {
            name: name.clone(),
            target,
        });
    }
    cx.facts
}

struct Cx<'a> {
    src: Src<'a>,
    scopes: Scopes,
    facts: FileFacts,
    scope_of: HashMap<usize, ScopeId>,
    def_of: HashMap<usize, DefId>,
    /// The definition whose body a scope is (module scope: none).
    scope_def: HashMap<ScopeId, DefId>,
    top: ScopeId,
    /// Scopes of module-level class bodies, with the class name.
    class_scopes: HashMap<ScopeId, String>,
    /// Names a function declares `global`: its assignments to them rebind the module's.
    globals: HashMap<ScopeId, Vec<String>>,
}

fn unwrap(mut n: Node) -> Node {
    while matches!(n.kind(), "parenthesized_expression" | "await") {
        match n.named_child(0) {
            Some(c) => n = c,
            None => break,
        }
    }
    n
}

impl<'a> Cx<'a> {
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

    // ---------------------------------------------------------------- pass 1

    fn declare(
        &mut self,
        node: Node,
        scope: ScopeId,
        cur: Option<DefId>,
        class: Option<DefId>,
        depth: u32,
    ) {
        if depth > MAX_DEPTH {
            self.facts.truncated = true;
            return;
        }
        match node.kind() {
            "function_definition" | "lambda" => {
                let name = node.field("name").map(|n| self.src.text(n).to_string());
                let kind = match (&name, class) {
                    (None, _) => DefKind::Anonymous,
                    (Some(_), Some(_)) => DefKind::Method,
                    (Some(_), None) => DefKind::Function,
                };
                let parent = class.or(cur);
                let def = self.new_def(name.clone().unwrap_or_default(), kind, node, parent);
                if let Some(n) = &name {
                    self.scopes.declare(scope, n, Binding::Def(def));
                }
                // Methods do not see their class body's names: their parent scope is the
                // class's enclosing scope (the module for top-level classes).
                let parent_scope = if class.is_some() {
                    self.scopes.scopes[scope as usize].parent.unwrap_or(scope)
                } else {
                    scope
                };
                let inner = self.scopes.new_scope(
                    Some(parent_scope),
                    if kind == DefKind::Method { class } else { None },
                );
                if kind != DefKind::Method {
                    // Nested functions keep the enclosing method's `self`.
                    if let Some(c) = self.scopes.class_of(scope) {
                        self.scopes.scopes[inner as usize].class = Some(c);
                    }
                }
                self.scope_of.insert(node.id(), inner);
                self.scope_def.insert(inner, def);
                if let Some(p) = node.field("parameters") {
                    self.declare_params(p, inner);
                    let mut c = p.walk();
                    let names: Vec<String> = p
                        .named_children(&mut c)
                        .map(|x| match x.kind() {
                            "identifier" => self.src.text(x).to_string(),
                            "typed_parameter" => x
                                .named_child(0)
                                .map(|n| self.src.text(n).to_string())
                                .unwrap_or_default(),
                            "default_parameter" | "typed_default_parameter" => x
                                .field("name")
                                .map(|n| self.src.text(n).to_string())
                                .unwrap_or_default(),
                            _ => String::new(),
                        })
                        .collect();
                    self.facts.defs[def as usize].params = names;
                }
                if let Some(b) = node.field("body") {
                    self.declare(b, inner, Some(def), None, depth + 1);
                }
                return;
            }
            "class_definition" => {
                let name = node
                    .field("name")
                    .map(|n| self.src.text(n).to_string())
                    .unwrap_or_default();
                let def = self.new_def(name.clone(), DefKind::Class, node, cur);
                self.scopes.declare(scope, &name, Binding::Def(def));
                let inner = self.scopes.new_scope(Some(scope), None);
                self.scope_of.insert(node.id(), inner);
                self.scope_def.insert(inner, def);
                if scope == self.top {
                    self.class_scopes.insert(inner, name.clone());
                }
                if let Some(b) = node.field("body") {
                    self.declare(b, inner, Some(def), Some(def), depth + 1);
                }
                return;
            }
            "import_statement" => {
                let mut c = node.walk();
                for n in node.children_by_field_name("name", &mut c) {
                    match n.kind() {
                        "dotted_name" => {
                            let full = self.src.text(n).to_string();
                            self.facts.imports.push(full.clone());
                            let first = full.split('.').next().unwrap_or("").to_string();
                            self.scopes.declare(
                                scope,
                                &first,
                                Binding::Import {
                                    module: first.clone(),
                                    path: vec![],
                                },
                            );
                        }
                        "aliased_import" => {
                            if let (Some(m), Some(a)) = (n.field("name"), n.field("alias")) {
                                let full = self.src.text(m).to_string();
                                self.facts.imports.push(full.clone());
                                self.scopes.declare(
                                    scope,
                                    self.src.text(a),
                                    Binding::Import {
                                        module: full,
                                        path: vec![],
                                    },
                                );
                            }
                        }
                        _ => {}
                    }
                }
                return;
            }
            "import_from_statement" => {
                let module = node
                    .field("module_name")
                    .map(|m| self.src.text(m).replace(char::is_whitespace, ""))
                    .unwrap_or_default();
                self.facts.imports.push(module.clone());
                let mut c = node.walk();
                for n in node.children_by_field_name("name", &mut c) {
                    let (name, alias) = match n.kind() {
                        "dotted_name" => {
                            (self.src.text(n).to_string(), self.src.text(n).to_string())
                        }
                        "aliased_import" => match (n.field("name"), n.field("alias")) {
                            (Some(a), Some(b)) => {
                                (self.src.text(a).to_string(), self.src.text(b).to_string())
                            }
                            _ => continue,
                        },
                        _ => continue,
                    };
                    // `from pkg import sub` may import a submodule: recorded for reachability.
                    let sep = if module.ends_with('.') { "" } else { "." };
                    self.facts.imports.push(format!("{module}{sep}{name}"));
                    self.scopes.declare(
                        scope,
                        &alias,
                        Binding::Import {
                            module: module.clone(),
                            path: vec![name],
                        },
                    );
                }
                return;
            }
            "assignment" | "augmented_assignment" => {
                if let Some(l) = node.field("left") {
                    let value = node.field("right").map(unwrap);
                    if l.kind() == "identifier" && node.kind() == "assignment" {
                        let name = self.src.text(l);
                        if let (true, Some(v)) = (scope == self.top, value) {
                            self.record_consts(name.to_string(), v);
                        }
                        // `class Tools(str, Enum): SEARCH = "search"` names tools too.
                        if let (Some(class), Some(v)) =
                            (self.class_scopes.get(&scope).cloned(), value)
                        {
                            self.record_consts(format!("{class}.{name}"), v);
                        }
                        // `client: httpx.Client` / `client: Client | None = None`: until
                        // it is assigned, the variable stands for an instance of its type.
                        let annotated = node
                            .field("type")
                            .filter(|_| value.is_none_or(|v| v.kind() == "none"))
                            .and_then(|t| self.simple_type(t))
                            .and_then(|t| self.raw_path(t, scope));
                        let b = match (annotated, value) {
                            (Some(raw), _) => Binding::Instance(raw, scope),
                            (None, Some(v)) => self.binding_for_value(v, scope),
                            (None, None) => Binding::Opaque,
                        };
                        // `global client` then `client = make()`: the module's variable
                        // takes the value, unless it says nothing more than what the
                        // module declared (`client = None`, an unknown parameter).
                        let global = scope != self.top
                            && self
                                .globals
                                .get(&scope)
                                .is_some_and(|g| g.iter().any(|g| g == name));
                        if global {
                            let b = if self.known(&b) { b } else { Binding::Opaque };
                            self.scopes.declare(self.top, name, b);
                        } else {
                            self.scopes.declare(scope, name, b);
                        }
                    } else {
                        self.declare_target(l, scope);
                    }
                }
            }
            "global_statement" => {
                let mut c = node.walk();
                let names: Vec<String> = node
                    .named_children(&mut c)
                    .filter(|n| n.kind() == "identifier")
                    .map(|n| self.src.text(n).to_string())
                    .collect();
                self.globals.entry(scope).or_default().extend(names);
                return;
            }
            "named_expression" => {
                if let Some(n) = node.field("name") {
                    self.scopes
                        .declare(scope, self.src.text(n), Binding::Opaque);
                }
            }
            "for_statement" | "for_in_clause" => {
                if let Some(l) = node.field("left") {
                    // `for p in root.iterdir():` — each item is a path like `root`.
                    let listed = node
                        .field("right")
                        .map(unwrap)
                        .filter(|r| r.kind() == "call")
                        .and_then(|r| r.field("function"))
                        .filter(|f| {
                            f.kind() == "attribute"
                                && f.field("attribute")
                                    .map(|a| {
                                        matches!(self.src.text(a), "iterdir" | "glob" | "rglob")
                                    })
                                    .unwrap_or(false)
                        });
                    match (
                        listed
                            .and_then(|f| f.field("object"))
                            .and_then(|o| self.raw_path(o, scope)),
                        l.kind(),
                    ) {
                        (Some(raw), "identifier") => {
                            self.scopes
                                .declare(scope, self.src.text(l), Binding::Alias(raw, scope))
                        }
                        _ => self.declare_target(l, scope),
                    }
                }
            }
            "as_pattern" => {
                if let Some(a) = node.field("alias") {
                    // `with httpx.Client() as client:` binds the instance.
                    let value = node
                        .named_child(0)
                        .map(unwrap)
                        .filter(|v| v.kind() == "call");
                    let raw = value
                        .and_then(|v| v.field("function"))
                        .and_then(|f| self.raw_path(f, scope));
                    match (raw, a.named_child(0).filter(|x| x.kind() == "identifier")) {
                        (Some(raw), Some(id)) => self.scopes.declare(
                            scope,
                            self.src.text(id),
                            Binding::Instance(raw, scope),
                        ),
                        _ => self.declare_target(a, scope),
                    }
                }
            }
            "except_clause" => {
                // `except E as e`: the name follows `as`.
                let mut c = node.walk();
                let mut after_as = false;
                for ch in node.children(&mut c) {
                    if after_as && ch.kind() == "identifier" {
                        self.scopes
                            .declare(scope, self.src.text(ch), Binding::Opaque);
                    }
                    after_as = ch.kind() == "as";
                }
            }
            _ => {}
        }
        let mut c = node.walk();
        for child in node.named_children(&mut c) {
            self.declare(child, scope, cur, class, depth + 1);
        }
    }

    fn record_consts(&mut self, name: String, v: Node) {
        match v.kind() {
            "string" if !self.has_interpolation(v) => {
                self.facts.consts.push((name, self.src.unquote(v)))
            }
            "dictionary" => {
                let mut c = v.walk();
                for p in v.named_children(&mut c) {
                    if let (Some(k), Some(val)) = (p.field("key"), p.field("value")) {
                        if k.kind() == "string"
                            && val.kind() == "string"
                            && !self.has_interpolation(val)
                        {
                            self.facts.consts.push((
                                format!("{name}.{}", self.src.unquote(k)),
                                self.src.unquote(val),
                            ));
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Whether a binding names something the scope chain can place (not an
    /// unknown variable).
    fn known(&self, b: &Binding) -> bool {
        match b {
            Binding::Alias(raw, s) | Binding::Instance(raw, s) => {
                !matches!(self.scopes.resolve(*s, raw), Callee::Var { .. })
            }
            Binding::Opaque => false,
            Binding::Import { .. } | Binding::Def(_) | Binding::Const(_) | Binding::Object(..) => {
                true
            }
        }
    }

    fn declare_target(&mut self, t: Node, scope: ScopeId) {
        match t.kind() {
            "identifier" => {
                let name = self.src.text(t);
                // A `global` name keeps the module's binding inside the function.
                let global = self
                    .globals
                    .get(&scope)
                    .is_some_and(|g| g.iter().any(|g| g == name));
                let scope = if global { self.top } else { scope };
                self.scopes.declare(scope, name, Binding::Opaque)
            }
            "pattern_list" | "tuple_pattern" | "list_pattern" | "as_pattern_target"
            | "list_splat_pattern" => {
                let mut c = t.walk();
                for ch in t.named_children(&mut c) {
                    self.declare_target(ch, scope);
                }
            }
            _ => {}
        }
    }

    fn declare_params(&mut self, params: Node, scope: ScopeId) {
        let mut c = params.walk();
        for p in params.named_children(&mut c) {
            let name = match p.kind() {
                "identifier" => Some(p),
                "typed_parameter" | "list_splat_pattern" | "dictionary_splat_pattern" => {
                    p.named_child(0)
                }
                "default_parameter" | "typed_default_parameter" => p.field("name"),
                _ => None,
            };
            let Some(n) = name.filter(|n| n.kind() == "identifier") else {
                continue;
            };
            // `dest: Path`, `client: httpx.AsyncClient | None`: an instance of the annotated type.
            let ty = p.field("type").and_then(|t| self.simple_type(t));
            let b = match ty.and_then(|t| self.raw_path(t, scope)) {
                Some(raw) => Binding::Instance(raw, scope),
                None => Binding::Opaque,
            };
            self.scopes.declare(scope, self.src.text(n), b);
        }
    }

    /// The class named by a simple annotation: `Path`, `httpx.Client`, `X | None`, `Optional[X]`.
    fn simple_type<'t>(&self, t: Node<'t>) -> Option<Node<'t>> {
        let t = if t.kind() == "type" {
            t.named_child(0)?
        } else {
            t
        };
        match t.kind() {
            "identifier" | "attribute" => {
                let text = self.src.text(t);
                let builtin = matches!(
                    text,
                    "str"
                        | "int"
                        | "float"
                        | "bool"
                        | "bytes"
                        | "dict"
                        | "list"
                        | "tuple"
                        | "set"
                        | "object"
                        | "Any"
                        | "None"
                );
                (!builtin).then_some(t)
            }
            "binary_operator" => self.simple_type(t.field("left")?),
            "generic_type" | "subscript" if self.src.text(t).starts_with("Optional") => {
                let mut c = t.walk();
                let inner = t
                    .named_children(&mut c)
                    .skip(1)
                    .find(|x| x.kind() != "identifier" || self.src.text(*x) != "Optional");
                inner.and_then(|x| self.simple_type(x))
            }
            _ => None,
        }
    }

    fn binding_for_value(&self, v: Node, scope: ScopeId) -> Binding {
        // `Path(x) / "sub" / "file"` stays a path: look through the divisions.
        let mut v = v;
        let mut hops = 0;
        while v.kind() == "binary_operator"
            && v.field("operator").map(|o| self.src.text(o)) == Some("/")
            && hops < 64
        {
            match v.field("left") {
                Some(l) => v = unwrap(l),
                None => break,
            }
            hops += 1;
        }
        if v.kind() == "conditional_expression" {
            if let Some(first) = v.named_child(0) {
                return self.binding_for_value(unwrap(first), scope);
            }
        }
        match v.kind() {
            "string" if !self.has_interpolation(v) => Binding::Const(self.src.unquote(v)),
            "call" => match v.field("function").and_then(|f| self.raw_path(f, scope)) {
                Some(raw) => Binding::Instance(raw, scope),
                None => Binding::Opaque,
            },
            "identifier" | "attribute" => match self.raw_path(v, scope) {
                Some(raw) => Binding::Alias(raw, scope),
                None => Binding::Opaque,
            },
            _ => Binding::Opaque,
        }
    }

    fn has_interpolation(&self, s: Node) -> bool {
        let mut c = s.walk();
        let found = s
            .named_children(&mut c)
            .any(|ch| ch.kind() == "interpolation");
        found
    }

    fn raw_path(&self, n: Node, scope: ScopeId) -> Option<RawPath> {
        self.raw_path_d(n, scope, 0)
    }

    /// Access paths longer than this are not names anyone wrote by hand.
    fn raw_path_d(&self, n: Node, scope: ScopeId, depth: u32) -> Option<RawPath> {
        if depth > 64 {
            return None;
        }
        let n = unwrap(n);
        match n.kind() {
            "identifier" => {
                let name = self.src.text(n);
                if (name == "self" || name == "cls") && self.scopes.class_of(scope).is_some() {
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
            "attribute" => {
                let mut p = self.raw_path_d(n.field("object")?, scope, depth + 1)?;
                p.members
                    .push(self.src.text(n.field("attribute")?).to_string());
                Some(p)
            }
            "subscript" => {
                let mut p = self.raw_path_d(n.field("value")?, scope, depth + 1)?;
                let key = n
                    .field("subscript")
                    .filter(|s| s.kind() == "string" && !self.has_interpolation(*s))
                    .map(|s| self.src.unquote(s));
                p.members.push(key.unwrap_or_else(|| "[]".into()));
                Some(p)
            }
            "call" => {
                let f = n.field("function")?;
                if f.kind() == "identifier" && self.src.text(f) == "super" {
                    return Some(RawPath {
                        root: Root::This,
                        members: vec!["<super>".into()],
                    });
                }
                let mut p = self.raw_path_d(f, scope, depth + 1)?;
                p.members.push("()".into());
                Some(p)
            }
            "binary_operator" if n.field("operator").map(|o| self.src.text(o)) == Some("/") => {
                self.raw_path_d(n.field("left")?, scope, depth + 1)
            }
            _ => None,
        }
    }

    // ---------------------------------------------------------------- pass 2

    fn emit(
        &mut self,
        node: Node,
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
        let (scope, cur) = if matches!(kind, "function_definition" | "lambda" | "class_definition")
        {
            match (self.scope_of.get(&node.id()), self.def_of.get(&node.id())) {
                (Some(s), d) => (*s, d.copied().or(cur)),
                (None, d) => (scope, d.copied().or(cur)),
            }
        } else {
            (scope, cur)
        };
        match kind {
            // Annotations name types, they do not use them.
            "type" => return,
            "call" => {
                self.emit_call(node, scope, cur, labels, None);
                if let Some(f) = node.field("function") {
                    self.emit_chain_inner(f, scope, cur, labels, depth + 1);
                }
                if let Some(a) = node.field("arguments") {
                    self.emit(a, scope, cur, labels, depth + 1);
                }
                return;
            }
            "attribute" | "subscript" => {
                self.emit_access(node, scope, cur, labels);
                self.emit_chain_inner(node, scope, cur, labels, depth + 1);
                return;
            }
            "decorated_definition" => {
                let def_node = node.field("definition");
                let target = def_node.and_then(|d| self.def_of.get(&d.id()).copied());
                let mut c = node.walk();
                for dec in node.named_children(&mut c) {
                    if dec.kind() != "decorator" {
                        continue;
                    }
                    if let Some(e) = dec.named_child(0) {
                        let e = unwrap(e);
                        if e.kind() == "call" {
                            self.emit_call(e, scope, cur, labels, target);
                            if let Some(a) = e.field("arguments") {
                                self.emit(a, scope, cur, labels, depth + 1);
                            }
                        } else if let Some(raw) = self.raw_path(e, scope) {
                            let callee = self.scopes.resolve(scope, &raw);
                            self.push_ref(
                                RefKind::Access,
                                callee,
                                e,
                                Args::default(),
                                cur,
                                labels,
                                target,
                                None,
                            );
                        }
                    }
                }
                if let Some(d) = def_node {
                    self.emit(d, scope, cur, labels, depth + 1);
                }
                return;
            }
            "class_definition" => {
                if let (Some(&def), Some(sup)) =
                    (self.def_of.get(&node.id()), node.field("superclasses"))
                {
                    let mut c = sup.walk();
                    for b in sup.named_children(&mut c) {
                        if let Some(raw) = self.raw_path(b, scope) {
                            let callee = self.scopes.resolve(scope, &raw);
                            self.facts.defs[def as usize].bases.push(callee);
                        }
                    }
                }
            }
            "if_statement" | "elif_clause" => {
                if let Some(cond) = node.field("condition") {
                    let (found, subject) = self.labels_in_condition(cond, scope);
                    if !found.is_empty() {
                        self.emit(cond, scope, cur, labels, depth + 1);
                        if let Some(c) = node.field("consequence") {
                            let names: Vec<String> = found.iter().map(|(l, _)| l.clone()).collect();
                            let line = node.start_position().row as u32 + 1;
                            let outer = self.facts.enter_branch(subject, found, cur, line);
                            self.emit(c, scope, cur, &names, depth + 1);
                            self.facts.leave_branch(outer);
                        }
                        let mut c = node.walk();
                        for alt in node.children_by_field_name("alternative", &mut c) {
                            self.emit(alt, scope, cur, labels, depth + 1);
                        }
                        return;
                    }
                }
            }
            "case_clause" => {
                let mut found = vec![];
                let mut c = node.walk();
                for ch in node.named_children(&mut c) {
                    if ch.kind() == "case_pattern" {
                        self.collect_pattern_labels(ch, scope, &mut found, 0);
                    }
                }
                if !found.is_empty() {
                    // `match arguments["action"]:` holds this clause in its body.
                    let subject = node
                        .parent()
                        .and_then(|b| b.parent())
                        .filter(|m| m.kind() == "match_statement")
                        .and_then(|m| m.field("subject"))
                        .map(|x| self.arg(x, scope, 0))
                        .unwrap_or(Arg::Other);
                    let names: Vec<String> = found.iter().map(|(l, _)| l.clone()).collect();
                    let line = node.start_position().row as u32 + 1;
                    let outer = self.facts.enter_branch(subject, found, cur, line);
                    let mut c = node.walk();
                    for ch in node.named_children(&mut c) {
                        if ch.kind() != "case_pattern" {
                            self.emit(ch, scope, cur, &names, depth + 1);
                        }
                    }
                    self.facts.leave_branch(outer);
                    return;
                }
            }
            "dictionary" => self.record_dict(node, scope, cur),
            "assignment" => {
                self.record_field(node, scope);
                self.record_local(node, scope, cur);
            }
            "return_statement" => {
                if let (Some(v), Some(def)) = (node.named_child(0), cur) {
                    // The instance returned, for calls on the result (`get_client().get()`).
                    let instance = self
                        .raw_path(v, scope)
                        .map(|r| self.scopes.resolve(scope, &r));
                    let named =
                        |c: &Callee| !matches!(c, Callee::Var { .. } | Callee::Dynamic { .. });
                    if let Some(c) = instance.filter(named) {
                        self.facts.defs[def as usize].add_returned(c);
                    }
                    let value = self.arg(v, scope, 0);
                    if matches!(
                        value,
                        Arg::Concat(_)
                            | Arg::Call(..)
                            | Arg::Either(_)
                            | Arg::Path(_)
                            | Arg::Str(_)
                    ) {
                        self.facts.returns.push((def, value));
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

    /// See [`Scopes::local_var`].
    fn local_var(&self, name: &str, scope: ScopeId) -> Option<Arg> {
        self.scopes
            .local_var(name, scope, &self.scope_def, &self.facts.locals)
    }

    /// `name = value`: remember values (string building, calls, reads of other
    /// names) for following values to privileged calls.
    fn record_local(&mut self, node: Node, scope: ScopeId, cur: Option<DefId>) {
        let (Some(l), Some(v)) = (node.field("left"), node.field("right")) else {
            return;
        };
        if l.kind() != "identifier" || v.kind() == "lambda" {
            return;
        }
        let value = self.arg(v, scope, 0);
        if matches!(value, Arg::Other | Arg::Func(_) | Arg::Num | Arg::Bool(_)) {
            return;
        }
        self.facts.locals.push(Local {
            def: cur,
            name: self.src.text(l).to_string(),
            value,
            line: l.start_position().row as u32 + 1,
        });
    }

    /// `self.x = Something(...)` inside a method: remember what `self.x` holds.
    fn record_field(&mut self, node: Node, scope: ScopeId) {
        let (Some(l), Some(v), Some(class)) = (
            node.field("left"),
            node.field("right").map(unwrap),
            self.scopes.class_of(scope),
        ) else {
            return;
        };
        // `Path(x) if x else Path.home() / "f"`: the first branch, through divisions.
        let mut v = v;
        if v.kind() == "conditional_expression" {
            v = v.named_child(0).map(unwrap).unwrap_or(v);
        }
        while v.kind() == "binary_operator" {
            v = match v.field("left") {
                Some(x) => unwrap(x),
                None => break,
            };
        }
        // `self.name = "search"`: a constant of the class (`Class.name`), as a
        // class attribute would be (tool classes name themselves this way).
        if l.kind() == "attribute" && v.kind() == "string" && !self.has_interpolation(v) {
            let on_self = l
                .field("object")
                .is_some_and(|o| self.src.text(o) == "self");
            if let (true, Some(attr)) = (on_self, l.field("attribute")) {
                let key = format!(
                    "{}.{}",
                    self.facts.defs[class as usize].name,
                    self.src.text(attr)
                );
                self.facts.consts.push((key, self.src.unquote(v)));
            }
            return;
        }
        if l.kind() == "attribute" && v.kind() != "call" {
            self.record_annotated_field(node, l, class, scope);
            return;
        }
        if l.kind() != "attribute" || v.kind() != "call" {
            return;
        }
        let is_self = l
            .field("object")
            .map(|o| matches!(self.src.text(o), "self" | "cls"))
            .unwrap_or(false);
        let (true, Some(name), Some(f)) = (is_self, l.field("attribute"), v.field("function"))
        else {
            return;
        };
        self.push_instance_field(class, name, f, scope);
    }

    /// Field `name` of `class` holds an instance of what `of` names (a
    /// constructor called, or a declared type).
    fn push_instance_field(&mut self, class: DefId, name: Node, of: Node, scope: ScopeId) {
        if let Some(mut raw) = self.raw_path(of, scope) {
            raw.members.push("()".into());
            let value = self.scopes.resolve(scope, &raw);
            self.facts.fields.push(Field {
                class,
                name: self.src.text(name).to_string(),
                value,
            });
        }
    }

    /// `self._adapter: NotesAdapter = adapter or FilesystemAdapter(root)`: a
    /// field declared with a class holds an instance of it (or of a subclass).
    fn record_annotated_field(&mut self, node: Node, l: Node, class: DefId, scope: ScopeId) {
        let on_self = l
            .field("object")
            .is_some_and(|o| self.src.text(o) == "self");
        let (true, Some(name), Some(t)) = (on_self, l.field("attribute"), node.field("type"))
        else {
            return;
        };
        if let Some(t) = self.simple_type(t) {
            self.push_instance_field(class, name, t, scope);
        }
    }

    fn emit_chain_inner(
        &mut self,
        n: Node,
        scope: ScopeId,
        cur: Option<DefId>,
        labels: &[String],
        depth: u32,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let n = unwrap(n);
        match n.kind() {
            "attribute" => {
                if let Some(o) = n.field("object") {
                    self.emit_chain_inner(o, scope, cur, labels, depth + 1);
                }
            }
            "subscript" => {
                if let Some(o) = n.field("value") {
                    self.emit_chain_inner(o, scope, cur, labels, depth + 1);
                }
                let mut c = n.walk();
                for s in n.children_by_field_name("subscript", &mut c) {
                    self.emit(s, scope, cur, labels, depth + 1);
                }
            }
            "identifier" => {}
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
        key: Option<String>,
    ) {
        let p = at.start_position();
        self.facts
            .add_ref(kind, callee, p, args, cur, labels, decorates, key);
    }

    fn emit_call(
        &mut self,
        node: Node,
        scope: ScopeId,
        cur: Option<DefId>,
        labels: &[String],
        decorates: Option<DefId>,
    ) {
        let Some(f) = node.field("function") else {
            return;
        };
        let args = node
            .field("arguments")
            .map(|a| self.args(a, scope))
            .unwrap_or_default();
        let callee = match self.raw_path(f, scope) {
            Some(raw) => self.scopes.resolve(scope, &raw),
            None => Callee::Dynamic {
                member: (f.kind() == "attribute")
                    .then(|| f.field("attribute").map(|a| self.src.text(a).to_string()))
                    .flatten(),
            },
        };
        // `HANDLERS[action](arguments)`: a lookup on a computed key, a branch
        // whose values are the table's keys.
        let key = (f.kind() == "subscript")
            .then(|| f.field("subscript"))
            .flatten()
            .filter(|k| k.kind() != "string");
        let entered = key.map(|k| {
            let subject = self.arg(k, scope, 0);
            let line = f.start_position().row as u32 + 1;
            self.facts.enter_branch(subject, vec![], cur, line)
        });
        self.push_ref(RefKind::Call, callee, f, args, cur, labels, decorates, None);
        if let Some(outer) = entered {
            self.facts.leave_branch(outer);
        }
    }

    fn emit_access(&mut self, node: Node, scope: ScopeId, cur: Option<DefId>, labels: &[String]) {
        let Some(raw) = self.raw_path(node, scope) else {
            return;
        };
        if raw.members.is_empty() {
            return;
        }
        let callee = self.scopes.resolve(scope, &raw);
        if !matches!(callee, Callee::Import { .. } | Callee::Global { .. }) {
            return;
        }
        let key = if node.kind() == "subscript" {
            node.field("subscript")
                .filter(|s| s.kind() == "string")
                .map(|s| self.src.unquote(s))
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

    /// String literals compared with `==` or listed after `in` (`name ==
    /// "x" or name in ("y", "z")`), with their lines, and the expression
    /// compared (the first one).
    fn labels_in_condition(&self, cond: Node, scope: ScopeId) -> (Vec<(String, u32)>, Arg) {
        let mut out = vec![];
        let mut subject = None;
        self.collect_eq_labels(unwrap(cond), scope, &mut out, &mut subject, 0);
        let subject = subject.map(|n| self.arg(n, scope, 0)).unwrap_or(Arg::Other);
        (out, subject)
    }

    fn collect_eq_labels<'n>(
        &self,
        n: Node<'n>,
        scope: ScopeId,
        out: &mut Vec<(String, u32)>,
        subject: &mut Option<Node<'n>>,
        depth: u32,
    ) {
        if depth > 8 {
            return;
        }
        let line = |x: Node| x.start_position().row as u32 + 1;
        match n.kind() {
            "boolean_operator" if n.field("operator").map(|o| self.src.text(o)) == Some("or") => {
                for f in ["left", "right"] {
                    if let Some(x) = n.field(f) {
                        self.collect_eq_labels(unwrap(x), scope, out, subject, depth + 1);
                    }
                }
            }
            "comparison_operator" => {
                let mut c = n.walk();
                let ops: Vec<&str> = n
                    .children_by_field_name("operators", &mut c)
                    .map(|o| self.src.text(o))
                    .collect();
                if ops.len() != 1 {
                    return;
                }
                let (Some(l), Some(r)) = (n.named_child(0), n.named_child(1)) else {
                    return;
                };
                let subject_ok = |x: Node| {
                    matches!(x.kind(), "identifier" | "attribute" | "subscript" | "call")
                        && !self.src.text(x).starts_with("__")
                };
                match ops[0] {
                    "==" => {
                        for (a, b) in [(l, r), (r, l)] {
                            if subject_ok(b) {
                                if let Some(s) = self.label_value(a, scope) {
                                    out.push((s, line(a)));
                                    subject.get_or_insert(b);
                                    return;
                                }
                            }
                        }
                    }
                    "in" if subject_ok(l) && matches!(r.kind(), "tuple" | "list" | "set") => {
                        let mut c = r.walk();
                        for x in r.named_children(&mut c) {
                            if let Some(s) = self.label_value(x, scope) {
                                out.push((s, line(x)));
                                subject.get_or_insert(l);
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn label_value(&self, v: Node, scope: ScopeId) -> Option<String> {
        match v.kind() {
            "string" if !self.has_interpolation(v) => Some(self.src.unquote(v)),
            "identifier" => self.scopes.const_str(scope, self.src.text(v)),
            // `Tools.SEARCH` / `Tools.SEARCH.value`, a class constant of this file.
            "attribute" => {
                let text = self.src.text(v);
                let key = text.strip_suffix(".value").unwrap_or(text);
                self.facts
                    .consts
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, s)| s.clone())
            }
            _ => None,
        }
    }

    fn collect_pattern_labels(
        &self,
        n: Node,
        scope: ScopeId,
        out: &mut Vec<(String, u32)>,
        depth: u32,
    ) {
        if depth > 6 {
            return;
        }
        if n.kind() == "string" {
            if let Some(s) = self.label_value(n, scope) {
                out.push((s, n.start_position().row as u32 + 1));
            }
            return;
        }
        if matches!(n.kind(), "case_pattern" | "union_pattern" | "as_pattern") {
            let mut c = n.walk();
            for ch in n.named_children(&mut c) {
                self.collect_pattern_labels(ch, scope, out, depth + 1);
            }
        }
    }

    fn args(&self, list: Node, scope: ScopeId) -> Args {
        self.args_at(list, scope, 0)
    }

    /// Arguments of a call nested in a value: they keep its depth, so
    /// `f(f(f(...)))` stops at the cap instead of starting over at each level.
    fn args_at(&self, list: Node, scope: ScopeId, depth: u32) -> Args {
        let mut out = Args::default();
        let mut c = list.walk();
        for a in list.named_children(&mut c) {
            match a.kind() {
                "keyword_argument" => {
                    if let (Some(n), Some(v)) = (a.field("name"), a.field("value")) {
                        out.kw
                            .push((self.src.text(n).to_string(), self.arg(v, scope, depth)));
                    }
                }
                "comment" => {}
                _ => out.pos.push(self.arg(a, scope, depth)),
            }
            if out.pos.len() + out.kw.len() >= 12 {
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
            "string" => self.string_arg(a, scope, depth),
            "concatenated_string" => {
                let mut c = a.walk();
                let parts: Vec<Node> = a.named_children(&mut c).collect();
                parts.into_iter().fold(Arg::Str(String::new()), |acc, p| {
                    concat(acc, self.string_arg(p, scope, depth))
                })
            }
            "true" => Arg::Bool(true),
            "false" => Arg::Bool(false),
            "integer" => self.src.text(a).parse().map_or(Arg::Num, Arg::Int),
            "float" => Arg::Num,
            "list" | "tuple" => Arg::List({
                let mut c = a.walk();
                a.named_children(&mut c)
                    .take(16)
                    .map(|x| self.arg(x, scope, depth + 1).as_str().map(str::to_string))
                    .collect()
            }),
            "lambda" => self
                .def_of
                .get(&a.id())
                .map(|d| Arg::Func(*d))
                .unwrap_or(Arg::Other),
            "identifier" => {
                if let Some(s) = self.scopes.const_str(scope, self.src.text(a)) {
                    return Arg::Str(s);
                }
                if let Some(v) = self.local_var(self.src.text(a), scope) {
                    return v;
                }
                match self.raw_path(a, scope) {
                    Some(raw) => Arg::Path(self.scopes.resolve(scope, &raw)),
                    None => Arg::Other,
                }
            }
            "attribute" | "subscript" => match self.raw_path(a, scope) {
                Some(raw) => Arg::Path(self.scopes.resolve(scope, &raw)),
                None => Arg::Other,
            },
            // A value built by a call (`os.path.join(...)`, `os.getenv("X", "d")`):
            // the callee and its positional arguments.
            "call" if depth < 4 => {
                let Some(raw) = a.field("function").and_then(|f| self.raw_path(f, scope)) else {
                    return Arg::Other;
                };
                let args = a
                    .field("arguments")
                    .filter(|l| l.kind() == "argument_list")
                    .map(|l| self.args_at(l, scope, depth + 1).pos)
                    .unwrap_or_default();
                Arg::Call(self.scopes.resolve(scope, &raw), args)
            }
            "boolean_operator" if a.field("operator").map(|o| self.src.text(o)) == Some("or") => {
                match (a.field("left"), a.field("right")) {
                    (Some(l), Some(r)) => Arg::Either(vec![
                        self.arg(l, scope, depth + 1),
                        self.arg(r, scope, depth + 1),
                    ]),
                    _ => Arg::Other,
                }
            }
            // `asyncio.gather(fetch_a())`, `run_in_executor(None, f)`: a call passed
            // along still names its callee for the call graph.
            "binary_operator" => {
                let op = a.field("operator").map(|o| self.src.text(o));
                let (Some(l), Some(r)) = (a.field("left"), a.field("right")) else {
                    return Arg::Other;
                };
                let (l, r) = (self.arg(l, scope, depth + 1), self.arg(r, scope, depth + 1));
                match op {
                    Some("+") => concat(l, r),
                    // `Path.home() / ".x"`: a path join.
                    Some("/") => concat(concat(l, Arg::Str("/".into())), r),
                    _ => Arg::Other,
                }
            }
            "dictionary" if depth < 2 => Arg::Obj(self.dict_props(a, scope, depth + 1)),
            _ => Arg::Other,
        }
    }

    /// A string literal; an f-string is its parts joined.
    fn string_arg(&self, s: Node, scope: ScopeId, depth: u32) -> Arg {
        if !self.has_interpolation(s) {
            return Arg::Str(self.src.unquote(s));
        }
        let mut out = Arg::Str(String::new());
        let mut c = s.walk();
        for ch in s.named_children(&mut c) {
            let part = match ch.kind() {
                "string_content" | "escape_sequence" => Arg::Str(self.src.text(ch).to_string()),
                "interpolation" => ch
                    .field("expression")
                    .or_else(|| ch.named_child(0))
                    .map_or(Arg::Other, |e| self.arg(e, scope, depth + 1)),
                _ => continue,
            };
            out = concat(out, part);
        }
        out
    }

    fn dict_props(&self, d: Node, scope: ScopeId, depth: u32) -> Vec<(String, Arg)> {
        let mut out = vec![];
        let mut c = d.walk();
        for p in d.named_children(&mut c) {
            if p.kind() != "pair" {
                continue;
            }
            if let (Some(k), Some(v)) = (p.field("key"), p.field("value")) {
                if k.kind() == "string" {
                    out.push((self.src.unquote(k), self.arg(v, scope, depth)));
                }
            }
            if out.len() >= 64 {
                break;
            }
        }
        out
    }

    fn record_dict(&mut self, node: Node, scope: ScopeId, cur: Option<DefId>) {
        let props = self.dict_props(node, scope, 1);
        let has_name = props
            .iter()
            .any(|(k, v)| k == "name" && matches!(v, Arg::Str(_) | Arg::Path(_)));
        let has_callable = props.iter().any(|(_, v)| {
            matches!(
                v,
                Arg::Func(_)
                    | Arg::Path(
                        Callee::Def { .. } | Callee::Import { .. } | Callee::SelfMember { .. }
                    )
            )
        });
        if !has_name && !has_callable {
            return;
        }
        let binding = node
            .parent()
            .filter(|p| p.kind() == "assignment" && scope == self.top)
            .and_then(|p| p.field("left"))
            .filter(|l| l.kind() == "identifier")
            .map(|l| self.src.text(l).to_string());
        let name_line = {
            let mut c = node.walk();
            let found = node.named_children(&mut c).find(|p| {
                p.kind() == "pair"
                    && p.field("key").map(|k| self.src.unquote(k)).as_deref() == Some("name")
            });
            found
                .map(|p| p.start_position().row as u32 + 1)
                .unwrap_or(0)
        };
        let prop_lines = {
            let mut c = node.walk();
            let lines: Vec<u32> = node
                .named_children(&mut c)
                .filter(|p| {
                    p.kind() == "pair"
                        && p.field("key")
                            .map(|k| k.kind() == "string")
                            .unwrap_or(false)
                })
                .map(|p| p.start_position().row as u32 + 1)
                .collect();
            lines
        };
        self.facts.objects.push(ObjLit {
            binding,
            line: node.start_position().row as u32 + 1,
            in_def: cur,
            props,
            name_line,
            prop_lines,
            computed: vec![],
        });
    }
}
