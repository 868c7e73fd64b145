"""The simulated agent's `awslogs` driver: what happens in CloudWatch Logs when a task's containers
start and stop (the one hook task_lifecycle calls, `before_entering`).

Starting (the task is about to enter RUNNING): for each container whose definition logs with
awslogs, the log group must exist in the option's region, or be created when
`awslogs-create-group` is "true" (as Docker's driver does); the stream `PREFIX/CONTAINER/TASK-ID`
is created and gets one start line. A missing group without awslogs-create-group makes the task
fail to start when the container is essential: stopCode TaskFailedToStart and the Docker daemon's
error as AWS reports it, on the task (`stoppedReason`) and on the container (`reason`), and nothing
is written. A non-essential container that cannot start is STOPPED with that `reason` alone; the
task and its other containers run.

Stopping (the task is about to enter STOPPED after it ran): each such container's stream gets one
stop line, if the group and stream still exist.

IAM: AWS needs logs:CreateLogGroup on the instance role (EC2) or the execution role (Fargate) for
awslogs-create-group; trunkline does not evaluate that permission here yet (docs/decisions.md).
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import awslogs_options, task_definitions, tasks
from trunkline.domain.ecs.awslogs_options import AwsLogs
from trunkline.domain.ecs.records import TaskRecord
from trunkline.domain.logs import groups, log_events, streams

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import logs as log_shapes

Record = dict[str, Any]

MISSING_GROUP = (
    "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: "
    "failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist."
)


def _logged(ctx: RequestContext, task: TaskRecord) -> list[tuple[Record, AwsLogs, bool]]:
    """The task's containers that log with awslogs: each with its settings and whether it is essential."""
    definition = task_definitions.find(ctx, task["taskDefinitionArn"])
    if definition is None:
        return []
    by_name = {c["name"]: c for c in definition["containerDefinitions"]}
    found: list[tuple[Record, AwsLogs, bool]] = []
    for container in task["containers"]:
        declared = by_name.get(container["name"]) or {}
        settings = awslogs_options.of_container(declared)
        if settings is not None:
            found.append((container, settings, declared.get("essential", True) is not False))
    return found


def _in_region(ctx: RequestContext, settings: AwsLogs) -> RequestContext:
    return dataclasses.replace(ctx, region=settings.region) if settings.region else ctx


def _stream(task: TaskRecord, container: Record, settings: AwsLogs) -> str:
    return settings.stream_name(container["name"], tasks.id_of(task), container["containerArn"])


def _write(ctx: RequestContext, group: str, stream: str, message: str) -> None:
    params: log_shapes.PutLogEventsRequest = {
        "logGroupName": group,
        "logStreamName": stream,
        "logEvents": [{"timestamp": int(ctx.now * 1000), "message": message}],
    }
    log_events.put(ctx, params)


def _start(ctx: RequestContext, task: TaskRecord, logged: list[tuple[Record, AwsLogs, bool]]) -> str | None:
    """Start the logging of each container; the reason the task cannot start, if an essential
    container's group is missing. A non-essential one that cannot start stops alone (AWS stops a
    task only for its essential containers)."""
    reason = f"{MISSING_GROUP} status code: 400, request id: {uuid.uuid4()}"
    failed = [
        (container, essential)
        for container, settings, essential in logged
        if groups.find(_in_region(ctx, settings), settings.group) is None and not settings.create_group
    ]
    for container, _ in failed:
        container.update(lastStatus="STOPPED", reason=reason)
    if any(essential for _, essential in failed):
        return reason  # nothing is written for a task that does not start
    for container, settings, _ in logged:
        if container.get("reason") == reason:
            continue
        where = _in_region(ctx, settings)
        if groups.find(where, settings.group) is None:
            groups.create(where, {"logGroupName": settings.group}, {})
        name = _stream(task, container, settings)
        if streams.find(where, settings.group, name) is None:
            streams.create(where, settings.group, name)
        image = container.get("image", "")
        _write(where, settings.group, name, f"[trunkline agent] container {container['name']} started (image {image})")
    return None


def _stop(ctx: RequestContext, task: TaskRecord, logged: list[tuple[Record, AwsLogs, bool]]) -> None:
    reason = task.get("stoppedReason") or "Task stopped"
    for container, settings, _ in logged:
        where = _in_region(ctx, settings)
        name = _stream(task, container, settings)
        if streams.find(where, settings.group, name) is not None and groups.find(where, settings.group) is not None:
            _write(where, settings.group, name, f"[trunkline agent] container {container['name']} stopped: {reason}")


def before_entering(ctx: RequestContext, task: TaskRecord, status: str) -> str | None:
    """task_lifecycle's hook, before `task` enters `status`: the reason the task cannot start (its
    containers' log groups are missing), or None."""
    if status == "RUNNING" and task["desiredStatus"] == "RUNNING":
        logged = _logged(ctx, task)
        if logged:
            return _start(ctx, task, logged)
    elif status == "STOPPED" and task.get("startedAt") is not None:
        logged = _logged(ctx, task)
        if logged:
            _stop(ctx, task, logged)
    return None
