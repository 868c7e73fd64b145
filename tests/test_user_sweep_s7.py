"""What a new ECS-on-EC2 user hit off the README's beaten path (session 7 sweep), each pinned to
AWS's documented or observed answer: boto3 and the AWS CLI against a real server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import CliError, Server, make_cli
from ec2_world import digest, error_of

CLUSTER = "sweep"


@pytest.fixture
def ecs(server: Server) -> Any:
    client = server.client("ecs")
    client.create_cluster(clusterName=CLUSTER)
    return client


def a_service(ecs: Any, name: str = "web") -> str:
    family = ecs.register_task_definition(
        family="web", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128}]
    )["taskDefinition"]["taskDefinitionArn"]
    answer = ecs.create_service(cluster=CLUSTER, serviceName=name, taskDefinition=family, desiredCount=0)
    return str(answer["service"]["serviceArn"])


# --- ListTasks filters --------------------------------------------------------------------------------


def test_list_tasks_for_a_service_the_cluster_lacks_is_service_not_found(server: Server, ecs: Any, tmp_path: Path):
    """ECS answers `ServiceNotFoundException: Service not found.` (HTTP 400) to ListTasks naming a
    service that does not exist (turbot/steampipe-plugin-aws#1415); one that exists lists its tasks,
    named by its name or its ARN."""
    assert error_of(lambda: ecs.list_tasks(cluster=CLUSTER, serviceName="nope")) == (
        "ServiceNotFoundException",
        "Service not found.",
        400,
    )
    arn = a_service(ecs)
    assert ecs.list_tasks(cluster=CLUSTER, serviceName="web")["taskArns"] == []
    assert ecs.list_tasks(cluster=CLUSTER, serviceName=arn, desiredStatus="STOPPED")["taskArns"] == []
    with pytest.raises(CliError) as caught:
        make_cli(server.url, tmp_path)("ecs", "list-tasks", "--cluster", CLUSTER, "--service-name", "api")
    assert "(ServiceNotFoundException) when calling the ListTasks operation: Service not found." in caught.value.stderr


@pytest.mark.parametrize(
    ("filters", "alone"),
    [
        ({"startedBy": "ci", "family": "web"}, "startedBy"),
        ({"startedBy": "ci", "launchType": "EC2"}, "startedBy"),
        ({"startedBy": "ci", "containerInstance": "f" * 32}, "startedBy"),
        ({"startedBy": "ci", "serviceName": "web"}, "startedBy"),
        ({"serviceName": "web", "family": "web"}, "serviceName"),
        ({"serviceName": "web", "containerInstance": "f" * 32}, "serviceName"),
    ],
)
def test_list_tasks_refuses_started_by_or_service_name_with_other_filters(
    ecs: Any, filters: dict[str, str], alone: str
):
    """The API reference: "When you specify startedBy as the filter, it must be the only filter that
    you use"; ECS's texts are "cannot specify startedBy with other arguments" (aws/aws-sdk-go-v2#1893)
    and "cannot specify serviceName with other arguments" (boto/boto3#874)."""
    a_service(ecs)
    assert error_of(lambda: ecs.list_tasks(cluster=CLUSTER, **filters)) == (
        "InvalidParameterException",
        f"cannot specify {alone} with other arguments",
        400,
    )


def test_list_tasks_takes_desired_status_beside_started_by_or_a_service(ecs: Any):
    """desiredStatus always applies (RUNNING when omitted), so it is not one of the "other arguments"
    (docs/decisions.md)."""
    a_service(ecs)
    assert ecs.list_tasks(cluster=CLUSTER, startedBy="ci", desiredStatus="STOPPED")["taskArns"] == []
    assert (
        ecs.list_tasks(cluster=CLUSTER, serviceName="web", desiredStatus="RUNNING", launchType="EC2")["taskArns"] == []
    )


# --- DescribeNetworkInterfaces -----------------------------------------------------------------------


def test_describe_network_interfaces_refuses_ids_with_max_results(server: Server, tmp_path: Path):
    """DescribeNetworkInterfaces' MaxResults: "You cannot specify this parameter and the network
    interface IDs parameter in the same request": InvalidParameterCombination, as EC2 answers it
    for DescribeInstances; ids alone, or MaxResults alone, still work."""
    ec2 = server.client("ec2")
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    assert error_of(lambda: ec2.describe_network_interfaces(NetworkInterfaceIds=[eni], MaxResults=5)) == (
        "InvalidParameterCombination",
        "The parameter networkInterfaceIdSet cannot be used with the parameter maxResults",
        400,
    )
    assert [
        n["NetworkInterfaceId"] for n in ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"]
    ] == [eni]
    assert len(ec2.describe_network_interfaces(MaxResults=5)["NetworkInterfaces"]) == 1
    cli = make_cli(server.url, tmp_path)
    with pytest.raises(CliError) as caught:
        cli("ec2", "describe-network-interfaces", "--network-interface-ids", eni, "--page-size", "5")
    assert "(InvalidParameterCombination)" in caught.value.stderr


# --- messages that showed Python's None ----------------------------------------------------------------


def test_a_tag_without_a_key_is_a_null_value_and_changes_nothing(server: Server, ecs: Any):
    """A tag with no key (the model does not mark `key` required, so boto3 sends it): Coral's words
    for a missing value are `Value null at '…'`, never Python's 'None'; nothing is tagged."""
    arn = ecs.describe_clusters(clusters=[CLUSTER])["clusters"][0]["clusterArn"]
    before = digest(server)
    assert error_of(lambda: ecs.tag_resource(resourceArn=arn, tags=[{"key": "ok", "value": "1"}, {"value": "v"}])) == (
        "InvalidParameterException",
        "1 validation error detected: Value null at 'tags.2.member.key' failed to satisfy constraint: "
        "Member must not be null",
        400,
    )
    assert digest(server) == before and ecs.list_tags_for_resource(resourceArn=arn)["tags"] == []


@pytest.mark.parametrize("kind", ["spread", "binpack"])
def test_a_strategy_without_its_field_says_so(server: Server, ecs: Any, kind: str):
    """spread and binpack need a `field`; the refusal names what is missing (it said
    "Invalid field 'None'") and starts no task."""
    ecs.register_task_definition(family="web", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128}])
    before = digest(server)
    assert error_of(
        lambda: ecs.run_task(cluster=CLUSTER, taskDefinition="web", placementStrategy=[{"type": kind}])
    ) == (
        "InvalidParameterException",
        f"A field must be specified for the {kind} placement strategy.",
        400,
    )
    assert digest(server) == before


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (
            "placementConstraints",
            "A type must be specified for each placement constraint: use memberOf or distinctInstance.",
        ),
        ("placementStrategy", "A type must be specified for each placement strategy: use random, spread or binpack."),
    ],
)
def test_a_placement_entry_without_a_type_says_so(server: Server, ecs: Any, member: str, message: str):
    ecs.register_task_definition(family="web", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128}])
    before = digest(server)
    given: dict[str, Any] = {member: [{}]}
    assert error_of(lambda: ecs.run_task(cluster=CLUSTER, taskDefinition="web", **given)) == (
        "InvalidParameterException",
        message,
        400,
    )
    assert digest(server) == before


