"""ECS CreateCluster, DescribeClusters, ListClusters, DeleteCluster."""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import clusters, describe_each
from trunkline.errors import AwsError

Params = dict[str, Any]

_DESCRIBE_LIMIT = 100


def _view(ctx: RequestContext, record: Params, include: frozenset[str]) -> Params:
    """The Cluster shape: counts derived now; tags, settings, statistics and configuration only when
    asked for (AWS then still sends the lists, empty)."""
    arn = record["clusterArn"]
    view: Params = {"clusterArn": arn, "clusterName": record["clusterName"], "status": record["status"]}
    view.update(clusters.cluster_counts(ctx, arn))
    view["statistics"] = clusters.cluster_statistics(ctx, arn) if "STATISTICS" in include else []
    view["tags"] = record["tags"] if "TAGS" in include else []
    view["settings"] = record["settings"] if "SETTINGS" in include else []
    view["capacityProviders"] = record["capacityProviders"]
    view["defaultCapacityProviderStrategy"] = record["defaultCapacityProviderStrategy"]
    if "CONFIGURATIONS" in include and "configuration" in record:
        view["configuration"] = record["configuration"]
    return view


# CreateCluster answers with what the caller gave the cluster; DeleteCluster like a plain describe.
_OWN_FIELDS = frozenset({"TAGS", "SETTINGS", "CONFIGURATIONS"})


class ClusterOps:
    def create_cluster(self, ctx: RequestContext, params: Params) -> Params:
        return {"cluster": _view(ctx, clusters.create_cluster(ctx, params), _OWN_FIELDS)}

    def describe_clusters(self, ctx: RequestContext, params: Params) -> Params:
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
            lambda record: _view(ctx, record, include),
        )
        return {"clusters": found, "failures": failures}

    def list_clusters(self, ctx: RequestContext, params: Params) -> Params:
        arns, token = clusters.list_cluster_arns(ctx, params)
        result: Params = {"clusterArns": arns}
        if token is not None:
            result["nextToken"] = token
        return result

    def delete_cluster(self, ctx: RequestContext, params: Params) -> Params:
        return {"cluster": _view(ctx, clusters.delete_cluster(ctx, params["cluster"]), frozenset())}
