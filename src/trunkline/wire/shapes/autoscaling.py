"""Request shapes of the Auto Scaling operations trunkline implements.

Generated from botocore's service model by `python -m trunkline.wire.generate_shapes`: do not
edit; regenerate."""

from __future__ import annotations

from typing import Required, TypedDict


class AttachInstancesQuery(TypedDict, total=False):
    InstanceIds: list[str]
    AutoScalingGroupName: Required[str]


class CancelInstanceRefreshType(TypedDict, total=False):
    AutoScalingGroupName: Required[str]
    WaitForTransitioningInstances: bool


class CompleteLifecycleActionType(TypedDict, total=False):
    LifecycleHookName: Required[str]
    AutoScalingGroupName: Required[str]
    LifecycleActionToken: str
    LifecycleActionResult: Required[str]
    InstanceId: str


class CreateAutoScalingGroupType(TypedDict, total=False):
    AutoScalingGroupName: Required[str]
    LaunchConfigurationName: str
    LaunchTemplate: LaunchTemplateSpecification
    MixedInstancesPolicy: MixedInstancesPolicy
    InstanceId: str
    MinSize: Required[int]
    MaxSize: Required[int]
    DesiredCapacity: int
    DefaultCooldown: int
    AvailabilityZones: list[str]
    AvailabilityZoneIds: list[str]
    LoadBalancerNames: list[str]
    TargetGroupARNs: list[str]
    HealthCheckType: str
    HealthCheckGracePeriod: int
    PlacementGroup: str
    VPCZoneIdentifier: str
    TerminationPolicies: list[str]
    NewInstancesProtectedFromScaleIn: bool
    CapacityRebalance: bool
    LifecycleHookSpecificationList: list[LifecycleHookSpecification]
    DeletionProtection: str
    Tags: list[Tag]
    ServiceLinkedRoleARN: str
    MaxInstanceLifetime: int
    Context: str
    DesiredCapacityType: str
    DefaultInstanceWarmup: int
    TrafficSources: list[TrafficSourceIdentifier]
    InstanceMaintenancePolicy: InstanceMaintenancePolicy
    AvailabilityZoneDistribution: AvailabilityZoneDistribution
    AvailabilityZoneImpairmentPolicy: AvailabilityZoneImpairmentPolicy
    SkipZonalShiftValidation: bool
    CapacityReservationSpecification: CapacityReservationSpecification
    InstanceLifecyclePolicy: InstanceLifecyclePolicy
    Operator: Operator


class CreateOrUpdateTagsType(TypedDict, total=False):
    Tags: Required[list[Tag]]


class DeleteAutoScalingGroupType(TypedDict, total=False):
    AutoScalingGroupName: Required[str]
    ForceDelete: bool


class DeleteLifecycleHookType(TypedDict, total=False):
    LifecycleHookName: Required[str]
    AutoScalingGroupName: Required[str]


class DeletePolicyType(TypedDict, total=False):
    AutoScalingGroupName: str
    PolicyName: Required[str]


class DeleteTagsType(TypedDict, total=False):
    Tags: Required[list[Tag]]


class AutoScalingGroupNamesType(TypedDict, total=False):
    AutoScalingGroupNames: list[str]
    IncludeInstances: bool
    IncludeManagedResources: bool
    NextToken: str
    MaxRecords: int
    Filters: list[Filter]


class DescribeAutoScalingInstancesType(TypedDict, total=False):
    InstanceIds: list[str]
    IncludeManagedResources: bool
    MaxRecords: int
    NextToken: str


class DescribeInstanceRefreshesType(TypedDict, total=False):
    AutoScalingGroupName: Required[str]
    InstanceRefreshIds: list[str]
    NextToken: str
    MaxRecords: int


class DescribeLifecycleHooksType(TypedDict, total=False):
    AutoScalingGroupName: Required[str]
    LifecycleHookNames: list[str]


class DescribePoliciesType(TypedDict, total=False):
    AutoScalingGroupName: str
    PolicyNames: list[str]
    PolicyTypes: list[str]
    IncludeManagedResources: bool
    NextToken: str
    MaxRecords: int


class DescribeScalingActivitiesType(TypedDict, total=False):
    ActivityIds: list[str]
    AutoScalingGroupName: str
    IncludeDeletedGroups: bool
    IncludeManagedResources: bool
    MaxRecords: int
    NextToken: str
    Filters: list[Filter]


class DescribeTagsType(TypedDict, total=False):
    Filters: list[Filter]
    IncludeManagedResources: bool
    NextToken: str
    MaxRecords: int


