"""RunTask's CPU in process, without HTTP: bench_vs_moto's setup and rounds through the runtime
(the plan sandbox's client, which validates each call against botocore's model), a SQLite store
in memory as a `--state :memory:` server keeps it (documents as JSON text, events compressed;
`--on-disk`: a SQLite file, everything compressed) and the manual clock, settled after
every call, so each RunTask's figure includes the lifecycle steps it causes (PROVISIONING to
RUNNING, each refreshing its host). CPU time of this process, which another tenant's load
distorts far less than wall time; trees compared alternating, in one run.

    .venv/bin/python benchmarks/bench_runtask_cpu.py                                  # this tree, 3 runs
    git archive main src | tar -x -C /tmp/base
    .venv/bin/python benchmarks/bench_runtask_cpu.py --base /tmp/base/src --runs 4    # main against this tree
    .venv/bin/python benchmarks/bench_runtask_cpu.py --base /tmp/base/src --runs 4 --on-disk   # a state file

Reported per tree: the median over runs of the rounds' CPU, and of the mean CPU per RunTask
count 10 (bridge, awsvpc on trunked instances) with its lifecycle, then of the lifecycle part
alone (the settling after the call: the steps up to RUNNING); and after / before.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RUNTASKS = ("RunTask (10, bridge)", "RunTask (10, awsvpc)")


def _measure(instances: int, rounds: int, on_disk: bool = False) -> dict[str, float]:
    """One run in this process (its `trunkline` is whichever PYTHONPATH gave); `on_disk`: the
    state in a new SQLite file instead of in memory (documents compressed too)."""
    sys.path.insert(0, str(HERE))
    import bench_vs_moto
    from trunkline.plan.sandbox import Client
    from trunkline.runtime import Config, Runtime
    from trunkline.wire import models

    models.load_all()
    folder = tempfile.TemporaryDirectory(prefix="bench-runtask-cpu-")
    runtime = Runtime(Config(state=f"{folder.name}/state.sqlite3" if on_disk else ":memory:", timing="manual"))
    clients = {s: Client(runtime, s) for s in ("ec2", "ecs", "ssm", "iam")}
    cpu: dict[str, list[float]] = defaultdict(list)
    lifecycle: dict[str, list[float]] = defaultdict(list)  # the settling part of `cpu`

    def timer(label: str, call: Callable[..., Any], /, **params: Any) -> Any:
        began = time.process_time()
        answer = call(**params)
        called = time.process_time()
        runtime.settle()  # the lifecycle steps this call caused, counted with it
        cpu[label].append(time.process_time() - began)
        lifecycle[label].append(time.process_time() - called)
        return answer

    try:
        world = bench_vs_moto.setup(clients, timer, instances, runtime.settle)  # type: ignore[arg-type]
        began = time.process_time()
        bench_vs_moto.workload(clients, timer, world, rounds)  # type: ignore[arg-type]
        row = {"rounds CPU ms": (time.process_time() - began) * 1000}
    finally:
        runtime.close()
        folder.cleanup()
    for name in RUNTASKS:
        row[f"{name} CPU ms"] = statistics.fmean(cpu[name]) * 1000
    for name in RUNTASKS:
        row[f"{name} lifecycle CPU ms"] = statistics.fmean(lifecycle[name]) * 1000
    return row


def _one(src: str, instances: int, rounds: int, on_disk: bool) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=src)
    command = [sys.executable, __file__, "--child", "--instances", str(instances), "--rounds", str(rounds)]
    command += ["--on-disk"] if on_disk else []
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    found: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", help="a baseline tree's src directory (compared alternating)")
    parser.add_argument("--new", default=str(HERE.parent / "src"), help="the tree to measure (default: this one)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--instances", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--on-disk", action="store_true", help="the state in a SQLite file, not in memory")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_measure(args.instances, args.rounds, args.on_disk)))
        return
    trees = {"before": args.base, "after": args.new} if args.base else {"this tree": args.new}
    rows: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for i in range(args.runs):
        for name in list(trees) if i % 2 == 0 else list(trees)[::-1]:
            rows[name].append(_one(trees[name], args.instances, args.rounds, args.on_disk))
            print(f"run {i + 1}: {name:9} " + ", ".join(f"{k} {v:.1f}" for k, v in rows[name][-1].items()), flush=True)
    names = list(trees)
    header = " | ".join(names) + (" | after / before" if len(names) == 2 else "")
    print(f"\n| median of {args.runs} | {header} |\n| --- |" + " --- |" * (len(names) + (len(names) == 2)))
    for key in rows[names[0]][0]:
        medians = [statistics.median(r[key] for r in rows[name]) for name in names]
        ratio = f" | {medians[1] / medians[0]:.2f}" if len(medians) == 2 else ""
        print(f"| {key} | " + " | ".join(f"{m:,.1f}" for m in medians) + f"{ratio} |")


if __name__ == "__main__":
    main()
