"""What ECS answers about clusters: the Cluster shape (counts derived now, optional parts when
`include` asks), DescribeClusters' limit and failures, and the view create/update answer with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import capacity_providers, clusters, describe_each
from trunkline.domain.ecs.records import ClusterRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

View = dict[str, Any]

_DESCRIBE_LIMIT = 100

# CreateCluster and the updates answer with what the caller gave the cluster; DeleteCluster like a
# plain describe.
_OWN_FIELDS = frozenset({"TAGS", "SETTINGS", "CONFIGURATIONS"})


def cluster_view(ctx: RequestContext, record: ClusterRecord, include: frozenset[str]) -> View:
    """The Cluster shape: counts derived now; statistics, tags, settings, configuration and
    attachments only when `include` asks for them (absent otherwise, as AWS leaves them out)."""
    arn = record["clusterArn"]
    view: View = {"clusterArn": arn, "clusterName": record["clusterName"], "status": record["status"]}
    view.update(clusters.cluster_counts(ctx, arn))
    if "STATISTICS" in include:
        view["statistics"] = clusters.cluster_statistics(ctx, arn)
    if "TAGS" in include:
        view["tags"] = record["tags"]
    if "SETTINGS" in include:
        view["settings"] = record["settings"]
    view["capacityProviders"] = record["capacityProviders"]
    view["defaultCapacityProviderStrategy"] = record["defaultCapacityProviderStrategy"]
    if "CONFIGURATIONS" in include and "configuration" in record:
        view["configuration"] = record["configuration"]
    if "ATTACHMENTS" in include:
        view["attachments"] = capacity_providers.attachments(ctx, record)
        if record["capacityProviders"]:
            view["attachmentsStatus"] = "UPDATE_COMPLETE"
    return view


def changed_view(ctx: RequestContext, record: ClusterRecord) -> View:
    """What CreateCluster, UpdateCluster and UpdateClusterSettings answer: the caller's own fields,
    and `statistics` empty (as AWS's create-cluster output shows it)."""
    view = cluster_view(ctx, record, _OWN_FIELDS)
    view["statistics"] = []
    return view


def attachments_view(ctx: RequestContext, record: ClusterRecord) -> View:
    """What PutClusterCapacityProviders answers: the cluster with its capacity provider attachments."""
    return cluster_view(ctx, record, frozenset({"ATTACHMENTS"}))


def describe_clusters(
    ctx: RequestContext, request: shapes.DescribeClustersRequest
) -> tuple[list[View], list[dict[str, str]]]:
    """The named clusters (the default one when none is named) and a failure for each missing one."""
    refs = request.get("clusters") or [clusters.DEFAULT_NAME]
    if len(refs) > _DESCRIBE_LIMIT:
        raise AwsError(
            "InvalidParameterException", f"A maximum of {_DESCRIBE_LIMIT} clusters can be described at once."
        )
    include = frozenset(request.get("include") or ())
    return describe_each(
        refs,
        lambda ref: clusters.find_cluster(ctx, ref),
        "clusterArn",
        lambda ref: ref if ref.startswith("arn:") else clusters.cluster_arn(ctx, ref),
        lambda record: cluster_view(ctx, record, include),
    )
