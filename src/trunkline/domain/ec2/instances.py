"""EC2 instances: launch, the state machine the clock drives, and the Instance view.

Record (kind `ec2.instance`, key `REGION/i-…`), in Instance output member names:
`InstanceId`, `ReservationId`, `OwnerId`, `AmiLaunchIndex`, `ImageId`, `InstanceType`,
`Architecture`, `State` {Code, Name}, `StateTransitionReason`, `StateReason` (after a stop or
termination), `LaunchTime`, `Placement` {AvailabilityZone, AvailabilityZoneId, GroupName, Tenancy},
`SubnetId`, `VpcId`, `IamInstanceProfile` {Arn, Id}, `KeyName`, `Tags`, `PrivateDnsNameOptions`
{HostnameType, EnableResourceNameDnsARecord, EnableResourceNameDnsAAAARecord}, `ClientToken`,
`UserData` (base64 as sent; DescribeInstanceAttribute serves it, DescribeInstances does not), and
image-derived fields (`RootDeviceName`, `Hypervisor`, `PlatformDetails`, ...). Private
bookkeeping (never served): `_PublicIp` (whether the launch asked for an auto-assigned public
IPv4), `_HasRun` (reached `running` once: only then may a pending instance be stopped),
`_DisableApiTermination`, `_Transition` (counts state changes, so a job scheduled for an older
change does nothing), `_TerminatedAt`.

Everything about the instance's network interfaces — private and public addresses, security
groups, MACs — belongs to the ENI ledger (`network_interfaces`); the view reads it from there.

Indexes: `subnet`, `vpc` (`REGION/…`), `state` (`REGION/running`), `reservation`.

States and codes: pending 0 → running 16 (`ec2.instance.launch`/`start`), stopping 64 → stopped 80
(`ec2.instance.stop`), shutting-down 32 → terminated 48 (`ec2.instance.terminate`). A terminated
instance stays visible for an hour after it terminated, then is gone from every call.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import catalog, iam, ids
from trunkline.domain.ec2 import (
    cpu_options,
    image_parameters,
    images,
    lookup,
    metadata_options,
    quotas,
    subnets,
    volumes,
)
from trunkline.domain.ec2 import network_interfaces as enis
from trunkline.domain.ec2.kinds import INSTANCE
from trunkline.domain.ec2.records import InstanceRecord, NetworkInterfaceRecord, SubnetRecord, Tag
from trunkline.errors import AwsError
from trunkline.reactions import RUNNING, STOPPED, TERMINATED

Record = dict[str, Any]

STATE_CODES = {"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}
USER_DATA_LIMIT = 16384

RUNNING_JOB = "ec2.instance.running"
STOPPED_JOB = "ec2.instance.stopped"
TERMINATED_JOB = "ec2.instance.terminated"


# --- lookups ------------------------------------------------------------------------------------


def check_instance_id(instance_id: str) -> None:
    INSTANCE.check_id(instance_id)


def not_found(instance_ids: list[str]) -> AwsError:
    return INSTANCE.missing(*instance_ids)


def visible(ctx: RequestContext, record: InstanceRecord) -> bool:
    """Owned by the caller, and not terminated for longer than EC2 keeps showing it."""
    return INSTANCE.visible(ctx, record)


def find_instance(ctx: RequestContext, instance_id: str) -> InstanceRecord | None:
    return INSTANCE.get(ctx, instance_id)


def get_instance(ctx: RequestContext, instance_id: str) -> InstanceRecord:
    """The instance record; raises InvalidInstanceID.Malformed / .NotFound as EC2 does."""
    return INSTANCE.require(ctx, instance_id)


def get_instances(ctx: RequestContext, instance_ids: list[str]) -> list[InstanceRecord]:
    """Every named instance, in order; the NotFound error names all missing ones."""
    return INSTANCE.require_all(ctx, instance_ids)


def save(ctx: RequestContext, record: InstanceRecord) -> None:
    """Store a changed instance with its indexes."""
    INSTANCE.save(ctx, record)


# --- launch -------------------------------------------------------------------------------------


@dataclass
class LaunchRequest:
    """RunInstances' parameters, as the domain needs them."""

    image_id: str | None
    instance_type: str
    min_count: int
    max_count: int
    subnet_id: str | None = None
    group_ids: list[str] | None = None
    group_names: list[str] | None = None  # SecurityGroups: names, which only a default VPC resolves
    iam_profile: Mapping[str, Any] | None = None  # {"Arn": …} or {"Name": …}
    user_data: str | None = None
    key_name: str | None = None
    private_ip: str | None = None
    public_ip: bool | None = None  # None: the subnet's MapPublicIpOnLaunch decides
    dns_options: Mapping[str, Any] | None = None  # PrivateDnsNameOptions as sent
    metadata_options: Mapping[str, Any] | None = None  # MetadataOptions as sent
    zone: str | None = None  # Placement.AvailabilityZone
    tags: list[Tag] = field(default_factory=list)
    eni_tags: list[Tag] = field(default_factory=list)
    client_token: str | None = None
    disable_api_termination: bool = False
    disable_api_stop: bool = False
    ebs_optimized: bool = False
    monitoring: bool = False  # Monitoring.Enabled: detailed monitoring
    shutdown_behavior: str = "stop"  # InstanceInitiatedShutdownBehavior
    cpu_options: Mapping[str, Any] | None = None  # CpuOptions as sent
    credit_specification: Mapping[str, Any] | None = None  # CreditSpecification as sent
    block_devices: list[Mapping[str, Any]] | None = None  # BlockDeviceMappings as sent
    volume_tags: list[Tag] = field(default_factory=list)  # TagSpecifications of type volume
    #: HibernationOptions, EnclaveOptions, MaintenanceOptions and Tenancy (`instance_options.py`)
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class _Plan:
    """Everything a launch needs, resolved and checked before the first write."""

    request: LaunchRequest
    image: Record
    instance_type: catalog.InstanceType
    subnet: SubnetRecord
    groups: list[str]
    profile: Record | None
    dns_options: Record
    metadata: Record
    public_ip: bool
    count: int
    cpu: Record
    credits: str | None
    volumes: list[volumes.VolumeSpec]


