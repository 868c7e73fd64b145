"""Test fixtures: a real trunkline server, driven over HTTP by boto3 and the AWS CLI.

Environment:
- TRUNKLINE_TEST_MODE = process (default: `trunkline serve` in a subprocess) | inprocess (the
  documented `run_in_thread` helper).
- TRUNKLINE_TEST_POSTGRES = a postgresql:// URL: run against PostgreSQL (a fresh schema per server)
  instead of SQLite. Each schema is dropped once its server has stopped, or at the latest when the
  session ends; schemas a crashed session left behind are dropped by a later one after a day.
- TRUNKLINE_TEST_CLI_FORK = 0: start a new `aws` process for every AWS CLI command instead of forking
  one that has imported the CLI already (tests/aws_cli_zygote.py).
"""

from __future__ import annotations

import os

# Before trunkline is imported (in-process servers) and inherited by every server the tests spawn:
# a result key its output shape lacks fails the call instead of vanishing (wire/serializing.py).
os.environ.setdefault("TRUNKLINE_STRICT_OUTPUT", "1")

import functools
import json
import shutil
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config as BotoConfig

from aws_cli_zygote import Zygote
from trunkline import child_server
from trunkline.runtime import Config
from trunkline.server import run_in_thread

REGION = "us-east-1"
ACCOUNT = "123456789012"
CREDENTIALS = {
    "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
}


@dataclass
class Server:
    url: str
    state: str
    mode: str
    process: subprocess.Popen[str] | None = None

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.post(self.url + path, timeout=30, **kwargs)

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.url + path, timeout=30)

    def reset(self, default_vpc: bool | None = None) -> None:
        """Back to a new account (`default_vpc=False`: one without a default VPC, in every region)."""
        query = "" if default_vpc is None else f"?defaultVpc={'true' if default_vpc else 'false'}"
        self.post("/_trunkline/reset" + query).raise_for_status()

    def client(self, service: str, *, validate: bool = True, **credentials: str) -> Any:
        """A boto3 client; `validate=False` sends what it is given (boto3 refuses some bad input itself)."""
        creds = credentials or CREDENTIALS
        config = BotoConfig(retries={"max_attempts": 1}, parameter_validation=validate)
        return boto3.client(service, endpoint_url=self.url, region_name=REGION, config=config, **creds)


def postgres_url() -> str | None:
    return os.environ.get("TRUNKLINE_TEST_POSTGRES") or None


#: PostgreSQL schemas this process created, by the state URL naming them; dropped when released.
_SCHEMAS: dict[str, str] = {}
SCHEMA_MARK = "trunkline test schema, created at "  # + epoch seconds: how a later session finds leftovers
LEFTOVER_AGE = 24 * 3600.0  # no test session runs this long: an older marked schema is a crashed one's


def fresh_state(tmp_path: Path) -> str:
    """A new, empty store location for one server: a SQLite file, or a new PostgreSQL schema."""
    base = postgres_url()
    if base is None:
        return str(tmp_path / f"state-{uuid.uuid4().hex[:8]}.sqlite3")
    import psycopg

    _drop_leftovers(base)
    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(f"COMMENT ON SCHEMA {schema} IS '{SCHEMA_MARK}{time.time():.0f}'")
    separator = "&" if "?" in base else "?"
    state = f"{base}{separator}options=-csearch_path%3D{schema}"
    _SCHEMAS[state] = schema
    return state


def release_state(state: str) -> None:
    """Drop the PostgreSQL schema behind a state from `fresh_state` (its server must have stopped);
    nothing for a SQLite file, which lives in pytest's temporary directory."""
    schema = _SCHEMAS.pop(state, None)
    base = postgres_url()
    if schema is not None and base is not None:
        _drop_schemas(base, [schema])


@contextmanager
def opened_store(tmp_path: Path) -> Iterator[Any]:
    """A store opened on a new `fresh_state` location, closed and its location released after."""
    with opened_stores(tmp_path, 1) as (store,):
        yield store


@contextmanager
def opened_stores(tmp_path: Path, count: int) -> Iterator[tuple[Any, ...]]:
    """`count` stores opened on one new `fresh_state` location (as several processes would share
    it), all closed and the location released after."""
    from trunkline.store import open_store

    state = fresh_state(tmp_path)
    stores: list[Any] = []
    try:
        for _ in range(count):
            stores.append(open_store(state))
        yield tuple(stores)
    finally:
        for store in stores:
            store.close()
        release_state(state)


def _drop_schemas(base: str, schemas: list[str]) -> None:
    """DROP each schema, never blocking for long: a schema a live connection still locks is
    reported and left for a later session's leftover sweep."""
    import psycopg

    try:
        with psycopg.connect(base, autocommit=True, connect_timeout=10) as conn:
            conn.execute("SET lock_timeout = '10s'")
            for schema in schemas:
                try:
                    conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                except psycopg.Error as error:
                    warnings.warn(f"test schema {schema} not dropped: {error}", stacklevel=2)
    except psycopg.Error as error:
        warnings.warn(f"test schemas {', '.join(schemas)} not dropped: {error}", stacklevel=2)


