"""How a container instance leaves its cluster: DeregisterContainerInstance, or its EC2 instance
terminating.

- An instance whose frozen decision gave it trunking (or that holds a trunk) goes to DEREGISTERING;
  after `ecs.trunk.deprovision` its trunk ENI is detached and deleted through the ledger and it is
  INACTIVE (S12, S3; a REGISTRATION_FAILED instance's leftover trunk too, S10).
- Any other instance is INACTIVE at once.
- INACTIVE instances stay describable; their EC2 instance may register again, as a new container
  instance with a new ARN.
- Deregistering an instance that is already DEREGISTERING or INACTIVE returns it unchanged.
- Without `force`, an instance with running or pending tasks is refused (InvalidParameterException;
  AWS's exact text is unknown, docs/decisions.md).
- Terminating the EC2 instance deregisters its container instance, whatever state the instance was
  in (AWS documents an exception for stopped instances, which would leave their trunk behind;
  trunkline does not model it).
"""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ec2.records import InstanceRecord
from trunkline.domain.ecs import clusters, container_instances, trunking, trunks
from trunkline.domain.ecs.records import ContainerInstanceRecord
from trunkline.errors import AwsError

Record = dict[str, Any]

_GONE = ("DEREGISTERING", "INACTIVE")


def deregister(ctx: RequestContext, cluster_ref: str | None, reference: str, force: bool) -> ContainerInstanceRecord:
    """DeregisterContainerInstance; returns the container instance as it now is."""
    cluster = clusters.resolve_cluster(ctx, cluster_ref)
    record = container_instances.get(ctx, cluster["clusterArn"], reference)
    if record["status"] in _GONE:
        return record
    _check_tasks(ctx, record, force)
    leave(ctx, record)
    return record


def _check_tasks(ctx: RequestContext, record: ContainerInstanceRecord, force: bool) -> None:
    """Tasks on the instance (any not yet STOPPED) keep it unless forced."""
    if not force and ctx.reactions.live_task_count(ctx, record):
        raise AwsError(
            "InvalidParameterException",
            "The container instance has tasks running or pending. Stop them, or use force to deregister it.",
        )


def leave(ctx: RequestContext, record: ContainerInstanceRecord) -> None:
    """Start the instance's way out: DEREGISTERING while a trunk is released, else INACTIVE. Its
    tasks are told to stop (they release their ENIs on their own way down)."""
    ctx.reactions.stop_instance_tasks(ctx, record)
    if trunking.applies(record) or record.get("_trunk"):
        record["status"] = "DEREGISTERING"
        trunks.schedule_deprovision(ctx, record)
    else:
        record["status"] = "INACTIVE"
        record["agentConnected"] = False
    container_instances.change(ctx, record)


def on_terminated(ctx: RequestContext, instance: InstanceRecord) -> None:
    """EC2 listener: a terminated instance's container instance is deregistered (S3)."""
    record = container_instances.find_for_ec2(ctx, instance["InstanceId"])
    if record is not None and record["status"] not in _GONE:
        leave(ctx, record)
