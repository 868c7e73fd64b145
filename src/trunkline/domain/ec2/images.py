"""The AMIs trunkline knows: the ECS-optimized images users' tooling resolves (through SSM public
parameters or DescribeImages), an old ECS image whose agent predates trunking, and a plain Amazon
Linux image without the ECS agent.

Images are not stored: they are the same in every account. Their ids are derived from the region
and the image name, so each region has its own, stable ids (as AWS's per-region copies do).
What each image ships (ECS agent, ecs-init, runtime) is kept beside the AWS shape, for the
simulated agent to decide what the instance can do (see `agent_info`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import paging
from trunkline.domain.ec2.filters import Extractor, check_filters, matches
from trunkline.domain.ec2.paging import page
from trunkline.domain.ec2.records import ImageTagsRecord
from trunkline.domain.resource_kind import IdFormat, NotFound, ResourceKind
from trunkline.errors import AwsError
from trunkline.store.scope import Scope

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]

ECS_OWNER = "591542846629"  # owner of the Linux ECS-optimized AMIs
WINDOWS_OWNER = "801119661308"  # owner of Amazon's Windows AMIs, ECS-optimized ones included
AMAZON_LINUX_OWNER = "137112412989"  # owner of the plain Amazon Linux AMIs

_IMAGE_ID = re.compile(r"ami-[0-9a-f]{8}(?:[0-9a-f]{9})?")


@dataclass(frozen=True)
class AgentInfo:
    """What an image ships for ECS; the simulated agent decides trunking support from it."""

    agent_version: str  # e.g. "1.85.1"
    ecs_init_version: str | None  # e.g. "1.85.1-1"; None on Windows (no ecs-init there)
    runtime_version: str  # as the SSM metadata spells it, e.g. "Docker version 25.0.3"
    os_type: str  # "linux" or "windows"
    os_family: str  # the agent's ecs.os-family attribute, e.g. "LINUX", "WINDOWS_SERVER_2022_FULL"


@dataclass(frozen=True)
class ImageSpec:
    name: str
    description: str
    architecture: str
    owner_id: str
    created: str  # ISO 8601, as DescribeImages prints it
    root_device: str
    volume_size: int
    volume_type: str
    agent: AgentInfo | None = None
    platform: str | None = None  # "windows" or None
    os_name: str | None = None  # the "os" of the SSM metadata, e.g. "Amazon Linux 2023"
    source_image_name: str | None = None
    boot_mode: str | None = None
    imds_support: str | None = None
    extra_volumes: tuple[tuple[str, int], ...] = ()  # (device, GiB) beyond the root volume
    deprecated: str | None = None  # ISO 8601 deprecation time, if set
    #: What the image's own /etc/ecs/ecs.config holds before user data appends to it.
    ecs_config: tuple[tuple[str, str], ...] = ()


_AGENT = "1.106.2"
_LINUX = AgentInfo(_AGENT, f"{_AGENT}-1", "Docker version 25.0.16", "linux", "LINUX")

AL2023_X86 = ImageSpec(
    name="al2023-ami-ecs-hvm-2023.0.20260901-kernel-6.1-x86_64",
    description="Amazon Linux AMI 2023.0.20260901 x86_64 ECS HVM EBS",
    architecture="x86_64",
    owner_id=ECS_OWNER,
    created="2026-09-02T18:49:37.000Z",
    root_device="/dev/xvda",
    volume_size=30,
    volume_type="gp3",
    agent=_LINUX,
    os_name="Amazon Linux 2023",
    source_image_name="al2023-ami-minimal-2023.12.20260831.0-kernel-6.1-x86_64",
    boot_mode="uefi-preferred",
    imds_support="v2.0",
)
AL2023_ARM = ImageSpec(
    name="al2023-ami-ecs-hvm-2023.0.20260901-kernel-6.1-arm64",
    description="Amazon Linux AMI 2023.0.20260901 arm64 ECS HVM EBS",
    architecture="arm64",
    owner_id=ECS_OWNER,
    created="2026-09-02T18:52:10.000Z",
    root_device="/dev/xvda",
    volume_size=30,
    volume_type="gp3",
    agent=_LINUX,
    os_name="Amazon Linux 2023",
    source_image_name="al2023-ami-minimal-2023.12.20260831.0-kernel-6.1-arm64",
    boot_mode="uefi",
    imds_support="v2.0",
)
AL2_X86 = ImageSpec(
    name="amzn2-ami-ecs-hvm-2.0.20260901-x86_64-ebs",
    description="Amazon Linux AMI 2.0.20260901 x86_64 ECS HVM GP2",
    architecture="x86_64",
    owner_id=ECS_OWNER,
    created="2026-09-02T18:40:04.000Z",
    root_device="/dev/xvda",
    volume_size=30,
    volume_type="gp2",
    agent=_LINUX,
    os_name="Amazon Linux 2",
    source_image_name="amzn2-ami-minimal-hvm-2.0.20260831.0-x86_64-ebs",
)
#: The GPU-optimized ECS AMI (Amazon Linux 2 only, x86_64): NVIDIA drivers and the container
#: toolkit, and GPU support switched on in the agent's configuration.
AL2_GPU = replace(
    AL2_X86,
    name="amzn2-ami-ecs-gpu-hvm-2.0.20260901-x86_64-ebs",
    created="2026-09-02T19:02:11.000Z",
    ecs_config=(("ECS_ENABLE_GPU_SUPPORT", "true"),),
)
AL2_ARM = ImageSpec(
    name="amzn2-ami-ecs-hvm-2.0.20260901-arm64-ebs",
    description="Amazon Linux AMI 2.0.20260901 arm64 ECS HVM GP2",
    architecture="arm64",
    owner_id=ECS_OWNER,
    created="2026-09-02T18:43:18.000Z",
    root_device="/dev/xvda",
    volume_size=30,
    volume_type="gp2",
    agent=_LINUX,
    os_name="Amazon Linux 2",
    source_image_name="amzn2-ami-minimal-hvm-2.0.20260831.0-arm64-ebs",
)
WINDOWS_2022_FULL = ImageSpec(
    name="Windows_Server-2022-English-Full-ECS_Optimized-2026.09.10",
    description="Microsoft Windows Server 2022 Full Locale English AMI provided by Amazon with ECS Optimization",
    architecture="x86_64",
    owner_id=WINDOWS_OWNER,
    created="2026-09-10T08:12:45.000Z",
    root_device="/dev/sda1",
    volume_size=50,
    volume_type="gp2",
    agent=AgentInfo(_AGENT, None, "Docker version 25.0.16", "windows", "WINDOWS_SERVER_2022_FULL"),
    platform="windows",
    os_name="Windows Server 2022 Full",
)
# An Amazon Linux AMI 2018.03 ECS image (November 2018): agent 1.21.0, i.e. before trunking (1.28.1).
AL1_2018 = ImageSpec(
    name="amzn-ami-2018.03.h-amazon-ecs-optimized",
    description="Amazon Linux AMI 2018.03.h x86_64 ECS HVM GP2",
    architecture="x86_64",
    owner_id=ECS_OWNER,
    created="2018-11-06T19:21:35.000Z",
    root_device="/dev/xvda",
    volume_size=8,
    volume_type="gp2",
    agent=AgentInfo("1.21.0", "1.21.0-1", "Docker version 18.06.1-ce", "linux", "LINUX"),
    os_name="Amazon Linux",
    extra_volumes=(("/dev/xvdcz", 22),),
    deprecated="2020-11-06T19:21:00.000Z",
)
# Plain Amazon Linux 2023: no ECS agent at all.
AL2023_PLAIN = ImageSpec(
    name="al2023-ami-2023.12.20260831.0-kernel-6.1-x86_64",
    description="Amazon Linux 2023 AMI 2023.12.20260831.0 x86_64 HVM kernel-6.1",
    architecture="x86_64",
    owner_id=AMAZON_LINUX_OWNER,
    created="2026-08-31T20:13:09.000Z",
    root_device="/dev/xvda",
    volume_size=8,
    volume_type="gp3",
    os_name="Amazon Linux 2023",
    boot_mode="uefi-preferred",
    imds_support="v2.0",
)

SPECS: tuple[ImageSpec, ...] = (
    AL2023_X86,
    AL2023_ARM,
    AL2_X86,
    AL2_GPU,
    AL2_ARM,
    WINDOWS_2022_FULL,
    AL1_2018,
    AL2023_PLAIN,
)


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:16]


def image_id(region: str, spec: ImageSpec) -> str:
    """The region's id for `spec`: "ami-0" + 16 hex digits, stable across restarts."""
    return f"ami-0{_hex(region, spec.name)}"


