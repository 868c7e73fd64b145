"""EC2's quotas on running instances (vCPUs per instance bucket) and network interfaces per
Region, counted from the indexes of the records themselves (no shared counter document that every
launch would have to rewrite).

AWS counts the vCPUs of running (and pending) On-Demand instances per bucket of instance families
(Standard: A, C, D, H, I, M, R, T, Z; then F; G and VT; Inf; P; X; DL; Trn; HPC; high memory `u-`).
Since 2019 it has answered `VcpuLimitExceeded` where it used to answer `InstanceLimitExceeded`
for instance counts; trunkline models the vCPU quota only (docs/decisions.md)."""

from __future__ import annotations

from trunkline.context import RequestContext
from trunkline.domain.ec2 import quota_indexes
from trunkline.domain.ec2.kinds import INSTANCE, NETWORK_INTERFACE
from trunkline.domain.ec2.quota_indexes import vcpu_sizes
from trunkline.errors import AwsError


def vcpus_in_use(ctx: RequestContext, instance_bucket: str) -> int:
    """The bucket's pending and running vCPUs: the instances of each vCPU size, counted in one
    question of the index (not one per size: there are over a hundred sizes), as the transaction
    sees it, so launches committed by another process on the same store count too."""
    values = {f"{ctx.account_id}/{instance_bucket}/{size}": size for size in vcpu_sizes()}
    held = INSTANCE.counts(ctx, quota_indexes.VCPU_FIELD, list(values))
    return sum(values[value] * n for value, n in held.items())


def instances_allowed(ctx: RequestContext, instance_type: str, wanted: int, at_least: int) -> int:
    """How many of `wanted` instances of the type fit the vCPU quota; VcpuLimitExceeded if not even
    `at_least` (MinCount) do."""
    each = quota_indexes.vcpus_of(instance_type)
    limit = ctx.quotas.vcpus
    room = max(0, limit - vcpus_in_use(ctx, quota_indexes.bucket(instance_type))) // each
    if room < at_least:
        raise AwsError(
            "VcpuLimitExceeded",
            f"You have requested more vCPU capacity than your current vCPU limit of {limit} allows for the "
            "instance bucket that the specified instance type belongs to. Please visit "
            "http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.",
        )
    return min(wanted, room)


def enis_allowed(ctx: RequestContext, wanted: int, at_least: int) -> int:
    limit = ctx.quotas.enis
    room = max(0, limit - NETWORK_INTERFACE.count(ctx, quota_indexes.ENI_FIELD, ctx.account_id))
    if room < at_least:
        raise AwsError(
            "NetworkInterfaceLimitExceeded",
            f"The maximum number of network interfaces has been reached (limit {limit} per Region).",
        )
    return min(wanted, room)
