"""The in-memory trunkline `--simulate` drives: the real runtime (providers, domain, placement
engine, reconciler on a manual clock), called in process, on a store made for a throwaway run.

What a simulation does not need, and so does not pay for:
- HTTP and the wire: calls go to `Runtime.invoke` as the gateway would send them, after the same
  validation against botocore's input shape (`wire.validation`), with boto3's parameter names; the
  answers are the providers' plain dicts (what the serialiser would write), not parsed back.
- Compressed bodies: the in-memory SQLite store keeps documents as JSON text (compressing them
  only saves memory, and costs time on every read and write of a task, ENI and instance).
- The event outbox: nothing streams the simulation's events, so `append_event` keeps none.

A failed call raises `SandboxError` with the operation and AWS's code and message (one line).
"""

from __future__ import annotations

import base64
import sqlite3
import urllib.request
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from typing import Any

from botocore import xform_name

from trunkline.errors import AwsError
from trunkline.runtime import Config, Runtime
from trunkline.store.api import Document, Transaction
from trunkline.store.sqlite import DIALECT, SqliteStore, SqliteTransaction
from trunkline.wire import models
from trunkline.wire.gateway import AwsCall
from trunkline.wire.validation import validate

_PLAIN = replace(DIALECT, compress=False)


class SandboxError(Exception):
    """A simulation call AWS would have refused; its text is one line."""


class _Transaction(SqliteTransaction):
    """Bodies as JSON text, and no event outbox."""

    def append_event(self, body: Document, at: float | None = None) -> None:
        pass


class SimulationStore(SqliteStore):
    """In-memory SQLite (one connection), uncompressed, without events."""

    def __init__(self) -> None:
        super().__init__(":memory:")

    def _transaction(self, cursor: sqlite3.Cursor) -> Transaction:
        return _Transaction(cursor, _PLAIN, self._entries_cache, self._derived_cache)


class Client:
    """`client.run_task(cluster=..., ...)` as with boto3, answered by the runtime in process."""

    def __init__(self, runtime: Runtime, service: str) -> None:
        self._runtime = runtime
        self._service = service
        model = models.service_model(service)
        self._model = model
        self._operations = {xform_name(name): name for name in model.operation_names}

    def __getattr__(self, method: str) -> Callable[..., dict[str, Any]]:
        try:
            operation = self._operations[method]
        except KeyError:
            raise AttributeError(method) from None

        def call(**params: Any) -> dict[str, Any]:
            if operation == "RunInstances" and params.get("UserData") is not None:
                # boto3 base64-encodes RunInstances' user data itself; so does this client
                params = {**params, "UserData": base64.b64encode(str(params["UserData"]).encode()).decode()}
            problems = validate(params, self._model.operation_model(operation).input_shape)
            if problems:
                first = problems[0]
                raise SandboxError(f"{operation}: invalid {first.path}: {first.kind} {first.constraint}")
            request = AwsCall(self._service, operation, params, None, str(uuid.uuid4()))
            try:
                return self._runtime.invoke(request)
            except AwsError as error:
                raise SandboxError(f"{operation} failed: {error.code}: {error.message}") from None

        return call


class Sandbox:
    """One runtime for a run's simulations: clients per service, the manual clock, reset."""

    def __init__(self) -> None:
        models.load_all()
        self.runtime = Runtime(Config(state=":memory:", timing="manual"), store=SimulationStore())
        self.clients = {s: Client(self.runtime, s) for s in ("ec2", "ecs", "iam", "ssm")}

    def settle(self) -> None:
        self.runtime.settle()

    def reset(self) -> None:
        self.runtime.reset()

    def close(self) -> None:
        self.runtime.close()


class HttpSandbox:
    """The same, served over HTTP on a local port (`server.run_in_thread`, the default store) and
    driven with boto3: how `--simulate` ran before the in-process sandbox, kept as the benchmark's
    baseline and the tests' cross-check that both give the same placements."""

    def __init__(self) -> None:
        import boto3
        from botocore.config import Config as BotoConfig

        from trunkline.server import run_in_thread

        self._stack = ExitStack()
        self.url = self._stack.enter_context(run_in_thread(Config(state=":memory:", timing="manual")))
        config = BotoConfig(retries={"max_attempts": 1})
        credentials = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "plan"}
        self.clients = {
            s: boto3.client(s, endpoint_url=self.url, region_name="us-east-1", config=config, **credentials)
            for s in ("ec2", "ecs", "iam", "ssm")
        }

    def _post(self, path: str) -> None:
        # JSON, as trunkline requires of writes to /_trunkline/ (urllib would label a body a form).
        headers = {"Content-Type": "application/json"}
        request = urllib.request.Request(self.url + path, data=b"{}", headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=3600) as answer:
            answer.read()

    def settle(self) -> None:
        self._post("/_trunkline/clock/settle")

    def reset(self) -> None:
        self._post("/_trunkline/reset")

    def close(self) -> None:
        for client in self.clients.values():
            client.close()  # open keep-alive connections would hold the server's shutdown
        self._stack.close()
