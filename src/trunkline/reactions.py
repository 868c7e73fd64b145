"""Every reaction that crosses services or module boundaries, in one object the runtime builds
(`wiring.build_reactions`) and hands to each request through `RequestContext.reactions`.

- an EC2 instance reaching `running`, `stopped` or `terminated` -> ECS (the simulated agent,
  task stops, automatic deregistration): EC2 never imports ECS, it calls `instance_reached`;
- a container instance leaving its cluster -> its tasks (`live_task_count`, `stop_instance_tasks`);
- the cluster query language's `task:group` -> the tasks module (`task_groups`);
- every task or container instance change -> its listeners (the service scheduler);
- EC2 networking: what a VPC comes with and what keeps it (route tables, network ACLs, gateways),
  a subnet leaving its route table, an ENI's Elastic IP following it (the core modules vpcs,
  subnets and network_interfaces never import the modules built on them).

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
    from trunkline.domain.autoscaling.records import MemberRecord
    from trunkline.domain.ec2.records import InstanceRecord, NetworkInterfaceRecord
    from trunkline.domain.ecs.records import ContainerInstanceRecord, TaskRecord

Record = dict[str, Any]

RUNNING = "running"
STOPPED = "stopped"
TERMINATED = "terminated"

#: Gets the context and the record (an EC2 instance, a task, a container instance) as just saved.
Listener = Callable[["RequestContext", Any], None]  # a record: a dict or a TypedDict of records.py
TaskCounter = Callable[["RequestContext", "ContainerInstanceRecord"], int]
TaskGroupReader = Callable[["RequestContext", "ContainerInstanceRecord"], Collection[str]]
#: Gets the context and a record (a new VPC) and may create more: its result is not used.
Furnisher = Callable[["RequestContext", Any], object]
#: Gets the context and a VPC id: whether something still depends on the VPC (truthy), or removes
#: what goes with it.
VpcCheck = Callable[["RequestContext", str], object]
#: Gets the context, a VPC id and an IPv4 CIDR block added to it or removed from it.
BlockListener = Callable[["RequestContext", str, str], None]
#: Gets the context, an Auto Scaling group member whose lifecycle hooks are all done, the
#: transition (launching or terminating), whether it goes on (CONTINUE) and the action's token.
LifecycleOutcome = Callable[["RequestContext", "MemberRecord", str, bool, str], None]


def _counted_tasks(ctx: RequestContext, record: ContainerInstanceRecord) -> int:
    """Without a tasks module: the container instance's own counters."""
    return int(record.get("runningTasksCount") or 0) + int(record.get("pendingTasksCount") or 0)


def _nothing(ctx: RequestContext, record: Record) -> None:
    return None


def _no_groups(ctx: RequestContext, record: ContainerInstanceRecord) -> Collection[str]:
    return ()


def _no_outcome(ctx: RequestContext, member: MemberRecord, transition: str, go_on: bool, token: str) -> None:
    return None


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
    vpc_created: tuple[Furnisher, ...] = ()
    vpc_dependents: tuple[VpcCheck, ...] = ()
    vpc_deleted: tuple[VpcCheck, ...] = ()
    vpc_block_added: tuple[BlockListener, ...] = ()
    vpc_block_removed: tuple[BlockListener, ...] = ()
    subnet_deleted: tuple[Listener, ...] = ()
    eni_attached: tuple[Listener, ...] = ()
    eni_deleted: tuple[Listener, ...] = ()
    #: An Auto Scaling group member entered a lifecycle hook's wait state (ECS's managed draining
    #: hook is ECS's to complete).
    lifecycle_wait: tuple[Listener, ...] = ()
    #: ... and left it: the group launches or terminates it (Auto Scaling's scaling module).
    lifecycle_done: LifecycleOutcome = _no_outcome

    def lifecycle_wait_began(self, ctx: RequestContext, member: MemberRecord) -> None:
        for listener in self.lifecycle_wait:
            listener(ctx, member)

    def instance_reached(self, ctx: RequestContext, state: str, instance: InstanceRecord) -> None:
        """EC2: `instance` just reached `state`; every listener runs, in order."""
        listeners = {
            RUNNING: self.instance_running,
            STOPPED: self.instance_stopped,
            TERMINATED: self.instance_terminated,
        }[state]
        for listener in listeners:
            listener(ctx, instance)

    def furnish_vpc(self, ctx: RequestContext, vpc: Any) -> None:
        for furnisher in self.vpc_created:
            furnisher(ctx, vpc)

    def vpc_has_dependents(self, ctx: RequestContext, vpc_id: str) -> bool:
        return any(check(ctx, vpc_id) for check in self.vpc_dependents)

    def vpc_gone(self, ctx: RequestContext, vpc_id: str) -> None:
        for remove in self.vpc_deleted:
            remove(ctx, vpc_id)

    def block_added(self, ctx: RequestContext, vpc_id: str, cidr: str) -> None:
        for listener in self.vpc_block_added:
            listener(ctx, vpc_id, cidr)

    def block_removed(self, ctx: RequestContext, vpc_id: str, cidr: str) -> None:
        for listener in self.vpc_block_removed:
            listener(ctx, vpc_id, cidr)

    def subnet_gone(self, ctx: RequestContext, subnet: Any) -> None:
        for listener in self.subnet_deleted:
            listener(ctx, subnet)

    def eni_attachment(self, ctx: RequestContext, eni: NetworkInterfaceRecord) -> None:
        for listener in self.eni_attached:
            listener(ctx, eni)

    def eni_gone(self, ctx: RequestContext, eni: NetworkInterfaceRecord) -> None:
        for listener in self.eni_deleted:
            listener(ctx, eni)

    def task_change(self, ctx: RequestContext, task: TaskRecord) -> None:
        for listener in self.task_changed:
            listener(ctx, task)

    def container_instance_change(self, ctx: RequestContext, record: ContainerInstanceRecord) -> None:
        for listener in self.container_instance_changed:
            listener(ctx, record)


NONE = Reactions()
