// A low-level server: one call-tool handler switches on the tool's name, and
// the `processes` tool switches again on its `command` argument.
const { Server } = require("@modelcontextprotocol/sdk/server/index.js");
const { StdioServerTransport } = require("@modelcontextprotocol/sdk/server/stdio.js");
const { CallToolRequestSchema, ListToolsRequestSchema } = require("@modelcontextprotocol/sdk/types.js");
const { spawn, execFileSync } = require("node:child_process");
const fs = require("node:fs");

const LOGS = "/var/log/pm2-lite";
const server = new Server({ name: "pm2-lite", version: "0.9.1" }, { capabilities: { tools: {} } });

server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    { // trust: contradiction=readOnlyHint tool=processes only=command=kill,command=start
      name: "processes",
      description: "List, start or kill managed processes",
      inputSchema: { type: "object", properties: { command: { enum: ["list", "start", "kill"] }, name: { type: "string" } } },
      annotations: { readOnlyHint: true },
    },
    {
      name: "logs",
      description: "Tail a process log",
      inputSchema: { type: "object", properties: { name: { type: "string" } } },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
  ],
}));

server.setRequestHandler(CallToolRequestSchema, async (request) => {
  const args = request.params.arguments ?? {};
  switch (request.params.name) {
    case "processes":
      switch (args.command) {
        case "list": // trust: resolve=processes command=list readonly
          return { content: [{ type: "text", text: fs.readdirSync("/run/pm2-lite").join("\n") }] };
        case "start": { // trust: resolve=processes command=start
          const child = spawn("/usr/bin/node", [`/srv/apps/${args.name}/index.js`], { detached: true });
          return { content: [{ type: "text", text: `started ${child.pid}` }] };
        }
        case "kill": // trust: resolve=processes command=kill
          execFileSync("pkill", ["-f", `/srv/apps/${args.name}/`]);
          return { content: [{ type: "text", text: "killed" }] };
      }
      break;
    case "logs":
      return { content: [{ type: "text", text: fs.readFileSync(`${LOGS}/current.log`, "utf8") }] };
  }
  throw new Error("unknown tool");
});

server.connect(new StdioServerTransport());
