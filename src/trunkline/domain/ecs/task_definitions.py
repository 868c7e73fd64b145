"""ECS task definitions: families, revisions, references, and what a task of one demands of a host.

Revision record (kind `ecs.task-definition`, key `ACCOUNT/REGION/FAMILY+REVISION`, the revision
zero-padded): key order is family order then revision order, because `+` sorts before every
family character (`web` comes before `web-api`, as AWS's lexicographic family order wants). The
record is the TaskDefinition output shape as DescribeTaskDefinition returns it, plus `tags`.
Indexes: `family_status` = `ACCOUNT/REGION/FAMILY|STATUS` (a family's latest ACTIVE revision is
the last key found), `status` = `ACCOUNT/REGION|STATUS` (ListTaskDefinitions by status).

Family record (kind `ecs.task-definition-family`, key `ACCOUNT/REGION/FAMILY`): `lastRevision`
(revisions are never reused, even after deletion) and `active` (how many ACTIVE revisions).
Indexes: `scope` = `ACCOUNT/REGION`, `status` = `ACCOUNT/REGION|ACTIVE` or `|INACTIVE` (a family
is ACTIVE while it has an ACTIVE revision), for ListTaskDefinitionFamilies.

Other modules (RunTask, placement) use `resolve` to find the revision a reference names and
`demand` for what a task of it reserves on a container instance.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from trunkline.context import RequestContext
from trunkline.domain import pagination
from trunkline.domain.ecs import awslogs_options, check_max_results, ecs_arn, gpus, page
from trunkline.domain.ecs.clusters import check_tags
from trunkline.domain.ecs.kinds import (
    REVISION_DIGITS,
    REVISION_SEPARATOR,
    TASK_DEFINITION,
    TASK_DEFINITION_FAMILY,
    revision_key,
)
from trunkline.domain.ecs.records import TaskDefinitionFamilyRecord, TaskDefinitionRecord
from trunkline.domain.ecs.request_parts import Paged
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

KIND = TASK_DEFINITION.name
FAMILY_KIND = TASK_DEFINITION_FAMILY.name
Record = dict[str, Any]

_NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")
_REVISION_DIGITS = REVISION_DIGITS
# The key separator between family and revision: below '-', the smallest family character.
_SEPARATOR = REVISION_SEPARATOR
_LIST_MAXIMUM = 100
_DELETE_MAXIMUM = 10
_MAX_CONTAINERS = 10
_MAX_PLACEMENT_CONSTRAINTS = 10
# ECS's task-level CPU bounds for EC2 (0.125 to 192 vCPUs), from the RegisterTaskDefinition docs.
_TASK_CPU_RANGE = (128, 196608)


def client_error(message: str) -> AwsError:
    return AwsError("ClientException", message)


def not_found() -> AwsError:
    return client_error("Unable to describe task definition.")


# --- keys, ARNs and references ----------------------------------------------------------------------


def _scope(ctx: RequestContext) -> str:
    return f"{ctx.account_id}/{ctx.region}"


def record_key(ctx: RequestContext, family: str, revision: int) -> str:
    return TASK_DEFINITION.key(ctx, revision_key(family, revision))


def _family_from_key(ctx: RequestContext, key: str) -> tuple[str, int]:
    family, _, revision = key[len(_scope(ctx)) + 1 :].rpartition(_SEPARATOR)
    return family, int(revision)


def family_status(family: str, status: str) -> str:
    return f"{family}|{status}"


def task_definition_arn(ctx: RequestContext, family: str, revision: int) -> str:
    return ecs_arn(ctx, f"task-definition/{family}:{revision}")


def parse_reference(ctx: RequestContext, ref: str) -> tuple[str, int | None] | None:
    """(family, revision or None) for `family`, `family:revision` or a task-definition ARN of the
    caller's region and account; None when `ref` cannot name a task definition there."""
    body = ref
    if ref.startswith("arn:"):
        parts = ref.split(":", 5)
        if len(parts) != 6 or parts[2] != "ecs" or parts[3] != ctx.region or parts[4] != ctx.account_id:
            return None
        kind, _, body = parts[5].partition("/")
        if kind != "task-definition":
            return None
    family, colon, revision = body.partition(":")
    if not _NAME.fullmatch(family):
        return None
    if not colon:
        return family, None
    # Checked as text first: int() refuses very long digit strings.
    if not (revision.isascii() and revision.isdigit() and len(revision) <= _REVISION_DIGITS) or int(revision) == 0:
        return None
    return family, int(revision)


