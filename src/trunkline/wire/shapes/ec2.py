"""Request shapes of the EC2 operations trunkline implements.

Generated from botocore's service model by `python -m trunkline.wire.generate_shapes`: do not
edit; regenerate."""

from __future__ import annotations

from datetime import datetime
from typing import Required, TypedDict


class AllocateAddressRequest(TypedDict, total=False):
    Domain: str
    Address: str
    PublicIpv4Pool: str
    NetworkBorderGroup: str
    CustomerOwnedIpv4Pool: str
    TagSpecifications: list[TagSpecification]
    IpamPoolId: str
    DryRun: bool


class AssociateAddressRequest(TypedDict, total=False):
    AllocationId: str
    InstanceId: str
    PublicIp: str
    DryRun: bool
    NetworkInterfaceId: str
    PrivateIpAddress: str
    AllowReassociation: bool


class AssociateIamInstanceProfileRequest(TypedDict, total=False):
    IamInstanceProfile: Required[IamInstanceProfileSpecification]
    InstanceId: Required[str]


class AssociateRouteTableRequest(TypedDict, total=False):
    GatewayId: str
    PublicIpv4Pool: str
    DryRun: bool
    SubnetId: str
    RouteTableId: Required[str]


class AssociateTrunkInterfaceRequest(TypedDict, total=False):
    BranchInterfaceId: Required[str]
    TrunkInterfaceId: Required[str]
    VlanId: int
    GreKey: int
    ClientToken: str
    DryRun: bool


class AssociateVpcCidrBlockRequest(TypedDict, total=False):
    CidrBlock: str
    Ipv6CidrBlockNetworkBorderGroup: str
    Ipv6Pool: str
    Ipv6CidrBlock: str
    Ipv4IpamPoolId: str
    Ipv4NetmaskLength: int
    Ipv6IpamPoolId: str
    Ipv6NetmaskLength: int
    VpcId: Required[str]
    AmazonProvidedIpv6CidrBlock: bool


class AttachInternetGatewayRequest(TypedDict, total=False):
    DryRun: bool
    InternetGatewayId: Required[str]
    VpcId: Required[str]


class AttachNetworkInterfaceRequest(TypedDict, total=False):
    NetworkCardIndex: int
    EnaSrdSpecification: EnaSrdSpecification
    EnaQueueCount: int
    DryRun: bool
    NetworkInterfaceId: Required[str]
    InstanceId: Required[str]
    DeviceIndex: Required[int]


class AttachVolumeRequest(TypedDict, total=False):
    Device: Required[str]
    InstanceId: Required[str]
    VolumeId: Required[str]
    EbsCardIndex: int
    DryRun: bool


class AuthorizeSecurityGroupEgressRequest(TypedDict, total=False):
    TagSpecifications: list[TagSpecification]
    DryRun: bool
    GroupId: Required[str]
    SourceSecurityGroupName: str
    SourceSecurityGroupOwnerId: str
    IpProtocol: str
    FromPort: int
    ToPort: int
    CidrIp: str
    IpPermissions: list[IpPermission]


class AuthorizeSecurityGroupIngressRequest(TypedDict, total=False):
    CidrIp: str
    FromPort: int
    GroupId: str
    GroupName: str
    IpPermissions: list[IpPermission]
    IpProtocol: str
    SourceSecurityGroupName: str
    SourceSecurityGroupOwnerId: str
    ToPort: int
    TagSpecifications: list[TagSpecification]
    DryRun: bool


class CreateDefaultSubnetRequest(TypedDict, total=False):
    AvailabilityZone: str
    DryRun: bool
    Ipv6Native: bool
    AvailabilityZoneId: str


class CreateDefaultVpcRequest(TypedDict, total=False):
    DryRun: bool


class CreateInternetGatewayRequest(TypedDict, total=False):
    TagSpecifications: list[TagSpecification]
    DryRun: bool


class CreateLaunchTemplateRequest(TypedDict, total=False):
    DryRun: bool
    ClientToken: str
    LaunchTemplateName: Required[str]
    VersionDescription: str
    LaunchTemplateData: Required[RequestLaunchTemplateData]
    Operator: OperatorRequest
    TagSpecifications: list[TagSpecification]


class CreateLaunchTemplateVersionRequest(TypedDict, total=False):
    DryRun: bool
    ClientToken: str
    LaunchTemplateId: str
    LaunchTemplateName: str
    SourceVersion: str
    VersionDescription: str
    LaunchTemplateData: Required[RequestLaunchTemplateData]
    ResolveAlias: bool


class CreateNatGatewayRequest(TypedDict, total=False):
    AvailabilityMode: str
    AllocationId: str
    ClientToken: str
    DryRun: bool
    SubnetId: str
    VpcId: str
    AvailabilityZoneAddresses: list[AvailabilityZoneAddress]
    TagSpecifications: list[TagSpecification]
    ConnectivityType: str
    PrivateIpAddress: str
    SecondaryAllocationIds: list[str]
    SecondaryPrivateIpAddresses: list[str]
    SecondaryPrivateIpAddressCount: int


class CreateNetworkInterfaceRequest(TypedDict, total=False):
    Ipv4Prefixes: list[Ipv4PrefixSpecificationRequest]
    Ipv4PrefixCount: int
    Ipv6Prefixes: list[Ipv6PrefixSpecificationRequest]
    Ipv6PrefixCount: int
    InterfaceType: str
    TagSpecifications: list[TagSpecification]
    ClientToken: str
    EnablePrimaryIpv6: bool
    ConnectionTrackingSpecification: ConnectionTrackingSpecificationRequest
    Operator: OperatorRequest
    SubnetId: Required[str]
    Description: str
    PrivateIpAddress: str
    Groups: list[str]
    PrivateIpAddresses: list[PrivateIpAddressSpecification]
    SecondaryPrivateIpAddressCount: int
    Ipv6Addresses: list[InstanceIpv6Address]
    Ipv6AddressCount: int
    DryRun: bool


