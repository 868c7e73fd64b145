"""Request shapes of the ECS operations trunkline implements.

Generated from botocore's service model by `python -m trunkline.wire.generate_shapes`: do not
edit; regenerate."""

from __future__ import annotations

from typing import Required, TypedDict


class CreateCapacityProviderRequest(TypedDict, total=False):
    name: Required[str]
    cluster: str
    autoScalingGroupProvider: AutoScalingGroupProvider
    managedInstancesProvider: CreateManagedInstancesProviderConfiguration
    tags: list[Tag]


class CreateClusterRequest(TypedDict, total=False):
    clusterName: str
    tags: list[Tag]
    settings: list[ClusterSetting]
    configuration: ClusterConfiguration
    capacityProviders: list[str]
    defaultCapacityProviderStrategy: list[CapacityProviderStrategyItem]
    serviceConnectDefaults: ClusterServiceConnectDefaultsRequest


class CreateServiceRequest(TypedDict, total=False):
    cluster: str
    serviceName: Required[str]
    taskDefinition: str
    availabilityZoneRebalancing: str
    loadBalancers: list[LoadBalancer]
    serviceRegistries: list[ServiceRegistry]
    desiredCount: int
    clientToken: str
    launchType: str
    capacityProviderStrategy: list[CapacityProviderStrategyItem]
    platformVersion: str
    role: str
    deploymentConfiguration: DeploymentConfiguration
    placementConstraints: list[PlacementConstraint]
    placementStrategy: list[PlacementStrategy]
    networkConfiguration: NetworkConfiguration
    healthCheckGracePeriodSeconds: int
    schedulingStrategy: str
    deploymentController: DeploymentController
    tags: list[Tag]
    enableECSManagedTags: bool
    propagateTags: str
    enableExecuteCommand: bool
    serviceConnectConfiguration: ServiceConnectConfiguration
    volumeConfigurations: list[ServiceVolumeConfiguration]
    vpcLatticeConfigurations: list[VpcLatticeConfiguration]
    gatewayConnectors: list[GatewayConnector]
    monitoring: MonitoringConfiguration


class DeleteAccountSettingRequest(TypedDict, total=False):
    name: Required[str]
    principalArn: str


class DeleteAttributesRequest(TypedDict, total=False):
    cluster: str
    attributes: Required[list[Attribute]]


class DeleteCapacityProviderRequest(TypedDict, total=False):
    capacityProvider: Required[str]
    cluster: str


class DeleteClusterRequest(TypedDict, total=False):
    cluster: Required[str]


class DeleteServiceRequest(TypedDict, total=False):
    cluster: str
    service: Required[str]
    force: bool


class DeleteTaskDefinitionsRequest(TypedDict, total=False):
    taskDefinitions: Required[list[str]]


class DeregisterContainerInstanceRequest(TypedDict, total=False):
    cluster: str
    containerInstance: Required[str]
    force: bool


class DeregisterTaskDefinitionRequest(TypedDict, total=False):
    taskDefinition: Required[str]


class DescribeCapacityProvidersRequest(TypedDict, total=False):
    capacityProviders: list[str]
    cluster: str
    include: list[str]
    maxResults: int
    nextToken: str


class DescribeClustersRequest(TypedDict, total=False):
    clusters: list[str]
    include: list[str]


class DescribeContainerInstancesRequest(TypedDict, total=False):
    cluster: str
    containerInstances: Required[list[str]]
    include: list[str]


class DescribeServicesRequest(TypedDict, total=False):
    cluster: str
    services: Required[list[str]]
    include: list[str]


class DescribeTaskDefinitionRequest(TypedDict, total=False):
    taskDefinition: Required[str]
    include: list[str]


class DescribeTasksRequest(TypedDict, total=False):
    cluster: str
    tasks: Required[list[str]]
    include: list[str]


class ListAccountSettingsRequest(TypedDict, total=False):
    name: str
    value: str
    principalArn: str
    effectiveSettings: bool
    nextToken: str
    maxResults: int


