//! What registration arguments denote: tool names, handlers, and the words
//! that mark an object as a tool description.

use super::Handler;
use crate::link::{Linker, Target};
use mcpwarden_lang::{Arg, Callee, FileFacts, Ref, RefKind};

/// Keys holding a tool's input schema.
pub(crate) const SCHEMA_KEYS: &[&str] = &[
    "InputSchema",
    "inputSchema",
    "input_schema",
    "schema",
    "argsSchema",
    "paramsSchema",
    "inputschema",
];

/// Keys besides a schema that mark an object with a name and a handler as a
/// tool description. `parameters` alone is an LLM function-calling schema
/// (OpenAI), a tool only with a handler.
pub(crate) const TOOL_WORDS: &[&str] = &[
    "description",
    "Description",
    "desc",
    "title",
    "parameters",
    "params",
    "args",
    "arguments",
    "annotations",
    "Tool",
];

/// Keys holding a tool object's handler.
pub(crate) const HANDLER_KEYS: &[&str] = &[
    "Handler", "handler", "execute", "run", "callback", "fn", "cb", "invoke", "impl", "func",
    "function", "call", "handle",
];

/// Calls that build a tool description whose first argument (or `name`) is
/// the tool's name: mcp-go `mcp.NewTool("x", …)` and
/// `mcp.NewToolWithRawSchema("x", desc, schema)`, Java `new Tool("x", …)`,
/// Kotlin `Tool(name = "x")`.
pub(crate) const TOOL_CONSTRUCTORS: &[&str] =
    &["NewTool", "NewToolWithRawSchema", "Tool", "newTool"];

/// Associated functions that build a tool description named by their first
/// argument: rmcp `Tool::new("x", desc, schema)`, `Tool::new_with_raw("x", desc, schema)`.
pub(crate) const TOOL_CONSTRUCTOR_PATHS: &[[&str; 2]] =
    &[["Tool", "new"], ["Tool", "new_with_raw"]];

/// A call that builds a tool description named by its first argument.
pub(crate) fn is_tool_constructor(c: &Callee) -> bool {
    c.last_name()
        .is_some_and(|n| TOOL_CONSTRUCTORS.contains(&n))
        || TOOL_CONSTRUCTOR_PATHS.iter().any(|p| c.ends_with(p))
}

/// The handler an argument denotes: a function, a function's name, a call
/// that wraps or makes one (`withTelemetry("x", h)`: the wrapper and `h`), or
/// a variable holding such values (`const get = createReadHandler("GET",
/// api.get)`, imported or not; `find_foo = find; find_foo = wrap(find_foo)`).
pub(crate) fn handler_of(linker: &Linker, file: u32, a: &Arg) -> Handler {
    handler_in(linker, file, None, a)
}

/// [`handler_of`] for an argument written inside function `in_def`, whose locals it sees.
pub(crate) fn handler_in(linker: &Linker, file: u32, in_def: Option<u32>, a: &Arg) -> Handler {
    Handler::of_defs(handler_defs(linker, file, in_def, a, 0))
}

fn handler_defs(
    linker: &Linker,
    file: u32,
    in_def: Option<u32>,
    a: &Arg,
    depth: u32,
) -> Vec<(u32, u32)> {
    match a {
        Arg::Func(d) => vec![(file, *d)],
        Arg::Call(callee, inner) => {
            let mut defs = vec![];
            if let (Target::Def { file, def }, _) = linker.resolve(file, callee) {
                defs.push((file, def));
            }
            // `toolHandler(new Client())`: the instance is the factory's data.
            for a in inner
                .iter()
                .filter(|a| !crate::params::is_instance(linker, file, a))
            {
                defs.extend(handler_defs(linker, file, in_def, a, depth));
            }
            defs
        }
        Arg::Path(c) => {
            let held = if depth < 4 {
                variable_defs(linker, file, in_def, c, depth)
            } else {
                vec![]
            };
            if !held.is_empty() {
                return held;
            }
            match linker.resolve(file, c).0 {
                Target::Def { file, def } => vec![(file, def)],
                Target::Name(n) if linker.by_name(&n).len() == 1 => linker.by_name(&n).to_vec(),
                _ => vec![],
            }
        }
        _ => vec![],
    }
}

/// The functions a variable holds, over every value assigned to it.
fn variable_defs(
    linker: &Linker,
    file: u32,
    in_def: Option<u32>,
    c: &Callee,
    depth: u32,
) -> Vec<(u32, u32)> {
    let mut defs: Vec<(u32, u32)> = vec![];
    for (f, d, v) in linker.values_of(file, in_def, c) {
        for x in handler_defs(linker, f, d, v, depth + 1) {
            if !defs.contains(&x) {
                defs.push(x);
            }
        }
    }
    defs
}

/// Whether definition `d` is `def` or nested in it.
pub(crate) fn within(facts: &FileFacts, mut d: Option<u32>, def: u32) -> bool {
    for _ in 0..32 {
        match d {
            Some(x) if x == def => return true,
            Some(x) => d = facts.defs[x as usize].parent,
            None => return false,
        }
    }
    false
}