def _check_counts(request: LaunchRequest) -> None:
    if request.min_count < 1:
        raise AwsError(
            "InvalidParameterValue",
            f"Value ({request.min_count}) for parameter minCount is invalid. Expected a positive integer.",
        )
    if request.max_count < request.min_count:
        raise AwsError(
            "InvalidParameterValue",
            f"Value ({request.max_count}) for parameter maxCount is invalid. "
            f"Must be greater than or equal to minCount ({request.min_count}).",
        )
    if request.private_ip is not None and request.max_count > 1:
        raise AwsError(
            "InvalidParameterCombination",
            "A private IP address can only be specified when launching a single instance.",
        )


def known_instance_type(name: str, code: str = "InvalidParameterValue") -> catalog.InstanceType:
    """The catalog's type of that name, or EC2's refusal of an unknown one (RunInstances and
    ModifyInstanceAttribute word it alike; the latter's documented code is another)."""
    known = catalog.get_instance_type(name)
    if known is None:
        raise AwsError(code, f"Invalid value '{name}' for InstanceType.")
    return known


def _instance_type(name: str, image: Record) -> catalog.InstanceType:
    known = known_instance_type(name)
    if image["Architecture"] not in known.architectures:
        raise AwsError(
            "InvalidParameterValue",
            f"The architecture '{known.architectures[0]}' of the specified instance type does not match the "
            f"architecture '{image['Architecture']}' of the specified AMI. Specify an instance type and an AMI that "
            "have matching architectures, and try again. You can use 'describe-instance-types' or "
            "'describe-images' to discover the architecture of the instance type or AMI.",
        )
    return known


def _subnet(ctx: RequestContext, subnet_id: str | None, zone: str | None) -> SubnetRecord:
    if subnet_id is None:
        from trunkline.domain.ec2 import default_vpc

        return default_vpc.launch_subnet(ctx, zone)
    return subnets.get_subnet(ctx, subnet_id)


def _group_ids(ctx: RequestContext, request: LaunchRequest, subnet: SubnetRecord) -> list[str]:
    """The launch's security groups: by id, or (only without a subnet: the default VPC) by name;
    none named: the VPC's default group."""
    ids = list(request.group_ids or [])
    if request.group_names:
        if request.subnet_id is not None:
            raise AwsError(
                "InvalidParameterCombination", "The parameter groupName cannot be used with the parameter subnet"
            )
        from trunkline.domain.ec2 import security_groups

        ids += [security_groups.by_name(ctx, name)["GroupId"] for name in request.group_names]
    return [g["GroupId"] for g in enis.resolve_groups(ctx, subnet, ids or None)]


