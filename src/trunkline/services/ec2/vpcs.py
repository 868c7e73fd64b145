"""EC2 CreateVpc, CreateDefaultVpc, CreateDefaultSubnet, DescribeAccountAttributes, DescribeVpcs, DeleteVpc, ModifyVpcAttribute, DescribeVpcAttribute,
AssociateVpcCidrBlock, DisassociateVpcCidrBlock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import default_vpc
from trunkline.domain.ec2 import vpcs as domain
from trunkline.domain.ec2.kinds import SUBNET, VPC

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes


class VpcOps:
    def create_vpc(self, ctx: RequestContext, params: shapes.CreateVpcRequest) -> dict[str, Any]:
        return {"Vpc": VPC.view(domain.create_vpc(ctx, params))}

    def create_default_vpc(self, ctx: RequestContext, params: shapes.CreateDefaultVpcRequest) -> dict[str, Any]:
        return {"Vpc": VPC.view(default_vpc.create_default_vpc(ctx))}

    def create_default_subnet(self, ctx: RequestContext, params: shapes.CreateDefaultSubnetRequest) -> dict[str, Any]:
        return {"Subnet": SUBNET.view(default_vpc.create_default_subnet(ctx, params))}

    def describe_account_attributes(
        self, ctx: RequestContext, params: shapes.DescribeAccountAttributesRequest
    ) -> dict[str, Any]:
        return {"AccountAttributes": default_vpc.account_attributes(ctx, params.get("AttributeNames"))}

    def describe_vpcs(self, ctx: RequestContext, params: shapes.DescribeVpcsRequest) -> dict[str, Any]:
        found, token = domain.describe_vpcs(ctx, params)
        return {"Vpcs": found, "NextToken": token}

    def delete_vpc(self, ctx: RequestContext, params: shapes.DeleteVpcRequest) -> dict[str, Any]:
        domain.delete_vpc(ctx, params["VpcId"])
        return {}

    def modify_vpc_attribute(self, ctx: RequestContext, params: shapes.ModifyVpcAttributeRequest) -> dict[str, Any]:
        domain.modify_vpc_attribute(ctx, params)
        return {}

    def describe_vpc_attribute(self, ctx: RequestContext, params: shapes.DescribeVpcAttributeRequest) -> dict[str, Any]:
        return domain.describe_vpc_attribute(ctx, params["VpcId"], params["Attribute"])

    def associate_vpc_cidr_block(
        self, ctx: RequestContext, params: shapes.AssociateVpcCidrBlockRequest
    ) -> dict[str, Any]:
        association = domain.associate_vpc_cidr_block(ctx, params)
        return {"CidrBlockAssociation": association, "VpcId": params["VpcId"]}

    def disassociate_vpc_cidr_block(
        self, ctx: RequestContext, params: shapes.DisassociateVpcCidrBlockRequest
    ) -> dict[str, Any]:
        vpc_id, association = domain.disassociate_vpc_cidr_block(ctx, params["AssociationId"])
        return {"CidrBlockAssociation": association, "VpcId": vpc_id}