def latest_active(ctx: RequestContext, family: str) -> TaskDefinitionRecord | None:
    keys = TASK_DEFINITION.find_keys(ctx, "family_status", family_status(family, "ACTIVE"))
    return TASK_DEFINITION.at_key(ctx, keys[-1]) if keys else None  # the highest revision: keys sort by it


def find(ctx: RequestContext, ref: str) -> TaskDefinitionRecord | None:
    """The record `ref` names, or None. A bare family names its latest ACTIVE revision; an explicit
    revision names that revision whatever its status."""
    parsed = parse_reference(ctx, ref)
    if parsed is None:
        return None
    family, revision = parsed
    if revision is None:
        return latest_active(ctx, family)
    return TASK_DEFINITION.get(ctx, revision_key(family, revision))


def resolve(ctx: RequestContext, ref: str) -> TaskDefinitionRecord:
    """The task definition `ref` names: `family` (its latest ACTIVE revision), `family:revision` or
    a full ARN (that revision, ACTIVE, INACTIVE or DELETE_IN_PROGRESS: the caller decides whether
    a non-ACTIVE one may be used). Anything else, or nothing there: ClientException "Unable to
    describe task definition.", as DescribeTaskDefinition answers.

    The record is the TaskDefinition output shape (taskDefinitionArn, family, revision, status,
    networkMode only when the caller gave one (absent means bridge), containerDefinitions with
    ECS's defaults filled in, cpu/memory as strings of units/MiB, requiresAttributes,
    compatibilities, ...) plus `tags`; callers must not change it."""
    record = find(ctx, ref)
    if record is None:
        raise not_found()
    return record


# --- demand -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskDemand:
    """What one task of a task definition takes from a container instance.

    cpu: CPU units (task-level `cpu`, else the sum of the containers' `cpu`, absent counting 0).
    memory: MiB (task-level `memory`, else per container `memoryReservation` if set, else `memory`:
        the soft limit is what ECS reserves when both are given).
    tcp_ports / udp_ports: host ports the task holds on the instance: bridge mode fixed (non-zero)
        host ports, host mode every container port; awsvpc and none hold none (awsvpc ports live on
        the task's own ENI).
    network_mode: bridge, host, awsvpc or none.
    requires_attributes: the names of the attributes the instance must have (requiresAttributes).
    """

    cpu: int
    memory: int
    tcp_ports: frozenset[int]
    udp_ports: frozenset[int]
    network_mode: str
    requires_attributes: tuple[str, ...]


def _host_ports(record: Mapping[str, Any], network_mode: str) -> tuple[frozenset[int], frozenset[int]]:
    tcp: set[int] = set()
    udp: set[int] = set()
    if network_mode in ("bridge", "host"):
        for container in record["containerDefinitions"]:
            for mapping in container.get("portMappings", []):
                port = mapping.get("hostPort") or 0
                if network_mode == "host":
                    port = port or mapping.get("containerPort") or 0
                if port:
                    (udp if mapping.get("protocol") == "udp" else tcp).add(port)
    return frozenset(tcp), frozenset(udp)


def _task_level(record: Mapping[str, Any], field: str, container_total: int) -> int:
    value = record.get(field)
    return int(value) if value is not None else container_total


def demand(record: Mapping[str, Any]) -> TaskDemand:
    """The TaskDemand of a task definition record (see `resolve`)."""
    containers = record["containerDefinitions"]
    network_mode = record.get("networkMode", "bridge")
    cpu = _task_level(record, "cpu", sum(int(c.get("cpu") or 0) for c in containers))
    memory = _task_level(
        record, "memory", sum(int(c.get("memoryReservation") or c.get("memory") or 0) for c in containers)
    )
    tcp, udp = _host_ports(record, network_mode)
    required = tuple(a["name"] for a in record.get("requiresAttributes", []))
    return TaskDemand(cpu, memory, tcp, udp, network_mode, required)


# --- task size --------------------------------------------------------------------------------------

