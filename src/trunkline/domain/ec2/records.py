"""The stored EC2 records, typed: each is a `TypedDict` in the output shape's member names (what
the serialiser writes), plus private bookkeeping fields, which start with `_` and are dropped by
the public view. mypy checks domain code against these; `kinds.py` ties each to its kind.

TypedDict rather than dataclass: a record is stored as JSON and answered nearly as stored, so a
TypedDict costs nothing at run time (no conversion on each of the thousands of reads a placement
makes) while mypy still refuses a misspelt or missing member.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class Tag(TypedDict):
    Key: str
    Value: str


class CidrBlockState(TypedDict):
    State: str


class VpcCidrBlockAssociation(TypedDict):
    AssociationId: str
    CidrBlock: str
    CidrBlockState: CidrBlockState


class VpcRecord(TypedDict):
    VpcId: str
    CidrBlock: str  # the primary block, network address form
    State: str  # "available"
    OwnerId: str
    InstanceTenancy: str
    IsDefault: bool  # always false: trunkline creates no default VPC
    DhcpOptionsId: str
    CidrBlockAssociationSet: list[VpcCidrBlockAssociation]  # the primary block first
    Ipv6CidrBlockAssociationSet: list[Any]
    BlockPublicAccessStates: dict[str, str]
    Tags: list[Tag]
    # DescribeVpcAttribute's attributes (not in the Vpc shape: the serialiser leaves them out)
    EnableDnsSupport: bool
    EnableDnsHostnames: bool
    EnableNetworkAddressUsageMetrics: bool


class PrivateDnsNameOptionsOnLaunch(TypedDict):
    HostnameType: str
    EnableResourceNameDnsARecord: bool
    EnableResourceNameDnsAAAARecord: bool


class SubnetRecord(TypedDict):
    SubnetId: str
    SubnetArn: str
    VpcId: str
    CidrBlock: str
    State: str
    AvailabilityZone: str
    AvailabilityZoneId: str
    AvailableIpAddressCount: int  # exact: usable addresses minus allocated ones
    OwnerId: str
    DefaultForAz: bool
    MapPublicIpOnLaunch: bool
    MapCustomerOwnedIpOnLaunch: bool
    AssignIpv6AddressOnCreation: bool
    Ipv6CidrBlockAssociationSet: list[Any]
    EnableDns64: bool
    Ipv6Native: bool
    PrivateDnsNameOptionsOnLaunch: PrivateDnsNameOptionsOnLaunch
    BlockPublicAccessStates: dict[str, str]
    Tags: list[Tag]
    _Creator: str  # the account that created it (a shared subnet's OwnerId is another)
    _NextOffset: int  # the allocation cursor (addressing.py)
    _NamedAbove: NotRequired[int]  # addresses taken by name at or above the cursor (absent: unknown)


Nested = dict[str, Any]


class SecurityGroupRecord(TypedDict):
    GroupId: str
    GroupName: str
    Description: str
    VpcId: str
    OwnerId: str
    SecurityGroupArn: str
    Tags: list[Tag]
    # the legacy view of `_Rules`, rebuilt from them on every change (absent until the first)
    IpPermissions: NotRequired[list[Nested]]
    IpPermissionsEgress: NotRequired[list[Nested]]
    _Rules: list[Nested]  # SecurityGroupRule entries: the source of truth


class NetworkInterfaceRecord(TypedDict):
    NetworkInterfaceId: str
    SubnetId: str
    VpcId: str
    AvailabilityZone: str
    AvailabilityZoneId: NotRequired[str]  # when the subnet names its zone's id
    OwnerId: str
    Description: str
    InterfaceType: str  # interface, trunk, branch, ...
    RequesterManaged: bool  # created by a service (ECS's trunk and task ENIs)
    SourceDestCheck: bool
    Status: str  # available, attaching, in-use, detaching
    MacAddress: str
    PrivateIpAddress: str
    PrivateDnsName: str
    PrivateIpAddresses: list[Nested]
    Groups: list[dict[str, str]]  # {GroupId, GroupName}
    Ipv6Addresses: list[Nested]
    Tags: list[Tag]
    Attachment: NotRequired[Nested]  # while attached to an instance
    Association: NotRequired[Nested]  # a public address
    RequesterId: NotRequired[str]


class TrunkAssociationRecord(TypedDict):
    AssociationId: str
    BranchInterfaceId: str
    TrunkInterfaceId: str
    InterfaceProtocol: str  # VLAN or GRE
    VlanId: NotRequired[int]
    GreKey: NotRequired[int]
    Tags: list[Tag]
    OwnerId: str


class InstanceRecord(TypedDict):
    InstanceId: str
    ReservationId: str
    OwnerId: str
    AmiLaunchIndex: int
    ImageId: str
    InstanceType: str
    Architecture: str
    State: Nested  # {Code, Name}
    StateTransitionReason: str
    LaunchTime: float
    Placement: Nested
    SubnetId: str
    VpcId: str
    Tags: list[Tag]
    PrivateDnsNameOptions: Nested
    Monitoring: Nested
    EbsOptimized: bool
    EnaSupport: bool
    Hypervisor: str
    VirtualizationType: str
    RootDeviceType: str
    RootDeviceName: str
    PlatformDetails: str
    UsageOperation: str
    UsageOperationUpdateTime: float
    CpuOptions: Nested
    MetadataOptions: Nested
    BlockDeviceMappings: list[Nested]
    ProductCodes: list[Nested]
    CurrentInstanceBootMode: NotRequired[str]
    IamInstanceProfile: NotRequired[Nested]
    UserData: NotRequired[str]  # base64, as given (DescribeInstanceAttribute answers it)
    KeyName: NotRequired[str]
    Platform: NotRequired[str]
    ClientToken: NotRequired[str]
    StateReason: NotRequired[Nested]
    HibernationOptions: NotRequired[Nested]  # as launched (instance_options.py; older records lack them)
    EnclaveOptions: NotRequired[Nested]
    MaintenanceOptions: NotRequired[Nested]
    _PublicIp: bool  # asked for a public address at launch
    _DisableApiTermination: bool
    _DisableApiStop: NotRequired[bool]  # stop protection (older records lack it: off)
    _ShutdownBehavior: NotRequired[str]  # InstanceInitiatedShutdownBehavior (older records: stop)
    _CpuCredits: NotRequired[str]  # burstable types: standard or unlimited (cpu_options.py)
    _Transition: int  # counts state transitions, so a stale delayed step knows it is stale
    _HasRun: NotRequired[bool]  # reached running once (an ECS agent may register)
    _RunningSince: NotRequired[float]  # when it last reached running (instance_status's checks)
    _TerminatedAt: NotRequired[float]  # when it is shown until (terminated instances linger)
    _ProfileAssociation: NotRequired[Nested]  # {AssociationId, Timestamp} (profile_associations.py)


class VolumeRecord(TypedDict):
    """An EBS volume a launch made (`volumes.py`)."""

    VolumeId: str
    Size: int
    SnapshotId: str
    AvailabilityZone: str
    State: str
    CreateTime: float
    Attachments: list[Nested]
    Encrypted: bool
    VolumeType: str
    MultiAttachEnabled: bool
    Tags: list[Tag]
    KmsKeyId: NotRequired[str]
    Iops: NotRequired[int]
    Throughput: NotRequired[int]
    _Modification: NotRequired[Nested]  # the latest ModifyVolume (volume_modifications.py)
    _AutoEnableIO: NotRequired[bool]  # ModifyVolumeAttribute (volume_attributes.py); absent: false
    _Owner: str


class SnapshotRecord(TypedDict):
    """An EBS snapshot of a volume (`snapshots.py`), in the `Snapshot` shape's member names."""

    SnapshotId: str
    VolumeId: str
    VolumeSize: int
    State: str  # pending | completed
    StartTime: float
    Progress: str
    OwnerId: str
    Description: str
    Encrypted: bool
    StorageTier: str
    Tags: list[Tag]
    KmsKeyId: NotRequired[str]
    CompletionTime: NotRequired[float]