@functools.cache  # once per process, before its first schema
def _drop_leftovers(base: str) -> None:
    """Drop marked schemas older than LEFTOVER_AGE: a session that was killed never dropped them."""
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        marked = conn.execute(
            "SELECT nspname, obj_description(oid, 'pg_namespace') FROM pg_namespace "
            "WHERE nspname LIKE 't!_%' ESCAPE '!'"
        ).fetchall()
    cutoff = time.time() - LEFTOVER_AGE
    stale = [
        schema
        for schema, comment in marked
        if (comment or "").startswith(SCHEMA_MARK)
        and (created := comment.removeprefix(SCHEMA_MARK)).isdigit()
        and int(created) < cutoff
    ]
    if stale:
        _drop_schemas(base, stale)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the schemas no fixture released (servers started by test modules themselves, stores
    opened directly); each xdist worker drops its own."""
    if aws_cli_zygote.cache_info().currsize:
        zygote = aws_cli_zygote()
        if zygote is not None:
            zygote.close()
    base = postgres_url()
    if base is not None and _SCHEMAS:
        _drop_schemas(base, list(_SCHEMAS.values()))
        _SCHEMAS.clear()


def start_process(state: str, *extra: str) -> Server:
    """`trunkline serve` in a subprocess on a free port; returns once it printed its ready line."""
    args = [sys.executable, "-m", "trunkline", "serve", "--port", "0", "--state", state, *extra]
    process, url = child_server.start(args)
    return Server(url=url, state=state, mode="process", process=process)


def stop_process(server: Server) -> None:
    if server.process is not None:
        child_server.stop(server.process)


@pytest.fixture(scope="session")
def _session_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    state = fresh_state(tmp_path_factory.mktemp("state"))
    try:
        if os.environ.get("TRUNKLINE_TEST_MODE", "process") == "inprocess":
            with run_in_thread(Config(state=state)) as url:
                yield Server(url=url, state=state, mode="inprocess")
            return
        server = start_process(state)
        try:
            yield server
        finally:
            stop_process(server)
    finally:
        release_state(state)


@pytest.fixture
def server(_session_server: Server) -> Server:
    """The shared server, emptied for this test."""
    _session_server.reset()
    return _session_server


@pytest.fixture
def empty_account(server: Server) -> Server:
    """The shared server as an account with nothing in it, not even AWS's default VPC (for tests
    that list everything an account has and expect only what they made)."""
    server.reset(default_vpc=False)
    return server


@pytest.fixture
def aws(server: Server) -> Callable[..., Any]:
    """`aws("iam")` -> a boto3 client for the test server."""
    return server.client


@pytest.fixture
def ec2(aws: Callable[..., Any]) -> Any:
    return aws("ec2")


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start extra servers with their own flags (e.g. `--timing manual`); stopped after the test."""
    with ExitStack() as stack:

        def start(*extra: str, state: str | None = None) -> Server:
            if state is None:
                state = fresh_state(tmp_path)
                stack.callback(release_state, state)  # runs after every server on it has stopped
            server = start_process(state, *extra)
            stack.callback(stop_process, server)
            return server

        yield start


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Any]:
    """A domain-level store (no server): SQLite with the clusters `prod` and `other`, for tests
    that call domain functions directly (see tests/ecs_records.py)."""
    from ecs_records import domain_store

    with domain_store(tmp_path / "domain.sqlite3") as opened:
        yield opened


def aws_cli_command() -> list[str]:
    found = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
    if found is None:
        pytest.skip("the AWS CLI (awscli) is not installed")
    return [found]


@functools.cache
def aws_cli_zygote() -> Zygote | None:
    """One process per test run that has imported the AWS CLI and forks a copy for each command
    (tests/aws_cli_zygote.py); None runs each command as a new process instead, as when
    TRUNKLINE_TEST_CLI_FORK=0 or the `aws` script's interpreter is not a Python file path."""
    if os.environ.get("TRUNKLINE_TEST_CLI_FORK", "1") == "0":
        return None
    with open(aws_cli_command()[0], "rb") as script:
        first = script.readline().decode("utf-8", "replace")
    python = first[2:].strip() if first.startswith("#!") else ""
    if not python or " " in python or not os.access(python, os.X_OK):
        return None
    return Zygote(python)


def run_aws_cli(args: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    """`aws ARGS` with this environment, output captured (through the zygote when there is one)."""
    zygote = aws_cli_zygote()
    if zygote is None:
        return subprocess.run([*aws_cli_command(), *args], env=env, capture_output=True, text=True, timeout=timeout)
    return zygote.run(args, env, timeout)


@pytest.fixture
def cli(server: Server, tmp_path: Path) -> Callable[..., Any]:
    """`cli("iam", "get-role", "--role-name", "x")` -> parsed JSON output; raises CliError on failure."""
    return make_cli(server.url, tmp_path)


class CliError(Exception):
    def __init__(self, returncode: int, stderr: str) -> None:
        super().__init__(stderr)
        self.returncode = returncode
        self.stderr = stderr


def make_cli(url: str, tmp_path: Path, **credentials: str) -> Callable[..., Any]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": credentials.get("aws_access_key_id", CREDENTIALS["aws_access_key_id"]),
        "AWS_SECRET_ACCESS_KEY": credentials.get("aws_secret_access_key", CREDENTIALS["aws_secret_access_key"]),
        "AWS_DEFAULT_REGION": REGION,
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
    }
    if "aws_session_token" in credentials:
        env["AWS_SESSION_TOKEN"] = credentials["aws_session_token"]

    def run(*args: str) -> Any:
        done = run_aws_cli(["--endpoint-url", url, "--output", "json", *args], env, timeout=120)
        if done.returncode != 0:
            raise CliError(done.returncode, done.stderr)
        return json.loads(done.stdout) if done.stdout.strip() else None

    return run


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `one_store` (Terraform, the browser, AWS CLI output) check what a client sees of
    the wire, which the store does not change, or use no server and no store at all: they run in
    the SQLite passes only, to keep CI short. Mark a test so only when the calls it makes through a
    client are also tested with boto3 on both stores."""
    if postgres_url() is None:
        return
    skip = pytest.mark.skip(reason="one_store: runs in the SQLite passes only (wire client or no store)")
    for item in items:
        if item.get_closest_marker("one_store") or item.get_closest_marker("terraform"):
            item.add_marker(skip)
