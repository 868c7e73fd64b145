"""`Transaction.created` (issue 16): a hint that nothing is stored under a new key. The work then
answers and commits exactly as without it, whatever follows (a second save, a delete, writes sent
early); on PostgreSQL the document's first write is a plain insert with no by-key replacement of
its entries. Bodies PostgreSQL compresses are compressed with lz4 where the server has it. Runs on
PostgreSQL too with TRUNKLINE_TEST_POSTGRES."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from conftest import opened_store
from trunkline.store.api import Store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with opened_store(tmp_path_factory.mktemp("created")) as opened:
        opened.run(lambda tx: tx.put("box", "old", {"n": 0}, {"f": "a", "g": "z"}))
        yield opened


def _state(tx: Any) -> list[Any]:
    keys = ("new1", "new2", "new3", "old")
    return [
        [tx.get("box", key) for key in keys],
        [tx.find_keys("box", field, value) for field, value in (("f", "a"), ("f", "b"), ("g", "z"), ("g", "y"))],
    ]


def _work(hint: bool) -> Callable[[Any], list[Any]]:
    def run(tx: Any) -> list[Any]:
        if hint:
            for key in ("new1", "new2", "new3"):
                tx.created("box", key)
        seen = [tx.get("box", "new1")]
        tx.put("box", "new1", {"n": 1}, {"f": "a", "g": "y"})
        tx.put("box", "new2", {"n": 2}, {"f": "b"})
        tx.put("box", "new3", {"n": 3}, {"f": "a"})
        seen.append(tx.find_keys("box", "f", "a"))
        tx.send_writes()
        tx.put("box", "new1", {"n": 11}, {"f": "b"})  # saved again after it was sent: an upsert now
        tx.delete("box", "new3")
        tx.put("box", "old", {"n": 10}, {"f": "b", "g": "z"})
        return [*seen, _state(tx)]

    return run


def _cleanup(tx: Any) -> None:
    for key in ("new1", "new2", "new3"):
        tx.delete("box", key)
    tx.put("box", "old", {"n": 0}, {"f": "a", "g": "z"})


def test_a_hinted_document_reads_and_commits_as_without_the_hint(store: Store) -> None:
    expected = [
        None,
        ["new1", "new3", "old"],
        [[{"n": 11}, {"n": 2}, None, {"n": 10}], [[], ["new1", "new2", "old"], ["old"], []]],
    ]
    for hint in (False, True):
        assert store.run(_work(hint)) == expected
        assert store.run(_state) == expected[2]
        store.run(_cleanup)


def test_a_hinted_key_read_before_is_written_as_usual(store: Store) -> None:
    """A key the transaction already looked at is not taken on the hint's word."""

    def work(tx: Any) -> None:
        assert tx.get("box", "old") == {"n": 0}
        tx.created("box", "old")
        tx.put("box", "old", {"n": 5}, {"f": "a"})

    store.run(work)
    assert store.run(lambda tx: [tx.get("box", "old"), tx.find_keys("box", "g", "z")]) == [{"n": 5}, []]
    store.run(_cleanup)


def test_created_then_deleted_before_sending_leaves_nothing(store: Store) -> None:
    def work(tx: Any) -> list[Any]:
        tx.created("box", "new1")
        assert tx.get("box", "new1") is None
        tx.put("box", "new1", {"n": 1}, {"f": "a"})
        assert tx.delete("box", "new1")
        return [tx.get("box", "new1"), tx.find_keys("box", "f", "a")]

    assert store.run(work) == [None, ["old"]]
    assert store.run(lambda tx: [tx.get("box", "new1"), tx.find_keys("box", "f", "a")]) == [None, ["old"]]


