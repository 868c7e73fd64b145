"""An instance's CPU options and CPU credit option (session 8): RunInstances and launch templates
keep `CpuOptions` and `CreditSpecification` (checked as EC2 checks them), DescribeInstances shows
the CPU options, and DescribeInstanceCreditSpecifications / ModifyInstanceCreditSpecification
answer for burstable instances, as Terraform's `aws_instance` reads them back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import ec2_world
from conftest import Server
from ec2_world import digest, network

AL2023_ARM = "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id"


def _run(server: Any, subnet: str, instance_type: str = "c5.xlarge", arm: bool = False, **extra: Any) -> str:
    image = ec2_world.image(server.client("ssm"), AL2023_ARM) if arm else ec2_world.image(server.client("ssm"))
    answer = server.client("ec2").run_instances(
        ImageId=image, InstanceType=instance_type, MinCount=1, MaxCount=1, SubnetId=subnet, **extra
    )
    return str(answer["Instances"][0]["InstanceId"])


def _cpu(ec2: Any, instance_id: str) -> dict[str, Any]:
    found: dict[str, Any] = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    return dict(found["CpuOptions"])


@pytest.fixture
def net(ec2: Any) -> dict[str, str]:
    return network(ec2)


def test_cpu_options_asked_at_launch_are_kept_else_the_types_defaults(server, ec2, net):
    default = _run(server, net["subnet"])
    assert _cpu(ec2, default) == {"CoreCount": 2, "ThreadsPerCore": 2}  # c5.xlarge: 4 vCPUs
    graviton = _run(server, net["subnet"], "c6g.xlarge", arm=True)
    assert _cpu(ec2, graviton) == {"CoreCount": 4, "ThreadsPerCore": 1}
    chosen = _run(server, net["subnet"], CpuOptions={"CoreCount": 1, "ThreadsPerCore": 1})
    assert _cpu(ec2, chosen) == {"CoreCount": 1, "ThreadsPerCore": 1}


def test_cpu_options_are_checked_as_ec2_checks_them(server, ec2, net):
    before = digest(server)
    cases = [
        (
            {"CoreCount": 2},
            "c5.xlarge",
            "MissingParameter",
            "When specifying CpuOptions you must specify both CoreCount and ThreadsPerCore.",
        ),
        (
            {"CoreCount": 3, "ThreadsPerCore": 2},
            "c5.xlarge",
            "InvalidParameterValue",
            "Value (3) for parameter coreCount is invalid. Instance type c5.xlarge supports 1 to 2 cores.",
        ),
        (
            {"CoreCount": 2, "ThreadsPerCore": 3},
            "c5.xlarge",
            "InvalidParameterValue",
            "Value (3) for parameter threadsPerCore is invalid. Instance type c5.xlarge supports 1 to 2 threads "
            "per core.",
        ),
        (
            {"CoreCount": 2, "ThreadsPerCore": 2},
            "c5.metal",
            "InvalidParameterCombination",
            "CPU options are not supported for instance type 'c5.metal'.",
        ),
    ]
    for options, instance_type, code, message in cases:
        got = ec2_world.error_of(
            ec2.run_instances,
            ImageId=ec2_world.image(server.client("ssm")),
            InstanceType=instance_type,
            MinCount=1,
            MaxCount=1,
            SubnetId=net["subnet"],
            CpuOptions=options,
        )
        assert got[:2] == (code, message)
    assert digest(server) == before


def test_burstable_instances_have_their_familys_credit_option_or_the_one_asked(server, ec2, net):
    t2 = _run(server, net["subnet"], "t2.micro")
    t3 = _run(server, net["subnet"], "t3.micro")
    asked = _run(server, net["subnet"], "t3.small", CreditSpecification={"CpuCredits": "standard"})
    found = ec2.describe_instance_credit_specifications(InstanceIds=[t2, t3, asked])["InstanceCreditSpecifications"]
    assert {f["InstanceId"]: f["CpuCredits"] for f in found} == {t2: "standard", t3: "unlimited", asked: "standard"}
    # none named: the burstable instances running unlimited
    unlimited = ec2.describe_instance_credit_specifications()["InstanceCreditSpecifications"]
    assert unlimited == [{"InstanceId": t3, "CpuCredits": "unlimited"}]
    changed = ec2.modify_instance_credit_specification(
        InstanceCreditSpecifications=[{"InstanceId": t2, "CpuCredits": "unlimited"}]
    )
    assert changed["SuccessfulInstanceCreditSpecifications"] == [{"InstanceId": t2}]
    assert changed["UnsuccessfulInstanceCreditSpecifications"] == []
    unlimited = ec2.describe_instance_credit_specifications(Filters=[{"Name": "instance-id", "Values": [t2]}])
    assert unlimited["InstanceCreditSpecifications"] == [{"InstanceId": t2, "CpuCredits": "unlimited"}]


def test_a_credit_option_for_a_type_without_cpu_credits_is_refused(server, ec2, net):
    before = digest(server)
    got = ec2_world.error_of(
        ec2.run_instances,
        ImageId=ec2_world.image(server.client("ssm")),
        InstanceType="m5.large",
        MinCount=1,
        MaxCount=1,
        SubnetId=net["subnet"],
        CreditSpecification={"CpuCredits": "standard"},
    )
    assert got[:2] == (
        "InstanceCreditSpecification.NotSupported",
        "The m5.large instance type does not support T2 Unlimited.",
    )
    assert digest(server) == before
    m5 = _run(server, net["subnet"], "m5.large")
    got = ec2_world.error_of(ec2.describe_instance_credit_specifications, InstanceIds=[m5])
    assert got[:2] == (
        "InstanceCreditSpecification.NotSupported",
        "The m5.large instance type does not support T2 Unlimited.",
    )
    refused = ec2.modify_instance_credit_specification(
        InstanceCreditSpecifications=[{"InstanceId": m5, "CpuCredits": "unlimited"}]
    )
    assert refused["SuccessfulInstanceCreditSpecifications"] == []
    assert refused["UnsuccessfulInstanceCreditSpecifications"] == [
        {
            "InstanceId": m5,
            "Error": {
                "Code": "InstanceCreditSpecification.NotSupported",
                "Message": "The m5.large instance type does not support T2 Unlimited.",
            },
        }
    ]


def test_a_launch_template_carries_cpu_and_credit_options_to_run_instances_and_the_cli(server, ec2, net, cli):
    ec2.create_launch_template(
        LaunchTemplateName="burst",
        LaunchTemplateData={
            "ImageId": ec2_world.image(server.client("ssm")),
            "InstanceType": "t3.large",
            "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
            "CreditSpecification": {"CpuCredits": "standard"},
        },
    )
    launched = cli(
        "ec2",
        "run-instances",
        "--launch-template",
        "LaunchTemplateName=burst",
        "--subnet-id",
        net["subnet"],
        "--count",
        "1",
    )
    instance_id = launched["Instances"][0]["InstanceId"]
    assert launched["Instances"][0]["CpuOptions"] == {"CoreCount": 1, "ThreadsPerCore": 2}
    shown = cli("ec2", "describe-instance-credit-specifications", "--instance-ids", instance_id)
    assert shown == {"InstanceCreditSpecifications": [{"InstanceId": instance_id, "CpuCredits": "standard"}]}


def test_an_auto_scaling_group_launches_with_its_templates_cpu_options(spawn: Callable[..., Server], tmp_path: Path):
    server = spawn("--timing", "manual")
    ec2 = server.client("ec2")
    net = network(ec2)
    ec2.create_launch_template(
        LaunchTemplateName="cores",
        LaunchTemplateData={
            "ImageId": ec2_world.image(server.client("ssm")),
            "InstanceType": "c5.2xlarge",
            "CpuOptions": {"CoreCount": 2, "ThreadsPerCore": 1},
        },
    )
    server.client("autoscaling").create_auto_scaling_group(
        AutoScalingGroupName="cores",
        LaunchTemplate={"LaunchTemplateName": "cores"},
        MinSize=1,
        MaxSize=1,
        VPCZoneIdentifier=net["subnet"],
    )
    ec2_world.settle(server)
    (member,) = server.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=["cores"])[
        "AutoScalingGroups"
    ][0]["Instances"]
    assert _cpu(ec2, member["InstanceId"]) == {"CoreCount": 2, "ThreadsPerCore": 1}


def test_hibernation_enclave_maintenance_and_tenancy_are_kept_else_ec2s_defaults(server, ec2, net):
    plain = ec2.describe_instances(InstanceIds=[_run(server, net["subnet"])])["Reservations"][0]["Instances"][0]
    assert plain["HibernationOptions"] == {"Configured": False}
    assert plain["EnclaveOptions"] == {"Enabled": False}
    assert plain["MaintenanceOptions"] == {"AutoRecovery": "default"}
    assert plain["Placement"]["Tenancy"] == "default"
    asked = _run(
        server,
        net["subnet"],
        HibernationOptions={"Configured": True},
        EnclaveOptions={"Enabled": True},
        MaintenanceOptions={"AutoRecovery": "disabled"},
        Placement={"Tenancy": "dedicated"},
    )
    shown = ec2.describe_instances(InstanceIds=[asked])["Reservations"][0]["Instances"][0]
    assert shown["HibernationOptions"] == {"Configured": True}
    assert shown["EnclaveOptions"] == {"Enabled": True}
    assert shown["MaintenanceOptions"] == {"AutoRecovery": "disabled"}
    assert shown["Placement"]["Tenancy"] == "dedicated"
    attribute = ec2.describe_instance_attribute(InstanceId=asked, Attribute="enclaveOptions")
    assert attribute["EnclaveOptions"] == {"Enabled": True}
    before = digest(server)
    got = ec2_world.error_of(
        ec2.run_instances,
        ImageId=ec2_world.image(server.client("ssm")),
        InstanceType="c5.xlarge",
        MinCount=1,
        MaxCount=1,
        SubnetId=net["subnet"],
        Placement={"Tenancy": "host"},
    )
    assert got[:2] == ("InvalidParameterValue", "trunkline does not support Tenancy host on instances yet.")
    assert digest(server) == before
