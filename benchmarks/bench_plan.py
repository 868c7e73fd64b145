"""`trunkline plan` benchmark (issue 12): the arithmetic sweep of every supported type for a
five-definition workload (target < 1 s), and `--simulate` of 10,000 tasks on one type (target
< 30 s).

    .venv/bin/python benchmarks/bench_plan.py                 # both (~1 min)
    .venv/bin/python benchmarks/bench_plan.py --tasks 2000    # a smaller simulation
    .venv/bin/python benchmarks/bench_plan.py --type c5.xlarge

(a) Sweep: `trunkline.plan.run.plan` in process (the task definition files read and checked, the
catalog, the sizing of every type that supports trunking, with trunking on and off, the ranking),
timed `--repeats` times after one untimed warm-up that loads the catalog; the median is the figure.
The same-run baseline is the same sweep for a one-definition workload: the ratio shows what the four
extra definitions cost.

(b) Simulate: the same entry point with `run_simulation=True` on one type, trunking on, one awsvpc
definition (256 CPU units, 512 MiB) of `--tasks` tasks: an in-memory trunkline on a manual clock
(`plan/sandbox.py`: called in process, uncompressed store, no event outbox), the instances the
arithmetic asks for registered by the simulated agent, then RunTask 10 at a time with
spread-by-zone then binpack-memory. Timed once, wall and this process's CPU; the scaling baseline is
a tenth of the tasks in the same run (10 = linear). The before/after baseline is the same
simulation driven as it was before, over HTTP with boto3 against `run_in_thread` on the default
store (`--simulate` with `over_http=True`), also in the same run (`--no-http-baseline` skips it).

The figures depend on the shared machine's load (printed first); exit status 0 whatever they are.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

from common import machine
from trunkline.plan.run import plan, simulate

SWEEP_TARGET, SIMULATE_TARGET = 1.0, 30.0
DEFINITIONS = [
    ("web", "awsvpc", 256, 512, None),
    ("api", "awsvpc", 512, 1024, None),
    ("worker", "bridge", 1024, 2048, None),
    ("edge", "bridge", 256, 256, 8080),
    ("batch", "awsvpc", 2048, 4096, None),
]


def write_definitions(directory: Path) -> list[str]:
    references = []
    for count, (family, mode, cpu, memory, host_port) in enumerate(DEFINITIONS, start=1):
        container: dict[str, object] = {"name": family, "image": "public.ecr.aws/nginx/nginx", "essential": True}
        if host_port:
            container["portMappings"] = [{"containerPort": 80, "hostPort": host_port}]
        document = {
            "family": family,
            "networkMode": mode,
            "cpu": str(cpu),
            "memory": str(memory),
            "containerDefinitions": [container],
        }
        path = directory / f"{family}.json"
        path.write_text(json.dumps(document))
        references.append(f"{path}:{count * 100}")
    return references


def sweep_seconds(references: list[str], repeats: int) -> tuple[float, float, int]:
    """Median wall and CPU seconds of the sweep."""
    _, rows = plan(references, all_supported=True, trunking="both")  # warm-up: the catalog is parsed once
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        _, rows = plan(references, all_supported=True, trunking="both")
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), len(rows)


def simulate_seconds(
    reference: str, instance_type: str, over_http: bool = False
) -> tuple[float, float, dict[str, object]]:
    load, rows = plan([reference], types=[instance_type], trunking="on")
    wall, cpu = time.perf_counter(), time.process_time()
    simulate(rows, load, Console(stderr=True), over_http=over_http)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    (row,) = rows
    simulated = row.simulations[True]
    return (
        wall,
        cpu,
        {**simulated.as_json(), "arithmetic": row.by_mode[True].instances, "differences": row.differences[True]},
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed sweeps (default 7)")
    parser.add_argument("--tasks", type=int, default=10_000, help="tasks to simulate (default 10,000)")
    parser.add_argument("--type", default="m5.4xlarge", help="the simulated type (default m5.4xlarge)")
    parser.add_argument("--no-http-baseline", action="store_true", help="skip the over-HTTP baseline simulation")
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory(prefix="trunkline-bench-plan-") as tmp:
        references = write_definitions(Path(tmp))
        five, five_cpu, types = sweep_seconds(references, args.repeats)
        one, one_cpu, _ = sweep_seconds(references[:1], args.repeats)
        verdict = "met" if five < SWEEP_TARGET else "NOT met"
        print(f"(a) arithmetic sweep, {types} supported types x trunking on/off, 5 definitions: "
              f"median {five * 1000:.1f} ms wall, {five_cpu * 1000:.1f} ms CPU; target < 1 s: {verdict}")  # fmt: skip
        print(f"    baseline, 1 definition: {one * 1000:.1f} ms wall, {one_cpu * 1000:.1f} ms CPU; "
              f"ratio {five / one:.2f}x wall, {five_cpu / one_cpu:.2f}x CPU")  # fmt: skip

        web = Path(tmp) / "sim.json"
        web.write_text(json.dumps({"family": "sim", "networkMode": "awsvpc", "cpu": "256", "memory": "512",
                                   "containerDefinitions": [{"name": "app", "image": "nginx", "essential": True}]}))  # fmt: skip
        small_wall, small_cpu, small = simulate_seconds(f"{web}:{max(args.tasks // 10, 1)}", args.type)
        wall, cpu, result = simulate_seconds(f"{web}:{args.tasks}", args.type)
        verdict = "met" if wall < SIMULATE_TARGET else "NOT met"
        print(f"(b) --simulate {args.tasks} tasks on {args.type}, trunking on: {wall:.1f} s wall, {cpu:.1f} s CPU; "
              f"target < 30 s: {verdict}")  # fmt: skip
        print(f"    {json.dumps(result)}")
        print(f"    baseline, {max(args.tasks // 10, 1)} tasks: {small_wall:.1f} s wall, {small_cpu:.1f} s CPU; "
              f"ratio {wall / small_wall:.1f}x wall, {cpu / max(small_cpu, 1e-9):.1f}x CPU (10x = linear)")  # fmt: skip
        print(f"    baseline run: {json.dumps(small)}")
        if not args.no_http_baseline:
            http_wall, http_cpu, over_http = simulate_seconds(f"{web}:{args.tasks}", args.type, over_http=True)
            same = "same placements" if over_http == result else f"DIFFERENT: {json.dumps(over_http)}"
            print(f"    before (over HTTP with boto3, default store), {args.tasks} tasks: {http_wall:.1f} s wall, "
                  f"{http_cpu:.1f} s CPU; in process / over HTTP {wall / http_wall:.2f}x wall, "
                  f"{cpu / http_cpu:.2f}x CPU; {same}")  # fmt: skip
    sys.stdout.flush()
    os._exit(0)  # the in-memory servers' threads are done; skip interpreter teardown


if __name__ == "__main__":
    raise SystemExit(main())
