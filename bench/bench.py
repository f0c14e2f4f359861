#!/usr/bin/env python3
"""mcpwarden benchmark: side by side with signature-matching peers, on the same
corpus, in one run. Python 3.11 standard library only.

Normally started by bench/run.sh, which builds the release binary and installs
the peers into a venv under the cache directory. See bench/README.md.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CLASSES = ("network", "system", "file", "memory")
SRC_EXT = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".py", ".pyi")
PY_EXT = (".py", ".pyi")
# What a user excludes when pointing a generic matcher at a checkout: other people's code.
EXCLUDED_DIRS = ("node_modules", ".venv", "venv", "site-packages", ".git", "__pycache__", "bower_components")
MAX_FILE_BYTES = 16 * 1024 * 1024  # mcpwarden's default cap; semgrep gets the same


def log(*a):
    print("[bench]", *a, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- corpus
def safe_name(reg: str, name: str) -> str:
    return f"{reg}-" + name.replace("/", "_").replace("@", "_")


def read_tsv(path: Path):
    rows = []
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            if not line.strip():
                continue
            cols = dict(zip(header, line.rstrip("\n").split("\t")))
            rows.append((cols["registry"], cols["name"], cols["version"]))
    return rows


def extract(archive: Path, dest: Path):
    name = archive.name
    if name.endswith((".tar.gz", ".tgz", ".tar.bz2", ".tar")):
        with tarfile.open(archive) as t:
            t.extractall(dest, filter="data")
    elif name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as z:
            z.extractall(dest)  # zipfile strips absolute paths and `..`
    else:
        raise ValueError(f"unknown archive {name}")


def fetch_package(cache: Path, reg: str, name: str, version: str, pip: str) -> Path | None:
    """Downloads (cached) and unpacks one package into cache/packages/<reg>-<name>/."""
    dest = cache / "packages" / safe_name(reg, name)
    ok = cache / "state" / (safe_name(reg, name) + f"@{version}.ok")
    if ok.exists() and dest.is_dir():
        return dest
    dl = cache / "dl" / reg / safe_name(reg, name) / version
    dl.mkdir(parents=True, exist_ok=True)
    archives = [p for p in dl.iterdir() if p.is_file()]
    if not archives:
        if reg == "npm":
            cmd = ["npm", "pack", f"{name}@{version}", "--ignore-scripts", "--silent", "--pack-destination", str(dl)]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                log(f"npm pack {name}@{version} failed: {r.stderr.strip()[-300:]}")
        elif reg == "pypi":
            base = [pip, "download", "--no-deps", "-q", "--disable-pip-version-check", "-d", str(dl), f"{name}=={version}"]
            for extra in (["--no-binary", ":all:"], ["--only-binary", ":all:"], ["--python-version", "3.13", "--only-binary", ":all:"]):
                r = subprocess.run(base + extra, capture_output=True, text=True)
                if r.returncode == 0 and any(dl.iterdir()):
                    break
            else:
                log(f"pip download {name}=={version} failed: {r.stderr.strip()[-300:]}")
        archives = [p for p in dl.iterdir() if p.is_file()]
    if not archives:
        return None
    tmp = Path(tempfile.mkdtemp(prefix=".unpack-", dir=cache / "packages"))
    try:
        for a in archives:
            extract(a, tmp)
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    ok.parent.mkdir(parents=True, exist_ok=True)
    ok.write_text(version)
    return dest


def prepare_packages(cache: Path, tsv: Path, quick: int, pip: str):
    rows = read_tsv(tsv)
    if quick:
        npm = [r for r in rows if r[0] == "npm"][: (quick + 1) // 2]
        py = [r for r in rows if r[0] == "pypi"][: quick // 2]
        rows = npm + py
    (cache / "packages").mkdir(parents=True, exist_ok=True)
    got, missing = [], []
    for i, (reg, name, ver) in enumerate(rows):
        p = fetch_package(cache, reg, name, ver, pip)
        if p is None:
            missing.append(f"{reg}:{name}@{ver}")
        else:
            got.append(p)
        if (i + 1) % 20 == 0:
            log(f"corpus: {i + 1}/{len(rows)} packages ready")
    return got, missing


def build_corpus(cache: Path, packages: list[Path], tag: str, scale: int) -> Path:
    """corpus/<tag>-x<scale>/: one folder per package; copies k>0 are named `<pkg>~k`.
    Copy 0 is hard-linked from packages/ (each inode read once); further copies are
    real copies, so a 4x corpus really has 4x the bytes to read."""
    key = hashlib.sha256("\n".join(p.name for p in packages).encode()).hexdigest()[:12]
    root = cache / "corpus" / f"{tag}-x{scale}"
    stamp = cache / "corpus" / f"{tag}-x{scale}.ok"
    if stamp.exists() and stamp.read_text() == key and root.is_dir():
        return root
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for p in packages:
        for k in range(scale):
            dst = root / (p.name if k == 0 else f"{p.name}~{k}")
            subprocess.run(["cp", "-a" + ("l" if k == 0 else ""), str(p), str(dst)], check=True)
    # semgrep reads ignore rules from the project root (its working directory).
    (root / ".semgrepignore").write_text("".join(f"{d}/\n" for d in EXCLUDED_DIRS))
    stamp.write_text(key)
    return root


def build_mixed(cache: Path, packages: list[Path], target_mb: float) -> Path:
    """A mixed TS/JS/Python tree of about target_mb MB of source: packages taken
    alternately npm/PyPI in list order until the source bytes reach the target."""
    npm = [p for p in packages if p.name.startswith("npm-")]
    py = [p for p in packages if p.name.startswith("pypi-")]
    order = []
    for i in range(max(len(npm), len(py))):
        order += ([npm[i]] if i < len(npm) else []) + ([py[i]] if i < len(py) else [])
    chosen, total = [], 0
    for p in order:
        chosen.append(p)
        total += count_sources(p)["bytes"]
        if total >= target_mb * 1e6:
            break
    key = hashlib.sha256("\n".join(p.name for p in chosen).encode()).hexdigest()[:12]
    root = cache / "corpus" / f"mixed{int(target_mb)}"
    stamp = cache / "corpus" / f"mixed{int(target_mb)}.ok"
    if not (stamp.exists() and stamp.read_text() == key and root.is_dir()):
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        for p in chosen:
            subprocess.run(["cp", "-a", str(p), str(root / p.name)], check=True)
        stamp.write_text(key)
    return root


def count_sources(root: Path) -> dict:
    """The common denominator for files/s and MB/s: TS/JS/Python source files outside
    dependency folders, at most MAX_FILE_BYTES each (what every tool is asked to read)."""
    c = {"files": 0, "bytes": 0, "py_files": 0, "py_bytes": 0, "js_files": 0, "js_bytes": 0}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in EXCLUDED_DIRS]
        for fn in filenames:
            if not fn.endswith(SRC_EXT):
                continue
            fp = os.path.join(dirpath, fn)
            if os.path.islink(fp):
                continue
            try:
                size = os.path.getsize(fp)
            except OSError:
                continue
            if size > MAX_FILE_BYTES:
                continue
            c["files"] += 1
            c["bytes"] += size
            k = "py" if fn.endswith(PY_EXT) else "js"
            c[f"{k}_files"] += 1
            c[f"{k}_bytes"] += size
    return c


# --------------------------------------------------------------------------- measuring
def tree_rss_kb(root_pid: int) -> int:
    """Sum of RSS over root_pid and its descendants (sampled from /proc)."""
    children = defaultdict(list)
    rss = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
            fields = s[s.rfind(")") + 2:].split()
            pid = int(d)
            children[int(fields[1])].append(pid)
            rss[pid] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except (OSError, ValueError, IndexError):
            continue
    total, stack = 0, [root_pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack += children.get(p, [])
    return total


def measure(cmd: list[str], cwd: Path | None = None, stdout: Path | None = None, env=None) -> dict:
    """Runs cmd; wall time, CPU (user+sys of the process and all its waited-for
    descendants, from wait4), peak RSS of the largest single process (ru_maxrss)
    and the sampled peak of the whole process tree's RSS."""
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL
    err = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env=env)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.wait(0.1):
            peak[0] = max(peak[0], tree_rss_kb(p.pid))

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    th.join()
    p.returncode = os.waitstatus_to_exitcode(status)
    if stdout:
        out.close()
    err.seek(0)
    stderr = err.read().decode(errors="replace")
    return {"wall_s": wall, "user_s": ru.ru_utime, "sys_s": ru.ru_stime, "cpu_s": ru.ru_utime + ru.ru_stime,
            "max_rss_kb": ru.ru_maxrss, "tree_rss_kb": max(peak[0], ru.ru_maxrss), "rc": p.returncode, "stderr_tail": stderr[-2000:]}


