"""EC2 instances through boto3 and the AWS CLI: RunInstances from the SSM-resolved ECS AMI, the
state machine on the clock (and boto3's waiters), public IPs across stop/start, private DNS name
options, DescribeInstances filters and paging, and AWS's errors with the state left untouched."""

from __future__ import annotations

import base64
import ipaddress
from typing import Any

import pytest

import ec2_world
from ec2_world import AL2023, digest, free_addresses, network, settle

AL2023_ARM = "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id"
FAST = {"Delay": 1, "MaxAttempts": 60}
UNKNOWN = "i-0123456789abcdef0"


# --- helpers ------------------------------------------------------------------------------------


def ami(server: Any, name: str = AL2023) -> str:
    return ec2_world.image(server.client("ssm"), name)


def make_network(ec2: Any, cidr: str = "10.0.1.0/24", public: bool = False, hostnames: bool = False) -> dict[str, str]:
    return network(ec2, cidr, "us-east-1b", public=public, hostnames=hostnames)


def run(server: Any, subnet: str, count: int = 1, **extra: Any) -> list[dict[str, Any]]:
    params = {"ImageId": ami(server), "InstanceType": "c5.large", "MinCount": count, "MaxCount": count}
    params.update(extra)
    instances: list[dict[str, Any]] = server.client("ec2").run_instances(SubnetId=subnet, **params)["Instances"]
    return instances


def error_of(call: Any, **kwargs: Any) -> tuple[str, str]:
    code, message, _ = ec2_world.error_of(call, **kwargs)
    return code, message


def describe(ec2: Any, instance_id: str) -> dict[str, Any]:
    found: dict[str, Any] = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    return found


@pytest.fixture
def net(ec2: Any) -> dict[str, str]:
    return make_network(ec2)


# --- launch -------------------------------------------------------------------------------------


def test_c5_large_from_the_ecs_ami_gets_a_primary_eni_in_its_subnet(server, ec2, net):
    image = ami(server)
    answer = ec2.run_instances(ImageId=image, InstanceType="c5.large", MinCount=1, MaxCount=1, SubnetId=net["subnet"])
    assert answer["ReservationId"].startswith("r-") and answer["OwnerId"] == "123456789012"
    (instance,) = answer["Instances"]
    assert instance["InstanceId"].startswith("i-") and len(instance["InstanceId"]) == 19
    assert instance["State"] == {"Code": 0, "Name": "pending"}
    assert instance["ImageId"] == image and instance["InstanceType"] == "c5.large"
    assert instance["Architecture"] == "x86_64"
    assert instance["SubnetId"] == net["subnet"] and instance["VpcId"] == net["vpc"]
    assert instance["Placement"]["AvailabilityZone"] == "us-east-1b"
    address = instance["PrivateIpAddress"]
    assert ipaddress.IPv4Address(address) in ipaddress.IPv4Network(net["cidr"])
    assert instance["PrivateDnsName"] == "ip-" + address.replace(".", "-") + ".ec2.internal"
    assert instance["SecurityGroups"] == [{"GroupId": net["default_sg"], "GroupName": "default"}]
    (primary,) = instance["NetworkInterfaces"]
    assert primary["Attachment"]["DeviceIndex"] == 0
    assert primary["Attachment"]["DeleteOnTermination"] is True
    assert primary["Attachment"]["Status"] == "attached"
    assert primary["PrivateIpAddress"] == address and primary["InterfaceType"] == "interface"
    assert "PublicIpAddress" not in instance and instance["PublicDnsName"] == ""
    assert instance["PrivateDnsNameOptions"] == {
        "HostnameType": "ip-name",
        "EnableResourceNameDnsARecord": False,
        "EnableResourceNameDnsAAAARecord": False,
    }
    ec2.get_waiter("instance_running").wait(InstanceIds=[instance["InstanceId"]], WaiterConfig=FAST)
    assert describe(ec2, instance["InstanceId"])["State"] == {"Code": 16, "Name": "running"}
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[primary["NetworkInterfaceId"]])["NetworkInterfaces"][0]
    assert eni["Attachment"]["InstanceId"] == instance["InstanceId"] and eni["Status"] == "in-use"


