"""ModifyVolume and DescribeVolumesModifications (Terraform's aws_ebs_volume and aws_instance
root_block_device changes: ModifyVolume, then wait until the modification is `optimizing` or
`completed`).

A modification is `modifying` for the `ec2.volume.modify` step; then the volume shows its new size,
type, IOPS and throughput and the modification is `optimizing` for `ec2.volume.optimize`, then
`completed`. The latest one is kept on the volume (`_Modification`, the VolumeModification shape).
EC2's documented rules: a volume can only grow, and is modified at most once in six hours (counted
from the start of the previous modification here; docs/decisions.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import filters, paging, unsupported, volumes
from trunkline.domain.ec2.kinds import VOLUME
from trunkline.domain.ec2.records import VolumeRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]

MODIFIED_JOB = "ec2.volume.modified"
OPTIMIZED_JOB = "ec2.volume.optimized"
_COOLDOWN = 6 * 3600.0  # "wait at least six hours between modifications per EBS volume"
_NOT_MODELLED = ("MultiAttachEnabled", "MultiAvailabilityZoneConfiguration", "TrimOnAttach")


def modify(ctx: RequestContext, request: shapes.ModifyVolumeRequest) -> Record:
    record = VOLUME.require(ctx, request["VolumeId"])
    unsupported.refuse(request, _NOT_MODELLED, "volumes")
    if record["State"] not in ("available", "in-use"):
        raise AwsError("IncorrectState", f"Volume '{record['VolumeId']}' is in the '{record['State']}' state.")
    previous = record.get("_Modification")
    if previous is not None and ctx.now - previous["StartTime"] < _COOLDOWN:
        raise AwsError(
            "VolumeModificationRateExceeded",
            "You've reached the maximum modification rate per volume limit. Wait at least 6 hours between "
            "modifications per EBS volume.",
        )
    target = _target(ctx, record, request)
    modification = {
        "VolumeId": record["VolumeId"],
        "ModificationState": "modifying",
        "TargetSize": target.size,
        "TargetVolumeType": target.volume_type,
        "TargetMultiAttachEnabled": False,
        "OriginalSize": record["Size"],
        "OriginalVolumeType": record["VolumeType"],
        "OriginalMultiAttachEnabled": False,
        "Progress": 0,
        "StartTime": ctx.now,
    }
    for name, value in (
        ("TargetIops", target.iops),
        ("TargetThroughput", target.throughput),
        ("OriginalIops", record.get("Iops")),
        ("OriginalThroughput", record.get("Throughput")),
    ):
        if value is not None:
            modification[name] = value
    record["_Modification"] = modification
    VOLUME.save(ctx, record)
    ctx.schedule("ec2.volume.modify", MODIFIED_JOB, _job(ctx, record))
    return dict(modification)


def _target(ctx: RequestContext, record: VolumeRecord, request: shapes.ModifyVolumeRequest) -> volumes.VolumeSpec:
    """The volume as it will be, checked as a new volume is; IOPS and throughput carry over only
    while the type stays."""
    volume_type = request.get("VolumeType") or record["VolumeType"]
    same_type = volume_type == record["VolumeType"]
    asked: Record = {"VolumeSize": request.get("Size") or record["Size"], "VolumeType": volume_type}
    iops = request.get("Iops", record.get("Iops") if same_type and volume_type != "gp2" else None)
    throughput = request.get("Throughput", record.get("Throughput") if same_type else None)
    if iops is not None:
        asked["Iops"] = iops
    if throughput is not None:
        asked["Throughput"] = throughput
    target = volumes.spec(ctx, "", {}, asked)
    if target.size < record["Size"]:
        raise AwsError(
            "InvalidParameterValue",
            f"New size cannot be smaller than existing size. Volume '{record['VolumeId']}' is {record['Size']}GiB.",
        )
    unchanged = (target.size, target.volume_type, target.iops, target.throughput) == (
        record["Size"],
        record["VolumeType"],
        record.get("Iops"),
        record.get("Throughput"),
    )
    if unchanged:
        raise AwsError(
            "InvalidParameterCombination",
            f"The modification for volume '{record['VolumeId']}' asks for no change.",
        )
    return target


def _job(ctx: RequestContext, record: VolumeRecord) -> Record:
    return {
        "region": ctx.region,
        "account": ctx.account_id,
        "volume_id": record["VolumeId"],
        "start": record["_Modification"]["StartTime"],
    }


def _current(ctx: RequestContext, payload: Record, state: str) -> VolumeRecord | None:
    record = VOLUME.load(ctx, payload["volume_id"])
    modification = record.get("_Modification") if record else None
    if modification is None or modification["StartTime"] != payload["start"]:
        return None
    return record if modification["ModificationState"] == state else None


def finish_modify_job(ctx: RequestContext, payload: Record) -> None:
    """modifying -> optimizing: the volume takes its new size, type and performance."""
    record = _current(ctx, payload, "modifying")
    if record is None:
        return
    modification = record["_Modification"]
    record["Size"] = modification["TargetSize"]
    record["VolumeType"] = modification["TargetVolumeType"]
    for name in ("Iops", "Throughput"):
        if f"Target{name}" in modification:
            record[name] = modification[f"Target{name}"]
        else:
            record.pop(name, None)  # type: ignore[misc]
    modification["ModificationState"] = "optimizing"
    modification["Progress"] = 50
    VOLUME.save(ctx, record)
    ctx.schedule("ec2.volume.optimize", OPTIMIZED_JOB, payload)


def finish_optimize_job(ctx: RequestContext, payload: Record) -> None:
    record = _current(ctx, payload, "optimizing")
    if record is None:
        return
    record["_Modification"].update(ModificationState="completed", Progress=100, EndTime=ctx.now)
    VOLUME.save(ctx, record)


# --- DescribeVolumesModifications -------------------------------------------------------------------


MODIFICATION_FILTERS: dict[str, filters.Extractor] = {
    "modification-state": filters.field("ModificationState"),
    "original-iops": filters.field("OriginalIops"),
    "original-size": filters.field("OriginalSize"),
    "original-volume-type": filters.field("OriginalVolumeType"),
    "start-time": lambda r: [filters.written_time(r["StartTime"])],
    "target-iops": filters.field("TargetIops"),
    "target-size": filters.field("TargetSize"),
    "target-volume-type": filters.field("TargetVolumeType"),
    "volume-id": filters.field("VolumeId"),
}


def describe(
    ctx: RequestContext, params: shapes.DescribeVolumesModificationsRequest
) -> tuple[list[Record], str | None]:
    given = params.get("Filters")
    filters.check_filters(given, MODIFICATION_FILTERS)
    wanted = params.get("VolumeIds")
    records = VOLUME.require_all(ctx, wanted) if wanted else VOLUME.find(ctx, "owner", ctx.account_id)
    if wanted:
        never = [r["VolumeId"] for r in records if r.get("_Modification") is None]
        if never:
            raise AwsError(
                "InvalidVolumeModification.NotFound", f"Modification for volume '{never[0]}' does not exist."
            )
    found = [dict(r["_Modification"]) for r in records if r.get("_Modification") is not None]
    found.sort(key=lambda m: str(m["VolumeId"]))
    matching = [m for m in found if filters.matches(m, given, MODIFICATION_FILTERS)]
    return paging.page(ctx, VOLUME.name + ".modification", matching, "VolumeId", params, minimum=5, maximum=500)