class CreateRouteRequest(TypedDict, total=False):
    DestinationPrefixListId: str
    VpcEndpointId: str
    TransitGatewayId: str
    LocalGatewayId: str
    CarrierGatewayId: str
    CoreNetworkArn: str
    OdbNetworkArn: str
    DryRun: bool
    RouteTableId: Required[str]
    DestinationCidrBlock: str
    GatewayId: str
    DestinationIpv6CidrBlock: str
    EgressOnlyInternetGatewayId: str
    InstanceId: str
    NetworkInterfaceId: str
    VpcPeeringConnectionId: str
    NatGatewayId: str


class CreateRouteTableRequest(TypedDict, total=False):
    TagSpecifications: list[TagSpecification]
    ClientToken: str
    DryRun: bool
    VpcId: Required[str]


class CreateSecurityGroupRequest(TypedDict, total=False):
    Description: Required[str]
    GroupName: Required[str]
    VpcId: str
    TagSpecifications: list[TagSpecification]
    DryRun: bool


class CreateSnapshotRequest(TypedDict, total=False):
    Description: str
    OutpostArn: str
    VolumeId: Required[str]
    TagSpecifications: list[TagSpecification]
    Location: str
    DryRun: bool


class CreateSubnetRequest(TypedDict, total=False):
    TagSpecifications: list[TagSpecification]
    AvailabilityZone: str
    AvailabilityZoneId: str
    CidrBlock: str
    Ipv6CidrBlock: str
    OutpostArn: str
    VpcId: Required[str]
    Ipv6Native: bool
    Ipv4IpamPoolId: str
    Ipv4NetmaskLength: int
    Ipv6IpamPoolId: str
    Ipv6NetmaskLength: int
    DryRun: bool


class CreateTagsRequest(TypedDict, total=False):
    DryRun: bool
    Resources: Required[list[str]]
    Tags: Required[list[Tag]]


class CreateVolumeRequest(TypedDict, total=False):
    AvailabilityZone: str
    AvailabilityZoneId: str
    Encrypted: bool
    Iops: int
    KmsKeyId: str
    OutpostArn: str
    Size: int
    SnapshotId: str
    VolumeType: str
    TagSpecifications: list[TagSpecification]
    MultiAttachEnabled: bool
    Throughput: int
    ClientToken: str
    VolumeInitializationRate: int
    Operator: OperatorRequest
    MultiAvailabilityZoneConfiguration: MultiAvailabilityZoneVolumeConfigurationRequest
    TrimOnAttach: str
    DryRun: bool


class CreateVpcRequest(TypedDict, total=False):
    CidrBlock: str
    Ipv6Pool: str
    Ipv6CidrBlock: str
    Ipv4IpamPoolId: str
    Ipv4NetmaskLength: int
    Ipv6IpamPoolId: str
    Ipv6NetmaskLength: int
    Ipv6CidrBlockNetworkBorderGroup: str
    VpcEncryptionControl: VpcEncryptionControlConfiguration
    TagSpecifications: list[TagSpecification]
    DryRun: bool
    InstanceTenancy: str
    AmazonProvidedIpv6CidrBlock: bool


class DeleteInternetGatewayRequest(TypedDict, total=False):
    DryRun: bool
    InternetGatewayId: Required[str]


class DeleteLaunchTemplateRequest(TypedDict, total=False):
    DryRun: bool
    LaunchTemplateId: str
    LaunchTemplateName: str


class DeleteLaunchTemplateVersionsRequest(TypedDict, total=False):
    DryRun: bool
    LaunchTemplateId: str
    LaunchTemplateName: str
    Versions: Required[list[str]]


class DeleteNatGatewayRequest(TypedDict, total=False):
    DryRun: bool
    NatGatewayId: Required[str]


class DeleteNetworkInterfaceRequest(TypedDict, total=False):
    DryRun: bool
    NetworkInterfaceId: Required[str]


class DeleteRouteRequest(TypedDict, total=False):
    DestinationPrefixListId: str
    DryRun: bool
    RouteTableId: Required[str]
    DestinationCidrBlock: str
    DestinationIpv6CidrBlock: str


class DeleteRouteTableRequest(TypedDict, total=False):
    DryRun: bool
    RouteTableId: Required[str]


class DeleteSecurityGroupRequest(TypedDict, total=False):
    GroupId: str
    GroupName: str
    DryRun: bool


class DeleteSnapshotRequest(TypedDict, total=False):
    SnapshotId: Required[str]
    DryRun: bool


class DeleteSubnetRequest(TypedDict, total=False):
    SubnetId: Required[str]
    DryRun: bool


class DeleteTagsRequest(TypedDict, total=False):
    DryRun: bool
    Resources: Required[list[str]]
    Tags: list[Tag]


class DeleteVolumeRequest(TypedDict, total=False):
    VolumeId: Required[str]
    DryRun: bool


class DeleteVpcRequest(TypedDict, total=False):
    VpcId: Required[str]
    DryRun: bool


class DescribeAccountAttributesRequest(TypedDict, total=False):
    DryRun: bool
    AttributeNames: list[str]


class DescribeAddressesRequest(TypedDict, total=False):
    PublicIps: list[str]
    DryRun: bool
    Filters: list[Filter]
    AllocationIds: list[str]


class DescribeAddressesAttributeRequest(TypedDict, total=False):
    AllocationIds: list[str]
    Attribute: str
    NextToken: str
    MaxResults: int
    DryRun: bool


class DescribeAvailabilityZonesRequest(TypedDict, total=False):
    ZoneNames: list[str]
    ZoneIds: list[str]
    AllAvailabilityZones: bool
    DryRun: bool
    Filters: list[Filter]


class DescribeIamInstanceProfileAssociationsRequest(TypedDict, total=False):
    AssociationIds: list[str]
    Filters: list[Filter]
    MaxResults: int
    NextToken: str


