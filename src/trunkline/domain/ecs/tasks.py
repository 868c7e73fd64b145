"""Tasks: the record, its indexes, references, views, and the one way to change it.

Record (kind `ecs.task`, key `ACCOUNT/REGION/CLUSTER/ID`, ID 32 hex), in Task output member names
so views are cheap: `taskArn` (`arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID`), `clusterArn`,
`taskDefinitionArn`, `containerInstanceArn` (EC2 only), `availabilityZone`, `attachments`,
`attributes`, `containers`, `cpu`, `memory`, `createdAt`, `desiredStatus`, `lastStatus`,
`launchType`, `group`, `startedBy`, `version`, `overrides`, `connectivity`, the lifecycle
timestamps, `stopCode`, `stoppedReason`, `tags`, `platformVersion` (Fargate).

Internal fields (`_` prefix, never served): `_account`, `_region`, `_family`, `_awsvpc`,
`_demand` (`{cpu, memory, tcpPorts, udpPorts, eni}`: what the task holds on its instance until it
is STOPPED), `_eni` (see `task_enis.py`), `_ec2InstanceId`, `_updatedAt`.

Indexes, as the cluster counts require: `cluster_status` = `CLUSTER_ARN|lastStatus`,
`cluster_desired` = `CLUSTER_ARN|desiredStatus`; and `instance` (container instance ARN),
`instance_live` (the same until STOPPED: what the instance's resources and counts derive from),
`cluster_group_live` (`CLUSTER_ARN|group` until STOPPED: spread and distinctInstance),
`cluster_family`, `cluster_started_by` (ListTasks filters).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from trunkline.context import RequestContext
from trunkline.domain import events
from trunkline.domain.ecs import (
    bump_version,
    cluster_resource_id,
    container_instances,
    ecs_arn,
    public_view,
)
from trunkline.domain.ecs.kinds import STOPPED_AT_INDEX, TASK, stopped_moment
from trunkline.domain.ecs.records import ContainerInstanceRecord, TaskRecord

KIND = TASK.name
Record = dict[str, Any]
T = TypeVar("T")

STOPPED = "STOPPED"
#: Every lastStatus a task passes through, in order.
LIFECYCLE = (
    "PROVISIONING",
    "PENDING",
    "ACTIVATING",
    "RUNNING",
    "DEACTIVATING",
    "STOPPING",
    "DEPROVISIONING",
    STOPPED,
)
_TIMESTAMPS = (
    "createdAt",
    "connectivityAt",
    "pullStartedAt",
    "pullStoppedAt",
    "startedAt",
    "stoppingAt",
    "stoppedAt",
    "executionStoppedAt",
)
#: What events call the ENI attachment (the API says ElasticNetworkInterface): events observed from
#: 2020 to 2023 write "eni" (docs/decisions.md).
EVENT_ATTACHMENT_TYPE = "eni"


def cluster_name_of(cluster_arn: str) -> str:
    return cluster_arn.rsplit("/", 1)[-1]


def key(account: str, region: str, cluster_arn: str, task_id: str) -> str:
    return TASK.scope.key(account, region, f"{cluster_name_of(cluster_arn)}/{task_id}")


def task_arn(ctx: RequestContext, cluster_arn: str, task_id: str) -> str:
    return ecs_arn(ctx, f"task/{cluster_name_of(cluster_arn)}/{task_id}")


def id_of(record: TaskRecord) -> str:
    return str(record["taskArn"]).rsplit("/", 1)[-1]


def record_key(record: TaskRecord) -> str:
    return key(record["_account"], record["_region"], record["clusterArn"], id_of(record))


def is_live(record: TaskRecord) -> bool:
    return bool(record["lastStatus"] != STOPPED)


def save(ctx: RequestContext, record: TaskRecord) -> None:
    """Store the record with all its indexes (`kinds.TASK`). Use `change` for anything a user can
    observe."""
    TASK.save(ctx, record)


# --- how long stopped tasks are shown ------------------------------------------------------------

STOPPED_AT = STOPPED_AT_INDEX  # zero-padded epoch seconds, on STOPPED tasks (kinds.TASK)
STOPPED_RETENTION = 3600.0  # seconds: "stopped tasks appear in the returned results for at least one hour"


def forget_stopped(ctx: RequestContext, retention: float = STOPPED_RETENTION, limit: int = 1000) -> int:
    """Delete up to `limit` tasks STOPPED more than `retention` seconds ago, oldest first; returns
    how many. AWS stops showing them after about an hour; keeping them would grow the store forever."""
    cutoff = stopped_moment(ctx.now - retention)
    assert cutoff is not None
    gone = 0
    for value, key, _ in ctx.tx.find_from(KIND, STOPPED_AT, "", limit=limit):
        if value >= cutoff:
            break
        ctx.tx.delete(KIND, key)
        gone += 1
    return gone


def change(ctx: RequestContext, record: TaskRecord, save_now: bool = True) -> None:
    """Save an observable change: bump `version` and emit the task state change event with it.
    Without `save_now`, the record is saved later in this transaction, by a change that follows
    before anything reads it (a task step taken early, task_lifecycle)."""
    bump_version(ctx, record)
    if save_now:
        save(ctx, record)
    events.emit(ctx, events.TASK_STATE_CHANGE, [record["taskArn"]], event_detail(record))
    # The service scheduler: a task that stops frees capacity, one that runs may make its service steady.
    ctx.reactions.task_change(ctx, record)


# --- views ------------------------------------------------------------------------------------------


def view(record: TaskRecord, include_tags: bool = True) -> Record:
    """The Task shape."""
    return public_view(record, include_tags)


def event_detail(record: TaskRecord) -> Record:
    """The event's detail is the Task, with ISO timestamps and `updatedAt`; the ENI attachment is
    typed "eni" there."""
    detail = view(record, include_tags=False)
    for name in _TIMESTAMPS:
        if detail.get(name) is not None:
            detail[name] = events.iso(float(detail[name]))
    detail["attachments"] = [
        {**a, "type": EVENT_ATTACHMENT_TYPE} if a["type"] == "ElasticNetworkInterface" else a
        for a in detail.get("attachments", [])
    ]
    detail["updatedAt"] = events.iso(float(record.get("_updatedAt") or record["createdAt"]))
    return detail


# --- lookups ----------------------------------------------------------------------------------------


def parse_reference(ctx: RequestContext, cluster_arn: str, ref: str) -> str | None:
    """The task id `ref` (an id or a full ARN, long or short form) names in this cluster, or None."""
    return cluster_resource_id(ctx, cluster_arn, ref, "task")


def find(ctx: RequestContext, cluster_arn: str, ref: str) -> TaskRecord | None:
    task_id = parse_reference(ctx, cluster_arn, ref)
    if task_id is None:
        return None
    return TASK.get(ctx, f"{cluster_name_of(cluster_arn)}/{task_id}")


def arn_for_reference(ctx: RequestContext, cluster_arn: str, ref: str) -> str:
    """The ARN a reference stands for, for a MISSING failure."""
    return ref if ref.startswith("arn:") else task_arn(ctx, cluster_arn, ref)


def get(ctx: RequestContext, cluster_arn: str, ref: str) -> TaskRecord:
    record = find(ctx, cluster_arn, ref)
    if record is None:
        raise TASK.missing(ref)
    return record


def live_on_instance(ctx: RequestContext, instance_arn: str) -> list[TaskRecord]:
    """The tasks that hold resources on a container instance (not yet STOPPED)."""
    return TASK.find(ctx, "instance_live", instance_arn)


def live_on_instance_derived(ctx: RequestContext, instance_arn: str, derive: Callable[[Record], T]) -> list[T]:
    """`derive` of each task `live_on_instance` returns, in the same order, kept by the store by
    each record's stored bytes (`derive` must be pure and its results treated as read-only)."""
    return ctx.tx.find_derived(TASK.name, "instance_live", TASK.index_value(ctx, "instance_live", instance_arn), derive)


def group_counts(ctx: RequestContext, cluster_arn: str, group: str) -> dict[str, int]:
    """Live tasks of a task group per container instance ARN, from one index read."""
    counts: dict[str, int] = {}
    for record in TASK.find(ctx, "cluster_group_live", f"{cluster_arn}|{group}"):
        instance = record.get("containerInstanceArn")
        if instance:
            counts[instance] = counts.get(instance, 0) + 1
    return counts


def task_groups_of(ctx: RequestContext, instance: ContainerInstanceRecord) -> list[str]:
    """`task:group` for the cluster query language: the groups of the instance's live tasks."""
    return [t["group"] for t in live_on_instance(ctx, instance["containerInstanceArn"])]


def instance_record(ctx: RequestContext, record: TaskRecord) -> ContainerInstanceRecord | None:
    """The container instance a task was placed on."""
    arn = record.get("containerInstanceArn")
    return container_instances.find(ctx, record["clusterArn"], arn) if arn else None