def test_launch_takes_as_many_as_fit_but_at_least_min_count(server, ec2):
    net = make_network(ec2, "10.0.2.0/28")  # 16 addresses, 5 reserved: 11 usable
    before = digest(server)
    code, message = error_of(
        ec2.run_instances,
        ImageId=ami(server),
        InstanceType="c5.large",
        MinCount=12,
        MaxCount=20,
        SubnetId=net["subnet"],
    )
    assert code == "InsufficientFreeAddressesInSubnet"
    assert message == (
        f"There are not enough free addresses in subnet '{net['subnet']}' to satisfy the requested number of instances."
    )
    assert digest(server) == before
    launched = run(server, net["subnet"], MinCount=3, MaxCount=20)
    assert len(launched) == 11
    assert sorted(i["AmiLaunchIndex"] for i in launched) == list(range(11))
    assert len({i["PrivateIpAddress"] for i in launched}) == 11
    assert free_addresses(ec2, net["subnet"]) == 0


def test_launch_refusals_leave_no_trace(empty_account, server, ec2, net):
    """In an account without a default VPC, so that a launch without a subnet is refused too."""
    image = ami(server)
    before = digest(server)
    base = {"ImageId": image, "InstanceType": "c5.large", "MinCount": 1, "MaxCount": 1, "SubnetId": net["subnet"]}
    cases = [
        ({"InstanceType": "cc1.4xlarge"}, "InvalidParameterValue", "Invalid value 'cc1.4xlarge' for InstanceType."),
        ({"InstanceType": "c5.huge"}, "InvalidParameterValue", "Invalid value 'c5.huge' for InstanceType."),
        ({"ImageId": "ami-0123456789abcdef0"}, "InvalidAMIID.NotFound", None),
        ({"SubnetId": None}, "VPCIdNotSpecified", "No default VPC for this user"),
        ({"SubnetId": "subnet-0123456789abcdef0"}, "InvalidSubnetID.NotFound", None),
        ({"SecurityGroupIds": ["sg-0123456789abcdef0"]}, "InvalidGroup.NotFound", None),
        ({"ImageId": ami(server, AL2023_ARM)}, "InvalidParameterValue", None),
        ({"MinCount": 2, "MaxCount": 1}, "InvalidParameterValue", None),
        (
            {"IamInstanceProfile": {"Name": "nope"}},
            "InvalidParameterValue",
            "Value (nope) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name",
        ),
        (
            {"IamInstanceProfile": {"Arn": "arn:aws:iam::123456789012:instance-profile/nope"}},
            "InvalidParameterValue",
            "Value (arn:aws:iam::123456789012:instance-profile/nope) for parameter iamInstanceProfile.arn is invalid. "
            "Invalid IAM Instance Profile ARN",
        ),
    ]
    for change, code, message in cases:
        params = {k: v for k, v in {**base, **change}.items() if v is not None}
        got_code, got_message = error_of(ec2.run_instances, **params)
        assert got_code == code, (change, got_message)
        if message is not None:
            assert got_message == message
    assert digest(server) == before
    assert ec2.describe_instances()["Reservations"] == []


def test_profile_user_data_tags_and_groups_are_kept(server, ec2, net):
    iam = server.client("iam")
    iam.create_instance_profile(InstanceProfileName="ecs-node")
    profile = iam.get_instance_profile(InstanceProfileName="ecs-node")["InstanceProfile"]
    group = ec2.create_security_group(GroupName="nodes", Description="nodes", VpcId=net["vpc"])["GroupId"]
    script = "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n"  # boto3 sends it base64-encoded
    (instance,) = run(
        server,
        net["subnet"],
        IamInstanceProfile={"Name": "ecs-node"},
        UserData=script,
        SecurityGroupIds=[group],
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "node-1"}]},
            {"ResourceType": "network-interface", "Tags": [{"Key": "role", "Value": "primary"}]},
        ],
    )
    assert instance["IamInstanceProfile"] == {"Arn": profile["Arn"], "Id": profile["InstanceProfileId"]}
    assert instance["Tags"] == [{"Key": "Name", "Value": "node-1"}]
    assert instance["SecurityGroups"] == [{"GroupId": group, "GroupName": "nodes"}]
    attribute = ec2.describe_instance_attribute(InstanceId=instance["InstanceId"], Attribute="userData")
    assert base64.b64decode(attribute["UserData"]["Value"]).decode() == script
    eni_id = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    assert eni["TagSet"] == [{"Key": "role", "Value": "primary"}]
    by_profile = ec2.describe_instances(Filters=[{"Name": "iam-instance-profile.arn", "Values": [profile["Arn"]]}])
    assert [i["InstanceId"] for r in by_profile["Reservations"] for i in r["Instances"]] == [instance["InstanceId"]]
    by_arn = run(server, net["subnet"], IamInstanceProfile={"Arn": profile["Arn"]})
    assert by_arn[0]["IamInstanceProfile"]["Arn"] == profile["Arn"]


