//! The vocabulary shared by every mcpwarden crate: resource classes, fine kinds,
//! findings with evidence, tools, and the per-server report that `scan` prints.
//!
//! This crate does no I/O and no parsing. Field names follow the output contract
//! `mcpwarden/scan/v1` (see DESIGN.md); fields may be added, never renamed.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Schema identifier of the JSON scan document.
pub const SCAN_SCHEMA: &str = "mcpwarden/scan/v1";

/// Languages that share a module system and a catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    JavaScript,
    Python,
    Go,
    Rust,
    /// Java and Kotlin: one class library, one catalogue.
    Jvm,
    CSharp,
}

impl Family {
    /// Languages whose packages are compiled together (Go packages, Rust crates,
    /// JVM and .NET source sets): names resolve by package, not by file imports.
    pub fn compiles_together(self) -> bool {
        !matches!(self, Family::JavaScript | Family::Python)
    }
}

/// The four resource classes of the measurement study.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Resource {
    Network,
    System,
    File,
    Memory,
}

impl Resource {
    pub const ALL: [Resource; 4] = [
        Resource::Network,
        Resource::System,
        Resource::File,
        Resource::Memory,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Network => "network",
            Resource::System => "system",
            Resource::File => "file",
            Resource::Memory => "memory",
        }
    }

    pub fn parse(s: &str) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! kinds {
    ($( $variant:ident = $name:literal => $res:ident ),* $(,)?) => {
        /// Fine-grained capability kind; each has a default resource class.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Kind {
            $( #[serde(rename = $name)] $variant, )*
        }
        impl Kind {
            pub const ALL: &'static [Kind] = &[$(Kind::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $(Kind::$variant => $name,)* }
            }
            /// The resource class a finding of this kind belongs to unless the
            /// catalogue row says otherwise (only `db.client` needs that).
            pub fn default_resource(self) -> Resource {
                match self { $(Kind::$variant => Resource::$res,)* }
            }
            pub fn parse(s: &str) -> Option<Kind> {
                match s { $($name => Some(Kind::$variant),)* _ => None }
            }
        }
    };
}

kinds! {
    NetHttp = "net.http" => Network,
    NetConnect = "net.connect" => Network,
    NetListen = "net.listen" => Network,
    SysExec = "sys.exec" => System,
    SysShell = "sys.shell" => System,
    SysEval = "sys.eval" => System,
    SysEnv = "sys.env" => System,
    SysInfo = "sys.info" => System,
    SysSignal = "sys.signal" => System,
    SysIpc = "sys.ipc" => System,
    FsRead = "fs.read" => File,
    FsWrite = "fs.write" => File,
    FsDelete = "fs.delete" => File,
    FsList = "fs.list" => File,
    FsMeta = "fs.meta" => File,
    MemNative = "mem.native" => Memory,
    MemShared = "mem.shared" => Memory,
    MemUnsafe = "mem.unsafe" => Memory,
    DbClient = "db.client" => Network,
}

impl Kind {
    /// Kinds that the study's "high-risk" tables single out.
    pub fn is_high_risk(self) -> bool {
        matches!(
            self,
            Kind::SysShell | Kind::SysEval | Kind::MemNative | Kind::MemShared | Kind::MemUnsafe
        )
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a finding relates to the server's entry points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reach {
    /// Reachable from at least one registered MCP tool handler (or from the
    /// tools/call handler of a server whose tool names are only known at run
    /// time: then `tools` is empty).
    Tool,
    /// Reachable from a resource or prompt handler, but from no tool.
    Handler,
    /// Reachable from module top level, `main` or server setup only.
    Startup,
    /// In the server's own code but reached from no entry point.
    Unreachable,
    /// In a test file or test folder.
    Test,
}

impl Reach {
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::Tool => "tool",
            Reach::Handler => "handler",
            Reach::Startup => "startup",
            Reach::Unreachable => "unreachable",
            Reach::Test => "test",
        }
    }
}

/// Which part of the repository a file belongs to. Only `server` files count
/// towards the server-level resource classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// Imported (transitively) from a server entry module.
    Server,
    /// Test files and folders.
    Test,
    /// Build and tool configuration (`*.config.js`, `setup.py`, ...).
    Build,
    /// Scripts, examples, benchmarks and docs code not imported by the server.
    Script,
    /// Own code that no server entry module imports (scratch files, plugins for other programs).
    Orphan,
}

impl Part {
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Server => "server",
            Part::Test => "test",
            Part::Build => "build",
            Part::Script => "script",
            Part::Orphan => "orphan",
        }
    }
}

