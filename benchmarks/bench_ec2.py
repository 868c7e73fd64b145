"""EC2 benchmark: do ENI and instance lookups stay flat as the world grows? (indexes, not scans)

    /work/venv/bin/python benchmarks/bench_ec2.py                      # 200 then 2,000 instances
    /work/venv/bin/python benchmarks/bench_ec2.py --small 100 --large 1000 --samples 300

One `trunkline serve --timing manual` on a new SQLite file, driven over one keep-alive HTTP
connection with EC2 query-protocol form POSTs (no boto3: its own cost would blur the figures).

The world: one VPC, one /18 subnet; instances are c5.4xlarge (8 ENIs each) launched 100 per
RunInstances, and every instance gets 4 more ENIs (CreateNetworkInterface + AttachNetworkInterface),
so 2,000 instances hold 10,000 ENIs. The clock is settled after each build phase.

At the small and at the large size, interleaved round by round, the median round trip of:
- GET /_trunkline/health (the baseline: HTTP + ASGI + client, no store work);
- DescribeNetworkInterfaces filtered by attachment.instance-id (a random instance);
- DescribeInstances by InstanceIds (a random instance).
Each AWS call is reported as its median, its median minus the baseline (the server's own work) and
its ratio to the baseline; then growth = large / small of the server's own work. Target: growth
≤ 2× for both calls at 10× the instances. Exit status 0 whatever the figures are.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from common import HEALTH, Client, interleaved_medians, machine, own_work_growth, start, stop, tag

INSTANCE_TYPE = "c5.4xlarge"
EXTRA_ENIS = 4  # per instance, besides the primary: 2,000 instances -> 10,000 ENIs
GROWTH_TARGET = 2.0
BATCH = 100  # instances per RunInstances
IMAGE_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"


# --- building the world ---------------------------------------------------------------------------


@dataclass
class World:
    subnet: str
    image: str
    instances: list[str]
    enis: int = 0


def setup(client: Client) -> World:
    image = client.ssm("GetParameter", Name=IMAGE_PARAMETER)["Parameter"]["Value"]
    vpc = tag(client.ec2("CreateVpc", CidrBlock="10.0.0.0/16"), "vpcId")[0]
    subnet = tag(client.ec2("CreateSubnet", VpcId=vpc, CidrBlock="10.0.0.0/18"), "subnetId")[0]
    return World(subnet=subnet, image=image, instances=[])


def grow(client: Client, world: World, target: int) -> float:
    """Launch instances (and their extra ENIs) until there are `target`; returns seconds spent."""
    began = time.perf_counter()
    while len(world.instances) < target:
        count = min(BATCH, target - len(world.instances))
        xml = client.ec2(
            "RunInstances",
            ImageId=world.image,
            InstanceType=INSTANCE_TYPE,
            MinCount=count,
            MaxCount=count,
            SubnetId=world.subnet,
        )
        launched = list(dict.fromkeys(i for i in tag(xml, "instanceId")))
        world.enis += len(launched)
        for instance in launched:
            for device in range(1, EXTRA_ENIS + 1):
                eni = tag(client.ec2("CreateNetworkInterface", SubnetId=world.subnet), "networkInterfaceId")[0]
                client.ec2("AttachNetworkInterface", NetworkInterfaceId=eni, InstanceId=instance, DeviceIndex=device)
                world.enis += 1
        world.instances.extend(launched)
    client.settle()
    return time.perf_counter() - began


# --- measuring ------------------------------------------------------------------------------------


def measure(client: Client, world: World, samples: int, warmup: int, rng: random.Random) -> dict[str, float]:
    """Median seconds per call, the three calls interleaved with a rotating order."""

    def enis_of_instance() -> None:
        instance = rng.choice(world.instances)
        xml = client.ec2(
            "DescribeNetworkInterfaces", **{"Filter.1.Name": "attachment.instance-id", "Filter.1.Value.1": instance}
        )
        assert xml.count("<networkInterfaceId>") == EXTRA_ENIS + 1, xml[:300]

    def instance_by_id() -> None:
        instance = rng.choice(world.instances)
        xml = client.ec2("DescribeInstances", **{"InstanceId.1": instance})
        assert f"<instanceId>{instance}</instanceId>" in xml

    calls = {HEALTH: client.health, "DescribeNetworkInterfaces(attachment.instance-id)": enis_of_instance}
    calls["DescribeInstances(InstanceIds)"] = instance_by_id
    return interleaved_medians(calls, samples, warmup)


def report(label: str, medians: dict[str, float]) -> None:
    base = medians[HEALTH]
    print(f"  {label}")
    print(f"    {'call':<52}{'median ms':>10}{'minus base':>12}{'x base':>8}")
    for name, value in medians.items():
        print(f"    {name:<52}{value * 1000:>10.3f}{(value - base) * 1000:>12.3f}{value / base:>8.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=200, help="instances at the first measurement (default 200)")
    parser.add_argument("--large", type=int, default=2000, help="instances at the second measurement (default 2000)")
    parser.add_argument("--samples", type=int, default=500, help="timed rounds per measurement (default 500)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed rounds first (default 50)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    print(machine())
    print(f"{INSTANCE_TYPE}, 1 primary + {EXTRA_ENIS} attached ENIs per instance, SQLite file, --timing manual\n")
    results = {}
    with tempfile.TemporaryDirectory(prefix="trunkline-bench-ec2-") as tmp:
        server = start(str(Path(tmp) / "state.sqlite3"))
        try:
            client = Client(server.url)
            world = setup(client)
            for size in (args.small, args.large):
                seconds = grow(client, world, size)
                print(
                    f"built {len(world.instances)} instances / {world.enis} ENIs (+{seconds:.1f} s, the clock settled)"
                )
                results[size] = measure(client, world, args.samples, args.warmup, rng)
                report(f"at {size} instances ({args.samples} samples each)", results[size])
                print()
        finally:
            stop(server)

    small, large = results[args.small], results[args.large]
    print(f"growth from {args.small} to {args.large} instances (server work = median - health median)")
    met = True
    for name in small:
        if name == HEALTH:
            continue
        growth = own_work_growth(small, large, name)
        ratio_growth = (large[name] / large[HEALTH]) / (small[name] / small[HEALTH])
        ok = growth <= GROWTH_TARGET
        met = met and ok
        print(
            f"  {name:<52} server work x{growth:.2f}, ratio-to-health x{ratio_growth:.2f}  "
            f"{'OK' if ok else 'OVER'} (target <= {GROWTH_TARGET:.0f}x)"
        )
    print("\nall targets met" if met else "\nsome targets missed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
