"""DetachInstances and AttachInstances (Auto Scaling user guide, "Detach or attach instances").

Detaching: an `InService` or `Standby` member moves to `Detaching`, then `Detached` at the group's
next reconcile, and leaves the group after that; its EC2 instance keeps running and loses only
the `aws:autoscaling:groupName` tag. Without ShouldDecrementDesiredCapacity the group launches a
replacement (the member no longer counts). No lifecycle hook runs and ECS does not drain: a
detached container instance stays registered. Activity `Detaching EC2 instance: i-…` (InProgress,
50 %), cause `At … instance i-… was detached in response to a user request, shrinking the
capacity from 2 to 1.` as the API reference's example shows.

Attaching: a running instance in one of the group's zones (and, for a group in subnets, in their
VPC) joins as `Pending`, then `InService` at the next reconcile; the desired capacity grows by the
number attached, refused above MaxSize with AWS's text. The instance gets the group tag.
Where AWS is silent (texts of the refusals other than the size ones, the attach activity's words):
docs/decisions.md, "DetachInstances and AttachInstances"."""

from __future__ import annotations

from trunkline.context import RequestContext
from trunkline.domain.autoscaling import activities, scaling
from trunkline.domain.autoscaling.kinds import ACTIVITY, GROUP, MEMBER
from trunkline.domain.autoscaling.records import ActivityRecord, AutoScalingGroupRecord, MemberRecord
from trunkline.domain.ec2 import instances
from trunkline.domain.ec2.kinds import LAUNCH_TEMPLATE
from trunkline.domain.ec2.records import InstanceRecord
from trunkline.errors import AwsError, validation_error

#: AWS's cap on one call ("You can specify up to 20 instances").
MAX_IDS = 20
_DETACHABLE = ("InService", "Standby")
_TEMPLATE_ID_TAG = "aws:ec2launchtemplate:id"
_TEMPLATE_VERSION_TAG = "aws:ec2launchtemplate:version"


def _sizes_refusal(group: AutoScalingGroupRecord, verb: str, count: int) -> AwsError:
    noun = "instance" if count == 1 else "instances"
    return validation_error(
        f"AutoScalingGroup {group['AutoScalingGroupName']} has min-size={group['MinSize']}, "
        f"max-size={group['MaxSize']}, and desired-size={group['DesiredCapacity']}. "
        f"To {verb} {count} {noun}, please update the AutoScalingGroup sizes appropriately."
    )


def _check_count(instance_ids: list[str], verb: str) -> None:
    if len(instance_ids) > MAX_IDS:
        raise validation_error(
            f"List exceeds the maximum number of instances to {verb}. Please retry your request with fewer instances."
        )


# --- detaching -------------------------------------------------------------------------------------------


def _detachable(ctx: RequestContext, name: str, instance_ids: list[str]) -> list[MemberRecord]:
    found = []
    for instance_id in dict.fromkeys(instance_ids):
        member = MEMBER.get(ctx, instance_id)
        if member is None or member["AutoScalingGroupName"] != name:
            raise validation_error(f"The instance {instance_id} is not part of Auto Scaling group {name}.")
        if member["LifecycleState"] not in _DETACHABLE:
            raise validation_error(f"The instance {instance_id} is not in InService or Standby.")
        found.append(member)
    return found


def detach(
    ctx: RequestContext, group: AutoScalingGroupRecord, instance_ids: list[str], decrement: bool
) -> list[ActivityRecord]:
    _check_count(instance_ids, "detach")
    name = group["AutoScalingGroupName"]
    members = _detachable(ctx, name, instance_ids)
    before = group["DesiredCapacity"]
    # A Standby member is already outside the desired capacity: only InService ones lower it.
    counted = len([m for m in members if m["LifecycleState"] == "InService"])
    after = before - counted if decrement else before
    if after < group["MinSize"]:
        raise _sizes_refusal(group, "detach", len(members))
    group["DesiredCapacity"] = after
    GROUP.save(ctx, group)
    answered = []
    for member in members:
        cause = f"At {activities.at(ctx)} instance {member['InstanceId']} was detached in response to a user request"
        cause += f", shrinking the capacity from {before} to {after}." if decrement else "."
        details = {"Subnet ID": scaling.subnet_of(ctx, member), "Availability Zone": member["AvailabilityZone"]}
        activity = activities.record(ctx, group, f"Detaching EC2 instance: {member['InstanceId']}", cause, details)
        activity["Progress"] = 50
        ACTIVITY.save(ctx, activity)
        member["LifecycleState"] = "Detaching"
        member["_activity"] = activity["ActivityId"]
        MEMBER.save(ctx, member)
        answered.append(activity)
    scaling.schedule(ctx, group)  # Detached next, and a replacement unless decremented
    return answered


