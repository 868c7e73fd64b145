"""A task's lifecycle steps and its host: a step that moves nothing the host's counts or resources
see of the task (an awsvpc task's PROVISIONING -> PENDING -> ACTIVATING, a stopping task's
DEACTIVATING -> STOPPING -> DEPROVISIONING) neither reads nor writes the container instance, and
the host stays what its live tasks make it, event for event (task_lifecycle, task_usage.footprint).

The server runs in this process on the manual clock, its store wrapped so the test can count what
each clock advance does to container instances; everything else goes through boto3.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from conftest import Server, fresh_state, release_state
from ecs_world import World, config_script, identity_document, role_arn
from trunkline import runtime as runtime_module
from trunkline.domain import events
from trunkline.domain.ecs import tasks
from trunkline.domain.ecs.kinds import CONTAINER_INSTANCE, TASK
from trunkline.runtime import Config
from trunkline.server import run_in_thread
from trunkline.store.api import Transaction

CLUSTER = "steps"
STEP = 3.0  # the manual clock's `ecs.task.step`
CPU = MEMORY = 128  # what each task of both definitions holds on its host


class _Counting:
    """A transaction that counts the calls naming the container-instance kind (or `kind`), by method."""

    def __init__(self, tx: Transaction, calls: Counter[str], kind: str = CONTAINER_INSTANCE.name) -> None:
        self._tx, self._calls, self._kind = tx, calls, kind

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._tx, name)
        if not callable(method):
            return method

        def counted(*args: Any, **kwargs: Any) -> Any:
            if args and args[0] == self._kind:
                self._calls[name] += 1
            return method(*args, **kwargs)

        return counted


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[Server, Counter[str]]]:
    """A manual-clock server in this process whose store counts container-instance reads and writes."""
    calls: Counter[str] = Counter()
    opened = runtime_module.open_store

    def open_counting(state: str) -> Any:
        store = opened(state)
        run = store.run
        monkeypatch.setattr(store, "run", lambda work: run(lambda tx: work(_Counting(tx, calls))))
        return store

    monkeypatch.setattr(runtime_module, "open_store", open_counting)
    state = fresh_state(tmp_path)
    try:
        with run_in_thread(Config(state=state, timing="manual")) as url:
            yield Server(url=url, state=state, mode="inprocess"), calls
    finally:
        release_state(state)


def _prepare(world: World) -> dict[str, str]:
    """A cluster with one trunked c5.large (ACTIVE, settled), an awsvpc and a bridge definition."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("trunkedRole")
    world.opt_in(role_arn("trunkedRole"))
    subnet = world.network()["subnet"]
    container = {"name": "app", "image": "nginx", "cpu": CPU, "memory": MEMORY}
    world.ecs.register_task_definition(family="web", networkMode="awsvpc", containerDefinitions=[container])
    world.ecs.register_task_definition(family="batch", networkMode="bridge", containerDefinitions=[container])
    world.launch(subnet, "trunkedRole", config_script(CLUSTER))
    world.settle()
    (arn,) = world.ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"]
    return {"subnet": subnet, "host": arn}


def _run(world: World, family: str, subnet: str, count: int = 1) -> list[str]:
    params: dict[str, Any] = {"cluster": CLUSTER, "taskDefinition": family, "count": count}
    if family == "web":
        params["networkConfiguration"] = {"awsvpcConfiguration": {"subnets": [subnet]}}
    answer = world.ecs.run_task(**params)
    return [t["taskArn"] for t in answer["tasks"]]


def _events(server: Server, detail_type: str) -> list[dict[str, Any]]:
    answer = server.get(f"/_trunkline/events?limit=1000&detail-type={quote(detail_type)}")
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["events"]
    return found


def _status(world: World, arn: str) -> str:
    (task,) = world.ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"]
    return str(task["lastStatus"])