def _block_devices(region: str, spec: ImageSpec) -> list[Record]:
    volumes = ((spec.root_device, spec.volume_size), *spec.extra_volumes)
    return [
        {
            "DeviceName": device,
            "Ebs": {
                "DeleteOnTermination": True,
                "SnapshotId": f"snap-0{_hex(region, spec.name, device)}",
                "VolumeSize": size,
                "VolumeType": spec.volume_type,
                "Encrypted": False,
            },
        }
        for device, size in volumes
    ]


def _record(region: str, spec: ImageSpec) -> Record:
    """The image in DescribeImages' shape."""
    windows = spec.platform == "windows"
    record: Record = {
        "ImageId": image_id(region, spec),
        "ImageLocation": f"amazon/{spec.name}",
        "State": "available",
        "OwnerId": spec.owner_id,
        "CreationDate": spec.created,
        "Public": True,
        "Architecture": spec.architecture,
        "ImageType": "machine",
        "Name": spec.name,
        "Description": spec.description,
        "ImageOwnerAlias": "amazon",
        "RootDeviceName": spec.root_device,
        "RootDeviceType": "ebs",
        "VirtualizationType": "hvm",
        "Hypervisor": "xen",
        "EnaSupport": True,
        "SriovNetSupport": "simple",
        "PlatformDetails": "Windows" if windows else "Linux/UNIX",
        "UsageOperation": "RunInstances:0002" if windows else "RunInstances",
        "BlockDeviceMappings": _block_devices(region, spec),
        "DeprecationTime": spec.deprecated or _two_years_after(spec.created),
    }
    if windows:
        record["Platform"] = "windows"
    if spec.boot_mode:
        record["BootMode"] = spec.boot_mode
    if spec.imds_support:
        record["ImdsSupport"] = spec.imds_support
    return record


