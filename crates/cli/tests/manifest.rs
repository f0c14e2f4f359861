//! `mcpwarden manifest` as a user runs it: JSON document, text table, errors.

use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mcpwarden"))
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn json_manifest_of_the_example_server() {
    let out = bin()
        .args(["manifest", "examples/notes-server", "--format", "json"])
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = mcpwarden_policy::Manifest::from_json(&String::from_utf8_lossy(&out.stdout)).unwrap();
    assert_eq!(m.server.source, "examples/notes-server");
    assert!(m.server.analyser.starts_with("mcpwarden "));
    let history = m.tool("history").unwrap();
    assert_eq!(history.permissions.exec[0].program.as_deref(), Some("git"));
    let read = m.tool("read_note").unwrap();
    let rule = &read.permissions.fs[0];
    assert_eq!(rule.path, "${ENV:NOTES_DIR}/${ARG:read_note.name}.md");
    assert_eq!(rule.origin.default.as_deref(), Some("${HOME}/notes"));
    assert_eq!(read.params[0].name, "name");
    // The server-level union names the variable it reads at startup.
    assert!(m.permissions.env.iter().any(|e| e.name == "NOTES_DIR"));
}

#[test]
fn text_manifest_is_a_table_per_tool_and_out_writes_a_file() {
    let out = bin()
        .args(["manifest", "examples/notes-server", "--format", "text"])
        .current_dir(repo())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("tool history") && text.contains("exec      git"),
        "{text}"
    );
    assert!(text.contains("tool-arg clip_url.url"), "{text}");
    let dir = std::env::temp_dir().join(format!("mcpwarden-manifest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("m.json");
    let st = bin()
        .args(["manifest", "examples/notes-server", "--out"])
        .arg(&file)
        .current_dir(repo())
        .status()
        .unwrap();
    assert!(st.success());
    assert!(mcpwarden_policy::Manifest::load(&file).is_ok());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_missing_target_names_itself_and_exits_2() {
    let out = bin()
        .args(["manifest", "no/such/server", "--offline"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no/such/server"), "{err}");
}
