"""Identifiers in AWS's formats."""

from __future__ import annotations

import secrets
import uuid


def resource_id(prefix: str) -> str:
    """EC2-style ids: `vpc-`, `subnet-`, `sg-`, `eni-`, `i-`, `ami-`, `trunk-assoc-`, `vpc-cidr-assoc-` + 17 hex digits."""
    return f"{prefix}-{secrets.token_hex(9)[:17]}"


def mac_address() -> str:
    """A MAC in the locally administered `0a:`/`06:` ranges EC2 uses."""
    first = secrets.choice(("0a", "06"))
    return ":".join([first, *(f"{b:02x}" for b in secrets.token_bytes(5))])


def ecs_id() -> str:
    """ECS container-instance and task ids: 32 hex digits."""
    return uuid.uuid4().hex


def attachment_id() -> str:
    return str(uuid.uuid4())