class DetachInstancesQuery(TypedDict, total=False):
    InstanceIds: list[str]
    AutoScalingGroupName: Required[str]
    ShouldDecrementDesiredCapacity: Required[bool]


class DisableMetricsCollectionQuery(TypedDict, total=False):
    AutoScalingGroupName: Required[str]
    Metrics: list[str]


class EnableMetricsCollectionQuery(TypedDict, total=False):
    AutoScalingGroupName: Required[str]
    Metrics: list[str]
    Granularity: Required[str]


class EnterStandbyQuery(TypedDict, total=False):
    InstanceIds: list[str]
    AutoScalingGroupName: Required[str]
    ShouldDecrementDesiredCapacity: Required[bool]


class ExitStandbyQuery(TypedDict, total=False):
    InstanceIds: list[str]
    AutoScalingGroupName: Required[str]


class PutLifecycleHookType(TypedDict, total=False):
    LifecycleHookName: Required[str]
    AutoScalingGroupName: Required[str]
    LifecycleTransition: str
    RoleARN: str
    NotificationTargetARN: str
    NotificationMetadata: str
    HeartbeatTimeout: int
    DefaultResult: str


class PutScalingPolicyType(TypedDict, total=False):
    AutoScalingGroupName: Required[str]
    PolicyName: Required[str]
    PolicyType: str
    AdjustmentType: str
    MinAdjustmentStep: int
    MinAdjustmentMagnitude: int
    ScalingAdjustment: int
    Cooldown: int
    MetricAggregationType: str
    StepAdjustments: list[StepAdjustment]
    EstimatedInstanceWarmup: int
    TargetTrackingConfiguration: TargetTrackingConfiguration
    Enabled: bool
    PredictiveScalingConfiguration: PredictiveScalingConfiguration


class RecordLifecycleActionHeartbeatType(TypedDict, total=False):
    LifecycleHookName: Required[str]
    AutoScalingGroupName: Required[str]
    LifecycleActionToken: str
    InstanceId: str


class ScalingProcessQuery(TypedDict, total=False):
    AutoScalingGroupName: Required[str]
    ScalingProcesses: list[str]


class SetDesiredCapacityType(TypedDict, total=False):
    AutoScalingGroupName: Required[str]
    DesiredCapacity: Required[int]
    HonorCooldown: bool


class SetInstanceProtectionQuery(TypedDict, total=False):
    InstanceIds: Required[list[str]]
    AutoScalingGroupName: Required[str]
    ProtectedFromScaleIn: Required[bool]


class StartInstanceRefreshType(TypedDict, total=False):
    AutoScalingGroupName: Required[str]
    Strategy: str
    DesiredConfiguration: DesiredConfiguration
    Preferences: RefreshPreferences


class TerminateInstanceInAutoScalingGroupType(TypedDict, total=False):
    InstanceId: str
    InstanceIds: list[str]
    AutoScalingGroupName: str
    ShouldDecrementDesiredCapacity: Required[bool]


class UpdateAutoScalingGroupType(TypedDict, total=False):
    AutoScalingGroupName: Required[str]
    LaunchConfigurationName: str
    LaunchTemplate: LaunchTemplateSpecification
    MixedInstancesPolicy: MixedInstancesPolicy
    MinSize: int
    MaxSize: int
    DesiredCapacity: int
    DefaultCooldown: int
    AvailabilityZones: list[str]
    AvailabilityZoneIds: list[str]
    HealthCheckType: str
    HealthCheckGracePeriod: int
    PlacementGroup: str
    VPCZoneIdentifier: str
    TerminationPolicies: list[str]
    NewInstancesProtectedFromScaleIn: bool
    ServiceLinkedRoleARN: str
    MaxInstanceLifetime: int
    CapacityRebalance: bool
    Context: str
    DesiredCapacityType: str
    DefaultInstanceWarmup: int
    InstanceMaintenancePolicy: InstanceMaintenancePolicy
    AvailabilityZoneDistribution: AvailabilityZoneDistribution
    AvailabilityZoneImpairmentPolicy: AvailabilityZoneImpairmentPolicy
    SkipZonalShiftValidation: bool
    CapacityReservationSpecification: CapacityReservationSpecification
    InstanceLifecyclePolicy: InstanceLifecyclePolicy
    DeletionProtection: str


class LaunchTemplateSpecification(TypedDict, total=False):
    LaunchTemplateId: str
    LaunchTemplateName: str
    Version: str


class MixedInstancesPolicy(TypedDict, total=False):
    LaunchTemplate: LaunchTemplate
    InstancesDistribution: InstancesDistribution


class LifecycleHookSpecification(TypedDict, total=False):
    LifecycleHookName: Required[str]
    LifecycleTransition: Required[str]
    NotificationMetadata: str
    HeartbeatTimeout: int
    DefaultResult: str
    NotificationTargetARN: str
    RoleARN: str


