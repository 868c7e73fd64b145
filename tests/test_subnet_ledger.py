"""The subnet's address ledger against a model (issue 16): whatever mix of automatic allocations,
addresses taken by name and releases, an automatic allocation gets the lowest free address, no
address is given twice, and the count of named addresses at or above the cursor (`_NamedAbove`,
which lets an allocation skip the store lookup) stays exact. A subnet stored before the count
existed (no `_NamedAbove`) allocates the same addresses."""

from __future__ import annotations

import ipaddress
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ACCOUNT
from trunkline.context import Principal, RequestContext
from trunkline.domain.ec2 import addressing, subnets, vpcs
from trunkline.domain.ec2.kinds import SUBNET_ADDRESS
from trunkline.errors import AwsError
from trunkline.store import open_store
from trunkline.timing import PROFILES

CIDR = "10.0.1.0/28"  # offsets 4..14 usable: small, so steps meet on the same addresses
NETWORK = ipaddress.IPv4Network(CIDR)
USABLE = range(addressing.first_offset(), addressing.last_offset(NETWORK) + 1)

step = st.one_of(
    st.just(("auto", 0)),
    st.tuples(st.just("named"), st.sampled_from(USABLE)),
    st.tuples(st.just("release"), st.sampled_from(USABLE)),
)


def _ctx(tx: Any) -> RequestContext:
    return RequestContext(tx, Principal.root(ACCOUNT), "us-east-1", 1_700_000_000.0, PROFILES["fast"])


def _address(offset: int) -> str:
    return str(NETWORK.network_address + offset)


def _named_above(tx: Any, subnet_id: str) -> tuple[int, int]:
    """(the stored count, the true count) of allocations at or above the cursor."""
    ctx = _ctx(tx)
    subnet = subnets.get_subnet(ctx, subnet_id)
    cursor = subnet["_NextOffset"]
    taken = SUBNET_ADDRESS.walk(ctx, prefix=subnet_id + "/")
    true = sum(1 for k, _ in taken if int(k.rsplit("/", 1)[1]) >= cursor)
    return subnet["_NamedAbove"], true


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step, max_size=40), stored_before_the_count=st.booleans())
def test_the_ledger_allocates_like_the_model(steps: list[tuple[str, int]], stored_before_the_count: bool) -> None:
    store = open_store(":memory:")
    try:

        def make(tx: Any) -> str:
            ctx = _ctx(tx)
            vpc = vpcs.create_vpc(ctx, {"CidrBlock": "10.0.0.0/16"})
            subnet = subnets.create_subnet(ctx, {"VpcId": vpc["VpcId"], "CidrBlock": CIDR})
            if stored_before_the_count:
                stored = subnets.get_subnet(ctx, subnet["SubnetId"])
                del stored["_NamedAbove"]  # type: ignore[misc]
                subnets.save(ctx, stored)
            return str(subnet["SubnetId"])

        subnet_id = store.run(make)
        taken: set[int] = set()
        for action, offset in steps:
            if action == "auto":
                free = [o for o in USABLE if o not in taken]
                try:
                    got = store.run(lambda tx: subnets.allocate_private_ip(_ctx(tx), subnet_id))
                except AwsError as error:
                    assert not free and error.code == "InsufficientFreeAddressesInSubnet"
                    continue
                assert got == _address(free[0])
                taken.add(free[0])
            elif action == "named":
                try:
                    store.run(lambda tx, o=offset: subnets.allocate_private_ip(_ctx(tx), subnet_id, _address(o)))
                except AwsError as error:
                    assert offset in taken and error.code == "InvalidIPAddress.InUse"
                    continue
                assert offset not in taken
                taken.add(offset)
            else:
                store.run(lambda tx, o=offset: subnets.release_private_ip(_ctx(tx), subnet_id, _address(o)))
                taken.discard(offset)
            if not stored_before_the_count:
                stored, true = store.run(lambda tx: _named_above(tx, subnet_id))
                assert stored == true
    finally:
        store.close()
