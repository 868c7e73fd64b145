"""Security groups over boto3: creation rules, rules round trips (authorize/revoke, ingress and
egress), Describe filters and pagination, deletion and its refusals, exact errors."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, CliError
from ec2_world import default_group, digest, error, new_vpc_id

# These tests list everything the account has and expect only what they made: they run in an
# account without AWS's default VPC (test_ec2_default_vpc.py covers that one).
pytestmark = pytest.mark.usefixtures("empty_account")

MISSING = "sg-0123456789abcdef0"
ALL_OUT = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "PrefixListIds": []}


@pytest.fixture
def vpc_id(ec2: Any) -> str:
    return new_vpc_id(ec2)


def _group(ec2: Any, vpc_id: str, name: str = "web", **kwargs: Any) -> str:
    return str(
        ec2.create_security_group(VpcId=vpc_id, GroupName=name, Description=f"{name} servers", **kwargs)["GroupId"]
    )


def _describe(ec2: Any, group_id: str) -> dict[str, Any]:
    group: dict[str, Any] = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    return group


# --- CreateSecurityGroup ----------------------------------------------------------------------------


def test_new_group_allows_all_egress_and_no_ingress(ec2: Any, vpc_id: str) -> None:
    tags = [{"ResourceType": "security-group", "Tags": [{"Key": "tier", "Value": "web"}]}]
    response = ec2.create_security_group(
        VpcId=vpc_id, GroupName="web", Description="web servers", TagSpecifications=tags
    )
    group_id = response["GroupId"]
    assert group_id.startswith("sg-") and len(group_id) == 20
    assert response["SecurityGroupArn"] == f"arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/{group_id}"
    assert response["Tags"] == [{"Key": "tier", "Value": "web"}]
    group = _describe(ec2, group_id)
    assert (group["GroupName"], group["Description"], group["VpcId"], group["OwnerId"]) == (
        "web",
        "web servers",
        vpc_id,
        ACCOUNT,
    )
    assert group["IpPermissions"] == []
    assert group["IpPermissionsEgress"] == [{**ALL_OUT, "UserIdGroupPairs": []}]
    assert group["Tags"] == [{"Key": "tier", "Value": "web"}]


def test_duplicate_name_in_the_same_vpc(ec2: Any, vpc_id: str, server: Any) -> None:
    _group(ec2, vpc_id)
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        _group(ec2, vpc_id)
    assert error(caught) == (
        "InvalidGroup.Duplicate",
        f"The security group 'web' already exists for VPC '{vpc_id}'",
        400,
    )
    assert digest(server) == before
    other = new_vpc_id(ec2, "10.1.0.0/16")
    assert _group(ec2, other).startswith("sg-")


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("default", "InvalidParameterValue", "Cannot use reserved security group name: default"),
        (
            "sg-web",
            "InvalidParameterValue",
            "Value (sg-web) for parameter GroupName is invalid. Group names may not be in the format sg-*.",
        ),
    ],
)
def test_refused_names(ec2: Any, vpc_id: str, name: str, code: str, message: str) -> None:
    with pytest.raises(ClientError) as caught:
        _group(ec2, vpc_id, name)
    assert error(caught) == (code, message, 400)


def test_group_needs_a_vpc(ec2: Any) -> None:
    with pytest.raises(ClientError) as caught:
        ec2.create_security_group(GroupName="web", Description="web")
    assert error(caught) == ("VPCIdNotSpecified", "No default VPC for this user", 400)
    with pytest.raises(ClientError) as caught:
        ec2.create_security_group(GroupName="web", Description="web", VpcId="vpc-0123456789abcdef0")
    assert error(caught) == ("InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist", 400)


# --- rules ------------------------------------------------------------------------------------------


def test_ingress_rules_round_trip(ec2: Any, vpc_id: str) -> None:
    group_id = _group(ec2, vpc_id)
    peer_id = _group(ec2, vpc_id, "app")
    response = ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "https"}, {"CidrIp": "10.0.0.0/8"}],
                "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
            },
            {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "UserIdGroupPairs": [{"GroupId": peer_id}]},
        ],
    )
    assert response["Return"] is True
    rules = response["SecurityGroupRules"]
    assert len(rules) == 4
    assert all(r["SecurityGroupRuleId"].startswith("sgr-") for r in rules)
    assert len({r["SecurityGroupRuleId"] for r in rules}) == 4
    assert all(r["GroupId"] == group_id and r["GroupOwnerId"] == ACCOUNT and r["IsEgress"] is False for r in rules)
    assert rules[0]["CidrIpv4"] == "0.0.0.0/0" and rules[0]["Description"] == "https"
    assert (rules[0]["IpProtocol"], rules[0]["FromPort"], rules[0]["ToPort"]) == ("tcp", 443, 443)
    assert rules[3]["ReferencedGroupInfo"] == {"GroupId": peer_id, "UserId": ACCOUNT}
    assert _describe(ec2, group_id)["IpPermissions"] == [
        {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "https"}, {"CidrIp": "10.0.0.0/8"}],
            "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
            "PrefixListIds": [],
            "UserIdGroupPairs": [],
        },
        {
            "IpProtocol": "udp",
            "FromPort": 53,
            "ToPort": 53,
            "IpRanges": [],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [{"GroupId": peer_id, "UserId": ACCOUNT}],
        },
    ]
    ec2.revoke_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
    )
    [https, _] = _describe(ec2, group_id)["IpPermissions"]
    assert https["IpRanges"] == [{"CidrIp": "0.0.0.0/0", "Description": "https"}]


def test_protocol_numbers_and_names_are_the_same_rule(ec2: Any, vpc_id: str) -> None:
    group_id = _group(ec2, vpc_id)
    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[{"IpProtocol": "6", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "1.2.3.4/32"}]}],
    )
    assert _describe(ec2, group_id)["IpPermissions"][0]["IpProtocol"] == "tcp"
    with pytest.raises(ClientError) as caught:
        ec2.authorize_security_group_ingress(
            GroupId=group_id, IpProtocol="tcp", FromPort=22, ToPort=22, CidrIp="1.2.3.4/32"
        )
    assert error(caught) == (
        "InvalidPermission.Duplicate",
        'the specified rule "peer: 1.2.3.4/32, TCP, from port: 22, to port: 22, ALLOW" already exists',
        400,
    )


def test_duplicate_rule_changes_nothing(ec2: Any, vpc_id: str, server: Any) -> None:
    group_id = _group(ec2, vpc_id)
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        ec2.authorize_security_group_egress(
            GroupId=group_id,
            IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
                {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
            ],
        )
    assert error(caught) == (
        "InvalidPermission.Duplicate",
        'the specified rule "peer: 0.0.0.0/0, ALL, ALLOW" already exists',
        400,
    )
    assert digest(server) == before


def test_egress_rules_round_trip(ec2: Any, vpc_id: str) -> None:
    group_id = _group(ec2, vpc_id)
    ec2.revoke_security_group_egress(
        GroupId=group_id, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    assert _describe(ec2, group_id)["IpPermissionsEgress"] == []
    rules = ec2.authorize_security_group_egress(
        GroupId=group_id,
        IpPermissions=[{"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}],
    )["SecurityGroupRules"]
    assert rules[0]["IsEgress"] is True
    assert _describe(ec2, group_id)["IpPermissionsEgress"] == [
        {
            "IpProtocol": "icmp",
            "FromPort": 8,
            "ToPort": -1,
            "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [],
        }
    ]
    ec2.revoke_security_group_egress(GroupId=group_id, SecurityGroupRuleIds=[rules[0]["SecurityGroupRuleId"]])
    assert _describe(ec2, group_id)["IpPermissionsEgress"] == []


def test_revoking_a_missing_rule(ec2: Any, vpc_id: str, server: Any) -> None:
    group_id = _group(ec2, vpc_id)
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        ec2.revoke_security_group_ingress(
            GroupId=group_id,
            IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )
    assert error(caught) == (
        "InvalidPermission.NotFound",
        "The specified rule does not exist in this security group.",
        400,
    )
    assert digest(server) == before


def test_rule_errors(ec2: Any, vpc_id: str, server: Any) -> None:
    group_id = _group(ec2, vpc_id)
    before = digest(server)
    bad = [
        ({"IpProtocol": "tcp", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}, "InvalidParameterValue"),
        (
            {"IpProtocol": "tcp", "FromPort": 90, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
            "InvalidParameterValue",
        ),
        ({"IpProtocol": "bogus", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}, "InvalidParameterValue"),
        (
            {"IpProtocol": "tcp", "FromPort": 1, "ToPort": 2, "IpRanges": [{"CidrIp": "300.0.0.0/8"}]},
            "InvalidParameterValue",
        ),
        ({"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": MISSING}]}, "InvalidGroup.NotFound"),
    ]
    for permission, code in bad:
        with pytest.raises(ClientError) as caught:
            ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[permission])
        assert error(caught)[0] == code, permission
    assert digest(server) == before


# --- Describe --------------------------------------------------------------------------------------


def test_unknown_group_in_every_call(ec2: Any, vpc_id: str, server: Any) -> None:
    _group(ec2, vpc_id)
    before = digest(server)
    calls = [
        lambda: ec2.describe_security_groups(GroupIds=[MISSING]),
        lambda: ec2.delete_security_group(GroupId=MISSING),
        lambda: ec2.authorize_security_group_ingress(GroupId=MISSING, IpProtocol="-1", CidrIp="0.0.0.0/0"),
        lambda: ec2.authorize_security_group_egress(
            GroupId=MISSING, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
        ),
        lambda: ec2.revoke_security_group_ingress(GroupId=MISSING, IpProtocol="-1", CidrIp="0.0.0.0/0"),
        lambda: ec2.revoke_security_group_egress(
            GroupId=MISSING, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
        ),
    ]
    for call in calls:
        with pytest.raises(ClientError) as caught:
            call()
        assert error(caught) == ("InvalidGroup.NotFound", f"The security group '{MISSING}' does not exist", 400)
    with pytest.raises(ClientError) as caught:
        ec2.describe_security_groups(GroupIds=["web"])
    assert error(caught) == ("InvalidGroupId.Malformed", 'Invalid id: "web" (expecting "sg-...")', 400)
    with pytest.raises(ClientError) as caught:
        ec2.describe_security_groups(GroupNames=["web"])
    assert error(caught) == (
        "InvalidGroup.NotFound",
        "The security group 'web' does not exist in default VPC 'none'",
        400,
    )
    assert digest(server) == before


def test_describe_filters(ec2: Any, vpc_id: str) -> None:
    web = _group(
        ec2,
        vpc_id,
        "web",
        TagSpecifications=[{"ResourceType": "security-group", "Tags": [{"Key": "tier", "Value": "front"}]}],
    )
    db = _group(ec2, vpc_id, "db")
    default = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][
        0
    ]["GroupId"]

    def ids(name: str, *values: str) -> set[str]:
        found = ec2.describe_security_groups(Filters=[{"Name": name, "Values": list(values)}])["SecurityGroups"]
        return {g["GroupId"] for g in found}

    assert ids("vpc-id", vpc_id) == {web, db, default}
    assert ids("group-name", "web", "db") == {web, db}
    assert ids("group-id", db) == {db}
    assert ids("description", "web servers") == {web}
    assert ids("description", "*servers") == {web, db}
    assert ids("owner-id", ACCOUNT) == {web, db, default}
    assert ids("tag:tier", "front") == {web}
    assert ids("tag-key", "tier") == {web}


def test_pagination_visits_every_group_once(ec2: Any, vpc_id: str) -> None:
    created = {_group(ec2, vpc_id, f"g{n}") for n in range(8)}
    seen: list[str] = []
    kwargs: dict[str, Any] = {"MaxResults": 5, "Filters": [{"Name": "vpc-id", "Values": [vpc_id]}]}
    while True:
        response = ec2.describe_security_groups(**kwargs)
        seen.extend(g["GroupId"] for g in response["SecurityGroups"])
        if "NextToken" not in response:
            break
        kwargs["NextToken"] = response["NextToken"]
    assert len(seen) == len(set(seen)) == 9
    assert created < set(seen)


# --- DeleteSecurityGroup ----------------------------------------------------------------------------


def test_default_group_cannot_be_deleted(ec2: Any, vpc_id: str, server: Any) -> None:
    default = default_group(ec2, vpc_id)
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        ec2.delete_security_group(GroupId=default)
    assert error(caught) == (
        "CannotDelete",
        f'the specified group: "{default}" name: "default" cannot be deleted by a user',
        400,
    )
    assert digest(server) == before


def test_group_in_use_cannot_be_deleted(ec2: Any, vpc_id: str, server: Any) -> None:
    group_id = _group(ec2, vpc_id)
    referrer = _group(ec2, vpc_id, "app")
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    eni_id = ec2.create_network_interface(SubnetId=subnet_id, Groups=[group_id])["NetworkInterface"][
        "NetworkInterfaceId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=referrer, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group_id}]}]
    )
    dependency = ("DependencyViolation", f"resource {group_id} has a dependent object", 400)
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        ec2.delete_security_group(GroupId=group_id)
    assert error(caught) == dependency
    assert digest(server) == before
    ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    with pytest.raises(ClientError) as caught:
        ec2.delete_security_group(GroupId=group_id)
    assert error(caught) == dependency  # still referenced by the other group's rule
    ec2.revoke_security_group_ingress(
        GroupId=referrer, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group_id}]}]
    )
    response = ec2.delete_security_group(GroupId=group_id)
    assert (response["Return"], response["GroupId"]) == (True, group_id)
    with pytest.raises(ClientError) as caught:
        _describe(ec2, group_id)
    assert error(caught)[0] == "InvalidGroup.NotFound"


def test_authorize_tags_the_new_rules(ec2: Any, server: Any) -> None:
    """AuthorizeSecurityGroupIngress/Egress TagSpecifications (resource type
    `security-group-rule`) tag the rules they add; they used to be dropped (found through the AWS
    SDK for JavaScript). Another resource type is refused."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="tagged", Description="t", VpcId=vpc)["GroupId"]
    spec = [{"ResourceType": "security-group-rule", "Tags": [{"Key": "purpose", "Value": "ssh"}]}]
    added = ec2.authorize_security_group_ingress(
        GroupId=group, IpProtocol="tcp", FromPort=22, ToPort=22, CidrIp="10.1.0.0/16", TagSpecifications=spec
    )["SecurityGroupRules"]
    assert [r["Tags"] for r in added] == [[{"Key": "purpose", "Value": "ssh"}]]
    (shown,) = ec2.describe_security_group_rules(SecurityGroupRuleIds=[added[0]["SecurityGroupRuleId"]])[
        "SecurityGroupRules"
    ]
    assert shown["Tags"] == [{"Key": "purpose", "Value": "ssh"}]
    egress = ec2.authorize_security_group_egress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.2.0.0/16"}]}],
        TagSpecifications=spec,
    )["SecurityGroupRules"]
    assert egress[0]["Tags"] == [{"Key": "purpose", "Value": "ssh"}]
    before = digest(server)
    with pytest.raises(ClientError) as refused:
        ec2.authorize_security_group_ingress(
            GroupId=group,
            IpProtocol="tcp",
            FromPort=80,
            ToPort=80,
            CidrIp="10.3.0.0/16",
            TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}],
        )
    assert error(refused) == (
        "InvalidParameterValue",
        "'vpc' is not a valid taggable resource type for this operation.",
        400,
    )
    assert digest(server) == before


