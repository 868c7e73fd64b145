"""EBS volumes made by a launch: the image's block device mappings with what RunInstances (or the
launch template) asks on top, one volume each, attached to the instance; DescribeVolumes shows
them, as Terraform's `aws_instance` reads its `root_block_device` and `ebs_block_device`.

Record (kind `kinds.VOLUME`, `REGION/vol-…`), in the `Volume` shape's member names: `VolumeId`,
`Size`, `SnapshotId`, `AvailabilityZone`, `State`, `CreateTime`, `Attachments`, `Encrypted`,
`KmsKeyId` (encrypted only), `VolumeType`, `Iops`, `Throughput` (gp3), `MultiAttachEnabled`,
`Tags`; `_Owner` is the account. Indexes: `instance` (the attached instance), `owner`.

A launch checks every mapping before anything is written. The volumes are attached from the
start; when the instance terminates, those marked `DeleteOnTermination` go and the others are
left `available`. CreateVolume, Attach/DetachVolume and DeleteVolume are in `volume_lifecycle.py`,
ModifyVolume in `volume_modifications.py`, snapshots in `snapshots.py`. Instance store (`VirtualName`)
mappings are accepted and make no volume (docs/decisions.md).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import ids
from trunkline.domain.ec2 import filters, paging
from trunkline.domain.ec2.kinds import VOLUME
from trunkline.domain.ec2.records import Tag, VolumeRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]

#: Size limits per volume type, GiB (EBS user guide, "Amazon EBS volume types").
_SIZES = {
    "gp2": (1, 16384),
    "gp3": (1, 16384),
    "io1": (4, 16384),
    "io2": (4, 65536),
    "st1": (125, 16384),
    "sc1": (125, 16384),
    "standard": (1, 1024),
}
_PROVISIONED_IOPS = ("io1", "io2")


@dataclass(frozen=True)
class VolumeSpec:
    """One volume a launch makes, checked."""

    device: str
    size: int
    volume_type: str
    snapshot_id: str
    delete_on_termination: bool
    encrypted: bool
    kms_key_id: str | None
    iops: int | None
    throughput: int | None


# --- a launch's mappings -------------------------------------------------------------------------


def plan(ctx: RequestContext, image: Mapping[str, Any], wanted: Sequence[Mapping[str, Any]] | None) -> list[VolumeSpec]:
    """The volumes a launch makes: each image mapping, changed or left out (`NoDevice`) by a
    request mapping of the same device, then the request's own new devices; EC2's checks first."""
    asked = {m.get("DeviceName"): m for m in wanted or []}
    specs = []
    for mapping in image.get("BlockDeviceMappings") or []:
        device = mapping["DeviceName"]
        change = asked.pop(device, None)
        if change is not None and change.get("NoDevice") is not None:
            continue
        specs.append(spec(ctx, device, mapping.get("Ebs") or {}, (change or {}).get("Ebs") or {}))
    for device, mapping in asked.items():
        if mapping.get("NoDevice") is not None or mapping.get("VirtualName") or not mapping.get("Ebs"):
            continue  # nothing to remove, or an instance store volume (none is modelled)
        specs.append(spec(ctx, str(device), {}, mapping["Ebs"]))
    return specs


def spec(ctx: RequestContext, device: str, base: Mapping[str, Any], change: Mapping[str, Any]) -> VolumeSpec:
    snapshot = change.get("SnapshotId") or base.get("SnapshotId") or ""
    if change.get("SnapshotId") and change["SnapshotId"] != base.get("SnapshotId"):
        raise AwsError("InvalidSnapshot.NotFound", f"The snapshot '{change['SnapshotId']}' does not exist.")
    volume_type = change.get("VolumeType") or base.get("VolumeType") or "gp2"
    if volume_type not in _SIZES:
        raise AwsError(
            "InvalidParameterValue",
            f"Value ({volume_type}) for parameter volumeType is invalid. Valid values: {', '.join(_SIZES)}",
        )
    size = _size(device, change.get("VolumeSize"), base.get("VolumeSize"), snapshot, volume_type)
    encrypted = bool(change.get("Encrypted") if change.get("Encrypted") is not None else base.get("Encrypted"))
    key = change.get("KmsKeyId")
    if key and not encrypted:
        raise AwsError(
            "InvalidParameterDependency", "The parameter KmsKeyId requires the parameter Encrypted to be set."
        )
    delete = change.get("DeleteOnTermination")
    return VolumeSpec(
        device=device,
        size=size,
        volume_type=volume_type,
        snapshot_id=snapshot,
        delete_on_termination=bool(base.get("DeleteOnTermination", True) if delete is None else delete),
        encrypted=encrypted,
        kms_key_id=(key or _default_key(ctx)) if encrypted else None,
        iops=_iops(volume_type, change.get("Iops"), size),
        throughput=_throughput(volume_type, change.get("Throughput")),
    )


def _size(device: str, asked: int | None, base: int | None, snapshot: str, volume_type: str) -> int:
    if asked is None and base is None:
        raise AwsError("MissingParameter", f"The request must contain the parameter size or snapshotId for {device}")
    size = int(asked if asked is not None else base or 0)
    if base is not None and size < base:
        raise AwsError(
            "InvalidBlockDeviceMapping",
            f"Volume of size {size}GB is smaller than snapshot '{snapshot}', expect size >= {base}GB",
        )
    low, high = _SIZES[volume_type]
    if not low <= size <= high:
        raise AwsError(
            "InvalidParameterValue",
            f"Volume of {size}GiB is out of range for volume type {volume_type}: {low} to {high}GiB.",
        )
    return size


def _iops(volume_type: str, asked: int | None, size: int) -> int | None:
    if volume_type in _PROVISIONED_IOPS:
        if asked is None:
            raise AwsError(
                "InvalidParameterCombination", f"The parameter iops must be specified for {volume_type} volumes."
            )
        return int(asked)
    if asked is not None and volume_type != "gp3":
        raise AwsError("InvalidParameterCombination", f"The parameter iops is not supported for {volume_type} volumes.")
    if volume_type == "gp3":
        return int(asked) if asked is not None else 3000
    if volume_type == "gp2":
        return min(max(100, 3 * size), 16000)  # gp2's baseline: 3 IOPS per GiB, 100 to 16,000
    return None


def _throughput(volume_type: str, asked: int | None) -> int | None:
    if volume_type != "gp3":
        if asked is not None:
            raise AwsError(
                "InvalidParameterCombination", f"The parameter throughput is not supported for {volume_type} volumes."
            )
        return None
    return int(asked) if asked is not None else 125


def _default_key(ctx: RequestContext) -> str:
    """The account's AWS-managed EBS key (aws/ebs), as an ARN with a stable key id."""
    digest = hashlib.sha256(f"{ctx.account_id}/{ctx.region}/aws/ebs".encode()).digest()
    return f"arn:aws:kms:{ctx.region}:{ctx.account_id}:key/{uuid.UUID(bytes=digest[:16])}"


