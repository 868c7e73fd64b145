"""Following events: the outbox read back through `/_trunkline/events`, its server-sent-events
stream and `trunkline events`.

Events are written straight into the server's store from the test process with the domain's own
`emit` (as a second trunkline process sharing the store would write them): the tests are about
reading the outbox, not about which operation fills it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import Server, fresh_state
from ecs_world import World, config_script, role_arn
from trunkline import event_stream
from trunkline.context import Principal, RequestContext
from trunkline.domain import events
from trunkline.domain.ecs import container_instances
from trunkline.event_stream import Cursor, EventFilter, SseMessage, parse_sse
from trunkline.runtime import Config
from trunkline.server import run_in_thread
from trunkline.store import open_store
from trunkline.store.api import StoredEvent, Transaction
from trunkline.timing import PROFILES

ACCOUNT = "123456789012"
REGION = "us-east-1"
CI = events.CONTAINER_INSTANCE_STATE_CHANGE
TASK = events.TASK_STATE_CHANGE
NOW = 1_700_000_000.0
WAIT = 10.0  # seconds any single read from a stream or subprocess may take before the test fails


def cluster_arn(name: str) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{name}"


def context(tx: Transaction) -> RequestContext:
    return RequestContext(tx, Principal.root(ACCOUNT), REGION, NOW, PROFILES["fast"])


def emit_one(tx: Transaction, detail_type: str, cluster: str, status: str, version: int = 1) -> int:
    if detail_type == TASK:
        resource = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/{cluster}/{'a' * 32}"
        detail: dict[str, Any] = {
            "taskArn": resource,
            "lastStatus": status,
            "stoppedReason": "Essential container exited",
        }
    else:
        resource = f"arn:aws:ecs:{REGION}:{ACCOUNT}:container-instance/{cluster}/{'b' * 32}"
        detail = {"containerInstanceArn": resource, "status": status, "statusReason": "no trunk"}
    detail.update(clusterArn=cluster_arn(cluster), version=version)
    events.emit(context(tx), detail_type, [resource], detail)
    return tx.last_event_seq()


def emit_into(state: str, *specs: tuple[str, str, str]) -> list[int]:
    """Write events (detail-type, cluster, status) into a server's store; returns their seqs."""
    store = open_store(state)
    try:
        return store.run(lambda tx: [emit_one(tx, *spec) for spec in specs])
    finally:
        store.close()


