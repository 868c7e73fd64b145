"""EC2 Auto Scaling groups (issue 11, part 1), with boto3 and the AWS CLI on a manual clock: a group
launches from its launch template through RunInstances (so its instances register with ECS),
spreads over its subnets' zones, follows its desired capacity, never scales in a protected
instance, replaces instances that go away, and answers AWS's errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from capacity_world import ecs_launch_template, subnets_in_two_zones
from conftest import ACCOUNT, Server, make_cli
from ec2_world import AL2023
from ec2_world import digest as ec2_digest
from ecs_world import World

CLUSTER = "capacity"
GROUP = "ecs-asg"


class Capacity:
    """A cluster, an instance role, two subnets in two zones and a launch template of the ECS AMI."""

    def __init__(self, server: Server) -> None:
        self.world = World(server)
        self.asg = server.client("autoscaling")
        w = self.world
        w.ecs.create_cluster(clusterName=CLUSTER)
        w.instance_role("ecsInstanceRole")
        self.subnets = subnets_in_two_zones(w)
        self.template = ecs_launch_template(w, CLUSTER)

    def create(self, name: str = GROUP, **extra: Any) -> None:
        params: dict[str, Any] = {
            "AutoScalingGroupName": name,
            "LaunchTemplate": {"LaunchTemplateName": "ecs", "Version": "$Latest"},
            "MinSize": 1,
            "MaxSize": 4,
            "DesiredCapacity": 2,
            "VPCZoneIdentifier": ",".join(self.subnets),
            "Tags": [{"Key": "team", "Value": "net", "PropagateAtLaunch": True}],
            **extra,
        }
        self.asg.create_auto_scaling_group(**{k: v for k, v in params.items() if v is not None})

    def group(self, name: str = GROUP) -> dict[str, Any]:
        (found,) = self.asg.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
        result: dict[str, Any] = found
        return result

    def members(self, name: str = GROUP) -> dict[str, dict[str, Any]]:
        return {i["InstanceId"]: i for i in self.group(name)["Instances"]}

    def ec2_state(self, instance_id: str) -> str:
        return str(self.world.instance(instance_id)["State"]["Name"])

    def settle(self) -> None:
        self.world.settle()


@pytest.fixture
def cap(spawn: Callable[..., Server]) -> Capacity:
    return Capacity(spawn("--timing", "manual"))


def error_of(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_a_group_launches_from_its_template_spreads_over_zones_and_registers_with_ecs(cap: Capacity) -> None:
    cap.create()
    group = cap.group()
    assert group["Instances"] == [] and group["DesiredCapacity"] == 2
    assert group["LaunchTemplate"] == {
        "LaunchTemplateId": cap.template["LaunchTemplateId"],
        "LaunchTemplateName": "ecs",
        "Version": "$Latest",
    }
    assert group["AvailabilityZones"] == ["us-east-1a", "us-east-1b"]
    assert (group["DefaultCooldown"], group["HealthCheckType"], group["TerminationPolicies"]) == (
        300,
        "EC2",
        ["Default"],
    )
    assert group["AutoScalingGroupARN"].startswith(f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:autoScalingGroup:")
    assert group["AutoScalingGroupARN"].endswith(f":autoScalingGroupName/{GROUP}")
    cap.world.advance(10)  # the group reconciles: two launches, Pending
    members = cap.members()
    assert sorted(m["AvailabilityZone"] for m in members.values()) == ["us-east-1a", "us-east-1b"]
    assert {(m["LifecycleState"], m["HealthStatus"], m["LaunchTemplate"]["Version"]) for m in members.values()} == {
        ("Pending", "Healthy", "1")
    }
    cap.settle()
    members = cap.members()
    assert {m["LifecycleState"] for m in members.values()} == {"InService"}
    for instance_id in members:
        tags = {t["Key"]: t["Value"] for t in cap.world.instance(instance_id)["Tags"]}
        assert tags["team"] == "net" and tags["aws:autoscaling:groupName"] == GROUP
        assert tags["aws:ec2launchtemplate:id"] == cap.template["LaunchTemplateId"]
    registered = cap.world.ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"]
    assert len(registered) == 2
    activities = cap.asg.describe_scaling_activities(AutoScalingGroupName=GROUP)["Activities"]
    assert len(activities) == 2 and {a["StatusCode"] for a in activities} == {"Successful"}
    assert {a["Description"] for a in activities} == {f"Launching a new EC2 instance: {i}" for i in members}
    cause = activities[0]["Cause"]
    assert "a user request created an AutoScalingGroup changing the desired capacity from 0 to 2.  At " in cause
    assert cause.endswith(
        "an instance was started in response to a difference between desired and actual capacity, "
        "increasing the capacity from 0 to 2."
    )
    assert json.loads(activities[0]["Details"])["Availability Zone"] in ("us-east-1a", "us-east-1b")


def test_desired_capacity_protection_and_replacement(cap: Capacity) -> None:
    cap.create()
    cap.settle()
    cap.asg.set_desired_capacity(AutoScalingGroupName=GROUP, DesiredCapacity=3)
    cap.settle()
    members = cap.members()
    assert len(members) == 3 and {m["LifecycleState"] for m in members.values()} == {"InService"}
    assert error_of(lambda: cap.asg.set_desired_capacity(AutoScalingGroupName=GROUP, DesiredCapacity=5)) == (
        "ValidationError",
        "New SetDesiredCapacity value 5 is above max value 4 for the AutoScalingGroup.",
    )
    protected = sorted(members)[:2]
    cap.asg.set_instance_protection(AutoScalingGroupName=GROUP, InstanceIds=protected, ProtectedFromScaleIn=True)
    cap.asg.set_desired_capacity(AutoScalingGroupName=GROUP, DesiredCapacity=1)
    cap.settle()
    left = cap.members()
    assert sorted(left) == protected, "only the unprotected instance is scaled in; the group stays above desired"
    assert cap.ec2_state(sorted(members)[2]) == "terminated"
    # An instance terminated behind the group's back is replaced (desired 1, two protected remain:
    # terminating one leaves one, which is the desired capacity).
    cap.asg.set_desired_capacity(AutoScalingGroupName=GROUP, DesiredCapacity=2)
    cap.world.ec2.terminate_instances(InstanceIds=[protected[0]])
    cap.settle()
    after = cap.members()
    assert len(after) == 2 and protected[0] not in after and protected[1] in after
    # TerminateInstanceInAutoScalingGroup ignores protection; without decrement it is replaced.
    answer = cap.asg.terminate_instance_in_auto_scaling_group(
        InstanceId=protected[1], ShouldDecrementDesiredCapacity=False
    )["Activity"]
    assert answer["StatusCode"] == "InProgress" and answer["Description"] == f"Terminating EC2 instance: {protected[1]}"
    assert answer["Cause"].endswith(f"instance {protected[1]} was taken out of service in response to a user request.")
    cap.settle()
    final = cap.members()
    assert len(final) == 2 and protected[1] not in final
    code, message = error_of(
        lambda: cap.asg.terminate_instance_in_auto_scaling_group(
            InstanceId="i-0123456789abcdef0", ShouldDecrementDesiredCapacity=True
        )
    )
    assert (code, message) == (
        "ValidationError",
        "Instance Id not found - No managed instance found for instance ID: i-0123456789abcdef0",
    )


def test_errors_and_deletion(cap: Capacity) -> None:
    cap.create()
    assert error_of(lambda: cap.create()) == (
        "AlreadyExists",
        f"AutoScalingGroup by this name already exists - A group with the name {GROUP} already exists",
    )
    assert error_of(lambda: cap.create("b", MinSize=3, MaxSize=2)) == (
        "ValidationError",
        "Max bound, 2, must be greater than or equal to min bound, 3",
    )
    assert error_of(lambda: cap.create("b", DesiredCapacity=9)) == (
        "ValidationError",
        "Desired capacity:9 must be between the specified min size:1 and max size:4",
    )
    assert error_of(lambda: cap.create("b", VPCZoneIdentifier="subnet-0123456789abcdef0")) == (
        "ValidationError",
        "The subnet ID 'subnet-0123456789abcdef0' does not exist",
    )
    assert error_of(lambda: cap.create("b", VPCZoneIdentifier=None)) == (
        "ValidationError",
        "At least one Availability Zone or VPC Subnet is required.",
    )
    assert cap.asg.describe_auto_scaling_groups(AutoScalingGroupNames=["b"])["AutoScalingGroups"] == []
    cap.settle()
    assert error_of(lambda: cap.asg.delete_auto_scaling_group(AutoScalingGroupName=GROUP)) == (
        "ResourceInUse",
        "You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still "
        "in the group.",
    )
    members = list(cap.members())
    cap.asg.delete_auto_scaling_group(AutoScalingGroupName=GROUP, ForceDelete=True)
    assert cap.group()["Status"] == "Delete in progress"
    cap.settle()
    assert cap.asg.describe_auto_scaling_groups(AutoScalingGroupNames=[GROUP])["AutoScalingGroups"] == []
    assert {cap.ec2_state(i) for i in members} == {"terminated"}


def test_a_group_given_zones_alone_launches_into_the_default_subnets(cap: Capacity) -> None:
    """Issue 18: without VPCZoneIdentifier, EC2 Auto Scaling uses the default VPC's default subnets."""
    cap.create("zones", VPCZoneIdentifier=None, AvailabilityZones=["us-east-1c", "us-east-1d"])
    group = cap.group("zones")
    assert group["AvailabilityZones"] == ["us-east-1c", "us-east-1d"] and group["VPCZoneIdentifier"] == ""
    cap.world.advance(10)
    defaults = cap.world.ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    by_id = {s["SubnetId"]: s["AvailabilityZone"] for s in defaults}
    launched = [cap.world.instance(i) for i in cap.members("zones")]
    assert sorted(by_id[i["SubnetId"]] for i in launched) == ["us-east-1c", "us-east-1d"]
    assert all("PublicIpAddress" in i for i in launched)  # default subnets are public


