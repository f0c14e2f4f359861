//! Rust SDKs: rmcp's dynamic routes and rust-mcp-sdk's tool structs (rmcp's
//! `#[tool]` methods are annotations, see `jvm::annotated_method`).

use super::args::name_given_before;
use super::{Found, Handler, Site};
use mcpwarden_lang::DefKind;
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
/// `tool = Tool::new("x", …)` / `Tool::new_with_raw("x", …)` earlier in the function.
pub(super) fn tool_route(s: &Site, out: &mut Found) -> bool {
    if !s.r.callee.path().iter().any(|p| p == "ToolRoute") {
        return false;
    }
    let h = s
        .last_function(false)
        .map_or(Handler::None, |a| s.handler(a));
    let name = s.first().and_then(|a| s.tool_name(a)).or_else(|| {
        name_given_before(s.linker, s.file, s.facts, s.r, s.r.line, |x| {
            x.callee.ends_with(&["Tool", "new"]) || x.callee.ends_with(&["Tool", "new_with_raw"])
        })
    });
    out.note(&h);
    if let (Some(name), false) = (name, h == Handler::None) {
        out.regs.push(s.reg(name, EntryKind::Tool, h));
    }
    true
}
