//! Collects sources and prints what came out, with timings.
//!
//! ```text
//! cargo run -p mcpwarden-collect --example fetch -- [--offline] [--jobs N] [--cache DIR] (SOURCE | --list FILE)...
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use mcpwarden_collect::{collect, read_list, Config, Source};

fn main() {
    let mut cfg = Config::from_env();
    let mut jobs = 4usize;
    let mut sources: Vec<Source> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--offline" => cfg.offline = true,
            "--jobs" => jobs = args.next().and_then(|n| n.parse().ok()).expect("--jobs N"),
            "--cache" => cfg.cache_dir = args.next().expect("--cache DIR").into(),
            "--list" => {
                let path = args.next().expect("--list FILE");
                match read_list(path.as_ref()) {
                    Ok(entries) => sources.extend(entries.into_iter().map(|e| e.source)),
                    Err(e) => {
                        eprintln!("{e}");
                        std::process::exit(2);
                    }
                }
            }
            s => match Source::parse(s) {
                Ok(src) => sources.push(src),
                Err(e) => {
                    eprintln!("{e}");
                    std::process::exit(2);
                }
            },
        }
    }
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let stats = Mutex::new((0usize, 0usize, Vec::<String>::new()));
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(src) = sources.get(i) else { break };
                match collect(&cfg, src) {
                    Ok(c) => {
                        println!(
                            "ok   {:>6} ms {} {}@{} {} {}",
                            c.ms,
                            if c.from_cache { "cached" } else { "fetched" },
                            c.name,
                            c.version,
                            c.root.display(),
                            if c.skipped.is_empty() {
                                String::new()
                            } else {
                                format!("({} skipped)", c.skipped.len())
                            }
                        );
                        let mut st = stats.lock().unwrap();
                        if c.from_cache {
                            st.1 += 1
                        } else {
                            st.0 += 1
                        }
                    }
                    Err(e) => {
                        println!("fail [{}] {e}", e.kind());
                        stats.lock().unwrap().2.push(e.kind().to_string());
                    }
                }
            });
        }
    });
    let (fetched, cached, failed) = stats.into_inner().unwrap();
    println!(
        "{} sources in {} ms: {fetched} fetched, {cached} cached, {} failed {:?}",
        sources.len(),
        started.elapsed().as_millis(),
        failed.len(),
        failed
    );
}