def test_zones_alone_need_a_default_subnet_in_each(spawn: Callable[..., Server]) -> None:
    cap = Capacity(spawn("--timing", "manual", "--no-default-vpc"))
    assert error_of(lambda: cap.create("zones", VPCZoneIdentifier=None, AvailabilityZones=["us-east-1a"])) == (
        "ValidationError",
        "No default subnet for availability zone: 'us-east-1a'.",
    )


def test_update_moves_desired_into_new_bounds_and_tags(cap: Capacity) -> None:
    cap.create()
    cap.asg.update_auto_scaling_group(AutoScalingGroupName=GROUP, MaxSize=1)
    group = cap.group()
    assert (group["MinSize"], group["MaxSize"], group["DesiredCapacity"]) == (1, 1, 1)
    cap.asg.create_or_update_tags(
        Tags=[
            {
                "ResourceId": GROUP,
                "ResourceType": "auto-scaling-group",
                "Key": "env",
                "Value": "dev",
                "PropagateAtLaunch": False,
            }
        ]
    )
    tags = cap.asg.describe_tags(Filters=[{"Name": "auto-scaling-group", "Values": [GROUP]}])["Tags"]
    assert [(t["Key"], t["Value"], t["PropagateAtLaunch"]) for t in tags] == [
        ("env", "dev", False),
        ("team", "net", True),
    ]
    cap.asg.delete_tags(Tags=[{"ResourceId": GROUP, "ResourceType": "auto-scaling-group", "Key": "env"}])
    assert [t["Key"] for t in cap.group()["Tags"]] == ["team"]
    cap.asg.put_scaling_policy(
        AutoScalingGroupName=GROUP,
        PolicyName="cpu",
        PolicyType="TargetTrackingScaling",
        TargetTrackingConfiguration={
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
            "TargetValue": 50.0,
        },
    )
    (policy,) = cap.asg.describe_policies(AutoScalingGroupName=GROUP)["ScalingPolicies"]
    assert policy["PolicyName"] == "cpu" and policy["PolicyType"] == "TargetTrackingScaling"
    cap.asg.put_lifecycle_hook(
        AutoScalingGroupName=GROUP,
        LifecycleHookName="drain",
        LifecycleTransition="autoscaling:EC2_INSTANCE_TERMINATING",
        HeartbeatTimeout=3600,
        DefaultResult="CONTINUE",
    )
    (hook,) = cap.asg.describe_lifecycle_hooks(AutoScalingGroupName=GROUP)["LifecycleHooks"]
    assert (hook["HeartbeatTimeout"], hook["GlobalTimeout"], hook["DefaultResult"]) == (3600, 172800, "CONTINUE")


