"""EC2 operations (ec2 query protocol). The provider is composed of one mixin per resource family,
each in its own module; find an operation by its family (e.g. RunInstances -> instances.py)."""

from __future__ import annotations

from trunkline.context import RequestContext
from trunkline.domain.ec2 import default_vpc, requests
from trunkline.reconciler import JobHandler
from trunkline.services.ec2.addresses import AddressOps
from trunkline.services.ec2.catalog import CatalogOps
from trunkline.services.ec2.instances import InstanceOps
from trunkline.services.ec2.internet_gateways import InternetGatewayOps
from trunkline.services.ec2.launch_templates import LaunchTemplateOps
from trunkline.services.ec2.network_interfaces import NetworkInterfaceOps
from trunkline.services.ec2.prefix_lists import PrefixListOps
from trunkline.services.ec2.route_tables import RouteTableOps
from trunkline.services.ec2.security_groups import SecurityGroupOps
from trunkline.services.ec2.snapshots import SnapshotOps
from trunkline.services.ec2.subnets import SubnetOps
from trunkline.services.ec2.tags import TagOps
from trunkline.services.ec2.volumes import VolumeOps
from trunkline.services.ec2.vpcs import VpcOps
from trunkline.services.provider import Operation, Params, Provider


class Ec2Provider(
    CatalogOps,
    VpcOps,
    SubnetOps,
    SecurityGroupOps,
    PrefixListOps,
    InternetGatewayOps,
    RouteTableOps,
    AddressOps,
    LaunchTemplateOps,
    InstanceOps,
    VolumeOps,
    SnapshotOps,
    NetworkInterfaceOps,
    TagOps,
    Provider,
):
    service = "ec2"

    def invoke(self, ctx: RequestContext, operation: str, params: Params, method: Operation) -> Params:
        """The caller's default VPC in the region (given on first use), then DryRun and ClientToken,
        once for every EC2 operation (`requests.py`)."""
        default_vpc.ensure(ctx)
        return requests.invoke(ctx, operation, params, method)

    def jobs(self) -> dict[str, JobHandler]:
        handlers: dict[str, JobHandler] = {}
        handlers.update(InstanceOps.instance_jobs(self))
        handlers.update(NetworkInterfaceOps.network_interface_jobs(self))
        handlers.update(AddressOps.address_jobs(self))
        handlers.update(VolumeOps.volume_jobs(self))
        handlers.update(SnapshotOps.snapshot_jobs(self))
        return handlers