def page(server: Server, query: str) -> dict[str, Any]:
    response = server.get(f"/_trunkline/events?{query}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def stored(server: Server) -> dict[str, dict[str, Any]]:
    """Every event the server holds, by EventBridge id."""
    return {event["id"]: event for event in page(server, "limit=1000")["events"]}


@pytest.fixture
def five(server: Server) -> list[int]:
    """Five events across two clusters and both detail-types."""
    return emit_into(
        server.state,
        (CI, "default", "REGISTERING"),
        (TASK, "default", "PROVISIONING"),
        (CI, "other", "REGISTRATION_FAILED"),
        (TASK, "other", "RUNNING"),
        (CI, "default", "ACTIVE"),
    )


# --- the outbox is transactional ---------------------------------------------------------------


def instance_record(cluster: str) -> dict[str, Any]:
    return {
        "containerInstanceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:container-instance/{cluster}/{'c' * 32}",
        "ec2InstanceId": "i-0123456789abcdef0",
        "status": "REGISTERING",
        "registeredAt": NOW,
        "attributes": [],
        "_cluster": cluster_arn(cluster),
        "_account": ACCOUNT,
        "_region": REGION,
    }


def test_a_change_that_rolls_back_leaves_no_event(tmp_path: Path) -> None:
    store = open_store(fresh_state(tmp_path))
    try:

        def fails_after_the_change(tx: Transaction) -> None:
            container_instances.change(context(tx), instance_record("default"))
            raise RuntimeError("a later validation step refuses the request")

        with pytest.raises(RuntimeError):
            store.run(fails_after_the_change)
        assert store.run(lambda tx: tx.events_after(0, 10)) == []
        assert store.run(lambda tx: tx.scan(container_instances.KIND)) == []

        store.run(lambda tx: container_instances.change(context(tx), instance_record("kept")))
        [event] = store.run(lambda tx: tx.events_after(0, 10))
        assert event.body["detail-type"] == CI
        assert event.body["detail"]["clusterArn"] == cluster_arn("kept")
        assert event.body["detail"]["version"] == 1
        page_ = store.run(lambda tx: event_stream.read_page(tx, 0, 10, EventFilter(cluster="default")))
        assert page_.events == [] and page_.last_seq == event.seq
    finally:
        store.close()


# --- filters, cursor and SSE text (no server) --------------------------------------------------


def test_filters_match_detail_type_and_cluster_by_name_or_arn() -> None:
    task = {"detail-type": TASK, "detail": {"clusterArn": cluster_arn("web")}}
    instance = {"detail-type": CI, "detail": {"clusterArn": cluster_arn("web-2")}}
    no_cluster = {"detail-type": CI, "detail": {}}
    assert event_stream.parse_filter([f"{TASK} , {CI}"], None).detail_types == {TASK, CI}
    assert EventFilter(frozenset({TASK})).matches(task) and not EventFilter(frozenset({TASK})).matches(instance)
    assert EventFilter(cluster="web").matches(task) and not EventFilter(cluster="web").matches(instance)
    assert EventFilter(cluster=cluster_arn("web-2")).matches(instance)
    assert not EventFilter(cluster=cluster_arn("web")).matches(instance)
    assert not EventFilter(cluster="web").matches(no_cluster)
    assert EventFilter().matches(no_cluster)


def stored_at(*seqs: int) -> list[StoredEvent]:
    return [StoredEvent(seq, {"detail-type": CI}) for seq in seqs]


def test_cursor_trusts_the_clients_position_but_waits_briefly_at_later_holes() -> None:
    cursor = Cursor(5)
    assert [e.seq for e in cursor.take(stored_at(9, 10), now=0.0)] == [9, 10]  # old hole behind `after`
    assert cursor.take(stored_at(12), now=1.0) == []  # 11 may still be committing elsewhere
    assert cursor.take(stored_at(12), now=1.0 + event_stream.GAP_GRACE_SECONDS / 2) == []
    assert [e.seq for e in cursor.take(stored_at(11, 12), now=1.6)] == [11, 12]  # it did
    assert [e.seq for e in cursor.take(stored_at(14, 15), now=2.0)] == []
    assert [e.seq for e in cursor.take(stored_at(14, 15), now=2.0 + event_stream.GAP_GRACE_SECONDS)] == [14, 15]
    assert cursor.seq == 15


def test_sse_text_round_trips_through_the_parser() -> None:
    body = {"detail-type": CI, "detail": {"statusReason": "line one\nline two"}}
    text = event_stream.sse_message(StoredEvent(7, body))
    assert text.splitlines()[:2] == ["id: 7", f"event: {CI}"]
    lines = [event_stream.RETRY, event_stream.KEEPALIVE, text]
    [message] = parse_sse(line for chunk in lines for line in chunk.splitlines(keepends=True))
    assert message == SseMessage("7", CI, json.dumps(body, separators=(",", ":")))
    assert json.loads(message.data) == body


def test_the_stream_sends_keepalives_and_ends_on_shutdown_or_disconnect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(event_stream, "KEEPALIVE_SECONDS", 0.0)
    store = open_store(str(tmp_path / "follow.sqlite3"))
    seq = store.run(lambda tx: emit_one(tx, CI, "default", "ACTIVE"))

    async def collect(stop_after: int, by_disconnect: bool) -> list[str]:
        stopping = threading.Event()
        left = asyncio.Event()

        async def disconnected() -> bool:
            return left.is_set()

        chunks: list[str] = []
        messages = event_stream.follow(store, Cursor(0), EventFilter(), stopping, disconnected)
        async for chunk in messages:
            chunks.append(chunk)
            if len(chunks) == stop_after:
                left.set() if by_disconnect else stopping.set()
        return chunks

    try:
        for by_disconnect in (False, True):
            chunks = asyncio.run(asyncio.wait_for(collect(3, by_disconnect), WAIT))
            assert chunks[0] == event_stream.RETRY
            assert chunks[1].startswith(f"id: {seq}\n")
            assert event_stream.KEEPALIVE in chunks[2:]
            assert len(chunks) <= 4  # it stopped at the next poll
    finally:
        store.close()


# --- the JSON page -----------------------------------------------------------------------------


def test_page_filters_by_detail_type(server: Server, five: list[int]) -> None:
    by_type = page(server, f"detail-type={CI}")
    assert [e["detail"]["status"] for e in by_type["events"]] == ["REGISTERING", "REGISTRATION_FAILED", "ACTIVE"]
    assert by_type["lastSeq"] == five[-1]
    repeated = page(server, f"detail-type={CI}&detail-type={TASK}")
    commas = page(server, f"detail-type={CI},{TASK}")
    assert len(repeated["events"]) == len(commas["events"]) == 5
    assert page(server, "detail-type=ECS Service Action")["events"] == []


def test_page_filters_by_cluster_name_or_arn(server: Server, five: list[int]) -> None:
    by_name = page(server, "cluster=default")["events"]
    assert [e["detail-type"] for e in by_name] == [CI, TASK, CI]
    by_arn = page(server, f"cluster={cluster_arn('other')}")["events"]
    assert [e["detail"].get("status") or e["detail"]["lastStatus"] for e in by_arn] == [
        "REGISTRATION_FAILED",
        "RUNNING",
    ]
    both = page(server, f"cluster=other&detail-type={CI}")["events"]
    assert [e["detail"]["status"] for e in both] == ["REGISTRATION_FAILED"]
    assert page(server, "cluster=missing")["events"] == []


def test_page_pages_with_after_and_limit(server: Server, five: list[int]) -> None:
    everything = page(server, "")["events"]
    first = page(server, "limit=2")
    assert first["events"] == everything[:2] and first["lastSeq"] == five[1]
    second = page(server, f"limit=2&after={first['lastSeq']}")
    assert second["events"] == everything[2:4] and second["lastSeq"] == five[3]
    third = page(server, f"limit=2&after={second['lastSeq']}")
    assert third["events"] == everything[4:] and third["lastSeq"] == five[4]
    caught_up = page(server, f"limit=2&after={third['lastSeq']}")
    assert caught_up == {"events": [], "lastSeq": five[4]}

    # With a filter, lastSeq moves past the events the filter skipped.
    filtered = page(server, "cluster=other&limit=1")
    assert filtered["lastSeq"] == five[2]
    rest = page(server, f"cluster=other&limit=1&after={filtered['lastSeq']}")
    assert rest["events"] == [everything[3]] and rest["lastSeq"] == five[3]
    assert page(server, f"cluster=other&after={rest['lastSeq']}") == {"events": [], "lastSeq": five[4]}


@pytest.mark.parametrize(
    "query",
    ["after=-1", "after=x", "limit=0", f"limit={event_stream.MAX_LIMIT + 1}", "cluster=", "detail_type=x"],
)
def test_page_refuses_bad_parameters(server: Server, query: str) -> None:
    response = server.get(f"/_trunkline/events?{query}")
    assert response.status_code == 400
    assert response.json()["error"]


# --- the SSE stream ----------------------------------------------------------------------------


@pytest.fixture
def open_stream(server: Server) -> Iterator[Any]:
    """`open_stream(query, headers)` -> an iterator of SseMessage from a live stream."""
    with httpx.Client(timeout=httpx.Timeout(WAIT)) as client, contextlib.ExitStack() as stack:

        def start(query: str = "", headers: dict[str, str] | None = None) -> Iterator[SseMessage]:
            response = stack.enter_context(
                client.stream("GET", f"{server.url}/_trunkline/events/stream?{query}", headers=headers)
            )
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            return parse_sse(response.iter_lines())

        yield start


def take(messages: Iterator[SseMessage], count: int) -> list[SseMessage]:
    return [next(messages) for _ in range(count)]


def test_stream_delivers_events_in_order_then_new_ones_as_they_happen(
    server: Server, five: list[int], open_stream: Any
) -> None:
    by_id = stored(server)
    messages = open_stream()
    first = take(messages, 5)
    assert [int(m.id or 0) for m in first] == five
    assert [m.event for m in first] == [CI, TASK, CI, TASK, CI]
    assert [json.loads(m.data) for m in first] == [by_id[json.loads(m.data)["id"]] for m in first]

    [later] = emit_into(server.state, (TASK, "default", "STOPPED"))
    [new] = take(messages, 1)
    assert int(new.id or 0) == later > five[-1]
    assert json.loads(new.data)["detail"]["lastStatus"] == "STOPPED"


def test_stream_resumes_after_last_event_id(server: Server, five: list[int], open_stream: Any) -> None:
    resumed = take(open_stream("after=0", {"Last-Event-ID": str(five[2])}), 2)
    assert [int(m.id or 0) for m in resumed] == five[3:]
    from_query = take(open_stream(f"after={five[3]}"), 1)
    assert [int(m.id or 0) for m in from_query] == five[4:]


def test_stream_filters_by_detail_type_and_cluster(server: Server, five: list[int], open_stream: Any) -> None:
    messages = open_stream(f"detail-type={TASK}&cluster=other")
    [only] = take(messages, 1)
    assert int(only.id or 0) == five[3]
    # Events the filter skips are not sent; the next match is.
    [_, wanted] = emit_into(server.state, (CI, "other", "ACTIVE"), (TASK, "other", "STOPPED"))
    [next_one] = take(messages, 1)
    assert int(next_one.id or 0) == wanted


def test_stream_refuses_a_bad_last_event_id(server: Server) -> None:
    response = httpx.get(f"{server.url}/_trunkline/events/stream", headers={"Last-Event-ID": "abc"}, timeout=WAIT)
    assert response.status_code == 400
    assert "Last-Event-ID" in response.json()["error"]


def test_server_stops_promptly_on_sigterm_with_a_stream_open(spawn: Any) -> None:
    extra: Server = spawn()
    assert extra.process is not None
    with httpx.stream("GET", f"{extra.url}/_trunkline/events/stream", timeout=WAIT) as response:
        lines = response.iter_lines()
        assert next(lines) == "retry: 1000"  # the stream is open
        extra.process.send_signal(signal.SIGTERM)
        # uvicorn waits for open responses before exiting: the stream must end for it to exit.
        returncode = extra.process.wait(timeout=WAIT)
        assert returncode in (0, -signal.SIGTERM)
        assert [line for line in lines if line] == []  # the server ended the stream cleanly


def test_in_process_server_stops_with_a_stream_open() -> None:
    helper = run_in_thread(Config(state=":memory:"))
    url = helper.__enter__()
    with httpx.stream("GET", f"{url}/_trunkline/events/stream", timeout=WAIT) as response:
        lines = response.iter_lines()
        assert next(lines) == "retry: 1000"
        helper.__exit__(None, None, None)
        # Had the stream stayed open, this read would time out instead of ending.
        assert [line for line in lines if line] == []


# --- trunkline events --------------------------------------------------------------------------


def trunkline(*args: str) -> list[str]:
    return [sys.executable, "-m", "trunkline", "events", *args]


def test_cli_prints_the_events_so_far(server: Server, five: list[int]) -> None:
    done = subprocess.run(trunkline("--endpoint-url", server.url), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 5
    assert lines[0].split("  ") == [
        "2023-11-14T22:13:20Z",
        CI,
        f"container-instance/default/{'b' * 32}",
        "REGISTERING",
        "version 1",
        "reason: no trunk",
    ]
    assert lines[3].split("  ")[1:4] == [TASK, f"task/other/{'a' * 32}", "RUNNING"]


def test_cli_json_lines_with_filters(server: Server, five: list[int]) -> None:
    args = ("--endpoint-url", server.url, "--json", "--cluster", "default", "--detail-type", CI, "--after", "0")
    done = subprocess.run(trunkline(*args), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    by_id = stored(server)
    assert printed == [by_id[event["id"]] for event in printed]
    assert [event["detail"]["status"] for event in printed] == ["REGISTERING", "ACTIVE"]
    after = ("--endpoint-url", server.url, "--json", "--after", str(five[3]))
    later = subprocess.run(trunkline(*after), capture_output=True, text=True, timeout=60)
    assert [json.loads(line)["detail"]["status"] for line in later.stdout.splitlines()] == ["ACTIVE"]


class Follower:
    """`trunkline events --follow …` in a subprocess, its output read by a thread so that every
    wait for a line is bounded."""

    def __init__(self, *args: str) -> None:
        # A shell runs a background job with SIGINT ignored, and a child inherits that: Python then
        # installs no Ctrl-C handler. The follower gets the default back so that interrupt() works
        # however the test run itself was started.
        self.process = subprocess.Popen(
            trunkline("--follow", *args),
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def next_line(self) -> str:
        return self.lines.get(timeout=WAIT)

    def interrupt(self) -> int:
        """Ctrl-C; returns the exit status once every line printed was read."""
        self.process.send_signal(signal.SIGINT)
        status = self.process.wait(timeout=WAIT)
        self.reader.join(timeout=WAIT)
        return status

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def follow() -> Iterator[Any]:
    started: list[Follower] = []

    def start(*args: str) -> Follower:
        started.append(Follower(*args))
        return started[-1]

    yield start
    for follower in started:
        follower.close()


def test_cli_follow_prints_new_events_until_interrupted(server: Server, five: list[int], follow: Any) -> None:
    follower = follow("--endpoint-url", server.url, "--detail-type", TASK, "--cluster", "other")
    assert "RUNNING" in follower.next_line()  # the event that was there already
    emit_into(server.state, (CI, "other", "DRAINING"), (TASK, "other", "STOPPED"))
    new = follower.next_line()
    assert new.split("  ")[1:4] == [TASK, f"task/other/{'a' * 32}", "STOPPED"]
    assert "reason: Essential container exited" in new
    assert follower.interrupt() == 0
    assert follower.lines.empty()  # the DRAINING instance event was filtered out


def test_cli_says_when_the_server_cannot_be_reached() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = subprocess.run(
        trunkline("--endpoint-url", f"http://127.0.0.1:{port}"), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "cannot reach trunkline" in done.stderr


def test_cli_follow_watches_a_registration_fail(server: Server, follow: Any) -> None:
    """S11: follow a cluster's container-instance events while an instance in a shared subnet
    fails registration; the stream shows each state with the record's version and reason."""
    world = World(server)
    world.ecs.create_cluster(clusterName="watched")
    world.instance_role("ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    net = world.network(owner="210987654321")
    follower = follow("--endpoint-url", server.url, "--json", "--cluster", "watched", "--detail-type", CI)
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", config_script("watched"))
    world.settle()
    seen = [json.loads(follower.next_line())["detail"] for _ in range(2)]
    assert [(d["status"], d["version"]) for d in seen] == [("REGISTERING", 1), ("REGISTRATION_FAILED", 2)]
    assert seen[1]["ec2InstanceId"] == instance_id
    assert seen[1]["statusReason"].startswith("Unexpected EC2 error while attempting to Create Network Interface")
    described = world.describe("watched", seen[1]["containerInstanceArn"])
    assert described["version"] == seen[1]["version"] and described["statusReason"] == seen[1]["statusReason"]
    assert follower.interrupt() == 0
