"""The tags a new task starts with: its caller's `tags`, on top of the tags `propagateTags` copies
from the task definition (TASK_DEFINITION) or the service (SERVICE, service tasks only), plus the
ECS managed tags `aws:ecs:clusterName` (and `aws:ecs:serviceName` for a service's task) when
`enableECSManagedTags` is set.

Decisions (docs/decisions.md): a key both propagated and given takes the given value; RunTask or
StartTask with propagateTags SERVICE is refused (the API reference says it is an error; the text
is trunkline's); more than 50 tags of the user's own after propagation are refused like TagResource.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trunkline.domain.ecs import clusters, tag_rules
from trunkline.domain.ecs.records import TaskDefinitionRecord
from trunkline.errors import AwsError

Record = dict[str, Any]
Tag = dict[str, str]

#: What the service scheduler adds to RunTask's parameters for a service's task.
SERVICE_TAGS = "_serviceTags"
SERVICE_NAME = "_serviceName"


def for_task(params: Mapping[str, Any], definition: TaskDefinitionRecord, cluster_arn: str) -> list[Tag]:
    given = clusters.check_tags(list(params.get("tags") or []))
    propagate = params.get("propagateTags") or "NONE"
    service_name = params.get(SERVICE_NAME)
    base: list[Tag] = []
    if propagate == "TASK_DEFINITION":
        base = [t for t in definition.get("tags") or [] if not tag_rules.is_reserved(t["key"])]
    elif propagate == "SERVICE":
        if service_name is None:
            raise AwsError(
                "InvalidParameterException",
                "The propagateTags value SERVICE is only valid for tasks that a service starts.",
            )
        base = list(params.get(SERVICE_TAGS) or [])
    tags = tag_rules.merged(base, given)
    tag_rules.check_limit(tags)
    if params.get("enableECSManagedTags"):
        tags.append({"key": "aws:ecs:clusterName", "value": clusters.cluster_name_of_arn(cluster_arn)})
        if service_name is not None:
            tags.append({"key": "aws:ecs:serviceName", "value": str(service_name)})
    return tags
