"""The storage interface the domain sees: documents by kind and key, secondary indexes, a job
queue for the clock's due transitions, and an event outbox. No SQL dialect leaks through it."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

Document = dict[str, Any]
T = TypeVar("T")


class UnstorableText(ValueError):
    """A key or indexed value holds U+0000, which PostgreSQL's text cannot hold; refused in both
    stores so they behave alike. A lookup for such a value simply finds nothing (nothing stored can
    hold it); only writes raise this."""


class StoreBusy(Exception):
    """Transactions kept conflicting past the retry budget: the caller should back off and retry
    (the wire layer answers the service's throttling error, which AWS clients retry)."""


class StoreUnavailable(Exception):
    """The database cannot be reached, or was lost while committing (the outcome is unknown): the
    wire layer answers the service's 503, which AWS clients retry."""


#: A job payload's optional lock scope (`Transaction.lock`): a reconciler pass that can runs the
#: job in a transaction holding that lock from its start, with other due jobs of the same scope.
JOB_LOCK = "lock"
#: A job payload's optional kind of the document stored under its `key` that the job reads first:
#: a background pass asks for it ahead (`Transaction.prefetch`) with the claim of the job's chunk.
JOB_READS = "reads"


@dataclass(frozen=True)
class RepeatableRead:
    """Work that holds `lock` from before its snapshot and writes documents of `writes` kinds only
    (besides jobs and events): PostgreSQL may run it under REPEATABLE READ, where it takes part
    in no serialization conflict. Should it write anything else, take another named lock, or ask
    for a counter or meta value, it is run again under SERIALIZABLE. SQLite runs it as any work.
    Sound only when every transaction that could break an invariant with it either holds `lock`
    or writes a document it writes (docs/decisions.md, "isolation")."""

    work: Callable[[Transaction], Any]
    lock: str
    writes: frozenset[str]
    wait: bool = True  # False: while another holds `lock`, run returns `otherwise` without the work
    otherwise: Any = None

    def __call__(self, tx: Transaction) -> Any:
        return self.work(tx)


@dataclass(frozen=True)
class Keyed:
    """Work with a key saying what it is (the same call on the same target): PostgreSQL remembers
    the lock such work took under `Transaction.lock` with `writes`, and while its process meets
    conflicts takes it before the snapshot at once (REPEATABLE READ) instead of starting again at
    `lock`. SQLite runs it as any work."""

    work: Callable[[Transaction], Any]
    key: Hashable

    def __call__(self, tx: Transaction) -> Any:
        return self.work(tx)


@dataclass(frozen=True)
class Job:
    id: int
    due_at: float
    name: str
    payload: Document


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    body: Document


class Transaction(Protocol):
    def get(self, kind: str, key: str) -> Document | None: ...

    def put(self, kind: str, key: str, doc: Document, index: Mapping[str, str | None] | None = None) -> None:
        """Create or replace; `index` maps field -> value for `find` (None: not indexed)."""

    def delete(self, kind: str, key: str) -> bool: ...

    def find(
        self, kind: str, field: str, value: str, after: str | None = None, limit: int | None = None
    ) -> list[Document]:
        """Documents whose indexed `field` equals `value`, in key order, keys strictly after `after`."""

    def find_keys(
        self, kind: str, field: str, value: str, after: str | None = None, limit: int | None = None
    ) -> list[str]:
        """Keys of the documents `find` would return, without reading the documents."""

    def find_derived(
        self,
        kind: str,
        field: str,
        value: str,
        derive: Callable[[Document], T],
        after: str | None = None,
        limit: int | None = None,
    ) -> list[T]:
        """`derive(document)` for each document `find` would return, in the same order. The store
        may hand back what `derive` gave earlier for the same stored bytes instead of decoding the
        document again: `derive` must depend on the document alone, and its results are shared
        (read-only)."""

    def find_from(
        self, kind: str, field: str, lowest: str, after: tuple[str, str] | None = None, limit: int | None = None
    ) -> list[tuple[str, str, Document]]:
        """`(value, key, document)` for documents whose indexed `field` is at least `lowest`, in
        (value, key) order, strictly after the `(value, key)` pair `after`: an ordered index, for
        values that sort as text the way they should sort (zero-padded numbers)."""

    def find_from_each(
        self, kind: str, queries: Sequence[tuple[str, str, tuple[str, str] | None, int | None]]
    ) -> list[list[tuple[str, str, Document]]]:
        """`find_from(kind, field, lowest, after, limit)` for each `(field, lowest, after, limit)`,
        in order: several independent questions at once (on PostgreSQL, one round trip)."""

    def count(self, kind: str, field: str, value: str) -> int: ...

    def counts(self, kind: str, field: str, values: Sequence[str]) -> dict[str, int]:
        """`count(kind, field, value)` for each of `values` that some document holds (a value none
        holds is left out): one question for many (a quota summed over a few dozen values)."""

    def send_writes(self) -> None:
        """A hint: the writes so far are the bulk of this transaction's. On PostgreSQL they are sent
        now, without waiting, so the database applies them while the work goes on (instead of all
        at the COMMIT); what the transaction sees and commits is the same. Elsewhere nothing."""

    def created(self, kind: str, key: str) -> None:
        """A hint, before the first `put` of a document under a new key (a fresh random id): nothing
        is stored under it. On PostgreSQL that first write is a plain insert of the document and
        its index entries (no upsert, no look for entries its key held). A key that did hold a
        document makes that write fail (a unique violation), so only a key never used may be named.
        On SQLite the first `put` does not ask for the key's row (and fails the same way)."""

    def prefetch(
        self,
        gets: Sequence[tuple[str, str]] = (),
        finds: Sequence[tuple[str, str, str]] = (),
        keys: Sequence[tuple[str, str, str, int | None]] = (),
        lasts: Sequence[tuple[str, str, str]] = (),
    ) -> None:
        """Ask ahead for what this transaction is about to read: documents by `(kind, key)`, every
        document `find(kind, field, value)` gives, `find_keys(kind, field, value, limit=limit)`,
        and (`lasts`) the document under the highest key `find_keys(kind, field, value)` gives.
        Reading them later answers exactly as without this (the transaction's own writes included);
        on PostgreSQL the questions travel with the next read, so dependent reads of one request
        share a round trip. A store may ignore it (SQLite answers each read in a function call)."""

    def taken(self, kind: str, field: str, values: Sequence[str]) -> set[str]:
        """The values among `values` that some document's indexed `field` holds: one question for
        many (on PostgreSQL, one round trip instead of one per value)."""

    def scan(
        self, kind: str, prefix: str = "", after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, Document]]:
        """Documents whose key starts with `prefix`, in key order, strictly after `after`."""

    def next_value(self, counter: str) -> int:
        """The next number of a named sequence (1, 2, ...), transactional."""

    def schedule(self, due_at: float, name: str, payload: Document) -> None: ...

    def lock(self, scope: str, writes: frozenset[str] = frozenset()) -> None:
        """Serialise this transaction with every other one that locks `scope` (on PostgreSQL, in
        any process): they run one after the other instead of failing serialisation. May restart
        the transaction's work with the lock held from its start, so call it early, before writes.
        `writes`, if given, are the only document kinds the work writes while holding `scope`
        when it needs nothing else SERIALIZABLE: PostgreSQL may then run it under REPEATABLE READ
        (`RepeatableRead`; another write runs it again SERIALIZABLE)."""

    def try_lead(self, role: str) -> bool:
        """True if no other transaction (in any process) holds `role` now; it is then held until
        this one ends. For work that one process at a time should do, such as a reconciler pass."""

    def claim_due(self, now: float, limit: int) -> list[Job]:
        """Due jobs, oldest first, locked for this transaction (other processes skip them)."""

    def due_jobs(self, now: float, limit: int, others_after: float | None = None) -> list[Job]:
        """Due jobs, oldest first, as committed: a listing, locking nothing (`claim` takes them).
        Meant for `Store.read`, so the queue's index is not part of a writing transaction's reads.
        `others_after`: on a store several processes share (PostgreSQL), the jobs this process
        scheduled, and other processes' only once due for that many seconds (their process
        stopped or fell behind); elsewhere, and without it, every due job."""

    def claim(self, ids: Sequence[int]) -> list[Job]:
        """Those of the jobs `ids` still queued, oldest first, locked for this transaction (other
        processes skip them): read by id, not by a range of due times."""

    def finish(self, job: Job) -> None: ...

    def next_due_at(self) -> float | None: ...

    def append_event(self, body: Document, at: float | None = None) -> None:
        """Append to the outbox; `at` is the event's time on the store's clock (for retention).
        Nothing is returned, so a store need not wait for the database's answer (PostgreSQL)."""

    def events_after(self, seq: int, limit: int) -> list[StoredEvent]: ...

    def last_event_seq(self) -> int:
        """The sequence number of the newest event (0 when there is none): where a reader that
        wants only what happens from now on starts."""

    def trim_events(self, keep: int, span: float) -> int:
        """Retention: drop all but the newest `keep` events, and those more than `span` seconds
        older than the newest; returns how many went. The highest dropped number is kept as
        `trimmed_through`."""

    def trimmed_through(self) -> int:
        """The highest sequence number retention has dropped (0: none): a reader that resumes
        below it has missed events."""

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    def digest(self) -> str:
        """A hash of every resource, job, event and counter: equal digests, equal state."""

    def clear(self) -> None:
        """Forget every resource, job and event (not the store's own metadata)."""


class Store(Protocol):
    description: str

    def ping(self) -> None:
        """Return if the database answers now; raise StoreUnavailable saying why if not."""

    def run(self, work: Callable[[Transaction], T]) -> T:
        """Run `work` in one transaction: committed if it returns, rolled back if it raises.
        May run `work` again when the database reports a serialization conflict."""

    def read(self, work: Callable[[Transaction], T]) -> T:
        """Run read-only `work` on the store's reading connection: it sees committed state and
        never waits for a writing transaction in progress (the event stream reads this way, so a
        slow request does not hold back events already committed)."""

    def peek(self, work: Callable[[Transaction], T]) -> T:
        """`read` for work that sends one statement (a metadata value: the manual clock's shared
        reading on every request, the health check's ping). One statement is its own snapshot, so
        PostgreSQL runs it outside a transaction block: one round trip instead of three (BEGIN,
        the statement, COMMIT)."""

    def close(self) -> None: ...
