//! Values reaching privileged calls, and where they come from.
//!
//! A small abstract interpretation over the extracted facts: a value is a
//! concatenation of pieces, each a literal, a well-known directory, an
//! environment variable or command-line argument (`config`), a tool argument
//! (`tool-arg`) or unknown. Variables are followed through their initial
//! values ([`mcpwarden_lang::Local`]), imports through the linker, parameters
//! of helpers through their callers, and parameters of tool handlers become
//! tool arguments. Every walk is bounded (depth and fan-out), so hostile code
//! costs little.

use crate::link::{Linker, Target, Tier};
use mcpwarden_lang::{Arg, Callee, DefId, Family, FileFacts, Local};
use mcpwarden_model::{Provenance, Value};
use std::cell::{Cell, OnceCell};
use std::collections::{HashMap, HashSet};

/// (file, def) → the references that call it, as (file, ref index).
type CallIndex = HashMap<(u32, u32), Vec<(u32, u32)>>;

/// How deep values are followed (variables, imports, calls and callers
/// together): real validation helpers nest a dozen steps; `MAX_STEPS` bounds
/// the total work.
const MAX_DEPTH: u32 = 32;
/// At most this many alternative values per call site.
const MAX_VALUES: usize = 8;
/// Callers of one helper followed for one parameter.
const MAX_CALLERS: usize = 16;
/// Evaluation steps for one call site: fan-out multiplies (callers of callers
/// of a helper), so the whole walk has one budget; past it, a value is unknown.
const MAX_STEPS: u32 = 20_000;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Piece {
    Lit(String),
    Home,
    Tmp,
    Cwd,
    /// The server's own directory (`__dirname`, `Path(__file__).parent`).
    Pkg,
    Env(String, Option<String>),
    /// A command-line argument: `positional`, `--flag` or an index.
    Cli(String),
    /// A tool argument: the member path read from the tool's arguments.
    ToolArg(Vec<String>, Option<Handler>),
    Unknown,
}

type Abs = Vec<Piece>;

/// A tool handler definition: (file, def).
type Handler = (u32, u32);

/// What a variable name stands for (see `Values::lookup`).
enum Name<'a> {
    Local(&'a Local),
    /// Parameter `index` of a definition, and the member path read from it.
    Param(DefId, u32, Vec<String>),
}

/// Where a value is seen: a file, its enclosing definition, a line (locals
/// assigned before it count).
#[derive(Clone, Copy, Debug)]
struct At {
    file: u32,
    def: Option<DefId>,
    line: u32,
}

/// A call being followed into a helper's `return`: its parameters stand for
/// the caller's arguments.
struct Frame<'f> {
    file: u32,
    def: DefId,
    args: &'f [Arg],
    /// Where the call is.
    at: At,
    parent: Fr<'f>,
}

type Fr<'f> = Option<&'f Frame<'f>>;

pub struct Values<'a> {
    linker: &'a Linker<'a>,
    targets: &'a [Vec<(Target, Tier)>],
    /// Tool handler definitions: (file, def).
    /// Tool handler definitions and the tools each serves.
    handlers: &'a HashMap<Handler, Vec<String>>,
    /// Callers of each definition: (file, def) → (file, ref index); built on first need.
    callers: OnceCell<CallIndex>,
    /// Callbacks given to `xs.map(fn)` / `forEach` / `filter`...: (file, def)
    /// → the call (file, ref index); the callback's first parameter is an
    /// element of the receiver.
    iterated: OnceCell<HashMap<(u32, u32), (u32, u32)>>,
    /// Steps left for the call site being evaluated.
    steps: Cell<u32>,
}

