"""EnterStandby and ExitStandby (Auto Scaling user guide, "Temporarily remove instances from your
Auto Scaling group"): an `InService` instance moves to `EnteringStandby`, then `Standby` at the
group's next reconcile, and no longer counts towards the group's capacity (the group launches a
replacement unless the call decrements the desired capacity); ExitStandby moves it to `Pending`,
then `InService`, raising the desired capacity by one per instance. Activities are AWS's:
`Moving EC2 instance to Standby: i-…` (InProgress, 50 %) and `Moving EC2 instance out of
Standby: i-…` (PreInService, 30 %), with the causes the API reference's examples show."""

from __future__ import annotations

from trunkline.context import RequestContext
from trunkline.domain.autoscaling import activities, scaling
from trunkline.domain.autoscaling.kinds import ACTIVITY, GROUP, MEMBER
from trunkline.domain.autoscaling.records import ActivityRecord, AutoScalingGroupRecord, MemberRecord
from trunkline.errors import validation_error


def _members(ctx: RequestContext, name: str, instance_ids: list[str], state: str) -> list[MemberRecord]:
    found = []
    for instance_id in instance_ids:
        member = MEMBER.get(ctx, instance_id)
        if member is None or member["AutoScalingGroupName"] != name:
            raise validation_error(f"The instance {instance_id} is not part of Auto Scaling group {name}.")
        if member["LifecycleState"] != state:
            raise validation_error(f"The instance {instance_id} is not in {state}.")
        found.append(member)
    return found


def _activity(
    ctx: RequestContext, group: AutoScalingGroupRecord, member: MemberRecord, description: str, cause: str
) -> ActivityRecord:
    activity = activities.record(ctx, group, description, cause, {"Availability Zone": member["AvailabilityZone"]})
    return activity


def enter(
    ctx: RequestContext, group: AutoScalingGroupRecord, instance_ids: list[str], decrement: bool
) -> list[ActivityRecord]:
    name = group["AutoScalingGroupName"]
    members = _members(ctx, name, instance_ids, "InService")
    before = group["DesiredCapacity"]
    after = before - len(members) if decrement else before
    if after < group["MinSize"]:
        raise validation_error(
            f"Moving {len(members)} instance(s) to Standby with ShouldDecrementDesiredCapacity would lower the "
            f"desired capacity to {after}, below the group's min size ({group['MinSize']})."
        )
    group["DesiredCapacity"] = after
    GROUP.save(ctx, group)
    answered = []
    for member in members:
        cause = f"At {activities.at(ctx)} instance {member['InstanceId']} was moved to standby in response to a user request"
        cause += f", shrinking the capacity from {before} to {after}." if decrement else "."
        activity = _activity(ctx, group, member, f"Moving EC2 instance to Standby: {member['InstanceId']}", cause)
        activity["Progress"] = 50
        ACTIVITY.save(ctx, activity)
        member["LifecycleState"] = "EnteringStandby"
        member["_activity"] = activity["ActivityId"]
        MEMBER.save(ctx, member)
        answered.append(activity)
    scaling.schedule(ctx, group)  # Standby next, and a replacement unless decremented
    return answered


def exit_standby(ctx: RequestContext, group: AutoScalingGroupRecord, instance_ids: list[str]) -> list[ActivityRecord]:
    name = group["AutoScalingGroupName"]
    members = _members(ctx, name, instance_ids, "Standby")
    before = group["DesiredCapacity"]
    after = before + len(members)
    if after > group["MaxSize"]:
        raise validation_error(
            f"Moving {len(members)} instance(s) out of Standby would raise the desired capacity to {after}, "
            f"above the group's max size ({group['MaxSize']})."
        )
    group["DesiredCapacity"] = after
    GROUP.save(ctx, group)
    answered = []
    for member in members:
        cause = (
            f"At {activities.at(ctx)} instance {member['InstanceId']} was moved out of standby in response to a "
            f"user request, increasing the capacity from {before} to {after}."
        )
        activity = _activity(ctx, group, member, f"Moving EC2 instance out of Standby: {member['InstanceId']}", cause)
        activity["StatusCode"] = "PreInService"
        activity["Progress"] = 30
        ACTIVITY.save(ctx, activity)
        member["LifecycleState"] = "Pending"
        member["_activity"] = activity["ActivityId"]
        member["_leavingStandby"] = True
        MEMBER.save(ctx, member)
        answered.append(activity)
    scaling.schedule(ctx, group)  # in service at the next reconcile
    return answered
