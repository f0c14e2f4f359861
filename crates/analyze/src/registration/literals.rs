//! Tools written as object / dict literals: descriptions with a name and a
//! schema or handler (`{ name, inputSchema, handler }`, mcp-go
//! `server.ServerTool{Tool: mcp.NewTool("x"), Handler: h}`), descriptions
//! nested one level down (`{ config: { name, … }, handler }`), tables keyed
//! by tool name, and maps of names to handlers named like tools.

use super::args::{is_handler_key, str_of, tool_name_of, SCHEMA_KEYS, TOOL_WORDS};
use super::{Found, Handler, Registration};
use crate::link::Linker;
use mcpwarden_lang::{Arg, Callee, Family, FileFacts, ObjLit};
use mcpwarden_model::EntryKind;

/// Every tool literal of one file.
pub(super) fn find(linker: &Linker, file: u32, facts: &FileFacts, family: Family, out: &mut Found) {
    for o in &facts.objects {
        handler_map(linker, file, o, out);
    }
    for o in &facts.objects {
        resource_description(linker, file, o, out);
    }
    for o in &facts.objects {
        if !out.described.contains(&o.props) {
            description(linker, file, facts, family, o, out);
        }
    }
    for o in &facts.objects {
        keyed_builders(linker, file, o, out);
    }
}

/// `tool` of an MCP SDK module (`import { tool } from "@supabase/mcp-utils"`).
fn is_sdk_tool(c: &Callee) -> bool {
    matches!(c, Callee::Import { module, path }
        if path.last().is_some_and(|n| n == "tool") && super::sdk_of(Family::JavaScript, module).is_some())
}

/// A function of the tree that builds its tool with the SDK's `tool`
/// (`const b = (t) => tool({ ...t, execute: inject(t.execute) })`).
fn wraps_sdk_tool(linker: &Linker, file: u32, c: &Callee) -> bool {
    let crate::link::Target::Def { file: f, def } = linker.resolve(file, c).0 else {
        return false;
    };
    let facts = linker.files[f as usize].facts;
    facts
        .refs
        .iter()
        .any(|r| is_sdk_tool(&r.callee) && super::args::within(facts, r.in_def, def))
}

/// Tools keyed by name whose values an SDK helper builds: `{ list_projects:
/// tool({ description, parameters, execute }) }` (`@supabase/mcp-utils`,
/// merged into `createMcpServer({ tools })`). The builder must come from an
/// MCP SDK module; its `execute` is the handler.
fn keyed_builders(linker: &Linker, file: u32, o: &ObjLit, out: &mut Found) {
    for (i, (key, v)) in o.props.iter().enumerate() {
        let Arg::Call(callee, args) = v else {
            continue;
        };
        let sdk_tool = is_sdk_tool(callee) || wraps_sdk_tool(linker, file, callee);
        let Some(Arg::Obj(props)) = args.first() else {
            continue;
        };
        let handler = props
            .iter()
            .find(|(k, _)| is_handler_key(k))
            .map(|(_, v)| super::handler_of(linker, file, v));
        if let (true, Some(h)) = (sdk_tool, handler) {
            out.add(Registration {
                name: key.clone(),
                entry: EntryKind::Tool,
                file,
                line: o.prop_lines.get(i).copied().unwrap_or(o.line),
                handler: h,
            });
        }
    }
}

/// `const EXTRA_TOOLS = { http_headers: doHeaders }`, registered in a loop:
/// a map named like tools whose every value is a function.
fn handler_map(linker: &Linker, file: u32, o: &ObjLit, out: &mut Found) {
    let named_like_tools = o
        .binding
        .as_deref()
        .is_some_and(|b| b.to_ascii_lowercase().contains("tool"));
    if !named_like_tools || o.props.is_empty() || o.props.iter().any(|(k, _)| k == "name") {
        return;
    }
    let handlers: Vec<Handler> = o
        .props
        .iter()
        .map(|(_, v)| super::handler_of(linker, file, v))
        .collect();
    if handlers.contains(&Handler::None) {
        return;
    }
    for (i, ((k, _), h)) in o.props.iter().zip(handlers).enumerate() {
        out.add(Registration {
            name: k.clone(),
            entry: EntryKind::Tool,
            file,
            line: o.prop_lines.get(i).copied().unwrap_or(o.line),
            handler: h,
        });
    }
}

