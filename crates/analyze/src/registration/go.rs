//! `AddTool`-style calls: mcp-go, the Go SDK, mcp-golang, and the Kotlin SDK,
//! which registers the same way; their prompt and resource counterparts.

use super::{Found, Handler, Site};
use mcpwarden_lang::Arg;
use mcpwarden_model::EntryKind;

/// The name a registration call gives: a named argument (`name = "x"`, Kotlin
/// `tool = Tool(name = "x")`), else a tool description among the arguments
/// (`mcp.NewTool("x")`, `&mcp.Tool{Name: "x"}`; preferred over a plain string,
/// which may be a session id: `AddSessionTool("s1", mcp.NewTool("x"), h)`),
/// else the first string (`RegisterTool("x", desc, h)`).
fn given_name(s: &Site) -> Option<String> {
    s.str(s.kw("name").or(s.kw("Name")))
        .or_else(|| s.kw("tool").and_then(|a| s.tool_name(a)))
        .or_else(|| {
            s.r.args
                .pos
                .iter()
                .filter(|a| matches!(a, Arg::Call(..) | Arg::Obj(_)))
                .find_map(|a| s.tool_name(a))
        })
        .or_else(|| s.r.args.pos.iter().find_map(|a| s.tool_name(a)))
}

/// The handler a registration call gives: a named one (Kotlin `handler =`,
/// `promptProvider =`, `readHandler =`), else the last function that is not
/// the name.
fn given_handler(s: &Site) -> Handler {
    ["handler", "promptProvider", "readHandler"]
        .iter()
        .find_map(|k| s.kw(k))
        .or_else(|| {
            s.r.args
                .pos
                .iter()
                .rev()
                .filter(|a| s.tool_name(a).is_none())
                .find(|a| super::is_function(a, true))
        })
        .map_or(Handler::None, |a| s.handler(a))
}

/// mcp-go `s.AddTool(mcp.NewTool("x", …), h)` (also `NewToolWithRawSchema`, a
/// `mcp.Tool{Name, RawInputSchema}` literal, `AddTaskTool`, `AddSessionTool(id, tool, h)`),
/// go-sdk `mcp.AddTool(server, &mcp.Tool{Name: "x"}, h)` and `server.AddTool(&mcp.Tool{…}, h)`,
/// mcp-golang `server.RegisterTool("x", "desc", h)`, Kotlin `server.addTool(name = "x") { … }`,
/// `addTool(Tool(name = "x")) { … }`, `addTool(tool = …, handler = ::run)`.
pub(super) fn add_tool(s: &Site, out: &mut Found) -> bool {
    let h = given_handler(s);
    out.note(&h);
    if let Some(name) = given_name(s) {
        out.regs.push(s.reg(name, EntryKind::Tool, h));
    }
    true
}

/// Prompts and resources registered like tools: mcp-go `AddPrompt(mcp.NewPrompt("x"), h)`,
/// `AddResource(mcp.NewResource(uri, name), h)`, `AddResourceTemplate(…)`, `AddSessionResource(…)`;
/// go-sdk `AddPrompt(&mcp.Prompt{Name}, h)`, `AddResource(&mcp.Resource{URI}, h)`;
/// mcp-golang `RegisterPrompt("x", desc, h)`, `RegisterResource(uri, name, desc, mime, h)`;
/// Kotlin `addPrompt(name = "x") { … }`, `addResource(uri = …) { … }`, `addResourceTemplate(…)`.
pub(super) fn add_prompt_or_resource(s: &Site, out: &mut Found) -> bool {
    // The Java SDK's `addPrompt(new SyncPromptSpecification(…))`: the specification registers.
    let spec = s.r.args.pos.iter().any(
        |a| matches!(a, Arg::Call(c, _) if c.last_name().is_some_and(|n| n.ends_with("Specification"))),
    );
    if spec {
        return false;
    }
    let h = given_handler(s);
    if h == Handler::None {
        return false;
    }
    let entry = if s.called.to_ascii_lowercase().contains("prompt") {
        EntryKind::Prompt
    } else {
        EntryKind::Resource
    };
    let name = given_name(s).unwrap_or_else(|| s.called.clone());
    out.add(s.reg(name, entry, h));
    true
}

/// mcp-go `server.ServerPrompt{Prompt: …, Handler: h}`, `server.ServerResource{Resource: …,
/// Handler: h}`, `server.ServerResourceTemplate{Template: …, Handler: h}` given to
/// `AddPrompts` / `SetPrompts` / `AddResources` / `AddResourceTemplates` (its
/// `ServerTool` / `ServerTaskTool` are tool literals, see `literals`).
pub(super) fn server_entry_literal(s: &Site, out: &mut Found) -> bool {
    let Some(Arg::Obj(props)) = s.first() else {
        return false;
    };
    let Some((_, h)) = props.iter().find(|(k, _)| k == "Handler") else {
        return false;
    };
    let h = s.handler(h);
    if h == Handler::None {
        return false;
    }
    let entry = if s.called.contains("Prompt") {
        EntryKind::Prompt
    } else {
        EntryKind::Resource
    };
    let name = props
        .iter()
        .filter(|(k, _)| k != "Handler")
        .find_map(|(_, v)| match v {
            Arg::Call(_, inner) => inner.iter().find_map(|a| s.str(Some(a))),
            a => s.tool_name(a),
        })
        .unwrap_or_else(|| s.called.clone());
    out.add(s.reg(name, entry, h));
    true
}

/// Kotlin SDK `addTools(listOf(RegisteredTool(Tool(name = "x", …)) { request -> … }))`,
/// `RegisteredTool(tool = …, handler = …)`, and `RegisteredPrompt` / `RegisteredResource`
/// for `addPrompts` / `addResources`.
pub(super) fn registered_entry(s: &Site, out: &mut Found) -> bool {
    let h = given_handler(s);
    let entry = match s.called.as_str() {
        "RegisteredTool" => EntryKind::Tool,
        "RegisteredPrompt" => EntryKind::Prompt,
        _ => EntryKind::Resource,
    };
    let name = given_name(s).or_else(|| {
        ["prompt", "resource"]
            .iter()
            .find_map(|k| s.kw(k).and_then(|a| s.tool_name(a)))
    });
    match (entry, name) {
        (EntryKind::Tool, Some(name)) => {
            out.note(&h);
            out.regs.push(s.reg(name, entry, h));
        }
        (EntryKind::Tool, None) => out.note(&h),
        (_, name) if h != Handler::None => {
            out.add(s.reg(name.unwrap_or_else(|| s.called.clone()), entry, h));
        }
        _ => {}
    }
    true
}
