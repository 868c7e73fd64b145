"""The ENI ledger through boto3 and the AWS CLI: create, attach (and the per-type ENI limit),
detach, delete, DescribeNetworkInterfaces filters and paging, trunk/branch VLAN associations,
and AWS's errors for every unknown or refused request, leaving the state untouched."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import boto3
import pytest

from conftest import CREDENTIALS
from ec2_world import digest, error_of, free_addresses, launch, network, settle

MAC = re.compile(r"^(0a|06)(:[0-9a-f]{2}){5}$")


# --- helpers ------------------------------------------------------------------------------------


def eni(ec2: Any, eni_id: str) -> dict[str, Any]:
    found: dict[str, Any] = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    return found


@pytest.fixture
def net(ec2: Any) -> dict[str, str]:
    return network(ec2)


# --- create -------------------------------------------------------------------------------------


def test_created_eni_has_aws_shape_and_takes_one_address(ec2, net):
    before = free_addresses(ec2, net["subnet"])
    created = ec2.create_network_interface(
        SubnetId=net["subnet"],
        Description="app",
        TagSpecifications=[{"ResourceType": "network-interface", "Tags": [{"Key": "Name", "Value": "one"}]}],
    )["NetworkInterface"]
    assert created["NetworkInterfaceId"].startswith("eni-") and len(created["NetworkInterfaceId"]) == 21
    assert created["Status"] == "available"
    assert created["InterfaceType"] == "interface"
    assert created["RequesterManaged"] is False and created["SourceDestCheck"] is True
    assert created["OwnerId"] == "123456789012"
    assert created["VpcId"] == net["vpc"] and created["SubnetId"] == net["subnet"]
    assert created["AvailabilityZone"] == "us-east-1a"
    assert created["Description"] == "app"
    assert created["Groups"] == [{"GroupId": net["default_sg"], "GroupName": "default"}]
    assert MAC.match(created["MacAddress"])
    address = created["PrivateIpAddress"]
    assert ipaddress.IPv4Address(address) in ipaddress.IPv4Network(net["cidr"])
    assert created["PrivateDnsName"] == "ip-" + address.replace(".", "-") + ".ec2.internal"
    assert created["PrivateIpAddresses"] == [
        {"Primary": True, "PrivateIpAddress": address, "PrivateDnsName": created["PrivateDnsName"]}
    ]
    assert created["TagSet"] == [{"Key": "Name", "Value": "one"}]
    assert "Attachment" not in created
    assert free_addresses(ec2, net["subnet"]) == before - 1
    assert eni(ec2, created["NetworkInterfaceId"])["MacAddress"] == created["MacAddress"]


def test_created_eni_takes_the_wanted_address_and_named_groups(ec2, net):
    group = ec2.create_security_group(GroupName="app", Description="app", VpcId=net["vpc"])["GroupId"]
    created = ec2.create_network_interface(SubnetId=net["subnet"], PrivateIpAddress="10.0.1.77", Groups=[group])
    assert created["NetworkInterface"]["PrivateIpAddress"] == "10.0.1.77"
    assert created["NetworkInterface"]["Groups"] == [{"GroupId": group, "GroupName": "app"}]
    code, _, _ = error_of(ec2.create_network_interface, SubnetId=net["subnet"], PrivateIpAddress="10.0.1.77")
    assert code == "InvalidIPAddress.InUse"


def test_group_from_another_vpc_is_refused_without_a_trace(ec2, net, server):
    other = network(ec2, "10.0.9.0/24")
    before = digest(server)
    code, message, _ = error_of(ec2.create_network_interface, SubnetId=net["subnet"], Groups=[other["default_sg"]])
    assert code == "InvalidParameter"
    assert message == f"Security group {other['default_sg']} and subnet {net['subnet']} belong to different networks."
    assert digest(server) == before


def test_outside_us_east_1_the_dns_name_is_regional(server):
    client = boto3.client("ec2", endpoint_url=server.url, region_name="eu-west-1", **CREDENTIALS)
    net = network(client, zone="eu-west-1a")
    created = client.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]
    address = created["PrivateIpAddress"]
    assert created["PrivateDnsName"] == "ip-" + address.replace(".", "-") + ".eu-west-1.compute.internal"


def test_macs_are_unique(ec2, net):
    macs = [ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["MacAddress"] for _ in range(30)]
    assert len(set(macs)) == 30


def test_client_token_makes_create_idempotent(ec2, net):
    first = ec2.create_network_interface(SubnetId=net["subnet"], ClientToken="token-1")["NetworkInterface"]
    again = ec2.create_network_interface(SubnetId=net["subnet"], ClientToken="token-1")["NetworkInterface"]
    assert again["NetworkInterfaceId"] == first["NetworkInterfaceId"]
    assert len(ec2.describe_network_interfaces()["NetworkInterfaces"]) == 1
    code, _, _ = error_of(ec2.create_network_interface, SubnetId=net["subnet"], ClientToken="token-1", Description="x")
    assert code == "IdempotentParameterMismatch"


def test_dry_run_answers_412_and_creates_nothing(ec2, net):
    code, message, status = error_of(ec2.create_network_interface, SubnetId=net["subnet"], DryRun=True)
    assert (code, status) == ("DryRunOperation", 412)
    assert message == "Request would have succeeded, but DryRun flag is set."
    assert ec2.describe_network_interfaces()["NetworkInterfaces"] == []


# --- attach, the ENI limit, detach, delete ------------------------------------------------------


def test_c5_large_holds_three_enis_and_refuses_a_fourth(aws, ec2, net, server):
    limit = ec2.describe_instance_types(InstanceTypes=["c5.large"])["InstanceTypes"][0]
    assert limit["NetworkInfo"]["MaximumNetworkInterfaces"] == 3
    instance = launch(aws, net["subnet"])
    extra = [ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"] for _ in range(3)]
    for index, created in enumerate(extra[:2], start=1):
        answer = ec2.attach_network_interface(
            NetworkInterfaceId=created["NetworkInterfaceId"], InstanceId=instance, DeviceIndex=index
        )
        assert answer["AttachmentId"].startswith("eni-attach-")
        assert answer["NetworkCardIndex"] == 0
    before = digest(server)
    code, message, status = error_of(
        ec2.attach_network_interface,
        NetworkInterfaceId=extra[2]["NetworkInterfaceId"],
        InstanceId=instance,
        DeviceIndex=3,
    )
    assert (code, message, status) == (
        "AttachmentLimitExceeded",
        "Interface count 4 exceeds the limit for c5.large",
        400,
    )
    assert digest(server) == before
    attached = ec2.describe_network_interfaces(Filters=[{"Name": "attachment.instance-id", "Values": [instance]}])
    assert sorted(e["Attachment"]["DeviceIndex"] for e in attached["NetworkInterfaces"]) == [0, 1, 2]
    assert eni(ec2, extra[2]["NetworkInterfaceId"])["Status"] == "available"


def test_attachment_goes_attaching_then_attached(aws, ec2, net, server):
    instance = launch(aws, net["subnet"])
    created = ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    attachment = ec2.attach_network_interface(NetworkInterfaceId=created, InstanceId=instance, DeviceIndex=1)
    seen = eni(ec2, created)
    assert seen["Status"] == "in-use"
    assert seen["Attachment"]["AttachmentId"] == attachment["AttachmentId"]
    assert seen["Attachment"]["InstanceId"] == instance
    assert seen["Attachment"]["InstanceOwnerId"] == "123456789012"
    assert seen["Attachment"]["DeviceIndex"] == 1
    assert seen["Attachment"]["DeleteOnTermination"] is False
    assert seen["Attachment"]["Status"] in ("attaching", "attached")
    settle(server)
    assert eni(ec2, created)["Attachment"]["Status"] == "attached"


def test_attach_refusals(aws, ec2, net, server):
    instance = launch(aws, net["subnet"])
    one, two = (ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"] for _ in range(2))
    ec2.attach_network_interface(NetworkInterfaceId=one["NetworkInterfaceId"], InstanceId=instance, DeviceIndex=1)
    before = digest(server)
    code, message, _ = error_of(
        ec2.attach_network_interface, NetworkInterfaceId=two["NetworkInterfaceId"], InstanceId=instance, DeviceIndex=1
    )
    assert (code, message) == (
        "InvalidParameterValue",
        f"Instance '{instance}' already has an interface attached at device index '1'.",
    )
    code, message, _ = error_of(
        ec2.attach_network_interface, NetworkInterfaceId=one["NetworkInterfaceId"], InstanceId=instance, DeviceIndex=2
    )
    assert (code, message) == ("InvalidNetworkInterface.InUse", f"Interface: [{one['NetworkInterfaceId']}] in use.")
    elsewhere = network(ec2, "10.0.5.0/24", zone="us-east-1b")
    far = ec2.create_network_interface(SubnetId=elsewhere["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    before = digest(server)
    code, _, _ = error_of(ec2.attach_network_interface, NetworkInterfaceId=far, InstanceId=instance, DeviceIndex=2)
    assert code == "InvalidParameterCombination"
    assert digest(server) == before


def test_primary_eni_cannot_be_detached_or_deleted(aws, ec2, net, server):
    instance = launch(aws, net["subnet"])
    primary = ec2.describe_network_interfaces(Filters=[{"Name": "attachment.instance-id", "Values": [instance]}])
    primary_eni = primary["NetworkInterfaces"][0]
    before = digest(server)
    code, message, _ = error_of(ec2.detach_network_interface, AttachmentId=primary_eni["Attachment"]["AttachmentId"])
    assert (code, message) == (
        "OperationNotPermitted",
        "The network interface at device index 0 and networkCard index 0 cannot be detached.",
    )
    code, message, _ = error_of(ec2.delete_network_interface, NetworkInterfaceId=primary_eni["NetworkInterfaceId"])
    assert (code, message) == (
        "InvalidNetworkInterface.InUse",
        f"The network interface '{primary_eni['NetworkInterfaceId']}' is currently in use.",
    )
    assert digest(server) == before


def test_detach_then_delete_gives_the_address_back(aws, ec2, net, server):
    instance = launch(aws, net["subnet"])
    created = ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    free = free_addresses(ec2, net["subnet"])
    attachment = ec2.attach_network_interface(NetworkInterfaceId=created, InstanceId=instance, DeviceIndex=1)
    ec2.detach_network_interface(AttachmentId=attachment["AttachmentId"])
    # Under fast timing the detach may already have finished: then the attachment is gone.
    during = eni(ec2, created)
    assert during.get("Attachment", {}).get("Status") == "detaching" or (
        during["Status"] == "available" and "Attachment" not in during
    )
    settle(server)
    detached = eni(ec2, created)
    assert detached["Status"] == "available" and "Attachment" not in detached
    ec2.delete_network_interface(NetworkInterfaceId=created)
    assert free_addresses(ec2, net["subnet"]) == free + 1
    code, _, _ = error_of(ec2.describe_network_interfaces, NetworkInterfaceIds=[created])
    assert code == "InvalidNetworkInterfaceID.NotFound"


def test_a_detached_eni_can_move_to_another_instance(aws, ec2, net, server):
    first, second = launch(aws, net["subnet"]), launch(aws, net["subnet"])
    created = ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    attachment = ec2.attach_network_interface(NetworkInterfaceId=created, InstanceId=first, DeviceIndex=1)
    ec2.detach_network_interface(AttachmentId=attachment["AttachmentId"])
    settle(server)
    ec2.attach_network_interface(NetworkInterfaceId=created, InstanceId=second, DeviceIndex=1)
    assert eni(ec2, created)["Attachment"]["InstanceId"] == second


# --- describe -----------------------------------------------------------------------------------


def test_describe_filters(aws, ec2, net):
    instance = launch(aws, net["subnet"])
    tagged = ec2.create_network_interface(
        SubnetId=net["subnet"],
        TagSpecifications=[{"ResourceType": "network-interface", "Tags": [{"Key": "team", "Value": "blue"}]}],
    )["NetworkInterface"]
    trunk = ec2.create_network_interface(SubnetId=net["subnet"], InterfaceType="trunk")["NetworkInterface"]
    other = network(ec2, "10.0.7.0/24")
    elsewhere = ec2.create_network_interface(SubnetId=other["subnet"])["NetworkInterface"]

    def ids(*filters: tuple[str, list[str]]) -> set[str]:
        found = ec2.describe_network_interfaces(Filters=[{"Name": n, "Values": v} for n, v in filters])
        return {e["NetworkInterfaceId"] for e in found["NetworkInterfaces"]}

    primary = ids(("attachment.instance-id", [instance]))
    assert len(primary) == 1
    assert ids(("interface-type", ["trunk"])) == {trunk["NetworkInterfaceId"]}
    assert ids(("subnet-id", [other["subnet"]])) == {elsewhere["NetworkInterfaceId"]}
    assert ids(("vpc-id", [other["vpc"]])) == {elsewhere["NetworkInterfaceId"]}
    assert ids(("group-id", [other["default_sg"]])) == {elsewhere["NetworkInterfaceId"]}
    assert ids(("status", ["in-use"])) == primary
    assert ids(("status", ["available"]), ("subnet-id", [net["subnet"]])) == {
        tagged["NetworkInterfaceId"],
        trunk["NetworkInterfaceId"],
    }
    assert ids(("mac-address", [tagged["MacAddress"]])) == {tagged["NetworkInterfaceId"]}
    assert ids(("private-ip-address", [trunk["PrivateIpAddress"]])) == {trunk["NetworkInterfaceId"]}
    assert ids(("tag:team", ["blue"])) == {tagged["NetworkInterfaceId"]}
    assert ids(("tag-key", ["team"])) == {tagged["NetworkInterfaceId"]}
    assert ids(("requester-managed", ["false"]), ("subnet-id", [other["subnet"]])) == {elsewhere["NetworkInterfaceId"]}
    assert ids(("owner-id", ["123456789012"]), ("availability-zone", ["us-east-1a"])) == ids()
    assert ids(("network-interface-id", [trunk["NetworkInterfaceId"]])) == {trunk["NetworkInterfaceId"]}
    assert ids(("attachment.instance-id", ["i-0123456789abcdef0"])) == set()
    code, message, _ = error_of(ec2.describe_network_interfaces, Filters=[{"Name": "colour", "Values": ["x"]}])
    assert (code, message) == ("InvalidParameterValue", "The filter 'colour' is invalid")


def test_describe_pages_through_every_eni_once(ec2, net, server):
    made = {
        ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
        for _ in range(12)
    }
    seen: list[str] = []
    pages = ec2.get_paginator("describe_network_interfaces").paginate(PaginationConfig={"PageSize": 5})
    sizes = []
    for page in pages:
        sizes.append(len(page["NetworkInterfaces"]))
        seen.extend(e["NetworkInterfaceId"] for e in page["NetworkInterfaces"])
    assert sizes == [5, 5, 2]
    assert sorted(seen) == sorted(made)
    code, message, _ = error_of(server.client("ec2", validate=False).describe_network_interfaces, MaxResults=4)
    assert code == "InvalidParameterValue"
    assert message == "Value ( 4 ) for parameter maxResults is invalid. Parameter must be between 5 and 1000."
    code, message, _ = error_of(
        server.client("ec2", validate=False).describe_trunk_interface_associations, MaxResults=256
    )
    assert (code, message) == (
        "InvalidParameterValue",
        "Value ( 256 ) for parameter maxResults is invalid. Parameter must be between 5 and 255.",
    )
    code, _, _ = error_of(ec2.describe_network_interfaces, MaxResults=5, NextToken="forged")
    assert code == "InvalidNextToken"


# --- trunk and branch ENIs ----------------------------------------------------------------------


def trunk_and_branches(ec2: Any, net: dict[str, str], branches: int = 1) -> tuple[str, list[str]]:
    trunk = ec2.create_network_interface(SubnetId=net["subnet"], InterfaceType="trunk")["NetworkInterface"]
    made = [
        ec2.create_network_interface(SubnetId=net["subnet"], InterfaceType="branch")["NetworkInterface"]
        for _ in range(branches)
    ]
    assert trunk["InterfaceType"] == "trunk" and all(b["InterfaceType"] == "branch" for b in made)
    return trunk["NetworkInterfaceId"], [b["NetworkInterfaceId"] for b in made]


def test_vlan_association_round_trip(ec2, net):
    trunk, (branch,) = trunk_and_branches(ec2, net)
    made = ec2.associate_trunk_interface(BranchInterfaceId=branch, TrunkInterfaceId=trunk, VlanId=10)
    association = made["InterfaceAssociation"]
    assert association["AssociationId"].startswith("trunk-assoc-")
    assert association == {
        "AssociationId": association["AssociationId"],
        "BranchInterfaceId": branch,
        "TrunkInterfaceId": trunk,
        "InterfaceProtocol": "VLAN",
        "VlanId": 10,
        "Tags": [],
    }
    assert made["ClientToken"]
    described = ec2.describe_trunk_interface_associations(AssociationIds=[association["AssociationId"]])
    assert described["InterfaceAssociations"] == [association]
    assert eni(ec2, branch)["Status"] == "in-use"
    by_protocol = ec2.describe_trunk_interface_associations(
        Filters=[{"Name": "interface-protocol", "Values": ["VLAN"]}]
    )
    assert [a["AssociationId"] for a in by_protocol["InterfaceAssociations"]] == [association["AssociationId"]]
    assert ec2.disassociate_trunk_interface(AssociationId=association["AssociationId"])["Return"] is True
    assert ec2.describe_trunk_interface_associations()["InterfaceAssociations"] == []
    assert eni(ec2, branch)["Status"] == "available"


def test_a_vlan_id_is_used_once_per_trunk(ec2, net, server):
    trunk, (first, second) = trunk_and_branches(ec2, net, branches=2)
    ec2.associate_trunk_interface(BranchInterfaceId=first, TrunkInterfaceId=trunk, VlanId=7)
    before = digest(server)
    code, message, _ = error_of(
        ec2.associate_trunk_interface, BranchInterfaceId=second, TrunkInterfaceId=trunk, VlanId=7
    )
    assert (code, message) == (
        "InvalidParameterValue",
        f"The VLAN ID 7 is already in use on trunk interface '{trunk}'.",
    )
    assert digest(server) == before
    other_trunk, _ = trunk_and_branches(ec2, net, branches=0)
    again = ec2.associate_trunk_interface(BranchInterfaceId=second, TrunkInterfaceId=other_trunk, VlanId=7)
    assert again["InterfaceAssociation"]["VlanId"] == 7


def test_a_branch_rides_one_trunk_at_a_time(ec2, net, server):
    trunk, (branch,) = trunk_and_branches(ec2, net)
    other_trunk, _ = trunk_and_branches(ec2, net, branches=0)
    ec2.associate_trunk_interface(BranchInterfaceId=branch, TrunkInterfaceId=trunk, VlanId=1)
    before = digest(server)
    code, message, _ = error_of(
        ec2.associate_trunk_interface, BranchInterfaceId=branch, TrunkInterfaceId=other_trunk, VlanId=2
    )
    assert code == "InvalidParameterValue"
    assert message == f"Branch interface '{branch}' is already associated with trunk interface '{trunk}'."
    assert digest(server) == before


def test_omitted_vlan_id_takes_the_lowest_free_one(ec2, net):
    trunk, branches = trunk_and_branches(ec2, net, branches=4)
    ec2.associate_trunk_interface(BranchInterfaceId=branches[0], TrunkInterfaceId=trunk, VlanId=2)
    got = [
        ec2.associate_trunk_interface(BranchInterfaceId=b, TrunkInterfaceId=trunk)["InterfaceAssociation"]["VlanId"]
        for b in branches[1:]
    ]
    assert got == [1, 3, 4]


def test_association_type_and_range_checks(ec2, net, server):
    trunk, (branch,) = trunk_and_branches(ec2, net)
    plain = ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    before = digest(server)
    code, message, _ = error_of(
        ec2.associate_trunk_interface, BranchInterfaceId=branch, TrunkInterfaceId=plain, VlanId=3
    )
    assert code == "InvalidParameterValue"
    assert message == f"Network interface '{plain}' is not a trunk interface (its interface type is 'interface')."
    code, _, _ = error_of(ec2.associate_trunk_interface, BranchInterfaceId=plain, TrunkInterfaceId=trunk, VlanId=3)
    assert code == "InvalidParameterValue"
    for bad in (0, 4095):
        code, message, _ = error_of(
            ec2.associate_trunk_interface, BranchInterfaceId=branch, TrunkInterfaceId=trunk, VlanId=bad
        )
        assert code == "InvalidParameterValue" and f"'{bad}'" in message
    assert digest(server) == before


def test_associated_interfaces_cannot_be_deleted_or_attached(aws, ec2, net, server):
    trunk, (branch,) = trunk_and_branches(ec2, net)
    ec2.associate_trunk_interface(BranchInterfaceId=branch, TrunkInterfaceId=trunk, VlanId=9)
    instance = launch(aws, net["subnet"])
    before = digest(server)
    for busy in (trunk, branch):
        code, message, _ = error_of(ec2.delete_network_interface, NetworkInterfaceId=busy)
        assert (code, message) == (
            "InvalidNetworkInterface.InUse",
            f"The network interface '{busy}' is currently in use.",
        )
    code, _, _ = error_of(ec2.attach_network_interface, NetworkInterfaceId=branch, InstanceId=instance, DeviceIndex=1)
    assert code == "InvalidNetworkInterface.InUse"
    assert digest(server) == before


def test_branches_do_not_count_against_the_instance_limit(aws, ec2, net):
    instance = launch(aws, net["subnet"])
    trunk, branches = trunk_and_branches(ec2, net, branches=10)
    ec2.attach_network_interface(NetworkInterfaceId=trunk, InstanceId=instance, DeviceIndex=1)
    for vlan, branch in enumerate(branches, start=1):
        ec2.associate_trunk_interface(BranchInterfaceId=branch, TrunkInterfaceId=trunk, VlanId=vlan)
    # c5.large: primary + trunk + 10 branches (ECS's trunked limit of 12), and one regular slot left.
    spare = ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    ec2.attach_network_interface(NetworkInterfaceId=spare, InstanceId=instance, DeviceIndex=2)
    eleventh = ec2.create_network_interface(SubnetId=net["subnet"], InterfaceType="branch")["NetworkInterface"]
    code, message, _ = error_of(
        ec2.associate_trunk_interface,
        BranchInterfaceId=eleventh["NetworkInterfaceId"],
        TrunkInterfaceId=trunk,
        VlanId=11,
    )
    assert (code, message) == ("AttachmentLimitExceeded", "Branch interface count 11 exceeds the limit for c5.large")


def test_termination_deletes_the_primary_and_detaches_the_rest(aws, ec2, net, server):
    free = free_addresses(ec2, net["subnet"])
    instance = launch(aws, net["subnet"])
    trunk, (branch,) = trunk_and_branches(ec2, net)
    ec2.attach_network_interface(NetworkInterfaceId=trunk, InstanceId=instance, DeviceIndex=1)
    ec2.associate_trunk_interface(BranchInterfaceId=branch, TrunkInterfaceId=trunk, VlanId=4)
    primary = ec2.describe_network_interfaces(
        Filters=[
            {"Name": "attachment.device-index", "Values": ["0"]},
            {"Name": "attachment.instance-id", "Values": [instance]},
        ]
    )["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.terminate_instances(InstanceIds=[instance])
    settle(server)
    code, _, _ = error_of(ec2.describe_network_interfaces, NetworkInterfaceIds=[primary])
    assert code == "InvalidNetworkInterfaceID.NotFound"
    # A user-attached trunk is not DeleteOnTermination: it is detached and keeps its branch.
    assert eni(ec2, trunk)["Status"] == "available"
    assert len(ec2.describe_trunk_interface_associations()["InterfaceAssociations"]) == 1
    assert free_addresses(ec2, net["subnet"]) == free - 2  # the trunk's and the branch's addresses


# --- unknown ids: AWS's NotFound, nothing changed ------------------------------------------------

UNKNOWN_ENI = "eni-0123456789abcdef0"
UNKNOWN_INSTANCE = "i-0123456789abcdef0"
UNKNOWN_ATTACHMENT = "eni-attach-0123456789abcdef0"
UNKNOWN_ASSOCIATION = "trunk-assoc-0123456789abcdef0"


def test_unknown_ids_get_not_found_and_change_nothing(aws, ec2, net, server):
    instance = launch(aws, net["subnet"])
    known = ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    trunk, (branch,) = trunk_and_branches(ec2, net)
    settle(server)
    calls: list[tuple[Any, dict[str, Any], str, str]] = [
        (
            ec2.describe_network_interfaces,
            {"NetworkInterfaceIds": [known, UNKNOWN_ENI]},
            "InvalidNetworkInterfaceID.NotFound",
            f"The networkInterface ID '{UNKNOWN_ENI}' does not exist",
        ),
        (
            ec2.delete_network_interface,
            {"NetworkInterfaceId": UNKNOWN_ENI},
            "InvalidNetworkInterfaceID.NotFound",
            f"The networkInterface ID '{UNKNOWN_ENI}' does not exist",
        ),
        (
            ec2.attach_network_interface,
            {"NetworkInterfaceId": UNKNOWN_ENI, "InstanceId": instance, "DeviceIndex": 1},
            "InvalidNetworkInterfaceID.NotFound",
            f"The networkInterface ID '{UNKNOWN_ENI}' does not exist",
        ),
        (
            ec2.attach_network_interface,
            {"NetworkInterfaceId": known, "InstanceId": UNKNOWN_INSTANCE, "DeviceIndex": 1},
            "InvalidInstanceID.NotFound",
            f"The instance ID '{UNKNOWN_INSTANCE}' does not exist",
        ),
        (
            ec2.detach_network_interface,
            {"AttachmentId": UNKNOWN_ATTACHMENT},
            "InvalidAttachmentID.NotFound",
            f"The attachment ID '{UNKNOWN_ATTACHMENT}' does not exist",
        ),
        (
            ec2.associate_trunk_interface,
            {"BranchInterfaceId": UNKNOWN_ENI, "TrunkInterfaceId": trunk, "VlanId": 1},
            "InvalidNetworkInterfaceID.NotFound",
            f"The networkInterface ID '{UNKNOWN_ENI}' does not exist",
        ),
        (
            ec2.associate_trunk_interface,
            {"BranchInterfaceId": branch, "TrunkInterfaceId": UNKNOWN_ENI, "VlanId": 1},
            "InvalidNetworkInterfaceID.NotFound",
            f"The networkInterface ID '{UNKNOWN_ENI}' does not exist",
        ),
        (
            ec2.describe_trunk_interface_associations,
            {"AssociationIds": [UNKNOWN_ASSOCIATION]},
            "InvalidAssociationID.NotFound",
            f"The association ID '{UNKNOWN_ASSOCIATION}' does not exist",
        ),
        (
            ec2.disassociate_trunk_interface,
            {"AssociationId": UNKNOWN_ASSOCIATION},
            "InvalidAssociationID.NotFound",
            f"The association ID '{UNKNOWN_ASSOCIATION}' does not exist",
        ),
    ]
    before = digest(server)
    for call, kwargs, code, message in calls:
        assert error_of(call, **kwargs) == (code, message, 400), call
    assert digest(server) == before


def test_malformed_ids_are_refused_as_malformed(ec2, net):
    code, message, _ = error_of(ec2.describe_network_interfaces, NetworkInterfaceIds=["eni-nothex"])
    assert (code, message) == ("InvalidNetworkInterfaceId.Malformed", 'Invalid id: "eni-nothex" (expecting "eni-...")')
    code, _, _ = error_of(ec2.detach_network_interface, AttachmentId="attach-1")
    assert code == "InvalidNetworkInterfaceAttachmentId.Malformed"


# --- the AWS CLI ----------------------------------------------------------------------------------


@pytest.mark.cli
def test_cli_creates_and_finds_enis(aws, cli, ec2, net):
    instance = launch(aws, net["subnet"])
    created = cli("ec2", "create-network-interface", "--subnet-id", net["subnet"], "--interface-type", "trunk")
    trunk = created["NetworkInterface"]["NetworkInterfaceId"]
    cli(
        "ec2",
        "attach-network-interface",
        "--network-interface-id",
        trunk,
        "--instance-id",
        instance,
        "--device-index",
        "1",
    )
    found = cli("ec2", "describe-network-interfaces", "--filters", f"Name=attachment.instance-id,Values={instance}")[
        "NetworkInterfaces"
    ]
    assert sorted((e["InterfaceType"], e["Attachment"]["DeviceIndex"]) for e in found) == [
        ("interface", 0),
        ("trunk", 1),
    ]
