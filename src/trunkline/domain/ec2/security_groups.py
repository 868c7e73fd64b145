"""Security groups. (Being implemented; the signatures below are the contract other modules
code against.)"""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext

Record = dict[str, Any]
KIND = "ec2.security-group"


def default_security_group(ctx: RequestContext, vpc_id: str) -> Record:
    """The VPC's `default` group record (`GroupId`, `GroupName`, `VpcId`, ...)."""
    raise NotImplementedError


def get_security_groups(ctx: RequestContext, group_ids: list[str]) -> list[Record]:
    """The named groups, in order; raises InvalidGroup.NotFound for the first missing one."""
    raise NotImplementedError
