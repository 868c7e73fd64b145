"""Suspended scaling processes and group metrics collection (SuspendProcesses, ResumeProcesses,
DescribeScalingProcessTypes, EnableMetricsCollection, DisableMetricsCollection,
DescribeMetricCollectionTypes), with boto3 and the AWS CLI on a manual clock: what
DescribeAutoScalingGroups shows, and a suspended process's effect on the group."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Server, make_cli
from test_autoscaling import GROUP, Capacity, error_of

PROCESSES = [
    "AZRebalance",
    "AddToLoadBalancer",
    "AlarmNotification",
    "HealthCheck",
    "InstanceRefresh",
    "Launch",
    "ReplaceUnhealthy",
    "ScheduledActions",
    "Terminate",
]
GROUP_METRICS = [
    "GroupMinSize",
    "GroupMaxSize",
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupPendingInstances",
    "GroupStandbyInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
    "GroupInServiceCapacity",
    "GroupPendingCapacity",
    "GroupStandbyCapacity",
    "GroupTerminatingCapacity",
    "GroupTotalCapacity",
]
WARM_POOL_METRICS = [
    "WarmPoolDesiredCapacity",
    "WarmPoolWarmedCapacity",
    "WarmPoolPendingCapacity",
    "WarmPoolTerminatingCapacity",
    "WarmPoolTotalCapacity",
    "GroupAndWarmPoolDesiredCapacity",
    "GroupAndWarmPoolTotalCapacity",
]


@pytest.fixture
def cap(spawn: Callable[..., Server]) -> Capacity:
    return Capacity(spawn("--timing", "manual"))


def _reason(cap: Capacity) -> str:
    """`User suspended at <time>`: the manual clock has not moved since the group was created."""
    return "User suspended at " + cap.group()["CreatedTime"].strftime("%Y-%m-%dT%H:%M:%SZ")


def _suspended(cap: Capacity) -> list[tuple[str, str]]:
    return [(p["ProcessName"], p["SuspensionReason"]) for p in cap.group()["SuspendedProcesses"]]


def test_suspend_and_resume_all_or_named_processes(cap: Capacity) -> None:
    assert cap.asg.describe_scaling_process_types()["Processes"] == [{"ProcessName": p} for p in PROCESSES]
    cap.create()
    assert cap.group()["SuspendedProcesses"] == []
    reason = _reason(cap)
    cap.asg.suspend_processes(AutoScalingGroupName=GROUP, ScalingProcesses=["Terminate", "AZRebalance"])
    assert _suspended(cap) == [("AZRebalance", reason), ("Terminate", reason)]
    cap.asg.suspend_processes(AutoScalingGroupName=GROUP)  # none named: all of them
    assert _suspended(cap) == [(p, reason) for p in PROCESSES]
    cap.asg.resume_processes(AutoScalingGroupName=GROUP, ScalingProcesses=["Launch", "HealthCheck"])
    assert [p for p, _ in _suspended(cap)] == [p for p in PROCESSES if p not in ("Launch", "HealthCheck")]
    cap.asg.resume_processes(AutoScalingGroupName=GROUP)
    assert cap.group()["SuspendedProcesses"] == []
    assert error_of(
        lambda: cap.asg.suspend_processes(AutoScalingGroupName=GROUP, ScalingProcesses=["Launch", "Reboot"])
    ) == ("ValidationError", f"Invalid processes: Reboot. Valid processes are: {', '.join(PROCESSES)}.")
    assert error_of(lambda: cap.asg.resume_processes(AutoScalingGroupName=GROUP, ScalingProcesses=["launch"])) == (
        "ValidationError",
        f"Invalid processes: launch. Valid processes are: {', '.join(PROCESSES)}.",
    )
    assert cap.group()["SuspendedProcesses"] == [], "a refused call changes nothing"
    assert error_of(lambda: cap.asg.suspend_processes(AutoScalingGroupName="nope")) == (
        "ValidationError",
        "AutoScalingGroup name not found - AutoScalingGroup 'nope' not found",
    )


def test_processes_of_a_group_being_deleted_cannot_change(cap: Capacity) -> None:
    cap.create()
    cap.world.advance(10)  # two instances launching: the forced delete waits for them
    cap.asg.delete_auto_scaling_group(AutoScalingGroupName=GROUP, ForceDelete=True)
    assert error_of(lambda: cap.asg.suspend_processes(AutoScalingGroupName=GROUP)) == (
        "ValidationError",
        "Processes may not be suspended while the AutoScaling group is pending delete",
    )
    assert error_of(lambda: cap.asg.resume_processes(AutoScalingGroupName=GROUP)) == (
        "ValidationError",
        "Processes may not be resumed while the AutoScaling group is pending delete",
    )


def test_a_suspended_launch_stops_scale_out_until_resumed(cap: Capacity) -> None:
    cap.create()
    cap.settle()
    assert len(cap.members()) == 2
    cap.asg.suspend_processes(AutoScalingGroupName=GROUP, ScalingProcesses=["Launch"])
    cap.asg.set_desired_capacity(AutoScalingGroupName=GROUP, DesiredCapacity=4)
    cap.settle()
    assert len(cap.members()) == 2 and cap.group()["DesiredCapacity"] == 4
    launches = cap.asg.describe_scaling_activities(AutoScalingGroupName=GROUP)["Activities"]
    assert len(launches) == 2, "no launch is tried (nor failed) while Launch is suspended"
    cap.asg.resume_processes(AutoScalingGroupName=GROUP, ScalingProcesses=["Launch"])
    cap.settle()
    assert len(cap.members()) == 4
    newest = cap.asg.describe_scaling_activities(AutoScalingGroupName=GROUP)["Activities"][0]
    assert (
        "a user request explicitly set group desired capacity changing the desired capacity from 2 to 4."
        in (newest["Cause"])
    )


def test_a_suspended_terminate_stops_scale_in_until_resumed(cap: Capacity) -> None:
    cap.create()
    cap.settle()
    cap.asg.suspend_processes(AutoScalingGroupName=GROUP, ScalingProcesses=["Terminate"])
    cap.asg.set_desired_capacity(AutoScalingGroupName=GROUP, DesiredCapacity=1)
    cap.settle()
    assert len(cap.members()) == 2
    cap.asg.resume_processes(AutoScalingGroupName=GROUP, ScalingProcesses=["Terminate"])
    cap.settle()
    assert len(cap.members()) == 1


def test_a_suspended_replace_unhealthy_keeps_a_stopped_instance_marked_unhealthy(cap: Capacity) -> None:
    cap.create()
    cap.settle()
    stopped = sorted(cap.members())[0]
    cap.asg.suspend_processes(AutoScalingGroupName=GROUP, ScalingProcesses=["ReplaceUnhealthy"])
    cap.world.ec2.stop_instances(InstanceIds=[stopped])
    cap.settle()
    members = cap.members()
    assert len(members) == 2
    assert (members[stopped]["LifecycleState"], members[stopped]["HealthStatus"]) == ("InService", "Unhealthy")
    assert cap.ec2_state(stopped) == "stopped"
    cap.asg.resume_processes(AutoScalingGroupName=GROUP)
    cap.settle()
    members = cap.members()
    assert len(members) == 2 and stopped not in members
    assert cap.ec2_state(stopped) == "terminated"


def test_enable_and_disable_metrics_collection(cap: Capacity) -> None:
    types = cap.asg.describe_metric_collection_types()
    assert types["Metrics"] == [{"Metric": m} for m in GROUP_METRICS + WARM_POOL_METRICS]
    assert types["Granularities"] == [{"Granularity": "1Minute"}]
    cap.create()
    assert cap.group()["EnabledMetrics"] == []
    cap.asg.enable_metrics_collection(
        AutoScalingGroupName=GROUP, Metrics=["GroupTotalInstances", "GroupMinSize"], Granularity="1Minute"
    )
    assert cap.group()["EnabledMetrics"] == [
        {"Metric": "GroupMinSize", "Granularity": "1Minute"},
        {"Metric": "GroupTotalInstances", "Granularity": "1Minute"},
    ]
    cap.asg.enable_metrics_collection(AutoScalingGroupName=GROUP, Granularity="1Minute")  # none named: all
    assert [m["Metric"] for m in cap.group()["EnabledMetrics"]] == GROUP_METRICS + WARM_POOL_METRICS
    cap.asg.disable_metrics_collection(AutoScalingGroupName=GROUP, Metrics=WARM_POOL_METRICS)
    assert [m["Metric"] for m in cap.group()["EnabledMetrics"]] == GROUP_METRICS
    assert error_of(lambda: cap.asg.enable_metrics_collection(AutoScalingGroupName=GROUP, Granularity="5Minute")) == (
        "ValidationError",
        "Invalid granularity: 5Minute. The only valid granularity is 1Minute.",
    )
    assert error_of(
        lambda: cap.asg.enable_metrics_collection(
            AutoScalingGroupName=GROUP, Metrics=["GroupMinSize", "CPUUtilization"], Granularity="1Minute"
        )
    ) == (
        "ValidationError",
        f"Invalid metrics: CPUUtilization. Valid metrics are: {', '.join(GROUP_METRICS + WARM_POOL_METRICS)}.",
    )
    assert [m["Metric"] for m in cap.group()["EnabledMetrics"]] == GROUP_METRICS, "refused calls change nothing"
    cap.asg.disable_metrics_collection(AutoScalingGroupName=GROUP)  # none named: all
    assert cap.group()["EnabledMetrics"] == []


@pytest.mark.cli
def test_the_aws_cli_suspends_processes_and_enables_metrics(cap: Capacity, tmp_path: Path) -> None:
    aws = make_cli(cap.world.server.url, tmp_path)
    cap.create()
    aws("autoscaling", "suspend-processes", "--auto-scaling-group-name", GROUP, "--scaling-processes", "Launch")
    aws(
        "autoscaling", "enable-metrics-collection", "--auto-scaling-group-name", GROUP,
        "--metrics", "GroupDesiredCapacity", "--granularity", "1Minute",
    )  # fmt: skip
    (group,) = aws("autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", GROUP)[
        "AutoScalingGroups"
    ]
    assert [p["ProcessName"] for p in group["SuspendedProcesses"]] == ["Launch"]
    assert group["SuspendedProcesses"][0]["SuspensionReason"].startswith("User suspended at ")
    assert group["EnabledMetrics"] == [{"Metric": "GroupDesiredCapacity", "Granularity": "1Minute"}]
    processes = aws("autoscaling", "describe-scaling-process-types")["Processes"]
    assert [p["ProcessName"] for p in processes] == PROCESSES


def test_a_suspended_alarm_notification_keeps_managed_scaling_from_moving_desired(
    spawn: Callable[..., Server],
) -> None:
    from test_capacity_providers import CLUSTER as APPS
    from test_capacity_providers import GROUP as ECS_GROUP
    from test_capacity_providers import Stack

    stack = Stack(spawn("--timing", "manual"))
    stack.standard(MinSize=0, DesiredCapacity=0)
    stack.asg.suspend_processes(AutoScalingGroupName=ECS_GROUP, ScalingProcesses=["AlarmNotification"])
    stack.world.ecs.run_task(
        cluster=APPS,
        taskDefinition="web",
        count=2,
        networkConfiguration={"awsvpcConfiguration": {"subnets": stack.subnets}},
    )
    stack.world.advance(300)
    assert stack.desired() == 0 and stack.members() == [], "the alarm fired; its policy's action did not run"
    assert {t["lastStatus"] for t in stack.tasks()} == {"PROVISIONING"}
    stack.asg.resume_processes(AutoScalingGroupName=ECS_GROUP, ScalingProcesses=["AlarmNotification"])
    stack.world.advance(300)
    assert stack.desired() == 2
    assert {t["lastStatus"] for t in stack.tasks()} == {"RUNNING"}
