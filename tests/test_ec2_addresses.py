"""Elastic IPs, NAT gateways and DescribeSecurityGroupRules over boto3 and the AWS CLI, and the
seed's public-subnet case made complete (S13): a trunked instance in a public subnet keeps its
Elastic IP and its agent across a stop and start; one in a private subnet behind a NAT gateway is
unaffected."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import ACCOUNT, Server
from ec2_world import default_group, digest, error_of, launch, network, settle
from ecs_world import World, config_script, role_arn

CLUSTER = "prod"


def public_network(ec2: Any, cidr: str = "10.0.1.0/24", *, hostnames: bool = False) -> dict[str, str]:
    """A VPC with an internet gateway, its main table routing 0.0.0.0/0 there, and one subnet
    that maps public IPs on launch."""
    net = network(ec2, cidr, public=True, hostnames=hostnames)
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=net["vpc"])
    filters = [{"Name": "vpc-id", "Values": [net["vpc"]]}, {"Name": "association.main", "Values": ["true"]}]
    table = ec2.describe_route_tables(Filters=filters)["RouteTables"][0]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    return {**net, "igw": gateway, "main_table": table}


def instance_view(ec2: Any, instance_id: str) -> dict[str, Any]:
    found: dict[str, Any] = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    return found


# --- Elastic IPs --------------------------------------------------------------------------------------------


def test_allocate_describe_and_release(ec2: Any) -> None:
    tags = [{"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": "web"}]}]
    allocated = ec2.allocate_address(Domain="vpc", TagSpecifications=tags)
    assert allocated["AllocationId"].startswith("eipalloc-") and allocated["Domain"] == "vpc"
    assert allocated["PublicIpv4Pool"] == "amazon" and allocated["NetworkBorderGroup"] == "us-east-1"
    (shown,) = ec2.describe_addresses(AllocationIds=[allocated["AllocationId"]])["Addresses"]
    assert shown["PublicIp"] == allocated["PublicIp"] and shown["Tags"] == [{"Key": "Name", "Value": "web"}]
    assert "AssociationId" not in shown
    by_ip = ec2.describe_addresses(PublicIps=[allocated["PublicIp"]])["Addresses"]
    assert [a["AllocationId"] for a in by_ip] == [allocated["AllocationId"]]
    by_tag = ec2.describe_addresses(Filters=[{"Name": "tag:Name", "Values": ["web"]}])["Addresses"]
    assert [a["AllocationId"] for a in by_tag] == [allocated["AllocationId"]]
    ec2.release_address(AllocationId=allocated["AllocationId"])
    assert error_of(ec2.describe_addresses, AllocationIds=[allocated["AllocationId"]]) == (
        "InvalidAllocationID.NotFound",
        f"The allocation ID '{allocated['AllocationId']}' does not exist",
        400,
    )


def test_the_default_quota_is_five_addresses(ec2: Any, server: Server) -> None:
    for _ in range(5):
        ec2.allocate_address(Domain="vpc")
    before = digest(server)
    assert error_of(ec2.allocate_address, Domain="vpc") == (
        "AddressLimitExceeded",
        "The maximum number of addresses has been reached.",
        400,
    )
    assert digest(server) == before


def test_an_instance_shows_its_elastic_ip_and_gets_a_new_public_ip_when_it_goes(aws: Any, ec2: Any) -> None:
    net = public_network(ec2, hostnames=True)
    instance = launch(aws, net["subnet"])
    auto_ip = instance_view(ec2, instance)["PublicIpAddress"]
    address = ec2.allocate_address(Domain="vpc")
    association = ec2.associate_address(AllocationId=address["AllocationId"], InstanceId=instance)["AssociationId"]
    assert association.startswith("eipassoc-")
    view = instance_view(ec2, instance)
    assert view["PublicIpAddress"] == address["PublicIp"] != auto_ip
    assert view["PublicDnsName"] == "ec2-" + address["PublicIp"].replace(".", "-") + ".compute-1.amazonaws.com"
    (shown,) = ec2.describe_addresses(AllocationIds=[address["AllocationId"]])["Addresses"]
    eni = view["NetworkInterfaces"][0]
    assert shown["AssociationId"] == association and shown["InstanceId"] == instance
    assert (
        shown["NetworkInterfaceId"] == eni["NetworkInterfaceId"]
        and shown["PrivateIpAddress"] == eni["PrivateIpAddress"]
    )
    assert shown["NetworkInterfaceOwnerId"] == ACCOUNT
    (described_eni,) = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni["NetworkInterfaceId"]])[
        "NetworkInterfaces"
    ]
    assert described_eni["Association"]["AllocationId"] == address["AllocationId"]
    assert described_eni["Association"]["IpOwnerId"] == ACCOUNT
    assert error_of(ec2.release_address, AllocationId=address["AllocationId"]) == (
        "InvalidIPAddress.InUse",
        f"Address {address['AllocationId']} is in use.",
        400,
    )
    assert error_of(ec2.detach_internet_gateway, InternetGatewayId=net["igw"], VpcId=net["vpc"]) == (
        "DependencyViolation",
        f"Network {net['vpc']} has some mapped public address(es). "
        "Please unmap those public address(es) before detaching the gateway.",
        400,
    )
    ec2.disassociate_address(AssociationId=association)
    after = instance_view(ec2, instance)
    assert after["PublicIpAddress"] not in (address["PublicIp"], None)  # a new auto-assigned one
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[address["AllocationId"]])["Addresses"][0]


def test_associate_refusals_change_nothing(aws: Any, ec2: Any, server: Server) -> None:
    private = network(ec2, "10.0.2.0/24")
    instance = launch(aws, private["subnet"])
    address = ec2.allocate_address(Domain="vpc")["AllocationId"]
    before = digest(server)
    assert error_of(ec2.associate_address, AllocationId=address, InstanceId=instance) == (
        "Gateway.NotAttached",
        f"Network {private['vpc']} is not attached to any internet gateway",
        400,
    )
    assert error_of(ec2.associate_address, AllocationId="eipalloc-0123456789abcdef0", InstanceId=instance) == (
        "InvalidAllocationID.NotFound",
        "The allocation ID 'eipalloc-0123456789abcdef0' does not exist",
        400,
    )
    assert error_of(ec2.disassociate_address, AssociationId="eipassoc-0123456789abcdef0") == (
        "InvalidAssociationID.NotFound",
        "The association ID 'eipassoc-0123456789abcdef0' does not exist",
        400,
    )
    assert error_of(ec2.associate_address, AllocationId=address, DryRun=True)[0] == "DryRunOperation"
    assert digest(server) == before


def test_reassociation_moves_the_address_unless_refused(aws: Any, ec2: Any) -> None:
    net = public_network(ec2)
    first, second = launch(aws, net["subnet"]), launch(aws, net["subnet"])
    address = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=address["AllocationId"], InstanceId=first)
    code = error_of(
        ec2.associate_address, AllocationId=address["AllocationId"], InstanceId=second, AllowReassociation=False
    )[0]
    assert code == "Resource.AlreadyAssociated"
    ec2.associate_address(AllocationId=address["AllocationId"], InstanceId=second)
    assert instance_view(ec2, second)["PublicIpAddress"] == address["PublicIp"]
    assert instance_view(ec2, first).get("PublicIpAddress") != address["PublicIp"]


def test_terminating_the_instance_keeps_the_address_allocated(aws: Any, ec2: Any, server: Server) -> None:
    net = public_network(ec2)
    instance = launch(aws, net["subnet"])
    address = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=address, InstanceId=instance)
    ec2.terminate_instances(InstanceIds=[instance])
    settle(server)
    (shown,) = ec2.describe_addresses(AllocationIds=[address])["Addresses"]
    assert "AssociationId" not in shown and "InstanceId" not in shown


# --- NAT gateways ---------------------------------------------------------------------------------------------


def test_nat_gateway_lifecycle_on_the_clock(spawn: Any) -> None:
    server = spawn("--timing", "manual")
    ec2 = server.client("ec2")
    net = public_network(ec2)
    address = ec2.allocate_address(Domain="vpc")
    tags = [{"ResourceType": "natgateway", "Tags": [{"Key": "Name", "Value": "nat"}]}]
    nat = ec2.create_nat_gateway(
        SubnetId=net["subnet"], AllocationId=address["AllocationId"], TagSpecifications=tags, ClientToken="once"
    )["NatGateway"]
    nat_id = nat["NatGatewayId"]
    assert nat_id.startswith("nat-") and nat["State"] == "pending" and nat["ConnectivityType"] == "public"
    assert nat["VpcId"] == net["vpc"] and nat["Tags"] == [{"Key": "Name", "Value": "nat"}]
    again = ec2.create_nat_gateway(
        SubnetId=net["subnet"], AllocationId=address["AllocationId"], TagSpecifications=tags, ClientToken="once"
    )["NatGateway"]
    assert again["NatGatewayId"] == nat_id
    (nat_address,) = nat["NatGatewayAddresses"]
    assert nat_address["AllocationId"] == address["AllocationId"] and nat_address["PublicIp"] == address["PublicIp"]
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[nat_address["NetworkInterfaceId"]])["NetworkInterfaces"][
        0
    ]
    assert eni["InterfaceType"] == "nat_gateway" and eni["RequesterManaged"] is True
    assert (
        eni["Description"] == f"Interface for NAT Gateway {nat_id}"
        and eni["PrivateIpAddress"] == nat_address["PrivateIp"]
    )
    assert eni["SubnetId"] == net["subnet"]
    assert (
        error_of(ec2.delete_network_interface, NetworkInterfaceId=eni["NetworkInterfaceId"])[0]
        == "OperationNotPermitted"
    )
    server.post("/_trunkline/clock/advance", json={"seconds": 59}).raise_for_status()
    assert ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]["State"] == "pending"
    server.post("/_trunkline/clock/advance", json={"seconds": 2}).raise_for_status()
    (available,) = ec2.describe_nat_gateways(Filter=[{"Name": "state", "Values": ["available"]}])["NatGateways"]
    assert available["NatGatewayId"] == nat_id and available["NatGatewayAddresses"][0]["Status"] == "succeeded"
    ec2.create_route(RouteTableId=net["main_table"], DestinationCidrBlock="192.168.0.0/16", NatGatewayId=nat_id)
    assert error_of(ec2.delete_subnet, SubnetId=net["subnet"])[0] == "DependencyViolation"

    assert ec2.delete_nat_gateway(NatGatewayId=nat_id)["NatGatewayId"] == nat_id
    assert ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]["State"] == "deleting"
    server.post("/_trunkline/clock/settle").raise_for_status()
    (deleted,) = ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"]
    assert deleted["State"] == "deleted" and "DeleteTime" in deleted
    assert (
        ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [net["subnet"]]}])["NetworkInterfaces"]
        == []
    )
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[address["AllocationId"]])["Addresses"][0]
    routes = ec2.describe_route_tables(RouteTableIds=[net["main_table"]])["RouteTables"][0]["Routes"]
    assert next(r for r in routes if r.get("NatGatewayId") == nat_id)["State"] == "blackhole"


def test_nat_gateway_refusals(ec2: Any, server: Server) -> None:
    net = public_network(ec2)
    before = digest(server)
    assert error_of(ec2.create_nat_gateway, SubnetId=net["subnet"]) == (
        "MissingParameter",
        "The request must contain the parameter AllocationId",
        400,
    )
    assert error_of(ec2.create_nat_gateway, SubnetId="subnet-0123456789abcdef0", ConnectivityType="private")[0] == (
        "InvalidSubnetID.NotFound"
    )
    assert error_of(ec2.describe_nat_gateways, NatGatewayIds=["nat-0123456789abcdef0"]) == (
        "NatGatewayNotFound",
        "NAT gateway nat-0123456789abcdef0 was not found",
        400,
    )
    assert digest(server) == before


def test_a_public_nat_gateway_without_an_internet_gateway_fails(ec2: Any, server: Server) -> None:
    net = network(ec2)
    address = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat_id = ec2.create_nat_gateway(SubnetId=net["subnet"], AllocationId=address)["NatGateway"]["NatGatewayId"]
    settle(server)
    (failed,) = ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"]
    assert failed["State"] == "failed" and failed["FailureCode"] == "Gateway.NotAttached"
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[address])["Addresses"][0]


def test_a_private_nat_gateway_needs_no_address(ec2: Any, server: Server) -> None:
    net = network(ec2)
    nat = ec2.create_nat_gateway(SubnetId=net["subnet"], ConnectivityType="private")["NatGateway"]
    assert "AllocationId" not in nat["NatGatewayAddresses"][0]
    settle(server)
    assert ec2.describe_nat_gateways(NatGatewayIds=[nat["NatGatewayId"]])["NatGateways"][0]["State"] == "available"


# --- DescribeSecurityGroupRules -----------------------------------------------------------------------------


def test_describe_security_group_rules(ec2: Any) -> None:
    net = network(ec2)
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=net["vpc"])["GroupId"]
    added = ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )["SecurityGroupRules"]
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]
    assert sorted((r["IsEgress"], r["IpProtocol"]) for r in rules) == [(False, "tcp"), (True, "-1")]
    ingress = next(r for r in rules if not r["IsEgress"])
    assert ingress["SecurityGroupRuleId"] == added[0]["SecurityGroupRuleId"]
    assert ingress["CidrIpv4"] == "0.0.0.0/0" and ingress["FromPort"] == 80 and ingress["GroupOwnerId"] == ACCOUNT
    by_id = ec2.describe_security_group_rules(SecurityGroupRuleIds=[ingress["SecurityGroupRuleId"]])
    assert by_id["SecurityGroupRules"] == [ingress]
    assert error_of(ec2.describe_security_group_rules, SecurityGroupRuleIds=["sgr-0123456789abcdef0"]) == (
        "InvalidSecurityGroupRuleId.NotFound",
        "The security group rule ID 'sgr-0123456789abcdef0' does not exist",
        400,
    )
    vpc_groups = [group, default_group(ec2, net["vpc"])]
    page = ec2.describe_security_group_rules(MaxResults=5, Filters=[{"Name": "group-id", "Values": vpc_groups}])
    assert len(page["SecurityGroupRules"]) == 4 and "NextToken" not in page  # 2 default-group rules + 2
    everything = ec2.describe_security_group_rules(MaxResults=5)  # with the default VPC's group: 6 rules
    rest = ec2.describe_security_group_rules(MaxResults=5, NextToken=everything["NextToken"])
    assert len(everything["SecurityGroupRules"]) + len(rest["SecurityGroupRules"]) == 6


# --- the AWS CLI ------------------------------------------------------------------------------------------------


def test_addresses_and_nat_gateways_with_the_aws_cli(cli: Any, server: Server) -> None:
    vpc_id = cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = cli("ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.0.1.0/24")["Subnet"]["SubnetId"]
    gateway = cli("ec2", "create-internet-gateway")["InternetGateway"]["InternetGatewayId"]
    cli("ec2", "attach-internet-gateway", "--internet-gateway-id", gateway, "--vpc-id", vpc_id)
    allocation = cli("ec2", "allocate-address", "--domain", "vpc")["AllocationId"]
    eni = cli("ec2", "create-network-interface", "--subnet-id", subnet)["NetworkInterface"]["NetworkInterfaceId"]
    association = cli("ec2", "associate-address", "--allocation-id", allocation, "--network-interface-id", eni)
    shown = cli("ec2", "describe-addresses", "--filters", f"Name=network-interface-id,Values={eni}")["Addresses"]
    assert [a["AssociationId"] for a in shown] == [association["AssociationId"]]
    cli("ec2", "disassociate-address", "--association-id", association["AssociationId"])
    nat = cli("ec2", "create-nat-gateway", "--subnet-id", subnet, "--allocation-id", allocation)["NatGateway"]
    settle(server)
    listed = cli("ec2", "describe-nat-gateways", "--nat-gateway-ids", nat["NatGatewayId"])["NatGateways"]
    assert listed[0]["State"] == "available"
    cli("ec2", "delete-nat-gateway", "--nat-gateway-id", nat["NatGatewayId"])
    settle(server)
    cli("ec2", "release-address", "--allocation-id", allocation)
    group = cli("ec2", "describe-security-groups", "--filters", f"Name=vpc-id,Values={vpc_id}")["SecurityGroups"][0]
    rules = cli("ec2", "describe-security-group-rules", "--filters", f"Name=group-id,Values={group['GroupId']}")
    assert len(rules["SecurityGroupRules"]) == 2  # the default group's two rules


# --- S13, made complete -------------------------------------------------------------------------------------------


@pytest.fixture
def world(server: Server) -> World:
    world = World(server)
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("trunkedRole")
    world.opt_in(role_arn("trunkedRole"))
    return world


def test_a_trunked_instance_in_a_public_subnet_keeps_its_elastic_ip_and_its_agent(world: World) -> None:
    """S13: without an Elastic IP the restarted trunked instance has no public IP and its agent
    stays disconnected (test_ecs_trunking); with one, the address survives the stop and start and
    the agent reconnects."""
    ec2 = world.ec2
    net = public_network(ec2)
    instance = world.launch(net["subnet"], "trunkedRole", config_script(CLUSTER))
    world.settle()
    assert world.explain(CLUSTER, instance)["trunked"] is True
    primary = next(e for e in world.enis_of(instance) if e["Attachment"]["DeviceIndex"] == 0)
    address = ec2.allocate_address(Domain="vpc")
    assert error_of(ec2.associate_address, AllocationId=address["AllocationId"], InstanceId=instance) == (
        "InvalidInstanceID",
        f"There are multiple interfaces attached to instance '{instance}'. "
        "Please specify an interface ID for the operation instead.",
        400,
    )
    ec2.associate_address(AllocationId=address["AllocationId"], NetworkInterfaceId=primary["NetworkInterfaceId"])
    assert world.instance(instance)["PublicIpAddress"] == address["PublicIp"]

    ec2.stop_instances(InstanceIds=[instance])
    world.settle()
    assert world.instance(instance)["PublicIpAddress"] == address["PublicIp"]  # an Elastic IP stays while stopped
    assert world.of_instance(CLUSTER, instance)["agentConnected"] is False
    ec2.start_instances(InstanceIds=[instance])
    world.settle()

    assert world.instance(instance)["PublicIpAddress"] == address["PublicIp"]
    assert world.of_instance(CLUSTER, instance)["agentConnected"] is True
    assert world.agent(instance)["state"] == "registered"
    (shown,) = ec2.describe_addresses(AllocationIds=[address["AllocationId"]])["Addresses"]
    assert shown["InstanceId"] == instance


def test_a_trunked_instance_behind_a_nat_gateway_is_unaffected_by_stop_and_start(world: World) -> None:
    """S13 concerns public subnets: an instance in a private subnet whose default route goes to a
    NAT gateway reaches ECS through the NAT gateway, before and after a restart."""
    ec2 = world.ec2
    net = public_network(ec2, "10.0.1.0/24")
    private = ec2.create_subnet(VpcId=net["vpc"], CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1a")["Subnet"]
    address = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=net["subnet"], AllocationId=address)["NatGateway"]["NatGatewayId"]
    world.settle()
    table = ec2.create_route_table(VpcId=net["vpc"])["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    ec2.associate_route_table(RouteTableId=table, SubnetId=private["SubnetId"])
    instance = world.launch(private["SubnetId"], "trunkedRole", config_script(CLUSTER))
    world.settle()
    assert world.explain(CLUSTER, instance)["trunked"] is True
    assert "PublicIpAddress" not in world.instance(instance)

    ec2.stop_instances(InstanceIds=[instance])
    world.settle()
    ec2.start_instances(InstanceIds=[instance])
    world.settle()

    assert "PublicIpAddress" not in world.instance(instance)
    assert world.of_instance(CLUSTER, instance)["agentConnected"] is True
    assert world.agent(instance)["state"] == "registered"


def test_describe_addresses_attribute_lists_no_ptr_record(ec2: Any) -> None:
    """What Terraform's aws_eip reads after every create and refresh."""
    address = ec2.allocate_address(Domain="vpc")
    answer = ec2.describe_addresses_attribute(AllocationIds=[address["AllocationId"]], Attribute="domain-name")
    assert answer["Addresses"] == [{"AllocationId": address["AllocationId"], "PublicIp": address["PublicIp"]}]
    assert (
        error_of(
            ec2.describe_addresses_attribute, AllocationIds=["eipalloc-0123456789abcdef0"], Attribute="domain-name"
        )[0]
        == "InvalidAllocationID.NotFound"
    )
