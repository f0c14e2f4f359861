//! The proxy's decisions, without I/O: each line from the client or the server
//! goes in, the lines to send and the audit records come out. Both stdio
//! directions and the fuzz tests drive this same state machine.

use crate::grants::Grants;
use crate::json::parse_strict;
use crate::policy::{Checked, Denial, Need, Policy};
use crate::rpc::{self, id_key};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Enforce,
    Audit,
    Ask,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Audit => "audit",
            Mode::Ask => "ask",
        }
    }
}

/// What the I/O layer must do.
#[derive(Debug, PartialEq)]
pub enum Out {
    ToServer(Vec<u8>),
    ToClient(Vec<u8>),
    /// Ask the user on the terminal, then call `Core::answer(key, ..)`.
    AskTerminal {
        key: u64,
        question: String,
    },
    /// One audit log line.
    Audit(Value),
    /// Persist these grants (`--remember`).
    SaveGrants(Grants),
    Warn(String),
}

/// Bound on every table keyed by a peer's ids.
const MAX_PENDING: usize = 4096;
const MAX_ASKS_PER_CALL: u8 = 8;
/// Questions waiting for the user; past this, calls needing one are denied.
const MAX_PENDING_ASKS: usize = 64;

struct Call {
    tool: String,
    decision: &'static str,
    rule: Option<&'static str>,
    args: Map<String, Value>,
    start: Instant,
}

struct Ask {
    line: Vec<u8>,
    id: Value,
    tool: String,
    args: Option<Value>,
    need: Need,
    version: String,
    start: Instant,
    rounds: u8,
}

pub struct Core {
    pub policy: Policy,
    pub grants: Grants,
    pub mode: Mode,
    /// Grants to persist (`--remember`), `None` when nothing is persisted.
    remembered: Option<Grants>,
    refused: Vec<(String, Need)>,
    version: String,
    client_elicits: bool,
    /// The current 2026-07-28 request declared elicitation in its `_meta`.
    request_elicits: bool,
    /// Questions asked as `input_required` results (2026-07-28), by `requestState`.
    mrtr: HashMap<String, Ask>,
    list_ids: HashSet<String>,
    calls: HashMap<String, Call>,
    asks: HashMap<u64, Ask>,
    elicit_ids: HashMap<String, u64>,
    next_key: u64,
    nonce: String,
}

impl Core {
    pub fn new(policy: Policy, grants: Grants, mode: Mode, remembered: Option<Grants>) -> Core {
        let nonce = format!(
            "{:x}{:x}",
            std::process::id(),
            Instant::now().elapsed().as_nanos() ^ nanos()
        );
        Core {
            policy,
            grants,
            mode,
            remembered,
            refused: vec![],
            version: "2025-06-18".into(),
            client_elicits: false,
            request_elicits: false,
            mrtr: HashMap::new(),
            list_ids: HashSet::new(),
            calls: HashMap::new(),
            asks: HashMap::new(),
            elicit_ids: HashMap::new(),
            next_key: 1,
            nonce,
        }
    }

    /// One line from the client (without its newline).
    pub fn client_line(&mut self, line: &[u8]) -> Vec<Out> {
        let text = trim(line);
        if text.is_empty() {
            return vec![];
        }
        let msg = match parse_strict(text) {
            Ok(v) => v,
            Err(e) => {
                let w = Out::Warn(format!(
                    "client sent invalid JSON ({e}); answered with a parse error"
                ));
                return vec![
                    Out::ToClient(rpc::error(
                        &Value::Null,
                        -32700,
                        &format!("Parse error: {e}"),
                    )),
                    w,
                ];
            }
        };
        let Value::Object(obj) = &msg else {
            let why = if msg.is_array() {
                "batches are not supported"
            } else {
                "not a JSON-RPC object"
            };
            return vec![Out::ToClient(rpc::error(
                &Value::Null,
                -32600,
                &format!("Invalid Request: {why}"),
            ))];
        };
        let id = obj.get("id");
        match obj.get("method").map(|m| m.as_str()) {
            Some(Some(method)) => self.client_request(method, id, &msg, line),
            Some(None) => vec![Out::ToClient(rpc::error(
                id.unwrap_or(&Value::Null),
                -32600,
                "Invalid Request: method is not a string",
            ))],
            None if id.is_some() && (obj.contains_key("result") || obj.contains_key("error")) => {
                self.client_response(&msg, line)
            }
            None => vec![Out::ToClient(rpc::error(
                id.unwrap_or(&Value::Null),
                -32600,
                "Invalid Request",
            ))],
        }
    }

