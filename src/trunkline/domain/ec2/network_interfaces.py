"""The ENI ledger: the one owner of every fact about elastic network interfaces.

Which ENIs exist, what they are attached to, their addresses, MACs, type and trunk (VLAN)
associations live here and nowhere else. A user's CreateNetworkInterface, RunInstances' primary
ENI and ECS's trunk and branch ENIs all go through these functions, so every caller agrees.

ENI record (`kinds.NETWORK_INTERFACE`), in NetworkInterface output member names:

- `NetworkInterfaceId`, `SubnetId`, `VpcId`, `AvailabilityZone` (+ `AvailabilityZoneId` when the
  subnet has one), `OwnerId`, `Description`, `InterfaceType` (interface | trunk | branch | efa |
  efa-only), `RequesterManaged`, `RequesterId` (requester-managed ENIs only), `SourceDestCheck`
- `Status`: `available`, or `in-use` while attached to an instance or associated with a trunk
- `MacAddress` (unique in the region), `PrivateIpAddress`, `PrivateDnsName`,
  `PrivateIpAddresses` (the one primary address, with its `Association` when public)
- `Groups`: `[{GroupId, GroupName}]`
- `Association`: `{PublicIp, PublicDnsName, IpOwnerId}` while an auto-assigned public IPv4 is held
- `Attachment`: `{AttachmentId, AttachTime, DeleteOnTermination, DeviceIndex, NetworkCardIndex,
  InstanceId, InstanceOwnerId, Status (attaching | attached | detaching)}` while attached
- `Tags`: `[{Key, Value}]` (served as `TagSet`)

Indexes (declared in `kinds.py`; the store scopes each value by region): `instance` (`i-…`, while
attached), `attachment` (`eni-attach-…`), `subnet`, `vpc`, `ip` (`10.0.1.23`), `type` (`trunk`),
`mac` (keeps MACs unique). Group membership, which an index cannot hold (one value per field), is
one small document per (ENI, group) (`kinds.ENI_GROUP`, indexed by `group`);
`group_member_count` counts them.

Trunk association record (`kinds.TRUNK_ASSOCIATION`), in
TrunkInterfaceAssociation member names: `AssociationId`, `BranchInterfaceId`, `TrunkInterfaceId`,
`InterfaceProtocol` (VLAN | GRE), `VlanId` or `GreKey`, `Tags`, plus `OwnerId`. Indexes `trunk`,
`branch` and `slot` (`eni-trunk/VLAN/5`, which keeps a VLAN id once per trunk).

Branch ENIs never attach to an instance: they ride on their trunk, so they never count against
the instance's ENI limit (the catalog's `max_network_interfaces`, primary and trunk included).
"""

from __future__ import annotations

from typing import Any, cast

from trunkline.context import RequestContext
from trunkline.domain import catalog, ids
from trunkline.domain.ec2 import public_ips, quota_indexes, quotas, security_groups, subnets, vpcs
from trunkline.domain.ec2.kinds import ENI_GROUP, INSTANCE, NETWORK_INTERFACE, TRUNK_ASSOCIATION, association_slot
from trunkline.domain.ec2.records import (
    InstanceRecord,
    NetworkInterfaceRecord,
    SubnetRecord,
    Tag,
    TrunkAssociationRecord,
)
from trunkline.domain.resource_kind import IdFormat
from trunkline.errors import AwsError

Record = dict[str, Any]


INTERFACE_TYPES = ("interface", "trunk", "branch", "efa", "efa-only", "nat_gateway")
VLAN_MIN, VLAN_MAX = 1, 4094
GRE_MAX = 2**32 - 1

#: Attachment job names (registered by the EC2 provider).
ATTACHED_JOB = "ec2.eni.attached"
DETACHED_JOB = "ec2.eni.detached"


# --- names and lookups --------------------------------------------------------------------------


def private_dns_name(region: str, address: str) -> str:
    """`ip-10-0-1-23.ec2.internal` in us-east-1, `ip-10-0-1-23.REGION.compute.internal` elsewhere."""
    return "ip-" + address.replace(".", "-") + internal_domain(region)


