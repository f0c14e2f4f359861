//! One measurement run: collect, scan and store every server of a list.
//!
//! `jobs` worker threads each take the next server (from the store's queue:
//! the list in order, or claims shared with other processes for PostgreSQL),
//! collect it (network or cache) and scan it; the scan itself runs on rayon's pool, so file-level
//! parallelism is shared between the servers being scanned. Finished results
//! go over a small bounded channel to the calling thread, the only writer,
//! which stores them in batched transactions. Memory is therefore bounded by
//! `jobs` servers in flight plus one waiting in the channel. A panic in the
//! collector or scanner is caught and stored as that server's error: one bad
//! package never stops a run.

use crate::backend::{Claims, ResultStore};
use crate::categories::{Taxonomy, Text};
use crate::popularity;
use crate::store::{Assessed, ErrorInfo, RunTotals, ServerRecord, Status, StoreError};
use mcpwarden_analyze::{scan, Options, ScanError};
use mcpwarden_collect::{collect, Collected, Config, ListEntry, Source};
use mcpwarden_model::ServerReport;
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Instant;

/// Results written per transaction at most (more when they arrive together).
const BATCH: usize = 64;

/// Stack of the worker threads and of rayon's pool. The scan recurses over
/// syntax trees and call graphs; the 2 MiB default of spawned threads (the
/// main thread of `mcpwarden scan` has 8) overflowed on a real package,
/// which aborts the whole run. Only touched pages cost memory.
const STACK: usize = 64 << 20;

/// A shared run gives a package to this many workers at most: one that kills
/// every worker measuring it (memory, a hang) is then stored as an error.
const MAX_ATTEMPTS: u32 = 3;

#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Servers in flight at once (each collected, then scanned, by one worker).
    pub jobs: usize,
    /// Scan again what is already stored for this analyser.
    pub rescan: bool,
    /// Only the first N distinct servers of the list.
    pub limit: Option<usize>,
    pub scan: Options,
    /// What the run measured (the list path), for the `runs` table.
    pub input: String,
    /// The options as given, stored with the run.
    pub options: serde_json::Value,
    /// Names the shared run (PostgreSQL); default: derived from the list.
    pub run_key: Option<String>,
    /// Wait after each server (tests use it to kill a worker mid-run).
    pub pause: std::time::Duration,
}

/// What the caller hears about, on the writer thread.
pub enum Event<'a> {
    /// Work is about to start: `todo` servers to process, `resumed` already stored.
    Started {
        todo: usize,
        resumed: usize,
        duplicates: usize,
    },
    /// One server stored (`done` of `todo` by this process).
    Stored {
        record: &'a ServerRecord,
        done: usize,
        todo: usize,
        /// With a shared (PostgreSQL) run: packages of the whole run done,
        /// by all workers, and in all, as of the last batch written.
        shared: Option<(u64, u64)>,
    },
}

#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub run_id: i64,
    pub totals: RunTotals,
    pub duplicates: u64,
    /// `stage/reason` -> servers.
    pub failures: BTreeMap<String, u64>,
}