def resolve_profile(ctx: RequestContext, wanted: Mapping[str, Any] | None) -> Record | None:
    """The instance profile an `IamInstanceProfile` {Arn} or {Name} parameter names (EC2's errors)."""
    return _profile(ctx, wanted)


def _profile(ctx: RequestContext, wanted: Mapping[str, Any] | None) -> Record | None:
    if not wanted:
        return None
    arn, name = wanted.get("Arn"), wanted.get("Name")
    if arn and name:
        raise AwsError(
            "InvalidParameterCombination",
            "The parameter 'iamInstanceProfile.name' may not be used in combination with 'iamInstanceProfile.arn'",
        )
    if arn:
        profile = iam.instance_profile_by_arn(ctx, arn)
        if profile is None:
            raise AwsError(
                "InvalidParameterValue",
                f"Value ({arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN",
            )
        return profile
    try:
        return iam.get_instance_profile(ctx, name or "")
    except AwsError:
        raise AwsError(
            "InvalidParameterValue",
            f"Value ({name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name",
        ) from None


def _check_user_data(user_data: str | None) -> None:
    if user_data is None:
        return
    try:
        raw = base64.b64decode(user_data, validate=True)
    except (binascii.Error, ValueError):
        raise AwsError("InvalidParameterValue", "Invalid BASE64 encoding of user data.") from None
    if len(raw) > USER_DATA_LIMIT:
        raise AwsError("InvalidParameterValue", f"User data is limited to {USER_DATA_LIMIT} bytes")


def _dns_options(subnet: SubnetRecord, wanted: Mapping[str, Any] | None) -> Record:
    """PrivateDnsNameOptions: what the request asks, else the subnet's launch defaults."""
    defaults = subnet.get("PrivateDnsNameOptionsOnLaunch") or {}
    wanted = wanted or {}
    options = {
        "HostnameType": wanted.get("HostnameType") or defaults.get("HostnameType") or "ip-name",
        "EnableResourceNameDnsARecord": bool(
            _first(wanted.get("EnableResourceNameDnsARecord"), defaults.get("EnableResourceNameDnsARecord"))
        ),
        "EnableResourceNameDnsAAAARecord": bool(
            _first(wanted.get("EnableResourceNameDnsAAAARecord"), defaults.get("EnableResourceNameDnsAAAARecord"))
        ),
    }
    return options


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), False)


def _plan(ctx: RequestContext, request: LaunchRequest) -> _Plan:
    _check_counts(request)
    if not request.image_id:
        raise AwsError("MissingParameter", "The request must contain the parameter ImageId")
    image = images.get_image(ctx, image_parameters.resolve(ctx, request.image_id))
    instance_type = _instance_type(request.instance_type, image)
    cpu = cpu_options.resolve(instance_type, request.cpu_options)
    credits = cpu_options.credit_option(instance_type.name, request.credit_specification)
    planned_volumes = volumes.plan(ctx, image, request.block_devices)
    subnet = _subnet(ctx, request.subnet_id, request.zone)
    if request.zone is not None and request.zone != subnet["AvailabilityZone"]:
        raise AwsError(
            "InvalidParameterValue",
            f"Value ({request.zone}) for parameter availabilityZone is invalid. "
            f"Subnet {subnet['SubnetId']} is in availability zone {subnet['AvailabilityZone']}",
        )
    group_ids = _group_ids(ctx, request, subnet)
    metadata = metadata_options.at_launch(image, request.metadata_options)
    profile = _profile(ctx, request.iam_profile)
    _check_user_data(request.user_data)
    free = int(subnet["AvailableIpAddressCount"])
    if free < request.min_count:
        raise AwsError(
            "InsufficientFreeAddressesInSubnet",
            f"There are not enough free addresses in subnet '{subnet['SubnetId']}' to satisfy the requested "
            "number of instances.",
        )
    public_ip = subnet.get("MapPublicIpOnLaunch", False) if request.public_ip is None else request.public_ip
    return _Plan(
        request=request,
        image=image,
        instance_type=instance_type,
        subnet=subnet,
        groups=group_ids,
        profile=profile,
        dns_options=_dns_options(subnet, request.dns_options),
        metadata=metadata,
        public_ip=bool(public_ip),
        cpu=cpu,
        credits=credits,
        volumes=planned_volumes,
        count=_within_quotas(ctx, instance_type.name, min(request.max_count, free), request.min_count),
    )


