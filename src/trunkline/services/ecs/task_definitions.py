"""ECS RegisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions,
ListTaskDefinitionFamilies, DeregisterTaskDefinition, DeleteTaskDefinitions. Thin: the domain's
task_definitions module does the work; records are served in the TaskDefinition shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import task_definition_views, task_definitions

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

Params = dict[str, Any]


def _listed(key: str, items: list[str], token: str | None) -> Params:
    result: Params = {key: items}
    if token is not None:
        result["nextToken"] = token
    return result


class TaskDefinitionOps:
    def register_task_definition(self, ctx: RequestContext, params: shapes.RegisterTaskDefinitionRequest) -> Params:
        return task_definition_views.register(ctx, params)

    def describe_task_definition(self, ctx: RequestContext, params: shapes.DescribeTaskDefinitionRequest) -> Params:
        return task_definition_views.describe(ctx, params)

    def list_task_definitions(self, ctx: RequestContext, params: shapes.ListTaskDefinitionsRequest) -> Params:
        return _listed("taskDefinitionArns", *task_definitions.list_arns(ctx, params))

    def list_task_definition_families(
        self, ctx: RequestContext, params: shapes.ListTaskDefinitionFamiliesRequest
    ) -> Params:
        return _listed("families", *task_definitions.list_families(ctx, params))

    def deregister_task_definition(self, ctx: RequestContext, params: shapes.DeregisterTaskDefinitionRequest) -> Params:
        return {
            "taskDefinition": task_definition_views.view(task_definitions.deregister(ctx, params["taskDefinition"]))
        }

    def delete_task_definitions(self, ctx: RequestContext, params: shapes.DeleteTaskDefinitionsRequest) -> Params:
        deleted, failures = task_definitions.delete(ctx, list(params["taskDefinitions"]))
        return {"taskDefinitions": [task_definition_views.view(r) for r in deleted], "failures": failures}
