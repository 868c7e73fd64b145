"""Doctor over random worlds: whatever mix of roles, settings (changed before or after instances
register), instance types, images, agent configuration, subnets and DNS options a world has,
doctor's verdict from public APIs agrees with trunkline's own reasons for every container instance."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import Server
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
    }
)
world_strategy = st.fixed_dictionaries(
    {
        "default": SETTING,
        "roles": st.fixed_dictionaries({r: SETTING for r in ROLES}),
        "changed": st.fixed_dictionaries({r: SETTING for r in ROLES}),
        "instances": st.lists(instance, min_size=1, max_size=5),
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

    def launch(entry: dict[str, Any]) -> None:
        if entry["image"] == "windows":
            script = f"<powershell>\nImport-Module ECSTools\nInitialize-ECSAgent -Cluster {CLUSTER}\n</powershell>"
        else:
            script = config_script(CLUSTER, *entry["config"])
        extra: dict[str, Any] = {}
        if entry["a_record"]:
            extra["PrivateDnsNameOptions"] = {"HostnameType": "ip-name", "EnableResourceNameDnsARecord": True}
        try:
            world.launch(
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


@settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a world takes seconds: no long shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=world_strategy)
def test_doctor_agrees_with_trunkline_in_random_worlds(server: Server, spec: dict[str, Any]):
    server.reset()
    world = World(server)
    build(world, spec)
    assert disagreements(world, CLUSTER, doctor_json(server, CLUSTER)) == []
