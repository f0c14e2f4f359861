//! Human-readable output: resources, per-tool table, findings with evidence.

use mcpwarden_model::{Confidence, EntryKind, Part, Reach, Resource, ServerReport};
use std::fmt::Write;

fn paint(s: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

pub fn render(r: &ServerReport, color: bool) -> String {
    let mut o = String::new();
    let name = if r.name.is_empty() {
        r.root.as_str()
    } else {
        r.name.as_str()
    };
    let _ = writeln!(
        o,
        "{} {}",
        paint("server", "1", color),
        paint(name, "1;36", color)
    );
    let _ = writeln!(o, "  root       {}", r.root);
    let _ = writeln!(
        o,
        "  languages  {}",
        if r.languages.is_empty() {
            "-".to_string()
        } else {
            r.languages.join(", ")
        }
    );
    let _ = writeln!(
        o,
        "  sdk        {}",
        if r.sdk.is_empty() {
            "none detected".to_string()
        } else {
            r.sdk.join(", ")
        }
    );
    let mut res = String::new();
    for x in Resource::ALL {
        let on = r.resources.contains(x);
        let reach = r.reachable_resources.contains(x);
        let mark = match (on, reach) {
            (true, true) => paint(&format!("{x}:yes"), "1;31", color),
            (true, false) => paint(&format!("{x}:unreached"), "33", color),
            _ => paint(&format!("{x}:no"), "2", color),
        };
        let _ = write!(res, "{mark}  ");
    }
    let _ = writeln!(o, "  resources  {}", res.trim_end());
    if !r.kinds.is_empty() {
        let _ = writeln!(
            o,
            "  kinds      {}",
            r.kinds
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if r.is_opaque() {
        let _ = writeln!(
            o,
            "  {} ships native code that source analysis cannot see: {}",
            paint("OPAQUE", "1;35", color),
            r.opaque.join(", ")
        );
    }
    if !r.bundled.is_empty() {
        let _ = writeln!(
            o,
            "  bundled    {} (inlined dependencies, not blamed on the server)",
            r.bundled.join(", ")
        );
    }

    let tools: Vec<_> = r
        .tools
        .iter()
        .filter(|t| t.entry == Some(EntryKind::Tool) || t.entry.is_none())
        .collect();
    let found = tools.iter().filter(|t| t.handler_found).count();
    let count = if found == tools.len() {
        tools.len().to_string()
    } else {
        format!("{}, handler found for {found}", tools.len())
    };
    let _ = writeln!(o, "\n{} ({count})", paint("tools", "1", color));
    if tools.is_empty() {
        let _ = writeln!(o, "  none found");
    }
    let w = tools
        .iter()
        .map(|t| t.name.len())
        .max()
        .unwrap_or(4)
        .clamp(4, 40);
    for t in &tools {
        let kinds = if t.kinds.is_empty() {
            if t.handler_found {
                "-".to_string()
            } else {
                "(handler not found)".to_string()
            }
        } else {
            t.kinds
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let _ = writeln!(
            o,
            "  {:<w$}  {:<24}  {}",
            t.name,
            format!("{}:{}", t.file, t.line),
            kinds,
            w = w
        );
    }
    let handlers: Vec<_> = r
        .tools
        .iter()
        .filter(|t| matches!(t.entry, Some(EntryKind::Resource | EntryKind::Prompt)))
        .collect();
    if !handlers.is_empty() {
        let _ = writeln!(
            o,
            "\n{} ({})",
            paint("resource and prompt handlers", "1", color),
            handlers.len()
        );
        for t in handlers {
            let kinds = t
                .kinds
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let _ = writeln!(
                o,
                "  {:<w$}  {:<24}  {}",
                t.name,
                format!("{}:{}", t.file, t.line),
                if kinds.is_empty() { "-" } else { &kinds },
                w = w
            );
        }
    }

    let own: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.part == Part::Server)
        .collect();
    let other: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.part != Part::Server)
        .collect();
    let _ = writeln!(o, "\n{} ({})", paint("findings", "1", color), own.len());
    for x in Resource::ALL {
        let of: Vec<_> = own.iter().filter(|f| f.resource == x).collect();
        if of.is_empty() {
            continue;
        }
        let _ = writeln!(o, "  {}", paint(x.as_str(), "1;33", color));
        for f in of {
            let mut line = format!(
                "    {:<11} {:<34} {}:{}",
                f.kind.as_str(),
                f.api,
                f.file,
                f.line
            );
            if let Some(v) = &f.value {
                let _ = write!(line, "  \"{}\"", v);
            }
            let reach = match f.reach {
                // Tools named at run time only (listed from a file): no names.
                Reach::Tool if f.tools.is_empty() => "tool".to_string(),
                Reach::Tool => format!("tool: {}", f.tools.join(", ")),
                other => other.as_str().to_string(),
            };
            let _ = write!(line, "  [{reach}]");
            if f.confidence == Confidence::Low {
                let _ = write!(line, " (low confidence: minified)");
            }
            let _ = writeln!(o, "{line}");
        }
    }
    if !other.is_empty() {
        let _ = writeln!(
            o,
            "\n{} ({}: tests, build configs, scripts, files the server never imports)",
            paint("outside the server", "1", color),
            other.len()
        );
        for f in other {
            let _ = writeln!(
                o,
                "    {:<11} {:<34} {}:{}  [{}]",
                f.kind.as_str(),
                f.api,
                f.file,
                f.line,
                f.part.as_str()
            );
        }
    }
    if !r.skipped.is_empty() {
        let _ = writeln!(
            o,
            "\n{} ({})",
            paint("skipped", "1", color),
            r.skipped.len()
        );
        for s in r.skipped.iter().take(30) {
            let _ = writeln!(o, "    {:<40} {}", s.path, s.reason);
        }
        if r.skipped.len() > 30 {
            let _ = writeln!(o, "    … {} more (see --format json)", r.skipped.len() - 30);
        }
    }
    let _ = writeln!(
        o,
        "\n{} files, {} parsed, {} bytes, {} ms",
        r.stats.files, r.stats.parsed, r.stats.bytes, r.stats.ms
    );
    o
}

pub fn explain_tool(r: &ServerReport, name: &str) -> Option<String> {
    let t = r.tools.iter().find(|t| t.name == name)?;
    let mut o = String::new();
    let _ = writeln!(o, "tool {} ({}:{})", t.name, t.file, t.line);
    if !t.handler_found {
        let _ = writeln!(
            o,
            "  handler not found: the registration names no function mcpwarden could resolve"
        );
    }
    let _ = writeln!(
        o,
        "  resources: {}",
        if t.resources.is_empty() {
            "none".to_string()
        } else {
            t.resources
                .iter()
                .map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    for c in &t.chains {
        let _ = writeln!(o, "\n  {}", c.kind.as_str());
        for (i, s) in c.steps.iter().enumerate() {
            let _ = writeln!(o, "    {}{}", if i == 0 { "" } else { "→ " }, s);
        }
    }
    let own: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.tools.iter().any(|x| x == name))
        .collect();
    if !own.is_empty() {
        let _ = writeln!(o, "\n  all findings reached ({}):", own.len());
        for f in own {
            let _ = writeln!(
                o,
                "    {:<11} {:<34} {}:{}{}",
                f.kind.as_str(),
                f.api,
                f.file,
                f.line,
                f.value
                    .as_ref()
                    .map(|v| format!("  \"{v}\""))
                    .unwrap_or_default()
            );
        }
    }
    Some(o)
}
