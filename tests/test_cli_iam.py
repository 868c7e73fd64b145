"""IAM and STS through the real AWS CLI (`aws --endpoint-url`): the S15 prerequisites a user scripts,
role sessions, CLI-side pagination and error reporting. Kept to a handful of CLI calls (~0.5 s each)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import CliError, make_cli

# What the CLI prints of the wire. Every call here has boto3 tests that run on both stores
# (tests/test_iam*.py, test_sts*.py), so these run in the SQLite passes only.
pytestmark = [pytest.mark.cli, pytest.mark.one_store]

ACCOUNT = "123456789012"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def test_role_profile_and_session_through_the_cli(cli: Any, aws: Any, server: Any, tmp_path: Path) -> None:
    role = cli("iam", "create-role", "--role-name", "ecsInstanceRole", "--assume-role-policy-document", TRUST)["Role"]
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/ecsInstanceRole"
    cli("iam", "create-instance-profile", "--instance-profile-name", "ecsInstanceProfile")
    cli(
        "iam",
        "add-role-to-instance-profile",
        "--instance-profile-name",
        "ecsInstanceProfile",
        "--role-name",
        "ecsInstanceRole",
    )
    profile = aws("iam").get_instance_profile(InstanceProfileName="ecsInstanceProfile")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == ["ecsInstanceRole"]
    # The CLI prints the trust policy decoded, as it does against AWS.
    assert role["AssumeRolePolicyDocument"] == json.loads(TRUST)

    session = cli("sts", "assume-role", "--role-arn", role["Arn"], "--role-session-name", "from-cli")
    credentials = session["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    as_role = make_cli(
        server.url,
        tmp_path,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    identity = as_role("sts", "get-caller-identity")
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/ecsInstanceRole/from-cli"
    assert identity["UserId"] == f"{role['RoleId']}:from-cli"


def test_missing_role_is_reported_by_the_cli(cli: Any) -> None:
    with pytest.raises(CliError) as caught:
        cli("iam", "get-role", "--role-name", "nobody")
    assert caught.value.returncode != 0
    assert "(NoSuchEntity)" in caught.value.stderr
    assert "The role with name nobody cannot be found." in caught.value.stderr


def test_list_roles_pagination_through_the_cli(cli: Any, aws: Any) -> None:
    iam = aws("iam")
    for i in range(5):
        iam.create_role(RoleName=f"role-{i}", AssumeRolePolicyDocument=TRUST)
    # --page-size 2 makes the CLI fetch 2 per request; --max-items 3 stops it after 3 and hands back a token.
    first = cli("iam", "list-roles", "--max-items", "3", "--page-size", "2")
    assert [r["RoleName"] for r in first["Roles"]] == ["role-0", "role-1", "role-2"]
    assert first["NextToken"]
    rest = cli("iam", "list-roles", "--page-size", "2", "--starting-token", first["NextToken"])
    assert [r["RoleName"] for r in rest["Roles"]] == ["role-3", "role-4"]
    assert "NextToken" not in rest


def test_service_linked_role_custom_suffix_through_the_cli(cli: Any) -> None:
    """`aws iam create-service-linked-role --custom-suffix`: Auto Scaling takes one, ECS refuses it."""
    role = cli(
        "iam", "create-service-linked-role", "--aws-service-name", "autoscaling.amazonaws.com", "--custom-suffix", "b"
    )["Role"]
    assert role["RoleName"] == "AWSServiceRoleForAutoScaling_b"
    with pytest.raises(CliError) as raised:
        cli("iam", "create-service-linked-role", "--aws-service-name", "ecs.amazonaws.com", "--custom-suffix", "b")
    assert "(InvalidInput) when calling the CreateServiceLinkedRole operation: Custom suffix is not allowed for " in (
        raised.value.stderr
    )
    task = cli("iam", "delete-service-linked-role", "--role-name", "AWSServiceRoleForAutoScaling_b")["DeletionTaskId"]
    assert cli("iam", "get-service-linked-role-deletion-status", "--deletion-task-id", task) == {"Status": "SUCCEEDED"}
