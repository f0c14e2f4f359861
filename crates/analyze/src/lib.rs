//! Analysing one MCP server tree: walk, extract facts per file in parallel,
//! link across files, match the catalogue, find tools, and attribute every
//! finding to the entry points that reach it.

mod annotations;
pub mod graph;
mod guards;
pub mod link;
pub mod matcher;
mod params;
pub mod project;
pub mod reach;
pub mod registration;
mod resolve;
pub mod source;
pub mod stack;
pub mod units;
pub mod values;
pub mod walk;

use graph::{Graph, NodeId};
use link::{LinkFile, Linker};
use mcpwarden_catalog::Catalog;
use mcpwarden_lang::{Callee, FileFacts, Lang};
use mcpwarden_model::*;
use project::ModuleIndex;
use rayon::prelude::*;
use registration::{Handler, Registration};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

/// Files above this size are parsed one at a time (see `scan`).
const BIG_FILE_BYTES: u64 = 2 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct Options {
    /// Source files larger than this are skipped (bundles run to a few MB).
    pub max_file_bytes: u64,
    /// Parse only: read and parse every file, no matching (the practical lower bound).
    pub parse_only: bool,
    /// Analyse only these languages (`None`: all); other source files are
    /// reported as skipped (`language-not-selected`).
    pub languages: Option<Vec<Lang>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_file_bytes: 16 * 1024 * 1024,
            parse_only: false,
            languages: None,
        }
    }
}

