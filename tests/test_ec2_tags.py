"""CreateTags, DeleteTags, DescribeTags over boto3: all-or-nothing writes, each resource's own
NotFound, DeleteTags' key/value rules, DescribeTags filters and pagination."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from ec2_world import digest, error, new_vpc_id


@pytest.fixture
def world(ec2: Any) -> dict[str, str]:
    vpc_id = new_vpc_id(ec2)
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group_id = ec2.create_security_group(VpcId=vpc_id, GroupName="web", Description="web")["GroupId"]
    return {"vpc": vpc_id, "subnet": subnet_id, "sg": group_id}


def _tags(ec2: Any, **filters: list[str]) -> list[tuple[str, str, str, str]]:
    response = ec2.describe_tags(Filters=[{"Name": k.replace("_", "-"), "Values": v} for k, v in filters.items()])
    return [(t["ResourceId"], t["ResourceType"], t["Key"], t["Value"]) for t in response["Tags"]]


def test_create_tags_on_several_resources(ec2: Any, world: dict[str, str]) -> None:
    ec2.create_tags(
        Resources=list(world.values()), Tags=[{"Key": "env", "Value": "test"}, {"Key": "team", "Value": ""}]
    )
    assert ec2.describe_vpcs(VpcIds=[world["vpc"]])["Vpcs"][0]["Tags"] == [
        {"Key": "env", "Value": "test"},
        {"Key": "team", "Value": ""},
    ]
    assert ec2.describe_subnets(SubnetIds=[world["subnet"]])["Subnets"][0]["Tags"][0] == {"Key": "env", "Value": "test"}
    group = ec2.describe_security_groups(GroupIds=[world["sg"]])["SecurityGroups"][0]
    assert {t["Key"] for t in group["Tags"]} == {"env", "team"}
    ec2.create_tags(Resources=[world["vpc"]], Tags=[{"Key": "env", "Value": "prod"}])
    assert _tags(ec2, resource_id=[world["vpc"]]) == [
        (world["vpc"], "vpc", "env", "prod"),
        (world["vpc"], "vpc", "team", ""),
    ]


def test_tagging_keeps_the_records_indexes(ec2: Any, world: dict[str, str]) -> None:
    ec2.create_tags(Resources=[world["subnet"], world["sg"]], Tags=[{"Key": "a", "Value": "b"}])
    with pytest.raises(ClientError) as caught:
        ec2.delete_vpc(VpcId=world["vpc"])
    assert error(caught)[0] == "DependencyViolation"
    found = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [world["vpc"]]}])["SecurityGroups"]
    assert world["sg"] in {g["GroupId"] for g in found}


def test_unknown_resource_is_its_own_not_found_and_nothing_changes(
    ec2: Any, world: dict[str, str], server: Any
) -> None:
    before = digest(server)
    cases = [
        ("vpc-0123456789abcdef0", "InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist"),
        (
            "subnet-0123456789abcdef0",
            "InvalidSubnetID.NotFound",
            "The subnet ID 'subnet-0123456789abcdef0' does not exist",
        ),
        ("sg-0123456789abcdef0", "InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist"),
    ]
    for missing, code, message in cases:
        for call in (ec2.create_tags, ec2.delete_tags):
            with pytest.raises(ClientError) as caught:
                call(Resources=[world["vpc"], missing], Tags=[{"Key": "x", "Value": "y"}])
            assert error(caught) == (code, message, 400)
    for malformed in ("vpc-zz", "banana"):
        with pytest.raises(ClientError) as caught:
            ec2.create_tags(Resources=[malformed], Tags=[{"Key": "x", "Value": "y"}])
        assert error(caught) == ("InvalidID", f"The ID '{malformed}' is not valid", 400)
    assert digest(server) == before


def test_every_taggable_kind_has_its_own_not_found_and_forms_are_checked_first(
    ec2: Any, world: dict[str, str], server: Any
) -> None:
    before = digest(server)
    cases = [
        ("i-0123456789abcdef0", "InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist"),
        (
            "eni-0123456789abcdef0",
            "InvalidNetworkInterfaceID.NotFound",
            "The networkInterface ID 'eni-0123456789abcdef0' does not exist",
        ),
        (
            "trunk-assoc-0123456789abcdef0",
            "InvalidAssociationID.NotFound",
            "The association ID 'trunk-assoc-0123456789abcdef0' does not exist",
        ),
    ]
    for missing, code, message in cases:
        with pytest.raises(ClientError) as caught:
            ec2.create_tags(Resources=[world["vpc"], missing], Tags=[{"Key": "x", "Value": "y"}])
        assert error(caught) == (code, message, 400)
    with pytest.raises(ClientError) as caught:  # a bad id anywhere in the list wins over a missing one
        ec2.create_tags(Resources=["vpc-0123456789abcdef0", "banana"], Tags=[{"Key": "x", "Value": "y"}])
    assert error(caught) == ("InvalidID", "The ID 'banana' is not valid", 400)
    assert digest(server) == before


def test_reserved_aws_prefix(ec2: Any, world: dict[str, str], server: Any) -> None:
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        ec2.create_tags(Resources=[world["vpc"]], Tags=[{"Key": "aws:owner", "Value": "me"}])
    assert error(caught)[0] == "InvalidParameterValue"
    assert digest(server) == before


def test_delete_tags_by_key_by_pair_and_all(ec2: Any, world: dict[str, str]) -> None:
    vpc = world["vpc"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": k, "Value": "1"} for k in ("a", "b", "c", "d")])
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "a"}])  # any value
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "b", "Value": "2"}])  # value differs: kept
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "c", "Value": "1"}])
    assert [k for _, _, k, _ in _tags(ec2, resource_id=[vpc])] == ["b", "d"]
    ec2.delete_tags(Resources=[vpc])
    assert _tags(ec2, resource_id=[vpc]) == []


def test_describe_tags_filters(ec2: Any, world: dict[str, str]) -> None:
    ec2.create_tags(Resources=[world["vpc"], world["subnet"]], Tags=[{"Key": "env", "Value": "test"}])
    ec2.create_tags(Resources=[world["sg"]], Tags=[{"Key": "tier", "Value": "web"}])
    assert _tags(ec2, resource_type=["subnet"]) == [(world["subnet"], "subnet", "env", "test")]
    assert _tags(ec2, resource_type=["security-group"]) == [(world["sg"], "security-group", "tier", "web")]
    assert {r for r, _, _, _ in _tags(ec2, key=["env"])} == {world["vpc"], world["subnet"]}
    assert _tags(ec2, value=["w*"]) == [(world["sg"], "security-group", "tier", "web")]
    assert _tags(ec2, resource_id=["vpc-0123456789abcdef0"]) == []
    with pytest.raises(ClientError) as caught:
        ec2.describe_tags(Filters=[{"Name": "colour", "Values": ["red"]}])
    assert error(caught) == ("InvalidParameterValue", "The filter 'colour' is invalid", 400)


def test_describe_tags_pagination(ec2: Any, world: dict[str, str]) -> None:
    ec2.create_tags(Resources=list(world.values()), Tags=[{"Key": f"k{n}", "Value": str(n)} for n in range(4)])
    seen: list[tuple[str, str]] = []
    kwargs: dict[str, Any] = {"MaxResults": 5}
    pages = 0
    while True:
        response = ec2.describe_tags(**kwargs)
        pages += 1
        seen.extend((t["ResourceId"], t["Key"]) for t in response["Tags"])
        if "NextToken" not in response:
            break
        kwargs["NextToken"] = response["NextToken"]
    assert pages == 3
    assert len(seen) == len(set(seen)) == 12
    assert seen == sorted(seen)


def test_describe_tags_page_size_is_checked_by_ec2_not_the_model(ec2: Any) -> None:
    """DescribeTags' model has no range on MaxResults; EC2's own check answers in the same words."""
    with pytest.raises(ClientError) as caught:
        ec2.describe_tags(MaxResults=1001)
    assert error(caught) == (
        "InvalidParameterValue",
        "Value ( 1001 ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.",
        400,
    )


def test_an_ami_describe_images_lists_can_be_tagged(ec2: Any, server: Any) -> None:
    """CreateTags on an AMI answered InvalidAMIID.NotFound: its kind named a store kind nothing wrote."""
    image_id = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    ec2.create_tags(Resources=[image_id], Tags=[{"Key": "use", "Value": "ecs"}])
    image = ec2.describe_images(ImageIds=[image_id])["Images"][0]
    assert image["Tags"] == [{"Key": "use", "Value": "ecs"}]
    assert _tags(ec2, resource_type=["image"]) == [(image_id, "image", "use", "ecs")]
    tagged = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "tag:use", "Values": ["ecs"]}])["Images"]
    assert [i["ImageId"] for i in tagged] == [image_id]
    ec2.delete_tags(Resources=[image_id], Tags=[{"Key": "use"}])
    assert "Tags" not in ec2.describe_images(ImageIds=[image_id])["Images"][0]
    assert _tags(ec2, resource_id=[image_id]) == []


def test_an_unknown_ami_is_not_found_and_nothing_changes(ec2: Any, server: Any) -> None:
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        ec2.create_tags(Resources=["ami-0123456789abcdef0"], Tags=[{"Key": "x", "Value": "y"}])
    assert error(caught) == ("InvalidAMIID.NotFound", "The image id '[ami-0123456789abcdef0]' does not exist", 400)
    assert digest(server) == before


def _ingress_rule(ec2: Any, group_id: str, port: int = 443) -> str:
    answer = ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
    )
    return str(answer["SecurityGroupRules"][0]["SecurityGroupRuleId"])


def _rule_tags(ec2: Any, rule_id: str) -> list[dict[str, str]]:
    (rule,) = ec2.describe_security_group_rules(SecurityGroupRuleIds=[rule_id])["SecurityGroupRules"]
    return list(rule["Tags"])


def test_security_group_rules_are_tagged_untagged_and_described(ec2: Any, world: dict[str, str]) -> None:
    """EC2 tags security group rules (resource type `security-group-rule`), as Terraform's
    aws_vpc_security_group_ingress_rule does after creating one."""
    rule_id = _ingress_rule(ec2, world["sg"])
    other = _ingress_rule(ec2, world["sg"], 80)
    ec2.create_tags(Resources=[rule_id, world["vpc"]], Tags=[{"Key": "Name", "Value": "https"}])
    ec2.create_tags(Resources=[rule_id], Tags=[{"Key": "team", "Value": "web"}])
    assert _rule_tags(ec2, rule_id) == [{"Key": "Name", "Value": "https"}, {"Key": "team", "Value": "web"}]
    assert _rule_tags(ec2, other) == []
    assert _tags(ec2, resource_id=[rule_id]) == [
        (rule_id, "security-group-rule", "Name", "https"),
        (rule_id, "security-group-rule", "team", "web"),
    ]
    assert _tags(ec2, resource_type=["security-group-rule"], key=["Name"]) == [
        (rule_id, "security-group-rule", "Name", "https")
    ]
    ec2.delete_tags(Resources=[rule_id], Tags=[{"Key": "team"}])
    assert _tags(ec2, resource_id=[rule_id]) == [(rule_id, "security-group-rule", "Name", "https")]
    # the group's own tags and rules are untouched
    group = ec2.describe_security_groups(GroupIds=[world["sg"]])["SecurityGroups"][0]
    assert group.get("Tags", []) == [] and len(group["IpPermissions"]) == 2


def test_an_unknown_security_group_rule_is_not_found_and_nothing_changes(
    ec2: Any, world: dict[str, str], server: Any, cli: Any
) -> None:
    rule_id = _ingress_rule(ec2, world["sg"])
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        ec2.create_tags(Resources=[rule_id, "sgr-0123456789abcdef0"], Tags=[{"Key": "x", "Value": "y"}])
    assert error(caught) == (
        "InvalidSecurityGroupRuleId.NotFound",
        "The security group rule ID 'sgr-0123456789abcdef0' does not exist",
        400,
    )
    assert digest(server) == before
    cli("ec2", "create-tags", "--resources", rule_id, "--tags", "Key=env,Value=cli")
    shown = cli("ec2", "describe-tags", "--filters", f"Name=resource-id,Values={rule_id}")
    assert shown["Tags"] == [
        {"Key": "env", "ResourceId": rule_id, "ResourceType": "security-group-rule", "Value": "cli"}
    ]
