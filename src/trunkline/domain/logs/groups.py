"""Log groups: CreateLogGroup, DeleteLogGroup, DescribeLogGroups, PutRetentionPolicy,
DeleteRetentionPolicy, and how every other Logs call finds a group (by name or identifier).

Record (kinds.LOG_GROUP, keyed by name): `logGroupName`, `creationTime` (ms),
`retentionInDays` (absent: never expire), `kmsKeyId`, `logGroupClass` (STANDARD unless given),
`deletionProtectionEnabled`, `tags` (a map), `_storedBytes` (message bytes put so far).

Texts: AWS's for the observed cases ("The specified log group already exists", "The specified log
group does not exist.", the retention enum message); decided ones are in docs/decisions.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypedDict

from trunkline.context import RequestContext
from trunkline.domain import pagination
from trunkline.domain.logs import bad_token, group_arn, invalid, now_ms
from trunkline.domain.logs.kinds import LOG_EVENT, LOG_GROUP, LOG_STREAM
from trunkline.domain.logs.records import LogGroupRecord
from trunkline.domain.resource_kind import ResourceKind
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import logs as shapes

Record = dict[str, Any]

#: The retention periods PutRetentionPolicy accepts, in days.
RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
DESCRIBE_PAGE = 50
_BATCH = 500


def find(ctx: RequestContext, name: str) -> LogGroupRecord | None:
    return LOG_GROUP.get(ctx, name)


def get(ctx: RequestContext, name: str) -> LogGroupRecord:
    return LOG_GROUP.require(ctx, name)


def save(ctx: RequestContext, record: LogGroupRecord) -> None:
    LOG_GROUP.save(ctx, record)


def name_of_identifier(ctx: RequestContext, identifier: str) -> str:
    """The group a `logGroupIdentifier` names: a name, or a log-group ARN of this account and
    region (with or without the trailing `:*`)."""
    if not identifier.startswith("arn:"):
        return identifier
    parts = identifier.split(":")
    if len(parts) < 7 or parts[2] != "logs" or parts[5] != "log-group":
        raise invalid(f"The specified log group identifier {identifier} is not valid.")
    if parts[3] != ctx.region or parts[4] != ctx.account_id:
        raise LOG_GROUP.missing(identifier)
    name = parts[6]
    if len(parts) > 8 or (len(parts) == 8 and parts[7] != "*"):
        raise invalid(f"The specified log group identifier {identifier} is not valid.")
    return name


class GroupReference(TypedDict, total=False):
    """A log group named by `logGroupName` or `logGroupIdentifier` (GetLogEvents, DescribeLogStreams, ...)."""

    logGroupName: str
    logGroupIdentifier: str


def group_of(ctx: RequestContext, params: GroupReference) -> LogGroupRecord:
    """The group a call names by `logGroupName` or `logGroupIdentifier` (exactly one of them)."""
    name, identifier = params.get("logGroupName"), params.get("logGroupIdentifier")
    if name is not None and identifier is not None:
        raise invalid("LogGroup name and LogGroup identifier are mutually exclusive parameters.")
    if name is None and identifier is None:
        raise invalid("Either logGroupName or logGroupIdentifier must be specified.")
    return get(ctx, name if name is not None else name_of_identifier(ctx, str(identifier)))


# --- CreateLogGroup ---------------------------------------------------------------------------------


def create(ctx: RequestContext, params: shapes.CreateLogGroupRequest, tags: dict[str, str]) -> LogGroupRecord:
    """CreateLogGroup; `tags` already checked (group_tags.check)."""
    name = str(params["logGroupName"])
    if name.startswith("aws/"):
        raise invalid("Log group names cannot start with 'aws/': that prefix is reserved for AWS.")
    if find(ctx, name) is not None:
        raise AwsError("ResourceAlreadyExistsException", "The specified log group already exists")
    record: LogGroupRecord = {
        "logGroupName": name,
        "creationTime": now_ms(ctx),
        "logGroupClass": params.get("logGroupClass") or "STANDARD",
        "deletionProtectionEnabled": bool(params.get("deletionProtectionEnabled")),
        "tags": dict(tags),
        "_storedBytes": 0,
    }
    if params.get("kmsKeyId"):
        record["kmsKeyId"] = params["kmsKeyId"]
    save(ctx, record)
    return record


# --- DeleteLogGroup ---------------------------------------------------------------------------------


def delete_under(ctx: RequestContext, kind: ResourceKind[Any], prefix: str) -> None:
    """Delete every record of `kind` whose own key starts with `prefix`."""
    while True:
        rows = kind.batch(ctx, prefix, limit=_BATCH)
        for key, _ in rows:
            kind.delete_at_key(ctx, key)
        if len(rows) < _BATCH:
            return


def delete(ctx: RequestContext, name: str) -> None:
    """DeleteLogGroup: the group, its streams and their events."""
    record = get(ctx, name)
    if record.get("deletionProtectionEnabled"):
        raise AwsError(
            "ValidationException",
            "Deletion protection is enabled for this log group: disable it before deleting the log group.",
        )
    delete_under(ctx, LOG_EVENT, f"{name}|")
    delete_under(ctx, LOG_STREAM, f"{name}|")
    LOG_GROUP.delete(ctx, name)


# --- retention --------------------------------------------------------------------------------------


def put_retention(ctx: RequestContext, name: str, days: int) -> None:
    if days not in RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in RETENTION_DAYS)
        raise invalid(
            f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{allowed}]"
        )
    record = get(ctx, name)
    record["retentionInDays"] = days
    save(ctx, record)


def delete_retention(ctx: RequestContext, name: str) -> None:
    record = get(ctx, name)
    record.pop("retentionInDays", None)
    save(ctx, record)


def oldest_kept(ctx: RequestContext, record: LogGroupRecord) -> int | None:
    """The oldest timestamp (ms) the group's retention still keeps, or None (kept forever)."""
    days = record.get("retentionInDays")
    return None if days is None else now_ms(ctx) - int(days) * 86_400_000