#[derive(Debug)]
pub enum ScanError {
    NotFound(String),
    NotADirectory(String),
    Io(String),
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScanError::NotFound(p) => write!(f, "{p}: no such file or directory"),
            ScanError::NotADirectory(p) => write!(f, "{p}: not a directory or source file"),
            ScanError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ScanError {}

/// One analysed file.
struct Analysed {
    rel: String,
    lang: Lang,
    facts: FileFacts,
    bytes: u64,
    minified: bool,
    bundled: Vec<String>,
}

/// Bundles at least this large are parsed one webpack module at a time.
const CHUNK_MIN_BYTES: usize = 1024 * 1024;

fn extract_one(
    lang: Lang,
    bytes: &[u8],
    parse_only: bool,
) -> Result<FileFacts, mcpwarden_lang::ParseError> {
    if parse_only {
        mcpwarden_lang::parse_only(lang, bytes).map(|errors| FileFacts {
            syntax_errors: errors,
            ..Default::default()
        })
    } else {
        mcpwarden_lang::extract(lang, bytes)
    }
}

/// Parse and extract one file. A large webpack bundle is parsed module by
/// module (each wrapped as `({ key(...) {...} })`), then its bootstrap with the
/// modules blanked: the same facts as one parse, without one huge syntax tree.
fn extract_file(
    lang: Lang,
    bytes: &[u8],
    parse_only: bool,
) -> Result<FileFacts, mcpwarden_lang::ParseError> {
    extract_file_chunked(lang, bytes, parse_only, CHUNK_MIN_BYTES)
}

fn extract_file_chunked(
    lang: Lang,
    bytes: &[u8],
    parse_only: bool,
    chunk_min: usize,
) -> Result<FileFacts, mcpwarden_lang::ParseError> {
    let modules = if lang.family() == Family::JavaScript && bytes.len() >= chunk_min {
        source::webpack_modules(bytes)
    } else {
        vec![]
    };
    if modules.is_empty() {
        return extract_one(lang, bytes, parse_only);
    }
    let mut rest = bytes.to_vec();
    for m in &modules {
        for c in &mut rest[m.start..m.end] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    }
    let mut facts = extract_one(lang, &rest, parse_only)?;
    // ESM output imports externals at the top (`import * as __WEBPACK_EXTERNAL_MODULE_fs__
    // from "fs"`) and modules use those names: a module is parsed with the imports it names
    // (after it, so its lines stay the file's; imports hoist).
    // (Lines outside the modules are the file's own bytes in `rest`.)
    let imports: Vec<(&[u8], Vec<&[u8]>)> = rest
        .split(|&c| c == b'\n')
        .filter(|l| l.starts_with(b"import "))
        .map(|l| (l, import_names(l)))
        .collect();
    let mut part = Vec::new();
    for m in &modules {
        let body = &bytes[m.start..m.end];
        part.clear();
        part.extend_from_slice(b"({");
        part.extend_from_slice(body);
        part.extend_from_slice(b"\n});\n");
        for (line, names) in &imports {
            if names
                .iter()
                .any(|n| memchr::memmem::find(body, n).is_some())
            {
                part.extend_from_slice(line);
                part.push(b'\n');
            }
        }
        facts.append(extract_one(lang, &part, parse_only)?, m.line);
    }
    drop(rest);
    Ok(facts)
}

/// The local names an `import` line binds (`* as X`, `{ a as X, b }`, `X`).
fn import_names(line: &[u8]) -> Vec<&[u8]> {
    let head = match memchr::memmem::find(line, b" from ") {
        Some(i) => &line[..i],
        None => return vec![],
    };
    let words: Vec<&[u8]> = head
        .split(|c| !(c.is_ascii_alphanumeric() || *c == b'_' || *c == b'$'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut names = vec![];
    for (i, w) in words.iter().enumerate() {
        let bound_by_as = words.get(i + 1) == Some(&&b"as"[..]);
        if !matches!(*w, b"import" | b"as" | b"type") && !bound_by_as {
            names.push(*w);
        }
    }
    names
}

/// Scan the server rooted at `root` (a directory, or a single source file).
/// Runs on the analysis threads (see [`stack`]), whatever the caller's stack.
pub fn scan(root: &Path, opts: &Options) -> Result<ServerReport, ScanError> {
    stack::run(|| scan_here(root, opts))
}

fn scan_here(root: &Path, opts: &Options) -> Result<ServerReport, ScanError> {
    let started = Instant::now();
    let meta = std::fs::metadata(root).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ScanError::NotFound(root.display().to_string()),
        _ => ScanError::Io(format!("{}: {e}", root.display())),
    })?;
    let (walk_root, mut walked) = if meta.is_dir() {
        (root.to_path_buf(), walk::walk(root, opts.max_file_bytes))
    } else {
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let lang = Lang::from_path(&name)
            .ok_or_else(|| ScanError::NotADirectory(root.display().to_string()))?;
        let parent = root.parent().map(Path::to_path_buf).unwrap_or_default();
        let w = walk::Walked {
            sources: vec![walk::SourceFile {
                abs: root.to_path_buf(),
                rel: name,
                lang,
                size: meta.len(),
            }],
            ..Default::default()
        };
        (parent, w)
    };
    if let Some(langs) = &opts.languages {
        let (keep, drop): (Vec<_>, Vec<_>) = std::mem::take(&mut walked.sources)
            .into_iter()
            .partition(|f| langs.contains(&f.lang));
        walked.sources = keep;
        walked.skipped.extend(drop.into_iter().map(|f| Skipped {
            path: f.rel,
            reason: "language-not-selected".into(),
        }));
    }
    let walked_count = walked.sources.len();
    let manifest = project::read_manifests(&walked.manifests);
    let (twins, twin_skips) = project::compiled_twins(&walked.sources);
    walked.skipped.extend(twin_skips);
    let sources: Vec<walk::SourceFile> = walked
        .sources
        .iter()
        .enumerate()
        .filter(|(i, _)| !twins.contains(i))
        .map(|(_, f)| f.clone())
        .collect();

    // Per-file work in parallel: read, decode, split bundles, parse, extract.
    // A syntax tree takes ~30× its file in memory: multi-megabyte bundles are
    // analysed one at a time so two of them never peak together.
    let big_file = std::sync::Mutex::new(());
    let results: Vec<Result<Analysed, Skipped>> = sources
        .par_iter()
        .map(|f| {
            let _one_big_at_a_time = (f.size > BIG_FILE_BYTES)
                .then(|| big_file.lock().unwrap_or_else(|e| e.into_inner()));
            let is_js = f.lang.family() == Family::JavaScript;
            let text = source::read(&f.abs, is_js).map_err(|e| Skipped {
                path: f.rel.clone(),
                reason: match e {
                    source::ReadError::Binary => "binary".into(),
                    source::ReadError::Io(m) => format!("unreadable: {m}"),
                },
            })?;
            let facts = extract_file(f.lang, &text.bytes, opts.parse_only);
            let mut facts = facts.map_err(|e| Skipped {
                path: f.rel.clone(),
                reason: format!("parse-failed: {e}"),
            })?;
            as_imported(&mut facts, &text.inlined);
            Ok(Analysed {
                rel: f.rel.clone(),
                lang: f.lang,
                facts,
                bytes: text.bytes.len() as u64,
                minified: text.minified,
                bundled: text.bundled,
            })
        })
        .collect();
    let mut files = vec![];
    let mut skipped = walked.skipped;
    for r in results {
        match r {
            Ok(a) => {
                if a.facts.truncated {
                    skipped.push(Skipped {
                        path: a.rel.clone(),
                        reason: "truncated: nesting too deep, analysed in part".into(),
                    });
                }
                files.push(a)
            }
            Err(s) => skipped.push(s),
        }
    }

    let mut report = ServerReport {
        root: root.display().to_string(),
        name: manifest.name.clone().unwrap_or_else(|| {
            walk_root
                .join(".")
                .canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
                .unwrap_or_default()
        }),
        opaque: walked.opaque,
        ..Default::default()
    };
    report.stats.files = walked_count as u64;
    report.stats.parsed = files.len() as u64;
    report.stats.bytes = files.iter().map(|f| f.bytes).sum();
    report.stats.syntax_errors = files.iter().map(|f| f.facts.syntax_errors as u64).sum();
    let langs: BTreeSet<&str> = files.iter().map(|f| f.lang.name()).collect();
    report.languages = langs.into_iter().map(str::to_string).collect();
    let bundled: BTreeSet<String> = files
        .iter()
        .flat_map(|f| f.bundled.iter().cloned())
        .collect();
    report.bundled = bundled.into_iter().collect();
    if !report.bundled.is_empty() {
        skipped.push(Skipped {
            path: files
                .iter()
                .filter(|f| !f.bundled.is_empty())
                .map(|f| f.rel.clone())
                .collect::<Vec<_>>()
                .join(","),
            reason: format!("bundled-dependency: {}", report.bundled.join(", ")),
        });
    }
    skipped.sort();
    report.skipped = skipped;
    if opts.parse_only {
        report.stats.ms = started.elapsed().as_millis() as u64;
        return Ok(report);
    }
    analyse(&mut report, &files, &manifest);
    report.stats.ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

fn analyse(report: &mut ServerReport, files: &[Analysed], manifest: &project::Manifest) {
    let graph_started = Instant::now();
    let mut project_dirs: Vec<String> = manifest.dirs.clone();
    project_dirs.extend(
        files
            .iter()
            .filter(|f| f.rel == "setup.py" || f.rel.ends_with("/setup.py"))
            .map(|f| {
                f.rel
                    .rsplit_once('/')
                    .map(|(d, _)| d.to_string())
                    .unwrap_or_default()
            }),
    );
    let index = ModuleIndex::new(
        &files
            .iter()
            .map(|f| (f.rel.clone(), f.lang.family()))
            .collect::<Vec<_>>(),
        &project_dirs,
    );
    let link_files: Vec<LinkFile> = files
        .iter()
        .map(|f| LinkFile {
            rel: &f.rel,
            family: f.lang.family(),
            facts: &f.facts,
        })
        .collect();
    let unit_files: Vec<(&str, Family, &FileFacts)> = files
        .iter()
        .map(|f| (f.rel.as_str(), f.lang.family(), &f.facts))
        .collect();
    let units = units::Units::new(
        &unit_files,
        manifest.go_modules.clone(),
        manifest.rust_crates.clone(),
    );
    let mut linker = Linker::new(&link_files, &index, &units);
    linker.csharp_raw_names = files
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            f.lang.family() == mcpwarden_lang::Family::CSharp
                && manifest.csharp_sdk_names_raw(&f.rel)
        })
        .map(|(i, _)| i as u32)
        .collect();