impl<'a> Values<'a> {
    pub fn new(
        linker: &'a Linker<'a>,
        targets: &'a [Vec<(Target, Tier)>],
        handlers: &'a HashMap<Handler, Vec<String>>,
    ) -> Values<'a> {
        Values {
            linker,
            targets,
            handlers,
            callers: OnceCell::new(),
            iterated: OnceCell::new(),
            steps: Cell::new(0),
        }
    }

    fn facts(&self, file: u32) -> &'a FileFacts {
        self.linker.files[file as usize].facts
    }

    fn family(&self, file: u32) -> Family {
        self.linker.files[file as usize].family
    }

    /// The values `arg`, seen at `line` inside `in_def` of `file`, may take.
    pub fn of(&self, file: u32, in_def: Option<DefId>, line: u32, arg: &Arg) -> Vec<Value> {
        self.of_within(file, in_def, line, arg, MAX_STEPS)
    }

    /// [`Values::of`] with its own budget of evaluation steps.
    pub fn of_within(
        &self,
        file: u32,
        in_def: Option<DefId>,
        line: u32,
        arg: &Arg,
        steps: u32,
    ) -> Vec<Value> {
        let mut out: Vec<Value> = vec![];
        self.steps.set(steps);
        let at = At {
            file,
            def: in_def,
            line,
        };
        for abs in self.eval(at, arg, 0, None) {
            let mut v = render(&abs);
            v.tools = self.tools_of(&abs);
            if !out.contains(&v) {
                out.push(v);
            }
        }
        out
    }

    fn eval(&self, at: At, arg: &Arg, depth: u32, fr: Fr) -> Vec<Abs> {
        let left = self.steps.get();
        if depth > MAX_DEPTH || left == 0 {
            return vec![vec![Piece::Unknown]];
        }
        self.steps.set(left - 1);
        let d = depth + 1;
        let mut out = match arg {
            Arg::Str(s) => vec![vec![Piece::Lit(s.clone())]],
            Arg::Int(n) => vec![vec![Piece::Lit(n.to_string())]],
            Arg::Prefix(p) => vec![vec![Piece::Lit(p.clone()), Piece::Unknown]],
            Arg::List(items) => vec![vec![Piece::Lit(
                items
                    .iter()
                    .map(|i| i.as_deref().unwrap_or("*"))
                    .collect::<Vec<_>>()
                    .join(" "),
            )]],
            Arg::Concat(parts) => {
                let mut acc: Vec<Abs> = vec![vec![]];
                for p in parts {
                    let options = self.eval(at, p, d, fr);
                    acc = product(&acc, &options);
                }
                acc
            }
            Arg::Either(options) => self.either(at, options, d, fr),
            Arg::Path(callee) => self.path(at, callee, d, fr),
            Arg::Call(callee, args) => self.call(at, callee, args, d, fr),
            _ => vec![vec![Piece::Unknown]],
        };
        keep_informative(&mut out);
        out
    }

    /// `process.env.X ?? "d"`: the variable with its default; otherwise any of them.
    fn either(&self, at: At, options: &[Arg], d: u32, fr: Fr) -> Vec<Abs> {
        let evaluated: Vec<Vec<Abs>> = options.iter().map(|o| self.eval(at, o, d, fr)).collect();
        if let [first, second] = evaluated.as_slice() {
            if let ([one], [fallback]) = (first.as_slice(), second.as_slice()) {
                if let ([Piece::Env(name, None)], Some(text)) =
                    (one.as_slice(), constant_text(fallback))
                {
                    return vec![vec![Piece::Env(name.clone(), Some(text))]];
                }
            }
        }
        evaluated.into_iter().flatten().collect()
    }

    fn path(&self, at: At, callee: &Callee, d: u32, fr: Fr) -> Vec<Abs> {
        let one = |p: Piece| vec![vec![p]];
        if let Some(p) = well_known(self.family(at.file), callee) {
            return one(p);
        }
        // An option of a parsed command line reached through its binding:
        // `args.root` where `args = parser.parse_args()`.
        let p = callee.path();
        if let Some(i) = p.iter().position(|s| PARSERS.contains(&s.as_str())) {
            if let (Some("()"), Some(member)) = (p.get(i + 1).map(String::as_str), p.get(i + 2)) {
                return one(Piece::Cli(flag_name(member)));
            }
        }
        // A member of an SDK's tool-call request: `request.arguments["name"]`.
        if let Some(rest) = after_request_type(callee.path()) {
            let members: Vec<String> = rest.iter().filter(|m| *m != "[]").cloned().collect();
            let path = tool_arg_path(Family::JavaScript, "", &members);
            return one(Piece::ToolArg(path, None));
        }
        match callee {
            Callee::Var { name, path } => match self.lookup(at, name) {
                Some(Name::Local(l)) => {
                    let here = At {
                        file: at.file,
                        def: l.def,
                        line: l.line,
                    };
                    let values = self.eval(here, &l.value, d, fr);
                    values
                        .into_iter()
                        .map(|abs| with_members(abs, path))
                        .collect()
                }
                Some(Name::Param(def, index, mut full)) => {
                    full.extend(path.iter().cloned());
                    self.param_value(at.file, def, index, &full, d, fr)
                }
                _ => one(Piece::Unknown),
            },
            Callee::Import { module, path } if !path.is_empty() => {
                if let Some(v) = self.linker.const_value(at.file, callee) {
                    return one(Piece::Lit(v));
                }
                // A module-level variable of another file of the tree.
                let Some(tf) = self.linker.import_file(at.file, module) else {
                    return one(Piece::Unknown);
                };
                let module_var = At {
                    file: tf as u32,
                    def: None,
                    line: u32::MAX,
                };
                match self.lookup(module_var, &path[0]) {
                    Some(Name::Local(l)) if path.len() == 1 => self.eval(
                        At {
                            file: tf as u32,
                            def: None,
                            line: l.line,
                        },
                        &l.value,
                        d,
                        None,
                    ),
                    _ => one(Piece::Unknown),
                }
            }
            _ => match self.linker.const_value(at.file, callee) {
                Some(v) => one(Piece::Lit(v)),
                None => one(Piece::Unknown),
            },
        }
    }

    /// Calls that build or fetch values: path joins, env reads with defaults,
    /// home and temp directories, dictionary reads of tool arguments.
    fn call(&self, at: At, callee: &Callee, args: &[Arg], d: u32, fr: Fr) -> Vec<Abs> {
        let arg = |i: usize| args.get(i).map(|a| self.eval(at, a, d, fr));
        let lit = |i: usize| args.get(i).and_then(|a| a.as_str()).map(str::to_string);
        let path = callee.path();
        let last = path.last().map(String::as_str).unwrap_or("");
        let module = match callee {
            Callee::Import { module, .. } => module.trim_start_matches("node:"),
            Callee::Global { .. } => "@global",
            _ => "",
        };
        // `import path from "path"`: `path.join` is `["default", "join"]`.
        let dotted: Vec<&str> = path
            .iter()
            .map(String::as_str)
            .skip_while(|s| module != "@global" && *s == "default")
            .collect();
        // Environment reads of every language: `os.Getenv("X")`, `System.getenv("X")`,
        // `Environment.GetEnvironmentVariable("X")`, `std::env::var("X")`.
        if is_env_read(module, &dotted) {
            if let Some(name) = lit(0) {
                let default = args
                    .get(1)
                    .and_then(|a| constant_text(self.eval(at, a, d, fr).first()?));
                return vec![vec![Piece::Env(name, default)]];
            }
        }
        // Conversions keep the value: `int(os.getenv("PORT", "8000"))`, `Number(x)`.
        if matches!(
            (module, dotted.as_slice()),
            (
                "@global",
                ["int" | "Number" | "parseInt" | "str" | "String" | "float"]
            )
        ) {
            return arg(0).unwrap_or_else(|| vec![vec![Piece::Unknown]]);
        }
        match (module, dotted.as_slice()) {
            ("os", ["homedir"]) | ("pathlib", ["Path", "home"]) => return vec![vec![Piece::Home]],
            ("os", ["tmpdir"]) | ("tempfile", ["gettempdir"]) => return vec![vec![Piece::Tmp]],
            ("os", ["getcwd"]) | ("@global", ["process", "cwd"]) | ("pathlib", ["Path", "cwd"]) => {
                return vec![vec![Piece::Cwd]]
            }
            ("@global", ["process", "argv", "slice"]) => {
                return vec![vec![Piece::Cli("positional".into())]]
            }
            ("path", ["join" | "resolve" | "normalize"])
            | ("os", ["path", "join" | "abspath" | "realpath" | "normpath"]) => {
                let parts: Vec<Vec<Abs>> = (0..args.len().min(6)).filter_map(arg).collect();
                return join(parts);
            }
            ("os", ["path", "expanduser"]) => {
                return arg(0)
                    .unwrap_or_default()
                    .into_iter()
                    .map(expand_tilde)
                    .collect();
            }
            // The same file under another spelling: the value passes through.
            ("path", ["dirname" | "toNamespacedPath"])
            | ("os", ["path", "dirname"])
            | ("url", ["fileURLToPath"])
            | ("fs" | "fs/promises", ["realpath" | "realpathSync"])
            | ("fs", ["promises", "realpath"]) => {
                return arg(0).unwrap_or_else(|| vec![vec![Piece::Unknown]]);
            }
            ("pathlib", ["Path" | "PurePath"]) | ("@global", ["String" | "str"]) => {
                let parts: Vec<Vec<Abs>> = (0..args.len().min(6)).filter_map(arg).collect();
                return join(parts);
            }
            ("@global", ["URL"]) if args.len() == 2 => {
                return product(&arg(1).unwrap_or_default(), &arg(0).unwrap_or_default());
            }
            _ => {}
        }
        if is_path_constructor(module, &dotted) {
            let parts: Vec<Vec<Abs>> = (0..args.len().min(6)).filter_map(arg).collect();
            return join(parts);
        }
        // A command-line parser's result: argparse, commander, yargs.
        if PARSERS.contains(&last) {
            return vec![vec![Piece::Cli(PARSED_OPTIONS.into())]];
        }
        // A getter on an SDK's tool-call request type: `req.RequireString("path")`.
        if let Some(rest) = after_request_type(path) {
            if let ([getter], Some(key)) = (rest, lit(0)) {
                let g = getter.to_ascii_lowercase();
                if g.starts_with("get") || g.starts_with("require") {
                    return vec![vec![Piece::ToolArg(vec![key], None)]];
                }
            }
        }
        // `arguments.get("path")`, mcp-go's `req.RequireString("path")`: a tool argument by name.
        if let Callee::Var { name, path } = callee {
            let getter = last.to_ascii_lowercase();
            if getter.starts_with("get") || getter.starts_with("require") {
                if let (Some(key), Some(Name::Param(def, index, mut full))) =
                    (lit(0), self.lookup(at, name))
                {
                    full.extend(path[..path.len() - 1].iter().cloned());
                    full.push(key);
                    return self.param_value(at.file, def, index, &full, d, fr);
                }
            }
        }
        // A helper of the tree: what it returns, its parameters bound to these arguments.
        if let (Target::Def { file: tf, def }, _) = self.linker.resolve(at.file, callee) {
            let returns: Vec<&Arg> = self
                .facts(tf)
                .returns
                .iter()
                .filter(|(rd, _)| *rd == def)
                .map(|(_, a)| a)
                .take(4)
                .collect();
            if !returns.is_empty() && d < MAX_DEPTH {
                let frame = Frame {
                    file: tf,
                    def,
                    args,
                    at,
                    parent: fr,
                };
                let mut out: Vec<Abs> = vec![];
                for r in returns {
                    out.extend(self.eval(
                        At {
                            file: tf,
                            def: Some(def),
                            line: u32::MAX,
                        },
                        r,
                        d + 1,
                        Some(&frame),
                    ));
                }
                return out;
            }
        }
        vec![vec![Piece::Unknown]]
    }

    /// The tools whose arguments a value holds, when the handlers are known.
    fn tools_of(&self, abs: &Abs) -> Vec<String> {
        let mut out: Vec<String> = abs
            .iter()
            .filter_map(|p| match p {
                Piece::ToolArg(_, Some(h)) => self.handlers.get(h),
                _ => None,
            })
            .flatten()
            .cloned()
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// What a name means at a point: the innermost definition first, a local
    /// assigned before the point, then a parameter of that definition, then the
    /// enclosing definitions, then the module's variables (set before any
    /// function runs). A parameter shadows a module variable of the same name.
    fn lookup(&self, at: At, name: &str) -> Option<Name<'a>> {
        let facts = self.facts(at.file);
        let local_in = |def: Option<DefId>, any_line: bool| {
            facts
                .locals
                .iter()
                .filter(|l| l.def == def && l.name == name && (any_line || l.line < at.line))
                .max_by_key(|l| l.line)
        };
        let mut cur = at.def;
        for _ in 0..16 {
            let Some(def) = cur else { break };
            if let Some(l) = local_in(Some(def), false) {
                return Some(Name::Local(l));
            }
            let d = &facts.defs[def as usize];
            if let Some(i) = d.params.iter().position(|p| p == name) {
                return Some(Name::Param(def, i as u32, vec![]));
            }
            if let Some((_, i, path)) = d.destructured.iter().find(|(n, _, _)| n == name) {
                return Some(Name::Param(def, *i, path.clone()));
            }
            cur = d.parent;
        }
        local_in(None, at.def.is_some()).map(Name::Local)
    }

    /// A parameter's value: a tool argument when the definition is a tool
    /// handler, else whatever its callers pass.
    fn param_value(
        &self,
        file: u32,
        def: DefId,
        index: u32,
        path: &[String],
        d: u32,
        fr: Fr,
    ) -> Vec<Abs> {
        // Inside a followed call: the caller's argument.
        let mut f = fr;
        while let Some(frame) = f {
            if frame.file == file && frame.def == def {
                let Some(a) = frame.args.get(index as usize) else {
                    return vec![vec![Piece::Unknown]];
                };
                return self
                    .eval(frame.at, a, d + 1, frame.parent)
                    .into_iter()
                    .map(|abs| with_members(abs, path))
                    .collect();
            }
            f = frame.parent;
        }
        if self.handlers.contains_key(&(file, def)) {
            let facts = self.facts(file);
            let name = facts.defs[def as usize]
                .params
                .get(index as usize)
                .cloned()
                .unwrap_or_default();
            let path = tool_arg_path(self.family(file), &name, path);
            return vec![vec![Piece::ToolArg(path, Some((file, def)))]];
        }
        if d > MAX_DEPTH {
            return vec![vec![Piece::Unknown]];
        }
        if let (0, Some(&(cf, ri))) = (index, self.iterated().get(&(file, def))) {
            return self.element_of(cf, ri, path, d);
        }
        let callers = self
            .callers()
            .get(&(file, def))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let mut out = vec![];
        for &(cf, ri) in callers.iter().take(MAX_CALLERS) {
            let r = &self.facts(cf).refs[ri as usize];
            let Some(a) = r.args.pos.get(index as usize) else {
                continue;
            };
            for abs in self.eval(
                At {
                    file: cf,
                    def: r.in_def,
                    line: r.line,
                },
                a,
                d + 1,
                None,
            ) {
                let abs = with_members(abs, path);
                if !out.contains(&abs) {
                    out.push(abs);
                }
            }
        }
        if out.is_empty() {
            out.push(vec![Piece::Unknown]);
        }
        out
    }

    /// An element of the collection a callback iterates (`args.map((dir) => …)`):
    /// the collection's value (`${CLI:positional}` stands for each argument).
    fn element_of(&self, file: u32, ri: u32, path: &[String], d: u32) -> Vec<Abs> {
        let r = &self.facts(file).refs[ri as usize];
        let mut receiver = r.callee.clone();
        let Some(members) = receiver_path_mut(&mut receiver) else {
            return vec![vec![Piece::Unknown]];
        };
        members.pop();
        let at = At {
            file,
            def: r.in_def,
            line: r.line,
        };
        self.eval(at, &Arg::Path(receiver), d + 1, None)
            .into_iter()
            .map(|abs| with_members(abs, path))
            .collect()
    }

    fn iterated(&self) -> &HashMap<(u32, u32), (u32, u32)> {
        const ITERATORS: &[&str] = &[
            "map", "forEach", "filter", "flatMap", "some", "every", "find",
        ];
        self.iterated.get_or_init(|| {
            let mut map = HashMap::new();
            for (fi, lf) in self.linker.files.iter().enumerate() {
                for (ri, r) in lf.facts.refs.iter().enumerate() {
                    if !r.callee.last_name().is_some_and(|n| ITERATORS.contains(&n)) {
                        continue;
                    }
                    if let Some(Arg::Func(d)) = r.args.pos.first() {
                        map.insert((fi as u32, *d), (fi as u32, ri as u32));
                    }
                }
            }
            map
        })
    }

    fn callers(&self) -> &HashMap<(u32, u32), Vec<(u32, u32)>> {
        self.callers.get_or_init(|| {
            let mut map: HashMap<(u32, u32), Vec<(u32, u32)>> = HashMap::new();
            for (fi, refs) in self.targets.iter().enumerate() {
                for (ri, (t, _)) in refs.iter().enumerate() {
                    if let Target::Def { file, def } = t {
                        map.entry((*file, *def))
                            .or_default()
                            .push((fi as u32, ri as u32));
                    }
                }
            }
            map
        })
    }
}

