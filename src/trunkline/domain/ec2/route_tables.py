"""Route tables, their routes and their subnet associations.

Record (kind `kinds.ROUTE_TABLE`, indexed by `owner` and `vpc`), in the `RouteTable` output shape's member names: `RouteTableId`, `VpcId`, `OwnerId`,
`Routes`, `Associations`, `PropagatingVgws` ([]), `Tags`.

- Every VPC gets a main route table when it is created, with one `local` route per IPv4 block of
  the VPC (origin `CreateRouteTable`); it goes when the VPC goes, and a secondary block adds and
  removes its own local route in every table of the VPC.
- A route stores its destination, its target (`GatewayId`, `NatGatewayId`, `NetworkInterfaceId`,
  `InstanceId` with `InstanceOwnerId` and the instance's ENI) and its `Origin`. Its `State` is
  worked out when shown: `blackhole` once the target is gone (a gateway detached or deleted, a NAT
  gateway no longer available, an ENI deleted), else `active`.
- Associations: the main one (`Main: true`, no subnet), which ReplaceRouteTableAssociation moves
  to another table, and explicit subnet ones (`rtbassoc-…`). A subnet without an explicit
  association uses the main table.

A subnet is public when its table sends 0.0.0.0/0 to an internet gateway (an active route);
`route_target` tells callers (the ECS agent) how a subnet reaches the internet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import addressing, lookup, vpcs
from trunkline.domain.ec2 import tags as ec2_tags
from trunkline.domain.ec2.kinds import INSTANCE, ROUTE_TABLE
from trunkline.domain.ec2.records import NetworkInterfaceRecord, RouteTableRecord, SubnetRecord, Tag, VpcRecord
from trunkline.domain.ids import resource_id
from trunkline.domain.resource_kind import IdFormat
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]
DEFAULT_ROUTE = "0.0.0.0/0"

#: CreateRoute/ReplaceRoute target members trunkline routes to.
TARGETS = ("GatewayId", "NatGatewayId", "NetworkInterfaceId", "InstanceId")
#: Targets it does not model; naming one is refused as unsupported.
_UNSUPPORTED_TARGETS = (
    "EgressOnlyInternetGatewayId",
    "TransitGatewayId",
    "LocalGatewayId",
    "CarrierGatewayId",
    "VpcPeeringConnectionId",
    "CoreNetworkArn",
    "VpcEndpointId",
    "OdbNetworkArn",
)
_UNSUPPORTED_DESTINATIONS = ("DestinationIpv6CidrBlock", "DestinationPrefixListId")


def _route_values(field: str) -> Any:
    return lambda r: [route[field] for route in r["Routes"] if route.get(field)]


def _association_values(field: str) -> Any:
    return lambda r: [a[field] for a in r["Associations"] if a.get(field) is not None]


EXTRACTORS: dict[str, Any] = {
    "association.gateway-id": _association_values("GatewayId"),
    "association.route-table-association-id": _association_values("RouteTableAssociationId"),
    "association.route-table-id": _association_values("RouteTableId"),
    "association.subnet-id": _association_values("SubnetId"),
    "association.main": lambda r: [a["Main"] for a in r["Associations"]] or [False],
    "owner-id": lambda r: [r["OwnerId"]],
    "route-table-id": lambda r: [r["RouteTableId"]],
    "route.destination-cidr-block": _route_values("DestinationCidrBlock"),
    "route.gateway-id": _route_values("GatewayId"),
    "route.instance-id": _route_values("InstanceId"),
    "route.nat-gateway-id": _route_values("NatGatewayId"),
    "route.origin": _route_values("Origin"),
    "route.state": _route_values("State"),
    "vpc-id": lambda r: [r["VpcId"]],
}


_ASSOCIATION_ID = IdFormat("rtbassoc", "InvalidAssociationID.Malformed")


def _association_missing(association_id: str) -> AwsError:
    return AwsError("InvalidAssociationID.NotFound", f"The association ID '{association_id}' does not exist")


def save(ctx: RequestContext, record: RouteTableRecord) -> None:
    ROUTE_TABLE.save(ctx, record)


def get_route_table(ctx: RequestContext, table_id: str) -> RouteTableRecord:
    return ROUTE_TABLE.require(ctx, table_id)


def tables_of_vpc(ctx: RequestContext, vpc_id: str) -> list[RouteTableRecord]:
    return ROUTE_TABLE.find(ctx, "vpc", vpc_id)


def _owned(ctx: RequestContext) -> list[RouteTableRecord]:
    return ROUTE_TABLE.find(ctx, "owner", ctx.account_id)


# --- creation, with the VPC and by CreateRouteTable -----------------------------------------------


def _new_table(ctx: RequestContext, vpc: VpcRecord, tags: list[Tag]) -> RouteTableRecord:
    return {
        "RouteTableId": resource_id("rtb"),
        "VpcId": vpc["VpcId"],
        "OwnerId": ctx.account_id,
        "Routes": [_local_route(str(block)) for block in vpcs.ipv4_blocks(vpc)],
        "Associations": [],
        "PropagatingVgws": [],
        "Tags": tags,
    }


def _local_route(cidr: str) -> Record:
    return {"DestinationCidrBlock": cidr, "GatewayId": "local", "Origin": "CreateRouteTable"}


def create_main(ctx: RequestContext, vpc: VpcRecord) -> RouteTableRecord:
    """The main route table of a new VPC."""
    table = _new_table(ctx, vpc, [])
    table["Associations"] = [_association(table, None, main=True)]
    save(ctx, table)
    return table


def _association(table: RouteTableRecord, subnet_id: str | None, *, main: bool = False) -> Record:
    association: Record = {
        "Main": main,
        "RouteTableAssociationId": resource_id("rtbassoc"),
        "RouteTableId": table["RouteTableId"],
        "AssociationState": {"State": "associated"},
    }
    if subnet_id is not None:
        association["SubnetId"] = subnet_id
    return association


def create_route_table(ctx: RequestContext, params: shapes.CreateRouteTableRequest) -> RouteTableRecord:
    vpc = vpcs.get_vpc(ctx, params["VpcId"])
    tags = ec2_tags.requested(params, "route-table")
    table = _new_table(ctx, vpc, tags)
    save(ctx, table)
    return table


def on_block_associated(ctx: RequestContext, vpc_id: str, cidr: str) -> None:
    for table in tables_of_vpc(ctx, vpc_id):
        table["Routes"].append(_local_route(cidr))
        save(ctx, table)


def on_block_disassociated(ctx: RequestContext, vpc_id: str, cidr: str) -> None:
    for table in tables_of_vpc(ctx, vpc_id):
        table["Routes"] = [
            r for r in table["Routes"] if not (r.get("GatewayId") == "local" and r["DestinationCidrBlock"] == cidr)
        ]
        save(ctx, table)


def custom_tables(ctx: RequestContext, vpc_id: str) -> list[RouteTableRecord]:
    """The VPC's tables other than its main one (DeleteVpc refuses while any exists)."""
    return [t for t in tables_of_vpc(ctx, vpc_id) if not _is_main(t)]


