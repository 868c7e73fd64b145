"""Attribute-based instance type selection: a mixed instances policy override with
`InstanceRequirements` instead of an `InstanceType` launches the catalog's types that meet them.

EC2 Auto Scaling picks among the matching types by price ("lowest-price", the default strategy
when requirements are given); trunkline has no prices, so it takes the smallest type (fewest
vCPUs, then least memory, then name) and the price-protection members filter nothing. Members
whose figures the catalog does not hold (CPU manufacturers, storage, accelerators, bandwidth) are
refused by name rather than ignored (docs/decisions.md). Also what a group launches from: its
template specification and the type an override sets."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from typing import Any, cast

from trunkline.context import RequestContext
from trunkline.domain import catalog
from trunkline.domain.ec2 import images, launch_templates
from trunkline.errors import AwsError

#: Members that select nothing here (no prices) and are accepted as given.
_PRICE_MEMBERS = frozenset(
    {
        "SpotMaxPricePercentageOverLowestPrice",
        "MaxSpotPriceAsPercentageOfOptimalOnDemandPrice",
        "OnDemandMaxPricePercentageOverLowestPrice",
    }
)
_SUPPORTED = frozenset(
    {
        "VCpuCount",
        "MemoryMiB",
        "MemoryGiBPerVCpu",
        "InstanceGenerations",
        "BareMetal",
        "BurstablePerformance",
        "NetworkInterfaceCount",
        "AllowedInstanceTypes",
        "ExcludedInstanceTypes",
    }
)
_BURSTABLE = re.compile(r"t[2-9][a-z]*\.")


def check(requirements: Mapping[str, Any]) -> None:
    """Refuse the members trunkline cannot select on, by name."""
    unsupported = sorted(set(requirements) - _SUPPORTED - _PRICE_MEMBERS)
    if unsupported:
        raise AwsError(
            "ValidationError",
            f"trunkline does not select instance types by {', '.join(unsupported)} (InstanceRequirements).",
        )


def _within(value: float | None, bounds: Mapping[str, Any] | None) -> bool:
    if not bounds:
        return True
    if value is None:
        return False
    low, high = bounds.get("Min"), bounds.get("Max")
    return (low is None or value >= low) and (high is None or value <= high)


def _choice(setting: str | None, present: bool) -> bool:
    """`included` (the default for BareMetal and BurstablePerformance is `excluded`), `required`, `excluded`."""
    return {"included": True, "required": present, "excluded": not present}.get(setting or "excluded", not present)


def _matches(entry: catalog.InstanceType, wanted: Mapping[str, Any], architecture: str) -> bool:
    if architecture not in entry.architectures or entry.vcpus is None or entry.memory_mib is None:
        return False
    per_vcpu = entry.memory_mib / 1024 / entry.vcpus
    generation = "current" if entry.current_generation else "previous"
    allowed, excluded = wanted.get("AllowedInstanceTypes"), wanted.get("ExcludedInstanceTypes") or []
    return (
        _within(entry.vcpus, wanted.get("VCpuCount"))
        and _within(entry.memory_mib, wanted.get("MemoryMiB"))
        and _within(per_vcpu, wanted.get("MemoryGiBPerVCpu"))
        and _within(entry.max_network_interfaces, wanted.get("NetworkInterfaceCount"))
        and generation in (wanted.get("InstanceGenerations") or ["current", "previous"])
        and _choice(wanted.get("BareMetal"), entry.bare_metal)
        and _choice(wanted.get("BurstablePerformance"), _BURSTABLE.match(entry.name) is not None)
        and (not allowed or any(fnmatch.fnmatchcase(entry.name, p) for p in allowed))
        and not any(fnmatch.fnmatchcase(entry.name, p) for p in excluded)
    )


def matching(requirements: Mapping[str, Any], architecture: str) -> list[str]:
    """The catalog's types that meet the requirements, the one launched first first."""
    found = [e for e in catalog.all_instance_types() if _matches(e, requirements, architecture)]
    found.sort(key=lambda e: (e.vcpus or 0, e.memory_mib or 0, e.name))
    return [e.name for e in found]


def first_type(requirements: Mapping[str, Any], architecture: str) -> str:
    found = matching(requirements, architecture)
    if not found:
        raise AwsError(
            "ValidationError", "No instance type in the catalog meets the InstanceRequirements of the group."
        )
    return found[0]


def architecture_of(ctx: RequestContext, spec: Mapping[str, Any]) -> str:
    """The architecture of the image the group's launch template names (x86_64 when unknown)."""
    try:
        merged, _ = launch_templates.run_parameters(
            ctx, {"LaunchTemplateId": spec["LaunchTemplateId"], "Version": spec["Version"]}, {}
        )
    except AwsError:
        return "x86_64"
    found = images.find_spec(ctx.region, str(merged.get("ImageId") or ""))
    return found.architecture if found is not None else "x86_64"


def template_spec(group: Mapping[str, Any]) -> Mapping[str, Any]:
    """The launch template specification a group launches from (its own, or its mixed instances
    policy's)."""
    if "LaunchTemplate" in group:
        return cast(Mapping[str, Any], group["LaunchTemplate"])
    return cast(Mapping[str, Any], group["MixedInstancesPolicy"]["LaunchTemplate"]["LaunchTemplateSpecification"])


def launch_choice(ctx: RequestContext, group: Mapping[str, Any]) -> tuple[Mapping[str, Any], str | None]:
    """What the group's next launch uses: its template specification, and the instance type an
    override sets (None: the template's)."""
    if "MixedInstancesPolicy" not in group:
        return template_spec(group), None
    return template_spec(group), override_type(ctx, group["MixedInstancesPolicy"])


def override_type(ctx: RequestContext, policy: Mapping[str, Any]) -> str | None:
    """The type a mixed instances policy launches next: its first override's InstanceType, or the
    first type meeting its first override's InstanceRequirements; None: the template's."""
    inner = policy["LaunchTemplate"]
    for override in inner.get("Overrides") or []:
        if override.get("InstanceType"):
            return str(override["InstanceType"])
        if override.get("InstanceRequirements"):
            spec = inner["LaunchTemplateSpecification"]
            return first_type(override["InstanceRequirements"], architecture_of(ctx, spec))
    return None
