"""A web page the developer visits must not drive a local trunkline (issue 14, item 1). Each attack
from the issue is replayed over raw HTTP, as a browser would send it, and shown refused with no
change to the state; the requests SDKs, the CLI, curl and the same-origin dashboard send still work.
The statuses and codes are trunkline's own (docs/decisions.md, "Browser-proof by default")."""

from __future__ import annotations

import base64
import json
import os
import socket
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import Server
from trunkline import cli as trunkline_cli
from trunkline.guard import GuardPolicy, inspect, policy_for

EVIL = "http://evil.example"
FORM = "application/x-www-form-urlencoded"
CREATE_USER = {"Action": "CreateUser", "UserName": "mallory", "Version": "2010-05-08"}


def _host(server: Server) -> str:
    return urlsplit(server.url).netloc


def _query_error(response: httpx.Response) -> tuple[int, str]:
    root = ET.fromstring(response.text)
    code = root.find("{*}Error/{*}Code")
    if code is None:  # EC2's shape
        code = root.find("Errors/Error/Code")
    assert code is not None, response.text
    return response.status_code, code.text or ""


def _users(aws: Any) -> list[str]:
    return [user["UserName"] for user in aws("iam").list_users()["Users"]]


def _digest(server: Server) -> str:
    return str(server.get("/_trunkline/state/digest").json()["digest"])


def _no_cors(response: httpx.Response) -> None:
    assert not [name for name in response.headers if name.lower().startswith("access-control-")], response.headers


