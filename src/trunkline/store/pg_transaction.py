"""A PostgreSQL transaction that waits for the database only when it needs an answer.

Each statement SQLite runs is a function call; each one PostgreSQL runs is a round trip to another
process, and on a busy machine every wait for an answer is a trip through the scheduler too. So:

- **Writes are kept in memory** until a read needs them: `put`, `delete`, `schedule`, `finish`,
  `append_event` and `set_meta` only record what the transaction will write. Later writes of the
  same document replace earlier ones, so a document saved five times is written once.
- **They are sent in one statement** (the rows as one JSON parameter, so its text is fixed and
  prepared once) through psycopg's pipeline mode, without waiting: it travels with the next read,
  or with the COMMIT, in the same write to the socket (`pg_queued_cursor`). Index entries are
  sent only where they changed, when this transaction knows what is stored (it wrote the
  document before, or found it absent).
- **A read sends only what it must first**: a query of one kind's documents or index sends the
  pending writes if that kind has any; a lookup by key never does (see the next point); any other
  query (counters, jobs, events, meta) sends them all.
- **A document read or written once is answered from memory**: within a transaction only its own
  writes change what it sees, and they all pass through here.

An error in a write (a serialization failure) surfaces at the read or COMMIT that carried it;
the store retries the whole transaction as before. docs/design.md, "Round trips on PostgreSQL".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import orjson
import psycopg

from trunkline.store import pg_queued_cursor
from trunkline.store.api import Document, Job, UnstorableText
from trunkline.store.sql import DerivedCache, Dialect, SqlTransaction, _before_nul, _dump, _has_nul, _load

# Every pending write in one statement: its rows travel as one JSON parameter (json.dumps is C;
# psycopg's own array adaptation costs Python work per element), and a data-modifying CTE per kind
# of row present takes its part. The CTEs see one snapshot and touch disjoint rows (a document is
# either saved or deleted; an index row either dropped or added), so running them together is sound.
# The statement's text depends only on which parts are present: a handful of texts, each prepared once.
# Deletes find their rows one by one through a LATERAL lookup on a key (`OFFSET 0` keeps the planner
# from flattening it into a join: an index scan per row, whatever it thinks of the JSON's size) and
# delete by row id: a join it might plan as a sequential
# scan would make SERIALIZABLE lock the whole table against every other writer.
_ROWS = " FROM p, jsonb_array_elements(p.j -> '{}') e"
_PARTS = {
    # A document whose stored entries this transaction does not know: the entries its row lists
    # (schema v13: no by-key index), each found by primary key, except those it keeps.
    "by_key": "replaced AS (DELETE FROM doc_index WHERE ctid = ANY (ARRAY (SELECT i.ctid"
    + _ROWS.format("by_key")
    + ", LATERAL (SELECT entries FROM documents WHERE kind = e ->> 0 AND key = e ->> 1 OFFSET 0) d"
    ", jsonb_each_text(d.entries::jsonb) x (field, value)"
    ", LATERAL (SELECT ctid, field, value FROM doc_index"
    " WHERE kind = e ->> 0 AND field = x.field AND value = x.value AND key = e ->> 1 OFFSET 0) i"
    " WHERE (e ->> 0, e ->> 1, i.field, i.value) NOT IN"
    " (SELECT a ->> 0, a ->> 1, a ->> 2, a ->> 3 FROM p, jsonb_array_elements(p.j -> 'added') a))))",
    "dropped": "dropped AS (DELETE FROM doc_index WHERE ctid = ANY (ARRAY (SELECT i.ctid"
    + _ROWS.format("dropped")
    + ", LATERAL (SELECT ctid FROM doc_index"
    " WHERE kind = e ->> 0 AND field = e ->> 2 AND value = e ->> 3 AND key = e ->> 1 OFFSET 0) i)))",
    "gone": "gone AS (DELETE FROM documents WHERE ctid = ANY (ARRAY (SELECT d.ctid"
    + _ROWS.format("gone")
    + ", LATERAL (SELECT ctid FROM documents WHERE kind = e ->> 0 AND key = e ->> 1 OFFSET 0) d)))",
    "saved": "saved AS (INSERT INTO documents (kind, key, body, entries) SELECT e ->> 0, e ->> 1, e ->> 2, e ->> 3"
    + _ROWS.format("saved")
    + " ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body, entries = excluded.entries)",
    "added": "added AS (INSERT INTO doc_index (kind, key, field, value) SELECT e ->> 0, e ->> 1, e ->> 2, e ->> 3"
    + _ROWS.format("added")
    + " ON CONFLICT DO NOTHING)",  # entries already there are kept
    # Documents under keys the domain named new (`created`) and their entries: plain inserts, no
    # upsert (PostgreSQL's speculative insertion costs per row) and no entries to replace by key.
    "inserted": "inserted AS (INSERT INTO documents (kind, key, body, entries) SELECT e ->> 0, e ->> 1, e ->> 2, e ->> 3"
    + _ROWS.format("inserted")
    + ")",
    "fresh": "fresh AS (INSERT INTO doc_index (kind, key, field, value) SELECT e ->> 0, e ->> 1, e ->> 2, e ->> 3"
    + _ROWS.format("fresh")
    + ")",
    "events": "events AS (INSERT INTO events (body, at) SELECT e ->> 0, (e ->> 1)::float8"
    " FROM p, jsonb_array_elements(p.j -> 'events') WITH ORDINALITY AS x (e, n) ORDER BY n)",  # `seq` in order
    "jobs": "jobs AS (INSERT INTO jobs (due_at, name, payload, owner) SELECT (e ->> 0)::float8, e ->> 1, e ->> 2, e ->> 3"
    " FROM p, jsonb_array_elements(p.j -> 'jobs') WITH ORDINALITY AS x (e, n) ORDER BY n)",
    "finished": "finished AS (DELETE FROM jobs WHERE id = ANY (ARRAY (SELECT (e ->> 0)::bigint"
    + _ROWS.format("finished")
    + ")))",
    "meta": "meta AS (INSERT INTO meta (key, value) SELECT e ->> 0, e ->> 1"
    + _ROWS.format("meta")
    + " ON CONFLICT (key) DO UPDATE SET value = excluded.value)",
}


# The document under the highest key of an index value (`prefetch(lasts=...)`), looked up by key.
_LAST = (
    "SELECT d.body, d.entries, i.key FROM (SELECT key FROM doc_index WHERE kind = ? AND field = ? AND value = ?"
    " ORDER BY key DESC LIMIT 1) i, LATERAL (SELECT body, entries FROM documents WHERE kind = ? AND key = i.key"
    " OFFSET 0) d"
)


def _flush_statement(present: Sequence[str]) -> str:
    return "WITH p AS (SELECT %s::jsonb AS j), " + ", ".join(_PARTS[part] for part in present) + " SELECT 1"


def _rows_json(rows: dict[str, list[Any]]) -> str:
    """The flush's rows as JSON text: orjson is several times faster on the bodies (JSON inside JSON,
    every quote escaped); what it refuses (a lone surrogate) the standard library writes."""
    try:
        return orjson.dumps(rows).decode()
    except TypeError:  # orjson.JSONEncodeError is one
        return json.dumps(rows, separators=(",", ":"), ensure_ascii=False)


Entries = dict[str, str]
Rows = dict[str, str]  # key -> body text


class _Answers:
    """Complete answers to the index and prefix queries this transaction asked, kept up to date
    with its own writes, so that asking again costs no round trip (placing awsvpc tasks on one
    trunk asks for its branch associations before and after each new one)."""

    def __init__(self) -> None:
        self._by_value: dict[str, dict[tuple[str, str], Rows]] = {}  # kind -> (field, value) -> rows
        self._by_prefix: dict[str, dict[str, Rows]] = {}  # kind -> key prefix -> rows

    def matching(self, kind: str, field: str, value: str) -> Rows | None:
        return self._by_value.get(kind, {}).get((field, value))

    def prefixed(self, kind: str, prefix: str) -> Rows | None:
        return self._by_prefix.get(kind, {}).get(prefix)

    def keep_matching(self, kind: str, field: str, value: str, rows: Rows) -> None:
        self._by_value.setdefault(kind, {})[field, value] = rows

    def keep_prefixed(self, kind: str, prefix: str, rows: Rows) -> None:
        self._by_prefix.setdefault(kind, {})[prefix] = rows

    def saved(self, kind: str, key: str, body: str, wanted: Entries) -> None:
        for (field, value), rows in self._by_value.get(kind, {}).items():
            if wanted.get(field) == value:
                rows[key] = body
            else:
                rows.pop(key, None)
        for prefix, rows in self._by_prefix.get(kind, {}).items():
            if key.startswith(prefix):
                rows[key] = body

    def deleted(self, kind: str, key: str) -> None:
        for rows in (*self._by_value.get(kind, {}).values(), *self._by_prefix.get(kind, {}).values()):
            rows.pop(key, None)

    def clear(self) -> None:
        self._by_value.clear()
        self._by_prefix.clear()


def _window(rows: Rows, after: str | None, limit: int | None) -> list[tuple[str, str]]:
    """Rows in key order (code point order: the collation `keeps_answers` requires), after `after`."""
    keys = sorted(key for key in rows if after is None or key > after)
    return [(key, rows[key]) for key in keys[:limit]]


T = TypeVar("T")


class PgTransaction(SqlTransaction):
    def __init__(
        self,
        conn: psycopg.Connection[Any],
        pipeline: psycopg.Pipeline,
        dialect: Dialect,
        keeps_answers: bool,
        derived_cache: DerivedCache | None = None,
        owner: str | None = None,
    ) -> None:
        """`keeps_answers`: the database sorts text in code point order (collation C), as Python
        does, so answers kept here come out in the order the database would give. `derived_cache`:
        the store's, shared by its transactions (keyed by stored bytes, so never stale). `owner`:
        the store's id, which marks the jobs this transaction schedules (`due_jobs`)."""
        super().__init__(conn.cursor(), dialect, derived_cache=derived_cache, owner=owner)
        self._conn = conn
        self._answers = _Answers() if keeps_answers else None
        self._writer = conn.cursor()  # its answers are never read: a read cursor's are never mixed in
        self._pipeline = pipeline
        self._seen: dict[tuple[str, str], str | None] = {}  # (kind, key) -> body text; None: absent
        self._documents: dict[tuple[str, str], tuple[str, Entries] | None] = {}  # pending; None: delete
        self._kinds: set[str] = set()  # the kinds of the pending documents
        self._stored: dict[tuple[str, str], Entries] = {}  # index entries known to be in the database
        self._created: set[tuple[str, str]] = set()  # named new (`created`), not yet written
        self._listed: dict[tuple[str, str], str] = {}  # the same, as a read row lists them (decoded when saved)
        self._events: list[tuple[str, float | None]] = []
        self._jobs: list[tuple[float, str, str, str | None]] = []
        self._finished: list[int] = []
        self._meta: dict[str, str] = {}
        # Questions asked ahead (`prefetch`), answered by the next wait: (what, args, cursor).
        self._ahead: list[tuple[str, tuple[Any, ...], Any]] = []
        self._ahead_kinds: set[str] = set()
        self._finds_ahead: set[tuple[str, str, str]] = set()  # the finds among them: asked once
        # Keys answers asked ahead, (kind, field, value, limit) -> keys: until this transaction
        # writes that kind (a write may change them; the next `find_keys` asks the database).
        self._keys: dict[tuple[str, str, str, int | None], list[str]] = {}
        self._lasts: set[tuple[str, str, str]] = set()  # `lasts` questions asked

    # --- reads ------------------------------------------------------------------------------------

    def _wait(self, sql: str, params: Sequence[Any]) -> Any:
        """Send `sql` (with whatever is queued before it) and wait for its answer."""
        cursor = super()._q(sql, params)
        self._sync()
        return cursor

    def _sync(self) -> None:
        """Wait for every answer queued so far, and keep those asked ahead."""
        pg_queued_cursor.sync(self._pipeline)
        if self._ahead:
            self._keep_ahead()

    def prefetch(
        self,
        gets: Sequence[tuple[str, str]] = (),
        finds: Sequence[tuple[str, str, str]] = (),
        keys: Sequence[tuple[str, str, str, int | None]] = (),
        lasts: Sequence[tuple[str, str, str]] = (),
    ) -> None:
        """Queue the questions, each on a cursor of its own, without waiting: the next read carries
        them. A `lasts` answer is kept as the answer to a `get` of the highest key (the latest
        revision of a task definition family: keys sort by it). A find's answer is kept only where answers are (`keeps_answers`); each query sees the
        kind's pending writes (sent first), and a write of a kind asked about waits for the answers
        first (`_before_write`), so what is kept is what asking later would give."""
        for kind, key in gets:
            if (kind, key) not in self._seen and not _has_nul(key):
                self._ask_ahead("get", (kind, key), "SELECT body, entries FROM documents WHERE kind = ? AND key = ?")
        answers = self._answers
        for kind, field, value in finds:
            if (
                answers is not None
                and answers.matching(kind, field, value) is None
                and (kind, field, value) not in self._finds_ahead
                and not _has_nul(value)
            ):
                sql, params = self._index_query("d.body, i.key", kind, field, value, None, None)
                self._ask_ahead("find", (kind, field, value), sql, params)
        for kind, field, value, limit in keys:
            if (kind, field, value, limit) not in self._keys and not _has_nul(value):
                sql, params = self._index_query("i.key", kind, field, value, None, limit)
                self._ask_ahead("keys", (kind, field, value, limit), sql, params)
        for kind, field, value in lasts:
            if (kind, field, value) not in self._lasts and not _has_nul(value):
                self._lasts.add((kind, field, value))  # (asked once: its answer is kept as a get's)
                self._ask_ahead("last", (kind, field, value), _LAST, (kind, field, value, kind))

    def _ask_ahead(self, what: str, args: tuple[Any, ...], sql: str, params: Sequence[Any] | None = None) -> None:
        kind = args[0]
        if kind in self._kinds:
            self.flush()
        cursor = self._conn.cursor()
        cursor.execute(sql.replace("?", self._dialect.placeholder), tuple(args if params is None else params))
        self._ahead.append((what, args, cursor))
        self._ahead_kinds.add(kind)
        if what == "find":
            self._finds_ahead.add(args)

    def _keep_ahead(self) -> None:
        ahead, self._ahead, self._ahead_kinds = self._ahead, [], set()
        self._finds_ahead = set()
        for what, args, cursor in ahead:
            if what == "get":
                if args not in self._seen:  # else written (or read) since: that is current
                    self._keep_read(args[0], args[1], cursor.fetchone())
            elif what == "find":
                kind, field, value = args
                found = {key: body for body, key in cursor.fetchall()}
                if self._answers is not None and self._answers.matching(kind, field, value) is None:
                    self._answers.keep_matching(kind, field, value, found)
                for key, body in found.items():
                    self._seen.setdefault((kind, key), body)
            elif what == "last":
                row = cursor.fetchone()
                if row is not None and (args[0], row[2]) not in self._seen:
                    self._keep_read(args[0], row[2], row[:2])
            else:
                self._keys[args] = [row[0] for row in cursor.fetchall()]

    def _before_write(self, kind: str) -> None:
        """A write of a kind asked about ahead: its answers first (they must not miss the write)."""
        if kind in self._ahead_kinds:
            self._sync()
        if self._keys:
            self._keys = {question: found for question, found in self._keys.items() if question[0] != kind}

    def find_from_each(
        self, kind: str, queries: Sequence[tuple[str, str, tuple[str, str] | None, int | None]]
    ) -> list[list[tuple[str, str, Document]]]:
        """The queries as one statement (a UNION ALL of each, tagged with its place), waited for
        once: a binpack window asks up to fifteen, and each statement sent costs this process
        about as much as a small read costs the database."""
        if not queries:
            return []
        if kind in self._kinds:
            self.flush()
        parts: list[str] = []
        params: list[Any] = []
        for n, (field, lowest, after, limit) in enumerate(queries):
            sql, part = self._from_query(kind, field, lowest, after, limit)
            if _has_nul(*part):
                raise UnstorableText("a key or indexed value holds the NUL character")
            parts.append("(" + sql.replace("SELECT ", f"SELECT {n} AS q, ", 1) + ")")
            params += part
        # Each part's own order, kept by ordering on the same columns (the same collation).
        sql = "SELECT * FROM (" + " UNION ALL ".join(parts) + ") u ORDER BY q, value, key"
        found: list[list[tuple[str, str, Document]]] = [[] for _ in queries]
        for n, value, key, body in self._wait(sql, params).fetchall():
            found[n].append((value, key, _load(body)))
        return found

    def _q(self, sql: str, params: Sequence[Any] = ()) -> Any:
        self.flush()
        return self._wait(sql, params)

    def _read(self, kind: str, sql: str, params: Sequence[Any]) -> Any:
        if kind in self._kinds:
            self.flush()
        return self._wait(sql, params)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        result = self._q(sql, params)
        self._forget()  # a migration's own statement may change any document
        return result

    def get(self, kind: str, key: str) -> Document | None:
        body = self._body_of(kind, key)
        return None if body is None else _load(body)

    def _body_of(self, kind: str, key: str) -> str | None:
        if (kind, key) not in self._seen:
            if _has_nul(key):
                return None
            row = self._wait("SELECT body, entries FROM documents WHERE kind = ? AND key = ?", (kind, key)).fetchone()
            if (kind, key) not in self._seen:  # (a question asked ahead for it was answered too)
                self._keep_read(kind, key, row)
        return self._seen[kind, key]

    def _keep_read(self, kind: str, key: str, row: Any) -> None:
        self._seen[kind, key] = row[0] if row else None
        if row is None:
            self._stored[kind, key] = {}  # no document, no index entries
        elif row[1] is not None:  # None: written before schema v11, entries not listed
            self._listed[kind, key] = row[1]

    def find(
        self, kind: str, field: str, value: str, after: str | None = None, limit: int | None = None
    ) -> list[Document]:
        rows = self._matching(kind, field, value, after, limit)
        if rows is None:
            return super().find(kind, field, value, after, limit)
        return [_load(body) for _, body in _window(rows, _before_nul(after), limit)]

    def find_derived(
        self,
        kind: str,
        field: str,
        value: str,
        derive: Callable[[Document], T],
        after: str | None = None,
        limit: int | None = None,
    ) -> list[T]:
        """As `find`, through the answers kept for the transaction (issue 16's placement pictures)."""
        rows = self._matching(kind, field, value, after, limit)
        if rows is None:
            return super().find_derived(kind, field, value, derive, after, limit)
        return [self._derived_cache.get(derive, body) for _, body in _window(rows, _before_nul(after), limit)]

    def find_keys(
        self, kind: str, field: str, value: str, after: str | None = None, limit: int | None = None
    ) -> list[str]:
        known = self._answers.matching(kind, field, value) if self._answers is not None else None
        if known is None:
            asked = self._keys.get((kind, field, value, limit)) if after is None else None
            return list(asked) if asked is not None else super().find_keys(kind, field, value, after, limit)
        return [key for key, _ in _window(known, _before_nul(after), limit)]

    def count(self, kind: str, field: str, value: str) -> int:
        known = self._answers.matching(kind, field, value) if self._answers is not None else None
        return super().count(kind, field, value) if known is None else len(known)

    def _matching(self, kind: str, field: str, value: str, after: str | None, limit: int | None) -> Rows | None:
        """The documents whose `field` is `value`, from memory or asked for and kept when the
        answer is complete (a first page shorter than its limit is); None: not kept."""
        if self._answers is None or _has_nul(value):
            return None
        if (kind, field, value) in self._finds_ahead:
            self._sync()  # asked ahead (`prefetch`): its answer, not the same question again
        known = self._answers.matching(kind, field, value)
        if known is not None or after is not None:
            return known
        sql, params = self._index_query("d.body, i.key", kind, field, value, None, limit)
        found = {key: body for body, key in self._read(kind, sql, params).fetchall()}
        if limit is None or len(found) < limit:
            self._answers.keep_matching(kind, field, value, found)
        for key, body in found.items():
            self._seen.setdefault((kind, key), body)  # read after this kind's writes were sent: current
        return found

    def scan(
        self, kind: str, prefix: str = "", after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, Document]]:
        if self._answers is None or _has_nul(prefix) or after is not None:
            return super().scan(kind, prefix, after, limit)
        known = self._answers.prefixed(kind, prefix)
        if known is None:
            found = super().scan(kind, prefix, None, limit)
            if limit is None or len(found) < limit:
                self._answers.keep_prefixed(kind, prefix, {key: _dump(doc) for key, doc in found})
            return found
        return [(key, _load(body)) for key, body in _window(known, None, limit)]

    # --- writes -----------------------------------------------------------------------------------

    def put(self, kind: str, key: str, doc: Document, index: Mapping[str, str | None] | None = None) -> None:
        wanted = {field: value for field, value in (index or {}).items() if value is not None}
        if _has_nul(kind, key, *wanted, *wanted.values()):
            raise UnstorableText("a key or indexed value holds the NUL character")
        body = _dump(doc)
        self._before_write(kind)
        self._documents[kind, key] = (body, wanted)
        self._kinds.add(kind)
        self._seen[kind, key] = body
        if self._answers is not None:
            self._answers.saved(kind, key, body, wanted)

    def created(self, kind: str, key: str) -> None:
        """The domain says nothing is stored under `key`: it is not looked up, and its first write
        is a plain insert (a hint about a key this transaction read or wrote is ignored)."""
        if (kind, key) in self._seen or _has_nul(kind, key):
            return
        self._seen[kind, key] = None
        self._stored[kind, key] = {}
        self._created.add((kind, key))

    def delete(self, kind: str, key: str) -> bool:
        if self._body_of(kind, key) is None:
            return False
        self._before_write(kind)
        self._documents[kind, key] = None
        self._kinds.add(kind)
        self._seen[kind, key] = None
        if self._answers is not None:
            self._answers.deleted(kind, key)
        return True

    def schedule(self, due_at: float, name: str, payload: Document) -> None:
        if _has_nul(name):
            raise UnstorableText("a key or indexed value holds the NUL character")
        self._jobs.append((due_at, name, _dump(payload), self._owner))

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
        self._forget()

    def _forget(self) -> None:
        if self._ahead:
            self._sync()  # answered before this statement: not kept (the state may have changed since)
        self._keys.clear()
        self._lasts.clear()
        self._created.clear()  # (a statement of the caller's own may have written anything)
        self._seen.clear()
        self._stored.clear()
        self._listed.clear()
        if self._answers is not None:
            self._answers.clear()

    def send_writes(self) -> None:
        self.flush()
        # Sent now, not waited for: the database works on it while this process goes on.
        pg_queued_cursor.send_queued(self._conn)

    def flush(self) -> None:
        """Queue every pending write, in one statement (not waited for)."""
        if not (self._documents or self._events or self._jobs or self._finished or self._meta):
            return
        parts = ("by_key", "dropped", "gone", "saved", "added", "inserted", "fresh")
        rows: dict[str, list[Any]] = {part: [] for part in parts}
        if self._documents:
            self._document_rows(rows)
        rows.update(events=self._events, jobs=self._jobs, finished=[[n] for n in self._finished])
        rows["meta"] = list(self._meta.items())
        present = [part for part in _PARTS if rows[part]]
        if present:  # (none: documents created and deleted before they were sent)
            self._send(_flush_statement(present), (_rows_json(rows),))
        self._documents, self._kinds, self._events, self._jobs, self._finished, self._meta = {}, set(), [], [], [], {}

    def _document_rows(self, rows: dict[str, list[Any]]) -> None:
        """The pending documents as the flush's rows: bodies saved or deleted; index entries added,
        dropped by name where this transaction knows what is stored, else replaced by key."""
        for (kind, key), pending in self._documents.items():
            if (kind, key) in self._created:
                self._created.discard((kind, key))
                if pending is not None:  # (created and deleted before it was sent: nothing to do)
                    rows["inserted"].append((kind, key, pending[0], pending[1]))
                    rows["fresh"] += [(kind, key, field, value) for field, value in pending[1].items()]
                self._stored[kind, key] = pending[1] if pending is not None else {}
                continue
            wanted = pending[1] if pending is not None else {}
            stored = self._stored.get((kind, key))
            if stored is None and (kind, key) in self._listed:
                stored = json.loads(self._listed.pop((kind, key)))
            if stored is None:
                rows["by_key"].append((kind, key))
                rows["added"] += [(kind, key, field, value) for field, value in wanted.items()]
            else:  # only what changed: a container instance has dozens of entries, a save changes few
                rows["dropped"] += [(kind, key, f, v) for f, v in stored.items() if wanted.get(f) != v]
                rows["added"] += [(kind, key, f, v) for f, v in wanted.items() if stored.get(f) != v]
            self._stored[kind, key] = wanted
            if pending is None:
                rows["gone"].append((kind, key))
            else:
                rows["saved"].append((kind, key, pending[0], wanted))

    def _send(self, sql: str, params: Sequence[Any]) -> None:
        """Queue a statement whose answer is not needed."""
        self._writer.execute(sql, params)
