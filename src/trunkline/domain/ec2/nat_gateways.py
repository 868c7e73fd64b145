"""NAT gateways: Create, Delete and DescribeNatGateways, on trunkline's clock.

Record (kind `kinds.NAT_GATEWAY`, indexed by `owner` and `vpc`), in the `NatGateway` output shape's member names: `NatGatewayId`, `SubnetId`, `VpcId`,
`State`, `ConnectivityType`, `CreateTime`, `DeleteTime`, `NatGatewayAddresses`, `FailureCode`,
`FailureMessage`, `Tags`. Private: `_Owner`, `_DeletedAt`.

A NAT gateway takes an address in its subnet at once: a requester-managed ENI of type
`nat_gateway` ("Interface for NAT Gateway nat-…") from the ENI ledger, which the account cannot
detach or delete. A public one shows its Elastic IP on that ENI. It is `pending` until the
`ec2.nat.create` step has elapsed, then `available`; a public NAT gateway in a VPC without an
internet gateway fails then instead (`Gateway.NotAttached`), giving back its ENI and address.
DeleteNatGateway makes it `deleting`; after the `ec2.nat.delete` step it is `deleted`, its ENI
is gone and its Elastic IP is free again. Deleted and failed gateways stay visible for an hour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import elastic_ips, lookup, subnets
from trunkline.domain.ec2 import network_interfaces as enis
from trunkline.domain.ec2 import tags as ec2_tags
from trunkline.domain.ec2.kinds import NAT_GATEWAY
from trunkline.domain.ec2.records import NatGatewayRecord
from trunkline.domain.ids import resource_id
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]
AVAILABLE_JOB = "ec2.nat-gateway.available"
DELETED_JOB = "ec2.nat-gateway.deleted"

EXTRACTORS: dict[str, Any] = {
    "nat-gateway-id": lambda r: [r["NatGatewayId"]],
    "state": lambda r: [r["State"]],
    "subnet-id": lambda r: [r["SubnetId"]],
    "vpc-id": lambda r: [r["VpcId"]],
}


def save(ctx: RequestContext, record: NatGatewayRecord) -> None:
    NAT_GATEWAY.save(ctx, record)


def find_nat_gateway(ctx: RequestContext, nat_id: str) -> NatGatewayRecord | None:
    return NAT_GATEWAY.get(ctx, nat_id)


def get_nat_gateway(ctx: RequestContext, nat_id: str) -> NatGatewayRecord:
    return NAT_GATEWAY.require(ctx, nat_id)


def live_in_vpc(ctx: RequestContext, vpc_id: str) -> list[NatGatewayRecord]:
    """NAT gateways of the VPC that are not deleted or failed (DeleteVpc refuses while any is)."""
    found = NAT_GATEWAY.find(ctx, "vpc", vpc_id)
    return [r for r in found if r["State"] in ("pending", "available", "deleting")]


def create_nat_gateway(ctx: RequestContext, params: shapes.CreateNatGatewayRequest) -> NatGatewayRecord:
    subnet = subnets.get_subnet(ctx, _subnet_id(params))
    connectivity = params.get("ConnectivityType") or "public"
    for unsupported in ("SecondaryAllocationIds", "SecondaryPrivateIpAddresses", "SecondaryPrivateIpAddressCount"):
        if params.get(unsupported):
            raise AwsError("InvalidParameterValue", f"trunkline does not support {unsupported} on NAT gateways yet.")
    allocation_id = params.get("AllocationId")
    address = None
    if connectivity == "public":
        if not allocation_id:
            raise AwsError("MissingParameter", "The request must contain the parameter AllocationId")
        address = elastic_ips.get_address(ctx, allocation_id)
        if address.get("AssociationId"):
            raise AwsError("Resource.AlreadyAssociated", f"Elastic IP address [{allocation_id}] is already associated")
    elif allocation_id:
        raise AwsError("InvalidParameterCombination", "AllocationId cannot be specified for a private NAT gateway.")
    tags = ec2_tags.requested(params, "natgateway")
    nat_id = resource_id("nat")
    eni = enis.create_network_interface(
        ctx,
        subnet["SubnetId"],
        [],
        interface_type="nat_gateway",
        description=f"Interface for NAT Gateway {nat_id}",
        requester_managed=True,
        private_ip=params.get("PrivateIpAddress"),
        requester_id="amazon",
    )
    nat_address: Record = {
        "NetworkInterfaceId": eni["NetworkInterfaceId"],
        "PrivateIp": eni["PrivateIpAddress"],
        "IsPrimary": True,
        "Status": "associating" if address is not None else "succeeded",
    }
    if address is not None:
        nat_address["AllocationId"] = address["AllocationId"]
        nat_address["PublicIp"] = address["PublicIp"]
        nat_address["AssociationId"] = elastic_ips.attach_to_eni(ctx, address, eni)
    record: NatGatewayRecord = {
        "NatGatewayId": nat_id,
        "SubnetId": subnet["SubnetId"],
        "VpcId": subnet["VpcId"],
        "State": "pending",
        "ConnectivityType": connectivity,
        "CreateTime": ctx.now,
        "NatGatewayAddresses": [nat_address],
        "Tags": tags,
        "_Owner": ctx.account_id,
    }
    save(ctx, record)
    ctx.schedule("ec2.nat.create", AVAILABLE_JOB, _job(ctx, record))
    return record


def _job(ctx: RequestContext, record: NatGatewayRecord) -> Record:
    return {"region": ctx.region, "account": record["_Owner"], "nat_id": record["NatGatewayId"]}


def _release(ctx: RequestContext, record: NatGatewayRecord) -> None:
    """Give back the gateway's ENI and Elastic IP."""
    for address in record["NatGatewayAddresses"]:
        eni = enis.find_network_interface(ctx, address["NetworkInterfaceId"])
        if eni is not None:
            enis.remove_managed(ctx, eni)
        address.pop("AssociationId", None)
        address["Status"] = "succeeded"


