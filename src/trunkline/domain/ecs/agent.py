"""The simulated ECS agent of each EC2 instance launched from an image that ships one.

When the instance reaches `running`, the agent starts; after the `ecs.agent.register` step it reads
its configuration from the user data (`agent_config`), takes the credentials of the instance
profile's role, and calls the same RegisterContainerInstance code the API runs (`registration`),
as that role (so the role's `awsvpcTrunking` setting decides trunking, S15), into the cluster
`ECS_CLUSTER` names (else `default`). After a stop and start it registers again with its saved
container instance ARN, which reconnects it (`agentConnected` true again).

What it cannot do, it records instead of registering, where a user can find it: the agent record
(kind `ecs.agent`, key `ACCOUNT/REGION/i-…`), served at `GET /_trunkline/agents/<instance-id>`,
with `state` (`starting`, `registered`, `failed`, `disconnected`, `stopped`, `terminated`,
`no-agent`), `reason`, the configuration it read, and a console-like `trace`. Failures:
- no instance profile, or a profile without a role: no credentials, no registration;
- the cluster does not exist: `ClientException: Cluster not found.` (the real agent exits; trunkline
  does not retry: stop and start the instance once the cluster exists);
- a configuration value the agent refuses (`ECS_INSTANCE_ATTRIBUTES` not a JSON object, ...);
- any other error RegisterContainerInstance answers.

Connectivity (S13): an agent that reached ECS through the instance's public IPv4 address cannot
reach it after a restart that left the instance without one; EC2 assigns none at start to an
instance with a second network interface, such as an ECS trunk. An Elastic IP survives the
restart, so an instance that has one stays connected; an agent in a subnet whose default route
goes to a NAT gateway never depended on the instance's own address. Its container instance then stays
`agentConnected: false`, and the agent record says why.

Stopping the instance disconnects the agent (`agentConnected` false, a state-change event);
termination deregisters the container instance (`leaving.on_terminated`).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from typing import Any

from trunkline.context import Principal, RequestContext
from trunkline.domain import authorization, catalog, events, iam
from trunkline.domain.ec2 import images, instances, route_tables
from trunkline.domain.ec2 import network_interfaces as enis
from trunkline.domain.ec2.kinds import SUBNET
from trunkline.domain.ec2.records import InstanceRecord
from trunkline.domain.ecs import agent_config, agent_report, clusters, container_instances, registration
from trunkline.domain.ecs.agent_config import AgentConfig
from trunkline.domain.ecs.kinds import AGENT
from trunkline.domain.ecs.records import AgentRecord, AgentTraceLine, ContainerInstanceRecord
from trunkline.errors import AwsError

Record = dict[str, Any]

KIND = AGENT.name
REGISTER_JOB = "ecs.agent.registered"
TRACE_LIMIT = 100


# --- the agent record -----------------------------------------------------------------------------


def _key(account: str, region: str, instance_id: str) -> str:
    return AGENT.scope.key(account, region, instance_id)


def find_agent(ctx: RequestContext, instance_id: str) -> AgentRecord | None:
    return AGENT.get(ctx, instance_id)


def _agent(ctx: RequestContext, instance: InstanceRecord) -> AgentRecord:
    existing = find_agent(ctx, instance["InstanceId"])
    if existing is not None:
        return existing
    return {"instanceId": instance["InstanceId"], "imageId": instance["ImageId"], "boot": 0, "trace": []}


def _note(ctx: RequestContext, agent: AgentRecord, state: str, message: str, reason: str | None = None) -> None:
    """Record what the agent did (state, reason) and add a line to its trace."""
    agent["state"] = state
    agent["reason"] = reason
    agent["updatedAt"] = events.iso(ctx.now)
    line: AgentTraceLine = {"time": events.iso(ctx.now), "message": message}
    agent["trace"] = [*agent["trace"], line][-TRACE_LIMIT:]
    AGENT.save(ctx, agent)


# --- lifecycle listeners --------------------------------------------------------------------------


def on_running(ctx: RequestContext, instance: InstanceRecord) -> None:
    agent = _agent(ctx, instance)
    info = images.agent_info(ctx.region, instance["ImageId"])
    if info is None:
        reason = f"image {instance['ImageId']} ships no ECS agent, so nothing registers this instance"
        _note(ctx, agent, "no-agent", "instance running; no ECS agent on this image", reason)
        return
    agent["boot"] = int(agent.get("boot", 0)) + 1
    agent["agentVersion"] = info.agent_version
    _note(ctx, agent, "starting", f"instance running; ECS agent {info.agent_version} starting")
    payload = {"account": ctx.account_id, "region": ctx.region, "instance_id": instance["InstanceId"]}
    ctx.schedule("ecs.agent.register", REGISTER_JOB, {**payload, "boot": agent["boot"]})


def on_stopped(ctx: RequestContext, instance: InstanceRecord) -> None:
    agent = find_agent(ctx, instance["InstanceId"])
    if agent is not None and agent.get("state") != "no-agent":
        _note(ctx, agent, "stopped", "instance stopped; ECS agent stopped")
    record = container_instances.find_for_ec2(ctx, instance["InstanceId"])
    if record is not None and record.get("agentConnected"):
        record["agentConnected"] = False
        container_instances.change(ctx, record)


def on_terminated(ctx: RequestContext, instance: InstanceRecord) -> None:
    agent = find_agent(ctx, instance["InstanceId"])
    if agent is not None and agent.get("state") != "no-agent":
        _note(ctx, agent, "terminated", "instance terminated; ECS deregisters its container instance")


# --- registering ----------------------------------------------------------------------------------


def register_job(ctx: RequestContext, payload: Record) -> None:
    """The agent's start-up: read the configuration, take credentials, register (or reconnect)."""
    agent = find_agent(ctx, payload["instance_id"])
    instance = instances.find_instance(ctx, payload["instance_id"])
    if agent is None or agent.get("boot") != payload["boot"] or instance is None:
        return  # a later boot (or the instance's end) superseded this start
    if instance["State"]["Name"] != "running":
        return
    info = images.agent_info(ctx.region, instance["ImageId"])
    if info is None:
        return
    config = agent_config.parse(instances.user_data(instance), images.ecs_config(ctx.region, instance["ImageId"]))
    capable, why = agent_report.trunking_capable(info, config)
    agent["config"] = config.summary()
    agent["trunkingCapability"] = {"advertised": capable, "detail": why}
    if config.problems:
        reason = "the agent refused its configuration: " + "; ".join(config.problems)
        _note(ctx, agent, "failed", f"ECS agent exited: {reason}", reason)
        return
    _start(ctx, agent, instance, info, config)


