"""Two trunkline trees, one workload: bench_vs_moto's script against a fresh server of each tree,
alternating, in one run; server CPU read from /proc around the script.

    git archive main src | tar -x -C /tmp/base
    .venv/bin/python benchmarks/bench_ab.py --base /tmp/base/src --runs 4

On a shared machine wall times move with other tenants' load: compare the two trees within one
run, never across runs. Each server: `trunkline serve --port 0 --state :memory: --timing fast`,
with PYTHONPATH set to its tree's `src` (the interpreter and dependencies are this one's).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
from pathlib import Path

from common import cpu_seconds, serve_tree

HERE = Path(__file__).resolve().parent
RUNTASKS = ("RunTask (10, bridge)", "RunTask (10, awsvpc)")


def _one(src: str, workload: int) -> dict[str, float]:
    server, url = serve_tree(src)
    try:
        before = cpu_seconds(server.pid)
        script = [sys.executable, str(HERE / "bench_vs_moto.py"), "--trunkline-url", url]
        out = subprocess.run([*script, "--workload", str(workload)], capture_output=True, text=True, check=True).stdout
        used = cpu_seconds(server.pid) - before
    finally:
        server.terminate()
        server.wait()
    row = {"server CPU s": used}
    times = re.search(r"script (\d+) ms, workload (\d+) ms", out)
    assert times is not None, out
    row["script ms"], row["rounds ms"] = float(times.group(1)), float(times.group(2))
    row["set-up ms"] = row["script ms"] - row["rounds ms"]
    waited = re.search(r"waited for ACTIVE (\d+) ms", out)
    if waited is not None:  # older copies of the script did not say
        row["waited for ACTIVE ms"] = float(waited.group(1))
    for name in RUNTASKS:
        median = re.search(re.escape(name) + r": \d+ calls, median ([\d.]+) ms", out)
        assert median is not None, out
        row[f"{name} ms"] = float(median.group(1))
    # Every other call's median too (the set-up's calls, the rounds' reads), after RunTask.
    for name, median_ms in re.findall(r"^  (.+): \d+ calls, median ([\d.]+) ms$", out, re.MULTILINE):
        row.setdefault(f"{name} ms", float(median_ms))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="the baseline tree's src directory")
    parser.add_argument("--new", default=str(HERE.parent / "src"), help="the tree to compare (default: this one)")
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--workload", type=int, default=30, help="workload rounds per script run")
    args = parser.parse_args()
    trees = {"before": args.base, "after": args.new}
    rows: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for i in range(args.runs):
        for name in list(trees) if i % 2 == 0 else list(trees)[::-1]:
            rows[name].append(_one(trees[name], args.workload))
            print(f"run {i + 1}: {name:6} {rows[name][-1]}", flush=True)
    print(f"\n| median of {args.runs} | before | after | after / before |\n| --- | --- | --- | --- |")
    for key in rows["before"][0]:
        if not all(key in r for r in rows["after"]):
            continue
        before = statistics.median(r[key] for r in rows["before"])
        after = statistics.median(r[key] for r in rows["after"])
        print(f"| {key} | {before:,.2f} | {after:,.2f} | {after / before:.2f} |")


if __name__ == "__main__":
    main()
