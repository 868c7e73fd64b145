"""ECS capacity providers over Auto Scaling groups (issue 11, parts 2-4), with boto3 on a manual
clock: the provider API with AWS's defaults, states and texts; PutClusterCapacityProviders;
strategies on RunTask and services; and managed scaling whose CapacityProviderReservation counts
ENI slots, so that trunking decides how many instances a service needs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from capacity_world import ecs_launch_template, subnets_in_two_zones
from conftest import ACCOUNT, Server, make_cli
from ecs_world import World, role_arn

CLUSTER = "apps"
GROUP = "ecs-asg"
PROVIDER = "cp-app"
STRATEGY = [{"capacityProvider": PROVIDER, "weight": 1, "base": 0}]


class Stack:
    """The issue's standard stack: an instance role (trunking opted in unless told), two subnets in
    two zones, a c5.large launch template of the ECS AMI naming the cluster, and the cluster."""

    def __init__(self, server: Server, trunking: bool = True) -> None:
        self.world = World(server)
        self.asg = server.client("autoscaling")
        w = self.world
        w.ecs.create_cluster(clusterName=CLUSTER)
        w.instance_role("ecsInstanceRole")
        if trunking:
            w.opt_in(role_arn("ecsInstanceRole"))
        self.subnets = subnets_in_two_zones(w)
        self.template = ecs_launch_template(w, CLUSTER)
        w.ecs.register_task_definition(
            family="web",
            networkMode="awsvpc",
            cpu="128",
            memory="256",
            containerDefinitions=[{"name": "app", "image": "nginx", "essential": True}],
        )

    def group(self, **extra: Any) -> dict[str, Any]:
        params: dict[str, Any] = {
            "AutoScalingGroupName": GROUP,
            "LaunchTemplate": {"LaunchTemplateName": "ecs", "Version": "$Latest"},
            "MinSize": 1,
            "MaxSize": 6,
            "VPCZoneIdentifier": ",".join(self.subnets),
            "NewInstancesProtectedFromScaleIn": True,
            "Tags": [{"Key": "AmazonECSManaged", "Value": "", "PropagateAtLaunch": True}],
            **extra,
        }
        if "MixedInstancesPolicy" in params:
            del params["LaunchTemplate"]
        self.asg.create_auto_scaling_group(**params)
        (found,) = self.asg.describe_auto_scaling_groups(AutoScalingGroupNames=[GROUP])["AutoScalingGroups"]
        result: dict[str, Any] = found
        return result

    def provider(self, group_arn: str, **scaling: Any) -> dict[str, Any]:
        answer = self.world.ecs.create_capacity_provider(
            name=PROVIDER,
            autoScalingGroupProvider={
                "autoScalingGroupArn": group_arn,
                "managedScaling": {"status": "ENABLED", "targetCapacity": 100, **scaling},
                "managedTerminationProtection": "ENABLED",
            },
        )
        created: dict[str, Any] = answer["capacityProvider"]
        return created

    def standard(self, **group: Any) -> None:
        """Group, provider and the cluster's default strategy; the group's first instance up."""
        arn = self.group(**group)["AutoScalingGroupARN"]
        self.provider(arn)
        self.world.ecs.put_cluster_capacity_providers(
            cluster=CLUSTER, capacityProviders=[PROVIDER], defaultCapacityProviderStrategy=STRATEGY
        )
        self.world.settle()

    def service(self, count: int) -> None:
        self.world.ecs.create_service(
            cluster=CLUSTER,
            serviceName="web",
            taskDefinition="web",
            desiredCount=count,
            networkConfiguration={"awsvpcConfiguration": {"subnets": self.subnets}},
        )

    def members(self) -> list[dict[str, Any]]:
        (found,) = self.asg.describe_auto_scaling_groups(AutoScalingGroupNames=[GROUP])["AutoScalingGroups"]
        result: list[dict[str, Any]] = found["Instances"]
        return result

    def desired(self) -> int:
        (found,) = self.asg.describe_auto_scaling_groups(AutoScalingGroupNames=[GROUP])["AutoScalingGroups"]
        return int(found["DesiredCapacity"])

    def tasks(self, status: str | None = None) -> list[dict[str, Any]]:
        arns = self.world.ecs.list_tasks(cluster=CLUSTER, **({"desiredStatus": status} if status else {}))["taskArns"]
        found: list[dict[str, Any]] = []
        for start in range(0, len(arns), 100):
            found += self.world.ecs.describe_tasks(cluster=CLUSTER, tasks=arns[start : start + 100])["tasks"]
        return found

    def per_instance(self) -> Counter[str]:
        """Running tasks per EC2 instance type and id."""
        instances = {
            c["containerInstanceArn"]: c
            for c in self.world.ecs.describe_container_instances(
                cluster=CLUSTER,
                containerInstances=self.world.ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"],
            )["containerInstances"]
        }
        counted: Counter[str] = Counter()
        for task in self.tasks():
            if task["lastStatus"] == "RUNNING":
                host = instances[task["containerInstanceArn"]]
                kind = next(a["value"] for a in host["attributes"] if a["name"] == "ecs.instance-type")
                counted[f"{kind} {host['ec2InstanceId']}"] += 1
        return counted

    def service_view(self) -> dict[str, Any]:
        (found,) = self.world.ecs.describe_services(cluster=CLUSTER, services=["web"])["services"]
        result: dict[str, Any] = found
        return result

    def reservation(self) -> dict[str, Any]:
        answer = self.world.server.get(f"/_trunkline/capacity-providers?cluster={CLUSTER}")
        answer.raise_for_status()
        (found,) = answer.json()["capacityProviders"]
        result: dict[str, Any] = found
        return result


@pytest.fixture
def stack(spawn: Callable[..., Server]) -> Stack:
    return Stack(spawn("--timing", "manual"))


@pytest.fixture
def untrunked(spawn: Callable[..., Server]) -> Stack:
    return Stack(spawn("--timing", "manual"), trunking=False)


def error_of(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


# --- the API ----------------------------------------------------------------------------------------


def test_a_provider_is_created_with_aws_defaults_and_tags_its_group(stack: Stack) -> None:
    group = stack.group()
    ecs = stack.world.ecs
    created = ecs.create_capacity_provider(
        name=PROVIDER, autoScalingGroupProvider={"autoScalingGroupArn": group["AutoScalingGroupARN"]}
    )["capacityProvider"]
    assert created == {
        "capacityProviderArn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:capacity-provider/{PROVIDER}",
        "name": PROVIDER,
        "status": "ACTIVE",
        "autoScalingGroupProvider": {
            "autoScalingGroupArn": group["AutoScalingGroupARN"],
            "managedScaling": {
                "status": "DISABLED",
                "targetCapacity": 100,
                "minimumScalingStepSize": 1,
                "maximumScalingStepSize": 10000,
                "instanceWarmupPeriod": 300,
            },
            "managedTerminationProtection": "DISABLED",
            "managedDraining": "ENABLED",
        },
        "tags": [],
        "type": "EC2_AUTOSCALING",
    }
    tags = stack.asg.describe_tags(Filters=[{"Name": "key", "Values": ["AmazonECSManaged"]}])["Tags"]
    assert [(t["ResourceId"], t["PropagateAtLaunch"]) for t in tags] == [(GROUP, True)]
    listed = ecs.describe_capacity_providers()["capacityProviders"]
    assert [p["name"] for p in listed] == ["FARGATE", "FARGATE_SPOT", PROVIDER]
    assert error_of(
        lambda: ecs.create_capacity_provider(
            name=PROVIDER, autoScalingGroupProvider={"autoScalingGroupArn": group["AutoScalingGroupARN"]}
        )
    ) == (
        "ClientException",
        "The specified capacity provider already exists. To change the configuration of an existing capacity "
        "provider, update the capacity provider.",
    )
    assert error_of(
        lambda: ecs.create_capacity_provider(
            name="other", autoScalingGroupProvider={"autoScalingGroupArn": group["AutoScalingGroupARN"]}
        )
    )[1].startswith("The specified Auto Scaling group ARN is already being used by another capacity provider.")
    code, message = error_of(
        lambda: ecs.create_capacity_provider(name="ecs-x", autoScalingGroupProvider={"autoScalingGroupArn": GROUP})
    )
    assert code == "ClientException" and message.startswith("The specified capacity provider name is invalid.")
    # An explicit warm-up of 0 is kept; the rest is filled.
    updated = ecs.update_capacity_provider(
        name=PROVIDER, autoScalingGroupProvider={"managedScaling": {"status": "ENABLED", "instanceWarmupPeriod": 0}}
    )["capacityProvider"]
    assert updated["updateStatus"] == "UPDATE_IN_PROGRESS"
    assert updated["autoScalingGroupProvider"]["managedScaling"]["status"] == "DISABLED", "the answer shows the old"
    (now,) = ecs.describe_capacity_providers(capacityProviders=[PROVIDER])["capacityProviders"]
    assert now["updateStatus"] == "UPDATE_COMPLETE"
    assert now["autoScalingGroupProvider"]["managedScaling"] == {
        "status": "ENABLED",
        "targetCapacity": 100,
        "minimumScalingStepSize": 1,
        "maximumScalingStepSize": 10000,
        "instanceWarmupPeriod": 0,
    }


def test_association_replace_semantics_and_delete_states(stack: Stack) -> None:
    ecs = stack.world.ecs
    stack.provider(stack.group()["AutoScalingGroupARN"])
    cluster = ecs.put_cluster_capacity_providers(
        cluster=CLUSTER, capacityProviders=[PROVIDER, "FARGATE"], defaultCapacityProviderStrategy=STRATEGY
    )["cluster"]
    assert cluster["capacityProviders"] == [PROVIDER, "FARGATE"]
    assert cluster["defaultCapacityProviderStrategy"] == STRATEGY
    assert {a["type"] for a in cluster["attachments"]} == {"as_policy", "managed_draining"}
    (described,) = ecs.describe_clusters(clusters=[CLUSTER], include=["ATTACHMENTS"])["clusters"]
    assert described["attachmentsStatus"] == "UPDATE_COMPLETE"
    (policy,) = stack.asg.describe_policies(AutoScalingGroupName=GROUP)["ScalingPolicies"]
    assert policy["PolicyName"].startswith("ECSManagedAutoScalingPolicy-")
    metric = policy["TargetTrackingConfiguration"]["CustomizedMetricSpecification"]
    assert (metric["MetricName"], metric["Namespace"]) == ("CapacityProviderReservation", "AWS/ECS/ManagedScaling")
    (hook,) = stack.asg.describe_lifecycle_hooks(AutoScalingGroupName=GROUP)["LifecycleHooks"]
    assert (hook["LifecycleHookName"], hook["DefaultResult"]) == ("ecs-managed-draining-termination-hook", "CONTINUE")
    # Still associated: the call answers 200, the provider stays ACTIVE with DELETE_FAILED.
    answer = ecs.delete_capacity_provider(capacityProvider=PROVIDER)["capacityProvider"]
    assert (answer["status"], answer["updateStatus"]) == ("ACTIVE", "DELETE_FAILED")
    assert answer["updateStatusReason"] == (
        f"The capacity provider cannot be deleted because it is associated with cluster: {CLUSTER}. "
        "Remove the capacity provider from the cluster and try again."
    )
    # A strategy naming a provider not associated is refused; launchType with a strategy too.
    assert error_of(
        lambda: ecs.run_task(
            cluster=CLUSTER, taskDefinition="web", capacityProviderStrategy=[{"capacityProvider": "nope"}]
        )
    )[1].startswith("The specified capacity provider strategy cannot contain a capacity provider that is not")
    assert error_of(
        lambda: ecs.run_task(cluster=CLUSTER, taskDefinition="web", launchType="EC2", capacityProviderStrategy=STRATEGY)
    ) == (
        "InvalidParameterException",
        "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.",
    )
    # A provider in use cannot be removed from the cluster.
    stack.service(1)
    assert error_of(
        lambda: ecs.put_cluster_capacity_providers(
            cluster=CLUSTER, capacityProviders=[], defaultCapacityProviderStrategy=[]
        )
    ) == ("ResourceInUseException", "The specified capacity provider is in use and cannot be removed.")
    service = stack.service_view()
    assert service["capacityProviderStrategy"] == STRATEGY and "launchType" not in service
    ecs.delete_service(cluster=CLUSTER, service="web", force=True)
    stack.world.settle()
    emptied = ecs.put_cluster_capacity_providers(
        cluster=CLUSTER, capacityProviders=[], defaultCapacityProviderStrategy=[]
    )["cluster"]
    assert emptied["capacityProviders"] == [] and emptied["attachments"] == []
    assert stack.asg.describe_policies(AutoScalingGroupName=GROUP)["ScalingPolicies"] == []
    deleted = ecs.delete_capacity_provider(capacityProvider=PROVIDER)["capacityProvider"]
    assert (deleted["status"], deleted["updateStatus"]) == ("ACTIVE", "DELETE_IN_PROGRESS")
    (gone,) = ecs.describe_capacity_providers(capacityProviders=[PROVIDER])["capacityProviders"]
    assert (gone["status"], gone["updateStatus"]) == ("INACTIVE", "DELETE_COMPLETE")
    assert error_of(lambda: ecs.delete_capacity_provider(capacityProvider=PROVIDER)) == (
        "ClientException",
        "The specified capacity provider does not exist. Specify a valid name or ARN and try again.",
    )


def test_run_task_through_a_provider_waits_for_capacity_and_reports_ec2(stack: Stack) -> None:
    stack.standard(MinSize=0, DesiredCapacity=0)
    assert stack.members() == []
    answer = stack.world.ecs.run_task(
        cluster=CLUSTER,
        taskDefinition="web",
        count=3,
        networkConfiguration={"awsvpcConfiguration": {"subnets": stack.subnets}},
    )
    assert answer["failures"] == []
    assert {(t["lastStatus"], t["launchType"], t["capacityProviderName"]) for t in answer["tasks"]} == {
        ("PROVISIONING", "EC2", PROVIDER)
    }
    assert stack.reservation()["capacityProviderReservation"] == 200.0, "scale-out from zero"
    # A waiting task can be stopped: it never had an instance or an ENI.
    stack.world.ecs.stop_task(cluster=CLUSTER, task=answer["tasks"][0]["taskArn"])
    stack.world.advance(300)  # (settling would also run the scale-in of an instance left empty)
    assert stack.desired() == 2, "CPR 200 from zero: two instances"
    assert sorted(t["lastStatus"] for t in stack.tasks("RUNNING")) == ["RUNNING", "RUNNING"]
    (stopped,) = stack.tasks("STOPPED")
    assert (stopped["stopCode"], stopped["attachments"]) == ("UserInitiated", [])
    instances = stack.world.ecs.describe_container_instances(
        cluster=CLUSTER,
        containerInstances=stack.world.ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"],
    )["containerInstances"]
    assert {c["capacityProviderName"] for c in instances} == {PROVIDER}
    cause = stack.asg.describe_scaling_activities(AutoScalingGroupName=GROUP)["Activities"][0]["Cause"]
    assert "a monitor alarm TargetTracking-ecs-asg-AlarmHigh-" in cause
    assert "in state ALARM triggered policy ECSManagedAutoScalingPolicy-" in cause
    assert "changing the desired capacity from 0 to 2." in cause


def test_run_task_through_a_provider_follows_its_placement_strategy_and_constraints(stack: Stack) -> None:
    """Issue 16: RunTask with a capacity provider places by the request's placementStrategy and
    placementConstraints (they were ignored: every launch read the provider's whole list at random)."""
    stack.standard(MinSize=4, MaxSize=4, DesiredCapacity=4)
    network = {"awsvpcConfiguration": {"subnets": stack.subnets}}

    def hosts(**placement: Any) -> list[str]:
        answer = stack.world.ecs.run_task(
            cluster=CLUSTER, taskDefinition="web", count=3, networkConfiguration=network, **placement
        )
        assert answer["failures"] == [] and len(answer["tasks"]) == 3
        return [t["containerInstanceArn"] for t in answer["tasks"]]

    packed = hosts(placementStrategy=[{"type": "binpack", "field": "memory"}])
    assert len(set(packed)) == 1, "binpack fills one instance"
    again = hosts(placementStrategy=[{"type": "binpack", "field": "memory"}])
    assert set(again) == set(packed), "the fullest instance that fits"
    spread = hosts(placementConstraints=[{"type": "distinctInstance"}])
    assert len(set(spread)) == 3 and not set(spread) & set(packed), "distinct, and away from the busy one"
    assert (
        error_of(
            lambda: stack.world.ecs.run_task(
                cluster=CLUSTER,
                taskDefinition="web",
                networkConfiguration=network,
                placementStrategy=[{"type": "binpack", "field": "nonsense"}],
            )
        )[0]
        == "InvalidParameterException"
    )


# --- the scenarios -------------------------------------------------------------------------


def test_trunked_service_of_24_reaches_steady_state_on_3_instances_then_scales_in_to_1(stack: Stack) -> None:
    stack.standard()
    stack.service(24)
    stack.world.settle()
    service = stack.service_view()
    assert (service["runningCount"], service["pendingCount"]) == (24, 0)
    assert len(stack.members()) == 3, "10 trunked awsvpc tasks per c5.large: 24 tasks need 3 instances"
    per = stack.per_instance()
    assert sum(per.values()) == 24 and max(per.values()) == 10, per  # ENI slots bound: 10 at most
    assert {m["ProtectedFromScaleIn"] for m in stack.members()} == {True}, "every instance runs tasks"
    figure = stack.reservation()
    assert (figure["capacityProviderReservation"], figure["instancesNeeded"], figure["instancesInGroup"]) == (
        100.0,
        3,
        3,
    )
    assert service["events"][0]["message"] == "(service web) has reached a steady state."
    # Scale the service to 4: the idle instances lose their protection and the group scales in to 1.
    stack.world.ecs.update_service(cluster=CLUSTER, service="web", desiredCount=4)
    stack.world.settle()
    assert stack.service_view()["runningCount"] == 4
    members = stack.members()
    assert len(members) == 1 and stack.desired() == 1
    assert members[0]["ProtectedFromScaleIn"] is True
    activities = stack.asg.describe_scaling_activities(AutoScalingGroupName=GROUP)["Activities"]
    terminated = [a for a in activities if a["Description"].startswith("Terminating EC2 instance")]
    assert len(terminated) == 2
    assert "a monitor alarm TargetTracking-ecs-asg-AlarmLow-" in terminated[0]["Cause"]


def test_without_trunking_the_group_grows_to_its_max_and_the_rest_wait(untrunked: Stack) -> None:
    stack = untrunked
    stack.standard()
    stack.service(24)
    stack.world.advance(1200)  # 20 minutes: scale-out steps, warm-ups, registrations
    assert len(stack.members()) == 6 and stack.desired() == 6
    assert sorted(stack.per_instance().values()) == [2] * 6, "2 awsvpc tasks per untrunked c5.large"
    service = stack.service_view()
    assert (service["runningCount"], service["pendingCount"]) == (12, 12)
    waiting = [t for t in stack.tasks() if t["lastStatus"] == "PROVISIONING"]
    assert len(waiting) == 12 and {t["capacityProviderName"] for t in waiting} == {PROVIDER}
    messages = [e["message"] for e in service["events"]]
    assert any(
        m.startswith(
            "(service web) was unable to place a task because no container instance met all of its requirements."
        )
        and '"RESOURCE:ENI"' in m
        for m in messages
    ), messages
    figure = stack.reservation()
    assert figure["instancesInGroup"] == 6 and figure["instancesNeeded"] == 12 and figure["tasksWaiting"] == 12
    assert figure["capacityProviderReservation"] == 200.0
    # After the waiting limit, the waiting tasks stop: TaskFailedToStart with the resource missing.
    stack.world.advance(1800)
    stopped = [t for t in stack.tasks("STOPPED") if t.get("stopCode") == "TaskFailedToStart"]
    assert stopped and {t["stoppedReason"] for t in stopped} == {"TaskFailedToStart: RESOURCE:ENI"}


def test_static_host_ports_bind_one_task_per_instance(stack: Stack) -> None:
    """M counts host ports: bridge tasks with a static hostPort fit one per instance, however much
    CPU and memory is left, so the group grows to one instance per task."""
    stack.world.ecs.register_task_definition(
        family="edge",
        networkMode="bridge",
        cpu="128",
        memory="256",
        containerDefinitions=[
            {
                "name": "proxy",
                "image": "nginx",
                "essential": True,
                "portMappings": [{"containerPort": 80, "hostPort": 80}],
            }
        ],
    )
    stack.standard()
    stack.world.ecs.create_service(cluster=CLUSTER, serviceName="edge", taskDefinition="edge", desiredCount=4)
    stack.world.settle()
    (service,) = stack.world.ecs.describe_services(cluster=CLUSTER, services=["edge"])["services"]
    assert (service["runningCount"], service["pendingCount"]) == (4, 0)
    per = stack.per_instance()
    assert len(stack.members()) == 4 and sorted(per.values()) == [1, 1, 1, 1], per
    figure = stack.reservation()
    assert (figure["instancesNeeded"], figure["instancesInGroup"], figure["tasksWaiting"]) == (4, 4, 0)


def test_mixed_instances_follow_each_types_trunked_limit(stack: Stack) -> None:
    def mixed(*types: str) -> dict[str, Any]:
        return {
            "LaunchTemplate": {
                "LaunchTemplateSpecification": {"LaunchTemplateName": "ecs", "Version": "$Latest"},
                "Overrides": [{"InstanceType": t} for t in types],
            }
        }

    stack.standard(MixedInstancesPolicy=mixed("c5.large", "m5.xlarge", "t3.medium"))
    # Each scale-out launches the first override (prioritized): reordering the overrides between
    # scale-outs gives one instance of each type.
    stack.service(10)
    stack.world.settle()
    stack.asg.update_auto_scaling_group(
        AutoScalingGroupName=GROUP, MixedInstancesPolicy=mixed("m5.xlarge", "c5.large", "t3.medium")
    )
    stack.world.ecs.update_service(cluster=CLUSTER, service="web", desiredCount=30)
    stack.world.settle()
    stack.asg.update_auto_scaling_group(
        AutoScalingGroupName=GROUP, MixedInstancesPolicy=mixed("t3.medium", "c5.large", "m5.xlarge")
    )
    stack.world.ecs.update_service(cluster=CLUSTER, service="web", desiredCount=32)
    stack.world.settle()
    counted = stack.per_instance()
    by_type = sorted((key.split()[0], n) for key, n in counted.items())
    assert by_type == [("c5.large", 10), ("m5.xlarge", 20), ("t3.medium", 2)], counted
    assert len(stack.members()) == 3 and stack.service_view()["runningCount"] == 32
    applies = {row["ec2InstanceId"]: row["trunkingApplies"] for row in stack.world.trunking(CLUSTER)}
    for key in counted:
        kind, instance_id = key.split()
        assert applies[instance_id] is (kind != "t3.medium"), "t3 is never trunked"


@pytest.mark.cli
def test_the_aws_cli_creates_and_associates_a_provider(stack: Stack, tmp_path: Path) -> None:
    arn = stack.group()["AutoScalingGroupARN"]
    aws = make_cli(stack.world.server.url, tmp_path)
    created = aws(
        "ecs", "create-capacity-provider", "--name", PROVIDER, "--auto-scaling-group-provider",
        f"autoScalingGroupArn={arn},managedScaling={{status=ENABLED,targetCapacity=90}},"
        "managedTerminationProtection=ENABLED",
    )["capacityProvider"]  # fmt: skip
    scaling = created["autoScalingGroupProvider"]["managedScaling"]
    assert (scaling["status"], scaling["targetCapacity"], scaling["instanceWarmupPeriod"]) == ("ENABLED", 90, 300)
    cluster = aws(
        "ecs", "put-cluster-capacity-providers", "--cluster", CLUSTER, "--capacity-providers", PROVIDER,
        "--default-capacity-provider-strategy", f"capacityProvider={PROVIDER},weight=1",
    )["cluster"]  # fmt: skip
    assert cluster["defaultCapacityProviderStrategy"] == STRATEGY
    listed = aws("ecs", "describe-capacity-providers", "--capacity-providers", PROVIDER, "nope")
    assert [p["name"] for p in listed["capacityProviders"]] == [PROVIDER]
    assert listed["failures"] == [
        {"arn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:capacity-provider/nope", "reason": "MISSING"}
    ]


def test_update_service_moves_a_service_onto_the_provider(stack: Stack) -> None:
    stack.standard()
    ecs = stack.world.ecs
    ecs.create_service(
        cluster=CLUSTER,
        serviceName="web",
        taskDefinition="web",
        desiredCount=1,
        launchType="EC2",
        networkConfiguration={"awsvpcConfiguration": {"subnets": stack.subnets}},
    )
    stack.world.settle()
    before = stack.service_view()
    assert before["launchType"] == "EC2" and "capacityProviderStrategy" not in before
    assert "capacityProviderName" not in stack.tasks()[0], "a launch type never goes through a provider"
    updated = ecs.update_service(cluster=CLUSTER, service="web", capacityProviderStrategy=STRATEGY, desiredCount=2)
    assert updated["service"]["capacityProviderStrategy"] == STRATEGY and "launchType" not in updated["service"]
    stack.world.settle()
    providers = sorted(str(t.get("capacityProviderName")) for t in stack.tasks("RUNNING"))
    assert providers == ["None", PROVIDER], "the strategy applies to tasks started from then on"
    assert error_of(
        lambda: ecs.update_service(
            cluster=CLUSTER, service="web", capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}]
        )
    )[1].startswith("The specified capacity provider strategy cannot contain a capacity provider that is not")


