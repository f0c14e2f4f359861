//! JVM SDKs: the Java SDK's specifications and builders, Spring AI and Quarkus
//! annotations (with C# attributes and rmcp's `#[tool]`, which share the shape).

use super::args::name_given_before;
use super::{Found, Handler, Site};
use mcpwarden_lang::{Arg, DefKind, Family, Ref};
use mcpwarden_model::EntryKind;

/// Annotation / attribute names that make a method an MCP entry (Spring AI and
/// Quarkus `@Tool`, Spring AI community `@McpTool`, C# `[McpServerTool]`, rmcp `#[tool]`).
fn annotation_entry(name: &str) -> Option<EntryKind> {
    match name {
        "Tool" | "McpTool" | "McpServerTool" | "tool" => Some(EntryKind::Tool),
        "McpServerPrompt" | "McpPrompt" | "Prompt" | "prompt" => Some(EntryKind::Prompt),
        "McpServerResource" | "McpResource" | "Resource" | "ResourceTemplate" => {
            Some(EntryKind::Resource)
        }
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
        let csharp_sdk = s.family == Family::CSharp && s.called.starts_with("McpServer");
        let name = s
            .str(s.kw("name").or(s.kw("Name")))
            .unwrap_or_else(|| match csharp_sdk {
                true => super::csharp::method_entry_name(s.linker, s.file, s.file, def),
                false => d.name.clone(),
            });
        out.regs
            .push(s.reg_at(name, entry, d.line, Handler::Def(s.file, def)));
    }
    true
}

/// The line a handler argument is written on: a chain's references all start
/// where the chain does, its lambda where it is written.
fn handler_line(s: &Site, a: Option<&Arg>) -> u32 {
    match a {
        Some(Arg::Func(d)) => s.facts.defs[*d as usize].line.max(s.r.line),
        _ => s.r.line,
    }
}

/// A builder's `name("x")` (or `builder("x")`) call that names a description of one of
/// `types` (`Tool.builder().name("x")…build()`, Spring AI `ToolDefinition.builder().name("x")`).
fn names_by_builder(x: &Ref, types: &[&str]) -> bool {
    let path = x.callee.path();
    let typed = path.iter().any(|p| types.contains(&p.as_str()));
    typed
        && (types.iter().any(|t| x.callee.ends_with(&[t, "builder"]))
            || (x.callee.ends_with(&["name"]) && path.iter().any(|p| p == "builder")))
}

/// The name of a tool description argument: a constructor's (`new Tool("x", …)`), or a
/// builder chain's (`Tool.builder().name("x")…build()`, inline or in a local of the method:
/// the chain's `name` call nearest before `at`).
fn described_name(s: &Site, args: &[Arg], at: u32, types: &[&str]) -> Option<String> {
    args.iter().find_map(|a| s.tool_name(a)).or_else(|| {
        let built = args.iter().any(|a| {
            matches!(a, Arg::Call(c, _) if c.path().iter().any(|p| types.contains(&p.as_str()))
                && c.path().iter().any(|p| p == "builder"))
        });
        built
            .then(|| {
                name_given_before(s.linker, s.file, s.facts, s.r, at, |x| {
                    names_by_builder(x, types)
                })
            })
            .flatten()
    })
}

/// `new SyncToolSpecification(new Tool("x", …), (exchange, args) -> …)`, the async and
/// stateless variants (`McpStatelessServerFeatures.SyncToolSpecification`), `…ToolRegistration`;
/// the tool given by its constructor or a builder (inline or in a local); prompts and resources
/// the same way (`new SyncPromptSpecification(new Prompt(…), h)`, `…ResourceSpecification`,
/// `…ResourceTemplateSpecification`).
pub(super) fn tool_specification(s: &Site, out: &mut Found) -> bool {
    let c = s.called.as_str();
    let entry = if c.ends_with("ToolSpecification") || c.ends_with("ToolRegistration") {
        EntryKind::Tool
    } else if c.ends_with("PromptSpecification") {
        EntryKind::Prompt
    } else if c.ends_with("ResourceSpecification") || c.ends_with("ResourceTemplateSpecification") {
        EntryKind::Resource
    } else {
        return false;
    };
    let handler = s.last_function(false);
    let h = handler.map_or(Handler::None, |a| s.handler(a));
    if entry != EntryKind::Tool {
        if h != Handler::None {
            out.add(s.reg(c.to_string(), entry, h));
        }
        return true;
    }
    let at = handler_line(s, handler);
    let name = described_name(s, &s.r.args.pos, at, &["Tool"]);
    out.note(&h);
    if let Some(name) = name {
        out.regs.push(s.reg(name, EntryKind::Tool, h));
    }
    true
}

