"""`trunkline doctor` against a trunkline server, from public APIs only: one container instance per
cause of a missing trunk, and doctor's findings checked against trunkline's own reasons
(`/_trunkline/container-instances/trunking`) for every instance; then the findings' details
(codes, fixes, call budget), the exit status, and the one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from conftest import CREDENTIALS, Server, aws_cli_command
from doctor_world import disagreements, doctor_env, doctor_json, make_public, run_doctor
from ecs_world import WINDOWS, World, config_script, role_arn
from legacy_account import without_ecs_role

CLUSTER = "doctor"


@pytest.fixture
def world(server: Server) -> World:
    return World(server)


def by_instance(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["ec2InstanceId"]: v for v in answer["containerInstances"]}


def codes(verdict: dict[str, Any], blocking: bool | None = None) -> set[str]:
    return {f["code"] for f in verdict["findings"] if blocking is None or f["blocking"] is blocking}


def build_every_cause(world: World) -> dict[str, str]:
    """One instance per cause (and a trunked one); returns {cause: instance id}."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    for role in ("trunkedRole", "plainRole", "lateRole", "overrideRole"):
        world.instance_role(role)
    world.opt_in(role_arn("trunkedRole"))
    world.ecs.put_account_setting_default(name="awsvpcTrunking", value="enabled")
    world.opt_in(role_arn("overrideRole"), "disabled")
    world.opt_in(role_arn("plainRole"), "disabled")
    net = world.network()
    public = world.network(cidr="10.0.2.0/24", public=True)
    make_public(world, public)
    shared = world.network(cidr="10.0.3.0/24", owner="210987654321")
    tiny = world.network(cidr="10.0.4.0/28")
    for _ in range(10):
        world.ec2.create_network_interface(SubnetId=tiny["subnet"])
    script = config_script(CLUSTER)
    made: dict[str, str] = {}
    made["trunked"] = world.launch(public["subnet"], "trunkedRole", script)
    made["account-setting"] = world.launch(net["subnet"], "plainRole", script)
    made["override"] = world.launch(net["subnet"], "overrideRole", script)
    made["instance-type"] = world.launch(net["subnet"], "trunkedRole", script, instance_type="t3.medium")
    made["agent-version"] = world.launch(net["subnet"], "trunkedRole", script, image=world.old_image())
    windows = f"<powershell>\nImport-Module ECSTools\nInitialize-ECSAgent -Cluster {CLUSTER}\n</powershell>"
    made["windows"] = world.launch(net["subnet"], "trunkedRole", windows, image=world.image(WINDOWS))
    made["agent-capability"] = world.launch(
        net["subnet"], "trunkedRole", config_script(CLUSTER, "ECS_ENABLE_HIGH_DENSITY_ENI=false")
    )
    made["agent-no-task-eni"] = world.launch(
        net["subnet"], "trunkedRole", config_script(CLUSTER, "ECS_ENABLE_TASK_ENI=false")
    )
    made["shared-subnet"] = world.launch(shared["subnet"], "trunkedRole", script)
    made["subnet-full"] = world.launch(tiny["subnet"], "trunkedRole", script)
    a_record = {"HostnameType": "ip-name", "EnableResourceNameDnsARecord": True}
    made["dns-a-record"] = world.launch(net["subnet"], "trunkedRole", script, PrivateDnsNameOptions=a_record)
    made["registered-before-opt-in"] = world.launch(net["subnet"], "lateRole", script)
    world.opt_in(role_arn("lateRole"), "disabled")  # registered while the role was opted out...
    world.settle()
    world.opt_in(role_arn("lateRole"))  # ...and opted in afterwards (S5)
    return made


