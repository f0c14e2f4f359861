//! npm and PyPI collection against a fake registry on 127.0.0.1.

mod common;

use std::fs;

use common::{config, sha1_hex, sha256_hex, sha512_b64, tgz, Resp, Server};
use mcpwarden_collect::{collect, Source};
use serde_json::json;

fn npm_tarball() -> Vec<u8> {
    tgz(&[
        (
            "package/package.json",
            br#"{"name":"@acme/weather-mcp","version":"1.0.0"}"#,
        ),
        (
            "package/dist/index.js",
            b"require('child_process').exec('ls')",
        ),
        ("package/README.md", b"# Weather MCP\nFetches forecasts."),
    ])
}

fn npm_doc(base: &str, tarball: &[u8], integrity: serde_json::Value) -> Vec<u8> {
    let mut dist = json!({"tarball": format!("{base}/@acme/weather-mcp/-/weather-mcp-1.0.0.tgz")});
    dist.as_object_mut()
        .unwrap()
        .extend(integrity.as_object().unwrap().clone());
    let _ = tarball;
    serde_json::to_vec(&json!({
        "name": "@acme/weather-mcp",
        "dist-tags": {"latest": "1.0.0"},
        "versions": {
            "0.9.0": {"name": "@acme/weather-mcp", "version": "0.9.0", "dist": {"tarball": format!("{base}/nope.tgz"), "shasum": "00"}},
            "1.0.0": {"name": "@acme/weather-mcp", "version": "1.0.0", "description": "Weather forecasts for agents",
                      "keywords": ["mcp", "weather"], "dist": dist}
        }
    }))
    .unwrap()
}

const META: &str = "/@acme%2fweather-mcp";
const TARBALL: &str = "/@acme/weather-mcp/-/weather-mcp-1.0.0.tgz";

#[test]
fn npm_collects_verifies_retries_and_caches() {
    let srv = Server::start();
    let tb = npm_tarball();
    // The first metadata answer is a 503: it must be retried.
    srv.route(
        META,
        vec![
            Resp::status(503),
            Resp::ok(npm_doc(
                &srv.base,
                &tb,
                json!({"integrity": format!("sha512-{}", sha512_b64(&tb))}),
            )),
        ],
    );
    srv.route(TARBALL, vec![Resp::ok(tb.clone())]);
    let cache = tempfile::tempdir().unwrap();
    // The kept-trees layout (`--keep-trees`); temporary trees are tested below.
    let mut cfg = config(cache.path(), &srv.base);
    cfg.keep_trees = true;

    let src = Source::parse("npm:@acme/weather-mcp").unwrap();
    let c = collect(&cfg, &src).unwrap();
    assert_eq!(
        srv.count(META),
        2,
        "one 503, one retry: {:?}",
        srv.requests()
    );
    assert_eq!(
        (c.registry.as_str(), c.name.as_str(), c.version.as_str()),
        ("npm", "@acme/weather-mcp", "1.0.0")
    );
    assert_eq!(c.source, src);
    assert!(!c.from_cache);
    assert_eq!(c.digest, format!("sha256:{}", sha256_hex(&tb)));
    assert!(
        c.root.is_absolute() && c.root.ends_with("package"),
        "{}",
        c.root.display()
    );
    assert!(c.root.join("dist/index.js").is_file());
    assert_eq!(c.summary.as_deref(), Some("Weather forecasts for agents"));
    assert_eq!(c.keywords, ["mcp", "weather"]);
    assert_eq!(
        c.readme.as_deref(),
        Some("# Weather MCP\nFetches forecasts."),
        "README from the tarball"
    );
    let archive = c.archive.clone().unwrap();
    assert_eq!(fs::read(&archive).unwrap(), tb);
    let h = sha256_hex(&tb);
    assert!(archive.ends_with(format!("archives/sha256/{}/{h}", &h[..2])));
    assert!(c
        .root
        .starts_with(cache.path().canonicalize().unwrap().join("trees").join(&h)));
    let tmp_left: Vec<_> = fs::read_dir(cache.path().join("tmp")).unwrap().collect();
    assert!(tmp_left.is_empty(), "temporary files left: {tmp_left:?}");

    // Pinned and cached: no request at all.
    let before = srv.requests().len();
    let pinned = Source::parse("npm:@acme/weather-mcp@1.0.0").unwrap();
    let c2 = collect(&cfg, &pinned).unwrap();
    assert!(c2.from_cache);
    assert_eq!(srv.requests().len(), before);
    assert_eq!(
        (c2.root.clone(), c2.digest.clone(), c2.readme.clone()),
        (c.root.clone(), c.digest.clone(), c.readme.clone())
    );

    // Unversioned and online: one metadata request, no download.
    let c3 = collect(&cfg, &src).unwrap();
    assert!(c3.from_cache);
    assert_eq!(srv.count(TARBALL), 1);

    // Offline: the cache only, for both spellings; misses are clear.
    let off = mcpwarden_collect::Config {
        offline: true,
        ..cfg.clone()
    };
    let before = srv.requests().len();
    assert!(collect(&off, &src).unwrap().from_cache);
    assert_eq!(collect(&off, &pinned).unwrap().root, c.root);
    let e = collect(&off, &Source::parse("npm:@acme/weather-mcp@0.9.0").unwrap()).unwrap_err();
    assert_eq!(e.kind(), "offline-miss", "{e}");
    let e = collect(&off, &Source::parse("npm:never-seen").unwrap()).unwrap_err();
    assert_eq!(e.kind(), "offline-miss", "{e}");
    assert!(e.to_string().contains("npm:never-seen"), "{e}");
    assert_eq!(srv.requests().len(), before, "offline made requests");

    // A deleted tree comes back from the cached archive, offline.
    fs::remove_dir_all(cache.path().join("trees").join(&h)).unwrap();
    let c4 = collect(&off, &pinned).unwrap();
    assert!(c4.from_cache && c4.root.join("dist/index.js").is_file());
}