def remove_with_vpc(ctx: RequestContext, vpc_id: str) -> None:
    for table in tables_of_vpc(ctx, vpc_id):
        ROUTE_TABLE.delete(ctx, table["RouteTableId"])


def _is_main(table: RouteTableRecord) -> bool:
    return any(a["Main"] for a in table["Associations"])


def delete_route_table(ctx: RequestContext, table_id: str) -> None:
    table = get_route_table(ctx, table_id)
    if table["Associations"]:
        raise AwsError("DependencyViolation", f"The routeTable '{table_id}' has dependencies and cannot be deleted.")
    ROUTE_TABLE.delete(ctx, table_id)


# --- associations ---------------------------------------------------------------------------------


def explicit_table(ctx: RequestContext, subnet: SubnetRecord) -> RouteTableRecord | None:
    for table in tables_of_vpc(ctx, subnet["VpcId"]):
        if any(a.get("SubnetId") == subnet["SubnetId"] for a in table["Associations"]):
            return table
    return None


def main_table(ctx: RequestContext, vpc_id: str) -> RouteTableRecord | None:
    return next((t for t in tables_of_vpc(ctx, vpc_id) if _is_main(t)), None)


def table_of_subnet(ctx: RequestContext, subnet: SubnetRecord) -> RouteTableRecord | None:
    """The table a subnet routes by: its explicit association, else the VPC's main table."""
    return explicit_table(ctx, subnet) or main_table(ctx, subnet["VpcId"])


