"""Subnets: CIDR rules, zones, exact free-address counts, allocation, shared subnets, attributes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT
from ec2_world import digest, error, new_vpc_id
from trunkline.context import Principal, RequestContext
from trunkline.domain.ec2 import subnets, vpcs
from trunkline.errors import AwsError
from trunkline.store import open_store
from trunkline.timing import PROFILES

# These tests list everything the account has and expect only what they made: they run in an
# account without AWS's default VPC (test_ec2_default_vpc.py covers that one).
pytestmark = pytest.mark.usefixtures("empty_account")


@pytest.fixture
def in_tx() -> Iterator[Callable[[Callable[[RequestContext], Any]], Any]]:
    """Run domain code in one transaction of a fresh in-memory store, as a request would."""
    store = open_store(":memory:")

    def run(work: Callable[[RequestContext], Any]) -> Any:
        return store.run(
            lambda tx: work(RequestContext(tx, Principal.root(ACCOUNT), "us-east-1", 1_700_000_000.0, PROFILES["fast"]))
        )

    yield run
    store.close()


def _subnet(in_tx: Any, cidr: str) -> str:
    def make(ctx: RequestContext) -> str:
        vpc = vpcs.create_vpc(ctx, {"CidrBlock": "10.0.0.0/16"})
        return str(subnets.create_subnet(ctx, {"VpcId": vpc["VpcId"], "CidrBlock": cidr})["SubnetId"])

    return str(in_tx(make))


def test_allocation_is_lowest_free_and_exact(in_tx):
    subnet_id = _subnet(in_tx, "10.0.1.0/28")
    got = [in_tx(lambda ctx: subnets.allocate_private_ip(ctx, subnet_id)) for _ in range(11)]
    assert got == [f"10.0.1.{n}" for n in range(4, 15)]
    assert in_tx(lambda ctx: subnets.get_subnet(ctx, subnet_id))["AvailableIpAddressCount"] == 0
    with pytest.raises(AwsError) as failure:
        in_tx(lambda ctx: subnets.allocate_private_ip(ctx, subnet_id))
    assert failure.value.code == "InsufficientFreeAddressesInSubnet"
    assert failure.value.message == (
        f"There are not enough free addresses in subnet '{subnet_id}' to satisfy the requested number of instances."
    )
    in_tx(lambda ctx: subnets.release_private_ip(ctx, subnet_id, "10.0.1.9"))
    in_tx(lambda ctx: subnets.release_private_ip(ctx, subnet_id, "10.0.1.6"))
    assert in_tx(lambda ctx: subnets.get_subnet(ctx, subnet_id))["AvailableIpAddressCount"] == 2
    assert in_tx(lambda ctx: subnets.allocate_private_ip(ctx, subnet_id)) == "10.0.1.6"
    assert in_tx(lambda ctx: subnets.allocate_private_ip(ctx, subnet_id)) == "10.0.1.9"


def test_wanted_address_is_skipped_by_later_allocations(in_tx):
    subnet_id = _subnet(in_tx, "10.0.2.0/24")
    assert in_tx(lambda ctx: subnets.allocate_private_ip(ctx, subnet_id, "10.0.2.5")) == "10.0.2.5"
    assert [in_tx(lambda ctx: subnets.allocate_private_ip(ctx, subnet_id)) for _ in range(2)] == [
        "10.0.2.4",
        "10.0.2.6",
    ]
    for wanted, code in (("10.0.2.5", "InvalidIPAddress.InUse"), ("10.0.2.1", "InvalidParameterValue")):
        with pytest.raises(AwsError) as failure:
            in_tx(lambda ctx, w=wanted: subnets.allocate_private_ip(ctx, subnet_id, w))
        assert failure.value.code == code
    assert in_tx(lambda ctx: subnets.get_subnet(ctx, subnet_id))["AvailableIpAddressCount"] == 251 - 3


# --- over the wire ----------------------------------------------------------------------------------


@pytest.fixture
def vpc_id(ec2: Any) -> str:
    return new_vpc_id(ec2)


def _subnet_in(ec2: Any, vpc_id: str, cidr: str, **kwargs: Any) -> dict[str, Any]:
    subnet: dict[str, Any] = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, **kwargs)["Subnet"]
    return subnet


def test_vpc_with_two_subnets_in_two_zones(ec2: Any, vpc_id: str) -> None:
    first = _subnet_in(ec2, vpc_id, "10.0.1.0/24", AvailabilityZone="us-east-1a")
    second = _subnet_in(ec2, vpc_id, "10.0.2.0/24", AvailabilityZoneId="use1-az2")
    assert (first["AvailabilityZone"], first["AvailabilityZoneId"]) == ("us-east-1a", "use1-az1")
    assert (second["AvailabilityZone"], second["AvailabilityZoneId"]) == ("us-east-1b", "use1-az2")
    for subnet in (first, second):
        assert subnet["SubnetId"].startswith("subnet-") and len(subnet["SubnetId"]) == 24
        assert subnet["VpcId"] == vpc_id
        assert subnet["State"] == "available"
        assert subnet["OwnerId"] == ACCOUNT
        assert subnet["SubnetArn"] == f"arn:aws:ec2:us-east-1:{ACCOUNT}:subnet/{subnet['SubnetId']}"
        assert subnet["AvailableIpAddressCount"] == 251
        assert subnet["DefaultForAz"] is False
        assert subnet["MapPublicIpOnLaunch"] is False
        assert subnet["PrivateDnsNameOptionsOnLaunch"] == {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        }
    described = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    assert sorted(described, key=lambda s: s["CidrBlock"]) == [first, second]
    by_zone = ec2.describe_subnets(Filters=[{"Name": "availability-zone", "Values": ["us-east-1b"]}])["Subnets"]
    assert [s["SubnetId"] for s in by_zone] == [second["SubnetId"]]
    by_zone_id = ec2.describe_subnets(Filters=[{"Name": "availability-zone-id", "Values": ["use1-az1"]}])["Subnets"]
    assert [s["SubnetId"] for s in by_zone_id] == [first["SubnetId"]]


def test_zone_is_picked_when_not_given(ec2: Any, vpc_id: str) -> None:
    zones = [_subnet_in(ec2, vpc_id, f"10.0.{n}.0/24")["AvailabilityZone"] for n in range(3)]
    assert zones == ["us-east-1a", "us-east-1b", "us-east-1c"]


@pytest.mark.parametrize(("cidr", "free"), [("10.0.0.0/16", 65531), ("10.0.4.0/22", 1019), ("10.0.1.0/24", 251)])
def test_free_address_counts(ec2: Any, vpc_id: str, cidr: str, free: int) -> None:
    assert _subnet_in(ec2, vpc_id, cidr)["AvailableIpAddressCount"] == free


def test_a_28_is_exhausted_after_exactly_11_interfaces(ec2: Any, vpc_id: str, server: Any) -> None:
    subnet_id = _subnet_in(ec2, vpc_id, "10.0.1.0/28")["SubnetId"]
    assert ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailableIpAddressCount"] == 11
    created = [ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"] for _ in range(11)]
    assert [eni["PrivateIpAddress"] for eni in created] == [f"10.0.1.{n}" for n in range(4, 15)]
    assert ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailableIpAddressCount"] == 0
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        ec2.create_network_interface(SubnetId=subnet_id)
    assert error(caught) == (
        "InsufficientFreeAddressesInSubnet",
        f"There are not enough free addresses in subnet '{subnet_id}' to satisfy the requested number of instances.",
        400,
    )
    assert digest(server) == before
    ec2.delete_network_interface(NetworkInterfaceId=created[3]["NetworkInterfaceId"])
    assert ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailableIpAddressCount"] == 1
    again = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    assert again["PrivateIpAddress"] == created[3]["PrivateIpAddress"]


@pytest.mark.parametrize("cidr", ["10.1.0.0/24", "10.0.0.0/15", "10.0.1.0/29", "9.255.255.0/24"])
def test_cidr_outside_the_vpc_or_the_size_range(ec2: Any, vpc_id: str, server: Any, cidr: str) -> None:
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        _subnet_in(ec2, vpc_id, cidr)
    assert error(caught) == ("InvalidSubnet.Range", f"The CIDR '{cidr}' is invalid.", 400)
    assert digest(server) == before


@pytest.mark.parametrize("cidr", ["10.0.1.0/24", "10.0.0.0/20", "10.0.1.128/25"])
def test_overlapping_subnets_conflict(ec2: Any, vpc_id: str, cidr: str) -> None:
    _subnet_in(ec2, vpc_id, "10.0.1.0/24")
    with pytest.raises(ClientError) as caught:
        _subnet_in(ec2, vpc_id, cidr)
    assert error(caught) == ("InvalidSubnet.Conflict", f"The CIDR '{cidr}' conflicts with another subnet", 400)
    other_vpc = new_vpc_id(ec2)
    assert _subnet_in(ec2, other_vpc, cidr)["CidrBlock"] == cidr  # another VPC may reuse the range


def test_unknown_zone_and_zone_id(ec2: Any, vpc_id: str) -> None:
    with pytest.raises(ClientError) as caught:
        _subnet_in(ec2, vpc_id, "10.0.1.0/24", AvailabilityZone="us-east-1z")
    zones = "us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f"
    assert error(caught) == (
        "InvalidParameterValue",
        "Value (us-east-1z) for parameter availabilityZone is invalid. "
        f"Subnets can currently only be created in the following availability zones: {zones}.",
        400,
    )
    with pytest.raises(ClientError) as caught:
        _subnet_in(ec2, vpc_id, "10.0.1.0/24", AvailabilityZoneId="use1-az9")
    code, message, _ = error(caught)
    assert code == "InvalidParameterValue"
    assert message.startswith("Value (use1-az9) for parameter availabilityZoneId is invalid.")
    assert ec2.describe_subnets()["Subnets"] == []


def test_subnet_in_unknown_vpc(ec2: Any) -> None:
    with pytest.raises(ClientError) as caught:
        ec2.create_subnet(VpcId="vpc-0123456789abcdef0", CidrBlock="10.0.1.0/24")
    assert error(caught) == ("InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist", 400)


def test_shared_subnet_belongs_to_the_account_in_the_tag(ec2: Any, vpc_id: str) -> None:
    owner = "210987654321"
    tags = [{"ResourceType": "subnet", "Tags": [{"Key": "trunkline:owner-id", "Value": owner}]}]
    shared = _subnet_in(ec2, vpc_id, "10.0.1.0/24", TagSpecifications=tags)
    mine = _subnet_in(ec2, vpc_id, "10.0.2.0/24")
    assert shared["OwnerId"] == owner
    assert shared["SubnetArn"] == f"arn:aws:ec2:us-east-1:{owner}:subnet/{shared['SubnetId']}"
    assert ec2.describe_subnets(SubnetIds=[shared["SubnetId"]])["Subnets"][0]["OwnerId"] == owner

    def owned_by(account: str) -> list[str]:
        found = ec2.describe_subnets(Filters=[{"Name": "owner-id", "Values": [account]}])["Subnets"]
        return [s["SubnetId"] for s in found]

    assert owned_by(owner) == [shared["SubnetId"]]
    assert owned_by(ACCOUNT) == [mine["SubnetId"]]


@pytest.mark.parametrize("value", ["12345", "abcdefghijkl", "1234567890123", ""])
def test_shared_subnet_tag_must_be_an_account_id(ec2: Any, vpc_id: str, value: str) -> None:
    tags = [{"ResourceType": "subnet", "Tags": [{"Key": "trunkline:owner-id", "Value": value}]}]
    with pytest.raises(ClientError) as caught:
        _subnet_in(ec2, vpc_id, "10.0.1.0/24", TagSpecifications=tags)
    assert error(caught)[0] == "InvalidParameterValue"
    assert ec2.describe_subnets()["Subnets"] == []


def test_unknown_and_malformed_subnet_ids(ec2: Any, vpc_id: str, server: Any) -> None:
    _subnet_in(ec2, vpc_id, "10.0.1.0/24")
    before = digest(server)
    missing = "subnet-0123456789abcdef0"
    not_found = ("InvalidSubnetID.NotFound", f"The subnet ID '{missing}' does not exist", 400)
    calls = [
        lambda: ec2.describe_subnets(SubnetIds=[missing]),
        lambda: ec2.delete_subnet(SubnetId=missing),
        lambda: ec2.modify_subnet_attribute(SubnetId=missing, MapPublicIpOnLaunch={"Value": True}),
    ]
    for call in calls:
        with pytest.raises(ClientError) as caught:
            call()
        assert error(caught) == not_found
    with pytest.raises(ClientError) as caught:
        ec2.describe_subnets(SubnetIds=["subnet-nope"])
    assert error(caught) == ("InvalidSubnetID.Malformed", 'Invalid id: "subnet-nope" (expecting "subnet-...")', 400)
    assert digest(server) == before


def test_describe_filters(ec2: Any, vpc_id: str) -> None:
    a = _subnet_in(ec2, vpc_id, "10.0.1.0/24", AvailabilityZone="us-east-1a")
    b = _subnet_in(ec2, vpc_id, "10.0.2.0/28", AvailabilityZone="us-east-1c")
    ec2.modify_subnet_attribute(SubnetId=b["SubnetId"], MapPublicIpOnLaunch={"Value": True})

    def ids(name: str, *values: str) -> set[str]:
        found = ec2.describe_subnets(Filters=[{"Name": name, "Values": list(values)}])["Subnets"]
        return {s["SubnetId"] for s in found}

    both = {a["SubnetId"], b["SubnetId"]}
    assert ids("subnet-id", a["SubnetId"]) == {a["SubnetId"]}
    assert ids("cidr-block", "10.0.2.0/28") == {b["SubnetId"]}
    assert ids("state", "available") == both
    assert ids("owner-id", ACCOUNT) == both
    assert ids("default-for-az", "true") == set()
    assert ids("map-public-ip-on-launch", "true") == {b["SubnetId"]}
    assert ids("map-public-ip-on-launch", "false") == {a["SubnetId"]}
    assert ids("available-ip-address-count", "11") == {b["SubnetId"]}


def test_pagination_visits_every_subnet_once(ec2: Any, vpc_id: str) -> None:
    created = {_subnet_in(ec2, vpc_id, f"10.0.{n}.0/24")["SubnetId"] for n in range(11)}
    seen: list[str] = []
    kwargs: dict[str, Any] = {"MaxResults": 5}
    while True:
        response = ec2.describe_subnets(**kwargs)
        assert len(response["Subnets"]) <= 5
        seen.extend(s["SubnetId"] for s in response["Subnets"])
        if "NextToken" not in response:
            break
        kwargs["NextToken"] = response["NextToken"]
    assert len(seen) == len(set(seen)) == 11
    assert set(seen) == created


def test_delete_subnet_refused_while_an_interface_uses_it(ec2: Any, vpc_id: str, server: Any) -> None:
    subnet_id = _subnet_in(ec2, vpc_id, "10.0.1.0/24")["SubnetId"]
    eni_id = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        ec2.delete_subnet(SubnetId=subnet_id)
    assert error(caught) == (
        "DependencyViolation",
        f"The subnet '{subnet_id}' has dependencies and cannot be deleted.",
        400,
    )
    assert digest(server) == before
    ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    ec2.delete_subnet(SubnetId=subnet_id)
    assert ec2.describe_subnets()["Subnets"] == []


def test_modify_subnet_attributes_round_trip(ec2: Any, vpc_id: str) -> None:
    subnet_id = _subnet_in(ec2, vpc_id, "10.0.1.0/24")["SubnetId"]

    def subnet() -> dict[str, Any]:
        found: dict[str, Any] = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]
        return found

    ec2.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": True})
    assert subnet()["MapPublicIpOnLaunch"] is True
    ec2.modify_subnet_attribute(SubnetId=subnet_id, PrivateDnsHostnameTypeOnLaunch="resource-name")
    ec2.modify_subnet_attribute(SubnetId=subnet_id, EnableResourceNameDnsARecordOnLaunch={"Value": True})
    ec2.modify_subnet_attribute(SubnetId=subnet_id, EnableResourceNameDnsAAAARecordOnLaunch={"Value": True})
    assert subnet()["PrivateDnsNameOptionsOnLaunch"] == {
        "HostnameType": "resource-name",
        "EnableResourceNameDnsARecord": True,
        "EnableResourceNameDnsAAAARecord": True,
    }
    ec2.modify_subnet_attribute(SubnetId=subnet_id, EnableResourceNameDnsARecordOnLaunch={"Value": False})
    assert subnet()["PrivateDnsNameOptionsOnLaunch"]["EnableResourceNameDnsARecord"] is False
    ec2.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": False})
    assert subnet()["MapPublicIpOnLaunch"] is False


def test_modify_subnet_attribute_takes_one_attribute(ec2: Any, vpc_id: str, server: Any) -> None:
    subnet_id = _subnet_in(ec2, vpc_id, "10.0.1.0/24")["SubnetId"]
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        ec2.modify_subnet_attribute(
            SubnetId=subnet_id,
            MapPublicIpOnLaunch={"Value": True},
            EnableResourceNameDnsARecordOnLaunch={"Value": True},
        )
    assert error(caught) == (
        "InvalidParameterCombination",
        "Fields for multiple attribute types specified: mapPublicIpOnLaunch, enableResourceNameDnsARecordOnLaunch",
        400,
    )
    with pytest.raises(ClientError) as caught:
        ec2.modify_subnet_attribute(SubnetId=subnet_id, PrivateDnsHostnameTypeOnLaunch="fancy-name")
    assert error(caught)[0] == "InvalidParameterValue"
    assert digest(server) == before


def test_cli_describe_subnets(cli: Any) -> None:
    vpc_id = cli("ec2", "create-vpc", "--cidr-block", "10.7.0.0/16")["Vpc"]["VpcId"]
    created = cli("ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.7.1.0/28")["Subnet"]
    found = cli("ec2", "describe-subnets", "--filters", f"Name=vpc-id,Values={vpc_id}")["Subnets"]
    assert [s["SubnetId"] for s in found] == [created["SubnetId"]]
    assert found[0]["AvailableIpAddressCount"] == 11
