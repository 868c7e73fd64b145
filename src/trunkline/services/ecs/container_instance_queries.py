"""ECS DescribeContainerInstances, ListContainerInstances, UpdateContainerInstancesState."""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import instance_queries

Params = dict[str, Any]


class ContainerInstanceQueryOps:
    def describe_container_instances(self, ctx: RequestContext, params: Params) -> Params:
        found, failures = instance_queries.describe(ctx, params)
        return {"containerInstances": found, "failures": failures}

    def list_container_instances(self, ctx: RequestContext, params: Params) -> Params:
        arns, token = instance_queries.list_arns(ctx, params)
        result: Params = {"containerInstanceArns": arns}
        if token is not None:
            result["nextToken"] = token
        return result

    def update_container_instances_state(self, ctx: RequestContext, params: Params) -> Params:
        updated, failures = instance_queries.update_state(ctx, params)
        return {"containerInstances": updated, "failures": failures}
