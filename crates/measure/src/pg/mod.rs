//! The PostgreSQL backend: one run shared by many `measure` processes.
//!
//! Tables are those of `store::SCHEMA` (translated), plus `claims`, the work
//! queue: one row per source of a shared run. A worker takes the next row with
//! `SELECT … FOR UPDATE SKIP LOCKED` and holds it under a lease that a
//! heartbeat thread renews; a worker that dies stops renewing, its lease
//! expires and another worker takes the row over. A result is stored in the
//! same transaction that marks its row done, and only while the row is still
//! this worker's: every source gets exactly one result.

mod claims;
mod snapshot;

pub use snapshot::snapshot;

use crate::backend::{Claims, ResultStore, SharedOptions};
use crate::rows::{self, Val};
use crate::store::{
    now_utc, Result, RunTotals, ServerRecord, StoreError, OLDEST_READABLE, SCHEMA, SCHEMA_VERSION,
};
use bytes::BytesMut;
use claims::PgClaims;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, NoTls};

/// The queue of shared runs (PostgreSQL only).
const CLAIMS: &str = r#"
CREATE TABLE IF NOT EXISTS claims (
  run_key     TEXT NOT NULL,
  source      TEXT NOT NULL,
  position    BIGINT NOT NULL,
  state       TEXT NOT NULL DEFAULT 'todo' CHECK (state IN ('todo', 'claimed', 'done')),
  worker      TEXT,
  lease_until TIMESTAMPTZ,
  attempts    BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (run_key, source)
);
CREATE INDEX IF NOT EXISTS claims_next ON claims(run_key, state, position);
"#;

/// Takes the first row nobody holds (new, or whose lease ran out).
const CLAIM: &str = "UPDATE claims SET state = 'claimed', worker = $2, attempts = attempts + 1,
    lease_until = now() + make_interval(secs => $3)
  WHERE run_key = $1 AND source = (
    SELECT source FROM claims
     WHERE run_key = $1 AND (state = 'todo' OR (state = 'claimed' AND lease_until < now()))
     ORDER BY position LIMIT 1 FOR UPDATE SKIP LOCKED)
  RETURNING source, attempts";

/// `store::SCHEMA` in PostgreSQL's dialect: 64-bit integers and serial ids.
pub fn schema() -> String {
    SCHEMA
        .replace("INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY")
        .replace(" INTEGER", " BIGINT")
        .replace(" REAL", " DOUBLE PRECISION")
        .replace("CREATE VIEW IF NOT EXISTS", "CREATE OR REPLACE VIEW")
}

impl ToSql for Val {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Val::Null => Ok(IsNull::Yes),
            Val::Int(i) if *ty == Type::INT4 => (*i as i32).to_sql(ty, out),
            Val::Int(i) => i.to_sql(ty, out),
            Val::Real(f) => f.to_sql(ty, out),
            Val::Text(t) => t.to_sql(ty, out),
        }
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    postgres::types::to_sql_checked!();
}

fn params(v: &[Val]) -> Vec<&(dyn ToSql + Sync)> {
    v.iter().map(|x| x as &(dyn ToSql + Sync)).collect()
}

fn pg_placeholder(i: usize) -> String {
    format!("${i}")
}

/// `postgres://user:secret@host/db` without the secret, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let cred = &url[s + 3..at];
            match cred.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn connect(url: &str) -> Result<Client> {
    Client::connect(url, NoTls).map_err(|e| StoreError(format!("{}: {e}", redact(url))))
}

