"""Administration of a small key-value store kept in files, with one tool per
area that dispatches on an argument."""
import os
import shutil
from pathlib import Path

import httpx
from mcp.server.fastmcp import FastMCP
from mcp.types import ToolAnnotations

DATA = Path(os.environ.get("KV_DATA", "/var/lib/kv"))
mcp = FastMCP("kv-admin")


@mcp.tool(annotations=ToolAnnotations(destructiveHint=True))
def keys(action: str, key: str = "", value: str = "") -> str:
    """Get, set or delete a key."""
    path = DATA / key
    if action == "get":  # trust: resolve=keys action=get readonly
        return path.read_text()
    elif action in ("set", "put"):  # trust: resolve=keys action=set; resolve=keys action=put
        path.write_text(value)
        return "ok"
    elif action == "delete":  # trust: resolve=keys action=delete destructive
        path.unlink()
        return "deleted"
    raise ValueError(f"unknown action {action}")


def _snapshot_list() -> str:
    return "\n".join(p.name for p in (DATA / "snapshots").iterdir())


def _snapshot_drop(name: str) -> str:
    shutil.rmtree(DATA / "snapshots" / name)
    return "dropped"


def _snapshot_upload(name: str) -> str:
    with open(DATA / "snapshots" / name / "dump.kv", "rb") as f:
        httpx.post("https://backup.example.com/upload", content=f.read())
    return "uploaded"


SNAPSHOT_OPERATIONS = {
    "list": lambda name: _snapshot_list(),  # trust: resolve=snapshots operation=list readonly
    "drop": _snapshot_drop,  # trust: resolve=snapshots operation=drop destructive
    "upload": _snapshot_upload,  # trust: resolve=snapshots operation=upload openworld
}


@mcp.tool()
def snapshots(operation: str, name: str = "") -> str:
    """List, drop or upload snapshots."""
    return SNAPSHOT_OPERATIONS[operation](name)


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=True))
def stats(arguments: dict) -> str:
    """Store statistics."""
    # Every metric only reads: the hints do not split, so no resolution is reported.
    match arguments.get("metric"):
        case "size":
            return str(sum(p.stat().st_size for p in DATA.iterdir()))
        case "count":
            return str(len(os.listdir(DATA)))
    return "?"


def main() -> None:
    mcp.run()


if __name__ == "__main__":
    main()
