"""Acknowledged writes survive the process being killed: SIGKILL `trunkline serve` right after the
last response, restart it on the same --state (SQLite file, or PostgreSQL when
TRUNKLINE_TEST_POSTGRES is set), and every write is there."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from typing import Any

from conftest import Server

ACCOUNT = "123456789012"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)
ROLES = 12
USERS = 6
PROFILES = 6


def _kill(server: Server) -> None:
    """SIGKILL: no shutdown handler runs, nothing is flushed on the way out."""
    assert server.process is not None
    server.process.send_signal(signal.SIGKILL)
    assert server.process.wait(timeout=10) == -signal.SIGKILL


def _write_everything(iam: Any) -> dict[str, Any]:
    """Many small acknowledged writes of each kind; returns what was acknowledged."""
    roles = {
        f"role-{i:02d}": iam.create_role(RoleName=f"role-{i:02d}", AssumeRolePolicyDocument=TRUST)["Role"]
        for i in range(ROLES)
    }
    users = {f"user-{i}": iam.create_user(UserName=f"user-{i}")["User"] for i in range(USERS)}
    keys = {name: iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"] for name in users}
    profiles = {}
    for i in range(PROFILES):
        name = f"profile-{i}"
        profiles[name] = iam.create_instance_profile(InstanceProfileName=name)["InstanceProfile"]
        iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=f"role-{i:02d}")
    iam.delete_role(RoleName=f"role-{ROLES - 1:02d}")  # a deletion must be durable too
    del roles[f"role-{ROLES - 1:02d}"]
    # The very last acknowledged write, immediately before the kill.
    last = iam.create_role(RoleName="the-last-one", AssumeRolePolicyDocument=TRUST)["Role"]
    roles["the-last-one"] = last
    return {"roles": roles, "users": users, "keys": keys, "profiles": profiles}


def test_acknowledged_writes_survive_sigkill(spawn: Callable[..., Server]) -> None:
    first = spawn()
    written = _write_everything(first.client("iam"))
    digest = first.get("/_trunkline/state/digest").json()["digest"]
    _kill(first)

    second = spawn(state=first.state)
    # Byte for byte the same state: nothing lost, nothing half-written.
    assert second.get("/_trunkline/state/digest").json()["digest"] == digest
    iam = second.client("iam")

    listed_roles = [r for page in iam.get_paginator("list_roles").paginate() for r in page["Roles"]]
    assert {r["RoleName"]: r["RoleId"] for r in listed_roles} == {
        name: role["RoleId"] for name, role in written["roles"].items()
    }
    assert iam.get_role(RoleName="the-last-one")["Role"]["Arn"] == written["roles"]["the-last-one"]["Arn"]

    listed_users = {u["UserName"]: u["UserId"] for u in iam.list_users()["Users"]}
    assert listed_users == {name: user["UserId"] for name, user in written["users"].items()}
    for name, key in written["keys"].items():
        assert [k["AccessKeyId"] for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]] == [key]

    profiles = {p["InstanceProfileName"]: p for p in iam.list_instance_profiles()["InstanceProfiles"]}
    assert set(profiles) == set(written["profiles"])
    for i in range(PROFILES):
        profile = profiles[f"profile-{i}"]
        assert profile["InstanceProfileId"] == written["profiles"][f"profile-{i}"]["InstanceProfileId"]
        assert [r["RoleName"] for r in profile["Roles"]] == [f"role-{i:02d}"]


def test_issued_credentials_survive_sigkill(spawn: Callable[..., Server]) -> None:
    first = spawn()
    iam = first.client("iam")
    iam.create_user(UserName="ops")
    key = iam.create_access_key(UserName="ops")["AccessKey"]
    role = iam.create_role(
        RoleName="deployer",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]
    session = first.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="kept")["Credentials"]
    _kill(first)

    second = spawn(state=first.state)
    as_user = second.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    assert as_user.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/ops"
    as_role = second.client(
        "sts",
        aws_access_key_id=session["AccessKeyId"],
        aws_secret_access_key=session["SecretAccessKey"],
        aws_session_token=session["SessionToken"],
    )
    assert as_role.get_caller_identity()["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/kept"
