//! MCP awareness: which SDK a server uses and which tools, resources and
//! prompts it registers, with the code that handles each.

use crate::link::{Linker, Target};
use mcpwarden_lang::{Arg, Callee, Family, FileFacts, ObjLit, RefKind};
use mcpwarden_model::EntryKind;

/// The MCP SDK a module specifier belongs to, if any.
pub fn sdk_of(family: Family, module: &str) -> Option<&'static str> {
    match family {
        Family::JavaScript => {
            if module.starts_with("@modelcontextprotocol/sdk") {
                Some("@modelcontextprotocol/sdk")
            } else if module.starts_with("@modelcontextprotocol/server") {
                Some("@modelcontextprotocol/server")
            } else if module == "fastmcp" || module.starts_with("fastmcp/") {
                Some("fastmcp")
            } else if module == "mcp-framework" {
                Some("mcp-framework")
            } else if module.starts_with("@mastra/mcp") {
                Some("@mastra/mcp")
            } else if module.starts_with("mcp-use") {
                Some("mcp-use")
            } else {
                None
            }
        }
        Family::Python => {
            let top = module.split('.').next().unwrap_or("");
            match top {
                "mcp" => Some("mcp"),
                "fastmcp" => Some("fastmcp"),
                "mcp_use" => Some("mcp-use"),
                "chuk_mcp_server" => Some("chuk-mcp-server"),
                _ => None,
            }
        }
        Family::Go => {
            if module.starts_with("github.com/mark3labs/mcp-go") {
                Some("mcp-go")
            } else if module.starts_with("github.com/modelcontextprotocol/go-sdk") {
                Some("go-sdk")
            } else if module.starts_with("github.com/metoro-io/mcp-golang") {
                Some("mcp-golang")
            } else {
                None
            }
        }
        Family::Rust => match module.split("::").next().unwrap_or("") {
            "rmcp" => Some("rmcp"),
            "rust_mcp_sdk" => Some("rust-mcp-sdk"),
            "mcp_server" | "mcp_sdk" => Some("mcp-sdk-rs"),
            _ => None,
        },
        Family::Jvm => {
            if module.starts_with("io.modelcontextprotocol.kotlin.sdk") {
                Some("kotlin-sdk")
            } else if module.starts_with("io.modelcontextprotocol") {
                Some("mcp-java-sdk")
            } else if module.starts_with("org.springframework.ai.tool")
                || module.starts_with("org.springframework.ai.mcp")
                // `@McpTool` of the Spring AI community annotations (Spring AI 1.1).
                || module.starts_with("org.springaicommunity.mcp")
            {
                Some("spring-ai")
            } else if module.starts_with("io.quarkiverse.mcp") {
                Some("quarkus-mcp")
            } else {
                None
            }
        }
        Family::CSharp => module
            .starts_with("ModelContextProtocol")
            .then_some("csharp-sdk"),
    }
}

/// Where a registration's handler is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handler {
    /// A definition (file, def).
    Def(u32, u32),
    /// A wrapped handler: the wrapper's code and the functions given to it.
    Defs(Vec<(u32, u32)>),
    /// The low-level call-tool dispatcher; the tool is its branch named like the tool.
    Dispatch(u32, u32),
    None,
}

