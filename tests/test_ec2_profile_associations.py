"""EC2 IAM instance profile associations with boto3 and the AWS CLI: RunInstances records one,
Describe filters and pages them, Associate/Replace/Disassociate change the instance's profile
(and DescribeInstances shows it), with EC2's errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

import ec2_world
from conftest import Server

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


@pytest.fixture
def world(server: Server) -> dict[str, Any]:
    iam, ec2, ssm = (server.client(s) for s in ("iam", "ec2", "ssm"))
    for name in ("first", "second"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
        iam.create_instance_profile(InstanceProfileName=name)
        iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    net = ec2_world.network(ec2)
    image = ec2_world.image(ssm)

    def launch(profile: str | None = None) -> str:
        extra = {"IamInstanceProfile": {"Name": profile}} if profile else {}
        answer = ec2.run_instances(
            ImageId=image, InstanceType="c5.large", MinCount=1, MaxCount=1, SubnetId=net["subnet"], **extra
        )
        return str(answer["Instances"][0]["InstanceId"])

    return {"ec2": ec2, "launch": launch, "server": server}


def associations(ec2: Any, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ec2.describe_iam_instance_profile_associations(**params)[
        "IamInstanceProfileAssociations"
    ]
    return found


def code_of(raised: Any) -> tuple[str, str]:
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


def test_launch_associate_replace_disassociate(world: dict[str, Any]):
    ec2, launch = world["ec2"], world["launch"]
    with_profile, without = launch("first"), launch()
    (launched,) = associations(ec2)
    assert launched["InstanceId"] == with_profile and launched["State"] == "associated"
    assert launched["AssociationId"].startswith("iip-assoc-")
    assert launched["IamInstanceProfile"]["Arn"].endswith(":instance-profile/first")
    ec2_world.settle(world["server"])
    added = ec2.associate_iam_instance_profile(InstanceId=without, IamInstanceProfile={"Name": "second"})[
        "IamInstanceProfileAssociation"
    ]
    assert added["State"] == "associating" and added["InstanceId"] == without
    assert associations(ec2, Filters=[{"Name": "instance-id", "Values": [without]}])[0]["State"] == "associated"
    replaced = ec2.replace_iam_instance_profile_association(
        AssociationId=launched["AssociationId"], IamInstanceProfile={"Name": "second"}
    )["IamInstanceProfileAssociation"]
    assert replaced["AssociationId"] != launched["AssociationId"] and replaced["State"] == "associating"
    assert replaced["Timestamp"] > launched["Timestamp"]
    view = ec2.describe_instances(InstanceIds=[with_profile])["Reservations"][0]["Instances"][0]
    assert view["IamInstanceProfile"]["Arn"].endswith(":instance-profile/second")
    gone = ec2.disassociate_iam_instance_profile(AssociationId=added["AssociationId"])["IamInstanceProfileAssociation"]
    assert gone["State"] == "disassociating"
    assert [a["InstanceId"] for a in associations(ec2)] == [with_profile]
    assert "IamInstanceProfile" not in ec2.describe_instances(InstanceIds=[without])["Reservations"][0]["Instances"][0]


def test_errors(world: dict[str, Any]):
    ec2, launch = world["ec2"], world["launch"]
    instance = launch("first")
    (association,) = associations(ec2)
    with pytest.raises(ClientError) as raised:
        ec2.associate_iam_instance_profile(InstanceId=instance, IamInstanceProfile={"Name": "second"})
    assert code_of(raised) == ("IncorrectState", f"There is an existing association for instance {instance}")
    with pytest.raises(ClientError) as raised:
        ec2.replace_iam_instance_profile_association(
            AssociationId="iip-assoc-0123456789abcdef0", IamInstanceProfile={"Name": "second"}
        )
    assert code_of(raised) == (
        "InvalidAssociationID.NotFound",
        "An association ID 'iip-assoc-0123456789abcdef0' does not exist",
    )
    ec2_world.settle(world["server"])
    with pytest.raises(ClientError) as raised:
        ec2.replace_iam_instance_profile_association(
            AssociationId=association["AssociationId"], IamInstanceProfile={"Name": "missing"}
        )
    assert code_of(raised) == (
        "InvalidParameterValue",
        "Value (missing) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name",
    )
    assert associations(ec2)[0]["AssociationId"] == association["AssociationId"]  # nothing changed
    ec2.stop_instances(InstanceIds=[instance])
    ec2_world.settle(world["server"])
    with pytest.raises(ClientError) as raised:
        ec2.replace_iam_instance_profile_association(
            AssociationId=association["AssociationId"], IamInstanceProfile={"Name": "second"}
        )
    assert code_of(raised) == (
        "IncorrectState",
        f"The association {association['AssociationId']} is not the active association",
    )
    with pytest.raises(ClientError) as raised:
        associations(ec2, Filters=[{"Name": "bogus", "Values": ["x"]}])
    assert code_of(raised)[0] == "InvalidParameterValue"


def test_paging_and_the_cli(world: dict[str, Any], cli: Any):
    ec2, launch = world["ec2"], world["launch"]
    made = sorted(launch("first") for _ in range(6))
    first = ec2.describe_iam_instance_profile_associations(MaxResults=5)
    rest = ec2.describe_iam_instance_profile_associations(MaxResults=5, NextToken=first["NextToken"])
    seen = [a["InstanceId"] for a in first["IamInstanceProfileAssociations"] + rest["IamInstanceProfileAssociations"]]
    assert sorted(seen) == made and "NextToken" not in rest
    listed = cli("ec2", "describe-iam-instance-profile-associations", "--filters", f"Name=instance-id,Values={made[0]}")
    assert [a["InstanceId"] for a in listed["IamInstanceProfileAssociations"]] == [made[0]]