class DescribeImagesRequest(TypedDict, total=False):
    ExecutableUsers: list[str]
    ImageIds: list[str]
    Owners: list[str]
    IncludeDeprecated: bool
    IncludeDisabled: bool
    MaxResults: int
    NextToken: str
    DryRun: bool
    Filters: list[Filter]


class DescribeInstanceAttributeRequest(TypedDict, total=False):
    DryRun: bool
    InstanceId: Required[str]
    Attribute: Required[str]


class DescribeInstanceCreditSpecificationsRequest(TypedDict, total=False):
    DryRun: bool
    Filters: list[Filter]
    InstanceIds: list[str]
    MaxResults: int
    NextToken: str


class DescribeInstanceStatusRequest(TypedDict, total=False):
    InstanceIds: list[str]
    MaxResults: int
    NextToken: str
    IncludeManagedResources: bool
    DryRun: bool
    Filters: list[Filter]
    IncludeAllInstances: bool


class DescribeInstanceTypesRequest(TypedDict, total=False):
    DryRun: bool
    InstanceTypes: list[str]
    Filters: list[Filter]
    MaxResults: int
    NextToken: str
    IncludeUnsupportedInRegion: bool


class DescribeInstancesRequest(TypedDict, total=False):
    InstanceIds: list[str]
    IncludeManagedResources: bool
    DryRun: bool
    Filters: list[Filter]
    NextToken: str
    MaxResults: int


class DescribeInternetGatewaysRequest(TypedDict, total=False):
    NextToken: str
    MaxResults: int
    DryRun: bool
    InternetGatewayIds: list[str]
    Filters: list[Filter]


class DescribeLaunchTemplateVersionsRequest(TypedDict, total=False):
    DryRun: bool
    LaunchTemplateId: str
    LaunchTemplateName: str
    Versions: list[str]
    MinVersion: str
    MaxVersion: str
    NextToken: str
    MaxResults: int
    Filters: list[Filter]
    ResolveAlias: bool
    IncludeManagedResources: bool


class DescribeLaunchTemplatesRequest(TypedDict, total=False):
    DryRun: bool
    LaunchTemplateIds: list[str]
    LaunchTemplateNames: list[str]
    Filters: list[Filter]
    NextToken: str
    MaxResults: int
    IncludeManagedResources: bool


class DescribeManagedPrefixListsRequest(TypedDict, total=False):
    DryRun: bool
    Filters: list[Filter]
    MaxResults: int
    NextToken: str
    PrefixListIds: list[str]


class DescribeNatGatewaysRequest(TypedDict, total=False):
    DryRun: bool
    Filter: list[Filter]
    MaxResults: int
    NatGatewayIds: list[str]
    NextToken: str


class DescribeNetworkAclsRequest(TypedDict, total=False):
    NextToken: str
    MaxResults: int
    DryRun: bool
    NetworkAclIds: list[str]
    Filters: list[Filter]


class DescribeNetworkInterfaceAttributeRequest(TypedDict, total=False):
    DryRun: bool
    NetworkInterfaceId: Required[str]
    Attribute: str


class DescribeNetworkInterfacesRequest(TypedDict, total=False):
    NextToken: str
    MaxResults: int
    IncludeManagedResources: bool
    DryRun: bool
    NetworkInterfaceIds: list[str]
    Filters: list[Filter]


class DescribePrefixListsRequest(TypedDict, total=False):
    DryRun: bool
    Filters: list[Filter]
    MaxResults: int
    NextToken: str
    PrefixListIds: list[str]


class DescribeRouteTablesRequest(TypedDict, total=False):
    NextToken: str
    MaxResults: int
    DryRun: bool
    RouteTableIds: list[str]
    Filters: list[Filter]


class DescribeSecurityGroupRulesRequest(TypedDict, total=False):
    Filters: list[Filter]
    SecurityGroupRuleIds: list[str]
    DryRun: bool
    NextToken: str
    MaxResults: int


class DescribeSecurityGroupsRequest(TypedDict, total=False):
    GroupIds: list[str]
    GroupNames: list[str]
    NextToken: str
    MaxResults: int
    DryRun: bool
    Filters: list[Filter]


class DescribeSnapshotsRequest(TypedDict, total=False):
    MaxResults: int
    NextToken: str
    OwnerIds: list[str]
    RestorableByUserIds: list[str]
    SnapshotIds: list[str]
    DryRun: bool
    Filters: list[Filter]


class DescribeSubnetsRequest(TypedDict, total=False):
    Filters: list[Filter]
    SubnetIds: list[str]
    NextToken: str
    MaxResults: int
    DryRun: bool


class DescribeTagsRequest(TypedDict, total=False):
    DryRun: bool
    Filters: list[Filter]
    MaxResults: int
    NextToken: str


class DescribeTrunkInterfaceAssociationsRequest(TypedDict, total=False):
    AssociationIds: list[str]
    DryRun: bool
    Filters: list[Filter]
    NextToken: str
    MaxResults: int


class DescribeVolumeAttributeRequest(TypedDict, total=False):
    Attribute: Required[str]
    VolumeId: Required[str]
    DryRun: bool


class DescribeVolumesRequest(TypedDict, total=False):
    VolumeIds: list[str]
    IncludeManagedResources: bool
    DryRun: bool
    Filters: list[Filter]
    NextToken: str
    MaxResults: int


class DescribeVolumesModificationsRequest(TypedDict, total=False):
    DryRun: bool
    VolumeIds: list[str]
    Filters: list[Filter]
    NextToken: str
    MaxResults: int
    IncludeManagedResources: bool


class DescribeVpcAttributeRequest(TypedDict, total=False):
    Attribute: Required[str]
    VpcId: Required[str]
    DryRun: bool


class DescribeVpcsRequest(TypedDict, total=False):
    Filters: list[Filter]
    VpcIds: list[str]
    NextToken: str
    MaxResults: int
    DryRun: bool


