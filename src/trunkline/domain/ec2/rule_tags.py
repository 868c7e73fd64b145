"""Security group rules (`sgr-` ids) as taggable resources: EC2 tags them as resource type
`security-group-rule` (CreateTags, DeleteTags, DescribeTags), though trunkline keeps each rule
inside its group's record (`security_groups._Rules`), not as a record of its own.

`RULES` answers `tags.py` as a declared kind does (get, save, scan, NotFound), finding a rule
through the caller's groups and saving the group that holds it.
"""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ec2.kinds import SECURITY_GROUP
from trunkline.domain.resource_kind import IdFormat, NotFound
from trunkline.errors import AwsError

Record = dict[str, Any]


class RuleTags:
    """The tag-facing side of security group rules (see `tags.Taggable`)."""

    id_field = "SecurityGroupRuleId"
    tag_type = "security-group-rule"
    id_format = IdFormat("sgr", "InvalidSecurityGroupRuleId.Malformed")
    not_found = NotFound("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '{}' does not exist")

    def get(self, ctx: RequestContext, resource_id: str) -> Record | None:
        return next((r for r in self.scan(ctx) if r["SecurityGroupRuleId"] == resource_id), None)

    def missing(self, *ids: str) -> AwsError:
        return self.not_found.error(ids[0])

    def save(self, ctx: RequestContext, record: Record) -> None:
        """Store the rule's tags in the group that holds it (its IpPermissions, which carry no
        tags, stay as they are)."""
        group = SECURITY_GROUP.get(ctx, record["GroupId"])
        if group is None:
            return
        for rule in group["_Rules"]:
            if rule["SecurityGroupRuleId"] == record["SecurityGroupRuleId"]:
                rule["Tags"] = list(record.get("Tags") or [])
        SECURITY_GROUP.save(ctx, group)

    def scan(self, ctx: RequestContext) -> list[Record]:
        """Every rule of the caller's groups in the region, by id."""
        groups = SECURITY_GROUP.find(ctx, "owner", ctx.account_id)
        return sorted((r for g in groups for r in g["_Rules"]), key=lambda r: str(r["SecurityGroupRuleId"]))


RULES = RuleTags()
