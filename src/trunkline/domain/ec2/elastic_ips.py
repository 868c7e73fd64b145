"""Elastic IP addresses: AllocateAddress, AssociateAddress, DisassociateAddress, ReleaseAddress,
DescribeAddresses.

Record (kind `kinds.ELASTIC_IP`, indexed by `owner`, `ip` and, while associated, `eni` and
`association`), in the `Address` output shape's member
names: `AllocationId`, `PublicIp`, `Domain` ("vpc"), `PublicIpv4Pool` ("amazon"),
`NetworkBorderGroup` (the region), `Tags`, and while associated `AssociationId`,
`NetworkInterfaceId`, `NetworkInterfaceOwnerId`, `PrivateIpAddress`, `InstanceId` (when the ENI is
attached to an instance). Private: `_Owner`.

The address itself comes from the same pool as auto-assigned public IPs (`public_ips`), so no
address is ever handed out twice. Which ENI shows the address is the ENI ledger's fact
(`Association` with `AllocationId` and `AssociationId`); this module keeps the address's side in
step. An Elastic IP replaces an auto-assigned public IP on its ENI and, unlike one, survives a
stop and start: that is how a trunked instance in a public subnet keeps a public address (S13).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from trunkline.context import RequestContext
from trunkline.domain.ec2 import lookup, public_ips, vpcs
from trunkline.domain.ec2 import tags as ec2_tags
from trunkline.domain.ec2.kinds import ELASTIC_IP, INSTANCE, INTERNET_GATEWAY
from trunkline.domain.ec2.records import ElasticIpRecord, NetworkInterfaceRecord
from trunkline.domain.ec2.request_parts import AddressReference
from trunkline.domain.ids import resource_id
from trunkline.domain.resource_kind import IdFormat
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]
_ASSOCIATION_ID = IdFormat("eipassoc", "InvalidAssociationID.Malformed")

#: AWS's default quota "EC2-VPC Elastic IPs" (L-0263D0A3) per region.
ADDRESSES_PER_REGION = 5

EXTRACTORS: dict[str, Any] = {
    "allocation-id": lambda r: [r["AllocationId"]],
    "association-id": lambda r: [r["AssociationId"]] if r.get("AssociationId") else [],
    "domain": lambda r: [r["Domain"]],
    "instance-id": lambda r: [r["InstanceId"]] if r.get("InstanceId") else [],
    "network-border-group": lambda r: [r["NetworkBorderGroup"]],
    "network-interface-id": lambda r: [r["NetworkInterfaceId"]] if r.get("NetworkInterfaceId") else [],
    "network-interface-owner-id": lambda r: [r["NetworkInterfaceOwnerId"]] if r.get("NetworkInterfaceOwnerId") else [],
    "private-ip-address": lambda r: [r["PrivateIpAddress"]] if r.get("PrivateIpAddress") else [],
    "public-ip": lambda r: [r["PublicIp"]],
    "public-ipv4-pool": lambda r: [r["PublicIpv4Pool"]],
}

#: The members an address has only while associated.
AssociationField = Literal[
    "AssociationId", "NetworkInterfaceId", "NetworkInterfaceOwnerId", "PrivateIpAddress", "InstanceId"
]
_ASSOCIATION_FIELDS: tuple[AssociationField, ...] = (
    "AssociationId",
    "NetworkInterfaceId",
    "NetworkInterfaceOwnerId",
    "PrivateIpAddress",
    "InstanceId",
)


def _mine(ctx: RequestContext) -> list[ElasticIpRecord]:
    return ELASTIC_IP.find(ctx, "owner", ctx.account_id)


def save(ctx: RequestContext, record: ElasticIpRecord) -> None:
    ELASTIC_IP.save(ctx, record)


def get_address(ctx: RequestContext, allocation_id: str) -> ElasticIpRecord:
    return ELASTIC_IP.require(ctx, allocation_id)


def _by_public_ip(ctx: RequestContext, public_ip: str) -> ElasticIpRecord:
    for record in ELASTIC_IP.find(ctx, "ip", public_ip):
        if ELASTIC_IP.visible(ctx, record):
            return record
    raise AwsError("InvalidAddress.NotFound", f"Address '{public_ip}' not found.")


def _named(ctx: RequestContext, params: AddressReference) -> ElasticIpRecord:
    if params.get("AllocationId"):
        return get_address(ctx, params["AllocationId"])
    if params.get("PublicIp"):
        return _by_public_ip(ctx, params["PublicIp"])
    raise AwsError("MissingParameter", "Either public IP or allocation id must be specified")


# --- AllocateAddress / ReleaseAddress --------------------------------------------------------------


def allocate_address(ctx: RequestContext, params: shapes.AllocateAddressRequest) -> ElasticIpRecord:
    domain = params.get("Domain") or "vpc"
    if domain != "vpc":
        raise AwsError(
            "InvalidParameterValue", f"Value ({domain}) for parameter domain is invalid. EC2-Classic is retired."
        )
    for unsupported in ("Address", "CustomerOwnedIpv4Pool", "IpamPoolId"):
        if params.get(unsupported):
            raise AwsError("InvalidParameterValue", f"trunkline does not support {unsupported} on AllocateAddress yet.")
    pool = params.get("PublicIpv4Pool") or "amazon"
    if pool != "amazon":
        raise AwsError("InvalidPublicIpv4PoolID.NotFound", f"The public IPv4 pool ID '{pool}' does not exist")
    group = params.get("NetworkBorderGroup") or ctx.region
    if group != ctx.region:
        raise AwsError(
            "InvalidParameterValue", f"Value ({group}) for parameter networkBorderGroup is invalid. Unknown group."
        )
    tags = ec2_tags.requested(params, "elastic-ip")
    if len(_mine(ctx)) >= ADDRESSES_PER_REGION:
        raise AwsError("AddressLimitExceeded", "The maximum number of addresses has been reached.")
    allocation_id = resource_id("eipalloc")
    record: ElasticIpRecord = {
        "AllocationId": allocation_id,
        "PublicIp": public_ips.allocate(ctx, allocation_id),
        "Domain": "vpc",
        "PublicIpv4Pool": "amazon",
        "NetworkBorderGroup": group,
        "Tags": tags,
        "_Owner": ctx.account_id,
    }
    save(ctx, record)
    return record


def release_address(ctx: RequestContext, params: shapes.ReleaseAddressRequest) -> None:
    record = _named(ctx, params)
    if record.get("AssociationId"):
        raise AwsError("InvalidIPAddress.InUse", f"Address {record['AllocationId']} is in use.")
    public_ips.release(ctx, record["PublicIp"])
    ELASTIC_IP.delete(ctx, record["AllocationId"])


# --- AssociateAddress / DisassociateAddress --------------------------------------------------------


def associate_address(ctx: RequestContext, params: shapes.AssociateAddressRequest) -> str:
    """Point the address at an ENI (named, or an instance's only one); returns the association id."""

    record = _named(ctx, params)
    eni = _target(ctx, params)
    if not INTERNET_GATEWAY.find(ctx, "vpc", eni["VpcId"]):
        raise AwsError("Gateway.NotAttached", f"Network {eni['VpcId']} is not attached to any internet gateway")
    private_ip = params.get("PrivateIpAddress") or eni["PrivateIpAddress"]
    if private_ip != eni["PrivateIpAddress"]:
        raise AwsError(
            "InvalidParameterValue",
            f"Value ({private_ip}) for parameter privateIpAddress is invalid. "
            f"The address is not assigned to interface {eni['NetworkInterfaceId']}.",
        )
    if record.get("AssociationId"):
        if record.get("NetworkInterfaceId") == eni["NetworkInterfaceId"]:
            return str(record["AssociationId"])
        if params.get("AllowReassociation") is False:  # in a VPC, reassociation is otherwise automatic
            raise AwsError(
                "Resource.AlreadyAssociated",
                f"resource {record['AllocationId']} is already associated with associate-id {record['AssociationId']}",
            )
        disassociate(ctx, record)
    return attach_to_eni(ctx, record, eni)


def _target(ctx: RequestContext, params: shapes.AssociateAddressRequest) -> NetworkInterfaceRecord:
    from trunkline.domain.ec2 import network_interfaces as enis

    eni_id, instance_id = params.get("NetworkInterfaceId"), params.get("InstanceId")
    if eni_id:
        return enis.get_network_interface(ctx, eni_id)
    if not instance_id:
        raise AwsError("MissingParameter", "Either instance ID or network interface ID must be specified")
    instance = INSTANCE.require(ctx, instance_id)
    if instance["State"]["Name"] not in ("running", "stopped", "pending", "stopping"):
        raise AwsError(
            "IncorrectInstanceState", f"The instance '{instance_id}' is not in a valid state for this operation."
        )
    attached = enis.interfaces_of_instance(ctx, instance_id)
    if len(attached) != 1:
        raise AwsError(
            "InvalidInstanceID",
            f"There are multiple interfaces attached to instance '{instance_id}'. "
            "Please specify an interface ID for the operation instead.",
        )
    return attached[0]


def attach_to_eni(ctx: RequestContext, record: ElasticIpRecord, eni: NetworkInterfaceRecord) -> str:
    """Show the address on the ENI (its auto-assigned public IP, if any, goes back; another
    Elastic IP there is disassociated); returns the new association id. No checks: callers check."""
    from trunkline.domain.ec2 import network_interfaces as enis

    current = eni.get("Association")
    if current and current.get("AllocationId"):
        disassociate(ctx, get_address(ctx, current["AllocationId"]))
        eni = enis.get_network_interface(ctx, eni["NetworkInterfaceId"])
    elif current:
        enis.release_public_ip(ctx, eni, persist=False)
    association_id = resource_id("eipassoc")
    vpc = vpcs.get_vpc(ctx, eni["VpcId"])
    dns_name = public_ips.public_dns_name(ctx.region, record["PublicIp"]) if vpc.get("EnableDnsHostnames") else ""
    association = {
        "IpOwnerId": ctx.account_id,
        "PublicDnsName": dns_name,
        "PublicIp": record["PublicIp"],
        "AllocationId": record["AllocationId"],
        "AssociationId": association_id,
    }
    eni["Association"] = association
    eni["PrivateIpAddresses"][0]["Association"] = dict(association)
    enis.save(ctx, eni)
    record.update(
        {
            "AssociationId": association_id,
            "NetworkInterfaceId": eni["NetworkInterfaceId"],
            "NetworkInterfaceOwnerId": eni["OwnerId"],
            "PrivateIpAddress": eni["PrivateIpAddress"],
        }
    )
    attachment = eni.get("Attachment")
    if attachment:
        record["InstanceId"] = attachment["InstanceId"]
    save(ctx, record)
    return association_id


def disassociate_address(ctx: RequestContext, params: shapes.DisassociateAddressRequest) -> None:
    association_id = params.get("AssociationId")
    if association_id:
        _ASSOCIATION_ID.check(association_id)
        found = ELASTIC_IP.find(ctx, "association", association_id)
        if not found or not ELASTIC_IP.visible(ctx, found[0]):
            raise AwsError("InvalidAssociationID.NotFound", f"The association ID '{association_id}' does not exist")
        record = found[0]
    elif params.get("PublicIp"):
        record = _by_public_ip(ctx, params["PublicIp"])
        if not record.get("AssociationId"):
            return
    else:
        raise AwsError("MissingParameter", "Either public IP or association id must be specified")
    _check_not_nat(ctx, record)
    disassociate(ctx, record, reassign=True)


def _check_not_nat(ctx: RequestContext, record: ElasticIpRecord) -> None:
    from trunkline.domain.ec2 import network_interfaces as enis

    eni = enis.find_network_interface(ctx, record.get("NetworkInterfaceId") or "")
    if eni is not None and eni["InterfaceType"] == "nat_gateway":
        raise AwsError(
            "AuthFailure",
            f"You do not have permission to access the specified resource: {record['AssociationId']} "
            "belongs to a NAT gateway.",
        )


def disassociate(ctx: RequestContext, record: ElasticIpRecord, *, reassign: bool = False) -> None:
    """Take the address off its ENI. With `reassign`, an instance that was launched with a public
    IP and has a single interface gets a new auto-assigned one, as EC2 gives it."""
    from trunkline.domain.ec2 import network_interfaces as enis

    eni = enis.find_network_interface(ctx, record.get("NetworkInterfaceId") or "")
    for name in _ASSOCIATION_FIELDS:
        record.pop(name, None)
    save(ctx, record)
    if eni is None:
        return
    eni.pop("Association", None)
    for address in eni["PrivateIpAddresses"]:
        address.pop("Association", None)
    enis.save(ctx, eni)
    attachment = eni.get("Attachment")
    if not reassign or attachment is None:
        return
    instance = INSTANCE.get(ctx, attachment["InstanceId"])
    running = instance is not None and instance["State"]["Name"] in ("pending", "running")
    single = len(enis.interfaces_of_instance(ctx, attachment["InstanceId"])) == 1
    if running and single and instance is not None and instance.get("_PublicIp"):
        enis.assign_public_ip(ctx, eni["NetworkInterfaceId"])


def on_interface_deleted(ctx: RequestContext, eni: NetworkInterfaceRecord) -> None:
    """The ENI showing an Elastic IP is being deleted: the address stays allocated, unassociated."""
    association = eni.get("Association") or {}
    allocation_id = association.get("AllocationId")
    record = ELASTIC_IP.load(ctx, allocation_id) if allocation_id else None
    if record is not None:
        for name in _ASSOCIATION_FIELDS:
            record.pop(name, None)
        save(ctx, record)


def on_attached(ctx: RequestContext, eni: NetworkInterfaceRecord) -> None:
    """Keep `InstanceId` of the address in step with its ENI's attachment."""
    association = eni.get("Association") or {}
    allocation_id = association.get("AllocationId")
    record = ELASTIC_IP.load(ctx, allocation_id) if allocation_id else None
    if record is None:
        return
    attachment = eni.get("Attachment")
    if attachment:
        record["InstanceId"] = attachment["InstanceId"]
    else:
        record.pop("InstanceId", None)
    save(ctx, record)


def mapped_in_vpc(ctx: RequestContext, vpc_id: str) -> bool:
    """Whether any ENI of the VPC shows a public address (DetachInternetGateway refuses then)."""

    from trunkline.domain.ec2.kinds import NETWORK_INTERFACE

    return any(e.get("Association") for e in NETWORK_INTERFACE.find(ctx, "vpc", vpc_id))


# --- DescribeAddresses -----------------------------------------------------------------------------


def describe_addresses(ctx: RequestContext, params: shapes.DescribeAddressesRequest) -> list[Record]:
    from trunkline.domain.ec2 import filters as ec2_filters

    filters = params.get("Filters")
    ec2_filters.check_filters(filters, EXTRACTORS)
    records = sorted(_mine(ctx), key=lambda r: r["AllocationId"])
    allocation_ids = params.get("AllocationIds") or []
    if allocation_ids:
        records = sorted(ELASTIC_IP.require_all(ctx, allocation_ids), key=lambda r: r["AllocationId"])
    public = params.get("PublicIps") or []
    for address in public:
        if not any(r["PublicIp"] == address for r in records):
            raise AwsError("InvalidAddress.NotFound", f"Address '{address}' not found.")
    if public:
        records = [r for r in records if r["PublicIp"] in public]
    return [lookup.public(r) for r in records if ec2_filters.matches(r, filters, EXTRACTORS)]


def describe_addresses_attribute(ctx: RequestContext, params: shapes.DescribeAddressesAttributeRequest) -> list[Record]:
    """DescribeAddressesAttribute `domain-name`: trunkline keeps no reverse DNS (PTR) records, so
    each address is listed without one, as AWS lists an address nobody gave a PTR record."""
    attribute = params.get("Attribute")
    if attribute is not None and attribute != "domain-name":
        raise AwsError("InvalidParameterValue", f"Value ({attribute}) for parameter attribute is invalid.")
    wanted = params.get("AllocationIds") or []
    records = [get_address(ctx, allocation_id) for allocation_id in wanted] if wanted else _mine(ctx)
    return [{"AllocationId": r["AllocationId"], "PublicIp": r["PublicIp"]} for r in records]
