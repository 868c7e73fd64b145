"""STS over boto3: who a request acts as (root, a role session, a user's key), AssumeRole's
credentials, and the refusals for unknown roles, bad durations and dead keys."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import boto3
import pytest
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
    ],
}


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response: Any = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _role(aws: Any, name: str = "deployer", path: str = "/", **extra: Any) -> dict[str, Any]:
    role: dict[str, Any] = aws("iam").create_role(
        RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(TRUST), **extra
    )["Role"]
    return role


def _session_client(aws: Any, service: str, credentials: dict[str, Any]) -> Any:
    return aws(
        service,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def test_default_caller_is_the_account_root(aws: Any) -> None:
    identity = aws("sts").get_caller_identity()
    assert (identity["Account"], identity["Arn"], identity["UserId"]) == (
        ACCOUNT,
        f"arn:aws:iam::{ACCOUNT}:root",
        ACCOUNT,
    )


def test_any_unknown_key_acts_as_root(aws: Any) -> None:
    sts = aws("sts", aws_access_key_id="AKIAUNKNOWNUNKNOWN00", aws_secret_access_key="x" * 40)
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"


def test_assume_role_returns_temporary_credentials(aws: Any) -> None:
    role = _role(aws)
    answer = aws("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="ci-run")
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
    assert len(credentials["SecretAccessKey"]) == 40
    assert credentials["SessionToken"]
    assert isinstance(credentials["Expiration"], datetime)
    user = answer["AssumedRoleUser"]
    assert user["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/ci-run"
    assert user["AssumedRoleId"] == f"{role['RoleId']}:ci-run"


def test_session_credentials_act_as_the_assumed_role(aws: Any) -> None:
    role = _role(aws, name="builder", path="/ci/")
    credentials = aws("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="job-42")["Credentials"]
    identity = _session_client(aws, "sts", credentials).get_caller_identity()
    # The role's path is not part of an assumed-role ARN.
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/builder/job-42"
    assert identity["UserId"] == f"{role['RoleId']}:job-42"
    assert identity["UserId"].startswith("AROA")
    assert identity["Account"] == ACCOUNT


def test_users_access_key_acts_as_the_user(aws: Any) -> None:
    iam = aws("iam")
    user = iam.create_user(UserName="ops", Path="/people/")["User"]
    key = iam.create_access_key(UserName="ops")["AccessKey"]
    as_user = aws("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    identity = as_user.get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/people/ops"
    assert identity["UserId"] == user["UserId"]
    # IAM's GetUser without a name answers for the calling user.
    as_user_iam = aws("iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    assert as_user_iam.get_user()["User"]["UserName"] == "ops"


@pytest.mark.parametrize("status", ["Inactive", "Expired"])
def test_inactive_key_is_refused_and_reactivated(aws: Any, status: str) -> None:
    iam = aws("iam")
    iam.create_user(UserName="ops")
    key = iam.create_access_key(UserName="ops")["AccessKey"]
    as_user = aws("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    iam.update_access_key(UserName="ops", AccessKeyId=key["AccessKeyId"], Status=status)
    with pytest.raises(ClientError) as caught:
        as_user.get_caller_identity()
    assert _error(caught) == ("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
    iam.update_access_key(UserName="ops", AccessKeyId=key["AccessKeyId"], Status="Active")
    assert as_user.get_caller_identity()["Arn"].endswith(":user/ops")


def test_deleted_key_is_refused_on_every_service(aws: Any) -> None:
    iam = aws("iam")
    iam.create_user(UserName="ops")
    key = iam.create_access_key(UserName="ops")["AccessKey"]
    iam.delete_access_key(UserName="ops", AccessKeyId=key["AccessKeyId"])
    creds = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    with pytest.raises(ClientError) as caught:
        aws("sts", **creds).get_caller_identity()
    assert _error(caught) == ("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
    with pytest.raises(ClientError) as caught:
        aws("iam", **creds).list_roles()
    assert _error(caught)[0:3:2] == ("InvalidClientTokenId", 403)


def test_assume_unknown_role_is_access_denied(aws: Any) -> None:
    arn = f"arn:aws:iam::{ACCOUNT}:role/nobody"
    with pytest.raises(ClientError) as caught:
        aws("sts").assume_role(RoleArn=arn, RoleSessionName="s1")
    code, message, status = _error(caught)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        f"User: arn:aws:iam::{ACCOUNT}:root is not authorized to perform: sts:AssumeRole on resource: {arn}"
    )


def test_assume_deleted_role_is_access_denied(aws: Any) -> None:
    role = _role(aws, name="temp")
    aws("iam").delete_role(RoleName="temp")
    with pytest.raises(ClientError) as caught:
        aws("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
    assert _error(caught)[0:3:2] == ("AccessDenied", 403)


def test_duration_above_max_session_duration_is_a_validation_error(aws: Any) -> None:
    role = _role(aws)  # MaxSessionDuration defaults to 3600
    with pytest.raises(ClientError) as caught:
        aws("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=3601)
    assert _error(caught) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        400,
    )
    longer = _role(aws, name="long", MaxSessionDuration=7200)
    assert aws("sts").assume_role(RoleArn=longer["Arn"], RoleSessionName="s1", DurationSeconds=7200)["Credentials"]


def test_duration_below_the_model_minimum_is_a_validation_error(aws: Any, server: Any) -> None:
    role = _role(aws)
    # botocore checks minimums itself; switch that off so the server's own check answers.
    sts = boto3.client(
        "sts",
        endpoint_url=server.url,
        region_name="us-east-1",
        config=BotoConfig(parameter_validation=False, retries={"max_attempts": 1}),
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="x" * 40,
    )
    with pytest.raises(ClientError) as caught:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=899)
    code, message, status = _error(caught)
    assert (code, status) == ("ValidationError", 400)
    assert message == (
        "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: "
        "Member must have value greater than or equal to 900"
    )


def test_session_can_call_iam_as_the_role(aws: Any) -> None:
    role = _role(aws)
    credentials = aws("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="s1")["Credentials"]
    iam = _session_client(aws, "iam", credentials)
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["deployer"]


def test_role_chaining_is_limited_to_one_hour(aws: Any) -> None:
    first = _role(aws, name="hub")
    target = _role(aws, name="spoke", MaxSessionDuration=7200)
    # The spoke trusts the account, so the hub's session also needs an identity Allow (as in IAM).
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}
    aws("iam").put_role_policy(RoleName="hub", PolicyName="chain", PolicyDocument=json.dumps(allow))
    hub = aws("sts").assume_role(RoleArn=first["Arn"], RoleSessionName="hub1")["Credentials"]
    chained_sts = _session_client(aws, "sts", hub)
    with pytest.raises(ClientError) as caught:
        chained_sts.assume_role(RoleArn=target["Arn"], RoleSessionName="spoke1", DurationSeconds=7200)
    assert _error(caught) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        400,
    )
    chained = chained_sts.assume_role(RoleArn=target["Arn"], RoleSessionName="spoke1", DurationSeconds=3600)
    assert chained["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/spoke/spoke1"
    # Outside a chain the role's own maximum applies.
    assert aws("sts").assume_role(RoleArn=target["Arn"], RoleSessionName="direct", DurationSeconds=7200)


def test_get_user_without_a_name_answers_for_the_caller(aws: Any) -> None:
    root = aws("iam").get_user()["User"]
    assert root["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert root["UserId"] == ACCOUNT
    assert "UserName" not in root
    role = _role(aws)
    credentials = aws("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="s1")["Credentials"]
    with pytest.raises(ClientError) as caught:
        _session_client(aws, "iam", credentials).get_user()
    assert _error(caught) == ("ValidationError", "Must specify userName when calling with non-User credentials", 400)
