//! Rust SDKs: rmcp's dynamic routes and rust-mcp-sdk's tool structs (rmcp's
//! `#[tool]` methods are annotations, see `jvm::annotated_method`).

use super::args::{is_tool_constructor, name_given_before};
use super::{Found, Handler, Registration, Site};
use crate::link::Linker;
use mcpwarden_lang::{Arg, Callee, DefKind, FileFacts};
use mcpwarden_model::EntryKind;

/// rust-mcp-sdk: `#[mcp_tool(name = "x")] struct ReadFile {..}` whose `impl`
/// methods (`run_tool`) are the handler.
pub(super) fn mcp_tool_struct(s: &Site, out: &mut Found) -> bool {
    let Some(def) = s.r.decorates else {
        return false;
    };
    if s.facts.defs[def as usize].kind != DefKind::Class {
        return false;
    }
    if let Some(name) = s.str(s.kw("name")) {
        let methods: Vec<(u32, u32)> = s
            .facts
            .defs
            .iter()
            .enumerate()
            .filter(|(_, m)| m.parent == Some(def) && m.kind == DefKind::Method)
            .map(|(i, _)| (s.file, i as u32))
            .collect();
        out.add(s.reg(name, EntryKind::Tool, Handler::of_defs(methods)));
    }
    true
}

/// rmcp dynamic routes: `router.add_route(ToolRoute::new_dyn(tool, |ctx| …))` with
/// `tool = Tool::new("x", …)` / `Tool::new_with_raw("x", …)` earlier in the function;
/// `ToolRoute::new(tool, handler)`; prompts the same way (`PromptRoute::new_dyn(Prompt::new("x", ..), ..)`).
pub(super) fn tool_route(s: &Site, out: &mut Found) -> bool {
    let path = s.r.callee.path();
    let entry = if path.iter().any(|p| p == "ToolRoute") {
        EntryKind::Tool
    } else if path.iter().any(|p| p == "PromptRoute") {
        EntryKind::Prompt
    } else {
        return false;
    };
    let h = s
        .last_function(false)
        .map_or(Handler::None, |a| s.handler(a));
    if entry == EntryKind::Prompt {
        if h != Handler::None {
            let name = match s.first() {
                Some(Arg::Call(_, inner)) => s.str(inner.first()),
                _ => None,
            };
            out.add(s.reg(name.unwrap_or_else(|| "prompt".into()), entry, h));
        }
        return true;
    }
    let name = s.first().and_then(|a| s.tool_name(a)).or_else(|| {
        name_given_before(s.linker, s.file, s.facts, s.r, s.r.line, |x| {
            is_tool_constructor(&x.callee)
        })
    });
    out.note(&h);
    if let (Some(name), false) = (name, h == Handler::None) {
        out.regs.push(s.reg(name, EntryKind::Tool, h));
    }
    true
}

/// rmcp `ToolRouter::with_route((Tool::new("x", ..), Self::handler))`: a route given as a
/// (description, handler) pair. A route built with `ToolRoute::new` is its own reference.
pub(super) fn route_pair(s: &Site, out: &mut Found) -> bool {
    let Some(Arg::Obj(pair)) = s.first() else {
        return false;
    };
    let field = |k: &str| pair.iter().find(|(x, _)| x == k).map(|(_, v)| v);
    let (Some(tool), Some(call)) = (field("0"), field("1")) else {
        return false;
    };
    let Some(name) = s.tool_name(tool) else {
        return false;
    };
    let h = s.handler(call);
    // A chain starts on its first line: the tool is where its description is written.
    let line = description_line(s, tool).unwrap_or(s.r.line);
    out.add(s.reg_at(name, EntryKind::Tool, line, h));
    true
}

/// The line of the call that builds a tool description given as an argument.
fn description_line(s: &Site, a: &Arg) -> Option<u32> {
    let Arg::Call(c, inner) = a else { return None };
    s.facts
        .refs
        .iter()
        .filter(|x| x.in_def == s.r.in_def && x.line >= s.r.line && x.callee == *c)
        .find(|x| x.args.pos.first() == inner.first())
        .map(|x| x.line)
}

