"""`--auth strict` (issue 14, item 2): SigV4 verified with the secrets trunkline holds, in both
forms (header and presigned URL), against botocore's own signer and the AWS CLI. Each failure is
answered in the called protocol's own code, status and message (docs/decisions.md, "--auth strict")."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config as BotoConfig
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REGION, CliError, Server, fresh_state, make_cli, release_state, start_process, stop_process
from trunkline.domain.authentication import SIGNATURE_MISMATCH, _signing_key
from trunkline.wire.gateway import HttpRequest
from trunkline.wire.sigv4 import read_signed_request

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "111122223333"
KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
OTHER_KEY, OTHER_SECRET = "AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
INVALID = "The security token included in the request is invalid."
EXPIRED = "The security token included in the request is expired"
EC2_CREDENTIALS = "AWS was not able to validate the provided access credentials"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"}],
}

CREDENTIALS_FILE = f"""
[default]
aws_access_key_id = {KEY}
aws_secret_access_key = {SECRET}

[other]
aws_access_key_id = {OTHER_KEY}
aws_secret_access_key = {OTHER_SECRET}
aws_account_id = {OTHER_ACCOUNT}
"""


def _start_strict(tmp: Path, *extra: str) -> tuple[Server, str]:
    credentials = tmp / "credentials"
    credentials.write_text(CREDENTIALS_FILE)
    state = fresh_state(tmp)
    return start_process(state, "--auth", "strict", "--credentials", str(credentials), *extra), state


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server, state = _start_strict(tmp_path_factory.mktemp("strict"))
    try:
        yield server
    finally:
        stop_process(server)
        release_state(state)


@pytest.fixture
def manual_strict(tmp_path: Path) -> Iterator[Server]:
    server, state = _start_strict(tmp_path, "--timing", "manual")
    try:
        yield server
    finally:
        stop_process(server)
        release_state(state)


def _client(server: Server, service: str, key: str = KEY, secret: str = SECRET, token: str | None = None) -> Any:
    config = BotoConfig(retries={"max_attempts": 1})
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name=REGION,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=config,
    )


def _error(call: Callable[[], Any]) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    response: Any = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


# One read-only call per protocol family.
CALLS: dict[str, Callable[[Any], Any]] = {
    "sts": lambda c: c.get_caller_identity(),
    "iam": lambda c: c.list_users(),
    "ec2": lambda c: c.describe_vpcs(),
    "ecs": lambda c: c.list_clusters(),
    "ssm": lambda c: c.get_parameters(Names=["/aws/service/ecs/optimized-ami/amazon-linux-2/recommended"]),
}

UNKNOWN_KEY = {
    "sts": ("InvalidClientTokenId", INVALID, 403),
    "iam": ("InvalidClientTokenId", INVALID, 403),
    "ec2": ("AuthFailure", EC2_CREDENTIALS, 401),
    "ecs": ("UnrecognizedClientException", INVALID, 400),
    "ssm": ("UnrecognizedClientException", INVALID, 400),
}
BAD_SIGNATURE = {
    "sts": ("SignatureDoesNotMatch", 403),
    "iam": ("SignatureDoesNotMatch", 403),
    "ec2": ("AuthFailure", 401),
    "ecs": ("InvalidSignatureException", 400),
    "ssm": ("InvalidSignatureException", 400),
}


@pytest.mark.parametrize("service", CALLS)
def test_the_configured_keys_work(strict: Server, service: str) -> None:
    CALLS[service](_client(strict, service))


def test_each_key_acts_as_its_configured_account(strict: Server) -> None:
    assert _client(strict, "sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    other = _client(strict, "sts", OTHER_KEY, OTHER_SECRET).get_caller_identity()
    assert (other["Account"], other["Arn"]) == (OTHER_ACCOUNT, f"arn:aws:iam::{OTHER_ACCOUNT}:root")


@pytest.mark.parametrize("service", CALLS)
@pytest.mark.parametrize("key", ["AKIAUNKNOWNKEY000000", KEY[:-1] + "F"], ids=["never-issued", "one-character-off"])
def test_an_unknown_key_is_refused_in_each_protocols_words(strict: Server, service: str, key: str) -> None:
    assert _error(lambda: CALLS[service](_client(strict, service, key, SECRET))) == UNKNOWN_KEY[service]


@pytest.mark.parametrize("service", CALLS)
def test_a_wrong_secret_is_a_bad_signature(strict: Server, service: str) -> None:
    code, message, status = _error(lambda: CALLS[service](_client(strict, service, KEY, SECRET[:-1] + "X")))
    assert (code, status) == BAD_SIGNATURE[service]
    if service == "ec2":
        assert message == EC2_CREDENTIALS
    else:
        assert message.startswith(SIGNATURE_MISMATCH)


def test_sts_tells_the_canonical_request_it_expected(strict: Server) -> None:
    _, message, _ = _error(lambda: _client(strict, "sts", KEY, "wrong").get_caller_identity())
    assert "\n\nThe Canonical String for this request should have been\n'POST\n/\n\n" in message
    assert "host:" + strict.url.split("//", 1)[1] in message
    assert "\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n" in message
    # IAM does not
    _, iam_message, _ = _error(lambda: _client(strict, "iam", KEY, "wrong").list_users())
    assert iam_message == SIGNATURE_MISMATCH


@pytest.mark.parametrize(
    ("service", "target", "expected"),
    [
        ("sts", None, ("MissingAuthenticationToken", 403)),
        ("ec2", None, ("MissingAuthenticationToken", 401)),
        ("ecs", "AmazonEC2ContainerServiceV20141113.ListClusters", ("MissingAuthenticationTokenException", 400)),
    ],
)
def test_an_unsigned_request_is_refused(strict: Server, service: str, target: str | None, expected: Any) -> None:
    if target:
        answer = strict.post(
            "/", content=b"{}", headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"}
        )
        assert (answer.json()["__type"], answer.status_code) == expected
    else:
        version = {"sts": "2011-06-15", "ec2": "2016-11-15"}[service]
        action = {"sts": "GetCallerIdentity", "ec2": "DescribeVpcs"}[service]
        answer = strict.post("/", data={"Action": action, "Version": version})
        assert f"<Code>{expected[0]}</Code>" in answer.text
        assert answer.status_code == expected[1]
    assert "Request is missing Authentication Token" in answer.text


def test_a_malformed_authorization_header_is_an_incomplete_signature(strict: Server) -> None:
    header = "AWS4-HMAC-SHA256 Credential=ABCDEF"
    answer = strict.post(
        "/", data={"Action": "GetCallerIdentity", "Version": "2011-06-15"}, headers={"Authorization": header}
    )
    assert answer.status_code == 400
    assert "<Code>IncompleteSignature</Code>" in answer.text
    assert (
        "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' "
        f"parameter. Authorization={header}" in answer.text
    )
    ecs = strict.post(
        "/",
        content=b"{}",
        headers={
            "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListClusters",
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": "AWS4-HMAC-SHA256 Credential, SignedHeaders=host, Signature=00",
        },
    )
    assert (ecs.json()["__type"], ecs.status_code) == ("IncompleteSignatureException", 400)
    assert "not a valid key=value pair (missing equal-sign)" in ecs.json()["message"]


def test_authentication_comes_before_validation(strict: Server) -> None:
    """An invalid request (ECS RunTask without its task definition) that is also unsigned or
    badly signed gets the authentication error, as from AWS; a good signature gets the validation error."""
    headers = {
        "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.RunTask",
        "Content-Type": "application/x-amz-json-1.1",
    }
    unsigned = strict.post("/", content=b"{}", headers=headers)
    assert (unsigned.status_code, unsigned.json()["__type"]) == (400, "MissingAuthenticationTokenException")

    def unvalidated(secret: str) -> Any:
        config = BotoConfig(retries={"max_attempts": 1}, parameter_validation=False)
        return boto3.client(
            "ecs",
            endpoint_url=strict.url,
            region_name=REGION,
            aws_access_key_id=KEY,
            aws_secret_access_key=secret,
            config=config,
        )

    assert _error(lambda: unvalidated("wrong").run_task())[0] == "InvalidSignatureException"
    assert _error(lambda: unvalidated(SECRET).run_task())[0] == "InvalidParameterException"
    sts = strict.post("/", data={"Action": "AssumeRole", "Version": "2011-06-15"})  # unsigned, missing RoleArn
    assert "<Code>MissingAuthenticationToken</Code>" in sts.text


# --- issued keys ----------------------------------------------------------------------------------


def test_iam_user_keys_need_their_own_secret(strict: Server) -> None:
    iam = _client(strict, "iam")
    iam.create_user(UserName="carol")
    key = iam.create_access_key(UserName="carol")["AccessKey"]
    try:
        caller = _client(strict, "sts", key["AccessKeyId"], key["SecretAccessKey"]).get_caller_identity()
        assert caller["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/carol"
        code, _, status = _error(lambda: _client(strict, "sts", key["AccessKeyId"], SECRET).get_caller_identity())
        assert (code, status) == ("SignatureDoesNotMatch", 403)
        iam.update_access_key(UserName="carol", AccessKeyId=key["AccessKeyId"], Status="Inactive")
        assert (
            _error(lambda: _client(strict, "sts", key["AccessKeyId"], key["SecretAccessKey"]).get_caller_identity())
            == UNKNOWN_KEY["sts"]
        )
    finally:
        iam.delete_access_key(UserName="carol", AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName="carol")


@pytest.fixture
def session(strict: Server) -> Iterator[dict[str, Any]]:
    iam = _client(strict, "iam")
    name = "strict-session-role"
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))
    try:
        yield _client(strict, "sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{name}", RoleSessionName="s1")[
            "Credentials"
        ]
    finally:
        iam.delete_role(RoleName=name)


def test_session_credentials_need_their_token(strict: Server, session: dict[str, Any]) -> None:
    key, secret, token = session["AccessKeyId"], session["SecretAccessKey"], session["SessionToken"]
    assert (
        _client(strict, "sts", key, secret, token)
        .get_caller_identity()["Arn"]
        .endswith(":assumed-role/strict-session-role/s1")
    )
    _client(strict, "ecs", key, secret, token).list_clusters()
    for service in ("sts", "ecs", "ec2"):
        assert _error(lambda s=service: CALLS[s](_client(strict, s, key, secret, None))) == UNKNOWN_KEY[service]
        assert (
            _error(lambda s=service: CALLS[s](_client(strict, s, key, secret, token[:-2] + "zz")))
            == UNKNOWN_KEY[service]
        )
    # a static key may not carry a session token
    assert _error(lambda: _client(strict, "sts", KEY, SECRET, token).get_caller_identity()) == UNKNOWN_KEY["sts"]


def test_expired_sessions_and_the_wall_clock(manual_strict: Server) -> None:
    """Sessions expire on trunkline's clock; X-Amz-Date is checked against the real clock, so a
    manual clock advanced by hours does not make every fresh signature look stale."""
    iam = _client(manual_strict, "iam")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST))
    creds = _client(manual_strict, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/r", RoleSessionName="short", DurationSeconds=900
    )["Credentials"]
    parts = (creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    manual_strict.post("/_trunkline/clock/advance", json={"seconds": 7200}).raise_for_status()
    assert _client(manual_strict, "sts").get_caller_identity()["Account"] == ACCOUNT  # fresh signature: fine
    assert _error(lambda: _client(manual_strict, "sts", *parts).get_caller_identity()) == ("ExpiredToken", EXPIRED, 403)
    assert _error(lambda: _client(manual_strict, "ecs", *parts).list_clusters()) == (
        "ExpiredTokenException",
        EXPIRED,
        400,
    )
    assert _error(lambda: _client(manual_strict, "ec2", *parts).describe_vpcs()) == (
        "RequestExpired",
        "Request has expired.",
        400,
    )


def test_date_is_trunklines_clock_and_signing_by_it_is_current(manual_strict: Server) -> None:
    """Every AWS answer's Date header is trunkline's clock (here two hours ahead of the wall clock),
    as registeredAt and the other timestamps are. The JavaScript SDK v3 corrects its clock from
    Date and signs by it: such a signature is current too; one dated 6 minutes off both clocks
    is not."""
    manual_strict.post("/_trunkline/clock/advance", json={"seconds": 7200}).raise_for_status()
    now = manual_strict.get("/_trunkline/clock").json()["epochSeconds"]
    ecs = _client(manual_strict, "ecs")
    headers = ecs.list_clusters()["ResponseMetadata"]["HTTPHeaders"]
    server_date = email.utils.parsedate_to_datetime(headers["date"])
    assert server_date.timestamp() == int(now)
    assert manual_strict.get("/_trunkline/clock").headers["date"].endswith(" GMT")  # trunkline's own: wall clock
    corrected = server_date - dt.datetime.now(dt.UTC)
    with _signed_at(corrected):
        ecs.list_clusters()
        _client(manual_strict, "sts").get_caller_identity()
    with _signed_at(corrected + dt.timedelta(minutes=6)):
        code, message, status = _error(lambda: ecs.list_clusters())
    assert (code, status) == ("InvalidSignatureException", 400)
    assert message.startswith("Signature not yet current: ") and message.endswith(" + 5 min.)")


# --- time ------------------------------------------------------------------------------------------


def _signed_at(offset: dt.timedelta) -> Any:
    moment = dt.datetime.now(dt.UTC).replace(tzinfo=None) + offset
    return mock.patch("botocore.auth.get_current_datetime", return_value=moment)


@pytest.mark.parametrize(
    ("service", "offset", "code", "status", "text"),
    [
        ("sts", -16, "SignatureDoesNotMatch", 403, " - 15 min.)"),
        ("iam", -16, "SignatureDoesNotMatch", 403, " - 15 min.)"),
        ("ecs", -6, "InvalidSignatureException", 400, " - 5 min.)"),
        ("ssm", -6, "InvalidSignatureException", 400, " - 5 min.)"),
        ("sts", 16, "SignatureDoesNotMatch", 403, " + 15 min.)"),
        ("ecs", 6, "InvalidSignatureException", 400, " + 5 min.)"),
        ("ec2", -16, "RequestExpired", 400, "Request has expired."),
        ("ec2", 16, "RequestExpired", 400, "Request has expired."),
    ],
)
def test_x_amz_date_outside_the_window(
    strict: Server, service: str, offset: int, code: str, status: int, text: str
) -> None:
    client = _client(strict, service)
    with _signed_at(dt.timedelta(minutes=offset)):
        got_code, message, got_status = _error(lambda: CALLS[service](client))
    assert (got_code, got_status) == (code, status)
    assert text in message
    if service != "ec2":
        assert message.startswith("Signature expired: " if offset < 0 else "Signature not yet current: ")


@pytest.mark.parametrize(("service", "minutes"), [("sts", 14), ("ecs", 4), ("ec2", -14)])
def test_x_amz_date_inside_the_window(strict: Server, service: str, minutes: int) -> None:
    client = _client(strict, service)
    with _signed_at(dt.timedelta(minutes=-minutes)):
        CALLS[service](client)


# --- payload hash -----------------------------------------------------------------------------------


def _raw_call(server: Server, body: bytes, extra: dict[str, str], tamper: bytes | None = None) -> httpx.Response:
    """An ECS call signed by botocore's SigV4Auth, sent by httpx (optionally with another body)."""
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListClusters",
        **extra,
    }
    request = AWSRequest(method="POST", url=server.url + "/", data=body, headers=headers)
    SigV4Auth(Credentials(KEY, SECRET), "ecs", REGION).add_auth(request)
    sent = dict(request.headers.items())
    return httpx.post(server.url + "/", content=tamper if tamper is not None else body, headers=sent, timeout=30)


