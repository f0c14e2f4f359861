import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { NOTES_DIR } from "./notes.js";

const run = promisify(execFile);

export async function gitLog(limit: number): Promise<string> {
  const { stdout } = await run("git", ["log", `-${limit}`, "--oneline"], { cwd: NOTES_DIR });
  return stdout;
}
