"""Identifiers in AWS's formats."""

from __future__ import annotations

import os
import secrets


def resource_id(prefix: str) -> str:
    """EC2-style ids: `vpc-`, `subnet-`, `sg-`, `eni-`, `i-`, `ami-`, `trunk-assoc-`, `vpc-cidr-assoc-` + 17 hex digits."""
    return f"{prefix}-{secrets.token_hex(9)[:17]}"


def mac_address() -> str:
    """A MAC in the locally administered `0a:`/`06:` ranges EC2 uses."""
    first = secrets.choice(("0a", "06"))
    return ":".join([first, *(f"{b:02x}" for b in secrets.token_bytes(5))])


def _random_uuid_hex() -> str:
    """A random (version 4) UUID's 32 hex digits, as `uuid.uuid4().hex` gives them at a quarter of
    the cost (no UUID object): every task placed takes two."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # RFC 4122 variant
    return raw.hex()


def ecs_id() -> str:
    """ECS container-instance and task ids: 32 hex digits."""
    return _random_uuid_hex()


def attachment_id() -> str:
    """A random UUID in its usual 8-4-4-4-12 form."""
    return uuid_text(_random_uuid_hex())


def uuid_text(digits: str) -> str:
    """A UUID's 32 hex digits in its usual 8-4-4-4-12 form."""
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
