//! The TypeScript SDK (`@modelcontextprotocol/sdk` 1 and `@modelcontextprotocol/server` 2)
//! and the frameworks that share its call shapes (fastmcp, mcp-framework, mcp-use).

use super::args::{declaring_def, described_handler, is_handler_key, within};
use super::{Found, Handler, Registration, Site};
use crate::link::Linker;
use mcpwarden_lang::{Arg, Callee, DefKind, Export, FileFacts};
use mcpwarden_model::EntryKind;
use std::collections::HashSet;

/// `server.tool("x", …, cb)`, `server.registerTool("x", config, cb)`,
/// `server.experimental.tasks.registerToolTask("x", config, { createTask, … })`,
/// fastmcp / mcp-framework `server.addTool({ name, execute })`, and mcp-use
/// `server.tool({ name, schema }, cb)` (the definition first, the callback after
/// it, or as its `cb`). A name that is the enclosing function's parameter makes
/// that function a registration helper.
pub(super) fn tool(s: &Site, out: &mut Found) -> bool {
    if let Some(Arg::Obj(props)) = s.first() {
        out.described.push(props.clone());
        let name = props
            .iter()
            .find(|(k, _)| k == "name")
            .and_then(|(_, v)| s.str(Some(v)));
        let h = match described_handler(s.linker, s.file, s.r.in_def, &Arg::Obj(props.clone()), 0) {
            Handler::None => handler_after_first(s),
            h => h,
        };
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
    } else if let Some((p, default)) = parameter_name(s) {
        if let Some((def, name_index)) = declaring_def(s.facts, s.r.in_def, p) {
            out.registrars.push(super::wrappers::Registrar {
                file: s.file,
                def,
                name_index,
                default,
                handler: h,
            });
        }
    }
    true
}

/// A tool name that is a parameter of an enclosing function: `name`, or
/// `name || "x"` / `name ?? "x"` with its default (a literal or a constant).
fn parameter_name<'a>(s: &'a Site) -> Option<(&'a str, Option<String>)> {
    let param = |a: &'a Arg| match a {
        Arg::Path(Callee::Var { name, path }) if path.is_empty() => Some(name.as_str()),
        _ => None,
    };
    match s.first()? {
        Arg::Either(alts) => {
            let (first, rest) = alts.split_first()?;
            let default = rest.iter().find_map(|a| s.str(Some(a)))?;
            Some((param(first)?, Some(default)))
        }
        a => Some((param(a)?, None)),
    }
}

/// A `RegisteredTool`'s `update({ callback, name })` (TypeScript SDK v1): the
/// new callback handles the tool the variable holds, under its new name if
/// given. The variable is the nearest one before, in the same function,
/// assigned from the same registering call (`const t = server.tool("x", …)`).
pub(super) fn tool_update(s: &Site, out: &mut Found) -> bool {
    let Some(Arg::Obj(props)) = s.first() else {
        return false;
    };
    let Some((_, cb)) = props.iter().find(|(k, _)| k == "callback") else {
        return false;
    };
    let path = s.r.callee.path();
    let Some(registering) = path.len().checked_sub(2).map(|n| &path[..n]) else {
        return false;
    };
    let registered = s
        .facts
        .locals
        .iter()
        .filter(|l| l.def == s.r.in_def && l.line <= s.r.line)
        .filter_map(|l| match &l.value {
            Arg::Call(c, args)
                if c.path() == registering && TOOL_CALLS.contains(&c.last_name()?) =>
            {
                Some((l.line, args.first()))
            }
            _ => None,
        })
        .max_by_key(|(line, _)| *line)
        .and_then(|(_, a)| s.str(a));
    let renamed = props
        .iter()
        .find(|(k, _)| k == "name")
        .and_then(|(_, v)| s.str(Some(v)));
    let Some(name) = renamed.or(registered) else {
        return false;
    };
    out.add(s.reg(name, EntryKind::Tool, s.handler(cb)));
    true
}

/// The calls whose result is a `RegisteredTool`.
const TOOL_CALLS: &[&str] = &["tool", "registerTool"];

