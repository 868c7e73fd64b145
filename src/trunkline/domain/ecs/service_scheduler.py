"""The replica scheduler: one pass keeps a service's desiredCount tasks placed.

A pass runs as the clock job `ecs.service.scheduler` (step `ecs.service.scheduler`). It is woken,
not polled (a periodic job would never let the clock settle): by CreateService, UpdateService and
DeleteService; by any task change of the cluster that frees capacity or changes the counts (a task
reaching RUNNING or STOPPED, except one that failed to start); and by a container instance becoming
ACTIVE. A service has at most one
pass scheduled (`_passDue`).

One pass, for the newest (PRIMARY) deployment and the older ones (maximumPercent 200,
minimumHealthyPercent 100):
- old deployments' tasks are stopped as the new one's tasks reach RUNNING (all of them at
  desiredCount 0); the primary's tasks above desiredCount are stopped, those not yet running first;
- missing primary tasks are started through RunTask's placement (`task_launch.start`) with
  startedBy the deployment id and group `service:NAME`, as many as fit;
- the service's events: "(service NAME) has started N tasks: (task ID) ...", "... has stopped N
  running tasks: ...", the placement failure, or "has reached a steady state." once running equals
  desired. A message is not logged again while it is the newest event, and a placement failure not
  while the newest event is one (whichever instance was closest): AWS throttles repeats.
- a DRAINING service without tasks becomes INACTIVE;
- first of all, its tasks on DRAINING container instances are stopped and replaced as
  minimumHealthyPercent and maximumPercent allow (draining.py).

Event texts are the API's (with parentheses around "service NAME" and "container-instance ID"); the
console prints them without.
"""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import (
    capacity_strategy,
    draining,
    service_throttle,
    services,
    task_launch,
    task_lifecycle,
    task_roles,
    tasks,
)
from trunkline.domain.ecs.kinds import SERVICE, TASK
from trunkline.domain.ecs.records import ContainerInstanceRecord, ServiceRecord, TaskRecord

Record = dict[str, Any]

JOB = "ecs.service.scheduler"
STEP = "ecs.service.scheduler"
_STOP_CODE = "ServiceSchedulerInitiated"
_WAKING_TASK_STATES = ("RUNNING", "STOPPED")


# --- waking -----------------------------------------------------------------------------------------


def wake(ctx: RequestContext, record: ServiceRecord) -> None:
    """Schedule a pass for the service unless one is due."""
    if record["_passDue"] or record["status"] == "INACTIVE":
        return
    record["_passDue"] = True
    services.save(ctx, record)
    ctx.schedule(STEP, JOB, {"key": services.record_key(record)})


def wake_cluster(ctx: RequestContext, cluster_arn: str) -> None:
    for record in services.of_cluster(ctx, cluster_arn):
        wake(ctx, record)


def on_task_change(ctx: RequestContext, task: TaskRecord) -> None:
    """tasks' change listener: a task that runs or stops may let a service move on. A task that
    failed to start frees nothing: waking on it would retry at once, forever (the clock would never
    settle), so the service retries later, throttled (`service_throttle`)."""
    if task.get("stopCode") == "TaskFailedToStart":
        if task["lastStatus"] == "STOPPED":
            service_throttle.on_failed_to_start(ctx, task)
        return
    if task["lastStatus"] in _WAKING_TASK_STATES:
        wake_cluster(ctx, task["clusterArn"])


def on_instance_change(ctx: RequestContext, instance: ContainerInstanceRecord) -> None:
    """container_instances' change listener: an ACTIVE instance may have room for missing tasks, a
    DRAINING one's service tasks move elsewhere (draining.py)."""
    if instance["status"] in ("ACTIVE", "DRAINING"):
        wake_cluster(ctx, instance["_cluster"])


def retry_job(ctx: RequestContext, payload: Record) -> None:
    """The throttled retry after tasks failed to start: a pass, unless one is due already."""
    record = service_throttle.take_due(ctx, payload)
    if record is not None:
        wake(ctx, record)


# --- one pass ---------------------------------------------------------------------------------------


def job(ctx: RequestContext, payload: Record) -> None:
    record = SERVICE.at_key(ctx, payload["key"])
    if record is None:
        return
    record["_passDue"] = False
    if record["status"] != "INACTIVE":
        run_pass(ctx, record)
    services.save(ctx, record)


def _name(record: ServiceRecord) -> str:
    return f"(service {record['serviceName']})"


def _task_list(stopped: list[TaskRecord]) -> str:
    return " ".join(f"(task {tasks.id_of(t)})" for t in stopped)


def _stop(ctx: RequestContext, record: ServiceRecord, chosen: list[TaskRecord], deployment_id: str) -> None:
    if not chosen:
        return
    for task in chosen:
        task_lifecycle.stop(ctx, task, _STOP_CODE, f"Scaling activity initiated by (deployment {deployment_id})")
    services.add_event(ctx, record, f"{_name(record)} has stopped {len(chosen)} running tasks: {_task_list(chosen)}.")


def _old_tasks(ctx: RequestContext, record: ServiceRecord) -> list[TaskRecord]:
    return [t for d in record["_deployments"][1:] for t in services.deployment_tasks(ctx, record, d["id"])]


