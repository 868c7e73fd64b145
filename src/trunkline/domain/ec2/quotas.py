"""EC2's quotas on running instances (vCPUs per instance bucket) and network interfaces per
Region, counted from the indexes of the records themselves (no shared counter document that every
launch would have to rewrite).

AWS counts the vCPUs of running (and pending) On-Demand instances per bucket of instance families
(Standard: A, C, D, H, I, M, R, T, Z; then F; G and VT; Inf; P; X; DL; Trn; HPC; high memory `u-`).
Since 2019 it has answered `VcpuLimitExceeded` where it used to answer `InstanceLimitExceeded`
for instance counts; trunkline models the vCPU quota only (docs/decisions.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import catalog
from trunkline.errors import AwsError

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
def _vcpu_sizes() -> tuple[int, ...]:
    """Every vCPU count an instance can have: one count of the index per size (a few dozen)."""
    sizes = {t.vcpus for t in catalog.all_instance_types() if t.vcpus}
    guessed = {_guess_vcpus(f"x.{n}xlarge") for n in range(2, 129)}
    return tuple(sorted(sizes | guessed | {2, 4}))


def vcpu_index(record: Mapping[str, Any]) -> str | None:
    """An instance's entry in the vCPU count, while it is pending or running."""
    if record["State"]["Name"] not in ("pending", "running"):
        return None
    instance_type = record["InstanceType"]
    return f"{record['OwnerId']}/{bucket(instance_type)}/{vcpus_of(instance_type)}"


def vcpus_in_use(ctx: RequestContext, instance_bucket: str) -> int:
    from trunkline.domain.ec2.kinds import INSTANCE  # kinds declares its indexes with this module

    return sum(
        size * INSTANCE.count(ctx, VCPU_FIELD, f"{ctx.account_id}/{instance_bucket}/{size}") for size in _vcpu_sizes()
    )


def instances_allowed(ctx: RequestContext, instance_type: str, wanted: int, at_least: int) -> int:
    """How many of `wanted` instances of the type fit the vCPU quota; VcpuLimitExceeded if not even
    `at_least` (MinCount) do."""
    each = vcpus_of(instance_type)
    limit = ctx.quotas.vcpus
    room = max(0, limit - vcpus_in_use(ctx, bucket(instance_type))) // each
    if room < at_least:
        raise AwsError(
            "VcpuLimitExceeded",
            f"You have requested more vCPU capacity than your current vCPU limit of {limit} allows for the "
            "instance bucket that the specified instance type belongs to. Please visit "
            "http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.",
        )
    return min(wanted, room)


def counts_toward_enis(interface_type: str, requester_managed: bool) -> bool:
    """The regional quota counts the interfaces EC2 calls and ECS trunking create; a task's own ENI
    (branch or not, requester-managed by ECS) is bounded by its instance's limits instead, so
    placements need not read a region-wide count (docs/decisions.md)."""
    return interface_type == "trunk" or not requester_managed


def eni_index(record: Mapping[str, Any]) -> str | None:
    counted = counts_toward_enis(record["InterfaceType"], bool(record.get("RequesterManaged")))
    return str(record["OwnerId"]) if counted else None


def enis_allowed(ctx: RequestContext, wanted: int, at_least: int) -> int:
    from trunkline.domain.ec2.kinds import NETWORK_INTERFACE

    limit = ctx.quotas.enis
    room = max(0, limit - NETWORK_INTERFACE.count(ctx, ENI_FIELD, ctx.account_id))
    if room < at_least:
        raise AwsError(
            "NetworkInterfaceLimitExceeded",
            f"The maximum number of network interfaces has been reached (limit {limit} per Region).",
        )
    return min(wanted, room)
