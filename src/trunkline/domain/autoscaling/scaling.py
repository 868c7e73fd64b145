"""How a group keeps its desired capacity, on the clock: `autoscaling.reconcile` compares the
group's live members with `DesiredCapacity`, launches the difference through EC2's own
RunInstances path (the launch template merged by `launch_templates.run_parameters`, so the ECS
agent registers the instances as usual) or terminates the surplus, and EC2's lifecycle moves the
members: Pending -> InService when the instance runs; Terminating -> gone when it terminates. An
instance that stops or terminates on its own is taken out of service and replaced.

Launches go to the zone with the fewest live members (ties: the group's subnet order). Scale-in
picks, among members not protected from scale-in, one in the zone with the most members, then the
oldest launched (AWS's Default policy, without billing hours). A MixedInstancesPolicy launches its
first override type (`prioritized` on-demand allocation). A suspended Launch or Terminate process
(`processes.py`) stops launches or scale-in; with ReplaceUnhealthy suspended, a stopped instance
stays in the group, Unhealthy, until the process resumes."""

from __future__ import annotations

import contextlib
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.autoscaling import activities, instance_requirements, lifecycle, processes
from trunkline.domain.autoscaling.kinds import ACTIVITY, GROUP, LIVE_STATES, MEMBER
from trunkline.domain.autoscaling.records import ActivityRecord, AutoScalingGroupRecord, MemberRecord
from trunkline.domain.ec2 import instances, launch_requests, launch_templates
from trunkline.domain.ec2.kinds import SUBNET
from trunkline.domain.ec2.records import InstanceRecord, SubnetRecord, Tag
from trunkline.errors import AwsError

Record = dict[str, Any]

JOB = "autoscaling.reconcile"
GROUP_TAG = "aws:autoscaling:groupName"
_LIVE = LIVE_STATES


def schedule(ctx: RequestContext, group: AutoScalingGroupRecord) -> None:
    ctx.schedule(JOB, JOB, {"account": ctx.account_id, "region": ctx.region, "group": group["AutoScalingGroupName"]})


def live_members(ctx: RequestContext, name: str) -> list[MemberRecord]:
    return [m for m in MEMBER.find(ctx, "group", name) if m["LifecycleState"] in _LIVE]


def reconcile_job(ctx: RequestContext, payload: Record) -> None:
    group = GROUP.get(ctx, payload["group"])
    if group is None:
        return
    members = MEMBER.find(ctx, "group", group["AutoScalingGroupName"])
    if group.get("Status") == "Delete in progress":
        if not members:
            GROUP.delete(ctx, group["AutoScalingGroupName"])
        return
    _standby_moves(ctx, members)
    _attach_moves(ctx, members)
    if _detach_moves(ctx, members):
        schedule(ctx, group)  # the Detached members leave at the next reconcile
    live = [m for m in members if m["LifecycleState"] in _LIVE]
    if _replaces_unhealthy(group):  # one left Unhealthy while ReplaceUnhealthy was suspended
        for member in [m for m in live if m["HealthStatus"] == "Unhealthy"]:
            live.remove(member)
            terminate_member(ctx, group, member, _unhealthy_cause(ctx))
    desired = group["DesiredCapacity"]
    if len(live) < desired:
        if processes.suspended(group, processes.LAUNCH):
            return  # the causes wait for the launches Launch's resumption brings
        _scale_out(ctx, group, live, desired - len(live))
    elif len(live) > desired:
        if processes.suspended(group, processes.TERMINATE):
            return
        _scale_in(ctx, group, live, len(live) - desired)
    group["_causes"] = []
    GROUP.save(ctx, group)


def _standby_moves(ctx: RequestContext, members: list[MemberRecord]) -> None:
    """Members entering standby (`standby.py`) are in Standby; members leaving it are in service."""
    for member in members:
        if member["LifecycleState"] == "EnteringStandby":
            member["LifecycleState"] = "Standby"
        elif member.get("_leavingStandby") and member["LifecycleState"] == "Pending":
            member["LifecycleState"] = "InService"
            del member["_leavingStandby"]
            activities.mark(ctx, member.get("_activity"), "InProgress")  # PreInService until now
        else:
            continue
        MEMBER.save(ctx, member)
        activities.finish(ctx, member.get("_activity"))