def test_client_token_makes_run_instances_idempotent(server, ec2, net):
    first = run(server, net["subnet"], ClientToken="launch-1")
    again = run(server, net["subnet"], ClientToken="launch-1")
    assert [i["InstanceId"] for i in again] == [i["InstanceId"] for i in first]
    assert sum(len(r["Instances"]) for r in ec2.describe_instances()["Reservations"]) == 1


# --- the state machine --------------------------------------------------------------------------


def test_stop_start_terminate_with_waiters(server, ec2, net):
    (instance,) = run(server, net["subnet"])
    instance_id = instance["InstanceId"]
    ec2.get_waiter("instance_running").wait(InstanceIds=[instance_id], WaiterConfig=FAST)
    stopping = ec2.stop_instances(InstanceIds=[instance_id])["StoppingInstances"]
    assert stopping == [
        {
            "InstanceId": instance_id,
            "CurrentState": {"Code": 64, "Name": "stopping"},
            "PreviousState": {"Code": 16, "Name": "running"},
        }
    ]
    ec2.get_waiter("instance_stopped").wait(InstanceIds=[instance_id], WaiterConfig=FAST)
    stopped = describe(ec2, instance_id)
    assert stopped["State"] == {"Code": 80, "Name": "stopped"}
    assert stopped["PrivateIpAddress"] == instance["PrivateIpAddress"]  # the primary ENI stays
    assert stopped["StateReason"]["Code"] == "Client.UserInitiatedShutdown"
    starting = ec2.start_instances(InstanceIds=[instance_id])["StartingInstances"][0]
    assert (starting["PreviousState"]["Name"], starting["CurrentState"]["Name"]) == ("stopped", "pending")
    ec2.get_waiter("instance_running").wait(InstanceIds=[instance_id], WaiterConfig=FAST)
    terminating = ec2.terminate_instances(InstanceIds=[instance_id])["TerminatingInstances"][0]
    assert terminating["CurrentState"] == {"Code": 32, "Name": "shutting-down"}
    ec2.get_waiter("instance_terminated").wait(InstanceIds=[instance_id], WaiterConfig=FAST)
    gone = describe(ec2, instance_id)
    assert gone["State"] == {"Code": 48, "Name": "terminated"}
    assert gone["NetworkInterfaces"] == [] and "PrivateIpAddress" not in gone
    again = ec2.terminate_instances(InstanceIds=[instance_id])["TerminatingInstances"][0]
    assert again["CurrentState"] == again["PreviousState"] == {"Code": 48, "Name": "terminated"}


def test_termination_gives_every_address_back(server, ec2, net):
    free = free_addresses(ec2, net["subnet"])
    launched = run(server, net["subnet"], count=3)
    assert free_addresses(ec2, net["subnet"]) == free - 3
    ec2.terminate_instances(InstanceIds=[i["InstanceId"] for i in launched])
    settle(server)
    assert free_addresses(ec2, net["subnet"]) == free
    assert ec2.describe_network_interfaces()["NetworkInterfaces"] == []


def test_wrong_state_transitions_are_refused(server, ec2, net):
    (instance,) = run(server, net["subnet"])
    instance_id = instance["InstanceId"]
    settle(server)
    ec2.terminate_instances(InstanceIds=[instance_id])
    settle(server)
    before = digest(server)
    assert error_of(ec2.stop_instances, InstanceIds=[instance_id]) == (
        "IncorrectInstanceState",
        f"The instance '{instance_id}' is not in a state from which it can be stopped.",
    )
    assert error_of(ec2.start_instances, InstanceIds=[instance_id]) == (
        "IncorrectInstanceState",
        f"The instance '{instance_id}' is not in a state from which it can be started.",
    )
    assert digest(server) == before