def _within_quotas(ctx: RequestContext, instance_type: str, wanted: int, at_least: int) -> int:
    """As many as the vCPU quota and the Region's ENI quota (one primary each) allow, >= MinCount."""
    allowed = quotas.instances_allowed(ctx, instance_type, wanted, at_least)
    return quotas.enis_allowed(ctx, allowed, at_least)


def launch(ctx: RequestContext, request: LaunchRequest) -> list[InstanceRecord]:
    """RunInstances: check everything, then create the instances (pending) with their primary
    ENIs. All or nothing: as many as MaxCount asks and the subnet can hold, at least MinCount."""
    plan = _plan(ctx, request)
    reservation_id = ids.resource_id("r")
    launched = []
    for index in range(plan.count):
        launched.append(_launch_one(ctx, plan, reservation_id, index))
    return launched


def _launch_one(ctx: RequestContext, plan: _Plan, reservation_id: str, index: int) -> InstanceRecord:
    request, image, subnet = plan.request, plan.image, plan.subnet
    instance_id = ids.resource_id("i")
    record: InstanceRecord = {
        "InstanceId": instance_id,
        "ReservationId": reservation_id,
        "OwnerId": ctx.account_id,
        "AmiLaunchIndex": index,
        "ImageId": image["ImageId"],
        "InstanceType": plan.instance_type.name,
        "Architecture": image["Architecture"],
        "State": _state("pending"),
        "StateTransitionReason": "",
        "LaunchTime": ctx.now,
        "Placement": _placement(subnet, request.options.get("Tenancy", "default")),
        "SubnetId": subnet["SubnetId"],
        "VpcId": subnet["VpcId"],
        "Tags": list(request.tags),
        "PrivateDnsNameOptions": dict(plan.dns_options),
        "Monitoring": {"State": "enabled" if request.monitoring else "disabled"},
        "EbsOptimized": request.ebs_optimized,
        "EnaSupport": image.get("EnaSupport", True),
        "Hypervisor": "xen",  # what EC2 reports for Nitro types too
        "VirtualizationType": image.get("VirtualizationType", "hvm"),
        "RootDeviceType": "ebs",
        "RootDeviceName": image.get("RootDeviceName", "/dev/xvda"),
        "PlatformDetails": image.get("PlatformDetails", "Linux/UNIX"),
        "UsageOperation": image.get("UsageOperation", "RunInstances"),
        "UsageOperationUpdateTime": ctx.now,
        "CpuOptions": dict(plan.cpu),
        "MetadataOptions": dict(plan.metadata),
        "BlockDeviceMappings": volumes.attach_new(
            ctx, instance_id, subnet["AvailabilityZone"], plan.volumes, request.volume_tags
        ),
        "ProductCodes": [],
        "_PublicIp": plan.public_ip,
        "_DisableApiTermination": request.disable_api_termination,
        "_DisableApiStop": request.disable_api_stop,
        "_ShutdownBehavior": request.shutdown_behavior,
        "_Transition": 0,
    }
    _optional(record, image, request, plan)
    save(ctx, record)
    eni = enis.create_network_interface(
        ctx, subnet["SubnetId"], plan.groups, tags=request.eni_tags, private_ip=request.private_ip
    )
    enis.attach(ctx, eni["NetworkInterfaceId"], instance_id, 0, delete_on_termination=True, immediate=True)
    if plan.public_ip:
        enis.assign_public_ip(ctx, eni["NetworkInterfaceId"])
    _schedule(ctx, record, "ec2.instance.launch", RUNNING_JOB)
    return record


