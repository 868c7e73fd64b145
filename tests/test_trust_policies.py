"""Trust policies decide AssumeRole in every mode (no --enforce-iam needed): principals (users,
role sessions, the account, services, "*"), conditions such as sts:ExternalId, explicit denies,
AWS's AccessDenied text; and EC2 gives an instance its role's credentials only when the role
trusts ec2.amazonaws.com, so an agent on an instance whose role does not never registers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT
from ecs_world import World, config_script

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/deploy"


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response: Any = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _trust(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _user(aws: Any, name: str, policy: dict[str, Any] | None = None) -> Any:
    iam = aws("iam")
    iam.create_user(UserName=name)
    if policy is not None:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return aws("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])


ALLOW_ASSUME = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
}


def test_trust_naming_the_user_is_enough_and_others_are_denied(aws: Any) -> None:
    principal = {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"}
    alice, bob = _user(aws, "alice"), _user(aws, "bob", ALLOW_ASSUME)  # a trusted user must exist first
    aws("iam").create_role(
        RoleName="deploy",
        AssumeRolePolicyDocument=_trust({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}),
    )
    assert alice.assume_role(RoleArn=ROLE_ARN, RoleSessionName="aa")["AssumedRoleUser"]["Arn"].endswith("/deploy/aa")
    with pytest.raises(ClientError) as caught:
        bob.assume_role(RoleArn=ROLE_ARN, RoleSessionName="bb")
    assert _error(caught) == (
        "AccessDenied",
        f"User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: sts:AssumeRole on resource: {ROLE_ARN} "
        "because no resource-based policy allows the sts:AssumeRole action",
        403,
    )
    # the default (any credentials) caller is the account root: not named, so refused as well
    with pytest.raises(ClientError) as caught:
        aws("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="rr")
    assert _error(caught)[0] == "AccessDenied"


def test_trusting_the_account_needs_an_identity_allow(aws: Any) -> None:
    account = {"AWS": ACCOUNT}
    aws("iam").create_role(
        RoleName="deploy",
        AssumeRolePolicyDocument=_trust({"Effect": "Allow", "Principal": account, "Action": "sts:AssumeRole"}),
    )
    with pytest.raises(ClientError) as caught:
        _user(aws, "carol").assume_role(RoleArn=ROLE_ARN, RoleSessionName="cc")
    assert _error(caught) == (
        "AccessDenied",
        f"User: arn:aws:iam::{ACCOUNT}:user/carol is not authorized to perform: sts:AssumeRole on resource: "
        f"{ROLE_ARN} because no identity-based policy allows the sts:AssumeRole action",
        403,
    )
    assert _user(aws, "dave", ALLOW_ASSUME).assume_role(RoleArn=ROLE_ARN, RoleSessionName="dd")
    assert aws("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="root")  # root of the trusted account


def test_external_id_condition_and_explicit_deny(aws: Any) -> None:
    me = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    mallory = _user(aws, "mallory", ALLOW_ASSUME)
    aws("iam").create_role(
        RoleName="deploy",
        AssumeRolePolicyDocument=_trust(
            {
                "Effect": "Allow",
                "Principal": me,
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "Unique-ID-42"}},
            },
            {
                "Effect": "Deny",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/mallory"},
                "Action": "sts:AssumeRole",
            },
        ),
    )
    sts = aws("sts")
    with pytest.raises(ClientError) as caught:
        sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="xx")
    assert _error(caught)[0] == "AccessDenied"
    with pytest.raises(ClientError):
        sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="xx", ExternalId="wrong-id")
    assert sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="xx", ExternalId="Unique-ID-42")
    with pytest.raises(ClientError) as caught:
        mallory.assume_role(RoleArn=ROLE_ARN, RoleSessionName="mm", ExternalId="Unique-ID-42")
    assert _error(caught)[1].endswith("with an explicit deny in a resource-based policy")


def test_identity_deny_beats_trust_allow(aws: Any) -> None:
    principal = {"AWS": f"arn:aws:iam::{ACCOUNT}:user/erin"}
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sts:*", "Resource": "*"}]}
    erin = _user(aws, "erin", deny)
    aws("iam").create_role(
        RoleName="deploy",
        AssumeRolePolicyDocument=_trust({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}),
    )
    with pytest.raises(ClientError) as caught:
        erin.assume_role(RoleArn=ROLE_ARN, RoleSessionName="ee")
    assert _error(caught)[1].endswith("with an explicit deny in an identity-based policy")
    # GetCallerIdentity needs no permission and works even under an explicit deny
    assert erin.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/erin"


def test_service_only_trust_refuses_users(aws: Any) -> None:
    aws("iam").create_role(
        RoleName="deploy",
        AssumeRolePolicyDocument=_trust(
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ),
    )
    with pytest.raises(ClientError) as caught:
        _user(aws, "frank", ALLOW_ASSUME).assume_role(RoleArn=ROLE_ARN, RoleSessionName="ff")
    assert _error(caught)[0] == "AccessDenied"


def test_instance_role_that_does_not_trust_ec2_gets_no_credentials(server: Any) -> None:
    world = World(server)
    world.iam.create_role(
        RoleName="notForEc2",
        AssumeRolePolicyDocument=_trust(
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ),
    )
    world.iam.create_instance_profile(InstanceProfileName="notForEc2")
    world.iam.add_role_to_instance_profile(InstanceProfileName="notForEc2", RoleName="notForEc2")
    world.ecs.create_cluster(clusterName="web")
    subnet = world.network()["subnet"]
    instance_id = world.launch(subnet, profile="notForEc2", user_data=config_script("web"))
    world.settle()
    agent = world.agent(instance_id)
    assert agent["state"] == "failed"
    assert "does not trust ec2.amazonaws.com" in agent["reason"]
    assert world.ecs.list_container_instances(cluster="web")["containerInstanceArns"] == []


TASK_MESSAGE = (
    "ECS was unable to assume the role '{}' that was provided for this task. Please verify that the role being "
    "passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role."
)


def _task_definition(ecs: Any, role: str) -> None:
    ecs.register_task_definition(
        family="web", taskRoleArn=role, containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128}]
    )


def test_run_task_with_a_role_ecs_tasks_cannot_assume_is_a_client_exception(server: Any, aws: Any) -> None:
    ecs = aws("ecs")
    ecs.create_cluster(clusterName="web")
    aws("iam").create_role(
        RoleName="ec2Only",
        AssumeRolePolicyDocument=_trust(
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ),
    )
    role = f"arn:aws:iam::{ACCOUNT}:role/ec2Only"
    _task_definition(ecs, role)
    with pytest.raises(ClientError) as caught:
        ecs.run_task(cluster="web", taskDefinition="web")
    assert _error(caught) == ("ClientException", TASK_MESSAGE.format(role), 400)
    missing = f"arn:aws:iam::{ACCOUNT}:role/ghost"
    with pytest.raises(ClientError) as caught:
        ecs.run_task(cluster="web", taskDefinition="web", overrides={"taskRoleArn": missing})
    assert _error(caught) == ("ClientException", TASK_MESSAGE.format(missing), 400)
    # once the role trusts ecs-tasks.amazonaws.com, the launch goes on (here: to placement)
    aws("iam").update_assume_role_policy(
        RoleName="ec2Only",
        PolicyDocument=_trust(
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ),
    )
    with pytest.raises(ClientError) as caught:
        ecs.run_task(cluster="web", taskDefinition="web")
    assert _error(caught)[0] == "InvalidParameterException"  # no container instances, not the role


def test_service_with_an_unassumable_task_role_records_aws_event(server: Any, aws: Any) -> None:
    ecs = aws("ecs")
    ecs.create_cluster(clusterName="web")
    role = f"arn:aws:iam::{ACCOUNT}:role/missing"
    _task_definition(ecs, role)
    ecs.create_service(cluster="web", serviceName="site", taskDefinition="web", desiredCount=1)
    server.post("/_trunkline/clock/settle").raise_for_status()
    service = ecs.describe_services(cluster="web", services=["site"])["services"][0]
    assert service["events"][0]["message"] == (
        f"(service site) failed to launch a task with (error {TASK_MESSAGE.format(role)})."
    )
    assert service["runningCount"] == 0