/// @mastra/mcp `new MCPServer({ tools: { key: tool } })`: each tool is exposed
/// under its key; the value is a `createTool({ id, execute })` written there,
/// held by a variable, or imported, and its `execute` handles the tool.
pub(super) fn keyed_tools_option(s: &Site, out: &mut Found) -> bool {
    let Some(Arg::Obj(props)) = s.first() else {
        return false;
    };
    let Some((_, Arg::Obj(tools))) = props.iter().find(|(k, _)| k == "tools") else {
        return false;
    };
    let lines = s
        .facts
        .objects
        .iter()
        .find(|o| o.props == *tools)
        .map(|o| o.prop_lines.clone())
        .unwrap_or_default();
    for (i, (key, v)) in tools.iter().enumerate() {
        let h = described_handler(s.linker, s.file, s.r.in_def, v, 0);
        let line = lines.get(i).copied().unwrap_or(s.r.line);
        out.add(s.reg_at(key.clone(), EntryKind::Tool, line, h));
    }
    true
}

/// `server.resource("x", uri, cb)`, `registerPrompt("x", config, cb)`,
/// fastmcp `addResource({ uri, name, load })` / `addResourceTemplate(…)` /
/// `addPrompt({ name, load })`, mcp-use `resource({ name, uri }, cb)` /
/// `resourceTemplate(…)` / `prompt({ name }, cb)`.
pub(super) fn resource_or_prompt(s: &Site, out: &mut Found) -> bool {
    let entry = if s.called.to_ascii_lowercase().contains("prompt") {
        EntryKind::Prompt
    } else {
        EntryKind::Resource
    };
    let (name, h) = match s.first() {
        Some(Arg::Obj(props)) => {
            out.described.push(props.clone());
            let loader = props
                .iter()
                .find(|(k, v)| {
                    (is_handler_key(k) || LOADER_KEYS.contains(&k.as_str()))
                        && super::is_function(v, false)
                })
                .map_or(Handler::None, |(_, v)| s.handler(v));
            let name = props
                .iter()
                .find(|(k, _)| k == "name")
                .and_then(|(_, v)| s.str(Some(v)));
            let h = match loader {
                Handler::None => handler_after_first(s),
                h => h,
            };
            (name, h)
        }
        first => (s.str(first), handler_after_first(s)),
    };
    out.note(&h);
    let name = name.unwrap_or_else(|| s.called.clone());
    if h != Handler::None || s.first().is_some() {
        out.regs.push(s.reg(name, entry, h));
    }
    true
}

/// Keys holding a resource's or prompt's handler besides [`super::args::HANDLER_KEYS`].
const LOADER_KEYS: &[&str] = &["load", "read"];

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
    // A wrapped handler (`withTelemetry(async (request) => …)`): the wrapper
    // and the function it wraps all run for every call.
    let h = handler_after_first(s);
    if h == Handler::None {
        return true;
    }
    match schema.as_deref() {
        Some("CallToolRequestSchema") => out.dispatchers_of(&h),
        Some(name @ ("ReadResourceRequestSchema" | "GetPromptRequestSchema")) => {
            let entry = if name.starts_with("Get") {
                EntryKind::Prompt
            } else {
                EntryKind::Resource
            };
            let name = name.trim_end_matches("RequestSchema").to_string();
            out.add(s.reg(name, entry, h));
        }
        // Another request's schema (`ListToolsRequestSchema`, `SetLevelRequestSchema`).
        Some(n) if n.ends_with("RequestSchema") => out.note(&h),
        // A schema the analyser cannot name (a bundle's own `const
        // CallToolRequestSchema = RequestSchema.extend(…)`): decided by what
        // the handler branches on once every tool is known.
        _ if matches!(s.first(), Some(Arg::Path(_))) => {
            out.note(&h);
            out.unnamed_handlers.push(h);
        }
        _ => out.note(&h),
    }
    true
}

/// The last function-like argument after the first (the name or schema), or
/// an object of functions (a task handler: `{ createTask, getTask, getTaskResult }`).
fn handler_after_first(s: &Site) -> Handler {
    let rest = || s.r.args.pos.iter().skip(1).rev();
    if let Some(a) = rest().find(|a| super::is_function(a, true)) {
        return s.handler(a);
    }
    let Some(Arg::Obj(props)) = rest().find(|a| matches!(a, Arg::Obj(_))) else {
        return Handler::None;
    };
    let mut defs = vec![];
    for (_, v) in props.iter().filter(|(_, v)| matches!(v, Arg::Func(_))) {
        match s.handler(v) {
            Handler::Def(f, d) => defs.push((f, d)),
            Handler::Defs(v) => defs.extend(v),
            _ => {}
        }
    }
    Handler::of_defs(defs)
}

