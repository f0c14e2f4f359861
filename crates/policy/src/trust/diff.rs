//! Version drift: what a new version of a server may do that the old one
//! could not, per tool (the code-level "rug pull" check). Compares two
//! manifests; privileges grew when a tool appeared with any privilege, or a
//! tool (or the server's startup code) gained a kind, host, program,
//! environment variable, path or native library.

use crate::derive::items;
use crate::{Manifest, Permissions};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// `kind fs.write`, `connect api.x.com:443`, `exec git`, `env TOKEN`, `fs ${HOME}/**`.
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

impl Change {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolChange {
    pub tool: String,
    #[serde(flatten)]
    pub change: Change,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    pub old: String,
    pub new: String,
    pub added_tools: Vec<String>,
    pub removed_tools: Vec<String>,
    /// The server-level union (startup code and every tool).
    pub server: Change,
    /// Tools present in both versions whose privileges changed.
    pub tools: Vec<ToolChange>,
    /// True when the new version may do anything the old one could not.
    pub privileges_grew: bool,
}

fn item_set(kinds: &[mcpwarden_model::Kind], p: &Permissions) -> BTreeSet<String> {
    let mut s: BTreeSet<String> = kinds.iter().map(|k| format!("kind {k}")).collect();
    s.extend(p.other.iter().map(|k| format!("kind {k}")));
    for (class, value, _, _) in items(p) {
        s.insert(format!("{class} {value}"));
    }
    s
}

fn change(old: &BTreeSet<String>, new: &BTreeSet<String>) -> Change {
    Change {
        added: new.difference(old).cloned().collect(),
        removed: old.difference(new).cloned().collect(),
    }
}

pub fn diff(old: &Manifest, new: &Manifest) -> Drift {
    let names =
        |m: &Manifest| -> BTreeSet<String> { m.tools.iter().map(|t| t.name.clone()).collect() };
    let (on, nn) = (names(old), names(new));
    let added_tools: Vec<String> = nn.difference(&on).cloned().collect();
    let removed_tools: Vec<String> = on.difference(&nn).cloned().collect();
    let server = change(
        &item_set(&[], &old.permissions),
        &item_set(&[], &new.permissions),
    );
    let mut tools = vec![];
    for name in nn.intersection(&on) {
        let (Some(a), Some(b)) = (old.tool(name), new.tool(name)) else {
            continue;
        };
        let c = change(
            &item_set(&a.kinds, &a.permissions),
            &item_set(&b.kinds, &b.permissions),
        );
        if !c.is_empty() {
            tools.push(ToolChange {
                tool: name.clone(),
                change: c,
            });
        }
    }
    let new_tool_privileged = added_tools
        .iter()
        .filter_map(|n| new.tool(n))
        .any(|t| !t.kinds.is_empty() || !t.permissions.is_empty() || !t.handler_found);
    let privileges_grew = new_tool_privileged
        || !server.added.is_empty()
        || tools.iter().any(|t| !t.change.added.is_empty());
    Drift {
        old: old.server.source.clone(),
        new: new.server.source.clone(),
        added_tools,
        removed_tools,
        server,
        tools,
        privileges_grew,
    }
}
