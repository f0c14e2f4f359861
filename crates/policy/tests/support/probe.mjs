// Tries, under the same sandbox or flags as a server, the four things an
// export must stop: reading and writing outside the grants, connecting to a
// destination the manifest does not name, starting a program it does not
// name. Prints one JSON object: for each attempt, "ok" or the error.
// Runs under Node and Deno (node: modules only). Written for the export tests.
import { readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import net from "node:net";

const plan = JSON.parse(process.argv[2]);
const out = {};
const attempt = (name, f) => {
  try { f(); out[name] = "ok"; } catch (e) { out[name] = String(e && (e.code || e.message) || e); }
};
if (plan.read) attempt("read", () => readFileSync(plan.read, "utf8"));
if (plan.write) attempt("write", () => writeFileSync(plan.write, "x"));
if (plan.spawn) attempt("spawn", () => {
  const r = spawnSync(plan.spawn, [], { encoding: "utf8" });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`exit ${r.status}`);
});
if (plan.connect) {
  const [host, port] = plan.connect.split(":");
  await new Promise((resolve) => {
    let s;
    try { s = net.connect({ host, port: Number(port) }); } catch (e) { out.connect = String(e.code || e.message); return resolve(); }
    const done = (v) => { out.connect = v; s.destroy(); resolve(); };
    s.setTimeout(5000, () => done("timeout"));
    s.on("connect", () => done("ok"));
    s.on("error", (e) => done(String(e.code || e.message)));
  });
}
console.log(JSON.stringify(out));
