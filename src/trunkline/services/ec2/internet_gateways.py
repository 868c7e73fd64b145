"""EC2 CreateInternetGateway, AttachInternetGateway, DetachInternetGateway, DeleteInternetGateway,
DescribeInternetGateways."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import internet_gateways as domain
from trunkline.domain.ec2 import lookup

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Params = dict[str, Any]


class InternetGatewayOps:
    def create_internet_gateway(self, ctx: RequestContext, params: shapes.CreateInternetGatewayRequest) -> Params:
        return {"InternetGateway": lookup.public(domain.create_internet_gateway(ctx, params))}

    def attach_internet_gateway(self, ctx: RequestContext, params: shapes.AttachInternetGatewayRequest) -> Params:
        domain.attach_internet_gateway(ctx, params["InternetGatewayId"], params["VpcId"])
        return {}

    def detach_internet_gateway(self, ctx: RequestContext, params: shapes.DetachInternetGatewayRequest) -> Params:
        domain.detach_internet_gateway(ctx, params["InternetGatewayId"], params["VpcId"])
        return {}

    def delete_internet_gateway(self, ctx: RequestContext, params: shapes.DeleteInternetGatewayRequest) -> Params:
        domain.delete_internet_gateway(ctx, params["InternetGatewayId"])
        return {}

    def describe_internet_gateways(self, ctx: RequestContext, params: shapes.DescribeInternetGatewaysRequest) -> Params:
        found, token = domain.describe_internet_gateways(ctx, params)
        return {"InternetGateways": found, "NextToken": token}
