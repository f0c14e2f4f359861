//! The C# SDK's programmatic and low-level forms (its `[McpServerTool]` methods are
//! annotations, see `jvm::annotated_method`), and tool descriptions built for a
//! list-tools handler in any compiled language.

use super::args::SCHEMA_KEYS;
use super::{Found, Handler, Site};
use mcpwarden_lang::{Arg, DefKind};
use mcpwarden_model::EntryKind;

/// Keys that make a `Tool` construction a tool description.
fn describes_tool(k: &str) -> bool {
    matches!(k, "Description" | "description" | "RawInputSchema") || SCHEMA_KEYS.contains(&k)
}

/// A tool description built for a list-tools handler: C# `new Tool { Name = "echo",
/// InputSchema = … }`, rust-mcp-sdk `Tool { name: "x".to_string(), input_schema, .. }`.
/// Inside a subclass of the C# SDK's `McpServerTool` (`public override Tool ProtocolTool =>
/// new Tool { Name = "x", … }`) it names that class's tool, which `InvokeAsync` runs.
pub(super) fn listed_tool(s: &Site, out: &mut Found) -> bool {
    let described = s.r.args.pos.iter().find_map(|a| match a {
        Arg::Obj(props) if props.iter().any(|(k, _)| describes_tool(k)) => s.tool_name(a),
        _ => None,
    });
    let Some(name) = described else {
        return true;
    };
    match subclass_entry(s, "McpServerTool", "InvokeAsync") {
        Some(h) => out.add(s.reg(name, EntryKind::Tool, h)),
        None => out.listed.push(s.reg(name, EntryKind::Tool, Handler::None)),
    }
    true
}

/// The `method` of the class around the reference, if that class derives from `base`.
fn subclass_entry(s: &Site, base: &str, method: &str) -> Option<Handler> {
    let d = s.r.in_def?;
    let class = match s.facts.defs[d as usize].kind {
        DefKind::Class => d,
        _ => s.facts.defs[d as usize].parent?,
    };
    let c = &s.facts.defs[class as usize];
    if c.kind != DefKind::Class || !c.bases.iter().any(|b| b.last_name() == Some(base)) {
        return None;
    }
    let m = s
        .facts
        .defs
        .iter()
        .position(|m| m.parent == Some(class) && m.name == method)?;
    Some(Handler::Def(s.file, m as u32))
}

/// `.WithCallToolHandler(async (request, ct) => …)` dispatches on
/// `request.Params.Name`; the tools are its branches. `.WithGetPromptHandler(h)` and
/// `.WithReadResourceHandler(h)` handle every prompt and resource.
pub(super) fn call_tool_handler(s: &Site, out: &mut Found) -> bool {
    let handler = s.r.args.pos.iter().find(|a| super::is_function(a, false));
    if let Some(Handler::Def(f, d)) = handler.map(|a| s.handler(a)) {
        match s.called.as_str() {
            "WithGetPromptHandler" => {
                out.add(s.reg(s.called.clone(), EntryKind::Prompt, Handler::Def(f, d)))
            }
            "WithReadResourceHandler" => {
                out.add(s.reg(s.called.clone(), EntryKind::Resource, Handler::Def(f, d)))
            }
            _ => out.dispatcher(f, d),
        }
    }
    true
}

/// `new McpServerOptions { Handlers = new McpServerHandlers { CallToolHandler = (request, ct)
/// => …, GetPromptHandler = …, ReadResourceHandler = … } }`: the same handlers as properties.
pub(super) fn handlers_object(s: &Site, out: &mut Found) -> bool {
    let Some(Arg::Obj(props)) = s.first() else {
        return true;
    };
    for (k, v) in props {
        let entry = match k.as_str() {
            "CallToolHandler" => None,
            "GetPromptHandler" => Some(EntryKind::Prompt),
            "ReadResourceHandler" => Some(EntryKind::Resource),
            _ => continue,
        };
        let Handler::Def(f, d) = s.handler(v) else {
            continue;
        };
        match entry {
            None => out.dispatcher(f, d),
            Some(e) => out.add(s.reg(k.clone(), e, Handler::Def(f, d))),
        }
    }
    true
}

/// `McpServerTool.Create(delegate, new McpServerToolCreateOptions { Name = "x" })` with a
/// lambda or a method group, `McpServerTool.Create(AIFunctionFactory.Create(method, "x", …))`,
/// `McpServerTool.Create(typeof(T).GetMethod(nameof(T.M)), target, options)`; likewise
/// `McpServerPrompt.Create` and `McpServerResource.Create` with their options. Without a
/// name the tool is named after its method.
pub(super) fn create_primitive(s: &Site, out: &mut Found) -> bool {
    let entry = match s.r.callee.path().iter().rev().nth(1).map(String::as_str) {
        Some("McpServerTool") => EntryKind::Tool,
        Some("McpServerPrompt") => EntryKind::Prompt,
        Some("McpServerResource") => EntryKind::Resource,
        _ => return false,
    };
    let args = &s.r.args.pos;
    // `AIFunctionFactory.Create(method, name, description)`: the function and its name.
    let (function, named) = match args.first() {
        Some(Arg::Call(c, inner)) if c.ends_with(&["AIFunctionFactory", "Create"]) => (
            inner.first(),
            s.str(s.r.args.kw("name")).or_else(|| s.str(inner.get(1))),
        ),
        a => (a, None),
    };
    let mut h = function.map_or(Handler::None, |a| super::jvm::reflected_method(s, a));
    if h == Handler::None {
        h = reflected_on_line(s);
    }
    let option = |a: &Arg| match a {
        Arg::Obj(p) => p
            .iter()
            .find(|(k, _)| k == "Name")
            .and_then(|(_, v)| s.str(Some(v))),
        Arg::Call(_, inner) => inner.iter().find_map(|x| match x {
            Arg::Obj(p) => p
                .iter()
                .find(|(k, _)| k == "Name")
                .and_then(|(_, v)| s.str(Some(v))),
            _ => None,
        }),
        _ => None,
    };
    let name = named
        .or_else(|| args.iter().skip(1).find_map(option))
        .or_else(|| s.def_name(&h));
    match name {
        Some(name) => out.add(s.reg(name, entry, h)),
        None => out.note(&h),
    }
    true
}

/// `typeof(T).GetMethod(nameof(T.M))!` written on the line of the reference: the method `M`.
fn reflected_on_line(s: &Site) -> Handler {
    s.facts
        .refs
        .iter()
        .filter(|x| x.line == s.r.line && x.callee.last_name() == Some("GetMethod"))
        .find_map(|x| match x.args.pos.first() {
            Some(Arg::Call(c, inner)) if c.last_name() == Some("nameof") => {
                inner.first().map(|a| s.handler(a))
            }
            Some(Arg::Str(n)) => match s.linker.by_name(n) {
                [(f, d)] => Some(Handler::Def(*f, *d)),
                _ => None,
            },
            _ => None,
        })
        .unwrap_or(Handler::None)
}
