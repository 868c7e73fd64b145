"""Every reaction that crosses services or module boundaries, in one object the runtime builds
(`wiring.build_reactions`) and hands to each request through `RequestContext.reactions`.

- an EC2 instance reaching `running`, `stopped` or `terminated` -> ECS (the simulated agent,
  task stops, automatic deregistration): EC2 never imports ECS, it calls `instance_reached`;
- a container instance leaving its cluster -> its tasks (`live_task_count`, `stop_instance_tasks`);
- the cluster query language's `task:group` -> the tasks module (`task_groups`);
- every task or container instance change -> its listeners (the service scheduler).

Everything runs inside the transaction of the change that caused it, so the reaction commits or
rolls back with it. There is no module-level registry: a context without a runtime (a domain unit
test) has `Reactions()`, which reacts to nothing, and a test that wants one passes its own.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trunkline.context import RequestContext

Record = dict[str, Any]

RUNNING = "running"
STOPPED = "stopped"
TERMINATED = "terminated"

#: Gets the context and the record (an EC2 instance, a task, a container instance) as just saved.
Listener = Callable[["RequestContext", Record], None]
TaskCounter = Callable[["RequestContext", Record], int]
TaskGroupReader = Callable[["RequestContext", Record], Collection[str]]


def _counted_tasks(ctx: RequestContext, record: Record) -> int:
    """Without a tasks module: the container instance's own counters."""
    return int(record.get("runningTasksCount") or 0) + int(record.get("pendingTasksCount") or 0)


def _nothing(ctx: RequestContext, record: Record) -> None:
    return None


def _no_groups(ctx: RequestContext, record: Record) -> Collection[str]:
    return ()


@dataclass(frozen=True)
class Reactions:
    instance_running: tuple[Listener, ...] = ()
    instance_stopped: tuple[Listener, ...] = ()
    instance_terminated: tuple[Listener, ...] = ()
    task_changed: tuple[Listener, ...] = ()
    container_instance_changed: tuple[Listener, ...] = ()
    live_task_count: TaskCounter = _counted_tasks
    stop_instance_tasks: Listener = _nothing
    task_groups: TaskGroupReader = _no_groups

    def instance_reached(self, ctx: RequestContext, state: str, instance: Record) -> None:
        """EC2: `instance` just reached `state`; every listener runs, in order."""
        listeners = {
            RUNNING: self.instance_running,
            STOPPED: self.instance_stopped,
            TERMINATED: self.instance_terminated,
        }[state]
        for listener in listeners:
            listener(ctx, instance)

    def task_change(self, ctx: RequestContext, task: Record) -> None:
        for listener in self.task_changed:
            listener(ctx, task)

    def container_instance_change(self, ctx: RequestContext, record: Record) -> None:
        for listener in self.container_instance_changed:
            listener(ctx, record)


NONE = Reactions()
