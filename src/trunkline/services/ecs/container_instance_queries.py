"""ECS DescribeContainerInstances, ListContainerInstances, UpdateContainerInstancesState."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import instance_queries

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

Params = dict[str, Any]


class ContainerInstanceQueryOps:
    def describe_container_instances(
        self, ctx: RequestContext, params: shapes.DescribeContainerInstancesRequest
    ) -> Params:
        found, failures = instance_queries.describe(ctx, params)
        return {"containerInstances": found, "failures": failures}

    def list_container_instances(self, ctx: RequestContext, params: shapes.ListContainerInstancesRequest) -> Params:
        arns, token = instance_queries.list_arns(ctx, params)
        result: Params = {"containerInstanceArns": arns}
        if token is not None:
            result["nextToken"] = token
        return result

    def update_container_instances_state(
        self, ctx: RequestContext, params: shapes.UpdateContainerInstancesStateRequest
    ) -> Params:
        updated, failures = instance_queries.update_state(ctx, params)
        return {"containerInstances": updated, "failures": failures}