class LaunchTemplateRecord(TypedDict):
    LaunchTemplateId: str
    LaunchTemplateName: str
    CreateTime: float
    CreatedBy: str
    DefaultVersionNumber: int
    LatestVersionNumber: int
    Tags: list[Tag]
    _Owner: str  # the account (a name is unique per account and region)


class SubnetAddressRecord(TypedDict):
    """An allocated private address of a subnet (addressing.py), keyed `SUBNET-ID/OFFSET`."""

    SubnetId: str
    Address: str


class FreeAddressRecord(TypedDict):
    """A released offset below the subnet's allocation cursor (addressing.py), keyed as above."""

    SubnetId: str


class EniGroupRecord(TypedDict):
    """One ENI's membership of one security group (kinds.ENI_GROUP), keyed `ENI-ID/GROUP-ID`."""

    NetworkInterfaceId: str
    GroupId: str


class InternetGatewayAttachment(TypedDict):
    State: str  # "available": what EC2 reports for an attached gateway
    VpcId: str


class InternetGatewayRecord(TypedDict):
    InternetGatewayId: str
    OwnerId: str
    Attachments: list[InternetGatewayAttachment]  # at most one
    Tags: list[Tag]


class RouteTableRecord(TypedDict):
    RouteTableId: str
    VpcId: str
    OwnerId: str
    Routes: list[Nested]  # destination, target and Origin; State is worked out when shown
    Associations: list[Nested]  # the main one (Main: true) and explicit subnet ones
    PropagatingVgws: list[Nested]  # always empty
    Tags: list[Tag]