    // SDKs: imported by any own file, or inlined in a bundle.
    let mut sdk: BTreeSet<&str> = BTreeSet::new();
    let mut sdk_files = vec![false; files.len()];
    for (i, f) in files.iter().enumerate() {
        for m in &f.facts.imports {
            if let Some(s) = registration::sdk_of(f.lang.family(), m) {
                sdk.insert(s);
                sdk_files[i] = true;
            }
        }
        for b in &f.bundled {
            if let Some(s) = registration::sdk_of(Family::JavaScript, b) {
                sdk.insert(s);
                sdk_files[i] = true;
            }
        }
    }
    report.sdk = sdk.iter().map(|s| s.to_string()).collect();
    // A server without an SDK answers MCP's JSON-RPC methods itself.
    let mut hand_written = false;
    for (i, f) in files.iter().enumerate() {
        if registration::answers_mcp_methods(&f.facts) {
            sdk_files[i] = true;
            hand_written = true;
        }
    }

    // Registrations (only in servers that use an MCP SDK: a `.tool()` elsewhere is something else).
    let by_path = parts_by_path(files);
    // Tests, examples, scripts and build configs register nothing of the server's.
    let outside = |fi: u32| by_path[fi as usize].is_some();
    let found = if sdk.is_empty() && !hand_written {
        registration::Found::default()
    } else {
        registration::find_all(&linker, &outside)
    };
    let (regs, listed, dispatchers) = (found.regs, found.listed, found.dispatchers);
    let mut registered: HashSet<(u32, u32)> = found.registered_handlers.into_iter().collect();
    registered.extend(dispatchers.iter().copied());

    // Parts: entry modules and what they import.
    let parts = assign_parts(
        files, &by_path, &index, manifest, &regs, &listed, &sdk_files,
    );

    // Every reference resolved once: the graph links them, the matcher matches them.
    let mut targets: Vec<Vec<(link::Target, link::Tier)>> = files
        .iter()
        .enumerate()
        .map(|(fi, f)| {
            f.facts
                .refs
                .iter()
                .map(|r| linker.resolve(fi as u32, &r.callee))
                .collect()
        })
        .collect();
    params::refine(&linker, &mut targets);

    // Call graph and entry walks.
    let mut graph = Graph::build(&linker, &targets, &registered);
    let mut tool_names: HashSet<String> = regs
        .iter()
        .filter(|r| r.entry == EntryKind::Tool)
        .map(|r| r.name.clone())
        .collect();
    tool_names.extend(listed.iter().map(|r| r.name.clone()));

