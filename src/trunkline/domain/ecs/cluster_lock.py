"""The lock a cluster's placements take turns on (`Transaction.lock`): RunTask, StartTask and
StopTask in the cluster, and the reconciler's steps of its tasks. On a shared PostgreSQL store,
transactions holding the same lock never overlap, so they cannot fail serialisation against
each other; they wait instead (docs/design.md, "Several processes on one PostgreSQL")."""

from __future__ import annotations

from trunkline.context import RequestContext


def scope(cluster_arn: str) -> str:
    return "placement:" + cluster_arn


def take(ctx: RequestContext, cluster_arn: str) -> None:
    ctx.tx.lock(scope(cluster_arn))
