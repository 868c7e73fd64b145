"""The SQLite store's write and read path (issue 16, fourth pass): compressed bodies kept
inflated by their stored bytes (`BodyCache`, never stale, also with another store writing the
same file), a `put` after a `get` reusing the index entries the `get` read, new index values'
ids in one statement, and an in-memory state keeping its documents and events as JSON text.
The store-level ones run on PostgreSQL too with TRUNKLINE_TEST_POSTGRES."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import opened_stores
from trunkline.store import packing
from trunkline.store.api import Store, UnstorableText
from trunkline.store.sql import BodyCache
from trunkline.store.sqlite import SqliteStore


def _doc(name: str, size: int, group: str = "g") -> dict[str, Any]:
    return {"name": name, "size": size, "group": group, "padding": "x" * 600}  # large enough to compress


def _put(store: Store, name: str, size: int, group: str = "g") -> None:
    store.run(lambda tx: tx.put("thing", name, _doc(name, size, group), {"group": group, "size": str(size)}))


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    with opened_stores(tmp_path, 2) as (first, second):
        yield first, second


def test_a_document_rewritten_by_another_store_is_read_as_written(stores: tuple[Store, Store]) -> None:
    reader, writer = stores
    _put(reader, "a", 1)
    assert reader.run(lambda tx: tx.get("thing", "a")) == _doc("a", 1)  # now kept by its bytes
    _put(writer, "a", 2)  # another process's write: the reader's cache cannot know of it
    assert reader.run(lambda tx: tx.get("thing", "a")) == _doc("a", 2)
    assert reader.run(lambda tx: tx.find("thing", "group", "g")) == [_doc("a", 2)]
    assert reader.run(lambda tx: tx.scan("thing")) == [("a", _doc("a", 2))]
    _put(reader, "a", 1)  # the first bytes again
    assert reader.run(lambda tx: tx.get("thing", "a")) == _doc("a", 1)
    writer.run(lambda tx: tx.delete("thing", "a"))
    assert reader.run(lambda tx: tx.get("thing", "a")) is None


def test_documents_read_are_the_callers_own(stores: tuple[Store, Store]) -> None:
    """Two reads of the same stored bytes give two documents: changing one changes no other."""
    store, _ = stores
    _put(store, "a", 1)
    first = store.run(lambda tx: tx.get("thing", "a"))
    assert first is not None
    first["size"] = 99
    first["padding"] = "changed"
    assert store.run(lambda tx: tx.get("thing", "a")) == _doc("a", 1)


def test_a_save_after_a_read_in_one_transaction_keeps_the_index_exact(stores: tuple[Store, Store]) -> None:
    store, other = stores
    _put(store, "a", 1)
    _put(other, "b", 1)

    def work(tx: Any) -> None:
        doc = tx.get("thing", "a")
        tx.put("thing", "a", {**doc, "size": 2}, {"group": "h", "size": "2"})  # entries read by the get
        tx.put("thing", "a", {**doc, "size": 3}, {"group": "h", "size": "3"})  # entries it just wrote
        assert tx.get("thing", "b") is not None
        assert tx.delete("thing", "b")
        tx.put("thing", "b", _doc("b", 4), {"group": "g", "size": "4"})  # after its delete: none left

    store.run(work)
    for reader in stores:
        assert [d["name"] for d in reader.run(lambda tx: tx.find("thing", "group", "h"))] == ["a"]
        assert [d["name"] for d in reader.run(lambda tx: tx.find("thing", "group", "g"))] == ["b"]
        assert reader.run(lambda tx: tx.find_keys("thing", "size", "3")) == ["a"]
        assert reader.run(lambda tx: tx.find_keys("thing", "size", "4")) == ["b"]
        for gone in ("1", "2"):
            assert reader.run(lambda tx, v=gone: tx.find_keys("thing", "size", v)) == []


def test_many_new_index_values_in_one_save_and_their_removal(stores: tuple[Store, Store]) -> None:
    store, other = stores
    index = {f"f{n}": f"value-{n}" for n in range(30)}
    store.run(lambda tx: tx.put("thing", "a", _doc("a", 1), index))
    store.run(lambda tx: tx.put("thing", "b", _doc("b", 1), {**index, "f0": "value-b"}))
    assert other.run(lambda tx: tx.find_keys("thing", "f7", "value-7")) == ["a", "b"]
    assert other.run(lambda tx: tx.find_keys("thing", "f0", "value-b")) == ["b"]
    store.run(lambda tx: tx.put("thing", "a", _doc("a", 1), {"f7": "other"}))
    assert other.run(lambda tx: tx.find_keys("thing", "f7", "value-7")) == ["b"]
    assert other.run(lambda tx: tx.taken("thing", "f3", ["value-3", "value-x"])) == {"value-3"}
    other.run(lambda tx: tx.delete("thing", "b"))
    assert store.run(lambda tx: tx.taken("thing", "f3", ["value-3"])) == set()
    assert store.run(lambda tx: tx.find_keys("thing", "f7", "other")) == ["a"]


def test_a_nul_in_a_new_index_value_is_refused_and_changes_nothing(stores: tuple[Store, Store]) -> None:
    store, _ = stores
    _put(store, "a", 1)
    with pytest.raises(UnstorableText):
        store.run(lambda tx: tx.put("thing", "a", _doc("a", 2), {"group": "g", "other": "x\x00y"}))
    assert store.run(lambda tx: tx.get("thing", "a")) == _doc("a", 1)


def _statements(store: SqliteStore) -> list[str]:
    said: list[str] = []
    store._conn.set_trace_callback(said.append)
    return said


def test_a_save_after_a_read_asks_nothing_more_about_its_entries() -> None:
    store = SqliteStore(":memory:")
    try:
        _put(store, "a", 1)
        said = _statements(store)

        def work(tx: Any) -> None:
            doc = tx.get("thing", "a")
            tx.put("thing", "a", {**doc, "size": 2}, {"group": "g", "size": "2"})

        store.run(work)
        assert len([s for s in said if s.startswith("SELECT body, entries FROM documents")]) == 1  # the get's
        assert len([s for s in said if s.startswith("INSERT INTO meta")]) == 1  # one id for the new value
    finally:
        store.close()


def test_new_index_values_get_their_ids_in_one_statement() -> None:
    store = SqliteStore(":memory:")
    try:
        _put(store, "a", 1)
        said = _statements(store)
        store.run(lambda tx: tx.put("thing", "b", _doc("b", 1), {f"f{n}": f"new-{n}" for n in range(5)}))
        asked = [s for s in said if s.startswith("INSERT INTO meta")]
        assert len(asked) == 6  # five new fields, then the five new values at once
        assert store.run(lambda tx: tx.find_keys("thing", "f4", "new-4")) == ["b"]
    finally:
        store.close()


def _raw(store: SqliteStore, table: str) -> list[Any]:
    return [row[0] for row in store._conn.execute(f"SELECT body FROM {table}").fetchall()]


def test_an_in_memory_state_keeps_documents_and_events_as_text(tmp_path: Path) -> None:
    """Events too since session 5: compressing them was a tenth of RunTask's CPU in memory."""
    event = {"detail-type": "ECS Task State Change", "detail": {"padding": "y" * 900}}
    memory, on_disk = SqliteStore(":memory:"), SqliteStore(str(tmp_path / "state.sqlite3"))
    try:
        for store in (memory, on_disk):
            _put(store, "a", 1)
            store.run(lambda tx, s=store: tx.append_event(event, 1.0))
            assert store.run(lambda tx: tx.get("thing", "a")) == _doc("a", 1)
            assert store.run(lambda tx: tx.events_after(0, 10))[0].body == event
        assert [type(raw) for raw in _raw(memory, "documents")] == [str]
        assert [type(raw) for raw in _raw(on_disk, "documents")] == [bytes]
        assert [type(raw) for raw in _raw(memory, "events")] == [str]
        assert [type(raw) for raw in _raw(on_disk, "events")] == [bytes]  # a state file: compressed
    finally:
        memory.close()
        on_disk.close()


