"""`trunkline doctor`'s checks from the optional calls (shared/spec/doctor-checks.md C17, C18, C20):
may the instance role opt itself in (iam:SimulatePrincipalPolicy), do a service's awsvpc subnets
lie in another VPC than the instance (DescribeServices → DescribeSubnets), and was the instance
profile changed after registration (ec2:DescribeIamInstanceProfileAssociations). Each agrees with
trunkline's own record where it keeps one; refused calls become notes, never a failure."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import Server
from doctor_world import ATTRIBUTE_EVENT, disagreements, doctor_env, doctor_json
from ecs_world import TRUST, World, config_script, role_arn

CLUSTER = "doctor"
PUT_SETTING = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecs:PutAccountSetting", "Resource": "*"}]}
)


@pytest.fixture
def world(server: Server) -> World:
    return World(server)


def by_instance(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["ec2InstanceId"]: v for v in answer["containerInstances"]}


def findings(verdict: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [f for f in verdict["findings"] if f["code"] == code]


def test_a_role_that_may_not_opt_itself_in(world: World):
    """C17: two roles opted out; the one without ecs:PutAccountSetting (as with the AWS managed
    instance policy) gets the warning, the one granted it does not. One simulation per role."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    for role in ("plainRole", "selfRole"):
        world.instance_role(role)
        world.opt_in(role_arn(role), "disabled")
    world.iam.attach_role_policy(
        RoleName="plainRole", PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
    )
    world.iam.put_role_policy(RoleName="selfRole", PolicyName="opt-in", PolicyDocument=PUT_SETTING)
    net = world.network()
    plain = world.launch(net["subnet"], "plainRole", config_script(CLUSTER))
    self_ = world.launch(net["subnet"], "selfRole", config_script(CLUSTER))
    world.settle()
    answer = doctor_json(world.server, CLUSTER)
    assert disagreements(world, CLUSTER, answer) == []
    verdicts = by_instance(answer)
    (denied,) = findings(verdicts[plain], "self-opt-in-denied")
    assert denied["severity"] == "warning" and denied["details"]["evalDecision"] == "implicitDeny"
    assert denied["fix"].startswith("aws iam put-role-policy --role-name plainRole --policy-name ecs-account-setting")
    assert findings(verdicts[self_], "self-opt-in-denied") == []
    assert {f["code"] for f in verdicts[self_]["findings"] if f["blocking"]} == {"account-setting"}
    assert answer["apiCallsByOperation"]["iam:SimulatePrincipalPolicy"] == 2


