"""`--enforce-iam` end to end with boto3 and the AWS CLI: identity policies (inline and managed)
decide every call by a user or role session, with each protocol's denial (IAM/STS AccessDenied 403,
ECS AccessDeniedException 400, EC2 UnauthorizedOperation 403) naming principal, action and
resource; iam:PassRole guards roles handed to ECS and EC2; the simulated agent calls ECS as the
instance's role, so a role without ecs:RegisterContainerInstance never joins the cluster. The root
user (any credentials trunkline did not issue) is never denied."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, Server, fresh_state, make_cli, release_state, start_process, stop_process
from ecs_world import World, config_script
from trunkline.runtime import Config
from trunkline.server import run_in_thread

INSTANCE_ROLE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
EC2_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


@pytest.fixture(scope="module")
def _enforcing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    state = fresh_state(tmp_path_factory.mktemp("enforce"))
    try:
        if os.environ.get("TRUNKLINE_TEST_MODE", "process") == "inprocess":
            with run_in_thread(Config(state=state, enforce_iam=True)) as url:
                yield Server(url=url, state=state, mode="inprocess")
            return
        server = start_process(state, "--enforce-iam")
        try:
            yield server
        finally:
            stop_process(server)
    finally:
        release_state(state)


@pytest.fixture
def enforcing(_enforcing: Server) -> Server:
    _enforcing.reset()
    return _enforcing


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response: Any = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _user(server: Server, name: str, *statements: dict[str, Any]) -> dict[str, str]:
    iam = server.client("iam")
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=_policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}


def test_user_without_policies_is_denied_in_each_protocol(enforcing: Server) -> None:
    creds = _user(enforcing, "nobody")
    user = f"arn:aws:iam::{ACCOUNT}:user/nobody"
    with pytest.raises(ClientError) as caught:
        enforcing.client("iam", **creds).create_user(UserName="x")
    assert _error(caught) == (
        "AccessDenied",
        f"User: {user} is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::{ACCOUNT}:user/x "
        "because no identity-based policy allows the iam:CreateUser action",
        403,
    )
    with pytest.raises(ClientError) as caught:
        enforcing.client("ecs", **creds).list_clusters()
    assert _error(caught) == (
        "AccessDeniedException",
        f"User: {user} is not authorized to perform: ecs:ListClusters on resource: * "
        "because no identity-based policy allows the ecs:ListClusters action",
        400,
    )
    with pytest.raises(ClientError) as caught:
        enforcing.client("ec2", **creds).describe_vpcs()
    assert _error(caught) == ("UnauthorizedOperation", "You are not authorized to perform this operation.", 403)
    # a denied request changes nothing
    assert "x" not in [u["UserName"] for u in enforcing.client("iam").list_users()["Users"]]
    # GetCallerIdentity needs no permission
    assert enforcing.client("sts", **creds).get_caller_identity()["Arn"] == user


def test_allow_with_wildcards_explicit_deny_and_conditions(enforcing: Server) -> None:
    creds = _user(
        enforcing,
        "ops",
        {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "ecs:DeleteCluster", "Resource": f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/prod"},
        {
            "Effect": "Deny",
            "Action": "ecs:*",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
        },
    )
    ecs = enforcing.client("ecs", **creds)
    ecs.create_cluster(clusterName="prod")
    ecs.create_cluster(clusterName="dev")
    ecs.delete_cluster(cluster="dev")
    with pytest.raises(ClientError) as caught:
        ecs.delete_cluster(cluster="prod")
    assert _error(caught)[0] == "AccessDeniedException"
    assert _error(caught)[1].endswith("with an explicit deny in an identity-based policy")
    assert f"on resource: arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/prod" in _error(caught)[1]
    import boto3
    from botocore.config import Config as BotoConfig

    west = boto3.client(
        "ecs",
        endpoint_url=enforcing.url,
        region_name="ap-south-1",
        config=BotoConfig(retries={"max_attempts": 1}),
        **creds,
    )
    with pytest.raises(ClientError) as caught:
        west.list_clusters()
    assert _error(caught)[0] == "AccessDeniedException"


def test_managed_policy_attached_to_user_grants_and_versions_switch_it(enforcing: Server) -> None:
    iam = enforcing.client("iam")
    creds = _user(enforcing, "reader")
    arn = iam.create_policy(
        PolicyName="read", PolicyDocument=_policy({"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"})
    )["Policy"]["Arn"]
    ec2 = enforcing.client("ec2", **creds)
    with pytest.raises(ClientError):
        ec2.describe_vpcs()
    iam.attach_user_policy(UserName="reader", PolicyArn=arn)
    assert "Vpcs" in ec2.describe_vpcs()
    iam.create_policy_version(
        PolicyArn=arn,
        PolicyDocument=_policy({"Effect": "Allow", "Action": "ecs:List*", "Resource": "*"}),
        SetAsDefault=True,
    )
    with pytest.raises(ClientError):
        ec2.describe_vpcs()
    assert enforcing.client("ecs", **creds).list_clusters()["clusterArns"] == []


def test_pass_role_to_ecs_tasks(enforcing: Server) -> None:
    iam = enforcing.client("iam")
    iam.create_role(
        RoleName="ecsTaskExecutionRole",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
    )
    role = f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole"
    definition = {
        "family": "web",
        "executionRoleArn": role,
        "containerDefinitions": [{"name": "app", "image": "nginx", "memory": 128}],
    }
    without = _user(enforcing, "dev", {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"})
    with pytest.raises(ClientError) as caught:
        enforcing.client("ecs", **without).register_task_definition(**definition)
    assert _error(caught) == (
        "AccessDeniedException",
        f"User: arn:aws:iam::{ACCOUNT}:user/dev is not authorized to perform: iam:PassRole on resource: {role} "
        "because no identity-based policy allows the iam:PassRole action",
        400,
    )
    wrong_service = _user(
        enforcing,
        "dev2",
        {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": role,
            "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
        },
    )
    with pytest.raises(ClientError):
        enforcing.client("ecs", **wrong_service).register_task_definition(**definition)
    allowed = _user(
        enforcing,
        "dev3",
        {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": role,
            "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        },
    )
    registered = enforcing.client("ecs", **allowed).register_task_definition(**definition)["taskDefinition"]
    assert registered["executionRoleArn"] == role


ALMOST = ["ecs:DiscoverPollEndpoint", "ecs:Poll", "ecs:Submit*"]  # everything the agent needs but registering


def _instance_world(server: Server, role: str, *, managed: bool, actions: list[str] | None = None) -> tuple[World, str]:
    world = World(server)
    world.iam.create_role(RoleName=role, AssumeRolePolicyDocument=EC2_TRUST)
    if managed:
        world.iam.attach_role_policy(RoleName=role, PolicyArn=INSTANCE_ROLE_POLICY)
    else:
        world.iam.put_role_policy(
            RoleName=role,
            PolicyName="almost",
            PolicyDocument=_policy({"Effect": "Allow", "Action": actions or ALMOST, "Resource": "*"}),
        )
    world.iam.create_instance_profile(InstanceProfileName=role)
    world.iam.add_role_to_instance_profile(InstanceProfileName=role, RoleName=role)
    world.ecs.create_cluster(clusterName="web")
    subnet = world.network()["subnet"]
    instance_id = world.launch(subnet, profile=role, user_data=config_script("web"))
    world.settle()
    return world, instance_id


def test_instance_role_without_register_never_joins_the_cluster(enforcing: Server) -> None:
    world, instance_id = _instance_world(enforcing, "weakRole", managed=False)
    agent = world.agent(instance_id)
    assert agent["state"] == "failed"
    assert agent["reason"] == (
        "RegisterContainerInstance failed: AccessDeniedException: User: "
        f"arn:aws:sts::{ACCOUNT}:assumed-role/weakRole/{instance_id} is not authorized to perform: "
        f"ecs:RegisterContainerInstance on resource: arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/web "
        "because no identity-based policy allows the ecs:RegisterContainerInstance action"
    )
    assert world.ecs.list_container_instances(cluster="web")["containerInstanceArns"] == []


def test_instance_role_that_may_register_but_not_poll_stays_disconnected(enforcing: Server) -> None:
    world, instance_id = _instance_world(
        enforcing, "noPoll", managed=False, actions=["ecs:RegisterContainerInstance", "ecs:DiscoverPollEndpoint"]
    )
    agent = world.agent(instance_id)
    assert agent["state"] == "disconnected"
    assert "ecs:Poll on resource: arn:aws:ecs:us-east-1:" in agent["reason"]
    arns = world.ecs.list_container_instances(cluster="web")["containerInstanceArns"]
    assert len(arns) == 1
    described = world.ecs.describe_container_instances(cluster="web", containerInstances=arns)["containerInstances"]
    assert described[0]["agentConnected"] is False


def test_instance_role_with_the_aws_managed_policy_registers(enforcing: Server) -> None:
    world, instance_id = _instance_world(enforcing, "ecsInstanceRole", managed=True)
    assert world.agent(instance_id)["state"] == "registered"
    arns = world.ecs.list_container_instances(cluster="web")["containerInstanceArns"]
    described = world.ecs.describe_container_instances(cluster="web", containerInstances=arns)["containerInstances"]
    assert [c["agentConnected"] for c in described] == [True]


def test_pass_role_for_an_instance_profile(enforcing: Server) -> None:
    iam = enforcing.client("iam")
    iam.create_role(RoleName="ecsInstanceRole", AssumeRolePolicyDocument=EC2_TRUST)
    iam.create_instance_profile(InstanceProfileName="ecsInstanceRole")
    iam.add_role_to_instance_profile(InstanceProfileName="ecsInstanceRole", RoleName="ecsInstanceRole")
    world = World(enforcing)
    subnet = world.network()["subnet"]
    image = world.image()
    creds = _user(
        enforcing, "launcher", {"Effect": "Allow", "Action": ["ec2:RunInstances", "ec2:Describe*"], "Resource": "*"}
    )
    ec2 = enforcing.client("ec2", **creds)
    with pytest.raises(ClientError) as caught:
        ec2.run_instances(
            ImageId=image,
            InstanceType="c5.large",
            MinCount=1,
            MaxCount=1,
            SubnetId=subnet,
            IamInstanceProfile={"Name": "ecsInstanceRole"},
        )
    code, message, status = _error(caught)
    assert (code, status) == ("UnauthorizedOperation", 403)
    assert message.startswith(
        "You are not authorized to perform this operation. Encoded authorization failure message: "
    )
    assert ec2.describe_instances()["Reservations"] == []


def test_root_is_never_denied_and_cli_sees_the_denial(enforcing: Server, tmp_path: Path) -> None:
    assert enforcing.client("iam").create_user(UserName="u")  # default credentials act as root
    creds = _user(enforcing, "clidev")
    cli = make_cli(enforcing.url, tmp_path, **creds)
    from conftest import CliError

    with pytest.raises(CliError) as caught:
        cli("iam", "list-roles")
    assert "AccessDenied" in caught.value.stderr
    assert (
        f"User: arn:aws:iam::{ACCOUNT}:user/clidev is not authorized to perform: iam:ListRoles" in caught.value.stderr
    )


def test_iam_is_always_us_east_1(enforcing: Server) -> None:
    import boto3
    from botocore.config import Config as BotoConfig

    creds = _user(
        enforcing,
        "lister",
        {
            "Effect": "Allow",
            "Action": "iam:ListRoles",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
        },
    )
    config = BotoConfig(retries={"max_attempts": 1})
    iam = boto3.client("iam", endpoint_url=enforcing.url, region_name="eu-west-1", config=config, **creds)
    assert iam.list_roles()["Roles"] == []  # signed for eu-west-1, still us-east-1 to IAM


def test_pass_role_for_an_instance_profile_from_a_launch_template(enforcing: Server) -> None:
    iam = enforcing.client("iam")
    iam.create_role(RoleName="ecsInstanceRole", AssumeRolePolicyDocument=EC2_TRUST)
    iam.create_instance_profile(InstanceProfileName="ecsInstanceRole")
    iam.add_role_to_instance_profile(InstanceProfileName="ecsInstanceRole", RoleName="ecsInstanceRole")
    world = World(enforcing)
    subnet = world.network()["subnet"]
    enforcing.client("ec2").create_launch_template(
        LaunchTemplateName="ecs",
        LaunchTemplateData={
            "ImageId": world.image(),
            "InstanceType": "c5.large",
            "IamInstanceProfile": {"Name": "ecsInstanceRole"},
        },
    )
    role = f"arn:aws:iam::{ACCOUNT}:role/ecsInstanceRole"
    launch = {"LaunchTemplate": {"LaunchTemplateName": "ecs"}, "MinCount": 1, "MaxCount": 1, "SubnetId": subnet}
    run = {"Effect": "Allow", "Action": ["ec2:RunInstances", "ec2:Describe*"], "Resource": "*"}
    without = enforcing.client("ec2", **_user(enforcing, "lt1", run))
    with pytest.raises(ClientError) as caught:
        without.run_instances(**launch)
    assert _error(caught)[0] == "UnauthorizedOperation"
    passing = {
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": role,
        "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
    }
    allowed = enforcing.client("ec2", **_user(enforcing, "lt2", run, passing))
    assert allowed.run_instances(**launch)["Instances"][0]["IamInstanceProfile"]["Arn"].endswith("/ecsInstanceRole")


def test_auto_scaling_groups_need_pass_role_for_their_role_and_may_create_the_default(enforcing: Server) -> None:
    """A group given a nondefault `ServiceLinkedRoleARN` hands that role to Auto Scaling, so the
    caller needs iam:PassRole on it; the default role needs none, but creating it (the account's
    first group) needs iam:CreateServiceLinkedRole (EC2 Auto Scaling User Guide, API permissions)."""
    world = World(enforcing)
    subnet = world.network()["subnet"]
    enforcing.client("ec2").create_launch_template(
        LaunchTemplateName="plain", LaunchTemplateData={"ImageId": world.image(), "InstanceType": "c5.large"}
    )
    role = enforcing.client("iam").create_service_linked_role(
        AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="team"
    )["Role"]["Arn"]
    group = {
        "LaunchTemplate": {"LaunchTemplateName": "plain"},
        "MinSize": 0,
        "MaxSize": 1,
        "VPCZoneIdentifier": subnet,
    }
    scaler = {"Effect": "Allow", "Action": "autoscaling:*", "Resource": "*"}
    without = enforcing.client("autoscaling", **_user(enforcing, "scaler", scaler))
    # the first group creates the default role, which needs iam:CreateServiceLinkedRole (EC2 Auto
    # Scaling User Guide, API permissions); refused, the group and the role are not created
    default = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    with pytest.raises(ClientError) as caught:
        without.create_auto_scaling_group(AutoScalingGroupName="default-role", **group)
    assert _error(caught) == (
        "AccessDenied",
        f"User: arn:aws:iam::{ACCOUNT}:user/scaler is not authorized to perform: iam:CreateServiceLinkedRole on "
        f"resource: {default} because no identity-based policy allows the iam:CreateServiceLinkedRole action",
        403,
    )
    assert without.describe_auto_scaling_groups()["AutoScalingGroups"] == []
    creator = {
        "Effect": "Allow",
        "Action": "iam:CreateServiceLinkedRole",
        "Resource": default,
        "Condition": {"StringEquals": {"iam:AWSServiceName": "autoscaling.amazonaws.com"}},
    }
    first = enforcing.client("autoscaling", **_user(enforcing, "first", scaler, creator))
    first.create_auto_scaling_group(AutoScalingGroupName="default-role", **group)
    # once it exists no such permission is needed, and naming the default role needs no PassRole
    without.create_auto_scaling_group(AutoScalingGroupName="named-default", ServiceLinkedRoleARN=default, **group)
    with pytest.raises(ClientError) as caught:
        without.create_auto_scaling_group(AutoScalingGroupName="named", ServiceLinkedRoleARN=role, **group)
    assert _error(caught) == (
        "AccessDenied",
        f"User: arn:aws:iam::{ACCOUNT}:user/scaler is not authorized to perform: iam:PassRole on resource: {role} "
        "because no identity-based policy allows the iam:PassRole action",
        403,
    )
    with pytest.raises(ClientError) as caught:
        without.update_auto_scaling_group(AutoScalingGroupName="default-role", ServiceLinkedRoleARN=role)
    assert _error(caught)[0] == "AccessDenied"
    passing = {
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": role,
        "Condition": {"StringEquals": {"iam:PassedToService": "autoscaling.amazonaws.com"}},
    }
    allowed = enforcing.client("autoscaling", **_user(enforcing, "scaler2", scaler, passing))
    allowed.create_auto_scaling_group(AutoScalingGroupName="named", ServiceLinkedRoleARN=role, **group)
    described = allowed.describe_auto_scaling_groups(AutoScalingGroupNames=["named", "default-role", "named-default"])
    assert sorted(g["ServiceLinkedRoleARN"].rsplit("/", 1)[-1] for g in described["AutoScalingGroups"]) == [
        "AWSServiceRoleForAutoScaling",
        "AWSServiceRoleForAutoScaling",
        "AWSServiceRoleForAutoScaling_team",
    ]


# --- permissions boundaries ----------------------------------------------------------------------


def _account_trust() -> str:
    return _policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
    )


def _session(server: Server, role: str) -> dict[str, str]:
    """Credentials of a session of `role`, assumed by a user allowed to assume any role."""
    creds = _user(server, f"assumer-{role}", {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    answer = server.client("sts", **creds).assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{role}", RoleSessionName="s1"
    )
    key = answer["Credentials"]
    return {
        "aws_access_key_id": key["AccessKeyId"],
        "aws_secret_access_key": key["SecretAccessKey"],
        "aws_session_token": key["SessionToken"],
    }


def test_a_role_boundary_caps_what_its_identity_policy_allows(enforcing: Server) -> None:
    iam = enforcing.client("iam")
    cap = iam.create_policy(
        PolicyName="ecs-read-only",
        PolicyDocument=_policy(
            {"Effect": "Allow", "Action": ["ecs:List*", "ecs:Describe*"], "Resource": "*"},
            {"Effect": "Deny", "Action": "ecs:DeleteCluster", "Resource": "*"},
        ),
    )["Policy"]["Arn"]
    iam.create_role(RoleName="runner", AssumeRolePolicyDocument=_account_trust(), PermissionsBoundary=cap)
    iam.put_role_policy(
        RoleName="runner",
        PolicyName="p",
        PolicyDocument=_policy({"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}),
    )
    runner = _session(enforcing, "runner")
    ecs = enforcing.client("ecs", **runner)
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/runner/s1"
    assert ecs.list_clusters()["clusterArns"] == []  # allowed by both
    with pytest.raises(ClientError) as caught:
        ecs.run_task(taskDefinition="web:1", cluster="default")
    assert _error(caught) == (
        "AccessDeniedException",
        f"User: {session} is not authorized to perform: ecs:RunTask on resource: "
        f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/web:1 because no permissions boundary allows the "
        "ecs:RunTask action",
        400,
    )
    with pytest.raises(ClientError) as caught:
        ecs.delete_cluster(cluster="prod")
    assert _error(caught) == (
        "AccessDeniedException",
        f"User: {session} is not authorized to perform: ecs:DeleteCluster on resource: "
        f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/prod with an explicit deny in a permissions boundary",
        400,
    )
    # what the identity policy does not allow is still its denial, boundary or not
    with pytest.raises(ClientError) as caught:
        enforcing.client("ec2", **runner).describe_vpcs()
    assert _error(caught)[0] == "UnauthorizedOperation"
    # without the boundary the identity policy alone decides
    iam.delete_role_permissions_boundary(RoleName="runner")
    with pytest.raises(ClientError) as caught:
        ecs.run_task(taskDefinition="web:1", cluster="default")
    assert "not authorized" not in _error(caught)[1]


def test_a_user_boundary_caps_iam_calls_and_an_aws_managed_boundary_works(enforcing: Server) -> None:
    iam = enforcing.client("iam")
    creds = _user(enforcing, "capped", {"Effect": "Allow", "Action": ["iam:*", "ecs:*"], "Resource": "*"})
    iam.put_user_permissions_boundary(
        UserName="capped", PermissionsBoundary="arn:aws:iam::aws:policy/AmazonECS_FullAccess"
    )
    user = f"arn:aws:iam::{ACCOUNT}:user/capped"
    assert enforcing.client("ecs", **creds).list_clusters()["clusterArns"] == []
    with pytest.raises(ClientError) as caught:
        enforcing.client("iam", **creds).create_user(UserName="x")
    assert _error(caught) == (
        "AccessDenied",
        f"User: {user} is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::{ACCOUNT}:user/x "
        "because no permissions boundary allows the iam:CreateUser action",
        403,
    )
    assert "x" not in [u["UserName"] for u in iam.list_users()["Users"]]


def test_assume_role_through_an_account_trust_needs_the_boundary_too(enforcing: Server) -> None:
    iam = enforcing.client("iam")
    cap = iam.create_policy(
        PolicyName="no-sts", PolicyDocument=_policy({"Effect": "Allow", "Action": "ecs:*", "Resource": "*"})
    )["Policy"]["Arn"]
    creds = _user(enforcing, "hopper", {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    iam.put_user_permissions_boundary(UserName="hopper", PermissionsBoundary=cap)
    iam.create_role(RoleName="by-account", AssumeRolePolicyDocument=_account_trust())
    sts = enforcing.client("sts", **creds)
    with pytest.raises(ClientError) as caught:
        sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/by-account", RoleSessionName="s1")
    assert _error(caught) == (
        "AccessDenied",
        f"User: arn:aws:iam::{ACCOUNT}:user/hopper is not authorized to perform: sts:AssumeRole on resource: "
        f"arn:aws:iam::{ACCOUNT}:role/by-account because no permissions boundary allows the sts:AssumeRole action",
        403,
    )
    # a trust policy naming the user itself is a resource-based grant: the boundary does not cap it
    iam.create_role(
        RoleName="by-name",
        AssumeRolePolicyDocument=_policy(
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/hopper"}, "Action": "sts:AssumeRole"}
        ),
    )
    assert sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/by-name", RoleSessionName="s1")["Credentials"]
    # ... but not past a Deny in the boundary
    denying = iam.create_policy(
        PolicyName="deny-sts",
        PolicyDocument=_policy(
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"},
        ),
    )["Policy"]["Arn"]
    iam.put_user_permissions_boundary(UserName="hopper", PermissionsBoundary=denying)
    with pytest.raises(ClientError) as caught:
        sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/by-name", RoleSessionName="s1")
    assert _error(caught) == (
        "AccessDenied",
        f"User: arn:aws:iam::{ACCOUNT}:user/hopper is not authorized to perform: sts:AssumeRole on resource: "
        f"arn:aws:iam::{ACCOUNT}:role/by-name with an explicit deny in a permissions boundary",
        403,
    )


def test_role_chaining_trust_by_role_arn_is_capped_by_the_boundary(enforcing: Server) -> None:
    """A trust policy naming a role's ARN grants its sessions, but within the role's boundary; one
    naming the session ARN itself is not capped (IAM User Guide, evaluation logic)."""
    iam = enforcing.client("iam")
    cap = iam.create_policy(
        PolicyName="ecs-only", PolicyDocument=_policy({"Effect": "Allow", "Action": "ecs:*", "Resource": "*"})
    )["Policy"]["Arn"]
    iam.create_role(RoleName="chainer", AssumeRolePolicyDocument=_account_trust(), PermissionsBoundary=cap)
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/chainer/s1"
    for name, principal in (("via-role", f"arn:aws:iam::{ACCOUNT}:role/chainer"), ("via-session", session)):
        iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=_policy(
                {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
            ),
        )
    sts = enforcing.client("sts", **_session(enforcing, "chainer"))
    with pytest.raises(ClientError) as caught:
        sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/via-role", RoleSessionName="s2")
    assert _error(caught) == (
        "AccessDenied",
        f"User: {session} is not authorized to perform: sts:AssumeRole on resource: "
        f"arn:aws:iam::{ACCOUNT}:role/via-role because no permissions boundary allows the sts:AssumeRole action",
        403,
    )
    assert sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/via-session", RoleSessionName="s2")["Credentials"]
    # without the boundary the role ARN's grant is enough
    iam.delete_role_permissions_boundary(RoleName="chainer")
    assert sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/via-role", RoleSessionName="s2")["Credentials"]


def test_permissions_boundary_condition_key_on_iam_actions(enforcing: Server) -> None:
    """The delegated-administrator pattern: create roles and change their policies only with our
    boundary (`iam:PermissionsBoundary`)."""
    iam = enforcing.client("iam")
    cap = iam.create_policy(
        PolicyName="team-cap", PolicyDocument=_policy({"Effect": "Allow", "Action": "ecs:*", "Resource": "*"})
    )["Policy"]["Arn"]
    only_ours = {"StringEquals": {"iam:PermissionsBoundary": cap}}
    read_only = _policy({"Effect": "Allow", "Action": "ecs:List*", "Resource": "*"})
    creds = _user(
        enforcing,
        "delegate",
        {
            "Effect": "Allow",
            "Action": ["iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"],
            "Resource": "*",
            "Condition": only_ours,
        },
    )
    delegate = enforcing.client("iam", **creds)
    with pytest.raises(ClientError) as caught:
        delegate.create_role(RoleName="loose", AssumeRolePolicyDocument=EC2_TRUST)
    assert _error(caught) == (
        "AccessDenied",
        f"User: arn:aws:iam::{ACCOUNT}:user/delegate is not authorized to perform: iam:CreateRole on resource: "
        f"arn:aws:iam::{ACCOUNT}:role/loose because no identity-based policy allows the iam:CreateRole action",
        403,
    )
    delegate.create_role(RoleName="tight", AssumeRolePolicyDocument=EC2_TRUST, PermissionsBoundary=cap)
    # changing a role's policies: the key is the boundary the role has
    delegate.put_role_policy(RoleName="tight", PolicyName="p", PolicyDocument=read_only)
    iam.create_role(RoleName="other", AssumeRolePolicyDocument=EC2_TRUST)
    with pytest.raises(ClientError) as caught:
        delegate.put_role_policy(RoleName="other", PolicyName="p", PolicyDocument=read_only)
    assert _error(caught)[0] == "AccessDenied"
    with pytest.raises(ClientError) as caught:
        delegate.put_role_permissions_boundary(
            RoleName="other", PermissionsBoundary="arn:aws:iam::aws:policy/AmazonECS_FullAccess"
        )
    assert _error(caught)[0] == "AccessDenied"
    delegate.put_role_permissions_boundary(RoleName="other", PermissionsBoundary=cap)
    assert iam.get_role(RoleName="other")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == cap


def test_permissions_boundary_condition_key_on_reading_changing_and_deleting_roles(
    enforcing: Server, tmp_path: Path
) -> None:
    """GetRole, UpdateAssumeRolePolicy and DeleteRole carry `iam:PermissionsBoundary` too (the
    Service Authorization Reference lists it for them): the boundary the role has."""
    iam = enforcing.client("iam")
    cap = iam.create_policy(
        PolicyName="team-cap", PolicyDocument=_policy({"Effect": "Allow", "Action": "ecs:*", "Resource": "*"})
    )["Policy"]["Arn"]
    iam.create_role(RoleName="tight", AssumeRolePolicyDocument=EC2_TRUST, PermissionsBoundary=cap)
    iam.create_role(RoleName="loose", AssumeRolePolicyDocument=EC2_TRUST)
    creds = _user(
        enforcing,
        "keeper",
        {
            "Effect": "Allow",
            "Action": ["iam:GetRole", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole"],
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:PermissionsBoundary": cap}},
        },
    )
    keeper = enforcing.client("iam", **creds)
    assert keeper.get_role(RoleName="tight")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == cap
    with pytest.raises(ClientError) as caught:
        keeper.get_role(RoleName="loose")
    assert _error(caught) == (
        "AccessDenied",
        f"User: arn:aws:iam::{ACCOUNT}:user/keeper is not authorized to perform: iam:GetRole on resource: "
        f"arn:aws:iam::{ACCOUNT}:role/loose because no identity-based policy allows the iam:GetRole action",
        403,
    )
    keeper.update_assume_role_policy(RoleName="tight", PolicyDocument=_account_trust())
    with pytest.raises(ClientError) as caught:
        keeper.update_assume_role_policy(RoleName="loose", PolicyDocument=_account_trust())
    assert _error(caught)[0] == "AccessDenied"
    from conftest import CliError

    cli = make_cli(enforcing.url, tmp_path, **creds)
    with pytest.raises(CliError) as failed:
        cli("iam", "delete-role", "--role-name", "loose")
    assert (
        "An error occurred (AccessDenied) when calling the DeleteRole operation: User: "
        f"arn:aws:iam::{ACCOUNT}:user/keeper is not authorized to perform: iam:DeleteRole on resource: "
        f"arn:aws:iam::{ACCOUNT}:role/loose because no identity-based policy allows the iam:DeleteRole action"
        in failed.value.stderr
    )
    cli("iam", "delete-role", "--role-name", "tight")
    assert sorted(r["RoleName"] for r in iam.list_roles()["Roles"]) == ["loose"]
