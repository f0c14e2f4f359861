//! The report's section on values across the ecosystem, read from the stored
//! manifests: the hosts servers contact, the programs they run, the secrets
//! they read, and how often the model chooses a path, host or command.

use crate::report::{Cell, Table};
use crate::store::{Store, StoreError};

/// Servers and items of the newest analysed row of each source.
const CURRENT: &str = "JOIN current_servers s ON s.id = mi.server_id AND s.status != 'error'";

fn top(
    store: &Store,
    class: &str,
    extra: &str,
    limit: usize,
) -> Result<Vec<(String, u64)>, StoreError> {
    let sql = format!(
        "SELECT mi.value, count(DISTINCT mi.server_id) FROM manifest_items mi {CURRENT}
         WHERE mi.tool = '' AND mi.class = ?1 AND mi.value NOT LIKE '*%' {extra}
         GROUP BY mi.value ORDER BY 2 DESC, 1 LIMIT ?2"
    );
    let mut st = store.conn().prepare(&sql)?;
    let rows = st.query_map(rusqlite::params![class, limit as i64], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn count(store: &Store, sql: &str) -> Result<u64, StoreError> {
    Ok(store.conn().query_row(sql, [], |r| r.get::<_, i64>(0))? as u64)
}

fn share(n: u64, d: u64) -> Cell {
    Cell::Share((d > 0).then(|| n as f64 / d as f64))
}

fn ranking(
    id: &str,
    title: &str,
    caption: String,
    what: &str,
    rows: Vec<(String, u64)>,
    servers: u64,
) -> Table {
    Table {
        id: id.into(),
        title: title.into(),
        caption,
        columns: vec![what.into(), "servers".into(), "share".into()],
        rows: rows
            .into_iter()
            .map(|(v, n)| vec![Cell::Text(v), Cell::Int(n), share(n, servers)])
            .collect(),
        figures: vec![],
    }
}

/// The tables of the values section; `cap` is the report's status caption.
pub fn tables(store: &Store, cap: &str) -> Result<Vec<Table>, StoreError> {
    let servers = count(store, "SELECT count(*) FROM manifests mi JOIN current_servers s ON s.id = mi.server_id AND s.status != 'error'")?;
    let mut out = vec![];
    out.push(ranking(
        "values_hosts",
        "Most contacted hosts",
        format!("{cap} Hosts named by constants, defaults of configuration or the library's own endpoint, over the {servers} servers with a manifest. A host chosen at run time (`*`) is not counted here."),
        "host:port",
        top(store, "connect", "", 25)?,
        servers,
    ));
    out.push(ranking(
        "values_programs",
        "Most executed programs",
        format!("{cap} Programs started by the server's own code or by a wrapper library it calls (GitPython runs `git`)."),
        "program",
        top(store, "exec", "", 25)?,
        servers,
    ));
    out.push(ranking(
        "values_secrets",
        "Most read secret-looking environment variables",
        format!("{cap} Names like `*_TOKEN`, `*_API_KEY`, `*SECRET*`, `*PASSWORD*`."),
        "variable",
        top(store, "env", "AND mi.secret = 1", 25)?,
        servers,
    ));
    // Tools whose privileged values come from the model.
    let tools = count(store, "SELECT count(*) FROM tools t JOIN current_servers s ON s.id = t.server_id AND s.status != 'error' WHERE t.entry = 'tool'")?;
    let chosen = |class: &str| -> Result<u64, StoreError> {
        count(store, &format!("SELECT count(*) FROM (SELECT DISTINCT mi.server_id, mi.tool FROM manifest_items mi {CURRENT} WHERE mi.tool != '' AND mi.class = '{class}' AND mi.provenance = 'tool-arg')"))
    };
    let rows = vec![
        ("file paths", chosen("fs")?),
        ("hosts", chosen("connect")?),
        ("programs or command lines", chosen("exec")?),
    ];
    out.push(Table {
        id: "values_model_chosen".into(),
        title: "Tools whose values the model chooses".into(),
        caption: format!("{cap} Over the {tools} tools: a tool counts when a value reaching one of its privileged calls is a tool argument (provenance `tool-arg`), so what it touches is decided per call by the model."),
        columns: vec!["value".into(), "tools".into(), "share".into()],
        rows: rows
            .into_iter()
            .map(|(what, n)| vec![Cell::Text(what.into()), Cell::Int(n), share(n, tools)])
            .collect(),
        figures: vec![],
    });
    // Where values come from, per class.
    let mut st = store.conn().prepare(&format!(
        "SELECT mi.class, mi.provenance, count(*) FROM manifest_items mi {CURRENT} WHERE mi.tool = '' GROUP BY 1, 2 ORDER BY 1, 2"
    ))?;
    let rows: Vec<(String, String, i64)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    out.push(Table {
        id: "values_provenance".into(),
        title: "Where values come from".into(),
        caption: format!("{cap} Server-level manifest items by class and provenance: `const` (in the code), `config` (environment or command line at launch), `tool-arg` (chosen by the model), `unknown` (not resolved; reported as such, never granted silently)."),
        columns: vec!["class".into(), "provenance".into(), "items".into()],
        rows: rows
            .into_iter()
            .map(|(c, p, n)| vec![Cell::Text(c), Cell::Text(p), Cell::Int(n as u64)])
            .collect(),
        figures: vec![],
    });
    Ok(out)
}
