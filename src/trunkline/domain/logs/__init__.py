"""CloudWatch Logs: log groups (groups.py), their tags in both APIs (group_tags.py), log streams
(streams.py), log events (log_events.py) and FilterLogEvents with its filter patterns
(filtering.py).

Store kinds are declared in kinds.py (resource kinds, `ACCOUNT_REGION` scope).

Helpers shared by those modules live here: ARNs, the clock in milliseconds, and the errors
every operation answers in CloudWatch Logs' own words.
"""

from __future__ import annotations

from trunkline.context import RequestContext
from trunkline.errors import AwsError


def now_ms(ctx: RequestContext) -> int:
    return int(ctx.now * 1000)


def group_arn(ctx: RequestContext, group: str) -> str:
    """`logGroupArn`: the ARN tagging and IAM use (no `:*`)."""
    return f"arn:aws:logs:{ctx.region}:{ctx.account_id}:log-group:{group}"


def invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def bad_token() -> AwsError:
    return invalid("The specified nextToken is invalid.")