# --- EC2 TagSpecifications without a resource type ------------------------------------------------------


def test_a_tag_specification_without_a_resource_type_is_refused_as_ec2_words_it(server: Server, tmp_path: Path):
    """EC2's answer to a TagSpecification that names no ResourceType: InvalidParameterValue "Tag
    specification resource type must have a value" (yegor256/rultor#1991); inside launch template
    data, InvalidTagSpecification.Malformed "The resource type cannot be null or empty."
    (awsdocs/aws-cloudformation-user-guide#634). It printed "'None' is not a valid taggable
    resource type". Nothing is created."""
    ec2 = server.client("ec2", validate=False)
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    bare = [{"Tags": [{"Key": "team", "Value": "blue"}]}]
    expected = ("InvalidParameterValue", "Tag specification resource type must have a value", 400)
    before = digest(server)
    assert error_of(lambda: ec2.create_network_interface(SubnetId=subnet, TagSpecifications=bare)) == expected
    assert error_of(lambda: ec2.create_security_group(GroupName="g", Description="d", TagSpecifications=bare)) == (
        expected
    )
    image = server.client("ssm").get_parameter(
        Name="/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
    )["Parameter"]["Value"]
    launch = {"ImageId": image, "InstanceType": "c5.large", "MinCount": 1, "MaxCount": 1}
    assert error_of(lambda: ec2.run_instances(**launch, TagSpecifications=bare)) == expected
    assert error_of(
        lambda: ec2.create_launch_template(
            LaunchTemplateName="web", LaunchTemplateData={"ImageId": image, "TagSpecifications": bare}
        )
    ) == ("InvalidTagSpecification.Malformed", "The resource type cannot be null or empty.", 400)
    assert digest(server) == before
    with pytest.raises(CliError) as caught:
        make_cli(server.url, tmp_path)(
            "ec2", "create-network-interface", "--subnet-id", subnet, "--tag-specifications", "Tags=[{Key=a,Value=b}]"
        )
    assert "(InvalidParameterValue) when calling the CreateNetworkInterface operation: Tag specification" in (
        caught.value.stderr
    )