# --- volumes of an instance ----------------------------------------------------------------------


def attach_new(
    ctx: RequestContext, instance_id: str, zone: str, specs: Sequence[VolumeSpec], tags: list[Tag]
) -> list[Record]:
    """Create and attach the launch's volumes; returns the instance's BlockDeviceMappings."""
    mappings = []
    for spec in specs:
        volume_id = ids.resource_id("vol")
        attachment = {
            "AttachTime": ctx.now,
            "Device": spec.device,
            "InstanceId": instance_id,
            "State": "attached",
            "VolumeId": volume_id,
            "DeleteOnTermination": spec.delete_on_termination,
        }
        record = new_record(ctx, volume_id, spec, zone, tags, "in-use", [attachment])
        VOLUME.save(ctx, record)
        ebs = {"AttachTime": ctx.now, "DeleteOnTermination": spec.delete_on_termination, "Status": "attached"}
        mappings.append({"DeviceName": spec.device, "Ebs": {**ebs, "VolumeId": volume_id}})
    return mappings


def new_record(
    ctx: RequestContext,
    volume_id: str,
    spec: VolumeSpec,
    zone: str,
    tags: list[Tag],
    state: str,
    attachments: list[Record],
) -> VolumeRecord:
    """A volume record as `spec` describes it (a launch's or CreateVolume's)."""
    record: VolumeRecord = {
        "VolumeId": volume_id,
        "Size": spec.size,
        "SnapshotId": spec.snapshot_id,
        "AvailabilityZone": zone,
        "State": state,
        "CreateTime": ctx.now,
        "Attachments": attachments,
        "Encrypted": spec.encrypted,
        "VolumeType": spec.volume_type,
        "MultiAttachEnabled": False,
        "Tags": list(tags),
        "_Owner": ctx.account_id,
    }
    for name, value in (("KmsKeyId", spec.kms_key_id), ("Iops", spec.iops), ("Throughput", spec.throughput)):
        if value is not None:
            record[name] = value  # type: ignore[literal-required]
    return record


