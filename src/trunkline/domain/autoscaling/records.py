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
    Status: NotRequired[str]  # "Delete in progress"
    _causes: list[str]  # the causes of the scaling activities the next reconcile starts