    // Findings per node, in file order.
    struct Pending {
        finding: Finding,
        node: NodeId,
        labels: u32,
        branch: u32,
        /// Where the values are read: file, enclosing definition, line, arguments.
        value_args: Option<(u32, Option<u32>, u32, Vec<mcpwarden_lang::Arg>)>,
    }
    let mut pending: Vec<Pending> = vec![];
    for (fi, f) in files.iter().enumerate() {
        let part = parts[fi];
        let mut file_hits: Vec<(&mcpwarden_lang::Ref, matcher::Hit)> = vec![];
        for (r, (target, _)) in f.facts.refs.iter().zip(&targets[fi]) {
            let cat = Catalog::embedded_for(f.lang.family());
            let hits = matcher::hits(cat, f.lang.family(), r, target, &f.facts.star_imports);
            file_hits.extend(hits.into_iter().map(|h| (r, h)));
        }
        matcher::settle_modes(&mut file_hits, |r| r.in_def);
        for (r, h) in file_hits {
            let node = graph.node(fi as u32, r.in_def);
            let labels = graph.intern(&graph::branch_labels(&linker, fi as u32, r));
            let branch = r
                .branch
                .map_or(graph::NO_BRANCH, |b| graph.level_base[fi] + b);
            let function = r.in_def.map(|d| qualified(&f.facts, d)).unwrap_or_default();
            pending.push(Pending {
                finding: Finding {
                    resource: h.resource,
                    kind: h.kind,
                    api: h.api,
                    via: h.via,
                    file: f.rel.clone(),
                    line: r.line,
                    column: r.column,
                    value: h.value,
                    reach: Reach::Unreachable,
                    tools: vec![],
                    part,
                    confidence: if f.minified {
                        Confidence::Low
                    } else {
                        Confidence::High
                    },
                    function,
                    values: vec![],
                    guards: vec![],
                },
                node,
                labels,
                branch,
                value_args: {
                    // A listener names its host and its port: both count.
                    // Dynamic code and deserialisers: the code is the first argument
                    // (catalogued `value = "none"`: no literal to report, but its
                    // provenance tells whether the model chooses it).
                    let eval_arg = (h.kind == Kind::SysEval)
                        .then(|| r.args.pos.first().cloned())
                        .flatten();
                    let mut args = match h.arg.or_else(|| receiver(r, h.kind)).or(eval_arg) {
                        _ if h.kind == Kind::NetListen && h.all_args.len() > 1 => h.all_args,
                        Some(a) => vec![a],
                        None => vec![],
                    };
                    args.extend(shell_script(r, h.kind));
                    (!args.is_empty()).then_some((fi as u32, r.in_def, r.line, args))
                },
            });
        }
    }

    // Values of each finding's key argument, followed to their origin.
    // Tool handlers and the tools each serves (a dispatcher serves several).
    let mut handler_defs: HashMap<(u32, u32), Vec<String>> = HashMap::new();
    for d in &dispatchers {
        handler_defs.entry(*d).or_default();
    }
    let tool_regs = regs.iter().chain(listed.iter());
    for r in tool_regs.filter(|r| r.entry == EntryKind::Tool) {
        let defs: Vec<(u32, u32)> = match &r.handler {
            Handler::Def(f, d) | Handler::Dispatch(f, d) => vec![(*f, *d)],
            Handler::Defs(v) => v.clone(),
            Handler::None => dispatchers.clone(),
        };
        for h in defs {
            handler_defs.entry(h).or_default().push(r.name.clone());
        }
    }
    let values = values::Values::new(&linker, &targets, &handler_defs);
    for p in &mut pending {
        if let Some((fi, in_def, line, args)) = p.value_args.take() {
            for arg in &args {
                for v in values.of(fi, in_def, line, arg) {
                    if !p.finding.values.contains(&v) {
                        p.finding.values.push(v);
                    }
                }
            }
        }
    }

