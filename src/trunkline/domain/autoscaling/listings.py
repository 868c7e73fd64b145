"""Auto Scaling's Describe* listings: which groups, instances, activities, tags and policies a
request asks for, and `MaxRecords`/`NextToken` paging over them in a stable order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from trunkline.context import RequestContext
from trunkline.domain import pagination
from trunkline.domain.autoscaling import activities, groups, refreshes
from trunkline.domain.autoscaling.kinds import REFRESH
from trunkline.domain.autoscaling.records import ActivityRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import autoscaling as shapes

Item = dict[str, Any]
Page = tuple[list[Item], str | None]
T = TypeVar("T")

# The most records one page holds (each operation's documented "maximum value" of MaxRecords);
# a larger MaxRecords gets a page of this many and a NextToken.
_MOST = {
    "autoscaling.groups": 100,
    "autoscaling.instances": 50,
    "autoscaling.activities": 100,
    "autoscaling.tags": 100,
    "autoscaling.policies": 100,
    "autoscaling.refreshes": 100,
}


class Paged(TypedDict, total=False):
    """A Describe call's `MaxRecords`/`NextToken` (every Auto Scaling request shape that pages has them)."""

    MaxRecords: int
    NextToken: str


def page(ctx: RequestContext, listing: str, items: list[T], request: Paged, limit: int) -> tuple[list[T], str | None]:
    """One page of `items` from the position the token names (`limit` when MaxRecords is absent)."""
    size = min(request.get("MaxRecords") or limit, _MOST[listing])
    start = 0
    if request.get("NextToken"):
        position = pagination.decode(ctx.tx, listing, request["NextToken"])
        if not isinstance(position, int):
            raise AwsError("InvalidNextToken", "The token provided is not valid.")
        start = position
    chosen = items[start : start + size]
    more = start + size < len(items)
    return chosen, pagination.encode(ctx.tx, listing, start + size) if more else None


def describe_groups(ctx: RequestContext, request: shapes.AutoScalingGroupNamesType) -> Page:
    if len(request.get("AutoScalingGroupNames") or []) > 50:  # AWS's text (boto/botocore#1444)
        raise AwsError("ValidationError", "The number of group names that may be passed in is limited to 50")
    found = groups.describe(ctx, request.get("AutoScalingGroupNames"), request.get("Filters"))
    return page(ctx, "autoscaling.groups", found, request, 50)


def describe_instances(ctx: RequestContext, request: shapes.DescribeAutoScalingInstancesType) -> Page:
    """Every group's instances (or the ones named), by instance id."""
    if len(request.get("InstanceIds") or []) > 50:  # "Array Members: Maximum number of 50 items."
        raise AwsError("ValidationError", "The number of instance ids that may be passed in is limited to 50")
    every = [i for name in groups.names(ctx) for i in groups.instances_of(ctx, name)]
    wanted = set(request.get("InstanceIds") or [])
    chosen = [i for i in every if not wanted or i["InstanceId"] in wanted]
    return page(ctx, "autoscaling.instances", sorted(chosen, key=lambda i: i["InstanceId"]), request, 50)


def describe_activities(
    ctx: RequestContext, request: shapes.DescribeScalingActivitiesType
) -> tuple[list[ActivityRecord], str | None]:
    """The activities of one group (of every group when none is named), or the ones named."""
    name = request.get("AutoScalingGroupName")
    names = [name] if name else groups.names(ctx)
    found = [a for n in names for a in activities.of_group(ctx, n)]
    wanted = set(request.get("ActivityIds") or [])
    chosen = [a for a in found if not wanted or a["ActivityId"] in wanted]
    return page(ctx, "autoscaling.activities", chosen, request, 100)


def describe_tags(ctx: RequestContext, request: shapes.DescribeTagsType) -> Page:
    return page(ctx, "autoscaling.tags", groups.describe_tags(ctx, request.get("Filters")), request, 50)


def describe_policies(ctx: RequestContext, request: shapes.DescribePoliciesType) -> Page:
    return page(ctx, "autoscaling.policies", groups.describe_policies(ctx, request), request, 50)


def describe_refreshes(ctx: RequestContext, request: shapes.DescribeInstanceRefreshesType) -> Page:
    """A group's instance refreshes, newest first (or the ones named)."""
    name = request["AutoScalingGroupName"]
    groups.get(ctx, name)
    found = [REFRESH.view(r) for r in refreshes.of_group(ctx, name, request.get("InstanceRefreshIds"))]
    return page(ctx, "autoscaling.refreshes", found, request, 50)
