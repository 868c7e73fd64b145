"""Every stored kind of EC2 record, declared once (see `domain/resource_kind.py`).

To add a kind: declare it here (store kind, scope, id format, indexes, NotFound, tag type), list
it in `ALL`, and write its behaviour in its own module, which reads and writes records only
through the declaration. Tagging (CreateTags, DeleteTags, DescribeTags, TagSpecifications) then
works for it with nothing more to do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import images, quota_indexes
from trunkline.domain.ec2.records import (
    ClientTokenRecord,
    DefaultVpcMarkerRecord,
    ElasticIpRecord,
    EniGroupRecord,
    FreeAddressRecord,
    InstanceRecord,
    InternetGatewayRecord,
    LaunchTemplateRecord,
    LaunchTemplateVersionRecord,
    NatGatewayRecord,
    NetworkAclRecord,
    NetworkInterfaceRecord,
    PublicIpRecord,
    RouteTableRecord,
    SecurityGroupRecord,
    SnapshotRecord,
    SubnetAddressRecord,
    SubnetRecord,
    TrunkAssociationRecord,
    VolumeRecord,
    VpcRecord,
)
from trunkline.domain.resource_kind import IdFormat, NotFound, ResourceKind, public
from trunkline.store.scope import Scope

Record = dict[str, Any]

#: How long EC2 keeps showing a terminated instance.
TERMINATED_VISIBLE_SECONDS = 3600.0


def owned(ctx: RequestContext, record: Mapping[str, Any]) -> bool:
    """EC2 records are per region; another account's does not exist for the caller."""
    return bool(record["OwnerId"] == ctx.account_id)


def _subnet_visible(ctx: RequestContext, record: Mapping[str, Any]) -> bool:
    # A subnet created for another account (the trunkline:owner-id tag) stays visible to its creator.
    return ctx.account_id in (record["OwnerId"], record["_Creator"])


def _instance_visible(ctx: RequestContext, record: Mapping[str, Any]) -> bool:
    """Owned by the caller, and not terminated for longer than EC2 keeps showing it."""
    if record["OwnerId"] != ctx.account_id:
        return False
    gone = record.get("_TerminatedAt")
    return gone is None or ctx.now - gone < TERMINATED_VISIBLE_SECONDS


def _in_vpc(record: Mapping[str, Any]) -> Mapping[str, str | None]:
    return {"vpc": record["VpcId"], "owner": record["OwnerId"]}


def _eni_indexes(record: Mapping[str, Any]) -> Mapping[str, str | None]:
    attachment = record.get("Attachment")
    return {
        "instance": attachment["InstanceId"] if attachment else None,
        "attachment": attachment["AttachmentId"] if attachment else None,
        "subnet": record["SubnetId"],
        "vpc": record["VpcId"],
        "ip": record["PrivateIpAddress"],
        "type": record["InterfaceType"],
        "mac": record["MacAddress"],
        quota_indexes.ENI_FIELD: quota_indexes.eni_index(record),
    }


def _instance_indexes(record: Mapping[str, Any]) -> Mapping[str, str | None]:
    return {
        "subnet": record["SubnetId"],
        "vpc": record["VpcId"],
        "state": record["State"]["Name"],
        "reservation": record["ReservationId"],
        quota_indexes.VCPU_FIELD: quota_indexes.vcpu_index(record),
    }


def association_slot(trunk_id: str, protocol: str, number: int) -> str:
    """The index value that keeps one VLAN id (or GRE key) to one branch per trunk."""
    return f"{trunk_id}/{protocol}/{number}"


def _association_indexes(record: Mapping[str, Any]) -> Mapping[str, str | None]:
    protocol = record["InterfaceProtocol"]
    number = record["VlanId"] if protocol == "VLAN" else record["GreKey"]
    return {
        "trunk": record["TrunkInterfaceId"],
        "branch": record["BranchInterfaceId"],
        "slot": association_slot(record["TrunkInterfaceId"], protocol, number),
    }


#: DescribeVpcAttribute's attributes, kept on the record but not in the Vpc shape.
VPC_ATTRIBUTES = ("EnableDnsSupport", "EnableDnsHostnames", "EnableNetworkAddressUsageMetrics")