    // Entries. Tools: their handler, or the dispatcher branch named like them.
    let mut tool_entries: BTreeMap<String, (Vec<NodeId>, bool)> = BTreeMap::new();
    let mut tool_sites: BTreeMap<(EntryKind, String), (u32, u32)> = BTreeMap::new();
    let dispatcher_nodes: Vec<NodeId> = dispatchers
        .iter()
        .map(|&(f, d)| graph.node(f, Some(d)))
        .collect();
    let mut handler_entries: Vec<NodeId> = vec![];
    for r in regs.iter().chain(listed.iter()) {
        tool_sites
            .entry((r.entry, r.name.clone()))
            .or_insert((r.file, r.line));
        if r.entry != EntryKind::Tool {
            match &r.handler {
                Handler::Def(f, d) => handler_entries.push(graph.node(*f, Some(*d))),
                Handler::Defs(v) => {
                    handler_entries.extend(v.iter().map(|(f, d)| graph.node(*f, Some(*d))))
                }
                _ => {}
            }
            continue;
        }
        let e = tool_entries
            .entry(r.name.clone())
            .or_insert((vec![], false));
        match &r.handler {
            Handler::Def(f, d) => {
                e.0.push(graph.node(*f, Some(*d)));
                e.1 = true;
            }
            Handler::Defs(v) => {
                e.0.extend(v.iter().map(|(f, d)| graph.node(*f, Some(*d))));
                e.1 = true;
            }
            Handler::Dispatch(f, d) => e.0.push(graph.node(*f, Some(*d))),
            Handler::None => {}
        }
    }
    for (_, e) in tool_entries.iter_mut() {
        if !e.1 {
            e.0.extend(dispatcher_nodes.iter().copied());
        }
    }
    let mut startup: Vec<NodeId> = vec![];
    for (fi, f) in files.iter().enumerate() {
        if parts[fi] != Part::Server {
            continue;
        }
        startup.push(graph.node(fi as u32, None));
        for (di, d) in f.facts.defs.iter().enumerate() {
            // Java / Kotlin / C#: `static void main` is a method of its class.
            let method_main = f.lang.family().compiles_together()
                && d.kind == mcpwarden_lang::DefKind::Method
                && (d.name == "main" || d.name == "Main");
            // Go also runs every package's `func init()` before `main`.
            let go_init = d.name == "init"
                && f.lang.family() == Family::Go
                && d.kind == mcpwarden_lang::DefKind::Function;
            if (d.name == "main" && d.kind == mcpwarden_lang::DefKind::Function)
                || method_main
                || go_init
            {
                startup.push(graph.node(fi as u32, Some(di as u32)));
            }
        }
    }
    for (module, func) in &manifest.py_entries {
        if let Some(fi) = index.resolve_py_abs(module) {
            if let Some(di) = files[fi]
                .facts
                .defs
                .iter()
                .position(|d| &d.name == func && d.parent.is_none())
            {
                startup.push(graph.node(fi as u32, Some(di as u32)));
            }
        }
    }

    // Reachability: precomputed once, then one cheap query per entry.
    let items: Vec<reach::Item> = pending
        .iter()
        .map(|p| reach::Item {
            node: p.node,
            labels: p.labels,
            branch: p.branch,
            kind: p.finding.kind,
            countable: p.finding.part != Part::Test,
        })
        .collect();
    let reachability = reach::Reachability::new(&graph, &items, &tool_names);
    let resolver = resolve::Resolver::new(&graph, &reachability, &linker, &values, &tool_names);
    // Tool indexes per finding (names are filled in at the end: output can be tools × findings).
    let mut reached_by: Vec<Vec<u32>> = vec![vec![]; pending.len()];
    // Functions on a tool's chain to each finding: where a containment check may sit.
    let mut on_chain: Vec<BTreeSet<NodeId>> = vec![BTreeSet::new(); pending.len()];
    let mut tool_reports: Vec<Tool> = vec![];
    for (ti, ((entry, name), (file, line))) in tool_sites.iter().enumerate() {
        let mut t = Tool {
            name: name.clone(),
            file: files[*file as usize].rel.clone(),
            line: *line,
            entry: Some(*entry),
            resources: vec![],
            kinds: vec![],
            chains: vec![],
            handler_found: true,
            description: None,
            annotations: None,
            resolution: None,
        };
        let (entries, tool) = if *entry == EntryKind::Tool {
            (
                tool_entries
                    .get(name)
                    .map(|e| e.0.clone())
                    .unwrap_or_default(),
                Some(name.as_str()),
            )
        } else {
            let handler: Vec<NodeId> = regs
                .iter()
                .find(|r| r.entry == *entry && &r.name == name)
                .map(|r| match &r.handler {
                    Handler::Def(f, d) => vec![graph.node(*f, Some(*d))],
                    Handler::Defs(v) => v.iter().map(|(f, d)| graph.node(*f, Some(*d))).collect(),
                    _ => vec![],
                })
                .unwrap_or_default();
            (handler, None)
        };
        t.handler_found = !entries.is_empty();
        let r = reachability.reach(&entries, tool);
        let mut resources: BTreeSet<Resource> = BTreeSet::new();
        let mut kinds: BTreeSet<Kind> = BTreeSet::new();
        for &i in &r.items {
            if *entry == EntryKind::Tool {
                reached_by[i].push(ti as u32);
            }
            resources.insert(pending[i].finding.resource);
            kinds.insert(pending[i].finding.kind);
        }
        for (_, path, i) in &r.chains {
            on_chain[*i].extend(path.iter().copied());
        }
        t.chains = r
            .chains
            .iter()
            .map(|(k, path, i)| Chain {
                kind: *k,
                steps: chain_text(&graph, &linker, path, &pending[*i].finding),
            })
            .collect();
        t.resources = resources.into_iter().collect();
        t.kinds = kinds.into_iter().collect();
        if let (Some(tool), false) = (tool, t.kinds.is_empty()) {
            t.resolution = resolver.resolve(&entries, tool).map(|r| Resolution {
                param: r.param,
                values: r
                    .values
                    .into_iter()
                    .map(|(value, file, line, w)| {
                        let mut kinds: BTreeSet<Kind> = BTreeSet::new();
                        let mut evidence: BTreeSet<(&str, u32)> = BTreeSet::new();
                        for &i in &w.items {
                            let f = &pending[i].finding;
                            kinds.insert(f.kind);
                            evidence.insert((f.file.as_str(), f.line));
                        }
                        ResolvedValue {
                            value,
                            at: format!("{}:{line}", files[file as usize].rel),
                            kinds: kinds.into_iter().collect(),
                            chains: w
                                .chains
                                .iter()
                                .map(|(k, path, i)| Chain {
                                    kind: *k,
                                    steps: chain_text(&graph, &linker, path, &pending[*i].finding),
                                })
                                .collect(),
                            evidence: evidence
                                .into_iter()
                                .map(|(f, l)| format!("{f}:{l}"))
                                .collect(),
                        }
                    })
                    .collect(),
            });
            // A dispatch whose every value reaches the same kinds splits nothing.
            if let Some(r) = &t.resolution {
                if r.values.iter().all(|v| v.kinds == r.values[0].kinds) {
                    t.resolution = None;
                }
            }
        }
        tool_reports.push(t);
    }
    let mark = |entries: &[NodeId]| -> Vec<bool> {
        let mut hit = vec![false; pending.len()];
        for i in reachability.reach(entries, None).items {
            hit[i] = true;
        }
        hit
    };
    let by_handler = mark(&handler_entries);
    // A server that names no tool in its code (it lists them from a file or a
    // remote at run time) still serves tools/call: its dispatcher is a tool
    // entry, whatever the tools turn out to be called. With tools known, a
    // dispatcher's code is attributed by their walks instead.
    let by_dispatcher = match tool_names.is_empty() {
        true => mark(&dispatcher_nodes),
        false => vec![false; pending.len()],
    };
    let by_startup = mark(&startup);

