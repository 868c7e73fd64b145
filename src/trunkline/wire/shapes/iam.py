"""Request shapes of the IAM operations trunkline implements.

Generated from botocore's service model by `python -m trunkline.wire.generate_shapes`: do not
edit; regenerate."""

from __future__ import annotations

from typing import Required, TypedDict


class AddRoleToInstanceProfileRequest(TypedDict, total=False):
    InstanceProfileName: Required[str]
    RoleName: Required[str]


class AttachRolePolicyRequest(TypedDict, total=False):
    RoleName: Required[str]
    PolicyArn: Required[str]


class AttachUserPolicyRequest(TypedDict, total=False):
    UserName: Required[str]
    PolicyArn: Required[str]


class CreateAccessKeyRequest(TypedDict, total=False):
    UserName: str


class CreateInstanceProfileRequest(TypedDict, total=False):
    InstanceProfileName: Required[str]
    Path: str
    Tags: list[Tag]


class CreatePolicyRequest(TypedDict, total=False):
    PolicyName: Required[str]
    Path: str
    PolicyDocument: Required[str]
    Description: str
    Tags: list[Tag]


class CreatePolicyVersionRequest(TypedDict, total=False):
    PolicyArn: Required[str]
    PolicyDocument: Required[str]
    SetAsDefault: bool


class CreateRoleRequest(TypedDict, total=False):
    Path: str
    RoleName: Required[str]
    AssumeRolePolicyDocument: Required[str]
    Description: str
    MaxSessionDuration: int
    MaxSigninSessionDuration: int
    PermissionsBoundary: str
    Tags: list[Tag]


class CreateServiceLinkedRoleRequest(TypedDict, total=False):
    AWSServiceName: Required[str]
    Description: str
    CustomSuffix: str


class CreateUserRequest(TypedDict, total=False):
    Path: str
    UserName: Required[str]
    PermissionsBoundary: str
    Tags: list[Tag]


class DeleteAccessKeyRequest(TypedDict, total=False):
    UserName: str
    AccessKeyId: Required[str]


class DeleteInstanceProfileRequest(TypedDict, total=False):
    InstanceProfileName: Required[str]


class DeletePolicyRequest(TypedDict, total=False):
    PolicyArn: Required[str]


class DeletePolicyVersionRequest(TypedDict, total=False):
    PolicyArn: Required[str]
    VersionId: Required[str]


class DeleteRoleRequest(TypedDict, total=False):
    RoleName: Required[str]


class DeleteRolePermissionsBoundaryRequest(TypedDict, total=False):
    RoleName: Required[str]


class DeleteRolePolicyRequest(TypedDict, total=False):
    RoleName: Required[str]
    PolicyName: Required[str]


class DeleteServiceLinkedRoleRequest(TypedDict, total=False):
    RoleName: Required[str]


class DeleteUserRequest(TypedDict, total=False):
    UserName: Required[str]


class DeleteUserPermissionsBoundaryRequest(TypedDict, total=False):
    UserName: Required[str]


class DeleteUserPolicyRequest(TypedDict, total=False):
    UserName: Required[str]
    PolicyName: Required[str]


class DetachRolePolicyRequest(TypedDict, total=False):
    RoleName: Required[str]
    PolicyArn: Required[str]


class DetachUserPolicyRequest(TypedDict, total=False):
    UserName: Required[str]
    PolicyArn: Required[str]


class GetInstanceProfileRequest(TypedDict, total=False):
    InstanceProfileName: Required[str]


class GetPolicyRequest(TypedDict, total=False):
    PolicyArn: Required[str]


class GetPolicyVersionRequest(TypedDict, total=False):
    PolicyArn: Required[str]
    VersionId: Required[str]


class GetRoleRequest(TypedDict, total=False):
    RoleName: Required[str]


class GetRolePolicyRequest(TypedDict, total=False):
    RoleName: Required[str]
    PolicyName: Required[str]


class GetServiceLinkedRoleDeletionStatusRequest(TypedDict, total=False):
    DeletionTaskId: Required[str]


class GetUserRequest(TypedDict, total=False):
    UserName: str


class GetUserPolicyRequest(TypedDict, total=False):
    UserName: Required[str]
    PolicyName: Required[str]


class ListAccessKeysRequest(TypedDict, total=False):
    UserName: str
    Marker: str
    MaxItems: int


class ListAttachedRolePoliciesRequest(TypedDict, total=False):
    RoleName: Required[str]
    PathPrefix: str
    Marker: str
    MaxItems: int


class ListAttachedUserPoliciesRequest(TypedDict, total=False):
    UserName: Required[str]
    PathPrefix: str
    Marker: str
    MaxItems: int


class ListEntitiesForPolicyRequest(TypedDict, total=False):
    PolicyArn: Required[str]
    EntityFilter: str
    PathPrefix: str
    PolicyUsageFilter: str
    Marker: str
    MaxItems: int


class ListGroupsForUserRequest(TypedDict, total=False):
    UserName: Required[str]
    Marker: str
    MaxItems: int


class ListInstanceProfileTagsRequest(TypedDict, total=False):
    InstanceProfileName: Required[str]
    Marker: str
    MaxItems: int


class ListInstanceProfilesRequest(TypedDict, total=False):
    PathPrefix: str
    Marker: str
    MaxItems: int