def _vpc_view(record: Mapping[str, Any]) -> Record:
    return {k: v for k, v in public(record).items() if k not in VPC_ATTRIBUTES}


VPC: ResourceKind[VpcRecord] = ResourceKind(
    name="ec2.vpc",
    scope=Scope.REGION,
    id_field="VpcId",
    id_format=IdFormat("vpc", "InvalidVpcID.Malformed"),
    not_found=NotFound("InvalidVpcID.NotFound", "The vpc ID '{}' does not exist"),
    indexes=lambda record: {"owner": record["OwnerId"]},
    visible=owned,
    tag_type="vpc",
    view=_vpc_view,
)

SUBNET: ResourceKind[SubnetRecord] = ResourceKind(
    name="ec2.subnet",
    scope=Scope.REGION,
    id_field="SubnetId",
    id_format=IdFormat("subnet", "InvalidSubnetID.Malformed"),
    not_found=NotFound("InvalidSubnetID.NotFound", "The subnet ID '{}' does not exist"),
    indexes=_in_vpc,
    visible=_subnet_visible,
    tag_type="subnet",
)

SECURITY_GROUP: ResourceKind[SecurityGroupRecord] = ResourceKind(
    name="ec2.security-group",
    scope=Scope.REGION,
    id_field="GroupId",
    id_format=IdFormat("sg", "InvalidGroupId.Malformed"),
    not_found=NotFound("InvalidGroup.NotFound", "The security group '{}' does not exist"),
    indexes=_in_vpc,
    visible=owned,
    tag_type="security-group",
)

NETWORK_INTERFACE: ResourceKind[NetworkInterfaceRecord] = ResourceKind(
    name="ec2.eni",
    scope=Scope.REGION,
    id_field="NetworkInterfaceId",
    id_format=IdFormat("eni", "InvalidNetworkInterfaceId.Malformed"),
    not_found=NotFound(
        "InvalidNetworkInterfaceID.NotFound",
        "The networkInterface ID '{}' does not exist",
        plural="The networkInterface IDs '{}' do not exist",
    ),
    indexes=_eni_indexes,
    global_indexes=frozenset({"mac"}),
    visible=owned,
    tag_type="network-interface",
)

INSTANCE: ResourceKind[InstanceRecord] = ResourceKind(
    name="ec2.instance",
    scope=Scope.REGION,
    id_field="InstanceId",
    id_format=IdFormat("i", "InvalidInstanceID.Malformed"),
    not_found=NotFound(
        "InvalidInstanceID.NotFound",
        "The instance ID '{}' does not exist",
        plural="The instance IDs '{}' do not exist",
    ),
    indexes=_instance_indexes,
    visible=_instance_visible,
    tag_type="instance",
)

TRUNK_ASSOCIATION: ResourceKind[TrunkAssociationRecord] = ResourceKind(
    name="ec2.trunk-association",
    scope=Scope.REGION,
    id_field="AssociationId",
    id_format=IdFormat("trunk-assoc", "InvalidAssociationID.Malformed"),
    not_found=NotFound("InvalidAssociationID.NotFound", "The association ID '{}' does not exist"),
    indexes=_association_indexes,
    visible=owned,
    tag_type="trunk-association",
)

#: One document per (ENI, security group): counts a group's members without reading every ENI.
ENI_GROUP: ResourceKind[EniGroupRecord] = ResourceKind(
    name="ec2.eni-group",
    scope=Scope.REGION,
    id_field="NetworkInterfaceId",
    record_key=lambda record: f"{record['NetworkInterfaceId']}/{record['GroupId']}",
    indexes=lambda record: {"group": record["GroupId"]},
)


def _privately_owned(ctx: RequestContext, record: Mapping[str, Any]) -> bool:
    """Kinds whose output shape has no OwnerId keep the owner in `_Owner`."""
    return bool(record["_Owner"] == ctx.account_id)


#: How long EC2 keeps showing a deleted or failed NAT gateway.
NAT_GATEWAY_GONE_SECONDS = 3600.0