def test_disable_api_termination_is_honoured(server, ec2, net):
    (instance,) = run(server, net["subnet"], DisableApiTermination=True)
    code, message = error_of(ec2.terminate_instances, InstanceIds=[instance["InstanceId"]])
    assert code == "OperationNotPermitted"
    assert message == (
        f"The instance '{instance['InstanceId']}' may not be terminated. "
        "Modify its 'disableApiTermination' instance attribute and try again."
    )
    attribute = ec2.describe_instance_attribute(InstanceId=instance["InstanceId"], Attribute="disableApiTermination")
    assert attribute["DisableApiTermination"] == {"Value": True}


def test_manual_clock_keeps_an_instance_pending_until_advanced(spawn):
    server = spawn("--timing", "manual")
    ec2 = server.client("ec2")
    net = make_network(ec2)
    (instance,) = run(server, net["subnet"])
    instance_id = instance["InstanceId"]
    server.post("/_trunkline/clock/advance", json={"seconds": 14}).raise_for_status()
    assert describe(ec2, instance_id)["State"]["Name"] == "pending"
    assert error_of(ec2.stop_instances, InstanceIds=[instance_id]) == (
        "IncorrectInstanceState",
        f"Instance '{instance_id}' cannot be stopped as it has never reached the 'running' state.",
    )
    server.post("/_trunkline/clock/advance", json={"seconds": 1}).raise_for_status()
    assert describe(ec2, instance_id)["State"] == {"Code": 16, "Name": "running"}
    eni = ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=instance_id, DeviceIndex=1)
    attachment = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["Attachment"]
    assert attachment["Status"] == "attaching"
    server.post("/_trunkline/clock/advance", json={"seconds": 2}).raise_for_status()
    attachment = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["Attachment"]
    assert attachment["Status"] == "attached"


def test_a_restarting_instance_may_be_stopped_while_pending(spawn):
    server = spawn("--timing", "manual")
    ec2 = server.client("ec2")
    (instance,) = run(server, make_network(ec2)["subnet"])
    instance_id = instance["InstanceId"]
    settle(server)
    ec2.stop_instances(InstanceIds=[instance_id])
    settle(server)
    ec2.start_instances(InstanceIds=[instance_id])
    assert describe(ec2, instance_id)["State"]["Name"] == "pending"
    change = ec2.stop_instances(InstanceIds=[instance_id])["StoppingInstances"][0]
    assert (change["PreviousState"]["Name"], change["CurrentState"]["Name"]) == ("pending", "stopping")
    settle(server)  # the start's pending -> running step no longer applies
    assert describe(ec2, instance_id)["State"] == {"Code": 80, "Name": "stopped"}


def test_terminated_instances_stay_visible_for_an_hour(spawn):
    server = spawn("--timing", "manual")
    ec2 = server.client("ec2")
    net = make_network(ec2)
    (instance,) = run(server, net["subnet"])
    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])
    settle(server)
    assert describe(ec2, instance["InstanceId"])["State"]["Name"] == "terminated"
    server.post("/_trunkline/clock/advance", json={"seconds": 3599}).raise_for_status()
    assert describe(ec2, instance["InstanceId"])["State"]["Name"] == "terminated"
    server.post("/_trunkline/clock/advance", json={"seconds": 2}).raise_for_status()
    code, _ = error_of(ec2.describe_instances, InstanceIds=[instance["InstanceId"]])
    assert code == "InvalidInstanceID.NotFound"
    assert ec2.describe_instances()["Reservations"] == []


# --- public IPv4 --------------------------------------------------------------------------------


def test_stop_and_start_in_a_public_subnet_changes_the_public_ip(server, ec2):
    net = make_network(ec2, public=True, hostnames=True)
    (instance,) = run(server, net["subnet"])
    instance_id = instance["InstanceId"]
    first = instance["PublicIpAddress"]
    assert ipaddress.IPv4Address(first) in ipaddress.IPv4Network("3.80.0.0/12")
    assert instance["PublicDnsName"] == "ec2-" + first.replace(".", "-") + ".compute-1.amazonaws.com"
    association = instance["NetworkInterfaces"][0]["Association"]
    assert association == {"IpOwnerId": "amazon", "PublicDnsName": instance["PublicDnsName"], "PublicIp": first}
    ec2.get_waiter("instance_running").wait(InstanceIds=[instance_id], WaiterConfig=FAST)
    ec2.stop_instances(InstanceIds=[instance_id])
    ec2.get_waiter("instance_stopped").wait(InstanceIds=[instance_id], WaiterConfig=FAST)
    stopped = describe(ec2, instance_id)
    assert "PublicIpAddress" not in stopped and stopped["PublicDnsName"] == ""
    ec2.start_instances(InstanceIds=[instance_id])
    ec2.get_waiter("instance_running").wait(InstanceIds=[instance_id], WaiterConfig=FAST)
    second = describe(ec2, instance_id)["PublicIpAddress"]
    assert second != first
    by_ip = ec2.describe_instances(Filters=[{"Name": "ip-address", "Values": [second]}])
    assert [i["InstanceId"] for r in by_ip["Reservations"] for i in r["Instances"]] == [instance_id]


