"""The stored EC2 records, typed: each is a `TypedDict` in the output shape's member names (what
the serialiser writes), plus private bookkeeping fields, which start with `_` and are dropped by
the public view. mypy checks domain code against these; `kinds.py` ties each to its kind.

TypedDict rather than dataclass: a record is stored as JSON and answered nearly as stored, so a
TypedDict costs nothing at run time (no conversion on each of the thousands of reads a placement
makes) while mypy still refuses a misspelt or missing member.
"""

from __future__ import annotations

from typing import Any, TypedDict


class Tag(TypedDict):
    Key: str
    Value: str


class CidrBlockState(TypedDict):
    State: str


class VpcCidrBlockAssociation(TypedDict):
    AssociationId: str
    CidrBlock: str
    CidrBlockState: CidrBlockState


class VpcRecord(TypedDict):
    VpcId: str
    CidrBlock: str  # the primary block, network address form
    State: str  # "available"
    OwnerId: str
    InstanceTenancy: str
    IsDefault: bool  # always false: trunkline creates no default VPC
    DhcpOptionsId: str
    CidrBlockAssociationSet: list[VpcCidrBlockAssociation]  # the primary block first
    Ipv6CidrBlockAssociationSet: list[Any]
    BlockPublicAccessStates: dict[str, str]
    Tags: list[Tag]
    # DescribeVpcAttribute's attributes (not in the Vpc shape: the serialiser leaves them out)
    EnableDnsSupport: bool
    EnableDnsHostnames: bool
    EnableNetworkAddressUsageMetrics: bool


class PrivateDnsNameOptionsOnLaunch(TypedDict):
    HostnameType: str
    EnableResourceNameDnsARecord: bool
    EnableResourceNameDnsAAAARecord: bool


class SubnetRecord(TypedDict):
    SubnetId: str
    SubnetArn: str
    VpcId: str
    CidrBlock: str
    State: str
    AvailabilityZone: str
    AvailabilityZoneId: str
    AvailableIpAddressCount: int  # exact: usable addresses minus allocated ones
    OwnerId: str
    DefaultForAz: bool
    MapPublicIpOnLaunch: bool
    MapCustomerOwnedIpOnLaunch: bool
    AssignIpv6AddressOnCreation: bool
    Ipv6CidrBlockAssociationSet: list[Any]
    EnableDns64: bool
    Ipv6Native: bool
    PrivateDnsNameOptionsOnLaunch: PrivateDnsNameOptionsOnLaunch
    BlockPublicAccessStates: dict[str, str]
    Tags: list[Tag]
    _Creator: str  # the account that created it (a shared subnet's OwnerId is another)
    _NextOffset: int  # the allocation cursor (addressing.py)
