//! Tool Resolution: how one tool's reach splits on an argument its handler
//! dispatches on. Many servers expose one tool with an `action` (or
//! `operation`, `command`, …) argument and branch on it: `switch
//! (args.action)`, `if action == "delete"`, `HANDLERS[action](args)`. The
//! extractors record those branches (`FileFacts::branches`), the graph keeps
//! them on its edges and findings (`graph::Level`); here each tool's region is
//! searched for branches whose subject is one of the tool's arguments, the
//! argument with the most values is picked, and one walk per value leaves out
//! the branches taken for the other values. What a value reaches is then its
//! own branch plus everything outside the dispatch (a `default:` branch is
//! taken for every value).

use crate::graph::{Graph, NodeId, Subject, NO_BRANCH};
use crate::link::Linker;
use crate::reach::{Reachability, Walked};
use crate::values::Values;
use mcpwarden_lang::Arg;
use mcpwarden_model::Provenance;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Edges looked at by all resolution walks of one scan together: a tool
/// with many values on a large graph costs values × graph.
const BUDGET: u64 = 20_000_000;

/// Evaluation steps to follow one branch subject to a tool argument: a
/// handler's own argument takes a few, one through a helper's callers a few
/// dozen; the manifest's budget per call site would make every `if
/// (e.type === "x")` of a large bundle expensive.
const SUBJECT_STEPS: u32 = 1_000;

/// Names of arguments that select an operation, preferred over others (a
/// `format` switch inside an `action` branch is not the dispatch).
const DISPATCH_WORDS: &[&str] = &[
    "action",
    "operation",
    "op",
    "command",
    "cmd",
    "subcommand",
    "verb",
    "method",
    "mode",
    "task",
    "type",
    "kind",
];

/// Names accepted as a dispatch argument when the value cannot be followed
/// to the tool's arguments (a helper whose callers are not known).
const NAMED_DISPATCH: &[&str] = &["action", "operation", "op", "command", "cmd", "subcommand"];

/// The values of one dispatch argument and what each reaches.
pub struct Resolved {
    pub param: String,
    /// Value, the file and line of its branch, and the walk for it; sorted by value.
    pub values: Vec<(String, u32, u32, Walked)>,
}

pub struct Resolver<'a> {
    graph: &'a Graph,
    reach: &'a Reachability<'a>,
    linker: &'a Linker<'a>,
    values: &'a Values<'a>,
    tool_names: &'a HashSet<String>,
    /// Levels (branches) whose code sits in each node.
    at_node: HashMap<NodeId, Vec<u32>>,
    /// The tool argument each level's subject is (memo).
    params: RefCell<HashMap<u32, Option<Param>>>,
    /// The same, per subject written in a function (`if (args.op === "a") …
    /// else if (args.op === "b")` tests one subject in several branches).
    subjects: RefCell<HashMap<SubjectKey, Option<Param>>>,
    budget: Cell<u64>,
}

