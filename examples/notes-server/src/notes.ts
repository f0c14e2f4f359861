import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import * as os from "node:os";

export const NOTES_DIR = process.env.NOTES_DIR ?? path.join(os.homedir(), "notes");

function notePath(name: string): string {
  if (!/^[\w-]+$/.test(name)) throw new Error(`bad note name: ${name}`);
  return path.join(NOTES_DIR, `${name}.md`);
}

export async function listNotes(): Promise<string[]> {
  return (await readdir(NOTES_DIR)).filter((f) => f.endsWith(".md"));
}

export async function readNote(name: string): Promise<string> {
  return readFile(notePath(name), "utf8");
}

export async function writeNote(name: string, text: string): Promise<void> {
  await mkdir(NOTES_DIR, { recursive: true });
  await writeFile(notePath(name), text);
}