def test_public_ips_are_unique_and_need_dns_hostnames_for_a_name(server, ec2):
    net = make_network(ec2, public=True)
    launched = run(server, net["subnet"], count=20)
    addresses = [i["PublicIpAddress"] for i in launched]
    assert len(set(addresses)) == 20
    assert all(i["PublicDnsName"] == "" for i in launched)


# --- private DNS name options (requirement S6) --------------------------------------------------


def test_resource_name_a_record_option_round_trips(server, ec2, net):
    (instance,) = run(server, net["subnet"], PrivateDnsNameOptions={"EnableResourceNameDnsARecord": True})
    instance_id = instance["InstanceId"]
    assert instance["PrivateDnsNameOptions"]["EnableResourceNameDnsARecord"] is True
    answer = ec2.modify_private_dns_name_options(InstanceId=instance_id, EnableResourceNameDnsARecord=False)
    assert answer["Return"] is True
    assert describe(ec2, instance_id)["PrivateDnsNameOptions"]["EnableResourceNameDnsARecord"] is False
    found = ec2.describe_instances(
        Filters=[{"Name": "private-dns-name-options.enable-resource-name-dns-a-record", "Values": ["false"]}]
    )
    assert [i["InstanceId"] for r in found["Reservations"] for i in r["Instances"]] == [instance_id]


def test_subnet_launch_options_are_the_default(server, ec2, net):
    ec2.modify_subnet_attribute(SubnetId=net["subnet"], EnableResourceNameDnsARecordOnLaunch={"Value": True})
    (instance,) = run(server, net["subnet"])
    assert instance["PrivateDnsNameOptions"]["EnableResourceNameDnsARecord"] is True


def test_hostname_type_changes_only_while_stopped(server, ec2, net):
    (instance,) = run(server, net["subnet"])
    instance_id = instance["InstanceId"]
    ec2.get_waiter("instance_running").wait(InstanceIds=[instance_id], WaiterConfig=FAST)
    code, _ = error_of(
        ec2.modify_private_dns_name_options, InstanceId=instance_id, PrivateDnsHostnameType="resource-name"
    )
    assert code == "IncorrectInstanceState"
    ec2.stop_instances(InstanceIds=[instance_id])
    ec2.get_waiter("instance_stopped").wait(InstanceIds=[instance_id], WaiterConfig=FAST)
    ec2.modify_private_dns_name_options(InstanceId=instance_id, PrivateDnsHostnameType="resource-name")
    renamed = describe(ec2, instance_id)
    assert renamed["PrivateDnsNameOptions"]["HostnameType"] == "resource-name"
    assert renamed["PrivateDnsName"] == f"{instance_id}.ec2.internal"


# --- describe -----------------------------------------------------------------------------------


