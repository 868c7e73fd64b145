"""Instance refreshes (StartInstanceRefresh, DescribeInstanceRefreshes, CancelInstanceRefresh)
with boto3 on a manual clock: a refresh replaces the group's instances in batches that keep
MinHealthyPercentage of the desired capacity in service, each replacement launched from the
group's current launch template version, through the group's termination lifecycle hooks, and
answers AWS's errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import Server
from test_autoscaling import GROUP, Capacity, error_of


@pytest.fixture
def cap(spawn: Callable[..., Server]) -> Capacity:
    return Capacity(spawn("--timing", "manual"))


def _new_version(cap: Capacity) -> None:
    cap.world.ec2.create_launch_template_version(
        LaunchTemplateName="ecs", SourceVersion="1", LaunchTemplateData={"InstanceType": "m5.large"}
    )


def _refresh(cap: Capacity) -> dict[str, Any]:
    (found,) = cap.asg.describe_instance_refreshes(AutoScalingGroupName=GROUP)["InstanceRefreshes"][:1]
    result: dict[str, Any] = found
    return result


def _versions(cap: Capacity) -> dict[str, str]:
    return {i: m["LaunchTemplate"]["Version"] for i, m in cap.members().items()}


def test_a_refresh_replaces_instances_in_batches_from_the_new_version(cap: Capacity) -> None:
    cap.create(DesiredCapacity=2)
    cap.settle()
    old = set(cap.members())
    _new_version(cap)
    refresh_id = cap.asg.start_instance_refresh(
        AutoScalingGroupName=GROUP, Preferences={"MinHealthyPercentage": 50, "InstanceWarmup": 60}
    )["InstanceRefreshId"]
    refresh = _refresh(cap)
    assert refresh["InstanceRefreshId"] == refresh_id and refresh["AutoScalingGroupName"] == GROUP
    assert (refresh["Status"], refresh["PercentageComplete"], refresh["InstancesToUpdate"]) == ("Pending", 0, 2)
    assert refresh["Preferences"] == {
        "MinHealthyPercentage": 50,
        "InstanceWarmup": 60,
        "SkipMatching": False,
        "AutoRollback": False,
        "ScaleInProtectedInstances": "Ignore",
        "StandbyInstances": "Ignore",
    }
    assert refresh["Strategy"] == "Rolling" and "EndTime" not in refresh
    assert error_of(lambda: cap.asg.start_instance_refresh(AutoScalingGroupName=GROUP)) == (
        "InstanceRefreshInProgress",
        "An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.",
    )
    cap.world.advance(15)  # first step: one instance (2 - ceil(2 x 50%)) taken out of service
    refresh = _refresh(cap)
    assert (refresh["Status"], refresh["PercentageComplete"], refresh["InstancesToUpdate"]) == ("InProgress", 0, 2)
    leaving = [i for i in old if cap.ec2_state(i) != "running"]
    assert len(leaving) == 1
    (activity,) = [
        a
        for a in cap.asg.describe_scaling_activities(AutoScalingGroupName=GROUP)["Activities"]
        if a["Description"] == f"Terminating EC2 instance: {leaving[0]}"
    ]
    assert activity["Cause"].endswith(
        f"an instance was taken out of service in response to an instance refresh.  At "
        f"{activity['Cause'][3:23]} instance {leaving[0]} was selected for termination."
    )
    cap.world.advance(70)  # terminated, replaced, in service; the warm-up (60 s) runs
    versions = _versions(cap)
    assert len(versions) == 2 and sorted(versions.values()) == ["1", "2"]
    assert {m["LifecycleState"] for m in cap.members().values()} == {"InService"}
    refresh = _refresh(cap)
    assert (refresh["Status"], refresh["PercentageComplete"], refresh["InstancesToUpdate"]) == ("InProgress", 50, 1)
    assert refresh["ProgressDetails"] == {"LivePoolProgress": {"PercentageComplete": 50, "InstancesToUpdate": 1}}
    cap.settle()
    refresh = _refresh(cap)
    assert (refresh["Status"], refresh["PercentageComplete"], refresh["InstancesToUpdate"]) == ("Successful", 100, 0)
    assert "EndTime" in refresh
    versions = _versions(cap)
    assert set(versions.values()) == {"2"} and not set(versions) & old
    assert {cap.world.instance(i)["InstanceType"] for i in versions} == {"m5.large"}
    assert error_of(lambda: cap.asg.cancel_instance_refresh(AutoScalingGroupName=GROUP)) == (
        "ActiveInstanceRefreshNotFound",
        f"No in progress or pending Instance Refresh found for Auto Scaling group {GROUP}",
    )


def test_skip_matching_and_protected_instances(cap: Capacity) -> None:
    cap.create(DesiredCapacity=3, MaxSize=4)
    cap.settle()
    first = sorted(cap.members())
    cap.asg.set_instance_protection(AutoScalingGroupName=GROUP, InstanceIds=first[:1], ProtectedFromScaleIn=True)
    cap.asg.start_instance_refresh(AutoScalingGroupName=GROUP, Preferences={"SkipMatching": True})
    assert _refresh(cap)["InstancesToUpdate"] == 0, "every instance already runs the current version"
    cap.settle()
    assert _refresh(cap)["Status"] == "Successful" and sorted(cap.members()) == first
    _new_version(cap)
    cap.asg.start_instance_refresh(AutoScalingGroupName=GROUP, Preferences={"SkipMatching": True, "InstanceWarmup": 0})
    assert _refresh(cap)["InstancesToUpdate"] == 2, "the protected instance is left alone (Ignore)"
    cap.settle()
    assert _refresh(cap)["Status"] == "Successful"
    versions = _versions(cap)
    assert versions[first[0]] == "1" and sorted(versions.values()) == ["1", "2", "2"]
    assert len(cap.asg.describe_instance_refreshes(AutoScalingGroupName=GROUP)["InstanceRefreshes"]) == 2


def test_cancel_waits_for_the_batch_in_flight(cap: Capacity) -> None:
    cap.create(DesiredCapacity=2)
    cap.settle()
    _new_version(cap)
    refresh_id = cap.asg.start_instance_refresh(AutoScalingGroupName=GROUP, Preferences={"InstanceWarmup": 0})[
        "InstanceRefreshId"
    ]
    cap.world.advance(15)
    assert cap.asg.cancel_instance_refresh(AutoScalingGroupName=GROUP)["InstanceRefreshId"] == refresh_id
    assert _refresh(cap)["Status"] == "Cancelling"
    assert error_of(lambda: cap.asg.cancel_instance_refresh(AutoScalingGroupName=GROUP))[0] == (
        "ActiveInstanceRefreshNotFound"
    )
    cap.settle()
    refresh = _refresh(cap)
    assert (refresh["Status"], refresh["PercentageComplete"], refresh["InstancesToUpdate"]) == ("Cancelled", 50, 1)
    assert sorted(_versions(cap).values()) == ["1", "2"], "one replaced, the other left as it was"
    cap.asg.start_instance_refresh(AutoScalingGroupName=GROUP)  # a new one may start now
    cap.asg.cancel_instance_refresh(AutoScalingGroupName=GROUP, WaitForTransitioningInstances=False)
    assert _refresh(cap)["Status"] == "Cancelled", "nothing in flight: cancelled at once"


def test_replaced_instances_go_through_termination_hooks(cap: Capacity) -> None:
    cap.create(DesiredCapacity=1)
    cap.settle()
    (old,) = cap.members()
    cap.asg.put_lifecycle_hook(
        AutoScalingGroupName=GROUP,
        LifecycleHookName="drain",
        LifecycleTransition="autoscaling:EC2_INSTANCE_TERMINATING",
        HeartbeatTimeout=300,
        DefaultResult="CONTINUE",
    )
    cap.asg.start_instance_refresh(AutoScalingGroupName=GROUP, Preferences={"MinHealthyPercentage": 100})
    cap.world.advance(15)
    assert cap.members()[old]["LifecycleState"] == "Terminating:Wait"
    cap.world.advance(60)
    assert cap.ec2_state(old) == "running" and _refresh(cap)["Status"] == "InProgress"
    cap.asg.complete_lifecycle_action(
        AutoScalingGroupName=GROUP, LifecycleHookName="drain", LifecycleActionResult="CONTINUE", InstanceId=old
    )
    cap.settle()
    assert _refresh(cap)["Status"] == "Successful" and old not in cap.members()


def test_refresh_refusals(cap: Capacity) -> None:
    cap.create()
    assert error_of(
        lambda: cap.asg.start_instance_refresh(AutoScalingGroupName=GROUP, Preferences={"AutoRollback": True})
    ) == (
        "ValidationError",
        "The AutoRollback parameter cannot be set to true when the DesiredConfiguration parameter is empty",
    )
    assert error_of(lambda: cap.asg.start_instance_refresh(AutoScalingGroupName="nope")) == (
        "ValidationError",
        "AutoScalingGroup name not found - AutoScalingGroup 'nope' not found",
    )
    assert cap.asg.describe_instance_refreshes(AutoScalingGroupName=GROUP)["InstanceRefreshes"] == []
    assert error_of(lambda: cap.asg.cancel_instance_refresh(AutoScalingGroupName=GROUP)) == (
        "ActiveInstanceRefreshNotFound",
        f"No in progress or pending Instance Refresh found for Auto Scaling group {GROUP}",
    )


def test_a_refresh_of_an_ecs_group_drains_each_instance_before_it_goes(spawn: Callable[..., Server]) -> None:
    """ECS managed draining: the refresh takes an instance out of service through ECS's termination
    hook, so the service's tasks move to the replacement before the old instance terminates.
    Instances protected by managed termination protection need ScaleInProtectedInstances Refresh."""
    from test_capacity_providers import CLUSTER as APPS
    from test_capacity_providers import GROUP as ECS_GROUP
    from test_capacity_providers import Stack

    stack = Stack(spawn("--timing", "manual"))
    stack.standard(MinSize=1, DesiredCapacity=1)
    stack.service(2)
    stack.world.settle()
    (old,) = [m["InstanceId"] for m in stack.members()]
    stack.world.ec2.create_launch_template_version(
        LaunchTemplateName="ecs", SourceVersion="1", LaunchTemplateData={"InstanceType": "c5.xlarge"}
    )
    stack.asg.start_instance_refresh(AutoScalingGroupName=ECS_GROUP)
    (ignored,) = stack.asg.describe_instance_refreshes(AutoScalingGroupName=ECS_GROUP)["InstanceRefreshes"]
    assert ignored["InstancesToUpdate"] == 0, "protected from scale in: Ignore leaves it"
    stack.world.settle()
    stack.asg.start_instance_refresh(
        AutoScalingGroupName=ECS_GROUP, Preferences={"ScaleInProtectedInstances": "Refresh", "InstanceWarmup": 0}
    )
    stack.world.advance(15)
    (leaving,) = [m for m in stack.members() if m["InstanceId"] == old]
    assert leaving["LifecycleState"] == "Terminating:Wait"
    stack.world.advance(10)  # ECS's managed scaling round soon after
    arns = stack.world.ecs.list_container_instances(cluster=APPS)["containerInstanceArns"]
    states = {
        c["ec2InstanceId"]: c["status"]
        for c in stack.world.ecs.describe_container_instances(cluster=APPS, containerInstances=arns)[
            "containerInstances"
        ]
    }
    assert states[old] == "DRAINING"
    stack.world.settle()
    (done, _) = stack.asg.describe_instance_refreshes(AutoScalingGroupName=ECS_GROUP)["InstanceRefreshes"]
    assert (done["Status"], done["PercentageComplete"]) == ("Successful", 100)
    (new,) = stack.members()
    assert new["InstanceId"] != old and new["LaunchTemplate"]["Version"] == "2"
    assert stack.world.instance(old)["State"]["Name"] == "terminated"
    running = stack.tasks("RUNNING")
    assert len(running) == 2
    hosts = {c["containerInstanceArn"] for c in running}
    (host,) = hosts
    (described,) = stack.world.ecs.describe_container_instances(cluster=APPS, containerInstances=[host])[
        "containerInstances"
    ]
    assert described["ec2InstanceId"] == new["InstanceId"]
