"""A PostgreSQL transaction that waits for the database only when it needs an answer.

Each statement SQLite runs is a function call; each one PostgreSQL runs is a round trip to another
process, and on a busy machine every wait for an answer is a trip through the scheduler too. So:

- **Writes are kept in memory** until a read needs them: `put`, `delete`, `schedule`, `finish`,
  `append_event` and `set_meta` only record what the transaction will write. Later writes of the
  same document replace earlier ones, so a document saved five times is written once.
- **They are sent in a few set-based statements** (one per table and operation, the rows as
  arrays, so each statement's text is fixed and prepared once) through psycopg's pipeline mode,
  without waiting: they travel with the next read, or with the COMMIT.
- **A read sends only what it must first**: a query of one kind's documents or index sends the
  pending writes if that kind has any; a lookup by key never does (see the next point); any other
  query (counters, jobs, events, meta) sends them all.
- **A document read or written once is answered from memory**: within a transaction only its own
  writes change what it sees, and they all pass through here.

An error in a write (a serialization failure) surfaces at the read or COMMIT that carried it;
the store retries the whole transaction as before. docs/design.md, "Round trips on PostgreSQL".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import psycopg

from trunkline.store.api import Document, Job, UnstorableText
from trunkline.store.sql import Dialect, SqlTransaction, _dump, _has_nul, _load

# Set-based writes: each takes its rows as arrays of one column each, sent in binary (`%b`): psycopg
# quotes each element of a text-format array with a regular expression, which costs more than the rest.
_DROP_ENTRIES = (  # every index entry of the written documents that is not wanted any more
    "DELETE FROM doc_index i USING unnest(%b::text[], %b::text[]) AS t (kind, key)"
    " WHERE i.kind = t.kind AND i.key = t.key AND (i.kind, i.key, i.field, i.value) NOT IN"
    " (SELECT * FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[]))"
)
_DROP_LISTED_ENTRIES = (
    "DELETE FROM doc_index WHERE (kind, key, field, value) IN"
    " (SELECT * FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[]))"
)
_DROP_DOCUMENTS = (
    "DELETE FROM documents d USING unnest(%b::text[], %b::text[]) AS t (kind, key)"
    " WHERE d.kind = t.kind AND d.key = t.key"
)
_SAVE_DOCUMENTS = (
    "INSERT INTO documents (kind, key, body) SELECT * FROM unnest(%b::text[], %b::text[], %b::text[])"
    " ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body"
)
_ADD_ENTRIES = (  # entries already there are kept
    "INSERT INTO doc_index (kind, key, field, value) SELECT * FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[])"
    " ON CONFLICT DO NOTHING"
)
_ADD_EVENTS = (  # in the order they were appended: `seq` numbers them
    "INSERT INTO events (body, at) SELECT body, at FROM unnest(%b::text[], %b::float8[]) WITH ORDINALITY"
    " AS e (body, at, n) ORDER BY n"
)
_ADD_JOBS = (
    "INSERT INTO jobs (due_at, name, payload) SELECT due_at, name, payload"
    " FROM unnest(%b::float8[], %b::text[], %b::text[]) WITH ORDINALITY AS j (due_at, name, payload, n) ORDER BY n"
)
_FINISH_JOBS = "DELETE FROM jobs WHERE id = ANY(%b::bigint[])"
_SET_META = (
    "INSERT INTO meta (key, value) SELECT * FROM unnest(%b::text[], %b::text[])"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)

Entries = dict[str, str]


class PgTransaction(SqlTransaction):
    def __init__(self, conn: psycopg.Connection[Any], pipeline: psycopg.Pipeline, dialect: Dialect) -> None:
        super().__init__(conn.cursor(), dialect)
        self._writer = conn.cursor()  # its answers are never read: a read cursor's are never mixed in
        self._pipeline = pipeline
        self._seen: dict[tuple[str, str], str | None] = {}  # (kind, key) -> body text; None: absent
        self._documents: dict[tuple[str, str], tuple[str, Entries] | None] = {}  # pending; None: delete
        self._kinds: set[str] = set()  # the kinds of the pending documents
        self._stored: dict[tuple[str, str], Entries] = {}  # index entries known to be in the database
        self._events: list[tuple[str, float | None]] = []
        self._jobs: list[tuple[float, str, str]] = []
        self._finished: list[int] = []
        self._meta: dict[str, str] = {}

    # --- reads ------------------------------------------------------------------------------------

    def _wait(self, sql: str, params: Sequence[Any]) -> Any:
        """Send `sql` (with whatever is queued before it) and wait for its answer."""
        cursor = super()._q(sql, params)
        self._pipeline.sync()
        return cursor

    def _q(self, sql: str, params: Sequence[Any] = ()) -> Any:
        self.flush()
        return self._wait(sql, params)

    def _read(self, kind: str, sql: str, params: Sequence[Any]) -> Any:
        if kind in self._kinds:
            self.flush()
        return self._wait(sql, params)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        result = self._q(sql, params)
        self._seen.clear()  # a migration's own statement may change any document
        self._stored.clear()
        return result

    def get(self, kind: str, key: str) -> Document | None:
        body = self._body_of(kind, key)
        return None if body is None else _load(body)

    def _body_of(self, kind: str, key: str) -> str | None:
        if (kind, key) not in self._seen:
            if _has_nul(key):
                return None
            row = self._wait("SELECT body FROM documents WHERE kind = ? AND key = ?", (kind, key)).fetchone()
            self._seen[kind, key] = row[0] if row else None
            if row is None:
                self._stored[kind, key] = {}  # no document, no index entries
        return self._seen[kind, key]

    # --- writes -----------------------------------------------------------------------------------

    def put(self, kind: str, key: str, doc: Document, index: Mapping[str, str | None] | None = None) -> None:
        wanted = {field: value for field, value in (index or {}).items() if value is not None}
        if _has_nul(kind, key, *wanted, *wanted.values()):
            raise UnstorableText("a key or indexed value holds the NUL character")
        body = _dump(doc)
        self._documents[kind, key] = (body, wanted)
        self._kinds.add(kind)
        self._seen[kind, key] = body

    def delete(self, kind: str, key: str) -> bool:
        if self._body_of(kind, key) is None:
            return False
        self._documents[kind, key] = None
        self._kinds.add(kind)
        self._seen[kind, key] = None
        return True

    def schedule(self, due_at: float, name: str, payload: Document) -> None:
        if _has_nul(name):
            raise UnstorableText("a key or indexed value holds the NUL character")
        self._jobs.append((due_at, name, _dump(payload)))

    def finish(self, job: Job) -> None:
        self._finished.append(job.id)

    def append_event(self, body: Document, at: float | None = None) -> None:
        self._events.append((_dump(body), at))

    def set_meta(self, key: str, value: str) -> None:
        if _has_nul(key, value):
            raise UnstorableText("a key or indexed value holds the NUL character")
        self._meta[key] = value

    def clear(self) -> None:
        super().clear()  # each of its statements sends the pending writes first
        self._seen.clear()
        self._stored.clear()

    def flush(self) -> None:
        """Queue every pending write (not waited for): a few statements, however many writes."""
        if self._documents:
            self._flush_documents()
        if self._events:
            bodies, times = zip(*self._events, strict=True)
            self._send(_ADD_EVENTS, (list(bodies), list(times)))
            self._events.clear()
        if self._jobs:
            due, names, payloads = zip(*self._jobs, strict=True)
            self._send(_ADD_JOBS, (list(due), list(names), list(payloads)))
            self._jobs.clear()
        if self._finished:
            self._send(_FINISH_JOBS, (self._finished[:],))
            self._finished.clear()
        if self._meta:
            self._send(_SET_META, (list(self._meta), list(self._meta.values())))
            self._meta.clear()

    def _flush_documents(self) -> None:
        by_key: list[tuple[str, str]] = []  # documents whose stored entries are not known: replaced by key
        kept: list[tuple[str, str, str, str]] = []  # ... all but these
        dropped: list[tuple[str, str, str, str]] = []  # entries known to be stored and not wanted
        added: list[tuple[str, str, str, str]] = []
        saved: list[tuple[str, str, str]] = []
        gone: list[tuple[str, str]] = []
        for (kind, key), pending in self._documents.items():
            wanted = pending[1] if pending is not None else {}
            stored = self._stored.get((kind, key))
            if stored is None:
                by_key.append((kind, key))
                kept += [(kind, key, field, value) for field, value in wanted.items()]
                added += [(kind, key, field, value) for field, value in wanted.items()]
            else:  # only what changed: a container instance has dozens of entries, a save changes few
                dropped += [(kind, key, field, value) for field, value in stored.items() if wanted.get(field) != value]
                added += [(kind, key, field, value) for field, value in wanted.items() if stored.get(field) != value]
            self._stored[kind, key] = wanted
            if pending is None:
                gone.append((kind, key))
            else:
                saved.append((kind, key, pending[0]))
        if by_key:
            self._send(_DROP_ENTRIES, (*_columns(by_key, 2), *_columns(kept, 4)))
        if dropped:
            self._send(_DROP_LISTED_ENTRIES, _columns(dropped, 4))
        if gone:
            self._send(_DROP_DOCUMENTS, _columns(gone, 2))
        if saved:
            self._send(_SAVE_DOCUMENTS, _columns(saved, 3))
        if added:
            self._send(_ADD_ENTRIES, _columns(added, 4))
        self._documents.clear()
        self._kinds.clear()

    def _send(self, sql: str, params: Sequence[Any]) -> None:
        """Queue a statement whose answer is not needed."""
        self._writer.execute(sql, params)


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """Rows as one list per column (the arrays `unnest` takes back apart)."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]
