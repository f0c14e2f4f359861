//! Golden exports of manifests derived from fixture servers: every exporter on
//! servers written for the manifest tests (`mcpwarden manifest DIR --export KIND`),
//! so a change in derivation or in an exporter shows up as a reviewed diff.

use std::path::PathBuf;
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/manifest")
        .join(name)
}

/// The export document of one fixture for one target, with a fixed home, temp
/// dir and working directory so the goldens do not depend on the machine.
fn export(name: &str, kind: &str, cmd: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_mcpwarden"))
        .args([
            "manifest",
            ".",
            "--export",
            kind,
            "--format",
            "json",
            "--allow-loss",
            "--grant-fs",
            "/srv/granted",
            "--",
        ])
        .args(cmd)
        .current_dir(fixture(name))
        .env_clear()
        .env("HOME", "/home/user")
        .env("TMPDIR", "/tmp")
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name} {kind}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The analyser version (and catalogue digest) changes with every catalogue edit.
    v.as_object_mut().unwrap().remove("analyser");
    // The server's own folder is where this checkout is.
    let here = fixture(name).canonicalize().unwrap().display().to_string();
    serde_json::to_string_pretty(&v)
        .unwrap()
        .replace(&here, "<fixture>")
}

/// Targets that start the server's own command; ToolHive and Docker start a
/// package in a container (`npx -y PACKAGE`).
const JS_KINDS: &[&str] = &["srt", "vscode", "codex", "node", "deno"];
const PACKAGE_KINDS: &[&str] = &["toolhive", "docker"];

#[test]
fn typescript_hosts_server() {
    for k in JS_KINDS {
        insta::assert_snapshot!(
            format!("ts_hosts_{k}"),
            export("ts-hosts", k, &["node", "dist/index.js"])
        );
    }
    for k in PACKAGE_KINDS {
        let doc = export("ts-hosts", k, &["npx", "-y", "acme-search-mcp"]);
        insta::assert_snapshot!(format!("ts_hosts_{k}"), doc);
    }
}

#[test]
fn javascript_roots_from_the_command_line() {
    for k in JS_KINDS {
        let doc = export("js-roots-argv", k, &["node", "index.js", "/srv/notes"]);
        insta::assert_snapshot!(format!("js_roots_{k}"), doc);
    }
    for k in PACKAGE_KINDS {
        let doc = export(
            "js-roots-argv",
            k,
            &["npx", "-y", "acme-roots", "/srv/notes"],
        );
        insta::assert_snapshot!(format!("js_roots_{k}"), doc);
    }
}

#[test]
fn python_fastmcp_server() {
    for k in ["srt", "vscode", "codex", "toolhive", "docker"] {
        let doc = export("py-fastmcp", k, &["uvx", "acme-weather-mcp"]);
        insta::assert_snapshot!(format!("py_fastmcp_{k}"), doc);
    }
}
