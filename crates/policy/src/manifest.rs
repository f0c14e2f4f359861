//! The manifest document: what a server (and each of its tools) needs, value
//! by value, and where each value comes from.
//!
//! Field names are a contract (`mcpwarden/manifest/v1`): fields may be added,
//! none renamed. Values use placeholders for what is only known at launch or
//! call time: `${HOME}`, `${TMPDIR}`, `${CWD}`, `${ENV:NAME}`, `${CLI:...}`
//! (a command-line argument: `${CLI:positional}`, `${CLI:--root}`, `${CLI:0}`)
//! and `${ARG:tool.param}` (a tool argument). A path whose prefix is known
//! keeps it: `${HOME}/.acme/**`.

pub use mcpwarden_model::Provenance;
use mcpwarden_model::{Kind, Resource};
use serde::{Deserialize, Serialize};

/// Schema identifier of the manifest document.
pub const MANIFEST_SCHEMA: &str = "mcpwarden/manifest/v1";

/// An outbound connection.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Connect {
    /// Host name or address; `*` when the host is not known (tool argument,
    /// configuration without default, unknown).
    pub host: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    pub provenance: Provenance,
    #[serde(flatten)]
    pub origin: Origin,
    /// Library that picks this host on the caller's behalf (`octokit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// `file:line` of each call site.
    pub evidence: Vec<String>,
}

/// A listening socket.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Listen {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    pub provenance: Provenance,
    #[serde(flatten)]
    pub origin: Origin,
    pub evidence: Vec<String>,
}

/// A program the server starts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Exec {
    /// Program name or path as the code names it; `None` when it is not known.
    pub program: Option<String>,
    /// Run through a shell (`sh -c`, `exec()`, `shell=True`).
    pub shell: bool,
    pub provenance: Provenance,
    #[serde(flatten)]
    pub origin: Origin,
    pub evidence: Vec<String>,
}

/// When an environment variable is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum When {
    /// At startup (module top level, main, server setup).
    Startup,
    /// When a tool (or a resource / prompt handler) runs.
    Tool,
}

/// An environment variable read by the code.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EnvVar {
    /// Variable name; `*` when the code reads the whole environment or a computed name.
    pub name: String,
    pub when: When,
    /// The name looks like a credential (`*_TOKEN`, `*_KEY`, `*SECRET*`, `*PASSWORD*`).
    #[serde(default)]
    pub secret: bool,
    pub evidence: Vec<String>,
}

/// Access to the file system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Read contents, list directories, stat.
    Read,
    /// Create, write, rename, chmod.
    Write,
    /// Remove files or directories.
    Delete,
}

/// A path (or path pattern) the server reads or writes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FsRule {
    /// A path with placeholders; `/**` at the end covers everything below.
    /// `*` alone when nothing about the path is known.
    pub path: String,
    pub access: Vec<Access>,
    pub provenance: Provenance,
    #[serde(flatten)]
    pub origin: Origin,
    pub evidence: Vec<String>,
}

/// A native library loaded through FFI.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Native {
    pub library: Option<String>,
    pub provenance: Provenance,
    pub evidence: Vec<String>,
}

/// Where a value comes from beyond its provenance, flattened into every item:
/// `source` for `config` (`env:NAME`, `arg:positional`, `arg:--root`,
/// `file:config.json`), its literal `default`, and for `tool-arg` the tool and
/// its input-schema parameter.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Origin {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Network {
    #[serde(default)]
    pub connect: Vec<Connect>,
    #[serde(default)]
    pub listen: Vec<Listen>,
}

/// Everything needed, by class. The server's `permissions` are the union of
/// startup code and every tool; a tool's are what it reaches when called.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    #[serde(default)]
    pub network: Network,
    #[serde(default)]
    pub exec: Vec<Exec>,
    #[serde(default)]
    pub env: Vec<EnvVar>,
    #[serde(default)]
    pub fs: Vec<FsRule>,
    #[serde(default)]
    pub native: Vec<Native>,
    /// Capabilities that have no value to list but still need granting:
    /// `sys.eval`, `sys.signal`, `sys.ipc`, `mem.shared`, `mem.unsafe`, `sys.info`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other: Vec<Kind>,
}

impl Permissions {
    pub fn is_empty(&self) -> bool {
        self.network.connect.is_empty()
            && self.network.listen.is_empty()
            && self.exec.is_empty()
            && self.env.is_empty()
            && self.fs.is_empty()
            && self.native.is_empty()
            && self.other.is_empty()
    }
}

/// One tool's needs when it is called.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolPermissions {
    pub name: String,
    pub resources: Vec<Resource>,
    #[serde(default)]
    pub kinds: Vec<Kind>,
    pub permissions: Permissions,
    /// The input-schema parameters whose values reach a privileged call.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<ToolParam>,
    /// False when no handler was tied to the registration: the tool's needs
    /// are unknown (an enforcer must not assume it needs nothing).
    #[serde(default = "yes")]
    pub handler_found: bool,
}

fn yes() -> bool {
    true
}

/// What a tool argument is used as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamUse {
    /// A file path (or part of one): confine to granted roots.
    Path,
    /// A URL or host: confine to granted hosts.
    Url,
    /// A program or a command line.
    Command,
    /// Code to evaluate.
    Code,
}

/// A tool parameter that reaches a privileged call, and how it is used.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ToolParam {
    pub name: String,
    pub used_as: ParamUse,
    /// Access when used as a path.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access: Vec<Access>,
    pub evidence: Vec<String>,
}

/// A finding whose value could not be resolved.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Unresolved {
    pub kind: Kind,
    pub evidence: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    pub name: String,
    /// The `measure` source it was derived from (`npm:NAME@VERSION`), or the directory.
    pub source: String,
    /// `mcpwarden VERSION+cat.HASH`: the analyser and catalogue that derived it.
    pub analyser: String,
    #[serde(default)]
    pub languages: Vec<String>,
    /// Native executables or libraries shipped with the server: what they do
    /// is not in this manifest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opaque: Vec<String>,
}

/// The `mcpwarden/manifest/v1` document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema: String,
    pub server: ServerInfo,
    pub permissions: Permissions,
    pub tools: Vec<ToolPermissions>,
    #[serde(default)]
    pub unresolved: Vec<Unresolved>,
}

/// Why a manifest file could not be used.
#[derive(Debug)]
pub struct LoadError(pub String);

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LoadError {}

impl Manifest {
    /// Parse a manifest document, checking its schema.
    pub fn from_json(text: &str) -> Result<Manifest, LoadError> {
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| LoadError(format!("not JSON: {e}")))?;
        match v.get("schema").and_then(|s| s.as_str()) {
            Some(MANIFEST_SCHEMA) => {}
            Some(other) => {
                return Err(LoadError(format!(
                    "schema is `{other}`, expected `{MANIFEST_SCHEMA}`"
                )))
            }
            None => {
                return Err(LoadError(
                    "no `schema` field: not an mcpwarden manifest".into(),
                ))
            }
        }
        serde_json::from_value(v).map_err(|e| LoadError(format!("invalid manifest: {e}")))
    }

    /// Read a manifest file; errors name the file.
    pub fn load(path: &std::path::Path) -> Result<Manifest, LoadError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| LoadError(format!("{}: {e}", path.display())))?;
        Manifest::from_json(&text).map_err(|e| LoadError(format!("{}: {e}", path.display())))
    }

    pub fn tool(&self, name: &str) -> Option<&ToolPermissions> {
        self.tools.iter().find(|t| t.name == name)
    }
}
