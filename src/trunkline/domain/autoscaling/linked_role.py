"""The service-linked role an Auto Scaling group acts through (`ServiceLinkedRoleARN`).

Without one, a group uses the account's default role, `AWSServiceRoleForAutoScaling`, which Auto
Scaling creates when the account lacks it (EC2 Auto Scaling User Guide, "Service-linked roles").
A group may name another one: a role of the account that is linked to Auto Scaling, such as
`AWSServiceRoleForAutoScaling_<suffix>` made by CreateServiceLinkedRole with a custom suffix.
Any other ARN is refused (the texts are ours: docs/decisions.md).
"""

from __future__ import annotations

from trunkline.context import RequestContext
from trunkline.domain import iam
from trunkline.errors import AwsError

SERVICE = "autoscaling.amazonaws.com"


def _invalid(arn: str, why: str) -> AwsError:
    return AwsError("ValidationError", f"Invalid ServiceLinkedRoleARN '{arn}': {why}")


def default_arn(ctx: RequestContext) -> str:
    """The ARN of the account's default Auto Scaling service-linked role (whether it exists or not)."""
    path = iam.SERVICE_LINKED_PATH.format(service=SERVICE)
    return f"arn:aws:iam::{ctx.account_id}:role{path}{iam.SERVICE_LINKED_ROLES[SERVICE]}"


def check(ctx: RequestContext, arn: str) -> None:
    """Refuse an ARN that names no Auto Scaling service-linked role of this account. The default
    role's ARN passes even while the role is missing: Auto Scaling creates that one (`resolve`)."""
    if arn == default_arn(ctx):
        return
    role = iam.role_by_arn(ctx, arn)
    if role is None:
        raise _invalid(arn, "no role with this ARN exists in the account.")
    if role.get("ServiceLinked") != SERVICE:
        raise _invalid(arn, f"the role {role['RoleName']} is not a service-linked role for {SERVICE}.")


def resolve(ctx: RequestContext, arn: str | None) -> str:
    """The ARN a group records: the one given (checked by `check` first), else the default role's,
    creating that role when the account lacks it. Call only once the whole request is valid, so a
    refused request creates nothing."""
    if arn is None or arn == default_arn(ctx):
        return str(iam.ensure_service_linked_role(ctx, SERVICE)["Arn"])
    return arn


def creates_default(ctx: RequestContext, arn: str | None) -> bool:
    """Whether a group naming `arn` (None: naming none) makes Auto Scaling create the default role:
    it is the group's role and the account lacks it."""
    return arn in (None, default_arn(ctx)) and iam.role_by_arn(ctx, default_arn(ctx)) is None
