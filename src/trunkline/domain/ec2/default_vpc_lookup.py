"""Which VPC is the account's default one in this region: a read of the VPC kind, kept apart from
`default_vpc.py` (which builds it from subnets, gateways and route tables) so that security
groups can find it without importing everything a default VPC is made of."""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ec2.kinds import VPC
from trunkline.errors import AwsError

Record = dict[str, Any]


def find(ctx: RequestContext) -> Record | None:
    """The account's default VPC in this region, if it has one."""
    found: Any = next((v for v in VPC.find(ctx, "owner", ctx.account_id) if v["IsDefault"]), None)
    return found


def vpc_for_groups(ctx: RequestContext) -> Record:
    """The VPC a call naming security groups by name (or creating one without a VPC) means."""
    vpc = find(ctx)
    if vpc is None:
        raise AwsError("VPCIdNotSpecified", "No default VPC for this user")
    return vpc
