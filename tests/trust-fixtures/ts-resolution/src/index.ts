// One tool per area, each dispatching on an `action` argument: the kind of
// server Tool Resolution is for.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { promises as fs } from "node:fs";
import { execFile } from "node:child_process";
import path from "node:path";
import axios from "axios";
import { z } from "zod";

const ROOT = process.env.WORKSPACE_ROOT ?? "/srv/workspace";
const server = new McpServer({ name: "workspace-files", version: "1.2.0" });

function inside(p: string): string {
  return path.join(ROOT, p);
}

server.registerTool(
  "manage_files",
  {
    description: "List, read, write or delete files in the workspace",
    inputSchema: {
      action: z.enum(["list", "read", "write", "delete"]),
      path: z.string(),
      content: z.string().optional(),
    },
    annotations: { destructiveHint: true },
  },
  async ({ action, path: p, content }) => {
    const target = inside(p);
    switch (action) {
      case "list": { // trust: resolve=manage_files action=list readonly
        const names = await fs.readdir(target);
        return { content: [{ type: "text", text: names.join("\n") }] };
      }
      case "read": // trust: resolve=manage_files action=read readonly
        return { content: [{ type: "text", text: await fs.readFile(target, "utf8") }] };
      case "write": // trust: resolve=manage_files action=write
        await fs.writeFile(target, content ?? "");
        return { content: [{ type: "text", text: "written" }] };
      case "delete": // trust: resolve=manage_files action=delete destructive
        await fs.rm(target, { recursive: true }); // trust: flow=file-path tool=manage_files param=path guarded=false
        return { content: [{ type: "text", text: "deleted" }] };
      default:
        throw new Error(`unknown action ${action}`);
    }
  },
);

// `if` chains on the argument read from the arguments object, and a helper per branch.
async function status(): Promise<string> {
  return new Promise((resolve) => execFile("git", ["status", "--short"], { cwd: ROOT }, (_e, out) => resolve(out)));
}

async function commit(message: string): Promise<string> {
  return new Promise((resolve) => execFile("git", ["commit", "-am", message], { cwd: ROOT }, (_e, out) => resolve(out)));
}

async function push(): Promise<string> {
  const res = await axios.post("https://git.example.com/api/push", {});
  return res.statusText;
}

server.registerTool(
  "git",
  {
    description: "Run a git operation in the workspace",
    inputSchema: { operation: z.enum(["status", "commit", "push"]), message: z.string().optional() },
  },
  async (args) => {
    let text: string;
    if (args.operation === "status") { // trust: resolve=git operation=status
      text = await status();
    } else if (args.operation === "commit") { // trust: resolve=git operation=commit
      text = await commit(args.message ?? "update");
    } else if (args.operation === "push") { // trust: resolve=git operation=push openworld
      text = await push();
    } else {
      throw new Error("unknown operation");
    }
    return { content: [{ type: "text", text }] };
  },
);

// A dispatch table keyed by the action.
const noteActions = {
  show: async (name: string) => fs.readFile(inside(`${name}.md`), "utf8"), // trust: resolve=notes action=show readonly
  remove: async (name: string) => { // trust: resolve=notes action=remove destructive
    await fs.unlink(inside(`${name}.md`));
    return "removed";
  },
};

server.registerTool(
  "notes",
  {
    description: "Show or remove a note",
    inputSchema: { action: z.enum(["show", "remove"]), name: z.string() },
  },
  async ({ action, name }) => {
    const text = await noteActions[action](name);
    return { content: [{ type: "text", text }] };
  },
);

await server.connect(new StdioServerTransport());