def test_the_payload_is_covered_by_the_signature(strict: Server) -> None:
    assert _raw_call(strict, b"{}", {}).status_code == 200
    tampered = _raw_call(strict, b"{}", {}, tamper=b'{"maxResults": 1}')
    assert (tampered.status_code, tampered.json()["__type"]) == (400, "InvalidSignatureException")


def test_x_amz_content_sha256_must_be_the_bodys_hash_or_unsigned(strict: Server) -> None:
    good = hashlib.sha256(b"{}").hexdigest()
    assert _raw_call(strict, b"{}", {"X-Amz-Content-Sha256": good}).status_code == 200
    assert _raw_call(strict, b"{}", {"X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"}).status_code == 200
    lying = _raw_call(strict, b"{}", {"X-Amz-Content-Sha256": hashlib.sha256(b"other").hexdigest()})
    assert (lying.status_code, lying.json()["__type"]) == (400, "InvalidSignatureException")
    assert lying.json()["message"] == "The provided 'x-amz-content-sha256' header does not match what was computed."


def test_a_scope_for_another_service_is_refused(strict: Server) -> None:
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListClusters",
    }
    request = AWSRequest(method="POST", url=strict.url + "/", data=b"{}", headers=headers)
    SigV4Auth(Credentials(KEY, SECRET), "ec2", REGION).add_auth(request)
    answer = httpx.post(strict.url + "/", content=b"{}", headers=dict(request.headers.items()), timeout=30)
    assert (answer.status_code, answer.json()["__type"]) == (400, "InvalidSignatureException")
    assert answer.json()["message"] == "Credential should be scoped to correct service: 'ecs'. "