def _optional(record: InstanceRecord, image: Record, request: LaunchRequest, plan: _Plan) -> None:
    profile = plan.profile
    if image.get("Platform"):
        record["Platform"] = image["Platform"]
    if image.get("BootMode"):
        record["CurrentInstanceBootMode"] = "uefi" if image["BootMode"] != "legacy-bios" else "legacy-bios"
    if profile is not None:
        record["IamInstanceProfile"] = {"Arn": profile["Arn"], "Id": profile["InstanceProfileId"]}
        # the association (profile_associations.py) starts with the launch
        record["_ProfileAssociation"] = {
            "AssociationId": ids.resource_id("iip-assoc"),
            "Timestamp": record["LaunchTime"],
        }
    if request.key_name:
        record["KeyName"] = request.key_name
    if request.client_token:
        record["ClientToken"] = request.client_token
    if request.user_data is not None:
        record["UserData"] = request.user_data
    for name in ("HibernationOptions", "EnclaveOptions", "MaintenanceOptions"):
        if name in request.options:
            record[name] = dict(request.options[name])
    if plan.credits is not None:
        record["_CpuCredits"] = plan.credits  # DescribeInstanceCreditSpecifications (credit_specifications.py)


def _placement(subnet: SubnetRecord, tenancy: str) -> Record:
    placement = {"AvailabilityZone": subnet["AvailabilityZone"], "GroupName": "", "Tenancy": tenancy}
    if subnet.get("AvailabilityZoneId"):
        placement["AvailabilityZoneId"] = subnet["AvailabilityZoneId"]
    return placement


def _state(name: str) -> Record:
    return {"Code": STATE_CODES[name], "Name": name}


def _schedule(ctx: RequestContext, record: InstanceRecord, step: str, job: str) -> None:
    payload = {
        "region": ctx.region,
        "account": record["OwnerId"],
        "instance_id": record["InstanceId"],
        "transition": record["_Transition"],
    }
    ctx.schedule(step, job, payload)


# --- the state machine --------------------------------------------------------------------------


def _move(ctx: RequestContext, record: InstanceRecord, state: str) -> Record:
    """Change state; returns the InstanceStateChange."""
    previous = dict(record["State"])
    record["State"] = _state(state)
    record["_Transition"] = record.get("_Transition", 0) + 1
    return {"InstanceId": record["InstanceId"], "CurrentState": dict(record["State"]), "PreviousState": previous}


def _unchanged(record: InstanceRecord) -> Record:
    state = dict(record["State"])
    return {"InstanceId": record["InstanceId"], "CurrentState": state, "PreviousState": dict(state)}


def _user_initiated(ctx: RequestContext, record: InstanceRecord, code: str) -> None:
    when = datetime.fromtimestamp(ctx.now, UTC).strftime("%Y-%m-%d %H:%M:%S GMT")
    record["StateTransitionReason"] = f"User initiated ({when})"
    message = "User initiated shutdown" if code == "Client.UserInitiatedShutdown" else "User initiated"
    record["StateReason"] = {"Code": code, "Message": f"{code}: {message}"}


def incorrect_state(instance_id: str, verb: str) -> AwsError:
    return AwsError(
        "IncorrectInstanceState", f"The instance '{instance_id}' is not in a state from which it can be {verb}."
    )


def stop_instances(ctx: RequestContext, instance_ids: list[str]) -> list[Record]:
    records = get_instances(ctx, instance_ids)
    for record in records:
        state = record["State"]["Name"]
        if state == "pending" and not record.get("_HasRun"):
            raise AwsError(
                "IncorrectInstanceState",
                f"Instance '{record['InstanceId']}' cannot be stopped as it has never reached the 'running' state.",
            )
        if state in ("shutting-down", "terminated"):
            raise incorrect_state(record["InstanceId"], "stopped")
        if record.get("_DisableApiStop") and state in ("pending", "running"):
            raise AwsError(
                "OperationNotPermitted",
                f"The instance '{record['InstanceId']}' may not be stopped. Modify its 'disableApiStop' "
                "instance attribute and try again.",
            )
    changes = []
    for record in records:
        if record["State"]["Name"] not in ("running", "pending"):  # stopping or stopped already
            changes.append(_unchanged(record))
            continue
        changes.append(_move(ctx, record, "stopping"))
        _user_initiated(ctx, record, "Client.UserInitiatedShutdown")
        save(ctx, record)
        _schedule(ctx, record, "ec2.instance.stop", STOPPED_JOB)
    return changes


