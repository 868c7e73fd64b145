"""Snapshot tests of the exact responses the seed's walk-through produces, as LocalStack keeps them:
each response body (JSON or XML, exactly as served, with volatile ids, times and addresses masked)
is a reviewed file under tests/snapshots/, so any change in a shape shows up as a diff in review.

Each snapshot carries its provenance: `observed` (the shape appears in real AWS output, with the
source) or `inferred` (built from the API model and documentation; no real response was seen).
Regenerate after a deliberate change with `TRUNKLINE_UPDATE_SNAPSHOTS=1` and review the diff; a
snapshot's provenance is kept when it is rewritten, and a new one starts as `inferred`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.dom import minidom

import pytest

from conftest import Server
from ecs_world import TRUST, World, config_script, role_arn

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("TRUNKLINE_UPDATE_SNAPSHOTS") == "1"
CLUSTER = "trunks"

#: (pattern, replacement), applied in order to the body text. Ids keep their prefix so the shape of
#: an id stays under review; what changes from run to run does not.
_MASKS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\b"), "<uuid>"),
    (
        re.compile(
            r"\b(vpc|subnet|sg|eni|i|ami|rtb|acl|igw|trunk-assoc|vpc-cidr-assoc|subnet-cidr-assoc|eni-attach|r|vol)-[0-9a-f]{8,17}\b"
        ),
        r"\1-<id>",
    ),
    (re.compile(r"\b[0-9a-f]{32}\b"), "<hex32>"),
    (re.compile(r"\b(AROA|AIDA|AKIA|ASIA|AGPA|AIPA)[A-Z0-9]{12,20}\b"), r"\1<id>"),
    (re.compile(r"\b(?:[0-9a-f]{2}:){5}[0-9a-f]{2}\b"), "<mac>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)"), "<time>"),
    (re.compile(r"(\"[A-Za-z]*(?:At|Date|Time)\":\s*)[0-9.e+]+"), r'\1"<epoch>"'),
    (re.compile(r"(<requestId>|<RequestId>)[^<]+"), r"\1<request-id>"),
]


def mask(text: str) -> str:
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


class Recorder:
    """Keeps the raw body of every response a client receives (botocore's `after-call`)."""

    def __init__(self) -> None:
        self.last: tuple[int, str, str] | None = None

    def __call__(self, http_response: Any, model: Any, **_: Any) -> None:
        content_type = http_response.headers.get("content-type", "")
        self.last = (http_response.status_code, content_type, http_response.content.decode())

    def attach(self, *clients: Any) -> None:
        for client in clients:  # botocore emits after-call for error responses too, before raising
            client.meta.events.register("after-call", self)


def _body(content_type: str, raw: str) -> Any:
    """JSON bodies are stored parsed (keys kept in the server's order), XML bodies indented, one
    element a line (whitespace is all that is added), so a review diff points at the element."""
    if "json" in content_type:
        return json.loads(mask(raw))
    pretty = minidom.parseString(raw.encode()).toprettyxml(indent="  ")
    return [line for line in mask(pretty).splitlines() if line.strip()]


def check_snapshot(name: str, recorder: Recorder) -> None:
    assert recorder.last is not None, "no response was recorded"
    status, content_type, raw = recorder.last
    path = SNAPSHOTS / f"{name}.json"
    current = {"status": status, "contentType": content_type.split(";")[0], "body": _body(content_type, raw)}
    stored: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    if UPDATE or not path.exists():
        provenance = stored.get("provenance") or {"kind": "inferred", "source": "API model and documentation"}
        path.write_text(json.dumps({"provenance": provenance, **current}, indent=2) + "\n")
        if not UPDATE:
            pytest.fail(f"new snapshot {path.name} written: review it, set its provenance, commit it")
        return
    assert stored["provenance"]["kind"] in ("observed", "inferred") and stored["provenance"]["source"]
    assert {k: stored[k] for k in current} == current, f"{name} changed: review, then TRUNKLINE_UPDATE_SNAPSHOTS=1"


@pytest.fixture
def walk(spawn: Callable[..., Server]) -> tuple[World, Recorder]:
    world = World(spawn("--timing", "manual"))
    recorder = Recorder()
    recorder.attach(world.ec2, world.ecs, world.iam, world.ssm, world.sts)
    return world, recorder


def test_the_reference_walk_through_responses(walk: tuple[World, Recorder]) -> None:
    """The seed's steps (S15, S10, S3, S14, S16, S2, RESOURCE:ENI, S12), one snapshot per response."""
    world, rec = walk
    world.iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    check_snapshot("iam-create-service-linked-role", rec)
    world.iam.create_role(RoleName="ecsInstanceRole", AssumeRolePolicyDocument=TRUST)
    check_snapshot("iam-create-role", rec)
    world.iam.create_instance_profile(InstanceProfileName="ecsInstanceRole")
    world.iam.add_role_to_instance_profile(InstanceProfileName="ecsInstanceRole", RoleName="ecsInstanceRole")
    world.ecs.put_account_setting(name="awsvpcTrunking", value="enabled", principalArn=role_arn("ecsInstanceRole"))
    check_snapshot("ecs-put-account-setting", rec)
    world.ecs.list_account_settings(name="awsvpcTrunking", effectiveSettings=True)
    check_snapshot("ecs-list-account-settings-effective", rec)
    world.ecs.create_cluster(clusterName=CLUSTER)
    check_snapshot("ecs-create-cluster", rec)
    net = world.network()
    image = world.image()
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    check_snapshot("ec2-run-instances", rec)

    world.advance(35)  # running, then the agent registers: REGISTERING
    arn = world.container_instance_arn(CLUSTER, instance_id)
    world.ecs.describe_container_instances(cluster=CLUSTER, containerInstances=[arn])
    check_snapshot("ecs-describe-container-instances-registering", rec)
    world.advance(10)  # the trunk is attached: ACTIVE
    world.ecs.describe_container_instances(cluster=CLUSTER, containerInstances=[arn])
    check_snapshot("ecs-describe-container-instances-active-trunked", rec)
    world.ecs.list_attributes(cluster=CLUSTER, targetType="container-instance", attributeName="ecs.awsvpc-trunk-id")
    check_snapshot("ecs-list-attributes-trunk-id", rec)
    world.ec2.describe_network_interfaces(Filters=[{"Name": "interface-type", "Values": ["trunk"]}])
    check_snapshot("ec2-describe-network-interfaces-trunk", rec)

    container = {"name": "web", "image": "nginx", "memory": 128, "cpu": 64}
    world.ecs.register_task_definition(
        family="web", networkMode="awsvpc", requiresCompatibilities=["EC2"], containerDefinitions=[container]
    )
    check_snapshot("ecs-register-task-definition-awsvpc", rec)
    awsvpc = {"awsvpcConfiguration": {"subnets": [net["subnet"]]}}
    first = world.ecs.run_task(
        cluster=CLUSTER, taskDefinition="web", count=1, launchType="EC2", networkConfiguration=awsvpc
    )["tasks"][0]["taskArn"]
    check_snapshot("ecs-run-task-provisioning", rec)
    world.ecs.run_task(cluster=CLUSTER, taskDefinition="web", count=9, launchType="EC2", networkConfiguration=awsvpc)
    world.ecs.run_task(cluster=CLUSTER, taskDefinition="web", count=1, launchType="EC2", networkConfiguration=awsvpc)
    check_snapshot("ecs-run-task-resource-eni", rec)
    world.settle()
    world.ecs.describe_tasks(cluster=CLUSTER, tasks=[first])
    check_snapshot("ecs-describe-tasks-running-branch-eni", rec)
    world.ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=arn, force=True)
    check_snapshot("ecs-deregister-container-instance-deregistering", rec)
    assert image.startswith("ami-")


def test_error_responses(walk: tuple[World, Recorder]) -> None:
    """One error per protocol, as served: IAM's query XML, EC2's XML, ECS's JSON."""
    world, rec = walk
    calls: list[tuple[str, Callable[[], Any]]] = [
        ("iam-error-no-such-entity", lambda: world.iam.get_role(RoleName="missing")),
        ("ec2-error-vpc-not-found", lambda: world.ec2.describe_vpcs(VpcIds=["vpc-0123456789abcdef0"])),
        ("ecs-error-cluster-not-found", lambda: world.ecs.list_container_instances(cluster="missing")),
    ]
    for name, call in calls:
        with pytest.raises(world.ecs.exceptions.ClientError):
            call()
        check_snapshot(name, rec)