def test_doctor_agrees_with_trunkline_on_every_cause(world: World):
    """The proof: from public APIs only, doctor names the cause trunkline recorded, for every instance."""
    made = build_every_cause(world)
    answer = doctor_json(world.server, CLUSTER)
    assert disagreements(world, CLUSTER, answer) == []
    verdicts = by_instance(answer)
    assert len(verdicts) == len(made)
    expected_blocking = {
        "trunked": set(),
        "account-setting": {"account-setting"},
        "override": {"account-setting"},
        "instance-type": {"instance-type"},
        "agent-version": {"agent-version", "agent-capability"},
        "windows": {"windows", "agent-capability"},
        "agent-capability": {"agent-capability"},
        "agent-no-task-eni": {"agent-no-task-eni", "agent-capability"},
        "shared-subnet": {"registration-failed", "shared-subnet"},
        "subnet-full": {"registration-failed", "subnet-full"},
        "dns-a-record": {"registration-failed", "dns-a-record"},
        "registered-before-opt-in": {"registered-before-opt-in"},
    }
    assert {cause: codes(verdicts[i], True) for cause, i in made.items()} == expected_blocking
    trunked = verdicts[made["trunked"]]
    assert trunked["trunked"] is True and trunked["awsvpcTaskCapacity"] == 10 and not trunked["lacksTrunk"]
    assert codes(trunked) >= {"public-ip-at-risk"}  # auto-assigned public IP in a public subnet (S13)


