# Risky flows in a FastMCP server, with and without containment checks.
import os
import pickle
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import requests
from mcp.server.fastmcp import FastMCP
from mcp.types import ToolAnnotations

ROOT = Path(os.environ.get("NOTES_DIR", "/srv/notes")).resolve()
mcp = FastMCP("trust-py-flows")


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=True, destructiveHint=False))  # trust: contradiction=readOnlyHint tool=shell
def shell(command: str) -> str:
    """Run a shell command."""
    done = subprocess.run(command, shell=True, capture_output=True, text=True)  # trust: flow=command-injection tool=shell param=command guarded=false
    return done.stdout


@mcp.tool()
def read_note(name: str) -> str:
    """Read a note by path."""
    with open(name) as f:  # trust: flow=file-path tool=read_note param=name guarded=false
        return f.read()


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=True))
def read_inside(name: str) -> str:
    """Read a note inside the notes folder."""
    full = os.path.realpath(os.path.join(ROOT, name))
    if not Path(full).is_relative_to(ROOT):
        raise ValueError("outside the notes folder")
    with open(full) as f:  # trust: flow=file-path tool=read_inside param=name guarded=true
        return f.read()


@mcp.tool(annotations=ToolAnnotations(openWorldHint=False))  # trust: contradiction=openWorldHint tool=fetch
def fetch(url: str) -> str:
    """Fetch a page."""
    return requests.get(url, timeout=10).text  # trust: flow=ssrf tool=fetch param=url guarded=false


def _require_allowed_host(url: str) -> None:
    if urlparse(url).hostname != "api.example.org":
        raise ValueError("host not allowed")


@mcp.tool()
def fetch_checked(url: str) -> str:
    """Fetch from the one allowed host."""
    _require_allowed_host(url)
    return requests.get(url, timeout=10).text  # trust: flow=ssrf tool=fetch_checked param=url guarded=true


@mcp.tool()
def load_state(blob: bytes) -> str:
    """Restore a saved state."""
    state = pickle.loads(blob)  # trust: flow=deserialisation tool=load_state param=blob guarded=false
    return repr(state)


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=True))
def calc(expression: str) -> str:
    """Evaluate an arithmetic expression."""
    return str(eval(expression))  # trust: flow=code-injection tool=calc param=expression guarded=false


def main() -> None:
    mcp.run()


if __name__ == "__main__":
    main()
