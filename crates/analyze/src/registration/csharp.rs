//! The C# SDK's programmatic and low-level forms (its `[McpServerTool]` methods are
//! annotations, see `jvm::annotated_method`), and tool descriptions built for a
//! list-tools handler in any compiled language.

use super::args::SCHEMA_KEYS;
use super::{Found, Handler, Site};
use crate::link::Linker;
use mcpwarden_lang::{Arg, DefKind};
use mcpwarden_model::EntryKind;

/// Keys that make a `Tool` construction a tool description.
fn describes_tool(k: &str) -> bool {
    matches!(k, "Description" | "description" | "RawInputSchema") || SCHEMA_KEYS.contains(&k)
}

/// A tool description built for a list-tools handler: C# `new Tool { Name = "echo",
/// InputSchema = … }`, rust-mcp-sdk `Tool { name: "x".to_string(), input_schema, .. }`.
/// Inside a subclass of the C# SDK's `McpServerTool` (`public override Tool ProtocolTool =>
/// new Tool { Name = "x", … }`) it names that class's tool, which `InvokeAsync` runs.
pub(super) fn listed_tool(s: &Site, out: &mut Found) -> bool {
    let described = s.r.args.pos.iter().find_map(|a| match a {
        Arg::Obj(props) if props.iter().any(|(k, _)| describes_tool(k)) => s.tool_name(a),
        _ => None,
    });
    let Some(name) = described else {
        return true;
    };
    match subclass_entry(s, "McpServerTool", "InvokeAsync") {
        Some(h) => out.add(s.reg(name, EntryKind::Tool, h)),
        None => out.listed.push(s.reg(name, EntryKind::Tool, Handler::None)),
    }
    true
}

/// The `method` of the class around the reference, if that class derives from `base`.
fn subclass_entry(s: &Site, base: &str, method: &str) -> Option<Handler> {
    let d = s.r.in_def?;
    let class = match s.facts.defs[d as usize].kind {
        DefKind::Class => d,
        _ => s.facts.defs[d as usize].parent?,
    };
    let c = &s.facts.defs[class as usize];
    if c.kind != DefKind::Class || !c.bases.iter().any(|b| b.last_name() == Some(base)) {
        return None;
    }
    let m = s
        .facts
        .defs
        .iter()
        .position(|m| m.parent == Some(class) && m.name == method)?;
    Some(Handler::Def(s.file, m as u32))
}

/// `.WithCallToolHandler(async (request, ct) => …)` dispatches on
/// `request.Params.Name`; the tools are its branches. `.WithGetPromptHandler(h)` and
/// `.WithReadResourceHandler(h)` handle every prompt and resource.
pub(super) fn call_tool_handler(s: &Site, out: &mut Found) -> bool {
    let handler = s.r.args.pos.iter().find(|a| super::is_function(a, false));
    if let Some(Handler::Def(f, d)) = handler.map(|a| s.handler(a)) {
        match s.called.as_str() {
            "WithGetPromptHandler" => {
                out.add(s.reg(s.called.clone(), EntryKind::Prompt, Handler::Def(f, d)))
            }
            "WithReadResourceHandler" => {
                out.add(s.reg(s.called.clone(), EntryKind::Resource, Handler::Def(f, d)))
            }
            _ => out.dispatcher(f, d),
        }
    }
    true
}

/// `new McpServerOptions { Handlers = new McpServerHandlers { CallToolHandler = (request, ct)
/// => …, GetPromptHandler = …, ReadResourceHandler = … } }`: the same handlers as properties.
pub(super) fn handlers_object(s: &Site, out: &mut Found) -> bool {
    let Some(Arg::Obj(props)) = s.first() else {
        return true;
    };
    for (k, v) in props {
        let entry = match k.as_str() {
            "CallToolHandler" => None,
            "GetPromptHandler" => Some(EntryKind::Prompt),
            "ReadResourceHandler" => Some(EntryKind::Resource),
            _ => continue,
        };
        let Handler::Def(f, d) = s.handler(v) else {
            continue;
        };
        match entry {
            None => out.dispatcher(f, d),
            Some(e) => out.add(s.reg(k.clone(), e, Handler::Def(f, d))),
        }
    }
    true
}

