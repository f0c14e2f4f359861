//! Kotlin adapter (tree-sitter-kotlin-ng).
//!
//! Two passes like `python.rs`: `declare` binds imports, definitions, class
//! members, parameters and locals in their scopes; `emit` walks again and
//! records references with resolved callees, literal arguments and labels.

use crate::ir::*;
use crate::scope::{Binding, RawPath, Root, ScopeId, Scopes};
use crate::text::{FieldExt, Src};
use rustc_hash::FxHashMap as HashMap;
use tree_sitter::{Node, Tree};

const MAX_DEPTH: u32 = 400;

/// Types whose values carry no capability: not worth an instance binding.
const PLAIN_TYPES: &[&str] = &[
    "String",
    "Int",
    "Long",
    "Short",
    "Byte",
    "Boolean",
    "Double",
    "Float",
    "Char",
    "Any",
    "Unit",
    "Nothing",
    "Number",
    "List",
    "MutableList",
    "Map",
    "MutableMap",
    "Set",
    "MutableSet",
    "Array",
    "Sequence",
    "Collection",
    "Iterable",
    "Pair",
    "Triple",
];

/// Collection builders whose arguments are read as a list literal.
const LIST_BUILDERS: &[&str] = &[
    "listOf",
    "arrayOf",
    "mutableListOf",
    "arrayListOf",
    "setOf",
    "mutableSetOf",
    "listOfNotNull",
];
const MAP_BUILDERS: &[&str] = &["mapOf", "mutableMapOf", "hashMapOf", "linkedMapOf"];

pub fn extract(tree: &Tree, src: &str) -> FileFacts {
    let mut cx = Cx {
        src: Src(src),
        scopes: Scopes::default(),
        facts: FileFacts::default(),
        scope_of: HashMap::default(),
        def_of: HashMap::default(),
        inits: HashMap::default(),
        top: 0,
        top_props: vec![],
        returns: HashMap::default(),
    };
    let root = tree.root_node();
    cx.top = cx.scopes.new_scope(None, None);
    cx.declare(root, cx.top, None, None, 0);
    cx.emit(root, cx.top, None, &[], 0);
    // Declared return types, for callers in other files (the linker follows them).
    let mut rets: Vec<(DefId, RawPath)> = cx.returns.iter().map(|(d, r)| (*d, r.clone())).collect();
    rets.sort_by_key(|(d, _)| *d);
    for (d, raw) in rets {
        cx.facts.defs[d as usize].returns = Some(cx.scopes.resolve(cx.top, &raw));
    }
    if cx.facts.syntax_errors == 0 && root.has_error() {
        cx.facts.syntax_errors = 1;
    }
    cx.exports();
    cx.facts
}

/// The parts of a call: callee, argument list, trailing lambda. The grammar
/// reads `f(a) { .. }` as a call of `f(a)` with a lambda: both are merged.
struct CallParts<'t> {
    callee: Node<'t>,
    args: Option<Node<'t>>,
    lambda: Option<Node<'t>>,
}

fn call_parts(node: Node) -> Option<CallParts> {
    let mut callee = None;
    let mut args = None;
    let mut lambda = None;
    let mut c = node.walk();
    for ch in node.named_children(&mut c) {
        match ch.kind() {
            "value_arguments" => args = Some(ch),
            "annotated_lambda" => lambda = Some(ch),
            "type_arguments" | "line_comment" | "block_comment" => {}
            _ if callee.is_none() => callee = Some(ch),
            _ => {}
        }
    }
    let mut callee = callee?;
    if lambda.is_some() && args.is_none() && callee.kind() == "call_expression" {
        if let Some(inner) = call_parts(callee) {
            if inner.lambda.is_none() && inner.args.is_some() {
                callee = inner.callee;
                args = inner.args;
            }
        }
    }
    Some(CallParts {
        callee,
        args,
        lambda,
    })
}

fn unwrap(mut n: Node) -> Node {
    let mut hops = 0;
    while matches!(
        n.kind(),
        "parenthesized_expression" | "annotated_expression" | "labeled_expression"
    ) && hops < 64
    {
        let mut c = n.walk();
        let inner = n
            .named_children(&mut c)
            .filter(|x| !matches!(x.kind(), "annotation" | "label"))
            .last();
        match inner {
            Some(i) => n = i,
            None => break,
        }
        hops += 1;
    }
    n
}

fn line(n: Node) -> u32 {
    n.start_position().row as u32 + 1
}

struct Cx<'a, 't> {
    src: Src<'a>,
    scopes: Scopes,
    facts: FileFacts,
    scope_of: HashMap<usize, ScopeId>,
    def_of: HashMap<usize, DefId>,
    /// Locals bound to a call (`val tool = Tool(..)`): the call, to pass it on as an argument.
    inits: HashMap<(ScopeId, String), Node<'t>>,
    top: ScopeId,
    /// Top-level properties, exported with what they hold.
    top_props: Vec<String>,
    /// Declared return types of this file's functions (`fun dir(): File`).
    returns: HashMap<DefId, RawPath>,
}

impl<'a, 't> Cx<'a, 't> {
    fn text(&self, n: Node) -> &'a str {
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

