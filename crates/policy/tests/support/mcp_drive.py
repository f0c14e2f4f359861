"""Drive a real MCP server over stdio with the Python MCP SDK.

Usage: mcp_drive.py PLAN.json. PLAN holds "command" (argv), "env", "cwd" and
"calls" ([{"tool": name, "args": {...}}]). Prints one JSON document: the
tools the server lists and, for every call, whether it was an error and its
text. A call that fails at the protocol level counts as an error.
"""
import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def text_of(result):
    parts = []
    for c in result.content or []:
        parts.append(getattr(c, "text", None) or repr(c)[:200])
    return "\n".join(parts)


async def drive(plan):
    params = StdioServerParameters(
        command=plan["command"][0],
        args=plan["command"][1:],
        env=plan.get("env") or {},
        cwd=plan.get("cwd"),
    )
    out = {"tools": [], "results": []}
    async with stdio_client(params) as streams:
        async with ClientSession(*streams) as session:
            await asyncio.wait_for(session.initialize(), 60)
            listed = await asyncio.wait_for(session.list_tools(), 60)
            out["tools"] = sorted(t.name for t in listed.tools)
            for call in plan.get("calls", []):
                try:
                    r = await asyncio.wait_for(session.call_tool(call["tool"], call.get("args", {})), 60)
                    out["results"].append({"tool": call["tool"], "is_error": bool(r.is_error), "text": text_of(r)})
                except Exception as e:  # protocol error, timeout
                    out["results"].append({"tool": call["tool"], "is_error": True, "text": f"{type(e).__name__}: {e}"})
    return out


def main():
    with open(sys.argv[1]) as f:
        plan = json.load(f)
    print(json.dumps(asyncio.run(drive(plan))))


if __name__ == "__main__":
    main()
