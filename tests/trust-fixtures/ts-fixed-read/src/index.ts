// Reads one fixed file and says so honestly: the grade to beat.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { readFile } from "node:fs/promises";

const server = new McpServer({ name: "trust-ts-fixed-read", version: "1.0.0" });

server.registerTool(
  "motd",
  { description: "The message of the day", annotations: { readOnlyHint: true, openWorldHint: false } },
  async () => ({ content: [{ type: "text", text: await readFile("/etc/motd", "utf8") }] }),
);

await server.connect(new StdioServerTransport());