def test_describe_filters(server, ec2, net):
    first = run(server, net["subnet"], count=2)
    other = make_network(ec2, "10.0.8.0/24")
    (elsewhere,) = run(server, other["subnet"], InstanceType="t3.micro")
    settle(server)
    ec2.stop_instances(InstanceIds=[first[0]["InstanceId"]])
    settle(server)

    def ids(*filters: tuple[str, list[str]]) -> set[str]:
        found = ec2.describe_instances(Filters=[{"Name": n, "Values": v} for n, v in filters])
        return {i["InstanceId"] for r in found["Reservations"] for i in r["Instances"]}

    everyone = {i["InstanceId"] for i in [*first, elsewhere]}
    assert ids() == everyone
    assert ids(("subnet-id", [other["subnet"]])) == {elsewhere["InstanceId"]}
    assert ids(("vpc-id", [net["vpc"]])) == {i["InstanceId"] for i in first}
    assert ids(("instance-type", ["t3.micro"])) == {elsewhere["InstanceId"]}
    assert ids(("instance-state-name", ["stopped"])) == {first[0]["InstanceId"]}
    assert ids(("instance-state-name", ["running"])) == {first[1]["InstanceId"], elsewhere["InstanceId"]}
    assert ids(("instance-id", [elsewhere["InstanceId"]])) == {elsewhere["InstanceId"]}
    assert ids(("image-id", [first[0]["ImageId"]])) == everyone
    assert ids(("private-ip-address", [elsewhere["PrivateIpAddress"]])) == {elsewhere["InstanceId"]}
    eni = elsewhere["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert ids(("network-interface.network-interface-id", [eni])) == {elsewhere["InstanceId"]}
    assert ids(("reservation-id", ["r-0123456789abcdef0"])) == set()
    assert ids(("instance-state-name", ["running", "stopped"]), ("subnet-id", [net["subnet"]])) == {
        i["InstanceId"] for i in first
    }
    two = ec2.describe_instances(Filters=[{"Name": "subnet-id", "Values": [net["subnet"]]}])["Reservations"]
    assert len(two) == 1 and len(two[0]["Instances"]) == 2  # one reservation, launched together
    assert error_of(ec2.describe_instances, Filters=[{"Name": "colour", "Values": ["x"]}]) == (
        "InvalidParameterValue",
        "The filter 'colour' is invalid",
    )


def test_describe_pages_by_instance(server, ec2, net):
    launched = {i["InstanceId"] for i in run(server, net["subnet"], count=7)}
    pages = ec2.get_paginator("describe_instances").paginate(PaginationConfig={"PageSize": 5})
    seen, sizes = [], []
    for page in pages:
        instances = [i["InstanceId"] for r in page["Reservations"] for i in r["Instances"]]
        sizes.append(len(instances))
        seen.extend(instances)
    assert sizes == [5, 2] and sorted(seen) == sorted(launched)
    code, message = error_of(ec2.describe_instances, InstanceIds=sorted(launched)[:1], MaxResults=5)
    assert (code, message) == (
        "InvalidParameterCombination",
        "The parameter instancesSet cannot be used with the parameter maxResults",
    )


def test_unknown_instance_ids_get_not_found_and_change_nothing(server, ec2, net):
    (instance,) = run(server, net["subnet"])
    known = instance["InstanceId"]
    other = "i-0fedcba9876543210"
    before = digest(server)
    single = ("InvalidInstanceID.NotFound", f"The instance ID '{UNKNOWN}' does not exist")
    calls = [
        (ec2.describe_instances, {"InstanceIds": [known, UNKNOWN]}, single),
        (ec2.stop_instances, {"InstanceIds": [known, UNKNOWN]}, single),
        (ec2.start_instances, {"InstanceIds": [UNKNOWN]}, single),
        (ec2.terminate_instances, {"InstanceIds": [known, UNKNOWN]}, single),
        (ec2.modify_private_dns_name_options, {"InstanceId": UNKNOWN, "EnableResourceNameDnsARecord": False}, single),
        (ec2.describe_instance_attribute, {"InstanceId": UNKNOWN, "Attribute": "userData"}, single),
        (
            ec2.terminate_instances,
            {"InstanceIds": [UNKNOWN, other]},
            ("InvalidInstanceID.NotFound", f"The instance IDs '{UNKNOWN}, {other}' do not exist"),
        ),
        (
            ec2.describe_instances,
            {"InstanceIds": ["i-bad"]},
            ("InvalidInstanceID.Malformed", 'Invalid id: "i-bad" (expecting "i-...")'),
        ),
    ]
    for call, kwargs, expected in calls:
        assert error_of(call, **kwargs) == expected, kwargs
    assert digest(server) == before
    assert describe(ec2, known)["State"]["Name"] == "running"


# --- the AWS CLI ----------------------------------------------------------------------------------


@pytest.mark.cli
def test_cli_runs_and_describes_an_instance(server, cli, ec2, net):
    image = ami(server)
    launched = cli(
        "ec2",
        "run-instances",
        "--image-id",
        image,
        "--instance-type",
        "c5.large",
        "--subnet-id",
        net["subnet"],
        "--count",
        "2",
        "--tag-specifications",
        "ResourceType=instance,Tags=[{Key=Name,Value=cli}]",
    )
    ids = [i["InstanceId"] for i in launched["Instances"]]
    assert len(ids) == 2
    cli("ec2", "wait", "instance-running", "--instance-ids", *ids)
    found = cli("ec2", "describe-instances", "--instance-ids", *ids, "--query", "Reservations[].Instances[].State.Name")
    assert found == ["running", "running"]
    cli("ec2", "modify-private-dns-name-options", "--instance-id", ids[0], "--no-enable-resource-name-dns-a-record")
    options = describe(ec2, ids[0])["PrivateDnsNameOptions"]
    assert options["EnableResourceNameDnsARecord"] is False


def test_user_data_that_is_not_base64_is_refused(server, net):
    """boto3 base64-encodes UserData itself, so send the raw EC2 form a hand-written client would."""
    form = {
        "Action": "RunInstances",
        "Version": "2016-11-15",
        "ImageId": ami(server),
        "InstanceType": "c5.large",
        "MinCount": "1",
        "MaxCount": "1",
        "SubnetId": net["subnet"],
        "UserData": "not base64!",
    }
    before = digest(server)
    answer = server.post("/", data=form)
    assert answer.status_code == 400
    assert "<Code>InvalidParameterValue</Code>" in answer.text
    assert "<Message>Invalid BASE64 encoding of user data.</Message>" in answer.text
    assert digest(server) == before


@pytest.mark.cli
def test_cli_associate_public_ip_address_overrides_the_subnet(server, cli, ec2, net):
    """The CLI sends --associate-public-ip-address as a primary NetworkInterfaces entry."""
    image = ami(server)
    common = ["ec2", "run-instances", "--image-id", image, "--instance-type", "c5.large", "--subnet-id", net["subnet"]]
    public = cli(*common, "--associate-public-ip-address")["Instances"][0]
    assert ipaddress.IPv4Address(public["PublicIpAddress"]) in ipaddress.IPv4Network("3.80.0.0/12")
    assert public["SubnetId"] == net["subnet"]
    assert public["SecurityGroups"] == [{"GroupId": net["default_sg"], "GroupName": "default"}]
    ec2.modify_subnet_attribute(SubnetId=net["subnet"], MapPublicIpOnLaunch={"Value": True})
    private = cli(*common, "--no-associate-public-ip-address")["Instances"][0]
    assert "PublicIpAddress" not in private


def test_run_instances_keeps_its_launch_options(ec2: Any, server: Any) -> None:
    """EbsOptimized, detailed monitoring, the shutdown behaviour and stop protection are kept and
    shown (they used to be dropped silently; found through the AWS SDK for JavaScript), and stop
    protection refuses StopInstances with AWS's text (a refusal that changes nothing)."""
    net = network(ec2)
    launched = ec2.run_instances(
        ImageId=ami(server),
        InstanceType="c5.large",
        MinCount=1,
        MaxCount=1,
        SubnetId=net["subnet"],
        EbsOptimized=True,
        Monitoring={"Enabled": True},
        InstanceInitiatedShutdownBehavior="terminate",
        DisableApiStop=True,
    )["Instances"][0]
    instance_id = launched["InstanceId"]
    assert launched["EbsOptimized"] is True and launched["Monitoring"] == {"State": "enabled"}
    settle(server)
    shown = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    assert shown["EbsOptimized"] is True and shown["Monitoring"] == {"State": "enabled"}

    def attribute(name: str) -> Any:
        return ec2.describe_instance_attribute(InstanceId=instance_id, Attribute=name)

    assert attribute("ebsOptimized")["EbsOptimized"] == {"Value": True}
    assert attribute("instanceInitiatedShutdownBehavior")["InstanceInitiatedShutdownBehavior"] == {"Value": "terminate"}
    assert attribute("disableApiStop")["DisableApiStop"] == {"Value": True}
    before = digest(server)
    assert error_of(ec2.stop_instances, InstanceIds=[instance_id]) == (
        "OperationNotPermitted",
        f"The instance '{instance_id}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.",
    )
    assert digest(server) == before
    # Without the options: AWS's defaults.
    plain = ec2.run_instances(
        ImageId=ami(server), InstanceType="c5.large", MinCount=1, MaxCount=1, SubnetId=net["subnet"]
    )["Instances"][0]
    assert plain["EbsOptimized"] is False and plain["Monitoring"] == {"State": "disabled"}
    other = ec2.describe_instance_attribute(
        InstanceId=plain["InstanceId"], Attribute="instanceInitiatedShutdownBehavior"
    )
    assert other["InstanceInitiatedShutdownBehavior"] == {"Value": "stop"}
