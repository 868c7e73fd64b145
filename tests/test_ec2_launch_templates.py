"""Launch templates over boto3 and the AWS CLI: create, versions ($Latest, $Default, SourceVersion),
describe with filters and paging, modify, delete; RunInstances merging a template with the call's
own parameters; and an instance launched from a template registering with ECS through the
simulated agent. Refusals change nothing."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from conftest import ACCOUNT, Server
from ec2_world import digest, error_of, image, network
from ecs_world import World, config_script, role_arn


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def template(ec2: Any, name: str = "web", **data: Any) -> dict[str, Any]:
    data = data or {"InstanceType": "c5.large"}  # boto3 sends no member for an empty structure
    created: dict[str, Any] = ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData=data)[
        "LaunchTemplate"
    ]
    return created


def instance_view(ec2: Any, instance_id: str) -> dict[str, Any]:
    found: dict[str, Any] = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    return found


def tag_map(tags: list[dict[str, str]]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags}


# --- templates and versions -------------------------------------------------------------------------------


def test_create_and_describe_a_template(ec2: Any) -> None:
    tags = [{"ResourceType": "launch-template", "Tags": [{"Key": "team", "Value": "a"}]}]
    created = ec2.create_launch_template(
        LaunchTemplateName="web",
        VersionDescription="first",
        LaunchTemplateData={"InstanceType": "c5.large", "UserData": b64("echo hi")},
        TagSpecifications=tags,
    )["LaunchTemplate"]
    assert created["LaunchTemplateId"].startswith("lt-") and created["LaunchTemplateName"] == "web"
    assert created["DefaultVersionNumber"] == 1 and created["LatestVersionNumber"] == 1
    assert created["CreatedBy"] == f"arn:aws:iam::{ACCOUNT}:root" and created["Tags"] == [{"Key": "team", "Value": "a"}]
    (shown,) = ec2.describe_launch_templates(LaunchTemplateNames=["web"])["LaunchTemplates"]
    assert shown == created
    (version,) = ec2.describe_launch_template_versions(LaunchTemplateId=created["LaunchTemplateId"])[
        "LaunchTemplateVersions"
    ]
    assert version["VersionNumber"] == 1 and version["DefaultVersion"] is True
    assert version["VersionDescription"] == "first"
    assert version["LaunchTemplateData"] == {"InstanceType": "c5.large", "UserData": b64("echo hi")}
    by_filter = ec2.describe_launch_templates(Filters=[{"Name": "launch-template-name", "Values": ["w*"]}])
    assert [t["LaunchTemplateId"] for t in by_filter["LaunchTemplates"]] == [created["LaunchTemplateId"]]
    by_tag = ec2.describe_launch_templates(Filters=[{"Name": "tag:team", "Values": ["a"]}])
    assert len(by_tag["LaunchTemplates"]) == 1


def test_refusals_change_nothing(ec2: Any, server: Server) -> None:
    created = template(ec2)
    before = digest(server)
    assert error_of(
        ec2.create_launch_template, LaunchTemplateName="web", LaunchTemplateData={"InstanceType": "c5.large"}
    ) == (
        "InvalidLaunchTemplateName.AlreadyExistsException",
        "Launch template name already in use.",
        400,
    )
    assert error_of(ec2.describe_launch_templates, LaunchTemplateIds=["lt-0123456789abcdef0"]) == (
        "InvalidLaunchTemplateId.NotFound",
        "The specified launch template, with template ID lt-0123456789abcdef0, does not exist.",
        400,
    )
    assert error_of(ec2.describe_launch_templates, LaunchTemplateNames=["nope"]) == (
        "InvalidLaunchTemplateName.NotFoundException",
        "At least one of the launch templates specified in the request does not exist.",
        400,
    )
    assert error_of(
        ec2.describe_launch_template_versions, LaunchTemplateId=created["LaunchTemplateId"], Versions=["7"]
    ) == (
        "InvalidLaunchTemplateId.VersionNotFound",
        f"Could not find the specified version 7 for the launch template with ID {created['LaunchTemplateId']}.",
        400,
    )
    assert error_of(ec2.modify_launch_template, LaunchTemplateName="web", DefaultVersion="2")[0] == (
        "InvalidLaunchTemplateId.VersionNotFound"
    )
    assert error_of(
        ec2.create_launch_template_version, LaunchTemplateName="nope", LaunchTemplateData={"InstanceType": "c5.large"}
    ) == (
        "InvalidLaunchTemplateName.NotFoundException",
        "The specified launch template, with template name nope, does not exist.",
        400,
    )
    assert (
        error_of(
            ec2.create_launch_template,
            LaunchTemplateName="other",
            LaunchTemplateData={"InstanceType": "c5.large"},
            TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "a", "Value": "b"}]}],
        )[0]
        == "InvalidParameterValue"
    )
    assert error_of(
        ec2.create_launch_template,
        LaunchTemplateName="dry",
        LaunchTemplateData={"InstanceType": "c5.large"},
        DryRun=True,
    )[0] == ("DryRunOperation")
    assert digest(server) == before


def test_versions_latest_default_source_and_deletion(ec2: Any) -> None:
    created = template(ec2, ImageId="ami-12345678", InstanceType="c5.large", KeyName="k")
    template_id = created["LaunchTemplateId"]
    second = ec2.create_launch_template_version(
        LaunchTemplateId=template_id, SourceVersion="1", LaunchTemplateData={"InstanceType": "m5.large"}
    )["LaunchTemplateVersion"]
    assert second["VersionNumber"] == 2 and second["DefaultVersion"] is False
    assert second["LaunchTemplateData"] == {"ImageId": "ami-12345678", "InstanceType": "m5.large", "KeyName": "k"}
    third = ec2.create_launch_template_version(
        LaunchTemplateName="web", LaunchTemplateData={"InstanceType": "t3.micro"}
    )
    assert third["LaunchTemplateVersion"]["LaunchTemplateData"] == {"InstanceType": "t3.micro"}

    def versions(*wanted: str) -> list[int]:
        found = ec2.describe_launch_template_versions(LaunchTemplateId=template_id, Versions=list(wanted))
        return [v["VersionNumber"] for v in found["LaunchTemplateVersions"]]

    assert versions("$Latest") == [3] and versions("$Default") == [1] and versions("1", "$Latest") == [3, 1]
    everything = ec2.describe_launch_template_versions(LaunchTemplateId=template_id)["LaunchTemplateVersions"]
    assert [v["VersionNumber"] for v in everything] == [3, 2, 1]
    ranged = ec2.describe_launch_template_versions(LaunchTemplateId=template_id, MinVersion="2", MaxVersion="2")
    assert [v["VersionNumber"] for v in ranged["LaunchTemplateVersions"]] == [2]
    paged = ec2.describe_launch_template_versions(LaunchTemplateId=template_id, MaxResults=2)
    rest = ec2.describe_launch_template_versions(
        LaunchTemplateId=template_id, MaxResults=2, NextToken=paged["NextToken"]
    )
    assert [v["VersionNumber"] for v in paged["LaunchTemplateVersions"] + rest["LaunchTemplateVersions"]] == [3, 2, 1]
    across = ec2.describe_launch_template_versions(Versions=["$Latest"])["LaunchTemplateVersions"]
    assert [(v["LaunchTemplateId"], v["VersionNumber"]) for v in across] == [(template_id, 3)]

    modified = ec2.modify_launch_template(LaunchTemplateId=template_id, DefaultVersion="2")["LaunchTemplate"]
    assert modified["DefaultVersionNumber"] == 2 and modified["LatestVersionNumber"] == 3
    assert versions("$Default") == [2]
    answer = ec2.delete_launch_template_versions(LaunchTemplateId=template_id, Versions=["1", "2", "9"])
    assert [v["VersionNumber"] for v in answer["SuccessfullyDeletedLaunchTemplateVersions"]] == [1]
    refused = {
        v["VersionNumber"]: v["ResponseError"]["Code"] for v in answer["UnsuccessfullyDeletedLaunchTemplateVersions"]
    }
    assert refused == {2: "unexpectedError", 9: "launchTemplateVersionDoesNotExist"}
    assert versions() == [3, 2]
    fourth = ec2.create_launch_template_version(
        LaunchTemplateId=template_id, LaunchTemplateData={"InstanceType": "c5.large"}
    )
    assert fourth["LaunchTemplateVersion"]["VersionNumber"] == 4  # numbers are never reused
    deleted = ec2.delete_launch_template(LaunchTemplateName="web")["LaunchTemplate"]
    assert deleted["LaunchTemplateId"] == template_id
    assert ec2.describe_launch_templates()["LaunchTemplates"] == []
    template(ec2)  # the name is free again


def test_describe_launch_templates_pages(ec2: Any) -> None:
    for n in range(3):
        template(ec2, f"t-{n}")
    first = ec2.describe_launch_templates(MaxResults=2)
    rest = ec2.describe_launch_templates(MaxResults=2, NextToken=first["NextToken"])
    names = [t["LaunchTemplateName"] for t in first["LaunchTemplates"] + rest["LaunchTemplates"]]
    assert sorted(names) == ["t-0", "t-1", "t-2"] and "NextToken" not in rest


# --- RunInstances from a template --------------------------------------------------------------------------


def test_run_instances_merges_the_template_with_the_call(aws: Any, ec2: Any) -> None:
    net = network(ec2)
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=net["vpc"])["GroupId"]
    ami = image(aws("ssm"))
    created = template(
        ec2,
        ImageId=ami,
        InstanceType="c5.large",
        UserData=b64("#!/bin/bash\necho template"),
        SecurityGroupIds=[group],
        MetadataOptions={"HttpTokens": "optional", "HttpPutResponseHopLimit": 3},
        PrivateDnsNameOptions={"HostnameType": "resource-name"},
        TagSpecifications=[
            {
                "ResourceType": "instance",
                "Tags": [{"Key": "Name", "Value": "from-template"}, {"Key": "team", "Value": "a"}],
            }
        ],
    )
    launched = ec2.run_instances(
        LaunchTemplate={"LaunchTemplateName": "web"},
        MinCount=1,
        MaxCount=1,
        SubnetId=net["subnet"],
        InstanceType="m5.large",
        MetadataOptions={"HttpEndpoint": "enabled", "HttpTokens": "required"},
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "mine"}]}],
    )["Instances"][0]
    instance_id = launched["InstanceId"]
    view = instance_view(ec2, instance_id)
    assert view["ImageId"] == ami and view["InstanceType"] == "m5.large"
    assert [g["GroupId"] for g in view["SecurityGroups"]] == [group]
    assert (
        view["MetadataOptions"]["HttpTokens"] == "required" and view["MetadataOptions"]["HttpPutResponseHopLimit"] == 3
    )
    assert view["PrivateDnsNameOptions"]["HostnameType"] == "resource-name"
    assert tag_map(view["Tags"]) == {
        "Name": "mine",
        "team": "a",
        "aws:ec2launchtemplate:id": created["LaunchTemplateId"],
        "aws:ec2launchtemplate:version": "1",
    }
    user_data = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="userData")["UserData"]["Value"]
    assert base64.b64decode(user_data).decode() == "#!/bin/bash\necho template"


def test_run_instances_uses_the_named_version_and_the_template_network_interfaces(aws: Any, ec2: Any) -> None:
    net = network(ec2, public=False)
    ami = image(aws("ssm"))
    created = template(
        ec2,
        ImageId=ami,
        InstanceType="c5.large",
        NetworkInterfaces=[{"DeviceIndex": 0, "AssociatePublicIpAddress": True, "Groups": [net["default_sg"]]}],
    )
    ec2.create_launch_template_version(
        LaunchTemplateId=created["LaunchTemplateId"], SourceVersion="1", LaunchTemplateData={"InstanceType": "t3.micro"}
    )
    spec = {"LaunchTemplateId": created["LaunchTemplateId"], "Version": "$Latest"}
    instance_id = ec2.run_instances(LaunchTemplate=spec, MinCount=1, MaxCount=1, SubnetId=net["subnet"])["Instances"][
        0
    ]["InstanceId"]
    view = instance_view(ec2, instance_id)
    assert view["InstanceType"] == "t3.micro" and view["SubnetId"] == net["subnet"]
    assert "PublicIpAddress" in view  # from the template's interface, though the subnet maps none
    assert tag_map(view["Tags"])["aws:ec2launchtemplate:version"] == "2"
    default = ec2.run_instances(
        LaunchTemplate={"LaunchTemplateId": created["LaunchTemplateId"]}, MinCount=1, MaxCount=1, SubnetId=net["subnet"]
    )
    assert default["Instances"][0]["InstanceType"] == "c5.large"


def test_run_instances_with_a_missing_template_or_version(ec2: Any, server: Server) -> None:
    net = network(ec2)
    created = template(ec2, InstanceType="c5.large")
    before = digest(server)
    assert (
        error_of(
            ec2.run_instances,
            LaunchTemplate={"LaunchTemplateName": "nope"},
            MinCount=1,
            MaxCount=1,
            SubnetId=net["subnet"],
        )[0]
        == "InvalidLaunchTemplateName.NotFoundException"
    )
    assert error_of(
        ec2.run_instances,
        LaunchTemplate={"LaunchTemplateId": created["LaunchTemplateId"], "Version": "5"},
        MinCount=1,
        MaxCount=1,
        SubnetId=net["subnet"],
    ) == (
        "InvalidLaunchTemplateId.VersionNotFound",
        f"Could not find the specified version 5 for the launch template with ID {created['LaunchTemplateId']}.",
        400,
    )
    assert error_of(
        ec2.run_instances, LaunchTemplate={"LaunchTemplateName": "web"}, MinCount=1, MaxCount=1, SubnetId=net["subnet"]
    ) == ("MissingParameter", "The request must contain the parameter ImageId", 400)
    assert digest(server) == before


# --- end to end with ECS --------------------------------------------------------------------------------------


def test_an_instance_from_a_template_registers_with_ecs(server: Server) -> None:
    world = World(server)
    world.ecs.create_cluster(clusterName="prod")
    world.instance_role("ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    net = world.network()
    world.ec2.create_launch_template(
        LaunchTemplateName="ecs",
        LaunchTemplateData={
            "ImageId": world.image(),
            "InstanceType": "c5.large",
            "IamInstanceProfile": {"Name": "ecsInstanceRole"},
            "UserData": b64(config_script("prod")),
        },
    )
    instance_id = world.ec2.run_instances(
        LaunchTemplate={"LaunchTemplateName": "ecs", "Version": "$Latest"},
        MinCount=1,
        MaxCount=1,
        SubnetId=net["subnet"],
    )["Instances"][0]["InstanceId"]
    world.settle()
    container_instance = world.of_instance("prod", instance_id)
    assert container_instance["status"] == "ACTIVE" and container_instance["agentConnected"] is True
    assert world.explain("prod", instance_id)["trunked"] is True
    assert world.agent(instance_id)["state"] == "registered"


# --- the AWS CLI ---------------------------------------------------------------------------------------------------


def test_launch_templates_with_the_aws_cli(cli: Any, aws: Any) -> None:
    ami = image(aws("ssm"))
    vpc = cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = cli("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.1.0/24")["Subnet"]["SubnetId"]
    created = cli(
        "ec2",
        "create-launch-template",
        "--launch-template-name",
        "cli",
        "--launch-template-data",
        f'{{"ImageId": "{ami}", "InstanceType": "c5.large"}}',
    )["LaunchTemplate"]
    template_id = created["LaunchTemplateId"]
    version = cli(
        "ec2",
        "create-launch-template-version",
        "--launch-template-id",
        template_id,
        "--source-version",
        "1",
        "--launch-template-data",
        '{"InstanceType": "m5.large"}',
    )["LaunchTemplateVersion"]
    assert version["VersionNumber"] == 2
    cli("ec2", "modify-launch-template", "--launch-template-id", template_id, "--default-version", "2")
    shown = cli("ec2", "describe-launch-templates", "--launch-template-ids", template_id)["LaunchTemplates"]
    assert shown[0]["DefaultVersionNumber"] == 2
    versions = cli(
        "ec2", "describe-launch-template-versions", "--launch-template-id", template_id, "--versions", "$Default"
    )
    assert versions["LaunchTemplateVersions"][0]["LaunchTemplateData"]["InstanceType"] == "m5.large"
    run = cli(
        "ec2",
        "run-instances",
        "--launch-template",
        f"LaunchTemplateId={template_id}",
        "--subnet-id",
        subnet,
        "--count",
        "1",
    )
    assert run["Instances"][0]["InstanceType"] == "m5.large"
    answer = cli("ec2", "delete-launch-template-versions", "--launch-template-id", template_id, "--versions", "1")
    assert answer["SuccessfullyDeletedLaunchTemplateVersions"][0]["VersionNumber"] == 1
    cli("ec2", "delete-launch-template", "--launch-template-id", template_id)
    assert cli("ec2", "describe-launch-templates")["LaunchTemplates"] == []


@pytest.mark.parametrize("name", ["ab", "has space", "x" * 129])
def test_a_malformed_name_is_refused(ec2: Any, name: str) -> None:
    code = error_of(
        ec2.create_launch_template, LaunchTemplateName=name, LaunchTemplateData={"InstanceType": "c5.large"}
    )[0]
    assert code in ("InvalidLaunchTemplateName.MalformedException", "InvalidParameterValue", "ValidationError")


def test_an_empty_placement_zone_is_no_zone(aws: Any, ec2: Any) -> None:
    """Terraform's aws_instance sends Placement.AvailabilityZone="" with a launch template."""
    net = network(ec2)
    template(ec2, ImageId=image(aws("ssm")), InstanceType="c5.large")
    launched = ec2.run_instances(
        LaunchTemplate={"LaunchTemplateName": "web"},
        MinCount=1,
        MaxCount=1,
        SubnetId=net["subnet"],
        Placement={"AvailabilityZone": ""},
    )
    assert launched["Instances"][0]["Placement"]["AvailabilityZone"] == "us-east-1a"
    assert (
        error_of(
            ec2.run_instances,
            LaunchTemplate={"LaunchTemplateName": "web"},
            MinCount=1,
            MaxCount=1,
            SubnetId=net["subnet"],
            Placement={"AvailabilityZone": "us-east-1b"},
        )[0]
        == "InvalidParameterValue"
    )