/// `McpServerTool.Create(delegate, new McpServerToolCreateOptions { Name = "x" })` with a
/// lambda or a method group, `McpServerTool.Create(AIFunctionFactory.Create(method, "x", …))`,
/// `McpServerTool.Create(typeof(T).GetMethod(nameof(T.M)), target, options)`; likewise
/// `McpServerPrompt.Create` and `McpServerResource.Create` with their options. Without a
/// name the tool is named after its method.
pub(super) fn create_primitive(s: &Site, out: &mut Found) -> bool {
    let entry = match s.r.callee.path().iter().rev().nth(1).map(String::as_str) {
        Some("McpServerTool") => EntryKind::Tool,
        Some("McpServerPrompt") => EntryKind::Prompt,
        Some("McpServerResource") => EntryKind::Resource,
        _ => return false,
    };
    let args = &s.r.args.pos;
    // `AIFunctionFactory.Create(method, name, description)`: the function and its name.
    let (function, named) = match args.first() {
        Some(Arg::Call(c, inner)) if c.ends_with(&["AIFunctionFactory", "Create"]) => (
            inner.first(),
            s.str(s.r.args.kw("name")).or_else(|| s.str(inner.get(1))),
        ),
        a => (a, None),
    };
    let mut h = function.map_or(Handler::None, |a| super::jvm::reflected_method(s, a));
    if h == Handler::None {
        h = reflected_on_line(s);
    }
    let option = |a: &Arg| match a {
        Arg::Obj(p) => p
            .iter()
            .find(|(k, _)| k == "Name")
            .and_then(|(_, v)| s.str(Some(v))),
        Arg::Call(_, inner) => inner.iter().find_map(|x| match x {
            Arg::Obj(p) => p
                .iter()
                .find(|(k, _)| k == "Name")
                .and_then(|(_, v)| s.str(Some(v))),
            _ => None,
        }),
        _ => None,
    };
    // An `AIFunction` keeps the name `AIFunctionFactory` gave it; a method
    // or delegate is named by the SDK.
    let from_method = match &h {
        Handler::Def(f, d) if named.is_none() && !s.def_name(&h).unwrap_or_default().is_empty() => {
            Some(method_entry_name(s.linker, s.file, *f, *d))
        }
        _ => None,
    };
    let ai_function = matches!(args.first(), Some(Arg::Call(c, _)) if c.ends_with(&["AIFunctionFactory", "Create"]));
    let name = named
        .or_else(|| args.iter().skip(1).find_map(option))
        .or(if ai_function { None } else { from_method })
        .or_else(|| s.def_name(&h));
    match name {
        Some(name) => out.add(s.reg(name, entry, h)),
        None => out.note(&h),
    }
    true
}

/// `typeof(T).GetMethod(nameof(T.M))!` written on the line of the reference: the method `M`.
fn reflected_on_line(s: &Site) -> Handler {
    s.facts
        .refs
        .iter()
        .filter(|x| x.line == s.r.line && x.callee.last_name() == Some("GetMethod"))
        .find_map(|x| match x.args.pos.first() {
            Some(Arg::Call(c, inner)) if c.last_name() == Some("nameof") => {
                inner.first().map(|a| s.handler(a))
            }
            Some(Arg::Str(n)) => match s.linker.by_name(n) {
                [(f, d)] => Some(Handler::Def(*f, *d)),
                _ => None,
            },
            _ => None,
        })
        .unwrap_or(Handler::None)
}

