"""What keeps a web page from driving a local trunkline: checks made on every HTTP request before
it is routed, as an ASGI middleware around the app.

A page the developer visits can send requests to 127.0.0.1 (form posts, `<img>` loads, `fetch`
in no-cors mode) and, through DNS rebinding, even read the answers. Browsers mark such requests
(`Origin`, `Sec-Fetch-Site`) and name the page's host in `Host`; SDKs and the AWS CLI never send
the first two and name the endpoint in the third. So:

- `Host` must be a loopback name, an IP address literal (DNS rebinding needs a host name) or a
  name given with `--allow-host`; when trunkline binds beyond loopback and no `--allow-host` is
  given, the check is off for clients that are not browsers (other machines reach it under names
  trunkline cannot know), and stays on for requests with browser markers.
- `OPTIONS` is refused and no response carries CORS headers, so no cross-origin preflight passes.
- An AWS call with browser markers needs a SigV4 `Authorization` header (which a page can only
  send after a preflight, which fails); under `--auth strict` a presigned URL also does, as its
  signature is verified.
- An unsigned AWS call by GET must be addressed to a name browsers send Fetch Metadata to
  (localhost, 127.0.0.0/8, ::1): to 0.0.0.0, IPv4-mapped ::ffff:127.0.0.1 or a LAN address, which
  reach a local server too, an `<img>` GET carries no marker at all. Bound beyond loopback without
  `--allow-host`, an AWS call by GET to a name trunkline does not know is refused even when it
  carries an `Authorization` header (unless under `--auth strict`): a page on a rebound name is
  same-origin, sends no marker on a GET and may add any header.
- `/_trunkline/` requests must come from the same origin (the dashboard) or no browser at all
  (and, under `--auth strict`, from this machine: they are not signed), and writes must be JSON (a page can only send form, multipart or text/plain bodies without a
  preflight), or carry no body and no content type at all (`curl -X POST`).
- A WebSocket upgrade is a GET a page may send anywhere (the browser adds only `Origin`): it meets
  the same checks, on any path. Answers under `/_trunkline/` carry `X-Content-Type-Options:
  nosniff` and, unless they set their own, `Cache-Control: no-store`.

See docs/decisions.md ("Browser-proof by default") for the answers' statuses and codes.
"""

from __future__ import annotations

import functools
import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trunkline.errors import AwsError

OWN_PREFIX = "/_trunkline"
_CROSS_SITE = ("cross-site", "same-site")  # same-site: another port of localhost is another origin
_SIGV4 = "aws4-hmac-sha256 "
_READS = ("GET", "HEAD")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


@dataclass(frozen=True)
class GuardPolicy:
    check_host: bool = True
    allowed_hosts: frozenset[str] = frozenset()  # lower-case names, besides loopback and IP literals
    strict: bool = False  # --auth strict: presigned URLs are verified, so a browser may fetch one


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str


def policy_for(host: str, allowed_hosts: tuple[str, ...], strict: bool) -> GuardPolicy:
    """Check `Host` when bound to loopback, or whenever names were allowed explicitly."""
    names = frozenset(name.strip().lower().rstrip(".") for name in allowed_hosts if name.strip())
    if "*" in names:
        return GuardPolicy(check_host=False, strict=strict)
    return GuardPolicy(check_host=is_loopback(host) or bool(names), allowed_hosts=names, strict=strict)


@functools.lru_cache(maxsize=256)  # asked on every request, mostly about the same few names
def is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def inspect(
    method: str, path: str, headers: Mapping[str, str], query: str, policy: GuardPolicy, client: str | None = None
) -> Refusal | None:
    """The refusal for this request, or None to let it through. `headers` have lower-case names;
    `client` is the peer's address."""
    host = headers.get("host", "")
    # Bound beyond loopback, non-browser clients may use any name; a browser never may (DNS
    # rebinding makes the attacker's page same-origin with whatever it points its name at).
    check_host = policy.check_host or _from_a_browser(headers)
    if check_host and host and not _host_allowed(host, policy):
        name = _host_name(host)
        return Refusal(
            403,
            "HostNotAllowed",
            f"Host '{name}' is not one trunkline answers to (DNS rebinding protection); "
            f"start it with --allow-host {name} if you reach it under that name.",
        )
    if method == "OPTIONS":
        return Refusal(403, "CorsNotSupported", "trunkline does not answer cross-origin (CORS) requests.")
    if _own(path):
        if policy.strict and client is not None and not is_loopback(client):
            # Strict mode is what makes binding beyond loopback safe; the unsigned control
            # endpoints (reset, clock, events) stay with the machine's own users.
            return Refusal(403, "LoopbackOnly", "Under --auth strict, /_trunkline/ answers this machine only.")
        return _own_endpoint(method, headers, host)
    return _aws_endpoint(method, headers, host, query, policy)


