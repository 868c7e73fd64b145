"""Reading the event outbox back out, for people and scripts following what trunkline does.

Server side: `GET /_trunkline/events` answers one JSON page, `GET /_trunkline/events/stream` a
server-sent-events stream; both filter by detail-type and cluster and resume after a sequence
number. Client side: what `trunkline events` needs to read them (standard library only).

The store is synchronous, so the stream polls the outbox in small batches, each read one brief
read-only transaction on the store's reading connection (`Store.read`) on a worker thread, with
short sleeps in between: a slow request holding the writing connection never holds back events
already committed, and the event loop is never blocked.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from trunkline.store.api import Document, Store, StoredEvent, Transaction

POLL_SECONDS = 0.05  # how soon an open stream sees a new event
KEEPALIVE_SECONDS = 15.0  # a comment line this often keeps proxies and idle timeouts away
BATCH = 100  # events read per transaction
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
SCAN_BUDGET = 5000  # events one page request reads at most, whatever its filters match
GAP_GRACE_SECONDS = 1.0  # how long a stream waits for a missing sequence number to commit

_PAGE_PARAMS = frozenset({"after", "limit", "detail-type", "cluster"})
_STREAM_PARAMS = frozenset({"after", "detail-type", "cluster"})


class BadRequest(ValueError):
    """A query parameter trunkline cannot use; answered with HTTP 400."""


# --- filters and pages (pure) ----------------------------------------------------------------


@dataclass(frozen=True)
class EventFilter:
    """Which events a reader wants: any of `detail_types` (all when empty), of one cluster."""

    detail_types: frozenset[str] = frozenset()
    cluster: str | None = None  # a cluster name or ARN, matched against detail.clusterArn

    def matches(self, event: Document) -> bool:
        if self.detail_types and event.get("detail-type") not in self.detail_types:
            return False
        if self.cluster is None:
            return True
        detail = event.get("detail")
        cluster_arn = detail.get("clusterArn") if isinstance(detail, dict) else None
        if not isinstance(cluster_arn, str):
            return False
        if self.cluster.startswith("arn:"):
            return cluster_arn == self.cluster
        return cluster_arn.endswith(":cluster/" + self.cluster)


def parse_filter(detail_types: Iterable[str], cluster: str | None) -> EventFilter:
    """`detail-type` may repeat and may list several types separated by commas."""
    wanted = frozenset(part.strip() for value in detail_types for part in value.split(",") if part.strip())
    if cluster is not None and not cluster.strip():
        raise BadRequest("cluster must name a cluster (its name or ARN)")
    return EventFilter(wanted, cluster.strip() if cluster is not None else None)


MAX_SEQ = 2**63 - 1  # sequence numbers are 64-bit in both stores


def _ascii_number(raw: str) -> int | None:
    """`raw` as a non-negative integer, ASCII digits only: `str.isdigit` also accepts `²` and
    other Unicode digits that `int` then refuses, and a long string of digits is refused here
    before `int` has to read it."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19:
        return None
    return int(raw)


def parse_seq(raw: str | None, name: str) -> int:
    if raw is None or raw == "":
        return 0
    seq = _ascii_number(raw)
    if seq is None or seq > MAX_SEQ:
        raise BadRequest(f"{name} must be an event sequence number (an integer from 0 to {MAX_SEQ}), not {raw!r}")
    return seq


def parse_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    number = _ascii_number(raw)
    if number is None or not 1 <= number <= MAX_LIMIT:
        raise BadRequest(f"limit must be an integer from 1 to {MAX_LIMIT}, not {raw!r}")
    return number


@dataclass(frozen=True)
class Page:
    events: list[StoredEvent]
    last_seq: int  # every event up to here was considered: resume with after=last_seq


def read_page(tx: Transaction, after: int, limit: int, wanted: EventFilter, budget: int = SCAN_BUDGET) -> Page:
    """Up to `limit` matching events after `after`. Reads at most `budget` events, so a filter
    that matches little cannot make one request scan the whole outbox: such a page may come back
    short (even empty) with `last_seq` moved on. Caught up means `last_seq == after`."""
    matched: list[StoredEvent] = []
    position = after
    scanned = 0
    while len(matched) < limit and scanned < budget:
        batch = tx.events_after(position, min(BATCH, budget - scanned))
        if not batch:
            break
        for event in batch:
            position = event.seq
            scanned += 1
            if wanted.matches(event.body):
                matched.append(event)
                if len(matched) == limit:
                    break
    return Page(matched, position)


