"""EventBridge events, written to the store's outbox in the same transaction as the change that
causes them: nothing is emitted for a change that rolled back, nothing is lost if the process dies.
The streaming endpoint and `trunkline events --follow` read them back from the outbox."""

from __future__ import annotations

import functools
import os
import random
from datetime import UTC, datetime
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import ids

CONTAINER_INSTANCE_STATE_CHANGE = "ECS Container Instance State Change"
TASK_STATE_CHANGE = "ECS Task State Change"


@functools.lru_cache(maxsize=4096)
def iso(epoch: float, millis: bool = True) -> str:
    """Event timestamps: ISO-8601 UTC, with milliseconds inside `detail` (`updatedAt`), without
    them in the envelope's `time`, as AWS writes them. Kept: every event of a task or container
    instance repeats its earlier times (createdAt, registeredAt), and formatting them again was a
    few percent of RunTask's time."""
    moment = datetime.fromtimestamp(epoch, UTC)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# Event ids' own generator, seeded from the system: not the module's `random`, which a test (or
# hypothesis) may seed to repeat itself; reseeded in a forked child so processes never share it.
_IDS = random.Random()
os.register_at_fork(after_in_child=_IDS.seed)
# A version 4 UUID's fixed bits: the version nibble (4) and the RFC 4122 variant (10).
_VERSION_BITS = (0xF << 76) | (0x3 << 62)
_VERSION_4 = (0x4 << 76) | (0x2 << 62)


def event_id() -> str:
    """A random version 4 UUID, as events carry. From `random`, not `uuid.uuid4`'s os.urandom: an
    event id needs to be unique, not unguessable, and every task step writes one or two events."""
    return ids.uuid_text(f"{_IDS.getrandbits(128) & ~_VERSION_BITS | _VERSION_4:032x}")


def emit(
    ctx: RequestContext, detail_type: str, resources: list[str], detail: dict[str, Any], source: str = "aws.ecs"
) -> None:
    """Append one event to the outbox."""
    event = {
        "version": "0",
        "id": event_id(),
        "detail-type": detail_type,
        "source": source,
        "account": ctx.account_id,
        "time": iso(ctx.now, millis=False),
        "region": ctx.region,
        "resources": resources,
        "detail": detail,
    }
    ctx.tx.append_event(event, at=ctx.now)
