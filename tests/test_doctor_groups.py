"""`trunkline doctor --cluster X` finds the instances its capacity providers' Auto Scaling groups
launched that never became container instances of X, with no `--instance` to name them: through
DescribeClusters → capacityProviders → DescribeCapacityProviders → autoScalingGroupArn →
DescribeAutoScalingGroups → Instances (InService). A reader who may not call autoscaling:Describe*
gets the rest of the diagnosis and the refusal named."""

from __future__ import annotations

import base64
import email.utils
import json
import re
from collections.abc import Callable
from typing import Any

from capacity_world import subnets_in_two_zones
from conftest import Server
from doctor_world import doctor_env, run_doctor
from ec2_world import AL2023
from ecs_world import PLAIN_AL2023, World, config_script, role_arn
from test_doctor_reader import INSTANCE_POLICY, reader

CLUSTER = "apps"
GROUP = "ecs-asg"
PROVIDER = "cp-app"


def group_for(world: World, user_data_cluster: str, size: int, image: str = AL2023, settle: bool = True) -> list[str]:
    """A launch template whose user data names `user_data_cluster`, an Auto Scaling group of `size`
    instances from it, a capacity provider over the group associated with CLUSTER; the group's
    InService instance ids (none asked for without `settle`: the group has just been created)."""
    subnets = subnets_in_two_zones(world)
    data = {
        "ImageId": world.ssm.get_parameter(Name=image)["Parameter"]["Value"],
        "InstanceType": "c5.large",
        "IamInstanceProfile": {"Name": "ecsInstanceRole"},
        "UserData": base64.b64encode(config_script(user_data_cluster).encode()).decode(),
    }
    world.ec2.create_launch_template(LaunchTemplateName="ecs", LaunchTemplateData=data)
    asg = world.server.client("autoscaling")
    asg.create_auto_scaling_group(
        AutoScalingGroupName=GROUP, LaunchTemplate={"LaunchTemplateName": "ecs", "Version": "$Latest"},
        MinSize=size, MaxSize=size, VPCZoneIdentifier=",".join(subnets),
    )  # fmt: skip
    (group,) = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[GROUP])["AutoScalingGroups"]
    world.ecs.create_capacity_provider(
        name=PROVIDER, autoScalingGroupProvider={"autoScalingGroupArn": group["AutoScalingGroupARN"]}
    )
    world.ecs.put_cluster_capacity_providers(
        cluster=CLUSTER, capacityProviders=[PROVIDER], defaultCapacityProviderStrategy=[{"capacityProvider": PROVIDER}]
    )
    if not settle:
        return []
    world.settle()
    (group,) = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[GROUP])["AutoScalingGroups"]
    members = sorted(i["InstanceId"] for i in group["Instances"] if i["LifecycleState"] == "InService")
    assert len(members) == size
    return members


def verdicts_of(done: Any) -> dict[str, dict[str, Any]]:
    return {v["ec2InstanceId"]: v for v in json.loads(done.stdout)["containerInstances"]}