def start_instances(ctx: RequestContext, instance_ids: list[str]) -> list[Record]:
    records = get_instances(ctx, instance_ids)
    for record in records:
        if record["State"]["Name"] in ("stopping", "shutting-down", "terminated"):
            raise incorrect_state(record["InstanceId"], "started")
    starting = [r for r in records if r["State"]["Name"] == "stopped"]
    for instance_type in {r["InstanceType"] for r in starting}:
        same = sum(1 for r in starting if r["InstanceType"] == instance_type)
        quotas.instances_allowed(ctx, instance_type, same, same)
    changes = []
    for record in records:
        if record["State"]["Name"] != "stopped":
            changes.append(_unchanged(record))
            continue
        changes.append(_move(ctx, record, "pending"))
        record["StateTransitionReason"] = ""
        record.pop("StateReason", None)
        save(ctx, record)
        attached = enis.interfaces_of_instance(ctx, record["InstanceId"])
        if record.get("_PublicIp") and len(attached) == 1:
            # A started instance gets a new public address (the old one went back at stop), but
            # only while it has a single network interface: with a second one (an ECS trunk, S13)
            # EC2 assigns none.
            enis.assign_public_ip(ctx, attached[0]["NetworkInterfaceId"])
        _schedule(ctx, record, "ec2.instance.start", RUNNING_JOB)
    return changes


def terminate_instances(ctx: RequestContext, instance_ids: list[str]) -> list[Record]:
    records = get_instances(ctx, instance_ids)
    for record in records:
        if record.get("_DisableApiTermination") and record["State"]["Name"] not in ("shutting-down", "terminated"):
            raise AwsError(
                "OperationNotPermitted",
                f"The instance '{record['InstanceId']}' may not be terminated. Modify its 'disableApiTermination' "
                "instance attribute and try again.",
            )
    changes = []
    for record in records:
        if record["State"]["Name"] in ("shutting-down", "terminated"):
            changes.append(_unchanged(record))
            continue
        changes.append(_move(ctx, record, "shutting-down"))
        _user_initiated(ctx, record, "Client.UserInitiatedShutdown")
        save(ctx, record)
        _schedule(ctx, record, "ec2.instance.terminate", TERMINATED_JOB)
    return changes


def _job_target(ctx: RequestContext, payload: Record, expected: str) -> InstanceRecord | None:
    record = INSTANCE.load(ctx, payload["instance_id"])
    if record is None or record.get("_Transition") != payload.get("transition"):
        return None  # the instance moved on since the job was scheduled
    return record if record["State"]["Name"] == expected else None


def finish_launch_job(ctx: RequestContext, payload: Record) -> None:
    record = _job_target(ctx, payload, "pending")
    if record is not None:
        _move(ctx, record, "running")
        record["_HasRun"] = True
        record["_RunningSince"] = ctx.now  # DescribeInstanceStatus's checks start over (instance_status)
        save(ctx, record)
        ctx.reactions.instance_reached(ctx, RUNNING, record)


def finish_stop_job(ctx: RequestContext, payload: Record) -> None:
    record = _job_target(ctx, payload, "stopping")
    if record is None:
        return
    _move(ctx, record, "stopped")
    save(ctx, record)
    for eni in enis.interfaces_of_instance(ctx, record["InstanceId"]):
        enis.release_public_ip(ctx, eni)
    ctx.reactions.instance_reached(ctx, STOPPED, record)


def finish_terminate_job(ctx: RequestContext, payload: Record) -> None:
    record = _job_target(ctx, payload, "shutting-down")
    if record is None:
        return
    _move(ctx, record, "terminated")
    record["_TerminatedAt"] = ctx.now
    record["BlockDeviceMappings"] = []  # EC2 shows no volumes on a terminated instance
    save(ctx, record)
    enis.release_instance(ctx, record["InstanceId"])
    volumes.release_instance(ctx, record["InstanceId"])
    ctx.reactions.instance_reached(ctx, TERMINATED, record)


# --- attributes ---------------------------------------------------------------------------------