#[test]
fn npm_integrity_mismatch_is_refused() {
    let srv = Server::start();
    let tb = npm_tarball();
    let other = sha512_b64(b"something else");
    srv.route(
        META,
        vec![Resp::ok(npm_doc(
            &srv.base,
            &tb,
            json!({"integrity": format!("sha512-{other}")}),
        ))],
    );
    srv.route(TARBALL, vec![Resp::ok(tb.clone())]);
    let cache = tempfile::tempdir().unwrap();
    let e = collect(
        &config(cache.path(), &srv.base),
        &Source::parse("npm:@acme/weather-mcp").unwrap(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), "integrity", "{e}");
    assert!(e.to_string().contains("sha512 mismatch"), "{e}");
    assert!(
        !cache.path().join("archives").exists(),
        "a bad archive was kept"
    );
    assert!(!cache.path().join("trees").exists());
    assert!(fs::read_dir(cache.path().join("tmp"))
        .unwrap()
        .next()
        .is_none());
}

#[test]
fn npm_shasum_fallback_and_missing_checksum() {
    let srv = Server::start();
    let tb = npm_tarball();
    srv.route(
        META,
        vec![Resp::ok(npm_doc(
            &srv.base,
            &tb,
            json!({"shasum": sha1_hex(&tb)}),
        ))],
    );
    srv.route(TARBALL, vec![Resp::ok(tb.clone())]);
    let cache = tempfile::tempdir().unwrap();
    let cfg = config(cache.path(), &srv.base);
    let c = collect(&cfg, &Source::parse("npm:@acme/weather-mcp@1.0.0").unwrap()).unwrap();
    assert!(c.root.join("package.json").is_file());

    let srv = Server::start();
    srv.route(META, vec![Resp::ok(npm_doc(&srv.base, &tb, json!({})))]);
    srv.route(TARBALL, vec![Resp::ok(tb.clone())]);
    let cache = tempfile::tempdir().unwrap();
    let e = collect(
        &config(cache.path(), &srv.base),
        &Source::parse("npm:@acme/weather-mcp").unwrap(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), "integrity", "{e}");
    assert_eq!(
        srv.count(TARBALL),
        0,
        "downloaded without a checksum to check"
    );
}

