"""Advances due transitions: the jobs services schedule for later (an instance finishing boot, a
trunk being provisioned). Each batch runs in one transaction, so a transition and whatever it
causes commit together or not at all."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from trunkline.clock import Clock, ManualClock
from trunkline.context import Principal, RequestContext
from trunkline.domain.identity import Keyring
from trunkline.quotas import DEFAULTS, Quotas
from trunkline.reactions import NONE, Reactions
from trunkline.store.api import JOB_LOCK, JOB_READS, Job, RepeatableRead, Store, Transaction
from trunkline.timing import Timing

log = logging.getLogger("trunkline.reconciler")

JobHandler = Callable[[RequestContext, dict[str, Any]], None]

_BATCH = 200
# Jobs per transaction in the background pass. The server runs requests and these transactions on
# one worker, in turn: a request that arrives during a pass waits for the chunk running, not for
# the pass (a RunTask of ten awsvpc tasks makes ~30 steps, ~10 ms of work, due together).
_CHUNK = 8
_SETTLE_LIMIT = 100_000  # jobs; a settle that runs this many is a runaway loop, not a workload
# Seconds (store clock) another process's due job is left to that process's background pass before
# this one's adopts it (that process stopped, or fell behind). Its own pass runs it within a tick of
# its due time; taking it here instead would take the cluster's lock its requests are about to want.
_OTHERS_AFTER = 1.0


def _due(tx: Transaction, *, at: float) -> list[Job]:
    return tx.due_jobs(at, _BATCH, others_after=_OTHERS_AFTER)


def _first_read(job: Job) -> tuple[str, str] | None:
    kind, key = job.payload.get(JOB_READS), job.payload.get("key")
    return (kind, key) if isinstance(kind, str) and isinstance(key, str) else None


Chunk = tuple[str | None, list[int]]  # a lock scope and the ids of some of its due jobs, in due order


def _by_scope(jobs: list[Job]) -> list[Chunk]:
    """The jobs' ids by their lock scope, scopes in the order of their first due job, each cut
    into chunks of `_CHUNK` (a scope's chunks in due order)."""
    groups: dict[str | None, list[int]] = {}
    for job in jobs:
        scope = job.payload.get(JOB_LOCK)
        groups.setdefault(scope if isinstance(scope, str) else None, []).append(job.id)
    return [(scope, ids[at : at + _CHUNK]) for scope, ids in groups.items() for at in range(0, len(ids), _CHUNK)]


@dataclass(frozen=True)
class Listing:
    """What a background pass found due: its chunks, and whether there may be more after them."""

    chunks: list[Chunk]
    more: bool


@dataclass
class Reconciler:
    store: Store
    clock: Clock
    timing: Timing
    default_account: str
    default_region: str
    handlers: Mapping[str, JobHandler]  # by job name
    enforce_iam: bool = False  # handed to every job's context (the simulated agent calls ECS as its role)
    keyring: Keyring | None = None  # so a job that issues credentials seals them with the server's key
    reactions: Reactions = NONE
    quotas: Quotas = DEFAULTS
    # The document kinds the jobs of a lock scope may write under REPEATABLE READ (`RepeatableRead`);
    # none: that scope's jobs run SERIALIZABLE. Given by the domain (cluster_lock.repeatable_writes).
    repeatable_writes: Callable[[str], frozenset[str]] = lambda scope: frozenset()
    # The documents the jobs of the last listing read first (`JOB_READS`), by job id: each chunk
    # asks for its jobs' with its claim, in one round trip on PostgreSQL.
    _reads: dict[int, tuple[str, str]] = field(default_factory=dict, init=False, repr=False)

    def run_due(self, now: float | None = None, lead: bool = False) -> int:
        """Run every job due by `now` (default: the clock's now); returns how many ran. With
        `lead`, as the background pass runs them (`_run_due_by_scope`): by lock scope, in chunks,
        leaving to another process the chunks it holds the lock of (the server runs the same pass
        a chunk at a time on its store worker: app._background_pass)."""
        if lead:
            return self._run_due_by_scope(now)
        total = 0
        while True:
            batch = partial(self._batch, now=self.clock.now() if now is None else now, lead=lead)
            ran = self.store.run(batch)
            total += ran
            if ran < _BATCH:
                return total

    def _run_due_by_scope(self, now: float | None) -> int:
        """The background pass. Due jobs are listed on the store's reading connection, then run
        in one transaction per lock scope (`JOB_LOCK`: a task's step names its cluster's), each
        holding its lock from its start and claiming its jobs by id. So on a shared PostgreSQL a
        step never overlaps a placement in its cluster, and no pass reads the queue's index where
        every request adds its jobs: neither can fail serialisation against the other. Jobs of
        one scope run in due order; jobs of different scopes are independent and may run in
        either order (docs/decisions.md)."""
        total = 0
        while True:
            listing = self.list_due(now)
            ran = sum(self.run_chunk(scope, ids) for scope, ids in listing.chunks)
            total += ran
            if not listing.more or ran == 0:
                return total

    def list_due(self, now: float | None = None) -> Listing:
        """The first step of a background pass (`_run_due_by_scope`): the due jobs, listed on the
        reading connection and cut into chunks for `run_chunk`."""
        at = self.clock.now() if now is None else now
        # On a shared PostgreSQL, this process's jobs (and others' overdue ones): each process runs
        # the steps its own requests scheduled, so it neither takes another process's cluster lock
        # for that process's steps (its next request there would wait) nor tries and leaves them.
        due = self.store.read(partial(_due, at=at))
        self._reads = {job.id: read for job in due if (read := _first_read(job)) is not None}
        # Each chunk decides whether it may run now (`_claimed`): its cluster's lock, or the
        # reconciler's lead for unscoped jobs; a chunk another process is running is left to it.
        return Listing(_by_scope(due), len(due) == _BATCH)

    def run_chunk(self, scope: str | None, ids: list[int]) -> int:
        """One chunk of a background pass, in one transaction holding its scope's lock; returns
        how many of its jobs ran (0 when another process holds that lock, or for unscoped jobs
        the reconciler's lead)."""
        claimed = partial(self._claimed, ids=ids, scope=scope)
        writes = self.repeatable_writes(scope) if scope is not None else frozenset()
        if scope is None or not writes:
            return self.store.run(claimed)
        # The scope's lock held from before the snapshot; if someone holds it, a later pass (here or
        # in the process that holds it) runs these jobs, rather than this process's queue waiting
        # behind it.
        return self.store.run(RepeatableRead(claimed, scope, writes, wait=False, otherwise=0))

    def _claimed(self, tx: Transaction, *, ids: list[int], scope: str | None) -> int:
        # A scope's chunk holds the scope's lock: processes take turns per cluster, and the claim
        # (by id, FOR UPDATE SKIP LOCKED) runs each job once. Unscoped jobs take turns over the
        # whole reconciler, as every chunk did before.
        if scope is not None:
            tx.lock(scope)
        elif not tx.try_lead("reconciler"):
            return 0
        tx.prefetch(gets=[self._reads[n] for n in ids if n in self._reads])  # with the claim
        jobs = tx.claim(ids)
        for job in jobs:
            self._run(tx, job)
            tx.finish(job)
        return len(jobs)

    def _batch(self, tx: Transaction, *, now: float, lead: bool = False) -> int:
        if lead and not tx.try_lead("reconciler"):
            return 0
        jobs = tx.claim_due(now, _BATCH)
        for job in jobs:
            self._run(tx, job)
            tx.finish(job)
        return len(jobs)

    def _run(self, tx: Transaction, job: Job) -> None:
        handler = self.handlers.get(job.name)
        if handler is None:
            log.error("no handler for job %s; dropped", job.name)
            return
        account = job.payload.get("account", self.default_account)
        region = job.payload.get("region", self.default_region)
        # A job runs at its due time, so timestamps it writes are those AWS would show.
        ctx = RequestContext(
            tx,
            Principal.root(account),
            region,
            max(job.due_at, 0.0),
            self.timing,
            enforce_iam=self.enforce_iam,
            keyring=self.keyring,
            reactions=self.reactions,
            quotas=self.quotas,
        )
        handler(ctx, job.payload)

    def advance(self, seconds: float) -> int:
        """Manual clock: move forward, running each job at its own due time on the way."""
        assert isinstance(self.clock, ManualClock)
        target = self.clock.now() + seconds
        total = 0
        while total < _SETTLE_LIMIT:
            due = self.store.run(lambda tx: tx.next_due_at())
            if due is None or due > target:
                break
            self.clock.set(due)
            total += self.run_due(due)
        self.clock.set(target)
        return total

    def settle(self) -> int:
        """Run until nothing is scheduled. On a manual clock, time jumps to each due time; on a real
        clock, due times in the future are brought forward (docs/design.md, "Time")."""
        total = 0
        while total < _SETTLE_LIMIT:
            due = self.store.run(lambda tx: tx.next_due_at())
            if due is None:
                break
            if isinstance(self.clock, ManualClock):
                self.clock.set(due)
            total += self.run_due(max(due, self.clock.now()))
        return total
