"""Secrets at rest: the secret access keys trunkline issued are stored encrypted.

They cannot be hashed: `--auth strict` recomputes each request's HMAC, which needs the secret
itself (a derived signing key would do, but it depends on the day, region and service of each
request). So they are sealed with AES-256-GCM under a key kept outside the state, in a file only
the owner can read (created 0600): `<state file>.key` next to a SQLite state, the `secrets.key` in
trunkline's data directory for PostgreSQL (every process sharing the database needs the same
file: `--key-file`), and a key that lives only in memory for `:memory:`. Each sealed value is
bound to its access key id, so a sealed secret copied onto another key record does not open.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = logging.getLogger("trunkline.secrets")

_NONCE = 12
_PREFIX = "aesgcm:"
_KEY_BYTES = 32  # AES-256


def _new_key() -> bytes:
    return secrets.token_bytes(_KEY_BYTES)  # what AESGCM.generate_key(bit_length=256) returns


class SecretBox:
    def __init__(self, key: bytes) -> None:
        self._key = key
        self._cipher: AESGCM | None = None

    @property
    def _aead(self) -> AESGCM:
        # cryptography is imported when the first secret is sealed or opened, not at start-up.
        if self._cipher is None:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            self._cipher = AESGCM(self._key)
        return self._cipher

    @staticmethod
    def ephemeral() -> SecretBox:
        return SecretBox(_new_key())

    @staticmethod
    def from_file(path: str) -> SecretBox:
        """The key in `path`, created (owner-only) with a new random key if there is none."""
        file = Path(path)
        file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            if file.stat().st_mode & 0o077:
                file.chmod(0o600)  # a key others can read protects nothing
        else:
            with os.fdopen(fd, "w") as out:
                out.write(base64.b64encode(_new_key()).decode() + "\n")
        key = base64.b64decode(file.read_text().strip(), validate=True)
        if len(key) != _KEY_BYTES:
            raise ValueError(f"{path} does not hold a 256-bit key")
        return SecretBox(key)

    def seal(self, plaintext: str, binding: str) -> str:
        nonce = secrets.token_bytes(_NONCE)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), binding.encode())
        return _PREFIX + base64.b64encode(nonce + sealed).decode()

    def open(self, sealed: str, binding: str) -> str | None:
        """The plaintext, or None when this key did not seal it (another key file, a tampered value)."""
        if not sealed.startswith(_PREFIX):
            return None
        from cryptography.exceptions import InvalidTag

        try:
            raw = base64.b64decode(sealed[len(_PREFIX) :], validate=True)
            return self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], binding.encode()).decode()
        except (InvalidTag, ValueError):
            log.warning("a stored secret does not open with this key file; was the key file replaced?")
            return None


def key_file_for(state: str, explicit: str | None) -> str | None:
    """Where the key for `state` lives; None: in memory only (`:memory:` state)."""
    if explicit:
        return explicit
    if state == ":memory:":
        return None
    if state.startswith(("postgresql://", "postgres://")):
        return str(Path(platformdirs.user_data_dir("trunkline")) / "secrets.key")
    return state + ".key"


def open_box(state: str, explicit: str | None) -> SecretBox:
    path = key_file_for(state, explicit)
    return SecretBox.ephemeral() if path is None else SecretBox.from_file(path)