def internal_domain(region: str) -> str:
    return ".ec2.internal" if region == "us-east-1" else f".{region}.compute.internal"


def not_found(eni_ids: list[str]) -> AwsError:
    return NETWORK_INTERFACE.missing(*eni_ids)


def find_network_interface(ctx: RequestContext, eni_id: str) -> NetworkInterfaceRecord | None:
    return NETWORK_INTERFACE.get(ctx, eni_id)


def check_eni_id(eni_id: str) -> None:
    NETWORK_INTERFACE.check_id(eni_id)


def get_network_interface(ctx: RequestContext, eni_id: str) -> NetworkInterfaceRecord:
    return NETWORK_INTERFACE.require(ctx, eni_id)


def interfaces_of_instance(ctx: RequestContext, instance_id: str) -> list[NetworkInterfaceRecord]:
    """The ENIs attached to the instance (in any attachment state), by device index."""
    found = NETWORK_INTERFACE.find(ctx, "instance", instance_id)
    return sorted(found, key=lambda r: (r["Attachment"]["NetworkCardIndex"], r["Attachment"]["DeviceIndex"]))


def lowest_free_device_index(ctx: RequestContext, instance_id: str) -> int:
    """The lowest device index above the primary's (0) that no ENI on the instance uses."""
    used = {e["Attachment"]["DeviceIndex"] for e in interfaces_of_instance(ctx, instance_id)}
    index = 1
    while index in used:
        index += 1
    return index


def primary_interface(ctx: RequestContext, instance_id: str) -> NetworkInterfaceRecord | None:
    for record in interfaces_of_instance(ctx, instance_id):
        if record["Attachment"]["DeviceIndex"] == 0 and record["Attachment"]["NetworkCardIndex"] == 0:
            return record
    return None


def attached_count(ctx: RequestContext, instance_id: str) -> int:
    """ENIs counting against the instance's limit: every attached one. Branch ENIs are never
    attached (they ride on a trunk), so the index count is exact."""
    return NETWORK_INTERFACE.count(ctx, "instance", instance_id)


def by_attachment(ctx: RequestContext, attachment_id: str) -> NetworkInterfaceRecord | None:
    IdFormat("eni-attach", "InvalidNetworkInterfaceAttachmentId.Malformed").check(attachment_id)
    found = NETWORK_INTERFACE.find(ctx, "attachment", attachment_id)
    return found[0] if found and found[0]["OwnerId"] == ctx.account_id else None


def save(ctx: RequestContext, record: NetworkInterfaceRecord) -> None:
    """Store a changed ENI record with its indexes (CreateTags/DeleteTags must come through here:
    a bare `put` would drop the indexes)."""
    NETWORK_INTERFACE.save(ctx, record)


def group_member_count(ctx: RequestContext, group_id: str) -> int:
    """How many ENIs carry the security group (DeleteSecurityGroup's DependencyViolation)."""
    return ENI_GROUP.count(ctx, "group", group_id)


def _join_groups(ctx: RequestContext, record: NetworkInterfaceRecord) -> None:
    eni_id = record["NetworkInterfaceId"]
    for group in record["Groups"]:
        ENI_GROUP.save(ctx, {"NetworkInterfaceId": eni_id, "GroupId": group["GroupId"]})


def _leave_groups(ctx: RequestContext, record: NetworkInterfaceRecord) -> None:
    for group in record["Groups"]:
        ENI_GROUP.delete(ctx, f"{record['NetworkInterfaceId']}/{group['GroupId']}")


def set_groups(ctx: RequestContext, record: NetworkInterfaceRecord, group_ids: list[str]) -> None:
    """Replace the ENI's security groups (ModifyInstanceAttribute groupSet on its primary ENI),
    checked as a create checks them: each in the ENI's VPC."""
    subnet = subnets.get_subnet(ctx, record["SubnetId"])
    groups = resolve_groups(ctx, subnet, group_ids)
    _leave_groups(ctx, record)
    record["Groups"] = groups
    save(ctx, record)
    _join_groups(ctx, record)


# --- create and delete --------------------------------------------------------------------------


_MAC_BATCH = 16  # MACs checked at once: a RunTask of ten awsvpc tasks asks the store once


