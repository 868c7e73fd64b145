"""Authorization: who the caller is to the policy evaluator, which policies apply to it, the
request context AWS would build, and the denial AWS answers.

Two uses:
- trust policies, in every mode: `sts:AssumeRole`, and a service principal (EC2 for an instance
  profile's role, ECS for a task role) taking a role's credentials;
- with `--enforce-iam`, every call: `authorize` evaluates the caller's identity-based policies
  (inline and attached managed policies), capped by its permissions boundary, for an action on a
  resource, and `pass_role` checks `iam:PassRole` when a request hands a role to a service.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from trunkline.context import Principal, RequestContext
from trunkline.domain import iam, iam_boundaries, iam_policies
from trunkline.domain.iam_records import RoleRecord, UserRecord
from trunkline.domain.policy_evaluation import (
    Caller,
    ContextValue,
    Request,
    evaluate_assume_role_detailed,
    evaluate_detailed,
)
from trunkline.errors import AwsError

#: The error code and HTTP status of a denial, per service (EC2's message names nobody, see `denial`).
DENIAL_CODES = {
    "ecs": ("AccessDeniedException", 400),
    "ssm": ("AccessDeniedException", 400),
    "logs": ("AccessDeniedException", 400),
    "ec2": ("UnauthorizedOperation", 403),
}


def caller_of(principal: Principal) -> Caller:
    return Caller(arn=principal.arn, account=principal.account_id, role_arn=principal.role_arn)


def service_caller(service: str, account: str) -> Caller:
    return Caller(arn=service, account=account, service=service)


def _entity(ctx: RequestContext, principal: Principal) -> tuple[str, str] | None:
    """("user"|"role", name) whose identity policies apply to the principal; None for root."""
    if principal.kind == "user":
        return "user", principal.arn.rsplit("/", 1)[-1]
    if principal.kind == "assumed-role" and principal.role_arn:
        return "role", principal.role_arn.rsplit("/", 1)[-1]
    return None


def _record(ctx: RequestContext, kind: str, name: str) -> RoleRecord | UserRecord | None:
    try:
        return iam.get_role(ctx, name) if kind == "role" else iam.get_user(ctx, name)
    except AwsError:
        return None


def identity_policies(ctx: RequestContext, principal: Principal) -> list[dict[str, Any]]:
    entity = _entity(ctx, principal)
    if entity is None:
        return []
    return iam_policies.identity_documents(ctx, *entity)


def boundary_policy(ctx: RequestContext, principal: Principal) -> dict[str, Any] | None:
    """The principal's permissions boundary (its user's, or its session's role's), or None."""
    entity = _entity(ctx, principal)
    if entity is None:
        return None
    return iam_boundaries.boundary_document(ctx, *entity)


def request_context(
    ctx: RequestContext, principal: Principal, extra: Mapping[str, ContextValue] | None = None
) -> dict[str, ContextValue]:
    """The global condition keys AWS puts in every request context (IAM User Guide, global keys)."""
    context: dict[str, ContextValue] = {
        "aws:PrincipalAccount": principal.account_id,
        "aws:PrincipalArn": principal.role_arn or principal.arn,
        "aws:userid": principal.user_id,
        "aws:PrincipalType": {"user": "User", "assumed-role": "AssumedRole"}.get(principal.kind, "Account"),
        "aws:RequestedRegion": ctx.region,
        "aws:CurrentTime": datetime.fromtimestamp(ctx.now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(ctx.now)),
        "aws:SecureTransport": "false",
    }
    entity = _entity(ctx, principal)
    if entity is not None:
        if entity[0] == "user":
            context["aws:username"] = entity[1]
        record = _record(ctx, *entity)
        for tag in record.get("Tags", []) if record is not None else []:
            context[f"aws:PrincipalTag/{tag['Key']}"] = tag["Value"]
    context.update(extra or {})
    return context


def denial_message(
    principal_arn: str, action: str, resource: str, decision: str, policy_type: str, service: str
) -> str:
    """AWS's text: `User: <arn> is not authorized to perform: <action> on resource: <resource>
    because no <type> policy allows the <action> action` (or `with an explicit deny in a <type>
    policy`). ECS prints `on resource: *`; the other services leave the clause out for `*`."""
    on = f" on resource: {resource}" if resource != "*" or service == "ecs" else ""
    an = "an" if policy_type[0] in "aeiou" else "a"
    # A boundary is named without "policy": `because no permissions boundary allows the <action>
    # action`, `with an explicit deny in a permissions boundary` (IAM User Guide, access denied
    # error message examples).
    named = policy_type if policy_type == "permissions boundary" else f"{policy_type} policy"
    reason = (
        f"with an explicit deny in {an} {named}"
        if decision == "ExplicitDeny"
        else f"because no {named} allows the {action} action"
    )
    return f"User: {principal_arn} is not authorized to perform: {action}{on} {reason}"