def test_a_mixed_instances_policy_launches_its_first_override(cap: Capacity) -> None:
    mixed = {
        "LaunchTemplate": {
            "LaunchTemplateSpecification": {"LaunchTemplateId": cap.template["LaunchTemplateId"]},
            "Overrides": [{"InstanceType": "m5.xlarge"}, {"InstanceType": "c5.large"}],
        }
    }
    cap.asg.create_auto_scaling_group(
        AutoScalingGroupName="mixed", MixedInstancesPolicy=mixed, MinSize=1, MaxSize=2, VPCZoneIdentifier=cap.subnets[0]
    )
    cap.settle()
    (member,) = cap.members("mixed").values()
    assert member["InstanceType"] == "m5.xlarge" == cap.world.instance(member["InstanceId"])["InstanceType"]
    policy = cap.group("mixed")["MixedInstancesPolicy"]
    assert policy["LaunchTemplate"]["LaunchTemplateSpecification"]["Version"] == "$Default"
    assert policy["InstancesDistribution"]["OnDemandAllocationStrategy"] == "prioritized"


@pytest.mark.cli
def test_the_aws_cli_drives_a_group(cap: Capacity, tmp_path: Path) -> None:
    aws = make_cli(cap.world.server.url, tmp_path)
    aws(
        "autoscaling", "create-auto-scaling-group", "--auto-scaling-group-name", "cli",
        "--launch-template", "LaunchTemplateName=ecs", "--min-size", "1", "--max-size", "2",
        "--vpc-zone-identifier", cap.subnets[1],
    )  # fmt: skip
    cap.settle()
    (group,) = aws("autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", "cli")[
        "AutoScalingGroups"
    ]
    assert group["DesiredCapacity"] == 1 and [i["LifecycleState"] for i in group["Instances"]] == ["InService"]
    (row,) = aws("autoscaling", "describe-auto-scaling-instances")["AutoScalingInstances"]
    assert row["AutoScalingGroupName"] == "cli" and row["AvailabilityZone"] == "us-east-1b"


