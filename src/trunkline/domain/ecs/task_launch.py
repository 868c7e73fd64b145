"""RunTask and StartTask: validate everything, place every task in memory, then write.

Order of checks (a failed call changes nothing): the cluster; the task definition (ACTIVE; the
launch type among its compatibilities); count 1-10; the network configuration (`task_network`);
placement constraints (the request's plus the task definition's) and strategies; group, startedBy
and tags; then, for EC2, a cluster without ACTIVE container instances is "No Container Instances
were found in your cluster.". Placement failures are not errors: they come back in `failures`.

Decisions where AWS is silent (docs/decisions.md): StartTask applies the implicit checks
(ATTRIBUTE, LOCATION, AGENT, resources, ENI slots) but not the task definition's memberOf
constraints; a listed instance that is not ACTIVE is an `INACTIVE` failure whose `detail` names its
status. A RunTask `clientToken` seen before answers the first call's result; with other parameters
it is refused. Task-level `overrides.cpu`/`memory` replace the task definition's in the demand.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import ids
from trunkline.domain.ec2.records import SubnetRecord
from trunkline.domain.ecs import (
    capacity_association,
    capacity_strategy,
    cluster_lock,
    clusters,
    container_instances,
    ecs_arn,
    gpu_assignment,
    gpus,
    instance_queries,
    network_bindings,
    placement,
    placement_candidates,
    placement_failures,
    run_task_reads,
    task_definitions,
    task_enis,
    task_lifecycle,
    task_network,
    task_roles,
    task_tags,
    task_usage,
    tasks,
)
from trunkline.domain.ecs.kinds import RUN_TASK_TOKEN, TASK
from trunkline.domain.ecs.placement import Candidate
from trunkline.domain.ecs.records import ContainerInstanceRecord, TaskDefinitionRecord, TaskRecord
from trunkline.domain.ecs.task_network import AddressBook, NetworkPlan
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

Record = dict[str, Any]
Params = dict[str, Any]

TOKEN_KIND = RUN_TASK_TOKEN.name
MAX_COUNT = 10
START_LIMIT = 10
NO_INSTANCES = "No Container Instances were found in your cluster."
NO_PROVIDER_INSTANCES = "No Container Instances were found in your capacity provider."
TIMEOUT_JOB = "ecs.task.provisioning-timeout"
#: Tasks in the PROVISIONING state per cluster (Service Quotas L-B7718569; 500 since 2024).
PROVISIONING_LIMIT = 500
FARGATE_PLATFORM_VERSION = "1.4.0"
_LAUNCH_TYPES = ("EC2", "FARGATE")


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


@dataclass
class Launch:
    """One RunTask/StartTask, validated."""

    cluster_arn: str
    definition: TaskDefinitionRecord
    launch_type: str
    network: NetworkPlan | None
    group: str
    started_by: str | None
    overrides: Record
    tags: list[Record]
    demand: placement.Demand
    held: Record  # what each task holds on its instance (tasks' `_demand`)
    enable_execute_command: bool
    constraints: list[placement.Constraint] = field(default_factory=list)
    strategies: list[placement.Strategy] | None = None
    service_name: str | None = None  # a service's task: ListTasks(serviceName) finds it
    capacity_provider: str | None = None  # the provider the tasks go through (capacityProviderName)
    params: Params = field(default_factory=dict)  # RunTask's members: a waiting task is placed by them later


# --- validation -------------------------------------------------------------------------------------


def _definition(ctx: RequestContext, ref: str, launch_type: str) -> TaskDefinitionRecord:
    definition = task_definitions.resolve(ctx, ref)
    if definition["status"] != "ACTIVE":
        raise _invalid("TaskDefinition is inactive")
    if launch_type not in definition.get("compatibilities", ["EC2"]):
        raise _invalid(f"Task definition does not support launch_type {launch_type}.")
    return definition


def _launch_type(params: shapes.RunTaskRequest, routed: str = "EC2") -> str:
    launch_type = params.get("launchType") or routed
    if launch_type not in _LAUNCH_TYPES:
        raise _invalid(f"trunkline does not run tasks with launch type {launch_type}: use EC2 or FARGATE.")
    if launch_type == "EC2" and params.get("platformVersion") is not None:
        raise _invalid("The platform version must be null when specifying an EC2 launch type.")
    if params.get("volumeConfigurations") is not None:
        raise _invalid("trunkline does not support Amazon EBS volumes configured at launch (volumeConfigurations).")
    return str(launch_type)


def _count(value: int | None) -> int:
    count = 1 if value is None else value
    if not 1 <= count <= MAX_COUNT:
        bound = "greater than or equal to 1" if count < 1 else f"less than or equal to {MAX_COUNT}"
        raise _invalid(
            f"1 validation error detected: Value '{count}' at 'count' failed to satisfy constraint: "
            f"Member must have value {bound}"
        )
    return count


def _started_by(value: str | None, limit: int) -> str | None:
    if value is not None and len(value) > limit:
        raise _invalid(f"startedBy can have at most {limit} characters.")
    return value


def _overrides(definition: TaskDefinitionRecord, given: Record | None) -> Record:
    overrides = dict(given or {})
    names = [c["name"] for c in definition["containerDefinitions"]]
    for entry in overrides.get("containerOverrides") or []:
        if entry.get("name") not in names:
            raise _invalid(
                f"Override for container named {entry.get('name')} is not a container in the TaskDefinition."
            )
    overrides.setdefault("containerOverrides", [{"name": n} for n in names])
    overrides.setdefault("inferenceAcceleratorOverrides", [])
    return overrides


def _amount(override: Any, fallback: int) -> int:
    try:
        return int(override) if override is not None else fallback
    except ValueError:
        raise _invalid(f"Invalid task override value '{override}': use a whole number.") from None


def _demand(definition: TaskDefinitionRecord, launch: Launch, overrides: Record) -> None:
    need = task_definitions.demand(definition)
    cpu = _amount(overrides.get("cpu"), need.cpu)
    memory = _amount(overrides.get("memory"), need.memory)
    network = launch.network
    on_ec2 = launch.launch_type == "EC2"
    launch.demand = placement.Demand(
        cpu=cpu,
        memory=memory,
        tcp_ports=need.tcp_ports,
        udp_ports=need.udp_ports,
        needs_eni=network is not None and on_ec2,
        required_attributes=need.requires_attributes,
        vpc_id=network.vpc_id if network is not None and on_ec2 else None,
        zones=network.zones if network is not None and on_ec2 else None,
        group=launch.group,
        gpus=gpus.task_gpus(definition),
    )
    launch.held = {"cpu": cpu, "memory": memory, "tcpPorts": sorted(need.tcp_ports), "udpPorts": sorted(need.udp_ports)}


def _launch(
    ctx: RequestContext,
    params: Mapping[str, Any],
    cluster_arn: str,
    launch_type: str,
    definition: TaskDefinitionRecord,
    started_limit: int,
) -> Launch:
    mode = definition.get("networkMode", "bridge")
    network = task_network.plan(ctx, mode, launch_type, params.get("networkConfiguration"))
    overrides = _overrides(definition, params.get("overrides"))
    launch = Launch(
        cluster_arn=cluster_arn,
        definition=definition,
        launch_type=launch_type,
        network=network,
        group=params.get("group") or f"family:{definition['family']}",
        started_by=_started_by(params.get("startedBy"), started_limit),
        overrides=overrides,
        tags=task_tags.for_task(params, definition, cluster_arn),
        demand=placement.Demand(),
        held={},
        enable_execute_command=bool(params.get("enableExecuteCommand")),
        params=dict(params),
    )
    _demand(definition, launch, overrides)
    return launch


# --- writing tasks ----------------------------------------------------------------------------------


def _containers(ctx: RequestContext, launch: Launch, arn: str) -> list[Record]:
    cluster, task_id = tasks.cluster_name_of(launch.cluster_arn), arn.rsplit("/", 1)[-1]
    made: list[Record] = []
    for definition in launch.definition["containerDefinitions"]:
        container: Record = {
            "containerArn": ecs_arn(ctx, f"container/{cluster}/{task_id}/{ids.attachment_id()}"),
            "taskArn": arn,
            "name": definition["name"],
            "image": definition.get("image", ""),
            "lastStatus": "PENDING",
            "networkBindings": [],
            "networkInterfaces": [],
            "cpu": str(definition.get("cpu") or 0),
        }
        for name in ("memory", "memoryReservation"):
            if definition.get(name) is not None:
                container[name] = str(definition[name])
        made.append(container)
    return made


def _task(
    ctx: RequestContext,
    launch: Launch,
    host: ContainerInstanceRecord | None,
    zone: str,
    subnet_id: str | None,
    waiting: TaskRecord | None = None,
) -> TaskRecord:
    """A new task record; `waiting` is the PROVISIONING task waiting for capacity it replaces."""
    arn = waiting["taskArn"] if waiting is not None else tasks.task_arn(ctx, launch.cluster_arn, ids.ecs_id())
    awsvpc = launch.network is not None
    architecture = None
    if host is not None:
        architecture = next((a.get("value") for a in host["attributes"] if a["name"] == "ecs.cpu-architecture"), None)
    record: TaskRecord = {
        "taskArn": arn,
        "clusterArn": launch.cluster_arn,
        "taskDefinitionArn": launch.definition["taskDefinitionArn"],
        "availabilityZone": zone,
        "attachments": [],
        "attributes": [{"name": "ecs.cpu-architecture", "value": architecture or "x86_64"}],
        "containers": _containers(ctx, launch, arn),
        "cpu": str(launch.held["cpu"]),
        "memory": str(launch.held["memory"]),
        "createdAt": ctx.now,
        "desiredStatus": "RUNNING",
        "lastStatus": task_lifecycle.first_status(awsvpc),
        "launchType": launch.launch_type,
        "group": launch.group,
        "overrides": launch.overrides,
        "enableExecuteCommand": launch.enable_execute_command,
        "tags": launch.tags,
        "version": 0,
        "_account": ctx.account_id,
        "_region": ctx.region,
        "_family": launch.definition["family"],
        "_awsvpc": awsvpc,
        "_demand": launch.held if host is not None else {"cpu": 0, "memory": 0, "tcpPorts": [], "udpPorts": []},
        "_eni": task_enis.new_reference(subnet_id or "") if awsvpc else {},
        "_portMappings": network_bindings.mappings_of(launch.definition) if host is not None else {},
    }
    if host is not None:
        gpu_assignment.assign(ctx, record, host, launch.definition)
        record["containerInstanceArn"] = host["containerInstanceArn"]
        record["_ec2InstanceId"] = host["ec2InstanceId"]
    if launch.started_by is not None:
        record["startedBy"] = launch.started_by
    if launch.service_name is not None:
        record["_serviceName"] = launch.service_name
    if launch.launch_type == "FARGATE":
        record["platformVersion"] = FARGATE_PLATFORM_VERSION
        record["platformFamily"] = "Linux"
    if launch.capacity_provider is not None:
        record["capacityProviderName"] = launch.capacity_provider
    if waiting is not None:
        record["createdAt"], record["version"] = waiting["createdAt"], waiting["version"]
    return record


def _no_address(subnets: list[SubnetRecord]) -> str:
    listed = ", ".join(s["SubnetId"] for s in subnets)
    return (
        "ResourceInitializationError: unable to create the task's network interface: no free IPv4 address "
        f"left in subnet(s) [{listed}] (InsufficientFreeAddressesInSubnet)"
    )


def _create(
    ctx: RequestContext,
    launch: Launch,
    host: ContainerInstanceRecord | None,
    zone: str,
    choices: list[SubnetRecord],
    book: AddressBook,
    waiting: TaskRecord | None = None,
) -> TaskRecord:
    """Write one placed task, with its ENI when it uses awsvpc (see task_enis)."""
    network = launch.network
    subnet = book.take(choices) if network is not None else None
    # A full subnet still names the task's subnet: the first one it could have used.
    subnet_id = (subnet or choices[0])["SubnetId"] if choices else None
    task = _task(ctx, launch, host, zone, subnet_id, waiting)
    if waiting is None:
        run_task_reads.new_task(ctx, task)  # a fresh id: PostgreSQL inserts it without looking
    if network is not None:
        task["attachments"] = [task_enis.attachment(ctx, task, "PRECREATED")]
        if subnet is None:
            task["_eni"]["failure"] = _no_address(choices)
        else:
            task_enis.provision(ctx, task, list(network.group_ids), host, network.assign_public_ip)
    tasks.change(ctx, task)
    task_lifecycle.schedule_step(ctx, task)
    return task


def _write_placed(
    ctx: RequestContext,
    launch: Launch,
    placed: list[Candidate],
    records: dict[str, ContainerInstanceRecord],
    waiting: list[TaskRecord] | None = None,
) -> list[TaskRecord]:
    book = AddressBook()
    created: list[TaskRecord] = []
    for n, chosen in enumerate(placed):
        host = records[chosen.arn]
        choices = launch.network.in_zone(host["_availabilityZone"]) if launch.network is not None else []
        before = waiting[n] if waiting is not None else None
        created.append(_create(ctx, launch, host, host["_availabilityZone"], choices, book, before))
    ctx.tx.send_writes()  # the new tasks: PostgreSQL writes them while the rest of the request runs
    for arn in dict.fromkeys(c.arn for c in placed):
        task_usage.refresh(ctx, records[arn])
    return created


def _write_fargate(ctx: RequestContext, launch: Launch, count: int) -> list[TaskRecord]:
    assert launch.network is not None
    subnets = list(launch.network.subnets)
    book = AddressBook()
    created: list[TaskRecord] = []
    for n in range(count):
        # Spread over the given subnets in turn (their zones), as Fargate spreads standalone tasks.
        preferred = subnets[n % len(subnets)]
        choices = [preferred, *(s for s in subnets if s is not preferred)]
        chosen = choices[0] if book.free(choices[0]) > 0 else next((s for s in choices if book.free(s) > 0), preferred)
        created.append(_create(ctx, launch, None, chosen["AvailabilityZone"], [chosen], book))
    return created


# --- RunTask ----------------------------------------------------------------------------------------


def _fingerprint(params: Mapping[str, Any]) -> str:
    text = json.dumps({k: v for k, v in params.items() if k != "clientToken"}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _token_key(ctx: RequestContext, token: str) -> str:
    return RUN_TASK_TOKEN.key(ctx, token)


def _remembered(ctx: RequestContext, params: shapes.RunTaskRequest) -> Record | None:
    token = params.get("clientToken")
    if not token:
        return None
    seen = RUN_TASK_TOKEN.get(ctx, token)
    if seen is None:
        return None
    if seen["fingerprint"] != _fingerprint(params):
        raise _invalid("The clientToken has already been used with different parameters.")
    result: Record = seen["result"]
    return result


def _remember(ctx: RequestContext, params: shapes.RunTaskRequest, result: Record) -> None:
    token = params.get("clientToken")
    if token:
        RUN_TASK_TOKEN.save(ctx, {"token": token, "fingerprint": _fingerprint(params), "result": result})


def lock_cluster(ctx: RequestContext, cluster_arn: str) -> None:
    """Placements in one cluster read the same instances and write their remaining resources: on
    a shared store they take turns per cluster rather than fail serialisation (docs/design.md)."""
    cluster_lock.take(ctx, cluster_arn)


def run_task(ctx: RequestContext, params: shapes.RunTaskRequest, rng: random.Random | None = None) -> Record:
    """RunTask; returns `{tasks, failures}`."""
    run_task_reads.definition(ctx, params.get("taskDefinition"))  # travels with the cluster's read
    cluster = clusters.resolve_cluster(ctx, params.get("cluster"))
    cluster_arn = cluster["clusterArn"]
    run_task_reads.cluster(ctx, cluster_arn)  # with the task definition's
    lock_cluster(ctx, cluster_arn)
    remembered = _remembered(ctx, params)
    if remembered is not None:
        return remembered
    routed, strategy = capacity_strategy.route(ctx, cluster, params)
    launch_type = _launch_type(params, routed)
    definition = _definition(ctx, params["taskDefinition"], launch_type)
    count = _count(params.get("count"))
    launch = _launch(ctx, params, cluster_arn, launch_type, definition, started_limit=128)
    task_roles.check(ctx, definition, launch.overrides)
    if strategy is not None:
        through = _run_through_providers(ctx, launch, strategy, count, rng)
        _remember(ctx, params, through)
        return through
    if launch_type == "FARGATE":
        created = _write_fargate(ctx, launch, count)
        result: Record = {"tasks": [tasks.view(t) for t in created], "failures": []}
        _remember(ctx, params, result)
        return result
    requested = list(params.get("placementConstraints") or [])
    launch.constraints = placement.parse_constraints([*requested, *launch.definition.get("placementConstraints", [])])
    launch.strategies = placement.parse_strategies(params.get("placementStrategy") or []) or None
    if not placement_candidates.has_active(ctx, cluster_arn):
        raise _invalid(NO_INSTANCES)
    outcome = _place(ctx, launch, count, rng)
    run_task_reads.hosts(ctx, cluster_arn, [chosen.arn for chosen in outcome.placed])
    records = _host_records(ctx, cluster_arn, outcome.placed)
    created = _write_placed(ctx, launch, outcome.placed, records)
    placement_failures.record(ctx, cluster_arn, outcome.failures)
    result = {"tasks": [tasks.view(t) for t in created], "failures": outcome.failures}
    _remember(ctx, params, result)
    return result


def _place(ctx: RequestContext, launch: Launch, count: int, rng: random.Random | None = None) -> placement.Outcome:
    """The one placement of RunTask and the service scheduler (the cluster must have an ACTIVE
    instance); through a capacity provider, only the provider's instances are considered, and
    none gives failures without an `arn` ("No Container Instances were found in your capacity provider")."""
    if launch.capacity_provider is not None:
        provider = launch.capacity_provider
        if not placement_candidates.provider_has_active(ctx, launch.cluster_arn, provider):
            return placement.Outcome([], [{"reason": NO_PROVIDER_INSTANCES} for _ in range(count)])
        provided = placement_candidates.for_provider(
            ctx, launch.cluster_arn, launch.demand, launch.strategies, provider
        )
        return placement.place(provided, launch.demand, count, launch.constraints, launch.strategies, rng)
    candidates = placement_candidates.for_launch(ctx, launch.cluster_arn, launch.demand, launch.strategies)
    return placement.place(candidates, launch.demand, count, launch.constraints, launch.strategies, rng)


# --- through capacity providers ---------------------------------------------------------------------


def _run_through_providers(
    ctx: RequestContext, launch: Launch, strategy: list[Record], count: int, rng: random.Random | None
) -> Record:
    """RunTask's tasks split over the strategy's providers (`capacity_strategy.assign`), placed by
    the request's placement constraints and strategy as without a provider."""
    requested = list(launch.params.get("placementConstraints") or [])
    launch.constraints = placement.parse_constraints([*requested, *launch.definition.get("placementConstraints", [])])
    launch.strategies = placement.parse_strategies(launch.params.get("placementStrategy") or []) or None
    names = capacity_strategy.assign(strategy, count)
    if waiting_count(ctx, launch.cluster_arn) + count > PROVISIONING_LIMIT and any(
        capacity_strategy.managed_scaling_on(ctx, n) for n in names
    ):
        raise AwsError("ClientException", "Tasks provisioning capacity limit exceeded.")
    created: list[TaskRecord] = []
    failures: list[Record] = []
    for name in dict.fromkeys(names):
        launch.capacity_provider = name
        made, failed = start(ctx, launch, names.count(name), rng)
        created.extend(made)
        if not capacity_strategy.managed_scaling_on(ctx, name):
            failures.extend(failed)  # with managed scaling they wait instead (failures stay empty)
    return {"tasks": [tasks.view(t) for t in created], "failures": failures}


