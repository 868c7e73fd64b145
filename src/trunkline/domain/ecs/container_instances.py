"""Container instances: the record, its indexes, lookups, and the one way to change it.

Record (kind `ecs.container-instance`, key `ACCOUNT/REGION/CLUSTER/ID`), in ContainerInstance
output member names so views are cheap:

- `containerInstanceArn` (`arn:aws:ecs:REGION:ACCOUNT:container-instance/CLUSTER/ID`, ID 32 hex),
  `ec2InstanceId`, `version`, `versionInfo`, `registeredResources`, `remainingResources`,
  `status`, `statusReason`, `agentConnected`, `runningTasksCount`, `pendingTasksCount`,
  `attributes` (`[{name, value?}]`, ECS-managed `ecs.*` ones and custom ones), `registeredAt`
  (epoch seconds), `attachments`, `tags`, `capacityProviderName`, `agentUpdateStatus`.
- Internal fields, prefixed `_` and never served: `_cluster` (cluster ARN), `_region`,
  `_account`, `_trunking` (the decision frozen at registration: see `trunking.py`),
  `_registeredBy` (the principal ARN whose account setting applied), `_instanceType`,
  `_subnetId`, `_vpcId`, `_availabilityZone`.

Indexes (one value per field; field names may carry an attribute name):
- `cluster` = cluster ARN; `cluster_status` = `CLUSTER_ARN|STATUS` (cluster counts use it)
- `ec2` = `ACCOUNT/REGION/i-…` (one live record per EC2 instance); `ec2_all` the same for every
  record, INACTIVE ones included (the EC2 instance's first registration decides S5)
- `attr:NAME` = cluster ARN, and `attrval:NAME` = `CLUSTER_ARN|VALUE`, for every attribute, so
  ListAttributes by name (and by name and value) and equality filters are index lookups.
- The placement index, for ACTIVE instances with a connected agent only: for each binpack field
  (cpu, memory), one entry in the field `place:CLUSTER_ARN:FIELD:OTHER>=FLOOR` (and one in the
  same with `|VPC_ID` after the ARN) whose value is what the instance has left of FIELD, zero-padded, so
  binpack reads instances in ascending order of it (`Transaction.find_from`; see
  `placement_candidates.BinpackWindow`). FLOOR is the highest rung of a ladder (0, 128, 256, ...
  2^20) at or below what the instance has left of the OTHER resource, so a window for a task
  needing 300 CPU units merges the fields of rungs 256 and up (`placement_fields`) and never meets
  an instance out of CPU. The `|VPC_ID` fields (read by awsvpc launches only) also leave out
  instances whose `_eniRoom` (see `task_usage`) is 0. An instance of a capacity provider has every
  field again with `#PROVIDER` appended, read by launches through the provider (RunTask's and the
  service scheduler's `capacityProviderStrategy`). Placing a task rewrites 4 entries of its host
  (index version 4; before, an entry per rung at or below: ~28).
  Saving the record keeps it exact: remaining resources only change through `save`.
"""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import events
from trunkline.domain.ecs import bump_version, cluster_resource_id, ecs_arn, public_view
from trunkline.domain.ecs.instance_index import (  # re-exported: placement reads the same index
    PLACEMENT_RESOURCES as PLACEMENT_RESOURCES,
)
from trunkline.domain.ecs.instance_index import placement_field as placement_field
from trunkline.domain.ecs.instance_index import placement_fields as placement_fields
from trunkline.domain.ecs.instance_index import placement_floor as placement_floor
from trunkline.domain.ecs.instance_index import placement_value as placement_value
from trunkline.domain.ecs.instance_index import remaining_integer as remaining_integer
from trunkline.domain.ecs.kinds import CONTAINER_INSTANCE
from trunkline.domain.ecs.records import ContainerInstanceRecord

KIND = CONTAINER_INSTANCE.name
Record = dict[str, Any]

#: Every status a container instance can have (the API enum lacks INACTIVE).
STATUSES = ("REGISTERING", "REGISTRATION_FAILED", "ACTIVE", "DRAINING", "DEREGISTERING", "INACTIVE")