def test_steps_the_host_cannot_see_leave_it_alone(counted: tuple[Server, Counter[str]]) -> None:
    server, calls = counted
    world = World(server)
    prepared = _prepare(world)
    (arn,) = _run(world, "web", prepared["subnet"])
    host_events = len(_events(server, events.CONTAINER_INSTANCE_STATE_CHANGE))
    seen = []
    for expected in ("PENDING", "ACTIVATING", "RUNNING"):
        calls.clear()
        world.advance(STEP)
        seen.append(dict(calls))
        assert _status(world, arn) == expected
    # Up to ACTIVATING the task stays pending on its host: no read, no write of the host.
    assert seen[:2] == [{}, {}]
    # Turning RUNNING moves the counts: the host is read and saved, with one event.
    assert seen[2].get("put") == 1
    assert len(_events(server, events.CONTAINER_INSTANCE_STATE_CHANGE)) == host_events + 1

    world.ecs.stop_task(cluster=CLUSTER, task=arn)
    seen = []
    for expected in ("DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"):
        calls.clear()
        world.advance(STEP)
        seen.append(calls.get("put", 0))
        assert _status(world, arn) == expected
    # DEACTIVATING leaves the running count, STOPPED frees the resources; nothing in between.
    assert seen == [1, 0, 0, 1]
    assert len(_events(server, events.CONTAINER_INSTANCE_STATE_CHANGE)) == host_events + 3


def _expected(tasks: list[dict[str, Any]], registered: dict[str, int]) -> dict[str, Any]:
    live = [t for t in tasks if t["lastStatus"] != "STOPPED"]
    return {
        "runningTasksCount": sum(1 for t in live if t["lastStatus"] == "RUNNING"),
        "pendingTasksCount": sum(1 for t in live if t["lastStatus"] in ("PROVISIONING", "PENDING", "ACTIVATING")),
        "CPU": registered["CPU"] - CPU * len(live),
        "MEMORY": registered["MEMORY"] - MEMORY * len(live),
    }


def _seen(instance: dict[str, Any]) -> dict[str, Any]:
    remaining = {r["name"]: r.get("integerValue") for r in instance["remainingResources"]}
    return {
        "runningTasksCount": instance["runningTasksCount"],
        "pendingTasksCount": instance["pendingTasksCount"],
        "CPU": remaining["CPU"],
        "MEMORY": remaining["MEMORY"],
    }


def _machine(server: Server) -> type[RuleBasedStateMachine]:
    class Steps(RuleBasedStateMachine):
        """Tasks run, stopped and stepped at any point of the manual clock: at every point the
        host's counts and remaining resources are what its tasks make them, and its latest
        container-instance event carries the host as DescribeContainerInstances shows it."""

        @initialize()
        def prepare(self) -> None:
            server.reset()
            self.world = World(server)
            self.prepared = _prepare(self.world)
            self.tasks: list[str] = []
            host = self.world.describe(CLUSTER, self.prepared["host"])
            self.registered = {r["name"]: r.get("integerValue") for r in host["registeredResources"]}

        @rule(family=st.sampled_from(["web", "batch"]), count=st.integers(1, 3))
        def run(self, family: str, count: int) -> None:
            self.tasks += _run(self.world, family, self.prepared["subnet"], count)

        @rule(data=st.data())
        def stop(self, data: st.DataObject) -> None:
            if self.tasks:
                self.world.ecs.stop_task(cluster=CLUSTER, task=data.draw(st.sampled_from(self.tasks)))

        @rule(steps=st.sampled_from([0.5, 1.0, 1.5, 3.0, 6.0]))
        def advance(self, steps: float) -> None:
            self.world.advance(STEP * steps)

        @invariant()
        def host_is_what_its_tasks_make_it(self) -> None:
            if not hasattr(self, "world"):
                return
            host = self.world.describe(CLUSTER, self.prepared["host"])
            tasks = self.world.ecs.describe_tasks(cluster=CLUSTER, tasks=self.tasks)["tasks"] if self.tasks else []
            assert _seen(host) == _expected(tasks, self.registered)
            mine = [
                e["detail"]
                for e in _events(server, events.CONTAINER_INSTANCE_STATE_CHANGE)
                if e["detail"]["containerInstanceArn"] == self.prepared["host"]
            ]
            assert mine[-1]["version"] == host["version"]
            assert _seen(mine[-1]) == _seen(host)
            assert [e["version"] for e in mine] == sorted({e["version"] for e in mine})

    return Steps


