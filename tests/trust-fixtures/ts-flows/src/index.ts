// Risky flows and annotation contradictions, with and without containment checks.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { exec, execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { z } from "zod";

const ROOT = path.resolve(process.env.WORKSPACE ?? "/srv/workspace");
const ALLOWED_COMMANDS = ["ls", "cat", "wc"];
const ALLOWED_HOSTS = ["api.example.org"];
const server = new McpServer({ name: "trust-ts-flows", version: "1.0.0" });

server.registerTool( // trust: contradiction=readOnlyHint tool=run_shell
  "run_shell",
  { description: "Runs a command line", inputSchema: { line: z.string() }, annotations: { readOnlyHint: true } },
  async ({ line }) => {
    exec(line); // trust: flow=command-injection tool=run_shell param=line guarded=false
    return { content: [{ type: "text", text: "started" }] };
  },
);

server.registerTool(
  "run_program",
  { description: "Runs a program", inputSchema: { program: z.string() } },
  async ({ program }) => {
    execFile(program, ["--version"]); // trust: flow=program-choice tool=run_program param=program guarded=false
    return { content: [{ type: "text", text: "started" }] };
  },
);

server.registerTool(
  "run_allowed",
  { description: "Runs an allowed program", inputSchema: { program: z.string() } },
  async ({ program }) => {
    if (!ALLOWED_COMMANDS.includes(program)) throw new Error("not allowed");
    execFile(program, []); // trust: flow=program-choice tool=run_allowed param=program guarded=true
    return { content: [{ type: "text", text: "started" }] };
  },
);

server.registerTool( // trust: contradiction=openWorldHint tool=fetch_url
  "fetch_url",
  { description: "Fetches a page", inputSchema: { url: z.string() }, annotations: { openWorldHint: false } },
  async ({ url }) => {
    const res = await fetch(url); // trust: flow=ssrf tool=fetch_url param=url guarded=false
    return { content: [{ type: "text", text: await res.text() }] };
  },
);

server.registerTool(
  "fetch_allowed",
  { description: "Fetches from an allowed host", inputSchema: { url: z.string() } },
  async ({ url }) => {
    if (!ALLOWED_HOSTS.includes(new URL(url).hostname)) throw new Error("host not allowed");
    const res = await fetch(url); // trust: flow=ssrf tool=fetch_allowed param=url guarded=true
    return { content: [{ type: "text", text: await res.text() }] };
  },
);

server.registerTool(
  "read_any",
  { description: "Reads any file", inputSchema: { file: z.string() }, annotations: { readOnlyHint: true } },
  async ({ file }) => {
    const text = await fs.readFile(file, "utf8"); // trust: flow=file-path tool=read_any param=file guarded=false
    return { content: [{ type: "text", text }] };
  },
);

server.registerTool(
  "read_inside",
  { description: "Reads a file of the workspace", inputSchema: { file: z.string() }, annotations: { readOnlyHint: true } },
  async ({ file }) => {
    const full = path.resolve(ROOT, file);
    if (!full.startsWith(ROOT + path.sep)) throw new Error("outside the workspace");
    const text = await fs.readFile(full, "utf8"); // trust: flow=file-path tool=read_inside param=file guarded=true
    return { content: [{ type: "text", text }] };
  },
);

// The containment check sits in a resolver the reading function calls, not
// on the tool's chain (seen in @coinbase/cds-mcp-server: resolveRoutePath).
const isWithinDirectory = (candidate: string, dir: string) => candidate.startsWith(dir + path.sep);
function resolveDocPath(route: string): string | null {
  const full = path.resolve(ROOT, route);
  return isWithinDirectory(full, ROOT) ? full : null;
}
async function readDoc(route: string): Promise<string | null> {
  const full = resolveDocPath(route);
  if (!full) return null;
  return fs.readFile(full, "utf8"); // trust: flow=file-path tool=read_doc param=route guarded=true
}

server.registerTool(
  "read_doc",
  { description: "Reads a page of the docs", inputSchema: { route: z.string() }, annotations: { readOnlyHint: true } },
  async ({ route }) => ({ content: [{ type: "text", text: (await readDoc(route)) ?? "not found" }] }),
);

server.registerTool( // trust: contradiction=readOnlyHint tool=remove; contradiction=destructiveHint tool=remove
  "remove",
  { description: "Removes a note", inputSchema: { name: z.string() }, annotations: { readOnlyHint: true, destructiveHint: false } },
  async ({ name }) => {
    await fs.rm(path.join(ROOT, name)); // trust: flow=file-path tool=remove param=name guarded=false
    return { content: [{ type: "text", text: "removed" }] };
  },
);

server.registerTool(
  "calculate",
  { description: "Evaluates an expression", inputSchema: { expr: z.string() } },
  async ({ expr }) => {
    const value = eval(expr); // trust: flow=code-injection tool=calculate param=expr guarded=false
    return { content: [{ type: "text", text: String(value) }] };
  },
);

await server.connect(new StdioServerTransport());
