"""StopTask: a user asking a task to stop (stopCode UserInitiated, the caller's reason or ECS's
default one); the answer is the Task view.

The API reference: "Stops a running task. Any tags associated with the task will be deleted." So
StopTask deletes them, whatever state the task is in; a task that stops any other way (its
container exits, its host goes, a service scales in) keeps them (docs/decisions.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import cluster_lock, clusters, task_lifecycle, tasks

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes


def stop_task(ctx: RequestContext, request: shapes.StopTaskRequest) -> dict[str, Any]:
    cluster_arn = clusters.resolve_cluster(ctx, request.get("cluster"))["clusterArn"]
    # The stop schedules the task's next step, which takes turns with the cluster's placements.
    cluster_lock.take(ctx, cluster_arn)
    task = tasks.get(ctx, cluster_arn, request["task"])
    reason = request.get("reason") or task_lifecycle.USER_STOPPED
    if task.get("tags"):
        task["tags"] = []
        if task["desiredStatus"] == tasks.STOPPED:  # else the stop below saves it
            tasks.save(ctx, task)
    return tasks.view(task_lifecycle.stop(ctx, task, "UserInitiated", reason))