def test_the_body_cache_gives_the_json_of_the_stored_bytes_and_stays_bounded() -> None:
    cache = BodyCache(limit=4000)
    docs = [_doc(f"n{n}", n) for n in range(20)]
    raws = [cache.pack(doc, "document:thing") for doc in docs]
    assert all(isinstance(raw, bytes) for raw in raws)
    assert [cache.load(raw) for raw in raws] == docs
    assert [BodyCache().load(raw) for raw in raws] == docs  # a cache that never saw them inflates
    assert cache._held <= 4000
    assert packing.unpack(raws[0]) == docs[0]
    assert cache.load(packing.dump({"small": 1})) == {"small": 1}


def test_an_in_memory_state_keeps_its_derived_values_current() -> None:
    store = SqliteStore(":memory:")

    def size(doc: dict[str, Any]) -> int:
        return int(doc["size"])

    try:
        _put(store, "a", 1)
        assert store.run(lambda tx: tx.find_derived("thing", "group", "g", size)) == [1]
        _put(store, "a", 2)
        assert store.run(lambda tx: tx.find_derived("thing", "group", "g", size)) == [2]
    finally:
        store.close()


def test_a_migration_statement_forgets_the_entries_read(tmp_path: Path) -> None:
    """`execute` (migrations) may rewrite rows directly: a later save asks for the entries again."""
    store = SqliteStore(str(tmp_path / "state.sqlite3"))
    try:
        _put(store, "a", 1)

        def work(tx: Any) -> None:
            doc = tx.get("thing", "a")
            tx.execute("UPDATE documents SET entries = NULL WHERE kind = 'thing' AND key = 'x'")
            tx.put("thing", "a", doc, {"group": "g", "size": "1"})

        said = _statements(store)
        store.run(work)
        assert len([s for s in said if s.startswith("SELECT body, entries FROM documents")]) == 2
    finally:
        store.close()
    with sqlite3.connect(tmp_path / "state.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 1


def test_ecs_and_event_ids_are_random_version_4_uuids() -> None:
    import uuid

    from trunkline.domain import events, ids

    task_ids = {ids.ecs_id() for _ in range(200)}
    dashed = [{ids.attachment_id() for _ in range(200)}, {events.event_id() for _ in range(200)}]
    assert len(task_ids) == 200 and [len(made) for made in dashed] == [200, 200]
    for text in task_ids:
        parsed = uuid.UUID(hex=text)
        assert parsed.hex == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122
    for text in set().union(*dashed):
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_one_transaction_reads_a_document_once_and_sees_its_own_writes() -> None:
    store = SqliteStore(":memory:")
    try:
        _put(store, "a", 1)
        said = _statements(store)

        def work(tx: Any) -> None:
            assert tx.get("thing", "a") == _doc("a", 1)
            first = tx.get("thing", "a")
            first["size"] = 50  # the caller's own copy
            assert tx.get("thing", "a") == _doc("a", 1)
            tx.put("thing", "a", _doc("a", 2), {"group": "g"})
            assert tx.get("thing", "a") == _doc("a", 2)
            assert tx.get("thing", "b") is None
            tx.put("thing", "b", _doc("b", 3), {"group": "g"})
            assert tx.get("thing", "b") == _doc("b", 3)
            assert tx.delete("thing", "a")
            assert tx.get("thing", "a") is None
            assert not tx.delete("thing", "a")
            assert [d["name"] for d in tx.find("thing", "group", "g")] == ["b"]

        store.run(work)
        asked = [s for s in said if s.startswith("SELECT body, entries FROM documents")]
        assert len(asked) == 2  # "a" once, "b" once (found absent)
        assert store.run(lambda tx: tx.get("thing", "a")) is None
        assert store.run(lambda tx: tx.get("thing", "b")) == _doc("b", 3)
    finally:
        store.close()


def test_a_rolled_back_transaction_leaves_nothing_for_the_next(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "state.sqlite3"))
    try:
        _put(store, "a", 1)

        def failing(tx: Any) -> None:
            tx.put("thing", "a", _doc("a", 2), {"group": "h"})
            raise RuntimeError("refused")

        with pytest.raises(RuntimeError):
            store.run(failing)
        assert store.run(lambda tx: tx.get("thing", "a")) == _doc("a", 1)
        assert store.run(lambda tx: tx.find_keys("thing", "group", "g")) == ["a"]
        assert store.run(lambda tx: tx.find_keys("thing", "group", "h")) == []
    finally:
        store.close()


