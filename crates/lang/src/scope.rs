//! Scopes and bindings shared by the language walkers.
//!
//! Extraction runs in two passes over one tree: the first declares every
//! binding in its scope (so hoisting and later declarations are seen), the
//! second emits references and resolves each callee through the scope chain.

use crate::ir::{Callee, DefId};
use rustc_hash::FxHashMap as HashMap;

pub type ScopeId = u32;

/// The root of an access path before resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Root {
    Name(String),
    /// `this` / `self`.
    This,
    /// `require("m")` / `import("m")` / a module bound directly.
    Module(String),
}

/// An access path as written: a root and member names (`"()"` for call results).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawPath {
    pub root: Root,
    pub members: Vec<String>,
}

#[derive(Clone, Debug)]
pub enum Binding {
    Import {
        module: String,
        path: Vec<String>,
    },
    Def(DefId),
    /// `const e = cp.exec` — resolved lazily in the declaring scope.
    Alias(RawPath, ScopeId),
    /// `const app = express()` — the result of calling the path.
    Instance(RawPath, ScopeId),
    Const(String),
    /// An object literal whose members name other values (`{ handler: run,
    /// getDescription }`): `k.handler` is `run` when `run` is a definition or
    /// an import, resolved lazily in the declaring scope; any other member is
    /// unknown, as for [`Binding::Opaque`].
    Object(Vec<(String, RawPath)>, ScopeId),
    /// A parameter or a variable with an unknown value.
    Opaque,
}

#[derive(Debug, Default)]
pub struct Scope {
    pub parent: Option<ScopeId>,
    pub bindings: HashMap<String, Binding>,
    /// The class whose method body this scope is (for `this` / `self`).
    pub class: Option<DefId>,
}

#[derive(Debug, Default)]
pub struct Scopes {
    pub scopes: Vec<Scope>,
}

/// Names that stand for the global object: `globalThis.fetch` is `fetch`.
const GLOBAL_OBJECTS: &[&str] = &["globalThis", "window", "global"];

impl Scopes {
    pub fn new_scope(&mut self, parent: Option<ScopeId>, class: Option<DefId>) -> ScopeId {
        let class = class.or_else(|| parent.and_then(|p| self.scopes[p as usize].class));
        self.scopes.push(Scope {
            parent,
            bindings: HashMap::default(),
            class,
        });
        (self.scopes.len() - 1) as ScopeId
    }

    /// Declare `name` in `scope`. A later declaration replaces an earlier one,
    /// except that an opaque one never hides a known one (`x = x || y`).
    pub fn declare(&mut self, scope: ScopeId, name: &str, b: Binding) {
        let map = &mut self.scopes[scope as usize].bindings;
        if matches!(b, Binding::Opaque) && map.contains_key(name) {
            return;
        }
        map.insert(name.to_string(), b);
    }

    pub fn lookup(&self, mut scope: ScopeId, name: &str) -> Option<(&Binding, ScopeId)> {
        loop {
            let s = &self.scopes[scope as usize];
            if let Some(b) = s.bindings.get(name) {
                return Some((b, scope));
            }
            scope = s.parent?;
        }
    }

    /// A variable initialised with a value worth following (see
    /// [`followable`](crate::ir::followable)) is passed on by name, so the
    /// value can be read from `FileFacts::locals` rather than from what its
    /// binding resolves to. `scope_def` maps a scope to the definition it is
    /// the body of.
    pub fn local_var(
        &self,
        name: &str,
        scope: ScopeId,
        scope_def: &HashMap<ScopeId, DefId>,
        locals: &[crate::ir::Local],
    ) -> Option<crate::ir::Arg> {
        let (b, declared) = self.lookup(scope, name)?;
        if !matches!(
            b,
            Binding::Instance(..) | Binding::Alias(..) | Binding::Opaque | Binding::Object(..)
        ) {
            return None;
        }
        let def = scope_def.get(&declared).copied();
        locals
            .iter()
            .any(|l| l.name == name && l.def == def && crate::ir::followable(&l.value))
            .then(|| {
                crate::ir::Arg::Path(Callee::Var {
                    name: name.to_string(),
                    path: vec![],
                })
            })
    }

    pub fn class_of(&self, scope: ScopeId) -> Option<DefId> {
        self.scopes[scope as usize].class
    }

    /// Resolve an access path seen in `scope`.
    pub fn resolve(&self, scope: ScopeId, raw: &RawPath) -> Callee {
        self.resolve_depth(scope, raw, 0)
    }

