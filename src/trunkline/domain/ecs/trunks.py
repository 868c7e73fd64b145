"""The trunk ENI ECS manages for a trunked container instance: provisioned while the instance is
REGISTERING, released while it is DEREGISTERING. Every ENI operation goes through the EC2 ledger
(`network_interfaces`), exactly as a user's CreateNetworkInterface/AttachNetworkInterface would.

Provisioning (`ecs.trunk.provision` after registration), in order, each failure ending in
REGISTRATION_FAILED with a `statusReason` in the pattern AWS uses (`Unexpected EC2 error while
attempting to <Operation> …: <EC2 error code>`):

1. the ECS service-linked role must exist (S15): "Unable to assume the service linked role. Please
   verify that the ECS service linked role exists.";
2. the instance's subnet must belong to the account (S7): a shared subnet fails creation with
   `InvalidParameterValue`; a full one with `InsufficientFreeAddressesInSubnet`;
3. the trunk ENI is created: type `trunk`, requester-managed (requester `amazon-ecs`), description
   "ENI trunk interface", the VPC's default security group (S14);
4. it is attached at the lowest free device index; refused when resource-based DNS A records are
   enabled on the instance (S6: `UnsupportedOperation`) or the instance has no ENI slot left
   (`AttachmentLimitExceeded`). A trunk created in step 3 then stays, unattached, until the
   instance is deregistered or terminated, when ECS deletes it (S10);
5. the container instance gets the attribute `ecs.awsvpc-trunk-id` (the attachment id) and an
   `attachments` entry, and becomes ACTIVE.

The record keeps `_trunk` = `{networkInterfaceId, attachmentId, deletedAt?}` once a trunk exists.
"""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import iam, ids
from trunkline.domain.ec2 import instances, subnets
from trunkline.domain.ec2 import network_interfaces as enis
from trunkline.domain.ec2.records import NetworkInterfaceRecord
from trunkline.domain.ecs import container_instances
from trunkline.domain.ecs.kinds import CONTAINER_INSTANCE
from trunkline.domain.ecs.records import ContainerInstanceRecord
from trunkline.domain.ecs.trunking import TRUNK_ID_ATTRIBUTE
from trunkline.errors import AwsError

Record = dict[str, Any]

PROVISION_JOB = "ecs.trunk.provisioned"
DEPROVISION_JOB = "ecs.trunk.deprovisioned"
DESCRIPTION = "ENI trunk interface"
REQUESTER_ID = "amazon-ecs"
ATTACHMENT_TYPE = "ElasticNetworkInterface"
SERVICE_LINKED_ROLE = "AWSServiceRoleForECS"
ROLE_MISSING = "Unable to assume the service linked role. Please verify that the ECS service linked role exists."


def ec2_error(operation: str, target: str, code: str) -> str:
    """AWS's statusReason for a failed EC2 call made while provisioning a trunk."""
    return f"Unexpected EC2 error while attempting to {operation} {target}: {code}"


def _payload(ctx: RequestContext, record: ContainerInstanceRecord) -> Record:
    return {
        "account": record["_account"],
        "region": record["_region"],
        "cluster": record["_cluster"],
        "id": container_instances.id_of(record),
    }


def _target(ctx: RequestContext, payload: Record, status: str) -> ContainerInstanceRecord | None:
    """The container instance a job is about, if it is still in the state the job expects."""
    key = container_instances.key(payload["account"], payload["region"], payload["cluster"], payload["id"])
    record = CONTAINER_INSTANCE.at_key(ctx, key)
    return record if record is not None and record["status"] == status else None


# --- provisioning -------------------------------------------------------------------------------


def schedule_provision(ctx: RequestContext, record: ContainerInstanceRecord) -> None:
    ctx.schedule("ecs.trunk.provision", PROVISION_JOB, _payload(ctx, record))


def provision_job(ctx: RequestContext, payload: Record) -> None:
    """REGISTERING -> ACTIVE with a trunk, or REGISTRATION_FAILED with the reason."""
    record = _target(ctx, payload, "REGISTERING")
    if record is None:
        return  # deregistered (or the instance terminated) while the trunk was pending
    failure = _provision(ctx, record)
    if failure is None:
        record["status"] = "ACTIVE"
    else:
        record["status"] = "REGISTRATION_FAILED"
        record["statusReason"] = failure
    container_instances.change(ctx, record)


def _service_linked_role_exists(ctx: RequestContext) -> bool:
    try:
        iam.get_role(ctx, SERVICE_LINKED_ROLE)
    except AwsError:
        return False
    return True


def _provision(ctx: RequestContext, record: ContainerInstanceRecord) -> str | None:
    """Create and attach the trunk; returns the statusReason of a failure, or None."""
    if not _service_linked_role_exists(ctx):
        return ROLE_MISSING
    subnet_id = record["_subnetId"]
    where = f"in subnet '{subnet_id}'"
    try:
        subnet = subnets.get_subnet(ctx, subnet_id)
    except AwsError as error:
        return ec2_error("Create Network Interface", where, error.code)
    if subnet["OwnerId"] != ctx.account_id:
        return ec2_error("Create Network Interface", where, "InvalidParameterValue")
    if int(subnet["AvailableIpAddressCount"]) < 1:
        return ec2_error("Create Network Interface", where, "InsufficientFreeAddressesInSubnet")
    try:
        trunk = enis.create_network_interface(
            ctx, subnet_id, None, "trunk", DESCRIPTION, requester_managed=True, requester_id=REQUESTER_ID
        )
    except AwsError as error:
        return ec2_error("Create Network Interface", where, error.code)
    record["_trunk"] = {"networkInterfaceId": trunk["NetworkInterfaceId"], "attachmentId": ids.attachment_id()}
    return _attach(ctx, record, trunk)


