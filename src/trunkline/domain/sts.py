"""STS: who the caller is, and role sessions with their own credentials (AssumeRole). The trust
policy decides who may assume a role; the session's lifetime is bounded by the role and by
role chaining."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import authorization, iam, identity
from trunkline.domain.iam_records import RoleRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import sts as shapes

Answer = dict[str, Any]

_CHAINED_LIMIT = 3600  # seconds


def caller_identity(ctx: RequestContext) -> Answer:
    p = ctx.principal
    return {"UserId": p.user_id, "Account": p.account_id, "Arn": p.arn}


def assume_role(ctx: RequestContext, request: shapes.AssumeRoleRequest) -> Answer:
    """AssumeRole's answer: the session's credentials and identity."""
    role_arn = request["RoleArn"]
    role = iam.role_by_arn(ctx, role_arn)
    if role is None:
        raise AwsError(
            "AccessDenied",
            f"User: {ctx.principal.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            403,
        )
    # The trust policy decides in every mode (with the caller's identity policies when it
    # trusts only the account); the caller is root unless it signs with keys trunkline issued.
    extra = {"sts:RoleSessionName": request["RoleSessionName"]}
    if request.get("ExternalId") is not None:
        extra["sts:ExternalId"] = request["ExternalId"]
    if request.get("SourceIdentity") is not None:
        extra["sts:SourceIdentity"] = request["SourceIdentity"]
    authorization.check_assume_role(ctx, role, extra)
    duration = request.get("DurationSeconds", 3600)
    _check_duration(ctx, role, duration)
    return _session(ctx, role, request["RoleSessionName"], duration)


def _check_duration(ctx: RequestContext, role: RoleRecord, duration: int) -> None:
    if ctx.principal.kind == "assumed-role" and duration > _CHAINED_LIMIT:
        # Role chaining: a session assuming a role gets at most an hour, whatever the role allows.
        raise AwsError(
            "ValidationError",
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        )
    if duration > role["MaxSessionDuration"]:
        raise AwsError(
            "ValidationError",
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        )


def _session(ctx: RequestContext, role: RoleRecord, session: str, duration: int) -> Answer:
    """A new session of `role`: its credentials are issued (stored) and answered."""
    path_and_name = role["Arn"].split(":role/", 1)[1]
    account = role["Arn"].split(":")[4]  # the role's account, also when the caller is in another
    session_arn = f"arn:aws:sts::{account}:assumed-role/{path_and_name.rsplit('/', 1)[-1]}/{session}"
    user_id = f"{role['RoleId']}:{session}"
    key_id = identity.new_access_key_id("ASIA")
    secret = identity.new_secret()
    token = "FwoGZXIvYXdzE" + identity.new_secret() + identity.new_secret()
    expires = ctx.now + duration
    identity.issue_credential(
        ctx,
        key_id,
        {
            "account_id": account,
            "arn": session_arn,
            "user_id": user_id,
            "kind": "assumed-role",
            "role_arn": role["Arn"],
            "access_key_id": key_id,
            "expires_at": expires,
            "status": "Active",
        },
        secret,
        token,
    )
    return {
        "Credentials": {
            "AccessKeyId": key_id,
            "SecretAccessKey": secret,
            "SessionToken": token,
            "Expiration": expires,
        },
        "AssumedRoleUser": {"AssumedRoleId": user_id, "Arn": session_arn},
        "PackedPolicySize": 0,
    }
