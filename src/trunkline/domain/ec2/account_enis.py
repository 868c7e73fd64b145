"""An account's own requests on network interfaces (Create/Attach/Detach/DeleteNetworkInterface,
Associate/DisassociateTrunkInterface): what they may touch, then the ENI ledger
(`network_interfaces.py`) does the work.

ECS's own ENIs (the trunk, task ENIs) are requester-managed: "ENIs created by ECS can't be detached
manually or modified by your account". The refusal lives here, in what an account's request goes
through, and not in the ledger, because ECS changes those ENIs by calling the ledger directly."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import eni_views, unsupported
from trunkline.domain.ec2 import network_interfaces as enis
from trunkline.domain.ec2 import tags as ec2_tags
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from collections.abc import Mapping

    from trunkline.wire.shapes import ec2 as shapes

View = dict[str, Any]


def _check_account_manages(*records: Mapping[str, Any] | None) -> None:
    """Refuse an account's change to an ENI another service manages for it (see the module doc)."""
    for record in records:
        if record is not None and record.get("RequesterManaged"):
            raise AwsError(
                "OperationNotPermitted",
                f"You are not allowed to manage requester-managed network interface '{record['NetworkInterfaceId']}'.",
            )


def _check_managed_by_account(ctx: RequestContext, *eni_ids: str) -> None:
    _check_account_manages(*(enis.get_network_interface(ctx, eni_id) for eni_id in eni_ids))


def create(ctx: RequestContext, request: shapes.CreateNetworkInterfaceRequest) -> View:
    """CreateNetworkInterface's NetworkInterface. Secondary addresses and IPv6 are not modelled:
    saying so beats silently ignoring them."""
    unsupported.refuse(request, unsupported.SECONDARY_IPV4_INTERFACE + unsupported.IPV6_INTERFACE, "network interfaces")
    record = enis.create_network_interface(
        ctx,
        request["SubnetId"],
        request.get("Groups"),
        interface_type=request.get("InterfaceType") or "interface",
        description=request.get("Description") or "",
        tags=ec2_tags.requested(request, "network-interface"),
        private_ip=request.get("PrivateIpAddress"),
    )
    return eni_views.network_interface_view(record)


def attach(ctx: RequestContext, request: shapes.AttachNetworkInterfaceRequest) -> View:
    """AttachNetworkInterface's answer: the new attachment's id and network card."""
    _check_managed_by_account(ctx, request["NetworkInterfaceId"])
    attachment = enis.attach(
        ctx,
        request["NetworkInterfaceId"],
        request["InstanceId"],
        request["DeviceIndex"],
        network_card_index=request.get("NetworkCardIndex") or 0,
    )
    return {"AttachmentId": attachment["AttachmentId"], "NetworkCardIndex": attachment["NetworkCardIndex"]}


def detach(ctx: RequestContext, request: shapes.DetachNetworkInterfaceRequest) -> None:
    _check_account_manages(enis.by_attachment(ctx, request["AttachmentId"]))
    enis.detach(ctx, request["AttachmentId"])


def delete(ctx: RequestContext, request: shapes.DeleteNetworkInterfaceRequest) -> None:
    _check_managed_by_account(ctx, request["NetworkInterfaceId"])
    enis.delete_network_interface(ctx, request["NetworkInterfaceId"])


def associate_trunk(ctx: RequestContext, request: shapes.AssociateTrunkInterfaceRequest) -> View:
    """AssociateTrunkInterface's InterfaceAssociation."""
    _check_managed_by_account(ctx, request["BranchInterfaceId"], request["TrunkInterfaceId"])
    association = enis.associate_trunk(
        ctx,
        request["BranchInterfaceId"],
        request["TrunkInterfaceId"],
        vlan_id=request.get("VlanId"),
        gre_key=request.get("GreKey"),
    )
    return eni_views.association_view(association)


def disassociate_trunk(ctx: RequestContext, request: shapes.DisassociateTrunkInterfaceRequest) -> None:
    association = enis.get_trunk_association(ctx, request["AssociationId"])
    ends = (association["BranchInterfaceId"], association["TrunkInterfaceId"])
    _check_account_manages(*(enis.find_network_interface(ctx, eni_id) for eni_id in ends))
    enis.disassociate_trunk(ctx, request["AssociationId"])


#: ModifyNetworkInterfaceAttribute members trunkline does not model (refused by name).
_NOT_MODELLED = (
    "EnaSrdSpecification",
    "EnablePrimaryIpv6",
    "ConnectionTrackingSpecification",
    "AssociatePublicIpAddress",
    "AssociatedSubnetIds",
)
_ATTRIBUTES = ("Description", "SourceDestCheck", "Groups", "Attachment")


def modify_attribute(ctx: RequestContext, request: shapes.ModifyNetworkInterfaceAttributeRequest) -> None:
    """ModifyNetworkInterfaceAttribute: one attribute per call, as EC2 documents; an ENI ECS
    manages is refused."""
    record = enis.get_network_interface(ctx, request["NetworkInterfaceId"])
    _check_account_manages(record)
    unsupported.refuse(request, _NOT_MODELLED, "network interfaces")
    given = [name for name in _ATTRIBUTES if request.get(name)]
    if len(given) > 1:
        raise AwsError(
            "InvalidParameterCombination", f"Fields for multiple attribute types specified: {', '.join(given)}"
        )
    if not given:
        raise AwsError("MissingParameter", "The request must contain the parameter attribute")
    if "Groups" in given:
        enis.set_groups(ctx, record, list(request["Groups"]))
        return
    if "Attachment" in given:
        _attachment(record, request["Attachment"])
    elif "Description" in given:
        record["Description"] = str(request["Description"].get("Value") or "")
    else:
        record["SourceDestCheck"] = bool(request["SourceDestCheck"].get("Value"))
    enis.save(ctx, record)


def _attachment(record: Any, change: Mapping[str, Any]) -> None:
    """The attachment's DeleteOnTermination; the attachment id must be the ENI's own."""
    attachment = record.get("Attachment")
    if not attachment or change.get("AttachmentId") != attachment["AttachmentId"]:
        raise AwsError(
            "InvalidAttachmentID.NotFound", f"The attachment ID '{change.get('AttachmentId')}' does not exist"
        )
    if change.get("DeleteOnTermination") is not None:
        attachment["DeleteOnTermination"] = bool(change["DeleteOnTermination"])