class NetworkAclRecord(TypedDict):
    NetworkAclId: str
    VpcId: str
    OwnerId: str
    IsDefault: bool  # always true: trunkline has only default ACLs
    Entries: list[Nested]
    Tags: list[Tag]
    # Associations are worked out when shown (every subnet of the VPC)


class NatGatewayRecord(TypedDict):
    NatGatewayId: str
    SubnetId: str
    VpcId: str
    State: str  # pending, available, deleting, deleted, failed
    ConnectivityType: str
    CreateTime: float
    NatGatewayAddresses: list[Nested]
    Tags: list[Tag]
    _Owner: str  # the account (the NatGateway shape has no OwnerId)
    FailureCode: NotRequired[str]  # once failed
    FailureMessage: NotRequired[str]
    DeleteTime: NotRequired[float]  # once deleted
    _DeletedAt: NotRequired[float]  # deleted or failed: shown for an hour from then


class ElasticIpRecord(TypedDict):
    AllocationId: str
    PublicIp: str
    Domain: str  # "vpc"
    PublicIpv4Pool: str  # "amazon"
    NetworkBorderGroup: str  # the region
    Tags: list[Tag]
    _Owner: str  # the account (the Address shape's owner is only the associated ENI's)
    # while associated with an ENI (InstanceId: while that ENI is attached to an instance)
    AssociationId: NotRequired[str]
    NetworkInterfaceId: NotRequired[str]
    NetworkInterfaceOwnerId: NotRequired[str]
    PrivateIpAddress: NotRequired[str]
    InstanceId: NotRequired[str]


class LaunchTemplateVersionRecord(TypedDict):
    """One version of a launch template, keyed `lt-…/NNNNNN`; DefaultVersion is worked out when shown."""

    LaunchTemplateId: str
    LaunchTemplateName: str
    VersionNumber: int
    CreateTime: float
    CreatedBy: str
    LaunchTemplateData: Nested  # as sent (checked when an instance is launched from it)
    VersionDescription: NotRequired[str]


class DefaultVpcMarkerRecord(TypedDict):
    """Present once an account's default VPC in a region was given (default_vpc.py)."""

    Marker: str


class ClientTokenRecord(TypedDict):
    """An EC2 ClientToken's first answer (client_tokens.py), keyed `OPERATION/TOKEN`."""

    operation: str
    token: str
    fingerprint: str  # of the request, without ClientToken and DryRun
    result: Nested


class PublicIpRecord(TypedDict):
    """A public IPv4 address in use (public_ips.py), keyed by the address in every region."""

    Address: str
    Holder: str  # the ENI id (auto-assigned) or the Elastic IP's allocation id
    Region: str


class ImageTagsRecord(TypedDict):
    """The caller's own tags on a catalog AMI (images.py: the image itself is not stored)."""

    ImageId: str
    Tags: list[Tag]
