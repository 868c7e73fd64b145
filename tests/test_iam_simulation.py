"""IAM SimulatePrincipalPolicy with boto3 and the AWS CLI: a role's or user's identity policies
(inline, AWS managed, customer managed, plus PolicyInputList) decide each action and resource;
IAM's errors for an unknown or unsupported principal; MaxItems/Marker paging."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, CliError

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)
EC2_ROLE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"


def document(effect: str, action: str, resource: str = "*") -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": action, "Resource": resource}]}
    )


def role(iam: Any, name: str) -> str:
    return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"])


def decisions(answer: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(r["EvalActionName"], r["EvalResourceName"], r["EvalDecision"]) for r in answer["EvaluationResults"]]


def test_the_ecs_instance_policy_does_not_allow_put_account_setting(aws: Any):
    """The doctor's C17 question: the AWS managed instance policy lets the agent register, not opt in."""
    iam = aws("iam")
    arn = role(iam, "ecsInstanceRole")
    iam.attach_role_policy(RoleName="ecsInstanceRole", PolicyArn=EC2_ROLE_POLICY)
    answer = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["ecs:PutAccountSetting", "ecs:RegisterContainerInstance"]
    )
    assert decisions(answer) == [
        ("ecs:PutAccountSetting", "*", "implicitDeny"),
        ("ecs:RegisterContainerInstance", "*", "allowed"),
    ]
    matched = answer["EvaluationResults"][1]["MatchedStatements"]
    assert matched == [{"SourcePolicyId": "AmazonEC2ContainerServiceforEC2Role", "SourcePolicyType": "IAM Policy"}]
    assert answer["IsTruncated"] is False


def test_deny_wins_and_resources_are_evaluated_each(aws: Any):
    iam = aws("iam")
    arn = role(iam, "app")
    iam.put_role_policy(RoleName="app", PolicyName="all-ecs", PolicyDocument=document("Allow", "ecs:*"))
    policy = iam.create_policy(
        PolicyName="no-prod", PolicyDocument=document("Deny", "ecs:RunTask", "arn:aws:ecs:*:*:cluster/prod")
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="app", PolicyArn=policy)
    prod, dev = (f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/{c}" for c in ("prod", "dev"))
    answer = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["ecs:RunTask"], ResourceArns=[prod, dev])
    assert decisions(answer) == [("ecs:RunTask", prod, "explicitDeny"), ("ecs:RunTask", dev, "allowed")]
    assert answer["EvaluationResults"][0]["MatchedStatements"] == [
        {"SourcePolicyId": "no-prod", "SourcePolicyType": "IAM Policy"}
    ]
    assert answer["EvaluationResults"][1]["MatchedStatements"] == [
        {"SourcePolicyId": "role_app_all-ecs", "SourcePolicyType": "IAM Policy"}
    ]


