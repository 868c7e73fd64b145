"""EBS volumes made and moved by hand (session 8): CreateVolume (creating, then available on the
clock), AttachVolume (attaching, then attached; shown in the instance's BlockDeviceMappings),
DetachVolume (detaching, then available) and DeleteVolume, with EC2's refusals, as Terraform's
aws_ebs_volume and aws_volume_attachment use them."""

from __future__ import annotations

from typing import Any

import pytest

import ec2_world
from conftest import CliError
from ec2_world import digest, error_of, network, settle


@pytest.fixture
def net(ec2: Any) -> dict[str, str]:
    return network(ec2)


def _volume(ec2: Any, volume_id: str) -> dict[str, Any]:
    found: dict[str, Any] = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]
    return found


def _mappings(ec2: Any, instance_id: str) -> dict[str, Any]:
    instance = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    return {m["DeviceName"]: m["Ebs"] for m in instance["BlockDeviceMappings"]}


def test_a_volume_is_created_attached_detached_and_deleted(spawn):
    server = spawn("--timing", "manual")
    ec2 = server.client("ec2")
    net = network(ec2)
    instance_id = ec2_world.launch(server.client, net["subnet"])
    server.post("/_trunkline/clock/advance", json={"seconds": 20}).raise_for_status()
    created = ec2.create_volume(
        AvailabilityZone="us-east-1a",
        Size=20,
        VolumeType="gp3",
        TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "data"}]}],
    )
    volume_id = created["VolumeId"]
    assert (created["State"], created["Size"], created["Iops"], created["Throughput"]) == ("creating", 20, 3000, 125)
    assert created["Tags"] == [{"Key": "Name", "Value": "data"}] and created["Attachments"] == []
    assert error_of(ec2.attach_volume, VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")[:2] == (
        "IncorrectState",
        f"Volume '{volume_id}' is in the 'creating' state.",
    )
    server.post("/_trunkline/clock/advance", json={"seconds": 8}).raise_for_status()
    assert _volume(ec2, volume_id)["State"] == "available"
    attached = ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
    assert (attached["State"], attached["Device"], attached["InstanceId"]) == ("attaching", "/dev/sdf", instance_id)
    assert _volume(ec2, volume_id)["State"] == "in-use"
    assert _mappings(ec2, instance_id)["/dev/sdf"]["Status"] == "attaching"
    server.post("/_trunkline/clock/advance", json={"seconds": 3}).raise_for_status()
    (attachment,) = _volume(ec2, volume_id)["Attachments"]
    assert (attachment["State"], attachment["DeleteOnTermination"]) == ("attached", False)
    assert _mappings(ec2, instance_id)["/dev/sdf"] == {**_mappings(ec2, instance_id)["/dev/sdf"], "Status": "attached"}
    assert error_of(ec2.delete_volume, VolumeId=volume_id)[:2] == (
        "VolumeInUse",
        f"Volume {volume_id} is currently attached to {instance_id}",
    )
    detached = ec2.detach_volume(VolumeId=volume_id)
    assert detached["State"] == "detaching"
    server.post("/_trunkline/clock/advance", json={"seconds": 3}).raise_for_status()
    volume = _volume(ec2, volume_id)
    assert (volume["State"], volume["Attachments"]) == ("available", [])
    assert "/dev/sdf" not in _mappings(ec2, instance_id)
    assert error_of(ec2.detach_volume, VolumeId=volume_id)[:2] == (
        "IncorrectState",
        f"Volume '{volume_id}' is in the 'available' state.",
    )
    ec2.delete_volume(VolumeId=volume_id)
    assert error_of(ec2.describe_volumes, VolumeIds=[volume_id])[:2] == (
        "InvalidVolume.NotFound",
        f"The volume '{volume_id}' does not exist.",
    )