def _nat_gateway_visible(ctx: RequestContext, record: Mapping[str, Any]) -> bool:
    gone = record.get("_DeletedAt")
    return _privately_owned(ctx, record) and (gone is None or ctx.now - gone < NAT_GATEWAY_GONE_SECONDS)


def _attached_vpc(record: Mapping[str, Any]) -> Mapping[str, str | None]:
    attached = next((a["VpcId"] for a in record["Attachments"]), None)
    return {"owner": record["OwnerId"], "vpc": attached}


def _address_indexes(record: Mapping[str, Any]) -> Mapping[str, str | None]:
    return {
        "owner": record["_Owner"],
        "eni": record.get("NetworkInterfaceId"),
        "association": record.get("AssociationId"),
        "ip": record["PublicIp"],
    }


INTERNET_GATEWAY: ResourceKind[InternetGatewayRecord] = ResourceKind(
    name="ec2.internet-gateway",
    scope=Scope.REGION,
    id_field="InternetGatewayId",
    id_format=IdFormat("igw", "InvalidInternetGatewayID.Malformed"),
    not_found=NotFound("InvalidInternetGatewayID.NotFound", "The internetGateway ID '{}' does not exist"),
    indexes=_attached_vpc,
    visible=owned,
    tag_type="internet-gateway",
)

ROUTE_TABLE: ResourceKind[RouteTableRecord] = ResourceKind(
    name="ec2.route-table",
    scope=Scope.REGION,
    id_field="RouteTableId",
    id_format=IdFormat("rtb", "InvalidRouteTableID.Malformed"),
    not_found=NotFound("InvalidRouteTableID.NotFound", "The routeTable ID '{}' does not exist"),
    indexes=_in_vpc,
    visible=owned,
    tag_type="route-table",
)

NETWORK_ACL: ResourceKind[NetworkAclRecord] = ResourceKind(
    name="ec2.network-acl",
    scope=Scope.REGION,
    id_field="NetworkAclId",
    id_format=IdFormat("acl", "InvalidNetworkAclID.Malformed"),
    not_found=NotFound("InvalidNetworkAclID.NotFound", "The networkAcl ID '{}' does not exist"),
    indexes=_in_vpc,
    visible=owned,
    tag_type="network-acl",
)

NAT_GATEWAY: ResourceKind[NatGatewayRecord] = ResourceKind(
    name="ec2.nat-gateway",
    scope=Scope.REGION,
    id_field="NatGatewayId",
    id_format=IdFormat("nat", "InvalidNatGatewayID.Malformed"),
    not_found=NotFound("NatGatewayNotFound", "NAT gateway {} was not found"),
    indexes=lambda record: {"owner": record["_Owner"], "vpc": record["VpcId"]},
    visible=_nat_gateway_visible,
    tag_type="natgateway",
)

ELASTIC_IP: ResourceKind[ElasticIpRecord] = ResourceKind(
    name="ec2.address",
    scope=Scope.REGION,
    id_field="AllocationId",
    id_format=IdFormat("eipalloc", "InvalidAllocationID.Malformed"),
    not_found=NotFound("InvalidAllocationID.NotFound", "The allocation ID '{}' does not exist"),
    indexes=_address_indexes,
    visible=_privately_owned,
    tag_type="elastic-ip",
)


def _volume_indexes(record: Mapping[str, Any]) -> Mapping[str, str | None]:
    attachments = record["Attachments"]
    return {"instance": attachments[0]["InstanceId"] if attachments else None, "owner": record["_Owner"]}


VOLUME: ResourceKind[VolumeRecord] = ResourceKind(
    name="ec2.volume",
    scope=Scope.REGION,
    id_field="VolumeId",
    id_format=IdFormat("vol", "InvalidVolumeID.Malformed"),
    not_found=NotFound("InvalidVolume.NotFound", "The volume '{}' does not exist."),
    indexes=_volume_indexes,
    visible=_privately_owned,
    tag_type="volume",
)

