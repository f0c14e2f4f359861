//! Golden files for every exporter on the hand-written manifests in
//! `tests/manifests/`: the command line, the configuration and the loss
//! report, with a fixed launch and a fixed view of the disk so the output
//! does not depend on the machine.

use mcpwarden_policy::bind::Launch;
use mcpwarden_policy::export::{export_with, ExportKind, Resolver};
use mcpwarden_policy::Manifest;
use std::path::Path;

/// Programs live in /usr/bin (srt in its npm package); scripts exist; data
/// directories exist, files under them do not.
struct FixedDisk;

impl Resolver for FixedDisk {
    fn which(&self, program: &str, _path: &str) -> Option<String> {
        match program {
            "srt" => Some("/opt/deps/node_modules/.bin/srt".into()),
            "codex" => Some("/opt/deps/node_modules/.bin/codex".into()),
            "node" | "git" | "npx" | "python3" => Some(format!("/usr/bin/{program}")),
            _ => None,
        }
    }
    fn real(&self, p: &str) -> String {
        match p {
            "/opt/deps/node_modules/.bin/srt" => {
                "/opt/deps/node_modules/@anthropic-ai/sandbox-runtime/dist/cli.js".into()
            }
            "/opt/deps/node_modules/.bin/codex" => {
                "/opt/deps/node_modules/@openai/codex/bin/codex.js".into()
            }
            _ => p.to_string(),
        }
    }
    fn is_file(&self, p: &str) -> bool {
        p.ends_with(".js")
    }
    fn exists(&self, p: &str) -> bool {
        p.starts_with("/srv/") && !p.contains('.')
    }
}

fn launch(argv: &[&str], grant: &[&str], env: &[(&str, &str)]) -> Launch {
    let mut e: std::collections::BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    e.insert("PATH".into(), "/usr/bin:/bin".into());
    e.insert("AWS_SECRET_ACCESS_KEY".into(), "not-for-the-server".into());
    Launch {
        home: "/home/me".into(),
        tmpdir: "/tmp".into(),
        cwd: "/srv/work".into(),
        env: e,
        argv: argv.iter().map(|s| s.to_string()).collect(),
        grant_fs: grant.iter().map(|s| s.to_string()).collect(),
    }
}

fn render(manifest: &str, launch: &Launch, cmd: &[&str]) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/manifests")
        .join(manifest);
    let m = Manifest::load(&path).unwrap();
    let cmd: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
    let mut out = String::new();
    for kind in ExportKind::ALL {
        out.push_str(&format!("======== {kind}\n"));
        let strict = export_with(*kind, &m, launch, &cmd, false, &FixedDisk);
        match export_with(*kind, &m, launch, &cmd, true, &FixedDisk) {
            Err(e) => out.push_str(&format!("error: {e}\n")),
            Ok(x) => {
                if let Err(e) = strict {
                    out.push_str(&format!("without --allow-loss: {e}\n"));
                }
                out.push_str(&format!("$ {}\n", x.command_line()));
                if !x.config.is_empty() {
                    out.push_str(&format!("--- {}\n{}", x.config_path, x.config));
                }
                out.push_str(&x.report.to_text());
            }
        }
    }
    out
}

#[test]
fn filesystem_server() {
    let l = launch(&["/srv/data"], &["/srv/data"], &[]);
    let cmd = [
        "node",
        "/srv/app/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js",
        "/srv/data",
    ];
    insta::assert_snapshot!(render("filesystem.json", &l, &cmd));
}

#[test]
fn filesystem_server_through_npx() {
    let l = launch(&["/srv/data"], &["/srv/data"], &[]);
    let cmd = [
        "npx",
        "-y",
        "@modelcontextprotocol/server-filesystem@2026.8.31",
        "/srv/data",
    ];
    insta::assert_snapshot!(render("filesystem.json", &l, &cmd));
}

#[test]
fn gitlab_server_on_a_local_api() {
    let env = [
        ("GITLAB_API_URL", "http://127.0.0.1:8929/api/v4"),
        ("GITLAB_PERSONAL_ACCESS_TOKEN", "glpat-x"),
    ];
    let l = launch(&[], &[], &env);
    let cmd = [
        "node",
        "/srv/app/node_modules/@modelcontextprotocol/server-gitlab/dist/index.js",
    ];
    insta::assert_snapshot!(render("gitlab.json", &l, &cmd));
}