def test_users_policy_input_and_paging(aws: Any):
    iam = aws("iam")
    user = iam.create_user(UserName="dev")["User"]["Arn"]
    extra = document("Allow", "ec2:Describe*")
    actions = ["ec2:DescribeInstances", "ec2:RunInstances", "ec2:DescribeSubnets"]
    first = iam.simulate_principal_policy(
        PolicySourceArn=user, ActionNames=actions, PolicyInputList=[extra], MaxItems=2
    )
    assert decisions(first) == [("ec2:DescribeInstances", "*", "allowed"), ("ec2:RunInstances", "*", "implicitDeny")]
    assert first["IsTruncated"] is True
    assert first["EvaluationResults"][0]["MatchedStatements"] == [
        {"SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "IAM Policy"}
    ]
    rest = iam.simulate_principal_policy(
        PolicySourceArn=user, ActionNames=actions, PolicyInputList=[extra], MaxItems=2, Marker=first["Marker"]
    )
    assert decisions(rest) == [("ec2:DescribeSubnets", "*", "allowed")] and rest["IsTruncated"] is False
    paginated = iam.get_paginator("simulate_principal_policy").paginate(
        PolicySourceArn=user, ActionNames=actions, PaginationConfig={"PageSize": 1}
    )
    assert [d for page in paginated for d in decisions(page)] == [(a, "*", "implicitDeny") for a in actions]


@pytest.mark.parametrize(
    ("arn", "code", "message"),
    [
        (f"arn:aws:iam::{ACCOUNT}:role/nobody", "NoSuchEntity", "The role with name nobody cannot be found."),
        (f"arn:aws:iam::{ACCOUNT}:user/nobody", "NoSuchEntity", "The user with name nobody cannot be found."),
        (
            f"arn:aws:sts::{ACCOUNT}:assumed-role/app/i-0123",
            "InvalidInput",
            f"Invalid Entity Arn: arn:aws:sts::{ACCOUNT}:assumed-role/app/i-0123",
        ),
    ],
)
def test_errors(aws: Any, arn: str, code: str, message: str):
    with pytest.raises(ClientError) as raised:
        aws("iam").simulate_principal_policy(PolicySourceArn=arn, ActionNames=["ecs:ListTasks"])
    assert raised.value.response["Error"]["Code"] == code
    assert raised.value.response["Error"]["Message"] == message


@pytest.mark.cli
def test_through_the_cli(aws: Any, cli: Any):
    arn = role(aws("iam"), "ecsInstanceRole")
    answer = cli(
        "iam", "simulate-principal-policy", "--policy-source-arn", arn, "--action-names", "ecs:PutAccountSetting"
    )
    assert [r["EvalDecision"] for r in answer["EvaluationResults"]] == ["implicitDeny"]
    with pytest.raises(CliError) as raised:
        cli("iam", "simulate-principal-policy", "--policy-source-arn", arn + "x", "--action-names", "ecs:ListTasks")
    assert "NoSuchEntity" in raised.value.stderr


def test_a_malformed_input_policy_is_refused(aws: Any):
    iam = aws("iam")
    arn = role(iam, "app")
    with pytest.raises(ClientError) as raised:
        iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["ecs:ListTasks"], PolicyInputList=["{not json"])
    assert raised.value.response["Error"] == {
        "Code": "MalformedPolicyDocument",
        "Message": "This policy contains invalid Json",
        "Type": "Sender",
    }


def test_the_principals_permissions_boundary_caps_the_simulation(aws: Any):
    """As `--enforce-iam` decides: the boundary must allow too; its Deny decides; a boundary given
    in PermissionsBoundaryPolicyInputList replaces the entity's."""
    iam = aws("iam")
    cap = iam.create_policy(
        PolicyName="cap",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "ecs:List*", "Resource": "*"},
                    {"Effect": "Deny", "Action": "ecs:DeleteCluster", "Resource": "*"},
                ],
            }
        ),
    )["Policy"]["Arn"]
    arn = iam.create_role(RoleName="capped", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=cap)["Role"]["Arn"]
    iam.put_role_policy(RoleName="capped", PolicyName="all", PolicyDocument=document("Allow", "ecs:*"))
    actions = ["ecs:ListClusters", "ecs:RunTask", "ecs:DeleteCluster"]
    answer = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=actions)
    assert decisions(answer) == [
        ("ecs:ListClusters", "*", "allowed"),
        ("ecs:RunTask", "*", "implicitDeny"),
        ("ecs:DeleteCluster", "*", "explicitDeny"),
    ]
    results = answer["EvaluationResults"]
    assert [r["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"] for r in results] == [
        True,
        False,
        False,
    ]
    assert results[0]["MatchedStatements"] == [{"SourcePolicyId": "role_capped_all", "SourcePolicyType": "IAM Policy"}]
    assert results[1]["MatchedStatements"] == []
    assert results[2]["MatchedStatements"] == [
        {"SourcePolicyId": "cap", "SourcePolicyType": "Permissions Boundary Policy"}
    ]
    given = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=actions, PermissionsBoundaryPolicyInputList=[document("Allow", "ecs:*")]
    )
    assert [d for _, _, d in decisions(given)] == ["allowed", "allowed", "allowed"]
    # without a boundary there is no boundary detail
    iam.delete_role_permissions_boundary(RoleName="capped")
    free = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=actions)
    assert [d for _, _, d in decisions(free)] == ["allowed", "allowed", "allowed"]
    assert all("PermissionsBoundaryDecisionDetail" not in r for r in free["EvaluationResults"])


