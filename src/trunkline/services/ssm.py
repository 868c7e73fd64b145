"""SSM operations (JSON protocol): the public-parameter reads tooling uses to find ECS AMIs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import ssm
from trunkline.services.provider import Provider

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ssm as shapes

Params = dict[str, Any]


class SsmProvider(Provider):
    service = "ssm"

    def get_parameter(self, ctx: RequestContext, params: shapes.GetParameterRequest) -> Params:
        return {"Parameter": ssm.get_parameter(ctx, params["Name"])}

    def get_parameters(self, ctx: RequestContext, params: shapes.GetParametersRequest) -> Params:
        found, invalid = ssm.get_parameters(ctx, params["Names"])
        return {"Parameters": found, "InvalidParameters": invalid}

    def get_parameters_by_path(self, ctx: RequestContext, params: shapes.GetParametersByPathRequest) -> Params:
        found, token = ssm.get_parameters_by_path(ctx, params)
        return {"Parameters": found, "NextToken": token}