    fn exports(&mut self) {
        let mut out = vec![];
        for (i, d) in self.facts.defs.iter().enumerate() {
            if d.parent.is_none() && d.kind != DefKind::Anonymous && !d.name.is_empty() {
                out.push(Export::Local {
                    name: d.name.clone(),
                    target: Callee::Def {
                        def: i as DefId,
                        path: vec![],
                    },
                });
            }
        }
        for name in std::mem::take(&mut self.top_props) {
            let b = self.scopes.scopes[self.top as usize].bindings.get(&name);
            if matches!(b, Some(Binding::Instance(..) | Binding::Alias(..))) {
                let target = self.scopes.resolve(
                    self.top,
                    &RawPath {
                        root: Root::Name(name.clone()),
                        members: vec![],
                    },
                );
                out.push(Export::Local { name, target });
            }
        }
        self.facts.exports = out;
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
        match node.kind() {
            "package_header" => {
                if let Some(q) = node.named_child(0) {
                    self.facts.package = Some(self.dotted(q));
                }
                return;
            }
            "import" => {
                self.declare_import(node, scope);
                return;
            }
            "class_declaration" | "object_declaration" | "companion_object" => {
                self.declare_class(node, scope, cur, class, depth);
                return;
            }
            "function_declaration"
            | "secondary_constructor"
            | "anonymous_function"
            | "lambda_literal" => {
                self.declare_function(node, scope, cur, class, depth);
                return;
            }
            "property_declaration" => {
                self.declare_property(node, scope, cur, class);
            }
            "for_statement" => {
                let mut c = node.walk();
                for ch in node.named_children(&mut c) {
                    if matches!(
                        ch.kind(),
                        "variable_declaration" | "multi_variable_declaration"
                    ) {
                        self.declare_vars(ch, scope);
                    }
                }
            }
            "catch_block" => {
                let mut c = node.walk();
                let id = node
                    .named_children(&mut c)
                    .find(|x| x.kind() == "identifier");
                if let Some(id) = id {
                    self.scopes.declare(scope, self.text(id), Binding::Opaque);
                }
            }
            "when_subject" => {
                let mut c = node.walk();
                for ch in node.named_children(&mut c) {
                    if ch.kind() == "variable_declaration" {
                        self.declare_vars(ch, scope);
                    }
                }
            }
            _ => {}
        }
        let mut c = node.walk();
        for child in node.named_children(&mut c) {
            self.declare(child, scope, cur, None, depth + 1);
        }
    }

    /// `a.b.c` of a qualified identifier, without whitespace or comments.
    fn dotted(&self, q: Node) -> String {
        let mut out = String::new();
        let mut c = q.walk();
        for id in q.named_children(&mut c) {
            if id.kind() == "identifier" {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(self.text(id).trim_matches('`'));
            }
        }
        out
    }

    fn declare_import(&mut self, node: Node, scope: ScopeId) {
        let mut c = node.walk();
        let mut qual = None;
        let mut alias = None;
        let mut star = false;
        for ch in node.children(&mut c) {
            match ch.kind() {
                "qualified_identifier" => qual = Some(ch),
                "identifier" if qual.is_some() => alias = Some(ch),
                "*" => star = true,
                _ => {}
            }
        }
        let Some(q) = qual else { return };
        let full = self.dotted(q);
        if full.is_empty() {
            return;
        }
        if star || self.text(node).trim_end().ends_with('*') {
            self.facts.imports.push(full.clone());
            self.facts.star_imports.push(full);
            return;
        }
        self.facts.imports.push(full.clone());
        let (module, last) = match full.rsplit_once('.') {
            Some((m, l)) => (m.to_string(), l.to_string()),
            None => (String::new(), full.clone()),
        };
        let name = alias
            .map(|a| self.text(a).trim_matches('`').to_string())
            .unwrap_or_else(|| last.clone());
        self.scopes.declare(
            scope,
            &name,
            Binding::Import {
                module,
                path: vec![last],
            },
        );
    }

    fn declare_class(
        &mut self,
        node: Node<'t>,
        scope: ScopeId,
        cur: Option<DefId>,
        class: Option<DefId>,
        depth: u32,
    ) {
        let kind = node.kind();
        let name = node
            .field("name")
            .map(|n| self.text(n).to_string())
            .unwrap_or_else(|| {
                if kind == "companion_object" {
                    "Companion".to_string()
                } else {
                    String::new()
                }
            });
        let parent = class.or(cur);
        let def = self.new_def(name.clone(), DefKind::Class, node, parent);
        if kind != "companion_object" && !name.is_empty() {
            self.scopes.declare(scope, &name, Binding::Def(def));
        }
        let inner = self.scopes.new_scope(Some(scope), Some(def));
        self.scope_of.insert(node.id(), inner);
        // Constants are named after the object, or the class of a companion.
        let const_owner = match kind {
            "companion_object" => parent.map(|p| self.facts.defs[p as usize].name.clone()),
            _ => Some(name.clone()),
        };
        let mut c = node.walk();
        for ch in node.named_children(&mut c) {
            match ch.kind() {
                "primary_constructor" => self.declare_ctor_params(ch, inner, def),
                "class_body" | "enum_class_body" => {
                    let mut c2 = ch.walk();
                    for m in ch.named_children(&mut c2) {
                        if m.kind() == "property_declaration" {
                            if let Some(owner) = &const_owner {
                                self.record_member_const(m, owner);
                            }
                        }
                        self.declare(m, inner, Some(def), Some(def), depth + 1);
                    }
                }
                _ => {}
            }
        }
        // A companion's members are visible unqualified in its class.
        if kind == "companion_object" && class.is_some() {
            let names: Vec<String> = self.scopes.scopes[inner as usize]
                .bindings
                .keys()
                .cloned()
                .collect();
            for n in names {
                self.scopes.declare(
                    scope,
                    &n,
                    Binding::Alias(
                        RawPath {
                            root: Root::This,
                            members: vec![n.clone()],
                        },
                        inner,
                    ),
                );
            }
        }
    }

    fn record_member_const(&mut self, prop: Node, owner: &str) {
        if let Some((name, value)) = self.string_property(prop) {
            self.facts.consts.push((format!("{owner}.{name}"), value));
        }
    }