def modify_private_dns_name_options(
    ctx: RequestContext,
    instance_id: str,
    hostname_type: str | None,
    a_record: bool | None,
    aaaa_record: bool | None,
) -> None:
    record = get_instance(ctx, instance_id)
    state = record["State"]["Name"]
    if state in ("shutting-down", "terminated"):
        raise AwsError(
            "IncorrectInstanceState", f"The instance '{instance_id}' is not in a valid state for this operation."
        )
    options = record["PrivateDnsNameOptions"]
    if hostname_type is not None and hostname_type != options["HostnameType"] and state != "stopped":
        raise AwsError(
            "IncorrectInstanceState",
            f"The instance '{instance_id}' must be stopped to change its private DNS hostname type.",
        )
    if hostname_type is not None:
        options["HostnameType"] = hostname_type
    if a_record is not None:
        options["EnableResourceNameDnsARecord"] = a_record
    if aaaa_record is not None:
        options["EnableResourceNameDnsAAAARecord"] = aaaa_record
    save(ctx, record)


def user_data(record: InstanceRecord) -> str | None:
    value = record.get("UserData")
    return str(value) if value is not None else None


# --- the view -----------------------------------------------------------------------------------


def private_dns_name(ctx: RequestContext, record: InstanceRecord, primary: NetworkInterfaceRecord | None) -> str:
    if primary is None:
        return ""
    if record["PrivateDnsNameOptions"]["HostnameType"] == "resource-name":
        return record["InstanceId"] + enis.internal_domain(ctx.region)
    return str(primary["PrivateDnsName"])


def interface_view(eni: NetworkInterfaceRecord) -> Record:
    """An attached ENI as DescribeInstances lists it (InstanceNetworkInterface)."""
    attachment = eni["Attachment"]
    view: Record = {
        "Attachment": {
            "AttachTime": attachment["AttachTime"],
            "AttachmentId": attachment["AttachmentId"],
            "DeleteOnTermination": attachment["DeleteOnTermination"],
            "DeviceIndex": attachment["DeviceIndex"],
            "NetworkCardIndex": attachment["NetworkCardIndex"],
            "Status": attachment["Status"],
        },
        "Description": eni["Description"],
        "Groups": eni["Groups"],
        "Ipv6Addresses": [],
        "MacAddress": eni["MacAddress"],
        "NetworkInterfaceId": eni["NetworkInterfaceId"],
        "OwnerId": eni["OwnerId"],
        "PrivateDnsName": eni["PrivateDnsName"],
        "PrivateIpAddress": eni["PrivateIpAddress"],
        "PrivateIpAddresses": [_instance_address(a) for a in eni["PrivateIpAddresses"]],
        "SourceDestCheck": eni["SourceDestCheck"],
        "Status": eni["Status"],
        "SubnetId": eni["SubnetId"],
        "VpcId": eni["VpcId"],
        "InterfaceType": eni["InterfaceType"],
    }
    if eni.get("Association"):
        view["Association"] = _instance_association(eni["Association"])
    return view


def _instance_association(association: Record) -> Record:
    """InstanceNetworkInterfaceAssociation: the ENI's association without its Elastic IP ids."""
    return {k: v for k, v in association.items() if k in _INSTANCE_ASSOCIATION}


def _instance_address(address: Record) -> Record:
    if not address.get("Association"):
        return address
    return {**address, "Association": _instance_association(address["Association"])}


_INSTANCE_ASSOCIATION = ("CarrierIp", "CustomerOwnedIp", "IpOwnerId", "PublicDnsName", "PublicIp")


def describe_instance(ctx: RequestContext, record: InstanceRecord) -> Record:
    """The Instance output shape: the record plus what the ENI ledger knows about its network."""
    view = lookup.public(record)
    view.pop("UserData", None)
    attached = enis.interfaces_of_instance(ctx, record["InstanceId"])
    primary = next((e for e in attached if e["Attachment"]["DeviceIndex"] == 0), None)
    view["NetworkInterfaces"] = [interface_view(e) for e in attached]
    view["PrivateDnsName"] = private_dns_name(ctx, record, primary)
    view["PublicDnsName"] = ""
    if record["State"]["Name"] == "terminated":
        # EC2 stops reporting where a terminated instance was.
        view.pop("SubnetId", None)
        view.pop("VpcId", None)
    if primary is None:
        view["SecurityGroups"] = []
        return view
    view["PrivateIpAddress"] = primary["PrivateIpAddress"]
    view["SecurityGroups"] = primary["Groups"]
    view["SourceDestCheck"] = primary["SourceDestCheck"]
    if primary.get("Association"):
        view["PublicIpAddress"] = primary["Association"]["PublicIp"]
        view["PublicDnsName"] = primary["Association"]["PublicDnsName"]
    return view
