"""A task's way up and down, one `ecs.task.step` at a time, and what stops it.

Up: awsvpc tasks PROVISIONING -> PENDING -> ACTIVATING -> RUNNING; others start at PENDING.
Leaving PROVISIONING the ENI attachment goes PRECREATED -> ATTACHED and the containers get their
`networkInterfaces`; PENDING sets `connectivity` and `pullStartedAt`, ACTIVATING `pullStoppedAt`,
RUNNING `startedAt` and the containers' `networkBindings` (bridge and host mode: `network_bindings`).

Down, once desiredStatus is STOPPED: DEACTIVATING -> STOPPING -> DEPROVISIONING (awsvpc only) ->
STOPPED, entered at the point the task had reached (a PROVISIONING task deprovisions at once, a
PENDING one starts at STOPPING). DEPROVISIONING marks the attachment DETACHING; STOPPED releases
the ENI (`task_enis.release`), marks the attachment DELETED, stops the containers and sets
`stoppedAt`/`executionStoppedAt`.

Each transition is one task `change` (a new version and an "ECS Task State Change" event) and,
when it moves what the host's counts and resources see of the task (`task_usage.footprint`), a
`task_usage.refresh` of its instance (a container-instance event when counts or resources moved).
A step job carries the version it was scheduled at; a change in between (StopTask) makes it stale.
A step job that runs late on a real clock takes the task's following steps that are due already
and leave the host as it is (`RequestContext.horizon`: an awsvpc task's PENDING -> ACTIVATING, a
stopping task's STOPPING -> DEPROVISIONING), each at its own due time with its own version and
event, in order, the task saved once after the last (docs/decisions.md). A manual clock runs
every step as its own job.

What stops a task (docs/decisions.md):
- StopTask: stopCode UserInitiated, stoppedReason the caller's reason, else "Task stopped by user";
- its EC2 instance stopping or terminating: TerminationNotice, "Host EC2 (instance i-…) stopped." /
  "… terminated." (AWS's observed texts);
- DeregisterContainerInstance with force: tasks keep running, orphaned (`_orphaned`: services stop
  counting them and start replacements; StopTask and their EC2 instance stopping still end them);
  a task on a branch ENI stops (UserInitiated, "Container instance deregistered.") because ECS
  deletes the trunk it rides;
- no address left in its subnet when its ENI was to be created: TaskFailedToStart;
- an awslogs container whose log group is missing (container_logs.py): TaskFailedToStart,
  "CannotStartContainerError: ... The specified log group does not exist. ..." (AWS's observed text).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import instances
from trunkline.domain.ecs import (
    cluster_lock,
    container_instances,
    container_logs,
    network_bindings,
    run_task_reads,
    task_enis,
    task_usage,
    tasks,
)
from trunkline.domain.ecs.kinds import TASK
from trunkline.domain.ecs.records import ContainerInstanceRecord, TaskRecord
from trunkline.store.api import JOB_LOCK, JOB_READS

Record = dict[str, Any]

STEP_JOB = "ecs.task.step"
_STEP = "ecs.task.step"  # the timing profile's entry: how long each step takes
USER_STOPPED = "Task stopped by user"

_UP = ("PROVISIONING", "PENDING", "ACTIVATING", "RUNNING")
# Where a task whose desiredStatus is STOPPED goes next, by where it is.
_DOWN = {
    "PROVISIONING": "DEPROVISIONING",
    "PENDING": "STOPPING",
    "ACTIVATING": "DEACTIVATING",
    "RUNNING": "DEACTIVATING",
    "DEACTIVATING": "STOPPING",
    "STOPPING": "DEPROVISIONING",
    "DEPROVISIONING": "STOPPED",
}


def first_status(awsvpc: bool) -> str:
    return "PROVISIONING" if awsvpc else "PENDING"


def next_status(task: TaskRecord) -> str | None:
    status = task["lastStatus"]
    if status == tasks.STOPPED:
        return None
    if task["desiredStatus"] == tasks.STOPPED:
        following = _DOWN[status]
        return "STOPPED" if following == "DEPROVISIONING" and not task["_awsvpc"] else following
    if status == "RUNNING":
        return None
    return _UP[_UP.index(status) + 1]


def schedule_step(ctx: RequestContext, task: TaskRecord) -> None:
    if next_status(task) is None:
        return
    payload = {"account": task["_account"], "region": task["_region"], "key": tasks.record_key(task)}
    # The step frees or takes the instance's resources: it takes turns with the cluster's placements.
    payload[JOB_LOCK] = cluster_lock.scope(task["clusterArn"])
    payload[JOB_READS] = TASK.name  # the task, asked for with the chunk's claim (no round trip of its own)
    ctx.schedule(_STEP, STEP_JOB, {**payload, "version": task["version"]})


def step_job(ctx: RequestContext, payload: Record) -> None:
    """Move a task one state on, unless something changed it since the step was scheduled; and on
    while its next step is already due (`ctx.horizon`: the reconciler ran late) and leaves the
    host alone, each step at its own time with its own version and event, in this transaction."""
    task = TASK.at_key(ctx, payload["key"])
    if task is None or task["version"] != payload["version"]:
        return
    unsaved = False  # a step taken early whose save waits for the next one
    while True:
        held = task_usage.footprint(task)  # what the host's counts and resources last saw of it
        status = _next(ctx, task)
        if status is None:
            if unsaved:  # not expected (the step taken early had a next status): saved all the same
                tasks.save(ctx, task)
            return
        _enter(ctx, task, status)
        due = ctx.now + ctx.timing.duration(_STEP)
        follows = ctx.horizon is not None and due <= ctx.horizon and _quiet_next(task)
        # A step the host's derived fields cannot see (most of the way up and down) neither reads
        # nor saves the host: they are a function of its live tasks, and this one is as it was.
        moved = task_usage.footprint(task) != held
        run_task_reads.step(ctx, task, refresh=moved)
        tasks.change(ctx, task, save_now=moved or not follows)
        if moved:
            _refresh_instance(ctx, task)
        if not follows:
            schedule_step(ctx, task)
            return
        unsaved = not moved
        ctx = replace(ctx, now=due)


def _quiet_next(task: TaskRecord) -> bool:
    """Whether the task's next step leaves what its host sees of it (`task_usage.footprint`) as it
    is: only such a step is taken early. A step that moves the host's counts or resources, or
    wakes the service scheduler, stays a job of its own, so those run in due order across tasks."""
    following = next_status(task)
    if following is None or following == tasks.STOPPED:
        return False
    return task_usage.footprint({**task, "lastStatus": following}) == task_usage.footprint(task)


def _next(ctx: RequestContext, task: TaskRecord) -> str | None:
    """The state the task enters next, after marking it stopping if it cannot go on; None: none."""
    if task["lastStatus"] == "PROVISIONING" and task["_eni"].get("failure") and task["desiredStatus"] != "STOPPED":
        _mark_stopping(ctx, task, "TaskFailedToStart", task["_eni"]["failure"])
    status = next_status(task)
    if status is None:
        return None
    failure = container_logs.before_entering(ctx, task, status)
    if failure is not None:
        _mark_stopping(ctx, task, "TaskFailedToStart", failure)
        status = next_status(task)
    return status


def _containers(task: TaskRecord, status: str) -> None:
    for container in task["containers"]:
        # A container that already stopped (one that could not start) stays STOPPED.
        if container["lastStatus"] != "STOPPED":
            container["lastStatus"] = status


def _enter(ctx: RequestContext, task: TaskRecord, status: str) -> None:
    """The effects of entering `status` (see the module doc)."""
    task["lastStatus"] = status
    if status == "PENDING":
        _attach(ctx, task)
        task["connectivity"] = "CONNECTED"
        task["connectivityAt"] = task["pullStartedAt"] = ctx.now
    elif status == "ACTIVATING":
        task["pullStoppedAt"] = ctx.now
    elif status == "RUNNING":
        task["startedAt"] = ctx.now
        _containers(task, "RUNNING")
        network_bindings.bind(ctx, task)
    elif status == "DEPROVISIONING":
        _set_attachment(ctx, task, "DETACHING")
    elif status == "STOPPED":
        _stop(ctx, task)


def _attach(ctx: RequestContext, task: TaskRecord) -> None:
    if not task["_awsvpc"]:
        return
    _set_attachment(ctx, task, "ATTACHED")
    # The address the attachment's details just read from the ENI (no second read of it).
    details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
    address = details.get("privateIPv4Address")
    interfaces = [{"attachmentId": task["_eni"]["attachmentId"], "privateIpv4Address": address}] if address else []
    for container in task["containers"]:
        container["networkInterfaces"] = [dict(i) for i in interfaces]


def _set_attachment(ctx: RequestContext, task: TaskRecord, status: str) -> None:
    if task["_awsvpc"]:
        task["attachments"] = [task_enis.attachment(ctx, task, status)]


def _stop(ctx: RequestContext, task: TaskRecord) -> None:
    if task["_awsvpc"]:
        details = task["attachments"][0]["details"] if task["attachments"] else []
        task_enis.release(ctx, task)
        task["attachments"] = [{**task_enis.attachment(ctx, task, "DELETED"), "details": details}]
    _containers(task, "STOPPED")
    task["stoppedAt"] = task["executionStoppedAt"] = ctx.now
    task.setdefault("stoppingAt", ctx.now)


def _refresh_instance(ctx: RequestContext, task: TaskRecord) -> None:
    instance = tasks.instance_record(ctx, task)
    if instance is not None:
        task_usage.refresh(ctx, instance)


# --- stopping ---------------------------------------------------------------------------------------


def _mark_stopping(ctx: RequestContext, task: TaskRecord, code: str, reason: str) -> None:
    task["desiredStatus"] = tasks.STOPPED
    task["stopCode"] = code
    task["stoppedReason"] = reason
    task["stoppingAt"] = ctx.now


def stop(ctx: RequestContext, task: TaskRecord, code: str, reason: str) -> TaskRecord:
    """Ask the task to stop (desiredStatus STOPPED), recorded as a change; a task already asked to
    stop is left as it is."""
    if task["desiredStatus"] == tasks.STOPPED:
        return task
    _mark_stopping(ctx, task, code, reason)
    tasks.change(ctx, task)
    schedule_step(ctx, task)
    return task


def stop_instance_tasks(ctx: RequestContext, instance: ContainerInstanceRecord, code: str, reason: str) -> None:
    for task in tasks.live_on_instance(ctx, instance["containerInstanceArn"]):
        stop(ctx, task, code, reason)


def on_instance_leaving(ctx: RequestContext, instance: ContainerInstanceRecord) -> None:
    """leaving.py's hook: an instance deregistered with force, or whose EC2 instance terminated.

    Terminated: its tasks stop with it. Forced deregistration: AWS leaves the tasks running,
    orphaned (services replace them elsewhere), except that a task riding a branch ENI loses it
    when ECS deletes the trunk, so that one stops (docs/decisions.md)."""
    ec2 = instances.find_instance(ctx, instance["ec2InstanceId"])
    if ec2 is not None and ec2["State"]["Name"] in ("shutting-down", "terminated"):
        reason = f"Host EC2 (instance {instance['ec2InstanceId']}) terminated."
        stop_instance_tasks(ctx, instance, "TerminationNotice", reason)
        return
    for task in tasks.live_on_instance(ctx, instance["containerInstanceArn"]):
        if (task.get("_eni") or {}).get("kind") == "branch":
            stop(ctx, task, "UserInitiated", "Container instance deregistered.")
        elif not task.get("_orphaned"):
            task["_orphaned"] = True  # not observable: ECS just stops counting it
            tasks.save(ctx, task)
            ctx.reactions.task_change(ctx, task)


def _stop_orphans(ctx: RequestContext, ec2_instance_id: str, reason: str) -> None:
    """Orphaned tasks still run on the EC2 instance: they go down with it."""
    for registration in container_instances.all_for_ec2(ctx, ec2_instance_id):
        for task in tasks.live_on_instance(ctx, registration["containerInstanceArn"]):
            if task.get("_orphaned"):
                stop(ctx, task, "TerminationNotice", reason)


def on_ec2_stopped(ctx: RequestContext, ec2: Record) -> None:
    """EC2 lifecycle listener: a stopped instance's tasks stop with it (orphaned ones too)."""
    reason = f"Host EC2 (instance {ec2['InstanceId']}) stopped."
    instance = container_instances.find_for_ec2(ctx, ec2["InstanceId"])
    if instance is not None:
        stop_instance_tasks(ctx, instance, "TerminationNotice", reason)
    _stop_orphans(ctx, ec2["InstanceId"], reason)


def on_ec2_terminated(ctx: RequestContext, ec2: Record) -> None:
    """EC2 lifecycle listener: orphaned tasks end with their instance (the live container instance's
    tasks stop through its deregistration)."""
    _stop_orphans(ctx, ec2["InstanceId"], f"Host EC2 (instance {ec2['InstanceId']}) terminated.")


def live_task_count(ctx: RequestContext, instance: ContainerInstanceRecord) -> int:
    """leaving.py's hook: tasks that keep an instance from deregistering without force."""
    return len(tasks.live_on_instance(ctx, instance["containerInstanceArn"]))
