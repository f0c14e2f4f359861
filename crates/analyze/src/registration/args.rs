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
/// the tool's name: mcp-go `mcp.NewTool("x", …)`, Java `new Tool("x", …)`,
/// Kotlin `Tool(name = "x")`.
pub(crate) const TOOL_CONSTRUCTORS: &[&str] = &["NewTool", "Tool", "newTool"];

/// The handler an argument denotes: a function, a function's name, a call
/// that wraps or makes one (`withTelemetry("x", h)`: the wrapper and `h`), or
/// a module constant holding such a call (`const get = createReadHandler("GET",
/// api.get)`, in this module or imported).
pub(crate) fn handler_of(linker: &Linker, file: u32, a: &Arg) -> Handler {
    handler_depth(linker, file, a, 0)
}

fn handler_depth(linker: &Linker, file: u32, a: &Arg, depth: u32) -> Handler {
    match a {
        Arg::Func(d) => Handler::Def(file, *d),
        Arg::Call(callee, inner) => {
            let mut defs = vec![];
            if let (Target::Def { file, def }, _) = linker.resolve(file, callee) {
                defs.push((file, def));
            }
            for a in inner {
                match handler_depth(linker, file, a, depth) {
                    Handler::Def(f, d) => defs.push((f, d)),
                    Handler::Defs(v) => defs.extend(v),
                    _ => {}
                }
            }
            Handler::of_defs(defs)
        }
        Arg::Path(c) => {
            // A constant made by a call: the maker and what it was given.
            if let Some((tf, v @ Arg::Call(..))) = linker.module_value(file, c) {
                if depth < 4 {
                    return handler_depth(linker, tf, v, depth + 1);
                }
            }
            match linker.resolve(file, c).0 {
                Target::Def { file, def } => Handler::Def(file, def),
                Target::Name(n) if linker.by_name(&n).len() == 1 => {
                    let (f, d) = linker.by_name(&n)[0];
                    Handler::Def(f, d)
                }
                _ => Handler::None,
            }
        }
        _ => Handler::None,
    }
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
        Arg::Call(c, inner)
            if c.last_name()
                .is_some_and(|n| TOOL_CONSTRUCTORS.contains(&n)) =>
        {
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