    let mut resources = ResourceSet::default();
    let mut reachable = ResourceSet::default();
    let mut kinds: BTreeSet<Kind> = BTreeSet::new();
    for (i, p) in pending.iter_mut().enumerate() {
        let f = &mut p.finding;
        let mut names: Vec<String> = reached_by[i]
            .iter()
            .map(|&ti| tool_reports[ti as usize].name.clone())
            .collect();
        names.sort();
        names.dedup();
        f.tools = names;
        f.reach = if f.part == Part::Test {
            f.tools.clear();
            Reach::Test
        } else if !f.tools.is_empty() || by_dispatcher[i] {
            Reach::Tool
        } else if by_handler[i] {
            Reach::Handler
        } else if by_startup[i] {
            Reach::Startup
        } else {
            Reach::Unreachable
        };
        if f.part == Part::Server {
            resources.insert(f.resource);
            kinds.insert(f.kind);
            if f.reach != Reach::Unreachable {
                reachable.insert(f.resource);
            }
        }
    }
    report.resources = resources;
    report.reachable_resources = reachable;
    report.kinds = kinds.into_iter().collect();
    let mut checks = guards::Guards::new(&link_files);
    for (p, nodes) in pending.iter_mut().zip(&on_chain) {
        let (file, def) = graph.def_of(p.node);
        let mut g = checks.around(file, def);
        for &n in nodes {
            let (f, d) = graph.def_of(n);
            g.extend(checks.of(f, d));
        }
        g.sort();
        g.dedup();
        p.finding.guards = g;
    }
    annotations::attach(&linker, &mut tool_reports);
    report.findings = pending.into_iter().map(|p| p.finding).collect();
    report.findings.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.kind).cmp(&(&b.file, b.line, b.column, b.kind))
    });
    tool_reports.sort_by(|a, b| (&a.file, a.line, &a.name).cmp(&(&b.file, b.line, &b.name)));
    let registered = tool_reports
        .iter()
        .filter(|t| t.entry == Some(EntryKind::Tool));
    report.stats.tools_registered = registered.clone().count() as u64;
    report.stats.tools_with_handler = registered.filter(|t| t.handler_found).count() as u64;
    report.tools = tool_reports;
    report.stats.graph_nodes = graph.edges.len() as u64;
    report.stats.graph_edges = graph.edge_count;
    report.stats.edges_by_tier = graph.by_tier;
    report.stats.unresolved_calls = graph.unresolved;
    report.stats.graph_ms = graph_started.elapsed().as_millis() as u64;
}

/// `exec.Command("sh", "-c", script)`, `["bash", "-c", script]`: the script
/// after `-c` is a value of the shell call too (whether the model writes it
/// is what makes it command injection).
fn shell_script(r: &mcpwarden_lang::Ref, kind: Kind) -> Option<mcpwarden_lang::Arg> {
    use mcpwarden_lang::Arg;
    if kind != Kind::SysShell {
        return None;
    }
    let flag = |a: &Arg| matches!(a.as_str(), Some("-c" | "/c" | "/C" | "-Command"));
    let in_list = |items: &[Arg]| {
        let i = items.iter().position(flag)?;
        items.get(i + 1).cloned()
    };
    in_list(&r.args.pos)
}

