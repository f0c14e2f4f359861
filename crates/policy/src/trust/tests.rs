//! Unit tests of the rubric, the score and drift on hand-written manifests
//! (the fixture servers in tests/trust-fixtures cover the whole pipeline).

use super::flows::{Flow, Sink};
use super::score::{score, Rubric};
use crate::Manifest;
use mcpwarden_model::{Kind, ServerReport};

fn manifest(tools: &str) -> Manifest {
    Manifest::from_json(&format!(
        r#"{{"schema":"mcpwarden/manifest/v1","server":{{"name":"t","source":"t","analyser":"test"}},
            "permissions":{{}},"tools":[{tools}],"unresolved":[]}}"#
    ))
    .expect("test manifest")
}

const READ_MOTD: &str = r#"{"name":"motd","resources":["file"],"kinds":["fs.read"],"permissions":{"fs":[
    {"path":"/etc/motd","access":["read"],"provenance":"const","evidence":["a.ts:3"]}]}}"#;

#[test]
fn the_embedded_rubric_is_valid() {
    let r = Rubric::embedded();
    assert_eq!(r.grade(100), 'A');
    assert_eq!(r.grade(0), 'F');
}

#[test]
fn bad_rubrics_are_rejected_with_a_reason() {
    let grades = "[grades]\nA = 90\nB = 75\nC = 60\nD = 40\n";
    let rule = |body: &str| format!("{grades}[[rule]]\n{body}\n");
    let unknown = Rubric::parse(&rule("id = \"nope\"\nwhat = \"x\"\npoints = 1\ncap = 1"));
    assert!(unknown.unwrap_err().contains("unknown rule id `nope`"));
    let guarded = Rubric::parse(&rule(
        "id = \"install\"\nwhat = \"x\"\npoints = 1\nguarded = 5\ncap = 9",
    ));
    assert!(guarded.unwrap_err().contains("guarded <= points <= cap"));
    let order = Rubric::parse("[grades]\nA = 50\nB = 75\nC = 60\nD = 40\n[[rule]]\nid = \"install\"\nwhat = \"x\"\npoints = 1\ncap = 1\n");
    assert!(order.unwrap_err().contains("A > B > C > D"));
    assert!(Rubric::parse("not toml [").is_err());
}

fn flow(sink: Sink, guarded: bool) -> Flow {
    Flow {
        tool: "run".into(),
        param: "cmd".into(),
        sink,
        kind: Kind::SysShell,
        evidence: vec!["a.ts:9".into()],
        chain: vec![],
        guarded,
        guards: vec![],
    }
}

#[test]
fn model_chosen_shell_commands_never_beat_a_fixed_file_read() {
    let report = ServerReport::default();
    let m = manifest(READ_MOTD);
    let fixed = score(Rubric::embedded(), &report, &m, &[], &[], &[]);
    let shell = score(
        Rubric::embedded(),
        &report,
        &m,
        &[flow(Sink::CommandInjection, false)],
        &[],
        &[],
    );
    assert_eq!(fixed.grade, 'A');
    assert!(shell.score <= 39 && shell.grade == 'F', "{shell:?}");
    assert_eq!(shell.capped_by, vec!["flow.command-injection".to_string()]);
    let guarded = score(
        Rubric::embedded(),
        &report,
        &m,
        &[flow(Sink::CommandInjection, true)],
        &[],
        &[],
    );
    assert!(guarded.score > shell.score && guarded.score < fixed.score);
    // Every point is a line.
    let spent: u32 = guarded.lines.iter().map(|l| l.points).sum();
    assert_eq!(guarded.score, 100 - spent);
}

#[test]
fn drift_reports_new_tools_and_new_privileges() {
    let old = manifest(READ_MOTD);
    let same = super::diff::diff(&old, &old);
    assert!(!same.privileges_grew && same.tools.is_empty());
    let new = manifest(&format!(
        r#"{READ_MOTD},{{"name":"run","resources":["system"],"kinds":["sys.shell"],"permissions":{{"exec":[
            {{"program":null,"shell":true,"provenance":"tool-arg","tool":"run","param":"cmd","evidence":["a.ts:9"]}}]}}}}"#
    ));
    let d = super::diff::diff(&old, &new);
    assert_eq!(d.added_tools, vec!["run".to_string()]);
    assert!(d.privileges_grew);
    let back = super::diff::diff(&new, &old);
    assert_eq!(back.removed_tools, vec!["run".to_string()]);
    assert!(!back.privileges_grew);
}

#[test]
fn fingerprints_are_stable() {
    let a = super::sarif::fingerprint(&["kind/sys.shell", "src/a.ts", "run", "child_process.exec"]);
    assert_eq!(
        a,
        super::sarif::fingerprint(&["kind/sys.shell", "src/a.ts", "run", "child_process.exec"])
    );
    assert_ne!(
        a,
        super::sarif::fingerprint(&["kind/sys.shell", "src/a.tsrun", "", "child_process.exec"])
    );
}