def waiting_count(ctx: RequestContext, cluster_arn: str) -> int:
    """The cluster's tasks waiting for capacity: counted in the `cluster_waiting` index, no task read."""
    return TASK.count(ctx, "cluster_waiting", cluster_arn)


def waiting_of_provider(ctx: RequestContext, cluster_arn: str, provider: str) -> list[TaskRecord]:
    """The provider's tasks waiting for capacity, oldest first (`provider_waiting`: only them read)."""
    found = TASK.find(ctx, "provider_waiting", f"{cluster_arn}|{provider}")
    return sorted(found, key=lambda t: (float(t["createdAt"]), t["taskArn"]))


def _write_waiting(ctx: RequestContext, launch: Launch, count: int) -> list[TaskRecord]:
    """Tasks that wait in PROVISIONING for the provider's managed scaling to bring capacity; they
    stop (TaskFailedToStart) if none comes in time."""
    made: list[TaskRecord] = []
    for _ in range(count):
        task = _task(ctx, launch, None, "", None)
        del task["availabilityZone"]
        # No ENI until it is placed: stopping it goes straight to STOPPED (`_needsEni` keeps the demand).
        task["lastStatus"], task["containers"], task["attachments"], task["_waiting"] = "PROVISIONING", [], [], True
        task["_needsEni"], task["_awsvpc"], task["_eni"] = task["_awsvpc"], False, {}
        task["_launch"] = {"params": launch.params, "serviceName": launch.service_name}
        tasks.change(ctx, task)
        payload = {"account": ctx.account_id, "region": ctx.region, "key": tasks.record_key(task)}
        ctx.schedule(TIMEOUT_JOB, TIMEOUT_JOB, payload)
        made.append(task)
    return made


