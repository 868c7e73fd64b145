"""ECS RunTask, StartTask, StopTask, DescribeTasks, ListTasks. Thin: the domain's task modules do
the work. Building the provider installs the hooks that tie tasks to container instances: the
`task:group` reader of the cluster query language, DeregisterContainerInstance's task check and
task stop, and EC2 instance stops."""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import lifecycle_hooks
from trunkline.domain.ecs import clusters, instance_queries, leaving, task_launch, task_lifecycle, task_queries, tasks
from trunkline.reconciler import JobHandler

Params = dict[str, Any]


class TaskOps:
    def task_jobs(self) -> dict[str, JobHandler]:
        instance_queries.set_task_group_reader(tasks.task_groups_of)
        leaving.set_task_hooks(task_lifecycle.live_task_count, task_lifecycle.on_instance_leaving)
        lifecycle_hooks.subscribe(lifecycle_hooks.STOPPED, task_lifecycle.on_ec2_stopped)
        lifecycle_hooks.subscribe(lifecycle_hooks.TERMINATED, task_lifecycle.on_ec2_terminated)
        return {task_lifecycle.STEP_JOB: task_lifecycle.step_job}

    def run_task(self, ctx: RequestContext, params: Params) -> Params:
        return task_launch.run_task(ctx, params)

    def start_task(self, ctx: RequestContext, params: Params) -> Params:
        return task_launch.start_task(ctx, params)

    def stop_task(self, ctx: RequestContext, params: Params) -> Params:
        cluster_arn = clusters.resolve_cluster(ctx, params.get("cluster"))["clusterArn"]
        task = tasks.get(ctx, cluster_arn, params["task"])
        reason = params.get("reason") or task_lifecycle.USER_STOPPED
        return {"task": tasks.view(task_lifecycle.stop(ctx, task, "UserInitiated", reason))}

    def describe_tasks(self, ctx: RequestContext, params: Params) -> Params:
        found, failures = task_queries.describe(ctx, params)
        return {"tasks": found, "failures": failures}

    def list_tasks(self, ctx: RequestContext, params: Params) -> Params:
        arns, token = task_queries.list_arns(ctx, params)
        result: Params = {"taskArns": arns}
        if token is not None:
            result["nextToken"] = token
        return result
