"""EC2 DescribeInstanceStatus on the manual clock: running instances only unless
IncludeAllInstances, their checks `initializing` for `ec2.instance.status-checks` (120 s) after
reaching running and `ok` after, starting over after a stop and start; the filters, pages and
refusals; and the waiter users call it through (`aws ec2 wait instance-status-ok`, boto3's
`instance_status_ok`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Server, make_cli
from ec2_world import digest, error_of, image

CHECKS = 120  # seconds, timing.py's ec2.instance.status-checks
BOOT = 15  # ec2.instance.launch and ec2.instance.start


def _advance(server: Server, seconds: float) -> None:
    server.post("/_trunkline/clock/advance", json={"seconds": seconds}).raise_for_status()


def _launch(server: Server, count: int) -> list[str]:
    ec2 = server.client("ec2")
    ami = image(server.client("ssm"))
    launched = ec2.run_instances(ImageId=ami, InstanceType="c5.large", MinCount=count, MaxCount=count)
    return [i["InstanceId"] for i in launched["Instances"]]


def _statuses(ec2: Any, **params: Any) -> dict[str, tuple[str, str, str]]:
    """Instance id -> (state, instance check, system check's reachability)."""
    return {
        s["InstanceId"]: (
            s["InstanceState"]["Name"],
            s["InstanceStatus"]["Status"],
            s["SystemStatus"].get("Details", [{"Status": "-"}])[0]["Status"],
        )
        for s in ec2.describe_instance_status(**params)["InstanceStatuses"]
    }


def test_checks_initialize_then_pass_and_start_over_after_a_restart(spawn: Callable[..., Server]) -> None:
    server = spawn("--timing", "manual")
    ec2 = server.client("ec2")
    (instance,) = _launch(server, 1)
    assert _statuses(ec2) == {}  # pending: not running, not shown by default
    (pending,) = ec2.describe_instance_status(IncludeAllInstances=True)["InstanceStatuses"]
    assert pending["InstanceState"] == {"Code": 0, "Name": "pending"}
    assert pending["InstanceStatus"] == {"Status": "not-applicable"}
    assert pending["SystemStatus"] == {"Status": "not-applicable"}
    assert pending["AvailabilityZone"] == "us-east-1a" and pending["AvailabilityZoneId"] == "use1-az1"

    _advance(server, BOOT)
    assert _statuses(ec2) == {instance: ("running", "initializing", "initializing")}
    _advance(server, CHECKS - 1)
    assert _statuses(ec2, InstanceIds=[instance]) == {instance: ("running", "initializing", "initializing")}
    _advance(server, 1)
    (shown,) = ec2.describe_instance_status(InstanceIds=[instance])["InstanceStatuses"]
    assert shown["InstanceStatus"] == {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]}
    assert shown["SystemStatus"] == shown["InstanceStatus"]
    assert shown["InstanceState"] == {"Code": 16, "Name": "running"}

    ec2.stop_instances(InstanceIds=[instance])
    _advance(server, 20)
    assert _statuses(ec2, InstanceIds=[instance]) == {}  # named but stopped: left out, no error
    assert _statuses(ec2, IncludeAllInstances=True) == {instance: ("stopped", "not-applicable", "-")}
    ec2.start_instances(InstanceIds=[instance])
    _advance(server, BOOT)
    assert _statuses(ec2) == {instance: ("running", "initializing", "initializing")}
    _advance(server, CHECKS)
    assert _statuses(ec2) == {instance: ("running", "ok", "passed")}


def test_filters_pages_and_refusals(spawn: Callable[..., Server]) -> None:
    server = spawn("--timing", "manual")
    ec2 = server.client("ec2")
    first = _launch(server, 3)
    _advance(server, BOOT + CHECKS)
    later = _launch(server, 3)
    _advance(server, BOOT)

    def ids(*filters: tuple[str, list[str]], **params: Any) -> list[str]:
        given = [{"Name": name, "Values": values} for name, values in filters]
        return list(_statuses(ec2, Filters=given, **params))

    assert ids() == first + later  # launch order
    assert ids(("instance-status.status", ["ok"])) == first
    assert ids(("system-status.reachability", ["init*"])) == later
    assert ids(("instance-state-code", ["16"]), ("availability-zone-id", ["use1-az1"])) == first + later
    assert ids(("event.code", ["instance-reboot"])) == []  # no scheduled events here
    assert ids(("operator.managed", ["false"])) == first + later

    page = ec2.describe_instance_status(MaxResults=5)
    assert [s["InstanceId"] for s in page["InstanceStatuses"]] == (first + later)[:5]
    rest = ec2.describe_instance_status(MaxResults=5, NextToken=page["NextToken"])
    assert [s["InstanceId"] for s in rest["InstanceStatuses"]] == (first + later)[5:]
    assert "NextToken" not in rest
    paginator = ec2.get_paginator("describe_instance_status")
    walked = [
        s["InstanceId"] for p in paginator.paginate(PaginationConfig={"PageSize": 5}) for s in p["InstanceStatuses"]
    ]
    assert walked == first + later

    before = digest(server)
    assert error_of(ec2.describe_instance_status, Filters=[{"Name": "bogus", "Values": ["x"]}]) == (
        "InvalidParameterValue",
        "The filter 'bogus' is invalid",
        400,
    )
    assert error_of(ec2.describe_instance_status, InstanceIds=[first[0]], MaxResults=5) == (
        "InvalidParameterCombination",
        "The parameter instancesSet cannot be used with the parameter maxResults",
        400,
    )
    assert error_of(ec2.describe_instance_status, InstanceIds=["i-0123456789abcdef0"]) == (
        "InvalidInstanceID.NotFound",
        "The instance ID 'i-0123456789abcdef0' does not exist",
        400,
    )
    code, _, status = error_of(ec2.describe_instance_status, MaxResults=4)
    assert (code, status) == ("InvalidParameterValue", 400)
    assert digest(server) == before


def test_boto3_waiter_instance_status_ok(spawn: Callable[..., Server]) -> None:
    server = spawn("--timing", "manual")
    ec2 = server.client("ec2")
    (instance,) = _launch(server, 1)
    _advance(server, BOOT)
    waiter = ec2.get_waiter("instance_status_ok")
    with pytest.raises(Exception, match="Max attempts exceeded"):
        waiter.wait(InstanceIds=[instance], WaiterConfig={"Delay": 0, "MaxAttempts": 1})
    _advance(server, CHECKS)
    waiter.wait(InstanceIds=[instance], WaiterConfig={"Delay": 0, "MaxAttempts": 1})
    ec2.get_waiter("system_status_ok").wait(InstanceIds=[instance], WaiterConfig={"Delay": 0, "MaxAttempts": 1})


@pytest.mark.cli
def test_aws_cli_wait_instance_status_ok(spawn: Callable[..., Server], tmp_path: Path) -> None:
    server = spawn("--timing", "manual")
    cli = make_cli(server.url, tmp_path)
    (instance,) = _launch(server, 1)
    _advance(server, BOOT + CHECKS)
    assert cli("ec2", "wait", "instance-status-ok", "--instance-ids", instance) is None
    shown = cli("ec2", "describe-instance-status", "--instance-ids", instance)
    assert [s["InstanceStatus"]["Status"] for s in shown["InstanceStatuses"]] == ["ok"]
