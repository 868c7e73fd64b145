"""A new ECS-on-EC2 user's sweep of Auto Scaling, IAM, STS, SSM and CloudWatch Logs (session 7,
second sweep): each case is pinned to AWS's documented or observed answer, driven with boto3 and
the AWS CLI against a real server."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import CliError, Server, make_cli
from ec2_world import error_of
from test_autoscaling import GROUP, Capacity

LAUNCHING = "autoscaling:EC2_INSTANCE_LAUNCHING"
TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING"


def digest(server: Server) -> str:
    # Not ec2_world.digest: settling the manual clock would end the lifecycle hooks' waits.
    return str(server.get("/_trunkline/state/digest").json()["digest"])


@pytest.fixture
def cap(spawn: Callable[..., Server]) -> Capacity:
    return Capacity(spawn("--timing", "manual"))


# --- Auto Scaling --------------------------------------------------------------------------------------


def test_a_terminating_activity_names_the_instances_subnet(cap: Capacity, tmp_path: Path) -> None:
    """AWS's "Terminating EC2 instance" activity carries the instance's subnet in its Details, as its
    launch activity does (`{"Availability Zone":"us-east-1b","Subnet ID":"subnet-67f89410"}` in the
    CLI's answer to terminate-instance-in-auto-scaling-group, gist watchamcb/cf6e8e4a03f204fe9fe4);
    trunkline's read `"Subnet ID": ""`."""
    cap.create(DesiredCapacity=2)
    cap.settle()
    victim, other = sorted(cap.members())
    subnet = cap.world.instance(victim)["SubnetId"]
    answer = cap.asg.terminate_instance_in_auto_scaling_group(InstanceId=victim, ShouldDecrementDesiredCapacity=True)
    details = json.loads(answer["Activity"]["Details"])
    assert details == {
        "Subnet ID": subnet,
        "Availability Zone": cap.world.instance(victim)["Placement"]["AvailabilityZone"],
    }
    cli = make_cli(cap.world.server.url, tmp_path)
    other_subnet = cap.world.instance(other)["SubnetId"]
    shown = cli(
        "autoscaling",
        "terminate-instance-in-auto-scaling-group",
        "--instance-id",
        other,
        "--no-should-decrement-desired-capacity",
    )
    assert json.loads(shown["Activity"]["Details"])["Subnet ID"] == other_subnet
    listed = cap.asg.describe_scaling_activities(AutoScalingGroupName=GROUP)["Activities"]
    terminating = [json.loads(a["Details"])["Subnet ID"] for a in listed if a["Description"].startswith("Terminating")]
    assert sorted(terminating) == sorted([subnet, other_subnet])


def test_put_lifecycle_hook_checks_heartbeat_timeout_and_default_result(cap: Capacity, tmp_path: Path) -> None:
    """PutLifecycleHook: "The range is from 30 to 7200 seconds" for HeartbeatTimeout, DefaultResult
    is CONTINUE or ABANDON (API reference). trunkline stored 10, 8000 and MAYBE (a hook timing out
    after 10 s, or applying a result that is neither). AWS's texts are not documented: decisions.md."""
    cap.create(DesiredCapacity=0, MinSize=0)
    before = digest(cap.world.server)
    for timeout in (29, 7201):
        assert error_of(
            lambda t=timeout: cap.asg.put_lifecycle_hook(
                AutoScalingGroupName=GROUP, LifecycleHookName="h", LifecycleTransition=TERMINATING, HeartbeatTimeout=t
            )
        ) == (
            "ValidationError",
            f"Heartbeat timeout {timeout} is not valid. The heartbeat timeout must be between 30 and 7200 seconds.",
            400,
        )
    assert error_of(
        lambda: cap.asg.put_lifecycle_hook(
            AutoScalingGroupName=GROUP, LifecycleHookName="h", LifecycleTransition=TERMINATING, DefaultResult="MAYBE"
        )
    ) == ("ValidationError", "Default result MAYBE is not valid. Valid results are CONTINUE or ABANDON", 400)
    with pytest.raises(CliError) as caught:
        make_cli(cap.world.server.url, tmp_path)(
            "autoscaling", "put-lifecycle-hook", "--auto-scaling-group-name", GROUP, "--lifecycle-hook-name", "h",
            "--lifecycle-transition", LAUNCHING, "--heartbeat-timeout", "10",
        )  # fmt: skip
    assert "(ValidationError) when calling the PutLifecycleHook operation: Heartbeat timeout 10" in caught.value.stderr
    assert digest(cap.world.server) == before
    assert cap.asg.describe_lifecycle_hooks(AutoScalingGroupName=GROUP)["LifecycleHooks"] == []
    for timeout in (30, 7200):
        cap.asg.put_lifecycle_hook(
            AutoScalingGroupName=GROUP, LifecycleHookName=f"h{timeout}", LifecycleTransition=TERMINATING,
            HeartbeatTimeout=timeout,
        )  # fmt: skip
    hooks = cap.asg.describe_lifecycle_hooks(AutoScalingGroupName=GROUP)["LifecycleHooks"]
    assert [(h["HeartbeatTimeout"], h["GlobalTimeout"]) for h in hooks] == [(30, 3000), (7200, 172800)]


def test_updating_a_lifecycle_hook_keeps_what_the_update_leaves_out(cap: Capacity) -> None:
    """PutLifecycleHook "creates or updates"; the transition is "required for new lifecycle hooks,
    but optional when updating existing hooks" (API reference). trunkline refused an update without
    it ("Invalid Lifecycle Transition") and reset the members an update left out to their defaults."""
    cap.create(DesiredCapacity=0, MinSize=0)
    cap.asg.put_lifecycle_hook(
        AutoScalingGroupName=GROUP, LifecycleHookName="drain", LifecycleTransition=TERMINATING,
        HeartbeatTimeout=120, DefaultResult="CONTINUE", NotificationMetadata="first",
    )  # fmt: skip
    cap.asg.put_lifecycle_hook(AutoScalingGroupName=GROUP, LifecycleHookName="drain", NotificationMetadata="second")
    (hook,) = cap.asg.describe_lifecycle_hooks(AutoScalingGroupName=GROUP)["LifecycleHooks"]
    assert (hook["LifecycleTransition"], hook["HeartbeatTimeout"], hook["GlobalTimeout"], hook["DefaultResult"]) == (
        TERMINATING,
        120,
        12000,
        "CONTINUE",
    )
    assert hook["NotificationMetadata"] == "second"
    cap.asg.put_lifecycle_hook(AutoScalingGroupName=GROUP, LifecycleHookName="drain", HeartbeatTimeout=60)
    (hook,) = cap.asg.describe_lifecycle_hooks(AutoScalingGroupName=GROUP)["LifecycleHooks"]
    assert (hook["HeartbeatTimeout"], hook["GlobalTimeout"], hook["DefaultResult"]) == (60, 6000, "CONTINUE")
    # A new hook still needs its transition.
    assert error_of(lambda: cap.asg.put_lifecycle_hook(AutoScalingGroupName=GROUP, LifecycleHookName="new")) == (
        "ValidationError",
        "Invalid Lifecycle Transition",
        400,
    )


def test_describe_auto_scaling_groups_limits_names_and_page_sizes(cap: Capacity) -> None:
    """AWS refuses more than 50 group names with "The number of group names that may be passed in is
    limited to 50" (ValidationError; boto/botocore#1444, kubernetes/autoscaler#1228); trunkline
    answered; DescribeAutoScalingInstances documents at most 50 InstanceIds (its text is decided in
    decisions.md). A page holds at most the documented maximum of MaxRecords (100 groups, 50 instances,
    100 activities) whatever MaxRecords asks: trunkline returned every record in one page."""
    assert error_of(
        lambda: cap.asg.describe_auto_scaling_groups(AutoScalingGroupNames=[f"g{n}" for n in range(51)])
    ) == ("ValidationError", "The number of group names that may be passed in is limited to 50", 400)
    assert (
        cap.asg.describe_auto_scaling_groups(AutoScalingGroupNames=[f"g{n}" for n in range(50)])["AutoScalingGroups"]
        == []
    )
    ids = [f"i-{n:017x}" for n in range(51)]
    assert error_of(lambda: cap.asg.describe_auto_scaling_instances(InstanceIds=ids)) == (
        "ValidationError",
        "The number of instance ids that may be passed in is limited to 50",
        400,
    )
    assert cap.asg.describe_auto_scaling_instances(InstanceIds=ids[:50])["AutoScalingInstances"] == []
    cap.create(DesiredCapacity=0, MinSize=0, MaxSize=60)
    cap.asg.set_desired_capacity(AutoScalingGroupName=GROUP, DesiredCapacity=51)
    cap.settle()
    page = cap.asg.describe_auto_scaling_instances(MaxRecords=1000)
    assert len(page["AutoScalingInstances"]) == 50 and page["NextToken"]
    rest = cap.asg.describe_auto_scaling_instances(MaxRecords=1000, NextToken=page["NextToken"])
    assert len(rest["AutoScalingInstances"]) == 1 and "NextToken" not in rest
    activities = cap.asg.get_paginator("describe_scaling_activities").paginate(AutoScalingGroupName=GROUP)
    assert sum(len(p["Activities"]) for p in activities) == 51


def test_tag_keys_starting_with_aws_are_refused(cap: Capacity, tmp_path: Path) -> None:
    """The `aws:` prefix is reserved for AWS (Auto Scaling's tagging guide); trunkline stored such a
    tag, and with PropagateAtLaunch every later launch failed in EC2 ("Tag keys starting with 'aws:'
    are reserved for internal use", EC2's observed text, miqdigital/aws-utils#13). Refused up front,
    with that text, by CreateAutoScalingGroup, CreateOrUpdateTags and DeleteTags."""
    reserved = {"Key": "aws:team", "Value": "x", "PropagateAtLaunch": True}
    refusal = ("ValidationError", "Tag keys starting with 'aws:' are reserved for internal use", 400)
    before = digest(cap.world.server)
    assert error_of(lambda: cap.create(Tags=[reserved])) == refusal
    assert digest(cap.world.server) == before
    cap.create(DesiredCapacity=0, MinSize=0)
    before = digest(cap.world.server)
    target = {"ResourceId": GROUP, "ResourceType": "auto-scaling-group"}
    ok = {**target, "Key": "team", "Value": "y", "PropagateAtLaunch": True}
    assert error_of(lambda: cap.asg.create_or_update_tags(Tags=[ok, {**target, **reserved}])) == refusal
    assert error_of(lambda: cap.asg.delete_tags(Tags=[{**target, "Key": "AWS:autoscaling:groupName"}])) == refusal
    with pytest.raises(CliError) as caught:
        make_cli(cap.world.server.url, tmp_path)(
            "autoscaling", "create-or-update-tags", "--tags",
            f"ResourceId={GROUP},ResourceType=auto-scaling-group,Key=aws:x,Value=1,PropagateAtLaunch=true",
        )  # fmt: skip
    assert "(ValidationError) when calling the CreateOrUpdateTags operation: Tag keys starting" in caught.value.stderr
    assert digest(cap.world.server) == before
    assert [t["Key"] for t in cap.group()["Tags"]] == ["team"]


# --- IAM trust policies ----------------------------------------------------------------------------


def _trust(principal: dict[str, Any], action: str = "sts:AssumeRole") -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": action}]}
    )