/// Measure `entries` into `store`. With a shared store (PostgreSQL) the
/// work is claimed from the queue that every worker of the same list shares;
/// otherwise this process does the whole list.
pub fn measure(
    store: &mut dyn ResultStore,
    cfg: &Config,
    entries: Vec<ListEntry>,
    opts: &RunOptions,
    progress: &mut dyn FnMut(Event),
) -> Result<Summary, StoreError> {
    let started = Instant::now();
    let mut seen = HashSet::new();
    let mut duplicates = 0u64;
    let mut distinct = vec![];
    for e in entries {
        let key = e.source.key();
        if seen.insert(key.clone()) {
            distinct.push((key, e));
        } else {
            duplicates += 1;
        }
    }
    if let Some(n) = opts.limit {
        distinct.truncate(n);
    }
    let total = distinct.len();
    let run_key = opts
        .run_key
        .clone()
        .unwrap_or_else(|| run_key(store.analyser(), opts.rescan, &distinct));
    let (order, todo, resumed) = to_do(store, distinct, opts.rescan)?;
    let run_id = store.begin_run(&opts.input, &opts.options)?;
    let mut summary = Summary {
        run_id,
        duplicates,
        ..Default::default()
    };
    summary.totals.total = total as u64;
    summary.totals.resumed = resumed as u64;
    progress(Event::Started {
        todo: todo.len(),
        resumed,
        duplicates: duplicates as usize,
    });
    let claims = store.claims(&run_key, &order)?;
    // The first pool built wins; a caller that built its own keeps it.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK)
        .build_global();
    let jobs = opts.jobs.clamp(1, 256).min(todo.len().max(1));
    let n_todo = todo.len();
    let stop = AtomicBool::new(false);
    let mut failure = None;
    let analyser = store.analyser().to_string();
    let work = Workers {
        cfg,
        opts,
        analyser: &analyser,
        todo: &todo,
        claims: claims.as_ref(),
        stop: &stop,
    };
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<Result<ServerRecord, StoreError>>(1);
        for _ in 0..jobs {
            let (tx, work) = (tx.clone(), &work);
            let spawned = std::thread::Builder::new()
                .stack_size(STACK)
                .spawn_scoped(scope, move || work.run(tx));
            if let Err(e) = spawned {
                failure = Some(StoreError(format!("starting a worker thread: {e}")));
                stop.store(true, Ordering::Relaxed);
            }
        }
        drop(tx);
        let mut done = 0;
        let mut on_stored = |r: &ServerRecord, shared| {
            done += 1;
            count(&mut summary, r);
            progress(Event::Stored {
                record: r,
                done,
                todo: n_todo.max(done),
                shared,
            });
        };
        if let Err(e) = write_results(store, run_id, &rx, &mut on_stored) {
            failure = Some(e);
        }
        // The store is unusable (disk full, locked, gone) or a claim failed:
        // stop, keep what is committed.
        stop.store(true, Ordering::Relaxed);
        drop(rx);
    });
    drop(claims);
    summary.totals.elapsed_ms = started.elapsed().as_millis() as u64;
    if let Some(e) = failure {
        return Err(e);
    }
    store.finish_run(run_id, &summary.totals)?;
    Ok(summary)
}

/// What each worker thread shares.
struct Workers<'a> {
    cfg: &'a Config,
    opts: &'a RunOptions,
    /// The store's analyser, named in each derived manifest.
    analyser: &'a str,
    todo: &'a HashMap<String, ListEntry>,
    claims: &'a dyn Claims,
    stop: &'a AtomicBool,
}

impl Workers<'_> {
    /// Claims, measures and sends results until the queue is empty or the run stops.
    fn run(&self, tx: mpsc::SyncSender<Result<ServerRecord, StoreError>>) {
        while !self.stop.load(Ordering::Relaxed) {
            let claim = match self.claims.next() {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    break;
                }
            };
            let key = &claim.key;
            let entry = self
                .todo
                .get(key)
                .cloned()
                .unwrap_or_else(|| bare_entry(key));
            let rec = if claim.attempts > MAX_ATTEMPTS {
                abandoned(&entry, key, claim.attempts)
            } else {
                process(self.cfg, &entry, key, &self.opts.scan, self.analyser)
            };
            std::thread::sleep(self.opts.pause);
            if tx.send(Ok(rec)).is_err() {
                break;
            }
        }
    }
}

/// `(done, total)` of a shared run, when the store shares it.
type SharedProgress = Option<(u64, u64)>;

/// The single writer: stores results in batches of what has arrived, and
/// reports each stored one; stops at the first error (a worker's or the store's).
fn write_results(
    store: &mut dyn ResultStore,
    run_id: i64,
    rx: &mpsc::Receiver<Result<ServerRecord, StoreError>>,
    on_stored: &mut dyn FnMut(&ServerRecord, SharedProgress),
) -> Result<(), StoreError> {
    let mut batch: Vec<ServerRecord> = Vec::with_capacity(BATCH);
    while let Ok(first) = rx.recv() {
        let mut next = Some(first);
        while let Some(item) = next.take() {
            batch.push(item?);
            if batch.len() < BATCH {
                next = rx.try_recv().ok();
            }
        }
        store.write(run_id, &batch)?;
        let shared = store.run_progress()?;
        for r in batch.drain(..) {
            on_stored(&r, shared);
        }
    }
    Ok(())
}

type ToDo = (Vec<String>, HashMap<String, ListEntry>, usize);

/// What is left of the list: keys in list order, their entries, and how
/// many are already stored (a pinned version must match; errors never count).
fn to_do(
    store: &mut dyn ResultStore,
    distinct: Vec<(String, ListEntry)>,
    rescan: bool,
) -> Result<ToDo, StoreError> {
    let stored: HashSet<(String, String)> = if rescan {
        HashSet::new()
    } else {
        store.stored_sources()?.into_iter().collect()
    };
    let any_version: HashSet<&str> = stored.iter().map(|(s, _)| s.as_str()).collect();
    let mut todo = HashMap::new();
    let mut order = vec![];
    let mut resumed = 0usize;
    for (key, e) in distinct {
        let done = match pinned(&e.source) {
            Some(v) => stored.contains(&(key.clone(), v.to_string())),
            None => any_version.contains(key.as_str()),
        };
        if done {
            resumed += 1;
        } else {
            order.push(key.clone());
            todo.insert(key, e);
        }
    }
    Ok((order, todo, resumed))
}

