"""ECS takes a task's roles (the task role and the execution role) as the service principal
`ecs-tasks.amazonaws.com`: a role that does not exist, or whose trust policy does not let ECS's
tasks assume it, stops the launch. RunTask and StartTask answer a ClientException; a service's
scheduler records AWS's "failed to launch a task" event instead."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import authorization, iam
from trunkline.domain.ecs.records import TaskDefinitionRecord
from trunkline.domain.iam_records import RoleRecord
from trunkline.errors import AwsError

Record = dict[str, Any]

SERVICE = "ecs-tasks.amazonaws.com"
_FIELDS = ("taskRoleArn", "executionRoleArn")


def _role(ctx: RequestContext, ref: str) -> RoleRecord | None:
    if ref.startswith("arn:"):
        return iam.role_by_arn(ctx, ref)
    try:
        return iam.get_role(ctx, ref)  # ECS also takes a role's short name
    except AwsError:
        return None


def unassumable(ctx: RequestContext, definition: Mapping[str, Any], overrides: Record) -> str | None:
    """The first of the task's roles ECS could not assume, or None."""
    for field in _FIELDS:
        ref = overrides.get(field) or definition.get(field)
        if not ref:
            continue
        role = _role(ctx, ref)
        if role is None or not authorization.service_may_assume(ctx, role, SERVICE, _source(ctx, definition)):
            return str(ref)
    return None


def _source(ctx: RequestContext, definition: Mapping[str, Any]) -> dict[str, str]:
    """ECS assumes task roles with the confused-deputy keys its docs tell trust policies to check
    (`aws:SourceAccount`; `aws:SourceArn` matched with `arn:aws:ecs:REGION:ACCOUNT:*`): the
    account, and the task definition's ARN (which ECS ARN AWS sends is not documented)."""
    source = {"aws:SourceAccount": ctx.account_id}
    if definition.get("taskDefinitionArn"):
        source["aws:SourceArn"] = str(definition["taskDefinitionArn"])
    return source


def problem(role: str) -> str:
    return (
        f"ECS was unable to assume the role '{role}' that was provided for this task. Please verify that the role "
        "being passed has the proper trust relationship and permissions and that your IAM user has permissions to "
        "pass this role."
    )


def check(ctx: RequestContext, definition: TaskDefinitionRecord, overrides: Record) -> None:
    role = unassumable(ctx, definition, overrides)
    if role is not None:
        raise AwsError("ClientException", problem(role))
