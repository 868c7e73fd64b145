"""EC2 CreateSnapshot, DescribeSnapshots, DeleteSnapshot. Thin: parameters in, domain call
(`domain/ec2/snapshots.py`), output shape out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import snapshots
from trunkline.reconciler import JobHandler

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Params = dict[str, Any]


class SnapshotOps:
    def snapshot_jobs(self) -> dict[str, JobHandler]:
        return {snapshots.COMPLETED_JOB: snapshots.finish_create_job}

    def create_snapshot(self, ctx: RequestContext, params: shapes.CreateSnapshotRequest) -> Params:
        return snapshots.create(ctx, params)

    def describe_snapshots(self, ctx: RequestContext, params: shapes.DescribeSnapshotsRequest) -> Params:
        found, token = snapshots.describe(ctx, params)
        return {"Snapshots": found, "NextToken": token}

    def delete_snapshot(self, ctx: RequestContext, params: shapes.DeleteSnapshotRequest) -> Params:
        snapshots.delete(ctx, params["SnapshotId"])
        return {}
