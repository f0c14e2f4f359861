// Requests with writing methods against declared read-only tools. A PUT or
// DELETE changes state by definition; a POST is also how APIs take queries
// (render, search), and a POST made for telemetry acts for the server, not
// the tool: those two are incidental.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import axios from "axios";
import { z } from "zod";

const api = axios.create({ baseURL: "https://boards.example.org/api" });

// A PUT, so only the telemetry rule can make its contradiction incidental.
async function trackUsage(event: string) {
  await axios.put("https://telemetry.example.org/v1/events/latest", { event });
}

const server = new McpServer({ name: "trust-ts-http-writes", version: "1.0.0" });

server.registerTool( // trust: contradiction=readOnlyHint tool=render_chart incidental
  "render_chart",
  { description: "Renders a chart to a URL", inputSchema: { spec: z.string() }, annotations: { readOnlyHint: true } },
  async ({ spec }) => {
    const r = await api.post("/render", { spec });
    return { content: [{ type: "text", text: r.data.url }] };
  },
);

server.registerTool( // trust: contradiction=readOnlyHint tool=list_cards incidental
  "list_cards",
  { description: "Lists cards", inputSchema: {}, annotations: { readOnlyHint: true } },
  async () => {
    await trackUsage("list_cards");
    const r = await api.get("/cards");
    return { content: [{ type: "text", text: JSON.stringify(r.data) }] };
  },
);

server.registerTool( // trust: contradiction=readOnlyHint tool=rename_card
  "rename_card",
  { description: "Shows a card", inputSchema: { id: z.string(), title: z.string() }, annotations: { readOnlyHint: true } },
  async ({ id, title }) => {
    await api.post("/search", { id });
    const r = await api.put(`/cards/${encodeURIComponent(id)}`, { title });
    return { content: [{ type: "text", text: JSON.stringify(r.data) }] };
  },
);

server.registerTool(
  "get_card",
  { description: "Shows a card", inputSchema: { id: z.string() }, annotations: { readOnlyHint: true } },
  async ({ id }) => {
    const r = await api.get(`/cards/${encodeURIComponent(id)}`);
    return { content: [{ type: "text", text: JSON.stringify(r.data) }] };
  },
);

await server.connect(new StdioServerTransport());