def finish_create_job(ctx: RequestContext, payload: Record) -> None:
    from trunkline.domain.ec2 import internet_gateways

    record = NAT_GATEWAY.load(ctx, payload["nat_id"])
    if record is None or record["State"] != "pending":
        return
    if record["ConnectivityType"] == "public" and internet_gateways.gateway_of_vpc(ctx, record["VpcId"]) is None:
        record["State"] = "failed"
        record["FailureCode"] = "Gateway.NotAttached"
        record["FailureMessage"] = f"Network {record['VpcId']} has no Internet gateway attached"
        record["_DeletedAt"] = ctx.now
        _release(ctx, record)
    else:
        record["State"] = "available"
        for address in record["NatGatewayAddresses"]:
            address["Status"] = "succeeded"
    save(ctx, record)


def delete_nat_gateway(ctx: RequestContext, nat_id: str) -> None:
    record = get_nat_gateway(ctx, nat_id)
    if record["State"] in ("deleting", "deleted", "failed"):
        return  # EC2 answers a repeated delete with the id again
    record["State"] = "deleting"
    for address in record["NatGatewayAddresses"]:
        if address.get("AssociationId"):
            address["Status"] = "disassociating"
    save(ctx, record)
    ctx.schedule("ec2.nat.delete", DELETED_JOB, _job(ctx, record))


def finish_delete_job(ctx: RequestContext, payload: Record) -> None:
    record = NAT_GATEWAY.load(ctx, payload["nat_id"])
    if record is None or record["State"] != "deleting":
        return
    record["State"] = "deleted"
    record["DeleteTime"] = ctx.now
    record["_DeletedAt"] = ctx.now
    _release(ctx, record)
    save(ctx, record)


def describe_nat_gateways(
    ctx: RequestContext, params: shapes.DescribeNatGatewaysRequest
) -> tuple[list[Record], str | None]:
    from trunkline.domain.ec2 import filters as ec2_filters
    from trunkline.domain.ec2.paging import page

    filters = params.get("Filter")
    ec2_filters.check_filters(filters, EXTRACTORS)
    ids = params.get("NatGatewayIds")
    if ids:
        records = NAT_GATEWAY.require_all(ctx, ids)
    else:
        records = [r for r in NAT_GATEWAY.find(ctx, "owner", ctx.account_id) if NAT_GATEWAY.visible(ctx, r)]
    records.sort(key=lambda r: r["NatGatewayId"])
    matching = [lookup.public(r) for r in records if ec2_filters.matches(r, filters, EXTRACTORS)]
    return page(ctx, NAT_GATEWAY.name, matching, "NatGatewayId", params, minimum=5, maximum=1000)


def _subnet_id(params: shapes.CreateNatGatewayRequest) -> str:
    """The model no longer requires SubnetId (a regional NAT gateway names a VPC instead), but a
    zonal one, the default, needs it; trunkline makes zonal gateways only (docs/decisions.md)."""
    if params.get("AvailabilityMode") == "regional":
        raise AwsError("InvalidParameterValue", "trunkline does not support regional NAT gateways yet.")
    subnet_id = params.get("SubnetId")
    if subnet_id is None:
        raise AwsError("MissingParameter", "The request must contain the parameter SubnetId")
    return subnet_id