/// The name the C# SDK exposes a tool, prompt or resource under when no
/// attribute or option names it: the method's name in snake_case, without an
/// `Async` suffix on an asynchronous method (`ReadFileAsync` → `read_file`),
/// since 0.3.0-preview.2. Older releases (the files of projects pinning one,
/// [`Linker::csharp_raw_names`]) left the name to `AIFunctionFactory`: the
/// method's name as written, only without that `Async` suffix. `at` is the
/// file registering it, `(file, def)` the method.
pub(super) fn method_entry_name(linker: &Linker, at: u32, file: u32, def: u32) -> String {
    let d = &linker.files[file as usize].facts.defs[def as usize];
    let is_async = d
        .returns
        .as_ref()
        .and_then(|r| r.last_name())
        .is_some_and(|t| matches!(t, "Task" | "ValueTask" | "IAsyncEnumerable"));
    if linker.csharp_raw_names.contains(&at) {
        return without_async(&d.name, is_async).to_string();
    }
    sdk_method_name(&d.name, is_async)
}

/// An asynchronous method's name without its `Async` suffix (unless that is all of it).
fn without_async(method: &str, is_async: bool) -> &str {
    match method.strip_suffix("Async") {
        Some(rest) if is_async && !rest.is_empty() => rest,
        _ => method,
    }
}

/// The C# SDK's derivation of a name from a method's: drop `Async` from an
/// asynchronous method's name (unless that is all of it), turn each run of
/// characters other than ASCII letters and digits into `_` and trim those at
/// either end (keeping the name if nothing is left), then snake_case it.
pub(crate) fn sdk_method_name(method: &str, is_async: bool) -> String {
    let name = without_async(method, is_async);
    let mut cleaned = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            cleaned.push(c);
        } else if !cleaned.ends_with('_') {
            cleaned.push('_');
        }
    }
    let cleaned = cleaned.trim_matches('_');
    snake_case_lower(if cleaned.is_empty() { method } else { cleaned })
}

/// Lower snake_case as System.Text.Json's `SnakeCaseLower` policy writes it:
/// a word starts at an upper-case letter after a lower-case letter or digit, or
/// at the last upper-case letter of a run followed by a lower-case one
/// (`GetHTTPResponse` → `get_http_response`); other characters are kept and
/// start over.
fn snake_case_lower(name: &str) -> String {
    #[derive(PartialEq)]
    enum Last {
        Start,
        Upper,
        LowerOrDigit,
        Space,
    }
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    let mut last = Last::Start;
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let split = match last {
                Last::Start => false,
                Last::LowerOrDigit => true,
                Last::Upper => chars.get(i + 1).is_some_and(|n| n.is_lowercase()),
                Last::Space => !out.is_empty(),
            };
            if split {
                out.push('_');
            }
            out.extend(c.to_lowercase());
            last = Last::Upper;
        } else if c.is_lowercase() || c.is_numeric() {
            if last == Last::Space {
                out.push('_');
            }
            out.push(c);
            last = Last::LowerOrDigit;
        } else if c.is_whitespace() {
            if last != Last::Start {
                last = Last::Space;
            }
        } else {
            out.push(c);
            last = Last::Start;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sdk_method_name;

    #[test]
    fn sdk_names_methods_in_snake_case() {
        for (method, is_async, name) in [
            ("ReadFileAsync", true, "read_file"),
            ("ReadFileAsync", false, "read_file_async"),
            ("Async", true, "async"),
            ("Echo", false, "echo"),
            ("EchoWithUserName", false, "echo_with_user_name"),
            ("GetHTTPResponse", false, "get_http_response"),
            ("IOStats", false, "io_stats"),
            ("Base64Encode", false, "base64_encode"),
            ("Query2Db", false, "query2_db"),
            ("list_dir", false, "list_dir"),
            ("Read_File", false, "read_file"),
            ("QueryMySql", false, "query_my_sql"),
        ] {
            assert_eq!(sdk_method_name(method, is_async), name, "{method}");
        }
    }
}