def median_run(runs: list[dict]) -> dict:
    """The run with the median wall time (its CPU and memory are reported with it),
    plus the spread of wall times."""
    s = sorted(runs, key=lambda r: r["wall_s"])
    m = dict(s[(len(s) - 1) // 2])
    m["walls_s"] = [round(r["wall_s"], 3) for r in runs]
    m["wall_s"] = statistics.median(r["wall_s"] for r in runs)
    return m


# --------------------------------------------------------------------------- tools
class Tool:
    name = ""
    label = ""
    python_only = False

    def command(self, corpus: Path, out: Path) -> tuple[list[str], Path | None, Path | None]:
        raise NotImplementedError


def lang_args():
    """mcpwarden analyses the peers' languages only (TS/JS/Python), unless --all-languages:
    the corpus also holds Rust, Go... sources that the peers' packs never read."""
    v = os.environ.get("MW_LANGS", "")
    return ["--languages", v] if v else []


def mw_each(argv):
    """Driver for mcpwarden per-server mode: `bench.py _each BIN OUTDIR JOBS MODE DIR...`.
    Scans each server dir in its own process (as a user or CI would), JOBS at a time."""
    binary, outdir, jobs, mode, *dirs = argv
    jobs = int(jobs)
    extra = (["--parse-only"] if mode == "parse-only" else []) + lang_args()
    running = []
    failed = 0
    for d in dirs:
        while len(running) >= jobs:
            pid, status = os.wait()
            running = [r for r in running if r[0] != pid]
            failed += status != 0
        with open(os.path.join(outdir, os.path.basename(d) + ".json"), "wb") as f:
            pid = os.posix_spawn(binary, [binary, "scan", d, "--format", "json", *extra], os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, f.fileno(), 1)])
        running.append((pid, d))
    while running:
        pid, status = os.wait()
        running = [r for r in running if r[0] != pid]
        failed += status != 0
    sys.exit(1 if failed else 0)


