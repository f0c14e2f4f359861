//! JVM SDKs: the Java SDK's specifications and builders, Spring AI and Quarkus
//! annotations (with C# attributes and rmcp's `#[tool]`, which share the shape).

use super::args::name_given_before;
use super::{Found, Handler, Site};
use mcpwarden_lang::{Arg, DefKind};
use mcpwarden_model::EntryKind;

/// Annotation / attribute names that make a method an MCP entry (Spring AI and
/// Quarkus `@Tool`, Spring AI community `@McpTool`, C# `[McpServerTool]`, rmcp `#[tool]`).
fn annotation_entry(name: &str) -> Option<EntryKind> {
    match name {
        "Tool" | "McpTool" | "McpServerTool" | "tool" => Some(EntryKind::Tool),
        "McpServerPrompt" | "McpPrompt" | "Prompt" | "prompt" => Some(EntryKind::Prompt),
        "McpServerResource" | "McpResource" | "Resource" => Some(EntryKind::Resource),
        _ => None,
    }
}

/// `@Tool(name = "x")`, `[McpServerTool(Name = "x")]`, `#[tool(name = "x")]`:
/// the annotated method, named by the annotation or by itself.
pub(super) fn annotated_method(s: &Site, out: &mut Found) -> bool {
    let Some(def) = s.r.decorates else {
        return false;
    };
    let d = &s.facts.defs[def as usize];
    if let (Some(entry), false) = (annotation_entry(&s.called), d.kind == DefKind::Class) {
        let name = s
            .str(s.kw("name").or(s.kw("Name")))
            .unwrap_or_else(|| d.name.clone());
        out.regs
            .push(s.reg_at(name, entry, d.line, Handler::Def(s.file, def)));
    }
    true
}

/// `new SyncToolSpecification(new Tool("x", …), (exchange, args) -> …)` and the
/// async / stateless variants (`…ToolSpecification`, `…ToolRegistration`).
pub(super) fn tool_specification(s: &Site, out: &mut Found) -> bool {
    let spec = s.called.ends_with("ToolSpecification") || s.called.ends_with("ToolRegistration");
    if !spec {
        return false;
    }
    let name = s.r.args.pos.iter().find_map(|a| s.tool_name(a));
    let h = s
        .last_function(false)
        .map_or(Handler::None, |a| s.handler(a));
    out.note(&h);
    if let Some(name) = name {
        out.regs.push(s.reg(name, EntryKind::Tool, h));
    }
    true
}

/// `SyncToolSpecification.builder().tool(t).callHandler((ex, req) -> …)` with
/// `t = Tool.builder().name("x")…build()` (or `Tool.builder("x")`) in the same method.
pub(super) fn builder_call_handler(s: &Site, out: &mut Found) -> bool {
    if !s
        .r
        .callee
        .path()
        .iter()
        .any(|p| p.ends_with("ToolSpecification"))
    {
        return false;
    }
    let h =
        s.r.args
            .pos
            .iter()
            .find(|a| super::is_function(a, false))
            .map_or(Handler::None, |a| s.handler(a));
    // A chain spans lines: the handler's own line is where `.callHandler(` is.
    let at = match s.first() {
        Some(Arg::Func(d)) => s.facts.defs[*d as usize].line.max(s.r.line),
        _ => s.r.line,
    };
    let name = name_given_before(s.linker, s.file, s.facts, s.r, at, |x| {
        x.callee.ends_with(&["Tool", "builder"])
            || (x.callee.ends_with(&["builder", "()", "name"])
                && x.callee.path().iter().any(|p| p == "Tool"))
    });
    out.note(&h);
    if let Some(name) = name {
        out.regs.push(s.reg_at(name, EntryKind::Tool, at, h));
    }
    true
}