/// Creates the tables once; concurrent workers wait on an advisory lock
/// (concurrent `CREATE … IF NOT EXISTS` can collide in PostgreSQL).
fn ensure_schema(c: &mut Client) -> Result<()> {
    let mut tx = c.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock(7340801)", &[])?;
    let version: Option<String> = if tx
        .query_one("SELECT to_regclass('meta') IS NOT NULL", &[])?
        .get(0)
    {
        tx.query_opt("SELECT value FROM meta WHERE key = 'schema_version'", &[])?
            .map(|r| r.get(0))
    } else {
        None
    };
    // Older versions are upgraded in place, as SQLite files are: v2 added
    // `servers.tools_with_handler`, v3 the tables `trust` and `trust_items`
    // (created below with every table missing).
    let upgrade = match version.as_deref().map(str::parse::<i64>) {
        None => false,
        Some(Ok(v)) if v == SCHEMA_VERSION => false,
        Some(Ok(1)) => {
            tx.batch_execute("ALTER TABLE servers ADD COLUMN tools_with_handler BIGINT")?;
            true
        }
        Some(Ok(2)) => true,
        Some(_) => {
            return Err(StoreError(format!(
                "results database schema v{}; this mcpwarden reads v{OLDEST_READABLE} to v{SCHEMA_VERSION} and writes v{SCHEMA_VERSION}",
                version.unwrap_or_default()
            )));
        }
    };
    tx.batch_execute(&schema())?;
    tx.batch_execute(CLAIMS)?;
    tx.execute(
        "INSERT INTO meta(key, value) VALUES ('schema_version', $1), ('created_at', $2) ON CONFLICT DO NOTHING",
        &[&SCHEMA_VERSION.to_string(), &now_utc()],
    )?;
    if upgrade {
        tx.execute(
            "UPDATE meta SET value = $1 WHERE key = 'schema_version'",
            &[&SCHEMA_VERSION.to_string()],
        )?;
    }
    tx.commit()?;
    Ok(())
}

pub struct PgStore {
    client: Client,
    url: String,
    analyser: String,
    shared: SharedOptions,
    /// Set once this process takes part in a shared run: `(run_key, worker id)`.
    claim: Option<(String, String)>,
}

impl PgStore {
    pub fn open(url: &str, analyser: &str, shared: SharedOptions) -> Result<PgStore> {
        let mut client = connect(url)?;
        ensure_schema(&mut client)?;
        Ok(PgStore {
            client,
            url: url.to_string(),
            analyser: analyser.to_string(),
            shared,
            claim: None,
        })
    }
}

/// This process among all workers: host, pid and a time stamp.
fn worker_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "host".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{}:{}:{nanos:x}", host.trim(), std::process::id())
}

impl ResultStore for PgStore {
    fn analyser(&self) -> &str {
        &self.analyser
    }

    fn describe(&self) -> String {
        redact(&self.url)
    }

    fn begin_run(&mut self, input: &str, options: &serde_json::Value) -> Result<i64> {
        let row = self.client.query_one(
            "INSERT INTO runs(started_at, input, analyser_version, options) VALUES ($1, $2, $3, $4) RETURNING id",
            &[&now_utc(), &input, &self.analyser, &options.to_string()],
        )?;
        Ok(row.get(0))
    }

    fn finish_run(&mut self, run: i64, t: &RunTotals) -> Result<()> {
        let n = |x: u64| x as i64;
        self.client.execute(
            "UPDATE runs SET finished_at = $2, total = $3, resumed = $4, downloaded = $5, cached = $6, scanned = $7, opaque = $8, failed = $9, elapsed_ms = $10 WHERE id = $1",
            &[&run, &now_utc(), &n(t.total), &n(t.resumed), &n(t.downloaded), &n(t.cached), &n(t.scanned), &n(t.opaque), &n(t.failed), &n(t.elapsed_ms)],
        )?;
        Ok(())
    }

