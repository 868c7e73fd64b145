"""An instance's CPU: its `CpuOptions` (cores and threads per core) and, for burstable types, its
CPU credit option (`CreditSpecification`), both fixed at launch from what RunInstances (or the
launch template) asks, else the type's defaults.

The defaults are the catalog's (`InstanceType.default_cores`, derived from its vCPUs). Valid core
counts are taken as 1 up to the default (EC2 lists a subset per type;
trunkline has no per-type list: docs/decisions.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from trunkline.domain import catalog
from trunkline.errors import AwsError

Record = dict[str, Any]

#: T2 launches `standard`, the later burstable families `unlimited` (EC2 user guide, "Key concepts
#: and definitions for burstable performance instances").
_STANDARD_BY_DEFAULT = re.compile(r"t2\.")
CREDIT_OPTIONS = ("standard", "unlimited")


def defaults(instance_type: catalog.InstanceType) -> Record:
    """The type's default CPU options, as DescribeInstanceTypes' VCpuInfo shows them."""
    return {"CoreCount": instance_type.default_cores, "ThreadsPerCore": instance_type.default_threads_per_core}


def resolve(instance_type: catalog.InstanceType, wanted: Mapping[str, Any] | None) -> Record:
    """The instance's CpuOptions: the type's defaults, or what the launch asks (checked as EC2's
    rules for CPU options say: both figures together, not on bare metal, no more vCPUs than the
    type's default)."""
    options = defaults(instance_type)
    wanted = wanted or {}
    cores, threads = wanted.get("CoreCount"), wanted.get("ThreadsPerCore")
    if wanted.get("AmdSevSnp") is not None:
        options["AmdSevSnp"] = wanted["AmdSevSnp"]
    if cores is None and threads is None:
        return options
    if cores is None or threads is None:
        raise AwsError(
            "MissingParameter", "When specifying CpuOptions you must specify both CoreCount and ThreadsPerCore."
        )
    if instance_type.bare_metal:
        raise AwsError(
            "InvalidParameterCombination", f"CPU options are not supported for instance type '{instance_type.name}'."
        )
    if threads not in (1, options["ThreadsPerCore"]):
        raise AwsError(
            "InvalidParameterValue",
            f"Value ({threads}) for parameter threadsPerCore is invalid. Instance type {instance_type.name} supports "
            f"{_choices(1, options['ThreadsPerCore'])} threads per core.",
        )
    if not 1 <= cores <= options["CoreCount"]:
        raise AwsError(
            "InvalidParameterValue",
            f"Value ({cores}) for parameter coreCount is invalid. Instance type {instance_type.name} supports "
            f"{_choices(1, options['CoreCount'])} cores.",
        )
    options.update(CoreCount=cores, ThreadsPerCore=threads)
    return options


def _choices(low: int, high: int) -> str:
    return str(low) if low == high else f"{low} to {high}"


def burstable(instance_type: str) -> bool:
    known = catalog.get_instance_type(instance_type)
    return known is not None and bool(catalog.instance_type_record(known)["BurstablePerformanceSupported"])


def not_supported(instance_type: str) -> AwsError:
    """EC2's refusal of a credit option for a type without CPU credits (its observed wording,
    hashicorp/terraform-provider-aws#5067)."""
    return AwsError(
        "InstanceCreditSpecification.NotSupported", f"The {instance_type} instance type does not support T2 Unlimited."
    )


def credit_option(instance_type: str, wanted: Mapping[str, Any] | None) -> str | None:
    """The instance's CPU credit option: as asked, else the family's default; None for a type
    without CPU credits (asking for one there is refused)."""
    if not burstable(instance_type):
        if wanted:
            raise not_supported(instance_type)
        return None
    asked = (wanted or {}).get("CpuCredits")
    if asked is None:
        return "standard" if _STANDARD_BY_DEFAULT.match(instance_type) else "unlimited"
    if asked.lower() not in CREDIT_OPTIONS:
        raise AwsError("InvalidParameterValue", f"Value ({asked}) for parameter cpuCredits is invalid.")
    return str(asked.lower())
