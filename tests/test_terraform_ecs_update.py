"""Session 7's Terraform trial as a regression test (examples/terraform-ecs-update): a stack written
from the provider's docs applies, plans with no changes, takes a second apply that changes the
provider's default_tags, the service's desired count and the capacity provider's target capacity
(tags updated on an instance profile and a capacity provider, the group's declared AmazonECSManaged
tag kept), plans with no changes again, and destroys cleanly. The faults it found are also covered
by boto3 in tests/test_terraform_trial_fidelity.py and tests/test_capacity_providers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Server
from ecs_world import World
from terraform_harness import assert_no_changes, terraform

pytestmark = [pytest.mark.terraform, pytest.mark.one_store]

CHANGED = ("-var=desired_count=5", "-var=target_capacity=70", "-var=env_tag=staging")


def test_the_stack_applies_changes_and_destroys_without_drift(server: Server, tmp_path: Path) -> None:
    run = terraform("terraform-ecs-update", tmp_path, server.url)
    world = World(server)
    asg = server.client("autoscaling")
    iam = server.client("iam")
    run("init")
    run("apply", "-auto-approve")
    managed = asg.describe_tags(Filters=[{"Name": "key", "Values": ["AmazonECSManaged"]}])["Tags"]
    assert [t["Value"] for t in managed] == ["true"], "ECS keeps the tag the group declares"
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
    assert_no_changes(run, *CHANGED)

    run("destroy", "-auto-approve", *CHANGED)
    world.settle()
    states = [i["State"]["Name"] for r in world.ec2.describe_instances()["Reservations"] for i in r["Instances"]]
    assert set(states) <= {"terminated"}
    assert world.ec2.describe_network_interfaces()["NetworkInterfaces"] == []
    assert asg.describe_auto_scaling_groups()["AutoScalingGroups"] == []
    assert iam.list_instance_profiles()["InstanceProfiles"] == []