def servers_of(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.iterdir() if p.is_dir())


# --------------------------------------------------------------------------- parsing peer output
def split_server(corpus: Path, path: str) -> tuple[str, str] | None:
    """A peer's reported path -> (server folder, path inside it); pure string work."""
    root = os.path.normpath(str(corpus))
    p = os.path.normpath(path if os.path.isabs(path) else os.path.join(root, path))
    if not p.startswith(root + os.sep):
        return None
    parts = p[len(root) + 1:].split(os.sep)
    if len(parts) < 2:
        return None
    return parts[0], "/".join(parts[1:])


def class_of_rule(rule_id: str) -> str | None:
    c = rule_id.rsplit(".", 1)[-1].split("-", 1)[0]
    return c if c in CLASSES else None


BANDIT_CLASS = {
    # system: processes, dynamic code, unsafe deserialisation
    "B102": "system", "B307": "system", "B301": "system", "B302": "system", "B403": "system", "B404": "system",
    "B506": "system", "B601": "system", "B602": "system", "B603": "system", "B604": "system", "B605": "system",
    "B606": "system", "B607": "system", "B609": "system",
    # network
    "B104": "network", "B113": "network", "B309": "network", "B310": "network", "B312": "network", "B321": "network",
    "B401": "network", "B402": "network", "B411": "network", "B501": "network", "B502": "network", "B503": "network",
    "B504": "network",
    # file
    "B103": "file", "B108": "file", "B202": "file", "B306": "file",
}


def peer_hits(tool: str, corpus: Path, out: Path) -> tuple[list[tuple], dict]:
    """-> [(server, class, file, line, rule)], info"""
    hits, info = [], {}
    if tool == "semgrep":
        d = json.loads(out.read_text())
        for r in d.get("results", []):
            c = class_of_rule(r["check_id"])
            s = split_server(corpus, r["path"])
            if c and s:
                hits.append((s[0], c, s[1], r["start"]["line"], r["check_id"].rsplit(".", 1)[-1]))
        info["scanned_files"] = len(d.get("paths", {}).get("scanned", []))
        info["errors"] = len(d.get("errors", []))
        kinds = defaultdict(int)
        for e in d.get("errors", []):
            kinds[e.get("type", "?") if isinstance(e.get("type"), str) else json.dumps(e.get("type"))[:60]] += 1
        info["error_kinds"] = dict(kinds)
    elif tool == "ast-grep":
        pat = re.compile(r"^(.*):(\d+):(\d+): \w+\[([^\]]+)\]")
        for line in out.read_text(errors="replace").splitlines():
            mt = pat.match(line)
            if not mt:
                continue
            c = class_of_rule(mt.group(4))
            s = split_server(corpus, mt.group(1))
            if c and s:
                hits.append((s[0], c, s[1], int(mt.group(2)), mt.group(4)))
    elif tool == "bandit":
        d = json.loads(out.read_text())
        for r in d.get("results", []):
            c = BANDIT_CLASS.get(r["test_id"])
            s = split_server(corpus, r["filename"])
            if c and s:
                hits.append((s[0], c, s[1], r["line_number"], f'{r["test_id"]}:{r["test_name"]}'))
        info["errors"] = len(d.get("errors", []))
        info["loc"] = d.get("metrics", {}).get("_totals", {}).get("loc")
    return hits, info


def load_mw(outdir: Path, servers: list[str]) -> dict:
    res = {}
    for s in servers:
        f = outdir / f"{s}.json"
        try:
            doc = json.loads(f.read_text())
            res[s] = doc["servers"][0]
        except (OSError, ValueError, KeyError, IndexError) as e:
            res[s] = {"error": str(e)}
    return res


PERIPHERAL = re.compile(r"(^|/)(tests?|__tests__|__mocks__|spec|specs|e2e|examples?|demos?|benchmarks?|bench|scripts?|docs?)/|(^|/)(test_[^/]*|[^/]*_test|conftest)\.py$|\.(test|spec)\.[cm]?[jt]sx?$")


def skipped_reason(server: dict, file: str) -> str | None:
    for sk in server.get("skipped", []):
        for p in sk["path"].split(","):
            if file == p or file.startswith(p.rstrip("/") + "/"):
                return sk["reason"].split(":")[0]
    return None


