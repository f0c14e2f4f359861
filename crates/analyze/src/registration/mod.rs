//! MCP awareness: which SDK a server uses and which tools, resources and
//! prompts it registers, with the code that handles each.
//!
//! Every SDK registration form is recognised by one short function, listed in
//! [`RECOGNISERS`] with the SDK it belongs to, the languages it applies to, the
//! kind of reference it looks at and the names it is called by. A reference is
//! offered to the rows in order; the first that claims it ends the search.
//! Forms that are not one reference have their own finders: object-literal
//! tool descriptions ([`literals`]), class-per-tool servers ([`classes`]) and
//! calls of a project's own registration helpers ([`wrappers`]).
//! Adding a form: one row (and, if no recogniser fits, one function in the
//! SDK's file), plus a fixture server using it (docs/architecture.md).

mod args;
mod classes;
mod csharp;
mod go;
mod jsonrpc;
mod jvm;
mod literals;
mod python_sdk;
mod rust;
mod sdk;
mod tables;
mod ts_sdk;
mod wrappers;

use crate::link::Linker;
use mcpwarden_lang::{Arg, Callee, Family, FileFacts, Ref, RefKind};
use mcpwarden_model::EntryKind;

pub(crate) use args::{declaring_def, handler_of, str_of, tool_name_of};
pub use jsonrpc::answers_mcp_methods;
pub use sdk::sdk_of;

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
    pub registrars: Vec<wrappers::Registrar>,
    /// Definition objects a registering call consumed (`server.prompt({ name,
    /// schema }, cb)`): the literal pass must not take them for tools.
    pub(crate) described: Vec<Vec<(String, Arg)>>,
    /// Request handlers whose schema has no name the analyser can read (a
    /// bundle's own `const CallToolRequestSchema = RequestSchema.extend(…)`):
    /// settled by what they branch on once every tool is known.
    pub(crate) unnamed_handlers: Vec<Handler>,
}

impl Found {
    /// Functions given to registrations are entries, not callbacks of the registering code.
    pub(crate) fn note(&mut self, h: &Handler) {
        match h {
            Handler::Def(f, d) => self.registered_handlers.push((*f, *d)),
            Handler::Defs(v) => self.registered_handlers.extend(v.iter().copied()),
            _ => {}
        }
    }

    /// A registration whose handler was given to the registering call.
    fn add(&mut self, reg: Registration) {
        self.note(&reg.handler);
        self.regs.push(reg);
    }

    /// A call-tool dispatcher given to the registering call.
    fn dispatcher(&mut self, f: u32, d: u32) {
        self.registered_handlers.push((f, d));
        self.dispatchers.push((f, d));
    }

    /// Every function of a call-tool handler dispatches: a wrapper
    /// (`withTelemetry(async (request) => …)`) and what it wraps run for
    /// every call.
    fn dispatchers_of(&mut self, h: &Handler) {
        match h {
            Handler::Def(f, d) => self.dispatcher(*f, *d),
            Handler::Defs(v) => v.iter().for_each(|(f, d)| self.dispatcher(*f, *d)),
            _ => {}
        }
    }

    fn extend(&mut self, other: Found) {
        self.regs.extend(other.regs);
        self.dispatchers.extend(other.dispatchers);
        self.registered_handlers.extend(other.registered_handlers);
        self.listed.extend(other.listed);
        self.registrars.extend(other.registrars);
        self.described.extend(other.described);
        self.unnamed_handlers.extend(other.unnamed_handlers);
    }
}

/// The kind of reference a form is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum On {
    /// A call: `server.tool("x", …)`, `s.AddTool(…)`.
    Call,
    /// A construction: `new SyncToolSpecification(…)`, `new Tool { Name = "x" }`.
    New,
    /// A decorator, annotation or attribute on a definition: `@mcp.tool()`, `[McpServerTool]`.
    Decorator,
}

/// One reference in one file, as a recogniser sees it.
pub(crate) struct Site<'a> {
    pub linker: &'a Linker<'a>,
    pub file: u32,
    pub facts: &'a FileFacts,
    pub family: Family,
    pub r: &'a Ref,
    /// The name the reference calls (its last member, or the file's function it names).
    pub called: String,
}

