"""The clock endpoints under /_trunkline/: a manual clock stands still until advanced, STS sessions
expire on it, bad input is refused, and its time survives a restart on the same state."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import Server, fresh_state, start_process, stop_process

ACCOUNT = "123456789012"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def _now(server: Server) -> float:
    response = server.get("/_trunkline/clock")
    assert response.status_code == 200
    epoch: float = response.json()["epochSeconds"]
    return epoch


def _advance(server: Server, seconds: float) -> dict[str, Any]:
    response = server.post("/_trunkline/clock/advance", json={"seconds": seconds})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="module")
def _manual_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_process(fresh_state(tmp_path_factory.mktemp("clock")), "--timing", "manual")
    try:
        yield server
    finally:
        stop_process(server)


@pytest.fixture(scope="module")
def manual_sts(_manual_server: Server) -> Any:
    return _manual_server.client("sts")


@pytest.fixture
def manual(_manual_server: Server) -> Server:
    """A server on a manual clock, shared by this module and emptied per test (its clock keeps time)."""
    _manual_server.reset()
    return _manual_server


def test_manual_clock_stands_still_until_advanced(manual: Server) -> None:
    before = _now(manual)
    manual.client("sts").get_caller_identity()
    manual.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    assert _now(manual) == before
    state = manual.get("/_trunkline/clock").json()
    assert state["timing"] == "manual"
    assert state["nextDueAt"] is None

    answer = _advance(manual, 30)
    assert answer["epochSeconds"] == before + 30
    assert answer["jobsRun"] == 0
    assert _now(manual) == before + 30
    # ?seconds= works as well as a JSON body.
    assert manual.post("/_trunkline/clock/advance?seconds=0.5").json()["epochSeconds"] == before + 30.5


def test_resources_are_stamped_with_the_manual_clock(manual: Server) -> None:
    now = _now(manual)
    role = manual.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)["Role"]
    # IAM timestamps have whole seconds on the wire.
    assert abs(role["CreateDate"].timestamp() - now) < 1
    _advance(manual, 86400)
    later = manual.client("iam").create_role(RoleName="r2", AssumeRolePolicyDocument=TRUST)["Role"]
    assert abs((later["CreateDate"] - role["CreateDate"]).total_seconds() - 86400) < 1


def test_session_credentials_expire_on_the_manual_clock(manual: Server) -> None:
    role = manual.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)["Role"]
    issued = _now(manual)
    answer = manual.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="short", DurationSeconds=900)
    credentials = answer["Credentials"]
    assert abs(credentials["Expiration"].timestamp() - (issued + 900)) < 1
    session = manual.client(
        "sts",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    _advance(manual, 899)
    assert session.get_caller_identity()["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/r/short"
    _advance(manual, 2)
    with pytest.raises(ClientError) as caught:
        session.get_caller_identity()
    error: Any = caught.value.response
    assert error["Error"]["Code"] == "ExpiredToken"
    assert error["Error"]["Message"] == "The security token included in the request is expired"
    assert (
        error["ResponseMetadata"]["HTTPStatusCode"] == 403
    )  # query services answer ExpiredToken with 403 (docs/decisions.md, --auth strict)
    # Other callers are unaffected.
    assert manual.client("sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"json": {"seconds": -1}},
        {"json": {"seconds": "thirty"}},
        {"json": {"seconds": True}},
        {"json": {"seconds": None}},
        {"json": {}},
        {"json": [30]},
        {"json": {"seconds": 10**400}},
        {"json": {"seconds": 1e300}},
        {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
        {"content": b"\xff\xfe", "headers": {"Content-Type": "application/json"}},
        {"params": {"seconds": "nan"}},
        {"params": {"seconds": "inf"}},
        {"params": {"seconds": "-5"}},
        {"params": {"seconds": "abc"}},
    ],
    ids=lambda kwargs: repr(kwargs)[:40],
)
def test_advance_with_bad_input_is_400_and_leaves_the_clock(
    manual: Server, manual_sts: Any, request_kwargs: dict[str, Any]
) -> None:
    before = _now(manual)
    response = manual.post("/_trunkline/clock/advance", **request_kwargs)
    assert response.status_code == 400
    assert "error" in response.json()
    assert _now(manual) == before
    # The server still answers AWS calls after the refusal.
    assert manual_sts.get_caller_identity()["Account"] == ACCOUNT


def test_advance_is_refused_under_fast_timing(server: Server) -> None:
    response = server.post("/_trunkline/clock/advance", json={"seconds": 5})
    assert response.status_code == 409
    assert "manual" in response.json()["error"]
    state = server.get("/_trunkline/clock").json()
    assert state["timing"] == "fast"


def test_settle_works_under_every_timing(server: Server, manual: Server) -> None:
    fast = server.post("/_trunkline/clock/settle")
    assert fast.status_code == 200
    assert fast.json()["jobsRun"] == 0
    assert fast.json()["timing"] == "fast"

    before = _now(manual)
    settled = manual.post("/_trunkline/clock/settle")
    assert settled.status_code == 200
    # Nothing is due, so settling a manual clock does not move it.
    assert settled.json()["jobsRun"] == 0
    assert settled.json()["epochSeconds"] == before


def test_manual_clock_survives_a_restart(spawn: Callable[..., Server]) -> None:
    first = spawn("--timing", "manual")
    started = _now(first)
    stop_process(first)

    # Restarted before any advance: the clock resumes where it stood, not at the wall clock.
    second = spawn("--timing", "manual", state=first.state)
    assert _now(second) == started
    _advance(second, 3600)
    second.client("iam").create_role(RoleName="kept", AssumeRolePolicyDocument=TRUST)
    stop_process(second)

    third = spawn("--timing", "manual", state=first.state)
    assert _now(third) == started + 3600
    assert third.client("iam").get_role(RoleName="kept")["Role"]["RoleName"] == "kept"


def test_reset_keeps_the_manual_clock(manual: Server) -> None:
    before = _now(manual)
    _advance(manual, 100)
    manual.reset()
    assert _now(manual) == before + 100


def test_clock_endpoint_reports_wall_time_under_fast_timing(server: Server) -> None:
    state = server.get("/_trunkline/clock").json()
    assert state["now"].endswith("+00:00")
    assert isinstance(state["epochSeconds"], float)
