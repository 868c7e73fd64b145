"""The default VPC every AWS account has in every region, and the calls that fall back on it.

As AWS documents it: 172.31.0.0/16 with `IsDefault`, one /20 default subnet per availability zone
(172.31.0.0/20 in the first zone, 172.31.16.0/20 in the second, ...; `DefaultForAz`,
`MapPublicIpOnLaunch`), an internet gateway attached, the main route table with the local route
and 0.0.0.0/0 to the gateway, the default security group and network ACL, DNS support and DNS
hostnames on.

When it exists (`ensure`): a world that gives accounts default VPCs (the store's meta flag
`WORLD_FLAG` is "on": a new store or a reset under the default `--default-vpc`) creates it the
first time an account uses EC2 in a region; a marker document (kind `kinds.DEFAULT_VPC_MARKER`,
per account and region) records that this happened, so a deleted default VPC stays deleted until
CreateDefaultVpc. A store written before default VPCs existed, or started with
`--no-default-vpc`, has the flag "off": nothing is created behind the user's back.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import vpcs, zones
from trunkline.domain.ec2.default_vpc_lookup import find
from trunkline.domain.ec2.kinds import DEFAULT_VPC_MARKER, SUBNET, VPC
from trunkline.domain.ec2.records import DefaultVpcMarkerRecord
from trunkline.errors import AwsError
from trunkline.store.api import Transaction

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]

CIDR = "172.31.0.0/16"
SUBNET_PREFIX = 20
#: Store meta: "on" when every account and region gets a default VPC on first use.
WORLD_FLAG = "ec2.default_vpcs"
_MARKER = "default-vpc"


# --- the world's setting ----------------------------------------------------------------------------


def enabled(ctx: RequestContext) -> bool:
    return ctx.tx.get_meta(WORLD_FLAG) == "on"


def set_world(tx: Transaction, on: bool) -> None:
    tx.set_meta(WORLD_FLAG, "on" if on else "off")


def init_world(tx: Transaction, on: bool) -> None:
    """At start: a store that has never decided takes the server's setting if it holds no VPC yet
    (a new store); one that already holds VPCs predates default VPCs and is left without them."""
    if tx.get_meta(WORLD_FLAG) is not None:
        return
    fresh = not tx.scan(VPC.name, prefix="", limit=1)
    set_world(tx, on and fresh)


# --- lazily, per account and region ------------------------------------------------------------------


def ensure(ctx: RequestContext) -> None:
    """Give the caller's account its default VPC in this region, once, if the world gives them."""
    if not enabled(ctx) or _marker(ctx) is not None:
        return
    _mark(ctx)
    build(ctx)


def _marker(ctx: RequestContext) -> DefaultVpcMarkerRecord | None:
    return DEFAULT_VPC_MARKER.load(ctx, _MARKER)


def _mark(ctx: RequestContext) -> None:
    DEFAULT_VPC_MARKER.save(ctx, {"Marker": _MARKER})


def default_subnets(ctx: RequestContext, vpc_id: str) -> list[Any]:
    found = [s for s in SUBNET.find(ctx, "vpc", vpc_id) if s["DefaultForAz"]]
    return sorted(found, key=lambda s: s["AvailabilityZone"])


# --- building it -------------------------------------------------------------------------------------


def build(ctx: RequestContext) -> Record:
    """Create the default VPC with everything that comes with it; returns the VPC record."""
    from trunkline.domain.ec2 import internet_gateways, route_tables

    vpc: Any = vpcs.create_vpc(ctx, {"CidrBlock": CIDR})
    vpc["IsDefault"] = True
    vpc["EnableDnsHostnames"] = True
    vpcs.save(ctx, vpc)
    gateway = internet_gateways.create_internet_gateway(ctx, {})
    internet_gateways.attach_internet_gateway(ctx, gateway["InternetGatewayId"], vpc["VpcId"])
    main = route_tables.main_table(ctx, vpc["VpcId"])
    if main is not None:
        route_tables.create_route(
            ctx,
            {
                "RouteTableId": main["RouteTableId"],
                "DestinationCidrBlock": "0.0.0.0/0",
                "GatewayId": gateway["InternetGatewayId"],
            },
        )
    for index, zone in enumerate(zones.zones(ctx.region)):
        _default_subnet(ctx, vpc, zone, index)
    record: Record = vpc
    return record


def _block(index: int) -> str:
    network = ipaddress.IPv4Network(CIDR)
    return str(list(network.subnets(new_prefix=SUBNET_PREFIX))[index])


def _default_subnet(ctx: RequestContext, vpc: Record, zone: zones.Zone, index: int) -> Any:
    from trunkline.domain.ec2 import subnets

    subnet = subnets.create_subnet(
        ctx, {"VpcId": vpc["VpcId"], "CidrBlock": _block(index), "AvailabilityZone": zone.name}
    )
    subnet["DefaultForAz"] = True
    subnet["MapPublicIpOnLaunch"] = True
    subnets.save(ctx, subnet)
    return subnet


