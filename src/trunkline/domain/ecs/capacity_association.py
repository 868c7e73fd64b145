"""Which capacity providers a cluster uses, and its default strategy (CreateCluster and
PutClusterCapacityProviders), with what association does to an Auto Scaling group provider
(capacity-behaviour.md §1.5, §3.1, §5.2): with managed scaling ENABLED, ECS puts its target
tracking policy `ECSManagedAutoScalingPolicy-<uuid>` on the group and starts managed scaling
(`managed_scaling.py`, the clock job named `JOB` here); with managed draining ENABLED it puts the
lifecycle hook `ecs-managed-draining-termination-hook`. Disassociation removes both.

Kept apart from `capacity_providers.py` so that `clusters.py` can check a CreateCluster without
importing the provider operations (which import clusters)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.autoscaling import groups, lifecycle
from trunkline.domain.autoscaling.kinds import GROUP, HOOK, MEMBER, POLICY
from trunkline.domain.ecs.kinds import CAPACITY_PROVIDER
from trunkline.domain.ecs.records import CapacityProviderRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import autoscaling as autoscaling_shapes
    from trunkline.wire.shapes import ecs as shapes

Record = dict[str, Any]

FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
JOB = "ecs.capacity-provider.managed-scaling"
HOOK_NAME = "ecs-managed-draining-termination-hook"
POLICY_PREFIX = "ECSManagedAutoScalingPolicy-"
MAX_PER_CLUSTER = 20
MAX_STRATEGY = 20


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def provider_name(ref: str) -> str:
    """A provider reference by name or ARN (`…:capacity-provider/NAME`), as its name."""
    return ref.rsplit("capacity-provider/", 1)[-1] if ref.startswith("arn:") else ref


def active_provider(ctx: RequestContext, name: str) -> CapacityProviderRecord | None:
    """The ACTIVE Auto Scaling group provider of that name (None for Fargate or unknown ones)."""
    record = CAPACITY_PROVIDER.get(ctx, name)
    return record if record is not None and record["status"] == "ACTIVE" else None


def is_fargate(name: str) -> bool:
    return name in FARGATE_PROVIDERS


def parse_strategy(items: Sequence[Mapping[str, Any]] | None) -> list[Record]:
    """A capacityProviderStrategy as ECS echoes it: short names, weight and base as integers."""
    strategy: list[Record] = [
        {
            "capacityProvider": provider_name(str(item.get("capacityProvider") or "")),
            "weight": int(item.get("weight") or 0),
            "base": int(item.get("base") or 0),
        }
        for item in items or []
    ]
    if len(strategy) > MAX_STRATEGY:
        raise _invalid(f"The capacity provider strategy can contain at most {MAX_STRATEGY} capacity providers.")
    for item in strategy:
        if not 0 <= item["weight"] <= 1000:
            raise _invalid("The weight of a capacity provider strategy item must be between 0 and 1000.")
        if not 0 <= item["base"] <= 100000:
            raise _invalid("The base of a capacity provider strategy item must be between 0 and 100000.")
    if sum(1 for item in strategy if item["base"] > 0) > 1:
        raise _invalid("Only one capacity provider in a strategy can have a base value greater than zero.")
    kinds = {is_fargate(item["capacityProvider"]) for item in strategy}
    if len(kinds) > 1:
        raise _invalid(
            "A capacity provider strategy cannot contain a mix of capacity providers using Auto Scaling groups and "
            "Fargate providers. Specify one or the other and try again."
        )
    return strategy


def check_strategy_members(strategy: list[Record], associated: list[str]) -> None:
    for item in strategy:
        if item["capacityProvider"] not in associated:
            raise _invalid(
                "The specified capacity provider strategy cannot contain a capacity provider that is not associated "
                "with the cluster. Associate the capacity provider with the cluster or specify a valid capacity "
                "provider and try again."
            )


def check(
    ctx: RequestContext,
    cluster_name: str,
    params: shapes.CreateClusterRequest | shapes.PutClusterCapacityProvidersRequest,
) -> tuple[list[str], list[Record]]:
    """The providers and default strategy a CreateCluster or PutClusterCapacityProviders gives,
    checked; nothing is written."""
    providers = list(dict.fromkeys(provider_name(p) for p in params.get("capacityProviders") or []))
    if len(providers) > MAX_PER_CLUSTER:
        raise _invalid("The maximum number of capacity providers per cluster has been exceeded.")
    for name in providers:
        if is_fargate(name):
            continue
        record = active_provider(ctx, name)
        if record is None:
            raise _invalid(
                "The specified capacity provider was not found. Specify a valid capacity provider and try again."
            )
        elsewhere = [c for c in record["_clusters"] if c != cluster_name]
        if record["autoScalingGroupProvider"]["managedScaling"]["status"] == "ENABLED" and elsewhere:
            raise _invalid(
                f"The capacity provider {name} has managed scaling enabled and is already associated with cluster "
                f"{elsewhere[0]}: such a provider can be associated with one cluster only."
            )
    strategy = parse_strategy(params.get("defaultCapacityProviderStrategy"))
    check_strategy_members(strategy, providers)
    return providers, strategy


def associate(ctx: RequestContext, cluster_name: str, before: list[str], after: list[str]) -> None:
    """Record the change on the providers and set up or take down what ECS manages on their groups."""
    for name in before:
        if name not in after and (record := CAPACITY_PROVIDER.get(ctx, name)) is not None:
            record["_clusters"] = [c for c in record["_clusters"] if c != cluster_name]
            teardown(ctx, record)
            CAPACITY_PROVIDER.save(ctx, record)
    for name in after:
        record = active_provider(ctx, name)
        if record is None:
            continue
        if cluster_name not in record["_clusters"]:
            record["_clusters"] = [*record["_clusters"], cluster_name]
        setup(ctx, record)
        CAPACITY_PROVIDER.save(ctx, record)


def setup(ctx: RequestContext, record: CapacityProviderRecord) -> None:
    """The ECS-managed policy and hook on the provider's group, as its settings ask."""
    if not record["_clusters"]:
        return
    provider = record["autoScalingGroupProvider"]
    group = record["_groupName"]
    if GROUP.get(ctx, group) is None:
        return
    scaling = provider["managedScaling"]
    if scaling["status"] == "ENABLED":
        if not record.get("_policyName"):
            record["_policyName"] = POLICY_PREFIX + str(uuid.uuid4())
            record["_alarmHigh"] = f"TargetTracking-{group}-AlarmHigh-{uuid.uuid4()}"
            record["_alarmLow"] = f"TargetTracking-{group}-AlarmLow-{uuid.uuid4()}"
        groups.put_scaling_policy(ctx, _policy_params(ctx, record))
        schedule(ctx, record)
    else:
        _drop_policy(ctx, record)
    if provider["managedDraining"] == "ENABLED":
        hook: autoscaling_shapes.PutLifecycleHookType = {
            "AutoScalingGroupName": group,
            "LifecycleHookName": HOOK_NAME,
            "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING",
            "HeartbeatTimeout": 3600,
            "DefaultResult": "CONTINUE",
        }
        groups.put_lifecycle_hook(ctx, hook)
    else:
        _drop_hook(ctx, record)