def test_an_unsigned_action_both_ec2_and_auto_scaling_have_goes_to_ec2(server: Server) -> None:
    """DescribeTags exists in EC2 and in Auto Scaling: without a signing scope or a Version naming
    one, EC2 answers it, as it did before Auto Scaling arrived (wire/models.SERVICE_NAMES)."""
    answer = server.post("/", data={"Action": "DescribeTags"})
    assert answer.status_code == 200 and "http://ec2.amazonaws.com/doc/2016-11-15/" in answer.text
    signed = server.client("autoscaling").describe_tags()  # signed for autoscaling: Auto Scaling answers
    assert signed["Tags"] == []


def test_a_template_naming_its_image_by_ssm_parameter_launches(cap: Capacity) -> None:
    """A launch template whose ImageId is `resolve:ssm:<parameter>` (as the ECS docs show for
    capacity providers): each launch reads the parameter, and the instances run its AMI."""
    w = cap.world
    image = w.ssm.get_parameter(Name=AL2023)["Parameter"]["Value"]
    w.ec2.create_launch_template(
        LaunchTemplateName="by-parameter",
        LaunchTemplateData={"ImageId": f"resolve:ssm:{AL2023}", "InstanceType": "c5.large"},
    )
    cap.create("by-parameter", LaunchTemplate={"LaunchTemplateName": "by-parameter"}, DesiredCapacity=1, Tags=None)
    cap.settle()
    members = cap.members("by-parameter")
    assert [m["LifecycleState"] for m in members.values()] == ["InService"]
    assert {w.instance(i)["ImageId"] for i in members} == {image}
    activities = cap.asg.describe_scaling_activities(AutoScalingGroupName="by-parameter")["Activities"]
    assert {a["StatusCode"] for a in activities} == {"Successful"}


