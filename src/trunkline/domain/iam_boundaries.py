"""Permissions boundaries of roles and users: a managed policy (AWS managed or the account's own)
that caps what the entity's identity-based policies can grant, without granting anything itself.

The boundary is kept in the role's or user's record, in IAM's `AttachedPermissionsBoundary` shape
(`{"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": …}`), and indexed by its ARN so a
policy's PermissionsBoundaryUsageCount, ListEntitiesForPolicy and DeletePolicy's in-use refusal are
each one index look-up. GetRole/GetUser answer it; ListRoles/ListUsers leave it out (IAM API
Reference, ListRoles and ListUsers notes).
"""

from __future__ import annotations

import json
import re
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import iam_kinds, iam_policies
from trunkline.domain.iam_records import PermissionsBoundary, RoleRecord, UserRecord
from trunkline.errors import AwsError

Entity = RoleRecord | UserRecord

#: A managed policy's ARN: AWS's own (`aws`) or an account's, then `policy/<path><name>`.
_POLICY_ARN = re.compile(r"arn:aws:iam::(aws|\d{12}):policy/[\x21-\x7e]+")


def checked(ctx: RequestContext, arn: str) -> PermissionsBoundary:
    """The boundary a request names, refused as IAM refuses it: not a policy ARN at all →
    InvalidInput; a policy the account cannot see → NoSuchEntity with IAM's "Scope ARN" text
    (observed, hashicorp/boundary#4255); a service-role policy → PolicyNotAttachable."""
    if not _POLICY_ARN.fullmatch(arn):
        raise AwsError("InvalidInput", f"ARN {arn} is not valid.")
    policy = iam_policies.find_policy(ctx, arn)
    if policy is None or not policy["IsAttachable"]:
        raise AwsError("NoSuchEntity", f"Scope ARN: {arn} does not exist or is not attachable.")
    if policy["Path"].startswith("/aws-service-role/"):
        raise AwsError("PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.")
    return {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}


def _kind(kind: str) -> Any:
    return iam_kinds.ROLE if kind == "role" else iam_kinds.USER


def put(ctx: RequestContext, kind: str, name: str, arn: str) -> None:
    """PutRolePermissionsBoundary / PutUserPermissionsBoundary: set or replace the boundary; a
    service-linked role's permissions are AWS's alone (UnmodifiableEntity)."""
    entity: Entity = _kind(kind).require(ctx, name)
    iam_policies.changeable(kind, entity)
    entity["PermissionsBoundary"] = checked(ctx, arn)
    _kind(kind).save(ctx, entity)


def delete(ctx: RequestContext, kind: str, name: str) -> None:
    """DeleteRolePermissionsBoundary / DeleteUserPermissionsBoundary. IAM documents no error for an
    entity without a boundary, so removing none succeeds and changes nothing."""
    entity: Entity = _kind(kind).require(ctx, name)
    iam_policies.changeable(kind, entity)
    if entity.pop("PermissionsBoundary", None) is not None:
        _kind(kind).save(ctx, entity)


def bounded_entities(ctx: RequestContext, arn: str) -> list[tuple[str, str, str, str]]:
    """(kind, name, unique id, path) of every role and user whose boundary the policy is."""
    roles = [("role", r["RoleName"], r["RoleId"], r["Path"]) for r in iam_kinds.ROLE.find(ctx, "boundary", arn)]
    users = [("user", u["UserName"], u["UserId"], u["Path"]) for u in iam_kinds.USER.find(ctx, "boundary", arn)]
    return roles + users


def boundary_document(ctx: RequestContext, kind: str, name: str) -> dict[str, Any] | None:
    """The default version of the entity's boundary policy, parsed; None when it has no boundary.
    A boundary naming a policy that no longer resolves (or will not parse) allows nothing: an
    empty document, so the boundary step denies rather than silently lifting the cap."""
    named = named_boundary_document(ctx, kind, name)
    return None if named is None else named[2]


#: The SourcePolicyType IAM's simulator gives a permissions boundary (docs/decisions.md).
BOUNDARY_SOURCE = "Permissions Boundary Policy"


def named_boundary_document(ctx: RequestContext, kind: str, name: str) -> tuple[str, str, dict[str, Any]] | None:
    """The same document with the id and type IAM's policy simulator names a boundary by (the
    policy's name; `Permissions Boundary Policy`), or None when the entity has no boundary."""
    arn = current_arn(ctx, kind, name)
    if arn is None:
        return None
    policy_id, source_type = arn.rsplit("/", 1)[-1], BOUNDARY_SOURCE
    policy = iam_policies.find_policy(ctx, arn)
    if policy is None:
        return policy_id, source_type, {}
    try:
        document = json.loads(iam_policies.default_document(policy))
    except ValueError:
        return policy_id, source_type, {}
    return policy_id, source_type, document if isinstance(document, dict) else {}


def current_arn(ctx: RequestContext, kind: str, name: str) -> str | None:
    """The ARN of the entity's boundary (the `iam:PermissionsBoundary` condition key of calls that
    change an existing role's or user's permissions), or None."""
    entity: Entity | None = _kind(kind).get(ctx, name)
    boundary = entity.get("PermissionsBoundary") if entity is not None else None
    return boundary["PermissionsBoundaryArn"] if boundary else None
