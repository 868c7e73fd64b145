"""The Describe walk every EC2 Describe call over a declared kind shares: ids (every one must
exist) or candidates or a scan of the caller's scope, then filters, then one page."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from trunkline.context import RequestContext
from trunkline.domain.ec2 import filters as ec2_filters
from trunkline.domain.ec2.paging import page
from trunkline.domain.ec2.request_parts import Filtered
from trunkline.domain.resource_kind import ResourceKind, public

Record = dict[str, Any]
R = TypeVar("R", bound=Mapping[str, Any])

__all__ = ["describe", "public"]


def describe(
    ctx: RequestContext,
    kind: ResourceKind[R],
    params: Filtered,
    ids: list[str] | None,
    extractors: dict[str, ec2_filters.Extractor],
    candidates: Callable[[], list[R]] | None = None,
) -> tuple[list[Record], str | None]:
    """One page of the visible records of `kind` that match `ids` (every one must exist: the
    kind's NotFound for the first missing one) and the filters, in public view."""
    filters = params.get("Filters")
    ec2_filters.check_filters(filters, extractors)
    if ids:
        for resource_id in ids:  # every id's form is checked before any is looked up
            kind.check_id(resource_id)
        records = []
        for resource_id in dict.fromkeys(ids):
            record = kind.get(ctx, resource_id)
            if record is None:
                raise kind.missing(resource_id)
            records.append(record)
        records.sort(key=lambda r: r[kind.id_field])
    elif candidates is not None:
        records = [r for r in candidates() if kind.visible(ctx, r)]
    else:
        records = kind.scan(ctx)
    matching = [r for r in records if ec2_filters.matches(r, filters, extractors)]
    chosen, token = page(ctx, kind.name, matching, kind.id_field, params)
    return [kind.view(r) for r in chosen], token
