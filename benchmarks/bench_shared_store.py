"""Several processes on one PostgreSQL (issue 13): throughput with 1, 2 and 4 `trunkline serve`
processes on one database under 16 concurrent clients, with invariants checked and 5xx counted.

    .venv/bin/python benchmarks/bench_shared_store.py --database postgresql://postgres:postgres@127.0.0.1:5432/trunkline_test
    .venv/bin/python benchmarks/bench_shared_store.py --database ... --processes 1 2 --seconds 10   # quicker

Per configuration: a new schema on the database; one process (`--timing fast`) sets up 4 clusters
of 3 container instances each (c5.xlarge, registered by the simulated agent) and a bridge task
definition; then the other processes start on the same schema. 16 client threads, 4 per
cluster, each with its own keep-alive connection to one process (round robin), loop for
`--seconds`: RunTask (count 1, binpack memory) then StopTask of the task it placed. Throughput
= completed RunTask+StopTask pairs per second. Every answer's status is counted (5xx must be 0;
throttling 400s are reported and the client retries after a short pause, as SDKs do). Each
process's retried transactions (conflicts and lost connections, `storeRetries` in its health) are
reported per round, and `uptime` before each configuration.

Invariants, once the clients stop and every task has reached STOPPED: each container instance's
remaining CPU and memory equal its registered ones (nothing leaked or double-freed), no task
RUNNING, and every RunTask that answered a task is accounted for (placed = stopped).

Where the CPU goes, per round: the server processes, their PostgreSQL backends (found by the
`application_name` each run gives its connections), the client threads (this process) and the
rest of the machine, from /proc (`cpu_split.py`); at the end, the throughput this machine's
cores allow at each configuration's CPU cost per pair, as a ratio to one process: the bound on
what the configuration could measure here.

Exit status 0 whatever the figures are; the machine's load is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import bench_ecs_instances as instances
import bench_placement_scale as placement
import cpu_split
from common import Client, Server, machine, start, stop

CLUSTERS = 4
CLIENTS = 16
INSTANCES_PER_CLUSTER = 3
FAMILY = "bench-shared"


@dataclass
class Tally:
    pairs: int = 0
    placed: int = 0
    stopped: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    throttled: int = 0
    unplaced: Counter[str] = field(default_factory=Counter)  # RunTask failures by reason (placed nothing)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Caller(Client):
    """A client that counts answers instead of failing on the first non-200."""

    def __init__(self, url: str, tally: Tally) -> None:
        super().__init__(url, timeout=120)
        self.tally = tally

    def call(self, operation: str, **params: Any) -> tuple[int, Any]:
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"AmazonEC2ContainerServiceV20141113.{operation}",
            **self._auth("ecs"),
        }
        self.conn.request("POST", "/", body=json.dumps(params).encode(), headers=headers)
        response = self.conn.getresponse()
        payload = json.loads(response.read() or b"{}")
        with self.tally.lock:
            self.tally.statuses[response.status] += 1
            if response.status == 400 and "Throttling" in str(payload.get("__type", "")):
                self.tally.throttled += 1
        return response.status, payload


def _schema(database: str) -> tuple[str, str]:
    """A new schema; returns its name and the servers' URL for it. The URL names the connections
    after the schema (`application_name`), so that their PostgreSQL backends can be found."""
    import psycopg

    name = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    separator = "&" if "?" in database else "?"
    return name, f"{database}{separator}options=-csearch_path%3D{name}&application_name={name}"


def _drop(database: str, name: str) -> None:
    import psycopg

    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {name} CASCADE")


def _setup(url: str) -> list[str]:
    """Four clusters of container instances, registered by the agent; returns the cluster names."""
    client = Client(url, timeout=3600)
    world = placement._setup(client)
    names = [f"shared-{i}" for i in range(CLUSTERS)]
    import base64

    for name in names:
        client.ecs("CreateCluster", clusterName=name)
        script = f"#!/bin/bash\necho ECS_CLUSTER={name} >> /etc/ecs/ecs.config\n"
        client.ec2(
            "RunInstances",
            ImageId=world.image,
            InstanceType="c5.xlarge",
            MinCount=INSTANCES_PER_CLUSTER,
            MaxCount=INSTANCES_PER_CLUSTER,
            SubnetId=world.subnets[0],
            UserData=base64.b64encode(script.encode()).decode(),
            **{"IamInstanceProfile.Name": instances.ROLES[0]},
        )
    client.ecs(
        "RegisterTaskDefinition",
        family=FAMILY,
        networkMode="bridge",
        containerDefinitions=[{"name": "app", "image": "nginx", "cpu": 64, "memory": 128}],
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        clusters = client.ecs("DescribeClusters", clusters=names)["clusters"]
        if all(c["registeredContainerInstancesCount"] == INSTANCES_PER_CLUSTER for c in clusters):
            return names
        time.sleep(0.5)
    raise SystemExit("the container instances did not register within 300 s")


def _client_loop(url: str, cluster: str, tally: Tally, until: float) -> None:
    caller = _Caller(url, tally)
    while time.monotonic() < until:
        status, answer = caller.call(
            "RunTask",
            cluster=cluster,
            taskDefinition=FAMILY,
            count=1,
            placementStrategy=[{"type": "binpack", "field": "memory"}],
        )
        if status != 200 or not answer.get("tasks"):
            with tally.lock:
                for failure in answer.get("failures") or []:
                    tally.unplaced[str(failure.get("reason"))] += 1
            time.sleep(0.05)  # throttled or no room: back off a little, as an SDK would
            continue
        with tally.lock:
            tally.placed += 1
        arn = answer["tasks"][0]["taskArn"]
        while True:
            status, _ = caller.call("StopTask", cluster=cluster, task=arn)
            if status == 200:
                break
            time.sleep(0.05)
        with tally.lock:
            tally.stopped += 1
            tally.pairs += 1


def _check(url: str, clusters: list[str], tally: Tally) -> list[str]:
    """The invariants, once every task has stopped (waited for, up to 120 s); returns what is violated."""
    client = Client(url, timeout=600)
    deadline = time.monotonic() + 120
    while True:
        problems = _unbalanced(client, clusters)
        if not problems or time.monotonic() > deadline:
            break
        time.sleep(1)
    if tally.placed != tally.stopped:
        problems.append(f"placed {tally.placed} tasks but stopped {tally.stopped}")
    return problems


def _unbalanced(client: Client, clusters: list[str]) -> list[str]:
    problems: list[str] = []
    for cluster in clusters:
        arns = client.ecs("ListContainerInstances", cluster=cluster)["containerInstanceArns"]
        described = client.ecs("DescribeContainerInstances", cluster=cluster, containerInstances=arns)
        for ci in described["containerInstances"]:
            registered = {r["name"]: r.get("integerValue") for r in ci["registeredResources"]}
            remaining = {r["name"]: r.get("integerValue") for r in ci["remainingResources"]}
            for resource in ("CPU", "MEMORY"):
                if remaining[resource] != registered[resource]:
                    problems.append(
                        f"{ci['ec2InstanceId']}: {resource} {remaining[resource]} of {registered[resource]} left"
                    )
            if ci["runningTasksCount"] or ci["pendingTasksCount"]:
                problems.append(f"{ci['ec2InstanceId']}: tasks still counted on it")
    return problems


def _health(url: str) -> dict[str, Any]:
    """The process's health: `storeRetries`, the transactions it ran again after a conflict or a
    lost connection, and `storeWaits`, where its writing connections' time went."""
    client = Client(url, timeout=60)
    client.conn.request("GET", "/_trunkline/health")
    return dict(json.loads(client.conn.getresponse().read()))


