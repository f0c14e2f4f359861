//! The per-server call graph and reachability from entry points.
//!
//! Nodes are each file's module top level and every definition. Edges come
//! from calls (resolved in tiers, see `link`), callbacks passed as arguments,
//! and anonymous functions to their enclosing code. A reference made inside a
//! `case "x":` / `if name == "x"` branch carries that label; a breadth-first
//! walk for tool `x` does not follow edges labelled with another tool's name,
//! which splits low-level dispatchers into per-tool entries. One walk per entry
//! keeps the cost at O(entries × (nodes + edges)).

use crate::link::{Linker, Target, Tier};
use mcpwarden_lang::{symbolic_label, Arg, Callee, Def, DefKind, ObjLit, RefKind};
use std::collections::{HashMap, HashSet};

pub type NodeId = u32;
const NO_LABEL: u32 = u32::MAX;
/// An edge or finding outside any branch on literal values.
pub const NO_BRANCH: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
pub struct Edge {
    pub to: NodeId,
    /// Interned label set of the reference that made the edge, or `NO_LABEL`.
    pub labels: u32,
    /// The innermost branch (a [`Level`]) the reference sits in, or `NO_BRANCH`.
    pub branch: u32,
    pub tier: Tier,
    /// Line of the call site (for chains).
    pub line: u32,
}

/// What a branch compares or looks up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// The subject of a branch of the file's facts (`FileFacts::branches`).
    Branch(u32),
    /// The first argument of a reference: `HANDLERS.get(action)`.
    FirstArg(u32),
}

/// A branch on literal values as the graph sees it: one per branch of the
/// facts, and one per key of a dispatch table looked up on a computed key
/// (`HANDLERS[action](…)`: the edge to the key's handler is taken for that key).
#[derive(Clone, Debug)]
pub struct Level {
    pub file: u32,
    pub in_def: Option<u32>,
    pub line: u32,
    pub subject: Subject,
    /// The values it is taken for, with their lines; empty: any value (a
    /// table lookup before its key is known).
    pub values: Vec<(String, u32)>,
    pub parent: u32,
}

pub struct Graph {
    /// Node of file `f`'s top level is `base[f]`; its def `d` is `base[f] + 1 + d`.
    pub base: Vec<NodeId>,
    pub node_file: Vec<u32>,
    pub edges: Vec<Vec<Edge>>,
    label_sets: Vec<Vec<String>>,
    label_ids: HashMap<Vec<String>, u32>,
    pub unresolved: u64,
    pub edge_count: u64,
    /// Edges per tier, in `Tier` order.
    pub by_tier: [u64; 4],
    /// Branches on literal values; a file's own branches start at `level_base[file]`.
    pub levels: Vec<Level>,
    pub level_base: Vec<u32>,
}

impl Graph {
    pub fn node(&self, file: u32, def: Option<u32>) -> NodeId {
        self.base[file as usize] + def.map(|d| d + 1).unwrap_or(0)
    }

    pub fn def_of(&self, n: NodeId) -> (u32, Option<u32>) {
        let f = self.node_file[n as usize];
        let off = n - self.base[f as usize];
        (f, if off == 0 { None } else { Some(off - 1) })
    }

    pub fn intern(&mut self, labels: &[String]) -> u32 {
        if labels.is_empty() {
            return NO_LABEL;
        }
        if let Some(&id) = self.label_ids.get(labels) {
            return id;
        }
        let id = self.label_sets.len() as u32;
        self.label_sets.push(labels.to_vec());
        self.label_ids.insert(labels.to_vec(), id);
        id
    }

    /// Does a label set exclude the walk for `tool` (it names another tool only)?
    pub fn excluded(&self, labels: u32, tool: Option<&str>, tool_names: &HashSet<String>) -> bool {
        if labels == NO_LABEL {
            return false;
        }
        let set = &self.label_sets[labels as usize];
        if !set.iter().any(|l| tool_names.contains(l)) {
            return false;
        }
        match tool {
            Some(t) => !set.iter().any(|l| l == t),
            // Startup and handler walks do not enter any tool's branch.
            None => true,
        }
    }

