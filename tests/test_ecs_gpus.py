"""GPU workloads on ECS container instances, end to end through boto3: the GPUs the agent
registers (GPU-optimized configuration, `ECS_ENABLE_GPU_SUPPORT=true`), placement by GPUs with
`RESOURCE:GPU`, `gpuIds` on containers, remainingResources GPU as tasks start and stop, and the
errors RegisterTaskDefinition/RunTask give for GPU requirements."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import Server
from ecs_world import World, config_script
from test_capacity_providers import CLUSTER as CAPACITY_CLUSTER
from test_capacity_providers import Stack
from trunkline.domain.ecs import gpus
from trunkline.domain.ecs.placement import CHECK_ORDER, Candidate, Demand, place

CLUSTER = "gpus"
GPU_ON = "ECS_ENABLE_GPU_SUPPORT=true"


@pytest.fixture
def world(server: Server) -> World:
    return World(server)


def ready(world: World, instance_type: str, *lines: str) -> str:
    """A cluster and one registered instance of the type; its container instance ARN."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    net = world.network()
    instance_id = world.launch(
        net["subnet"], "ecsInstanceRole", config_script(CLUSTER, *lines), instance_type=instance_type
    )
    world.settle()
    return world.container_instance_arn(CLUSTER, instance_id)


def gpu_family(world: World, family: str = "train", *per_container: int, network_mode: str = "bridge") -> str:
    containers = [
        {
            "name": f"c{n}",
            "image": "nvidia/cuda",
            "cpu": 64,
            "memory": 256,
            "resourceRequirements": [{"type": "GPU", "value": str(gpus)}],
        }
        for n, gpus in enumerate(per_container or (1,))
    ]
    answer = world.ecs.register_task_definition(
        family=family, networkMode=network_mode, containerDefinitions=containers
    )
    return str(answer["taskDefinition"]["taskDefinitionArn"])


def resource(world: World, arn: str, name: str, field: str = "remainingResources") -> Any:
    found = world.describe(CLUSTER, arn)
    return next((r.get("stringSetValue") for r in found[field] if r["name"] == name), None)


def test_the_agent_registers_one_gpu_id_per_gpu_when_gpu_support_is_on(world: World):
    arn = ready(world, "g4dn.12xlarge", GPU_ON)
    ids = resource(world, arn, "GPU", "registeredResources")
    assert ids is not None and len(ids) == 4 and len(set(ids)) == 4
    assert all(i.startswith("GPU-") and len(i) == 40 for i in ids)
    registered = world.describe(CLUSTER, arn)["registeredResources"]
    assert [r["name"] for r in registered] == ["CPU", "MEMORY", "PORTS", "PORTS_UDP", "GPU"]
    assert registered[-1]["type"] == "STRINGSET"
    assert resource(world, arn, "GPU") == ids


GPU_AMI = "/aws/service/ecs/optimized-ami/amazon-linux-2/gpu/recommended/image_id"


@pytest.mark.parametrize(("lines", "registered"), [((), 1), (("ECS_ENABLE_GPU_SUPPORT=false",), 0)])
def test_the_gpu_optimized_ami_switches_gpu_support_on_unless_user_data_turns_it_off(
    world: World, lines: tuple[str, ...], registered: int
):
    image = world.ssm.get_parameter(Name=GPU_AMI)["Parameter"]["Value"]
    (described,) = world.ec2.describe_images(ImageIds=[image])["Images"]
    assert described["Name"].startswith("amzn2-ami-ecs-gpu-hvm-") and described["Architecture"] == "x86_64"
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    net = world.network()
    instance_id = world.launch(
        net["subnet"], "ecsInstanceRole", config_script(CLUSTER, *lines), instance_type="g4dn.xlarge", image=image
    )
    world.settle()
    ids = resource(world, world.container_instance_arn(CLUSTER, instance_id), "GPU", "registeredResources")
    assert len(ids or []) == registered