def drained_then_terminated(world: World, fix: str, instance_id: str) -> None:
    """Run the fix as a user would paste it (bash, the AWS CLI, the endpoint from the
    environment): the instance is drained, and terminated only once it runs no task."""
    aws = Path(aws_cli_command()[0])
    env = {
        "PATH": f"{aws.parent}:{os.environ.get('PATH', '')}",
        "AWS_ENDPOINT_URL": world.server.url,
        "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
    }
    steps = fix.split(" && ")
    assert [s.split()[1:3] for s in steps[:1] + steps[2:]] == [
        ["ecs", "update-container-instances-state"],
        ["ec2", "terminate-instances"],
    ]
    assert steps[1].startswith("until ") and "runningTasksCount" in steps[1]
    done = subprocess.run(["bash", "-c", fix], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    state = world.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["State"]
    assert state["Name"] in ("shutting-down", "terminated")


def test_findings_explain_where_the_setting_comes_from_and_how_to_fix_it(world: World):
    made = build_every_cause(world)
    verdicts = by_instance(doctor_json(world.server, CLUSTER))

    def finding(cause: str, code: str) -> dict[str, Any]:
        return next(f for f in verdicts[made[cause]]["findings"] if f["code"] == code)

    plain = finding("account-setting", "account-setting")
    assert plain["details"]["explicit"] == "disabled" and plain["details"]["accountDefault"] == "enabled"
    assert "overrides the account default" in plain["message"]
    assert plain["fix"].startswith(
        f"aws ecs put-account-setting --name awsvpcTrunking --value enabled --principal-arn {role_arn('plainRole')}"
    )
    late = finding("registered-before-opt-in", "registered-before-opt-in")
    assert late["message"] == (  # no trunked instance of the role: unconfirmed (doctor-checks §4)
        f"every condition holds now, yet no trunk: awsvpcTrunking was probably not in effect for "
        f"{role_arn('lateRole')} when the instance registered (no instance of this role has a trunk yet, so when "
        "the setting took effect is unconfirmed); the decision is kept for the instance's life (S5)"
    )
    assert late["fix"].endswith("  # replacing one instance is also the test")
    drained_then_terminated(world, late["fix"], made["registered-before-opt-in"])
    # C6: a Windows agent never advertises trunking (no Linux agent setting fixes that); on Linux
    # the causes cannot be told apart from outside, unless doctor sees one (doctor-checks §2.3).
    trunking = "the agent did not advertise ecs.capability.task-eni-trunking"
    windows = finding("windows", "agent-capability")
    assert windows["message"] == f"{trunking}: Windows agents never do (S4)"
    assert "ECS_ENABLE_HIGH_DENSITY_ENI" not in windows["fix"] and "amazon-linux-2023" in windows["fix"]
    assert finding("agent-capability", "agent-capability")["message"] == (
        f"{trunking}: ECS_ENABLE_HIGH_DENSITY_ENI=false, task ENI support off, or a failing vpc-branch-eni CNI "
        "plugin; which one cannot be told from outside the instance (the agent's log says)"
    )
    assert finding("agent-version", "agent-capability")["message"] == (
        f"{trunking}: its agent is too old (see agent-version)"
    )
    assert finding("agent-no-task-eni", "agent-capability")["message"] == (
        f"{trunking}: task ENI support is off (see agent-no-task-eni)"
    )
    kind = finding("instance-type", "instance-type")
    nearest = kind["details"]["nearest"]
    assert nearest and all(n["awsvpcTasksTrunked"] for n in nearest)
    assert "t3.medium does not support ENI trunking" in kind["message"]
    dns = finding("dns-a-record", "dns-a-record")
    assert dns["fix"] == (
        f"aws ec2 modify-private-dns-name-options --instance-id {made['dns-a-record']} "
        "--no-enable-resource-name-dns-a-record --region us-east-1"
    )
    failed = finding("shared-subnet", "registration-failed")
    assert failed["details"]["ec2ErrorCode"] == "InvalidParameterValue"
    assert "deregister-container-instance" in failed["fix"]
    for verdict in verdicts.values():
        for f in verdict["findings"]:
            assert f["severity"] in ("error", "warning", "info", "unknown") and f["message"]
            assert f["fix"] or f["severity"] in ("info", "unknown"), f


def test_a_re_registration_keeps_the_first_decision(world: World):
    """S5 follows the EC2 instance: launched before the opt-in, re-registered after a trunked
    sibling; doctor explains it by the instance's first launch, and agrees with trunkline."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    net = world.network()
    old = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    first = world.container_instance_arn(CLUSTER, old)
    world.opt_in(role_arn("ecsInstanceRole"))
    world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    world.ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=first)
    world.ec2.stop_instances(InstanceIds=[old])
    world.settle()
    world.ec2.start_instances(InstanceIds=[old])
    world.settle()
    answer = doctor_json(world.server, CLUSTER)
    assert disagreements(world, CLUSTER, answer) == []
    (late,) = [f for f in by_instance(answer)[old]["findings"] if f["code"] == "registered-before-opt-in"]
    assert late["blocking"] and "first launched before any instance of this role got a trunk" in late["message"]


def test_missing_service_linked_role_is_found(spawn: Callable[..., Server]):
    before = World(spawn())
    before.ecs.create_cluster(clusterName=CLUSTER)
    before.instance_role("ecsInstanceRole")
    before.opt_in(role_arn("ecsInstanceRole"))
    world = World(without_ecs_role(spawn, before.server))  # a cluster, and no role: a legacy account
    net = world.network()
    instance = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    answer = doctor_json(world.server, CLUSTER)
    assert disagreements(world, CLUSTER, answer) == []
    assert answer["serviceLinkedRole"] is False
    found = next(f for f in by_instance(answer)[instance]["findings"] if f["code"] == "service-linked-role-missing")
    assert found["fix"] == "aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com --region us-east-1"


def test_eni_slots_taken_before_registration(spawn: Callable[..., Server]):
    """Every ENI slot of a c5.large taken before its agent registers: no slot for the trunk."""
    world = World(spawn("--timing", "manual"))
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    net = world.network()
    instance = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.advance(15)  # running; the agent is starting
    for index in (1, 2):
        eni = world.ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
        world.ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=instance, DeviceIndex=index)
    world.settle()
    answer = doctor_json(world.server, CLUSTER)
    assert disagreements(world, CLUSTER, answer) == []
    assert "eni-slots-exhausted" in codes(by_instance(answer)[instance], True)


def test_region_eni_quota_used_up(spawn: Callable[..., Server]):
    """A Region quota of one network interface: the primary ENI takes it, so ECS cannot create the
    trunk. Nothing doctor reads shows the quota, so the EC2 code in statusReason names the cause
    (doctor-checks §6.1)."""
    world = World(spawn("--eni-quota", "1"))
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    net = world.network()
    instance = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    verdict = by_instance(doctor_json(world.server, CLUSTER))[instance]
    (failed,) = verdict["findings"]
    assert (failed["code"], failed["details"]["ec2ErrorCode"]) == (
        "registration-failed",
        "NetworkInterfaceLimitExceeded",
    )
    assert failed["message"] == (
        "ECS could not provision the trunk: Unexpected EC2 error while attempting to Create Network Interface in "
        f"subnet '{net['subnet']}': NetworkInterfaceLimitExceeded (no visible cause now; "
        "NetworkInterfaceLimitExceeded means the Region's network interface quota was used up (Service Quotas: "
        "vpc L-DF5E4CA3, Network interfaces per Region))"
    )


def test_resource_eni_events_and_awsvpc_tasks_held(world: World):
    """A service asking more awsvpc tasks than an untrunked c5.large holds: RESOURCE:ENI in its events."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("plainRole")
    net = world.network()
    instance = world.launch(net["subnet"], "plainRole", config_script(CLUSTER))
    world.settle()
    container = {"name": "app", "image": "nginx", "cpu": 128, "memory": 256}
    world.ecs.register_task_definition(family="web", networkMode="awsvpc", containerDefinitions=[container])
    world.ecs.create_service(
        cluster=CLUSTER, serviceName="web", taskDefinition="web", desiredCount=4, launchType="EC2",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [net["subnet"]]}},
    )  # fmt: skip
    world.settle()
    answer = doctor_json(world.server, CLUSTER)
    verdict = by_instance(answer)[instance]
    assert (verdict["awsvpcTasks"], verdict["awsvpcTaskCapacity"]) == (2, 2)
    resource = next(f for f in verdict["findings"] if f["code"] == "resource-eni")
    assert resource["details"]["service"] == "web" and "RESOURCE:ENI" in resource["message"]
    assert disagreements(world, CLUSTER, answer) == []