class ListAttributesRequest(TypedDict, total=False):
    cluster: str
    targetType: Required[str]
    attributeName: str
    attributeValue: str
    nextToken: str
    maxResults: int


class ListClustersRequest(TypedDict, total=False):
    nextToken: str
    maxResults: int


class ListContainerInstancesRequest(TypedDict, total=False):
    cluster: str
    filter: str
    nextToken: str
    maxResults: int
    status: str


class ListServicesRequest(TypedDict, total=False):
    cluster: str
    nextToken: str
    maxResults: int
    launchType: str
    schedulingStrategy: str
    resourceManagementType: str


class ListTagsForResourceRequest(TypedDict, total=False):
    resourceArn: Required[str]


class ListTaskDefinitionFamiliesRequest(TypedDict, total=False):
    familyPrefix: str
    status: str
    nextToken: str
    maxResults: int


class ListTaskDefinitionsRequest(TypedDict, total=False):
    familyPrefix: str
    status: str
    sort: str
    nextToken: str
    maxResults: int


class ListTasksRequest(TypedDict, total=False):
    cluster: str
    containerInstance: str
    family: str
    nextToken: str
    maxResults: int
    startedBy: str
    serviceName: str
    desiredStatus: str
    launchType: str
    daemonName: str


class PutAccountSettingRequest(TypedDict, total=False):
    name: Required[str]
    value: Required[str]
    principalArn: str


class PutAccountSettingDefaultRequest(TypedDict, total=False):
    name: Required[str]
    value: Required[str]


class PutAttributesRequest(TypedDict, total=False):
    cluster: str
    attributes: Required[list[Attribute]]


class PutClusterCapacityProvidersRequest(TypedDict, total=False):
    cluster: Required[str]
    capacityProviders: Required[list[str]]
    defaultCapacityProviderStrategy: Required[list[CapacityProviderStrategyItem]]


class RegisterContainerInstanceRequest(TypedDict, total=False):
    cluster: str
    instanceIdentityDocument: str
    instanceIdentityDocumentSignature: str
    totalResources: list[Resource]
    versionInfo: VersionInfo
    containerInstanceArn: str
    attributes: list[Attribute]
    platformDevices: list[PlatformDevice]
    tags: list[Tag]


class RegisterTaskDefinitionRequest(TypedDict, total=False):
    family: Required[str]
    taskRoleArn: str
    executionRoleArn: str
    networkMode: str
    containerDefinitions: Required[list[ContainerDefinition]]
    volumes: list[Volume]
    placementConstraints: list[TaskDefinitionPlacementConstraint]
    requiresCompatibilities: list[str]
    cpu: str
    memory: str
    tags: list[Tag]
    pidMode: str
    ipcMode: str
    proxyConfiguration: ProxyConfiguration
    inferenceAccelerators: list[InferenceAccelerator]
    ephemeralStorage: EphemeralStorage
    runtimePlatform: RuntimePlatform
    enableFaultInjection: bool
    trustedExecutionConfiguration: TrustedExecutionConfiguration


class RunTaskRequest(TypedDict, total=False):
    capacityProviderStrategy: list[CapacityProviderStrategyItem]
    cluster: str
    count: int
    enableECSManagedTags: bool
    enableExecuteCommand: bool
    group: str
    launchType: str
    networkConfiguration: NetworkConfiguration
    overrides: TaskOverride
    placementConstraints: list[PlacementConstraint]
    placementStrategy: list[PlacementStrategy]
    platformVersion: str
    propagateTags: str
    referenceId: str
    startedBy: str
    tags: list[Tag]
    taskDefinition: Required[str]
    clientToken: str
    volumeConfigurations: list[TaskVolumeConfiguration]


class StartTaskRequest(TypedDict, total=False):
    cluster: str
    containerInstances: Required[list[str]]
    enableECSManagedTags: bool
    enableExecuteCommand: bool
    group: str
    networkConfiguration: NetworkConfiguration
    overrides: TaskOverride
    propagateTags: str
    referenceId: str
    startedBy: str
    tags: list[Tag]
    taskDefinition: Required[str]
    volumeConfigurations: list[TaskVolumeConfiguration]