@pytest.mark.parametrize(("instance_type", "lines"), [("g4dn.12xlarge", ()), ("c5.large", (GPU_ON,))])
def test_no_gpu_resource_without_gpu_support_or_without_gpus(world: World, instance_type: str, lines: tuple[str, ...]):
    arn = ready(world, instance_type, *lines)
    assert resource(world, arn, "GPU", "registeredResources") is None


def test_tasks_take_distinct_gpus_and_give_them_back_when_they_stop(world: World):
    arn = ready(world, "g4dn.12xlarge", GPU_ON)
    everything = resource(world, arn, "GPU", "registeredResources")
    family = gpu_family(world, "train", 1, 1)  # two containers, one GPU each: the task needs 2
    answer = world.ecs.run_task(cluster=CLUSTER, taskDefinition=family, count=3)
    assert answer["failures"] == [{"arn": arn, "reason": "RESOURCE:GPU"}]
    placed = answer["tasks"]
    assert len(placed) == 2
    taken = [[c["gpuIds"] for c in sorted(t["containers"], key=lambda c: c["name"])] for t in placed]
    flat = [i for task in taken for ids in task for i in ids]
    assert all(len(ids) == 1 for task in taken for ids in task)
    assert sorted(flat) == sorted(everything)
    described = world.ecs.describe_tasks(cluster=CLUSTER, tasks=[placed[0]["taskArn"]])["tasks"][0]
    assert sorted(i for c in described["containers"] for i in c["gpuIds"]) == sorted(taken[0][0] + taken[0][1])
    assert resource(world, arn, "GPU") == []
    world.ecs.stop_task(cluster=CLUSTER, task=placed[0]["taskArn"])
    world.settle()
    assert sorted(resource(world, arn, "GPU")) == sorted(taken[0][0] + taken[0][1])
    again = world.ecs.run_task(cluster=CLUSTER, taskDefinition=family)["tasks"]
    assert sorted(i for c in again[0]["containers"] for i in c["gpuIds"]) == sorted(taken[0][0] + taken[0][1])


def test_a_task_without_gpus_gets_no_gpu_ids_and_a_gpu_task_needs_a_gpu_instance(world: World):
    arn = ready(world, "c5.large", GPU_ON)
    plain = {"name": "app", "image": "nginx", "cpu": 64, "memory": 128}
    world.ecs.register_task_definition(family="plain", containerDefinitions=[plain])
    (task,) = world.ecs.run_task(cluster=CLUSTER, taskDefinition="plain")["tasks"]
    assert "gpuIds" not in task["containers"][0]
    family = gpu_family(world, "train", 1)
    answer = world.ecs.run_task(cluster=CLUSTER, taskDefinition=family)
    assert answer["tasks"] == [] and answer["failures"] == [{"arn": arn, "reason": "RESOURCE:GPU"}]


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "two", "ALL"])
def test_a_gpu_requirement_must_be_a_positive_whole_number(world: World, value: str):
    container = {
        "name": "c",
        "image": "nvidia/cuda",
        "memory": 256,
        "resourceRequirements": [{"type": "GPU", "value": value}],
    }
    with pytest.raises(ClientError) as raised:
        world.ecs.register_task_definition(family="bad", containerDefinitions=[container])
    assert raised.value.response["Error"]["Code"] == "ClientException"
    assert "must be a positive integer" in raised.value.response["Error"]["Message"]
    assert world.ecs.list_task_definitions()["taskDefinitionArns"] == []


def test_fargate_refuses_gpus(world: World):
    container = {
        "name": "c",
        "image": "nvidia/cuda",
        "resourceRequirements": [{"type": "GPU", "value": "1"}],
    }
    common: dict[str, Any] = {"networkMode": "awsvpc", "cpu": "1024", "memory": "2048"}
    with pytest.raises(ClientError) as raised:
        world.ecs.register_task_definition(
            family="f", containerDefinitions=[container], requiresCompatibilities=["FARGATE"], **common
        )
    assert raised.value.response["Error"]["Message"] == "Fargate does not support GPU resource requirements."
    answer = world.ecs.register_task_definition(family="f", containerDefinitions=[container], **common)
    assert answer["taskDefinition"]["compatibilities"] == ["EC2", "MANAGED_INSTANCES"]


