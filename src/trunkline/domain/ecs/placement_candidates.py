"""Which container instances placement is shown, read from the store through indexes, and each
one's `placement.Candidate` picture. Shared by RunTask, StartTask and (later) services.

An awsvpc launch reads only the cluster's instances in the subnets' VPC (`attrval:ecs.vpc-id`),
because any other instance fails the earliest check (ATTRIBUTE) and could never be the closest
match while one in the VPC exists; when none is, one ACTIVE instance of the cluster stands for
them all (its reason is ATTRIBUTE). Other launches read the cluster's ACTIVE instances
(`cluster_status`). Task group counts come from one index read per launch (`cluster_group_live`);
ENI slots, `task:group` and the EC2 instance's state are read per instance only when placement
reaches it.

Cost at scale: one record read per ACTIVE instance in the VPC per launch (not per task); a memberOf
hint (`query.equality_hints`) or capacity summaries could narrow that further later.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import instances
from trunkline.domain.ecs import capacity, container_instances, task_usage, tasks
from trunkline.domain.ecs.placement import Candidate

Record = dict[str, Any]

_BATCH = 500


def candidate(ctx: RequestContext, record: Record, group_counts: dict[str, int]) -> Candidate:
    """The placement picture of one container instance record."""
    cpu, memory, tcp, udp = task_usage.remaining_cpu_memory_ports(record)
    attributes = {a["name"]: a.get("value") for a in record.get("attributes") or []}
    arn = record["containerInstanceArn"]
    eni_loader: Callable[[], int] = lambda: capacity.available_task_enis(ctx, record)  # noqa: E731
    groups_loader: Callable[[], list[str]] = lambda: tasks.task_groups_of(ctx, record)  # noqa: E731
    host_loader: Callable[[], bool] = lambda: _running(ctx, record["ec2InstanceId"])  # noqa: E731
    return Candidate(
        arn=arn,
        ec2_instance_id=record["ec2InstanceId"],
        attributes=attributes,
        cpu=cpu,
        memory=memory,
        tcp_ports=tcp,
        udp_ports=udp,
        agent_connected=bool(record.get("agentConnected")),
        agent_version=(record.get("versionInfo") or {}).get("agentVersion"),
        registered_at=float(record.get("registeredAt") or 0.0),
        running_tasks_count=int(record.get("runningTasksCount") or 0),
        vpc_id=record.get("_vpcId"),
        zone=record.get("_availabilityZone"),
        group_tasks=group_counts.get(arn, 0),
        eni_loader=eni_loader,
        groups_loader=groups_loader,
        host_loader=host_loader,
    )


def _running(ctx: RequestContext, instance_id: str) -> bool:
    instance = instances.find_instance(ctx, instance_id)
    return instance is not None and instance["State"]["Name"] == "running"


def _read(ctx: RequestContext, field: str, value: str) -> list[Record]:
    found: list[Record] = []
    after: str | None = None
    while True:
        batch = ctx.tx.find(container_instances.KIND, field, value, after=after, limit=_BATCH)
        found += batch
        if len(batch) < _BATCH:
            return found
        after = container_instances.record_key(batch[-1])


def active_count(ctx: RequestContext, cluster_arn: str) -> int:
    return ctx.tx.count(container_instances.KIND, "cluster_status", f"{cluster_arn}|ACTIVE")


def cluster_candidates(ctx: RequestContext, cluster_arn: str, vpc_id: str | None, group: str) -> list[Candidate]:
    """The ACTIVE instances placement should consider for a launch (see the module doc)."""
    if vpc_id is not None:
        records = [r for r in _read(ctx, "attrval:ecs.vpc-id", f"{cluster_arn}|{vpc_id}") if r["status"] == "ACTIVE"]
        if not records:
            records = ctx.tx.find(container_instances.KIND, "cluster_status", f"{cluster_arn}|ACTIVE", limit=1)
    else:
        records = _read(ctx, "cluster_status", f"{cluster_arn}|ACTIVE")
    counts = tasks.group_counts(ctx, cluster_arn, group)
    return [candidate(ctx, record, counts) for record in records]
