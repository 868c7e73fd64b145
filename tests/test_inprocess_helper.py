"""The documented ways to embed trunkline in a test suite: `trunkline.server.run_in_thread()` and
the `trunkline_endpoint` pytest fixture (registered by the installed `trunkline.pytest_plugin`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from trunkline.runtime import Config
from trunkline.server import run_in_thread

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


def _iam(url: str) -> Any:
    return boto3.client(
        "iam",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="secret",
        config=BotoConfig(retries={"max_attempts": 1}),
    )


def _round_trip(url: str, name: str) -> None:
    iam = _iam(url)
    created = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]
    got = iam.get_role(RoleName=name)["Role"]
    assert got["RoleId"] == created["RoleId"]
    assert got["AssumeRolePolicyDocument"] == json.loads(TRUST)


def test_run_in_thread_with_defaults() -> None:
    with run_in_thread() as url:
        assert url.startswith("http://127.0.0.1:")
        _round_trip(url, "from-thread")
        assert httpx.get(url + "/_trunkline/health", timeout=10).json()["store"] == "sqlite (in memory)"
    # Stopped on exit: nothing listens there any more.
    with pytest.raises(httpx.TransportError):
        httpx.get(url + "/_trunkline/health", timeout=2)


def test_run_in_thread_servers_are_independent() -> None:
    with run_in_thread() as first, run_in_thread() as second:
        assert first != second
        _round_trip(first, "only-in-first")
        with pytest.raises(ClientError) as caught:
            _iam(second).get_role(RoleName="only-in-first")
        assert caught.value.response["Error"]["Code"] == "NoSuchEntity"


def test_run_in_thread_on_a_state_file_keeps_state(tmp_path: Path) -> None:
    state = str(tmp_path / "helper.sqlite3")
    with run_in_thread(Config(state=state)) as url:
        _round_trip(url, "persisted")
    with run_in_thread(Config(state=state)) as url:
        assert _iam(url).get_role(RoleName="persisted")["Role"]["RoleName"] == "persisted"


def test_run_in_thread_honours_timing_and_account() -> None:
    with run_in_thread(Config(timing="manual", account_id="210987654321")) as url:
        assert httpx.get(url + "/_trunkline/clock", timeout=10).json()["timing"] == "manual"
        identity = boto3.client(
            "sts",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
            aws_secret_access_key="secret",
        ).get_caller_identity()
        assert identity["Arn"] == "arn:aws:iam::210987654321:root"


def test_trunkline_endpoint_fixture(trunkline_endpoint: str) -> None:
    _round_trip(trunkline_endpoint, "from-fixture")


def test_trunkline_endpoint_fixture_is_fresh_per_test(trunkline_endpoint: str) -> None:
    # The previous test's role is not here: each test gets its own in-memory server.
    assert _iam(trunkline_endpoint).list_roles()["Roles"] == []