class DetachInternetGatewayRequest(TypedDict, total=False):
    DryRun: bool
    InternetGatewayId: Required[str]
    VpcId: Required[str]


class DetachNetworkInterfaceRequest(TypedDict, total=False):
    DryRun: bool
    AttachmentId: Required[str]
    Force: bool


class DetachVolumeRequest(TypedDict, total=False):
    Device: str
    Force: bool
    InstanceId: str
    VolumeId: Required[str]
    DryRun: bool


class DisassociateAddressRequest(TypedDict, total=False):
    AssociationId: str
    PublicIp: str
    DryRun: bool


class DisassociateIamInstanceProfileRequest(TypedDict, total=False):
    AssociationId: Required[str]


class DisassociateRouteTableRequest(TypedDict, total=False):
    DryRun: bool
    AssociationId: Required[str]


class DisassociateTrunkInterfaceRequest(TypedDict, total=False):
    AssociationId: Required[str]
    ClientToken: str
    DryRun: bool


class DisassociateVpcCidrBlockRequest(TypedDict, total=False):
    AssociationId: Required[str]


class GetManagedPrefixListEntriesRequest(TypedDict, total=False):
    DryRun: bool
    PrefixListId: Required[str]
    TargetVersion: int
    MaxResults: int
    NextToken: str


class ModifyInstanceAttributeRequest(TypedDict, total=False):
    SourceDestCheck: AttributeBooleanValue
    EnclaveOptions: EnclaveOptionsRequest
    DisableApiStop: AttributeBooleanValue
    DryRun: bool
    InstanceId: Required[str]
    Attribute: str
    Value: str
    BlockDeviceMappings: list[InstanceBlockDeviceMappingSpecification]
    DisableApiTermination: AttributeBooleanValue
    InstanceType: AttributeValue
    Kernel: AttributeValue
    Ramdisk: AttributeValue
    UserData: SecureBlobAttributeValue
    InstanceInitiatedShutdownBehavior: AttributeValue
    Groups: list[str]
    EbsOptimized: AttributeBooleanValue
    SriovNetSupport: AttributeValue
    EnaSupport: AttributeBooleanValue


class ModifyInstanceCpuOptionsRequest(TypedDict, total=False):
    InstanceId: Required[str]
    CoreCount: int
    ThreadsPerCore: int
    NestedVirtualization: str
    DryRun: bool


class ModifyInstanceCreditSpecificationRequest(TypedDict, total=False):
    DryRun: bool
    ClientToken: str
    InstanceCreditSpecifications: Required[list[InstanceCreditSpecificationRequest]]


class ModifyInstanceMaintenanceOptionsRequest(TypedDict, total=False):
    InstanceId: Required[str]
    AutoRecovery: str
    RebootMigration: str
    DryRun: bool


class ModifyInstanceMetadataOptionsRequest(TypedDict, total=False):
    InstanceId: Required[str]
    HttpTokens: str
    HttpPutResponseHopLimit: int
    HttpEndpoint: str
    DryRun: bool
    HttpProtocolIpv6: str
    InstanceMetadataTags: str


class ModifyLaunchTemplateRequest(TypedDict, total=False):
    DryRun: bool
    ClientToken: str
    LaunchTemplateId: str
    LaunchTemplateName: str
    DefaultVersion: str


class ModifyNetworkInterfaceAttributeRequest(TypedDict, total=False):
    EnaSrdSpecification: EnaSrdSpecification
    EnablePrimaryIpv6: bool
    ConnectionTrackingSpecification: ConnectionTrackingSpecificationRequest
    AssociatePublicIpAddress: bool
    AssociatedSubnetIds: list[str]
    DryRun: bool
    NetworkInterfaceId: Required[str]
    Description: AttributeValue
    SourceDestCheck: AttributeBooleanValue
    Groups: list[str]
    Attachment: NetworkInterfaceAttachmentChanges


class ModifyPrivateDnsNameOptionsRequest(TypedDict, total=False):
    DryRun: bool
    InstanceId: Required[str]
    PrivateDnsHostnameType: str
    EnableResourceNameDnsARecord: bool
    EnableResourceNameDnsAAAARecord: bool


class ModifySubnetAttributeRequest(TypedDict, total=False):
    AssignIpv6AddressOnCreation: AttributeBooleanValue
    MapPublicIpOnLaunch: AttributeBooleanValue
    SubnetId: Required[str]
    MapCustomerOwnedIpOnLaunch: AttributeBooleanValue
    CustomerOwnedIpv4Pool: str
    EnableDns64: AttributeBooleanValue
    PrivateDnsHostnameTypeOnLaunch: str
    EnableResourceNameDnsARecordOnLaunch: AttributeBooleanValue
    EnableResourceNameDnsAAAARecordOnLaunch: AttributeBooleanValue
    EnableLniAtDeviceIndex: int
    DisableLniAtDeviceIndex: AttributeBooleanValue


class ModifyVolumeRequest(TypedDict, total=False):
    DryRun: bool
    VolumeId: Required[str]
    Size: int
    VolumeType: str
    Iops: int
    Throughput: int
    MultiAttachEnabled: bool
    MultiAvailabilityZoneConfiguration: MultiAvailabilityZoneVolumeConfigurationModifyRequest
    TrimOnAttach: str


class ModifyVolumeAttributeRequest(TypedDict, total=False):
    AutoEnableIO: AttributeBooleanValue
    VolumeId: Required[str]
    DryRun: bool


class ModifyVpcAttributeRequest(TypedDict, total=False):
    EnableDnsHostnames: AttributeBooleanValue
    EnableDnsSupport: AttributeBooleanValue
    VpcId: Required[str]
    EnableNetworkAddressUsageMetrics: AttributeBooleanValue


class MonitorInstancesRequest(TypedDict, total=False):
    InstanceIds: Required[list[str]]
    MetricCategoryIds: list[str]
    DryRun: bool