def test_a_trust_policy_naming_a_missing_role_or_user_is_refused(server: Server, tmp_path: Path) -> None:
    """IAM resolves a trusted role or user ARN when it stores the trust policy; one that does not
    exist is `MalformedPolicyDocument` "Invalid principal in policy: "AWS":"<arn>"" on CreateRole and
    UpdateAssumeRolePolicy (hashicorp/terraform-provider-aws#8905, databrickslabs/ucx#2269,
    opstrace/opstrace#88). trunkline stored it."""
    iam = server.client("iam")
    ghost = "arn:aws:iam::123456789012:role/ghost"
    refusal = ("MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{ghost}"', 400)
    before = digest(server)
    assert error_of(lambda: iam.create_role(RoleName="app", AssumeRolePolicyDocument=_trust({"AWS": ghost}))) == refusal
    assert digest(server) == before
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=_trust({"AWS": "123456789012"}))
    before = digest(server)
    assert error_of(lambda: iam.update_assume_role_policy(RoleName="app", PolicyDocument=_trust({"AWS": ghost}))) == (
        refusal
    )
    wrong_path = "arn:aws:iam::123456789012:role/team/app"  # `app` exists, at path `/`
    assert error_of(
        lambda: iam.update_assume_role_policy(RoleName="app", PolicyDocument=_trust({"AWS": [wrong_path]}))
    ) == ("MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{wrong_path}"', 400)
    with pytest.raises(CliError) as caught:
        make_cli(server.url, tmp_path)(
            "iam", "update-assume-role-policy", "--role-name", "app", "--policy-document",
            _trust({"AWS": "arn:aws:iam::123456789012:user/nobody"}),
        )  # fmt: skip
    assert 'Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:user/nobody"' in caught.value.stderr
    assert digest(server) == before
    # Once they exist, both are accepted; so are the account, its root and other accounts.
    iam.create_role(RoleName="ghost", AssumeRolePolicyDocument=_trust({"Service": "ec2.amazonaws.com"}))
    iam.create_user(UserName="nobody")
    for principal in (
        ghost,
        "arn:aws:iam::123456789012:user/nobody",
        "arn:aws:iam::123456789012:root",
        "arn:aws:iam::210987654321:role/elsewhere",
    ):
        iam.update_assume_role_policy(RoleName="app", PolicyDocument=_trust({"AWS": principal}))


def test_a_trust_policy_allows_only_sts_actions(server: Server) -> None:
    """IAM refuses a trust policy whose actions are not STS's: `MalformedPolicyDocument` "AssumeRole
    policy may only specify STS AssumeRole actions."; trunkline stored `ecs:ListClusters` in one."""
    iam = server.client("iam")
    ec2 = {"Service": "ec2.amazonaws.com"}
    before = digest(server)
    assert error_of(
        lambda: iam.create_role(RoleName="odd", AssumeRolePolicyDocument=_trust(ec2, "ecs:ListClusters"))
    ) == ("MalformedPolicyDocument", "AssumeRole policy may only specify STS AssumeRole actions.", 400)
    assert digest(server) == before
    iam.create_role(RoleName="odd", AssumeRolePolicyDocument=_trust(ec2))
    for action in ("sts:TagSession", "STS:AssumeRole", "sts:*", "*"):
        iam.update_assume_role_policy(RoleName="odd", PolicyDocument=_trust(ec2, action))
    assert error_of(
        lambda: iam.update_assume_role_policy(RoleName="odd", PolicyDocument=_trust(ec2, "iam:PassRole"))
    ) == ("MalformedPolicyDocument", "AssumeRole policy may only specify STS AssumeRole actions.", 400)


def test_a_group_pending_delete_cannot_be_resized(cap: Capacity, tmp_path: Path) -> None:
    """While a force-deleted group terminates its instances, AWS refuses UpdateAutoScalingGroup with
    "The AutoScaling group may not be modified while it is pending delete" (ValidationError;
    kubernetes/kops#844, yaybu/touchdown#134). trunkline took new sizes, and a new MinSize launched
    instances into the group being deleted. SetDesiredCapacity is refused the same way."""
    cap.create(DesiredCapacity=1)
    cap.settle()
    cap.asg.delete_auto_scaling_group(AutoScalingGroupName=GROUP, ForceDelete=True)
    assert cap.group()["Status"] == "Delete in progress"
    before = digest(cap.world.server)
    refusal = ("ValidationError", "The AutoScaling group may not be modified while it is pending delete", 400)
    assert error_of(lambda: cap.asg.update_auto_scaling_group(AutoScalingGroupName=GROUP, MinSize=2, MaxSize=4)) == (
        refusal
    )
    assert error_of(lambda: cap.asg.set_desired_capacity(AutoScalingGroupName=GROUP, DesiredCapacity=0)) == refusal
    with pytest.raises(CliError) as caught:
        make_cli(cap.world.server.url, tmp_path)(
            "autoscaling", "update-auto-scaling-group", "--auto-scaling-group-name", GROUP, "--max-size", "3"
        )
    assert "may not be modified while it is pending delete" in caught.value.stderr
    assert digest(cap.world.server) == before
    cap.settle()
    assert cap.asg.describe_auto_scaling_groups(AutoScalingGroupNames=[GROUP])["AutoScalingGroups"] == []


_POLICY_REFUSALS: list[tuple[dict[str, Any], str]] = [
    (
        {"AdjustmentType": "ExactCapacity", "ScalingAdjustment": -1},
        "The lower range for adjustment is 0 with the specified adjustment type.",
    ),
    (
        {"PolicyType": "StepScaling", "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}]},
        "You must specify an AdjustmentType for policy type: StepScaling",
    ),
    ({"ScalingAdjustment": 1}, "You must specify an AdjustmentType for policy type: SimpleScaling"),
    ({"AdjustmentType": "ChangeInCapacity"}, "You must specify a ScalingAdjustment for policy type: SimpleScaling"),
    (
        {"PolicyType": "StepScaling", "AdjustmentType": "ChangeInCapacity"},
        "You must specify at least one StepAdjustment for policy type: StepScaling",
    ),
    (
        {"AdjustmentType": "Bogus", "ScalingAdjustment": 1},
        "Invalid adjustment type: Bogus. Valid adjustment types are ChangeInCapacity, ExactCapacity, "
        "PercentChangeInCapacity.",
    ),
    (
        {"PolicyType": "Bogus", "AdjustmentType": "ChangeInCapacity", "ScalingAdjustment": 1},
        "Invalid policy type: Bogus. Valid policy types are SimpleScaling, StepScaling, TargetTrackingScaling, "
        "PredictiveScaling.",
    ),
]


def test_put_scaling_policy_checks_what_each_policy_type_needs(cap: Capacity) -> None:
    """PutScalingPolicy: AdjustmentType is "required if the policy type is StepScaling or
    SimpleScaling", ScalingAdjustment "required if the policy type is SimpleScaling", StepAdjustments
    "required if the policy type is StepScaling" (API reference); AWS's observed texts: "The lower
    range for adjustment is 0 with the specified adjustment type." (hashicorp/terraform#19332) and
    "You must specify an AdjustmentType for policy type: StepScaling" (aws/aws-cdk#28794); the others
    are decisions.md's. trunkline stored every one of these."""
    cap.create(DesiredCapacity=0, MinSize=0)
    before = digest(cap.world.server)  # a manual clock: nothing runs between the calls
    for params, message in _POLICY_REFUSALS:
        assert error_of(
            lambda p=params: cap.asg.put_scaling_policy(AutoScalingGroupName=GROUP, PolicyName="p", **p)
        ) == (
            "ValidationError",
            message,
            400,
        ), params
    assert digest(cap.world.server) == before
    assert cap.asg.describe_policies(AutoScalingGroupName=GROUP)["ScalingPolicies"] == []
    cap.asg.put_scaling_policy(
        AutoScalingGroupName=GROUP, PolicyName="ok", AdjustmentType="ExactCapacity", ScalingAdjustment=0
    )
    cap.asg.put_scaling_policy(
        AutoScalingGroupName=GROUP, PolicyName="steps", PolicyType="StepScaling", AdjustmentType="ChangeInCapacity",
        StepAdjustments=[{"MetricIntervalUpperBound": 0, "ScalingAdjustment": -1}],
    )  # fmt: skip
