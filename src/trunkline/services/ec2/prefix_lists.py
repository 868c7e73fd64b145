"""EC2 DescribePrefixLists, DescribeManagedPrefixLists, GetManagedPrefixListEntries: the region's
AWS-managed prefix lists (behaviour in `domain/ec2/prefix_lists.py`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import prefix_lists

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Params = dict[str, Any]


class PrefixListOps:
    def describe_prefix_lists(self, ctx: RequestContext, params: shapes.DescribePrefixListsRequest) -> Params:
        found, token = prefix_lists.describe_prefix_lists(ctx, params)
        return {"PrefixLists": found, "NextToken": token}

    def describe_managed_prefix_lists(
        self, ctx: RequestContext, params: shapes.DescribeManagedPrefixListsRequest
    ) -> Params:
        found, token = prefix_lists.describe_managed_prefix_lists(ctx, params)
        return {"PrefixLists": found, "NextToken": token}

    def get_managed_prefix_list_entries(
        self, ctx: RequestContext, params: shapes.GetManagedPrefixListEntriesRequest
    ) -> Params:
        found, token = prefix_lists.entries(ctx, params)
        return {"Entries": found, "NextToken": token}
