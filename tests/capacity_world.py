"""What the Auto Scaling and capacity-provider tests build on: two subnets in two zones of a new
VPC, and a c5.large launch template of the ECS-optimized AMI whose user data names the cluster and
whose instance profile is `ecsInstanceRole` (the caller creates the role)."""

from __future__ import annotations

import base64
from typing import Any

from ec2_world import AL2023
from ecs_world import World, config_script


def subnets_in_two_zones(world: World) -> list[str]:
    vpc = world.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return [
        world.ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for n, zone in ((1, "us-east-1a"), (2, "us-east-1b"))
    ]


def ecs_launch_template(world: World, cluster: str) -> dict[str, Any]:
    image = world.ssm.get_parameter(Name=AL2023)["Parameter"]["Value"]
    data = {
        "ImageId": image,
        "InstanceType": "c5.large",
        "IamInstanceProfile": {"Name": "ecsInstanceRole"},
        "UserData": base64.b64encode(config_script(cluster).encode()).decode(),
    }
    template: dict[str, Any] = world.ec2.create_launch_template(LaunchTemplateName="ecs", LaunchTemplateData=data)[
        "LaunchTemplate"
    ]
    return template
