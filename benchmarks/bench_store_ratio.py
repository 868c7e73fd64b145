"""PostgreSQL against SQLite (issue 16, item 2): RunTask of 10 tasks, bridge and awsvpc, on trunked
container instances, timed against both stores in one run; target: PostgreSQL at most 1.5x SQLite.

    .venv/bin/python benchmarks/bench_store_ratio.py --database postgresql://postgres:postgres@127.0.0.1:5432/trunkline_test
    .venv/bin/python benchmarks/bench_store_ratio.py --database ... --rounds 60 --instances 40
    .venv/bin/python benchmarks/bench_store_ratio.py --database ... --statements   # statements per RunTask

Two `trunkline serve --timing manual` processes, one on a new SQLite file and one on a new schema of
`--database`, each set up alike: one VPC with three subnets, an instance role opted in to
`awsvpcTrunking`, `--instances` c5.xlarge container instances registered by the simulated agent
(so each has a trunk ENI), and two task definitions (`bridge` and `awsvpc`, 64 CPU units and
128 MiB each). Then `--rounds` rounds, each calling on both servers, in an order that rotates
from round to round: GET /_trunkline/health (the baseline), RunTask count 10 bridge, RunTask
count 10 awsvpc over the three subnets (binpack memory both). The clock is not advanced, so the
tasks stay PROVISIONING and the cluster fills alike on both stores. Reported per store and kind:
the median, the median minus health (the server's own work); the ratio PostgreSQL / SQLite of the
server's own work is what the target is judged on (the stricter of the two ratios).

`--statements` instead runs both stores in this process (`server.run_in_thread`) and counts, per
RunTask, the SQL statements and the ones whose answer was waited for (on PostgreSQL, a round
trip each; the others travel in the pipeline with the next one), by store method.

Exit status 0 whatever the figures are; the machine's load (`uptime`) is printed with them.
"""

from __future__ import annotations

import argparse
import functools
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import bench_ecs_instances as instances
import bench_placement_scale as placement
from common import HEALTH, Client, interleaved_medians, machine, start, stop

TARGET = 1.5
KINDS = ("bridge", "awsvpc")


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


# --- a schema per run -------------------------------------------------------------------------------


def new_schema(database: str) -> str:
    import psycopg

    name = "bench_ratio_" + uuid.uuid4().hex[:10]
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    separator = "&" if "?" in database else "?"
    return f"{database}{separator}options=-csearch_path%3D{name}"


def drop_schema(database: str, state: str) -> None:
    import psycopg

    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {state.rsplit('%3D', 1)[1]} CASCADE")


@contextmanager
def states(database: str) -> Iterator[dict[str, str]]:
    """`{"SQLite": file, "PostgreSQL": url}`, both new, removed afterwards."""
    schema = new_schema(database)
    try:
        with tempfile.TemporaryDirectory(prefix="trunkline-bench-ratio-") as tmp:
            yield {"SQLite": str(Path(tmp) / "state.sqlite3"), "PostgreSQL": schema}
    finally:
        drop_schema(database, schema)


# --- the workload -----------------------------------------------------------------------------------


def setup(client: Client, count: int) -> Callable[[str], None]:
    """The world (see the module's doc); returns `run_task(kind)`."""
    instances.INSTANCE_TYPES = ("c5.xlarge",) * 3  # the module cycles through three types: all the same here
    instances.ROLES = (instances.ROLES[0], instances.ROLES[0])  # every instance trunked
    world = placement._setup(client)
    instances.grow(client, world, count)
    if world.registered != count:
        raise SystemExit(f"{world.registered} of {count} instances registered")
    for kind in KINDS:
        client.ecs(
            "RegisterTaskDefinition",
            family=f"ratio-{kind}",
            networkMode=kind,
            containerDefinitions=[{"name": "app", "image": "nginx", "cpu": 64, "memory": 128}],
        )
    network = {"awsvpcConfiguration": {"subnets": world.subnets}}

    def run_task(kind: str) -> None:
        extra = {"networkConfiguration": network} if kind == "awsvpc" else {}
        answer = client.ecs(
            "RunTask",
            cluster=instances.CLUSTER,
            taskDefinition=f"ratio-{kind}",
            count=10,
            placementStrategy=[{"type": "binpack", "field": "memory"}],
            **extra,
        )
        if answer["failures"] or len(answer["tasks"]) != 10:
            raise SystemExit(f"RunTask {kind} did not place 10 tasks: {answer['failures'][:2]}")

    return run_task


