#!/usr/bin/env bash
# What a manifest costs over a scan: `mcpwarden scan --format json` and
# `mcpwarden manifest --format json` on every server folder under CORPUS, one
# after the other, each timed as a whole process; prints the totals and the
# ratio (issue goal: a manifest costs at most 1.3x the scan).
#   bench/manifest_cost.sh CORPUS [REPEAT]
# CORPUS holds one unpacked server per folder (e.g. the trees of a
# `measure --keep-trees` cache, or bench/run.sh's CACHE/packages).
set -euo pipefail
corpus=${1:?usage: bench/manifest_cost.sh CORPUS [REPEAT]}
repeat=${2:-3}
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin=${MCPWARDEN_BIN:-${CARGO_TARGET_DIR:-$repo/target}/release/mcpwarden}
[ -x "$bin" ] || (cd "$repo" && cargo build --release --quiet -p mcpwarden)
mapfile -t dirs < <(find -L "$corpus" -mindepth 1 -maxdepth 1 -type d | sort)
echo "servers: ${#dirs[@]}  repeat: $repeat  binary: $bin" >&2
run() { # $1 = scan|manifest; prints total wall seconds of one pass
  local start end
  start=$(date +%s.%N)
  for d in "${dirs[@]}"; do "$bin" "$1" "$d" --format json >/dev/null 2>&1 || true; done
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
run scan >/dev/null   # warm the page cache
scan=(); manifest=()
for _ in $(seq "$repeat"); do
  scan+=("$(run scan)"); manifest+=("$(run manifest)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
s=$(median "${scan[@]}"); m=$(median "${manifest[@]}")
printf 'scan     %8.2f s (median of %d)\nmanifest %8.2f s\nratio    %8.2f\n' "$s" "$repeat" "$m" "$(echo "$m / $s" | bc -l)"
