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
   binding resource placement models, ENI slots included: the waiting tasks are packed first-fit
   (CPU, memory, awsvpc task slots, static host ports, GPUs; a task with the distinctInstance
   constraint never onto an instance with a task of its group) into the free room of the group's
   instances, then into new instances of the type the group launches next, whose slots follow
   the catalog (trunked or not, as the group's registered instances are) and whose ports are the
   agent's default reserved ones, and GPUs (a new instance has its type's GPUs, gpus.py). CPR = M / N x 100; N = 0 gives 200 with tasks waiting, else 100.
   Tasks too big for a new instance do not drive scaling (they wait, then time out);
4. above the target (and no instance launched within instanceWarmupPeriod): with tasks waiting the
   desired capacity becomes N + step, step = max(minimumScalingStepSize, min(maximumScalingStepSize, M - N)),
   scaled by the target (desired = ceil((N + step) x 100 / target)), within the group's bounds;
   with none waiting (a target below 100), once every instance has registered, target tracking's
   desired = ceil(N x CPR / target): the spare instances a target below 100 keeps;
5. below the target for 15 consecutive rounds (the AlarmLow alarm's 15 datapoints): the desired
   capacity drops to ceil(M x 100 / target), at most half the instances per round (but at least
   one); the group picks which go, and managed draining drains them through ECS's lifecycle hook
   (without managed draining, empty instances are set DRAINING first).
The group's activities carry the cause AWS writes for an alarm-driven change; the figure of the
last round is served at /_trunkline/capacity-providers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from trunkline.context import RequestContext
from trunkline.domain import catalog
from trunkline.domain.autoscaling import activities, groups, instance_requirements, lifecycle
from trunkline.domain.autoscaling.kinds import GROUP, LIVE_STATES, MEMBER, launched_field, launched_value
from trunkline.domain.autoscaling.records import AutoScalingGroupRecord
from trunkline.domain.ec2 import launch_templates
from trunkline.domain.ecs import (
    agent_config,
    agent_report,
    capacity,
    capacity_association,
    container_instances,
    gpus,
    instance_index,
    services,
    task_definitions,
    task_launch,
    task_usage,
    tasks,
    trunking,
)
from trunkline.domain.ecs.kinds import CAPACITY_PROVIDER, CLUSTER, CONTAINER_INSTANCE
from trunkline.domain.ecs.records import CapacityProviderRecord, ClusterRecord, ContainerInstanceRecord, TaskRecord
from trunkline.errors import AwsError

Record = dict[str, Any]

LOW_DATAPOINTS = 15
_LIVE = LIVE_STATES
#: Member states that keep rounds coming: launching, or waiting on ECS to drain them.
_UNSETTLED = ("Pending", "Pending:Wait", "Pending:Proceed", "Terminating:Wait")


@dataclass
class Room:
    """What one instance has left, in the estimate."""

    cpu: int
    memory: int
    slots: int  # awsvpc task slots
    used: bool = False
    tcp: set[int] = field(default_factory=set)  # host ports in use (the agent's reserved ones too)
    udp: set[int] = field(default_factory=set)
    gpus: int = 0  # GPUs no task holds
    groups: set[str] = field(default_factory=set)  # task groups with a live (or packed) task here

    def copy(self) -> Room:
        return Room(
            self.cpu,
            self.memory,
            self.slots,
            tcp=set(self.tcp),
            udp=set(self.udp),
            gpus=self.gpus,
            groups=set(self.groups),
        )


@dataclass(frozen=True)
class Need:
    """What one waiting task takes from an instance: every resource placement binds on."""

    cpu: int
    memory: int
    eni: bool  # an awsvpc task slot
    tcp: frozenset[int]  # static host ports (bridge and host network modes)
    udp: frozenset[int]
    gpus: int = 0  # its containers' GPU requirements, summed
    distinct: str = ""  # its task group, when a distinctInstance constraint keeps it off the group's instances


@dataclass
class Reservation:
    instances: int = 0  # N
    needed: int = 0  # M
    waiting: int = 0  # tasks waiting for capacity
    fitting: int = 0  # of them, those a new instance could take
    empty: list[ContainerInstanceRecord] = field(default_factory=list)  # registered instances running no task

    @property
    def figure(self) -> float:
        if self.instances == 0:
            return 200.0 if self.fitting else 100.0
        return self.needed / self.instances * 100.0


# --- the estimate -----------------------------------------------------------------------------------


def _next_type(ctx: RequestContext, group: AutoScalingGroupRecord) -> str | None:
    """The instance type the group launches next (its first override, else its template's)."""
    try:
        spec, chosen = instance_requirements.launch_choice(ctx, group)
    except AwsError:
        return None  # no type meets its requirements: nothing to launch
    if chosen is not None:
        return chosen
    try:
        merged, _ = launch_templates.run_parameters(
            ctx, {"LaunchTemplateId": spec["LaunchTemplateId"], "Version": spec["Version"]}, {}
        )
    except AwsError:
        return None
    return merged.get("InstanceType")


def _fresh(instance_type: str | None, trunked: bool) -> Room | None:
    """A new instance of the type: its registered CPU and memory, its awsvpc task slots, and the
    agent's default reserved ports."""
    known = catalog.get_instance_type(instance_type or "")
    if known is None:
        return None
    slots = known.awsvpc_tasks_trunked if trunked and known.supports_trunking else known.awsvpc_tasks
    room = Room(agent_report.cpu_units(known), agent_report.registered_memory(known), int(slots or 0))
    room.tcp = set(agent_config.DEFAULT_RESERVED_PORTS)
    room.gpus = gpus.count(known.name)
    return room


def _distinct(definition: Mapping[str, Any] | None, task: TaskRecord) -> bool:
    """Whether the task's placement constraints (its launch's and its task definition's) include
    distinctInstance: each of its group's tasks on an instance of its own."""
    launch = cast(Mapping[str, Any], task.get("_launch") or {})
    params = cast(Mapping[str, Any], launch.get("params") or {})
    constraints = [*(params.get("placementConstraints") or []), *((definition or {}).get("placementConstraints") or [])]
    return any(isinstance(c, Mapping) and c.get("type") == "distinctInstance" for c in constraints)


def _needs(ctx: RequestContext, waiting: list[TaskRecord]) -> list[Need]:
    """Each waiting task's needs: CPU and memory as the task has them, its awsvpc slot, its task
    definition's static host ports (read once per definition) and its distinctInstance group."""
    ports: dict[str, tuple[frozenset[int], frozenset[int], int, Mapping[str, Any] | None]] = {}
    needs: list[Need] = []
    for task in waiting:
        arn = task["taskDefinitionArn"]
        if arn not in ports:
            definition = task_definitions.find(ctx, arn)
            demand = task_definitions.demand(definition) if definition is not None else None
            wanted = gpus.task_gpus(definition) if definition is not None else 0
            found = cast(Mapping[str, Any] | None, definition)
            ports[arn] = (
                (demand.tcp_ports, demand.udp_ports, wanted, found) if demand else (frozenset(), frozenset(), 0, found)
            )
        tcp, udp, gpu_count, definition_record = ports[arn]
        distinct = str(task.get("group") or "") if _distinct(definition_record, task) else ""
        needs.append(
            Need(int(task["cpu"]), int(task["memory"]), bool(task.get("_needsEni")), tcp, udp, gpu_count, distinct)
        )
    return needs


def _fits(room: Room, need: Need) -> bool:
    return (
        room.cpu >= need.cpu
        and room.memory >= need.memory
        and (not need.eni or room.slots >= 1)
        and not need.tcp & room.tcp
        and not need.udp & room.udp
        and room.gpus >= need.gpus
        and not (need.distinct and need.distinct in room.groups)
    )


def _take(room: Room, need: Need) -> None:
    room.cpu -= need.cpu
    room.memory -= need.memory
    room.slots -= 1 if need.eni else 0
    room.tcp |= need.tcp
    room.udp |= need.udp
    room.gpus -= need.gpus
    if need.distinct:
        room.groups.add(need.distinct)
    room.used = True


def provider_instances(ctx: RequestContext, cluster_arn: str, provider: str) -> list[ContainerInstanceRecord]:
    """The provider's registered container instances in the cluster (ACTIVE or DRAINING)."""
    return CONTAINER_INSTANCE.find(ctx, "provider", f"{cluster_arn}|{provider}")


def reserve(
    ctx: RequestContext, record: CapacityProviderRecord, cluster: ClusterRecord, group: AutoScalingGroupRecord
) -> Reservation:
    """The CapacityProviderReservation inputs now: counted (`counted`) when no task waits, else
    packed (`reserve_full`)."""
    waiting = task_launch.waiting_of_provider(ctx, cluster["clusterArn"], record["name"])
    if waiting:
        return reserve_full(ctx, record, cluster, group, waiting)
    return counted(ctx, record, cluster, group)


def counted(
    ctx: RequestContext, record: CapacityProviderRecord, cluster: ClusterRecord, group: AutoScalingGroupRecord
) -> Reservation:
    """N and M with no task waiting, counted from the indexes (`kinds.MEMBER`,
    `instance_index.provider_index`) instead of reading every member and instance, so a round costs
    about the same at 1,000 instances as at 100: M is the number of live members whose registered
    instance runs a task. Equal to `reserve_full(..., waiting=[])` (tests/test_managed_scaling_counts.py)
    because every registered instance of a provider is a member of its group: its
    `capacityProviderName` comes from the membership at registration, and the member leaves only
    when the EC2 instance is gone, which deregisters it in the same transaction."""
    name = group["AutoScalingGroupName"]
    result = Reservation(instances=MEMBER.count(ctx, "live", name))
    busy = CONTAINER_INSTANCE.count(ctx, "provider_busy", f"{cluster['clusterArn']}|{record['name']}")
    # A busy instance counts only while its member is live: take out the (few) others.
    for member in MEMBER.find(ctx, "not_live", name):
        instance = container_instances.find_for_ec2(ctx, member["InstanceId"])
        if instance is not None and _registered_to(instance, cluster, record) and is_busy(instance):
            busy -= 1
    result.needed = busy
    return result


def _registered_to(instance: ContainerInstanceRecord, cluster: ClusterRecord, record: CapacityProviderRecord) -> bool:
    return (
        instance["_cluster"] == cluster["clusterArn"]
        and instance.get("capacityProviderName") == record["name"]
        and instance["status"] in ("ACTIVE", "DRAINING")
    )


def reserve_full(
    ctx: RequestContext,
    record: CapacityProviderRecord,
    cluster: ClusterRecord,
    group: AutoScalingGroupRecord,
    waiting: list[TaskRecord] | None = None,
) -> Reservation:
    """The CapacityProviderReservation inputs computed from every member and instance (see the
    module doc); `reserve` gives the same figures, counted when nothing waits."""
    live = [m for m in MEMBER.find(ctx, "group", group["AutoScalingGroupName"]) if m["LifecycleState"] in _LIVE]
    registered = {r["ec2InstanceId"]: r for r in provider_instances(ctx, cluster["clusterArn"], record["name"])}
    trunked = any(trunking.applies(r) for r in registered.values())
    rooms: list[Room] = []
    result = Reservation(instances=len(live))
    if waiting is None:
        waiting = task_launch.waiting_of_provider(ctx, cluster["clusterArn"], record["name"])
    result.waiting = len(waiting)
    needs = _needs(ctx, waiting)
    # The instances running a live task of each distinctInstance group: one index read per group.
    hosted = {g: tasks.group_counts(ctx, cluster["clusterArn"], g) for g in {n.distinct for n in needs if n.distinct}}
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
        cpu, memory, tcp, udp = task_usage.remaining_cpu_memory_ports(instance)
        slots = capacity.available_task_enis(ctx, instance) if instance["status"] == "ACTIVE" else 0
        room = Room(cpu, memory, slots, used=busy, tcp=tcp, udp=udp, gpus=gpus.free_count(instance))
        room.groups = {g for g, hosts in hosted.items() if instance["containerInstanceArn"] in hosts}
        rooms.append(room)
    model = _fresh(_next_type(ctx, group), trunked)
    extra: list[Room] = []
    for need in needs:
        if model is None or not _fits(model, need):
            continue  # too big for a new instance (or its ports are the agent's): no scaling for it
        result.fitting += 1
        room = next((r for r in [*rooms, *extra] if _fits(r, need)), None)
        if room is None:
            room = model.copy()
            extra.append(room)
        _take(room, need)
    result.needed = sum(1 for r in rooms if r.used) + len(extra)
    return result


def is_busy(instance: ContainerInstanceRecord) -> bool:
    """Whether the instance runs (or is starting) a task: its own counts, no task read."""
    return instance_index.is_busy(instance)


# --- one round --------------------------------------------------------------------------------------


def _cause(ctx: RequestContext, record: CapacityProviderRecord, alarm: str, before: int, after: int) -> str:
    return (
        f"At {activities.at(ctx)} a monitor alarm {cast(Mapping[str, Any], record)[alarm]} in state ALARM triggered policy "
        f"{record['_policyName']} changing the desired capacity from {before} to {after}."
    )


def _place_waiting(ctx: RequestContext, record: CapacityProviderRecord, cluster: ClusterRecord) -> None:
    placed = task_launch.place_waiting(ctx, cluster["clusterArn"], record["name"])
    by_service: dict[str, list[TaskRecord]] = {}
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


def _protect(
    ctx: RequestContext, record: CapacityProviderRecord, cluster: ClusterRecord, group: AutoScalingGroupRecord
) -> None:
    """Managed termination protection: protected while running tasks, unprotected when idle. ECS
    acts when an instance's busy state changes (and once it first registers): the instances whose
    state managed termination protection has not yet seen are an index (`provider_mtp`), each
    keeps the state last acted on (`_mtpBusy`)."""
    if record["autoScalingGroupProvider"]["managedTerminationProtection"] != "ENABLED":
        return
    for instance in CONTAINER_INSTANCE.find(ctx, "provider_mtp", f"{cluster['clusterArn']}|{record['name']}"):
        member = MEMBER.get(ctx, instance["ec2InstanceId"])
        if member is None or member["LifecycleState"] not in _LIVE:
            continue  # not in service yet (or leaving): looked at again next round
        busy = is_busy(instance)
        if member["ProtectedFromScaleIn"] != busy:
            groups.set_instance_protection(ctx, group["AutoScalingGroupName"], [member["InstanceId"]], busy)
        instance["_mtpBusy"] = busy
        container_instances.save(ctx, instance)


def _finish_draining(ctx: RequestContext, group: AutoScalingGroupRecord) -> None:
    """Managed draining: an instance waiting in Terminating:Wait on ECS's hook is set DRAINING (the
    service scheduler moves its service tasks: draining.py), and ECS completes the hook with CONTINUE once it runs none."""
    for member in MEMBER.find(ctx, "state", f"{group['AutoScalingGroupName']}|Terminating:Wait"):
        if capacity_association.HOOK_NAME not in lifecycle.pending_hooks(member):
            continue
        instance = container_instances.find_for_ec2(ctx, member["InstanceId"])
        if instance is not None and instance["status"] == "ACTIVE":
            instance["status"] = "DRAINING"
            container_instances.change(ctx, instance)
        if instance is None or not is_busy(instance):
            lifecycle.close(ctx, member, capacity_association.HOOK_NAME, "CONTINUE")


def _warming(ctx: RequestContext, record: CapacityProviderRecord, group: AutoScalingGroupRecord) -> bool:
    """Whether a live member launched within instanceWarmupPeriod: the newest launches only, from
    the members' ordered launch index."""
    # The period as set, in the timing profile's time (fast timing scales it like its own durations).
    warmup = ctx.timing.period(record["autoScalingGroupProvider"]["managedScaling"]["instanceWarmupPeriod"])
    field_name = launched_field(group["AutoScalingGroupName"])
    lowest = MEMBER.index_value(ctx, field_name, launched_value(ctx.now - warmup))
    after: tuple[str, str] | None = None
    while True:
        rows = ctx.tx.find_from(MEMBER.name, field_name, lowest, after, limit=8)
        if any(ctx.now - float(member["_launchedAt"]) < warmup for _, _, member in rows):
            return True
        if len(rows) < 8:
            return False
        after = rows[-1][:2]


def _scale_out(
    ctx: RequestContext, record: CapacityProviderRecord, group: AutoScalingGroupRecord, found: Reservation
) -> None:
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


def _keep_spare(
    ctx: RequestContext, record: CapacityProviderRecord, group: AutoScalingGroupRecord, found: Reservation, target: int
) -> None:
    """Target tracking's own rule, desired = ceil(N x CPR / target), for CPR above a target below
    100 when no task waits (docs/decisions.md)."""
    desired = min(math.ceil(found.instances * found.figure / target), group["MaxSize"])
    before = group["DesiredCapacity"]
    if desired > before:
        groups.set_desired_by_policy(
            ctx, group["AutoScalingGroupName"], desired, _cause(ctx, record, "_alarmHigh", before, desired)
        )


def _scale_in(
    ctx: RequestContext,
    record: CapacityProviderRecord,
    cluster: ClusterRecord,
    group: AutoScalingGroupRecord,
    found: Reservation,
) -> None:
    target = record["autoScalingGroupProvider"]["managedScaling"]["targetCapacity"]
    n = found.instances
    # At most half the instances a round, but at least one: a lone idle instance must be able to go
    # (MinSize 0), or the round would stay busy, rescheduled every minute for ever.
    desired = max(math.ceil(found.needed * 100 / target), n - max(1, n // 2), group["MinSize"])
    before = group["DesiredCapacity"]
    if desired >= before:
        return
    # The group picks the instances that go (by its termination policy, among the unprotected).
    # With managed draining, ECS's hook drains whichever it picked (_finish_draining); draining
    # idle instances here could pick others, left DRAINING in service for good.
    if record["autoScalingGroupProvider"].get("managedDraining") != "ENABLED":
        empty = reserve_full(ctx, record, cluster, group).empty
        for instance in empty[: before - desired]:
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
    if record["status"] == "ACTIVE" and cluster is not None and group is not None:
        _finish_draining(ctx, group)
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


def _act(
    ctx: RequestContext,
    record: CapacityProviderRecord,
    cluster: ClusterRecord,
    group: AutoScalingGroupRecord,
    found: Reservation,
    target: int,
) -> bool:
    """Move the group towards the target; True while another round is needed."""
    name = group["AutoScalingGroupName"]
    live = found.instances
    unsettled = (
        live != group["DesiredCapacity"]
        or any(MEMBER.count(ctx, "state", f"{name}|{state}") for state in _UNSETTLED)
        or CONTAINER_INSTANCE.count(ctx, "provider", f"{cluster['clusterArn']}|{record['name']}") < live
    )
    if found.figure > target and found.fitting:
        record["_lowRounds"] = 0
        if not _warming(ctx, record, group):
            _scale_out(ctx, record, group, found)
        return group["DesiredCapacity"] < group["MaxSize"] or unsettled
    if found.figure > target and not found.waiting:
        # A target below 100 with nothing waiting: target tracking keeps spare instances. Only
        # once the group has settled (every instance registered), so that an instance still
        # booting, which counts whole, does not ask for another.
        record["_lowRounds"] = 0
        if not unsettled and not _warming(ctx, record, group):
            _keep_spare(ctx, record, group, found, target)
        return unsettled
    if found.figure < target:
        record["_lowRounds"] = int(record.get("_lowRounds") or 0) + 1
        if record["_lowRounds"] >= LOW_DATAPOINTS:
            _scale_in(ctx, record, cluster, group, found)
        # Below a target under 100 the spare instances stay: no round while none could go.
        floor = max(math.ceil(found.needed * 100 / target), group["MinSize"])
        return group["DesiredCapacity"] > floor or unsettled
    record["_lowRounds"] = 0
    return unsettled


# --- waking -----------------------------------------------------------------------------------------


def on_task_change(ctx: RequestContext, task: TaskRecord) -> None:
    """A task of a provider ran or stopped: a round soon (protection, placement, the figure)."""
    name = task.get("capacityProviderName")
    if name and task["lastStatus"] in ("RUNNING", "STOPPED") and task.get("launchType") == "EC2":
        capacity_association.wake(ctx, name)


def on_instance_change(ctx: RequestContext, instance: ContainerInstanceRecord) -> None:
    """An instance of a provider became ACTIVE: its waiting tasks can be placed."""
    name = instance.get("capacityProviderName")
    if name and instance["status"] == "ACTIVE":
        capacity_association.wake(ctx, name)


def on_lifecycle_wait(ctx: RequestContext, member: Record) -> None:
    """A member waits on ECS's managed draining hook: a round soon, to drain it."""
    if capacity_association.HOOK_NAME not in lifecycle.pending_hooks(member):
        return
    for record in CAPACITY_PROVIDER.find(ctx, "group", member["AutoScalingGroupName"]):
        capacity_association.wake(ctx, record["name"])


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