def test_the_host_follows_its_tasks_at_every_step(counted: tuple[Server, Counter[str]]) -> None:
    server, _ = counted
    run_state_machine_as_test(
        _machine(server),
        settings=settings(
            max_examples=6,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )


def test_re_registration_counts_what_a_stopping_task_still_holds(counted: tuple[Server, Counter[str]]) -> None:
    """The agent re-registering while a task is on its way down (no longer counted as running or
    pending, still holding its CPU and memory): remainingResources keep it out until it stops,
    since its DEACTIVATING -> STOPPING steps leave the host alone."""
    server, _ = counted
    world = World(server)
    prepared = _prepare(world)
    (arn,) = _run(world, "batch", prepared["subnet"])
    world.advance(2 * STEP)
    world.ecs.stop_task(cluster=CLUSTER, task=arn)
    world.advance(STEP)
    assert _status(world, arn) == "DEACTIVATING"
    host = world.describe(CLUSTER, prepared["host"])
    registered = {r["name"]: r.get("integerValue") for r in host["registeredResources"]}
    assert (host["runningTasksCount"], host["pendingTasksCount"]) == (0, 0)
    totals = [
        {k: v for k, v in r.items() if k in ("name", "type", "integerValue", "stringSetValue")}
        for r in host["registeredResources"]
    ]
    again = world.ecs.register_container_instance(
        cluster=CLUSTER,
        instanceIdentityDocument=identity_document(world, host["ec2InstanceId"]),
        containerInstanceArn=prepared["host"],
        totalResources=totals,
    )["containerInstance"]
    held = {"CPU": registered["CPU"] - CPU, "MEMORY": registered["MEMORY"] - MEMORY}
    assert {k: v for k, v in _seen(again).items() if k in held} == held
    world.advance(STEP)
    assert _status(world, arn) == "STOPPING"
    assert {k: v for k, v in _seen(world.describe(CLUSTER, prepared["host"])).items() if k in held} == held
    world.settle()
    assert _status(world, arn) == "STOPPED"
    freed = _seen(world.describe(CLUSTER, prepared["host"]))
    assert (freed["CPU"], freed["MEMORY"]) == (registered["CPU"], registered["MEMORY"])


# --- a late reconciler: a task's quiet steps that are due already, taken in one job -------------

_TOKENS = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}"
    r"|\b(?:eni|attach|eni-attach)-[0-9a-f]{8,17}\b|\d{4}-\d\d-\d\dT[\d:.]+Z"
    r"|\b\d+\.\d+\.\d+\.\d+\b|ip-\d+-\d+-\d+-\d+|(?:[0-9a-f]{2}:){5}[0-9a-f]{2}"
)


def _tokenised(details: list[dict[str, Any]]) -> str:
    """The events' text with each id, address and time replaced by the order it first appears in."""
    seen: dict[str, str] = {}
    text = json.dumps(details, sort_keys=True)
    return _TOKENS.sub(lambda m: seen.setdefault(m.group(0), f"<{len(seen)}>"), text)


@pytest.fixture
def late(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[Server, dict[str, bool], Counter[str]]]:
    """A manual-clock server whose jobs, while `late["on"]`, run as a reconciler far behind would
    run them (`RequestContext.horizon` past every due step); the other jobs as the manual clock does.
    Its store counts the calls naming the task kind."""
    switch = {"on": False}
    calls: Counter[str] = Counter()
    handlers = runtime_module.JobHandlers
    opened = runtime_module.open_store

    def job_handlers(providers: Any, horizon: Any) -> Any:
        return handlers(providers, lambda: math.inf if switch["on"] else -math.inf)

    def open_counting(state: str) -> Any:
        store = opened(state)
        run = store.run
        monkeypatch.setattr(store, "run", lambda work: run(lambda tx: work(_Counting(tx, calls, TASK.name))))
        return store

    monkeypatch.setattr(runtime_module, "JobHandlers", job_handlers)
    monkeypatch.setattr(runtime_module, "open_store", open_counting)
    state = fresh_state(tmp_path)
    try:
        with run_in_thread(Config(state=state, timing="manual")) as url:
            yield Server(url=url, state=state, mode="inprocess"), switch, calls
    finally:
        release_state(state)


