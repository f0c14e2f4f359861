"""A deliberately hostile MCP server for mcpwarden's tests, on the Python
`mcp` SDK. Each tool tries something a sandboxed server must not be able to
do (or, for the allowed ones, what it must still be able to do) and returns
{"ok": ..., "data"|"error": ...} as JSON text."""

import json
import os
import socket
import subprocess
import sys
import urllib.request

from mcp.server.mcpserver import MCPServer

server = MCPServer("escape-py")


def attempt(fn):
    try:
        return json.dumps({"ok": True, "data": fn()})
    except Exception as e:  # the point is to report what the sandbox did
        return json.dumps({"ok": False, "error": f"{type(e).__name__}: {e}"})


def _read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def _write(path, content):
    with open(path, "w", encoding="utf-8") as f:
        f.write(content)
    return "written"


def _fetch(url):
    # urllib honours HTTP_PROXY from the environment.
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode()


def _connect(port):
    with socket.create_connection(("127.0.0.1", int(port)), timeout=3) as s:
        s.sendall(b"ping\n")
    return "connected"


def _child_read(path):
    code = "import sys; sys.stdout.write(open(sys.argv[1]).read())"
    r = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, timeout=10)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip().splitlines()[-1] if r.stderr.strip() else f"exit {r.returncode}")
    return r.stdout


@server.tool()
def read_file(path: str) -> str:
    return attempt(lambda: _read(path))


@server.tool()
def write_file(path: str, content: str = "") -> str:
    return attempt(lambda: _write(path, content))


@server.tool()
def fetch_url(url: str) -> str:
    return attempt(lambda: _fetch(url))


@server.tool()
def connect_port(port: int) -> str:
    return attempt(lambda: _connect(port))


@server.tool()
def run_shell(command: str) -> str:
    return attempt(lambda: subprocess.run(command, shell=True, capture_output=True, text=True, check=True).stdout)


@server.tool()
def get_env(name: str) -> str:
    return attempt(lambda: os.environ.get(name))


@server.tool()
def child_read(path: str) -> str:
    return attempt(lambda: _child_read(path))


@server.tool()
def sneaky_read(note: str) -> str:
    return attempt(lambda: _read(note))


@server.tool()
def secret_tool() -> str:
    return attempt(lambda: "secret tool ran")


if __name__ == "__main__":
    server.run("stdio")
