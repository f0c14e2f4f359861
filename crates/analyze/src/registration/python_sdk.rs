//! The Python SDK (`mcp`: FastMCP 1, the low-level `Server`, SDK 2), FastMCP 2,
//! chuk-mcp-server, and decorators of the same shape in TypeScript.

use super::{Found, Handler, Site};
use mcpwarden_lang::{Arg, Family};
use mcpwarden_model::EntryKind;

/// `@mcp.tool()`, `@mcp.resource("uri")`, `@mcp.prompt()`, the low-level
/// `@server.call_tool()` dispatcher and `@server.read_resource()` /
/// `@server.get_prompt()` handlers, and a project's decorators named like
/// them (`@logged_tool`, `@_tool(name=...)`) that register the function later.
pub(super) fn decorator(s: &Site, out: &mut Found) -> bool {
    let Some(def) = s.r.decorates else {
        return false;
    };
    let fname = s.facts.defs[def as usize].name.clone();
    let named = || s.str(s.kw("name")).or_else(|| s.str(s.first()));
    let entry = match s.called.as_str() {
        "tool" => Some((EntryKind::Tool, named().unwrap_or(fname))),
        "call_tool" => {
            out.dispatchers.push((s.file, def));
            None
        }
        l if l.ends_with("_tool") && s.family == Family::Python => {
            Some((EntryKind::Tool, s.str(s.kw("name")).unwrap_or(fname)))
        }
        "resource" => Some((
            EntryKind::Resource,
            s.str(s.first()).or(s.str(s.kw("uri"))).unwrap_or(fname),
        )),
        "prompt" => Some((EntryKind::Prompt, named().unwrap_or(fname))),
        "read_resource" | "list_resources" => Some((EntryKind::Resource, s.called.clone())),
        "get_prompt" => Some((EntryKind::Prompt, s.called.clone())),
        _ => None,
    };
    // The decorated function is not passed anywhere: nothing to note.
    if let Some((entry, name)) = entry {
        let line = s.facts.defs[def as usize].line;
        out.regs
            .push(s.reg_at(name, entry, line, Handler::Def(s.file, def)));
    }
    true
}

/// `mcp.tool(name="x")(fn)`: the decorator applied by hand. The inner
/// `mcp.tool(...)` call sits at the same place and holds the name.
pub(super) fn decorator_applied_by_hand(s: &Site, out: &mut Found) -> bool {
    if !s.r.callee.ends_with(&["tool", "()"]) {
        return false;
    }
    let Some(a @ (Arg::Path(_) | Arg::Func(_))) = s.first() else {
        return true;
    };
    let h = s.handler(a);
    let inner =
        s.facts.refs.iter().find(|x| {
            x.line == s.r.line && x.column == s.r.column && x.callee.ends_with(&["tool"])
        });
    let name_arg = inner.and_then(|x| x.args.kw("name").or(x.args.pos.first()));
    if name_arg.is_some() && s.str(name_arg).is_none() {
        return true; // a registration loop over a list: the decorated functions are the tools
    }
    let name = s.str(name_arg).or_else(|| s.def_name(&h));
    if let (Some(name), Handler::Def(..)) = (name, &h) {
        out.add(s.reg(name, EntryKind::Tool, h));
    }
    true
}

/// `mcp.add_tool(fn)`, FastMCP 2's `mcp.tool(fn)`, `self.tool(fn, name="x")`,
/// `add_resource(fn)`, `add_prompt(fn)`: named by `name=` or by the function.
pub(super) fn add_function(s: &Site, out: &mut Found) -> bool {
    let Some(a @ (Arg::Path(_) | Arg::Func(_))) = s.first() else {
        return true;
    };
    let h = s.handler(a);
    // A name given but not a constant: this is a registration helper
    // (`add_tool(adapter, name=name)`), its callers are the registrations.
    if s.kw("name").is_some() && s.str(s.kw("name")).is_none() {
        return true;
    }
    let name = s.str(s.kw("name")).or_else(|| s.def_name(&h));
    out.note(&h);
    let entry = match s.called.as_str() {
        "add_tool" | "tool" => EntryKind::Tool,
        "add_prompt" => EntryKind::Prompt,
        _ => EntryKind::Resource,
    };
    if let Some(name) = name {
        out.regs.push(s.reg(name, entry, h));
    }
    true
}

/// MCP SDK 2: the low-level handlers are constructor arguments
/// (`Server("x", on_call_tool=…, on_read_resource=…, on_get_prompt=…)`).
pub(super) fn server_constructor(s: &Site, out: &mut Found) -> bool {
    for (kw, entry) in [
        ("on_call_tool", None),
        ("on_read_resource", Some(EntryKind::Resource)),
        ("on_get_prompt", Some(EntryKind::Prompt)),
    ] {
        let Some(Handler::Def(f, d)) = s.kw(kw).map(|a| s.handler(a)) else {
            continue;
        };
        match entry {
            None => out.dispatcher(f, d),
            Some(e) => {
                let name = kw.trim_start_matches("on_").to_string();
                out.add(s.reg(name, e, Handler::Def(f, d)));
            }
        }
    }
    true
}

/// `types.Tool(name="x", inputSchema=…)` built for a low-level list-tools handler.
pub(super) fn listed_tool(s: &Site, out: &mut Found) -> bool {
    if let Some(name) = s.str(s.kw("name")) {
        out.listed.push(s.reg(name, EntryKind::Tool, Handler::None));
    }
    true
}
