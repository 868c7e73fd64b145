"""The picture `/_trunkline/ui` draws: every cluster of the account and region with its container
instances and their ENI slots, its tasks, its services and a summary, in one read-only snapshot
(served as JSON at `GET /_trunkline/dashboard`; docs/design.md, "Dashboard").

Slots are drawn from the same facts ECS placement uses (`capacity.py`: the catalog, the frozen
trunking decision, the ENI ledger), so the dashboard and `RESOURCE:ENI` always agree:

- `interfaces`: the instance's EC2 network interface slots (the type's ENI limit, primary
  included), by device index: `primary`, `trunk`, `task` (an awsvpc task's ENI on an untrunked
  instance), `other` (an ENI someone else attached: it holds an EC2 slot, but ECS does not count
  it, so a task placed on the instance can fail to start), `free`.
- `branches`: on a trunked instance, one slot per branch ENI the trunk carries (the type's trunked
  limit): `task` with its VLAN id, address and task, or `free`.

Beside `services`, `capacityProviders`: the cluster's Auto Scaling group capacity providers and
their groups (`dashboard_capacity.py`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import catalog, events
from trunkline.domain.ec2.kinds import NETWORK_INTERFACE, TRUNK_ASSOCIATION
from trunkline.domain.ec2.records import NetworkInterfaceRecord, TrunkAssociationRecord
from trunkline.domain.ecs import (
    capacity,
    clusters,
    container_instances,
    dashboard_capacity,
    inspection,
    placement_failures,
    services,
    tasks,
)
from trunkline.domain.ecs import trunking as trunking_decision
from trunkline.domain.ecs.kinds import CONTAINER_INSTANCE, TASK
from trunkline.domain.ecs.records import ClusterRecord, ContainerInstanceRecord, ServiceRecord, TaskRecord

Record = dict[str, Any]

RECENTLY_STOPPED = 20  # stopped tasks shown per cluster, newest first
STOPPED_READ_LIMIT = 500  # beyond this many stopped tasks none is listed (finding the newest reads them all)
SERVICE_EVENTS = 3  # latest events shown per service
_LIVE_STATES = tuple(s for s in tasks.LIFECYCLE if s != tasks.STOPPED)


@dataclass
class Ledger:
    """The region's ENIs and trunk associations, read once for the whole snapshot: one scan each
    instead of a lookup per instance and per branch (a thousand instances are a thousand lookups)."""

    by_id: dict[str, NetworkInterfaceRecord] = field(default_factory=dict)
    by_instance: dict[str, list[NetworkInterfaceRecord]] = field(
        default_factory=dict
    )  # attached ENIs, as interfaces_of_instance
    by_trunk: dict[str, list[TrunkAssociationRecord]] = field(
        default_factory=dict
    )  # associations, as associations_of_trunk

    @classmethod
    def read(cls, ctx: RequestContext) -> Ledger:
        ledger = cls()
        for eni in NETWORK_INTERFACE.scan(ctx):  # the account's ENIs of the region
            ledger.by_id[eni["NetworkInterfaceId"]] = eni
            if eni.get("Attachment"):
                ledger.by_instance.setdefault(eni["Attachment"]["InstanceId"], []).append(eni)
        for attached in ledger.by_instance.values():
            attached.sort(key=lambda r: (r["Attachment"]["NetworkCardIndex"], r["Attachment"]["DeviceIndex"]))
        for association in TRUNK_ASSOCIATION.scan(ctx):
            ledger.by_trunk.setdefault(association["TrunkInterfaceId"], []).append(association)
        return ledger


def snapshot(ctx: RequestContext) -> Record:
    """Every cluster of the caller's account and region (ACTIVE ones first, then by name)."""
    found = list(clusters.all_of_region(ctx))
    found.sort(key=lambda c: (c["status"] != "ACTIVE", c["clusterName"]))
    ledger = Ledger.read(ctx) if found else Ledger()
    return {
        "accountId": ctx.account_id,
        "region": ctx.region,
        "generatedAt": events.iso(ctx.now),
        "clusters": [_cluster(ctx, c, ledger) for c in found],
    }


