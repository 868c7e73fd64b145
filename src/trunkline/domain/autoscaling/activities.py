"""Scaling activities, in AWS's words (DescribeScalingActivities).

Causes are sentences joined by two spaces, each starting `At <time>` (ISO, seconds, Z), as the
Auto Scaling user guide shows them; descriptions are `Launching a new EC2 instance: i-…` and
`Terminating EC2 instance: i-…`. An activity is `InProgress` until its instance is InService (or
gone), then `Successful`; a launch EC2 refused is `Failed` at once, with EC2's error."""

from __future__ import annotations

import json
import uuid
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import events
from trunkline.domain.autoscaling import notices
from trunkline.domain.autoscaling.kinds import ACTIVITY
from trunkline.domain.autoscaling.records import ActivityRecord, AutoScalingGroupRecord

Record = dict[str, Any]


def at(ctx: RequestContext) -> str:
    return events.iso(ctx.now, millis=False)


def record(
    ctx: RequestContext,
    group: AutoScalingGroupRecord,
    description: str,
    cause: str,
    details: Record,
    status: str = "InProgress",
) -> ActivityRecord:
    activity: ActivityRecord = {
        "ActivityId": str(uuid.uuid4()),
        "AutoScalingGroupName": group["AutoScalingGroupName"],
        "AutoScalingGroupARN": group["AutoScalingGroupARN"],
        "Description": description,
        "Cause": cause,
        "StartTime": ctx.now,
        "StatusCode": status,
        "Progress": 0 if status == "InProgress" else 100,
        "Details": json.dumps(details),
    }
    if status != "InProgress":
        activity["EndTime"] = ctx.now
    ACTIVITY.save(ctx, activity)
    return activity


def failed(
    ctx: RequestContext, group: AutoScalingGroupRecord, cause: str, reason: str, details: Record
) -> ActivityRecord:
    activity = record(ctx, group, "Launching a new EC2 instance.  Status Reason: " + reason, cause, details, "Failed")
    activity["StatusMessage"] = reason
    ACTIVITY.save(ctx, activity)
    notices.activity_ended(ctx, activity)
    return activity


def finish(ctx: RequestContext, activity_id: str | None, status: str = "Successful") -> None:
    if activity_id is None:
        return
    activity = ACTIVITY.get(ctx, activity_id)
    if activity is None or activity["StatusCode"] not in ("InProgress", "MidLifecycleAction"):
        return
    activity["StatusCode"] = status
    activity["Progress"] = 100
    activity["EndTime"] = ctx.now
    ACTIVITY.save(ctx, activity)
    notices.activity_ended(ctx, activity)


def mark(ctx: RequestContext, activity_id: str | None, status: str) -> None:
    """An unfinished activity's status changes (PreInService -> InProgress)."""
    activity = ACTIVITY.get(ctx, activity_id) if activity_id else None
    if activity is not None and "EndTime" not in activity:
        activity["StatusCode"] = status
        ACTIVITY.save(ctx, activity)


def of_group(ctx: RequestContext, name: str) -> list[ActivityRecord]:
    """Newest first, in-progress ones before the rest (AWS's order)."""
    found = ACTIVITY.find(ctx, "group", name)
    return sorted(found, key=lambda a: ("EndTime" in a, -float(a["StartTime"]), a["ActivityId"]))