class ReleaseAddressRequest(TypedDict, total=False):
    AllocationId: str
    PublicIp: str
    NetworkBorderGroup: str
    DryRun: bool


class ReplaceIamInstanceProfileAssociationRequest(TypedDict, total=False):
    IamInstanceProfile: Required[IamInstanceProfileSpecification]
    AssociationId: Required[str]


class ReplaceRouteRequest(TypedDict, total=False):
    DestinationPrefixListId: str
    VpcEndpointId: str
    LocalTarget: bool
    TransitGatewayId: str
    LocalGatewayId: str
    CarrierGatewayId: str
    CoreNetworkArn: str
    OdbNetworkArn: str
    DryRun: bool
    RouteTableId: Required[str]
    DestinationCidrBlock: str
    GatewayId: str
    DestinationIpv6CidrBlock: str
    EgressOnlyInternetGatewayId: str
    InstanceId: str
    NetworkInterfaceId: str
    VpcPeeringConnectionId: str
    NatGatewayId: str


class ReplaceRouteTableAssociationRequest(TypedDict, total=False):
    DryRun: bool
    AssociationId: Required[str]
    RouteTableId: Required[str]


class RevokeSecurityGroupEgressRequest(TypedDict, total=False):
    SecurityGroupRuleIds: list[str]
    DryRun: bool
    GroupId: Required[str]
    SourceSecurityGroupName: str
    SourceSecurityGroupOwnerId: str
    IpProtocol: str
    FromPort: int
    ToPort: int
    CidrIp: str
    IpPermissions: list[IpPermission]


class RevokeSecurityGroupIngressRequest(TypedDict, total=False):
    CidrIp: str
    FromPort: int
    GroupId: str
    GroupName: str
    IpPermissions: list[IpPermission]
    IpProtocol: str
    SourceSecurityGroupName: str
    SourceSecurityGroupOwnerId: str
    ToPort: int
    SecurityGroupRuleIds: list[str]
    DryRun: bool


class RunInstancesRequest(TypedDict, total=False):
    BlockDeviceMappings: list[BlockDeviceMapping]
    ImageId: str
    InstanceType: str
    Ipv6AddressCount: int
    Ipv6Addresses: list[InstanceIpv6Address]
    KernelId: str
    KeyName: str
    MaxCount: Required[int]
    MinCount: Required[int]
    Monitoring: RunInstancesMonitoringEnabled
    Placement: Placement
    RamdiskId: str
    SecurityGroupIds: list[str]
    SecurityGroups: list[str]
    SubnetId: str
    UserData: str
    ElasticGpuSpecification: list[ElasticGpuSpecification]
    ElasticInferenceAccelerators: list[ElasticInferenceAccelerator]
    TagSpecifications: list[TagSpecification]
    LaunchTemplate: LaunchTemplateSpecification
    InstanceMarketOptions: InstanceMarketOptionsRequest
    CreditSpecification: CreditSpecificationRequest
    CpuOptions: CpuOptionsRequest
    CapacityReservationSpecification: CapacityReservationSpecification
    HibernationOptions: HibernationOptionsRequest
    LicenseSpecifications: list[LicenseConfigurationRequest]
    MetadataOptions: InstanceMetadataOptionsRequest
    EnclaveOptions: EnclaveOptionsRequest
    PrivateDnsNameOptions: PrivateDnsNameOptionsRequest
    MaintenanceOptions: InstanceMaintenanceOptionsRequest
    DisableApiStop: bool
    EnablePrimaryIpv6: bool
    NetworkPerformanceOptions: InstanceNetworkPerformanceOptionsRequest
    Operator: OperatorRequest
    SecondaryInterfaces: list[InstanceSecondaryInterfaceSpecificationRequest]
    DryRun: bool
    DisableApiTermination: bool
    InstanceInitiatedShutdownBehavior: str
    PrivateIpAddress: str
    ClientToken: str
    AdditionalInfo: str
    NetworkInterfaces: list[InstanceNetworkInterfaceSpecification]
    IamInstanceProfile: IamInstanceProfileSpecification
    EbsOptimized: bool


class StartInstancesRequest(TypedDict, total=False):
    InstanceIds: Required[list[str]]
    AdditionalInfo: str
    DryRun: bool


class StopInstancesRequest(TypedDict, total=False):
    InstanceIds: Required[list[str]]
    Hibernate: bool
    SkipOsShutdown: bool
    DryRun: bool
    Force: bool


class TerminateInstancesRequest(TypedDict, total=False):
    InstanceIds: Required[list[str]]
    Force: bool
    SkipOsShutdown: bool
    DryRun: bool


class UnmonitorInstancesRequest(TypedDict, total=False):
    InstanceIds: Required[list[str]]
    MetricCategoryIds: list[str]
    DryRun: bool


class TagSpecification(TypedDict, total=False):
    ResourceType: str
    Tags: list[Tag]


class IamInstanceProfileSpecification(TypedDict, total=False):
    Arn: str
    Name: str


class EnaSrdSpecification(TypedDict, total=False):
    EnaSrdEnabled: bool
    EnaSrdUdpSpecification: EnaSrdUdpSpecification


class IpPermission(TypedDict, total=False):
    IpProtocol: str
    FromPort: int
    ToPort: int
    UserIdGroupPairs: list[UserIdGroupPair]
    IpRanges: list[IpRange]
    Ipv6Ranges: list[Ipv6Range]
    PrefixListIds: list[PrefixListId]