impl Site<'_> {
    pub fn str(&self, a: Option<&Arg>) -> Option<String> {
        str_of(self.linker, self.file, a)
    }
    pub fn handler(&self, a: &Arg) -> Handler {
        args::handler_in(self.linker, self.file, self.r.in_def, a)
    }
    pub fn tool_name(&self, a: &Arg) -> Option<String> {
        tool_name_of(self.linker, self.file, a)
    }
    pub fn kw(&self, k: &str) -> Option<&Arg> {
        self.r.args.kw(k)
    }
    pub fn first(&self) -> Option<&Arg> {
        self.r.args.pos.first()
    }
    /// The last positional argument that can be a function (`Arg::Call` too when `calls`).
    pub fn last_function(&self, calls: bool) -> Option<&Arg> {
        self.r.args.pos.iter().rev().find(|a| is_function(a, calls))
    }
    /// The name of the function a handler is, if it is one definition.
    pub fn def_name(&self, h: &Handler) -> Option<String> {
        match h {
            Handler::Def(f, d) => Some(
                self.linker.files[*f as usize].facts.defs[*d as usize]
                    .name
                    .clone(),
            ),
            _ => None,
        }
    }
    /// A registration made here.
    pub fn reg(&self, name: String, entry: EntryKind, handler: Handler) -> Registration {
        self.reg_at(name, entry, self.r.line, handler)
    }
    pub fn reg_at(
        &self,
        name: String,
        entry: EntryKind,
        line: u32,
        handler: Handler,
    ) -> Registration {
        Registration {
            name,
            entry,
            file: self.file,
            line,
            handler,
        }
    }
}

/// An argument that can be a handler: a function, a name, and (when `calls`)
/// a call that returns or wraps one.
pub(crate) fn is_function(a: &Arg, calls: bool) -> bool {
    matches!(a, Arg::Func(_) | Arg::Path(_)) || (calls && matches!(a, Arg::Call(..)))
}

/// One registration form.
pub(crate) struct Recogniser {
    /// The SDK (or SDKs) whose API this is.
    pub sdk: &'static str,
    pub families: &'static [Family],
    pub on: On,
    /// The names it is called by; empty: any.
    pub names: &'static [&'static str],
    /// What the form looks like, for the documentation.
    pub form: &'static str,
    /// Records what the reference registers; `true` claims it (later rows do not see it).
    pub recognise: fn(&Site, &mut Found) -> bool,
}

use Family::{CSharp, Go, JavaScript as Js, Jvm, Python as Py, Rust as Rs};
const COMPILED: &[Family] = &[Go, Rs, Jvm, CSharp];