def _cluster(ctx: RequestContext, cluster: ClusterRecord, ledger: Ledger) -> Record:
    arn = cluster["clusterArn"]
    live = [t for state in _LIVE_STATES for t in TASK.find(ctx, "cluster_status", f"{arn}|{state}")]
    stopped_count = TASK.count(ctx, "cluster_status", f"{arn}|{tasks.STOPPED}")
    stopped = _recently_stopped(ctx, arn) if stopped_count <= STOPPED_READ_LIMIT else []
    by_eni = {t["_eni"]["networkInterfaceId"]: t for t in live if (t.get("_eni") or {}).get("networkInterfaceId")}
    present = [
        r
        for status in container_instances.STATUSES
        if status != "INACTIVE"
        for r in CONTAINER_INSTANCE.find(ctx, "cluster_status", f"{arn}|{status}")
    ]
    present.sort(key=lambda r: r["containerInstanceArn"])
    instances = [_instance(ctx, r, ledger, by_eni) for r in present]
    failures = placement_failures.of_cluster(ctx, cluster)
    return {
        "clusterArn": arn,
        "clusterName": cluster["clusterName"],
        "status": cluster["status"],
        "summary": _summary(instances, live, failures),
        "containerInstances": instances,
        "tasks": [_task(t) for t in _task_order(live)] + [_task(t) for t in stopped],
        "stoppedTasks": stopped_count,
        "services": [_service(ctx, s) for s in sorted(services.of_cluster(ctx, arn), key=lambda s: s["serviceName"])],
        "capacityProviders": dashboard_capacity.of_cluster(ctx, cluster),
    }


def _recently_stopped(ctx: RequestContext, cluster_arn: str) -> list[TaskRecord]:
    stopped = TASK.find(ctx, "cluster_status", f"{cluster_arn}|{tasks.STOPPED}")
    stopped.sort(key=lambda t: (t.get("stoppedAt") or 0, t["taskArn"]), reverse=True)
    return stopped[:RECENTLY_STOPPED]


def _task_order(live: list[TaskRecord]) -> list[TaskRecord]:
    return sorted(live, key=lambda t: (t.get("createdAt") or 0, t["taskArn"]))


def _summary(instances: list[Record], live: list[TaskRecord], failures: dict[str, int]) -> Record:
    statuses = Counter(i["status"] for i in instances)
    return {
        "containerInstances": len(instances),
        "containerInstancesByStatus": dict(sorted(statuses.items())),
        "trunkedInstances": sum(1 for i in instances if i["trunked"]),
        "agentsDisconnected": sum(1 for i in instances if not i["agentConnected"]),
        "eniSlotsUsed": sum(int(i["awsvpcTasksInUse"]) for i in instances),
        "eniSlotsAvailable": sum(int(i["awsvpcTasksAvailable"]) for i in instances),
        "eniSlotsTotal": sum(int(i["awsvpcTaskLimit"]) for i in instances),
        "tasksPlaced": sum(1 for t in live if t.get("containerInstanceArn")),
        "tasksByStatus": dict(sorted(Counter(t["lastStatus"] for t in live).items())),
        "resourceEniFailures": failures.get("RESOURCE:ENI", 0),
        "placementFailures": dict(sorted(failures.items())),
    }


def _instance(
    ctx: RequestContext, record: ContainerInstanceRecord, ledger: Ledger, by_eni: dict[str, TaskRecord]
) -> Record:
    # The same ENIs and associations give the numbers (capacity.tally, as placement counts them)
    # and the slots.
    attached = ledger.by_instance.get(record["ec2InstanceId"], [])
    trunk_id = _trunk_id(record)
    trunk = next((e for e in attached if e["NetworkInterfaceId"] == trunk_id), None)
    associations = ledger.by_trunk.get(trunk_id or "", []) if trunk is not None else []
    numbers = capacity.tally(record, trunk, attached, associations)
    known = catalog.get_instance_type(record.get("_instanceType") or "")
    return {
        "containerInstanceArn": record["containerInstanceArn"],
        "containerInstanceId": record["containerInstanceArn"].rsplit("/", 1)[-1],
        "ec2InstanceId": record["ec2InstanceId"],
        "instanceType": record.get("_instanceType"),
        "availabilityZone": record.get("_availabilityZone"),
        "status": record["status"],
        "agentConnected": bool(record.get("agentConnected")),
        "runningTasksCount": record.get("runningTasksCount", 0),
        "pendingTasksCount": record.get("pendingTasksCount", 0),
        "trunkingApplies": trunking_decision.applies(record),
        "trunked": numbers["trunked"],
        "trunkNetworkInterfaceId": trunk_id,
        "reasons": inspection.reasons(ctx, record),
        "limits": {
            "networkInterfaces": known.max_network_interfaces if known else None,
            "untrunked": known.awsvpc_tasks if known else None,
            "trunked": known.awsvpc_tasks_trunked if known else None,
        },
        "eniLimit": numbers["eniLimit"],
        "awsvpcTaskLimit": numbers["awsvpcTaskLimit"],
        "awsvpcTasksInUse": numbers["awsvpcTasksInUse"],
        "awsvpcTasksAvailable": numbers["awsvpcTasksAvailable"],
        "limitSource": numbers["limitSource"],
        "interfaces": _interfaces(attached, known, by_eni),
        "branches": _branches(ledger, associations, int(numbers["awsvpcTaskLimit"]), by_eni)
        if trunk is not None
        else [],
    }


