"""RegisterContainerInstance: how an EC2 instance becomes a container instance, as the ECS agent
calls it (the simulated agent in `agent.py` comes through here too).

Everything is checked before the first write. Decisions where AWS is silent (docs/decisions.md):

- The cluster must exist and be ACTIVE, else `ClientException: Cluster not found.` (this operation
  answers so, not with ClusterNotFoundException).
- The instance identity document is JSON naming an instance (`instanceId`) that exists in
  trunkline's EC2, in the caller's account and region, and is not shutting down or terminated.
  Its other fields, when present (`region`, `accountId`, `availabilityZone`, `imageId`,
  `instanceType`), must agree with EC2, as a genuine (signed) document would. Anything else
  (missing, not JSON, unknown instance) is `ClientException: The identity document and identity
  document signature were not valid.` The signature is accepted without verification.
- Facts about the instance (type, zone, subnet, VPC, AMI) come from EC2, and ECS sets the
  attributes `ecs.ami-id`, `ecs.availability-zone`, `ecs.instance-type`, `ecs.vpc-id`,
  `ecs.subnet-id` and `ecs.cpu-architecture` from them, whatever the caller sent; `ecs.os-type`
  defaults to `linux` when the agent sent none.
- `totalResources` entries missing from the request (CPU, MEMORY, PORTS, PORTS_UDP) are filled
  with what the agent would report for the instance type.
- An EC2 instance has one live container instance. Registering it again (with its
  `containerInstanceArn`, or without one into the same cluster) re-registers it: same ARN, new
  attributes, resources and version, agent connected, trunking decision unchanged. A
  `containerInstanceArn` naming a deregistered (INACTIVE) or unknown container instance registers a
  new one (new ARN). A changed instance type is `ClientException: Container instance type changes
  are not supported.`; registering into another cluster while registered is a ClientException.
- The trunking decision (`trunking.decide`) is made here, for the calling principal (a role session
  acts as its role), and frozen. A later registration of the same EC2 instance (after
  deregistration) never gains trunking its first registration lacked for the account setting (S5).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import catalog, ids
from trunkline.domain.ec2 import instances
from trunkline.domain.ec2.records import InstanceRecord
from trunkline.domain.ecs import (
    agent_report,
    capacity_association,
    clusters,
    container_instances,
    task_usage,
    trunking,
    trunks,
)
from trunkline.domain.ecs.agent_config import AgentConfig
from trunkline.domain.ecs.records import ClusterRecord, ContainerInstanceRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

Record = dict[str, Any]

INVALID_DOCUMENT = "The identity document and identity document signature were not valid."
TYPE_CHANGED = "Container instance type changes are not supported."
CUSTOM_ATTRIBUTE_LIMIT = 10

_NAME = re.compile(r"[A-Za-z0-9\-_/\\.]{1,128}")
_VALUE = re.compile(r"[A-Za-z0-9\-_.@/\\: ]{1,128}")
_MANAGED_PREFIXES = ("ecs.", "com.amazonaws.ecs.")
_DEFAULT_RESOURCES = ("CPU", "MEMORY", "PORTS", "PORTS_UDP")


@dataclass
class Registration:
    """RegisterContainerInstance's parameters."""

    cluster: str | None = None
    identity_document: str | None = None
    signature: str | None = None
    total_resources: Sequence[Mapping[str, Any]] = field(default_factory=list)
    version_info: Mapping[str, Any] | None = None
    container_instance_arn: str | None = None
    attributes: Sequence[Mapping[str, Any]] = field(default_factory=list)
    tags: Sequence[Mapping[str, Any]] = field(default_factory=list)

    @staticmethod
    def from_params(params: shapes.RegisterContainerInstanceRequest) -> Registration:
        return Registration(
            cluster=params.get("cluster"),
            identity_document=params.get("instanceIdentityDocument"),
            signature=params.get("instanceIdentityDocumentSignature"),
            total_resources=list(params.get("totalResources") or []),
            version_info=params.get("versionInfo"),
            container_instance_arn=params.get("containerInstanceArn"),
            attributes=list(params.get("attributes") or []),
            tags=list(params.get("tags") or []),
        )