@pytest.mark.parametrize(
    "markers",
    [
        {"Origin": EVIL, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"},  # today's browsers
        {"Origin": EVIL},  # a browser without Fetch Metadata
        {"Sec-Fetch-Site": "cross-site"},  # a GET from an <img>, which carries no Origin
        {"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"},  # another local dev server
        {"Origin": "null"},  # a sandboxed frame or a file: page
    ],
    ids=["origin+fetch-metadata", "origin", "sec-fetch-site", "same-site", "null-origin"],
)
def test_cross_site_form_post_cannot_create_a_user(server: Server, aws: Any, markers: dict[str, str]) -> None:
    before = _digest(server)
    answer = server.post("/", data=CREATE_USER, headers={"Content-Type": FORM, **markers})
    assert _query_error(answer) == (403, "BrowserRequestRefused")
    assert "SigV4 Authorization header" in answer.text
    _no_cors(answer)
    assert _digest(server) == before
    assert "mallory" not in _users(aws)


def test_cross_site_get_with_the_action_in_the_url_is_refused(server: Server, aws: Any) -> None:
    answer = httpx.get(server.url + "/", params=CREATE_USER, headers={"Sec-Fetch-Site": "cross-site"}, timeout=30)
    assert _query_error(answer) == (403, "BrowserRequestRefused")
    assert "mallory" not in _users(aws)


# What Chromium 156 sends for `<img src="http://0.0.0.0:4590/?Action=...">` on another site: no
# Origin (a GET) and no Sec-Fetch-* (0.0.0.0 is not a trustworthy origin), yet it reaches a server
# listening on 127.0.0.1. tests/test_browser_attacks.py replays it with the browser itself.
IMG_GET = {"Accept": "image/avif,image/webp,image/apng,*/*;q=0.8", "User-Agent": "Mozilla/5.0 Chrome/156"}


@pytest.mark.parametrize("name", ["0.0.0.0", "[::ffff:7f00:1]", "[::]", "192.168.1.5"])
def test_an_unmarked_get_to_an_address_browsers_do_not_trust_is_refused(server: Server, aws: Any, name: str) -> None:
    before = _digest(server)
    host = {"Host": f"{name}:{urlsplit(server.url).port}"}
    answer = httpx.get(server.url + "/", params=CREATE_USER, headers={**IMG_GET, **host}, timeout=30)
    assert _query_error(answer) == (403, "BrowserRequestRefused")
    assert f"unsigned GET calls addressed to '{name.strip('[]')}'" in answer.text
    _no_cors(answer)
    assert _digest(server) == before
    assert "mallory" not in _users(aws)
    # a signed GET, and an unsigned POST (a page's POST always carries an Origin), still work there
    signed = {**host, "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260301/us-east-1/iam/aws4_request"}
    listed = httpx.get(
        server.url + "/", params={"Action": "ListUsers", "Version": "2010-05-08"}, headers=signed, timeout=30
    )
    assert listed.status_code == 200, listed.text
    posted = server.post("/", data={"Action": "GetCallerIdentity", "Version": "2011-06-15"}, headers=host)
    assert posted.status_code == 200, posted.text


@pytest.mark.parametrize("name", ["localhost", "127.0.0.1", "127.0.0.2", "[::1]", "app.localhost"])
def test_an_unsigned_get_to_loopback_still_works(server: Server, name: str) -> None:
    """There a browser marks its GETs (Sec-Fetch-Site), so an unmarked one is curl or a script."""
    host = {"Host": f"{name}:{urlsplit(server.url).port}"}
    params = {"Action": "GetCallerIdentity", "Version": "2011-06-15"}
    answer = httpx.get(server.url + "/", params=params, headers=host, timeout=30)
    assert answer.status_code == 200, answer.text


# Each query service answers errors in its own shape: EC2 `<Response><Errors>`, the others
# `<ErrorResponse>` in their own namespace. The calls without a Version are told by their Action.
REFUSAL_SHAPES = [
    (
        {"Action": "CreateUser", "UserName": "mallory", "Version": "2010-05-08"},
        "{https://iam.amazonaws.com/doc/2010-05-08/}ErrorResponse",
    ),
    ({"Action": "DeleteVpc", "VpcId": "vpc-1", "Version": "2016-11-15"}, "Response"),
    (
        {"Action": "DeleteAutoScalingGroup", "AutoScalingGroupName": "g", "Version": "2011-01-01"},
        "{http://autoscaling.amazonaws.com/doc/2011-01-01/}ErrorResponse",
    ),
    (
        {
            "Action": "AssumeRole",
            "RoleArn": "arn:aws:iam::123456789012:role/r",
            "RoleSessionName": "s",
            "Version": "2011-06-15",
        },
        "{https://sts.amazonaws.com/doc/2011-06-15/}ErrorResponse",
    ),
    ({"Action": "TerminateInstances", "InstanceId.1": "i-1"}, "Response"),
    ({"Action": "DeleteRole", "RoleName": "r"}, "{https://iam.amazonaws.com/doc/2010-05-08/}ErrorResponse"),
]


@pytest.mark.parametrize(
    ("call", "root"), REFUSAL_SHAPES, ids=["iam", "ec2", "autoscaling", "sts", "ec2-action", "iam-action"]
)
def test_an_unsigned_get_refusal_comes_in_the_services_own_error_shape(
    server: Server, call: dict[str, str], root: str
) -> None:
    """SDKs find the code and message of an error where the service puts them: EC2 under
    Response/Errors/Error, the others under ErrorResponse/Error in their namespace. A GET names
    the service in its query string, a form POST in its body."""
    before = _digest(server)
    port = urlsplit(server.url).port
    refused = httpx.get(server.url + "/", params=call, headers={**IMG_GET, "Host": f"0.0.0.0:{port}"}, timeout=30)
    assert _query_error(refused) == (403, "BrowserRequestRefused")
    assert ET.fromstring(refused.text).tag == root
    # a page's form POST of the call names the service in its body
    posted = server.post("/", data=call, headers={"Content-Type": FORM, "Origin": EVIL, "Sec-Fetch-Site": "cross-site"})
    assert _query_error(posted) == (403, "BrowserRequestRefused")
    assert ET.fromstring(posted.text).tag == root
    # the service's own error for the same call without its parameters (a missing one)
    own = server.post("/", data={name: call[name] for name in ("Action", "Version") if name in call})
    assert own.status_code == 400, own.text
    assert ET.fromstring(own.text).tag == root
    ec2_request_id = ET.fromstring(refused.text).find("RequestID")
    assert (ec2_request_id is not None) == (root == "Response")
    assert _digest(server) == before


def test_a_presigned_url_from_a_page_is_refused_in_the_default_mode(server: Server, aws: Any) -> None:
    """Any signature passes in the default mode, so a page could presign its own URL."""
    url = aws("iam").generate_presigned_url("create_user", Params={"UserName": "mallory"}, HttpMethod="GET")
    answer = httpx.get(url, headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}, timeout=30)
    assert _query_error(answer) == (403, "BrowserRequestRefused")
    assert "mallory" not in _users(aws)


