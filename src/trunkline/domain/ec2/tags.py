"""Tags on EC2 resources: `TagSpecifications` at creation, CreateTags and DeleteTags after.

Each record keeps its tags as a `Tags` list of `{"Key", "Value"}`; this module finds the record
for an id by its prefix (`vpc-`, `subnet-`, ...) through `kinds.TAGGABLE` (and `sgr-` rules through
`rule_tags.py`, as they live inside their group) and edits that list.
Everything else (store kind, resource type, NotFound text, how to save) is the kind's declaration
in `kinds.py`, so a newly declared taggable kind is taggable with no change here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from trunkline.context import RequestContext
from trunkline.domain.ec2 import filters as ec2_filters
from trunkline.domain.ec2 import kinds, rule_tags
from trunkline.domain.ec2.paging import page
from trunkline.domain.ec2.records import Tag
from trunkline.domain.ec2.request_parts import TagSpecified
from trunkline.domain.resource_kind import IdFormat
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]


class Taggable(Protocol):
    """What tagging needs of a kind: a declared `ResourceKind`, or security group rules, which
    live inside their group (`rule_tags.py`)."""

    @property
    def id_field(self) -> str: ...
    @property
    def tag_type(self) -> str | None: ...
    @property
    def id_format(self) -> IdFormat | None: ...
    def get(self, ctx: RequestContext, resource_id: str) -> Any: ...
    def missing(self, *ids: str) -> AwsError: ...
    def save(self, ctx: RequestContext, record: Any) -> None: ...
    def scan(self, ctx: RequestContext) -> Sequence[Any]: ...


def _taggable_kinds() -> dict[str, Taggable]:
    """id prefix -> taggable kind: every declared one, and security group rules."""
    return {**kinds.TAGGABLE, rule_tags.RULES.id_format.prefix: rule_tags.RULES}


def _kind_of(resource_id: str) -> Taggable | None:
    return _taggable_kinds().get(resource_id.rsplit("-", 1)[0])


def from_specifications(params: TagSpecified, resource_type: str) -> list[Tag]:
    """The tags a create call asks for on resources of `resource_type`."""
    tags: list[Tag] = []
    for spec in params.get("TagSpecifications") or []:
        if spec.get("ResourceType") == resource_type:
            tags.extend({"Key": t.get("Key", ""), "Value": t.get("Value", "")} for t in spec.get("Tags") or [])
    return merge([], tags)


def requested(params: TagSpecified, resource_type: str) -> list[Tag]:
    """The tags a call creating one kind of resource asks for; a TagSpecification naming another
    resource type is refused."""
    for spec in params.get("TagSpecifications") or []:
        kind = spec.get("ResourceType")
        check_resource_type(kind)
        if kind != resource_type:
            raise AwsError(
                "InvalidParameterValue", f"'{kind}' is not a valid taggable resource type for this operation."
            )
    return from_specifications(params, resource_type)


def check_resource_type(kind: str | None) -> None:
    """A TagSpecification must name its resource type (EC2's observed answer, rultor#1991)."""
    if not kind:
        raise AwsError("InvalidParameterValue", "Tag specification resource type must have a value")


MAX_KEY_LENGTH = 128  # EC2's tag restrictions (user guide, "Tag restrictions")
MAX_VALUE_LENGTH = 256
MAX_TAGS = 50  # per resource


def merge(existing: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> list[Tag]:
    """`existing` with `new` added or replacing by key: every EC2 call that takes tags comes
    through here, so AWS's tag restrictions are checked here, before anything is written."""
    by_key = {t["Key"]: t["Value"] for t in existing}
    for tag in new:
        key, value = tag["Key"], tag.get("Value", "") or ""
        if key.lower().startswith("aws:"):
            raise AwsError("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
        if len(key) > MAX_KEY_LENGTH:
            raise AwsError(
                "InvalidParameterValue", f"Tag key exceeds the maximum length of {MAX_KEY_LENGTH} characters"
            )
        if len(value) > MAX_VALUE_LENGTH:
            raise AwsError(
                "InvalidParameterValue", f"Tag value exceeds the maximum length of {MAX_VALUE_LENGTH} characters"
            )
        by_key[key] = value
    if len(by_key) > MAX_TAGS:
        raise AwsError("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.")
    return [{"Key": k, "Value": v} for k, v in by_key.items()]


def _named(resource_id: str) -> Taggable:
    """The taggable kind an id names; InvalidID for an unknown kind or a malformed id."""
    kind = _kind_of(resource_id)
    if kind is None or kind.id_format is None or not kind.id_format.well_formed(resource_id):
        raise AwsError("InvalidID", f"The ID '{resource_id}' is not valid")
    return kind


def resolve(ctx: RequestContext, resource_ids: list[str]) -> list[tuple[Taggable, Record]]:
    """Every resource named, once each, or an error with nothing changed: first InvalidID for any
    id of an unknown kind or form, then the resource's own NotFound for the first missing one."""
    named = {resource_id: _named(resource_id) for resource_id in resource_ids}
    found = []
    for resource_id, kind in named.items():
        record = kind.get(ctx, resource_id)
        if record is None:
            raise kind.missing(resource_id)
        found.append((kind, record))
    return found


def _check_keys(tags: Sequence[Mapping[str, Any]]) -> None:
    for tag in tags:
        key = tag.get("Key")
        if key is None:
            raise AwsError("InvalidParameterValue", "Tag key must be specified")
        if key.lower().startswith("aws:"):
            raise AwsError("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")


def create_tags(ctx: RequestContext, resource_ids: list[str], tags: Sequence[Mapping[str, Any]]) -> None:
    """CreateTags: add or overwrite `tags` on every named resource, or change nothing."""
    new = [{"Key": t.get("Key"), "Value": t.get("Value") or ""} for t in tags]
    _check_keys(new)
    for kind, record in resolve(ctx, resource_ids):
        record["Tags"] = merge(record.get("Tags") or [], new)
        kind.save(ctx, record)


def delete_tags(ctx: RequestContext, resource_ids: list[str], doomed: Sequence[Mapping[str, Any]] | None) -> None:
    """DeleteTags: no `Tags` removes every tag; a key alone removes that key whatever its value; a
    key and a value remove only that pair."""
    _check_keys(doomed or [])
    for kind, record in resolve(ctx, resource_ids):
        kept = [t for t in record.get("Tags") or [] if doomed is not None and not _matches_any(t, doomed)]
        if kept != (record.get("Tags") or []):
            record["Tags"] = kept
            kind.save(ctx, record)


def _matches_any(tag: Record, doomed: Sequence[Mapping[str, Any]]) -> bool:
    return any(d["Key"] == tag["Key"] and (d.get("Value") is None or d["Value"] == tag["Value"]) for d in doomed)


_SEPARATOR = "\x00"  # between resource id and key in a DescribeTags position (sorts below any character)

EXTRACTORS: dict[str, ec2_filters.Extractor] = {
    "resource-id": lambda r: [r["ResourceId"]],
    "resource-type": lambda r: [r["ResourceType"]],
    "key": lambda r: [r["Key"]],
    "value": lambda r: [r["Value"]],
}


def describe_tags(ctx: RequestContext, params: shapes.DescribeTagsRequest) -> tuple[list[Record], str | None]:
    """One page of DescribeTags rows (`Key`, `ResourceId`, `ResourceType`, `Value`)."""
    filters = params.get("Filters")
    ec2_filters.check_filters(filters, EXTRACTORS)
    rows = [row for row in _tag_rows(ctx, filters) if ec2_filters.matches(row, filters, EXTRACTORS)]
    rows.sort(key=lambda row: row["_Position"])
    chosen, token = page(ctx, "ec2.tags", rows, "_Position", params, minimum=5, maximum=1000)
    return [{k: row[k] for k in ("Key", "ResourceId", "ResourceType", "Value")} for row in chosen], token


def _tag_rows(ctx: RequestContext, filters: Sequence[Mapping[str, Any]] | None) -> list[Record]:
    """One row per (resource, tag) among the resources the filters can possibly match."""
    rows: list[Record] = []
    for kind, record in _candidates(ctx, filters):
        resource_id = str(record[kind.id_field])
        rows.extend(
            {
                "ResourceId": resource_id,
                "ResourceType": kind.tag_type,
                "Key": tag["Key"],
                "Value": tag["Value"],
                "Tags": [tag],
                "_Position": f"{resource_id}{_SEPARATOR}{tag['Key']}",
            }
            for tag in record.get("Tags") or []
        )
    return rows


def _candidates(ctx: RequestContext, filters: Sequence[Mapping[str, Any]] | None) -> list[tuple[Taggable, Record]]:
    """The records named by a resource-id filter, else every record of the filtered resource types."""
    ids = ec2_filters.filter_value(filters, "resource-id")
    if ids is not None:
        found = []
        for resource_id in dict.fromkeys(ids):
            kind = _kind_of(resource_id)
            record = kind.get(ctx, resource_id) if kind is not None else None
            if kind is not None and record is not None:
                found.append((kind, record))
        return found
    types = ec2_filters.filter_value(filters, "resource-type")
    return [
        (kind, record)
        for kind in _taggable_kinds().values()
        if types is None or kind.tag_type in types
        for record in kind.scan(ctx)
    ]
