"""DescribeInstances: candidates from ids or indexes, the Instance view, filters, reservations.

Filters are matched on the view (so `private-ip-address` sees the primary ENI's address, as in
EC2). Instances are listed in launch order and paged by instance; the page is then grouped into
reservations, so a reservation can span two pages, as it can in EC2.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import filters, instances, paging
from trunkline.domain.ec2 import network_interfaces as enis
from trunkline.domain.ec2.kinds import INSTANCE, NETWORK_INTERFACE
from trunkline.domain.ec2.records import InstanceRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]

_ORDER = "_Order"


_field = filters.field


def _each_interface(*path: str) -> filters.Extractor:
    inner = _field(*path)
    return lambda r: [v for eni in r.get("NetworkInterfaces", []) for v in inner(eni)]


def _each_address(field: str) -> filters.Extractor:
    return lambda r: [
        a[field] for eni in r.get("NetworkInterfaces", []) for a in eni["PrivateIpAddresses"] if field in a
    ]


INSTANCE_FILTERS: dict[str, filters.Extractor] = {
    "instance-id": _field("InstanceId"),
    "instance-state-name": _field("State", "Name"),
    "instance-state-code": _field("State", "Code"),
    "instance-type": _field("InstanceType"),
    "image-id": _field("ImageId"),
    "subnet-id": _field("SubnetId"),
    "vpc-id": _field("VpcId"),
    "availability-zone": _field("Placement", "AvailabilityZone"),
    "tenancy": _field("Placement", "Tenancy"),
    "architecture": _field("Architecture"),
    "reservation-id": _field("ReservationId"),
    "owner-id": _field("OwnerId"),
    "ami-launch-index": _field("AmiLaunchIndex"),
    "client-token": _field("ClientToken"),
    "key-name": _field("KeyName"),
    "hypervisor": _field("Hypervisor"),
    "virtualization-type": _field("VirtualizationType"),
    "root-device-type": _field("RootDeviceType"),
    "root-device-name": _field("RootDeviceName"),
    "platform-details": _field("PlatformDetails"),
    "iam-instance-profile.arn": _field("IamInstanceProfile", "Arn"),
    "iam-instance-profile.id": _field("IamInstanceProfile", "Id"),
    "private-ip-address": _field("PrivateIpAddress"),
    "ip-address": _field("PublicIpAddress"),
    "private-dns-name": _field("PrivateDnsName"),
    "dns-name": _field("PublicDnsName"),
    "state-reason-code": _field("StateReason", "Code"),
    "instance.group-id": lambda r: [g["GroupId"] for g in r.get("SecurityGroups", [])],
    "instance.group-name": lambda r: [g["GroupName"] for g in r.get("SecurityGroups", [])],
    "private-dns-name-options.hostname-type": _field("PrivateDnsNameOptions", "HostnameType"),
    "private-dns-name-options.enable-resource-name-dns-a-record": _field(
        "PrivateDnsNameOptions", "EnableResourceNameDnsARecord"
    ),
    "private-dns-name-options.enable-resource-name-dns-aaaa-record": _field(
        "PrivateDnsNameOptions", "EnableResourceNameDnsAAAARecord"
    ),
    "metadata-options.http-tokens": _field("MetadataOptions", "HttpTokens"),
    "block-device-mapping.device-name": lambda r: [m["DeviceName"] for m in r.get("BlockDeviceMappings", [])],
    "block-device-mapping.volume-id": lambda r: [m["Ebs"]["VolumeId"] for m in r.get("BlockDeviceMappings", [])],
    "block-device-mapping.status": lambda r: [m["Ebs"]["Status"] for m in r.get("BlockDeviceMappings", [])],
    "block-device-mapping.delete-on-termination": lambda r: [
        m["Ebs"]["DeleteOnTermination"] for m in r.get("BlockDeviceMappings", [])
    ],
    "block-device-mapping.attach-time": lambda r: [
        filters.written_time(m["Ebs"]["AttachTime"]) for m in r.get("BlockDeviceMappings", [])
    ],
    "network-interface.network-interface-id": _each_interface("NetworkInterfaceId"),
    "network-interface.subnet-id": _each_interface("SubnetId"),
    "network-interface.vpc-id": _each_interface("VpcId"),
    "network-interface.mac-address": _each_interface("MacAddress"),
    "network-interface.private-dns-name": _each_interface("PrivateDnsName"),
    "network-interface.status": _each_interface("Status"),
    "network-interface.description": _each_interface("Description"),
    "network-interface.source-dest-check": _each_interface("SourceDestCheck"),
    "network-interface.attachment.attachment-id": _each_interface("Attachment", "AttachmentId"),
    "network-interface.attachment.device-index": _each_interface("Attachment", "DeviceIndex"),
    "network-interface.attachment.status": _each_interface("Attachment", "Status"),
    "network-interface.attachment.delete-on-termination": _each_interface("Attachment", "DeleteOnTermination"),
    "network-interface.group-id": lambda r: [
        g["GroupId"] for eni in r.get("NetworkInterfaces", []) for g in eni["Groups"]
    ],
    "network-interface.addresses.private-ip-address": _each_address("PrivateIpAddress"),
    "network-interface.addresses.primary": _each_address("Primary"),
    "network-interface.association.public-ip": _each_interface("Association", "PublicIp"),
    # Documented filters on what the instance's answer shows (they were refused as invalid).
    "availability-zone-id": _field("Placement", "AvailabilityZoneId"),
    "placement-group-name": _field("Placement", "GroupName"),
    "launch-time": lambda r: [filters.written_time(r["LaunchTime"])],
    "ebs-optimized": _field("EbsOptimized"),
    "ena-support": _field("EnaSupport"),
    "source-dest-check": _field("SourceDestCheck"),
    "monitoring-state": _field("Monitoring", "State"),
    "platform": _field("Platform"),
    "reason": _field("StateTransitionReason"),
    "state-reason-message": _field("StateReason", "Message"),
    "current-instance-boot-mode": _field("CurrentInstanceBootMode"),
    "boot-mode": _field("BootMode"),
    "usage-operation": _field("UsageOperation"),
    "usage-operation-update-time": lambda r: [filters.written_time(r["UsageOperationUpdateTime"])],
    "metadata-options.http-endpoint": _field("MetadataOptions", "HttpEndpoint"),
    "metadata-options.http-put-response-hop-limit": _field("MetadataOptions", "HttpPutResponseHopLimit"),
    "metadata-options.http-protocol-ipv4": _field("MetadataOptions", "HttpProtocolIpv4"),
    "metadata-options.http-protocol-ipv6": _field("MetadataOptions", "HttpProtocolIpv6"),
    "metadata-options.instance-metadata-tags": _field("MetadataOptions", "InstanceMetadataTags"),
    "metadata-options.state": _field("MetadataOptions", "State"),
    "network-interface.attachment.instance-id": lambda r: [r["InstanceId"]] if r.get("NetworkInterfaces") else [],
    "network-interface.attachment.instance-owner-id": lambda r: [r["OwnerId"]] if r.get("NetworkInterfaces") else [],
    "network-interface.attachment.attach-time": lambda r: [
        filters.written_time(eni["Attachment"]["AttachTime"]) for eni in r.get("NetworkInterfaces", [])
    ],
    "network-interface.attachment.network-card-index": _each_interface("Attachment", "NetworkCardIndex"),
    "network-interface.availability-zone": lambda r: (
        [r["Placement"]["AvailabilityZone"]] if r.get("NetworkInterfaces") else []
    ),
    "network-interface.owner-id": _each_interface("OwnerId"),
    "network-interface.private-ip-address": _each_interface("PrivateIpAddress"),
    "network-interface.group-name": lambda r: [
        g["GroupName"] for eni in r.get("NetworkInterfaces", []) for g in eni["Groups"]
    ],
    "network-interface.association.ip-owner-id": _each_interface("Association", "IpOwnerId"),
    "network-interface.association.public-dns-name": _each_interface("Association", "PublicDnsName"),
    "network-interface.addresses.association.public-ip": lambda r: _address_association(r, "PublicIp"),
    "network-interface.addresses.association.ip-owner-id": lambda r: _address_association(r, "IpOwnerId"),
    "network-interface.addresses.association.public-dns-name": lambda r: _address_association(r, "PublicDnsName"),
    "network-interface.addresses.private-dns-name": _each_address("PrivateDnsName"),
    "network-interface.ipv6-address": lambda r: [],  # no IPv6 here (docs/decisions.md)
    "network-interface.ipv6-addresses.ipv6-address": lambda r: [],
}


def _address_association(record: Record, field: str) -> list[Any]:
    return [
        a["Association"][field]
        for eni in record.get("NetworkInterfaces", [])
        for a in eni["PrivateIpAddresses"]
        if field in (a.get("Association") or {})
    ]


#: filter name -> instance index field, for exact values.
_INDEXED = (
    ("subnet-id", "subnet"),
    ("vpc-id", "vpc"),
    ("reservation-id", "reservation"),
    ("instance-state-name", "state"),
)


def _by_index(ctx: RequestContext, field: str, values: list[str]) -> list[InstanceRecord]:
    found: dict[str, InstanceRecord] = {}
    for value in values:
        for record in INSTANCE.find(ctx, field, value):
            found[record["InstanceId"]] = record
    return list(found.values())


def _by_ids(ctx: RequestContext, instance_ids: list[str]) -> list[InstanceRecord]:
    found = (instances.find_instance(ctx, i) for i in dict.fromkeys(instance_ids) if _well_formed(i))
    return [r for r in found if r is not None]


def _well_formed(instance_id: str) -> bool:
    try:
        instances.check_instance_id(instance_id)
    except AwsError:
        return False
    return True


def _by_interfaces(ctx: RequestContext, field: str, values: list[str]) -> list[InstanceRecord]:
    owners = []
    for value in values:
        for eni in NETWORK_INTERFACE.find(ctx, field, value):
            if eni.get("Attachment"):
                owners.append(eni["Attachment"]["InstanceId"])
    return _by_ids(ctx, owners)


def _candidate_source(
    ctx: RequestContext, given: Sequence[Mapping[str, Any]] | None
) -> Callable[[], list[InstanceRecord]]:
    """Where to look: the named instances, the instances holding the named ENIs or addresses, an
    instance index, or (no exact filter to go by) every instance of the region."""
    exact = filters.filter_value(given, "instance-id")
    if exact is not None:
        return lambda: _by_ids(ctx, exact)
    eni_ids = filters.filter_value(given, "network-interface.network-interface-id")
    if eni_ids is not None:
        return lambda: _by_ids(ctx, _owners_of(ctx, eni_ids))
    addresses = filters.filter_value(given, "private-ip-address")
    if addresses is not None:
        return lambda: _by_interfaces(ctx, "ip", addresses)
    for name, field in _INDEXED:
        values = filters.filter_value(given, name)
        if values is not None:
            return _index_source(ctx, field, values)
    return lambda: INSTANCE.scan(ctx)


def _index_source(ctx: RequestContext, field: str, values: list[str]) -> Callable[[], list[InstanceRecord]]:
    return lambda: _by_index(ctx, field, values)


def _owners_of(ctx: RequestContext, eni_ids: list[str]) -> list[str]:
    owners = []
    for eni_id in eni_ids:
        eni = enis.find_network_interface(ctx, eni_id)
        if eni is not None and eni.get("Attachment"):
            owners.append(eni["Attachment"]["InstanceId"])
    return owners


def launch_order(record: InstanceRecord) -> str:
    """Where an instance sorts in DescribeInstances and DescribeInstanceStatus: by launch."""
    return f"{record['LaunchTime']:020.6f}/{record['ReservationId']}/{record['AmiLaunchIndex']:06d}"


def instances_asked(
    ctx: RequestContext,
    params: shapes.DescribeInstancesRequest
    | shapes.DescribeInstanceStatusRequest
    | shapes.DescribeInstanceCreditSpecificationsRequest,
) -> list[InstanceRecord]:
    """What DescribeInstances and DescribeInstanceStatus look at: the named instances (all must
    exist), else every visible one (through an index when a filter names one)."""
    instance_ids = params.get("InstanceIds")
    paging.refuse_ids_with_max_results(instance_ids, params, "instancesSet")
    if instance_ids:
        return instances.get_instances(ctx, instance_ids)
    return [r for r in _candidate_source(ctx, params.get("Filters"))() if instances.visible(ctx, r)]


def describe_instances(ctx: RequestContext, params: shapes.DescribeInstancesRequest) -> tuple[list[Record], str | None]:
    """One page of DescribeInstances: the Reservations and the next token."""
    given = params.get("Filters")
    filters.check_filters(given, INSTANCE_FILTERS)
    records = instances_asked(ctx, params)
    views = []
    for record in records:
        view = instances.describe_instance(ctx, record)
        if filters.matches(view, given, INSTANCE_FILTERS):
            view[_ORDER] = launch_order(record)
            views.append(view)
    views.sort(key=lambda v: v[_ORDER])
    chosen, token = paging.page(ctx, INSTANCE.name, views, _ORDER, params)
    return reservations(ctx, chosen), token


def reservations(ctx: RequestContext, views: list[Record]) -> list[Record]:
    """Group instance views (in order) into Reservation shapes."""
    grouped: dict[str, Record] = {}
    for view in views:
        view.pop(_ORDER, None)
        reservation_id = view.pop("ReservationId")
        owner = view.pop("OwnerId")  # the Reservation's member, not the Instance's
        reservation = grouped.setdefault(
            reservation_id, {"ReservationId": reservation_id, "OwnerId": owner, "Groups": [], "Instances": []}
        )
        reservation["Instances"].append(view)
    return list(grouped.values())
