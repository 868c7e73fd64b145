"""ECS CreateService, UpdateService, DeleteService, DescribeServices, ListServices. Thin: the
domain's services module keeps the record, service_scheduler keeps its tasks placed. The
scheduler hears of task and container instance changes through `wiring.py`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import service_changes, service_scheduler, service_throttle, services
from trunkline.reconciler import JobHandler

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

Params = dict[str, Any]


class ServiceOps:
    def service_jobs(self) -> dict[str, JobHandler]:
        return {service_scheduler.JOB: service_scheduler.job, service_throttle.JOB: service_scheduler.retry_job}

    def create_service(self, ctx: RequestContext, params: shapes.CreateServiceRequest) -> Params:
        return {"service": service_changes.create(ctx, params)}

    def update_service(self, ctx: RequestContext, params: shapes.UpdateServiceRequest) -> Params:
        return {"service": service_changes.update(ctx, params)}

    def delete_service(self, ctx: RequestContext, params: shapes.DeleteServiceRequest) -> Params:
        return {"service": service_changes.delete(ctx, params)}

    def describe_services(self, ctx: RequestContext, params: shapes.DescribeServicesRequest) -> Params:
        found, failures = services.describe(ctx, params)
        return {"services": found, "failures": failures}

    def list_services(self, ctx: RequestContext, params: shapes.ListServicesRequest) -> Params:
        arns, token = services.list_arns(ctx, params)
        result: Params = {"serviceArns": arns}
        if token is not None:
            result["nextToken"] = token
        return result
