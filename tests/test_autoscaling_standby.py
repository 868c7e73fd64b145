"""EnterStandby and ExitStandby with boto3 on a manual clock: an instance in Standby leaves the
group's capacity (replaced, or the desired capacity decremented) and comes back, with AWS's
activities and causes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import Server
from test_autoscaling import GROUP, Capacity, error_of


@pytest.fixture
def cap(spawn: Callable[..., Server]) -> Capacity:
    return Capacity(spawn("--timing", "manual"))


def test_standby_and_back(cap: Capacity) -> None:
    cap.create(DesiredCapacity=2)
    cap.settle()
    first, second = sorted(cap.members())
    (moving,) = cap.asg.enter_standby(
        AutoScalingGroupName=GROUP, InstanceIds=[first], ShouldDecrementDesiredCapacity=True
    )["Activities"]
    assert (moving["Description"], moving["StatusCode"], moving["Progress"]) == (
        f"Moving EC2 instance to Standby: {first}",
        "InProgress",
        50,
    )
    assert moving["Cause"].endswith(
        f"instance {first} was moved to standby in response to a user request, shrinking the capacity from 2 to 1."
    )
    assert cap.members()[first]["LifecycleState"] == "EnteringStandby"
    cap.settle()
    members = cap.members()
    assert len(members) == 2 and members[first]["LifecycleState"] == "Standby"
    assert cap.group()["DesiredCapacity"] == 1 and cap.ec2_state(first) == "running"
    assert error_of(
        lambda: cap.asg.enter_standby(
            AutoScalingGroupName=GROUP, InstanceIds=[first], ShouldDecrementDesiredCapacity=True
        )
    ) == ("ValidationError", f"The instance {first} is not in InService.")
    (back,) = cap.asg.exit_standby(AutoScalingGroupName=GROUP, InstanceIds=[first])["Activities"]
    assert (back["Description"], back["StatusCode"], back["Progress"]) == (
        f"Moving EC2 instance out of Standby: {first}",
        "PreInService",
        30,
    )
    assert back["Cause"].endswith(
        f"instance {first} was moved out of standby in response to a user request, increasing the capacity from 1 to 2."
    )
    assert cap.members()[first]["LifecycleState"] == "Pending" and cap.group()["DesiredCapacity"] == 2
    cap.settle()
    assert {m["LifecycleState"] for m in cap.members().values()} == {"InService"} and len(cap.members()) == 2
    assert error_of(lambda: cap.asg.exit_standby(AutoScalingGroupName=GROUP, InstanceIds=[second])) == (
        "ValidationError",
        f"The instance {second} is not in Standby.",
    )


def test_standby_without_decrement_is_replaced(cap: Capacity) -> None:
    cap.create(DesiredCapacity=1, MinSize=1)
    cap.settle()
    (only,) = cap.members()
    assert error_of(
        lambda: cap.asg.enter_standby(
            AutoScalingGroupName=GROUP, InstanceIds=[only], ShouldDecrementDesiredCapacity=True
        )
    ) == (
        "ValidationError",
        "Moving 1 instance(s) to Standby with ShouldDecrementDesiredCapacity would lower the desired capacity to 0, "
        "below the group's min size (1).",
    )
    cap.asg.enter_standby(AutoScalingGroupName=GROUP, InstanceIds=[only], ShouldDecrementDesiredCapacity=False)
    cap.settle()
    members = cap.members()
    assert len(members) == 2 and members[only]["LifecycleState"] == "Standby"
    assert [m["LifecycleState"] for i, m in members.items() if i != only] == ["InService"]
    assert error_of(lambda: cap.asg.exit_standby(AutoScalingGroupName=GROUP, InstanceIds=["i-0123456789abcdef0"])) == (
        "ValidationError",
        f"The instance i-0123456789abcdef0 is not part of Auto Scaling group {GROUP}.",
    )
