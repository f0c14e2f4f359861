//! Servers that register JSON-RPC method handlers by method name.

use super::{Found, Handler, Site};

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
    if let Some(Handler::Def(f, d)) = handler.map(|a| s.handler(a)) {
        out.dispatcher(f, d);
    }
    true
}