def _start(
    ctx: RequestContext, agent: AgentRecord, instance: InstanceRecord, info: images.AgentInfo, config: AgentConfig
) -> None:
    principal = role_principal(ctx, instance)
    if principal is None:
        reason = (
            "the instance has no instance profile with a role, so the agent has no credentials to call ECS "
            "(NoCredentialProviders)"
        )
        _note(ctx, agent, "failed", f"ECS agent cannot register: {reason}", reason)
        return
    role = iam.role_by_arn(ctx, principal.role_arn or "")
    if role is None or not authorization.service_may_assume(ctx, role, "ec2.amazonaws.com"):
        reason = (
            f"the role {principal.role_arn} does not trust ec2.amazonaws.com (its trust policy), so EC2 cannot "
            "give the instance its credentials and the agent has none to call ECS"
        )
        _note(ctx, agent, "failed", f"ECS agent cannot register: {reason}", reason)
        return
    live = container_instances.find_for_ec2(ctx, instance["InstanceId"])
    public_ip = _public_ip(ctx, instance["InstanceId"])
    if live is not None and agent.get("reachedViaPublicIp") and public_ip is None:
        reason = (
            "the agent reached ECS through the instance's public IPv4 address, and the instance has none since "
            "it was started again (EC2 assigns none to an instance with more than one network interface, "
            "such as an ECS trunk; S13)"
        )
        _note(ctx, agent, "disconnected", f"ECS agent cannot connect to ECS: {reason}", reason)
        return
    request = _request(ctx, instance, info, config, live)
    acting = dataclasses.replace(ctx, principal=principal)
    try:
        if acting.enforce_iam:
            # The agent calls ECS as the instance's role: without ecs:RegisterContainerInstance it
            # never joins (the real agent exits with code 5 and is not restarted).
            cluster_arn = (
                config.cluster if config.cluster.startswith("arn:") else clusters.cluster_arn(acting, config.cluster)
            )
            authorization.authorize(acting, "ecs", "ecs:RegisterContainerInstance", cluster_arn)
        record = registration.register(acting, request)
    except AwsError as error:
        reason = f"RegisterContainerInstance failed: {error.code}: {error.message}"
        _note(ctx, agent, "failed", f"ECS agent could not register into cluster '{config.cluster}': {reason}", reason)
        return
    agent["cluster"] = config.cluster
    agent["containerInstanceArn"] = record["containerInstanceArn"]
    agent["registeredAs"] = principal.arn
    if live is None:
        agent["reachedViaPublicIp"] = public_ip is not None and not _behind_nat(ctx, instance)
    verb = "re-registered" if live is not None else "registered"
    refused = _connect_refused(acting, record) if acting.enforce_iam else None
    if refused is not None:
        # Registered, but the ACS connection (DiscoverPollEndpoint, then Poll) is refused: the
        # instance is listed and never connected; AccessDenied is not retried there either.
        if record.get("agentConnected"):
            record["agentConnected"] = False
            container_instances.change(ctx, record)
        reason = f"the agent cannot connect to ECS: {refused.code}: {refused.message}"
        message = f"ECS agent {verb} {record['containerInstanceArn']} as {principal.arn}, then failed: {reason}"
        _note(ctx, agent, "disconnected", message, reason)
        return
    _note(ctx, agent, "registered", f"ECS agent {verb} {record['containerInstanceArn']} as {principal.arn}")


