"""EventBridge events, written to the store's outbox in the same transaction as the change that
causes them: nothing is emitted for a change that rolled back, nothing is lost if the process dies.
The streaming endpoint and `trunkline events --follow` read them back from the outbox."""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime
from typing import Any

from trunkline.context import RequestContext

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


def emit(
    ctx: RequestContext, detail_type: str, resources: list[str], detail: dict[str, Any], source: str = "aws.ecs"
) -> None:
    """Append one event to the outbox."""
    event = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": ctx.account_id,
        "time": iso(ctx.now, millis=False),
        "region": ctx.region,
        "resources": resources,
        "detail": detail,
    }
    ctx.tx.append_event(event, at=ctx.now)
