//! Privilege management: the least-privilege manifest (`mcpwarden/manifest/v1`)
//! and what reads it. The manifest is derived from a scan (never from running
//! the server); exporters and the enforcer read the manifest, never the scan.

pub mod bind;
pub mod derive;
pub mod export;
pub mod manifest;

pub use manifest::*;
pub mod trust;
