#!/usr/bin/env bash
# Measures a list of N packages and prints packages per second, the cache's
# disk use and the peak memory, with a projection to the whole ecosystem.
# A benchmark, not a test: it uses the network unless the cache holds
# everything (or --offline is passed through).
#
#   bench/measure_scale.sh LIST [N] [-- extra measure options]
#
# Environment:
#   MCPWARDEN_BIN        the binary (default: target/release/mcpwarden; build it
#                        with `cargo build --release -p mcpwarden`)
#   MCPWARDEN_CACHE_DIR  the cache (default: a fresh temporary directory: a cold run)
#   BENCH_DB             results database (default: a fresh temporary file)
#   BENCH_ECOSYSTEM      packages to project to (default: 20400, npm + PyPI)
#
# Examples:
#   bench/measure_scale.sh /work/shared/ecosystem/dev-sample.tsv
#   MCPWARDEN_CACHE_DIR=/data/cache bench/measure_scale.sh list.tsv 2000 -- --jobs 8
#   MCPWARDEN_CACHE_DIR=/data/cache bench/measure_scale.sh list.tsv 2000 -- --offline --rescan
set -euo pipefail
cd "$(dirname "$0")/.."

list=${1:?usage: bench/measure_scale.sh LIST [N] [-- measure options]}
shift
n=""
if [ $# -gt 0 ] && [ "$1" != "--" ]; then n=$1; shift; fi
[ "${1:-}" = "--" ] && shift
bin=${MCPWARDEN_BIN:-$PWD/target/release/mcpwarden}
[ -x "$bin" ] || { echo "no binary at $bin (cargo build --release -p mcpwarden)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cache=${MCPWARDEN_CACHE_DIR:-$work/cache}
db=${BENCH_DB:-$work/results.sqlite}
eco=${BENCH_ECOSYSTEM:-20400}
mkdir -p "$cache"

bytes() { du -sb "$1" 2>/dev/null | cut -f1 || echo 0; }
before=$(bytes "$cache")
limit=()
[ -n "$n" ] && limit=(--limit "$n")

# GNU time gives the peak resident set of the run (the process and its children).
/usr/bin/time -f '%e %M %U %S' -o "$work/time" \
  "$bin" measure "$list" --db "$db" --cache "$cache" "${limit[@]}" "$@" >"$work/out" 2>"$work/err" \
  || { cat "$work/err" >&2; exit 1; }
read -r secs peak_kb user sys <"$work/time"
after=$(bytes "$cache")

python3 - "$db" "$cache" "$secs" "$peak_kb" "$before" "$after" "$eco" "$work/out" "$user" "$sys" "$(nproc)" <<'PY'
import os, sqlite3, sys
db, cache, secs, peak_kb, before, after, eco, out, user, system, cores = sys.argv[1:]
cpu, cores = float(user) + float(system), int(cores)
load = os.getloadavg()[0]
secs, peak_kb, before, after, eco = float(secs), int(peak_kb), int(before), int(after), int(eco)
con = sqlite3.connect(db)
run = con.execute("SELECT total, resumed, downloaded, cached, scanned, opaque, failed FROM runs ORDER BY id DESC LIMIT 1").fetchone()
total, resumed, downloaded, cached, scanned, opaque, failed = run
done = total - resumed
# The archives this list uses, by the digests the run stored.
digests = [d for (d,) in con.execute("SELECT DISTINCT digest FROM current_servers WHERE digest LIKE 'sha256:%'")]
arch = 0
for d in digests:
    h = d.split(":", 1)[1]
    p = os.path.join(cache, "archives", "sha256", h[:2], h)
    if os.path.isfile(p):
        arch += os.path.getsize(p)
def size(dirname):
    t = 0
    for root, _, files in os.walk(os.path.join(cache, dirname)):
        for f in files:
            try: t += os.lstat(os.path.join(root, f)).st_size
            except OSError: pass
    return t
mib = lambda b: b / 2**20
rate = done / secs if secs > 0 else 0
per_pkg = arch / max(len(digests), 1)
print(f"packages        {done} measured ({scanned} scanned, {opaque} opaque, {failed} failed; {downloaded} downloaded, {cached} from cache; {resumed} already stored)")
print(f"time            {secs:.1f} s  ->  {rate:.2f} packages/s")
print(f"cpu             {cpu:.1f} s user+sys, {cpu / max(done, 1):.3f} s a package; {cores} cores, load average {load:.1f} at the end")
if cpu > 0:
    idle = done / cpu * cores
    print(f"                on {cores} idle cores (CPU-bound): about {idle:.2f} packages/s, {eco / idle / 60:.0f} min for {eco}")
print(f"peak memory     {peak_kb / 1024:.0f} MiB")
print(f"cache           {mib(after):.0f} MiB in all (grew {mib(after - before):+.0f} MiB): archives {mib(size('archives')):.0f} MiB, kept trees {mib(size('trees')):.0f} MiB, tmp {mib(size('tmp')):.1f} MiB")
print(f"this list       {len(digests)} archives, {mib(arch):.0f} MiB ({per_pkg / 2**20:.2f} MiB a package)")
if rate > 0:
    print(f"projection      {eco} packages: {eco / rate / 60:.0f} min at this rate, archive cache {eco * per_pkg / 2**30:.1f} GiB")
fails = [l.strip() for l in open(out) if l.startswith("    ")]
if fails:
    print("failures        " + "; ".join(fails))
PY
