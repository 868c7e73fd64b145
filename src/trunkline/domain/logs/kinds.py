"""Every stored kind of CloudWatch Logs record, declared once (see `domain/resource_kind.py`).

Log group and stream names are per account and region (`ACCOUNT_REGION`). Natural keys:
- a group: its name;
- a stream: `GROUP|STREAM` (a group name cannot hold `|`), so a group's streams share a key prefix;
- an event: `GROUP|STREAM:SEQ` (a stream name cannot hold `:`), SEQ twelve digits from one counter
  per store, so a stream's (or a group's) events share a key prefix and (timestamp, SEQ) orders them.
"""

from __future__ import annotations

from typing import Any

from trunkline.domain.resource_kind import NotFound, ResourceKind
from trunkline.store.scope import Scope

Record = dict[str, Any]


def stream_natural_key(group: str, stream: str) -> str:
    return f"{group}|{stream}"


def event_natural_key(group: str, stream: str, seq: int) -> str:
    return f"{group}|{stream}:{seq:012d}"


LOG_GROUP: ResourceKind[Record] = ResourceKind(
    name="logs.group",
    scope=Scope.ACCOUNT_REGION,
    id_field="logGroupName",
    not_found=NotFound("ResourceNotFoundException", "The specified log group does not exist."),
)

LOG_STREAM: ResourceKind[Record] = ResourceKind(
    name="logs.stream",
    scope=Scope.ACCOUNT_REGION,
    id_field="logStreamName",
    record_key=lambda stream: stream_natural_key(stream["_group"], stream["logStreamName"]),
    not_found=NotFound("ResourceNotFoundException", "The specified log stream does not exist."),
)

#: One event: `{g: group, n: stream, s: SEQ, t: timestamp, m: message, i: ingestion time}`.
LOG_EVENT: ResourceKind[Record] = ResourceKind(
    name="logs.event",
    scope=Scope.ACCOUNT_REGION,
    id_field="s",
    record_key=lambda event: event_natural_key(event["g"], event["n"], int(event["s"])),
)
