"""A real MCP client (the Python `mcp` SDK) for mcpwarden's tests.

Usage: python drive.py PLAN.json. The plan names the server command, its
environment, the protocol era ("handshake": initialize; "modern": the
stateless server/discover), an elicitation answer ("accept", "decline" or
null for no elicitation capability) and the calls to make. Prints one JSON
document: the tools listed and each call's result or JSON-RPC error."""

import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError


def result_json(r):
    text = "".join(getattr(c, "text", "") for c in (r.content or []))
    return {"isError": bool(r.is_error), "text": text, "meta": r.meta}


async def call(s, c, on_elicit):
    """One tools/call; on 2026-07-28, input_required rounds are answered by
    the same elicitation handler and the call retried with the answers."""
    name, args = c["tool"], c.get("args", {})
    r = await s.call_tool(name, args, read_timeout_seconds=20, allow_input_required=True)
    for _ in range(5):
        if not isinstance(r, types.InputRequiredResult):
            return r
        answers = {k: await on_elicit(None, req.params) for k, req in (r.input_requests or {}).items()}
        r = await s.call_tool(name, args, read_timeout_seconds=20, allow_input_required=True,
                              input_responses=answers, request_state=r.request_state)
    raise RuntimeError("too many input_required rounds")


async def main(plan):
    params = StdioServerParameters(command=plan["command"], args=plan["args"], env=plan["env"], cwd=plan.get("cwd"))
    elicited = []

    async def on_elicit(context, p):
        elicited.append(p.message)
        if plan.get("elicit") == "accept":
            return types.ElicitResult(action="accept", content={"allow": True})
        return types.ElicitResult(action="decline")

    cb = on_elicit if plan.get("elicit") else None
    out = {"results": [], "elicited": elicited}
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write, elicitation_callback=cb) as s:
            if plan.get("era") == "modern":
                await s.discover()
            else:
                await s.initialize()
            out["protocol"] = s.protocol_version
            out["tools"] = [t.name for t in (await s.list_tools()).tools]
            for c in plan["calls"]:
                try:
                    r = await call(s, c, on_elicit if cb else None)
                    out["results"].append(result_json(r))
                except MCPError as e:
                    out["results"].append({"rpc_error": {"code": e.code, "message": str(e)}})
    print(json.dumps(out))


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        asyncio.run(main(json.load(f)))
