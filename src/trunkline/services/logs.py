"""CloudWatch Logs operations (JSON protocol, `Logs_20140328.*`): log groups, their tags in the old
and new APIs, log streams, PutLogEvents, GetLogEvents, FilterLogEvents. Thin: domain/logs does the
work."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.logs import filtering, group_tags, groups, log_events, streams
from trunkline.services.provider import Provider

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import logs as shapes

Params = dict[str, Any]


def _paged(key: str, items: list[Params], token: str | None) -> Params:
    result: Params = {key: items}
    if token is not None:
        result["nextToken"] = token
    return result


class LogsProvider(Provider):
    service = "logs"

    # --- log groups -------------------------------------------------------------------------------

    def create_log_group(self, ctx: RequestContext, params: shapes.CreateLogGroupRequest) -> Params:
        group_tags.create_log_group(ctx, params)
        return {}

    def delete_log_group(self, ctx: RequestContext, params: shapes.DeleteLogGroupRequest) -> Params:
        groups.delete(ctx, params["logGroupName"])
        return {}

    def describe_log_groups(self, ctx: RequestContext, params: shapes.DescribeLogGroupsRequest) -> Params:
        return _paged("logGroups", *groups.describe(ctx, params))

    def put_retention_policy(self, ctx: RequestContext, params: shapes.PutRetentionPolicyRequest) -> Params:
        groups.put_retention(ctx, params["logGroupName"], params["retentionInDays"])
        return {}

    def delete_retention_policy(self, ctx: RequestContext, params: shapes.DeleteRetentionPolicyRequest) -> Params:
        groups.delete_retention(ctx, params["logGroupName"])
        return {}

    # --- tags -------------------------------------------------------------------------------------

    def tag_log_group(self, ctx: RequestContext, params: shapes.TagLogGroupRequest) -> Params:
        group_tags.tag_log_group(ctx, params["logGroupName"], dict(params["tags"]))
        return {}

    def untag_log_group(self, ctx: RequestContext, params: shapes.UntagLogGroupRequest) -> Params:
        group_tags.untag_log_group(ctx, params["logGroupName"], list(params["tags"]))
        return {}

    def list_tags_log_group(self, ctx: RequestContext, params: shapes.ListTagsLogGroupRequest) -> Params:
        return {"tags": group_tags.list_tags_log_group(ctx, params["logGroupName"])}

    def tag_resource(self, ctx: RequestContext, params: shapes.TagResourceRequest) -> Params:
        group_tags.tag_resource(ctx, params["resourceArn"], dict(params["tags"]))
        return {}

    def untag_resource(self, ctx: RequestContext, params: shapes.UntagResourceRequest) -> Params:
        group_tags.untag_resource(ctx, params["resourceArn"], list(params["tagKeys"]))
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, params: shapes.ListTagsForResourceRequest) -> Params:
        return {"tags": group_tags.list_tags_for_resource(ctx, params["resourceArn"])}

    # --- log streams ------------------------------------------------------------------------------

    def create_log_stream(self, ctx: RequestContext, params: shapes.CreateLogStreamRequest) -> Params:
        streams.create(ctx, params["logGroupName"], params["logStreamName"])
        return {}

    def delete_log_stream(self, ctx: RequestContext, params: shapes.DeleteLogStreamRequest) -> Params:
        streams.delete(ctx, params["logGroupName"], params["logStreamName"])
        return {}

    def describe_log_streams(self, ctx: RequestContext, params: shapes.DescribeLogStreamsRequest) -> Params:
        return _paged("logStreams", *streams.describe(ctx, params))

    # --- log events -------------------------------------------------------------------------------

    def put_log_events(self, ctx: RequestContext, params: shapes.PutLogEventsRequest) -> Params:
        return log_events.put(ctx, params)

    def get_log_events(self, ctx: RequestContext, params: shapes.GetLogEventsRequest) -> Params:
        return log_events.get(ctx, params)

    def filter_log_events(self, ctx: RequestContext, params: shapes.FilterLogEventsRequest) -> Params:
        found, token = filtering.filter_events(ctx, params)
        result = _paged("events", found, token)
        result["searchedLogStreams"] = []  # no longer reported by AWS (an empty list since 2020)
        return result