def test_exit_status_and_plain_output(world: World):
    """Exit 1 while an eligible instance lacks a trunk (for CI), 0 once every eligible one has one;
    piped output is plain text, not a Rich table."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("plainRole")
    net = world.network()
    plain = world.launch(net["subnet"], "plainRole", config_script(CLUSTER))
    world.settle()
    done = run_doctor("--endpoint-url", world.server.url, "--cluster", CLUSTER)
    assert done.returncode == 1, done.stderr
    assert f"{CLUSTER} {plain} c5.large ACTIVE no trunk awsvpc tasks 0/2" in done.stdout
    assert "[error] account-setting: awsvpcTrunking is disabled for" in done.stdout
    assert "─" not in done.stdout and "\x1b[" not in done.stdout
    world.ec2.terminate_instances(InstanceIds=[plain])
    world.settle()
    world.opt_in(role_arn("plainRole"))
    world.launch(net["subnet"], "plainRole", config_script(CLUSTER))
    world.settle()
    assert run_doctor("--endpoint-url", world.server.url, "--cluster", CLUSTER).returncode == 0


def test_one_instance(world: World):
    """--instance narrows the report (and the exit status) to the instances named, by EC2 instance
    id, container instance id or ARN; one that is not a container instance is a one-line error."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("plainRole")
    world.instance_role("goodRole")
    world.opt_in(role_arn("goodRole"))
    net = world.network()
    plain = world.launch(net["subnet"], "plainRole", config_script(CLUSTER))
    good = world.launch(net["subnet"], "goodRole", config_script(CLUSTER))
    stray = world.launch(net["subnet"])  # no agent configuration: never a container instance
    world.settle()
    done = run_doctor("--endpoint-url", world.server.url, "--instance", plain)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(f"{CLUSTER} {plain} c5.large ACTIVE no trunk") and good not in done.stdout
    assert "1 container instance: 0 trunked, 1 eligible without a trunk" in done.stdout
    arn = world.container_instance_arn(CLUSTER, good)
    for name in (arn, arn.rsplit("/", 1)[-1]):
        done = run_doctor(
            "--endpoint-url", world.server.url, "--cluster", CLUSTER, "--instance", name, "--output", "json"
        )
        assert done.returncode == 0, done.stderr
        assert [v["ec2InstanceId"] for v in json.loads(done.stdout)["containerInstances"]] == [good]
    done = run_doctor("--endpoint-url", world.server.url, "--cluster", CLUSTER, "--instance", stray, "--instance", good)
    assert done.returncode == 1, done.stderr
    assert done.stdout.endswith(
        f"- {stray} c5.large NOT_REGISTERED no trunk awsvpc tasks 0/0\n"
        f"  [error] not-registered: no container instance in {CLUSTER}: it has no instance profile, so its agent "
        "has no credentials to register with\n"
        f"    fix: aws ec2 associate-iam-instance-profile --instance-id {stray} --iam-instance-profile "
        "Name=ecsInstanceRole --region us-east-1\n"
        "1 container instance and 1 EC2 instance that never registered: 1 trunked, 1 eligible without a trunk; "
        "21 API calls (account 123456789012, us-east-1)\n"  # DescribeClusters: the capacity providers
    )
    line = one_line_error(run_doctor("--endpoint-url", world.server.url, "--cluster", CLUSTER, "--instance", "i-0"))
    assert line == (
        f"trunkline doctor: no container instance i-0 in cluster {CLUSTER}, and no such EC2 instance (an EC2 "
        "instance id, or a container instance id or ARN)"
    )


