"""VPCs and their DNS attributes.

Record (kind `kinds.VPC`), in the `Vpc` output shape's member names plus the
attributes DescribeVpcAttribute reports:

- `VpcId`, `CidrBlock` (network address form), `State` ("available"), `OwnerId`, `IsDefault`
  (always false: trunkline creates no default VPC), `InstanceTenancy`, `DhcpOptionsId`,
  `CidrBlockAssociationSet`, `Ipv6CidrBlockAssociationSet`, `BlockPublicAccessStates`, `Tags`;
- `EnableDnsSupport` (bool, default true), `EnableDnsHostnames` (bool, default false),
  `EnableNetworkAddressUsageMetrics` (bool, default false). Other modules read the two DNS flags
  (a task's hostname depends on both).

Every VPC gets a security group named `default`, a main route table and a default network ACL
when it is created, and loses them when deleted.

IPv4 CIDR blocks: `CidrBlock` is the primary block, the first entry of `CidrBlockAssociationSet`;
AssociateVpcCidrBlock appends secondary blocks there (at most `CIDR_BLOCKS_PER_VPC` in all, under
AWS's range restrictions) and DisassociateVpcCidrBlock removes them. Every listed block is
`associated`; subnets may use any of them (`ipv4_blocks`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import addressing, lookup, security_groups, unsupported
from trunkline.domain.ec2 import tags as ec2_tags
from trunkline.domain.ec2.kinds import SECURITY_GROUP, SUBNET, VPC
from trunkline.domain.ec2.records import VpcCidrBlockAssociation, VpcRecord
from trunkline.domain.ids import resource_id
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]

#: ModifyVpcAttribute/DescribeVpcAttribute attribute name -> record field, in the model's order.
ATTRIBUTES = {
    "enableDnsHostnames": "EnableDnsHostnames",
    "enableDnsSupport": "EnableDnsSupport",
    "enableNetworkAddressUsageMetrics": "EnableNetworkAddressUsageMetrics",
}

EXTRACTORS: dict[str, Any] = {
    "vpc-id": lambda r: [r["VpcId"]],
    "cidr": lambda r: [r["CidrBlock"]],
    "cidr-block-association.cidr-block": lambda r: [a["CidrBlock"] for a in r["CidrBlockAssociationSet"]],
    "cidr-block-association.association-id": lambda r: [a["AssociationId"] for a in r["CidrBlockAssociationSet"]],
    "cidr-block-association.state": lambda r: [a["CidrBlockState"]["State"] for a in r["CidrBlockAssociationSet"]],
    "dhcp-options-id": lambda r: [r["DhcpOptionsId"]],
    "instance-tenancy": lambda r: [r["InstanceTenancy"]],
    "is-default": lambda r: [r["IsDefault"]],
    "isDefault": lambda r: [r["IsDefault"]],  # the spelling Terraform's aws_vpc data source sends
    "owner-id": lambda r: [r["OwnerId"]],
    "state": lambda r: [r["State"]],
}


ASSOCIATION_PREFIX = "vpc-cidr-assoc"

#: AWS's default quota "IPv4 CIDR blocks per VPC" (L-83CA0A9D), the primary block included.
CIDR_BLOCKS_PER_VPC = 5

#: AssociateVpcCidrBlock parameters for IPv6 and IPAM blocks, which trunkline does not model.
_UNSUPPORTED_ASSOCIATE = (
    "AmazonProvidedIpv6CidrBlock",
    "Ipv6CidrBlock",
    "Ipv6Pool",
    "Ipv6CidrBlockNetworkBorderGroup",
    "Ipv6IpamPoolId",
    "Ipv6NetmaskLength",
    "Ipv4IpamPoolId",
    "Ipv4NetmaskLength",
)

_net = ipaddress.IPv4Network
_RFC1918 = (_net("10.0.0.0/8"), _net("172.16.0.0/12"), _net("192.168.0.0/16"))
_BENCHMARK = _net("198.19.0.0/16")
_LINK_LOCAL = _net("169.254.0.0/16")


def get_vpc(ctx: RequestContext, vpc_id: str) -> VpcRecord:
    """The VPC record (`VpcId`, `CidrBlock`, `OwnerId`, `Tags`, `EnableDnsSupport`,
    `EnableDnsHostnames`, ...); raises InvalidVpcID.Malformed or InvalidVpcID.NotFound."""
    return VPC.require(ctx, vpc_id)


def create_vpc(ctx: RequestContext, params: shapes.CreateVpcRequest) -> VpcRecord:
    unsupported.refuse(params, unsupported.IPV6_VPC, "VPCs")
    cidr = params.get("CidrBlock")
    if cidr is None:
        raise AwsError("MissingParameter", "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.")
    network = _vpc_range(cidr)
    tenancy = params.get("InstanceTenancy") or "default"
    tags = ec2_tags.requested(params, "vpc")
    vpc_id = resource_id("vpc")
    record: VpcRecord = {
        "VpcId": vpc_id,
        "CidrBlock": str(network),
        "State": "available",
        "OwnerId": ctx.account_id,
        "InstanceTenancy": tenancy,
        "IsDefault": False,
        "DhcpOptionsId": "default",
        "CidrBlockAssociationSet": [
            {
                "AssociationId": resource_id(ASSOCIATION_PREFIX),
                "CidrBlock": str(network),
                "CidrBlockState": {"State": "associated"},
            }
        ],
        "Ipv6CidrBlockAssociationSet": [],
        "BlockPublicAccessStates": {"InternetGatewayBlockMode": "off"},
        "Tags": tags,
        "EnableDnsSupport": True,
        "EnableDnsHostnames": False,
        "EnableNetworkAddressUsageMetrics": False,
    }
    save(ctx, record)
    _furnish(ctx, record)
    return record


def _furnish(ctx: RequestContext, vpc: VpcRecord) -> None:
    """What every new VPC comes with: its default security group, main route table (local route)
    and default network ACL."""
    security_groups.create_default(ctx, vpc)
    ctx.reactions.furnish_vpc(ctx, vpc)  # main route table, default network ACL (wiring.py)


def _vpc_range(text: str) -> ipaddress.IPv4Network:
    """A VPC CIDR block: parsed (host bits cleared) and between /16 and /28."""
    network = addressing.parse_cidr(text)
    if not 16 <= network.prefixlen <= 28:
        raise AwsError("InvalidVpc.Range", f"The CIDR '{text}' is invalid.")
    return network


def ipv4_blocks(vpc: VpcRecord) -> list[ipaddress.IPv4Network]:
    """The VPC's associated IPv4 CIDR blocks, the primary first."""
    return [
        ipaddress.IPv4Network(a["CidrBlock"])
        for a in vpc["CidrBlockAssociationSet"]
        if a["CidrBlockState"]["State"] == "associated"
    ]


