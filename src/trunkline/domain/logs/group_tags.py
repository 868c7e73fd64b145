"""Log group tags, through both APIs: the old TagLogGroup, UntagLogGroup, ListTagsLogGroup (by
group name) and the new TagResource, UntagResource, ListTagsForResource (by `logGroupArn`, the ARN
without the trailing `:*`; the `arn` form with `:*` is taken too). Tags are a map on the group
record; at most 50, keys beginning with `aws:` are AWS's.

Decided texts (docs/decisions.md): more than 50 tags is TooManyTagsException "A resource can have no
more than 50 tags." (the old API answers InvalidParameterException with the same text); an ARN that
is not a log group of this account and region is InvalidParameterException.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.logs import groups, invalid
from trunkline.domain.logs.kinds import LOG_GROUP
from trunkline.domain.logs.records import LogGroupRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import logs as shapes

Record = dict[str, Any]
MAX_TAGS = 50


def check(tags: dict[str, str]) -> dict[str, str]:
    for key in tags:
        if key.lower().startswith("aws:"):
            raise invalid("Tag keys beginning with 'aws:' are reserved for AWS use.")
    return dict(tags)


def _too_many(code: str) -> AwsError:
    return AwsError(code, f"A resource can have no more than {MAX_TAGS} tags.")


def _tag(ctx: RequestContext, record: LogGroupRecord, tags: dict[str, str], code: str) -> None:
    merged = {**record.get("tags", {}), **check(tags)}
    if len(merged) > MAX_TAGS:
        raise _too_many(code)
    record["tags"] = merged
    groups.save(ctx, record)


def _untag(ctx: RequestContext, record: LogGroupRecord, keys: list[str]) -> None:
    record["tags"] = {k: v for k, v in record.get("tags", {}).items() if k not in set(keys)}
    groups.save(ctx, record)


def group_of_arn(ctx: RequestContext, arn: str) -> LogGroupRecord:
    """The group a resource ARN names (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]`)."""
    parts = arn.split(":")
    if len(parts) < 7 or parts[0] != "arn" or parts[2] != "logs" or parts[5] != "log-group":
        raise invalid(f"Invalid resource ARN: {arn} is not the ARN of a log group.")
    if len(parts) > 8 or (len(parts) == 8 and parts[7] != "*"):
        raise invalid(f"Invalid resource ARN: {arn} is not the ARN of a log group.")
    if parts[3] != ctx.region or parts[4] != ctx.account_id:
        raise LOG_GROUP.missing(arn)
    return groups.get(ctx, parts[6])


# --- the old API, by name ---------------------------------------------------------------------------


def tag_log_group(ctx: RequestContext, name: str, tags: dict[str, str]) -> None:
    _tag(ctx, groups.get(ctx, name), tags, "InvalidParameterException")


def untag_log_group(ctx: RequestContext, name: str, keys: list[str]) -> None:
    _untag(ctx, groups.get(ctx, name), keys)


def list_tags_log_group(ctx: RequestContext, name: str) -> dict[str, str]:
    return dict(groups.get(ctx, name).get("tags", {}))


# --- the new API, by ARN ----------------------------------------------------------------------------


def tag_resource(ctx: RequestContext, arn: str, tags: dict[str, str]) -> None:
    _tag(ctx, group_of_arn(ctx, arn), tags, "TooManyTagsException")


def untag_resource(ctx: RequestContext, arn: str, keys: list[str]) -> None:
    _untag(ctx, group_of_arn(ctx, arn), keys)


def list_tags_for_resource(ctx: RequestContext, arn: str) -> dict[str, str]:
    return dict(group_of_arn(ctx, arn).get("tags", {}))


def create_log_group(ctx: RequestContext, request: shapes.CreateLogGroupRequest) -> None:
    """CreateLogGroup as a caller asks for it: its tags are checked first (the group is made here,
    beside the tag rules, because `groups` is below this module)."""
    groups.create(ctx, request, check(dict(request.get("tags") or {})))
