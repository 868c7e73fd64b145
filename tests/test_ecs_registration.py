"""RegisterContainerInstance and DeregisterContainerInstance through the API (called as the agent
calls them: boto3 with the instance role's session credentials), the simulated agent that calls
the same code at boot, and how the agent reads /etc/ecs/ecs.config from user data.

Seed requirements covered: S1, S3, S4, S5, S12, S15 (and the registration half of S10).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, CliError, Server, make_cli
from ecs_world import PLAIN_AL2023, TRUNK_ID, World, attributes, config_script, identity_document, role_arn
from trunkline.domain.ecs import agent_config

CLUSTER = "fleet"
INVALID_DOCUMENT = "The identity document and identity document signature were not valid."
TRUNKING_CAPABILITY = {"name": "ecs.capability.task-eni-trunking"}


@pytest.fixture
def world(server: Server) -> World:
    world = World(server)
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    return world


@pytest.fixture
def net(world: World) -> dict[str, str]:
    return world.network()


def bare_instance(world: World, subnet: str, instance_type: str = "c5.large") -> str:
    """A running instance without an ECS agent: registration is entirely up to the test."""
    instance_id = world.launch(subnet, image=world.image(PLAIN_AL2023), instance_type=instance_type)
    world.settle()
    return instance_id


def agent_call(world: World, instance_id: str, **extra: Any) -> dict[str, Any]:
    """RegisterContainerInstance's parameters as a trunking-capable agent sends them."""
    params: dict[str, Any] = {
        "cluster": CLUSTER,
        "instanceIdentityDocument": identity_document(world, instance_id),
        "instanceIdentityDocumentSignature": "c2lnbmF0dXJl",
        "versionInfo": {"agentVersion": "1.80.0", "agentHash": "a1b2c3d4", "dockerVersion": "DockerVersion: 20.10.25"},
        "attributes": [
            {"name": "ecs.capability.task-eni"},
            TRUNKING_CAPABILITY,
            {"name": "ecs.os-type", "value": "linux"},
        ],
        "totalResources": [
            {"name": "CPU", "type": "INTEGER", "integerValue": 2048},
            {"name": "MEMORY", "type": "INTEGER", "integerValue": 3705},
            {"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22", "2375", "2376", "51678", "51679"]},
            {"name": "PORTS_UDP", "type": "STRINGSET", "stringSetValue": []},
        ],
    }
    params.update(extra)
    return params