def _unique_mac(ctx: RequestContext) -> str:
    """A random MAC no ENI has. Checked in batches; the unused ones stay with the request (only
    this function hands them out, so none goes twice)."""
    spare = ctx.spare.setdefault("mac", [])
    while not spare:
        drawn = list(dict.fromkeys(ids.mac_address() for _ in range(_MAC_BATCH)))
        used = NETWORK_INTERFACE.taken(ctx, "mac", drawn)
        spare.extend(mac for mac in reversed(drawn) if mac not in used)
    return spare.pop()


def resolve_groups(ctx: RequestContext, subnet: SubnetRecord, group_ids: list[str] | None) -> list[Record]:
    """The `[{GroupId, GroupName}]` an ENI in `subnet` gets: the named groups, which must be in the
    subnet's VPC, or the VPC's default group."""
    if not group_ids:
        groups = [security_groups.default_security_group(ctx, subnet["VpcId"])]
    else:
        groups = security_groups.get_security_groups(ctx, list(dict.fromkeys(group_ids)))
    for group in groups:
        if group["VpcId"] != subnet["VpcId"]:
            raise AwsError(
                "InvalidParameter",
                f"Security group {group['GroupId']} and subnet {subnet['SubnetId']} belong to different networks.",
            )
    return [{"GroupId": g["GroupId"], "GroupName": g["GroupName"]} for g in groups]


def create_network_interface(
    ctx: RequestContext,
    subnet_id: str,
    group_ids: list[str] | None = None,
    interface_type: str = "interface",
    description: str = "",
    requester_managed: bool = False,
    tags: list[Tag] | None = None,
    private_ip: str | None = None,
    requester_id: str | None = None,
    status: str = "available",
) -> NetworkInterfaceRecord:
    """Create an available ENI in the subnet, with one private address from it. `status`: a
    branch ENI the caller associates with a trunk in the same transaction is written `in-use`
    at once, not saved twice.

    Everything is checked before anything is written, so a refused create leaves no trace."""
    if interface_type not in INTERFACE_TYPES:
        raise AwsError("InvalidParameterValue", f"Invalid value '{interface_type}' for interfaceType.")
    subnet = subnets.get_subnet(ctx, subnet_id)
    groups = resolve_groups(ctx, subnet, group_ids)
    if quota_indexes.counts_toward_enis(interface_type, requester_managed):
        quotas.enis_allowed(ctx, 1, 1)
    eni_id = ids.resource_id("eni")
    address = subnets.allocate_private_ip(ctx, subnet_id, private_ip)
    dns_name = private_dns_name(ctx.region, address)
    record: NetworkInterfaceRecord = {
        "NetworkInterfaceId": eni_id,
        "SubnetId": subnet_id,
        "VpcId": subnet["VpcId"],
        "AvailabilityZone": subnet["AvailabilityZone"],
        "OwnerId": ctx.account_id,
        "Description": description,
        "InterfaceType": interface_type,
        "RequesterManaged": requester_managed,
        "SourceDestCheck": True,
        "Status": status,
        "MacAddress": _unique_mac(ctx),
        "PrivateIpAddress": address,
        "PrivateDnsName": dns_name,
        "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": address, "PrivateDnsName": dns_name}],
        "Groups": groups,
        "Ipv6Addresses": [],
        "Tags": list(tags or []),
    }
    if subnet.get("AvailabilityZoneId"):
        record["AvailabilityZoneId"] = subnet["AvailabilityZoneId"]
    if requester_id:
        record["RequesterId"] = requester_id
    save(ctx, record)
    _join_groups(ctx, record)
    return record


def check_deletable(ctx: RequestContext, record: NetworkInterfaceRecord) -> None:
    eni_id = record["NetworkInterfaceId"]
    in_use = (
        record.get("Attachment") is not None
        or association_of_branch(ctx, eni_id) is not None
        or bool(associations_of_trunk(ctx, eni_id))
    )
    if in_use:
        raise AwsError("InvalidNetworkInterface.InUse", f"The network interface '{eni_id}' is currently in use.")


