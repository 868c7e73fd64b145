"""State size per live task (issue 13, "Growth"): how many bytes the store holds per task that is
running, and where they are (documents by kind, index entries, the event outbox).

    .venv/bin/python benchmarks/bench_state_size.py                 # 30 instances, 600 tasks (~1 min)
    .venv/bin/python benchmarks/bench_state_size.py --instances 100 --tasks 2000
    PYTHONPATH=/path/to/other/src .venv/bin/python benchmarks/bench_state_size.py   # another tree, same figures
    .venv/bin/python benchmarks/bench_state_size.py --keep /tmp/state.sqlite        # keep the state to look into

One `trunkline serve --timing manual` on a new SQLite file. Container instances registered by the
simulated agent (c5.xlarge/m5.2xlarge with awsvpcTrunking, as in bench_placement_scale), then
awsvpc tasks by RunTask (count 10, binpack memory), settled until RUNNING. The store is measured
by SQLite's dbstat (bytes of each table and index, pages included) after the instances, and
again after the tasks: the difference over the number of tasks is the state per live task. The
outbox is reported separately too: retention bounds it (by count, 100,000 by default), whatever
the number of tasks. Exit status 0 whatever the figures are.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from pathlib import Path

import bench_ecs_instances as instances
import bench_placement_scale as placement
from common import Client, machine, start, stop

FAMILY = "bench-size"


def sizes(path: Path) -> dict[str, int]:
    """Bytes on disk per table or index (SQLite's dbstat), plus the documents' JSON by kind."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        out = {name: int(size) for name, size in db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")}
        for kind, size in db.execute("SELECT kind, SUM(LENGTH(body)) FROM documents GROUP BY kind"):
            out[f"json:{kind}"] = int(size)
        out["json:events"] = int(db.execute("SELECT COALESCE(SUM(LENGTH(body)), 0) FROM events").fetchone()[0])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=30)
    parser.add_argument("--tasks", type=int, default=600)
    parser.add_argument("--keep", metavar="PATH", help="write the state here and keep it (to look into it)")
    args = parser.parse_args()
    instances.INSTANCE_TYPES = ("c5.xlarge", "m5.2xlarge")  # type: ignore[assignment]  # two types suffice here
    instances.ROLES = (instances.ROLES[0], instances.ROLES[0])
    print(machine())
    with tempfile.TemporaryDirectory(prefix="trunkline-bench-size-") as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "state.sqlite3"
        server = start(str(path))
        try:
            client = Client(server.url, timeout=3600)
            world = placement._setup(client)
            client.ecs(
                "RegisterTaskDefinition",
                family=FAMILY,
                networkMode="awsvpc",
                containerDefinitions=[{"name": "app", "image": "nginx", "cpu": 64, "memory": 128}],
            )
            instances.grow(client, world, args.instances)
            client.raw("GET", "/_trunkline/state/digest")  # a read: the WAL is checkpointed below
            before = sizes(path)
            placed = 0
            network = {"awsvpcConfiguration": {"subnets": world.subnets}}
            while placed < args.tasks:
                answer = client.ecs(
                    "RunTask",
                    cluster=instances.CLUSTER,
                    taskDefinition=FAMILY,
                    count=min(10, args.tasks - placed),
                    networkConfiguration=network,
                    placementStrategy=[{"type": "binpack", "field": "memory"}],
                )
                if answer["failures"]:
                    raise SystemExit(f"RunTask failed to place: {answer['failures'][:2]}")
                placed += len(answer["tasks"])
            client.settle()
            after = sizes(path)
        finally:
            stop(server)
    print(f"{world.registered} container instances, {placed} awsvpc tasks RUNNING; SQLite file, --timing manual\n")
    names = sorted(set(before) | set(after), key=lambda n: -(after.get(n, 0) - before.get(n, 0)))
    print(f"{'table, index or JSON by kind':<40} {'bytes per task':>15}")
    for name in names:
        grown = after.get(name, 0) - before.get(name, 0)
        if grown:
            print(f"  {name:<38} {grown / placed:>15.0f}")
    stored = [n for n in after if not n.startswith("json:")]
    total = sum(after[n] - before.get(n, 0) for n in stored)
    outbox = sum(after.get(n, 0) - before.get(n, 0) for n in ("events", "events_by_at"))
    print(
        f"\nstore per live task: {total / placed:.0f} bytes (target < 5,000), of which the event outbox {outbox / placed:.0f}"
    )
    print(f"without the outbox (bounded by retention): {(total - outbox) / placed:.0f} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