/// A tool description (`{ name, inputSchema }`), registered with its handler
/// if it has one, else listed for a dispatcher to serve.
fn description(
    linker: &Linker,
    file: u32,
    facts: &FileFacts,
    family: Family,
    o: &ObjLit,
    out: &mut Found,
) {
    let compiled = family.compiles_together();
    let name = o
        .props
        .iter()
        .find(|(k, _)| k == "name" || (compiled && k == "Name"))
        .and_then(|(_, v)| str_of(linker, file, Some(v)))
        // mcp-go `server.ServerTool{Tool: mcp.NewTool("x", …), Handler: h}`.
        .or_else(|| {
            let tool = o.props.iter().find(|(k, _)| compiled && k == "Tool")?;
            tool_name_of(linker, file, &tool.1)
        });
    let nested = match name {
        Some(_) => None,
        None => nested_description(linker, file, facts, o),
    };
    let (name, site) = match (name, &nested) {
        (Some(n), _) => (
            n,
            (file, if o.name_line > 0 { o.name_line } else { o.line }),
        ),
        (None, Some(d)) => (d.name.clone(), (d.file, d.line)),
        (None, None) => {
            out.listed.extend(keyed_tools(file, o));
            return;
        }
    };
    let inner: &[(String, Arg)] = nested.as_ref().map_or(&[], |d| &d.props);
    let shape = || o.props.iter().chain(inner.iter());
    let has_schema = shape().any(|(k, _)| SCHEMA_KEYS.contains(&k.as_str()));
    let handler = o
        .props
        .iter()
        .find(|(k, v)| is_handler_key(k) && matches!(v, Arg::Func(_) | Arg::Path(_)))
        .map(|(_, v)| super::handler_of(linker, file, v));
    // `{ name, execute }` alone is any named job (pipeline phases, CLI
    // commands, plugins): a tool also says what it takes or does.
    let described = shape().any(|(k, _)| TOOL_WORDS.contains(&k.as_str()));
    if !has_schema && (handler.is_none() || !described) {
        return;
    }
    let reg = |handler| Registration {
        name: name.clone(),
        entry: EntryKind::Tool,
        file: site.0,
        line: site.1,
        handler,
    };
    match handler {
        Some(h @ Handler::Def(..)) => out.add(reg(h)),
        _ => out.listed.push(reg(Handler::None)),
    }
}

/// Tools named by the keys of a table of descriptions (`const tools = {
/// http_request: { description, inputSchema } }` listed through
/// `Object.entries(tools)`): each value says what it takes and does and has
/// no name of its own. Dispatch (`case "http_request":`) supplies the handler.
fn keyed_tools(file: u32, o: &ObjLit) -> Vec<Registration> {
    let has = |props: &[(String, Arg)], keys: &[&str]| {
        props.iter().any(|(k, _)| keys.contains(&k.as_str()))
    };
    o.props
        .iter()
        .enumerate()
        .filter_map(|(i, (key, v))| {
            let Arg::Obj(props) = v else { return None };
            let tool_like =
                has(props, SCHEMA_KEYS) && has(props, &["description"]) && !has(props, &["name"]);
            tool_like.then(|| Registration {
                name: key.clone(),
                entry: EntryKind::Tool,
                file,
                line: o.prop_lines.get(i).copied().unwrap_or(o.line),
                handler: Handler::None,
            })
        })
        .collect()
}

/// Keys under which a tool object keeps its description apart from its handler.
const DESCRIPTION_KEYS: &[&str] = &["config", "definition", "schema", "tool", "spec", "meta"];

/// A tool description nested in another object: its name, its properties,
/// and where its name is written (file, line).
struct Nested {
    name: String,
    props: Vec<(String, Arg)>,
    file: u32,
    line: u32,
}

/// The tool description nested in `o`: written inline (`{ config: { name:
/// "x", inputSchema }, handler }`) or a module-level constant of this or
/// another module (`{ schema: fetchSchema, handle }`).
fn nested_description(linker: &Linker, file: u32, facts: &FileFacts, o: &ObjLit) -> Option<Nested> {
    o.props.iter().find_map(|(k, v)| {
        if !DESCRIPTION_KEYS.contains(&k.as_str()) {
            return None;
        }
        match v {
            Arg::Obj(props) => inline_description(linker, file, facts, o, props),
            Arg::Path(c) => {
                let (tf, d) = linker.object_literal(file, c)?;
                let name = d.props.iter().find(|(k, _)| k == "name")?;
                Some(Nested {
                    name: str_of(linker, tf, Some(&name.1))?,
                    props: d.props.clone(),
                    file: tf,
                    line: if d.name_line > 0 { d.name_line } else { d.line },
                })
            }
            _ => None,
        }
    })
}

fn inline_description(
    linker: &Linker,
    file: u32,
    facts: &FileFacts,
    o: &ObjLit,
    props: &[(String, Arg)],
) -> Option<Nested> {
    let name_arg = props.iter().find(|(k, _)| k == "name")?;
    let name = str_of(linker, file, Some(&name_arg.1))?;
    // The nested literal is recorded too: its `name` line marks the tool.
    let line = facts
        .objects
        .iter()
        .find(|x| {
            x.line >= o.line
                && x.name_line > 0
                && x.props.iter().any(|(k, v)| k == "name" && *v == name_arg.1)
        })
        .map_or(o.line, |x| x.name_line);
    Some(Nested {
        name,
        props: props.to_vec(),
        file,
        line,
    })
}

/// A resource description with its loader (fastmcp `{ uri, name, load }`,
/// `{ uriTemplate, name, load }`, given to `addResource(s)` /
/// `addResourceTemplate(s)`, one at a time or in an array).
fn resource_description(linker: &Linker, file: u32, o: &ObjLit, out: &mut Found) {
    let has = |k: &str| o.props.iter().any(|(x, _)| x == k);
    if !(has("uri") || has("uriTemplate")) || out.described.contains(&o.props) {
        return;
    }
    let Some(name) = super::args::name_in(linker, file, &o.props) else {
        return;
    };
    let Some((_, f)) = o.props.iter().find(|(k, v)| {
        (k == "load" || is_handler_key(k)) && matches!(v, Arg::Func(_) | Arg::Path(_))
    }) else {
        return;
    };
    let h = super::handler_of(linker, file, f);
    if h != Handler::None {
        out.add(Registration {
            name,
            entry: EntryKind::Resource,
            file,
            line: o.line,
            handler: h,
        });
    }
}
