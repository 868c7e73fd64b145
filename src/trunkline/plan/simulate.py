"""`--simulate`: the workload through trunkline's real placement engine, in an in-memory trunkline
on a manual clock, driven with the same calls a user's boto3 tooling would make, answered in process
(`sandbox.py`: no HTTP, uncompressed in-memory store, no event outbox).

For each candidate type and trunking mode: an instance role (opted in to `awsvpcTrunking` when
trunking is on), a cluster, a VPC with one /18 subnet in each of three zones, and in each zone as
many instances of the type as the arithmetic says its share of the tasks needs (from the
ECS-optimized AL2023 AMI of the type's architecture, registered by the simulated agent). Then every
definition's tasks are started by RunTask, 10 a call, as a service spreading over zones and
binpacking memory would place them: an even share per zone, binpack memory within it (`_place`).
Tasks a zone's instances cannot take make the simulation add instances there (as a capacity
provider would) and try again, at most `MAX_ROUNDS` times. The clock is not advanced once tasks
exist (unless instances must be added), so started tasks keep their resources and ENI slots
(PROVISIONING).

The result says how many instances placement used, the most tasks of each definition one instance
took, and each failure reason met, so `differences` can name where it disagrees with the arithmetic.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from trunkline.domain.catalog import InstanceType
from trunkline.domain.ecs import gpus
from trunkline.plan import sandbox as sandboxes
from trunkline.plan.arithmetic import Sizing, pack
from trunkline.plan.workload import Definition

CLUSTER = "plan"
ROLE = "trunkline-plan-instance"
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")
LAUNCH_BATCH = 100
MAX_ROUNDS = 5
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)
STRATEGY = [{"type": "binpack", "field": "memory"}]  # within a zone; the zones get even shares


@dataclass
class Simulation:
    instance_type: str
    trunking: bool
    launched: int = 0
    used: int = 0
    placed: int = 0
    unplaced: int = 0
    most_per_instance: dict[str, int] = field(default_factory=dict)
    failures: Counter[str] = field(default_factory=Counter)
    counts: dict[str, int] = field(default_factory=dict)  # tasks asked per definition

    def as_json(self) -> dict[str, Any]:
        return {
            "instancesLaunched": self.launched,
            "instancesUsed": self.used,
            "tasksPlaced": self.placed,
            "tasksUnplaced": self.unplaced,
            "mostTasksPerInstance": self.most_per_instance,
            "failureReasons": dict(self.failures),
        }


def differences(sizing: Sizing, simulation: Simulation) -> list[str]:
    """Where placement disagreed with the arithmetic, one line each."""
    found: list[str] = []
    if simulation.unplaced:
        found.append(f"{simulation.unplaced} tasks could not be placed after {MAX_ROUNDS} rounds")
    if sizing.instances is not None and simulation.used != sizing.instances:
        why = ""
        if simulation.used < sizing.instances:
            why = " (placement shared the instances among the definitions more tightly)"
        elif simulation.used <= zone_bound(sizing, workload_counts(sizing, simulation)):
            why = f" (the tasks spread evenly over {len(ZONES)} zones)"
        found.append(f"placement used {simulation.used} instances, the arithmetic {sizing.instances}{why}")
    for name, most in simulation.most_per_instance.items():
        expected = sizing.tasks_per_instance.get(name)
        if expected is not None and most > expected:
            found.append(f"placement put {most} tasks of {name} on one instance, the arithmetic allows {expected}")
    return found


def workload_counts(sizing: Sizing, simulation: Simulation) -> dict[str, int]:
    return dict(simulation.counts) or dict.fromkeys(sizing.tasks_per_instance, 0)


def zone_needs(sizing: Sizing, counts: dict[str, int]) -> list[int]:
    """Instances each zone needs when it takes an even share of every definition's tasks: the
    arithmetic's packing, per zone."""
    if not all(sizing.tasks_per_instance.get(name) for name in counts):
        return [0] * len(ZONES)
    shares = {name: even(count, len(ZONES)) for name, count in counts.items()}
    return [
        pack(sizing, [shares.get(d.name, [0] * len(ZONES))[zone] for d in sizing.workload])
        for zone in range(len(ZONES))
    ]


def zone_bound(sizing: Sizing, counts: dict[str, int]) -> int:
    """The instances an even zone split needs in all (at least the arithmetic's count)."""
    return sum(zone_needs(sizing, counts))


