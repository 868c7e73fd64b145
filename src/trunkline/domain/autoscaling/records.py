"""The stored Auto Scaling group record, typed as the EC2 and ECS records are (see
`domain/ec2/records.py` for why a TypedDict): the AutoScalingGroup shape's members plus private
fields (leading `_`), dropped by the public view."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

Nested = dict[str, Any]


class AutoScalingGroupRecord(TypedDict):
    AutoScalingGroupName: str
    AutoScalingGroupARN: str
    LaunchTemplate: NotRequired[Nested]  # this or MixedInstancesPolicy
    MixedInstancesPolicy: NotRequired[Nested]
    MinSize: int
    MaxSize: int
    DesiredCapacity: int
    DefaultCooldown: int
    HealthCheckType: str
    HealthCheckGracePeriod: int
    TerminationPolicies: list[str]
    NewInstancesProtectedFromScaleIn: bool
    CapacityRebalance: bool
    AvailabilityZones: list[str]
    LoadBalancerNames: list[str]
    TargetGroupARNs: list[str]
    CreatedTime: float
    SuspendedProcesses: list[Nested]
    VPCZoneIdentifier: str
    EnabledMetrics: list[Nested]
    Tags: list[Nested]  # with ResourceId, ResourceType and PropagateAtLaunch
    ServiceLinkedRoleARN: str
    TrafficSources: list[Nested]
    MaxInstanceLifetime: NotRequired[int]
    DefaultInstanceWarmup: NotRequired[int]
    Context: NotRequired[str]
    DesiredCapacityType: NotRequired[str]
    InstanceMaintenancePolicy: NotRequired[Nested]  # as given (no instance refresh to apply it to)
    Status: NotRequired[str]  # "Delete in progress"
    _causes: list[str]  # the causes of the scaling activities the next reconcile starts


class HookWait(TypedDict):
    """One hook's wait within a lifecycle action, in the timing profile's time."""

    heartbeat: float
    deadline: float
    globalDeadline: float
    defaultResult: str


class LifecycleAction(TypedDict):
    """A member's open lifecycle action (lifecycle.py): the hooks it still waits for."""

    token: str
    transition: str  # autoscaling:EC2_INSTANCE_LAUNCHING or ..._TERMINATING
    result: str  # CONTINUE, or ABANDON once one hook abandoned
    hooks: dict[str, HookWait]


class MemberRecord(TypedDict):
    """An instance's membership of a group (the Instance shape), kept until the instance is gone."""

    InstanceId: str
    AutoScalingGroupName: str
    InstanceType: str
    AvailabilityZone: str
    LifecycleState: str
    HealthStatus: str
    LaunchTemplate: NotRequired[
        Nested
    ]  # {LaunchTemplateId, LaunchTemplateName, Version}; absent when attached from none
    ProtectedFromScaleIn: bool
    _launchedAt: float
    _activity: str  # the id of its latest scaling activity
    _lifecycle: NotRequired[LifecycleAction]  # while in a Pending:Wait or Terminating:Wait
    _leavingStandby: NotRequired[bool]  # Pending after ExitStandby, in service at the next reconcile
    _attaching: NotRequired[bool]  # Pending after AttachInstances, in service at the next reconcile


class ActivityRecord(TypedDict):
    ActivityId: str
    AutoScalingGroupName: str
    AutoScalingGroupARN: str
    Description: str
    Cause: str
    StartTime: float
    StatusCode: str
    Progress: int
    Details: str  # JSON text, as the Activity shape has it
    EndTime: NotRequired[float]  # once ended
    StatusMessage: NotRequired[str]


class ScalingPolicyRecord(TypedDict):
    """A scaling policy (the ScalingPolicy shape), keyed `GROUP/POLICY`; the optional members are
    copied from PutScalingPolicy as given."""

    AutoScalingGroupName: str
    PolicyName: str
    PolicyARN: str
    PolicyType: str
    Alarms: list[Nested]
    Enabled: bool
    AdjustmentType: NotRequired[str]
    MinAdjustmentMagnitude: NotRequired[int]
    ScalingAdjustment: NotRequired[int]
    Cooldown: NotRequired[int]
    MetricAggregationType: NotRequired[str]
    StepAdjustments: NotRequired[list[Nested]]
    EstimatedInstanceWarmup: NotRequired[int]
    TargetTrackingConfiguration: NotRequired[Nested]
    PredictiveScalingConfiguration: NotRequired[Nested]


class LifecycleHookRecord(TypedDict):
    """A lifecycle hook (the LifecycleHook shape), keyed `GROUP/HOOK`."""

    LifecycleHookName: str
    AutoScalingGroupName: str
    LifecycleTransition: str
    HeartbeatTimeout: int
    GlobalTimeout: int
    DefaultResult: str
    NotificationTargetARN: NotRequired[str]
    RoleARN: NotRequired[str]
    NotificationMetadata: NotRequired[str]


class InstanceRefreshRecord(TypedDict):
    """An instance refresh (the InstanceRefresh shape) plus its progress (`refreshes.py`)."""

    InstanceRefreshId: str
    AutoScalingGroupName: str
    Status: str
    StartTime: float
    EndTime: NotRequired[float]
    PercentageComplete: int
    InstancesToUpdate: int
    ProgressDetails: Nested  # {LivePoolProgress: {PercentageComplete, InstancesToUpdate}}
    Preferences: Nested
    Strategy: str
    _total: int  # how many instances the refresh replaces
    _pending: list[str]  # the instances it has yet to take out of service
    _replacing: list[str]  # the batch taken out of service, until its replacements are in service
    _warmUntil: float  # the end of the last batch's warm-up
