"""EC2 CreateTags, DeleteTags, DescribeTags.

A tagged record is saved through its own module's `save` so the record's secondary indexes are
kept (a bare `put` would drop them); `_SAVERS` names that function per store kind.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import filters as ec2_filters
from trunkline.domain.ec2 import lookup
from trunkline.domain.ec2 import tags as ec2_tags
from trunkline.domain.ec2.paging import page
from trunkline.errors import AwsError
from trunkline.services.ec2.vpcs import dry_run

Record = dict[str, Any]

#: store kind -> (domain module, function saving a changed record with its indexes)
_SAVERS = {
    "ec2.vpc": ("trunkline.domain.ec2.vpcs", "save"),
    "ec2.subnet": ("trunkline.domain.ec2.subnets", "save"),
    "ec2.security-group": ("trunkline.domain.ec2.security_groups", "save"),
    "ec2.eni": ("trunkline.domain.ec2.network_interfaces", "save"),
    "ec2.trunk-association": ("trunkline.domain.ec2.network_interfaces", "save_association_tags"),
    "ec2.instance": ("trunkline.domain.ec2.instances", "save"),
}

_SEPARATOR = "\x00"  # between resource id and key in a DescribeTags position (sorts below any character)

EXTRACTORS: dict[str, ec2_filters.Extractor] = {
    "resource-id": lambda r: [r["ResourceId"]],
    "resource-type": lambda r: [r["ResourceType"]],
    "key": lambda r: [r["Key"]],
    "value": lambda r: [r["Value"]],
}


def _saver(kind: str) -> Callable[[RequestContext, Record], None]:
    module_name, function = _SAVERS.get(kind, ("", ""))
    try:
        saver: Callable[[RequestContext, Record], None] = getattr(importlib.import_module(module_name), function)
    except (ImportError, AttributeError, ValueError):
        raise AwsError("UnsupportedOperation", f"trunkline cannot tag {kind} resources yet.") from None
    return saver


def _check_keys(tags: list[Record]) -> None:
    for tag in tags:
        key = tag.get("Key")
        if key is None:
            raise AwsError("InvalidParameterValue", "Tag key must be specified")
        if key.lower().startswith("aws:"):
            raise AwsError("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")


class TagOps:
    def create_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        dry_run(params)
        new = [{"Key": t.get("Key"), "Value": t.get("Value") or ""} for t in params["Tags"]]
        _check_keys(new)
        found = ec2_tags.resolve(ctx, params["Resources"])
        savers = [_saver(entry.kind) for entry, _ in found]  # every kind checked before the first write
        for saver, (_, record) in zip(savers, found, strict=True):
            record["Tags"] = ec2_tags.merge(record.get("Tags") or [], new)
            saver(ctx, record)
        return {}

    def delete_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        dry_run(params)
        doomed = params.get("Tags")
        _check_keys(doomed or [])
        found = ec2_tags.resolve(ctx, params["Resources"])
        savers = [_saver(entry.kind) for entry, _ in found]
        for saver, (_, record) in zip(savers, found, strict=True):
            kept = [t for t in record.get("Tags") or [] if doomed is not None and not _matches_any(t, doomed)]
            if kept != (record.get("Tags") or []):
                record["Tags"] = kept
                saver(ctx, record)
        return {}

    def describe_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        dry_run(params)
        filters = params.get("Filters")
        ec2_filters.check_filters(filters, EXTRACTORS)
        rows = [row for row in _tag_rows(ctx, filters) if ec2_filters.matches(row, filters, EXTRACTORS)]
        rows.sort(key=lambda row: row["_Position"])
        chosen, token = page(ctx, "ec2.tags", rows, "_Position", params, minimum=5, maximum=1000)
        return {
            "Tags": [{k: row[k] for k in ("Key", "ResourceId", "ResourceType", "Value")} for row in chosen],
            "NextToken": token,
        }


def _matches_any(tag: Record, doomed: list[Record]) -> bool:
    """DeleteTags: a key alone removes the tag whatever its value; a key and value only that pair."""
    return any(d["Key"] == tag["Key"] and (d.get("Value") is None or d["Value"] == tag["Value"]) for d in doomed)


def _tag_rows(ctx: RequestContext, filters: list[Record] | None) -> list[Record]:
    """One row per (resource, tag) among the resources the filters can possibly match."""
    rows: list[Record] = []
    for entry, record in _candidates(ctx, filters):
        if not ec2_tags.visible(ctx, record):
            continue
        resource_id = str(record[entry.id_field])
        rows.extend(
            {
                "ResourceId": resource_id,
                "ResourceType": entry.resource_type,
                "Key": tag["Key"],
                "Value": tag["Value"],
                "Tags": [tag],
                "_Position": f"{resource_id}{_SEPARATOR}{tag['Key']}",
            }
            for tag in record.get("Tags") or []
        )
    return rows


def _candidates(ctx: RequestContext, filters: list[Record] | None) -> list[tuple[ec2_tags.Taggable, Record]]:
    """The records named by a resource-id filter, else every record of the filtered resource types."""
    ids = ec2_filters.filter_value(filters, "resource-id")
    if ids is not None:
        named = ((ec2_tags.taggable(resource_id), resource_id) for resource_id in dict.fromkeys(ids))
        found = ((entry, ctx.tx.get(entry.kind, lookup.key(ctx, rid))) for entry, rid in named if entry is not None)
        return [(entry, record) for entry, record in found if record is not None]
    types = ec2_filters.filter_value(filters, "resource-type")
    return [
        (entry, record)
        for entry in ec2_tags.KINDS.values()
        if types is None or entry.resource_type in types
        for _, record in ctx.tx.scan(entry.kind, prefix=f"{ctx.region}/")
    ]
