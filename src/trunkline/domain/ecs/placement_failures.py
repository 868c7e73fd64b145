"""A tally of placement failures per cluster and reason, for the dashboard's summary ("how many
tasks did not fit for want of an ENI slot?"). AWS keeps no such count: a failure is only returned
to the caller (RunTask's and StartTask's `failures`) or logged as a service event.

Every task that placement could not place adds one under its failure's `reason` (`RESOURCE:ENI`,
`RESOURCE:MEMORY`, `MemberOf`, ...): each task of RunTask and StartTask, and each task a service
scheduler pass wanted but could not place (a service that keeps failing adds at every pass, as
its attempts do). Record (`kinds.PLACEMENT_FAILURES`, id `CLUSTER@createdAt`, so a cluster
created again under the same name starts from zero): `{cluster, clusterArn, reasons: {REASON: N}}`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import clusters
from trunkline.domain.ecs.kinds import PLACEMENT_FAILURES
from trunkline.domain.ecs.records import ClusterRecord

Record = dict[str, Any]


def _id(cluster: ClusterRecord) -> str:
    return f"{cluster['clusterName']}@{cluster['createdAt']}"


def record(ctx: RequestContext, cluster_arn: str, failures: list[Record]) -> None:
    """Count `failures` (RunTask's failure shape) against the cluster; writes nothing when empty."""
    reasons = Counter(str(f.get("reason")) for f in failures if f.get("reason"))
    cluster = clusters.find_cluster(ctx, cluster_arn) if reasons else None
    if cluster is None:
        return
    tally = PLACEMENT_FAILURES.get(ctx, _id(cluster)) or {
        "cluster": _id(cluster),
        "clusterArn": cluster_arn,
        "reasons": {},
    }
    for reason, count in reasons.items():
        tally["reasons"][reason] = int(tally["reasons"].get(reason, 0)) + count
    PLACEMENT_FAILURES.save(ctx, tally)


def of_cluster(ctx: RequestContext, cluster: ClusterRecord) -> dict[str, int]:
    """`{reason: count}` for the cluster (empty when nothing ever failed to place)."""
    tally = PLACEMENT_FAILURES.get(ctx, _id(cluster))
    reasons = tally["reasons"] if tally is not None else {}
    return {str(k): int(v) for k, v in reasons.items()}
