"""Two trunkline trees, one seeded workload: do clients see the same thing? For changes meant to
be invisible (a cheaper path to the same answers), next to `bench_runtask_cpu.py`'s figures.

    git archive main src | tar -x -C /tmp/base
    .venv/bin/python benchmarks/same_answers.py --base /tmp/base/src

Each tree runs, in a child process with PYTHONPATH set to its `src`, bench_vs_moto's setup and
`--rounds` rounds (RunTask count 10 bridge and awsvpc on trunked instances, the manual clock
settled after every call), then StopTask on `--stop` tasks and a last settle. Randomness is
seeded (the system's random bytes, which ids come from, and placement's random draws), so both
trees draw the same ids and hosts as long as they consume random bytes alike (event ids are drawn
as `uuid.uuid4()` in both). Compared: every event in the outbox, in order, with its detail, and
every container instance and task as DescribeContainerInstances and DescribeTasks show them,
ids and times replaced by tokens in order of first appearance.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
_TOKENS = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}"
    r"|\b(?:i|eni|subnet|vpc|sg|ami|attach|trunk-assoc|eni-attach|acl|rtb|igw)-[0-9a-f]{8,17}\b"
    r"|\d{4}-\d\d-\d\dT[\d:.]+Z|\b1[78]\d{8}(?:\.\d+)?\b|10\.0\.\d+\.\d+|ip-10-0-\d+-\d+"
    r"|(?:[0-9a-f]{2}:){5}[0-9a-f]{2}"
)


def _seed() -> None:
    """Before trunkline is imported: every random byte and every placement draw from seeds."""
    drawn = random.Random(11)
    os.urandom = drawn.randbytes  # ids, uuid4, secrets
    import uuid

    from trunkline.domain import events
    from trunkline.domain.ecs import placement

    if hasattr(events, "event_id"):  # drawn as the older trees draw them, so ids stay aligned
        events.event_id = lambda: str(uuid.uuid4())  # type: ignore[attr-defined, unused-ignore]
    draws = random.Random(7)

    class _Seeded:
        Random = staticmethod(lambda *_: draws)

    placement.random = _Seeded  # type: ignore[assignment]


def _answers(instances: int, rounds: int, stop: int) -> str:
    _seed()
    sys.path.insert(0, str(HERE))
    import bench_vs_moto
    from trunkline.plan.sandbox import Client
    from trunkline.runtime import Config, Runtime
    from trunkline.wire import models

    models.load_all()
    runtime = Runtime(Config(state=":memory:", timing="manual"))
    clients = {s: Client(runtime, s) for s in ("ec2", "ecs", "ssm", "iam")}
    ecs, cluster = clients["ecs"], bench_vs_moto.CLUSTER

    def settled(label: str, call: Any, /, **params: Any) -> Any:
        answer = call(**params)
        runtime.settle()
        return answer

    try:
        world = bench_vs_moto.setup(clients, settled, instances, runtime.settle)  # type: ignore[arg-type]
        bench_vs_moto.workload(clients, settled, world, rounds)  # type: ignore[arg-type]
        arns: list[str] = []
        page: dict[str, Any] = {}
        while True:
            listed = ecs.list_tasks(cluster=cluster, **page)
            arns += listed["taskArns"]
            if not listed.get("nextToken"):
                break
            page = {"nextToken": listed["nextToken"]}
        arns.sort()
        for arn in arns[:stop]:
            ecs.stop_task(cluster=cluster, task=arn)
        runtime.settle()
        outbox = runtime.store.run(lambda tx: tx.events_after(0, 1_000_000))
        hosts = ecs.describe_container_instances(cluster=cluster, containerInstances=world["arns"])
        tasks: list[Any] = []
        for start in range(0, len(arns), 100):
            tasks += ecs.describe_tasks(cluster=cluster, tasks=arns[start : start + 100])["tasks"]
    finally:
        runtime.close()
    seen = {
        "events": [getattr(e, "body", e) for e in outbox],
        "containerInstances": hosts["containerInstances"],
        "tasks": tasks,
    }
    text = json.dumps(seen, sort_keys=True, indent=1, default=str)
    tokens: dict[str, str] = {}
    return _TOKENS.sub(lambda m: tokens.setdefault(m.group(0), f"<{len(tokens)}>"), text)


def _run(src: str, args: argparse.Namespace) -> str:
    command = [sys.executable, __file__, "--child", "--instances", str(args.instances)]
    command += ["--rounds", str(args.rounds), "--stop", str(args.stop)]
    env = dict(os.environ, PYTHONPATH=src)
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", help="the baseline tree's src directory (required)")
    parser.add_argument("--new", default=str(HERE.parent / "src"), help="the tree to compare (default: this one)")
    parser.add_argument("--instances", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--stop", type=int, default=15, help="tasks stopped after the rounds")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.stdout.write(_answers(args.instances, args.rounds, args.stop))
        return
    if not args.base:
        parser.error("--base is required")
    before, after = _run(args.base, args), _run(args.new, args)
    events = before.count('"detail-type"')
    if before == after:
        print(f"same answers: {events} events, every container instance and task")
        return
    lines = zip(before.splitlines(), after.splitlines(), strict=False)
    first = next((n for n, (a, b) in enumerate(lines) if a != b), None)
    print(f"answers differ (first at line {first}):")
    for name, text in (("base", before), ("new", after)):
        print(f"--- {name}")
        print("\n".join(text.splitlines()[max(0, (first or 0) - 5) : (first or 0) + 5]))
    sys.exit(1)


if __name__ == "__main__":
    main()
