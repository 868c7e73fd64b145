"""EBS snapshots, as Terraform's `aws_ebs_snapshot` and the AWS CLI use them: CreateSnapshot,
DescribeSnapshots, DeleteSnapshot, on trunkline's clock.

A snapshot is `pending` (Progress `0%`) until the `ec2.snapshot.create` step has elapsed, then
`completed` (`100%`, with its CompletionTime): what the SDKs' `snapshot_completed` waiter polls
for. It records the volume's size and encryption at the start; the volume may change or go
afterwards. Only the caller's own snapshots exist here: nothing is shared or public, so AWS's
public snapshots (OwnerIds `amazon`) are not listed (docs/decisions.md).

Record (kind `kinds.SNAPSHOT`, `REGION/snap-…`): `records.SnapshotRecord`. Indexes `owner`,
`volume`. Tags through TagSpecifications (`snapshot`) and CreateTags, as for every taggable kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import ids
from trunkline.domain.ec2 import filters, paging
from trunkline.domain.ec2 import tags as ec2_tags
from trunkline.domain.ec2.kinds import SNAPSHOT, VOLUME
from trunkline.domain.ec2.records import SnapshotRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]

COMPLETED_JOB = "ec2.snapshot.completed"
#: OwnerIds' aliases (DescribeSnapshots API reference); only `self` names snapshots here.
_OWNER_ALIASES = ("self", "amazon", "aws-marketplace")

_FILTERS: dict[str, filters.Extractor] = {
    "description": filters.field("Description"),
    "encrypted": filters.field("Encrypted"),
    "kms-key-id": filters.field("KmsKeyId"),
    "owner-id": filters.field("OwnerId"),
    "progress": filters.field("Progress"),
    "snapshot-id": filters.field("SnapshotId"),
    "start-time": lambda r: [filters.written_time(r["StartTime"])],
    "status": filters.field("State"),
    "storage-tier": filters.field("StorageTier"),
    "volume-id": filters.field("VolumeId"),
    "volume-size": filters.field("VolumeSize"),
}


# --- CreateSnapshot ------------------------------------------------------------------------------


def create(ctx: RequestContext, request: shapes.CreateSnapshotRequest) -> Record:
    """CreateSnapshot: a snapshot of a volume that exists (attached or not), `pending`."""
    if request.get("OutpostArn") or request.get("Location") == "local":
        raise AwsError("InvalidParameterValue", "trunkline does not support local snapshots on Outposts yet.")
    volume = VOLUME.require(ctx, request["VolumeId"])
    if volume["State"] not in ("available", "in-use"):
        raise AwsError("IncorrectState", f"Volume '{volume['VolumeId']}' is in the '{volume['State']}' state.")
    tags = ec2_tags.requested(request, "snapshot")
    record: SnapshotRecord = {
        "SnapshotId": ids.resource_id("snap"),
        "VolumeId": volume["VolumeId"],
        "VolumeSize": volume["Size"],
        "State": "pending",
        "StartTime": ctx.now,
        "Progress": "0%",
        "OwnerId": ctx.account_id,
        "Description": request.get("Description") or "",
        "Encrypted": volume["Encrypted"],
        "StorageTier": "standard",
        "Tags": tags,
    }
    if volume.get("KmsKeyId"):
        record["KmsKeyId"] = volume["KmsKeyId"]
    SNAPSHOT.save(ctx, record)
    job = {"region": ctx.region, "account": ctx.account_id, "snapshot_id": record["SnapshotId"]}
    ctx.schedule("ec2.snapshot.create", COMPLETED_JOB, job)
    view = SNAPSHOT.view(record)
    view.pop("Progress")  # EC2's CreateSnapshot answer has none (botocore's example)
    return view


def finish_create_job(ctx: RequestContext, payload: Record) -> None:
    record = SNAPSHOT.load(ctx, payload["snapshot_id"])
    if record is not None and record["State"] == "pending":
        record["State"], record["Progress"], record["CompletionTime"] = "completed", "100%", ctx.now
        SNAPSHOT.save(ctx, record)


# --- DescribeSnapshots ---------------------------------------------------------------------------


def describe(ctx: RequestContext, params: shapes.DescribeSnapshotsRequest) -> tuple[list[Record], str | None]:
    """One page of the caller's snapshots that match the ids, owners, restorers and filters."""
    given = params.get("Filters")
    filters.check_filters(given, _FILTERS)
    wanted = params.get("SnapshotIds")
    paging.refuse_ids_with_max_results(wanted, params, "snapshotSet")
    records = SNAPSHOT.require_all(ctx, wanted) if wanted else SNAPSHOT.find(ctx, "owner", ctx.account_id)
    if not _owners_include_caller(ctx, params.get("OwnerIds")) or not _restorers_include_caller(
        ctx, params.get("RestorableByUserIds")
    ):
        records = []
    views = [SNAPSHOT.view(r) for r in sorted(records, key=lambda r: r["SnapshotId"])]
    matching = [v for v in views if filters.matches(v, given, _FILTERS)]
    return paging.page(ctx, SNAPSHOT.name, matching, "SnapshotId", params, minimum=5, maximum=1000)


def _owners_include_caller(ctx: RequestContext, owners: list[str] | None) -> bool:
    """OwnerIds: account ids or the aliases; the caller's snapshots answer to `self` and its id."""
    if not owners:
        return True
    for owner in owners:
        if owner not in _OWNER_ALIASES and not (owner.isdigit() and len(owner) == 12):
            raise AwsError("InvalidUserID.Malformed", f'Invalid user id: "{owner}"')
    return "self" in owners or ctx.account_id in owners


def _restorers_include_caller(ctx: RequestContext, restorers: list[str] | None) -> bool:
    """RestorableByUserIds: the owner may always restore its own snapshots (`self` or its id);
    `all` asks for public ones, and none is public here."""
    return not restorers or "self" in restorers or ctx.account_id in restorers


# --- DeleteSnapshot ------------------------------------------------------------------------------


def delete(ctx: RequestContext, snapshot_id: str) -> None:
    """DeleteSnapshot, pending or completed (no AMI here is backed by a user's snapshot, so EC2's
    InvalidSnapshot.InUse never applies)."""
    SNAPSHOT.require(ctx, snapshot_id)
    SNAPSHOT.delete(ctx, snapshot_id)


def get(ctx: RequestContext, snapshot_id: str) -> SnapshotRecord | None:
    """The caller's snapshot of that id (CreateVolume from a snapshot), or None."""
    return SNAPSHOT.get(ctx, snapshot_id)
