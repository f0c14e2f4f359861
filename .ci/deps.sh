#!/usr/bin/env bash
# Installs what the integration tests drive for real: Debian's enforcers
# (bubblewrap, socat, ripgrep), a Python venv with the MCP SDK (the client the
# tests use), and npm packages (real MCP servers and enforcers). Idempotent;
# everything but the Debian packages goes under $MCPWARDEN_TEST_DEPS
# (default: target/test-deps), which the tests read.
set -euo pipefail
cd "$(dirname "$0")/.."
deps=${MCPWARDEN_TEST_DEPS:-$PWD/target/test-deps}
mkdir -p "$deps"
# One install at a time: checkouts that share $deps ran npm into the same
# node_modules at once and left packages with missing files.
exec 9>"$deps/.install.lock"
if command -v flock >/dev/null; then flock 9; fi

need_apt=()
# postgresql: the shared result store's tests start a throwaway server (initdb, pg_ctl).
for pkg in bubblewrap socat ripgrep postgresql; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "deps: missing Debian packages ${need_apt[*]} (run as root to install)" >&2
  fi
fi

if [ ! -x "$deps/venv/bin/python" ]; then
  python3 -m venv "$deps/venv"
fi
"$deps/venv/bin/python" -c 'import mcp' 2>/dev/null \
  || "$deps/venv/bin/pip" install -q 'mcp>=2,<3'
# PyYAML: the export tests read the Docker MCP gateway catalog they produce.
"$deps/venv/bin/python" -c 'import yaml' 2>/dev/null \
  || "$deps/venv/bin/pip" install -q 'PyYAML>=6,<7'

# A Python server from PyPI for the export tests (runs git through GitPython;
# it shares the client's mcp 2.x).
"$deps/venv/bin/python" -c 'import mcp_server_git' 2>/dev/null \
  || "$deps/venv/bin/pip" install -q 'mcp-server-git==2026.10.19'

# npm packages, pinned so a test run is reproducible.
if [ ! -f "$deps/node/.installed-v1" ]; then
  mkdir -p "$deps/node"
  (cd "$deps/node" && [ -f package.json ] || echo '{"private":true}' > "$deps/node/package.json")
  (cd "$deps/node" && npm install --no-audit --no-fund --silent \
    @modelcontextprotocol/server-filesystem@2026.8.31 \
    @anthropic-ai/sandbox-runtime@0.0.83 \
    deno@2.9.6)
  touch "$deps/node/.installed-v1"
fi
# Exports (issue 13): more real servers (HTTP: server-gitlab, exec: mcp-git),
# Node 26 (permission model with --allow-net; NODE_USE_ENV_PROXY for srt's
# proxy) and Codex (`codex sandbox` checks the Codex export).
if [ ! -f "$deps/node/.installed-export-v1" ]; then
  (cd "$deps/node" && npm install --no-audit --no-fund --silent \
    @modelcontextprotocol/server-gitlab@2025.4.25 \
    mcp-git@0.0.4 \
    node@26.10.0 \
    @openai/codex@0.169.0)
  touch "$deps/node/.installed-export-v1"
fi
command -v git >/dev/null 2>&1 || echo "deps: git is missing (the mcp-git export test needs it)" >&2
# Microsoft's SARIF Multitool (self-contained .NET; the linux package ships
# `Sarif.Multitool` and `sarif-2.1.0.json`): validates `--format sarif` output.
if [ ! -f "$deps/node/.installed-sarif-v1" ]; then
  (cd "$deps/node" && npm install --no-audit --no-fund --silent @microsoft/sarif-multitool@5.7.0)
  touch "$deps/node/.installed-sarif-v1"
fi
echo "deps: ready in $deps"
