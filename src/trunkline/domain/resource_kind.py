"""A resource kind, declared once: how its records are stored, found, refused and shown.

Every stored kind of record has one `ResourceKind` (EC2's in `domain/ec2/kinds.py`, ECS's in
`domain/ecs/kinds.py`, IAM's in `domain/iam_kinds.py`). It names:

- `name`: the store kind (`"ec2.vpc"`), written and read only through the declaration;
- `scope`: account/region scoping (`store/scope.py`), applied to keys and index values by the store
  layer, never by hand;
- `id_field`, and `id_format` (EC2's `prefix-hex` ids and their `*.Malformed` code);
- `natural_key`: a record's own key (default: its id; IAM keys names case-insensitively);
- `indexes`: the secondary index values of a record (unscoped; the scope is added on save, except
  for `global_indexes`, whose values are unique everywhere);
- `not_found`: the error code and AWS's text for a missing one;
- `visible`: who may see a record besides its scope (EC2 records are per region: owner rules);
- `tag_type`: the resource type TagSpecifications/DescribeTags call it (None: not taggable by EC2
  CreateTags);
- `view`: the public view (default: the record without `_private` fields).

`get`, `require`, `save`, `delete`, `scan`, `find` (and, for bookkeeping and cursor-paged listings,
`load`, `at_key`, `batch`, `walk`, `delete_record`, `delete_at_key`, `find_keys`, `find_derived`, `count`, `counts`) are the only doors to the store for a
declared kind; Describe/Get/NotFound/tagging/filtering all go through them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from trunkline.context import RequestContext
from trunkline.errors import AwsError
from trunkline.store.api import Transaction
from trunkline.store.scope import Scope

R = TypeVar("R", bound=Mapping[str, Any])
T = TypeVar("T")
Record = dict[str, Any]

_EC2_ID = re.compile(r"^[a-z]+(?:-[a-z]+)*-(?:[0-9a-f]{8}|[0-9a-f]{17})$")


def public(record: Mapping[str, Any]) -> Record:
    """The record without trunkline's private bookkeeping fields (those starting with `_`)."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


@dataclass(frozen=True)
class NotFound:
    """How AWS words a missing resource: `message` for one id, `plural` (if AWS words several
    differently) for more; `{}` is the id or the comma-separated ids."""

    code: str
    message: str
    plural: str | None = None

    def error(self, *ids: str) -> AwsError:
        text = self.plural if self.plural is not None and len(ids) > 1 else self.message
        return AwsError(self.code, text.format(", ".join(ids)))


@dataclass(frozen=True)
class IdFormat:
    """EC2-style ids: `prefix-` and 8 or 17 hex digits; `malformed` is the code for anything else."""

    prefix: str
    malformed: str

    def well_formed(self, resource_id: str) -> bool:
        return resource_id.startswith(self.prefix + "-") and _EC2_ID.match(resource_id) is not None

    def check(self, resource_id: str) -> None:
        """EC2 checks an id's form before looking it up."""
        if not self.well_formed(resource_id):
            raise AwsError(self.malformed, f'Invalid id: "{resource_id}" (expecting "{self.prefix}-...")')


def _no_indexes(record: Any) -> Mapping[str, str | None]:
    return {}


def _everyone(ctx: RequestContext, record: Any) -> bool:
    return True


