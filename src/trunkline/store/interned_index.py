"""SQLite's index entries with their values interned (schema v11; docs/design.md, "Growth").

An index entry is (kind, field, value, key). Most values repeat across thousands of entries: a
task's `instance` and `cluster_status` values are the instance's and the cluster's ARNs, written
again for every task. SQLite keeps each distinct (kind, field, value) once, in `index_values`,
under a small integer id, and the entries as (id, key) in `index_entries`; together they are
half the bytes of the table of whole entries they replace.

Lookups stay exact: a value is found by its whole (kind, field, value), scope prefix included
(`store/scope.py`), so an id never stands for two values, nor for one account's or region's value
in another. Readers see the same entries in the same order (by key for one value, by value then
key for a range). A value whose last entry goes is deleted with it, so the table holds only live
values. Ids come from a counter in `meta`, never reused within a state.

PostgreSQL keeps the plain `doc_index` table (its heap tables repeat a row's header anyway).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trunkline.store.api import Document
from trunkline.store.sql import _CHUNK, SqlTransaction, _chunks, _has_nul, paged

_LAST_ID = "index_values.last_id"

# The entries of one value, as `doc_index` answered them: `v` is the value, `i` its entries.
_FROM = "index_fields f JOIN index_values v ON v.fid = f.id JOIN index_entries i ON i.vid = v.id"
_WITH_BODY = " JOIN documents d ON d.kind = f.kind AND d.key = i.key"


class InternedIndexTransaction(SqlTransaction):
    """`SqlTransaction` over interned index entries (SQLite, schema v11 and later)."""

    # The same digest as over `doc_index`: the entries as whole rows, in the same order.
    _INDEX_ROWS = f"SELECT f.kind, f.field, v.value, i.key FROM {_FROM} ORDER BY f.kind, f.field, v.value, i.key"
    _TABLES = ("documents", "index_entries", "index_values", "index_fields", "counters", "jobs", "events")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (kind, field) -> id, for this transaction only: a field's row is never deleted, but one
        # this transaction made is gone if it rolls back, and the object goes with it.
        self._field_ids: dict[tuple[str, str], int] = {}

    def _new_id(self) -> int:
        return self._new_ids(1)

    def _new_ids(self, count: int) -> int:
        """The first of `count` new consecutive ids (one statement however many)."""
        row = self._q(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key)"
            " DO UPDATE SET value = CAST(meta.value AS INTEGER) + ? RETURNING value",
            (_LAST_ID, str(count), count),
        ).fetchone()
        return int(row[0]) - count + 1

    def _field_ids_of(self, kind: str, fields: Sequence[str], create: bool) -> dict[str, int]:
        """The ids of one kind's fields (those that exist, or all of them with `create`): the ones
        this transaction has not met yet asked in one statement, not one each."""
        known = self._field_ids
        found = {field: known[(kind, field)] for field in fields if (kind, field) in known}
        asked = [field for field in fields if field not in found]
        if not asked:
            return found
        for chunk in _chunks(asked, _CHUNK):
            marks = ", ".join("?" for _ in chunk)
            sql = f"SELECT field, id FROM index_fields WHERE kind = ? AND field IN ({marks})"
            for field, fid in self._q(sql, (kind, *chunk)).fetchall():
                found[field] = known[(kind, field)] = int(fid)
        for field in asked:
            if field not in found and create:
                fid = self._new_id()
                self._q("INSERT INTO index_fields (kind, field, id) VALUES (?, ?, ?)", (kind, field, fid))
                found[field] = known[(kind, field)] = fid
        return found

    def _value_ids(self, pairs: Sequence[tuple[int, str]]) -> dict[tuple[int, str], int]:
        """The ids of the (field id, value) pairs an entry holds already, in one statement per
        chunk: the wanted pairs as a list of constant rows, each looked up by the primary key
        (CROSS JOIN keeps that order: the constant rows outside, never a scan of the values)."""
        found: dict[tuple[int, str], int] = {}
        for chunk in _chunks(pairs, _CHUNK):
            rows = ", ".join("(?, ?)" for _ in chunk)
            sql = (
                f"SELECT v.fid, v.value, v.id FROM (VALUES {rows}) w CROSS JOIN index_values v"
                " ON v.fid = w.column1 AND v.value = w.column2"
            )
            params = [item for pair in chunk for item in pair]
            for fid, value, vid in self._q(sql, params).fetchall():
                found[(int(fid), value)] = int(vid)
        return found

    def _insert_entries(self, kind: str, key: str, entries: list[tuple[str, str]]) -> None:
        if not entries:
            return
        fids = self._field_ids_of(kind, [field for field, _ in entries], create=True)
        pairs = [(fids[field], value) for field, value in entries]
        if len(pairs) == 1:  # one entry (a host's placement field): one statement, as it always was
            fid, value = pairs[0]
            added = self._q(
                "INSERT INTO index_entries (vid, key) SELECT id, ? FROM index_values WHERE fid = ? AND value = ?",
                (key, fid, value),
            ).rowcount
            if not added:
                self._insert_new_values(key, pairs)
            return
        # Several (a new task's, an ENI's): the ids of the values already held in one read, every
        # entry of them in one statement, rather than an INSERT ... SELECT per entry.
        ids = self._value_ids(pairs)
        new = [pair for pair in pairs if pair not in ids]
        held = [(ids[pair], key) for pair in pairs if pair in ids]
        if held:
            self._many("INSERT INTO index_entries (vid, key) VALUES (?, ?)", held)
        if new:
            self._insert_new_values(key, new)

    def _insert_new_values(self, key: str, new: list[tuple[int, str]]) -> None:
        """Values no entry holds yet (a new task's ARN, its ENI's): their ids in one go, rows in two."""
        first = self._new_ids(len(new))
        values = [(fid, value, first + n) for n, (fid, value) in enumerate(new)]
        self._many("INSERT INTO index_values (fid, value, id) VALUES (?, ?, ?)", values)
        self._many("INSERT INTO index_entries (vid, key) VALUES (?, ?)", [(vid, key) for _, _, vid in values])

    def _drop_entries(self, kind: str, key: str, entries: list[tuple[str, str]]) -> None:
        if not entries:
            return
        fids = self._field_ids_of(kind, [field for field, _ in entries], create=False)
        gone = [(fids[field], value) for field, value in entries if field in fids]
        if not gone:
            return
        self._many(
            "DELETE FROM index_entries WHERE key = ? AND vid = (SELECT id FROM index_values WHERE fid = ? AND value = ?)",
            [(key, fid, value) for fid, value in gone],
        )
        self._many(  # a value goes with its last entry
            "DELETE FROM index_values WHERE fid = ? AND value = ?"
            " AND NOT EXISTS (SELECT 1 FROM index_entries WHERE vid = index_values.id)",
            gone,
        )

    @staticmethod
    def _index_query(
        column: str, kind: str, field: str, value: str, after: str | None, limit: int | None
    ) -> tuple[str, list[Any]]:
        sql = f"SELECT {column} FROM {_FROM}"
        if column.startswith("d."):
            sql += _WITH_BODY
        sql += " WHERE f.kind = ? AND f.field = ? AND v.value = ?"
        cursor = None if after is None else [after]
        return paged(sql, [kind, field, value], "i.key > ?", cursor, "i.key", limit)

    def find_from(
        self, kind: str, field: str, lowest: str, after: tuple[str, str] | None = None, limit: int | None = None
    ) -> list[tuple[str, str, Document]]:
        sql = (
            f"SELECT v.value, i.key, d.body FROM {_FROM}{_WITH_BODY} WHERE f.kind = ? AND f.field = ? AND v.value >= ?"
        )
        cursor = None if after is None else [after[0], after[0], after[1]]
        beyond = "(v.value > ? OR (v.value = ? AND i.key > ?))"
        sql, params = paged(sql, [kind, field, lowest], beyond, cursor, "v.value, i.key", limit)
        return [(row[0], row[1], self._load_document(row[2])) for row in self._read(kind, sql, params).fetchall()]

    def count(self, kind: str, field: str, value: str) -> int:
        if _has_nul(value):
            return 0
        sql = f"SELECT COUNT(*) FROM {_FROM} WHERE f.kind = ? AND f.field = ? AND v.value = ?"
        return int(self._read(kind, sql, (kind, field, value)).fetchone()[0])

    def counts(self, kind: str, field: str, values: Sequence[str]) -> dict[str, int]:
        asked = [value for value in dict.fromkeys(values) if not _has_nul(value)]
        found: dict[str, int] = {}
        for start in range(0, len(asked), _CHUNK):
            chunk = asked[start : start + _CHUNK]
            marks = ", ".join("?" for _ in chunk)
            sql = (
                f"SELECT v.value, COUNT(*) FROM {_FROM} WHERE f.kind = ? AND f.field = ?"
                f" AND v.value IN ({marks}) GROUP BY v.value"
            )
            found.update((row[0], int(row[1])) for row in self._read(kind, sql, (kind, field, *chunk)).fetchall())
        return found

    def taken(self, kind: str, field: str, values: Sequence[str]) -> set[str]:
        """A value is held while it has an entry (the last entry's removal deletes it)."""
        asked = [value for value in dict.fromkeys(values) if not _has_nul(value)]
        found: set[str] = set()
        for start in range(0, len(asked), _CHUNK):
            chunk = asked[start : start + _CHUNK]
            marks = ", ".join("?" for _ in chunk)
            sql = f"SELECT DISTINCT v.value FROM {_FROM} WHERE f.kind = ? AND f.field = ? AND v.value IN ({marks})"
            found.update(row[0] for row in self._read(kind, sql, (kind, field, *chunk)).fetchall())
        return found


def intern_index_values(tx: SqlTransaction) -> None:
    """Schema v11 (SQLite): `doc_index` becomes `index_values` and `index_entries`. Checks what is
    there first, so a state that has it already is left as it is."""
    tables = {row[0] for row in tx.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
    for statement in _TABLES:
        tx.execute(statement)
    if "doc_index" not in tables:
        return
    tx.execute(
        "INSERT INTO index_fields (kind, field, id) SELECT kind, field, ROW_NUMBER() OVER (ORDER BY kind, field)"
        " FROM (SELECT DISTINCT kind, field FROM doc_index)"
    )
    fields = int(tx.execute("SELECT COUNT(*) FROM index_fields").fetchone()[0])
    tx.execute(
        "INSERT INTO index_values (fid, value, id) SELECT fid, value, ? + ROW_NUMBER() OVER (ORDER BY fid, value)"
        " FROM (SELECT DISTINCT f.id AS fid, i.value AS value FROM doc_index i"
        " JOIN index_fields f ON f.kind = i.kind AND f.field = i.field)",
        (fields,),
    )
    tx.execute(
        "INSERT INTO index_entries (vid, key) SELECT v.id, i.key FROM doc_index i"
        " JOIN index_fields f ON f.kind = i.kind AND f.field = i.field"
        " JOIN index_values v ON v.fid = f.id AND v.value = i.value"
    )
    last = tx.execute("SELECT COALESCE(MAX(id), 0) FROM index_values").fetchone()[0] or fields
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (_LAST_ID, str(last)),
    )
    tx.execute("DROP TABLE doc_index")


_TABLES = (
    "CREATE TABLE IF NOT EXISTS index_fields (kind TEXT NOT NULL, field TEXT NOT NULL, id INTEGER NOT NULL,"
    " PRIMARY KEY (kind, field)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS index_values (fid INTEGER NOT NULL, value TEXT NOT NULL, id INTEGER NOT NULL,"
    " PRIMARY KEY (fid, value)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS index_entries (vid INTEGER NOT NULL, key TEXT NOT NULL,"
    " PRIMARY KEY (vid, key)) WITHOUT ROWID",
)
