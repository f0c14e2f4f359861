#!/usr/bin/env python3
"""Held-out tool-level accuracy of mcpwarden against hand labels.

Usage:
    python3 bench/eval/score.py --cache DIR [--bin PATH] [--labels DIR]
                                [--reports DIR] [--rescan] [--json OUT] [--only NAME,...]

    --cache DIR    folder holding the unpacked packages; each label file names its folder
                   in [server].package_dir (e.g. npm-exa-mcp-server-3.4.1). Default:
                   $MCPWARDEN_EVAL_CACHE, else bench/eval/cache.
    --bin PATH     the mcpwarden binary (default: $MCPWARDEN_BIN, else target/release/mcpwarden).
    --labels DIR   label files, one TOML per server (default: bench/eval/labels beside this file).
    --reports DIR  where each `mcpwarden scan DIR --format json` document is kept
                   (default: CACHE/../reports); reused unless --rescan.
    --json OUT     also write every number and disagreement as JSON.
    --only LIST    score only these label files (stem names, comma-separated).

How to rebuild the cache: see bench/README.md ("Held-out evaluation"). Each label file records
registry, name, version and form; npm packages are `npm pack NAME@VERSION` unpacked into
CACHE/<package_dir>, PyPI sdists `pip download --no-deps --no-binary :all: NAME==VERSION`
unpacked likewise, and source repositories `git archive COMMIT` of the recorded commit.

Label file format (bench/eval/labels/<registry>-<name>.toml):
    [server]  name, registry, version, form, source, package_dir,
              classes = [...]            classes of the server's own shipped code
              via_library = [...]        (optional) classes reached only inside a third-party
                                         library that is not an SDK client
    [tools.NAME] classes = [...], why = "file:line evidence", via_library = [...] (optional)

Scoring:
  * tool level: every labelled tool is matched by name with the tools of the scan (all
    servers of the document merged; duplicate names OR-ed). A labelled tool not found counts
    as predicting no class. Per class TP/FP/FN over all labelled tools; F1 per class;
    macro-F1 = mean over the classes that have at least one labelled or predicted positive
    ("macro(present)") and, as the target states it, over all four classes with a class that
    nobody marks counted as F1 = 1 ("macro(4)").
  * server level: [server].classes against the scan's `resources` (own server code).
  * own-code variant: labels minus `via_library`, so a miss that is only inside a third-party
    library is shown apart.
Exit code 0 always (it is a measurement, not a test); 2 when a package folder is missing.
"""
import argparse
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

CLASSES = ["network", "system", "file", "memory"]
HERE = Path(__file__).resolve().parent


def run_scan(binary, pkg_dir, report_path, rescan):
    if report_path.exists() and not rescan:
        return json.loads(report_path.read_text())
    out = subprocess.run([binary, "scan", str(pkg_dir), "--format", "json"],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"mcpwarden failed on {pkg_dir}: {out.stderr[:500]}")
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(out.stdout)
    return json.loads(out.stdout)


def predicted(doc):
    tools, server = {}, set()
    for srv in doc.get("servers", []):
        for c in CLASSES:
            if srv.get("resources", {}).get(c):
                server.add(c)
        for t in srv.get("tools", []):
            entry = t.get("entry")
            if entry not in (None, "tool"):
                continue
            cur = tools.setdefault(t["name"], {"classes": set(), "handler_found": False,
                                                "where": f'{t.get("file")}:{t.get("line")}'})
            cur["classes"] |= set(t.get("resources", []))
            cur["handler_found"] = cur["handler_found"] or t.get("handler_found", False)
    return tools, server


class Counts:
    def __init__(self):
        self.c = {k: {"tp": 0, "fp": 0, "fn": 0} for k in CLASSES}

    def add(self, truth, pred):
        for k in CLASSES:
            if k in truth and k in pred:
                self.c[k]["tp"] += 1
            elif k in pred:
                self.c[k]["fp"] += 1
            elif k in truth:
                self.c[k]["fn"] += 1

    def prf(self, k):
        tp, fp, fn = self.c[k]["tp"], self.c[k]["fp"], self.c[k]["fn"]
        p = tp / (tp + fp) if tp + fp else None
        r = tp / (tp + fn) if tp + fn else None
        f = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
        return p, r, f

    def macro(self):
        present = [self.prf(k)[2] for k in CLASSES if self.prf(k)[2] is not None]
        four = [f if f is not None else 1.0 for f in (self.prf(k)[2] for k in CLASSES)]
        return (sum(present) / len(present) if present else None, sum(four) / 4)