    /// `val NAME = "literal"`: the name and the literal.
    fn string_property(&self, prop: Node) -> Option<(String, String)> {
        let mut c = prop.walk();
        let mut name = None;
        let mut value = None;
        for ch in prop.named_children(&mut c) {
            match ch.kind() {
                "variable_declaration" => name = ch.named_child(0),
                "string_literal" | "multiline_string_literal" if name.is_some() => value = Some(ch),
                _ => {}
            }
        }
        let (n, v) = (name?, value?);
        match self.string_arg(v) {
            Arg::Str(s) => Some((self.text(n).to_string(), s)),
            _ => None,
        }
    }

    fn declare_ctor_params(&mut self, pc: Node, inner: ScopeId, def: DefId) {
        let Some(params) = ({
            let mut c = pc.walk();
            let found = pc
                .named_children(&mut c)
                .find(|x| x.kind() == "class_parameters");
            found
        }) else {
            return;
        };
        let mut c = params.walk();
        let mut names = vec![];
        for p in params.named_children(&mut c) {
            if p.kind() != "class_parameter" {
                continue;
            }
            let mut c2 = p.walk();
            let mut is_prop = false;
            let mut id = None;
            let mut ty = None;
            for ch in p.children(&mut c2) {
                match ch.kind() {
                    "val" | "var" => is_prop = true,
                    "identifier" if id.is_none() => id = Some(ch),
                    "user_type" | "nullable_type" | "non_nullable_type" if ty.is_none() => {
                        ty = Some(ch)
                    }
                    _ => {}
                }
            }
            let Some(id) = id else { continue };
            let name = self.text(id).to_string();
            names.push(name.clone());
            let raw = ty.and_then(|t| self.type_path(t));
            if is_prop {
                if let Some(raw) = &raw {
                    self.push_field(def, &name, raw.clone(), inner);
                }
                self.scopes.declare(
                    inner,
                    &name,
                    Binding::Alias(
                        RawPath {
                            root: Root::This,
                            members: vec![name.clone()],
                        },
                        inner,
                    ),
                );
            } else {
                let b = raw
                    .map(|r| Binding::Instance(r, inner))
                    .unwrap_or(Binding::Opaque);
                self.scopes.declare(inner, &name, b);
            }
        }
        self.facts.defs[def as usize].params = names;
    }

    fn push_field(&mut self, class: DefId, name: &str, mut raw: RawPath, scope: ScopeId) {
        raw.members.push("()".into());
        let value = self.scopes.resolve(scope, &raw);
        self.facts.fields.push(Field {
            class,
            name: name.to_string(),
            value,
        });
    }

    /// The class a type names: `File`, `java.io.File`, `HttpClient?`; `None` for plain types.
    fn type_path(&self, t: Node) -> Option<RawPath> {
        let mut t = t;
        let mut hops = 0;
        while matches!(
            t.kind(),
            "nullable_type" | "non_nullable_type" | "parenthesized_type"
        ) && hops < 16
        {
            let mut c = t.walk();
            let inner = t
                .named_children(&mut c)
                .find(|x| x.kind() != "type_modifiers")?;
            t = inner;
            hops += 1;
        }
        if t.kind() != "user_type" {
            return None;
        }
        let mut c = t.walk();
        let mut ids = t
            .named_children(&mut c)
            .filter(|x| x.kind() == "identifier")
            .map(|x| self.text(x).to_string());
        let first = ids.next()?;
        let members: Vec<String> = ids.collect();
        if members.is_empty() && PLAIN_TYPES.contains(&first.as_str()) {
            return None;
        }
        Some(RawPath {
            root: Root::Name(first),
            members,
        })
    }