/// Where a literal value came from (extended later with `config`, `tool-arg`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    High,
    /// e.g. found in a minified bundle without module markers.
    Low,
}

/// Where a value comes from; this decides how it can be enforced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Provenance {
    /// A literal or constant in the code (defaults included): granted as is.
    #[serde(rename = "const")]
    Const,
    /// Environment variable, command-line argument or configuration file read
    /// at startup: bound at launch from the real command line and environment.
    #[serde(rename = "config")]
    Config,
    /// Chosen by the model through a tool call: confined to what the user
    /// grants, checked per call by the proxy.
    #[serde(rename = "tool-arg")]
    ToolArg,
    /// Not resolved: reported, never silently granted.
    #[serde(rename = "unknown")]
    Unknown,
}

impl Provenance {
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Const => "const",
            Provenance::Config => "config",
            Provenance::ToolArg => "tool-arg",
            Provenance::Unknown => "unknown",
        }
    }
}

/// A value reaching a privileged call (URL, path, command, variable name),
/// written with placeholders for what is known only at launch or call time:
/// `${HOME}`, `${TMPDIR}`, `${CWD}`, `${PKG}` (the server's own directory),
/// `${ENV:NAME}`, `${CLI:positional}` / `${CLI:--flag}`, `${ARG:param}` (a tool
/// argument) and `*` (unknown part).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Value {
    pub text: String,
    pub provenance: Provenance,
    /// For `config`: `env:NAME`, `arg:positional`, `arg:--root`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The literal used when the configuration leaves it unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// For `tool-arg`: the input-schema parameter (`*` when not known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    /// For `tool-arg`: the tools whose handler the argument enters (empty
    /// when not known: every tool reaching the call).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<String>,
}

/// One privileged API use, with evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub resource: Resource,
    pub kind: Kind,
    /// Qualified API name as catalogued, e.g. `child_process.exec`.
    pub api: String,
    /// Library through which the capability is exercised, when not the runtime itself.
    pub via: Option<String>,
    /// Path relative to the server root, `/`-separated.
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// Literal argument (URL, path, command, env var name) when known.
    pub value: Option<String>,
    pub reach: Reach,
    /// Tools whose handlers reach this finding (sorted).
    pub tools: Vec<String>,
    pub part: Part,
    pub confidence: Confidence,
    /// Enclosing function (`Class.method`), empty at module level.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub function: String,
    /// Every value the call's key argument may take, with its provenance
    /// (followed through variables, string building, helpers and tool arguments).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
    /// Containment checks the code performs before this call, in the enclosing
    /// function or a caller on a tool's chain to it: `CLASS:API@file:line`
    /// with CLASS `path` (resolve + startsWith, realpath, is_relative_to),
    /// `host` or `command` (allow-lists). Read by the trust assessment, which
    /// downgrades a risky flow the check covers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guards: Vec<String>,
}

/// The kind of MCP entry point a handler implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Tool,
    Resource,
    Prompt,
}

/// A registered MCP tool (or resource / prompt handler).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub file: String,
    pub line: u32,
    #[serde(default)]
    pub entry: Option<EntryKind>,
    /// Resource classes reachable from the handler.
    pub resources: Vec<Resource>,
    pub kinds: Vec<Kind>,
    /// For each kind, one shortest call chain as evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chains: Vec<Chain>,
    /// False when no handler could be tied to the registration.
    #[serde(default = "yes")]
    pub handler_found: bool,
    /// The tool's self-description as registered (MCP `description`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The behaviour hints the registration declares (MCP `ToolAnnotations`);
    /// `None` when it declares none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Annotations>,
    /// How the handler's reach splits on one argument it dispatches on
    /// (`switch (args.action)`, `if op == "delete"`, `HANDLERS[action]`): what
    /// each value of that argument reaches, for per-call annotations in the
    /// spirit of MCP Tool Resolution (`tools/resolve`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
}

/// A tool's reach per value of the argument its handler dispatches on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// The tool argument (input-schema property) dispatched on.
    pub param: String,
    /// One entry per literal value the code branches on, sorted by value.
    pub values: Vec<ResolvedValue>,
}

/// What a tool call with one value of the dispatch argument reaches: the
/// branch for that value plus everything outside the dispatch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedValue {
    pub value: String,
    /// `file:line` where the branch for the value is written (`case "delete":`).
    pub at: String,
    pub kinds: Vec<Kind>,
    /// For each kind, one shortest call chain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chains: Vec<Chain>,
    /// `file:line` of every finding the call reaches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// MCP tool annotations as declared; each hint is `None` when not given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotations {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_hint: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destructive_hint: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotent_hint: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_world_hint: Option<bool>,
    /// `file:line` of the declaration.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub evidence: String,
}

