"""Service quotas trunkline enforces, per account and region, configurable per server
(`trunkline serve --vcpu-quota/--eni-quota`). Defaults are documented in docs/decisions.md."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_VCPUS = 5_120  # running On-Demand vCPUs per instance bucket (AWS: "Running On-Demand ... instances")
DEFAULT_ENIS = 5_000  # AWS's default "Network interfaces per Region"


@dataclass(frozen=True)
class Quotas:
    vcpus: int = DEFAULT_VCPUS
    enis: int = DEFAULT_ENIS


DEFAULTS = Quotas()
