"""ECS capacity providers over Auto Scaling groups: Create/Describe/Update/DeleteCapacityProvider
and PutClusterCapacityProviders, with AWS's defaults, states and texts (capacity-behaviour.md §1).

Record (`ecs.capacity-provider`): the CapacityProvider shape plus `_groupName` (the group the
provider wraps), `_clusters` (the clusters it is associated with), and what association made on
the group (`capacity_association`). FARGATE and FARGATE_SPOT are built in: never stored, listed
first, never created, updated or deleted.

States: created ACTIVE without `updateStatus`; UpdateCapacityProvider answers with the old values
and UPDATE_IN_PROGRESS, and the change is complete at once (UPDATE_COMPLETE on the next
describe); DeleteCapacityProvider answers ACTIVE + DELETE_IN_PROGRESS and the provider is then
INACTIVE + DELETE_COMPLETE, or, still associated with a cluster, answers 200 with DELETE_FAILED
and the reason naming the cluster.

Where AWS is silent (docs/decisions.md): a group that does not exist, and FARGATE/FARGATE_SPOT
given to Create/Update/Delete, are ClientExceptions in AWS's style; managedScaling values out of
the model's ranges are InvalidParameterException; an update's partial managedScaling keeps the
current values of the fields it leaves out.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.autoscaling import groups
from trunkline.domain.autoscaling.kinds import GROUP
from trunkline.domain.autoscaling.records import AutoScalingGroupRecord
from trunkline.domain.ecs import capacity_association, clusters, ecs_arn, page
from trunkline.domain.ecs.capacity_association import FARGATE_PROVIDERS, provider_name
from trunkline.domain.ecs.kinds import CAPACITY_PROVIDER, CLUSTER, SERVICE, TASK
from trunkline.domain.ecs.records import CapacityProviderRecord, ClusterRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

Record = dict[str, Any]

_NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")
_RESERVED = ("aws", "ecs", "fargate")
SCALING_DEFAULTS: Record = {
    "status": "DISABLED",
    "targetCapacity": 100,
    "minimumScalingStepSize": 1,
    "maximumScalingStepSize": 10000,
    "instanceWarmupPeriod": 300,
}
_RANGES = {
    "targetCapacity": (1, 100),
    "minimumScalingStepSize": (1, 10000),
    "maximumScalingStepSize": (1, 10000),
    "instanceWarmupPeriod": (0, 10000),
}
MANAGED_TAG = "AmazonECSManaged"


def _client(message: str) -> AwsError:
    return AwsError("ClientException", message)


def _missing() -> AwsError:
    return _client("The specified capacity provider does not exist. Specify a valid name or ARN and try again.")


def arn(ctx: RequestContext, name: str) -> str:
    return ecs_arn(ctx, f"capacity-provider/{name}")


def get(ctx: RequestContext, ref: str) -> CapacityProviderRecord:
    record = CAPACITY_PROVIDER.get(ctx, provider_name(ref))
    if record is None or record["status"] == "INACTIVE":
        raise _missing()
    return record


def of_group(ctx: RequestContext, group_name: str) -> CapacityProviderRecord | None:
    """The ACTIVE provider wrapping the group, if any."""
    found = [r for r in CAPACITY_PROVIDER.find(ctx, "group", group_name) if r["status"] == "ACTIVE"]
    return found[0] if found else None


# --- CreateCapacityProvider -------------------------------------------------------------------------


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name) or name.lower().startswith(_RESERVED):
        raise _client(
            "The specified capacity provider name is invalid. Up to 255 characters are allowed, including letters "
            '(upper and lowercase), numbers, underscores, and hyphens. The name cannot be prefixed with "aws", "ecs", '
            'or "fargate". Specify a valid name and try again.'
        )


def _scaling(given: Mapping[str, Any] | None, current: Record) -> Record:
    """managedScaling filled: what was given over `current` (AWS's defaults on create)."""
    filled = {**current, **{k: v for k, v in (given or {}).items() if v is not None}}
    if filled["status"] not in ("ENABLED", "DISABLED"):
        raise AwsError("InvalidParameterException", "managedScaling status must be ENABLED or DISABLED.")
    for field, (low, high) in _RANGES.items():
        if not low <= int(filled[field]) <= high:
            raise AwsError("InvalidParameterException", f"managedScaling {field} must be between {low} and {high}.")
    return filled


def _toggle(value: Any, field: str, default: str) -> str:
    chosen = default if value is None else str(value)
    if chosen not in ("ENABLED", "DISABLED"):
        raise AwsError("InvalidParameterException", f"{field} must be ENABLED or DISABLED.")
    return chosen


def _group_of(ctx: RequestContext, ref: str) -> AutoScalingGroupRecord:
    """The group an `autoScalingGroupArn` names: its ARN or (as AWS accepts) its name."""
    name = ref.rsplit("autoScalingGroupName/", 1)[-1] if ref.startswith("arn:") else ref
    group = GROUP.get(ctx, name)
    if group is None or (ref.startswith("arn:") and group["AutoScalingGroupARN"] != ref):
        raise _client("The specified Auto Scaling group ARN does not exist. Specify a valid ARN and try again.")
    return group


def create(ctx: RequestContext, params: shapes.CreateCapacityProviderRequest) -> CapacityProviderRecord:
    name = str(params["name"])
    _check_name(name)
    if params.get("managedInstancesProvider") is not None or params.get("cluster") is not None:
        raise AwsError("InvalidParameterException", "trunkline does not support ECS Managed Instances providers.")
    given = params.get("autoScalingGroupProvider")
    if not given:
        raise AwsError("InvalidParameterException", "autoScalingGroupProvider is required.")
    existing = CAPACITY_PROVIDER.get(ctx, name)
    if existing is not None and existing["status"] == "ACTIVE":
        raise _client(
            "The specified capacity provider already exists. To change the configuration of an existing capacity "
            "provider, update the capacity provider."
        )
    group = _group_of(ctx, str(given["autoScalingGroupArn"]))
    if of_group(ctx, group["AutoScalingGroupName"]) is not None:
        raise _client(
            "The specified Auto Scaling group ARN is already being used by another capacity provider. Specify a "
            "unique Auto Scaling group ARN and try again."
        )
    record: CapacityProviderRecord = {
        "capacityProviderArn": arn(ctx, name),
        "name": name,
        "status": "ACTIVE",
        "autoScalingGroupProvider": {
            "autoScalingGroupArn": group["AutoScalingGroupARN"],
            "managedScaling": _scaling(given.get("managedScaling"), SCALING_DEFAULTS),
            "managedTerminationProtection": _toggle(
                given.get("managedTerminationProtection"), "managedTerminationProtection", "DISABLED"
            ),
            "managedDraining": _toggle(given.get("managedDraining"), "managedDraining", "ENABLED"),
        },
        "tags": clusters.check_tags(list(params.get("tags") or [])),
        "type": "EC2_AUTOSCALING",
        "_groupName": group["AutoScalingGroupName"],
        "_clusters": [],
    }
    CAPACITY_PROVIDER.save(ctx, record)
    if any(tag["Key"] == MANAGED_TAG for tag in group["Tags"]):
        # The group declares the tag already (as Terraform's docs tell users to, with the value
        # "true"): ECS keeps it as it is, so the group's configuration does not drift.
        return record
    # ECS marks the group it manages (the caller needs autoscaling:CreateOrUpdateTags for it).
    groups.create_or_update_tags(
        ctx,
        [
            {
                "ResourceId": group["AutoScalingGroupName"],
                "ResourceType": "auto-scaling-group",
                "Key": MANAGED_TAG,
                "Value": "",
                "PropagateAtLaunch": True,
            }
        ],
    )
    return record


# --- views and DescribeCapacityProviders ------------------------------------------------------------


def _fargate(ctx: RequestContext, name: str) -> Record:
    return {"capacityProviderArn": arn(ctx, name), "name": name, "status": "ACTIVE", "tags": [], "type": name}


def view(record: CapacityProviderRecord, include_tags: bool = True) -> Record:
    shown = {k: v for k, v in record.items() if not k.startswith("_")}
    shown["tags"] = record.get("tags", []) if include_tags else []
    return shown


def describe(
    ctx: RequestContext, params: shapes.DescribeCapacityProvidersRequest
) -> tuple[list[Record], list[Record], str | None]:
    include_tags = "TAGS" in (params.get("include") or [])
    refs = params.get("capacityProviders")
    if refs:
        found: list[Record] = []
        failures: list[Record] = []
        for ref in refs:
            name = provider_name(ref)
            if name in FARGATE_PROVIDERS:
                found.append(_fargate(ctx, name))
            elif (record := CAPACITY_PROVIDER.get(ctx, name)) is not None:
                found.append(view(record, include_tags))
            else:
                failures.append({"arn": ref if ref.startswith("arn:") else arn(ctx, ref), "reason": "MISSING"})
        return found, failures, None
    every = [_fargate(ctx, n) for n in FARGATE_PROVIDERS]
    every += [view(r, include_tags) for r in CAPACITY_PROVIDER.scan(ctx) if r["status"] == "ACTIVE"]
    keyed = [(f"{n:08d}", item) for n, item in enumerate(every)]
    chosen, token = page(ctx, "ecs:DescribeCapacityProviders", keyed, lambda pair: pair[0], params, maximum=10)
    return [item for _, item in chosen], [], token


# --- UpdateCapacityProvider, DeleteCapacityProvider ---------------------------------------------------


def _not_fargate(ref: str) -> None:
    if provider_name(ref) in FARGATE_PROVIDERS:
        raise _client(f"The {provider_name(ref)} capacity provider is reserved and cannot be modified or deleted.")


def update(ctx: RequestContext, params: shapes.UpdateCapacityProviderRequest) -> Record:
    """The answer shows the old settings with UPDATE_IN_PROGRESS; the new ones apply at once."""
    _not_fargate(params["name"])
    record = get(ctx, params["name"])
    answer = {**copy.deepcopy(view(record)), "updateStatus": "UPDATE_IN_PROGRESS"}
    given = params.get("autoScalingGroupProvider") or {}
    provider = record["autoScalingGroupProvider"]
    provider["managedScaling"] = _scaling(given.get("managedScaling"), provider["managedScaling"])
    for field in ("managedTerminationProtection", "managedDraining"):
        provider[field] = _toggle(given.get(field), field, provider[field])
    record["updateStatus"] = "UPDATE_COMPLETE"
    record.pop("updateStatusReason", None)
    capacity_association.setup(ctx, record)
    CAPACITY_PROVIDER.save(ctx, record)
    return answer


def delete(ctx: RequestContext, ref: str) -> Record:
    _not_fargate(ref)
    record = get(ctx, ref)
    if record["_clusters"]:
        record["updateStatus"] = "DELETE_FAILED"
        record["updateStatusReason"] = (
            f"The capacity provider cannot be deleted because it is associated with cluster: {record['_clusters'][0]}. "
            "Remove the capacity provider from the cluster and try again."
        )
        CAPACITY_PROVIDER.save(ctx, record)
        return view(record)
    answer = {**view(record), "updateStatus": "DELETE_IN_PROGRESS"}
    answer.pop("updateStatusReason", None)
    record.update({"status": "INACTIVE", "updateStatus": "DELETE_COMPLETE"})
    record.pop("updateStatusReason", None)
    CAPACITY_PROVIDER.save(ctx, record)
    return answer


# --- PutClusterCapacityProviders --------------------------------------------------------------------


def _in_use(ctx: RequestContext, cluster: ClusterRecord, name: str) -> bool:
    """Live tasks of the cluster launched through the provider, or services whose strategy names it."""
    arn_ = cluster["clusterArn"]
    for status in ("PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING"):
        for task in TASK.find(ctx, "cluster_status", f"{arn_}|{status}"):
            if task.get("capacityProviderName") == name:
                return True
    for status in ("ACTIVE", "DRAINING"):
        for service in SERVICE.find(ctx, "cluster_status", f"{arn_}|{status}"):
            if any(i["capacityProvider"] == name for i in service.get("capacityProviderStrategy") or []):
                return True
    return False


def put_cluster_capacity_providers(
    ctx: RequestContext, params: shapes.PutClusterCapacityProvidersRequest
) -> ClusterRecord:
    """Replaces the cluster's providers and default strategy (both lists are required)."""
    cluster = clusters.resolve_cluster(ctx, params.get("cluster"))
    providers, strategy = capacity_association.check(ctx, cluster["clusterName"], params)
    before = list(cluster["capacityProviders"])
    for name in before:
        if name not in providers and _in_use(ctx, cluster, name):
            raise AwsError("ResourceInUseException", "The specified capacity provider is in use and cannot be removed.")
    cluster["capacityProviders"] = providers
    cluster["defaultCapacityProviderStrategy"] = strategy
    CLUSTER.save(ctx, cluster)
    capacity_association.associate(ctx, cluster["clusterName"], before, providers)
    return cluster


def attachments(ctx: RequestContext, cluster: ClusterRecord) -> list[Record]:
    """The cluster's `as_policy` and `managed_draining` attachments, one per provider that has them."""
    made: list[Record] = []
    for name in cluster["capacityProviders"]:
        record = capacity_association.active_provider(ctx, name)
        if record is None:
            continue
        if record.get("_policyName"):
            made.append(
                {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{record['capacityProviderArn']}/as_policy")),
                    "type": "as_policy",
                    "status": "CREATED",
                    "details": [
                        {"name": "capacityProviderName", "value": name},
                        {"name": "scalingPolicyName", "value": record["_policyName"]},
                    ],
                }
            )
        if record["autoScalingGroupProvider"]["managedDraining"] == "ENABLED":
            made.append(
                {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{record['capacityProviderArn']}/managed_draining")),
                    "type": "managed_draining",
                    "status": "CREATED",
                    "details": [
                        {"name": "capacityProviderName", "value": name},
                        {"name": "autoScalingLifecycleHookName", "value": capacity_association.HOOK_NAME},
                    ],
                }
            )
    return made
