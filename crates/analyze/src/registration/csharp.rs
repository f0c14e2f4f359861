//! The C# SDK's low-level forms (its `[McpServerTool]` methods are
//! annotations, see `jvm::annotated_method`).

use super::{Found, Handler, Site};
use mcpwarden_lang::Arg;
use mcpwarden_model::EntryKind;

/// A tool description built for a list-tools handler:
/// `new Tool { Name = "echo", InputSchema = … }`.
pub(super) fn listed_tool(s: &Site, out: &mut Found) -> bool {
    let described = s.r.args.pos.iter().find_map(|a| match a {
        Arg::Obj(props)
            if props
                .iter()
                .any(|(k, _)| k == "InputSchema" || k == "Description") =>
        {
            s.tool_name(a)
        }
        _ => None,
    });
    if let Some(name) = described {
        out.listed.push(s.reg(name, EntryKind::Tool, Handler::None));
    }
    true
}

/// `.WithCallToolHandler(async (request, ct) => …)` dispatches on
/// `request.Params.Name`; the tools are its branches.
pub(super) fn call_tool_handler(s: &Site, out: &mut Found) -> bool {
    let handler = s.r.args.pos.iter().find(|a| super::is_function(a, false));
    if let Some(Handler::Def(f, d)) = handler.map(|a| s.handler(a)) {
        out.dispatcher(f, d);
    }
    true
}
