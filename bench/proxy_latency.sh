#!/usr/bin/env bash
# Added latency per message through `mcpwarden run` (proxy, proxy+sandbox)
# against a direct connection to the same echo server. Not a test.
# Usage: bench/proxy_latency.sh [N]   (default 20000 calls per measurement)
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
cargo build -q -p mcpwarden-enforce --release --example proxy_latency
"$target/release/examples/proxy_latency" "${1:-20000}"
