"""ECS UpdateCluster and UpdateClusterSettings: change what the caller chose for an ACTIVE cluster.

`settings` (containerInsights: enabled, enhanced or disabled) replace the cluster's value;
`configuration` (executeCommandConfiguration, managedStorageConfiguration) replaces the stored
configuration as given, which is what DescribeClusters(include=CONFIGURATIONS) reads back.
`serviceConnectDefaults` needs an AWS Cloud Map namespace, and trunkline has no Cloud Map: it is
refused with NamespaceNotFoundException, as CreateCluster refuses it (docs/decisions.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import clusters
from trunkline.domain.ecs.records import ClusterRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

Record = dict[str, Any]


def _insights(record: ClusterRecord) -> str:
    current = next((s for s in record.get("settings") or [] if s.get("name") == "containerInsights"), None)
    return str(current["value"]) if current else "disabled"


def update_cluster(ctx: RequestContext, params: shapes.UpdateClusterRequest) -> ClusterRecord:
    """UpdateCluster: validated in full before anything changes."""
    record = clusters.resolve_cluster(ctx, params["cluster"])
    if params.get("serviceConnectDefaults") is not None:
        namespace = params["serviceConnectDefaults"]["namespace"]
        raise AwsError("NamespaceNotFoundException", f"Namespace '{namespace}' was not found.")
    settings = None
    if params.get("settings") is not None:
        settings = clusters.checked_settings(list(params["settings"]), _insights(record))
    configuration = params.get("configuration")
    if configuration is not None:
        clusters.check_configuration(configuration)
    if settings is not None:
        record["settings"] = settings
    if configuration is not None:
        record["configuration"] = configuration
    clusters.save(ctx, record)
    return record


def update_cluster_settings(ctx: RequestContext, params: shapes.UpdateClusterSettingsRequest) -> ClusterRecord:
    """UpdateClusterSettings: the containerInsights setting of an ACTIVE cluster."""
    record = clusters.resolve_cluster(ctx, params["cluster"])
    record["settings"] = clusters.checked_settings(list(params["settings"]), _insights(record))
    clusters.save(ctx, record)
    return record
