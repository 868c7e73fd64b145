"""The `awslogs` log driver's options in a container definition, read once for registration and
for the agent (container_logs.py).

`awslogs-group` is required (RegisterTaskDefinition refuses a definition without it, with ECS's
observed ClientException text); `awslogs-region` defaults to the task's region, `awslogs-stream-prefix`
names streams `PREFIX/CONTAINER/TASK-ID`, and `awslogs-create-group` "true" has the agent create a
missing group.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trunkline.errors import AwsError

Record = dict[str, Any]
DRIVER = "awslogs"


@dataclass(frozen=True)
class AwsLogs:
    group: str
    region: str | None
    prefix: str | None
    create_group: bool

    def stream_name(self, container: str, task_id: str, container_arn: str) -> str:
        """`PREFIX/CONTAINER/TASK-ID`; without a prefix Docker names the stream after the container's
        64-hex id, which trunkline derives from the container's ARN."""
        if self.prefix:
            return f"{self.prefix}/{container}/{task_id}"
        return hashlib.sha256(container_arn.encode()).hexdigest()


def of_container(definition: Mapping[str, Any]) -> AwsLogs | None:
    """The awslogs settings of one container definition, or None if it logs some other way."""
    configuration = definition.get("logConfiguration") or {}
    if configuration.get("logDriver") != DRIVER:
        return None
    options = configuration.get("options") or {}
    return AwsLogs(
        group=str(options.get("awslogs-group") or ""),
        region=options.get("awslogs-region") or None,
        prefix=options.get("awslogs-stream-prefix") or None,
        create_group=str(options.get("awslogs-create-group", "")).lower() == "true",
    )


def check(containers: Sequence[Mapping[str, Any]]) -> None:
    """RegisterTaskDefinition's rule: an awslogs container names its log group."""
    for container in containers:
        settings = of_container(container)
        if settings is not None and not settings.group:
            raise AwsError("ClientException", "Log driver awslogs option 'awslogs-group' should not be null or empty.")