def delete_network_interface(ctx: RequestContext, eni_id: str) -> None:
    """Delete an ENI that is neither attached nor part of a trunk association; its addresses go
    back to their pools."""
    record = get_network_interface(ctx, eni_id)
    check_deletable(ctx, record)
    _forget(ctx, record)


def remove_managed(ctx: RequestContext, record: NetworkInterfaceRecord) -> None:
    """Delete a requester-managed ENI on behalf of the service that manages it (a NAT gateway
    being deleted): no in-use or ownership checks, which guard the account's own calls."""
    _forget(ctx, record)


def _forget(ctx: RequestContext, record: NetworkInterfaceRecord) -> None:
    ctx.reactions.eni_gone(ctx, record)  # its Elastic IP (wiring.py)
    if (record.get("Association") or {}).get("AllocationId"):
        record.pop("Association")
    release_public_ip(ctx, record, persist=False)
    subnets.release_private_ip(ctx, record["SubnetId"], record["PrivateIpAddress"])
    _leave_groups(ctx, record)
    NETWORK_INTERFACE.delete(ctx, record["NetworkInterfaceId"])


# --- attach and detach --------------------------------------------------------------------------


def _instance_for_attach(ctx: RequestContext, instance_id: str) -> InstanceRecord:
    instance = INSTANCE.require(ctx, instance_id)
    if instance["State"]["Name"] in ("shutting-down", "terminated"):
        raise AwsError(
            "IncorrectInstanceState", f"The instance '{instance_id}' is not in a valid state for this operation."
        )
    return instance


def check_attachable(
    ctx: RequestContext, record: NetworkInterfaceRecord, instance: InstanceRecord, device_index: int, card: int
) -> None:
    """Every reason AttachNetworkInterface refuses, checked before anything changes."""
    eni_id = record["NetworkInterfaceId"]
    instance_id = instance["InstanceId"]
    if record.get("Attachment") is not None or association_of_branch(ctx, eni_id) is not None:
        raise AwsError("InvalidNetworkInterface.InUse", f"Interface: [{eni_id}] in use.")
    if record["InterfaceType"] == "branch":
        raise AwsError(
            "InvalidParameterValue",
            f"Network interface '{eni_id}' is a branch interface; associate it with a trunk interface instead.",
        )
    if device_index < 0 or card != 0:
        what, value = ("deviceIndex", device_index) if device_index < 0 else ("networkCardIndex", card)
        raise AwsError("InvalidParameterValue", f"Invalid value '{value}' for {what}.")
    if record["AvailabilityZone"] != instance["Placement"]["AvailabilityZone"]:
        raise AwsError(
            "InvalidParameterCombination",
            "You may not attach a network interface to an instance if they are not in the same availability zone",
        )
    for attached in interfaces_of_instance(ctx, instance_id):
        if attached["Attachment"]["DeviceIndex"] == device_index:
            raise AwsError(
                "InvalidParameterValue",
                f"Instance '{instance_id}' already has an interface attached at device index '{device_index}'.",
            )
    limit = eni_limit(instance["InstanceType"])
    count = attached_count(ctx, instance_id) + 1
    if count > limit:
        raise AwsError(
            "AttachmentLimitExceeded", f"Interface count {count} exceeds the limit for {instance['InstanceType']}"
        )


def eni_limit(instance_type: str) -> int:
    """EC2's ENI limit for the type, primary and trunk included."""
    known = catalog.get_instance_type(instance_type)
    return known.max_network_interfaces if known is not None else 1


