"""IAM operations on permissions policies and tags (query protocol), mixed into the IAM provider.
Thin: parameters in, domain call, output shape out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import iam_listings, iam_policies, iam_tags
from trunkline.domain.iam_listings import entity_name
from trunkline.domain.iam_requests import Marked

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import iam as shapes

Params = dict[str, Any]


class PolicyOperations:
    # --- inline policies -------------------------------------------------------------------------

    def _put_inline(
        self, ctx: RequestContext, kind: str, params: shapes.PutRolePolicyRequest | shapes.PutUserPolicyRequest
    ) -> Params:
        iam_policies.put_inline(ctx, kind, entity_name(kind, params), params["PolicyName"], params["PolicyDocument"])
        return {}

    def _get_inline(
        self, ctx: RequestContext, kind: str, params: shapes.GetRolePolicyRequest | shapes.GetUserPolicyRequest
    ) -> Params:
        return iam_listings.inline_policy(ctx, kind, params)

    def _list_inline(
        self, ctx: RequestContext, kind: str, params: shapes.ListRolePoliciesRequest | shapes.ListUserPoliciesRequest
    ) -> Params:
        return iam_listings.inline_policy_names(ctx, kind, params)

    def _delete_inline(
        self, ctx: RequestContext, kind: str, params: shapes.DeleteRolePolicyRequest | shapes.DeleteUserPolicyRequest
    ) -> Params:
        iam_policies.delete_inline(ctx, kind, entity_name(kind, params), params["PolicyName"])
        return {}

    def put_role_policy(self, ctx: RequestContext, params: shapes.PutRolePolicyRequest) -> Params:
        return self._put_inline(ctx, "role", params)

    def get_role_policy(self, ctx: RequestContext, params: shapes.GetRolePolicyRequest) -> Params:
        return self._get_inline(ctx, "role", params)

    def list_role_policies(self, ctx: RequestContext, params: shapes.ListRolePoliciesRequest) -> Params:
        return self._list_inline(ctx, "role", params)

    def delete_role_policy(self, ctx: RequestContext, params: shapes.DeleteRolePolicyRequest) -> Params:
        return self._delete_inline(ctx, "role", params)

    def put_user_policy(self, ctx: RequestContext, params: shapes.PutUserPolicyRequest) -> Params:
        return self._put_inline(ctx, "user", params)

    def get_user_policy(self, ctx: RequestContext, params: shapes.GetUserPolicyRequest) -> Params:
        return self._get_inline(ctx, "user", params)

    def list_user_policies(self, ctx: RequestContext, params: shapes.ListUserPoliciesRequest) -> Params:
        return self._list_inline(ctx, "user", params)

    def delete_user_policy(self, ctx: RequestContext, params: shapes.DeleteUserPolicyRequest) -> Params:
        return self._delete_inline(ctx, "user", params)

    # --- managed policies and versions -----------------------------------------------------------

    def create_policy(self, ctx: RequestContext, params: shapes.CreatePolicyRequest) -> Params:
        return {"Policy": iam_policies.policy_view(ctx, iam_policies.create_policy(ctx, params))}

    def get_policy(self, ctx: RequestContext, params: shapes.GetPolicyRequest) -> Params:
        return {"Policy": iam_policies.policy_view(ctx, iam_policies.get_policy(ctx, params["PolicyArn"]))}

    def delete_policy(self, ctx: RequestContext, params: shapes.DeletePolicyRequest) -> Params:
        iam_policies.delete_policy(ctx, params["PolicyArn"])
        return {}

    def list_policies(self, ctx: RequestContext, params: shapes.ListPoliciesRequest) -> Params:
        return iam_listings.marked(*iam_policies.list_policies(ctx, params), "Policies")

    def create_policy_version(self, ctx: RequestContext, params: shapes.CreatePolicyVersionRequest) -> Params:
        version = iam_policies.create_version(
            ctx, params["PolicyArn"], params["PolicyDocument"], bool(params.get("SetAsDefault", False))
        )
        return {"PolicyVersion": version}

    def get_policy_version(self, ctx: RequestContext, params: shapes.GetPolicyVersionRequest) -> Params:
        return {"PolicyVersion": iam_policies.get_version(ctx, params["PolicyArn"], params["VersionId"])}

    def list_policy_versions(self, ctx: RequestContext, params: shapes.ListPolicyVersionsRequest) -> Params:
        return iam_listings.policy_versions(ctx, params)

    def delete_policy_version(self, ctx: RequestContext, params: shapes.DeletePolicyVersionRequest) -> Params:
        iam_policies.delete_version(ctx, params["PolicyArn"], params["VersionId"])
        return {}

    def set_default_policy_version(self, ctx: RequestContext, params: shapes.SetDefaultPolicyVersionRequest) -> Params:
        iam_policies.set_default_version(ctx, params["PolicyArn"], params["VersionId"])
        return {}

    # --- attachments -----------------------------------------------------------------------------

    def _attached(
        self,
        ctx: RequestContext,
        kind: str,
        params: shapes.ListAttachedRolePoliciesRequest | shapes.ListAttachedUserPoliciesRequest,
    ) -> Params:
        return iam_listings.attached_policies(ctx, kind, params)

    def attach_role_policy(self, ctx: RequestContext, params: shapes.AttachRolePolicyRequest) -> Params:
        iam_policies.attach(ctx, "role", params["RoleName"], params["PolicyArn"])
        return {}

    def detach_role_policy(self, ctx: RequestContext, params: shapes.DetachRolePolicyRequest) -> Params:
        iam_policies.detach(ctx, "role", params["RoleName"], params["PolicyArn"])
        return {}

    def list_attached_role_policies(
        self, ctx: RequestContext, params: shapes.ListAttachedRolePoliciesRequest
    ) -> Params:
        return self._attached(ctx, "role", params)

    def attach_user_policy(self, ctx: RequestContext, params: shapes.AttachUserPolicyRequest) -> Params:
        iam_policies.attach(ctx, "user", params["UserName"], params["PolicyArn"])
        return {}

    def detach_user_policy(self, ctx: RequestContext, params: shapes.DetachUserPolicyRequest) -> Params:
        iam_policies.detach(ctx, "user", params["UserName"], params["PolicyArn"])
        return {}

    def list_attached_user_policies(
        self, ctx: RequestContext, params: shapes.ListAttachedUserPoliciesRequest
    ) -> Params:
        return self._attached(ctx, "user", params)

    def list_entities_for_policy(self, ctx: RequestContext, params: shapes.ListEntitiesForPolicyRequest) -> Params:
        return iam_listings.entities_for_policy(ctx, params)

    # --- tags ------------------------------------------------------------------------------------

    def _list_tags(self, ctx: RequestContext, kind: str, name: str, params: Marked) -> Params:
        return iam_listings.marked(*iam_tags.tags_of(ctx, kind, name, params), "Tags")

    def tag_role(self, ctx: RequestContext, params: shapes.TagRoleRequest) -> Params:
        iam_tags.tag(ctx, "role", params["RoleName"], params["Tags"])
        return {}

    def untag_role(self, ctx: RequestContext, params: shapes.UntagRoleRequest) -> Params:
        iam_tags.untag(ctx, "role", params["RoleName"], params["TagKeys"])
        return {}

    def list_role_tags(self, ctx: RequestContext, params: shapes.ListRoleTagsRequest) -> Params:
        return self._list_tags(ctx, "role", params["RoleName"], params)

    def tag_user(self, ctx: RequestContext, params: shapes.TagUserRequest) -> Params:
        iam_tags.tag(ctx, "user", params["UserName"], params["Tags"])
        return {}

    def untag_user(self, ctx: RequestContext, params: shapes.UntagUserRequest) -> Params:
        iam_tags.untag(ctx, "user", params["UserName"], params["TagKeys"])
        return {}

    def list_user_tags(self, ctx: RequestContext, params: shapes.ListUserTagsRequest) -> Params:
        return self._list_tags(ctx, "user", params["UserName"], params)

    def tag_policy(self, ctx: RequestContext, params: shapes.TagPolicyRequest) -> Params:
        iam_tags.tag(ctx, "policy", params["PolicyArn"], params["Tags"])
        return {}

    def untag_policy(self, ctx: RequestContext, params: shapes.UntagPolicyRequest) -> Params:
        iam_tags.untag(ctx, "policy", params["PolicyArn"], params["TagKeys"])
        return {}

    def list_policy_tags(self, ctx: RequestContext, params: shapes.ListPolicyTagsRequest) -> Params:
        return self._list_tags(ctx, "policy", params["PolicyArn"], params)

    def tag_instance_profile(self, ctx: RequestContext, params: shapes.TagInstanceProfileRequest) -> Params:
        iam_tags.tag(ctx, "instance-profile", params["InstanceProfileName"], params["Tags"])
        return {}

    def untag_instance_profile(self, ctx: RequestContext, params: shapes.UntagInstanceProfileRequest) -> Params:
        iam_tags.untag(ctx, "instance-profile", params["InstanceProfileName"], params["TagKeys"])
        return {}

    def list_instance_profile_tags(self, ctx: RequestContext, params: shapes.ListInstanceProfileTagsRequest) -> Params:
        return self._list_tags(ctx, "instance-profile", params["InstanceProfileName"], params)

    # --- the policy simulator -------------------------------------------------------------------

    def simulate_principal_policy(self, ctx: RequestContext, params: shapes.SimulatePrincipalPolicyRequest) -> Params:
        return iam_listings.simulation(ctx, params)

    def simulate_custom_policy(self, ctx: RequestContext, params: shapes.SimulateCustomPolicyRequest) -> Params:
        return iam_listings.custom_simulation(ctx, params)
