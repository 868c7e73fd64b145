"""VPCs and their attributes. (Being implemented; the signatures below are the contract other
modules code against.)"""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext

Record = dict[str, Any]
KIND = "ec2.vpc"


def get_vpc(ctx: RequestContext, vpc_id: str) -> Record:
    """The VPC record (`VpcId`, `CidrBlock`, `OwnerId`, `Tags`, `EnableDnsSupport`,
    `EnableDnsHostnames`, ...); raises InvalidVpcID.NotFound."""
    raise NotImplementedError
