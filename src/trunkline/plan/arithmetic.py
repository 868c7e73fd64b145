"""Sizing by arithmetic, with placement's own accounting:

- an instance registers CPU = vCPUs x 1024 and MEMORY = the kernel's total less
  `ECS_RESERVED_MEMORY` (default 0), exactly what trunkline's simulated agent registers
  (`agent_report.cpu_units`, `agent_report.registered_memory`; docs/decisions.md);
- the agent reserves the host ports `ECS_RESERVED_PORTS` (22, 2375, 2376, 51678, 51679);
- each awsvpc task takes one task ENI slot: the catalog's `awsvpc_tasks` untrunked, its
  `awsvpc_tasks_trunked` with trunking (a type without trunking support keeps its untrunked limit);
- a fixed host port (bridge or host networking) fits once per instance;
- a task asking for GPUs takes that many of the type's GPUs (trunkline's GPU catalog, gpus.py;
  the instances run the ECS GPU-optimized AMI, whose agent registers them).

Tasks per instance (one definition) = the least, over those resources, of what fits; the resource
giving the least is the binding one. Instances needed: instances filled one after another, the
definitions with the fewest tasks per instance first, each taking as many of its remaining tasks
as still fit beside the others (`pack`). For one definition that is ceil(count / tasks per
instance), exactly; for a mix it is a packing placement can reach, so definitions bound by
different resources (awsvpc tasks by ENI slots, bridge tasks by a host port, say) share instances
instead of each being counted in its own share of them. `--simulate` shows where real placement
differs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from trunkline.domain.catalog import InstanceType
from trunkline.domain.ecs import agent_report, gpus
from trunkline.domain.ecs.agent_config import DEFAULT_RESERVED_PORTS
from trunkline.plan.workload import Definition

RESERVED_PORTS = frozenset(DEFAULT_RESERVED_PORTS)
UNLIMITED = 10**9


@dataclass
class Sizing:
    instance_type: str
    trunking: bool  # asked for
    trunked: bool  # trunking asked for and the type supports it
    cpu: int
    memory: int
    eni_slots: int
    tasks_per_instance: dict[str, int]  # per definition
    binding: dict[str, str]  # per definition: ENI, CPU, MEMORY, PORTS, GPU
    instances: int | None  # None: some definition fits on no instance of this type
    spare: dict[str, int] = field(default_factory=dict)  # ENI, CPU, MEMORY left on the instances needed
    price: float | None = None  # per instance-hour
    estimated: bool = False  # the trunked limit is estimated (derived-eks-branch-limits)
    rank: int = 0
    gpus: int = 0  # GPUs an instance of the type registers
    workload: tuple[Definition, ...] = ()  # what was sized, for packing shares of it (--simulate's zones)

    @property
    def cost(self) -> float | None:
        return None if self.price is None or self.instances is None else self.price * self.instances

    @property
    def overall_binding(self) -> str:
        """The binding resource of the definition taking the largest share of the instances."""
        if not self.binding:
            return ""
        return self.binding[max(self.binding, key=lambda name: self._share(name))]

    def _share(self, name: str) -> float:
        per = self.tasks_per_instance[name]
        return math.inf if per == 0 else 1 / per


def resources(entry: InstanceType, trunking: bool) -> tuple[int, int, int, bool]:
    """(CPU units, memory MiB, task ENI slots, trunked) an instance of the type registers with."""
    trunked = trunking and entry.supports_trunking
    slots = (entry.awsvpc_tasks_trunked or 0) if trunked else entry.awsvpc_tasks
    return agent_report.cpu_units(entry), agent_report.registered_memory(entry, 0), slots, trunked


def fit(definition: Definition, cpu: int, memory: int, slots: int, gpu_count: int = 0) -> tuple[int, str]:
    """How many tasks of the definition one empty instance takes, and what binds (the first of ENI,
    CPU, MEMORY, PORTS, GPU on a tie)."""
    best, binding = UNLIMITED, "CPU"
    if definition.awsvpc:
        best, binding = slots, "ENI"
    if definition.cpu and cpu // definition.cpu < best:
        best, binding = cpu // definition.cpu, "CPU"
    if definition.memory and memory // definition.memory < best:
        best, binding = memory // definition.memory, "MEMORY"
    if definition.tcp_ports or definition.udp_ports:
        ports = 0 if definition.tcp_ports & RESERVED_PORTS else 1
        if ports < best:
            best, binding = ports, "PORTS"
    if definition.gpus and gpu_count // definition.gpus < best:
        best, binding = gpu_count // definition.gpus, "GPU"
    return best, binding


def size(entry: InstanceType, trunking: bool, workload: list[Definition], price: float | None = None) -> Sizing:
    cpu, memory, slots, trunked = resources(entry, trunking)
    per: dict[str, int] = {}
    binding: dict[str, str] = {}
    for definition in workload:
        per[definition.name], binding[definition.name] = fit(definition, cpu, memory, slots, gpus.count(entry.name))
    sizing = Sizing(
        instance_type=entry.name,
        trunking=trunking,
        trunked=trunked,
        cpu=cpu,
        memory=memory,
        eni_slots=slots,
        tasks_per_instance=per,
        binding=binding,
        instances=None,
        price=price,
        estimated=trunked and entry.trunked_source == "derived-eks-branch-limits",
        gpus=gpus.count(entry.name),
        workload=tuple(workload),
    )
    if any(per[d.name] == 0 for d in workload):
        return sizing
    sizing.instances = max(pack(sizing, [d.count for d in workload]), 1)
    sizing.spare = {
        "ENI": sizing.instances * slots - sum(d.count for d in workload if d.awsvpc),
        "CPU": sizing.instances * cpu - sum(d.count * d.cpu for d in workload),
        "MEMORY": sizing.instances * memory - sum(d.count * d.memory for d in workload),
    }
    return sizing


def pack(sizing: Sizing, counts: Sequence[int]) -> int:
    """Instances needed for `counts[i]` tasks of `sizing.workload[i]`: instances filled one after
    another, the definitions with the fewest tasks per instance first, each taking as many of its
    remaining tasks as still fit. Instances filled alike are counted in one step, so the work grows
    with the number of definitions, not of tasks. Every definition must fit an empty instance."""
    order = sorted(range(len(counts)), key=lambda i: (sizing.tasks_per_instance[sizing.workload[i].name], i))
    remaining = list(counts)
    instances = 0
    while any(remaining):
        taken = _fill(sizing, order, remaining)
        alike = min(remaining[i] // taken[i] for i in order if taken[i])
        instances += alike
        for i in order:
            remaining[i] -= alike * taken[i]
    return instances


def _fill(sizing: Sizing, order: list[int], remaining: list[int]) -> list[int]:
    """How many of each definition's remaining tasks one empty instance takes, in `order`."""
    cpu, memory, slots, gpu_count = sizing.cpu, sizing.memory, sizing.eni_slots, sizing.gpus
    ports: set[tuple[str, int]] = {("tcp", port) for port in RESERVED_PORTS}
    taken = [0] * len(remaining)
    for i in order:
        d = sizing.workload[i]
        fixed = {("tcp", p) for p in d.tcp_ports} | {("udp", p) for p in d.udp_ports}
        n = remaining[i]
        if d.awsvpc:
            n = min(n, slots)
        n = min(n, cpu // d.cpu if d.cpu else n, memory // d.memory if d.memory else n)
        n = min(n, gpu_count // d.gpus) if d.gpus else n
        if fixed:
            n = min(n, 0 if fixed & ports else 1)
        taken[i] = n
        cpu, memory, gpu_count = cpu - n * d.cpu, memory - n * d.memory, gpu_count - n * d.gpus
        slots -= n if d.awsvpc else 0
        if n:
            ports |= fixed
    # The first definition always fits an empty instance (its tasks per instance is at least 1).
    return taken


def rank(sizings: list[Sizing]) -> list[Sizing]:
    """Cheapest first when prices are known, else the least capacity bought (vCPUs, then memory:
    on-demand prices follow them, so one c5.24xlarge does not outrank four c5.large for a workload
    that fits either), then fewest instances; types that cannot run the workload last."""

    def key(s: Sizing) -> tuple[int, float, int, int, int, str, bool]:
        fits = 0 if s.instances is not None else 1
        cost = s.cost if s.cost is not None else math.inf
        instances = s.instances or 0
        return fits, cost, instances * s.cpu, instances * s.memory, instances, s.instance_type, not s.trunking

    ordered = sorted(sizings, key=key)
    for position, sizing in enumerate(ordered, start=1):
        sizing.rank = position
    return ordered
