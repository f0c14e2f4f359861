//! Declared tool annotations and descriptions, read from registrations:
//! `annotations: { readOnlyHint: true }` objects (TypeScript high- and
//! low-level), `ToolAnnotations(readOnlyHint=True)` and annotation dicts
//! (Python FastMCP and low-level), `mcp.WithReadOnlyHintAnnotation(true)`
//! (mcp-go), `[McpServerTool(ReadOnly = true)]` (C#), rmcp's
//! `#[tool(annotations(read_only_hint = true))]` and `ToolAnnotations`
//! builders and struct literals, the Java SDK's `McpSchema.ToolAnnotations`
//! constructor and builder, Spring AI's `@McpTool(annotations =
//! @McpTool.McpAnnotations(…))`, the Kotlin SDK's `ToolAnnotations(…)`,
//! `description` keys, `description=` keywords, `server.tool(name,
//! "description", …)`, `Tool::new(name, "description", …)` and
//! `Tool.builder().description(…)`.
//!
//! Each declaration site in a file goes to the tool registered nearest to it
//! in the same file (preferring the registration above it, within 40 lines):
//! registrations put their annotations next to the name.

use crate::link::Linker;
use mcpwarden_lang::{Arg, FileFacts, Ref, RefKind};
use mcpwarden_model::{Annotations, EntryKind, Tool};
use std::collections::HashMap;

const WINDOW: u32 = 40;

#[derive(Default)]
struct Site {
    line: u32,
    hints: Annotations,
    description: Option<String>,
    /// The tool the site names itself (`{ name: "x", annotations }`,
    /// `registerTool("x", { annotations })`): it goes to that tool.
    name: Option<String>,
}

pub fn attach(linker: &Linker, tools: &mut [Tool]) {
    let by_rel: HashMap<&str, usize> = linker
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.rel, i))
        .collect();
    let mut done: Vec<bool> = vec![false; linker.files.len()];
    for ti in 0..tools.len() {
        let Some(&fi) = by_rel.get(tools[ti].file.as_str()) else {
            continue;
        };
        if std::mem::replace(&mut done[fi], true) {
            continue;
        }
        let f = &linker.files[fi];
        let anchors = name_lines(f.facts, tools, f.rel);
        for mut site in sites(f.facts) {
            let named = site.name.as_deref().and_then(|n| {
                tools.iter().position(|t| {
                    t.file == f.rel && t.name == n && t.entry == Some(EntryKind::Tool)
                })
            });
            let Some(t) = named
                .or_else(|| after_name(&anchors, site.line))
                .or_else(|| nearest(tools, f.rel, site.line))
            else {
                continue;
            };
            let tool = &mut tools[t];
            if !site.hints.is_empty() {
                site.hints.evidence = format!("{}:{}", f.rel, site.line);
                let a = tool.annotations.get_or_insert_with(Annotations::default);
                merge(a, &site.hints);
            }
            if tool.description.is_none() {
                tool.description = site.description.take();
            }
        }
    }
}