    fn stored_sources(&mut self) -> Result<Vec<(String, String)>> {
        let rows = self.client.query(
            "SELECT source, version FROM servers WHERE analyser_version = $1 AND status != 'error'",
            &[&self.analyser],
        )?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn claims(&mut self, run_key: &str, keys: &[String]) -> Result<Box<dyn Claims>> {
        // Every worker adds the list; rows already there keep their state.
        self.client.execute(
            "INSERT INTO claims(run_key, source, position)
               SELECT $1, s, n FROM unnest($2::text[]) WITH ORDINALITY AS t(s, n)
             ON CONFLICT DO NOTHING",
            &[&run_key, &keys],
        )?;
        // Rows done with an error (or whose result is gone) are tried again,
        // as a rerun with SQLite retries errors; rows done with a result stay done.
        self.client.execute(
            "UPDATE claims c SET state = 'todo', worker = NULL, lease_until = NULL, attempts = 0
              WHERE c.run_key = $1 AND c.state = 'done' AND c.source = ANY($2)
                AND NOT EXISTS (SELECT 1 FROM servers s WHERE s.source = c.source
                                   AND s.analyser_version = $3 AND s.status != 'error')",
            &[&run_key, &keys, &self.analyser],
        )?;
        let worker = worker_id();
        self.claim = Some((run_key.to_string(), worker.clone()));
        Ok(Box::new(PgClaims::start(
            &self.url,
            run_key,
            &worker,
            self.shared,
        )?))
    }

    fn run_progress(&mut self) -> Result<Option<(u64, u64)>> {
        let Some((run_key, _)) = &self.claim else {
            return Ok(None);
        };
        let row = self.client.query_one(
            "SELECT count(*) FILTER (WHERE state = 'done'), count(*) FROM claims WHERE run_key = $1",
            &[run_key],
        )?;
        let (done, total): (i64, i64) = (row.get(0), row.get(1));
        Ok(Some((done.max(0) as u64, total.max(0) as u64)))
    }

    fn write(&mut self, run: i64, records: &[ServerRecord]) -> Result<usize> {
        let now = now_utc();
        let mut tx = self.client.transaction()?;
        let mut kept = 0;
        for r in records {
            if let Some((run_key, worker)) = &self.claim {
                let still_ours = tx
                    .query_opt(
                        "UPDATE claims SET state = 'done', lease_until = NULL
                          WHERE run_key = $1 AND source = $2 AND worker = $3 AND state = 'claimed'
                         RETURNING 1",
                        &[run_key, &r.source, worker],
                    )?
                    .is_some();
                if !still_ours {
                    continue; // the lease ran out and another worker took it over
                }
            }
            insert(&mut tx, run, &self.analyser, &now, r)?;
            kept += 1;
        }
        tx.commit()?;
        Ok(kept)
    }
}

fn insert(
    tx: &mut postgres::Transaction,
    run: i64,
    analyser: &str,
    now: &str,
    r: &ServerRecord,
) -> Result<()> {
    // Two runs writing the same source at once (not through one queue) take turns.
    tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&r.source])?;
    tx.execute(
        "DELETE FROM servers WHERE source = $1 AND analyser_version = $2 AND (version = $3 OR status = 'error')",
        &[&r.source, &analyser, &r.version],
    )?;
    let rows = rows::server_rows(run, analyser, now, r);
    let sql = |t, c| rows::insert_sql(t, c, pg_placeholder);
    let st = tx.prepare(&format!(
        "{} RETURNING id",
        sql("servers", rows::SERVER_COLS)
    ))?;
    let id: i64 = tx.query_one(&st, &params(&rows.server))?.get(0);
    let with_id = |row: &[Val]| {
        std::iter::once(Val::Int(id))
            .chain(row.iter().cloned())
            .collect::<Vec<_>>()
    };
    for (table, cols, list) in rows.children() {
        if list.is_empty() {
            continue;
        }
        let st = tx.prepare(&sql(table, cols))?;
        for row in list {
            tx.execute(&st, &params(&with_id(row)))?;
        }
    }
    if rows.tools.is_empty() {
        return Ok(());
    }
    let st = tx.prepare(&format!("{} RETURNING id", sql("tools", rows::TOOL_COLS)))?;
    let kst = tx.prepare(
        "INSERT INTO tool_kinds(tool_id, server_id, kind) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )?;
    for t in &rows.tools {
        let tid: i64 = tx.query_one(&st, &params(&with_id(&t.row)))?.get(0);
        for k in &t.kinds {
            tx.execute(&kst, &[&tid, &id, k])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_the_schema() {
        let s = schema();
        assert!(s.contains("id               BIGSERIAL PRIMARY KEY"));
        assert!(s.contains("category_confidence DOUBLE PRECISION NOT NULL"));
        assert!(!s.contains(" INTEGER") && !s.contains("IF NOT EXISTS current_servers"));
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://u:secret@db.example:5432/m"),
            "postgres://u:***@db.example:5432/m"
        );
        assert_eq!(redact("postgres://u@h/m"), "postgres://u@h/m");
    }
}
