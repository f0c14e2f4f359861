//! TypeScript / TSX / JavaScript adapter.

use crate::ir::*;
use crate::scope::{Binding, RawPath, Root, ScopeId, Scopes};
use crate::text::{FieldExt, Src};
use rustc_hash::FxHashMap as HashMap;
use tree_sitter::{Node, Tree};

/// Nesting beyond this is not descended (deeply nested minified code).
const MAX_DEPTH: u32 = 400;

pub fn extract<'a>(tree: &'a Tree, src: &'a str) -> FileFacts {
    let mut cx = Cx {
        src: Src(src),
        scopes: Scopes::default(),
        facts: FileFacts::default(),
        scope_of: HashMap::default(),
        def_of: HashMap::default(),
        scope_def: HashMap::default(),
        name_hint: HashMap::default(),
        bind_in: HashMap::default(),
        cursors: vec![],
        bufs: vec![],
        aliases: vec![],
    };
    let root = tree.root_node();
    let top = cx.scopes.new_scope(None, None);
    cx.declare(root, top, None, None, 0);
    cx.emit(root, top, None, &[], 0);
    cx.drop_called_aliases();
    if cx.facts.syntax_errors == 0 && root.has_error() {
        cx.facts.syntax_errors = 1;
    }
    cx.facts
}

struct Cx<'a> {
    src: Src<'a>,
    scopes: Scopes,
    facts: FileFacts,
    /// Function-like node id → the scope of its parameters and body.
    scope_of: HashMap<usize, ScopeId>,
    /// Function-like or class node id → its definition.
    def_of: HashMap<usize, DefId>,
    /// The definition whose body a scope is (module scope: none).
    scope_def: HashMap<ScopeId, DefId>,
    /// Function-like node id → the name it is bound to (`const f = () => …`).
    name_hint: HashMap<usize, String>,
    /// Function-like node id → the scope where its hinted name is declared.
    bind_in: HashMap<usize, ScopeId>,
    /// One cursor and one child buffer per depth, reused for every node: the two
    /// walks visit every node, and a fresh cursor per node was most of their cost.
    cursors: Vec<tree_sitter::TreeCursor<'a>>,
    bufs: Vec<Vec<Node<'a>>>,
    /// Places where a function is stored under another name (see [`Alias`]).
    aliases: Vec<Alias>,
}

/// `const httpGet = globalThis.fetch` / `this.#fetch = impl ?? fetch`: a
/// global or module function kept under another name. Reading it there is
/// no use of it; calling `called_as` is. The refs emitted for the value are
/// `refs[start..end]`.
struct Alias {
    start: usize,
    end: usize,
    called_as: Callee,
    value: Callee,
}

fn is_function(kind: &str) -> bool {
    matches!(
        kind,
        "function_declaration"
            | "generator_function_declaration"
            | "function_expression"
            | "function"
            | "arrow_function"
            | "generator_function"
            | "method_definition"
    )
}

fn is_class(kind: &str) -> bool {
    matches!(
        kind,
        "class_declaration" | "class" | "abstract_class_declaration"
    )
}

/// Strip wrappers that do not change a value: `(x)`, `await x`, `x!`, `x as T`.
fn unwrap(mut n: Node) -> Node {
    loop {
        match n.kind() {
            // `(0, mod_1.fn)(...)`: TypeScript's CommonJS output calls through a sequence.
            "sequence_expression" => match n.named_child(n.named_child_count().saturating_sub(1)) {
                Some(c) => n = c,
                None => return n,
            },
            "parenthesized_expression"
            | "await_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression"
            | "type_assertion" => match n.named_child(0) {
                Some(c) if c.kind() != "type_annotation" => n = c,
                _ => return n,
            },
            _ => return n,
        }
    }
}

