//! A project's own registration helpers: wrappers given a tool description
//! (compiled languages), and functions that register a tool named by their
//! parameter, whose callers are the registrations.

use super::args::{handler_of, str_of, SCHEMA_KEYS};
use super::{Found, Handler, Registration, Site};
use crate::link::{Linker, Target};
use mcpwarden_lang::{Arg, Callee, RefKind};
use mcpwarden_model::EntryKind;

/// `function registerTool(name, desc, schema, handler) { server.tool(name, …) }`:
/// every call of `def` with a literal at `name_index` registers a tool (or,
/// given nothing there, one named `default`).
#[derive(Clone, Debug)]
pub struct Registrar {
    pub file: u32,
    pub def: u32,
    pub name_index: usize,
    /// The name used when a call passes nothing (or `undefined`) there:
    /// `server.tool(name || "web_search", …)`.
    pub default: Option<String>,
    /// The handler the inner registration passes (a wrapper around the caller's).
    pub handler: Handler,
}

/// A wrapper given a tool description and a handler:
/// `NewTool(toolset, mcp.Tool{Name: "x", InputSchema: …}, scopes, func(…) {…})`.
/// `NewServerPrompt(…, mcp.Prompt{Name, Arguments}, h)` and
/// `NewServerResourceTemplate(…, mcp.ResourceTemplate{Name, URITemplate}, h)`
/// register other entries the same way.
pub(super) fn described_call(s: &Site, out: &mut Found) -> bool {
    let described = s.r.args.pos.iter().find_map(|a| match a {
        Arg::Obj(props)
            if props.iter().any(|(k, _)| {
                k == "InputSchema" || k == "Description" || SCHEMA_KEYS.contains(&k.as_str())
            }) =>
        {
            s.tool_name(a)
        }
        _ => None,
    });
    let (Some(name), Some(a)) = (described, s.last_function(false)) else {
        return false;
    };
    let h = s.handler(a);
    if h != Handler::None {
        out.add(s.reg(name, entry_described(s), h));
    }
    true
}

/// What a described wrapper registers, by its name or its description's keys.
fn entry_described(s: &Site) -> EntryKind {
    let keys: Vec<&str> =
        s.r.args
            .pos
            .iter()
            .filter_map(|a| if let Arg::Obj(p) = a { Some(p) } else { None })
            .flatten()
            .map(|(k, _)| k.as_str())
            .collect();
    if s.called.contains("Prompt") || keys.contains(&"Arguments") {
        EntryKind::Prompt
    } else if s.called.contains("Resource")
        || keys
            .iter()
            .any(|k| matches!(*k, "URITemplate" | "URI" | "MIMEType"))
    {
        EntryKind::Resource
    } else {
        EntryKind::Tool
    }
}

/// Calls of registration helpers with a literal name: one tool each. The handler is
/// the helper's own wrapper plus every function the call site passes.
pub(super) fn expand_registrars(
    linker: &Linker,
    registrars: &[Registrar],
    skip_file: &dyn Fn(u32) -> bool,
) -> Found {
    let mut out = Found::default();
    if registrars.is_empty() {
        return out;
    }
    for (fi, f) in linker.files.iter().enumerate() {
        let fi = fi as u32;
        if skip_file(fi) {
            continue;
        }
        for r in f.facts.refs.iter().filter(|r| r.kind == RefKind::Call) {
            let Some(target) = call_target(linker, fi, r) else {
                continue;
            };
            for reg in registrars
                .iter()
                .filter(|reg| calls_registrar(linker, reg, target, r))
            {
                let Some(name) = name_passed(linker, fi, r, reg) else {
                    continue;
                };
                let mut defs: Vec<(u32, u32)> = match &reg.handler {
                    Handler::Def(f, d) => vec![(*f, *d)],
                    Handler::Defs(v) => v.clone(),
                    _ => vec![],
                };
                for a in &r.args.pos {
                    match handler_of(linker, fi, a) {
                        Handler::Def(f, d) => defs.push((f, d)),
                        Handler::Defs(v) => defs.extend(v),
                        _ => {}
                    }
                }
                out.add(Registration {
                    name,
                    entry: EntryKind::Tool,
                    file: fi,
                    line: r.line,
                    handler: Handler::of_defs(defs),
                });
            }
        }
    }
    out
}

/// The name a call of a registrar gives its tool: the constant it passes at the
/// name's position, or the registrar's default when it passes nothing there.
fn name_passed(
    linker: &Linker,
    file: u32,
    r: &mcpwarden_lang::Ref,
    reg: &Registrar,
) -> Option<String> {
    match r.args.pos.get(reg.name_index) {
        None => reg.default.clone(),
        Some(Arg::Path(Callee::Global { path })) if path == &["undefined"] => reg.default.clone(),
        a => str_of(linker, file, a),
    }
}

/// The function a call reaches: resolved, or the one definition of its name.
fn call_target(linker: &Linker, file: u32, r: &mcpwarden_lang::Ref) -> Option<(u32, u32)> {
    match linker.resolve(file, &r.callee).0 {
        Target::Def { file, def } => Some((file, def)),
        Target::Name(n) => match linker.by_name(&n) {
            [one] => Some(*one),
            _ => None,
        },
        _ => None,
    }
}

/// The call reaches the helper itself, or the factory that returns it
/// (`createToolRegistrar(server)("x", …)`).
fn calls_registrar(
    linker: &Linker,
    reg: &Registrar,
    (tf, td): (u32, u32),
    r: &mcpwarden_lang::Ref,
) -> bool {
    let parent = linker.files[reg.file as usize].facts.defs[reg.def as usize].parent;
    (reg.file, reg.def) == (tf, td)
        || (reg.file == tf && parent == Some(td) && r.callee.through_call())
}
