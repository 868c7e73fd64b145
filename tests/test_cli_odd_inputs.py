"""Session 8's operations through the AWS CLI with odd-but-legal input (session 9 fuzz): empty
strings, numbers wider than their type, Unicode names, a JSON structure where a list belongs, and
calls that name no instance. The CLI sends each as given (its own checks pass); the answer is the
service's client error with AWS's code and text, and the refused call changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import CliError, Server
from ec2_world import digest, launch, network

CASES: list[tuple[str, list[str], str, str]] = [
    (
        "a volume size wider than an integer",
        ["ec2", "create-volume", "--availability-zone", "us-east-1a", "--size", "99999999999999999999"],
        "InvalidParameterValue",
        "Value (99999999999999999999) for parameter Size is invalid. Member must be of type integer",
    ),
    (
        "an empty Availability Zone",
        ["ec2", "create-volume", "--availability-zone", "", "--size", "8"],
        "InvalidParameterValue",
        "Invalid availability zone: []",
    ),
    (
        "an empty volume id",
        ["ec2", "detach-volume", "--volume-id", ""],
        "InvalidVolumeID.Malformed",
        'Invalid id: "" (expecting "vol-...")',
    ),
    (
        "an empty auto-recovery value",
        ["ec2", "modify-instance-maintenance-options", "--instance-id", "{instance}", "--auto-recovery", ""],
        "InvalidParameterValue",
        "Value () for parameter AutoRecovery is invalid. Member must satisfy enum value set: [disabled, default]",
    ),
    (
        "a user name with a letter beyond ASCII (Java's \\w, which the model's pattern means, is ASCII)",
        ["iam", "put-user-permissions-boundary", "--user-name", "é", "--permissions-boundary", "{policy}"],
        "ValidationError",
        "1 validation error detected: Value 'é' at 'userName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    ),
    (
        "a user name that does not exist",
        ["iam", "put-user-permissions-boundary", "--user-name", "nobody", "--permissions-boundary", "{policy}"],
        "NoSuchEntity",
        "The user with name nobody cannot be found.",
    ),
    (
        "a JSON object for a policy list",
        ["iam", "simulate-custom-policy", "--policy-input-list", '{"a": 1}', "--action-names", "ec2:RunInstances"],
        "MalformedPolicyDocument",
        "Syntax errors in policy.",
    ),
    (
        "a zonal NAT gateway without a subnet (used to answer 500)",
        ["ec2", "create-nat-gateway", "--connectivity-type", "private"],
        "MissingParameter",
        "The request must contain the parameter SubnetId",
    ),
]


@pytest.fixture
def ids(server: Server, aws: Callable[..., Any]) -> dict[str, str]:
    made = network(aws("ec2"))
    allow = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    policy = aws("iam").create_policy(PolicyName="odd", PolicyDocument=allow)["Policy"]["Arn"]
    return {"instance": launch(aws, made["subnet"]), "policy": policy}


def test_odd_but_legal_cli_input_is_refused_as_aws_refuses_it(
    server: Server, cli: Callable[..., Any], ids: dict[str, str]
) -> None:
    before = digest(server)
    for label, args, code, message in CASES:
        with pytest.raises(CliError) as caught:
            cli(*(ids.get(arg.strip("{}"), arg) if arg.startswith("{") and arg.endswith("}") else arg for arg in args))
        stderr = caught.value.stderr
        assert f"An error occurred ({code})" in stderr, (label, stderr)
        assert stderr.strip().endswith(f"operation: {message}"), (label, stderr)
        assert digest(server) == before, label
