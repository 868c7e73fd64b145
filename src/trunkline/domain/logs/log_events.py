"""Log events: PutLogEvents and GetLogEvents, and the reads FilterLogEvents builds on.

PutLogEvents follows the current API: no sequence token is needed (one given is ignored, and a
token is still answered); the events of one call must be in chronological order and span at most
24 hours, at most 1,048,576 bytes counting each message's UTF-8 bytes plus 26; events more than
2 hours ahead of the clock are rejected from the first such one on (`tooNewLogEventStartIndex`),
events older than 14 days up to the last such one (`tooOldLogEventEndIndex`), and events older than
the group's retention (`expiredLogEventEndIndex`). The rest are stored.

GetLogEvents pages by position tokens: `f/<56 digits>/s` reads on after the newest event returned,
`b/<56 digits>/s` before the oldest. Without a token it reads from the head (`startFromHead`) or
the tail (default). A page that finds nothing answers the token it was given, which is how callers
know they have reached the end. Events the group's retention no longer keeps are not returned.
Reads walk the ordered event indexes (kinds.LOG_EVENT) from where the page starts, so a page
costs what it returns, not the size of the stream.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from trunkline.context import RequestContext
from trunkline.domain.logs import bad_token, groups, invalid, now_ms, streams
from trunkline.domain.logs.kinds import (
    LOG_EVENT,
    MAX_SEQ,
    MAX_TIMESTAMP,
    backward_order,
    forward_order,
    stream_natural_key,
)
from trunkline.domain.logs.records import LogEventRecord, LogGroupRecord

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import logs as shapes

Record = dict[str, Any]

MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD = 26
MAX_SPAN_MS = 24 * 3600 * 1000
TOO_NEW_MS = 2 * 3600 * 1000
TOO_OLD_MS = 14 * 86_400_000
READ_LIMIT = 10_000
_TOKEN = re.compile(r"([fb])/(\d{20})(\d{36})/s")
_BATCH = 500


# --- PutLogEvents -----------------------------------------------------------------------------------


def _size(events: Sequence[Mapping[str, Any]]) -> int:
    return sum(len(str(e["message"]).encode()) + EVENT_OVERHEAD for e in events)


def _check_batch(events: Sequence[Mapping[str, Any]]) -> None:
    stamps = [int(e["timestamp"]) for e in events]
    if any(later < earlier for earlier, later in itertools.pairwise(stamps)):
        raise invalid("Log events in a single PutLogEvents request must be in chronological order.")
    if stamps[-1] - stamps[0] > MAX_SPAN_MS:
        raise invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
    size = _size(events)
    if size > MAX_BATCH_BYTES:
        raise invalid(f"Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}")


def _sort_out(
    ctx: RequestContext, group: LogGroupRecord, events: Sequence[Mapping[str, Any]]
) -> tuple[int, int, Record]:
    """The accepted slice [first, end) of the batch and the rejectedLogEventsInfo for the rest."""
    now = now_ms(ctx)
    stamps = [int(e["timestamp"]) for e in events]
    info: Record = {}
    end = next((i for i, t in enumerate(stamps) if t > now + TOO_NEW_MS), len(stamps))
    if end < len(stamps):
        info["tooNewLogEventStartIndex"] = end
    too_old = [i for i, t in enumerate(stamps[:end]) if t < now - TOO_OLD_MS]
    if too_old:
        info["tooOldLogEventEndIndex"] = too_old[-1]
    first = too_old[-1] + 1 if too_old else 0
    kept_from = groups.oldest_kept(ctx, group)
    if kept_from is not None:
        expired = [i for i in range(first, end) if stamps[i] < kept_from]
        if expired:
            info["expiredLogEventEndIndex"] = expired[-1]
            first = expired[-1] + 1
    return first, end, info


def put(ctx: RequestContext, params: shapes.PutLogEventsRequest) -> Record:
    """PutLogEvents: `{nextSequenceToken, rejectedLogEventsInfo?}`."""
    group = groups.get(ctx, params["logGroupName"])
    stream = streams.get(ctx, group["logGroupName"], params["logStreamName"])
    events = list(params["logEvents"])
    _check_batch(events)
    first, end, info = _sort_out(ctx, group, events)
    accepted = events[first:end]
    now = now_ms(ctx)
    for event in accepted:
        seq = ctx.tx.next_value(LOG_EVENT.name)
        LOG_EVENT.save(
            ctx,
            {
                "g": group["logGroupName"],
                "n": stream["logStreamName"],
                "s": seq,
                "t": int(event["timestamp"]),
                "m": event["message"],
                "i": now,
            },
        )
    if accepted:
        stamps = [int(e["timestamp"]) for e in accepted]
        stream["firstEventTimestamp"] = min(stamps + [stream.get("firstEventTimestamp", stamps[0])])
        stream["lastEventTimestamp"] = max(stamps + [stream.get("lastEventTimestamp", stamps[-1])])
        stream["lastIngestionTime"] = now
        group["_storedBytes"] = int(group.get("_storedBytes", 0)) + _size(accepted)
        groups.save(ctx, group)
    stream["_uploads"] = int(stream.get("_uploads", 0)) + 1
    streams.save(ctx, stream)
    result: Record = {"nextSequenceToken": streams.sequence_token(stream)}
    if info:
        result["rejectedLogEventsInfo"] = info
    return result


# --- reading ----------------------------------------------------------------------------------------

Position = tuple[int, int]  # (timestamp, SEQ)


def position(event: LogEventRecord) -> Position:
    return int(event["t"]), int(event["s"])


def walk(
    ctx: RequestContext, field: str, natural_prefix: str, suffix: str, batch: int = 100
) -> Iterator[LogEventRecord]:
    """Events whose ordered index `field` holds `natural_prefix` followed by at least `suffix`,
    in index order, read from the store `batch` (growing) at a time."""
    prefix = LOG_EVENT.index_value(ctx, field, natural_prefix)
    after: tuple[str, str] | None = None
    while True:
        rows = ctx.tx.find_from(LOG_EVENT.name, field, prefix + suffix, after=after, limit=batch)
        for value, _, event in rows:
            if not value.startswith(prefix):
                return
            yield cast(LogEventRecord, event)  # a row of the event kind (`find_from` reads by raw index value)
        if len(rows) < batch:
            return
        after = (rows[-1][0], rows[-1][1])
        batch = min(batch * 4, _BATCH)


def lower_bound(ctx: RequestContext, group: LogGroupRecord, start: int | None) -> int:
    """The oldest timestamp a read may return: startTime, raised to what the retention keeps."""
    kept_from = groups.oldest_kept(ctx, group)
    return max(start or 0, kept_from or 0, 0)


def output_event(event: LogEventRecord) -> Record:
    return {"timestamp": event["t"], "message": event["m"], "ingestionTime": event["i"]}


@dataclass(frozen=True)
class _Token:
    forward: bool
    at: Position


def _token(direction: str, at: Position) -> str:
    return f"{direction}/{at[0]:020d}{at[1]:036d}/s"


def _parse_token(text: str) -> _Token:
    matched = _TOKEN.fullmatch(text)
    if matched is None:
        raise bad_token()
    return _Token(matched.group(1) == "f", (int(matched.group(2)), int(matched.group(3))))


def event_size(event: LogEventRecord) -> int:
    return len(str(event["m"]).encode()) + EVENT_OVERHEAD


def _take(events: Iterator[LogEventRecord], limit: int, keep: Any) -> list[LogEventRecord]:
    """At most `limit` events while `keep(event)` holds, within the 1 MB a read returns at most."""
    page: list[LogEventRecord] = []
    total = 0
    for event in events:
        if not keep(event):
            break
        total += event_size(event)
        if total > MAX_BATCH_BYTES and page:
            break
        page.append(event)
        if len(page) == limit:
            break
    return page


def _forward(ctx: RequestContext, natural: str, low: Position, end: int | None, limit: int) -> list[LogEventRecord]:
    events = walk(ctx, "stream_forward", natural, forward_order(*low), batch=min(limit + 1, _BATCH))
    return _take(events, limit, lambda e: end is None or e["t"] < end)


def _backward(ctx: RequestContext, natural: str, high: Position, start: int, limit: int) -> list[LogEventRecord]:
    """The newest `limit` events at or before `high`, oldest first."""
    if high[0] < 0 or high < (start, 0):
        return []
    events = walk(ctx, "stream_backward", natural, backward_order(*high), batch=min(limit + 1, _BATCH))
    return list(reversed(_take(events, limit, lambda e: e["t"] >= start)))


def _before(at: Position) -> Position:
    return (at[0], at[1] - 1) if at[1] > 0 else (at[0] - 1, MAX_SEQ)


def get(ctx: RequestContext, params: shapes.GetLogEventsRequest) -> Record:
    """GetLogEvents: `{events, nextForwardToken, nextBackwardToken}`."""
    group = groups.group_of(ctx, params)
    stream = streams.get(ctx, group["logGroupName"], params["logStreamName"])
    token = _parse_token(params["nextToken"]) if params.get("nextToken") is not None else None
    natural = stream_natural_key(group["logGroupName"], stream["logStreamName"]) + ":"
    start = lower_bound(ctx, group, params.get("startTime"))
    end = params.get("endTime")
    newest: Position = (end - 1, MAX_SEQ) if end is not None else (MAX_TIMESTAMP, MAX_SEQ)
    limit = params.get("limit") or READ_LIMIT
    if token is not None and token.forward:
        page = _forward(ctx, natural, max((token.at[0], token.at[1] + 1), (start, 0)), end, limit)
    elif token is not None:
        page = _backward(ctx, natural, min(_before(token.at), newest), start, limit)
    elif params.get("startFromHead"):
        page = _forward(ctx, natural, (start, 0), end, limit)
    else:
        page = _backward(ctx, natural, newest, start, limit)
    if page:
        forward, backward = position(page[-1]), position(page[0])
    else:
        forward = backward = token.at if token is not None else (0, 0)
    return {
        "events": [output_event(e) for e in page],
        "nextForwardToken": _token("f", forward),
        "nextBackwardToken": _token("b", backward),
    }
