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

#: id prefix -> how that resource's NotFound error words a missing id
_NOT_FOUND = {
    "vpc": "The vpc ID '{}' does not exist",
    "subnet": "The subnet ID '{}' does not exist",
    "sg": "The security group '{}' does not exist",
    "i": "The instance ID '{}' does not exist",
    "eni": "The networkInterface ID '{}' does not exist",
    "ami": "The image id '[{}]' does not exist",
    "trunk-assoc": "The association ID '{}' does not exist",
}

#: store kind -> the member holding the resource's id
_ID_FIELDS = {
    "ec2.vpc": "VpcId",
    "ec2.subnet": "SubnetId",
    "ec2.security-group": "GroupId",
    "ec2.instance": "InstanceId",
    "ec2.eni": "NetworkInterfaceId",
    "ec2.image": "ImageId",
    "ec2.trunk-association": "AssociationId",
}

_SEPARATOR = "\x00"  # between resource id and key in a DescribeTags position (sorts below any character)

EXTRACTORS: dict[str, ec2_filters.Extractor] = {
    "resource-id": lambda r: [r["ResourceId"]],
    "resource-type": lambda r: [r["ResourceType"]],
    "key": lambda r: [r["Key"]],
    "value": lambda r: [r["Value"]],
}


def _prefix(resource_id: str) -> str:
    return resource_id.rsplit("-", 1)[0]


def _visible(ctx: RequestContext, record: Record) -> bool:
    owner = record.get("OwnerId")
    return owner is None or ctx.account_id in (owner, record.get("_Creator"))


def _resolve(ctx: RequestContext, resource_ids: list[str]) -> list[tuple[str, str, Record]]:
    """Every resource named (all-or-nothing): a bad id's form is InvalidID, a missing one the
    resource's own NotFound."""
    for resource_id in resource_ids:
        prefix = _prefix(resource_id)
        if prefix in ec2_tags.KINDS:
            try:
                lookup.check_id(resource_id, prefix, "InvalidID")
            except AwsError:
                raise AwsError("InvalidID", f"The ID '{resource_id}' is not valid") from None
    try:
        found = ec2_tags.resolve(ctx, list(dict.fromkeys(resource_ids)))
    except AwsError as error:
        missing = next((r for r in resource_ids if f"'{r}'" in error.message), None)
        if missing is None or _prefix(missing) not in _NOT_FOUND:
            raise
        raise AwsError(error.code, _NOT_FOUND[_prefix(missing)].format(missing)) from None
    for resource_id, (_, _, record) in zip(dict.fromkeys(resource_ids), found, strict=True):
        if not _visible(ctx, record):  # another account's resource does not exist for this caller
            prefix = _prefix(resource_id)
            raise AwsError(ec2_tags.KINDS[prefix][1], _NOT_FOUND[prefix].format(resource_id))
    return found


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
        found = _resolve(ctx, params["Resources"])
        savers = [_saver(kind) for kind, _, _ in found]  # every kind checked before the first write
        for saver, (_, _, record) in zip(savers, found, strict=True):
            record["Tags"] = ec2_tags.merge(record.get("Tags") or [], new)
            saver(ctx, record)
        return {}

    def delete_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        dry_run(params)
        doomed = params.get("Tags")
        _check_keys(doomed or [])
        found = _resolve(ctx, params["Resources"])
        savers = [_saver(kind) for kind, _, _ in found]
        for saver, (_, _, record) in zip(savers, found, strict=True):
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
    ids = ec2_filters.filter_value(filters, "resource-id")
    types = ec2_filters.filter_value(filters, "resource-type")
    records: list[tuple[str, str, Record]] = []  # (kind, resource type, record)
    if ids is not None:
        for resource_id in dict.fromkeys(ids):
            entry = ec2_tags.KINDS.get(_prefix(resource_id))
            record = ctx.tx.get(entry[0], lookup.key(ctx, resource_id)) if entry else None
            if entry and record is not None:
                records.append((entry[0], entry[2], record))
    else:
        for kind, _, kind_type in ec2_tags.KINDS.values():
            if types is None or kind_type in types:
                records.extend((kind, kind_type, r) for _, r in ctx.tx.scan(kind, prefix=f"{ctx.region}/"))
    rows = []
    for kind, kind_type, record in records:
        if not _visible(ctx, record):
            continue
        resource_id = str(record.get(_ID_FIELDS.get(kind, ""), ""))
        for tag in record.get("Tags") or []:
            row = {"ResourceId": resource_id, "ResourceType": kind_type, "Key": tag["Key"], "Value": tag["Value"]}
            row["Tags"] = [tag]
            row["_Position"] = f"{resource_id}{_SEPARATOR}{tag['Key']}"
            rows.append(row)
    return rows
