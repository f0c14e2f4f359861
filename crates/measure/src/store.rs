//! The result store's SQLite backend (the default): one file that anyone can
//! query with `sqlite3` (schema documented in `docs/store.md`). Only one
//! thread writes, in transactions; a rerun asks `is_stored` before collecting
//! anything. `SCHEMA` is the one definition of the tables: the PostgreSQL
//! backend (`pg`) translates it, and `rows` builds what a result writes.

use crate::popularity::Popularity;
use crate::rows::{self, Val};
use mcpwarden_model::{ServerReport, Tool};
use mcpwarden_policy::trust::Assessment;
use mcpwarden_policy::Manifest;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

/// Bumped whenever a table or column changes meaning; a newer file is refused.
pub const SCHEMA_VERSION: i64 = 3;
/// Older schema versions this mcpwarden still reads; `open` upgrades them in
/// place (v2 added `servers.tools_with_handler`, v3 the tables `trust` and
/// `trust_items`), and reading one shows its missing tables empty.
pub(crate) const OLDEST_READABLE: i64 = 1;

pub(crate) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
  id               INTEGER PRIMARY KEY,
  started_at       TEXT NOT NULL,
  finished_at      TEXT,
  input            TEXT NOT NULL,
  analyser_version TEXT NOT NULL,
  options          TEXT NOT NULL DEFAULT '{}',
  total            INTEGER NOT NULL DEFAULT 0,
  resumed          INTEGER NOT NULL DEFAULT 0,
  downloaded       INTEGER NOT NULL DEFAULT 0,
  cached           INTEGER NOT NULL DEFAULT 0,
  scanned          INTEGER NOT NULL DEFAULT 0,
  opaque           INTEGER NOT NULL DEFAULT 0,
  failed           INTEGER NOT NULL DEFAULT 0,
  elapsed_ms       INTEGER
);
CREATE TABLE IF NOT EXISTS servers (
  id                  INTEGER PRIMARY KEY,
  run_id              INTEGER NOT NULL REFERENCES runs(id),
  source              TEXT NOT NULL,
  registry            TEXT NOT NULL,
  name                TEXT NOT NULL,
  version             TEXT NOT NULL DEFAULT '',
  analyser_version    TEXT NOT NULL,
  status              TEXT NOT NULL CHECK (status IN ('ok', 'error', 'opaque')),
  error_stage         TEXT,
  error_kind          TEXT,
  error_message       TEXT,
  category            TEXT NOT NULL,
  category_source     TEXT NOT NULL,
  category_confidence REAL NOT NULL,
  popularity_raw      TEXT,
  popularity_kind     TEXT NOT NULL,
  popularity_band     TEXT NOT NULL,
  languages           TEXT NOT NULL DEFAULT '',
  sdk                 TEXT NOT NULL DEFAULT '',
  network             INTEGER,
  system              INTEGER,
  file                INTEGER,
  memory              INTEGER,
  reach_network       INTEGER,
  reach_system        INTEGER,
  reach_file          INTEGER,
  reach_memory        INTEGER,
  classes             INTEGER,
  kinds               TEXT NOT NULL DEFAULT '',
  call_sites          INTEGER,
  tool_count          INTEGER,
  files               INTEGER,
  bytes               INTEGER,
  collect_ms          INTEGER,
  scan_ms             INTEGER,
  digest              TEXT,
  from_cache          INTEGER,
  list_line           INTEGER,
  scanned_at          TEXT NOT NULL,
  metadata            TEXT NOT NULL DEFAULT '{}',
  tools_with_handler  INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS servers_key ON servers(source, version, analyser_version);
CREATE INDEX IF NOT EXISTS servers_status ON servers(status);
CREATE INDEX IF NOT EXISTS servers_category ON servers(category);
CREATE INDEX IF NOT EXISTS servers_name ON servers(registry, name);
CREATE TABLE IF NOT EXISTS findings (
  id         INTEGER PRIMARY KEY,
  server_id  INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
  resource   TEXT NOT NULL,
  kind       TEXT NOT NULL,
  api        TEXT NOT NULL,
  via        TEXT,
  file       TEXT NOT NULL,
  line       INTEGER NOT NULL,
  col        INTEGER NOT NULL,
  value      TEXT,
  reach      TEXT NOT NULL,
  part       TEXT NOT NULL,
  confidence TEXT NOT NULL,
  function   TEXT NOT NULL DEFAULT '',
  tools      TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS findings_server ON findings(server_id);
CREATE INDEX IF NOT EXISTS findings_kind ON findings(kind, part);
CREATE INDEX IF NOT EXISTS findings_api ON findings(api);
CREATE TABLE IF NOT EXISTS tools (
  id            INTEGER PRIMARY KEY,
  server_id     INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  entry         TEXT NOT NULL,
  def_file      TEXT NOT NULL,
  def_line      INTEGER NOT NULL,
  handler_found INTEGER NOT NULL,
  network       INTEGER NOT NULL,
  system        INTEGER NOT NULL,
  file          INTEGER NOT NULL,
  memory        INTEGER NOT NULL,
  kinds         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS tools_server ON tools(server_id);
CREATE TABLE IF NOT EXISTS tool_kinds (
  tool_id   INTEGER NOT NULL REFERENCES tools(id) ON DELETE CASCADE,
  server_id INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
  kind      TEXT NOT NULL,
  PRIMARY KEY (tool_id, kind)
);
CREATE INDEX IF NOT EXISTS tool_kinds_server ON tool_kinds(server_id);
CREATE INDEX IF NOT EXISTS tool_kinds_kind ON tool_kinds(kind);
CREATE TABLE IF NOT EXISTS skipped (
  server_id INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
  path      TEXT NOT NULL,
  reason    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS skipped_server ON skipped(server_id);
CREATE TABLE IF NOT EXISTS opaque (
  server_id INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
  path      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS opaque_server ON opaque(server_id);
-- The least-privilege manifest derived from each server's report
-- (mcpwarden/manifest/v1 JSON), and its items flattened for queries:
-- `tool` is '' for the server-level union.
CREATE TABLE IF NOT EXISTS manifests (
  server_id INTEGER NOT NULL PRIMARY KEY REFERENCES servers(id) ON DELETE CASCADE,
  doc       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS manifest_items (
  server_id  INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
  tool       TEXT NOT NULL,
  class      TEXT NOT NULL CHECK (class IN ('connect', 'listen', 'exec', 'env', 'fs', 'native')),
  value      TEXT NOT NULL,
  provenance TEXT NOT NULL,
  secret     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS manifest_items_server ON manifest_items(server_id);
CREATE INDEX IF NOT EXISTS manifest_items_class ON manifest_items(class, value);
-- The trust assessment of each server (mcpwarden/trust/v1 JSON) with its
-- score, grade and counts (schema v3).
CREATE TABLE IF NOT EXISTS trust (
  server_id       INTEGER NOT NULL PRIMARY KEY REFERENCES servers(id) ON DELETE CASCADE,
  score           INTEGER NOT NULL,
  grade           TEXT NOT NULL,
  capped_by       TEXT NOT NULL DEFAULT '',
  tools           INTEGER NOT NULL,
  flows           INTEGER NOT NULL,
  unguarded_flows INTEGER NOT NULL,
  install         INTEGER NOT NULL,
  contradictions  INTEGER NOT NULL,
  incidental      INTEGER NOT NULL,
  doc             TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS trust_grade ON trust(grade);
-- One row per risky flow, install-time item and contradicted annotation:
-- `type` is the sink (`command-injection`), the install kind (`npm-script`)
-- or the hint (`readOnlyHint`); `kind` the scanner kind behind it.
CREATE TABLE IF NOT EXISTS trust_items (
  server_id  INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
  item       TEXT NOT NULL CHECK (item IN ('flow', 'install', 'contradiction')),
  type       TEXT NOT NULL,
  tool       TEXT NOT NULL DEFAULT '',
  param      TEXT NOT NULL DEFAULT '',
  kind       TEXT NOT NULL DEFAULT '',
  guarded    INTEGER NOT NULL DEFAULT 0,
  incidental INTEGER NOT NULL DEFAULT 0,
  scored     INTEGER NOT NULL DEFAULT 1,
  detail     TEXT NOT NULL DEFAULT '',
  file       TEXT NOT NULL DEFAULT '',
  line       INTEGER
);
CREATE INDEX IF NOT EXISTS trust_items_server ON trust_items(server_id);
CREATE INDEX IF NOT EXISTS trust_items_type ON trust_items(item, type);
-- What reports read: the newest row of each source (a rescan with a newer
-- analyser, or of a newer unpinned version, supersedes older rows).
CREATE VIEW IF NOT EXISTS current_servers AS
  SELECT * FROM servers WHERE id IN (SELECT max(id) FROM servers GROUP BY source);
"#;

#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError(format!("database: {e}"))
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Ok,
    Error,
    /// Scanned, but the package ships native executables or libraries whose
    /// behaviour no source analysis can see.
    Opaque,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Ok, Status::Opaque, Status::Error];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Error => "error",
            Status::Opaque => "opaque",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorInfo {
    /// `list`, `collect`, `scan`.
    pub stage: String,
    /// A short stable reason (`not-found`, `network`, `too-large`, `panic`, ...).
    pub kind: String,
    pub message: String,
}

/// One server's result, ready to be written.
#[derive(Clone, Debug)]
pub struct ServerRecord {
    pub source: String,
    pub registry: String,
    pub name: String,
    /// Empty when the version could not be resolved (collection failed).
    pub version: String,
    pub category: String,
    pub category_source: String,
    pub category_confidence: f64,
    pub popularity: Popularity,
    pub error: Option<ErrorInfo>,
    pub collect_ms: u64,
    pub scan_ms: u64,
    pub digest: Option<String>,
    pub from_cache: Option<bool>,
    pub list_line: Option<usize>,
    pub metadata: serde_json::Value,
    /// `None` for an error.
    pub report: Option<ServerReport>,
    /// The manifest and trust assessment of the report, made while its tree
    /// existed (install-time code is read from package metadata). `None`
    /// with a report: derived when written, without the tree.
    pub assessed: Option<Assessed>,
}

/// What measure derives from a scan: the least-privilege manifest and the
/// trust assessment (`mcpwarden trust`) built on it.
#[derive(Clone, Debug)]
pub struct Assessed {
    pub manifest: Manifest,
    pub trust: Assessment,
}

impl Assessed {
    /// `root` is the scanned tree, for package metadata (`package.json`
    /// scripts, `setup.py`, `pyproject.toml`); without it, install-time code
    /// is only what the scan itself found.
    pub fn of(
        report: &ServerReport,
        source: &str,
        analyser: &str,
        root: Option<&Path>,
    ) -> Assessed {
        let manifest = mcpwarden_policy::derive::derive(report, source, analyser);
        let trust = mcpwarden_policy::trust::assess(report, &manifest, root);
        Assessed { manifest, trust }
    }
}

impl ServerRecord {
    pub fn status(&self) -> Status {
        match &self.report {
            None => Status::Error,
            Some(r) if r.is_opaque() => Status::Opaque,
            Some(_) => Status::Ok,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunTotals {
    pub total: u64,
    pub resumed: u64,
    pub downloaded: u64,
    pub cached: u64,
    pub scanned: u64,
    pub opaque: u64,
    pub failed: u64,
    pub elapsed_ms: u64,
}

pub struct Store {
    conn: Connection,
    analyser: String,
    /// The file, or what the snapshot was taken from.
    path: String,
}

impl Store {
    /// Open or create a store for writing results of `analyser`.
    pub fn open(path: &Path, analyser: &str) -> Result<Store> {
        let conn =
            Connection::open(path).map_err(|e| StoreError(format!("{}: {e}", path.display())))?;
        // WAL: a report can read while a run writes; NORMAL sync is safe with WAL
        // (a crash loses at most the last transaction, which a rerun redoes).
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        match check_version(&conn, path, true)? {
            Some(1) => {
                upgrade_v1(&conn)?;
                upgrade_v2(&conn)?;
            }
            Some(2) => upgrade_v2(&conn)?,
            _ => {}
        }
        conn.execute_batch(SCHEMA)?;
        conn.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?1)",
            params![SCHEMA_VERSION.to_string()],
        )?;
        conn.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('created_at', ?1)",
            params![now_utc()],
        )?;
        Ok(Store {
            conn,
            analyser: analyser.to_string(),
            path: path.display().to_string(),
        })
    }

    /// Open an existing store for reading (report, export).
    pub fn open_read(path: &Path) -> Result<Store> {
        if !path.is_file() {
            return Err(StoreError(format!("{}: no such database", path.display())));
        }
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| StoreError(format!("{}: {e}", path.display())))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        if check_version(&conn, path, false)? < Some(SCHEMA_VERSION) {
            shadow_missing_tables(&conn)?;
        }
        Ok(Store {
            conn,
            analyser: String::new(),
            path: path.display().to_string(),
        })
    }

    /// A store over a connection that already holds the schema (a snapshot).
    pub(crate) fn from_conn(conn: Connection, what: &str) -> Store {
        Store {
            conn,
            analyser: String::new(),
            path: what.to_string(),
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn analyser(&self) -> &str {
        &self.analyser
    }

    pub fn begin_run(&self, input: &str, options: &serde_json::Value) -> Result<i64> {
        self.conn.execute("INSERT INTO runs(started_at, input, analyser_version, options) VALUES (?1, ?2, ?3, ?4)", params![now_utc(), input, self.analyser, options.to_string()])?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn finish_run(&self, run: i64, t: &RunTotals) -> Result<()> {
        self.conn.execute(
            "UPDATE runs SET finished_at = ?2, total = ?3, resumed = ?4, downloaded = ?5, cached = ?6, scanned = ?7, opaque = ?8, failed = ?9, elapsed_ms = ?10 WHERE id = ?1",
            params![run, now_utc(), t.total as i64, t.resumed as i64, t.downloaded as i64, t.cached as i64, t.scanned as i64, t.opaque as i64, t.failed as i64, t.elapsed_ms as i64],
        )?;
        Ok(())
    }

    /// Whether a result for this source (and version, when pinned) by this
    /// analyser is already stored. Errors are not results: a rerun retries them
    /// (most are transient, and the permanent ones fail again cheaply).
    pub fn is_stored(&self, source: &str, version: Option<&str>) -> Result<bool> {
        let found: Option<i64> = self
            .conn
            .query_row(
                "SELECT 1 FROM servers WHERE source = ?1 AND analyser_version = ?2 AND status != 'error' AND (?3 IS NULL OR version = ?3) LIMIT 1",
                params![source, self.analyser, version],
                |r| r.get(0),
            )
            .optional()?;
        Ok(found.is_some())
    }

    /// `(source, version)` of every result (not error) stored for this analyser.
    pub fn stored_sources(&self) -> Result<Vec<(String, String)>> {
        let mut st = self.conn.prepare(
            "SELECT source, version FROM servers WHERE analyser_version = ?1 AND status != 'error'",
        )?;
        let rows = st.query_map(params![self.analyser], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Write results in one transaction; a row for the same source, version
    /// and analyser (and any earlier error for the source) is replaced.
    pub fn write(&mut self, run: i64, records: &[ServerRecord]) -> Result<()> {
        let now = now_utc();
        let tx = self.conn.transaction()?;
        for r in records {
            insert(&tx, run, &self.analyser, &now, r)?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// v1 → v2: one column added at the end of `servers` (NULL for old rows: unknown).
fn upgrade_v1(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "BEGIN;
         ALTER TABLE servers ADD COLUMN tools_with_handler INTEGER;
         UPDATE meta SET value = '2' WHERE key = 'schema_version';
         COMMIT;",
    )?;
    Ok(())
}

/// v2 → v3: the tables `trust` and `trust_items` (old servers have no rows
/// there: not assessed).
fn upgrade_v2(conn: &Connection) -> Result<()> {
    conn.execute_batch(&format!(
        "BEGIN;
         {SCHEMA}
         UPDATE meta SET value = '3' WHERE key = 'schema_version';
         COMMIT;"
    ))?;
    Ok(())
}

/// The `CREATE TABLE` statements of [`SCHEMA`]: `(table, rest of the statement)`.
pub(crate) fn schema_tables() -> Vec<(String, String)> {
    let code: String = SCHEMA
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .map(|l| format!("{l}\n"))
        .collect();
    code.split(';')
        .filter_map(|stmt| {
            let rest = stmt.trim().strip_prefix("CREATE TABLE IF NOT EXISTS ")?;
            let name = rest.split_whitespace().next()?;
            Some((name.to_string(), rest.to_string()))
        })
        .collect()
}

/// An older file opened read-only: the tables it lacks are created empty in
/// the connection's temporary schema (the file is not touched), so every
/// report and export query runs and finds nothing there.
fn shadow_missing_tables(conn: &Connection) -> Result<()> {
    for (name, rest) in schema_tables() {
        let exists: i64 = conn.query_row(
            "SELECT count(*) FROM main.sqlite_master WHERE type = 'table' AND name = ?1",
            params![name],
            |r| r.get(0),
        )?;
        if exists == 0 {
            conn.execute_batch(&format!("CREATE TEMP TABLE {rest}"))?;
        }
    }
    Ok(())
}

/// The schema version of an existing store (`None` for a new, empty file).
fn check_version(conn: &Connection, path: &Path, creating: bool) -> Result<Option<i64>> {
    let has_meta: bool = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map_err(|e| StoreError(format!("{}: not a database: {e}", path.display())))?
        > 0;
    if !has_meta {
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        if creating && tables == 0 {
            return Ok(None);
        }
        return Err(StoreError(format!(
            "{}: not an mcpwarden results database",
            path.display()
        )));
    }
    let v: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    match v.and_then(|v| v.parse::<i64>().ok()) {
        Some(v) if (OLDEST_READABLE..=SCHEMA_VERSION).contains(&v) => Ok(Some(v)),
        Some(v) => Err(StoreError(format!(
            "{}: results database schema v{v}; this mcpwarden reads v{OLDEST_READABLE} to v{SCHEMA_VERSION} and writes v{SCHEMA_VERSION}",
            path.display()
        ))),
        None => Err(StoreError(format!(
            "{}: not an mcpwarden results database",
            path.display()
        ))),
    }
}

impl rusqlite::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        Ok(match self {
            Val::Null => ToSqlOutput::Owned(Value::Null),
            Val::Int(i) => ToSqlOutput::Owned(Value::Integer(*i)),
            Val::Real(f) => ToSqlOutput::Owned(Value::Real(*f)),
            Val::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
        })
    }
}

fn sqlite_placeholder(i: usize) -> String {
    format!("?{i}")
}

fn insert(
    tx: &rusqlite::Transaction,
    run: i64,
    analyser: &str,
    now: &str,
    r: &ServerRecord,
) -> Result<()> {
    tx.execute("DELETE FROM servers WHERE source = ?1 AND analyser_version = ?2 AND (version = ?3 OR status = 'error')", params![r.source, analyser, r.version])?;
    let rows = rows::server_rows(run, analyser, now, r);
    let sql = |t, c| rows::insert_sql(t, c, sqlite_placeholder);
    tx.prepare_cached(&sql("servers", rows::SERVER_COLS))?
        .execute(rusqlite::params_from_iter(&rows.server))?;
    let id = Val::Int(tx.last_insert_rowid());
    let with_id = |row: &[Val]| {
        std::iter::once(id.clone())
            .chain(row.iter().cloned())
            .collect::<Vec<_>>()
    };
    for (table, cols, list) in rows.children() {
        let mut st = tx.prepare_cached(&sql(table, cols))?;
        for row in list {
            st.execute(rusqlite::params_from_iter(with_id(row)))?;
        }
    }
    let mut st = tx.prepare_cached(&sql("tools", rows::TOOL_COLS))?;
    let mut kst = tx.prepare_cached(
        "INSERT OR IGNORE INTO tool_kinds(tool_id, server_id, kind) VALUES (?1, ?2, ?3)",
    )?;
    for t in &rows.tools {
        st.execute(rusqlite::params_from_iter(with_id(&t.row)))?;
        let tid = tx.last_insert_rowid();
        for k in &t.kinds {
            kst.execute(params![tid, id, k])?;
        }
    }
    Ok(())
}

/// Registrations without an entry kind are tools (the scanner's older form).
pub fn is_tool(t: &Tool) -> bool {
    matches!(t.entry, None | Some(mcpwarden_model::EntryKind::Tool))
}

/// Current UTC time as RFC 3339 (`2026-11-25T10:02:47Z`), without a date crate.
pub fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339(secs)
}

pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Days to civil date (proleptic Gregorian), after Howard Hinnant's algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + (m <= 2) as i64;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_600_967), "2026-11-25T10:02:47Z");
    }
}
