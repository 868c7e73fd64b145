"""One clock per store (issue 13): the clock's reading lives in the store, so every process on it
agrees, and time never goes backwards across a restart or a change of `--timing`."""

from __future__ import annotations

import json
from collections.abc import Callable

from conftest import Server, stop_process

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)
DAY = 86_400.0


def _now(server: Server) -> float:
    return float(server.get("/_trunkline/clock").json()["epochSeconds"])


def _created(server: Server, name: str) -> float:
    iam = server.client("iam")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    return float(iam.get_role(RoleName=name)["Role"]["CreateDate"].timestamp())


def test_a_day_advanced_by_hand_is_kept_under_fast_timing(spawn: Callable[..., Server]) -> None:
    manual = spawn("--timing", "manual")
    start = _now(manual)
    assert manual.post("/_trunkline/clock/advance", json={"seconds": DAY}).status_code == 200
    earlier = _created(manual, "earlier")
    stop_process(manual)

    fast = spawn("--timing", "fast", state=manual.state)
    assert _now(fast) >= start + DAY
    assert _created(fast, "later") >= earlier  # not stamped a day before the older role
    stop_process(fast)

    again = spawn("--timing", "manual", state=manual.state)
    assert _now(again) >= start + DAY  # and back on manual: it stands where fast time had reached


def test_pending_work_scheduled_by_hand_runs_soon_under_fast_timing(spawn: Callable[..., Server]) -> None:
    manual = spawn("--timing", "manual")
    manual.post("/_trunkline/clock/advance", json={"seconds": DAY})
    ec2 = manual.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    image = ec2.describe_images(Owners=["amazon"], MaxResults=5)["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=subnet)
    instance_id = instance["Instances"][0]["InstanceId"]
    stop_process(manual)

    fast = spawn("--timing", "fast", state=manual.state)
    due = fast.get("/_trunkline/clock").json()["nextDueAt"]
    assert due is not None
    from datetime import datetime

    # The launch was due 15 s after it was asked for, on the store's clock: not a day from now.
    assert datetime.fromisoformat(due).timestamp() - _now(fast) < 60
    waiter = fast.client("ec2").get_waiter("instance_running")
    waiter.wait(InstanceIds=[instance_id], WaiterConfig={"Delay": 1, "MaxAttempts": 40})


def test_two_manual_processes_on_one_store_read_one_clock(spawn: Callable[..., Server]) -> None:
    first = spawn("--timing", "manual")
    second = spawn("--timing", "manual", state=first.state)
    assert _now(first) == _now(second)
    first.post("/_trunkline/clock/advance", json={"seconds": 3600})
    assert _now(second) == _now(first)
    second.post("/_trunkline/clock/advance", json={"seconds": 60})
    assert _now(first) == _now(second)
    stamped = _created(second, "seen-by-both")  # CreateDate is in whole seconds
    assert 0 <= _now(first) - stamped < 1
