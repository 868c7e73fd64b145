"""Secondary IPv4 CIDR blocks over boto3 and the AWS CLI: AssociateVpcCidrBlock and
DisassociateVpcCidrBlock, subnets in a secondary block, the quota, AWS's range restrictions, and
exact errors that change nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import CliError
from ec2_world import digest, error_of, new_vpc_id

ASSOCIATION_ID = re.compile(r"^vpc-cidr-assoc-[0-9a-f]{17}$")
RESTRICTED = (
    "The CIDR '{}' is restricted. Use a CIDR from the same private address range as the current VPC CIDR, "
    "or use a publicly-routable CIDR.\nFor additional restrictions, see "
    "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html"
)


def blocks(ec2: Any, vpc_id: str) -> list[tuple[str, str]]:
    [vpc] = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    return [(a["CidrBlock"], a["CidrBlockState"]["State"]) for a in vpc["CidrBlockAssociationSet"]]


def associate(ec2: Any, vpc_id: str, cidr: str) -> str:
    return str(ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock=cidr)["CidrBlockAssociation"]["AssociationId"])


def refused(server: Any, call: Any, **kwargs: Any) -> tuple[str, str, int]:
    """The error of a call that must fail and leave the state as it was."""
    before = digest(server)
    found = error_of(call, **kwargs)
    assert digest(server) == before
    return found


# --- AssociateVpcCidrBlock ---------------------------------------------------------------------------


def test_associate_answers_associating_and_describe_shows_associated(ec2: Any) -> None:
    vpc_id = new_vpc_id(ec2)
    answer = ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.1.0.0/16")
    association = answer["CidrBlockAssociation"]
    assert answer["VpcId"] == vpc_id
    assert "Ipv6CidrBlockAssociation" not in answer
    assert ASSOCIATION_ID.match(association["AssociationId"])
    assert association["CidrBlock"] == "10.1.0.0/16"
    assert association["CidrBlockState"] == {"State": "associating"}
    [vpc] = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    assert vpc["CidrBlock"] == "10.0.0.0/16"  # the primary block stays the top-level one
    primary, secondary = vpc["CidrBlockAssociationSet"]
    assert primary["CidrBlock"] == "10.0.0.0/16"
    assert secondary == {**association, "CidrBlockState": {"State": "associated"}}


def test_host_bits_are_cleared(ec2: Any) -> None:
    vpc_id = new_vpc_id(ec2)
    answer = ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.1.2.3/16")
    assert answer["CidrBlockAssociation"]["CidrBlock"] == "10.1.0.0/16"


def test_association_filters_see_secondary_blocks(ec2: Any) -> None:
    vpc_id = new_vpc_id(ec2)
    new_vpc_id(ec2, "10.5.0.0/16")
    association_id = associate(ec2, vpc_id, "10.1.0.0/16")
    for name, value in [
        ("cidr-block-association.cidr-block", "10.1.0.0/16"),
        ("cidr-block-association.association-id", association_id),
    ]:
        found = ec2.describe_vpcs(Filters=[{"Name": name, "Values": [value]}])["Vpcs"]
        assert [v["VpcId"] for v in found] == [vpc_id]
    # `cidr` is the primary block only
    assert ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.1.0.0/16"]}])["Vpcs"] == []


def test_benchmark_vpc_gets_three_16s_and_a_subnet_with_65531_addresses(ec2: Any) -> None:
    vpc_id = new_vpc_id(ec2)
    associate(ec2, vpc_id, "10.1.0.0/16")
    associate(ec2, vpc_id, "10.2.0.0/16")
    assert blocks(ec2, vpc_id) == [
        ("10.0.0.0/16", "associated"),
        ("10.1.0.0/16", "associated"),
        ("10.2.0.0/16", "associated"),
    ]
    whole = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.1.0.0/16", AvailabilityZone="us-east-1a")["Subnet"]
    assert whole["AvailableIpAddressCount"] == 65536 - 5
    part = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.2.128.0/17", AvailabilityZone="us-east-1b")["Subnet"]
    assert part["AvailableIpAddressCount"] == 32768 - 5
    eni = ec2.create_network_interface(SubnetId=whole["SubnetId"])["NetworkInterface"]
    assert eni["PrivateIpAddress"] == "10.1.0.4"


@pytest.mark.parametrize("cidr", ["10.1.0.0/15", "10.1.0.0/29"])
def test_size_outside_16_to_28_is_invalid_vpc_range(ec2: Any, server: Any, cidr: str) -> None:
    vpc_id = new_vpc_id(ec2)
    found = refused(server, ec2.associate_vpc_cidr_block, VpcId=vpc_id, CidrBlock=cidr)
    assert found == ("InvalidVpc.Range", f"The CIDR '{cidr}' is invalid.", 400)


def test_malformed_cidr(ec2: Any, server: Any) -> None:
    vpc_id = new_vpc_id(ec2)
    found = refused(server, ec2.associate_vpc_cidr_block, VpcId=vpc_id, CidrBlock="banana")
    assert found == (
        "InvalidParameterValue",
        "Value (banana) for parameter cidrBlock is invalid. This is not a valid CIDR block.",
        400,
    )


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "10.0.128.0/17", "10.0.0.0/28"])
def test_overlap_with_an_associated_block_is_refused(ec2: Any, server: Any, cidr: str) -> None:
    vpc_id = new_vpc_id(ec2, "10.0.0.0/16")
    found = refused(server, ec2.associate_vpc_cidr_block, VpcId=vpc_id, CidrBlock=cidr)
    assert found == (
        "InvalidVpc.Range",
        f"The CIDR '{cidr}' conflicts with a CIDR block already associated with the VPC '{vpc_id}'.",
        400,
    )


def test_overlap_with_a_secondary_block_is_refused(ec2: Any, server: Any) -> None:
    vpc_id = new_vpc_id(ec2)
    associate(ec2, vpc_id, "10.4.0.0/16")
    found = refused(server, ec2.associate_vpc_cidr_block, VpcId=vpc_id, CidrBlock="10.4.16.0/20")
    assert found[0] == "InvalidVpc.Range"


def test_fifth_block_fits_and_a_sixth_exceeds_the_quota(ec2: Any, server: Any) -> None:
    vpc_id = new_vpc_id(ec2)
    for third_octet in range(1, 5):
        associate(ec2, vpc_id, f"10.{third_octet}.0.0/16")
    assert len(blocks(ec2, vpc_id)) == 5
    found = refused(server, ec2.associate_vpc_cidr_block, VpcId=vpc_id, CidrBlock="10.9.0.0/16")
    assert found == (
        "CidrLimitExceeded",
        f"This network '{vpc_id}' has met its maximum number of allowed CIDRs: 5",
        400,
    )


@pytest.mark.parametrize(
    ("primary", "cidr"),
    [
        ("10.0.0.0/16", "172.20.0.0/16"),  # another RFC 1918 range
        ("10.0.0.0/16", "192.168.0.0/16"),
        ("10.0.0.0/16", "198.19.0.0/16"),
        ("10.1.0.0/16", "10.0.0.0/16"),  # a block in 10.0.0.0/15 bars 10.0.0.0/16
        ("10.0.0.0/17", "10.0.128.0/17"),
        ("192.168.0.0/16", "10.0.0.0/16"),  # AWS's observed refusal
        ("192.168.0.0/16", "172.16.0.0/16"),
        ("172.16.0.0/16", "172.31.0.0/16"),
        ("172.16.0.0/16", "10.1.0.0/16"),
        ("198.19.0.0/16", "10.0.0.0/16"),
        ("100.64.0.0/16", "192.168.0.0/20"),
        ("100.64.0.0/16", "198.19.0.0/16"),
        ("52.0.0.0/16", "172.16.0.0/16"),
        ("10.0.0.0/16", "169.254.0.0/16"),
    ],
)
def test_restricted_ranges(ec2: Any, server: Any, primary: str, cidr: str) -> None:
    vpc_id = new_vpc_id(ec2, primary)
    found = refused(server, ec2.associate_vpc_cidr_block, VpcId=vpc_id, CidrBlock=cidr)
    assert found == ("InvalidVpc.Range", RESTRICTED.format(cidr), 400)


@pytest.mark.parametrize(
    ("primary", "cidr"),
    [
        ("10.0.0.0/16", "10.200.0.0/16"),
        ("10.0.0.0/16", "100.64.0.0/16"),
        ("10.0.0.0/16", "52.1.0.0/16"),
        ("192.168.0.0/16", "100.64.0.0/16"),  # AWS's observed success
        ("172.16.0.0/16", "172.20.0.0/16"),
        ("198.19.0.0/16", "100.64.0.0/16"),
        ("100.64.0.0/16", "52.1.0.0/16"),
    ],
)
def test_permitted_ranges(ec2: Any, primary: str, cidr: str) -> None:
    vpc_id = new_vpc_id(ec2, primary)
    associate(ec2, vpc_id, cidr)
    assert blocks(ec2, vpc_id)[-1] == (cidr, "associated")


def test_ipv6_and_ipam_are_refused(ec2: Any, server: Any) -> None:
    vpc_id = new_vpc_id(ec2)
    found = refused(server, ec2.associate_vpc_cidr_block, VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True)
    assert found == (
        "InvalidParameterValue",
        "trunkline does not support AmazonProvidedIpv6CidrBlock on VPC CIDR blocks yet.",
        400,
    )
    found = refused(server, ec2.associate_vpc_cidr_block, VpcId=vpc_id, Ipv4IpamPoolId="ipam-pool-0123456789abcdef0")
    assert found[0] == "InvalidParameterValue"


def test_without_a_block(ec2: Any, server: Any) -> None:
    vpc_id = new_vpc_id(ec2)
    found = refused(server, ec2.associate_vpc_cidr_block, VpcId=vpc_id)
    assert found == ("MissingParameter", "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.", 400)


def test_unknown_vpc(ec2: Any, server: Any) -> None:
    found = refused(server, ec2.associate_vpc_cidr_block, VpcId="vpc-0123456789abcdef0", CidrBlock="10.1.0.0/16")
    assert found == ("InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist", 400)


# --- CreateSubnet against several blocks ------------------------------------------------------------


def test_subnet_outside_every_block_keeps_its_error(ec2: Any, server: Any) -> None:
    vpc_id = new_vpc_id(ec2)
    associate(ec2, vpc_id, "10.1.0.0/16")
    found = refused(server, ec2.create_subnet, VpcId=vpc_id, CidrBlock="10.2.0.0/24")
    assert found == ("InvalidSubnet.Range", "The CIDR '10.2.0.0/24' is invalid.", 400)


def test_subnet_spanning_two_blocks_is_invalid(ec2: Any, server: Any) -> None:
    vpc_id = new_vpc_id(ec2, "10.4.0.0/17")
    associate(ec2, vpc_id, "10.4.128.0/17")
    ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.4.128.0/17")
    found = refused(server, ec2.create_subnet, VpcId=vpc_id, CidrBlock="10.4.0.0/16")
    assert found == ("InvalidSubnet.Range", "The CIDR '10.4.0.0/16' is invalid.", 400)


# --- DisassociateVpcCidrBlock ------------------------------------------------------------------------


def test_disassociate_answers_disassociating_and_the_block_is_gone(ec2: Any) -> None:
    vpc_id = new_vpc_id(ec2)
    association_id = associate(ec2, vpc_id, "10.1.0.0/16")
    answer = ec2.disassociate_vpc_cidr_block(AssociationId=association_id)
    assert answer["VpcId"] == vpc_id
    assert answer["CidrBlockAssociation"] == {
        "AssociationId": association_id,
        "CidrBlock": "10.1.0.0/16",
        "CidrBlockState": {"State": "disassociating"},
    }
    assert blocks(ec2, vpc_id) == [("10.0.0.0/16", "associated")]
    found = error_of(ec2.create_subnet, VpcId=vpc_id, CidrBlock="10.1.0.0/24")
    assert found[0] == "InvalidSubnet.Range"
    # the block and its quota slot are free again
    associate(ec2, vpc_id, "10.1.0.0/16")


def test_disassociate_after_the_subnet_is_deleted(ec2: Any) -> None:
    vpc_id = new_vpc_id(ec2)
    association_id = associate(ec2, vpc_id, "10.1.0.0/16")
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.1.3.0/24")["Subnet"]["SubnetId"]
    ec2.delete_subnet(SubnetId=subnet)
    ec2.disassociate_vpc_cidr_block(AssociationId=association_id)
    assert blocks(ec2, vpc_id) == [("10.0.0.0/16", "associated")]


def test_primary_block_cannot_be_disassociated(ec2: Any, server: Any) -> None:
    vpc_id = new_vpc_id(ec2)
    associate(ec2, vpc_id, "10.1.0.0/16")
    [vpc] = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    primary = vpc["CidrBlockAssociationSet"][0]["AssociationId"]
    found = refused(server, ec2.disassociate_vpc_cidr_block, AssociationId=primary)
    assert found == (
        "OperationNotPermitted",
        f"The vpc CIDR block with association ID {primary} may not be disassociated. "
        "It is the primary IPv4 CIDR block of the VPC",
        400,
    )


def test_block_with_a_subnet_cannot_be_disassociated(ec2: Any, server: Any) -> None:
    vpc_id = new_vpc_id(ec2)
    association_id = associate(ec2, vpc_id, "10.1.0.0/16")
    ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.1.200.0/24")
    found = refused(server, ec2.disassociate_vpc_cidr_block, AssociationId=association_id)
    assert found == (
        "InvalidCidrBlock.InUse",
        f"The vpc {vpc_id} currently has a subnet within CIDR block 10.1.0.0/16",
        400,
    )


@pytest.mark.parametrize("association_id", ["vpc-cidr-assoc-0123456789abcdef0", "banana"])
def test_unknown_association(ec2: Any, server: Any, association_id: str) -> None:
    new_vpc_id(ec2)
    found = refused(server, ec2.disassociate_vpc_cidr_block, AssociationId=association_id)
    assert found == (
        "InvalidVpcCidrBlockAssociationID.NotFound",
        f"The vpc CIDR block association ID '{association_id}' does not exist",
        400,
    )


# --- the AWS CLI ------------------------------------------------------------------------------------


def test_cli_associate_subnet_and_disassociate(cli: Any) -> None:
    vpc_id = cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16")["Vpc"]["VpcId"]
    answer = cli("ec2", "associate-vpc-cidr-block", "--vpc-id", vpc_id, "--cidr-block", "10.1.0.0/16")
    association = answer["CidrBlockAssociation"]
    assert answer["VpcId"] == vpc_id
    assert association["CidrBlockState"] == {"State": "associating"}
    described = cli(
        "ec2", "describe-vpcs", "--vpc-ids", vpc_id, "--query", "Vpcs[0].CidrBlockAssociationSet[].CidrBlock"
    )
    assert described == ["10.0.0.0/16", "10.1.0.0/16"]
    subnet = cli("ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.1.0.0/16")["Subnet"]
    assert subnet["AvailableIpAddressCount"] == 65531
    with pytest.raises(CliError) as caught:
        cli("ec2", "disassociate-vpc-cidr-block", "--association-id", association["AssociationId"])
    assert "(InvalidCidrBlock.InUse)" in caught.value.stderr
    cli("ec2", "delete-subnet", "--subnet-id", subnet["SubnetId"])
    gone = cli("ec2", "disassociate-vpc-cidr-block", "--association-id", association["AssociationId"])
    assert gone["CidrBlockAssociation"]["CidrBlockState"] == {"State": "disassociating"}
    with pytest.raises(CliError) as caught:
        cli("ec2", "associate-vpc-cidr-block", "--vpc-id", vpc_id, "--cidr-block", "192.168.0.0/16")
    assert (
        "An error occurred (InvalidVpc.Range) when calling the AssociateVpcCidrBlock operation: "
        "The CIDR '192.168.0.0/16' is restricted." in caught.value.stderr
    )