impl Annotations {
    pub fn is_empty(&self) -> bool {
        self.read_only_hint.is_none()
            && self.destructive_hint.is_none()
            && self.idempotent_hint.is_none()
            && self.open_world_hint.is_none()
    }
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain {
    pub kind: Kind,
    /// `file:line name` steps from the handler to the privileged call.
    pub steps: Vec<String>,
}

/// A path the scanner did not analyse, and why.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// Presence of each resource class.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceSet {
    pub network: bool,
    pub system: bool,
    pub file: bool,
    pub memory: bool,
}

impl ResourceSet {
    pub fn insert(&mut self, r: Resource) {
        match r {
            Resource::Network => self.network = true,
            Resource::System => self.system = true,
            Resource::File => self.file = true,
            Resource::Memory => self.memory = true,
        }
    }
    pub fn contains(&self, r: Resource) -> bool {
        match r {
            Resource::Network => self.network,
            Resource::System => self.system,
            Resource::File => self.file,
            Resource::Memory => self.memory,
        }
    }
    pub fn iter(&self) -> impl Iterator<Item = Resource> + '_ {
        Resource::ALL.into_iter().filter(|r| self.contains(*r))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Candidate source files seen (after exclusions).
    pub files: u64,
    pub bytes: u64,
    /// Files parsed with tree-sitter.
    pub parsed: u64,
    /// tree-sitter ERROR/MISSING nodes across all parsed files.
    #[serde(default)]
    pub syntax_errors: u64,
    pub ms: u64,
    /// Call graph: definitions and module top levels.
    #[serde(default)]
    pub graph_nodes: u64,
    #[serde(default)]
    pub graph_edges: u64,
    /// Edges by resolution tier: same file, cross-file import, `this`/`self` member, name only.
    #[serde(default)]
    pub edges_by_tier: [u64; 4],
    /// Method calls left unlinked because too many definitions share the name.
    #[serde(default)]
    pub unresolved_calls: u64,
    /// Time spent linking, building the graph and walking it.
    #[serde(default)]
    pub graph_ms: u64,
    /// MCP tools registered (resource and prompt handlers not counted).
    #[serde(default)]
    pub tools_registered: u64,
    /// Of those, the tools whose handler was found: a tool without one reaches
    /// nothing, so `tools_registered - tools_with_handler` tools are unknown.
    #[serde(default)]
    pub tools_with_handler: u64,
}

/// Everything mcpwarden knows about one server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerReport {
    pub root: String,
    pub name: String,
    pub languages: Vec<String>,
    pub sdk: Vec<String>,
    /// Resource classes used by the server's own code (`part = server`).
    pub resources: ResourceSet,
    /// Resource classes reachable from entry points (tools, handlers, startup).
    pub reachable_resources: ResourceSet,
    pub kinds: Vec<Kind>,
    pub findings: Vec<Finding>,
    pub tools: Vec<Tool>,
    pub skipped: Vec<Skipped>,
    /// Native executables / libraries shipped with the server: their behaviour is invisible to source analysis.
    pub opaque: Vec<String>,
    /// Packages found inlined in bundles (not blamed on the server).
    pub bundled: Vec<String>,
    pub stats: Stats,
}

impl ServerReport {
    /// True when the server's behaviour cannot be fully known from source.
    pub fn is_opaque(&self) -> bool {
        !self.opaque.is_empty()
    }
}

/// The top-level JSON document of `mcpwarden scan --format json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScanDocument {
    pub schema: String,
    pub servers: Vec<ServerReport>,
}

impl ScanDocument {
    pub fn new(servers: Vec<ServerReport>) -> Self {
        ScanDocument {
            schema: SCAN_SCHEMA.to_string(),
            servers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_map_to_resources() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(Kind::SysShell.default_resource(), Resource::System);
        assert_eq!(Kind::FsMeta.default_resource(), Resource::File);
        assert_eq!(Kind::MemShared.default_resource(), Resource::Memory);
        assert!(Kind::SysEval.is_high_risk());
        assert!(!Kind::NetHttp.is_high_risk());
    }

    #[test]
    fn resource_set_serialises_as_the_contract_says() {
        let mut s = ResourceSet::default();
        s.insert(Resource::Network);
        let v = serde_json_like(&s);
        assert_eq!(v, "network=true system=false file=false memory=false");
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![Resource::Network]);
    }

    fn serde_json_like(s: &ResourceSet) -> String {
        format!(
            "network={} system={} file={} memory={}",
            s.network, s.system, s.file, s.memory
        )
    }
}
