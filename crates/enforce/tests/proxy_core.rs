//! The proxy's decisions, message by message.

mod common;

use common::*;
use mcpwarden_enforce::{Mode, Out};
use serde_json::{json, Value};

fn call(id: i64, tool: &str, args: Value) -> Vec<u8> {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool, "arguments": args}}).to_string().into_bytes()
}

fn to_client(outs: &[Out]) -> Vec<Value> {
    outs.iter()
        .filter_map(|o| {
            if let Out::ToClient(b) = o {
                Some(serde_json::from_slice(b).unwrap())
            } else {
                None
            }
        })
        .collect()
}

fn forwarded(outs: &[Out]) -> Option<&[u8]> {
    outs.iter().find_map(|o| {
        if let Out::ToServer(b) = o {
            Some(b.as_slice())
        } else {
            None
        }
    })
}

#[test]
fn allowed_calls_are_forwarded_byte_for_byte() {
    let mut c = core(Mode::Enforce);
    let r = root();
    let line = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"read","arguments":{{"path":"{}/sub/../a.txt"}}}}}}  "#,
        r.display()
    );
    let outs = c.client_line(line.as_bytes());
    assert_eq!(forwarded(&outs), Some(line.as_bytes()));
    let outs = c.client_line(&call(
        2,
        "fetch",
        json!({"url": "https://API.example.com./v1"}),
    ));
    assert!(forwarded(&outs).is_some());
    assert!(
        forwarded(&c.client_line(&call(3, "plain", json!({"anything": "/etc/passwd"})))).is_some()
    );
}

#[test]
fn denied_calls_never_reach_the_server() {
    let mut c = core(Mode::Enforce);
    let r = root().display().to_string();
    let bad = [
        (
            call(1, "read", json!({"path": "/etc/passwd"})),
            "path-outside-roots",
        ),
        (
            call(2, "read", json!({"path": format!("{r}/../mcpw-outside/x")})),
            "path-outside-roots",
        ),
        (
            call(
                3,
                "read",
                json!({"path": [format!("{r}/ok"), "/etc/shadow"]}),
            ),
            "path-outside-roots",
        ),
        (call(4, "read", json!({"path": 7})), "argument-not-string"),
        (call(5, "read", json!({"path": "a\u{0}b"})), "path-invalid"),
        (
            call(6, "fetch", json!({"url": "https://evil.com/"})),
            "host-not-granted",
        ),
        (
            call(
                7,
                "fetch",
                json!({"url": "https://api.example.com@evil.com/"}),
            ),
            "host-not-granted",
        ),
        (
            call(8, "fetch", json!({"url": "https://api.example.com:444/"})),
            "host-not-granted",
        ),
        (
            call(
                9,
                "fetch",
                json!({"url": "http://evil.com\\@api.example.com/"}),
            ),
            "url-invalid",
        ),
        (
            call(10, "fetch", json!({"url": "https://%61pi.example.com/"})),
            "url-invalid",
        ),
        (call(11, "sh", json!({"cmd": "ls"})), "command-not-granted"),
        (
            call(12, "read", json!("not an object")),
            "arguments-not-object",
        ),
    ];
    for (line, rule) in bad {
        let outs = c.client_line(&line);
        assert!(forwarded(&outs).is_none(), "{rule}: forwarded");
        let reply = &to_client(&outs)[0];
        assert_eq!(reply["result"]["isError"], true);
        assert_eq!(
            reply["result"]["_meta"]["io.mcpwarden/denial"]["rule"], rule,
            "{reply}"
        );
        assert!(reply["result"].get("resultType").is_none());
        assert!(outs
            .iter()
            .any(|o| matches!(o, Out::Audit(a) if a["decision"] == "deny")));
    }
}

#[test]
fn duplicate_keys_and_hidden_tools_are_refused() {
    let mut c = core(Mode::Enforce);
    let dup = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read","arguments":{"path":"/tmp/x","path":"/etc/passwd"}}}"#;
    let outs = c.client_line(dup);
    assert!(forwarded(&outs).is_none());
    assert_eq!(to_client(&outs)[0]["error"]["code"], -32700);
    for tool in ["nohandler", "missing"] {
        let outs = c.client_line(&call(2, tool, json!({})));
        assert!(forwarded(&outs).is_none());
        assert_eq!(
            to_client(&outs)[0]["error"],
            json!({"code": -32602, "message": format!("Unknown tool: {tool}")})
        );
    }
}

