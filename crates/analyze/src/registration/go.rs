//! `AddTool`-style calls: mcp-go, the Go SDK, mcp-golang, and the Kotlin SDK,
//! which registers the same way.

use super::{Found, Handler, Site};
use mcpwarden_model::EntryKind;

/// mcp-go `s.AddTool(mcp.NewTool("x", …), h)`, go-sdk `mcp.AddTool(server,
/// &mcp.Tool{Name: "x"}, h)`, mcp-golang `server.RegisterTool("x", "desc", h)`,
/// Kotlin `server.addTool(name = "x") { … }` / `addTool(name = "x", handler = ::run)`.
pub(super) fn add_tool(s: &Site, out: &mut Found) -> bool {
    let name = s
        .str(s.kw("name").or(s.kw("Name")))
        .or_else(|| s.r.args.pos.iter().find_map(|a| s.tool_name(a)));
    let h = s
        .kw("handler")
        .or_else(|| {
            s.r.args
                .pos
                .iter()
                .rev()
                .filter(|a| s.tool_name(a).is_none())
                .find(|a| super::is_function(a, true))
        })
        .map_or(Handler::None, |a| s.handler(a));
    out.note(&h);
    if let Some(name) = name {
        out.regs.push(s.reg(name, EntryKind::Tool, h));
    }
    true
}
