"""From RunInstances-style parameters (the call's own, or a launch template merged with them by
`launch_templates.run_parameters`) to the `LaunchRequest` the instance domain launches.

RunInstances and any other launcher (Auto Scaling, later) go through `from_parameters`, so they
accept and refuse the same things."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.domain.ec2 import instance_options, instances, unsupported
from trunkline.domain.ec2 import tags as ec2_tags
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Params = dict[str, Any]

#: TagSpecifications resource types RunInstances accepts (volume: the volumes the launch makes).
TAGGABLE = ("instance", "network-interface", "volume")


def from_parameters(params: shapes.RunInstancesRequest) -> instances.LaunchRequest:
    for spec in params.get("TagSpecifications") or []:
        ec2_tags.check_resource_type(spec.get("ResourceType"))
        if spec.get("ResourceType") not in TAGGABLE:
            raise AwsError(
                "InvalidParameterValue",
                f"'{spec.get('ResourceType')}' is not a valid taggable resource type for this operation.",
            )
    unsupported.refuse(params, unsupported.IPV6_INSTANCE, "instances")
    subnet_id, group_ids, public_ip = params.get("SubnetId"), params.get("SecurityGroupIds"), None
    interfaces = params.get("NetworkInterfaces") or []
    for interface in interfaces:
        unsupported.refuse(interface, unsupported.IPV6_INTERFACE, "network interfaces")
    if interfaces:
        subnet_id, group_ids, public_ip = _primary_interface_spec(params, interfaces)
    return instances.LaunchRequest(
        image_id=params.get("ImageId"),
        instance_type=params.get("InstanceType") or "m1.small",
        min_count=params["MinCount"],
        max_count=params["MaxCount"],
        subnet_id=subnet_id,
        group_ids=group_ids,
        group_names=params.get("SecurityGroups"),
        iam_profile=params.get("IamInstanceProfile"),
        user_data=params.get("UserData"),
        key_name=params.get("KeyName"),
        private_ip=params.get("PrivateIpAddress"),
        public_ip=public_ip,
        dns_options=params.get("PrivateDnsNameOptions"),
        metadata_options=params.get("MetadataOptions"),
        zone=(params.get("Placement") or {}).get("AvailabilityZone") or None,
        tags=ec2_tags.from_specifications(params, "instance"),
        eni_tags=ec2_tags.from_specifications(params, "network-interface"),
        client_token=params.get("ClientToken"),
        disable_api_termination=bool(params.get("DisableApiTermination")),
        disable_api_stop=bool(params.get("DisableApiStop")),
        ebs_optimized=bool(params.get("EbsOptimized")),
        monitoring=_monitoring(params),
        shutdown_behavior=params.get("InstanceInitiatedShutdownBehavior") or "stop",
        cpu_options=params.get("CpuOptions"),
        credit_specification=params.get("CreditSpecification"),
        block_devices=list(params.get("BlockDeviceMappings") or []) or None,
        volume_tags=ec2_tags.from_specifications(params, "volume"),
        options=instance_options.shown(params),
    )


def _monitoring(params: shapes.RunInstancesRequest) -> bool:
    monitoring = params.get("Monitoring")
    return monitoring is not None and bool(monitoring["Enabled"])


def _primary_interface_spec(
    params: shapes.RunInstancesRequest, interfaces: list[shapes.InstanceNetworkInterfaceSpecification]
) -> tuple[str | None, list[str] | None, bool | None]:
    """The one form of `NetworkInterfaces` trunkline supports: a new primary ENI (device 0), as the
    AWS CLI sends for --associate-public-ip-address."""
    spec = interfaces[0]
    if len(interfaces) > 1 or spec.get("DeviceIndex", 0) != 0 or spec.get("NetworkInterfaceId"):
        raise AwsError(
            "InvalidParameterValue",
            "trunkline supports NetworkInterfaces only as a single new primary interface (DeviceIndex 0); "
            "attach further interfaces with AttachNetworkInterface.",
        )
    if params.get("SubnetId") or params.get("SecurityGroupIds"):
        raise AwsError(
            "InvalidParameterCombination",
            "Network interfaces and an instance-level subnet ID may not be specified on the same request",
        )
    if params.get("SecurityGroups"):
        raise AwsError(
            "InvalidParameterCombination",
            "Network interfaces and an instance-level security groups may not be specified on the same request",
        )
    return spec.get("SubnetId"), spec.get("Groups"), spec.get("AssociatePublicIpAddress")