# --- documented filters EC2 accepts ------------------------------------------------------------------


def test_documented_network_interface_filters_are_accepted_and_match(server: Server, tmp_path: Path):
    """Filters the DescribeNetworkInterfaces reference lists were refused as "The filter 'X' is
    invalid": the Elastic IP association's ids and address, the zone id, the attach time (as EC2
    writes it), IPv6 addresses and the operator (no ENI here has either)."""
    ec2 = server.client("ec2")
    subnet = ec2.describe_subnets(Filters=[{"Name": "availability-zone", "Values": ["us-east-1a"]}])["Subnets"][0]
    eni = ec2.create_network_interface(SubnetId=subnet["SubnetId"])["NetworkInterface"]["NetworkInterfaceId"]
    other = ec2.create_network_interface(SubnetId=subnet["SubnetId"])["NetworkInterface"]["NetworkInterfaceId"]
    allocation = ec2.allocate_address(Domain="vpc")
    association = ec2.associate_address(AllocationId=allocation["AllocationId"], NetworkInterfaceId=eni)

    def found(name: str, *values: str) -> list[str]:
        answer = ec2.describe_network_interfaces(Filters=[{"Name": name, "Values": list(values)}])
        return sorted(n["NetworkInterfaceId"] for n in answer["NetworkInterfaces"])

    assert found("association.allocation-id", allocation["AllocationId"]) == [eni]
    assert found("association.association-id", association["AssociationId"]) == [eni]
    assert found("addresses.association.public-ip", allocation["PublicIp"]) == [eni]
    assert found("addresses.association.owner-id", "123456789012") == [eni]
    assert found("availability-zone-id", subnet["AvailabilityZoneId"]) == sorted([eni, other])
    assert found("ipv6-addresses.ipv6-address", "*") == []
    assert found("operator.managed", "true") == [] and found("operator.principal", "*") == []
    assert sorted([eni, other]) == [i for i in found("operator.managed", "false") if i in (eni, other)]

    image = server.client("ssm").get_parameter(
        Name="/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
    )["Parameter"]["Value"]
    instance = ec2.run_instances(ImageId=image, InstanceType="c5.large", MinCount=1, MaxCount=1)["Instances"][0]
    primary = instance["NetworkInterfaces"][0]
    when = primary["Attachment"]["AttachTime"]
    written = f"{when:%Y-%m-%dT%H:%M:%S}.{when.microsecond // 1000:03d}Z"
    assert found("attachment.attach-time", written) == [primary["NetworkInterfaceId"]]
    listed = make_cli(server.url, tmp_path)(
        "ec2", "describe-network-interfaces", "--filters", f"Name=attachment.attach-time,Values={written[:4]}-*"
    )["NetworkInterfaces"]
    assert [n["NetworkInterfaceId"] for n in listed] == [primary["NetworkInterfaceId"]]


