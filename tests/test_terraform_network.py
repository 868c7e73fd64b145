"""examples/terraform-network (a VPC with an internet gateway, a routed public subnet and a private
one, a security group, a launch template, an instance from it and an Elastic IP on it) applies,
plans with no changes, and destroys cleanly with Terraform's AWS provider. Skipped, and says so,
without terraform and the provider mirror (see terraform_harness)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Server
from ecs_world import World
from terraform_harness import assert_no_changes, terraform

pytestmark = pytest.mark.terraform


def test_the_network_example_applies_reads_back_unchanged_and_destroys(server: Server, tmp_path: Path) -> None:
    run = terraform("terraform-network", tmp_path, server.url)
    world = World(server)
    run("init")
    run("apply", "-auto-approve")
    filters = [
        {"Name": "tag:Name", "Values": ["from-template"]},
        {"Name": "instance-state-name", "Values": ["running"]},
    ]
    (reservation,) = world.ec2.describe_instances(Filters=filters)["Reservations"]
    (instance,) = reservation["Instances"]
    instance_id = instance["InstanceId"]
    (address,) = world.ec2.describe_addresses(Filters=[{"Name": "instance-id", "Values": [instance_id]}])["Addresses"]
    assert instance["PublicIpAddress"] == address["PublicIp"]
    tags = {t["Key"]: t["Value"] for t in instance["Tags"]}
    assert tags["Name"] == "from-template" and tags["aws:ec2launchtemplate:id"].startswith("lt-")
    assert_no_changes(run)
    run("destroy", "-auto-approve")
    world.settle()
    assert world.ec2.describe_addresses()["Addresses"] == []
    assert world.ec2.describe_launch_templates()["LaunchTemplates"] == []
    assert world.ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["false"]}])["Vpcs"] == []
