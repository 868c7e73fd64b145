"""ECS RegisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions,
ListTaskDefinitionFamilies, DeregisterTaskDefinition, DeleteTaskDefinitions. Thin: the domain's
task_definitions module does the work; records are served in the TaskDefinition shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import task_definitions
from trunkline.domain.ecs.records import TaskDefinitionRecord

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

Params = dict[str, Any]


def _view(record: TaskDefinitionRecord) -> Params:
    return {key: value for key, value in record.items() if key != "tags"}


def _listed(key: str, items: list[str], token: str | None) -> Params:
    result: Params = {key: items}
    if token is not None:
        result["nextToken"] = token
    return result


class TaskDefinitionOps:
    def register_task_definition(self, ctx: RequestContext, params: shapes.RegisterTaskDefinitionRequest) -> Params:
        record = task_definitions.register(ctx, params)
        result: Params = {"taskDefinition": _view(record)}
        if params.get("tags") is not None:
            result["tags"] = record["tags"]
        return result

    def describe_task_definition(self, ctx: RequestContext, params: shapes.DescribeTaskDefinitionRequest) -> Params:
        record = task_definitions.resolve(ctx, params["taskDefinition"])
        result: Params = {"taskDefinition": _view(record)}
        if "TAGS" in (params.get("include") or ()):
            result["tags"] = record["tags"]
        return result

    def list_task_definitions(self, ctx: RequestContext, params: shapes.ListTaskDefinitionsRequest) -> Params:
        return _listed("taskDefinitionArns", *task_definitions.list_arns(ctx, params))

    def list_task_definition_families(
        self, ctx: RequestContext, params: shapes.ListTaskDefinitionFamiliesRequest
    ) -> Params:
        return _listed("families", *task_definitions.list_families(ctx, params))

    def deregister_task_definition(self, ctx: RequestContext, params: shapes.DeregisterTaskDefinitionRequest) -> Params:
        return {"taskDefinition": _view(task_definitions.deregister(ctx, params["taskDefinition"]))}

    def delete_task_definitions(self, ctx: RequestContext, params: shapes.DeleteTaskDefinitionsRequest) -> Params:
        deleted, failures = task_definitions.delete(ctx, list(params["taskDefinitions"]))
        return {"taskDefinitions": [_view(r) for r in deleted], "failures": failures}
