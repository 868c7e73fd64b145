"""ModifyInstanceAttribute, ModifyInstanceCpuOptions and ModifyInstanceMetadataOptions: changing a
launched instance.

ModifyInstanceAttribute changes one attribute per call, named either by its own request member
(`InstanceType={"Value": …}`, `Groups=[…]`, ...) or, the older form, by `Attribute` and `Value`.
EC2's rules: the instance type, user data and EBS optimization change only while the instance is
stopped, and a new type must fit the instance as it is (its architecture, its number of network
cards, the network interfaces attached to it); security groups and the source/destination check
belong to the primary network interface and are refused when the instance has more than one (an
ECS container instance with its trunk ENI: EC2 then asks for ModifyNetworkInterfaceAttribute).
Kernel, RAM disk, SR-IOV and enclave changes are not modelled and are refused by name
(docs/decisions.md).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import catalog
from trunkline.domain.ec2 import cpu_options, instances, metadata_options, volumes
from trunkline.domain.ec2 import network_interfaces as enis
from trunkline.domain.ec2.records import InstanceRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]

#: Request member -> the attribute name EC2 uses for it (the `Attribute` enum).
_MEMBERS = {
    "InstanceType": "instanceType",
    "Kernel": "kernel",
    "Ramdisk": "ramdisk",
    "UserData": "userData",
    "DisableApiTermination": "disableApiTermination",
    "DisableApiStop": "disableApiStop",
    "InstanceInitiatedShutdownBehavior": "instanceInitiatedShutdownBehavior",
    "BlockDeviceMappings": "blockDeviceMapping",
    "SourceDestCheck": "sourceDestCheck",
    "Groups": "groupSet",
    "EbsOptimized": "ebsOptimized",
    "SriovNetSupport": "sriovNetSupport",
    "EnaSupport": "enaSupport",
    "EnclaveOptions": "enclaveOptions",
}
_STOPPED_ONLY = ("instanceType", "userData", "ebsOptimized", "enaSupport")
_NOT_MODELLED = ("kernel", "ramdisk", "sriovNetSupport", "enclaveOptions")
_BOOLEAN = ("disableApiTermination", "disableApiStop", "sourceDestCheck", "ebsOptimized", "enaSupport")
_SHUTDOWN_BEHAVIORS = ("stop", "terminate")


def modify(ctx: RequestContext, request: shapes.ModifyInstanceAttributeRequest) -> None:
    """ModifyInstanceAttribute: check the one change, then make it."""
    record = instances.get_instance(ctx, request["InstanceId"])
    attribute, value = _the_change(request)
    state = record["State"]["Name"]
    if state in ("shutting-down", "terminated"):
        raise instances.incorrect_state(record["InstanceId"], "modified")
    if attribute in _NOT_MODELLED:
        raise AwsError("InvalidParameterValue", f"trunkline does not support {attribute} on instances yet.")
    if attribute in _STOPPED_ONLY and state != "stopped":
        raise AwsError(
            "IncorrectInstanceState", f"The instance '{record['InstanceId']}' is not in the 'stopped' state."
        )
    _CHANGES[attribute](ctx, record, value)


def _the_change(request: shapes.ModifyInstanceAttributeRequest) -> tuple[str, Any]:
    """(attribute, value) of the one change the request asks for."""
    given = [(attribute, request[member]) for member, attribute in _MEMBERS.items() if request.get(member)]  # type: ignore[literal-required]
    if request.get("Attribute"):
        given.append((str(request["Attribute"]), _old_form(str(request["Attribute"]), request.get("Value"))))
    if len(given) > 1:
        names = ", ".join(attribute for attribute, _ in given)
        raise AwsError("InvalidParameterCombination", f"Fields for multiple attribute types specified: {names}")
    if not given:
        # EC2's observed answer (ansible-collections/amazon.aws#470: an empty Groups list)
        raise AwsError("InvalidParameterCombination", "No attributes specified.")
    return given[0]


def _old_form(attribute: str, value: str | None) -> Any:
    """`Attribute` and `Value`: the value as the member form would carry it."""
    if attribute not in _MEMBERS.values() or attribute in ("groupSet", "blockDeviceMapping"):
        raise AwsError("InvalidParameterValue", f"Value ({attribute}) for parameter attribute is invalid.")
    if value is None:
        raise AwsError("MissingParameter", "The request must contain the parameter value")
    if attribute in _BOOLEAN:
        if value.lower() not in ("true", "false"):
            raise AwsError("InvalidParameterValue", f"Value ({value}) for parameter {attribute} is invalid.")
        return {"Value": value.lower() == "true"}
    if attribute == "userData":
        return {"Value": value.encode()}
    return {"Value": value}


def _boolean(attribute: str, value: Record) -> bool:
    if value.get("Value") is None:
        raise AwsError("MissingParameter", f"The request must contain the parameter {attribute}")
    return bool(value["Value"])


# --- the changes ----------------------------------------------------------------------------------


def _instance_type(ctx: RequestContext, record: InstanceRecord, value: Record) -> None:
    name = str(value.get("Value") or "")
    # "If the instance type is not valid, the error returned is InvalidInstanceAttributeValue"
    # (API reference): RunInstances' text, this call's code
    known = instances.known_instance_type(name, code="InvalidInstanceAttributeValue")
    if record["Architecture"] not in known.architectures:
        raise AwsError(
            "InvalidInstanceAttributeValue",
            f"{_not_allowed(record, known)} The instance type '{name}' does not support the architecture "
            f"'{record['Architecture']}' of the instance '{record['InstanceId']}'.",
        )
    _check_fits(ctx, record, known)
    record["InstanceType"] = name
    # the old type's core counts may not exist on the new one: the new type's defaults
    record["CpuOptions"] = cpu_options.defaults(known)
    credits = record.get("_CpuCredits")
    record.pop("_CpuCredits", None)
    if cpu_options.burstable(name):
        record["_CpuCredits"] = credits or str(cpu_options.credit_option(name, None))
    instances.save(ctx, record)


def _check_fits(ctx: RequestContext, record: InstanceRecord, new: catalog.InstanceType) -> None:
    """EC2's compatibility rules for the network (the architecture is checked before): the same
    number of network cards (the User Guide's "Compatibility for changing the instance type"), and
    room on the new type for every network interface attached now, a trunk included (EC2 will not
    detach any). Each ENI holds one private IPv4 address here (secondary addresses are not
    modelled), which every type allows."""
    old = catalog.get_instance_type(record["InstanceType"])
    if old is not None and old.network_cards != new.network_cards:
        raise AwsError("InvalidInstanceAttributeValue", _not_allowed(record, new))
    attached = enis.attached_count(ctx, record["InstanceId"])
    if attached > new.max_network_interfaces:
        raise AwsError(
            "InvalidInstanceAttributeValue",
            f"{_not_allowed(record, new)} The instance '{record['InstanceId']}' has {attached} network "
            f"interfaces attached; {new.name} supports at most {new.max_network_interfaces}.",
        )


def _not_allowed(record: InstanceRecord, new: catalog.InstanceType) -> str:
    """EC2's refusal of an incompatible type (as EC2 answers g5.4xlarge to p4d.24xlarge)."""
    return f"Modifying the instance type from {record['InstanceType']} to {new.name} is not allowed."


def _user_data(ctx: RequestContext, record: InstanceRecord, value: Record) -> None:
    raw = value.get("Value") or b""
    if len(raw) > instances.USER_DATA_LIMIT:
        raise AwsError("InvalidParameterValue", f"User data is limited to {instances.USER_DATA_LIMIT} bytes")
    if raw:
        record["UserData"] = base64.b64encode(raw).decode()
    else:
        record.pop("UserData", None)  # an empty value clears it
    instances.save(ctx, record)


def _flag(field: str, attribute: str) -> Callable[[RequestContext, InstanceRecord, Record], None]:
    def change(ctx: RequestContext, record: InstanceRecord, value: Record) -> None:
        record[field] = _boolean(attribute, value)  # type: ignore[literal-required]
        instances.save(ctx, record)

    return change


def _shutdown_behavior(ctx: RequestContext, record: InstanceRecord, value: Record) -> None:
    behavior = value.get("Value")
    if behavior not in _SHUTDOWN_BEHAVIORS:
        raise AwsError(
            "InvalidParameterValue",
            f"Value ({behavior}) for parameter instanceInitiatedShutdownBehavior is invalid. "
            "Valid values: stop, terminate",
        )
    record["_ShutdownBehavior"] = str(behavior)
    instances.save(ctx, record)


def _primary_interface(ctx: RequestContext, record: InstanceRecord) -> Any:
    """The instance's only network interface; EC2 refuses the instance-level form with several."""
    attached = enis.interfaces_of_instance(ctx, record["InstanceId"])
    if len(attached) > 1:
        raise AwsError(
            "InvalidInstanceID",
            f"There are multiple interfaces attached to instance '{record['InstanceId']}'. "
            "Please specify an interface ID for the operation instead.",
        )
    if not attached:
        raise instances.incorrect_state(record["InstanceId"], "modified")
    return attached[0]


def _source_dest_check(ctx: RequestContext, record: InstanceRecord, value: Record) -> None:
    checked = _boolean("sourceDestCheck", value)
    eni = _primary_interface(ctx, record)
    eni["SourceDestCheck"] = checked
    enis.save(ctx, eni)


def _groups(ctx: RequestContext, record: InstanceRecord, value: list[str]) -> None:
    enis.set_groups(ctx, _primary_interface(ctx, record), list(value))


def _block_devices(ctx: RequestContext, record: InstanceRecord, value: list[Record]) -> None:
    """Each named device's DeleteOnTermination (the only EBS setting EC2 changes here)."""
    mappings = {m["DeviceName"]: m for m in record["BlockDeviceMappings"]}
    for wanted in value:
        device = wanted.get("DeviceName")
        if device not in mappings:
            raise AwsError(
                "InvalidInstanceAttributeValue",
                f"No device is currently mapped at {device}",
            )
    for wanted in value:
        delete = (wanted.get("Ebs") or {}).get("DeleteOnTermination")
        if delete is None:
            continue
        ebs = mappings[wanted["DeviceName"]]["Ebs"]
        ebs["DeleteOnTermination"] = bool(delete)
        volumes.set_delete_on_termination(ctx, ebs["VolumeId"], bool(delete))
    instances.save(ctx, record)


_CHANGES: dict[str, Callable[[RequestContext, InstanceRecord, Any], None]] = {
    "instanceType": _instance_type,
    "userData": _user_data,
    "disableApiTermination": _flag("_DisableApiTermination", "disableApiTermination"),
    "disableApiStop": _flag("_DisableApiStop", "disableApiStop"),
    "ebsOptimized": _flag("EbsOptimized", "ebsOptimized"),
    "enaSupport": _flag("EnaSupport", "enaSupport"),
    "instanceInitiatedShutdownBehavior": _shutdown_behavior,
    "sourceDestCheck": _source_dest_check,
    "groupSet": _groups,
    "blockDeviceMapping": _block_devices,
}


# --- ModifyInstanceCpuOptions --------------------------------------------------------------------


def modify_cpu_options(ctx: RequestContext, request: shapes.ModifyInstanceCpuOptionsRequest) -> Record:
    """New core and thread counts for a stopped instance (the API reference: "The instance must be
    in a Stopped state"), checked as a launch's are (`cpu_options.resolve`); an AMD SEV-SNP setting
    chosen at launch stays. Nested virtualization is not modelled and is refused by name."""
    if request.get("NestedVirtualization") is not None:
        raise AwsError("InvalidParameterValue", "trunkline does not support NestedVirtualization on instances yet.")
    cores, threads = request.get("CoreCount"), request.get("ThreadsPerCore")
    if cores is None or threads is None:
        # the model made both optional when NestedVirtualization came; alone they still go together
        raise AwsError(
            "MissingParameter", "When specifying CpuOptions you must specify both CoreCount and ThreadsPerCore."
        )
    record = instances.get_instance(ctx, request["InstanceId"])
    state = record["State"]["Name"]
    if state in ("shutting-down", "terminated"):
        raise instances.incorrect_state(record["InstanceId"], "modified")
    if state != "stopped":
        raise AwsError(
            "IncorrectInstanceState", f"The instance '{record['InstanceId']}' is not in the 'stopped' state."
        )
    wanted: Record = {"CoreCount": cores, "ThreadsPerCore": threads}
    if record["CpuOptions"].get("AmdSevSnp") is not None:
        wanted["AmdSevSnp"] = record["CpuOptions"]["AmdSevSnp"]
    record["CpuOptions"] = cpu_options.resolve(instances.known_instance_type(record["InstanceType"]), wanted)
    instances.save(ctx, record)
    return {"InstanceId": record["InstanceId"], "CoreCount": cores, "ThreadsPerCore": threads}


# --- ModifyInstanceMetadataOptions ----------------------------------------------------------------


def modify_metadata_options(ctx: RequestContext, request: shapes.ModifyInstanceMetadataOptionsRequest) -> Record:
    """The members given change, the others stay. The change applies at once here (there is no
    metadata service to reconfigure): DescribeInstances shows `applied` straight away, while the
    answer says `pending`, as EC2's does (docs/decisions.md)."""
    record = instances.get_instance(ctx, request["InstanceId"])
    if record["State"]["Name"] in ("shutting-down", "terminated"):
        raise instances.incorrect_state(record["InstanceId"], "modified")
    record["MetadataOptions"] = metadata_options.apply(record["MetadataOptions"], request)
    instances.save(ctx, record)
    return {
        "InstanceId": record["InstanceId"],
        "InstanceMetadataOptions": {**record["MetadataOptions"], "State": "pending"},
    }


# --- MonitorInstances, UnmonitorInstances, ModifyInstanceMaintenanceOptions -----------------------


def monitor(ctx: RequestContext, instance_ids: list[str], enabled: bool) -> list[Record]:
    """Detailed monitoring on or off. It takes effect at once here (no CloudWatch metrics follow
    from it): DescribeInstances shows `enabled`/`disabled` straight away, the answer says
    `pending`/`disabling`, as EC2's does."""
    records = instances.get_instances(ctx, instance_ids)
    for record in records:
        if record["State"]["Name"] in ("shutting-down", "terminated"):
            raise instances.incorrect_state(record["InstanceId"], "modified")
    for record in records:
        record["Monitoring"] = {"State": "enabled" if enabled else "disabled"}
        instances.save(ctx, record)
    shown = "pending" if enabled else "disabling"
    return [{"InstanceId": r["InstanceId"], "Monitoring": {"State": shown}} for r in records]


def modify_maintenance_options(ctx: RequestContext, request: shapes.ModifyInstanceMaintenanceOptionsRequest) -> Record:
    """The automatic recovery and reboot migration settings are kept and shown (nothing follows
    from them here, as at launch: `instance_options.py`)."""
    record = instances.get_instance(ctx, request["InstanceId"])
    if record["State"]["Name"] in ("shutting-down", "terminated"):
        raise instances.incorrect_state(record["InstanceId"], "modified")
    options = dict(record.get("MaintenanceOptions") or {"AutoRecovery": "default"})
    for name in ("AutoRecovery", "RebootMigration"):
        if request.get(name) is not None:
            options[name] = request[name]
    record["MaintenanceOptions"] = options
    instances.save(ctx, record)
    return {"InstanceId": record["InstanceId"], **options}
