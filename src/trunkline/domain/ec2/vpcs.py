"""VPCs and their DNS attributes.

Record (kind `ec2.vpc`, key `REGION/vpc-…`), in the `Vpc` output shape's member names plus the
attributes DescribeVpcAttribute reports:

- `VpcId`, `CidrBlock` (network address form), `State` ("available"), `OwnerId`, `IsDefault`
  (always false: trunkline creates no default VPC), `InstanceTenancy`, `DhcpOptionsId`,
  `CidrBlockAssociationSet`, `Ipv6CidrBlockAssociationSet`, `BlockPublicAccessStates`, `Tags`;
- `EnableDnsSupport` (bool, default true), `EnableDnsHostnames` (bool, default false),
  `EnableNetworkAddressUsageMetrics` (bool, default false). Other modules read the two DNS flags
  (a task's hostname depends on both).

Every VPC gets a security group named `default` when it is created and loses it when deleted.
"""

from __future__ import annotations

import secrets
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import addressing, lookup
from trunkline.domain.ec2 import tags as ec2_tags
from trunkline.domain.ids import resource_id
from trunkline.errors import AwsError

Record = dict[str, Any]
KIND = "ec2.vpc"
SUBNET_KIND = "ec2.subnet"  # subnets are indexed by {"vpc": vpc key}
GROUP_KIND = "ec2.security-group"  # security groups are indexed by {"vpc": vpc key}

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
    "owner-id": lambda r: [r["OwnerId"]],
    "state": lambda r: [r["State"]],
}


def not_found(vpc_id: str) -> AwsError:
    return AwsError("InvalidVpcID.NotFound", f"The vpc ID '{vpc_id}' does not exist")


def _visible(ctx: RequestContext) -> Any:
    return lambda record: record["OwnerId"] == ctx.account_id


def get_vpc(ctx: RequestContext, vpc_id: str) -> Record:
    """The VPC record (`VpcId`, `CidrBlock`, `OwnerId`, `Tags`, `EnableDnsSupport`,
    `EnableDnsHostnames`, ...); raises InvalidVpcID.Malformed or InvalidVpcID.NotFound."""
    lookup.check_id(vpc_id, "vpc", "InvalidVpcID.Malformed")
    record = ctx.tx.get(KIND, lookup.key(ctx, vpc_id))
    if record is None or record["OwnerId"] != ctx.account_id:
        raise not_found(vpc_id)
    return record


def create_vpc(ctx: RequestContext, params: dict[str, Any]) -> Record:
    from trunkline.domain.ec2 import security_groups  # they import this module

    cidr = params.get("CidrBlock")
    if cidr is None:
        raise AwsError("MissingParameter", "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.")
    network = addressing.parse_cidr(cidr)
    if not 16 <= network.prefixlen <= 28:
        raise AwsError("InvalidVpc.Range", f"The CIDR '{cidr}' is invalid.")
    tenancy = params.get("InstanceTenancy") or "default"
    tags = ec2_tags.requested(params, "vpc")
    vpc_id = resource_id("vpc")
    record: Record = {
        "VpcId": vpc_id,
        "CidrBlock": str(network),
        "State": "available",
        "OwnerId": ctx.account_id,
        "InstanceTenancy": tenancy,
        "IsDefault": False,
        "DhcpOptionsId": "default",
        "CidrBlockAssociationSet": [
            {
                "AssociationId": f"vpc-cidr-assoc-{secrets.token_hex(9)[:17]}",
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
    security_groups.create_default(ctx, record)
    return record


def save(ctx: RequestContext, record: Record) -> None:
    ctx.tx.put(KIND, lookup.key(ctx, record["VpcId"]), record, index={"owner": record["OwnerId"]})


def describe_vpcs(ctx: RequestContext, params: dict[str, Any]) -> tuple[list[Record], str | None]:
    return lookup.describe(
        ctx,
        params,
        kind=KIND,
        id_field="VpcId",
        ids=params.get("VpcIds"),
        id_prefix="vpc",
        malformed_code="InvalidVpcID.Malformed",
        missing=not_found,
        extractors=EXTRACTORS,
        visible=_visible(ctx),
        candidates=lambda: ctx.tx.find(KIND, "owner", ctx.account_id),
    )


def delete_vpc(ctx: RequestContext, vpc_id: str) -> None:
    from trunkline.domain.ec2 import security_groups

    get_vpc(ctx, vpc_id)
    vpc_key = lookup.key(ctx, vpc_id)
    groups = ctx.tx.find(GROUP_KIND, "vpc", vpc_key)
    if ctx.tx.count(SUBNET_KIND, "vpc", vpc_key) or any(g["GroupName"] != "default" for g in groups):
        raise AwsError("DependencyViolation", f"The vpc '{vpc_id}' has dependencies and cannot be deleted.")
    for group in groups:
        security_groups.remove(ctx, group)
    ctx.tx.delete(KIND, vpc_key)


def modify_vpc_attribute(ctx: RequestContext, params: dict[str, Any]) -> None:
    vpc = get_vpc(ctx, params["VpcId"])
    given = [name for name, field in ATTRIBUTES.items() if params.get(field) is not None]
    if not given:
        raise AwsError("InvalidParameterCombination", "No attributes specified.")
    if len(given) > 1:
        raise AwsError(
            "InvalidParameterCombination", f"Fields for multiple attribute types specified: {', '.join(given)}"
        )
    field = ATTRIBUTES[given[0]]
    value = params[field].get("Value")
    if value is None:
        raise AwsError("MissingParameter", f"The request must contain the parameter {field}.Value")
    vpc[field] = bool(value)
    save(ctx, vpc)


def describe_vpc_attribute(ctx: RequestContext, vpc_id: str, attribute: str) -> Record:
    vpc = get_vpc(ctx, vpc_id)
    field = ATTRIBUTES.get(attribute)
    if field is None:
        raise AwsError(
            "InvalidParameterValue", f"Value ({attribute}) for parameter attribute is invalid. Unknown attribute."
        )
    return {"VpcId": vpc_id, field: {"Value": bool(vpc.get(field, False))}}