/// The member path of a callee that has one (not a computed callee).
fn receiver_path_mut(c: &mut Callee) -> Option<&mut Vec<String>> {
    match c {
        Callee::Import { path, .. }
        | Callee::Global { path }
        | Callee::Def { path, .. }
        | Callee::SelfMember { path, .. }
        | Callee::Var { path, .. } => Some(path),
        Callee::Dynamic { .. } => None,
    }
}

/// A member read from a value: a tool argument's member is a deeper
/// argument; a member of anything else is not known.
fn with_members(mut abs: Abs, path: &[String]) -> Abs {
    if path.is_empty() {
        return abs;
    }
    match abs.as_mut_slice() {
        [Piece::ToolArg(p, _)] => {
            // `args.command` of `args = request.params.arguments`: the `command` argument.
            p.extend(path.iter().cloned());
            strip_containers(p);
            abs
        }
        // `args.root` of `args = parser.parse_args()`: the `--root` option.
        [Piece::Cli(w)] if w == PARSED_OPTIONS => vec![Piece::Cli(flag_name(&path[0]))],
        _ => vec![Piece::Unknown],
    }
}

/// Calls that parse the command line into an object of options: argparse,
/// commander, yargs.
const PARSERS: &[&str] = &[
    "parse_args",
    "parse_known_args",
    "opts",
    "optsWithGlobals",
    "parseSync",
];

