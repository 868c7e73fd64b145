"""What RunTask is certain to read, asked of the store ahead (`Transaction.prefetch`).

On PostgreSQL each read the domain waits for is a round trip, and RunTask's reads depend on one
another only in part: the task definition does not depend on the cluster, and once the cluster is
known its ACTIVE instances and services are; once the host is chosen, its record and its live tasks
(read again after the new tasks are written, to refresh its usage), asked with the check
that its EC2 instance runs. Asking these ahead lets them
travel with the read before them; the answers are the same as reading them later (the store keeps
them current with the transaction's own writes). On SQLite asking ahead does nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import clusters, container_instances, task_definitions
from trunkline.domain.ecs.kinds import CLUSTER, CONTAINER_INSTANCE, RUN_TASK_TOKEN, SERVICE, TASK, TASK_DEFINITION
from trunkline.domain.ecs.records import TaskRecord

#: The statuses of a cluster's live services (`services.of_cluster`; the scheduler wakes them). Kept
#: here, with the reads that ask for them: `services` imports this module (through task_launch).
LIVE_SERVICES = ("ACTIVE", "DRAINING")


def before_identity(ctx: RequestContext, params: Mapping[str, Any]) -> None:
    """What RunTask reads first, asked before the caller's credential is read (`ctx` holds the
    account the key most likely belongs to): the cluster, the task definition's keys, the client
    token's record, and the cluster's ACTIVE instance and live services. They travel with the credential's read; if the
    guess was wrong, the answers are only never used."""
    definition(ctx, params.get("taskDefinition"))
    token = params.get("clientToken")  # boto3 sends one with every RunTask
    if isinstance(token, str) and token:
        ctx.tx.prefetch(gets=[(RUN_TASK_TOKEN.name, RUN_TASK_TOKEN.key(ctx, token))])
    name = _cluster_name(ctx, params.get("cluster"))
    if name is None:
        return
    ctx.tx.prefetch(gets=[(CLUSTER.name, CLUSTER.key(ctx, name))])
    cluster(ctx, clusters.cluster_arn(ctx, name))


def definition(ctx: RequestContext, ref: object) -> None:
    """The task definition `ref` names: its family's ACTIVE keys, or the revision itself."""
    if not isinstance(ref, str):
        return
    parsed = task_definitions.parse_reference(ctx, ref)
    if parsed is None:
        return
    family, revision = parsed
    if revision is None:
        value = TASK_DEFINITION.index_value(ctx, "family_status", task_definitions.family_status(family, "ACTIVE"))
        # Its ACTIVE revisions' keys, and the latest one's record (the highest key) with them.
        question = (TASK_DEFINITION.name, "family_status", value)
        ctx.tx.prefetch(keys=[(*question, None)], lasts=[question])
    else:
        ctx.tx.prefetch(gets=[(TASK_DEFINITION.name, task_definitions.record_key(ctx, family, revision))])


def cluster(ctx: RequestContext, cluster_arn: str) -> None:
    """Whether the cluster has an ACTIVE instance (`placement_candidates.has_active`), and its live
    services (`services.of_cluster`, read when a container instance changes)."""
    active = CONTAINER_INSTANCE.index_value(ctx, "cluster_status", f"{cluster_arn}|ACTIVE")
    ctx.tx.prefetch(
        finds=live_services(ctx, cluster_arn), keys=[(CONTAINER_INSTANCE.name, "cluster_status", active, 1)]
    )


def live_services(ctx: RequestContext, cluster_arn: str) -> list[tuple[str, str, str]]:
    """The index questions for a cluster's live services, as `Transaction.prefetch` takes them."""
    return [
        (SERVICE.name, "cluster_status", SERVICE.index_value(ctx, "cluster_status", f"{cluster_arn}|{status}"))
        for status in LIVE_SERVICES
    ]


def before_stop(ctx: RequestContext, params: Mapping[str, Any]) -> None:
    """What StopTask reads before its cluster's lock, asked with the caller's credential (as
    `before_identity`): the cluster, and its live services (a RUNNING task asked to stop wakes
    them). The task itself is read after the lock is asked for, whose answer travels with it."""
    name = _cluster_name(ctx, params.get("cluster"))
    if name is not None:
        ctx.tx.prefetch(
            gets=[(CLUSTER.name, CLUSTER.key(ctx, name))], finds=live_services(ctx, clusters.cluster_arn(ctx, name))
        )


def step(ctx: RequestContext, task: TaskRecord, refresh: bool) -> None:
    """What a task's step (`task_lifecycle.step_job`) reads once it saves the task, asked before
    the save, which waits for them (one round trip instead of up to four): the live services of
    its cluster when it reaches RUNNING or STOPPED or its host changes (`service_scheduler` wakes
    them), and with `refresh` its host's record and live tasks (`task_usage.refresh`)."""
    # (A refreshed host is saved, and an ACTIVE host's change wakes them too.)
    wakes = refresh or task["lastStatus"] in ("RUNNING", "STOPPED")
    finds = live_services(ctx, task["clusterArn"]) if wakes else []
    arn = task.get("containerInstanceArn")
    if refresh and arn:
        hosts(ctx, task["clusterArn"], [arn])
    ctx.tx.prefetch(finds=finds)


def _cluster_name(ctx: RequestContext, ref: object) -> str | None:
    return (
        clusters.cluster_name(ctx, clusters.DEFAULT_NAME if ref is None else ref)
        if isinstance(ref, str | None)
        else None
    )


def hosts(ctx: RequestContext, cluster_arn: str, arns: Iterable[str]) -> None:
    """Container instances' records and their live tasks, for placing tasks there: `_host_records`
    reads them, and `task_usage.refresh` the live tasks again after the new ones are written."""
    gets = []
    finds = []
    for arn in dict.fromkeys(arns):
        instance_id = container_instances.parse_reference(ctx, cluster_arn, arn)
        if instance_id is None:
            continue
        resource_id = f"{container_instances.cluster_name_of(cluster_arn)}/{instance_id}"
        gets.append((CONTAINER_INSTANCE.name, CONTAINER_INSTANCE.key(ctx, resource_id)))
        finds.append((TASK.name, "instance_live", TASK.index_value(ctx, "instance_live", arn)))
    ctx.tx.prefetch(gets=gets, finds=finds)


def new_task(ctx: RequestContext, record: TaskRecord) -> None:
    """A task under a fresh random id (`ids.ecs_id`: 122 random bits) before its first save: nothing can be
    stored under its key, so the store need not look (`Transaction.created`)."""
    ctx.tx.created(TASK.name, TASK.record_store_key(ctx, record))
