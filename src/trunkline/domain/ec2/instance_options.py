"""Launch options an instance only keeps and shows (no behaviour follows from them here):
`HibernationOptions`, `EnclaveOptions`, `MaintenanceOptions` and `Placement.Tenancy`, as
RunInstances (or the launch template) asks, else EC2's defaults, which DescribeInstances shows
for every instance."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trunkline.errors import AwsError

Record = dict[str, Any]


def _tenancy(value: str) -> str:
    """`host` needs a Dedicated Host, which trunkline does not model: refused as other features
    trunkline lacks are (`unsupported.py`); the wire has checked the enums already."""
    if value == "host":
        raise AwsError("InvalidParameterValue", "trunkline does not support Tenancy host on instances yet.")
    return value


def shown(params: Mapping[str, Any]) -> Record:
    """The Instance members these options give, checked."""
    maintenance = params.get("MaintenanceOptions") or {}
    placement = params.get("Placement") or {}
    return {
        "HibernationOptions": {"Configured": bool((params.get("HibernationOptions") or {}).get("Configured"))},
        "EnclaveOptions": {"Enabled": bool((params.get("EnclaveOptions") or {}).get("Enabled"))},
        "MaintenanceOptions": {"AutoRecovery": maintenance.get("AutoRecovery") or "default"},
        "Tenancy": _tenancy(placement.get("Tenancy") or "default"),
    }
