"""GPUs on container instances, as the ECS developer guide describes GPU workloads.

- Each instance type's GPU count comes from trunkline's GPU catalog (`trunkline/data/gpus.tsv`,
  its header names the sources); a type not listed has none.
- The simulated agent registers a `GPU` resource (type STRINGSET, one id per GPU, `GPU-<uuid>` as
  NVIDIA names them) when GPU support is on: `ECS_ENABLE_GPU_SUPPORT=true` in its configuration,
  which the ECS GPU-optimized AMI sets (trunkline serves no GPU AMI: see docs/decisions.md).
- A task needs the sum of its containers' `GPU` resource requirements; placement gives it that
  many GPUs the instance's live tasks do not hold (else `RESOURCE:GPU`), and each container gets
  its share of the ids as `gpuIds`. remainingResources GPU lists the ids no live task holds.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from trunkline.domain import catalog

Record = dict[str, Any]

DATA_FILE = "gpus.tsv"
RESOURCE = "GPU"
REASON = "RESOURCE:GPU"
_NAMESPACE = uuid.UUID("6a0c6f8e-2d1b-4c55-9a57-0f1e5b3c9d21")  # trunkline's own: ids are stable per instance


@cache
def _catalog() -> dict[str, int]:
    return {cell["instance_type"]: int(cell["gpus"]) for cell in catalog.data_rows(DATA_FILE)}


def count(instance_type: str | None) -> int:
    """The GPUs an instance of this type has (0 for a type without GPUs or unknown)."""
    return _catalog().get(instance_type or "", 0)


def gpu_ids(instance_id: str, how_many: int) -> list[str]:
    """The ids the agent reports for the instance's GPUs: stable for one instance, unique across."""
    return [f"GPU-{uuid.uuid5(_NAMESPACE, f'{instance_id}/{n}')}" for n in range(how_many)]


def requested(container: Mapping[str, Any]) -> int:
    """The GPUs one container definition asks for (its `GPU` resource requirement)."""
    values = (
        str(r.get("value") or "") for r in container.get("resourceRequirements") or [] if r.get("type") == RESOURCE
    )
    return sum(int(v) for v in values if v.isdigit())  # registration refused anything else


def task_gpus(definition: Mapping[str, Any]) -> int:
    """What a task of the definition needs: the sum over its containers."""
    return sum(requested(c) for c in definition.get("containerDefinitions") or [])


def registered_ids(resources_: Iterable[Mapping[str, Any]]) -> list[str]:
    for resource in resources_:
        if resource.get("name") == RESOURCE:
            return [str(v) for v in resource.get("stringSetValue") or []]
    return []


def free_count(record: Mapping[str, Any]) -> int:
    """The GPUs of a container instance no live task holds (its remainingResources GPU)."""
    return len(registered_ids(record.get("remainingResources") or []))


def remaining(resource: Mapping[str, Any], held: Iterable[str]) -> list[str]:
    taken = set(held)
    return [i for i in registered_ids([resource]) if i not in taken]


def choose(registered: Sequence[str], held: Iterable[str], how_many: int) -> list[str]:
    """The first `how_many` registered GPUs not held (placement checked there are enough)."""
    taken = set(held)
    return [i for i in registered if i not in taken][:how_many]


def share(containers: list[Record], definitions: Sequence[Mapping[str, Any]], chosen: Sequence[str]) -> None:
    """Hand each container its GPUs, in definition order, as `gpuIds`."""
    wanted = {d["name"]: requested(d) for d in definitions}
    start = 0
    for container in containers:
        n = wanted.get(container["name"], 0)
        if n:
            container["gpuIds"] = list(chosen[start : start + n])
            start += n


def value_problem(containers: Iterable[Mapping[str, Any]]) -> str | None:
    """Why a container's GPU requirement is refused at registration (trunkline's wording: AWS
    documents the rule, not its text), or None. Whole GPUs only: the fractional values of g6f
    instances and `ALL` are not modelled (docs/decisions.md)."""
    for container in containers:
        for requirement in container.get("resourceRequirements") or []:
            if requirement.get("type") != RESOURCE:
                continue
            value = str(requirement.get("value") or "")
            if not value.isdigit() or int(value) < 1:
                return (
                    f"Invalid setting for container '{container.get('name')}'. The value of the GPU resource "
                    f"requirement must be a positive integer; '{value}' is not."
                )
    return None


FARGATE_REFUSES = "Fargate does not support GPU resource requirements."
