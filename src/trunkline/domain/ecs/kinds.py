"""Every stored kind of ECS record, declared once (see `domain/resource_kind.py`).

ECS names are per account and region: records are scoped `ACCOUNT_REGION`. Index values that
are ARNs are unique everywhere and stored bare (`global_indexes`)."""

from __future__ import annotations

from typing import Any

from trunkline.domain.ecs import instance_index
from trunkline.domain.ecs.records import (
    AccountSettingRecord,
    AgentRecord,
    CapacityProviderRecord,
    ClusterRecord,
    ContainerInstanceRecord,
    PlacementFailuresRecord,
    RunTaskTokenRecord,
    ServiceRecord,
    TaskDefinitionFamilyRecord,
    TaskDefinitionRecord,
    TaskRecord,
)
from trunkline.domain.resource_kind import NotFound, ResourceKind
from trunkline.store.scope import Scope

#: A record whether ACTIVE or INACTIVE (a deleted cluster stays, INACTIVE, as in ECS).
CLUSTER: ResourceKind[ClusterRecord] = ResourceKind(
    name="ecs.cluster",
    scope=Scope.ACCOUNT_REGION,
    id_field="clusterName",
    not_found=NotFound("ClusterNotFoundException", "Cluster not found."),
    indexes=lambda cluster: {"status": cluster["status"]},
)

#: trunkline's own count of placement failures of one cluster (`placement_failures.py`), keyed by
#: `NAME@createdAt` so that a cluster created again under the same name starts from zero.
PLACEMENT_FAILURES: ResourceKind[PlacementFailuresRecord] = ResourceKind(
    name="ecs.placement-failures",
    scope=Scope.ACCOUNT_REGION,
    id_field="cluster",
)


def _cluster_name(cluster_arn: str) -> str:
    return cluster_arn.rsplit("/", 1)[-1]


