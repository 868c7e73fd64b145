"""The verifier against botocore's signer, over generated requests: whatever query parameters,
headers, path and body a client signs, the string to sign trunkline rebuilds from the bytes on the
wire gives botocore's signature, in the header form and the presigned form; and any change to a
signed part breaks it. (No server: `wire.sigv4` and `domain.authentication` are called directly.)"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import string
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import given, settings
from hypothesis import strategies as st

from trunkline.domain.authentication import _signing_key
from trunkline.wire.gateway import HttpRequest
from trunkline.wire.sigv4 import read_signed_request

KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
HOST = "localhost:4566"
MOMENT = dt.datetime(2026, 3, 1, 12, 0, 0)

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_params = st.dictionaries(_text.filter(bool), _text, max_size=5)
_header_name = st.from_regex(r"x-test-[a-z0-9]{1,8}", fullmatch=True)
_header_value = st.text(st.sampled_from(string.ascii_letters + string.digits + " ,;=/-_.:"), max_size=20)
_headers = st.dictionaries(_header_name, _header_value.filter(lambda v: v.strip() != ""), max_size=3)
_segment = st.text(st.sampled_from(string.ascii_letters + string.digits + "-_.~%20"), min_size=1, max_size=8)
_path = st.lists(_segment, max_size=3).map(lambda parts: "/" + "/".join(parts))


def _wire(prepared: Any, body: bytes) -> HttpRequest:
    """What the server receives: the raw path and query of the URL botocore sends, its headers."""
    parts = urlsplit(prepared.url)
    headers = {name.lower(): value for name, value in prepared.headers.items()}
    headers["host"] = HOST
    return HttpRequest(prepared.method, headers, parts.query, body, path=parts.path or "/")


def _recomputed(request: HttpRequest) -> tuple[str, str]:
    signed = read_signed_request(request)
    key = _signing_key(SECRET, signed.scope_date, signed.region, signed.service)
    return hmac.new(key, signed.string_to_sign.encode(), hashlib.sha256).hexdigest(), signed.signature


@settings(max_examples=150, deadline=None)
@given(_params, _headers, _path, st.binary(max_size=64), st.sampled_from(["GET", "POST"]))
def test_header_signatures_match_botocore(
    params: dict[str, str], headers: dict[str, str], path: str, body: bytes, method: str
) -> None:
    request = AWSRequest(method=method, url=f"http://{HOST}{path}", params=params, headers=headers, data=body)
    with mock.patch("botocore.auth.get_current_datetime", return_value=MOMENT):
        SigV4Auth(Credentials(KEY, SECRET), "ecs", "us-east-1").add_auth(request)
    wire = _wire(request.prepare(), body)
    expected, sent = _recomputed(wire)
    assert expected == sent
    # a changed body, header value or method no longer matches
    assert _recomputed(HttpRequest(method, wire.headers, wire.query_string, body + b"x", wire.path))[0] != sent
    flipped = "POST" if method == "GET" else "GET"
    assert _recomputed(HttpRequest(flipped, wire.headers, wire.query_string, body, wire.path))[0] != sent
    if headers:
        name = next(iter(headers))
        changed = {**wire.headers, name: wire.headers[name] + "!"}
        assert _recomputed(HttpRequest(method, changed, wire.query_string, body, wire.path))[0] != sent


@settings(max_examples=100, deadline=None)
@given(_params, st.booleans())
def test_presigned_signatures_match_botocore(params: dict[str, str], with_token: bool) -> None:
    token = "FwoGZXIvYXdzEXAMPLE+/=TOKEN" if with_token else None
    request = AWSRequest(method="GET", url=f"http://{HOST}/", params=params)
    with mock.patch("botocore.auth.get_current_datetime", return_value=MOMENT):
        SigV4QueryAuth(Credentials(KEY, SECRET, token), "sts", "us-east-1", expires=60).add_auth(request)
    wire = _wire(request.prepare(), b"")
    expected, sent = _recomputed(wire)
    assert expected == sent
    signed = read_signed_request(wire)
    assert (signed.expires, signed.session_token) == (60, token)
    tampered = wire.query_string.replace("X-Amz-Expires=60", "X-Amz-Expires=61")
    assert _recomputed(HttpRequest("GET", wire.headers, tampered, b"", wire.path))[0] != sent


def test_an_absurd_x_amz_expires_is_an_incomplete_signature() -> None:
    """Not a 500: Python refuses to turn more than 4300 digits into an int."""
    import pytest

    from trunkline.errors import AuthFailure

    query = (
        "Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20260301%2Fus-east-1%2Fsts"
        "%2Faws4_request&X-Amz-Date=20260301T120000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Expires="
    )
    for expires in ("9" * 5000, "0", "604801", "-1", "1e3"):
        with pytest.raises(AuthFailure) as caught:
            read_signed_request(HttpRequest("GET", {"host": HOST}, query + expires, b""))
        assert caught.value.kind == "incomplete"
    assert read_signed_request(HttpRequest("GET", {"host": HOST}, query + "604800", b"")).expires == 604800
