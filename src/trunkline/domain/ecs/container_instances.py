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
  (cpu, memory), fields `place:FIELD:OTHER>=FLOOR:CLUSTER_ARN` (and the same with `|VPC_ID`
  appended) whose value is what the instance has left of FIELD, zero-padded, so binpack reads
  instances in ascending order of it (`Transaction.find_from`; see
  `placement_candidates.BinpackWindow`). FLOOR runs over a ladder (0, 128, 256, ... 2^20) up to
  what the instance has left of the OTHER resource, so a window for a task needing 300 CPU units
  reads the `cpu>=256` field and never meets an instance out of CPU. The `|VPC_ID` fields (read by
  awsvpc launches only) also leave out instances whose `_eniRoom` (see `task_usage`) is 0.
  Saving the record keeps it exact: remaining resources only change through `save`.
"""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import events
from trunkline.domain.ecs import bump_version, cluster_resource_id, ecs_arn, public_view
from trunkline.errors import AwsError

KIND = "ecs.container-instance"
Record = dict[str, Any]

#: Every status a container instance can have (the API enum lacks INACTIVE).
STATUSES = ("REGISTERING", "REGISTRATION_FAILED", "ACTIVE", "DRAINING", "DEREGISTERING", "INACTIVE")


def cluster_name_of(cluster_arn: str) -> str:
    return cluster_arn.rsplit("/", 1)[-1]


def key(account: str, region: str, cluster_arn: str, instance_id: str) -> str:
    return f"{account}/{region}/{cluster_name_of(cluster_arn)}/{instance_id}"


def key_prefix(account: str, region: str, cluster_arn: str) -> str:
    return f"{account}/{region}/{cluster_name_of(cluster_arn)}/"


def arn(ctx: RequestContext, cluster_arn: str, instance_id: str) -> str:
    return ecs_arn(ctx, f"container-instance/{cluster_name_of(cluster_arn)}/{instance_id}")


def id_of(record: Record) -> str:
    return str(record["containerInstanceArn"]).rsplit("/", 1)[-1]


def record_key(record: Record) -> str:
    return key(record["_account"], record["_region"], record["_cluster"], id_of(record))


def ec2_key(account: str, region: str, ec2_instance_id: str) -> str:
    return f"{account}/{region}/{ec2_instance_id}"


#: The placement index's binpack fields, each with its own resource and the other one.
PLACEMENT_RESOURCES = {"cpu": ("CPU", "MEMORY"), "memory": ("MEMORY", "CPU")}
_AMOUNT_DIGITS = 12
_FLOORS = (0, *(2**k for k in range(7, 21)))


def remaining_integer(record: Record, name: str) -> int:
    """A remaining INTEGER resource (CPU, MEMORY) of the record; 0 when it has none."""
    for resource in record.get("remainingResources") or []:
        if resource["name"] == name:
            return int(resource.get("integerValue") or 0)
    return 0


def placement_floor(amount: int) -> int:
    """The highest rung of the ladder at or below `amount`."""
    return max(floor for floor in _FLOORS if floor <= max(amount, 0))


def placement_field(cluster_arn: str, vpc_id: str | None, field: str, other_floor: int) -> str:
    """The placement index field ordering by `field` (cpu|memory) left the instances of a cluster
    (or of its VPC) that have at least `other_floor` of the other resource left."""
    other = "memory" if field == "cpu" else "cpu"
    return f"place:{field}:{other}>={other_floor}:{cluster_arn}" + (f"|{vpc_id}" if vpc_id else "")


def placement_value(amount: int) -> str:
    """An amount as the placement index stores it: text that sorts as the number does."""
    return str(max(amount, 0)).zfill(_AMOUNT_DIGITS)


def _placement_index(record: Record) -> dict[str, str | None]:
    if record["status"] != "ACTIVE" or not record.get("agentConnected"):
        return {}
    vpc_id = record.get("_vpcId")
    eni_room = record.get("_eniRoom")
    in_vpc = bool(vpc_id) and (eni_room is None or eni_room > 0)
    index: dict[str, str | None] = {}
    for field, (own, other) in PLACEMENT_RESOURCES.items():
        value = placement_value(remaining_integer(record, own))
        other_left = remaining_integer(record, other)
        for floor in (f for f in _FLOORS if f <= other_left or f == 0):
            index[placement_field(record["_cluster"], None, field, floor)] = value
            if in_vpc:
                index[placement_field(record["_cluster"], vpc_id, field, floor)] = value
    return index


def save(ctx: RequestContext, record: Record) -> None:
    """Store the record with all its indexes. Use `change` for anything a user can observe."""
    cluster = record["_cluster"]
    index: dict[str, str | None] = {
        "cluster": cluster,
        "cluster_status": f"{cluster}|{record['status']}",
        "ec2": ec2_key(record["_account"], record["_region"], record["ec2InstanceId"])
        if record["status"] != "INACTIVE"
        else None,
        # every registration of the EC2 instance, INACTIVE ones too: S5 follows the EC2 instance
        "ec2_all": ec2_key(record["_account"], record["_region"], record["ec2InstanceId"]),
        **_placement_index(record),
    }
    for attribute in record.get("attributes", []):
        index[f"attr:{attribute['name']}"] = cluster
        index[f"attrval:{attribute['name']}"] = f"{cluster}|{attribute.get('value') or ''}"
    ctx.tx.put(KIND, record_key(record), record, index)


def change(ctx: RequestContext, record: Record) -> None:
    """Save an observable change: bump `version` and emit the state-change event with it, in the
    same transaction (AWS's `version` counts exactly these events)."""
    bump_version(ctx, record)
    save(ctx, record)
    events.emit(ctx, events.CONTAINER_INSTANCE_STATE_CHANGE, [record["containerInstanceArn"]], event_detail(record))
    ctx.reactions.container_instance_change(ctx, record)  # the service scheduler: new capacity


def view(record: Record, include_tags: bool = False) -> Record:
    """The ContainerInstance shape."""
    return public_view(record, include_tags)


def event_detail(record: Record) -> Record:
    """The event's detail resembles the ContainerInstance object, with ISO timestamps."""
    detail = view(record)
    detail["clusterArn"] = record["_cluster"]
    detail["registeredAt"] = events.iso(record["registeredAt"])
    detail["updatedAt"] = events.iso(float(record.get("_updatedAt") or record["registeredAt"]))
    return detail


def find_for_ec2(ctx: RequestContext, ec2_instance_id: str) -> Record | None:
    """The live (not INACTIVE) container instance of an EC2 instance, in any cluster."""
    found = ctx.tx.find(KIND, "ec2", ec2_key(ctx.account_id, ctx.region, ec2_instance_id))
    return found[0] if found else None


def all_for_ec2(ctx: RequestContext, ec2_instance_id: str) -> list[Record]:
    """Every container instance (any status, any cluster) an EC2 instance registered as."""
    return ctx.tx.find(KIND, "ec2_all", ec2_key(ctx.account_id, ctx.region, ec2_instance_id))


def first_for_ec2(ctx: RequestContext, ec2_instance_id: str) -> Record | None:
    """The earliest container instance (any status, any cluster) an EC2 instance registered as."""
    found = all_for_ec2(ctx, ec2_instance_id)
    return min(found, key=lambda r: r["registeredAt"]) if found else None


def parse_reference(ctx: RequestContext, cluster_arn: str, ref: str) -> str | None:
    """The container-instance id `ref` (an id or a full ARN) names in this cluster, or None."""
    return cluster_resource_id(ctx, cluster_arn, ref, "container-instance")


def find(ctx: RequestContext, cluster_arn: str, ref: str) -> Record | None:
    instance_id = parse_reference(ctx, cluster_arn, ref)
    if instance_id is None:
        return None
    return ctx.tx.get(KIND, key(ctx.account_id, ctx.region, cluster_arn, instance_id))


def get(ctx: RequestContext, cluster_arn: str, ref: str) -> Record:
    record = find(ctx, cluster_arn, ref)
    if record is None:
        # ECS answers an unknown container instance in a single-instance call this way.
        raise AwsError("InvalidParameterException", "Container instance can not be found.")
    return record