def place_waiting(ctx: RequestContext, cluster_arn: str, provider: str) -> list[TaskRecord]:
    """Place the provider's waiting tasks where they fit now, oldest first; returns them placed."""
    waiting = waiting_of_provider(ctx, cluster_arn, provider)
    batches: dict[str, list[TaskRecord]] = {}
    for task in waiting:
        if task["desiredStatus"] != "RUNNING":
            continue
        key = json.dumps([task["taskDefinitionArn"], task["_launch"]], sort_keys=True, default=str)
        batches.setdefault(key, []).append(task)
    placed: list[TaskRecord] = []
    for batch in batches.values():
        first = batch[0]
        launch = prepare(ctx, cluster_arn, "EC2", first["taskDefinitionArn"], first["_launch"]["params"])
        launch.capacity_provider = provider
        launch.service_name = first["_launch"]["serviceName"]
        outcome = _place(ctx, launch, len(batch))
        if not outcome.placed:
            continue
        records = _host_records(ctx, cluster_arn, outcome.placed)
        placed.extend(_write_placed(ctx, launch, outcome.placed, records, batch[: len(outcome.placed)]))
    return placed


def last_failure(ctx: RequestContext, cluster_arn: str, provider: str, task: TaskRecord) -> Record:
    """Why the waiting task fits nowhere now (the closest instance's reason)."""
    launch = prepare(ctx, cluster_arn, "EC2", task["taskDefinitionArn"], task["_launch"]["params"])
    launch.capacity_provider = provider
    outcome = _place(ctx, launch, 1)
    return outcome.failures[0] if outcome.failures else {"reason": NO_PROVIDER_INSTANCES}


