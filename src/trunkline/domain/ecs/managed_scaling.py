"""Managed scaling of an Auto Scaling group capacity provider, as AWS documents it
(capacity-behaviour.md §3-§5), one round at a time on trunkline's clock (the job
`capacity_association.JOB`, every 60 s while there is something to do; woken early when tasks
start waiting, run or stop, and when an instance of the provider becomes ACTIVE; idle otherwise,
so the clock can settle).

One round, for a provider with managed scaling ENABLED associated with a cluster:
1. its waiting (PROVISIONING) tasks are placed where they fit now, oldest first;
2. managed termination protection: each instance of the group is protected from scale-in while it
   runs a task, unprotected once it runs none;
3. the CapacityProviderReservation figure: N = the group's live instances (Pending or InService),
   M = the instances needed for every task of the provider, running and waiting. M counts every
   binding resource, ENI slots included: the waiting tasks are packed first-fit (CPU, memory,
   awsvpc task slots) into the free room of the group's instances, then into new instances of the
   type the group launches next, whose slots follow the catalog (trunked or not, as the group's
   registered instances are). CPR = M / N x 100; N = 0 gives 200 with tasks waiting, else 100.
   Tasks too big for a new instance do not drive scaling (they wait, then time out);
4. above the target (and no instance launched within instanceWarmupPeriod): the desired capacity
   becomes N + step, step = max(minimumScalingStepSize, min(maximumScalingStepSize, M - N)),
   scaled by the target (desired = ceil((N + step) x 100 / target)), within the group's bounds;
5. below the target for 15 consecutive rounds (the AlarmLow alarm's 15 datapoints): the empty
   instances to remove are drained (container instance DRAINING, managed draining) and the desired
   capacity drops to ceil(M x 100 / target), at most half the instances per round (but at least one).
The group's activities carry the cause AWS writes for an alarm-driven change; the figure of the
last round is served at /_trunkline/capacity-providers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import catalog
from trunkline.domain.autoscaling import activities, groups
from trunkline.domain.autoscaling.kinds import GROUP, MEMBER
from trunkline.domain.ec2 import launch_templates
from trunkline.domain.ecs import (
    agent_report,
    capacity,
    capacity_association,
    container_instances,
    services,
    task_launch,
    task_usage,
    tasks,
    trunking,
)
from trunkline.domain.ecs.kinds import CAPACITY_PROVIDER, CLUSTER
from trunkline.errors import AwsError

Record = dict[str, Any]

LOW_DATAPOINTS = 15
_LIVE = ("Pending", "InService")


@dataclass
class Room:
    """What one instance has left, in the estimate."""

    cpu: int
    memory: int
    slots: int  # awsvpc task slots
    used: bool = False


@dataclass
class Reservation:
    instances: int = 0  # N
    needed: int = 0  # M
    waiting: int = 0  # tasks waiting for capacity
    fitting: int = 0  # of them, those a new instance could take
    empty: list[Record] = field(default_factory=list)  # registered instances running no task

    @property
    def figure(self) -> float:
        if self.instances == 0:
            return 200.0 if self.fitting else 100.0
        return self.needed / self.instances * 100.0


# --- the estimate -----------------------------------------------------------------------------------


def _next_type(ctx: RequestContext, group: Record) -> str | None:
    """The instance type the group launches next (its first override, else its template's)."""
    if "MixedInstancesPolicy" in group:
        inner = group["MixedInstancesPolicy"]["LaunchTemplate"]
        overrides = [o["InstanceType"] for o in inner.get("Overrides") or [] if o.get("InstanceType")]
        if overrides:
            return str(overrides[0])
        spec = inner["LaunchTemplateSpecification"]
    else:
        spec = group["LaunchTemplate"]
    try:
        merged, _ = launch_templates.run_parameters(
            ctx, {"LaunchTemplateId": spec["LaunchTemplateId"], "Version": spec["Version"]}, {}
        )
    except AwsError:
        return None
    return merged.get("InstanceType")


def _fresh(instance_type: str | None, trunked: bool) -> Room | None:
    known = catalog.get_instance_type(instance_type or "")
    if known is None:
        return None
    slots = known.awsvpc_tasks_trunked if trunked and known.supports_trunking else known.awsvpc_tasks
    return Room(agent_report.cpu_units(known), agent_report.registered_memory(known), int(slots or 0))


def _fits(room: Room, task: Record) -> bool:
    return (
        room.cpu >= int(task["cpu"])
        and room.memory >= int(task["memory"])
        and (not task.get("_needsEni") or room.slots >= 1)
    )


def _take(room: Room, task: Record) -> None:
    room.cpu -= int(task["cpu"])
    room.memory -= int(task["memory"])
    room.slots -= 1 if task.get("_needsEni") else 0
    room.used = True


def provider_instances(ctx: RequestContext, cluster_arn: str, provider: str) -> list[Record]:
    """The provider's registered container instances in the cluster (ACTIVE or DRAINING)."""
    found: list[Record] = []
    for status in ("ACTIVE", "DRAINING"):
        rows = ctx.tx.find(container_instances.KIND, "cluster_status", f"{cluster_arn}|{status}")
        found.extend(r for r in rows if r.get("capacityProviderName") == provider)
    return found


def reserve(ctx: RequestContext, record: Record, cluster: Record, group: Record) -> Reservation:
    """The CapacityProviderReservation inputs now (see the module doc)."""
    live = [m for m in MEMBER.find(ctx, "group", group["AutoScalingGroupName"]) if m["LifecycleState"] in _LIVE]
    registered = {r["ec2InstanceId"]: r for r in provider_instances(ctx, cluster["clusterArn"], record["name"])}
    trunked = any(trunking.applies(r) for r in registered.values())
    rooms: list[Room] = []
    result = Reservation(instances=len(live))
    waiting = task_launch.waiting_of_provider(ctx, cluster["clusterArn"], record["name"])
    result.waiting = len(waiting)
    for member in live:
        instance = registered.get(member["InstanceId"])
        if instance is None:  # not registered yet: a whole instance of its type
            room = _fresh(member["InstanceType"], trunked)
            if room is not None:
                rooms.append(room)
            continue
        busy = is_busy(instance)
        if not busy:
            result.empty.append(instance)
        if not waiting:  # nothing to pack: the instance's free room is not needed
            rooms.append(Room(0, 0, 0, used=busy))
            continue
        cpu, memory, _, _ = task_usage.remaining_cpu_memory_ports(instance)
        slots = capacity.available_task_enis(ctx, instance) if instance["status"] == "ACTIVE" else 0
        rooms.append(Room(cpu, memory, slots, used=busy))
    model = _fresh(_next_type(ctx, group), trunked)
    extra: list[Room] = []
    for task in waiting:
        if model is None or not _fits(Room(model.cpu, model.memory, model.slots), task):
            continue  # too big for a new instance: no scaling for it
        result.fitting += 1
        room = next((r for r in [*rooms, *extra] if _fits(r, task)), None)
        if room is None:
            room = Room(model.cpu, model.memory, model.slots)
            extra.append(room)
        _take(room, task)
    result.needed = sum(1 for r in rooms if r.used) + len(extra)
    return result


def is_busy(instance: Record) -> bool:
    """Whether the instance runs (or is starting) a task: its own counts, no task read."""
    return int(instance.get("runningTasksCount") or 0) + int(instance.get("pendingTasksCount") or 0) > 0


# --- one round --------------------------------------------------------------------------------------


def _cause(ctx: RequestContext, record: Record, alarm: str, before: int, after: int) -> str:
    return (
        f"At {activities.at(ctx)} a monitor alarm {record[alarm]} in state ALARM triggered policy "
        f"{record['_policyName']} changing the desired capacity from {before} to {after}."
    )


def _place_waiting(ctx: RequestContext, record: Record, cluster: Record) -> None:
    placed = task_launch.place_waiting(ctx, cluster["clusterArn"], record["name"])
    by_service: dict[str, list[Record]] = {}
    for task in placed:
        name = task.get("_serviceName")
        if name:
            by_service.setdefault(name, []).append(task)
    for name, started in by_service.items():
        service = services.find(ctx, cluster["clusterArn"], name)
        if service is None:
            continue
        listed = " ".join(f"(task {tasks.id_of(t)})" for t in started)
        services.add_event(ctx, service, f"(service {name}) has started {len(started)} tasks: {listed}.")
        services.save(ctx, service)


def _protect(ctx: RequestContext, record: Record, cluster: Record, group: Record) -> None:
    """Managed termination protection: protected while running tasks, unprotected when idle."""
    if record["autoScalingGroupProvider"]["managedTerminationProtection"] != "ENABLED":
        return
    for instance in provider_instances(ctx, cluster["clusterArn"], record["name"]):
        member = MEMBER.get(ctx, instance["ec2InstanceId"])
        if member is None or member["LifecycleState"] not in _LIVE:
            continue
        busy = is_busy(instance)
        if member["ProtectedFromScaleIn"] != busy:
            groups.set_instance_protection(ctx, group["AutoScalingGroupName"], [member["InstanceId"]], busy)


def _warming(ctx: RequestContext, record: Record, group: Record) -> bool:
    warmup = record["autoScalingGroupProvider"]["managedScaling"]["instanceWarmupPeriod"]
    members = MEMBER.find(ctx, "group", group["AutoScalingGroupName"])
    return any(m["LifecycleState"] in _LIVE and ctx.now - float(m["_launchedAt"]) < warmup for m in members)


def _scale_out(ctx: RequestContext, record: Record, group: Record, found: Reservation) -> None:
    scaling = record["autoScalingGroupProvider"]["managedScaling"]
    n = found.instances
    if n == 0:
        desired = 2
    else:
        step = max(scaling["minimumScalingStepSize"], min(scaling["maximumScalingStepSize"], found.needed - n))
        desired = math.ceil((n + step) * 100 / scaling["targetCapacity"])
    desired = min(desired, group["MaxSize"])
    before = group["DesiredCapacity"]
    if desired > before:
        groups.set_desired_by_policy(
            ctx, group["AutoScalingGroupName"], desired, _cause(ctx, record, "_alarmHigh", before, desired)
        )


def _scale_in(ctx: RequestContext, record: Record, cluster: Record, group: Record, found: Reservation) -> None:
    target = record["autoScalingGroupProvider"]["managedScaling"]["targetCapacity"]
    n = found.instances
    # At most half the instances a round, but at least one: a lone idle instance must be able to go
    # (MinSize 0), or the round would stay busy, rescheduled every minute for ever.
    desired = max(math.ceil(found.needed * 100 / target), n - max(1, n // 2), group["MinSize"])
    before = group["DesiredCapacity"]
    if desired >= before:
        return
    # Managed draining: the idle instances that go are set DRAINING before the group terminates them.
    for instance in found.empty[: before - desired]:
        if instance["status"] == "ACTIVE":
            instance["status"] = "DRAINING"
            container_instances.change(ctx, instance)
    groups.set_desired_by_policy(
        ctx, group["AutoScalingGroupName"], desired, _cause(ctx, record, "_alarmLow", before, desired)
    )


def round_job(ctx: RequestContext, payload: Record) -> None:
    record = CAPACITY_PROVIDER.get(ctx, payload["provider"])
    if record is None:
        return
    record["_roundDue"] = False
    cluster = CLUSTER.get(ctx, record["_clusters"][0]) if record["_clusters"] else None
    group = GROUP.get(ctx, record["_groupName"])
    enabled = record["autoScalingGroupProvider"]["managedScaling"]["status"] == "ENABLED"
    if record["status"] != "ACTIVE" or cluster is None or group is None or not enabled:
        CAPACITY_PROVIDER.save(ctx, record)
        return
    _place_waiting(ctx, record, cluster)
    _protect(ctx, record, cluster, group)
    found = reserve(ctx, record, cluster, group)
    record["_reservation"] = {
        "capacityProviderReservation": found.figure,
        "instancesNeeded": found.needed,
        "instancesInGroup": found.instances,
        "tasksWaiting": found.waiting,
        "at": ctx.now,
    }
    target = record["autoScalingGroupProvider"]["managedScaling"]["targetCapacity"]
    busy = _act(ctx, record, cluster, group, found, target)
    if busy:
        capacity_association.schedule(ctx, record)
    CAPACITY_PROVIDER.save(ctx, record)


def _act(ctx: RequestContext, record: Record, cluster: Record, group: Record, found: Reservation, target: int) -> bool:
    """Move the group towards the target; True while another round is needed."""
    members = [m for m in MEMBER.find(ctx, "group", group["AutoScalingGroupName"]) if m["LifecycleState"] in _LIVE]
    unsettled = (
        len(members) != group["DesiredCapacity"]
        or any(m["LifecycleState"] == "Pending" for m in members)
        or len(provider_instances(ctx, cluster["clusterArn"], record["name"])) < len(members)
    )
    if found.figure > target and found.fitting:
        record["_lowRounds"] = 0
        if not _warming(ctx, record, group):
            _scale_out(ctx, record, group, found)
        return group["DesiredCapacity"] < group["MaxSize"] or unsettled
    if found.figure < target:
        record["_lowRounds"] = int(record.get("_lowRounds") or 0) + 1
        if record["_lowRounds"] >= LOW_DATAPOINTS:
            _scale_in(ctx, record, cluster, group, found)
        return group["DesiredCapacity"] > group["MinSize"] or unsettled
    record["_lowRounds"] = 0
    return unsettled


# --- waking -----------------------------------------------------------------------------------------


def on_task_change(ctx: RequestContext, task: Record) -> None:
    """A task of a provider ran or stopped: a round soon (protection, placement, the figure)."""
    name = task.get("capacityProviderName")
    if name and task["lastStatus"] in ("RUNNING", "STOPPED") and task.get("launchType") == "EC2":
        capacity_association.wake(ctx, name)


def on_instance_change(ctx: RequestContext, instance: Record) -> None:
    """An instance of a provider became ACTIVE: its waiting tasks can be placed."""
    name = instance.get("capacityProviderName")
    if name and instance["status"] == "ACTIVE":
        capacity_association.wake(ctx, name)


def view(ctx: RequestContext, cluster_ref: str | None) -> Record:
    """GET /_trunkline/capacity-providers: each Auto Scaling group provider of the cluster (or of
    the region) with its CapacityProviderReservation figure now."""
    chosen: list[Record] = []
    for record in CAPACITY_PROVIDER.scan(ctx):
        if record["status"] != "ACTIVE" or (cluster_ref and cluster_ref not in record["_clusters"]):
            continue
        group = GROUP.get(ctx, record["_groupName"])
        cluster = CLUSTER.get(ctx, record["_clusters"][0]) if record["_clusters"] else None
        entry: Record = {
            "name": record["name"],
            "autoScalingGroupName": record["_groupName"],
            "clusters": record["_clusters"],
            "managedScaling": record["autoScalingGroupProvider"]["managedScaling"],
        }
        if group is not None and cluster is not None:
            found = reserve(ctx, record, cluster, group)
            entry.update(
                capacityProviderReservation=found.figure,
                instancesNeeded=found.needed,
                instancesInGroup=found.instances,
                tasksWaiting=found.waiting,
                desiredCapacity=group["DesiredCapacity"],
                lowDatapoints=int(record.get("_lowRounds") or 0),
            )
        chosen.append(entry)
    return {"capacityProviders": chosen}
