"""The request path runs off the event loop: while one request is stuck in a slow store call
(held inside its transaction, as a 130 ms RunTask on PostgreSQL is), a health check is answered and
an event stream delivers an event already committed. Order is asserted, never wall time: the fast
ones complete while the slow one is still held, and it completes once released."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import boto3
import httpx
import pytest
from botocore.config import Config as BotoConfig

from conftest import ACCOUNT, CREDENTIALS, REGION, fresh_state, release_state
from trunkline.context import Principal, RequestContext
from trunkline.domain.events import emit
from trunkline.runtime import Config, Runtime
from trunkline.server import _Server, _uvicorn_config
from trunkline.store.api import Store, Transaction
from trunkline.wire import models

T = TypeVar("T")
PATIENCE = 60.0  # seconds before a wait gives up: a hang fails the test instead of stalling it


class GatedStore:
    """The server's store, whose next `run` stops inside its transaction until released."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.description = inner.description
        self.armed = False
        self.entered = threading.Event()
        self.release = threading.Event()

    def run(self, work: Callable[[Transaction], T]) -> T:
        if not self.armed:
            return self.inner.run(work)
        self.armed = False

        def slow(tx: Transaction) -> T:
            self.entered.set()
            self.release.wait()  # the fixture releases it at the latest when the test ends
            return work(tx)

        return self.inner.run(slow)

    def read(self, work: Callable[[Transaction], T]) -> T:
        return self.inner.read(work)

    def peek(self, work: Callable[[Transaction], T]) -> T:
        return self.inner.peek(work)

    def ping(self) -> None:
        self.inner.ping()

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Runtime, GatedStore]]:
    state = fresh_state(tmp_path)
    models.load_all()
    runtime = Runtime(Config(state=state, timing="manual", port=0))
    gated = GatedStore(runtime.store)
    runtime.store = gated
    ready = threading.Event()
    urls: list[str] = []

    def on_ready(url: str) -> None:
        urls.append(url)
        ready.set()

    server = _Server(_uvicorn_config(runtime), on_ready)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        assert ready.wait(PATIENCE)
        yield urls[0], runtime, gated
    finally:
        gated.release.set()
        server.should_exit = True
        thread.join(timeout=PATIENCE)
        runtime.close()
        release_state(state)


def _slow_call_in_background(url: str, gated: GatedStore) -> tuple[threading.Thread, list[str]]:
    """Start ListClusters with the store gated; returns once it is stuck inside its transaction."""
    order: list[str] = []
    once = BotoConfig(retries={"max_attempts": 1}, read_timeout=PATIENCE)
    ecs = boto3.client("ecs", endpoint_url=url, region_name=REGION, config=once, **CREDENTIALS)
    gated.armed = True

    def call() -> None:
        ecs.list_clusters()
        order.append("slow request")

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    assert gated.entered.wait(PATIENCE), "the slow request never reached the store"
    return thread, order


def test_a_health_check_is_answered_while_a_request_is_stuck_in_the_store(
    served: tuple[str, Runtime, GatedStore],
) -> None:
    url, _, gated = served
    slow, order = _slow_call_in_background(url, gated)
    assert httpx.get(url + "/_trunkline/health", timeout=PATIENCE).json()["status"] == "ok"
    order.append("health")
    gated.release.set()
    slow.join(PATIENCE)
    assert order == ["health", "slow request"]


def test_an_event_stream_delivers_while_a_request_is_stuck_in_the_store(
    served: tuple[str, Runtime, GatedStore],
) -> None:
    url, runtime, gated = served

    now = runtime.clock.now()  # outside the transaction, as the runtime reads it

    def commit_event(tx: Any) -> None:
        ctx = RequestContext(tx, Principal.root(ACCOUNT), REGION, now, runtime.timing)
        emit(ctx, "ECS Task State Change", ["arn:aws:ecs:us-east-1:123456789012:task/c/1"], {"lastStatus": "RUNNING"})

    runtime.store.run(commit_event)
    slow, order = _slow_call_in_background(url, gated)
    with httpx.stream("GET", url + "/_trunkline/events/stream?after=0", timeout=PATIENCE) as response:
        for line in response.iter_lines():
            if line.startswith("event: "):
                order.append("stream event")
                break
    gated.release.set()
    slow.join(PATIENCE)
    assert order == ["stream event", "slow request"]