    /// Build the graph. `skip_callbacks` are handlers passed to registration
    /// calls: they are entries of their own, not callbacks of the registering code.
    /// A graph from raw edges (for tests of the reachability layer).
    #[cfg(test)]
    pub fn from_edges(n: usize, edges: &[(u32, u32, &[&str])]) -> Graph {
        let mut g = Graph {
            base: vec![0],
            node_file: vec![0; n],
            edges: vec![vec![]; n],
            label_sets: vec![],
            label_ids: HashMap::new(),
            unresolved: 0,
            edge_count: 0,
            by_tier: [0; 4],
            levels: vec![],
            level_base: vec![0],
        };
        for (a, b, labels) in edges {
            let labels: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
            let l = g.intern(&labels);
            g.push(
                *a,
                Edge {
                    to: *b,
                    labels: l,
                    branch: NO_BRANCH,
                    tier: Tier::SameFile,
                    line: 0,
                },
            );
        }
        g
    }

    /// `targets[file][ref]` is each reference's callee, already resolved by the linker.
    pub fn build(
        linker: &Linker,
        targets: &[Vec<(Target, Tier)>],
        skip_callbacks: &HashSet<(u32, u32)>,
    ) -> Graph {
        let mut base = vec![];
        let mut node_file = vec![];
        let mut next = 0u32;
        for (fi, f) in linker.files.iter().enumerate() {
            base.push(next);
            let n = 1 + f.facts.defs.len() as u32;
            node_file.extend(std::iter::repeat_n(fi as u32, n as usize));
            next += n;
        }
        let mut g = Graph {
            base,
            node_file,
            edges: vec![vec![]; next as usize],
            label_sets: vec![],
            label_ids: HashMap::new(),
            unresolved: 0,
            edge_count: 0,
            by_tier: [0; 4],
            levels: vec![],
            level_base: vec![],
        };
        for (fi, f) in linker.files.iter().enumerate() {
            let base = g.levels.len() as u32;
            g.level_base.push(base);
            for b in &f.facts.branches {
                let names: Vec<String> = b.values.iter().map(|(v, _)| v.clone()).collect();
                let resolved = resolved_labels(linker, fi as u32, &names);
                // A symbolic value the linker cannot name is dropped, with its line.
                let values = if resolved.len() == names.len() {
                    resolved
                        .iter()
                        .zip(&b.values)
                        .map(|(v, (_, l))| (v.clone(), *l))
                        .collect()
                } else {
                    b.values
                        .iter()
                        .filter(|(v, _)| symbolic_label(v).is_none())
                        .cloned()
                        .collect()
                };
                g.levels.push(Level {
                    file: fi as u32,
                    in_def: b.in_def,
                    line: b.line,
                    subject: Subject::Branch(g.levels.len() as u32 - base),
                    values,
                    parent: b.parent.map_or(NO_BRANCH, |p| base + p),
                });
            }
        }
        for (fi, f) in linker.files.iter().enumerate() {
            let fi = fi as u32;
            // Dispatch tables: `HANDLERS = { "x": do_x }` called as `HANDLERS[name](...)`.
            let tables: HashMap<&str, &ObjLit> = f
                .facts
                .objects
                .iter()
                .filter_map(|o| o.binding.as_deref().map(|b| (b, o)))
                .collect();
            // Functions written in a table that is looked up run when looked up,
            // not as part of the code that defines the table.
            let mut in_tables: HashSet<u32> = HashSet::new();
            for r in &f.facts.refs {
                if let Callee::Var { name, path } = &r.callee {
                    if let (Some(t), Some("[]" | "get")) =
                        (tables.get(name.as_str()), path.first().map(|s| s.as_str()))
                    {
                        let values = t.props.iter().map(|(_, v)| v);
                        let computed = t.computed.iter().map(|(_, v, _)| v);
                        in_tables.extend(values.chain(computed).filter_map(|v| match v {
                            Arg::Func(d) => Some(*d),
                            _ => None,
                        }));
                    }
                }
            }
            // Anonymous functions run as part of their enclosing code (callbacks,
            // IIFEs, promise chains) unless they are registered handlers.
            for (di, d) in f.facts.defs.iter().enumerate() {
                if d.kind == DefKind::Anonymous
                    && !skip_callbacks.contains(&(fi, di as u32))
                    && !in_tables.contains(&(di as u32))
                {
                    let from = g.node(fi, d.parent);
                    let to = g.node(fi, Some(di as u32));
                    g.push(
                        from,
                        Edge {
                            to,
                            labels: NO_LABEL,
                            branch: NO_BRANCH,
                            tier: Tier::SameFile,
                            line: d.line,
                        },
                    );
                }
            }
            g.link_returned_closures(fi, &f.facts.defs, skip_callbacks);
            let base = g.level_base[fi as usize];
            for (ri, r) in f.facts.refs.iter().enumerate() {
                if r.decorates.is_some() {
                    continue;
                }
                let branch = r.branch.map_or(NO_BRANCH, |b| base + b);
                if let Callee::Var { name, path } = &r.callee {
                    if let (Some(table), Some(how @ ("[]" | "get"))) =
                        (tables.get(name.as_str()), path.first().map(|s| s.as_str()))
                    {
                        let from = g.node(fi, r.in_def);
                        // The key looked up: the lookup's own branch (`T[action]`), or
                        // the first argument (`T.get(action)`).
                        let subject = match (how, r.branch) {
                            ("[]", Some(b)) if f.facts.branches[b as usize].values.is_empty() => {
                                Some(Subject::Branch(b))
                            }
                            ("get", _) if !r.args.pos.is_empty() => {
                                Some(Subject::FirstArg(ri as u32))
                            }
                            _ => None,
                        };
                        let outer = match subject {
                            Some(Subject::Branch(_)) => g.levels[branch as usize].parent,
                            _ => branch,
                        };
                        let labels_here = branch_labels(linker, fi, r);
                        for (key, v, key_line) in table_entries(linker, fi, table) {
                            let mut set = labels_here.clone();
                            if !set.contains(&key) {
                                set.push(key.clone());
                            }
                            let labels = g.intern(&set);
                            let level = match subject {
                                Some(subject) => {
                                    g.levels.push(Level {
                                        file: fi,
                                        in_def: r.in_def,
                                        line: r.line,
                                        subject,
                                        values: vec![(key.clone(), key_line)],
                                        parent: outer,
                                    });
                                    g.levels.len() as u32 - 1
                                }
                                None => branch,
                            };
                            if let Arg::Func(d) = v {
                                let to = g.node(fi, Some(*d));
                                g.push(
                                    from,
                                    Edge {
                                        to,
                                        labels,
                                        branch: level,
                                        tier: Tier::SameFile,
                                        line: r.line,
                                    },
                                );
                                continue;
                            }
                            g.link_arg(
                                linker,
                                fi,
                                from,
                                v,
                                labels,
                                level,
                                r.line,
                                skip_callbacks,
                                0,
                            );
                        }
                        continue;
                    }
                }
                let from = g.node(fi, r.in_def);
                let labels = g.intern(&branch_labels(linker, fi, r));
                // Further definitions the reference may run besides its target.
                let mut also: Vec<((u32, u32), Tier)> = vec![];
                if r.kind != RefKind::Access {
                    g.link(
                        linker,
                        &targets[fi as usize][ri],
                        from,
                        labels,
                        branch,
                        r.line,
                    );
                    // JavaScript and Python: a call on a value typed by a base
                    // class may run any subclass's override.
                    if let (Target::Def { file: tf, def }, true) = (
                        &targets[fi as usize][ri].0,
                        linker.dispatches_on_value(fi, &r.callee),
                    ) {
                        let tier = targets[fi as usize][ri].1;
                        let overrides = linker.overrides(*tf, *def, true);
                        also.extend(overrides.into_iter().map(|d| (d, tier)));
                    }
                    // The same member of the other instances a factory may return.
                    let others = linker.alternatives(fi, &r.callee);
                    also.extend(others.into_iter().map(|d| (d, Tier::CrossFile)));
                }
                // A read that resolves to a property getter runs it
                // (`get_config().timeout`, `settings.api_key`).
                let read_getter = match &targets[fi as usize][ri].0 {
                    Target::Def { file, def }
                        if r.kind == RefKind::Access && linker.is_property(*file, *def) =>
                    {
                        Some((*file, *def))
                    }
                    _ => None,
                };
                if let Some(getter) = linker.property_read(fi, &r.callee).or(read_getter) {
                    also.push((getter, Tier::SelfMember));
                }
                for ((f, d), tier) in also {
                    let to = g.node(f, Some(d));
                    let line = r.line;
                    g.push(
                        from,
                        Edge {
                            to,
                            labels,
                            branch,
                            tier,
                            line,
                        },
                    );
                }
                for a in r.args.pos.iter().chain(r.args.kw.iter().map(|(_, a)| a)) {
                    g.link_arg(
                        linker,
                        fi,
                        from,
                        a,
                        labels,
                        branch,
                        r.line,
                        skip_callbacks,
                        0,
                    );
                }
            }
        }
        g
    }

