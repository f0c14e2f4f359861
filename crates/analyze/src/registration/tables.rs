//! Handler tables: object literals mapping tool names to handlers
//! (`TOOL_HANDLERS = { pipeline_status: pipelineStatus, [downloadTool.name]:
//! download }`), keyed by literals or by constants of other modules.
//!
//! A table looked up on a computed key (`TOOL_HANDLERS[def.name]`, anywhere in
//! the server) while the tools are described elsewhere (`{ name, description,
//! inputSchema }` objects listed in `TOOL_DEFS`) joins the two by name: each
//! described tool is handled by its own entry, and keeps the description as
//! its site.

use super::{handler_of, Found, Handler, Registration};
use crate::graph::table_entries;
use crate::link::Linker;
use mcpwarden_lang::{Callee, ObjLit};
use mcpwarden_model::EntryKind;
use std::collections::HashSet;

/// Give each listed tool description the handler of the looked-up table
/// entry named like it. Registrations of the same entries as tools of their
/// own (a table named like tools, see `literals::find`) give way to the join.
pub(crate) fn join(linker: &Linker, skip_file: &dyn Fn(u32) -> bool, found: &mut Found) {
    for (tf, o) in looked_up(linker, skip_file) {
        for (name, value, line) in table_entries(linker, tf, o) {
            let Some(desc) = found.listed.iter().find(|d| d.name == name) else {
                continue;
            };
            let (file, desc_line) = (desc.file, desc.line);
            let handled_elsewhere = found.regs.iter().any(|r| {
                r.name == name && r.handler != Handler::None && (r.file, r.line) != (tf, line)
            });
            let h = handler_of(linker, tf, value);
            if h == Handler::None || handled_elsewhere {
                continue;
            }
            found
                .regs
                .retain(|r| !(r.name == name && (r.file, r.line) == (tf, line)));
            found.note(&h);
            found.regs.push(Registration {
                name,
                entry: EntryKind::Tool,
                file,
                line: desc_line,
                handler: h,
            });
        }
    }
}

/// Module-level tables some code of the server looks up on a computed key:
/// `T[key]` in their own module or `T[key]` on the imported name.
fn looked_up<'a>(linker: &Linker<'a>, skip_file: &dyn Fn(u32) -> bool) -> Vec<(u32, &'a ObjLit)> {
    let mut seen: HashSet<(u32, &str)> = HashSet::new();
    let mut out = vec![];
    for (fi, f) in linker.files.iter().enumerate() {
        if skip_file(fi as u32) {
            continue;
        }
        for r in &f.facts.refs {
            let Some((tf, name)) = table_named(linker, fi as u32, &r.callee) else {
                continue;
            };
            let facts = linker.files[tf as usize].facts;
            let table = facts
                .objects
                .iter()
                .find(|o| o.in_def.is_none() && o.binding.as_deref() == Some(name));
            if let Some(o) = table.filter(|_| seen.insert((tf, name))) {
                out.push((tf, o));
            }
        }
    }
    out
}

/// The (file, binding) a lookup `T[key]` reads, for a table of this module
/// or one imported by name.
fn table_named<'c>(linker: &Linker, file: u32, c: &'c Callee) -> Option<(u32, &'c str)> {
    match c {
        Callee::Var { name, path } if path.first().is_some_and(|p| p == "[]") => Some((file, name)),
        Callee::Import { module, path } if path.get(1).is_some_and(|p| p == "[]") => {
            let tf = linker.import_file(file, module)?;
            Some((tf as u32, path[0].as_str()))
        }
        _ => None,
    }
}
