//! Every export of every hand-written manifest parses and is accepted by its
//! target: srt, Codex, Node and Deno run it (with `true` / an empty script
//! in place of the server); the VS Code entry, the ToolHive profile and the
//! Docker catalog are checked against the schemas their documentation and
//! source give (written out below), and VS Code's block is run by srt the way
//! VS Code runs it.

use crate::harness::*;
use mcpwarden_policy::export::{export, Export, ExportKind};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

const MANIFESTS: &[&str] = &[
    "filesystem.json",
    "gitlab.json",
    "git.json",
    "python-git.json",
    "kitchen-sink.json",
];

/// One launch for every manifest: a data dir granted, the config values set.
fn exports(d: &Deps, base: &Path, kind: ExportKind) -> Vec<(String, Export)> {
    let data = base.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let script = base.join("server.js");
    std::fs::write(&script, "").unwrap();
    let env = [
        ("GITLAB_API_URL", "http://127.0.0.1:9/api/v4".to_string()),
        ("GITLAB_PERSONAL_ACCESS_TOKEN", "glpat-x".to_string()),
        ("GITHUB_TOKEN", "ghp-x".to_string()),
        ("ACME_HOME", data.display().to_string()),
    ];
    let dstr = data.display().to_string();
    let l = launch(d, base, std::slice::from_ref(&dstr), &[&data], &env);
    let cmd = match kind {
        ExportKind::Toolhive | ExportKind::Docker => {
            argv(&["npx", "-y", "some-mcp-server@1.0.0", &dstr])
        }
        _ => argv(&["node", &script.display().to_string(), &dstr]),
    };
    MANIFESTS
        .iter()
        .map(|m| {
            let x = export(kind, &manifest(m), &l, &cmd, true)
                .unwrap_or_else(|e| panic!("{kind} {m}: {e}"));
            (m.to_string(), x)
        })
        .collect()
}

fn write(x: &Export, path: &Path) -> Export {
    std::fs::write(path, &x.config).unwrap();
    let mut x = x.clone();
    x.set_config_path(&path.display().to_string());
    x
}