def teardown(ctx: RequestContext, record: CapacityProviderRecord) -> None:
    if record["_clusters"]:
        return
    _drop_policy(ctx, record)
    _drop_hook(ctx, record)


def _policy_params(ctx: RequestContext, record: CapacityProviderRecord) -> autoscaling_shapes.PutScalingPolicyType:
    cluster = record["_clusters"][0]
    metric: autoscaling_shapes.CustomizedMetricSpecification = {
        "MetricName": "CapacityProviderReservation",
        "Namespace": "AWS/ECS/ManagedScaling",
        "Dimensions": [
            {"Name": "CapacityProviderName", "Value": record["name"]},
            {"Name": "ClusterName", "Value": cluster},
        ],
        "Statistic": "Average",
    }
    target = float(record["autoScalingGroupProvider"]["managedScaling"]["targetCapacity"])
    return {
        "AutoScalingGroupName": record["_groupName"],
        "PolicyName": record["_policyName"],
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingConfiguration": {
            "CustomizedMetricSpecification": metric,
            "TargetValue": target,
            "DisableScaleIn": False,
        },
    }


def _drop_policy(ctx: RequestContext, record: CapacityProviderRecord) -> None:
    name = record.pop("_policyName", None)
    if name is not None:
        POLICY.delete_record(ctx, {"AutoScalingGroupName": record["_groupName"], "PolicyName": name})


def _drop_hook(ctx: RequestContext, record: CapacityProviderRecord) -> None:
    key = HOOK.record_store_key(ctx, {"AutoScalingGroupName": record["_groupName"], "LifecycleHookName": HOOK_NAME})
    if HOOK.at_key(ctx, key) is not None:
        lifecycle.hook_deleted(ctx, record["_groupName"], HOOK_NAME)
    HOOK.delete_at_key(ctx, key)


def schedule(ctx: RequestContext, record: CapacityProviderRecord, step: str = JOB) -> None:
    """A managed scaling round for the provider, unless one is due already."""
    if record.get("_roundDue"):
        return
    record["_roundDue"] = True
    ctx.schedule(step, JOB, {"account": ctx.account_id, "region": ctx.region, "provider": record["name"]})


def wake(ctx: RequestContext, name: str) -> None:
    """Tasks started waiting for the provider's capacity: a round soon, not a minute later."""
    record = active_provider(ctx, name)
    if record is not None and not record.get("_roundDue"):
        schedule(ctx, record, "ecs.capacity-provider.wake")
        CAPACITY_PROVIDER.save(ctx, record)


def provider_of_instance(ctx: RequestContext, instance_id: str) -> str | None:
    """The ACTIVE provider whose group launched the EC2 instance (its container instance's
    `capacityProviderName`), if any."""
    member = MEMBER.get(ctx, instance_id)
    if member is None:
        return None
    found = [r for r in CAPACITY_PROVIDER.find(ctx, "group", member["AutoScalingGroupName"]) if r["status"] == "ACTIVE"]
    return str(found[0]["name"]) if found else None
