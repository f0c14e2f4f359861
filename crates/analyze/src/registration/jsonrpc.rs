//! Servers that register JSON-RPC method handlers by method name.

use super::{Found, Site};

/// `server.set_request_handler("tools/call", h)`: `h` dispatches every tool.
pub(super) fn method_handler(s: &Site, out: &mut Found) -> bool {
    if s.str(s.first()).as_deref() != Some("tools/call") {
        return false;
    }
    let handler =
        s.r.args
            .pos
            .iter()
            .skip(1)
            .rev()
            .find(|a| super::is_function(a, true));
    if let Some(h) = handler.map(|a| s.handler(a)) {
        out.dispatchers_of(&h);
    }
    true
}

/// A file that answers MCP's JSON-RPC methods itself (`if method ==
/// "tools/call":`, `case "tools/call":`) is an MCP server without an SDK: its
/// tool descriptions and handlers are registrations like an SDK's.
pub fn answers_mcp_methods(facts: &mcpwarden_lang::FileFacts) -> bool {
    const METHODS: &[&str] = &["tools/call", "tools/list"];
    facts
        .branches
        .iter()
        .flat_map(|b| b.values.iter())
        .any(|(v, _)| METHODS.contains(&v.as_str()))
        || facts
            .refs
            .iter()
            .flat_map(|r| r.labels.iter())
            .any(|l| METHODS.contains(&l.as_str()))
}
