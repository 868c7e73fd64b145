"""ECS operations (awsJson1_1). The provider is composed of one mixin per resource family, each in
its own module: clusters.py, account_settings.py, container_instances.py, attributes.py, ..."""

from __future__ import annotations

from trunkline.reconciler import JobHandler
from trunkline.services.ecs.account_settings import AccountSettingOps
from trunkline.services.ecs.attributes import AttributeOps
from trunkline.services.ecs.capacity_providers import CapacityProviderOps
from trunkline.services.ecs.clusters import ClusterOps
from trunkline.services.ecs.container_instance_queries import ContainerInstanceQueryOps
from trunkline.services.ecs.container_instances import ContainerInstanceOps
from trunkline.services.ecs.services import ServiceOps
from trunkline.services.ecs.tags import TagOps
from trunkline.services.ecs.task_definitions import TaskDefinitionOps
from trunkline.services.ecs.tasks import TaskOps
from trunkline.services.provider import Provider


class EcsProvider(
    ClusterOps,
    AccountSettingOps,
    ContainerInstanceOps,
    ContainerInstanceQueryOps,
    AttributeOps,
    TaskDefinitionOps,
    TaskOps,
    ServiceOps,
    TagOps,
    CapacityProviderOps,
    Provider,
):
    service = "ecs"

    def jobs(self) -> dict[str, JobHandler]:
        handlers: dict[str, JobHandler] = {}
        handlers.update(ContainerInstanceOps.container_instance_jobs(self))
        handlers.update(TaskOps.task_jobs(self))
        handlers.update(ServiceOps.service_jobs(self))
        handlers.update(CapacityProviderOps.capacity_provider_jobs(self))
        return handlers
