"""Container-instance attributes: PutAttributes, DeleteAttributes, ListAttributes.

Attributes live in the container-instance record (`attributes`), so a change goes through
`container_instances.save`, which keeps the `attr:NAME` and `attrval:NAME` indexes current, and
ListAttributes by name (or name and value) is an index lookup, paged by record key. Attribute
changes do not bump the instance's `version` or emit a state-change event: AWS lists the events'
causes (status, tasks, agent connection) and attribute edits are not among them.

Names ECS manages (`ecs.*`, and the agent's `com.amazonaws.ecs.*` capabilities) are refused by Put
and Delete and are not counted against the 10 custom attributes a resource may carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import pagination
from trunkline.domain.ecs import container_instances
from trunkline.domain.ecs.clusters import resolve_cluster
from trunkline.domain.ecs.instance_queries import (
    LIVE_STATUSES,
    SCAN_BUDGET,
    listing_name,
    page_size,
    read_token,
    status_sources,
    walk_records,
)
from trunkline.domain.ecs.kinds import CONTAINER_INSTANCE
from trunkline.domain.ecs.records import ContainerInstanceRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

Record = dict[str, Any]
Params = dict[str, Any]

TARGET_TYPE = "container-instance"
MAX_PER_CALL = 10
MAX_CUSTOM = 10
MANAGED_PREFIXES = ("ecs.", "com.amazonaws.ecs.")

_NAME = re.compile(r"[A-Za-z0-9_./\\-]{1,128}")
_VALUE = re.compile(r"[A-Za-z0-9_.@/\\: -]{1,128}")
_INVALID = "InvalidParameterException"


def is_managed(name: str) -> bool:
    """Whether ECS or its agent owns an attribute of this name (clients can neither set nor delete it)."""
    return name.startswith(MANAGED_PREFIXES)


def custom_count(attributes: list[Record]) -> int:
    return sum(1 for attribute in attributes if not is_managed(attribute["name"]))


# --- checks -----------------------------------------------------------------------------------------


def _check_call_size(requested: list[shapes.Attribute]) -> None:
    if not requested:
        raise AwsError(_INVALID, "attributes can not be empty.")
    if len(requested) > MAX_PER_CALL:
        raise AwsError(_INVALID, f"attributes can have at most {MAX_PER_CALL} items.")


def check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise AwsError(
            _INVALID,
            f"Invalid attribute name '{name}': a name has 1 to 128 letters, numbers, hyphens (-), underscores (_), "
            "forward slashes (/), back slashes (\\) or periods (.).",
        )


def check_value(name: str, value: str) -> None:
    if not _VALUE.fullmatch(value) or value[0] == " " or value[-1] == " ":
        raise AwsError(
            _INVALID,
            f"Invalid value '{value}' for attribute '{name}': a value has 1 to 128 letters, numbers, hyphens (-), "
            "underscores (_), periods (.), at signs (@), forward slashes (/), back slashes (\\), colons (:) or "
            "spaces, and can't start or end with a space.",
        )


def _check_entry(attribute: shapes.Attribute, with_value: bool) -> None:
    name = attribute["name"]
    check_name(name)
    if with_value and attribute.get("value") is not None:
        check_value(name, attribute["value"])
    if is_managed(name):
        raise AwsError(
            _INVALID,
            f"Attribute '{name}' is managed by Amazon ECS: only custom attributes can be put or deleted.",
        )
    target = attribute.get("targetId")
    if not target:
        raise AwsError(_INVALID, f"Attribute '{name}' needs a targetId: a container instance ID or full ARN.")
    if not target.startswith("arn:") and attribute.get("targetType") is None:
        raise AwsError(_INVALID, f"targetType is required when targetId '{target}' is not a full ARN.")


# --- targets ----------------------------------------------------------------------------------------


def _target(ctx: RequestContext, cluster_arn: str, target_id: str) -> ContainerInstanceRecord:
    """The live container instance `target_id` names in the cluster. INACTIVE ones have left it."""
    record = container_instances.find(ctx, cluster_arn, target_id)
    if record is None or record["status"] == "INACTIVE":
        cluster = container_instances.cluster_name_of(cluster_arn)
        raise AwsError("TargetNotFoundException", f"Could not find target {target_id} in cluster {cluster}.")
    return record


def _targets(
    ctx: RequestContext, cluster_arn: str, requested: list[shapes.Attribute]
) -> list[tuple[shapes.Attribute, ContainerInstanceRecord]]:
    """Each requested attribute with its target record; a target named twice is one record, so all
    of a call's changes to it accumulate."""
    by_key: dict[str, ContainerInstanceRecord] = {}
    pairs: list[tuple[shapes.Attribute, ContainerInstanceRecord]] = []
    for attribute in requested:
        record = _target(ctx, cluster_arn, attribute["targetId"])
        record = by_key.setdefault(container_instances.record_key(record), record)
        pairs.append((attribute, record))
    return pairs


