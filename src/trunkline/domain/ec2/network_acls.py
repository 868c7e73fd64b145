"""Network ACLs: the default one every VPC gets, and DescribeNetworkAcls.

Record (kind `kinds.NETWORK_ACL`, indexed by `owner` and `vpc`), in the `NetworkAcl` output shape's member names: `NetworkAclId`, `VpcId`, `OwnerId`,
`IsDefault` (true), `Entries`, `Tags`. Its `Associations` are worked out when shown: every subnet
of the VPC is associated with the default ACL (trunkline has no custom ACLs yet), each with an
association id derived from the subnet id, so it stays the same from one call to the next.

The default ACL allows all IPv4 traffic in and out (rule 100) and denies the rest (rule 32767),
as AWS documents for a VPC's default network ACL. It goes when its VPC goes.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import lookup
from trunkline.domain.ec2.kinds import NETWORK_ACL, SUBNET
from trunkline.domain.ec2.records import NetworkAclRecord, VpcRecord
from trunkline.domain.ids import resource_id

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]


def _entries(field: str) -> Any:
    return lambda r: [e[field] for e in r["Entries"] if field in e]


EXTRACTORS: dict[str, Any] = {
    "association.association-id": lambda r: [a["NetworkAclAssociationId"] for a in r["Associations"]],
    "association.network-acl-id": lambda r: [a["NetworkAclId"] for a in r["Associations"]],
    "association.subnet-id": lambda r: [a["SubnetId"] for a in r["Associations"]],
    "default": lambda r: [r["IsDefault"]],
    "entry.cidr": _entries("CidrBlock"),
    "entry.egress": _entries("Egress"),
    "entry.protocol": _entries("Protocol"),
    "entry.rule-action": _entries("RuleAction"),
    "entry.rule-number": _entries("RuleNumber"),
    "network-acl-id": lambda r: [r["NetworkAclId"]],
    "owner-id": lambda r: [r["OwnerId"]],
    "vpc-id": lambda r: [r["VpcId"]],
}


def save(ctx: RequestContext, record: NetworkAclRecord) -> None:
    NETWORK_ACL.save(ctx, record)


def _entry(number: int, action: str, egress: bool) -> Record:
    return {
        "CidrBlock": "0.0.0.0/0",
        "Egress": egress,
        "Protocol": "-1",
        "RuleAction": action,
        "RuleNumber": number,
    }


def create_default(ctx: RequestContext, vpc: VpcRecord) -> NetworkAclRecord:
    record: NetworkAclRecord = {
        "NetworkAclId": resource_id("acl"),
        "VpcId": vpc["VpcId"],
        "OwnerId": ctx.account_id,
        "IsDefault": True,
        "Entries": [
            _entry(100, "allow", True),
            _entry(32767, "deny", True),
            _entry(100, "allow", False),
            _entry(32767, "deny", False),
        ],
        "Tags": [],
    }
    save(ctx, record)
    return record


def remove_with_vpc(ctx: RequestContext, vpc_id: str) -> None:
    for record in NETWORK_ACL.find(ctx, "vpc", vpc_id):
        NETWORK_ACL.delete(ctx, record["NetworkAclId"])


def association_id(subnet_id: str) -> str:
    """A stable `aclassoc-` id for the subnet's association with its VPC's default ACL."""
    return "aclassoc-" + hashlib.sha256(subnet_id.encode()).hexdigest()[:17]


def view(ctx: RequestContext, record: NetworkAclRecord) -> Record:
    subnets = SUBNET.find(ctx, "vpc", record["VpcId"])
    shown = lookup.public(record)
    shown["Associations"] = [
        {
            "NetworkAclAssociationId": association_id(s["SubnetId"]),
            "NetworkAclId": record["NetworkAclId"],
            "SubnetId": s["SubnetId"],
        }
        for s in sorted(subnets, key=lambda s: s["SubnetId"])
    ]
    return shown


def describe_network_acls(
    ctx: RequestContext, params: shapes.DescribeNetworkAclsRequest
) -> tuple[list[Record], str | None]:
    from trunkline.domain.ec2 import filters as ec2_filters
    from trunkline.domain.ec2.paging import page

    filters = params.get("Filters")
    ec2_filters.check_filters(filters, EXTRACTORS)
    ids = params.get("NetworkAclIds")
    records = NETWORK_ACL.require_all(ctx, ids) if ids else NETWORK_ACL.find(ctx, "owner", ctx.account_id)
    shown = [view(ctx, r) for r in sorted(records, key=lambda r: r["NetworkAclId"])]
    matching = [r for r in shown if ec2_filters.matches(r, filters, EXTRACTORS)]
    return page(ctx, NETWORK_ACL.name, matching, "NetworkAclId", params, minimum=5, maximum=100)
