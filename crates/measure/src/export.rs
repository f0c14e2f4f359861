//! `mcpwarden export`: a table of the store as CSV or JSON lines, streamed row
//! by row (a full-scale findings table runs to millions of rows).

use crate::report::csv_field;
use crate::store::{Store, StoreError};
use rusqlite::types::ValueRef;
use std::io::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportTable {
    Servers,
    Findings,
    Tools,
    /// The trust assessment of each server: score, grade, counts (and its JSON document).
    Trust,
    /// Flows, install-time items and contradictions, one per line.
    TrustItems,
}

impl ExportTable {
    fn sql(self) -> &'static str {
        // Findings and tools carry their server's identity so that each line
        // stands alone; JSON-ish columns stay as stored.
        match self {
            ExportTable::Servers => "SELECT * FROM servers ORDER BY id",
            ExportTable::Findings => {
                "SELECT s.source, s.registry, s.name, s.version, f.server_id, f.resource, f.kind, f.api, f.via, f.file, f.line, f.col, f.value, f.reach, f.part, f.confidence, f.function, f.tools
                 FROM findings f JOIN servers s ON s.id = f.server_id ORDER BY f.server_id, f.id"
            }
            ExportTable::Tools => {
                "SELECT s.source, s.registry, s.name, s.version, t.server_id, t.name AS tool, t.entry, t.def_file, t.def_line, t.handler_found, t.network, t.system, t.file, t.memory, t.kinds
                 FROM tools t JOIN servers s ON s.id = t.server_id ORDER BY t.server_id, t.id"
            }
            ExportTable::Trust => {
                "SELECT s.source, s.registry, s.name, s.version, t.server_id, t.score, t.grade, t.capped_by, t.tools, t.flows, t.unguarded_flows, t.install, t.contradictions, t.incidental, t.doc
                 FROM trust t JOIN servers s ON s.id = t.server_id ORDER BY t.server_id"
            }
            ExportTable::TrustItems => {
                "SELECT s.source, s.registry, s.name, s.version, i.server_id, i.item, i.type, i.tool, i.param, i.kind, i.guarded, i.incidental, i.scored, i.detail, i.file, i.line
                 FROM trust_items i JOIN servers s ON s.id = i.server_id ORDER BY i.server_id, i.rowid"
            }
        }
    }
}

/// Columns holding JSON text, emitted as JSON values in JSON lines.
const JSON_COLUMNS: &[&str] = &["metadata", "tools", "options", "doc"];

#[derive(Debug)]
pub enum ExportError {
    Db(StoreError),
    /// Writing failed (a closed pipe is the caller's to forgive).
    Io(std::io::Error),
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportError::Db(e) => write!(f, "{e}"),
            ExportError::Io(e) => write!(f, "writing: {e}"),
        }
    }
}

impl From<rusqlite::Error> for ExportError {
    fn from(e: rusqlite::Error) -> Self {
        ExportError::Db(e.into())
    }
}

pub fn export(
    store: &Store,
    table: ExportTable,
    format: Format,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let io = ExportError::Io;
    let mut st = store.conn().prepare(table.sql())?;
    let names: Vec<String> = st.column_names().iter().map(|s| s.to_string()).collect();
    if format == Format::Csv {
        writeln!(
            out,
            "{}",
            names
                .iter()
                .map(|n| csv_field(n))
                .collect::<Vec<_>>()
                .join(",")
        )
        .map_err(io)?;
    }
    let mut rows = st.query([])?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        match format {
            Format::Csv => {
                let mut fields = Vec::with_capacity(names.len());
                for i in 0..names.len() {
                    fields.push(csv_field(&match r.get_ref(i)? {
                        ValueRef::Null => String::new(),
                        ValueRef::Integer(x) => x.to_string(),
                        ValueRef::Real(x) => x.to_string(),
                        ValueRef::Text(t) | ValueRef::Blob(t) => {
                            String::from_utf8_lossy(t).into_owned()
                        }
                    }));
                }
                writeln!(out, "{}", fields.join(",")).map_err(io)?;
            }
            Format::Jsonl => {
                let mut obj = serde_json::Map::new();
                for (i, name) in names.iter().enumerate() {
                    let v = match r.get_ref(i)? {
                        ValueRef::Null => serde_json::Value::Null,
                        ValueRef::Integer(x) => x.into(),
                        ValueRef::Real(x) => x.into(),
                        ValueRef::Text(t) | ValueRef::Blob(t) => {
                            let s = String::from_utf8_lossy(t).into_owned();
                            if JSON_COLUMNS.contains(&name.as_str()) {
                                serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s))
                            } else {
                                serde_json::Value::String(s)
                            }
                        }
                    };
                    obj.insert(name.clone(), v);
                }
                writeln!(out, "{}", serde_json::Value::Object(obj)).map_err(io)?;
            }
        }
        n += 1;
    }
    out.flush().map_err(io)?;
    Ok(n)
}