    fn declare_function(
        &mut self,
        node: Node<'t>,
        scope: ScopeId,
        cur: Option<DefId>,
        class: Option<DefId>,
        depth: u32,
    ) {
        let kind_s = node.kind();
        let name = match kind_s {
            "function_declaration" => node.field("name").map(|n| self.text(n).to_string()),
            "secondary_constructor" => Some("constructor".to_string()),
            // `@Ann(..)\nfun f()` at top level parses as an annotated anonymous
            // function whose name is an error node.
            "anonymous_function" => {
                let mut c = node.walk();
                let found = node
                    .named_children(&mut c)
                    .find(|x| x.kind() == "ERROR")
                    .and_then(|e| e.named_child(0))
                    .filter(|x| x.kind() == "identifier")
                    .map(|x| self.text(x).to_string());
                found
            }
            _ => None,
        };
        let kind = match (&name, class) {
            (None, _) => DefKind::Anonymous,
            (Some(_), Some(_)) => DefKind::Method,
            (Some(_), None) => DefKind::Function,
        };
        let parent = class.or(cur);
        let def = self.new_def(name.clone().unwrap_or_default(), kind, node, parent);
        if let Some(n) = &name {
            if kind == DefKind::Method {
                if n != "constructor" {
                    self.scopes.declare(
                        scope,
                        n,
                        Binding::Alias(
                            RawPath {
                                root: Root::This,
                                members: vec![n.clone()],
                            },
                            scope,
                        ),
                    );
                }
            } else {
                self.scopes.declare(scope, n, Binding::Def(def));
            }
        }
        if kind_s == "function_declaration" {
            // The return type follows the parameters: `fun dir(): File`.
            let mut c = node.walk();
            let mut after_params = false;
            for ch in node.named_children(&mut c) {
                match ch.kind() {
                    "function_value_parameters" => after_params = true,
                    "user_type" | "nullable_type" if after_params => {
                        if let Some(raw) = self.type_path(ch) {
                            self.returns.insert(def, raw);
                        }
                        break;
                    }
                    "function_body" => break,
                    _ => {}
                }
            }
        }
        let inner = self.scopes.new_scope(Some(scope), None);
        self.scope_of.insert(node.id(), inner);
        let mut params = vec![];
        let mut c = node.walk();
        for ch in node.named_children(&mut c) {
            match ch.kind() {
                "function_value_parameters" => {
                    let mut c2 = ch.walk();
                    for p in ch.named_children(&mut c2) {
                        if p.kind() == "parameter" {
                            params.push(self.declare_param(p, inner));
                        }
                    }
                }
                "lambda_parameters" => {
                    let mut c2 = ch.walk();
                    for p in ch.named_children(&mut c2) {
                        match p.kind() {
                            "variable_declaration" => params.push(self.declare_param(p, inner)),
                            "multi_variable_declaration" => {
                                self.declare_vars(p, inner);
                                params.push(String::new());
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        if kind_s == "lambda_literal" && params.is_empty() {
            self.scopes.declare(inner, "it", Binding::Opaque);
        }
        self.facts.defs[def as usize].params = params;
        let mut c = node.walk();
        for ch in node.named_children(&mut c) {
            if !matches!(
                ch.kind(),
                "function_value_parameters" | "lambda_parameters" | "modifiers"
            ) {
                self.declare(ch, inner, Some(def), None, depth + 1);
            }
        }
    }

    /// A parameter (`name: Type`): an instance of its type when it names a class.
    fn declare_param(&mut self, p: Node, scope: ScopeId) -> String {
        let mut c = p.walk();
        let mut id = None;
        let mut ty = None;
        for ch in p.named_children(&mut c) {
            match ch.kind() {
                "identifier" if id.is_none() => id = Some(ch),
                "user_type" | "nullable_type" | "non_nullable_type" if ty.is_none() => {
                    ty = Some(ch)
                }
                _ => {}
            }
        }
        let Some(id) = id else {
            return String::new();
        };
        let name = self.text(id).to_string();
        let b = ty
            .and_then(|t| self.type_path(t))
            .map(|r| Binding::Instance(r, scope))
            .unwrap_or(Binding::Opaque);
        self.scopes.declare(scope, &name, b);
        name
    }

    fn declare_vars(&mut self, v: Node, scope: ScopeId) {
        match v.kind() {
            "variable_declaration" => {
                self.declare_param(v, scope);
            }
            "multi_variable_declaration" => {
                let mut c = v.walk();
                for ch in v.named_children(&mut c) {
                    if ch.kind() == "variable_declaration" {
                        self.declare_param(ch, scope);
                    }
                }
            }
            _ => {}
        }
    }

    fn declare_property(
        &mut self,
        node: Node<'t>,
        scope: ScopeId,
        _cur: Option<DefId>,
        class: Option<DefId>,
    ) {
        let mut c = node.walk();
        let mut var = None;
        let mut value = None;
        let mut delegate = None;
        for ch in node.named_children(&mut c) {
            match ch.kind() {
                "variable_declaration" | "multi_variable_declaration" if var.is_none() => {
                    var = Some(ch)
                }
                "property_delegate" => delegate = Some(ch),
                "modifiers" | "type_parameters" | "type_constraints" | "getter" | "setter"
                | "user_type" | "nullable_type" | "parenthesized_type" | "type_modifiers"
                | "line_comment" | "block_comment" => {}
                _ if var.is_some() && value.is_none() => value = Some(ch),
                _ => {}
            }
        }
        let Some(var) = var else { return };
        if var.kind() == "multi_variable_declaration" {
            self.declare_vars(var, scope);
            return;
        }
        let mut c = var.walk();
        let mut id = None;
        let mut ty = None;
        for ch in var.named_children(&mut c) {
            match ch.kind() {
                "identifier" if id.is_none() => id = Some(ch),
                "user_type" | "nullable_type" | "non_nullable_type" if ty.is_none() => {
                    ty = Some(ch)
                }
                _ => {}
            }
        }
        let Some(id) = id else { return };
        let name = self.text(id).to_string();
        // `by lazy { HttpClient() }`: the lambda's last expression.
        let value = value.map(unwrap).or_else(|| {
            let d = delegate?.named_child(0).map(unwrap)?;
            let parts = call_parts(d)?;
            let lam = parts.lambda?;
            let lit = {
                let mut c = lam.walk();
                let found = lam
                    .named_children(&mut c)
                    .find(|x| x.kind() == "lambda_literal");
                found
            }?;
            let n = lit.named_child_count();
            lit.named_child(n.checked_sub(1)?).map(unwrap)
        });
        let typed = ty.and_then(|t| self.type_path(t));
        let held: Option<RawPath> = typed.clone().or_else(|| {
            let v = value?;
            (v.kind() == "call_expression")
                .then(|| call_parts(v).and_then(|p| self.raw_path(p.callee, scope)))
                .flatten()
        });
        if let Some(class) = class {
            // A class property: a member seen as `this.name`.
            if let Some(raw) = held {
                self.push_field(class, &name, raw, scope);
            }
            self.scopes.declare(
                scope,
                &name,
                Binding::Alias(
                    RawPath {
                        root: Root::This,
                        members: vec![name.clone()],
                    },
                    scope,
                ),
            );
            return;
        }
        let b = match (typed, value) {
            (Some(raw), v) => {
                if let Some(v) = v.filter(|v| v.kind() == "call_expression") {
                    self.inits.insert((scope, name.clone()), v);
                }
                Binding::Instance(raw, scope)
            }
            (None, Some(v)) => match v.kind() {
                "string_literal" | "multiline_string_literal" => match self.string_arg(v) {
                    Arg::Str(s) => {
                        if scope == self.top {
                            self.facts.consts.push((name.clone(), s.clone()));
                        }
                        Binding::Const(s)
                    }
                    _ => Binding::Opaque,
                },
                "call_expression" => {
                    match call_parts(v).and_then(|p| self.raw_path(p.callee, scope)) {
                        Some(raw) => {
                            self.inits.insert((scope, name.clone()), v);
                            Binding::Instance(raw, scope)
                        }
                        None => Binding::Opaque,
                    }
                }
                "identifier" | "navigation_expression" | "this_expression" => {
                    match self.raw_path(v, scope) {
                        Some(raw) => Binding::Alias(raw, scope),
                        None => Binding::Opaque,
                    }
                }
                _ => Binding::Opaque,
            },
            (None, None) => Binding::Opaque,
        };
        if scope == self.top {
            self.top_props.push(name.clone());
        }
        self.scopes.declare(scope, &name, b);
    }

    fn string_value(&self, v: Node) -> Arg {
        match v.kind() {
            "string_literal" | "multiline_string_literal" => self.string_arg(v),
            _ => Arg::Other,
        }
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
            "identifier" => Some(RawPath {
                root: Root::Name(self.text(n).trim_matches('`').to_string()),
                members: vec![],
            }),
            "this_expression" => Some(RawPath {
                root: Root::This,
                members: vec![],
            }),
            "super_expression" => Some(RawPath {
                root: Root::This,
                members: vec!["<super>".into()],
            }),
            "navigation_expression" => {
                let mut c = n.walk();
                let mut kids = n.named_children(&mut c);
                let obj = kids.next()?;
                let member = kids.last().filter(|m| m.kind() == "identifier")?;
                let mut p = self.raw_path_d(obj, scope, depth + 1)?;
                p.members
                    .push(self.text(member).trim_matches('`').to_string());
                Some(p)
            }
            "call_expression" => {
                let parts = call_parts(n)?;
                let mut p = self.raw_path_d(parts.callee, scope, depth + 1)?;
                // `dir().delete()` where `fun dir(): File`: a `File` value.
                if let (Root::Name(name), true) = (&p.root, p.members.is_empty()) {
                    if let Some((Binding::Def(d), _)) = self.scopes.lookup(scope, name) {
                        if let Some(ret) = self.returns.get(d) {
                            p = ret.clone();
                        }
                    }
                }
                p.members.push("()".into());
                Some(p)
            }
            "index_expression" => {
                let obj = n.named_child(0)?;
                let mut p = self.raw_path_d(obj, scope, depth + 1)?;
                let key = n
                    .named_child(1)
                    .map(|k| self.string_value(k))
                    .and_then(|a| match a {
                        Arg::Str(s) => Some(s),
                        _ => None,
                    });
                p.members.push(key.unwrap_or_else(|| "[]".into()));
                Some(p)
            }
            // `x!!.m()`, `x as T`: the same value.
            "unary_expression" if n.field("operator").map(|o| self.text(o)) == Some("!!") => {
                self.raw_path_d(n.field("argument")?, scope, depth + 1)
            }
            "as_expression" => self.raw_path_d(n.field("left")?, scope, depth + 1),
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
        let kind = node.kind();
        let (scope, cur) = match (self.scope_of.get(&node.id()), self.def_of.get(&node.id())) {
            (Some(s), d) => (*s, d.copied().or(cur)),
            (None, _) => (scope, cur),
        };
        match kind {
            "package_header" | "import" | "user_type" | "type_arguments" | "nullable_type"
            | "function_type" | "type_constraints" | "type_parameters" | "line_comment"
            | "block_comment" => return,
            "modifiers" => {
                // Annotations of the definition this node belongs to.
                let target = node
                    .parent()
                    .and_then(|p| self.def_of.get(&p.id()).copied());
                self.emit_annotations(node, scope, cur, labels, target, depth);
                return;
            }
            "annotated_expression" => {
                // `@Ann(..)\nfun f()` at top level: the annotation decorates the function.
                let mut c = node.walk();
                let kids: Vec<Node> = node.named_children(&mut c).collect();
                let target = kids
                    .iter()
                    .find(|k| k.kind() != "annotation")
                    .and_then(|k| self.def_of.get(&k.id()).copied());
                for k in kids {
                    if k.kind() == "annotation" {
                        self.emit_annotation(k, scope, cur, labels, target, depth);
                    } else {
                        self.emit(k, scope, cur, labels, depth + 1);
                    }
                }
                return;
            }
            "class_declaration" | "object_declaration" | "companion_object" => {
                if let Some(&def) = self.def_of.get(&node.id()) {
                    let outer = self.scopes.scopes[scope as usize].parent.unwrap_or(scope);
                    let mut c = node.walk();
                    for ch in node.named_children(&mut c) {
                        if ch.kind() == "delegation_specifiers" {
                            let mut c2 = ch.walk();
                            for spec in ch.named_children(&mut c2) {
                                let ty = spec.named_child(0).and_then(|t| {
                                    if t.kind() == "constructor_invocation" {
                                        t.named_child(0)
                                    } else {
                                        Some(t)
                                    }
                                });
                                if let Some(raw) = ty.and_then(|t| self.type_path(t)) {
                                    let callee = self.scopes.resolve(outer, &raw);
                                    self.facts.defs[def as usize].bases.push(callee);
                                }
                            }
                        }
                    }
                }
            }
            "call_expression" => {
                self.emit_call(node, scope, cur, labels, depth);
                return;
            }
            "navigation_expression" | "index_expression" => {
                self.emit_access(node, scope, cur, labels);
                self.emit_chain_inner(node, scope, cur, labels, depth + 1);
                return;
            }
            "callable_reference" => {
                return;
            }
            "when_expression" => {
                self.emit_when(node, scope, cur, labels, depth);
                return;
            }
            "if_expression" => {
                if let Some(cond) = node.field("condition") {
                    let found = self.labels_in_condition(cond, scope);
                    if !found.is_empty() {
                        self.emit(cond, scope, cur, labels, depth + 1);
                        let mut c = node.walk();
                        let mut first = true;
                        for ch in node.named_children(&mut c) {
                            if ch.id() == cond.id() {
                                continue;
                            }
                            let l: &[String] = if first { &found } else { labels };
                            first = false;
                            self.emit(ch, scope, cur, l, depth + 1);
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

    fn emit_annotations(
        &mut self,
        mods: Node<'t>,
        scope: ScopeId,
        cur: Option<DefId>,
        labels: &[String],
        target: Option<DefId>,
        depth: u32,
    ) {
        let mut c = mods.walk();
        for a in mods.named_children(&mut c) {
            if a.kind() == "annotation" {
                self.emit_annotation(a, scope, cur, labels, target, depth);
            }
        }
    }

    fn emit_annotation(
        &mut self,
        a: Node<'t>,
        scope: ScopeId,
        cur: Option<DefId>,
        labels: &[String],
        target: Option<DefId>,
        depth: u32,
    ) {
        let mut c = a.walk();
        for ch in a.named_children(&mut c) {
            let (ty, args) = match ch.kind() {
                "constructor_invocation" => {
                    let mut c2 = ch.walk();
                    let args = ch
                        .named_children(&mut c2)
                        .find(|x| x.kind() == "value_arguments");
                    (ch.named_child(0), args)
                }
                "user_type" => (Some(ch), None),
                _ => continue,
            };
            let Some(raw) = ty.and_then(|t| self.type_path_any(t)) else {
                continue;
            };
            let callee = self.scopes.resolve(scope, &raw);
            let args_v = args.map(|x| self.args(x, scope)).unwrap_or_default();
            // Annotations of a definition are emitted in its enclosing definition.
            let in_def = target
                .and_then(|t| self.facts.defs[t as usize].parent)
                .or(cur);
            let in_def = if target.is_some() { in_def } else { cur };
            self.push_ref(RefKind::Call, callee, ch, args_v, in_def, labels, target);
            if let Some(x) = args {
                self.emit(x, scope, cur, labels, depth + 1);
            }
        }
    }

    /// Like `type_path`, plain names included (annotations are never plain types).
    fn type_path_any(&self, t: Node) -> Option<RawPath> {
        if t.kind() != "user_type" {
            return self.type_path(t);
        }
        let mut c = t.walk();
        let mut ids = t
            .named_children(&mut c)
            .filter(|x| x.kind() == "identifier")
            .map(|x| self.text(x).to_string());
        let first = ids.next()?;
        Some(RawPath {
            root: Root::Name(first),
            members: ids.collect(),
        })
    }

    fn emit_call(
        &mut self,
        node: Node<'t>,
        scope: ScopeId,
        cur: Option<DefId>,
        labels: &[String],
        depth: u32,
    ) {
        let Some(parts) = call_parts(node) else {
            let mut c = node.walk();
            for ch in node.named_children(&mut c) {
                self.emit(ch, scope, cur, labels, depth + 1);
            }
            return;
        };
        let args = self.args_opt(parts.args, parts.lambda, scope);
        let callee = match self.raw_path(parts.callee, scope) {
            Some(raw) => self.scopes.resolve(scope, &raw),
            None => Callee::Dynamic { member: None },
        };
        self.push_ref(RefKind::Call, callee, parts.callee, args, cur, labels, None);
        self.emit_chain_inner(parts.callee, scope, cur, labels, depth + 1);
        if let Some(a) = parts.args {
            self.emit(a, scope, cur, labels, depth + 1);
        }
        if let Some(l) = parts.lambda {
            self.emit(l, scope, cur, labels, depth + 1);
        }
    }

    /// Emit what is inside an access chain (calls, index expressions), not the chain's names.
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
            "navigation_expression" => {
                if let Some(o) = n.named_child(0) {
                    self.emit_chain_inner(o, scope, cur, labels, depth + 1);
                }
            }
            "index_expression" => {
                let mut c = n.walk();
                for (i, ch) in n.named_children(&mut c).enumerate() {
                    if i == 0 {
                        self.emit_chain_inner(ch, scope, cur, labels, depth + 1);
                    } else {
                        self.emit(ch, scope, cur, labels, depth + 1);
                    }
                }
            }
            "identifier" | "this_expression" | "super_expression" => {}
            _ => self.emit(n, scope, cur, labels, depth + 1),
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
        let key = if node.kind() == "index_expression" {
            node.named_child(1)
                .and_then(|k| match self.string_value(k) {
                    Arg::Str(s) => Some(s),
                    _ => None,
                })
        } else {
            None
        };
        self.facts.add_ref(
            RefKind::Access,
            callee,
            node.start_position(),
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
    ) {
        let p = at.start_position();
        self.facts
            .add_ref(kind, callee, p, args, cur, labels, decorates, None);
    }

    fn emit_when(
        &mut self,
        node: Node<'t>,
        scope: ScopeId,
        cur: Option<DefId>,
        labels: &[String],
        depth: u32,
    ) {
        let mut c = node.walk();
        let mut has_subject = false;
        for ch in node.named_children(&mut c) {
            match ch.kind() {
                "when_subject" => {
                    has_subject = true;
                    self.emit(ch, scope, cur, labels, depth + 1);
                }
                "when_entry" => {
                    let mut found = vec![];
                    let mut c2 = ch.walk();
                    let conds: Vec<Node> =
                        ch.children_by_field_name("condition", &mut c2).collect();
                    for cond in &conds {
                        if has_subject {
                            if let Some(s) = self.label_value(unwrap(*cond), scope) {
                                found.push(s);
                            }
                        } else {
                            found.extend(self.labels_in_condition(*cond, scope));
                        }
                    }
                    let l: &[String] = if found.is_empty() { labels } else { &found };
                    let mut c3 = ch.walk();
                    for x in ch.named_children(&mut c3) {
                        let is_cond = conds.iter().any(|k| k.id() == x.id());
                        self.emit(x, scope, cur, if is_cond { labels } else { l }, depth + 1);
                    }
                }
                _ => self.emit(ch, scope, cur, labels, depth + 1),
            }
        }
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
        match n.kind() {
            "binary_expression" => {
                let op = n.field("operator").map(|o| self.text(o));
                let (Some(l), Some(r)) = (n.field("left"), n.field("right")) else {
                    return;
                };
                let (l, r) = (unwrap(l), unwrap(r));
                match op {
                    Some("||") => {
                        self.collect_eq_labels(l, scope, out, depth + 1);
                        self.collect_eq_labels(r, scope, out, depth + 1);
                    }
                    Some("==") => {
                        for (a, b) in [(l, r), (r, l)] {
                            if self.label_value(b, scope).is_none() {
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
            // `name.equals("x")`, `"x".equals(name)`.
            "call_expression" => {
                let Some(parts) = call_parts(n) else { return };
                let callee = unwrap(parts.callee);
                if callee.kind() != "navigation_expression" {
                    return;
                }
                let mut c = callee.walk();
                let kids: Vec<Node> = callee.named_children(&mut c).collect();
                let (Some(obj), Some(m)) = (kids.first(), kids.last()) else {
                    return;
                };
                if self.text(*m) != "equals" {
                    return;
                }
                if let Some(s) = self.label_value(unwrap(*obj), scope) {
                    out.push(s);
                    return;
                }
                if let Some(a) = parts.args.and_then(|a| a.named_child(0)) {
                    if let Some(e) = a.named_child(a.named_child_count().saturating_sub(1)) {
                        if let Some(s) = self.label_value(unwrap(e), scope) {
                            out.push(s);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn label_value(&self, v: Node, scope: ScopeId) -> Option<String> {
        match v.kind() {
            "string_literal" | "multiline_string_literal" => match self.string_arg(v) {
                Arg::Str(s) => Some(s),
                _ => None,
            },
            "identifier" => self.scopes.const_str(scope, self.text(v)).or_else(|| {
                let t = self.text(v);
                self.facts
                    .consts
                    .iter()
                    .find(|(k, _)| k == t)
                    .map(|(_, s)| s.clone())
            }),
            "navigation_expression" => {
                let t: String = self.text(v).split_whitespace().collect();
                self.facts
                    .consts
                    .iter()
                    .find(|(k, _)| *k == t)
                    .map(|(_, s)| s.clone())
            }
            _ => None,
        }
    }

    fn args_opt(&self, list: Option<Node<'t>>, lambda: Option<Node>, scope: ScopeId) -> Args {
        let mut out = match list {
            Some(l) => self.args(l, scope),
            None => Args::default(),
        };
        if let Some(l) = lambda {
            out.pos.push(self.arg(l, scope, 0));
        }
        out
    }

    fn args(&self, list: Node, scope: ScopeId) -> Args {
        self.args_d(list, scope, 0)
    }

    fn args_d(&self, list: Node, scope: ScopeId, depth: u32) -> Args {
        let mut out = Args::default();
        let mut c = list.walk();
        for a in list.named_children(&mut c) {
            if a.kind() != "value_argument" {
                continue;
            }
            // `name = value`: an identifier, `=`, the value.
            let mut c2 = a.walk();
            let kids: Vec<Node> = a.children(&mut c2).collect();
            let eq = kids.iter().position(|k| k.kind() == "=");
            match eq {
                Some(i) if i >= 1 && kids[i - 1].kind() == "identifier" => {
                    let name = self.text(kids[i - 1]).to_string();
                    let v = kids[i + 1..]
                        .iter()
                        .find(|k| k.is_named())
                        .map(|v| self.arg(*v, scope, depth + 1))
                        .unwrap_or(Arg::Other);
                    out.kw.push((name, v));
                }
                _ => {
                    let v = kids
                        .iter()
                        .rev()
                        .find(|k| {
                            k.is_named() && !matches!(k.kind(), "line_comment" | "block_comment")
                        })
                        .map(|v| self.arg(*v, scope, depth + 1))
                        .unwrap_or(Arg::Other);
                    out.pos.push(v);
                }
            }
            if out.pos.len() + out.kw.len() >= 16 {
                break;
            }
        }
        out
    }

    fn arg(&self, a: Node, scope: ScopeId, depth: u32) -> Arg {
        if depth > 12 {
            return Arg::Other;
        }
        let a = unwrap(a);
        match a.kind() {
            "string_literal" | "multiline_string_literal" => self.string_arg(a),
            "number_literal" | "float_literal" => Arg::Num,
            "annotated_lambda" => {
                let mut c = a.walk();
                let found = a
                    .named_children(&mut c)
                    .find(|x| x.kind() == "lambda_literal");
                found
                    .and_then(|l| self.def_of.get(&l.id()))
                    .map(|d| Arg::Func(*d))
                    .unwrap_or(Arg::Other)
            }
            "lambda_literal" | "anonymous_function" => self
                .def_of
                .get(&a.id())
                .map(|d| Arg::Func(*d))
                .unwrap_or(Arg::Other),
            "callable_reference" => {
                let mut c = a.walk();
                let kids: Vec<Node> = a.named_children(&mut c).collect();
                let Some(member) = kids.last().filter(|k| k.kind() == "identifier") else {
                    return Arg::Other;
                };
                let name = self.text(*member).to_string();
                let recv = kids[..kids.len() - 1]
                    .iter()
                    .find(|k| k.kind() != "type_modifiers");
                let raw = match recv {
                    None => RawPath {
                        root: Root::Name(name),
                        members: vec![],
                    },
                    Some(r) => {
                        let Some(mut p) =
                            self.type_path_any(*r).or_else(|| self.raw_path(*r, scope))
                        else {
                            return Arg::Other;
                        };
                        p.members.push(name);
                        p
                    }
                };
                Arg::Path(self.scopes.resolve(scope, &raw))
            }
            "identifier" => {
                let name = self.text(a);
                match name {
                    "true" => return Arg::Bool(true),
                    "false" => return Arg::Bool(false),
                    _ => {}
                }
                if let Some(s) = self.scopes.const_str(scope, name) {
                    return Arg::Str(s);
                }
                if let Some((Binding::Instance(..), s)) = self.scopes.lookup(scope, name) {
                    if let Some(init) = self.inits.get(&(s, name.to_string())) {
                        if let Some(x) = self.call_arg(*init, s, depth + 1) {
                            return x;
                        }
                    }
                }
                match self.raw_path(a, scope) {
                    Some(raw) => Arg::Path(self.scopes.resolve(scope, &raw)),
                    None => Arg::Other,
                }
            }
            "navigation_expression" | "this_expression" => {
                if let Some(s) = self.label_value(a, scope) {
                    return Arg::Str(s);
                }
                match self.raw_path(a, scope) {
                    Some(raw) => Arg::Path(self.scopes.resolve(scope, &raw)),
                    None => Arg::Other,
                }
            }
            "call_expression" => self.call_arg(a, scope, depth + 1).unwrap_or(Arg::Other),
            "collection_literal" => Arg::List({
                let mut c = a.walk();
                a.named_children(&mut c)
                    .take(16)
                    .map(|x| self.arg(x, scope, depth + 1).as_str().map(str::to_string))
                    .collect()
            }),
            "binary_expression" => {
                match (a.field("operator").map(|o| self.text(o)), a.field("left")) {
                    (Some("+"), Some(l)) => match self.arg(l, scope, depth + 1) {
                        Arg::Str(s) | Arg::Prefix(s) if !s.is_empty() => Arg::Prefix(s),
                        _ => Arg::Other,
                    },
                    _ => Arg::Other,
                }
            }
            _ => {
                let t = self.text(a);
                match t {
                    "true" => Arg::Bool(true),
                    "false" => Arg::Bool(false),
                    _ => Arg::Other,
                }
            }
        }
    }

    /// A call passed along: `listOf(..)` as a list, `mapOf("k" to v)` as an
    /// object, anything else as its callee and arguments.
    fn call_arg(&self, call: Node, scope: ScopeId, depth: u32) -> Option<Arg> {
        if depth > 12 {
            return None;
        }
        let parts = call_parts(call)?;
        let raw = self.raw_path(parts.callee, scope)?;
        if let (Root::Name(n), true) = (&raw.root, raw.members.is_empty()) {
            if LIST_BUILDERS.contains(&n.as_str()) && self.scopes.lookup(scope, n).is_none() {
                let args = parts
                    .args
                    .map(|l| self.args_d(l, scope, depth + 1))
                    .unwrap_or_default();
                return Some(Arg::List(
                    args.pos
                        .iter()
                        .map(|x| x.as_str().map(str::to_string))
                        .collect(),
                ));
            }
            if MAP_BUILDERS.contains(&n.as_str()) && self.scopes.lookup(scope, n).is_none() {
                let mut props = vec![];
                if let Some(l) = parts.args {
                    let mut c = l.walk();
                    for va in l.named_children(&mut c) {
                        let Some(e) = va.named_child(0).map(unwrap) else {
                            continue;
                        };
                        if e.kind() != "infix_expression" || e.named_child_count() != 3 {
                            continue;
                        }
                        let (Some(k), Some(op), Some(v)) =
                            (e.named_child(0), e.named_child(1), e.named_child(2))
                        else {
                            continue;
                        };
                        if self.text(op) != "to" {
                            continue;
                        }
                        if let Arg::Str(key) = self.string_value(unwrap(k)) {
                            props.push((key, self.arg(v, scope, depth + 1)));
                        }
                    }
                }
                return Some(Arg::Obj(props));
            }
        }
        let callee = self.scopes.resolve(scope, &raw);
        let args = self.args_opt_d(parts.args, parts.lambda, scope, depth + 1);
        Some(Arg::Call(
            callee,
            args.pos
                .into_iter()
                .chain(args.kw.into_iter().map(|(_, v)| v))
                .collect(),
        ))
    }

    fn args_opt_d(
        &self,
        list: Option<Node>,
        lambda: Option<Node>,
        scope: ScopeId,
        depth: u32,
    ) -> Args {
        let mut out = match list {
            Some(l) => self.args_d(l, scope, depth),
            None => Args::default(),
        };
        if let Some(l) = lambda {
            out.pos.push(self.arg(l, scope, depth));
        }
        out
    }

    fn string_arg(&self, s: Node) -> Arg {
        let mut out = String::new();
        let mut c = s.walk();
        let mut interpolated = false;
        for ch in s.named_children(&mut c) {
            match ch.kind() {
                "string_content" => out.push_str(self.text(ch)),
                "escape_sequence" => {
                    let t = self.text(ch);
                    match t {
                        "\\n" => out.push('\n'),
                        "\\t" => out.push('\t'),
                        "\\\"" => out.push('"'),
                        "\\\\" => out.push('\\'),
                        "\\'" => out.push('\''),
                        "\\$" => out.push('$'),
                        _ => out.push_str(t),
                    }
                }
                "interpolation" => {
                    interpolated = true;
                    break;
                }
                _ => {}
            }
        }
        if !interpolated {
            Arg::Str(out)
        } else if out.is_empty() {
            Arg::Other
        } else {
            Arg::Prefix(out)
        }
    }
}
