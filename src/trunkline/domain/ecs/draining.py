"""Container instance draining, the service scheduler's part (ECS developer guide, "Draining Amazon
ECS container instances"; UpdateContainerInstancesState).

Placement never picks a DRAINING instance (it reads ACTIVE ones only). For a service, each pass of
the scheduler first looks at its tasks on the cluster's DRAINING instances:
- those not yet RUNNING (PROVISIONING, PENDING, ACTIVATING) are stopped at once;
- RUNNING ones are stopped as far as minimumHealthyPercent allows: the service's RUNNING tasks
  (drained ones included) stay at or above ceil(desiredCount x minimumHealthyPercent / 100);
- the ones kept (`Drain.held`) still count against maximumPercent, so the pass starts replacements
  elsewhere only within floor(desiredCount x maximumPercent / 100) tasks in all. The scheduler is
  woken when replacements reach RUNNING, and stops more then.
Standalone tasks (RunTask, StartTask) are not a service's and are left alone.

The stopped tasks carry stopCode ServiceSchedulerInitiated and the stoppedReason
"Service NAME: container instance is in DRAINING state" (docs/decisions.md: the tail is AWS's, the
prefix trunkline's); the service logs its usual "has stopped N running tasks" event.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import services, task_lifecycle, tasks
from trunkline.domain.ecs.kinds import CONTAINER_INSTANCE
from trunkline.domain.ecs.records import ServiceRecord, TaskRecord

Record = dict[str, Any]

STOP_CODE = "ServiceSchedulerInitiated"
_DEFAULT_MAXIMUM = 200
_DEFAULT_MINIMUM = 100


@dataclass
class Drain:
    """What one pass found on DRAINING instances: the RUNNING tasks kept for now (`held`) and the
    tasks it stopped."""

    held: list[TaskRecord] = field(default_factory=list)
    stopped: list[TaskRecord] = field(default_factory=list)

    def keeps(self, task: TaskRecord) -> bool:
        return any(t["taskArn"] == task["taskArn"] for t in self.held)


def draining_arns(ctx: RequestContext, cluster_arn: str) -> set[str]:
    """The cluster's DRAINING container instances (one index read; usually none)."""
    found = CONTAINER_INSTANCE.find(ctx, "cluster_status", f"{cluster_arn}|DRAINING")
    return {r["containerInstanceArn"] for r in found}


def maximum_tasks(record: ServiceRecord) -> int:
    """The most tasks the service may have while replacing drained ones (maximumPercent)."""
    percent = (record.get("deploymentConfiguration") or {}).get("maximumPercent", _DEFAULT_MAXIMUM)
    return math.floor(record["desiredCount"] * percent / 100)


def _minimum_healthy(record: ServiceRecord) -> int:
    percent = (record.get("deploymentConfiguration") or {}).get("minimumHealthyPercent", _DEFAULT_MINIMUM)
    return math.ceil(record["desiredCount"] * percent / 100)


def reason(record: ServiceRecord) -> str:
    return f"Service {record['serviceName']}: container instance is in DRAINING state"


def drain(ctx: RequestContext, record: ServiceRecord, live: list[TaskRecord]) -> Drain:
    """Stop the service's tasks on DRAINING instances as far as the deployment configuration lets
    the pass; `live` is every live task of the service's deployments."""
    found = Drain()
    drained = draining_arns(ctx, record["clusterArn"])
    if not drained:
        return found
    on_draining = [t for t in live if t.get("containerInstanceArn") in drained]
    if not on_draining:
        return found
    running = [t for t in on_draining if t["lastStatus"] == "RUNNING"]
    found.stopped = [t for t in on_draining if t["lastStatus"] != "RUNNING"]
    healthy = sum(1 for t in live if t["lastStatus"] == "RUNNING")
    allowed = max(0, min(len(running), healthy - _minimum_healthy(record)))
    found.stopped.extend(running[:allowed])
    found.held = running[allowed:]
    for task in found.stopped:
        task_lifecycle.stop(ctx, task, STOP_CODE, reason(record))
    if found.stopped:
        listed = " ".join(f"(task {tasks.id_of(t)})" for t in found.stopped)
        services.add_event(
            ctx,
            record,
            f"(service {record['serviceName']}) has stopped {len(found.stopped)} running tasks: {listed}.",
        )
    return found
