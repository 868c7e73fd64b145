"""ECS RunTask, StartTask, StopTask, DescribeTasks, ListTasks. Thin: the domain's task modules do
the work. How tasks react to container instances and EC2 is
wired in `wiring.py`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import run_task_reads, task_launch, task_lifecycle, task_queries, user_stops
from trunkline.reconciler import JobHandler

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

Params = dict[str, Any]


class TaskOps:
    asks_ahead = frozenset({"RunTask", "StopTask"})

    def task_jobs(self) -> dict[str, JobHandler]:
        return {task_lifecycle.STEP_JOB: task_lifecycle.step_job}

    def ask_ahead(self, ctx: RequestContext, operation: str, params: Params) -> None:
        if operation == "RunTask":
            run_task_reads.before_identity(ctx, params)
        elif operation == "StopTask":
            run_task_reads.before_stop(ctx, params)

    def run_task(self, ctx: RequestContext, params: shapes.RunTaskRequest) -> Params:
        return task_launch.run_task(ctx, params)

    def start_task(self, ctx: RequestContext, params: shapes.StartTaskRequest) -> Params:
        return task_launch.start_task(ctx, params)

    def stop_task(self, ctx: RequestContext, params: shapes.StopTaskRequest) -> Params:
        return {"task": user_stops.stop_task(ctx, params)}

    def describe_tasks(self, ctx: RequestContext, params: shapes.DescribeTasksRequest) -> Params:
        found, failures = task_queries.describe(ctx, params)
        return {"tasks": found, "failures": failures}

    def list_tasks(self, ctx: RequestContext, params: shapes.ListTasksRequest) -> Params:
        arns, token = task_queries.list_arns(ctx, params)
        result: Params = {"taskArns": arns}
        if token is not None:
            result["nextToken"] = token
        return result