def test_a_group_of_min_0_scales_in_to_0_and_the_clock_settles(stack: Stack) -> None:
    """One idle instance, MinSize 0: after the low alarm's 15 rounds the group goes to 0 (at most
    half per round, but at least one), and settling ends instead of running rounds forever."""
    stack.standard(MinSize=0, DesiredCapacity=1)
    clock = stack.world.server.post("/_trunkline/clock/settle").json()
    assert clock["nextDueAt"] is None and clock["jobsRun"] < 1000, clock
    assert stack.desired() == 0 and stack.members() == []
    activities = stack.asg.describe_scaling_activities(AutoScalingGroupName=GROUP)["Activities"]
    assert activities[0]["Description"].startswith("Terminating EC2 instance")
    assert (
        "AlarmLow" in activities[0]["Cause"] and "changing the desired capacity from 1 to 0" in activities[0]["Cause"]
    )


def test_a_target_below_100_keeps_spare_instances_and_the_clock_settles(stack: Stack) -> None:
    """Lowering targetCapacity (Terraform's target_capacity) with nothing waiting: target tracking
    holds the reservation at the target, desired = ceil(N x CPR / target), so the group keeps
    spare instances; then no round is left to run (session 7's Terraform trial)."""
    stack.standard(MinSize=0, DesiredCapacity=0)
    stack.service(3)
    stack.world.settle()
    before = stack.reservation()
    assert before["capacityProviderReservation"] == 100.0 and before["tasksWaiting"] == 0
    needed = before["instancesNeeded"]
    assert stack.desired() == needed
    stack.world.ecs.update_capacity_provider(
        name=PROVIDER, autoScalingGroupProvider={"managedScaling": {"status": "ENABLED", "targetCapacity": 50}}
    )
    clock = stack.world.server.post("/_trunkline/clock/settle").json()
    assert clock["nextDueAt"] is None and clock["jobsRun"] < 1000, clock
    assert stack.desired() == 2 * needed and len(stack.members()) == 2 * needed
    after = stack.reservation()
    assert (after["capacityProviderReservation"], after["instancesNeeded"]) == (50.0, needed)
    assert len(stack.tasks("RUNNING")) == 3
    cause = stack.asg.describe_scaling_activities(AutoScalingGroupName=GROUP)["Activities"][0]["Cause"]
    assert "AlarmHigh" in cause and f"changing the desired capacity from {needed} to {2 * needed}." in cause


def test_distinct_instance_tasks_each_get_an_instance_from_managed_scaling(stack: Stack) -> None:
    """A service with the distinctInstance constraint: each waiting task needs an instance with no
    task of its group, so M counts one instance per task (it used to pack them all into the room
    of one instance, leave the reservation at 100 and let the tasks time out; session 7's trial)."""
    stack.standard(MinSize=1, DesiredCapacity=1)
    stack.world.ecs.create_service(
        cluster=CLUSTER,
        serviceName="web",
        taskDefinition="web",
        desiredCount=3,
        placementConstraints=[{"type": "distinctInstance"}],
        networkConfiguration={"awsvpcConfiguration": {"subnets": stack.subnets}},
    )
    stack.world.advance(10)
    reservation = stack.reservation()
    assert reservation["instancesNeeded"] == 3 and reservation["capacityProviderReservation"] == 300.0, reservation
    stack.world.settle()
    assert stack.service_view()["runningCount"] == 3
    assert sorted(stack.per_instance().values()) == [1, 1, 1]
    assert stack.desired() == 3