# --- presigned URLs ----------------------------------------------------------------------------------


def test_a_presigned_get_caller_identity_url_fetched_with_httpx(strict: Server, session: dict[str, Any]) -> None:
    url = _client(strict, "sts").generate_presigned_url(
        "get_caller_identity", Params={}, ExpiresIn=60, HttpMethod="GET"
    )
    answer = httpx.get(url, timeout=30)
    assert answer.status_code == 200, answer.text
    assert f"<Arn>arn:aws:iam::{ACCOUNT}:root</Arn>" in answer.text
    # with session credentials (as EKS-style tokens are made): X-Amz-Security-Token is in the URL
    client = _client(strict, "sts", session["AccessKeyId"], session["SecretAccessKey"], session["SessionToken"])
    session_url = client.generate_presigned_url("get_caller_identity", Params={}, HttpMethod="GET")
    assert "X-Amz-Security-Token=" in session_url
    assert ":assumed-role/strict-session-role/s1</Arn>" in httpx.get(session_url, timeout=30).text


def test_a_presigned_url_cannot_be_altered(strict: Server) -> None:
    client = _client(strict, "sts")
    url = client.generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=60, HttpMethod="GET")
    altered = httpx.get(url.replace("Version=2011-06-15", "Version=2011-06-15&Extra=1"), timeout=30)
    assert (altered.status_code, "<Code>SignatureDoesNotMatch</Code>" in altered.text) == (403, True)
    # signed for POST (botocore's default for query operations), fetched with GET
    post_url = client.generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=60)
    assert httpx.get(post_url, timeout=30).status_code == 403
    assert httpx.post(post_url, timeout=30).status_code == 200


