"""Answers to "why?" questions AWS never answers, served under `/_trunkline/` (listed in README.md):

- `GET /_trunkline/container-instances/trunking?cluster=C[&containerInstance=ID|ARN]
  [&ec2InstanceId=i-…]`: for each matching container instance, whether trunking applies and every
  reason it does not (the frozen decision's reasons, a failed or pending trunk, a released one),
  with the principal whose setting decided it;
- `GET /_trunkline/container-instances/capacity?cluster=C`: ENI capacity (`capacity.py`);
- `GET /_trunkline/agents/<instance-id>`: the simulated agent's record (`agent.py`).

All take optional `account` and `region` query parameters (default: the server's).
"""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import events
from trunkline.domain.ecs import agent, capacity, clusters, container_instances, trunking, trunks
from trunkline.domain.ecs.kinds import CONTAINER_INSTANCE
from trunkline.domain.ecs.records import ClusterRecord, ContainerInstanceRecord
from trunkline.errors import AwsError

Record = dict[str, Any]


def _cluster(ctx: RequestContext, ref: str | None) -> ClusterRecord:
    cluster = clusters.find_cluster(ctx, clusters.DEFAULT_NAME if ref is None else ref)
    if cluster is None:
        raise AwsError("ClusterNotFoundException", "Cluster not found.")
    return cluster


def _records(
    ctx: RequestContext, cluster_arn: str, reference: str | None, ec2_instance_id: str | None
) -> list[ContainerInstanceRecord]:
    if reference is not None:
        record = container_instances.find(ctx, cluster_arn, reference)
        if record is None:
            raise AwsError("InvalidParameterException", "Container instance can not be found.")
        return [record]
    found = CONTAINER_INSTANCE.find(ctx, "cluster", cluster_arn)
    if ec2_instance_id is not None:
        found = [r for r in found if r["ec2InstanceId"] == ec2_instance_id]
    return sorted(found, key=lambda r: (r["registeredAt"], r["containerInstanceArn"]))


def explain_trunking(
    ctx: RequestContext, cluster_ref: str | None, reference: str | None = None, ec2_instance_id: str | None = None
) -> Record:
    cluster = _cluster(ctx, cluster_ref)
    records = _records(ctx, cluster["clusterArn"], reference, ec2_instance_id)
    return {"clusterArn": cluster["clusterArn"], "containerInstances": [explain(ctx, r) for r in records]}


def _status_reasons(record: ContainerInstanceRecord) -> list[Record]:
    """What happened after the decision: provisioning, failure, release."""
    if not trunking.applies(record):
        return []
    trunk = record.get("_trunk") or {}
    status = record["status"]
    if trunk.get("deletedAt") is not None:
        when = events.iso(float(trunk["deletedAt"]), millis=False)
        return [{"code": "trunk-released", "message": f"the trunk ENI was deleted at {when} when the instance left"}]
    if status == "REGISTRATION_FAILED":
        return [{"code": "registration-failed", "message": str(record.get("statusReason", ""))}]
    if status == "REGISTERING":
        return [{"code": "provisioning", "message": "the trunk ENI is being provisioned (REGISTERING)"}]
    return []


def _agent_detail(ctx: RequestContext, record: ContainerInstanceRecord, reasons: list[Record]) -> list[Record]:
    """The agent knows why it did not advertise the trunking capability: say it."""
    if not any(r["code"] == "agent-capability" for r in reasons):
        return reasons
    known = agent.find_agent(ctx, record["ec2InstanceId"])
    capability = (known.get("trunkingCapability") if known is not None else None) or {}
    detail = capability.get("detail")
    if not detail or capability.get("advertised"):
        return reasons
    return [{**r, "message": f"{r['message']}: {detail}"} if r["code"] == "agent-capability" else r for r in reasons]


def reasons(ctx: RequestContext, record: ContainerInstanceRecord) -> list[Record]:
    """Every reason the container instance has no (working) trunk; empty when it has one."""
    decision = record.get("_trunking") or {}
    return _agent_detail(ctx, record, list(decision.get("reasons", []))) + _status_reasons(record)


def explain(ctx: RequestContext, record: ContainerInstanceRecord) -> Record:
    """Why the container instance has (or has no) trunk."""
    decision = record.get("_trunking") or {}
    trunk = trunks.trunk_interface(ctx, record)
    answer: Record = {
        "containerInstanceArn": record["containerInstanceArn"],
        "ec2InstanceId": record["ec2InstanceId"],
        "instanceType": record["_instanceType"],
        "status": record["status"],
        "registeredAt": events.iso(float(record["registeredAt"])),
        "registeredBy": record.get("_registeredBy"),
        "awsvpcTrunking": decision.get("awsvpcTrunking"),
        "settingSource": decision.get("settingSource"),
        "trunkingApplies": trunking.applies(record),
        "trunked": capacity.attached_trunk(ctx, record) is not None,
        "trunkNetworkInterfaceId": trunk["NetworkInterfaceId"] if trunk else None,
        "reasons": reasons(ctx, record),
    }
    if record.get("statusReason"):
        answer["statusReason"] = record["statusReason"]
    return answer


def cluster_capacity(ctx: RequestContext, cluster_ref: str | None) -> Record:
    return capacity.cluster_capacity(ctx, cluster_ref)


def describe_agent(ctx: RequestContext, instance_id: str) -> Record:
    found = agent.describe(ctx, instance_id)
    if found is None:
        raise AwsError("NotFound", f"No ECS agent has run on instance '{instance_id}' (in this account and region).")
    return found
