"""Ledger invariants under random operation sequences (hypothesis stateful testing over boto3).

Whatever mix of CreateNetworkInterface, Attach/Detach/DeleteNetworkInterface, RunInstances,
TerminateInstances and clock steps is thrown at the server:

- no two live ENIs share a private IP or a MAC;
- no instance holds more ENIs than its type allows;
- every subnet's AvailableIpAddressCount equals the addresses really free (size − 5 − live ENIs);
- nothing answers with a 5xx.

The server runs on a manual clock, so nothing changes between the reads of one invariant check.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from conftest import CREDENTIALS

AL2023 = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
LIMITS = {"c5.large": 3, "t3.micro": 2, "m5.xlarge": 4}
SUBNETS = ("10.0.1.0/28", "10.0.2.0/27")  # small, so exhaustion is part of the game

#: Refusals a random sequence may legitimately meet; anything else is a bug.
EXPECTED = {
    "AttachmentLimitExceeded",
    "IncorrectInstanceState",
    "InsufficientFreeAddressesInSubnet",
    "InvalidAttachmentID.NotFound",
    "InvalidInstanceID.NotFound",
    "InvalidNetworkInterface.InUse",
    "InvalidNetworkInterfaceID.NotFound",
    "InvalidParameterValue",  # a device index already taken
    "OperationNotPermitted",  # detaching a primary ENI
}


def _client(url: str, service: str) -> Any:
    config = BotoConfig(retries={"max_attempts": 1})
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", config=config, **CREDENTIALS)


def make_machine(server: Any) -> type[RuleBasedStateMachine]:
    ec2 = _client(server.url, "ec2")
    image = _client(server.url, "ssm").get_parameter(Name=AL2023)["Parameter"]["Value"]

    class Ledger(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            server.post("/_trunkline/reset").raise_for_status()
            vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
            self.subnets = {
                ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]: cidr
                for cidr in SUBNETS
            }
            self.enis: list[str] = []
            self.instances: list[str] = []

        def attempt(self, call: Any, **kwargs: Any) -> dict[str, Any] | None:
            try:
                answer: dict[str, Any] = call(**kwargs)
                return answer
            except ClientError as error:
                status = error.response["ResponseMetadata"]["HTTPStatusCode"]
                code = error.response["Error"]["Code"]
                assert status < 500, error
                assert code in EXPECTED, error
                return None

        def pick(self, items: list[str], index: int) -> str | None:
            return items[index % len(items)] if items else None

        @rule(subnet=st.sampled_from(range(len(SUBNETS))))
        def create_eni(self, subnet: int) -> None:
            answer = self.attempt(ec2.create_network_interface, SubnetId=list(self.subnets)[subnet])
            if answer:
                self.enis.append(answer["NetworkInterface"]["NetworkInterfaceId"])

        @rule(
            subnet=st.sampled_from(range(len(SUBNETS))), kind=st.sampled_from(sorted(LIMITS)), count=st.integers(1, 3)
        )
        def run_instances(self, subnet: int, kind: str, count: int) -> None:
            answer = self.attempt(
                ec2.run_instances,
                ImageId=image,
                InstanceType=kind,
                MinCount=1,
                MaxCount=count,
                SubnetId=list(self.subnets)[subnet],
            )
            if answer:
                self.instances.extend(i["InstanceId"] for i in answer["Instances"])

        @rule(eni=st.integers(0, 50), instance=st.integers(0, 50), device=st.integers(1, 4))
        def attach(self, eni: int, instance: int, device: int) -> None:
            eni_id, instance_id = self.pick(self.enis, eni), self.pick(self.instances, instance)
            if eni_id and instance_id:
                self.attempt(
                    ec2.attach_network_interface, NetworkInterfaceId=eni_id, InstanceId=instance_id, DeviceIndex=device
                )

        @rule(instance=st.integers(0, 50), subnet=st.sampled_from(range(len(SUBNETS))))
        def fill(self, instance: int, subnet: int) -> None:
            """Push one instance towards (and past) its ENI limit: new ENIs at every free device index."""
            instance_id = self.pick(self.instances, instance)
            if instance_id is None:
                return
            for device in range(1, 6):
                self.create_eni(subnet)
                self.attempt(
                    ec2.attach_network_interface,
                    NetworkInterfaceId=self.enis[-1],
                    InstanceId=instance_id,
                    DeviceIndex=device,
                )

        @rule(eni=st.integers(0, 50))
        def detach(self, eni: int) -> None:
            eni_id = self.pick(self.enis, eni)
            if eni_id is None:
                return
            found = self.attempt(ec2.describe_network_interfaces, NetworkInterfaceIds=[eni_id])
            attachment = found["NetworkInterfaces"][0].get("Attachment") if found else None
            if attachment:
                self.attempt(ec2.detach_network_interface, AttachmentId=attachment["AttachmentId"])

        @rule(eni=st.integers(0, 50))
        def delete(self, eni: int) -> None:
            eni_id = self.pick(self.enis, eni)
            if eni_id and self.attempt(ec2.delete_network_interface, NetworkInterfaceId=eni_id) is not None:
                self.enis.remove(eni_id)

        @rule(instance=st.integers(0, 50))
        def terminate(self, instance: int) -> None:
            instance_id = self.pick(self.instances, instance)
            if instance_id:
                self.attempt(ec2.terminate_instances, InstanceIds=[instance_id])

        @rule(seconds=st.sampled_from([1, 2, 15, 30, 120]))
        def advance(self, seconds: int) -> None:
            server.post("/_trunkline/clock/advance", json={"seconds": seconds}).raise_for_status()

        @invariant()
        def ledger_is_consistent(self) -> None:
            live = []
            for page in ec2.get_paginator("describe_network_interfaces").paginate():
                live.extend(page["NetworkInterfaces"])
            addresses = Counter(e["PrivateIpAddress"] for e in live)
            macs = Counter(e["MacAddress"] for e in live)
            assert max(addresses.values(), default=1) == 1, addresses
            assert max(macs.values(), default=1) == 1, macs
            per_instance = Counter(e["Attachment"]["InstanceId"] for e in live if e.get("Attachment"))
            if per_instance:
                found = ec2.describe_instances(InstanceIds=sorted(per_instance))
                types = {i["InstanceId"]: i["InstanceType"] for r in found["Reservations"] for i in r["Instances"]}
                for instance_id, count in per_instance.items():
                    assert count <= LIMITS[types[instance_id]], (instance_id, count)
            for subnet_id, cidr in self.subnets.items():
                size = ipaddress.IPv4Network(cidr).num_addresses
                used = sum(1 for e in live if e["SubnetId"] == subnet_id)
                free = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailableIpAddressCount"]
                assert free == size - 5 - used, (subnet_id, free, used)

    return Ledger


def test_ledger_invariants_hold_under_random_operations(spawn):
    server = spawn("--timing", "manual")
    machine = make_machine(server)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=12,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