def _aws_endpoint(
    method: str, headers: Mapping[str, str], host: str, query: str, policy: GuardPolicy
) -> Refusal | None:
    if method in _READS and not policy.strict and host and not _host_allowed(host, policy):
        # Only when bound beyond loopback without --allow-host does an unknown name get this far.
        # A page on a rebound name is same-origin there: its GET carries no browser marker and
        # may add any header, a made-up Authorization too. SDKs POST their calls.
        name = _host_name(host)
        return Refusal(
            403,
            "HostNotAllowed",
            f"GET calls addressed to '{name}' are refused (DNS rebinding protection); POST the call, "
            f"or start trunkline with --allow-host {name} if you reach it under that name.",
        )
    if headers.get("authorization", "").lower().startswith(_SIGV4):
        return None
    if policy.strict and "x-amz-signature=" in query.lower():
        return None
    if "origin" in headers or headers.get("sec-fetch-site") in _CROSS_SITE:
        return Refusal(
            403,
            "BrowserRequestRefused",
            "trunkline refuses requests a web browser sent (Origin or Sec-Fetch-Site: cross-site) "
            "unless they carry a SigV4 Authorization header.",
        )
    if method in _READS and host and not _gets_fetch_metadata(host):
        # An <img> GET carries no Origin, and browsers send Sec-Fetch-* only to trustworthy
        # origins: to http://0.0.0.0 or a LAN address a cross-site GET comes unmarked.
        name = _host_name(host)
        return Refusal(
            403,
            "BrowserRequestRefused",
            f"trunkline refuses unsigned GET calls addressed to '{name}': a web page could send them "
            "unmarked from an <img>. POST the call, sign it with a SigV4 Authorization header, "
            "or address trunkline as localhost or 127.0.0.1.",
        )
    return None


def _own_endpoint(method: str, headers: Mapping[str, str], host: str) -> Refusal | None:
    origin = headers.get("origin")
    if method in _READS and headers.get("sec-fetch-mode") == "navigate" and origin is None:
        # Following a link to the dashboard from another site: the page cannot read the answer,
        # and no /_trunkline/ read changes anything.
        return None
    if headers.get("sec-fetch-site") in _CROSS_SITE or (origin is not None and not _same_origin(origin, host)):
        return Refusal(403, "CrossOriginRequestRefused", "trunkline's own endpoints answer same-origin requests only.")
    if method in _READS:
        return None
    content_type = headers.get("content-type")
    if content_type is None and _bodiless(headers):
        return None
    if content_type is None or content_type.split(";", 1)[0].strip().lower() != "application/json":
        return Refusal(
            415,
            "UnsupportedMediaType",
            "POST to /_trunkline/ needs Content-Type: application/json (or no body at all).",
        )
    return None


def _from_a_browser(headers: Mapping[str, str]) -> bool:
    return "origin" in headers or any(name.startswith("sec-fetch-") for name in headers)


@functools.lru_cache(maxsize=256)
def _gets_fetch_metadata(host: str) -> bool:
    """Whether a browser marks its requests to this `Host` with `Sec-Fetch-Site`: only "potentially
    trustworthy" origins get Fetch Metadata over http, i.e. localhost names, 127.0.0.0/8 and ::1
    (Secure Contexts). 0.0.0.0, ::, IPv4-mapped 127.0.0.1 and LAN addresses reach a local server
    but are not among them (Chromium 156, checked with tests/test_browser_attacks.py)."""
    name = _host_name(host).rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        return address == ipaddress.IPv6Address("::1")  # not ::ffff:127.0.0.1, which browsers do not trust
    return address.is_loopback


def _bodiless(headers: Mapping[str, str]) -> bool:
    return "transfer-encoding" not in headers and headers.get("content-length", "0").strip() == "0"


