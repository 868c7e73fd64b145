"""Auto Scaling's EventBridge events (source `aws.autoscaling`) in trunkline's outbox, read back
through `/_trunkline/events` as any client of the stream reads them: one `EC2 Instance Launch
Successful` per instance a group launched, one `EC2 Instance Terminate Successful` per instance it
terminated, one `EC2 Instance Launch Unsuccessful` per launch EC2 refused, each agreeing with
DescribeScalingActivities (the dashboard re-reads on them)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from conftest import ACCOUNT, Server
from test_autoscaling import GROUP, Capacity


def events_of(server: Server, detail_type: str) -> list[dict[str, Any]]:
    answer = server.get(f"/_trunkline/events?limit=1000&detail-type={quote(detail_type)}")
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["events"]
    return found


def printed(server: Server, detail_type: str) -> list[list[str]]:
    """`trunkline events --detail-type …`, each line split into its columns."""
    command = [sys.executable, "-m", "trunkline", "events", "--endpoint-url", server.url, "--detail-type", detail_type]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [line.split("  ") for line in done.stdout.splitlines()]


def activities_by_id(cap: Capacity) -> dict[str, dict[str, Any]]:
    found = cap.asg.describe_scaling_activities(AutoScalingGroupName=GROUP)["Activities"]
    return {a["ActivityId"]: a for a in found}


def test_launches_and_terminations_send_auto_scaling_events(spawn: Callable[..., Server]) -> None:
    server = spawn("--timing", "manual")
    cap = Capacity(server)
    cap.create()  # desired 2
    cap.settle()
    group_arn = cap.group()["AutoScalingGroupARN"]
    launched = events_of(server, "EC2 Instance Launch Successful")
    members = sorted(cap.members())
    assert sorted(e["detail"]["EC2InstanceId"] for e in launched) == members
    activities = activities_by_id(cap)
    for event in launched:
        detail = event["detail"]
        instance_id = detail["EC2InstanceId"]
        assert (event["source"], event["account"], event["region"]) == ("aws.autoscaling", ACCOUNT, "us-east-1")
        assert event["resources"] == [group_arn, f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/{instance_id}"]
        activity = activities[detail["ActivityId"]]
        assert activity["StatusCode"] == "Successful"
        assert detail["StatusCode"] == "InProgress"  # as AWS's documented example shows it
        assert (detail["Description"], detail["Cause"]) == (activity["Description"], activity["Cause"])
        assert detail["Description"] == f"Launching a new EC2 instance: {instance_id}"
        assert detail["AutoScalingGroupName"] == GROUP and detail["StatusMessage"] == ""
        assert set(detail["Details"]) == {"Subnet ID", "Availability Zone"}
        assert detail["StartTime"].endswith("Z") and detail["EndTime"] >= detail["StartTime"]
    assert events_of(server, "EC2 Instance Terminate Successful") == []
    lines = printed(server, "EC2 Instance Launch Successful")
    assert sorted(line[2:] for line in lines) == [[f"autoScalingGroup/{GROUP}/{i}", "InProgress"] for i in members]

    cap.asg.set_desired_capacity(AutoScalingGroupName=GROUP, DesiredCapacity=1)
    cap.settle()
    (terminated,) = events_of(server, "EC2 Instance Terminate Successful")
    (gone,) = set(members) - set(cap.members())
    assert terminated["detail"]["EC2InstanceId"] == gone
    assert terminated["detail"]["Description"] == f"Terminating EC2 instance: {gone}"
    assert activities_by_id(cap)[terminated["detail"]["ActivityId"]]["StatusCode"] == "Successful"
    assert len(events_of(server, "EC2 Instance Launch Successful")) == 2


def test_a_launch_ec2_refuses_sends_launch_unsuccessful(spawn: Callable[..., Server]) -> None:
    """A vCPU quota of 2 holds one c5.large (2 vCPUs): the second launch fails."""
    server = spawn("--timing", "manual", "--vcpu-quota", "2")
    cap = Capacity(server)
    cap.create()  # desired 2
    cap.world.advance(15)
    failed = events_of(server, "EC2 Instance Launch Unsuccessful")
    assert failed, "the second launch must fail under the quota"
    activities = activities_by_id(cap)
    for event in failed:
        detail = event["detail"]
        activity = activities[detail["ActivityId"]]
        assert activity["StatusCode"] == detail["StatusCode"] == "Failed"
        assert detail["StatusMessage"] == activity["StatusMessage"] and "vCPU" in detail["StatusMessage"]
        assert detail["EC2InstanceId"] == "" and event["resources"] == [cap.group()["AutoScalingGroupARN"]]
        assert "Description" not in detail  # as AWS's documented example
    line = printed(server, "EC2 Instance Launch Unsuccessful")[0]
    assert line[2:4] == [f"autoScalingGroup/{GROUP}", "Failed"] and "vCPU" in line[4]
