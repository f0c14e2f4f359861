//! The language-neutral facts extracted from one source file.
//!
//! Every language adapter produces a [`FileFacts`]: definitions, references
//! (calls, `new`, member reads, decorators) with their callee resolved *within
//! the file* through imports, aliases and scopes, literal arguments, object
//! literals that may describe tools or dispatch tables, and module exports.
//! Nothing here decides what is privileged: that is the catalogue's job.

/// Index of a definition in [`FileFacts::defs`].
pub type DefId = u32;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    TypeScript,
    Tsx,
    JavaScript,
    Python,
    Go,
    Rust,
    Java,
    Kotlin,
    CSharp,
}

impl Lang {
    /// Guess the language from a file name's extension.
    pub fn from_path(path: &str) -> Option<Lang> {
        let ext = path.rsplit_once('.').map(|(_, e)| e)?;
        Some(match ext {
            "ts" | "mts" | "cts" => {
                if path.ends_with(".d.ts") || path.ends_with(".d.mts") || path.ends_with(".d.cts") {
                    return None; // declarations carry no behaviour
                }
                Lang::TypeScript
            }
            "tsx" => Lang::Tsx,
            "js" | "jsx" | "mjs" | "cjs" => Lang::JavaScript,
            "py" | "pyw" => Lang::Python,
            "go" => Lang::Go,
            "rs" => Lang::Rust,
            "java" => Lang::Java,
            "kt" => Lang::Kotlin,
            "cs" => Lang::CSharp,
            _ => return None,
        })
    }

    /// The family used to pick catalogue rows and report languages.
    pub fn family(self) -> Family {
        match self {
            Lang::TypeScript | Lang::Tsx | Lang::JavaScript => Family::JavaScript,
            Lang::Python => Family::Python,
            Lang::Go => Family::Go,
            Lang::Rust => Family::Rust,
            Lang::Java | Lang::Kotlin => Family::Jvm,
            Lang::CSharp => Family::CSharp,
        }
    }

    /// Every language, in a stable order.
    pub const ALL: [Lang; 9] = [
        Lang::TypeScript,
        Lang::Tsx,
        Lang::JavaScript,
        Lang::Python,
        Lang::Go,
        Lang::Rust,
        Lang::Java,
        Lang::Kotlin,
        Lang::CSharp,
    ];

    /// A language by its report name or a common short name (`ts`, `py`, `cs`...).
    /// `typescript` also selects TSX.
    pub fn by_name(name: &str) -> Vec<Lang> {
        match name.trim().to_ascii_lowercase().as_str() {
            "typescript" | "ts" => vec![Lang::TypeScript, Lang::Tsx],
            "tsx" => vec![Lang::Tsx],
            "javascript" | "js" => vec![Lang::JavaScript],
            "python" | "py" => vec![Lang::Python],
            "go" | "golang" => vec![Lang::Go],
            "rust" | "rs" => vec![Lang::Rust],
            "java" => vec![Lang::Java],
            "kotlin" | "kt" => vec![Lang::Kotlin],
            "csharp" | "c#" | "cs" => vec![Lang::CSharp],
            _ => vec![],
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Lang::TypeScript | Lang::Tsx => "typescript",
            Lang::JavaScript => "javascript",
            Lang::Python => "python",
            Lang::Go => "go",
            Lang::Rust => "rust",
            Lang::Java => "java",
            Lang::Kotlin => "kotlin",
            Lang::CSharp => "csharp",
        }
    }
}

pub use mcpwarden_model::Family;

/// What a callee (or any access path) resolves to inside its file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Callee {
    /// Through an import / require: module specifier as written (`node:` kept,
    /// relative paths kept) and the member path after it. `"()"` marks the
    /// result of a call or `new` (`express().listen` → `["()", "listen"]`).
    Import { module: String, path: Vec<String> },
    /// An unbound name: a runtime global (`fetch`, `process.env.X`, `open`).
    Global { path: Vec<String> },
    /// A definition in this file and the member path after it.
    Def { def: DefId, path: Vec<String> },
    /// `this.x.y` / `self.x.y`, with the enclosing class when known.
    SelfMember {
        class: Option<DefId>,
        path: Vec<String>,
    },
    /// A local variable or parameter whose value is unknown.
    Var { name: String, path: Vec<String> },
    /// Something we cannot name (a computed callee).
    Dynamic { member: Option<String> },
}