impl Handler {
    /// The handler made of these definitions (none, one, or several).
    pub(crate) fn of_defs(defs: Vec<(u32, u32)>) -> Handler {
        match defs.as_slice() {
            [] => Handler::None,
            [(f, d)] => Handler::Def(*f, *d),
            _ => Handler::Defs(defs),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Registration {
    pub name: String,
    pub entry: EntryKind,
    pub file: u32,
    pub line: u32,
    pub handler: Handler,
}

/// Registrations found in one file, plus dispatchers (call-tool handlers) and
/// the (file, def) of functions passed to registration calls, which must not be
/// treated as callbacks of the code that registers them.
#[derive(Default, Debug)]
pub struct Found {
    pub regs: Vec<Registration>,
    pub dispatchers: Vec<(u32, u32)>,
    pub registered_handlers: Vec<(u32, u32)>,
    /// Tool descriptions without a handler of their own (served by a dispatcher).
    pub listed: Vec<Registration>,
    /// Registration helpers: functions that register a tool named by a parameter.
    pub registrars: Vec<Registrar>,
}

/// `function registerTool(name, desc, schema, handler) { server.tool(name, …) }`:
/// every call of `def` with a literal at `name_index` registers a tool.
#[derive(Clone, Debug)]
pub struct Registrar {
    pub file: u32,
    pub def: u32,
    pub name_index: usize,
    /// The handler the inner registration passes (a wrapper around the caller's).
    pub handler: Handler,
}

/// The function whose parameter `p` is, walking out from `from` (closures see outer parameters).
fn declaring_def(facts: &FileFacts, from: Option<u32>, p: &str) -> Option<(u32, usize)> {
    let mut cur = from;
    let mut guard = 0;
    while let Some(d) = cur {
        if let Some(i) = facts.defs[d as usize].params.iter().position(|x| x == p) {
            return Some((d, i));
        }
        cur = facts.defs[d as usize].parent;
        guard += 1;
        if guard > 16 {
            break;
        }
    }
    None
}

/// Keys that make an object with a `name` a tool description. `parameters` alone
/// is an LLM function-calling schema (OpenAI), a tool only with a handler.
impl Found {
    /// Functions given to registrations are entries, not callbacks of the registering code.
    pub(crate) fn note(&mut self, h: &Handler) {
        match h {
            Handler::Def(f, d) => self.registered_handlers.push((*f, *d)),
            Handler::Defs(v) => self.registered_handlers.extend(v.iter().copied()),
            _ => {}
        }
    }
}

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
/// tool description.
const TOOL_WORDS: &[&str] = &[
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
const HANDLER_KEYS: &[&str] = &[
    "Handler", "handler", "execute", "run", "callback", "fn", "cb", "invoke", "impl", "func",
    "function", "call", "handle",
];

pub(crate) fn handler_of(linker: &Linker, file: u32, a: &Arg) -> Handler {
    match a {
        Arg::Func(d) => Handler::Def(file, *d),
        // `withTelemetry("x", handler)`, `createToolHandler(name, async () => …)`.
        Arg::Call(callee, inner) => {
            let mut defs = vec![];
            if let (Target::Def { file, def }, _) = linker.resolve(file, callee) {
                defs.push((file, def));
            }
            for a in inner {
                match handler_of(linker, file, a) {
                    Handler::Def(f, d) => defs.push((f, d)),
                    Handler::Defs(v) => defs.extend(v),
                    _ => {}
                }
            }
            Handler::of_defs(defs)
        }
        Arg::Path(c) => match linker.resolve(file, c).0 {
            Target::Def { file, def } => Handler::Def(file, def),
            Target::Name(n) => match linker.by_name(&n) {
                [(f, d)] => Handler::Def(*f, *d),
                _ => Handler::None,
            },
            _ => Handler::None,
        },
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

/// The tool name an argument carries: a literal or constant, `mcp.NewTool("x", …)`,
/// `new Tool("x", …)`, `&mcp.Tool{Name: "x"}`, `Tool(name = "x")`.
pub(crate) fn tool_name_of(linker: &Linker, file: u32, a: &Arg) -> Option<String> {
    match a {
        Arg::Str(_) | Arg::Path(_) => str_of(linker, file, Some(a)),
        Arg::Call(c, inner)
            if c.last_name()
                .map(|n| n == "NewTool" || n == "Tool" || n == "newTool")
                .unwrap_or(false) =>
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
pub(crate) fn called_name(facts: &FileFacts, r: &mcpwarden_lang::Ref) -> Option<String> {
    match &r.callee {
        Callee::Def { def, path } if path.is_empty() => {
            Some(facts.defs[*def as usize].name.clone())
        }
        c => c.last_name().map(str::to_string),
    }
}

/// Find registrations in one file (the server uses an MCP SDK).
pub fn find(linker: &Linker, file: u32, facts: &FileFacts, family: Family) -> Found {
    let mut out = Found::default();
    let compiled = family.compiles_together();
    for r in &facts.refs {
        if compiled {
            crate::tools_compiled::find_in_ref(linker, file, facts, family, r, &mut out);
            continue;
        }
        if r.kind != RefKind::Call && r.decorates.is_none() {
            continue;
        }
        // Calls into external libraries are not registrations (`router.get`, `yargs.command`).
        if let Callee::Import { module, .. } = &r.callee {
            if !module.starts_with('.')
                && sdk_of(family, module).is_none()
                && r.decorates.is_none()
                && family == Family::JavaScript
            {
                continue;
            }
        }
        let Some(last) = called_name(facts, r) else {
            continue;
        };
        // `mcp.tool(name="x")(fn)`: the decorator applied by hand.
        if family == Family::Python && r.decorates.is_none() && r.callee.ends_with(&["tool", "()"])
        {
            let Some(a @ (Arg::Path(_) | Arg::Func(_))) = r.args.pos.first() else {
                continue;
            };
            let h = handler_of(linker, file, a);
            // The inner `mcp.tool(...)` call sits at the same place and holds the name.
            let inner = facts.refs.iter().find(|x| {
                x.line == r.line && x.column == r.column && x.callee.ends_with(&["tool"])
            });
            let name_arg = inner.and_then(|x| x.args.kw("name").or(x.args.pos.first()));
            if name_arg.is_some() && str_of(linker, file, name_arg).is_none() {
                continue; // a registration loop over a list: the decorated functions are the tools
            }
            let name = str_of(linker, file, name_arg).or_else(|| match &h {
                Handler::Def(f, d) => Some(
                    linker.files[*f as usize].facts.defs[*d as usize]
                        .name
                        .clone(),
                ),
                _ => None,
            });
            if let (Some(name), Handler::Def(f, d)) = (name, &h) {
                out.registered_handlers.push((*f, *d));
                out.regs.push(Registration {
                    name,
                    entry: EntryKind::Tool,
                    file,
                    line: r.line,
                    handler: h.clone(),
                });
            }
            continue;
        }
        if let Some(def) = r.decorates {
            let fname = facts.defs[def as usize].name.clone();
            let named = str_of(linker, file, r.args.kw("name"))
                .or_else(|| str_of(linker, file, r.args.pos.first()));
            let entry = match last.as_str() {
                // `@mcp.tool()`, and project decorators named like it (`@logged_tool`,
                // `@_tool(name=...)`) that register the function later.
                "tool" => Some((EntryKind::Tool, named.unwrap_or(fname))),
                "call_tool" => {
                    out.dispatchers.push((file, def));
                    None
                }
                l if l.ends_with("_tool") && family == Family::Python => Some((
                    EntryKind::Tool,
                    str_of(linker, file, r.args.kw("name")).unwrap_or(fname),
                )),
                "resource" => Some((
                    EntryKind::Resource,
                    str_of(linker, file, r.args.pos.first())
                        .or(str_of(linker, file, r.args.kw("uri")))
                        .unwrap_or(fname),
                )),
                "prompt" => Some((EntryKind::Prompt, named.unwrap_or(fname))),
                "read_resource" | "list_resources" => Some((EntryKind::Resource, last.clone())),
                "get_prompt" => Some((EntryKind::Prompt, last.clone())),
                _ => None,
            };
            if let Some((entry, name)) = entry {
                out.regs.push(Registration {
                    name,
                    entry,
                    file,
                    line: facts.defs[def as usize].line,
                    handler: Handler::Def(file, def),
                });
            }
            continue;
        }
        let first = r.args.pos.first();
        let handler_arg = r
            .args
            .pos
            .iter()
            .skip(1)
            .rev()
            .find(|a| matches!(a, Arg::Func(_) | Arg::Path(_) | Arg::Call(..)));
        match (family, last.as_str()) {
            (Family::JavaScript, "tool" | "registerTool" | "addTool") => {
                if let Some(Arg::Obj(props)) = first {
                    // `server.addTool({ name, execute })` (fastmcp, mcp-framework).
                    let name = props
                        .iter()
                        .find(|(k, _)| k == "name")
                        .and_then(|(_, v)| str_of(linker, file, Some(v)));
                    let h = props
                        .iter()
                        .find(|(k, _)| HANDLER_KEYS.contains(&k.as_str()))
                        .map(|(_, v)| handler_of(linker, file, v))
                        .unwrap_or(Handler::None);
                    out.note(&h);
                    if let Some(name) = name {
                        out.regs.push(Registration {
                            name,
                            entry: EntryKind::Tool,
                            file,
                            line: r.line,
                            handler: h,
                        });
                    }
                    continue;
                }
                let h = handler_arg
                    .map(|a| handler_of(linker, file, a))
                    .unwrap_or(Handler::None);
                out.note(&h);
                if let Some(name) = str_of(linker, file, first) {
                    out.regs.push(Registration {
                        name,
                        entry: EntryKind::Tool,
                        file,
                        line: r.line,
                        handler: h,
                    });
                } else if let Some(Arg::Path(Callee::Var { name: p, path })) = first {
                    // The name is a parameter: this function is a registration helper.
                    if path.is_empty() {
                        if let Some((def, name_index)) = declaring_def(facts, r.in_def, p) {
                            out.registrars.push(Registrar {
                                file,
                                def,
                                name_index,
                                handler: h,
                            });
                        }
                    }
                }
            }
            (
                Family::JavaScript,
                "resource"
                | "registerResource"
                | "prompt"
                | "registerPrompt"
                | "addResource"
                | "addResourceTemplate"
                | "addPrompt",
            ) => {
                let entry = if last.to_ascii_lowercase().contains("prompt") {
                    EntryKind::Prompt
                } else {
                    EntryKind::Resource
                };
                let h = handler_arg
                    .map(|a| handler_of(linker, file, a))
                    .unwrap_or(Handler::None);
                out.note(&h);
                let name = str_of(linker, file, first).unwrap_or_else(|| last.clone());
                if h != Handler::None || first.is_some() {
                    out.regs.push(Registration {
                        name,
                        entry,
                        file,
                        line: r.line,
                        handler: h,
                    });
                }
            }
            (Family::JavaScript, "setRequestHandler") => {
                let schema = match first {
                    Some(Arg::Path(c)) => c.last_name().map(str::to_string),
                    // SDK 2 takes method names: "tools/call", "resources/read", "prompts/get".
                    Some(Arg::Str(m)) => match m.as_str() {
                        "tools/call" => Some("CallToolRequestSchema".to_string()),
                        "resources/read" => Some("ReadResourceRequestSchema".to_string()),
                        "prompts/get" => Some("GetPromptRequestSchema".to_string()),
                        _ => None,
                    },
                    _ => None,
                };
                let h = handler_arg
                    .map(|a| handler_of(linker, file, a))
                    .unwrap_or(Handler::None);
                if let Handler::Def(f, d) = h {
                    out.registered_handlers.push((f, d));
                    match schema.as_deref() {
                        Some("CallToolRequestSchema") => out.dispatchers.push((f, d)),
                        Some(s @ ("ReadResourceRequestSchema" | "GetPromptRequestSchema")) => {
                            let entry = if s.starts_with("Get") {
                                EntryKind::Prompt
                            } else {
                                EntryKind::Resource
                            };
                            out.regs.push(Registration {
                                name: s.trim_end_matches("RequestSchema").to_string(),
                                entry,
                                file,
                                line: r.line,
                                handler: h,
                            });
                        }
                        _ => {}
                    }
                }
            }
            (Family::Python, "add_tool" | "add_resource" | "add_prompt" | "tool") => {
                // `mcp.add_tool(fn)`, FastMCP 2's `mcp.tool(fn)`, `self.tool(fn, name="x")`.
                let Some(a @ (Arg::Path(_) | Arg::Func(_))) = first else {
                    continue;
                };
                let h = handler_of(linker, file, a);
                // A name given but not a constant: this is a registration helper
                // (`add_tool(adapter, name=name)`), its callers are the registrations.
                if r.args.kw("name").is_some() && str_of(linker, file, r.args.kw("name")).is_none()
                {
                    continue;
                }
                let name = str_of(linker, file, r.args.kw("name")).or_else(|| match &h {
                    Handler::Def(f, d) => Some(
                        linker.files[*f as usize].facts.defs[*d as usize]
                            .name
                            .clone(),
                    ),
                    _ => None,
                });
                out.note(&h);
                let entry = match last.as_str() {
                    "add_tool" | "tool" => EntryKind::Tool,
                    "add_prompt" => EntryKind::Prompt,
                    _ => EntryKind::Resource,
                };
                if let Some(name) = name {
                    out.regs.push(Registration {
                        name,
                        entry,
                        file,
                        line: r.line,
                        handler: h,
                    });
                }
            }
            (Family::Python, "Server" | "LowLevelServer") => {
                // MCP SDK 2: handlers are constructor arguments.
                for (kw, entry) in [
                    ("on_call_tool", None),
                    ("on_read_resource", Some(EntryKind::Resource)),
                    ("on_get_prompt", Some(EntryKind::Prompt)),
                ] {
                    if let Some(Handler::Def(f, d)) =
                        r.args.kw(kw).map(|a| handler_of(linker, file, a))
                    {
                        out.registered_handlers.push((f, d));
                        match entry {
                            None => out.dispatchers.push((f, d)),
                            Some(e) => out.regs.push(Registration {
                                name: kw.trim_start_matches("on_").to_string(),
                                entry: e,
                                file,
                                line: r.line,
                                handler: Handler::Def(f, d),
                            }),
                        }
                    }
                }
            }
            (_, "add_request_handler" | "set_request_handler")
                if str_of(linker, file, first).as_deref() == Some("tools/call") =>
            {
                if let Some(Handler::Def(f, d)) = handler_arg.map(|a| handler_of(linker, file, a)) {
                    out.registered_handlers.push((f, d));
                    out.dispatchers.push((f, d));
                }
            }
            (Family::Python, "Tool") => {
                if let Some(name) = str_of(linker, file, r.args.kw("name")) {
                    out.listed.push(Registration {
                        name,
                        entry: EntryKind::Tool,
                        file,
                        line: r.line,
                        handler: Handler::None,
                    });
                }
            }
            _ => {}
        }
    }
    // Tool maps: `const EXTRA_TOOLS = { http_headers: doHeaders }`, registered in a loop.
    for o in &facts.objects {
        let named_like_tools = o
            .binding
            .as_deref()
            .map(|b| b.to_ascii_lowercase().contains("tool"))
            .unwrap_or(false);
        if !named_like_tools || o.props.is_empty() || o.props.iter().any(|(k, _)| k == "name") {
            continue;
        }
        let handlers: Vec<Handler> = o
            .props
            .iter()
            .map(|(_, v)| handler_of(linker, file, v))
            .collect();
        if handlers.contains(&Handler::None) {
            continue;
        }
        for (i, ((k, _), h)) in o.props.iter().zip(handlers).enumerate() {
            out.note(&h);
            out.regs.push(Registration {
                name: k.clone(),
                entry: EntryKind::Tool,
                file,
                line: o.prop_lines.get(i).copied().unwrap_or(o.line),
                handler: h,
            });
        }
    }
    // Tool descriptions as object / dict literals (`{ name, inputSchema }`).
    for o in &facts.objects {
        let name = o
            .props
            .iter()
            .find(|(k, _)| k == "name" || (compiled && k == "Name"))
            .and_then(|(_, v)| str_of(linker, file, Some(v)));
        // mcp-go `server.ServerTool{Tool: mcp.NewTool("x", …), Handler: h}`.
        let name = name.or_else(|| {
            if compiled {
                o.props
                    .iter()
                    .find(|(k, _)| k == "Tool")
                    .and_then(|(_, v)| tool_name_of(linker, file, v))
            } else {
                None
            }
        });
        // `{ config: { name, inputSchema }, handler }`: the description one level down.
        let nested = match name {
            Some(_) => None,
            None => nested_description(linker, file, facts, o),
        };
        let (name, line) = match (name, &nested) {
            (Some(n), _) => (n, if o.name_line > 0 { o.name_line } else { o.line }),
            (None, Some((n, _, l))) => (n.clone(), *l),
            (None, None) => {
                out.listed.extend(keyed_tools(file, o));
                continue;
            }
        };
        let inner: &[(String, Arg)] = nested.as_ref().map_or(&[], |(_, p, _)| p);
        let shape = || o.props.iter().chain(inner.iter());
        let has_schema = shape().any(|(k, _)| SCHEMA_KEYS.contains(&k.as_str()));
        let handler = o
            .props
            .iter()
            .find(|(k, v)| {
                HANDLER_KEYS.contains(&k.as_str()) && matches!(v, Arg::Func(_) | Arg::Path(_))
            })
            .map(|(_, v)| handler_of(linker, file, v));
        // `{ name, execute }` alone is any named job (pipeline phases, CLI
        // commands, plugins): a tool also says what it takes or does.
        let described = shape().any(|(k, _)| TOOL_WORDS.contains(&k.as_str()));
        if !has_schema && (handler.is_none() || !described) {
            continue;
        }
        match handler {
            Some(h @ Handler::Def(f, d)) => {
                out.registered_handlers.push((f, d));
                out.regs.push(Registration {
                    name: name.clone(),
                    entry: EntryKind::Tool,
                    file,
                    line,
                    handler: h,
                });
            }
            _ => out.listed.push(Registration {
                name: name.clone(),
                entry: EntryKind::Tool,
                file,
                line,
                handler: Handler::None,
            }),
        }
    }
    out
}

/// Tools named by the keys of a table of descriptions (`const tools = {
/// http_request: { description, inputSchema } }` listed through
/// `Object.entries(tools)`): each value says what it takes and does and has
/// no name of its own. Dispatch (`case "http_request":`) supplies the handler.
fn keyed_tools(file: u32, o: &ObjLit) -> Vec<Registration> {
    let has = |props: &[(String, Arg)], keys: &[&str]| {
        props.iter().any(|(k, _)| keys.contains(&k.as_str()))
    };
    o.props
        .iter()
        .enumerate()
        .filter_map(|(i, (key, v))| {
            let Arg::Obj(props) = v else { return None };
            let tool_like =
                has(props, SCHEMA_KEYS) && has(props, &["description"]) && !has(props, &["name"]);
            tool_like.then(|| Registration {
                name: key.clone(),
                entry: EntryKind::Tool,
                file,
                line: o.prop_lines.get(i).copied().unwrap_or(o.line),
                handler: Handler::None,
            })
        })
        .collect()
}

/// Keys under which a tool object keeps its description apart from its handler.
const DESCRIPTION_KEYS: &[&str] = &["config", "definition", "schema", "tool", "spec", "meta"];

/// A tool's name, its description's properties and the line of its name.
type NestedDescription = (String, Vec<(String, Arg)>, u32);

/// The name, properties and name line of a tool description nested in `o`
/// (`{ config: { name: "x", inputSchema }, handler }`).
fn nested_description(
    linker: &Linker,
    file: u32,
    facts: &FileFacts,
    o: &ObjLit,
) -> Option<NestedDescription> {
    o.props.iter().find_map(|(k, v)| {
        let Arg::Obj(props) = v else { return None };
        if !DESCRIPTION_KEYS.contains(&k.as_str()) {
            return None;
        }
        let name_arg = props.iter().find(|(k, _)| k == "name")?;
        let name = str_of(linker, file, Some(&name_arg.1))?;
        // The nested literal is recorded too: its `name` line marks the tool.
        let line = facts
            .objects
            .iter()
            .find(|x| {
                x.line >= o.line
                    && x.name_line > 0
                    && x.props.iter().any(|(k, v)| k == "name" && *v == name_arg.1)
            })
            .map_or(o.line, |x| x.name_line);
        Some((name, props.clone(), line))
    })
}

/// Calls of registration helpers with a literal name: one tool each. The handler is
/// the helper's own wrapper plus every function the call site passes.
pub fn expand_registrars(
    linker: &Linker,
    registrars: &[Registrar],
    skip_file: &dyn Fn(u32) -> bool,
) -> Found {
    let mut out = Found::default();
    if registrars.is_empty() {
        return out;
    }
    for (fi, f) in linker.files.iter().enumerate() {
        let fi = fi as u32;
        if skip_file(fi) {
            continue;
        }
        for r in &f.facts.refs {
            if r.kind != RefKind::Call {
                continue;
            }
            let target = match linker.resolve(fi, &r.callee).0 {
                Target::Def { file, def } => Some((file, def)),
                Target::Name(n) => match linker.by_name(&n) {
                    [one] => Some(*one),
                    _ => None,
                },
                _ => None,
            };
            let Some((tf, td)) = target else { continue };
            for reg in registrars {
                let parent = linker.files[reg.file as usize].facts.defs[reg.def as usize].parent;
                // The helper itself, or the factory that returns it (`createToolRegistrar(server)`).
                let hit = (reg.file, reg.def) == (tf, td)
                    || (reg.file == tf && parent == Some(td) && r.callee.through_call());
                if !hit {
                    continue;
                }
                let Some(name) = str_of(linker, fi, r.args.pos.get(reg.name_index)) else {
                    continue;
                };
                let mut defs: Vec<(u32, u32)> = match &reg.handler {
                    Handler::Def(f, d) => vec![(*f, *d)],
                    Handler::Defs(v) => v.clone(),
                    _ => vec![],
                };
                for a in &r.args.pos {
                    match handler_of(linker, fi, a) {
                        Handler::Def(f, d) => defs.push((f, d)),
                        Handler::Defs(v) => defs.extend(v),
                        _ => {}
                    }
                }
                let h = Handler::of_defs(defs);
                out.note(&h);
                out.regs.push(Registration {
                    name,
                    entry: EntryKind::Tool,
                    file: fi,
                    line: r.line,
                    handler: h,
                });
            }
        }
    }
    out
}