def test_group_instances_registered_in_another_cluster(server: Server):
    """The launch template's user data names another cluster: the group's instances register there,
    and the cluster whose provider launched them shows none. Doctor, asked about that cluster only,
    reports each of them with the reason, and reads them in the calls it already makes."""
    world = World(server)
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.ecs.create_cluster(clusterName="elsewhere")
    world.instance_role("ecsInstanceRole")
    world.iam.attach_role_policy(RoleName="ecsInstanceRole", PolicyArn=INSTANCE_POLICY)
    world.opt_in(role_arn("ecsInstanceRole"))
    members = group_for(world, "elsewhere", 2)
    assert world.ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"] == []

    done = run_doctor("--endpoint-url", server.url, "--cluster", CLUSTER, "--output", "json")
    assert done.returncode == 1, done.stderr
    answer = json.loads(done.stdout)
    verdicts = verdicts_of(done)
    assert sorted(verdicts) == members
    for instance in members:
        verdict = verdicts[instance]
        assert (verdict["cluster"], verdict["status"], verdict["lacksTrunk"]) == (CLUSTER, "NOT_REGISTERED", True)
        (finding,) = verdict["findings"]
        assert (finding["code"], finding["severity"], finding["blocking"]) == ("not-registered", "error", True)
        assert finding["message"] == (
            f"launched by Auto Scaling group {GROUP} (capacity provider {PROVIDER}), no container instance in "
            f"{CLUSTER}: its user data sets ECS_CLUSTER=elsewhere: its agent registers there"
        )
        assert finding["fix"] == (
            f"aws autoscaling start-instance-refresh --auto-scaling-group-name {GROUP} --region us-east-1  # after "
            f"setting ECS_CLUSTER={CLUSTER} in the user data of the group's launch template"
        )
        assert finding["details"] == {
            "role": role_arn("ecsInstanceRole"),
            "registerDecision": "allowed",
            "userDataCluster": "elsewhere",
            "autoScalingGroup": GROUP,
            "capacityProvider": PROVIDER,
        }
    calls = answer["apiCallsByOperation"]
    assert calls["ecs:DescribeClusters"] == 1 and calls["ecs:DescribeCapacityProviders"] == 1
    assert calls["autoscaling:DescribeAutoScalingGroups"] == 1
    assert calls["ec2:DescribeInstances"] == 1  # the group's instances join the container instances' call

    # Registered where the provider serves: nothing to report about the group.
    done = run_doctor("--endpoint-url", server.url, "--cluster", "elsewhere", "--output", "json")
    assert {v["status"] for v in verdicts_of(done).values()} == {"ACTIVE"}


def test_registered_group_instances_are_not_strays(server: Server):
    """A group whose instances registered in the provider's cluster: container instances only."""
    world = World(server)
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    members = group_for(world, CLUSTER, 2)
    done = run_doctor("--endpoint-url", server.url, "--cluster", CLUSTER, "--output", "json")
    assert done.returncode == 0, done.stderr
    verdicts = verdicts_of(done)
    assert sorted(verdicts) == members
    assert {(v["status"], v["trunked"]) for v in verdicts.values()} == {("ACTIVE", True)}


def test_a_reader_who_may_not_describe_auto_scaling_groups(spawn: Callable[..., Server]):
    """IAM enforced; the auditor has doctor's read-only permissions but no autoscaling:Describe*:
    the run goes on, the group's instances unknown and the refused call named, not a crash."""
    world = World(spawn("--enforce-iam"))
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.ecs.create_cluster(clusterName="elsewhere")
    world.instance_role("ecsInstanceRole")
    world.iam.attach_role_policy(RoleName="ecsInstanceRole", PolicyArn=INSTANCE_POLICY)
    group_for(world, "elsewhere", 1)
    done = run_doctor("--endpoint-url", world.server.url, "--cluster", CLUSTER, env=reader(world))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("0 container instances: 0 trunked, 0 eligible without a trunk; ")
    assert (
        "\nnot determinable: autoscaling:DescribeAutoScalingGroups (AccessDenied: User: "
        "arn:aws:iam::123456789012:user/auditor is not authorized to perform: autoscaling:DescribeAutoScalingGroups"
        in done.stdout
    ), done.stdout


# --- C3: REGISTERING for too long, measured by the answer's Date against registeredAt ------------------