class RequestLaunchTemplateData(TypedDict, total=False):
    KernelId: str
    EbsOptimized: bool
    IamInstanceProfile: LaunchTemplateIamInstanceProfileSpecificationRequest
    BlockDeviceMappings: list[LaunchTemplateBlockDeviceMappingRequest]
    NetworkInterfaces: list[LaunchTemplateInstanceNetworkInterfaceSpecificationRequest]
    ImageId: str
    InstanceType: str
    KeyName: str
    Monitoring: LaunchTemplatesMonitoringRequest
    Placement: LaunchTemplatePlacementRequest
    RamDiskId: str
    DisableApiTermination: bool
    InstanceInitiatedShutdownBehavior: str
    UserData: str
    TagSpecifications: list[LaunchTemplateTagSpecificationRequest]
    ElasticGpuSpecifications: list[ElasticGpuSpecification]
    ElasticInferenceAccelerators: list[LaunchTemplateElasticInferenceAccelerator]
    SecurityGroupIds: list[str]
    SecurityGroups: list[str]
    InstanceMarketOptions: LaunchTemplateInstanceMarketOptionsRequest
    CreditSpecification: CreditSpecificationRequest
    CpuOptions: LaunchTemplateCpuOptionsRequest
    CapacityReservationSpecification: LaunchTemplateCapacityReservationSpecificationRequest
    LicenseSpecifications: list[LaunchTemplateLicenseConfigurationRequest]
    HibernationOptions: LaunchTemplateHibernationOptionsRequest
    MetadataOptions: LaunchTemplateInstanceMetadataOptionsRequest
    EnclaveOptions: LaunchTemplateEnclaveOptionsRequest
    InstanceRequirements: InstanceRequirementsRequest
    PrivateDnsNameOptions: LaunchTemplatePrivateDnsNameOptionsRequest
    MaintenanceOptions: LaunchTemplateInstanceMaintenanceOptionsRequest
    DisableApiStop: bool
    Operator: OperatorRequest
    NetworkPerformanceOptions: LaunchTemplateNetworkPerformanceOptionsRequest
    SecondaryInterfaces: list[LaunchTemplateInstanceSecondaryInterfaceSpecificationRequest]


class OperatorRequest(TypedDict, total=False):
    Principal: str


class AvailabilityZoneAddress(TypedDict, total=False):
    AvailabilityZone: str
    AvailabilityZoneId: str
    AllocationIds: list[str]


class Ipv4PrefixSpecificationRequest(TypedDict, total=False):
    Ipv4Prefix: str


class Ipv6PrefixSpecificationRequest(TypedDict, total=False):
    Ipv6Prefix: str


class ConnectionTrackingSpecificationRequest(TypedDict, total=False):
    TcpEstablishedTimeout: int
    UdpStreamTimeout: int
    UdpTimeout: int


class PrivateIpAddressSpecification(TypedDict, total=False):
    Primary: bool
    PrivateIpAddress: str


class InstanceIpv6Address(TypedDict, total=False):
    Ipv6Address: str
    IsPrimaryIpv6: bool


class Tag(TypedDict, total=False):
    Key: str
    Value: str


class MultiAvailabilityZoneVolumeConfigurationRequest(TypedDict, total=False):
    ConfigurationType: str
    StandbyAvailabilityZones: list[StandbyVolumeAvailabilityZoneRequest]


class VpcEncryptionControlConfiguration(TypedDict, total=False):
    Mode: Required[str]
    InternetGatewayExclusion: str
    EgressOnlyInternetGatewayExclusion: str
    NatGatewayExclusion: str
    VirtualPrivateGatewayExclusion: str
    VpcPeeringExclusion: str
    LambdaExclusion: str
    VpcLatticeExclusion: str
    ElasticFileSystemExclusion: str
    GlobalAcceleratorExclusion: str
    ApiGatewayV2Exclusion: str


class Filter(TypedDict, total=False):
    Name: str
    Values: list[str]


class AttributeBooleanValue(TypedDict, total=False):
    Value: bool


class EnclaveOptionsRequest(TypedDict, total=False):
    Enabled: bool


class InstanceBlockDeviceMappingSpecification(TypedDict, total=False):
    DeviceName: str
    Ebs: EbsInstanceBlockDeviceSpecification
    VirtualName: str
    NoDevice: str


class AttributeValue(TypedDict, total=False):
    Value: str


class SecureBlobAttributeValue(TypedDict, total=False):
    Value: bytes


class InstanceCreditSpecificationRequest(TypedDict, total=False):
    InstanceId: Required[str]
    CpuCredits: str


class NetworkInterfaceAttachmentChanges(TypedDict, total=False):
    DefaultEnaQueueCount: bool
    EnaQueueCount: int
    AttachmentId: str
    DeleteOnTermination: bool


class MultiAvailabilityZoneVolumeConfigurationModifyRequest(TypedDict, total=False):
    ConfigurationType: str
    ForceDetachStandby: bool
    StandbyAvailabilityZones: list[StandbyVolumeAvailabilityZoneRequest]


class BlockDeviceMapping(TypedDict, total=False):
    Ebs: EbsBlockDevice
    NoDevice: str
    DeviceName: str
    VirtualName: str


class RunInstancesMonitoringEnabled(TypedDict, total=False):
    MetricCategoryIds: list[str]
    Enabled: Required[bool]


class Placement(TypedDict, total=False):
    AvailabilityZoneId: str
    Affinity: str
    GroupName: str
    PartitionNumber: int
    HostId: str
    Tenancy: str
    SpreadDomain: str
    HostResourceGroupArn: str
    GroupId: str
    AvailabilityZone: str


class ElasticGpuSpecification(TypedDict, total=False):
    Type: Required[str]


class ElasticInferenceAccelerator(TypedDict, total=False):
    Type: Required[str]
    Count: int


class LaunchTemplateSpecification(TypedDict, total=False):
    LaunchTemplateId: str
    LaunchTemplateName: str
    Version: str


class InstanceMarketOptionsRequest(TypedDict, total=False):
    MarketType: str
    SpotOptions: SpotMarketOptions


class CreditSpecificationRequest(TypedDict, total=False):
    CpuCredits: Required[str]


