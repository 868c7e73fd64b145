"""The SQL behind `Transaction`, shared by SQLite and PostgreSQL; dialects differ only in the
placeholders, DDL and the row-locking clause, all given by `Dialect`."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

from trunkline.store.api import Document, Job, StoredEvent, UnstorableText
from trunkline.store.packing import decode, dump, inflate, pack, pack_text, unpack

#: One step of a migration: an SQL statement, or a function rewriting data through the transaction
#: (`SqlTransaction.execute`), for changes SQL alone cannot say portably (re-keying documents).
Step: TypeAlias = "str | Callable[[SqlTransaction], None]"


@dataclass(frozen=True)
class Dialect:
    name: str
    placeholder: str  # "?" or "%s"
    skip_locked: str  # appended to the due-job query
    migrations: Sequence[Sequence[Step]]  # migrations[n] takes the schema from version n to n + 1
    compress: bool = False  # store large JSON bodies zlib-compressed (a BLOB; SQLite's columns take either)
    entries_in_document: bool = False  # documents.entries lists each row's index entries (schema v6, SQLite)
    # Documents and their entry lists as JSON text even when `compress` is on (events and jobs
    # still compressed): an in-memory SQLite state trades RAM for CPU (docs/design.md, "Growth").
    plain_documents: bool = False
    # Events as JSON text even when `compress` is on (see `plain_documents`).
    plain_events: bool = False
    # Job payloads as JSON text even when `compress` is on: every task step schedules the next
    # (a ~250-byte payload, just over the size `pack` compresses) and claims it back.
    plain_jobs: bool = False


_TRIMMED_META = "events.trimmed_through"
# An index entry's document, looked up by its key for each entry the index gives: never a join the
# planner may turn into a scan of the kind's documents. On PostgreSQL a scan would make a
# SERIALIZABLE read of one cluster's instances lock every instance of every cluster, and each
# change to any of them would conflict with it (docs/design.md). Entries and their documents are
# written and deleted together, so the body is never missing.
_BODY = "(SELECT d.body FROM documents d WHERE d.kind = i.kind AND d.key = i.key)"
_CHUNK = 200  # index entries per statement: 800 parameters, under SQLite's oldest limit (999)
T = TypeVar("T")


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _has_nul(*values: object) -> bool:
    return _any_nul(values)


def _any_nul(values: Sequence[object]) -> bool:
    # A plain loop: every statement's parameters pass here, and a generator costs more than the
    # check itself on the few short parameters most statements have.
    for value in values:  # noqa: SIM110 (any() over a generator: 450 ns against 170 for four values)
        if isinstance(value, str) and "\x00" in value:
            return True
    return False


def _before_nul(after: str | None) -> str | None:
    """A cursor holding NUL, as one that selects the same stored keys: no stored key holds NUL, so
    the keys after `a\\0...` are exactly the keys after `a`."""
    return after.split("\x00", 1)[0] if after is not None else None


def paged(
    sql: str, params: list[Any], after: str, after_params: Sequence[Any] | None, order: str, limit: int | None
) -> tuple[str, list[Any]]:
    """`sql` (ending in a WHERE clause) narrowed to the rows after a cursor when there is one
    (`after`, with its parameters), in `order`, at most `limit` of them."""
    if after_params is not None:
        sql += f" AND {after}"
        params = [*params, *after_params]
    sql += f" ORDER BY {order}"
    if limit is not None:
        sql += " LIMIT ?"
        params = [*params, limit]
    return sql, params


def _dump(doc: Document, purpose: str | None = None) -> str:
    return dump(doc)


_load = unpack


class EntriesCache:
    """Decoded index-entry lists by their stored bytes, for one store (SQLite's `entries`).

    A container instance lists ~180 entries (18 KB of JSON) and is saved on every task it starts
    or stops; decoding them again on each save was a tenth of RunTask. Keyed by the stored bytes,
    an entry can never be stale (other bytes, another key), even with other processes writing;
    the store only reads the lists, never changes them. Bounded: cleared when full."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._items: dict[bytes | str, dict[str, str]] = {}

    def get(self, raw: bytes | str) -> dict[str, str]:
        found = self._items.get(raw)
        if found is None:
            found = dict(_load(raw))
            self.keep(raw, found)
        return found

    def keep(self, raw: bytes | str, entries: dict[str, str]) -> None:
        if len(self._items) >= self._size:
            self._items.clear()
        self._items[raw] = entries


class BodyCache:
    """The JSON of compressed document bodies by their stored bytes, for one store (SQLite's).

    A request reads back what an earlier one (or itself) just wrote: each lifecycle step of a
    task reads the task and its host, saved moments before. Inflating a body was two thirds of
    reading it (~11 of ~16 us for a container instance); kept by the stored bytes, the JSON is
    only decoded. Never stale, even with another process writing: other bytes, another key.
    Writes keep what they compressed, reads what they inflated. Bounded by the bytes it holds:
    cleared when full."""

    def __init__(self, limit: int = 16 << 20) -> None:
        self._limit = limit
        self._held = 0
        self._items: dict[bytes, bytes] = {}

    def load(self, raw: bytes | str) -> Any:
        if isinstance(raw, str):
            return decode(raw)
        text = self._items.get(raw)
        if text is None:
            text = inflate(raw)
            self._keep(raw, text)
        return decode(text)

    def pack(self, doc: Document, purpose: str | None = None) -> bytes | str:
        raw, text = pack_text(doc, purpose)
        if isinstance(raw, bytes):
            self._keep(raw, text)
        return raw

    def _keep(self, raw: bytes, text: bytes) -> None:
        size = len(raw) + len(text)
        if self._held + size > self._limit:
            self._items.clear()
            self._held = 0
        self._items[raw] = text
        self._held += size


class DerivedCache:
    """What a `find_derived` function gave for a document, by the function and the document's
    stored bytes, for one store. RunTask reads every candidate container instance (7 KB of JSON
    each, a hundred per call) for a picture of a few numbers: decoding them was a third of its
    time. Keyed by the stored bytes, an entry is never stale, even with other processes writing
    (a changed document has other bytes). Bounded: cleared when full."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._items: dict[tuple[Callable[[Document], Any], bytes | str], Any] = {}

    def get(self, derive: Callable[[Document], T], raw: bytes | str, load: Callable[[Any], Any] = unpack) -> T:
        key = (derive, raw)
        found = self._items.get(key, _MISSING)
        if found is _MISSING:
            found = derive(load(raw))
            if len(self._items) >= self._size:
                self._items.clear()
            self._items[key] = found
        return found


_MISSING = object()


class SqlTransaction:
    #: The index entries as (kind, field, value, key) rows in that order, for the digest.
    _INDEX_ROWS = "SELECT kind, field, value, key FROM doc_index ORDER BY kind, field, value, key"
    #: Every table a state keeps (`clear` empties them).
    _TABLES: tuple[str, ...] = ("documents", "doc_index", "counters", "jobs", "events")

    _UPSERT = " ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body, entries = excluded.entries"

    def __init__(
        self,
        cursor: Any,
        dialect: Dialect,
        entries_cache: EntriesCache | None = None,
        derived_cache: DerivedCache | None = None,
        body_cache: BodyCache | None = None,
        owner: str | None = None,
    ) -> None:
        self._cur = cursor
        self._dialect = dialect
        # The store's id on a shared PostgreSQL (its jobs are marked with it, `due_jobs` prefers
        # them); None where one process writes the state (SQLite): every job is its own.
        self._owner = owner
        self._entries_cache = entries_cache or EntriesCache()
        self._derived_cache = derived_cache or DerivedCache()
        self._body = pack if dialect.compress else _dump
        self._event_body: Callable[[Document, str], bytes | str] = _dump if dialect.plain_events else self._body
        self._job_body: Callable[[Document], bytes | str] = _dump if dialect.plain_jobs else self._body
        # Document bodies go through the store's BodyCache when it compresses them.
        bodies = body_cache or BodyCache()
        packs = dialect.compress and not dialect.plain_documents
        self._document_body: Callable[[Document, str], bytes | str] = bodies.pack if packs else _dump
        self._entries_body: Callable[[Document, str], bytes | str] = pack if packs else _dump
        self._load_document: Callable[[Any], Any] = bodies.load if dialect.compress else _load
        # SQLite: the stored row (body, entries) of each document this transaction has read or
        # written, None for one it found absent or deleted. A RunTask reads the same ENIs, subnet,
        # task definition and hosts several times (~40 of its ~150 reads), and saves what it has
        # just read. Only this transaction writes while it is open (BEGIN IMMEDIATE; a read
        # transaction is a snapshot), so a row changes only through its own `put` and `delete`,
        # which keep this current; `execute` (migrations write rows directly) forgets it all.
        self._rows: dict[tuple[str, str], tuple[bytes | str, bytes | str | None] | None] = {}

    def _q(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if self._dialect.placeholder != "?":
            sql = sql.replace("?", self._dialect.placeholder)
        if _any_nul(params):  # the last guard: no NUL reaches SQL (lookups check before this)
            raise UnstorableText("a key or indexed value holds the NUL character")
        self._cur.execute(sql, tuple(params))
        return self._cur

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """One statement over many rows (`?` placeholders), under `_q`'s guard."""
        if self._dialect.placeholder != "?":
            sql = sql.replace("?", self._dialect.placeholder)
        if any(_any_nul(row) for row in rows):
            raise UnstorableText("a key or indexed value holds the NUL character")
        self._cur.executemany(sql, rows)

    def _read(self, kind: str, sql: str, params: Sequence[Any]) -> Any:
        """A query of one kind's documents or index (PostgreSQL sends only the writes it must first)."""
        return self._q(sql, params)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement (`?` placeholders) and return the cursor: for migrations only."""
        self._rows.clear()
        return self._q(sql, params)

    def get(self, kind: str, key: str) -> Document | None:
        if _has_nul(key):
            return None
        if self._dialect.entries_in_document:  # the entries too, for a `put` that may follow
            found = self._row(kind, key)
            return None if found is None else self._load_document(found[0])
        row = self._q("SELECT body FROM documents WHERE kind = ? AND key = ?", (kind, key)).fetchone()
        return self._load_document(row[0]) if row else None

    def put(self, kind: str, key: str, doc: Document, index: Mapping[str, str | None] | None = None) -> None:
        # Rewrite only the index entries that changed: a container instance has dozens (one per
        # attribute) and most saves change one or two of them.
        wanted = {field: value for field, value in (index or {}).items() if value is not None}
        if self._dialect.entries_in_document:
            self._put_with_entries(kind, key, doc, wanted)
            return
        self._q(
            "INSERT INTO documents (kind, key, body) VALUES (?, ?, ?) "
            "ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body",
            (kind, key, self._document_body(doc, f"document:{kind}")),
        )
        # Each statement is a round trip to PostgreSQL, so the changes go in one DELETE and one
        # INSERT (in chunks, within SQLite's limit on parameters).
        rows = self._q("SELECT field, value FROM doc_index WHERE kind = ? AND key = ?", (kind, key)).fetchall()
        stale = [field for field, value in rows if wanted.get(field) != value]
        for field, value in rows:
            if wanted.get(field) == value:
                del wanted[field]
        for chunk in _chunks(stale, _CHUNK):
            marks = ", ".join("?" for _ in chunk)
            self._q(f"DELETE FROM doc_index WHERE kind = ? AND key = ? AND field IN ({marks})", (kind, key, *chunk))
        self._insert_entries(kind, key, list(wanted.items()))

    def _insert_entries(self, kind: str, key: str, entries: list[tuple[str, str]]) -> None:
        for chunk in _chunks(entries, _CHUNK):
            rows_sql = ", ".join("(?, ?, ?, ?)" for _ in chunk)
            params = [item for field, value in chunk for item in (kind, field, value, key)]
            self._q(f"INSERT INTO doc_index (kind, field, value, key) VALUES {rows_sql}", params)

    def _row(self, kind: str, key: str) -> tuple[bytes | str, bytes | str | None] | None:
        """SQLite: a document's stored (body, entries), or None when there is none."""
        if (kind, key) in self._rows:
            return self._rows[(kind, key)]
        found = self._q("SELECT body, entries FROM documents WHERE kind = ? AND key = ?", (kind, key)).fetchone()
        row = None if found is None else (found[0], found[1])
        self._rows[(kind, key)] = row
        return row

    def _entries(self, kind: str, key: str) -> tuple[bytes | str | None, dict[str, str]] | None:
        """SQLite: a document's index entries as its own row keeps them, stored and decoded (read
        only: they may be shared through the cache); None when there is no document."""
        row = self._row(kind, key)
        if row is None:
            return None
        stored = row[1]
        return (stored, self._entries_cache.get(stored)) if stored else (None, {})

    def _drop_entries(self, kind: str, key: str, entries: list[tuple[str, str]]) -> None:
        for field, value in entries:  # by the whole primary key: SQLite keeps no by-key index
            self._q(
                "DELETE FROM doc_index WHERE kind = ? AND field = ? AND value = ? AND key = ?",
                (kind, field, value, key),
            )

    def _put_with_entries(self, kind: str, key: str, doc: Document, wanted: dict[str, str]) -> None:
        """SQLite: the document's row lists its index entries, so `put` and `delete` find them
        without a second index of every entry by key (docs/design.md, "Growth")."""
        if (kind, key) not in self._rows and self._insert_unread(kind, key, doc, wanted):
            return
        found = self._entries(kind, key)
        stored, current = found or (None, {})
        if wanted == current:
            entries = stored  # most saves change no entry: no need to encode them again
        else:
            entries = self._entries_body(wanted, f"entries:{kind}") if wanted else None
            if entries is not None:
                self._entries_cache.keep(entries, wanted)
        body = self._document_body(doc, f"document:{kind}")
        # A key known to hold nothing (read absent, or `created`) takes a plain INSERT: a key that
        # did hold a document, against the hint, fails here rather than keep its old entries.
        upsert = "" if found is None else self._UPSERT
        self._q(
            "INSERT INTO documents (kind, key, body, entries) VALUES (?, ?, ?, ?)" + upsert, (kind, key, body, entries)
        )
        self._rows[(kind, key)] = (body, entries)
        self._drop_entries(kind, key, [(f, v) for f, v in current.items() if wanted.get(f) != v])
        self._insert_entries(kind, key, [(f, v) for f, v in wanted.items() if current.get(f) != v])

    def _insert_unread(self, kind: str, key: str, doc: Document, wanted: dict[str, str]) -> bool:
        """SQLite: save a document this transaction has not read as a new row, without asking for
        the row first; False (nothing written) when the key holds one already. Nearly every such
        save is of a new record (an awsvpc task's branch ENI, its group link, trunk association and
        address claim: ~40 reads of absent keys per RunTask of ten); a key that does hold a
        document costs one statement more than the read would have, and is saved the usual way."""
        entries = self._entries_body(wanted, f"entries:{kind}") if wanted else None
        body = self._document_body(doc, f"document:{kind}")
        inserted = self._q(
            "INSERT INTO documents (kind, key, body, entries) VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) DO NOTHING",
            (kind, key, body, entries),
        ).rowcount
        if not inserted:
            return False
        if entries is not None:
            self._entries_cache.keep(entries, wanted)
        self._rows[(kind, key)] = (body, entries)
        self._insert_entries(kind, key, list(wanted.items()))
        return True

    def delete(self, kind: str, key: str) -> bool:
        if _has_nul(key):
            return False
        if self._dialect.entries_in_document:
            found = self._entries(kind, key)
            self._rows[(kind, key)] = None
            if found is None:
                return False
            self._drop_entries(kind, key, list(found[1].items()))
        else:
            self._q("DELETE FROM doc_index WHERE kind = ? AND key = ?", (kind, key))
        return bool(self._q("DELETE FROM documents WHERE kind = ? AND key = ?", (kind, key)).rowcount)

    def find(
        self, kind: str, field: str, value: str, after: str | None = None, limit: int | None = None
    ) -> list[Document]:
        if _has_nul(value):
            return []
        sql, params = self._index_query("d.body", kind, field, value, _before_nul(after), limit)
        return [self._load_document(row[0]) for row in self._read(kind, sql, params).fetchall()]

    def find_derived(
        self,
        kind: str,
        field: str,
        value: str,
        derive: Callable[[Document], T],
        after: str | None = None,
        limit: int | None = None,
    ) -> list[T]:
        if _has_nul(value):
            return []
        sql, params = self._index_query("d.body", kind, field, value, _before_nul(after), limit)
        cache, load = self._derived_cache, self._load_document
        return [cache.get(derive, row[0], load) for row in self._read(kind, sql, params).fetchall()]

    def find_keys(
        self, kind: str, field: str, value: str, after: str | None = None, limit: int | None = None
    ) -> list[str]:
        if _has_nul(value):
            return []
        sql, params = self._index_query("i.key", kind, field, value, _before_nul(after), limit)
        return [row[0] for row in self._read(kind, sql, params).fetchall()]

    @staticmethod
    def _index_query(
        column: str, kind: str, field: str, value: str, after: str | None, limit: int | None
    ) -> tuple[str, list[Any]]:
        sql = f"SELECT {column.replace('d.body', _BODY)} FROM doc_index i WHERE i.kind = ? AND i.field = ? AND i.value = ?"
        cursor = None if after is None else [after]
        return paged(sql, [kind, field, value], "i.key > ?", cursor, "i.key", limit)

    def send_writes(self) -> None:
        """Nothing to do: writes here are applied as they are made."""

    def created(self, kind: str, key: str) -> None:
        """SQLite: the key holds nothing (a fresh random id), so its first `put` need not ask for
        the row's entries: kept as absent, as a read that found nothing would keep it."""
        if self._dialect.entries_in_document:
            self._rows.setdefault((kind, key), None)

    def prefetch(
        self,
        gets: Sequence[tuple[str, str]] = (),
        finds: Sequence[tuple[str, str, str]] = (),
        keys: Sequence[tuple[str, str, str, int | None]] = (),
        lasts: Sequence[tuple[str, str, str]] = (),
    ) -> None:
        """Nothing to do: each read here is a function call (SQLite) or asked when read."""

    def find_from_each(
        self, kind: str, queries: Sequence[tuple[str, str, tuple[str, str] | None, int | None]]
    ) -> list[list[tuple[str, str, Document]]]:
        return [self.find_from(kind, field, lowest, after, limit) for field, lowest, after, limit in queries]

    def find_from(
        self, kind: str, field: str, lowest: str, after: tuple[str, str] | None = None, limit: int | None = None
    ) -> list[tuple[str, str, Document]]:
        sql, params = self._from_query(kind, field, lowest, after, limit)
        return [(row[0], row[1], self._load_document(row[2])) for row in self._read(kind, sql, params).fetchall()]

    @staticmethod
    def _from_query(
        kind: str, field: str, lowest: str, after: tuple[str, str] | None, limit: int | None
    ) -> tuple[str, list[Any]]:
        sql = f"SELECT i.value, i.key, {_BODY} FROM doc_index i WHERE i.kind = ? AND i.field = ? AND i.value >= ?"
        cursor = None if after is None else [after[0], after[0], after[1]]
        beyond = "(i.value > ? OR (i.value = ? AND i.key > ?))"
        return paged(sql, [kind, field, lowest], beyond, cursor, "i.value, i.key", limit)

    def count(self, kind: str, field: str, value: str) -> int:
        if _has_nul(value):
            return 0
        row = self._read(
            kind, "SELECT COUNT(*) FROM doc_index WHERE kind = ? AND field = ? AND value = ?", (kind, field, value)
        ).fetchone()
        return int(row[0])

    def counts(self, kind: str, field: str, values: Sequence[str]) -> dict[str, int]:
        asked = [value for value in dict.fromkeys(values) if not _has_nul(value)]
        found: dict[str, int] = {}
        for chunk in _chunks(asked, _CHUNK):
            marks = ", ".join("?" for _ in chunk)
            sql = (
                "SELECT value, COUNT(*) FROM doc_index WHERE kind = ? AND field = ?"
                f" AND value IN ({marks}) GROUP BY value"
            )
            found.update((row[0], int(row[1])) for row in self._read(kind, sql, (kind, field, *chunk)).fetchall())
        return found

    def taken(self, kind: str, field: str, values: Sequence[str]) -> set[str]:
        asked = [value for value in dict.fromkeys(values) if not _has_nul(value)]
        found: set[str] = set()
        for chunk in _chunks(asked, _CHUNK):
            marks = ", ".join("?" for _ in chunk)
            sql = f"SELECT DISTINCT value FROM doc_index WHERE kind = ? AND field = ? AND value IN ({marks})"
            found.update(row[0] for row in self._read(kind, sql, (kind, field, *chunk)).fetchall())
        return found

    def scan(
        self, kind: str, prefix: str = "", after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, Document]]:
        if _has_nul(prefix):
            return []
        after = _before_nul(after)
        sql = "SELECT key, body FROM documents WHERE kind = ? AND key >= ? AND key < ?"
        cursor = None if after is None else [after]
        sql, params = paged(sql, [kind, prefix, prefix + "\U0010ffff"], "key > ?", cursor, "key", limit)
        return [(row[0], self._load_document(row[1])) for row in self._read(kind, sql, params).fetchall()]

    def lock(self, scope: str, writes: frozenset[str] = frozenset()) -> None:
        """SQLite runs one transaction at a time (BEGIN IMMEDIATE): nothing to do."""

    def try_lead(self, role: str) -> bool:
        return True

    def next_value(self, counter: str) -> int:
        row = self._q(
            "INSERT INTO counters (name, value) VALUES (?, 1) "
            "ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
            (counter,),
        ).fetchone()
        return int(row[0])

    def schedule(self, due_at: float, name: str, payload: Document) -> None:
        self._q("INSERT INTO jobs (due_at, name, payload) VALUES (?, ?, ?)", (due_at, name, self._job_body(payload)))

    def claim_due(self, now: float, limit: int) -> list[Job]:
        rows = self._q(
            "SELECT id, due_at, name, payload FROM jobs WHERE due_at <= ? ORDER BY due_at, id LIMIT ?"
            + self._dialect.skip_locked,
            (now, limit),
        ).fetchall()
        return [Job(int(r[0]), float(r[1]), r[2], _load(r[3])) for r in rows]

    def due_jobs(self, now: float, limit: int, others_after: float | None = None) -> list[Job]:
        if self._owner is None or others_after is None:
            rows = self._q(
                "SELECT id, due_at, name, payload FROM jobs WHERE due_at <= ? ORDER BY due_at, id LIMIT ?", (now, limit)
            ).fetchall()
        else:
            rows = self._q(
                "SELECT id, due_at, name, payload FROM jobs WHERE due_at <= ?"
                " AND (owner IS NULL OR owner = ? OR due_at <= ?) ORDER BY due_at, id LIMIT ?",
                (now, self._owner, now - others_after, limit),
            ).fetchall()
        return [Job(int(r[0]), float(r[1]), r[2], _load(r[3])) for r in rows]

    def claim(self, ids: Sequence[int]) -> list[Job]:
        jobs: list[Job] = []
        for chunk in _chunks(list(ids), _CHUNK):
            marks = ", ".join("?" for _ in chunk)
            rows = self._q(
                f"SELECT id, due_at, name, payload FROM jobs WHERE id IN ({marks})" + self._dialect.skip_locked, chunk
            ).fetchall()
            jobs += [Job(int(r[0]), float(r[1]), r[2], _load(r[3])) for r in rows]
        return sorted(jobs, key=lambda job: (job.due_at, job.id))

    def finish(self, job: Job) -> None:
        self._q("DELETE FROM jobs WHERE id = ?", (job.id,))

    def next_due_at(self) -> float | None:
        row = self._q("SELECT MIN(due_at) FROM jobs").fetchone()
        return None if row is None or row[0] is None else float(row[0])

    def append_event(self, body: Document, at: float | None = None) -> None:
        self._q(
            "INSERT INTO events (body, at) VALUES (?, ?)",
            (self._event_body(body, f"event:{body.get('detail-type')}"), at),
        )

    def trim_events(self, keep: int, span: float) -> int:
        through = self._trim_through(keep, span)
        if through <= 0:
            return 0
        gone = int(self._q("DELETE FROM events WHERE seq <= ?", (through,)).rowcount)
        if gone and through > self.trimmed_through():
            self.set_meta(_TRIMMED_META, str(through))
        return gone

    def _trim_through(self, keep: int, span: float) -> int:
        """The last sequence number retention drops: beyond the newest `keep`, or older than `span`."""
        newest, latest = self._q("SELECT MAX(seq), MAX(at) FROM events").fetchone()
        if newest is None:
            return 0
        # Age is measured from the newest event, not the clock: an idle outbox keeps its last day,
        # and events written under another clock (a restart, a test) are judged among themselves.
        aged = (
            None
            if latest is None
            else self._q("SELECT MAX(seq) FROM events WHERE at < ?", (latest - span,)).fetchone()[0]
        )
        return max(int(newest) - keep, int(aged or 0))

    def trimmed_through(self) -> int:
        return int(self.get_meta(_TRIMMED_META) or 0)

    def events_after(self, seq: int, limit: int) -> list[StoredEvent]:
        rows = self._q("SELECT seq, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit)).fetchall()
        return [StoredEvent(int(r[0]), _load(r[1])) for r in rows]

    def last_event_seq(self) -> int:
        return int(self._q("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0])

    def digest(self) -> str:
        hasher = hashlib.sha256()
        queries = (
            "SELECT kind, key, body FROM documents ORDER BY kind, key",
            self._INDEX_ROWS,
            "SELECT name, value FROM counters ORDER BY name",
            "SELECT id, due_at, name, payload FROM jobs ORDER BY id",
            "SELECT seq, body FROM events ORDER BY seq",
        )
        for query in queries:
            for row in self._q(query).fetchall():
                hasher.update(repr(tuple(row)).encode())
            hasher.update(b"|")
        return hasher.hexdigest()

    def clear(self) -> None:
        self._rows.clear()
        for table in self._TABLES:
            self._q(f"DELETE FROM {table}")

    def get_meta(self, key: str) -> str | None:
        row = self._q("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._q(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def migrate(tx: SqlTransaction, dialect: Dialect) -> int:
    """Bring the schema to the newest version; returns that version."""
    tx._q("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    current = int(tx.get_meta("schema_version") or 0)
    if current > len(dialect.migrations):
        raise RuntimeError(f"state was written by a newer trunkline (schema {current}); upgrade trunkline")
    for version in range(current, len(dialect.migrations)):
        for step in dialect.migrations[version]:
            if isinstance(step, str):
                tx._q(step)
            else:
                step(tx)
        tx.set_meta("schema_version", str(version + 1))
    return len(dialect.migrations)
