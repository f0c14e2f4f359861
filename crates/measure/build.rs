//! The analyser's identity beyond its version number: a hash of the source
//! of every crate whose code decides a result (extraction, linking, matching,
//! values, manifests, trust) and of the catalogue data. Two builds of the
//! same version from different code are different analysers, so `--rescan`
//! and `report --compare-to` can tell them apart.

use std::path::{Path, PathBuf};

const DECIDING: &[&str] = &[
    "../model/src",
    "../lang/src",
    "../catalog/src",
    "../catalog/data",
    "../analyze/src",
    "../policy/src",
    "../policy/data",
];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let mut all = vec![];
    for d in DECIDING {
        println!("cargo:rerun-if-changed={d}");
        files(Path::new(d), &mut all);
    }
    all.sort();
    // FNV-1a over each file's path and bytes.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in &all {
        let bytes = std::fs::read(p).unwrap_or_default();
        for b in p.to_string_lossy().bytes().chain(bytes) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=MCPWARDEN_SOURCE_HASH={:08x}", h as u32);
}