def save(ctx: RequestContext, record: VpcRecord) -> None:
    VPC.save(ctx, record)


def describe_vpcs(ctx: RequestContext, params: shapes.DescribeVpcsRequest) -> tuple[list[Record], str | None]:
    def owned() -> list[VpcRecord]:
        return VPC.find(ctx, "owner", ctx.account_id)

    return lookup.describe(ctx, VPC, params, params.get("VpcIds"), EXTRACTORS, candidates=owned)


def delete_vpc(ctx: RequestContext, vpc_id: str) -> None:
    """Delete a VPC that holds nothing but what came with it (its default security group, main
    route table and default network ACL, which go with it): no subnets, other security groups,
    other route tables, NAT gateways, or an attached internet gateway."""
    get_vpc(ctx, vpc_id)
    groups = SECURITY_GROUP.find(ctx, "vpc", vpc_id)
    if (
        SUBNET.count(ctx, "vpc", vpc_id)
        or any(g["GroupName"] != "default" for g in groups)
        or ctx.reactions.vpc_has_dependents(ctx, vpc_id)  # route tables, gateways (wiring.py)
    ):
        raise AwsError("DependencyViolation", f"The vpc '{vpc_id}' has dependencies and cannot be deleted.")
    for group in groups:
        security_groups.remove(ctx, group)
    ctx.reactions.vpc_gone(ctx, vpc_id)
    VPC.delete(ctx, vpc_id)


def modify_vpc_attribute(ctx: RequestContext, params: shapes.ModifyVpcAttributeRequest) -> None:
    vpc = get_vpc(ctx, params["VpcId"])
    given = [name for name, field in ATTRIBUTES.items() if params.get(field) is not None]
    if not given:
        raise AwsError("InvalidParameterCombination", "No attributes specified.")
    if len(given) > 1:
        raise AwsError(
            "InvalidParameterCombination", f"Fields for multiple attribute types specified: {', '.join(given)}"
        )
    field = ATTRIBUTES[given[0]]
    attributes: Mapping[str, Any] = params  # the one attribute given, read by name
    value = attributes[field].get("Value")
    if value is None:
        raise AwsError("MissingParameter", f"The request must contain the parameter {field}.Value")
    flag = bool(value)
    if field == "EnableDnsHostnames":
        vpc["EnableDnsHostnames"] = flag
    elif field == "EnableDnsSupport":
        vpc["EnableDnsSupport"] = flag
    else:
        vpc["EnableNetworkAddressUsageMetrics"] = flag
    save(ctx, vpc)


def describe_vpc_attribute(ctx: RequestContext, vpc_id: str, attribute: str) -> Record:
    vpc = get_vpc(ctx, vpc_id)
    field = ATTRIBUTES.get(attribute)
    if field is None:
        raise AwsError(
            "InvalidParameterValue", f"Value ({attribute}) for parameter attribute is invalid. Unknown attribute."
        )
    values = {
        "EnableDnsHostnames": vpc["EnableDnsHostnames"],
        "EnableDnsSupport": vpc["EnableDnsSupport"],
        "EnableNetworkAddressUsageMetrics": vpc["EnableNetworkAddressUsageMetrics"],
    }
    return {"VpcId": vpc_id, field: {"Value": bool(values[field])}}