def _echo(attribute: Mapping[str, Any]) -> Record:
    """The attribute as the caller sent it (AWS answers Put and Delete with the request's entries)."""
    return {k: attribute[k] for k in ("name", "value", "targetType", "targetId") if attribute.get(k) is not None}


def _changed_records(pairs: list[tuple[shapes.Attribute, ContainerInstanceRecord]]) -> list[ContainerInstanceRecord]:
    unique: dict[int, ContainerInstanceRecord] = {}
    for _, record in pairs:
        unique.setdefault(id(record), record)
    return list(unique.values())


# --- PutAttributes / DeleteAttributes ---------------------------------------------------------------


def _set(record: ContainerInstanceRecord, attribute: shapes.Attribute) -> None:
    entry: Record = {"name": attribute["name"]}
    if attribute.get("value") is not None:
        entry["value"] = attribute["value"]
    current = record.setdefault("attributes", [])
    for i, existing in enumerate(current):
        if existing["name"] == entry["name"]:
            current[i] = entry
            return
    current.append(entry)


def put_attributes(ctx: RequestContext, params: shapes.PutAttributesRequest) -> list[Record]:
    """PutAttributes: create or replace custom attributes, all or none. A target may end with at most
    10 custom attributes (one already above that may still have its values replaced)."""
    cluster_arn = resolve_cluster(ctx, params.get("cluster"))["clusterArn"]
    requested = list(params["attributes"])
    _check_call_size(requested)
    for attribute in requested:
        _check_entry(attribute, with_value=True)
    pairs = _targets(ctx, cluster_arn, requested)
    records = _changed_records(pairs)
    before = {id(record): custom_count(record.get("attributes") or []) for record in records}
    for attribute, record in pairs:
        _set(record, attribute)
    for record in records:
        after = custom_count(record["attributes"])
        if after > MAX_CUSTOM and after > before[id(record)]:
            raise AwsError(
                "AttributeLimitExceededException",
                f"Container instance {container_instances.id_of(record)} would have {after} custom attributes: "
                f"you can apply up to {MAX_CUSTOM} custom attributes for each resource.",
            )
    for record in records:
        container_instances.save(ctx, record)
    return [_echo(attribute) for attribute in requested]


def delete_attributes(ctx: RequestContext, params: shapes.DeleteAttributesRequest) -> list[Record]:
    """DeleteAttributes: remove custom attributes by name (a value, if given, is not consulted;
    names are unique on a target). Deleting an attribute the target lacks is not an error."""
    cluster_arn = resolve_cluster(ctx, params.get("cluster"))["clusterArn"]
    requested = list(params["attributes"])
    _check_call_size(requested)
    for attribute in requested:
        _check_entry(attribute, with_value=False)
    pairs = _targets(ctx, cluster_arn, requested)
    for attribute, record in pairs:
        record["attributes"] = [a for a in record.get("attributes") or [] if a["name"] != attribute["name"]]
    for record in _changed_records(pairs):
        container_instances.save(ctx, record)
    return [_echo(attribute) for attribute in requested]


# --- ListAttributes ---------------------------------------------------------------------------------


