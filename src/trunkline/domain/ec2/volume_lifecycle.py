"""EBS volumes made and moved by hand: CreateVolume, AttachVolume, DetachVolume, DeleteVolume (what
Terraform's aws_ebs_volume and aws_volume_attachment call), on trunkline's clock.

A new volume is `creating` until the `ec2.volume.create` step has elapsed, then `available`. An
attachment is `attaching` for the `ec2.volume.attach` step, then `attached`; a detach is
`detaching` for `ec2.volume.detach`, after which the volume is `available` again. While attached
the volume is `in-use` and shows in the instance's BlockDeviceMappings (DeleteOnTermination false,
as EC2 sets for a volume attached after launch). DeleteVolume removes an unattached volume at once
(EC2 shows `deleting` briefly; Terraform waits for the volume to be gone).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import ids
from trunkline.domain.ec2 import instances, snapshots, volumes, zones
from trunkline.domain.ec2 import tags as ec2_tags
from trunkline.domain.ec2.kinds import INSTANCE, VOLUME
from trunkline.domain.ec2.records import InstanceRecord, VolumeRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]

CREATED_JOB = "ec2.volume.created"
ATTACHED_JOB = "ec2.volume.attached"
DETACHED_JOB = "ec2.volume.detached"


def _job(ctx: RequestContext, record: VolumeRecord, instance_id: str | None = None) -> Record:
    return {
        "region": ctx.region,
        "account": ctx.account_id,
        "volume_id": record["VolumeId"],
        "instance_id": instance_id,
    }


# --- CreateVolume and DeleteVolume ----------------------------------------------------------------


def create(ctx: RequestContext, request: shapes.CreateVolumeRequest) -> Record:
    """CreateVolume: checked as a launch's block device is, then `creating`."""
    zone = _zone(ctx, request)
    if request.get("Size") is None and not request.get("SnapshotId"):
        raise AwsError("MissingParameter", "The request must contain the parameter size or snapshotId")
    if request.get("MultiAttachEnabled"):
        raise AwsError("InvalidParameterValue", "trunkline does not support MultiAttachEnabled on volumes yet.")
    asked = {
        "VolumeSize": request.get("Size"),
        "VolumeType": request.get("VolumeType"),
        "SnapshotId": request.get("SnapshotId"),
        "Iops": request.get("Iops"),
        "Throughput": request.get("Throughput"),
        "Encrypted": request.get("Encrypted"),
        "KmsKeyId": request.get("KmsKeyId"),
    }
    spec = volumes.spec(
        ctx, "", _snapshot_base(ctx, request.get("SnapshotId")), {k: v for k, v in asked.items() if v is not None}
    )
    tags = ec2_tags.requested(request, "volume")
    record = volumes.new_record(ctx, ids.resource_id("vol"), spec, zone, tags, "creating", [])
    VOLUME.save(ctx, record)
    ctx.schedule("ec2.volume.create", CREATED_JOB, _job(ctx, record))
    return VOLUME.view(record)


def _snapshot_base(ctx: RequestContext, snapshot_id: str | None) -> Record:
    """What a volume from one of the caller's completed snapshots starts from (its size at
    least, its encryption); an unknown id stays `volumes.spec`'s InvalidSnapshot.NotFound."""
    found = snapshots.get(ctx, snapshot_id) if snapshot_id else None
    if found is None:
        return {}
    if found["State"] != "completed":
        raise AwsError("IncorrectState", f"Snapshot '{snapshot_id}' is in the '{found['State']}' state.")
    return {"SnapshotId": snapshot_id, "VolumeSize": found["VolumeSize"], "Encrypted": found["Encrypted"]}


def _zone(ctx: RequestContext, request: shapes.CreateVolumeRequest) -> str:
    name, zone_id = request.get("AvailabilityZone"), request.get("AvailabilityZoneId")
    if name is None and zone_id is not None:
        by_id = zones.zone_by_id(ctx.region, zone_id)
        if by_id is None:
            raise AwsError("InvalidParameterValue", f"Invalid availability zone: [{zone_id}]")
        return by_id.name
    if name is None:
        raise AwsError("MissingParameter", "The request must contain the parameter availabilityZone")
    if zones.get_zone(ctx.region, name) is None:
        raise AwsError("InvalidParameterValue", f"Invalid availability zone: [{name}]")
    return str(name)


def finish_create_job(ctx: RequestContext, payload: Record) -> None:
    record = VOLUME.load(ctx, payload["volume_id"])
    if record is not None and record["State"] == "creating":
        record["State"] = "available"
        VOLUME.save(ctx, record)


def delete(ctx: RequestContext, volume_id: str) -> None:
    """DeleteVolume: an attached volume is refused (VolumeInUse)."""
    record = VOLUME.require(ctx, volume_id)
    if record["Attachments"]:
        raise AwsError(
            "VolumeInUse", f"Volume {volume_id} is currently attached to {record['Attachments'][0]['InstanceId']}"
        )
    VOLUME.delete(ctx, volume_id)


# --- AttachVolume -----------------------------------------------------------------------------------


