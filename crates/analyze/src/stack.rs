//! The stack the analysis runs on.
//!
//! Every recursive walk (extraction over syntax trees, linking, the call graph,
//! reach) is depth-capped, and a capped file is reported as `truncated`. A cap
//! only prevents an overflow if the stack is large enough for that many frames
//! of the walker (frames are several KB in debug builds), whatever thread the
//! caller scans from — a test thread has 2 MiB. So a scan runs on a pool of its
//! own whose threads have `STACK_BYTES`: the caps are sized against this stack,
//! not against the caller's.

use rayon::{ThreadPool, ThreadPoolBuilder};
use std::sync::OnceLock;

/// Stack of each analysis thread: virtual memory, touched only as deep as a
/// walk goes. The deepest capped walks of `tests/deep_nesting.rs` need less
/// than 3 MiB in a debug build; this leaves a wide margin.
pub const STACK_BYTES: usize = 32 << 20;

/// Runs `f` on an analysis thread; nested parallel work (`par_iter`) inside
/// `f` runs on the same pool. Falls back to the calling thread if no thread
/// can be started.
pub fn run<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    static POOL: OnceLock<Option<ThreadPool>> = OnceLock::new();
    let pool = POOL.get_or_init(|| {
        ThreadPoolBuilder::new()
            .stack_size(STACK_BYTES)
            .thread_name(|i| format!("mcpwarden-scan-{i}"))
            .build()
            .ok()
    });
    match pool {
        Some(p) => p.install(f),
        None => f(),
    }
}
