"""Subnets and private IPv4 allocation.

Record (kind `kinds.SUBNET`, indexed by VPC and owner), in the `Subnet`
output shape's member names: `SubnetId`, `VpcId`, `CidrBlock`, `State`, `AvailabilityZone`,
`AvailabilityZoneId`, `AvailableIpAddressCount` (always exact: usable addresses minus allocated
ones), `OwnerId`, `SubnetArn`, `DefaultForAz` (false), `MapPublicIpOnLaunch`,
`PrivateDnsNameOptionsOnLaunch` {`HostnameType`, `EnableResourceNameDnsARecord`,
`EnableResourceNameDnsAAAARecord`}, `Tags`, ... Private bookkeeping: `_Creator` (the account that
created it) and `_NextOffset` (the allocation cursor, see `addressing`).

Shared subnets: a subnet created with the tag `trunkline:owner-id` = a 12-digit account id is owned
by that account (its `OwnerId`), as if that account had shared it with the creator through RAM. The
creator still sees it (and uses it); ECS treats an instance in it as being in a shared subnet.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import addressing, lookup, unsupported, vpcs, zones
from trunkline.domain.ec2 import tags as ec2_tags
from trunkline.domain.ec2.kinds import NETWORK_INTERFACE, SUBNET
from trunkline.domain.ec2.records import SubnetRecord, Tag
from trunkline.domain.ids import resource_id
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]
OWNER_TAG = "trunkline:owner-id"

_ACCOUNT = re.compile(r"^[0-9]{12}$")

#: ModifySubnetAttribute parameter -> how EC2 names it in "multiple attribute" errors.
_ATTRIBUTES = {
    "AssignIpv6AddressOnCreation": "assignIpv6AddressOnCreation",
    "MapPublicIpOnLaunch": "mapPublicIpOnLaunch",
    "MapCustomerOwnedIpOnLaunch": "mapCustomerOwnedIpOnLaunch",
    "EnableDns64": "enableDns64",
    "PrivateDnsHostnameTypeOnLaunch": "privateDnsHostnameTypeOnLaunch",
    "EnableResourceNameDnsARecordOnLaunch": "enableResourceNameDnsARecordOnLaunch",
    "EnableResourceNameDnsAAAARecordOnLaunch": "enableResourceNameDnsAAAARecordOnLaunch",
    "EnableLniAtDeviceIndex": "enableLniAtDeviceIndex",
    "DisableLniAtDeviceIndex": "disableLniAtDeviceIndex",
}

EXTRACTORS: dict[str, Any] = {
    "subnet-id": lambda r: [r["SubnetId"]],
    "subnet-arn": lambda r: [r["SubnetArn"]],
    "vpc-id": lambda r: [r["VpcId"]],
    "cidr-block": lambda r: [r["CidrBlock"]],
    "cidr": lambda r: [r["CidrBlock"]],
    "cidrBlock": lambda r: [r["CidrBlock"]],
    "availability-zone": lambda r: [r["AvailabilityZone"]],
    "availabilityZone": lambda r: [r["AvailabilityZone"]],
    "availability-zone-id": lambda r: [r["AvailabilityZoneId"]],
    "available-ip-address-count": lambda r: [r["AvailableIpAddressCount"]],
    "state": lambda r: [r["State"]],
    "owner-id": lambda r: [r["OwnerId"]],
    "default-for-az": lambda r: [r["DefaultForAz"]],
    "defaultForAz": lambda r: [r["DefaultForAz"]],
    "map-public-ip-on-launch": lambda r: [r["MapPublicIpOnLaunch"]],
    "ipv6-native": lambda r: [r["Ipv6Native"]],
    "enable-dns64": lambda r: [r["EnableDns64"]],
    "map-customer-owned-ip-on-launch": lambda r: [r["MapCustomerOwnedIpOnLaunch"]],
    "private-dns-name-options-on-launch.hostname-type": lambda r: [r["PrivateDnsNameOptionsOnLaunch"]["HostnameType"]],
    "private-dns-name-options-on-launch.enable-resource-name-dns-a-record": lambda r: [
        r["PrivateDnsNameOptionsOnLaunch"]["EnableResourceNameDnsARecord"]
    ],
    "private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record": lambda r: [
        r["PrivateDnsNameOptionsOnLaunch"]["EnableResourceNameDnsAAAARecord"]
    ],
    # Documented filters on what trunkline's subnets never have (IPv6, Outposts, customer-owned
    # pools, LNIs): they match no subnet, as on AWS for subnets without them.
    "ipv6-cidr-block-association.ipv6-cidr-block": lambda r: [],
    "ipv6-cidr-block-association.association-id": lambda r: [],
    "ipv6-cidr-block-association.state": lambda r: [],
    "outpost-arn": lambda r: [],
    "customer-owned-ipv4-pool": lambda r: [],
    "enable-lni-at-device-index": lambda r: [],
}


def _load(ctx: RequestContext, subnet_id: str) -> SubnetRecord:
    return SUBNET.require(ctx, subnet_id)


def get_subnet(ctx: RequestContext, subnet_id: str) -> SubnetRecord:
    """The subnet record (`SubnetId`, `VpcId`, `CidrBlock`, `AvailabilityZone`, `OwnerId`,
    `MapPublicIpOnLaunch`, `PrivateDnsNameOptionsOnLaunch`, `AvailableIpAddressCount`, `Tags`, ...);
    raises InvalidSubnetID.Malformed or InvalidSubnetID.NotFound."""
    return _load(ctx, subnet_id)


def allocate_private_ip(ctx: RequestContext, subnet_id: str, wanted: str | None = None) -> str:
    """Take the lowest free address (or `wanted`) from the subnet, outside AWS's five reserved ones;
    raises InsufficientFreeAddressesInSubnet when none is left (InvalidIPAddress.InUse if
    `wanted` is taken, InvalidParameterValue if it is outside the subnet or reserved). Keeps
    `AvailableIpAddressCount` exact."""
    subnet = _load(ctx, subnet_id)
    address = addressing.take(ctx, subnet, wanted)
    save(ctx, subnet)
    return address


def release_private_ip(ctx: RequestContext, subnet_id: str, address: str) -> None:
    """Give an address back to its subnet (a no-op if the subnet or the allocation is gone)."""
    subnet = SUBNET.load(ctx, subnet_id)
    if subnet is not None and addressing.give_back(ctx, subnet, address):
        save(ctx, subnet)


def save(ctx: RequestContext, subnet: SubnetRecord) -> None:
    SUBNET.save(ctx, subnet)


# --- CreateSubnet ---------------------------------------------------------------------------------


def create_subnet(ctx: RequestContext, params: shapes.CreateSubnetRequest) -> SubnetRecord:
    unsupported.refuse(params, unsupported.IPV6_SUBNET, "subnets")
    vpc = vpcs.get_vpc(ctx, params["VpcId"])
    text = params.get("CidrBlock")
    if text is None:
        raise AwsError("MissingParameter", "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.")
    network = addressing.parse_cidr(text)
    inside = any(network.subnet_of(block) for block in vpcs.ipv4_blocks(vpc))
    if not 16 <= network.prefixlen <= 28 or not inside:
        raise AwsError("InvalidSubnet.Range", f"The CIDR '{text}' is invalid.")
    siblings = SUBNET.find(ctx, "vpc", vpc["VpcId"])
    if any(network.overlaps(addressing.parse_cidr(s["CidrBlock"])) for s in siblings):
        raise AwsError("InvalidSubnet.Conflict", f"The CIDR '{text}' conflicts with another subnet")
    zone = _zone(ctx, params, siblings)
    tags = ec2_tags.requested(params, "subnet")
    owner = _owner(ctx, tags)
    subnet_id = resource_id("subnet")
    record: SubnetRecord = {
        "SubnetId": subnet_id,
        "SubnetArn": f"arn:aws:ec2:{ctx.region}:{owner}:subnet/{subnet_id}",
        "VpcId": vpc["VpcId"],
        "CidrBlock": str(network),
        "State": "available",
        "AvailabilityZone": zone.name,
        "AvailabilityZoneId": zone.zone_id,
        "AvailableIpAddressCount": addressing.usable_count(network),
        "OwnerId": owner,
        "DefaultForAz": False,
        "MapPublicIpOnLaunch": False,
        "MapCustomerOwnedIpOnLaunch": False,
        "AssignIpv6AddressOnCreation": False,
        "Ipv6CidrBlockAssociationSet": [],
        "EnableDns64": False,
        "Ipv6Native": False,
        "PrivateDnsNameOptionsOnLaunch": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
        "BlockPublicAccessStates": {"InternetGatewayBlockMode": "off"},
        "Tags": tags,
        "_Creator": ctx.account_id,
        "_NextOffset": addressing.first_offset(),
        "_NamedAbove": 0,
    }
    save(ctx, record)
    return record


def _zone(ctx: RequestContext, params: shapes.CreateSubnetRequest, siblings: list[SubnetRecord]) -> zones.Zone:
    available = zones.zones(ctx.region)
    name, zone_id = params.get("AvailabilityZone"), params.get("AvailabilityZoneId")
    if name is not None and zone_id is not None:
        raise AwsError(
            "InvalidParameterCombination",
            "The parameter availabilityZone cannot be used with the parameter availabilityZoneId",
        )
    if name is not None:
        zone = zones.get_zone(ctx.region, name)
        if zone is None:
            listed = ", ".join(z.name for z in available)
            raise AwsError(
                "InvalidParameterValue",
                f"Value ({name}) for parameter availabilityZone is invalid. "
                f"Subnets can currently only be created in the following availability zones: {listed}.",
            )
        return zone
    if zone_id is not None:
        zone = zones.zone_by_id(ctx.region, zone_id)
        if zone is None:
            listed = ", ".join(z.zone_id for z in available)
            raise AwsError(
                "InvalidParameterValue",
                f"Value ({zone_id}) for parameter availabilityZoneId is invalid. "
                f"Subnets can currently only be created in the following availability zones: {listed}.",
            )
        return zone
    # AWS picks a zone for you; trunkline picks the VPC's least used one (first by name on ties).
    used = [s["AvailabilityZone"] for s in siblings]
    return min(available, key=lambda z: (used.count(z.name), z.name))


def _owner(ctx: RequestContext, tags: list[Tag]) -> str:
    for tag in tags:
        if tag["Key"] == OWNER_TAG:
            if not _ACCOUNT.match(tag["Value"]):
                raise AwsError(
                    "InvalidParameterValue",
                    f"Value ({tag['Value']}) for tag {OWNER_TAG} is invalid. It must be a 12-digit AWS account id.",
                )
            return str(tag["Value"])
    return ctx.account_id


# --- Describe / Delete / Modify --------------------------------------------------------------------


def describe_subnets(ctx: RequestContext, params: shapes.DescribeSubnetsRequest) -> tuple[list[Record], str | None]:
    return lookup.describe(ctx, SUBNET, params, params.get("SubnetIds"), EXTRACTORS)


def delete_subnet(ctx: RequestContext, subnet_id: str) -> None:
    subnet = _load(ctx, subnet_id)
    if NETWORK_INTERFACE.count(ctx, "subnet", subnet_id) or addressing.in_use(ctx, subnet_id):
        raise AwsError("DependencyViolation", f"The subnet '{subnet_id}' has dependencies and cannot be deleted.")
    ctx.reactions.subnet_gone(ctx, subnet)  # its route table association (wiring.py)
    addressing.forget(ctx, subnet_id)
    SUBNET.delete(ctx, subnet_id)


def modify_subnet_attribute(ctx: RequestContext, params: shapes.ModifySubnetAttributeRequest) -> None:
    subnet = _load(ctx, params["SubnetId"])
    given = [name for name in _ATTRIBUTES if params.get(name) is not None]
    if not given:
        raise AwsError("InvalidParameterCombination", "No attributes specified.")
    if len(given) > 1:
        names = ", ".join(_ATTRIBUTES[name] for name in given)
        raise AwsError("InvalidParameterCombination", f"Fields for multiple attribute types specified: {names}")
    name = given[0]
    attributes: Mapping[str, Any] = params  # the one attribute given, read by name
    value = attributes[name]
    options = subnet["PrivateDnsNameOptionsOnLaunch"]
    if name == "PrivateDnsHostnameTypeOnLaunch":
        if value not in ("ip-name", "resource-name"):
            raise AwsError(
                "InvalidParameterValue", f"Value ({value}) for parameter privateDnsHostnameTypeOnLaunch is invalid."
            )
        options["HostnameType"] = value
    elif name in ("EnableLniAtDeviceIndex", "DisableLniAtDeviceIndex"):
        raise AwsError("InvalidParameterValue", f"The parameter {_ATTRIBUTES[name]} is not supported for this subnet.")
    else:
        flag = _boolean(name, value)
        if name == "EnableResourceNameDnsARecordOnLaunch":
            options["EnableResourceNameDnsARecord"] = flag
        elif name == "EnableResourceNameDnsAAAARecordOnLaunch":
            options["EnableResourceNameDnsAAAARecord"] = flag
        elif name == "AssignIpv6AddressOnCreation" and flag and not subnet["Ipv6CidrBlockAssociationSet"]:
            raise AwsError(
                "InvalidParameterValue",
                f"Cannot set AssignIpv6AddressOnCreation to true unless the subnet ({subnet['SubnetId']}) "
                "has an IPv6 CIDR block associated with it.",
            )
        else:
            _set_flag(subnet, name, flag)
    save(ctx, subnet)


def _set_flag(subnet: SubnetRecord, name: str, flag: bool) -> None:
    """A boolean member ModifySubnetAttribute sets by its parameter's name."""
    if name == "MapPublicIpOnLaunch":
        subnet["MapPublicIpOnLaunch"] = flag
    elif name == "MapCustomerOwnedIpOnLaunch":
        subnet["MapCustomerOwnedIpOnLaunch"] = flag
    elif name == "AssignIpv6AddressOnCreation":
        subnet["AssignIpv6AddressOnCreation"] = flag
    else:
        subnet["EnableDns64"] = flag


def _boolean(name: str, value: Any) -> bool:
    if not isinstance(value, dict) or value.get("Value") is None:
        raise AwsError("MissingParameter", f"The request must contain the parameter {name}.Value")
    return bool(value["Value"])
