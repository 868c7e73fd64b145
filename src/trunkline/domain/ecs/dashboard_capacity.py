"""The dashboard's capacity section (`/_trunkline/ui`, issue 15): per cluster, its Auto Scaling
group capacity providers with their managed scaling and their groups, in the cluster's order.

What each row shows is read from the records the API answers from, not recomputed: the
CapacityProviderReservation figure is the one the provider's last managed-scaling round stored
(`managed_scaling.round_job`), so drawing the page costs no estimate; it is absent until a round
has run (managed scaling disabled, or not associated yet). A provider whose group was deleted
shows without a group.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import events
from trunkline.domain.autoscaling import activities
from trunkline.domain.autoscaling.kinds import GROUP, MEMBER
from trunkline.domain.autoscaling.records import ActivityRecord
from trunkline.domain.ecs import capacity_association
from trunkline.domain.ecs.records import CapacityProviderRecord, ClusterRecord

Record = dict[str, Any]


def of_cluster(ctx: RequestContext, cluster: ClusterRecord) -> list[Record]:
    """The cluster's Auto Scaling group providers (Fargate ones have no group and are left out)."""
    weights = {i["capacityProvider"]: i for i in cluster.get("defaultCapacityProviderStrategy") or []}
    shown: list[Record] = []
    for name in cluster.get("capacityProviders") or []:
        record = capacity_association.active_provider(ctx, name)
        if record is not None:
            shown.append(_provider(ctx, record, weights.get(name)))
    return shown


def _provider(ctx: RequestContext, record: CapacityProviderRecord, strategy: Record | None) -> Record:
    provider = record["autoScalingGroupProvider"]
    scaling = provider["managedScaling"]
    return {
        "name": record["name"],
        "capacityProviderArn": record["capacityProviderArn"],
        "status": record["status"],
        "updateStatus": record.get("updateStatus"),
        "managedScaling": {
            "status": scaling["status"],
            "targetCapacity": scaling.get("targetCapacity"),
            "minimumScalingStepSize": scaling.get("minimumScalingStepSize"),
            "maximumScalingStepSize": scaling.get("maximumScalingStepSize"),
        },
        "managedTerminationProtection": provider["managedTerminationProtection"],
        "managedDraining": provider.get("managedDraining"),
        "defaultStrategy": {"weight": strategy.get("weight", 0), "base": strategy.get("base", 0)} if strategy else None,
        "reservation": _reservation(record),
        "group": _group(ctx, record["_groupName"]),
    }


def _reservation(record: CapacityProviderRecord) -> Record | None:
    last = record.get("_reservation")
    if not last or record["autoScalingGroupProvider"]["managedScaling"]["status"] != "ENABLED":
        return None
    return {
        "capacityProviderReservation": round(float(last["capacityProviderReservation"]), 1),
        "instancesNeeded": last["instancesNeeded"],
        "instancesInGroup": last["instancesInGroup"],
        "tasksWaiting": last["tasksWaiting"],
        "at": _iso(last.get("at")),
    }


def _group(ctx: RequestContext, name: str) -> Record | None:
    group = GROUP.get(ctx, name)
    if group is None:
        return None
    members = [m for m in MEMBER.find(ctx, "group", name) if m["LifecycleState"] != "Terminated"]
    states = Counter(m["LifecycleState"] for m in members)
    latest = activities.of_group(ctx, name)[:1]
    return {
        "autoScalingGroupName": name,
        "minSize": group["MinSize"],
        "desiredCapacity": group["DesiredCapacity"],
        "maxSize": group["MaxSize"],
        "instances": len(members),
        "inService": states.get("InService", 0),
        "pending": states.get("Pending", 0),
        "terminating": states.get("Terminating", 0),
        "protectedFromScaleIn": sum(1 for m in members if m.get("ProtectedFromScaleIn")),
        "latestActivity": _activity(latest[0]) if latest else None,
    }


def _activity(activity: ActivityRecord) -> Record:
    return {
        "description": activity["Description"],
        "cause": activity["Cause"],
        "statusCode": activity["StatusCode"],
        "startTime": _iso(activity.get("StartTime")),
        "endTime": _iso(activity.get("EndTime")),
    }


def _iso(value: Any) -> str | None:
    return events.iso(float(value)) if isinstance(value, (int, float)) else None
