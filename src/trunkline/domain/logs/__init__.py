"""CloudWatch Logs: log groups (groups.py), their tags in both APIs (group_tags.py), log streams
(streams.py), log events (log_events.py) and FilterLogEvents with its filter patterns
(filtering.py).

Store kinds, all keyed under `ACCOUNT/REGION/`:
- `logs.group`  `ACCOUNT/REGION/GROUP`: the LogGroup fields a caller chose, plus `tags` (a map);
- `logs.stream` `ACCOUNT/REGION/GROUP|STREAM` (a group name cannot hold `|`): the LogStream fields;
- `logs.event`  `ACCOUNT/REGION/GROUP|STREAM:SEQ` (a stream name cannot hold `:`): one event,
  `{t: timestamp, m: message, i: ingestion time, n: stream name, s: SEQ}`; SEQ is one counter per
  store, so (timestamp, SEQ) orders a stream's events as CloudWatch Logs returns them.

Helpers shared by those modules live here: keys, ARNs, the clock in milliseconds, and the errors
every operation answers in CloudWatch Logs' own words.
"""

from __future__ import annotations

from trunkline.context import RequestContext
from trunkline.errors import AwsError

GROUP_KIND = "logs.group"
STREAM_KIND = "logs.stream"
EVENT_KIND = "logs.event"


def now_ms(ctx: RequestContext) -> int:
    return int(ctx.now * 1000)


def scope(ctx: RequestContext) -> str:
    return f"{ctx.account_id}/{ctx.region}/"


def group_key(ctx: RequestContext, group: str) -> str:
    return f"{scope(ctx)}{group}"


def stream_key(ctx: RequestContext, group: str, stream: str) -> str:
    return f"{scope(ctx)}{group}|{stream}"


def group_arn(ctx: RequestContext, group: str) -> str:
    """`logGroupArn`: the ARN tagging and IAM use (no `:*`)."""
    return f"arn:aws:logs:{ctx.region}:{ctx.account_id}:log-group:{group}"


def invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def group_missing() -> AwsError:
    return AwsError("ResourceNotFoundException", "The specified log group does not exist.")


def stream_missing() -> AwsError:
    return AwsError("ResourceNotFoundException", "The specified log stream does not exist.")


def bad_token() -> AwsError:
    return invalid("The specified nextToken is invalid.")