impl Callee {
    /// The member path after the root (empty for a computed callee).
    pub fn path(&self) -> &[String] {
        match self {
            Callee::Import { path, .. } | Callee::Global { path } | Callee::Def { path, .. } => {
                path
            }
            Callee::SelfMember { path, .. } | Callee::Var { path, .. } => path,
            Callee::Dynamic { .. } => &[],
        }
    }

    /// The last member name, if any (used for name-based fallbacks).
    pub fn last_name(&self) -> Option<&str> {
        match self {
            Callee::Dynamic { member } => member.as_deref(),
            c => c.path().last().map(|s| s.as_str()),
        }
    }

    /// True when the path goes through a call result (`f().x`, `new C().m`).
    pub fn through_call(&self) -> bool {
        self.path().iter().any(|s| s == "()")
    }

    /// True when the path ends with these members.
    pub fn ends_with(&self, tail: &[&str]) -> bool {
        let path = self.path();
        path.len() >= tail.len()
            && path[path.len() - tail.len()..]
                .iter()
                .zip(tail)
                .all(|(a, b)| a == b)
    }
}

/// A literal-ish argument value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    Str(String),
    /// Template / f-string / concatenation with a constant prefix.
    Prefix(String),
    /// A list literal; `None` items are not literal strings.
    List(Vec<Option<String>>),
    Bool(bool),
    Num,
    /// A small non-negative integer literal (a port, a count).
    Int(u32),
    /// An inline function (arrow, function expression, lambda).
    Func(DefId),
    /// A name or member path (e.g. a callback `helper`, `this.run`, `Loader=yaml.SafeLoader`).
    Path(Callee),
    /// An object / dict literal with simple keys.
    Obj(Vec<(String, Arg)>),
    /// A call passed along: `withTelemetry("x", async () => …)` wraps a handler.
    Call(Callee, Vec<Arg>),
    /// Parts joined into one string: a template or f-string with
    /// substitutions, `a + b`.
    Concat(Vec<Arg>),
    /// The first of these that is set: `a ?? b`, `a || b`, `a or b`.
    Either(Vec<Arg>),
    Other,
}

/// A variable's initial value that is worth following by name: string
/// building, literals, and calls that compute a value. A call given a
/// function (`createHandler("GET", (a) => …)`) builds a handler instead, which
/// the call graph must see as it resolves.
pub fn followable(v: &Arg) -> bool {
    match v {
        Arg::Concat(_) | Arg::Either(_) | Arg::Str(_) | Arg::Int(_) | Arg::Prefix(_) => true,
        Arg::Call(_, args) => !args.iter().any(|a| matches!(a, Arg::Func(_))),
        _ => false,
    }
}

/// `a + b` as one value: adjacent literals merge, nested joins flatten.
pub fn concat(a: Arg, b: Arg) -> Arg {
    let mut parts = match a {
        Arg::Concat(p) => p,
        Arg::Str(s) if s.is_empty() => vec![],
        x => vec![x],
    };
    let more = match b {
        Arg::Concat(p) => p,
        Arg::Str(s) if s.is_empty() => vec![],
        x => vec![x],
    };
    for m in more {
        match (parts.last_mut(), m) {
            (Some(Arg::Str(l)), Arg::Str(r)) => l.push_str(&r),
            (_, m) => parts.push(m),
        }
    }
    match parts.len() {
        0 => Arg::Str(String::new()),
        1 if matches!(parts[0], Arg::Str(_)) => parts.pop().expect("one"),
        _ => Arg::Concat(parts),
    }
}