def timeout_job(ctx: RequestContext, payload: Record) -> None:
    """A task still waiting for capacity stops: TaskFailedToStart, with the reason it fits nowhere."""
    task = TASK.at_key(ctx, payload["key"])
    if task is None or not task.get("_waiting") or task["lastStatus"] != "PROVISIONING":
        return
    failure = last_failure(ctx, task["clusterArn"], task["capacityProviderName"], task)
    reason = failure["reason"]
    detail = "EMPTY CAPACITY PROVIDER" if reason == NO_PROVIDER_INSTANCES else reason
    task_lifecycle.stop(ctx, task, "TaskFailedToStart", f"TaskFailedToStart: {detail}")


def _host_records(ctx: RequestContext, cluster_arn: str, placed: list[Candidate]) -> dict[str, ContainerInstanceRecord]:
    records: dict[str, ContainerInstanceRecord] = {}
    for chosen in placed:
        if chosen.arn not in records:
            record = container_instances.find(ctx, cluster_arn, chosen.arn)
            assert record is not None
            records[chosen.arn] = record
    return records


# --- StartTask --------------------------------------------------------------------------------------


def _not_active(record: ContainerInstanceRecord) -> Record:
    failure: Record = {"arn": record["containerInstanceArn"], "reason": "INACTIVE"}
    if record["status"] != "INACTIVE":
        failure["detail"] = f"The container instance is {record['status']}."
    return failure


