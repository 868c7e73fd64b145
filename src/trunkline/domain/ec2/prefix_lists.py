"""The AWS-managed prefix lists of a region, which security group rules may name
(`IpPermissions.PrefixListIds`): `com.amazonaws.<region>.s3` and `com.amazonaws.<region>.dynamodb`,
the gateway-endpoint services' lists users reference. DescribePrefixLists,
DescribeManagedPrefixLists and GetManagedPrefixListEntries show them; a rule naming any other
`pl-` id is refused, as EC2 refuses it.

The ids in us-east-1 are EC2's own there (what users copy into their configuration); other regions
get an id derived from the list's name, stable from run to run. The CIDRs are a part of what AWS
publishes for the service in us-east-1; elsewhere the lists have no entries (trunkline routes no
traffic to S3 or DynamoDB: docs/decisions.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import filters
from trunkline.domain.ec2.paging import page
from trunkline.errors import AwsError

if TYPE_CHECKING:
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]

_SERVICES = ("dynamodb", "s3")

#: EC2's ids (and part of the published CIDRs) of the lists in us-east-1.
_KNOWN: dict[str, tuple[str, tuple[str, ...]]] = {
    "com.amazonaws.us-east-1.s3": (
        "pl-63a5400a",
        ("3.5.0.0/19", "16.15.192.0/18", "16.182.0.0/16", "18.34.0.0/19", "52.216.0.0/15", "54.231.0.0/16"),
    ),
    "com.amazonaws.us-east-1.dynamodb": (
        "pl-02cd2c6b",
        ("3.218.180.0/23", "3.218.182.0/24", "52.94.0.0/22", "52.119.224.0/20"),
    ),
}


@dataclass(frozen=True)
class PrefixList:
    prefix_list_id: str
    name: str
    cidrs: tuple[str, ...]


def region_lists(region: str) -> list[PrefixList]:
    """The region's AWS-managed lists, by id."""
    found = []
    for service in _SERVICES:
        name = f"com.amazonaws.{region}.{service}"
        known = _KNOWN.get(name)
        if known is not None:
            found.append(PrefixList(known[0], name, known[1]))
        else:
            found.append(PrefixList("pl-" + hashlib.sha256(name.encode()).hexdigest()[:8], name, ()))
    return sorted(found, key=lambda p: p.prefix_list_id)


def not_found(prefix_list_id: str) -> AwsError:
    """EC2's answer for a `pl-` id naming nothing (observed wording, aws-cloudformation/rain#308)."""
    return AwsError("InvalidPrefixListID.NotFound", f"The prefix list ID '{prefix_list_id}' does not exist")


def require(ctx: RequestContext, prefix_list_id: str) -> PrefixList:
    found = next((p for p in region_lists(ctx.region) if p.prefix_list_id == prefix_list_id), None)
    if found is None:
        raise not_found(prefix_list_id)
    return found


def _named(ctx: RequestContext, ids: list[str] | None) -> list[PrefixList]:
    if not ids:
        return region_lists(ctx.region)
    for prefix_list_id in ids:
        require(ctx, prefix_list_id)
    return [p for p in region_lists(ctx.region) if p.prefix_list_id in ids]


PREFIX_LIST_FILTERS: dict[str, filters.Extractor] = {
    "prefix-list-id": filters.field("PrefixListId"),
    "prefix-list-name": filters.field("PrefixListName"),
}
MANAGED_FILTERS: dict[str, filters.Extractor] = {**PREFIX_LIST_FILTERS, "owner-id": filters.field("OwnerId")}


def describe_prefix_lists(
    ctx: RequestContext, params: shapes.DescribePrefixListsRequest
) -> tuple[list[Record], str | None]:
    given = params.get("Filters")
    filters.check_filters(given, PREFIX_LIST_FILTERS)
    records = [
        {"PrefixListId": p.prefix_list_id, "PrefixListName": p.name, "Cidrs": list(p.cidrs)}
        for p in _named(ctx, params.get("PrefixListIds"))
    ]
    matching = [r for r in records if filters.matches(r, given, PREFIX_LIST_FILTERS)]
    return page(ctx, "ec2.prefix-lists", matching, "PrefixListId", params)


def managed_view(ctx: RequestContext, prefix_list: PrefixList) -> Record:
    return {
        "PrefixListId": prefix_list.prefix_list_id,
        "AddressFamily": "IPv4",
        "State": "create-complete",
        "PrefixListArn": f"arn:aws:ec2:{ctx.region}:aws:prefix-list/{prefix_list.prefix_list_id}",
        "PrefixListName": prefix_list.name,
        "Tags": [],
        "OwnerId": "AWS",
    }


def describe_managed_prefix_lists(
    ctx: RequestContext, params: shapes.DescribeManagedPrefixListsRequest
) -> tuple[list[Record], str | None]:
    given = params.get("Filters")
    filters.check_filters(given, MANAGED_FILTERS)
    records = [managed_view(ctx, p) for p in _named(ctx, params.get("PrefixListIds"))]
    matching = [r for r in records if filters.matches(r, given, MANAGED_FILTERS)]
    return page(ctx, "ec2.managed-prefix-lists", matching, "PrefixListId", params, minimum=1, maximum=100)


def entries(ctx: RequestContext, params: shapes.GetManagedPrefixListEntriesRequest) -> tuple[list[Record], str | None]:
    found = require(ctx, params["PrefixListId"])
    rows = [{"Cidr": cidr} for cidr in sorted(found.cidrs)]
    return page(ctx, "ec2.prefix-list-entries", rows, "Cidr", params, minimum=1, maximum=100)