#[test]
fn gitlab_server_default_host() {
    let env = [("GITLAB_PERSONAL_ACCESS_TOKEN", "glpat-x")];
    let l = launch(&[], &[], &env);
    let cmd = ["npx", "-y", "@modelcontextprotocol/server-gitlab@2025.4.25"];
    insta::assert_snapshot!(render("gitlab.json", &l, &cmd));
}

#[test]
fn git_server() {
    let l = launch(&[], &["/srv/repos"], &[]);
    let cmd = ["node", "/srv/app/node_modules/mcp-git/dist/cli.js"];
    insta::assert_snapshot!(render("git.json", &l, &cmd));
}

#[test]
fn git_server_without_granted_roots() {
    let l = launch(&[], &[], &[]);
    let cmd = ["node", "/srv/app/node_modules/mcp-git/dist/cli.js"];
    insta::assert_snapshot!(render("git.json", &l, &cmd));
}

#[test]
fn python_git_server() {
    let l = launch(&["--repository", "/srv/repo"], &["/srv/repo"], &[]);
    let cmd = [
        "python3",
        "-m",
        "mcp_server_git",
        "--repository",
        "/srv/repo",
    ];
    insta::assert_snapshot!(render("python-git.json", &l, &cmd));
}

#[test]
fn kitchen_sink() {
    let l = launch(&[], &["/srv/out"], &[("GITHUB_TOKEN", "ghp-x")]);
    let cmd = ["ghcr.io/acme/kitchen-sink:1.0", "--verbose"];
    insta::assert_snapshot!(render("kitchen-sink.json", &l, &cmd));
}

#[test]
fn kitchen_sink_as_a_node_script() {
    let l = launch(
        &[],
        &["/srv/out"],
        &[("GITHUB_TOKEN", "ghp-x"), ("ACME_HOME", "/srv/acme")],
    );
    let cmd = ["/srv/acme/bin/server.js"];
    insta::assert_snapshot!(render("kitchen-sink.json", &l, &cmd));
}

/// The same disk with an old Node on PATH.
struct OldNode;

impl Resolver for OldNode {
    fn which(&self, program: &str, path: &str) -> Option<String> {
        FixedDisk.which(program, path)
    }
    fn real(&self, p: &str) -> String {
        FixedDisk.real(p)
    }
    fn is_file(&self, p: &str) -> bool {
        FixedDisk.is_file(p)
    }
    fn exists(&self, p: &str) -> bool {
        FixedDisk.exists(p)
    }
    fn version(&self, _program: &str) -> Option<(u32, u32)> {
        Some((20, 19))
    }
}

#[test]
fn node_flags_follow_the_node_version() {
    let m =
        Manifest::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/manifests/gitlab.json"))
            .unwrap();
    let l = launch(
        &[],
        &[],
        &[("GITLAB_API_URL", "http://127.0.0.1:8929/api/v4")],
    );
    let cmd: Vec<String> = ["node", "/srv/app/index.js"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let old = export_with(ExportKind::Node, &m, &l, &cmd, false, &OldNode).unwrap();
    assert_eq!(old.command[1], "--experimental-permission");
    assert!(
        !old.command.iter().any(|a| a == "--allow-net"),
        "{:?}",
        old.command
    );
    let new = export_with(ExportKind::Node, &m, &l, &cmd, false, &FixedDisk).unwrap();
    assert_eq!(new.command[1], "--permission");
    assert!(new.command.iter().any(|a| a == "--allow-net"));
}

#[test]
fn kinds_parse_by_name() {
    for k in ExportKind::ALL {
        assert_eq!(k.as_str().parse::<ExportKind>().unwrap(), *k);
    }
    assert!("firejail"
        .parse::<ExportKind>()
        .unwrap_err()
        .contains("srt, vscode"));
}

#[test]
fn no_command_is_a_clear_error() {
    let m = Manifest::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/manifests/git.json"))
        .unwrap();
    let l = launch(&[], &["/srv/repos"], &[]);
    let e = export_with(ExportKind::Srt, &m, &l, &[], true, &FixedDisk).unwrap_err();
    assert!(e.to_string().contains("after `--`"), "{e}");
    let e = export_with(
        ExportKind::Node,
        &m,
        &l,
        &["python3".into(), "x.py".into()],
        true,
        &FixedDisk,
    )
    .unwrap_err();
    assert!(e.to_string().contains("node SCRIPT"), "{e}");
}
