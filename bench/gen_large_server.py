#!/usr/bin/env python3
"""Generate a synthetic TypeScript MCP server with T tools and F helper functions
spread over many files, for measuring call-graph cost (see bench/README.md).

usage: gen_large_server.py OUT_DIR TOOLS FUNCTIONS
"""
import os
import random
import sys


def main() -> None:
    out, tools, funcs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(7)
    per_file = 50
    nfiles = max(1, funcs // per_file)
    os.makedirs(os.path.join(out, "src", "lib"), exist_ok=True)
    apis = [
        'await fetch("https://api.example.com/x")',
        'fs.readFileSync("/tmp/x", "utf8")',
        'execFileSync("git", ["status"])',
        'process.env.TOKEN',
        'fs.writeFileSync("/tmp/y", "z")',
    ]
    for f in range(nfiles):
        lines = ['import * as fs from "node:fs";', 'import { execFileSync } from "node:child_process";']
        # Each file imports two "lower layer" files nearby, so chains cross files
        # but a tool reaches a bounded part of the server, as in real code.
        deps = sorted({min(nfiles - 1, f + 1 + rnd.randrange(3)) for _ in range(2)} - {f})
        for d in deps:
            lines.append(f'import * as m{d} from "./m{d}.js";')
        for i in range(per_file):
            body = []
            for _ in range(3):
                if deps and rnd.random() < 0.3:
                    d = rnd.choice(deps)
                    body.append(f"  m{d}.f{d}_{rnd.randrange(per_file)}();")
                elif i + 1 < per_file:
                    body.append(f"  f{f}_{rnd.randrange(i + 1, per_file)}();")
            if rnd.random() < 0.1:
                body.append(f"  {rnd.choice(apis)};")
            lines.append(f"export async function f{f}_{i}() {{\n" + "\n".join(body) + "\n}")
        with open(os.path.join(out, "src", "lib", f"m{f}.ts"), "w") as fh:
            fh.write("\n".join(lines) + "\n")
    idx = ['import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";', 'const server = new McpServer({ name: "big", version: "1" });']
    for d in range(nfiles):
        idx.append(f'import * as m{d} from "./lib/m{d}.js";')
    for t in range(tools):
        d = rnd.randrange(nfiles)
        idx.append(f'server.tool("tool_{t}", "t", {{}}, async () => {{ await m{d}.f{d}_{rnd.randrange(per_file)}(); return {{ content: [] }}; }});')
    with open(os.path.join(out, "src", "index.ts"), "w") as fh:
        fh.write("\n".join(idx) + "\n")
    with open(os.path.join(out, "package.json"), "w") as fh:
        fh.write('{"name": "big-synthetic-server", "main": "dist/index.js"}\n')


if __name__ == "__main__":
    main()
