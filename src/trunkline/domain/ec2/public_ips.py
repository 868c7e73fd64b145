"""Auto-assigned public IPv4 addresses: the pool EC2 hands them out from, and their DNS names.

An address is owned by exactly one network interface while assigned; the store keeps one
document per address in use (kind `ec2.public-ip`, key = the address), so uniqueness is a key
lookup. Which ENI holds which address is recorded by the ENI ledger (`Association` on the ENI);
this module only guarantees that no address is handed out twice.
"""

from __future__ import annotations

import ipaddress
import secrets

from trunkline.context import RequestContext
from trunkline.domain.ec2.kinds import PUBLIC_IP

KIND = PUBLIC_IP.name

#: A fixed, plausible block of Amazon addresses (3.80.0.0/12 is EC2 us-east-1 space). Documented
#: in docs/decisions.md: one pool for every region.
POOL = ipaddress.IPv4Network("3.80.0.0/12")


def allocate(ctx: RequestContext, holder: str) -> str:
    """Take a free public address for `holder` (an ENI's auto-assigned address, or an Elastic IP's
    allocation id)."""
    size = POOL.num_addresses
    while True:
        # Random picks keep addresses looking like AWS's; the pool is large enough that a retry
        # is rare, and the key lookup makes a collision impossible rather than unlikely.
        candidate = POOL.network_address + 1 + secrets.randbelow(size - 2)
        address = str(candidate)
        if PUBLIC_IP.get(ctx, address) is None:
            PUBLIC_IP.save(ctx, {"Address": address, "Holder": holder, "Region": ctx.region})
            return address


def release(ctx: RequestContext, address: str) -> None:
    PUBLIC_IP.delete(ctx, address)


def public_dns_name(region: str, address: str) -> str:
    """`ec2-3-80-1-2.compute-1.amazonaws.com` in us-east-1, `ec2-….REGION.compute.amazonaws.com` elsewhere."""
    label = "ec2-" + address.replace(".", "-")
    if region == "us-east-1":
        return f"{label}.compute-1.amazonaws.com"
    return f"{label}.{region}.compute.amazonaws.com"