class StopTaskRequest(TypedDict, total=False):
    cluster: str
    task: Required[str]
    reason: str


class TagResourceRequest(TypedDict, total=False):
    resourceArn: Required[str]
    tags: Required[list[Tag]]


class UntagResourceRequest(TypedDict, total=False):
    resourceArn: Required[str]
    tagKeys: Required[list[str]]


class UpdateCapacityProviderRequest(TypedDict, total=False):
    name: Required[str]
    cluster: str
    autoScalingGroupProvider: AutoScalingGroupProviderUpdate
    managedInstancesProvider: UpdateManagedInstancesProviderConfiguration


class UpdateClusterRequest(TypedDict, total=False):
    cluster: Required[str]
    settings: list[ClusterSetting]
    configuration: ClusterConfiguration
    serviceConnectDefaults: ClusterServiceConnectDefaultsRequest


class UpdateClusterSettingsRequest(TypedDict, total=False):
    cluster: Required[str]
    settings: Required[list[ClusterSetting]]


class UpdateContainerInstancesStateRequest(TypedDict, total=False):
    cluster: str
    containerInstances: Required[list[str]]
    status: Required[str]


class UpdateServiceRequest(TypedDict, total=False):
    cluster: str
    service: Required[str]
    desiredCount: int
    taskDefinition: str
    capacityProviderStrategy: list[CapacityProviderStrategyItem]
    deploymentConfiguration: DeploymentConfiguration
    availabilityZoneRebalancing: str
    networkConfiguration: NetworkConfiguration
    placementConstraints: list[PlacementConstraint]
    placementStrategy: list[PlacementStrategy]
    platformVersion: str
    forceNewDeployment: bool
    healthCheckGracePeriodSeconds: int
    deploymentController: DeploymentController
    enableExecuteCommand: bool
    enableECSManagedTags: bool
    loadBalancers: list[LoadBalancer]
    propagateTags: str
    serviceRegistries: list[ServiceRegistry]
    serviceConnectConfiguration: ServiceConnectConfiguration
    volumeConfigurations: list[ServiceVolumeConfiguration]
    vpcLatticeConfigurations: list[VpcLatticeConfiguration]
    gatewayConnectors: list[GatewayConnector]
    monitoring: MonitoringConfiguration


class AutoScalingGroupProvider(TypedDict, total=False):
    autoScalingGroupArn: Required[str]
    managedScaling: ManagedScaling
    managedTerminationProtection: str
    managedDraining: str


class CreateManagedInstancesProviderConfiguration(TypedDict, total=False):
    infrastructureRoleArn: Required[str]
    instanceLaunchTemplate: Required[InstanceLaunchTemplate]
    propagateTags: str
    infrastructureOptimization: InfrastructureOptimization
    autoRepairConfiguration: AutoRepairConfiguration


class Tag(TypedDict, total=False):
    key: str
    value: str


class ClusterSetting(TypedDict, total=False):
    name: str
    value: str


class ClusterConfiguration(TypedDict, total=False):
    executeCommandConfiguration: ExecuteCommandConfiguration
    managedStorageConfiguration: ManagedStorageConfiguration


class CapacityProviderStrategyItem(TypedDict, total=False):
    capacityProvider: Required[str]
    weight: int
    base: int


class ClusterServiceConnectDefaultsRequest(TypedDict, total=False):
    namespace: Required[str]


class LoadBalancer(TypedDict, total=False):
    targetGroupArn: str
    loadBalancerName: str
    containerName: str
    containerPort: int
    advancedConfiguration: AdvancedConfiguration


class ServiceRegistry(TypedDict, total=False):
    registryArn: str
    port: int
    containerName: str
    containerPort: int


