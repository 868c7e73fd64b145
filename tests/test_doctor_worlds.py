"""Doctor over random worlds: whatever mix of roles, settings (changed before or after instances
register), instance types, images, agent configuration, subnets, DNS options, instance profiles
swapped after registration (C20) and a service whose awsvpc subnets may be in another VPC (C18) a
world has, doctor's verdict from public APIs agrees with trunkline's own reasons for every container
instance. On the manual clock, so that a swap is dated after the registration it follows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import Server, fresh_state, release_state, start_process, stop_process
from doctor_world import disagreements, doctor_json
from ecs_world import WINDOWS, World, config_script, role_arn

CLUSTER = "random"
ROLES = ("roleA", "roleB")
SETTING = st.sampled_from([None, "enabled", "disabled"])

instance = st.fixed_dictionaries(
    {
        "role": st.sampled_from(ROLES),
        "type": st.sampled_from(["c5.large", "m5.xlarge", "t3.medium", "c5n.large"]),
        "image": st.sampled_from(["al2023", "al2023", "old", "windows"]),
        "config": st.sampled_from([(), (), ("ECS_ENABLE_HIGH_DENSITY_ENI=false",), ("ECS_ENABLE_TASK_ENI=false",)]),
        "subnet": st.sampled_from(["own", "own", "shared", "full"]),
        "a_record": st.booleans(),
        "later": st.booleans(),  # registers after the settings change
        "swap": st.booleans(),  # given the other role's profile after registering (C20)
    }
)
world_strategy = st.fixed_dictionaries(
    {
        "default": SETTING,
        "roles": st.fixed_dictionaries({r: SETTING for r in ROLES}),
        "changed": st.fixed_dictionaries({r: SETTING for r in ROLES}),
        "instances": st.lists(instance, min_size=1, max_size=5),
        "service": st.sampled_from([None, "own", "other"]),  # an awsvpc service's subnets' VPC (C18)
    }
)


def _set(world: World, role: str, value: str | None) -> None:
    if value is None:
        world.ecs.delete_account_setting(name="awsvpcTrunking", principalArn=role_arn(role))
    else:
        world.opt_in(role_arn(role), value)


def build(world: World, spec: dict[str, Any]) -> None:
    world.ecs.create_cluster(clusterName=CLUSTER)
    for role in ROLES:
        world.instance_role(role)
    if spec["default"] is not None:
        world.ecs.put_account_setting_default(name="awsvpcTrunking", value=spec["default"])
    for role, value in spec["roles"].items():
        _set(world, role, value)
    subnets = {
        "own": world.network()["subnet"],
        "shared": world.network(cidr="10.0.2.0/24", owner="210987654321")["subnet"],
        "full": world.network(cidr="10.0.3.0/28")["subnet"],
    }
    for _ in range(8):  # leaves 3 addresses: a few instances fit, their trunks may not
        world.ec2.create_network_interface(SubnetId=subnets["full"])
    images = {"al2023": world.image(), "old": world.old_image(), "windows": world.image(WINDOWS)}

    launched: dict[int, str] = {}

    def launch(entry: dict[str, Any]) -> None:
        if entry["image"] == "windows":
            script = f"<powershell>\nImport-Module ECSTools\nInitialize-ECSAgent -Cluster {CLUSTER}\n</powershell>"
        else:
            script = config_script(CLUSTER, *entry["config"])
        extra: dict[str, Any] = {}
        if entry["a_record"]:
            extra["PrivateDnsNameOptions"] = {"HostnameType": "ip-name", "EnableResourceNameDnsARecord": True}
        try:
            launched[id(entry)] = world.launch(
                subnets[entry["subnet"]], entry["role"], script, entry["type"], images[entry["image"]], **extra
            )
        except world.ec2.exceptions.ClientError as error:
            # c5n.large with an old image, a full subnet: EC2 refuses, which is not doctor's business
            assert error.response["Error"]["Code"] in ("InsufficientFreeAddressesInSubnet", "InvalidParameterValue")

    for entry in spec["instances"]:
        if not entry["later"]:
            launch(entry)
    world.settle()
    for role, value in spec["changed"].items():
        _set(world, role, value)
    for entry in spec["instances"]:
        if entry["later"]:
            launch(entry)
    world.settle()
    if spec["service"] is not None:
        subnet = subnets["own"] if spec["service"] == "own" else world.network(cidr="10.0.5.0/24")["subnet"]
        container = {"name": "app", "image": "nginx", "cpu": 128, "memory": 256}
        world.ecs.register_task_definition(family="web", networkMode="awsvpc", containerDefinitions=[container])
        world.ecs.create_service(
            cluster=CLUSTER, serviceName="web", taskDefinition="web", desiredCount=1, launchType="EC2",
            networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet]}},
        )  # fmt: skip
        world.settle()
    world.advance(60)
    _swap(world, [launched[id(e)] for e in spec["instances"] if e["swap"] and id(e) in launched])


def _swap(world: World, instance_ids: list[str]) -> None:
    """Give each instance the other role's profile (ReplaceIamInstanceProfileAssociation)."""
    if not instance_ids:
        return
    filters = [{"Name": "instance-id", "Values": instance_ids}]
    for association in world.ec2.describe_iam_instance_profile_associations(Filters=filters)[
        "IamInstanceProfileAssociations"
    ]:
        current = association["IamInstanceProfile"]["Arn"].rsplit("/", 1)[-1]
        other = ROLES[1 - ROLES.index(current)]
        world.ec2.replace_iam_instance_profile_association(
            AssociationId=association["AssociationId"], IamInstanceProfile={"Name": other}
        )


@pytest.fixture(scope="module")
def manual_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    state = fresh_state(tmp_path_factory.mktemp("manual"))
    server = start_process(state, "--timing", "manual")
    try:
        yield server
    finally:
        stop_process(server)
        release_state(state)


@settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a world takes seconds: no long shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=world_strategy)
def test_doctor_agrees_with_trunkline_in_random_worlds(manual_server: Server, spec: dict[str, Any]):
    manual_server.reset()
    world = World(manual_server)
    build(world, spec)
    assert disagreements(world, CLUSTER, doctor_json(manual_server, CLUSTER)) == []
