//! Enforcement of a `mcpwarden/manifest/v1` manifest: a stdio proxy that
//! checks every tool call against the called tool's own permissions
//! (`proxy`, `core`, `policy`) and a Linux sandbox that confines the server
//! process to the union of the manifest (`sandbox`).

pub mod audit;
pub mod core;
pub mod framing;
pub mod grants;
pub mod json;
pub mod locate;
pub mod paths;
pub mod policy;
pub mod proxy;
pub mod rpc;
pub mod run;
#[cfg(target_os = "linux")]
pub mod sandbox;

pub use crate::core::{Core, Mode, Out};
