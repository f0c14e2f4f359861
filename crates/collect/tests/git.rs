//! git sources against real repositories made here (`file://`).

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use mcpwarden_collect::{collect, Config, Source};

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git is installed");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn has_git() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A repository with two commits; `v1` tags the first. Returns (url, first, second).
fn repo(dir: &Path) -> (String, String, String) {
    fs::create_dir_all(dir.join("servers/weather")).unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    fs::write(
        dir.join("package.json"),
        r#"{"name":"mono","description":"Monorepo of MCP servers","keywords":["mcp"]}"#,
    )
    .unwrap();
    fs::write(
        dir.join("servers/weather/index.ts"),
        "fetch('https://api.example')",
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/passwd", dir.join("passwd-link")).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "one"]);
    git(dir, &["tag", "-a", "v1", "-m", "v1"]);
    let first = git(dir, &["rev-parse", "HEAD"]);
    fs::write(dir.join("servers/weather/extra.ts"), "process.env.X").unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "two"]);
    let second = git(dir, &["rev-parse", "HEAD"]);
    (format!("file://{}", dir.display()), first, second)
}

fn config_in(cache: &Path) -> Config {
    Config {
        cache_dir: cache.to_path_buf(),
        offline: false,
        ..Config::from_env()
    }
}

#[test]
fn clones_refs_commits_and_subdirs() {
    if !has_git() {
        eprintln!("skipped: git not installed");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let (url, first, second) = repo(&work.path().join("repo"));
    let cache = work.path().join("cache");
    let cfg = config_in(&cache);

    let head = collect(&cfg, &Source::parse(&format!("git:{url}")).unwrap()).unwrap();
    assert_eq!(
        (head.registry.as_str(), head.version.as_str()),
        ("git", second.as_str())
    );
    assert_eq!(head.digest, format!("git:{second}"));
    assert!(!head.from_cache);
    assert!(head.root.join("servers/weather/extra.ts").is_file());
    assert!(!head.root.join(".git").exists(), "history is dropped");
    assert_eq!(head.summary.as_deref(), Some("Monorepo of MCP servers"));
    #[cfg(unix)]
    {
        // core.symlinks=false: the link is a small plain file, nothing to follow.
        let md = fs::symlink_metadata(head.root.join("passwd-link")).unwrap();
        assert!(md.is_file(), "a symlink was checked out");
        assert_eq!(
            fs::read_to_string(head.root.join("passwd-link")).unwrap(),
            "/etc/passwd"
        );
    }

    // Same ref again: `ls-remote` finds the cached commit.
    assert!(
        collect(&cfg, &Source::parse(&format!("git:{url}")).unwrap())
            .unwrap()
            .from_cache
    );

    // A tag (annotated: resolves to its commit), with a subdirectory.
    let tag = collect(
        &cfg,
        &Source::parse(&format!("git:{url}@v1#servers/weather")).unwrap(),
    )
    .unwrap();
    assert_eq!(tag.version, first);
    assert!(tag.root.ends_with("servers/weather"));
    assert!(tag.root.join("index.ts").is_file() && !tag.root.join("extra.ts").exists());

    // The full commit id: the tree is cached under it already.
    let by_sha = collect(&cfg, &Source::parse(&format!("git:{url}@{first}")).unwrap()).unwrap();
    assert!(by_sha.from_cache);
    assert_eq!(by_sha.version, first);

    // A short id: full clone + checkout.
    let fresh = config_in(&work.path().join("cache2"));
    let short = collect(
        &fresh,
        &Source::parse(&format!("git:{url}@{}", &first[..10])).unwrap(),
    )
    .unwrap();
    assert_eq!(short.version, first);
    assert!(!short.root.join("servers/weather/extra.ts").exists());

    // Offline: what was fetched, by the same spelling; nothing else.
    let off = Config {
        offline: true,
        ..cfg.clone()
    };
    assert_eq!(
        collect(&off, &Source::parse(&format!("git:{url}@v1")).unwrap())
            .unwrap()
            .version,
        first
    );
    let e = collect(&off, &Source::parse(&format!("git:{url}@other")).unwrap()).unwrap_err();
    assert_eq!(e.kind(), "offline-miss", "{e}");

    // Errors.
    let e = collect(
        &cfg,
        &Source::parse(&format!("git:{url}#no/such/dir")).unwrap(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), "not-found", "{e}");
    let e = collect(
        &cfg,
        &Source::parse(&format!("git:{url}@no-such-branch")).unwrap(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), "not-found", "{e}");
    let missing = format!("file://{}", work.path().join("nope").display());
    let e = collect(&cfg, &Source::parse(&format!("git:{missing}")).unwrap()).unwrap_err();
    assert!(matches!(e.kind(), "not-found" | "git"), "{e}");
    assert!(
        fs::read_dir(cache.join("tmp")).unwrap().next().is_none(),
        "temporary clones left behind"
    );
}

#[test]
fn hooks_in_the_users_template_never_run() {
    if !has_git() {
        return;
    }
    // A post-checkout hook installed through a template directory, the way
    // a hostile environment could: core.hooksPath=/dev/null keeps it inert.
    let work = tempfile::tempdir().unwrap();
    let (url, _, _) = repo(&work.path().join("repo"));
    let template = work.path().join("template");
    fs::create_dir_all(template.join("hooks")).unwrap();
    let marker = work.path().join("hook-ran");
    let hook = template.join("hooks/post-checkout");
    fs::write(&hook, format!("#!/bin/sh\ntouch '{}'\n", marker.display())).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).unwrap();
    }
    // GIT_TEMPLATE_DIR must be in git's environment: set it on a child
    // test process rather than on this (multi-threaded) one.
    let cfg = config_in(&work.path().join("cache"));
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "hook_child", "--nocapture"])
        .env("GIT_TEMPLATE_DIR", &template)
        .env("HOOK_TEST_URL", &url)
        .env("HOOK_TEST_CACHE", &cfg.cache_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 passed"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!marker.exists(), "a hook ran");
}

/// Runs in a child process started by `hooks_in_the_users_template_never_run`.
#[test]
fn hook_child() {
    let (Ok(url), Ok(cache)) = (
        std::env::var("HOOK_TEST_URL"),
        std::env::var("HOOK_TEST_CACHE"),
    ) else {
        return;
    };
    let c = collect(
        &config_in(Path::new(&cache)),
        &Source::parse(&format!("git:{url}")).unwrap(),
    )
    .unwrap();
    assert!(c.root.join("package.json").is_file());
}
