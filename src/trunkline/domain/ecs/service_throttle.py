"""The service scheduler's throttle logic for tasks that fail to start (AWS: "Amazon ECS service
throttle logic"): a service whose task stops TaskFailedToStart (PROVISIONING or PENDING straight to
STOPPED, e.g. a task that waited for capacity in vain) tries again later, the time between attempts
growing up to 27 minutes; from the second attempt on, the service's events say
"(service NAME) is unable to consistently start tasks successfully.".

The delays (AWS does not publish them below the maximum): 1, 2, 4, 8, 16 minutes, then 27, in the
timing profile's time (`Timing.period`: fast timing scales them like its own durations). AWS retries
for ever; trunkline stops scheduling retries of its own after the attempt at the maximum delay,
so a clock with an unstartable service still settles. The service then waits for news as before
(an instance becoming ACTIVE, a task running or stopping, UpdateService). The count restarts when
the service reaches a steady state or its primary deployment changes (a new task definition ends the
throttle at once, as AWS documents). docs/decisions.md, "A service retries tasks that failed to start".
"""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import services
from trunkline.domain.ecs.kinds import SERVICE
from trunkline.domain.ecs.records import ServiceRecord, TaskRecord

Record = dict[str, Any]

JOB = "ecs.service.retry"
DELAYS = (60.0, 120.0, 240.0, 480.0, 960.0, 1620.0)  # seconds between attempts; 27 minutes at most
MESSAGE = "is unable to consistently start tasks successfully."


def on_failed_to_start(ctx: RequestContext, task: TaskRecord) -> None:
    """A service's task stopped TaskFailedToStart: schedule the service's next attempt, unless one
    is scheduled already or the attempts are used up."""
    name = task.get("_serviceName")
    record = services.find(ctx, task["clusterArn"], name) if name else None
    if record is None or record["status"] != "ACTIVE":
        return
    deployment = record["_deployments"][0]["id"]
    throttle: Record = record.get("_throttle") or {}
    if throttle.get("deployment") != deployment:
        throttle = {"deployment": deployment, "attempts": 0, "due": False}
    if throttle["due"] or throttle["attempts"] >= len(DELAYS):
        return
    delay = DELAYS[throttle["attempts"]]
    throttle["attempts"] += 1
    throttle["due"] = True
    record["_throttle"] = throttle
    if throttle["attempts"] >= 2:
        services.add_event(ctx, record, f"(service {record['serviceName']}) {MESSAGE}")
    services.save(ctx, record)
    due = ctx.now + ctx.timing.period(delay)
    ctx.tx.schedule(due, JOB, {"account": ctx.account_id, "region": ctx.region, "key": services.record_key(record)})
    ctx.earliest_due = due if ctx.earliest_due is None else min(ctx.earliest_due, due)


def take_due(ctx: RequestContext, payload: Record) -> ServiceRecord | None:
    """The retry job's service, its retry no longer pending (None if it is gone)."""
    record = SERVICE.at_key(ctx, payload["key"])
    if record is None or "_throttle" not in record:
        return None
    record["_throttle"]["due"] = False
    services.save(ctx, record)
    return record


def clear(record: ServiceRecord) -> None:
    """The service reached a steady state: the next failure starts from the shortest delay."""
    record.pop("_throttle", None)