def attach(
    ctx: RequestContext,
    eni_id: str,
    instance_id: str,
    device_index: int,
    *,
    network_card_index: int = 0,
    delete_on_termination: bool = False,
    immediate: bool = False,
) -> Record:
    """Attach an available ENI to an instance; returns the `Attachment`.

    The attachment is `attaching` until the `ec2.eni.attach` step has elapsed, unless
    `immediate` (a launch's primary ENI, whose attachment is part of the launch itself)."""
    record = get_network_interface(ctx, eni_id)
    instance = _instance_for_attach(ctx, instance_id)
    check_attachable(ctx, record, instance, device_index, network_card_index)
    attachment: Record = {
        "AttachmentId": ids.resource_id("eni-attach"),
        "AttachTime": ctx.now,
        "DeleteOnTermination": delete_on_termination,
        "DeviceIndex": device_index,
        "NetworkCardIndex": network_card_index,
        "InstanceId": instance_id,
        "InstanceOwnerId": instance.get("OwnerId", ctx.account_id),
        "Status": "attached" if immediate else "attaching",
    }
    record["Attachment"] = attachment
    record["Status"] = "in-use"
    save(ctx, record)
    _elastic_follows(ctx, record)
    if not immediate:
        ctx.schedule("ec2.eni.attach", ATTACHED_JOB, _job(ctx, record))
    return attachment


def _job(ctx: RequestContext, record: NetworkInterfaceRecord) -> Record:
    return {
        "region": ctx.region,
        "account": ctx.account_id,
        "eni_id": record["NetworkInterfaceId"],
        "attachment_id": record["Attachment"]["AttachmentId"],
    }


def detach(ctx: RequestContext, attachment_id: str, *, immediate: bool = False) -> NetworkInterfaceRecord:
    """Start detaching the attachment; the ENI becomes available when the `ec2.eni.detach` step
    has elapsed (at once if `immediate`). Returns the ENI record."""
    record = by_attachment(ctx, attachment_id)
    if record is None:
        raise AwsError("InvalidAttachmentID.NotFound", f"The attachment ID '{attachment_id}' does not exist")
    attachment = record["Attachment"]
    if attachment["DeviceIndex"] == 0 and attachment["NetworkCardIndex"] == 0:
        raise AwsError(
            "OperationNotPermitted",
            "The network interface at device index 0 and networkCard index 0 cannot be detached.",
        )
    if immediate:
        _finish_detach(ctx, record)
        return record
    if attachment["Status"] != "detaching":  # a repeated detach changes nothing
        attachment["Status"] = "detaching"
        save(ctx, record)
        ctx.schedule("ec2.eni.detach", DETACHED_JOB, _job(ctx, record))
    return record


def _finish_detach(ctx: RequestContext, record: NetworkInterfaceRecord) -> None:
    record.pop("Attachment", None)
    record["Status"] = "in-use" if association_of_branch(ctx, record["NetworkInterfaceId"]) else "available"
    save(ctx, record)
    _elastic_follows(ctx, record)


def _elastic_follows(ctx: RequestContext, record: NetworkInterfaceRecord) -> None:
    """An Elastic IP on the ENI names the instance the ENI is attached to."""
    if (record.get("Association") or {}).get("AllocationId"):
        ctx.reactions.eni_attachment(ctx, record)


def _current(ctx: RequestContext, payload: Record) -> NetworkInterfaceRecord | None:
    """The ENI a job is about, if it still carries the attachment the job was scheduled for."""
    record = find_network_interface(ctx, payload["eni_id"])
    attachment = record.get("Attachment") if record else None
    if attachment is None or attachment["AttachmentId"] != payload["attachment_id"]:
        return None
    return record


def finish_attach_job(ctx: RequestContext, payload: Record) -> None:
    record = _current(ctx, payload)
    if record is not None and record["Attachment"]["Status"] == "attaching":
        record["Attachment"]["Status"] = "attached"
        save(ctx, record)


def finish_detach_job(ctx: RequestContext, payload: Record) -> None:
    record = _current(ctx, payload)
    if record is not None and record["Attachment"]["Status"] == "detaching":
        _finish_detach(ctx, record)


def release_instance(ctx: RequestContext, instance_id: str) -> None:
    """What termination does to an instance's ENIs: those marked DeleteOnTermination (the primary
    always is, unless changed) are deleted with their trunk associations; the rest are detached."""
    for record in interfaces_of_instance(ctx, instance_id):
        if record["Attachment"]["DeleteOnTermination"]:
            for association in associations_of_trunk(ctx, record["NetworkInterfaceId"]):
                _drop_association(ctx, association)
            _forget(ctx, record)
        else:
            _finish_detach(ctx, record)


# --- public IPv4 --------------------------------------------------------------------------------