def _task_events(server: Server, arn: str) -> list[dict[str, Any]]:
    return [e["detail"] for e in _events(server, events.TASK_STATE_CHANGE) if e["detail"]["taskArn"] == arn]


def _up_and_down(server: Server, world: World, subnet: str, saves: Counter[str]) -> tuple[str, list[int], int]:
    """An awsvpc task run to RUNNING, stopped, and advanced until STOPPED: the jobs each advance
    ran, and how often its steps saved a task."""

    def advance() -> int:
        ran: int = server.post("/_trunkline/clock/advance", json={"seconds": STEP}).json()["jobsRun"]
        return ran

    (arn,) = _run(world, "web", subnet)
    saves.clear()
    ran = [advance() for _ in range(3)]
    saved = saves["put"]
    assert _status(world, arn) == "RUNNING"
    world.ecs.stop_task(cluster=CLUSTER, task=arn)
    saves.clear()
    while _status(world, arn) != "STOPPED":
        ran.append(advance())
    return arn, ran, saved + saves["put"]


def test_a_late_job_takes_the_quiet_steps_due_with_every_event_in_order(
    late: tuple[Server, dict[str, bool], Counter[str]],
) -> None:
    """A step job running late takes the task's next steps that are due and leave the host alone
    (PENDING -> ACTIVATING on the way up, DEACTIVATING -> STOPPING -> DEPROVISIONING down) in one
    transaction: one job fewer each time, and the task's events, versions, times and its host's
    events exactly what one job per step gives."""
    server, switch, saves = late
    world = World(server)
    prepared = _prepare(world)
    before = len(_events(server, events.CONTAINER_INSTANCE_STATE_CHANGE))
    on_time, on_time_jobs, on_time_saves = _up_and_down(server, world, prepared["subnet"], saves)
    middle = len(_events(server, events.CONTAINER_INSTANCE_STATE_CHANGE))
    switch["on"] = True
    behind, behind_jobs, behind_saves = _up_and_down(server, world, prepared["subnet"], saves)
    host = [e["detail"] for e in _events(server, events.CONTAINER_INSTANCE_STATE_CHANGE)]

    assert on_time_jobs == [1, 1, 1, 1, 1, 1, 1]  # a job per step: 3 up, 4 down
    assert behind_jobs == [1, 0, 1, 1, 0, 0, 1]  # PENDING took ACTIVATING, DEACTIVATING took two more
    assert (on_time_saves, behind_saves) == (7, 5)  # one save fewer for each quiet step taken early
    expected, seen = _task_events(server, on_time), _task_events(server, behind)
    statuses = [*tasks.LIFECYCLE[:4], "RUNNING", *tasks.LIFECYCLE[4:]]  # StopTask's own event after RUNNING
    assert [e["lastStatus"] for e in seen] == statuses
    assert [e["version"] for e in seen] == list(range(1, 10))
    assert _tokenised(seen) == _tokenised(expected)
    times = [e["updatedAt"] for e in seen]
    steps = [datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp() for t in times]
    assert [round(b - a, 3) for a, b in itertools.pairwise(steps[:4])] == [STEP] * 3  # each at its own time
    described = world.ecs.describe_tasks(cluster=CLUSTER, tasks=[behind])["tasks"][0]
    assert described["version"] == 9 and described["lastStatus"] == "STOPPED"
    # The host's events: placed, RUNNING, DEACTIVATING, STOPPED, the same either way (but versions).
    assert len(host[before:middle]) == len(host[middle:]) == 4
    for event in host[before:]:
        event.pop("version")
    assert _tokenised(host[middle:]) == _tokenised(host[before:middle])
