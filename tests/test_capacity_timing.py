"""Capacity under the timing profiles (issue 11, the lead's finding): fast timing scales the periods
users set (instanceWarmupPeriod, lifecycle hook timeouts) like its own durations, so the simulated
world keeps AWS's proportions while the API shows the values as set; and a service whose tasks
failed to start retries later, throttled as AWS documents, without leaving an unsettleable clock."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import Server
from test_capacity_providers import CLUSTER, GROUP, PROVIDER, Stack

FAILED = "TaskFailedToStart"
THROTTLED = "(service web) is unable to consistently start tasks successfully."


@pytest.fixture
def untrunked_manual(spawn: Callable[..., Server]) -> Stack:
    return Stack(spawn("--timing", "manual"), trunking=False)


@pytest.fixture
def untrunked_fast(spawn: Callable[..., Server]) -> Stack:
    return Stack(spawn("--timing", "fast"), trunking=False)


def failed_to_start(stack: Stack) -> list[str]:
    return [t["taskArn"] for t in stack.tasks("STOPPED") if t.get("stopCode") == FAILED]


def waiting(stack: Stack) -> int:
    return sum(1 for t in stack.tasks() if t["lastStatus"] == "PROVISIONING")


def test_fast_timing_scales_the_warmup_so_a_service_scales_out_before_its_tasks_time_out(
    untrunked_fast: Stack,
) -> None:
    """The issue's Terraform case without Terraform: 4 awsvpc tasks, 2 per untrunked c5.large, the
    default 300 s warm-up. Unscaled, the warm-up outlasted fast timing's 36 s waiting limit: the
    waiting tasks stopped TaskFailedToStart before the group grew."""
    stack = untrunked_fast
    stack.standard(MaxSize=4)
    stack.service(4)
    stack.world.settle()
    service = stack.service_view()
    assert (service["runningCount"], service["pendingCount"]) == (4, 0)
    assert failed_to_start(stack) == [], "the waiting tasks found capacity before the waiting limit"
    assert stack.desired() == 2
    (provider,) = stack.world.ecs.describe_capacity_providers(capacityProviders=[PROVIDER])["capacityProviders"]
    assert provider["autoScalingGroupProvider"]["managedScaling"]["instanceWarmupPeriod"] == 300, "as set"


def test_fast_timing_scales_a_lifecycle_hook_timeout_and_shows_it_as_set(spawn: Callable[..., Server]) -> None:
    stack = Stack(spawn("--timing", "fast"))
    stack.group(MinSize=0, MaxSize=1, DesiredCapacity=0)
    stack.asg.put_lifecycle_hook(
        AutoScalingGroupName=GROUP,
        LifecycleHookName="wait",
        LifecycleTransition="autoscaling:EC2_INSTANCE_LAUNCHING",
        HeartbeatTimeout=3600,
        DefaultResult="CONTINUE",
    )
    stack.asg.set_desired_capacity(AutoScalingGroupName=GROUP, DesiredCapacity=1)
    stack.world.settle()
    (member,) = stack.members()
    assert member["LifecycleState"] == "InService"
    (launch,) = stack.asg.describe_scaling_activities(AutoScalingGroupName=GROUP)["Activities"]
    # Simulated seconds: the hour-long timeout took 3600 x 0.02 = 72 s under fast timing.
    spent = (launch["EndTime"] - launch["StartTime"]).total_seconds()
    assert 72 <= spent < 3600, spent
    (hook,) = stack.asg.describe_lifecycle_hooks(AutoScalingGroupName=GROUP)["LifecycleHooks"]
    assert hook["HeartbeatTimeout"] == 3600, "as set"


def test_a_service_retries_tasks_that_failed_to_start_with_growing_delays(untrunked_manual: Stack) -> None:
    stack = untrunked_manual
    stack.standard(MaxSize=1)
    stack.service(4)
    stack.world.advance(600)
    assert (stack.service_view()["runningCount"], waiting(stack)) == (2, 2)
    stack.world.advance(1210)  # the 30-minute waiting limit: the two waiting tasks stop
    assert len(failed_to_start(stack)) == 2 and waiting(stack) == 0
    stack.world.advance(70)  # the first retry, a minute later (then a scheduler pass)
    assert waiting(stack) == 2, "the service tries again"
    assert THROTTLED not in [e["message"] for e in stack.service_view()["events"]]
    stack.world.advance(1800)  # they fail again; the next retry waits two minutes
    assert len(failed_to_start(stack)) == 4 and waiting(stack) == 0
    assert THROTTLED in [e["message"] for e in stack.service_view()["events"]]
    # Room appears: the next attempt's waiting tasks drive the group out, and the service settles.
    stack.asg.update_auto_scaling_group(AutoScalingGroupName=GROUP, MaxSize=2)
    stack.world.advance(130)
    assert waiting(stack) == 2
    stack.world.settle()
    service = stack.service_view()
    assert (service["runningCount"], service["pendingCount"]) == (4, 0)
    assert service["events"][0]["message"] == "(service web) has reached a steady state."


def test_an_unstartable_service_retries_a_bounded_number_of_times_so_the_clock_settles(
    untrunked_manual: Stack,
) -> None:
    stack = untrunked_manual
    stack.standard(MaxSize=1)
    stack.service(4)
    stack.world.settle()  # returns: the retries stop after the attempt at the 27-minute maximum
    assert stack.service_view()["runningCount"] == 2
    assert waiting(stack) == 0 and failed_to_start(stack), "the last attempt failed too"
    assert THROTTLED in [e["message"] for e in stack.service_view()["events"]]
    # A new task definition revision ends the throttle: the service tries again at once.
    stack.world.ecs.register_task_definition(
        family="web",
        networkMode="awsvpc",
        cpu="128",
        memory="256",
        containerDefinitions=[{"name": "app", "image": "nginx:2", "essential": True}],
    )
    stack.world.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition="web")
    stack.world.advance(60)
    assert waiting(stack) >= 2
