"""The EventBridge events Amazon EC2 Auto Scaling sends when a scaling activity ends (source
`aws.autoscaling`), written to the outbox with the change, as ECS's are: `EC2 Instance Launch
Successful`, `EC2 Instance Launch Unsuccessful` and `EC2 Instance Terminate Successful`, shaped as
the Auto Scaling user guide's event reference shows them (the successful ones carry
`"StatusCode": "InProgress"`, as its examples do). The dashboard re-reads on them, so a group's
launches and terminations show as they happen.

A launch EC2 refused has no instance: its event names none (`EC2InstanceId` empty, the group's ARN
alone in `resources`). Lifecycle-action events are `lifecycle.py`'s (sent as an instance enters a
hook's wait); instance-refresh events are not sent.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import events
from trunkline.domain.autoscaling.records import ActivityRecord

Record = dict[str, Any]

SOURCE = "aws.autoscaling"
LAUNCH_SUCCESSFUL = "EC2 Instance Launch Successful"
LAUNCH_UNSUCCESSFUL = "EC2 Instance Launch Unsuccessful"
TERMINATE_SUCCESSFUL = "EC2 Instance Terminate Successful"
DETAIL_TYPES = (LAUNCH_SUCCESSFUL, LAUNCH_UNSUCCESSFUL, TERMINATE_SUCCESSFUL)


def _instance_id(activity: ActivityRecord) -> str:
    """`Launching a new EC2 instance: i-…` / `Terminating EC2 instance: i-…` name their instance."""
    last = str(activity["Description"]).rsplit(" ", 1)[-1]
    return last if last.startswith("i-") else ""


def activity_ended(ctx: RequestContext, activity: ActivityRecord) -> None:
    """Send the event for an activity that has just ended, when AWS sends one for it."""
    description = str(activity["Description"])
    status = activity["StatusCode"]
    if status == "Successful" and description.startswith("Launching"):
        detail_type = LAUNCH_SUCCESSFUL
    elif status == "Successful" and description.startswith("Terminating"):
        detail_type = TERMINATE_SUCCESSFUL
    elif status == "Failed" and description.startswith("Launching"):
        detail_type = LAUNCH_UNSUCCESSFUL
    else:
        return  # a launch cancelled by a scale-in before it was in service: AWS documents no event
    instance_id = _instance_id(activity)
    resources = [activity["AutoScalingGroupARN"]]
    if instance_id:
        resources.append(f"arn:aws:ec2:{ctx.region}:{ctx.account_id}:instance/{instance_id}")
    detail: Record = {
        "StatusCode": "InProgress" if status == "Successful" else status,
        "AutoScalingGroupName": activity["AutoScalingGroupName"],
        "ActivityId": activity["ActivityId"],
        "Details": json.loads(activity.get("Details") or "{}"),
        "RequestId": str(uuid.uuid4()),
        "StatusMessage": activity.get("StatusMessage", ""),
        "EndTime": events.iso(float(activity.get("EndTime") or ctx.now), millis=False),
        "EC2InstanceId": instance_id,
        "StartTime": events.iso(float(activity["StartTime"]), millis=False),
        "Cause": activity["Cause"],
    }
    if detail_type != LAUNCH_UNSUCCESSFUL:
        detail = {"StatusCode": detail["StatusCode"], "Description": description, **detail}
    events.emit(ctx, detail_type, resources, detail, source=SOURCE)