@dataclass
class Cursor:
    """Where a stream is in the outbox.

    Sequence numbers are handed out when an event is written, not when it commits. With several
    processes on one PostgreSQL database, number 11 can commit before 10 does; a reader that
    skipped ahead to 11 would never see 10. So after a number the stream has itself seen, a hole
    is waited for (briefly: a rolled-back write leaves a hole for good). A position the client
    gave (`after`, Last-Event-ID) is trusted as is: holes behind the first event past it are old
    (a reset, a rollback) in all but a race of a few milliseconds.
    """

    seq: int
    observed: bool = False  # whether `seq` is a number this stream read from the outbox
    hole_since: float | None = field(default=None, repr=False)

    def take(self, batch: list[StoredEvent], now: float) -> list[StoredEvent]:
        """The events of `batch` (read after `seq`) that may be delivered now, in order."""
        ready: list[StoredEvent] = []
        for event in batch:
            if self.observed and event.seq != self.seq + 1:
                if self.hole_since is None:
                    self.hole_since = now
                if now - self.hole_since < GAP_GRACE_SECONDS:
                    break
            ready.append(event)
            self.seq = event.seq
            self.observed = True
            self.hole_since = None
        return ready


# --- server-sent events ----------------------------------------------------------------------

KEEPALIVE = ": keep-alive\n\n"
RETRY = "retry: 1000\n\n"  # how long EventSource clients wait before reconnecting


MISSED = "trunkline.missed"  # the SSE event type that tells a reader it is behind the retention window


def missed(after: int, trimmed: int) -> dict[str, object]:
    """What a reader behind the retention window is told: the events after `after` up to and
    including `trimmed` were dropped by retention before it read them."""
    return {
        "after": after,
        "through": trimmed,
        "message": f"events {after + 1} to {trimmed} were dropped by retention before they were read",
    }


def sse_message(event: StoredEvent) -> str:
    """One SSE message; the JSON is on one line (json.dumps escapes newlines inside strings)."""
    body = json.dumps(event.body, separators=(",", ":"))
    return f"id: {event.seq}\nevent: {event.body.get('detail-type', 'message')}\ndata: {body}\n\n"


def _events_after(seq: int, tx: Transaction) -> list[StoredEvent]:
    return tx.events_after(seq, BATCH)


async def follow(
    store: Store,
    cursor: Cursor,
    wanted: EventFilter,
    stopping: threading.Event,
    disconnected: Callable[[], Awaitable[bool]],
) -> AsyncIterator[str]:
    """SSE text for every matching event after the cursor, until the client leaves or the server
    stops. Yields to the event loop between batches so other requests are served meanwhile."""
    yield RETRY
    quiet_since = time.monotonic()
    while not stopping.is_set() and not await disconnected():
        batch = await run_in_threadpool(store.read, functools.partial(_events_after, cursor.seq))
        if batch and batch[0].seq > cursor.seq + 1:  # a hole: in flight, rolled back, or dropped by retention
            trimmed = await run_in_threadpool(store.read, lambda tx: tx.trimmed_through())
            if cursor.seq < trimmed:
                yield f"event: {MISSED}\ndata: {json.dumps(missed(cursor.seq, trimmed))}\n\n"
                cursor.seq, cursor.observed, cursor.hole_since = trimmed, False, None
        now = time.monotonic()
        ready = cursor.take(batch, now)
        for event in ready:
            if wanted.matches(event.body):
                yield sse_message(event)
                quiet_since = now
        if now - quiet_since >= KEEPALIVE_SECONDS:
            yield KEEPALIVE
            quiet_since = now
        # A full batch taken whole means more are waiting: read on without the pause.
        await asyncio.sleep(0 if len(batch) == BATCH and len(ready) == BATCH else POLL_SECONDS)


# --- the HTTP endpoints ----------------------------------------------------------------------


