"""Invariants of CloudWatch Logs reads and of ECS tag merging, on the domain directly (hypothesis):
paging a stream forward from the head, or backward from the tail, returns every kept event exactly
once in (timestamp, arrival) order whatever the page size; FilterLogEvents pages add up to the
unpaged answer; a filter term list matches exactly the messages holding every required term."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecs_records import NOW, ctx_of
from trunkline.domain.ecs import tag_rules
from trunkline.domain.logs import filtering, groups, log_events, streams
from trunkline.store import open_store
from trunkline.store.api import Store

NOW_MS = int(NOW * 1000)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

_batches = st.lists(
    st.lists(st.integers(min_value=-3600_000, max_value=3600_000), min_size=1, max_size=6).map(sorted),
    min_size=1,
    max_size=5,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(str(tmp_path / "logs.sqlite3"))
    try:
        yield opened
    finally:
        opened.close()


def _fresh(store: Store, batches: list[list[int]]) -> list[tuple[int, str]]:
    """A new group `g` with stream `s` holding the batches (offsets from now, ms); returns what was put."""

    def work(tx: Any) -> list[tuple[int, str]]:
        tx.clear()
        ctx = ctx_of(tx)
        groups.create(ctx, {"logGroupName": "g"}, {})
        streams.create(ctx, "g", "s")
        put: list[tuple[int, str]] = []
        for b, batch in enumerate(batches):
            events = [{"timestamp": NOW_MS + t, "message": f"m{b}.{i}"} for i, t in enumerate(batch)]
            log_events.put(ctx, {"logGroupName": "g", "logStreamName": "s", "logEvents": events})
            put.extend((e["timestamp"], e["message"]) for e in events)
        return put

    return store.run(work)


def _expected(put: list[tuple[int, str]]) -> list[str]:
    # Stable sort: same timestamps keep their arrival order.
    return [m for _, m in sorted(put, key=lambda e: e[0])]


def _get(store: Store, **params: Any) -> dict[str, Any]:
    result: dict[str, Any] = store.run(
        lambda tx: log_events.get(ctx_of(tx), {"logGroupName": "g", "logStreamName": "s", **params})
    )
    return result


@SETTINGS
@given(batches=_batches, limit=st.integers(min_value=1, max_value=7))
def test_forward_paging_returns_every_event_once_in_order(store: Store, batches: list[list[int]], limit: int) -> None:
    expected = _expected(_fresh(store, batches))
    seen: list[str] = []
    page = _get(store, startFromHead=True, limit=limit)
    while page["events"]:
        seen.extend(e["message"] for e in page["events"])
        page = _get(store, nextToken=page["nextForwardToken"], limit=limit)
    assert seen == expected
    assert _get(store, nextToken=page["nextForwardToken"], limit=limit)["nextForwardToken"] == page["nextForwardToken"]


@SETTINGS
@given(batches=_batches, limit=st.integers(min_value=1, max_value=7))
def test_backward_paging_from_the_tail_returns_every_event_once(
    store: Store, batches: list[list[int]], limit: int
) -> None:
    expected = _expected(_fresh(store, batches))
    pages: list[list[str]] = []
    page = _get(store, limit=limit)
    while page["events"]:
        pages.append([e["message"] for e in page["events"]])
        page = _get(store, nextToken=page["nextBackwardToken"], limit=limit)
    assert [m for chunk in reversed(pages) for m in chunk] == expected


@SETTINGS
@given(batches=_batches, limit=st.integers(min_value=1, max_value=5), term=st.sampled_from(["", "m0", ".1", "m1 .0"]))
def test_filter_pages_add_up_to_the_unpaged_answer(
    store: Store, batches: list[list[int]], limit: int, term: str
) -> None:
    put = _fresh(store, batches)
    required = term.split()
    expected = [m for m in _expected(put) if all(t in m for t in required)]

    def page(token: str | None) -> tuple[list[dict[str, Any]], str | None]:
        params: dict[str, Any] = {"logGroupName": "g", "filterPattern": term, "limit": limit}
        if token is not None:
            params["nextToken"] = token
        return store.run(lambda tx: filtering.filter_events(ctx_of(tx), params))

    seen: list[str] = []
    found, token = page(None)
    seen.extend(e["message"] for e in found)
    while token is not None:
        found, token = page(token)
        seen.extend(e["message"] for e in found)
    assert seen == expected


@given(
    current=st.dictionaries(st.sampled_from("abcdef"), st.text(max_size=2), max_size=6),
    given_tags=st.dictionaries(st.sampled_from("abcdefgh"), st.text(max_size=2), max_size=6),
)
def test_ecs_tag_merge_keeps_order_and_takes_the_new_values(
    current: dict[str, str], given_tags: dict[str, str]
) -> None:
    as_list = [{"key": k, "value": v} for k, v in current.items()]
    merged = tag_rules.merged(as_list, [{"key": k, "value": v} for k, v in given_tags.items()])
    assert {t["key"]: t["value"] for t in merged} == {**current, **given_tags}
    assert [t["key"] for t in merged][: len(current)] == list(current)
    assert len({t["key"] for t in merged}) == len(merged)