class DeploymentConfiguration(TypedDict, total=False):
    deploymentCircuitBreaker: DeploymentCircuitBreaker
    maximumPercent: int
    minimumHealthyPercent: int
    alarms: DeploymentAlarms
    strategy: str
    bakeTimeInMinutes: int
    lifecycleHooks: list[DeploymentLifecycleHook]
    linearConfiguration: LinearConfiguration
    canaryConfiguration: CanaryConfiguration
    earlySuccessCriteria: DeploymentEarlySuccessCriteria


class PlacementConstraint(TypedDict, total=False):
    type: str
    expression: str


class PlacementStrategy(TypedDict, total=False):
    type: str
    field: str


class NetworkConfiguration(TypedDict, total=False):
    awsvpcConfiguration: AwsVpcConfiguration


class DeploymentController(TypedDict, total=False):
    type: Required[str]


class ServiceConnectConfiguration(TypedDict, total=False):
    enabled: Required[bool]
    namespace: str
    services: list[ServiceConnectService]
    logConfiguration: LogConfiguration
    accessLogConfiguration: ServiceConnectAccessLogConfiguration
    containerConfigurations: list[ServiceConnectContainerConfiguration]


class ServiceVolumeConfiguration(TypedDict, total=False):
    name: Required[str]
    managedEBSVolume: ServiceManagedEBSVolumeConfiguration


class VpcLatticeConfiguration(TypedDict, total=False):
    roleArn: Required[str]
    targetGroupArn: Required[str]
    portName: Required[str]
    advancedConfiguration: VpcLatticeAdvancedConfiguration


class GatewayConnector(TypedDict, total=False):
    portName: Required[str]
    healthCheck: GatewayConnectorHealthCheck
    filters: GatewayConnectorFilters
    deregistrationDelay: GatewayConnectorDeregistrationDelay


class MonitoringConfiguration(TypedDict, total=False):
    metricConfigurations: list[MetricConfiguration]


class Attribute(TypedDict, total=False):
    name: Required[str]
    value: str
    targetType: str
    targetId: str


class Resource(TypedDict, total=False):
    name: str
    type: str
    doubleValue: float
    longValue: int
    integerValue: int
    stringSetValue: list[str]


class VersionInfo(TypedDict, total=False):
    agentVersion: str
    agentHash: str
    dockerVersion: str


class PlatformDevice(TypedDict, total=False):
    id: Required[str]
    type: Required[str]


class ContainerDefinition(TypedDict, total=False):
    name: str
    image: str
    repositoryCredentials: RepositoryCredentials
    cpu: int
    memory: int
    memoryReservation: int
    links: list[str]
    portMappings: list[PortMapping]
    essential: bool
    restartPolicy: ContainerRestartPolicy
    entryPoint: list[str]
    command: list[str]
    environment: list[KeyValuePair]
    environmentFiles: list[EnvironmentFile]
    mountPoints: list[MountPoint]
    volumesFrom: list[VolumeFrom]
    linuxParameters: LinuxParameters
    secrets: list[Secret]
    dependsOn: list[ContainerDependency]
    startTimeout: int
    stopTimeout: int
    versionConsistency: str
    hostname: str
    user: str
    workingDirectory: str
    disableNetworking: bool
    privileged: bool
    readonlyRootFilesystem: bool
    dnsServers: list[str]
    dnsSearchDomains: list[str]
    extraHosts: list[HostEntry]
    dockerSecurityOptions: list[str]
    interactive: bool
    pseudoTerminal: bool
    dockerLabels: dict[str, str]
    ulimits: list[Ulimit]
    logConfiguration: LogConfiguration
    healthCheck: HealthCheck
    systemControls: list[SystemControl]
    resourceRequirements: list[ResourceRequirement]
    firelensConfiguration: FirelensConfiguration
    credentialSpecs: list[str]


class Volume(TypedDict, total=False):
    name: str
    host: HostVolumeProperties
    dockerVolumeConfiguration: DockerVolumeConfiguration
    efsVolumeConfiguration: EFSVolumeConfiguration
    s3filesVolumeConfiguration: S3FilesVolumeConfiguration
    fsxWindowsFileServerVolumeConfiguration: FSxWindowsFileServerVolumeConfiguration
    configuredAtLaunch: bool