# --- the engine and the catalog -----------------------------------------------------------------------


def _host(name: str, gpu_count: int, memory: int = 4096) -> Candidate:
    return Candidate(f"arn:ci/{name}", f"i-{name}", {}, 4096, memory, set(), set(), gpus=gpu_count)


def test_placement_counts_gpus_within_one_call_and_ranks_the_gpu_reason():
    """Tasks placed in one call use up the picture's GPUs; RESOURCE:GPU comes after the port checks
    and before RESOURCE:ENI, so an instance short only of GPUs is the closest match."""
    outcome = place([_host("a", 4), _host("b", 0)], Demand(cpu=64, memory=64, gpus=3), 3)
    assert [c.arn for c in outcome.placed] == ["arn:ci/a"]
    assert [f["reason"] for f in outcome.failures] == ["RESOURCE:GPU"] * 2  # a has 1 left, b none
    order = list(CHECK_ORDER)
    assert order.index("RESOURCE:PORTS_UDP") < order.index("RESOURCE:GPU") < order.index("RESOURCE:ENI")
    short_of_memory, short_of_gpus = _host("m", 8, memory=1), _host("g", 0)
    failed = place([short_of_memory, short_of_gpus], Demand(cpu=64, memory=64, gpus=1), 1)
    assert failed.failures == [{"arn": "arn:ci/g", "reason": "RESOURCE:GPU"}]


@pytest.mark.parametrize(
    ("instance_type", "count"),
    [("p2.16xlarge", 16), ("p3.2xlarge", 1), ("p3dn.24xlarge", 8), ("p4d.24xlarge", 8), ("p5.48xlarge", 8),
     ("g3s.xlarge", 1), ("g4dn.12xlarge", 4), ("g5.48xlarge", 8), ("g6.xlarge", 1), ("g4ad.xlarge", 0),
     ("c5.large", 0), (None, 0)],
)  # fmt: skip
def test_the_gpu_catalog(instance_type: str | None, count: int):
    assert gpus.count(instance_type) == count


# --- managed scaling ----------------------------------------------------------------------------------


def test_managed_scaling_counts_gpus_when_it_packs_waiting_tasks(spawn: Callable[..., Server]):
    """g4dn.xlarge has 1 GPU (and room for many such tasks by CPU and memory): a service of three
    one-GPU tasks needs three instances, and the group grows to them."""
    stack = Stack(spawn("--timing", "manual"))
    data = {
        "InstanceType": "g4dn.xlarge",
        "UserData": base64.b64encode(config_script(CAPACITY_CLUSTER, GPU_ON).encode()).decode(),
    }
    stack.world.ec2.create_launch_template_version(LaunchTemplateName="ecs", SourceVersion="1", LaunchTemplateData=data)
    stack.standard()
    container = {
        "name": "c",
        "image": "nvidia/cuda",
        "cpu": 256,
        "memory": 512,
        "resourceRequirements": [{"type": "GPU", "value": "1"}],
    }
    stack.world.ecs.register_task_definition(family="infer", containerDefinitions=[container])
    stack.world.ecs.create_service(
        cluster=CAPACITY_CLUSTER, serviceName="infer", taskDefinition="infer", desiredCount=3
    )
    stack.world.settle()
    (service,) = stack.world.ecs.describe_services(cluster=CAPACITY_CLUSTER, services=["infer"])["services"]
    assert (service["runningCount"], service["pendingCount"]) == (3, 0)
    per = stack.per_instance()
    assert len(stack.members()) == 3 and sorted(per.values()) == [1, 1, 1], per
    assert all(name.startswith("g4dn.xlarge ") for name in per)
    figure = stack.reservation()
    assert (figure["instancesNeeded"], figure["instancesInGroup"], figure["tasksWaiting"]) == (3, 3, 0)
