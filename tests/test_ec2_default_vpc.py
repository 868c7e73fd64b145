"""The default VPC every account has in every region (issue 18), over boto3 and the AWS CLI: what
it contains, the calls that fall back on it, deleting and recreating it (CreateDefaultVpc,
CreateDefaultSubnet), `--no-default-vpc` and TRUNKLINE_DEFAULT_VPC, reset, other regions, and the
seed's public-subnet case (S13) in a default subnet."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import ACCOUNT, Server
from ec2_world import digest, error_of, image
from ecs_world import World, config_script, role_arn

ZONES = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"]


def default_vpc(ec2: Any, filter_name: str = "is-default") -> dict[str, Any]:
    (found,) = ec2.describe_vpcs(Filters=[{"Name": filter_name, "Values": ["true"]}])["Vpcs"]
    result: dict[str, Any] = found
    return result


def default_subnets(ec2: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])[
        "Subnets"
    ]
    return sorted(found, key=lambda s: s["AvailabilityZone"])


def delete_default_vpc(ec2: Any) -> str:
    """What deleting a default VPC takes, in the order AWS requires it."""
    vpc_id = default_vpc(ec2)["VpcId"]
    for subnet in default_subnets(ec2):
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    gateways = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])
    for gateway in gateways["InternetGateways"]:
        ec2.detach_internet_gateway(InternetGatewayId=gateway["InternetGatewayId"], VpcId=vpc_id)
        ec2.delete_internet_gateway(InternetGatewayId=gateway["InternetGatewayId"])
    ec2.delete_vpc(VpcId=vpc_id)
    return vpc_id


# --- what a new account has -----------------------------------------------------------------------------


def test_a_new_account_has_the_default_vpc_as_aws_documents_it(ec2: Any) -> None:
    vpc = default_vpc(ec2)
    assert vpc["CidrBlock"] == "172.31.0.0/16" and vpc["IsDefault"] is True and vpc["OwnerId"] == ACCOUNT
    assert default_vpc(ec2, "isDefault") == vpc  # the filter's other spelling, which Terraform sends
    assert vpc["State"] == "available" and vpc["InstanceTenancy"] == "default"
    vpc_id = vpc["VpcId"]
    for attribute, field in (("enableDnsSupport", "EnableDnsSupport"), ("enableDnsHostnames", "EnableDnsHostnames")):
        assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)[field] == {"Value": True}

    subnets = default_subnets(ec2)
    assert [s["AvailabilityZone"] for s in subnets] == ZONES
    assert [s["CidrBlock"] for s in subnets] == [f"172.31.{16 * n}.0/20" for n in range(6)]
    assert all(s["DefaultForAz"] and s["MapPublicIpOnLaunch"] and s["VpcId"] == vpc_id for s in subnets)
    assert all(s["AvailableIpAddressCount"] == 4091 for s in subnets)

    (gateway,) = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])[
        "InternetGateways"
    ]
    assert gateway["Attachments"] == [{"State": "available", "VpcId": vpc_id}]
    (table,) = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    assert table["Associations"][0]["Main"] is True
    assert [(r["DestinationCidrBlock"], r["GatewayId"], r["State"]) for r in table["Routes"]] == [
        ("172.31.0.0/16", "local", "active"),
        ("0.0.0.0/0", gateway["InternetGatewayId"], "active"),
    ]
    (group,) = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    assert group["GroupName"] == "default"
    (acl,) = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NetworkAcls"]
    assert acl["IsDefault"] is True and len(acl["Associations"]) == 6


def test_describe_account_attributes_names_the_default_vpc(ec2: Any) -> None:
    answer = ec2.describe_account_attributes(AttributeNames=["default-vpc"])["AccountAttributes"]
    assert answer == [
        {"AttributeName": "default-vpc", "AttributeValues": [{"AttributeValue": default_vpc(ec2)["VpcId"]}]}
    ]
    names = {a["AttributeName"] for a in ec2.describe_account_attributes()["AccountAttributes"]}
    assert {"supported-platforms", "default-vpc", "vpc-max-elastic-ips"} <= names
    delete_default_vpc(ec2)
    none = ec2.describe_account_attributes(AttributeNames=["default-vpc"])["AccountAttributes"][0]
    assert none["AttributeValues"] == [{"AttributeValue": "none"}]


def test_describe_account_attributes_by_each_documented_name(ec2: Any) -> None:
    """EC2 documents six attribute names (the model's enum lists only two of them); each can be
    asked for by name, as `aws ec2 describe-account-attributes --attribute-names max-instances`
    does. Found through the AWS SDK for JavaScript, which sends any string."""
    every = ec2.describe_account_attributes()["AccountAttributes"]
    for attribute in every:
        asked = ec2.describe_account_attributes(AttributeNames=[attribute["AttributeName"]])["AccountAttributes"]
        assert asked == [attribute]
    limits = ["max-instances", "max-elastic-ips", "vpc-max-elastic-ips", "vpc-max-security-groups-per-interface"]
    answer = ec2.describe_account_attributes(AttributeNames=limits)["AccountAttributes"]
    assert [a["AttributeName"] for a in answer] == limits
    assert error_of(ec2.describe_account_attributes, AttributeNames=["bogus"])[0] == "InvalidParameterValue"


def test_another_region_gets_its_own_default_vpc_on_first_use(server: Server) -> None:
    west = _regional(server, "us-west-2")
    vpc = default_vpc(west)
    assert vpc["VpcId"] != default_vpc(server.client("ec2"))["VpcId"]
    assert [s["AvailabilityZone"] for s in default_subnets(west)] == [f"us-west-2{z}" for z in "abcd"]


def _regional(server: Server, region: str) -> Any:
    import boto3
    from botocore.config import Config as BotoConfig

    from conftest import CREDENTIALS

    config = BotoConfig(retries={"max_attempts": 1})
    return boto3.client("ec2", endpoint_url=server.url, region_name=region, config=config, **CREDENTIALS)


# --- the calls that fall back on it ----------------------------------------------------------------------------


def test_run_instances_without_a_subnet_uses_a_default_subnet_and_gets_a_public_ip(aws: Any, ec2: Any) -> None:
    ami = image(aws("ssm"))
    launched = ec2.run_instances(ImageId=ami, InstanceType="c5.large", MinCount=1, MaxCount=1)["Instances"][0]
    subnets = {s["SubnetId"]: s for s in default_subnets(ec2)}
    assert launched["SubnetId"] in subnets and launched["VpcId"] == default_vpc(ec2)["VpcId"]
    assert launched["Placement"]["AvailabilityZone"] == "us-east-1a"
    assert launched["PublicIpAddress"] and launched["PublicDnsName"].endswith(".compute-1.amazonaws.com")
    assert [g["GroupName"] for g in launched["SecurityGroups"]] == ["default"]
    in_zone = ec2.run_instances(
        ImageId=ami, InstanceType="c5.large", MinCount=1, MaxCount=1, Placement={"AvailabilityZone": "us-east-1c"}
    )["Instances"][0]
    assert subnets[in_zone["SubnetId"]]["AvailabilityZone"] == "us-east-1c"


def test_security_groups_by_name_live_in_the_default_vpc(aws: Any, ec2: Any, server: Server) -> None:
    created = ec2.create_security_group(GroupName="web", Description="web")
    vpc_id = default_vpc(ec2)["VpcId"]
    (group,) = ec2.describe_security_groups(GroupNames=["web"])["SecurityGroups"]
    assert group["GroupId"] == created["GroupId"] and group["VpcId"] == vpc_id
    ec2.authorize_security_group_ingress(GroupName="web", IpProtocol="tcp", FromPort=80, ToPort=80, CidrIp="0.0.0.0/0")
    ec2.authorize_security_group_ingress(GroupName="web", SourceSecurityGroupName="default")
    permissions = ec2.describe_security_groups(GroupIds=[created["GroupId"]])["SecurityGroups"][0]["IpPermissions"]
    assert sorted(p["IpProtocol"] for p in permissions) == ["icmp", "tcp", "tcp", "udp"]
    launched = ec2.run_instances(
        ImageId=image(aws("ssm")), InstanceType="c5.large", MinCount=1, MaxCount=1, SecurityGroups=["web"]
    )["Instances"][0]
    assert [g["GroupId"] for g in launched["SecurityGroups"]] == [created["GroupId"]]
    before = digest(server)
    assert error_of(ec2.describe_security_groups, GroupNames=["nope"]) == (
        "InvalidGroup.NotFound",
        f"The security group 'nope' does not exist in default VPC '{vpc_id}'",
        400,
    )
    subnet = default_subnets(ec2)[0]["SubnetId"]
    assert error_of(
        ec2.run_instances,
        ImageId=image(aws("ssm")),
        InstanceType="c5.large",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet,
        SecurityGroups=["web"],
    ) == ("InvalidParameterCombination", "The parameter groupName cannot be used with the parameter subnet", 400)
    assert digest(server) == before
    spare = ec2.create_security_group(GroupName="spare", Description="spare")["GroupId"]
    ec2.delete_security_group(GroupName="spare")
    assert error_of(ec2.describe_security_groups, GroupIds=[spare])[0] == "InvalidGroup.NotFound"


# --- deleting and recreating it -------------------------------------------------------------------------------


def test_delete_the_default_vpc_then_create_it_again(aws: Any, ec2: Any, server: Server) -> None:
    ami = image(aws("ssm"))
    old = delete_default_vpc(ec2)
    assert ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"] == []
    before = digest(server)
    assert error_of(ec2.run_instances, ImageId=ami, InstanceType="c5.large", MinCount=1, MaxCount=1) == (
        "VPCIdNotSpecified",
        "No default VPC for this user",
        400,
    )
    assert error_of(ec2.create_security_group, GroupName="web", Description="web") == (
        "VPCIdNotSpecified",
        "No default VPC for this user",
        400,
    )
    assert error_of(ec2.describe_security_groups, GroupNames=["default"]) == (
        "InvalidGroup.NotFound",
        "The security group 'default' does not exist in default VPC 'none'",
        400,
    )
    assert error_of(ec2.create_default_subnet, AvailabilityZone="us-east-1a") == (
        "DefaultVpcDoesNotExist",
        "No default VPC exists for this account in this region.",
        400,
    )
    assert digest(server) == before

    vpc = ec2.create_default_vpc()["Vpc"]
    assert vpc["IsDefault"] is True and vpc["CidrBlock"] == "172.31.0.0/16" and vpc["VpcId"] != old
    assert len(default_subnets(ec2)) == 6
    assert error_of(ec2.create_default_vpc) == (
        "DefaultVpcAlreadyExists",
        "A Default VPC already exists for this account in this region.",
        400,
    )
    subnet_b = next(s for s in default_subnets(ec2) if s["AvailabilityZone"] == "us-east-1b")
    assert error_of(ec2.create_default_subnet, AvailabilityZone="us-east-1b") == (
        "DefaultSubnetAlreadyExistsInAvailabilityZone",
        f"A Default Subnet already exists in availability zone us-east-1b: {subnet_b['SubnetId']}",
        400,
    )
    ec2.delete_subnet(SubnetId=subnet_b["SubnetId"])
    again = ec2.create_default_subnet(AvailabilityZone="us-east-1b")["Subnet"]
    assert again["DefaultForAz"] is True and again["MapPublicIpOnLaunch"] is True
    assert again["CidrBlock"] == "172.31.16.0/20" and again["AvailabilityZone"] == "us-east-1b"
    launched = ec2.run_instances(ImageId=ami, InstanceType="c5.large", MinCount=1, MaxCount=1)["Instances"][0]
    assert launched["VpcId"] == vpc["VpcId"]


def test_a_deleted_default_vpc_is_not_given_again_by_a_later_call(ec2: Any) -> None:
    delete_default_vpc(ec2)
    assert ec2.describe_vpcs()["Vpcs"] == []
    assert ec2.describe_subnets()["Subnets"] == []


def test_default_vpc_with_the_aws_cli(cli: Any) -> None:
    vpcs = cli("ec2", "describe-vpcs", "--filters", "Name=is-default,Values=true")["Vpcs"]
    assert [v["CidrBlock"] for v in vpcs] == ["172.31.0.0/16"]
    subnets = cli("ec2", "describe-subnets", "--filters", "Name=default-for-az,Values=true")["Subnets"]
    assert len(subnets) == 6
    zone_a = next(s["SubnetId"] for s in subnets if s["AvailabilityZone"] == "us-east-1a")
    cli("ec2", "delete-subnet", "--subnet-id", zone_a)
    created = cli("ec2", "create-default-subnet", "--availability-zone", "us-east-1a")["Subnet"]
    assert created["DefaultForAz"] is True and created["CidrBlock"] == "172.31.0.0/20"
    group = cli("ec2", "create-security-group", "--group-name", "cli", "--description", "cli")["GroupId"]
    assert cli("ec2", "describe-security-groups", "--group-names", "cli")["SecurityGroups"][0]["GroupId"] == group


# --- --no-default-vpc, the environment variable, reset ----------------------------------------------------------


def test_no_default_vpc_starts_an_empty_account(spawn: Any) -> None:
    server = spawn("--no-default-vpc")
    ec2 = server.client("ec2")
    assert ec2.describe_vpcs()["Vpcs"] == [] and ec2.describe_subnets()["Subnets"] == []
    assert _regional(server, "eu-west-1").describe_vpcs()["Vpcs"] == []
    server.reset()
    assert ec2.describe_vpcs()["Vpcs"] == []
    assert ec2.create_default_vpc()["Vpc"]["IsDefault"] is True  # still there to ask for


def test_the_environment_variable_turns_it_off(spawn: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUNKLINE_DEFAULT_VPC", "0")
    server = spawn()
    assert server.client("ec2").describe_vpcs()["Vpcs"] == []


def test_reset_gives_a_new_default_vpc(server: Server) -> None:
    ec2 = server.client("ec2")
    before = default_vpc(ec2)["VpcId"]
    delete_default_vpc(ec2)
    server.reset()
    after = default_vpc(ec2)["VpcId"]
    assert after != before and len(default_subnets(ec2)) == 6


def test_a_restart_keeps_the_same_default_vpc(spawn: Any, tmp_path: Any) -> None:
    state = str(tmp_path / "state.sqlite3")
    first = spawn(state=state)
    vpc_id = default_vpc(first.client("ec2"))["VpcId"]
    first.process.terminate()
    first.process.wait(timeout=10)
    second = spawn(state=state)
    assert [v["VpcId"] for v in second.client("ec2").describe_vpcs()["Vpcs"]] == [vpc_id]


# --- S13 in a default subnet --------------------------------------------------------------------------------------


def test_a_trunked_instance_in_a_default_subnet_loses_its_public_ip_on_stop_and_start(server: Server) -> None:
    """Default subnets are public (0.0.0.0/0 to the internet gateway, public IPs on launch): S13
    shows up there with no network built at all."""
    world = World(server)
    world.ecs.create_cluster(clusterName="prod")
    world.instance_role("ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    instance = world.ec2.run_instances(
        ImageId=world.image(),
        InstanceType="c5.large",
        MinCount=1,
        MaxCount=1,
        IamInstanceProfile={"Name": "ecsInstanceRole"},
        UserData=config_script("prod"),
    )["Instances"][0]["InstanceId"]
    world.settle()
    assert "PublicIpAddress" in world.instance(instance) and world.explain("prod", instance)["trunked"] is True
    world.ec2.stop_instances(InstanceIds=[instance])
    world.settle()
    world.ec2.start_instances(InstanceIds=[instance])
    world.settle()
    assert "PublicIpAddress" not in world.instance(instance)
    assert world.of_instance("prod", instance)["agentConnected"] is False
    assert world.agent(instance)["state"] == "disconnected"