_MAX_SIZE_TEXT = 20
_VCPU = re.compile(r"(\d+(?:\.\d+)?|\.\d+)\s*vcpu", re.IGNORECASE | re.ASCII)
_GB = re.compile(r"(\d+(?:\.\d+)?|\.\d+)\s*gb", re.IGNORECASE | re.ASCII)


def _size(text: str, unit: re.Pattern[str], scale: int) -> int | None:
    """An integer, or a number followed by `unit` (scaled): "1024", "1 vCPU", "0.5GB"."""
    text = text.strip()
    if len(text) > _MAX_SIZE_TEXT:  # no task size needs more; int()/float() of huge text would fail
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    match = unit.fullmatch(text)
    if match is None:
        return None
    value = float(match.group(1)) * scale
    return int(value) if value == int(value) else None


def task_cpu(text: str | None) -> int | None:
    """Task-level cpu in CPU units; "1 vCPU" forms are converted, as ECS does at registration."""
    if text is None:
        return None
    units = _size(text, _VCPU, 1024)
    if units is None or not _TASK_CPU_RANGE[0] <= units <= _TASK_CPU_RANGE[1]:
        raise AwsError("InvalidParameterException", "Invalid 'cpu' setting for task.")
    return units


def task_memory(text: str | None) -> int | None:
    """Task-level memory in MiB; "1 GB"/"1GB" forms are converted, as ECS does at registration."""
    if text is None:
        return None
    mib = _size(text, _GB, 1024)
    if mib is None or mib < 1:
        raise AwsError("InvalidParameterException", "Invalid 'memory' setting for task.")
    return mib


# Fargate's task sizes (Linux): CPU units -> the memory values (MiB) allowed with it.
_FARGATE_SIZES: dict[int, frozenset[int]] = {
    256: frozenset({512, 1024, 2048}),
    512: frozenset(range(1024, 4096 + 1, 1024)),
    1024: frozenset(range(2048, 8192 + 1, 1024)),
    2048: frozenset(range(4096, 16384 + 1, 1024)),
    4096: frozenset(range(8192, 30720 + 1, 1024)),
    8192: frozenset(range(16384, 61440 + 1, 4096)),
    16384: frozenset(range(32768, 122880 + 1, 8192)),
}


# --- containers -------------------------------------------------------------------------------------


def _check_names(containers: Sequence[Mapping[str, Any]]) -> None:
    if not containers:
        raise client_error("Container list cannot be empty.")
    if len(containers) > _MAX_CONTAINERS:
        raise client_error(f"Too many containers: a task definition can have at most {_MAX_CONTAINERS}.")
    seen: set[str] = set()
    for container in containers:
        name = container.get("name")
        if not name:
            raise client_error("Container.name should not be null or empty.")
        if not _NAME.fullmatch(name):
            raise client_error("Container.name contains invalid characters.")
        if not container.get("image"):
            raise client_error("Container.image should not be null or empty.")
        if name in seen:
            raise client_error("Container names must be unique within a Task Definition.")
        seen.add(name)
    if not any(c.get("essential", True) for c in containers):
        raise client_error("A task definition must have at least one essential container.")


def _check_resources(container: Mapping[str, Any], cpu: int | None, memory: int | None) -> None:
    name = container["name"]
    hard, soft = container.get("memory"), container.get("memoryReservation")
    for field in ("cpu", "memory", "memoryReservation"):
        if (container.get(field) or 0) < 0:
            raise client_error(f"Invalid '{field}' setting for container '{name}'.")
    if hard is None and soft is None and memory is None:
        raise client_error(
            f"Invalid setting for container '{name}'. At least one of 'memory' or 'memoryReservation' must be specified."
        )
    if hard is not None and soft is not None and soft > hard:
        raise client_error(
            f"Invalid setting for container '{name}'. 'memoryReservation' must be less than or equal to 'memory'."
        )
    checks = (("memory", hard, memory), ("memoryReservation", soft, memory), ("cpu", container.get("cpu"), cpu))
    for field, value, limit in checks:
        if value is not None and limit is not None and value > limit:
            raise client_error(f"The '{field}' setting for container '{name}' is greater than for the task.")


