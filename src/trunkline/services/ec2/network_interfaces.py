"""EC2 network interfaces: Create/Attach/Detach/Delete/DescribeNetworkInterfaces and trunk
associations (Associate/Describe/DisassociateTrunkInterface). Thin: the ENI ledger decides.

ECS's own ENIs (the trunk, task ENIs) are requester-managed: "ENIs created by ECS can't be detached
manually or modified by your account". The refusal lives here, in what an account's request goes
through, because ECS changes those ENIs by calling the ledger directly."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import eni_views, unsupported
from trunkline.domain.ec2 import network_interfaces as enis
from trunkline.domain.ec2 import tags as ec2_tags
from trunkline.errors import AwsError
from trunkline.reconciler import JobHandler

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Params = dict[str, Any]


def _refuse_unsupported(params: shapes.CreateNetworkInterfaceRequest) -> None:
    """Secondary addresses and IPv6 are not modelled; saying so beats silently ignoring them."""
    unsupported.refuse(params, unsupported.SECONDARY_IPV4_INTERFACE + unsupported.IPV6_INTERFACE, "network interfaces")


def _check_account_manages(*records: Params | None) -> None:
    """Refuse an account's change to an ENI another service manages for it (see the module doc)."""
    for record in records:
        if record is not None and record.get("RequesterManaged"):
            raise AwsError(
                "OperationNotPermitted",
                f"You are not allowed to manage requester-managed network interface '{record['NetworkInterfaceId']}'.",
            )


def _check_enis_managed_by_account(ctx: RequestContext, *eni_ids: str) -> None:
    _check_account_manages(*(enis.get_network_interface(ctx, eni_id) for eni_id in eni_ids))


class NetworkInterfaceOps:
    def network_interface_jobs(self) -> dict[str, JobHandler]:
        return {enis.ATTACHED_JOB: enis.finish_attach_job, enis.DETACHED_JOB: enis.finish_detach_job}

    def create_network_interface(self, ctx: RequestContext, params: shapes.CreateNetworkInterfaceRequest) -> Params:
        _refuse_unsupported(params)
        tags = ec2_tags.requested(params, "network-interface")

        def create() -> Params:
            record = enis.create_network_interface(
                ctx,
                params["SubnetId"],
                params.get("Groups"),
                interface_type=params.get("InterfaceType") or "interface",
                description=params.get("Description") or "",
                tags=tags,
                private_ip=params.get("PrivateIpAddress"),
            )
            return {
                "NetworkInterface": eni_views.network_interface_view(record),
                "ClientToken": params.get("ClientToken"),
            }

        return create()

    def attach_network_interface(self, ctx: RequestContext, params: shapes.AttachNetworkInterfaceRequest) -> Params:
        _check_enis_managed_by_account(ctx, params["NetworkInterfaceId"])
        attachment = enis.attach(
            ctx,
            params["NetworkInterfaceId"],
            params["InstanceId"],
            params["DeviceIndex"],
            network_card_index=params.get("NetworkCardIndex") or 0,
        )
        return {"AttachmentId": attachment["AttachmentId"], "NetworkCardIndex": attachment["NetworkCardIndex"]}

    def detach_network_interface(self, ctx: RequestContext, params: shapes.DetachNetworkInterfaceRequest) -> Params:
        _check_account_manages(enis.by_attachment(ctx, params["AttachmentId"]))
        enis.detach(ctx, params["AttachmentId"])
        return {}

    def delete_network_interface(self, ctx: RequestContext, params: shapes.DeleteNetworkInterfaceRequest) -> Params:
        _check_enis_managed_by_account(ctx, params["NetworkInterfaceId"])
        enis.delete_network_interface(ctx, params["NetworkInterfaceId"])
        return {}

    def describe_network_interfaces(
        self, ctx: RequestContext, params: shapes.DescribeNetworkInterfacesRequest
    ) -> Params:
        found, token = eni_views.describe_network_interfaces(ctx, params)
        return {"NetworkInterfaces": found, "NextToken": token}

    def associate_trunk_interface(self, ctx: RequestContext, params: shapes.AssociateTrunkInterfaceRequest) -> Params:

        def associate() -> Params:
            _check_enis_managed_by_account(ctx, params["BranchInterfaceId"], params["TrunkInterfaceId"])
            association = enis.associate_trunk(
                ctx,
                params["BranchInterfaceId"],
                params["TrunkInterfaceId"],
                vlan_id=params.get("VlanId"),
                gre_key=params.get("GreKey"),
            )
            view = eni_views.association_view(association)
            return {"InterfaceAssociation": view, "ClientToken": params.get("ClientToken")}

        return associate()

    def describe_trunk_interface_associations(
        self, ctx: RequestContext, params: shapes.DescribeTrunkInterfaceAssociationsRequest
    ) -> Params:
        found, token = eni_views.describe_trunk_associations(ctx, params)
        return {"InterfaceAssociations": found, "NextToken": token}

    def disassociate_trunk_interface(
        self, ctx: RequestContext, params: shapes.DisassociateTrunkInterfaceRequest
    ) -> Params:

        def disassociate() -> Params:
            association = enis.get_trunk_association(ctx, params["AssociationId"])
            ends = (association["BranchInterfaceId"], association["TrunkInterfaceId"])
            _check_account_manages(*(enis.find_network_interface(ctx, eni_id) for eni_id in ends))
            enis.disassociate_trunk(ctx, params["AssociationId"])
            return {"Return": True, "ClientToken": params.get("ClientToken")}

        return disassociate()