def test_instance_maintenance_policy_is_kept_and_cleared(cap: Capacity) -> None:
    """InstanceMaintenancePolicy shows as given (it used to be dropped; found through the AWS SDK
    for JavaScript); -1 for both percentages removes it, as the API reference says."""
    cap.create(
        DesiredCapacity=0,
        MinSize=0,
        InstanceMaintenancePolicy={"MinHealthyPercentage": 90, "MaxHealthyPercentage": 120},
    )
    assert cap.group()["InstanceMaintenancePolicy"] == {"MinHealthyPercentage": 90, "MaxHealthyPercentage": 120}
    cap.asg.update_auto_scaling_group(
        AutoScalingGroupName=GROUP, InstanceMaintenancePolicy={"MinHealthyPercentage": 100, "MaxHealthyPercentage": 110}
    )
    assert cap.group()["InstanceMaintenancePolicy"] == {"MinHealthyPercentage": 100, "MaxHealthyPercentage": 110}
    cap.asg.update_auto_scaling_group(
        AutoScalingGroupName=GROUP, InstanceMaintenancePolicy={"MinHealthyPercentage": -1, "MaxHealthyPercentage": -1}
    )
    assert "InstanceMaintenancePolicy" not in cap.group()


def test_the_first_group_creates_the_auto_scaling_service_linked_role(cap: Capacity) -> None:
    """CreateAutoScalingGroup creates AWSServiceRoleForAutoScaling when the account lacks it (EC2
    Auto Scaling User Guide, service-linked roles), and the group names it."""
    iam = cap.world.server.client("iam")
    name = "AWSServiceRoleForAutoScaling"
    arn = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/{name}"
    assert error_of(lambda: iam.get_role(RoleName=name)) == (
        "NoSuchEntity",
        f"The role with name {name} cannot be found.",
    )
    # a refused request creates nothing, the role included
    assert error_of(lambda: cap.create(MinSize=3, MaxSize=2))[0] == "ValidationError"
    assert error_of(lambda: iam.get_role(RoleName=name))[0] == "NoSuchEntity"

    cap.create()
    role = iam.get_role(RoleName=name)["Role"]
    assert (role["Arn"], role["Path"]) == (arn, "/aws-service-role/autoscaling.amazonaws.com/")
    assert cap.group()["ServiceLinkedRoleARN"] == arn
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"]["Service"] in ("autoscaling.amazonaws.com", ["autoscaling.amazonaws.com"])
    # its AWS managed policy is not in trunkline's catalog, so none is attached (docs/decisions.md)
    assert iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"] == []
    # the next group uses the same role; it is protected like every service-linked role
    cap.create("second")
    assert iam.get_role(RoleName=name)["Role"]["RoleId"] == role["RoleId"]
    assert error_of(lambda: iam.delete_role(RoleName=name))[0] == "UnmodifiableEntity"
    # while groups use it, its deletion task fails and names them (EC2 Auto Scaling User Guide,
    # deleting the service-linked role); the role stays
    task = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
    assert task.startswith(f"task/aws-service-role/autoscaling.amazonaws.com/{name}/")
    groups = sorted(cap.group(g)["AutoScalingGroupARN"] for g in (GROUP, "second"))
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task) | {"ResponseMetadata": None} == {
        "Status": "FAILED",
        "Reason": {
            "Reason": f"Service-linked role {name} is in use by autoscaling.amazonaws.com; delete the resources "
            "that use it, then delete the role again.",
            "RoleUsageList": [{"Region": "us-east-1", "Resources": groups}],
        },
        "ResponseMetadata": None,
    }
    assert iam.get_role(RoleName=name)["Role"]["RoleId"] == role["RoleId"]
    # once both groups are gone the next deletion task succeeds; the failed one stays FAILED
    for group in (GROUP, "second"):
        cap.asg.delete_auto_scaling_group(AutoScalingGroupName=group, ForceDelete=True)
    cap.settle()
    done = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
    assert done != task
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "FAILED"
    answer = iam.get_service_linked_role_deletion_status(DeletionTaskId=done)
    assert answer["Status"] == "SUCCEEDED" and "Reason" not in answer
    assert error_of(lambda: iam.get_role(RoleName=name))[0] == "NoSuchEntity"
    # deleted, it comes back with the next group
    cap.create("third")
    assert iam.get_role(RoleName=name)["Role"]["Arn"] == arn