def test_boto3_waiters_see_the_volume_through(server, ec2, net):
    instance_id = ec2_world.launch(server.client, net["subnet"])
    volume_id = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
    ec2.get_waiter("volume_available").wait(VolumeIds=[volume_id], WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    ec2.get_waiter("instance_running").wait(InstanceIds=[instance_id], WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdh")
    ec2.get_waiter("volume_in_use").wait(VolumeIds=[volume_id], WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    settle(server)
    assert _volume(ec2, volume_id)["Attachments"][0]["State"] == "attached"
    # a volume attached after launch is kept when the instance terminates
    ec2.terminate_instances(InstanceIds=[instance_id])
    settle(server)
    assert _volume(ec2, volume_id)["State"] == "available"
    ec2.delete_volume(VolumeId=volume_id)
    ec2.get_waiter("volume_deleted").wait(VolumeIds=[volume_id], WaiterConfig={"Delay": 1, "MaxAttempts": 5})


def test_create_volume_is_checked(server, ec2):
    before = digest(server)
    assert error_of(ec2.create_volume, AvailabilityZone="us-east-1a")[:2] == (
        "MissingParameter",
        "The request must contain the parameter size or snapshotId",
    )
    assert error_of(ec2.create_volume, AvailabilityZone="us-east-1z", Size=8)[:2] == (
        "InvalidParameterValue",
        "Invalid availability zone: [us-east-1z]",
    )
    assert error_of(ec2.create_volume, AvailabilityZone="us-east-1a", Size=8, VolumeType="gp2", Iops=500)[:2] == (
        "InvalidParameterCombination",
        "The parameter iops is not supported for gp2 volumes.",
    )
    assert error_of(ec2.create_volume, AvailabilityZone="us-east-1a", Size=8, VolumeType="io2")[0] == (
        "InvalidParameterCombination"
    )
    assert error_of(ec2.create_volume, AvailabilityZone="us-east-1a", SnapshotId="snap-0123456789abcdef0")[:2] == (
        "InvalidSnapshot.NotFound",
        "The snapshot 'snap-0123456789abcdef0' does not exist.",
    )
    assert digest(server) == before


def test_attach_volume_is_checked(server, ec2, net):
    instance_id = ec2_world.launch(server.client, net["subnet"])
    other = ec2_world.launch(server.client, net["subnet"])
    elsewhere = ec2.create_volume(AvailabilityZone="us-east-1b", Size=8)["VolumeId"]
    volume_id = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
    settle(server)
    root = _volume_root(ec2, instance_id)
    before = digest(server)
    assert error_of(ec2.attach_volume, VolumeId=elsewhere, InstanceId=instance_id, Device="/dev/sdf")[:2] == (
        "InvalidVolume.ZoneMismatch",
        f"The volume '{elsewhere}' is not in the same availability zone as instance '{instance_id}'",
    )
    assert error_of(ec2.attach_volume, VolumeId=volume_id, InstanceId=instance_id, Device="/dev/xvda")[:2] == (
        "InvalidParameterValue",
        "Invalid value '/dev/xvda' for unixDevice. Attachment point /dev/xvda is already in use",
    )
    assert error_of(ec2.attach_volume, VolumeId=root, InstanceId=other, Device="/dev/sdf")[:2] == (
        "VolumeInUse",
        f"{root} is already attached to an instance",
    )
    assert error_of(ec2.detach_volume, VolumeId=root)[:2] == (
        "IncorrectState",
        f"Unable to detach root volume '{root}' from instance '{instance_id}'",
    )
    assert error_of(ec2.detach_volume, VolumeId=root, InstanceId=other)[0] == "InvalidAttachment.NotFound"
    assert digest(server) == before


def _volume_root(ec2: Any, instance_id: str) -> str:
    return str(_mappings(ec2, instance_id)["/dev/xvda"]["VolumeId"])


def test_volumes_with_the_cli(server, ec2, net, cli):
    instance_id = ec2_world.launch(server.client, net["subnet"])
    created = cli("ec2", "create-volume", "--availability-zone", "us-east-1a", "--size", "16", "--volume-type", "gp3")
    volume_id = created["VolumeId"]
    assert created["State"] == "creating"
    cli("ec2", "wait", "volume-available", "--volume-ids", volume_id)
    cli("ec2", "wait", "instance-running", "--instance-ids", instance_id)
    attached = cli(
        "ec2", "attach-volume", "--volume-id", volume_id, "--instance-id", instance_id, "--device", "/dev/sdg"
    )
    assert attached["State"] == "attaching"
    cli("ec2", "wait", "volume-in-use", "--volume-ids", volume_id)
    with pytest.raises(CliError) as caught:
        cli("ec2", "delete-volume", "--volume-id", volume_id)
    assert f"(VolumeInUse) when calling the DeleteVolume operation: Volume {volume_id} is currently attached" in (
        caught.value.stderr
    )
    assert cli("ec2", "detach-volume", "--volume-id", volume_id)["State"] == "detaching"
    cli("ec2", "wait", "volume-available", "--volume-ids", volume_id)
    cli("ec2", "delete-volume", "--volume-id", volume_id)
    cli("ec2", "wait", "volume-deleted", "--volume-ids", volume_id)


# --- ModifyVolume and DescribeVolumesModifications ---------------------------------------------------


def test_a_volume_grows_through_modifying_and_optimizing(spawn):
    server = spawn("--timing", "manual")
    ec2 = server.client("ec2")
    instance_id = ec2_world.launch(server.client, network(ec2)["subnet"])
    server.post("/_trunkline/clock/advance", json={"seconds": 20}).raise_for_status()
    root = _mappings(ec2, instance_id)["/dev/xvda"]["VolumeId"]
    before = _volume(ec2, root)
    assert error_of(ec2.describe_volumes_modifications, VolumeIds=[root])[:2] == (
        "InvalidVolumeModification.NotFound",
        f"Modification for volume '{root}' does not exist.",
    )
    answer = ec2.modify_volume(VolumeId=root, Size=before["Size"] + 10, VolumeType="gp3")["VolumeModification"]
    assert answer["ModificationState"] == "modifying" and answer["Progress"] == 0
    assert (answer["OriginalSize"], answer["OriginalVolumeType"]) == (before["Size"], before["VolumeType"])
    assert (answer["TargetSize"], answer["TargetVolumeType"], answer["TargetIops"], answer["TargetThroughput"]) == (
        before["Size"] + 10,
        "gp3",
        3000,
        125,
    )
    assert _volume(ec2, root)["Size"] == before["Size"]  # not yet
    server.post("/_trunkline/clock/advance", json={"seconds": 10}).raise_for_status()
    (shown,) = ec2.describe_volumes_modifications(VolumeIds=[root])["VolumesModifications"]
    assert shown["ModificationState"] == "optimizing"
    volume = _volume(ec2, root)
    assert (volume["Size"], volume["VolumeType"], volume["Throughput"]) == (before["Size"] + 10, "gp3", 125)
    server.post("/_trunkline/clock/advance", json={"seconds": 30}).raise_for_status()
    (shown,) = ec2.describe_volumes_modifications(Filters=[{"Name": "modification-state", "Values": ["completed"]}])[
        "VolumesModifications"
    ]
    assert (shown["VolumeId"], shown["Progress"]) == (root, 100) and "EndTime" in shown
    assert error_of(ec2.modify_volume, VolumeId=root, Size=before["Size"] + 20)[:2] == (
        "VolumeModificationRateExceeded",
        "You've reached the maximum modification rate per volume limit. Wait at least 6 hours between "
        "modifications per EBS volume.",
    )


def test_modify_volume_is_checked(server, ec2):
    volume_id = ec2.create_volume(AvailabilityZone="us-east-1a", Size=20, VolumeType="gp3")["VolumeId"]
    settle(server)
    before = digest(server)
    assert error_of(ec2.modify_volume, VolumeId=volume_id, Size=10)[:2] == (
        "InvalidParameterValue",
        f"New size cannot be smaller than existing size. Volume '{volume_id}' is 20GiB.",
    )
    assert error_of(ec2.modify_volume, VolumeId=volume_id, Size=20)[0] == "InvalidParameterCombination"
    assert error_of(ec2.modify_volume, VolumeId=volume_id, VolumeType="gp2", Iops=4000)[:2] == (
        "InvalidParameterCombination",
        "The parameter iops is not supported for gp2 volumes.",
    )
    assert error_of(ec2.modify_volume, VolumeId="vol-0123456789abcdef0", Size=30)[0] == "InvalidVolume.NotFound"
    assert digest(server) == before


def test_modify_volume_with_the_cli(server, ec2, cli):
    volume_id = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
    settle(server)
    answer = cli("ec2", "modify-volume", "--volume-id", volume_id, "--size", "12")
    assert answer["VolumeModification"]["ModificationState"] == "modifying"
    settle(server)
    shown = cli(
        "ec2", "describe-volumes-modifications", "--volume-ids", volume_id,
        "--query", "VolumesModifications[0].[ModificationState,TargetSize]",
    )  # fmt: skip
    assert shown == ["completed", 12]
