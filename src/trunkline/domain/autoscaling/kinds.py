"""Every stored kind of Auto Scaling record, declared once (see `domain/resource_kind.py`).

Group names are per account and region (`ACCOUNT_REGION`); a group's instances, activities,
policies and hooks are indexed by the group's name."""

from __future__ import annotations

from typing import Any

from trunkline.domain.resource_kind import ResourceKind
from trunkline.store.scope import Scope

Record = dict[str, Any]

GROUP: ResourceKind[Record] = ResourceKind(
    name="autoscaling.group", scope=Scope.ACCOUNT_REGION, id_field="AutoScalingGroupName"
)

#: An instance's membership of a group (its `Instance` shape), kept until the instance is gone.
MEMBER: ResourceKind[Record] = ResourceKind(
    name="autoscaling.instance",
    scope=Scope.ACCOUNT_REGION,
    id_field="InstanceId",
    indexes=lambda member: {"group": member["AutoScalingGroupName"]},
)

ACTIVITY: ResourceKind[Record] = ResourceKind(
    name="autoscaling.activity",
    scope=Scope.ACCOUNT_REGION,
    id_field="ActivityId",
    indexes=lambda activity: {"group": activity["AutoScalingGroupName"]},
)

POLICY: ResourceKind[Record] = ResourceKind(
    name="autoscaling.policy",
    scope=Scope.ACCOUNT_REGION,
    id_field="PolicyName",
    record_key=lambda policy: f"{policy['AutoScalingGroupName']}/{policy['PolicyName']}",
    indexes=lambda policy: {"group": policy["AutoScalingGroupName"]},
)

HOOK: ResourceKind[Record] = ResourceKind(
    name="autoscaling.lifecycle-hook",
    scope=Scope.ACCOUNT_REGION,
    id_field="LifecycleHookName",
    record_key=lambda hook: f"{hook['AutoScalingGroupName']}/{hook['LifecycleHookName']}",
    indexes=lambda hook: {"group": hook["AutoScalingGroupName"]},
)
