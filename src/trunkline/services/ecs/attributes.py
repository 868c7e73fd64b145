"""ECS PutAttributes, DeleteAttributes, ListAttributes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import attributes

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

Params = dict[str, Any]


class AttributeOps:
    def put_attributes(self, ctx: RequestContext, params: shapes.PutAttributesRequest) -> Params:
        return {"attributes": attributes.put_attributes(ctx, params)}

    def delete_attributes(self, ctx: RequestContext, params: shapes.DeleteAttributesRequest) -> Params:
        return {"attributes": attributes.delete_attributes(ctx, params)}

    def list_attributes(self, ctx: RequestContext, params: shapes.ListAttributesRequest) -> Params:
        entries, token = attributes.list_attributes(ctx, params)
        result: Params = {"attributes": entries}
        if token is not None:
            result["nextToken"] = token
        return result
