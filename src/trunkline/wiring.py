"""The one place that wires services and modules together: which module reacts to what. The
runtime calls `build_reactions` once; see `reactions.py` for what each reaction means.

The order of listeners is the order they run in: Auto Scaling first, then the simulated agent
hears of an instance stop before the tasks on it are stopped, and of a termination before the
container instance leaves.
"""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.lazy import LateModule
from trunkline.reactions import Reactions

# Imported when a reaction first runs (or by lazy.warm_up after the ready line), not with this
# module: start-up does not wait for the ECS and Auto Scaling domains.
scaling = LateModule("trunkline.domain.autoscaling.scaling")
elastic_ips = LateModule("trunkline.domain.ec2.elastic_ips")
internet_gateways = LateModule("trunkline.domain.ec2.internet_gateways")
nat_gateways = LateModule("trunkline.domain.ec2.nat_gateways")
network_acls = LateModule("trunkline.domain.ec2.network_acls")
route_tables = LateModule("trunkline.domain.ec2.route_tables")
agent = LateModule("trunkline.domain.ecs.agent")
leaving = LateModule("trunkline.domain.ecs.leaving")
managed_scaling = LateModule("trunkline.domain.ecs.managed_scaling")
service_scheduler = LateModule("trunkline.domain.ecs.service_scheduler")
task_lifecycle = LateModule("trunkline.domain.ecs.task_lifecycle")
tasks = LateModule("trunkline.domain.ecs.tasks")


def _internet_gateway_attached(ctx: RequestContext, vpc_id: str) -> bool:
    return internet_gateways.gateway_of_vpc(ctx, vpc_id) is not None


def _furnish_with_main_route_table(ctx: RequestContext, vpc: Any) -> None:
    route_tables.create_main(ctx, vpc)


def _furnish_with_default_acl(ctx: RequestContext, vpc: Any) -> None:
    network_acls.create_default(ctx, vpc)


def build_reactions() -> Reactions:
    return Reactions(
        instance_running=(scaling.on_running, agent.on_running),
        instance_stopped=(scaling.on_gone, agent.on_stopped, task_lifecycle.on_ec2_stopped),
        instance_terminated=(
            scaling.on_gone,
            agent.on_terminated,
            leaving.on_terminated,
            task_lifecycle.on_ec2_terminated,
        ),
        task_changed=(service_scheduler.on_task_change, managed_scaling.on_task_change),
        container_instance_changed=(service_scheduler.on_instance_change, managed_scaling.on_instance_change),
        live_task_count=task_lifecycle.live_task_count,
        stop_instance_tasks=task_lifecycle.on_instance_leaving,
        task_groups=tasks.task_groups_of,
        # A new VPC's default security group is made by vpcs itself; these come on top of it.
        vpc_created=(_furnish_with_main_route_table, _furnish_with_default_acl),
        vpc_dependents=(route_tables.custom_tables, _internet_gateway_attached, nat_gateways.live_in_vpc),
        vpc_deleted=(route_tables.remove_with_vpc, network_acls.remove_with_vpc),
        vpc_block_added=(route_tables.on_block_associated,),
        vpc_block_removed=(route_tables.on_block_disassociated,),
        subnet_deleted=(route_tables.forget_subnet,),
        eni_attached=(elastic_ips.on_attached,),
        eni_deleted=(elastic_ips.on_interface_deleted,),
        lifecycle_wait=(managed_scaling.on_lifecycle_wait,),
        lifecycle_done=scaling.lifecycle_done,
    )