@dataclass
class _Identity:
    instance: InstanceRecord
    claimed_type: str


# --- checks ---------------------------------------------------------------------------------------


def _cluster(ctx: RequestContext, ref: str | None) -> ClusterRecord:
    record = clusters.find_cluster(ctx, clusters.DEFAULT_NAME if ref is None else ref)
    if record is None or record["status"] != "ACTIVE":
        raise AwsError("ClientException", "Cluster not found.")
    return record


def _document(text: str | None) -> Record:
    try:
        document = json.loads(text) if text else None
    except ValueError:
        document = None
    if not isinstance(document, dict) or not isinstance(document.get("instanceId"), str):
        raise AwsError("ClientException", INVALID_DOCUMENT)
    return document


def _identity(ctx: RequestContext, text: str | None) -> _Identity:
    document = _document(text)
    instance = instances.find_instance(ctx, document["instanceId"])
    if instance is None or instance["State"]["Name"] in ("shutting-down", "terminated"):
        raise AwsError("ClientException", INVALID_DOCUMENT)
    expected = {
        "region": ctx.region,
        "accountId": ctx.account_id,
        "availabilityZone": instance["Placement"]["AvailabilityZone"],
        "imageId": instance["ImageId"],
    }
    for name, value in expected.items():
        if document.get(name) is not None and document[name] != value:
            raise AwsError("ClientException", INVALID_DOCUMENT)
    claimed = document.get("instanceType")
    if claimed is not None and (not isinstance(claimed, str) or catalog.get_instance_type(claimed) is None):
        raise AwsError("ClientException", INVALID_DOCUMENT)
    return _Identity(instance, claimed or instance["InstanceType"])


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def check_attributes(attributes: Sequence[Mapping[str, Any]]) -> list[Record]:
    """The sent attributes, checked, one per name (the last wins), as `{name, value?}`."""
    chosen: dict[str, Record] = {}
    for attribute in attributes:
        name, value = attribute.get("name") or "", attribute.get("value")
        if not _NAME.fullmatch(name):
            raise _invalid(
                f"Attribute name '{name}' is not valid: use up to 128 letters, numbers, hyphens, underscores, "
                "periods, forward slashes and back slashes."
            )
        if value is not None and (not _VALUE.fullmatch(value) or value != value.strip()):
            raise _invalid(
                f"Attribute value '{value}' of attribute '{name}' is not valid: use up to 128 letters, numbers, "
                "hyphens, underscores, periods, at signs, slashes, colons and spaces, not starting or ending "
                "with a space."
            )
        chosen[name] = {"name": name, "value": value} if value is not None else {"name": name}
    custom = [n for n in chosen if not n.startswith(_MANAGED_PREFIXES)]
    if len(custom) > CUSTOM_ATTRIBUTE_LIMIT:
        raise _invalid(f"You can apply up to {CUSTOM_ATTRIBUTE_LIMIT} custom attributes for each resource.")
    return list(chosen.values())


def _resource(entry: Mapping[str, Any]) -> Record:
    name, kind = entry.get("name"), entry.get("type")
    if not name or kind not in ("INTEGER", "DOUBLE", "LONG", "STRINGSET"):
        raise _invalid("Each resource needs a name and a type of INTEGER, DOUBLE, LONG or STRINGSET.")
    if kind == "STRINGSET":
        return agent_report.string_set_resource(name, [str(v) for v in entry.get("stringSetValue") or []])
    values = {"doubleValue": 0.0, "longValue": 0, "integerValue": 0}
    field_name = {"INTEGER": "integerValue", "DOUBLE": "doubleValue", "LONG": "longValue"}[kind]
    value = entry.get(field_name) or 0
    if value < 0:
        raise _invalid(f"Resource {name} cannot have a negative value.")
    values[field_name] = value
    return {"name": name, "type": kind, **values}


