"""Running the ASGI app under uvicorn: in the foreground (`trunkline serve`) or in a thread
inside a test process (`run_in_thread`)."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from email.utils import formatdate
from typing import Any

import uvicorn

from trunkline.app import create_app, warm_up
from trunkline.event_stream import stop_streams
from trunkline.runtime import Config, Runtime

_GRACE = 30  # seconds in-flight requests get to finish after SIGTERM or SIGINT


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_ready: Callable[[str], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[Any] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            host, port = self.servers[0].sockets[0].getsockname()[:2]
            self._on_ready(f"http://{host}:{port}")
            # What the first calls need loads now, on the store's worker: first in its queue, so
            # a request that arrives meanwhile waits for it there rather than racing its imports.
            warm_up(self.config.app)

    def handle_exit(self, sig: int, frame: Any) -> None:
        super().handle_exit(sig, frame)
        # uvicorn raises a caught signal again once it has shut down, so the process dies of it
        # (status -15). SIGTERM is how service managers ask for an orderly stop: once in-flight
        # requests are answered and the store is closed, that is a success (status 0).
        if sig == signal.SIGTERM and sig in self._captured_signals:
            self._captured_signals.remove(sig)

    async def shutdown(self, sockets: list[Any] | None = None) -> None:
        # uvicorn waits for open responses to finish before it exits; event streams never would.
        stop_streams(self.config.app)
        await super().shutdown(sockets)


class _Dated:
    """uvicorn's own Date header is off: an AWS answer carries trunkline's clock (app.py's
    `_answer`); every other response (trunkline's endpoints, the dashboard, a refusal before the
    store is reached) gets the wall clock here, as uvicorn would have given it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)  # `state` and the like: server.py's callers reach the app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"date" for name, _ in headers):
                    headers.append((b"date", formatdate(time.time(), usegmt=True).encode("latin-1")))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


def _uvicorn_config(runtime: Runtime) -> uvicorn.Config:
    return uvicorn.Config(
        _Dated(create_app(runtime)),
        host=runtime.config.host,
        port=runtime.config.port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=_GRACE,
        date_header=False,  # the app dates each response: AWS answers by trunkline's clock (app.py)
    )


def serve(config: Config, on_ready: Callable[[str], None]) -> None:
    """Serve until SIGINT or SIGTERM, then close the store."""
    runtime = Runtime(config)
    try:
        _Server(_uvicorn_config(runtime), on_ready).run()
    finally:
        runtime.close()


@contextlib.contextmanager
def run_in_thread(config: Config | None = None) -> Iterator[str]:
    """Start trunkline on a free port in a background thread; yields its endpoint URL.

    with run_in_thread() as url:
        ecs = boto3.client("ecs", endpoint_url=url, region_name="us-east-1")
    """
    config = replace(config or Config(), port=0)
    runtime = Runtime(config)
    # Loaded here, before the server starts: the test process around it imports trunkline's
    # modules too, and two threads importing the same modules is best avoided.
    runtime.warm_up()
    ready = threading.Event()
    urls: list[str] = []

    def on_ready(url: str) -> None:
        urls.append(url)
        ready.set()

    server = _Server(_uvicorn_config(runtime), on_ready)
    thread = threading.Thread(target=server.run, name="trunkline", daemon=True)
    thread.start()
    try:
        while not ready.wait(0.05):
            if not thread.is_alive():
                raise RuntimeError("trunkline failed to start")
        yield urls[0]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        runtime.close()
