"""Managed scaling benchmark (issue 11, part 6): an ECS capacity provider scales its Auto Scaling
group from 1 instance to what an awsvpc service needs, on a manual clock.

    .venv/bin/python benchmarks/bench_managed_scaling.py                   # 1,000 then 10,000 tasks (100, 1,000 instances)
    .venv/bin/python benchmarks/bench_managed_scaling.py --tasks 1000      # one size only

One `trunkline serve --timing manual` on a new SQLite file per size, driven over one keep-alive
connection (raw query/JSON POSTs, common.py): an instance role opted in to `awsvpcTrunking`, a VPC
with two /17 subnets in two zones, a c5.large launch template of the ECS-optimized AL2023 AMI
naming the cluster, an Auto Scaling group (min 1, max tasks/10, scale-in protection), a capacity
provider (managed scaling ENABLED, target 100, managed termination protection) as the cluster's
default strategy, then a service of `--tasks` awsvpc tasks (128 CPU units, 256 MiB: 10 per trunked
c5.large, bound by ENI slots). The clock then advances a minute at a time until the service runs
every task.

Reported per size: the simulated time from CreateService to runningCount == desiredCount, the
instances in the group, the wall time of the whole run and the number of minutes advanced; the
server's own time for one managed scaling estimate at steady state (GET /_trunkline/capacity-providers
computes the CapacityProviderReservation inputs a round computes: its median less the median of
GET /_trunkline/health, interleaved); and, once the server has stopped, its state file opened in
this process: the CPU time of one whole reconciliation round (the clock job, scheduled now and run
as the server's reconciler runs it: median of `--samples`), and of the estimate counted
(`managed_scaling.reserve`) against computed from every member and instance (`reserve_full`, what
a round did before). Growth = a figure at the largest size / at the smallest; the issue's target is
under 2x from 100 to 1,000 instances. Exit status 0 whatever the figures are.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import HEALTH, Client, interleaved_medians, machine, own_work_growth, start, stop, tag

CLUSTER = "bench"
ROLE = "ecsInstanceRole"
IMAGE_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)
USER_DATA = base64.b64encode(f"#!/bin/bash\necho ECS_CLUSTER={CLUSTER} >> /etc/ecs/ecs.config\n".encode()).decode()
ESTIMATE = "capacity-providers"
GROWTH_TARGET = 2.0


def autoscaling(client: Client, action: str, **params: str | int) -> str:
    return client.form("autoscaling", action, "2011-01-01", **params)


def setup(client: Client, tasks: int) -> list[str]:
    client.iam("CreateRole", RoleName=ROLE, AssumeRolePolicyDocument=TRUST)
    client.iam("CreateInstanceProfile", InstanceProfileName=ROLE)
    client.iam("AddRoleToInstanceProfile", InstanceProfileName=ROLE, RoleName=ROLE)
    client.ecs("CreateCluster", clusterName=CLUSTER)
    client.ecs(
        "PutAccountSetting",
        name="awsvpcTrunking",
        value="enabled",
        principalArn=f"arn:aws:iam::123456789012:role/{ROLE}",
    )
    image = client.ssm("GetParameter", Name=IMAGE_PARAMETER)["Parameter"]["Value"]
    vpc = tag(client.ec2("CreateVpc", CidrBlock="10.0.0.0/16"), "vpcId")[0]
    subnets = [
        tag(client.ec2("CreateSubnet", VpcId=vpc, CidrBlock=f"10.0.{n * 128}.0/17", AvailabilityZone=zone), "subnetId")[
            0
        ]
        for n, zone in enumerate(("us-east-1a", "us-east-1b"))
    ]
    client.ec2(
        "CreateLaunchTemplate",
        LaunchTemplateName="ecs",
        **{
            "LaunchTemplateData.ImageId": image,
            "LaunchTemplateData.InstanceType": "c5.large",
            "LaunchTemplateData.IamInstanceProfile.Name": ROLE,
            "LaunchTemplateData.UserData": USER_DATA,
        },
    )
    autoscaling(
        client,
        "CreateAutoScalingGroup",
        AutoScalingGroupName="asg",
        MinSize=1,
        MaxSize=max(1, tasks // 10),
        VPCZoneIdentifier=",".join(subnets),
        NewInstancesProtectedFromScaleIn="true",
        **{"LaunchTemplate.LaunchTemplateName": "ecs", "LaunchTemplate.Version": "$Latest"},
    )
    client.ecs(
        "CreateCapacityProvider",
        name="cp",
        autoScalingGroupProvider={
            "autoScalingGroupArn": "asg",
            "managedScaling": {"status": "ENABLED", "targetCapacity": 100},
            "managedTerminationProtection": "ENABLED",
        },
    )
    client.ecs(
        "PutClusterCapacityProviders",
        cluster=CLUSTER,
        capacityProviders=["cp"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "cp", "weight": 1}],
    )
    client.ecs(
        "RegisterTaskDefinition",
        family="web",
        networkMode="awsvpc",
        cpu="128",
        memory="256",
        containerDefinitions=[{"name": "app", "image": "nginx", "essential": True}],
    )
    client.settle()
    return subnets


def running(client: Client) -> int:
    return int(client.ecs("DescribeServices", cluster=CLUSTER, services=["web"])["services"][0]["runningCount"])


def cpu_median(work: Callable[[], object], samples: int) -> float:
    """Median CPU seconds of `work` (one untimed call first)."""
    work()
    times = []
    for _ in range(samples):
        began = time.process_time()
        work()
        times.append(time.process_time() - began)
    return statistics.median(times)


def in_process(state: str, samples: int) -> dict[str, float]:
    """The stopped server's state, opened here: one round, and the estimate both ways."""
    from trunkline.context import Principal, RequestContext
    from trunkline.domain.autoscaling.kinds import GROUP
    from trunkline.domain.ecs import capacity_association, managed_scaling
    from trunkline.domain.ecs.kinds import CAPACITY_PROVIDER
    from trunkline.domain.ecs.kinds import CLUSTER as CLUSTER_KIND
    from trunkline.runtime import Config, Runtime

    runtime = Runtime(Config(state=state, timing="manual"))
    try:
        account, region = runtime.config.account_id, runtime.config.region
        payload = {"account": account, "region": region, "provider": "cp"}

        def one_round() -> None:
            runtime.store.run(lambda tx: tx.schedule(runtime.clock.now(), capacity_association.JOB, payload))
            runtime.reconciler.run_due()

        def estimate(full: bool) -> None:
            now = runtime.clock.now()  # read outside the transaction: the manual clock lives in the store

            def work(tx: Any) -> None:
                ctx = RequestContext(tx, Principal.root(account), region, now, runtime.timing)
                record = CAPACITY_PROVIDER.get(ctx, "cp")
                assert record is not None
                cluster, group = CLUSTER_KIND.get(ctx, CLUSTER), GROUP.get(ctx, "asg")
                assert cluster is not None and group is not None
                reserve = managed_scaling.reserve_full if full else managed_scaling.reserve
                reserve(ctx, record, cluster, group)

            runtime.store.read(work)

        return {
            "round": cpu_median(one_round, samples),
            "counted": cpu_median(lambda: estimate(False), samples),
            "full": cpu_median(lambda: estimate(True), samples),
        }
    finally:
        runtime.close()