SLR_PATH = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/"


def test_a_group_takes_a_custom_suffix_service_linked_role_and_update_changes_it(cap: Capacity) -> None:
    """`ServiceLinkedRoleARN` names the role a group acts through (EC2 Auto Scaling User Guide,
    service-linked roles with a custom suffix); DescribeAutoScalingGroups shows it, Update changes
    it, and the role is then in use (its deletion task fails)."""
    iam = cap.world.server.client("iam")
    custom = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="web")["Role"]
    assert custom["Arn"] == SLR_PATH + "AWSServiceRoleForAutoScaling_web"
    cap.create(ServiceLinkedRoleARN=custom["Arn"])
    assert cap.group()["ServiceLinkedRoleARN"] == custom["Arn"]
    # naming a role is not "the default": the default role was not created
    assert error_of(lambda: iam.get_role(RoleName="AWSServiceRoleForAutoScaling"))[0] == "NoSuchEntity"
    task = iam.delete_service_linked_role(RoleName=custom["RoleName"])["DeletionTaskId"]
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "FAILED"
    # back to the default role: named by its ARN, Auto Scaling creates it as when none is named
    default = SLR_PATH + "AWSServiceRoleForAutoScaling"
    cap.asg.update_auto_scaling_group(AutoScalingGroupName=GROUP, ServiceLinkedRoleARN=default)
    assert cap.group()["ServiceLinkedRoleARN"] == default
    assert iam.get_role(RoleName="AWSServiceRoleForAutoScaling")["Role"]["Arn"] == default
    task = iam.delete_service_linked_role(RoleName=custom["RoleName"])["DeletionTaskId"]
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"


def test_a_service_linked_role_arn_must_name_an_auto_scaling_service_linked_role(cap: Capacity) -> None:
    """A role that does not exist, an ordinary role and another service's linked role are refused
    (ValidationError; the texts are ours, docs/decisions.md) and nothing is created or changed."""
    iam = cap.world.server.client("iam")
    missing = SLR_PATH + "AWSServiceRoleForAutoScaling_nope"
    assert error_of(lambda: cap.create(ServiceLinkedRoleARN=missing)) == (
        "ValidationError",
        f"Invalid ServiceLinkedRoleARN '{missing}': no role with this ARN exists in the account.",
    )
    ordinary = f"arn:aws:iam::{ACCOUNT}:role/ecsInstanceRole"
    assert error_of(lambda: cap.create(ServiceLinkedRoleARN=ordinary)) == (
        "ValidationError",
        f"Invalid ServiceLinkedRoleARN '{ordinary}': the role ecsInstanceRole is not a service-linked role for "
        "autoscaling.amazonaws.com.",
    )
    ecs_role = iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]["Arn"]  # made by CreateCluster
    assert error_of(lambda: cap.create(ServiceLinkedRoleARN=ecs_role))[1].endswith(
        "the role AWSServiceRoleForECS is not a service-linked role for autoscaling.amazonaws.com."
    )
    assert cap.asg.describe_auto_scaling_groups()["AutoScalingGroups"] == []
    assert error_of(lambda: iam.get_role(RoleName="AWSServiceRoleForAutoScaling"))[0] == "NoSuchEntity"
    cap.create()
    assert (
        error_of(
            lambda: cap.asg.update_auto_scaling_group(
                AutoScalingGroupName=GROUP, ServiceLinkedRoleARN=ordinary, MaxSize=9
            )
        )[0]
        == "ValidationError"
    )
    group = cap.group()
    assert (group["ServiceLinkedRoleARN"], group["MaxSize"]) == (SLR_PATH + "AWSServiceRoleForAutoScaling", 4)


