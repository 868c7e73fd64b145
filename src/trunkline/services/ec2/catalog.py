"""EC2 DescribeInstanceTypes, DescribeAvailabilityZones, DescribeImages: read-only views of what
AWS offers, the same for every account (the data lives in the domain modules, not the store)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import catalog
from trunkline.domain.ec2 import images, zones

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Params = dict[str, Any]


class CatalogOps:
    def describe_instance_types(self, ctx: RequestContext, params: shapes.DescribeInstanceTypesRequest) -> Params:
        records, token = catalog.describe_instance_types(ctx, params)
        return {"InstanceTypes": records, "NextToken": token}

    def describe_availability_zones(
        self, ctx: RequestContext, params: shapes.DescribeAvailabilityZonesRequest
    ) -> Params:
        return {"AvailabilityZones": zones.describe_zones(ctx.region, params)}

    def describe_images(self, ctx: RequestContext, params: shapes.DescribeImagesRequest) -> Params:
        records, token = images.describe_images(ctx, params)
        return {"Images": records, "NextToken": token}
