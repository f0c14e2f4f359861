//! The Python SDK (`mcp`: FastMCP 1, the low-level `Server`, SDK 2), FastMCP 2,
//! chuk-mcp-server, and decorators of the same shape in TypeScript.

use super::{Found, Handler, Site};
use crate::link::Linker;
use mcpwarden_lang::{Arg, Callee, Family, RefKind};
use mcpwarden_model::EntryKind;

/// `@mcp.tool()`, `@mcp.resource("uri")`, `@mcp.prompt()`, the low-level
/// `@server.call_tool()` dispatcher and `@server.read_resource()` /
/// `@server.get_prompt()` handlers, and a project's decorators named like
/// them (`@logged_tool`, `@_tool(name=...)`) that register the function later.
pub(super) fn decorator(s: &Site, out: &mut Found) -> bool {
    let Some(def) = s.r.decorates else {
        return false;
    };
    let fname = s.facts.defs[def as usize].name.clone();
    let named = || s.str(s.kw("name")).or_else(|| s.str(s.first()));
    let entry = match s.called.as_str() {
        "tool" => Some((EntryKind::Tool, named().unwrap_or(fname))),
        "call_tool" => {
            out.dispatchers.push((s.file, def));
            None
        }
        l if l.ends_with("_tool") && s.family == Family::Python => {
            Some((EntryKind::Tool, s.str(s.kw("name")).unwrap_or(fname)))
        }
        // chuk-mcp-server `@resource_template(uri)`, FastMCP `MCPMixin`'s `@mcp_resource(uri=…)`.
        "resource" | "resource_template" | "mcp_resource" => Some((
            EntryKind::Resource,
            s.str(s.first()).or(s.str(s.kw("uri"))).unwrap_or(fname),
        )),
        "prompt" | "mcp_prompt" => Some((EntryKind::Prompt, named().unwrap_or(fname))),
        "read_resource" | "list_resources" => Some((EntryKind::Resource, s.called.clone())),
        "get_prompt" => Some((EntryKind::Prompt, s.called.clone())),
        _ => None,
    };
    // The decorated function is not passed anywhere: nothing to note.
    if let Some((entry, name)) = entry {
        let line = s.facts.defs[def as usize].line;
        out.regs
            .push(s.reg_at(name, entry, line, Handler::Def(s.file, def)));
    }
    true
}

/// `mcp.tool(name="x")(fn)`: the decorator applied by hand. The inner
/// `mcp.tool(...)` call sits at the same place and holds the name.
pub(super) fn decorator_applied_by_hand(s: &Site, out: &mut Found) -> bool {
    if !s.r.callee.ends_with(&["tool", "()"]) {
        return false;
    }
    let Some(a @ (Arg::Path(_) | Arg::Func(_))) = s.first() else {
        return true;
    };
    let h = s.handler(a);
    let inner =
        s.facts.refs.iter().find(|x| {
            x.line == s.r.line && x.column == s.r.column && x.callee.ends_with(&["tool"])
        });
    let name_arg = inner.and_then(|x| x.args.kw("name").or(x.args.pos.first()));
    if name_arg.is_some() && s.str(name_arg).is_none() {
        return true; // a registration loop over a list: the decorated functions are the tools
    }
    let name = s.str(name_arg).or_else(|| s.def_name(&h));
    if let (Some(name), Handler::Def(..)) = (name, &h) {
        out.add(s.reg(name, EntryKind::Tool, h));
    }
    true
}

