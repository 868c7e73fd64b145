"""Typed records (issue 9), as `test_typed_records.py` checks IAM's, logs' and ECS's: what the server
really stores for each EC2 and Auto Scaling kind typed in `domain/ec2/records.py` and
`domain/autoscaling/records.py` is its TypedDict (every required member there, none undeclared,
each value of its declared type), so mypy's checks of the domain code are checks of the stored
documents. Driven with boto3 on a manual clock; the documents are read from the server's own store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from conftest import Server, fresh_state, release_state, start_process, stop_process
from test_typed_records import typed_dict_problems
from trunkline.domain.autoscaling import kinds as asg_kinds
from trunkline.domain.autoscaling import records as asg_records
from trunkline.domain.ec2 import images
from trunkline.domain.ec2 import kinds as ec2_kinds
from trunkline.domain.ec2 import records as ec2_records
from trunkline.domain.resource_kind import ResourceKind
from trunkline.store import open_store
from trunkline.store.api import Transaction

Record = dict[str, Any]

KINDS: list[tuple[ResourceKind[Any], type]] = [
    (ec2_kinds.ENI_GROUP, ec2_records.EniGroupRecord),
    (ec2_kinds.INTERNET_GATEWAY, ec2_records.InternetGatewayRecord),
    (ec2_kinds.ROUTE_TABLE, ec2_records.RouteTableRecord),
    (ec2_kinds.NETWORK_ACL, ec2_records.NetworkAclRecord),
    (ec2_kinds.NAT_GATEWAY, ec2_records.NatGatewayRecord),
    (ec2_kinds.ELASTIC_IP, ec2_records.ElasticIpRecord),
    (ec2_kinds.VOLUME, ec2_records.VolumeRecord),
    (ec2_kinds.LAUNCH_TEMPLATE_VERSION, ec2_records.LaunchTemplateVersionRecord),
    (ec2_kinds.DEFAULT_VPC_MARKER, ec2_records.DefaultVpcMarkerRecord),
    (ec2_kinds.CLIENT_TOKEN, ec2_records.ClientTokenRecord),
    (ec2_kinds.PUBLIC_IP, ec2_records.PublicIpRecord),
    (images.IMAGE_TAGS, ec2_records.ImageTagsRecord),
    (asg_kinds.MEMBER, asg_records.MemberRecord),
    (asg_kinds.ACTIVITY, asg_records.ActivityRecord),
    (asg_kinds.POLICY, asg_records.ScalingPolicyRecord),
    (asg_kinds.HOOK, asg_records.LifecycleHookRecord),
    (asg_kinds.REFRESH, asg_records.InstanceRefreshRecord),
]


def stored(server: Server, kind: ResourceKind[Any]) -> list[Record]:
    store = open_store(server.state)

    def work(tx: Transaction) -> list[Record]:
        return [record for _, record in tx.scan(kind.name)]

    try:
        return store.read(work)
    finally:
        store.close()


class Scene:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.ec2 = server.client("ec2")
        self.asg = server.client("autoscaling")

    def advance(self, seconds: float) -> None:
        self.server.post("/_trunkline/clock/advance", json={"seconds": seconds}).raise_for_status()

    def network(self, cidr: str, gateway: bool) -> str:
        """A VPC with one subnet (and, with `gateway`, an internet gateway routed to); the subnet id."""
        vpc = self.ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        subnet = self.ec2.create_subnet(VpcId=vpc, CidrBlock=cidr.replace(".0.0/16", ".1.0/24"))["Subnet"]["SubnetId"]
        if gateway:
            spec = [{"ResourceType": "internet-gateway", "Tags": [{"Key": "team", "Value": "net"}]}]
            igw = self.ec2.create_internet_gateway(TagSpecifications=spec)["InternetGateway"]["InternetGatewayId"]
            self.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
            table = self.ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
            self.ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
            self.ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
        return str(subnet)


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Scene, Record]]:
    """One manual-clock server with every kind above stored, in the states that add optional members."""
    state = fresh_state(tmp_path_factory.mktemp("record-types"))
    server = start_process(state, "--timing", "manual")
    try:
        yield _build(Scene(server))
    finally:
        stop_process(server)
        release_state(state)


def _build(s: Scene) -> tuple[Scene, Record]:
    ec2, asg = s.ec2, s.asg
    public = s.network("10.70.0.0/16", gateway=True)
    isolated = s.network("10.71.0.0/16", gateway=False)
    ami = ec2.describe_images()["Images"][0]["ImageId"]
    ec2.create_tags(Resources=[ami], Tags=[{"Key": "seen", "Value": "yes"}])
    instance = ec2.run_instances(
        ImageId=ami, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=public, ClientToken="record-types"
    )["Instances"][0]["InstanceId"]
    kept, for_nat, failing = (ec2.allocate_address(Domain="vpc")["AllocationId"] for _ in range(3))
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=for_nat)["NatGateway"]["NatGatewayId"]
    ec2.create_nat_gateway(SubnetId=isolated, AllocationId=failing)  # no internet gateway: fails
    ec2.create_nat_gateway(SubnetId=isolated, ConnectivityType="private")
    s.advance(120)  # running; NAT gateways available or failed
    ec2.associate_address(AllocationId=kept, InstanceId=instance)
    ec2.delete_nat_gateway(NatGatewayId=nat)
    template = ec2.create_launch_template(
        LaunchTemplateName="record-types",
        VersionDescription="first",
        LaunchTemplateData={"ImageId": ami, "InstanceType": "t3.micro"},
    )["LaunchTemplate"]["LaunchTemplateId"]
    ec2.create_launch_template_version(
        LaunchTemplateId=template, SourceVersion="1", LaunchTemplateData={"InstanceType": "t3.small"}
    )
    asg.create_auto_scaling_group(
        AutoScalingGroupName="typed",
        LaunchTemplate={"LaunchTemplateId": template, "Version": "$Latest"},
        MinSize=0,
        MaxSize=3,
        DesiredCapacity=0,
        VPCZoneIdentifier=public,
    )
    asg.put_lifecycle_hook(
        AutoScalingGroupName="typed",
        LifecycleHookName="boot",
        LifecycleTransition="autoscaling:EC2_INSTANCE_LAUNCHING",
        HeartbeatTimeout=300,
        NotificationMetadata="warm",
    )
    tracking = {"PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"}}
    asg.put_scaling_policy(
        AutoScalingGroupName="typed",
        PolicyName="track",
        PolicyType="TargetTrackingScaling",
        TargetTrackingConfiguration={**tracking, "TargetValue": 50.0},
    )
    asg.put_scaling_policy(
        AutoScalingGroupName="typed",
        PolicyName="step",
        AdjustmentType="ChangeInCapacity",
        ScalingAdjustment=1,
        Cooldown=60,
    )
    asg.set_desired_capacity(AutoScalingGroupName="typed", DesiredCapacity=2)
    s.advance(120)  # launched, running: both wait on the hook
    (waiting,) = [m for m in stored(s.server, asg_kinds.MEMBER) if m["LifecycleState"] == "Pending:Wait"][:1]
    members = asg.describe_auto_scaling_instances()["AutoScalingInstances"]
    for member, result in zip(members, ("CONTINUE", "ABANDON"), strict=True):
        asg.complete_lifecycle_action(
            AutoScalingGroupName="typed",
            LifecycleHookName="boot",
            InstanceId=member["InstanceId"],
            LifecycleActionResult=result,
        )
    s.advance(120)  # the NAT gateway deleted, the abandoned instance terminated and replaced
    asg.start_instance_refresh(AutoScalingGroupName="typed")
    asg.cancel_instance_refresh(AutoScalingGroupName="typed", WaitForTransitioningInstances=False)  # EndTime
    return s, waiting


@pytest.mark.parametrize(("kind", "typed"), KINDS, ids=[kind.name for kind, _ in KINDS])
def test_every_stored_record_has_the_members_its_type_declares(
    scene: tuple[Scene, Record], kind: ResourceKind[Any], typed: type
) -> None:
    documents = stored(scene[0].server, kind)
    assert documents, f"the scene stores no {kind.name}"
    found = [p for i, doc in enumerate(documents) for p in typed_dict_problems(doc, typed, f"{kind.name}[{i}]")]
    assert not found, "\n".join(found)


def test_optional_members_the_scene_reaches_are_declared(scene: tuple[Scene, Record]) -> None:
    """The states that add members (a failed and a deleted NAT gateway, an address on an instance, a
    described version, a finished activity) are stored, so the check above covers those members."""
    server = scene[0].server
    seen: Callable[[ResourceKind[Any]], set[str]] = lambda kind: {k for d in stored(server, kind) for k in d}  # noqa: E731
    assert {"FailureCode", "FailureMessage", "DeleteTime", "_DeletedAt"} <= seen(ec2_kinds.NAT_GATEWAY)
    assert {"AssociationId", "NetworkInterfaceId", "InstanceId"} <= seen(ec2_kinds.ELASTIC_IP)
    assert "VersionDescription" in seen(ec2_kinds.LAUNCH_TEMPLATE_VERSION)
    assert {"EndTime", "StatusMessage"} <= seen(asg_kinds.ACTIVITY)
    assert {"TargetTrackingConfiguration", "AdjustmentType", "Cooldown"} <= seen(asg_kinds.POLICY)
    assert "NotificationMetadata" in seen(asg_kinds.HOOK)
    assert "EndTime" in seen(asg_kinds.REFRESH)


def test_a_waiting_member_stores_its_lifecycle_action_as_declared(scene: tuple[Scene, Record]) -> None:
    waiting = scene[1]
    assert typed_dict_problems(waiting, asg_records.MemberRecord, "member") == []
    assert set(waiting["_lifecycle"]) == {"token", "transition", "result", "hooks"}
    assert list(waiting["_lifecycle"]["hooks"]) == ["boot"]