def _port_mapping(container: str, mapping: Record, network_mode: str) -> Record:
    """One port mapping, validated, with the fields ECS fills in: protocol tcp; hostPort equal to
    the container port in awsvpc and host mode, 0 (dynamic) in bridge mode."""
    out = dict(mapping)
    out.setdefault("protocol", "tcp")
    if "containerPortRange" in mapping and mapping.get("containerPort") is None:
        return out
    port, host = mapping.get("containerPort"), mapping.get("hostPort")
    if port is None or not 1 <= port <= 65535:
        raise client_error(f"Invalid 'containerPort' setting for container '{container}'.")
    if host is not None and not 0 <= host <= 65535:
        raise client_error(f"Invalid 'hostPort' setting for container '{container}'.")
    if network_mode in ("awsvpc", "host"):
        if host is not None and host != port:
            raise client_error(
                f"When networkMode={network_mode}, the host ports and container ports in port mappings must match."
            )
        out["hostPort"] = port
    else:
        out["hostPort"] = host or 0
    return out


def _container(container: Mapping[str, Any], network_mode: str) -> Record:
    """A container definition as ECS echoes it: the caller's fields plus ECS's defaults."""
    mappings = container.get("portMappings") or []
    if mappings and network_mode == "none":
        raise client_error("Port mappings are not supported when networkMode=none.")
    out: Record = {"name": container["name"], "image": container["image"], "cpu": 0}
    out.update(container)
    out["portMappings"] = [_port_mapping(container["name"], m, network_mode) for m in mappings]
    out.setdefault("essential", True)
    for field in ("environment", "mountPoints", "volumesFrom"):
        out.setdefault(field, [])
    return out


# --- Fargate, compatibilities and required attributes -----------------------------------------------


def _ecr_image(image: str) -> bool:
    return ".dkr.ecr." in image


def _log_drivers(definition: Record) -> list[str]:
    drivers = [(c.get("logConfiguration") or {}).get("logDriver") for c in definition["containerDefinitions"]]
    return [d for d in drivers if d]


def fargate_problem(definition: Record) -> str | None:
    """Why a task definition cannot run on Fargate (ECS's message), or None if it can."""
    if definition.get("networkMode") != "awsvpc":
        return "Fargate only supports network mode \u2018awsvpc\u2019."
    if gpus.task_gpus(definition):
        return gpus.FARGATE_REFUSES
    cpu, memory = definition.get("cpu"), definition.get("memory")
    if cpu is None:
        return "Fargate requires that 'cpu' be defined at the task level."
    if memory is None:
        return "Fargate requires that 'memory' be defined at the task level."
    if int(memory) not in _FARGATE_SIZES.get(int(cpu), frozenset()):
        return (
            f"No Fargate configuration exists for given values: {cpu} CPU, {memory} memory. "
            "See the Amazon ECS documentation for the valid values."
        )
    if definition.get("executionRoleArn") is None:
        if "awslogs" in _log_drivers(definition):
            return "Fargate requires task definition to have execution role ARN to support log driver awslogs."
        if any(_ecr_image(c["image"]) for c in definition["containerDefinitions"]):
            return "Fargate requires task definition to have execution role ARN to support ECR images."
    return None


def compatibilities(definition: Record) -> list[str]:
    """The launch types the task definition can use, in the order ECS lists them. EC2 always;
    EXTERNAL (ECS Anywhere) without awsvpc; FARGATE when Fargate would accept it; MANAGED_INSTANCES
    with awsvpc or host networking."""
    mode = definition.get("networkMode", "bridge")
    found = ["EXTERNAL"] if mode != "awsvpc" else []
    found.append("EC2")
    if fargate_problem(definition) is None:
        found.append("FARGATE")
    if mode in ("awsvpc", "host"):
        found.append("MANAGED_INSTANCES")
    return found


_LEGACY = "com.amazonaws.ecs.capability."
_CAPABILITY = "ecs.capability."