/// `mcp.add_tool(fn)`, FastMCP 2's `mcp.tool(fn)`, `self.tool(fn, name="x")`,
/// `add_resource(fn)`, `add_prompt(fn)`, chuk-mcp-server's
/// `register_function_as_tool(fn, name="x")`: named by `name=`, by the
/// positional name (`add_tool(fn, "x")`), or by the function. A function a
/// tool decorator already registers (FastMCP 3's standalone `@tool(name=…)`,
/// then `mcp.add_tool(fn)`) is that decorator's tool.
pub(super) fn add_function(s: &Site, out: &mut Found) -> bool {
    let Some(a @ (Arg::Path(_) | Arg::Func(_))) = s.first() else {
        return true;
    };
    let h = s.handler(a);
    let name_arg = s.kw("name").or(s.r.args.pos.get(1));
    // A name given but not a constant: this is a registration helper
    // (`add_tool(adapter, name=name)`), its callers are the registrations.
    if name_arg.is_some() && s.str(name_arg).is_none() {
        return true;
    }
    out.note(&h);
    if decorated_as_tool(s, &h) || holds_sdk_object(s, a) {
        return true;
    }
    let name = s.str(name_arg).or_else(|| s.def_name(&h));
    let entry = if s.called.contains("tool") {
        EntryKind::Tool
    } else if s.called.contains("prompt") {
        EntryKind::Prompt
    } else {
        EntryKind::Resource
    };
    if let Some(name) = name {
        out.regs.push(s.reg(name, entry, h));
    }
    true
}

/// The argument is a variable holding an object an SDK built
/// (`getenv_tool = FunctionTool.from_function(env, name="getenv")`, then
/// `mcp.add_tool(getenv_tool)`): the call that built it is the registration.
fn holds_sdk_object(s: &Site, a: &Arg) -> bool {
    let Arg::Path(c) = a else { return false };
    s.linker
        .values_of(s.file, s.r.in_def, c)
        .iter()
        .any(|(_, _, v)| {
            matches!(v, Arg::Call(Callee::Import { module, .. }, _)
                if super::sdk_of(s.family, module).is_some())
        })
}

/// The handler is a function with a tool decorator of its own.
fn decorated_as_tool(s: &Site, h: &Handler) -> bool {
    let Handler::Def(f, d) = *h else {
        return false;
    };
    let facts = s.linker.files[f as usize].facts;
    facts.refs.iter().any(|r| {
        r.decorates == Some(d)
            && super::args::called_name(facts, r)
                .is_some_and(|n| n == "tool" || n.ends_with("_tool"))
    })
}

/// A tool, resource or prompt object built from a function by an SDK class:
/// `Tool.from_function(fn, name="x")` (mcp, FastMCP 2/3; given to
/// `FastMCP(tools=[…])` or `add_tool`), `FunctionTool.from_function`,
/// chuk-mcp-server's `ToolHandler.from_function`, `FunctionResource.from_function(fn,
/// uri=…)`, `Prompt.from_function(fn, name=…)`. The object exists to be
/// registered: the call is the registration.
pub(super) fn from_function(s: &Site, out: &mut Found) -> bool {
    let Some(class) = sdk_class(s) else {
        return false;
    };
    let Some(a) = s.first().or(s.kw("fn")).or(s.kw("func")) else {
        return true;
    };
    let h = s.handler(a);
    let entry = entry_of_class(&class);
    let name = match entry {
        EntryKind::Resource => s.str(s.kw("uri")).or(s.str(s.kw("name"))),
        _ => s.str(s.kw("name")),
    };
    if let Some(name) = name.or_else(|| s.def_name(&h)) {
        out.add(s.reg(name, entry, h));
    }
    true
}

/// FastMCP's transformed tool, `Tool.from_tool(parent, name="x",
/// transform_fn=fn)`: a new tool whose calls run `transform_fn`, else the
/// parent's function (`parent` built by `Tool.from_function(fn)` or returned by
/// `add_tool`, followed through the variable holding it).
pub(super) fn from_tool(s: &Site, out: &mut Found) -> bool {
    if sdk_class(s).is_none() {
        return false;
    }
    let Some(name) = s.str(s.kw("name")) else {
        return true;
    };
    let h = match s.kw("transform_fn") {
        Some(f) => s.handler(f),
        None => s.first().map_or(Handler::None, |p| {
            super::args::described_handler(s.linker, s.file, s.r.in_def, p, 0)
        }),
    };
    out.add(s.reg(name, EntryKind::Tool, h));
    true
}