def _waits(before: list[dict[str, Any]], after: list[dict[str, Any]], pairs: int, wall: float) -> str:
    """The processes' store waits during the run added up, per pair (ms) and as a share of the wall time."""
    if not all("storeWaits" in health for health in after):
        return "store waits: not reported by this trunkline (no storeWaits in its health)"
    total: Counter[str] = Counter()
    for health in after:
        total.update(health.get("storeWaits", {}))
    for health in before:
        total.subtract(health.get("storeWaits", {}))
    n = max(pairs, 1)
    return (
        f"store, per pair: busy {1000 * total['busySeconds'] / n:.1f} ms (of which waiting for a lock "
        f"{1000 * total['lockWaitSeconds'] / n:.1f}, pausing to retry {1000 * total['retryPauseSeconds'] / n:.1f}), "
        f"{total['sessionsOpened'] / n:.3f} sessions opened, {total['repeatableRead'] / n:.2f} transactions begun "
        f"under REPEATABLE READ ({total['repeatableReadRunAgain'] / n:.2f} run again SERIALIZABLE), "
        f"{total['transactionsBegun'] / n:.2f} transactions begun in all, {total['roundTrips'] / n:.1f} round trips, "
        f"{total['leftLocked'] / n:.2f} reconciler chunks left to a lock's holder; "
        f"writers busy {total['busySeconds'] / wall:.2f} of {len(after)} process(es)' wall time"
    )


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def run(database: str, processes: int, seconds: float) -> dict[str, Any]:
    schema, state = _schema(database)
    servers: list[Server] = []
    try:
        servers.append(start(state, "--timing", "fast"))
        clusters = _setup(servers[0].url)
        servers += [start(state, "--timing", "fast") for _ in range(processes - 1)]
        tally = Tally()
        until = time.monotonic() + seconds
        load_before = os.getloadavg()[0]
        threads = [
            threading.Thread(
                target=_client_loop, args=(servers[i % processes].url, clusters[i % CLUSTERS], tally, until)
            )
            for i in range(CLIENTS)
        ]
        server_pids = [server.process.pid for server in servers]
        sampler = cpu_split.BackendSampler(database, schema).start()
        healths_before = [_health(server.url) for server in servers]
        before = cpu_split.snapshot(server_pids, [])
        before.backends = dict(sampler.last)
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
        after = cpu_split.snapshot(server_pids, [])
        after.backends = sampler.stop()
        cpu = cpu_split.between(before, after, elapsed)
        healths = [_health(server.url) for server in servers]  # before the check's own calls
        problems = _check(servers[0].url, clusters, tally)
        retries = [int(h.get("storeRetries", -1)) for h in healths]
        return {
            "processes": processes,
            "pairs_per_s": tally.pairs / elapsed,
            "pairs": tally.pairs,
            "statuses": dict(tally.statuses),
            "throttled": tally.throttled,
            "unplaced": dict(tally.unplaced),
            "five_xx": sum(n for s, n in tally.statuses.items() if s >= 500),
            "violations": problems,
            "retries": retries,
            "waits": _waits(healths_before, healths, tally.pairs, elapsed),
            "cpu": cpu,
            "load": (load_before, os.getloadavg()[0]),
        }
    finally:
        for server in servers:
            stop(server)
        _drop(database, schema)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True, help="a postgresql:// URL (a schema is created per run)")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every configuration (median reported)")
    args = parser.parse_args()
    print(machine())
    print(
        f"{CLIENTS} clients over {CLUSTERS} clusters of {INSTANCES_PER_CLUSTER} c5.xlarge; RunTask+StopTask pairs; "
        f"{args.seconds:.0f} s per configuration; PostgreSQL, --timing fast\n"
    )
    # The machine is shared: configurations take turns, round after round, and each is reported by
    # its median round, next to the load average around it.
    rounds: dict[int, list[dict[str, Any]]] = {n: [] for n in args.processes}
    for _ in range(args.rounds):
        for n in args.processes:
            print(_uptime(), flush=True)
            rounds[n].append(run(args.database, n, args.seconds))
            r = rounds[n][-1]
            print(
                f"  {n} process(es): {r['pairs_per_s']:.1f} pairs/s, 5xx {r['five_xx']}, throttled {r['throttled']}, "
                f"violations {len(r['violations'])}, retried per process {r['retries']}, "
                f"RunTask placed nothing {sum(r['unplaced'].values())} ({r['unplaced'] or 'no failures'})",
                flush=True,
            )
            print("    " + r["cpu"].describe(r["pairs"]), flush=True)
            print("    " + r["waits"], flush=True)
    print(_uptime() + "\n")
    medians = {n: sorted(rs, key=lambda r: r["pairs_per_s"])[len(rs) // 2] for n, rs in rounds.items()}
    base = medians[args.processes[0]]["pairs_per_s"] or float("nan")
    for n, rs in rounds.items():
        r = medians[n]
        print(
            f"{n} process(es): median {r['pairs_per_s']:.1f} pairs/s (x{r['pairs_per_s'] / base:.2f}); rounds "
            + ", ".join(f"{x['pairs_per_s']:.1f}" for x in rs)
            + f"; 5xx {sum(x['five_xx'] for x in rs)}, throttled {sum(x['throttled'] for x in rs)}, "
            f"invariant violations {sum(len(x['violations']) for x in rs)}, "
            f"load {min(x['load'][0] for x in rs):.1f}-{max(x['load'][1] for x in rs):.1f}"
        )
        print("    retried transactions per process, by round: " + "; ".join(str(x["retries"]) for x in rs))
        retried = sum(sum(x["retries"]) for x in rs) / max(sum(x["pairs"] for x in rs), 1)
        print(f"    {retried:.2f} retried transactions per pair; median round's " + r["cpu"].describe(r["pairs"]))
        print("    median round's " + r["waits"])
        for x in rs:
            for problem in x["violations"][:5]:
                print(f"    {problem}")
    print(_bound(medians, args.processes[0]))
    print(_paired(rounds, args.processes[0]))
    print(_verdict(medians, rounds, args.processes[0]))
    return 0


def _verdict(medians: dict[int, dict[str, Any]], rounds: dict[int, list[dict[str, Any]]], first: int) -> str:
    """Issue 13's target, read off this run: 2 processes at least 1.6x the first configuration's
    median throughput, with no 5xx and no invariant violation in any round."""
    if 2 not in medians or first == 2:
        return "Target (2 processes >= x1.60 of 1): not measured in this run"
    ratio = medians[2]["pairs_per_s"] / (medians[first]["pairs_per_s"] or float("nan"))
    clean = all(x["five_xx"] == 0 and not x["violations"] for rs in rounds.values() for x in rs)
    met = ratio >= 1.6 and clean
    return (
        f"Target (2 processes >= x1.60 of {first}, 0 5xx, 0 invariant violations): "
        f"x{ratio:.2f}, {'clean' if clean else 'NOT clean'}: {'met' if met else 'NOT met'} "
        "(ratios are only meaningful when 'other' CPU above stayed near 0)"
    )


def _paired(rounds: dict[int, list[dict[str, Any]]], first: int) -> str:
    """Each round against the first configuration's round of the same turn (a minute apart at
    most, so both ran on much the same machine), and the median of those ratios: on a machine
    whose speed drifts from minute to minute, steadier than the ratio of the medians."""
    parts = []
    for n, rs in rounds.items():
        if n == first:
            continue
        ratios = [x["pairs_per_s"] / (y["pairs_per_s"] or float("nan")) for x, y in zip(rs, rounds[first], strict=True)]
        shown = ", ".join(f"x{ratio:.2f}" for ratio in ratios)
        parts.append(f"{n} process(es) {shown}; median x{statistics.median(ratios):.2f}")
    return f"Paired by round, against {first} process(es) in the same turn: " + "; ".join(parts)


def _bound(medians: dict[int, dict[str, Any]], first: int) -> str:
    """What this machine's cores allow: at each configuration's CPU cost per pair, all cores
    busy with nothing else running, how many pairs a second, as a ratio to the first
    configuration's throughput. A ratio measured above it is impossible; one below it is lost to
    waiting (locks, round trips, a single process's one thread) or to other work on the machine."""
    base = medians[first]["pairs_per_s"] or float("nan")
    parts = []
    for n, r in medians.items():
        ceiling = r["cpu"].ceiling(r["pairs"])
        parts.append(f"{n} process(es) at most {ceiling:.1f} pairs/s (x{ceiling / base:.2f})")
    cores = medians[first]["cpu"].cores
    return f"Bound by {cores} cores at each configuration's CPU per pair, against {first} process(es): " + "; ".join(
        parts
    )


if __name__ == "__main__":
    raise SystemExit(main())
