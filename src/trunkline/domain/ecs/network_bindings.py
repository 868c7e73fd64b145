"""Containers' `networkBindings`: the host ports the agent reports once a task is RUNNING (before
that the list is empty, as AWS documents: "After a task reaches the RUNNING status, manual and
automatic host and container port assignments are visible").

- bridge mode: one binding per port mapping, `bindIP` 0.0.0.0. A static `hostPort` is bound as
  given (placement already made sure no live task holds it: RESOURCE:PORTS). A dynamic one
  (`hostPort` 0 or omitted) gets the lowest port of the instance's ephemeral range that no live
  task on the instance is bound to: 32768-60999, Amazon Linux's `ip_local_port_range`, which the
  agent takes dynamic ports from. Dynamic ports are not in `remainingResources` (AWS: they do not
  count toward the instance's reserved ports).
- host mode: `hostPort` is the container port.
- awsvpc (and Fargate): none; the task has its own ENI, and containers carry `networkInterfaces`.
- A `containerPortRange` mapping is not bound (trunkline does not model port ranges yet).

The mappings travel on the task as `_portMappings` (container name -> mappings), set at launch.
"""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import tasks
from trunkline.domain.ecs.records import TaskDefinitionRecord, TaskRecord

Record = dict[str, Any]

EPHEMERAL_PORTS = range(32768, 61000)
BIND_IP = "0.0.0.0"


def mappings_of(definition: TaskDefinitionRecord) -> dict[str, list[Record]]:
    """What a task of this definition on an EC2 instance binds, by container name."""
    if definition.get("networkMode", "bridge") not in ("bridge", "host"):
        return {}
    found = {
        c["name"]: [m for m in c.get("portMappings") or [] if m.get("containerPort")]
        for c in definition["containerDefinitions"]
    }
    return {name: mappings for name, mappings in found.items() if mappings}


def _bindings(task: Record) -> tuple[str, frozenset[tuple[int, str]]]:
    """A task's ARN and the (host port, protocol) pairs it is bound to: a pure function of the
    record, kept by the store by its stored bytes (`find_derived`), so binding a task does not
    decode every other live task of the instance again (shared: read-only)."""
    bound = frozenset(
        (b["hostPort"], b["protocol"])
        for container in task["containers"]
        for b in container.get("networkBindings") or []
    )
    return task["taskArn"], bound


def _bound_on_instance(ctx: RequestContext, task: TaskRecord) -> set[tuple[int, str]]:
    """(host port, protocol) pairs the instance's other live tasks are bound to."""
    taken: set[tuple[int, str]] = set()
    for arn, bound in tasks.live_on_instance_derived(ctx, task.get("containerInstanceArn") or "", _bindings):
        if arn != task["taskArn"]:
            taken.update(bound)
    return taken


def _free_port(taken: set[tuple[int, str]], protocol: str) -> int:
    return next(port for port in EPHEMERAL_PORTS if (port, protocol) not in taken)


def bind(ctx: RequestContext, task: TaskRecord) -> None:
    """Fill the containers' networkBindings of a task that has just started RUNNING."""
    mappings = task.get("_portMappings") or {}
    if not mappings:
        return
    taken = _bound_on_instance(ctx, task)
    for container in task["containers"]:
        bindings: list[Record] = []
        for mapping in mappings.get(container["name"], []):
            protocol = mapping.get("protocol", "tcp")
            host_port = mapping.get("hostPort") or _free_port(taken, protocol)
            taken.add((host_port, protocol))
            bindings.append(
                {
                    "bindIP": BIND_IP,
                    "containerPort": mapping["containerPort"],
                    "hostPort": host_port,
                    "protocol": protocol,
                }
            )
        container["networkBindings"] = bindings
