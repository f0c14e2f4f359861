//! Parameter types from call sites, for languages that declare none
//! (JavaScript, Python): `toolHandler(new BoardClient(token))` makes
//! `client.get()` inside `toolHandler` (and the closures it returns) a call of
//! `BoardClient.get`. Only calls the linker could not place otherwise are
//! refined, and only when every call site passes the same kind of instance.

use crate::link::{Linker, Target, Tier};
use mcpwarden_lang::{Arg, Callee, DefKind, FileFacts, RefKind};
use std::collections::HashMap;

/// (file, function, parameter index) → the classes of the instances its
/// call sites pass, as (file, class def).
type Passed = HashMap<(u32, u32, usize), Vec<(u32, u32)>>;

/// `new Client()` (or a variable holding one) as an argument: an instance of
/// a class of the tree, which is data for the callee, never a handler.
pub(crate) fn is_instance(linker: &Linker, file: u32, a: &Arg) -> bool {
    class_of(linker, file, a).is_some()
}

/// The class of the tree an argument is an instance of (`Client.()`).
fn class_of(linker: &Linker, file: u32, a: &Arg) -> Option<(u32, u32)> {
    let Arg::Path(c) = a else { return None };
    let mut class = c.clone();
    let path = match &mut class {
        Callee::Import { path, .. } | Callee::Def { path, .. } | Callee::Global { path } => path,
        _ => return None,
    };
    if path.pop().as_deref() != Some("()") || path.iter().any(|s| s == "()") {
        return None;
    }
    match linker.resolve(file, &class).0 {
        Target::Def { file: f, def }
            if linker.files[f as usize].facts.defs[def as usize].kind == DefKind::Class =>
        {
            Some((f, def))
        }
        _ => None,
    }
}

/// Resolve `param.member(...)` calls the linker left to names, through the
/// instances the function's call sites pass for that parameter.
pub(crate) fn refine(linker: &Linker, targets: &mut [Vec<(Target, Tier)>]) {
    let passed = instances_passed(linker, targets);
    if passed.is_empty() {
        return;
    }
    for (fi, f) in linker.files.iter().enumerate() {
        for (ri, r) in f.facts.refs.iter().enumerate() {
            let Callee::Var { name, path } = &r.callee else {
                continue;
            };
            let placed = matches!(
                targets[fi][ri].0,
                Target::Def { .. } | Target::External { .. }
            );
            if path.is_empty() || placed || r.kind == RefKind::Access {
                continue;
            }
            let Some((def, index)) = declaring_def(f.facts, r.in_def, name) else {
                continue;
            };
            if let Some(t) = through_instance(linker, passed.get(&(fi as u32, def, index)), path) {
                targets[fi][ri] = (t, Tier::CrossFile);
            }
        }
    }
}

/// Every call of a function of the tree with an instance among its arguments.
fn instances_passed(linker: &Linker, targets: &[Vec<(Target, Tier)>]) -> Passed {
    let mut out: Passed = HashMap::new();
    for (fi, f) in linker.files.iter().enumerate() {
        for (ri, r) in f.facts.refs.iter().enumerate() {
            let Target::Def { file, def } = targets[fi][ri].0 else {
                continue;
            };
            for (i, a) in r.args.pos.iter().enumerate() {
                if let Some(class) = class_of(linker, fi as u32, a) {
                    let v = out.entry((file, def, i)).or_default();
                    if !v.contains(&class) {
                        v.push(class);
                    }
                }
            }
        }
    }
    out
}

/// `member` applied to an instance of the one class every call site passes.
fn through_instance(
    linker: &Linker,
    passed: Option<&Vec<(u32, u32)>>,
    member: &[String],
) -> Option<Target> {
    let [(file, class)] = passed?.as_slice() else {
        return None; // several classes: the call may be any of their methods
    };
    let mut path = vec!["()".to_string()];
    path.extend(member.iter().cloned());
    let instance = Callee::Def { def: *class, path };
    let t = linker.resolve(*file, &instance).0;
    matches!(t, Target::Def { .. }).then_some(t)
}

/// The function whose parameter `name` is, walking out from `from` (closures
/// see their enclosing functions' parameters), with its index.
fn declaring_def(facts: &FileFacts, from: Option<u32>, name: &str) -> Option<(u32, usize)> {
    let mut cur = from;
    for _ in 0..16 {
        let d = cur?;
        let def = &facts.defs[d as usize];
        if let Some(i) = def.params.iter().position(|p| p == name) {
            return Some((d, i));
        }
        cur = def.parent;
    }
    None
}
