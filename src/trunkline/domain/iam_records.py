"""The stored IAM (and STS credential) records, typed: each a `TypedDict` (why TypedDict: see
`domain/ec2/records.py`), tied to its kind in `iam_kinds.py`.

Roles, users, instance profiles and managed policies are stored in IAM's output member names,
with timestamps as epoch seconds; the few fields IAM does not answer (`ServiceLinked`,
`NextVersion`, `RoleNames`) carry no `_` and are left out by each view (`iam.role_view`,
`iam_policies.policy_view`, `iam.profile_view`). A member set only when given is `NotRequired`.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class Tag(TypedDict):
    Key: str
    Value: str


class PermissionsBoundary(TypedDict):
    """A role's or user's permissions boundary, in IAM's `AttachedPermissionsBoundary` shape."""

    PermissionsBoundaryType: str  # always "Policy"
    PermissionsBoundaryArn: str


class RoleRecord(TypedDict):
    Path: str
    RoleName: str
    RoleId: str  # AROA…
    Arn: str
    CreateDate: float
    AssumeRolePolicyDocument: str  # URL-encoded, as IAM's query API answers it
    MaxSessionDuration: int
    RoleLastUsed: dict[str, Any]  # always empty: trunkline does not track last use
    Description: NotRequired[str]
    Tags: NotRequired[list[Tag]]  # absent rather than empty
    PermissionsBoundary: NotRequired[PermissionsBoundary]
    ServiceLinked: NotRequired[str]  # the service principal of a service-linked role (not answered)


class RoleUsage(TypedDict):
    """Where a service-linked role is in use: one region and the ARNs of what uses it there."""

    Region: str
    Resources: list[str]


class DeletionTaskFailure(TypedDict):
    Reason: str
    RoleUsageList: list[RoleUsage]


class DeletionTaskRecord(TypedDict):
    """A DeleteServiceLinkedRole task, kept so GetServiceLinkedRoleDeletionStatus can answer it;
    trunkline runs the task within the call, so it is stored finished (`iam_service_linked.py`)."""

    DeletionTaskId: str  # task/aws-service-role/<service>/<role>/<uuid>
    Status: str  # SUCCEEDED or FAILED
    Reason: NotRequired[DeletionTaskFailure]  # FAILED only


class UserRecord(TypedDict):
    Path: str
    UserName: str  # "" only for the root user GetUser makes up (never stored)
    UserId: str  # AIDA…
    Arn: str
    CreateDate: float
    Tags: NotRequired[list[Tag]]
    PermissionsBoundary: NotRequired[PermissionsBoundary]


class InstanceProfileRecord(TypedDict):
    Path: str
    InstanceProfileName: str
    InstanceProfileId: str  # AIPA…
    Arn: str
    CreateDate: float
    RoleNames: list[str]  # at most one; the view answers the roles' records (`Roles`)
    Tags: NotRequired[list[Tag]]


class PolicyVersion(TypedDict):
    VersionId: str  # v1, v2, ...
    Document: str  # as sent (answered URL-encoded)
    IsDefaultVersion: bool
    CreateDate: float


class _Policy(TypedDict):
    PolicyName: str
    PolicyId: str  # ANPA…
    Arn: str
    Path: str
    DefaultVersionId: str
    IsAttachable: bool
    CreateDate: float
    UpdateDate: float
    Versions: list[PolicyVersion]  # every version (at most five), oldest first


class ManagedPolicyRecord(_Policy):
    """A customer managed policy, with all its versions."""

    NextVersion: int  # the number of the next version created (not answered)
    Description: NotRequired[str]
    Tags: NotRequired[list[Tag]]


class AwsManagedPolicy(_Policy):
    """An AWS managed policy, made from package data when read: never stored."""

    AwsManaged: bool  # always true (not answered)


#: A managed policy the account can see: its own (stored) or an AWS managed one.
Policy = ManagedPolicyRecord | AwsManagedPolicy


class InlinePolicyRecord(TypedDict):
    EntityKind: str  # role or user
    EntityName: str  # as the role or user spells it
    PolicyName: str
    PolicyDocument: str  # as sent


class PolicyAttachmentRecord(TypedDict):
    PolicyArn: str
    PolicyName: str
    PolicyPath: str
    EntityKind: str  # role or user
    EntityName: str
    EntityId: str  # the role's RoleId or the user's UserId
    EntityPath: str


class CredentialRecord(TypedDict):
    """An access key trunkline issued: a user's (IAM CreateAccessKey) or a role session's (STS
    AssumeRole). Its secret is stored sealed, its session token only as a digest."""

    account_id: str
    arn: str  # the user's ARN, or the session's assumed-role ARN
    user_id: str
    kind: str  # user or assumed-role
    access_key_id: str
    status: str  # Active, Inactive, or Deleted (a tombstone)
    user_name: NotRequired[str | None]  # a user's key: the user's store key; None once deleted
    display_user: NotRequired[str]  # a user's key: the user's name
    created: NotRequired[float]  # a user's key
    role_arn: NotRequired[str]  # a session's key
    expires_at: NotRequired[float]  # a session's key
    secret_sealed: NotRequired[str]  # added when issued (`identity.issue_credential`)
    token_sha256: NotRequired[str]  # a session's key: its token's SHA-256, hex
    secret: NotRequired[str]  # the plain secret, in state files written before secrets were sealed