@pytest.mark.cli
def test_the_aws_cli_names_a_groups_service_linked_role(cap: Capacity, tmp_path: Path) -> None:
    aws = make_cli(cap.world.server.url, tmp_path)
    arn = aws(
        "iam", "create-service-linked-role", "--aws-service-name", "autoscaling.amazonaws.com", "--custom-suffix", "cli"
    )["Role"]["Arn"]  # fmt: skip
    base = [
        "autoscaling", "create-auto-scaling-group", "--launch-template", "LaunchTemplateName=ecs",
        "--min-size", "0", "--max-size", "1", "--vpc-zone-identifier", cap.subnets[0],
    ]  # fmt: skip
    aws(*base, "--auto-scaling-group-name", "cli", "--service-linked-role-arn", arn)
    (group,) = aws("autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", "cli")[
        "AutoScalingGroups"
    ]
    assert group["ServiceLinkedRoleARN"] == arn
    from conftest import CliError

    wrong = f"arn:aws:iam::{ACCOUNT}:role/ecsInstanceRole"
    with pytest.raises(CliError) as caught:
        aws(*base, "--auto-scaling-group-name", "other", "--service-linked-role-arn", wrong)
    assert (
        "An error occurred (ValidationError) when calling the CreateAutoScalingGroup operation: Invalid "
        f"ServiceLinkedRoleARN '{wrong}': the role ecsInstanceRole is not a service-linked role for "
        "autoscaling.amazonaws.com." in caught.value.stderr
    )


def test_terminate_several_instances_or_name_one(cap: Capacity) -> None:
    """TerminateInstanceInAutoScalingGroup takes InstanceIds with AutoScalingGroupName (answered as
    Activities) or one InstanceId; the model requires neither, and a call naming no instance used
    to answer 500 (KeyError). Refusals change nothing (docs/decisions.md, session 9 fuzz)."""
    cap.create(DesiredCapacity=3)
    cap.settle()
    members = sorted(cap.members())
    digest = ec2_digest(cap.world.server)

    def refused(**params: Any) -> tuple[str, str]:
        found = error_of(lambda: cap.asg.terminate_instance_in_auto_scaling_group(**params))
        assert ec2_digest(cap.world.server) == digest
        return found

    assert refused(ShouldDecrementDesiredCapacity=True) == (
        "ValidationError",
        "Either InstanceId or InstanceIds must be specified.",
    )
    assert refused(InstanceIds=members[:1], ShouldDecrementDesiredCapacity=True) == (
        "ValidationError",
        "AutoScalingGroupName is required when using InstanceIds.",
    )
    assert refused(
        InstanceId=members[0], InstanceIds=members[:1], AutoScalingGroupName=GROUP, ShouldDecrementDesiredCapacity=True
    ) == ("ValidationError", "InstanceId and InstanceIds cannot be specified together.")
    assert refused(InstanceIds=members, AutoScalingGroupName=GROUP, ShouldDecrementDesiredCapacity=True) == (
        "ValidationError",
        "Terminating 3 instances without replacement will violate group's min size constraint. "
        "Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.",
    )
    assert refused(InstanceIds=members[:1], AutoScalingGroupName="other", ShouldDecrementDesiredCapacity=True) == (
        "ValidationError",
        "AutoScalingGroup name not found - AutoScalingGroup 'other' not found",
    )
    answer = cap.asg.terminate_instance_in_auto_scaling_group(
        InstanceIds=members[:2], AutoScalingGroupName=GROUP, ShouldDecrementDesiredCapacity=True
    )
    assert "Activity" not in answer
    assert [a["Description"] for a in answer["Activities"]] == [f"Terminating EC2 instance: {i}" for i in members[:2]]
    cap.settle()
    assert sorted(cap.members()) == members[2:]
    assert cap.group()["DesiredCapacity"] == 1
