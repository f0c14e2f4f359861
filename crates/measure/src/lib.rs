//! Ecosystem measurement: run the scanner over many servers, keep every
//! result with its manifest and trust assessment in a store (`store`, SQLite;
//! `pg`, PostgreSQL), assign functional categories (`categories`) and
//! popularity bands (`popularity`), and turn the store into the measurement
//! study's tables and charts (`report`), a comparison with an earlier
//! measurement (`compare`) or raw exports (`export`). `run` drives
//! collection, scanning and assessment with bounded concurrency.

pub mod archive;
pub mod backend;
pub mod categories;
pub mod compare;
pub mod export;
pub mod pg;
pub mod popularity;
pub mod report;
pub mod rows;
pub mod run;
pub mod store;
mod svg;
mod trust_report;
mod values_report;

use std::sync::OnceLock;

/// Identifies the analyser that produced a result: the mcpwarden version plus
/// digests of the embedded catalogue and of the analysing code, so that a
/// change of either makes a rerun rescan instead of skipping stale results.
pub fn analyser_version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        // FNV-1a over the catalogue rows as the scanner sees them.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for row in mcpwarden_catalog::Catalog::embedded().rows() {
            for b in format!("{row:?}").bytes() {
                h ^= b as u64;
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        // `src.`: the analysing code itself (see build.rs).
        format!(
            "mcpwarden {}+cat.{:08x}.src.{}",
            env!("CARGO_PKG_VERSION"),
            h as u32,
            env!("MCPWARDEN_SOURCE_HASH")
        )
    })
}
