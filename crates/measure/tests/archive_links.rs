//! Links inside npm and PyPI archives are never written to disk, so never
//! scanned: each is reported in the server's `skipped` list (`archive-link`,
//! with its target) and stored in the measure store. Packages are hand-built
//! (a tar.gz with a symlink and a hard link, a wheel zip with a symlink) and
//! served by a registry on 127.0.0.1.

#[path = "../../collect/tests/common/mod.rs"]
mod common;

use common::{config, sha256_hex, sha512_b64, Resp, Server};
use mcpwarden_collect::{ListEntry, Source};
use mcpwarden_measure::run::{measure, RunOptions};
use mcpwarden_measure::store::Store;
use serde_json::json;
use std::io::Write;

/// A tar.gz with regular files, a symlink and a hard link.
fn npm_tarball() -> Vec<u8> {
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    let file = |b: &mut tar::Builder<_>, p: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, p, data).unwrap();
    };
    file(
        &mut b,
        "package/package.json",
        br#"{"name":"linked-mcp","version":"1.0.0","main":"index.js"}"#,
    );
    file(
        &mut b,
        "package/index.js",
        b"require('child_process').exec('ls');\n",
    );
    for (path, kind, target) in [
        (
            "package/lib/passwd.js",
            tar::EntryType::Symlink,
            "/etc/passwd",
        ),
        (
            "package/lib/copy.js",
            tar::EntryType::Link,
            "package/index.js",
        ),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(0);
        h.set_mode(0o777);
        h.set_entry_type(kind);
        b.append_link(&mut h, path, target).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap()
}

/// A wheel (zip) with a module and a symlink to a file outside it.
fn wheel() -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("linked_mcp/server.py", opts).unwrap();
    w.write_all(b"import os\nos.system('ls')\n").unwrap();
    w.add_symlink(
        "linked_mcp/secrets.py",
        "../../../home/user/.ssh/id_rsa",
        opts,
    )
    .unwrap();
    w.start_file("linked_mcp-1.0.0.dist-info/METADATA", opts)
        .unwrap();
    w.write_all(b"Name: linked-mcp\nVersion: 1.0.0\n").unwrap();
    w.finish().unwrap().into_inner()
}

fn registry(srv: &Server) {
    let tb = npm_tarball();
    let doc = json!({
        "name": "linked-mcp",
        "dist-tags": {"latest": "1.0.0"},
        "versions": {"1.0.0": {"name": "linked-mcp", "version": "1.0.0", "dist": {
            "tarball": format!("{}/linked-mcp/-/linked-mcp-1.0.0.tgz", srv.base),
            "integrity": format!("sha512-{}", sha512_b64(&tb))}}}
    });
    srv.route(
        "/linked-mcp",
        vec![Resp::ok(serde_json::to_vec(&doc).unwrap())],
    );
    srv.route("/linked-mcp/-/linked-mcp-1.0.0.tgz", vec![Resp::ok(tb)]);
    let whl = wheel();
    let name = "linked_mcp-1.0.0-py3-none-any.whl";
    let doc = json!({
        "info": {"name": "linked-mcp", "version": "1.0.0", "summary": "s"},
        "releases": {"1.0.0": [{"filename": name, "packagetype": "bdist_wheel",
            "url": format!("{}/packages/{name}", srv.base),
            "digests": {"sha256": sha256_hex(&whl)}, "size": whl.len(), "yanked": false}]},
        "urls": []
    });
    srv.route(
        "/pypi/linked-mcp/json",
        vec![Resp::ok(serde_json::to_vec(&doc).unwrap())],
    );
    srv.route(&format!("/packages/{name}"), vec![Resp::ok(whl)]);
}

fn entry(line: usize, source: &str) -> ListEntry {
    ListEntry {
        line,
        source: Source::parse(source).unwrap(),
        category: None,
        popularity: None,
        extra: Default::default(),
    }
}

#[test]
fn archive_links_are_reported_and_stored() {
    let srv = Server::start();
    registry(&srv);
    let dir = std::env::temp_dir().join(format!("mcpwarden-archive-links-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = config(&dir.join("cache"), &srv.base);
    let mut store = Store::open(&dir.join("r.sqlite"), "test").unwrap();
    let opts = RunOptions {
        jobs: 2,
        rescan: false,
        limit: None,
        scan: Default::default(),
        input: "test".into(),
        options: json!({}),
        run_key: None,
        pause: std::time::Duration::ZERO,
    };
    let entries = vec![
        entry(1, "npm:linked-mcp@1.0.0"),
        entry(2, "pypi:linked-mcp==1.0.0"),
    ];
    let mut reports = vec![];
    measure(&mut store, &cfg, entries, &opts, &mut |e| {
        if let mcpwarden_measure::run::Event::Stored { record, .. } = e {
            let r = record
                .report
                .as_ref()
                .unwrap_or_else(|| panic!("{:?}", record.error));
            reports.push((record.registry.clone(), r.skipped.clone()));
        }
    })
    .unwrap();
    reports.sort();
    let pairs = |s: &[mcpwarden_model::Skipped]| -> Vec<(String, String)> {
        s.iter()
            .filter(|s| s.reason.starts_with("archive-"))
            .map(|s| (s.path.clone(), s.reason.clone()))
            .collect()
    };
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert_eq!(
        pairs(&reports[0].1),
        [
            ("lib/copy.js", "archive-link: hardlink to package/index.js"),
            ("lib/passwd.js", "archive-link: symlink to /etc/passwd"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string())),
        "npm"
    );
    assert_eq!(
        pairs(&reports[1].1),
        [(
            "linked_mcp/secrets.py",
            "archive-link: symlink to ../../../home/user/.ssh/id_rsa"
        )]
        .map(|(a, b)| (a.to_string(), b.to_string())),
        "pypi"
    );
    drop(store);
    // The store keeps them with their server.
    let db = rusqlite::Connection::open(dir.join("r.sqlite")).unwrap();
    let mut st = db
        .prepare(
            "SELECT s.registry, k.path, k.reason FROM skipped k JOIN servers s ON s.id = k.server_id \
             WHERE k.reason LIKE 'archive-link:%' ORDER BY 1, 2",
        )
        .unwrap();
    let rows: Vec<(String, String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        rows.iter()
            .map(|r| (r.0.as_str(), r.1.as_str()))
            .collect::<Vec<_>>(),
        [
            ("npm", "lib/copy.js"),
            ("npm", "lib/passwd.js"),
            ("pypi", "linked_mcp/secrets.py")
        ]
    );
    std::fs::remove_dir_all(&dir).ok();
}
