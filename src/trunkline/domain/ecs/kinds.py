"""Every stored kind of ECS record, declared once (see `domain/resource_kind.py`).

ECS names are per account and region: records are scoped `ACCOUNT_REGION`. Index values that
are ARNs are unique everywhere and stored bare (`global_indexes`)."""

from __future__ import annotations

from typing import Any

from trunkline.domain.resource_kind import NotFound, ResourceKind
from trunkline.store.scope import Scope

Record = dict[str, Any]

#: A record whether ACTIVE or INACTIVE (a deleted cluster stays, INACTIVE, as in ECS).
CLUSTER: ResourceKind[Record] = ResourceKind(
    name="ecs.cluster",
    scope=Scope.ACCOUNT_REGION,
    id_field="clusterName",
    not_found=NotFound("ClusterNotFoundException", "Cluster not found."),
    indexes=lambda cluster: {"status": cluster["status"]},
)

#: trunkline's own count of placement failures of one cluster (`placement_failures.py`), keyed by
#: `NAME@createdAt` so that a cluster created again under the same name starts from zero.
PLACEMENT_FAILURES: ResourceKind[Record] = ResourceKind(
    name="ecs.placement-failures",
    scope=Scope.ACCOUNT_REGION,
    id_field="cluster",
)