def _retire_old(
    ctx: RequestContext, record: ServiceRecord, primary: list[TaskRecord], old: list[TaskRecord], held: list[TaskRecord]
) -> list[TaskRecord]:
    """Stop old deployments' tasks (those not on a draining instance) as far as the primary's
    running tasks replace them; returns the old tasks still live."""
    running = sum(1 for t in primary if t["lastStatus"] == "RUNNING")
    surplus = max(0, running + len(old) - record["desiredCount"])
    kept = old[surplus:]
    _stop(ctx, record, old[:surplus], record["_deployments"][0]["id"])
    if not kept and not any(t["startedBy"] != record["_deployments"][0]["id"] for t in held):
        del record["_deployments"][1:]
    return kept


def _scale_in(ctx: RequestContext, record: ServiceRecord, primary: list[TaskRecord]) -> list[TaskRecord]:
    extra = len(primary) - record["desiredCount"]
    if extra <= 0:
        return primary
    # Tasks not yet running go first, then the newest.
    ordered = sorted(
        primary, key=lambda t: (t["lastStatus"] == "RUNNING", -float(t.get("startedAt") or t["createdAt"]))
    )
    _stop(ctx, record, ordered[:extra], record["_deployments"][0]["id"])
    return ordered[extra:]


def _failure_message(record: ServiceRecord, failure: Record) -> str:
    prefix = f"{_name(record)} was unable to place a task because no container instance met all of its requirements."
    if "arn" not in failure:
        return (
            f"{prefix} Reason: {failure['reason']} For more information, see the Troubleshooting section of "
            "the Amazon ECS Developer Guide."
        )
    instance_id = failure["arn"].rsplit("/", 1)[-1]
    return (
        f"{prefix} The closest matching (container-instance {instance_id}) encountered error "
        f'"{failure["reason"]}". For more information, see the Troubleshooting section.'
    )


def _scale_out(ctx: RequestContext, record: ServiceRecord, count: int) -> None:
    deployment = record["_deployments"][0]
    params = services.launch_params(record, deployment["id"])
    launch_type = services.launch_type_of(record)
    launch = task_launch.prepare(ctx, record["clusterArn"], launch_type, deployment["taskDefinition"], params)
    launch.service_name = record["serviceName"]
    role = task_roles.unassumable(ctx, launch.definition, launch.overrides)
    if role is not None:
        failed = f"{_name(record)} failed to launch a task with (error {task_roles.problem(role)})."
        services.add_event(ctx, record, failed, repeats=failed)
        return
    started, failures = _start(ctx, record, launch, count)
    if started:
        services.add_event(ctx, record, f"{_name(record)} has started {len(started)} tasks: {_task_list(started)}.")
    if failures:
        # Only the closest instance would differ between passes: one event until something else happens.
        unable = f"{_name(record)} was unable to place a task"
        services.add_event(ctx, record, _failure_message(record, failures[0]), repeats=unable)


def _start(
    ctx: RequestContext, record: ServiceRecord, launch: task_launch.Launch, count: int
) -> tuple[list[TaskRecord], list[Record]]:
    """Start tasks by launch type, or split over the service's capacity provider strategy by the
    tasks each provider holds already."""
    strategy = record.get("capacityProviderStrategy")
    if not strategy:
        return task_launch.start(ctx, launch, count)
    held: dict[str, int] = {}
    for deployment in record["_deployments"]:
        for task in services.deployment_tasks(ctx, record, deployment["id"]):
            name = task.get("capacityProviderName") or ""
            held[name] = held.get(name, 0) + 1
    names = capacity_strategy.assign(strategy, count, held)
    started: list[TaskRecord] = []
    failures: list[Record] = []
    for name in dict.fromkeys(names):
        launch.capacity_provider = name
        made, failed = task_launch.start(ctx, launch, names.count(name))
        started.extend(t for t in made if not t.get("_waiting"))
        failures.extend(failed)
    return started, failures


def _staying(found: list[TaskRecord], drain: draining.Drain) -> list[TaskRecord]:
    """The tasks not on a draining instance (those stopped by the drain are no longer live)."""
    return [t for t in found if t["desiredStatus"] != tasks.STOPPED and not drain.keeps(t)]


def run_pass(ctx: RequestContext, record: ServiceRecord) -> None:
    primary_id = record["_deployments"][0]["id"]
    primary = services.deployment_tasks(ctx, record, primary_id)
    old = _old_tasks(ctx, record)
    drain = draining.drain(ctx, record, primary + old)
    primary, old = _staying(primary, drain), _staying(old, drain)
    old = _retire_old(ctx, record, primary, old, drain.held)
    primary = _scale_in(ctx, record, primary)
    # Tasks kept on a draining instance count against maximumPercent until they are stopped.
    cap = draining.maximum_tasks(record) if drain.held else 2 * record["desiredCount"]
    room = cap - len(primary) - len(old) - len(drain.held)
    missing = min(record["desiredCount"] - len(primary), room)
    if missing > 0:
        _scale_out(ctx, record, missing)
        return
    running = sum(1 for t in primary if t["lastStatus"] == "RUNNING")
    if old or drain.held or running != len(primary) or running != record["desiredCount"]:
        return
    if record["status"] == "DRAINING":
        _finish_draining(ctx, record)
    else:
        service_throttle.clear(record)
        services.add_event(ctx, record, f"{_name(record)} has reached a steady state.")


def _finish_draining(ctx: RequestContext, record: ServiceRecord) -> None:
    """A drained service is INACTIVE once none of its tasks is left on the way down either."""
    for deployment in record["_deployments"]:
        found = TASK.find(ctx, "cluster_started_by", f"{record['clusterArn']}|{deployment['id']}")
        if any(tasks.is_live(t) for t in found):
            return
    record["status"] = "INACTIVE"
