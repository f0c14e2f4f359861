//! One interface over the two result stores: SQLite (`store`, the default,
//! one file) and PostgreSQL (`pg`, `--db postgres://…`, shared by any number
//! of `measure` processes on any number of machines). `run` drives either
//! through [`ResultStore`]; `report` and `export` read a SQLite [`Store`],
//! which for PostgreSQL is a snapshot taken by [`open_read`].

use crate::pg::PgStore;
use crate::store::{Result, RunTotals, ServerRecord, Store, StoreError};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// What a measurement run needs from a store.
pub trait ResultStore {
    fn analyser(&self) -> &str;
    /// Where the results go, for messages (passwords left out).
    fn describe(&self) -> String;
    fn begin_run(&mut self, input: &str, options: &serde_json::Value) -> Result<i64>;
    fn finish_run(&mut self, run: i64, totals: &RunTotals) -> Result<()>;
    /// `(source, version)` of every result (errors excepted) of this analyser.
    fn stored_sources(&mut self) -> Result<Vec<(String, String)>>;
    /// The work queue for `keys` (source keys to process). `run_key` names the
    /// shared run: workers given the same list get the same key and share the work.
    fn claims(&mut self, run_key: &str, keys: &[String]) -> Result<Box<dyn Claims>>;
    /// Stores results in one transaction; returns how many were kept (a
    /// result whose claim another worker took over is dropped).
    fn write(&mut self, run: i64, records: &[ServerRecord]) -> Result<usize>;
    /// `(done, total)` packages of the shared run, by every worker; `None`
    /// when this process has the run to itself.
    fn run_progress(&mut self) -> Result<Option<(u64, u64)>> {
        Ok(None)
    }
}

/// Hands out source keys to worker threads.
pub trait Claims: Send + Sync {
    /// The next key, or `None` when nothing is left for this process.
    fn next(&self) -> Result<Option<Claim>>;
}

/// One unit of work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub key: String,
    /// How many workers have taken it, this one included: more than one
    /// means earlier workers died (or stalled) while measuring it.
    pub attempts: u32,
}

/// In-process queue: each key once, in order.
pub struct LocalClaims {
    keys: Vec<String>,
    next: AtomicUsize,
}

impl LocalClaims {
    pub fn new(keys: &[String]) -> LocalClaims {
        LocalClaims {
            keys: keys.to_vec(),
            next: AtomicUsize::new(0),
        }
    }
}

impl Claims for LocalClaims {
    fn next(&self) -> Result<Option<Claim>> {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        Ok(self.keys.get(i).map(|k| Claim {
            key: k.clone(),
            attempts: 1,
        }))
    }
}

impl ResultStore for Store {
    fn analyser(&self) -> &str {
        Store::analyser(self)
    }
    fn describe(&self) -> String {
        self.path().to_string()
    }
    fn begin_run(&mut self, input: &str, options: &serde_json::Value) -> Result<i64> {
        Store::begin_run(self, input, options)
    }
    fn finish_run(&mut self, run: i64, totals: &RunTotals) -> Result<()> {
        Store::finish_run(self, run, totals)
    }
    fn stored_sources(&mut self) -> Result<Vec<(String, String)>> {
        Store::stored_sources(self)
    }
    fn claims(&mut self, _run_key: &str, keys: &[String]) -> Result<Box<dyn Claims>> {
        Ok(Box::new(LocalClaims::new(keys)))
    }
    fn write(&mut self, run: i64, records: &[ServerRecord]) -> Result<usize> {
        Store::write(self, run, records)?;
        Ok(records.len())
    }
}

/// Whether `--db` names a PostgreSQL server rather than a SQLite file.
pub fn is_postgres(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// Settings of the shared (PostgreSQL) store.
#[derive(Clone, Copy, Debug)]
pub struct SharedOptions {
    /// How long a claim lives without a heartbeat (a heartbeat renews it every third of this).
    pub lease: Duration,
}

impl Default for SharedOptions {
    fn default() -> Self {
        SharedOptions {
            lease: Duration::from_secs(120),
        }
    }
}

/// Opens (creating if needed) the store `db` names for writing.
pub fn open(db: &str, analyser: &str, shared: SharedOptions) -> Result<Box<dyn ResultStore>> {
    if is_postgres(db) {
        Ok(Box::new(PgStore::open(db, analyser, shared)?))
    } else {
        Ok(Box::new(Store::open(Path::new(db), analyser)?))
    }
}

/// Opens `db` for reading: a SQLite file as it is, a PostgreSQL store as an
/// in-memory SQLite snapshot of its tables (so every report query is written once).
pub fn open_read(db: &str) -> Result<Store> {
    if is_postgres(db) {
        crate::pg::snapshot(db)
    } else {
        Store::open_read(Path::new(db))
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        StoreError(format!("postgres: {}", pg_message(&e)))
    }
}

/// The server's message with its detail, or the client's error text.
fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => match d.detail() {
            Some(detail) => format!("{} ({detail})", d.message()),
            None => d.message().to_string(),
        },
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(x) = src {
                s.push_str(&format!(": {x}"));
                src = x.source();
            }
            s
        }
    }
}
