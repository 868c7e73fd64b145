"""Opaque, tamper-checked pagination tokens: the position (last key returned) and what the listing
was for, signed with a secret kept in the store. A forged or foreign token is an error, not a crash."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from typing import Any

from trunkline.store.api import Transaction

_SECRET_META = "pagination.secret"


def _secret(tx: Transaction) -> bytes:
    value = tx.get_meta(_SECRET_META)
    if value is None:
        value = secrets.token_hex(32)
        tx.set_meta(_SECRET_META, value)
    return value.encode()


def encode(tx: Transaction, listing: str, position: Any) -> str:
    payload = json.dumps({"l": listing, "p": position}, separators=(",", ":")).encode()
    mac = hmac.new(_secret(tx), payload, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac + payload).decode().rstrip("=")


def decode(tx: Transaction, listing: str, token: str) -> Any | None:
    """The position a token stands for, or None if it is not a valid token for this listing."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    mac, payload = raw[:16], raw[16:]
    if not hmac.compare_digest(mac, hmac.new(_secret(tx), payload, hashlib.sha256).digest()[:16]):
        return None
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("l") != listing:
        return None
    return data.get("p")