def test_a_save_of_many_entries_mixing_held_and_new_values_writes_them_together() -> None:
    """Session 5: the entries of one save go in together (the ids of the values held already in
    one read, their entries in one executemany), not an INSERT ... SELECT each."""
    store = SqliteStore(":memory:")
    try:
        held = {f"f{n}": f"shared-{n}" for n in range(6)}
        store.run(lambda tx: tx.put("thing", "a", _doc("a", 1), held))
        said = _statements(store)
        store.run(lambda tx: tx.put("thing", "b", _doc("b", 1), {**held, "f6": "own-b", "f7": "own-b"}))
        asked = [s for s in said if "index_entries" in s and "SELECT id, " in s]
        assert asked == []  # no INSERT ... SELECT per entry
        for n in range(6):
            assert store.run(lambda tx, n=n: tx.find_keys("thing", f"f{n}", f"shared-{n}")) == ["a", "b"]
        assert store.run(lambda tx: tx.find_keys("thing", "f7", "own-b")) == ["b"]
        store.run(lambda tx: tx.delete("thing", "a"))
        assert store.run(lambda tx: tx.find_keys("thing", "f3", "shared-3")) == ["b"]
        store.run(lambda tx: tx.put("thing", "b", _doc("b", 2), {"f3": "shared-3", "f8": "x"}))
        assert store.run(lambda tx: tx.taken("thing", "f0", ["shared-0"])) == set()  # its last entry gone
        assert store.run(lambda tx: tx.find_keys("thing", "f8", "x")) == ["b"]
    finally:
        store.close()


