"""The stored ECS records, typed: each a `TypedDict` in the output shape's member names, plus the
private fields trunkline keeps beside them (starting with `_`, dropped by the public view). A
member set only in some states (a stopped task's `stoppedAt`) is `NotRequired`.

TypedDict rather than dataclass, as for the EC2 records (`domain/ec2/records.py`): a record is
stored as JSON and answered nearly as stored, so a TypedDict costs nothing at run time (no
conversion on each of the thousands of reads a placement makes) while mypy still refuses a
misspelt or missing member where the record is built or read through one of these types.
Nested structures the domain passes through unchanged (container definitions, overrides) stay
plain dicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NotRequired, TypedDict

Tag = dict[str, str]  # {"key", "value"}, ECS's lower-case tag members
Nested = dict[str, Any]


class ClusterRecord(TypedDict):
    clusterArn: str
    clusterName: str
    status: str  # ACTIVE or INACTIVE (a deleted cluster stays, as in ECS)
    tags: list[Tag]
    settings: list[dict[str, str]]  # containerInsights
    capacityProviders: list[str]
    defaultCapacityProviderStrategy: list[Nested]
    createdAt: float
    configuration: NotRequired[Mapping[str, Any]]  # as given (executeCommandConfiguration, ...)
    deletedAt: NotRequired[float]


class CapacityProviderRecord(TypedDict):
    capacityProviderArn: str
    name: str
    status: str
    autoScalingGroupProvider: Nested  # managedScaling filled with AWS's defaults
    tags: list[Tag]
    type: str  # EC2_AUTOSCALING
    updateStatus: NotRequired[str]
    updateStatusReason: NotRequired[str]
    _groupName: str  # the Auto Scaling group it manages
    _clusters: list[str]  # names of the clusters it is associated with
    _policyName: NotRequired[str]  # the target-tracking policy managed scaling puts on the group
    _alarmHigh: NotRequired[str]
    _alarmLow: NotRequired[str]
    _roundDue: NotRequired[bool]  # a managed-scaling round is scheduled
    _reservation: NotRequired[Nested]  # CapacityProviderReservation, last computed
    _lowRounds: NotRequired[int]  # consecutive rounds below target (scale-in waits for several)


class TaskDefinitionRecord(TypedDict):
    taskDefinitionArn: str
    family: str
    revision: int
    status: str  # ACTIVE, INACTIVE or DELETE_IN_PROGRESS
    containerDefinitions: list[Nested]
    volumes: list[Nested]
    placementConstraints: list[Nested]
    enableFaultInjection: bool
    requiresAttributes: list[Nested]
    compatibilities: list[str]
    registeredAt: float
    registeredBy: str
    tags: list[Tag]
    cpu: NotRequired[str]
    memory: NotRequired[str]
    # members echoed as given (task_definitions._ECHOED)
    taskRoleArn: NotRequired[str]
    executionRoleArn: NotRequired[str]
    networkMode: NotRequired[str]
    requiresCompatibilities: NotRequired[list[str]]
    runtimePlatform: NotRequired[Nested]
    inferenceAccelerators: NotRequired[list[Nested]]
    pidMode: NotRequired[str]
    ipcMode: NotRequired[str]
    proxyConfiguration: NotRequired[Nested]
    ephemeralStorage: NotRequired[Nested]
    deregisteredAt: NotRequired[float]
    deleteRequestedAt: NotRequired[float]


class ServiceRecord(TypedDict):
    serviceArn: str
    serviceName: str
    clusterArn: str
    loadBalancers: list[Nested]
    serviceRegistries: list[Nested]
    status: str  # ACTIVE, DRAINING or INACTIVE
    desiredCount: int
    taskDefinition: str
    deploymentConfiguration: Nested
    availabilityZoneRebalancing: str
    events: list[Nested]
    createdAt: float
    placementConstraints: Sequence[Mapping[str, Any]]  # as given
    placementStrategy: Sequence[Mapping[str, Any]]
    schedulingStrategy: str  # REPLICA
    deploymentController: dict[str, str]
    createdBy: str
    enableECSManagedTags: bool
    propagateTags: str
    enableExecuteCommand: bool
    tags: list[Tag]
    launchType: NotRequired[str]
    capacityProviderStrategy: NotRequired[list[Nested]]
    networkConfiguration: NotRequired[Nested]
    healthCheckGracePeriodSeconds: NotRequired[int]
    platformVersion: NotRequired[str]
    platformFamily: NotRequired[str]
    _account: str
    _region: str
    _passDue: bool  # a scheduler pass is scheduled
    _launchType: NotRequired[str]  # the launch type its tasks report when it runs through providers
    _deployments: NotRequired[list[Nested]]
    _throttle: NotRequired[Nested]  # retries after tasks failed to start (service_throttle.py)


class TaskRecord(TypedDict):
    taskArn: str
    clusterArn: str
    taskDefinitionArn: str
    attachments: list[Nested]  # the task ENI's ElasticNetworkInterface attachment (awsvpc)
    attributes: list[dict[str, str]]
    containers: list[Nested]
    cpu: str
    memory: str
    createdAt: float
    desiredStatus: str
    lastStatus: str
    launchType: str
    group: str
    overrides: Nested
    enableExecuteCommand: bool
    tags: list[Tag]
    version: int
    availabilityZone: NotRequired[str]
    containerInstanceArn: NotRequired[str]  # not while PROVISIONING for capacity
    capacityProviderName: NotRequired[str]
    startedBy: NotRequired[str]
    platformVersion: NotRequired[str]
    platformFamily: NotRequired[str]
    connectivity: NotRequired[str]
    connectivityAt: NotRequired[float]
    pullStartedAt: NotRequired[float]
    pullStoppedAt: NotRequired[float]
    startedAt: NotRequired[float]
    stopCode: NotRequired[str]
    stoppedReason: NotRequired[str]
    stoppingAt: NotRequired[float]
    stoppedAt: NotRequired[float]
    executionStoppedAt: NotRequired[float]
    _account: str
    _region: str
    _family: str
    _awsvpc: bool  # networkMode awsvpc: it has (or waits for) a task ENI
    _demand: Nested  # cpu, memory, ports held on its container instance
    _eni: Nested  # the task ENI's reference (task_enis.py)
    _portMappings: Nested
    _updatedAt: NotRequired[float]
    _ec2InstanceId: NotRequired[str]
    _serviceName: NotRequired[str]
    _waiting: NotRequired[bool]  # PROVISIONING, waiting for a provider's capacity
    _needsEni: NotRequired[bool]
    _launch: NotRequired[Nested]  # how to place it later (a waiting task)
    _orphaned: NotRequired[bool]


class ContainerInstanceRecord(TypedDict):
    containerInstanceArn: str
    ec2InstanceId: str
    version: int
    versionInfo: Nested
    remainingResources: list[Nested]
    registeredResources: list[Nested]
    status: str  # REGISTERING, ACTIVE, DRAINING, DEREGISTERING, INACTIVE, ...
    agentConnected: bool
    runningTasksCount: int
    pendingTasksCount: int
    attributes: list[dict[str, str]]
    registeredAt: float
    attachments: list[Nested]  # the trunk ENI's attachment
    tags: list[Tag]
    capacityProviderName: NotRequired[str]
    statusReason: NotRequired[str]
    _cluster: str  # its cluster's ARN
    _region: str
    _account: str
    _trunking: Nested  # the trunking decision taken at registration (trunking.py)
    _registeredBy: str
    _instanceType: str
    _subnetId: str
    _vpcId: str
    _availabilityZone: str
    _updatedAt: NotRequired[float]
    _trunk: NotRequired[Nested]  # the trunk ENI, once provisioned
    _eniRoom: NotRequired[int]  # branch ENIs it can still take
    _mtpBusy: NotRequired[bool]  # managed termination protection last set busy (managed_scaling._protect)


# --- trunkline's own ECS bookkeeping (no AWS shape: never answered as a resource) -----------------


class PlacementFailuresRecord(TypedDict):
    """Placement failures of one cluster, counted by reason (`placement_failures.py`)."""

    cluster: str  # NAME@createdAt: a cluster created again under the same name starts from zero
    clusterArn: str
    reasons: dict[str, int]  # RESOURCE:ENI, RESOURCE:MEMORY, MemberOf, ... -> tasks not placed


class AccountSettingRecord(TypedDict):
    """One principal's own value of one account setting (the root's: the account default)."""

    name: str
    value: str
    principalArn: str


class TaskDefinitionFamilyRecord(TypedDict):
    family: str
    lastRevision: int  # the next registration is lastRevision + 1, even after deregistrations
    active: int  # ACTIVE revisions


class AgentTraceLine(TypedDict):
    time: str  # ISO 8601
    message: str


class AgentRecord(TypedDict):
    """The simulated ECS agent of one EC2 instance (`agent.py`), served at
    `/_trunkline/agents/<instance-id>` without `boot`."""

    instanceId: str
    imageId: str
    boot: int  # starts so far: a scheduled registration of an earlier start is dropped
    trace: list[AgentTraceLine]  # the last 100 lines, oldest first
    state: NotRequired[str]  # starting, registered, failed, disconnected, stopped, terminated, no-agent
    reason: NotRequired[str | None]
    updatedAt: NotRequired[str]  # ISO 8601
    agentVersion: NotRequired[str]
    config: NotRequired[dict[str, Any]]  # what it made of its configuration (AgentConfig.summary)
    trunkingCapability: NotRequired[dict[str, Any]]  # {advertised, detail}
    cluster: NotRequired[str]  # once it registered
    containerInstanceArn: NotRequired[str]
    registeredAs: NotRequired[str]  # the role session's ARN
    reachedViaPublicIp: NotRequired[bool]


class RunTaskTokenRecord(TypedDict):
    """RunTask's `clientToken`: the first answer, for a retry with the same request."""

    token: str
    fingerprint: str  # SHA-256 of the request without its token
    result: dict[str, Any]  # RunTask's answer, {tasks, failures}
