"""`Transaction.find_from_each` (issue 16): several `find_from` questions at once, answered as each
would be alone, in order, with the transaction's own writes (on PostgreSQL, in one round trip).
Runs on PostgreSQL too with TRUNKLINE_TEST_POSTGRES."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import opened_store
from trunkline.store.api import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with opened_store(tmp_path) as opened:
        yield opened


def test_each_answer_is_find_from_alone(store: Store) -> None:
    def fill(tx: Any) -> None:
        for n in range(12):
            tx.put("box", f"k{n:02d}", {"n": n}, {"a": f"{n % 5:03d}", "b": f"{n:03d}"})

    store.run(fill)

    def work(tx: Any) -> tuple[list[Any], list[Any]]:
        tx.put("box", "k99", {"n": 99}, {"a": "004"})  # pending: the questions must see it
        tx.delete("box", "k03")
        queries = [("a", "003", None, 3), ("b", "010", None, None), ("a", "000", ("001", "k06"), 2), ("c", "", None, 5)]
        together = tx.find_from_each("box", queries)
        alone = [tx.find_from("box", *query) for query in queries]
        return together, alone

    together, alone = store.run(work)
    assert together == alone
    assert [key for _, key, _ in together[0]] == ["k08", "k04", "k09"]
    assert [doc["n"] for _, _, doc in together[1]] == [10, 11]
    assert [key for _, key, _ in together[2]] == ["k11", "k02"]
    assert together[3] == [] and store.run(lambda tx: tx.find_from_each("box", [])) == []
