"""Which GPUs of its container instance a placed task takes (see gpus.py): the first registered
ids that no live task of the instance holds, read when the task is written, so tasks of one
RunTask placed on the same instance (written one after another) take different GPUs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import gpus, task_usage
from trunkline.domain.ecs.records import TaskRecord

Record = dict[str, Any]


def assign(ctx: RequestContext, task: TaskRecord, host: Mapping[str, Any], definition: Mapping[str, Any]) -> None:
    """Record the task's GPUs in its `_demand` (so remainingResources leaves them out until it
    stops) and on its containers (`gpuIds`)."""
    wanted = gpus.task_gpus(definition)
    if not wanted:
        return
    held = (i for use in task_usage.live_uses(ctx, host["containerInstanceArn"]) for i in use.gpu_ids)
    chosen = gpus.choose(gpus.registered_ids(host.get("registeredResources") or []), held, wanted)
    task["_demand"] = {**task["_demand"], "gpuIds": chosen}
    gpus.share(task["containers"], definition.get("containerDefinitions") or [], chosen)