def test_documented_subnet_filters_are_accepted_and_match(server: Server):
    """DescribeSubnets' documented filters on what its subnets show (DNS64, customer-owned IPs, the
    private DNS name options) match; those on what trunkline's subnets never have (IPv6 blocks,
    Outposts, customer-owned pools, LNIs) match nothing instead of being refused."""
    ec2 = server.client("ec2")
    every = sorted(s["SubnetId"] for s in ec2.describe_subnets()["Subnets"])

    def found(name: str, *values: str) -> list[str]:
        return sorted(
            s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": name, "Values": list(values)}])["Subnets"]
        )

    assert found("enable-dns64", "false") == every and found("enable-dns64", "true") == []
    assert found("map-customer-owned-ip-on-launch", "false") == every
    assert found("private-dns-name-options-on-launch.hostname-type", "ip-name") == every
    assert found("private-dns-name-options-on-launch.enable-resource-name-dns-a-record", "false") == every
    assert found("private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record", "true") == []
    for name in (
        "ipv6-cidr-block-association.ipv6-cidr-block",
        "ipv6-cidr-block-association.association-id",
        "ipv6-cidr-block-association.state",
        "outpost-arn",
        "customer-owned-ipv4-pool",
        "enable-lni-at-device-index",
    ):
        assert found(name, "*") == [], name


# --- malformed EC2 values -------------------------------------------------------------------------------


@pytest.mark.parametrize("device_index", ["abc", "99999999999999999999999", "1.5"])
def test_a_required_ec2_integer_that_is_not_one_is_invalid_not_missing(server: Server, device_index: str):
    """AttachNetworkInterface with a DeviceIndex that is no integer (or too large for one): the
    parameter is there, so the answer is InvalidParameterValue naming its value, not
    MissingParameter "The request must contain the parameter DeviceIndex"."""
    ec2 = server.client("ec2", validate=False)
    before = digest(server)
    assert error_of(
        lambda: ec2.attach_network_interface(
            NetworkInterfaceId="eni-0123456789abcdef0", InstanceId="i-0123456789abcdef0", DeviceIndex=device_index
        )
    ) == (
        "InvalidParameterValue",
        f"Value ({device_index}) for parameter DeviceIndex is invalid. Member must be of type integer",
        400,
    )
    assert (
        error_of(
            lambda: ec2.attach_network_interface(
                NetworkInterfaceId="eni-0123456789abcdef0", InstanceId="i-0123456789abcdef0"
            )
        )[0]
        == "MissingParameter"
    )
    assert digest(server) == before


def test_an_ec2_integer_beyond_32_bits_is_invalid_and_attaches_nothing(server: Server):
    """EC2's Integer is 32 bits: DeviceIndex 99999999999 was accepted and the ENI attached there."""
    ec2 = server.client("ec2", validate=False)
    subnet = ec2.describe_subnets(Filters=[{"Name": "availability-zone", "Values": ["us-east-1a"]}])["Subnets"][0]
    image = server.client("ssm").get_parameter(
        Name="/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
    )["Parameter"]["Value"]
    instance = ec2.run_instances(
        ImageId=image, InstanceType="c5.large", MinCount=1, MaxCount=1, SubnetId=subnet["SubnetId"]
    )["Instances"][0]["InstanceId"]
    eni = ec2.create_network_interface(SubnetId=subnet["SubnetId"])["NetworkInterface"]["NetworkInterfaceId"]
    for index in (2**31, 99999999999, -(2**31) - 1):
        assert error_of(
            lambda index=index: ec2.attach_network_interface(
                NetworkInterfaceId=eni, InstanceId=instance, DeviceIndex=index
            )
        ) == (
            "InvalidParameterValue",
            f"Value ({index}) for parameter DeviceIndex is invalid. Member must be of type integer",
            400,
        )
    assert "Attachment" not in ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]