def associate_route_table(ctx: RequestContext, params: shapes.AssociateRouteTableRequest) -> Record:
    from trunkline.domain.ec2 import subnets

    table = get_route_table(ctx, params["RouteTableId"])
    if params.get("GatewayId"):
        raise AwsError("InvalidParameterValue", "trunkline does not support gateway route table associations yet.")
    subnet_id = params.get("SubnetId")
    if not subnet_id:
        raise AwsError("MissingParameter", "The request must contain the parameter subnetId or gatewayId")
    subnet = subnets.get_subnet(ctx, subnet_id)
    if subnet["VpcId"] != table["VpcId"]:
        raise AwsError(
            "InvalidParameterValue",
            f"route table {table['RouteTableId']} and subnet {subnet_id} belong to different networks",
        )
    if explicit_table(ctx, subnet) is not None:
        raise AwsError(
            "Resource.AlreadyAssociated",
            f"the specified association for route table {table['RouteTableId']} conflicts with an existing association",
        )
    association = _association(table, subnet_id)
    table["Associations"].append(association)
    save(ctx, table)
    return association


def _find_association(ctx: RequestContext, association_id: str) -> tuple[RouteTableRecord, Record]:
    _ASSOCIATION_ID.check(association_id)
    for table in _owned(ctx):
        for association in table["Associations"]:
            if association["RouteTableAssociationId"] == association_id:
                return table, association
    raise _association_missing(association_id)


def disassociate_route_table(ctx: RequestContext, association_id: str) -> None:
    table, association = _find_association(ctx, association_id)
    if association["Main"]:
        raise AwsError(
            "InvalidParameterValue", f"cannot disassociate the main route table association {association_id}"
        )
    table["Associations"].remove(association)
    save(ctx, table)


def replace_route_table_association(ctx: RequestContext, association_id: str, table_id: str) -> Record:
    """Move an association (the main one included) to another table of the same VPC; the moved
    association gets a new id, as in EC2."""
    current, association = _find_association(ctx, association_id)
    target = get_route_table(ctx, table_id)
    if target["VpcId"] != current["VpcId"]:
        raise AwsError(
            "InvalidParameterValue",
            f"route table {table_id} and association {association_id} belong to different networks",
        )
    current["Associations"].remove(association)
    save(ctx, current)
    if target["RouteTableId"] == current["RouteTableId"]:
        target = current
    moved = _association(target, association.get("SubnetId"), main=association["Main"])
    target["Associations"].append(moved)
    save(ctx, target)
    return moved


def forget_subnet(ctx: RequestContext, subnet: SubnetRecord) -> None:
    """A deleted subnet leaves its explicit association."""
    table = explicit_table(ctx, subnet)
    if table is not None:
        table["Associations"] = [a for a in table["Associations"] if a.get("SubnetId") != subnet["SubnetId"]]
        save(ctx, table)


# --- routes ---------------------------------------------------------------------------------------


def _destination(params: Mapping[str, Any]) -> str:
    for name in _UNSUPPORTED_DESTINATIONS:
        if params.get(name):
            raise AwsError("InvalidParameterValue", f"trunkline does not support {name} routes yet.")
    text = params.get("DestinationCidrBlock")
    if not text:
        raise AwsError(
            "MissingParameter",
            "The request must contain the parameter destinationCidrBlock or destinationIpv6CidrBlock "
            "or destinationPrefixListId",
        )
    if "/" not in text:  # EC2 wants a block, not an address
        raise AwsError(
            "InvalidParameterValue",
            f"Value ({text}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.",
        )
    return str(addressing.parse_cidr(text, "destinationCidrBlock"))