def _replaces_unhealthy(group: AutoScalingGroupRecord) -> bool:
    """ReplaceUnhealthy terminates unhealthy instances and launches others (Terminate and Launch
    at work): suspended, an unhealthy instance stays in the group."""
    return not processes.suspended(group, processes.REPLACE_UNHEALTHY)


def _unhealthy_cause(ctx: RequestContext) -> str:
    return (
        f"At {activities.at(ctx)} an instance was taken out of service in response to an EC2 health check "
        f"indicating it has been terminated or stopped."
    )


def _cause(group: AutoScalingGroupRecord, sentence: str) -> str:
    return "  ".join([*group.get("_causes", []), sentence])


# --- launching ------------------------------------------------------------------------------------------


def group_subnets(ctx: RequestContext, group: AutoScalingGroupRecord) -> list[SubnetRecord]:
    """The subnets the group launches into (its zones' default subnets when it names none)."""
    if not group["VPCZoneIdentifier"]:  # zones without subnets: the default VPC's default subnets
        from trunkline.domain.ec2 import default_vpc

        in_zones: list[SubnetRecord | None] = [
            default_vpc.default_subnet_in(ctx, zone) for zone in group["AvailabilityZones"]
        ]
        return [s for s in in_zones if s is not None]
    found = [SUBNET.get(ctx, s) for s in group["VPCZoneIdentifier"].split(",")]
    return [s for s in found if s is not None]


def _next_subnet(subnets: list[SubnetRecord], live: list[MemberRecord]) -> SubnetRecord:
    per_zone = {s["AvailabilityZone"]: 0 for s in subnets}
    for member in live:
        per_zone[member["AvailabilityZone"]] = per_zone.get(member["AvailabilityZone"], 0) + 1
    return min(subnets, key=lambda s: per_zone[s["AvailabilityZone"]])


def _launch_one(ctx: RequestContext, group: AutoScalingGroupRecord, subnet: SubnetRecord) -> Record:
    """One instance through RunInstances; raises EC2's AwsError if it refuses."""
    spec, instance_type = instance_requirements.launch_choice(ctx, group)
    tags = [{"Key": t["Key"], "Value": t["Value"]} for t in group["Tags"] if t["PropagateAtLaunch"]]
    params: Record = {
        "MinCount": 1,
        "MaxCount": 1,
        "SubnetId": subnet["SubnetId"],
        "TagSpecifications": [{"ResourceType": "instance", "Tags": tags}] if tags else [],
    }
    if instance_type is not None:
        params["InstanceType"] = instance_type
    by_id = {"LaunchTemplateId": spec["LaunchTemplateId"], "Version": spec["Version"]}
    merged, version = launch_templates.run_parameters(ctx, by_id, params)
    request = launch_requests.from_parameters(merged)
    # aws: tags are the services' own: added after the caller-facing checks, as EC2 adds them
    group_tag: Tag = {"Key": GROUP_TAG, "Value": group["AutoScalingGroupName"]}
    request.tags = [*request.tags, *launch_templates.system_tags(version), group_tag]
    (instance,) = instances.launch(ctx, request)
    return {"instance": instance, "version": str(version["VersionNumber"])}


def _scale_out(ctx: RequestContext, group: AutoScalingGroupRecord, live: list[MemberRecord], count: int) -> None:
    subnets = group_subnets(ctx, group)
    before = len(live)
    for _ in range(count):
        subnet = _next_subnet(subnets, live)
        details = {"Subnet ID": subnet["SubnetId"], "Availability Zone": subnet["AvailabilityZone"]}
        sentence = (
            f"At {activities.at(ctx)} an instance was started in response to a difference between desired and actual "
            f"capacity, increasing the capacity from {before} to {before + count}."
        )
        try:
            launched = _launch_one(ctx, group, subnet)
        except AwsError as error:
            activities.failed(ctx, group, _cause(group, sentence), f"{error.message}", details)
            schedule(ctx, group)  # AWS keeps trying; so does the clock
            return
        instance = launched["instance"]
        spec = instance_requirements.template_spec(group)
        activity = activities.record(
            ctx, group, f"Launching a new EC2 instance: {instance['InstanceId']}", _cause(group, sentence), details
        )
        member: MemberRecord = {
            "InstanceId": instance["InstanceId"],
            "AutoScalingGroupName": group["AutoScalingGroupName"],
            "InstanceType": instance["InstanceType"],
            "AvailabilityZone": subnet["AvailabilityZone"],
            "LifecycleState": "Pending",
            "HealthStatus": "Healthy",
            "LaunchTemplate": {
                "LaunchTemplateId": spec["LaunchTemplateId"],
                "LaunchTemplateName": spec["LaunchTemplateName"],
                "Version": launched["version"],
            },
            "ProtectedFromScaleIn": bool(group["NewInstancesProtectedFromScaleIn"]),
            "_launchedAt": ctx.now,
            "_activity": activity["ActivityId"],
        }
        MEMBER.save(ctx, member)
        live.append(member)