def error_of(call: Any, **params: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    response: Any = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def digest(world: World) -> str:
    world.settle()
    return str(world.server.get("/_trunkline/state/digest").json()["digest"])


# --- RegisterContainerInstance as the agent calls it -------------------------------------------------


def test_the_role_session_registers_and_its_setting_decides_trunking(world: World, net: dict[str, str]):
    """S15: the caller is the instance role's session; the role's opt-in gives a trunk."""
    world.opt_in(role_arn("ecsInstanceRole"))
    instance_id = bare_instance(world, net["subnet"])
    agent = world.session("ecsInstanceRole", instance_id)
    registered = agent.register_container_instance(**agent_call(world, instance_id))["containerInstance"]
    arn = registered["containerInstanceArn"]
    assert arn.startswith(f"arn:aws:ecs:{REGION}:{ACCOUNT}:container-instance/{CLUSTER}/")
    assert len(arn.rsplit("/", 1)[1]) == 32
    assert registered["ec2InstanceId"] == instance_id and registered["version"] == 1
    assert registered["status"] == "REGISTERING" and registered["agentConnected"] is True
    assert registered["versionInfo"]["agentVersion"] == "1.80.0"
    assert registered["registeredResources"][0] == {
        "name": "CPU",
        "type": "INTEGER",
        "doubleValue": 0.0,
        "longValue": 0,
        "integerValue": 2048,
    }
    assert registered["remainingResources"] == registered["registeredResources"]
    found = attributes(registered)
    instance = world.instance(instance_id)
    assert found["ecs.instance-type"] == "c5.large" and found["ecs.subnet-id"] == net["subnet"]
    assert found["ecs.vpc-id"] == net["vpc"] and found["ecs.ami-id"] == instance["ImageId"]
    assert found["ecs.availability-zone"] == "us-east-1a" and found["ecs.cpu-architecture"] == "x86_64"
    world.settle()
    assert world.describe(CLUSTER, arn)["status"] == "ACTIVE"
    explained = world.explain(CLUSTER, instance_id)
    assert explained["registeredBy"] == role_arn("ecsInstanceRole") and explained["trunked"] is True


def test_the_account_root_registers_with_its_own_setting(world: World, net: dict[str, str]):
    """S15: the role's opt-in does not help a caller who is not the role: root's setting applies."""
    world.opt_in(role_arn("ecsInstanceRole"))
    instance_id = bare_instance(world, net["subnet"])
    registered = world.ecs.register_container_instance(**agent_call(world, instance_id))["containerInstance"]
    assert registered["status"] == "ACTIVE" and TRUNK_ID not in attributes(registered)
    explained = world.explain(CLUSTER, instance_id)
    assert explained["registeredBy"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert {r["code"] for r in explained["reasons"]} == {"account-setting"}


def test_re_registration_keeps_the_arn_and_the_decision(world: World, net: dict[str, str]):
    """S5: the agent re-registering (with or without its ARN) renews the same container instance."""
    instance_id = bare_instance(world, net["subnet"])
    agent = world.session("ecsInstanceRole", instance_id)
    first = agent.register_container_instance(**agent_call(world, instance_id))["containerInstance"]
    world.opt_in(role_arn("ecsInstanceRole"))
    extra = [*agent_call(world, instance_id)["attributes"], {"name": "stack", "value": "blue"}]
    again = agent.register_container_instance(
        **agent_call(world, instance_id, containerInstanceArn=first["containerInstanceArn"], attributes=extra)
    )["containerInstance"]
    assert again["containerInstanceArn"] == first["containerInstanceArn"] and again["version"] == 2
    assert attributes(again)["stack"] == "blue" and again["status"] == "ACTIVE"
    third = agent.register_container_instance(**agent_call(world, instance_id))["containerInstance"]
    assert third["containerInstanceArn"] == first["containerInstanceArn"] and third["version"] == 3
    world.settle()
    assert world.explain(CLUSTER, instance_id)["trunkingApplies"] is False
    assert world.trunk_enis() == []


def test_a_changed_instance_type_is_refused_on_re_registration(world: World, net: dict[str, str]):
    instance_id = bare_instance(world, net["subnet"])
    first = world.ecs.register_container_instance(**agent_call(world, instance_id))["containerInstance"]
    before = digest(world)
    params = agent_call(
        world,
        instance_id,
        containerInstanceArn=first["containerInstanceArn"],
        instanceIdentityDocument=identity_document(world, instance_id, instanceType="c5.xlarge"),
    )
    code, message, status = error_of(world.ecs.register_container_instance, **params)
    assert (code, message, status) == ("ClientException", "Container instance type changes are not supported.", 400)
    assert digest(world) == before


def test_an_unknown_cluster_is_a_client_exception(world: World, net: dict[str, str]):
    """RegisterContainerInstance answers ClientException, not ClusterNotFoundException."""
    instance_id = bare_instance(world, net["subnet"])
    before = digest(world)
    for cluster in ("nowhere", f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/nowhere"):
        code, message, status = error_of(
            world.ecs.register_container_instance, **agent_call(world, instance_id, cluster=cluster)
        )
        assert (code, message, status) == ("ClientException", "Cluster not found.", 400)
    params = agent_call(world, instance_id)
    del params["cluster"]  # the default cluster, which does not exist yet
    assert error_of(world.ecs.register_container_instance, **params)[:2] == ("ClientException", "Cluster not found.")
    assert digest(world) == before
    world.ecs.create_cluster()
    registered = world.ecs.register_container_instance(**params)["containerInstance"]
    assert ":container-instance/default/" in registered["containerInstanceArn"]


@pytest.mark.parametrize(
    "make",
    [
        lambda world, instance_id: None,
        lambda world, instance_id: "not json",
        lambda world, instance_id: json.dumps({"instanceId": 7}),
        lambda world, instance_id: json.dumps(["i-0123456789abcdef0"]),
        lambda world, instance_id: identity_document(world, instance_id, instanceId="i-0123456789abcdef0"),
        lambda world, instance_id: identity_document(world, instance_id, region="eu-west-1"),
        lambda world, instance_id: identity_document(world, instance_id, accountId="210987654321"),
        lambda world, instance_id: identity_document(world, instance_id, availabilityZone="us-east-1f"),
        lambda world, instance_id: identity_document(world, instance_id, instanceType="c5.xlarge"),
        lambda world, instance_id: identity_document(world, instance_id, instanceType="zz.huge"),
    ],
    ids=[
        "missing",
        "not-json",
        "id-not-a-string",
        "not-an-object",
        "unknown-instance",
        "other-region",
        "other-account",
        "other-zone",
        "other-type",
        "unknown-type",
    ],
)
def test_identity_documents_that_do_not_name_the_instance_are_refused(world: World, net: dict[str, str], make: Any):
    instance_id = bare_instance(world, net["subnet"])
    params = agent_call(world, instance_id)
    text = make(world, instance_id)
    if text is None:
        del params["instanceIdentityDocument"]
    else:
        params["instanceIdentityDocument"] = text
    before = digest(world)
    assert error_of(world.ecs.register_container_instance, **params) == ("ClientException", INVALID_DOCUMENT, 400)
    assert digest(world) == before


def test_a_terminated_instance_cannot_register(world: World, net: dict[str, str]):
    instance_id = bare_instance(world, net["subnet"])
    params = agent_call(world, instance_id)
    world.ec2.terminate_instances(InstanceIds=[instance_id])
    world.settle()
    assert error_of(world.ecs.register_container_instance, **params)[:2] == ("ClientException", INVALID_DOCUMENT)


def test_attribute_rules(world: World, net: dict[str, str]):
    instance_id = bare_instance(world, net["subnet"])
    before = digest(world)
    bad_name = agent_call(world, instance_id, attributes=[{"name": "bad name!"}])
    code, message, _ = error_of(world.ecs.register_container_instance, **bad_name)
    assert code == "InvalidParameterException" and "bad name!" in message
    bad_value = agent_call(world, instance_id, attributes=[{"name": "team", "value": " padded"}])
    assert error_of(world.ecs.register_container_instance, **bad_value)[0] == "InvalidParameterException"
    eleven = [{"name": f"custom{i}", "value": "x"} for i in range(11)]
    code, message, _ = error_of(
        world.ecs.register_container_instance, **agent_call(world, instance_id, attributes=eleven)
    )
    assert (code, message) == (
        "InvalidParameterException",
        "You can apply up to 10 custom attributes for each resource.",
    )
    assert digest(world) == before
    forged = [
        {"name": TRUNK_ID, "value": "forged"},
        {"name": "ecs.instance-type", "value": "m5.24xlarge"},
        *[{"name": f"custom{i}", "value": "x"} for i in range(10)],
    ]
    registered = world.ecs.register_container_instance(**agent_call(world, instance_id, attributes=forged))
    found = attributes(registered["containerInstance"])
    assert TRUNK_ID not in found and found["ecs.instance-type"] == "c5.large" and found["custom9"] == "x"
    assert found["ecs.os-type"] == "linux"  # filled in when the agent sends none


def test_resources_left_out_are_filled_in_as_the_agent_reports_them(world: World, net: dict[str, str]):
    """S1: what a c5.large registers: 2 vCPUs, 3705 MiB, the agent's reserved ports."""
    instance_id = bare_instance(world, net["subnet"])
    params = agent_call(world, instance_id)
    del params["totalResources"]
    registered = world.ecs.register_container_instance(**params)["containerInstance"]
    resources = {r["name"]: r for r in registered["registeredResources"]}
    assert [r["name"] for r in registered["registeredResources"]] == ["CPU", "MEMORY", "PORTS", "PORTS_UDP"]
    assert resources["CPU"]["integerValue"] == 2048 and resources["MEMORY"]["integerValue"] == 3705
    assert resources["PORTS"]["stringSetValue"] == ["22", "2375", "2376", "51678", "51679"]
    assert resources["PORTS_UDP"]["stringSetValue"] == []
    negative = [{"name": "CPU", "type": "INTEGER", "integerValue": -1}]
    code = error_of(world.ecs.register_container_instance, **agent_call(world, instance_id, totalResources=negative))
    assert code[0] == "InvalidParameterException"


def test_one_live_container_instance_per_ec2_instance(world: World, net: dict[str, str]):
    instance_id = bare_instance(world, net["subnet"])
    world.ecs.create_cluster(clusterName="elsewhere")
    first = world.ecs.register_container_instance(**agent_call(world, instance_id))["containerInstance"]
    code, message, _ = error_of(
        world.ecs.register_container_instance, **agent_call(world, instance_id, cluster="elsewhere")
    )
    assert code == "ClientException" and f"already registered in cluster '{CLUSTER}'" in message
    other = bare_instance(world, net["subnet"])
    stolen = agent_call(world, other, containerInstanceArn=first["containerInstanceArn"])
    assert error_of(world.ecs.register_container_instance, **stolen)[0] == "ClientException"
    malformed = agent_call(world, instance_id, containerInstanceArn="not-an-arn")
    assert error_of(world.ecs.register_container_instance, **malformed)[0] == "InvalidParameterException"


# --- DeregisterContainerInstance --------------------------------------------------------------------


def test_a_deregistered_instance_registers_again_under_a_new_arn(world: World, net: dict[str, str]):
    """S12: an untrunked instance is INACTIVE at once and stays describable."""
    instance_id = bare_instance(world, net["subnet"])
    first = world.ecs.register_container_instance(**agent_call(world, instance_id))["containerInstance"]
    gone = world.ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=first["containerInstanceArn"])
    inactive = gone["containerInstance"]
    assert inactive["status"] == "INACTIVE" and inactive["version"] == 2 and inactive["agentConnected"] is False
    repeated = world.ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=first["containerInstanceArn"])
    assert repeated["containerInstance"]["version"] == 2  # nothing changed, no event
    params = agent_call(world, instance_id, containerInstanceArn=first["containerInstanceArn"])
    second = world.ecs.register_container_instance(**params)["containerInstance"]
    assert second["containerInstanceArn"] != first["containerInstanceArn"] and second["version"] == 1
    assert world.describe(CLUSTER, first["containerInstanceArn"])["status"] == "INACTIVE"


def test_deregistration_errors(world: World, net: dict[str, str]):
    before = digest(world)
    code, message, status = error_of(
        world.ecs.deregister_container_instance, cluster=CLUSTER, containerInstance="0123456789abcdef0123456789abcdef"
    )
    assert (code, message, status) == ("InvalidParameterException", "Container instance can not be found.", 400)
    code, message, _ = error_of(
        world.ecs.deregister_container_instance, cluster="nowhere", containerInstance="0123456789abcdef0123456789abcdef"
    )
    assert (code, message) == ("ClusterNotFoundException", "Cluster not found.")
    assert digest(world) == before


def test_register_and_deregister_with_the_aws_cli(world: World, net: dict[str, str], tmp_path: Path):
    """S3: the CLI round trip, as scripts run it."""
    aws = make_cli(world.server.url, tmp_path)
    instance_id = bare_instance(world, net["subnet"])
    registered = aws(
        "ecs", "register-container-instance", "--cluster", CLUSTER,
        "--instance-identity-document", identity_document(world, instance_id),
        "--total-resources", "name=CPU,type=INTEGER,integerValue=2048",
    )["containerInstance"]  # fmt: skip
    assert registered["status"] == "ACTIVE" and registered["ec2InstanceId"] == instance_id
    with pytest.raises(CliError) as caught:
        aws("ecs", "register-container-instance", "--cluster", "nowhere", "--instance-identity-document", "{}")
    assert "(ClientException)" in caught.value.stderr and "Cluster not found." in caught.value.stderr
    gone = aws(
        "ecs", "deregister-container-instance", "--cluster", CLUSTER,
        "--container-instance", registered["containerInstanceArn"], "--force",
    )["containerInstance"]  # fmt: skip
    assert gone["status"] == "INACTIVE"


# --- the simulated agent ----------------------------------------------------------------------------


def test_the_agent_reports_what_its_configuration_says(world: World, net: dict[str, str]):
    """The agent's resources and attributes follow ecs.config: reserved memory and ports, custom
    attributes, container instance tags."""
    script = config_script(
        CLUSTER,
        "ECS_RESERVED_MEMORY=256",
        "ECS_RESERVED_PORTS=[22, 8080]",
        'ECS_INSTANCE_ATTRIBUTES={"stack": "prod", "team": "core"}',
        'ECS_CONTAINER_INSTANCE_TAGS={"owner": "platform"}',
    )
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", script)
    world.settle()
    described = world.ecs.describe_container_instances(
        cluster=CLUSTER, containerInstances=[world.container_instance_arn(CLUSTER, instance_id)], include=["TAGS"]
    )["containerInstances"][0]
    resources = {r["name"]: r for r in described["registeredResources"]}
    assert resources["CPU"]["integerValue"] == 2048 and resources["MEMORY"]["integerValue"] == 3705 - 256
    assert resources["PORTS"]["stringSetValue"] == ["22", "8080"]
    found = attributes(described)
    assert (found["stack"], found["team"]) == ("prod", "core")
    assert found["ecs.os-type"] == "linux" and found["ecs.os-family"] == "LINUX"
    assert "ecs.capability.task-eni" in found and "com.amazonaws.ecs.capability.docker-remote-api.1.44" in found
    assert described["tags"] == [{"key": "owner", "value": "platform"}]
    assert described["versionInfo"]["agentVersion"] == world.agent(instance_id)["agentVersion"]
    agent = world.agent(instance_id)
    assert agent["state"] == "registered" and agent["registeredAs"].startswith(
        f"arn:aws:sts::{ACCOUNT}:assumed-role/ecsInstanceRole/{instance_id}"
    )


def test_the_agent_explains_why_it_did_not_register(world: World, net: dict[str, str]):
    no_profile = world.launch(net["subnet"], None, config_script(CLUSTER))
    no_cluster = world.launch(net["subnet"], "ecsInstanceRole", config_script("missing"))
    default_cluster = world.launch(net["subnet"], "ecsInstanceRole", "#!/bin/bash\necho hello\n")
    bad_config = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER, "ECS_INSTANCE_ATTRIBUTES=[1]"))
    no_agent = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER), image=world.image(PLAIN_AL2023))
    world.settle()
    assert world.agent(no_profile)["state"] == "failed" and "no instance profile" in world.agent(no_profile)["reason"]
    missing = world.agent(no_cluster)
    assert missing["reason"] == "RegisterContainerInstance failed: ClientException: Cluster not found."
    assert "cluster 'missing'" in missing["trace"][-1]["message"]
    assert world.agent(default_cluster)["config"]["cluster"] == "default"
    assert "Cluster not found." in world.agent(default_cluster)["reason"]
    assert "ECS_INSTANCE_ATTRIBUTES" in world.agent(bad_config)["reason"]
    assert world.agent(no_agent)["state"] == "no-agent"
    assert world.trunking(CLUSTER) == []
    assert world.server.get("/_trunkline/agents/i-0123456789abcdef0").status_code == 404


