//! `mcpwarden export-manifest`: output, files and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn manifest(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../policy/tests/manifests")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcpwarden"))
        .arg("export-manifest")
        .args(args)
        .env("GITLAB_PERSONAL_ACCESS_TOKEN", "glpat-x")
        .env_remove("GITLAB_API_URL")
        .output()
        .unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("export-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn json_document_holds_config_command_and_report() {
    let m = manifest("gitlab.json");
    let out = run(&[
        m.to_str().unwrap(),
        "--export",
        "deno",
        "--format",
        "json",
        "--",
        "npx",
        "-y",
        "@modelcontextprotocol/server-gitlab",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema"], "mcpwarden/export/v1");
    assert_eq!(doc["kind"], "deno");
    assert_eq!(doc["report"]["schema"], "mcpwarden/loss-report/v1");
    let line = doc["command_line"].as_str().unwrap();
    assert!(
        line.contains("--allow-net=gitlab.com:443")
            && line.ends_with("npm:@modelcontextprotocol/server-gitlab"),
        "{line}"
    );
    assert!(doc["report"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["verdict"] == "exact"));
}

#[test]
fn out_file_is_written_and_named_in_the_command() {
    let d = tmp("out");
    let f = d.join("settings.json");
    let m = manifest("filesystem.json");
    let data = d.display().to_string();
    let out = run(&[
        m.to_str().unwrap(),
        "--export",
        "srt",
        "--out",
        f.to_str().unwrap(),
        "--grant-fs",
        &data,
        "--",
        "npx",
        "-y",
        "@modelcontextprotocol/server-filesystem",
        &data,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let settings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
    assert!(settings["filesystem"]["allowWrite"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == &serde_json::json!(data)));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("run: srt --settings {}", f.display())),
        "{err}"
    );
    assert!(err.contains("loss report: srt"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_needed_item_the_target_cannot_grant_exits_1_unless_allowed() {
    let m = manifest("git.json");
    let out = run(&[
        m.to_str().unwrap(),
        "--export",
        "deno",
        "--",
        "node",
        "cli.js",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("stricter") && err.contains("--grant-fs"),
        "{err}"
    );
    let out = run(&[
        m.to_str().unwrap(),
        "--export",
        "deno",
        "--allow-loss",
        "--",
        "node",
        "cli.js",
    ]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("deno run --no-prompt"));
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let m = manifest("git.json");
    let cases: [(&[&str], &str); 4] = [
        (
            &["/no/such/manifest.json", "--export", "srt", "--", "x"],
            "/no/such/manifest.json",
        ),
        (&[m.to_str().unwrap(), "--export", "srt"], "after `--`"),
        (
            &[
                m.to_str().unwrap(),
                "--export",
                "node",
                "--grant-fs",
                "/tmp",
                "--",
                "python3",
                "s.py",
            ],
            "node SCRIPT",
        ),
        (
            &[m.to_str().unwrap(), "--export", "firejail", "--", "x"],
            "firejail",
        ),
    ];
    for (args, needle) in cases {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let bad = tmp("bad").join("bad.json");
    std::fs::write(&bad, "{\"schema\": \"other/v9\"}").unwrap();
    let out = run(&[bad.to_str().unwrap(), "--export", "srt", "--", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("other/v9"));
}
