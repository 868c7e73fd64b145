"""Log streams: CreateLogStream, DeleteLogStream, DescribeLogStreams.

Record (kinds.LOG_STREAM, keyed `GROUP|STREAM`): `logStreamName`, `creationTime`,
and once events arrive `firstEventTimestamp`, `lastEventTimestamp`, `lastIngestionTime`;
`_group` (the group name), `_uploads` (PutLogEvents calls so far: the sequence token).

DescribeLogStreams orders by name (default) or by `lastEventTimestamp` (streams without events
first), ascending unless `descending`; a name prefix cannot be combined with LastEventTime ordering
(AWS's rule and text).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import pagination
from trunkline.domain.logs import bad_token, group_arn, groups, invalid, now_ms
from trunkline.domain.logs.kinds import LOG_EVENT, LOG_STREAM, stream_natural_key
from trunkline.domain.logs.records import LogStreamRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import logs as shapes

Record = dict[str, Any]

DESCRIBE_PAGE = 50
_BATCH = 500


def find(ctx: RequestContext, group: str, name: str) -> LogStreamRecord | None:
    return LOG_STREAM.get(ctx, stream_natural_key(group, name))


def get(ctx: RequestContext, group: str, name: str) -> LogStreamRecord:
    return LOG_STREAM.require(ctx, stream_natural_key(group, name))


def save(ctx: RequestContext, record: LogStreamRecord) -> None:
    LOG_STREAM.save(ctx, record)


def sequence_token(record: LogStreamRecord) -> str:
    """The deprecated sequence token, still reported: 56 digits counting the stream's uploads."""
    return str(int(record.get("_uploads", 0)) + 1).zfill(56)


def create(ctx: RequestContext, group: str, name: str) -> LogStreamRecord:
    groups.get(ctx, group)
    if find(ctx, group, name) is not None:
        raise AwsError("ResourceAlreadyExistsException", "The specified log stream already exists")
    record: LogStreamRecord = {"logStreamName": name, "creationTime": now_ms(ctx), "_group": group, "_uploads": 0}
    save(ctx, record)
    return record


def delete(ctx: RequestContext, group: str, name: str) -> None:
    groups.get(ctx, group)
    natural = stream_natural_key(group, name)
    LOG_STREAM.require(ctx, natural)
    groups.delete_under(ctx, LOG_EVENT, f"{natural}:")
    LOG_STREAM.delete(ctx, natural)


def view(ctx: RequestContext, record: LogStreamRecord) -> Record:
    """The LogStream shape (`storedBytes` is deprecated and always 0 at AWS)."""
    shown: Record = {k: v for k, v in record.items() if not k.startswith("_")}
    shown["arn"] = f"{group_arn(ctx, record['_group'])}:log-stream:{record['logStreamName']}"
    shown["storedBytes"] = 0
    shown["uploadSequenceToken"] = sequence_token(record)
    return shown


def of_group(ctx: RequestContext, group: str, prefix: str = "") -> list[LogStreamRecord]:
    return [record for _, record in LOG_STREAM.walk(ctx, f"{group}|{prefix}", batch=_BATCH)]


def _sort_key(order: str) -> Any:
    if order == "LastEventTime":
        return lambda r: (r.get("lastEventTimestamp", -1), r["logStreamName"])
    return lambda r: r["logStreamName"]


def describe(ctx: RequestContext, params: shapes.DescribeLogStreamsRequest) -> tuple[list[Record], str | None]:
    group = groups.group_of(ctx, params)["logGroupName"]
    order = params.get("orderBy") or "LogStreamName"
    prefix = params.get("logStreamNamePrefix")
    if prefix is not None and order == "LastEventTime":
        raise invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
    descending = bool(params.get("descending"))
    records = sorted(of_group(ctx, group, prefix or ""), key=_sort_key(order), reverse=descending)
    listing = f"logs:DescribeLogStreams|{ctx.region}|{group}|{order}|{descending}|{prefix or ''}"
    start = 0
    token = params.get("nextToken")
    if token is not None:
        position = pagination.decode(ctx.tx, listing, token)
        if not isinstance(position, int):
            raise bad_token()
        start = position
    size = params.get("limit") or DESCRIBE_PAGE
    page = records[start : start + size]
    following = pagination.encode(ctx.tx, listing, start + size) if len(records) > start + size else None
    return [view(ctx, r) for r in page], following