def test_an_agent_registers_once_the_instance_is_started_again(world: World, net: dict[str, str]):
    """The agent does not retry; a stop and start after the cluster exists registers it."""
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", config_script("later"))
    world.settle()
    assert world.agent(instance_id)["state"] == "failed"
    world.ecs.create_cluster(clusterName="later")
    world.ec2.stop_instances(InstanceIds=[instance_id])
    world.settle()
    world.ec2.start_instances(InstanceIds=[instance_id])
    world.settle()
    assert world.agent(instance_id)["state"] == "registered"
    assert world.of_instance("later", instance_id)["status"] == "ACTIVE"


# --- reading ecs.config from user data ----------------------------------------------------------------


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("#!/bin/bash\necho ECS_CLUSTER=a >> /etc/ecs/ecs.config\n", {"ECS_CLUSTER": "a"}),
        ('#!/bin/bash\necho "ECS_CLUSTER=b" >> /etc/ecs/ecs.config\n', {"ECS_CLUSTER": "b"}),
        (
            '#!/bin/bash\necho \'ECS_INSTANCE_ATTRIBUTES={"k": "v"}\' | sudo tee -a /etc/ecs/ecs.config\n',
            {"ECS_INSTANCE_ATTRIBUTES": '{"k": "v"}'},
        ),
        (
            "#!/bin/bash\necho -e 'ECS_CLUSTER=c\\nECS_ENABLE_TASK_ENI=false' >> /etc/ecs/ecs.config\n",
            {"ECS_CLUSTER": "c", "ECS_ENABLE_TASK_ENI": "false"},
        ),
        (
            "#!/bin/bash\necho ECS_CLUSTER=old >> /etc/ecs/ecs.config\necho ECS_LOGLEVEL=debug > /etc/ecs/ecs.config\n",
            {"ECS_LOGLEVEL": "debug"},
        ),
        (
            "#!/bin/bash\ncat > /etc/ecs/ecs.config <<EOF\nECS_CLUSTER=d\nECS_RESERVED_MEMORY=128\nEOF\n"
            "cat <<EOF > /etc/motd\nECS_CLUSTER=not-this\nEOF\n",
            {"ECS_CLUSTER": "d", "ECS_RESERVED_MEMORY": "128"},
        ),
        (
            "ECS_CLUSTER=e\nECS_ENABLE_HIGH_DENSITY_ENI=false\n",
            {"ECS_CLUSTER": "e", "ECS_ENABLE_HIGH_DENSITY_ENI": "false"},
        ),
        ("<powershell>\nInitialize-ECSAgent -Cluster 'win' -EnableTaskIAMRole\n</powershell>", {"ECS_CLUSTER": "win"}),
        (
            '<powershell>[Environment]::SetEnvironmentVariable("ECS_CLUSTER", "win2", "Machine")</powershell>',
            {"ECS_CLUSTER": "win2"},
        ),
        (
            'Content-Type: multipart/mixed; boundary="XX"\nMIME-Version: 1.0\n\n--XX\n'
            'Content-Type: text/x-shellscript; charset="us-ascii"\n\n#!/bin/bash\n'
            "echo ECS_CLUSTER=mime >> /etc/ecs/ecs.config\n--XX--\n",
            {"ECS_CLUSTER": "mime"},
        ),
    ],
    ids=["echo", "quoted", "tee", "echo-e", "truncate", "heredoc", "bare", "windows", "windows-env", "mime"],
)
def test_ecs_config_lines_in_user_data(script: str, expected: dict[str, str]):
    assert agent_config.parse(_b64(script)).values == expected


def test_ecs_config_defaults_and_refusals():
    empty = agent_config.parse(None)
    assert empty.cluster == "default" and empty.task_eni and empty.high_density_eni
    assert empty.reserved_ports == [22, 2375, 2376, 51678, 51679] and empty.reserved_memory == 0
    odd = agent_config.parse(_b64("ECS_ENABLE_TASK_ENI=maybe\nECS_RESERVED_PORTS=nonsense\nECS_RESERVED_MEMORY=x\n"))
    assert odd.task_eni is True and odd.reserved_ports == [22, 2375, 2376, 51678, 51679]
    assert odd.problems == ["ECS_RESERVED_MEMORY 'x' is not a number of MiB"]
    assert agent_config.parse("%%% not base64").values == {}
