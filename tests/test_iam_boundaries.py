"""Permissions boundaries of roles and users over boto3 and the AWS CLI against a real server:
set on CreateRole/CreateUser and by Put*PermissionsBoundary, answered by GetRole/GetUser (not by
ListRoles/ListUsers), removed by Delete*PermissionsBoundary; a policy's
PermissionsBoundaryUsageCount, ListEntitiesForPolicy and ListPolicies by usage, DeletePolicy's
refusal while a boundary uses the policy; and the errors IAM answers, which change nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)
DOC = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}]})
AWS_POLICY = "arn:aws:iam::aws:policy/AmazonECS_FullAccess"
SERVICE_ROLE_POLICY = "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response: Any = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _attached(arn: str) -> dict[str, str]:
    return {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}


@pytest.fixture
def iam(aws: Any) -> Any:
    return aws("iam")


@pytest.fixture
def boundary(iam: Any) -> str:
    return str(iam.create_policy(PolicyName="cap", PolicyDocument=DOC)["Policy"]["Arn"])


def test_create_role_and_user_with_a_boundary(iam: Any, boundary: str) -> None:
    created = iam.create_role(RoleName="capped", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=AWS_POLICY)
    assert created["Role"]["PermissionsBoundary"] == _attached(AWS_POLICY)
    assert iam.get_role(RoleName="capped")["Role"]["PermissionsBoundary"] == _attached(AWS_POLICY)
    user = iam.create_user(UserName="dev", PermissionsBoundary=boundary)["User"]
    assert user["PermissionsBoundary"] == _attached(boundary)
    assert iam.get_user(UserName="dev")["User"]["PermissionsBoundary"] == _attached(boundary)
    # ListRoles and ListUsers do not return PermissionsBoundary (IAM API Reference)
    assert all("PermissionsBoundary" not in r for r in iam.list_roles()["Roles"])
    assert all("PermissionsBoundary" not in u for u in iam.list_users()["Users"])
    # without one, there is no member at all
    iam.create_role(RoleName="free", AssumeRolePolicyDocument=TRUST)
    assert "PermissionsBoundary" not in iam.get_role(RoleName="free")["Role"]


def test_put_replace_and_delete_boundaries(iam: Any, boundary: str) -> None:
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    iam.put_role_permissions_boundary(RoleName="r", PermissionsBoundary=boundary)
    assert iam.get_role(RoleName="r")["Role"]["PermissionsBoundary"] == _attached(boundary)
    iam.put_role_permissions_boundary(RoleName="r", PermissionsBoundary=AWS_POLICY)
    assert iam.get_role(RoleName="r")["Role"]["PermissionsBoundary"] == _attached(AWS_POLICY)
    iam.delete_role_permissions_boundary(RoleName="r")
    assert "PermissionsBoundary" not in iam.get_role(RoleName="r")["Role"]
    iam.delete_role_permissions_boundary(RoleName="r")  # none to remove: nothing changes, no error

    iam.create_user(UserName="u")
    iam.put_user_permissions_boundary(UserName="u", PermissionsBoundary=boundary)
    assert iam.get_user(UserName="u")["User"]["PermissionsBoundary"] == _attached(boundary)
    iam.delete_user_permissions_boundary(UserName="u")
    assert "PermissionsBoundary" not in iam.get_user(UserName="u")["User"]
    # a role or user with a boundary is deleted with it
    iam.put_role_permissions_boundary(RoleName="r", PermissionsBoundary=boundary)
    iam.delete_role(RoleName="r")
    assert iam.get_policy(PolicyArn=boundary)["Policy"]["PermissionsBoundaryUsageCount"] == 0


def test_a_boundary_must_be_an_existing_managed_policy(iam: Any) -> None:
    missing = f"arn:aws:iam::{ACCOUNT}:policy/nope"
    with pytest.raises(ClientError) as caught:
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=missing)
    assert _error(caught) == ("NoSuchEntity", f"Scope ARN: {missing} does not exist or is not attachable.", 404)
    with pytest.raises(ClientError) as caught:
        iam.create_user(UserName="u", PermissionsBoundary="arn:aws:s3:::some-bucket/key")
    assert _error(caught) == ("InvalidInput", "ARN arn:aws:s3:::some-bucket/key is not valid.", 400)
    # the refused creates created nothing
    assert "r" not in [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert "u" not in [u["UserName"] for u in iam.list_users()["Users"]]

    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    with pytest.raises(ClientError) as caught:
        iam.put_role_permissions_boundary(RoleName="r", PermissionsBoundary=SERVICE_ROLE_POLICY)
    assert _error(caught) == ("PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.", 400)
    with pytest.raises(ClientError) as caught:
        iam.put_role_permissions_boundary(RoleName="r", PermissionsBoundary=missing)
    assert _error(caught)[0] == "NoSuchEntity"
    assert "PermissionsBoundary" not in iam.get_role(RoleName="r")["Role"]
    with pytest.raises(ClientError) as caught:
        iam.put_user_permissions_boundary(UserName="ghost", PermissionsBoundary=AWS_POLICY)
    assert _error(caught) == ("NoSuchEntity", "The user with name ghost cannot be found.", 404)
    with pytest.raises(ClientError) as caught:
        iam.delete_role_permissions_boundary(RoleName="ghost")
    assert _error(caught) == ("NoSuchEntity", "The role with name ghost cannot be found.", 404)


def test_a_service_linked_role_takes_no_boundary(iam: Any) -> None:
    iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    for call in (
        lambda: iam.put_role_permissions_boundary(RoleName="AWSServiceRoleForECS", PermissionsBoundary=AWS_POLICY),
        lambda: iam.delete_role_permissions_boundary(RoleName="AWSServiceRoleForECS"),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert _error(caught) == (
            "UnmodifiableEntity",
            "Cannot perform the operation on the protected role 'AWSServiceRoleForECS' - this role is only "
            "modifiable by AWS",
            400,
        )
    assert "PermissionsBoundary" not in iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]


def test_usage_count_entities_listing_and_delete_conflict(iam: Any, boundary: str) -> None:
    iam.create_role(RoleName="bounded", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=boundary)
    iam.create_role(RoleName="attached", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="attached", PolicyArn=boundary)
    iam.create_user(UserName="both", PermissionsBoundary=boundary)
    iam.attach_user_policy(UserName="both", PolicyArn=boundary)
    policy = iam.get_policy(PolicyArn=boundary)["Policy"]
    assert (policy["AttachmentCount"], policy["PermissionsBoundaryUsageCount"]) == (2, 2)

    def entities(**filters: str) -> tuple[list[str], list[str]]:
        found = iam.list_entities_for_policy(PolicyArn=boundary, **filters)
        return [r["RoleName"] for r in found["PolicyRoles"]], [u["UserName"] for u in found["PolicyUsers"]]

    assert entities() == (["attached", "bounded"], ["both"])
    assert entities(PolicyUsageFilter="PermissionsBoundary") == (["bounded"], ["both"])
    assert entities(PolicyUsageFilter="PermissionsPolicy") == (["attached"], ["both"])
    assert entities(PolicyUsageFilter="PermissionsBoundary", EntityFilter="Role") == (["bounded"], [])
    listed = iam.list_policies(Scope="Local", PolicyUsageFilter="PermissionsBoundary")["Policies"]
    assert [(p["PolicyName"], p["PermissionsBoundaryUsageCount"]) for p in listed] == [("cap", 2)]

    iam.detach_role_policy(RoleName="attached", PolicyArn=boundary)
    iam.detach_user_policy(UserName="both", PolicyArn=boundary)
    # a boundary still uses the policy: refused, as for an attachment
    with pytest.raises(ClientError) as caught:
        iam.delete_policy(PolicyArn=boundary)
    assert _error(caught) == ("DeleteConflict", "Cannot delete a policy attached to entities.", 409)
    iam.delete_role_permissions_boundary(RoleName="bounded")
    iam.delete_user_permissions_boundary(UserName="both")
    assert iam.get_policy(PolicyArn=boundary)["Policy"]["PermissionsBoundaryUsageCount"] == 0
    assert iam.list_policies(Scope="Local", PolicyUsageFilter="PermissionsBoundary")["Policies"] == []
    iam.delete_policy(PolicyArn=boundary)


def test_boundaries_with_the_aws_cli(cli: Callable[..., Any], iam: Any, boundary: str) -> None:
    cli("iam", "create-role", "--role-name", "clirole", "--assume-role-policy-document", TRUST)
    cli("iam", "put-role-permissions-boundary", "--role-name", "clirole", "--permissions-boundary", boundary)
    assert cli("iam", "get-role", "--role-name", "clirole")["Role"]["PermissionsBoundary"] == _attached(boundary)
    created = cli("iam", "create-user", "--user-name", "cliuser", "--permissions-boundary", AWS_POLICY)
    assert created["User"]["PermissionsBoundary"] == _attached(AWS_POLICY)
    cli("iam", "delete-user-permissions-boundary", "--user-name", "cliuser")
    assert "PermissionsBoundary" not in cli("iam", "get-user", "--user-name", "cliuser")["User"]
    assert cli("iam", "get-policy", "--policy-arn", boundary)["Policy"]["PermissionsBoundaryUsageCount"] == 1
