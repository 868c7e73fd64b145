"""awsvpc ENI capacity of container instances: how many task ENIs an instance can hold, and how
many it holds now. Always derived, never stored: from the instance type (the catalog), the frozen
trunking decision, and the ENIs the ledger says the instance has.

- Untrunked: limit = the type's `awsvpc_tasks` (EC2's ENI limit less the primary, S1); in use =
  the task ENIs ECS attached (requester-managed by `amazon-ecs`). AWS: "Amazon ECS only accounts
  for the ENIs that it attaches to your container instances", so an ENI the account attached by
  hand is not counted: placement still picks the instance, and the task then fails to start when
  EC2 refuses its ENI (`task_enis.provision`; docs/decisions.md).
- Trunked (the decision applied and the trunk is attached): limit = the type's
  `awsvpc_tasks_trunked` (S2); in use = the branch ENIs associated with the trunk. The primary and
  the trunk do not count.
- Trunking applied but no trunk attached (REGISTERING, REGISTRATION_FAILED, DEREGISTERING): 0.

AWS reports no ENI resource in `registeredResources`/`remainingResources`; trunkline serves these
numbers at `GET /_trunkline/container-instances/capacity?cluster=NAME` instead.
"""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import catalog
from trunkline.domain.ec2 import network_interfaces as enis
from trunkline.domain.ec2.records import NetworkInterfaceRecord, TrunkAssociationRecord
from trunkline.domain.ecs import clusters, trunking, trunks
from trunkline.domain.ecs.kinds import CONTAINER_INSTANCE
from trunkline.domain.ecs.records import ContainerInstanceRecord
from trunkline.errors import AwsError

Record = dict[str, Any]


def _is_primary(eni: NetworkInterfaceRecord) -> bool:
    attachment = eni["Attachment"]
    return bool(attachment["DeviceIndex"] == 0 and attachment["NetworkCardIndex"] == 0)


def _task_eni(eni: NetworkInterfaceRecord) -> bool:
    """An ENI ECS attached for a task (the only kind ECS counts; a trunk is never attached untrunked)."""
    return bool(eni.get("RequesterId") == trunks.REQUESTER_ID and eni["InterfaceType"] == "interface")


def attached_trunk(ctx: RequestContext, record: ContainerInstanceRecord) -> NetworkInterfaceRecord | None:
    """The instance's trunk ENI if it is attached to the instance now."""
    trunk = trunks.trunk_interface(ctx, record)
    attachment = (trunk.get("Attachment") if trunk is not None else None) or {}
    return trunk if attachment.get("InstanceId") == record["ec2InstanceId"] else None


def registered_limit(record: ContainerInstanceRecord) -> int:
    """The task ENIs the instance holds once its trunk (if trunking applies) is attached: the
    limit of an ACTIVE instance."""
    known = catalog.get_instance_type(record.get("_instanceType") or "")
    if known is None:
        return 0
    return (known.awsvpc_tasks_trunked or 0) if trunking.applies(record) else known.awsvpc_tasks


def _limit_source(record: ContainerInstanceRecord, trunked: bool) -> str:
    """`published` where AWS documents the figure; `estimate` for the catalog's derived trunked
    limits (types newer than ECS's table: BranchInterface + Interface - 2 from EKS's limits)."""
    known = catalog.get_instance_type(record.get("_instanceType") or "")
    if known is not None and trunked and known.trunked_source == "derived-eks-branch-limits":
        return "estimate"
    return "published"


def eni_capacity(ctx: RequestContext, record: ContainerInstanceRecord) -> Record:
    """One container instance's awsvpc capacity. Two different limits, named apart (S1, S2):
    `eniLimit` is the instance's ENI limit as trunking leaves it (c5.large: 3, or 12 trunked:
    primary + trunk + 10 branches); `awsvpcTaskLimit` is the task slots (2, or 10 trunked), with
    `awsvpcTasksInUse` and `awsvpcTasksAvailable`; `limitSource` says whether the figures are
    AWS's published ones or the catalog's estimate."""
    trunk = attached_trunk(ctx, record)
    if trunking.applies(record) and trunk is not None:
        return tally(record, trunk, [], enis.associations_of_trunk(ctx, trunk["NetworkInterfaceId"]))
    if trunking.applies(record):
        return tally(record, None, [], [])
    return tally(record, None, enis.interfaces_of_instance(ctx, record["ec2InstanceId"]), [])


def tally(
    record: ContainerInstanceRecord,
    trunk: NetworkInterfaceRecord | None,
    attached: list[NetworkInterfaceRecord],
    associations: list[TrunkAssociationRecord],
) -> Record:
    """`eni_capacity` from what the ledger holds for the instance: its attached trunk, the ENIs
    attached to it (read when untrunked) and the trunk's associations (read when trunked)."""
    reasons: list[str] = []
    if trunking.applies(record) and trunk is not None:
        limit = registered_limit(record)
        used = len(associations)
    elif trunking.applies(record):
        limit, used = 0, 0
        reasons.append(f"trunking applies but no trunk is attached (status {record['status']}): no awsvpc task fits")
    else:
        limit = registered_limit(record)
        used = sum(1 for e in attached if not _is_primary(e) and _task_eni(e))
        reasons += [r["message"] for r in (record.get("_trunking") or {}).get("reasons", [])]
    trunked = trunking.applies(record)
    return {
        "containerInstanceArn": record["containerInstanceArn"],
        "ec2InstanceId": record["ec2InstanceId"],
        "instanceType": record["_instanceType"],
        "status": record["status"],
        "trunked": trunk is not None,
        "eniLimit": _eni_limit(record, trunked),
        "awsvpcTaskLimit": limit,
        "awsvpcTasksInUse": used,
        "awsvpcTasksAvailable": max(limit - used, 0),
        "limitSource": _limit_source(record, trunked),
        "reasons": reasons,
    }


def _eni_limit(record: ContainerInstanceRecord, trunked: bool) -> int:
    """The instance's ENI limit: EC2's, or with trunking the branches plus the primary and trunk."""
    known = catalog.get_instance_type(record.get("_instanceType") or "")
    if known is None:
        return 0
    if trunked and known.awsvpc_tasks_trunked:
        return known.awsvpc_tasks_trunked + 2
    return known.max_network_interfaces


def available_task_enis(ctx: RequestContext, record: ContainerInstanceRecord) -> int:
    """How many more awsvpc tasks the instance can take, by ENIs alone (placement's RESOURCE:ENI)."""
    return int(eni_capacity(ctx, record)["awsvpcTasksAvailable"])


def cluster_capacity(ctx: RequestContext, cluster_ref: str | None) -> Record:
    """The capacity of every container instance of the cluster that has not left it."""
    cluster = clusters.find_cluster(ctx, clusters.DEFAULT_NAME if cluster_ref is None else cluster_ref)
    if cluster is None:
        raise AwsError("ClusterNotFoundException", "Cluster not found.")
    records = CONTAINER_INSTANCE.find(ctx, "cluster", cluster["clusterArn"])
    present = [r for r in records if r["status"] != "INACTIVE"]
    rows = [eni_capacity(ctx, r) for r in sorted(present, key=lambda r: r["containerInstanceArn"])]
    return {
        "clusterArn": cluster["clusterArn"],
        "containerInstances": rows,
        "awsvpcTasksAvailable": sum(int(r["awsvpcTasksAvailable"]) for r in rows),
    }