def release_instance(ctx: RequestContext, instance_id: str) -> None:
    """The instance terminated: its DeleteOnTermination volumes go, the others are left available."""
    for record in VOLUME.find(ctx, "instance", instance_id):
        attachment = record["Attachments"][0]
        if attachment["DeleteOnTermination"]:
            VOLUME.delete(ctx, record["VolumeId"])
            continue
        record["Attachments"] = []
        record["State"] = "available"
        VOLUME.save(ctx, record)


def set_delete_on_termination(ctx: RequestContext, volume_id: str, value: bool) -> None:
    """ModifyInstanceAttribute's blockDeviceMapping: the attachment's DeleteOnTermination."""
    record = VOLUME.load(ctx, volume_id)
    if record is None:
        return
    for attachment in record["Attachments"]:
        attachment["DeleteOnTermination"] = value
    VOLUME.save(ctx, record)


# --- DescribeVolumes -----------------------------------------------------------------------------


def _attached(name: str) -> filters.Extractor:
    return lambda r: [a[name] for a in r["Attachments"]]


VOLUME_FILTERS: dict[str, filters.Extractor] = {
    "attachment.attach-time": lambda r: [filters.written_time(a["AttachTime"]) for a in r["Attachments"]],
    "attachment.delete-on-termination": _attached("DeleteOnTermination"),
    "attachment.device": _attached("Device"),
    "attachment.instance-id": _attached("InstanceId"),
    "attachment.status": _attached("State"),
    "availability-zone": filters.field("AvailabilityZone"),
    "create-time": lambda r: [filters.written_time(r["CreateTime"])],
    "encrypted": filters.field("Encrypted"),
    "multi-attach-enabled": filters.field("MultiAttachEnabled"),
    "size": filters.field("Size"),
    "snapshot-id": filters.field("SnapshotId"),
    "status": filters.field("State"),
    "volume-id": filters.field("VolumeId"),
    "volume-type": filters.field("VolumeType"),
}


def describe_volumes(ctx: RequestContext, params: shapes.DescribeVolumesRequest) -> tuple[list[Record], str | None]:
    given = params.get("Filters")
    filters.check_filters(given, VOLUME_FILTERS)
    wanted = params.get("VolumeIds")
    paging.refuse_ids_with_max_results(wanted, params, "volumeSet")
    records = VOLUME.require_all(ctx, wanted) if wanted else VOLUME.find(ctx, "owner", ctx.account_id)
    views = [VOLUME.view(r) for r in sorted(records, key=lambda r: str(r["VolumeId"]))]
    matching = [v for v in views if filters.matches(v, given, VOLUME_FILTERS)]
    return paging.page(ctx, VOLUME.name, matching, "VolumeId", params, minimum=5, maximum=500)
