"""Issue 11, part 5: Terraform's standard capacity stack (examples/terraform-capacity-provider:
launch template, aws_autoscaling_group, aws_ecs_capacity_provider with managed scaling and
termination protection, aws_ecs_cluster_capacity_providers, and an awsvpc aws_ecs_service with a
capacity provider strategy and wait_for_steady_state) applies (managed scaling brings, from
zero, the two instances the service's 4 untrunked tasks need), plans with no changes, and destroys cleanly,
leaving no instance or ENI behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Server
from ecs_world import World
from terraform_harness import assert_no_changes, terraform

pytestmark = [pytest.mark.terraform, pytest.mark.one_store]


def test_the_capacity_stack_applies_reaches_steady_state_and_destroys(server: Server, tmp_path: Path) -> None:
    run = terraform("terraform-capacity-provider", tmp_path, server.url)
    world = World(server)
    run("init")
    run("apply", "-auto-approve")
    (service,) = world.ecs.describe_services(cluster="trunks", services=["web"])["services"]
    assert service["runningCount"] == 4 and service["capacityProviderStrategy"][0]["capacityProvider"] == "asg"
    asg = server.client("autoscaling")
    (group,) = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["ecs"])["AutoScalingGroups"]
    assert len(group["Instances"]) == 2, "2 untrunked awsvpc tasks per c5.large: 4 tasks need 2 instances"
    assert_no_changes(run)
    run("destroy", "-auto-approve")
    world.settle()
    states = [i["State"]["Name"] for r in world.ec2.describe_instances()["Reservations"] for i in r["Instances"]]
    assert set(states) <= {"terminated"}
    assert world.ec2.describe_network_interfaces()["NetworkInterfaces"] == []
    assert asg.describe_auto_scaling_groups()["AutoScalingGroups"] == []
