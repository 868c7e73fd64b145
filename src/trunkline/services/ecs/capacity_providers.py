"""ECS Create/Describe/Update/DeleteCapacityProvider and PutClusterCapacityProviders. Thin: the
domain's capacity_providers module keeps the records, managed_scaling runs the rounds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import (
    capacity_association,
    capacity_providers,
    cluster_views,
    managed_scaling,
    task_launch,
)
from trunkline.reconciler import JobHandler

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

Params = dict[str, Any]


class CapacityProviderOps:
    def capacity_provider_jobs(self) -> dict[str, JobHandler]:
        return {capacity_association.JOB: managed_scaling.round_job, task_launch.TIMEOUT_JOB: task_launch.timeout_job}

    def create_capacity_provider(self, ctx: RequestContext, params: shapes.CreateCapacityProviderRequest) -> Params:
        return {"capacityProvider": capacity_providers.view(capacity_providers.create(ctx, params))}

    def describe_capacity_providers(
        self, ctx: RequestContext, params: shapes.DescribeCapacityProvidersRequest
    ) -> Params:
        found, failures, token = capacity_providers.describe(ctx, params)
        result: Params = {"capacityProviders": found, "failures": failures}
        if token is not None:
            result["nextToken"] = token
        return result

    def update_capacity_provider(self, ctx: RequestContext, params: shapes.UpdateCapacityProviderRequest) -> Params:
        return {"capacityProvider": capacity_providers.update(ctx, params)}

    def delete_capacity_provider(self, ctx: RequestContext, params: shapes.DeleteCapacityProviderRequest) -> Params:
        return {"capacityProvider": capacity_providers.delete(ctx, params["capacityProvider"])}

    def put_cluster_capacity_providers(
        self, ctx: RequestContext, params: shapes.PutClusterCapacityProvidersRequest
    ) -> Params:
        cluster = capacity_providers.put_cluster_capacity_providers(ctx, params)
        return {"cluster": cluster_views.attachments_view(ctx, cluster)}
