"""Session 7's Terraform trial as a regression test (examples/terraform-ecs-update): a stack written
from the provider's docs applies, plans with no changes, takes a second apply that changes the
provider's default_tags, the service's desired count and the capacity provider's target capacity
(tags updated on an instance profile and a capacity provider, the group's declared AmazonECSManaged
tag kept), plans with no changes again, and destroys cleanly. The faults it found are also covered
by boto3 in tests/test_terraform_trial_fidelity.py and tests/test_capacity_providers.py.

The Auto Scaling group also collects metrics and has processes suspended from the start; the change
swaps one metric and one process (Enable/DisableMetricsCollection, Suspend/ResumeProcesses), and its
tag change starts the group's instance refresh (Rolling, 50 % healthy, no warm-up, protected
instances refreshed), which replaces every instance the group had. The group acts through a
service-linked role of its own (aws_iam_service_linked_role with a custom suffix), which destroy
deletes once the group is gone."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import ACCOUNT, Server
from ecs_world import World
from terraform_harness import assert_no_changes, terraform

pytestmark = [pytest.mark.terraform, pytest.mark.one_store]

LINKED_ROLE = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_upd"
METRICS = ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupMaxSize"]
CHANGED_METRICS = ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupTotalInstances"]
CHANGED = (
    "-var=desired_count=5",
    "-var=target_capacity=70",
    "-var=env_tag=staging",
    f"-var=enabled_metrics={json.dumps(CHANGED_METRICS)}",
    '-var=suspended_processes=["AZRebalance", "ScheduledActions"]',
)


def test_the_stack_applies_changes_and_destroys_without_drift(server: Server, tmp_path: Path) -> None:
    run = terraform("terraform-ecs-update", tmp_path, server.url)
    world = World(server)
    asg = server.client("autoscaling")
    iam = server.client("iam")
    run("init")
    run("apply", "-auto-approve")
    managed = asg.describe_tags(Filters=[{"Name": "key", "Values": ["AmazonECSManaged"]}])["Tags"]
    assert [t["Value"] for t in managed] == ["true"], "ECS keeps the tag the group declares"
    group = _group(asg)
    assert group["ServiceLinkedRoleARN"] == LINKED_ROLE
    linked = iam.get_role(RoleName="AWSServiceRoleForAutoScaling_upd")["Role"]
    assert (linked["Arn"], linked["Path"]) == (LINKED_ROLE, "/aws-service-role/autoscaling.amazonaws.com/")
    assert _metrics_and_processes(group) == (METRICS, ["AZRebalance", "ReplaceUnhealthy"])
    first_instances = {i["InstanceId"] for i in group["Instances"]}
    assert first_instances and all(i["ProtectedFromScaleIn"] for i in group["Instances"])
    assert_no_changes(run)

    run("apply", "-auto-approve", *CHANGED)
    (service,) = world.ecs.describe_services(cluster="ecs-update", services=["upd-app"])["services"]
    assert (service["desiredCount"], service["runningCount"]) == (5, 5)
    (provider,) = world.ecs.describe_capacity_providers(capacityProviders=["upd-asg"], include=["TAGS"])[
        "capacityProviders"
    ]
    assert provider["autoScalingGroupProvider"]["managedScaling"]["targetCapacity"] == 70
    assert {"key": "Env", "value": "staging"} in provider["tags"]
    (profile,) = iam.list_instance_profiles()["InstanceProfiles"]
    tags = iam.list_instance_profile_tags(InstanceProfileName=profile["InstanceProfileName"])["Tags"]
    assert {"Key": "Env", "Value": "staging"} in tags
    assert _metrics_and_processes(_group(asg)) == (CHANGED_METRICS, ["AZRebalance", "ScheduledActions"])
    refresh = _finished_refresh(asg, _group(asg)["AutoScalingGroupName"])
    assert (refresh["Status"], refresh["PercentageComplete"]) == ("Successful", 100)
    preferences = refresh["Preferences"]
    assert (preferences["MinHealthyPercentage"], preferences["InstanceWarmup"]) == (50, 0)
    assert preferences["ScaleInProtectedInstances"] == "Refresh"
    world.settle()
    assert first_instances.isdisjoint(i["InstanceId"] for i in _group(asg)["Instances"]), "all replaced"
    assert_no_changes(run, *CHANGED)

    run("destroy", "-auto-approve", *CHANGED)
    world.settle()
    states = [i["State"]["Name"] for r in world.ec2.describe_instances()["Reservations"] for i in r["Instances"]]
    assert set(states) <= {"terminated"}
    assert world.ec2.describe_network_interfaces()["NetworkInterfaces"] == []
    assert asg.describe_auto_scaling_groups()["AutoScalingGroups"] == []
    assert iam.list_instance_profiles()["InstanceProfiles"] == []
    assert iam.list_roles(PathPrefix="/aws-service-role/autoscaling.amazonaws.com/")["Roles"] == []


def _group(asg: Any) -> dict[str, Any]:
    (group,) = asg.describe_auto_scaling_groups()["AutoScalingGroups"]
    return dict(group)


def _metrics_and_processes(group: dict[str, Any]) -> tuple[list[str], list[str]]:
    assert {m["Granularity"] for m in group["EnabledMetrics"]} == {"1Minute"}
    metrics = sorted(m["Metric"] for m in group["EnabledMetrics"])
    return metrics, sorted(p["ProcessName"] for p in group["SuspendedProcesses"])


def _finished_refresh(asg: Any, name: str) -> dict[str, Any]:
    """The group's one instance refresh once it has ended (the provider starts it, waits for nothing)."""
    for _ in range(240):
        (refresh,) = asg.describe_instance_refreshes(AutoScalingGroupName=name)["InstanceRefreshes"]
        if refresh["Status"] not in ("Pending", "InProgress", "Cancelling"):
            return dict(refresh)
        time.sleep(0.25)
    raise AssertionError(f"the instance refresh did not end: {refresh}")
