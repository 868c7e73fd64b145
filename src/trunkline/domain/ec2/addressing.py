"""IPv4 CIDR parsing and the per-subnet private address ledger.

The ledger is built to stay cheap with tens of thousands of addresses in one subnet:

- every allocated address is its own document (kind `SUBNET_ADDRESS`, `ec2.subnet-ip`), keyed
  `subnet-ID/OFFSET` with the offset from the network address zero-padded, so a key lookup
  answers "is this address taken?" and nothing large is ever rewritten;
- the subnet record carries a cursor (`_NextOffset`): every offset below it is either allocated or
  on the free list, offsets at or above it are free unless taken explicitly (a `wanted` address);
- released offsets below the cursor go on a free list (kind `SUBNET_FREE_ADDRESS`,
  `ec2.subnet-free-ip`, same key form), whose first key in order is the lowest free address.

Both kinds are declared in `kinds.py`; this module reaches the store only through them.

So the lowest free address is the first free-list entry if there is one, else the first offset at
or above the cursor that no explicit allocation took: O(log n) per allocation and release.

The subnet also counts the explicit allocations at or above the cursor (`_NamedAbove`): while
there are none, the cursor's offset is free without asking the store (one read less per address
on PostgreSQL, where each is a round trip). Subnets stored before the count existed have none, and
look each offset up as before.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ec2.kinds import SUBNET_ADDRESS, SUBNET_FREE_ADDRESS
from trunkline.domain.ec2.records import SubnetRecord
from trunkline.errors import AwsError

Record = dict[str, Any]

#: AWS keeps the network address, the next three (router, DNS, future use) and the broadcast address.
RESERVED_LOW = 4
RESERVED_COUNT = 5


def parse_cidr(text: str, parameter: str = "cidrBlock") -> ipaddress.IPv4Network:
    """An IPv4 network; host bits are cleared (AWS stores the network address)."""
    try:
        return ipaddress.IPv4Network(text.strip(), strict=False)
    except (ipaddress.AddressValueError, ipaddress.NetmaskValueError, ValueError):
        raise AwsError(
            "InvalidParameterValue",
            f"Value ({text}) for parameter {parameter} is invalid. This is not a valid CIDR block.",
        ) from None


def usable_count(network: ipaddress.IPv4Network) -> int:
    return max(network.num_addresses - RESERVED_COUNT, 0)


def first_offset() -> int:
    return RESERVED_LOW


def last_offset(network: ipaddress.IPv4Network) -> int:
    return network.num_addresses - 2


def _key(subnet_id: str, offset: int) -> str:
    """A ledger entry's own key (the kinds add the region)."""
    return f"{subnet_id}/{offset:010d}"


def _offset_of(key: str) -> int:
    return int(key.rsplit("/", 1)[1])


def _address(network: ipaddress.IPv4Network, offset: int) -> str:
    return str(network.network_address + offset)


def take(ctx: RequestContext, subnet: SubnetRecord, wanted: str | None) -> str:
    """Allocate an address in `subnet` (the caller saves the updated record). Raises before writing."""
    network = ipaddress.IPv4Network(subnet["CidrBlock"])
    subnet_id = subnet["SubnetId"]
    cursor = subnet["_NextOffset"]
    if wanted is not None:
        offset = _wanted_offset(ctx, subnet_id, network, wanted)
        if offset >= cursor and "_NamedAbove" in subnet:
            subnet["_NamedAbove"] += 1
    else:
        if subnet["AvailableIpAddressCount"] <= 0:
            raise _exhausted(subnet_id)
        offset = _lowest_free(ctx, subnet, network)
    if offset < cursor:  # below the cursor a free address is on the free list
        SUBNET_FREE_ADDRESS.delete(ctx, _key(subnet_id, offset))
    address = _address(network, offset)
    SUBNET_ADDRESS.save_as(ctx, _key(subnet_id, offset), {"SubnetId": subnet_id, "Address": address})
    subnet["AvailableIpAddressCount"] -= 1
    return address


def give_back(ctx: RequestContext, subnet: SubnetRecord, address: str) -> bool:
    """Release `address`; False (and nothing changed) if it was not allocated in this subnet."""
    network = ipaddress.IPv4Network(subnet["CidrBlock"])
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        return False
    if ip not in network:
        return False
    offset = int(ip) - int(network.network_address)
    if not SUBNET_ADDRESS.delete(ctx, _key(subnet["SubnetId"], offset)):
        return False
    if offset < subnet["_NextOffset"]:
        SUBNET_FREE_ADDRESS.save_as(ctx, _key(subnet["SubnetId"], offset), {"SubnetId": subnet["SubnetId"]})
    elif "_NamedAbove" in subnet:  # at or above the cursor, only explicit allocations
        subnet["_NamedAbove"] -= 1
    subnet["AvailableIpAddressCount"] += 1
    return True


def forget(ctx: RequestContext, subnet_id: str) -> None:
    """Drop the subnet's free list (called when the subnet, with no address in use, is deleted)."""
    for key, _ in SUBNET_FREE_ADDRESS.batch(ctx, prefix=subnet_id + "/"):
        SUBNET_FREE_ADDRESS.delete(ctx, _key(subnet_id, _offset_of(key)))


def in_use(ctx: RequestContext, subnet_id: str) -> bool:
    return bool(SUBNET_ADDRESS.batch(ctx, prefix=subnet_id + "/", limit=1))


def _lowest_free(ctx: RequestContext, subnet: SubnetRecord, network: ipaddress.IPv4Network) -> int:
    subnet_id = subnet["SubnetId"]
    free = SUBNET_FREE_ADDRESS.batch(ctx, prefix=subnet_id + "/", limit=1)
    if free:
        return _offset_of(free[0][0])
    offset = subnet["_NextOffset"]
    # Skip addresses someone asked for by name above the cursor; each is skipped once, ever (and
    # with none there, as counted, there is nothing to look up).
    while (
        subnet.get("_NamedAbove") != 0
        and offset <= last_offset(network)
        and SUBNET_ADDRESS.load(ctx, _key(subnet_id, offset)) is not None
    ):
        offset += 1
        if "_NamedAbove" in subnet:  # the skipped one is below the cursor from now on
            subnet["_NamedAbove"] -= 1
    if offset > last_offset(network):
        raise _exhausted(subnet["SubnetId"])
    subnet["_NextOffset"] = offset + 1
    return offset


def _wanted_offset(ctx: RequestContext, subnet_id: str, network: ipaddress.IPv4Network, wanted: str) -> int:
    try:
        ip = ipaddress.IPv4Address(wanted.strip())
    except ValueError:
        raise AwsError(
            "InvalidParameterValue", f"Value ({wanted}) for parameter privateIpAddress is invalid."
        ) from None
    if ip not in network:
        raise AwsError("InvalidParameterValue", f"Address {ip} does not fall within the subnet's address range")
    offset = int(ip) - int(network.network_address)
    if offset < first_offset() or offset > last_offset(network):
        raise AwsError("InvalidParameterValue", f"Address {ip} is in subnet's reserved address range")
    if SUBNET_ADDRESS.load(ctx, _key(subnet_id, offset)) is not None:
        raise AwsError("InvalidIPAddress.InUse", f"Address {ip} is in use.")
    return offset


def _exhausted(subnet_id: str) -> AwsError:
    return AwsError(
        "InsufficientFreeAddressesInSubnet",
        f"There are not enough free addresses in subnet '{subnet_id}' to satisfy the requested number of instances.",
    )
