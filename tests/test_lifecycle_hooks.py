"""Auto Scaling lifecycle hooks at work (issue 11), with boto3 on a manual clock: instances wait in
Pending:Wait / Terminating:Wait until CompleteLifecycleAction, a heartbeat timeout (DefaultResult)
or ABANDON; RecordLifecycleActionHeartbeat restarts the timeout; the EventBridge event carries the
token; ECS completes its managed draining hook once the instance runs no task."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import CliError, Server, make_cli
from test_capacity_providers import CLUSTER, GROUP, PROVIDER, STRATEGY, Stack

LAUNCHING = "autoscaling:EC2_INSTANCE_LAUNCHING"
TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING"


@pytest.fixture
def stack(spawn: Callable[..., Server]) -> Stack:
    return Stack(spawn("--timing", "manual"))


def hook(name: str, transition: str, timeout: int, default: str, **extra: Any) -> dict[str, Any]:
    return {
        "LifecycleHookName": name,
        "LifecycleTransition": transition,
        "HeartbeatTimeout": timeout,
        "DefaultResult": default,
        **extra,
    }


def states(stack: Stack) -> dict[str, str]:
    return {m["InstanceId"]: m["LifecycleState"] for m in stack.members()}


def ec2_state(stack: Stack, instance_id: str) -> str:
    reservations = stack.world.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    return str(reservations[0]["Instances"][0]["State"]["Name"])


def lifecycle_events(stack: Stack) -> list[dict[str, Any]]:
    answer = stack.world.server.get("/_trunkline/events?limit=1000")
    answer.raise_for_status()
    events = answer.json()["events"]
    return [e for e in events if e["source"] == "aws.autoscaling" and e["detail-type"].endswith("Lifecycle Action")]


def activity_of(stack: Stack, instance_id: str, verb: str) -> dict[str, Any]:
    activities = stack.asg.describe_scaling_activities(AutoScalingGroupName=GROUP)["Activities"]
    (found,) = [a for a in activities if a["Description"] == f"{verb} {instance_id}"]
    result: dict[str, Any] = found
    return result


def error_of(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_a_launch_waits_until_completed_and_a_heartbeat_restarts_its_timeout(stack: Stack) -> None:
    spec = hook("boot", LAUNCHING, 300, "ABANDON", NotificationMetadata="warm the cache")
    stack.group(LifecycleHookSpecificationList=[spec])
    stack.world.advance(60)  # launched and running: the hook holds it
    ((instance, state),) = states(stack).items()
    assert state == "Pending:Wait"
    (described,) = stack.asg.describe_auto_scaling_instances(InstanceIds=[instance])["AutoScalingInstances"]
    assert described["LifecycleState"] == "Pending:Wait"
    assert activity_of(stack, instance, "Launching a new EC2 instance:")["StatusCode"] == "MidLifecycleAction"
    (event,) = lifecycle_events(stack)
    assert event["detail-type"] == "EC2 Instance-launch Lifecycle Action"
    detail = event["detail"]
    token = detail.pop("LifecycleActionToken")
    assert detail == {
        "AutoScalingGroupName": GROUP,
        "LifecycleHookName": "boot",
        "EC2InstanceId": instance,
        "LifecycleTransition": LAUNCHING,
        "NotificationMetadata": "warm the cache",
        "Origin": "EC2",
        "Destination": "AutoScalingGroup",
    }
    # A heartbeat just before the timeout starts it again: past the first 300 s it still waits.
    stack.world.advance(200)
    stack.asg.record_lifecycle_action_heartbeat(
        AutoScalingGroupName=GROUP, LifecycleHookName="boot", LifecycleActionToken=token
    )
    stack.world.advance(200)
    assert states(stack) == {instance: "Pending:Wait"}
    assert error_of(
        lambda: stack.asg.complete_lifecycle_action(
            AutoScalingGroupName=GROUP,
            LifecycleHookName="boot",
            LifecycleActionResult="CONTINUE",
            LifecycleActionToken="00000000-0000-0000-0000-000000000000",
        )
    ) == ("ValidationError", "No active Lifecycle Action found with token 00000000-0000-0000-0000-000000000000")
    stack.asg.complete_lifecycle_action(
        AutoScalingGroupName=GROUP, LifecycleHookName="boot", LifecycleActionResult="CONTINUE", InstanceId=instance
    )
    assert states(stack) == {instance: "InService"}
    assert activity_of(stack, instance, "Launching a new EC2 instance:")["StatusCode"] == "Successful"
    assert error_of(
        lambda: stack.asg.complete_lifecycle_action(
            AutoScalingGroupName=GROUP, LifecycleHookName="boot", LifecycleActionResult="CONTINUE", InstanceId=instance
        )
    ) == ("ValidationError", f"No active Lifecycle Action found with instance ID {instance}")
    stack.world.advance(1000)  # the timeouts left behind do nothing
    assert states(stack) == {instance: "InService"}


def test_a_launch_that_times_out_with_abandon_is_terminated_and_replaced(stack: Stack) -> None:
    stack.group(LifecycleHookSpecificationList=[hook("boot", LAUNCHING, 60, "ABANDON")])
    stack.world.advance(30)
    ((first, state),) = states(stack).items()
    assert state == "Pending:Wait"
    stack.world.advance(60)  # the heartbeat timeout: ABANDON
    assert ec2_state(stack, first) in ("shutting-down", "terminated")
    launch = activity_of(stack, first, "Launching a new EC2 instance:")
    assert launch["StatusCode"] == "Cancelled"
    assert "was abandoned" in launch["StatusMessage"]
    stack.world.advance(60)
    current = states(stack)
    assert first not in current and list(current.values()) == ["Pending:Wait"], "a replacement, held by the hook"


def test_a_termination_waits_for_its_hook_and_either_result_terminates(stack: Stack) -> None:
    stack.group(
        DesiredCapacity=3, LifecycleHookSpecificationList=[hook("logs", TERMINATING, 120, "CONTINUE")], MinSize=0
    )
    stack.world.advance(60)
    first, second, third = sorted(states(stack))
    assert set(states(stack).values()) == {"InService"}
    stack.asg.terminate_instance_in_auto_scaling_group(InstanceId=first, ShouldDecrementDesiredCapacity=True)
    assert states(stack)[first] == "Terminating:Wait"
    assert activity_of(stack, first, "Terminating EC2 instance:")["StatusCode"] == "MidLifecycleAction"
    stack.world.advance(100)
    assert (states(stack)[first], ec2_state(stack, first)) == ("Terminating:Wait", "running")
    stack.world.advance(30)  # past 120 s: the DefaultResult, CONTINUE, terminates it
    assert ec2_state(stack, first) in ("shutting-down", "terminated")
    stack.world.advance(60)
    assert first not in states(stack)
    assert activity_of(stack, first, "Terminating EC2 instance:")["StatusCode"] == "Successful"
    # ABANDON on termination terminates all the same.
    stack.asg.terminate_instance_in_auto_scaling_group(InstanceId=second, ShouldDecrementDesiredCapacity=True)
    (event,) = [e for e in lifecycle_events(stack) if e["detail"]["EC2InstanceId"] == second]
    assert (event["detail-type"], event["detail"]["Origin"], event["detail"]["Destination"]) == (
        "EC2 Instance-terminate Lifecycle Action",
        "AutoScalingGroup",
        "EC2",
    )
    stack.asg.complete_lifecycle_action(
        AutoScalingGroupName=GROUP,
        LifecycleHookName="logs",
        LifecycleActionResult="ABANDON",
        LifecycleActionToken=event["detail"]["LifecycleActionToken"],
    )
    assert ec2_state(stack, second) == "shutting-down"
    assert states(stack)[second] == "Terminating:Proceed"
    assert error_of(
        lambda: stack.asg.record_lifecycle_action_heartbeat(
            AutoScalingGroupName=GROUP, LifecycleHookName="logs", InstanceId=third
        )
    ) == ("ValidationError", f"No active Lifecycle Action found with instance ID {third}")
    # Deleting the hook completes its outstanding actions first: CONTINUE for a termination.
    stack.asg.terminate_instance_in_auto_scaling_group(InstanceId=third, ShouldDecrementDesiredCapacity=True)
    assert states(stack)[third] == "Terminating:Wait"
    stack.asg.delete_lifecycle_hook(AutoScalingGroupName=GROUP, LifecycleHookName="logs")
    assert (states(stack)[third], ec2_state(stack, third)) == ("Terminating:Proceed", "shutting-down")


def test_ecs_completes_its_draining_hook_once_the_instance_runs_no_task(stack: Stack) -> None:
    stack.standard()
    hooks = stack.asg.describe_lifecycle_hooks(AutoScalingGroupName=GROUP)["LifecycleHooks"]
    assert [h["LifecycleHookName"] for h in hooks] == ["ecs-managed-draining-termination-hook"]
    stack.service(12)
    stack.world.settle()
    busy = sorted(stack.per_instance().items(), key=lambda item: -item[1])[0][0].split()[1]
    stack.asg.terminate_instance_in_auto_scaling_group(InstanceId=busy, ShouldDecrementDesiredCapacity=False)
    assert states(stack)[busy] == "Terminating:Wait"
    stack.world.advance(10)  # ECS's next round (woken by the wait)
    assert stack.world.of_instance(CLUSTER, busy)["status"] == "DRAINING"
    # The service scheduler moves the instance's service tasks (replacements first: maximumPercent
    # 200) and ECS completes its hook once the instance runs none.
    for _ in range(20):  # well inside the hook's 3600 s timeout
        stack.world.advance(60)
        if busy not in states(stack):
            break
    assert busy not in states(stack), "ECS completed the hook once the instance ran no task"
    assert ec2_state(stack, busy) in ("shutting-down", "terminated")
    assert stack.service_view()["runningCount"] == 12


def test_heartbeats_never_keep_an_instance_past_the_global_timeout(stack: Stack) -> None:
    stack.group(LifecycleHookSpecificationList=[hook("slow", LAUNCHING, 30, "CONTINUE")])
    (described,) = stack.asg.describe_lifecycle_hooks(AutoScalingGroupName=GROUP)["LifecycleHooks"]
    assert described["GlobalTimeout"] == 3000, "100 times the heartbeat timeout"
    for _ in range(10):
        stack.world.advance(5)
        if list(states(stack).values()) == ["Pending:Wait"]:
            break
    ((instance, state),) = states(stack).items()
    assert state == "Pending:Wait"
    for _ in range(119):  # each heartbeat restarts the 30 s timeout: 2,975 s in all
        stack.asg.record_lifecycle_action_heartbeat(
            AutoScalingGroupName=GROUP, LifecycleHookName="slow", InstanceId=instance
        )
        stack.world.advance(25)
    assert states(stack)[instance] == "Pending:Wait"
    stack.asg.record_lifecycle_action_heartbeat(
        AutoScalingGroupName=GROUP, LifecycleHookName="slow", InstanceId=instance
    )
    stack.world.advance(26)  # 3,001 s from the start of the wait, 26 s after the last heartbeat
    assert states(stack)[instance] == "InService", "DefaultResult CONTINUE"


def test_managed_scale_in_drains_a_busy_instance_and_its_tasks_move(stack: Stack) -> None:
    """Without termination protection the group may pick a busy instance to scale in: managed
    draining holds it in Terminating:Wait, the service scheduler moves its tasks to the instance
    that stays, ECS completes the hook and the instance terminates."""
    arn = stack.group(NewInstancesProtectedFromScaleIn=False)["AutoScalingGroupARN"]
    stack.world.ecs.create_capacity_provider(
        name=PROVIDER,
        autoScalingGroupProvider={
            "autoScalingGroupArn": arn,
            "managedScaling": {"status": "ENABLED", "targetCapacity": 100},
            "managedTerminationProtection": "DISABLED",
            "managedDraining": "ENABLED",
        },
    )
    stack.world.ecs.put_cluster_capacity_providers(
        cluster=CLUSTER, capacityProviders=[PROVIDER], defaultCapacityProviderStrategy=STRATEGY
    )
    stack.world.settle()
    stack.service(12)
    stack.world.settle()
    per = stack.per_instance()
    assert len(per) == 2 and min(per.values()) >= 2, per  # 10 trunked awsvpc tasks a c5.large
    stack.world.ecs.update_service(cluster=CLUSTER, service="web", desiredCount=8)
    for _ in range(40):  # 15 low datapoints, then the scale-in and the drain
        stack.world.advance(60)
        if len(stack.members()) == 1:
            break
    assert len(stack.members()) == 1 and stack.desired() == 1
    per = stack.per_instance()
    assert list(per.values()) == [8], per
    stopped = [t for t in stack.tasks("STOPPED") if t.get("stopCode") == "ServiceSchedulerInitiated"]
    assert any(t["stoppedReason"] == "Service web: container instance is in DRAINING state" for t in stopped)


@pytest.mark.cli
def test_the_aws_cli_writes_a_hook_reads_it_back_and_completes_a_launch(stack: Stack, tmp_path: Any) -> None:
    cli = make_cli(stack.world.server.url, tmp_path)
    stack.group()
    cli(
        "autoscaling", "put-lifecycle-hook", "--auto-scaling-group-name", GROUP, "--lifecycle-hook-name", "boot",
        "--lifecycle-transition", LAUNCHING, "--heartbeat-timeout", "120", "--default-result", "CONTINUE",
        "--notification-metadata", "from the cli",
    )  # fmt: skip
    (described,) = cli("autoscaling", "describe-lifecycle-hooks", "--auto-scaling-group-name", GROUP)["LifecycleHooks"]
    assert described == {
        "LifecycleHookName": "boot",
        "AutoScalingGroupName": GROUP,
        "LifecycleTransition": LAUNCHING,
        "NotificationMetadata": "from the cli",
        "HeartbeatTimeout": 120,
        "GlobalTimeout": 12000,
        "DefaultResult": "CONTINUE",
    }
    stack.asg.set_desired_capacity(AutoScalingGroupName=GROUP, DesiredCapacity=2)
    stack.world.advance(60)
    waiting = sorted(i for i, state in states(stack).items() if state == "Pending:Wait")
    assert len(waiting) == 2  # the group's first launch came after the hook too
    cli(
        "autoscaling", "complete-lifecycle-action", "--auto-scaling-group-name", GROUP,
        "--lifecycle-hook-name", "boot", "--instance-id", waiting[0], "--lifecycle-action-result", "CONTINUE",
    )  # fmt: skip
    stack.world.advance(60)
    assert [states(stack)[i] for i in waiting] == ["InService", "Pending:Wait"]
    with pytest.raises(CliError) as refused:
        cli(
            "autoscaling", "complete-lifecycle-action", "--auto-scaling-group-name", GROUP,
            "--lifecycle-hook-name", "boot", "--instance-id", waiting[0], "--lifecycle-action-result", "CONTINUE",
        )  # fmt: skip
    assert "No active Lifecycle Action found with instance ID " + waiting[0] in refused.value.stderr