class TaskDefinitionPlacementConstraint(TypedDict, total=False):
    type: str
    expression: str


class ProxyConfiguration(TypedDict, total=False):
    type: str
    containerName: Required[str]
    properties: list[KeyValuePair]


class InferenceAccelerator(TypedDict, total=False):
    deviceName: Required[str]
    deviceType: Required[str]


class EphemeralStorage(TypedDict, total=False):
    sizeInGiB: Required[int]


class RuntimePlatform(TypedDict, total=False):
    cpuArchitecture: str
    operatingSystemFamily: str


class TrustedExecutionConfiguration(TypedDict, total=False):
    isolationMode: Required[str]
    attestationPolicy: str


class TaskOverride(TypedDict, total=False):
    containerOverrides: list[ContainerOverride]
    cpu: str
    inferenceAcceleratorOverrides: list[InferenceAcceleratorOverride]
    executionRoleArn: str
    memory: str
    taskRoleArn: str
    ephemeralStorage: EphemeralStorage


class TaskVolumeConfiguration(TypedDict, total=False):
    name: Required[str]
    managedEBSVolume: TaskManagedEBSVolumeConfiguration


class AutoScalingGroupProviderUpdate(TypedDict, total=False):
    managedScaling: ManagedScaling
    managedTerminationProtection: str
    managedDraining: str


class UpdateManagedInstancesProviderConfiguration(TypedDict, total=False):
    infrastructureRoleArn: Required[str]
    instanceLaunchTemplate: Required[InstanceLaunchTemplateUpdate]
    propagateTags: str
    infrastructureOptimization: InfrastructureOptimization
    autoRepairConfiguration: AutoRepairConfiguration


class ManagedScaling(TypedDict, total=False):
    status: str
    targetCapacity: int
    minimumScalingStepSize: int
    maximumScalingStepSize: int
    instanceWarmupPeriod: int


class InstanceLaunchTemplate(TypedDict, total=False):
    ec2InstanceProfileArn: Required[str]
    networkConfiguration: Required[ManagedInstancesNetworkConfiguration]
    storageConfiguration: ManagedInstancesStorageConfiguration
    localStorageConfiguration: ManagedInstancesLocalStorageConfiguration
    monitoring: str
    capacityOptionType: str
    instanceMetadataTagsPropagation: bool
    instanceRequirements: InstanceRequirementsRequest
    fipsEnabled: bool
    capacityReservations: CapacityReservationRequest
    nitroEnclavesEnabled: bool


class InfrastructureOptimization(TypedDict, total=False):
    scaleInAfter: int


class AutoRepairConfiguration(TypedDict, total=False):
    actionsStatus: str


class ExecuteCommandConfiguration(TypedDict, total=False):
    kmsKeyId: str
    logging: str
    logConfiguration: ExecuteCommandLogConfiguration


class ManagedStorageConfiguration(TypedDict, total=False):
    kmsKeyId: str
    fargateEphemeralStorageKmsKeyId: str


class AdvancedConfiguration(TypedDict, total=False):
    alternateTargetGroupArn: str
    productionListenerRule: str
    testListenerRule: str
    roleArn: str


class DeploymentCircuitBreaker(TypedDict, total=False):
    enable: Required[bool]
    rollback: Required[bool]
    resetOnHealthyTask: bool
    thresholdConfiguration: ThresholdConfiguration


class DeploymentAlarms(TypedDict, total=False):
    alarmNames: Required[list[str]]
    rollback: Required[bool]
    enable: Required[bool]


class DeploymentLifecycleHook(TypedDict, total=False):
    targetType: str
    hookTargetArn: str
    roleArn: str
    lifecycleStages: list[str]
    hookDetails: HookDetails
    timeoutConfiguration: DeploymentLifecycleHookTimeoutConfiguration


class LinearConfiguration(TypedDict, total=False):
    stepPercent: float
    stepBakeTimeInMinutes: int