def _last_part(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


#: Keyed by cluster name and id (`natural_key` of a lookup is `CLUSTER/ID`); records keep their
#: account, region and cluster ARN in `_account`, `_region`, `_cluster`.
CONTAINER_INSTANCE: ResourceKind[ContainerInstanceRecord] = ResourceKind(
    name="ecs.container-instance",
    scope=Scope.ACCOUNT_REGION,
    id_field="containerInstanceArn",
    record_key=lambda record: f"{_cluster_name(record['_cluster'])}/{_last_part(record['containerInstanceArn'])}",
    # ECS answers an unknown container instance in a single-instance call this way.
    not_found=NotFound("InvalidParameterException", "Container instance can not be found."),
    indexes=instance_index.indexes,
    scoped_indexes=frozenset({"ec2", "ec2_all"}),
    # 2: the capacity provider's counts (instance_index.provider_index); 3: placement by provider;
    # 4: one placement entry per resource, in the field of its rung (was one per rung below);
    # 5: placement fields name the cluster first (instance_index.placement_field)
    index_version=5,
)


STOPPED_AT_INDEX = "stopped_at"  # an ordered index of STOPPED tasks, for the hour they are shown (tasks.py)


def stopped_moment(epoch: Any) -> str | None:
    """Epoch seconds as a zero-padded string, so that index order is time order."""
    return f"{float(epoch):020.6f}" if isinstance(epoch, (int, float)) else None


def _task_indexes(record: TaskRecord) -> dict[str, str | None]:
    cluster = record["clusterArn"]
    live = record["lastStatus"] != "STOPPED"
    instance = record.get("containerInstanceArn")
    started_by = record.get("startedBy")
    # Waiting for a capacity provider's managed scaling (RunTask's provisioning limit counts them).
    waiting = record["lastStatus"] == "PROVISIONING" and bool(record.get("_waiting"))
    provider = record.get("capacityProviderName")
    # No entry by cluster alone: nothing looks tasks up that way, and every entry is ~200 bytes a task.
    return {
        "cluster_status": f"{cluster}|{record['lastStatus']}",
        "cluster_desired": f"{cluster}|{record['desiredStatus']}",
        "instance": instance,
        "instance_live": instance if live else None,
        "cluster_group_live": f"{cluster}|{record['group']}" if live else None,
        "cluster_family": f"{cluster}|{record['_family']}",
        "cluster_started_by": f"{cluster}|{started_by}" if started_by is not None else None,
        "cluster_waiting": cluster if waiting else None,
        "provider_waiting": f"{cluster}|{provider}" if waiting and provider else None,
        STOPPED_AT_INDEX: stopped_moment(record.get("stoppedAt")) if not live else None,
    }


#: Keyed like container instances (`CLUSTER/ID`); every index value holds an ARN.
TASK: ResourceKind[TaskRecord] = ResourceKind(
    name="ecs.task",
    scope=Scope.ACCOUNT_REGION,
    id_field="taskArn",
    record_key=lambda record: f"{_cluster_name(record['clusterArn'])}/{_last_part(record['taskArn'])}",
    not_found=NotFound("InvalidParameterException", "The referenced task was not found."),
    indexes=_task_indexes,
    scoped_indexes=frozenset(),
    index_version=2,  # 2: tasks waiting for capacity (`cluster_waiting`, `provider_waiting`)
)


def setting_key(principal_arn: str, name: str) -> str:
    # '|' never occurs in an IAM ARN, so one principal's keys never prefix another's.
    return f"{principal_arn}|{name}"


#: One principal's own value of one setting: `name`, `value`, `principalArn`.
ACCOUNT_SETTING: ResourceKind[AccountSettingRecord] = ResourceKind(
    name="ecs.account-setting",
    scope=Scope.ACCOUNT_REGION,
    id_field="name",
    record_key=lambda record: setting_key(record["principalArn"], record["name"]),
)


#: Keyed by cluster name and service name (`CLUSTER/NAME`); indexed by cluster ARN and status.
SERVICE: ResourceKind[ServiceRecord] = ResourceKind(
    name="ecs.service",
    scope=Scope.ACCOUNT_REGION,
    id_field="serviceName",
    record_key=lambda record: f"{_cluster_name(record['clusterArn'])}/{record['serviceName']}",
    not_found=NotFound("ServiceNotFoundException", "Service not found."),
    indexes=lambda record: {
        "cluster": record["clusterArn"],
        "cluster_status": f"{record['clusterArn']}|{record['status']}",
    },
    scoped_indexes=frozenset(),
)


REVISION_DIGITS = 10  # revisions zero-padded in keys, so keys sort by revision
REVISION_SEPARATOR = "+"


def revision_key(family: str, revision: int) -> str:
    return f"{family}{REVISION_SEPARATOR}{revision:0{REVISION_DIGITS}d}"


#: One revision of a family, keyed `FAMILY+REVISION` (zero-padded, so a family's keys sort by
#: revision); indexed by `FAMILY|STATUS` and by status.
TASK_DEFINITION: ResourceKind[TaskDefinitionRecord] = ResourceKind(
    name="ecs.task-definition",
    scope=Scope.ACCOUNT_REGION,
    id_field="taskDefinitionArn",
    record_key=lambda record: revision_key(record["family"], record["revision"]),
    indexes=lambda record: {
        "family_status": f"{record['family']}|{record['status']}",
        "status": record["status"],
    },
)

#: A family's counters: `family`, `lastRevision`, `active` (ACTIVE revisions); indexed by status
#: and, to list every family of the scope, by `scope` (the empty value).
TASK_DEFINITION_FAMILY: ResourceKind[TaskDefinitionFamilyRecord] = ResourceKind(
    name="ecs.task-definition-family",
    scope=Scope.ACCOUNT_REGION,
    id_field="family",
    indexes=lambda record: {"scope": "", "status": "ACTIVE" if record["active"] else "INACTIVE"},
)


#: The simulated ECS agent of one EC2 instance (`instanceId`, its state and trace).
AGENT: ResourceKind[AgentRecord] = ResourceKind(name="ecs.agent", scope=Scope.ACCOUNT_REGION, id_field="instanceId")

#: RunTask's `clientToken`: the first answer and a fingerprint of the request, per token.
RUN_TASK_TOKEN: ResourceKind[RunTaskTokenRecord] = ResourceKind(
    name="ecs.run-task-token", scope=Scope.ACCOUNT_REGION, id_field="token"
)

#: An Auto Scaling group capacity provider (`capacity_providers.py`); FARGATE and FARGATE_SPOT are
#: built in and never stored. A deleted provider stays INACTIVE until its name is used again.
CAPACITY_PROVIDER: ResourceKind[CapacityProviderRecord] = ResourceKind(
    name="ecs.capacity-provider",
    scope=Scope.ACCOUNT_REGION,
    id_field="name",
    indexes=lambda provider: {"group": provider["_groupName"]},
)