def _two_years_after(created: str) -> str:
    # AWS sets ECS-optimized AMIs to deprecate two years after creation.
    year = int(created[:4]) + 2
    return f"{year}{created[4:16]}:00.000Z"


@cache
def _region_images(region: str) -> tuple[tuple[ImageSpec, str], ...]:
    return tuple((spec, image_id(region, spec)) for spec in SPECS)


def images(region: str) -> list[Record]:
    """Every image of the region in DescribeImages' shape, sorted by id."""
    return sorted((_record(region, spec) for spec in SPECS), key=lambda r: r["ImageId"])


def find_spec(region: str, image_id_: str) -> ImageSpec | None:
    return next((spec for spec, known in _region_images(region) if known == image_id_), None)


def spec_by_name(name: str) -> ImageSpec:
    return next(spec for spec in SPECS if spec.name == name)


def is_deprecated(record: Record, now: float) -> bool:
    moment = datetime.strptime(record["DeprecationTime"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return moment.timestamp() <= now


def check_image_id(value: str) -> None:
    """EC2's InvalidAMIID.Malformed for anything not shaped like an AMI id."""
    if not _IMAGE_ID.fullmatch(value):
        raise AwsError("InvalidAMIID.Malformed", f'Invalid id: "{value}" (expecting "ami-...")')


def _exists(ctx: RequestContext, image_id_: str) -> bool:
    return find_spec(ctx.region, image_id_) is not None


#: Images are not stored: the store holds each account's tags on them (CreateTags on an AMI), which
#: are that account's alone, as EC2 keeps tags on a public image. A record: `ImageId`, `Tags`.
IMAGE_TAGS: ResourceKind[ImageTagsRecord] = ResourceKind(
    name="ec2.image-tags",
    scope=Scope.ACCOUNT_REGION,
    id_field="ImageId",
    id_format=IdFormat("ami", "InvalidAMIID.Malformed"),
    # EC2 prints the ids as a bracketed list even for one id (a cosmetic quirk AWS keeps).
    not_found=NotFound("InvalidAMIID.NotFound", "The image id '[{}]' does not exist"),
    tag_type="image",
    exists=_exists,
)


def not_found(image_ids: list[str]) -> AwsError:
    return IMAGE_TAGS.missing(*image_ids)


def get_image(ctx: RequestContext, image_id_: str) -> Record:
    """The image record (DescribeImages' shape) for RunInstances and friends; raises
    InvalidAMIID.Malformed or InvalidAMIID.NotFound as EC2 does."""
    check_image_id(image_id_)
    spec = find_spec(ctx.region, image_id_)
    if spec is None:
        raise not_found([image_id_])
    return _record(ctx.region, spec)


def ecs_config(region: str, image_id_: str) -> tuple[tuple[str, str], ...]:
    """The agent configuration an image presets (the GPU AMI switches GPU support on)."""
    spec = find_spec(region, image_id_)
    return spec.ecs_config if spec else ()


def agent_info(region: str, image_id_: str) -> AgentInfo | None:
    """The ECS agent an image ships, or None (unknown image, or an image without the agent)."""
    spec = find_spec(region, image_id_)
    return spec.agent if spec else None


# --- DescribeImages ---------------------------------------------------------------------------------

_LISTING = "ec2:DescribeImages"
_OWNER_ALIASES = {"amazon", "aws-marketplace", "aws-backup-vault", "self"}
_ACCOUNT = re.compile(r"\d{12}")


def _field(name: str) -> Extractor:
    return lambda record: [record[name]] if name in record else []


def _ebs(name: str) -> Extractor:
    return lambda record: [m["Ebs"][name] for m in record["BlockDeviceMappings"] if name in m.get("Ebs", {})]


IMAGE_FILTERS: dict[str, Extractor] = {
    "architecture": _field("Architecture"),
    "boot-mode": _field("BootMode"),
    "creation-date": _field("CreationDate"),
    "deprecation-time": _field("DeprecationTime"),
    "description": _field("Description"),
    "ena-support": _field("EnaSupport"),
    "hypervisor": _field("Hypervisor"),
    "image-id": _field("ImageId"),
    "image-type": _field("ImageType"),
    "imds-support": _field("ImdsSupport"),
    "is-public": _field("Public"),
    "manifest-location": _field("ImageLocation"),
    "name": _field("Name"),
    "owner-alias": _field("ImageOwnerAlias"),
    "owner-id": _field("OwnerId"),
    "platform": _field("Platform"),
    "platform-details": _field("PlatformDetails"),
    "root-device-name": _field("RootDeviceName"),
    "root-device-type": _field("RootDeviceType"),
    "sriov-net-support": _field("SriovNetSupport"),
    "state": _field("State"),
    "usage-operation": _field("UsageOperation"),
    "virtualization-type": _field("VirtualizationType"),
    "block-device-mapping.device-name": lambda r: [m["DeviceName"] for m in r["BlockDeviceMappings"]],
    "block-device-mapping.snapshot-id": _ebs("SnapshotId"),
    "block-device-mapping.volume-size": _ebs("VolumeSize"),
    "block-device-mapping.volume-type": _ebs("VolumeType"),
    "block-device-mapping.encrypted": _ebs("Encrypted"),
    "block-device-mapping.delete-on-termination": _ebs("DeleteOnTermination"),
}


def _owned_by(record: Record, owners: list[str], account_id: str) -> bool:
    for owner in owners:
        if owner == "self" and record["OwnerId"] == account_id:
            return True
        if owner in (record["OwnerId"], record.get("ImageOwnerAlias")):
            return True
    return False


def _check_owners(owners: list[str]) -> None:
    for owner in owners:
        if owner not in _OWNER_ALIASES and not _ACCOUNT.fullmatch(owner):
            raise AwsError("InvalidUserID.Malformed", f'Invalid user id: "{owner}"')


def _by_ids(region: str, ids: list[str]) -> list[Record]:
    for value in ids:  # every id's form is checked before any is looked up
        check_image_id(value)
    wanted = list(dict.fromkeys(ids))
    missing = [value for value in wanted if find_spec(region, value) is None]
    if missing:
        raise not_found(missing)
    return [r for r in images(region) if r["ImageId"] in wanted]


def _add_tags(ctx: RequestContext, records: list[Record]) -> None:
    """The caller's own tags on each image (the member is absent when there are none, as in EC2)."""
    tagged = {overlay["ImageId"]: overlay["Tags"] for overlay in IMAGE_TAGS.scan(ctx) if overlay["Tags"]}
    for record in records:
        if record["ImageId"] in tagged:
            record["Tags"] = tagged[record["ImageId"]]


def describe_images(ctx: RequestContext, params: shapes.DescribeImagesRequest) -> tuple[list[Record], str | None]:
    """One page of DescribeImages. Named images must all exist; without ids, deprecated images are
    left out unless IncludeDeprecated is set (as EC2 does)."""
    filters = params.get("Filters")
    check_filters(filters, IMAGE_FILTERS)
    owners = params.get("Owners") or []
    _check_owners(owners)
    ids = params.get("ImageIds") or []
    paging.refuse_ids_with_max_results(ids, params, "imageIdsSet")
    if ids:
        records = _by_ids(ctx.region, ids)
    else:
        records = images(ctx.region)
        if not params.get("IncludeDeprecated"):
            records = [r for r in records if not is_deprecated(r, ctx.now)]
    if owners:
        records = [r for r in records if _owned_by(r, owners, ctx.account_id)]
    _add_tags(ctx, records)
    matching = [r for r in records if matches(r, filters, IMAGE_FILTERS)]
    return page(ctx, _LISTING, matching, "ImageId", params, minimum=5, maximum=1000)
