"""AWS calls skip Starlette's middleware and routing (aws_endpoint.py): every answer must be what
the Starlette route gives, byte for byte and header for header, refusals, errors, a busy store and
a failure included. Each request goes to one app both ways: `_App.__call__` (the short way) and
`Starlette.__call__` (the route), with request ids fixed so the bodies compare. Over real HTTP,
boto3 and the AWS CLI go through it in every other test; the last test checks the server's own
loop (GET with the action in the URL, and HEAD, which stays on the route)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.responses import Response

from conftest import Server
from trunkline import app as app_module
from trunkline.aws_endpoint import raw_headers
from trunkline.runtime import Config, Runtime
from trunkline.store.api import StoreBusy
from trunkline.wire import gateway
from trunkline.wire.errors import WireResponse

AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261207/us-east-1/{}/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0"
)
JSON_11 = "application/x-amz-json-1.1"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def app() -> Iterator[Any]:
    runtime = Runtime(Config(state=":memory:", timing="manual"))
    runtime.warm_up()
    try:
        yield app_module.create_app(runtime)
    finally:
        runtime.close()


@pytest.fixture(autouse=True)
def fixed_request_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gateway.uuid, "uuid4", lambda: uuid.UUID(int=7))


def _scope(method: str, headers: dict[str, str], query: bytes = b"", path: str = "/") -> dict[str, Any]:
    raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:4566"), *raw],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 4566),
        "state": {},
    }


def _send(app: Any, scope: dict[str, Any], body: bytes, entry: Any) -> tuple[list[dict[str, Any]], str | None]:
    """The messages `entry` sent, and the name of the exception it raised (if any)."""
    messages: list[dict[str, Any]] = []
    chunks = [{"type": "http.request", "body": body[:3], "more_body": True}, {"type": "http.request", "body": body[3:]}]

    async def receive() -> dict[str, Any]:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    async def call() -> str | None:
        try:
            await entry(app, dict(scope), receive, send)
        except Exception as error:
            return type(error).__name__
        return None

    raised = asyncio.run(call())
    return messages, raised


def _both_ways(app: Any, scope: dict[str, Any], body: bytes = b"") -> list[dict[str, Any]]:
    short, short_raised = _send(app, scope, body, type(app).__call__)
    routed, routed_raised = _send(app, scope, body, Starlette.__call__)
    assert short == routed
    assert short_raised == routed_raised
    assert short, "no answer at all"
    return short


def _status_and_body(messages: list[dict[str, Any]]) -> tuple[int, bytes]:
    return messages[0]["status"], b"".join(m.get("body", b"") for m in messages[1:])


CALLS = {
    "json": ("POST", {"x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters", "content-type": JSON_11, "authorization": AUTH.format("ecs")}, b"", b"{}"),
    "query form": ("POST", {"content-type": FORM, "authorization": AUTH.format("sts")}, b"", b"Action=GetCallerIdentity&Version=2011-06-15"),
    "ec2 form": ("POST", {"content-type": FORM, "authorization": AUTH.format("ec2")}, b"", b"Action=DescribeVpcs&Version=2016-11-15"),
    "action in the url": ("GET", {"authorization": AUTH.format("iam")}, b"Action=ListUsers&Version=2010-05-08", b""),
    "url with a fragment-like part": ("GET", {"authorization": AUTH.format("iam")}, b"Action=ListUsers&Version=2010-05-08%23x", b""),
    "invalid json": ("POST", {"x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters", "content-type": JSON_11, "authorization": AUTH.format("ecs")}, b"", b"{nope"),
    "validation error": ("POST", {"x-amz-target": "AmazonEC2ContainerServiceV20141113.DescribeClusters", "content-type": JSON_11, "authorization": AUTH.format("ecs")}, b"", b'{"clusters": 5}'),
    "unknown action": ("POST", {"content-type": FORM, "authorization": AUTH.format("iam")}, b"", b"Action=Nope&Version=2010-05-08"),
    "non-utf-8 form": ("POST", {"content-type": FORM, "authorization": AUTH.format("iam")}, b"", b"Action=\xff"),
    "repeated header": ("POST", {"x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters", "content-type": JSON_11, "authorization": AUTH.format("ecs"), "X-Extra": "a", "x-extra": "b"}, b"", b"{}"),
    "from a page": ("POST", {"content-type": FORM, "origin": "http://evil.example"}, b"", b"Action=CreateUser&UserName=m&Version=2010-05-08"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CALLS))
def test_the_short_way_answers_what_the_route_answers(app: Any, name: str) -> None:
    method, headers, query, body = CALLS[name]
    messages = _both_ways(app, _scope(method, headers, query), body)
    status, _ = _status_and_body(messages)
    assert status in (200, 400, 403, 404)


def test_a_host_that_is_not_allowed_is_refused_the_same_way(app: Any) -> None:
    scope = _scope("POST", {"content-type": FORM, "authorization": AUTH.format("sts")})
    scope["headers"] = [(b"host", b"rebound.example:4566"), *scope["headers"][1:]]
    status, body = _status_and_body(_both_ways(app, scope, b"Action=GetCallerIdentity&Version=2011-06-15"))
    assert status == 403 and b"HostNotAllowed" in body


def test_a_busy_store_is_a_503_both_ways(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def busy(*_: Any) -> Any:
        raise StoreBusy("conflicts past the retry budget")

    monkeypatch.setattr(app_module, "_answer", busy)
    method, headers, query, body = CALLS["json"]
    status, text = _status_and_body(_both_ways(app, _scope(method, headers, query), body))
    assert status == 503
    assert json.loads(text) == {"error": "the store is busy or unavailable, retry: conflicts past the retry budget"}


def test_a_failure_is_a_plain_500_and_raised_on_both_ways(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(app_module, "_answer", broken)
    method, headers, query, body = CALLS["json"]
    scope = _scope(method, headers, query)
    messages, raised = _send(app, scope, body, type(app).__call__)
    assert raised == "RuntimeError"
    assert _status_and_body(messages) == (500, b"Internal Server Error")
    assert _both_ways(app, scope, body) == messages


def test_other_paths_and_methods_still_go_through_starlette(app: Any) -> None:
    method_not_allowed = _both_ways(app, _scope("PUT", {"authorization": AUTH.format("iam")}), b"")
    assert _status_and_body(method_not_allowed)[0] == 405
    health = _both_ways(app, _scope("GET", {}, path="/_trunkline/clock"), b"")
    assert _status_and_body(health)[0] == 200


def test_over_http_get_with_the_action_in_the_url_and_head(server: Server) -> None:
    url = server.url + "/"
    headers = {"Authorization": AUTH.format("iam")}
    listed = httpx.get(url, params={"Action": "ListUsers", "Version": "2010-05-08"}, headers=headers, timeout=30)
    assert listed.status_code == 200 and "<ListUsersResult>" in listed.text
    assert listed.headers["content-type"] == "text/xml; charset=utf-8"
    head = httpx.head(url, params={"Action": "ListUsers", "Version": "2010-05-08"}, headers=headers, timeout=30)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == listed.headers["content-length"]


@settings(max_examples=300, deadline=None)
@given(
    status=st.sampled_from([100, 200, 204, 304, 400, 403, 500, 503]),
    body=st.binary(max_size=40),
    media_type=st.sampled_from(
        [
            "application/x-amz-json-1.1",
            "text/xml",
            "text/xml;charset=UTF-8",
            "text/plain; Charset=x",
            "application/json",
        ]
    ),
    headers=st.lists(
        st.tuples(
            st.sampled_from(["x-amzn-RequestId", "X-Amzn-RequestId", "Content-Type", "content-length", "x-a", "X-A"]),
            st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=8),
        ),
        max_size=4,
    ),
)
def test_the_short_ways_headers_are_starlettes(status: int, body: bytes, media_type: str, headers: list[Any]) -> None:
    """`raw_headers` builds what `Response(body, status, dict(headers), media_type=...)` sends."""
    answer = WireResponse(status, body, media_type, tuple(headers))
    expected = Response(answer.body, answer.status, dict(answer.headers), media_type=answer.content_type)
    assert raw_headers(answer) == expected.raw_headers
