"""EC2 CreateRouteTable, DeleteRouteTable, DescribeRouteTables, AssociateRouteTable,
DisassociateRouteTable, ReplaceRouteTableAssociation, CreateRoute, ReplaceRoute, DeleteRoute,
DescribeNetworkAcls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import network_acls
from trunkline.domain.ec2 import route_tables as domain

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Params = dict[str, Any]


class RouteTableOps:
    def create_route_table(self, ctx: RequestContext, params: shapes.CreateRouteTableRequest) -> Params:
        table = domain.create_route_table(ctx, params)
        return {"RouteTable": domain.view(ctx, table), "ClientToken": params.get("ClientToken")}

    def delete_route_table(self, ctx: RequestContext, params: shapes.DeleteRouteTableRequest) -> Params:
        domain.delete_route_table(ctx, params["RouteTableId"])
        return {}

    def describe_route_tables(self, ctx: RequestContext, params: shapes.DescribeRouteTablesRequest) -> Params:
        found, token = domain.describe_route_tables(ctx, params)
        return {"RouteTables": found, "NextToken": token}

    def associate_route_table(self, ctx: RequestContext, params: shapes.AssociateRouteTableRequest) -> Params:
        association = domain.associate_route_table(ctx, params)
        return {
            "AssociationId": association["RouteTableAssociationId"],
            "AssociationState": association["AssociationState"],
        }

    def disassociate_route_table(self, ctx: RequestContext, params: shapes.DisassociateRouteTableRequest) -> Params:
        domain.disassociate_route_table(ctx, params["AssociationId"])
        return {}

    def replace_route_table_association(
        self, ctx: RequestContext, params: shapes.ReplaceRouteTableAssociationRequest
    ) -> Params:
        moved = domain.replace_route_table_association(ctx, params["AssociationId"], params["RouteTableId"])
        return {"NewAssociationId": moved["RouteTableAssociationId"], "AssociationState": moved["AssociationState"]}

    def create_route(self, ctx: RequestContext, params: shapes.CreateRouteRequest) -> Params:
        domain.create_route(ctx, params)
        return {"Return": True}

    def replace_route(self, ctx: RequestContext, params: shapes.ReplaceRouteRequest) -> Params:
        domain.replace_route(ctx, params)
        return {}

    def delete_route(self, ctx: RequestContext, params: shapes.DeleteRouteRequest) -> Params:
        domain.delete_route(ctx, params)
        return {}

    def describe_network_acls(self, ctx: RequestContext, params: shapes.DescribeNetworkAclsRequest) -> Params:
        found, token = network_acls.describe_network_acls(ctx, params)
        return {"NetworkAcls": found, "NextToken": token}