/// The object a command-line parser returns (`parser.parse_args()`,
/// `program.opts()`): its members are the options.
const PARSED_OPTIONS: &str = "--*";

/// The command-line flag of a parsed option's name: `root_dir` and `rootDir`
/// are `--root-dir`.
fn flag_name(member: &str) -> String {
    let mut out = String::from("--");
    for (i, c) in member.chars().enumerate() {
        if c == '_' {
            out.push('-');
        } else if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The types SDKs give a tool handler for its call (mcp-go's and the Java and
/// Kotlin SDKs' `CallToolRequest`, the Go SDK's `CallToolParams`, C#'s
/// `CallToolRequestParams`): what is read from an instance is a tool argument.
const REQUEST_TYPES: &[&str] = &[
    "CallToolRequest",
    "CallToolParams",
    "CallToolRequestParams",
    "CallToolParamsFor",
];

/// The members read after an instance of a tool-call request type.
fn after_request_type(path: &[String]) -> Option<&[String]> {
    let at = path
        .iter()
        .position(|s| REQUEST_TYPES.contains(&s.as_str()))?;
    match path.get(at + 1).map(String::as_str) {
        Some("()") if path.len() > at + 2 => Some(&path[at + 2..]),
        _ => None,
    }
}

/// Constructors and joins of path values in the compiled languages:
/// `Path.of`, `Paths.get`, `new File(..)`, `filepath.Join`, `Path.Combine`,
/// `PathBuf::from`, `Path::new`.
fn is_path_constructor(module: &str, path: &[&str]) -> bool {
    let n = path.len();
    let last = path.last().copied().unwrap_or("");
    let prev = if n >= 2 { path[n - 2] } else { "" };
    matches!(
        (prev, last),
        ("Path", "of")
            | ("Paths", "get")
            | ("Path", "Combine")
            | ("PathBuf" | "Path", "from" | "new")
    ) || (matches!(
        last,
        "File" | "Path" | "PathBuf" | "FileInfo" | "DirectoryInfo"
    ) && n <= 2
        && module != "pathlib")
        || (last == "Join" && (module.ends_with("filepath") || module == "path"))
        || (prev == "Path" && last == "Join" && module == "System.IO")
}

/// A call that reads one environment variable by name.
fn is_env_read(module: &str, path: &[&str]) -> bool {
    let n = path.len();
    let tail = |k: usize| if n >= k { &path[n - k..] } else { &[][..] };
    (module == "os"
        && matches!(
            path,
            ["getenv"] | ["environ", "get"] | ["Getenv"] | ["LookupEnv"]
        ))
        || matches!(
            tail(2),
            ["System", "getenv"]
                | ["Environment", "GetEnvironmentVariable"]
                | ["env", "var" | "var_os"]
        )
        || (module == "std::env" && matches!(path, ["var"] | ["var_os"]))
        || (module == "dotenv" && matches!(path, ["get_key"]))
}

/// Names whose value is known without following anything.
fn well_known(family: Family, callee: &Callee) -> Option<Piece> {
    let path: Vec<&str> = callee.path().iter().map(String::as_str).collect();
    match (family, callee, path.as_slice()) {
        (Family::JavaScript, Callee::Global { .. }, ["process", "env", name]) if *name != "[]" => {
            Some(Piece::Env(name.to_string(), None))
        }
        (Family::JavaScript, Callee::Global { .. }, ["process", "argv", ..]) => {
            Some(Piece::Cli("positional".into()))
        }
        (Family::JavaScript, Callee::Global { .. }, ["__dirname" | "__filename"]) => {
            Some(Piece::Pkg)
        }
        (Family::Python, Callee::Import { module, .. }, ["environ", name])
            if module == "os" && *name != "[]" =>
        {
            Some(Piece::Env(name.to_string(), None))
        }
        (Family::Python, Callee::Import { module, .. }, ["argv", ..]) if module == "sys" => {
            Some(Piece::Cli("positional".into()))
        }
        (Family::Python, Callee::Global { .. }, ["__file__"]) => Some(Piece::Pkg),
        _ => None,
    }
}

/// The tool argument a handler parameter reads. Handlers that take the
/// arguments object (TypeScript, low-level dispatchers: `args`, `request`)
/// name the argument by the member read; Python-style handlers take each
/// argument as its own parameter.
fn tool_arg_path(family: Family, param: &str, path: &[String]) -> Vec<String> {
    const CONTAINERS: &[&str] = &[
        "args",
        "arguments",
        "params",
        "input",
        "request",
        "req",
        "parameters",
        "kwargs",
        "payload",
        "ctx",
        "context",
        "call",
        "toolArgs",
        "tool_args",
        "",
    ];
    let object = family == Family::JavaScript || CONTAINERS.contains(&param);
    let mut p: Vec<String> = if object {
        path.to_vec()
    } else {
        std::iter::once(param.to_string())
            .chain(path.iter().cloned())
            .collect()
    };
    strip_containers(&mut p);
    p
}

/// The request and argument objects around a tool argument's name
/// (`params.arguments.path`) are not part of it.
fn strip_containers(p: &mut Vec<String>) {
    while p.first().is_some_and(|s| {
        matches!(
            s.as_str(),
            "params" | "arguments" | "Params" | "Arguments" | "input" | "args"
        )
    }) && p.len() > 1
    {
        p.remove(0);
    }
}

/// At most `MAX_VALUES` alternatives, without repeats; when some must go,
/// those that say least go first: a tool argument or a configuration value
/// decides what an enforcer checks, a literal what it grants, an unknown
/// only that something is not resolved.
fn keep_informative(out: &mut Vec<Abs>) {
    let mut seen = HashSet::new();
    out.retain(|a| seen.insert(a.clone()));
    if out.len() > MAX_VALUES {
        out.sort_by_key(informative_rank);
        out.truncate(MAX_VALUES);
    }
}

fn informative_rank(a: &Abs) -> u8 {
    if a.iter().any(|p| matches!(p, Piece::ToolArg(..))) {
        0
    } else if a
        .iter()
        .any(|p| matches!(p, Piece::Env(..) | Piece::Cli(_)))
    {
        1
    } else if a
        .iter()
        .any(|p| !matches!(p, Piece::Unknown) && *p != Piece::Lit("/".into()))
    {
        2
    } else {
        3
    }
}

/// The text of a value known before the server runs (literals and
/// well-known directories): a default that is itself `${HOME}/notes`.
fn constant_text(abs: &Abs) -> Option<String> {
    let fixed = abs.iter().all(|p| {
        matches!(
            p,
            Piece::Lit(_) | Piece::Home | Piece::Tmp | Piece::Cwd | Piece::Pkg
        )
    });
    (fixed && !abs.is_empty()).then(|| render(abs).text)
}

fn product(acc: &[Abs], options: &[Abs]) -> Vec<Abs> {
    let mut out = vec![];
    for a in acc {
        for o in options {
            let mut v = a.clone();
            for p in o {
                match (v.last_mut(), p) {
                    (Some(Piece::Lit(l)), Piece::Lit(r)) => l.push_str(r),
                    (Some(Piece::Unknown), Piece::Unknown) => {}
                    _ => v.push(p.clone()),
                }
            }
            out.push(v);
            if out.len() >= MAX_VALUES {
                return out;
            }
        }
    }
    out
}

/// Path segments joined with `/` (an absolute segment restarts the path).
fn join(parts: Vec<Vec<Abs>>) -> Vec<Abs> {
    let mut acc: Vec<Abs> = vec![vec![]];
    for options in parts {
        let mut next = vec![];
        for a in &acc {
            for o in &options {
                let absolute = matches!(o.first(), Some(Piece::Lit(s)) if s.starts_with('/'))
                    || matches!(
                        o.first(),
                        Some(Piece::Home | Piece::Tmp | Piece::Cwd | Piece::Pkg)
                    );
                let base = if a.is_empty() || absolute {
                    vec![]
                } else {
                    product(std::slice::from_ref(a), &[vec![Piece::Lit("/".into())]]).remove(0)
                };
                next.extend(product(&[base], std::slice::from_ref(o)));
            }
        }
        acc = next;
        acc.truncate(MAX_VALUES);
    }
    for a in &mut acc {
        if let Some(Piece::Lit(s)) = a.last_mut() {
            while s.len() > 1 && s.ends_with('/') {
                s.pop();
            }
        }
    }
    acc
}

fn expand_tilde(mut abs: Abs) -> Abs {
    if let Some(Piece::Lit(s)) = abs.first_mut() {
        if s == "~" || s.starts_with("~/") {
            let rest = s[1..].to_string();
            abs[0] = Piece::Lit(rest);
            abs.insert(0, Piece::Home);
        }
    }
    abs
}

fn render(abs: &Abs) -> Value {
    let mut text = String::new();
    let mut provenance = Provenance::Const;
    let (mut source, mut default, mut param) = (None, None, None);
    let rank = |p: Provenance| match p {
        Provenance::Const => 0,
        Provenance::Unknown => 1,
        Provenance::Config => 2,
        Provenance::ToolArg => 3,
    };
    let raise = |p: Provenance, cur: &mut Provenance| {
        if rank(p) > rank(*cur) {
            *cur = p;
        }
    };
    for piece in abs {
        match piece {
            Piece::Lit(s) => text.push_str(s),
            Piece::Home => text.push_str("${HOME}"),
            Piece::Tmp => text.push_str("${TMPDIR}"),
            Piece::Cwd => text.push_str("${CWD}"),
            Piece::Pkg => text.push_str("${PKG}"),
            Piece::Env(name, def) => {
                text.push_str(&format!("${{ENV:{name}}}"));
                raise(Provenance::Config, &mut provenance);
                source.get_or_insert(format!("env:{name}"));
                if default.is_none() {
                    default = def.clone();
                }
            }
            Piece::Cli(what) => {
                text.push_str(&format!("${{CLI:{what}}}"));
                raise(Provenance::Config, &mut provenance);
                source.get_or_insert(format!("arg:{what}"));
            }
            Piece::ToolArg(path, _) => {
                let name = path
                    .first()
                    .filter(|s| !matches!(s.as_str(), "[]" | "()"))
                    .cloned()
                    .unwrap_or_else(|| "*".into());
                text.push_str(&format!("${{ARG:{name}}}"));
                raise(Provenance::ToolArg, &mut provenance);
                param.get_or_insert(name);
            }
            Piece::Unknown => {
                text.push('*');
                raise(Provenance::Unknown, &mut provenance);
            }
        }
    }
    // Unknown segments in a row say no more than one: `${HOME}/*/*/**` is `${HOME}/**`.
    while text.contains("*/*") {
        text = text.replace("*/*", "*");
    }
    Value {
        text,
        provenance,
        source,
        default,
        param,
        tools: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_pieces_with_placeholders_and_the_strongest_provenance() {
        let v = render(&vec![
            Piece::Home,
            Piece::Lit("/.acme/".into()),
            Piece::ToolArg(vec!["name".into()], None),
        ]);
        assert_eq!(v.text, "${HOME}/.acme/${ARG:name}");
        assert_eq!(v.provenance, Provenance::ToolArg);
        assert_eq!(v.param.as_deref(), Some("name"));
        let v = render(&vec![Piece::Env(
            "API_URL".into(),
            Some("http://localhost:8080".into()),
        )]);
        assert_eq!(
            (v.text.as_str(), v.provenance),
            ("${ENV:API_URL}", Provenance::Config)
        );
        assert_eq!(v.default.as_deref(), Some("http://localhost:8080"));
        assert_eq!(
            render(&vec![Piece::Lit("x".into()), Piece::Unknown]).provenance,
            Provenance::Unknown
        );
    }

    #[test]
    fn joins_paths_and_restarts_at_absolute_segments() {
        let lit = |s: &str| vec![vec![Piece::Lit(s.into())]];
        let j = join(vec![vec![vec![Piece::Home]], lit(".acme/")]);
        assert_eq!(render(&j[0]).text, "${HOME}/.acme");
        let j = join(vec![lit("rel"), lit("/abs")]);
        assert_eq!(render(&j[0]).text, "/abs");
        assert_eq!(
            render(&expand_tilde(vec![Piece::Lit("~/.x".into())])).text,
            "${HOME}/.x"
        );
    }

    #[test]
    fn tool_arguments_are_named_by_the_member_read() {
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            tool_arg_path(
                Family::JavaScript,
                "request",
                &p(&["params", "arguments", "path"])
            ),
            p(&["path"])
        );
        assert_eq!(tool_arg_path(Family::Python, "path", &[]), p(&["path"]));
        assert_eq!(
            tool_arg_path(Family::Python, "arguments", &p(&["path"])),
            p(&["path"])
        );
    }
}
