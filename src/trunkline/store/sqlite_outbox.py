"""SQLite's event outbox trimmed by age without an index on the events' times (schema v11).

The outbox is appended in order on one store clock (docs/design.md, "One clock per store"), so its
times rise with its sequence numbers: the events older than the retention window are the oldest
ones, a prefix of the table. Walking that prefix from the oldest event to the first one still
inside the window finds them through the table's own order (the sequence number is its rowid),
reading only the rows about to go, where `events_by_at` cost ~100 bytes a live task (5% of the
state) to answer the same. Should times ever fall back (a state written under another clock), the
walk stops at the first event still inside the window: no event younger than the window is
dropped by age, and the count bound still holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Query = Callable[[str, Sequence[Any]], Any]


def trim_through(query: Query, keep: int, span: float) -> int:
    """The last sequence number retention drops: beyond the newest `keep`, or older than `span`
    seconds before the newest event."""
    newest = query("SELECT seq, at FROM events ORDER BY seq DESC LIMIT 1", ()).fetchone()
    if newest is None:
        return 0
    by_count = max(int(newest[0]) - keep, 0)
    if newest[1] is None:
        return by_count
    return _aged_through(query, by_count, float(newest[1]) - span)


def _aged_through(query: Query, after: int, cutoff: float) -> int:
    """The last sequence number of the prefix after `after` stamped before `cutoff`."""
    kept = query(
        "SELECT seq FROM events WHERE seq > ? AND (at IS NULL OR at >= ?) ORDER BY seq LIMIT 1", (after, cutoff)
    ).fetchone()
    return after if kept is None else max(after, int(kept[0]) - 1)
