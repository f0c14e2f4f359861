//! Class-per-tool servers (Python, TypeScript/JavaScript): each tool is a class
//! (`class SearchTool(ToolHandler)`, `class SearchTool extends BaseTool`) that
//! carries its name — a class attribute or field (`name = "search"`), an
//! assignment in the constructor (`self.name = "search"`), or the base
//! constructor's first argument (`super().__init__(NAME)`, `super("search", …)`)
//! — and does its work in one method (`run`, `execute`, `call`, `run_tool`, …).
//! Instances are then kept in a dict or list and dispatched polymorphically
//! (`handlers[name].run_tool(args)`), which no call graph can split per tool:
//! the class's own method is that tool's entry.

use super::{str_of, tool_name_of, Found, Handler, Registration};
use crate::link::Linker;
use mcpwarden_lang::{Callee, DefKind, Family, FileFacts};
use mcpwarden_model::EntryKind;

/// Methods that do a tool's work, most specific first.
const ENTRY_METHODS: &[&str] = &[
    "run_tool",
    "runTool",
    "execute_tool",
    "executeTool",
    "execute",
    "_execute",
    "run",
    "_run",
    "arun",
    "_arun",
    "call",
    "__call__",
    "handle",
    "invoke",
];

/// Attributes that name the tool.
const NAME_ATTRS: &[&str] = &["name", "tool_name", "toolName", "NAME", "TOOL_NAME"];

/// Find the tool classes of one file.
pub(super) fn find(linker: &Linker, file: u32, facts: &FileFacts, family: Family) -> Found {
    let mut out = Found::default();
    if !matches!(family, Family::JavaScript | Family::Python) {
        return out;
    }
    for (ci, class) in facts.defs.iter().enumerate() {
        let ci = ci as u32;
        if class.kind != DefKind::Class || !tool_like(facts, class) {
            continue;
        }
        // A base class's placeholder (`name: str = ""`) names no tool.
        let Some((name, line)) = tool_name(linker, file, facts, ci).filter(|(n, _)| !n.is_empty())
        else {
            continue;
        };
        let Some(method) = entry_method(linker, file, facts, ci) else {
            continue;
        };
        let h = Handler::Def(method.0, method.1);
        out.note(&h);
        out.regs.push(Registration {
            name,
            entry: EntryKind::Tool,
            file,
            line,
            handler: h,
        });
    }
    entry_classes(file, facts, &mut out);
    out
}

/// Resource and prompt classes of the frameworks that load a class per entry
/// (mcp-framework `class X extends MCPResource { uri; read() }`, `class Y
/// extends MCPPrompt { name; generateMessages() }`): the base names what the
/// class serves, the method is its handler.
const ENTRY_BASES: &[(&str, EntryKind, &str)] = &[
    ("MCPResource", EntryKind::Resource, "read"),
    ("MCPPrompt", EntryKind::Prompt, "generateMessages"),
];

fn entry_classes(file: u32, facts: &FileFacts, out: &mut Found) {
    for (ci, class) in facts.defs.iter().enumerate() {
        if class.kind != DefKind::Class {
            continue;
        }
        let Some((base, entry, method)) = ENTRY_BASES
            .iter()
            .find(|(b, _, _)| class.bases.iter().any(|c| c.last_name() == Some(*b)))
        else {
            continue;
        };
        let Some(m) = facts
            .defs
            .iter()
            .position(|d| d.parent == Some(ci as u32) && d.name == *method)
        else {
            continue;
        };
        let name = facts
            .consts
            .iter()
            .find(|(k, _)| *k == format!("{}.name", class.name))
            .map_or_else(|| format!("{base}:{}", class.name), |(_, v)| v.clone());
        let h = Handler::Def(file, m as u32);
        out.note(&h);
        out.regs.push(Registration {
            name,
            entry: *entry,
            file,
            line: class.line,
            handler: h,
        });
    }
}

/// A handler given as a class (`{ name: "x", handler: ListEventsHandler }`,
/// instantiated later by the registering code): its entry method handles the
/// tool. Any other handler is returned as is.
pub(super) fn class_handler(linker: &Linker, h: Handler) -> Handler {
    let Handler::Def(f, d) = h else { return h };
    let facts = linker.files[f as usize].facts;
    if facts.defs[d as usize].kind != DefKind::Class {
        return h;
    }
    match entry_method(linker, f, facts, d) {
        Some((mf, md)) => Handler::Def(mf, md),
        None => h,
    }
}

/// A class named like a tool, or deriving from one (`ToolHandler`, `BaseTool`,
/// `MCPTool`): the guard that keeps other classes with a `name` and a `run` out.
fn tool_like(facts: &FileFacts, class: &mcpwarden_lang::Def) -> bool {
    let toolish = |s: &str| s.to_ascii_lowercase().contains("tool");
    toolish(&class.name)
        || class.bases.iter().any(|b| match b {
            // A base of the same file: `Def { path: [] }` names it by its id.
            Callee::Def { def, path } if path.is_empty() => {
                toolish(&facts.defs[*def as usize].name)
            }
            Callee::Var { name, path } if path.is_empty() => toolish(name),
            b => b.last_name().is_some_and(toolish),
        })
}

/// The tool's name and the line to report it on.
fn tool_name(linker: &Linker, file: u32, facts: &FileFacts, class: u32) -> Option<(String, u32)> {
    let def = &facts.defs[class as usize];
    // `super().__init__("x")` / `super("x", …)` / `super({ name: "x" })` in the constructor.
    for r in &facts.refs {
        let in_ctor = r.in_def.is_some_and(|d| {
            let m = &facts.defs[d as usize];
            m.parent == Some(class) && matches!(m.name.as_str(), "__init__" | "constructor")
        });
        let is_super = matches!(&r.callee, Callee::SelfMember { path, .. }
            if path.first().is_some_and(|p| p == "<super>")
                && path.len() <= 2
                && path.get(1).is_none_or(|m| m == "__init__"));
        if !in_ctor || !is_super {
            continue;
        }
        let named = str_of(linker, file, r.args.kw("name"))
            .or_else(|| str_of(linker, file, r.args.kw("tool_name")))
            .or_else(|| {
                r.args
                    .pos
                    .first()
                    .and_then(|a| tool_name_of(linker, file, a))
            });
        if let Some(n) = named {
            return Some((n, r.line));
        }
    }
    // `name = "x"` in the class body, `self.name = "x"` / `this.name = "x"` in a method.
    NAME_ATTRS.iter().find_map(|attr| {
        let key = format!("{}.{attr}", def.name);
        facts
            .consts
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| (v.clone(), def.line))
    })
}

/// The class's own entry method, else one it inherits from a base in the tree.
fn entry_method(linker: &Linker, file: u32, facts: &FileFacts, class: u32) -> Option<(u32, u32)> {
    let own = |name: &str| {
        facts
            .defs
            .iter()
            .position(|d| d.parent == Some(class) && d.kind == DefKind::Method && d.name == name)
            .map(|i| (file, i as u32))
    };
    ENTRY_METHODS.iter().find_map(|m| own(m)).or_else(|| {
        ENTRY_METHODS
            .iter()
            .find_map(|m| linker.method(file, class, m, 0))
    })
}
