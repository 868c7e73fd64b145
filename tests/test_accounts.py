"""Several accounts on one server (issue 14, item 5): the account comes from the credentials, each
account sees only its own resources, and AssumeRole into another account's role acts in that
account. How a key names its account is in docs/decisions.md ("Several accounts")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st

from conftest import REGION, Server
from trunkline.domain.identity import Keyring, StaticKey
from trunkline.secret_box import SecretBox

A, B = "111111111111", "222222222222"
DEFAULT = "123456789012"


def _client(server: Server, service: str, key: str, secret: str = "anything", token: str | None = None) -> Any:
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name=REGION,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=BotoConfig(retries={"max_attempts": 1}),
    )


def _code(call: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return str(caught.value.response["Error"]["Code"])


def test_a_twelve_digit_access_key_is_its_account(server: Server) -> None:
    for account in (A, B):
        caller = _client(server, "sts", account).get_caller_identity()
        assert (caller["Account"], caller["Arn"]) == (account, f"arn:aws:iam::{account}:root")
    assert _client(server, "sts", "AKIAIOSFODNN7EXAMPLE").get_caller_identity()["Account"] == DEFAULT


@given(st.from_regex(r"[0-9]{12}", fullmatch=True))
def test_any_twelve_digit_key_names_its_account(key: str) -> None:
    assert Keyring(DEFAULT, (), SecretBox.ephemeral()).account_for(key) == key


@given(st.text(max_size=30).filter(lambda k: not (len(k) == 12 and k.isascii() and k.isdigit())))
def test_other_keys_act_in_the_default_account(key: str) -> None:
    keyring = Keyring(DEFAULT, (StaticKey("AKIAMAPPED0000000000", A),), SecretBox.ephemeral())
    assert keyring.account_for(key) == (A if key == "AKIAMAPPED0000000000" else DEFAULT)


def test_ecs_resources_are_per_account(server: Server) -> None:
    ecs_a, ecs_b = _client(server, "ecs", A), _client(server, "ecs", B)
    ecs_a.create_cluster(clusterName="same-name")
    assert ecs_b.list_clusters()["clusterArns"] == []
    assert ecs_b.describe_clusters(clusters=["same-name"])["failures"][0]["reason"] == "MISSING"
    ecs_b.create_cluster(clusterName="same-name")  # no clash with A's
    assert ecs_a.list_clusters()["clusterArns"] == [f"arn:aws:ecs:{REGION}:{A}:cluster/same-name"]
    assert ecs_b.list_clusters()["clusterArns"] == [f"arn:aws:ecs:{REGION}:{B}:cluster/same-name"]
    ecs_a.register_task_definition(family="web", containerDefinitions=[{"name": "c", "image": "i", "memory": 128}])
    assert ecs_b.list_task_definitions()["taskDefinitionArns"] == []
    ecs_a.put_account_setting(name="awsvpcTrunking", value="enabled")
    setting = ecs_b.list_account_settings(name="awsvpcTrunking", effectiveSettings=True)["settings"][0]
    assert setting["value"] == "disabled"


def test_ec2_resources_are_per_account(empty_account: Server, server: Server) -> None:
    """Listed without filters, so both accounts start without AWS's default VPC."""
    ec2_a, ec2_b = _client(server, "ec2", A), _client(server, "ec2", B)
    vpc = ec2_a.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    assert vpc["OwnerId"] == A
    subnet = ec2_a.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    eni = ec2_a.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    ec2_a.create_tags(Resources=[vpc["VpcId"]], Tags=[{"Key": "team", "Value": "a"}])
    assert ec2_b.describe_vpcs()["Vpcs"] == []
    assert ec2_b.describe_subnets()["Subnets"] == []
    assert ec2_b.describe_security_groups()["SecurityGroups"] == []
    assert ec2_b.describe_network_interfaces()["NetworkInterfaces"] == []
    assert ec2_b.describe_tags()["Tags"] == []
    assert _code(lambda: ec2_b.describe_vpcs(VpcIds=[vpc["VpcId"]])) == "InvalidVpcID.NotFound"
    assert _code(lambda: ec2_b.delete_network_interface(NetworkInterfaceId=eni)) == "InvalidNetworkInterfaceID.NotFound"
    assert _code(lambda: ec2_b.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.0.2.0/24")) == "InvalidVpcID.NotFound"
    assert [v["VpcId"] for v in ec2_a.describe_vpcs()["Vpcs"]] == [vpc["VpcId"]]


def test_iam_resources_are_per_account(server: Server) -> None:
    iam_a, iam_b = _client(server, "iam", A), _client(server, "iam", B)
    iam_a.create_user(UserName="alice")
    iam_a.create_instance_profile(InstanceProfileName="profile")
    assert iam_b.list_users()["Users"] == []
    assert iam_b.list_instance_profiles()["InstanceProfiles"] == []
    assert _code(lambda: iam_b.get_user(UserName="alice")) == "NoSuchEntity"
    iam_b.create_user(UserName="alice")  # the same name in another account
    assert iam_b.get_user(UserName="alice")["User"]["Arn"] == f"arn:aws:iam::{B}:user/alice"
    key = iam_a.create_access_key(UserName="alice")["AccessKey"]
    caller = _client(server, "sts", key["AccessKeyId"], key["SecretAccessKey"]).get_caller_identity()
    assert caller["Arn"] == f"arn:aws:iam::{A}:user/alice"


def test_assume_role_into_another_account(server: Server) -> None:
    """The session acts in the role's account, whoever called AssumeRole; whether the trust
    policy lets the caller in is the trust-policy evaluation's business (issue 14, item 3)."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": B}, "Action": "sts:AssumeRole"}],
    }
    _client(server, "iam", A).create_role(RoleName="cross", AssumeRolePolicyDocument=json.dumps(trust))
    answer = _client(server, "sts", B).assume_role(RoleArn=f"arn:aws:iam::{A}:role/cross", RoleSessionName="from-b")
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{A}:assumed-role/cross/from-b"
    creds = answer["Credentials"]
    parts = (creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    caller = _client(server, "sts", *parts).get_caller_identity()
    assert (caller["Account"], caller["Arn"]) == (A, f"arn:aws:sts::{A}:assumed-role/cross/from-b")
    _client(server, "ecs", *parts).create_cluster(clusterName="made-by-session")
    assert _client(server, "ecs", A).list_clusters()["clusterArns"] == [
        f"arn:aws:ecs:{REGION}:{A}:cluster/made-by-session"
    ]
    assert _client(server, "ecs", B).list_clusters()["clusterArns"] == []


def test_account_for_key_and_a_credentials_file_in_the_default_mode(spawn: Any, tmp_path: Path) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[ops]\naws_access_key_id = AKIAFILEKEY000000001\naws_secret_access_key = s\naws_account_id = 333333333333\n"
    )
    server = spawn(
        "--account-for-key", f"AKIAMAPPEDKEY0000001={A}", "--credentials", str(credentials), "--account-id", B
    )
    assert _client(server, "sts", "AKIAMAPPEDKEY0000001").get_caller_identity()["Account"] == A
    # the default mode checks no secret: the file only says which account the key is
    assert _client(server, "sts", "AKIAFILEKEY000000001", "wrong").get_caller_identity()["Account"] == "333333333333"
    assert _client(server, "sts", "AKIAOTHERKEY00000001").get_caller_identity()["Account"] == B


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--account-for-key", "AKIAX=123"], "12 digits"),
        (["--account-for-key", "no-equals-sign"], "KEY=ACCOUNT"),
    ],
)
def test_bad_account_mappings_are_refused_at_startup(args: list[str], message: str) -> None:
    from typer.testing import CliRunner

    from trunkline import cli as trunkline_cli

    result = CliRunner().invoke(trunkline_cli.app, ["serve", "--state", ":memory:", *args])
    assert result.exit_code != 0
    assert message in result.output
