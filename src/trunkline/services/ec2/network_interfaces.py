"""EC2 network interfaces: Create/Attach/Detach/Delete/DescribeNetworkInterfaces, Describe/ModifyNetworkInterfaceAttribute and trunk
associations (Associate/Describe/DisassociateTrunkInterface). Thin: `domain/ec2/account_enis.py`
decides what an account may do, the ENI ledger does it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import account_enis, eni_views
from trunkline.domain.ec2 import network_interfaces as enis
from trunkline.reconciler import JobHandler

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Params = dict[str, Any]


class NetworkInterfaceOps:
    def network_interface_jobs(self) -> dict[str, JobHandler]:
        return {enis.ATTACHED_JOB: enis.finish_attach_job, enis.DETACHED_JOB: enis.finish_detach_job}

    def create_network_interface(self, ctx: RequestContext, params: shapes.CreateNetworkInterfaceRequest) -> Params:
        return {"NetworkInterface": account_enis.create(ctx, params), "ClientToken": params.get("ClientToken")}

    def attach_network_interface(self, ctx: RequestContext, params: shapes.AttachNetworkInterfaceRequest) -> Params:
        return account_enis.attach(ctx, params)

    def detach_network_interface(self, ctx: RequestContext, params: shapes.DetachNetworkInterfaceRequest) -> Params:
        account_enis.detach(ctx, params)
        return {}

    def modify_network_interface_attribute(
        self, ctx: RequestContext, params: shapes.ModifyNetworkInterfaceAttributeRequest
    ) -> Params:
        account_enis.modify_attribute(ctx, params)
        return {}

    def describe_network_interface_attribute(
        self, ctx: RequestContext, params: shapes.DescribeNetworkInterfaceAttributeRequest
    ) -> Params:
        return eni_views.describe_attribute(ctx, params)

    def delete_network_interface(self, ctx: RequestContext, params: shapes.DeleteNetworkInterfaceRequest) -> Params:
        account_enis.delete(ctx, params)
        return {}

    def describe_network_interfaces(
        self, ctx: RequestContext, params: shapes.DescribeNetworkInterfacesRequest
    ) -> Params:
        found, token = eni_views.describe_network_interfaces(ctx, params)
        return {"NetworkInterfaces": found, "NextToken": token}

    def associate_trunk_interface(self, ctx: RequestContext, params: shapes.AssociateTrunkInterfaceRequest) -> Params:
        association = account_enis.associate_trunk(ctx, params)
        return {"InterfaceAssociation": association, "ClientToken": params.get("ClientToken")}

    def describe_trunk_interface_associations(
        self, ctx: RequestContext, params: shapes.DescribeTrunkInterfaceAssociationsRequest
    ) -> Params:
        found, token = eni_views.describe_trunk_associations(ctx, params)
        return {"InterfaceAssociations": found, "NextToken": token}

    def disassociate_trunk_interface(
        self, ctx: RequestContext, params: shapes.DisassociateTrunkInterfaceRequest
    ) -> Params:
        account_enis.disassociate_trunk(ctx, params)
        return {"Return": True, "ClientToken": params.get("ClientToken")}
