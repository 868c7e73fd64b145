"""ECS RegisterContainerInstance and DeregisterContainerInstance. Thin: the domain's registration
and leaving modules do the work; the container instance is returned in its API shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import agent, container_instances, leaving, registration, trunks
from trunkline.reconciler import JobHandler

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

Params = dict[str, Any]


class ContainerInstanceOps:
    def container_instance_jobs(self) -> dict[str, JobHandler]:
        return {
            agent.REGISTER_JOB: agent.register_job,
            trunks.PROVISION_JOB: trunks.provision_job,
            trunks.DEPROVISION_JOB: trunks.deprovision_job,
        }

    def register_container_instance(
        self, ctx: RequestContext, params: shapes.RegisterContainerInstanceRequest
    ) -> Params:
        record = registration.register(ctx, registration.Registration.from_params(params))
        return {"containerInstance": container_instances.view(record)}

    def deregister_container_instance(
        self, ctx: RequestContext, params: shapes.DeregisterContainerInstanceRequest
    ) -> Params:
        record = leaving.deregister(ctx, params.get("cluster"), params["containerInstance"], bool(params.get("force")))
        return {"containerInstance": container_instances.view(record)}