class Sandbox:
    """One in-memory trunkline for the whole run, reset between simulations."""

    def __init__(self, box: sandboxes.Sandbox | sandboxes.HttpSandbox) -> None:
        self.box = box
        self.clients = box.clients

    def run(self, entry: InstanceType, trunking: bool, workload: list[Definition], sizing: Sizing) -> Simulation:
        self.box.reset()
        ec2, ecs, iam = self.clients["ec2"], self.clients["ecs"], self.clients["iam"]
        iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=TRUST)
        iam.create_instance_profile(InstanceProfileName=ROLE)
        iam.add_role_to_instance_profile(InstanceProfileName=ROLE, RoleName=ROLE)
        if trunking:
            arn = iam.get_role(RoleName=ROLE)["Role"]["Arn"]
            ecs.put_account_setting(name="awsvpcTrunking", value="enabled", principalArn=arn)
        ecs.create_cluster(clusterName=CLUSTER)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{64 * i}.0/18", AvailabilityZone=zone)["Subnet"]["SubnetId"]
            for i, zone in enumerate(ZONES)
        ]
        image = self._image(entry)
        result = Simulation(entry.name, trunking)
        # Each zone gets what the arithmetic says its share of the tasks needs: launching later, once
        # tasks exist, would make the clock run their lifecycle too (slow, and not what is measured).
        needs = zone_needs(sizing, {d.name: d.count for d in workload})
        self._launch(entry, image, subnets, needs, result)
        for definition in workload:
            ecs.register_task_definition(**definition.source)
        hosts: Counter[tuple[str, str]] = Counter()
        result.counts = {d.name: d.count for d in workload}
        for definition in workload:
            self._place(entry, image, subnets, definition, hosts, result)
        result.used = len({host for host, _ in hosts})
        for definition in workload:
            result.most_per_instance[definition.name] = max(
                (n for (_, name), n in hosts.items() if name == definition.name), default=0
            )
        return result

    def _image(self, entry: InstanceType) -> str:
        arch = "arm64" if "x86_64" not in entry.architectures and "arm64" in entry.architectures else ""
        name = (
            "/aws/service/ecs/optimized-ami/amazon-linux-2023/" + (f"{arch}/" if arch else "") + "recommended/image_id"
        )
        return str(self.clients["ssm"].get_parameter(Name=name)["Parameter"]["Value"])

    def _launch(
        self, entry: InstanceType, image: str, subnets: list[str], counts: list[int], result: Simulation
    ) -> None:
        """`counts[i]` instances in `subnets[i]`, registered once the clock settles."""
        script = f"#!/bin/bash\necho ECS_CLUSTER={CLUSTER} >> /etc/ecs/ecs.config\n"
        if gpus.count(entry.name):  # what the ECS GPU-optimized AMI's configuration holds
            script += "echo ECS_ENABLE_GPU_SUPPORT=true >> /etc/ecs/ecs.config\n"
        for subnet, wanted in zip(subnets, counts, strict=True):
            for start in range(0, wanted, LAUNCH_BATCH):
                batch = min(LAUNCH_BATCH, wanted - start)
                self.clients["ec2"].run_instances(
                    ImageId=image,
                    InstanceType=entry.name,
                    MinCount=batch,
                    MaxCount=batch,
                    SubnetId=subnet,
                    IamInstanceProfile={"Name": ROLE},
                    UserData=script,
                )
        result.launched += sum(counts)
        self.box.settle()

    def _place(
        self,
        entry: InstanceType,
        image: str,
        subnets: list[str],
        definition: Definition,
        hosts: Counter[tuple[str, str]],
        result: Simulation,
    ) -> None:
        """Spread over the zones (an even share each, as spread by zone gives a fresh service), binpack
        memory within each zone. Each zone's share is placed by its own RunTask calls, restricted to
        the zone (the awsvpc subnet, or a memberOf constraint on the zone attribute): a lone binpack
        strategy lets the engine walk its ordered index instead of counting the group's tasks on every
        instance for each call, which would make the simulation quadratic in the tasks."""
        for zone, subnet, share in zip(ZONES, subnets, even(definition.count, len(subnets)), strict=True):
            extra: dict[str, Any] = {"placementStrategy": STRATEGY, "launchType": "EC2"}
            if definition.awsvpc:
                extra["networkConfiguration"] = {"awsvpcConfiguration": {"subnets": [subnet]}}
            else:
                expression = f"attribute:ecs.availability-zone == {zone}"
                extra["placementConstraints"] = [{"type": "memberOf", "expression": expression}]
            remaining = share
            for _ in range(MAX_ROUNDS):
                failed = self._run(definition, remaining, extra, hosts, result)
                if not failed:
                    break
                per = max(max((n for (_, name), n in hosts.items() if name == definition.name), default=1), 1)
                self._launch(entry, image, [subnet], [math.ceil(failed / per)], result)
                remaining = failed
            else:
                result.unplaced += remaining

    def _run(
        self,
        definition: Definition,
        count: int,
        extra: dict[str, Any],
        hosts: Counter[tuple[str, str]],
        result: Simulation,
    ) -> int:
        """RunTask, 10 a call; returns how many tasks were not placed."""
        failed = 0
        while count > 0:
            batch = min(10, count)
            answer = self.clients["ecs"].run_task(cluster=CLUSTER, taskDefinition=definition.name, count=batch, **extra)
            for task in answer["tasks"]:
                hosts[(task["containerInstanceArn"], definition.name)] += 1
            result.placed += len(answer["tasks"])
            for failure in answer["failures"]:
                result.failures[failure["reason"]] += 1
            failed += batch - len(answer["tasks"])
            count -= batch
        return failed


def even(total: int, parts: int) -> list[int]:
    """`total` split into `parts` shares differing by at most one, the larger first."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


@contextmanager
def sandbox(over_http: bool = False) -> Iterator[Sandbox]:
    """An in-memory trunkline on a manual clock, for the run's simulations: called in process, or
    (`over_http`, the benchmark's baseline and the tests' cross-check) served on a local port and
    driven with boto3."""
    box: sandboxes.Sandbox | sandboxes.HttpSandbox = sandboxes.HttpSandbox() if over_http else sandboxes.Sandbox()
    try:
        yield Sandbox(box)
    finally:
        box.close()