def _wanted_attributes(definition: Record) -> set[str]:
    """The capability attributes features of the task definition need (agent capability names)."""
    containers = definition["containerDefinitions"]
    drivers = _log_drivers(definition)
    execution_role = definition.get("executionRoleArn") is not None
    wanted = {_LEGACY + "logging-driver." + d for d in drivers}
    if drivers:
        wanted.add(_LEGACY + "docker-remote-api.1.19")
    if execution_role and "awslogs" in drivers:
        wanted.add(_CAPABILITY + "execution-role-awslogs")
    if any(_ecr_image(c["image"]) for c in containers):
        wanted.add(_LEGACY + "ecr-auth")
        if execution_role:
            wanted.add(_CAPABILITY + "execution-role-ecr-pull")
    if definition.get("taskRoleArn") is not None:
        wanted.add(_LEGACY + "task-iam-role")
    if definition.get("networkMode", "bridge") != "bridge":
        wanted.add(_LEGACY + "docker-remote-api.1.18")
    if definition.get("networkMode") == "awsvpc":
        wanted.add(_CAPABILITY + "task-eni")
    if any(c.get("healthCheck") for c in containers):
        wanted.add(_CAPABILITY + "container-health-check")
    if any(c.get("dependsOn") for c in containers):
        wanted.add(_CAPABILITY + "container-ordering")
    for secret in (s for c in containers for s in c.get("secrets") or []):
        store = "asm" if ":secretsmanager:" in secret["valueFrom"] else "ssm"
        wanted.add(f"{_CAPABILITY}secrets.{store}.environment-variables")
    return wanted


# The order ECS lists required attributes in (as seen in DescribeTaskDefinition output).
_ATTRIBUTE_ORDER = (
    "logging-driver.",
    "execution-role-awslogs",
    "ecr-auth",
    "docker-remote-api.1.19",
    "task-iam-role",
    "secrets.",
    "container-health-check",
    "container-ordering",
    "execution-role-ecr-pull",
    "docker-remote-api.1.18",
    "task-eni",
)


def required_attributes(definition: Record) -> list[dict[str, str]]:
    """requiresAttributes: what a container instance must advertise to run the task (awsvpc needs
    `ecs.capability.task-eni`, which placement checks)."""

    def rank(name: str) -> tuple[int, str]:
        short = name.removeprefix(_LEGACY).removeprefix(_CAPABILITY)
        return next(i for i, p in enumerate(_ATTRIBUTE_ORDER) if short.startswith(p)), name

    return [{"name": name} for name in sorted(_wanted_attributes(definition), key=rank)]


def _check_compatibilities(definition: Record, required: list[str]) -> None:
    mode = definition.get("networkMode", "bridge")
    if "FARGATE" in required:
        problem = fargate_problem(definition)
        if problem is not None:
            raise client_error(problem)
    if "EXTERNAL" in required and mode == "awsvpc":
        raise client_error("EXTERNAL only supports network modes 'bridge', 'host' and 'none'.")
    if "MANAGED_INSTANCES" in required and mode not in ("awsvpc", "host"):
        raise client_error("MANAGED_INSTANCES only supports network modes 'awsvpc' and 'host'.")


# --- RegisterTaskDefinition -------------------------------------------------------------------------


def _check_family(family: str | None) -> str:
    if not family:
        raise client_error("Family can not be blank.")
    if not _NAME.fullmatch(family):
        raise client_error("Family contains invalid characters.")
    return family


# Request members echoed as given when present (the rest are built or computed).
_ECHOED = (
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "requiresCompatibilities",
    "runtimePlatform",
    "inferenceAccelerators",
    "pidMode",
    "ipcMode",
    "proxyConfiguration",
    "ephemeralStorage",
    "trustedExecutionConfiguration",
)


def _definition(params: shapes.RegisterTaskDefinitionRequest) -> Record:
    """The validated task definition without its identity (ARN, revision) and registration facts."""
    family = _check_family(params.get("family"))
    containers = list(params.get("containerDefinitions") or [])
    _check_names(containers)
    cpu, memory = task_cpu(params.get("cpu")), task_memory(params.get("memory"))
    mode = params.get("networkMode") or "bridge"
    definition: Record = {"family": family, "containerDefinitions": [_container(c, mode) for c in containers]}
    given: Mapping[str, Any] = params  # the echoed members, read by name
    definition.update({field: given[field] for field in _ECHOED if given.get(field) is not None})
    definition["volumes"] = list(params.get("volumes") or [])
    constraints = list(params.get("placementConstraints") or [])
    if len(constraints) > _MAX_PLACEMENT_CONSTRAINTS:
        raise client_error(f"You can specify a maximum of {_MAX_PLACEMENT_CONSTRAINTS} placement constraints.")
    definition["placementConstraints"] = constraints
    if cpu is not None:
        definition["cpu"] = str(cpu)
    if memory is not None:
        definition["memory"] = str(memory)
    definition["enableFaultInjection"] = bool(params.get("enableFaultInjection"))
    gpu_problem = gpus.value_problem(containers)
    if gpu_problem is not None:
        raise client_error(gpu_problem)
    _check_compatibilities(definition, list(params.get("requiresCompatibilities") or []))
    for container in containers:
        _check_resources(container, cpu, memory)
    awslogs_options.check(containers)
    return definition