class ListInstanceProfilesForRoleRequest(TypedDict, total=False):
    RoleName: Required[str]
    Marker: str
    MaxItems: int


class ListPoliciesRequest(TypedDict, total=False):
    Scope: str
    OnlyAttached: bool
    PathPrefix: str
    PolicyUsageFilter: str
    Marker: str
    MaxItems: int


class ListPolicyTagsRequest(TypedDict, total=False):
    PolicyArn: Required[str]
    Marker: str
    MaxItems: int


class ListPolicyVersionsRequest(TypedDict, total=False):
    PolicyArn: Required[str]
    Marker: str
    MaxItems: int


class ListRolePoliciesRequest(TypedDict, total=False):
    RoleName: Required[str]
    Marker: str
    MaxItems: int


class ListRoleTagsRequest(TypedDict, total=False):
    RoleName: Required[str]
    Marker: str
    MaxItems: int


class ListRolesRequest(TypedDict, total=False):
    PathPrefix: str
    Marker: str
    MaxItems: int


class ListUserPoliciesRequest(TypedDict, total=False):
    UserName: Required[str]
    Marker: str
    MaxItems: int


class ListUserTagsRequest(TypedDict, total=False):
    UserName: Required[str]
    Marker: str
    MaxItems: int


class ListUsersRequest(TypedDict, total=False):
    PathPrefix: str
    Marker: str
    MaxItems: int


class PutRolePermissionsBoundaryRequest(TypedDict, total=False):
    RoleName: Required[str]
    PermissionsBoundary: Required[str]


class PutRolePolicyRequest(TypedDict, total=False):
    RoleName: Required[str]
    PolicyName: Required[str]
    PolicyDocument: Required[str]


class PutUserPermissionsBoundaryRequest(TypedDict, total=False):
    UserName: Required[str]
    PermissionsBoundary: Required[str]


class PutUserPolicyRequest(TypedDict, total=False):
    UserName: Required[str]
    PolicyName: Required[str]
    PolicyDocument: Required[str]


class RemoveRoleFromInstanceProfileRequest(TypedDict, total=False):
    InstanceProfileName: Required[str]
    RoleName: Required[str]


class SetDefaultPolicyVersionRequest(TypedDict, total=False):
    PolicyArn: Required[str]
    VersionId: Required[str]


class SimulateCustomPolicyRequest(TypedDict, total=False):
    PolicyInputList: Required[list[str]]
    PermissionsBoundaryPolicyInputList: list[str]
    OrderedOrganizationPolicyInputList: list[OrderedOrganizationPolicyType]
    ActionNames: Required[list[str]]
    ResourceArns: list[str]
    ResourcePolicy: str
    ResourceOwner: str
    CallerArn: str
    ContextEntries: list[ContextEntry]
    ResourceHandlingOption: str
    MaxItems: int
    Marker: str


class SimulatePrincipalPolicyRequest(TypedDict, total=False):
    PolicySourceArn: Required[str]
    PolicyInputList: list[str]
    PermissionsBoundaryPolicyInputList: list[str]
    PolicyExclusionList: list[PolicyIdentifier]
    ActionNames: Required[list[str]]
    ResourceArns: list[str]
    ResourcePolicy: str
    ResourceOwner: str
    CallerArn: str
    ContextEntries: list[ContextEntry]
    ResourceHandlingOption: str
    MaxItems: int
    Marker: str


class TagInstanceProfileRequest(TypedDict, total=False):
    InstanceProfileName: Required[str]
    Tags: Required[list[Tag]]


class TagPolicyRequest(TypedDict, total=False):
    PolicyArn: Required[str]
    Tags: Required[list[Tag]]


class TagRoleRequest(TypedDict, total=False):
    RoleName: Required[str]
    Tags: Required[list[Tag]]


class TagUserRequest(TypedDict, total=False):
    UserName: Required[str]
    Tags: Required[list[Tag]]


class UntagInstanceProfileRequest(TypedDict, total=False):
    InstanceProfileName: Required[str]
    TagKeys: Required[list[str]]


class UntagPolicyRequest(TypedDict, total=False):
    PolicyArn: Required[str]
    TagKeys: Required[list[str]]


class UntagRoleRequest(TypedDict, total=False):
    RoleName: Required[str]
    TagKeys: Required[list[str]]


class UntagUserRequest(TypedDict, total=False):
    UserName: Required[str]
    TagKeys: Required[list[str]]


class UpdateAccessKeyRequest(TypedDict, total=False):
    UserName: str
    AccessKeyId: Required[str]
    Status: Required[str]


class UpdateAssumeRolePolicyRequest(TypedDict, total=False):
    RoleName: Required[str]
    PolicyDocument: Required[str]


class Tag(TypedDict, total=False):
    Key: Required[str]
    Value: Required[str]


class OrderedOrganizationPolicyType(TypedDict, total=False):
    ServiceControlPolicyInputList: list[str]


class ContextEntry(TypedDict, total=False):
    ContextKeyName: str
    ContextKeyValues: list[str]
    ContextKeyType: str


class PolicyIdentifier(TypedDict, total=False):
    PolicyType: str
    PolicyArn: str
    InlinePolicyIdentifier: InlinePolicyIdentifierType


class InlinePolicyIdentifierType(TypedDict, total=False):
    PolicyName: Required[str]
    AttachmentType: Required[str]
    AttachmentName: Required[str]