def _host_name(host: str) -> str:
    """`Host` without its port: `localhost:4590` -> `localhost`, `[::1]:4590` -> `::1`."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _host_allowed(host: str, policy: GuardPolicy) -> bool:
    name = _host_name(host).rstrip(".")
    if is_loopback(name) or name in policy.allowed_hosts:
        return True
    try:
        ipaddress.ip_address(name)  # an address literal cannot be rebound to another server
    except ValueError:
        return False
    return True


def _same_origin(origin: str, host: str) -> bool:
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    if parts.scheme not in _DEFAULT_PORTS or not parts.netloc:
        return False  # "null" (sandboxed frames, file: pages) and anything odd
    return _netloc(parts.netloc, parts.scheme) == _netloc(host, parts.scheme)


def _netloc(netloc: str, scheme: str) -> str:
    netloc = netloc.strip().lower()
    suffix = ":" + _DEFAULT_PORTS[scheme]
    return netloc.removesuffix(suffix)


class BrowserGuard:
    """ASGI middleware: answers refused requests itself, passes the others to the app.

    A WebSocket upgrade is a GET a page can send cross-origin without a preflight (the browser only
    adds its `Origin`), so it meets the checks a GET meets, whatever path it names (trunkline
    serves no WebSocket today; a refusal here keeps it so for whatever path gets one)."""

    def __init__(self, app: ASGIApp, policy: GuardPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = joined_headers(scope)
        refusal = refusal_for(scope, headers, self.policy)
        if refusal is not None:
            await send_refusal(scope, headers, refusal, send, receive)
            return
        if scope["type"] == "http" and _own(scope["path"]):
            send = _with_own_headers(send)
        await self.app(scope, receive, send)


# What every answer under /_trunkline/ carries: its JSON shows the state, which no browser should
# read as anything but JSON (nosniff) or keep (no-store). Answers that set their own keep it.
_OWN_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"cache-control", b"no-store"))


_JSON_REFUSAL_HEADERS = tuple((name.decode(), value.decode()) for name, value in _OWN_HEADERS)


def _own(path: str) -> bool:
    return path == OWN_PREFIX or path.startswith(OWN_PREFIX + "/")


def _with_own_headers(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {name.lower() for name, _ in headers}
            headers += [(name, value) for name, value in _OWN_HEADERS if name not in present]
            message = {**message, "headers": headers}
        await send(message)

    return sending


def refusal_for(scope: Scope, headers: Mapping[str, str], policy: GuardPolicy) -> Refusal | None:
    """`inspect` for an ASGI request whose headers `joined_headers` read (a WebSocket handshake
    is a GET)."""
    query = scope.get("query_string", b"").decode("latin-1")
    peer = scope.get("client")
    method = scope.get("method", "GET")
    return inspect(method, scope["path"], headers, query, policy, peer[0] if peer else None)


async def send_refusal(
    scope: Scope, headers: Mapping[str, str], refusal: Refusal, send: Send, receive: Receive
) -> None:
    """The refusal as an HTTP answer (to a WebSocket handshake too). A refused AWS call by POST
    names its service in its body (`Version`, `Action`), a GET in its query string: the refusal
    takes that service's error shape."""
    query = scope.get("query_string", b"").decode("latin-1")
    if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/":
        query = await _form(receive)
    status, content_type, body, extra = _render(scope["path"], headers, query, refusal)
    raw_headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    raw_headers += [(name.encode(), value.encode()) for name, value in extra]
    prefix = "http."
    if scope["type"] == "websocket":
        if "websocket.http.response" not in scope.get("extensions", {}):
            # A server that cannot answer a handshake with a body still rejects it (403).
            await send({"type": "websocket.close", "code": 1008})
            return
        prefix = "websocket.http."
    await send({"type": prefix + "response.start", "status": status, "headers": raw_headers})
    await send({"type": prefix + "response.body", "body": body})


async def _form(receive: Receive) -> str:
    """A POST's body as text, as far as it arrives (a client gone midway leaves the part read)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks).decode("utf-8", errors="replace")


def joined_headers(scope: Scope) -> dict[str, str]:
    """Headers by lower-case name; a repeated header's values joined with commas, as SigV4 signs them."""
    out: dict[str, str] = {}
    for name, value in scope["headers"]:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        out[key] = f"{out[key]},{text}" if key in out else text
    return out


def _render(
    path: str, headers: Mapping[str, str], query: str, refusal: Refusal
) -> tuple[int, str, bytes, tuple[Any, ...]]:
    """AWS calls get the refusal in their protocol's error shape, so SDKs print its message;
    trunkline's own endpoints get `{"error", "code"}` like their other errors."""
    if path != "/":
        body = json.dumps({"error": refusal.message, "code": refusal.code}).encode()
        return refusal.status, "application/json", body, _JSON_REFUSAL_HEADERS
    from trunkline.wire.gateway import render_refusal  # the wire layer loads after the ready line

    answer = render_refusal(headers, AwsError(refusal.code, refusal.message, refusal.status), query)
    return answer.status, answer.content_type, answer.body, answer.headers