#[test]
fn tools_list_is_filtered_and_other_traffic_passes() {
    let mut c = core(Mode::Enforce);
    assert!(
        forwarded(&c.client_line(br#"{"jsonrpc":"2.0","id":"L","method":"tools/list"}"#)).is_some()
    );
    let list = json!({"jsonrpc": "2.0", "id": "L", "result": {"tools": [
        {"name": "read", "inputSchema": {}}, {"name": "evil", "inputSchema": {}}, {"name": "nohandler", "inputSchema": {}}]}});
    let outs = c.server_line(list.to_string().as_bytes());
    let names: Vec<Value> = to_client(&outs)[0]["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].clone())
        .collect();
    assert_eq!(names, [json!("read")]);
    // Untracked ids are filtered too (fail closed), notifications and unknown methods pass.
    let outs = c.server_line(list.to_string().replace("\"L\"", "99").as_bytes());
    assert_eq!(
        to_client(&outs)[0]["result"]["tools"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    for line in [
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        r#"{"jsonrpc":"2.0","id":5,"method":"x/unknown","params":{}}"#,
    ] {
        assert_eq!(
            forwarded(&c.client_line(line.as_bytes())),
            Some(line.as_bytes())
        );
    }
    assert!(c
        .server_line(b"not json at all")
        .iter()
        .all(|o| matches!(o, Out::Warn(_))));
}

#[test]
fn bad_input_gets_json_rpc_errors() {
    let mut c = core(Mode::Enforce);
    for (line, code) in [
        ("{", -32700),
        ("[1,2]", -32600),
        ("42", -32600),
        (r#"{"id":1}"#, -32600),
        (r#"{"id":1,"method":7}"#, -32600),
    ] {
        let outs = c.client_line(line.as_bytes());
        assert!(forwarded(&outs).is_none(), "{line}");
        assert_eq!(to_client(&outs)[0]["error"]["code"], code, "{line}");
    }
    assert!(c.client_line(b"   \r").is_empty());
}

#[test]
fn stateless_requests_get_result_type_on_denials() {
    let mut c = core(Mode::Enforce);
    let line = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "read", "arguments": {"path": "/etc/passwd"},
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}});
    let reply = &to_client(&c.client_line(line.to_string().as_bytes()))[0];
    assert_eq!(reply["result"]["resultType"], "complete");
}

#[test]
fn audit_mode_forwards_and_ask_mode_asks() {
    let mut c = core(Mode::Audit);
    let outs = c.client_line(&call(1, "read", json!({"path": "/etc/passwd"})));
    assert!(forwarded(&outs).is_some());
    let outs = c.server_line(br#"{"jsonrpc":"2.0","id":1,"result":{"content":[]}}"#);
    assert!(outs.iter().any(|o| matches!(o, Out::Audit(a) if a["decision"] == "would-deny" && a["rule"] == "path-outside-roots")));

    let mut c = core(Mode::Ask);
    let outs = c.client_line(&call(1, "sh", json!({"cmd": "ls"})));
    let Some(Out::AskTerminal { key, .. }) = outs.into_iter().next() else {
        panic!("no question")
    };
    let outs = c.answer(key, true);
    assert!(forwarded(&outs).is_some(), "granted after yes");
    let outs = c.client_line(&call(2, "sh", json!({"cmd": "ls"})));
    assert!(forwarded(&outs).is_some(), "remembered for the session");
    let outs = c.client_line(&call(3, "missing", json!({})));
    let Some(Out::AskTerminal { key, .. }) = outs.into_iter().next() else {
        panic!("no question")
    };
    assert_eq!(to_client(&c.answer(key, false))[0]["error"]["code"], -32602);
    // A refusal is remembered too: no second question.
    assert_eq!(
        to_client(&c.client_line(&call(4, "missing", json!({}))))[0]["error"]["code"],
        -32602
    );
}

#[test]
fn stateless_ask_is_an_input_required_round_trip() {
    let mut c = core(Mode::Ask);
    let meta = json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                      "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}}});
    let first = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                       "params": {"name": "sh", "arguments": {"cmd": "ls"}, "_meta": meta}});
    let outs = c.client_line(first.to_string().as_bytes());
    assert!(forwarded(&outs).is_none());
    let reply = &to_client(&outs)[0]["result"];
    assert_eq!(reply["resultType"], "input_required");
    let state = reply["requestState"].as_str().unwrap().to_string();
    let mut retry = first.clone();
    retry["id"] = json!(2);
    retry["params"]["requestState"] = json!(state);
    retry["params"]["inputResponses"] =
        json!({"io.mcpwarden/grant": {"action": "accept", "content": {"allow": true}}});
    let outs = c.client_line(retry.to_string().as_bytes());
    let sent: Value =
        serde_json::from_slice(forwarded(&outs).expect("forwarded after accept")).unwrap();
    assert!(
        sent["params"].get("requestState").is_none()
            && sent["params"].get("inputResponses").is_none(),
        "{sent}"
    );
    // The same state again (a replay) or a forged one is refused.
    let outs = c.client_line(retry.to_string().as_bytes());
    assert!(forwarded(&outs).is_none());
    assert_eq!(
        to_client(&outs)[0]["result"]["_meta"]["io.mcpwarden/denial"]["rule"],
        "ask-state-unknown"
    );
}

#[test]
fn server_config_paths_are_roots_for_tool_arguments() {
    use mcpwarden_enforce::grants::Grants;
    use mcpwarden_enforce::policy::Policy;
    use mcpwarden_policy::bind::Launch;
    let r = root();
    let mut m = manifest();
    m.permissions.fs = serde_json::from_value(json!([
        {"path": "${CLI:positional}/**", "access": ["read"], "provenance": "config", "source": "arg:positional", "evidence": []},
        {"path": "/", "access": ["read"], "provenance": "const", "evidence": []}])).unwrap();
    let launch = Launch {
        home: "/home/t".into(),
        cwd: r.display().to_string(),
        argv: vec![r.join("sub").display().to_string()],
        ..Default::default()
    };
    let p = Policy::new(&m, &launch);
    let g = Grants::default();
    let ok = p.check(
        "read",
        Some(&json!({"path": r.join("sub/x").display().to_string()})),
        &g,
    );
    assert!(ok.denial.is_none(), "{:?}", ok.denial);
    let bad = p.check(
        "read",
        Some(&json!({"path": r.join("other").display().to_string()})),
        &g,
    );
    assert_eq!(bad.denial.unwrap().rule, "path-outside-roots");
    assert!(p.warnings.iter().any(|w| w.contains("binds to `/`")));
}