def _trunk_id(record: ContainerInstanceRecord) -> str | None:
    """The instance's trunk ENI id, while it has not been released."""
    trunk = record.get("_trunk") or {}
    return None if trunk.get("deletedAt") is not None else trunk.get("networkInterfaceId")


def _task_of(eni_id: str, by_eni: dict[str, TaskRecord]) -> Record:
    task = by_eni.get(eni_id)
    if task is None:
        return {}
    return {"taskArn": task["taskArn"], "taskId": tasks.id_of(task), "taskStatus": task["lastStatus"]}


def _interfaces(
    attached: list[NetworkInterfaceRecord], known: catalog.InstanceType | None, by_eni: dict[str, TaskRecord]
) -> list[Record]:
    """One slot per EC2 network interface the instance type allows, by device index."""
    by_index: dict[int, Record] = {}
    extra: list[Record] = []
    for eni in attached:
        attachment = eni["Attachment"]
        index = int(attachment["DeviceIndex"])
        slot = {
            "kind": _interface_kind(eni, by_eni),
            "deviceIndex": index,
            "networkInterfaceId": eni["NetworkInterfaceId"],
            "privateIpAddress": eni.get("PrivateIpAddress"),
            **_task_of(eni["NetworkInterfaceId"], by_eni),
        }
        if index in by_index:  # several network cards repeat device indexes: those follow the first card's
            extra.append(slot)
        else:
            by_index[index] = slot
    slots = [by_index[i] for i in sorted(by_index)] + extra
    limit = known.max_network_interfaces if known else len(slots)
    used = {s["deviceIndex"] for s in slots}
    free = [i for i in range(limit + len(extra)) if i not in used][: max(limit - len(slots), 0)]
    return slots + [{"kind": "free", "deviceIndex": i} for i in free]


def _interface_kind(eni: NetworkInterfaceRecord, by_eni: dict[str, TaskRecord]) -> str:
    attachment = eni["Attachment"]
    if attachment["DeviceIndex"] == 0 and attachment.get("NetworkCardIndex", 0) == 0:
        return "primary"
    if eni["InterfaceType"] == "trunk":
        return "trunk"
    return "task" if eni["NetworkInterfaceId"] in by_eni else "other"


def _branches(
    ledger: Ledger, associations: list[TrunkAssociationRecord], limit: int, by_eni: dict[str, TaskRecord]
) -> list[Record]:
    """One slot per branch ENI the trunk may carry, in VLAN order."""
    slots: list[Record] = []
    for association in sorted(associations, key=lambda a: int(a.get("VlanId") or 0)):
        branch: Mapping[str, Any] = ledger.by_id.get(association["BranchInterfaceId"]) or {}
        slots.append(
            {
                "kind": "task" if association["BranchInterfaceId"] in by_eni else "other",
                "vlanId": association.get("VlanId"),
                "networkInterfaceId": association["BranchInterfaceId"],
                "privateIpAddress": branch.get("PrivateIpAddress"),
                **_task_of(association["BranchInterfaceId"], by_eni),
            }
        )
    return slots + [{"kind": "free"} for _ in range(max(limit - len(slots), 0))]


def _task(record: TaskRecord) -> Record:
    eni = record.get("_eni") or {}
    return {
        "taskArn": record["taskArn"],
        "taskId": tasks.id_of(record),
        "family": record.get("_family"),
        "taskDefinitionArn": record.get("taskDefinitionArn"),
        "lastStatus": record["lastStatus"],
        "desiredStatus": record["desiredStatus"],
        "launchType": record.get("launchType"),
        "group": record.get("group"),
        "containerInstanceArn": record.get("containerInstanceArn"),
        "ec2InstanceId": record.get("_ec2InstanceId"),
        "networkInterfaceId": eni.get("networkInterfaceId"),
        "eniKind": eni.get("kind"),
        "createdAt": _iso(record.get("createdAt")),
        "stoppedAt": _iso(record.get("stoppedAt")),
        "stoppedReason": record.get("stoppedReason"),
    }


def _service(ctx: RequestContext, record: ServiceRecord) -> Record:
    shown = services.view(ctx, record, include_tags=False)
    return {
        "serviceArn": shown["serviceArn"],
        "serviceName": shown["serviceName"],
        "status": shown["status"],
        "launchType": shown.get("launchType"),
        "desiredCount": shown["desiredCount"],
        "runningCount": shown["runningCount"],
        "pendingCount": shown["pendingCount"],
        "events": [
            {"createdAt": _iso(e["createdAt"]), "message": e["message"]}
            for e in (shown.get("events") or [])[:SERVICE_EVENTS]
        ],
    }


def _iso(value: Any) -> str | None:
    return events.iso(float(value)) if isinstance(value, (int, float)) else None