class CanaryConfiguration(TypedDict, total=False):
    canaryPercent: float
    canaryBakeTimeInMinutes: int


class DeploymentEarlySuccessCriteria(TypedDict, total=False):
    enable: Required[bool]
    healthyPercent: int
    sourceServiceRevisionCleanup: str


class AwsVpcConfiguration(TypedDict, total=False):
    subnets: Required[list[str]]
    securityGroups: list[str]
    assignPublicIp: str


class ServiceConnectService(TypedDict, total=False):
    portName: Required[str]
    discoveryName: str
    clientAliases: list[ServiceConnectClientAlias]
    ingressPortOverride: int
    timeout: TimeoutConfiguration
    tls: ServiceConnectTlsConfiguration


class LogConfiguration(TypedDict, total=False):
    logDriver: Required[str]
    options: dict[str, str]
    secretOptions: list[Secret]


class ServiceConnectAccessLogConfiguration(TypedDict, total=False):
    format: Required[str]
    includeQueryParameters: str


class ServiceConnectContainerConfiguration(TypedDict, total=False):
    logLevel: str


class ServiceManagedEBSVolumeConfiguration(TypedDict, total=False):
    encrypted: bool
    kmsKeyId: str
    volumeType: str
    sizeInGiB: int
    snapshotId: str
    volumeInitializationRate: int
    iops: int
    throughput: int
    tagSpecifications: list[EBSTagSpecification]
    roleArn: Required[str]
    filesystemType: str


class VpcLatticeAdvancedConfiguration(TypedDict, total=False):
    alternateTargetGroupArn: str
    productionListenerRule: str
    testListenerRule: str


class GatewayConnectorHealthCheck(TypedDict, total=False):
    healthCheckProtocol: str
    healthCheckPort: int
    healthCheckPath: str
    healthCheckTimeoutSeconds: int
    healthCheckIntervalSeconds: int
    healthyThresholdCount: int
    unhealthyThresholdCount: int
    matcher: GatewayConnectorHealthCheckMatcher


class GatewayConnectorFilters(TypedDict, total=False):
    accessTypes: list[str]


class GatewayConnectorDeregistrationDelay(TypedDict, total=False):
    timeoutSeconds: int


class MetricConfiguration(TypedDict, total=False):
    metricNames: Required[list[str]]
    resolutionSeconds: Required[int]


class RepositoryCredentials(TypedDict, total=False):
    credentialsParameter: Required[str]


class PortMapping(TypedDict, total=False):
    containerPort: int
    hostPort: int
    protocol: str
    name: str
    appProtocol: str
    containerPortRange: str


class ContainerRestartPolicy(TypedDict, total=False):
    enabled: Required[bool]
    ignoredExitCodes: list[int]
    restartAttemptPeriod: int


class KeyValuePair(TypedDict, total=False):
    name: str
    value: str


class EnvironmentFile(TypedDict, total=False):
    value: Required[str]
    type: Required[str]


class MountPoint(TypedDict, total=False):
    sourceVolume: str
    containerPath: str
    readOnly: bool


class VolumeFrom(TypedDict, total=False):
    sourceContainer: str
    readOnly: bool


class LinuxParameters(TypedDict, total=False):
    capabilities: KernelCapabilities
    devices: list[Device]
    initProcessEnabled: bool
    sharedMemorySize: int
    tmpfs: list[Tmpfs]
    maxSwap: int
    swappiness: int


class Secret(TypedDict, total=False):
    name: Required[str]
    valueFrom: Required[str]


class ContainerDependency(TypedDict, total=False):
    containerName: Required[str]
    condition: Required[str]


class HostEntry(TypedDict, total=False):
    hostname: Required[str]
    ipAddress: Required[str]


class Ulimit(TypedDict, total=False):
    name: Required[str]
    softLimit: Required[int]
    hardLimit: Required[int]


class HealthCheck(TypedDict, total=False):
    command: Required[list[str]]
    interval: int
    timeout: int
    retries: int
    startPeriod: int


