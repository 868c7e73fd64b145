"""Shared pieces of the EC2 tests (and of ecs_world, which builds on them): networks (a VPC, a
subnet and the VPC's default security group), instances from the ECS-optimized AMI, a refused
call's exact error, and the state digest that shows a refusal changed nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

AL2023 = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"

ErrorInfo = pytest.ExceptionInfo[ClientError]


# --- errors and the state ---------------------------------------------------------------------------


def error(caught: ErrorInfo) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a ClientError caught by `pytest.raises`."""
    response: Any = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def error_of(call: Callable[..., Any], **kwargs: Any) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a call that must fail."""
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return error(caught)


def settle(server: Any) -> None:
    server.post("/_trunkline/clock/settle").raise_for_status()


def digest(server: Any) -> str:
    """The state's digest once due work has run (the reconciler would change it under our feet)."""
    settle(server)
    return str(server.get("/_trunkline/state/digest").json()["digest"])


# --- builders ---------------------------------------------------------------------------------------


def new_vpc(ec2: Any, cidr: str = "10.0.0.0/16", **kwargs: Any) -> dict[str, Any]:
    created: dict[str, Any] = ec2.create_vpc(CidrBlock=cidr, **kwargs)["Vpc"]
    return created


def new_vpc_id(ec2: Any, cidr: str = "10.0.0.0/16") -> str:
    return str(new_vpc(ec2, cidr)["VpcId"])


def default_group(ec2: Any, vpc_id: str) -> str:
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    return str(next(g["GroupId"] for g in groups if g["GroupName"] == "default"))


def network(
    ec2: Any,
    cidr: str = "10.0.1.0/24",
    zone: str = "us-east-1a",
    *,
    public: bool = False,
    hostnames: bool = False,
    subnet_tags: list[dict[str, str]] | None = None,
) -> dict[str, str]:
    """A new 10.0.0.0/16 VPC with one subnet: {"vpc", "subnet", "default_sg", "cidr"}. `public`
    maps public IPs on launch, `hostnames` turns the VPC's DNS hostnames on."""
    made = new_vpc_id(ec2)
    if hostnames:
        ec2.modify_vpc_attribute(VpcId=made, EnableDnsHostnames={"Value": True})
    extra: dict[str, Any] = {}
    if subnet_tags:
        extra["TagSpecifications"] = [{"ResourceType": "subnet", "Tags": subnet_tags}]
    subnet = ec2.create_subnet(VpcId=made, CidrBlock=cidr, AvailabilityZone=zone, **extra)["Subnet"]["SubnetId"]
    if public:
        ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
    return {"vpc": made, "subnet": subnet, "default_sg": default_group(ec2, made), "cidr": cidr}


def image(ssm: Any, parameter: str = AL2023) -> str:
    """An AMI id from SSM's public parameters, as users look the ECS-optimized AMI up."""
    return str(ssm.get_parameter(Name=parameter)["Parameter"]["Value"])


def launch(aws: Callable[..., Any], subnet: str, instance_type: str = "c5.large") -> str:
    """One instance of the ECS-optimized AL2023 AMI in the subnet; its id."""
    reservation = aws("ec2").run_instances(
        ImageId=image(aws("ssm")), InstanceType=instance_type, MinCount=1, MaxCount=1, SubnetId=subnet
    )
    return str(reservation["Instances"][0]["InstanceId"])


def free_addresses(ec2: Any, subnet: str) -> int:
    return int(ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailableIpAddressCount"])