class CpuOptionsRequest(TypedDict, total=False):
    CoreCount: int
    ThreadsPerCore: int
    AmdSevSnp: str
    NestedVirtualization: str


class CapacityReservationSpecification(TypedDict, total=False):
    CapacityReservationPreference: str
    CapacityReservationTarget: CapacityReservationTarget


class HibernationOptionsRequest(TypedDict, total=False):
    Configured: bool


class LicenseConfigurationRequest(TypedDict, total=False):
    LicenseConfigurationArn: str


class InstanceMetadataOptionsRequest(TypedDict, total=False):
    HttpTokens: str
    HttpPutResponseHopLimit: int
    HttpEndpoint: str
    HttpProtocolIpv6: str
    InstanceMetadataTags: str


class PrivateDnsNameOptionsRequest(TypedDict, total=False):
    HostnameType: str
    EnableResourceNameDnsARecord: bool
    EnableResourceNameDnsAAAARecord: bool


class InstanceMaintenanceOptionsRequest(TypedDict, total=False):
    AutoRecovery: str


class InstanceNetworkPerformanceOptionsRequest(TypedDict, total=False):
    BandwidthWeighting: str


class InstanceSecondaryInterfaceSpecificationRequest(TypedDict, total=False):
    DeleteOnTermination: bool
    DeviceIndex: int
    PrivateIpAddresses: list[InstanceSecondaryInterfacePrivateIpAddressRequest]
    PrivateIpAddressCount: int
    Ipv6Addresses: list[InstanceSecondaryInterfaceIpv6AddressRequest]
    Ipv6AddressCount: int
    SecondarySubnetId: str
    InterfaceType: str
    NetworkCardIndex: int
    EnaQueueCount: int
    VlanMode: str


class InstanceNetworkInterfaceSpecification(TypedDict, total=False):
    AssociatePublicIpAddress: bool
    DeleteOnTermination: bool
    Description: str
    DeviceIndex: int
    Groups: list[str]
    Ipv6AddressCount: int
    Ipv6Addresses: list[InstanceIpv6Address]
    NetworkInterfaceId: str
    PrivateIpAddress: str
    PrivateIpAddresses: list[PrivateIpAddressSpecification]
    SecondaryPrivateIpAddressCount: int
    SubnetId: str
    AssociateCarrierIpAddress: bool
    InterfaceType: str
    NetworkCardIndex: int
    Ipv4Prefixes: list[Ipv4PrefixSpecificationRequest]
    Ipv4PrefixCount: int
    Ipv6Prefixes: list[Ipv6PrefixSpecificationRequest]
    Ipv6PrefixCount: int
    PrimaryIpv6: bool
    EnaSrdSpecification: EnaSrdSpecificationRequest
    ConnectionTrackingSpecification: ConnectionTrackingSpecificationRequest
    EnaQueueCount: int


class EnaSrdUdpSpecification(TypedDict, total=False):
    EnaSrdUdpEnabled: bool


class UserIdGroupPair(TypedDict, total=False):
    Description: str
    UserId: str
    GroupName: str
    GroupId: str
    VpcId: str
    VpcPeeringConnectionId: str
    PeeringStatus: str


class IpRange(TypedDict, total=False):
    Description: str
    CidrIp: str


class Ipv6Range(TypedDict, total=False):
    Description: str
    CidrIpv6: str


class PrefixListId(TypedDict, total=False):
    Description: str
    PrefixListId: str


class LaunchTemplateIamInstanceProfileSpecificationRequest(TypedDict, total=False):
    Arn: str
    Name: str


class LaunchTemplateBlockDeviceMappingRequest(TypedDict, total=False):
    DeviceName: str
    VirtualName: str
    Ebs: LaunchTemplateEbsBlockDeviceRequest
    NoDevice: str


class LaunchTemplateInstanceNetworkInterfaceSpecificationRequest(TypedDict, total=False):
    AssociateCarrierIpAddress: bool
    AssociatePublicIpAddress: bool
    DeleteOnTermination: bool
    Description: str
    DeviceIndex: int
    Groups: list[str]
    InterfaceType: str
    Ipv6AddressCount: int
    Ipv6Addresses: list[InstanceIpv6AddressRequest]
    NetworkInterfaceId: str
    PrivateIpAddress: str
    PrivateIpAddresses: list[PrivateIpAddressSpecification]
    SecondaryPrivateIpAddressCount: int
    SubnetId: str
    NetworkCardIndex: int
    Ipv4Prefixes: list[Ipv4PrefixSpecificationRequest]
    Ipv4PrefixCount: int
    Ipv6Prefixes: list[Ipv6PrefixSpecificationRequest]
    Ipv6PrefixCount: int
    PrimaryIpv6: bool
    EnaSrdSpecification: EnaSrdSpecificationRequest
    ConnectionTrackingSpecification: ConnectionTrackingSpecificationRequest
    EnaQueueCount: int


class LaunchTemplatesMonitoringRequest(TypedDict, total=False):
    Enabled: bool
    MetricCategoryIds: list[str]


class LaunchTemplatePlacementRequest(TypedDict, total=False):
    AvailabilityZone: str
    AvailabilityZoneId: str
    Affinity: str
    GroupName: str
    HostId: str
    Tenancy: str
    SpreadDomain: str
    HostResourceGroupArn: str
    PartitionNumber: int
    GroupId: str


class LaunchTemplateTagSpecificationRequest(TypedDict, total=False):
    ResourceType: str
    Tags: list[Tag]


class LaunchTemplateElasticInferenceAccelerator(TypedDict, total=False):
    Type: Required[str]
    Count: int


class LaunchTemplateInstanceMarketOptionsRequest(TypedDict, total=False):
    MarketType: str
    SpotOptions: LaunchTemplateSpotMarketOptionsRequest


class LaunchTemplateCpuOptionsRequest(TypedDict, total=False):
    CoreCount: int
    ThreadsPerCore: int
    AmdSevSnp: str
    NestedVirtualization: str