/// The class of an SDK's `Class.method(…)` call (`Tool` of `fastmcp.tools.Tool.from_function`).
fn sdk_class(s: &Site) -> Option<String> {
    let mcpwarden_lang::Callee::Import { module, path } = &s.r.callee else {
        return None;
    };
    super::sdk_of(s.family, module)?;
    let n = path.len();
    (n >= 2).then(|| path[n - 2].clone())
}

/// What an SDK class builds: `Tool`, `FunctionTool`, `ToolHandler`; `…Resource…`; `…Prompt…`.
fn entry_of_class(class: &str) -> EntryKind {
    if class.contains("Prompt") {
        EntryKind::Prompt
    } else if class.contains("Resource") {
        EntryKind::Resource
    } else {
        EntryKind::Tool
    }
}

/// MCP SDK 2: the low-level handlers are constructor arguments
/// (`Server("x", on_call_tool=…, on_read_resource=…, on_get_prompt=…)`).
pub(super) fn server_constructor(s: &Site, out: &mut Found) -> bool {
    for (kw, entry) in [
        ("on_call_tool", None),
        ("on_read_resource", Some(EntryKind::Resource)),
        ("on_get_prompt", Some(EntryKind::Prompt)),
    ] {
        let Some(h) = s.kw(kw).map(|a| s.handler(a)) else {
            continue;
        };
        match entry {
            None => out.dispatchers_of(&h),
            Some(_) if h == Handler::None => {}
            Some(e) => {
                let name = kw.trim_start_matches("on_").to_string();
                out.add(s.reg(name, e, h));
            }
        }
    }
    true
}

/// `types.Tool(name="x", inputSchema=…)` built for a low-level list-tools handler.
pub(super) fn listed_tool(s: &Site, out: &mut Found) -> bool {
    if let Some(name) = s.str(s.kw("name")) {
        out.listed.push(s.reg(name, EntryKind::Tool, Handler::None));
    }
    true
}

/// FastMCP's composition: `main.mount(sub, namespace="wx")` (`prefix=` in
/// FastMCP 2, `mount("wx", sub)` in early 2.x) and `await
/// main.import_server(sub, prefix="wx")` expose the sub-server's tools as
/// `wx_<name>`. The sub-server is named by an import, so its tools are those
/// registered in the module it comes from.
pub(super) fn mount_namespaces(linker: &Linker, all: &mut Found) {
    let mut renames: Vec<(u32, String)> = vec![];
    for (fi, f) in linker.files.iter().enumerate() {
        if f.family != Family::Python {
            continue;
        }
        for r in &f.facts.refs {
            let called = r.callee.last_name();
            if r.kind != RefKind::Call || !matches!(called, Some("mount" | "import_server")) {
                continue;
            }
            let Callee::Import { module, .. } = &r.callee else {
                continue;
            };
            if super::sdk_of(Family::Python, module).is_none() {
                continue;
            }
            let str_at = |a: Option<&Arg>| super::str_of(linker, fi as u32, a);
            let (ns, server) = match (str_at(r.args.pos.first()), r.args.pos.get(1)) {
                (Some(ns), Some(server)) => (Some(ns), Some(server)),
                _ => (
                    str_at(r.args.kw("namespace"))
                        .or_else(|| str_at(r.args.kw("prefix")))
                        .or_else(|| str_at(r.args.pos.get(1))),
                    r.args.pos.first().or(r.args.kw("server")),
                ),
            };
            let (Some(ns), Some(Arg::Path(Callee::Import { module, .. }))) = (ns, server) else {
                continue;
            };
            match linker.import_file(fi as u32, module) {
                Some(sub) if sub != fi => renames.push((sub as u32, ns)),
                _ => {}
            }
        }
    }
    for (sub, ns) in renames {
        for reg in all
            .regs
            .iter_mut()
            .chain(all.listed.iter_mut())
            .filter(|g| g.file == sub && g.entry == EntryKind::Tool)
        {
            reg.name = format!("{ns}_{}", reg.name);
        }
    }
}
