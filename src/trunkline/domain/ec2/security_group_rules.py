"""Authorize/RevokeSecurityGroupIngress/Egress as requests: the target group (by id, or by name in
the default VPC), the rules asked for in either form, and what EC2 answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import security_groups
from trunkline.domain.ec2 import tags as ec2_tags

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Answer = dict[str, Any]

# A revoked rule as RevokeSecurityGroup* lists it leaves these out.
_NOT_IN_REVOKED = ("ReferencedGroupInfo", "Tags", "SecurityGroupRuleArn", "GroupOwnerId")


def authorize(
    ctx: RequestContext,
    request: shapes.AuthorizeSecurityGroupIngressRequest | shapes.AuthorizeSecurityGroupEgressRequest,
    egress: bool,
) -> Answer:
    group = security_groups.resolve_target(ctx, request)
    # TagSpecifications tag the new rules (the only resource type these calls create).
    tags = ec2_tags.requested(request, "security-group-rule")
    rules = security_groups.authorize(ctx, group, egress, security_groups.legacy_permissions(request), tags)
    return {"Return": True, "SecurityGroupRules": rules}


def revoke(
    ctx: RequestContext,
    request: shapes.RevokeSecurityGroupIngressRequest | shapes.RevokeSecurityGroupEgressRequest,
    egress: bool,
) -> Answer:
    group = security_groups.resolve_target(ctx, request)
    permissions = security_groups.legacy_permissions(request)
    revoked, unknown = security_groups.revoke(
        ctx, group, egress, permissions, request.get("SecurityGroupRuleIds") or []
    )
    return {"Return": True, "UnknownIpPermissions": unknown or None, "RevokedSecurityGroupRules": _revoked(revoked)}


def _revoked(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """RevokedSecurityGroupRule names the peer group by `ReferencedGroupId` alone."""
    out = []
    for rule in rules:
        item = {k: v for k, v in rule.items() if k not in _NOT_IN_REVOKED}
        if "ReferencedGroupInfo" in rule:
            item["ReferencedGroupId"] = rule["ReferencedGroupInfo"]["GroupId"]
        out.append(item)
    return out
