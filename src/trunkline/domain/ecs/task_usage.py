"""What a container instance's tasks take from it: `remainingResources`, `runningTasksCount` and
`pendingTasksCount`, always recomputed from the instance's live tasks (one index read), never
adjusted by increments in several places.

- remaining CPU and MEMORY = registered less what every task not yet STOPPED holds;
- remaining PORTS / PORTS_UDP list the ports in use, as AWS's do: the agent's reserved ones and
  every host port a live task holds;
- runningTasksCount = tasks whose lastStatus is RUNNING (a task DEACTIVATING no longer counts, as
  users observe); pendingTasksCount = tasks still on their way up (PROVISIONING, PENDING,
  ACTIVATING).

`refresh` saves the record with a new version and a container-instance event when any of these
changed (AWS emits one on a task's start and stop), silently for an instance that has left (INACTIVE).
"""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import container_instances, tasks

Record = dict[str, Any]

_PENDING = ("PROVISIONING", "PENDING", "ACTIVATING")


def _integer(resources: list[Record], name: str) -> int:
    for resource in resources:
        if resource["name"] == name:
            return int(resource.get("integerValue") or 0)
    return 0


def _ports(resources: list[Record], name: str) -> set[int]:
    for resource in resources:
        if resource["name"] == name:
            return {int(p) for p in resource.get("stringSetValue") or [] if str(p).isdigit()}
    return set()


def remaining(registered: list[Record], live: list[Record]) -> list[Record]:
    """registeredResources less what the live tasks hold, in the same shape and order."""
    amounts = {
        "CPU": sum(int(t["_demand"]["cpu"]) for t in live),
        "MEMORY": sum(int(t["_demand"]["memory"]) for t in live),
    }
    ports = {
        "PORTS": {int(p) for t in live for p in t["_demand"]["tcpPorts"]},
        "PORTS_UDP": {int(p) for t in live for p in t["_demand"]["udpPorts"]},
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
        result.append(entry)
    return result


def remaining_cpu_memory_ports(record: Record) -> tuple[int, int, set[int], set[int]]:
    """What placement starts from: remaining CPU and MEMORY, and the TCP and UDP ports in use."""
    left = record.get("remainingResources") or []
    return _integer(left, "CPU"), _integer(left, "MEMORY"), _ports(left, "PORTS"), _ports(left, "PORTS_UDP")


def refresh(ctx: RequestContext, instance: Record) -> None:
    """Recompute the instance's task-derived fields from its live tasks; record a change if any."""
    live = tasks.live_on_instance(ctx, instance["containerInstanceArn"])
    derived = {
        "remainingResources": remaining(instance.get("registeredResources") or [], live),
        "runningTasksCount": sum(1 for t in live if t["lastStatus"] == "RUNNING"),
        "pendingTasksCount": sum(1 for t in live if t["lastStatus"] in _PENDING),
    }
    if all(instance.get(k) == v for k, v in derived.items()):
        return
    instance.update(derived)
    if instance["status"] == "INACTIVE":
        container_instances.save(ctx, instance)
    else:
        container_instances.change(ctx, instance)
