"""IAM operations (query protocol). Thin: parameters in, domain call, output shape out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import iam, iam_boundaries, iam_service_linked
from trunkline.services.iam_policies import PolicyOperations
from trunkline.services.provider import Provider

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import iam as shapes

Params = dict[str, Any]


class IamProvider(PolicyOperations, Provider):
    service = "iam"

    # roles

    def create_role(self, ctx: RequestContext, params: shapes.CreateRoleRequest) -> Params:
        return {"Role": iam.role_view(iam.create_role(ctx, params))}

    def get_role(self, ctx: RequestContext, params: shapes.GetRoleRequest) -> Params:
        return {"Role": iam.role_view(iam.get_role(ctx, params["RoleName"]))}

    def list_roles(self, ctx: RequestContext, params: shapes.ListRolesRequest) -> Params:
        roles, marker = iam.page(ctx, iam.ROLES, "iam:ListRoles", params)
        return {"Roles": [iam.listed_role(r) for r in roles], "IsTruncated": marker is not None, "Marker": marker}

    def delete_role(self, ctx: RequestContext, params: shapes.DeleteRoleRequest) -> Params:
        iam.delete_role(ctx, params["RoleName"])
        return {}

    def update_assume_role_policy(self, ctx: RequestContext, params: shapes.UpdateAssumeRolePolicyRequest) -> Params:
        iam.update_assume_role_policy(ctx, params["RoleName"], params["PolicyDocument"])
        return {}

    def put_role_permissions_boundary(
        self, ctx: RequestContext, params: shapes.PutRolePermissionsBoundaryRequest
    ) -> Params:
        iam_boundaries.put(ctx, "role", params["RoleName"], params["PermissionsBoundary"])
        return {}

    def delete_role_permissions_boundary(
        self, ctx: RequestContext, params: shapes.DeleteRolePermissionsBoundaryRequest
    ) -> Params:
        iam_boundaries.delete(ctx, "role", params["RoleName"])
        return {}

    def create_service_linked_role(self, ctx: RequestContext, params: shapes.CreateServiceLinkedRoleRequest) -> Params:
        role = iam.create_service_linked_role(
            ctx, params["AWSServiceName"], params.get("Description"), params.get("CustomSuffix")
        )
        return {"Role": iam.role_view(role)}

    def delete_service_linked_role(self, ctx: RequestContext, params: shapes.DeleteServiceLinkedRoleRequest) -> Params:
        return {"DeletionTaskId": iam_service_linked.delete_service_linked_role(ctx, params["RoleName"])}

    def get_service_linked_role_deletion_status(
        self, ctx: RequestContext, params: shapes.GetServiceLinkedRoleDeletionStatusRequest
    ) -> Params:
        return iam_service_linked.deletion_status(ctx, params["DeletionTaskId"])

    # users and access keys

    def create_user(self, ctx: RequestContext, params: shapes.CreateUserRequest) -> Params:
        return {"User": iam.create_user(ctx, params)}

    def get_user(self, ctx: RequestContext, params: shapes.GetUserRequest) -> Params:
        return {"User": iam.user_view(iam.get_user(ctx, params.get("UserName")))}

    def list_users(self, ctx: RequestContext, params: shapes.ListUsersRequest) -> Params:
        users, marker = iam.page(ctx, iam.USERS, "iam:ListUsers", params)
        return {
            "Users": [iam.listed_user(u) for u in users],
            "IsTruncated": marker is not None,
            "Marker": marker,
        }

    def put_user_permissions_boundary(
        self, ctx: RequestContext, params: shapes.PutUserPermissionsBoundaryRequest
    ) -> Params:
        iam_boundaries.put(ctx, "user", params["UserName"], params["PermissionsBoundary"])
        return {}

    def delete_user_permissions_boundary(
        self, ctx: RequestContext, params: shapes.DeleteUserPermissionsBoundaryRequest
    ) -> Params:
        iam_boundaries.delete(ctx, "user", params["UserName"])
        return {}

    def list_groups_for_user(self, ctx: RequestContext, params: shapes.ListGroupsForUserRequest) -> Params:
        # trunkline keeps no IAM groups (CreateGroup is not served), so no user is in one; Terraform
        # lists them before it deletes an aws_iam_user.
        iam.get_user(ctx, params["UserName"])
        return {"Groups": [], "IsTruncated": False}

    def delete_user(self, ctx: RequestContext, params: shapes.DeleteUserRequest) -> Params:
        iam.delete_user(ctx, params["UserName"])
        return {}

    def create_access_key(self, ctx: RequestContext, params: shapes.CreateAccessKeyRequest) -> Params:
        return {"AccessKey": iam.create_access_key(ctx, params.get("UserName"))}

    def list_access_keys(self, ctx: RequestContext, params: shapes.ListAccessKeysRequest) -> Params:
        keys = iam.list_access_keys(ctx, params.get("UserName"))
        return {"AccessKeyMetadata": keys, "IsTruncated": False}

    def update_access_key(self, ctx: RequestContext, params: shapes.UpdateAccessKeyRequest) -> Params:
        iam.update_access_key(ctx, params.get("UserName"), params["AccessKeyId"], params["Status"])
        return {}

    def delete_access_key(self, ctx: RequestContext, params: shapes.DeleteAccessKeyRequest) -> Params:
        iam.delete_access_key(ctx, params.get("UserName"), params["AccessKeyId"])
        return {}

    # instance profiles

    def create_instance_profile(self, ctx: RequestContext, params: shapes.CreateInstanceProfileRequest) -> Params:
        return {"InstanceProfile": iam.profile_view(ctx, iam.create_instance_profile(ctx, params))}

    def get_instance_profile(self, ctx: RequestContext, params: shapes.GetInstanceProfileRequest) -> Params:
        return {"InstanceProfile": iam.profile_view(ctx, iam.instance_profile(ctx, params["InstanceProfileName"]))}

    def list_instance_profiles(self, ctx: RequestContext, params: shapes.ListInstanceProfilesRequest) -> Params:
        profiles, marker = iam.page(ctx, iam.PROFILES, "iam:ListInstanceProfiles", params)
        return {
            "InstanceProfiles": [iam.profile_view(ctx, p) for p in profiles],
            "IsTruncated": marker is not None,
            "Marker": marker,
        }

    def list_instance_profiles_for_role(
        self, ctx: RequestContext, params: shapes.ListInstanceProfilesForRoleRequest
    ) -> Params:
        profiles = iam.instance_profiles_for_role(ctx, params["RoleName"])
        return {"InstanceProfiles": [iam.profile_view(ctx, p) for p in profiles], "IsTruncated": False}

    def add_role_to_instance_profile(
        self, ctx: RequestContext, params: shapes.AddRoleToInstanceProfileRequest
    ) -> Params:
        iam.add_role_to_instance_profile(ctx, params["InstanceProfileName"], params["RoleName"])
        return {}

    def remove_role_from_instance_profile(
        self, ctx: RequestContext, params: shapes.RemoveRoleFromInstanceProfileRequest
    ) -> Params:
        iam.remove_role_from_instance_profile(ctx, params["InstanceProfileName"], params["RoleName"])
        return {}

    def delete_instance_profile(self, ctx: RequestContext, params: shapes.DeleteInstanceProfileRequest) -> Params:
        iam.delete_instance_profile(ctx, params["InstanceProfileName"])
        return {}
