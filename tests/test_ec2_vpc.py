"""VPCs over boto3 and the AWS CLI: creation and CIDR rules, the default security group, Describe
filters and pagination, DNS attributes, deletion and its dependencies, and exact errors."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT
from ec2_world import default_group, digest, error, new_vpc

# These tests list everything the account has and expect only what they made: they run in an
# account without AWS's default VPC (test_ec2_default_vpc.py covers that one).
pytestmark = pytest.mark.usefixtures("empty_account")

# --- CreateVpc ------------------------------------------------------------------------------------


def test_create_vpc_reports_the_vpc_shape(ec2: Any) -> None:
    vpc = new_vpc(ec2, TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "main"}]}])
    assert vpc["VpcId"].startswith("vpc-") and len(vpc["VpcId"]) == 21
    assert vpc["CidrBlock"] == "10.0.0.0/16"
    assert vpc["State"] == "available"
    assert vpc["OwnerId"] == ACCOUNT
    assert vpc["IsDefault"] is False
    assert vpc["InstanceTenancy"] == "default"
    assert vpc["Tags"] == [{"Key": "Name", "Value": "main"}]
    [association] = vpc["CidrBlockAssociationSet"]
    assert association["CidrBlock"] == "10.0.0.0/16"
    assert association["CidrBlockState"] == {"State": "associated"}
    assert association["AssociationId"].startswith("vpc-cidr-assoc-")
    [described] = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"]
    assert described == vpc


def test_no_default_vpc_exists(ec2: Any) -> None:
    assert ec2.describe_vpcs()["Vpcs"] == []


@pytest.mark.parametrize("cidr", ["10.0.0.0/8", "10.0.0.0/15", "10.0.0.0/29", "10.0.0.0/32"])
def test_cidr_outside_16_to_28_is_invalid_vpc_range(ec2: Any, server: Any, cidr: str) -> None:
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        new_vpc(ec2, cidr)
    assert error(caught) == ("InvalidVpc.Range", f"The CIDR '{cidr}' is invalid.", 400)
    assert digest(server) == before


@pytest.mark.parametrize("cidr", ["banana", "10.0.0.0/33", "10.0.0.300/16", "2001:db8::/56"])
def test_malformed_cidr_is_invalid_parameter_value(ec2: Any, cidr: str) -> None:
    with pytest.raises(ClientError) as caught:
        new_vpc(ec2, cidr)
    assert error(caught) == (
        "InvalidParameterValue",
        f"Value ({cidr}) for parameter cidrBlock is invalid. This is not a valid CIDR block.",
        400,
    )


def test_host_bits_are_cleared(ec2: Any) -> None:
    assert new_vpc(ec2, "10.1.2.3/16")["CidrBlock"] == "10.1.0.0/16"


def test_tag_specification_for_another_resource_type_is_refused(ec2: Any) -> None:
    with pytest.raises(ClientError) as caught:
        new_vpc(ec2, TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "a", "Value": "b"}]}])
    assert error(caught) == (
        "InvalidParameterValue",
        "'subnet' is not a valid taggable resource type for this operation.",
        400,
    )
    assert ec2.describe_vpcs()["Vpcs"] == []


def test_dry_run_changes_nothing(ec2: Any, server: Any) -> None:
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        new_vpc(ec2, DryRun=True)
    assert error(caught) == ("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412)
    assert digest(server) == before


# --- the default security group -----------------------------------------------------------------


def test_each_vpc_gets_a_default_security_group(ec2: Any) -> None:
    vpc = new_vpc(ec2)
    other = new_vpc(ec2, "10.1.0.0/16")
    found = ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": ["default"]}, {"Name": "vpc-id", "Values": [vpc["VpcId"]]}]
    )["SecurityGroups"]
    assert len(found) == 1
    [group] = found
    assert group["GroupName"] == "default"
    assert group["Description"] == "default VPC security group"
    assert group["VpcId"] == vpc["VpcId"]
    assert group["OwnerId"] == ACCOUNT
    assert group["IpPermissions"] == [
        {
            "IpProtocol": "-1",
            "IpRanges": [],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [{"GroupId": group["GroupId"], "UserId": ACCOUNT}],
        }
    ]
    assert group["IpPermissionsEgress"] == [
        {
            "IpProtocol": "-1",
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [],
        }
    ]
    everything = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])
    assert {g["VpcId"] for g in everything["SecurityGroups"]} == {vpc["VpcId"], other["VpcId"]}


# --- DescribeVpcs -----------------------------------------------------------------------------------


def test_unknown_and_malformed_vpc_ids(ec2: Any, server: Any) -> None:
    vpc = new_vpc(ec2)
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        ec2.describe_vpcs(VpcIds=[vpc["VpcId"], "vpc-0123456789abcdef0"])
    assert error(caught) == ("InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist", 400)
    with pytest.raises(ClientError) as caught:
        ec2.describe_vpcs(VpcIds=["not-a-vpc"])
    assert error(caught) == ("InvalidVpcID.Malformed", 'Invalid id: "not-a-vpc" (expecting "vpc-...")', 400)
    assert digest(server) == before


def test_filters(ec2: Any) -> None:
    tagged = new_vpc(ec2, TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "team", "Value": "blue"}]}])
    plain = new_vpc(ec2, "172.16.0.0/16")

    def ids(*filters: tuple[str, list[str]]) -> set[str]:
        found = ec2.describe_vpcs(Filters=[{"Name": n, "Values": v} for n, v in filters])["Vpcs"]
        return {v["VpcId"] for v in found}

    both = {tagged["VpcId"], plain["VpcId"]}
    assert ids(("vpc-id", [plain["VpcId"]])) == {plain["VpcId"]}
    assert ids(("cidr", ["10.0.0.0/16"])) == {tagged["VpcId"]}
    assert ids(("cidr-block-association.cidr-block", ["172.16.0.0/16"])) == {plain["VpcId"]}
    assert ids(("state", ["available"])) == both
    assert ids(("owner-id", [ACCOUNT])) == both
    assert ids(("owner-id", ["210987654321"])) == set()
    assert ids(("is-default", ["false"])) == both
    assert ids(("is-default", ["true"])) == set()
    assert ids(("tag:team", ["blue"])) == {tagged["VpcId"]}
    assert ids(("tag:team", ["bl*"])) == {tagged["VpcId"]}
    assert ids(("tag-key", ["team"])) == {tagged["VpcId"]}
    assert ids(("cidr", ["10.*"]), ("state", ["available"])) == {tagged["VpcId"]}
    with pytest.raises(ClientError) as caught:
        ec2.describe_vpcs(Filters=[{"Name": "colour", "Values": ["red"]}])
    assert error(caught) == ("InvalidParameterValue", "The filter 'colour' is invalid", 400)


def test_pagination_visits_every_vpc_once(ec2: Any) -> None:
    created = {new_vpc(ec2, f"10.{n}.0.0/16")["VpcId"] for n in range(12)}
    seen: list[str] = []
    pages = 0
    kwargs: dict[str, Any] = {"MaxResults": 5}
    while True:
        response = ec2.describe_vpcs(**kwargs)
        pages += 1
        seen.extend(v["VpcId"] for v in response["Vpcs"])
        if "NextToken" not in response:
            break
        kwargs["NextToken"] = response["NextToken"]
    assert pages == 3
    assert len(seen) == len(set(seen)) == 12
    assert set(seen) == created
    assert seen == sorted(seen)
    paginated = [
        v["VpcId"]
        for p in ec2.get_paginator("describe_vpcs").paginate(PaginationConfig={"PageSize": 5})
        for v in p["Vpcs"]
    ]
    assert paginated == seen


@pytest.mark.parametrize("size", [4, 1001])
def test_max_results_outside_5_to_1000(server: Any, size: int) -> None:
    unchecked = server.client("ec2", validate=False)
    with pytest.raises(ClientError) as caught:
        unchecked.describe_vpcs(MaxResults=size)
    assert error(caught) == (
        "InvalidParameterValue",
        f"Value ( {size} ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.",
        400,
    )


def test_forged_next_token(ec2: Any) -> None:
    with pytest.raises(ClientError) as caught:
        ec2.describe_vpcs(NextToken="forged")
    assert error(caught)[0] == "InvalidNextToken"


# --- DNS attributes -------------------------------------------------------------------------------


def test_dns_attributes_default_and_round_trip(ec2: Any) -> None:
    vpc_id = new_vpc(ec2)["VpcId"]

    def attribute(name: str) -> bool:
        response = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=name)
        assert response["VpcId"] == vpc_id
        key = name[0].upper() + name[1:]
        assert set(response) - {"ResponseMetadata"} == {"VpcId", key}
        return bool(response[key]["Value"])

    assert attribute("enableDnsSupport") is True
    assert attribute("enableDnsHostnames") is False
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    assert attribute("enableDnsHostnames") is True
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": False})
    assert attribute("enableDnsSupport") is False
    assert attribute("enableDnsHostnames") is True


def test_modify_vpc_attribute_takes_one_attribute(ec2: Any, server: Any) -> None:
    vpc_id = new_vpc(ec2)["VpcId"]
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True}, EnableDnsSupport={"Value": True})
    assert error(caught) == (
        "InvalidParameterCombination",
        "Fields for multiple attribute types specified: enableDnsHostnames, enableDnsSupport",
        400,
    )
    assert digest(server) == before


def test_attributes_of_unknown_vpc(ec2: Any) -> None:
    with pytest.raises(ClientError) as caught:
        ec2.describe_vpc_attribute(VpcId="vpc-0123456789abcdef0", Attribute="enableDnsSupport")
    assert error(caught)[0] == "InvalidVpcID.NotFound"
    with pytest.raises(ClientError) as caught:
        ec2.modify_vpc_attribute(VpcId="vpc-0123456789abcdef0", EnableDnsSupport={"Value": True})
    assert error(caught) == ("InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist", 400)


# --- DeleteVpc --------------------------------------------------------------------------------------


def test_delete_vpc_refused_while_subnets_or_groups_exist(ec2: Any, server: Any) -> None:
    vpc_id = new_vpc(ec2)["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group_id = ec2.create_security_group(VpcId=vpc_id, GroupName="web", Description="web")["GroupId"]
    dependency = ("DependencyViolation", f"The vpc '{vpc_id}' has dependencies and cannot be deleted.", 400)
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        ec2.delete_vpc(VpcId=vpc_id)
    assert error(caught) == dependency
    ec2.delete_subnet(SubnetId=subnet_id)
    with pytest.raises(ClientError) as caught:
        ec2.delete_vpc(VpcId=vpc_id)
    assert error(caught) == dependency
    assert before != digest(server)
    ec2.delete_security_group(GroupId=group_id)
    default_id = default_group(ec2, vpc_id)
    ec2.delete_vpc(VpcId=vpc_id)
    assert ec2.describe_vpcs()["Vpcs"] == []
    with pytest.raises(ClientError) as caught:
        ec2.describe_security_groups(GroupIds=[default_id])
    assert error(caught) == ("InvalidGroup.NotFound", f"The security group '{default_id}' does not exist", 400)


def test_delete_unknown_vpc(ec2: Any, server: Any) -> None:
    new_vpc(ec2)
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        ec2.delete_vpc(VpcId="vpc-0123456789abcdef0")
    assert error(caught) == ("InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist", 400)
    assert digest(server) == before


# --- the AWS CLI ------------------------------------------------------------------------------------


def test_cli_create_vpc_and_describe(cli: Any) -> None:
    created = cli(
        "ec2",
        "create-vpc",
        "--cidr-block",
        "10.9.0.0/16",
        "--tag-specifications",
        "ResourceType=vpc,Tags=[{Key=Name,Value=cli}]",
    )["Vpc"]
    assert created["CidrBlock"] == "10.9.0.0/16"
    assert created["Tags"] == [{"Key": "Name", "Value": "cli"}]
    described = cli("ec2", "describe-vpcs", "--filters", "Name=tag:Name,Values=cli")["Vpcs"]
    assert [v["VpcId"] for v in described] == [created["VpcId"]]


def test_another_regions_vpcs_and_groups_are_not_listed(ec2: Any, server: Any) -> None:
    """EC2 records are per region: the owner index no longer spans regions (it did before kinds
    were declared once, and DescribeVpcs in us-west-2 listed us-east-1's VPCs)."""
    import boto3

    from conftest import CREDENTIALS

    vpc_id = new_vpc(ec2)["VpcId"]
    west = boto3.client("ec2", endpoint_url=server.url, region_name="us-west-2", **CREDENTIALS)
    assert west.describe_vpcs()["Vpcs"] == []
    assert west.describe_security_groups()["SecurityGroups"] == []
    with pytest.raises(ClientError) as caught:
        west.describe_vpcs(VpcIds=[vpc_id])
    assert error(caught)[0] == "InvalidVpcID.NotFound"
    assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]] == [vpc_id]
