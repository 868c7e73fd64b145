"""EC2 quotas (issue 13): running On-Demand vCPUs per instance bucket (VcpuLimitExceeded, AWS's
text) and network interfaces per Region, configurable per server; RunInstances launches as many
as MaxCount asks and the quotas allow, never fewer than MinCount."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import Server, fresh_state, postgres_url, release_state, start_process, stop_process
from trunkline.domain.ec2 import quota_indexes
from trunkline.plan.sandbox import Client
from trunkline.runtime import Config, Runtime
from trunkline.store.sql import SqlTransaction

VCPU_TEXT = (
    "You have requested more vCPU capacity than your current vCPU limit of 8 allows for the instance bucket that "
    "the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request "
    "an adjustment to this limit."
)


def _network(ec2: Any) -> tuple[str, str]:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/20")["Subnet"]["SubnetId"]
    image = ec2.describe_images(Owners=["amazon"], MaxResults=5)["Images"][0]["ImageId"]
    return subnet, image


def _running(ec2: Any) -> int:
    pages = ec2.get_paginator("describe_instances").paginate(
        Filters=[{"Name": "instance-state-name", "Values": ["pending", "running"]}]
    )
    return sum(len(r["Instances"]) for page in pages for r in page["Reservations"])


def test_vcpu_quota_clips_max_count_and_refuses_min_count(spawn: Callable[..., Server]) -> None:
    server = spawn("--vcpu-quota", "8", "--eni-quota", "100")
    ec2 = server.client("ec2")
    subnet, image = _network(ec2)
    launch = {"ImageId": image, "InstanceType": "c5.large", "SubnetId": subnet}  # 2 vCPUs each

    with pytest.raises(ClientError) as caught:
        ec2.run_instances(MinCount=5, MaxCount=5, **launch)
    assert caught.value.response["Error"] == {"Code": "VcpuLimitExceeded", "Message": VCPU_TEXT}
    assert _running(ec2) == 0  # refused: nothing launched

    launched = ec2.run_instances(MinCount=1, MaxCount=100_000, **launch)["Instances"]
    assert len(launched) == 4
    with pytest.raises(ClientError) as caught:
        ec2.run_instances(MinCount=1, MaxCount=1, **launch)
    assert caught.value.response["Error"]["Code"] == "VcpuLimitExceeded"
    # Another bucket has its own quota: a g4dn.xlarge (4 vCPUs) is in G and VT.
    ec2.run_instances(MinCount=1, MaxCount=1, **{**launch, "InstanceType": "g4dn.xlarge"})

    ec2.terminate_instances(InstanceIds=[launched[0]["InstanceId"]])
    again = ec2.run_instances(MinCount=1, MaxCount=1, **launch)["Instances"]
    assert len(again) == 1  # a terminating instance no longer counts


def test_the_vcpu_quota_sums_every_size_in_its_bucket(spawn: Callable[..., Server]) -> None:
    server = spawn("--vcpu-quota", "16", "--eni-quota", "100")
    ec2 = server.client("ec2")
    subnet, image = _network(ec2)
    launch = {"ImageId": image, "SubnetId": subnet, "MinCount": 1}
    ec2.run_instances(InstanceType="c5.2xlarge", MaxCount=1, **launch)  # 8 vCPUs
    ec2.run_instances(InstanceType="m5.xlarge", MaxCount=1, **launch)  # 4, the same bucket (Standard)
    ec2.run_instances(InstanceType="g4dn.2xlarge", MaxCount=1, **launch)  # 8, another bucket (G and VT)
    assert len(ec2.run_instances(InstanceType="c5.large", MaxCount=100, **launch)["Instances"]) == 2
    with pytest.raises(ClientError) as caught:
        ec2.run_instances(InstanceType="t3.large", MaxCount=1, **launch)
    assert caught.value.response["Error"]["Code"] == "VcpuLimitExceeded"
    assert "vCPU limit of 16 allows" in caught.value.response["Error"]["Message"]


def test_a_launch_asks_the_vcpu_count_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted as the store sends statements: one question of the index for the bucket's vCPUs,
    not one per vCPU size (over a hundred before session 6)."""
    runtime = Runtime(Config(state=":memory:", timing="manual"))
    try:
        ec2 = Client(runtime, "ec2")
        subnet, image = _network(ec2)
        ec2.run_instances(ImageId=image, InstanceType="c5.large", SubnetId=subnet, MinCount=3, MaxCount=3)
        asked: list[tuple[str, Any]] = []
        send = SqlTransaction._q

        def q(self: SqlTransaction, sql: str, params: Any = ()) -> Any:
            asked.append((sql, params))
            return send(self, sql, params)

        monkeypatch.setattr(SqlTransaction, "_q", q)
        ec2.run_instances(ImageId=image, InstanceType="c5.large", SubnetId=subnet, MinCount=10, MaxCount=10)
        counting = [params for sql, params in asked if "COUNT(*)" in sql and quota_indexes.VCPU_FIELD in params]
        assert len(counting) == 1, counting
    finally:
        runtime.close()