# --- CreateDefaultVpc / CreateDefaultSubnet ------------------------------------------------------------


def create_default_vpc(ctx: RequestContext) -> Any:
    if find(ctx) is not None:
        raise AwsError("DefaultVpcAlreadyExists", "A Default VPC already exists for this account in this region.")
    if _marker(ctx) is None:
        _mark(ctx)
    return build(ctx)


def create_default_subnet(ctx: RequestContext, params: shapes.CreateDefaultSubnetRequest) -> Any:
    vpc = find(ctx)
    if vpc is None:
        raise AwsError("DefaultVpcDoesNotExist", "No default VPC exists for this account in this region.")
    name, zone_id = params.get("AvailabilityZone"), params.get("AvailabilityZoneId")
    zone = zones.get_zone(ctx.region, name) if name else zones.zone_by_id(ctx.region, zone_id or "")
    if zone is None:
        raise AwsError(
            "InvalidParameterValue",
            f"Value ({name or zone_id}) for parameter availabilityZone is invalid. "
            f"Subnets can currently only be created in the following availability zones: "
            f"{', '.join(z.name for z in zones.zones(ctx.region))}.",
        )
    if params.get("Ipv6Native"):
        raise AwsError("InvalidParameterValue", "trunkline does not support IPv6-only default subnets yet.")
    existing = next((s for s in default_subnets(ctx, vpc["VpcId"]) if s["AvailabilityZone"] == zone.name), None)
    if existing is not None:
        raise AwsError(
            "DefaultSubnetAlreadyExistsInAvailabilityZone",
            f"A Default Subnet already exists in availability zone {zone.name}: {existing['SubnetId']}",
        )
    taken = [ipaddress.IPv4Network(s["CidrBlock"]) for s in SUBNET.find(ctx, "vpc", vpc["VpcId"])]
    blocks = list(ipaddress.IPv4Network(CIDR).subnets(new_prefix=SUBNET_PREFIX))
    for index, block in enumerate(blocks):
        if not any(block.overlaps(t) for t in taken):
            return _default_subnet(ctx, vpc, zone, index)
    raise AwsError(
        "InsufficientFreeAddressesInSubnet",
        f"There is no free /{SUBNET_PREFIX} block left in the default VPC {vpc['VpcId']} for a default subnet.",
    )


# --- the fallbacks ----------------------------------------------------------------------------------------


def launch_subnet(ctx: RequestContext, zone: str | None) -> Any:
    """Where RunInstances puts an instance when no subnet is named: the default subnet of the zone
    asked for, else of the first zone that has one."""
    vpc = find(ctx)
    if vpc is None:
        raise AwsError("VPCIdNotSpecified", "No default VPC for this user")
    candidates = default_subnets(ctx, vpc["VpcId"])
    if zone is not None:
        if zones.get_zone(ctx.region, zone) is None:
            raise AwsError("InvalidParameterValue", f"Invalid availability zone: [{zone}]")
        candidates = [s for s in candidates if s["AvailabilityZone"] == zone]
        if not candidates:
            raise AwsError("InvalidInput", f"No default subnet for availability zone: '{zone}'.")
    if not candidates:
        raise AwsError(
            "MissingInput", f"No subnets found for the default VPC '{vpc['VpcId']}'. Please specify a subnet."
        )
    return candidates[0]


def default_subnet_in(ctx: RequestContext, zone: str) -> Any:
    """The default subnet of the zone, if the account has a default VPC with one there."""
    vpc = find(ctx)
    if vpc is None:
        return None
    return next((s for s in default_subnets(ctx, vpc["VpcId"]) if s["AvailabilityZone"] == zone), None)


# --- DescribeAccountAttributes -------------------------------------------------------------------------------


def account_attributes(ctx: RequestContext, names: list[str] | None) -> list[Record]:
    """The account's EC2 attributes: `default-vpc` names this region's default VPC ("none" without
    one); the limits are AWS's defaults for a new account (`max-elastic-ips` is the quota
    `elastic_ips` enforces)."""
    from trunkline.domain.ec2 import elastic_ips

    vpc = find(ctx)
    values = {
        "supported-platforms": ["VPC"],
        "vpc-max-security-groups-per-interface": ["5"],
        "max-elastic-ips": [str(elastic_ips.ADDRESSES_PER_REGION)],
        "max-instances": ["20"],
        "vpc-max-elastic-ips": [str(elastic_ips.ADDRESSES_PER_REGION)],
        "default-vpc": [vpc["VpcId"] if vpc is not None else "none"],
    }
    wanted = names or list(values)
    return [
        {"AttributeName": name, "AttributeValues": [{"AttributeValue": v} for v in values[name]]}
        for name in dict.fromkeys(wanted)
        if name in values
    ]
