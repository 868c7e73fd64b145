"""Every IAM policy and tag operation through the real AWS CLI (`aws iam ... --endpoint-url`):
what a user scripts, read back as the CLI prints it (documents decoded to JSON), and one error."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import CliError

# What the CLI prints of the wire. Every call here has boto3 tests that run on both stores
# (tests/test_iam*.py), so these run in the SQLite passes only.
pytestmark = [pytest.mark.cli, pytest.mark.one_store]

ACCOUNT = "123456789012"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)
DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}]}
MANAGED = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"


def test_every_policy_operation_through_the_cli(cli: Any) -> None:
    doc = json.dumps(DOC)
    cli("iam", "create-role", "--role-name", "app", "--assume-role-policy-document", TRUST)
    cli("iam", "create-user", "--user-name", "alice")

    # inline policies, roles and users
    cli("iam", "put-role-policy", "--role-name", "app", "--policy-name", "inline", "--policy-document", doc)
    assert cli("iam", "get-role-policy", "--role-name", "app", "--policy-name", "inline")["PolicyDocument"] == DOC
    assert cli("iam", "list-role-policies", "--role-name", "app")["PolicyNames"] == ["inline"]
    cli("iam", "delete-role-policy", "--role-name", "app", "--policy-name", "inline")
    cli("iam", "put-user-policy", "--user-name", "alice", "--policy-name", "inline", "--policy-document", doc)
    assert cli("iam", "get-user-policy", "--user-name", "alice", "--policy-name", "inline")["PolicyDocument"] == DOC
    assert cli("iam", "list-user-policies", "--user-name", "alice")["PolicyNames"] == ["inline"]
    cli("iam", "delete-user-policy", "--user-name", "alice", "--policy-name", "inline")

    # managed policies and versions
    arn = cli("iam", "create-policy", "--policy-name", "deploy", "--policy-document", doc)["Policy"]["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:policy/deploy"
    assert cli("iam", "get-policy", "--policy-arn", arn)["Policy"]["DefaultVersionId"] == "v1"
    assert [p["Arn"] for p in cli("iam", "list-policies", "--scope", "Local")["Policies"]] == [arn]
    cli("iam", "create-policy-version", "--policy-arn", arn, "--policy-document", doc, "--set-as-default")
    assert (
        cli("iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v2")["PolicyVersion"]["Document"] == DOC
    )
    versions = cli("iam", "list-policy-versions", "--policy-arn", arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v2", "v1"]
    cli("iam", "set-default-policy-version", "--policy-arn", arn, "--version-id", "v1")
    cli("iam", "delete-policy-version", "--policy-arn", arn, "--version-id", "v2")

    # attachments
    cli("iam", "attach-role-policy", "--role-name", "app", "--policy-arn", MANAGED)
    attached = cli("iam", "list-attached-role-policies", "--role-name", "app")["AttachedPolicies"]
    assert attached == [{"PolicyName": "AmazonEC2ContainerServiceforEC2Role", "PolicyArn": MANAGED}]
    cli("iam", "attach-user-policy", "--user-name", "alice", "--policy-arn", arn)
    assert cli("iam", "list-attached-user-policies", "--user-name", "alice")["AttachedPolicies"][0]["PolicyArn"] == arn
    entities = cli("iam", "list-entities-for-policy", "--policy-arn", arn)
    assert [u["UserName"] for u in entities["PolicyUsers"]] == ["alice"]
    with pytest.raises(CliError) as caught:
        cli("iam", "delete-role", "--role-name", "app")
    assert "DeleteConflict" in caught.value.stderr and "must detach all policies first" in caught.value.stderr
    cli("iam", "detach-role-policy", "--role-name", "app", "--policy-arn", MANAGED)
    cli("iam", "detach-user-policy", "--user-name", "alice", "--policy-arn", arn)

    # tags
    cli("iam", "tag-role", "--role-name", "app", "--tags", "Key=env,Value=dev")
    assert cli("iam", "list-role-tags", "--role-name", "app")["Tags"] == [{"Key": "env", "Value": "dev"}]
    cli("iam", "untag-role", "--role-name", "app", "--tag-keys", "env")
    cli("iam", "tag-user", "--user-name", "alice", "--tags", "Key=team,Value=a")
    assert cli("iam", "list-user-tags", "--user-name", "alice")["Tags"] == [{"Key": "team", "Value": "a"}]
    cli("iam", "untag-user", "--user-name", "alice", "--tag-keys", "team")
    cli("iam", "tag-policy", "--policy-arn", arn, "--tags", "Key=k,Value=v")
    assert cli("iam", "list-policy-tags", "--policy-arn", arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    cli("iam", "untag-policy", "--policy-arn", arn, "--tag-keys", "k")

    cli("iam", "delete-policy", "--policy-arn", arn)
    cli("iam", "delete-role", "--role-name", "app")
    # the CLI's own pagination over Marker/MaxItems
    aws_policies = cli("iam", "list-policies", "--scope", "AWS", "--page-size", "2")["Policies"]
    assert len(aws_policies) >= 6
