"""ECS CreateCluster, DescribeClusters, ListClusters, UpdateCluster, UpdateClusterSettings,
DeleteCluster. Thin: the domain's clusters, cluster_updates and cluster_views modules decide."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import cluster_updates, cluster_views, clusters

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

Params = dict[str, Any]


class ClusterOps:
    def create_cluster(self, ctx: RequestContext, params: shapes.CreateClusterRequest) -> Params:
        return {"cluster": cluster_views.changed_view(ctx, clusters.create_cluster(ctx, params))}

    def describe_clusters(self, ctx: RequestContext, params: shapes.DescribeClustersRequest) -> Params:
        found, failures = cluster_views.describe_clusters(ctx, params)
        return {"clusters": found, "failures": failures}

    def list_clusters(self, ctx: RequestContext, params: shapes.ListClustersRequest) -> Params:
        arns, token = clusters.list_cluster_arns(ctx, params)
        result: Params = {"clusterArns": arns}
        if token is not None:
            result["nextToken"] = token
        return result

    def update_cluster(self, ctx: RequestContext, params: shapes.UpdateClusterRequest) -> Params:
        return {"cluster": cluster_views.changed_view(ctx, cluster_updates.update_cluster(ctx, params))}

    def update_cluster_settings(self, ctx: RequestContext, params: shapes.UpdateClusterSettingsRequest) -> Params:
        return {"cluster": cluster_views.changed_view(ctx, cluster_updates.update_cluster_settings(ctx, params))}

    def delete_cluster(self, ctx: RequestContext, params: shapes.DeleteClusterRequest) -> Params:
        record = clusters.delete_cluster(ctx, params["cluster"])
        return {"cluster": cluster_views.cluster_view(ctx, record, frozenset())}
