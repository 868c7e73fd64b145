"""EC2 CreateTags, DeleteTags, DescribeTags (behaviour in `domain/ec2/tags.py`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import tags as ec2_tags

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes


class TagOps:
    def create_tags(self, ctx: RequestContext, params: shapes.CreateTagsRequest) -> dict[str, Any]:
        ec2_tags.create_tags(ctx, params["Resources"], params["Tags"])
        return {}

    def delete_tags(self, ctx: RequestContext, params: shapes.DeleteTagsRequest) -> dict[str, Any]:
        ec2_tags.delete_tags(ctx, params["Resources"], params.get("Tags"))
        return {}

    def describe_tags(self, ctx: RequestContext, params: shapes.DescribeTagsRequest) -> dict[str, Any]:
        found, token = ec2_tags.describe_tags(ctx, params)
        return {"Tags": found, "NextToken": token}