@pytest.mark.skipif(postgres_url() is None, reason="needs TRUNKLINE_TEST_POSTGRES")
def test_launches_of_another_process_on_the_same_store_count(tmp_path: Any) -> None:
    state = fresh_state(tmp_path)
    first = start_process(state, "--vcpu-quota", "8")
    second = start_process(state, "--vcpu-quota", "8")
    try:
        one, other = first.client("ec2"), second.client("ec2")
        subnet, image = _network(one)
        launch = {"ImageId": image, "InstanceType": "c5.large", "SubnetId": subnet}
        assert len(other.run_instances(MinCount=1, MaxCount=1, **launch)["Instances"]) == 1  # read by `other`
        assert len(one.run_instances(MinCount=1, MaxCount=10, **launch)["Instances"]) == 3
        with pytest.raises(ClientError) as caught:
            other.run_instances(MinCount=1, MaxCount=1, **launch)
        assert caught.value.response["Error"] == {"Code": "VcpuLimitExceeded", "Message": VCPU_TEXT}
    finally:
        stop_process(first)
        stop_process(second)
        release_state(state)


def test_start_instances_counts_against_the_vcpu_quota(spawn: Callable[..., Server]) -> None:
    server = spawn("--vcpu-quota", "8", "--eni-quota", "100", "--timing", "manual")
    ec2 = server.client("ec2")
    subnet, image = _network(ec2)
    launch = {"ImageId": image, "InstanceType": "c5.large", "SubnetId": subnet}
    first = ec2.run_instances(MinCount=4, MaxCount=4, **launch)["Instances"][0]["InstanceId"]
    server.post("/_trunkline/clock/settle")
    ec2.stop_instances(InstanceIds=[first])
    server.post("/_trunkline/clock/settle")
    ec2.run_instances(MinCount=1, MaxCount=1, **launch)  # takes the stopped one's room
    with pytest.raises(ClientError) as caught:
        ec2.start_instances(InstanceIds=[first])
    assert caught.value.response["Error"]["Code"] == "VcpuLimitExceeded"


def test_network_interfaces_per_region(spawn: Callable[..., Server]) -> None:
    server = spawn("--eni-quota", "3")
    ec2 = server.client("ec2")
    subnet, image = _network(ec2)
    launched = ec2.run_instances(ImageId=image, InstanceType="c5.large", SubnetId=subnet, MinCount=1, MaxCount=50)
    assert len(launched["Instances"]) == 3  # one primary ENI each
    with pytest.raises(ClientError) as caught:
        ec2.create_network_interface(SubnetId=subnet)
    assert caught.value.response["Error"]["Code"] == "NetworkInterfaceLimitExceeded"


def test_quotas_must_be_positive(tmp_path: Any) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "trunkline", "serve", "--vcpu-quota", "0", "--state", ":memory:", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "vcpu-quota" in done.stderr
