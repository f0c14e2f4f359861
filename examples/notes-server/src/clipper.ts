// Fetch a page and keep its text.
export async function clip(url: string): Promise<string> {
  const res = await fetch(url, { headers: { "user-agent": "example-notes/0.1" } });
  const html = await res.text();
  return html.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
}
