//! `report` and `export` over PostgreSQL: the tables copied into an
//! in-memory SQLite database, so every report query is written once.

use super::{connect, redact};
use crate::rows::{self, Val};
use crate::store::{Result, Store, StoreError, OLDEST_READABLE, SCHEMA, SCHEMA_VERSION};
use postgres::types::{ToSql, Type};

/// Tables copied into a snapshot, parents first.
const TABLES: &[&str] = &[
    "meta",
    "runs",
    "servers",
    "findings",
    "tools",
    "tool_kinds",
    "skipped",
    "opaque",
    "manifests",
    "manifest_items",
    "trust",
    "trust_items",
];

/// Copies the store's tables into an in-memory SQLite database, so `report`
/// and `export` run the same queries on either backend.
pub fn snapshot(url: &str) -> Result<Store> {
    let mut pg = connect(url)?;
    let exists: bool = pg
        .query_one("SELECT to_regclass('meta') IS NOT NULL", &[])?
        .get(0);
    let version: Option<String> = if exists {
        pg.query_opt("SELECT value FROM meta WHERE key = 'schema_version'", &[])?
            .map(|r| r.get(0))
    } else {
        None
    };
    match version {
        Some(v)
            if v
                .parse::<i64>()
                .is_ok_and(|v| (OLDEST_READABLE..=SCHEMA_VERSION).contains(&v)) => {}
        Some(v) => {
            return Err(StoreError(format!(
                "{}: results database schema v{v}; this mcpwarden reads v{OLDEST_READABLE} to v{SCHEMA_VERSION}",
                redact(url)
            )))
        }
        None => {
            return Err(StoreError(format!(
                "{}: not an mcpwarden results database",
                redact(url)
            )))
        }
    }
    let mut conn = rusqlite::Connection::open_in_memory()?;
    conn.execute_batch(SCHEMA)?;
    // One consistent view of every table.
    let mut tx = pg
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let out = conn.transaction()?;
    for table in TABLES {
        // An older store lacks tables and columns: copied as far as they exist.
        let in_pg: Vec<String> = tx
            .query(
                "SELECT column_name::text FROM information_schema.columns
                  WHERE table_schema = current_schema() AND table_name = $1",
                &[table],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let cols: Vec<String> = out
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .filter(|c| in_pg.contains(c))
            .collect();
        if cols.is_empty() {
            continue;
        }
        let col_refs: Vec<&str> = cols.iter().map(String::as_str).collect();
        let mut ins = out.prepare(&rows::insert_sql(table, &col_refs, |i| format!("?{i}")))?;
        let select = format!("SELECT {} FROM {table}", cols.join(", "));
        let empty: [&(dyn ToSql + Sync); 0] = [];
        let it = tx.query_raw(&select, empty)?;
        let mut it = it;
        use postgres::fallible_iterator::FallibleIterator;
        while let Some(row) = it.next()? {
            let vals: Vec<Val> = (0..cols.len()).map(|i| val_of(&row, i)).collect();
            ins.execute(rusqlite::params_from_iter(vals))?;
        }
    }
    out.commit()?;
    tx.commit()?;
    Ok(Store::from_conn(conn, &redact(url)))
}

fn val_of(row: &postgres::Row, i: usize) -> Val {
    let ty = row.columns()[i].type_().clone();
    let v = if ty == Type::INT8 {
        row.get::<_, Option<i64>>(i).map(Val::Int)
    } else if ty == Type::INT4 {
        row.get::<_, Option<i32>>(i).map(|x| Val::Int(x as i64))
    } else if ty == Type::FLOAT8 {
        row.get::<_, Option<f64>>(i).map(Val::Real)
    } else if ty == Type::BOOL {
        row.get::<_, Option<bool>>(i).map(|b| Val::Int(b as i64))
    } else {
        row.try_get::<_, Option<String>>(i)
            .ok()
            .flatten()
            .map(Val::Text)
    };
    v.unwrap_or(Val::Null)
}