class SystemControl(TypedDict, total=False):
    namespace: str
    value: str


class ResourceRequirement(TypedDict, total=False):
    value: str
    type: Required[str]
    sharingStrategy: SharingStrategy


class FirelensConfiguration(TypedDict, total=False):
    type: Required[str]
    options: dict[str, str]


class HostVolumeProperties(TypedDict, total=False):
    sourcePath: str


class DockerVolumeConfiguration(TypedDict, total=False):
    scope: str
    autoprovision: bool
    driver: str
    driverOpts: dict[str, str]
    labels: dict[str, str]


class EFSVolumeConfiguration(TypedDict, total=False):
    fileSystemId: Required[str]
    rootDirectory: str
    transitEncryption: str
    transitEncryptionPort: int
    authorizationConfig: EFSAuthorizationConfig


class S3FilesVolumeConfiguration(TypedDict, total=False):
    fileSystemArn: Required[str]
    rootDirectory: str
    transitEncryptionPort: int
    accessPointArn: str


class FSxWindowsFileServerVolumeConfiguration(TypedDict, total=False):
    fileSystemId: Required[str]
    rootDirectory: Required[str]
    authorizationConfig: Required[FSxWindowsFileServerAuthorizationConfig]


class ContainerOverride(TypedDict, total=False):
    name: str
    command: list[str]
    environment: list[KeyValuePair]
    environmentFiles: list[EnvironmentFile]
    cpu: int
    memory: int
    memoryReservation: int
    resourceRequirements: list[ResourceRequirement]


class InferenceAcceleratorOverride(TypedDict, total=False):
    deviceName: str
    deviceType: str


class TaskManagedEBSVolumeConfiguration(TypedDict, total=False):
    encrypted: bool
    kmsKeyId: str
    volumeType: str
    sizeInGiB: int
    snapshotId: str
    volumeInitializationRate: int
    iops: int
    throughput: int
    tagSpecifications: list[EBSTagSpecification]
    roleArn: Required[str]
    terminationPolicy: TaskManagedEBSVolumeTerminationPolicy
    filesystemType: str


class InstanceLaunchTemplateUpdate(TypedDict, total=False):
    ec2InstanceProfileArn: str
    networkConfiguration: ManagedInstancesNetworkConfiguration
    storageConfiguration: ManagedInstancesStorageConfiguration
    instanceMetadataTagsPropagation: bool
    localStorageConfiguration: ManagedInstancesLocalStorageConfiguration
    monitoring: str
    instanceRequirements: InstanceRequirementsRequest
    capacityReservations: CapacityReservationRequest


class ManagedInstancesNetworkConfiguration(TypedDict, total=False):
    subnets: list[str]
    securityGroups: list[str]


class ManagedInstancesStorageConfiguration(TypedDict, total=False):
    storageSizeGiB: int


class ManagedInstancesLocalStorageConfiguration(TypedDict, total=False):
    useLocalStorage: bool


class InstanceRequirementsRequest(TypedDict, total=False):
    vCpuCount: Required[VCpuCountRangeRequest]
    memoryMiB: Required[MemoryMiBRequest]
    cpuManufacturers: list[str]
    memoryGiBPerVCpu: MemoryGiBPerVCpuRequest
    excludedInstanceTypes: list[str]
    instanceGenerations: list[str]
    spotMaxPricePercentageOverLowestPrice: int
    onDemandMaxPricePercentageOverLowestPrice: int
    bareMetal: str
    burstablePerformance: str
    requireHibernateSupport: bool
    networkInterfaceCount: NetworkInterfaceCountRequest
    localStorage: str
    localStorageTypes: list[str]
    totalLocalStorageGB: TotalLocalStorageGBRequest
    baselineEbsBandwidthMbps: BaselineEbsBandwidthMbpsRequest
    acceleratorTypes: list[str]
    acceleratorCount: AcceleratorCountRequest
    acceleratorManufacturers: list[str]
    acceleratorNames: list[str]
    acceleratorTotalMemoryMiB: AcceleratorTotalMemoryMiBRequest
    networkBandwidthGbps: NetworkBandwidthGbpsRequest
    allowedInstanceTypes: list[str]
    maxSpotPriceAsPercentageOfOptimalOnDemandPrice: int


