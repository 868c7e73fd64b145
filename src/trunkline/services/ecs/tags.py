"""ECS TagResource, UntagResource, ListTagsForResource. Thin: domain/ecs/resource_tags.py does the work."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import resource_tags

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

Params = dict[str, Any]


class TagOps:
    def tag_resource(self, ctx: RequestContext, params: shapes.TagResourceRequest) -> Params:
        resource_tags.tag_resource(ctx, params["resourceArn"], list(params["tags"]))
        return {}

    def untag_resource(self, ctx: RequestContext, params: shapes.UntagResourceRequest) -> Params:
        resource_tags.untag_resource(ctx, params["resourceArn"], list(params["tagKeys"]))
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, params: shapes.ListTagsForResourceRequest) -> Params:
        return {"tags": resource_tags.list_tags(ctx, params["resourceArn"])}
