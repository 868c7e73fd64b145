"""What EC2's quotas count, as index values on the records themselves: the vCPUs of pending and
running instances per instance bucket, and the network interfaces per Region (`quotas.py` reads
these counts; the resource kinds in `kinds.py` write them)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from trunkline.domain import catalog

VCPU_FIELD = "vcpu-quota"  # value OWNER/BUCKET/VCPUS on pending and running instances (scoped by region)
ENI_FIELD = "eni-quota"  # value OWNER on the interfaces the quota counts (scoped by region)

_BUCKETS = (
    ("dl", "DL"),
    ("trn", "Trn"),
    ("inf", "Inf"),
    ("hpc", "HPC"),
    ("vt", "G"),
    ("u-", "HighMemory"),
    ("f", "F"),
    ("g", "G"),
    ("p", "P"),
    ("x", "X"),
)


def bucket(instance_type: str) -> str:
    family = instance_type.split(".", 1)[0].lower()
    for prefix, name in _BUCKETS:
        if family.startswith(prefix):
            return name
    return "Standard"


def vcpus_of(instance_type: str) -> int:
    found = catalog.get_instance_type(instance_type)
    if found is not None and found.vcpus:
        return int(found.vcpus)
    return _guess_vcpus(instance_type)


def _guess_vcpus(instance_type: str) -> int:
    """Types the catalog has no vCPU count for: EC2's size names (2 for large, 4 per xlarge)."""
    size = instance_type.split(".", 1)[-1]
    multiple = re.fullmatch(r"(\d+)xlarge", size)
    if multiple:
        return 4 * int(multiple.group(1))
    return {"nano": 2, "micro": 2, "small": 2, "medium": 2, "large": 2, "xlarge": 4}.get(size, 2)


@cache
def vcpu_sizes() -> tuple[int, ...]:
    """Every vCPU count an instance can have (over a hundred): the values `quotas.vcpus_in_use` counts."""
    sizes = {t.vcpus for t in catalog.all_instance_types() if t.vcpus}
    guessed = {_guess_vcpus(f"x.{n}xlarge") for n in range(2, 129)}
    return tuple(sorted(sizes | guessed | {2, 4}))


def vcpu_index(record: Mapping[str, Any]) -> str | None:
    """An instance's entry in the vCPU count, while it is pending or running."""
    if record["State"]["Name"] not in ("pending", "running"):
        return None
    instance_type = record["InstanceType"]
    return f"{record['OwnerId']}/{bucket(instance_type)}/{vcpus_of(instance_type)}"


def counts_toward_enis(interface_type: str, requester_managed: bool) -> bool:
    """The regional quota counts the interfaces EC2 calls and ECS trunking create; a task's own ENI
    (branch or not, requester-managed by ECS) is bounded by its instance's limits instead, so
    placements need not read a region-wide count (docs/decisions.md)."""
    return interface_type == "trunk" or not requester_managed


def eni_index(record: Mapping[str, Any]) -> str | None:
    counted = counts_toward_enis(record["InterfaceType"], bool(record.get("RequesterManaged")))
    return str(record["OwnerId"]) if counted else None
