"""Credentials trunkline has issued, and which principal a request acts as.

Default: any access key acts as the root of the server's account. A key issued by trunkline (STS
AssumeRole, IAM CreateAccessKey) acts as its role session or user. Several accounts and strict
SigV4 verification plug in here later: both only change `resolve_principal`.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from trunkline.context import Principal
from trunkline.errors import AwsError
from trunkline.store.api import Transaction

KIND = "credential"
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


def store_credential(tx: Transaction, access_key_id: str, record: dict[str, Any]) -> None:
    tx.put(KIND, access_key_id, record, {"user": record.get("user_name")})


def resolve_principal(tx: Transaction, access_key_id: str | None, default_account: str, now: float) -> Principal:
    if not access_key_id:
        return Principal.root(default_account)
    record = tx.get(KIND, access_key_id)
    if record is None:
        return Principal.root(default_account)
    if record.get("status") != "Active":
        # Deleted (kept as a tombstone), Inactive or Expired: IAM refuses them all alike.
        raise AwsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
    expires = record.get("expires_at")
    if expires is not None and now >= expires:
        raise AwsError("ExpiredToken", "The security token included in the request is expired", 400)
    return Principal(
        account_id=record["account_id"],
        arn=record["arn"],
        user_id=record["user_id"],
        kind=record["kind"],
        role_arn=record.get("role_arn"),
    )
