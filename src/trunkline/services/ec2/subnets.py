"""EC2 CreateSubnet, DescribeSubnets, DeleteSubnet, ModifySubnetAttribute."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import lookup
from trunkline.domain.ec2 import subnets as domain

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes


class SubnetOps:
    def create_subnet(self, ctx: RequestContext, params: shapes.CreateSubnetRequest) -> dict[str, Any]:
        return {"Subnet": lookup.public(domain.create_subnet(ctx, params))}

    def describe_subnets(self, ctx: RequestContext, params: shapes.DescribeSubnetsRequest) -> dict[str, Any]:
        found, token = domain.describe_subnets(ctx, params)
        return {"Subnets": found, "NextToken": token}

    def delete_subnet(self, ctx: RequestContext, params: shapes.DeleteSubnetRequest) -> dict[str, Any]:
        domain.delete_subnet(ctx, params["SubnetId"])
        return {}

    def modify_subnet_attribute(
        self, ctx: RequestContext, params: shapes.ModifySubnetAttributeRequest
    ) -> dict[str, Any]:
        domain.modify_subnet_attribute(ctx, params)
        return {}