def fmt(x):
    return "  -  " if x is None else f"{x:.3f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", default=os.environ.get("MCPWARDEN_EVAL_CACHE", os.path.join(os.path.dirname(os.path.abspath(__file__)), "cache")))
    ap.add_argument("--bin", default=os.environ.get("MCPWARDEN_BIN",
                                                    str(HERE.parent.parent / "target/release/mcpwarden")))
    ap.add_argument("--labels", default=str(HERE / "labels"))
    ap.add_argument("--reports")
    ap.add_argument("--rescan", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--only")
    a = ap.parse_args()
    cache = Path(a.cache)
    reports = Path(a.reports) if a.reports else cache.parent / "reports"
    only = set(a.only.split(",")) if a.only else None

    tool_all, tool_own, srv_all, srv_own = Counts(), Counts(), Counts(), Counts()
    labelled = found = 0
    disagreements, per_server, missing = [], [], []
    for lf in sorted(Path(a.labels).glob("*.toml")):
        if only and lf.stem not in only:
            continue
        lab = tomllib.loads(lf.read_text())
        s = lab["server"]
        pkg = cache / s["package_dir"]
        if not pkg.exists():
            missing.append(str(pkg))
            continue
        doc = run_scan(a.bin, pkg, reports / f"{lf.stem}.json", a.rescan)
        ptools, pserver = predicted(doc)
        lower = {k.lower(): k for k in ptools}
        st, sf = 0, 0
        sc = Counts()
        for name, t in lab.get("tools", {}).items():
            truth = set(t["classes"])
            own = truth - set(t.get("via_library", []))
            key = name if name in ptools else lower.get(name.lower())
            st += 1
            if key is not None:
                sf += 1
                pred = ptools[key]["classes"]
            else:
                pred = set()
                disagreements.append((lf.stem, name, "-", "NOT FOUND", sorted(truth)))
            tool_all.add(truth, pred)
            tool_own.add(own, pred)
            sc.add(truth, pred)
            for k in CLASSES:
                if k in pred and k not in truth:
                    disagreements.append((lf.stem, name, k, "FP", ""))
                elif k in truth and k not in pred and key is not None:
                    lib = " (via_library)" if k not in own else ""
                    disagreements.append((lf.stem, name, k, "FN" + lib, ""))
        extra = sorted(set(ptools) - {lower.get(n.lower(), n) for n in lab.get("tools", {})})
        for e in extra:
            disagreements.append((lf.stem, e, "-", "UNLABELLED TOOL IN REPORT", sorted(ptools[e]["classes"])))
        struth = set(s["classes"])
        srv_all.add(struth, pserver)
        srv_own.add(struth - set(s.get("via_library", [])), pserver)
        for k in CLASSES:
            if k in pserver and k not in struth:
                disagreements.append((lf.stem, "[server]", k, "FP", ""))
            elif k in struth and k not in pserver:
                disagreements.append((lf.stem, "[server]", k, "FN", ""))
        labelled += st
        found += sf
        per_server.append({"label": lf.stem, "name": s["name"], "version": s["version"],
                           "tools": st, "found": sf, "macro_present": sc.macro()[0],
                           "server_truth": sorted(struth), "server_pred": sorted(pserver)})

    print("per server")
    print(f'  {"label file":34} {"tools":>5} {"found":>5} {"macroF1":>8}  server label -> scan')
    for r in per_server:
        print(f'  {r["label"]:34} {r["tools"]:5} {r["found"]:5} {fmt(r["macro_present"]):>8}  '
              f'{",".join(r["server_truth"]) or "-"} -> {",".join(r["server_pred"]) or "-"}')
    print()
    for title, cnt in (("tool level (labels as written)", tool_all),
                       ("tool level (own code: labels minus via_library)", tool_own),
                       ("server level", srv_all),
                       ("server level (own code)", srv_own)):
        print(title)
        print(f'  {"class":8} {"TP":>4} {"FP":>4} {"FN":>4} {"P":>6} {"R":>6} {"F1":>6}')
        for k in CLASSES:
            p, r, f = cnt.prf(k)
            c = cnt.c[k]
            print(f'  {k:8} {c["tp"]:4} {c["fp"]:4} {c["fn"]:4} {fmt(p):>6} {fmt(r):>6} {fmt(f):>6}')
        mp, m4 = cnt.macro()
        print(f"  macro-F1(present classes) {fmt(mp)}   macro-F1(4 classes, empty class = 1) {fmt(m4)}")
        print()
    pct = 100.0 * found / labelled if labelled else 0.0
    print(f"tools labelled {labelled}, found by name {found} ({pct:.1f}%)")
    if missing:
        print("missing package folders: " + ", ".join(missing))
    print()
    print("disagreements (label file, tool, class, kind)")
    for d in disagreements:
        extra = f"  {d[4]}" if d[4] else ""
        print(f"  {d[0]:34} {d[1]:32} {d[2]:8} {d[3]}{extra}")

    if a.json:
        def dump(cnt):
            return {k: dict(cnt.c[k], **dict(zip("prf", cnt.prf(k)))) for k in CLASSES} | {
                "macro_present": cnt.macro()[0], "macro_4": cnt.macro()[1]}
        Path(a.json).write_text(json.dumps({
            "tools_labelled": labelled, "tools_found": found, "found_pct": pct,
            "tool_level": dump(tool_all), "tool_level_own_code": dump(tool_own),
            "server_level": dump(srv_all), "server_level_own_code": dump(srv_own),
            "servers": per_server,
            "disagreements": [list(d) for d in disagreements]}, indent=1, default=list))
    return 2 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