class CapacityReservationRequest(TypedDict, total=False):
    reservationGroupArn: str
    reservationPreference: str


class ExecuteCommandLogConfiguration(TypedDict, total=False):
    cloudWatchLogGroupName: str
    cloudWatchEncryptionEnabled: bool
    s3BucketName: str
    s3EncryptionEnabled: bool
    s3KeyPrefix: str


class ThresholdConfiguration(TypedDict, total=False):
    type: Required[str]
    value: Required[int]


class HookDetails(TypedDict, total=False):
    pass


class DeploymentLifecycleHookTimeoutConfiguration(TypedDict, total=False):
    timeoutInMinutes: int
    action: str


class ServiceConnectClientAlias(TypedDict, total=False):
    port: Required[int]
    dnsName: str
    testTrafficRules: ServiceConnectTestTrafficRules


class TimeoutConfiguration(TypedDict, total=False):
    idleTimeoutSeconds: int
    perRequestTimeoutSeconds: int


class ServiceConnectTlsConfiguration(TypedDict, total=False):
    issuerCertificateAuthority: Required[ServiceConnectTlsCertificateAuthority]
    kmsKey: str
    roleArn: str


class EBSTagSpecification(TypedDict, total=False):
    resourceType: Required[str]
    tags: list[Tag]
    propagateTags: str


class GatewayConnectorHealthCheckMatcher(TypedDict, total=False):
    httpCode: str
    grpcCode: str


class KernelCapabilities(TypedDict, total=False):
    add: list[str]
    drop: list[str]


class Device(TypedDict, total=False):
    hostPath: Required[str]
    containerPath: str
    permissions: list[str]


class Tmpfs(TypedDict, total=False):
    containerPath: Required[str]
    size: Required[int]
    mountOptions: list[str]


class SharingStrategy(TypedDict, total=False):
    nvidiaMps: NvidiaMpsAllocation


class EFSAuthorizationConfig(TypedDict, total=False):
    accessPointId: str
    iam: str


class FSxWindowsFileServerAuthorizationConfig(TypedDict, total=False):
    credentialsParameter: Required[str]
    domain: Required[str]


class TaskManagedEBSVolumeTerminationPolicy(TypedDict, total=False):
    deleteOnTermination: Required[bool]


class VCpuCountRangeRequest(TypedDict, total=False):
    min: Required[int]
    max: int


class MemoryMiBRequest(TypedDict, total=False):
    min: Required[int]
    max: int


class MemoryGiBPerVCpuRequest(TypedDict, total=False):
    min: float
    max: float


class NetworkInterfaceCountRequest(TypedDict, total=False):
    min: int
    max: int


class TotalLocalStorageGBRequest(TypedDict, total=False):
    min: float
    max: float


class BaselineEbsBandwidthMbpsRequest(TypedDict, total=False):
    min: int
    max: int


class AcceleratorCountRequest(TypedDict, total=False):
    min: int
    max: int


class AcceleratorTotalMemoryMiBRequest(TypedDict, total=False):
    min: int
    max: int


class NetworkBandwidthGbpsRequest(TypedDict, total=False):
    min: float
    max: float


class ServiceConnectTestTrafficRules(TypedDict, total=False):
    header: Required[ServiceConnectTestTrafficHeaderRules]


class ServiceConnectTlsCertificateAuthority(TypedDict, total=False):
    awsPcaAuthorityArn: str


class NvidiaMpsAllocation(TypedDict, total=False):
    memory: Required[int]
    maxComputePercent: int


class ServiceConnectTestTrafficHeaderRules(TypedDict, total=False):
    name: Required[str]
    value: ServiceConnectTestTrafficHeaderMatchRules


class ServiceConnectTestTrafficHeaderMatchRules(TypedDict, total=False):
    exact: Required[str]
