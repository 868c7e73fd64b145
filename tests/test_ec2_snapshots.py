"""EBS snapshots as Terraform's aws_ebs_snapshot and the AWS CLI use them (session 9):
CreateSnapshot (pending, then completed on trunkline's clock), DescribeSnapshots (ids, OwnerIds,
filters, pages), DeleteSnapshot, tags by TagSpecifications and CreateTags, and a volume made from a
snapshot, with EC2's refusals."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import ACCOUNT
from ec2_world import digest, error_of, settle

STEP = 60  # the ec2.snapshot.create step, realistic and manual timing


def _volume(server: Any, ec2: Any, size: int = 8) -> str:
    volume_id = str(ec2.create_volume(AvailabilityZone="us-east-1a", Size=size, VolumeType="gp3")["VolumeId"])
    settle(server)
    return volume_id


def _snapshot(ec2: Any, snapshot_id: str) -> dict[str, Any]:
    (found,) = ec2.describe_snapshots(SnapshotIds=[snapshot_id])["Snapshots"]
    return dict(found)


def _advance(server: Any, seconds: float) -> None:
    server.post("/_trunkline/clock/advance", json={"seconds": seconds}).raise_for_status()


def test_a_snapshot_is_pending_then_completed_on_the_clock(spawn):
    server = spawn("--timing", "manual")
    ec2 = server.client("ec2")
    volume_id = str(ec2.create_volume(AvailabilityZone="us-east-1a", Size=12)["VolumeId"])
    _advance(server, 8)
    created = ec2.create_snapshot(
        VolumeId=volume_id,
        Description="nightly",
        TagSpecifications=[{"ResourceType": "snapshot", "Tags": [{"Key": "Name", "Value": "db"}]}],
    )
    snapshot_id = created["SnapshotId"]
    assert snapshot_id.startswith("snap-") and len(snapshot_id) == 22
    assert {k: created[k] for k in ("VolumeId", "VolumeSize", "State", "OwnerId", "Description", "Encrypted")} == {
        "VolumeId": volume_id,
        "VolumeSize": 12,
        "State": "pending",
        "OwnerId": ACCOUNT,
        "Description": "nightly",
        "Encrypted": False,
    }
    assert created["Tags"] == [{"Key": "Name", "Value": "db"}] and "Progress" not in created
    pending = _snapshot(ec2, snapshot_id)
    assert (pending["State"], pending["Progress"], pending["StorageTier"]) == ("pending", "0%", "standard")
    assert pending["StartTime"] == created["StartTime"] and "CompletionTime" not in pending
    _advance(server, STEP - 1)
    assert _snapshot(ec2, snapshot_id)["State"] == "pending"
    _advance(server, 1)
    completed = _snapshot(ec2, snapshot_id)
    assert (completed["State"], completed["Progress"]) == ("completed", "100%")
    assert (completed["CompletionTime"] - completed["StartTime"]).total_seconds() == STEP
    # what Terraform's aws_ebs_snapshot and `aws ec2 wait snapshot-completed` poll for
    ec2.get_waiter("snapshot_completed").wait(SnapshotIds=[snapshot_id])


def test_describe_snapshots_by_owner_filter_and_page(server, ec2):
    volume_id, other_volume = _volume(server, ec2), _volume(server, ec2, 20)
    made = [ec2.create_snapshot(VolumeId=volume_id, Description=f"n{i}")["SnapshotId"] for i in range(6)]
    tagged = ec2.create_snapshot(VolumeId=other_volume)["SnapshotId"]
    ec2.create_tags(Resources=[tagged], Tags=[{"Key": "team", "Value": "data"}])
    settle(server)
    everything = sorted([*made, tagged])

    def listed(**params: Any) -> list[str]:
        return sorted(s["SnapshotId"] for s in ec2.describe_snapshots(**params)["Snapshots"])

    assert listed() == everything
    assert listed(OwnerIds=["self"]) == listed(OwnerIds=[ACCOUNT]) == everything
    assert listed(OwnerIds=["amazon"]) == listed(OwnerIds=["210987654321"]) == []
    assert listed(RestorableByUserIds=["self"]) == everything and listed(RestorableByUserIds=["all"]) == []
    assert listed(Filters=[{"Name": "volume-id", "Values": [other_volume]}]) == [tagged]
    assert listed(Filters=[{"Name": "tag:team", "Values": ["data"]}]) == [tagged]
    assert listed(Filters=[{"Name": "volume-size", "Values": ["20"]}]) == [tagged]
    assert listed(Filters=[{"Name": "description", "Values": ["n1", "n2"]}]) == sorted(made[1:3])
    assert listed(Filters=[{"Name": "status", "Values": ["completed"]}]) == everything
    assert listed(Filters=[{"Name": "status", "Values": ["pending"]}]) == []
    first = ec2.describe_snapshots(OwnerIds=["self"], MaxResults=5)
    second = ec2.describe_snapshots(OwnerIds=["self"], MaxResults=5, NextToken=first["NextToken"])
    assert [s["SnapshotId"] for s in first["Snapshots"] + second["Snapshots"]] == everything
    assert "NextToken" not in second
    pages = ec2.get_paginator("describe_snapshots").paginate(OwnerIds=["self"], PaginationConfig={"PageSize": 5})
    assert [s["SnapshotId"] for page in pages for s in page["Snapshots"]] == everything
    (shown,) = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["snapshot"]}])["Tags"]
    assert shown == {"Key": "team", "Value": "data", "ResourceId": tagged, "ResourceType": "snapshot"}


def test_snapshot_refusals(server, ec2):
    volume_id = _volume(server, ec2)
    snapshot_id = ec2.create_snapshot(VolumeId=volume_id)["SnapshotId"]
    settle(server)
    before = digest(server)
    missing_volume, missing = "vol-0123456789abcdef0", "snap-0123456789abcdef0"
    assert error_of(ec2.create_snapshot, VolumeId=missing_volume) == (
        "InvalidVolume.NotFound",
        f"The volume '{missing_volume}' does not exist.",
        400,
    )
    wrong_type = [{"ResourceType": "volume", "Tags": [{"Key": "k", "Value": "v"}]}]
    assert error_of(ec2.create_snapshot, VolumeId=volume_id, TagSpecifications=wrong_type) == (
        "InvalidParameterValue",
        "'volume' is not a valid taggable resource type for this operation.",
        400,
    )
    not_found = ("InvalidSnapshot.NotFound", f"The snapshot '{missing}' does not exist.", 400)
    assert error_of(ec2.describe_snapshots, SnapshotIds=[snapshot_id, missing]) == not_found
    assert error_of(ec2.delete_snapshot, SnapshotId=missing) == not_found
    assert error_of(ec2.delete_snapshot, SnapshotId="snap-nope") == (
        "InvalidSnapshotID.Malformed",
        'Invalid id: "snap-nope" (expecting "snap-...")',
        400,
    )
    assert error_of(ec2.describe_snapshots, SnapshotIds=[snapshot_id], MaxResults=5) == (
        "InvalidParameterCombination",
        "The parameter snapshotSet cannot be used with the parameter maxResults",
        400,
    )
    assert error_of(ec2.describe_snapshots, MaxResults=4)[:2] == (
        "InvalidParameterValue",
        "Value ( 4 ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.",
    )
    assert error_of(ec2.describe_snapshots, Filters=[{"Name": "colour", "Values": ["x"]}])[:2] == (
        "InvalidParameterValue",
        "The filter 'colour' is invalid",
    )
    assert digest(server) == before


def test_a_creating_volume_cannot_be_snapshotted_and_a_pending_snapshot_makes_no_volume(spawn):
    server = spawn("--timing", "manual")
    ec2 = server.client("ec2")
    volume_id = str(ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"])
    assert error_of(ec2.create_snapshot, VolumeId=volume_id) == (
        "IncorrectState",
        f"Volume '{volume_id}' is in the 'creating' state.",
        400,
    )
    assert ec2.describe_snapshots()["Snapshots"] == []
    _advance(server, 8)
    snapshot_id = ec2.create_snapshot(VolumeId=volume_id)["SnapshotId"]
    assert error_of(ec2.create_volume, AvailabilityZone="us-east-1a", SnapshotId=snapshot_id) == (
        "IncorrectState",
        f"Snapshot '{snapshot_id}' is in the 'pending' state.",
        400,
    )
    assert len(ec2.describe_volumes()["Volumes"]) == 1


def test_a_volume_from_a_snapshot_and_deletion(server, ec2):
    volume_id = _volume(server, ec2, 30)
    snapshot_id = ec2.create_snapshot(VolumeId=volume_id)["SnapshotId"]
    settle(server)
    restored = ec2.create_volume(AvailabilityZone="us-east-1a", SnapshotId=snapshot_id)
    assert (restored["SnapshotId"], restored["Size"]) == (snapshot_id, 30)
    bigger = ec2.create_volume(AvailabilityZone="us-east-1a", SnapshotId=snapshot_id, Size=40)
    assert bigger["Size"] == 40
    before = digest(server)
    assert error_of(ec2.create_volume, AvailabilityZone="us-east-1a", SnapshotId=snapshot_id, Size=10)[:2] == (
        "InvalidBlockDeviceMapping",
        f"Volume of size 10GB is smaller than snapshot '{snapshot_id}', expect size >= 30GB",
    )
    assert digest(server) == before
    # the snapshot outlives its volume, and goes when deleted
    ec2.delete_volume(VolumeId=volume_id)
    assert _snapshot(ec2, snapshot_id)["VolumeId"] == volume_id
    ec2.delete_snapshot(SnapshotId=snapshot_id)
    assert ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"] == []
    assert error_of(ec2.describe_snapshots, SnapshotIds=[snapshot_id])[0] == "InvalidSnapshot.NotFound"


def test_snapshots_with_the_cli(server, ec2, cli):
    volume_id = _volume(server, ec2)
    created = cli(
        "ec2",
        "create-snapshot",
        "--volume-id",
        volume_id,
        "--description",
        "from the cli",
        "--tag-specifications",
        "ResourceType=snapshot,Tags=[{Key=Name,Value=cli}]",
    )
    assert (created["State"], created["Tags"]) == ("pending", [{"Key": "Name", "Value": "cli"}])
    settle(server)
    cli("ec2", "wait", "snapshot-completed", "--snapshot-ids", created["SnapshotId"])
    listed = cli("ec2", "describe-snapshots", "--owner-ids", "self", "--filters", "Name=tag:Name,Values=cli")
    assert [(s["SnapshotId"], s["State"], s["Progress"]) for s in listed["Snapshots"]] == [
        (created["SnapshotId"], "completed", "100%")
    ]
    cli("ec2", "delete-snapshot", "--snapshot-id", created["SnapshotId"])
    assert cli("ec2", "describe-snapshots", "--owner-ids", "self")["Snapshots"] == []


@pytest.mark.parametrize("owner", ["someone", "12345"])
def test_a_malformed_owner_is_refused(server, ec2, owner):
    assert error_of(ec2.describe_snapshots, OwnerIds=[owner]) == (
        "InvalidUserID.Malformed",
        f'Invalid user id: "{owner}"',
        400,
    )