def _family_record(ctx: RequestContext, family: str) -> TaskDefinitionFamilyRecord:
    return TASK_DEFINITION_FAMILY.get(ctx, family) or {"family": family, "lastRevision": 0, "active": 0}


def _save_family(ctx: RequestContext, record: TaskDefinitionFamilyRecord) -> None:
    TASK_DEFINITION_FAMILY.save(ctx, record)


def save(ctx: RequestContext, record: TaskDefinitionRecord) -> None:
    """Store a revision with its indexes (TagResource saves through here too)."""
    _save(ctx, record)


def _save(ctx: RequestContext, record: TaskDefinitionRecord) -> None:
    TASK_DEFINITION.save(ctx, record)


def register(ctx: RequestContext, params: shapes.RegisterTaskDefinitionRequest) -> TaskDefinitionRecord:
    """RegisterTaskDefinition: the next revision of the family, ACTIVE, with the fields ECS
    computes (compatibilities, requiresAttributes, registeredAt/By). Fully validated first."""
    definition = _definition(params)
    tags = check_tags(list(params.get("tags") or []))
    family = _family_record(ctx, definition["family"])
    revision = family["lastRevision"] + 1
    # `definition` holds the validated members (`_definition`); the rest are ECS's.
    record = cast(
        TaskDefinitionRecord,
        {
            "taskDefinitionArn": task_definition_arn(ctx, definition["family"], revision),
            **definition,
            "revision": revision,
            "status": "ACTIVE",
            "requiresAttributes": required_attributes(definition),
            "compatibilities": compatibilities(definition),
            "registeredAt": ctx.now,
            "registeredBy": ctx.principal.arn,
            "tags": tags,
        },
    )
    _save(ctx, record)
    family["lastRevision"] = revision
    family["active"] += 1
    _save_family(ctx, family)
    return record


# --- DeregisterTaskDefinition and DeleteTaskDefinitions ---------------------------------------------


def _by_revision(ctx: RequestContext, ref: str) -> TaskDefinitionRecord:
    """The revision an explicit `family:revision` or ARN names (these calls refuse a bare family)."""
    parsed = parse_reference(ctx, ref)
    if parsed is not None and parsed[1] is None:
        raise client_error("A revision must be specified: use family:revision or a full task definition ARN.")
    record = find(ctx, ref)
    if record is None:
        raise not_found()
    return record


def _change_status(ctx: RequestContext, record: TaskDefinitionRecord, status: str, stamp: str) -> None:
    was_active = record["status"] == "ACTIVE"
    record["status"] = status
    stamps: dict[str, Any] = cast(dict[str, Any], record)  # deregisteredAt or deleteRequestedAt
    stamps[stamp] = ctx.now
    _save(ctx, record)
    if was_active:
        family = _family_record(ctx, record["family"])
        family["active"] -= 1
        _save_family(ctx, family)


def deregister(ctx: RequestContext, ref: str) -> TaskDefinitionRecord:
    """DeregisterTaskDefinition: ACTIVE -> INACTIVE (still describable). Deregistering an INACTIVE
    revision again returns it unchanged; one being deleted is refused."""
    record = _by_revision(ctx, ref)
    if record["status"] == "DELETE_IN_PROGRESS":
        raise client_error("The task definition is in the process of being deleted.")
    if record["status"] == "ACTIVE":
        _change_status(ctx, record, "INACTIVE", "deregisteredAt")
    return record


