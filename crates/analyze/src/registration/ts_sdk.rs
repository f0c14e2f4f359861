//! The TypeScript SDK (`@modelcontextprotocol/sdk` 1 and `@modelcontextprotocol/server` 2)
//! and the frameworks that share its call shapes (fastmcp, mcp-framework, mcp-use).

use super::args::{declaring_def, HANDLER_KEYS};
use super::{Found, Handler, Site};
use mcpwarden_lang::{Arg, Callee};
use mcpwarden_model::EntryKind;

/// `server.tool("x", …, cb)`, `server.registerTool("x", config, cb)`, and
/// fastmcp / mcp-framework `server.addTool({ name, execute })`. A name that is
/// the enclosing function's parameter makes that function a registration helper.
pub(super) fn tool(s: &Site, out: &mut Found) -> bool {
    if let Some(Arg::Obj(props)) = s.first() {
        let name = props
            .iter()
            .find(|(k, _)| k == "name")
            .and_then(|(_, v)| s.str(Some(v)));
        let h = props
            .iter()
            .find(|(k, _)| HANDLER_KEYS.contains(&k.as_str()))
            .map_or(Handler::None, |(_, v)| s.handler(v));
        out.note(&h);
        if let Some(name) = name {
            out.regs.push(s.reg(name, EntryKind::Tool, h));
        }
        return true;
    }
    let h = handler_after_first(s);
    out.note(&h);
    if let Some(name) = s.str(s.first()) {
        out.regs.push(s.reg(name, EntryKind::Tool, h));
    } else if let Some(Arg::Path(Callee::Var { name: p, path })) = s.first() {
        if let (true, Some((def, name_index))) =
            (path.is_empty(), declaring_def(s.facts, s.r.in_def, p))
        {
            out.registrars.push(super::wrappers::Registrar {
                file: s.file,
                def,
                name_index,
                handler: h,
            });
        }
    }
    true
}

/// `server.resource("x", uri, cb)`, `registerPrompt("x", config, cb)`,
/// fastmcp `addResource(…)` / `addResourceTemplate(…)` / `addPrompt(…)`.
pub(super) fn resource_or_prompt(s: &Site, out: &mut Found) -> bool {
    let entry = if s.called.to_ascii_lowercase().contains("prompt") {
        EntryKind::Prompt
    } else {
        EntryKind::Resource
    };
    let h = handler_after_first(s);
    out.note(&h);
    let name = s.str(s.first()).unwrap_or_else(|| s.called.clone());
    if h != Handler::None || s.first().is_some() {
        out.regs.push(s.reg(name, entry, h));
    }
    true
}

/// The low-level server: `setRequestHandler(CallToolRequestSchema, h)` makes `h`
/// the tools' dispatcher; read-resource and get-prompt handlers are one entry
/// each. SDK 2 names the method instead of its schema (`"tools/call"`).
pub(super) fn request_handler(s: &Site, out: &mut Found) -> bool {
    let schema = match s.first() {
        Some(Arg::Path(c)) => c.last_name().map(str::to_string),
        Some(Arg::Str(m)) => match m.as_str() {
            "tools/call" => Some("CallToolRequestSchema".to_string()),
            "resources/read" => Some("ReadResourceRequestSchema".to_string()),
            "prompts/get" => Some("GetPromptRequestSchema".to_string()),
            _ => None,
        },
        _ => None,
    };
    let Handler::Def(f, d) = handler_after_first(s) else {
        return true;
    };
    out.registered_handlers.push((f, d));
    match schema.as_deref() {
        Some("CallToolRequestSchema") => out.dispatchers.push((f, d)),
        Some(name @ ("ReadResourceRequestSchema" | "GetPromptRequestSchema")) => {
            let entry = if name.starts_with("Get") {
                EntryKind::Prompt
            } else {
                EntryKind::Resource
            };
            let name = name.trim_end_matches("RequestSchema").to_string();
            out.regs.push(s.reg(name, entry, Handler::Def(f, d)));
        }
        _ => {}
    }
    true
}

/// The last function-like argument after the first (the name or schema).
fn handler_after_first(s: &Site) -> Handler {
    s.r.args
        .pos
        .iter()
        .skip(1)
        .rev()
        .find(|a| super::is_function(a, true))
        .map_or(Handler::None, |a| s.handler(a))
}
