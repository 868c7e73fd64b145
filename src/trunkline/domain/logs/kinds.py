"""Every stored kind of CloudWatch Logs record, declared once (see `domain/resource_kind.py`).

Log group and stream names are per account and region (`ACCOUNT_REGION`). Natural keys:
- a group: its name;
- a stream: `GROUP|STREAM` (a group name cannot hold `|`), so a group's streams share a key prefix;
- an event: `GROUP|STREAM:SEQ` (a stream name cannot hold `:`), SEQ twelve digits from one counter
  per store, so a stream's (or a group's) events share a key prefix and (timestamp, SEQ) orders them.
"""

from __future__ import annotations

from trunkline.domain.logs.records import LogEventRecord, LogGroupRecord, LogStreamRecord
from trunkline.domain.resource_kind import NotFound, ResourceKind
from trunkline.store.scope import Scope


def stream_natural_key(group: str, stream: str) -> str:
    return f"{group}|{stream}"


def event_natural_key(group: str, stream: str, seq: int) -> str:
    return f"{group}|{stream}:{seq:012d}"


MAX_TIMESTAMP = 10**20 - 1
MAX_SEQ = 10**12 - 1


def forward_order(timestamp: int, seq: int) -> str:
    """(timestamp, SEQ) as text that sorts as the pair does: the suffix of the ordered indexes."""
    return f"{timestamp:020d}{seq:012d}"


def backward_order(timestamp: int, seq: int) -> str:
    """The same pair, complemented: ascending text order is newest first."""
    return f"{MAX_TIMESTAMP - timestamp:020d}{MAX_SEQ - seq:012d}"


def _event_indexes(event: LogEventRecord) -> dict[str, str | None]:
    stream = f"{event['g']}|{event['n']}:"
    t, s = int(event["t"]), int(event["s"])
    return {
        "stream_forward": stream + forward_order(t, s),
        "stream_backward": stream + backward_order(t, s),
        "group_forward": f"{event['g']}|" + forward_order(t, s),
    }


LOG_GROUP: ResourceKind[LogGroupRecord] = ResourceKind(
    name="logs.group",
    scope=Scope.ACCOUNT_REGION,
    id_field="logGroupName",
    not_found=NotFound("ResourceNotFoundException", "The specified log group does not exist."),
)

LOG_STREAM: ResourceKind[LogStreamRecord] = ResourceKind(
    name="logs.stream",
    scope=Scope.ACCOUNT_REGION,
    id_field="logStreamName",
    record_key=lambda stream: stream_natural_key(stream["_group"], stream["logStreamName"]),
    not_found=NotFound("ResourceNotFoundException", "The specified log stream does not exist."),
)

#: One event: `{g: group, n: stream, s: SEQ, t: timestamp, m: message, i: ingestion time}`, with
#: ordered indexes (`find_from`) so reads walk only the events they return: a stream's events
#: oldest first (`stream_forward`) and newest first (`stream_backward`), a group's oldest first.
LOG_EVENT: ResourceKind[LogEventRecord] = ResourceKind(
    name="logs.event",
    scope=Scope.ACCOUNT_REGION,
    id_field="s",
    record_key=lambda event: event_natural_key(event["g"], event["n"], int(event["s"])),
    indexes=_event_indexes,
)