def test_postgresql_inserts_a_hinted_document_without_replacing_entries_by_key(store: Store) -> None:
    sent: list[dict[str, Any]] = []

    def work(tx: Any) -> None:
        if not hasattr(tx, "_pipeline"):
            pytest.skip("SQLite: the hint changes nothing")
        original = tx._send

        def recording(sql: str, params: Any) -> None:
            sent.append(json.loads(params[0]))
            original(sql, params)

        tx._send = recording
        tx.created("box", "new1")
        tx.put("box", "new1", {"n": 1}, {"f": "a"})
        tx.put("box", "new2", {"n": 2}, {"f": "a"})  # not hinted: its entries replaced by key

    store.run(work)
    try:
        (rows,) = sent
        assert rows["inserted"] == [["box", "new1", '{"n":1}', {"f": "a"}]]
        assert rows["fresh"] == [["box", "new1", "f", "a"]]
        assert rows["by_key"] == [["box", "new2"]] and [row[1] for row in rows["saved"]] == ["new2"]
        assert store.run(lambda tx: tx.find_keys("box", "f", "a")) == ["new1", "new2", "old"]
    finally:
        store.run(_cleanup)


def test_postgresql_compresses_large_bodies_with_lz4_and_compiles_nothing(store: Store) -> None:
    def work(tx: Any) -> Any:
        if not hasattr(tx, "_pipeline"):
            pytest.skip("SQLite compresses bodies itself (zlib)")
        assert tx.execute("SHOW jit").fetchone() == ("off",)  # the writing session's settings
        available = tx.execute(
            "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)"
        ).fetchone()
        if available is None:
            pytest.skip("this PostgreSQL has no lz4: bodies keep pglz")
        tx.put("box", "big", {"text": "trunk " * 2000}, {})
        tx.send_writes()
        return tx.execute(
            "SELECT pg_column_compression(body) FROM documents WHERE kind = 'box' AND key = 'big'"
        ).fetchone()

    try:
        assert store.run(work) == ("lz4",)
        assert store.run(lambda tx: tx.get("box", "big")) == {"text": "trunk " * 2000}
    finally:
        store.run(lambda tx: tx.delete("box", "big"))


def test_a_save_without_reading_replaces_the_entries_its_row_lists(store: Store) -> None:
    """PostgreSQL (schema v13, no by-key index): a document saved by a transaction that never read
    it has its entries replaced through the ones its row lists; those it keeps stay."""
    store.run(lambda tx: tx.put("box", "blind", {"n": 1}, {"f": "a", "g": "y", "h": "q"}))
    store.run(lambda tx: tx.put("box", "blind", {"n": 2}, {"f": "b", "g": "y"}))
    found = store.run(
        lambda tx: [tx.find_keys("box", f, v) for f, v in (("f", "a"), ("f", "b"), ("g", "y"), ("h", "q"))]
    )
    store.run(lambda tx: tx.delete("box", "blind"))
    assert found == [["old"], ["blind"], ["blind"], []]


def test_the_migration_lists_every_documents_entries_from_the_index(store: Store) -> None:
    """Schema v13 (PostgreSQL): rows written before v12 list no entries; the migration lists them
    from the index, so a later save that never read the row still replaces them."""
    from trunkline.store.schema import POSTGRES_MIGRATIONS

    def unlisted(tx: Any) -> None:
        if not hasattr(tx, "_pipeline"):
            pytest.skip("SQLite lists entries since schema v9")
        tx.put("box", "legacy", {"n": 1}, {"f": "a", "g": "x"})
        tx.send_writes()
        tx.execute("UPDATE documents SET entries = NULL WHERE kind = 'box' AND key = 'legacy'")
        for step in POSTGRES_MIGRATIONS[12]:
            assert callable(step)
            step(tx)
        assert tx.execute("SELECT to_regclass('doc_index_by_key')").fetchone() == (None,)  # dropped

    store.run(unlisted)
    try:
        store.run(lambda tx: tx.put("box", "legacy", {"n": 2}, {"f": "c"}))
        assert store.run(lambda tx: [tx.find_keys("box", "f", "a"), tx.find_keys("box", "g", "x")]) == [["old"], []]
        assert store.run(lambda tx: tx.find_keys("box", "f", "c")) == ["legacy"]
    finally:
        store.run(lambda tx: tx.delete("box", "legacy"))
