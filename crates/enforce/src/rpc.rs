//! JSON-RPC and MCP message shapes the proxy writes itself: errors, denials,
//! elicitation requests.

use crate::policy::Denial;
use serde_json::{json, Value};

/// The `_meta` key of mcpwarden's machine-readable denial.
pub const DENIAL_META: &str = "io.mcpwarden/denial";
/// The stateless revision: no `initialize`, `_meta` on every request, and
/// every result carries `resultType`.
pub const STATELESS_VERSION: &str = "2026-07-28";
/// Where a 2026-07-28 request names its protocol version.
pub const META_VERSION: &str = "io.modelcontextprotocol/protocolVersion";

pub fn error(id: &Value, code: i64, message: &str) -> Vec<u8> {
    let v = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    serde_json::to_vec(&v).expect("serialise")
}

/// Protocol versions from 2026-07-28 on need `resultType` on every result.
pub fn needs_result_type(version: &str) -> bool {
    version >= STATELESS_VERSION
}

/// A `CallToolResult` with `isError`, a reason the model reads, and the
/// machine-readable denial under `_meta`.
pub fn denial_result(id: &Value, d: &Denial, mode: &str, version: &str) -> Vec<u8> {
    let mut meta = json!({"rule": d.rule, "tool": d.tool, "reason": d.reason, "mode": mode});
    if let Some(p) = &d.param {
        meta["param"] = json!(p);
    }
    if let Some(v) = &d.value {
        meta["value"] = v.clone();
    }
    let mut result = json!({
        "content": [{"type": "text", "text": d.reason}],
        "isError": true,
        "_meta": {DENIAL_META: meta},
    });
    if needs_result_type(version) {
        result["resultType"] = json!("complete");
    }
    serde_json::to_vec(&json!({"jsonrpc": "2.0", "id": id, "result": result})).expect("serialise")
}

/// An `elicitation/create` request asking the user to allow one need.
pub fn elicitation(id: &str, question: &str) -> Vec<u8> {
    let v = json!({"jsonrpc": "2.0", "id": id, "method": "elicitation/create", "params": {
        "message": question,
        "requestedSchema": {"type": "object", "properties": {
            "allow": {"type": "boolean", "title": "Allow",
                      "description": "Allow this for the rest of the session"}},
            "required": ["allow"]}}});
    serde_json::to_vec(&v).expect("serialise")
}

/// Did the user accept an elicitation? Anything but an explicit
/// `accept` with `allow: true` is a refusal.
pub fn elicitation_accepted(msg: &Value) -> bool {
    let r = &msg["result"];
    r["action"] == "accept" && r["content"]["allow"] == Value::Bool(true)
}

/// Key for an id in the proxy's tables (`1` and `"1"` stay distinct).
pub fn id_key(id: &Value) -> String {
    serde_json::to_string(id).expect("serialise")
}