def registering(world: World) -> str:
    """An instance whose agent has registered and whose trunk is still being provisioned (trunkline
    provisions it 10 s after the registration, on the manual clock)."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    instance = world.launch(world.network()["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    for _ in range(120):
        arns = world.ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"]
        if arns:
            break
        world.advance(1)
    (found,) = world.ecs.describe_container_instances(cluster=CLUSTER, containerInstances=arns)["containerInstances"]
    assert found["status"] == "REGISTERING"
    return instance


def test_a_fresh_registration_is_being_provisioned(spawn: Callable[..., Server]):
    """The manual clock is two hours ahead of the wall clock: an instance that registered 5 seconds
    ago by trunkline's clock (which the answer's Date shows, as registeredAt does) is on its way
    to a trunk, not stuck, and doctor measures the 5 seconds."""
    world = World(spawn("--timing", "manual"))
    world.advance(7200)
    instance = registering(world)
    world.advance(5)  # provisioning takes 10 s
    done = run_doctor("--endpoint-url", world.server.url, "--cluster", CLUSTER, "--output", "json")
    assert done.returncode == 0, done.stderr
    verdict = verdicts_of(done)[instance]
    (finding,) = verdict["findings"]
    assert (finding["code"], finding["severity"], verdict["lacksTrunk"]) == ("provisioning", "info", False)
    assert (
        4 <= finding["details"]["secondsRegistering"] <= 5
    )  # Date has whole seconds; by trunkline's clock, not the wall clock
    assert finding["message"].startswith("the trunk ENI is being provisioned (REGISTERING for ")


def test_registering_for_too_long(spawn: Callable[..., Server], monkeypatch: Any):
    """ECS answers 11.5 minutes after the registration and the instance is still REGISTERING: its
    trunk could not be made (C3). trunkline itself always finishes provisioning 10 s after the
    registration, so the answer's Date is moved on in flight, as AWS would date a later answer."""
    from trunkline.doctor import checks
    from trunkline.doctor.collect import Collector

    world = World(spawn("--timing", "manual"))
    instance = registering(world)
    for name, value in doctor_env().items():
        monkeypatch.setenv(name, value)
    collector = Collector(None, None, world.server.url)

    def later(response_dict: dict[str, Any], **_: Any) -> None:
        moment = email.utils.parsedate_to_datetime(response_dict["headers"]["date"]).timestamp() + 690
        response_dict["headers"]["date"] = email.utils.formatdate(moment, usegmt=True)

    collector._clients["ecs"].meta.events.register("before-parse.ecs.DescribeContainerInstances", later)
    (verdict,) = [v for v in checks.diagnose_all(collector.collect([CLUSTER])) if v.ec2_instance_id == instance]
    (finding,) = verdict.findings
    assert (finding.code, finding.severity, finding.blocking, verdict.lacks_trunk) == (
        "registering-too-long",
        "error",
        True,
        True,
    )
    assert 689 <= finding.details["secondsRegistering"] <= 690  # Date has whole seconds
    assert finding.message.startswith("REGISTERING for 11 min ")
    assert finding.message.endswith(": ECS could not provision the trunk; no condition doctor can read explains it")
    assert finding.fix.startswith(f"aws ecs deregister-container-instance --cluster {CLUSTER} --container-instance ")


# --- a group's instance launched moments ago: still starting, not a stray ------------------------------


def group_member(world: World, state: str) -> str:
    """Advance trunkline's manual clock a second at a time until the group's one instance is in
    `state` (its Auto Scaling lifecycle state); its id."""
    asg = world.server.client("autoscaling")
    for _ in range(120):
        (group,) = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[GROUP])["AutoScalingGroups"]
        found = [i["InstanceId"] for i in group["Instances"] if i["LifecycleState"] == state]
        if found:
            return found[0]
        world.advance(1)
    raise AssertionError(f"no {state} instance in {GROUP}")