def test_a_type_newer_than_the_ecs_table_is_an_estimate(world: World):
    """c7i.large is not in ECS's published table: its trunked limit is estimated from EKS's data
    (doctor-checks §5.4), and doctor says so where a verdict rests on it."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("goodRole")
    world.instance_role("plainRole")
    world.opt_in(role_arn("goodRole"))
    net = world.network()
    trunked = world.launch(net["subnet"], "goodRole", config_script(CLUSTER), instance_type="c7i.large")
    plain = world.launch(net["subnet"], "plainRole", config_script(CLUSTER), instance_type="c7i.large")
    documented = world.launch(net["subnet"], "goodRole", config_script(CLUSTER), instance_type="c5.large")
    world.settle()
    done = run_doctor("--endpoint-url", world.server.url, "--cluster", CLUSTER)
    assert f"{CLUSTER} {trunked} c7i.large ACTIVE trunked awsvpc tasks 0/10 (limit estimated)\n" in done.stdout
    assert f"{CLUSTER} {documented} c5.large ACTIVE trunked awsvpc tasks 0/10\n" in done.stdout
    verdicts = by_instance(doctor_json(world.server, CLUSTER))
    assert [verdicts[i]["awsvpcTaskCapacityEstimated"] for i in (trunked, plain, documented)] == [True, False, False]
    (note,) = [f for f in verdicts[plain]["findings"] if f["code"] == "instance-type"]
    assert (note["severity"], note["blocking"]) == ("info", False)
    assert note["message"] == (
        "ECS's table of supported types (2023) does not list c7i.large: that it supports trunking (2 → 10 tasks) "
        "is estimated from EKS's branch-ENI limits"
    )
    assert codes(verdicts[plain], True) == {"account-setting"}


def test_calls_are_batched(world: World):
    """The budget: a fixed number of calls, not one per instance (doctor-checks §1)."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    net = world.network(cidr="10.0.0.0/20")
    world.ec2.run_instances(
        ImageId=world.image(), InstanceType="c5.large", MinCount=30, MaxCount=30, SubnetId=net["subnet"],
        IamInstanceProfile={"Name": "ecsInstanceRole"}, UserData=config_script(CLUSTER),
    )  # fmt: skip
    world.settle()
    answer = doctor_json(world.server, CLUSTER)
    assert len(answer["containerInstances"]) == 30
    calls = answer["apiCallsByOperation"]
    assert calls["ecs:DescribeContainerInstances"] == 1 and calls["ec2:DescribeInstances"] == 1
    assert calls["ecs:ListAccountSettings"] == 3  # the default, and the one role twice
    assert answer["apiCalls"] <= 15


