"""STS operations (query protocol): who am I, and role sessions with their own credentials.
Thin: `domain/sts.py` decides."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import sts
from trunkline.services.provider import Provider

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import sts as shapes

Params = dict[str, Any]


class StsProvider(Provider):
    service = "sts"

    def get_caller_identity(self, ctx: RequestContext, params: shapes.GetCallerIdentityRequest) -> Params:
        return sts.caller_identity(ctx)

    def assume_role(self, ctx: RequestContext, params: shapes.AssumeRoleRequest) -> Params:
        return sts.assume_role(ctx, params)