def _connect_refused(acting: RequestContext, record: ContainerInstanceRecord) -> AwsError | None:
    """The denial of the agent's first ACS calls as its role, if any."""
    checks = [
        ("ecs:DiscoverPollEndpoint", "*", {}),
        ("ecs:Poll", record["containerInstanceArn"], {"ecs:cluster": record["_cluster"]}),
    ]
    for action, resource, extra in checks:
        try:
            authorization.authorize(acting, "ecs", action, resource, extra)
        except AwsError as error:
            return error
    return None


def role_principal(ctx: RequestContext, instance: InstanceRecord) -> Principal | None:
    """The role session the agent acts as: the instance profile's role, session named after the
    instance (as EC2's instance credentials are)."""
    profile_ref = instance.get("IamInstanceProfile") or {}
    profile = iam.instance_profile_at(ctx, profile_ref.get("Arn", "")) if profile_ref else None
    if profile is None or not profile["RoleNames"]:
        return None
    try:
        role = iam.get_role(ctx, profile["RoleNames"][0])
    except AwsError:
        return None
    instance_id = instance["InstanceId"]
    session_arn = f"arn:aws:sts::{ctx.account_id}:assumed-role/{role['RoleName']}/{instance_id}"
    return Principal(ctx.account_id, session_arn, f"{role['RoleId']}:{instance_id}", "assumed-role", role["Arn"])


def _behind_nat(ctx: RequestContext, instance: InstanceRecord) -> bool:
    """Whether the instance's subnet sends internet traffic through a NAT gateway, so the agent
    reaches ECS that way and not through the instance's own public IP."""
    subnet = SUBNET.load(ctx, instance["SubnetId"])
    return subnet is not None and route_tables.route_target(ctx, subnet) == "nat-gateway"


def _public_ip(ctx: RequestContext, instance_id: str) -> str | None:
    primary = enis.primary_interface(ctx, instance_id)
    association = primary.get("Association") if primary is not None else None
    return str(association["PublicIp"]) if association else None


def identity_document(ctx: RequestContext, instance: InstanceRecord) -> str:
    """The instance identity document the agent reads from the instance metadata service."""
    primary = enis.primary_interface(ctx, instance["InstanceId"])
    document = {
        "accountId": instance["OwnerId"],
        "architecture": instance["Architecture"],
        "availabilityZone": instance["Placement"]["AvailabilityZone"],
        "billingProducts": None,
        "devpayProductCodes": None,
        "marketplaceProductCodes": None,
        "imageId": instance["ImageId"],
        "instanceId": instance["InstanceId"],
        "instanceType": instance["InstanceType"],
        "kernelId": None,
        "pendingTime": events.iso(float(instance["LaunchTime"]), millis=False),
        "privateIp": primary["PrivateIpAddress"] if primary else None,
        "ramdiskId": None,
        "region": ctx.region,
        "version": "2017-09-30",
    }
    return json.dumps(document, indent=2)


def _request(
    ctx: RequestContext,
    instance: InstanceRecord,
    info: images.AgentInfo,
    config: AgentConfig,
    live: ContainerInstanceRecord | None,
) -> registration.Registration:
    document = identity_document(ctx, instance)
    known = catalog.get_instance_type(instance["InstanceType"])
    attributes = [
        *agent_report.capabilities(info, config),
        *agent_report.os_attributes(info),
        *agent_report.custom_attributes(config),
    ]
    return registration.Registration(
        cluster=config.cluster,
        identity_document=document,
        signature=base64.b64encode(hashlib.sha256(document.encode()).digest()).decode(),
        total_resources=agent_report.resources(known, config, instance["InstanceId"]) if known is not None else [],
        version_info=agent_report.version_info(info),
        container_instance_arn=live["containerInstanceArn"] if live is not None else None,
        attributes=attributes,
        tags=[{"key": k, "value": v} for k, v in config.instance_tags.items()],
    )


def describe(ctx: RequestContext, instance_id: str) -> Record | None:
    """The agent record as `/_trunkline/agents/<instance-id>` serves it."""
    agent = find_agent(ctx, instance_id)
    if agent is None:
        return None
    return {k: v for k, v in agent.items() if k != "boot"}