    fn resolve_depth(&self, scope: ScopeId, raw: &RawPath, depth: u32) -> Callee {
        let members = raw.members.clone();
        match &raw.root {
            Root::This => Callee::SelfMember {
                class: self.class_of(scope),
                path: members,
            },
            Root::Module(m) => Callee::Import {
                module: m.clone(),
                path: members,
            },
            Root::Name(name) => match self.lookup(scope, name) {
                None => {
                    if GLOBAL_OBJECTS.contains(&name.as_str()) && !members.is_empty() {
                        return Callee::Global { path: members };
                    }
                    let mut path = vec![name.clone()];
                    path.extend(members);
                    Callee::Global { path }
                }
                Some((b, _)) if depth > 8 => {
                    let _ = b;
                    Callee::Var {
                        name: name.clone(),
                        path: members,
                    }
                }
                Some((b, _)) => match b {
                    Binding::Import { module, path } => {
                        let mut p = path.clone();
                        p.extend(members);
                        Callee::Import {
                            module: module.clone(),
                            path: p,
                        }
                    }
                    Binding::Def(d) => Callee::Def {
                        def: *d,
                        path: members,
                    },
                    Binding::Alias(inner, s) => {
                        append(self.resolve_depth(*s, inner, depth + 1), members, false)
                    }
                    Binding::Instance(inner, s) => {
                        append(self.resolve_depth(*s, inner, depth + 1), members, true)
                    }
                    Binding::Object(props, s) => {
                        let inner = members
                            .first()
                            .and_then(|m| props.iter().find(|(k, _)| k == m))
                            .map(|(_, inner)| self.resolve_depth(*s, inner, depth + 1));
                        match inner {
                            // A function or class (of this file or imported); a
                            // member holding data (`{ region: AWS_REGION }`) is
                            // not read again where the object is.
                            Some(c @ (Callee::Def { .. } | Callee::Import { .. })) => {
                                append(c, members[1..].to_vec(), false)
                            }
                            _ => Callee::Var {
                                name: name.clone(),
                                path: members,
                            },
                        }
                    }
                    Binding::Const(_) | Binding::Opaque => Callee::Var {
                        name: name.clone(),
                        path: members,
                    },
                },
            },
        }
    }

    /// The string constant a name is bound to, if any.
    pub fn const_str(&self, scope: ScopeId, name: &str) -> Option<String> {
        match self.lookup(scope, name) {
            Some((Binding::Const(s), _)) => Some(s.clone()),
            _ => None,
        }
    }
}

fn append(c: Callee, members: Vec<String>, call: bool) -> Callee {
    let extend = |mut p: Vec<String>| {
        if call {
            p.push("()".to_string());
        }
        p.extend(members.iter().cloned());
        p
    };
    match c {
        Callee::Import { module, path } => Callee::Import {
            module,
            path: extend(path),
        },
        Callee::Global { path } => Callee::Global { path: extend(path) },
        Callee::Def { def, path } => Callee::Def {
            def,
            path: extend(path),
        },
        Callee::SelfMember { class, path } => Callee::SelfMember {
            class,
            path: extend(path),
        },
        Callee::Var { name, path } => Callee::Var {
            name,
            path: extend(path),
        },
        d @ Callee::Dynamic { .. } => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_instances_resolve_through_scopes() {
        let mut s = Scopes::default();
        let top = s.new_scope(None, None);
        let inner = s.new_scope(Some(top), None);
        s.declare(
            top,
            "cp",
            Binding::Import {
                module: "child_process".into(),
                path: vec![],
            },
        );
        s.declare(
            top,
            "run",
            Binding::Alias(
                RawPath {
                    root: Root::Name("cp".into()),
                    members: vec!["exec".into()],
                },
                top,
            ),
        );
        s.declare(
            top,
            "app",
            Binding::Instance(
                RawPath {
                    root: Root::Name("express".into()),
                    members: vec![],
                },
                top,
            ),
        );
        s.declare(
            top,
            "express",
            Binding::Import {
                module: "express".into(),
                path: vec!["default".into()],
            },
        );
        s.declare(inner, "fetch", Binding::Opaque);

        let r = s.resolve(
            inner,
            &RawPath {
                root: Root::Name("run".into()),
                members: vec![],
            },
        );
        assert_eq!(
            r,
            Callee::Import {
                module: "child_process".into(),
                path: vec!["exec".into()]
            }
        );
        let r = s.resolve(
            inner,
            &RawPath {
                root: Root::Name("app".into()),
                members: vec!["listen".into()],
            },
        );
        assert_eq!(
            r,
            Callee::Import {
                module: "express".into(),
                path: vec!["default".into(), "()".into(), "listen".into()]
            }
        );
        let r = s.resolve(
            inner,
            &RawPath {
                root: Root::Name("fetch".into()),
                members: vec![],
            },
        );
        assert_eq!(
            r,
            Callee::Var {
                name: "fetch".into(),
                path: vec![]
            }
        );
        let r = s.resolve(
            top,
            &RawPath {
                root: Root::Name("fetch".into()),
                members: vec![],
            },
        );
        assert_eq!(
            r,
            Callee::Global {
                path: vec!["fetch".into()]
            }
        );
        let r = s.resolve(
            top,
            &RawPath {
                root: Root::Name("globalThis".into()),
                members: vec!["fetch".into()],
            },
        );
        assert_eq!(
            r,
            Callee::Global {
                path: vec!["fetch".into()]
            }
        );
    }

    #[test]
    fn self_referential_aliases_terminate() {
        let mut s = Scopes::default();
        let top = s.new_scope(None, None);
        s.declare(
            top,
            "a",
            Binding::Alias(
                RawPath {
                    root: Root::Name("a".into()),
                    members: vec!["x".into()],
                },
                top,
            ),
        );
        let r = s.resolve(
            top,
            &RawPath {
                root: Root::Name("a".into()),
                members: vec![],
            },
        );
        assert!(matches!(r, Callee::Var { .. }));
    }
}