def agreement(peer: str, hits: list[tuple], mw: dict, python_only: bool, sample: int) -> dict:
    """Per server and class: where the peer and mcpwarden (server-level `resources`)
    disagree, with the peer's (or mcpwarden's) evidence and a reason hint."""
    by = defaultdict(list)
    for s, c, f, line, rule in hits:
        by[(s, c)].append((f, line, rule))
    peer_only, mw_only, agree_yes, agree_no = [], [], 0, 0
    reasons = defaultdict(int)
    for s, rep in sorted(mw.items()):
        if "error" in rep:
            continue
        if python_only and "python" not in rep.get("languages", []):
            continue
        for c in CLASSES:
            m = bool(rep.get("resources", {}).get(c))
            ev = by.get((s, c), [])
            if m and ev:
                agree_yes += 1
            elif not m and not ev:
                agree_no += 1
            elif ev:
                # Why does mcpwarden not count it? Look at each piece of peer evidence.
                mw_f = [f for f in rep.get("findings", []) if f["resource"] == c]
                why = []
                for f, line, rule in ev:
                    same = [x for x in mw_f if x["file"] == f]
                    sk = skipped_reason(rep, f)
                    if same:
                        why.append(f"mcpwarden: part={same[0]['part']}")
                    elif sk:
                        why.append(f"mcpwarden skipped: {sk}")
                    elif PERIPHERAL.search(f):
                        why.append("peer evidence in a test/example/script path")
                    else:
                        why.append("mcpwarden: no finding in this file")
                # A server-level reason: the most actionable one wins.
                order = ["mcpwarden: no finding in this file", "mcpwarden skipped: compiled-twin", "mcpwarden skipped: bundled-dependency", "mcpwarden: part=orphan"]
                reason = next((r for r in order if r in why), None) or max(set(why), key=why.count)
                reasons[reason] += 1
                first = next((e for e, w in zip(ev, why) if w == reason), ev[0])
                peer_only.append({"server": s, "class": c, "reason": reason, "evidence": [f"{f}:{l} {r}" for f, l, r in ev[:3]],
                                  "first": f"{first[0]}:{first[1]} {first[2]}", "hits": len(ev)})
            else:
                fs = [f for f in rep.get("findings", []) if f["resource"] == c and f.get("part") == "server"]
                via = all(f.get("via") for f in fs)
                if peer == "bandit":
                    reason = "not a bandit check" if via or c in ("file", "memory") else "mcpwarden core API (no bandit check fired)"
                else:
                    reason = "mcpwarden via a library (outside the pack)" if via else "mcpwarden core API (pack missed it)"
                reasons[reason] += 1
                f0 = next((f for f in fs if not f.get("via")), fs[0]) if fs else {}
                mw_only.append({"server": s, "class": c, "reason": reason, "evidence": [f"{f['file']}:{f['line']} {f['api']}" for f in fs[:3]],
                                "first": f"{f0.get('file')}:{f0.get('line')} {f0.get('api')}"})
    pairs = agree_yes + agree_no + len(peer_only) + len(mw_only)
    # Samples: the most actionable first (peer-only in analysed files), then the rest.
    prio = {"mcpwarden: no finding in this file": 0, "mcpwarden skipped: compiled-twin": 1, "mcpwarden: part=orphan": 2}
    peer_only.sort(key=lambda d: (prio.get(d["reason"], 3), d["server"], d["class"]))
    mw_only.sort(key=lambda d: (0 if "core" in d["reason"] else 1, d["server"], d["class"]))
    return {"peer": peer, "pairs": pairs, "agree": agree_yes + agree_no, "agree_rate": round((agree_yes + agree_no) / pairs, 4) if pairs else None,
            "peer_only": len(peer_only), "mcpwarden_only": len(mw_only), "reasons": dict(reasons),
            "peer_only_sample": peer_only[:sample], "mcpwarden_only_sample": mw_only[:sample],
            "peer_only_all": [f'{d["server"]}/{d["class"]}: {d["first"]} [{d["reason"]}]' for d in peer_only],
            "mcpwarden_only_all": [f'{d["server"]}/{d["class"]}: {d["first"]} [{d["reason"]}]' for d in mw_only]}


# --------------------------------------------------------------------------- main
def machine_info() -> dict:
    info = {"nproc": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
        info["cpu"] = next((l.split(":", 1)[1].strip() for l in lscpu if l.startswith("Model name")), None)
        info["lscpu_head"] = lscpu[:10]
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            info["mem_gib"] = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    info["loadavg_start"] = os.getloadavg()
    return info


def versions(venv: Path, binary: Path) -> dict:
    v = {"mcpwarden_binary": str(binary)}
    try:
        v["mcpwarden"] = subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    for name, cmd in (("semgrep", [venv / "bin/semgrep", "--version", "--disable-version-check"]), ("ast-grep", [venv / "bin/ast-grep", "--version"]), ("bandit", [venv / "bin/bandit", "--version"])):
        try:
            out = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=120).stdout.strip().splitlines()
            v[name] = out[0] if out else None
        except (OSError, subprocess.TimeoutExpired):
            v[name] = None
    try:
        v["mcpwarden_commit"] = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"], capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    return v


def fmt_s(x):
    return f"{x:.2f}" if x is not None else "–"


