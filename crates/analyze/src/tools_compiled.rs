//! MCP registrations of the Go, Rust, JVM and C# SDKs (see docs/languages.md):
//! annotations and attributes, `AddTool`-style calls, Java and rmcp builders,
//! the C# low-level dispatcher, and a project's own wrappers around them.

use crate::link::Linker;
use crate::tools::{
    called_name, handler_of, str_of, tool_name_of, Found, Handler, Registration, SCHEMA_KEYS,
};
use mcpwarden_lang::{Arg, DefKind, Family, FileFacts, Ref, RefKind};
use mcpwarden_model::EntryKind;

/// Annotation / attribute names that make a method an MCP entry (Spring AI and
/// Quarkus `@Tool`, Spring AI community `@McpTool`, C# `[McpServerTool]`, rmcp `#[tool]`).
fn annotation_entry(name: &str) -> Option<EntryKind> {
    match name {
        "Tool" | "McpTool" | "McpServerTool" => Some(EntryKind::Tool),
        "McpServerPrompt" | "McpPrompt" | "Prompt" | "prompt" => Some(EntryKind::Prompt),
        "McpServerResource" | "McpResource" | "Resource" => Some(EntryKind::Resource),
        _ => None,
    }
}

/// The literal name given to the nearest call before line `at`, in the same
/// function as `r`, that `names` accepts (`Tool.builder().name("x")`,
/// `Tool::new("x", ..)`): builders name a tool a few statements before registering it.
fn name_given_before(
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

/// The registrations one reference makes, if any.
pub(crate) fn find_in_ref(
    linker: &Linker,
    file: u32,
    facts: &FileFacts,
    family: Family,
    r: &Ref,
    out: &mut Found,
) {
    // Java SDK: `new SyncToolSpecification(new Tool("x", …), (exchange, args) -> …)`.
    let spec = r.kind == RefKind::New
        && r.callee
            .last_name()
            .map(|n| n.ends_with("ToolSpecification") || n.ends_with("ToolRegistration"))
            .unwrap_or(false);
    // A tool description built for a list-tools handler: `new Tool { Name = "echo", InputSchema = .. }`.
    if r.kind == RefKind::New && r.callee.last_name() == Some("Tool") {
        if let Some(name) = r.args.pos.iter().find_map(|a| match a {
            Arg::Obj(props)
                if props
                    .iter()
                    .any(|(k, _)| k == "InputSchema" || k == "Description") =>
            {
                tool_name_of(linker, file, a)
            }
            _ => None,
        }) {
            out.listed.push(Registration {
                name,
                entry: EntryKind::Tool,
                file,
                line: r.line,
                handler: Handler::None,
            });
        }
        return;
    }
    if r.kind != RefKind::Call && r.decorates.is_none() && !spec {
        return;
    }
    let Some(last) = called_name(facts, r) else {
        return;
    };
    if let Some(def) = r.decorates {
        // `@Tool(name = "x")`, `[McpServerTool(Name = "x")]`, `#[tool(name = "x")]`:
        // the annotated method, named by the annotation or by itself.
        let d = &facts.defs[def as usize];
        let entry = annotation_entry(&last).or((last == "tool").then_some(EntryKind::Tool));
        // rust-mcp-sdk: `#[mcp_tool(name = "x")] struct ReadFile {..}` whose `impl`
        // methods (`run_tool`) are the handler.
        if last == "mcp_tool" && d.kind == DefKind::Class {
            if let Some(name) = str_of(linker, file, r.args.kw("name")) {
                let methods: Vec<(u32, u32)> = facts
                    .defs
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| m.parent == Some(def) && m.kind == DefKind::Method)
                    .map(|(i, _)| (file, i as u32))
                    .collect();
                let h = Handler::of_defs(methods);
                out.note(&h);
                out.regs.push(Registration {
                    name,
                    entry: EntryKind::Tool,
                    file,
                    line: r.line,
                    handler: h,
                });
            }
            return;
        }
        if let (Some(entry), false) = (entry, d.kind == DefKind::Class) {
            let name = str_of(linker, file, r.args.kw("name").or(r.args.kw("Name")))
                .unwrap_or_else(|| d.name.clone());
            out.regs.push(Registration {
                name,
                entry,
                file,
                line: d.line,
                handler: Handler::Def(file, def),
            });
        }
        return;
    }
    if spec {
        let name = r
            .args
            .pos
            .iter()
            .find_map(|a| tool_name_of(linker, file, a));
        let h = r
            .args
            .pos
            .iter()
            .rev()
            .find(|a| matches!(a, Arg::Func(_) | Arg::Path(_)))
            .map(|a| handler_of(linker, file, a))
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
        return;
    }
    match (family, last.as_str()) {
        // Java SDK builders: `SyncToolSpecification.builder().tool(t).callHandler((ex, req) -> …)`
        // with `t = Tool.builder().name("x")…build()` (or `Tool.builder("x")`) in the same method.
        (Family::Jvm, "callHandler")
            if r.callee
                .path()
                .iter()
                .any(|p| p.ends_with("ToolSpecification")) =>
        {
            let h = r
                .args
                .pos
                .iter()
                .find(|a| matches!(a, Arg::Func(_) | Arg::Path(_)))
                .map(|a| handler_of(linker, file, a))
                .unwrap_or(Handler::None);
            // A chain spans lines: the handler's own line is where `.callHandler(` is.
            let at = match r.args.pos.first() {
                Some(Arg::Func(d)) => facts.defs[*d as usize].line.max(r.line),
                _ => r.line,
            };
            let name = name_given_before(linker, file, facts, r, at, |x| {
                x.callee.ends_with(&["Tool", "builder"])
                    || (x.callee.ends_with(&["builder", "()", "name"])
                        && x.callee.path().iter().any(|s| s == "Tool"))
            });
            out.note(&h);
            if let Some(name) = name {
                out.regs.push(Registration {
                    name,
                    entry: EntryKind::Tool,
                    file,
                    line: at,
                    handler: h,
                });
            }
        }
        // rmcp dynamic routes: `router.add_route(ToolRoute::new_dyn(tool, |ctx| …))` with
        // `tool = Tool::new("x", …)` / `Tool::new_with_raw("x", …)` earlier in the function.
        (Family::Rust, "new_dyn" | "new") if r.callee.path().iter().any(|p| p == "ToolRoute") => {
            let h = r
                .args
                .pos
                .iter()
                .rev()
                .find(|a| matches!(a, Arg::Func(_) | Arg::Path(_)))
                .map(|a| handler_of(linker, file, a))
                .unwrap_or(Handler::None);
            let name = r
                .args
                .pos
                .first()
                .and_then(|a| tool_name_of(linker, file, a))
                .or_else(|| {
                    name_given_before(linker, file, facts, r, r.line, |x| {
                        x.callee.ends_with(&["Tool", "new"])
                            || x.callee.ends_with(&["Tool", "new_with_raw"])
                    })
                });
            out.note(&h);
            if let (Some(name), false) = (name, h == Handler::None) {
                out.regs.push(Registration {
                    name,
                    entry: EntryKind::Tool,
                    file,
                    line: r.line,
                    handler: h,
                });
            }
        }
        // C# SDK low level: `.WithCallToolHandler(async (request, ct) => …)` dispatches on
        // `request.Params.Name`; the tools are its branches.
        (Family::CSharp, "WithCallToolHandler") => {
            if let Some(Handler::Def(f, d)) = r
                .args
                .pos
                .iter()
                .find(|a| matches!(a, Arg::Func(_) | Arg::Path(_)))
                .map(|a| handler_of(linker, file, a))
            {
                out.registered_handlers.push((f, d));
                out.dispatchers.push((f, d));
            }
        }
        // mcp-go `s.AddTool(mcp.NewTool("x", …), h)`, go-sdk `mcp.AddTool(server, &mcp.Tool{Name: "x"}, h)`,
        // mcp-golang `server.RegisterTool("x", "desc", h)`, Kotlin `server.addTool(name = "x") { … }`.
        (
            Family::Go | Family::Rust | Family::Jvm | Family::CSharp,
            "AddTool" | "addTool" | "RegisterTool" | "add_tool",
        ) => {
            let name =
                str_of(linker, file, r.args.kw("name").or(r.args.kw("Name"))).or_else(|| {
                    r.args
                        .pos
                        .iter()
                        .find_map(|a| tool_name_of(linker, file, a))
                });
            // Kotlin may name it: `addTool(name = "x", handler = ::run)`.
            let h = r
                .args
                .kw("handler")
                .or_else(|| {
                    r.args
                        .pos
                        .iter()
                        .rev()
                        .filter(|a| tool_name_of(linker, file, a).is_none())
                        .find(|a| matches!(a, Arg::Func(_) | Arg::Path(_) | Arg::Call(..)))
                })
                .map(|a| handler_of(linker, file, a))
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
        }
        // A project's own registration wrapper given a tool description and a handler:
        // `NewTool(toolset, mcp.Tool{Name: "x", InputSchema: …}, scopes, func(…) {…})`.
        (f, _) if f.compiles_together() => {
            let described = r.args.pos.iter().find_map(|a| match a {
                Arg::Obj(props)
                    if props.iter().any(|(k, _)| {
                        k == "InputSchema"
                            || k == "Description"
                            || SCHEMA_KEYS.contains(&k.as_str())
                    }) =>
                {
                    tool_name_of(linker, file, a)
                }
                _ => None,
            });
            let handler = r
                .args
                .pos
                .iter()
                .rev()
                .find(|a| matches!(a, Arg::Func(_) | Arg::Path(_)));
            if let (Some(name), Some(a)) = (described, handler) {
                let h = handler_of(linker, file, a);
                // `NewServerPrompt(…, mcp.Prompt{Name, Arguments}, h)`, `NewServerResourceTemplate(…,
                // mcp.ResourceTemplate{Name, URITemplate}, h)` register other entries the same way.
                let keys: Vec<&str> = r
                    .args
                    .pos
                    .iter()
                    .filter_map(|a| if let Arg::Obj(p) = a { Some(p) } else { None })
                    .flatten()
                    .map(|(k, _)| k.as_str())
                    .collect();
                let entry = if last.contains("Prompt") || keys.contains(&"Arguments") {
                    EntryKind::Prompt
                } else if last.contains("Resource")
                    || keys
                        .iter()
                        .any(|k| matches!(*k, "URITemplate" | "URI" | "MIMEType"))
                {
                    EntryKind::Resource
                } else {
                    EntryKind::Tool
                };
                if h != Handler::None {
                    out.note(&h);
                    out.regs.push(Registration {
                        name,
                        entry,
                        file,
                        line: r.line,
                        handler: h,
                    });
                }
            }
        }
        _ => {}
    }
}