def test_an_ecs_integer_beyond_32_bits_is_refused_and_registers_nothing(server: Server, ecs: Any):
    """ECS's Integer is 32 bits: a container with memory 2**62 MiB was registered. The JSON reader
    refuses it as it refuses any number its Integer cannot hold."""
    before = digest(server)
    for field in ("memory", "cpu"):
        container = {"name": "app", "image": "nginx", "memory": 128, field: 2**62}
        assert error_of(lambda c=container: ecs.register_task_definition(family="big", containerDefinitions=[c])) == (
            "SerializationException",
            "NUMBER_VALUE can not be converted to an Integer",
            400,
        )
    assert digest(server) == before
    assert ecs.list_task_definitions(familyPrefix="big")["taskDefinitionArns"] == []


def test_documented_instance_filters_on_what_the_answer_shows_are_accepted(server: Server):
    """DescribeInstances' documented filters on fields its answer shows (the zone id, launch time,
    ENA, monitoring, metadata options, the interfaces' owner, address and attach time) were refused
    as "The filter 'X' is invalid"; they match as the answer reads."""
    ec2 = server.client("ec2")
    image = server.client("ssm").get_parameter(
        Name="/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
    )["Parameter"]["Value"]
    launched = ec2.run_instances(ImageId=image, InstanceType="c5.large", MinCount=1, MaxCount=1)["Instances"][0]
    shown = ec2.describe_instances(InstanceIds=[launched["InstanceId"]])["Reservations"][0]["Instances"][0]
    eni = shown["NetworkInterfaces"][0]
    when = shown["LaunchTime"]

    def found(name: str, value: str) -> list[str]:
        answer = ec2.describe_instances(Filters=[{"Name": name, "Values": [value]}])
        return [i["InstanceId"] for r in answer["Reservations"] for i in r["Instances"]]

    expected = [launched["InstanceId"]]
    assert found("availability-zone-id", shown["Placement"]["AvailabilityZoneId"]) == expected
    assert found("launch-time", f"{when:%Y-%m-%dT%H:%M:%S}.{when.microsecond // 1000:03d}Z") == expected
    assert found("launch-time", f"{when:%Y-%m-%d}T*") == expected
    assert found("ena-support", "true") == expected and found("ebs-optimized", "true") == []
    assert found("monitoring-state", "disabled") == expected
    assert found("metadata-options.http-endpoint", shown["MetadataOptions"]["HttpEndpoint"]) == expected
    assert found("network-interface.attachment.instance-id", launched["InstanceId"]) == expected
    assert found("network-interface.owner-id", eni["OwnerId"]) == expected
    assert found("network-interface.private-ip-address", eni["PrivateIpAddress"]) == expected
    assert found("network-interface.availability-zone", shown["Placement"]["AvailabilityZone"]) == expected
    assert found("network-interface.ipv6-address", "*") == [] and found("platform", "windows") == []


@pytest.mark.parametrize("family", ["web:1", "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1", ""])
def test_list_tasks_family_must_be_a_family_name(ecs: Any, family: str):
    """A revision or an ARN given as ListTasks' family: ECS answers InvalidParameterException "family
    must match ^[a-zA-Z0-9\\-_]+$" (awslabs/ecs-task-kite#6, ansible/ansible#32872); it listed
    nothing instead."""
    assert error_of(lambda: ecs.list_tasks(cluster=CLUSTER, family=family)) == (
        "InvalidParameterException",
        "family must match ^[a-zA-Z0-9\\-_]+$",
        400,
    )
    assert ecs.list_tasks(cluster=CLUSTER, family="web_2-x")["taskArns"] == []