class Tag(TypedDict, total=False):
    ResourceId: str
    ResourceType: str
    Key: Required[str]
    Value: str
    PropagateAtLaunch: bool


class TrafficSourceIdentifier(TypedDict, total=False):
    Identifier: Required[str]
    Type: str


class InstanceMaintenancePolicy(TypedDict, total=False):
    MinHealthyPercentage: int
    MaxHealthyPercentage: int


class AvailabilityZoneDistribution(TypedDict, total=False):
    CapacityDistributionStrategy: str


class AvailabilityZoneImpairmentPolicy(TypedDict, total=False):
    ZonalShiftEnabled: bool
    ImpairedZoneHealthCheckBehavior: str


class CapacityReservationSpecification(TypedDict, total=False):
    CapacityReservationPreference: str
    CapacityReservationTarget: CapacityReservationTarget


class InstanceLifecyclePolicy(TypedDict, total=False):
    RetentionTriggers: RetentionTriggers


class Operator(TypedDict, total=False):
    Principal: Required[str]


class Filter(TypedDict, total=False):
    Name: str
    Values: list[str]


class StepAdjustment(TypedDict, total=False):
    MetricIntervalLowerBound: float
    MetricIntervalUpperBound: float
    ScalingAdjustment: Required[int]


class TargetTrackingConfiguration(TypedDict, total=False):
    PredefinedMetricSpecification: PredefinedMetricSpecification
    CustomizedMetricSpecification: CustomizedMetricSpecification
    TargetValue: Required[float]
    DisableScaleIn: bool


class PredictiveScalingConfiguration(TypedDict, total=False):
    MetricSpecifications: Required[list[PredictiveScalingMetricSpecification]]
    Mode: str
    SchedulingBufferTime: int
    MaxCapacityBreachBehavior: str
    MaxCapacityBuffer: int


class DesiredConfiguration(TypedDict, total=False):
    LaunchTemplate: LaunchTemplateSpecification
    MixedInstancesPolicy: MixedInstancesPolicy


class RefreshPreferences(TypedDict, total=False):
    MinHealthyPercentage: int
    InstanceWarmup: int
    CheckpointPercentages: list[int]
    CheckpointDelay: int
    SkipMatching: bool
    AutoRollback: bool
    ScaleInProtectedInstances: str
    StandbyInstances: str
    AlarmSpecification: AlarmSpecification
    MaxHealthyPercentage: int
    BakeTime: int


class LaunchTemplate(TypedDict, total=False):
    LaunchTemplateSpecification: LaunchTemplateSpecification
    Overrides: list[LaunchTemplateOverrides]


class InstancesDistribution(TypedDict, total=False):
    OnDemandAllocationStrategy: str
    OnDemandBaseCapacity: int
    OnDemandPercentageAboveBaseCapacity: int
    SpotAllocationStrategy: str
    SpotInstancePools: int
    SpotMaxPrice: str
    DistributionSegments: list[DistributionSegment]


class CapacityReservationTarget(TypedDict, total=False):
    CapacityReservationIds: list[str]
    CapacityReservationResourceGroupArns: list[str]


class RetentionTriggers(TypedDict, total=False):
    TerminateHookAbandon: str


class PredefinedMetricSpecification(TypedDict, total=False):
    PredefinedMetricType: Required[str]
    ResourceLabel: str


class CustomizedMetricSpecification(TypedDict, total=False):
    MetricName: str
    Namespace: str
    Dimensions: list[MetricDimension]
    Statistic: str
    Unit: str
    Period: int
    Metrics: list[TargetTrackingMetricDataQuery]


class PredictiveScalingMetricSpecification(TypedDict, total=False):
    TargetValue: Required[float]
    PredefinedMetricPairSpecification: PredictiveScalingPredefinedMetricPair
    PredefinedScalingMetricSpecification: PredictiveScalingPredefinedScalingMetric
    PredefinedLoadMetricSpecification: PredictiveScalingPredefinedLoadMetric
    CustomizedScalingMetricSpecification: PredictiveScalingCustomizedScalingMetric
    CustomizedLoadMetricSpecification: PredictiveScalingCustomizedLoadMetric
    CustomizedCapacityMetricSpecification: PredictiveScalingCustomizedCapacityMetric


class AlarmSpecification(TypedDict, total=False):
    Alarms: list[str]


class LaunchTemplateOverrides(TypedDict, total=False):
    InstanceType: str
    WeightedCapacity: str
    LaunchTemplateSpecification: LaunchTemplateSpecification
    InstanceRequirements: InstanceRequirements
    ImageId: str