def test_a_service_whose_tasks_live_in_another_vpc(world: World):
    """C18 (S9): a service's awsvpc subnets in another VPC: trunkline's placement engine finds the
    instance missing an attribute, and doctor names the service from the subnets' VPC alone."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    near, far = world.network(), world.network(cidr="10.0.2.0/24")
    instance = world.launch(near["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    container = {"name": "app", "image": "nginx", "cpu": 128, "memory": 256}
    world.ecs.register_task_definition(family="web", networkMode="awsvpc", containerDefinitions=[container])
    for name, net in (("far", far), ("near", near)):
        world.ecs.create_service(
            cluster=CLUSTER, serviceName=name, taskDefinition="web", desiredCount=1, launchType="EC2",
            networkConfiguration={"awsvpcConfiguration": {"subnets": [net["subnet"]]}},
        )  # fmt: skip
    world.settle()
    events = world.ecs.describe_services(cluster=CLUSTER, services=["far"])["services"][0]["events"]
    assert any(ATTRIBUTE_EVENT.search(e["message"]) for e in events)  # the agreement below is not vacuous
    answer = doctor_json(world.server, CLUSTER)
    assert disagreements(world, CLUSTER, answer) == []
    (mismatch,) = findings(by_instance(answer)[instance], "task-vpc-mismatch")
    assert mismatch["details"] == {"service": "far", "taskVpc": far["vpc"], "instanceVpc": near["vpc"]}
    assert mismatch["fix"].startswith(
        "aws ecs update-service --cluster doctor --service far --network-configuration "
        f"'awsvpcConfiguration={{subnets=[{near['subnet']}]}}'"
    )
    assert answer["apiCallsByOperation"]["ec2:DescribeSubnets"] == 1  # the services' subnets ride along


def test_a_profile_changed_after_registration(spawn: Callable[..., Server]):
    """C20: registered as an opted-out role, then given an opted-in role's profile a minute later:
    doctor says the profile changed (so today's role is not evidence), and still agrees with
    trunkline's reason. (The manual clock: the fast one may date registrations ahead of the wall clock.)"""
    world = World(spawn("--timing", "manual"))
    world.ecs.create_cluster(clusterName=CLUSTER)
    for role in ("plainRole", "goodRole"):
        world.instance_role(role)
    world.opt_in(role_arn("plainRole"), "disabled")
    world.opt_in(role_arn("goodRole"))
    net = world.network()
    swapped = world.launch(net["subnet"], "plainRole", config_script(CLUSTER))
    untouched = world.launch(net["subnet"], "goodRole", config_script(CLUSTER))
    world.settle()
    world.advance(60)
    filters = [{"Name": "instance-id", "Values": [swapped]}]
    (association,) = world.ec2.describe_iam_instance_profile_associations(Filters=filters)[
        "IamInstanceProfileAssociations"
    ]
    world.ec2.replace_iam_instance_profile_association(
        AssociationId=association["AssociationId"], IamInstanceProfile={"Name": "goodRole"}
    )
    answer = doctor_json(world.server, CLUSTER)
    assert disagreements(world, CLUSTER, answer) == []
    verdicts = by_instance(answer)
    (changed,) = findings(verdicts[swapped], "profile-changed")
    assert "instance profile goodRole was associated at" in changed["message"]
    (late,) = findings(verdicts[swapped], "registered-before-opt-in")
    assert late["blocking"] and "registered under an earlier instance profile" in late["message"]
    assert verdicts[untouched]["trunked"] and findings(verdicts[untouched], "profile-changed") == []
    assert answer["apiCallsByOperation"]["ec2:DescribeIamInstanceProfileAssociations"] == 1


def test_refused_optional_calls_become_notes(world: World, monkeypatch: pytest.MonkeyPatch):
    """An account that denies iam:SimulatePrincipalPolicy and ec2:DescribeIamInstanceProfileAssociations:
    the run completes, the refusals are listed, and the C17 check says not determinable."""
    from trunkline.doctor import checks
    from trunkline.doctor.collect import Collector

    for name, value in doctor_env().items():
        monkeypatch.setenv(name, value)
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("plainRole")
    net = world.network()
    instance = world.launch(net["subnet"], "plainRole", config_script(CLUSTER))
    world.settle()
    collector = Collector(None, None, world.server.url)

    def refuse(service: str, method: str, operation: str, code: str) -> None:
        def denied(**_: Any) -> Any:
            raise ClientError({"Error": {"Code": code, "Message": "not for you"}}, operation)

        monkeypatch.setattr(collector._clients[service], method, denied)

    refuse("iam", "simulate_principal_policy", "SimulatePrincipalPolicy", "AccessDenied")
    refuse(
        "ec2",
        "describe_iam_instance_profile_associations",
        "DescribeIamInstanceProfileAssociations",
        "UnauthorizedOperation",
    )
    facts = collector.collect([CLUSTER])
    assert set(facts.refused) >= {"iam:SimulatePrincipalPolicy", "ec2:DescribeIamInstanceProfileAssociations"}
    assert facts.associations is None
    (verdict,) = [v for v in checks.diagnose_all(facts) if v.ec2_instance_id == instance]
    notes = [f for f in verdict.findings if f.code == "not-determinable"]
    assert [n.details for n in notes] == [{"check": "self opt-in"}]
    assert {f.code for f in verdict.findings if f.blocking} == {"account-setting"}


def test_a_role_path_refused_is_asked_again_without_it(world: World, monkeypatch: pytest.MonkeyPatch):
    """doctor-checks §3.2: IAM gives a role's ARN with its path, STS's session ARNs omit it, and which
    form ECS accepts in `principalArn` is not documented: doctor asks with the path first and, when
    that is refused, again without it; the finding and its fix name the form that was answered.
    trunkline accepts both forms, so an ECS that refuses the path form is stood in for by refusing
    it in flight."""
    from trunkline.doctor import checks
    from trunkline.doctor.collect import Collector

    world.ecs.create_cluster(clusterName=CLUSTER)
    world.iam.create_role(RoleName="ecsInstanceRole", Path="/service-role/", AssumeRolePolicyDocument=TRUST)
    world.iam.create_instance_profile(InstanceProfileName="ecsInstanceRole")
    world.iam.add_role_to_instance_profile(InstanceProfileName="ecsInstanceRole", RoleName="ecsInstanceRole")
    without_path = role_arn("ecsInstanceRole")
    world.opt_in(without_path, "disabled")
    instance = world.launch(world.network()["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    for name, value in doctor_env().items():
        monkeypatch.setenv(name, value)
    collector = Collector(None, None, world.server.url)
    asked: list[str] = []

    def refuse_the_path(params: dict[str, Any], **_: Any) -> Any:
        principal = json.loads(params["body"] or b"{}").get("principalArn", "")
        asked.append(principal)
        if "/service-role/" not in principal:
            return None
        error = {"Code": "InvalidParameterException", "Message": "Invalid principalArn"}
        return SimpleNamespace(status_code=400, headers={}), {"Error": error, "ResponseMetadata": {}}

    collector._clients["ecs"].meta.events.register("before-call.ecs.ListAccountSettings", refuse_the_path)
    (verdict,) = [v for v in checks.diagnose_all(collector.collect([CLUSTER])) if v.ec2_instance_id == instance]
    assert verdict.instance_role == "arn:aws:iam::123456789012:role/service-role/ecsInstanceRole"
    assert "arn:aws:iam::123456789012:role/service-role/ecsInstanceRole" in asked and without_path in asked
    (setting,) = [f for f in verdict.findings if f.code == "account-setting"]
    assert (setting.blocking, setting.details["principalArn"], setting.details["explicit"]) == (
        True,
        without_path,
        "disabled",
    )
    assert setting.message.startswith(f"awsvpcTrunking is disabled for {without_path}: the role's own setting")
    assert setting.fix.startswith(
        f"aws ecs put-account-setting --name awsvpcTrunking --value enabled --principal-arn {without_path} "
    )


def test_a_role_replaced_inside_the_same_profile(spawn: Callable[..., Server]):
    """doctor-checks §3.1: the role inside a profile can be swapped (RemoveRoleFromInstanceProfile,
    AddRoleToInstanceProfile), which changes no profile association, C20's evidence. A role created
    after the instance registered cannot have registered it: doctor says so (from the CreateDate
    GetInstanceProfile already gives), does not blame the new role's setting, and agrees with
    trunkline's reason. On the manual clock, a minute between registration and the new role."""
    world = World(spawn("--timing", "manual"))
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")  # the profile and its first role, opted out by default
    instance = world.launch(world.network()["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    world.advance(60)
    world.iam.remove_role_from_instance_profile(InstanceProfileName="ecsInstanceRole", RoleName="ecsInstanceRole")
    world.iam.create_role(RoleName="newRole", AssumeRolePolicyDocument=TRUST)
    world.iam.add_role_to_instance_profile(InstanceProfileName="ecsInstanceRole", RoleName="newRole")
    world.opt_in(role_arn("newRole"))
    answer = doctor_json(world.server, CLUSTER)
    assert disagreements(world, CLUSTER, answer) == []
    verdict = by_instance(answer)[instance]
    registered = world.of_instance(CLUSTER, instance)["registeredAt"].astimezone(UTC)
    created = world.iam.get_role(RoleName="newRole")["Role"]["CreateDate"].astimezone(UTC)
    (changed,) = findings(verdict, "profile-changed")
    assert changed["message"] == (
        f"role {role_arn('newRole')} was created at {created:%Y-%m-%dT%H:%M:%SZ}, after the instance registered "
        f"({registered:%Y-%m-%dT%H:%M:%SZ}): another role registered it, so the role checked here is not the one "
        "whose setting ECS applied"
    )
    (late,) = findings(verdict, "registered-before-opt-in")
    assert late["blocking"] and late["message"] == (
        f"every condition holds now, yet no trunk: the instance registered before its role {role_arn('newRole')} "
        "was created (the profile's role was replaced), so the role that registered it, and that role's setting "
        "then, are unknown; the decision is kept for the instance's life (S5)"
    )
