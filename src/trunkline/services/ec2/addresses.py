"""EC2 AllocateAddress, AssociateAddress, DisassociateAddress, ReleaseAddress, DescribeAddresses,
CreateNatGateway, DeleteNatGateway, DescribeNatGateways."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import elastic_ips, lookup, nat_gateways
from trunkline.reconciler import JobHandler

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Params = dict[str, Any]


class AddressOps:
    def address_jobs(self) -> dict[str, JobHandler]:
        return {
            nat_gateways.AVAILABLE_JOB: nat_gateways.finish_create_job,
            nat_gateways.DELETED_JOB: nat_gateways.finish_delete_job,
        }

    def allocate_address(self, ctx: RequestContext, params: shapes.AllocateAddressRequest) -> Params:
        record = elastic_ips.allocate_address(ctx, params)
        return {
            "PublicIp": record["PublicIp"],
            "AllocationId": record["AllocationId"],
            "PublicIpv4Pool": record["PublicIpv4Pool"],
            "NetworkBorderGroup": record["NetworkBorderGroup"],
            "Domain": record["Domain"],
        }

    def associate_address(self, ctx: RequestContext, params: shapes.AssociateAddressRequest) -> Params:
        return {"AssociationId": elastic_ips.associate_address(ctx, params)}

    def disassociate_address(self, ctx: RequestContext, params: shapes.DisassociateAddressRequest) -> Params:
        elastic_ips.disassociate_address(ctx, params)
        return {}

    def release_address(self, ctx: RequestContext, params: shapes.ReleaseAddressRequest) -> Params:
        elastic_ips.release_address(ctx, params)
        return {}

    def describe_addresses(self, ctx: RequestContext, params: shapes.DescribeAddressesRequest) -> Params:
        return {"Addresses": elastic_ips.describe_addresses(ctx, params)}

    def describe_addresses_attribute(
        self, ctx: RequestContext, params: shapes.DescribeAddressesAttributeRequest
    ) -> Params:
        return {"Addresses": elastic_ips.describe_addresses_attribute(ctx, params)}

    def create_nat_gateway(self, ctx: RequestContext, params: shapes.CreateNatGatewayRequest) -> Params:
        record = nat_gateways.create_nat_gateway(ctx, params)
        return {"NatGateway": lookup.public(record), "ClientToken": params.get("ClientToken")}

    def delete_nat_gateway(self, ctx: RequestContext, params: shapes.DeleteNatGatewayRequest) -> Params:
        nat_gateways.delete_nat_gateway(ctx, params["NatGatewayId"])
        return {"NatGatewayId": params["NatGatewayId"]}

    def describe_nat_gateways(self, ctx: RequestContext, params: shapes.DescribeNatGatewaysRequest) -> Params:
        found, token = nat_gateways.describe_nat_gateways(ctx, params)
        return {"NatGateways": found, "NextToken": token}
