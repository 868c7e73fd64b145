"""The lock a cluster's placements take turns on (`Transaction.lock`): RunTask, StartTask and
StopTask in the cluster, and the reconciler's steps of its tasks. On a shared PostgreSQL store,
transactions holding the same lock never overlap, so they cannot fail serialisation against
each other; they wait instead (docs/design.md, "Several processes on one PostgreSQL")."""

from __future__ import annotations

from trunkline.context import RequestContext
from trunkline.domain.ecs.kinds import CONTAINER_INSTANCE, TASK

_PREFIX = "placement:"

#: What the reconciler's steps of a cluster's tasks may write, holding the cluster's lock from
#: before their snapshot, and still run under REPEATABLE READ on PostgreSQL (`RepeatableRead`):
#: the task they move on and its container instance's counts and resources. Every other writer
#: of those either holds the same lock (placements, StopTask, other steps) or writes the same
#: document (an update after the step's snapshot fails it: first updater wins), so the step needs
#: no SERIALIZABLE read tracking, which on PostgreSQL locks index and heap pages and failed steps
#: for other clusters' placements. A step that writes anything else (an ENI released, a
#: replacement task placed by its service) is run again under SERIALIZABLE (docs/decisions.md).
STEP_WRITES = frozenset({TASK.name, CONTAINER_INSTANCE.name})


def scope(cluster_arn: str) -> str:
    return _PREFIX + cluster_arn


def repeatable_writes(scope_: str) -> frozenset[str]:
    """The kinds a job holding `scope_` may write under REPEATABLE READ (none for other scopes)."""
    return STEP_WRITES if scope_.startswith(_PREFIX) else frozenset()


def take(ctx: RequestContext, cluster_arn: str) -> None:
    ctx.tx.lock(scope(cluster_arn))