def _target(ctx: RequestContext, table: RouteTableRecord, params: Mapping[str, Any]) -> Record:
    """The route's target fields, checked: exactly one target, existing, in the table's VPC."""
    from trunkline.domain.ec2 import internet_gateways, nat_gateways
    from trunkline.domain.ec2 import network_interfaces as enis

    for name in _UNSUPPORTED_TARGETS:
        if params.get(name):
            raise AwsError("InvalidParameterValue", f"trunkline does not support routes to {name} yet.")
    given = [name for name in TARGETS if params.get(name)]
    if not given:
        raise AwsError(
            "InvalidParameterCombination",
            "No target specified. Specify a gateway, NAT gateway, network interface or instance.",
        )
    if len(given) > 1:
        raise AwsError("InvalidParameterCombination", "More than one target specified.")
    name, value = given[0], params[given[0]]
    vpc_id = table["VpcId"]
    if name == "GatewayId":
        if value == "local":
            raise AwsError("InvalidParameterValue", "The local route cannot be created or replaced.")
        gateway = internet_gateways.get_gateway_for_route(ctx, value)
        if internet_gateways.attached_vpc(gateway) != vpc_id:
            raise AwsError(
                "InvalidParameterValue",
                f"route table {table['RouteTableId']} and network gateway {value} belong to different networks",
            )
        return {"GatewayId": value}
    if name == "NatGatewayId":
        nat = nat_gateways.get_nat_gateway(ctx, value)
        if nat["VpcId"] != vpc_id:
            raise AwsError(
                "InvalidParameterValue",
                f"route table {table['RouteTableId']} and NAT gateway {value} belong to different networks",
            )
        return {"NatGatewayId": value}
    if name == "NetworkInterfaceId":
        eni = enis.get_network_interface(ctx, value)
        if eni["VpcId"] != vpc_id:
            raise AwsError(
                "InvalidParameterValue",
                f"route table {table['RouteTableId']} and interface {value} belong to different networks",
            )
        return _eni_target(eni)
    instance = INSTANCE.require(ctx, value)
    attached = enis.interfaces_of_instance(ctx, value)
    if len(attached) != 1:
        raise AwsError(
            "InvalidInstanceID",
            f"There are multiple interfaces attached to instance '{value}'. "
            "Please specify an interface ID for the operation instead.",
        )
    if instance["VpcId"] != vpc_id:
        raise AwsError(
            "InvalidParameterValue",
            f"route table {table['RouteTableId']} and instance {value} belong to different networks",
        )
    return _eni_target(attached[0])


def _eni_target(eni: NetworkInterfaceRecord) -> Record:
    target = {"NetworkInterfaceId": eni["NetworkInterfaceId"]}
    attachment = eni.get("Attachment")
    if attachment:
        target["InstanceId"] = attachment["InstanceId"]
        target["InstanceOwnerId"] = attachment["InstanceOwnerId"]
    return target


def _route_for(table: RouteTableRecord, destination: str) -> Record | None:
    return next((r for r in table["Routes"] if r.get("DestinationCidrBlock") == destination), None)


def create_route(ctx: RequestContext, params: shapes.CreateRouteRequest) -> None:
    table = get_route_table(ctx, params["RouteTableId"])
    destination = _destination(params)
    target = _target(ctx, table, params)
    if _route_for(table, destination) is not None:
        raise AwsError("RouteAlreadyExists", f"The route identified by {destination} already exists.")
    table["Routes"].append({"DestinationCidrBlock": destination, **target, "Origin": "CreateRoute"})
    save(ctx, table)


