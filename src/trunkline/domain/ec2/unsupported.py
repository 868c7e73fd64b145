"""Parameters trunkline does not model yet, refused by name instead of dropped (a silently ignored
`--ipv6-address-count 1` launches an instance that a test then trusts to have IPv6).

IPv6 is the main gap: VPC and subnet IPv6 blocks, IPv6 addresses on ENIs and instances, and
through them dual-stack and IPv6-only awsvpc tasks (docs/decisions.md). Each refusal is
`InvalidParameterValue` "trunkline does not support NAME on WHAT yet."; a false, zero or empty
value asks for nothing and passes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from trunkline.errors import AwsError

IPV6_VPC = (
    "AmazonProvidedIpv6CidrBlock",
    "Ipv6Pool",
    "Ipv6CidrBlock",
    "Ipv6IpamPoolId",
    "Ipv6NetmaskLength",
    "Ipv6CidrBlockNetworkBorderGroup",
)
IPV6_SUBNET = ("Ipv6CidrBlock", "Ipv6Native", "Ipv6IpamPoolId", "Ipv6NetmaskLength")
IPV6_INSTANCE = ("Ipv6AddressCount", "Ipv6Addresses", "EnablePrimaryIpv6")
IPV6_INTERFACE = ("Ipv6Addresses", "Ipv6AddressCount", "Ipv6Prefixes", "Ipv6PrefixCount", "PrimaryIpv6")
SECONDARY_IPV4_INTERFACE = ("SecondaryPrivateIpAddressCount", "PrivateIpAddresses", "Ipv4Prefixes", "Ipv4PrefixCount")


def refuse(params: Mapping[str, Any], names: Iterable[str], what: str) -> None:
    """Refuse the first of `names` that `params` sets to something that asks for a feature."""
    for name in names:
        if params.get(name):
            raise AwsError("InvalidParameterValue", f"trunkline does not support {name} on {what} yet.")
