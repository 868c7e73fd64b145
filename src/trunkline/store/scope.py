"""Where a stored record lives: its kind's scope by account and region.

Every resource kind declares one `Scope`; the store layer turns (scope, account, region, the
resource's own key) into the document key, and prefixes each index value the same way. No key
function anywhere else spells an account or a region into a key, so two accounts or two regions
can never see each other's records by accident.

Keys, by scope (`natural` is the resource's own key: an id, a name, ...):

- `REGION`          `REGION/natural`          EC2: ids are unique in a region; who sees a record
                                               is the kind's `visible` rule (owner, sharing)
- `ACCOUNT_REGION`  `ACCOUNT/REGION/natural`  ECS: names are per account and region
- `ACCOUNT`         `ACCOUNT/natural`         IAM: a global service, names per account
- `GLOBAL`          `natural`                 access key ids: unique everywhere
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum


class Scope(Enum):
    REGION = "region"
    ACCOUNT_REGION = "account-region"
    ACCOUNT = "account"
    GLOBAL = "global"

    def prefix(self, account: str, region: str) -> str:
        """What every key (and index value) of this scope starts with for `account` in `region`."""
        if self is Scope.REGION:
            return f"{region}/"
        if self is Scope.ACCOUNT_REGION:
            return f"{account}/{region}/"
        if self is Scope.ACCOUNT:
            return f"{account}/"
        return ""

    def key(self, account: str, region: str, natural: str) -> str:
        return self.prefix(account, region) + natural

    def natural(self, key: str) -> str:
        """The resource's own key, from a document key of this scope."""
        return key.split("/", self.depth)[-1] if self.depth else key

    @property
    def depth(self) -> int:
        """How many `/`-separated parts the prefix has."""
        return {Scope.REGION: 1, Scope.ACCOUNT_REGION: 2, Scope.ACCOUNT: 1, Scope.GLOBAL: 0}[self]

    def index(
        self, account: str, region: str, values: Mapping[str, str | None], unscoped: frozenset[str] = frozenset()
    ) -> dict[str, str | None]:
        """Index values scoped like keys, so a lookup by value never crosses accounts or regions;
        fields in `unscoped` hold values unique everywhere (ARNs, MACs) and are stored bare, so a
        lookup by them may cross scopes (AssumeRole of another account's role)."""
        prefix = self.prefix(account, region)
        return {
            field: value if value is None or field in unscoped else prefix + value for field, value in values.items()
        }