def _resources(sent: Sequence[Mapping[str, Any]], instance_type: str) -> list[Record]:
    """The registered resources: what was sent, and the agent's defaults for what was not."""
    chosen = {r["name"]: r for r in (_resource(entry) for entry in sent)}
    known = catalog.get_instance_type(instance_type)
    if known is not None:
        for default in agent_report.resources(known, AgentConfig()):
            chosen.setdefault(default["name"], default)
    order = [n for n in _DEFAULT_RESOURCES if n in chosen] + [n for n in chosen if n not in _DEFAULT_RESOURCES]
    return [chosen[n] for n in order]


def _built_in(instance: InstanceRecord, instance_type: str) -> list[Record]:
    """The attributes ECS sets from what it knows of the EC2 instance."""
    facts = [
        ("ecs.ami-id", instance["ImageId"]),
        ("ecs.availability-zone", instance["Placement"]["AvailabilityZone"]),
        ("ecs.instance-type", instance_type),
        ("ecs.vpc-id", instance["VpcId"]),
        ("ecs.subnet-id", instance["SubnetId"]),
        ("ecs.cpu-architecture", instance["Architecture"]),
    ]
    return [{"name": name, "value": value} for name, value in facts]


def _merge(*groups: list[Record]) -> list[Record]:
    """Attribute lists combined by name; later groups win."""
    merged: dict[str, Record] = {}
    for group in groups:
        for attribute in group:
            merged[attribute["name"]] = attribute
    return list(merged.values())


def _with_os_type(attributes: list[Record]) -> list[Record]:
    if any(a["name"] == "ecs.os-type" for a in attributes):
        return attributes
    return [*attributes, {"name": "ecs.os-type", "value": "linux"}]


# --- the live container instance of the EC2 instance ----------------------------------------------


def _named(ctx: RequestContext, cluster_arn: str, arn: str) -> ContainerInstanceRecord | None:
    if not arn.startswith("arn:") or container_instances.parse_reference(ctx, cluster_arn, arn) is None:
        other_cluster = arn.startswith("arn:aws:ecs:") and ":container-instance/" in arn
        if not other_cluster:
            raise _invalid(f"Invalid container instance ARN: '{arn}'.")
        return None
    return container_instances.find(ctx, cluster_arn, arn)


def _existing(
    ctx: RequestContext, cluster: ClusterRecord, instance_id: str, arn: str | None
) -> ContainerInstanceRecord | None:
    """The live container instance this registration renews, or None for a new one."""
    cluster_arn = cluster["clusterArn"]
    if arn is not None:
        named = _named(ctx, cluster_arn, arn)
        if named is not None and named["status"] != "INACTIVE" and named["ec2InstanceId"] != instance_id:
            raise AwsError(
                "ClientException",
                f"Container instance {arn} belongs to EC2 instance {named['ec2InstanceId']}, not {instance_id}.",
            )
    live = container_instances.find_for_ec2(ctx, instance_id)
    if live is None:
        return None
    if live["_cluster"] != cluster_arn:
        raise AwsError(
            "ClientException",
            f"EC2 instance {instance_id} is already registered in cluster "
            f"'{container_instances.cluster_name_of(live['_cluster'])}'; deregister it first.",
        )
    if live["status"] == "DEREGISTERING":
        raise AwsError("ClientException", f"Container instance {live['containerInstanceArn']} is being deregistered.")
    return live


# --- register -------------------------------------------------------------------------------------


