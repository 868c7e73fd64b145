"""Every stored kind of Auto Scaling record, declared once (see `domain/resource_kind.py`).

Group names are per account and region (`ACCOUNT_REGION`); a group's instances, activities,
policies and hooks are indexed by the group's name."""

from __future__ import annotations

from typing import Any

from trunkline.domain.autoscaling.records import (
    ActivityRecord,
    AutoScalingGroupRecord,
    InstanceRefreshRecord,
    LifecycleHookRecord,
    MemberRecord,
    ScalingPolicyRecord,
)
from trunkline.domain.resource_kind import ResourceKind
from trunkline.store.scope import Scope

Record = dict[str, Any]

GROUP: ResourceKind[AutoScalingGroupRecord] = ResourceKind(
    name="autoscaling.group", scope=Scope.ACCOUNT_REGION, id_field="AutoScalingGroupName"
)

#: The lifecycle states in which an instance counts towards the group's capacity (one waiting on
#: a launch hook is still launching).
LIVE_STATES = ("Pending", "Pending:Wait", "Pending:Proceed", "InService")


def launched_field(group_name: str) -> str:
    """The ordered index of a group's live members by launch time (warm-up reads the newest)."""
    return f"launched:{group_name}"


def launched_value(at: float) -> str:
    """A launch time as the ordered index stores it: text that sorts as the number does."""
    return f"{max(at, 0.0):020.6f}"


def lifecycle_token(member: MemberRecord) -> str | None:
    """The token of the member's open lifecycle action, if it has one."""
    action = member.get("_lifecycle")
    return action["token"] if action else None


def _member_indexes(member: MemberRecord) -> dict[str, str | None]:
    group = member["AutoScalingGroupName"]
    live = member["LifecycleState"] in LIVE_STATES
    return {
        "group": group,
        # counted, not read, by managed scaling: N, and the few members in no live state
        "live": group if live else None,
        "not_live": None if live else group,
        "state": f"{group}|{member['LifecycleState']}",
        launched_field(group): launched_value(float(member.get("_launchedAt") or 0)) if live else None,
        # CompleteLifecycleAction and RecordLifecycleActionHeartbeat may name the wait by its token
        "lifecycle_token": lifecycle_token(member),
    }


#: An instance's membership of a group (its `Instance` shape), kept until the instance is gone.
MEMBER: ResourceKind[MemberRecord] = ResourceKind(
    name="autoscaling.instance",
    scope=Scope.ACCOUNT_REGION,
    id_field="InstanceId",
    indexes=_member_indexes,
    index_version=2,  # 2: live, not_live, state, launched:GROUP, lifecycle_token
)

ACTIVITY: ResourceKind[ActivityRecord] = ResourceKind(
    name="autoscaling.activity",
    scope=Scope.ACCOUNT_REGION,
    id_field="ActivityId",
    indexes=lambda activity: {"group": activity["AutoScalingGroupName"]},
)

POLICY: ResourceKind[ScalingPolicyRecord] = ResourceKind(
    name="autoscaling.policy",
    scope=Scope.ACCOUNT_REGION,
    id_field="PolicyName",
    record_key=lambda policy: f"{policy['AutoScalingGroupName']}/{policy['PolicyName']}",
    indexes=lambda policy: {"group": policy["AutoScalingGroupName"]},
)

HOOK: ResourceKind[LifecycleHookRecord] = ResourceKind(
    name="autoscaling.lifecycle-hook",
    scope=Scope.ACCOUNT_REGION,
    id_field="LifecycleHookName",
    record_key=lambda hook: f"{hook['AutoScalingGroupName']}/{hook['LifecycleHookName']}",
    indexes=lambda hook: {"group": hook["AutoScalingGroupName"]},
)

REFRESH: ResourceKind[InstanceRefreshRecord] = ResourceKind(
    name="autoscaling.instance-refresh",
    scope=Scope.ACCOUNT_REGION,
    id_field="InstanceRefreshId",
    indexes=lambda refresh: {"group": refresh["AutoScalingGroupName"]},
)
