"""Credentials trunkline knows, and which principal a request acts as.

Keys trunkline issued (STS AssumeRole, IAM CreateAccessKey) act as their role session or user;
their secrets are stored sealed (`secret_box.py`) and session tokens only as a hash. Other keys
act as the root of an account: the one `--credentials` / `--account-for-key` names for the key, a
12-digit key's own number, else the server's `--account-id`. `resolve_principal` is the default
mode (any secret works); `domain/authentication.py` the strict one (the signature is verified).
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, cast

from trunkline.context import Principal, RequestContext
from trunkline.domain.iam_kinds import CREDENTIAL
from trunkline.domain.iam_records import CredentialRecord
from trunkline.errors import AuthFailure
from trunkline.secret_box import SecretBox
from trunkline.store.api import Transaction

KIND = CREDENTIAL.name  # declared in iam_kinds (scope GLOBAL: keyed by the access key id alone)
_KEY_ALPHABET = string.ascii_uppercase + "234567"
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"


def new_access_key_id(prefix: str) -> str:
    """AWS access key ids: 'AKIA' (long-term) or 'ASIA' (temporary) + 16 base32 characters."""
    return prefix + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))


def new_secret() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


def new_unique_id(prefix: str) -> str:
    """IAM unique ids (AROA…, AIDA…, AIPA…): prefix + 17 base32 characters."""
    return prefix + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(17))


class Sealer(Protocol):
    def seal(self, plaintext: str, binding: str) -> str: ...
    def open(self, sealed: str, binding: str) -> str | None: ...


@dataclass(frozen=True)
class StaticKey:
    """A key trunkline did not issue: from `--credentials`, the environment or `--account-for-key`.
    It acts as the root of `account_id`; `secret` is None when only its account is configured."""

    access_key_id: str
    account_id: str
    secret: str | None = None


class Keyring:
    """The server's static keys, its default account, and the sealer for issued secrets."""

    def __init__(self, default_account: str, static_keys: Iterable[StaticKey], sealer: Sealer) -> None:
        self.default_account = default_account
        self.static = {key.access_key_id: key for key in static_keys}
        self.sealer = sealer

    def account_for(self, access_key_id: str | None) -> str:
        known = self.static.get(access_key_id or "")
        if known is not None:
            return known.account_id
        if access_key_id and len(access_key_id) == 12 and access_key_id.isascii() and access_key_id.isdigit():
            return access_key_id  # as LocalStack does: AWS_ACCESS_KEY_ID=111122223333 is that account
        return self.default_account


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def stored_credential(tx: Transaction, access_key_id: str) -> CredentialRecord | None:
    """The key trunkline issued under `access_key_id` (a tombstone too), if any."""
    record: Any = tx.get(KIND, access_key_id)
    return cast(CredentialRecord | None, record)


def store_credential(tx: Transaction, access_key_id: str, record: CredentialRecord) -> None:
    tx.put(KIND, access_key_id, cast(dict[str, Any], record), {"user": record.get("user_name")})


def issue_credential(
    ctx: RequestContext, access_key_id: str, record: CredentialRecord, secret: str, token: str | None = None
) -> None:
    """Store a new key: its secret sealed, its session token (if any) as a SHA-256 digest."""
    sealed: CredentialRecord = {**record, "secret_sealed": _sealer(ctx).seal(secret, access_key_id)}
    if token is not None:
        sealed["token_sha256"] = token_digest(token)
    store_credential(ctx.tx, access_key_id, sealed)


def issued_secret(keyring: Keyring, record: CredentialRecord) -> str | None:
    if "secret_sealed" in record:
        return keyring.sealer.open(record["secret_sealed"], record["access_key_id"])
    secret = record.get("secret")  # a state file written before secrets were sealed
    return secret if isinstance(secret, str) else None


def resolve_principal(tx: Transaction, access_key_id: str | None, keyring: Keyring, now: float) -> Principal:
    """Default mode: whatever the signature, the key's principal (its account's root if unissued)."""
    record = stored_credential(tx, access_key_id) if access_key_id else None
    if record is None:
        return Principal.root(keyring.account_for(access_key_id))
    return issued_principal(record, now)


def issued_principal(record: CredentialRecord, now: float) -> Principal:
    if record.get("status") != "Active":
        # Deleted (kept as a tombstone), Inactive or Expired: IAM refuses them all alike.
        raise AuthFailure("unknown-key", "The security token included in the request is invalid.")
    expires = record.get("expires_at")
    if expires is not None and now >= expires:
        raise AuthFailure("expired-token", "The security token included in the request is expired")
    return Principal(
        account_id=record["account_id"],
        arn=record["arn"],
        user_id=record["user_id"],
        kind=record["kind"],
        role_arn=record.get("role_arn"),
    )


@functools.cache
def _process_sealer() -> Sealer:
    return SecretBox.ephemeral()


def _sealer(ctx: RequestContext) -> Sealer:
    """The server's sealer; a context built without a keyring (a job, a unit test) seals with a
    key that lives as long as the process: never plaintext."""
    return ctx.keyring.sealer if ctx.keyring is not None else _process_sealer()
