"""The members that many EC2 requests share, as the shared code reads them: a request shape
(`trunkline.wire.shapes.ec2`) with these members, of these types, is accepted where one of these
is asked for (TypedDicts match by structure)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes


class Paged(TypedDict, total=False):
    """A Describe call's paging members."""

    MaxResults: int
    NextToken: str


class Filtered(Paged, total=False):
    """A Describe call with `Filters` (DescribeVpcs, DescribeSubnets, ...)."""

    Filters: list[shapes.Filter]


class GroupReference(TypedDict, total=False):
    """A security group named by id or (default VPC only) by name."""

    GroupId: str
    GroupName: str


class AddressReference(TypedDict, total=False):
    """An Elastic IP named by allocation id or by public address."""

    AllocationId: str
    PublicIp: str


class TagSpecified(TypedDict, total=False):
    """A create call's `TagSpecifications`."""

    TagSpecifications: list[shapes.TagSpecification]