def cluster_name_of(cluster_arn: str) -> str:
    return cluster_arn.rsplit("/", 1)[-1]


def key(account: str, region: str, cluster_arn: str, instance_id: str) -> str:
    return CONTAINER_INSTANCE.scope.key(account, region, f"{cluster_name_of(cluster_arn)}/{instance_id}")


def key_prefix(account: str, region: str, cluster_arn: str) -> str:
    return CONTAINER_INSTANCE.scope.key(account, region, f"{cluster_name_of(cluster_arn)}/")


def arn(ctx: RequestContext, cluster_arn: str, instance_id: str) -> str:
    return ecs_arn(ctx, f"container-instance/{cluster_name_of(cluster_arn)}/{instance_id}")


def id_of(record: ContainerInstanceRecord) -> str:
    return str(record["containerInstanceArn"]).rsplit("/", 1)[-1]


def record_key(record: ContainerInstanceRecord) -> str:
    return key(record["_account"], record["_region"], record["_cluster"], id_of(record))


def save(ctx: RequestContext, record: ContainerInstanceRecord) -> None:
    """Store the record with all its indexes (`kinds.CONTAINER_INSTANCE`, `instance_index`). Use
    `change` for anything a user can observe."""
    CONTAINER_INSTANCE.save(ctx, record)


def change(ctx: RequestContext, record: ContainerInstanceRecord) -> None:
    """Save an observable change: bump `version` and emit the state-change event with it, in the
    same transaction (AWS's `version` counts exactly these events)."""
    bump_version(ctx, record)
    save(ctx, record)
    events.emit(ctx, events.CONTAINER_INSTANCE_STATE_CHANGE, [record["containerInstanceArn"]], event_detail(record))
    ctx.reactions.container_instance_change(ctx, record)  # the service scheduler: new capacity


def view(record: ContainerInstanceRecord, include_tags: bool = False) -> Record:
    """The ContainerInstance shape."""
    return public_view(record, include_tags)


def event_detail(record: ContainerInstanceRecord) -> Record:
    """The event's detail resembles the ContainerInstance object, with ISO timestamps."""
    detail = view(record)
    detail["clusterArn"] = record["_cluster"]
    detail["registeredAt"] = events.iso(record["registeredAt"])
    detail["updatedAt"] = events.iso(float(record.get("_updatedAt") or record["registeredAt"]))
    return detail


def find_for_ec2(ctx: RequestContext, ec2_instance_id: str) -> ContainerInstanceRecord | None:
    """The live (not INACTIVE) container instance of an EC2 instance, in any cluster."""
    found = CONTAINER_INSTANCE.find(ctx, "ec2", ec2_instance_id)
    return found[0] if found else None


def all_for_ec2(ctx: RequestContext, ec2_instance_id: str) -> list[ContainerInstanceRecord]:
    """Every container instance (any status, any cluster) an EC2 instance registered as."""
    return CONTAINER_INSTANCE.find(ctx, "ec2_all", ec2_instance_id)


def first_for_ec2(ctx: RequestContext, ec2_instance_id: str) -> ContainerInstanceRecord | None:
    """The earliest container instance (any status, any cluster) an EC2 instance registered as."""
    found = all_for_ec2(ctx, ec2_instance_id)
    return min(found, key=lambda r: r["registeredAt"]) if found else None


def parse_reference(ctx: RequestContext, cluster_arn: str, ref: str) -> str | None:
    """The container-instance id `ref` (an id or a full ARN) names in this cluster, or None."""
    return cluster_resource_id(ctx, cluster_arn, ref, "container-instance")


def find(ctx: RequestContext, cluster_arn: str, ref: str) -> ContainerInstanceRecord | None:
    instance_id = parse_reference(ctx, cluster_arn, ref)
    if instance_id is None:
        return None
    return CONTAINER_INSTANCE.get(ctx, f"{cluster_name_of(cluster_arn)}/{instance_id}")


def get(ctx: RequestContext, cluster_arn: str, ref: str) -> ContainerInstanceRecord:
    record = find(ctx, cluster_arn, ref)
    if record is None:
        raise CONTAINER_INSTANCE.missing(ref)
    return record
