//! Against the real registries (the user's configured ones): one npm and one
//! PyPI package, small and pinned. Skipped, not failed, when the registry
//! cannot be reached or MCPWARDEN_NO_NETWORK_TESTS is set.

use mcpwarden_collect::{collect, Config, Source};

fn run(src: &str) {
    if std::env::var_os("MCPWARDEN_NO_NETWORK_TESTS").is_some() {
        eprintln!("skipped: MCPWARDEN_NO_NETWORK_TESTS is set");
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    let mut cfg = Config {
        cache_dir: cache.path().to_path_buf(),
        offline: false,
        ..Config::from_env()
    };
    cfg.retries = 1;
    cfg.timeout = std::time::Duration::from_secs(30);
    let src = Source::parse(src).unwrap();
    let c = match collect(&cfg, &src) {
        Ok(c) => c,
        Err(e) if e.kind() == "network" => {
            eprintln!("skipped: registry unreachable: {e}");
            return;
        }
        Err(e) => panic!("{e} ({})", e.kind()),
    };
    assert!(!c.from_cache);
    assert!(c.digest.starts_with("sha256:"));
    assert!(c.summary.is_some() && c.readme.is_some(), "{c:?}");
    let again = collect(
        &Config {
            offline: true,
            ..cfg
        },
        &src,
    )
    .unwrap();
    assert!(again.from_cache);
    // Each collection unpacks its own temporary tree, removed when dropped.
    assert_eq!(
        again.root.file_name(),
        c.root.file_name(),
        "{} vs {}",
        again.root.display(),
        c.root.display()
    );
    let first = c.root.clone();
    let (c_ms, c_root) = (c.ms, c.root.display().to_string());
    drop(c);
    assert!(!first.exists(), "temporary tree left behind");
    eprintln!(
        "{}: {} ms cold, {} ms cached, root {}",
        src, c_ms, again.ms, c_root
    );
}

#[test]
fn real_npm_package() {
    run("npm:@modelcontextprotocol/server-memory@2025.9.25");
    // package.json sits at the root of npm's `package/` folder.
}

#[test]
fn real_pypi_package() {
    run("pypi:mcp-server-time==2025.9.25");
}