def test_public_ip_in_a_public_subnet(world: World):
    """S13: trunked, auto-assigned public IP, a route to an internet gateway: at risk. The same
    instance in a subnet without that route is not."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    public = world.network(public=True)
    make_public(world, public)
    private = world.network(cidr="10.0.2.0/24", public=True)  # maps public IPs, but no route out
    exposed = world.launch(public["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    shielded = world.launch(private["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    answer = doctor_json(world.server, CLUSTER)
    verdicts = by_instance(answer)
    if "ec2:DescribeRouteTables" in answer["notDeterminable"]:  # an endpoint without route tables
        assert any(f["code"] == "not-determinable" for f in verdicts[exposed]["findings"])
        return
    (risk,) = [f for f in verdicts[exposed]["findings"] if f["code"] == "public-ip-at-risk"]
    assert "associate-address" in risk["fix"] and risk["severity"] == "warning"
    assert codes(verdicts[shielded]) == set()


def test_a_refused_call_makes_its_checks_not_determinable(world: World, monkeypatch: pytest.MonkeyPatch):
    """An endpoint without a call (here: trunkline's unimplemented iam:GetAccountSummary) is
    recorded, not fatal; checks without their facts (route tables) say not-determinable."""
    from trunkline.doctor import checks
    from trunkline.doctor.collect import Collector

    for name, value in doctor_env().items():
        monkeypatch.setenv(name, value)
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    public = world.network(public=True)
    make_public(world, public)
    instance = world.launch(public["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    collector = Collector(None, None, world.server.url)
    assert collector.optional("iam", "get_account_summary") is None
    assert collector.facts.refused["iam:GetAccountSummary"].startswith("UnsupportedOperation")
    facts = collector.collect([CLUSTER])
    facts.route_tables = None  # as if DescribeRouteTables had been refused
    facts.refused["ec2:DescribeRouteTables"] = "UnsupportedOperation: not here"
    (verdict,) = [v for v in checks.diagnose_all(facts) if v.ec2_instance_id == instance]
    found = {f.code: f for f in verdict.findings}
    assert found["not-determinable"].details == {"check": "public subnet"}
    assert found["public-ip-at-risk"].severity == "warning" and "if subnet" in found["public-ip-at-risk"].message


# --- errors: one line, never a traceback --------------------------------------------------------------


def one_line_error(done: Any) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return str(lines[0])


def test_errors_are_one_line(server: Server):
    env = doctor_env()
    no_credentials = {k: v for k, v in env.items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    line = one_line_error(run_doctor("--endpoint-url", server.url, env=no_credentials))
    assert line.startswith("trunkline doctor: no AWS credentials found")
    line = one_line_error(run_doctor("--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1"))
    assert line == "trunkline doctor: cannot reach the endpoint: http://127.0.0.1:9/"
    line = one_line_error(run_doctor("--endpoint-url", server.url, "--cluster", "nowhere"))
    assert line == "trunkline doctor: no cluster nowhere in us-east-1 (account 123456789012): it has no cluster"
    server.client("ecs").create_cluster(clusterName="prod")
    server.client("ecs").create_cluster(clusterName="apps")
    line = one_line_error(run_doctor("--endpoint-url", server.url, "--cluster", "prd"))  # a typo, or the wrong Region
    assert line == "trunkline doctor: no cluster prd in us-east-1 (account 123456789012): its clusters are apps, prod"
    line = one_line_error(run_doctor("--endpoint-url", server.url, "--profile", "nobody"))
    assert line == "trunkline doctor: AWS profile not found: nobody"
    no_region = {k: v for k, v in env.items() if k != "AWS_DEFAULT_REGION"}
    line = one_line_error(run_doctor("--endpoint-url", server.url, env=no_region))
    assert line.startswith("trunkline doctor: no AWS Region")
    line = one_line_error(run_doctor("--endpoint-url", "127.0.0.1 4590"))
    assert line == "trunkline doctor: not an endpoint URL: 127.0.0.1 4590 (e.g. http://127.0.0.1:4590)"
    line = one_line_error(run_doctor("--endpoint-url", server.url + "/nothing"))  # a web server, not an AWS API
    assert line == (
        f"trunkline doctor: get_caller_identity: the answer from {server.url}/nothing is not an AWS API response "
        "(is it an AWS endpoint?)"
    )


def test_terminal_output_is_a_rich_table(world: World, monkeypatch: pytest.MonkeyPatch):
    """On a terminal: a Rich table per cluster with the same findings."""
    import io

    from rich.console import Console

    from trunkline.doctor import render
    from trunkline.doctor.run import diagnose

    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("plainRole")
    net = world.network()
    plain = world.launch(net["subnet"], "plainRole", config_script(CLUSTER))
    world.settle()
    for name, value in doctor_env().items():
        monkeypatch.setenv(name, value)
    facts, verdicts = diagnose([CLUSTER], endpoint_url=world.server.url)
    out = io.StringIO()
    render.table(Console(file=out, force_terminal=True, width=200), facts, verdicts)
    text = out.getvalue()
    assert f"cluster {CLUSTER}" in text and plain in text and "account-setting" in text and "┃" in text


def test_a_cluster_named_twice_is_read_once(world: World):
    """`--cluster NAME --cluster ARN` (or a name twice) names one cluster: its instances are read
    and reported once, not once per spelling."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("goodRole")
    world.opt_in(role_arn("goodRole"))
    instance = world.launch(world.network()["subnet"], "goodRole", config_script(CLUSTER))
    world.settle()
    arn = world.ecs.describe_clusters(clusters=[CLUSTER])["clusters"][0]["clusterArn"]
    once = doctor_json(world.server, CLUSTER)
    twice = doctor_json(world.server, CLUSTER, arn, CLUSTER)
    assert [v["ec2InstanceId"] for v in twice["containerInstances"]] == [instance]
    assert twice["apiCallsByOperation"] == once["apiCallsByOperation"]


def run_fix(world: World, fix: str) -> subprocess.CompletedProcess[str]:
    """A finding's fix as a user would paste it: bash, the AWS CLI, the endpoint from the environment."""
    aws = Path(aws_cli_command()[0])
    env = {
        "PATH": f"{aws.parent}:{os.environ.get('PATH', '')}",
        "AWS_ENDPOINT_URL": world.server.url,
        "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
    }
    return subprocess.run(["bash", "-c", fix], env=env, capture_output=True, text=True, timeout=120)


def test_public_ip_fix_works_and_a_lost_ip_is_found(world: World):
    """C14, both verdicts of doctor-checks §5.3. At risk: the fix associates an Elastic IP with the
    primary interface (EC2 refuses an instance id for an instance with two interfaces, as a trunked
    one has), and pasted as is it works, after which the instance is no longer at risk. Already hit
    (S13): stopped and started, the instance has no public IP and its agent is disconnected."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    public = world.network(public=True)
    make_public(world, public)
    fixed = world.launch(public["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    restarted = world.launch(public["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    world.ec2.stop_instances(InstanceIds=[restarted])
    world.settle()
    world.ec2.start_instances(InstanceIds=[restarted])
    world.settle()
    assert world.of_instance(CLUSTER, restarted)["agentConnected"] is False
    verdicts = by_instance(doctor_json(world.server, CLUSTER))
    primary = next(n for n in world.enis_of(fixed) if n["Attachment"]["DeviceIndex"] == 0)["NetworkInterfaceId"]
    (risk,) = [f for f in verdicts[fixed]["findings"] if f["code"] == "public-ip-at-risk"]
    assert risk["fix"] == (
        "aws ec2 allocate-address --domain vpc --query AllocationId --output text --region us-east-1 | xargs -I{} "
        f"aws ec2 associate-address --network-interface-id {primary} --allocation-id {{}} --region us-east-1"
    )
    (lost,) = [f for f in verdicts[restarted]["findings"] if f["code"] == "public-ip-lost"]
    assert (lost["severity"], lost["blocking"]) == ("warning", False)
    assert lost["message"] == (
        f"trunked, in public subnet {public['subnet']}, with no public IP and its agent disconnected: it probably "
        "lost its auto-assigned public IP at a stop and start, and its agent cannot reach ECS (S13)"
    )
    done = run_fix(world, risk["fix"])
    assert done.returncode == 0, done.stderr
    world.settle()
    (eth0,) = [n for n in world.instance(fixed)["NetworkInterfaces"] if n["Attachment"]["DeviceIndex"] == 0]
    assert eth0["Association"]["IpOwnerId"] != "amazon"  # an Elastic IP: kept across stop and start
    assert codes(by_instance(doctor_json(world.server, CLUSTER))[fixed]) == set()


def test_a_subnet_that_turns_a_records_on_for_new_instances(world: World):
    """C12 for future launches (doctor-checks §5.1): a trunked instance is fine itself, but its subnet
    now turns resource-based DNS A records on at launch, so its replacement would get no trunk (S6).
    Doctor warns with the subnet's fix; pasted, the fix works and the warning goes."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    net = world.network()
    trunked = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    world.ec2.modify_subnet_attribute(SubnetId=net["subnet"], EnableResourceNameDnsARecordOnLaunch={"Value": True})
    verdict = by_instance(doctor_json(world.server, CLUSTER))[trunked]
    assert verdict["trunked"] is True
    (finding,) = verdict["findings"]
    assert (finding["code"], finding["severity"], finding["blocking"]) == ("dns-a-record-on-launch", "warning", False)
    assert finding["message"] == (
        f"subnet {net['subnet']} turns resource-based IPv4 DNS (A record) requests on for the instances launched "
        "in it: a replacement or new instance there gets no trunk unless its launch template turns them off (S6)"
    )
    done = run_fix(world, finding["fix"])
    assert done.returncode == 0, done.stderr
    assert codes(by_instance(doctor_json(world.server, CLUSTER))[trunked]) == set()


def test_an_earlier_trunked_sibling_is_a_contradiction_not_a_guess(spawn: Callable[..., Server]):
    """doctor-checks §4 "unexplained": the role's setting is enabled now, and an instance of the role
    that registered earlier got a trunk; this one, registered later, has none. Either the setting was
    off in between, or a cause doctor cannot see applies: doctor says both and does not guess
    (here the first is what happened, and trunkline's reason agrees). On the manual clock, a minute
    between the steps, so that the registrations' whole seconds differ."""
    world = World(spawn("--timing", "manual"))
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    role = role_arn("ecsInstanceRole")
    world.opt_in(role)
    net = world.network()
    earlier = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    world.advance(60)
    world.opt_in(role, "disabled")
    later = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    world.opt_in(role)
    answer = doctor_json(world.server, CLUSTER)
    assert disagreements(world, CLUSTER, answer) == []

    def registered(instance: str) -> str:
        return f"{world.of_instance(CLUSTER, instance)['registeredAt'].astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"

    (finding,) = by_instance(answer)[later]["findings"]
    assert (finding["code"], finding["blocking"]) == ("registered-before-opt-in", True)
    assert finding["message"] == (
        f"every condition doctor can read holds, yet no trunk, although an instance of {role} that registered "
        f"earlier ({registered(earlier)}) got one: either awsvpcTrunking was switched off for the role when this "
        f"instance registered ({registered(later)}) and on again since, or a cause doctor cannot see applies (on "
        "the instance itself, or an ECS table of supported types that differs from the published one)"
    )


def test_the_agent_floor_is_higher_off_amazon_linux(world: World):
    """C7 (doctor-checks §2.3): agent 1.28.1 is the floor on Amazon Linux; elsewhere (no
    ec2-net-utils) trunking needs 1.29.1, and `ecs.os-type-detailed` says which OS. Two agents
    1.29.0 that advertise trunking, registered by hand (as root, so neither gets a trunk): the one on
    Debian is too old, the one on Amazon Linux 2023 is not."""
    from test_ecs_registration import agent_call, bare_instance

    world.ecs.create_cluster(clusterName=CLUSTER)
    net = world.network()
    made: dict[str, str] = {}
    for detailed in ("debian_11", "amzn_2023"):
        instance = bare_instance(world, net["subnet"])
        call = agent_call(world, instance, cluster=CLUSTER)
        call["versionInfo"]["agentVersion"] = "1.29.0"
        call["attributes"].append({"name": "ecs.os-type-detailed", "value": detailed})
        world.ecs.register_container_instance(**call)
        made[detailed] = instance
    world.settle()
    verdicts = by_instance(doctor_json(world.server, CLUSTER))
    (old,) = [f for f in verdicts[made["debian_11"]]["findings"] if f["code"] == "agent-version"]
    assert old["message"] == "ECS agent 1.29.0 is older than 1.29.1, the first with ENI trunking on this OS"
    assert old["blocking"] and "agent-version" not in codes(verdicts[made["amzn_2023"]])
