"""Internet gateways: Create, Attach, Detach, Delete and DescribeInternetGateways.

Record (kind `kinds.INTERNET_GATEWAY`, indexed by `owner` and, while attached, `vpc`), in the `InternetGateway` output shape's member names:
`InternetGatewayId`, `OwnerId`, `Attachments` (at most one: `{State: "available", VpcId}`, the
state EC2 reports for an attached gateway), `Tags`.

A VPC has at most one gateway and a gateway serves one VPC. Routes that name a gateway no longer
attached to their VPC are blackholes (`route_tables` works that out when it shows them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import lookup, vpcs
from trunkline.domain.ec2 import tags as ec2_tags
from trunkline.domain.ec2.kinds import INTERNET_GATEWAY
from trunkline.domain.ec2.records import InternetGatewayRecord
from trunkline.domain.ids import resource_id
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]

EXTRACTORS: dict[str, Any] = {
    "attachment.state": lambda r: [a["State"] for a in r["Attachments"]],
    "attachment.vpc-id": lambda r: [a["VpcId"] for a in r["Attachments"]],
    "internet-gateway-id": lambda r: [r["InternetGatewayId"]],
    "owner-id": lambda r: [r["OwnerId"]],
}


def get_gateway(ctx: RequestContext, gateway_id: str) -> InternetGatewayRecord:
    return INTERNET_GATEWAY.require(ctx, gateway_id)


def find_gateway(ctx: RequestContext, gateway_id: str) -> InternetGatewayRecord | None:
    return INTERNET_GATEWAY.get(ctx, gateway_id)


def gateway_of_vpc(ctx: RequestContext, vpc_id: str) -> InternetGatewayRecord | None:
    """The internet gateway attached to the VPC, if any."""
    found = INTERNET_GATEWAY.find(ctx, "vpc", vpc_id)
    return found[0] if found else None


def attached_vpc(record: InternetGatewayRecord) -> str | None:
    return next((a["VpcId"] for a in record["Attachments"]), None)


def save(ctx: RequestContext, record: InternetGatewayRecord) -> None:
    INTERNET_GATEWAY.save(ctx, record)


def create_internet_gateway(ctx: RequestContext, params: shapes.CreateInternetGatewayRequest) -> InternetGatewayRecord:
    tags = ec2_tags.requested(params, "internet-gateway")
    record: InternetGatewayRecord = {
        "InternetGatewayId": resource_id("igw"),
        "OwnerId": ctx.account_id,
        "Attachments": [],
        "Tags": tags,
    }
    save(ctx, record)
    return record


def attach_internet_gateway(ctx: RequestContext, gateway_id: str, vpc_id: str) -> None:
    record = get_gateway(ctx, gateway_id)
    vpcs.get_vpc(ctx, vpc_id)
    current = attached_vpc(record)
    if current is not None:
        raise AwsError("Resource.AlreadyAssociated", f"resource {gateway_id} is already attached to network {current}")
    if gateway_of_vpc(ctx, vpc_id) is not None:
        raise AwsError("InvalidParameterValue", f"Network {vpc_id} already has an internet gateway attached")
    record["Attachments"] = [{"State": "available", "VpcId": vpc_id}]
    save(ctx, record)


def detach_internet_gateway(ctx: RequestContext, gateway_id: str, vpc_id: str) -> None:
    from trunkline.domain.ec2 import elastic_ips

    record = get_gateway(ctx, gateway_id)
    vpcs.get_vpc(ctx, vpc_id)
    if attached_vpc(record) != vpc_id:
        raise AwsError("Gateway.NotAttached", f"resource {gateway_id} is not attached to network {vpc_id}")
    if elastic_ips.mapped_in_vpc(ctx, vpc_id):
        raise AwsError(
            "DependencyViolation",
            f"Network {vpc_id} has some mapped public address(es). "
            "Please unmap those public address(es) before detaching the gateway.",
        )
    record["Attachments"] = []
    save(ctx, record)


def delete_internet_gateway(ctx: RequestContext, gateway_id: str) -> None:
    record = get_gateway(ctx, gateway_id)
    if record["Attachments"]:
        raise AwsError(
            "DependencyViolation", f"The internetGateway '{gateway_id}' has dependencies and cannot be deleted."
        )
    INTERNET_GATEWAY.delete(ctx, gateway_id)


def describe_internet_gateways(
    ctx: RequestContext, params: shapes.DescribeInternetGatewaysRequest
) -> tuple[list[Record], str | None]:
    def owned() -> list[InternetGatewayRecord]:
        return INTERNET_GATEWAY.find(ctx, "owner", ctx.account_id)

    return lookup.describe(
        ctx, INTERNET_GATEWAY, params, params.get("InternetGatewayIds"), EXTRACTORS, candidates=owned
    )


def get_gateway_for_route(ctx: RequestContext, gateway_id: str) -> InternetGatewayRecord:
    """The gateway a route names; EC2 words a missing one as a gateway, not an internet gateway."""
    well_formed = INTERNET_GATEWAY.id_format is not None and INTERNET_GATEWAY.id_format.well_formed(gateway_id)
    record = find_gateway(ctx, gateway_id) if well_formed else None
    if record is None:
        raise AwsError("InvalidGatewayID.NotFound", f"The gateway ID '{gateway_id}' does not exist")
    return record
