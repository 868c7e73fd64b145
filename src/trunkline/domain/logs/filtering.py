"""FilterLogEvents and the filter pattern syntax for unstructured log events.

A pattern is whitespace-separated terms, each matched case-sensitively as a substring of the
message: a plain term must appear, `-term` must not, and when `?term`s are given at least one of
them must appear. A term in double quotes is matched as written (spaces and punctuation
included). An empty pattern matches every event. JSON (`{ ... }`), space-delimited (`[ ... ]`) and
regular expression (`%...%`) patterns are refused with InvalidParameterException rather than
matched wrongly (docs/decisions.md).

Events come in (timestamp, SEQ) order across the chosen streams, at most `limit` (default and most
10,000) and 1 MB a page, with a `nextToken` while more remain.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import pagination
from trunkline.domain.logs import bad_token, groups, invalid, log_events
from trunkline.domain.logs.kinds import forward_order
from trunkline.domain.logs.records import LogEventRecord

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import logs as shapes

Record = dict[str, Any]


@dataclass(frozen=True)
class Pattern:
    required: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    any_of: tuple[str, ...] = field(default=())

    def matches(self, message: str) -> bool:
        if any(term not in message for term in self.required):
            return False
        if any(term in message for term in self.excluded):
            return False
        return not self.any_of or any(term in message for term in self.any_of)


def parse(text: str | None) -> Pattern:
    stripped = (text or "").strip()
    if not stripped:
        return Pattern()
    if stripped[0] in "{[" or (stripped.startswith("%") and stripped.endswith("%") and len(stripped) > 1):
        raise invalid(
            "trunkline matches filter patterns of terms only; JSON, space-delimited and regular expression "
            "patterns are not supported."
        )
    try:
        terms = shlex.split(stripped, posix=True)
    except ValueError:
        raise invalid(f"Invalid filter pattern: {text}") from None
    required: list[str] = []
    excluded: list[str] = []
    any_of: list[str] = []
    for term in terms:
        if term.startswith("?") and len(term) > 1:
            any_of.append(term[1:])
        elif term.startswith("-") and len(term) > 1:
            excluded.append(term[1:])
        else:
            required.append(term)
    return Pattern(tuple(required), tuple(excluded), tuple(any_of))


def _event_id(event: LogEventRecord) -> str:
    return f"{int(event['t']):020d}{int(event['s']):036d}"


def filter_events(ctx: RequestContext, params: shapes.FilterLogEventsRequest) -> tuple[list[Record], str | None]:
    """FilterLogEvents: the matching events and the token for the next page."""
    group = groups.group_of(ctx, params)
    names, prefix = params.get("logStreamNames"), params.get("logStreamNamePrefix")
    if names and prefix is not None:
        raise invalid("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
    pattern = parse(params.get("filterPattern"))
    start, end = params.get("startTime"), params.get("endTime")
    if start is not None and end is not None and start > end:
        raise invalid("startTime must be less than or equal to endTime.")
    name = group["logGroupName"]
    listing = f"logs:FilterLogEvents|{ctx.region}|{name}"
    low = (log_events.lower_bound(ctx, group, start), 0)
    token = params.get("nextToken")
    if token is not None:
        after = pagination.decode(ctx.tx, listing, token)
        if not isinstance(after, list) or len(after) != 2 or not all(isinstance(n, int) for n in after):
            raise bad_token()
        low = max(low, (after[0], after[1] + 1))
    wanted = set(names or ())

    def chosen(event: LogEventRecord) -> bool:
        stream = str(event["n"])
        if wanted and stream not in wanted:
            return False
        if prefix is not None and not stream.startswith(prefix):
            return False
        return pattern.matches(str(event["m"]))

    limit = params.get("limit") or log_events.READ_LIMIT
    page: list[LogEventRecord] = []
    size = 0
    following: str | None = None
    for event in log_events.walk(ctx, "group_forward", f"{name}|", forward_order(*low)):
        if end is not None and event["t"] >= end:
            break
        if not chosen(event):
            continue
        size += log_events.event_size(event)
        if len(page) == limit or (size > log_events.MAX_BATCH_BYTES and page):
            following = pagination.encode(ctx.tx, listing, list(log_events.position(page[-1])))
            break
        page.append(event)
    shown = [{"logStreamName": e["n"], **log_events.output_event(e), "eventId": _event_id(e)} for e in page]
    return shown, following
