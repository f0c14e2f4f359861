"""Read-only tools that touch only the server's own files (a write probe,
a temp dir, a cache) contradict their annotations incidentally; a tool that
writes where the model says does not, even when it also cleans up."""

import os
import shutil
import tempfile
from pathlib import Path

import httpx
from mcp.server.fastmcp import FastMCP
from mcp.types import ToolAnnotations

mcp = FastMCP("trust-py-own-files")
TOOLS_DIR = Path.home() / ".local" / "bin"


def _storage_location() -> Path:
    probe = TOOLS_DIR / ".write_test"
    probe.touch()
    probe.unlink()
    return TOOLS_DIR


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=True, destructiveHint=False))  # trust: contradiction=readOnlyHint tool=query incidental; contradiction=destructiveHint tool=query incidental
def query(expr: str) -> str:
    """Evaluate a query with the helper binary found in the tools dir."""
    return str(_storage_location() / "yq") + " " + expr


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=True, destructiveHint=False))  # trust: contradiction=readOnlyHint tool=import_csv incidental; contradiction=destructiveHint tool=import_csv incidental
def import_csv(text: str) -> int:
    """Count the rows of a CSV after staging it."""
    work = tempfile.mkdtemp()
    try:
        staged = os.path.join(work, "in.csv")
        with open(staged, "w") as f:
            f.write(text)
        with open(staged) as f:
            return sum(1 for _ in f)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=True))  # trust: contradiction=readOnlyHint tool=download
def download(url: str, dest: str) -> str:
    """Save a file from the web to a local path."""
    data = httpx.get(url).content  # trust: flow=ssrf tool=download param=url guarded=false
    try:
        with open(dest, "wb") as f:  # trust: flow=file-path tool=download param=dest guarded=false
            f.write(data)
    except OSError:
        os.remove(dest)
        raise
    return dest


def main() -> None:
    mcp.run()
