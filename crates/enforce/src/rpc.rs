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
/// Where a 2026-07-28 request declares the client's capabilities.
pub const META_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
/// mcpwarden's key in `inputRequests`/`inputResponses` (2026-07-28).
pub const MRTR_KEY: &str = "io.mcpwarden/grant";
/// Prefix of the `requestState` mcpwarden hands out.
pub const MRTR_STATE_PREFIX: &str = "io.mcpwarden/ask:";

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

/// The question as a 2026-07-28 `input_required` result: the client asks
/// the user and retries the call with the answer under `inputResponses`.
pub fn input_required(id: &Value, state: &str, question: &str) -> Vec<u8> {
    let v = json!({"jsonrpc": "2.0", "id": id, "result": {
        "resultType": "input_required",
        "inputRequests": {MRTR_KEY: {"method": "elicitation/create", "params": form(question)}},
        "requestState": state}});
    serde_json::to_vec(&v).expect("serialise")
}

fn form(question: &str) -> Value {
    json!({"mode": "form", "message": question,
        "requestedSchema": {"type": "object", "properties": {
            "allow": {"type": "boolean", "title": "Allow",
                      "description": "Allow this for the rest of the session"}},
            "required": ["allow"]}})
}

/// An elicitation answer (`ElicitResult`) that accepts with `allow: true`.
pub fn input_accepted(r: &Value) -> bool {
    r["action"] == "accept" && r["content"]["allow"] == Value::Bool(true)
}

/// An `elicitation/create` request asking the user to allow one need.
pub fn elicitation(id: &str, question: &str) -> Vec<u8> {
    let mut params = form(question);
    params.as_object_mut().expect("object").remove("mode");
    let v = json!({"jsonrpc": "2.0", "id": id, "method": "elicitation/create", "params": params});
    serde_json::to_vec(&v).expect("serialise")
}

/// Did the user accept an elicitation? Anything but an explicit
/// `accept` with `allow: true` is a refusal.
pub fn elicitation_accepted(msg: &Value) -> bool {
    input_accepted(&msg["result"])
}

/// Key for an id in the proxy's tables (`1` and `"1"` stay distinct).
pub fn id_key(id: &Value) -> String {
    serde_json::to_string(id).expect("serialise")
}
