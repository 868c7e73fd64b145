"""Test fixtures: a real trunkline server, driven over HTTP by boto3 and the AWS CLI.

Environment:
- TRUNKLINE_TEST_MODE = process (default: `trunkline serve` in a subprocess) | inprocess (the
  documented `run_in_thread` helper).
- TRUNKLINE_TEST_POSTGRES = a postgresql:// URL: run against PostgreSQL (a fresh schema per server)
  instead of SQLite.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config as BotoConfig

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

    def reset(self) -> None:
        self.post("/_trunkline/reset").raise_for_status()

    def client(self, service: str, *, validate: bool = True, **credentials: str) -> Any:
        """A boto3 client; `validate=False` sends what it is given (boto3 refuses some bad input itself)."""
        creds = credentials or CREDENTIALS
        config = BotoConfig(retries={"max_attempts": 1}, parameter_validation=validate)
        return boto3.client(service, endpoint_url=self.url, region_name=REGION, config=config, **creds)


def postgres_url() -> str | None:
    return os.environ.get("TRUNKLINE_TEST_POSTGRES") or None


def fresh_state(tmp_path: Path) -> str:
    """A new, empty store location for one server: a SQLite file, or a new PostgreSQL schema."""
    base = postgres_url()
    if base is None:
        return str(tmp_path / f"state-{uuid.uuid4().hex[:8]}.sqlite3")
    import psycopg

    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


def start_process(state: str, *extra: str) -> Server:
    """`trunkline serve` in a subprocess on a free port; returns once it printed its ready line."""
    args = [sys.executable, "-m", "trunkline", "serve", "--port", "0", "--state", state, *extra]
    # stderr goes to a file: a pipe nobody reads would block the server once its logs fill it.
    log = tempfile.NamedTemporaryFile(prefix="trunkline-server-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, text=True)
    log.close()
    assert process.stdout is not None
    line = process.stdout.readline()
    if "ready at " not in line:
        process.kill()
        process.wait(timeout=10)
        raise RuntimeError(f"trunkline did not start: {line!r} {Path(log.name).read_text()}")
    url = line.split("ready at ", 1)[1].split()[0]
    return Server(url=url, state=state, mode="process", process=process)


def stop_process(server: Server) -> None:
    if server.process is not None and server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@pytest.fixture(scope="session")
def _session_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    state = fresh_state(tmp_path_factory.mktemp("state"))
    if os.environ.get("TRUNKLINE_TEST_MODE", "process") == "inprocess":
        with run_in_thread(Config(state=state)) as url:
            yield Server(url=url, state=state, mode="inprocess")
        return
    server = start_process(state)
    try:
        yield server
    finally:
        stop_process(server)


@pytest.fixture
def server(_session_server: Server) -> Server:
    """The shared server, emptied for this test."""
    _session_server.reset()
    return _session_server


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
            server = start_process(state or fresh_state(tmp_path), *extra)
            stack.callback(stop_process, server)
            return server

        yield start


def _aws_cli() -> list[str]:
    found = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
    if found is None:
        pytest.skip("the AWS CLI (awscli) is not installed")
    return [found]


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
        command = [*_aws_cli(), "--endpoint-url", url, "--output", "json", *args]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise CliError(done.returncode, done.stderr)
        return json.loads(done.stdout) if done.stdout.strip() else None

    return run