    /// A factory returning a function it defines (`def make_lifespan(args):
    /// ... return lifespan`) hands it to its caller to run: calling the
    /// factory reaches the closure, unless that is a registered handler.
    fn link_returned_closures(&mut self, fi: u32, defs: &[Def], skip: &HashSet<(u32, u32)>) {
        for (di, d) in defs.iter().enumerate() {
            let Some(Callee::Def { def: inner, path }) = &d.returned else {
                continue;
            };
            let nested = defs
                .get(*inner as usize)
                .is_some_and(|x| x.parent == Some(di as u32) && x.kind != DefKind::Class);
            if path.is_empty() && nested && !skip.contains(&(fi, *inner)) {
                let (from, to) = (self.node(fi, Some(di as u32)), self.node(fi, Some(*inner)));
                let e = Edge {
                    to,
                    labels: NO_LABEL,
                    branch: NO_BRANCH,
                    tier: Tier::SameFile,
                    line: d.line,
                };
                self.push(from, e);
            }
        }
    }

    fn push(&mut self, from: NodeId, e: Edge) {
        if from != e.to {
            self.by_tier[e.tier as usize] += 1;
            self.edges[from as usize].push(e);
            self.edge_count += 1;
        }
    }

    fn link(
        &mut self,
        linker: &Linker,
        target: &(Target, Tier),
        from: NodeId,
        labels: u32,
        branch: u32,
        line: u32,
    ) {
        let (t, tier) = target.clone();
        match t {
            Target::Def { file: tf, def } => {
                let to = self.node(tf, Some(def));
                self.push(
                    from,
                    Edge {
                        to,
                        labels,
                        branch,
                        tier,
                        line,
                    },
                );
                // A call through an interface or base class may run any override.
                for (of, od) in linker.overrides(tf, def, false) {
                    let to = self.node(of, Some(od));
                    self.push(
                        from,
                        Edge {
                            to,
                            labels,
                            branch,
                            tier,
                            line,
                        },
                    );
                }
                // Calling a class constructs it: its constructor runs.
                let lf = &linker.files[tf as usize];
                if lf.facts.defs[def as usize].kind == DefKind::Class {
                    let ctor = if lf.family == mcpwarden_lang::Family::Python {
                        "__init__"
                    } else {
                        "constructor"
                    };
                    if let Some((cf, cd)) = linker.method(tf, def, ctor, 0) {
                        let to = self.node(cf, Some(cd));
                        self.push(
                            from,
                            Edge {
                                to,
                                labels,
                                branch,
                                tier,
                                line,
                            },
                        );
                    }
                }
            }
            Target::Name(n) => {
                let cands = linker.by_name(&n);
                if cands.is_empty() && linker.over_cap(&n) {
                    self.unresolved += 1;
                }
                for &(tf, td) in cands {
                    let to = self.node(tf, Some(td));
                    self.push(
                        from,
                        Edge {
                            to,
                            labels,
                            branch,
                            tier: Tier::NameOnly,
                            line,
                        },
                    );
                }
            }
            _ => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn link_arg(
        &mut self,
        linker: &Linker,
        file: u32,
        from: NodeId,
        a: &Arg,
        labels: u32,
        branch: u32,
        line: u32,
        skip: &HashSet<(u32, u32)>,
        depth: u32,
    ) {
        match a {
            // A value computed by a call (`text=result` where `result = f()`) is data, not a callback.
            Arg::Path(c) if c.through_call() => {}
            Arg::Path(c) => {
                // A name passed along (`items.map(fetchOne)`, `run_in_executor(None, f)`).
                if let (Target::Def { file: tf, def }, tier) = linker.resolve(file, c) {
                    if !skip.contains(&(tf, def)) {
                        let to = self.node(tf, Some(def));
                        self.push(
                            from,
                            Edge {
                                to,
                                labels,
                                branch,
                                tier,
                                line,
                            },
                        );
                    }
                }
            }
            Arg::Obj(props) if depth < 2 => {
                for (_, v) in props {
                    self.link_arg(linker, file, from, v, labels, branch, line, skip, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// The labels of every branch a reference sits in, innermost first (a
/// `switch (args.action)` nested in `case "manage_files":` keeps the tool's
/// label), resolved as by [`resolved_labels`].
pub fn branch_labels(linker: &Linker, file: u32, r: &mcpwarden_lang::Ref) -> Vec<String> {
    let facts = linker.files[file as usize].facts;
    let mut all: Vec<String> = r.labels.clone();
    let mut b = r.branch;
    let mut guard = 0;
    while let (Some(i), true) = (b, guard < 64) {
        let br = &facts.branches[i as usize];
        for (v, _) in &br.values {
            if !all.contains(v) {
                all.push(v.clone());
            }
        }
        b = br.parent;
        guard += 1;
    }
    resolved_labels(linker, file, &all).into_owned()
}

/// A reference's branch labels, symbolic ones (`case tools.Search.name:`, a
/// constant of another module) replaced by the constant's value; one the
/// linker cannot name is dropped.
pub fn resolved_labels<'a>(
    linker: &Linker,
    file: u32,
    labels: &'a [String],
) -> std::borrow::Cow<'a, [String]> {
    if !labels.iter().any(|l| symbolic_label(l).is_some()) {
        return std::borrow::Cow::Borrowed(labels);
    }
    let paths = &linker.files[file as usize].facts.label_paths;
    let named = labels.iter().filter_map(|l| match symbolic_label(l) {
        Some(i) => paths.get(i).and_then(|c| linker.const_value(file, c)),
        None => Some(l.clone()),
    });
    std::borrow::Cow::Owned(named.collect())
}

/// A table's entries: (key, value, line), computed keys resolved to the
/// constant they name (dropped when the linker cannot name it).
pub(crate) fn table_entries<'a>(
    linker: &Linker,
    file: u32,
    o: &'a ObjLit,
) -> Vec<(String, &'a Arg, u32)> {
    let literal = o.props.iter().enumerate().map(|(i, (k, v))| {
        let line = o.prop_lines.get(i).copied().unwrap_or(o.line);
        (k.clone(), v, line)
    });
    let computed = o.computed.iter().filter_map(|(k, v, line)| {
        let key = resolved_labels(linker, file, std::slice::from_ref(k));
        key.first().map(|k| (k.clone(), v, *line))
    });
    literal.chain(computed).collect()
}