def test_json_protocol_refusals_come_in_json(server: Server) -> None:
    headers = {
        "Origin": EVIL,
        "Content-Type": "text/plain",
        "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListClusters",
    }
    answer = server.post("/", content=b"{}", headers=headers)
    assert answer.status_code == 403
    assert answer.json()["__type"] == "BrowserRequestRefused"


def test_a_signed_request_with_an_origin_still_works(server: Server, aws: Any) -> None:
    """A page can only add an Authorization header after a CORS preflight, which never passes;
    so a request that has one is not a page's forgery (e.g. a same-origin tool, or a proxy)."""
    client = aws("iam")
    client.meta.events.register("before-sign.*.*", lambda request, **_: request.headers.add_header("Origin", EVIL))
    client.create_user(UserName="signed")
    assert "signed" in _users(aws)


@pytest.mark.parametrize(
    ("content_type", "extra"),
    [
        ("text/plain", {}),
        (FORM, {}),
        ("multipart/form-data; boundary=x", {}),
        ("text/plain", {"Origin": EVIL, "Sec-Fetch-Site": "cross-site"}),
        ("application/json", {"Origin": EVIL, "Sec-Fetch-Site": "cross-site"}),
        ("application/json", {"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"}),
    ],
    ids=["text-plain", "form", "multipart", "text-plain-cross-site", "json-cross-site", "json-same-site"],
)
def test_a_page_cannot_reset_the_state(server: Server, aws: Any, content_type: str, extra: dict[str, str]) -> None:
    aws("ecs").create_cluster(clusterName="precious")
    before = _digest(server)
    answer = server.post("/_trunkline/reset", content=b"{}", headers={"Content-Type": content_type, **extra})
    expected = 403 if extra else 415
    assert answer.status_code == expected
    assert answer.json()["code"] == ("CrossOriginRequestRefused" if extra else "UnsupportedMediaType")
    _no_cors(answer)
    assert _digest(server) == before
    assert aws("ecs").list_clusters()["clusterArns"]


@pytest.mark.parametrize("path", ["/_trunkline/clock/settle", "/_trunkline/clock/advance"])
def test_clock_writes_need_json_too(server: Server, path: str) -> None:
    answer = server.post(path, content=b'{"seconds": 5}', headers={"Content-Type": "text/plain"})
    assert answer.status_code == 415


@pytest.mark.parametrize(
    ("path", "host"),
    [
        ("/_trunkline/state/digest", "evil.example"),
        ("/_trunkline/health", "rebind.attacker.test:4590"),
        ("/_trunkline/events", "evil.example."),
        ("/", "evil.example"),
    ],
)
def test_a_foreign_host_header_is_refused(server: Server, path: str, host: str) -> None:
    """DNS rebinding: the page's own name now points at 127.0.0.1, so its requests (and reads of
    the answers) are same-origin to the browser; only the Host header gives them away."""
    params = {"Action": "GetCallerIdentity", "Version": "2011-06-15"} if path == "/" else None
    answer = httpx.get(server.url + path, params=params, headers={"Host": host}, timeout=30)
    assert answer.status_code == 403
    if path == "/":
        assert _query_error(answer) == (403, "HostNotAllowed")
    else:
        assert answer.json()["code"] == "HostNotAllowed"
        assert "--allow-host" in answer.json()["error"]
    _no_cors(answer)