/// The constant `name` of an object's properties (`{ name: "x", … }`).
pub(crate) fn name_in(linker: &Linker, file: u32, props: &[(String, Arg)]) -> Option<String> {
    let (_, v) = props.iter().find(|(k, _)| k == "name")?;
    str_of(linker, file, Some(v))
}

/// A literal string, or a constant it names (`TOOL_NAME`, `NAMES.search`, imported or local).
pub(crate) fn str_of(linker: &Linker, file: u32, a: Option<&Arg>) -> Option<String> {
    match a? {
        Arg::Str(s) => Some(s.clone()),
        Arg::Path(c) => linker.const_value(file, c),
        _ => None,
    }
}

/// The tool name an argument carries: a literal or constant, a tool
/// constructor's name ([`TOOL_CONSTRUCTORS`]), `&mcp.Tool{Name: "x"}`, `{ name: "x" }`.
pub(crate) fn tool_name_of(linker: &Linker, file: u32, a: &Arg) -> Option<String> {
    match a {
        Arg::Str(_) | Arg::Path(_) => str_of(linker, file, Some(a)),
        Arg::Call(c, inner) if is_tool_constructor(c) => {
            let kw = inner.iter().find_map(|x| match x {
                Arg::Obj(props) => props
                    .iter()
                    .find(|(k, _)| k == "name" || k == "Name")
                    .map(|(_, v)| v.clone()),
                _ => None,
            });
            str_of(linker, file, inner.first())
                .or_else(|| kw.and_then(|k| str_of(linker, file, Some(&k))))
        }
        Arg::Obj(props) => props
            .iter()
            .find(|(k, _)| k == "Name" || k == "name")
            .and_then(|(_, v)| str_of(linker, file, Some(v))),
        _ => None,
    }
}

/// The name a reference calls: its last member, or a function of the file
/// (`@_tool(...)`, `register(...)`).
pub(crate) fn called_name(facts: &FileFacts, r: &Ref) -> Option<String> {
    match &r.callee {
        Callee::Def { def, path } if path.is_empty() => {
            Some(facts.defs[*def as usize].name.clone())
        }
        c => c.last_name().map(str::to_string),
    }
}

/// The function whose parameter `p` is, walking out from `from` (closures see
/// outer parameters), with the parameter's index.
pub(crate) fn declaring_def(facts: &FileFacts, from: Option<u32>, p: &str) -> Option<(u32, usize)> {
    let mut cur = from;
    for _ in 0..16 {
        let d = cur?;
        if let Some(i) = facts.defs[d as usize].params.iter().position(|x| x == p) {
            return Some((d, i));
        }
        cur = facts.defs[d as usize].parent;
    }
    None
}

/// The literal name given to the nearest call before line `at`, in the same
/// function as `r`, that `names` accepts (`Tool.builder().name("x")`,
/// `Tool::new("x", ..)`): builders name a tool a few statements before registering it.
pub(crate) fn name_given_before(
    linker: &Linker,
    file: u32,
    facts: &FileFacts,
    r: &Ref,
    at: u32,
    names: impl Fn(&Ref) -> bool,
) -> Option<String> {
    facts
        .refs
        .iter()
        .filter(|x| x.in_def == r.in_def && x.line <= at && x.kind == RefKind::Call && names(x))
        .filter_map(|x| str_of(linker, file, x.args.pos.first()).map(|n| (x.line, n)))
        .max_by_key(|(line, _)| *line)
        .map(|(_, n)| n)
}

/// Whether `k` names a tool object's handler ([`HANDLER_KEYS`]); a leading
/// underscore marks the same key as private (`"_handler": fn` in a hand-written
/// server's table).
pub(crate) fn is_handler_key(k: &str) -> bool {
    HANDLER_KEYS.contains(&k.trim_start_matches('_'))
}

/// The handler a tool value describes: the handler of a tool object (`{ id,
/// execute }`), of the object or function given to the call that builds it
/// (`createTool({ …, execute })`, `Tool.from_function(fn)`), of the value a
/// variable holds (imported or not), or the value itself as a handler.
pub(crate) fn described_handler(
    linker: &Linker,
    file: u32,
    in_def: Option<u32>,
    value: &Arg,
    depth: u32,
) -> Handler {
    if depth > 4 {
        return Handler::None;
    }
    match value {
        Arg::Obj(props) => props
            .iter()
            .find(|(k, v)| is_handler_key(k) && super::is_function(v, false))
            .map_or(Handler::None, |(_, v)| handler_in(linker, file, in_def, v)),
        Arg::Call(_, inner) => first_handler(
            inner
                .iter()
                .map(|a| described_handler(linker, file, in_def, a, depth + 1)),
        ),
        Arg::Path(c) => {
            let held = first_handler(
                linker
                    .values_of(file, in_def, c)
                    .into_iter()
                    .map(|(f, d, v)| described_handler(linker, f, d, v, depth + 1)),
            );
            match held {
                Handler::None => handler_in(linker, file, in_def, value),
                h => h,
            }
        }
        a => handler_in(linker, file, in_def, a),
    }
}

fn first_handler(mut hs: impl Iterator<Item = Handler>) -> Handler {
    hs.find(|h| *h != Handler::None).unwrap_or(Handler::None)
}