# --- SimulateCustomPolicy ------------------------------------------------------------------------


def test_custom_policy_simulation_applies_the_given_boundary(aws: Any):
    """SimulateCustomPolicy evaluates only the documents given; PermissionsBoundaryPolicyInputList
    caps them as a principal's boundary does (IAM API Reference, SimulateCustomPolicy)."""
    iam = aws("iam")
    identity = document("Allow", "ecs:*")
    boundary = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "ecs:List*", "Resource": "*"},
                {"Effect": "Deny", "Action": "ecs:DeleteCluster", "Resource": "*"},
            ],
        }
    )
    actions = ["ecs:ListClusters", "ecs:RunTask", "ecs:DeleteCluster", "ec2:RunInstances"]
    answer = iam.simulate_custom_policy(
        PolicyInputList=[identity], PermissionsBoundaryPolicyInputList=[boundary], ActionNames=actions
    )
    assert decisions(answer) == [
        ("ecs:ListClusters", "*", "allowed"),
        ("ecs:RunTask", "*", "implicitDeny"),
        ("ecs:DeleteCluster", "*", "explicitDeny"),
        ("ec2:RunInstances", "*", "implicitDeny"),
    ]
    results = answer["EvaluationResults"]
    assert [r["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"] for r in results] == [
        True,
        False,
        False,
        False,
    ]
    assert [r["MatchedStatements"] for r in results] == [
        [{"SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "IAM Policy"}],
        [],
        [{"SourcePolicyId": "PermissionsBoundaryPolicyInputList.1", "SourcePolicyType": "Permissions Boundary Policy"}],
        [],
    ]
    # without a boundary: the documents alone, and no boundary detail
    free = iam.simulate_custom_policy(PolicyInputList=[identity], ActionNames=actions)
    assert [d for _, _, d in decisions(free)] == ["allowed", "allowed", "allowed", "implicitDeny"]
    assert all("PermissionsBoundaryDecisionDetail" not in r for r in free["EvaluationResults"])


def test_custom_policy_simulation_pages_and_refuses(aws: Any):
    iam = aws("iam")
    actions = ["ec2:DescribeInstances", "ec2:RunInstances"]
    resources = ["arn:aws:ec2:us-east-1:123456789012:instance/i-1", "*"]
    given = {"PolicyInputList": [document("Allow", "ec2:Describe*")], "ActionNames": actions}
    first = iam.simulate_custom_policy(**given, ResourceArns=resources, MaxItems=3)
    assert [d for _, _, d in decisions(first)] == ["allowed", "allowed", "implicitDeny"] and first["IsTruncated"]
    rest = iam.simulate_custom_policy(**given, ResourceArns=resources, MaxItems=3, Marker=first["Marker"])
    assert decisions(rest) == [("ec2:RunInstances", "*", "implicitDeny")] and rest["IsTruncated"] is False

    def refused(**extra: Any) -> dict[str, Any]:
        with pytest.raises(ClientError) as raised:
            iam.simulate_custom_policy(**{**given, **extra})
        error: dict[str, Any] = raised.value.response["Error"]
        return error

    assert refused(PermissionsBoundaryPolicyInputList=[document("Allow", "*")] * 2)["Message"] == (
        "Only one permissions boundary policy may be simulated at a time."
    )
    assert refused(PermissionsBoundaryPolicyInputList=["{not json"])["Code"] == "MalformedPolicyDocument"
    assert refused(CallerArn=f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s") == {
        "Code": "InvalidInput",
        "Message": f"Invalid Entity Arn: arn:aws:sts::{ACCOUNT}:assumed-role/app/s",
        "Type": "Sender",
    }
    as_group = iam.simulate_custom_policy(**given, CallerArn=f"arn:aws:iam::{ACCOUNT}:group/devs")
    assert [d for _, _, d in decisions(as_group)] == ["allowed", "implicitDeny"]
    resource_policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}],
        }
    )
    # a resource policy needs a caller its Principal can name (IAM API Reference, CallerArn)
    assert refused(ResourcePolicy=resource_policy) == {
        "Code": "InvalidInput",
        "Message": "CallerArn is required when a ResourcePolicy is simulated.",
        "Type": "Sender",
    }