@pytest.mark.parametrize(
    "host", ["localhost", "LOCALHOST", "app.localhost", "127.0.0.1", "127.0.0.2", "[::1]", "10.1.2.3"]
)
def test_loopback_names_and_address_literals_are_answered(server: Server, host: str) -> None:
    port = urlsplit(server.url).port
    answer = httpx.get(server.url + "/_trunkline/health", headers={"Host": f"{host}:{port}"}, timeout=30)
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("path", ["/", "/_trunkline/reset", "/_trunkline/clock/advance"])
def test_an_options_preflight_gets_no_cors(server: Server, path: str) -> None:
    headers = {
        "Origin": EVIL,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-amz-target",
    }
    answer = httpx.options(server.url + path, headers=headers, timeout=30)
    assert answer.status_code == 403
    _no_cors(answer)


def test_the_dashboard_keeps_working(server: Server, aws: Any) -> None:
    """Same-origin GETs (no Origin on a GET) and same-origin JSON POSTs, as a page on
    /_trunkline/ui sends them."""
    origin = server.url
    same = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"}
    assert httpx.get(server.url + "/_trunkline/health", headers=same, timeout=30).status_code == 200
    assert httpx.get(server.url + "/_trunkline/clock", headers=same, timeout=30).status_code == 200
    settle = server.post("/_trunkline/clock/settle", json={}, headers={"Origin": origin, **same})
    assert settle.status_code == 200, settle.text
    assert "jobsRun" in settle.json()


def test_a_link_from_another_site_opens_the_dashboard_but_a_form_cannot_post(server: Server) -> None:
    navigate = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}
    assert httpx.get(server.url + "/_trunkline/health", headers=navigate, timeout=30).status_code == 200
    # a cross-site <img> or fetch() of the same URL is not a navigation
    subresource = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}
    assert httpx.get(server.url + "/_trunkline/health", headers=subresource, timeout=30).status_code == 403
    # a form submission navigates too, but it is a POST, and it carries an Origin
    form = server.post("/_trunkline/reset", content=b"{}", headers={"Origin": EVIL, **navigate, "Content-Type": FORM})
    assert form.status_code == 403
    # and on the AWS endpoint, a navigation with the action in the URL stays refused
    answer = httpx.get(server.url + "/", params=CREATE_USER, headers=navigate, timeout=30)
    assert _query_error(answer) == (403, "BrowserRequestRefused")


def test_scripts_and_curl_keep_working(server: Server, aws: Any) -> None:
    aws("ecs").create_cluster(clusterName="gone-soon")
    # `curl -X POST .../_trunkline/reset`: no body, no content type
    assert httpx.post(server.url + "/_trunkline/reset", timeout=30).status_code == 200
    assert aws("ecs").list_clusters()["clusterArns"] == []
    # an unsigned SDK-less call (no browser markers) is still the easy default
    answer = server.post("/", data={"Action": "GetCallerIdentity", "Version": "2011-06-15"})
    assert answer.status_code == 200


def test_allow_host_names_a_host_and_nothing_else(spawn: Any) -> None:
    server = spawn("--allow-host", "trunkline.internal", "--allow-host", "Other.Example")
    port = urlsplit(server.url).port
    for host in ("trunkline.internal", f"trunkline.internal:{port}", "other.example", "localhost"):
        answer = httpx.get(server.url + "/_trunkline/health", headers={"Host": host}, timeout=30)
        assert answer.status_code == 200, host
    refused = httpx.get(server.url + "/_trunkline/health", headers={"Host": "evil.example"}, timeout=30)
    assert refused.status_code == 403