# --- resolve:ssm: a Systems Manager parameter in place of the AMI id -------------------------------------

RESOLVE_AL2023 = "resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"


def test_run_instances_resolves_an_ssm_parameter_directly_and_from_a_template(aws: Any, ec2: Any) -> None:
    """EC2 reads `resolve:ssm:<parameter>` at launch, in RunInstances' ImageId and in a launch
    template's (the template keeps the reference; the instance gets the AMI it named then)."""
    net = network(ec2)
    ami = image(aws("ssm"))
    direct = ec2.run_instances(
        ImageId=RESOLVE_AL2023, InstanceType="c5.large", MinCount=1, MaxCount=1, SubnetId=net["subnet"]
    )
    assert direct["Instances"][0]["ImageId"] == ami
    created = template(ec2, "resolving", ImageId=RESOLVE_AL2023, InstanceType="c5.large")
    (version,) = ec2.describe_launch_template_versions(LaunchTemplateId=created["LaunchTemplateId"])[
        "LaunchTemplateVersions"
    ]
    assert version["LaunchTemplateData"]["ImageId"] == RESOLVE_AL2023
    launched = ec2.run_instances(
        LaunchTemplate={"LaunchTemplateName": "resolving"}, MinCount=1, MaxCount=1, SubnetId=net["subnet"]
    )["Instances"][0]
    assert instance_view(ec2, launched["InstanceId"])["ImageId"] == ami
    # A version selector of the parameter works as in GetParameter.
    version_of = aws("ssm").get_parameter(Name=RESOLVE_AL2023.removeprefix("resolve:ssm:"))["Parameter"]["Version"]
    pinned = ec2.run_instances(
        ImageId=f"{RESOLVE_AL2023}:{version_of}",
        InstanceType="c5.large",
        MinCount=1,
        MaxCount=1,
        SubnetId=net["subnet"],
    )
    assert pinned["Instances"][0]["ImageId"] == ami


def test_run_instances_refuses_a_parameter_that_names_no_image(ec2: Any, server: Server) -> None:
    net = network(ec2)
    before = digest(server)
    launch = {"InstanceType": "c5.large", "MinCount": 1, "MaxCount": 1, "SubnetId": net["subnet"]}
    # Only parameters of data type aws:ec2:image name an image (AWS's answer for any other type).
    metadata = "resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended"
    assert error_of(ec2.run_instances, ImageId=metadata, **launch) == (
        "SsmInvalidParameter",
        "Unsupported data type. The following parameter data types are supported: aws:ec2:image",
        400,
    )
    # A parameter that does not exist (trunkline's text: docs/decisions.md).
    assert error_of(ec2.run_instances, ImageId="resolve:ssm:/no/such/parameter", **launch) == (
        "InvalidParameterValue",
        "Value (resolve:ssm:/no/such/parameter) for parameter imageId is invalid. "
        "The Systems Manager parameter /no/such/parameter could not be found.",
        400,
    )
    assert digest(server) == before