def start_task(ctx: RequestContext, params: shapes.StartTaskRequest) -> Record:
    """StartTask: one task on each listed container instance that can take it."""
    cluster_arn = clusters.resolve_cluster(ctx, params.get("cluster"))["clusterArn"]
    lock_cluster(ctx, cluster_arn)
    refs = list(params["containerInstances"])
    instance_queries.check_reference_count(refs, START_LIMIT)
    definition = _definition(ctx, params["taskDefinition"], "EC2")
    launch = _launch(ctx, params, cluster_arn, "EC2", definition, started_limit=36)
    task_roles.check(ctx, definition, launch.overrides)
    group_tasks = placement_candidates.group_counter(ctx, cluster_arn, launch.group)
    pictures: dict[str, Candidate] = {}
    records: dict[str, ContainerInstanceRecord] = {}
    placed: list[Candidate] = []
    failures: list[Record] = []
    for ref in refs:
        record = container_instances.find(ctx, cluster_arn, ref)
        if record is None:
            arn = ref if ref.startswith("arn:") else container_instances.arn(ctx, cluster_arn, ref)
            failures.append({"arn": arn, "reason": "MISSING"})
            continue
        if record["status"] != "ACTIVE":
            failures.append(_not_active(record))
            continue
        arn = record["containerInstanceArn"]
        records.setdefault(arn, record)
        picture = pictures.setdefault(arn, placement_candidates.candidate(ctx, record, group_tasks))
        reason = placement.check(picture, launch.demand, [])
        if reason is not None:
            failures.append({"arn": arn, "reason": reason})
            continue
        picture.take(launch.demand)
        placed.append(picture)
    created = _write_placed(ctx, launch, placed, records)
    placement_failures.record(ctx, cluster_arn, failures)
    return {"tasks": [tasks.view(t) for t in created], "failures": failures}