def test_bound_beyond_loopback_a_rebound_name_cannot_get_an_aws_call(spawn: Any) -> None:
    """A page on a rebound name is same-origin with trunkline: its GETs carry no browser marker
    (an http:// name gets no Fetch Metadata) and may add a made-up Authorization header."""
    server = spawn("--host", "0.0.0.0")
    port = urlsplit(server.url).port
    signed = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260301/us-east-1/iam/aws4_request"}
    rebound = {**signed, "Host": f"evil.example:{port}"}
    answer = httpx.get(server.url + "/", params=CREATE_USER, headers=rebound, timeout=30)
    assert _query_error(answer) == (403, "HostNotAllowed")
    assert "start trunkline with --allow-host evil.example" in answer.text
    assert _users(server.client) == []
    # another machine's SDK (a signed POST) under any name, and a signed GET to an address, still work
    call = {"Action": "ListUsers", "Version": "2010-05-08"}
    assert httpx.post(server.url + "/", data=call, headers={**signed, "Host": "devbox"}, timeout=30).status_code == 200
    at_address = {**signed, "Host": f"10.1.2.3:{port}"}
    assert httpx.get(server.url + "/", params=call, headers=at_address, timeout=30).status_code == 200
    # and once the name is allowed, it is the user's own
    allowed = spawn("--host", "0.0.0.0", "--allow-host", "evil.example")
    answer = httpx.get(allowed.url + "/", params=call, headers=rebound, timeout=30)
    assert answer.status_code == 200, answer.text


def test_host_policy_follows_the_bind_address() -> None:
    """Bound beyond loopback on purpose (e.g. 0.0.0.0 in a container), other machines use names
    trunkline cannot know: the Host check is off unless --allow-host names them."""
    assert policy_for("127.0.0.1", (), False).check_host
    assert policy_for("localhost", (), False).check_host
    assert policy_for("::1", (), False).check_host
    assert not policy_for("0.0.0.0", (), False).check_host
    assert policy_for("0.0.0.0", ("ci-host",), False).check_host
    assert not policy_for("127.0.0.1", ("*",), False).check_host
    open_policy = policy_for("0.0.0.0", (), False)
    assert inspect("GET", "/_trunkline/health", {"host": "anything.example"}, "", open_policy) is None
    # ... but not for a browser: DNS rebinding makes the page same-origin with the name it rebinds
    rebound = {
        "host": "attacker.example:4590",
        "sec-fetch-site": "same-origin",
        "origin": "http://attacker.example:4590",
    }
    refusal = inspect("POST", "/_trunkline/reset", {**rebound, "content-type": "application/json"}, "", open_policy)
    assert refusal is not None and refusal.code == "HostNotAllowed"
    assert inspect("GET", "/_trunkline/health", {"host": "attacker.example", "sec-fetch-mode": "cors"}, "", open_policy)
    # the browser checks stay on whatever the bind address
    assert inspect("POST", "/", {"host": "x", "origin": EVIL}, "", open_policy) is not None


def test_strict_mode_lets_a_browser_fetch_a_presigned_url() -> None:
    headers = {"host": "127.0.0.1", "sec-fetch-site": "cross-site"}
    query = "Action=GetCallerIdentity&X-Amz-Signature=abc"
    assert inspect("GET", "/", headers, query, GuardPolicy(strict=True)) is None
    assert inspect("GET", "/", headers, query, GuardPolicy(strict=False)) is not None


def test_strict_mode_keeps_the_control_endpoints_to_this_machine() -> None:
    """Strict mode is what makes binding beyond loopback reasonable; /_trunkline/ is unsigned."""
    headers = {"host": "10.0.0.5:4590"}
    strict, open_mode = GuardPolicy(check_host=False, strict=True), GuardPolicy(check_host=False)
    refused = inspect("POST", "/_trunkline/reset", headers, "", strict, client="10.0.0.9")
    assert refused is not None and (refused.status, refused.code) == (403, "LoopbackOnly")
    assert inspect("GET", "/_trunkline/events", headers, "", strict, client="10.0.0.9") is not None
    assert inspect("POST", "/_trunkline/reset", headers, "", strict, client="127.0.0.1") is None
    assert inspect("POST", "/_trunkline/reset", headers, "", open_mode, client="10.0.0.9") is None
    assert inspect("POST", "/", headers, "", strict, client="10.0.0.9") is None  # AWS calls are signed