def denial(service: str, principal_arn: str, action: str, resource: str, decision: str, policy_type: str) -> AwsError:
    """The error a service answers when IAM denies a call, in that service's code and status."""
    code, status = DENIAL_CODES.get(service, ("AccessDenied", 403))
    if service == "ec2":
        # EC2 names nobody: Describe calls say only this; mutating calls add an encoded message.
        message = "You are not authorized to perform this operation."
        if not action.split(":", 1)[1].startswith("Describe"):
            message += " Encoded authorization failure message: " + _encoded_failure(principal_arn, action, resource)
        return AwsError(code, message, status)
    return AwsError(code, denial_message(principal_arn, action, resource, decision, policy_type, service), status)


def _encoded_failure(principal_arn: str, action: str, resource: str) -> str:
    import base64

    detail = {
        "allowed": False,
        "context": {"principal": {"arn": principal_arn}, "action": action, "resource": resource},
    }
    return base64.urlsafe_b64encode(json.dumps(detail, separators=(",", ":")).encode()).decode().rstrip("=")


# --- trust policies ------------------------------------------------------------------------------


def _trust_document(role: Mapping[str, Any]) -> dict[str, Any]:
    from urllib.parse import unquote

    try:
        document = json.loads(unquote(role["AssumeRolePolicyDocument"]))
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def check_assume_role(ctx: RequestContext, role: Mapping[str, Any], extra: Mapping[str, ContextValue]) -> None:
    """`sts:AssumeRole` by the calling principal: the role's trust policy must allow it (and, when
    it trusts only the account, the caller's identity policies too); AccessDenied otherwise."""
    principal = ctx.principal
    request = Request(caller_of(principal), "sts:AssumeRole", role["Arn"], request_context(ctx, principal, extra))
    decision, policy_type = evaluate_assume_role_detailed(
        _trust_document(role), identity_policies(ctx, principal), request, boundary_policy(ctx, principal)
    )
    if decision != "Allow":
        raise AwsError(
            "AccessDenied",
            denial_message(principal.arn, "sts:AssumeRole", role["Arn"], decision, policy_type, "sts"),
            403,
        )


def service_may_assume(
    ctx: RequestContext, role: Mapping[str, Any], service: str, extra: Mapping[str, ContextValue] | None = None
) -> bool:
    """Whether a service principal (ec2.amazonaws.com, ecs-tasks.amazonaws.com) may take the role;
    `extra`: the context keys that service sends (ECS: aws:SourceAccount, aws:SourceArn)."""
    caller = service_caller(service, ctx.account_id)
    request = Request(caller, "sts:AssumeRole", role["Arn"], {"aws:RequestedRegion": ctx.region, **(extra or {})})
    return evaluate_assume_role_detailed(_trust_document(role), [], request)[0] == "Allow"


# --- identity-based authorization (--enforce-iam) ------------------------------------------------


def decide(
    ctx: RequestContext,
    principal: Principal,
    action: str,
    resource: str,
    extra: Mapping[str, ContextValue] | None = None,
) -> tuple[str, str]:
    """The decision and the kind of policy that made it (`identity-based` or `permissions boundary`)."""
    if principal.kind == "root":
        return "Allow", "identity-based"
    request = Request(caller_of(principal), action, resource, request_context(ctx, principal, extra))
    return evaluate_detailed(identity_policies(ctx, principal), request, boundary_policy(ctx, principal))


def authorize(
    ctx: RequestContext,
    service: str,
    action: str,
    resource: str = "*",
    extra: Mapping[str, ContextValue] | None = None,
    principal: Principal | None = None,
) -> None:
    """Raise the service's denial unless the principal's identity policies allow the action (and
    its permissions boundary, when it has one, allows it too)."""
    acting = principal or ctx.principal
    if service == "iam":
        # IAM is global: its calls are always made in us-east-1, whatever region signed them.
        extra = {"aws:RequestedRegion": "us-east-1", **(extra or {})}
    decision, policy_type = decide(ctx, acting, action, resource, extra)
    if decision != "Allow":
        raise denial(service, acting.arn, action, resource, decision, policy_type)


def pass_role(ctx: RequestContext, service: str, role_arn: str, passed_to: str) -> None:
    """`iam:PassRole` on a role handed to a service (`iam:PassedToService` = that service)."""
    authorize(ctx, service, "iam:PassRole", role_arn, {"iam:PassedToService": passed_to})