# --- for the service scheduler ----------------------------------------------------------------------


def prepare(
    ctx: RequestContext, cluster_arn: str, launch_type: str, definition_ref: str, params: Mapping[str, Any]
) -> Launch:
    """A launch validated by RunTask's rules (task definition, network configuration, placement);
    `params` takes RunTask's member names. CreateService checks with it, its scheduler launches with it."""
    definition = _definition(ctx, definition_ref, launch_type)
    launch = _launch(ctx, params, cluster_arn, launch_type, definition, started_limit=128)
    if launch_type == "EC2":
        requested = list(params.get("placementConstraints") or [])
        launch.constraints = placement.parse_constraints([*requested, *definition.get("placementConstraints", [])])
        launch.strategies = placement.parse_strategies(params.get("placementStrategy") or []) or None
    return launch


def start(
    ctx: RequestContext, launch: Launch, count: int, rng: random.Random | None = None
) -> tuple[list[TaskRecord], list[Record]]:
    """Place and write up to `count` tasks of a prepared launch: the tasks and one failure per task
    not placed. An EC2 cluster with no instance to consider gives failures without an `arn`.
    Through a provider with managed scaling, tasks that fit nowhere are written waiting
    (PROVISIONING) and their failures are returned all the same (the service's event says why)."""
    if launch.launch_type == "FARGATE":
        return _write_fargate(ctx, launch, count), []
    lock_cluster(ctx, launch.cluster_arn)
    provider = launch.capacity_provider
    if provider is not None and capacity_strategy.managed_scaling_on(ctx, provider):
        outcome = _place(ctx, launch, count, rng)
        records = _host_records(ctx, launch.cluster_arn, outcome.placed)
        placed = _write_placed(ctx, launch, outcome.placed, records)
        waiting = _write_waiting(ctx, launch, count - len(placed))
        if waiting:
            capacity_association.wake(ctx, provider)
        return placed + waiting, outcome.failures
    if provider is None and not placement_candidates.has_active(ctx, launch.cluster_arn):
        failures = [{"reason": NO_INSTANCES} for _ in range(count)]
        placement_failures.record(ctx, launch.cluster_arn, failures)
        return [], failures
    outcome = _place(ctx, launch, count, rng)
    placement_failures.record(ctx, launch.cluster_arn, outcome.failures)
    records = _host_records(ctx, launch.cluster_arn, outcome.placed)
    return _write_placed(ctx, launch, outcome.placed, records), outcome.failures