# --- prefix lists -----------------------------------------------------------------------------------

S3_LIST = "pl-63a5400a"  # EC2's id of com.amazonaws.us-east-1.s3


def test_the_regions_aws_managed_prefix_lists_are_described(ec2: Any) -> None:
    lists = ec2.describe_prefix_lists()["PrefixLists"]
    assert [(p["PrefixListId"], p["PrefixListName"]) for p in lists] == [
        ("pl-02cd2c6b", "com.amazonaws.us-east-1.dynamodb"),
        (S3_LIST, "com.amazonaws.us-east-1.s3"),
    ]
    assert all(p["Cidrs"] for p in lists)
    by_name = ec2.describe_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.us-east-1.s3"]}]
    )
    assert [p["PrefixListId"] for p in by_name["PrefixLists"]] == [S3_LIST]
    (managed,) = ec2.describe_managed_prefix_lists(PrefixListIds=[S3_LIST])["PrefixLists"]
    assert managed == {
        "PrefixListId": S3_LIST,
        "AddressFamily": "IPv4",
        "State": "create-complete",
        "PrefixListArn": f"arn:aws:ec2:us-east-1:aws:prefix-list/{S3_LIST}",
        "PrefixListName": "com.amazonaws.us-east-1.s3",
        "Tags": [],
        "OwnerId": "AWS",
    }
    entries = ec2.get_managed_prefix_list_entries(PrefixListId=S3_LIST)["Entries"]
    assert {e["Cidr"] for e in entries} == set(lists[1]["Cidrs"])
    with pytest.raises(ClientError) as caught:
        ec2.describe_managed_prefix_lists(PrefixListIds=["pl-0123456789abcdef0"])
    assert error(caught) == (
        "InvalidPrefixListID.NotFound",
        "The prefix list ID 'pl-0123456789abcdef0' does not exist",
        400,
    )


