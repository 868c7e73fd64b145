"""What ECS answers about task definitions: the TaskDefinition shape (the record without its tags,
which ECS answers beside it) and when the tags go with it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import task_definitions
from trunkline.domain.ecs.records import TaskDefinitionRecord

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

View = dict[str, Any]


def view(record: TaskDefinitionRecord) -> View:
    """The TaskDefinition shape: tags are not part of it."""
    return {key: value for key, value in record.items() if key != "tags"}


def register(ctx: RequestContext, request: shapes.RegisterTaskDefinitionRequest) -> View:
    """RegisterTaskDefinition's answer: the new revision, and its tags when the caller gave some."""
    record = task_definitions.register(ctx, request)
    answer: View = {"taskDefinition": view(record)}
    if request.get("tags") is not None:
        answer["tags"] = record["tags"]
    return answer


def describe(ctx: RequestContext, request: shapes.DescribeTaskDefinitionRequest) -> View:
    """DescribeTaskDefinition's answer: the revision, and its tags only with `include: [TAGS]`."""
    record = task_definitions.resolve(ctx, request["taskDefinition"])
    answer: View = {"taskDefinition": view(record)}
    if "TAGS" in (request.get("include") or ()):
        answer["tags"] = record["tags"]
    return answer