/// Names a shared run: the analyser, `--rescan` and the list's sources, so
/// workers started with the same list join the same run (FNV-1a, 64 bits).
fn run_key(analyser: &str, rescan: bool, list: &[(String, ListEntry)]) -> String {
    let mut keys: Vec<&str> = list.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    let flag = if rescan { "rescan" } else { "" };
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [analyser, flag].into_iter().chain(keys) {
        for b in part.bytes().chain(std::iter::once(0)) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("list-{h:016x}")
}

/// A queue row this process's list does not have (another worker's list
/// differs): measured from its source alone.
fn bare_entry(key: &str) -> ListEntry {
    ListEntry {
        line: 0,
        source: Source::parse(key).unwrap_or_else(|_| Source::Dir(key.into())),
        category: None,
        popularity: None,
        extra: Default::default(),
    }
}

fn count(s: &mut Summary, r: &ServerRecord) {
    match r.from_cache {
        Some(true) => s.totals.cached += 1,
        Some(false) => s.totals.downloaded += 1,
        None => {}
    }
    match r.status() {
        Status::Ok => s.totals.scanned += 1,
        Status::Opaque => {
            s.totals.scanned += 1;
            s.totals.opaque += 1;
        }
        Status::Error => {
            s.totals.failed += 1;
            if let Some(e) = &r.error {
                *s.failures
                    .entry(format!("{}/{}", e.stage, e.kind))
                    .or_default() += 1;
            }
        }
    }
}

/// The version a source asks for, if pinned (what resumability compares).
fn pinned(s: &Source) -> Option<&str> {
    match s {
        Source::Npm { version, .. }
        | Source::Pypi { version, .. }
        | Source::Crates { version, .. } => version.as_deref(),
        Source::Git { rev, .. } => rev.as_deref(),
        Source::Dir(_) => None,
    }
}

fn source_name(s: &Source) -> String {
    match s {
        Source::Npm { name, .. } | Source::Pypi { name, .. } | Source::Crates { name, .. } => {
            name.clone()
        }
        Source::Git { url, subdir, .. } => match subdir {
            Some(d) => format!("{url}#{d}"),
            None => url.clone(),
        },
        Source::Dir(p) => p
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| p.display().to_string()),
    }
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

fn scan_kind(e: &ScanError) -> &'static str {
    match e {
        ScanError::NotFound(_) => "not-found",
        ScanError::NotADirectory(_) => "not-a-directory",
        ScanError::Io(_) => "io",
    }
}

/// Collect, scan and assess one server; never fails, an error is part of the
/// record. The manifest and trust assessment are made here, while the
/// collected tree exists (an archive's tree is removed when `collected` drops).
pub fn process(
    cfg: &Config,
    entry: &ListEntry,
    key: &str,
    scan_opts: &Options,
    analyser: &str,
) -> ServerRecord {
    let t0 = Instant::now();
    let collected = catch_unwind(AssertUnwindSafe(|| collect(cfg, &entry.source)));
    let collect_ms = t0.elapsed().as_millis() as u64;
    let collected: Collected = match collected {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            return failed(
                entry,
                key,
                None,
                collect_ms,
                ErrorInfo {
                    stage: "collect".into(),
                    kind: e.kind().to_string(),
                    message: e.to_string(),
                },
            )
        }
        Err(p) => {
            return failed(
                entry,
                key,
                None,
                collect_ms,
                ErrorInfo {
                    stage: "collect".into(),
                    kind: "panic".into(),
                    message: panic_message(p),
                },
            )
        }
    };
    let t1 = Instant::now();
    let scanned = catch_unwind(AssertUnwindSafe(|| scan(&collected.root, scan_opts)));
    let scan_ms = t1.elapsed().as_millis() as u64;
    let report = match scanned {
        Ok(Ok(mut r)) => {
            r.skipped.extend(crate::archive::skipped(&collected));
            r.skipped.sort();
            r
        }
        Ok(Err(e)) => {
            let err = ErrorInfo {
                stage: "scan".into(),
                kind: scan_kind(&e).into(),
                message: e.to_string(),
            };
            return failed(entry, key, Some(&collected), collect_ms, err);
        }
        Err(p) => {
            return failed(
                entry,
                key,
                Some(&collected),
                collect_ms,
                ErrorInfo {
                    stage: "scan".into(),
                    kind: "panic".into(),
                    message: panic_message(p),
                },
            )
        }
    };
    let t2 = Instant::now();
    let assessed = catch_unwind(AssertUnwindSafe(|| {
        Assessed::of(&report, key, analyser, Some(&collected.root))
    }));
    let assess_ms = t2.elapsed().as_millis() as u64;
    let assessed = match assessed {
        Ok(a) => a,
        Err(p) => {
            let err = ErrorInfo {
                stage: "assess".into(),
                kind: "panic".into(),
                message: panic_message(p),
            };
            return failed(entry, key, Some(&collected), collect_ms, err);
        }
    };
    let mut rec = build(
        entry,
        key,
        Some(&collected),
        collect_ms,
        scan_ms,
        Some(report),
        None,
    );
    rec.assessed = Some(assessed);
    if let serde_json::Value::Object(m) = &mut rec.metadata {
        m.insert("assess_ms".into(), json!(assess_ms));
    }
    rec
}

