"""Terraform's aws_instance, aws_vpc_security_group_ingress_rule / egress_rule and aws_prefix_list
against what session 8 made trunkline keep (tests/data/terraform-ec2-fidelity): a t3.micro with CPU
options, a credit option, a resized root volume and a data volume, and tagged rules, one to the S3
prefix list, apply, read back with no changes, and destroy. Skipped, and says so, without terraform
and the provider mirror (see terraform_harness)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Server
from ecs_world import World
from terraform_harness import assert_no_changes, terraform

pytestmark = pytest.mark.terraform

CONFIGURATIONS = Path(__file__).parent / "data"


def test_a_burstable_instance_with_volumes_and_tagged_rules_reads_back_unchanged(
    server: Server, tmp_path: Path
) -> None:
    run = terraform("terraform-ec2-fidelity", tmp_path, server.url, root=CONFIGURATIONS)
    world = World(server)
    run("init")
    run("apply", "-auto-approve")
    (reservation,) = world.ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["burst"]}])["Reservations"]
    (instance,) = reservation["Instances"]
    assert instance["CpuOptions"] == {"CoreCount": 1, "ThreadsPerCore": 1}
    volumes = world.ec2.describe_volumes(
        Filters=[{"Name": "attachment.instance-id", "Values": [instance["InstanceId"]]}]
    )["Volumes"]
    assert sorted((v["Attachments"][0]["Device"], v["Size"]) for v in volumes) == [("/dev/sdf", 10), ("/dev/xvda", 40)]
    rules = world.ec2.describe_security_group_rules(Filters=[{"Name": "tag:Name", "Values": ["s3"]}])
    assert [r["PrefixListId"] for r in rules["SecurityGroupRules"]] == ["pl-63a5400a"]
    assert_no_changes(run)
    run("destroy", "-auto-approve")
    world.settle()
    assert world.ec2.describe_volumes()["Volumes"] == []
