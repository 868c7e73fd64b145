"""Terraform's aws_instance, aws_ebs_volume, aws_volume_attachment, aws_vpc_security_group_ingress_rule /
egress_rule and aws_prefix_list in one apply / read back / change / read back / destroy cycle
(tests/data/terraform-ec2; one cycle, not one per subject, because every Terraform command costs
seconds of the provider's CPU):

- what session 8 made trunkline keep: a t3.micro (`burst`) with CPU options, a credit option, a
  resized root volume and a data volume, and tagged rules, one to the S3 prefix list, read back
  with no changes, before and after the other instance changes;
- an instance (`app`) changed in place: a new instance type (the provider stops the instance, calls
  ModifyInstanceAttribute, starts it), IMDSv2 required with a hop limit of 1
  (ModifyInstanceMetadataOptions, then waits for `applied`), another security group
  (ModifyNetworkInterfaceAttribute on the primary ENI), termination protection, the shutdown
  behaviour, detailed monitoring, automatic recovery, a bigger root volume (ModifyVolume, then waits
  on DescribeVolumesModifications), and a data volume that grows; the next plan shows no changes,
  and destroy lifts the protection first, detaches and deletes the data volume;
- a snapshot of the data volume (aws_ebs_snapshot waits for it to complete) and a volume created
  from it (`snapshot_id`): both keep the data volume's first size when it grows, read back with no
  changes, and are gone after destroy.

Skipped, and says so, without terraform and the provider mirror (see terraform_harness)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def test_instances_volumes_and_tagged_rules_read_back_unchanged_before_and_after_changes(
    server: Server, tmp_path: Path
) -> None:
    run = terraform("terraform-ec2", tmp_path, server.url, root=CONFIGURATIONS)
    world = World(server)
    run("init")
    run("apply", "-auto-approve")
    burst = _instance_tagged(world, "burst")
    assert burst["CpuOptions"] == {"CoreCount": 1, "ThreadsPerCore": 1}
    attached = [{"Name": "attachment.instance-id", "Values": [burst["InstanceId"]]}]
    volumes = world.ec2.describe_volumes(Filters=attached)["Volumes"]
    assert sorted((v["Attachments"][0]["Device"], v["Size"]) for v in volumes) == [("/dev/sdf", 10), ("/dev/xvda", 40)]
    rules = world.ec2.describe_security_group_rules(Filters=[{"Name": "tag:Name", "Values": ["s3"]}])
    assert [r["PrefixListId"] for r in rules["SecurityGroupRules"]] == ["pl-63a5400a"]
    instance_id = _instance_tagged(world, "app")["InstanceId"]
    snapshot = _snapshot_of_data_volume(world)
    (restored,) = world.ec2.describe_volumes(Filters=[{"Name": "tag:Name", "Values": ["restored"]}])["Volumes"]
    assert (restored["SnapshotId"], restored["Size"]) == (snapshot["SnapshotId"], 10)
    assert_no_changes(run)

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
    assert _snapshot_of_data_volume(world) == snapshot, "the snapshot keeps the size the volume had"
    assert_no_changes(run, *CHANGED)  # burst, the rules and the snapshot too: the changes left them as they were

    run("destroy", "-auto-approve", *CHANGED)
    world.settle()
    (reservation,) = world.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    assert reservation["Instances"][0]["State"]["Name"] == "terminated"
    assert _instance_tagged(world, "burst")["State"]["Name"] == "terminated"
    assert world.ec2.describe_volumes()["Volumes"] == []
    assert world.ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"] == []


def _snapshot_of_data_volume(world: World) -> dict[str, Any]:
    (volume,) = world.ec2.describe_volumes(Filters=[{"Name": "tag:Name", "Values": ["data"]}])["Volumes"]
    (snapshot,) = world.ec2.describe_snapshots(OwnerIds=["self"], Filters=[{"Name": "tag:Name", "Values": ["data"]}])[
        "Snapshots"
    ]
    assert (snapshot["VolumeId"], snapshot["State"], snapshot["Progress"]) == (volume["VolumeId"], "completed", "100%")
    assert (snapshot["VolumeSize"], snapshot["Description"]) == (10, "data volume")
    return snapshot


def _instance_tagged(world: World, name: str) -> dict[str, Any]:
    (reservation,) = world.ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": [name]}])["Reservations"]
    (instance,) = reservation["Instances"]
    return instance
