"""A small world for ECS container-instance tests: instance roles with their profiles, networks,
instances launched from the ECS-optimized AMIs, and trunkline's own endpoints (clock, agents,
trunking explanations, ENI capacity). Everything goes over HTTP, as a user's tooling would."""

from __future__ import annotations

import json
from typing import Any

import ec2_world
from conftest import ACCOUNT, REGION, Server
from ec2_world import AL2023

WINDOWS = "/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-ECS_Optimized/image_id"
PLAIN_AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
OLD_ECS_IMAGE = "amzn-ami-2018.03.h-amazon-ecs-optimized"  # agent 1.21.0, before trunking
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)
# EC2 takes the role for the agent; the account may assume it too, so tests can act as it (`session`).
TRUST_WITH_ACCOUNT = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com", "AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
TRUNK_ID = "ecs.awsvpc-trunk-id"


def role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def config_script(cluster: str, *lines: str) -> str:
    """User data writing /etc/ecs/ecs.config as AWS's examples do."""
    body = "\n".join([f"ECS_CLUSTER={cluster}", *lines])
    return f"#!/bin/bash\ncat <<'EOF' >> /etc/ecs/ecs.config\n{body}\nEOF\n"


class World:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.client = server.client
        self.ec2, self.ecs, self.iam, self.ssm, self.sts = (
            server.client(s) for s in ("ec2", "ecs", "iam", "ssm", "sts")
        )

    # --- IAM and settings -------------------------------------------------------------------------

    def instance_role(self, name: str) -> str:
        """A role EC2 may assume, and an instance profile of the same name holding it."""
        self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_WITH_ACCOUNT)
        self.iam.create_instance_profile(InstanceProfileName=name)
        self.iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
        return role_arn(name)

    def opt_in(self, principal_arn: str, value: str = "enabled") -> None:
        self.ecs.put_account_setting(name="awsvpcTrunking", value=value, principalArn=principal_arn)

    def session(self, role: str, name: str = "agent") -> Any:
        """An ECS client acting as a session of the role (what the agent's credentials are)."""
        creds = self.sts.assume_role(RoleArn=role_arn(role), RoleSessionName=name)["Credentials"]
        return self.client(
            "ecs",
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )

    # --- network and instances --------------------------------------------------------------------

    def network(
        self, cidr: str = "10.0.1.0/24", public: bool = False, owner: str | None = None, zone: str = "us-east-1a"
    ) -> dict[str, str]:
        """A VPC with one subnet (see ec2_world.network); `owner` marks the subnet as shared by that account."""
        tags = [{"Key": "trunkline:owner-id", "Value": owner}] if owner is not None else None
        return ec2_world.network(self.ec2, cidr, zone, public=public, subnet_tags=tags)

    def image(self, parameter: str = AL2023) -> str:
        return ec2_world.image(self.ssm, parameter)

    def old_image(self) -> str:
        found = self.ec2.describe_images(
            Owners=["amazon"], Filters=[{"Name": "name", "Values": [OLD_ECS_IMAGE]}], IncludeDeprecated=True
        )["Images"]
        return str(found[0]["ImageId"])

    def launch(
        self,
        subnet: str,
        profile: str | None = None,
        user_data: str | None = None,
        instance_type: str = "c5.large",
        image: str | None = None,
        **extra: Any,
    ) -> str:
        params: dict[str, Any] = {
            "ImageId": image or self.image(),
            "InstanceType": instance_type,
            "MinCount": 1,
            "MaxCount": 1,
            "SubnetId": subnet,
            **extra,
        }
        if profile is not None:
            params["IamInstanceProfile"] = {"Name": profile}
        if user_data is not None:
            params["UserData"] = user_data
        return str(self.ec2.run_instances(**params)["Instances"][0]["InstanceId"])

    def instance(self, instance_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][
            0
        ]
        return found

    def enis_of(self, instance_id: str) -> list[dict[str, Any]]:
        filters = [{"Name": "attachment.instance-id", "Values": [instance_id]}]
        found: list[dict[str, Any]] = self.ec2.describe_network_interfaces(Filters=filters)["NetworkInterfaces"]
        return found

    def trunk_enis(self) -> list[dict[str, Any]]:
        filters = [{"Name": "interface-type", "Values": ["trunk"]}]
        found: list[dict[str, Any]] = self.ec2.describe_network_interfaces(Filters=filters)["NetworkInterfaces"]
        return found

    # --- the clock and trunkline's endpoints --------------------------------------------------------

    def settle(self) -> None:
        ec2_world.settle(self.server)

    def advance(self, seconds: float) -> None:
        self.server.post("/_trunkline/clock/advance", json={"seconds": seconds}).raise_for_status()

    def agent(self, instance_id: str) -> dict[str, Any]:
        answer = self.server.get(f"/_trunkline/agents/{instance_id}")
        answer.raise_for_status()
        found: dict[str, Any] = answer.json()
        return found

    def trunking(self, cluster: str, instance_id: str | None = None) -> list[dict[str, Any]]:
        query = f"?cluster={cluster}" + (f"&ec2InstanceId={instance_id}" if instance_id else "")
        answer = self.server.get("/_trunkline/container-instances/trunking" + query)
        answer.raise_for_status()
        found: list[dict[str, Any]] = answer.json()["containerInstances"]
        return found

    def explain(self, cluster: str, instance_id: str) -> dict[str, Any]:
        (found,) = self.trunking(cluster, instance_id)
        return found

    def capacity(self, cluster: str) -> dict[str, Any]:
        answer = self.server.get(f"/_trunkline/container-instances/capacity?cluster={cluster}")
        answer.raise_for_status()
        found: dict[str, Any] = answer.json()
        return found

    # --- container instances through the ECS API ----------------------------------------------------

    def container_instance_arn(self, cluster: str, instance_id: str) -> str:
        """The newest container instance of the EC2 instance (trunkline's explanation lists them all)."""
        return str(self.trunking(cluster, instance_id)[-1]["containerInstanceArn"])

    def describe(self, cluster: str, arn: str) -> dict[str, Any]:
        answer = self.ecs.describe_container_instances(cluster=cluster, containerInstances=[arn])
        (found,) = answer["containerInstances"]
        result: dict[str, Any] = found
        return result

    def of_instance(self, cluster: str, instance_id: str) -> dict[str, Any]:
        return self.describe(cluster, self.container_instance_arn(cluster, instance_id))


def attributes(container_instance: dict[str, Any]) -> dict[str, str | None]:
    return {a["name"]: a.get("value") for a in container_instance["attributes"]}


def identity_document(world: World, instance_id: str, **changes: Any) -> str:
    """The instance identity document of a running instance, as its agent sends it to
    RegisterContainerInstance (`changes` replace fields)."""
    instance = world.instance(instance_id)
    body = {
        "accountId": ACCOUNT,
        "architecture": instance["Architecture"],
        "availabilityZone": instance["Placement"]["AvailabilityZone"],
        "imageId": instance["ImageId"],
        "instanceId": instance_id,
        "instanceType": instance["InstanceType"],
        "privateIp": instance["PrivateIpAddress"],
        "region": REGION,
        "version": "2017-09-30",
    }
    body.update(changes)
    return json.dumps(body)