impl<'a> Cx<'a> {
    fn new_def(&mut self, name: String, kind: DefKind, node: Node, parent: Option<DefId>) -> DefId {
        let id = self.facts.defs.len() as DefId;
        if let Some(scope) = self.bind_in.remove(&node.id()) {
            self.scopes.declare(scope, &name, Binding::Def(id));
        }
        self.facts.add_def(
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

    /// The named children of `node`, in a buffer owned by `depth` (give it back with `give_back`).
    fn kids(&mut self, node: Node<'a>, depth: u32) -> Vec<Node<'a>> {
        let d = depth as usize;
        while self.cursors.len() <= d {
            self.cursors.push(node.walk());
            self.bufs.push(vec![]);
        }
        let mut buf = std::mem::take(&mut self.bufs[d]);
        buf.clear();
        let c = &mut self.cursors[d];
        c.reset(node);
        if c.goto_first_child() {
            loop {
                let n = c.node();
                if n.is_named() {
                    buf.push(n);
                }
                if !c.goto_next_sibling() {
                    break;
                }
            }
        }
        buf
    }

    fn give_back(&mut self, buf: Vec<Node<'a>>, depth: u32) {
        self.bufs[depth as usize] = buf;
    }

    fn declare(
        &mut self,
        node: Node<'a>,
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
        if skip_subtree(kind) {
            return;
        }
        if is_function(kind) {
            let (name, dkind) = if kind == "method_definition" {
                let n = node
                    .field("name")
                    .map(|n| self.src.text(n).trim_start_matches('#').to_string())
                    .unwrap_or_default();
                (
                    n,
                    if class.is_some() {
                        DefKind::Method
                    } else {
                        DefKind::Function
                    },
                )
            } else if let Some(n) = node.field("name") {
                (
                    self.src.text(n).to_string(),
                    if class.is_some() && kind != "function_declaration" {
                        DefKind::Method
                    } else {
                        DefKind::Function
                    },
                )
            } else if let Some(h) = self.name_hint.get(&node.id()) {
                (
                    h.clone(),
                    if class.is_some() {
                        DefKind::Method
                    } else {
                        DefKind::Function
                    },
                )
            } else {
                (String::new(), DefKind::Anonymous)
            };
            let parent = if dkind == DefKind::Method {
                class.or(cur)
            } else {
                cur
            };
            let def = self.new_def(name.clone(), dkind, node, parent);
            if matches!(
                kind,
                "function_declaration" | "generator_function_declaration"
            ) && !name.is_empty()
            {
                self.scopes.declare(scope, &name, Binding::Def(def));
            }
            let class_for_body = if dkind == DefKind::Method {
                class
            } else {
                None
            };
            let inner = self.scopes.new_scope(Some(scope), class_for_body);
            // A method body does not see its class's scope for `this`, but a
            // nested arrow keeps the enclosing `this`: new_scope inherits it.
            self.scope_of.insert(node.id(), inner);
            self.scope_def.insert(inner, def);
            if let Some(p) = node.field("parameters") {
                self.declare_params(p, inner);
                let mut c = p.walk();
                let names: Vec<String> = p
                    .named_children(&mut c)
                    .filter(|x| x.kind() != "comment")
                    .map(|x| self.param_name(x))
                    .collect();
                self.facts.defs[def as usize].params = names;
                let mut out = vec![];
                let mut c = p.walk();
                let params = p.named_children(&mut c).filter(|x| x.kind() != "comment");
                for (i, x) in params.enumerate() {
                    self.destructured(x, i as u32, &mut vec![], &mut out, 0);
                }
                self.facts.defs[def as usize].destructured = out;
            }
            if let Some(p) = node.field("parameter") {
                self.declare_pattern(p, inner, None);
                self.facts.defs[def as usize].params = vec![self.src.text(p).to_string()];
            }
            if let Some(body) = node.field("body") {
                self.declare(body, inner, Some(def), None, depth + 1);
            }
            return;
        }
        if is_class(kind) {
            let name = node
                .field("name")
                .map(|n| self.src.text(n).to_string())
                .or_else(|| self.name_hint.get(&node.id()).cloned())
                .unwrap_or_default();
            let def = self.new_def(name.clone(), DefKind::Class, node, cur);
            if kind != "class" && !name.is_empty() {
                self.scopes.declare(scope, &name, Binding::Def(def));
            }
            if let Some(body) = node.field("body") {
                self.declare(body, scope, Some(def), Some(def), depth + 1);
            }
            return;
        }
        match kind {
            "public_field_definition" | "field_definition" => {
                let name_node = node.field("name").or_else(|| node.field("property"));
                if let (Some(n), Some(v)) = (name_node, node.field("value")) {
                    let v = unwrap(v);
                    if is_function(v.kind()) {
                        self.name_hint
                            .insert(v.id(), self.src.text(n).trim_start_matches('#').to_string());
                    }
                }
            }
            "variable_declarator" => self.declare_var(node, scope),
            "import_statement" => self.declare_import(node, scope),
            "catch_clause" => {
                if let Some(p) = node.field("parameter") {
                    self.declare_pattern(p, scope, None);
                }
            }
            "for_in_statement" => {
                if let Some(l) = node.field("left") {
                    if node.field("kind").is_some() {
                        self.declare_pattern(l, scope, None);
                    }
                }
            }
            "assignment_expression" => {
                self.bind_assigned_instance(node, scope);
                // `server.registerOnce = (name, …) => {…}`: the function is that member.
                if let (Some(l), Some(r)) = (node.field("left"), node.field("right")) {
                    let r = unwrap(r);
                    if l.kind() == "member_expression" && is_function(r.kind()) {
                        if let Some(p) = l.field("property") {
                            self.name_hint.insert(
                                r.id(),
                                self.src.text(p).trim_start_matches('#').to_string(),
                            );
                        }
                    }
                }
            }
            "pair" => {
                // `{ handler: async () => … }` — name the function after its key.
                if let (Some(k), Some(v)) = (node.field("key"), node.field("value")) {
                    let v = unwrap(v);
                    if is_function(v.kind()) {
                        self.name_hint.insert(v.id(), self.src.unquote(k));
                    }
                }
            }
            _ => {}
        }
        let kids = self.kids(node, depth);
        for &child in &kids {
            self.declare(child, scope, cur, class, depth + 1);
        }
        self.give_back(kids, depth);
    }

    /// The name a parameter binds, or "" when it is destructured.
    fn param_name(&self, p: Node) -> String {
        match p.kind() {
            "identifier" => self.src.text(p).to_string(),
            "required_parameter" | "optional_parameter" => p
                .field("pattern")
                .filter(|x| x.kind() == "identifier")
                .map(|x| self.src.text(x).to_string())
                .unwrap_or_default(),
            "assignment_pattern" => p
                .field("left")
                .filter(|x| x.kind() == "identifier")
                .map(|x| self.src.text(x).to_string())
                .unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// Names a destructured parameter binds, with the member path each reads.
    fn destructured(
        &self,
        p: Node,
        index: u32,
        path: &mut Vec<String>,
        out: &mut Vec<(String, u32, Vec<String>)>,
        depth: u32,
    ) {
        if depth > 8 {
            return;
        }
        match p.kind() {
            "required_parameter" | "optional_parameter" => {
                if let Some(x) = p.field("pattern").filter(|x| x.kind() == "object_pattern") {
                    self.destructured(x, index, path, out, depth + 1);
                }
            }
            "object_pattern" => {
                let mut c = p.walk();
                for x in p.named_children(&mut c) {
                    self.destructured(x, index, path, out, depth + 1);
                }
            }
            "shorthand_property_identifier_pattern" => {
                let name = self.src.text(p).to_string();
                let mut full = path.clone();
                full.push(name.clone());
                out.push((name, index, full));
            }
            "object_assignment_pattern" => {
                if let Some(x) = p.field("left") {
                    self.destructured(x, index, path, out, depth + 1);
                }
            }
            "pair_pattern" => {
                let (Some(k), Some(v)) = (p.field("key"), p.field("value")) else {
                    return;
                };
                path.push(self.src.unquote(k));
                let v = match v.kind() {
                    "assignment_pattern" => v.field("left").unwrap_or(v),
                    _ => v,
                };
                if v.kind() == "identifier" {
                    out.push((self.src.text(v).to_string(), index, path.clone()));
                } else {
                    self.destructured(v, index, path, out, depth + 1);
                }
                path.pop();
            }
            _ => {}
        }
    }

    /// See [`Scopes::local_var`].
    fn local_var(&self, name: &str, scope: ScopeId) -> Option<Arg> {
        self.scopes
            .local_var(name, scope, &self.scope_def, &self.facts.locals)
    }

    /// Remember a value a function returns (only values worth following).
    fn record_return(&mut self, v: Option<Node>, scope: ScopeId, cur: Option<DefId>) {
        let (Some(v), Some(def)) = (v, cur) else {
            return;
        };
        // The instance returned, for calls on the result (`getClient().get()`).
        // `return (this.x ??= new X())`: the assigned value.
        let returned = match unwrap(v) {
            a if a.kind().ends_with("assignment_expression") => a.field("right").unwrap_or(a),
            a => a,
        };
        let raw = self.raw_path(unwrap(returned));
        let instance = raw.map(|r| self.scopes.resolve(scope, &r));
        if let Some(c) =
            instance.filter(|c| !matches!(c, Callee::Var { .. } | Callee::Dynamic { .. }))
        {
            self.facts.defs[def as usize].add_returned(c);
        }
        let value = self.arg(unwrap(v), scope, 0);
        if matches!(
            value,
            Arg::Concat(_) | Arg::Call(..) | Arg::Either(_) | Arg::Path(_) | Arg::Str(_)
        ) {
            self.facts.returns.push((def, value));
        }
    }

    /// Remember what a variable was initialised with, when it is a value
    /// (string building, a call, a read of another name), not a function.
    fn record_local(&mut self, name: Node, v: Node, scope: ScopeId, cur: Option<DefId>) {
        if name.kind() != "identifier" || is_function(v.kind()) || is_class(v.kind()) {
            return;
        }
        let value = self.arg(v, scope, 0);
        if matches!(value, Arg::Other | Arg::Func(_) | Arg::Num | Arg::Bool(_)) {
            return;
        }
        self.facts.locals.push(Local {
            def: cur,
            name: self.src.text(name).to_string(),
            value,
            line: name.start_position().row as u32 + 1,
        });
    }

    fn declare_params(&mut self, params: Node, scope: ScopeId) {
        let mut c = params.walk();
        for p in params.named_children(&mut c) {
            self.declare_pattern(p, scope, None);
        }
    }

    /// Declare every name bound by a pattern. With `from`, object-pattern keys
    /// are members of that path (`const { exec } = require("child_process")`).
    fn declare_pattern(&mut self, p: Node, scope: ScopeId, from: Option<&Binding>) {
        match p.kind() {
            "identifier" | "shorthand_property_identifier_pattern" => {
                let name = self.src.text(p).to_string();
                let b = match from {
                    Some(b) => member_of(b, &name),
                    None => Binding::Opaque,
                };
                self.scopes.declare(scope, &name, b);
            }
            "required_parameter" | "optional_parameter" => {
                if let Some(x) = p.field("pattern").or_else(|| p.field("name")) {
                    self.declare_pattern(x, scope, None);
                }
            }
            "assignment_pattern" | "object_assignment_pattern" => {
                if let Some(x) = p.field("left") {
                    self.declare_pattern(x, scope, from);
                }
            }
            "pair_pattern" => {
                if let (Some(k), Some(v)) = (p.field("key"), p.field("value")) {
                    let key = self.src.unquote(k);
                    match from {
                        Some(b) => {
                            let inner = member_of(b, &key);
                            self.declare_pattern(
                                v,
                                scope,
                                Some(&inner)
                                    .filter(|_| v.kind() == "object_pattern")
                                    .map(|x| x as &Binding),
                            );
                            if v.kind() == "identifier" {
                                let name = self.src.text(v).to_string();
                                self.scopes.declare(scope, &name, inner);
                            }
                        }
                        None => self.declare_pattern(v, scope, None),
                    }
                }
            }
            "object_pattern" => {
                let mut c = p.walk();
                for x in p.named_children(&mut c) {
                    self.declare_pattern(x, scope, from);
                }
            }
            "rest_pattern" | "array_pattern" => {
                let mut c = p.walk();
                for x in p.named_children(&mut c) {
                    self.declare_pattern(x, scope, None);
                }
            }
            _ => {}
        }
    }

    fn declare_var(&mut self, node: Node, scope: ScopeId) {
        let Some(name) = node.field("name") else {
            return;
        };
        let value = node.field("value").map(unwrap);
        if let (0, "identifier", Some(v)) = (scope, name.kind(), value) {
            self.record_consts(self.src.text(name).to_string(), v);
        }
        let binding = match value {
            None => Binding::Opaque,
            Some(v) => self.binding_for_value(v, scope),
        };
        if name.kind() == "identifier" {
            if let Some(v) = value {
                if is_function(v.kind()) || is_class(v.kind()) {
                    // The def is created when pass 1 descends into the value.
                    self.name_hint
                        .insert(v.id(), self.src.text(name).to_string());
                    self.bind_in.insert(v.id(), scope);
                    return;
                }
            }
            let n = self.src.text(name).to_string();
            self.scopes.declare(scope, &n, binding);
        } else {
            let from = match &binding {
                Binding::Opaque | Binding::Const(_) => None,
                b => Some(b.clone()),
            };
            self.declare_pattern(name, scope, from.as_ref());
        }
    }

    /// Module-level string constants and objects of them (tool names live there).
    /// The object literal a validating call returns as it was given: the one
    /// argument of `Schema.parse(…)`, `defineTool(…)`, `Object.freeze(…)`.
    fn validated_literal<'n>(&self, call: Node<'n>) -> Option<Node<'n>> {
        let f = call.field("function")?;
        let callee = match f.kind() {
            "member_expression" => self.src.text(f.field("property")?),
            "identifier" => self.src.text(f),
            _ => return None,
        };
        let wraps = matches!(callee, "parse" | "freeze")
            || callee.starts_with("define")
            || callee.starts_with("create") && callee.ends_with("Tool");
        let args = call.field("arguments")?;
        let only = (args.named_child_count() == 1)
            .then(|| args.named_child(0))
            .flatten()?;
        (wraps && unwrap(only).kind() == "object").then(|| unwrap(only))
    }

    fn record_consts(&mut self, name: String, v: Node) {
        match v.kind() {
            "string" => self.facts.consts.push((name, self.src.unquote(v))),
            "template_string" if !has_substitution(v) => {
                self.facts.consts.push((name, self.src.unquote(v)))
            }
            "object" => {
                let mut c = v.walk();
                for p in v.named_children(&mut c) {
                    if p.kind() != "pair" {
                        continue;
                    }
                    if let (Some(k), Some(val)) = (p.field("key"), p.field("value")) {
                        let val = unwrap(val);
                        if val.kind() == "string"
                            || (val.kind() == "template_string" && !has_substitution(val))
                        {
                            self.facts.consts.push((
                                format!("{name}.{}", self.src.unquote(k)),
                                self.src.unquote(val),
                            ));
                        }
                    }
                }
            }
            // `z.object({ name: z.literal("search"), … })`: the schema's literal
            // fields, read as `X.shape.name.value` (or `.shape.name._def.value`).
            "call_expression" => {
                let Some(fields) = self.zod_object_fields(v) else {
                    // `ToolSchema.parse({ name: "x", … })`, `defineTool({ … })`: a
                    // validating wrapper returns the literal it is given.
                    if let Some(obj) = self.validated_literal(v) {
                        self.record_consts(name, obj);
                    }
                    return;
                };
                let mut c = fields.walk();
                for p in fields.named_children(&mut c) {
                    let (Some(k), Some(val)) = (p.field("key"), p.field("value")) else {
                        continue;
                    };
                    if p.kind() != "pair" || !matches!(k.kind(), "property_identifier" | "string") {
                        continue;
                    }
                    if let Some(lit) = self.zod_literal(unwrap(val)) {
                        let key = format!("{name}.shape.{}", self.src.unquote(k));
                        self.facts.consts.push((format!("{key}._def"), lit.clone()));
                        self.facts.consts.push((key, lit));
                    }
                }
            }
            _ => {}
        }
    }

    /// `OpenTool.shape.name.value`: a string recorded for a module variable
    /// that holds a call's result (a zod schema of literals, see
    /// `record_consts`). Such a path resolves to the call, not to the
    /// variable, so the linker could not find the constant by name.
    fn instance_const(&self, raw: &RawPath, scope: ScopeId) -> Option<String> {
        let Root::Name(name) = &raw.root else {
            return None;
        };
        let (Binding::Instance(..), 0) = self.scopes.lookup(scope, name)? else {
            return None;
        };
        let mut members = raw.members.as_slice();
        if let [rest @ .., last] = members {
            if last == "value" {
                members = rest;
            }
        }
        if members.is_empty() {
            return None;
        }
        let key = format!("{name}.{}", members.join("."));
        self.facts
            .consts
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    }

    /// The object literal of `z.object({ … })` (also behind `.strict()`,
    /// `.describe(…)` and other chained schema methods).
    fn zod_object_fields<'t>(&self, v: Node<'t>) -> Option<Node<'t>> {
        let mut v = v;
        for _ in 0..8 {
            let f = v.field("function")?;
            if f.kind() != "member_expression" {
                return None;
            }
            let prop = self.src.text(f.field("property")?);
            let obj = unwrap(f.field("object")?);
            if matches!(prop, "object" | "strictObject" | "looseObject")
                && obj.kind() == "identifier"
            {
                let first = v.field("arguments")?.named_child(0).map(unwrap)?;
                return (first.kind() == "object").then_some(first);
            }
            if obj.kind() != "call_expression" {
                return None;
            }
            v = obj;
        }
        None
    }

    /// The string of `z.literal("search")`.
    fn zod_literal(&self, v: Node) -> Option<String> {
        if v.kind() != "call_expression" {
            return None;
        }
        let f = v.field("function")?;
        if f.kind() != "member_expression"
            || self.src.text(f.field("property")?) != "literal"
            || unwrap(f.field("object")?).kind() != "identifier"
        {
            return None;
        }
        let a = v.field("arguments")?.named_child(0).map(unwrap)?;
        let plain = a.kind() == "string" || a.kind() == "template_string" && !has_substitution(a);
        plain.then(|| self.src.unquote(a))
    }

    /// `let adapter = null; … adapter = createAdapter(type)`: a variable
    /// declared without a known value holds what it is first assigned from a
    /// call or `new`, wherever the assignment is (an init function), so
    /// `adapter.all()` elsewhere is a call on that result.
    fn bind_assigned_instance(&mut self, node: Node, scope: ScopeId) {
        let (Some(l), Some(r)) = (node.field("left"), node.field("right")) else {
            return;
        };
        let r = unwrap(r);
        if l.kind() != "identifier" || !matches!(r.kind(), "call_expression" | "new_expression") {
            return;
        }
        let name = self.src.text(l);
        let Some((Binding::Opaque, declared_in)) = self.scopes.lookup(scope, name) else {
            return;
        };
        let b = self.binding_for_value(r, scope);
        if matches!(b, Binding::Instance(..)) {
            self.scopes.declare(declared_in, name, b);
        }
    }

    fn binding_for_value(&mut self, v: Node, scope: ScopeId) -> Binding {
        match v.kind() {
            "string" => Binding::Const(self.src.unquote(v)),
            "template_string" if v.named_child_count() <= 1 && !has_substitution(v) => {
                Binding::Const(self.src.unquote(v))
            }
            "call_expression" | "new_expression" => {
                if let Some(m) = self.module_call(v) {
                    return Binding::Import {
                        module: m,
                        path: vec![],
                    };
                }
                let f = v.field("function").or_else(|| v.field("constructor"));
                // `promisify(execFile)` / `fn.bind(x)` is the same function, not its result.
                if let Some(inner) = f.and_then(|f| self.wrapped_function(v, f)) {
                    return Binding::Alias(inner, scope);
                }
                match f.and_then(|f| self.raw_path(f)) {
                    Some(raw) => Binding::Instance(raw, scope),
                    None => Binding::Opaque,
                }
            }
            "identifier" | "member_expression" | "subscript_expression" => match self.raw_path(v) {
                Some(raw) => match raw.root {
                    Root::Module(m) if raw.members.is_empty() => Binding::Import {
                        module: m,
                        path: vec![],
                    },
                    Root::Module(m) => Binding::Import {
                        module: m,
                        path: raw.members,
                    },
                    _ => Binding::Alias(raw, scope),
                },
                None => Binding::Opaque,
            },
            "object" => self.object_binding(v, scope),
            _ => Binding::Opaque,
        }
    }

    /// An object literal's members that name other values (`{ handler: run }`,
    /// `{ run }`), so `k.handler(…)` calls `run`: a tool description kept in a
    /// variable and called through (`var k = { name, handler: Bt }`, then
    /// `k.handler(args)`).
    fn object_binding(&self, v: Node, scope: ScopeId) -> Binding {
        let mut props = vec![];
        let mut c = v.walk();
        for p in v.named_children(&mut c).take(64) {
            let (key, value) = match p.kind() {
                "pair" => match (p.field("key"), p.field("value").map(unwrap)) {
                    (Some(k), Some(val))
                        if matches!(k.kind(), "property_identifier" | "string")
                            && val.kind() == "identifier" =>
                    {
                        let key = match k.kind() {
                            "string" => self.src.unquote(k),
                            _ => self.src.text(k).to_string(),
                        };
                        (key, self.src.text(val).to_string())
                    }
                    _ => continue,
                },
                "shorthand_property_identifier" => {
                    let n = self.src.text(p).to_string();
                    (n.clone(), n)
                }
                _ => continue,
            };
            props.push((
                key,
                RawPath {
                    root: Root::Name(value),
                    members: vec![],
                },
            ));
        }
        if props.is_empty() {
            Binding::Opaque
        } else {
            Binding::Object(props, scope)
        }
    }

    /// The function wrapped by `promisify(f)`, `util.promisify(f)` or `f.bind(x)`.
    fn wrapped_function(&self, call: Node, f: Node) -> Option<RawPath> {
        let name = match f.kind() {
            "identifier" => self.src.text(f),
            "member_expression" => self.src.text(f.field("property")?),
            _ => return None,
        };
        match name {
            "promisify" => self.raw_path(call.field("arguments")?.named_child(0)?),
            "bind" if f.kind() == "member_expression" => self.raw_path(f.field("object")?),
            _ => None,
        }
    }

    fn declare_import(&mut self, node: Node, scope: ScopeId) {
        // `import type { X } from "y"` carries no behaviour.
        let mut c = node.walk();
        if node.children(&mut c).any(|ch| ch.kind() == "type") {
            return;
        }
        let Some(src) = node.field("source") else {
            // `import x = require("y")` keeps the source in the clause.
            let mut c = node.walk();
            for ch in node.named_children(&mut c) {
                if ch.kind() == "import_require_clause" {
                    if let (Some(id), Some(s)) = (ch.named_child(0), ch.field("source")) {
                        let m = self.src.unquote(s);
                        self.facts.imports.push(m.clone());
                        self.scopes.declare(
                            scope,
                            self.src.text(id),
                            Binding::Import {
                                module: m,
                                path: vec![],
                            },
                        );
                    }
                }
            }
            return;
        };
        let module = self.src.unquote(src);
        self.facts.imports.push(module.clone());
        let mut c = node.walk();
        for clause in node.named_children(&mut c) {
            if clause.kind() != "import_clause" {
                continue;
            }
            let mut c2 = clause.walk();
            for part in clause.named_children(&mut c2) {
                match part.kind() {
                    "identifier" => self.scopes.declare(
                        scope,
                        self.src.text(part),
                        Binding::Import {
                            module: module.clone(),
                            path: vec!["default".into()],
                        },
                    ),
                    "namespace_import" => {
                        if let Some(id) = part.named_child(0) {
                            self.scopes.declare(
                                scope,
                                self.src.text(id),
                                Binding::Import {
                                    module: module.clone(),
                                    path: vec![],
                                },
                            );
                        }
                    }
                    "named_imports" => {
                        let mut c3 = part.walk();
                        for spec in part.named_children(&mut c3) {
                            if spec.kind() != "import_specifier" {
                                continue;
                            }
                            let mut c4 = spec.walk();
                            if spec.children(&mut c4).any(|ch| ch.kind() == "type") {
                                continue;
                            }
                            let Some(n) = spec.field("name") else {
                                continue;
                            };
                            let imported = self.src.unquote(n);
                            let local = spec
                                .field("alias")
                                .map(|a| self.src.text(a).to_string())
                                .unwrap_or_else(|| imported.clone());
                            self.scopes.declare(
                                scope,
                                &local,
                                Binding::Import {
                                    module: module.clone(),
                                    path: vec![imported],
                                },
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// `require("m")` / `import("m")` with a literal, when `require` is not shadowed;
    /// also through compilers' interop helpers (`__importStar(require("m"))`).
    fn module_call(&self, call: Node) -> Option<String> {
        if call.kind() != "call_expression" {
            return None;
        }
        let f = call.field("function")?;
        const INTEROP: &[&str] = &[
            "__importStar",
            "__importDefault",
            "__toESM",
            "__toCommonJS",
            "_interopRequireDefault",
            "_interopRequireWildcard",
            "__require",
        ];
        let fname = match f.kind() {
            "identifier" => self.src.text(f),
            "member_expression" => f.field("property").map(|p| self.src.text(p)).unwrap_or(""),
            _ => "",
        };
        if INTEROP.contains(&fname) {
            let inner = unwrap(call.field("arguments")?.named_child(0)?);
            return self.module_call(inner);
        }
        let is_loader =
            f.kind() == "import" || (f.kind() == "identifier" && self.src.text(f) == "require");
        if !is_loader {
            return None;
        }
        let arg = call.field("arguments")?.named_child(0)?;
        match arg.kind() {
            "string" => Some(self.src.unquote(arg)),
            "template_string" if !has_substitution(arg) => Some(self.src.unquote(arg)),
            _ => None,
        }
    }

    /// The access path an expression denotes, if it is a name-rooted chain.
    fn raw_path(&self, n: Node) -> Option<RawPath> {
        self.raw_path_d(n, 0)
    }

    /// Access paths longer than this are not names anyone wrote by hand.
    fn raw_path_d(&self, n: Node, depth: u32) -> Option<RawPath> {
        if depth > 64 {
            return None;
        }
        let n = unwrap(n);
        match n.kind() {
            "identifier" => Some(RawPath {
                root: Root::Name(self.src.text(n).to_string()),
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
            "member_expression" => {
                let mut p = self.raw_path_d(n.field("object")?, depth + 1)?;
                let prop = n.field("property")?;
                p.members
                    .push(self.src.text(prop).trim_start_matches('#').to_string());
                Some(p)
            }
            "subscript_expression" => {
                let mut p = self.raw_path_d(n.field("object")?, depth + 1)?;
                let idx = n.field("index").map(unwrap);
                let key = match idx {
                    Some(i) if i.kind() == "string" => self.src.unquote(i),
                    _ => "[]".to_string(),
                };
                p.members.push(key);
                Some(p)
            }
            "call_expression" => {
                if let Some(m) = self.module_call(n) {
                    return Some(RawPath {
                        root: Root::Module(m),
                        members: vec![],
                    });
                }
                let mut p = self.raw_path_d(n.field("function")?, depth + 1)?;
                p.members.push("()".into());
                Some(p)
            }
            "new_expression" => {
                let mut p = self.raw_path_d(n.field("constructor")?, depth + 1)?;
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
        if skip_subtree(kind) {
            return;
        }
        // Only functions and classes open scopes or definitions: skip the maps otherwise.
        let (scope, cur) = if is_function(kind) || is_class(kind) {
            match (self.scope_of.get(&node.id()), self.def_of.get(&node.id())) {
                (Some(s), d) => (*s, d.copied().or(cur)),
                (None, Some(d)) => (scope, Some(*d)),
                (None, None) => (scope, cur),
            }
        } else {
            (scope, cur)
        };
        match kind {
            "call_expression" | "new_expression" => {
                self.emit_call(node, scope, cur, labels);
                let f = node.field("function").or_else(|| node.field("constructor"));
                if let Some(f) = f {
                    self.emit_chain_inner(f, scope, cur, labels, depth + 1);
                }
                if let Some(a) = node.field("arguments") {
                    self.emit(a, scope, cur, labels, depth + 1);
                }
                return;
            }
            "member_expression" | "subscript_expression" => {
                self.emit_access(node, scope, cur, labels);
                self.emit_chain_inner(node, scope, cur, labels, depth + 1);
                return;
            }
            "variable_declarator" => {
                if let (Some(name), Some(v)) = (node.field("name"), node.field("value")) {
                    self.record_local(name, unwrap(v), scope, cur);
                    if name.kind() == "object_pattern"
                        && self.emit_destructure(name, unwrap(v), scope, cur, labels)
                    {
                        // The keys were the reads; do not count the bare object too.
                        self.emit_chain_inner(unwrap(v), scope, cur, labels, depth + 1);
                        return;
                    }
                }
            }
            "switch_statement" => return self.emit_switch(node, scope, cur, labels, depth),
            "if_statement" => {
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
                        if let Some(a) = node.field("alternative") {
                            self.emit(a, scope, cur, labels, depth + 1);
                        }
                        return;
                    }
                }
            }
            "object" => self.record_object(node, scope, cur),
            "return_statement" => self.record_return(node.named_child(0), scope, cur),
            "arrow_function" => {
                let body = node.field("body").filter(|b| b.kind() != "statement_block");
                self.record_return(body, scope, cur);
            }
            "assignment_expression" => {
                self.record_commonjs_export(node, scope);
                self.record_field(node, scope, cur);
            }
            // `this.client ??= new Client()`: a lazily created field.
            "augmented_assignment_expression" => {
                let op = node.field("operator").map(|o| self.src.text(o));
                if matches!(op, Some("??=" | "||=")) {
                    self.record_field(node, scope, cur);
                }
            }
            "public_field_definition" | "field_definition" => self.record_field(node, scope, cur),
            "export_statement" => self.record_export(node, scope),
            k if is_class(k) => {
                if let Some(&def) = self.def_of.get(&node.id()) {
                    let mut c = node.walk();
                    let heritage = node
                        .named_children(&mut c)
                        .find(|c| c.kind() == "class_heritage");
                    if let Some(h) = heritage {
                        let base = first_expression(h);
                        if let Some(raw) = base.and_then(|b| self.raw_path(b)) {
                            let callee = self.scopes.resolve(scope, &raw);
                            self.facts.defs[def as usize].bases.push(callee);
                        }
                    }
                }
            }
            _ => {}
        }
        let alias = self.alias_site(node, scope);
        let start = self.facts.refs.len();
        let kids = self.kids(node, depth);
        for &child in &kids {
            self.emit(child, scope, cur, labels, depth + 1);
        }
        self.give_back(kids, depth);
        if let Some((called_as, value)) = alias {
            let end = self.facts.refs.len();
            self.aliases.push(Alias {
                start,
                end,
                called_as,
                value,
            });
        }
    }

    /// A function stored under another name by this declaration or
    /// assignment: (how a call through the new name is seen, the function).
    fn alias_site(&self, node: Node, scope: ScopeId) -> Option<(Callee, Callee)> {
        match node.kind() {
            "variable_declarator" => {
                let name = node.field("name").filter(|n| n.kind() == "identifier")?;
                let v = unwrap(node.field("value")?);
                if !matches!(v.kind(), "member_expression" | "subscript_expression") {
                    return None;
                }
                let value = self.scopes.resolve(scope, &self.raw_path(v)?);
                let called_as = self.scopes.resolve(
                    scope,
                    &RawPath {
                        root: Root::Name(self.src.text(name).to_string()),
                        members: vec![],
                    },
                );
                let global = matches!(value, Callee::Global { .. } | Callee::Import { .. });
                global.then_some((called_as, value))
            }
            "assignment_expression" => {
                let l = node
                    .field("left")
                    .filter(|l| l.kind() == "member_expression")?;
                let this_obj = l.field("object").is_some_and(|o| o.kind() == "this");
                let class = self.scopes.class_of(scope).filter(|_| this_obj)?;
                let name = self.src.text(l.field("property")?).trim_start_matches('#');
                let value = self.function_alias(unwrap(node.field("right")?), scope)?;
                let called_as = Callee::SelfMember {
                    class: Some(class),
                    path: vec![name.to_string()],
                };
                Some((called_as, value))
            }
            _ => None,
        }
    }

    /// A global or module member read as a value, or one of `a ?? b` (an
    /// injectable function with its default): what a field may hold to be
    /// called later.
    /// `constructor(http) { this.client = http }`: the field holds what
    /// `new Class(…)` passes for that parameter.
    fn record_param_field(&mut self, class: DefId, field: &str, value: Node, cur: Option<DefId>) {
        let Some(ctor) = cur else { return };
        let d = &self.facts.defs[ctor as usize];
        if d.name != "constructor" || d.parent != Some(class) {
            return;
        }
        let name = self.src.text(value);
        if let Some(i) = d.params.iter().position(|p| p == name) {
            self.facts
                .param_fields
                .push((class, field.to_string(), ctor, i));
        }
    }

    fn function_alias(&self, v: Node, scope: ScopeId) -> Option<Callee> {
        let held =
            |a: Arg| match a {
                Arg::Path(
                    c @ (Callee::Global { .. } | Callee::Import { .. } | Callee::Def { .. }),
                ) if !c.through_call() => Some(c),
                _ => None,
            };
        match self.arg(v, scope, 0) {
            Arg::Either(parts) => parts.into_iter().find_map(held),
            a => held(a),
        }
    }

    /// Reads of a function at the places it was stored under a name that is
    /// called: the call is the use (it is matched as the function), the read
    /// is not.
    fn drop_called_aliases(&mut self) {
        if self.aliases.is_empty() {
            return;
        }
        let refs = &self.facts.refs;
        let called: rustc_hash::FxHashSet<&Callee> = refs
            .iter()
            .filter(|r| r.kind != RefKind::Access)
            .map(|r| &r.callee)
            .collect();
        let mut drop = vec![false; refs.len()];
        for a in self
            .aliases
            .iter()
            .filter(|a| called.contains(&a.called_as))
        {
            for (i, r) in refs.iter().enumerate().take(a.end).skip(a.start) {
                drop[i] |= r.kind == RefKind::Access && r.callee == a.value;
            }
        }
        let mut i = 0;
        self.facts.refs.retain(|_| {
            i += 1;
            !drop[i - 1]
        });
    }

    /// Inside a callee chain `a.b(x).c[d]`, emit what is not part of the path:
    /// nested calls (their own references) and computed indexes.
    fn emit_chain_inner(
        &mut self,
        n: Node<'a>,
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
            "member_expression" => {
                if let Some(o) = n.field("object") {
                    self.emit_chain_inner(o, scope, cur, labels, depth + 1);
                }
            }
            "subscript_expression" => {
                if let Some(o) = n.field("object") {
                    self.emit_chain_inner(o, scope, cur, labels, depth + 1);
                }
                if let Some(i) = n.field("index") {
                    self.emit(i, scope, cur, labels, depth + 1);
                }
            }
            "identifier" | "this" => {}
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
        key: Option<String>,
    ) {
        self.facts.add_ref(
            kind,
            callee,
            at.start_position(),
            args,
            cur,
            labels,
            None,
            key,
        );
    }

    fn emit_call(&mut self, node: Node, scope: ScopeId, cur: Option<DefId>, labels: &[String]) {
        let is_new = node.kind() == "new_expression";
        let Some(f) = node.field(if is_new { "constructor" } else { "function" }) else {
            return;
        };
        let f = self.awaited(f);
        let args = node
            .field("arguments")
            .map(|a| self.args(a, scope))
            .unwrap_or_default();
        // `(options.factory ?? defaultFactory)(cfg)`: a call of each side that is named.
        let sides = self.alternatives(f, 0);
        let named: Vec<(Callee, Node)> = if sides.len() > 1 {
            sides
                .into_iter()
                .filter_map(|side| Some((self.scopes.resolve(scope, &self.raw_path(side)?), side)))
                .collect()
        } else {
            vec![]
        };
        let callee = if f.kind() == "import" {
            Callee::Global {
                path: vec!["import".into()],
            }
        } else {
            match self.raw_path(f) {
                Some(raw) => self.scopes.resolve(scope, &raw),
                None => Callee::Dynamic {
                    member: member_name(&self.src, f),
                },
            }
        };
        if let Some(m) = self.module_call(node) {
            self.facts.imports.push(m);
        }
        let kind = if is_new { RefKind::New } else { RefKind::Call };
        // `HANDLERS[action](args)`: a lookup on a computed key, a branch whose
        // values are the table's keys.
        let lookup = unwrap(f);
        let key = (lookup.kind() == "subscript_expression")
            .then(|| lookup.field("index").map(unwrap))
            .flatten()
            .filter(|i| i.kind() != "string");
        let entered = key.map(|i| {
            let subject = self.arg(i, scope, 0);
            let line = f.start_position().row as u32 + 1;
            self.facts.enter_branch(subject, vec![], cur, line)
        });
        if named.is_empty() {
            self.push_ref(kind, callee, f, args, cur, labels, None);
        } else {
            for (callee, side) in named {
                self.push_ref(kind, callee, side, args.clone(), cur, labels, None);
            }
        }
        if let Some(outer) = entered {
            self.facts.leave_branch(outer);
        }
    }

    /// `await (a || b)(x)` parses as a call of a function named `await`: the
    /// callee is what it is given.
    fn awaited<'n>(&self, f: Node<'n>) -> Node<'n> {
        let is_await = f.kind() == "call_expression"
            && f.field("function")
                .is_some_and(|g| g.kind() == "identifier" && self.src.text(g) == "await");
        match f.field("arguments") {
            Some(a) if is_await && a.named_child_count() == 1 => a.named_child(0).unwrap_or(f),
            _ => f,
        }
    }

    /// The functions a callee can be: each side of `a ?? b`, `a || b` and
    /// `c ? a : b` (nested, parenthesised), or the callee itself.
    fn alternatives<'n>(&self, f: Node<'n>, depth: u32) -> Vec<Node<'n>> {
        let n = unwrap(f);
        let sides = match n.kind() {
            "binary_expression"
                if matches!(
                    n.field("operator").map(|o| self.src.text(o)),
                    Some("??" | "||")
                ) =>
            {
                [n.field("left"), n.field("right")]
            }
            "ternary_expression" => [n.field("consequence"), n.field("alternative")],
            _ => return vec![f],
        };
        if depth > 8 {
            return vec![f];
        }
        sides
            .into_iter()
            .flatten()
            .flat_map(|side| self.alternatives(side, depth + 1))
            .collect()
    }

    /// A member read in value position: kept when it reaches a module or a global.
    fn emit_access(&mut self, node: Node, scope: ScopeId, cur: Option<DefId>, labels: &[String]) {
        let Some(raw) = self.raw_path(node) else {
            return;
        };
        if raw.members.is_empty() {
            return;
        }
        let callee = self.scopes.resolve(scope, &raw);
        if !matches!(callee, Callee::Import { .. } | Callee::Global { .. }) {
            return;
        }
        let key = if node.kind() == "subscript_expression" {
            node.field("index")
                .map(unwrap)
                .filter(|i| i.kind() == "string")
                .map(|i| self.src.unquote(i))
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
            key,
        );
    }

    /// `const { HOME, PATH: p } = process.env` reads each key of a global.
    fn emit_destructure(
        &mut self,
        pattern: Node,
        value: Node,
        scope: ScopeId,
        cur: Option<DefId>,
        labels: &[String],
    ) -> bool {
        let Some(raw) = self.raw_path(value) else {
            return false;
        };
        let base = self.scopes.resolve(scope, &raw);
        let Callee::Global { path } = base else {
            return false;
        };
        let mut c = pattern.walk();
        for prop in pattern.named_children(&mut c) {
            let key = match prop.kind() {
                "shorthand_property_identifier_pattern" => self.src.text(prop).to_string(),
                "pair_pattern" => match prop.field("key") {
                    Some(k) => self.src.unquote(k),
                    None => continue,
                },
                "object_assignment_pattern" => match prop.field("left") {
                    Some(l) => self.src.text(l).to_string(),
                    None => continue,
                },
                _ => continue,
            };
            let mut p = path.clone();
            p.push(key.clone());
            self.push_ref(
                RefKind::Access,
                Callee::Global { path: p },
                value,
                Args::default(),
                cur,
                labels,
                Some(key),
            );
        }
        true
    }

    fn emit_switch(
        &mut self,
        node: Node<'a>,
        scope: ScopeId,
        cur: Option<DefId>,
        labels: &[String],
        depth: u32,
    ) {
        let subject = node.field("value");
        if let Some(v) = subject {
            self.emit(v, scope, cur, labels, depth + 1);
        }
        let subject = subject
            .map(|v| self.arg(unwrap(v), scope, 0))
            .unwrap_or(Arg::Other);
        let Some(body) = node.field("body") else {
            return;
        };
        let mut pending: Vec<(String, u32)> = vec![];
        let mut c = body.walk();
        for case in body.named_children(&mut c) {
            let mut case_labels = labels.to_vec();
            let mut values = vec![];
            if case.kind() == "switch_case" {
                if let Some(v) = case.field("value") {
                    let line = v.start_position().row as u32 + 1;
                    if let Some(s) = self.label_value(v, scope) {
                        pending.push((s, line));
                    } else if let Some(s) = self.label_path(v, scope) {
                        pending.push((s, line));
                    }
                }
                let has_body = case
                    .named_children(&mut case.walk())
                    .any(|ch| Some(ch.id()) != case.field("value").map(|v| v.id()));
                if !has_body {
                    continue;
                }
                if !pending.is_empty() {
                    values = std::mem::take(&mut pending);
                    case_labels = values.iter().map(|(l, _)| l.clone()).collect();
                }
            } else {
                pending.clear();
            }
            let entered = (!values.is_empty()).then(|| {
                let line = case.start_position().row as u32 + 1;
                self.facts.enter_branch(subject.clone(), values, cur, line)
            });
            let value_id = case.field("value").map(|v| v.id());
            let mut c2 = case.walk();
            for stmt in case.named_children(&mut c2) {
                if Some(stmt.id()) != value_id {
                    self.emit(stmt, scope, cur, &case_labels, depth + 1);
                }
            }
            if let Some(outer) = entered {
                self.facts.leave_branch(outer);
            }
        }
    }

    /// `case tools.Search.name:` / `case SEARCH:` from another module: a
    /// symbolic label the linker resolves to the constant's value.
    fn label_path(&mut self, v: Node, scope: ScopeId) -> Option<String> {
        let v = unwrap(v);
        if !matches!(v.kind(), "member_expression" | "identifier") {
            return None;
        }
        let callee = self.scopes.resolve(scope, &self.raw_path(v)?);
        let i = self.facts.label_paths.len();
        self.facts.label_paths.push(callee);
        Some(format!("{}{i}", crate::ir::LABEL_PATH_MARK))
    }

    fn label_value(&self, v: Node, scope: ScopeId) -> Option<String> {
        let v = unwrap(v);
        match v.kind() {
            "string" => Some(self.src.unquote(v)),
            "template_string" if !has_substitution(v) => Some(self.src.unquote(v)),
            "identifier" => self.scopes.const_str(scope, self.src.text(v)),
            _ => None,
        }
    }

    /// String literals compared with `==`/`===` in a condition (`name === "x"
    /// || name === "y"`), with their lines, and the expression compared (the
    /// first one).
    fn labels_in_condition(&self, cond: Node, scope: ScopeId) -> (Vec<(String, u32)>, Arg) {
        let mut out = vec![];
        let mut subject = None;
        self.collect_eq_labels(unwrap(cond), scope, &mut out, &mut subject, 0);
        let subject = subject.map(|n| self.arg(n, scope, 0)).unwrap_or(Arg::Other);
        (out, subject)
    }

    fn collect_eq_labels(
        &self,
        n: Node<'a>,
        scope: ScopeId,
        out: &mut Vec<(String, u32)>,
        subject: &mut Option<Node<'a>>,
        depth: u32,
    ) {
        if depth > 8 || n.kind() != "binary_expression" {
            return;
        }
        let op = n.field("operator").map(|o| self.src.text(o)).unwrap_or("");
        let (Some(l), Some(r)) = (n.field("left"), n.field("right")) else {
            return;
        };
        match op {
            "==" | "===" => {
                for (a, b) in [(l, r), (r, l)] {
                    if matches!(unwrap(b).kind(), "identifier" | "member_expression") {
                        if let Some(s) = self.label_value(a, scope) {
                            if unwrap(a).kind() != "identifier" || unwrap(b).kind() != "identifier"
                            {
                                out.push((s, a.start_position().row as u32 + 1));
                                subject.get_or_insert(unwrap(b));
                                return;
                            }
                        }
                    }
                }
            }
            "||" => {
                self.collect_eq_labels(unwrap(l), scope, out, subject, depth + 1);
                self.collect_eq_labels(unwrap(r), scope, out, subject, depth + 1);
            }
            _ => {}
        }
    }

    fn args(&self, list: Node, scope: ScopeId) -> Args {
        self.args_at(list, scope, 0)
    }

    /// `args` at argument depth `depth` (nested calls keep counting, so
    /// `f(f(f(...)))` stops at `arg`'s cap instead of recursing without end).
    fn args_at(&self, list: Node, scope: ScopeId, depth: u32) -> Args {
        let mut out = Args::default();
        if list.kind() == "template_string" {
            out.pos.push(self.arg(list, scope, depth));
            return out;
        }
        let mut c = list.walk();
        for a in list.named_children(&mut c) {
            if a.kind() == "comment" {
                continue;
            }
            out.pos.push(self.arg(a, scope, depth));
            if out.pos.len() >= 8 {
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
            "string" => Arg::Str(self.src.unquote(a)),
            "template_string" => self.template_arg(a, scope, depth),
            "true" => Arg::Bool(true),
            "false" => Arg::Bool(false),
            "number" => self.src.text(a).parse().map_or(Arg::Num, Arg::Int),
            "binary_expression" => {
                let op = a.field("operator").map(|o| self.src.text(o)).unwrap_or("");
                let (Some(l), Some(r)) = (a.field("left"), a.field("right")) else {
                    return Arg::Other;
                };
                match op {
                    "+" => concat(self.arg(l, scope, depth + 1), self.arg(r, scope, depth + 1)),
                    "??" | "||" => Arg::Either(vec![
                        self.arg(l, scope, depth + 1),
                        self.arg(r, scope, depth + 1),
                    ]),
                    _ => Arg::Other,
                }
            }
            // `cond ? a : b`: either value.
            "ternary_expression" => match (a.field("consequence"), a.field("alternative")) {
                (Some(c), Some(alt)) => Arg::Either(vec![
                    self.arg(c, scope, depth + 1),
                    self.arg(alt, scope, depth + 1),
                ]),
                _ => Arg::Other,
            },
            "array" => Arg::List({
                let mut c = a.walk();
                a.named_children(&mut c)
                    .take(16)
                    .map(|x| self.arg(x, scope, depth + 1).as_str().map(str::to_string))
                    .collect()
            }),
            k if is_function(k) => self
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
                Arg::Path(self.scopes.resolve(
                    scope,
                    &RawPath {
                        root: Root::Name(self.src.text(a).to_string()),
                        members: vec![],
                    },
                ))
            }
            // `new Client(token)` passed along is an instance of `Client`, as a
            // variable holding it would be (`Client.()`).
            "member_expression" | "subscript_expression" | "new_expression" => {
                match self.raw_path(a) {
                    Some(raw) => match self.instance_const(&raw, scope) {
                        Some(s) => Arg::Str(s),
                        None => Arg::Path(self.scopes.resolve(scope, &raw)),
                    },
                    None => Arg::Other,
                }
            }
            // `this.handle.bind(this)` passes `this.handle`.
            "call_expression" => {
                let f = a.field("function");
                match f {
                    Some(f)
                        if f.kind() == "member_expression"
                            && f.field("property").map(|p| self.src.text(p)) == Some("bind") =>
                    {
                        self.arg(f.field("object").unwrap_or(f), scope, depth + 1)
                    }
                    Some(f) if depth < 3 => {
                        let f = self.awaited(f);
                        let inner = || {
                            a.field("arguments")
                                .map(|l| self.args_at(l, scope, depth + 1).pos)
                                .unwrap_or_default()
                        };
                        if let Some(raw) = self.raw_path(f) {
                            return Arg::Call(self.scopes.resolve(scope, &raw), inner());
                        }
                        // `(options.factory ?? defaultFactory)(cfg)`: either call.
                        let calls: Vec<Arg> = self
                            .alternatives(f, 0)
                            .into_iter()
                            .filter_map(|side| self.raw_path(side))
                            .map(|raw| Arg::Call(self.scopes.resolve(scope, &raw), inner()))
                            .collect();
                        match calls.len() {
                            0 => Arg::Other,
                            1 => calls.into_iter().next().expect("one"),
                            _ => Arg::Either(calls),
                        }
                    }
                    _ => Arg::Other,
                }
            }
            "object" if depth < 3 => Arg::Obj(self.props(a, scope, depth + 1)),
            _ => Arg::Other,
        }
    }

    /// A template string: its text when constant, else the parts joined.
    fn template_arg(&self, n: Node, scope: ScopeId, depth: u32) -> Arg {
        let mut parts = vec![];
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            match ch.kind() {
                "string_fragment" | "escape_sequence" => {
                    parts.push(Arg::Str(self.src.text(ch).to_string()))
                }
                "template_substitution" => {
                    let inner = ch.named_child(0);
                    parts.push(inner.map_or(Arg::Other, |e| self.arg(e, scope, depth + 1)));
                }
                _ => {}
            }
        }
        parts.into_iter().fold(Arg::Str(String::new()), concat)
    }

    fn props(&self, obj: Node, scope: ScopeId, depth: u32) -> Vec<(String, Arg)> {
        let mut out = vec![];
        let mut c = obj.walk();
        for p in obj.named_children(&mut c) {
            match p.kind() {
                "pair" => {
                    if let (Some(k), Some(v)) = (p.field("key"), p.field("value")) {
                        if k.kind() == "computed_property_name" {
                            continue;
                        }
                        out.push((self.src.unquote(k), self.arg(v, scope, depth)));
                    }
                }
                "shorthand_property_identifier" => {
                    let name = self.src.text(p).to_string();
                    let v = self.arg(p, scope, depth);
                    let v = if matches!(v, Arg::Other) {
                        Arg::Path(self.scopes.resolve(
                            scope,
                            &RawPath {
                                root: Root::Name(name.clone()),
                                members: vec![],
                            },
                        ))
                    } else {
                        v
                    };
                    out.push((name, v));
                }
                "method_definition" => {
                    if let (Some(n), Some(d)) = (p.field("name"), self.def_of.get(&p.id())) {
                        out.push((self.src.unquote(n), Arg::Func(*d)));
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

    /// Keep object literals that may be tool descriptions or dispatch tables.
    fn record_object(&mut self, node: Node, scope: ScopeId, cur: Option<DefId>) {
        let props = self.props(node, scope, 1);
        let name_line = {
            let mut c = node.walk();
            let found = node.named_children(&mut c).find(|p| {
                p.kind() == "pair"
                    && p.field("key").map(|k| self.src.unquote(k)).as_deref() == Some("name")
            });
            found.map(|p| p.start_position().row as u32 + 1)
        };
        let has_name = props
            .iter()
            .any(|(k, v)| k == "name" && matches!(v, Arg::Str(_) | Arg::Path(_)));
        let computed = self.computed_props(node, scope);
        let values = props.iter().map(|(_, v)| v);
        let has_callable = values.chain(computed.iter().map(|(_, v, _)| v)).any(|v| {
            matches!(
                v,
                Arg::Func(_)
                    | Arg::Path(
                        Callee::Def { .. } | Callee::Import { .. } | Callee::SelfMember { .. }
                    )
            )
        });
        // A table of tool descriptions keyed by tool name (`{ search: {
        // description, inputSchema } }`).
        let has_described_values = props.iter().any(|(_, v)| {
            matches!(v, Arg::Obj(p) if p.iter().any(|(k, _)| k == "inputSchema" || k == "input_schema"))
        });
        // Tools built by a helper and keyed by name (`{ list_projects:
        // tool({ description, execute }) }`).
        let has_built_values = props.iter().any(|(_, v)| {
            matches!(v, Arg::Call(_, a) if matches!(a.first(), Some(Arg::Obj(p)) if p.iter().any(|(_, x)| matches!(x, Arg::Func(_)))))
        });
        if !has_name && !has_callable && !has_described_values && !has_built_values {
            return;
        }
        let binding = node
            .parent()
            .filter(|p| p.kind() == "variable_declarator")
            .and_then(|p| p.field("name"))
            .filter(|n| n.kind() == "identifier")
            .map(|n| self.src.text(n).to_string());
        let prop_lines = {
            let mut c = node.walk();
            let kinds = ["pair", "shorthand_property_identifier", "method_definition"];
            let lines: Vec<u32> = node
                .named_children(&mut c)
                .filter(|p| kinds.contains(&p.kind()))
                .filter(|p| {
                    p.kind() != "pair"
                        || p.field("key")
                            .map(|k| k.kind() != "computed_property_name")
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
            name_line: name_line.unwrap_or(0),
            prop_lines,
            computed,
        });
    }

    /// `[searchTool.name]: search`: properties keyed by a constant, the key
    /// as a label (symbolic when the constant is another module's).
    fn computed_props(&mut self, obj: Node, scope: ScopeId) -> Vec<(String, Arg, u32)> {
        let mut out = vec![];
        let mut c = obj.walk();
        let pairs: Vec<Node> = obj
            .named_children(&mut c)
            .filter(|p| p.kind() == "pair")
            .collect();
        for p in pairs {
            let (Some(k), Some(v)) = (p.field("key"), p.field("value")) else {
                continue;
            };
            let Some(expr) = k
                .named_child(0)
                .filter(|_| k.kind() == "computed_property_name")
            else {
                continue;
            };
            let key = self
                .label_value(expr, scope)
                .or_else(|| self.label_path(expr, scope));
            if let Some(key) = key {
                let line = p.start_position().row as u32 + 1;
                out.push((key, self.arg(v, scope, 1), line));
            }
            if out.len() >= 32 {
                break;
            }
        }
        out
    }

    /// `this.api = axios.create()` in a method, or a class field `client = new Client()`.
    fn record_field(&mut self, node: Node, scope: ScopeId, cur: Option<DefId>) {
        let assignment = matches!(
            node.kind(),
            "assignment_expression" | "augmented_assignment_expression"
        );
        let (name, value, class) = if assignment {
            let (Some(l), Some(v)) = (node.field("left"), node.field("right")) else {
                return;
            };
            let this_obj = l.kind() == "member_expression"
                && l.field("object")
                    .map(|o| o.kind() == "this")
                    .unwrap_or(false);
            let Some(class) = self.scopes.class_of(scope).filter(|_| this_obj) else {
                return;
            };
            let Some(p) = l.field("property") else { return };
            (
                self.src.text(p).trim_start_matches('#').to_string(),
                unwrap(v),
                class,
            )
        } else {
            let name_node = node.field("name").or_else(|| node.field("property"));
            let (Some(n), Some(v), Some(class)) = (
                name_node,
                node.field("value"),
                cur.filter(|c| self.facts.defs[*c as usize].kind == DefKind::Class),
            ) else {
                return;
            };
            (
                self.src.text(n).trim_start_matches('#').to_string(),
                unwrap(v),
                class,
            )
        };
        // `this.name = "search"` / a field `name = "search"`: a constant of the
        // class (`Class.name`), the way tool classes name themselves.
        if value.kind() == "string" {
            let key = format!("{}.{name}", self.facts.defs[class as usize].name);
            self.facts.consts.push((key, self.src.unquote(value)));
            return;
        }
        if value.kind() == "identifier" {
            self.record_param_field(class, &name, value, cur);
        }
        if !matches!(value.kind(), "call_expression" | "new_expression") {
            // `this.#fetch = fetchImpl ?? fetch`: a function, called through the field.
            if let Some(value) = self.function_alias(value, scope) {
                self.facts.fields.push(Field { class, name, value });
            }
            return;
        }
        if let Some(mut raw) = self.raw_path(value) {
            if self
                .wrapped_function(value, value.field("function").unwrap_or(value))
                .is_some()
            {
                return;
            }
            // raw_path of a call already ends with "()".
            if raw.members.last().map(|m| m != "()").unwrap_or(true) {
                raw.members.push("()".into());
            }
            let value = self.scopes.resolve(scope, &raw);
            self.facts.fields.push(Field { class, name, value });
        }
    }

    fn export_target(&self, v: Node, scope: ScopeId) -> Option<Callee> {
        let v = unwrap(v);
        if let Some(d) = self.def_of.get(&v.id()) {
            return Some(Callee::Def {
                def: *d,
                path: vec![],
            });
        }
        self.raw_path(v).map(|raw| self.scopes.resolve(scope, &raw))
    }

    fn record_export(&mut self, node: Node, scope: ScopeId) {
        if let Some(decl) = node.field("declaration") {
            if let Some(d) = self.def_of.get(&decl.id()) {
                let name = self.facts.defs[*d as usize].name.clone();
                self.facts.exports.push(Export::Local {
                    name,
                    target: Callee::Def {
                        def: *d,
                        path: vec![],
                    },
                });
            } else {
                let mut c = decl.walk();
                for d in decl.named_children(&mut c) {
                    if d.kind() == "variable_declarator" {
                        if let Some(n) = d.field("name").filter(|n| n.kind() == "identifier") {
                            let name = self.src.text(n).to_string();
                            let target = self.scopes.resolve(
                                scope,
                                &RawPath {
                                    root: Root::Name(name.clone()),
                                    members: vec![],
                                },
                            );
                            self.facts.exports.push(Export::Local { name, target });
                        }
                    }
                }
            }
            return;
        }
        if let Some(v) = node.field("value") {
            if let Some(target) = self.export_target(v, scope) {
                self.facts.exports.push(Export::Local {
                    name: "default".into(),
                    target,
                });
            }
            return;
        }
        let source = node.field("source").map(|s| self.src.unquote(s));
        if let Some(m) = &source {
            self.facts.imports.push(m.clone());
        }
        let mut c = node.walk();
        let mut any_clause = false;
        for ch in node.named_children(&mut c) {
            match ch.kind() {
                "export_clause" => {
                    any_clause = true;
                    let mut c2 = ch.walk();
                    for spec in ch.named_children(&mut c2) {
                        let Some(n) = spec.field("name") else {
                            continue;
                        };
                        let name = self.src.unquote(n);
                        let alias = spec
                            .field("alias")
                            .map(|a| self.src.unquote(a))
                            .unwrap_or_else(|| name.clone());
                        let target = match &source {
                            Some(m) => Callee::Import {
                                module: m.clone(),
                                path: vec![name],
                            },
                            None => self.scopes.resolve(
                                scope,
                                &RawPath {
                                    root: Root::Name(name),
                                    members: vec![],
                                },
                            ),
                        };
                        self.facts.exports.push(Export::Local {
                            name: alias,
                            target,
                        });
                    }
                }
                "namespace_export" => {
                    any_clause = true;
                    if let (Some(id), Some(m)) = (ch.named_child(0), &source) {
                        self.facts.exports.push(Export::Local {
                            name: self.src.unquote(id),
                            target: Callee::Import {
                                module: m.clone(),
                                path: vec![],
                            },
                        });
                    }
                }
                _ => {}
            }
        }
        if !any_clause {
            if let Some(m) = source {
                self.facts.exports.push(Export::Star { module: m });
            }
        }
    }

    /// `module.exports = {...}`, `module.exports.f = f`, `exports.f = f`.
    fn record_commonjs_export(&mut self, node: Node, scope: ScopeId) {
        let (Some(l), Some(r)) = (node.field("left"), node.field("right")) else {
            return;
        };
        let Some(lp) = self.raw_path(l) else { return };
        let Root::Name(root) = &lp.root else { return };
        let members: Vec<&str> = lp.members.iter().map(|s| s.as_str()).collect();
        let name = match (root.as_str(), members.as_slice()) {
            ("module", ["exports"]) => None,
            ("module", ["exports", n]) | ("exports", [n]) => Some(n.to_string()),
            _ => return,
        };
        let r = unwrap(r);
        match name {
            Some(n) => {
                if r.kind() == "call_expression" {
                    // `exports.get = makeHandler(…)`: a module value like `const get = …`.
                    let value = self.arg(r, scope, 0);
                    self.facts.locals.push(Local {
                        def: None,
                        name: n.clone(),
                        value,
                        line: node.start_position().row as u32 + 1,
                    });
                }
                if let Some(t) = self.export_target(r, scope) {
                    self.facts
                        .exports
                        .push(Export::Local { name: n, target: t });
                }
            }
            None if r.kind() == "object" => {
                for (k, v) in self.props(r, scope, 1) {
                    match v {
                        Arg::Func(d) => self.facts.exports.push(Export::Local {
                            name: k,
                            target: Callee::Def {
                                def: d,
                                path: vec![],
                            },
                        }),
                        Arg::Path(t) => self
                            .facts
                            .exports
                            .push(Export::Local { name: k, target: t }),
                        _ => {}
                    }
                }
            }
            None => {
                if let Some(t) = self.export_target(r, scope) {
                    self.facts.exports.push(Export::Local {
                        name: "default".into(),
                        target: t,
                    });
                }
            }
        }
    }
}

fn member_of(b: &Binding, key: &str) -> Binding {
    match b {
        Binding::Import { module, path } => {
            let mut p = path.clone();
            p.push(key.to_string());
            Binding::Import {
                module: module.clone(),
                path: p,
            }
        }
        Binding::Alias(raw, s) => {
            let mut r = raw.clone();
            r.members.push(key.to_string());
            Binding::Alias(r, *s)
        }
        Binding::Instance(raw, s) => {
            let mut r = raw.clone();
            r.members.push("()".to_string());
            r.members.push(key.to_string());
            Binding::Alias(r, *s)
        }
        Binding::Object(props, s) => match props.iter().find(|(k, _)| k == key) {
            Some((_, raw)) => Binding::Alias(raw.clone(), *s),
            None => Binding::Opaque,
        },
        _ => Binding::Opaque,
    }
}

fn has_substitution(n: Node) -> bool {
    let mut c = n.walk();
    let found = n
        .named_children(&mut c)
        .any(|ch| ch.kind() == "template_substitution");
    found
}

fn first_expression(h: Node) -> Option<Node> {
    let mut c = h.walk();
    for ch in h.named_children(&mut c) {
        match ch.kind() {
            "extends_clause" => return ch.field("value"),
            "implements_clause" => continue,
            _ => return Some(ch),
        }
    }
    None
}

fn member_name(src: &Src, f: Node) -> Option<String> {
    match f.kind() {
        "member_expression" => f.field("property").map(|p| src.text(p).to_string()),
        _ => None,
    }
}

/// Subtrees that hold no runtime code, declaration or reference: TypeScript's
/// type level and plain literals. Both walks step over them (in typed code the
/// type level is a large part of the tree).
fn skip_subtree(kind: &str) -> bool {
    matches!(
        kind,
        "interface_declaration"
            | "type_alias_declaration"
            | "type_annotation"
            | "type_arguments"
            | "type_parameters"
            | "ambient_declaration"
            | "property_signature"
            | "method_signature"
            | "abstract_method_signature"
            | "index_signature"
            | "string"
            | "number"
            | "regex"
            | "comment"
    )
}