    fn client_request(
        &mut self,
        method: &str,
        id: Option<&Value>,
        msg: &Value,
        line: &[u8],
    ) -> Vec<Out> {
        if let Some(v) = msg["params"]["_meta"][rpc::META_VERSION].as_str() {
            self.version = v.to_string();
            self.request_elicits = msg["params"]["_meta"][rpc::META_CAPABILITIES]
                .get("elicitation")
                .is_some();
        }
        match method {
            "initialize" => {
                if let Some(v) = msg["params"]["protocolVersion"].as_str() {
                    self.version = v.to_string();
                }
                self.client_elicits = msg["params"]["capabilities"].get("elicitation").is_some();
            }
            "tools/list" => {
                if let Some(id) = id {
                    if self.list_ids.len() < MAX_PENDING {
                        self.list_ids.insert(id_key(id));
                    }
                }
            }
            "tools/call" => return self.call(id, msg, line),
            _ => {}
        }
        vec![Out::ToServer(line.to_vec())]
    }

    fn call(&mut self, id: Option<&Value>, msg: &Value, line: &[u8]) -> Vec<Out> {
        let id = match id {
            Some(id @ (Value::String(_) | Value::Number(_))) => id.clone(),
            Some(_) => {
                return vec![Out::ToClient(rpc::error(
                    &Value::Null,
                    -32600,
                    "Invalid Request: id must be a string or number",
                ))]
            }
            None => {
                return vec![Out::Warn(
                    "client sent tools/call as a notification; dropped".into(),
                )]
            }
        };
        let Some(tool) = msg["params"]["name"].as_str() else {
            return vec![Out::ToClient(rpc::error(
                &id,
                -32602,
                "Invalid params: tools/call needs a tool name",
            ))];
        };
        if let Some(state) = msg["params"]["requestState"].as_str() {
            if state.starts_with(rpc::MRTR_STATE_PREFIX) {
                return self.mrtr_retry(id, state.to_string(), msg);
            }
        }
        let args = msg["params"].get("arguments");
        let checked = self.policy.check(tool, args, &self.grants);
        let version = self.version.clone();
        self.decide(
            id,
            tool,
            args.cloned(),
            checked,
            line,
            version,
            Instant::now(),
            0,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn decide(
        &mut self,
        id: Value,
        tool: &str,
        args: Option<Value>,
        checked: Checked,
        line: &[u8],
        version: String,
        start: Instant,
        rounds: u8,
    ) -> Vec<Out> {
        let Some(denial) = checked.denial else {
            let decision = if rounds > 0 { "ask-allow" } else { "allow" };
            return self.forward_call(&id, tool, decision, None, checked.decided_by, start, line);
        };
        match self.mode {
            Mode::Audit => self.forward_call(
                &id,
                tool,
                "would-deny",
                Some(denial.rule),
                checked.decided_by,
                start,
                line,
            ),
            Mode::Ask
                if rounds < MAX_ASKS_PER_CALL
                    && self.asks.len() < MAX_PENDING_ASKS
                    && denial.need.is_some()
                    && !self.was_refused(&denial) =>
            {
                let need = denial.need.clone().expect("checked");
                let ask = Ask {
                    line: line.to_vec(),
                    id,
                    tool: tool.into(),
                    args,
                    need,
                    version,
                    start,
                    rounds,
                };
                self.ask(ask, &denial)
            }
            _ => self.deny(
                &id,
                &denial,
                checked.decided_by,
                &version,
                start,
                rounds > 0,
            ),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn forward_call(
        &mut self,
        id: &Value,
        tool: &str,
        decision: &'static str,
        rule: Option<&'static str>,
        args: Map<String, Value>,
        start: Instant,
        line: &[u8],
    ) -> Vec<Out> {
        let call = Call {
            tool: tool.into(),
            decision,
            rule,
            args,
            start,
        };
        let mut out = vec![Out::ToServer(line.to_vec())];
        if self.calls.len() < MAX_PENDING {
            self.calls.insert(id_key(id), call);
        } else {
            out.push(Out::Audit(audit_record(&call, None)));
        }
        out
    }

    fn deny(
        &mut self,
        id: &Value,
        d: &Denial,
        args: Map<String, Value>,
        version: &str,
        start: Instant,
        asked: bool,
    ) -> Vec<Out> {
        let reply = if matches!(d.rule, "unknown-tool" | "tool-needs-unknown") {
            rpc::error(id, -32602, &format!("Unknown tool: {}", d.tool))
        } else {
            rpc::denial_result(id, d, self.mode.as_str(), version)
        };
        let call = Call {
            tool: d.tool.clone(),
            decision: if asked { "ask-deny" } else { "deny" },
            rule: Some(d.rule),
            args,
            start,
        };
        let mut rec = audit_record(&call, Some(start.elapsed().as_secs_f64() * 1000.0));
        rec["reason"] = json!(d.reason);
        vec![Out::ToClient(reply), Out::Audit(rec)]
    }

    fn was_refused(&self, d: &Denial) -> bool {
        let need = d.need.as_ref().expect("need");
        self.refused.iter().any(|(t, n)| t == &d.tool && n == need)
    }

    fn ask(&mut self, ask: Ask, d: &Denial) -> Vec<Out> {
        let key = self.next_key;
        self.next_key += 1;
        let question = question(&ask.tool, &ask.need, &d.reason);
        let stateless = rpc::needs_result_type(&ask.version);
        if stateless && self.request_elicits && self.mrtr.len() < MAX_PENDING_ASKS {
            let state = format!("{}{}-{key}", rpc::MRTR_STATE_PREFIX, self.nonce);
            let reply = rpc::input_required(&ask.id, &state, &question);
            self.mrtr.insert(state, ask);
            return vec![Out::ToClient(reply)];
        }
        let elicit = self.client_elicits && !stateless;
        self.asks.insert(key, ask);
        if elicit {
            let eid = format!("mcpwarden-ask-{}-{key}", self.nonce);
            self.elicit_ids.insert(eid.clone(), key);
            vec![Out::ToClient(rpc::elicitation(&eid, &question))]
        } else {
            vec![Out::AskTerminal { key, question }]
        }
    }

    /// The retry of a call answered with `input_required`: apply the user's
    /// answer, strip mcpwarden's own input response and state (the server
    /// never asked for them), and decide again.
    fn mrtr_retry(&mut self, id: Value, state: String, msg: &Value) -> Vec<Out> {
        let Some(ask) = self.mrtr.remove(&state) else {
            let d = Denial {
                rule: "ask-state-unknown",
                reason: "mcpwarden denied this call: it answers a question mcpwarden did not ask (or already answered)".into(),
                tool: msg["params"]["name"].as_str().unwrap_or("").into(),
                param: None,
                value: None,
                need: None,
            };
            let version = self.version.clone();
            return self.deny(&id, &d, Map::new(), &version, Instant::now(), false);
        };
        let allow = rpc::input_accepted(&msg["params"]["inputResponses"][rpc::MRTR_KEY]);
        if allow {
            self.grant(&ask.tool, &ask.need);
        } else {
            self.refused.push((ask.tool.clone(), ask.need.clone()));
        }
        let mut retry = msg.clone();
        let params = retry["params"].as_object_mut().expect("checked object");
        params.remove("requestState");
        if let Some(Value::Object(r)) = params.get_mut("inputResponses") {
            r.remove(rpc::MRTR_KEY);
            if r.is_empty() {
                params.remove("inputResponses");
            }
        }
        let line = serde_json::to_vec(&retry).expect("serialise");
        let tool = retry["params"]["name"].as_str().unwrap_or("").to_string();
        let args = retry["params"].get("arguments").cloned();
        let checked = self.policy.check(&tool, args.as_ref(), &self.grants);
        let mut out = vec![];
        if let (true, Some(r)) = (allow, &self.remembered) {
            out.push(Out::SaveGrants(r.clone()));
        }
        out.extend(self.decide(
            id,
            &tool,
            args,
            checked,
            &line,
            ask.version,
            ask.start,
            ask.rounds + 1,
        ));
        out
    }

    fn client_response(&mut self, msg: &Value, line: &[u8]) -> Vec<Out> {
        let key = msg["id"].as_str().and_then(|id| self.elicit_ids.remove(id));
        match key {
            Some(key) => self.answer(key, rpc::elicitation_accepted(msg)),
            None => vec![Out::ToServer(line.to_vec())],
        }
    }

    /// The user's answer to a pending question: grant and re-check, or deny.
    pub fn answer(&mut self, key: u64, allow: bool) -> Vec<Out> {
        let Some(ask) = self.asks.remove(&key) else {
            return vec![];
        };
        let mut out = vec![];
        if allow {
            self.grant(&ask.tool, &ask.need);
            if let Some(r) = &self.remembered {
                out.push(Out::SaveGrants(r.clone()));
            }
        } else {
            self.refused.push((ask.tool.clone(), ask.need.clone()));
        }
        let checked = self
            .policy
            .check(&ask.tool, ask.args.as_ref(), &self.grants);
        out.extend(self.decide(
            ask.id,
            &ask.tool,
            ask.args,
            checked,
            &ask.line,
            ask.version,
            ask.start,
            ask.rounds + 1,
        ));
        out
    }

    fn grant(&mut self, tool: &str, need: &Need) {
        let mut g = Grants::default();
        match need {
            Need::Tool => {
                g.tools.insert(tool.into());
            }
            Need::Root(d) => g.roots.push(d.clone()),
            Need::Host(h) => g.hosts.push(h.clone()),
            Need::Command => {
                g.commands.insert(tool.into());
            }
        }
        if let Some(r) = &mut self.remembered {
            r.merge(g.clone());
        }
        self.grants.merge(g);
    }

    /// One line from the server (without its newline).
    pub fn server_line(&mut self, line: &[u8]) -> Vec<Out> {
        let text = trim(line);
        if text.is_empty() {
            return vec![];
        }
        let mut msg = match parse_strict(text) {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) | Err(_) => {
                let shown = String::from_utf8_lossy(&text[..text.len().min(200)]).into_owned();
                return vec![Out::Warn(format!(
                    "dropped a line from the server that is not a JSON-RPC object: {shown}"
                ))];
            }
        };
        if msg.get("method").is_some() || msg.get("id").is_none() {
            return vec![Out::ToClient(line.to_vec())];
        }
        let key = id_key(&msg["id"]);
        let mut out = vec![];
        if let Some(call) = self.calls.remove(&key) {
            out.push(Out::Audit(audit_record(
                &call,
                Some(call.start.elapsed().as_secs_f64() * 1000.0),
            )));
        }
        let tracked = self.list_ids.remove(&key);
        if (tracked || looks_like_tool_list(&msg)) && self.filter_tools(&mut msg) {
            out.insert(
                0,
                Out::ToClient(serde_json::to_vec(&msg).expect("serialise")),
            );
        } else {
            out.insert(0, Out::ToClient(line.to_vec()));
        }
        out
    }

    /// Remove the tools the policy hides; true when anything was removed.
    fn filter_tools(&self, msg: &mut Value) -> bool {
        if self.mode != Mode::Enforce {
            return false;
        }
        let Some(tools) = msg["result"]
            .get_mut("tools")
            .and_then(|t| t.as_array_mut())
        else {
            return false;
        };
        let before = tools.len();
        tools.retain(|t| {
            t["name"]
                .as_str()
                .is_some_and(|n| self.policy.tool_allowed(n, &self.grants))
        });
        let removed = tools.len() != before;
        // A list filtered for this policy must not be shared across users.
        if removed && msg["result"].get("cacheScope").is_some() {
            msg["result"]["cacheScope"] = json!("private");
        }
        removed
    }
}

fn looks_like_tool_list(msg: &Value) -> bool {
    msg["result"]["tools"]
        .as_array()
        .is_some_and(|a| a.iter().any(|t| t.get("inputSchema").is_some()))
}

fn question(tool: &str, need: &Need, reason: &str) -> String {
    let what = match need {
        Need::Tool => {
            format!("let the model call the tool `{tool}`, which the manifest does not allow")
        }
        Need::Root(d) => format!("let `{tool}` use files under {}", d.display()),
        Need::Host(h) => format!("let `{tool}` connect to {h}"),
        Need::Command => format!("let `{tool}` run a command or code chosen by the model"),
    };
    format!("mcpwarden: {reason}.\nAllow for this session: {what}?")
}

fn audit_record(call: &Call, latency_ms: Option<f64>) -> Value {
    json!({
        "time": crate::audit::now_rfc3339(),
        "tool": call.tool,
        "decision": call.decision,
        "rule": call.rule.unwrap_or("manifest"),
        "args": call.args,
        "latency_ms": latency_ms.map(|l| (l * 1000.0).round() / 1000.0),
    })
}

fn trim(line: &[u8]) -> &[u8] {
    let mut t = line;
    while let [rest @ .., b'\r' | b' ' | b'\t'] = t {
        t = rest;
    }
    t
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}