/// Lines where a tool's name is written as a literal (`mcp.NewTool("x",`,
/// `name: "x"`, `registerTool("x"`), with the tool's index, sorted.
fn name_lines(facts: &FileFacts, tools: &[Tool], rel: &str) -> Vec<(u32, usize)> {
    let index = |n: &str| {
        tools
            .iter()
            .position(|t| t.file == rel && t.name == n && t.entry == Some(EntryKind::Tool))
    };
    let mut out = vec![];
    for r in &facts.refs {
        let args = r.args.pos.iter().chain(
            r.args
                .kw
                .iter()
                .filter(|(k, _)| k == "name")
                .map(|(_, v)| v),
        );
        if let Some(i) = args.take(2).find_map(|a| a.as_str().and_then(index)) {
            out.push((r.line, i));
        }
    }
    for o in &facts.objects {
        let name = o
            .props
            .iter()
            .find(|(k, _)| k == "name")
            .and_then(|(_, v)| v.as_str());
        if let Some(i) = name.and_then(index) {
            out.push((o.name_line.max(o.line), i));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The tool whose name literal is the last one at or above `line` (within
/// the window): options follow the name they configure.
fn after_name(anchors: &[(u32, usize)], line: u32) -> Option<usize> {
    anchors
        .iter()
        .rev()
        .find(|(l, _)| *l <= line)
        .filter(|(l, _)| line - l <= WINDOW)
        .map(|(_, i)| *i)
}

/// The tool of this file whose registration line is closest to `line`; a
/// site below its registration counts half the distance of one above.
fn nearest(tools: &[Tool], rel: &str, line: u32) -> Option<usize> {
    tools
        .iter()
        .enumerate()
        .filter(|(_, t)| t.file == rel && t.entry == Some(EntryKind::Tool))
        .map(|(i, t)| {
            let d = if line >= t.line {
                line - t.line
            } else {
                (t.line - line) * 2
            };
            (d, i)
        })
        .filter(|(d, _)| *d <= WINDOW)
        .min()
        .map(|(_, i)| i)
}

fn merge(a: &mut Annotations, b: &Annotations) {
    a.read_only_hint = a.read_only_hint.or(b.read_only_hint);
    a.destructive_hint = a.destructive_hint.or(b.destructive_hint);
    a.idempotent_hint = a.idempotent_hint.or(b.idempotent_hint);
    a.open_world_hint = a.open_world_hint.or(b.open_world_hint);
    if a.evidence.is_empty() {
        a.evidence = b.evidence.clone();
    }
}

/// Sets a hint from a key; `bare` also accepts `ReadOnly` (C# attributes).
fn set(a: &mut Annotations, key: &str, v: Option<bool>, bare: bool) -> bool {
    let k: String = key
        .chars()
        .filter(|c| *c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    let k = match k.strip_suffix("hint") {
        Some(k) => k.to_string(),
        None if bare => k,
        None => return false,
    };
    let slot = match k.as_str() {
        "readonly" => &mut a.read_only_hint,
        "destructive" => &mut a.destructive_hint,
        "idempotent" => &mut a.idempotent_hint,
        "openworld" => &mut a.open_world_hint,
        _ => return false,
    };
    if slot.is_none() {
        *slot = v;
    }
    v.is_some()
}

/// `true`, or `ptr(true)` / `mcp.ToBoolPtr(true)`.
fn boolean(a: &Arg) -> Option<bool> {
    match a {
        Arg::Bool(b) => Some(*b),
        Arg::Call(_, args) if args.len() == 1 => boolean(&args[0]),
        _ => None,
    }
}

fn hints_of_props(props: &[(String, Arg)], line: u32) -> Option<Site> {
    let mut s = Site {
        line,
        ..Default::default()
    };
    let mut found = false;
    for (k, v) in props {
        found |= set(&mut s.hints, k, boolean(v), false);
        if k == "annotations" {
            if let Arg::Obj(inner) = v {
                for (k2, v2) in inner {
                    found |= set(&mut s.hints, k2, boolean(v2), false);
                }
            }
        }
    }
    let tool_like = found || props.iter().any(|(k, _)| k == "inputSchema" || k == "name");
    s.name = props
        .iter()
        .find(|(k, _)| k == "name")
        .and_then(|(_, v)| v.as_str().map(str::to_string));
    if tool_like {
        s.description = props
            .iter()
            .find(|(k, _)| k == "description")
            .and_then(|(_, v)| v.as_str().map(str::to_string));
    }
    (found || s.description.is_some()).then_some(s)
}

fn sites(facts: &FileFacts) -> Vec<Site> {
    let mut out = vec![];
    for o in &facts.objects {
        if let Some(s) = hints_of_props(&o.props, o.line) {
            out.push(s);
        }
    }
    for r in &facts.refs {
        if let Some(s) = ref_site(facts, r) {
            out.push(s);
        }
    }
    // C#: `[McpServerTool, Description("…")]` — a `Description` attribute on
    // the tool attribute's line (parameters carry their own elsewhere).
    let tool_lines: Vec<u32> = facts
        .refs
        .iter()
        .filter(|r| {
            matches!(
                r.callee.last_name(),
                Some("McpServerTool" | "McpServerToolAttribute")
            )
        })
        .map(|r| r.line)
        .collect();
    for r in &facts.refs {
        if r.callee.last_name() == Some("Description") && tool_lines.contains(&r.line) {
            let d = r.args.pos.first().and_then(|a| a.as_str());
            out.extend(d.map(|d| Site {
                line: r.line,
                description: Some(d.to_string()),
                ..Default::default()
            }));
        }
    }
    out
}

fn ref_site(facts: &FileFacts, r: &Ref) -> Option<Site> {
    let last = r.callee.last_name()?;
    let mut s = Site {
        line: r.line,
        ..Default::default()
    };
    let mut found = false;
    let bare = matches!(last, "McpServerTool" | "McpServerToolAttribute");
    let path = r.callee.path();
    let on_annotations = path.iter().any(|p| p.ends_with("ToolAnnotations"));
    // Builders: `ToolAnnotations::new().read_only(true)` (rmcp),
    // `ToolAnnotations.builder().readOnlyHint(true)` (Java SDK).
    if on_annotations && last != "ToolAnnotations" {
        let key = last
            .strip_prefix("with_")
            .or_else(|| last.strip_prefix("with"))
            .unwrap_or(last);
        if let Some(v) = r.args.pos.first().and_then(boolean) {
            found |= set(&mut s.hints, key, Some(v), true);
        }
    }
    // Positional constructors: `new McpSchema.ToolAnnotations(title, readOnly,
    // destructive, idempotent, openWorld, returnDirect)` (Java), Kotlin's
    // `ToolAnnotations(title, …)`, rmcp's `ToolAnnotations::from_raw(title, …)`.
    if (last == "ToolAnnotations" || (on_annotations && last == "from_raw"))
        && r.args.pos.len() >= 5
    {
        for (i, hint) in ["readOnly", "destructive", "idempotent", "openWorld"]
            .iter()
            .enumerate()
        {
            found |= set(&mut s.hints, hint, boolean(&r.args.pos[i + 1]), true);
        }
    }
    // Struct literals and object initialisers: `ToolAnnotations { read_only_hint:
    // Some(true), .. }` (rmcp), `new ToolAnnotations { ReadOnlyHint = true }` (C#).
    if r.kind == RefKind::New && matches!(last, "ToolAnnotations" | "Tool") {
        for a in &r.args.pos {
            if let Arg::Obj(props) = a {
                if let Some(inner) = hints_of_props(props, r.line) {
                    found |= !inner.hints.is_empty();
                    merge(&mut s.hints, &inner.hints);
                    s.description = s.description.or(inner.description);
                    s.name = s.name.or(inner.name);
                }
            }
        }
    }
    // Tools built by hand: rmcp `Tool::new("x", "description", schema)`, Java
    // `new Tool("x", "description", schema)` or, with a title first,
    // `new Tool("x", "title", "description", …)`.
    let tool_ctor = (r.kind == RefKind::New && last == "Tool")
        || (last == "new" && path.len() >= 2 && path[path.len() - 2] == "Tool");
    if tool_ctor {
        if let Some(Arg::Str(n)) = r.args.pos.first() {
            s.name = Some(n.clone());
            let at = if r.args.pos.len() >= 6 { 2 } else { 1 };
            s.description = r
                .args
                .pos
                .get(at)
                .and_then(|a| a.as_str())
                .map(str::to_string);
        }
    }
    // Java SDK builder: `Tool.builder().name("x").description("…")`.
    if last == "description"
        && path.iter().any(|p| p == "Tool")
        && path.iter().any(|p| p == "builder")
    {
        s.description = r
            .args
            .pos
            .first()
            .and_then(|a| a.as_str())
            .map(str::to_string);
    }
    // Keyword arguments: `ToolAnnotations(readOnlyHint=True)`, `@mcp.tool(description=…)`.
    for (k, v) in &r.args.kw {
        found |= set(&mut s.hints, k, boolean(v), bare);
        if k == "annotations" {
            if let Arg::Obj(inner) = v {
                for (k2, v2) in inner {
                    found |= set(&mut s.hints, k2, boolean(v2), false);
                }
            }
        }
        if (k == "description" || k == "Description") && is_registration(last) {
            s.description = v.as_str().map(str::to_string);
        }
    }
    // `mcp.WithReadOnlyHintAnnotation(true)`, `mcp.WithDescription("…")`.
    if let Some(hint) = last
        .strip_prefix("With")
        .and_then(|h| h.strip_suffix("Annotation"))
    {
        if let Some(v) = r.args.pos.first().and_then(boolean) {
            found |= set(&mut s.hints, hint, Some(v), false);
        }
    }
    if last == "WithDescription" {
        s.description = r
            .args
            .pos
            .first()
            .and_then(|a| a.as_str())
            .map(str::to_string);
    }
    // `server.tool("name", "description", schema, { readOnlyHint: true }, cb)`.
    if is_registration(last) {
        s.name = r
            .args
            .pos
            .first()
            .or_else(|| r.args.kw("name"))
            .or_else(|| r.args.kw("Name"))
            .and_then(|a| a.as_str())
            .map(str::to_string);
        // A tool attribute or decorator (`#[tool]`, `@Tool`, `@McpTool`,
        // `[McpServerTool]`, `@mcp.tool()`) names the method it decorates by
        // default: the site goes to that tool, not to the nearest name.
        if s.name.is_none() {
            s.name = r
                .decorates
                .map(|d| facts.defs[d as usize].name.clone())
                .filter(|_| r.args.pos.is_empty());
        }
    }
    if matches!(last, "tool" | "registerTool" | "addTool") {
        if let Some(Arg::Str(d)) = r.args.pos.get(1) {
            s.description = Some(d.clone());
        }
        for a in &r.args.pos {
            if let Arg::Obj(props) = a {
                if let Some(inner) = hints_of_props(props, r.line) {
                    found |= !inner.hints.is_empty();
                    merge(&mut s.hints, &inner.hints);
                    s.description = s.description.or(inner.description);
                    s.name = s.name.or(inner.name);
                }
            }
        }
    }
    (found || s.description.is_some()).then_some(s)
}

fn is_registration(last: &str) -> bool {
    matches!(
        last,
        "tool"
            | "Tool"
            | "add_tool"
            | "registerTool"
            | "addTool"
            | "NewTool"
            | "McpTool"
            | "McpServerTool"
            | "McpServerToolAttribute"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_every_sdk_set_hints() {
        let mut a = Annotations::default();
        assert!(set(&mut a, "readOnlyHint", Some(true), false));
        assert!(set(&mut a, "destructive_hint", Some(false), false));
        assert!(!set(&mut a, "readOnly", Some(true), false));
        assert!(set(&mut a, "OpenWorld", Some(true), true));
        assert_eq!(a.read_only_hint, Some(true));
        assert_eq!(a.destructive_hint, Some(false));
        assert_eq!(a.open_world_hint, Some(true));
    }
}
