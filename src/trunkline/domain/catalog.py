"""The instance-type catalog shipped inside the package (see `trunkline/data/`).

Every ENI limit trunkline enforces comes from here: EC2's `MaximumNetworkInterfaces`, and the
awsvpc task limits ECS documents with and without trunking.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InstanceType:
    name: str
    vcpus: int | None
    memory_mib: int | None
    architectures: tuple[str, ...]
    hypervisor: str | None
    bare_metal: bool
    max_network_interfaces: int  # EC2 ENI limit, primary included
    ipv4_per_interface: int
    awsvpc_tasks: int  # untrunked: ENI limit - 1
    awsvpc_tasks_trunked: int | None  # None: trunking not supported
    trunked_source: str  # "ecs-doc-2023", "derived-eks-branch-limits", "not-supported"

    @property
    def supports_trunking(self) -> bool:
        return self.awsvpc_tasks_trunked is not None and self.awsvpc_tasks_trunked > 0


def get_instance_type(name: str) -> InstanceType | None:
    """The catalog entry for `name` (e.g. "c5.large"), or None if EC2 has no such type."""
    raise NotImplementedError("the catalog loader is being written")


def all_instance_types() -> list[InstanceType]:
    raise NotImplementedError("the catalog loader is being written")
