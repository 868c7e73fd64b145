"""A task's own ENI (awsvpc), created and released only through the EC2 ledger
(`network_interfaces`), so EC2's DescribeNetworkInterfaces and DescribeTrunkInterfaceAssociations
and ECS's capacity always agree.

- Untrunked instance (S1): a regular ENI (`interface`) in the chosen subnet, attached to the
  instance at its lowest free device index (it counts against the EC2 ENI limit).
- Trunked instance (S2): a `branch` ENI associated with the instance's trunk, with the lowest VLAN
  id free on that trunk (the ledger's `lowest_free_vlan`); it never attaches to the instance.
- Fargate (S8): a dedicated ENI that attaches to no instance of the account; a public address when
  `assignPublicIp` is ENABLED.

Every task ENI is requester-managed (`amazon-ecs`), carries the task's security groups, and is
described `arn:aws:ecs:REGION:ACCOUNT:attachment/<attachment id>` as ECS's are. It is created when
the task is placed (so the slot is taken at once and the next RunTask sees it), shown to the task
as PRECREATED (subnetId only) until the task leaves PROVISIONING, then ATTACHED with AWS's detail
order; DETACHING while the task deprovisions; and released when the task is STOPPED: the
association or attachment dropped, the ENI deleted, its address and VLAN id free again.

Record `_eni` = `{attachmentId, networkInterfaceId?, subnetId, kind (interface|branch|fargate),
associationId?, trunkId?, failure?}`; `failure` names why no ENI could be created.
"""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import ids
from trunkline.domain.ec2 import network_interfaces as enis
from trunkline.domain.ec2 import vpcs
from trunkline.domain.ecs import capacity, ecs_arn, trunking
from trunkline.domain.ecs.records import ContainerInstanceRecord, TaskRecord
from trunkline.domain.ecs.trunks import REQUESTER_ID
from trunkline.errors import AwsError

Record = dict[str, Any]

ATTACHMENT_TYPE = "ElasticNetworkInterface"


def new_reference(subnet_id: str) -> Record:
    """The `_eni` of a task about to be placed: its attachment id and subnet, no ENI yet."""
    return {"attachmentId": ids.attachment_id(), "subnetId": subnet_id}


def attachment(ctx: RequestContext, task: TaskRecord, status: str) -> Record:
    """The task's ElasticNetworkInterface attachment in `status`: PRECREATED shows the subnet only,
    later states the ENI's details in AWS's order (privateDnsName only when the VPC gives tasks DNS
    hostnames: both DNS support and DNS hostnames on)."""
    reference = task["_eni"]
    details = [("subnetId", reference["subnetId"])]
    eni_id = reference.get("networkInterfaceId")
    # PRECREATED shows no ENI, and a task without one (its ENI could not be made) has none to read.
    eni = enis.find_network_interface(ctx, eni_id) if status != "PRECREATED" and eni_id else None
    if eni is not None:
        details += [("networkInterfaceId", eni["NetworkInterfaceId"]), ("macAddress", eni["MacAddress"])]
        if _dns_hostnames(ctx, eni["VpcId"]):
            details.append(("privateDnsName", eni["PrivateDnsName"]))
        details.append(("privateIPv4Address", eni["PrivateIpAddress"]))
    return {
        "id": reference["attachmentId"],
        "type": ATTACHMENT_TYPE,
        "status": status,
        "details": [{"name": name, "value": value} for name, value in details],
    }


def _dns_hostnames(ctx: RequestContext, vpc_id: str) -> bool:
    try:
        vpc = vpcs.get_vpc(ctx, vpc_id)
    except AwsError:
        return False
    return bool(vpc.get("EnableDnsSupport") and vpc.get("EnableDnsHostnames"))


def provision(
    ctx: RequestContext, task: TaskRecord, group_ids: list[str], host: ContainerInstanceRecord | None, public: bool
) -> None:
    """Create the task's ENI in `task["_eni"]["subnetId"]` and connect it (see the module doc).
    The caller has checked the subnet has a free address and the host a free slot."""
    reference = task["_eni"]
    trunk = capacity.attached_trunk(ctx, host) if host is not None and trunking.applies(host) else None
    kind = "fargate" if host is None else "branch" if trunk is not None else "interface"
    description = ecs_arn(ctx, f"attachment/{reference['attachmentId']}")
    eni = enis.create_network_interface(
        ctx,
        reference["subnetId"],
        group_ids,
        "branch" if kind == "branch" else "interface",
        description,
        requester_managed=True,
        requester_id=REQUESTER_ID,
        status="in-use" if trunk is not None else "available",  # associated just below: one save
    )
    eni_id = eni["NetworkInterfaceId"]
    reference.update(networkInterfaceId=eni_id, kind=kind)
    if trunk is not None:
        association = enis.associate_trunk(ctx, eni_id, trunk["NetworkInterfaceId"], new_branch=True)
        reference.update(associationId=association["AssociationId"], trunkId=trunk["NetworkInterfaceId"])
    elif host is not None:
        _attach_to_host(ctx, task, eni_id, host["ec2InstanceId"])
    elif public:
        enis.assign_public_ip(ctx, eni_id)


def _attach_to_host(ctx: RequestContext, task: TaskRecord, eni_id: str, instance_id: str) -> None:
    """Attach the task's ENI to an untrunked host. ECS counts only the ENIs it attached, so an ENI
    the account attached by hand can leave EC2 no slot: the task then fails to start (it keeps
    its PROVISIONING step and stops with this reason) and its ENI is deleted."""
    index = enis.lowest_free_device_index(ctx, instance_id)
    try:
        enis.attach(ctx, eni_id, instance_id, index, delete_on_termination=True, immediate=True)
    except AwsError as refused:
        enis.delete_network_interface(ctx, eni_id)
        task["_eni"].pop("networkInterfaceId", None)
        task["_eni"]["failure"] = (
            "ResourceInitializationError: unable to attach the task's network interface: Unexpected EC2 error "
            f"while attempting to Attach Network Interface to instance '{instance_id}': {refused.code}"
        )


def release(ctx: RequestContext, task: TaskRecord) -> None:
    """Drop the task's ENI, whatever became of it meanwhile (its trunk released, its instance
    terminated): association, attachment, then the ENI itself."""
    reference = task.get("_eni") or {}
    eni = enis.find_network_interface(ctx, reference.get("networkInterfaceId") or "")
    if eni is None:
        return
    association = enis.association_of_branch(ctx, eni["NetworkInterfaceId"])
    if association is not None:
        enis.disassociate_trunk(ctx, association["AssociationId"])
    eni = enis.get_network_interface(ctx, eni["NetworkInterfaceId"])
    if eni.get("Attachment") is not None:
        enis.detach(ctx, eni["Attachment"]["AttachmentId"], immediate=True)
    enis.delete_network_interface(ctx, eni["NetworkInterfaceId"])
