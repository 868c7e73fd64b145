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
memory (VmRSS from /proc). Growth = largest / smallest size of the server's own work (median -
health median); target < 2x from 100 to 10,000 instances. Exit status 0 whatever the figures are.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import bench_ecs_instances as instances
from common import HEALTH, Client, Server, interleaved_medians, machine, own_work_growth, start, stop

GROWTH_TARGET = 2.0
INSTANCE_TYPES = ("c5.large", "c5.xlarge", "m5.2xlarge")
FAMILY = "bench-web"
SECONDARY_BLOCKS = ("10.1.0.0/16", "10.2.0.0/16")  # with 10.0.0.0/16: one /16 subnet per zone


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
                containerDefinitions=[{"name": "app", "image": "nginx", "cpu": 256, "memory": 512}],
            )
            network = {"awsvpcConfiguration": {"subnets": world.subnets}}

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
                calls = max((size * args.density - placed[0]) // 10, args.warmup + 1)
                began, before = time.perf_counter(), placed[0]
                medians = interleaved_medians(
                    {HEALTH: client.health, "RunTask": run_task}, calls - args.warmup, args.warmup
                )
                results[size] = medians
                base, call = medians[HEALTH], medians["RunTask"]
                print(
                    f"  {calls} RunTask calls placed {placed[0] - before} tasks ({placed[0]} in the cluster) in "
                    f"{time.perf_counter() - began:.0f} s\n  health {base * 1000:.3f} ms; RunTask {call * 1000:.3f} ms, "
                    f"minus base {(call - base) * 1000:.3f} ms; server RSS {rss_mib(server):.0f} MiB\n"
                )
            print(f"server RSS at the end: {rss_mib(server):.0f} MiB, {placed[0]} tasks\n")
        finally:
            stop(server)

    small, large = sizes[0], sizes[-1]
    growth = own_work_growth(results[small], results[large], "RunTask")
    verdict = "OK" if growth < GROWTH_TARGET else "OVER"
    print(f"RunTask server work from {small} to {large} instances: x{growth:.2f} {verdict} (target < 2x)")
    return 0


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