def _entry(record: ContainerInstanceRecord, attribute: Record) -> Record:
    entry: Record = {"name": attribute["name"]}
    if attribute.get("value") is not None:
        entry["value"] = attribute["value"]
    entry["targetType"] = TARGET_TYPE
    entry["targetId"] = record["containerInstanceArn"]
    return entry


def _named(
    ctx: RequestContext, cluster_arn: str, name: str, value: str | None, after: str | None, size: int
) -> tuple[list[Record], str | None]:
    """One entry per live instance carrying `name` (with `value`, if given), from the index."""
    source = (f"attrval:{name}", f"{cluster_arn}|{value}") if value is not None else (f"attr:{name}", cluster_arn)
    entries: list[Record] = []
    last: str | None = None
    previous: str | None = None
    examined = 0
    for key, record in walk_records(ctx, [source], after, size + 1):
        if examined == SCAN_BUDGET:
            return entries, previous
        examined += 1
        previous = key
        attribute = next((a for a in record.get("attributes") or [] if a["name"] == name), None)
        if record["status"] not in LIVE_STATUSES or attribute is None:
            continue
        if value is not None and attribute.get("value") != value:
            continue
        if len(entries) == size:
            return entries, last
        entries.append(_entry(record, attribute))
        last = key
    return entries, None


def _instance_entries(
    key: str, record: ContainerInstanceRecord, after_name: str | None
) -> Iterator[tuple[list[str], Record]]:
    for attribute in sorted(record.get("attributes") or [], key=lambda a: a["name"]):
        if after_name is None or attribute["name"] > after_name:
            yield [key, attribute["name"]], _entry(record, attribute)


def _every_entry(
    ctx: RequestContext, cluster_arn: str, position: list[str] | None, size: int
) -> Iterator[tuple[list[str], Record]]:
    """Every attribute of every live instance, by instance key then attribute name, after `position`."""
    after_key = position[0] if position else None
    if position:
        record = CONTAINER_INSTANCE.at_key(ctx, position[0])
        if record is not None and record["status"] in LIVE_STATUSES and record["_cluster"] == cluster_arn:
            yield from _instance_entries(position[0], record, position[1])
    for key, record in walk_records(ctx, status_sources(cluster_arn, LIVE_STATUSES), after_key, size + 1):
        yield from _instance_entries(key, record, None)


def _all(
    ctx: RequestContext, cluster_arn: str, position: list[str] | None, size: int
) -> tuple[list[Record], list[str] | None]:
    entries: list[Record] = []
    last: list[str] | None = None
    for at, entry in _every_entry(ctx, cluster_arn, position, size):
        if len(entries) == size:
            return entries, last
        entries.append(entry)
        last = at
    return entries, None


def _valid_position(position: Any, named: bool) -> bool:
    if position is None:
        return True
    if named:
        return isinstance(position, str)
    return isinstance(position, list) and len(position) == 2 and all(isinstance(p, str) for p in position)


def list_attributes(ctx: RequestContext, params: shapes.ListAttributesRequest) -> tuple[list[Record], str | None]:
    """ListAttributes: one entry per (container instance, attribute) in the cluster, optionally only
    one attribute name, or one name and value; `maxResults` (1-100, default 100) at a time."""
    cluster_arn = resolve_cluster(ctx, params.get("cluster"))["clusterArn"]
    size = page_size(params)
    name, value = params.get("attributeName"), params.get("attributeValue")
    if value is not None and name is None:
        raise AwsError(_INVALID, "attributeName must be specified to filter attributes by attributeValue.")
    listing = listing_name("ListAttributes", cluster_arn, params["targetType"], name, value)
    position = read_token(ctx, listing, params.get("nextToken"))
    if not _valid_position(position, named=name is not None):
        raise AwsError(_INVALID, "Invalid nextToken: the token is not valid for this request.")
    if name is not None:
        entries, named_at = _named(ctx, cluster_arn, name, value, position, size)
        token = pagination.encode(ctx.tx, listing, named_at) if named_at is not None else None
    else:
        entries, every_at = _all(ctx, cluster_arn, position, size)
        token = pagination.encode(ctx.tx, listing, every_at) if every_at is not None else None
    return entries, token