def _account_and_region(scope: Scope, key_parts: list[str]) -> tuple[str, str]:
    """The account and region a stored key's scope prefix names ("" where the scope has none)."""
    if scope is Scope.ACCOUNT_REGION:
        return key_parts[0], key_parts[1]
    if scope is Scope.REGION:
        return "", key_parts[0]
    if scope is Scope.ACCOUNT:
        return key_parts[0], ""
    return "", ""


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class ResourceKind(Generic[R]):
    name: str
    scope: Scope
    id_field: str
    not_found: NotFound | None = None
    id_format: IdFormat | None = None
    natural_key: Callable[[str], str] = _same
    #: A record's own key when it is more than its id (an ECS task: its cluster and id).
    record_key: Callable[[R], str] | None = None
    indexes: Callable[[R], Mapping[str, str | None]] = _no_indexes
    #: Index fields whose values are unique everywhere (ARNs, MACs): stored bare, found across scopes.
    global_indexes: frozenset[str] = frozenset()
    #: When given, only these index fields are scoped and every other is global (ECS: most values
    #: are ARNs, which carry their account and region; placement fields are named per cluster ARN).
    scoped_indexes: frozenset[str] | None = None
    visible: Callable[[RequestContext, R], bool] = _everyone
    tag_type: str | None = None
    view: Callable[[R], Record] = public
    #: For resources that exist outside the store (catalog AMIs): does `id` name one? The store then
    #: holds only the caller's own overlay of it (its tags), created on first save.
    exists: Callable[[RequestContext, str], bool] | None = field(default=None)
    #: Raised by one whenever `indexes` changes what it computes for records already stored: a
    #: state written before the change is re-indexed on start (`domain/index_versions.py`).
    index_version: int = 1

    # --- keys ------------------------------------------------------------------------------------

    def key(self, ctx: RequestContext, resource_id: str) -> str:
        return self.scope.key(ctx.account_id, ctx.region, self.natural_key(resource_id))

    def is_global(self, index: str) -> bool:
        if self.scoped_indexes is not None:
            return index not in self.scoped_indexes
        return index in self.global_indexes

    def global_fields(self, fields: Iterable[str]) -> frozenset[str]:
        """The fields among `fields` that `is_global`, as one set operation: every save asks it of
        each of its record's index fields (a container instance has about thirty)."""
        if self.scoped_indexes is not None:
            return frozenset(fields).difference(self.scoped_indexes)
        return self.global_indexes.intersection(fields)

    def index_value(self, ctx: RequestContext, index: str, value: str) -> str:
        """An index value as stored (scoped unless the index is global)."""
        if self.is_global(index):
            return value
        return self.scope.prefix(ctx.account_id, ctx.region) + value

    # --- reading ---------------------------------------------------------------------------------

    def get(self, ctx: RequestContext, resource_id: str) -> R | None:
        """The record `resource_id` names, if it exists and the caller may see it."""
        record: Any = ctx.tx.get(self.name, self.key(ctx, resource_id))
        if record is None and self.exists is not None and self.exists(ctx, resource_id):
            record = {self.id_field: resource_id, "Tags": []}
        if record is None or not self.visible(ctx, record):
            return None
        result: R = record
        return result

    def load(self, ctx: RequestContext, resource_id: str) -> R | None:
        """The stored record whoever may see it: for bookkeeping that must reach every record of
        the scope (giving back an address), never for answering a caller."""
        record: Any = ctx.tx.get(self.name, self.key(ctx, resource_id))
        return cast(R | None, record)

    def check_id(self, resource_id: str) -> None:
        if self.id_format is not None:
            self.id_format.check(resource_id)

    def missing(self, *ids: str) -> AwsError:
        if self.not_found is None:
            raise AssertionError(f"{self.name} declares no NotFound error")
        return self.not_found.error(*ids)

    def require(self, ctx: RequestContext, resource_id: str) -> R:
        """The record, or the kind's Malformed/NotFound error as AWS words it."""
        self.check_id(resource_id)
        record = self.get(ctx, resource_id)
        if record is None:
            raise self.missing(resource_id)
        return record

    def require_all(self, ctx: RequestContext, ids: Iterable[str]) -> list[R]:
        """Every named record once, in the order named: every id's form is checked first, then one
        NotFound names all the missing ones."""
        wanted = list(ids)
        for resource_id in wanted:
            self.check_id(resource_id)
        found = {resource_id: self.get(ctx, resource_id) for resource_id in dict.fromkeys(wanted)}
        missing = [resource_id for resource_id, record in found.items() if record is None]
        if missing:
            raise self.missing(*missing)
        return [record for record in found.values() if record is not None]

    def scan(self, ctx: RequestContext) -> list[R]:
        """Every record of the caller's scope it may see, in key order."""
        prefix = self.scope.prefix(ctx.account_id, ctx.region)
        rows: list[Any] = [record for _, record in ctx.tx.scan(self.name, prefix=prefix)]
        return [record for record in rows if self.visible(ctx, record)]

    def scan_account(self, ctx: RequestContext) -> list[R]:
        """Every record of the caller's account in every region, in key order: what an
        account-wide question (is a service-linked role still used anywhere?) must read."""
        if self.scope is not Scope.ACCOUNT_REGION:
            raise AssertionError(f"{self.name} is not scoped by account and region")
        rows: list[Any] = [record for _, record in ctx.tx.scan(self.name, prefix=f"{ctx.account_id}/")]
        return rows

    def find(
        self, ctx: RequestContext, index: str, value: str, after: str | None = None, limit: int | None = None
    ) -> list[R]:
        """Records whose index `index` holds `value` (unscoped: the scope is added here), in key
        order; `after` is a store key (`record_store_key` of the last record of a batch)."""
        found: list[Any] = ctx.tx.find(self.name, index, self.index_value(ctx, index, value), after, limit)
        return found

    def find_keys(
        self, ctx: RequestContext, index: str, value: str, after: str | None = None, limit: int | None = None
    ) -> list[str]:
        """The store keys `find` would return the records of, without reading them."""
        return ctx.tx.find_keys(self.name, index, self.index_value(ctx, index, value), after, limit)

    def find_derived(
        self,
        ctx: RequestContext,
        index: str,
        value: str,
        derive: Callable[[R], T],
        after: str | None = None,
        limit: int | None = None,
    ) -> list[T]:
        """What `derive` makes of each record `find` would return; the store may keep the derived
        values, so `derive` must depend on the record alone."""
        stored = self.index_value(ctx, index, value)
        return ctx.tx.find_derived(self.name, index, stored, cast(Callable[[Record], T], derive), after, limit)

    def at_key(self, ctx: RequestContext, store_key: str) -> R | None:
        """The record stored under a full store key (what a scheduled job's payload or a listing's
        cursor names), whoever may see it: for bookkeeping, never for answering a caller."""
        record: Any = ctx.tx.get(self.name, store_key)
        return cast(R | None, record)

    def batch(
        self, ctx: RequestContext, prefix: str = "", after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, R]]:
        """One batch of a cursor-paged listing: the stored records of the caller's scope whose own
        key starts with `prefix`, strictly after the store key `after`, in key order, with their
        store keys (the next batch's `after`). Unfiltered by `visible`, so a short batch means the
        end."""
        rows: list[Any] = ctx.tx.scan(self.name, prefix=self.key(ctx, prefix), after=after, limit=limit)
        return rows

    def count(self, ctx: RequestContext, index: str, value: str) -> int:
        return ctx.tx.count(self.name, index, self.index_value(ctx, index, value))

    def counts(self, ctx: RequestContext, index: str, values: list[str]) -> dict[str, int]:
        """How many records' index `index` holds each of `values` (absent: none), in one store query."""
        scoped = {self.index_value(ctx, index, value): value for value in values}
        return {scoped[found]: n for found, n in ctx.tx.counts(self.name, index, list(scoped)).items()}

    def walk(
        self, ctx: RequestContext, prefix: str = "", after: str | None = None, batch: int = 500
    ) -> Iterator[tuple[str, R]]:
        """Every stored record of the caller's scope whose own key starts with `prefix`, in key
        order, with its store key, read `batch` at a time (a listing stops reading when its page
        is full)."""
        while True:
            rows = self.batch(ctx, prefix, after, batch)
            yield from rows
            if len(rows) < batch:
                return
            after = rows[-1][0]

    def taken(self, ctx: RequestContext, index: str, values: list[str]) -> set[str]:
        """The values among `values` some record's index `index` holds (one store query)."""
        scoped = {self.index_value(ctx, index, value): value for value in values}
        return {scoped[found] for found in ctx.tx.taken(self.name, index, list(scoped))}

    # --- writing ---------------------------------------------------------------------------------

    def save(self, ctx: RequestContext, record: R) -> None:
        """Create or replace the record with its indexes."""
        values = self.indexes(record)
        unscoped = self.global_fields(values)
        indexes = self.scope.index(ctx.account_id, ctx.region, values, unscoped)
        ctx.tx.put(self.name, self.record_store_key(ctx, record), cast(Record, record), indexes)

    def reindex_stored(self, tx: Transaction) -> int:
        """Recompute every stored record's index entries (all scopes); returns how many."""
        count = 0
        for key, record in tx.scan(self.name):
            parts = key.split("/", self.scope.depth)
            account, region = _account_and_region(self.scope, parts)
            values = self.indexes(cast(R, record))
            unscoped = self.global_fields(values)
            tx.put(self.name, key, record, self.scope.index(account, region, values, unscoped))
            count += 1
        return count

    def record_store_key(self, ctx: RequestContext, record: Mapping[str, Any]) -> str:
        """The store key of `record`: only its key fields are read (a partial record naming them will do)."""
        if self.record_key is not None:
            return self.scope.key(ctx.account_id, ctx.region, self.record_key(cast(R, record)))
        return self.key(ctx, str(record[self.id_field]))

    def save_as(self, ctx: RequestContext, resource_id: str, record: R) -> None:
        """Create or replace a record whose own key (`resource_id`) is not one of its fields (a
        subnet's address ledger entry is keyed by its offset); no indexes."""
        ctx.tx.put(self.name, self.key(ctx, resource_id), cast(Record, record))

    def delete(self, ctx: RequestContext, resource_id: str) -> bool:
        return ctx.tx.delete(self.name, self.key(ctx, resource_id))

    def delete_record(self, ctx: RequestContext, record: Mapping[str, Any]) -> bool:
        """Delete the record stored under `record`'s own key (`record_key`: only its key fields
        are read, so a partial record naming them will do)."""
        return ctx.tx.delete(self.name, self.record_store_key(ctx, record))

    def delete_at_key(self, ctx: RequestContext, store_key: str) -> bool:
        """Delete what is stored under a full store key (one `walk`/`batch` gave)."""
        return ctx.tx.delete(self.name, store_key)