#[test]
fn npm_not_found_and_hostile_tarball() {
    let srv = Server::start();
    let cache = tempfile::tempdir().unwrap();
    let cfg = config(cache.path(), &srv.base);
    let e = collect(&cfg, &Source::parse("npm:no-such-package").unwrap()).unwrap_err();
    assert_eq!(e.kind(), "not-found", "{e}");
    assert!(e.to_string().starts_with("npm:no-such-package: "), "{e}");

    let tb = npm_tarball();
    srv.route(
        META,
        vec![Resp::ok(npm_doc(
            &srv.base,
            &tb,
            json!({"integrity": format!("sha512-{}", sha512_b64(&tb))}),
        ))],
    );
    let e = collect(&cfg, &Source::parse("npm:@acme/weather-mcp@2.0.0").unwrap()).unwrap_err();
    assert_eq!(e.kind(), "not-found", "{e}");
    assert!(e.to_string().contains("latest: 1.0.0"), "{e}");

    // A tarball that checks out against its own (attacker-published)
    // checksum but carries a traversal: refused, nothing installed.
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    let mut h = tar::Header::new_old();
    h.as_old_mut().name[..17].copy_from_slice(b"package/../../../");
    h.set_size(1);
    h.set_cksum();
    b.append(&h, &b"x"[..]).unwrap();
    let evil = b.into_inner().unwrap().finish().unwrap();
    srv.route(
        META,
        vec![Resp::ok(npm_doc(
            &srv.base,
            &evil,
            json!({"integrity": format!("sha512-{}", sha512_b64(&evil))}),
        ))],
    );
    srv.route(TARBALL, vec![Resp::ok(evil)]);
    let e = collect(&cfg, &Source::parse("npm:@acme/weather-mcp").unwrap()).unwrap_err();
    assert_eq!(e.kind(), "hostile-archive", "{e}");
    let trees = cache.path().join("trees");
    assert!(!trees.exists() || fs::read_dir(&trees).unwrap().next().is_none());
    assert!(fs::read_dir(cache.path().join("tmp"))
        .unwrap()
        .next()
        .is_none());
}

#[test]
fn retries_run_out_and_size_limit() {
    let srv = Server::start();
    srv.route(META, vec![Resp::status(502)]);
    let cache = tempfile::tempdir().unwrap();
    let mut cfg = config(cache.path(), &srv.base);
    cfg.retries = 1;
    let e = collect(&cfg, &Source::parse("npm:@acme/weather-mcp").unwrap()).unwrap_err();
    assert_eq!(e.kind(), "network", "{e}");
    assert!(
        e.to_string().contains("HTTP 502") && e.to_string().contains("2 attempts"),
        "{e}"
    );
    assert_eq!(srv.count(META), 2);

    let tb = npm_tarball();
    srv.route(
        META,
        vec![Resp::ok(npm_doc(
            &srv.base,
            &tb,
            json!({"integrity": format!("sha512-{}", sha512_b64(&tb))}),
        ))],
    );
    srv.route(TARBALL, vec![Resp::ok(tb.clone())]);
    cfg.max_archive_bytes = 100;
    let e = collect(&cfg, &Source::parse("npm:@acme/weather-mcp").unwrap()).unwrap_err();
    assert_eq!(e.kind(), "too-large", "{e}");

    // Nothing listens here: a network error, not a hang.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = dead.local_addr().unwrap();
    drop(dead);
    let mut cfg = config(cache.path(), &format!("http://{addr}"));
    cfg.retries = 0;
    let e = collect(&cfg, &Source::parse("npm:x").unwrap()).unwrap_err();
    assert_eq!(e.kind(), "network", "{e}");
}

