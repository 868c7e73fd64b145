"""Terraform's aws_instance changed in place (tests/data/terraform-ec2-changes): a new instance type
(the provider stops the instance, calls ModifyInstanceAttribute, starts it), IMDSv2 required with a
hop limit of 1 (ModifyInstanceMetadataOptions, then waits for `applied`), another security group
(ModifyNetworkInterfaceAttribute on the primary ENI), termination protection, the shutdown
behaviour, detailed monitoring, automatic recovery, a bigger root volume (ModifyVolume, then waits
on DescribeVolumesModifications), and a data volume (aws_ebs_volume, aws_volume_attachment) that
grows; the next plan shows no changes, and destroy lifts the protection first, detaches and deletes
the data volume. Skipped, and says so, without terraform and the provider mirror (see
terraform_harness)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Server
from ecs_world import World
from terraform_harness import assert_no_changes, terraform

pytestmark = pytest.mark.terraform

CONFIGURATIONS = Path(__file__).parent / "data"
CHANGED = (
    "-var", "instance_type=m5.large", "-var", "http_tokens=required", "-var", "hop_limit=1",
    "-var", "group=b", "-var", "protected=true", "-var", "shutdown=terminate", "-var", "root_size=40",
    "-var", "data_size=20", "-var", "monitored=true", "-var", "auto_recovery=disabled",
)  # fmt: skip


def test_an_instance_changed_in_place_reads_back_unchanged(server: Server, tmp_path: Path) -> None:
    run = terraform("terraform-ec2-changes", tmp_path, server.url, root=CONFIGURATIONS)
    world = World(server)
    run("init")
    run("apply", "-auto-approve")
    (reservation,) = world.ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["app"]}])["Reservations"]
    instance_id = reservation["Instances"][0]["InstanceId"]
    run("apply", "-auto-approve", *CHANGED)
    (reservation,) = world.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    (instance,) = reservation["Instances"]  # changed in place: the same instance
    assert (instance["InstanceType"], instance["State"]["Name"]) == ("m5.large", "running")
    options = instance["MetadataOptions"]
    assert (options["HttpTokens"], options["HttpPutResponseHopLimit"], options["State"]) == ("required", 1, "applied")
    assert [g["GroupName"] for g in instance["SecurityGroups"]] == ["b"]
    assert instance["Monitoring"] == {"State": "enabled"}
    assert instance["MaintenanceOptions"]["AutoRecovery"] == "disabled"
    protection = world.ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="disableApiTermination")
    assert protection["DisableApiTermination"] == {"Value": True}
    devices = {m["DeviceName"]: m["Ebs"]["VolumeId"] for m in instance["BlockDeviceMappings"]}
    found = world.ec2.describe_volumes(VolumeIds=[devices["/dev/xvda"], devices["/dev/sdf"]])["Volumes"]
    sizes = {v["Attachments"][0]["Device"]: v["Size"] for v in found}
    assert sizes == {"/dev/xvda": 40, "/dev/sdf": 20}
    assert_no_changes(run, *CHANGED)
    run("destroy", "-auto-approve", *CHANGED)
    world.settle()
    (reservation,) = world.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    assert reservation["Instances"][0]["State"]["Name"] == "terminated"
    assert world.ec2.describe_volumes()["Volumes"] == []
