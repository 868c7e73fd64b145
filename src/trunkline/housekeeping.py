"""Keeping the store from growing without bound: the event outbox keeps events for a while (by
age and by count), and STOPPED tasks are kept as long as ECS shows them (about an hour). One pass
runs in one transaction, by one process at a time on a shared store (docs/design.md, "Growth")."""

from __future__ import annotations

from dataclasses import dataclass

from trunkline.context import Principal, RequestContext
from trunkline.store.api import Transaction
from trunkline.timing import Timing

DEFAULT_EVENT_HOURS = 24.0
DEFAULT_EVENT_COUNT = 100_000


@dataclass(frozen=True)
class Retention:
    event_seconds: float = DEFAULT_EVENT_HOURS * 3600
    event_count: int = DEFAULT_EVENT_COUNT
    stopped_task_seconds: float | None = None  # None: ECS's own (tasks.STOPPED_RETENTION)


@dataclass(frozen=True)
class Swept:
    events: int = 0
    tasks: int = 0


def sweep(tx: Transaction, now: float, retention: Retention, timing: Timing, account: str, region: str) -> Swept:
    """One pass, unless another process is doing one (then nothing)."""
    if not tx.try_lead("housekeeping"):
        return Swept()
    events = tx.trim_events(retention.event_count, retention.event_seconds)
    from trunkline.domain.ecs import tasks  # on the first pass: start-up does not wait for the ECS domain

    ctx = RequestContext(tx, Principal.root(account), region, now, timing)
    kept = retention.stopped_task_seconds
    forgotten = tasks.forget_stopped(ctx) if kept is None else tasks.forget_stopped(ctx, kept)
    return Swept(events, forgotten)
