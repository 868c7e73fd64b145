"""`Transaction.find_derived` (issue 16): what a pure function of a document gives, in `find`'s
order, reused for the same stored bytes and never stale, also when another store on the same
database (another process) rewrites the document. On SQLite, or on PostgreSQL with
TRUNKLINE_TEST_POSTGRES."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import opened_stores
from trunkline.store.api import Store


@dataclass(frozen=True)
class Seen:
    name: str
    size: int


calls: list[str] = []


def seen(doc: dict[str, Any]) -> Seen:
    calls.append(doc["name"])
    return Seen(doc["name"], int(doc["size"]))


def _doc(name: str, size: int) -> dict[str, Any]:
    return {"name": name, "size": size, "padding": "x" * 500}  # large enough to be compressed


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    with opened_stores(tmp_path, 2) as (first, second):
        yield first, second


def _put(store: Store, name: str, size: int, group: str = "g") -> None:
    store.run(lambda tx: tx.put("thing", name, _doc(name, size), {"group": group}))


def test_derived_values_follow_find_in_order_and_pages(stores: tuple[Store, Store]) -> None:
    store, _ = stores
    for n, name in enumerate(["c", "a", "b", "d"]):
        _put(store, name, n)
    _put(store, "other", 9, group="h")
    found = store.run(lambda tx: tx.find_derived("thing", "group", "g", seen))
    assert found == [Seen("a", 1), Seen("b", 2), Seen("c", 0), Seen("d", 3)]
    page = store.run(lambda tx: tx.find_derived("thing", "group", "g", seen, after="a", limit=2))
    assert page == [Seen("b", 2), Seen("c", 0)]
    assert store.run(lambda tx: tx.find_derived("thing", "group", "none", seen)) == []
    assert store.run(lambda tx: tx.find_derived("thing", "group", "g\x00", seen)) == []


def test_an_unchanged_document_is_not_derived_again(stores: tuple[Store, Store]) -> None:
    store, _ = stores
    _put(store, "a", 1)
    _put(store, "b", 2)
    calls.clear()
    first = store.run(lambda tx: tx.find_derived("thing", "group", "g", seen))
    again = store.run(lambda tx: tx.find_derived("thing", "group", "g", seen))
    assert again == first and all(x is y for x, y in zip(first, again, strict=True))
    assert calls == ["a", "b"]  # derived once each, for two reads


def test_a_rewritten_document_is_derived_again_even_by_another_store(stores: tuple[Store, Store]) -> None:
    reader, writer = stores
    _put(reader, "a", 1)
    assert reader.run(lambda tx: tx.find_derived("thing", "group", "g", seen)) == [Seen("a", 1)]
    _put(writer, "a", 2)  # another process's write: the reader's cache cannot know of it
    assert reader.run(lambda tx: tx.find_derived("thing", "group", "g", seen)) == [Seen("a", 2)]
    _put(reader, "a", 1)  # the first bytes again: the first value is right again
    assert reader.run(lambda tx: tx.find_derived("thing", "group", "g", seen)) == [Seen("a", 1)]
    writer.run(lambda tx: tx.delete("thing", "a"))
    assert reader.run(lambda tx: tx.find_derived("thing", "group", "g", seen)) == []
