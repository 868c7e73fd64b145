"""`trunkline doctor` run as it is against real AWS: by an IAM user with read-only permissions, not
the root user. ECS lets only the root user or the principal itself read a principal's account
setting (doctor-checks.md §3.3), so the user reads the account default as its own inherited value
and judges a role's unreadable setting from the role's trunked instances (§3.3 step 3, §4)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import Server
from doctor_world import doctor_env, run_doctor
from ecs_world import World, config_script, role_arn

CLUSTER = "doctor"
INSTANCE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
READ_ONLY = ["ecs:List*", "ecs:Describe*", "ec2:Describe*", "iam:Get*", "iam:SimulatePrincipalPolicy"]


def reader(world: World) -> dict[str, str]:
    """The environment of an IAM user allowed doctor's read-only calls (doctor-checks §1)."""
    world.iam.create_user(UserName="auditor")
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": READ_ONLY, "Resource": "*"}]}
    world.iam.put_user_policy(UserName="auditor", PolicyName="read", PolicyDocument=json.dumps(document))
    key = world.iam.create_access_key(UserName="auditor")["AccessKey"]
    return {**doctor_env(), "AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


def by_code(verdict: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["code"]: f for f in verdict["findings"]}


def test_a_reader_who_is_not_root(spawn: Callable[..., Server]):
    """IAM enforced. `lateRole` registered one instance while opted out and, once opted in, another
    that got a trunk; `plainRole` inherits the default (disabled). The auditor may not read either
    role's setting: doctor says which call was refused for which role, reads the default as the
    auditor's inherited value, and still finds the late instance registered before the opt-in
    (its later sibling has a trunk)."""
    world = World(spawn("--enforce-iam", "--timing", "manual"))
    world.ecs.create_cluster(clusterName=CLUSTER)
    for role in ("lateRole", "plainRole"):
        world.instance_role(role)
        world.iam.attach_role_policy(RoleName=role, PolicyArn=INSTANCE_POLICY)  # or the agent cannot register
    net = world.network()
    early = world.launch(net["subnet"], "lateRole", config_script(CLUSTER))
    plain = world.launch(net["subnet"], "plainRole", config_script(CLUSTER))
    world.settle()
    world.advance(60)
    world.opt_in(role_arn("lateRole"))
    later = world.launch(net["subnet"], "lateRole", config_script(CLUSTER))
    world.settle()

    done = run_doctor("--endpoint-url", world.server.url, "--cluster", CLUSTER, "--output", "json", env=reader(world))
    assert done.returncode == 1, done.stderr
    answer = json.loads(done.stdout)
    assert answer["caller"] == "arn:aws:iam::123456789012:user/auditor"
    assert answer["accountDefault"] == "disabled"  # the auditor's own effective value: it has none of its own
    verdicts = {v["ec2InstanceId"]: v for v in answer["containerInstances"]}
    assert verdicts[later]["trunked"] is True

    found = by_code(verdicts[early])
    assert {f["code"] for f in verdicts[early]["findings"] if f["blocking"]} == {"registered-before-opt-in"}
    assert "an instance of the same role that registered later" in found["registered-before-opt-in"]["message"]
    refused = found["not-determinable"]
    assert refused["source"] == f"ecs:ListAccountSettings(principalArn={role_arn('lateRole')})"
    assert refused["message"] == (
        f"account setting: not determinable (ecs:ListAccountSettings(principalArn={role_arn('lateRole')}): "
        "AccessDeniedException: User: arn:aws:iam::123456789012:user/auditor is not authorized to manage account "
        f"settings of {role_arn('lateRole')})"
    )

    found = by_code(verdicts[plain])
    assert not any(f["blocking"] for f in verdicts[plain]["findings"]) and verdicts[plain]["lacksTrunk"]
    assert found["not-determinable"]["message"].endswith(f"manage account settings of {role_arn('plainRole')})")
    guess = found["account-setting"]
    assert guess["severity"] == "unknown"
    assert guess["message"] == (
        f"awsvpcTrunking for {role_arn('plainRole')} cannot be read and no instance of the role has a trunk; the "
        "account default is disabled, so the role has it only if its own setting is enabled"
    )
    assert guess["fix"].startswith(
        f"aws ecs list-account-settings --name awsvpcTrunking --principal-arn {role_arn('plainRole')} --effective-settings"
    )

    # The root user reads every setting: the same cause for the late instance, the setting for the plain one.
    done = run_doctor("--endpoint-url", world.server.url, "--cluster", CLUSTER, "--output", "json")
    root = {v["ec2InstanceId"]: v for v in json.loads(done.stdout)["containerInstances"]}
    assert {f["code"] for f in root[early]["findings"] if f["blocking"]} == {"registered-before-opt-in"}
    assert {f["code"] for f in root[plain]["findings"] if f["blocking"]} == {"account-setting"}


def test_any_error_reading_a_setting_is_unreadable(server: Server, monkeypatch: pytest.MonkeyPatch):
    """AWS does not document the error it gives a caller reading another principal's setting: any
    error there means "unreadable" (never "disabled", never the end of the run); the refused root
    read falls back on the caller's own inherited value."""
    from trunkline.doctor import checks
    from trunkline.doctor.collect import Collector

    world = World(server)
    for name, value in doctor_env().items():
        monkeypatch.setenv(name, value)
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("plainRole")
    net = world.network()
    instance = world.launch(net["subnet"], "plainRole", config_script(CLUSTER))
    world.settle()
    collector = Collector(None, None, world.server.url)
    ecs = collector._clients["ecs"]
    read = ecs.list_account_settings

    def only_own(**params: Any) -> Any:
        if "principalArn" in params:
            raise ClientError({"Error": {"Code": "ClientException", "Message": "not yours"}}, "ListAccountSettings")
        return read(**params)

    monkeypatch.setattr(ecs, "list_account_settings", only_own)
    facts = collector.collect([CLUSTER])
    assert facts.account_default == "disabled"
    assert facts.refused["ecs:ListAccountSettings"] == "ClientException: not yours"
    (verdict,) = [v for v in checks.diagnose_all(facts) if v.ec2_instance_id == instance]
    assert [(f.code, f.severity) for f in verdict.findings] == [
        ("not-determinable", "unknown"),
        ("self-opt-in-denied", "warning"),  # plainRole has no policy: it may not opt itself in (C17)
        ("account-setting", "unknown"),
    ]
    assert verdict.lacks_trunk


def test_a_reader_who_may_not_describe_tasks(spawn: Callable[..., Server]):
    """The awsvpc tasks an instance holds are only for the report: a reader denied
    ecs:DescribeTasks still gets the diagnosis, the counts shown as unknown and the refusal named."""
    world = World(spawn("--enforce-iam"))
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    world.iam.attach_role_policy(RoleName="ecsInstanceRole", PolicyArn=INSTANCE_POLICY)
    world.opt_in(role_arn("ecsInstanceRole"))
    net = world.network()
    instance = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    world.ecs.register_task_definition(
        family="web", networkMode="awsvpc", cpu="256", memory="512",
        containerDefinitions=[{"name": "app", "image": "nginx"}],
    )  # fmt: skip
    awsvpc = {"awsvpcConfiguration": {"subnets": [net["subnet"]]}}
    world.ecs.run_task(cluster=CLUSTER, taskDefinition="web", count=3, networkConfiguration=awsvpc)
    world.settle()
    env = reader(world)
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "ecs:DescribeTasks", "Resource": "*"}]}
    world.iam.put_user_policy(UserName="auditor", PolicyName="no-tasks", PolicyDocument=json.dumps(deny))
    done = run_doctor("--endpoint-url", world.server.url, "--cluster", CLUSTER, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{CLUSTER} {instance} c5.large ACTIVE trunked awsvpc tasks ?/10\n")
    assert (
        "\nnot determinable: ecs:DescribeTasks (AccessDeniedException: User: arn:aws:iam::123456789012:user/auditor "
        in done.stdout
    )
    root = json.loads(run_doctor("--endpoint-url", world.server.url, "--cluster", CLUSTER, "--output", "json").stdout)
    assert root["containerInstances"][0]["awsvpcTasks"] == 3


def test_an_instance_whose_role_may_not_register(spawn: Callable[..., Server]):
    """IAM enforced: an instance role without AmazonEC2ContainerServiceforEC2Role cannot register, so
    ECS never shows the instance. Asked for by --instance, doctor says why from EC2 and IAM."""
    world = World(spawn("--enforce-iam"))
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("bareRole")  # no policy at all
    net = world.network()
    instance = world.launch(net["subnet"], "bareRole", config_script(CLUSTER))
    world.settle()
    assert world.ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"] == []
    done = run_doctor(
        "--endpoint-url", world.server.url, "--cluster", CLUSTER, "--instance", instance, "--output", "json"
    )
    assert done.returncode == 1, done.stderr
    (verdict,) = json.loads(done.stdout)["containerInstances"]
    assert (verdict["cluster"], verdict["status"], verdict["instanceRole"]) == (
        CLUSTER,
        "NOT_REGISTERED",
        role_arn("bareRole"),
    )
    (finding,) = verdict["findings"]
    assert finding["message"] == (
        f"no container instance in {CLUSTER}: its role {role_arn('bareRole')} may not call "
        "ecs:RegisterContainerInstance (implicitDeny)"
    )
    assert finding["fix"] == (
        f"aws iam attach-role-policy --role-name bareRole --policy-arn {INSTANCE_POLICY} --region us-east-1"
    )
    assert finding["details"] == {
        "role": role_arn("bareRole"),
        "registerDecision": "implicitDeny",
        "userDataCluster": CLUSTER,
    }


def test_a_reader_and_a_profile_changed_since_registration(spawn: Callable[..., Server]):
    """The auditor cannot read the role's setting, and the profile was replaced after the instance
    registered: today's role and its trunked instances say nothing about the registration."""
    world = World(spawn("--enforce-iam", "--timing", "manual"))
    world.ecs.create_cluster(clusterName=CLUSTER)
    for role in ("plainRole", "goodRole"):
        world.instance_role(role)
        world.iam.attach_role_policy(RoleName=role, PolicyArn=INSTANCE_POLICY)
    world.opt_in(role_arn("goodRole"))
    net = world.network()
    swapped = world.launch(net["subnet"], "plainRole", config_script(CLUSTER))
    world.settle()
    world.advance(60)
    world.launch(net["subnet"], "goodRole", config_script(CLUSTER))  # trunked, after the swapped one registered
    filters = [{"Name": "instance-id", "Values": [swapped]}]
    (association,) = world.ec2.describe_iam_instance_profile_associations(Filters=filters)[
        "IamInstanceProfileAssociations"
    ]
    world.ec2.replace_iam_instance_profile_association(
        AssociationId=association["AssociationId"], IamInstanceProfile={"Name": "goodRole"}
    )
    world.settle()
    done = run_doctor("--endpoint-url", world.server.url, "--instance", swapped, "--output", "json", env=reader(world))
    (verdict,) = json.loads(done.stdout)["containerInstances"]
    found = by_code(verdict)
    assert "registered-before-opt-in" not in found and "profile-changed" in found
    assert found["account-setting"]["severity"] == "unknown"
    assert found["account-setting"]["message"] == (
        f"awsvpcTrunking for {role_arn('goodRole')} cannot be read, and the instance registered under an earlier "
        "instance profile: the role that registered it, and that role's setting then, are unknown"
    )


def test_a_role_whose_setting_is_unreadable_and_may_not_opt_itself_in(spawn: Callable[..., Server]):
    """C17 for a role whose setting the auditor cannot read: whether the role may put the setting
    itself (the user-data opt-in) is still read with iam:SimulatePrincipalPolicy, and said as a
    condition: only if the setting is not enabled does it matter."""
    world = World(spawn("--enforce-iam"))
    world.ecs.create_cluster(clusterName=CLUSTER)
    for role in ("plainRole", "selfRole"):
        world.instance_role(role)
        world.iam.attach_role_policy(RoleName=role, PolicyArn=INSTANCE_POLICY)
    may_opt_in = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "ecs:PutAccountSetting", "Resource": "*"}],
    }
    world.iam.put_role_policy(RoleName="selfRole", PolicyName="opt-in", PolicyDocument=json.dumps(may_opt_in))
    net = world.network()
    plain = world.launch(net["subnet"], "plainRole", config_script(CLUSTER))
    self_ = world.launch(net["subnet"], "selfRole", config_script(CLUSTER))
    world.settle()
    done = run_doctor("--endpoint-url", world.server.url, "--cluster", CLUSTER, "--output", "json", env=reader(world))
    assert done.returncode == 1, done.stderr
    answer = json.loads(done.stdout)
    verdicts = {v["ec2InstanceId"]: v for v in answer["containerInstances"]}
    denied = by_code(verdicts[plain])["self-opt-in-denied"]
    assert (denied["severity"], denied["blocking"]) == ("warning", False)
    assert denied["message"] == (
        f"if awsvpcTrunking is not enabled for it (its setting cannot be read), {role_arn('plainRole')} may not call "
        "ecs:PutAccountSetting (implicitDeny): user data that opts the instance role in itself gets AccessDenied, "
        "and the instance registers without trunking"
    )
    assert denied["details"] == {"evalDecision": "implicitDeny"}
    assert "self-opt-in-denied" not in by_code(verdicts[self_])
    assert answer["apiCallsByOperation"]["iam:SimulatePrincipalPolicy"] == 2  # once per role