class LaunchTemplateCapacityReservationSpecificationRequest(TypedDict, total=False):
    CapacityReservationPreference: str
    CapacityReservationTarget: CapacityReservationTarget


class LaunchTemplateLicenseConfigurationRequest(TypedDict, total=False):
    LicenseConfigurationArn: str


class LaunchTemplateHibernationOptionsRequest(TypedDict, total=False):
    Configured: bool


class LaunchTemplateInstanceMetadataOptionsRequest(TypedDict, total=False):
    HttpTokens: str
    HttpPutResponseHopLimit: int
    HttpEndpoint: str
    HttpProtocolIpv6: str
    InstanceMetadataTags: str


class LaunchTemplateEnclaveOptionsRequest(TypedDict, total=False):
    Enabled: bool


class InstanceRequirementsRequest(TypedDict, total=False):
    VCpuCount: Required[VCpuCountRangeRequest]
    MemoryMiB: Required[MemoryMiBRequest]
    CpuManufacturers: list[str]
    MemoryGiBPerVCpu: MemoryGiBPerVCpuRequest
    ExcludedInstanceTypes: list[str]
    InstanceGenerations: list[str]
    SpotMaxPricePercentageOverLowestPrice: int
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
    MaxSpotPriceAsPercentageOfOptimalOnDemandPrice: int
    BaselinePerformanceFactors: BaselinePerformanceFactorsRequest
    RequireEncryptionInTransit: bool


class LaunchTemplatePrivateDnsNameOptionsRequest(TypedDict, total=False):
    HostnameType: str
    EnableResourceNameDnsARecord: bool
    EnableResourceNameDnsAAAARecord: bool


class LaunchTemplateInstanceMaintenanceOptionsRequest(TypedDict, total=False):
    AutoRecovery: str


class LaunchTemplateNetworkPerformanceOptionsRequest(TypedDict, total=False):
    BandwidthWeighting: str


class LaunchTemplateInstanceSecondaryInterfaceSpecificationRequest(TypedDict, total=False):
    DeleteOnTermination: bool
    DeviceIndex: int
    PrivateIpAddresses: list[SecondaryInterfacePrivateIpAddressSpecificationRequest]
    PrivateIpAddressCount: int
    SecondarySubnetId: str
    InterfaceType: str
    NetworkCardIndex: int
    Ipv6Addresses: list[LaunchTemplateSecondaryInterfaceIpv6AddressRequest]
    Ipv6AddressCount: int
    EnaQueueCount: int
    VlanMode: str


class StandbyVolumeAvailabilityZoneRequest(TypedDict, total=False):
    AvailabilityZone: str
    AvailabilityZoneId: str


class EbsInstanceBlockDeviceSpecification(TypedDict, total=False):
    VolumeId: str
    DeleteOnTermination: bool


class EbsBlockDevice(TypedDict, total=False):
    DeleteOnTermination: bool
    Iops: int
    SnapshotId: str
    VolumeSize: int
    VolumeType: str
    KmsKeyId: str
    Throughput: int
    OutpostArn: str
    AvailabilityZone: str
    MultiAvailabilityZoneConfiguration: MultiAvailabilityZoneVolumeConfiguration
    Encrypted: bool
    VolumeInitializationRate: int
    AvailabilityZoneId: str
    EbsCardIndex: int


class SpotMarketOptions(TypedDict, total=False):
    MaxPrice: str
    SpotInstanceType: str
    BlockDurationMinutes: int
    ValidUntil: datetime
    InstanceInterruptionBehavior: str


class CapacityReservationTarget(TypedDict, total=False):
    CapacityReservationId: str
    CapacityReservationResourceGroupArn: str


class InstanceSecondaryInterfacePrivateIpAddressRequest(TypedDict, total=False):
    PrivateIpAddress: Required[str]


class InstanceSecondaryInterfaceIpv6AddressRequest(TypedDict, total=False):
    Ipv6Address: str


class EnaSrdSpecificationRequest(TypedDict, total=False):
    EnaSrdEnabled: bool
    EnaSrdUdpSpecification: EnaSrdUdpSpecificationRequest


class LaunchTemplateEbsBlockDeviceRequest(TypedDict, total=False):
    Encrypted: bool
    DeleteOnTermination: bool
    Iops: int
    KmsKeyId: str
    SnapshotId: str
    VolumeSize: int
    VolumeType: str
    Throughput: int
    VolumeInitializationRate: int
    EbsCardIndex: int
    MultiAvailabilityZoneConfiguration: MultiAvailabilityZoneVolumeConfigurationRequest


class InstanceIpv6AddressRequest(TypedDict, total=False):
    Ipv6Address: str


class LaunchTemplateSpotMarketOptionsRequest(TypedDict, total=False):
    MaxPrice: str
    SpotInstanceType: str
    BlockDurationMinutes: int
    ValidUntil: datetime
    InstanceInterruptionBehavior: str


class VCpuCountRangeRequest(TypedDict, total=False):
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


class SecondaryInterfacePrivateIpAddressSpecificationRequest(TypedDict, total=False):
    PrivateIpAddress: str


class LaunchTemplateSecondaryInterfaceIpv6AddressRequest(TypedDict, total=False):
    Ipv6Address: str


class MultiAvailabilityZoneVolumeConfiguration(TypedDict, total=False):
    ConfigurationType: str
    StandbyAvailabilityZones: list[StandbyVolumeAvailabilityZone]


class EnaSrdUdpSpecificationRequest(TypedDict, total=False):
    EnaSrdUdpEnabled: bool


class CpuPerformanceFactorRequest(TypedDict, total=False):
    References: list[PerformanceFactorReferenceRequest]


class StandbyVolumeAvailabilityZone(TypedDict, total=False):
    AvailabilityZone: str
    AvailabilityZoneId: str


class PerformanceFactorReferenceRequest(TypedDict, total=False):
    InstanceFamily: str