def test_a_rule_may_name_an_aws_managed_prefix_list(ec2: Any, vpc_id: str) -> None:
    group_id = _group(ec2, vpc_id)
    answer = ec2.authorize_security_group_egress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "PrefixListIds": [{"PrefixListId": S3_LIST, "Description": "s3"}],
            }
        ],
    )
    assert answer["SecurityGroupRules"][0]["PrefixListId"] == S3_LIST
    egress = _describe(ec2, group_id)["IpPermissionsEgress"]
    assert egress[1]["PrefixListIds"] == [{"PrefixListId": S3_LIST, "Description": "s3"}]


def test_a_rule_naming_an_unknown_prefix_list_is_refused(ec2: Any, vpc_id: str, server: Any, cli: Any) -> None:
    group_id = _group(ec2, vpc_id)
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        ec2.authorize_security_group_ingress(
            GroupId=group_id,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 22,
                    "ToPort": 22,
                    "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
                    "PrefixListIds": [{"PrefixListId": "pl-0123456789abcdef0"}],
                }
            ],
        )
    assert error(caught) == (
        "InvalidPrefixListID.NotFound",
        "The prefix list ID 'pl-0123456789abcdef0' does not exist",
        400,
    )
    assert digest(server) == before
    with pytest.raises(CliError) as refused:
        cli(
            "ec2",
            "authorize-security-group-egress",
            "--group-id",
            group_id,
            "--ip-permissions",
            "IpProtocol=tcp,FromPort=443,ToPort=443,PrefixListIds=[{PrefixListId=pl-12345678}]",
        )
    assert (
        "An error occurred (InvalidPrefixListID.NotFound) when calling the AuthorizeSecurityGroupEgress operation: "
        "The prefix list ID 'pl-12345678' does not exist"
    ) in refused.value.stderr
    assert digest(server) == before
