"""Issue 10's acceptance: the standard ECS-on-EC2 stack (examples/terraform-ecs-stack: IAM role
with managed and inline policies and an instance profile, VPC with internet gateway, route table
and two subnets, security group, Elastic IP, launch template, an instance from it, log group,
tagged cluster with a setting, awsvpc task definition logging with awslogs) applies, plans with
no changes, and destroys cleanly, leaving no instance or ENI behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Server
from ecs_world import World
from terraform_harness import assert_no_changes, terraform

pytestmark = pytest.mark.terraform


def test_the_ecs_stack_applies_reads_back_unchanged_and_destroys(server: Server, tmp_path: Path) -> None:
    run = terraform("terraform-ecs-stack", tmp_path, server.url)
    world = World(server)
    run("init")
    run("apply", "-auto-approve")
    instance_id = run("output", "-raw", "instance_id").stdout.strip()
    world.settle()
    registered = world.ecs.list_container_instances(cluster="trunks")["containerInstanceArns"]
    assert len(registered) == 1, "the instance from the launch template registers with ECS"
    (instance,) = world.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"]
    (address,) = world.ec2.describe_addresses()["Addresses"]
    assert instance["PublicIpAddress"] == address["PublicIp"] and address["InstanceId"] == instance_id
    assert_no_changes(run)
    run("destroy", "-auto-approve")
    world.settle()
    states = [i["State"]["Name"] for r in world.ec2.describe_instances()["Reservations"] for i in r["Instances"]]
    assert set(states) <= {"terminated"}
    assert world.ec2.describe_network_interfaces()["NetworkInterfaces"] == []
    assert world.ec2.describe_addresses()["Addresses"] == []
    assert [
        r["RoleName"] for r in world.iam.list_roles()["Roles"] if not r["Path"].startswith("/aws-service-role/")
    ] == []