def test_a_group_instance_launched_moments_ago_is_starting(spawn: Callable[..., Server]):
    """Right after `terraform apply`: the group's instance is Pending, then InService while its agent
    (which registers 20 s after the instance runs) has not registered yet. Doctor says it is still
    starting, how long ago it launched by the answer's Date (trunkline's clock, two hours ahead of
    the wall clock here) and what it waits for: info, exit 0, not a NOT_REGISTERED error."""
    world = World(spawn("--timing", "manual"))
    world.advance(7200)
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    world.iam.attach_role_policy(RoleName="ecsInstanceRole", PolicyArn=INSTANCE_POLICY)
    world.opt_in(role_arn("ecsInstanceRole"))
    group_for(world, CLUSTER, 1, settle=False)
    instance = group_member(world, "Pending")
    done = run_doctor("--endpoint-url", world.server.url, "--cluster", CLUSTER, "--output", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    verdict = verdicts_of(done)[instance]
    assert (verdict["status"], verdict["lacksTrunk"]) == ("STARTING", False)
    (finding,) = verdict["findings"]
    assert (finding["code"], finding["severity"], finding["blocking"]) == ("agent-starting", "info", False)
    assert finding["details"]["lifecycleState"] == "Pending"
    assert (
        f"(capacity provider {PROVIDER}, lifecycle state Pending): still starting, waiting for " in finding["message"]
    )

    instance = group_member(world, "InService")
    assert world.ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"] == []
    done = run_doctor("--endpoint-url", world.server.url, "--cluster", CLUSTER)
    assert done.returncode == 0, done.stdout + done.stderr
    age = world.instance(instance)["LaunchTime"]
    line, info, summary = done.stdout.splitlines()
    assert line == f"{CLUSTER} {instance} c5.large STARTING no trunk yet awsvpc tasks 0/0"
    assert re.fullmatch(
        rf"  \[info\] agent-starting: launched [12][0-9] s ago \({age:%Y-%m-%dT%H:%M:%SZ}\) by Auto Scaling "
        rf"group {GROUP} \(capacity provider {PROVIDER}\): still starting, waiting for its ECS agent to register in "
        rf"{CLUSTER}; doctor reports it as not registered if it has not registered 5 min after its launch "
        r"\(in 4 min \d+ s\)",
        info,
    ), info
    assert summary.startswith("0 container instances and 1 EC2 instance still starting: 0 trunked, 0 eligible ")


def test_the_grace_after_launch_ends_at_five_minutes(spawn: Callable[..., Server]):
    """An instance of the group whose image has no ECS agent never registers, and nothing doctor can
    read says why. Up to 5 minutes after its LaunchTime (the answer's Date minus LaunchTime, on
    trunkline's manual clock) it is still starting; past them it is NOT_REGISTERED, blocking."""
    world = World(spawn("--timing", "manual"))
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    world.iam.attach_role_policy(RoleName="ecsInstanceRole", PolicyArn=INSTANCE_POLICY)
    world.opt_in(role_arn("ecsInstanceRole"))
    (instance,) = group_for(world, CLUSTER, 1, image=PLAIN_AL2023)

    def verdict() -> tuple[int, dict[str, Any]]:
        done = run_doctor("--endpoint-url", world.server.url, "--cluster", CLUSTER, "--output", "json")
        return done.returncode, verdicts_of(done)[instance]

    code, found = verdict()
    age = found["findings"][0]["details"]["secondsSinceLaunch"]
    assert (code, found["status"], age < 295) == (0, "STARTING", True)
    world.advance(295 - age)  # 295 s after the launch (Date and LaunchTime have whole seconds)
    code, found = verdict()
    (finding,) = found["findings"]
    assert (code, found["status"], found["lacksTrunk"]) == (0, "STARTING", False)
    assert (finding["code"], finding["details"]["secondsSinceLaunch"]) == ("agent-starting", 295)
    assert finding["message"].endswith("after its launch (in 5 s)")
    world.advance(10)  # 305 s
    code, found = verdict()
    (finding,) = found["findings"]
    assert (code, found["status"], found["lacksTrunk"]) == (1, "NOT_REGISTERED", True)
    assert (finding["code"], finding["severity"], finding["blocking"]) == ("not-registered", "error", True)
    assert finding["message"] == (
        f"launched by Auto Scaling group {GROUP} (capacity provider {PROVIDER}), no container instance in {CLUSTER}: "
        "nothing doctor can read says why: the agent is not running, or cannot reach ECS (network, endpoint) "
        "(launched 5 min 5 s ago)"
    )


def test_an_instance_asked_for_moments_after_its_launch(spawn: Callable[..., Server]):
    """`doctor --instance i-…` a few seconds after `run-instances` (no Auto Scaling group): the
    instance is pending, its agent is yet to start; doctor says it is starting and which cluster its
    user data names, by the DescribeInstances answer's Date against LaunchTime."""
    world = World(spawn("--timing", "manual"))
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    world.iam.attach_role_policy(RoleName="ecsInstanceRole", PolicyArn=INSTANCE_POLICY)
    instance = world.launch(world.network()["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.advance(5)
    done = run_doctor("--endpoint-url", world.server.url, "--instance", instance, "--output", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    verdict = verdicts_of(done)[instance]
    assert (verdict["cluster"], verdict["status"], verdict["lacksTrunk"]) == (CLUSTER, "STARTING", False)
    (finding,) = verdict["findings"]
    launched = world.instance(instance)["LaunchTime"]
    age = finding["details"]["secondsSinceLaunch"]
    assert age in (4, 5)  # the Date has whole seconds, trunkline's LaunchTime a fraction
    assert finding["message"] == (
        f"launched {age} s ago ({launched:%Y-%m-%dT%H:%M:%SZ}): still starting, waiting for EC2 to start it, then "
        f"its ECS agent to register in {CLUSTER}; doctor reports it as not registered if it has not registered 5 min "
        f"after its launch (in 4 min {60 - age} s)"
    )