impl<'a> Resolver<'a> {
    pub fn new(
        graph: &'a Graph,
        reach: &'a Reachability<'a>,
        linker: &'a Linker<'a>,
        values: &'a Values<'a>,
        tool_names: &'a HashSet<String>,
    ) -> Resolver<'a> {
        let mut at_node: HashMap<NodeId, Vec<u32>> = HashMap::new();
        for (i, l) in graph.levels.iter().enumerate() {
            if !l.values.is_empty() {
                at_node
                    .entry(graph.node(l.file, l.in_def))
                    .or_default()
                    .push(i as u32);
            }
        }
        Resolver {
            graph,
            reach,
            linker,
            values,
            tool_names,
            at_node,
            params: RefCell::new(HashMap::new()),
            subjects: RefCell::new(HashMap::new()),
            budget: Cell::new(BUDGET),
        }
    }

    /// The dispatch of the tool whose handler is `entries`, if it has one.
    pub fn resolve(&self, entries: &[NodeId], tool: &str) -> Option<Resolved> {
        if entries.is_empty() || self.at_node.is_empty() {
            return None;
        }
        let mut budget = self.budget.get();
        let region = self.reach.walk(entries, Some(tool), &|_| true, &mut budget);
        self.budget.set(budget);
        let region = region?;
        // Every branch on literal values in the tool's region, by the argument
        // it tests: its values (with where each is written) and how many
        // branches test it.
        let mut by_param: BTreeMap<String, (ValueSites, usize)> = BTreeMap::new();
        for n in &region.nodes {
            for &l in self.at_node.get(n).map(Vec::as_slice).unwrap_or(&[]) {
                if self.other_tools(l, tool) {
                    continue;
                }
                let p = match self.param(l) {
                    Some(Param::Followed(p)) => p,
                    Some(Param::Named(p)) if self.in_handler(l, entries) => p,
                    _ => continue,
                };
                let level = &self.graph.levels[l as usize];
                let (values, branches) = by_param.entry(p).or_default();
                *branches += 1;
                for (v, line) in &level.values {
                    let at = (level.file, *line);
                    let e = values.entry(v.clone()).or_insert(at);
                    *e = (*e).min(at);
                }
            }
        }
        // A dispatch takes different branches for different values: one test
        // against a list (`if value in ("null", "")`) is a check. A dispatch
        // on the tool's own name (a low-level handler's `name`) is the tool
        // split, not an argument.
        let (param, values) = by_param
            .into_iter()
            .filter(|(_, (vs, branches))| vs.len() >= 2 && *branches >= 2)
            .map(|(p, (vs, _))| (p, vs))
            .filter(|(_, vs)| {
                vs.keys().filter(|v| self.tool_names.contains(*v)).count() * 2 <= vs.len()
            })
            .max_by(|(pa, va), (pb, vb)| {
                let word = |p: &str| DISPATCH_WORDS.contains(&p);
                (word(pa), va.len(), std::cmp::Reverse(pa)).cmp(&(
                    word(pb),
                    vb.len(),
                    std::cmp::Reverse(pb),
                ))
            })?;
        let mut out = vec![];
        for (value, (file, line)) in values {
            let keep = |l: u32| self.keeps(l, &param, &value);
            let mut budget = self.budget.get();
            let walked = self.reach.walk(entries, Some(tool), &keep, &mut budget);
            self.budget.set(budget);
            out.push((value, file, line, walked?));
        }
        Some(Resolved { param, values: out })
    }

    /// Is the level inside a branch for other tools (`case "logs":` of a
    /// low-level dispatcher, seen from the `processes` tool)?
    fn other_tools(&self, level: u32, tool: &str) -> bool {
        let (mut names_tool, mut names_other) = (false, false);
        let mut l = level;
        let mut guard = 0;
        while l != NO_BRANCH && guard < 64 {
            let lv = &self.graph.levels[l as usize];
            for (v, _) in &lv.values {
                names_tool |= v == tool;
                names_other |= v != tool && self.tool_names.contains(v);
            }
            l = lv.parent;
            guard += 1;
        }
        names_other && !names_tool
    }

    /// Is the level's code in the tool's handler itself (or in a function
    /// nested in it)?
    fn in_handler(&self, level: u32, entries: &[NodeId]) -> bool {
        let lv = &self.graph.levels[level as usize];
        let facts = self.linker.files[lv.file as usize].facts;
        let mut d = lv.in_def;
        let mut guard = 0;
        while let (Some(def), true) = (d, guard < 64) {
            if entries.contains(&self.graph.node(lv.file, Some(def))) {
                return true;
            }
            d = facts.defs[def as usize].parent;
            guard += 1;
        }
        false
    }

    /// Does a call with `param = value` take the code under this level?
    /// Not when the level or an enclosing one branches on `param` for other values.
    fn keeps(&self, level: u32, param: &str, value: &str) -> bool {
        let mut l = level;
        let mut guard = 0;
        while l != NO_BRANCH && guard < 64 {
            let lv = &self.graph.levels[l as usize];
            if !lv.values.is_empty()
                && !lv.values.iter().any(|(v, _)| v == value)
                && self.param(l).is_some_and(|p| p.name() == param)
            {
                return false;
            }
            l = lv.parent;
            guard += 1;
        }
        true
    }

    /// The tool argument a level's subject holds: followed through variables
    /// and helpers to a tool handler's parameter, or, when it cannot be
    /// followed, named like a dispatch argument (`action`, `operation`).
    fn param(&self, level: u32) -> Option<Param> {
        if let Some(p) = self.params.borrow().get(&level) {
            return p.clone();
        }
        let p = self.param_uncached(level);
        self.params.borrow_mut().insert(level, p.clone());
        p
    }

    fn param_uncached(&self, level: u32) -> Option<Param> {
        let lv = &self.graph.levels[level as usize];
        let facts = self.linker.files[lv.file as usize].facts;
        let subject = match lv.subject {
            Subject::Branch(b) => &facts.branches[b as usize].subject,
            Subject::FirstArg(r) => facts.refs[r as usize].args.pos.first()?,
        };
        if matches!(subject, Arg::Other) {
            return None;
        }
        let key = (lv.file, lv.in_def, format!("{subject:?}"));
        if let Some(p) = self.subjects.borrow().get(&key) {
            return p.clone();
        }
        let p = self.subject_param(lv.file, lv.in_def, lv.line, subject);
        self.subjects.borrow_mut().insert(key, p.clone());
        p
    }

    fn subject_param(
        &self,
        file: u32,
        in_def: Option<u32>,
        line: u32,
        subject: &Arg,
    ) -> Option<Param> {
        let values = self
            .values
            .of_within(file, in_def, line, subject, SUBJECT_STEPS);
        if let Some(p) = values
            .iter()
            .filter(|v| v.provenance == Provenance::ToolArg)
            .find_map(|v| v.param.clone())
            .filter(|p| p != "*")
        {
            return Some(Param::Followed(p));
        }
        if values.iter().any(|v| v.provenance != Provenance::Unknown) {
            return None;
        }
        let name = match subject {
            Arg::Path(c) => c.last_name().map(str::to_string).or_else(|| match c {
                mcpwarden_lang::Callee::Var { name, .. } => Some(name.clone()),
                _ => None,
            }),
            // `arguments.get("action")`
            Arg::Call(c, args) if c.last_name() == Some("get") => {
                args.first().and_then(|a| a.as_str()).map(str::to_string)
            }
            _ => None,
        }?;
        NAMED_DISPATCH
            .contains(&name.as_str())
            .then_some(Param::Named(name))
    }
}

/// A subject as written in one function: file, function, the expression.
type SubjectKey = (u32, Option<u32>, String);

/// Values of a dispatch argument and the (file, line) where each is first written.
type ValueSites = BTreeMap<String, (u32, u32)>;

/// What a branch's subject is known to be.
#[derive(Clone, Debug)]
enum Param {
    /// A tool argument, followed to a handler's parameter.
    Followed(String),
    /// Not followed, but named like a dispatch argument: trusted in the
    /// tool's handler only (a helper's `op` may be its own protocol's).
    Named(String),
}

impl Param {
    fn name(&self) -> &str {
        match self {
            Param::Followed(p) | Param::Named(p) => p,
        }
    }
}
