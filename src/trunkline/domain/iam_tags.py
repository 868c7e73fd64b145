"""Tags on IAM roles, users, customer managed policies and instance profiles (TagRole, UntagRole,
ListRoleTags and the same for users, policies and instance profiles). Keys are unique without
regard to case; tagging an existing key replaces its value; at most 50 tags."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import iam, iam_kinds, iam_policies
from trunkline.domain.iam_records import (
    AwsManagedPolicy,
    InstanceProfileRecord,
    ManagedPolicyRecord,
    RoleRecord,
    UserRecord,
)
from trunkline.domain.iam_requests import Marked
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import iam as shapes

Record = dict[str, Any]


Tagged = RoleRecord | UserRecord | ManagedPolicyRecord | InstanceProfileRecord

# The kind as IAM's operation and quota names spell it (ListInstanceProfileTags, TagsPerRole).
_NAMES = {"role": "Role", "user": "User", "policy": "Policy", "instance-profile": "InstanceProfile"}


def _own_policy(ctx: RequestContext, arn: str) -> ManagedPolicyRecord:
    policy = iam_policies.get_policy(ctx, arn)
    if "AwsManaged" in policy:  # always true where present
        raise AwsError("InvalidInput", "AWS managed policies cannot be tagged.")
    return policy


def _change(ctx: RequestContext, kind: str, name: str, change: Callable[[Tagged], None]) -> None:
    """Load the role, user or policy, `change` its tags (which may refuse), save it."""
    if kind == "role":
        role = iam.get_role(ctx, name)
        change(role)
        iam_kinds.ROLE.save(ctx, role)
    elif kind == "user":
        user = iam.get_user(ctx, name)
        change(user)
        iam_kinds.USER.save(ctx, user)
    elif kind == "instance-profile":
        profile = iam.instance_profile(ctx, name)
        change(profile)
        iam_kinds.INSTANCE_PROFILE.save(ctx, profile)
    else:
        policy = _own_policy(ctx, name)
        change(policy)
        iam_policies.save(ctx, policy)


def tag(ctx: RequestContext, kind: str, name: str, tags: list[shapes.Tag]) -> None:
    def merge(record: Tagged) -> None:
        iam.checked_tags({"Tags": tags})
        merged = {t["Key"].lower(): t for t in record.get("Tags", [])}
        for new in tags:
            merged[new["Key"].lower()] = {"Key": new["Key"], "Value": new.get("Value", "")}
        if len(merged) > iam_policies.MAX_TAGS:
            raise AwsError("LimitExceeded", f"Cannot exceed quota for TagsPer{_NAMES[kind]}: {iam_policies.MAX_TAGS}")
        record["Tags"] = list(merged.values())

    _change(ctx, kind, name, merge)


def untag(ctx: RequestContext, kind: str, name: str, keys: list[str]) -> None:
    def drop(record: Tagged) -> None:
        gone = {k.lower() for k in keys}
        remaining = [t for t in record.get("Tags", []) if t["Key"].lower() not in gone]
        if remaining:
            record["Tags"] = remaining
        else:
            record.pop("Tags", None)

    _change(ctx, kind, name, drop)


def tags_of(ctx: RequestContext, kind: str, name: str, params: Marked) -> tuple[list[Record], str | None]:
    record: Tagged | AwsManagedPolicy
    if kind == "role":
        record = iam.get_role(ctx, name)
    elif kind == "user":
        record = iam.get_user(ctx, name)
    elif kind == "instance-profile":
        record = iam.instance_profile(ctx, name)
    else:
        record = iam_policies.get_policy(ctx, name)  # an AWS managed one too: it has no tags
    tags = [] if "AwsManaged" in record else record.get("Tags", [])
    return iam_policies.page(ctx, f"iam:List{_NAMES[kind]}Tags", [(f"{i:05d}", t) for i, t in enumerate(tags)], params)
