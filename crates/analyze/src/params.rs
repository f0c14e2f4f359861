//! Parameter types from call sites, for languages that declare none
//! (JavaScript, Python): `toolHandler(new BoardClient(token))` makes
//! `client.get()` inside `toolHandler` (and the closures it returns) a call of
//! `BoardClient.get`. Only calls the linker could not place otherwise are
//! refined, and only when every call site passes the same kind of instance.

use crate::link::{Linker, Target, Tier};
use crate::registration::declaring_def;
use mcpwarden_lang::{Arg, Callee, DefKind, RefKind};
use std::collections::HashMap;

/// (file, function, parameter index) → the classes of the instances its
/// call sites pass, as (file, class def).
type Passed = HashMap<(u32, u32, usize), Vec<(u32, u32)>>;

/// `new Client()` (or a variable holding one) as an argument: an instance of
/// a class of the tree, which is data for the callee, never a handler.
pub(crate) fn is_instance(linker: &Linker, file: u32, a: &Arg) -> bool {
    class_of(linker, file, None, a).is_some()
}

/// The class of the tree an argument is an instance of: `new Client()`, or a
/// factory's result (`createHttpClient()` returning `new HTTPClient(…)`), one
/// level deep.
fn class_of(linker: &Linker, file: u32, in_def: Option<u32>, a: &Arg) -> Option<(u32, u32)> {
    // A variable holding one (`const http = defaultHttpClient(token)`).
    if let Arg::Path(v @ Callee::Var { .. }) = a {
        let held = linker.values_of(file, in_def, v);
        return held.into_iter().find_map(|(f, _, value)| match value {
            Arg::Call(c, _) => {
                let mut made = c.clone();
                match &mut made {
                    Callee::Import { path, .. }
                    | Callee::Def { path, .. }
                    | Callee::Global { path } => path.push("()".into()),
                    _ => return None,
                }
                class_of(linker, f, None, &Arg::Path(made))
            }
            _ => None,
        });
    }
    let (f, def) = made_by(linker, file, a)?;
    let d = &linker.files[f as usize].facts.defs[def as usize];
    if d.kind == DefKind::Class {
        return Some((f, def));
    }
    let returned = Arg::Path(d.returned.clone()?);
    made_by(linker, f, &returned).filter(|(cf, cd)| {
        linker.files[*cf as usize].facts.defs[*cd as usize].kind == DefKind::Class
    })
}

/// The definition whose call an argument is the result of (`X()` / `new X()`).
fn made_by(linker: &Linker, file: u32, a: &Arg) -> Option<(u32, u32)> {
    let Arg::Path(c) = a else { return None };
    let mut callee = c.clone();
    let path = match &mut callee {
        Callee::Import { path, .. } | Callee::Def { path, .. } | Callee::Global { path } => path,
        _ => return None,
    };
    if path.pop().as_deref() != Some("()") || path.iter().any(|s| s == "()") {
        return None;
    }
    match linker.resolve(file, &callee).0 {
        Target::Def { file: f, def } => Some((f, def)),
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
            if let Some(t) = through_param_field(linker, &passed, fi as u32, r, &targets[fi][ri].0)
            {
                targets[fi][ri] = (t, Tier::SelfMember);
                continue;
            }
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
                if let Some(class) = class_of(linker, fi as u32, r.in_def, a) {
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

/// `this.client.get()` where the constructor set `this.client` from its
/// parameter: a method of the one class `new Class(…)` passes there.
fn through_param_field(
    linker: &Linker,
    passed: &Passed,
    file: u32,
    r: &mcpwarden_lang::Ref,
    current: &Target,
) -> Option<Target> {
    let Callee::SelfMember {
        class: Some(class),
        path,
    } = &r.callee
    else {
        return None;
    };
    if r.kind == RefKind::Access || matches!(current, Target::Def { .. } | Target::External { .. })
    {
        return None;
    }
    let (field, member) = path.split_first()?;
    if member.is_empty() {
        return None;
    }
    let facts = linker.files[file as usize].facts;
    let (_, _, ctor, index) = facts
        .param_fields
        .iter()
        .find(|(c, f, _, _)| c == class && f == field)?;
    // `new Class(…)` resolves to the class or to its constructor.
    let given = passed
        .get(&(file, *ctor, *index))
        .or_else(|| passed.get(&(file, *class, *index)));
    through_instance(linker, given, member)
}