#[test]
fn same_package_from_many_threads() {
    let srv = Server::start();
    let tb = npm_tarball();
    srv.route(
        META,
        vec![Resp::ok(npm_doc(
            &srv.base,
            &tb,
            json!({"integrity": format!("sha512-{}", sha512_b64(&tb))}),
        ))],
    );
    srv.route(TARBALL, vec![Resp::ok(tb.clone())]);
    let cache = tempfile::tempdir().unwrap();
    let mut cfg = config(cache.path(), &srv.base);
    cfg.keep_trees = true;
    let src = Source::parse("npm:@acme/weather-mcp@1.0.0").unwrap();
    let results: Vec<_> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..6).map(|_| s.spawn(|| collect(&cfg, &src))).collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let roots: Vec<_> = results.into_iter().map(|r| r.unwrap().root).collect();
    assert!(roots.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(
        common::files_under(&roots[0]),
        ["README.md", "dist/index.js", "package.json"]
    );
    assert!(
        fs::read_dir(cache.path().join("tmp"))
            .unwrap()
            .next()
            .is_none(),
        "losers cleaned up"
    );
    let trees: Vec<_> = fs::read_dir(cache.path().join("trees"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .collect();
    assert_eq!(trees.len(), 1);
}

/// A PyPI-like index whose file links are relative to the metadata URL.
fn pypi_index(srv: &Server, sdist: &[u8], wheel: &[u8], sdist_sha: &str) {
    let native = platform_wheel("x86_64");
    let other = platform_wheel("aarch64");
    let f = |name: &str, kind: &str, sha: String, size: usize| {
        json!({"filename": name, "packagetype": kind, "url": format!("../../packages/ab/cd/{name}"),
               "digests": {"sha256": sha, "md5": "x"}, "size": size, "yanked": false})
    };
    let doc = json!({
        "info": {"name": "MCP-Demo", "version": "0.2.0", "summary": "Queries a Postgres database",
                 "keywords": "mcp, postgres", "description": "# MCP Demo\nLong description."},
        "releases": {
            "0.1.0": [f("mcp_demo-0.1.0-py3-none-any.whl", "bdist_wheel", sha256_hex(wheel), wheel.len()),
                      f("mcp_demo-0.1.0.tar.gz", "sdist", sdist_sha.to_string(), sdist.len())],
            "0.2.0": [f("mcp_demo-0.2.0-cp312-cp312-manylinux_2_17_x86_64.whl", "bdist_wheel", "00".repeat(32), 10),
                      f("mcp_demo-0.2.0-py3-none-any.whl", "bdist_wheel", sha256_hex(wheel), wheel.len())],
            "0.3.0": [f("mcp_demo-0.3.0-cp312-cp312-win_amd64.whl", "bdist_wheel", sha256_hex(&other), other.len()),
                      f("mcp_demo-0.3.0-cp312-cp312-manylinux_2_17_aarch64.whl", "bdist_wheel", sha256_hex(&other), other.len()),
                      f("mcp_demo-0.3.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "bdist_wheel", sha256_hex(&native), native.len())]
        },
        "urls": []
    });
    srv.route(
        "/pypi/mcp-demo/json",
        vec![Resp::ok(serde_json::to_vec(&doc).unwrap())],
    );
    srv.route(
        "/packages/ab/cd/mcp_demo-0.1.0.tar.gz",
        vec![Resp::ok(sdist.to_vec())],
    );
    srv.route(
        "/packages/ab/cd/mcp_demo-0.1.0-py3-none-any.whl",
        vec![Resp::ok(wheel.to_vec())],
    );
    srv.route(
        "/packages/ab/cd/mcp_demo-0.2.0-py3-none-any.whl",
        vec![Resp::ok(wheel.to_vec())],
    );
    for (name, w) in [
        ("mcp_demo-0.3.0-cp312-cp312-win_amd64.whl", &other),
        (
            "mcp_demo-0.3.0-cp312-cp312-manylinux_2_17_aarch64.whl",
            &other,
        ),
        (
            "mcp_demo-0.3.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            &native,
        ),
    ] {
        srv.route(
            &format!("/packages/ab/cd/{name}"),
            vec![Resp::ok(w.clone())],
        );
    }
}

/// A binary wheel: Python beside a compiled extension for `arch`.
fn platform_wheel(arch: &str) -> Vec<u8> {
    let so = [&b"\x7fELF"[..], arch.as_bytes(), &[0u8; 64]].concat();
    let ext = format!("mcp_demo/_speedups.cpython-312-{arch}-linux-gnu.so");
    common::zip(&[
        ("mcp_demo/server.py", b"import os"),
        (ext.as_str(), &so),
        ("mcp_demo-0.3.0.dist-info/METADATA", b"Name: mcp-demo\n"),
    ])
}

#[test]
fn pypi_sdist_wheel_relative_links_and_cache() {
    let srv = Server::start();
    let sdist = tgz(&[
        (
            "mcp_demo-0.1.0/PKG-INFO",
            b"Name: mcp-demo\nSummary: Reads a Postgres database (0.1)\n",
        ),
        ("mcp_demo-0.1.0/src/mcp_demo/server.py", b"import os"),
    ]);
    let wheel = common::zip(&[
        ("mcp_demo/server.py", b"import os"),
        ("mcp_demo-0.2.0.dist-info/METADATA", b"Name: mcp-demo\n"),
    ]);
    pypi_index(&srv, &sdist, &wheel, &sha256_hex(&sdist));
    let cache = tempfile::tempdir().unwrap();
    let cfg = config(cache.path(), &srv.base);

    // A pinned version: read from releases[], the sdist preferred.
    let c = collect(&cfg, &Source::parse("pypi:mcp-demo==0.1.0").unwrap()).unwrap();
    assert_eq!(
        (c.name.as_str(), c.version.as_str(), c.registry.as_str()),
        ("MCP-Demo", "0.1.0", "pypi")
    );
    assert!(c.root.ends_with("mcp_demo-0.1.0"), "{}", c.root.display());
    assert!(c.root.join("src/mcp_demo/server.py").is_file());
    assert_eq!(c.digest, format!("sha256:{}", sha256_hex(&sdist)));
    // `info` describes the latest release: an older one's own PKG-INFO wins,
    // `info` fills what it lacks.
    assert_eq!(
        c.summary.as_deref(),
        Some("Reads a Postgres database (0.1)")
    );
    assert_eq!(c.keywords, ["mcp", "postgres"]);
    assert_eq!(c.readme.as_deref(), Some("# MCP Demo\nLong description."));

    // The latest: only a platform wheel and a pure one; the pure one it is.
    let w = collect(&cfg, &Source::parse("pypi:mcp-demo").unwrap()).unwrap();
    assert_eq!(w.version, "0.2.0");
    assert_eq!(w.summary.as_deref(), Some("Queries a Postgres database"));
    assert!(
        w.root.join("mcp_demo/server.py").is_file()
            && w.root.join("mcp_demo-0.2.0.dist-info").is_dir()
    );

    let log = srv.requests();
    assert!(
        log.iter().all(|p| !p.starts_with("/pypi/mcp-demo/0")),
        "per-version endpoint used: {log:?}"
    );
    assert!(!log.iter().any(|p| p.contains("0.2.0-cp312")));

    // Only platform wheels: this platform's (else any), its Python and its
    // binary (which the scan reports as opaque) both there.
    let p = collect(&cfg, &Source::parse("pypi:mcp-demo==0.3.0").unwrap()).unwrap();
    assert!(p.root.join("mcp_demo/server.py").is_file());
    let arch = if cfg!(all(target_os = "linux", target_arch = "aarch64")) {
        "aarch64"
    } else {
        "x86_64"
    };
    let so = format!("mcp_demo/_speedups.cpython-312-{arch}-linux-gnu.so");
    if cfg!(target_os = "linux") {
        assert!(p.root.join(&so).is_file(), "{so} missing");
    }
    let e = collect(&cfg, &Source::parse("pypi:mcp-demo==9.9").unwrap()).unwrap_err();
    assert_eq!(e.kind(), "not-found", "{e}");

    // Cached, offline, and under another spelling of the name.
    let off = mcpwarden_collect::Config {
        offline: true,
        ..cfg.clone()
    };
    let before = srv.requests().len();
    assert!(
        collect(&off, &Source::parse("pypi:MCP_Demo==0.1.0").unwrap())
            .unwrap()
            .from_cache
    );
    assert_eq!(
        collect(&off, &Source::parse("pypi:mcp-demo").unwrap())
            .unwrap()
            .version,
        "0.2.0"
    );
    assert_eq!(srv.requests().len(), before);
}

#[test]
fn pypi_sha256_mismatch() {
    let srv = Server::start();
    let sdist = tgz(&[("mcp_demo-0.1.0/setup.py", b"")]);
    pypi_index(&srv, &sdist, b"", &sha256_hex(b"not this"));
    let cache = tempfile::tempdir().unwrap();
    let e = collect(
        &config(cache.path(), &srv.base),
        &Source::parse("pypi:mcp-demo==0.1.0").unwrap(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), "integrity", "{e}");
    assert!(e.to_string().contains("sha256 mismatch"), "{e}");
}

#[test]
fn dir_sources_are_used_in_place() {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("pyproject.toml"), "[project]\nname = \"mcp-local\"\nversion = \"0.4\"\ndescription = \"Reads files\"\nkeywords = [\"fs\"]\n").unwrap();
    fs::write(d.path().join("README.md"), "local").unwrap();
    let cfg = mcpwarden_collect::Config {
        offline: true,
        ..mcpwarden_collect::Config::from_env()
    };
    let c = collect(&cfg, &Source::Dir(d.path().to_path_buf())).unwrap();
    assert_eq!(c.root, d.path());
    assert_eq!(
        (c.name.as_str(), c.version.as_str(), c.registry.as_str()),
        ("mcp-local", "0.4", "dir")
    );
    assert_eq!(c.summary.as_deref(), Some("Reads files"));
    assert_eq!(c.readme.as_deref(), Some("local"));
    assert!(c.digest.starts_with("dir:"));
    let again = collect(&cfg, &Source::Dir(d.path().to_path_buf())).unwrap();
    assert_eq!(again.digest, c.digest);
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::write(d.path().join("server.py"), "import os").unwrap();
    assert_ne!(
        collect(&cfg, &Source::Dir(d.path().to_path_buf()))
            .unwrap()
            .digest,
        c.digest
    );
    let e = collect(&cfg, &Source::Dir(d.path().join("missing"))).unwrap_err();
    assert_eq!(e.kind(), "not-found");
}

#[test]
fn stalled_server_times_out() {
    // Accepts, then never answers.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let h = std::thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        std::thread::sleep(std::time::Duration::from_secs(3));
        drop(s);
    });
    let cache = tempfile::tempdir().unwrap();
    let mut cfg = config(cache.path(), &format!("http://{addr}"));
    cfg.retries = 0;
    cfg.timeout = std::time::Duration::from_millis(500);
    let t = std::time::Instant::now();
    let e = collect(&cfg, &Source::parse("npm:x").unwrap()).unwrap_err();
    assert_eq!(e.kind(), "network", "{e}");
    assert!(
        t.elapsed() < std::time::Duration::from_millis(2500),
        "took {:?}",
        t.elapsed()
    );
    h.join().unwrap();
}

#[test]
fn clean_tmp_removes_only_old_leftovers() {
    let cache = tempfile::tempdir().unwrap();
    let cfg = config(cache.path(), "http://127.0.0.1:9");
    assert_eq!(
        mcpwarden_collect::clean_tmp(&cfg, std::time::Duration::ZERO).unwrap(),
        0
    );
    fs::create_dir_all(cache.path().join("tmp/tree-1/package")).unwrap();
    fs::write(cache.path().join("tmp/download-2"), b"half").unwrap();
    assert_eq!(
        mcpwarden_collect::clean_tmp(&cfg, std::time::Duration::from_secs(3600)).unwrap(),
        0
    );
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(
        mcpwarden_collect::clean_tmp(&cfg, std::time::Duration::from_millis(1)).unwrap(),
        2
    );
    assert!(fs::read_dir(cache.path().join("tmp"))
        .unwrap()
        .next()
        .is_none());
}

#[test]
fn crates_collects_the_latest_release_verified_and_cached() {
    let srv = Server::start();
    let krate = tgz(&[
        (
            "rmcp-notes-0.2.0/Cargo.toml",
            b"[package]\nname = \"rmcp-notes\"\nversion = \"0.2.0\"\n",
        ),
        (
            "rmcp-notes-0.2.0/src/main.rs",
            b"fn main() { std::fs::read_to_string(\"notes.txt\").ok(); }\n",
        ),
        (
            "rmcp-notes-0.2.0/README.md",
            b"# rmcp-notes\nNotes over MCP.",
        ),
    ]);
    // One line per published version; the newest release that is neither yanked
    // nor a pre-release is the one collected.
    let index = [
        json!({"name": "rmcp-notes", "vers": "0.1.0", "cksum": "00".repeat(32), "yanked": false}),
        json!({"name": "rmcp-notes", "vers": "0.2.0", "cksum": sha256_hex(&krate), "yanked": false}),
        json!({"name": "rmcp-notes", "vers": "0.3.0-beta.1", "cksum": "00".repeat(32), "yanked": false}),
        json!({"name": "rmcp-notes", "vers": "0.2.1", "cksum": "00".repeat(32), "yanked": true}),
    ]
    .iter()
    .map(|l| l.to_string())
    .collect::<Vec<_>>()
    .join("\n");
    srv.route(
        "/index/rm/cp/rmcp-notes",
        vec![Resp::ok(index.into_bytes())],
    );
    srv.route(
        "/dl/rmcp-notes/rmcp-notes-0.2.0.crate",
        vec![Resp::ok(krate.clone())],
    );
    srv.route(
        "/dl/rmcp-notes/rmcp-notes-0.1.0.crate",
        vec![Resp::ok(krate.clone())],
    );
    let cache = tempfile::tempdir().unwrap();
    let mut cfg = config(cache.path(), &srv.base);
    cfg.crates_index = format!("{}/index", srv.base);
    cfg.crates_dl = format!("{}/dl", srv.base);

    let src = Source::parse("crates:rmcp-notes").unwrap();
    let c = collect(&cfg, &src).unwrap();
    assert_eq!(
        (c.registry.as_str(), c.name.as_str(), c.version.as_str()),
        ("crates", "rmcp-notes", "0.2.0")
    );
    assert_eq!(c.digest, format!("sha256:{}", sha256_hex(&krate)));
    assert!(c.root.join("src/main.rs").is_file(), "{}", c.root.display());
    assert_eq!(c.readme.as_deref(), Some("# rmcp-notes\nNotes over MCP."));

    // Pinned and cached: no request at all; offline works from the cache.
    let before = srv.requests().len();
    let c2 = collect(&cfg, &Source::parse("crates:rmcp-notes@0.2.0").unwrap()).unwrap();
    assert!(c2.from_cache);
    assert_eq!(srv.requests().len(), before);
    let off = mcpwarden_collect::Config {
        offline: true,
        ..cfg.clone()
    };
    assert_eq!(
        collect(&off, &src).unwrap().root.file_name(),
        c.root.file_name()
    );

    // A checksum that does not match the archive is refused.
    let e = collect(&cfg, &Source::parse("crates:rmcp-notes@0.1.0").unwrap()).unwrap_err();
    assert_eq!(e.kind(), "integrity", "{e}");
    // Unknown versions are named.
    let e = collect(&cfg, &Source::parse("crates:rmcp-notes@9.9.9").unwrap()).unwrap_err();
    assert!(e.to_string().contains("9.9.9"), "{e}");
}

/// Without `keep_trees` a tree lives as long as its `Collected`; the archive
/// stays, so the next collection (offline too) needs no download. `prune`
/// trims the archives by age and size.
#[test]
fn trees_are_temporary_archives_stay_and_prune() {
    let srv = Server::start();
    let tb = npm_tarball();
    srv.route(
        META,
        vec![Resp::ok(npm_doc(
            &srv.base,
            &tb,
            json!({"integrity": format!("sha512-{}", sha512_b64(&tb))}),
        ))],
    );
    srv.route(TARBALL, vec![Resp::ok(tb.clone())]);
    let cache = tempfile::tempdir().unwrap();
    let cfg = config(cache.path(), &srv.base);
    let src = Source::parse("npm:@acme/weather-mcp@1.0.0").unwrap();
    let c = collect(&cfg, &src).unwrap();
    assert!(c.is_temporary() && c.root.join("package.json").is_file());
    let root = c.root.clone();
    let copy = c.clone();
    drop(c);
    assert!(root.is_dir(), "removed while a clone still holds it");
    drop(copy);
    assert!(!root.exists(), "tree left behind");
    assert!(!cache.path().join("trees").exists());
    assert_eq!(
        common::files_under(&cache.path().join("tmp")),
        Vec::<String>::new()
    );
    let archive = cache
        .path()
        .join(format!("archives/sha256/{}", &sha256_hex(&tb)[..2]))
        .join(sha256_hex(&tb));
    assert!(archive.is_file());

    // Offline, from the archive alone.
    let downloads = srv.count(TARBALL);
    let off = mcpwarden_collect::Config {
        offline: true,
        ..cfg.clone()
    };
    let again = collect(&off, &src).unwrap();
    assert!(again.from_cache && again.root.join("dist/index.js").is_file());
    assert_eq!(srv.count(TARBALL), downloads);
    drop(again);

    // A tampered archive is not trusted: downloaded again.
    fs::write(&archive, b"tampered").unwrap();
    let fresh = collect(&cfg, &src).unwrap();
    assert!(!fresh.from_cache);
    assert_eq!(srv.count(TARBALL), downloads + 1);
    drop(fresh);

    use mcpwarden_collect::{prune, PruneOptions};
    let size = fs::metadata(&archive).unwrap().len();
    // Within limits: nothing goes.
    let r = prune(
        cache.path(),
        &PruneOptions {
            older_than: Some(std::time::Duration::from_secs(3600)),
            max_bytes: Some(size),
        },
    )
    .unwrap();
    assert_eq!((r.removed, r.kept, r.kept_bytes), (0, 1, size));
    // Over the size limit: the least recently used goes.
    let r = prune(
        cache.path(),
        &PruneOptions {
            older_than: None,
            max_bytes: Some(size - 1),
        },
    )
    .unwrap();
    assert_eq!((r.removed, r.freed_bytes, r.kept), (1, size, 0));
    assert!(!archive.exists());
    // Metadata stays: offline is now a clear miss, online a fresh download.
    let e = collect(&off, &src).unwrap_err();
    assert_eq!(e.kind(), "offline-miss", "{e}");
    collect(&cfg, &src).unwrap();
    assert!(archive.is_file());
    // By age.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let r = prune(
        cache.path(),
        &PruneOptions {
            older_than: Some(std::time::Duration::from_millis(10)),
            max_bytes: None,
        },
    )
    .unwrap();
    assert_eq!(r.removed, 1);
}
