"""DetachInstances and AttachInstances with boto3 (and the AWS CLI) on a manual clock: a detached
instance keeps running and stays registered with ECS but loses the group tag (replaced unless the
desired capacity is decremented); an attached one joins the group, raises its desired capacity and
gets the tag; AWS's activities, causes and refusals, and refused requests change nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Server, make_cli
from test_autoscaling import CLUSTER, GROUP, Capacity, error_of

TAG = "aws:autoscaling:groupName"


@pytest.fixture
def cap(spawn: Callable[..., Server]) -> Capacity:
    return Capacity(spawn("--timing", "manual"))


def tags_of(cap: Capacity, instance_id: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in cap.world.instance(instance_id).get("Tags", [])}


def activities(cap: Capacity) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = cap.asg.describe_scaling_activities(AutoScalingGroupName=GROUP)["Activities"]
    return found


def test_detach_with_decrement_keeps_the_instance_running_and_registered(cap: Capacity) -> None:
    cap.create(DesiredCapacity=2)
    cap.settle()
    first, second = sorted(cap.members())
    registered = cap.world.of_instance(CLUSTER, first)["containerInstanceArn"]
    (detaching,) = cap.asg.detach_instances(
        AutoScalingGroupName=GROUP, InstanceIds=[first], ShouldDecrementDesiredCapacity=True
    )["Activities"]
    assert (detaching["Description"], detaching["StatusCode"], detaching["Progress"]) == (
        f"Detaching EC2 instance: {first}",
        "InProgress",
        50,
    )
    assert detaching["Cause"].endswith(
        f"instance {first} was detached in response to a user request, shrinking the capacity from 2 to 1."
    )
    assert json.loads(detaching["Details"])["Availability Zone"] == cap.members()[first]["AvailabilityZone"]
    assert cap.members()[first]["LifecycleState"] == "Detaching" and cap.group()["DesiredCapacity"] == 1
    cap.world.advance(10)  # one reconcile: Detached, the tag gone
    assert cap.members()[first]["LifecycleState"] == "Detached"
    assert TAG not in tags_of(cap, first) and tags_of(cap, first)["team"] == "net"
    cap.settle()
    assert sorted(cap.members()) == [second], "detached and decremented: no replacement"
    assert cap.ec2_state(first) == "running"
    assert cap.world.describe(CLUSTER, registered)["status"] == "ACTIVE", "the container instance stays registered"
    done = next(a for a in activities(cap) if a["ActivityId"] == detaching["ActivityId"])
    assert (done["StatusCode"], done["Progress"]) == ("Successful", 100)
    # Refusals: not a member any more; not InService; below the min size. None changes anything.
    assert error_of(
        lambda: cap.asg.detach_instances(
            AutoScalingGroupName=GROUP, InstanceIds=[first], ShouldDecrementDesiredCapacity=False
        )
    ) == ("ValidationError", f"The instance {first} is not part of Auto Scaling group {GROUP}.")
    assert error_of(
        lambda: cap.asg.detach_instances(
            AutoScalingGroupName=GROUP, InstanceIds=[second], ShouldDecrementDesiredCapacity=True
        )
    ) == (
        "ValidationError",
        f"AutoScalingGroup {GROUP} has min-size=1, max-size=4, and desired-size=1. To detach 1 instance, please "
        "update the AutoScalingGroup sizes appropriately.",
    )
    assert cap.members()[second]["LifecycleState"] == "InService" and cap.group()["DesiredCapacity"] == 1
    assert error_of(
        lambda: cap.asg.detach_instances(
            AutoScalingGroupName=GROUP,
            InstanceIds=[f"i-{n:017x}" for n in range(21)],
            ShouldDecrementDesiredCapacity=False,
        )
    ) == (
        "ValidationError",
        "List exceeds the maximum number of instances to detach. Please retry your request with fewer instances.",
    )


def test_detach_without_decrement_is_replaced(cap: Capacity) -> None:
    cap.create(DesiredCapacity=1)
    cap.settle()
    (only,) = cap.members()
    cap.asg.set_instance_protection(AutoScalingGroupName=GROUP, InstanceIds=[only], ProtectedFromScaleIn=True)
    cap.asg.enter_standby(AutoScalingGroupName=GROUP, InstanceIds=[only], ShouldDecrementDesiredCapacity=False)
    assert error_of(
        lambda: cap.asg.detach_instances(
            AutoScalingGroupName=GROUP, InstanceIds=[only], ShouldDecrementDesiredCapacity=False
        )
    ) == ("ValidationError", f"The instance {only} is not in InService or Standby.")
    cap.settle()  # Standby, and a replacement in service
    (detaching,) = cap.asg.detach_instances(
        AutoScalingGroupName=GROUP, InstanceIds=[only], ShouldDecrementDesiredCapacity=False
    )["Activities"]
    assert detaching["Cause"].endswith(f"instance {only} was detached in response to a user request.")
    cap.settle()
    members = cap.members()
    assert only not in members and len(members) == 1 and cap.group()["DesiredCapacity"] == 1
    assert {m["LifecycleState"] for m in members.values()} == {"InService"}
    assert cap.ec2_state(only) == "running" and TAG not in tags_of(cap, only)


def test_attach_a_running_instance(cap: Capacity) -> None:
    cap.create(DesiredCapacity=1, MaxSize=2)
    cap.settle()
    (launched,) = cap.members()
    outsider = cap.world.launch(cap.subnets[1], profile="ecsInstanceRole")
    other_vpc = cap.world.ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    elsewhere_subnet = cap.world.ec2.create_subnet(
        VpcId=other_vpc, CidrBlock="10.1.1.0/24", AvailabilityZone="us-east-1a"
    )["Subnet"]["SubnetId"]
    elsewhere = cap.world.launch(elsewhere_subnet)
    cap.settle()
    assert error_of(lambda: cap.asg.attach_instances(AutoScalingGroupName=GROUP, InstanceIds=[elsewhere])) == (
        "ValidationError",
        f"The instance {elsewhere} is not in the VPC of the subnets of Auto Scaling group {GROUP}.",
    )
    assert error_of(lambda: cap.asg.attach_instances(AutoScalingGroupName=GROUP, InstanceIds=[launched])) == (
        "ValidationError",
        f"The instance {launched} is already part of Auto Scaling group {GROUP}.",
    )
    assert error_of(
        lambda: cap.asg.attach_instances(AutoScalingGroupName=GROUP, InstanceIds=["i-0123456789abcdef0"])
    ) == ("ValidationError", "Instance Id not found - The instance ID 'i-0123456789abcdef0' does not exist")
    assert (
        error_of(lambda: cap.asg.attach_instances(AutoScalingGroupName=GROUP, InstanceIds=[outsider, elsewhere]))[0]
        == "ValidationError"
    )
    assert cap.group()["DesiredCapacity"] == 1 and TAG not in tags_of(cap, outsider), "refused: nothing changed"

    cap.asg.attach_instances(AutoScalingGroupName=GROUP, InstanceIds=[outsider])
    group = cap.group()
    assert group["DesiredCapacity"] == 2
    member = cap.members()[outsider]
    assert (member["LifecycleState"], member["HealthStatus"], member["AvailabilityZone"]) == (
        "Pending",
        "Healthy",
        "us-east-1b",
    )
    assert "LaunchTemplate" not in member, "launched from no template"
    assert tags_of(cap, outsider)[TAG] == GROUP
    attaching = next(a for a in activities(cap) if a["Description"].endswith(outsider))
    assert attaching["Description"] == f"Attaching an existing EC2 instance: {outsider}"
    assert attaching["Cause"].endswith(
        "an instance was added in response to user request, increasing the capacity from 1 to 2."
    )
    cap.settle()
    members = cap.members()
    assert sorted(members) == sorted([launched, outsider]), "no launch, no scale-in: the attached one counts"
    assert {m["LifecycleState"] for m in members.values()} == {"InService"}
    done = next(a for a in activities(cap) if a["ActivityId"] == attaching["ActivityId"])
    assert done["StatusCode"] == "Successful"
    # Full: MaxSize 2, desired 2.
    another = cap.world.launch(cap.subnets[0])
    cap.settle()
    assert error_of(lambda: cap.asg.attach_instances(AutoScalingGroupName=GROUP, InstanceIds=[another])) == (
        "ValidationError",
        f"AutoScalingGroup {GROUP} has min-size=1, max-size=2, and desired-size=2. To attach 1 instance, please "
        "update the AutoScalingGroup sizes appropriately.",
    )
    assert len(cap.members()) == 2 and TAG not in tags_of(cap, another)
    cap.world.ec2.stop_instances(InstanceIds=[another])
    cap.settle()
    cap.asg.update_auto_scaling_group(AutoScalingGroupName=GROUP, MaxSize=3)
    assert error_of(lambda: cap.asg.attach_instances(AutoScalingGroupName=GROUP, InstanceIds=[another])) == (
        "ValidationError",
        f"The instance {another} is not in running state.",
    )


def test_the_aws_cli_detaches_and_attaches(cap: Capacity, tmp_path: Path) -> None:
    aws = make_cli(cap.world.server.url, tmp_path)
    cap.create(DesiredCapacity=1)
    cap.settle()
    (only,) = cap.members()
    answer = aws(
        "autoscaling",
        "detach-instances",
        "--auto-scaling-group-name",
        GROUP,
        "--instance-ids",
        only,
        "--no-should-decrement-desired-capacity",
    )
    assert answer["Activities"][0]["Description"] == f"Detaching EC2 instance: {only}"
    cap.settle()
    assert only not in cap.members() and len(cap.members()) == 1
    cap.asg.update_auto_scaling_group(AutoScalingGroupName=GROUP, MaxSize=4)
    aws("autoscaling", "attach-instances", "--auto-scaling-group-name", GROUP, "--instance-ids", only)
    cap.settle()
    assert cap.members()[only]["LifecycleState"] == "InService" and cap.group()["DesiredCapacity"] == 2