def attach(ctx: RequestContext, request: shapes.AttachVolumeRequest) -> Record:
    """AttachVolume: an available volume in the instance's zone, at a free device."""
    record = VOLUME.require(ctx, request["VolumeId"])
    instance = instances.get_instance(ctx, request["InstanceId"])
    device = request["Device"]
    _check_attachable(record, instance, device)
    attachment = {
        "AttachTime": ctx.now,
        "Device": device,
        "InstanceId": instance["InstanceId"],
        "State": "attaching",
        "VolumeId": record["VolumeId"],
        "DeleteOnTermination": False,
    }
    record["Attachments"] = [attachment]
    record["State"] = "in-use"
    VOLUME.save(ctx, record)
    ebs = {"AttachTime": ctx.now, "DeleteOnTermination": False, "Status": "attaching", "VolumeId": record["VolumeId"]}
    instance["BlockDeviceMappings"] = [*instance["BlockDeviceMappings"], {"DeviceName": device, "Ebs": ebs}]
    instances.save(ctx, instance)
    ctx.schedule("ec2.volume.attach", ATTACHED_JOB, _job(ctx, record, instance["InstanceId"]))
    return dict(attachment)


def _check_attachable(record: VolumeRecord, instance: InstanceRecord, device: str) -> None:
    volume_id, instance_id = record["VolumeId"], instance["InstanceId"]
    if record["Attachments"]:
        raise AwsError("VolumeInUse", f"{volume_id} is already attached to an instance")
    if record["State"] != "available":
        raise AwsError("IncorrectState", f"Volume '{volume_id}' is in the '{record['State']}' state.")
    if instance["State"]["Name"] not in ("running", "stopped"):
        raise AwsError("IncorrectState", f"Instance '{instance_id}' is not 'running'.")
    if record["AvailabilityZone"] != instance["Placement"]["AvailabilityZone"]:
        raise AwsError(
            "InvalidVolume.ZoneMismatch",
            f"The volume '{volume_id}' is not in the same availability zone as instance '{instance_id}'",
        )
    if any(m["DeviceName"] == device for m in instance["BlockDeviceMappings"]):
        raise AwsError(
            "InvalidParameterValue",
            f"Invalid value '{device}' for unixDevice. Attachment point {device} is already in use",
        )


def finish_attach_job(ctx: RequestContext, payload: Record) -> None:
    _set_status(ctx, payload, "attaching", "attached")


def _set_status(ctx: RequestContext, payload: Record, expected: str, status: str) -> None:
    """Move the attachment the job is about from `expected` to `status`, on both sides."""
    record, instance = _current(ctx, payload)
    if record is None or record["Attachments"][0]["State"] != expected:
        return
    record["Attachments"][0]["State"] = status
    VOLUME.save(ctx, record)
    if instance is not None:
        for mapping in instance["BlockDeviceMappings"]:
            if (mapping.get("Ebs") or {}).get("VolumeId") == record["VolumeId"]:
                mapping["Ebs"]["Status"] = status
        instances.save(ctx, instance)


def _current(ctx: RequestContext, payload: Record) -> tuple[VolumeRecord | None, InstanceRecord | None]:
    """The volume a job is about, if still attached to the job's instance, and that instance."""
    record = VOLUME.load(ctx, payload["volume_id"])
    if record is None or not record["Attachments"] or record["Attachments"][0]["InstanceId"] != payload["instance_id"]:
        return None, None
    return record, INSTANCE.load(ctx, payload["instance_id"])


# --- DetachVolume -----------------------------------------------------------------------------------


def detach(ctx: RequestContext, request: shapes.DetachVolumeRequest) -> Record:
    """DetachVolume: `detaching`, then the volume is available again."""
    record = VOLUME.require(ctx, request["VolumeId"])
    volume_id = record["VolumeId"]
    if not record["Attachments"]:
        raise AwsError("IncorrectState", f"Volume '{volume_id}' is in the '{record['State']}' state.")
    attachment = record["Attachments"][0]
    instance_id = attachment["InstanceId"]
    if request.get("InstanceId") not in (None, instance_id) or request.get("Device") not in (
        None,
        attachment["Device"],
    ):
        raise AwsError(
            "InvalidAttachment.NotFound",
            f"Volume '{volume_id}' is not attached to instance '{request.get('InstanceId') or instance_id}' "
            f"at device '{request.get('Device') or attachment['Device']}'",
        )
    instance = INSTANCE.load(ctx, instance_id)
    if instance is not None and _is_root(instance, attachment) and instance["State"]["Name"] != "stopped":
        raise AwsError("IncorrectState", f"Unable to detach root volume '{volume_id}' from instance '{instance_id}'")
    if attachment["State"] != "detaching":  # a repeated detach changes nothing
        _set_status(ctx, _job(ctx, record, instance_id), attachment["State"], "detaching")
        ctx.schedule("ec2.volume.detach", DETACHED_JOB, _job(ctx, record, instance_id))
    shown = VOLUME.require(ctx, volume_id)["Attachments"][0]
    return {k: v for k, v in shown.items() if k != "DeleteOnTermination"}


def _is_root(instance: InstanceRecord, attachment: Record) -> bool:
    return bool(attachment["Device"] == instance.get("RootDeviceName"))


def finish_detach_job(ctx: RequestContext, payload: Record) -> None:
    record, instance = _current(ctx, payload)
    if record is None or record["Attachments"][0]["State"] != "detaching":
        return
    record["Attachments"] = []
    record["State"] = "available"
    VOLUME.save(ctx, record)
    if instance is not None:
        instance["BlockDeviceMappings"] = [
            m for m in instance["BlockDeviceMappings"] if (m.get("Ebs") or {}).get("VolumeId") != record["VolumeId"]
        ]
        instances.save(ctx, instance)
