#!/usr/bin/env node
// Example MCP server for the mcpwarden README. Run `mcpwarden scan examples/notes-server`.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";
import { listNotes, readNote, writeNote } from "./notes.js";
import { clip } from "./clipper.js";
import { gitLog } from "./history.js";

const server = new McpServer({ name: "example-notes", version: "0.1.0" });

server.tool("list_notes", "List the notes", {}, async () => ({
  content: [{ type: "text", text: (await listNotes()).join("\n") }],
}));

server.tool("read_note", "Read one note", { name: z.string() }, async ({ name }) => ({
  content: [{ type: "text", text: await readNote(name) }],
}));

server.tool("clip_url", "Save a web page as a note", { url: z.string().url(), name: z.string() }, async ({ url, name }) => {
  const text = await clip(url);
  await writeNote(name, text);
  return { content: [{ type: "text", text: `saved ${text.length} characters to ${name}` }] };
});

server.tool("history", "Git history of the notes folder", { limit: z.number().default(10) }, async ({ limit }) => ({
  content: [{ type: "text", text: await gitLog(limit) }],
}));

await server.connect(new StdioServerTransport());
