"""The one place that wires services and modules together: which module reacts to what. The
runtime calls `build_reactions` once; see `reactions.py` for what each reaction means.

The order of listeners is the order they run in: Auto Scaling first, then the simulated agent
hears of an instance stop before the tasks on it are stopped, and of a termination before the
container instance leaves.
"""

from __future__ import annotations

from trunkline.domain.autoscaling import scaling
from trunkline.domain.ecs import agent, leaving, service_scheduler, task_lifecycle, tasks
from trunkline.reactions import Reactions


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
        task_changed=(service_scheduler.on_task_change,),
        container_instance_changed=(service_scheduler.on_instance_change,),
        live_task_count=task_lifecycle.live_task_count,
        stop_instance_tasks=task_lifecycle.on_instance_leaving,
        task_groups=tasks.task_groups_of,
    )
