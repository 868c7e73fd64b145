"""The lock a cluster's placements take turns on (`Transaction.lock`): RunTask, StartTask and
StopTask in the cluster, and the reconciler's steps of its tasks. On a shared PostgreSQL store,
transactions holding the same lock never overlap, so they cannot fail serialisation against
each other; they wait instead (docs/design.md, "Several processes on one PostgreSQL")."""

from __future__ import annotations

from trunkline.context import RequestContext
from trunkline.domain.ecs.kinds import CONTAINER_INSTANCE, PLACEMENT_FAILURES, TASK

_PREFIX = "placement:"

#: What placements (RunTask, StartTask), StopTask and the reconciler's steps of a cluster's tasks
#: write holding the cluster's lock, when they may run under REPEATABLE READ on PostgreSQL
#: (`RepeatableRead`, `Transaction.lock`'s `writes`): the tasks and their container instances'
#: counts and resources, and the cluster's tally of placement failures (written by placements
#: only, all holding the lock). Every other writer of those either holds the same lock or writes the same
#: document (an update after the snapshot fails the later one: first updater wins), so this work
#: needs no SERIALIZABLE read tracking, which on PostgreSQL locks index and heap pages and failed it
#: for other clusters' work. Work that writes anything else (an ENI, a trunk association, a
#: subnet's addresses, a service) is run again under SERIALIZABLE (docs/decisions.md).
LOCKED_WRITES = frozenset({TASK.name, CONTAINER_INSTANCE.name, PLACEMENT_FAILURES.name})


def scope(cluster_arn: str) -> str:
    return _PREFIX + cluster_arn


def repeatable_writes(scope_: str) -> frozenset[str]:
    """The kinds a job holding `scope_` may write under REPEATABLE READ (none for other scopes)."""
    return LOCKED_WRITES if scope_.startswith(_PREFIX) else frozenset()


def take(ctx: RequestContext, cluster_arn: str) -> None:
    ctx.tx.lock(scope(cluster_arn), LOCKED_WRITES)
