"""Shared pieces of the VPC, subnet and security-group Describe/Create calls: id format checks
and the Describe walk (ids or a scan, then filters, then one page)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import filters as ec2_filters
from trunkline.domain.ec2.paging import page
from trunkline.errors import AwsError

Record = dict[str, Any]

_ID = re.compile(r"^[a-z]+(?:-[a-z]+)*-(?:[0-9a-f]{8}|[0-9a-f]{17})$")


def well_formed(resource_id: str, prefix: str) -> bool:
    """`vpc-` + 8 or 17 hex digits."""
    return resource_id.startswith(prefix + "-") and _ID.match(resource_id) is not None


def check_id(resource_id: str, prefix: str, malformed_code: str) -> None:
    """EC2 checks an id's form before looking it up."""
    if not well_formed(resource_id, prefix):
        raise AwsError(malformed_code, f'Invalid id: "{resource_id}" (expecting "{prefix}-...")')


def public(record: Record) -> Record:
    """The record without trunkline's private bookkeeping fields (those starting with `_`)."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


def describe(
    ctx: RequestContext,
    params: dict[str, Any],
    *,
    kind: str,
    id_field: str,
    ids: list[str] | None,
    id_prefix: str,
    malformed_code: str,
    missing: Callable[[str], AwsError],
    extractors: dict[str, ec2_filters.Extractor],
    visible: Callable[[Record], bool],
    candidates: Callable[[], list[Record]] | None = None,
) -> tuple[list[Record], str | None]:
    """One page of the visible records that match `ids` (every one must exist) and the filters."""
    filters = params.get("Filters")
    ec2_filters.check_filters(filters, extractors)
    if ids:
        for resource_id in ids:  # every id's form is checked before any is looked up
            check_id(resource_id, id_prefix, malformed_code)
        records = []
        for resource_id in dict.fromkeys(ids):
            record = ctx.tx.get(kind, f"{ctx.region}/{resource_id}")
            if record is None or not visible(record):
                raise missing(resource_id)
            records.append(record)
        records.sort(key=lambda r: r[id_field])
    elif candidates is not None:
        records = [r for r in candidates() if visible(r)]
    else:
        records = [r for _, r in ctx.tx.scan(kind, prefix=f"{ctx.region}/") if visible(r)]
    matching = [r for r in records if ec2_filters.matches(r, filters, extractors)]
    chosen, token = page(ctx, kind, matching, id_field, params)
    return [public(r) for r in chosen], token


def key(ctx: RequestContext, resource_id: str) -> str:
    return f"{ctx.region}/{resource_id}"