/// The command up to the server, then `tail` in its place.
fn run_instead(
    x: &Export,
    from: &str,
    tail: &[&str],
    env: &[(&str, String)],
    d: &Deps,
) -> std::process::Output {
    let i = x
        .command
        .iter()
        .position(|a| a == from)
        .unwrap_or_else(|| panic!("{from} not in {:?}", x.command));
    let mut c = Command::new(&x.command[0]);
    c.args(&x.command[1..i])
        .args(tail)
        .env("PATH", d.path_var());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn assert_ran(out: &std::process::Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn srt_accepts_every_export() {
    let test = "srt_accepts_every_export";
    let Some(d) = deps(test, &["srt"]) else {
        return;
    };
    if !userns(test) {
        return;
    }
    let base = scratch("accept-srt");
    for (m, x) in exports(&d, &base, ExportKind::Srt) {
        let x = write(&x, &base.join(format!("{m}.srt.json")));
        assert_ran(&run_instead(&x, "node", &["true"], &[], &d), &m);
    }
}

/// The VS Code schema: a stdio server entry allows these keys only, and its
/// `sandbox` block these (src/vs/workbench/contrib/mcp/common/mcpConfiguration.ts,
/// src/vs/platform/mcp/common/mcpPlatformTypes.ts).
fn check_vscode(doc: &Value, what: &str) {
    let servers = doc["servers"]
        .as_object()
        .unwrap_or_else(|| panic!("{what}: no servers"));
    assert_eq!(
        doc.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["servers"],
        "{what}"
    );
    for (name, s) in servers {
        let keys = [
            "type",
            "command",
            "args",
            "env",
            "envFile",
            "cwd",
            "dev",
            "sandboxEnabled",
            "sandbox",
        ];
        only(s, &keys, &format!("{what} servers.{name}"));
        assert_eq!(s["type"], "stdio");
        assert!(s["command"].is_string());
        strings(&s["args"], what);
        assert_eq!(s["sandboxEnabled"], true);
        only(&s["sandbox"], &["network", "filesystem"], what);
        only(
            &s["sandbox"]["network"],
            &["allowedDomains", "deniedDomains"],
            what,
        );
        only(
            &s["sandbox"]["filesystem"],
            &["denyRead", "allowWrite", "denyWrite"],
            what,
        );
        for v in s["sandbox"]["network"]
            .as_object()
            .unwrap()
            .values()
            .chain(s["sandbox"]["filesystem"].as_object().unwrap().values())
        {
            strings(v, what);
        }
    }
}

fn only(v: &Value, keys: &[&str], what: &str) {
    let o = v
        .as_object()
        .unwrap_or_else(|| panic!("{what}: not an object: {v}"));
    for k in o.keys() {
        assert!(
            keys.contains(&k.as_str()),
            "{what}: unknown key `{k}` (allowed: {keys:?})"
        );
    }
}

fn strings(v: &Value, what: &str) {
    assert!(
        v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        "{what}: not a list of strings: {v}"
    );
}

#[test]
fn vscode_entries_follow_the_schema_and_run_under_srt() {
    let test = "vscode_entries_follow_the_schema_and_run_under_srt";
    let Some(d) = deps(test, &["srt"]) else {
        return;
    };
    let base = scratch("accept-vscode");
    for (m, x) in exports(&d, &base, ExportKind::Vscode) {
        let doc: Value = serde_json::from_str(&x.config).unwrap();
        check_vscode(&doc, &m);
        let add: Value = serde_json::from_str(x.command.last().unwrap()).unwrap();
        assert!(
            add["name"].is_string() && add["sandboxEnabled"] == true,
            "{m}: {add}"
        );
        if !userns(test) {
            continue;
        }
        // What VS Code does with the block: add its defaults, hand it to srt.
        let (_, entry) = doc["servers"].as_object().unwrap().iter().next().unwrap();
        let sb = &entry["sandbox"];
        let mut domains = sb["network"]["allowedDomains"].as_array().unwrap().clone();
        domains.push(json!("*.npmjs.org"));
        let mut write = sb["filesystem"]["allowWrite"].as_array().unwrap().clone();
        write.push(json!("~/.npm"));
        let settings = json!({
            "network": {"allowedDomains": domains, "deniedDomains": sb["network"]["deniedDomains"]},
            "filesystem": {"allowWrite": write, "denyRead": sb["filesystem"]["denyRead"], "denyWrite": sb["filesystem"]["denyWrite"]},
        });
        let f = base.join(format!("{m}.vscode-srt.json"));
        std::fs::write(&f, settings.to_string()).unwrap();
        let out = Command::new("srt")
            .args(["--settings", &f.display().to_string(), "--", "true"])
            .env("PATH", d.path_var())
            .output()
            .unwrap();
        assert_ran(&out, &m);
    }
}

#[test]
fn codex_accepts_every_profile() {
    let test = "codex_accepts_every_profile";
    let Some(d) = deps(test, &["codex"]) else {
        return;
    };
    if !userns(test) {
        return;
    }
    let base = scratch("accept-codex");
    let homes = codex_dir("accept-codex-homes");
    for (m, x) in exports(&d, &base, ExportKind::Codex) {
        let t: toml::Table = x.config.parse().unwrap_or_else(|e| panic!("{m}: {e}"));
        let profiles = t["permissions"].as_table().unwrap();
        assert_eq!(profiles.len(), 1, "{m}");
        let (_, p) = profiles.iter().next().unwrap();
        for (path, access) in p["filesystem"].as_table().unwrap() {
            assert!(
                ["read", "write", "deny", "none"].contains(&access.as_str().unwrap()),
                "{m}: {path}"
            );
        }
        if let Some(n) = p.get("network") {
            assert_eq!(n["enabled"].as_bool(), Some(true));
            assert!(["full", "limited"].contains(&n["mode"].as_str().unwrap()));
            assert!(n["domains"]
                .as_table()
                .unwrap()
                .values()
                .all(|v| v.as_str() == Some("allow")));
        }
        let home = homes.join(format!("home-{m}"));
        std::fs::create_dir_all(&home).unwrap();
        std::fs::write(home.join("config.toml"), &x.config).unwrap();
        let out = run_instead(
            &x,
            "node",
            &["true"],
            &[("CODEX_HOME", home.display().to_string())],
            &d,
        );
        assert_ran(&out, &m);
    }
}

#[test]
fn toolhive_profiles_follow_the_schema() {
    let Some(d) = deps("toolhive_profiles_follow_the_schema", &[]) else {
        return;
    };
    let base = scratch("accept-toolhive");
    for (m, x) in exports(&d, &base, ExportKind::Toolhive) {
        // pkg/permissions/profile.go: read, write, network.{inbound,outbound}.
        let p: Value = serde_json::from_str(&x.config).unwrap();
        only(&p, &["read", "write", "network", "name", "privileged"], &m);
        strings(&p["read"], &m);
        strings(&p["write"], &m);
        only(&p["network"], &["outbound", "inbound"], &m);
        let o = &p["network"]["outbound"];
        only(
            o,
            &[
                "insecure_allow_all",
                "allow_host",
                "allow_port",
                "allow_transport",
            ],
            &m,
        );
        assert_eq!(o["insecure_allow_all"], false);
        strings(&o["allow_host"], &m);
        assert!(
            o["allow_port"]
                .as_array()
                .unwrap()
                .iter()
                .all(|v| v.as_u64().is_some_and(|n| n > 0 && n < 65536)),
            "{m}"
        );
        for path in p["read"]
            .as_array()
            .unwrap()
            .iter()
            .chain(p["write"].as_array().unwrap())
        {
            assert!(
                path.as_str().unwrap().starts_with('/'),
                "{m}: ToolHive skips relative paths: {path}"
            );
        }
        assert_eq!(
            &x.command[..5],
            [
                "thv",
                "run",
                "--isolate-network",
                "--permission-profile",
                &x.config_path
            ]
        );
        assert!(
            x.command
                .contains(&"npx://some-mcp-server@1.0.0".to_string()),
            "{m}: {:?}",
            x.command
        );
    }
}

#[test]
fn docker_catalogs_follow_the_schema() {
    let Some(d) = deps("docker_catalogs_follow_the_schema", &[]) else {
        return;
    };
    let base = scratch("accept-docker");
    for (m, x) in exports(&d, &base, ExportKind::Docker) {
        let f = base.join(format!("{m}.yaml"));
        std::fs::write(&f, &x.config).unwrap();
        let out = Command::new(d.python())
            .args([
                "-c",
                "import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
            ])
            .arg(&f)
            .output()
            .unwrap();
        assert_ran(&out, &m);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let reg = doc["registry"].as_object().unwrap();
        assert_eq!(reg.len(), 1, "{m}");
        let (name, s) = reg.iter().next().unwrap();
        let keys = [
            "title",
            "description",
            "type",
            "image",
            "command",
            "allowHosts",
            "disableNetwork",
            "volumes",
            "secrets",
            "env",
        ];
        only(s, &keys, &m);
        assert_eq!(s["type"], "server");
        assert!(s["image"].is_string());
        assert!(
            s.get("allowHosts").is_some() != s.get("disableNetwork").is_some(),
            "{m}"
        );
        if let Some(h) = s.get("allowHosts") {
            strings(h, &m);
            for e in h.as_array().unwrap() {
                let (host, port) = e.as_str().unwrap().rsplit_once(':').unwrap();
                assert!(!host.is_empty() && port.parse::<u16>().is_ok(), "{m}: {e}");
            }
        }
        for v in s
            .get("volumes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let parts: Vec<&str> = v.as_str().unwrap().split(':').collect();
            assert!(
                (2..=3).contains(&parts.len()) && parts[0].starts_with('/'),
                "{m}: {v}"
            );
        }
        for sec in s
            .get("secrets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            only(sec, &["name", "env"], &m);
        }
        assert!(x.command.contains(name), "{m}");
    }
}

#[test]
fn node_and_deno_accept_every_flag_set() {
    let test = "node_and_deno_accept_every_flag_set";
    let Some(d) = deps(test, &["node", "deno"]) else {
        return;
    };
    let base = scratch("accept-js");
    let script = base.join("server.js").display().to_string();
    for (m, mut x) in exports(&d, &base, ExportKind::Node) {
        x.command[0] = d.bin().join("node").display().to_string();
        assert_ran(
            &run_instead(&x, &script, &["-e", "0"], &[], &d),
            &format!("node {m}"),
        );
    }
    for (m, mut x) in exports(&d, &base, ExportKind::Deno) {
        x.command[0] = d.bin().join("deno").display().to_string();
        assert_ran(
            &run_instead(&x, &script, &[&script], &[], &d),
            &format!("deno {m}"),
        );
    }
}
