"""The container-instance record's indexes (declared in `kinds.CONTAINER_INSTANCE`), pure
functions of the record:

- `cluster`, `cluster_status` (`ARN|STATUS`), `attr:NAME` / `attrval:NAME` (the cluster query
  language's attribute hints): ARNs, unique everywhere, stored bare;
- `ec2`: the EC2 instance id while the instance is not INACTIVE, `ec2_all` whatever its status
  (both scoped by account and region);
- the placement index: per binpack resource, one entry in the field of the highest rung of the
  ladder at or below what the instance has left of the other resource, valued the remaining amount
  as zero-padded text, so `find_from` reads the tightest instances first; a window for a task
  needing X of the other resource merges the fields of every rung from `placement_floor(X)` up
  (`placement_fields`). One entry per resource (and scope), not one per rung below: placing a task
  moves 4 entries of a host instead of ~28 (index version 4). An instance of a capacity provider
  has each field twice, the second scoped to its provider (`#PROVIDER`), so a launch through the
  provider reads only the provider's instances;
- the capacity provider's counts (`provider_index`), so a managed scaling round counts instead of
  reading every instance.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # an annotation only
    from trunkline.domain.ecs.records import ContainerInstanceRecord

Record = dict[str, Any]

#: The placement index's binpack fields, each with its own resource and the other one.
PLACEMENT_RESOURCES = {"cpu": ("CPU", "MEMORY"), "memory": ("MEMORY", "CPU")}
_AMOUNT_DIGITS = 12
_FLOORS = (0, *(2**k for k in range(7, 21)))
_TOP_BIT = _FLOORS[-1].bit_length() - 1  # the ladder's highest rung, 2**20


def remaining_integer(record: ContainerInstanceRecord, name: str) -> int:
    """A remaining INTEGER resource (CPU, MEMORY) of the record; 0 when it has none."""
    for resource in record.get("remainingResources") or []:
        if resource["name"] == name:
            return int(resource.get("integerValue") or 0)
    return 0


def placement_floor(amount: int) -> int:
    """The highest rung of the ladder at or below `amount`. The rungs above 0 are the powers of two
    from 128 to 2**20, so the rung is the amount's highest bit, capped: every save of a container
    instance takes two, and scanning the fifteen rungs each time, with the field names built again,
    made the placement entries three quarters of the instance's index computation (benchmarks/README.md,
    "Session 9")."""
    if amount < _FLOORS[1]:
        return 0
    return 1 << min(int(amount).bit_length() - 1, _TOP_BIT)


@functools.lru_cache(maxsize=4096)
def placement_field(
    cluster_arn: str, vpc_id: str | None, field: str, other_floor: int, provider: str | None = None
) -> str:
    """The placement index field ordering by `field` (cpu|memory) left the instances of a cluster
    (or of its VPC; or of its capacity provider) that have at least `other_floor` of the other
    resource left. '#' occurs in no ARN, VPC id or provider name, so the scopes never meet.

    Kept (a pure function of a few names): every save of a container instance builds two to
    eight of these, and always the same few per instance.

    The cluster comes first: a store's index sorts entries by field, so each cluster's entries
    sit together. On PostgreSQL a placement's read locks the index pages it reads (SERIALIZABLE),
    and every task started or stopped rewrites its instance's entries; with the resource first,
    each page held every cluster's entries and placements in different clusters conflicted
    (docs/design.md, "Several processes on one PostgreSQL")."""
    other = "memory" if field == "cpu" else "cpu"
    scope = f"{cluster_arn}" + (f"|{vpc_id}" if vpc_id else "") + (f"#{provider}" if provider else "")
    return f"place:{scope}:{field}:{other}>={other_floor}"


def placement_fields(
    cluster_arn: str, vpc_id: str | None, field: str, other_need: int, provider: str | None = None
) -> list[str]:
    """The placement index fields holding every instance with at least `other_need` of the other
    resource left (to the ladder's rung: the caller checks the exact amount), lowest rung first: an
    instance is in the field of its own highest rung, so these are the rungs from the need's up."""
    lowest = placement_floor(other_need)
    return [placement_field(cluster_arn, vpc_id, field, f, provider) for f in _FLOORS if f >= lowest]


def placement_value(amount: int) -> str:
    """An amount as the placement index stores it: text that sorts as the number does."""
    return str(max(amount, 0)).zfill(_AMOUNT_DIGITS)


def _placement_index(record: ContainerInstanceRecord) -> dict[str, str | None]:
    if record["status"] != "ACTIVE" or not record.get("agentConnected"):
        return {}
    vpc_id = record.get("_vpcId")
    eni_room = record.get("_eniRoom")
    in_vpc = bool(vpc_id) and (eni_room is None or eni_room > 0)
    providers = (None, record["capacityProviderName"]) if record.get("capacityProviderName") else (None,)
    index: dict[str, str | None] = {}
    for field, (own, other) in PLACEMENT_RESOURCES.items():
        value = placement_value(remaining_integer(record, own))
        floor = placement_floor(remaining_integer(record, other))
        for provider in providers:
            index[placement_field(record["_cluster"], None, field, floor, provider)] = value
            if in_vpc:
                index[placement_field(record["_cluster"], vpc_id, field, floor, provider)] = value
    return index


def is_busy(record: ContainerInstanceRecord) -> bool:
    """Whether the instance runs (or is starting) a task: its own counts, no task read."""
    return int(record.get("runningTasksCount") or 0) + int(record.get("pendingTasksCount") or 0) > 0


def provider_index(record: ContainerInstanceRecord) -> dict[str, str | None]:
    """For a registered (ACTIVE or DRAINING) instance of a capacity provider, all valued
    `CLUSTER_ARN|PROVIDER`: `provider` always, `provider_active` while ACTIVE (what placement
    through the provider reads), `provider_busy` while it runs a task (M counts
    them), `provider_mtp` while managed termination protection has not yet seen its busy state
    (`_mtpBusy`, see `managed_scaling._protect`)."""
    name = record.get("capacityProviderName")
    if not name or record["status"] not in ("ACTIVE", "DRAINING"):
        return {}
    value = f"{record['_cluster']}|{name}"
    busy = is_busy(record)
    return {
        "provider": value,
        "provider_active": value if record["status"] == "ACTIVE" else None,
        "provider_busy": value if busy else None,
        "provider_mtp": value if record.get("_mtpBusy") is not busy else None,
    }


def indexes(record: ContainerInstanceRecord) -> dict[str, str | None]:
    cluster = record["_cluster"]
    index: dict[str, str | None] = {
        "cluster": cluster,
        "cluster_status": f"{cluster}|{record['status']}",
        "ec2": record["ec2InstanceId"] if record["status"] != "INACTIVE" else None,
        # every registration of the EC2 instance, INACTIVE ones too: S5 follows the EC2 instance
        "ec2_all": record["ec2InstanceId"],
        **_placement_index(record),
        **provider_index(record),
    }
    for attribute in record.get("attributes", []):
        index[f"attr:{attribute['name']}"] = cluster
        index[f"attrval:{attribute['name']}"] = f"{cluster}|{attribute.get('value') or ''}"
    return index