/// xmcp's file-based entries: a module under `tools/` (`prompts/`,
/// `resources/`) exporting `metadata = { name: "x", … }` and its handler as the
/// default export (or as its one exported function).
pub(super) fn file_module(linker: &Linker, file: u32, facts: &FileFacts, out: &mut Found) {
    let rel = linker.files[file as usize].rel;
    let dir = |d: &str| rel.split('/').rev().skip(1).any(|s| s == d);
    let entry = if dir("tools") {
        EntryKind::Tool
    } else if dir("prompts") {
        EntryKind::Prompt
    } else if dir("resources") {
        EntryKind::Resource
    } else {
        return;
    };
    let exported = |n: &str| {
        facts
            .exports
            .iter()
            .any(|e| matches!(e, Export::Local { name, .. } if name == n))
    };
    if !exported("metadata") {
        return;
    }
    let Some(meta) = facts
        .objects
        .iter()
        .find(|o| o.binding.as_deref() == Some("metadata") && o.in_def.is_none())
    else {
        return;
    };
    let Some(name) = super::args::name_in(linker, file, &meta.props) else {
        return;
    };
    let functions: Vec<(&str, u32)> = facts
        .exports
        .iter()
        .filter_map(|e| match e {
            Export::Local {
                name,
                target: Callee::Def { def, path },
            } if path.is_empty() && facts.defs[*def as usize].kind != DefKind::Class => {
                Some((name.as_str(), *def))
            }
            _ => None,
        })
        .collect();
    let handler = functions
        .iter()
        .find(|(n, _)| *n == "default")
        .or(match functions.as_slice() {
            [one] => Some(one),
            _ => None,
        });
    let Some(&(_, def)) = handler else { return };
    let line = if meta.name_line > 0 {
        meta.name_line
    } else {
        meta.line
    };
    out.add(Registration {
        name,
        entry,
        file,
        line,
        handler: Handler::Def(file, def),
    });
}

/// A request handler whose schema has no readable name is the tools' dispatcher
/// when it (or a function inside it) branches on a tool's name: `switch
/// (request.params.name) { case "t1": … }` with `t1` listed or registered.
pub(super) fn settle_unnamed_handlers(linker: &Linker, all: &mut Found) {
    let handlers = std::mem::take(&mut all.unnamed_handlers);
    if handlers.is_empty() {
        return;
    }
    let tools: HashSet<&str> = all
        .regs
        .iter()
        .chain(&all.listed)
        .filter(|r| r.entry == EntryKind::Tool)
        .map(|r| r.name.as_str())
        .collect();
    let mut dispatchers = vec![];
    for h in &handlers {
        let defs = match h {
            Handler::Def(f, d) => vec![(*f, *d)],
            Handler::Defs(v) => v.clone(),
            _ => continue,
        };
        if defs
            .iter()
            .any(|&(f, d)| branches_on_tools(linker, f, d, &tools))
        {
            dispatchers.push(h.clone());
        }
    }
    dispatchers.iter().for_each(|h| all.dispatchers_of(h));
}

/// Whether function `def`, a function nested in it, or one it calls
/// (`(request) => handleCall(request, server)`) branches on a tool name.
fn branches_on_tools(linker: &Linker, file: u32, def: u32, tools: &HashSet<&str>) -> bool {
    let facts = linker.files[file as usize].facts;
    if own_branches_on_tools(linker, file, def, tools) {
        return true;
    }
    facts
        .refs
        .iter()
        .filter(|r| r.kind == mcpwarden_lang::RefKind::Call && within(facts, r.in_def, def))
        .take(64)
        .any(|r| match linker.resolve(file, &r.callee).0 {
            crate::link::Target::Def { file: cf, def: cd } => {
                own_branches_on_tools(linker, cf, cd, tools)
            }
            _ => false,
        })
}

/// Whether function `def` or a function nested in it branches on a tool name.
fn own_branches_on_tools(linker: &Linker, file: u32, def: u32, tools: &HashSet<&str>) -> bool {
    let facts = linker.files[file as usize].facts;
    facts.branches.iter().any(|b| {
        within(facts, b.in_def, def) && b.values.iter().any(|(v, _)| tools.contains(v.as_str()))
    })
}
