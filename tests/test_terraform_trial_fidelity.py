"""What a Terraform user's ECS-on-EC2 stack reads back (session 7's trial, a configuration unlike
the examples'): each case is a call the hashicorp/aws provider makes and a field it needs, with
boto3 so it runs without Terraform.

- `data "aws_ec2_instance_type"` refuses ("no matching EC2 Instance Type found") a type whose
  DescribeInstanceTypes entry lacks `EbsInfo`, `NetworkInfo`, `PlacementGroupInfo`,
  `ProcessorInfo` or `VCpuInfo`.
- `aws_autoscaling_group` declaring the `AmazonECSManaged` tag with the value `true` (as the
  provider's docs of `aws_ecs_capacity_provider` advise) plans a change forever if ECS rewrites the
  tag's value when the capacity provider is created.
- `aws_iam_instance_profile` updates its tags (a changed tag, or the provider's `default_tags`)
  with TagInstanceProfile / UntagInstanceProfile and reads them with ListInstanceProfileTags.
- `aws_ecs_capacity_provider` updates its tags with ECS TagResource / UntagResource on its ARN.
- A task role whose trust policy checks `aws:SourceAccount` or `aws:SourceArn` (as ECS's docs
  advise against the confused deputy) must still be assumable by ECS.
- `aws_iam_service_linked_role`'s destroy waits on GetServiceLinkedRoleDeletionStatus."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from capacity_world import ecs_launch_template, subnets_in_two_zones
from conftest import Server, make_cli
from ecs_world import World

# --- DescribeInstanceTypes: what aws_ec2_instance_type needs ---------------------------------------


@pytest.mark.parametrize("name", ["m5.large", "c5.large", "t3.micro", "c4.large", "m5.metal", "t2.micro"])
def test_every_described_type_has_what_the_instance_type_data_source_reads(server: Server, name: str) -> None:
    [info] = server.client("ec2").describe_instance_types(InstanceTypes=[name])["InstanceTypes"]
    for part in ("EbsInfo", "NetworkInfo", "PlacementGroupInfo", "ProcessorInfo", "VCpuInfo"):
        assert part in info, f"{name}: no {part}"
    assert info["EbsInfo"]["EncryptionSupport"] == "supported"
    assert "partition" in info["PlacementGroupInfo"]["SupportedStrategies"]


def test_ebs_and_placement_figures_follow_the_hypervisor_and_family(server: Server) -> None:
    ec2 = server.client("ec2")
    found = {
        i["InstanceType"]: i
        for i in ec2.describe_instance_types(
            InstanceTypes=["m5.large", "t3.micro", "t2.micro", "c4.large", "m1.small"]
        )["InstanceTypes"]
    }
    assert found["m5.large"]["EbsInfo"] == {
        "EbsOptimizedSupport": "default",
        "EncryptionSupport": "supported",
        "NvmeSupport": "required",
    }
    assert found["m5.large"]["PlacementGroupInfo"]["SupportedStrategies"] == ["cluster", "partition", "spread"]
    # Burstable types take no cluster placement group; Xen types attach EBS without NVMe.
    assert found["t3.micro"]["PlacementGroupInfo"]["SupportedStrategies"] == ["partition", "spread"]
    assert found["t2.micro"]["EbsInfo"]["NvmeSupport"] == "unsupported"
    assert found["c4.large"]["PlacementGroupInfo"]["SupportedStrategies"] == ["cluster", "partition", "spread"]
    assert found["m1.small"]["EbsInfo"]["EncryptionSupport"] == "unsupported"


def test_filters_still_match_with_the_new_parts(server: Server) -> None:
    ec2 = server.client("ec2")
    page = ec2.describe_instance_types(Filters=[{"Name": "instance-type", "Values": ["c5.large"]}])
    assert [i["InstanceType"] for i in page["InstanceTypes"]] == ["c5.large"]


# --- the AmazonECSManaged tag ------------------------------------------------------------------------


def _group_with(server: Server, tags: list[dict[str, Any]]) -> tuple[Any, str]:
    world = World(server)
    world.ecs.create_cluster(clusterName="apps")
    world.instance_role("ecsInstanceRole")
    subnets = subnets_in_two_zones(world)
    ecs_launch_template(world, "apps")
    asg = server.client("autoscaling")
    asg.create_auto_scaling_group(
        AutoScalingGroupName="ecs",
        LaunchTemplate={"LaunchTemplateName": "ecs", "Version": "$Latest"},
        MinSize=0,
        MaxSize=2,
        VPCZoneIdentifier=",".join(subnets),
        Tags=tags,
    )
    (group,) = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["ecs"])["AutoScalingGroups"]
    world.ecs.create_capacity_provider(
        name="cp",
        autoScalingGroupProvider={
            "autoScalingGroupArn": group["AutoScalingGroupARN"],
            "managedScaling": {"status": "ENABLED", "targetCapacity": 100},
        },
    )
    return asg, group["AutoScalingGroupName"]


def _managed_tags(asg: Any) -> list[tuple[str, str, bool]]:
    tags = asg.describe_tags(Filters=[{"Name": "key", "Values": ["AmazonECSManaged"]}])["Tags"]
    return [(t["ResourceId"], t["Value"], t["PropagateAtLaunch"]) for t in tags]


def test_a_declared_managed_tag_keeps_its_value(server: Server) -> None:
    asg, name = _group_with(server, [{"Key": "AmazonECSManaged", "Value": "true", "PropagateAtLaunch": True}])
    assert _managed_tags(asg) == [(name, "true", True)]


def test_an_undeclared_managed_tag_is_added_empty(server: Server) -> None:
    asg, name = _group_with(server, [{"Key": "Team", "Value": "a", "PropagateAtLaunch": True}])
    assert _managed_tags(asg) == [(name, "", True)]


# --- instance profile tags: aws_iam_instance_profile with tags (or provider default_tags) --------


def test_instance_profile_tags_are_added_replaced_listed_and_removed(server: Server) -> None:
    iam = server.client("iam")
    iam.create_instance_profile(InstanceProfileName="ecs", Tags=[{"Key": "Env", "Value": "trial"}])
    iam.tag_instance_profile(
        InstanceProfileName="ecs", Tags=[{"Key": "env", "Value": "staging"}, {"Key": "Team", "Value": "a"}]
    )
    expected = [{"Key": "env", "Value": "staging"}, {"Key": "Team", "Value": "a"}]
    assert iam.list_instance_profile_tags(InstanceProfileName="ecs")["Tags"] == expected
    assert iam.get_instance_profile(InstanceProfileName="ecs")["InstanceProfile"]["Tags"] == expected
    iam.untag_instance_profile(InstanceProfileName="ecs", TagKeys=["ENV"])
    listed = iam.list_instance_profile_tags(InstanceProfileName="ecs")
    assert listed["Tags"] == [{"Key": "Team", "Value": "a"}] and listed["IsTruncated"] is False
    iam.untag_instance_profile(InstanceProfileName="ecs", TagKeys=["Team"])
    assert iam.list_instance_profile_tags(InstanceProfileName="ecs")["Tags"] == []
    assert "Tags" not in iam.get_instance_profile(InstanceProfileName="ecs")["InstanceProfile"]


def test_instance_profile_tag_errors_change_nothing(server: Server, tmp_path: Any) -> None:
    iam = server.client("iam")
    iam.create_instance_profile(InstanceProfileName="ecs", Tags=[{"Key": "k", "Value": "v"}])
    with pytest.raises(ClientError) as caught:
        iam.tag_instance_profile(InstanceProfileName="ecs", Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(1, 51)])
    assert caught.value.response["Error"]["Code"] == "LimitExceeded"
    assert caught.value.response["Error"]["Message"] == "Cannot exceed quota for TagsPerInstanceProfile: 50"
    with pytest.raises(ClientError) as caught:
        iam.tag_instance_profile(InstanceProfileName="ecs", Tags=[{"Key": "aws:x", "Value": "v"}])
    assert (caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]) == (
        "InvalidInput",
        "User-defined tag keys can't start with 'aws:'. This prefix is reserved for AWS.",
    )
    assert iam.list_instance_profile_tags(InstanceProfileName="ecs")["Tags"] == [{"Key": "k", "Value": "v"}]
    with pytest.raises(ClientError) as caught:
        iam.list_instance_profile_tags(InstanceProfileName="ghost")
    err = caught.value.response
    assert (err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"]) == ("NoSuchEntity", 404)
    cli = make_cli(server.url, tmp_path)
    cli("iam", "tag-instance-profile", "--instance-profile-name", "ecs", "--tags", "Key=team,Value=b")
    assert cli("iam", "list-instance-profile-tags", "--instance-profile-name", "ecs")["Tags"] == [
        {"Key": "k", "Value": "v"},
        {"Key": "team", "Value": "b"},
    ]


# --- capacity provider tags: aws_ecs_capacity_provider with tags (or provider default_tags) -----


def test_capacity_provider_tags_through_tag_resource(server: Server) -> None:
    _group_with(server, [])
    ecs = server.client("ecs")
    arn = "arn:aws:ecs:us-east-1:123456789012:capacity-provider/cp"
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "Env", "value": "trial"}, {"key": "Team", "value": "a"}])
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "Env", "value": "staging"}])
    expected = [{"key": "Env", "value": "staging"}, {"key": "Team", "value": "a"}]
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == expected
    (described,) = ecs.describe_capacity_providers(capacityProviders=["cp"], include=["TAGS"])["capacityProviders"]
    assert described["tags"] == expected
    ecs.untag_resource(resourceArn=arn, tagKeys=["Team"])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "Env", "value": "staging"}]


@pytest.mark.parametrize("name", ["FARGATE", "ghost", "cp"])
def test_tagging_a_provider_that_is_not_there_is_not_found(server: Server, name: str) -> None:
    _group_with(server, [])
    ecs = server.client("ecs")
    if name == "cp":
        ecs.delete_capacity_provider(capacityProvider="cp")  # INACTIVE, still describable
    arn = f"arn:aws:ecs:us-east-1:123456789012:capacity-provider/{name}"
    with pytest.raises(ClientError) as caught:
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "k", "value": "v"}])
    assert (caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]) == (
        "ResourceNotFoundException",
        "The specified resource wasn't found.",
    )


# --- a task role whose trust policy checks aws:SourceAccount / aws:SourceArn (ECS's docs advise it) --


def _tasks_trust(condition: dict[str, Any]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": condition,
                }
            ],
        }
    )


@pytest.mark.parametrize(
    ("condition", "assumable"),
    [
        ({"StringEquals": {"aws:SourceAccount": "123456789012"}}, True),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:ecs:us-east-1:123456789012:*"}}, True),
        ({"StringEquals": {"aws:SourceAccount": "111122223333"}}, False),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:ecs:eu-west-1:123456789012:*"}}, False),
    ],
)
def test_ecs_assumes_task_roles_with_its_source_account_and_arn(
    server: Server, condition: dict[str, Any], assumable: bool
) -> None:
    iam, ecs = server.client("iam"), server.client("ecs")
    role = iam.create_role(RoleName="task", AssumeRolePolicyDocument=_tasks_trust(condition))["Role"]["Arn"]
    ecs.create_cluster(clusterName="web")
    ecs.register_task_definition(
        family="web",
        taskRoleArn=role,
        executionRoleArn=role,
        containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128}],
    )
    with pytest.raises(ClientError) as caught:
        ecs.run_task(cluster="web", taskDefinition="web")
    code, message = caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]
    if assumable:
        assert code == "InvalidParameterException", message  # no container instances: past the roles
    else:
        assert (code, f"'{role}'" in message) == ("ClientException", True)


# --- aws_iam_service_linked_role's destroy waits on GetServiceLinkedRoleDeletionStatus -------------


def test_service_linked_role_deletion_status(server: Server, tmp_path: Any) -> None:
    iam = server.client("iam")
    iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")["DeletionTaskId"]
    assert task.startswith("task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/")
    answer = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    assert answer["Status"] == "SUCCEEDED" and "Reason" not in answer
    cli = make_cli(server.url, tmp_path)
    assert cli("iam", "get-service-linked-role-deletion-status", "--deletion-task-id", task)["Status"] == "SUCCEEDED"
    with pytest.raises(ClientError) as caught:
        iam.get_service_linked_role_deletion_status(DeletionTaskId="nonsense")
    err = caught.value.response
    assert (err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"]) == ("InvalidInput", 400)


# --- attribute-based instance type selection (mixed_instances_policy override instance_requirements) --


def _requirements_group(server: Server, requirements: dict[str, Any]) -> Any:
    world = World(server)
    subnets = subnets_in_two_zones(world)
    image = world.ssm.get_parameter(Name="/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id")
    world.ec2.create_launch_template(
        LaunchTemplateName="by-attributes", LaunchTemplateData={"ImageId": image["Parameter"]["Value"]}
    )
    asg = server.client("autoscaling")
    asg.create_auto_scaling_group(
        AutoScalingGroupName="attrs",
        MinSize=1,
        MaxSize=2,
        VPCZoneIdentifier=",".join(subnets),
        MixedInstancesPolicy={
            "LaunchTemplate": {
                "LaunchTemplateSpecification": {"LaunchTemplateName": "by-attributes", "Version": "$Latest"},
                "Overrides": [{"InstanceRequirements": requirements}],
            }
        },
    )
    return asg


def test_instance_requirements_choose_a_type_that_meets_them(server: Server) -> None:
    asg = _requirements_group(
        server,
        {"VCpuCount": {"Min": 2, "Max": 4}, "MemoryMiB": {"Min": 8192}, "ExcludedInstanceTypes": ["m5*", "r*"]},
    )
    World(server).settle()
    (group,) = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["attrs"])["AutoScalingGroups"]
    assert group["MixedInstancesPolicy"]["InstancesDistribution"]["OnDemandAllocationStrategy"] == "lowest-price"
    (member,) = group["Instances"]
    [info] = server.client("ec2").describe_instance_types(InstanceTypes=[member["InstanceType"]])["InstanceTypes"]
    assert 2 <= info["VCpuInfo"]["DefaultVCpus"] <= 4 and info["MemoryInfo"]["SizeInMiB"] >= 8192
    assert info["ProcessorInfo"]["SupportedArchitectures"] == ["x86_64"], "the AMI's architecture"
    assert not member["InstanceType"].startswith(("m5", "r", "t")), "excluded, and burstable excluded by default"


def test_instance_requirements_trunkline_cannot_select_on_are_refused_by_name(server: Server) -> None:
    with pytest.raises(ClientError) as caught:
        _requirements_group(
            server, {"VCpuCount": {"Min": 2}, "MemoryMiB": {"Min": 4096}, "CpuManufacturers": ["intel"]}
        )
    err = caught.value.response["Error"]
    assert (err["Code"], err["Message"]) == (
        "ValidationError",
        "trunkline does not select instance types by CpuManufacturers (InstanceRequirements).",
    )
    assert server.client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"] == []