# --- attaching -------------------------------------------------------------------------------------------


def _attachable(ctx: RequestContext, group: AutoScalingGroupRecord, instance_id: str) -> InstanceRecord:
    instance = instances.find_instance(ctx, instance_id)
    if instance is None or not instances.visible(ctx, instance):
        raise validation_error(f"Instance Id not found - The instance ID '{instance_id}' does not exist")
    if instance["State"]["Name"] != "running":
        raise validation_error(f"The instance {instance_id} is not in running state.")
    member = MEMBER.get(ctx, instance_id)
    if member is not None and member["LifecycleState"] != "Detached":
        raise validation_error(
            f"The instance {instance_id} is already part of Auto Scaling group {member['AutoScalingGroupName']}."
        )
    zone = instance["Placement"]["AvailabilityZone"]
    if zone not in group["AvailabilityZones"]:
        raise validation_error(
            f"The instance {instance_id} is in Availability Zone {zone}, which is not one of the Availability Zones "
            f"of Auto Scaling group {group['AutoScalingGroupName']}."
        )
    vpcs = {s["VpcId"] for s in scaling.group_subnets(ctx, group)}
    if group["VPCZoneIdentifier"] and instance.get("VpcId") not in vpcs:
        raise validation_error(
            f"The instance {instance_id} is not in the VPC of the subnets of Auto Scaling group "
            f"{group['AutoScalingGroupName']}."
        )
    return instance


def attach(ctx: RequestContext, group: AutoScalingGroupRecord, instance_ids: list[str]) -> None:
    _check_count(instance_ids, "attach")
    unique = list(dict.fromkeys(instance_ids))
    found = [_attachable(ctx, group, instance_id) for instance_id in unique]
    before = group["DesiredCapacity"]
    after = before + len(found)
    if after > group["MaxSize"]:
        raise _sizes_refusal(group, "attach", len(found))
    group["DesiredCapacity"] = after
    GROUP.save(ctx, group)
    for instance in found:
        cause = (
            f"At {activities.at(ctx)} an instance was added in response to user request, increasing the capacity "
            f"from {before} to {after}."
        )
        zone = instance["Placement"]["AvailabilityZone"]
        details = {"Subnet ID": instance.get("SubnetId", ""), "Availability Zone": zone}
        activity = activities.record(
            ctx, group, f"Attaching an existing EC2 instance: {instance['InstanceId']}", cause, details
        )
        MEMBER.save(ctx, _member(ctx, group, instance, activity))
        scaling.set_group_tag(ctx, instance, group["AutoScalingGroupName"])
    scaling.schedule(ctx, group)  # in service at the next reconcile


def _member(
    ctx: RequestContext, group: AutoScalingGroupRecord, instance: InstanceRecord, activity: ActivityRecord
) -> MemberRecord:
    member: MemberRecord = {
        "InstanceId": instance["InstanceId"],
        "AutoScalingGroupName": group["AutoScalingGroupName"],
        "InstanceType": instance["InstanceType"],
        "AvailabilityZone": instance["Placement"]["AvailabilityZone"],
        "LifecycleState": "Pending",
        "HealthStatus": "Healthy",
        "ProtectedFromScaleIn": bool(group["NewInstancesProtectedFromScaleIn"]),
        "_launchedAt": ctx.now,
        "_activity": activity["ActivityId"],
        "_attaching": True,
    }
    template = _template_of(ctx, instance)
    if template is not None:  # launched from a template: shown as the group's own instances are
        member["LaunchTemplate"] = template
    return member


def _template_of(ctx: RequestContext, instance: InstanceRecord) -> dict[str, str] | None:
    """The launch template an instance was launched from, by EC2's `aws:ec2launchtemplate:*` tags."""
    tags = {t["Key"]: t["Value"] for t in instance["Tags"]}
    template_id = tags.get(_TEMPLATE_ID_TAG)
    template = LAUNCH_TEMPLATE.get(ctx, template_id) if template_id else None
    if template is None:
        return None
    version = tags.get(_TEMPLATE_VERSION_TAG, "")
    return {
        "LaunchTemplateId": template["LaunchTemplateId"],
        "LaunchTemplateName": template["LaunchTemplateName"],
        "Version": version,
    }
