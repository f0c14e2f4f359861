//! Property tests over the proxy's framing and JSON handling (100,000 cases
//! by default; PROPTEST_CASES overrides): no panic on any input, and no
//! `tools/call` the policy denies is ever forwarded to the server.

mod common;

use common::*;
use mcpwarden_enforce::framing::{read_line, Line};
use mcpwarden_enforce::json::parse_strict;
use mcpwarden_enforce::{Core, Mode, Out};
use proptest::prelude::*;
use serde_json::{json, Value};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100_000)
}

/// Paths: inside the root (allowed) or reaching out of it (each bad one
/// names `outside`, `/etc` or `/proc`, so the oracle below can tell).
fn path() -> impl Strategy<Value = String> {
    let r = root().display().to_string();
    prop_oneof![
        Just(format!("{r}/sub/a.txt")),
        Just(format!("{r}/sub/../b")),
        Just(format!("{r}/../mcpw-outside/canary")),
        Just(format!("{r}/sub/../../mcpw-outside")),
        Just("/etc/passwd".to_string()),
        Just("/proc/self/environ".to_string()),
        Just("sub/./c".to_string()),
        Just("../mcpw-outside/x".to_string()),
        "[a-z./]{0,12}".prop_map(move |s| format!("{r}/{s}")),
    ]
}

fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("https://api.example.com/x".to_string()),
        Just("https://api.example.com@evil.example/x".to_string()),
        Just("http://evil.example\\@api.example.com/".to_string()),
        Just("https://api.example.com.evil.example/".to_string()),
        Just("api.example.com:443".to_string()),
        "[a-z:/@.%]{0,20}",
    ]
}

fn args() -> impl Strategy<Value = Value> {
    prop_oneof![
        path().prop_map(|p| json!({"path": p})),
        prop::collection::vec(path(), 0..3).prop_map(|p| json!({"path": p})),
        url().prop_map(|u| json!({"url": u})),
        "[a-z ]{0,8}".prop_map(|c| json!({"cmd": c})),
        Just(json!(null)),
        Just(json!([1])),
        any::<i64>().prop_map(|n| json!({"path": n})),
    ]
}

/// A line, and whether the oracle applies (byte mutations can turn a bad
/// path into a harmless one the oracle would misjudge; they check no-panic).
fn message() -> BoxedStrategy<(Vec<u8>, bool)> {
    let tool = prop_oneof![
        Just("read"),
        Just("fetch"),
        Just("sh"),
        Just("plain"),
        Just("nohandler"),
        Just("zzz")
    ];
    let id = prop_oneof![
        any::<i32>().prop_map(|n| json!(n)),
        "[a-z0-9]{0,4}".prop_map(|s| json!(s)),
        Just(json!(null)),
        Just(json!({}))
    ];
    let call = (id.clone(), tool, args()).prop_map(|(id, t, a)| json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": t, "arguments": a}}).to_string().into_bytes()).boxed();
    let other = (id, "[a-z/]{0,12}").prop_map(|(id, m)| {
        json!({"jsonrpc": "2.0", "id": id, "method": m})
            .to_string()
            .into_bytes()
    });
    prop_oneof![
        4 => call.clone().prop_map(|c| (c, true)),
        1 => other.prop_map(|c| (c, true)),
        // Mutations of a call: truncated, a byte changed, a key duplicated, garbage.
        1 => (call.clone(), any::<prop::sample::Index>()).prop_map(|(c, i)| (c[..i.index(c.len() + 1)].to_vec(), false)),
        1 => (call.clone(), any::<prop::sample::Index>(), any::<u8>()).prop_map(|(mut c, i, b)| { let k = i.index(c.len()); c[k] = b; (c, false) }),
        1 => (call, path()).prop_map(|(c, p)| {
            let s = String::from_utf8(c).unwrap();
            (s.replacen("\"arguments\":{", &format!("\"arguments\":{{\"path\":{},", json!(p)), 1).into_bytes(), true)
        }),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(|b| (b, false)),
    ]
    .boxed()
}

/// Independent of the policy code: what must never be forwarded.
fn violates(forwarded: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(forwarded).ok()?;
    if v["method"] != "tools/call" {
        return None;
    }
    let tool = v["params"]["name"].as_str().unwrap_or("");
    let allowed_tool =
        ["read", "fetch", "plain"].contains(&tool) || (tool == "sh" && a_has_no_cmd(&v));
    if !allowed_tool {
        return Some(format!("tool {tool} forwarded"));
    }
    let a = &v["params"]["arguments"];
    let checked = match tool {
        "read" => a.get("path"),
        "fetch" => a.get("url"),
        _ => None,
    };
    let text = checked.map(|c| c.to_string()).unwrap_or_default();
    for bad in ["mcpw-outside", "/etc/", "/proc/", "evil", "\\\\", "%"] {
        if text.contains(bad) {
            return Some(format!("{tool}: argument with {bad} forwarded: {text}"));
        }
    }
    if tool == "read" && checked.is_some_and(|p| !p.is_null() && !p.is_string() && !p.is_array()) {
        return Some(format!("read: a non-string path forwarded: {text}"));
    }
    // No message whose keys repeat (a lenient parser would read another value).
    if parse_strict(forwarded).is_err() {
        return Some("forwarded a message the strict parser refuses".into());
    }
    None
}

fn a_has_no_cmd(v: &Value) -> bool {
    v["params"]["arguments"]
        .get("cmd")
        .is_none_or(|c| c.is_null())
}

fn check(core: &mut Core, line: &[u8], oracle: bool) -> Result<(), TestCaseError> {
    for o in core.client_line(line) {
        if let (Out::ToServer(b), true) = (o, oracle) {
            if let Some(why) = violates(&b) {
                return Err(TestCaseError::fail(why));
            }
        }
    }
    Ok(())
}

#[test]
fn never_forwards_a_denied_call() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let core = std::cell::RefCell::new(core(Mode::Enforce));
    runner
        .run(&prop::collection::vec(message(), 1..3), |lines| {
            let mut core = core.borrow_mut();
            for (l, oracle) in &lines {
                check(&mut core, l, *oracle)?;
                // The server side must not panic on the same bytes either.
                let _ = core.server_line(l);
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn framing_never_exceeds_the_cap_or_loses_lines() {
    let cfg = ProptestConfig {
        cases: cases() / 4,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(cfg);
    runner
        .run(
            &(
                prop::collection::vec(any::<u8>(), 0..300),
                1usize..40,
                1usize..64,
            ),
            |(bytes, cap, bufcap)| {
                let mut r = std::io::BufReader::with_capacity(bufcap, &bytes[..]);
                let mut buf = vec![];
                let mut lines = 0;
                loop {
                    match read_line(&mut r, &mut buf, cap).unwrap() {
                        Line::Eof => break,
                        Line::Data => prop_assert!(buf.len() <= cap && !buf.contains(&b'\n')),
                        Line::TooLong(n) => prop_assert!(n > cap),
                    }
                    lines += 1;
                }
                let newlines = bytes.iter().filter(|&&b| b == b'\n').count();
                let tail = usize::from(!bytes.is_empty() && *bytes.last().unwrap() != b'\n');
                prop_assert_eq!(lines, newlines + tail);
                Ok(())
            },
        )
        .unwrap();
}
