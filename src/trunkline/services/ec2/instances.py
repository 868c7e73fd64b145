"""EC2 RunInstances, DescribeInstances, Stop/Start/TerminateInstances, ModifyPrivateDnsNameOptions,
DescribeInstanceAttribute. Thin: parameters in, domain call, output shape out."""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import client_tokens, instance_views, instances, unsupported
from trunkline.domain.ec2 import tags as ec2_tags
from trunkline.errors import AwsError
from trunkline.reconciler import JobHandler

Params = dict[str, Any]

#: TagSpecifications resource types RunInstances accepts; volumes are accepted and have no effect
#: (trunkline models no EBS volumes).
_TAGGABLE = ("instance", "network-interface", "volume")


def dry_run(params: Params) -> None:
    """EC2's DryRun: the caller may do this (trunkline has no IAM policy evaluation), so say so."""
    if params.get("DryRun"):
        raise AwsError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412)


def _launch_request(params: Params) -> instances.LaunchRequest:
    for spec in params.get("TagSpecifications") or []:
        if spec.get("ResourceType") not in _TAGGABLE:
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
    if params.get("SecurityGroups"):
        raise AwsError(
            "InvalidParameterCombination",
            "The parameter groupName cannot be used with the parameter subnet",
        )
    return instances.LaunchRequest(
        image_id=params.get("ImageId"),
        instance_type=params.get("InstanceType") or "m1.small",
        min_count=params["MinCount"],
        max_count=params["MaxCount"],
        subnet_id=subnet_id,
        group_ids=group_ids,
        iam_profile=params.get("IamInstanceProfile"),
        user_data=params.get("UserData"),
        key_name=params.get("KeyName"),
        private_ip=params.get("PrivateIpAddress"),
        public_ip=public_ip,
        dns_options=params.get("PrivateDnsNameOptions"),
        tags=ec2_tags.from_specifications(params, "instance"),
        eni_tags=ec2_tags.from_specifications(params, "network-interface"),
        client_token=params.get("ClientToken"),
        disable_api_termination=bool(params.get("DisableApiTermination")),
    )


def _primary_interface_spec(
    params: Params, interfaces: list[Params]
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
    return spec.get("SubnetId"), spec.get("Groups"), spec.get("AssociatePublicIpAddress")


class InstanceOps:
    def instance_jobs(self) -> dict[str, JobHandler]:
        return {
            instances.RUNNING_JOB: instances.finish_launch_job,
            instances.STOPPED_JOB: instances.finish_stop_job,
            instances.TERMINATED_JOB: instances.finish_terminate_job,
        }

    def run_instances(self, ctx: RequestContext, params: Params) -> Params:
        dry_run(params)
        request = _launch_request(params)

        def launch() -> Params:
            launched = instances.launch(ctx, request)
            views = [instances.describe_instance(ctx, r) for r in launched]
            for view in views:
                view["_Order"] = f"{view['AmiLaunchIndex']:06d}"
            return instance_views.reservations(ctx, views)[0]

        return client_tokens.once(ctx, "RunInstances", params, launch)

    def describe_instances(self, ctx: RequestContext, params: Params) -> Params:
        dry_run(params)
        found, token = instance_views.describe_instances(ctx, params)
        return {"Reservations": found, "NextToken": token}

    def stop_instances(self, ctx: RequestContext, params: Params) -> Params:
        dry_run(params)
        return {"StoppingInstances": instances.stop_instances(ctx, params["InstanceIds"])}

    def start_instances(self, ctx: RequestContext, params: Params) -> Params:
        dry_run(params)
        return {"StartingInstances": instances.start_instances(ctx, params["InstanceIds"])}

    def terminate_instances(self, ctx: RequestContext, params: Params) -> Params:
        dry_run(params)
        return {"TerminatingInstances": instances.terminate_instances(ctx, params["InstanceIds"])}

    def modify_private_dns_name_options(self, ctx: RequestContext, params: Params) -> Params:
        dry_run(params)
        instances.modify_private_dns_name_options(
            ctx,
            params["InstanceId"],
            params.get("PrivateDnsHostnameType"),
            params.get("EnableResourceNameDnsARecord"),
            params.get("EnableResourceNameDnsAAAARecord"),
        )
        return {"Return": True}

    def describe_instance_attribute(self, ctx: RequestContext, params: Params) -> Params:
        dry_run(params)
        record = instances.get_instance(ctx, params["InstanceId"])
        view = instances.describe_instance(ctx, record)
        attribute = params["Attribute"]
        out: Params = {"InstanceId": record["InstanceId"]}
        value = _attribute(record, view, attribute)
        if value is not None:
            out.update(value)
        return out


def _attribute(record: Params, view: Params, attribute: str) -> Params | None:
    simple = {
        "instanceType": ("InstanceType", view.get("InstanceType")),
        "kernel": ("KernelId", None),
        "ramdisk": ("RamdiskId", None),
        "userData": ("UserData", instances.user_data(record)),
        "disableApiTermination": ("DisableApiTermination", bool(record.get("_DisableApiTermination"))),
        "instanceInitiatedShutdownBehavior": ("InstanceInitiatedShutdownBehavior", "stop"),
        "rootDeviceName": ("RootDeviceName", view.get("RootDeviceName")),
        "sourceDestCheck": ("SourceDestCheck", view.get("SourceDestCheck", True)),
        "ebsOptimized": ("EbsOptimized", view.get("EbsOptimized", False)),
        "sriovNetSupport": ("SriovNetSupport", "simple"),
        "enaSupport": ("EnaSupport", view.get("EnaSupport", True)),
        "disableApiStop": ("DisableApiStop", False),
    }
    if attribute in simple:
        name, value = simple[attribute]
        return {name: {"Value": value}} if value is not None else {name: {}}
    if attribute == "groupSet":
        return {"Groups": view.get("SecurityGroups", [])}
    if attribute == "blockDeviceMapping":
        return {"BlockDeviceMappings": view.get("BlockDeviceMappings", [])}
    if attribute == "productCodes":
        return {"ProductCodes": []}
    if attribute == "enclaveOptions":
        return {"EnclaveOptions": {"Enabled": False}}
    return None