def test_binding_beyond_loopback_without_strict_auth_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[Any] = []
    monkeypatch.setattr("trunkline.server.serve", lambda config, ready: served.append(config))
    runner = CliRunner()
    loud = runner.invoke(trunkline_cli.app, ["serve", "--host", "0.0.0.0", "--state", ":memory:"])
    assert loud.exit_code == 0, loud.output
    assert "warning: listening on 0.0.0.0" in loud.output
    assert "without --auth strict" in loud.output
    quiet = runner.invoke(trunkline_cli.app, ["serve", "--host", "127.0.0.1", "--state", ":memory:"])
    assert quiet.exit_code == 0 and "warning" not in quiet.output
    assert len(served) == 2


_LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)


@given(st.lists(_LABEL, min_size=1, max_size=4).map(".".join), st.integers(min_value=1, max_value=65535))
def test_no_host_name_but_loopback_or_allowed_gets_through(name: str, port: int) -> None:
    """DNS rebinding needs a host name; every name that is not loopback or allowed is refused."""
    policy = policy_for("127.0.0.1", ("allowed.example",), False)
    refused = inspect("GET", "/_trunkline/health", {"host": f"{name}:{port}"}, "", policy)
    numeric = all(label.isdigit() for label in name.split("."))  # may parse as an IPv4 address literal
    exempt = name in ("localhost", "allowed.example") or name.endswith(".localhost") or numeric
    assert (refused is None) == exempt or numeric


@given(
    st.sampled_from(["http", "https"]),
    _LABEL,
    st.integers(min_value=1, max_value=65535),
    st.sampled_from(["POST", "GET", "DELETE"]),
)
def test_only_the_own_origin_reaches_the_control_endpoints(scheme: str, name: str, port: int, method: str) -> None:
    own = "127.0.0.1:4590"
    origin = f"{scheme}://{name}:{port}"
    headers = {"host": own, "origin": origin, "content-type": "application/json"}
    refused = inspect(method, "/_trunkline/reset", headers, "", GuardPolicy())
    assert refused is not None and refused.code == "CrossOriginRequestRefused"
    same = inspect(method, "/_trunkline/reset", {**headers, "origin": f"{scheme}://{own}"}, "", GuardPolicy())
    assert same is None


# --- trunkline's own answers: read as JSON only, never kept --------------------------------------

OWN_READS = [
    "/_trunkline/health",
    "/_trunkline/clock",
    "/_trunkline/state/digest",
    "/_trunkline/dashboard",
    "/_trunkline/events",
    "/_trunkline/events?after=nope",  # its 400
    "/_trunkline/capacity-providers",
    "/_trunkline/container-instances/capacity?cluster=nope",  # its 404
    "/_trunkline/agents/i-0123456789abcdef0",
]


@pytest.mark.parametrize("path", OWN_READS)
def test_the_own_endpoints_answer_json_a_browser_does_not_sniff_or_keep(server: Server, path: str) -> None:
    """A page could load the JSON as a script or a style sheet (`<script src>` needs no CORS) if
    the browser guessed its type, and a shared cache could keep the state it shows."""
    answer = server.get(path)
    assert answer.headers["content-type"] == "application/json"
    answer.json()
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"


def test_own_writes_refusals_and_unknown_paths_carry_nosniff_too(server: Server) -> None:
    settle = server.post("/_trunkline/clock/settle", json={})
    refused = server.post("/_trunkline/reset", content=b"{}", headers={"Content-Type": "text/plain"})
    cross = httpx.get(server.url + "/_trunkline/health", headers={"Origin": EVIL}, timeout=30)
    unknown = server.get("/_trunkline/nothing-here")
    assert [r.status_code for r in (settle, refused, cross, unknown)] == [200, 415, 403, 404]
    for answer in (settle, refused, cross, unknown):
        assert answer.headers["x-content-type-options"] == "nosniff", answer.request.url
        assert answer.headers["cache-control"] == "no-store", answer.request.url
    # the dashboard's files and the event stream keep their own Cache-Control
    page = server.get("/_trunkline/ui")
    assert (page.headers["cache-control"], page.headers["x-content-type-options"]) == ("no-cache", "nosniff")
    with httpx.stream("GET", server.url + "/_trunkline/events/stream", timeout=30) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert (stream.headers["cache-control"], stream.headers["x-content-type-options"]) == ("no-cache", "nosniff")