def assign_public_ip(ctx: RequestContext, eni_id: str) -> str:
    """Give the ENI an auto-assigned public address (launch and start in a public subnet). The
    public DNS name exists only when the VPC has DNS hostnames enabled, as in EC2."""
    record = get_network_interface(ctx, eni_id)
    if record.get("Association"):
        return str(record["Association"]["PublicIp"])
    address = public_ips.allocate(ctx, eni_id)
    vpc = vpcs.get_vpc(ctx, record["VpcId"])
    dns_name = public_ips.public_dns_name(ctx.region, address) if vpc.get("EnableDnsHostnames") else ""
    association = {"IpOwnerId": "amazon", "PublicDnsName": dns_name, "PublicIp": address}
    record["Association"] = association
    record["PrivateIpAddresses"][0]["Association"] = dict(association)
    save(ctx, record)
    return address


def release_public_ip(ctx: RequestContext, record: NetworkInterfaceRecord, *, persist: bool = True) -> None:
    """Give back the ENI's auto-assigned public address, if it holds one (stop, delete). An Elastic
    IP stays: it is the account's until released."""
    if record.get("Association") is None or record["Association"].get("AllocationId"):
        return
    association = record.pop("Association")
    public_ips.release(ctx, association["PublicIp"])
    for address in record["PrivateIpAddresses"]:
        address.pop("Association", None)
    if persist:
        save(ctx, record)


# --- trunk associations -------------------------------------------------------------------------


def associations_of_trunk(ctx: RequestContext, trunk_id: str) -> list[TrunkAssociationRecord]:
    return TRUNK_ASSOCIATION.find(ctx, "trunk", trunk_id)


def association_of_branch(ctx: RequestContext, branch_id: str) -> TrunkAssociationRecord | None:
    found = TRUNK_ASSOCIATION.find(ctx, "branch", branch_id)
    return found[0] if found else None


def get_trunk_association(ctx: RequestContext, association_id: str) -> TrunkAssociationRecord:
    return TRUNK_ASSOCIATION.require(ctx, association_id)


def lowest_free_vlan(
    ctx: RequestContext, trunk_id: str, associations: list[TrunkAssociationRecord] | None = None
) -> int:
    """The lowest VLAN id (1–4094) not yet used on the trunk: the one place VLAN ids are chosen
    when a caller (AssociateTrunkInterface without VlanId, or ECS placing a task) leaves it open.
    `associations`: the trunk's, when the caller has read them already."""
    if associations is None:
        associations = associations_of_trunk(ctx, trunk_id)
    used = {a["VlanId"] for a in associations if a["InterfaceProtocol"] == "VLAN"}
    for vlan_id in range(VLAN_MIN, VLAN_MAX + 1):
        if vlan_id not in used:
            return vlan_id
    raise AwsError("InvalidParameterValue", f"Trunk interface '{trunk_id}' has no free VLAN id left.")


def _check_pair(
    ctx: RequestContext, branch: NetworkInterfaceRecord, trunk: NetworkInterfaceRecord, new_branch: bool = False
) -> None:
    for record, wanted in ((trunk, "trunk"), (branch, "branch")):
        if record["InterfaceType"] != wanted:
            raise AwsError(
                "InvalidParameterValue",
                f"Network interface '{record['NetworkInterfaceId']}' is not a {wanted} interface "
                f"(its interface type is '{record['InterfaceType']}').",
            )
    if branch["VpcId"] != trunk["VpcId"]:
        raise AwsError(
            "InvalidParameterCombination",
            f"Branch interface '{branch['NetworkInterfaceId']}' and trunk interface "
            f"'{trunk['NetworkInterfaceId']}' are not in the same VPC.",
        )
    existing = None if new_branch else association_of_branch(ctx, branch["NetworkInterfaceId"])
    if existing is not None:
        raise AwsError(
            "InvalidParameterValue",
            f"Branch interface '{branch['NetworkInterfaceId']}' is already associated with trunk interface "
            f"'{existing['TrunkInterfaceId']}'.",
        )