def run_size(tasks: int, samples: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        server = start(str(Path(tmp) / "state.db"))
        try:
            client = Client(server.url, timeout=1800)
            subnets = setup(client, tasks)
            began = time.perf_counter()
            client.ecs(
                "CreateService",
                cluster=CLUSTER,
                serviceName="web",
                taskDefinition="web",
                desiredCount=tasks,
                networkConfiguration={"awsvpcConfiguration": {"subnets": subnets}},
            )
            minutes = 0
            while running(client) < tasks and minutes < 240:
                client.raw(
                    "POST",
                    "/_trunkline/clock/advance",
                    json.dumps({"seconds": 60}).encode(),
                    {"Content-Type": "application/json"},
                )
                minutes += 1
            wall = time.perf_counter() - began
            estimate = json.loads(client.raw("GET", f"/_trunkline/capacity-providers?cluster={CLUSTER}"))
            (provider,) = estimate["capacityProviders"]
            medians = interleaved_medians(
                {
                    HEALTH: client.health,
                    ESTIMATE: lambda: client.raw("GET", f"/_trunkline/capacity-providers?cluster={CLUSTER}"),
                },
                samples,
                warmup=3,
            )
            print(
                f"{tasks:>6} tasks: {running(client)} running on {provider['instancesInGroup']} instances "
                f"(CPR {provider['capacityProviderReservation']:.0f}) after {minutes} simulated minutes; "
                f"wall {wall:.1f} s; estimate {1000 * (medians[ESTIMATE] - medians[HEALTH]):.1f} ms "
                f"(health {1000 * medians[HEALTH]:.2f} ms)",
                flush=True,
            )
        finally:
            stop(server)
        own = in_process(str(Path(tmp) / "state.db"), samples)
        print(
            f"{'':>6}        one round {1000 * own['round']:.2f} ms CPU; estimate counted "
            f"{1000 * own['counted']:.2f} ms, from every member and instance {1000 * own['full']:.2f} ms",
            flush=True,
        )
        return {**medians, **own}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--tasks", type=int, nargs="+", default=[1000, 10000], help="service sizes (default 1000 10000)"
    )
    parser.add_argument("--samples", type=int, default=30, help="timed estimates per size (default 30)")
    args = parser.parse_args()
    print(machine(), flush=True)
    results = [run_size(n, args.samples) for n in args.tasks]
    if len(results) > 1:
        growths = {
            "estimate over HTTP": own_work_growth(results[0], results[-1], ESTIMATE),
            "one round": results[-1]["round"] / results[0]["round"],
            "estimate counted": results[-1]["counted"] / results[0]["counted"],
            "estimate from every instance": results[-1]["full"] / results[0]["full"],
        }
        for name, growth in growths.items():
            verdict = "met" if growth < GROWTH_TARGET else "NOT met"
            print(
                f"{name} growth {args.tasks[0]} -> {args.tasks[-1]} tasks: {growth:.2f}x "
                f"(target < {GROWTH_TARGET}x: {verdict})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
