//! A manifest and a `Core` for the proxy's own tests: a real directory as the
//! granted root, tools with path, URL and command parameters.

#![allow(dead_code)]

use mcpwarden_enforce::grants::Grants;
use mcpwarden_enforce::policy::Policy;
use mcpwarden_enforce::{Core, Mode};
use mcpwarden_policy::bind::Launch;
use mcpwarden_policy::Manifest;
use serde_json::json;
use std::path::PathBuf;

pub fn root() -> PathBuf {
    let d = std::env::temp_dir().join(format!("mcpw-core-{}", std::process::id()));
    std::fs::create_dir_all(d.join("sub")).unwrap();
    std::fs::create_dir_all(d.join("../mcpw-outside")).unwrap();
    d.canonicalize().unwrap()
}

pub fn manifest() -> Manifest {
    let v = json!({
        "schema": "mcpwarden/manifest/v1",
        "server": {"name": "t", "source": "t", "analyser": "t"},
        "permissions": {},
        "tools": [
            {"name": "read", "resources": ["file"], "permissions": {},
             "params": [{"name": "path", "used_as": "path", "access": ["read"], "evidence": []}]},
            {"name": "fetch", "resources": ["network"],
             "permissions": {"network": {"connect": [{"host": "api.example.com", "port": 443, "provenance": "const", "evidence": []}]}},
             "params": [{"name": "url", "used_as": "url", "evidence": []}]},
            {"name": "sh", "resources": ["system"], "permissions": {},
             "params": [{"name": "cmd", "used_as": "command", "evidence": []}]},
            {"name": "plain", "resources": [], "permissions": {}},
            {"name": "nohandler", "resources": [], "permissions": {}, "handler_found": false}
        ]
    });
    Manifest::from_json(&v.to_string()).unwrap()
}

pub fn core(mode: Mode) -> Core {
    let root = root();
    let mut g = Grants::default();
    g.add_root(&root).unwrap();
    let launch = Launch {
        home: "/home/t".into(),
        tmpdir: "/tmp".into(),
        cwd: root.display().to_string(),
        ..Default::default()
    };
    Core::new(Policy::new(&manifest(), &launch), g, mode, None)
}
