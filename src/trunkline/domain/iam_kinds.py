"""Every stored kind of IAM record, declared once (see `domain/resource_kind.py`).

IAM is a global service: records are scoped by account only, and names are unique per account
without regard to case (the natural key is the lowercased name)."""

from __future__ import annotations

from typing import Any

from trunkline.domain.resource_kind import NotFound, ResourceKind
from trunkline.store.scope import Scope

Record = dict[str, Any]


def _name_key(name: str) -> str:
    return name.lower()


ROLE: ResourceKind[Record] = ResourceKind(
    name="iam.role",
    scope=Scope.ACCOUNT,
    id_field="RoleName",
    natural_key=_name_key,
    not_found=NotFound("NoSuchEntity", "The role with name {} cannot be found."),
    indexes=lambda role: {"arn": role["Arn"]},
    global_indexes=frozenset({"arn"}),  # AssumeRole finds another account's role by its ARN
)