impl Arg {
    /// The literal text this value starts with (`https://x/` of `` `https://x/${p}` ``).
    pub fn literal_prefix(&self) -> Option<&str> {
        match self {
            Arg::Str(s) | Arg::Prefix(s) => Some(s),
            Arg::Concat(parts) => match parts.first() {
                Some(Arg::Str(s)) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Arg::Str(s) => Some(s),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Args {
    pub pos: Vec<Arg>,
    pub kw: Vec<(String, Arg)>,
}

impl Args {
    pub fn kw(&self, name: &str) -> Option<&Arg> {
        self.kw.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
    /// A property of an options object among the positional arguments (`{ shell: true }`).
    pub fn option(&self, name: &str) -> Option<&Arg> {
        self.pos.iter().find_map(|a| match a {
            Arg::Obj(props) => props.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    Call,
    New,
    /// A member read that is not called (`process.env.HOME`, `fs.readFile` passed as a value).
    Access,
}

/// One use of a name: the unit the catalogue matches and the call graph links.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ref {
    pub kind: RefKind,
    pub callee: Callee,
    pub line: u32,
    pub column: u32,
    pub args: Args,
    /// Innermost enclosing definition; `None` at module top level.
    pub in_def: Option<DefId>,
    /// String labels of the innermost enclosing `case` / `if x == "..."` / `match` branch.
    pub labels: Vec<String>,
    /// For a decorator: the definition it decorates.
    pub decorates: Option<DefId>,
    /// For a subscript read (`process.env["X"]`, `os.environ["X"]`): the literal key.
    pub key: Option<String>,
    /// The innermost enclosing branch ([`FileFacts::branches`]), if any.
    pub branch: Option<u32>,
}

/// A part of the code taken only for some literal values of one expression:
/// a `case "x":` of a `switch (args.action)`, the body of `if action === "x"`
/// / `elif op in ("a", "b")`, a `case "x":` of a Python `match`; or the
/// lookup of a dispatch table, `HANDLERS[action](…)`, whose values (the
/// table's keys) only the analyser knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Branch {
    /// The expression compared or looked up (`args.action`, `arguments.get("op")`).
    pub subject: Arg,
    /// The values the branch is taken for, with the line each is written on
    /// (symbolic labels as in [`Ref::labels`]); empty for a table lookup.
    pub values: Vec<(String, u32)>,
    /// The enclosing branch, if any.
    pub parent: Option<u32>,
    pub in_def: Option<DefId>,
    pub line: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefKind {
    Function,
    Method,
    Class,
    /// Arrow function, function expression or lambda not bound to a name.
    Anonymous,
}

/// How many further returned instances a function records.
pub const MAX_ALSO_RETURNED: usize = 8;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Def {
    pub name: String,
    pub kind: DefKind,
    pub line: u32,
    pub end_line: u32,
    /// Enclosing definition (a method's class, a nested function's parent).
    pub parent: Option<DefId>,
    /// For classes: base classes as resolved paths.
    pub bases: Vec<Callee>,
    /// Parameter names in order (`""` for a destructured one).
    pub params: Vec<String>,
    /// The declared result type of a function or method, as a callee (Go
    /// `(*github.Client, error)`, Java `HttpClient get()`): calling it gives an
    /// instance of that type (`getClient().Do()` is `Client().Do`).
    pub returns: Option<Callee>,
    /// What a function returns, when it is an instance the code names
    /// (`return new Client()`, `return this.client`, `return self._session`):
    /// unlike `returns`, a value, not a type. Inferred from `return` for
    /// languages without declared result types (JavaScript, Python).
    pub returned: Option<Callee>,
    /// Other instances it may return (a factory's `switch` returning
    /// `new SqliteAdapter()` or `new PgAdapter()`), at most
    /// [`MAX_ALSO_RETURNED`]: a call on the result may run any of them.
    pub also_returned: Vec<Callee>,
    /// Names bound by destructuring a parameter: (`path`, parameter 0,
    /// member path `["path"]`) for `({ path }) => …`.
    pub destructured: Vec<(String, u32, Vec<String>)>,
}

impl Def {
    /// Record an instance the function returns: the first is `returned`,
    /// other distinct ones `also_returned` (up to [`MAX_ALSO_RETURNED`]).
    pub fn add_returned(&mut self, c: Callee) {
        match &self.returned {
            None => self.returned = Some(c),
            Some(first) if *first == c || self.also_returned.contains(&c) => {}
            Some(_) if self.also_returned.len() < MAX_ALSO_RETURNED => self.also_returned.push(c),
            Some(_) => {}
        }
    }
}

/// A local variable (or module-level one, `def: None`) and the value it was
/// initialised with; values reaching a privileged call are followed through these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Local {
    pub def: Option<DefId>,
    pub name: String,
    pub value: Arg,
    pub line: u32,
}

/// An object or dict literal that may describe a tool (`{ name: "x", inputSchema }`)
/// or a dispatch table (`{ "x": doX }`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjLit {
    /// Module-level variable the literal is assigned to, if any.
    pub binding: Option<String>,
    pub line: u32,
    pub in_def: Option<DefId>,
    pub props: Vec<(String, Arg)>,
    /// Line of the `name` property, if present.
    pub name_line: u32,
    /// Line of each property, in `props` order.
    pub prop_lines: Vec<u32>,
    /// Properties with a computed key (`[searchTool.name]: search`): the key as
    /// a branch label (a literal, or symbolic as in [`Ref::labels`] when only
    /// the linker can name it), the value and the line.
    pub computed: Vec<(String, Arg, u32)>,
}

/// A class field holding the result of a call (`value` ends with `"()"`), or
/// a function kept to be called later (`this.#fetch = fetchImpl ?? fetch`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub class: DefId,
    pub name: String,
    pub value: Callee,
}

/// A name a module makes available to importers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Export {
    /// `export function f` / module-level def / `module.exports.f = f`.
    Local { name: String, target: Callee },
    /// `export * from "./x"`.
    Star { module: String },
}

#[derive(Clone, Debug, Default)]
pub struct FileFacts {
    pub defs: Vec<Def>,
    pub refs: Vec<Ref>,
    pub objects: Vec<ObjLit>,
    pub exports: Vec<Export>,
    /// Every module specifier imported (static, require, literal dynamic import).
    pub imports: Vec<String>,
    /// Object fields set from a call: `self.session = requests.Session()`, `this.api = axios.create()`.
    pub fields: Vec<Field>,
    /// Fields set from a constructor's parameter (`constructor(http) {
    /// this.client = http }`): (class, field, constructor, parameter index).
    /// The instances passed at `new Class(…)` give the field its type.
    pub param_fields: Vec<(DefId, String, DefId, usize)>,
    /// Variables and the values they were initialised with (value expressions only).
    pub locals: Vec<Local>,
    /// Values functions return (`return path.join(DIR, name)`), for following
    /// a value through a helper call.
    pub returns: Vec<(DefId, Arg)>,
    /// Module-level string constants: `NAME = "x"` and `NAMES = { key: "x" }` (as `NAMES.key`).
    pub consts: Vec<(String, String)>,
    /// The package / namespace the file declares (Java, Kotlin `package`; C#
    /// `namespace`; Go `package` name; Rust: none, the module path comes from the file path).
    pub package: Option<String>,
    /// Names made visible wholesale: Java/Kotlin `import a.b.*`, C# `using A.B;`.
    /// Unqualified names (`Callee::Global`) are looked up in these, then in the
    /// language's implicit imports.
    pub star_imports: Vec<String>,
    /// tree-sitter ERROR and MISSING nodes.
    pub syntax_errors: u32,
    /// True when the traversal stopped descending somewhere (nesting cap).
    pub truncated: bool,
    /// Branch labels only the linker can name (`case tools.Search.name:`, the
    /// constant in another module): a label `"\u{1}N"` in [`Ref::labels`] is
    /// the constant `label_paths[N]` denotes (see [`symbolic_label`]).
    pub label_paths: Vec<Callee>,
    /// Branches on literal values (JavaScript, Python), each ref pointing at
    /// its innermost one ([`Ref::branch`]).
    pub branches: Vec<Branch>,
    /// While extracting: the branch whose body is being walked (see
    /// [`FileFacts::enter_branch`]); `None` once extraction is done.
    pub open_branch: Option<u32>,
}

/// Marks a label that stands for `FileFacts::label_paths[i]`.
pub const LABEL_PATH_MARK: char = '\u{1}';

/// The index into `label_paths` of a symbolic label, if it is one.
pub fn symbolic_label(label: &str) -> Option<usize> {
    label.strip_prefix(LABEL_PATH_MARK)?.parse().ok()
}

/// Shifts definition ids and lines of facts extracted from one part of a file
/// (see [`FileFacts::append`]).
struct Shift {
    defs: DefId,
    lines: u32,
}

impl Shift {
    fn def(&self, d: DefId) -> DefId {
        d + self.defs
    }
    fn callee(&self, c: &mut Callee) {
        match c {
            Callee::Def { def, .. } => *def = self.def(*def),
            Callee::SelfMember { class: Some(k), .. } => *k = self.def(*k),
            _ => {}
        }
    }
    /// A symbolic label of the appended part, renumbered past `paths` labels.
    fn label(&self, l: &mut String, paths: usize) {
        if let Some(i) = symbolic_label(l) {
            *l = format!("{LABEL_PATH_MARK}{}", i + paths);
        }
    }
    fn arg(&self, a: &mut Arg) {
        match a {
            Arg::Func(d) => *d = self.def(*d),
            Arg::Path(c) => self.callee(c),
            Arg::Obj(props) => props.iter_mut().for_each(|(_, v)| self.arg(v)),
            Arg::Call(c, args) => {
                self.callee(c);
                args.iter_mut().for_each(|v| self.arg(v));
            }
            Arg::Concat(parts) | Arg::Either(parts) => parts.iter_mut().for_each(|v| self.arg(v)),
            _ => {}
        }
    }
}

impl FileFacts {
    /// Add a definition (lines 1-based); returns its id.
    pub fn add_def(
        &mut self,
        name: String,
        kind: DefKind,
        line: u32,
        end_line: u32,
        parent: Option<DefId>,
    ) -> DefId {
        let id = self.defs.len() as DefId;
        self.defs.push(Def {
            name,
            kind,
            line,
            end_line,
            parent,
            bases: vec![],
            params: vec![],
            returns: None,
            returned: None,
            also_returned: vec![],
            destructured: vec![],
        });
        id
    }

    /// Add a reference starting at `at` (tree-sitter's 0-based row and column).
    #[allow(clippy::too_many_arguments)]
    pub fn add_ref(
        &mut self,
        kind: RefKind,
        callee: Callee,
        at: tree_sitter::Point,
        args: Args,
        in_def: Option<DefId>,
        labels: &[String],
        decorates: Option<DefId>,
        key: Option<String>,
    ) {
        self.refs.push(Ref {
            kind,
            callee,
            line: at.row as u32 + 1,
            column: at.column as u32 + 1,
            args,
            in_def,
            labels: labels.to_vec(),
            decorates,
            key,
            branch: self.open_branch,
        });
    }

    /// Start walking the body of a branch on `subject` taken for `values`;
    /// references added until [`FileFacts::leave_branch`] are inside it.
    /// Returns what to pass to `leave_branch`.
    pub fn enter_branch(
        &mut self,
        subject: Arg,
        values: Vec<(String, u32)>,
        in_def: Option<DefId>,
        line: u32,
    ) -> Option<u32> {
        let outer = self.open_branch;
        self.branches.push(Branch {
            subject,
            values,
            parent: outer,
            in_def,
            line,
        });
        self.open_branch = Some(self.branches.len() as u32 - 1);
        outer
    }

    /// Back to the branch that was open before [`FileFacts::enter_branch`].
    pub fn leave_branch(&mut self, outer: Option<u32>) {
        self.open_branch = outer;
    }

    /// Apply `f` to every callee the facts hold: references and their
    /// arguments, definitions' types and returned instances, branches,
    /// object literals, exports, locals, returned values and fields.
    pub fn map_callees(&mut self, f: &mut dyn FnMut(&mut Callee)) {
        fn arg(a: &mut Arg, f: &mut dyn FnMut(&mut Callee)) {
            match a {
                Arg::Path(c) => f(c),
                Arg::Obj(props) => props.iter_mut().for_each(|(_, v)| arg(v, f)),
                Arg::Call(c, args) => {
                    f(c);
                    args.iter_mut().for_each(|v| arg(v, f));
                }
                Arg::Concat(parts) | Arg::Either(parts) => parts.iter_mut().for_each(|v| arg(v, f)),
                _ => {}
            }
        }
        for d in &mut self.defs {
            d.bases.iter_mut().for_each(&mut *f);
            d.returns.iter_mut().for_each(&mut *f);
            d.returned.iter_mut().for_each(&mut *f);
            d.also_returned.iter_mut().for_each(&mut *f);
        }
        for r in &mut self.refs {
            f(&mut r.callee);
            r.args.pos.iter_mut().for_each(|a| arg(a, f));
            r.args.kw.iter_mut().for_each(|(_, a)| arg(a, f));
        }
        self.branches
            .iter_mut()
            .for_each(|b| arg(&mut b.subject, f));
        self.label_paths.iter_mut().for_each(&mut *f);
        for o in &mut self.objects {
            o.props.iter_mut().for_each(|(_, a)| arg(a, f));
            o.computed.iter_mut().for_each(|(_, a, _)| arg(a, f));
        }
        for e in &mut self.exports {
            if let Export::Local { target, .. } = e {
                f(target);
            }
        }
        self.locals.iter_mut().for_each(|l| arg(&mut l.value, f));
        self.returns.iter_mut().for_each(|(_, a)| arg(a, f));
        self.fields.iter_mut().for_each(|x| f(&mut x.value));
    }

    /// Append the facts of a part of the same file that was parsed on its own
    /// (a module of a large bundle), whose first line is line `line_offset + 1`
    /// of the file. Definition ids and lines are shifted to the file's.
    pub fn append(&mut self, mut other: FileFacts, line_offset: u32) {
        let s = Shift {
            defs: self.defs.len() as DefId,
            lines: line_offset,
        };
        for d in &mut other.defs {
            d.line += s.lines;
            d.end_line += s.lines;
            d.parent = d.parent.map(|p| s.def(p));
            d.bases.iter_mut().for_each(|b| s.callee(b));
            if let Some(r) = &mut d.returns {
                s.callee(r);
            }
            if let Some(r) = &mut d.returned {
                s.callee(r);
            }
            d.also_returned.iter_mut().for_each(|r| s.callee(r));
        }
        for r in &mut other.refs {
            r.line += s.lines;
            s.callee(&mut r.callee);
            r.args.pos.iter_mut().for_each(|a| s.arg(a));
            r.args.kw.iter_mut().for_each(|(_, a)| s.arg(a));
            r.in_def = r.in_def.map(|d| s.def(d));
            r.decorates = r.decorates.map(|d| s.def(d));
            for l in &mut r.labels {
                s.label(l, self.label_paths.len());
            }
            r.branch = r.branch.map(|b| b + self.branches.len() as u32);
        }
        for b in &mut other.branches {
            b.line += s.lines;
            b.in_def = b.in_def.map(|d| s.def(d));
            b.parent = b.parent.map(|p| p + self.branches.len() as u32);
            s.arg(&mut b.subject);
            for (v, line) in &mut b.values {
                *line += s.lines;
                s.label(v, self.label_paths.len());
            }
        }
        other.label_paths.iter_mut().for_each(|c| s.callee(c));
        for o in &mut other.objects {
            o.line += s.lines;
            if o.name_line > 0 {
                o.name_line += s.lines;
            }
            o.prop_lines.iter_mut().for_each(|l| *l += s.lines);
            o.in_def = o.in_def.map(|d| s.def(d));
            o.props.iter_mut().for_each(|(_, a)| s.arg(a));
            for (key, value, line) in &mut o.computed {
                s.label(key, self.label_paths.len());
                s.arg(value);
                *line += s.lines;
            }
        }
        for e in &mut other.exports {
            if let Export::Local { target, .. } = e {
                s.callee(target);
            }
        }
        for l in &mut other.locals {
            l.line += s.lines;
            l.def = l.def.map(|d| s.def(d));
            s.arg(&mut l.value);
        }
        for (d, a) in &mut other.returns {
            *d = s.def(*d);
            s.arg(a);
        }
        for f in &mut other.fields {
            f.class = s.def(f.class);
            s.callee(&mut f.value);
        }
        for (class, _, ctor, _) in &mut other.param_fields {
            *class = s.def(*class);
            *ctor = s.def(*ctor);
        }
        self.defs.append(&mut other.defs);
        self.refs.append(&mut other.refs);
        self.objects.append(&mut other.objects);
        self.exports.append(&mut other.exports);
        self.fields.append(&mut other.fields);
        self.param_fields.append(&mut other.param_fields);
        self.locals.append(&mut other.locals);
        self.returns.append(&mut other.returns);
        self.consts.append(&mut other.consts);
        self.label_paths.append(&mut other.label_paths);
        self.branches.append(&mut other.branches);
        for i in other.imports {
            if !self.imports.contains(&i) {
                self.imports.push(i);
            }
        }
        for i in other.star_imports {
            if !self.star_imports.contains(&i) {
                self.star_imports.push(i);
            }
        }
        if self.package.is_none() {
            self.package = other.package;
        }
        self.syntax_errors += other.syntax_errors;
        self.truncated |= other.truncated;
    }
}
