"""A hostile page in Debian's Chromium, while trunkline runs on loopback: what the browser really
sends (not what we think it sends) must change nothing. test_browser_guard.py covers each rule over
raw HTTP; this file checks that the rules meet the browser's actual requests
(docs/decisions.md, "Browser-proof by default" and "Unsigned GETs to untrusted addresses")."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from conftest import Server
from test_browser_guard import handshake, handshake_refusal
from test_dashboard import CHROMIUM_ARGS, _unavailable, chromium_path

# What the browser sends is refused by the HTTP guard (trunkline/guard.py) before any store is
# reached; test_browser_guard.py checks the same rules over raw HTTP on both stores.
pytestmark = pytest.mark.one_store

# The hostile page's name, which the browser resolves to 127.0.0.1: a page served from a public
# address meets Chromium's Local Network Access checks first (a permission prompt the user may
# accept; Firefox and Safari have none), so the test serves it locally to reach trunkline's own.
EVIL = "evil.example"
# How a page reaches a server listening on 127.0.0.1: 0.0.0.0 and IPv4-mapped ::ffff:127.0.0.1
# are not trustworthy origins, so Chromium sends no Sec-Fetch-* to them.
TARGETS = ["127.0.0.1", "localhost", "0.0.0.0", "[::ffff:7f00:1]"]

ATTACK = """
async (base) => {
  const [targets, port] = base;
  const wait = (img) => new Promise((done) => { img.onload = img.onerror = done; });
  const loads = [];
  for (const [i, t] of targets.entries()) {
    const url = (user) => `http://${t}:${port}/?` + new URLSearchParams(
      {Action: "CreateUser", UserName: user, Version: "2010-05-08"});
    const img = new Image();
    loads.push(wait(img));
    img.src = url(`img-${i}`);
    const form = `Action=CreateUser&UserName=post-${i}&Version=2010-05-08`;
    const type = {"Content-Type": "application/x-www-form-urlencoded"};
    loads.push(fetch(`http://${t}:${port}/`, {method: "POST", mode: "no-cors", body: form, headers: type})
      .catch(() => null));
    const reset = {method: "POST", mode: "no-cors", body: "{}", headers: {"Content-Type": "text/plain"}};
    loads.push(fetch(`http://${t}:${port}/_trunkline/reset`, reset).catch(() => null));
  }
  await Promise.all(loads);
}
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        _unavailable("chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        resolver = f"--host-resolver-rules=MAP {EVIL} 127.0.0.1"
        launched = playwright.chromium.launch(executable_path=executable, args=[*CHROMIUM_ARGS, resolver])
        try:
            yield launched
        finally:
            launched.close()


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # http.server calls it by this name
        body = b"<!doctype html><p>nothing to see here</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def evil_site() -> Iterator[str]:
    """http://evil.example:PORT/, a page served from another port of this machine."""
    site = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{EVIL}:{site.server_address[1]}/"
    finally:
        site.shutdown()
        site.server_close()


@pytest.fixture
def evil_page(browser: Any, evil_site: str) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(evil_site)
    try:
        yield page
    finally:
        context.close()


def _reaches(page: Any, url: str) -> bool:
    """Whether a no-cors fetch from the page gets an answer (opaque, but an answer) from `url`."""
    return bool(page.evaluate("(u) => fetch(u, {mode: 'no-cors'}).then(() => true, () => false)", url))


def test_images_forms_and_fetches_from_another_site_change_nothing(server: Server, aws: Any, evil_page: Any) -> None:
    port = urlsplit(server.url).port
    aws("ecs").create_cluster(clusterName="keep-me")
    before = server.get("/_trunkline/state/digest").json()["digest"]
    reached = [t for t in TARGETS if _reaches(evil_page, f"http://{t}:{port}/_trunkline/health")]
    if "0.0.0.0" not in reached:
        pytest.skip(f"this Chromium does not let a page reach 0.0.0.0 (reached: {reached})")
    evil_page.evaluate(ATTACK, [reached, port])
    assert [user["UserName"] for user in aws("iam").list_users()["Users"]] == []
    assert aws("ecs").list_clusters()["clusterArns"] != []  # no reset either
    assert server.get("/_trunkline/state/digest").json()["digest"] == before


def test_a_top_level_navigation_to_an_action_url_changes_nothing(server: Server, aws: Any, evil_page: Any) -> None:
    """A link the user follows (or `location = ...`) from the hostile page, to 0.0.0.0."""
    port = urlsplit(server.url).port
    query = urlencode({"Action": "CreateUser", "UserName": "clicked", "Version": "2010-05-08"})
    answer = evil_page.goto(f"http://0.0.0.0:{port}/?{query}")
    if answer is None:
        pytest.skip("this Chromium does not let a page navigate to 0.0.0.0")
    assert answer.status == 403
    assert "BrowserRequestRefused" in answer.text()
    assert aws("iam").list_users()["Users"] == []


def test_a_rebound_name_gets_neither_the_dashboard_nor_the_endpoints(server: Server, aws: Any, browser: Any) -> None:
    """DNS rebinding: evil.example now resolves to 127.0.0.1, so the browser treats trunkline's
    answers as the page's own. Only `Host` gives it away."""
    port = urlsplit(server.url).port
    aws("ecs").create_cluster(clusterName="keep-me")
    context = browser.new_context()
    try:
        page = context.new_page()
        answer = page.goto(f"http://{EVIL}:{port}/_trunkline/ui")
        assert answer is not None and answer.status == 403
        assert "HostNotAllowed" in answer.text()
        statuses = page.evaluate(
            """async () => {
              const json = {method: "POST", headers: {"Content-Type": "application/json"}, body: "{}"};
              const form = {method: "POST", body: new URLSearchParams(
                {Action: "CreateUser", UserName: "rebound", Version: "2010-05-08"})};
              const paths = [["/_trunkline/dashboard", {}], ["/_trunkline/reset", json], ["/", form]];
              return Promise.all(paths.map(([p, o]) => fetch(p, o).then((r) => r.status)));
            }"""
        )
        assert statuses == [403, 403, 403]
    finally:
        context.close()
    assert aws("iam").list_users()["Users"] == []
    assert aws("ecs").list_clusters()["clusterArns"] != []


def test_another_site_can_neither_frame_nor_read_the_dashboard(server: Server, evil_page: Any) -> None:
    """Clickjacking the clock buttons needs a frame (X-Frame-Options: DENY, frame-ancestors
    'none'); reading the snapshot or the event stream needs CORS, which trunkline never grants."""
    ui = server.url + "/_trunkline/ui"
    evil_page.evaluate(
        "(u) => new Promise((done) => { const f = document.createElement('iframe'); f.onload = done;"
        " f.src = u; document.body.appendChild(f); })",
        ui,
    )
    (frame,) = [f for f in evil_page.frames if f != evil_page.main_frame]
    assert frame.evaluate("document.querySelector('body[data-rendered]') === null")
    assert not frame.url.startswith(server.url)  # Chromium shows its error page in the frame instead
    reads = evil_page.evaluate(
        """async (base) => Promise.all(["/_trunkline/dashboard", "/_trunkline/clock", "/_trunkline/events"].map(
             (p) => fetch(base + p).then((r) => "read " + r.status, (e) => e.name)))""",
        server.url,
    )
    assert reads == ["TypeError", "TypeError", "TypeError"]
    stream = evil_page.evaluate(
        """(u) => new Promise((done) => { const s = new EventSource(u);
             s.onopen = () => { s.close(); done("open"); }; s.onerror = () => { s.close(); done("error"); }; })""",
        server.url + "/_trunkline/events/stream",
    )
    assert stream == "error"


def test_bound_beyond_loopback_a_rebound_page_cannot_call_aws(spawn: Any, browser: Any) -> None:
    """`--host 0.0.0.0` without --allow-host answers any name for clients that are not browsers;
    a rebound page's same-origin GET looks like one (no Origin, no Sec-Fetch-* on an http:// name)
    and can add a made-up SigV4 header. Its POSTs carry an Origin, and so are caught by Host."""
    server = spawn("--host", "0.0.0.0")
    port = urlsplit(server.url).port
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://{EVIL}:{port}/_trunkline/health")  # stands for the attacker's page, rebound
        statuses = page.evaluate(
            """async () => {
              const auth = {Authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260301/us-east-1/iam/aws4_request, Signature=00"};
              const call = new URLSearchParams({Action: "CreateUser", UserName: "rebound", Version: "2010-05-08"});
              const get = fetch("/?" + call, {headers: auth}).then((r) => r.status);
              const post = fetch("/", {method: "POST", headers: auth, body: call}).then((r) => r.status);
              return Promise.all([get, post]);
            }"""
        )
    finally:
        context.close()
    assert statuses == [403, 403]
    assert server.client("iam").list_users()["Users"] == []


OPEN_SOCKET = """(u) => new Promise((done) => { const s = new WebSocket(u);
  s.onopen = () => { s.close(); done("open"); }; s.onerror = () => done("error"); })"""


def _handshakes(page: Any) -> list[dict[str, str]]:
    """Records the opening handshake of every WebSocket the page starts, as Chromium sends it."""
    sent: list[dict[str, str]] = []
    session = page.context.new_cdp_session(page)
    session.on("Network.webSocketWillSendHandshakeRequest", lambda event: sent.append(event["request"]["headers"]))
    session.send("Network.enable")
    return sent


def _replayed(server: Server, url: str, headers: dict[str, str]) -> tuple[int, str]:
    target = urlsplit(url)
    path = target.path + (f"?{target.query}" if target.query else "")
    return handshake_refusal(*handshake(server.url, path, headers))


def test_websockets_from_another_site_or_a_rebound_name_are_refused(
    server: Server, aws: Any, evil_page: Any, browser: Any
) -> None:
    """A page may open a WebSocket to any origin without a preflight; Chromium only adds Origin
    (and Sec-Fetch-* where the address is trustworthy). The handshakes Chromium really sent,
    replayed, meet the same refusals as a GET."""
    port = urlsplit(server.url).port
    aws("ecs").create_cluster(clusterName="keep-me")
    before = server.get("/_trunkline/state/digest").json()["digest"]
    reached = [t for t in TARGETS if _reaches(evil_page, f"http://{t}:{port}/_trunkline/health")]
    sent = _handshakes(evil_page)
    urls = [
        f"ws://{target}:{port}{path}"
        for target in reached
        for path in ("/_trunkline/events/stream", "/?Action=CreateUser&UserName=ws&Version=2010-05-08")
    ]
    opened = [evil_page.evaluate(OPEN_SOCKET, url) for url in urls]
    # DNS rebinding: a page on evil.example, now resolving to 127.0.0.1, opens its "own" socket
    context = browser.new_context()
    try:
        rebound = context.new_page()
        rebound_sent = _handshakes(rebound)
        rebound.goto(f"http://{EVIL}:{port}/_trunkline/health")
        opened.append(rebound.evaluate(OPEN_SOCKET, f"ws://{EVIL}:{port}/_trunkline/events/stream"))
    finally:
        context.close()
    assert "127.0.0.1" in reached and opened == ["error"] * (len(urls) + 1)
    assert len(sent) == len(urls) and len(rebound_sent) == 1
    assert all(headers["Origin"].startswith(f"http://{EVIL}:") for headers in [*sent, *rebound_sent])
    own, aws_calls = ("CrossOriginRequestRefused", "BrowserRequestRefused")
    expected = [own if "/_trunkline/" in url else aws_calls for url in urls]
    assert [_replayed(server, url, headers) for url, headers in zip(urls, sent, strict=True)] == [
        (403, code) for code in expected
    ]
    stream = f"ws://{EVIL}:{port}/_trunkline/events/stream"
    assert _replayed(server, stream, rebound_sent[0]) == (403, "HostNotAllowed")
    assert aws("iam").list_users()["Users"] == []
    assert server.get("/_trunkline/state/digest").json()["digest"] == before