# --- terminating ----------------------------------------------------------------------------------------


def _scale_in(ctx: RequestContext, group: AutoScalingGroupRecord, live: list[MemberRecord], count: int) -> None:
    before = len(live)
    candidates = [m for m in live if not m["ProtectedFromScaleIn"]]
    for _ in range(count):
        if not candidates:
            return  # protected instances are never scaled in: the group stays above desired
        per_zone: dict[str, int] = {}
        for member in live:
            per_zone[member["AvailabilityZone"]] = per_zone.get(member["AvailabilityZone"], 0) + 1
        victim = min(candidates, key=lambda m: (-per_zone[m["AvailabilityZone"]], m["_launchedAt"], m["InstanceId"]))
        candidates.remove(victim)
        live.remove(victim)
        sentence = (
            f"At {activities.at(ctx)} an instance was taken out of service in response to a difference between "
            f"desired and actual capacity, shrinking the capacity from {before} to {before - count}.  "
            f"At {activities.at(ctx)} instance {victim['InstanceId']} was selected for termination."
        )
        terminate_member(ctx, group, victim, _cause(group, sentence))


def terminate_member(
    ctx: RequestContext, group: AutoScalingGroupRecord, member: MemberRecord, cause: str | None, hooks: bool = True
) -> ActivityRecord:
    """Take the member out of service and terminate its instance (after the group's termination
    hooks, when it has some and `hooks`); returns the activity."""
    activity = activities.record(
        ctx,
        group,
        f"Terminating EC2 instance: {member['InstanceId']}",
        cause or f"At {activities.at(ctx)} the Auto Scaling group was deleted.",
        {"Subnet ID": subnet_of(ctx, member), "Availability Zone": member["AvailabilityZone"]},
    )
    launching = member["LifecycleState"].startswith("Pending")
    activities.finish(ctx, member.get("_activity"), "Cancelled" if launching else "Successful")
    member.pop("_lifecycle", None)  # a launch wait ends with the instance
    member["LifecycleState"] = "Terminating"
    member["_activity"] = activity["ActivityId"]
    if hooks and lifecycle.enter_wait(ctx, member, lifecycle.TERMINATING):
        return activity
    MEMBER.save(ctx, member)
    termination_proceeds(ctx, member)
    return activity


def subnet_of(ctx: RequestContext, member: MemberRecord) -> str:
    """The subnet the member's instance runs in, for the activity's details (AWS names it there too)."""
    instance = instances.find_instance(ctx, member["InstanceId"])
    return str(instance.get("SubnetId", "")) if instance is not None else ""


def lifecycle_done(ctx: RequestContext, member: MemberRecord, transition: str, go_on: bool, token: str) -> None:
    """Every lifecycle hook of the member is done: its launch or its termination goes on."""
    if transition == lifecycle.LAUNCHING:
        launch_proceeds(ctx, member, go_on, token)
    else:
        termination_proceeds(ctx, member)


def termination_proceeds(ctx: RequestContext, member: MemberRecord) -> None:
    """The member's termination goes on: its EC2 instance is terminated."""
    with contextlib.suppress(AwsError):  # already gone: the terminated listener finishes the job
        instances.terminate_instances(ctx, [member["InstanceId"]])