def test_a_created_key_is_written_without_asking_and_a_used_one_is_refused() -> None:
    """`created` (a fresh random id): its first save asks SQLite nothing about the key; a key that
    held a document after all fails that save (as on PostgreSQL) instead of keeping stale entries."""
    store = SqliteStore(":memory:")
    try:
        said = _statements(store)

        def fresh(tx: Any) -> None:
            tx.created("thing", "new")
            tx.put("thing", "new", _doc("new", 1), {"group": "g"})

        store.run(fresh)
        assert not [s for s in said if s.startswith("SELECT body, entries FROM documents")]
        assert store.run(lambda tx: tx.find_keys("thing", "group", "g")) == ["new"]

        def wrong(tx: Any) -> None:
            tx.created("thing", "new")
            tx.put("thing", "new", _doc("new", 2), {"group": "h"})

        with pytest.raises(sqlite3.IntegrityError):
            store.run(wrong)
        assert store.run(lambda tx: tx.get("thing", "new")) == _doc("new", 1)
        assert store.run(lambda tx: tx.find_keys("thing", "group", "g")) == ["new"]
    finally:
        store.close()


def test_a_transaction_asks_a_question_once_and_hears_its_own_writes() -> None:
    """Session 5: SQLite keeps a transaction's answers to index and document reads; a `put` or
    `delete` of the kind forgets them, so a read after a write of the kind asks again."""
    store = SqliteStore(":memory:")
    try:
        _put(store, "a", 1)
        said = _statements(store)

        def work(tx: Any) -> None:
            assert tx.find_keys("thing", "group", "g") == ["a"]
            assert tx.find_keys("thing", "group", "g") == ["a"]
            assert tx.count("thing", "group", "g") == 1
            assert tx.find("other", "group", "g") == []
            tx.put("other", "x", _doc("x", 1), {"group": "g"})  # another kind: the thing's answers stay
            assert tx.find_keys("thing", "group", "g") == ["a"]
            asked = [s for s in said if "index_entries" in s and s.startswith("SELECT i.key")]
            assert len(asked) == 1
            tx.put("thing", "b", _doc("b", 1), {"group": "g"})
            assert tx.find_keys("thing", "group", "g") == ["a", "b"]
            assert tx.count("thing", "group", "g") == 2
            assert [d["name"] for d in tx.find("thing", "group", "g")] == ["a", "b"]
            assert tx.delete("thing", "a")
            assert tx.find_keys("thing", "group", "g") == ["b"]
            assert tx.find_derived("thing", "group", "g", lambda d: d["size"]) == [1]
            tx.put("thing", "b", _doc("b", 5), {"group": "g"})
            assert tx.find_derived("thing", "group", "g", lambda d: d["size"]) == [5]
            assert tx.find("other", "group", "g") == [_doc("x", 1)]

        store.run(work)
        assert store.run(lambda tx: tx.find_keys("thing", "group", "g")) == ["b"]
    finally:
        store.close()