def fmt_mb(kb):
    return f"{kb / 1024:.0f}" if kb else "–"


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "_each":
        return mw_each(sys.argv[2:])
    if len(sys.argv) > 2 and sys.argv[1] == "--render":
        # Re-print the Markdown report of an earlier run's JSON.
        print(markdown(json.loads(Path(sys.argv[2]).read_text())))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mcpwarden-bench")
    ap.add_argument("--tsv", type=Path, default=REPO.parent / "shared/ecosystem/dev-sample.tsv")
    ap.add_argument("--bin", type=Path, default=REPO / "target/release/mcpwarden")
    ap.add_argument("--scale", default="1,2,4", help="corpus scales for mcpwarden's growth figures (peers run at the first)")
    ap.add_argument("--peers", default="semgrep,ast-grep,bandit")
    ap.add_argument("--quick", action="store_true", help="8 packages, 1 repeat, scales 1,2")
    ap.add_argument("--repeat", type=int, default=None, help="timed runs per measurement, median reported (default 3; 1 with --quick)")
    ap.add_argument("--semgrep-repeat", type=int, default=1, help="timed semgrep runs (it takes minutes; default 1)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count(), help="threads/processes given to every tool")
    ap.add_argument("--mixed-mb", type=float, default=50, help="size of the mixed tree for the one-tree speed figure (0: skip)")
    ap.add_argument("--out", type=Path, default=HERE / "out/latest.json")
    ap.add_argument("--all-languages", action="store_true", help="let mcpwarden analyse every language it knows (default: only TS/JS/Python, the peers' languages)")
    ap.add_argument("--sample", type=int, default=12, help="disagreements listed per peer in the table")
    a = ap.parse_args()
    os.environ["MW_LANGS"] = "" if a.all_languages else "typescript,javascript,python"
    repeat = a.repeat or (1 if a.quick else 3)
    scales = [int(x) for x in (("1,2" if a.quick and a.scale == "1,2,4" else a.scale).split(","))]
    peers = [p for p in a.peers.split(",") if p]
    venv = a.cache / "venv"
    if not a.bin.exists():
        sys.exit(f"no release binary at {a.bin}: run `cargo build --release` (bench/run.sh does)")
    # Snapshot the binary: a concurrent `cargo build` must not swap it in the middle of a run.
    # (Streamed: a fat parent would inflate every child's ru_maxrss, which counts the pre-exec fork.)
    tmpb = a.cache / "bin" / "mcpwarden.tmp"
    tmpb.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(a.bin, tmpb)
    h = hashlib.sha256()
    with open(tmpb, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    sha = h.hexdigest()[:12]
    binary = a.cache / "bin" / f"mcpwarden-{sha}"
    tmpb.chmod(0o755)
    tmpb.rename(binary)
    vers = versions(venv, a.bin.resolve()) | {"mcpwarden_sha256_12": sha}

    t_start = time.time()
    log(f"cache {a.cache}; preparing corpus from {a.tsv}")
    pip = str(venv / "bin/pip") if (venv / "bin/pip").exists() else "pip"
    packages, missing = prepare_packages(a.cache, a.tsv, 8 if a.quick else 0, pip)
    if missing:
        log(f"missing packages: {', '.join(missing)}")
    tag = "quick" if a.quick else "full"
    corpora = {s: build_corpus(a.cache, packages, tag, s) for s in scales}
    counts = {s: count_sources(corpora[s]) for s in scales}
    mixed = build_mixed(a.cache, packages, a.mixed_mb) if a.mixed_mb and not a.quick else None
    mixed_count = count_sources(mixed) if mixed else None
    py_count = {"py_files": 0, "py_bytes": 0}
    for p in servers_of(corpora[scales[0]]):
        if p.name.startswith("pypi-"):
            c = count_sources(p)
            py_count["py_files"] += c["py_files"]
            py_count["py_bytes"] += c["py_bytes"]

    runs_dir = a.cache / "runs"
    if runs_dir.exists():
        shutil.rmtree(runs_dir)
    runs_dir.mkdir(parents=True)
    jobs = a.jobs

    # -- the measurements, as (key, scale, label, command builder)
    def mw_cmd(scale, mode, out, prefix=""):
        out.mkdir(parents=True, exist_ok=True)
        dirs = [str(p) for p in servers_of(corpora[scale]) if p.name.startswith(prefix)]
        return [sys.executable, str(Path(__file__).resolve()), "_each", str(binary), str(out), str(jobs), mode, *dirs], None, None

    def mw_tree_cmd(root, mode, out):
        extra = (["--parse-only"] if mode == "parse-only" else []) + lang_args()
        return [str(binary), "scan", str(root), "--format", "json", *extra], None, out

    s1 = scales[0]
    c1 = corpora[s1]
    plan = []  # (key, label, builder)
    for s in scales:
        plan.append((f"mcpwarden@{s}", f"mcpwarden full, per server ({s}x)", lambda out, s=s: mw_cmd(s, "full", out)))
        plan.append((f"mcpwarden-tree@{s}", f"mcpwarden full, one tree ({s}x)", lambda out, s=s: mw_tree_cmd(corpora[s], "full", out / "tree.json")))
    if "bandit" in peers:
        # bandit reads only Python: its baseline is mcpwarden over the PyPI packages.
        plan.append((f"mcpwarden-py@{s1}", f"mcpwarden full, per server, PyPI packages ({s1}x)", lambda out: mw_cmd(s1, "full", out, prefix="pypi-")))
    plan.append((f"parse-only@{s1}", f"mcpwarden parse-only, per server ({s1}x)", lambda out: mw_cmd(s1, "parse-only", out)))
    plan.append((f"parse-only-tree@{s1}", f"mcpwarden parse-only, one tree ({s1}x)", lambda out: mw_tree_cmd(c1, "parse-only", out / "tree.json")))
    if mixed:
        plan.append(("mixed", f"mcpwarden full, one tree, mixed {a.mixed_mb:.0f} MB", lambda out: mw_tree_cmd(mixed, "full", out / "tree.json")))
    if "semgrep" in peers:
        plan.append((f"semgrep@{s1}", "semgrep (signature pack)", lambda out: ([str(venv / "bin/semgrep"), "scan", "--config", str(HERE / "rules/semgrep.yml"), "--json", "--metrics=off", "--disable-version-check", "--quiet",
                                                                               "--jobs", str(jobs), "--max-target-bytes", str(MAX_FILE_BYTES), "--output", str(out / "semgrep.json"), "."], c1, None)))
    if "ast-grep" in peers:
        globs = sum((["--globs", f"!**/{d}/**"] for d in EXCLUDED_DIRS), [])
        # --report-style short: one `file:line:col: note[rule]: message` line per match. (Its JSON
        # output repeats each matched source line, megabytes per match in a minified bundle.)
        plan.append((f"ast-grep@{s1}", "ast-grep (signature pack)", lambda out: ([str(venv / "bin/ast-grep"), "scan", "-c", str(HERE / "rules/ast-grep/sgconfig.yml"), "--report-style", "short", "--color", "never",
                                                                                 "--threads", str(jobs), *globs, "."], c1, out / "ast-grep.txt")))
    if "bandit" in peers:
        excl = ",".join(f"*/{d}/*" for d in EXCLUDED_DIRS)
        plan.append((f"bandit@{s1}", "bandit (Python part)", lambda out: ([str(venv / "bin/bandit"), "-r", str(c1), "-f", "json", "-o", str(out / "bandit.json"), "-q", "-x", excl], None, None)))

    # Warm the page cache: one untimed parse-only pass over every corpus.
    log("warm-up (page cache)")
    for s in scales:
        measure([str(binary), "scan", str(corpora[s]), "--parse-only", "--format", "json", *lang_args()])
    if mixed:
        measure([str(binary), "scan", str(mixed), "--parse-only", "--format", "json", *lang_args()])

    results = defaultdict(list)
    loads = []
    for r in range(repeat):
        for key, label, build in plan:
            if key.startswith("semgrep") and r >= a.semgrep_repeat:
                continue
            out = runs_dir / key / f"run{r}"
            out.mkdir(parents=True, exist_ok=True)
            cmd, cwd, stdout = build(out)
            loads.append(os.getloadavg()[0])
            m = measure(cmd, cwd=cwd, stdout=stdout)
            m["out"] = str(out)
            results[key].append(m)
            log(f"run {r + 1}/{repeat} {key}: {m['wall_s']:.2f}s wall, {m['cpu_s']:.2f}s cpu, {m['tree_rss_kb'] / 1024:.0f} MB, rc={m['rc']}")
            if m["rc"] not in (0, 1):  # semgrep/ast-grep/bandit exit 1 when they find something
                log(f"  stderr: {m['stderr_tail'][-600:]}")

    med = {k: median_run(v) for k, v in results.items()}
    labels = {k: l for k, l, _ in plan}

    # -- agreement, on the first scale's outputs (first run: outputs are identical across runs)
    servers = [p.name for p in servers_of(c1)]
    mw = load_mw(Path(results[f"mcpwarden@{s1}"][0]["out"]), servers)
    mw_errors = [s for s, r in mw.items() if "error" in r]
    agree = {}
    peer_info = {}
    for peer in peers:
        key = f"{peer}@{s1}"
        if key not in results:
            continue
        out = Path(results[key][0]["out"])
        f = {"semgrep": out / "semgrep.json", "ast-grep": out / "ast-grep.txt", "bandit": out / "bandit.json"}[peer]
        try:
            hits, info = peer_hits(peer, c1, f)
        except (OSError, ValueError) as e:
            log(f"{peer}: unreadable output {f}: {e}")
            continue
        peer_info[peer] = info | {"hits": len(hits)}
        agree[peer] = agreement(peer, hits, mw, peer == "bandit", a.sample)

    # -- rows
    base = med[f"mcpwarden@{s1}"]
    rows = []
    for key, label, _ in plan:
        m = med[key]
        scale = int(key.split("@")[1]) if "@" in key else None
        if key == "mixed":
            cnt = mixed_count
        elif key.startswith("mcpwarden-py"):
            cnt = py_count
        else:
            cnt = counts[scale]
        nfiles, nbytes = (cnt["py_files"], cnt["py_bytes"]) if key.startswith(("bandit", "mcpwarden-py")) else (cnt["files"], cnt["bytes"])
        same_scale_base = med.get(f"mcpwarden@{scale}", base) if scale else None
        if key.startswith("bandit") and f"mcpwarden-py@{scale}" in med:
            same_scale_base = med[f"mcpwarden-py@{scale}"]
        rows.append({"key": key, "label": label, "scale": scale, "wall_s": round(m["wall_s"], 3), "walls_s": m["walls_s"], "cpu_s": round(m["cpu_s"], 3),
                     "user_s": round(m["user_s"], 3), "sys_s": round(m["sys_s"], 3),
                     "peak_rss_mb": round(m["max_rss_kb"] / 1024, 1), "peak_tree_rss_mb": round(m["tree_rss_kb"] / 1024, 1),
                     "files": nfiles, "mb": round(nbytes / 1e6, 2), "files_per_s": round(nfiles / m["wall_s"], 1), "mb_per_s": round(nbytes / 1e6 / m["wall_s"], 2),
                     "x_mcpwarden_wall": round(m["wall_s"] / same_scale_base["wall_s"], 2) if same_scale_base else None,
                     "x_mcpwarden_cpu": round(m["cpu_s"] / same_scale_base["cpu_s"], 2) if same_scale_base else None, "rc": m["rc"]})

    def wall(k):
        return med[k]["wall_s"] if k in med else None

    growth = {}
    for mode in ("mcpwarden", "mcpwarden-tree"):
        t1 = wall(f"{mode}@{s1}")
        c1_ = med[f"{mode}@{s1}"]["cpu_s"]
        growth[mode] = {f"{s}x": {"wall_s": round(wall(f"{mode}@{s}"), 3), "x_time": round(wall(f"{mode}@{s}") / t1, 2), "x_cpu": round(med[f"{mode}@{s}"]["cpu_s"] / c1_, 2),
                                  "x_bytes": round(counts[s]["bytes"] / counts[s1]["bytes"], 2),
                                  "peak_rss_mb": round(med[f"{mode}@{s}"]["tree_rss_kb"] / 1024, 1)} for s in scales}
    smax = scales[-1]
    goals = {
        "bandit_over_mcpwarden_pypi": round(wall(f"bandit@{s1}") / wall(f"mcpwarden-py@{s1}"), 2) if wall(f"bandit@{s1}") and wall(f"mcpwarden-py@{s1}") else None,
        "semgrep_over_mcpwarden": round(wall(f"semgrep@{s1}") / wall(f"mcpwarden@{s1}"), 2) if wall(f"semgrep@{s1}") else None,
        "ast_grep_over_mcpwarden": round(wall(f"ast-grep@{s1}") / wall(f"mcpwarden@{s1}"), 2) if wall(f"ast-grep@{s1}") else None,
        "full_over_parse_only": round(wall(f"mcpwarden@{s1}") / wall(f"parse-only@{s1}"), 2),
        "full_over_parse_only_tree": round(wall(f"mcpwarden-tree@{s1}") / wall(f"parse-only-tree@{s1}"), 2),
        f"growth_{smax}x_per_server": growth["mcpwarden"][f"{smax}x"]["x_time"],
        f"growth_{smax}x_tree": growth["mcpwarden-tree"][f"{smax}x"]["x_time"],
        f"peak_rss_mb_{smax}x_per_server": growth["mcpwarden"][f"{smax}x"]["peak_rss_mb"],
        f"peak_rss_mb_{smax}x_tree": growth["mcpwarden-tree"][f"{smax}x"]["peak_rss_mb"],
        "mixed_tree_s": round(wall("mixed"), 3) if mixed else None,
    }
    targets = {"bandit_over_mcpwarden_pypi": (">=", 1), "semgrep_over_mcpwarden": (">=", 20), "ast_grep_over_mcpwarden": (">=", 2), "full_over_parse_only": ("<=", 1.5), "full_over_parse_only_tree": ("<=", 1.5),
               f"growth_{smax}x_per_server": ("<=", 1.1 * smax), f"growth_{smax}x_tree": ("<=", 1.1 * smax),
               f"peak_rss_mb_{smax}x_per_server": ("<", 1024), f"peak_rss_mb_{smax}x_tree": ("<", 1024), "mixed_tree_s": ("<", 10)}
    goal_rows = []
    for k, v in goals.items():
        op, t = targets[k]
        ok = None if v is None else (v >= t if op == ">=" else v <= t if op == "<=" else v < t)
        goal_rows.append({"goal": k, "value": v, "target": f"{op} {t:g}", "met": ok})

    # mcpwarden's own counters for the one-tree runs (files walked, parsed, bytes)
    tree_stats = {}
    for key in [k for k, _, _ in plan if "tree" in k or k == "mixed"]:
        try:
            doc = json.loads((Path(results[key][0]["out"]) / "tree.json").read_text())
            tree_stats[key] = doc["servers"][0].get("stats")
        except (OSError, ValueError, KeyError, IndexError):
            pass
    mw_stats = defaultdict(int)
    for r in mw.values():
        for k, v in (r.get("stats") or {}).items():
            if isinstance(v, int):
                mw_stats[k] += v

    report = {"schema": "mcpwarden/bench/v1", "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine_info() | {"loadavg_end": os.getloadavg(), "load_1m_during": [round(x, 2) for x in loads]},
              "versions": vers, "options": {"scales": scales, "peers": peers, "repeat": repeat, "semgrep_repeat": min(repeat, a.semgrep_repeat), "jobs": jobs, "quick": a.quick, "all_languages": a.all_languages},
              "corpus": {"packages": len(packages), "missing": missing, "counts": {f"{s}x": counts[s] for s in scales}, "mixed": mixed_count, "mixed_packages": sorted(p.name for p in mixed.iterdir() if p.is_dir()) if mixed else None},
              "rows": rows, "growth": growth, "goals": goal_rows, "agreement": agree, "peer_info": peer_info,
              "mcpwarden": {"servers": len(mw), "errors": mw_errors, "stats_sum_per_server_1x": dict(mw_stats), "tree_stats": tree_stats},
              "elapsed_s": round(time.time() - t_start, 1)}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(report, indent=1) + "\n")
    print(markdown(report))
    log(f"wrote {a.out}")


def markdown(r: dict) -> str:
    L = []
    m = r["machine"]
    c1 = r["corpus"]["counts"][f'{r["options"]["scales"][0]}x']
    L.append(f"## mcpwarden benchmark ({r['date']})\n")
    L.append(f"Machine: {m.get('cpu')}, {m['nproc']} cores, {m.get('mem_gib')} GiB; load (1 min) during runs {min(m['load_1m_during']):.1f}–{max(m['load_1m_during']):.1f}. "
             f"Tools: {', '.join(v if v.startswith(k) else f'{k} {v}' for k, v in r['versions'].items() if v and k in ('mcpwarden', 'semgrep', 'ast-grep', 'bandit'))} (mcpwarden built from {r['versions'].get('mcpwarden_commit')}, binary sha256 {r['versions'].get('mcpwarden_sha256_12')}). Median of {r['options']['repeat']} runs (semgrep: {r['options'].get('semgrep_repeat')}), {r['options']['jobs']} jobs/threads each.\n")
    L.append(f"Corpus: {r['corpus']['packages']} packages ({len(r['corpus']['missing'])} missing), {c1['files']} source files, {c1['bytes'] / 1e6:.1f} MB at 1x "
             f"(JS/TS {c1['js_files']} files {c1['js_bytes'] / 1e6:.1f} MB, Python {c1['py_files']} files {c1['py_bytes'] / 1e6:.1f} MB). "
             + ("mcpwarden analyses every language it knows (`--all-languages`).\n" if r['options'].get('all_languages') else "mcpwarden analyses the peers' languages only (`--languages typescript,javascript,python`).\n"))
    L.append("| tool | scale | wall s | CPU s | peak RSS MB (largest process / tree) | files | MB | files/s | MB/s | × mcpwarden wall | × mcpwarden CPU |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for x in r["rows"]:
        L.append(f"| {x['label']} | {x['scale'] or ''} | {x['wall_s']:.2f} | {x['cpu_s']:.2f} | {x['peak_rss_mb']:.0f} / {x['peak_tree_rss_mb']:.0f} | {x['files']} | {x['mb']:.1f} | {x['files_per_s']:.0f} | {x['mb_per_s']:.1f} | "
                 f"{x['x_mcpwarden_wall'] if x['x_mcpwarden_wall'] is not None else '–'} | {x['x_mcpwarden_cpu'] if x['x_mcpwarden_cpu'] is not None else '–'} |")
    L.append("\n### Goals (issue 7, and issue 3's speed figure)\n")
    L.append("| goal | value | target | met |")
    L.append("|---|---:|---|---|")
    for g in r["goals"]:
        L.append(f"| {g['goal']} | {g['value']} | {g['target']} | {'yes' if g['met'] else ('–' if g['met'] is None else '**no**')} |")
    L.append("\n### Growth (time relative to 1x)\n")
    L.append("| mode | " + " | ".join(r["growth"]["mcpwarden"].keys()) + " |")
    L.append("|---|" + "---:|" * len(r["growth"]["mcpwarden"]))
    for mode, g in r["growth"].items():
        L.append(f"| {mode} | " + " | ".join(f"{v['wall_s']:.2f} s ({v['x_time']}× wall, {v.get('x_cpu', '–')}× CPU, {v['peak_rss_mb']:.0f} MB)" for v in g.values()) + " |")
    L.append("\n### Agreement with mcpwarden (server-level classes, `part == server`)\n")
    L.append("| peer | server×class pairs | agree | peer only | mcpwarden only | peer-only reasons | mcpwarden-only reasons |")
    L.append("|---|---:|---:|---:|---:|---|---|")
    for p, g in r["agreement"].items():
        po = {k: v for k, v in g["reasons"].items() if k.startswith("mcpwarden:") or k.startswith("mcpwarden skipped") or k.startswith("peer evidence")}
        mo = {k: v for k, v in g["reasons"].items() if k not in po}
        L.append(f"| {p} | {g['pairs']} | {g['agree']} ({g['agree_rate']:.0%}) | {g['peer_only']} | {g['mcpwarden_only']} | "
                 + "; ".join(f"{k} {v}" for k, v in sorted(po.items(), key=lambda kv: -kv[1])) + " | " + "; ".join(f"{k} {v}" for k, v in sorted(mo.items(), key=lambda kv: -kv[1])) + " |")
    for p, g in r["agreement"].items():
        L.append(f"\n**{p}: peer finds, mcpwarden does not count** (first {len(g['peer_only_sample'])} of {g['peer_only']}):\n")
        for d in g["peer_only_sample"]:
            L.append(f"- {d['server']} / {d['class']}: {d['first']} ({d['hits']} hits) — {d['reason']}")
        L.append(f"\n**{p}: mcpwarden counts, peer finds nothing** (first {len(g['mcpwarden_only_sample'])} of {g['mcpwarden_only']}):\n")
        for d in g["mcpwarden_only_sample"]:
            L.append(f"- {d['server']} / {d['class']}: {d['first']} — {d['reason']}")
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    main()