# --- secondary IPv4 CIDR blocks --------------------------------------------------------------------


def associate_vpc_cidr_block(ctx: RequestContext, params: shapes.AssociateVpcCidrBlockRequest) -> Record:
    """Add a secondary IPv4 block; returns the `VpcCidrBlockAssociation` as AWS answers it
    (`associating`) while the record already holds it `associated`."""
    for name in _UNSUPPORTED_ASSOCIATE:
        if params.get(name):
            raise AwsError("InvalidParameterValue", f"trunkline does not support {name} on VPC CIDR blocks yet.")
    vpc = get_vpc(ctx, params["VpcId"])
    text = params.get("CidrBlock")
    if text is None:
        raise AwsError("MissingParameter", "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.")
    network = _vpc_range(text)
    blocks = ipv4_blocks(vpc)
    if len(vpc["CidrBlockAssociationSet"]) >= CIDR_BLOCKS_PER_VPC:
        raise AwsError(
            "CidrLimitExceeded",
            f"This network '{vpc['VpcId']}' has met its maximum number of allowed CIDRs: {CIDR_BLOCKS_PER_VPC}",
        )
    if any(network.overlaps(block) for block in blocks):
        raise AwsError(
            "InvalidVpc.Range",
            f"The CIDR '{text}' conflicts with a CIDR block already associated with the VPC '{vpc['VpcId']}'.",
        )
    if _restricted(network, blocks):
        raise AwsError(
            "InvalidVpc.Range",
            f"The CIDR '{text}' is restricted. Use a CIDR from the same private address range as the current VPC "
            "CIDR, or use a publicly-routable CIDR.\n"
            "For additional restrictions, see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html",
        )
    association: VpcCidrBlockAssociation = {
        "AssociationId": resource_id(ASSOCIATION_PREFIX),
        "CidrBlock": str(network),
        "CidrBlockState": {"State": "associated"},
    }
    vpc["CidrBlockAssociationSet"].append(association)
    save(ctx, vpc)
    ctx.reactions.block_added(ctx, vpc["VpcId"], str(network))
    return {**association, "CidrBlockState": {"State": "associating"}}


def _restricted(network: ipaddress.IPv4Network, blocks: list[ipaddress.IPv4Network]) -> bool:
    """AWS's "IPv4 CIDR block association restrictions" table (Amazon VPC User Guide, VPC CIDR
    blocks), keyed by the range the primary block is in. A block of /16 or smaller overlaps one
    of these ranges only by lying inside it."""
    primary = blocks[0]
    if network.overlaps(_LINK_LOCAL):
        return True
    home = next((r for r in _RFC1918 if primary.subnet_of(r)), None)
    if primary.subnet_of(_BENCHMARK):
        refused = list(_RFC1918)
    elif home is None:  # publicly routable, or 100.64.0.0/10
        refused = [*_RFC1918, _BENCHMARK]
    else:
        refused = [r for r in _RFC1918 if r != home] + [_BENCHMARK]
        if home == _RFC1918[1]:
            refused.append(_net("172.31.0.0/16"))
        if home == _RFC1918[0] and any(b.overlaps(_net("10.0.0.0/15")) for b in blocks):
            refused.append(_net("10.0.0.0/16"))
    return any(network.overlaps(r) for r in refused)


def disassociate_vpc_cidr_block(ctx: RequestContext, association_id: str) -> tuple[str, Record]:
    """Remove a secondary IPv4 block at once; returns the VPC id and the association as AWS
    answers it (`disassociating`)."""
    for vpc in VPC.find(ctx, "owner", ctx.account_id):
        associations = vpc["CidrBlockAssociationSet"]
        found = next((a for a in associations if a["AssociationId"] == association_id), None)
        if found is None:
            continue
        if found is associations[0]:
            raise AwsError(
                "OperationNotPermitted",
                f"The vpc CIDR block with association ID {association_id} may not be disassociated. "
                "It is the primary IPv4 CIDR block of the VPC",
            )
        block = ipaddress.IPv4Network(found["CidrBlock"])
        subnets = SUBNET.find(ctx, "vpc", vpc["VpcId"])
        if any(ipaddress.IPv4Network(s["CidrBlock"]).subnet_of(block) for s in subnets):
            raise AwsError(
                "InvalidCidrBlock.InUse",
                f"The vpc {vpc['VpcId']} currently has a subnet within CIDR block {found['CidrBlock']}",
            )
        associations.remove(found)
        save(ctx, vpc)
        ctx.reactions.block_removed(ctx, vpc["VpcId"], found["CidrBlock"])
        return vpc["VpcId"], {**found, "CidrBlockState": {"State": "disassociating"}}
    raise AwsError(
        "InvalidVpcCidrBlockAssociationID.NotFound",
        f"The vpc CIDR block association ID '{association_id}' does not exist",
    )
