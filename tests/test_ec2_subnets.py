"""Subnets: CIDR rules, zones, exact free-address counts, allocation, shared subnets, attributes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from trunkline.context import Principal, RequestContext
from trunkline.domain.ec2 import subnets, vpcs
from trunkline.errors import AwsError
from trunkline.store import open_store
from trunkline.timing import PROFILES

ACCOUNT = "123456789012"


@pytest.fixture
def in_tx() -> Iterator[Callable[[Callable[[RequestContext], Any]], Any]]:
    """Run domain code in one transaction of a fresh in-memory store, as a request would."""
    store = open_store(":memory:")

    def run(work: Callable[[RequestContext], Any]) -> Any:
        return store.run(
            lambda tx: work(RequestContext(tx, Principal.root(ACCOUNT), "us-east-1", 1_700_000_000.0, PROFILES["fast"]))
        )

    yield run
    store.close()


def _subnet(in_tx: Any, cidr: str) -> str:
    def make(ctx: RequestContext) -> str:
        vpc = vpcs.create_vpc(ctx, {"CidrBlock": "10.0.0.0/16"})
        return str(subnets.create_subnet(ctx, {"VpcId": vpc["VpcId"], "CidrBlock": cidr})["SubnetId"])

    return str(in_tx(make))


def test_allocation_is_lowest_free_and_exact(in_tx):
    subnet_id = _subnet(in_tx, "10.0.1.0/28")
    got = [in_tx(lambda ctx: subnets.allocate_private_ip(ctx, subnet_id)) for _ in range(11)]
    assert got == [f"10.0.1.{n}" for n in range(4, 15)]
    assert in_tx(lambda ctx: subnets.get_subnet(ctx, subnet_id))["AvailableIpAddressCount"] == 0
    with pytest.raises(AwsError) as failure:
        in_tx(lambda ctx: subnets.allocate_private_ip(ctx, subnet_id))
    assert failure.value.code == "InsufficientFreeAddressesInSubnet"
    assert failure.value.message == (
        f"There are not enough free addresses in subnet '{subnet_id}' to satisfy the requested number of instances."
    )
    in_tx(lambda ctx: subnets.release_private_ip(ctx, subnet_id, "10.0.1.9"))
    in_tx(lambda ctx: subnets.release_private_ip(ctx, subnet_id, "10.0.1.6"))
    assert in_tx(lambda ctx: subnets.get_subnet(ctx, subnet_id))["AvailableIpAddressCount"] == 2
    assert in_tx(lambda ctx: subnets.allocate_private_ip(ctx, subnet_id)) == "10.0.1.6"
    assert in_tx(lambda ctx: subnets.allocate_private_ip(ctx, subnet_id)) == "10.0.1.9"


def test_wanted_address_is_skipped_by_later_allocations(in_tx):
    subnet_id = _subnet(in_tx, "10.0.2.0/24")
    assert in_tx(lambda ctx: subnets.allocate_private_ip(ctx, subnet_id, "10.0.2.5")) == "10.0.2.5"
    assert [in_tx(lambda ctx: subnets.allocate_private_ip(ctx, subnet_id)) for _ in range(2)] == [
        "10.0.2.4",
        "10.0.2.6",
    ]
    for wanted, code in (("10.0.2.5", "InvalidIPAddress.InUse"), ("10.0.2.1", "InvalidParameterValue")):
        with pytest.raises(AwsError) as failure:
            in_tx(lambda ctx, w=wanted: subnets.allocate_private_ip(ctx, subnet_id, w))
        assert failure.value.code == code
    assert in_tx(lambda ctx: subnets.get_subnet(ctx, subnet_id))["AvailableIpAddressCount"] == 251 - 3
