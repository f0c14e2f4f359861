#!/usr/bin/env bash
# mcpwarden side by side with semgrep, ast-grep and bandit on the dev-sample corpus.
#   bench/run.sh [--scale 1,2,4] [--peers semgrep,ast-grep,bandit] [--quick] [--repeat N] [--jobs N]
# Markdown to stdout, JSON to bench/out/latest.json. See bench/README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
cache="${MCPWARDEN_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mcpwarden-bench}"
py="${PYTHON:-python3}"
mkdir -p "$cache"

bin_args=()
if [ -n "${MCPWARDEN_BIN:-}" ]; then
  bin_args=(--bin "$MCPWARDEN_BIN")   # measure a binary built elsewhere (e.g. another commit)
else
  echo "[bench] building the release binary" >&2
  (cd "$repo" && cargo build --release --quiet -p mcpwarden)
  bin_args=(--bin "${CARGO_TARGET_DIR:-$repo/target}/release/mcpwarden")
fi

# The peers live in a venv under the cache (pinned in requirements.txt).
if [ ! -x "$cache/venv/bin/python" ]; then
  "$py" -m venv "$cache/venv"
fi
req="$here/requirements.txt"
if ! cmp -s "$req" "$cache/venv/.bench-requirements" 2>/dev/null; then
  echo "[bench] installing peers into $cache/venv" >&2
  "$cache/venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  cp "$req" "$cache/venv/.bench-requirements"
fi

# The rule packs are generated from one spec; refuse to measure stale ones.
"$py" "$here/rules/make_packs.py" --check

exec "$py" "$here/bench.py" --cache "$cache" "${bin_args[@]}" "$@"
