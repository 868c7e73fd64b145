"""What a container instance's tasks take from it: `remainingResources`, `runningTasksCount` and
`pendingTasksCount`, always recomputed from the instance's live tasks (one index read), never
adjusted by increments in several places.

- remaining CPU and MEMORY = registered less what every task not yet STOPPED holds;
- remaining PORTS / PORTS_UDP list the ports in use, as AWS's do: the agent's reserved ones and
  every host port a live task holds;
- `_eniRoom` (internal) = the instance's task ENI limit less the live tasks holding an ENI: never
  less than the ENI slots really free (the ledger may hold more ENIs, never fewer), so the
  placement index can leave out an instance at 0 without hiding one that has a slot;
- runningTasksCount = tasks whose lastStatus is RUNNING (a task DEACTIVATING no longer counts, as
  users observe); pendingTasksCount = tasks still on their way up (PROVISIONING, PENDING,
  ACTIVATING).

`refresh` saves the record with a new version and a container-instance event when any of these
changed (AWS emits one on a task's start and stop), silently for an instance that has left (INACTIVE).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import capacity, container_instances, gpus, tasks
from trunkline.domain.ecs.records import ContainerInstanceRecord

Record = dict[str, Any]

_PENDING = ("PROVISIONING", "PENDING", "ACTIVATING")


def _ports(resources: list[Record], name: str) -> set[int]:
    for resource in resources:
        if resource["name"] == name:
            return {int(p) for p in resource.get("stringSetValue") or [] if str(p).isdigit()}
    return set()


@dataclass(frozen=True)
class TaskUse:
    """What `refresh` reads of a live task: derived from the task record alone, so the store keeps
    it by the record's stored bytes (`find_derived`) and a refresh does not decode every live task
    of the instance again (shared: read-only)."""

    cpu: int
    memory: int
    tcp_ports: frozenset[int]
    udp_ports: frozenset[int]
    last_status: str
    holds_eni: bool
    gpu_ids: tuple[str, ...] = ()


def task_use(task: Mapping[str, Any]) -> TaskUse:
    demand = task["_demand"]
    return TaskUse(
        cpu=int(demand["cpu"]),
        memory=int(demand["memory"]),
        tcp_ports=frozenset(int(p) for p in demand["tcpPorts"]),
        udp_ports=frozenset(int(p) for p in demand["udpPorts"]),
        last_status=task["lastStatus"],
        holds_eni=_holds_eni(task),
        gpu_ids=tuple(demand.get("gpuIds") or ()),
    )


#: What `refresh` takes from one live task (see `footprint`): the count its status falls in, then
#: its demand (cpu, memory, tcp and udp ports, GPU ids) and whether it holds an ENI.
Footprint = tuple[str, Any, Any, tuple[Any, ...], tuple[Any, ...], tuple[Any, ...], bool]


def footprint(task: Mapping[str, Any]) -> Footprint | None:
    """What `refresh` takes from this one task, its status reduced to the count it falls in
    ("RUNNING", "PENDING" for any of `_PENDING`, "" for neither); None once STOPPED (no longer
    live). A task change that leaves it equal leaves the host's derived fields as they were, so
    the task's lifecycle steps skip the host then: an awsvpc task's PROVISIONING -> PENDING ->
    ACTIVATING, a stopping task's DEACTIVATING -> STOPPING -> DEPROVISIONING. Plain values copied
    out of the record (it is compared before and after a change to that same record), and cheap:
    every lifecycle step takes it twice."""
    status = task["lastStatus"]
    if status == tasks.STOPPED:
        return None
    demand = task["_demand"]
    return (
        "PENDING" if status in _PENDING else status if status == "RUNNING" else "",
        demand["cpu"],
        demand["memory"],
        tuple(demand["tcpPorts"]),
        tuple(demand["udpPorts"]),
        tuple(demand.get("gpuIds") or ()),
        _holds_eni(task),
    )


def live_uses(ctx: RequestContext, instance_arn: str) -> list[TaskUse]:
    """`task_use` of each task `tasks.live_on_instance` returns, in the same order."""
    return tasks.live_on_instance_derived(ctx, instance_arn, task_use)


def remaining(registered: list[Record], live: list[TaskUse]) -> list[Record]:
    """registeredResources less what the live tasks hold, in the same shape and order."""
    amounts = {
        "CPU": sum(t.cpu for t in live),
        "MEMORY": sum(t.memory for t in live),
    }
    ports = {
        "PORTS": {p for t in live for p in t.tcp_ports},
        "PORTS_UDP": {p for t in live for p in t.udp_ports},
    }
    result: list[Record] = []
    for resource in registered:
        entry = dict(resource)
        name = resource["name"]
        if name in ("CPU", "MEMORY") and resource["type"] == "INTEGER":
            entry["integerValue"] = int(resource.get("integerValue") or 0) - amounts[name]
        elif name in ("PORTS", "PORTS_UDP"):
            used = _ports([resource], name) | ports[name]
            entry["stringSetValue"] = [str(p) for p in sorted(used)]
        elif name == gpus.RESOURCE:
            entry["stringSetValue"] = gpus.remaining(resource, (i for t in live for i in t.gpu_ids))
        result.append(entry)
    return result


def remaining_cpu_memory_ports(record: ContainerInstanceRecord) -> tuple[int, int, set[int], set[int]]:
    """What placement starts from: remaining CPU and MEMORY, and the TCP and UDP ports in use."""
    left = record.get("remainingResources") or []
    cpu, memory = (
        container_instances.remaining_integer(record, "CPU"),
        container_instances.remaining_integer(record, "MEMORY"),
    )
    return cpu, memory, _ports(left, "PORTS"), _ports(left, "PORTS_UDP")


def _holds_eni(task: Mapping[str, Any]) -> bool:
    return bool((task.get("_eni") or {}).get("networkInterfaceId"))


def refresh(ctx: RequestContext, instance: ContainerInstanceRecord) -> None:
    """Recompute the instance's task-derived fields from its live tasks; record a change if a
    user could see one (a change to `_eniRoom` alone is saved silently)."""
    live = live_uses(ctx, instance["containerInstanceArn"])
    observable: dict[str, Any] = {
        "remainingResources": remaining(instance.get("registeredResources") or [], live),
        "runningTasksCount": sum(1 for t in live if t.last_status == "RUNNING"),
        "pendingTasksCount": sum(1 for t in live if t.last_status in _PENDING),
    }
    eni_room = capacity.registered_limit(instance) - sum(1 for t in live if t.holds_eni)
    seen = all(instance.get(k) == v for k, v in observable.items())
    if seen and instance.get("_eniRoom") == eni_room:
        return
    instance["remainingResources"] = observable["remainingResources"]
    instance["runningTasksCount"] = observable["runningTasksCount"]
    instance["pendingTasksCount"] = observable["pendingTasksCount"]
    instance["_eniRoom"] = eni_room
    if seen or instance["status"] == "INACTIVE":
        container_instances.save(ctx, instance)
    else:
        container_instances.change(ctx, instance)
