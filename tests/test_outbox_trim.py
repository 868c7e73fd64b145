"""Retention's trim of the event outbox at the store (docs/design.md, "Growth"): by count and by
age measured from the newest event, recorded in `trimmed_through`. SQLite (schema v11) finds the
aged events in sequence order, without an index on their times; whatever the store, no event
younger than the window is dropped by age."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import opened_store, postgres_url

HOUR = 3600.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Any]:
    with opened_store(tmp_path) as opened:
        yield opened


def _append(store: Any, *times: float | None) -> None:
    def write(tx: Any) -> None:
        for n, at in enumerate(times):
            tx.append_event({"detail-type": "Test", "n": n}, at)

    store.run(write)


def _left(store: Any) -> list[int]:
    return store.read(lambda tx: [e.seq for e in tx.events_after(0, 100)])


def test_events_older_than_the_window_before_the_newest_go(store: Any) -> None:
    _append(store, 0.0, HOUR, 2 * HOUR, 5 * HOUR, 5.5 * HOUR)
    assert store.run(lambda tx: tx.trim_events(100, 2 * HOUR)) == 3  # before 3.5 h
    assert _left(store) == [4, 5]
    assert store.read(lambda tx: tx.trimmed_through()) == 3
    assert store.run(lambda tx: tx.trim_events(100, 2 * HOUR)) == 0


def test_the_count_bound_holds_with_the_age_bound(store: Any) -> None:
    _append(store, *(float(n) for n in range(10)))
    assert store.run(lambda tx: tx.trim_events(4, 100 * HOUR)) == 6
    assert _left(store) == [7, 8, 9, 10]
    _append(store, None, None)  # events without a time are trimmed by count only
    assert store.run(lambda tx: tx.trim_events(3, 0.0)) == 3
    assert _left(store) == [10, 11, 12]


@pytest.mark.skipif(postgres_url() is not None, reason="SQLite's outbox (PostgreSQL keeps events_by_at)")
def test_sqlite_trims_by_age_in_sequence_order_and_keeps_no_index_of_times(store: Any, tmp_path: Path) -> None:
    # times that fall back (a state written under another clock): the walk stops at the first
    # event inside the window, so the young events before the late old one stay
    _append(store, 0.0, 10 * HOUR, 10 * HOUR, 1.0, 10.5 * HOUR)
    assert store.run(lambda tx: tx.trim_events(100, HOUR)) == 1
    assert _left(store) == [2, 3, 4, 5]
    path = store.description.removeprefix("sqlite ")
    with sqlite3.connect(path) as db:
        indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'events'")}
    assert "events_by_at" not in indexes
