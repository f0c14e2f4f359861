//! The Linux sandbox the server runs in, built from the manifest's union.
//! The host side (`command`) works out what to allow and starts the network
//! proxy; `mcpwarden run --sandbox-init` (`init::main`) then enters fresh
//! user and network namespaces and starts the server under Landlock and
//! seccomp. Every layer is detected first and reported; `--strict` refuses
//! to start when one is missing.

pub mod connect;
pub mod detect;
pub mod execwatch;
pub mod filter;
pub mod init;
pub mod landlock_fs;
pub mod netns;
pub mod plan;
pub mod runtime;

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The environment variable carrying `Config` to `--sandbox-init`.
pub const CONFIG_VAR: &str = "MCPWARDEN_SANDBOX_CONFIG";

/// Everything `--sandbox-init` needs, decided on the host side.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Config {
    /// The program to exec (absolute, links not resolved) and its argv.
    pub program: PathBuf,
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
    pub read: Vec<PathBuf>,
    pub write: Vec<PathBuf>,
    pub exec: Vec<PathBuf>,
    /// Ports the server may listen on.
    pub bind_ports: Vec<u16>,
    /// Ports the server may connect to when there is no network namespace.
    pub direct_ports: Vec<u16>,
    /// The manifest lists programs: execve stays allowed (Landlock decides which).
    pub exec_allowed: bool,
    /// The manifest (or a grant) needs the network.
    pub network: bool,
    /// The manifest needs IPC (`sys.ipc`): unix sockets stay allowed.
    pub unix_sockets: bool,
    /// The host-side proxy's unix socket.
    pub proxy_socket: Option<PathBuf>,
    pub uid: u32,
    pub gid: u32,
    pub use_landlock: bool,
    pub use_seccomp: bool,
    pub use_exec_watch: bool,
    pub use_netns: bool,
}

pub use plan::{command, Prepared};
