"""Subnets and private IPv4 allocation. (Being implemented; the signatures below are the
contract other modules code against.)"""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext

Record = dict[str, Any]
KIND = "ec2.subnet"


def get_subnet(ctx: RequestContext, subnet_id: str) -> Record:
    """The subnet record (`SubnetId`, `VpcId`, `CidrBlock`, `AvailabilityZone`, `OwnerId`,
    `MapPublicIpOnLaunch`, `PrivateDnsNameOptionsOnLaunch`, `AvailableIpAddressCount`, `Tags`, ...);
    raises InvalidSubnetID.NotFound."""
    raise NotImplementedError


def allocate_private_ip(ctx: RequestContext, subnet_id: str, wanted: str | None = None) -> str:
    """Take a free address (or `wanted`) from the subnet, outside AWS's five reserved ones;
    raises InsufficientFreeAddressesInSubnet when none is left (InvalidIPAddress.InUse if
    `wanted` is taken). Keeps `AvailableIpAddressCount` exact."""
    raise NotImplementedError


def release_private_ip(ctx: RequestContext, subnet_id: str, address: str) -> None:
    """Give an address back to its subnet."""
    raise NotImplementedError
