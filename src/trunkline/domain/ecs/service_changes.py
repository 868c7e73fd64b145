"""CreateService, UpdateService and DeleteService as requests: the change (`services.py`), then the
service's scheduler is woken to act on it (`service_scheduler.py`); the answer is the Service view."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import service_scheduler, services
from trunkline.domain.ecs.records import ServiceRecord

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

View = dict[str, Any]


def _woken(ctx: RequestContext, record: ServiceRecord) -> View:
    service_scheduler.wake(ctx, record)
    return services.view(ctx, record)


def create(ctx: RequestContext, request: shapes.CreateServiceRequest) -> View:
    return _woken(ctx, services.create(ctx, request))


def update(ctx: RequestContext, request: shapes.UpdateServiceRequest) -> View:
    return _woken(ctx, services.update(ctx, request))


def delete(ctx: RequestContext, request: shapes.DeleteServiceRequest) -> View:
    return _woken(ctx, services.delete(ctx, request))