def delete(ctx: RequestContext, refs: list[str]) -> tuple[list[TaskDefinitionRecord], list[dict[str, str]]]:
    """DeleteTaskDefinitions: INACTIVE revisions move to DELETE_IN_PROGRESS (where trunkline leaves
    them: still describable and listable by that status). An ACTIVE or unknown revision is a
    failure entry, not an error; the others are still deleted."""
    if not refs:
        raise AwsError("InvalidParameterException", "taskDefinitions can not be empty.")
    if len(refs) > _DELETE_MAXIMUM:
        raise AwsError(
            "InvalidParameterException", f"A maximum of {_DELETE_MAXIMUM} task definitions can be deleted at once."
        )
    deleted: list[TaskDefinitionRecord] = []
    failures: list[dict[str, str]] = []
    for ref in refs:
        try:
            record = _by_revision(ctx, ref)
        except AwsError as error:
            failures.append({"arn": ref, "reason": "MISSING", "detail": error.message})
            continue
        if record["status"] == "ACTIVE":
            detail = "The task definition must be deregistered (INACTIVE) before it can be deleted."
            failures.append({"arn": record["taskDefinitionArn"], "reason": "ACTIVE", "detail": detail})
            continue
        if record["status"] == "INACTIVE":
            _change_status(ctx, record, "DELETE_IN_PROGRESS", "deleteRequestedAt")
        deleted.append(record)
    return deleted, failures


# --- ListTaskDefinitions and ListTaskDefinitionFamilies ---------------------------------------------


def _page_keys(
    ctx: RequestContext, listing: str, keys: list[str], params: Paged, descending: bool
) -> tuple[list[str], str | None]:
    """One page of store keys in ascending or descending order after `nextToken`."""
    limit = params.get("maxResults")
    check_max_results(limit, _LIST_MAXIMUM)
    size = limit or _LIST_MAXIMUM
    ordered = keys[::-1] if descending else keys
    token = params.get("nextToken")
    if token is not None:
        after = pagination.decode(ctx.tx, listing, token)
        if not isinstance(after, str):
            raise AwsError("InvalidParameterException", "Invalid nextToken: the token is not valid for this request.")
        ordered = [k for k in ordered if (k < after if descending else k > after)]
    if len(ordered) <= size:
        return ordered, None
    chosen = ordered[:size]
    return chosen, pagination.encode(ctx.tx, listing, chosen[-1])


def list_arns(ctx: RequestContext, params: shapes.ListTaskDefinitionsRequest) -> tuple[list[str], str | None]:
    """ListTaskDefinitions: ARNs by family then revision (DESC reverses both), of one status
    (ACTIVE unless asked), of one family when `familyPrefix` (a full family name) is given."""
    status = params.get("status") or "ACTIVE"
    family = params.get("familyPrefix")
    descending = params.get("sort") == "DESC"
    if family is not None:
        keys = TASK_DEFINITION.find_keys(ctx, "family_status", family_status(family, status))
    else:
        keys = TASK_DEFINITION.find_keys(ctx, "status", status)
    listing = f"ecs:ListTaskDefinitions|{ctx.region}|{status}|{family}|{descending}"
    chosen, token = _page_keys(ctx, listing, keys, params, descending)
    return [task_definition_arn(ctx, *_family_from_key(ctx, key)) for key in chosen], token


def _family_names(ctx: RequestContext, status: str) -> Iterator[str]:
    if status == "ALL":
        keys = TASK_DEFINITION_FAMILY.find_keys(ctx, "scope", "")
    else:
        keys = TASK_DEFINITION_FAMILY.find_keys(ctx, "status", status)
    return (key[len(_scope(ctx)) + 1 :] for key in keys)


def list_families(
    ctx: RequestContext, params: shapes.ListTaskDefinitionFamiliesRequest
) -> tuple[list[str], str | None]:
    """ListTaskDefinitionFamilies: family names starting with `familyPrefix`, by name. ACTIVE
    families have an ACTIVE revision, INACTIVE ones none; by default both (ALL)."""
    status = params.get("status") or "ALL"
    prefix = params.get("familyPrefix") or ""
    names = [name for name in _family_names(ctx, status) if name.startswith(prefix)]
    listing = f"ecs:ListTaskDefinitionFamilies|{ctx.region}|{status}|{prefix}"
    return page(ctx, listing, names, lambda name: name, params, maximum=_LIST_MAXIMUM)
