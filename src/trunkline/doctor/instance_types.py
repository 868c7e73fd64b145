"""The instance-type data shipped in the package (`trunkline/data/instance-types.tsv`), read as
data: ECS's awsvpc task limits per type with and without trunking. No AWS API says which types
support trunking (DescribeInstanceTypes has no such field), so this table is the authority, as it
is for ECS itself."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

DATA_FILE = "instance-types.tsv"


@dataclass(frozen=True)
class TypeLimits:
    name: str
    vcpus: int | None
    memory_mib: int | None
    architectures: frozenset[str]
    max_network_interfaces: int
    awsvpc_tasks: int
    awsvpc_tasks_trunked: int | None  # None: trunking not supported
    trunked_source: str

    @property
    def supported(self) -> bool:
        return self.awsvpc_tasks_trunked is not None

    @property
    def estimated(self) -> bool:
        """The trunked limit is derived from EKS's branch limits, not documented by ECS."""
        return self.trunked_source == "derived-eks-branch-limits"


def _number(text: str) -> int | None:
    return int(text) if text else None


@cache
def table() -> dict[str, TypeLimits]:
    text = resources.files("trunkline").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    columns = lines[0].split("\t")
    found: dict[str, TypeLimits] = {}
    for line in lines[1:]:
        cell = dict(zip(columns, line.split("\t"), strict=False))
        trunked = _number(cell["awsvpc_tasks_trunked"])
        if cell["trunked_source"] == "not-supported" or (trunked is not None and trunked <= 0):
            trunked = None
        found[cell["instance_type"]] = TypeLimits(
            name=cell["instance_type"],
            vcpus=_number(cell["vcpus"]),
            memory_mib=_number(cell["memory_mib"]),
            architectures=frozenset(a for a in cell["architectures"].split(",") if a),
            max_network_interfaces=int(cell["max_network_interfaces"]),
            awsvpc_tasks=int(cell["awsvpc_tasks"]),
            awsvpc_tasks_trunked=trunked,
            trunked_source=cell["trunked_source"],
        )
    return found


def limits(name: str) -> TypeLimits | None:
    return table().get(name)


def nearest_supported(name: str, count: int = 3) -> list[TypeLimits]:
    """Supported types of the same architecture closest to `name` in vCPUs and memory, same family
    first (documented limits only, not estimated ones)."""
    entries = table()
    wanted = entries.get(name)
    family = name.split(".")[0]
    vcpus = (wanted.vcpus if wanted else None) or 2
    memory = (wanted.memory_mib if wanted else None) or 4096

    def distance(entry: TypeLimits) -> tuple[int, float, str]:
        other_family = 0 if entry.name.split(".")[0] == family else 1
        gap = abs((entry.vcpus or 0) - vcpus) / vcpus + abs((entry.memory_mib or 0) - memory) / memory
        return other_family, gap, entry.name

    arch = wanted.architectures if wanted and wanted.architectures else frozenset({"x86_64"})
    supported = [
        e for e in entries.values() if e.supported and e.trunked_source == "ecs-doc-2023" and e.architectures & arch
    ]
    return sorted(supported, key=distance)[:count]
