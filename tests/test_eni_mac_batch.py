"""ENI MACs are checked in batches (issue 16): the ENIs one request creates ask the store once
for all their MACs, and no MAC is ever given twice, even when the random draws repeat ones that
ENIs (of this request or an earlier one) already have. Runs on PostgreSQL too with
TRUNKLINE_TEST_POSTGRES."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ACCOUNT, opened_store
from trunkline.context import Principal, RequestContext
from trunkline.domain import ids
from trunkline.domain.ec2 import network_interfaces, subnets, vpcs
from trunkline.store.api import Store
from trunkline.timing import PROFILES


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with opened_store(tmp_path) as opened:
        yield opened


class Counting:
    """The transaction, counting `taken` questions."""

    def __init__(self, tx: Any, asked: list[int]) -> None:
        self._tx = tx
        self._asked = asked

    def taken(self, kind: str, field: str, values: Any) -> set[str]:
        self._asked.append(len(values))
        found: set[str] = self._tx.taken(kind, field, values)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)


def _create(store: Store, subnet_id: str, count: int, asked: list[int]) -> list[str]:
    def work(tx: Any) -> list[str]:
        ctx = RequestContext(Counting(tx, asked), Principal.root(ACCOUNT), "us-east-1", 1.7e9, PROFILES["fast"])  # type: ignore[arg-type]
        made = [network_interfaces.create_network_interface(ctx, subnet_id) for _ in range(count)]
        return [eni["MacAddress"] for eni in made]

    macs: list[str] = store.run(work)
    return macs


def test_one_question_for_the_macs_of_ten_enis_and_none_repeats(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def make(tx: Any) -> str:
        ctx = RequestContext(tx, Principal.root(ACCOUNT), "us-east-1", 1.7e9, PROFILES["fast"])
        vpc = vpcs.create_vpc(ctx, {"CidrBlock": "10.0.0.0/16"})
        return str(subnets.create_subnet(ctx, {"VpcId": vpc["VpcId"], "CidrBlock": "10.0.0.0/20"})["SubnetId"])

    subnet_id = store.run(make)
    asked: list[int] = []
    first = _create(store, subnet_id, 10, asked)
    assert len(set(first)) == 10
    assert len(asked) == 1  # ten ENIs, one question

    # Draws that repeat the MACs already in use (and each other) are never handed out again.
    fresh = iter(f"0a:00:00:00:{n // 256:02x}:{n % 256:02x}" for n in range(10_000))
    draws = iter([*first, *first[:4], *first])

    def draw() -> str:
        return next(draws, None) or next(fresh)

    monkeypatch.setattr(ids, "mac_address", draw)
    asked.clear()
    second = _create(store, subnet_id, 20, asked)
    assert len(set(second)) == 20 and not set(second) & set(first)
    assert len(asked) >= 2  # the first batches were all in use


def test_taken_sees_committed_values_and_the_transactions_own_writes(store: Store) -> None:
    store.run(lambda tx: [tx.put("thing", f"k{n}", {}, {"mac": f"m{n}", "other": "x"}) for n in range(3)])

    def work(tx: Any) -> list[set[str]]:
        before = tx.taken("thing", "mac", ["m0", "m1", "m5", "m0", "x"])
        tx.delete("thing", "k1")
        tx.put("thing", "k5", {}, {"mac": "m5"})
        tx.put("thing", "k2", {}, {"mac": "m7"})  # m2 given up, m7 taken
        after = tx.taken("thing", "mac", ["m0", "m1", "m2", "m5", "m7", "m\x00"])
        return [before, after, tx.taken("thing", "other", ["x", "m0"])]

    assert store.run(work) == [{"m0", "m1"}, {"m0", "m5", "m7"}, {"x"}]
    assert store.run(lambda tx: tx.taken("thing", "mac", [f"m{n}" for n in range(500)])) == {"m0", "m5", "m7"}