/// The record of a package whose earlier workers all died measuring it.
fn abandoned(entry: &ListEntry, key: &str, attempts: u32) -> ServerRecord {
    let err = ErrorInfo {
        stage: "claim".into(),
        kind: "abandoned".into(),
        message: format!(
            "{key}: {} workers stopped while measuring it (killed, out of memory or hung); not tried again",
            attempts - 1
        ),
    };
    failed(entry, key, None, 0, err)
}

fn failed(
    entry: &ListEntry,
    key: &str,
    collected: Option<&Collected>,
    collect_ms: u64,
    err: ErrorInfo,
) -> ServerRecord {
    build(entry, key, collected, collect_ms, 0, None, Some(err))
}

fn list_text<'a>(entry: &'a ListEntry, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| {
            entry
                .extra
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.as_str())
        })
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn build(
    entry: &ListEntry,
    key: &str,
    c: Option<&Collected>,
    collect_ms: u64,
    scan_ms: u64,
    report: Option<ServerReport>,
    error: Option<ErrorInfo>,
) -> ServerRecord {
    let registry = c
        .map(|c| c.registry.clone())
        .unwrap_or_else(|| entry.source.registry().to_string());
    let name = c
        .map(|c| c.name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| source_name(&entry.source));
    let version = c
        .map(|c| c.version.clone())
        .or_else(|| pinned(&entry.source).map(str::to_string))
        .unwrap_or_default();
    let list_summary = list_text(entry, &["summary", "description"]);
    let summary = c
        .and_then(|c| c.summary.as_deref())
        .filter(|s| !s.trim().is_empty())
        .or(list_summary);
    let no_keywords = vec![];
    let keywords = c.map(|c| &c.keywords).unwrap_or(&no_keywords);
    let cls = Taxonomy::embedded().classify(
        entry.category.as_deref(),
        &Text {
            name: &name,
            summary,
            keywords,
            readme: c.and_then(|c| c.readme.as_deref()),
        },
    );
    let pop = popularity::classify(
        entry.source.registry(),
        entry.popularity.as_deref(),
        &entry.extra,
    );
    let mut meta = serde_json::Map::new();
    if let Some(s) = summary {
        meta.insert("summary".into(), json!(s));
    }
    if !keywords.is_empty() {
        meta.insert("keywords".into(), json!(keywords));
    }
    if !entry.extra.is_empty() {
        meta.insert("extra".into(), json!(entry.extra));
    }
    meta.insert("category_score".into(), json!(cls.score));
    if let Some(r) = &report {
        if !r.opaque.is_empty() {
            meta.insert("opaque".into(), json!(r.opaque));
        }
        if !r.bundled.is_empty() {
            meta.insert("bundled".into(), json!(r.bundled));
        }
        meta.insert("parsed_files".into(), json!(r.stats.parsed));
    }
    if let Some(c) = c.filter(|c| !c.is_temporary()) {
        meta.insert("root".into(), json!(c.root.display().to_string()));
    }
    ServerRecord {
        source: key.to_string(),
        registry,
        name,
        version,
        category: cls.category,
        category_source: cls.source.to_string(),
        category_confidence: cls.confidence,
        popularity: pop,
        error,
        collect_ms,
        scan_ms,
        digest: c.map(|c| c.digest.clone()).filter(|d| !d.is_empty()),
        from_cache: c.map(|c| c.from_cache),
        list_line: Some(entry.line),
        metadata: serde_json::Value::Object(meta),
        report,
        assessed: None,
    }
}
