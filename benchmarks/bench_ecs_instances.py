"""ECS container-instance benchmark: do ListContainerInstances (with a cluster query filter) and
ListAttributes (by name) stay flat as a cluster grows from 500 to 5,000 instances?

    /work/venv/bin/python benchmarks/bench_ecs_instances.py                   # 500 then 5,000 instances
    /work/venv/bin/python benchmarks/bench_ecs_instances.py --small 200 --large 2000 --samples 100

One `trunkline serve --timing manual` on a new SQLite file, driven over one keep-alive HTTP
connection with raw EC2/IAM form POSTs and ECS/SSM JSON POSTs (no boto3: its own cost would blur
the figures).

Every container instance is registered by trunkline's simulated ECS agent, as on AWS: EC2
RunInstances of the ECS-optimized Amazon Linux 2023 AMI (50 per call; c5.large, m5.large and
c5.xlarge in turn, over three subnets in three zones) with an instance profile and user data
writing `ECS_CLUSTER=bench` to /etc/ecs/ecs.config, then POST /_trunkline/clock/settle, which boots
the instances, lets each agent call RegisterContainerInstance and provisions the trunks. Half the
launches use an instance role opted in to `awsvpcTrunking`, so half the instances get a trunk
(and the `ecs.awsvpc-trunk-id` attribute). Registrations per second = instances registered /
(launch + settle) seconds.

At each size, interleaved round by round, the median round trip of:
- GET /_trunkline/health (the baseline: HTTP + ASGI + client, no store work);
- ListContainerInstances, no filter;
- ListContainerInstances, filter `attribute:ecs.availability-zone == us-east-1b` (an index lookup);
- ListContainerInstances, filter `agentConnected == true and attribute:ecs.instance-type =~ c5.*`
  (no equality the indexes can use: a walk of the cluster's status index, one page's worth);
- ListAttributes, attributeName `ecs.awsvpc-trunk-id` (S16);
- ListAttributes, attributeName `ecs.instance-type`, attributeValue `c5.large`.
Each sample asks for a random full page (maxResults 100) of its listing: the tokens of every page
are collected first, so deep pages cost what first pages cost or the figures show it. Reported: the
median, the median minus the baseline (the server's own work), and growth = large / small of the
server's own work. Target: growth < 2x for every paginated call at 10x the instances. Exit status
0 whatever the figures are.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import HEALTH, Client, interleaved_medians, machine, own_work_growth, start, stop, tag

CLUSTER = "bench"
BATCH = 50  # instances per RunInstances
PAGE = 100
GROWTH_TARGET = 2.0
INSTANCE_TYPES = ("c5.large", "m5.large", "c5.xlarge")
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")
IMAGE_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
ROLES = ("ecsTrunkedInstanceRole", "ecsPlainInstanceRole")  # the first opted in to awsvpcTrunking
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)
USER_DATA = base64.b64encode(f"#!/bin/bash\necho ECS_CLUSTER={CLUSTER} >> /etc/ecs/ecs.config\n".encode()).decode()


# --- building the cluster ----------------------------------------------------------------------------


@dataclass
class World:
    image: str
    subnets: list[str]
    launched: int = 0
    registered: int = 0
    seconds: float = 0.0
    phases: list[tuple[int, float, float]] = field(default_factory=list)  # (registered, launch s, settle s)


def setup(client: Client) -> World:
    for role in ROLES:
        client.iam("CreateRole", RoleName=role, AssumeRolePolicyDocument=TRUST)
        client.iam("CreateInstanceProfile", InstanceProfileName=role)
        client.iam("AddRoleToInstanceProfile", InstanceProfileName=role, RoleName=role)
    client.ecs("CreateCluster", clusterName=CLUSTER)
    client.ecs(
        "PutAccountSetting",
        name="awsvpcTrunking",
        value="enabled",
        principalArn=f"arn:aws:iam::123456789012:role/{ROLES[0]}",
    )
    parameter = client.ssm("GetParameter", Name=IMAGE_PARAMETER)
    vpc = tag(client.ec2("CreateVpc", CidrBlock="10.0.0.0/16"), "vpcId")[0]
    subnets = [
        tag(client.ec2("CreateSubnet", VpcId=vpc, CidrBlock=f"10.0.{i * 64}.0/18", AvailabilityZone=zone), "subnetId")[
            0
        ]
        for i, zone in enumerate(ZONES)
    ]
    return World(image=parameter["Parameter"]["Value"], subnets=subnets)


def registered_count(client: Client) -> int:
    cluster = client.ecs("DescribeClusters", clusters=[CLUSTER])["clusters"][0]
    return int(cluster["registeredContainerInstancesCount"])


def grow(client: Client, world: World, target: int) -> None:
    """Launch instances until there are `target`, then let their agents register them."""
    began = time.perf_counter()
    batch = 0
    while world.launched < target:
        count = min(BATCH, target - world.launched)
        batch = world.launched // BATCH
        client.ec2(
            "RunInstances",
            ImageId=world.image,
            InstanceType=INSTANCE_TYPES[batch % len(INSTANCE_TYPES)],
            MinCount=count,
            MaxCount=count,
            SubnetId=world.subnets[(batch // len(INSTANCE_TYPES)) % len(world.subnets)],
            UserData=USER_DATA,
            **{"IamInstanceProfile.Name": ROLES[batch % len(ROLES)]},
        )
        world.launched += count
    launched_at = time.perf_counter()
    client.settle()
    settled_at = time.perf_counter()
    before = world.registered
    world.registered = registered_count(client)
    world.seconds += settled_at - began
    world.phases.append((world.registered - before, launched_at - began, settled_at - launched_at))


# --- measuring ----------------------------------------------------------------------------------------


@dataclass
class Listing:
    name: str
    operation: str
    params: dict[str, Any]
    result_key: str
    tokens: list[str | None] = field(default_factory=list)  # one per full page
    total: int = 0


LISTINGS = [
    Listing("ListContainerInstances (no filter)", "ListContainerInstances", {}, "containerInstanceArns"),
    Listing(
        "ListContainerInstances (az == us-east-1b)",
        "ListContainerInstances",
        {"filter": "attribute:ecs.availability-zone == us-east-1b"},
        "containerInstanceArns",
    ),
    Listing(
        "ListContainerInstances (agentConnected, type =~ c5.*)",
        "ListContainerInstances",
        {"filter": "agentConnected == true and attribute:ecs.instance-type =~ c5.*"},
        "containerInstanceArns",
    ),
    Listing(
        "ListAttributes (ecs.awsvpc-trunk-id)",
        "ListAttributes",
        {"targetType": "container-instance", "attributeName": "ecs.awsvpc-trunk-id"},
        "attributes",
    ),
    Listing(
        "ListAttributes (ecs.instance-type = c5.large)",
        "ListAttributes",
        {"targetType": "container-instance", "attributeName": "ecs.instance-type", "attributeValue": "c5.large"},
        "attributes",
    ),
]


def page(client: Client, listing: Listing, token: str | None) -> dict[str, Any]:
    params = {"cluster": CLUSTER, "maxResults": PAGE, **listing.params}
    if token is not None:
        params["nextToken"] = token
    return client.ecs(listing.operation, **params)


def collect_pages(client: Client, listing: Listing) -> None:
    """Walk the listing once: the token of every full page, and how many items it holds in all."""
    listing.tokens, listing.total = [], 0
    token: str | None = None
    seen: set[str] = set()
    while True:
        answer = page(client, listing, token)
        items = answer[listing.result_key]
        keys = [json.dumps(i, sort_keys=True) for i in items]
        if seen.intersection(keys):
            raise SystemExit(f"{listing.name}: an item came back twice")
        seen.update(keys)
        listing.total += len(items)
        if len(items) == PAGE:
            listing.tokens.append(token)
        token = answer.get("nextToken")
        if token is None:
            return


def measure(client: Client, samples: int, warmup: int, rng: random.Random) -> dict[str, float]:
    """Median seconds per call, all calls interleaved with a rotating order."""
    calls: dict[str, Callable[[], None]] = {HEALTH: client.health}
    for listing in LISTINGS:
        collect_pages(client, listing)
        if not listing.tokens:
            raise SystemExit(f"{listing.name}: no full page to measure ({listing.total} items)")

        def one(listing: Listing = listing) -> None:
            answer = page(client, listing, rng.choice(listing.tokens))
            assert len(answer[listing.result_key]) == PAGE

        calls[listing.name] = one
    return interleaved_medians(calls, samples, warmup)


def report(label: str, medians: dict[str, float]) -> None:
    base = medians[HEALTH]
    print(f"  {label}")
    print(f"    {'call':<56}{'items':>7}{'pages':>7}{'median ms':>11}{'minus base':>12}{'x base':>8}")
    totals = {listing.name: (listing.total, len(listing.tokens)) for listing in LISTINGS}
    for name, value in medians.items():
        items, pages = totals.get(name, ("", ""))
        print(
            f"    {name:<56}{items!s:>7}{pages!s:>7}{value * 1000:>11.3f}{(value - base) * 1000:>12.3f}"
            f"{value / base:>8.2f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=500, help="instances at the first measurement (default 500)")
    parser.add_argument("--large", type=int, default=5000, help="instances at the second measurement (default 5000)")
    parser.add_argument("--samples", type=int, default=200, help="timed rounds per measurement (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed rounds first (default 20)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    print(machine())
    print(f"{'/'.join(INSTANCE_TYPES)} from the ECS-optimized AL2023 AMI, registered by the simulated agent;")
    print(f"half through a role opted in to awsvpcTrunking; SQLite file, --timing manual; pages of {PAGE}\n")
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="trunkline-bench-ecs-") as tmp:
        server = start(str(Path(tmp) / "state.sqlite3"))
        try:
            client = Client(server.url, timeout=3600)  # settling thousands of registrations takes a while
            world = setup(client)
            for size in (args.small, args.large):
                grow(client, world, size)
                added, launch, settle = world.phases[-1]
                print(
                    f"registered {world.registered} of {world.launched} instances "
                    f"(+{added}: launch {launch:.1f} s, settle {settle:.1f} s, "
                    f"{added / (launch + settle):.1f} registrations/s)"
                )
                results[size] = measure(client, args.samples, args.warmup, rng)
                report(f"at {world.registered} instances ({args.samples} samples each)", results[size])
                print()
            print(f"registrations per second overall: {world.registered / world.seconds:.1f}\n")
        finally:
            stop(server)

    small, large = results[args.small], results[args.large]
    print(f"growth from {args.small} to {args.large} instances (server work = median - health median)")
    met = True
    for name in small:
        if name == HEALTH:
            continue
        growth = own_work_growth(small, large, name)
        ok = growth < GROWTH_TARGET
        met = met and ok
        print(f"  {name:<56} server work x{growth:.2f}  {'OK' if ok else 'OVER'} (target < {GROWTH_TARGET:.0f}x)")
    print("\nall targets met" if met else "\nsome targets missed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