/// A file operation on a path object (`notes_dir.mkdir()`, `p.read_text()`):
/// the value is the object the method is called on.
fn receiver(r: &mcpwarden_lang::Ref, kind: Kind) -> Option<mcpwarden_lang::Arg> {
    match &r.callee {
        mcpwarden_lang::Callee::Var { name, path }
            if path.len() == 1 && kind.default_resource() == Resource::File =>
        {
            Some(mcpwarden_lang::Arg::Path(mcpwarden_lang::Callee::Var {
                name: name.clone(),
                path: vec![],
            }))
        }
        _ => None,
    }
}

/// `Class.method` / `outer.inner` name of a definition.
fn qualified(facts: &FileFacts, d: u32) -> String {
    let mut parts = vec![];
    let mut cur = Some(d);
    let mut guard = 0;
    while let Some(c) = cur {
        let def = &facts.defs[c as usize];
        parts.push(if def.name.is_empty() {
            "<anonymous>".to_string()
        } else {
            def.name.clone()
        });
        cur = def.parent;
        guard += 1;
        if guard > 32 {
            break;
        }
    }
    parts.reverse();
    parts.join(".")
}

fn chain_text(graph: &Graph, linker: &Linker, path: &[NodeId], f: &Finding) -> Vec<String> {
    let mut steps = vec![];
    for &node in path {
        let (file, def) = graph.def_of(node);
        let lf = &linker.files[file as usize];
        match def {
            Some(d) => {
                let dd = &lf.facts.defs[d as usize];
                steps.push(format!("{}:{} {}", lf.rel, dd.line, qualified(lf.facts, d)));
            }
            None => steps.push(format!("{}:1 <module>", lf.rel)),
        }
    }
    steps.push(format!("{}:{} {}", f.file, f.line, f.api));
    steps
}

/// Which part of the repository each file is: by path (tests, build configs,
/// scripts), then by import reachability from the server's entry modules.
/// The part each file has by its path alone (tests, build configs, scripts).
fn parts_by_path(files: &[Analysed]) -> Vec<Option<Part>> {
    let rels: HashSet<&str> = files.iter().map(|f| f.rel.as_str()).collect();
    files
        .iter()
        .map(|f| match project::part_by_path(&f.rel) {
            // `pkg/commands/setup.py` next to an `__init__.py` is a module of the package.
            Some(Part::Build)
                if f.rel.ends_with("setup.py")
                    && rels.contains(
                        format!("{}__init__.py", &f.rel[..f.rel.len() - "setup.py".len()]).as_str(),
                    ) =>
            {
                None
            }
            p => p,
        })
        .collect()
}

fn assign_parts(
    files: &[Analysed],
    by_path: &[Option<Part>],
    index: &ModuleIndex,
    manifest: &project::Manifest,
    regs: &[Registration],
    listed: &[Registration],
    sdk_files: &[bool],
) -> Vec<Part> {
    let n = files.len();
    let mut entry = vec![false; n];
    for r in regs.iter().chain(listed.iter()) {
        entry[r.file as usize] = true;
    }
    for (i, &s) in sdk_files.iter().enumerate() {
        if s {
            entry[i] = true;
        }
    }
    for e in &manifest.js_entries {
        let e = project::normalize(e).unwrap_or_default();
        if let Some(i) = index.file(&e).or_else(|| twin_source(index, &e)) {
            entry[i] = true;
        }
    }
    for (m, _) in &manifest.py_entries {
        if let Some(i) = index.resolve_py_abs(m) {
            entry[i] = true;
        }
    }
    for (i, f) in files.iter().enumerate() {
        if f.rel.ends_with("__main__.py") {
            entry[i] = true;
        }
    }
    // Tests, build configs and scripts are never server entries.
    for i in 0..n {
        if by_path[i].is_some() {
            entry[i] = false;
        }
    }
    if !entry.iter().any(|e| *e) {
        // Nothing tells us where the server starts: all own code counts.
        return by_path.iter().map(|p| p.unwrap_or(Part::Server)).collect();
    }
    // Import closure from the entries.
    let mut server = entry.clone();
    let mut stack: Vec<usize> = (0..n).filter(|&i| entry[i]).collect();
    while let Some(i) = stack.pop() {
        let f = &files[i];
        for m in &f.facts.imports {
            let targets: Vec<usize> = match f.lang.family() {
                Family::JavaScript => index.resolve_js(&f.rel, m).into_iter().collect(),
                Family::Python => {
                    // Importing `a.b.c` runs `a/__init__`, `a/b/__init__` and `a/b/c`.
                    let mut v = vec![];
                    if let Some(abs) = index.absolute_py(i, &f.rel, m) {
                        let parts: Vec<&str> = abs.split('.').collect();
                        for k in 1..=parts.len() {
                            if let Some(t) = index.resolve_py_abs(&parts[..k].join(".")) {
                                v.push(t);
                            }
                        }
                    }
                    v
                }
                // Compiled together: every file of the package is in (below).
                _ => vec![],
            };
            for t in targets {
                if !server[t] && by_path[t] != Some(Part::Test) && by_path[t] != Some(Part::Build) {
                    server[t] = true;
                    stack.push(t);
                }
            }
        }
    }
    (0..n)
        .map(|i| match (server[i], by_path[i]) {
            (_, Some(Part::Test)) => Part::Test,
            (_, Some(Part::Build)) => Part::Build,
            (true, _) => Part::Server,
            (false, Some(p)) => p,
            // Go packages, Rust crates, JVM and .NET source sets are built whole.
            (false, None) if files[i].lang.family().compiles_together() => Part::Server,
            (false, None) => Part::Orphan,
        })
        .collect()
}

