"""ECS account settings over boto3 and the AWS CLI: who a setting belongs to (root, user, role
behind a session), how the effective value is resolved, listing and paging, and refusals that
leave the state untouched.

Seed requirements covered: S15 (the setting enabled for the account or for the container-instance
role, e.g. two instance roles of which one is opted in) and the per-principal precedence behind S5
and the "trunking does not work" reports (aws-behaviour.md §1.2, §1.3, §9).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from conftest import CREDENTIALS, CliError, Server, make_cli

ACCOUNT = "123456789012"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
INSTANCE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecsInstanceRole"
TRUST = {
    "Version": "2012-10-17",
    # EC2 takes the role for the agent; the account may assume it too, so the test can act as it.
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com", "AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
        }
    ],
}
ALL_NAMES = sorted(
    [
        "awsvpcTrunking",
        "containerInsights",
        "containerInstanceLongArnFormat",
        "defaultLogDriverMode",
        "dualStackIPv6",
        "fargateEventWindows",
        "fargateFIPSMode",
        "fargateTaskRetirementWaitPeriod",
        "guardDutyActivate",
        "serviceLongArnFormat",
        "tagResourceAuthorization",
        "taskLongArnFormat",
    ]
)


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response: Any = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _credentials(server: Server, role_name: str, path: str = "/") -> dict[str, str]:
    """Create IAM role `role_name` and return the keys of a session of it."""
    role = server.client("iam").create_role(RoleName=role_name, Path=path, AssumeRolePolicyDocument=json.dumps(TRUST))
    creds = server.client("sts").assume_role(RoleArn=role["Role"]["Arn"], RoleSessionName="i-0123456789abcdef0")
    c = creds["Credentials"]
    return {
        "aws_access_key_id": c["AccessKeyId"],
        "aws_secret_access_key": c["SecretAccessKey"],
        "aws_session_token": c["SessionToken"],
    }


def _session(server: Server, role_name: str, path: str = "/") -> Any:
    return server.client("ecs", **_credentials(server, role_name, path))


def _user(server: Server, name: str) -> Any:
    iam = server.client("iam")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return server.client("ecs", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])


def _effective(ecs: Any, name: str = "awsvpcTrunking", **extra: Any) -> dict[str, Any]:
    settings = ecs.list_account_settings(name=name, effectiveSettings=True, **extra)["settings"]
    assert len(settings) == 1
    return dict(settings[0])


def _digest(server: Server) -> str:
    return str(server.get("/_trunkline/state/digest").json()["digest"])


# --- the reference walk-through (S15) ---------------------------------------------------------------


def test_root_opts_in_the_instance_role_and_only_that_role(server: Server, cli: Any) -> None:
    put = cli(
        "ecs", "put-account-setting", "--name", "awsvpcTrunking", "--value", "enabled", "--principal-arn", INSTANCE_ROLE
    )
    assert put == {
        "setting": {"name": "awsvpcTrunking", "value": "enabled", "principalArn": INSTANCE_ROLE, "type": "user"}
    }
    instance_role = _session(server, "ecsInstanceRole")
    other_role = _session(server, "ecsOtherInstanceRole")
    assert _effective(instance_role) == {
        "name": "awsvpcTrunking",
        "value": "enabled",
        "principalArn": INSTANCE_ROLE,
        "type": "user",
    }
    other = _effective(other_role)
    assert (other["value"], other["principalArn"]) == ("disabled", f"arn:aws:iam::{ACCOUNT}:role/ecsOtherInstanceRole")
    # The account itself was not opted in.
    assert _effective(server.client("ecs"))["value"] == "disabled"


def test_default_opts_in_every_principal_without_its_own_setting(server: Server) -> None:
    first, second = _session(server, "roleA"), _session(server, "roleB")
    # Any principal may set the default; it is stored as the root's setting.
    put = second.put_account_setting_default(name="awsvpcTrunking", value="enabled")["setting"]
    assert put == {"name": "awsvpcTrunking", "value": "enabled", "principalArn": ROOT, "type": "user"}
    assert _effective(first)["value"] == "enabled"
    assert _effective(second)["value"] == "enabled"
    assert _effective(server.client("ecs"))["value"] == "enabled"


def test_explicit_disabled_wins_over_the_default(server: Server) -> None:
    """The common surprise: the account is opted in but the instance role opted itself out."""
    ecs = server.client("ecs")
    ecs.put_account_setting(name="awsvpcTrunking", value="disabled", principalArn=INSTANCE_ROLE)
    ecs.put_account_setting_default(name="awsvpcTrunking", value="enabled")
    assert _effective(_session(server, "ecsInstanceRole"))["value"] == "disabled"
    assert _effective(_session(server, "freshRole"))["value"] == "enabled"


def test_list_without_effective_settings_is_empty_after_a_default(server: Server, tmp_path: Path) -> None:
    """Observed on AWS (amazon-ecs-agent#2669): the default is not the role's own setting."""
    session_cli = make_cli(server.url, tmp_path, **_credentials(server, "ecsInstanceRole"))
    session_cli("ecs", "put-account-setting-default", "--name", "awsvpcTrunking", "--value", "enabled")
    assert session_cli("ecs", "list-account-settings") == {"settings": []}
    effective = session_cli("ecs", "list-account-settings", "--effective-settings", "--name", "awsvpcTrunking")
    assert effective["settings"][0]["value"] == "enabled"
    assert effective["settings"][0]["principalArn"] == INSTANCE_ROLE


def test_a_role_session_opts_its_role_in(server: Server) -> None:
    """The container instance role may opt itself in before registering (doc container-instance-eni)."""
    session = _session(server, "ecsInstanceRole")
    put = session.put_account_setting(name="awsvpcTrunking", value="enabled")["setting"]
    assert put["principalArn"] == INSTANCE_ROLE
    # Naming itself, by role ARN or by the session's own ARN, is the same.
    session.put_account_setting(name="containerInsights", value="enabled", principalArn=INSTANCE_ROLE)
    listed = session.list_account_settings()["settings"]
    assert [(s["name"], s["value"], s["principalArn"]) for s in listed] == [
        ("awsvpcTrunking", "enabled", INSTANCE_ROLE),
        ("containerInsights", "enabled", INSTANCE_ROLE),
    ]
    # Root sees the role's settings by naming it, and not among its own.
    root = server.client("ecs")
    assert root.list_account_settings()["settings"] == []
    assert len(root.list_account_settings(principalArn=INSTANCE_ROLE)["settings"]) == 2


def test_role_with_a_path_is_keyed_by_its_full_arn(server: Server) -> None:
    arn = f"arn:aws:iam::{ACCOUNT}:role/ecs/instances/pathRole"
    server.client("ecs").put_account_setting(name="awsvpcTrunking", value="enabled", principalArn=arn)
    assert _effective(_session(server, "pathRole", path="/ecs/instances/")) == {
        "name": "awsvpcTrunking",
        "value": "enabled",
        "principalArn": arn,
        "type": "user",
    }


def test_user_settings_belong_to_the_user(server: Server) -> None:
    alice = _user(server, "alice")
    put = alice.put_account_setting(name="containerInsights", value="enhanced")["setting"]
    assert put["principalArn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert _effective(alice, "containerInsights")["value"] == "enhanced"
    assert _effective(_user(server, "bob"), "containerInsights")["value"] == "disabled"


def test_root_setting_without_principal_is_the_account_default(server: Server) -> None:
    server.client("ecs").put_account_setting(name="awsvpcTrunking", value="enabled")
    assert _effective(_session(server, "anyRole"))["value"] == "enabled"
    listed = server.client("ecs").list_account_settings(principalArn=ROOT)["settings"]
    assert listed == [{"name": "awsvpcTrunking", "value": "enabled", "principalArn": ROOT, "type": "user"}]


# --- AWS defaults and effective listings ------------------------------------------------------------


def test_effective_settings_of_a_fresh_account(server: Server) -> None:
    settings = server.client("ecs").list_account_settings(effectiveSettings=True)["settings"]
    assert [s["name"] for s in settings] == ALL_NAMES[:10]
    for s in settings:
        assert s["principalArn"] == ROOT
    values = {s["name"]: (s["value"], s["type"]) for s in settings}
    assert values["awsvpcTrunking"] == ("disabled", "user")
    assert values["containerInsights"] == ("disabled", "user")
    assert values["containerInstanceLongArnFormat"] == ("enabled", "user")
    assert values["fargateTaskRetirementWaitPeriod"] == ("7", "user")
    assert values["guardDutyActivate"] == ("disabled", "aws_managed")


def test_effective_settings_page_5_5_2(server: Server) -> None:
    ecs = _session(server, "pager")
    first = ecs.list_account_settings(effectiveSettings=True, maxResults=5)
    second = ecs.list_account_settings(effectiveSettings=True, maxResults=5, nextToken=first["nextToken"])
    third = ecs.list_account_settings(effectiveSettings=True, maxResults=5, nextToken=second["nextToken"])
    sizes = [len(first["settings"]), len(second["settings"]), len(third["settings"])]
    assert sizes == [5, 5, 2]
    assert "nextToken" not in third
    names = [s["name"] for page in (first, second, third) for s in page["settings"]]
    assert names == ALL_NAMES


def test_boto3_paginator_walks_every_setting(server: Server) -> None:
    paginator = server.client("ecs").get_paginator("list_account_settings")
    pages = list(paginator.paginate(effectiveSettings=True, PaginationConfig={"PageSize": 5}))
    assert [len(p["settings"]) for p in pages] == [5, 5, 2]
    assert [s["name"] for p in pages for s in p["settings"]] == ALL_NAMES


def test_default_page_size_is_ten(server: Server) -> None:
    page = server.client("ecs").list_account_settings(effectiveSettings=True)
    assert len(page["settings"]) == 10
    assert "nextToken" in page


@pytest.mark.parametrize("token", ["garbage", "", "x" * 300])
def test_forged_next_token_is_refused(server: Server, token: str) -> None:
    with pytest.raises(ClientError) as caught:
        server.client("ecs").list_account_settings(effectiveSettings=True, nextToken=token)
    assert _error(caught)[0] == "InvalidParameterException"
    assert _error(caught)[2] == 400


def test_token_of_another_listing_is_refused(server: Server) -> None:
    ecs = server.client("ecs")
    token = ecs.list_account_settings(effectiveSettings=True, maxResults=1)["nextToken"]
    with pytest.raises(ClientError) as caught:
        ecs.list_account_settings(principalArn=INSTANCE_ROLE, effectiveSettings=True, nextToken=token)
    assert _error(caught)[0] == "InvalidParameterException"


@pytest.mark.parametrize("size", [0, 11])
def test_max_results_is_1_to_10(server: Server, size: int) -> None:
    with pytest.raises(ClientError) as caught:
        server.client("ecs").list_account_settings(effectiveSettings=True, maxResults=size)
    code, message, _ = _error(caught)
    assert code == "InvalidParameterException"
    assert "maxResults" in message


def test_name_and_value_filters(server: Server) -> None:
    ecs = server.client("ecs")
    ecs.put_account_setting_default(name="awsvpcTrunking", value="enabled")
    enabled = ecs.list_account_settings(effectiveSettings=True, name="awsvpcTrunking", value="enabled")["settings"]
    assert [s["name"] for s in enabled] == ["awsvpcTrunking"]
    assert ecs.list_account_settings(effectiveSettings=True, name="awsvpcTrunking", value="disabled")["settings"] == []
    assert ecs.list_account_settings(name="containerInsights")["settings"] == []


def test_value_filter_requires_a_name(server: Server) -> None:
    with pytest.raises(ClientError) as caught:
        server.client("ecs").list_account_settings(value="enabled")
    assert _error(caught)[:1] == ("InvalidParameterException",)


def test_settings_are_per_region(server: Server) -> None:
    server.client("ecs").put_account_setting_default(name="awsvpcTrunking", value="enabled")
    config = BotoConfig(retries={"max_attempts": 1})
    west = boto3.client("ecs", endpoint_url=server.url, region_name="us-west-2", config=config, **CREDENTIALS)
    assert _effective(west)["value"] == "disabled"
    assert west.list_account_settings(principalArn=ROOT)["settings"] == []


# --- DeleteAccountSetting ---------------------------------------------------------------------------


def test_delete_returns_the_removed_setting_and_the_principal_inherits_again(server: Server) -> None:
    ecs = server.client("ecs")
    ecs.put_account_setting_default(name="awsvpcTrunking", value="enabled")
    ecs.put_account_setting(name="awsvpcTrunking", value="disabled", principalArn=INSTANCE_ROLE)
    deleted = ecs.delete_account_setting(name="awsvpcTrunking", principalArn=INSTANCE_ROLE)["setting"]
    assert deleted == {"name": "awsvpcTrunking", "value": "disabled", "principalArn": INSTANCE_ROLE, "type": "user"}
    assert _effective(_session(server, "ecsInstanceRole"))["value"] == "enabled"
    assert ecs.list_account_settings(principalArn=INSTANCE_ROLE)["settings"] == []


def test_delete_by_the_principal_itself(server: Server, cli: Any) -> None:
    session = _session(server, "ecsInstanceRole")
    session.put_account_setting(name="awsvpcTrunking", value="enabled")
    deleted = session.delete_account_setting(name="awsvpcTrunking")["setting"]
    assert (deleted["value"], deleted["principalArn"]) == ("enabled", INSTANCE_ROLE)
    assert _effective(session)["value"] == "disabled"


def test_delete_of_an_unset_setting_changes_nothing(server: Server) -> None:
    ecs = server.client("ecs")
    ecs.put_account_setting_default(name="containerInsights", value="enabled")
    before = _digest(server)
    deleted = ecs.delete_account_setting(name="containerInsights", principalArn=INSTANCE_ROLE)["setting"]
    assert (deleted["value"], deleted["principalArn"]) == ("enabled", INSTANCE_ROLE)
    assert _digest(server) == before


def test_root_deletes_the_default(server: Server, cli: Any) -> None:
    cli("ecs", "put-account-setting-default", "--name", "awsvpcTrunking", "--value", "enabled")
    deleted = cli("ecs", "delete-account-setting", "--name", "awsvpcTrunking")
    assert deleted["setting"]["principalArn"] == ROOT
    assert _effective(server.client("ecs"))["value"] == "disabled"


# --- values ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("awsvpcTrunking", "enabled"),
        ("awsvpcTrunking", "disabled"),
        ("serviceLongArnFormat", "disabled"),
        ("taskLongArnFormat", "enabled"),
        ("containerInstanceLongArnFormat", "enabled"),
        ("containerInsights", "enhanced"),
        ("fargateFIPSMode", "enabled"),
        ("tagResourceAuthorization", "off"),
        ("fargateTaskRetirementWaitPeriod", "14"),
        ("fargateTaskRetirementWaitPeriod", "0"),
        ("defaultLogDriverMode", "blocking"),
        ("fargateEventWindows", "enabled"),
        ("dualStackIPv6", "enabled"),
    ],
)
def test_accepted_values(server: Server, name: str, value: str) -> None:
    ecs = server.client("ecs")
    assert ecs.put_account_setting_default(name=name, value=value)["setting"]["value"] == value
    assert _effective(ecs, name)["value"] == value


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("awsvpcTrunking", "ENABLED"),  # aws/aws-cli#3785: values are lower case
        ("awsvpcTrunking", "on"),
        ("tagResourceAuthorization", "enabled"),  # terraform-provider-aws#32114
        ("containerInsights", "yes"),
        ("fargateTaskRetirementWaitPeriod", "5"),
        ("defaultLogDriverMode", "enabled"),
        ("serviceLongArnFormat", ""),
    ],
)
def test_invalid_values_are_refused_and_change_nothing(server: Server, name: str, value: str) -> None:
    ecs = server.client("ecs")
    before = _digest(server)
    for call in (
        lambda: ecs.put_account_setting(name=name, value=value),
        lambda: ecs.put_account_setting(name=name, value=value, principalArn=INSTANCE_ROLE),
        lambda: ecs.put_account_setting_default(name=name, value=value),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert _error(caught) == ("InvalidParameterException", "Invalid setting 'value'", 400)
    assert _digest(server) == before


def test_unknown_setting_name_is_refused(server: Server) -> None:
    with pytest.raises(ClientError) as caught:
        server.client("ecs").put_account_setting_default(name="awsvpcTrunkin", value="enabled")
    code, message, _ = _error(caught)
    assert code == "InvalidParameterException"
    assert "'name'" in message


def test_guard_duty_activate_is_read_only(server: Server) -> None:
    ecs = server.client("ecs")
    before = _digest(server)
    for call in (
        lambda: ecs.put_account_setting(name="guardDutyActivate", value="enabled"),
        lambda: ecs.put_account_setting_default(name="guardDutyActivate", value="enabled"),
        lambda: ecs.delete_account_setting(name="guardDutyActivate"),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert _error(caught)[0] == "InvalidParameterException"
        assert "guardDutyActivate" in _error(caught)[1]
    assert _digest(server) == before


def test_fargate_retirement_wait_is_set_only_for_the_account(server: Server) -> None:
    ecs = server.client("ecs")
    with pytest.raises(ClientError) as caught:
        ecs.put_account_setting(name="fargateTaskRetirementWaitPeriod", value="14", principalArn=INSTANCE_ROLE)
    assert _error(caught)[0] == "InvalidParameterException"
    with pytest.raises(ClientError):
        _session(server, "someRole").put_account_setting(name="fargateTaskRetirementWaitPeriod", value="0")
    # The default (any caller) and root's own setting are the way to set it.
    assert ecs.put_account_setting(name="fargateTaskRetirementWaitPeriod", value="0")["setting"]["principalArn"] == ROOT


# --- whose settings a caller may touch --------------------------------------------------------------


def test_a_role_cannot_manage_another_principals_settings(server: Server) -> None:
    other = _session(server, "developer")
    before = _digest(server)
    calls = {
        "put": lambda: other.put_account_setting(name="awsvpcTrunking", value="enabled", principalArn=INSTANCE_ROLE),
        "put-root": lambda: other.put_account_setting(name="awsvpcTrunking", value="enabled", principalArn=ROOT),
        "delete": lambda: other.delete_account_setting(name="awsvpcTrunking", principalArn=INSTANCE_ROLE),
        "list": lambda: other.list_account_settings(principalArn=INSTANCE_ROLE),
        "list-root": lambda: other.list_account_settings(principalArn=ROOT, effectiveSettings=True),
    }
    for label, call in calls.items():
        with pytest.raises(ClientError) as caught:
            call()
        code, message, status = _error(caught)
        assert (code, status) == ("AccessDeniedException", 400), label
        assert f"arn:aws:sts::{ACCOUNT}:assumed-role/developer/" in message
    assert _digest(server) == before


def test_a_user_cannot_manage_another_principals_settings(server: Server, tmp_path: Path) -> None:
    iam = server.client("iam")
    iam.create_user(UserName="mallory")
    key = iam.create_access_key(UserName="mallory")["AccessKey"]
    user_cli = make_cli(
        server.url, tmp_path, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    with pytest.raises(CliError) as caught:
        user_cli(
            "ecs",
            "put-account-setting",
            "--name",
            "awsvpcTrunking",
            "--value",
            "enabled",
            "--principal-arn",
            INSTANCE_ROLE,
        )
    assert "AccessDeniedException" in caught.value.stderr


@pytest.mark.parametrize(
    "principal",
    [
        "ecsInstanceRole",
        "arn:aws:iam::123456789012:group/admins",
        "arn:aws:ecs:us-east-1:123456789012:cluster/default",
        "arn:aws:iam::12345:role/short-account",
    ],
)
def test_malformed_principal_arn_is_refused(server: Server, principal: str) -> None:
    with pytest.raises(ClientError) as caught:
        server.client("ecs").put_account_setting(name="awsvpcTrunking", value="enabled", principalArn=principal)
    assert _error(caught)[0] == "InvalidParameterException"


def test_root_cannot_manage_another_accounts_principals(server: Server) -> None:
    with pytest.raises(ClientError) as caught:
        server.client("ecs").put_account_setting(
            name="awsvpcTrunking", value="enabled", principalArn="arn:aws:iam::210987654321:role/ecsInstanceRole"
        )
    assert _error(caught)[0] == "AccessDeniedException"
