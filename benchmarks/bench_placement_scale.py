"""Placement benchmark (issue 5, "Scale"): does RunTask with binpack stay flat as a cluster of
trunked container instances grows to 10,000 instances and 100,000 awsvpc tasks?

    /work/venv/bin/python benchmarks/bench_placement_scale.py                  # 100 then 1,000 instances (~1 min)
    /work/venv/bin/python benchmarks/bench_placement_scale.py --full           # 100, 1,000, 10,000 (~8 min)
    /work/venv/bin/python benchmarks/bench_placement_scale.py --sizes 100 500 2000 --density 5
    /work/venv/bin/python benchmarks/bench_placement_scale.py --state postgresql://postgres:postgres@127.0.0.1:5432/bench

One `trunkline serve --timing manual` on a new SQLite file (or `--state`, an empty PostgreSQL database), driven over one keep-alive connection
(raw form/JSON POSTs, see common.py). Every container instance is registered by the simulated ECS
agent: RunInstances of the ECS-optimized AL2023 AMI (50 per call; c5.large, c5.xlarge and
m5.2xlarge in turn, over three subnets in three zones) with an instance role opted in to
`awsvpcTrunking`, then POST /_trunkline/clock/settle (boot, register, provision the trunks).
100,000 task ENIs need more addresses than a /16 VPC has, so the VPC 10.0.0.0/16 gets
10.1.0.0/16 and 10.2.0.0/16 as secondary blocks (AssociateVpcCidrBlock, as users do) and each zone's
subnet is a whole /16.

At each size, the cluster is filled to `--density` tasks per instance (10: 1,000 tasks at 100
instances, 100,000 at 10,000) by RunTask calls of count 10, an awsvpc task definition (256 CPU
units, 512 MiB), the three subnets, placementStrategy binpack memory; every call is timed,
interleaved with GET /_trunkline/health (the baseline: HTTP + ASGI + client, no store work), the
first few untimed. The clock is not advanced: the tasks stay PROVISIONING, holding their memory and
their branch-ENI slot, so binpack keeps filling the fullest instances. Then the server's resident
memory (VmRSS from /proc). A fill stops where the cluster has no more room (each instance's
remaining CPU and memory over the task's, and its free awsvpc slots from
/_trunkline/container-instances/capacity): a small size may hold fewer tasks than the density
asks (under 50 instances all are c5.large, which hold 7), and the warm-up shrinks so one call at
least is timed; a size without room for one call of ten is reported and not measured. Growth =
largest / smallest size of the server's own work (median - health median); target < 2x from 100
to 10,000 instances. Exit status 0 whatever the figures are.

Server CPU: each timed phase also reports the server's CPU time per call (from /proc, the health
call interleaved with it included): on a shared machine the wall times follow the load, the CPU
times much less.

Capacity providers (issue 11's paths; `--no-capacity` leaves them out, and a tree without
CreateCapacityProvider skips them): a second cluster `bench-cp` whose only capacity provider
`bench-cp` (managed scaling ENABLED, target 100) scales an Auto Scaling group of c5.xlarge from a
launch template of the same AMI, role and user data naming `bench-cp`. At each size the group's
min, max and desired capacity are set to the size (managed scaling cannot move it then) and the
clock settles, so the agent registers the group's instances in `bench-cp`. Then, first, services
through the provider: `--services` CreateService calls (desiredCount 10, capacityProviderStrategy
bench-cp, the same task definition and subnets), each timed, then one 5 s clock advance that runs
their first scheduler passes (nothing else is due then: the growth's settle ran every earlier
job); reported per service. Second, RunTask count 10 with capacityProviderStrategy bench-cp and
binpack memory fills `bench-cp` towards the same density, timed against health as above (at most
`--cp-calls` calls per size, 100 by default: this path reads every instance of the cluster per
call, and filling 1,000 instances through it takes most of an hour on a loaded 2-core machine).
"""

from __future__ import annotations

import argparse
import base64
import json
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import bench_ecs_instances as instances
from common import HEALTH, Client, Server, cpu_seconds, interleaved_medians, machine, own_work_growth, start, stop

