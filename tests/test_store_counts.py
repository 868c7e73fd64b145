"""`Transaction.counts` (issue 16, session 6): many index counts in one question answer as
`count` does value by value, inside a transaction that wrote (its own writes seen) and from
another store on the same state. Runs on PostgreSQL too with TRUNKLINE_TEST_POSTGRES."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import opened_stores
from trunkline.store.api import Store

VALUES = [f"acct/Standard/{n}" for n in (2, 4, 8, 16, 96)]


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Store]]:
    with opened_stores(tmp_path_factory.mktemp("counts"), 2) as (first, second):
        yield first, second


def _each(tx: Any, values: list[str]) -> dict[str, int]:
    found = {value: tx.count("thing", "size", value) for value in values}
    return {value: n for value, n in found.items() if n}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sizes=st.lists(st.sampled_from([*VALUES, None]), max_size=12),
    changes=st.lists(st.tuples(st.integers(0, 11), st.sampled_from([*VALUES, None])), max_size=6),
)
def test_counts_answer_as_count_does_value_by_value(
    stores: tuple[Store, Store], sizes: list[str | None], changes: list[tuple[int, str | None]]
) -> None:
    store, other = stores
    asked = [*VALUES, "acct/Standard/3", "other/Standard/2", "nul\x00value"]

    def fill(tx: Any) -> None:
        for key, _ in tx.scan("thing"):
            tx.delete("thing", key)
        for n, size in enumerate(sizes):
            tx.put("thing", f"k{n}", {"n": n}, {"size": size, "other": "x"})

    store.run(fill)

    def change_and_ask(tx: Any) -> tuple[dict[str, int], dict[str, int]]:
        for n, size in changes:  # in the same transaction: the answer must hear these writes
            if n < len(sizes):
                tx.put("thing", f"k{n}", {"n": n}, {"size": size})
        return tx.counts("thing", "size", asked), _each(tx, asked)

    together, one_by_one = store.run(change_and_ask)
    assert together == one_by_one
    assert all(n > 0 for n in together.values())
    assert other.run(lambda tx: tx.counts("thing", "size", asked)) == together
    assert other.run(lambda tx: tx.counts("thing", "size", [])) == {}


def test_counts_of_more_values_than_one_statement_holds(tmp_path: Path) -> None:
    with opened_stores(tmp_path, 1) as (store,):
        values = [f"v{n}" for n in range(450)]
        store.run(lambda tx: [tx.put("thing", f"k{n}", {}, {"size": values[n % 450]}) for n in range(900)])
        assert store.run(lambda tx: tx.counts("thing", "size", [*values, "v0", "none"])) == dict.fromkeys(values, 2)
