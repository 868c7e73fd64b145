"""Tags on IAM roles, users and customer managed policies (TagRole, UntagRole, ListRoleTags and the
same for users and policies). Keys are unique without regard to case; tagging an existing key
replaces its value; at most 50 tags."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import iam, iam_kinds, iam_policies
from trunkline.domain.iam_requests import Marked
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import iam as shapes

Record = dict[str, Any]


def _load(ctx: RequestContext, kind: str, name: str) -> Record:
    if kind == "role":
        return iam.get_role(ctx, name)
    if kind == "user":
        return iam.get_user(ctx, name)
    policy = iam_policies.get_policy(ctx, name)
    if policy.get("AwsManaged"):
        raise AwsError("InvalidInput", "AWS managed policies cannot be tagged.")
    return policy


def _save(ctx: RequestContext, kind: str, record: Record) -> None:
    if kind == "role":
        iam_kinds.ROLE.save(ctx, record)
    elif kind == "user":
        iam_kinds.USER.save(ctx, record)
    else:
        iam_policies.save(ctx, record)


def tag(ctx: RequestContext, kind: str, name: str, tags: list[shapes.Tag]) -> None:
    record = _load(ctx, kind, name)
    iam.checked_tags({"Tags": tags})
    merged = {t["Key"].lower(): t for t in record.get("Tags", [])}
    for new in tags:
        merged[new["Key"].lower()] = {"Key": new["Key"], "Value": new.get("Value", "")}
    if len(merged) > iam_policies.MAX_TAGS:
        raise AwsError("LimitExceeded", f"Cannot exceed quota for TagsPer{kind.capitalize()}: {iam_policies.MAX_TAGS}")
    record["Tags"] = list(merged.values())
    _save(ctx, kind, record)


def untag(ctx: RequestContext, kind: str, name: str, keys: list[str]) -> None:
    record = _load(ctx, kind, name)
    gone = {k.lower() for k in keys}
    remaining = [t for t in record.get("Tags", []) if t["Key"].lower() not in gone]
    if remaining:
        record["Tags"] = remaining
    else:
        record.pop("Tags", None)
    _save(ctx, kind, record)


def tags_of(ctx: RequestContext, kind: str, name: str, params: Marked) -> tuple[list[Record], str | None]:
    record = _load(ctx, kind, name) if kind != "policy" else iam_policies.get_policy(ctx, name)
    tags = record.get("Tags", [])
    return iam_policies.page(
        ctx, f"iam:List{kind.capitalize()}Tags", [(f"{i:05d}", t) for i, t in enumerate(tags)], params
    )