SNAPSHOT: ResourceKind[SnapshotRecord] = ResourceKind(
    name="ec2.snapshot",
    scope=Scope.REGION,
    id_field="SnapshotId",
    id_format=IdFormat("snap", "InvalidSnapshotID.Malformed"),
    not_found=NotFound("InvalidSnapshot.NotFound", "The snapshot '{}' does not exist."),
    indexes=lambda record: {"owner": record["OwnerId"], "volume": record["VolumeId"]},
    visible=owned,
    tag_type="snapshot",
)

LAUNCH_TEMPLATE: ResourceKind[LaunchTemplateRecord] = ResourceKind(
    name="ec2.launch-template",
    scope=Scope.REGION,
    id_field="LaunchTemplateId",
    id_format=IdFormat("lt", "InvalidLaunchTemplateId.Malformed"),
    not_found=NotFound(
        "InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID {}, does not exist."
    ),
    indexes=lambda record: {"owner": record["_Owner"], "name": f"{record['_Owner']}/{record['LaunchTemplateName']}"},
    visible=_privately_owned,
    tag_type="launch-template",
)

#: One document per launch template version, keyed `lt-…/NNNNNN` so a template's versions sort in order.
LAUNCH_TEMPLATE_VERSION: ResourceKind[LaunchTemplateVersionRecord] = ResourceKind(
    name="ec2.launch-template-version",
    scope=Scope.REGION,
    id_field="LaunchTemplateId",
    record_key=lambda record: f"{record['LaunchTemplateId']}/{record['VersionNumber']:06d}",
    indexes=lambda record: {"template": record["LaunchTemplateId"]},
)

#: One document per account and region once its default VPC was given (see `default_vpc`): a
#: deleted default VPC is not given again, except by CreateDefaultVpc.
DEFAULT_VPC_MARKER: ResourceKind[DefaultVpcMarkerRecord] = ResourceKind(
    name="ec2.default-vpc-marker",
    scope=Scope.ACCOUNT_REGION,
    id_field="Marker",
)

#: The per-subnet private address ledger (`addressing.py`): one entry per allocated address and
#: one per released offset below the allocation cursor, both keyed `SUBNET-ID/OFFSET` (the offset
#: from the network address, zero-padded, so key order is address order).
SUBNET_ADDRESS: ResourceKind[SubnetAddressRecord] = ResourceKind(
    name="ec2.subnet-ip", scope=Scope.REGION, id_field="Address"
)
SUBNET_FREE_ADDRESS: ResourceKind[FreeAddressRecord] = ResourceKind(
    name="ec2.subnet-free-ip", scope=Scope.REGION, id_field="SubnetId"
)

ALL: tuple[ResourceKind[Any], ...] = (
    VPC,
    SUBNET,
    SECURITY_GROUP,
    NETWORK_INTERFACE,
    INSTANCE,
    TRUNK_ASSOCIATION,
    images.IMAGE_TAGS,
    ENI_GROUP,
    INTERNET_GATEWAY,
    ROUTE_TABLE,
    NETWORK_ACL,
    NAT_GATEWAY,
    ELASTIC_IP,
    VOLUME,
    SNAPSHOT,
    LAUNCH_TEMPLATE,
    LAUNCH_TEMPLATE_VERSION,
    DEFAULT_VPC_MARKER,
)

#: id prefix (`vpc`, `subnet`, `ami`, ...) -> the taggable kind it names
TAGGABLE: Mapping[str, ResourceKind[Any]] = {
    kind.id_format.prefix: kind for kind in ALL if kind.tag_type is not None and kind.id_format is not None
}


#: EC2 idempotency (`client_tokens.py`): per operation and token, the first answer and a
#: fingerprint of the request.
CLIENT_TOKEN: ResourceKind[ClientTokenRecord] = ResourceKind(
    name="ec2.client-token",
    scope=Scope.ACCOUNT_REGION,
    id_field="token",
    record_key=lambda record: f"{record['operation']}/{record['token']}",
)

#: Public IPv4 addresses in use (auto-assigned or Elastic), keyed by the address: unique across
#: every account and region, so unscoped.
PUBLIC_IP: ResourceKind[PublicIpRecord] = ResourceKind(name="ec2.public-ip", scope=Scope.GLOBAL, id_field="Address")