class DistributionSegment(TypedDict, total=False):
    TargetCapacityTypes: list[str]


class MetricDimension(TypedDict, total=False):
    Name: Required[str]
    Value: Required[str]


class TargetTrackingMetricDataQuery(TypedDict, total=False):
    Id: Required[str]
    Expression: str
    MetricStat: TargetTrackingMetricStat
    Label: str
    Period: int
    ReturnData: bool


class PredictiveScalingPredefinedMetricPair(TypedDict, total=False):
    PredefinedMetricType: Required[str]
    ResourceLabel: str


class PredictiveScalingPredefinedScalingMetric(TypedDict, total=False):
    PredefinedMetricType: Required[str]
    ResourceLabel: str


class PredictiveScalingPredefinedLoadMetric(TypedDict, total=False):
    PredefinedMetricType: Required[str]
    ResourceLabel: str


class PredictiveScalingCustomizedScalingMetric(TypedDict, total=False):
    MetricDataQueries: Required[list[MetricDataQuery]]


class PredictiveScalingCustomizedLoadMetric(TypedDict, total=False):
    MetricDataQueries: Required[list[MetricDataQuery]]


class PredictiveScalingCustomizedCapacityMetric(TypedDict, total=False):
    MetricDataQueries: Required[list[MetricDataQuery]]


class InstanceRequirements(TypedDict, total=False):
    VCpuCount: Required[VCpuCountRequest]
    MemoryMiB: Required[MemoryMiBRequest]
    CpuManufacturers: list[str]
    MemoryGiBPerVCpu: MemoryGiBPerVCpuRequest
    ExcludedInstanceTypes: list[str]
    InstanceGenerations: list[str]
    SpotMaxPricePercentageOverLowestPrice: int
    MaxSpotPriceAsPercentageOfOptimalOnDemandPrice: int
    OnDemandMaxPricePercentageOverLowestPrice: int
    BareMetal: str
    BurstablePerformance: str
    RequireHibernateSupport: bool
    NetworkInterfaceCount: NetworkInterfaceCountRequest
    LocalStorage: str
    LocalStorageTypes: list[str]
    TotalLocalStorageGB: TotalLocalStorageGBRequest
    BaselineEbsBandwidthMbps: BaselineEbsBandwidthMbpsRequest
    AcceleratorTypes: list[str]
    AcceleratorCount: AcceleratorCountRequest
    AcceleratorManufacturers: list[str]
    AcceleratorNames: list[str]
    AcceleratorTotalMemoryMiB: AcceleratorTotalMemoryMiBRequest
    NetworkBandwidthGbps: NetworkBandwidthGbpsRequest
    AllowedInstanceTypes: list[str]
    BaselinePerformanceFactors: BaselinePerformanceFactorsRequest


class TargetTrackingMetricStat(TypedDict, total=False):
    Metric: Required[Metric]
    Stat: Required[str]
    Unit: str
    Period: int


class MetricDataQuery(TypedDict, total=False):
    Id: Required[str]
    Expression: str
    MetricStat: MetricStat
    Label: str
    ReturnData: bool


class VCpuCountRequest(TypedDict, total=False):
    Min: Required[int]
    Max: int


class MemoryMiBRequest(TypedDict, total=False):
    Min: Required[int]
    Max: int


class MemoryGiBPerVCpuRequest(TypedDict, total=False):
    Min: float
    Max: float


class NetworkInterfaceCountRequest(TypedDict, total=False):
    Min: int
    Max: int


class TotalLocalStorageGBRequest(TypedDict, total=False):
    Min: float
    Max: float


class BaselineEbsBandwidthMbpsRequest(TypedDict, total=False):
    Min: int
    Max: int


class AcceleratorCountRequest(TypedDict, total=False):
    Min: int
    Max: int


class AcceleratorTotalMemoryMiBRequest(TypedDict, total=False):
    Min: int
    Max: int


class NetworkBandwidthGbpsRequest(TypedDict, total=False):
    Min: float
    Max: float


class BaselinePerformanceFactorsRequest(TypedDict, total=False):
    Cpu: CpuPerformanceFactorRequest


class Metric(TypedDict, total=False):
    Namespace: Required[str]
    MetricName: Required[str]
    Dimensions: list[MetricDimension]


class MetricStat(TypedDict, total=False):
    Metric: Required[Metric]
    Stat: Required[str]
    Unit: str


class CpuPerformanceFactorRequest(TypedDict, total=False):
    References: list[PerformanceFactorReferenceRequest]


class PerformanceFactorReferenceRequest(TypedDict, total=False):
    InstanceFamily: str