@pytest.mark.cli
def test_custom_policy_simulation_through_the_cli(cli: Any):
    answer = cli(
        "iam",
        "simulate-custom-policy",
        "--policy-input-list",
        document("Allow", "ecs:*"),
        "--permissions-boundary-policy-input-list",
        document("Allow", "ecs:List*"),
        "--action-names",
        "ecs:ListClusters",
        "ecs:RunTask",
    )
    assert [(r["EvalDecision"], r["PermissionsBoundaryDecisionDetail"]) for r in answer["EvaluationResults"]] == [
        ("allowed", {"AllowedByPermissionsBoundary": True}),
        ("implicitDeny", {"AllowedByPermissionsBoundary": False}),
    ]
    assert answer["EvaluationResults"][0]["MatchedStatements"] == [
        {"SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "IAM Policy"}
    ]


# --- resource-based policies (ResourcePolicy, CallerArn, ResourceOwner) --------------------------

OTHER = "444455556666"


def resource_policy(effect: str, principal: Any, action: str, resource: str = "*") -> str:
    statement = {"Effect": effect, "Principal": principal, "Action": action, "Resource": resource}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_a_resource_policy_naming_the_caller_allows_within_the_account(aws: Any):
    """Within one account a resource-based policy that names the caller allows without any
    identity policy, a Deny in it denies, and naming only the account delegates to the identity
    policies (IAM User Guide, policy evaluation within a single account). The result names the
    policy `ResourcePolicy`, of type `Resource Policy`, as AWS answers."""
    iam = aws("iam")
    alice = iam.create_user(UserName="alice")["User"]["Arn"]
    bob = iam.create_user(UserName="bob")["User"]["Arn"]
    parameter = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/app/db"
    given = {"PolicySourceArn": alice, "ActionNames": ["ssm:GetParameter"], "ResourceArns": [parameter]}
    answer = iam.simulate_principal_policy(**given, ResourcePolicy=resource_policy("Allow", {"AWS": alice}, "ssm:*"))
    (result,) = answer["EvaluationResults"]
    assert (result["EvalDecision"], result["MatchedStatements"]) == (
        "allowed",
        [{"SourcePolicyId": "ResourcePolicy", "SourcePolicyType": "Resource Policy"}],
    )
    assert result["EvalDecisionDetails"] == {}  # same account and a named resource: present, empty
    # CallerArn: Bob with Alice's (no) policies; the resource policy names Alice, not Bob
    as_bob = iam.simulate_principal_policy(
        **given, CallerArn=bob, ResourcePolicy=resource_policy("Allow", {"AWS": alice}, "ssm:*")
    )
    assert as_bob["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    # the account as principal: the identity policies must allow
    account = iam.simulate_principal_policy(**given, ResourcePolicy=resource_policy("Allow", {"AWS": ACCOUNT}, "ssm:*"))
    assert account["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    iam.put_user_policy(UserName="alice", PolicyName="ssm", PolicyDocument=document("Allow", "ssm:*"))
    account = iam.simulate_principal_policy(**given, ResourcePolicy=resource_policy("Allow", {"AWS": ACCOUNT}, "ssm:*"))
    assert account["EvaluationResults"][0]["MatchedStatements"] == [
        {"SourcePolicyId": "user_alice_ssm", "SourcePolicyType": "IAM Policy"}
    ]
    # a Deny in the resource policy beats the identity Allow
    denied = iam.simulate_principal_policy(**given, ResourcePolicy=resource_policy("Deny", "*", "ssm:Get*"))
    (result,) = denied["EvaluationResults"]
    assert (result["EvalDecision"], result["MatchedStatements"]) == (
        "explicitDeny",
        [{"SourcePolicyId": "ResourcePolicy", "SourcePolicyType": "Resource Policy"}],
    )
    # no resource named: the resource policy still applies, and there is no EvalDecisionDetails
    star = iam.simulate_principal_policy(
        PolicySourceArn=bob, ActionNames=["ssm:GetParameter"], ResourcePolicy=resource_policy("Allow", "*", "ssm:*")
    )
    assert star["EvaluationResults"][0]["EvalDecision"] == "allowed"
    assert "EvalDecisionDetails" not in star["EvaluationResults"][0]


def test_a_boundary_caps_a_resource_policy_grant_to_a_role_but_not_to_a_user(aws: Any):
    """IAM User Guide (evaluation logic, resource-based policies with boundaries): a grant naming a
    user is not limited by the user's boundary; a grant naming a role ARN is."""
    iam = aws("iam")
    cap = iam.create_policy(PolicyName="cap", PolicyDocument=document("Allow", "ecs:List*"))["Policy"]["Arn"]
    user = iam.create_user(UserName="carol", PermissionsBoundary=cap)["User"]["Arn"]
    arn = iam.create_role(RoleName="capped", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=cap)["Role"]["Arn"]
    parameter = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/app/db"
    for source, expected in ((user, "allowed"), (arn, "implicitDeny")):
        answer = iam.simulate_principal_policy(
            PolicySourceArn=source,
            ActionNames=["ssm:GetParameter"],
            ResourceArns=[parameter],
            ResourcePolicy=resource_policy("Allow", {"AWS": source}, "ssm:GetParameter"),
        )
        (result,) = answer["EvaluationResults"]
        assert (result["EvalDecision"], result["PermissionsBoundaryDecisionDetail"]) == (
            expected,
            {"AllowedByPermissionsBoundary": False},
        )


def test_across_accounts_both_the_identity_and_the_resource_policy_must_allow(aws: Any):
    """A resource of another account (its ARN's account, or ResourceOwner for an ARN without one):
    both sides must allow, and EvalDecisionDetails gives each side's decision (IAM API Reference,
    EvaluationResult)."""
    iam = aws("iam")
    user = iam.create_user(UserName="dave")["User"]["Arn"]
    iam.put_user_policy(UserName="dave", PolicyName="ssm", PolicyDocument=document("Allow", "ssm:GetParameter"))
    theirs = f"arn:aws:ssm:us-east-1:{OTHER}:parameter/shared"
    given = {"PolicySourceArn": user, "ActionNames": ["ssm:GetParameter"], "ResourceArns": [theirs]}
    granted = iam.simulate_principal_policy(
        **given, ResourcePolicy=resource_policy("Allow", {"AWS": ACCOUNT}, "ssm:GetParameter")
    )
    (result,) = granted["EvaluationResults"]
    assert result["EvalDecision"] == "allowed"
    assert result["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "allowed"}
    assert result["MatchedStatements"] == [
        {"SourcePolicyId": "user_dave_ssm", "SourcePolicyType": "IAM Policy"},
        {"SourcePolicyId": "ResourcePolicy", "SourcePolicyType": "Resource Policy"},
    ]
    silent = iam.simulate_principal_policy(
        **given, ResourcePolicy=resource_policy("Allow", {"AWS": OTHER}, "ssm:GetParameter")
    )
    (result,) = silent["EvaluationResults"]
    assert (result["EvalDecision"], result["MatchedStatements"]) == ("implicitDeny", [])
    assert result["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "implicitDeny"}
    denied = iam.simulate_principal_policy(**given, ResourcePolicy=resource_policy("Deny", "*", "ssm:*"))
    (result,) = denied["EvaluationResults"]
    assert (result["EvalDecision"], result["EvalDecisionDetails"]) == (
        "explicitDeny",
        {"IAM Policy": "allowed", "Resource Policy": "explicitDeny"},
    )
    # the resource policy alone is not enough across accounts
    iam.delete_user_policy(UserName="dave", PolicyName="ssm")
    alone = iam.simulate_principal_policy(**given, ResourcePolicy=resource_policy("Allow", {"AWS": user}, "ssm:*"))
    assert alone["EvaluationResults"][0]["EvalDecisionDetails"] == {
        "IAM Policy": "implicitDeny",
        "Resource Policy": "allowed",
    }
    # an ARN without an account belongs to ResourceOwner (here: another account)
    bucket = iam.simulate_custom_policy(
        PolicyInputList=[document("Allow", "s3:GetObject")],
        ActionNames=["s3:GetObject"],
        ResourceArns=["arn:aws:s3:::shared/key"],
        ResourcePolicy=resource_policy("Allow", {"AWS": user}, "s3:GetObject", "arn:aws:s3:::shared/*"),
        CallerArn=user,
        ResourceOwner=f"arn:aws:iam::{OTHER}:root",
    )
    assert bucket["EvaluationResults"][0]["EvalDecisionDetails"] == {
        "IAM Policy": "allowed",
        "Resource Policy": "allowed",
    }


def test_resource_policy_inputs_are_checked(aws: Any):
    iam = aws("iam")
    user = f"arn:aws:iam::{ACCOUNT}:user/erin"
    given = {"PolicyInputList": [document("Allow", "s3:*")], "ActionNames": ["s3:GetObject"], "CallerArn": user}

    def refused(**extra: Any) -> dict[str, Any]:
        with pytest.raises(ClientError) as raised:
            iam.simulate_custom_policy(**given, **extra)
        error: dict[str, Any] = raised.value.response["Error"]
        return error

    assert refused(ResourcePolicy=document("Allow", "s3:*")) == {
        "Code": "MalformedPolicyDocument",
        "Message": "Missing required field Principal",
        "Type": "Sender",
    }
    assert refused(ResourcePolicy=resource_policy("Allow", "*", "s3:*"), ResourceOwner="someone") == {
        "Code": "InvalidInput",
        "Message": "Invalid ResourceOwner: someone",
        "Type": "Sender",
    }
    # a bare account id is taken too (SimulatePrincipalPolicy's documented form)
    answer = iam.simulate_custom_policy(
        **given, ResourcePolicy=resource_policy("Deny", {"AWS": user}, "s3:*"), ResourceOwner=ACCOUNT
    )
    assert answer["EvaluationResults"][0]["EvalDecision"] == "explicitDeny"


@pytest.mark.cli
def test_a_resource_policy_through_the_cli(aws: Any, cli: Any):
    user = aws("iam").create_user(UserName="frank")["User"]["Arn"]
    answer = cli(
        "iam", "simulate-custom-policy",
        "--policy-input-list", document("Allow", "ecs:ListClusters"),
        "--action-names", "ssm:GetParameter",
        "--resource-arns", f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/app",
        "--resource-policy", resource_policy("Allow", {"AWS": user}, "ssm:GetParameter"),
        "--caller-arn", user,
    )  # fmt: skip
    (result,) = answer["EvaluationResults"]
    assert (result["EvalDecision"], result["MatchedStatements"]) == (
        "allowed",
        [{"SourcePolicyId": "ResourcePolicy", "SourcePolicyType": "Resource Policy"}],
    )