def test_an_expired_presigned_url_is_refused(strict: Server) -> None:
    with _signed_at(dt.timedelta(minutes=-2)):
        url = _client(strict, "sts").generate_presigned_url(
            "get_caller_identity", Params={}, ExpiresIn=60, HttpMethod="GET"
        )
    answer = httpx.get(url, timeout=30)
    assert answer.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in answer.text
    assert "Signature expired: " in answer.text and " - 60 sec.)" in answer.text
    # within X-Amz-Expires, a URL older than the 15-minute skew window is still good
    with _signed_at(dt.timedelta(minutes=-30)):
        old = _client(strict, "sts").generate_presigned_url(
            "get_caller_identity", Params={}, ExpiresIn=3600, HttpMethod="GET"
        )
    assert httpx.get(old, timeout=30).status_code == 200


# --- the AWS CLI -----------------------------------------------------------------------------------------


@pytest.mark.cli
def test_the_aws_cli_against_strict_mode(strict: Server, tmp_path: Path) -> None:
    good = make_cli(strict.url, tmp_path)
    assert good("sts", "get-caller-identity")["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert good("ecs", "list-clusters") == {"clusterArns": []}
    other = make_cli(strict.url, tmp_path, aws_access_key_id=OTHER_KEY, aws_secret_access_key=OTHER_SECRET)
    assert other("sts", "get-caller-identity")["Account"] == OTHER_ACCOUNT
    wrong = make_cli(strict.url, tmp_path, aws_access_key_id=KEY, aws_secret_access_key="not-the-secret")
    with pytest.raises(CliError) as caught:
        wrong("ecs", "list-clusters")
    assert "(InvalidSignatureException) when calling the ListClusters operation" in caught.value.stderr
    unknown = make_cli(strict.url, tmp_path, aws_access_key_id="AKIANOBODY0000000000", aws_secret_access_key="x")
    with pytest.raises(CliError) as caught:
        unknown("sts", "get-caller-identity")
    assert "(InvalidClientTokenId) when calling the GetCallerIdentity operation" in caught.value.stderr


# --- startup --------------------------------------------------------------------------------------------


def test_strict_mode_needs_keys(tmp_path: Path) -> None:
    import os
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    done = subprocess.run(
        [sys.executable, "-m", "trunkline", "serve", "--port", "0", "--state", ":memory:", "--auth", "strict"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "--auth strict needs keys" in done.stderr


def test_strict_mode_takes_its_key_from_the_environment(tmp_path: Path) -> None:
    import os
    import sys

    from trunkline import child_server

    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "AKIAENVKEY0000000001",
        "AWS_SECRET_ACCESS_KEY": "env-secret",
        "AWS_ACCOUNT_ID": OTHER_ACCOUNT,
    }
    command = [sys.executable, "-m", "trunkline", "serve", "--port", "0", "--state", ":memory:", "--auth", "strict"]
    with mock.patch.dict(os.environ, env):
        process, url = child_server.start(command)
    try:
        server = Server(url=url, state=":memory:", mode="process")
        caller = _client(server, "sts", "AKIAENVKEY0000000001", "env-secret").get_caller_identity()
        assert caller["Account"] == OTHER_ACCOUNT
        assert (
            _error(lambda: _client(server, "sts", "AKIAENVKEY0000000001", "nope").get_caller_identity())[0]
            == "SignatureDoesNotMatch"
        )
    finally:
        child_server.stop(process)


# --- the verifier against botocore's published vectors (no server) -----------------------------------


def test_reference_vectors_from_botocore() -> None:
    """The two vectors in shared/spec/iam-and-auth.md §1.3, made with botocore 1.43.11: the string
    to sign is rebuilt from the raw request alone, then signed with the secret."""
    ecs = HttpRequest(
        method="POST",
        headers={
            "content-type": "application/x-amz-json-1.1",
            "host": "localhost:4566",
            "x-amz-date": "20260301T120000Z",
            "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters",
            "user-agent": "not signed",
            "authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260301/us-east-1/ecs/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00",
        },
        query_string="",
        body=b"{}",
    )
    signed = read_signed_request(ecs)
    assert signed.canonical_request == (
        "POST\n/\n\n"
        "content-type:application/x-amz-json-1.1\nhost:localhost:4566\nx-amz-date:20260301T120000Z\n"
        "x-amz-target:AmazonEC2ContainerServiceV20141113.ListClusters\n\n"
        "content-type;host;x-amz-date;x-amz-target\n"
        "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    )
    assert _sign(signed) == "1e89d5e9862096e63abec610b0b333ab892c1f618b59900506c7c8395347cdc0"
    sts = HttpRequest(
        method="POST",
        headers={
            "content-type": "application/x-www-form-urlencoded; charset=utf-8",
            "host": "localhost:4566",
            "x-amz-date": "20260301T120000Z",
            "x-amz-security-token": "FQoGZXIvYXdzEXAMPLETOKEN",
            "authorization": "AWS4-HMAC-SHA256 Credential=ASIAIOSFODNN7EXAMPLE/20260301/us-east-1/sts/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=00",
        },
        query_string="",
        body=b"Action=GetCallerIdentity&Version=2011-06-15",
    )
    assert _sign(read_signed_request(sts)) == "f9ee6160f9d612d488b9d857caa4f63c14a66d28744e97ab73abc09904bfed08"


def _sign(signed: Any) -> str:
    import hmac

    key = _signing_key(SECRET, signed.scope_date, signed.region, signed.service)
    return hmac.new(key, signed.string_to_sign.encode(), hashlib.sha256).hexdigest()


# Printable ASCII: what an HTTP client lets through in a header value (httpx refuses control characters).
_FIELD = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    authorization=st.one_of(
        st.none(),
        _FIELD,
        st.builds(
            lambda c, h, sig: f"AWS4-HMAC-SHA256 Credential={c}, SignedHeaders={h}, Signature={sig}",
            _FIELD,
            st.sampled_from(["host", "host;x-amz-date", "", "content-type;host;x-amz-date"]),
            _FIELD,
        ),
    ),
    amz_date=st.one_of(
        st.none(), st.sampled_from(["20260301T120000Z", "99991231T235959Z", "00000000T000000Z"]), _FIELD
    ),
    presign=st.dictionaries(
        st.sampled_from(
            [
                "X-Amz-Algorithm",
                "X-Amz-Credential",
                "X-Amz-Date",
                "X-Amz-Expires",
                "X-Amz-SignedHeaders",
                "X-Amz-Signature",
                "X-Amz-Security-Token",
            ]
        ),
        st.one_of(_FIELD, st.just("9" * 5000), st.just("AWS4-HMAC-SHA256")),
        max_size=7,
    ),
    json_protocol=st.booleans(),
)
def test_no_signature_garbage_makes_a_server_error(
    strict: Server, authorization: str | None, amz_date: str | None, presign: dict[str, str], json_protocol: bool
) -> None:
    headers = {}
    if authorization is not None:
        headers["Authorization"] = authorization
    if amz_date is not None:
        headers["X-Amz-Date"] = amz_date
    if json_protocol:
        headers |= {
            "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListClusters",
            "Content-Type": "application/x-amz-json-1.1",
        }
        answer = httpx.post(strict.url + "/", params=presign, content=b"{}", headers=headers, timeout=30)
    else:
        params = {"Action": "GetCallerIdentity", "Version": "2011-06-15", **presign}
        answer = httpx.get(strict.url + "/", params=params, headers=headers, timeout=30)
    assert 400 <= answer.status_code < 500, answer.text


def test_strict_mode_with_enforce_iam_authenticates_then_authorizes(tmp_path: Path) -> None:
    server, state = _start_strict(tmp_path, "--enforce-iam")
    try:
        iam = _client(server, "iam")
        iam.create_user(UserName="nobody")
        key = iam.create_access_key(UserName="nobody")["AccessKey"]
        user = _client(server, "ecs", key["AccessKeyId"], key["SecretAccessKey"])
        code, message, status = _error(lambda: user.list_clusters())
        assert (code, status) == ("AccessDeniedException", 400)
        assert message.startswith(
            f"User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized to perform: ecs:ListClusters"
        )
        forged = _client(server, "ecs", key["AccessKeyId"], "not-the-secret")
        assert _error(lambda: forged.list_clusters())[0] == "InvalidSignatureException"
    finally:
        stop_process(server)
        release_state(state)


def test_x_amz_date_is_read_once_per_text_and_still_checked() -> None:
    """The time check keeps each X-Amz-Date's reading (`_sent_at`): the same reading strptime
    gives, and a text that is no date is still refused, however often it comes."""
    from trunkline.domain import authentication

    expected = dt.datetime(2026, 12, 7, 13, 59, 59, tzinfo=dt.UTC).timestamp()
    assert authentication._sent_at("20261207T135959Z") == expected
    for _ in range(2):
        assert authentication._sent_at("20261301T000000Z") is None
        assert authentication._sent_at("20261207T136000Z") is None


def test_strict_mode_with_enforce_iam_applies_a_role_permissions_boundary(tmp_path: Path) -> None:
    """A role session signed for real (boto3 and the AWS CLI): its identity policy allows ecs:*, its
    permissions boundary allows only listing and explicitly denies DeleteCluster."""
    server, state = _start_strict(tmp_path, "--enforce-iam")
    try:
        iam = _client(server, "iam")
        cap = iam.create_policy(
            PolicyName="cap",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": "ecs:List*", "Resource": "*"},
                        {"Effect": "Deny", "Action": "ecs:DeleteCluster", "Resource": "*"},
                    ],
                }
            ),
        )["Policy"]["Arn"]
        iam.create_role(RoleName="capped", AssumeRolePolicyDocument=json.dumps(TRUST), PermissionsBoundary=cap)
        iam.put_role_policy(
            RoleName="capped",
            PolicyName="all-ecs",
            PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}]}
            ),
        )
        iam.create_user(UserName="assumer")
        iam.put_user_policy(
            UserName="assumer",
            PolicyName="assume",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
                }
            ),
        )
        user_key = iam.create_access_key(UserName="assumer")["AccessKey"]
        sts = _client(server, "sts", user_key["AccessKeyId"], user_key["SecretAccessKey"])
        creds = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/capped", RoleSessionName="s1")["Credentials"]
        key, secret, token = creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]
        session = f"arn:aws:sts::{ACCOUNT}:assumed-role/capped/s1"
        ecs = _client(server, "ecs", key, secret, token)
        assert ecs.list_clusters()["clusterArns"] == []
        assert _error(lambda: ecs.delete_cluster(cluster="prod")) == (
            "AccessDeniedException",
            f"User: {session} is not authorized to perform: ecs:DeleteCluster on resource: "
            f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod with an explicit deny in a permissions boundary",
            400,
        )
        cli = make_cli(
            server.url, tmp_path, aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token
        )
        with pytest.raises(CliError) as caught:
            cli("ecs", "run-task", "--task-definition", "web:1")
        assert (
            f"User: {session} is not authorized to perform: ecs:RunTask on resource: "
            f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/web:1 because no permissions boundary allows the "
            "ecs:RunTask action" in caught.value.stderr
        )
    finally:
        stop_process(server)
        release_state(state)