# --- DescribeLogGroups ------------------------------------------------------------------------------


def view(ctx: RequestContext, record: LogGroupRecord) -> Record:
    """The LogGroup shape."""
    name = record["logGroupName"]
    shown: Record = {
        "logGroupName": name,
        "creationTime": record["creationTime"],
        "metricFilterCount": 0,
        "arn": f"{group_arn(ctx, name)}:*",
        "storedBytes": record.get("_storedBytes", 0),
        "logGroupClass": record["logGroupClass"],
        "logGroupArn": group_arn(ctx, name),
        "deletionProtectionEnabled": record.get("deletionProtectionEnabled", False),
    }
    for field in ("retentionInDays", "kmsKeyId"):
        if field in record:
            shown[field] = record[field]
    return shown


def _all(ctx: RequestContext, prefix: str) -> Iterator[LogGroupRecord]:
    return (record for _, record in LOG_GROUP.walk(ctx, prefix, batch=_BATCH))


def _wanted(ctx: RequestContext, params: shapes.DescribeLogGroupsRequest) -> list[LogGroupRecord]:
    prefix = params.get("logGroupNamePrefix")
    pattern = params.get("logGroupNamePattern")
    identifiers = params.get("logGroupIdentifiers")
    chosen = [p for p in ("logGroupNamePrefix", "logGroupNamePattern", "logGroupIdentifiers") if params.get(p)]
    if len(chosen) > 1:
        raise invalid(f"{chosen[0]} and {chosen[1]} are mutually exclusive parameters.")
    records = list(_all(ctx, prefix or ""))
    if pattern:
        records = [r for r in records if pattern.lower() in r["logGroupName"].lower()]
    if identifiers:
        names = {name_of_identifier(ctx, i) for i in identifiers}
        records = [r for r in records if r["logGroupName"] in names]
    if params.get("logGroupClass"):
        records = [r for r in records if r["logGroupClass"] == params["logGroupClass"]]
    return sorted(records, key=lambda r: str(r["logGroupName"]))


def describe(ctx: RequestContext, params: shapes.DescribeLogGroupsRequest) -> tuple[list[Record], str | None]:
    """DescribeLogGroups: by name, `limit` a page (default and most 50), with prefix or pattern."""
    records = _wanted(ctx, params)
    listing = f"logs:DescribeLogGroups|{ctx.region}"
    token = params.get("nextToken")
    if token is not None:
        after = pagination.decode(ctx.tx, listing, token)
        if not isinstance(after, str):
            raise bad_token()
        records = [r for r in records if r["logGroupName"] > after]
    size = params.get("limit") or DESCRIBE_PAGE
    page = records[:size]
    following = pagination.encode(ctx.tx, listing, page[-1]["logGroupName"]) if len(records) > size else None
    return [view(ctx, r) for r in page], following