/// The server builder's `McpServer.sync(transport).toolCall(tool, (exchange, request) -> …)`
/// (sync, async and stateless specifications).
pub(super) fn tool_call(s: &Site, out: &mut Found) -> bool {
    let handler = s.last_function(false);
    let h = handler.map_or(Handler::None, |a| s.handler(a));
    let at = handler_line(s, handler);
    let name = described_name(s, &s.r.args.pos[..1.min(s.r.args.pos.len())], at, &["Tool"]);
    out.note(&h);
    if let Some(name) = name {
        out.regs.push(s.reg_at(name, EntryKind::Tool, at, h));
    }
    true
}

/// Spring AI `FunctionToolCallback.builder("x", function)` (a lambda or a method reference),
/// and Spring AI 1.0 milestones' `FunctionCallback.builder().function("x", function)`.
pub(super) fn function_callback(s: &Site, out: &mut Found) -> bool {
    let path = s.r.callee.path();
    let ok = match s.called.as_str() {
        "builder" => path.first().is_some_and(|p| p == "FunctionToolCallback"),
        "function" => path.iter().any(|p| p == "FunctionCallback"),
        _ => false,
    };
    if !ok {
        return false;
    }
    let (Some(name), Some(f)) = (s.str(s.first()), s.r.args.pos.get(1)) else {
        return false;
    };
    let h = s.handler(f);
    out.add(s.reg(name, EntryKind::Tool, h));
    true
}

/// Spring AI `MethodToolCallback.builder().toolDefinition(ToolDefinition.builder().name("x")…)
/// .toolMethod(ReflectionUtils.findMethod(X.class, "m"))`: the method found by name.
pub(super) fn method_callback(s: &Site, out: &mut Found) -> bool {
    if !s.r.callee.path().iter().any(|p| p == "MethodToolCallback") {
        return false;
    }
    let Some(h) = s.first().map(|a| reflected_method(s, a)) else {
        return false;
    };
    // The definition is written after the chain's start (inline) or before it (a local).
    let named = |x: &&Ref| x.in_def == s.r.in_def && names_by_builder(x, &["ToolDefinition"]);
    let after = s
        .facts
        .refs
        .iter()
        .filter(|x| named(x) && x.line >= s.r.line)
        .min_by_key(|x| x.line);
    let site = after.or_else(|| {
        s.facts
            .refs
            .iter()
            .filter(|x| named(x) && x.line < s.r.line)
            .max_by_key(|x| x.line)
    });
    let Some(x) = site else { return false };
    let Some(name) = s.str(x.args.pos.first()) else {
        return false;
    };
    out.add(s.reg_at(name, EntryKind::Tool, x.line, h));
    true
}

/// A method looked up by name: `ReflectionUtils.findMethod(X.class, "m", …)`,
/// `X.class.getMethod("m")`, `getDeclaredMethod("m")`; the one definition of that name.
pub(super) fn reflected_method(s: &Site, a: &Arg) -> Handler {
    match a {
        Arg::Call(c, inner)
            if c.last_name().is_some_and(|n| {
                matches!(
                    n,
                    "findMethod" | "getMethod" | "getDeclaredMethod" | "GetMethod"
                )
            }) =>
        {
            let name = inner.iter().find_map(|x| s.str(Some(x)));
            match name.as_deref().map(|n| s.linker.by_name(n)) {
                Some([(f, d)]) => Handler::Def(*f, *d),
                _ => Handler::None,
            }
        }
        a => s.handler(a),
    }
}

/// Quarkus `toolManager.newTool("x").setDescription(…).setHandler(args -> …).register()`
/// (`setAsyncHandler` too), and `PromptManager.newPrompt`, `ResourceManager.newResource`,
/// `ResourceTemplateManager.newResourceTemplate` the same way.
pub(super) fn quarkus_definition(s: &Site, out: &mut Found) -> bool {
    let path = s.r.callee.path();
    let Some(kind) = path.iter().find_map(|p| match p.as_str() {
        "newTool" => Some(EntryKind::Tool),
        "newPrompt" => Some(EntryKind::Prompt),
        "newResource" | "newResourceTemplate" => Some(EntryKind::Resource),
        _ => None,
    }) else {
        return false;
    };
    let h = s.first().map_or(Handler::None, |a| s.handler(a));
    // The chain's `newTool("x")` link: the same start, its callee a prefix of this one.
    let named = s.facts.refs.iter().find(|x| {
        x.line == s.r.line
            && x.column == s.r.column
            && x.callee.last_name().is_some_and(|n| n.starts_with("new"))
            && path.starts_with(x.callee.path())
    });
    let name = named.and_then(|x| s.str(x.args.pos.first()));
    match (kind, name) {
        (EntryKind::Tool, Some(name)) => {
            out.note(&h);
            out.regs.push(s.reg(name, kind, h));
        }
        (EntryKind::Tool, None) => out.note(&h),
        (_, name) if h != Handler::None => {
            out.add(s.reg(name.unwrap_or_else(|| s.called.clone()), kind, h))
        }
        _ => {}
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
        names_by_builder(x, &["Tool"])
    });
    out.note(&h);
    if let Some(name) = name {
        out.regs.push(s.reg_at(name, EntryKind::Tool, at, h));
    }
    true
}