/// `package/dist/cli.js` named by package.json when only `package/src/cli.ts` was kept:
/// replace the output folder by `src/` (or nothing) and try the source extensions.
fn twin_source(index: &ModuleIndex, rel: &str) -> Option<usize> {
    let stem = rel.rsplit_once('.').map(|(s, _)| s).unwrap_or(rel);
    let parts: Vec<&str> = stem.split('/').collect();
    let out = parts
        .iter()
        .position(|p| ["dist", "build", "out", "lib", "esm", "cjs"].contains(p))?;
    let before = parts[..out].join("/");
    let after = parts[out + 1..].join("/");
    for mid in ["src", "", "lib"] {
        let base = [before.as_str(), mid, after.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("/");
        for ext in ["ts", "tsx", "mts", "js", "mjs"] {
            if let Some(i) = index.file(&format!("{base}.{ext}")) {
                return Some(i);
            }
        }
    }
    None
}

/// A bundle's own code names what its inlined packages declare as unbound
/// globals (`new Exa2(key)` once `var Exa2 = class` of exa-js is blanked out):
/// they are that package's exports, as if imported, so its catalogue rows apply.
fn as_imported(facts: &mut FileFacts, inlined: &[(String, String)]) {
    if inlined.is_empty() {
        return;
    }
    // A polyfill that declares a runtime global (`function fetch(…)`) does not
    // take over the global the server calls.
    const RUNTIME: &[&str] = &[
        "fetch",
        "require",
        "process",
        "Buffer",
        "console",
        "module",
        "exports",
        "global",
        "globalThis",
        "setTimeout",
        "setInterval",
        "URL",
        "WebSocket",
        "XMLHttpRequest",
        "eval",
        "Function",
        "Promise",
        "Object",
        "Array",
        "JSON",
    ];
    let by_name: HashMap<&str, &str> = inlined
        .iter()
        .filter(|(n, _)| !RUNTIME.contains(&n.as_str()))
        .map(|(n, p)| (n.as_str(), p.as_str()))
        .collect();
    facts.map_callees(&mut |c| {
        let Callee::Global { path } = c else { return };
        let Some(pkg) = path.first().and_then(|n| by_name.get(n.as_str())) else {
            return;
        };
        *c = Callee::Import {
            module: pkg.to_string(),
            path: std::mem::take(path),
        };
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A webpack ESM bundle parsed module by module gives the facts of one parse:
    /// the same references, at the same lines, in definitions of the same names.
    #[test]
    fn chunked_bundles_extract_like_one_parse() {
        let src = r#"import * as __WEBPACK_EXTERNAL_MODULE_child_process__ from "child_process";
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 101
(module, exports, __webpack_require__) {
const fs = __webpack_require__(7);
function readIt(p) { return require("fs").readFileSync(p, "utf8"); }
exports.readIt = readIt;
/***/ },

/***/ 102
(module) {
module.exports = { run: (c) => __WEBPACK_EXTERNAL_MODULE_child_process__.execSync(c) };
/***/ },

/***/ "./src/net.js":
/***/ ((module) => {
module.exports = () => fetch("https://example.com/x");
/***/ }),

/******/ });
/******/ var __webpack_module_cache__ = {};
/******/ function __webpack_require__(id) { return __webpack_modules__[id]; }
const req = __WEBPACK_EXTERNAL_createRequire(import.meta.url);
"#;
        let whole = extract_one(Lang::JavaScript, src.as_bytes(), false).unwrap();
        let parts = extract_file_chunked(Lang::JavaScript, src.as_bytes(), false, 0).unwrap();
        let view = |f: &FileFacts| {
            let mut v: Vec<(u32, String, Option<String>)> = f
                .refs
                .iter()
                .map(|r| {
                    (
                        r.line,
                        format!("{:?}", r.callee).replace(|c: char| c.is_ascii_digit(), ""),
                        r.in_def.map(|d| f.defs[d as usize].name.clone()),
                    )
                })
                .collect();
            v.sort();
            v
        };
        assert!(!whole.refs.is_empty());
        assert_eq!(view(&whole), view(&parts));
        let defs = |f: &FileFacts| {
            let mut v: Vec<(String, u32, Option<String>)> = f
                .defs
                .iter()
                .map(|d| {
                    (
                        d.name.clone(),
                        d.line,
                        d.parent.map(|p| f.defs[p as usize].name.clone()),
                    )
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(defs(&whole), defs(&parts));
        assert!(parts.refs.iter().any(|r| r.line == 14 && matches!(&r.callee, mcpwarden_lang::Callee::Import { module, path } if module == "child_process" && path == &["execSync"])));
    }
}