GROWTH_TARGET = 2.0
INSTANCE_TYPES = ("c5.large", "c5.xlarge", "m5.2xlarge")
FAMILY = "bench-web"
TASK_CPU, TASK_MEMORY = 256, 512  # the task definition's container
SECONDARY_BLOCKS = ("10.1.0.0/16", "10.2.0.0/16")  # with 10.0.0.0/16: one /16 subnet per zone
CP = "bench-cp"  # the capacity-provider cluster, its provider, group and launch template
CP_TYPE = "c5.xlarge"


def rss_mib(server: Server) -> float:
    """The server process's resident set size in MiB."""
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000], help="instance counts (default 100 1000)")
    parser.add_argument("--full", action="store_true", help="sizes 100 1000 10000 (~8 min in all)")
    parser.add_argument("--density", type=int, default=10, help="tasks per instance at each size (default 10)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed RunTask calls per size (default 3)")
    parser.add_argument(
        "--state", help="a postgresql:// URL of an empty database instead of a new SQLite file (the default)"
    )
    parser.add_argument("--no-capacity", action="store_true", help="leave out the capacity-provider cluster")
    parser.add_argument("--services", type=int, default=20, help="services created per size (default 20)")
    parser.add_argument(
        "--cp-calls",
        type=int,
        default=100,
        help="at most this many timed RunTask calls through the provider per size (default 100; 0: fill to --density)",
    )
    args = parser.parse_args()
    sizes = sorted([100, 1000, 10000] if args.full else args.sizes)

    # The instance benchmark's world, with this benchmark's mix of types, every role opted in.
    instances.INSTANCE_TYPES = INSTANCE_TYPES
    instances.ROLES = (instances.ROLES[0], instances.ROLES[0])

    print(machine())
    print(f"{'/'.join(INSTANCE_TYPES)} registered by the simulated agent, all opted in to awsvpcTrunking;")
    store = "PostgreSQL" if args.state else "SQLite file"
    print(f"RunTask count 10, awsvpc, binpack memory, {args.density} tasks per instance; {store}, --timing manual\n")
    results: dict[int, dict[str, float]] = {}
    cp_results: dict[int, dict[str, float]] = {}
    service_results: dict[int, tuple[float, float]] = {}
    placed = [0]
    with tempfile.TemporaryDirectory(prefix="trunkline-bench-placement-") as tmp:
        server = start(args.state or str(Path(tmp) / "state.sqlite3"))
        try:
            client = Client(server.url, timeout=3600)
            world = _setup(client)
            client.ecs(
                "RegisterTaskDefinition",
                family=FAMILY,
                networkMode="awsvpc",
                containerDefinitions=[{"name": "app", "image": "nginx", "cpu": TASK_CPU, "memory": TASK_MEMORY}],
            )
            network = {"awsvpcConfiguration": {"subnets": world.subnets}}
            capacity = None if args.no_capacity else _capacity_setup(client, world)
            if capacity is None and not args.no_capacity:
                print("this trunkline has no capacity providers: measuring RunTask without them only\n")

            def run_task() -> None:
                answer = client.ecs(
                    "RunTask",
                    cluster=instances.CLUSTER,
                    taskDefinition=FAMILY,
                    count=10,
                    networkConfiguration=network,
                    placementStrategy=[{"type": "binpack", "field": "memory"}],
                )
                if answer["failures"]:
                    raise SystemExit(f"RunTask failed to place: {answer['failures'][:2]}")
                placed[0] += len(answer["tasks"])

            for size in sizes:
                instances.grow(client, world, size)
                added, launch, settle = world.phases[-1]
                print(
                    f"registered {world.registered} of {world.launched} instances "
                    f"(+{added}: launch {launch:.1f} s, settle {settle:.1f} s)"
                )
                if capacity is not None:
                    _capacity_grow(client, capacity, size)
                    # Now, while nothing else is due: the advance that runs the passes runs only them.
                    service_results[size] = _services(client, server, capacity, args.services, network)
                calls, warmup = _calls(client, instances.CLUSTER, size * args.density - placed[0], args.warmup)
                if not calls:
                    continue
                began, before, cpu_before = time.perf_counter(), placed[0], cpu_seconds(server.process.pid)
                medians = interleaved_medians({HEALTH: client.health, "RunTask": run_task}, calls - warmup, warmup)
                medians["cpu"] = (cpu_seconds(server.process.pid) - cpu_before) / calls
                results[size] = medians
                base, call = medians[HEALTH], medians["RunTask"]
                print(
                    f"  {calls} RunTask calls placed {placed[0] - before} tasks ({placed[0]} in the cluster) in "
                    f"{time.perf_counter() - began:.0f} s\n  health {base * 1000:.3f} ms; RunTask {call * 1000:.3f} ms, "
                    f"minus base {(call - base) * 1000:.3f} ms; server CPU {medians['cpu'] * 1000:.1f} ms per call; "
                    f"server RSS {rss_mib(server):.0f} MiB\n"
                )
                if capacity is not None:
                    measured = _capacity_run_tasks(client, server, capacity, size, args, network)
                    if measured is not None:
                        cp_results[size] = measured
            print(f"server RSS at the end: {rss_mib(server):.0f} MiB, {placed[0]} tasks\n")
        finally:
            stop(server)

    if len(results) < 2:
        print("fewer than two sizes measured: no growth figure")
        return 0
    small, large = min(results), max(results)
    _summary("RunTask", small, large, results, "RunTask")
    if small in cp_results and large in cp_results:
        _summary("RunTask through a capacity provider", small, large, cp_results, "RunTask")
        first, last = service_results[small], service_results[large]
        print(
            f"CreateService through a capacity provider from {small} to {large} instances: "
            f"x{last[0] / first[0]:.2f} (call), x{last[1] / first[1]:.2f} (first scheduler pass)"
        )
    return 0


