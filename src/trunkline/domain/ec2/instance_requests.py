"""An account's RunInstances and DescribeInstanceAttribute: the launch request (the call's
parameters merged with its launch template), the reservation RunInstances answers, and the one
attribute DescribeInstanceAttribute asks for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import instance_views, instances, launch_requests, launch_templates
from trunkline.domain.ec2.records import InstanceRecord

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

View = dict[str, Any]


def launch_request(ctx: RequestContext, request: shapes.RunInstancesRequest) -> instances.LaunchRequest:
    """The call's parameters, merged with its launch template when it names one."""
    spec = request.get("LaunchTemplate")
    if not spec:
        return launch_requests.from_parameters(request)
    merged, version = launch_templates.run_parameters(ctx, spec, request)
    launch = launch_requests.from_parameters(merged)
    launch.tags = [*launch.tags, *launch_templates.system_tags(version)]
    return launch


def run(ctx: RequestContext, request: shapes.RunInstancesRequest) -> View:
    """RunInstances: the one reservation it made, instances in launch-index order."""
    launched = instances.launch(ctx, launch_request(ctx, request))
    views = [instances.describe_instance(ctx, r) for r in launched]
    for view in views:
        view["_Order"] = f"{view['AmiLaunchIndex']:06d}"
    return instance_views.reservations(ctx, views)[0]


def attribute(ctx: RequestContext, request: shapes.DescribeInstanceAttributeRequest) -> View:
    """DescribeInstanceAttribute: the instance's id and the one attribute asked for."""
    record = instances.get_instance(ctx, request["InstanceId"])
    view = instances.describe_instance(ctx, record)
    out: View = {"InstanceId": record["InstanceId"]}
    value = _attribute(record, view, request["Attribute"])
    if value is not None:
        out.update(value)
    return out


def _attribute(record: InstanceRecord, view: View, attribute: str) -> View | None:
    simple = {
        "instanceType": ("InstanceType", view.get("InstanceType")),
        "kernel": ("KernelId", None),
        "ramdisk": ("RamdiskId", None),
        "userData": ("UserData", instances.user_data(record)),
        "disableApiTermination": ("DisableApiTermination", bool(record.get("_DisableApiTermination"))),
        "instanceInitiatedShutdownBehavior": (
            "InstanceInitiatedShutdownBehavior",
            record.get("_ShutdownBehavior", "stop"),
        ),
        "rootDeviceName": ("RootDeviceName", view.get("RootDeviceName")),
        "sourceDestCheck": ("SourceDestCheck", view.get("SourceDestCheck", True)),
        "ebsOptimized": ("EbsOptimized", view.get("EbsOptimized", False)),
        "sriovNetSupport": ("SriovNetSupport", "simple"),
        "enaSupport": ("EnaSupport", view.get("EnaSupport", True)),
        "disableApiStop": ("DisableApiStop", bool(record.get("_DisableApiStop"))),
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
        return {"EnclaveOptions": view.get("EnclaveOptions") or {"Enabled": False}}
    return None
