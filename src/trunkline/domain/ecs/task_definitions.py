"""ECS task definitions: families, revisions, references, and what a task of one demands of a host.

Record (kind `ecs.task-definition`, key `ACCOUNT/REGION/FAMILY+REVISION` with the revision zero-padded,
so key order is family order then revision order: `+` sorts before every family character, so
`web` comes before `web-api` as AWS's lexicographic family order wants). The record is the
TaskDefinition output shape exactly as DescribeTaskDefinition returns it, plus `tags`.

Indexes: `family_status` = `ACCOUNT/REGION/FAMILY|STATUS` (the latest ACTIVE revision of a family is
the last key found), `status` = `ACCOUNT/REGION|STATUS` (ListTaskDefinitions by status).

Other modules (RunTask, placement) use `resolve` to find the revision a reference names and
`demand` for what a task of it reserves on a container instance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import ecs_arn
from trunkline.errors import AwsError

KIND = "ecs.task-definition"
Record = dict[str, Any]

_FAMILY = re.compile(r"[A-Za-z0-9_-]{1,255}")
_REVISION_DIGITS = 10
# The key separator between family and revision: below '-', the smallest family character.
_SEPARATOR = "+"


def _family_key(ctx: RequestContext, family: str) -> str:
    return f"{ctx.account_id}/{ctx.region}/{family}{_SEPARATOR}"


def record_key(ctx: RequestContext, family: str, revision: int) -> str:
    return f"{_family_key(ctx, family)}{revision:0{_REVISION_DIGITS}d}"


def family_status(ctx: RequestContext, family: str, status: str) -> str:
    return f"{ctx.account_id}/{ctx.region}/{family}|{status}"


def task_definition_arn(ctx: RequestContext, family: str, revision: int) -> str:
    return ecs_arn(ctx, f"task-definition/{family}:{revision}")


def not_found() -> AwsError:
    return AwsError("ClientException", "Unable to describe task definition.")


# --- references -------------------------------------------------------------------------------------


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
    if not _FAMILY.fullmatch(family):
        return None
    if not colon:
        return family, None
    if not revision.isdigit() or not revision.isascii() or int(revision) < 1:
        return None
    return family, int(revision)


def latest_active(ctx: RequestContext, family: str) -> Record | None:
    keys = ctx.tx.find_keys(KIND, "family_status", family_status(ctx, family, "ACTIVE"))
    return ctx.tx.get(KIND, keys[-1]) if keys else None


def find(ctx: RequestContext, ref: str) -> Record | None:
    """The record `ref` names, or None. A bare family names its latest ACTIVE revision; an explicit
    revision names that revision whatever its status."""
    parsed = parse_reference(ctx, ref)
    if parsed is None:
        return None
    family, revision = parsed
    if revision is None:
        return latest_active(ctx, family)
    return ctx.tx.get(KIND, record_key(ctx, family, revision))


def resolve(ctx: RequestContext, ref: str) -> Record:
    """The task definition `ref` names: `family` (its latest ACTIVE revision), `family:revision` or
    a full ARN (that revision, ACTIVE, INACTIVE or DELETE_IN_PROGRESS: the caller decides whether
    a non-ACTIVE one may be used). Anything else, or nothing there: ClientException "Unable to
    describe task definition.", as DescribeTaskDefinition answers.

    The record is the TaskDefinition output shape (taskDefinitionArn, family, revision, status,
    networkMode, containerDefinitions, cpu/memory as strings, requiresAttributes, compatibilities,
    ...) plus `tags`; callers must not change it."""
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


def _host_ports(record: Record, network_mode: str) -> tuple[frozenset[int], frozenset[int]]:
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


def _task_level(record: Record, field: str, container_total: int) -> int:
    value = record.get(field)
    return int(value) if value is not None else container_total


def demand(record: Record) -> TaskDemand:
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
