"""ECS CreateCluster, DescribeClusters, ListClusters, UpdateCluster, UpdateClusterSettings, DeleteCluster."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import capacity_providers, cluster_updates, clusters, describe_each
from trunkline.domain.ecs.records import ClusterRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

Params = dict[str, Any]

_DESCRIBE_LIMIT = 100


def cluster_view(ctx: RequestContext, record: ClusterRecord, include: frozenset[str]) -> Params:
    """The Cluster shape: counts derived now; statistics, tags, settings, configuration and
    attachments only when `include` asks for them (absent otherwise, as AWS leaves them out)."""
    arn = record["clusterArn"]
    view: Params = {"clusterArn": arn, "clusterName": record["clusterName"], "status": record["status"]}
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


# CreateCluster and the updates answer with what the caller gave the cluster; DeleteCluster like a
# plain describe.
_OWN_FIELDS = frozenset({"TAGS", "SETTINGS", "CONFIGURATIONS"})


def _answer(ctx: RequestContext, record: ClusterRecord) -> Params:
    """What CreateCluster, UpdateCluster and UpdateClusterSettings answer: the caller's own fields,
    and `statistics` empty (as AWS's create-cluster output shows it)."""
    view = cluster_view(ctx, record, _OWN_FIELDS)
    view["statistics"] = []
    return view


class ClusterOps:
    def create_cluster(self, ctx: RequestContext, params: shapes.CreateClusterRequest) -> Params:
        return {"cluster": _answer(ctx, clusters.create_cluster(ctx, params))}

    def describe_clusters(self, ctx: RequestContext, params: shapes.DescribeClustersRequest) -> Params:
        refs = params.get("clusters") or [clusters.DEFAULT_NAME]
        if len(refs) > _DESCRIBE_LIMIT:
            raise AwsError(
                "InvalidParameterException", f"A maximum of {_DESCRIBE_LIMIT} clusters can be described at once."
            )
        include = frozenset(params.get("include") or ())
        found, failures = describe_each(
            refs,
            lambda ref: clusters.find_cluster(ctx, ref),
            "clusterArn",
            lambda ref: ref if ref.startswith("arn:") else clusters.cluster_arn(ctx, ref),
            lambda record: cluster_view(ctx, record, include),
        )
        return {"clusters": found, "failures": failures}

    def list_clusters(self, ctx: RequestContext, params: shapes.ListClustersRequest) -> Params:
        arns, token = clusters.list_cluster_arns(ctx, params)
        result: Params = {"clusterArns": arns}
        if token is not None:
            result["nextToken"] = token
        return result

    def update_cluster(self, ctx: RequestContext, params: shapes.UpdateClusterRequest) -> Params:
        return {"cluster": _answer(ctx, cluster_updates.update_cluster(ctx, params))}

    def update_cluster_settings(self, ctx: RequestContext, params: shapes.UpdateClusterSettingsRequest) -> Params:
        return {"cluster": _answer(ctx, cluster_updates.update_cluster_settings(ctx, params))}

    def delete_cluster(self, ctx: RequestContext, params: shapes.DeleteClusterRequest) -> Params:
        return {"cluster": cluster_view(ctx, clusters.delete_cluster(ctx, params["cluster"]), frozenset())}
