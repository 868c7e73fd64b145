"""Internet gateways, route tables and the default network ACL over boto3 and the AWS CLI: what a
VPC comes with, attach/detach rules, routes and their targets, associations (the main one too),
DescribeRouteTables filters, and what DeleteVpc refuses. Refusals change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import ACCOUNT
from ec2_world import digest, error_of, network, new_vpc_id


def igw(ec2: Any, **kwargs: Any) -> str:
    return str(ec2.create_internet_gateway(**kwargs)["InternetGateway"]["InternetGatewayId"])


def tables(ec2: Any, vpc_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "RouteTables"
    ]
    return found


def main_table(ec2: Any, vpc_id: str) -> dict[str, Any]:
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}]
    (found,) = ec2.describe_route_tables(Filters=filters)["RouteTables"]
    result: dict[str, Any] = found
    return result


# --- what a VPC comes with ------------------------------------------------------------------------------


def test_a_vpc_comes_with_a_main_route_table_and_a_default_network_acl(ec2: Any) -> None:
    vpc_id = new_vpc_id(ec2)
    (table,) = tables(ec2, vpc_id)
    assert table["RouteTableId"].startswith("rtb-") and table["OwnerId"] == ACCOUNT
    assert table["Routes"] == [
        {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"}
    ]
    (association,) = table["Associations"]
    assert association["Main"] is True and "SubnetId" not in association
    assert association["RouteTableAssociationId"].startswith("rtbassoc-")
    assert association["AssociationState"] == {"State": "associated"}
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    (acl,) = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NetworkAcls"]
    assert acl["IsDefault"] is True and acl["NetworkAclId"].startswith("acl-")
    rules = {(e["RuleNumber"], e["Egress"], e["RuleAction"], e["CidrBlock"], e["Protocol"]) for e in acl["Entries"]}
    assert rules == {
        (100, True, "allow", "0.0.0.0/0", "-1"),
        (32767, True, "deny", "0.0.0.0/0", "-1"),
        (100, False, "allow", "0.0.0.0/0", "-1"),
        (32767, False, "deny", "0.0.0.0/0", "-1"),
    }
    (acl_association,) = acl["Associations"]
    assert acl_association["SubnetId"] == subnet and acl_association["NetworkAclAssociationId"].startswith("aclassoc-")
    again = ec2.describe_network_acls(NetworkAclIds=[acl["NetworkAclId"]])["NetworkAcls"][0]
    assert again["Associations"] == acl["Associations"]
    by_subnet = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])
    assert [a["NetworkAclId"] for a in by_subnet["NetworkAcls"]] == [acl["NetworkAclId"]]


def test_a_secondary_block_gets_its_local_route(ec2: Any) -> None:
    vpc_id = new_vpc_id(ec2)
    association = ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.1.0.0/16")["CidrBlockAssociation"]
    routes = main_table(ec2, vpc_id)["Routes"]
    assert [r["DestinationCidrBlock"] for r in routes if r["GatewayId"] == "local"] == ["10.0.0.0/16", "10.1.0.0/16"]
    ec2.disassociate_vpc_cidr_block(AssociationId=association["AssociationId"])
    assert [r["DestinationCidrBlock"] for r in main_table(ec2, vpc_id)["Routes"]] == ["10.0.0.0/16"]


def test_deleting_the_vpc_takes_its_main_table_and_acl(ec2: Any) -> None:
    vpc_id = new_vpc_id(ec2)
    ec2.delete_vpc(VpcId=vpc_id)
    assert tables(ec2, vpc_id) == []
    assert ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NetworkAcls"] == []


# --- internet gateways -----------------------------------------------------------------------------------


def test_internet_gateway_lifecycle(ec2: Any) -> None:
    vpc_id = new_vpc_id(ec2)
    tags = [{"ResourceType": "internet-gateway", "Tags": [{"Key": "Name", "Value": "gw"}]}]
    created = ec2.create_internet_gateway(TagSpecifications=tags)["InternetGateway"]
    gateway = created["InternetGatewayId"]
    assert gateway.startswith("igw-") and created["Attachments"] == [] and created["OwnerId"] == ACCOUNT
    assert created["Tags"] == [{"Key": "Name", "Value": "gw"}]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    (shown,) = ec2.describe_internet_gateways(InternetGatewayIds=[gateway])["InternetGateways"]
    assert shown["Attachments"] == [{"State": "available", "VpcId": vpc_id}]
    by_vpc = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])
    assert [g["InternetGatewayId"] for g in by_vpc["InternetGateways"]] == [gateway]
    assert error_of(ec2.delete_internet_gateway, InternetGatewayId=gateway) == (
        "DependencyViolation",
        f"The internetGateway '{gateway}' has dependencies and cannot be deleted.",
        400,
    )
    assert error_of(ec2.delete_vpc, VpcId=vpc_id)[0] == "DependencyViolation"
    ec2.detach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    ec2.delete_internet_gateway(InternetGatewayId=gateway)
    assert error_of(ec2.describe_internet_gateways, InternetGatewayIds=[gateway]) == (
        "InvalidInternetGatewayID.NotFound",
        f"The internetGateway ID '{gateway}' does not exist",
        400,
    )


def test_internet_gateway_attach_and_detach_refusals(ec2: Any, server: Any) -> None:
    vpc_a, vpc_b = new_vpc_id(ec2), new_vpc_id(ec2, "10.9.0.0/16")
    first, second = igw(ec2), igw(ec2)
    ec2.attach_internet_gateway(InternetGatewayId=first, VpcId=vpc_a)
    before = digest(server)
    assert error_of(ec2.attach_internet_gateway, InternetGatewayId=first, VpcId=vpc_b) == (
        "Resource.AlreadyAssociated",
        f"resource {first} is already attached to network {vpc_a}",
        400,
    )
    assert error_of(ec2.attach_internet_gateway, InternetGatewayId=second, VpcId=vpc_a) == (
        "InvalidParameterValue",
        f"Network {vpc_a} already has an internet gateway attached",
        400,
    )
    assert error_of(ec2.detach_internet_gateway, InternetGatewayId=second, VpcId=vpc_a) == (
        "Gateway.NotAttached",
        f"resource {second} is not attached to network {vpc_a}",
        400,
    )
    assert error_of(ec2.attach_internet_gateway, InternetGatewayId="igw-1", VpcId=vpc_b)[0] == (
        "InvalidInternetGatewayID.Malformed"
    )
    assert error_of(ec2.create_internet_gateway, DryRun=True)[0] == "DryRunOperation"
    assert digest(server) == before


# --- route tables, routes and associations ------------------------------------------------------------


def test_routes_to_a_gateway_make_a_subnet_public_and_go_blackhole_when_it_leaves(ec2: Any, server: Any) -> None:
    net = network(ec2)
    vpc_id, subnet = net["vpc"], net["subnet"]
    gateway = igw(ec2)
    created = ec2.create_route_table(
        VpcId=vpc_id, TagSpecifications=[{"ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": "pub"}]}]
    )["RouteTable"]
    table = created["RouteTableId"]
    assert created["Associations"] == [] and created["Tags"] == [{"Key": "Name", "Value": "pub"}]
    before = digest(server)
    assert error_of(ec2.create_route, RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway) == (
        "InvalidParameterValue",
        f"route table {table} and network gateway {gateway} belong to different networks",
        400,
    )
    assert error_of(
        ec2.create_route, RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId="igw-0123456789abcdef0"
    ) == (
        "InvalidGatewayID.NotFound",
        "The gateway ID 'igw-0123456789abcdef0' does not exist",
        400,
    )
    assert digest(server) == before
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    assert ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)["Return"] is True
    assert error_of(ec2.create_route, RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway) == (
        "RouteAlreadyExists",
        "The route identified by 0.0.0.0/0 already exists.",
        400,
    )
    association = ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    assert association["AssociationId"].startswith("rtbassoc-")
    assert association["AssociationState"] == {"State": "associated"}
    assert error_of(ec2.associate_route_table, RouteTableId=table, SubnetId=subnet) == (
        "Resource.AlreadyAssociated",
        f"the specified association for route table {table} conflicts with an existing association",
        400,
    )
    by_subnet = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])
    (shown,) = by_subnet["RouteTables"]
    assert shown["RouteTableId"] == table
    assert {
        "DestinationCidrBlock": "0.0.0.0/0",
        "GatewayId": gateway,
        "Origin": "CreateRoute",
        "State": "active",
    } in shown["Routes"]
    by_route = ec2.describe_route_tables(
        Filters=[
            {"Name": "route.destination-cidr-block", "Values": ["0.0.0.0/0"]},
            {"Name": "vpc-id", "Values": [vpc_id]},  # the default VPC's main table routes 0.0.0.0/0 too
        ]
    )
    assert [t["RouteTableId"] for t in by_route["RouteTables"]] == [table]
    assert [
        t["RouteTableId"] for t in tables(ec2, vpc_id) if not t["Associations"] or not t["Associations"][0]["Main"]
    ] == [table]

    ec2.detach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    (after,) = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"]
    assert next(r for r in after["Routes"] if r["DestinationCidrBlock"] == "0.0.0.0/0")["State"] == "blackhole"
    assert error_of(ec2.delete_route_table, RouteTableId=table) == (
        "DependencyViolation",
        f"The routeTable '{table}' has dependencies and cannot be deleted.",
        400,
    )
    ec2.disassociate_route_table(AssociationId=association["AssociationId"])
    assert error_of(ec2.delete_vpc, VpcId=vpc_id)[0] == "DependencyViolation"  # the subnet, the custom table
    ec2.delete_route_table(RouteTableId=table)
    assert error_of(ec2.describe_route_tables, RouteTableIds=[table]) == (
        "InvalidRouteTableID.NotFound",
        f"The routeTable ID '{table}' does not exist",
        400,
    )


def test_replace_and_delete_routes(ec2: Any, server: Any) -> None:
    net = network(ec2)
    table = main_table(ec2, net["vpc"])["RouteTableId"]
    eni = ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    before = digest(server)
    assert error_of(
        ec2.replace_route, RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NetworkInterfaceId=eni
    ) == (
        "InvalidRoute.NotFound",
        "There is no route defined for '0.0.0.0/0' in the route table. Use CreateRoute instead.",
        400,
    )
    assert error_of(ec2.delete_route, RouteTableId=table, DestinationCidrBlock="10.0.0.0/16") == (
        "InvalidParameterValue",
        f"cannot remove local route 10.0.0.0/16 in route table {table}",
        400,
    )
    assert error_of(ec2.create_route, RouteTableId=table, DestinationCidrBlock="192.168.0.0/16")[0] == (
        "InvalidParameterCombination"
    )
    assert digest(server) == before
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="192.168.0.0/16", NetworkInterfaceId=eni)
    route = next(r for r in main_table(ec2, net["vpc"])["Routes"] if r["DestinationCidrBlock"] == "192.168.0.0/16")
    assert route["NetworkInterfaceId"] == eni and route["State"] == "active" and "InstanceId" not in route
    gateway = igw(ec2)
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=net["vpc"])
    ec2.replace_route(RouteTableId=table, DestinationCidrBlock="192.168.0.0/16", GatewayId=gateway)
    route = next(r for r in main_table(ec2, net["vpc"])["Routes"] if r["DestinationCidrBlock"] == "192.168.0.0/16")
    assert route == {
        "DestinationCidrBlock": "192.168.0.0/16",
        "GatewayId": gateway,
        "Origin": "CreateRoute",
        "State": "active",
    }
    ec2.delete_route(RouteTableId=table, DestinationCidrBlock="192.168.0.0/16")
    assert error_of(ec2.delete_route, RouteTableId=table, DestinationCidrBlock="192.168.0.0/16") == (
        "InvalidRoute.NotFound",
        f"no route with destination-cidr-block 192.168.0.0/16 in route table {table}",
        400,
    )


def test_a_route_to_an_instance_names_its_interface(aws: Any, ec2: Any) -> None:
    from ec2_world import launch

    net = network(ec2)
    instance = launch(aws, net["subnet"])
    table = main_table(ec2, net["vpc"])["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="172.16.0.0/12", InstanceId=instance)
    route = next(r for r in main_table(ec2, net["vpc"])["Routes"] if r["DestinationCidrBlock"] == "172.16.0.0/12")
    assert route["InstanceId"] == instance and route["InstanceOwnerId"] == ACCOUNT
    assert route["NetworkInterfaceId"].startswith("eni-") and route["State"] == "active"
    by_instance = ec2.describe_route_tables(Filters=[{"Name": "route.instance-id", "Values": [instance]}])
    assert [t["RouteTableId"] for t in by_instance["RouteTables"]] == [table]


def test_replacing_the_main_association_moves_main(ec2: Any) -> None:
    vpc_id = new_vpc_id(ec2)
    old = main_table(ec2, vpc_id)
    new = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    main_association = old["Associations"][0]["RouteTableAssociationId"]
    assert error_of(ec2.disassociate_route_table, AssociationId=main_association) == (
        "InvalidParameterValue",
        f"cannot disassociate the main route table association {main_association}",
        400,
    )
    replaced = ec2.replace_route_table_association(AssociationId=main_association, RouteTableId=new)
    assert replaced["NewAssociationId"] != main_association
    assert main_table(ec2, vpc_id)["RouteTableId"] == new
    assert error_of(ec2.delete_route_table, RouteTableId=new)[0] == "DependencyViolation"
    ec2.delete_route_table(RouteTableId=old["RouteTableId"])
    assert error_of(ec2.replace_route_table_association, AssociationId=main_association, RouteTableId=new) == (
        "InvalidAssociationID.NotFound",
        f"The association ID '{main_association}' does not exist",
        400,
    )


def test_describe_route_tables_pages_and_refuses_unknown_filters(ec2: Any) -> None:
    for n in range(6):
        new_vpc_id(ec2, f"10.{n}.0.0/16")
    first = ec2.describe_route_tables(MaxResults=5)
    assert len(first["RouteTables"]) == 5 and first["NextToken"]
    rest = ec2.describe_route_tables(MaxResults=5, NextToken=first["NextToken"])
    ids = [t["RouteTableId"] for t in first["RouteTables"] + rest["RouteTables"]]
    assert len(set(ids)) == len(ids) and len(ids) >= 6
    assert error_of(ec2.describe_route_tables, Filters=[{"Name": "banana", "Values": ["x"]}]) == (
        "InvalidParameterValue",
        "The filter 'banana' is invalid",
        400,
    )


def test_deleting_a_subnet_drops_its_association(ec2: Any) -> None:
    net = network(ec2)
    table = ec2.create_route_table(VpcId=net["vpc"])["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=net["subnet"])
    ec2.delete_subnet(SubnetId=net["subnet"])
    assert ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Associations"] == []


# --- the AWS CLI ------------------------------------------------------------------------------------------


def test_routing_with_the_aws_cli(cli: Any) -> None:
    vpc_id = cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = cli("ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.0.1.0/24")["Subnet"]["SubnetId"]
    gateway = cli("ec2", "create-internet-gateway")["InternetGateway"]["InternetGatewayId"]
    cli("ec2", "attach-internet-gateway", "--internet-gateway-id", gateway, "--vpc-id", vpc_id)
    table = cli("ec2", "create-route-table", "--vpc-id", vpc_id)["RouteTable"]["RouteTableId"]
    assert cli(
        "ec2",
        "create-route",
        "--route-table-id",
        table,
        "--destination-cidr-block",
        "0.0.0.0/0",
        "--gateway-id",
        gateway,
    ) == {"Return": True}
    association = cli("ec2", "associate-route-table", "--route-table-id", table, "--subnet-id", subnet)["AssociationId"]
    shown = cli("ec2", "describe-route-tables", "--filters", f"Name=association.subnet-id,Values={subnet}")
    assert [t["RouteTableId"] for t in shown["RouteTables"]] == [table]
    cli(
        "ec2",
        "replace-route",
        "--route-table-id",
        table,
        "--destination-cidr-block",
        "0.0.0.0/0",
        "--gateway-id",
        gateway,
    )
    main = cli(
        "ec2", "describe-route-tables", "--filters", f"Name=vpc-id,Values={vpc_id}", "Name=association.main,Values=true"
    )
    main_association = main["RouteTables"][0]["Associations"][0]["RouteTableAssociationId"]
    moved = cli(
        "ec2", "replace-route-table-association", "--association-id", main_association, "--route-table-id", table
    )
    assert moved["NewAssociationId"].startswith("rtbassoc-")
    cli(
        "ec2",
        "replace-route-table-association",
        "--association-id",
        moved["NewAssociationId"],
        "--route-table-id",
        main["RouteTables"][0]["RouteTableId"],
    )
    cli("ec2", "disassociate-route-table", "--association-id", association)
    cli("ec2", "delete-route", "--route-table-id", table, "--destination-cidr-block", "0.0.0.0/0")
    cli("ec2", "delete-route-table", "--route-table-id", table)
    acls = cli("ec2", "describe-network-acls", "--filters", f"Name=vpc-id,Values={vpc_id}")["NetworkAcls"]
    assert len(acls) == 1 and acls[0]["IsDefault"] is True
    gateways = cli("ec2", "describe-internet-gateways", "--internet-gateway-ids", gateway)["InternetGateways"]
    assert gateways[0]["Attachments"][0]["VpcId"] == vpc_id
    cli("ec2", "detach-internet-gateway", "--internet-gateway-id", gateway, "--vpc-id", vpc_id)
    cli("ec2", "delete-internet-gateway", "--internet-gateway-id", gateway)
    cli("ec2", "delete-subnet", "--subnet-id", subnet)
    cli("ec2", "delete-vpc", "--vpc-id", vpc_id)


@pytest.mark.parametrize("destination", ["10.0.0.1", "banana"])
def test_a_bad_destination_is_invalid_parameter_value(ec2: Any, destination: str) -> None:
    table = main_table(ec2, new_vpc_id(ec2))["RouteTableId"]
    assert error_of(ec2.delete_route, RouteTableId=table, DestinationCidrBlock=destination) == (
        "InvalidParameterValue",
        f"Value ({destination}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.",
        400,
    )