def _summary(label: str, small: int, large: int, results: dict[int, dict[str, float]], name: str) -> None:
    growth = own_work_growth(results[small], results[large], name)
    cpu = results[large]["cpu"] / results[small]["cpu"]
    verdict = "OK" if growth < GROWTH_TARGET else "OVER"
    print(
        f"{label}: server work from {small} to {large} instances x{growth:.2f} {verdict} (target < 2x); "
        f"server CPU per call x{cpu:.2f}"
    )


def _calls(client: Client, cluster: str, wanted: int, warmup: int) -> tuple[int, int]:
    """RunTask calls of ten (untimed warm-up included) that fill `cluster` by `wanted` tasks (at
    least the warm-up and one timed call), as far as its instances have room: a small size's
    instances may hold fewer than the density asks (c5.large holds seven of these tasks), and a
    size's services may have filled its capacity-provider cluster already. Also the warm-up calls
    among them: fewer when the room is small, so that one call at least is timed. (0, 0) when not
    even one call fits."""
    room = _room(client, cluster)
    calls = min(max(wanted // 10, warmup + 1), room // 10)
    if calls * 10 < wanted:
        print(f"  ({cluster}: room for {room} more tasks, {wanted} wanted: {calls} calls of ten)")
    if not calls:
        print(f"  ({cluster}: no room for a RunTask of ten: not measured at this size)\n")
    return calls, min(warmup, calls // 2)


def _room(client: Client, cluster: str) -> int:
    """How many more of the benchmark's tasks `cluster`'s instances can take: per instance, the
    least of its remaining memory and CPU over the task's, and its free awsvpc task slots."""
    slots = {
        row["containerInstanceArn"]: int(row["awsvpcTasksAvailable"])
        for row in json.loads(client.raw("GET", f"/_trunkline/container-instances/capacity?cluster={cluster}"))[
            "containerInstances"
        ]
    }
    room, arns = 0, sorted(slots)
    for start_at in range(0, len(arns), 100):
        described = client.ecs(
            "DescribeContainerInstances", cluster=cluster, containerInstances=arns[start_at : start_at + 100]
        )
        for instance in described["containerInstances"]:
            if instance["status"] != "ACTIVE" or not instance["agentConnected"]:
                continue
            left = {r["name"]: r.get("integerValue", 0) for r in instance["remainingResources"]}
            fits = min(left.get("CPU", 0) // TASK_CPU, left.get("MEMORY", 0) // TASK_MEMORY)
            room += min(fits, slots[instance["containerInstanceArn"]])
    return room


# --- capacity providers ---------------------------------------------------------------------------


@dataclass
class Capacity:
    subnets: list[str]
    placed: int = 0
    services: int = 0


def _autoscaling(client: Client, action: str, **params: str | int) -> str:
    return client.form("autoscaling", action, "2011-01-01", **params)


def _capacity_setup(client: Client, world: instances.World) -> Capacity | None:
    """The `bench-cp` cluster, its launch template, group and provider (None: no capacity providers here)."""
    client.ecs("CreateCluster", clusterName=CP)
    user_data = base64.b64encode(f"#!/bin/bash\necho ECS_CLUSTER={CP} >> /etc/ecs/ecs.config\n".encode())
    client.ec2(
        "CreateLaunchTemplate",
        LaunchTemplateName=CP,
        **{
            "LaunchTemplateData.ImageId": world.image,
            "LaunchTemplateData.InstanceType": CP_TYPE,
            "LaunchTemplateData.IamInstanceProfile.Name": instances.ROLES[0],
            "LaunchTemplateData.UserData": user_data.decode(),
        },
    )
    try:
        _autoscaling(
            client,
            "CreateAutoScalingGroup",
            AutoScalingGroupName=CP,
            MinSize=0,
            MaxSize=0,
            VPCZoneIdentifier=",".join(world.subnets),
            **{"LaunchTemplate.LaunchTemplateName": CP, "LaunchTemplate.Version": "$Latest"},
        )
        client.ecs(
            "CreateCapacityProvider",
            name=CP,
            autoScalingGroupProvider={
                "autoScalingGroupArn": CP,
                "managedScaling": {"status": "ENABLED", "targetCapacity": 100},
                "managedTerminationProtection": "DISABLED",
            },
        )
    except SystemExit as refused:  # an older tree: no Auto Scaling or no capacity providers
        print(f"  ({str(refused)[:160]})")
        return None
    client.ecs(
        "PutClusterCapacityProviders",
        cluster=CP,
        capacityProviders=[CP],
        defaultCapacityProviderStrategy=[{"capacityProvider": CP, "weight": 1}],
    )
    return Capacity(world.subnets)


def _capacity_grow(client: Client, capacity: Capacity, size: int) -> None:
    began = time.perf_counter()
    _autoscaling(
        client, "UpdateAutoScalingGroup", AutoScalingGroupName=CP, MinSize=size, MaxSize=size, DesiredCapacity=size
    )
    client.settle()
    registered = int(client.ecs("DescribeClusters", clusters=[CP])["clusters"][0]["registeredContainerInstancesCount"])
    print(f"  {CP}: group at {size}, {registered} container instances ({time.perf_counter() - began:.1f} s)")
    if registered != size:
        raise SystemExit(f"{CP} has {registered} container instances, not {size}")


STRATEGY = [{"capacityProvider": CP, "weight": 1}]


def _services(
    client: Client, server: Server, capacity: Capacity, count: int, network: Mapping[str, object]
) -> tuple[float, float]:
    """`count` CreateService calls through the provider, then the clock advance that places them:
    seconds per CreateService (median) and per first scheduler pass (the advance's wall / count)."""
    times = []
    cpu_before = cpu_seconds(server.process.pid)
    for _ in range(count):
        capacity.services += 1
        began = time.perf_counter()
        client.ecs(
            "CreateService",
            cluster=CP,
            serviceName=f"web-{capacity.services}",
            taskDefinition=FAMILY,
            desiredCount=10,
            capacityProviderStrategy=STRATEGY,
            networkConfiguration=network,
        )
        times.append(time.perf_counter() - began)
    create_cpu = (cpu_seconds(server.process.pid) - cpu_before) / count
    cpu_before = cpu_seconds(server.process.pid)
    began = time.perf_counter()
    answer = json.loads(
        client.raw(
            "POST",
            "/_trunkline/clock/advance",
            json.dumps({"seconds": 5}).encode(),
            {"Content-Type": "application/json"},
        )
    )
    per_pass = (time.perf_counter() - began) / count
    pass_cpu = (cpu_seconds(server.process.pid) - cpu_before) / count
    capacity.placed += 10 * count
    times.sort()
    create = times[len(times) // 2]
    print(
        f"  {count} CreateService (10 tasks each, through {CP}): {create * 1000:.1f} ms per call (median, "
        f"server CPU {create_cpu * 1000:.1f} ms); first scheduler passes {per_pass * 1000:.1f} ms per service "
        f"(server CPU {pass_cpu * 1000:.1f} ms; {answer.get('jobsRun')} jobs run)"
    )
    return create, per_pass


def _capacity_run_tasks(
    client: Client,
    server: Server,
    capacity: Capacity,
    size: int,
    args: argparse.Namespace,
    network: Mapping[str, object],
) -> dict[str, float] | None:
    def run_task() -> None:
        answer = client.ecs(
            "RunTask",
            cluster=CP,
            taskDefinition=FAMILY,
            count=10,
            capacityProviderStrategy=STRATEGY,
            networkConfiguration=network,
            placementStrategy=[{"type": "binpack", "field": "memory"}],
        )
        waiting = [t for t in answer["tasks"] if t.get("containerInstanceArn") is None]
        if answer["failures"] or waiting:
            raise SystemExit(f"RunTask through {CP} did not place: {answer['failures'][:2]} {len(waiting)} waiting")
        capacity.placed += len(answer["tasks"])

    calls, warmup = _calls(client, CP, size * args.density - capacity.placed, args.warmup)
    if args.cp_calls:
        calls = min(calls, args.cp_calls + warmup)
    if not calls:
        return None
    began, before, cpu_before = time.perf_counter(), capacity.placed, cpu_seconds(server.process.pid)
    medians = interleaved_medians({HEALTH: client.health, "RunTask": run_task}, calls - warmup, warmup)
    medians["cpu"] = (cpu_seconds(server.process.pid) - cpu_before) / calls
    base, call = medians[HEALTH], medians["RunTask"]
    print(
        f"  {calls} RunTask calls through {CP} placed {capacity.placed - before} tasks ({capacity.placed} in "
        f"{CP}) in {time.perf_counter() - began:.0f} s\n  health {base * 1000:.3f} ms; RunTask {call * 1000:.3f} ms, "
        f"minus base {(call - base) * 1000:.3f} ms; server CPU {medians['cpu'] * 1000:.1f} ms per call; "
        f"server RSS {rss_mib(server):.0f} MiB\n"
    )
    return medians


def _setup(client: Client) -> instances.World:
    """bench_ecs_instances.setup with one role, opted in to awsvpcTrunking."""
    role = instances.ROLES[0]
    client.iam("CreateRole", RoleName=role, AssumeRolePolicyDocument=instances.TRUST)
    client.iam("CreateInstanceProfile", InstanceProfileName=role)
    client.iam("AddRoleToInstanceProfile", InstanceProfileName=role, RoleName=role)
    client.ecs("CreateCluster", clusterName=instances.CLUSTER)
    client.ecs(
        "PutAccountSetting",
        name="awsvpcTrunking",
        value="enabled",
        principalArn=f"arn:aws:iam::123456789012:role/{role}",
    )
    parameter = client.ssm("GetParameter", Name=instances.IMAGE_PARAMETER)
    vpc = instances.tag(client.ec2("CreateVpc", CidrBlock="10.0.0.0/16"), "vpcId")[0]
    for block in SECONDARY_BLOCKS:
        client.ec2("AssociateVpcCidrBlock", VpcId=vpc, CidrBlock=block)
    subnets = [
        instances.tag(
            client.ec2("CreateSubnet", VpcId=vpc, CidrBlock=f"10.{i}.0.0/16", AvailabilityZone=zone), "subnetId"
        )[0]
        for i, zone in enumerate(instances.ZONES)
    ]
    return instances.World(image=parameter["Parameter"]["Value"], subnets=subnets)


if __name__ == "__main__":
    raise SystemExit(main())