/// Every registration form, in the order they are tried.
pub(crate) const RECOGNISERS: &[Recogniser] = &[
    // Decorators and annotations.
    Recogniser { sdk: "mcp, fastmcp (Python), chuk-mcp-server", families: &[Js, Py], on: On::Decorator, names: &[], form: "`@mcp.tool`, `@mcp.tool()`, `@mcp.tool(\"x\")`, `@mcp.resource(uri)`, `@mcp.prompt()`, `@server.call_tool()`, `@x_tool(name=…)`, `MCPMixin`'s `@mcp_tool` / `@mcp_resource` / `@mcp_prompt`, `@resource_template(uri)`", recognise: python_sdk::decorator },
    Recogniser { sdk: "rust-mcp-sdk", families: &[Rs], on: On::Decorator, names: &["mcp_tool"], form: r#"`#[mcp_tool(name = "x")] struct X` + `impl X`"#, recognise: rust::mcp_tool_struct },
    Recogniser { sdk: "Spring AI, Quarkus, C# SDK, rmcp", families: COMPILED, on: On::Decorator, names: &[], form: "`@Tool`, `@McpTool`, `[McpServerTool]`, `#[tool]` methods", recognise: jvm::annotated_method },
    // Constructions.
    Recogniser { sdk: "C# SDK (low level), rust-mcp-sdk", families: COMPILED, on: On::New, names: &["Tool"], form: r#"`new Tool { Name = "x", InputSchema = … }` (in a `McpServerTool` subclass: its `InvokeAsync`), `Tool { name: "x", input_schema, .. }`"#, recognise: csharp::listed_tool },
    Recogniser { sdk: "C# SDK (low level)", families: &[CSharp], on: On::New, names: &["McpServerHandlers"], form: "`new McpServerHandlers { CallToolHandler = h, GetPromptHandler = …, ReadResourceHandler = … }`", recognise: csharp::handlers_object },
    Recogniser { sdk: "mcp-go", families: &[Go], on: On::New, names: &["ServerPrompt", "ServerResource", "ServerResourceTemplate"], form: "`server.ServerPrompt{Prompt: …, Handler: h}`, `server.ServerResource{…}`, `server.ServerResourceTemplate{…}`", recognise: go::server_entry_literal },
    Recogniser { sdk: "mcp-java-sdk", families: COMPILED, on: On::New, names: &[], form: r#"`new SyncToolSpecification(new Tool("x", …) or Tool.builder().name("x")…build(), handler)` (Sync, Async, Stateless; Prompt, Resource, ResourceTemplate)"#, recognise: jvm::tool_specification },
    // TypeScript / JavaScript calls.
    Recogniser { sdk: "@modelcontextprotocol/sdk, @modelcontextprotocol/server, mcp-handler, fastmcp, mcp-use", families: &[Js], on: On::Call, names: &["tool", "registerTool", "registerToolTask", "addTool"], form: r#"`server.tool("x", …, cb)` (all six overloads), `registerTool("x", config, cb)`, `experimental.tasks.registerToolTask("x", config, { createTask, … })`, `addTool({ name, execute })`, `tool({ name, schema }, cb)`"#, recognise: ts_sdk::tool },
    Recogniser { sdk: "@modelcontextprotocol/sdk", families: &[Js], on: On::Call, names: &["update"], form: "`registeredTool.update({ callback, name })`", recognise: ts_sdk::tool_update },
    Recogniser { sdk: "@modelcontextprotocol/sdk, fastmcp, mcp-use", families: &[Js], on: On::Call, names: &["resource", "registerResource", "resourceTemplate", "prompt", "registerPrompt", "addResource", "addResourceTemplate", "addPrompt"], form: "`server.resource(…)`, `registerPrompt(…)`, `addResourceTemplate({ uriTemplate, name, load })`, `resource({ name, uri }, cb)`", recognise: ts_sdk::resource_or_prompt },
    Recogniser { sdk: "@mastra/mcp", families: &[Js], on: On::New, names: &["MCPServer"], form: "`new MCPServer({ tools: { key: createTool({ id, execute }) } })`", recognise: ts_sdk::keyed_tools_option },
    Recogniser { sdk: "@modelcontextprotocol/sdk (low level)", families: &[Js], on: On::Call, names: &["setRequestHandler"], form: r#"`setRequestHandler(CallToolRequestSchema, h)`, `setRequestHandler("tools/call", h)`"#, recognise: ts_sdk::request_handler },
    // Python calls.
    Recogniser { sdk: "mcp, fastmcp (Python)", families: &[Py], on: On::Call, names: &[], form: r#"`mcp.tool(name="x")(fn)`"#, recognise: python_sdk::decorator_applied_by_hand },
    Recogniser { sdk: "mcp, fastmcp (Python), chuk-mcp-server", families: &[Py], on: On::Call, names: &["add_tool", "add_resource", "add_prompt", "tool", "register_function_as_tool", "register_function_as_resource", "register_function_as_prompt"], form: r#"`mcp.add_tool(fn, name="x")`, `add_tool(fn, "x")`, `mcp.tool(fn)`, `add_prompt(fn)`, `register_function_as_tool(fn, name="x")`"#, recognise: python_sdk::add_function },
    Recogniser { sdk: "mcp, fastmcp (Python), chuk-mcp-server", families: &[Py], on: On::Call, names: &["from_function"], form: r#"`Tool.from_function(fn, name="x")` (in `FastMCP(tools=[…])` or `add_tool(…)`), `FunctionTool` / `ToolHandler` / `FunctionResource` / `Prompt.from_function`"#, recognise: python_sdk::from_function },
    Recogniser { sdk: "fastmcp (Python)", families: &[Py], on: On::Call, names: &["from_tool"], form: r#"`Tool.from_tool(parent, name="x", transform_fn=fn)`"#, recognise: python_sdk::from_tool },
    Recogniser { sdk: "mcp 2 (Python low level)", families: &[Py], on: On::Call, names: &["Server", "LowLevelServer"], form: r#"`Server("x", on_call_tool=h, on_read_resource=…)`"#, recognise: python_sdk::server_constructor },
    Recogniser { sdk: "any JSON-RPC server", families: &[Js, Py], on: On::Call, names: &["add_request_handler", "set_request_handler"], form: r#"`set_request_handler("tools/call", h)`"#, recognise: jsonrpc::method_handler },
    Recogniser { sdk: "mcp (Python low level)", families: &[Py], on: On::Call, names: &["Tool"], form: r#"`types.Tool(name="x", inputSchema=…)` for a list-tools handler"#, recognise: python_sdk::listed_tool },
    // Compiled-language calls.
    Recogniser { sdk: "mcp-java-sdk", families: &[Jvm], on: On::Call, names: &["callHandler"], form: "`SyncToolSpecification.builder().tool(t).callHandler(h)`", recognise: jvm::builder_call_handler },
    Recogniser { sdk: "mcp-java-sdk", families: &[Jvm], on: On::Call, names: &["toolCall"], form: "`McpServer.sync(t).toolCall(tool, handler)` (async, stateless)", recognise: jvm::tool_call },
    Recogniser { sdk: "spring-ai", families: &[Jvm], on: On::Call, names: &["builder", "function"], form: r#"`FunctionToolCallback.builder("x", fn)`, `FunctionCallback.builder().function("x", fn)`"#, recognise: jvm::function_callback },
    Recogniser { sdk: "spring-ai", families: &[Jvm], on: On::Call, names: &["toolMethod"], form: r#"`MethodToolCallback.builder().toolDefinition(ToolDefinition.builder().name("x")…).toolMethod(findMethod(T.class, "m"))`"#, recognise: jvm::method_callback },
    Recogniser { sdk: "quarkus-mcp", families: &[Jvm], on: On::Call, names: &["setHandler", "setAsyncHandler"], form: r#"`toolManager.newTool("x")….setHandler(fn).register()` (`newPrompt`, `newResource`, `newResourceTemplate`)"#, recognise: jvm::quarkus_definition },
    Recogniser { sdk: "kotlin-sdk", families: &[Jvm], on: On::Call, names: &["RegisteredTool", "RegisteredPrompt", "RegisteredResource"], form: r#"`addTools(listOf(RegisteredTool(Tool(name = "x")) { … }))`"#, recognise: go::registered_entry },
    Recogniser { sdk: "rmcp", families: &[Rs], on: On::Call, names: &["new_dyn", "new"], form: r#"`ToolRoute::new_dyn(Tool::new("x", …), closure)`, `ToolRoute::new(tool, h)`, `PromptRoute::new_dyn(…)`"#, recognise: rust::tool_route },
    Recogniser { sdk: "rmcp", families: &[Rs], on: On::Call, names: &["with_route"], form: r#"`ToolRouter::with_route((Tool::new("x", …), Self::handler))`"#, recognise: rust::route_pair },
    Recogniser { sdk: "rmcp", families: &[Rs], on: On::Call, names: &["new", "new_with_raw"], form: r#"`Tool::new("x", …)` listed for `ServerHandler::call_tool`"#, recognise: rust::listed_tool },
    Recogniser { sdk: "C# SDK (low level)", families: &[CSharp], on: On::Call, names: &["WithCallToolHandler", "WithGetPromptHandler", "WithReadResourceHandler"], form: "`.WithCallToolHandler(h)` (dispatching on the name), `.WithGetPromptHandler(h)`, `.WithReadResourceHandler(h)`", recognise: csharp::call_tool_handler },
    Recogniser { sdk: "C# SDK", families: &[CSharp], on: On::Call, names: &["Create"], form: r#"`McpServerTool.Create(fn, new McpServerToolCreateOptions { Name = "x" })`, `Create(AIFunctionFactory.Create(fn, "x"))`, `McpServerPrompt.Create`, `McpServerResource.Create`"#, recognise: csharp::create_primitive },
    Recogniser { sdk: "mcp-go, go-sdk, mcp-golang, kotlin-sdk", families: COMPILED, on: On::Call, names: &["AddTool", "AddTaskTool", "AddSessionTool", "addTool", "RegisterTool", "add_tool"], form: r#"`s.AddTool(mcp.NewTool("x") or NewToolWithRawSchema("x", …) or mcp.Tool{…}, h)`, `AddSessionTool(id, tool, h)`, `mcp.AddTool(s, &mcp.Tool{Name: "x"}, h)`, `RegisterTool("x", d, h)`, `addTool(name = "x") { … }`, `addTool(Tool(name = "x")) { … }`"#, recognise: go::add_tool },
    Recogniser { sdk: "mcp-go, go-sdk, mcp-golang, kotlin-sdk", families: COMPILED, on: On::Call, names: &["AddPrompt", "AddResource", "AddResourceTemplate", "AddSessionResource", "AddSessionResourceTemplate", "RegisterPrompt", "RegisterResource", "addPrompt", "addResource", "addResourceTemplate"], form: r#"`s.AddPrompt(mcp.NewPrompt("x"), h)`, `AddResource(&mcp.Resource{…}, h)`, `RegisterPrompt("x", d, h)`, `addResource(uri = …) { … }`"#, recognise: go::add_prompt_or_resource },
    Recogniser { sdk: "a project's own wrapper", families: COMPILED, on: On::Call, names: &[], form: r#"`ownHelper(…, mcp.Tool{Name: "x", InputSchema: …}, …, h)`"#, recognise: wrappers::described_call },
];

impl Recogniser {
    fn applies(&self, site: &Site, on: On) -> bool {
        self.on == on
            && self.families.contains(&site.family)
            && (self.names.is_empty() || self.names.contains(&site.called.as_str()))
    }
}

/// The site a reference is, and how it is written; `None` if it cannot register anything.
fn site<'a>(
    linker: &'a Linker<'a>,
    file: u32,
    facts: &'a FileFacts,
    family: Family,
    r: &'a Ref,
) -> Option<(Site<'a>, On)> {
    let on = match (r.decorates, r.kind) {
        (Some(_), _) => On::Decorator,
        (None, RefKind::Call) => On::Call,
        (None, RefKind::New) => On::New,
        (None, RefKind::Access) => return None,
    };
    // Calls into external libraries are not registrations (`router.get`, `yargs.command`).
    if let (Callee::Import { module, .. }, On::Call | On::New, Family::JavaScript) =
        (&r.callee, on, family)
    {
        if !module.starts_with('.') && sdk_of(family, module).is_none() {
            return None;
        }
    }
    let called = args::called_name(facts, r)?;
    Some((
        Site {
            linker,
            file,
            facts,
            family,
            r,
            called,
        },
        on,
    ))
}

/// Registrations in one file of a server that uses an MCP SDK.
pub fn find(linker: &Linker, file: u32, facts: &FileFacts, family: Family) -> Found {
    let mut out = Found::default();
    for r in &facts.refs {
        let Some((site, on)) = site(linker, file, facts, family, r) else {
            continue;
        };
        for rec in RECOGNISERS.iter().filter(|x| x.applies(&site, on)) {
            if (rec.recognise)(&site, &mut out) {
                break;
            }
        }
    }
    literals::find(linker, file, facts, family, &mut out);
    if family == Family::JavaScript {
        ts_sdk::file_module(linker, file, facts, &mut out);
    }
    out.extend(classes::find(linker, file, facts, family));
    if family == Family::Rust {
        rust::trait_impls(linker, file, facts, &mut out);
    }
    // A compiled-language description that is also registered with its handler
    // (`with_route((Tool::new("x", ..), h))`) is that tool, not one for a dispatcher.
    if family.compiles_together() {
        let registered: std::collections::HashSet<&str> = out
            .regs
            .iter()
            .filter(|r| r.entry == EntryKind::Tool)
            .map(|r| r.name.as_str())
            .collect();
        let listed = std::mem::take(&mut out.listed);
        out.listed = listed
            .into_iter()
            .filter(|l| !registered.contains(l.name.as_str()))
            .collect();
    }
    // A handler given as a class is its entry method.
    for r in &mut out.regs {
        let h = std::mem::replace(&mut r.handler, Handler::None);
        r.handler = classes::class_handler(linker, h);
        if let Handler::Def(f, d) = r.handler {
            out.registered_handlers.push((f, d));
        }
    }
    out
}

/// Registrations of the whole server: every file `skip` keeps, then the calls
/// of the registration helpers those files define.
pub fn find_all(linker: &Linker, skip: &dyn Fn(u32) -> bool) -> Found {
    let mut all = Found::default();
    for (i, f) in linker.files.iter().enumerate() {
        if !skip(i as u32) {
            all.extend(find(linker, i as u32, f.facts, f.family));
        }
    }
    let more = wrappers::expand_registrars(linker, &all.registrars, skip);
    all.regs.extend(more.regs);
    all.registered_handlers.extend(more.registered_handlers);
    tables::join(linker, skip, &mut all);
    python_sdk::mount_namespaces(linker, &mut all);
    ts_sdk::settle_unnamed_handlers(linker, &mut all);
    all
}

/// The table of registration forms in docs/architecture.md, generated from
/// [`RECOGNISERS`] so the two cannot drift apart.
pub fn forms_table() -> String {
    let mut t = String::from(
        "| # | SDK | languages | written as | called | form |\n|---|---|---|---|---|---|\n",
    );
    for (i, r) in RECOGNISERS.iter().enumerate() {
        let langs: Vec<&str> = r.families.iter().map(|f| family_label(*f)).collect();
        let names = if r.names.is_empty() {
            "any".to_string()
        } else {
            r.names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        t += &format!(
            "| {} | {} | {} | {:?} | {} | {} |\n",
            i + 1,
            r.sdk,
            langs.join(", "),
            r.on,
            names,
            r.form
        );
    }
    t
}

fn family_label(f: Family) -> &'static str {
    match f {
        Family::JavaScript => "JS/TS",
        Family::Python => "Python",
        Family::Go => "Go",
        Family::Rust => "Rust",
        Family::Jvm => "Java/Kotlin",
        Family::CSharp => "C#",
    }
}

#[cfg(test)]
mod tests {
    const BEGIN: &str = "<!-- registration-forms:begin (generated: MCPWARDEN_UPDATE_DOCS=1 cargo test -p mcpwarden-analyze registration) -->\n";
    const END: &str = "<!-- registration-forms:end -->";

    #[test]
    fn architecture_doc_lists_every_registration_form() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/architecture.md");
        let doc = std::fs::read_to_string(path).expect("docs/architecture.md");
        let (Some(b), Some(e)) = (doc.find(BEGIN), doc.find(END)) else {
            panic!("docs/architecture.md lacks the registration-forms markers");
        };
        let table = super::forms_table();
        let current = &doc[b + BEGIN.len()..e];
        if current != table {
            if std::env::var_os("MCPWARDEN_UPDATE_DOCS").is_some() {
                let updated = format!("{}{table}{}", &doc[..b + BEGIN.len()], &doc[e..]);
                std::fs::write(path, updated).expect("write docs/architecture.md");
            } else {
                panic!("docs/architecture.md's registration forms are stale: rerun with MCPWARDEN_UPDATE_DOCS=1");
            }
        }
    }
}
