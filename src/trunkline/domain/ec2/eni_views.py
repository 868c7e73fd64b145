"""DescribeNetworkInterfaces, DescribeNetworkInterfaceAttribute and DescribeTrunkInterfaceAssociations
over the ENI ledger.

Filters that name ENIs exactly (attachment.instance-id, attachment.attachment-id, subnet-id,
vpc-id, private-ip-address, mac-address, interface-type) are answered from the ledger's indexes,
so finding an instance's ENIs costs the same with ten instances or ten thousand; other filters
are checked on those candidates (or on a scan when no indexed filter is given).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import filters, lookup, paging
from trunkline.domain.ec2 import network_interfaces as enis
from trunkline.domain.ec2.kinds import NETWORK_INTERFACE, TRUNK_ASSOCIATION
from trunkline.domain.ec2.records import NetworkInterfaceRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]


def _attachment(field: str) -> Callable[[Record], list[Any]]:
    return lambda r: [r["Attachment"][field]] if r.get("Attachment") else []


def _association(field: str) -> Callable[[Record], list[Any]]:
    return lambda r: [r["Association"][field]] if field in (r.get("Association") or {}) else []


def _address_association(field: str) -> Callable[[Record], list[Any]]:
    return lambda r: [a["Association"][field] for a in r["PrivateIpAddresses"] if field in (a.get("Association") or {})]


def _attach_time(record: Record) -> list[str]:
    return [filters.written_time(record["Attachment"]["AttachTime"])] if record.get("Attachment") else []


ENI_FILTERS: dict[str, filters.Extractor] = {
    "network-interface-id": lambda r: [r["NetworkInterfaceId"]],
    "attachment.instance-id": _attachment("InstanceId"),
    "attachment.attachment-id": _attachment("AttachmentId"),
    "attachment.status": _attachment("Status"),
    "attachment.device-index": _attachment("DeviceIndex"),
    "attachment.instance-owner-id": _attachment("InstanceOwnerId"),
    "attachment.delete-on-termination": _attachment("DeleteOnTermination"),
    "attachment.network-card-index": _attachment("NetworkCardIndex"),
    "association.public-ip": _association("PublicIp"),
    "association.public-dns-name": _association("PublicDnsName"),
    "association.ip-owner-id": _association("IpOwnerId"),
    "association.allocation-id": _association("AllocationId"),
    "association.association-id": _association("AssociationId"),
    "addresses.association.public-ip": _address_association("PublicIp"),
    "addresses.association.owner-id": _address_association("IpOwnerId"),
    "attachment.attach-time": _attach_time,
    "availability-zone-id": lambda r: [r["AvailabilityZoneId"]] if r.get("AvailabilityZoneId") else [],
    "ipv6-addresses.ipv6-address": lambda r: [a["Ipv6Address"] for a in r.get("Ipv6Addresses") or []],
    # No ENI here is managed by an operator (EC2's output leaves `Operator` out for them).
    "operator.managed": lambda r: [False],
    "operator.principal": lambda r: [],
    "availability-zone": lambda r: [r["AvailabilityZone"]],
    "description": lambda r: [r["Description"]],
    "group-id": lambda r: [g["GroupId"] for g in r["Groups"]],
    "group-name": lambda r: [g["GroupName"] for g in r["Groups"]],
    "interface-type": lambda r: [r["InterfaceType"]],
    "mac-address": lambda r: [r["MacAddress"]],
    "owner-id": lambda r: [r["OwnerId"]],
    "private-dns-name": lambda r: [r["PrivateDnsName"]],
    "private-ip-address": lambda r: [r["PrivateIpAddress"]],
    "addresses.private-ip-address": lambda r: [a["PrivateIpAddress"] for a in r["PrivateIpAddresses"]],
    "addresses.primary": lambda r: [a["Primary"] for a in r["PrivateIpAddresses"]],
    "requester-id": lambda r: [r["RequesterId"]] if r.get("RequesterId") else [],
    "requester-managed": lambda r: [r["RequesterManaged"]],
    "source-dest-check": lambda r: [r["SourceDestCheck"]],
    "status": lambda r: [r["Status"]],
    "subnet-id": lambda r: [r["SubnetId"]],
    "vpc-id": lambda r: [r["VpcId"]],
}

#: filter name -> ENI index field (the value is prefixed with the region unless it is the MAC).
_INDEXED = (
    ("attachment.instance-id", "instance"),
    ("attachment.attachment-id", "attachment"),
    ("private-ip-address", "ip"),
    ("mac-address", "mac"),
    ("subnet-id", "subnet"),
    ("vpc-id", "vpc"),
    ("interface-type", "type"),
)


def network_interface_view(record: Mapping[str, Any]) -> Record:
    """The NetworkInterface output shape (of a record, or of its public view)."""
    view = lookup.public(record)
    view["TagSet"] = view.pop("Tags", [])
    view.setdefault("Ipv6Addresses", [])
    view["Ipv6Native"] = False
    view["DenyAllIgwTraffic"] = False
    return view


def _candidates(
    ctx: RequestContext, params: shapes.DescribeNetworkInterfacesRequest
) -> Callable[[], list[NetworkInterfaceRecord]] | None:
    given = params.get("Filters")
    for name, field in _INDEXED:
        values = filters.filter_value(given, name)
        if values is None:
            continue

        def found(values: list[str] = values, field: str = field) -> list[NetworkInterfaceRecord]:
            by_id = {}
            for value in values:
                for record in NETWORK_INTERFACE.find(ctx, field, value):
                    by_id[record["NetworkInterfaceId"]] = record
            return sorted(by_id.values(), key=lambda r: r["NetworkInterfaceId"])

        return found
    ids = filters.filter_value(given, "network-interface-id")
    if ids is not None:
        return lambda: sorted(
            (r for r in (enis.find_network_interface(ctx, i) for i in ids if _well_formed(i)) if r is not None),
            key=lambda r: r["NetworkInterfaceId"],
        )
    return None


def _well_formed(eni_id: str) -> bool:
    try:
        enis.check_eni_id(eni_id)
    except AwsError:
        return False
    return True


def describe_network_interfaces(
    ctx: RequestContext, params: shapes.DescribeNetworkInterfacesRequest
) -> tuple[list[Record], str | None]:
    ids = params.get("NetworkInterfaceIds")
    paging.refuse_ids_with_max_results(ids, params, "networkInterfaceIdSet")
    records, token = lookup.describe(
        ctx, NETWORK_INTERFACE, params, ids, ENI_FILTERS, candidates=_candidates(ctx, params)
    )
    return [network_interface_view(r) for r in records], token


# --- trunk associations -------------------------------------------------------------------------

ASSOCIATION_FILTERS: dict[str, filters.Extractor] = {
    "gre-key": lambda r: [r["GreKey"]] if "GreKey" in r else [],
    "interface-protocol": lambda r: [r["InterfaceProtocol"]],
}


def association_view(record: Mapping[str, Any]) -> Record:
    return {k: v for k, v in record.items() if k != "OwnerId"}


def describe_trunk_associations(
    ctx: RequestContext, params: shapes.DescribeTrunkInterfaceAssociationsRequest
) -> tuple[list[Record], str | None]:
    ids = params.get("AssociationIds")
    records, token = lookup.describe(ctx, TRUNK_ASSOCIATION, params, ids, ASSOCIATION_FILTERS)
    return [association_view(r) for r in records], token


# --- DescribeNetworkInterfaceAttribute ------------------------------------------------------------


def describe_attribute(ctx: RequestContext, request: shapes.DescribeNetworkInterfaceAttributeRequest) -> Record:
    """The ENI's id and the one attribute asked for (any ENI of the account may be read, ECS's
    requester-managed ones included). `attachment` of an unattached ENI is the id alone, and
    `associatePublicIpAddress` says whether it holds an auto-assigned public IPv4 address."""
    attribute = request.get("Attribute")
    if not attribute:
        # The model leaves it optional; EC2's documentation says "This parameter is required."
        raise AwsError("MissingParameter", "The request must contain the parameter attribute")
    record = enis.get_network_interface(ctx, request["NetworkInterfaceId"])
    out: Record = {"NetworkInterfaceId": record["NetworkInterfaceId"]}
    if attribute == "description":
        out["Description"] = {"Value": record.get("Description") or ""}
    elif attribute == "groupSet":
        out["Groups"] = [dict(group) for group in record["Groups"]]
    elif attribute == "sourceDestCheck":
        out["SourceDestCheck"] = {"Value": bool(record["SourceDestCheck"])}
    elif attribute == "attachment":
        if record.get("Attachment"):
            out["Attachment"] = dict(record["Attachment"])
    else:  # associatePublicIpAddress (the model's enum admits no other)
        association = record.get("Association") or {}
        out["AssociatePublicIpAddress"] = association.get("IpOwnerId") == "amazon"
    return out