def replace_route(ctx: RequestContext, params: shapes.ReplaceRouteRequest) -> None:
    table = get_route_table(ctx, params["RouteTableId"])
    destination = _destination(params)
    route = _route_for(table, destination)
    if route is None:
        raise AwsError(
            "InvalidRoute.NotFound",
            f"There is no route defined for '{destination}' in the route table. Use CreateRoute instead.",
        )
    if route.get("GatewayId") == "local":
        raise AwsError("InvalidParameterValue", "The local route cannot be created or replaced.")
    target = _target(ctx, table, params)
    route.clear()
    route.update({"DestinationCidrBlock": destination, **target, "Origin": "CreateRoute"})
    save(ctx, table)


def delete_route(ctx: RequestContext, params: shapes.DeleteRouteRequest) -> None:
    table = get_route_table(ctx, params["RouteTableId"])
    destination = _destination(params)
    route = _route_for(table, destination)
    if route is None:
        raise AwsError(
            "InvalidRoute.NotFound",
            f"no route with destination-cidr-block {destination} in route table {table['RouteTableId']}",
        )
    if route.get("GatewayId") == "local":
        raise AwsError(
            "InvalidParameterValue", f"cannot remove local route {destination} in route table {table['RouteTableId']}"
        )
    table["Routes"].remove(route)
    save(ctx, table)


# --- state, views and what other modules ask -------------------------------------------------------


def route_state(ctx: RequestContext, table: RouteTableRecord, route: Record) -> str:
    from trunkline.domain.ec2 import internet_gateways, nat_gateways
    from trunkline.domain.ec2 import network_interfaces as enis

    gateway = route.get("GatewayId")
    if gateway == "local":
        return "active"
    if gateway:
        found = internet_gateways.find_gateway(ctx, gateway)
        return "active" if found and internet_gateways.attached_vpc(found) == table["VpcId"] else "blackhole"
    if route.get("NatGatewayId"):
        nat = nat_gateways.find_nat_gateway(ctx, route["NatGatewayId"])
        return "active" if nat and nat["State"] in ("pending", "available") else "blackhole"
    if route.get("NetworkInterfaceId"):
        return "active" if enis.find_network_interface(ctx, route["NetworkInterfaceId"]) else "blackhole"
    return "blackhole"


def view(ctx: RequestContext, table: RouteTableRecord) -> Record:
    shown = lookup.public(table)
    shown["Routes"] = [{**route, "State": route_state(ctx, table, route)} for route in table["Routes"]]
    return shown


def route_target(ctx: RequestContext, subnet: SubnetRecord) -> str | None:
    """How the subnet reaches the internet: "internet-gateway" (a public subnet), "nat-gateway",
    or None (no active default route)."""
    table = table_of_subnet(ctx, subnet)
    route = _route_for(table, DEFAULT_ROUTE) if table else None
    if table is None or route is None or route_state(ctx, table, route) != "active":
        return None
    if str(route.get("GatewayId", "")).startswith("igw-"):
        return "internet-gateway"
    if route.get("NatGatewayId"):
        return "nat-gateway"
    return None


def is_public(ctx: RequestContext, subnet: SubnetRecord) -> bool:
    return route_target(ctx, subnet) == "internet-gateway"


def describe_route_tables(
    ctx: RequestContext, params: shapes.DescribeRouteTablesRequest
) -> tuple[list[Record], str | None]:
    from trunkline.domain.ec2 import filters as ec2_filters
    from trunkline.domain.ec2.paging import page

    filters = params.get("Filters")
    ec2_filters.check_filters(filters, EXTRACTORS)
    ids = params.get("RouteTableIds")
    found = ROUTE_TABLE.require_all(ctx, ids) if ids else _owned(ctx)
    records = sorted(found, key=lambda r: r["RouteTableId"])
    shown = [view(ctx, r) for r in records]
    matching = [r for r in shown if ec2_filters.matches(r, filters, EXTRACTORS)]
    return page(ctx, ROUTE_TABLE.name, matching, "RouteTableId", params, minimum=5, maximum=100)
