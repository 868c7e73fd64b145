"""EC2 CreateVolume, AttachVolume, DetachVolume, DeleteVolume, ModifyVolume, DescribeVolumesModifications,
Describe/ModifyVolumeAttribute (DescribeVolumes is with the
instances, whose launches make most volumes). Thin: parameters in, domain call, output shape out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import volume_attributes, volume_lifecycle, volume_modifications
from trunkline.reconciler import JobHandler

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Params = dict[str, Any]


class VolumeOps:
    def volume_jobs(self) -> dict[str, JobHandler]:
        return {
            volume_lifecycle.CREATED_JOB: volume_lifecycle.finish_create_job,
            volume_lifecycle.ATTACHED_JOB: volume_lifecycle.finish_attach_job,
            volume_lifecycle.DETACHED_JOB: volume_lifecycle.finish_detach_job,
            volume_modifications.MODIFIED_JOB: volume_modifications.finish_modify_job,
            volume_modifications.OPTIMIZED_JOB: volume_modifications.finish_optimize_job,
        }

    def create_volume(self, ctx: RequestContext, params: shapes.CreateVolumeRequest) -> Params:
        return volume_lifecycle.create(ctx, params)

    def delete_volume(self, ctx: RequestContext, params: shapes.DeleteVolumeRequest) -> Params:
        volume_lifecycle.delete(ctx, params["VolumeId"])
        return {}

    def attach_volume(self, ctx: RequestContext, params: shapes.AttachVolumeRequest) -> Params:
        return volume_lifecycle.attach(ctx, params)

    def detach_volume(self, ctx: RequestContext, params: shapes.DetachVolumeRequest) -> Params:
        return volume_lifecycle.detach(ctx, params)

    def modify_volume(self, ctx: RequestContext, params: shapes.ModifyVolumeRequest) -> Params:
        return {"VolumeModification": volume_modifications.modify(ctx, params)}

    def describe_volumes_modifications(
        self, ctx: RequestContext, params: shapes.DescribeVolumesModificationsRequest
    ) -> Params:
        found, token = volume_modifications.describe(ctx, params)
        return {"VolumesModifications": found, "NextToken": token}

    def describe_volume_attribute(self, ctx: RequestContext, params: shapes.DescribeVolumeAttributeRequest) -> Params:
        return volume_attributes.describe(ctx, params)

    def modify_volume_attribute(self, ctx: RequestContext, params: shapes.ModifyVolumeAttributeRequest) -> Params:
        volume_attributes.modify(ctx, params)
        return {}