def launch_proceeds(ctx: RequestContext, member: MemberRecord, go_on: bool, token: str) -> None:
    """The launch hooks are done: in service, or (ABANDON) terminated and replaced."""
    group = GROUP.get(ctx, member["AutoScalingGroupName"])
    if go_on or group is None:
        _in_service(ctx, member)
        return
    activity = ACTIVITY.get(ctx, member["_activity"]) if member.get("_activity") else None
    if activity is not None:
        activity["StatusMessage"] = (
            f"Instance failed to complete user's Lifecycle Action: Lifecycle Action with token {token} was "
            "abandoned: Lifecycle Action Completed with ABANDON Result"
        )
        ACTIVITY.save(ctx, activity)
    cause = (
        f"At {activities.at(ctx)} an instance was taken out of service in response to a launch lifecycle "
        f"action of instance {member['InstanceId']} that was abandoned."
    )
    terminate_member(ctx, group, member, cause)
    schedule(ctx, group)  # the replacement


def _in_service(ctx: RequestContext, member: MemberRecord) -> None:
    member["LifecycleState"] = "InService"
    MEMBER.save(ctx, member)
    activities.finish(ctx, member.get("_activity"))


# --- EC2 lifecycle listeners -----------------------------------------------------------------------------


def on_running(ctx: RequestContext, instance: InstanceRecord) -> None:
    member = MEMBER.get(ctx, instance["InstanceId"])
    if member is None or member["LifecycleState"] != "Pending":
        return
    if not lifecycle.enter_wait(ctx, member, lifecycle.LAUNCHING):
        _in_service(ctx, member)


def on_gone(ctx: RequestContext, instance: InstanceRecord) -> None:
    """Terminated (or stopped) instances leave their group; one that left on its own is replaced."""
    member = MEMBER.get(ctx, instance["InstanceId"])
    if member is None:
        return
    group = GROUP.get(ctx, member["AutoScalingGroupName"])
    if not member["LifecycleState"].startswith("Terminating") and group is not None:
        state = instance["State"]["Name"]
        member["HealthStatus"] = "Unhealthy"
        if state == "stopped" and not _replaces_unhealthy(group):
            MEMBER.save(ctx, member)  # marked, kept: replaced once ReplaceUnhealthy resumes
            return
        cause = _unhealthy_cause(ctx)
        # a stopped instance still goes through the termination hooks; a terminated one is gone
        terminate_member(ctx, group, member, cause, hooks=state == "stopped")
        if state == "stopped":
            return  # its termination comes back here as Terminating
    activities.finish(ctx, member.get("_activity"))
    MEMBER.delete(ctx, member["InstanceId"])
    if group is not None:
        schedule(ctx, group)


# --- DetachInstances and AttachInstances at a reconcile (the requests: attachment.py) -----------------


def set_group_tag(ctx: RequestContext, instance: InstanceRecord, group_name: str | None) -> None:
    """The `aws:` group tag is Auto Scaling's own: set on attach, removed (alone) on detach."""
    tags = [t for t in instance["Tags"] if t["Key"] != GROUP_TAG]
    if group_name is not None:
        tags.append({"Key": GROUP_TAG, "Value": group_name})
    instance["Tags"] = tags
    instances.save(ctx, instance)


def _detach_moves(ctx: RequestContext, members: list[MemberRecord]) -> bool:
    """At a reconcile: Detaching members are Detached (their instance loses the group tag) and
    Detached ones leave the group. True when a member is left Detached (one more reconcile)."""
    pending = False
    for member in members:
        if member["LifecycleState"] == "Detached":
            MEMBER.delete(ctx, member["InstanceId"])
        elif member["LifecycleState"] == "Detaching":
            member["LifecycleState"] = "Detached"
            MEMBER.save(ctx, member)
            instance = instances.find_instance(ctx, member["InstanceId"])
            if instance is not None:
                set_group_tag(ctx, instance, None)
            activities.finish(ctx, member.get("_activity"))
            pending = True
    return pending


def _attach_moves(ctx: RequestContext, members: list[MemberRecord]) -> None:
    """At a reconcile: attached members are in service."""
    for member in members:
        if member.get("_attaching") and member["LifecycleState"] == "Pending":
            member["LifecycleState"] = "InService"
            del member["_attaching"]
            MEMBER.save(ctx, member)
            activities.finish(ctx, member.get("_activity"))