# --- WebSocket upgrades meet the checks a GET meets --------------------------------------------


def handshake(url: str, target: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """A WebSocket opening handshake over a raw socket: the answer's status, headers and body."""
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    fields = {
        "Host": f"127.0.0.1:{parts.port}",
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
        "Sec-WebSocket-Version": "13",
        **headers,
    }
    head = f"GET {target} HTTP/1.1\r\n" + "".join(f"{name}: {value}\r\n" for name, value in fields.items())
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as connection:
        connection.sendall(head.encode("latin-1") + b"\r\n")
        received = b""
        while chunk := connection.recv(65536):  # a refused handshake is answered, then closed
            received += chunk
    status_line, _, rest = received.partition(b"\r\n")
    raw_headers, _, body = rest.partition(b"\r\n\r\n")
    answer_headers = {}
    for line in raw_headers.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        answer_headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), answer_headers, body


def handshake_refusal(status: int, headers: dict[str, str], body: bytes) -> tuple[int, str]:
    """(status, code) of a refused handshake: JSON under /_trunkline/, the AWS error shape on /."""
    if headers.get("content-type") == "application/json":
        return status, str(json.loads(body)["code"])
    code = ET.fromstring(body).find("{*}Error/{*}Code")
    assert code is not None, body
    return status, code.text or ""


STREAM = "/_trunkline/events/stream"
CREATE_USER_URL = "/?Action=CreateUser&UserName=mallory&Version=2010-05-08"


@pytest.mark.parametrize(
    ("target", "headers", "expected"),
    [
        (STREAM, {"Origin": EVIL}, "CrossOriginRequestRefused"),
        (STREAM, {"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"}, "CrossOriginRequestRefused"),
        (STREAM, {"Origin": EVIL, "Host": "evil.example"}, "HostNotAllowed"),
        (CREATE_USER_URL, {"Origin": EVIL}, "BrowserRequestRefused"),
        (CREATE_USER_URL, {"Origin": "null"}, "BrowserRequestRefused"),
        (CREATE_USER_URL, {"Host": "0.0.0.0"}, "BrowserRequestRefused"),  # unsigned, to an untrusted address
        (CREATE_USER_URL, {"Host": "rebound.example"}, "HostNotAllowed"),
    ],
    ids=[
        "cross-site",
        "same-site",
        "rebound-stream",
        "aws-cross-site",
        "aws-null-origin",
        "aws-0.0.0.0",
        "aws-rebound",
    ],
)
def test_a_websocket_upgrade_is_refused_as_a_get_would_be(
    server: Server, aws: Any, target: str, headers: dict[str, str], expected: str
) -> None:
    """A page can open a WebSocket to any origin without a preflight: the browser adds its Origin
    and nothing stops the handshake but the server (docs/decisions.md, "The browser guard: WebSocket upgrades")."""
    before = _digest(server)
    status, answer_headers, body = handshake(server.url, target, headers)
    assert handshake_refusal(status, answer_headers, body) == (403, expected)
    assert "sec-websocket-accept" not in answer_headers
    _no_cors(httpx.Response(status, headers=answer_headers))
    if target == STREAM:
        assert answer_headers["x-content-type-options"] == "nosniff"
    else:
        assert ET.fromstring(body).tag == "{https://iam.amazonaws.com/doc/2010-05-08/}ErrorResponse"
    assert _digest(server) == before
    assert "mallory" not in _users(aws)


def test_an_upgrade_that_passes_the_checks_finds_no_websocket(server: Server) -> None:
    """trunkline serves no WebSocket: a same-origin upgrade, or a script's, is still not accepted."""
    for target, headers in [
        (STREAM, {"Origin": server.url}),
        (STREAM, {}),
        ("/?Action=GetCallerIdentity&Version=2011-06-15", {}),
    ]:
        status, answer_headers, _ = handshake(server.url, target, headers)
        assert status == 403 and "sec-websocket-accept" not in answer_headers, target