def register(ctx: RequestContext, request: Registration) -> ContainerInstanceRecord:
    """RegisterContainerInstance; returns the container instance record."""
    cluster = _cluster(ctx, request.cluster)
    identity = _identity(ctx, request.identity_document)
    # ecs.awsvpc-trunk-id is ECS's to set: one sent by the caller is ignored.
    sent = [a for a in check_attributes(request.attributes) if a["name"] != trunking.TRUNK_ID_ATTRIBUTE]
    tags = clusters.check_tags(request.tags)
    instance = identity.instance
    existing = _existing(ctx, cluster, instance["InstanceId"], request.container_instance_arn)
    if existing is not None and identity.claimed_type != existing["_instanceType"]:
        raise AwsError("ClientException", TYPE_CHANGED)
    if existing is None and identity.claimed_type != instance["InstanceType"]:
        raise AwsError("ClientException", INVALID_DOCUMENT)
    resources = _resources(request.total_resources, identity.claimed_type)
    attributes = _with_os_type(_merge(sent, _built_in(instance, identity.claimed_type)))
    version_info = dict(request.version_info or {})
    if existing is not None:
        return _renew(ctx, existing, attributes, resources, version_info, tags)
    return _create(ctx, cluster, instance, attributes, resources, version_info, tags)


def _create(
    ctx: RequestContext,
    cluster: ClusterRecord,
    instance: InstanceRecord,
    attributes: list[Record],
    resources: list[Record],
    version_info: Record,
    tags: list[Record],
) -> ContainerInstanceRecord:
    principal_arn = ctx.principal.settings_arn
    earlier = container_instances.first_for_ec2(ctx, instance["InstanceId"])
    first = earlier["_trunking"] if earlier is not None else None
    decision = trunking.decide(ctx, principal_arn, instance["InstanceType"], attributes, version_info, first)
    cluster_arn = cluster["clusterArn"]
    record: ContainerInstanceRecord = {
        "containerInstanceArn": container_instances.arn(ctx, cluster_arn, ids.ecs_id()),
        "ec2InstanceId": instance["InstanceId"],
        "version": 0,
        "versionInfo": version_info,
        "remainingResources": [dict(r) for r in resources],
        "registeredResources": resources,
        "status": "REGISTERING" if decision["applies"] else "ACTIVE",
        "agentConnected": True,
        "runningTasksCount": 0,
        "pendingTasksCount": 0,
        "attributes": attributes,
        "registeredAt": ctx.now,
        "attachments": [],
        "tags": tags,
        "_cluster": cluster_arn,
        "_region": ctx.region,
        "_account": ctx.account_id,
        "_trunking": decision,
        "_registeredBy": principal_arn,
        "_instanceType": instance["InstanceType"],
        "_subnetId": instance["SubnetId"],
        "_vpcId": instance["VpcId"],
        "_availabilityZone": instance["Placement"]["AvailabilityZone"],
    }
    provider = capacity_association.provider_of_instance(ctx, instance["InstanceId"])
    if provider is not None:
        record["capacityProviderName"] = provider
    container_instances.change(ctx, record)
    if decision["applies"]:
        trunks.schedule_provision(ctx, record)
    return record


def _renew(
    ctx: RequestContext,
    record: ContainerInstanceRecord,
    attributes: list[Record],
    resources: list[Record],
    version_info: Record,
    tags: list[Record],
) -> ContainerInstanceRecord:
    """Re-registration: the agent reconnects with new facts; what ECS decided stays."""
    kept = [
        a
        for a in record.get("attributes", [])
        if a["name"] == trunking.TRUNK_ID_ATTRIBUTE or not a["name"].startswith(_MANAGED_PREFIXES)
    ]
    record["attributes"] = _merge(kept, attributes)
    record["versionInfo"] = version_info
    if not record.get("runningTasksCount") and not record.get("pendingTasksCount"):
        record["registeredResources"] = resources
        # Less what tasks on their way down still hold: their steps leave the host alone until
        # they stop (task_lifecycle), so what is written here must already count them.
        record["remainingResources"] = task_usage.remaining(
            resources, task_usage.live_uses(ctx, record["containerInstanceArn"])
        )
    if tags:
        record["tags"] = tags
    record["agentConnected"] = True
    container_instances.change(ctx, record)
    return record
