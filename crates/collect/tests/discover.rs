//! `discover` against a fake npm search endpoint and PyPI JSON API on 127.0.0.1.

mod common;

use common::{config, Resp, Server};
use mcpwarden_collect::discover;
use serde_json::json;

fn hit(
    name: &str,
    version: &str,
    desc: &str,
    kw: &[&str],
    date: &str,
    monthly: u64,
) -> serde_json::Value {
    json!({"package": {"name": name, "version": version, "description": desc, "keywords": kw, "date": date},
           "downloads": {"monthly": monthly, "weekly": monthly / 4}, "score": {"final": 0.5}})
}

#[test]
fn npm_search_pages_judges_and_filters_by_date() {
    let srv = Server::start();
    let page = |from: usize, objects: Vec<serde_json::Value>| {
        (
            format!("/-/v1/search?text=keywords:mcp&size=250&from={from}"),
            serde_json::to_vec(&json!({"objects": objects, "total": 252})).unwrap(),
        )
    };
    let (p0, b0) = page(
        0,
        vec![
            hit(
                "@acme/weather-mcp",
                "1.2.0",
                "Weather forecasts as MCP tools",
                &["mcp"],
                "2025-06-01T10:00:00.000Z",
                4200,
            ),
            hit(
                "@modelcontextprotocol/sdk",
                "1.0.0",
                "The SDK",
                &["mcp"],
                "2025-06-01T10:00:00.000Z",
                9,
            ),
            hit(
                "mcp-client-kit",
                "0.1.0",
                "An MCP client",
                &["mcp"],
                "2025-06-01T10:00:00.000Z",
                9,
            ),
            hit(
                "old-mcp-server",
                "0.0.1",
                "An MCP server",
                &["mcp"],
                "2023-01-01T00:00:00.000Z",
                1,
            ),
        ],
    );
    let (p1, b1) = page(
        250,
        vec![
            hit(
                "db-bridge",
                "2.0.0",
                "A Model Context Protocol server for Postgres",
                &["postgres", "mcp"],
                "2025-07-01T00:00:00.000Z",
                10,
            ),
            // Also found through the first keyword: listed once.
            hit(
                "@acme/weather-mcp",
                "1.2.0",
                "Weather forecasts as MCP tools",
                &["mcp"],
                "2025-06-01T10:00:00.000Z",
                4200,
            ),
        ],
    );
    srv.route(&p0, vec![Resp::ok(b0)]);
    srv.route(&p1, vec![Resp::ok(b1)]);
    srv.route(
        "/-/v1/search?text=keywords:mcp-server&size=250&from=0",
        vec![Resp::ok(
            serde_json::to_vec(&json!({"objects": [], "total": 0})).unwrap(),
        )],
    );
    let cache = tempfile::tempdir().unwrap();
    let cfg = config(cache.path(), &srv.base);
    let kws = vec!["mcp".to_string(), "mcp-server".to_string()];
    let found = discover::npm(&cfg, &kws, Some("2024-01-01"), 10_000).unwrap();
    let keys: Vec<String> = found.iter().map(|f| f.source.key()).collect();
    assert_eq!(keys, ["npm:@acme/weather-mcp@1.2.0", "npm:db-bridge@2.0.0"]);
    assert_eq!(found[0].popularity, Some(4200));
    assert_eq!(srv.count(&p1), 1, "second page read: {:?}", srv.requests());

    // The list is what `measure` reads.
    let tsv = discover::to_tsv(&found);
    let list = cache.path().join("npm.tsv");
    std::fs::write(&list, tsv).unwrap();
    let entries = mcpwarden_collect::read_list(&list).unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].popularity.as_deref(), Some("4200"));
    assert!(entries[1].extra.contains_key("evidence"));

    // Without --since the old server is listed too.
    let all = discover::npm(&cfg, &kws[..1], None, 10_000).unwrap();
    assert!(all
        .iter()
        .any(|f| f.source.key() == "npm:old-mcp-server@0.0.1"));
}

#[test]
fn pypi_names_checked_through_the_json_api() {
    let srv = Server::start();
    let doc = |name: &str, version: &str, summary: &str, requires: &[&str], uploaded: &str| {
        serde_json::to_vec(&json!({
            "info": {"name": name, "version": version, "summary": summary, "keywords": "", "requires_dist": requires},
            "urls": [{"filename": format!("{name}-{version}.tar.gz"), "upload_time_iso_8601": uploaded}],
            "releases": {}
        }))
        .unwrap()
    };
    srv.route(
        "/pypi/weather-tools/json",
        vec![Resp::ok(doc(
            "Weather-Tools",
            "0.3.0",
            "Forecasts for agents",
            &["mcp[cli]>=1.2", "httpx"],
            "2025-05-05T00:00:00Z",
        ))],
    );
    srv.route(
        "/pypi/mcp-server-time/json",
        vec![Resp::ok(doc(
            "mcp-server-time",
            "2025.9.25",
            "Time and timezone tools",
            &[],
            "2025-09-25T00:00:00Z",
        ))],
    );
    srv.route(
        "/pypi/requests/json",
        vec![Resp::ok(doc(
            "requests",
            "2.32.0",
            "HTTP for Humans",
            &["urllib3"],
            "2025-05-05T00:00:00Z",
        ))],
    );
    srv.route(
        "/pypi/old-mcp/json",
        vec![Resp::ok(doc(
            "old-mcp",
            "0.1",
            "An MCP server",
            &["mcp"],
            "2023-01-01T00:00:00Z",
        ))],
    );
    let cache = tempfile::tempdir().unwrap();
    let cfg = config(cache.path(), &srv.base);
    let names: Vec<String> = [
        "weather-tools",
        "mcp-server-time",
        "requests",
        "old-mcp",
        "no-such",
        "bad/name",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let (found, left_out) = discover::pypi(&cfg, &names, Some("2024-06-01"));
    let keys: Vec<String> = found.iter().map(|f| f.source.key()).collect();
    assert_eq!(
        keys,
        [
            "pypi:Weather-Tools==0.3.0",
            "pypi:mcp-server-time==2025.9.25"
        ]
    );
    assert_eq!(found[0].evidence, "depends on mcp");
    assert_eq!(left_out.len(), 4, "{left_out:?}");
    assert!(
        left_out[0].starts_with("requests: does not look"),
        "{left_out:?}"
    );
    assert!(left_out[1].contains("before 2024-06-01"), "{left_out:?}");
    assert!(left_out[2].starts_with("no-such:"), "{left_out:?}");
    assert!(left_out[3].starts_with("bad/name:"), "{left_out:?}");
}