def _attach(ctx: RequestContext, record: ContainerInstanceRecord, trunk: NetworkInterfaceRecord) -> str | None:
    instance_id = record["ec2InstanceId"]
    where = f"to instance '{instance_id}'"
    instance = instances.find_instance(ctx, instance_id)
    if instance is None or instance["State"]["Name"] in ("shutting-down", "terminated"):
        return ec2_error("Attach Network Interface", where, "IncorrectInstanceState")
    if instance["PrivateDnsNameOptions"].get("EnableResourceNameDnsARecord"):
        # S6: trunking needs resource-based IPv4 DNS (A record) requests off on the instance.
        return ec2_error("Attach Network Interface", where, "UnsupportedOperation")
    try:
        enis.attach(
            ctx,
            trunk["NetworkInterfaceId"],
            instance_id,
            enis.lowest_free_device_index(ctx, instance_id),
            immediate=True,
        )
    except AwsError as error:
        return ec2_error("Attach Network Interface", where, error.code)
    attached = enis.get_network_interface(ctx, trunk["NetworkInterfaceId"])
    record["attachments"] = [*record.get("attachments", []), _attachment(record["_trunk"]["attachmentId"], attached)]
    set_attribute(record, TRUNK_ID_ATTRIBUTE, record["_trunk"]["attachmentId"])
    return None


def _attachment(attachment_id: str, eni: NetworkInterfaceRecord) -> Record:
    """The container instance's `attachments` entry for its trunk (keys as for a task's ENI)."""
    details = [
        ("subnetId", eni["SubnetId"]),
        ("networkInterfaceId", eni["NetworkInterfaceId"]),
        ("macAddress", eni["MacAddress"]),
        ("privateDnsName", eni["PrivateDnsName"]),
        ("privateIPv4Address", eni["PrivateIpAddress"]),
    ]
    return {
        "id": attachment_id,
        "type": ATTACHMENT_TYPE,
        "status": "ATTACHED",
        "details": [{"name": name, "value": value} for name, value in details],
    }


def set_attribute(record: ContainerInstanceRecord, name: str, value: str | None) -> None:
    """Set (or with None remove) an ECS-managed attribute of the record."""
    kept = [a for a in record.get("attributes", []) if a["name"] != name]
    if value is not None:
        kept.append({"name": name, "value": value})
    record["attributes"] = kept


# --- releasing ----------------------------------------------------------------------------------


def schedule_deprovision(ctx: RequestContext, record: ContainerInstanceRecord) -> None:
    """Mark the trunk's attachment DETACHING and release it after `ecs.trunk.deprovision`."""
    trunk_attachment = (record.get("_trunk") or {}).get("attachmentId")
    for attachment in record.get("attachments", []):
        if attachment["type"] == ATTACHMENT_TYPE and attachment["id"] == trunk_attachment:
            attachment["status"] = "DETACHING"
    ctx.schedule("ecs.trunk.deprovision", DEPROVISION_JOB, _payload(ctx, record))


def deprovision_job(ctx: RequestContext, payload: Record) -> None:
    """DEREGISTERING -> INACTIVE, the trunk (if one was created) detached and deleted."""
    record = _target(ctx, payload, "DEREGISTERING")
    if record is None:
        return
    release(ctx, record)
    record["status"] = "INACTIVE"
    record["agentConnected"] = False
    container_instances.change(ctx, record)


def release(ctx: RequestContext, record: ContainerInstanceRecord) -> None:
    """Delete the instance's trunk ENI through the ledger: its branch associations first, then
    the attachment, then the ENI. The container instance loses the attribute and attachment."""
    trunk = record.get("_trunk")
    if not trunk or trunk.get("deletedAt") is not None:
        return
    eni = enis.find_network_interface(ctx, trunk["networkInterfaceId"])
    if eni is not None:
        for association in enis.associations_of_trunk(ctx, eni["NetworkInterfaceId"]):
            enis.disassociate_trunk(ctx, association["AssociationId"])
        if eni.get("Attachment") is not None:
            enis.detach(ctx, eni["Attachment"]["AttachmentId"], immediate=True)
        enis.delete_network_interface(ctx, eni["NetworkInterfaceId"])
    trunk["deletedAt"] = ctx.now
    record["attachments"] = [a for a in record.get("attachments", []) if a["id"] != trunk["attachmentId"]]
    set_attribute(record, TRUNK_ID_ATTRIBUTE, None)


def trunk_interface(ctx: RequestContext, record: ContainerInstanceRecord) -> NetworkInterfaceRecord | None:
    """The instance's trunk ENI as the ledger holds it now, if it exists."""
    trunk = record.get("_trunk")
    if not trunk or trunk.get("deletedAt") is not None:
        return None
    return enis.find_network_interface(ctx, trunk["networkInterfaceId"])
