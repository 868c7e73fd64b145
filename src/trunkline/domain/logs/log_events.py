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
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.logs import bad_token, groups, invalid, now_ms, streams
from trunkline.domain.logs.kinds import LOG_EVENT, stream_natural_key

Record = dict[str, Any]
Position = tuple[int, int]  # (timestamp, SEQ)

MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD = 26
MAX_SPAN_MS = 24 * 3600 * 1000
TOO_NEW_MS = 2 * 3600 * 1000
TOO_OLD_MS = 14 * 86_400_000
READ_LIMIT = 10_000
_TOKEN = re.compile(r"([fb])/(\d{20})(\d{36})/s")
_BATCH = 1000


# --- PutLogEvents -----------------------------------------------------------------------------------


def _size(events: list[Record]) -> int:
    return sum(len(str(e["message"]).encode()) + EVENT_OVERHEAD for e in events)


def _check_batch(events: list[Record]) -> None:
    stamps = [int(e["timestamp"]) for e in events]
    if any(later < earlier for earlier, later in itertools.pairwise(stamps)):
        raise invalid("Log events in a single PutLogEvents request must be in chronological order.")
    if stamps[-1] - stamps[0] > MAX_SPAN_MS:
        raise invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
    size = _size(events)
    if size > MAX_BATCH_BYTES:
        raise invalid(f"Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}")


def _sort_out(ctx: RequestContext, group: Record, events: list[Record]) -> tuple[int, int, Record]:
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


def put(ctx: RequestContext, params: Record) -> Record:
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


def position(event: Record) -> Position:
    return int(event["t"]), int(event["s"])


def read(ctx: RequestContext, group: Record, natural_prefix: str) -> list[Record]:
    """The stored events under a natural key prefix (a stream's `GROUP|STREAM:` or a group's
    `GROUP|...`) the group's retention still keeps, in (timestamp, SEQ) order."""
    kept_from = groups.oldest_kept(ctx, group)
    prefix = LOG_EVENT.key(ctx, natural_prefix)
    found: list[Record] = []
    after: str | None = None
    while True:
        rows = ctx.tx.scan(LOG_EVENT.name, prefix=prefix, after=after, limit=_BATCH)
        found.extend(e for _, e in rows if kept_from is None or e["t"] >= kept_from)
        if len(rows) < _BATCH:
            break
        after = rows[-1][0]
    return sorted(found, key=position)


def in_range(events: list[Record], start: int | None, end: int | None) -> list[Record]:
    """Events at or after `start` and before `end` (ms), as the API's startTime/endTime mean."""
    return [e for e in events if (start is None or e["t"] >= start) and (end is None or e["t"] < end)]


def output_event(event: Record) -> Record:
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


def _within_bytes(events: list[Record], from_end: bool) -> list[Record]:
    """As many events as fit in the 1 MB a read returns at most, from the head or from the end."""
    ordered = list(reversed(events)) if from_end else events
    kept: list[Record] = []
    total = 0
    for event in ordered:
        total += len(str(event["m"]).encode()) + EVENT_OVERHEAD
        if total > MAX_BATCH_BYTES and kept:
            break
        kept.append(event)
    return list(reversed(kept)) if from_end else kept


def get(ctx: RequestContext, params: Record) -> Record:
    """GetLogEvents: `{events, nextForwardToken, nextBackwardToken}`."""
    group = groups.group_of(ctx, params)
    stream = streams.get(ctx, group["logGroupName"], params["logStreamName"])
    token = _parse_token(params["nextToken"]) if params.get("nextToken") is not None else None
    natural = stream_natural_key(group["logGroupName"], stream["logStreamName"])
    events = in_range(read(ctx, group, f"{natural}:"), params.get("startTime"), params.get("endTime"))
    limit = params.get("limit") or READ_LIMIT
    if token is not None and token.forward:
        page = _within_bytes([e for e in events if position(e) > token.at][:limit], from_end=False)
    elif token is not None:
        page = _within_bytes([e for e in events if position(e) < token.at][-limit:], from_end=True)
    elif params.get("startFromHead"):
        page = _within_bytes(events[:limit], from_end=False)
    else:
        page = _within_bytes(events[-limit:], from_end=True)
    if page:
        forward, backward = position(page[-1]), position(page[0])
    else:
        forward = backward = token.at if token is not None else (0, 0)
    return {
        "events": [output_event(e) for e in page],
        "nextForwardToken": _token("f", forward),
        "nextBackwardToken": _token("b", backward),
    }
