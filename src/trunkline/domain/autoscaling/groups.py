"""Auto Scaling groups: create, describe, update, delete, desired capacity, instance protection and
tags, with the EC2 Auto Scaling API's checks and texts (capacity-behaviour.md §6).

Record (`autoscaling.group`): the `AutoScalingGroup` output shape without `Instances` (derived
from the group's members, `scaling.py`), plus `_causes`: the first sentences of the next
activities' causes ("At … a user request created an AutoScalingGroup changing the desired capacity
from 0 to 2."), consumed when the group next launches or terminates.

Where AWS is silent (docs/decisions.md): launch configurations, `InstanceId` sources and traffic
sources are refused as unsupported; the launch template must exist when the group is created.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from trunkline.context import RequestContext
from trunkline.domain.autoscaling import (
    activities,
    instance_requirements,
    lifecycle,
    linked_role,
    metrics,
    policy_checks,
    processes,
    refreshes,
    scaling,
)
from trunkline.domain.autoscaling.kinds import GROUP, HOOK, MEMBER, POLICY
from trunkline.domain.autoscaling.records import (
    ActivityRecord,
    AutoScalingGroupRecord,
    LifecycleHookRecord,
    MemberRecord,
    ScalingPolicyRecord,
)
from trunkline.domain.ec2 import launch_templates
from trunkline.domain.ec2.kinds import SUBNET
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import autoscaling as shapes

Record = dict[str, Any]

_UNSUPPORTED = {
    "LaunchConfigurationName": "launch configurations",
    "InstanceId": "groups created from an instance",
    "TrafficSources": "traffic sources",
    "LoadBalancerNames": "Classic Load Balancers",
    "TargetGroupARNs": "target groups",
}
_DEFAULTS: Record = {
    "DefaultCooldown": 300,
    "HealthCheckType": "EC2",
    "HealthCheckGracePeriod": 0,
    "TerminationPolicies": ["Default"],
    "NewInstancesProtectedFromScaleIn": False,
    "CapacityRebalance": False,
}
#: Members copied from the request as given (defaults above when absent).
_OPTIONAL = (
    "MaxInstanceLifetime",
    "DefaultInstanceWarmup",
    "Context",
    "DesiredCapacityType",
    "InstanceMaintenancePolicy",
)
_COPIED = (*_DEFAULTS, *_OPTIONAL)


def invalid(message: str) -> AwsError:
    return AwsError("ValidationError", message)


def not_found(name: str) -> AwsError:
    return invalid(f"AutoScalingGroup name not found - AutoScalingGroup '{name}' not found")


def get(ctx: RequestContext, name: str) -> AutoScalingGroupRecord:
    group = GROUP.get(ctx, name)
    if group is None:
        raise not_found(name)
    return group


def _arn(ctx: RequestContext, name: str) -> str:
    return (
        f"arn:aws:autoscaling:{ctx.region}:{ctx.account_id}:autoScalingGroup:{uuid.uuid4()}:autoScalingGroupName/{name}"
    )


def _check_sizes(minimum: int, maximum: int, desired: int) -> None:
    if maximum < minimum:
        raise invalid(f"Max bound, {maximum}, must be greater than or equal to min bound, {minimum}")
    if not minimum <= desired <= maximum:
        raise invalid(
            f"Desired capacity:{desired} must be between the specified min size:{minimum} and max size:{maximum}"
        )


def _launch_template(ctx: RequestContext, spec: Mapping[str, Any]) -> Record:
    """The group's LaunchTemplate as DescribeAutoScalingGroups shows it: id and name both, and the
    version string as given (`$Default` when omitted)."""
    if bool(spec.get("LaunchTemplateId")) == bool(spec.get("LaunchTemplateName")):
        raise invalid("Valid requests must contain either launchTemplateId or LaunchTemplateName")
    try:
        template = launch_templates.get_template(ctx, spec)
        launch_templates.get_version(ctx, template, spec.get("Version"))
    except AwsError as error:
        raise invalid(f"You must use a valid fully-formed launch template. {error.message}") from None
    return {
        "LaunchTemplateId": template["LaunchTemplateId"],
        "LaunchTemplateName": template["LaunchTemplateName"],
        "Version": spec.get("Version") or "$Default",
    }


def _sources(
    ctx: RequestContext, params: shapes.CreateAutoScalingGroupType | shapes.UpdateAutoScalingGroupType
) -> Record:
    for name, what in _UNSUPPORTED.items():
        if params.get(name):
            raise invalid(f"trunkline does not support {what} ({name}) in Auto Scaling groups.")
    template, mixed = params.get("LaunchTemplate"), params.get("MixedInstancesPolicy")
    if bool(template) == bool(mixed):
        raise invalid(
            "Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or "
            "MixedInstancesPolicy parameter."
        )
    if template:
        return {"LaunchTemplate": _launch_template(ctx, template)}
    policy: Record = dict(mixed or {})
    inner = dict(policy.get("LaunchTemplate") or {})
    inner["LaunchTemplateSpecification"] = _launch_template(ctx, inner.get("LaunchTemplateSpecification") or {})
    inner["Overrides"] = list(inner.get("Overrides") or [])
    by_attributes = [o["InstanceRequirements"] for o in inner["Overrides"] if o.get("InstanceRequirements")]
    for requirements in by_attributes:
        instance_requirements.check(requirements)
    policy["LaunchTemplate"] = inner
    policy["InstancesDistribution"] = {
        # AWS's default: lowest-price with InstanceRequirements, prioritized without.
        "OnDemandAllocationStrategy": "lowest-price" if by_attributes else "prioritized",
        "OnDemandBaseCapacity": 0,
        "OnDemandPercentageAboveBaseCapacity": 100,
        "SpotAllocationStrategy": "lowest-price",
        **(policy.get("InstancesDistribution") or {}),
    }
    return {"MixedInstancesPolicy": policy}


def _placement(
    ctx: RequestContext, params: shapes.CreateAutoScalingGroupType | shapes.UpdateAutoScalingGroupType
) -> tuple[str, list[str]]:
    """`VPCZoneIdentifier` (subnets, comma-separated) and the zones they are in."""
    text = params.get("VPCZoneIdentifier") or ""
    subnet_ids = [s.strip() for s in text.split(",") if s.strip()]
    if not subnet_ids:
        if params.get("AvailabilityZones"):
            return "", _default_zones(ctx, params["AvailabilityZones"])
        raise invalid("At least one Availability Zone or VPC Subnet is required.")
    zones: list[str] = []
    for subnet_id in subnet_ids:
        subnet = SUBNET.get(ctx, subnet_id)
        if subnet is None:
            raise invalid(f"The subnet ID '{subnet_id}' does not exist")
        zones.append(subnet["AvailabilityZone"])
    asked = params.get("AvailabilityZones")
    if asked and sorted(set(asked)) != sorted(set(zones)):
        raise invalid("The availability zones of the specified subnets and the Auto Scaling group do not match")
    return ",".join(subnet_ids), sorted(set(zones))


def _default_zones(ctx: RequestContext, zones: list[str]) -> list[str]:
    """A group given zones and no subnets launches into the default subnets of those zones."""
    from trunkline.domain.ec2 import default_vpc

    for zone in zones:
        if default_vpc.default_subnet_in(ctx, zone) is None:
            raise invalid(f"No default subnet for availability zone: '{zone}'.")
    return sorted(set(zones))


def _tag(name: str, tag: Mapping[str, Any]) -> Record:
    return {
        "ResourceId": name,
        "ResourceType": "auto-scaling-group",
        "Key": tag["Key"],
        "Value": tag.get("Value") or "",
        "PropagateAtLaunch": bool(tag.get("PropagateAtLaunch")),
    }


def _check_user_keys(tags: Sequence[Mapping[str, Any]]) -> None:
    """The `aws:` prefix is AWS's own (the group's instances get `aws:autoscaling:groupName`): a
    caller can neither set nor delete such a key, and one propagated at launch would fail every launch."""
    for tag in tags:
        if str(tag.get("Key", "")).lower().startswith("aws:"):
            raise invalid("Tag keys starting with 'aws:' are reserved for internal use")


def _check_tags(tags: list[Record]) -> None:
    if len([t for t in tags if not t["Key"].startswith("aws:")]) > 50:
        raise invalid("The number of tags must be less than or equal to 50.")


# --- create, update, delete ----------------------------------------------------------------------------


def create(ctx: RequestContext, params: shapes.CreateAutoScalingGroupType) -> AutoScalingGroupRecord:
    name = params["AutoScalingGroupName"]
    if GROUP.get(ctx, name) is not None:
        raise AwsError(
            "AlreadyExists",
            f"AutoScalingGroup by this name already exists - A group with the name {name} already exists",
        )
    minimum, maximum = params["MinSize"], params["MaxSize"]
    desired = params.get("DesiredCapacity")
    desired = minimum if desired is None else desired
    _check_sizes(minimum, maximum, desired)
    sources = _sources(ctx, params)
    subnets, zones = _placement(ctx, params)
    _check_user_keys(params.get("Tags") or [])
    tags = [_tag(name, t) for t in params.get("Tags") or []]
    _check_tags(tags)
    given_role = params.get("ServiceLinkedRoleARN")
    if given_role is not None:
        linked_role.check(ctx, given_role)
    # Auto Scaling creates its default service-linked role when the account lacks it (EC2 Auto
    # Scaling User Guide, "Service-linked roles for Amazon EC2 Auto Scaling"): once the request is valid.
    role_arn = linked_role.resolve(ctx, given_role)
    given: Mapping[str, Any] = params  # the members copied by name
    group: Record = {
        "AutoScalingGroupName": name,
        "AutoScalingGroupARN": _arn(ctx, name),
        **sources,
        "MinSize": minimum,
        "MaxSize": maximum,
        "DesiredCapacity": desired,
        **{k: given[k] if given.get(k) is not None else v for k, v in _DEFAULTS.items()},
        "AvailabilityZones": zones,
        "LoadBalancerNames": [],
        "TargetGroupARNs": [],
        "CreatedTime": ctx.now,
        "SuspendedProcesses": [],
        "VPCZoneIdentifier": subnets,
        "EnabledMetrics": [],
        "Tags": tags,
        "ServiceLinkedRoleARN": role_arn,
        "TrafficSources": [],
        "_causes": [],
    }
    for key in _OPTIONAL:
        if given.get(key) is not None:
            group[key] = given[key]
    if _cleared(group.get("InstanceMaintenancePolicy")):
        group.pop("InstanceMaintenancePolicy")
    if desired:
        group["_causes"] = [
            f"At {activities.at(ctx)} a user request created an AutoScalingGroup changing the desired capacity "
            f"from 0 to {desired}."
        ]
    # Assembled by member name from the request (above); the declaration is asserted here.
    record = cast(AutoScalingGroupRecord, group)
    GROUP.save(ctx, record)
    for hook in params.get("LifecycleHookSpecificationList") or []:
        put_lifecycle_hook(ctx, {**hook, "AutoScalingGroupName": name})
    scaling.schedule(ctx, record)
    return record


def check_not_deleting(group: AutoScalingGroupRecord) -> None:
    """A group being deleted keeps its zero sizes: AWS refuses to change them (kubernetes/kops#844)."""
    if group.get("Status") == "Delete in progress":
        raise invalid("The AutoScaling group may not be modified while it is pending delete")


def update(ctx: RequestContext, params: shapes.UpdateAutoScalingGroupType) -> None:
    group = get(ctx, params["AutoScalingGroupName"])
    check_not_deleting(group)
    for name, what in _UNSUPPORTED.items():
        if params.get(name):
            raise invalid(f"trunkline does not support {what} ({name}) in Auto Scaling groups.")
    minimum = int(group["MinSize"] if params.get("MinSize") is None else params["MinSize"])
    maximum = int(group["MaxSize"] if params.get("MaxSize") is None else params["MaxSize"])
    before = group["DesiredCapacity"]
    desired = params.get("DesiredCapacity")
    if desired is None:  # AWS moves desired into the new bounds rather than refusing
        desired = min(max(before, minimum), maximum)
    _check_sizes(minimum, maximum, desired)
    given_role = params.get("ServiceLinkedRoleARN")
    if given_role is not None:
        linked_role.check(ctx, given_role)
    fields: Record = dict(group)  # members are copied from the request by name
    if params.get("LaunchTemplate") or params.get("MixedInstancesPolicy"):
        fields.pop("LaunchTemplate", None)
        fields.pop("MixedInstancesPolicy", None)
        fields.update(_sources(ctx, params))
    if params.get("VPCZoneIdentifier"):
        fields["VPCZoneIdentifier"], fields["AvailabilityZones"] = _placement(ctx, params)
    given: Mapping[str, Any] = params
    for key in _COPIED:
        if given.get(key) is not None:
            fields[key] = given[key]
    if _cleared(fields.get("InstanceMaintenancePolicy")):  # -1 for both percentages removes the policy
        fields.pop("InstanceMaintenancePolicy")
    fields.update(MinSize=minimum, MaxSize=maximum, DesiredCapacity=desired)
    if given_role is not None:  # checked above, before anything changed
        fields["ServiceLinkedRoleARN"] = linked_role.resolve(ctx, given_role)
    if desired != before:
        fields["_causes"] = [
            f"At {activities.at(ctx)} a user request update of AutoScalingGroup constraints to min: {minimum}, "
            f"max: {maximum}, desired: {desired} changing the desired capacity from {before} to {desired}."
        ]
    changed = cast(AutoScalingGroupRecord, fields)
    GROUP.save(ctx, changed)
    scaling.schedule(ctx, changed)


def _cleared(policy: Mapping[str, Any] | None) -> bool:
    return policy is not None and policy.get("MinHealthyPercentage") == -1 and policy.get("MaxHealthyPercentage") == -1


def set_desired_capacity(ctx: RequestContext, name: str, desired: int) -> None:
    group = get(ctx, name)
    check_not_deleting(group)
    if desired > group["MaxSize"]:
        raise invalid(
            f"New SetDesiredCapacity value {desired} is above max value {group['MaxSize']} for the AutoScalingGroup."
        )
    if desired < group["MinSize"]:
        raise invalid(
            f"New SetDesiredCapacity value {desired} is below min value {group['MinSize']} for the AutoScalingGroup."
        )
    before = group["DesiredCapacity"]
    if desired == before:
        return
    group["DesiredCapacity"] = desired
    group["_causes"] = [
        f"At {activities.at(ctx)} a user request explicitly set group desired capacity changing the desired "
        f"capacity from {before} to {desired}."
    ]
    GROUP.save(ctx, group)
    scaling.schedule(ctx, group)


def set_desired_by_policy(ctx: RequestContext, name: str, desired: int, cause: str) -> None:
    """A scaling policy (ECS managed scaling's) moves the desired capacity, within the group's
    bounds (a policy never changes MinSize/MaxSize); `cause` opens the next activities' causes."""
    group = get(ctx, name)
    desired = min(max(desired, group["MinSize"]), group["MaxSize"])
    if desired == group["DesiredCapacity"] or group.get("Status") == "Delete in progress":
        return
    if processes.suspended(group, processes.ALARM_NOTIFICATION):  # the alarm's action is not run
        return
    group["DesiredCapacity"] = desired
    group["_causes"] = [cause]
    GROUP.save(ctx, group)
    scaling.schedule(ctx, group)


def delete(ctx: RequestContext, name: str, force: bool) -> None:
    group = get(ctx, name)
    members = MEMBER.find(ctx, "group", name)
    if members and not force:
        raise AwsError(
            "ResourceInUse",
            "You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) "
            "still in the group.",
        )
    for policy in POLICY.find(ctx, "group", name):
        POLICY.delete_record(ctx, policy)
    for hook in HOOK.find(ctx, "group", name):
        HOOK.delete_record(ctx, hook)
    refreshes.forget_group(ctx, name)
    if not members:
        GROUP.delete(ctx, name)
        return
    group["Status"] = "Delete in progress"
    group["MinSize"] = group["MaxSize"] = group["DesiredCapacity"] = 0
    GROUP.save(ctx, group)
    for member in members:
        if member["LifecycleState"].startswith("Terminating"):  # ForceDelete ends its lifecycle action
            member.pop("_lifecycle", None)
            member["LifecycleState"] = "Terminating"
            MEMBER.save(ctx, member)
            scaling.termination_proceeds(ctx, member)
        else:
            scaling.terminate_member(ctx, group, member, None)


# --- scaling processes and metrics collection ------------------------------------------------------------


def _unless_deleting(ctx: RequestContext, name: str, what: str) -> AutoScalingGroupRecord:
    group = get(ctx, name)
    if group.get("Status") == "Delete in progress":  # AWS's text (cloud-custodian#497)
        raise invalid(f"{what} while the AutoScaling group is pending delete")
    return group


def suspend_processes(ctx: RequestContext, name: str, names: Sequence[str] | None) -> None:
    group = _unless_deleting(ctx, name, "Processes may not be suspended")
    reason = f"User suspended at {activities.at(ctx)}"
    group["SuspendedProcesses"] = processes.with_suspended(group["SuspendedProcesses"], processes.chosen(names), reason)
    GROUP.save(ctx, group)


def resume_processes(ctx: RequestContext, name: str, names: Sequence[str] | None) -> None:
    group = _unless_deleting(ctx, name, "Processes may not be resumed")
    group["SuspendedProcesses"] = processes.without(group["SuspendedProcesses"], processes.chosen(names))
    GROUP.save(ctx, group)
    scaling.schedule(ctx, group)  # a resumed Launch or Terminate catches up with the desired capacity


def enable_metrics(ctx: RequestContext, name: str, names: Sequence[str] | None, granularity: str) -> None:
    group = get(ctx, name)
    metrics.check_granularity(granularity)
    group["EnabledMetrics"] = metrics.enabled(group["EnabledMetrics"], metrics.chosen(names), granularity)
    GROUP.save(ctx, group)


def disable_metrics(ctx: RequestContext, name: str, names: Sequence[str] | None) -> None:
    group = get(ctx, name)
    group["EnabledMetrics"] = metrics.disabled(group["EnabledMetrics"], metrics.chosen(names))
    GROUP.save(ctx, group)


# --- instances -------------------------------------------------------------------------------------------


def _member(ctx: RequestContext, instance_id: str) -> MemberRecord:
    member = MEMBER.get(ctx, instance_id)
    if member is None or member["LifecycleState"].startswith("Terminat"):
        raise invalid(f"Instance Id not found - No managed instance found for instance ID: {instance_id}")
    return member


def terminate_requested(
    ctx: RequestContext, request: shapes.TerminateInstanceInAutoScalingGroupType
) -> tuple[ActivityRecord | None, list[ActivityRecord]]:
    """TerminateInstanceInAutoScalingGroup: one instance by InstanceId (answered as `Activity`),
    or up to 100 of one group by InstanceIds and AutoScalingGroupName (answered as `Activities`).
    The model requires neither, so a request naming no instance is refused here (docs/decisions.md)."""
    decrement = request["ShouldDecrementDesiredCapacity"]
    one, many, name = request.get("InstanceId"), request.get("InstanceIds"), request.get("AutoScalingGroupName")
    if one is not None and many is not None:
        raise invalid("InstanceId and InstanceIds cannot be specified together.")
    if one is not None:
        return terminate_instance(ctx, one, decrement), []
    if many is None:
        raise invalid("Either InstanceId or InstanceIds must be specified.")
    if name is None:
        raise invalid("AutoScalingGroupName is required when using InstanceIds.")
    group = get(ctx, name)
    for instance_id in many:
        if _member(ctx, instance_id)["AutoScalingGroupName"] != name:
            raise invalid(f"The instance {instance_id} is not part of Auto Scaling group {name}.")
    if decrement and group["DesiredCapacity"] - len(set(many)) < group["MinSize"]:
        raise invalid(
            f"Terminating {len(set(many))} instances without replacement will violate group's min size constraint. "
            "Either set shouldDecrementDesiredCapacity flag to false or lower group's min size."
        )
    return None, [terminate_instance(ctx, instance_id, decrement) for instance_id in dict.fromkeys(many)]


def terminate_instance(ctx: RequestContext, instance_id: str, decrement: bool) -> ActivityRecord:
    """TerminateInstanceInAutoScalingGroup: protection does not stop it (only scale-in)."""
    member = _member(ctx, instance_id)
    group = get(ctx, member["AutoScalingGroupName"])
    before = group["DesiredCapacity"]
    cause = f"At {activities.at(ctx)} instance {instance_id} was taken out of service in response to a user request"
    if decrement:
        if before <= group["MinSize"]:
            raise invalid(
                f"Currently, desiredSize equals minSize ({group['MinSize']}). Terminating instance without replacement "
                "will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or "
                "lower group's min size."
            )
        group["DesiredCapacity"] = before - 1
        cause += f", shrinking the capacity from {before} to {before - 1}."
    else:
        cause += "."
    GROUP.save(ctx, group)
    activity = scaling.terminate_member(ctx, group, member, cause)
    scaling.schedule(ctx, group)
    return activity


def set_instance_protection(ctx: RequestContext, name: str, instance_ids: list[str], protected: bool) -> None:
    get(ctx, name)
    members = []
    for instance_id in instance_ids:
        member = MEMBER.get(ctx, instance_id)
        if member is None or member["AutoScalingGroupName"] != name:
            raise invalid(f"The instance {instance_id} is not part of Auto Scaling group {name}.")
        members.append(member)
    for member in members:
        member["ProtectedFromScaleIn"] = protected
        MEMBER.save(ctx, member)


def instances_of(ctx: RequestContext, name: str) -> list[Record]:
    """The group's `Instance` shapes, in instance-id order."""
    found = [m for m in MEMBER.find(ctx, "group", name) if m["LifecycleState"] != "Terminated"]
    return [MEMBER.view(m) | {"AutoScalingGroupName": name} for m in sorted(found, key=lambda m: m["InstanceId"])]


def view(ctx: RequestContext, group: AutoScalingGroupRecord) -> Record:
    shown = GROUP.view(group)
    shown["Instances"] = [
        {k: v for k, v in i.items() if k != "AutoScalingGroupName"}
        for i in instances_of(ctx, group["AutoScalingGroupName"])
    ]
    return shown


def names(ctx: RequestContext) -> list[str]:
    """Every group's name in the caller's account and region, in name order (no views built)."""
    return sorted(g["AutoScalingGroupName"] for g in GROUP.scan(ctx))


def describe(ctx: RequestContext, names: list[str] | None, filters: Sequence[Mapping[str, Any]] | None) -> list[Record]:
    groups = [g for g in (GROUP.get(ctx, n) for n in names) if g is not None] if names else GROUP.scan(ctx)
    return [view(ctx, g) for g in sorted(groups, key=lambda g: g["AutoScalingGroupName"]) if _matches(g, filters)]


def _matches(group: AutoScalingGroupRecord, filters: Sequence[Mapping[str, Any]] | None) -> bool:
    for flt in filters or []:
        name, values = flt.get("Name", ""), set(flt.get("Values") or [])
        tags = {t["Key"]: t["Value"] for t in group["Tags"]}
        if name == "tag-key" and not values & set(tags):
            return False
        if name == "tag-value" and not values & set(tags.values()):
            return False
        if name.startswith("tag:") and tags.get(name[4:]) not in values:
            return False
    return True


# --- tags ------------------------------------------------------------------------------------------------


def _tag_groups(ctx: RequestContext, tags: Sequence[Mapping[str, Any]]) -> dict[str, AutoScalingGroupRecord]:
    _check_user_keys(tags)
    groups: dict[str, AutoScalingGroupRecord] = {}
    for tag in tags:
        if tag.get("ResourceType", "auto-scaling-group") != "auto-scaling-group":
            raise invalid(f"Invalid resource type: {tag.get('ResourceType')}")
        name = tag.get("ResourceId") or ""
        groups[name] = groups.get(name) or get(ctx, name)
    return groups


def create_or_update_tags(ctx: RequestContext, tags: Sequence[Mapping[str, Any]]) -> None:
    groups = _tag_groups(ctx, tags)
    for tag in tags:
        group = groups[tag["ResourceId"]]
        group["Tags"] = [t for t in group["Tags"] if t["Key"] != tag["Key"]] + [
            _tag(group["AutoScalingGroupName"], tag)
        ]
        group["Tags"].sort(key=lambda t: t["Key"])
    for group in groups.values():
        _check_tags(group["Tags"])
        GROUP.save(ctx, group)


def delete_tags(ctx: RequestContext, tags: Sequence[Mapping[str, Any]]) -> None:
    groups = _tag_groups(ctx, tags)
    for tag in tags:
        group = groups[tag["ResourceId"]]
        group["Tags"] = [t for t in group["Tags"] if t["Key"] != tag["Key"]]
    for group in groups.values():
        GROUP.save(ctx, group)


_TAG_FILTERS = {
    "auto-scaling-group": "ResourceId",
    "key": "Key",
    "value": "Value",
    "propagate-at-launch": "PropagateAtLaunch",
}


def describe_tags(ctx: RequestContext, filters: Sequence[Mapping[str, Any]] | None) -> list[Record]:
    wanted: dict[str, set[str]] = {}
    for flt in filters or []:
        name = flt.get("Name", "")
        if name not in _TAG_FILTERS:
            raise invalid(
                f"Filter type {name} is not correct. Allowed Filter types are: auto-scaling-group key value "
                "propagate-at-launch"
            )
        wanted[name] = set(flt.get("Values") or [])
    found = []
    for group in sorted(GROUP.scan(ctx), key=lambda g: g["AutoScalingGroupName"]):
        for tag in group["Tags"]:
            shown = {n: str(tag[f]).lower() if n == "propagate-at-launch" else tag[f] for n, f in _TAG_FILTERS.items()}
            if all(shown[n] in values for n, values in wanted.items()):
                found.append(dict(tag))
    return found


# --- policies and lifecycle hooks (stored and described; no CloudWatch alarms drive them) ----------------


def put_scaling_policy(ctx: RequestContext, params: shapes.PutScalingPolicyType) -> ScalingPolicyRecord:
    group = get(ctx, params["AutoScalingGroupName"])
    policy_type = params.get("PolicyType") or "SimpleScaling"
    policy_checks.check_policy(policy_type, params)
    if policy_type == "TargetTrackingScaling" and not params.get("TargetTrackingConfiguration"):
        raise invalid("TargetTrackingConfiguration is required for policy type TargetTrackingScaling.")
    name = params["PolicyName"]
    arn = (
        f"arn:aws:autoscaling:{ctx.region}:{ctx.account_id}:scalingPolicy:{uuid.uuid4()}:"
        f"autoScalingGroupName/{group['AutoScalingGroupName']}:policyName/{name}"
    )
    existing = [p for p in POLICY.find(ctx, "group", group["AutoScalingGroupName"]) if p["PolicyName"] == name]
    fields: Record = {  # the optional members are copied from the request by name
        "AutoScalingGroupName": group["AutoScalingGroupName"],
        "PolicyName": name,
        "PolicyARN": existing[0]["PolicyARN"] if existing else arn,
        "PolicyType": policy_type,
        "Alarms": [],
        "Enabled": params.get("Enabled", True),
    }
    for key in (
        "AdjustmentType",
        "MinAdjustmentMagnitude",
        "ScalingAdjustment",
        "Cooldown",
        "MetricAggregationType",
        "StepAdjustments",
        "EstimatedInstanceWarmup",
        "TargetTrackingConfiguration",
        "PredictiveScalingConfiguration",
    ):
        if params.get(key) is not None:
            fields[key] = params[key]
    policy = cast(ScalingPolicyRecord, fields)
    POLICY.save(ctx, policy)
    return policy


def describe_policies(ctx: RequestContext, params: shapes.DescribePoliciesType) -> list[Record]:
    name = params.get("AutoScalingGroupName")
    found = (
        POLICY.find(ctx, "group", name)
        if name
        else [p for g in GROUP.scan(ctx) for p in POLICY.find(ctx, "group", g["AutoScalingGroupName"])]
    )
    names, types = set(params.get("PolicyNames") or []), set(params.get("PolicyTypes") or [])
    return [
        POLICY.view(p)
        for p in sorted(found, key=lambda p: (p["AutoScalingGroupName"], p["PolicyName"]))
        if (not names or p["PolicyName"] in names or p["PolicyARN"] in names)
        and (not types or p["PolicyType"] in types)
    ]


def delete_policy(ctx: RequestContext, group_name: str | None, policy_name: str) -> None:
    wanted: shapes.DescribePoliciesType = {"PolicyNames": [policy_name]}
    if group_name is not None:  # describe_policies reads an absent and a None name alike
        wanted["AutoScalingGroupName"] = group_name
    candidates = describe_policies(ctx, wanted)
    if not candidates:
        raise invalid("Policy not found")
    for policy in candidates:
        POLICY.delete_record(ctx, policy)


def put_lifecycle_hook(ctx: RequestContext, params: shapes.PutLifecycleHookType) -> None:
    """Creates a hook, or updates one: members not given keep their values (the transition is
    "required for new lifecycle hooks, but optional when updating existing hooks")."""
    group = get(ctx, params["AutoScalingGroupName"])
    key = {"AutoScalingGroupName": group["AutoScalingGroupName"], "LifecycleHookName": params["LifecycleHookName"]}
    existing = next((h for h in HOOK.find(ctx, "group", key["AutoScalingGroupName"]) if _same_hook(h, key)), None)
    old: Record = dict(existing) if existing is not None else {}
    transition = params.get("LifecycleTransition") or old.get("LifecycleTransition")
    if transition not in ("autoscaling:EC2_INSTANCE_LAUNCHING", "autoscaling:EC2_INSTANCE_TERMINATING"):
        raise invalid("Invalid Lifecycle Transition")
    heartbeat = int(_given(params.get("HeartbeatTimeout"), old.get("HeartbeatTimeout"), 3600))
    if not 30 <= heartbeat <= 7200:
        raise invalid(
            f"Heartbeat timeout {heartbeat} is not valid. The heartbeat timeout must be between 30 and 7200 seconds."
        )
    result = str(_given(params.get("DefaultResult"), old.get("DefaultResult"), "ABANDON"))
    if result not in ("CONTINUE", "ABANDON"):
        raise invalid(f"Default result {result} is not valid. Valid results are CONTINUE or ABANDON")
    fields: Record = {  # the optional members are copied from the request by name
        **key,
        "LifecycleTransition": transition,
        "HeartbeatTimeout": heartbeat,
        "GlobalTimeout": min(172800, 100 * heartbeat),
        "DefaultResult": result,
    }
    for name in ("NotificationTargetARN", "RoleARN", "NotificationMetadata"):
        if params.get(name) or old.get(name):
            fields[name] = params.get(name) or old[name]
    HOOK.save(ctx, cast(LifecycleHookRecord, fields))


def _same_hook(hook: LifecycleHookRecord, key: Record) -> bool:
    return bool(hook["LifecycleHookName"] == key["LifecycleHookName"])


def _given(value: Any, kept: Any, default: Any) -> Any:
    """The request's value, else the hook's current one, else AWS's default."""
    return value if value is not None else kept if kept is not None else default


def describe_lifecycle_hooks(ctx: RequestContext, group_name: str, names: list[str] | None) -> list[Record]:
    get(ctx, group_name)
    hooks = sorted(HOOK.find(ctx, "group", group_name), key=lambda h: h["LifecycleHookName"])
    return [HOOK.view(h) for h in hooks if not names or h["LifecycleHookName"] in names]


def delete_lifecycle_hook(ctx: RequestContext, group_name: str, name: str) -> None:
    hooks = describe_lifecycle_hooks(ctx, group_name, [name])
    if not hooks:
        raise invalid(f"No Lifecycle Hook found with name {name} for group {group_name}")
    lifecycle.hook_deleted(ctx, group_name, name)
    HOOK.delete_record(ctx, {"AutoScalingGroupName": group_name, "LifecycleHookName": name})