def test_a_save_of_an_unread_key_asks_nothing_first_and_replaces_what_it_holds() -> None:
    """Session 8: a document the transaction has not read is inserted without a read of its key
    (most are new: an ENI, its links); when the key does hold one, that save replaces it and its
    index entries exactly as a save after a read does."""
    store = SqliteStore(":memory:")
    try:
        said = _statements(store)
        _put(store, "new", 1, "g")
        assert not [s for s in said if s.startswith("SELECT body, entries FROM documents")]
        _put(store, "new", 2, "h")  # held a document: replaced, its old entries gone
        assert store.run(lambda tx: tx.get("thing", "new")) == _doc("new", 2, "h")
        assert store.run(lambda tx: tx.find_keys("thing", "group", "g")) == []
        assert store.run(lambda tx: tx.find_keys("thing", "group", "h")) == ["new"]
        assert store.run(lambda tx: tx.find_keys("thing", "size", "1")) == []
        assert store.run(lambda tx: tx.find_keys("thing", "size", "2")) == ["new"]
        assert store.run(lambda tx: tx.count("thing", "group", "g")) == 0
    finally:
        store.close()


def test_an_in_memory_state_keeps_job_payloads_as_text(tmp_path: Path) -> None:
    """Session 8: every task step schedules its next step and claims it back; compressing and
    inflating the payloads was ~2.5 % of a RunTask with its lifecycle in memory."""
    payload = {"key": "k" * 300, "version": 3}  # above the size `pack` compresses
    memory, on_disk = SqliteStore(":memory:"), SqliteStore(str(tmp_path / "state.sqlite3"))
    try:
        for store in (memory, on_disk):
            store.run(lambda tx: tx.schedule(5.0, "step", payload))
            assert [(job.name, job.payload) for job in store.run(lambda tx: tx.due_jobs(5.0, 10))] == [
                ("step", payload)
            ]
        raw = [row[0] for row in memory._conn.execute("SELECT payload FROM jobs").fetchall()]
        assert [type(r) for r in raw] == [str]
        raw = [row[0] for row in on_disk._conn.execute("SELECT payload FROM jobs").fetchall()]
        assert [type(r) for r in raw] == [bytes]  # a state file: compressed
    finally:
        memory.close()
        on_disk.close()