/// rmcp `Tool::new("x", ..)` / rust-mcp-sdk `Tool { name: "x", input_schema, .. }` outside a
/// route: a description for a `list_tools` handler, served by `call_tool`'s dispatch.
pub(super) fn listed_tool(s: &Site, out: &mut Found) -> bool {
    if !is_tool_constructor(&s.r.callee) {
        return false;
    }
    if let Some(name) = s.str(s.first()) {
        out.listed.push(s.reg(name, EntryKind::Tool, Handler::None));
    }
    true
}

/// Server handler methods that are entries: rmcp's `ServerHandler::call_tool` (a dispatcher on
/// `request.name`), `get_prompt`, `read_resource`; rust-mcp-sdk's `ServerHandler`
/// `handle_call_tool_request`, `handle_get_prompt_request`, `handle_read_resource_request`.
const HANDLER_METHODS: &[(&str, Option<EntryKind>)] = &[
    ("call_tool", None),
    ("handle_call_tool_request", None),
    ("get_prompt", Some(EntryKind::Prompt)),
    ("handle_get_prompt_request", Some(EntryKind::Prompt)),
    ("read_resource", Some(EntryKind::Resource)),
    ("handle_read_resource_request", Some(EntryKind::Resource)),
];

/// Forms written as trait implementations rather than calls (Rust files only):
/// - rmcp tool types: `impl ToolBase for X { fn name() -> Cow<str> { "x".into() } }` with
///   `impl SyncTool<S> for X` / `impl AsyncTool<S> for X { fn invoke(..) }`, added by
///   `with_sync_tool::<X>()` / `with_async_tool::<X>()`: tool `x`, handled by `invoke`;
/// - `impl ServerHandler for X` methods that handle calls themselves ([`HANDLER_METHODS`]).
pub(super) fn trait_impls(linker: &Linker, file: u32, facts: &FileFacts, out: &mut Found) {
    let implements = |class: u32, name: &str| {
        facts.defs[class as usize]
            .bases
            .iter()
            .any(|b| b.last_name() == Some(name))
    };
    for (ci, class) in facts.defs.iter().enumerate() {
        if class.kind != DefKind::Class || !implements(ci as u32, "ToolBase") {
            continue;
        }
        let Some(name) = linker.const_value(
            file,
            &Callee::Global {
                path: vec![class.name.clone(), "name".into()],
            },
        ) else {
            continue;
        };
        let invoke = facts
            .defs
            .iter()
            .position(|m| m.parent == Some(ci as u32) && m.name == "invoke");
        let line = facts
            .defs
            .iter()
            .find(|m| m.parent == Some(ci as u32) && m.name == "name")
            .map_or(class.line, |m| m.line + 1);
        let h = invoke.map_or(Handler::None, |m| Handler::Def(file, m as u32));
        out.add(Registration {
            name,
            entry: EntryKind::Tool,
            file,
            line,
            handler: h,
        });
    }
    for (mi, m) in facts.defs.iter().enumerate() {
        let Some(&(_, entry)) = HANDLER_METHODS.iter().find(|(n, _)| *n == m.name) else {
            continue;
        };
        let of_handler = m
            .parent
            .is_some_and(|c| implements(c, "ServerHandler") || implements(c, "ServerHandlerCore"));
        // rust-mcp-sdk's names are its own; rmcp's short ones need the trait.
        if !of_handler && !m.name.starts_with("handle_") {
            continue;
        }
        let mi = mi as u32;
        match entry {
            None => out.dispatcher(file, mi),
            Some(entry) => out.add(Registration {
                name: m.name.clone(),
                entry,
                file,
                line: m.line,
                handler: Handler::Def(file, mi),
            }),
        }
    }
}
