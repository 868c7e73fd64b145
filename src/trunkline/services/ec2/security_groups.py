"""EC2 Create/Describe/DeleteSecurityGroup, Authorize/RevokeSecurityGroupIngress/Egress. Thin: the
domain's security_groups and security_group_rules modules decide."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import security_group_rules
from trunkline.domain.ec2 import security_groups as domain

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes


class SecurityGroupOps:
    def create_security_group(self, ctx: RequestContext, params: shapes.CreateSecurityGroupRequest) -> dict[str, Any]:
        group = domain.create_security_group(ctx, params)
        return {
            "GroupId": group["GroupId"],
            "Tags": group["Tags"] or None,
            "SecurityGroupArn": group["SecurityGroupArn"],
        }

    def describe_security_groups(
        self, ctx: RequestContext, params: shapes.DescribeSecurityGroupsRequest
    ) -> dict[str, Any]:
        found, token = domain.describe_security_groups(ctx, params)
        return {"SecurityGroups": found, "NextToken": token}

    def describe_security_group_rules(
        self, ctx: RequestContext, params: shapes.DescribeSecurityGroupRulesRequest
    ) -> dict[str, Any]:
        found, token = domain.describe_security_group_rules(ctx, params)
        return {"SecurityGroupRules": found, "NextToken": token}

    def delete_security_group(self, ctx: RequestContext, params: shapes.DeleteSecurityGroupRequest) -> dict[str, Any]:
        group = domain.delete_security_group(ctx, params)
        return {"Return": True, "GroupId": group["GroupId"]}

    def authorize_security_group_ingress(
        self, ctx: RequestContext, params: shapes.AuthorizeSecurityGroupIngressRequest
    ) -> dict[str, Any]:
        return security_group_rules.authorize(ctx, params, egress=False)

    def authorize_security_group_egress(
        self, ctx: RequestContext, params: shapes.AuthorizeSecurityGroupEgressRequest
    ) -> dict[str, Any]:
        return security_group_rules.authorize(ctx, params, egress=True)

    def revoke_security_group_ingress(
        self, ctx: RequestContext, params: shapes.RevokeSecurityGroupIngressRequest
    ) -> dict[str, Any]:
        return security_group_rules.revoke(ctx, params, egress=False)

    def revoke_security_group_egress(
        self, ctx: RequestContext, params: shapes.RevokeSecurityGroupEgressRequest
    ) -> dict[str, Any]:
        return security_group_rules.revoke(ctx, params, egress=True)