class EventStreams:
    """The two endpoints, bound to one runtime's store and to the server's shutdown flag."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # Set when the server begins to shut down: uvicorn waits for open responses to finish,
        # and a stream would otherwise never finish.
        self.stopping = threading.Event()

    def routes(self) -> list[Route]:
        return [
            Route("/_trunkline/events", self.page, methods=["GET"]),
            Route("/_trunkline/events/stream", self.stream, methods=["GET"]),
        ]

    async def page(self, request: Request) -> Response:
        params = request.query_params
        try:
            _check_params(params.keys(), _PAGE_PARAMS)
            after = parse_seq(params.get("after"), "after")
            limit = parse_limit(params.get("limit"))
            wanted = parse_filter(params.getlist("detail-type"), params.get("cluster"))
        except BadRequest as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        found, trimmed = await run_in_threadpool(
            self.store.read, lambda tx: (read_page(tx, after, limit, wanted), tx.trimmed_through())
        )
        page: dict[str, object] = {"events": [event.body for event in found.events], "lastSeq": found.last_seq}
        if after < trimmed:
            page["missed"] = missed(after, trimmed)
        return JSONResponse(page)

    async def stream(self, request: Request) -> Response:
        params = request.query_params
        try:
            _check_params(params.keys(), _STREAM_PARAMS)
            # A reconnecting EventSource sends the last id it saw; it is later than `after`.
            resume = request.headers.get("last-event-id")
            after = parse_seq(resume, "Last-Event-ID") if resume else parse_seq(params.get("after"), "after")
            wanted = parse_filter(params.getlist("detail-type"), params.get("cluster"))
        except BadRequest as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        messages = follow(self.store, Cursor(after), wanted, self.stopping, request.is_disconnected)
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(messages, media_type="text/event-stream", headers=headers)


def _check_params(given: Iterable[str], known: frozenset[str]) -> None:
    # A misspelt filter would silently match everything; say so instead.
    unknown = sorted(set(given) - known)
    if unknown:
        raise BadRequest(f"unknown parameter {unknown[0]!r}; use {', '.join(sorted(known))}")


def stop_streams(app: object) -> None:
    """End every open stream of `app` (an app from `create_app`): the server is shutting down."""
    streams = getattr(getattr(app, "state", None), "event_streams", None)
    if isinstance(streams, EventStreams):
        streams.stopping.set()


# --- the client side, for `trunkline events` -------------------------------------------------


class ClientError(Exception):
    """The server could not be reached, or refused the request."""


@dataclass(frozen=True)
class SseMessage:
    id: str | None
    event: str
    data: str


def parse_sse(lines: Iterable[str]) -> Iterator[SseMessage]:
    """Messages from SSE text lines (comments and `retry:` skipped), as EventSource reads them."""
    last_id: str | None = None
    event = ""
    data: list[str] = []
    for raw in lines:
        line = raw.rstrip("\n").rstrip("\r")
        if not line:
            if data:
                yield SseMessage(last_id, event or "message", "\n".join(data))
            event, data = "", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
        elif name == "id":
            last_id = value


def query(after: int, detail_types: Iterable[str], cluster: str | None, limit: int | None = None) -> str:
    pairs: list[tuple[str, str]] = [("after", str(after))]
    if limit is not None:
        pairs.append(("limit", str(limit)))
    pairs += [("detail-type", value) for value in detail_types]
    if cluster:
        pairs.append(("cluster", cluster))
    return urllib.parse.urlencode(pairs)


def fetch_all(endpoint: str, after: int, detail_types: list[str], cluster: str | None) -> Iterator[Document]:
    """Every matching event after `after`, page by page, until caught up."""
    while True:
        url = f"{endpoint.rstrip('/')}/_trunkline/events?{query(after, detail_types, cluster, MAX_LIMIT)}"
        with _open(url, {}, timeout=60) as response:
            page = json.loads(response.read())
        if "missed" in page:
            print(f"trunkline events: {page['missed']['message']}", file=sys.stderr)
        yield from page["events"]
        if page["lastSeq"] == after:
            return
        after = int(page["lastSeq"])


def stream_events(endpoint: str, after: int, detail_types: list[str], cluster: str | None) -> Iterator[Document]:
    """Matching events after `after`, as they happen; ends when the server ends the stream."""
    url = f"{endpoint.rstrip('/')}/_trunkline/events/stream?{query(after, detail_types, cluster)}"
    # Keep-alives arrive every 15 s: three missed ones mean the server is gone.
    with _open(url, {"Accept": "text/event-stream"}, timeout=3 * KEEPALIVE_SECONDS) as response:
        lines = (raw.decode("utf-8") for raw in response)
        for message in parse_sse(lines):
            if message.event == MISSED:
                print(f"trunkline events: {json.loads(message.data)['message']}", file=sys.stderr)
                continue
            yield json.loads(message.data)


def _open(url: str, headers: dict[str, str], timeout: float) -> Any:
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace")
        with contextlib.suppress(ValueError, KeyError, TypeError):
            detail = json.loads(detail)["error"]  # trunkline's own {"error": ...} answers
        raise ClientError(f"{url}: HTTP {error.code}: {detail}") from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ClientError(f"cannot reach trunkline at {url}: {reason}") from error


def describe(event: Document) -> str:
    """One human-readable line: time, detail-type, resource, status, version, reason."""
    found = event.get("detail")
    detail: Document = found if isinstance(found, dict) else {}
    parts = [str(event.get("time", "-")), str(event.get("detail-type", "-")), _subject(event, detail)]
    parts.append(str(_status(detail)))
    if "version" in detail:
        parts.append(f"version {detail['version']}")
    reason = detail.get("statusReason") or detail.get("stoppedReason") or detail.get("StatusMessage")
    if reason:
        parts.append(f"reason: {reason}")
    return "  ".join(parts)


def _subject(event: Document, detail: Document) -> str:
    """What the event is about: `container-instance/CLUSTER/ID` out of an ECS ARN; for Auto
    Scaling's events (whose first resource is the group's long ARN) the group and its instance."""
    group = detail.get("AutoScalingGroupName")
    if group:
        instance = detail.get("EC2InstanceId")
        return f"autoScalingGroup/{group}" + (f"/{instance}" if instance else "")
    resources = event.get("resources") or ["-"]
    return str(resources[0]).split(":", 5)[-1]


def _status(detail: Document) -> object:
    """ECS events carry `lastStatus` or `status`; Auto Scaling's a `StatusCode` (activities) or a
    `LifecycleTransition` (lifecycle actions)."""
    for key in ("lastStatus", "status", "StatusCode", "LifecycleTransition"):
        if detail.get(key):
            return detail[key]
    return "-"