def measure(args: argparse.Namespace) -> None:
    with states(args.database) as paths:
        servers = {store: start(path) for store, path in paths.items()}
        try:
            calls: dict[str, Callable[[], object]] = {}
            for store, server in servers.items():
                began = time.perf_counter()
                client = Client(server.url, timeout=3600)
                run_task = setup(client, args.instances)
                print(f"{store}: {args.instances} instances registered in {time.perf_counter() - began:.1f} s")
                calls[f"{store} {HEALTH}"] = client.health
                for kind in KINDS:
                    calls[f"{store} {kind}"] = functools.partial(run_task, kind)
            print(uptime())
            medians = interleaved_medians(calls, args.rounds, args.warmup)
            print(uptime() + "\n")
        finally:
            for server in servers.values():
                stop(server)
    _report(medians)


def _report(medians: dict[str, float]) -> None:
    print(f"{'':10} {'health':>8} {'RunTask bridge':>15} {'own work':>9} {'RunTask awsvpc':>15} {'own work':>9}")
    own: dict[tuple[str, str], float] = {}
    for store in ("SQLite", "PostgreSQL"):
        base = medians[f"{store} {HEALTH}"]
        row = f"{store:10} {base * 1000:6.2f}ms"
        for kind in KINDS:
            call = medians[f"{store} {kind}"]
            own[store, kind] = call - base
            row += f" {call * 1000:13.1f}ms {(call - base) * 1000:7.1f}ms"
        print(row)
    for kind in KINDS:
        whole = medians[f"PostgreSQL {kind}"] / medians[f"SQLite {kind}"]
        work = own["PostgreSQL", kind] / own["SQLite", kind]
        verdict = "met" if max(whole, work) <= TARGET else "NOT met"
        print(
            f"RunTask {kind}: PostgreSQL / SQLite x{whole:.2f} end to end, x{work:.2f} server work "
            f"(target <= {TARGET}: {verdict})"
        )


# --- counting statements ----------------------------------------------------------------------------


def count_statements(args: argparse.Namespace) -> None:
    """Both stores in this process, every statement counted by the store method that sent it."""
    from trunkline.runtime import Config
    from trunkline.server import run_in_thread
    from trunkline.store import postgres, sql

    waited: Counter[str] = Counter()
    queued: Counter[str] = Counter()
    counting = [False]

    def counted(original: Callable[..., Any], tally: Counter[str]) -> Callable[..., Any]:
        def wrapper(self: Any, statement: str, params: Any = ()) -> Any:
            if counting[0]:
                tally[statement.split(" (", 1)[0].split(" WHERE", 1)[0][:60]] += 1
            return original(self, statement, params)

        return wrapper

    sql.SqlTransaction._q = counted(sql.SqlTransaction._q, waited)  # type: ignore[method-assign]
    postgres._PgTransaction._send = counted(postgres._PgTransaction._send, queued)  # type: ignore[method-assign]
    with states(args.database) as paths:
        for store, path in paths.items():
            config = Config(state=path, timing="manual", vcpu_quota=100_000_000, eni_quota=100_000_000)
            with run_in_thread(config) as url:
                run_task = setup(Client(url, timeout=3600), args.instances)
                for kind in KINDS:
                    run_task(kind)  # untimed: the first call of a kind reads more (caches, ...)
                    waited.clear()
                    queued.clear()
                    counting[0] = True
                    for _ in range(args.samples):
                        run_task(kind)
                    counting[0] = False
                    n = args.samples
                    print(
                        f"{store}, RunTask {kind} (count 10): {sum(waited.values()) / n:.0f} statements waited for, "
                        f"{sum(queued.values()) / n:.0f} queued"
                    )
                    for statement, times in (waited + queued).most_common(12):
                        print(f"  {times / n:6.1f}  {statement}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True, help="a postgresql:// URL (a new schema is made in it)")
    parser.add_argument("--instances", type=int, default=30, help="trunked c5.xlarge container instances (30)")
    parser.add_argument("--rounds", type=int, default=30, help="timed rounds (30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first (3)")
    parser.add_argument("--statements", action="store_true", help="count statements per RunTask instead")
    parser.add_argument("--samples", type=int, default=5, help="RunTask calls counted per kind (--statements)")
    args = parser.parse_args()
    print(machine())
    print(uptime())
    print(
        f"RunTask count 10 (bridge; awsvpc over 3 subnets), binpack memory, {args.instances} trunked c5.xlarge; "
        "SQLite file and PostgreSQL, --timing manual\n"
    )
    if args.statements:
        count_statements(args)
    else:
        measure(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
