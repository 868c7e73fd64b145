"""Every stored kind of IAM record, declared once (see `domain/resource_kind.py`).

IAM is a global service: records are scoped by account only, and names are unique per account
without regard to case (the natural key is the lowercased name)."""

from __future__ import annotations

from trunkline.domain.iam_records import (
    CredentialRecord,
    DeletionTaskRecord,
    InlinePolicyRecord,
    InstanceProfileRecord,
    ManagedPolicyRecord,
    PolicyAttachmentRecord,
    RoleRecord,
    UserRecord,
)
from trunkline.domain.resource_kind import NotFound, ResourceKind
from trunkline.store.scope import Scope


def _name_key(name: str) -> str:
    return name.lower()


def _boundary(entity: RoleRecord | UserRecord) -> str | None:
    """The ARN of a role's or user's permissions boundary: indexed, so a policy's
    PermissionsBoundaryUsageCount is one count. (No index version raise: records stored before
    boundaries existed have none, which is what re-indexing them would compute.)"""
    boundary = entity.get("PermissionsBoundary")
    return boundary["PermissionsBoundaryArn"] if boundary else None


ROLE: ResourceKind[RoleRecord] = ResourceKind(
    name="iam.role",
    scope=Scope.ACCOUNT,
    id_field="RoleName",
    natural_key=_name_key,
    not_found=NotFound("NoSuchEntity", "The role with name {} cannot be found."),
    indexes=lambda role: {"arn": role["Arn"], "boundary": _boundary(role)},
    global_indexes=frozenset({"arn"}),  # AssumeRole finds another account's role by its ARN
)


def _owned_key(record: InlinePolicyRecord | PolicyAttachmentRecord, leaf: str) -> str:
    """`role/<name>/<leaf>` or `user/<name>/<leaf>`: a record that belongs to a role or a user,
    so one prefix scan finds everything an entity holds."""
    return f"{record['EntityKind']}/{record['EntityName'].lower()}/{leaf}"


#: Customer managed policies, with all their versions (AWS managed ones are package data).
MANAGED_POLICY: ResourceKind[ManagedPolicyRecord] = ResourceKind(
    name="iam.policy",
    scope=Scope.ACCOUNT,
    id_field="PolicyName",
    natural_key=_name_key,
    indexes=lambda policy: {"arn": policy["Arn"]},
)

#: Inline policies of roles and users (natural key: `role|user/<entity>/<PolicyName>`).
INLINE_POLICY: ResourceKind[InlinePolicyRecord] = ResourceKind(
    name="iam.inline-policy",
    scope=Scope.ACCOUNT,
    id_field="PolicyName",
    record_key=lambda record: _owned_key(record, record["PolicyName"]),
)

#: A managed policy attached to a role or user (natural key: `role|user/<entity>/<PolicyArn>`).
POLICY_ATTACHMENT: ResourceKind[PolicyAttachmentRecord] = ResourceKind(
    name="iam.attachment",
    scope=Scope.ACCOUNT,
    id_field="PolicyArn",
    record_key=lambda record: _owned_key(record, record["PolicyArn"]),
    indexes=lambda record: {"policy": record["PolicyArn"]},
)

USER: ResourceKind[UserRecord] = ResourceKind(
    name="iam.user",
    scope=Scope.ACCOUNT,
    id_field="UserName",
    natural_key=_name_key,
    not_found=NotFound("NoSuchEntity", "The user with name {} cannot be found."),
    indexes=lambda user: {"boundary": _boundary(user)},
)


def _profile_indexes(profile: InstanceProfileRecord) -> dict[str, str | None]:
    roles = profile["RoleNames"]
    return {"role": roles[0].lower() if roles else None, "arn": profile["Arn"]}


#: An instance profile keeps its role by name (`RoleNames`, at most one); indexed by that role.
INSTANCE_PROFILE: ResourceKind[InstanceProfileRecord] = ResourceKind(
    name="iam.instance-profile",
    scope=Scope.ACCOUNT,
    id_field="InstanceProfileName",
    natural_key=_name_key,
    not_found=NotFound("NoSuchEntity", "Instance Profile {} cannot be found."),
    indexes=_profile_indexes,
    global_indexes=frozenset({"arn"}),
)

#: Access keys, issued by IAM (users) and STS (role sessions): unique everywhere, so unscoped. The
#: `user` index holds the user's store key (`USER.key`); a deleted key stays as a tombstone.
CREDENTIAL: ResourceKind[CredentialRecord] = ResourceKind(
    name="credential",
    scope=Scope.GLOBAL,
    id_field="access_key_id",
    indexes=lambda record: {"user": record.get("user_name")},
)

#: Service-linked role deletion tasks, by their whole id (`task/aws-service-role/...`).
DELETION_TASK: ResourceKind[DeletionTaskRecord] = ResourceKind(
    name="iam.slr-deletion-task",
    scope=Scope.ACCOUNT,
    id_field="DeletionTaskId",
)