def _check_branch_limit(
    ctx: RequestContext, trunk: NetworkInterfaceRecord, associations: list[TrunkAssociationRecord]
) -> None:
    """A trunk attached to an instance carries at most the type's trunked awsvpc task count
    (`associations`: the trunk's)."""
    attachment = trunk.get("Attachment")
    if attachment is None:
        return
    instance = INSTANCE.get(ctx, attachment["InstanceId"])
    known = catalog.get_instance_type(instance["InstanceType"]) if instance else None
    if known is None or known.awsvpc_tasks_trunked is None:
        return
    count = len(associations) + 1
    if count > known.awsvpc_tasks_trunked:
        raise AwsError(
            "AttachmentLimitExceeded",
            f"Branch interface count {count} exceeds the limit for {known.name}",
        )


def associate_trunk(
    ctx: RequestContext,
    branch_id: str,
    trunk_id: str,
    vlan_id: int | None = None,
    gre_key: int | None = None,
    tags: list[Tag] | None = None,
    new_branch: bool = False,
) -> TrunkAssociationRecord:
    """Carry branch ENI `branch_id` on trunk ENI `trunk_id` with a VLAN id (the lowest free one
    when none is given) or a GRE key. A branch rides one trunk at a time; an id once per trunk.
    `new_branch`: the branch was created in this transaction, so it rides no trunk yet (ECS's
    task ENIs: one store read less per task)."""
    if vlan_id is not None and gre_key is not None:
        raise AwsError("InvalidParameterCombination", "Specify either a VLAN ID or a GRE key, not both.")
    branch = get_network_interface(ctx, branch_id)
    trunk = get_network_interface(ctx, trunk_id)
    _check_pair(ctx, branch, trunk, new_branch)
    carried = associations_of_trunk(ctx, trunk_id)  # read once: the lowest free VLAN, the branch limit
    if gre_key is not None:
        protocol, number = "GRE", gre_key
        if not 0 <= gre_key <= GRE_MAX:
            raise AwsError("InvalidParameterValue", f"Invalid value '{gre_key}' for greKey.")
    else:
        protocol = "VLAN"
        number = lowest_free_vlan(ctx, trunk_id, carried) if vlan_id is None else vlan_id
        if not VLAN_MIN <= number <= VLAN_MAX:
            raise AwsError(
                "InvalidParameterValue",
                f"Invalid value '{number}' for vlanId. It must be between {VLAN_MIN} and {VLAN_MAX}.",
            )
    chosen = vlan_id is None and gre_key is None  # the lowest free VLAN: free by construction
    if not chosen and TRUNK_ASSOCIATION.count(ctx, "slot", association_slot(trunk_id, protocol, number)):
        what = "VLAN ID" if protocol == "VLAN" else "GRE key"
        raise AwsError(
            "InvalidParameterValue", f"The {what} {number} is already in use on trunk interface '{trunk_id}'."
        )
    _check_branch_limit(ctx, trunk, carried)
    # VlanId or GreKey, by protocol: a key mypy cannot check in a literal, hence the cast.
    association = cast(
        TrunkAssociationRecord,
        {
            "AssociationId": ids.resource_id("trunk-assoc"),
            "BranchInterfaceId": branch_id,
            "TrunkInterfaceId": trunk_id,
            "InterfaceProtocol": protocol,
            "VlanId" if protocol == "VLAN" else "GreKey": number,
            "Tags": list(tags or []),
            "OwnerId": ctx.account_id,
        },
    )
    TRUNK_ASSOCIATION.save(ctx, association)
    if branch["Status"] != "in-use":  # a branch created in-use for this association is saved already
        branch["Status"] = "in-use"
        save(ctx, branch)
    return association


def disassociate_trunk(ctx: RequestContext, association_id: str) -> TrunkAssociationRecord:
    association = get_trunk_association(ctx, association_id)
    _drop_association(ctx, association)
    return association


def _drop_association(ctx: RequestContext, association: TrunkAssociationRecord) -> None:
    TRUNK_ASSOCIATION.delete(ctx, association["AssociationId"])
    branch = find_network_interface(ctx, association["BranchInterfaceId"])
    if branch is not None and branch.get("Attachment") is None:
        branch["Status"] = "available"
        save(ctx, branch)
