"""Secrets at rest (issue 14, item 6): the state file and its -wal/-shm are the owner's only, the
secrets of issued keys are sealed under a 0600 key file (never in the state in plaintext), session
tokens are kept only as a digest, and issued keys still verify after a restart under --auth strict."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from conftest import REGION, Server, postgres_url, start_process, stop_process
from trunkline.secret_box import SecretBox, key_file_for
from trunkline.store import packing
from trunkline.store.sqlite import SqliteStore

KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ACCOUNT = "123456789012"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"}],
}

sqlite_only = pytest.mark.skipif(postgres_url() is not None, reason="file permissions of a SQLite state")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _client(server: Server, service: str, key: str = KEY, secret: str = SECRET, token: str | None = None) -> Any:
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name=REGION,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=BotoConfig(retries={"max_attempts": 1}),
    )


def _issue(server: Server) -> tuple[dict[str, Any], dict[str, Any]]:
    iam = _client(server, "iam")
    iam.create_user(UserName="dana")
    user_key = iam.create_access_key(UserName="dana")["AccessKey"]
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST))
    session = _client(server, "sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/r", RoleSessionName="s1")
    return user_key, session["Credentials"]


def _text(body: bytes | str) -> str:
    """A stored body as JSON text (compressed ones decompressed, with their preset dictionary)."""
    return packing.dump(packing.unpack(body)) if isinstance(body, bytes) else body


def _state_bytes(state: Path) -> bytes:
    return b"".join(p.read_bytes() for p in state.parent.glob(state.name + "*") if p.is_file())


@sqlite_only
def test_the_state_file_and_key_file_are_owner_only(tmp_path: Path) -> None:
    state = tmp_path / "fresh" / "state.sqlite3"
    server = start_process(str(state))
    try:
        _issue(server)
        files = {p.name: _mode(p) for p in state.parent.iterdir()}
    finally:
        stop_process(server)
    assert files["state.sqlite3"] == 0o600
    assert files["state.sqlite3.key"] == 0o600
    assert files.get("state.sqlite3-wal", 0o600) == 0o600 and files.get("state.sqlite3-shm", 0o600) == 0o600
    assert "state.sqlite3-wal" in files  # WAL mode: it exists while the server runs and after
    assert _mode(state.parent) == 0o700


@sqlite_only
def test_a_state_file_an_older_trunkline_left_readable_is_tightened(tmp_path: Path) -> None:
    state = tmp_path / "old.sqlite3"
    sqlite3.connect(state).close()
    os.chmod(state, 0o644)
    wal = tmp_path / "old.sqlite3-wal"
    wal.write_bytes(b"")
    os.chmod(wal, 0o644)
    store = SqliteStore(str(state))
    try:
        assert _mode(state) == 0o600
        assert _mode(wal) == 0o600
    finally:
        store.close()


@sqlite_only
def test_issued_secrets_and_tokens_are_not_stored_in_plaintext(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    server = start_process(str(state))
    try:
        user_key, session = _issue(server)
    finally:
        stop_process(server)
    raw = _state_bytes(state)
    with sqlite3.connect(state) as db:  # large bodies are stored zlib-compressed: read them decompressed too
        texts = [_text(row[0]) for row in db.execute("SELECT body FROM documents")]
        bodies = [
            json.loads(_text(row[0])) for row in db.execute("SELECT body FROM documents WHERE kind = 'credential'")
        ]
    for secret in (user_key["SecretAccessKey"], session["SecretAccessKey"], session["SessionToken"]):
        assert secret.encode() not in raw and not any(secret in text for text in texts)
    assert any(user_key["AccessKeyId"] in text for text in texts)  # AWS shows key ids again, not secrets
    assert {"secret_sealed"} <= set(bodies[0]) and "secret" not in bodies[0]
    assert any("token_sha256" in body for body in bodies)


@sqlite_only
def test_issued_keys_still_verify_after_a_restart_and_not_with_another_key_file(tmp_path: Path) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text(f"[default]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n")
    state = tmp_path / "state.sqlite3"
    strict = ("--auth", "strict", "--credentials", str(credentials))
    server = start_process(str(state), *strict)
    try:
        user_key, session = _issue(server)
    finally:
        stop_process(server)
    server = start_process(str(state), *strict)
    try:
        user = _client(server, "sts", user_key["AccessKeyId"], user_key["SecretAccessKey"])
        assert user.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/dana"
        parts = (session["AccessKeyId"], session["SecretAccessKey"], session["SessionToken"])
        assert _client(server, "sts", *parts).get_caller_identity()["Arn"].endswith(":assumed-role/r/s1")
    finally:
        stop_process(server)
    (tmp_path / "state.sqlite3.key").unlink()  # a lost key file: the sealed secrets are gone with it
    server = start_process(str(state), *strict)
    try:
        with pytest.raises(ClientError) as caught:
            _client(server, "sts", user_key["AccessKeyId"], user_key["SecretAccessKey"]).get_caller_identity()
        assert caught.value.response["Error"]["Code"] == "InvalidClientTokenId"
        assert _client(server, "sts").get_caller_identity()["Account"] == ACCOUNT  # configured keys are unaffected
    finally:
        stop_process(server)


def test_a_sealed_secret_opens_only_with_its_key_and_for_its_access_key() -> None:
    box = SecretBox.ephemeral()
    sealed = box.seal("s3cret", "AKIAONE")
    assert "s3cret" not in sealed
    assert box.open(sealed, "AKIAONE") == "s3cret"
    assert box.open(sealed, "AKIATWO") is None  # copied onto another key record
    assert SecretBox.ephemeral().open(sealed, "AKIAONE") is None
    assert box.open("plain", "AKIAONE") is None
    assert box.seal("s3cret", "AKIAONE") != sealed  # a fresh nonce each time


def test_where_the_key_file_lives(tmp_path: Path) -> None:
    assert key_file_for(":memory:", None) is None
    assert key_file_for("/x/state.sqlite3", None) == "/x/state.sqlite3.key"
    assert key_file_for("postgresql://u@h/db", None).endswith("secrets.key")  # type: ignore[union-attr]
    assert key_file_for("/x/state.sqlite3", "/k") == "/k"
    loose = tmp_path / "loose.key"
    SecretBox.from_file(str(loose))
    os.chmod(loose, 0o644)
    SecretBox.from_file(str(loose))
    assert _mode(loose) == 0o600
