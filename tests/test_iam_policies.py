"""IAM permissions policies over boto3 against a real server: inline role and user policies,
customer managed policies and their versions, attachments, the AWS managed policies an ECS stack
uses, tags on roles, users and policies, ListEntitiesForPolicy, and the errors IAM answers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}]}
DOC2 = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "ecs:DeleteCluster", "Resource": "*"}]}
INSTANCE_ROLE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
ECS_SERVICE_POLICY = "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response: Any = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def iam(aws: Any) -> Any:
    return aws("iam")


@pytest.fixture
def role(iam: Any) -> str:
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST))
    return "app"


# --- inline policies -----------------------------------------------------------------------------


def test_inline_role_policy_round_trip(iam: Any, role: str) -> None:
    iam.put_role_policy(RoleName=role, PolicyName="ecs", PolicyDocument=json.dumps(DOC))
    iam.put_role_policy(RoleName=role, PolicyName="deny", PolicyDocument=json.dumps(DOC2))
    got = iam.get_role_policy(RoleName="APP", PolicyName="ecs")
    # botocore decodes the URL-encoded document into a dict: proves it is encoded as IAM does.
    assert got["PolicyDocument"] == DOC
    assert got["RoleName"] == "app" and got["PolicyName"] == "ecs"
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["deny", "ecs"]
    # replacing keeps one policy of that name
    iam.put_role_policy(RoleName=role, PolicyName="ecs", PolicyDocument=json.dumps(DOC2))
    assert iam.get_role_policy(RoleName=role, PolicyName="ecs")["PolicyDocument"] == DOC2
    page = iam.list_role_policies(RoleName=role, MaxItems=1)
    assert page["PolicyNames"] == ["deny"] and page["IsTruncated"]
    rest = iam.list_role_policies(RoleName=role, Marker=page["Marker"])
    assert rest["PolicyNames"] == ["ecs"] and not rest["IsTruncated"]
    iam.delete_role_policy(RoleName=role, PolicyName="ecs")
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["deny"]


def test_inline_policy_errors(iam: Any, role: str) -> None:
    with pytest.raises(ClientError) as caught:
        iam.get_role_policy(RoleName=role, PolicyName="nope")
    assert _error(caught) == ("NoSuchEntity", "The role policy with name nope cannot be found.", 404)
    with pytest.raises(ClientError) as caught:
        iam.delete_role_policy(RoleName=role, PolicyName="nope")
    assert _error(caught) == ("NoSuchEntity", "The role policy with name nope cannot be found.", 404)
    with pytest.raises(ClientError) as caught:
        iam.put_role_policy(RoleName="ghost", PolicyName="p", PolicyDocument=json.dumps(DOC))
    assert _error(caught) == ("NoSuchEntity", "The role with name ghost cannot be found.", 404)
    with pytest.raises(ClientError) as caught:
        iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument='{"Statement": []}')
    assert _error(caught)[0] == "MalformedPolicyDocument"
    big = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "ecs:*", "Resource": "arn:aws:s3:::" + "x" * 10300}],
    }
    with pytest.raises(ClientError) as caught:
        iam.put_role_policy(RoleName=role, PolicyName="big", PolicyDocument=json.dumps(big))
    assert _error(caught) == ("LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role app", 409)
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == []


def test_inline_user_policy_round_trip(iam: Any) -> None:
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="ecs", PolicyDocument=json.dumps(DOC))
    got = iam.get_user_policy(UserName="alice", PolicyName="ecs")
    assert got["PolicyDocument"] == DOC and got["UserName"] == "alice"
    assert iam.list_user_policies(UserName="alice")["PolicyNames"] == ["ecs"]
    with pytest.raises(ClientError) as caught:
        iam.delete_user(UserName="alice")
    assert _error(caught) == ("DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
    iam.delete_user_policy(UserName="alice", PolicyName="ecs")
    with pytest.raises(ClientError) as caught:
        iam.get_user_policy(UserName="alice", PolicyName="ecs")
    assert _error(caught) == ("NoSuchEntity", "The user policy with name ecs cannot be found.", 404)
    iam.delete_user(UserName="alice")


# --- managed policies ----------------------------------------------------------------------------


def test_create_get_list_delete_policy(iam: Any) -> None:
    created = iam.create_policy(
        PolicyName="deploy",
        Path="/team/",
        PolicyDocument=json.dumps(DOC),
        Description="d",
        Tags=[{"Key": "a", "Value": "1"}],
    )["Policy"]
    arn = f"arn:aws:iam::{ACCOUNT}:policy/team/deploy"
    assert created["Arn"] == arn and created["PolicyId"].startswith("ANPA")
    assert created["DefaultVersionId"] == "v1" and created["AttachmentCount"] == 0 and created["IsAttachable"]
    got = iam.get_policy(PolicyArn=arn)["Policy"]
    assert got["Description"] == "d" and got["Tags"] == [{"Key": "a", "Value": "1"}]
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]["Document"] == DOC
    local = iam.list_policies(Scope="Local")["Policies"]
    assert [p["Arn"] for p in local] == [arn] and "Description" not in local[0]
    assert iam.list_policies(Scope="Local", PathPrefix="/other/")["Policies"] == []
    assert iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"] == []
    with pytest.raises(ClientError) as caught:
        iam.create_policy(PolicyName="DEPLOY", PolicyDocument=json.dumps(DOC))
    assert _error(caught) == (
        "EntityAlreadyExists",
        "A policy called DEPLOY already exists. Duplicate names are not allowed.",
        409,
    )
    iam.delete_policy(PolicyArn=arn)
    with pytest.raises(ClientError) as caught:
        iam.get_policy(PolicyArn=arn)
    assert _error(caught) == ("NoSuchEntity", f"Policy {arn} was not found.", 404)


def test_policy_versions_and_the_five_version_limit(iam: Any) -> None:
    arn = iam.create_policy(PolicyName="p", PolicyDocument=json.dumps(DOC))["Policy"]["Arn"]
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DOC2), SetAsDefault=True)["PolicyVersion"]
    assert v2["VersionId"] == "v2" and v2["IsDefaultVersion"] and "Document" not in v2
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    for _ in range(3):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DOC))
    with pytest.raises(ClientError) as caught:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DOC))
    assert _error(caught) == (
        "LimitExceeded",
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
        409,
    )
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v5", "v4", "v3", "v2", "v1"]
    assert [v["IsDefaultVersion"] for v in versions] == [False, False, False, True, False]
    with pytest.raises(ClientError) as caught:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    assert _error(caught) == ("DeleteConflict", "Cannot delete the default version of a policy.", 409)
    with pytest.raises(ClientError) as caught:
        iam.delete_policy(PolicyArn=arn)
    assert _error(caught)[0] == "DeleteConflict" and "more than one version" in _error(caught)[1]
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v5")
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v5")["PolicyVersion"]["IsDefaultVersion"]
    for version in ("v1", "v2", "v3", "v4"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=version)
    # version ids are never reused
    assert (
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DOC))["PolicyVersion"]["VersionId"] == "v6"
    )
    with pytest.raises(ClientError) as caught:
        iam.get_policy_version(PolicyArn=arn, VersionId="v1")
    assert _error(caught)[0] == "NoSuchEntity"


def test_aws_managed_policies_exist_with_real_arns_and_documents(iam: Any) -> None:
    policy = iam.get_policy(PolicyArn=INSTANCE_ROLE_POLICY)["Policy"]
    assert policy["PolicyName"] == "AmazonEC2ContainerServiceforEC2Role"
    assert policy["Path"] == "/service-role/" and policy["DefaultVersionId"] == "v10"
    document = iam.get_policy_version(PolicyArn=INSTANCE_ROLE_POLICY, VersionId="v10")["PolicyVersion"]["Document"]
    actions = {
        a for s in document["Statement"] for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }
    assert "ecs:RegisterContainerInstance" in actions
    names = {p["PolicyName"] for p in iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]}
    assert {
        "AmazonEC2ContainerServiceforEC2Role",
        "AmazonECSTaskExecutionRolePolicy",
        "AmazonECS_FullAccess",
        "AmazonSSMManagedInstanceCore",
        "CloudWatchAgentServerPolicy",
        "AmazonECSServiceRolePolicy",
    } <= names
    assert iam.list_policies(Scope="AWS", PathPrefix="/service-role/")["Policies"][0]["Path"] == "/service-role/"
    with pytest.raises(ClientError) as caught:
        iam.delete_policy(PolicyArn=INSTANCE_ROLE_POLICY)
    assert _error(caught)[0:3:2] == ("AccessDenied", 403)


def test_list_policies_pages_with_marker(iam: Any) -> None:
    for i in range(3):
        iam.create_policy(PolicyName=f"p{i}", PolicyDocument=json.dumps(DOC))
    seen: list[str] = []
    kwargs: dict[str, Any] = {"Scope": "Local", "MaxItems": 2}
    while True:
        page = iam.list_policies(**kwargs)
        seen += [p["PolicyName"] for p in page["Policies"]]
        if not page["IsTruncated"]:
            break
        kwargs["Marker"] = page["Marker"]
    assert seen == ["p0", "p1", "p2"]
    paginated = iam.get_paginator("list_policies").paginate(Scope="All", PaginationConfig={"PageSize": 3})
    assert len([p for page in paginated for p in page["Policies"]]) >= 3 + 6
    with pytest.raises(ClientError) as caught:
        iam.list_policies(Marker="forged")
    assert _error(caught)[0] == "ValidationError"


# --- attachments ---------------------------------------------------------------------------------


def test_attach_list_detach_role_policy_and_delete_conflict(iam: Any, role: str) -> None:
    iam.attach_role_policy(RoleName=role, PolicyArn=INSTANCE_ROLE_POLICY)
    iam.attach_role_policy(RoleName=role, PolicyArn=INSTANCE_ROLE_POLICY)  # idempotent
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert attached == [{"PolicyName": "AmazonEC2ContainerServiceforEC2Role", "PolicyArn": INSTANCE_ROLE_POLICY}]
    assert iam.list_attached_role_policies(RoleName=role, PathPrefix="/x/")["AttachedPolicies"] == []
    assert iam.get_policy(PolicyArn=INSTANCE_ROLE_POLICY)["Policy"]["AttachmentCount"] == 1
    assert INSTANCE_ROLE_POLICY in [p["Arn"] for p in iam.list_policies(OnlyAttached=True)["Policies"]]
    entities = iam.list_entities_for_policy(PolicyArn=INSTANCE_ROLE_POLICY)
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == ["app"]
    assert entities["PolicyUsers"] == [] and entities["PolicyGroups"] == []
    assert iam.list_entities_for_policy(PolicyArn=INSTANCE_ROLE_POLICY, EntityFilter="User")["PolicyRoles"] == []
    with pytest.raises(ClientError) as caught:
        iam.delete_role(RoleName=role)
    assert _error(caught) == ("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
    iam.detach_role_policy(RoleName=role, PolicyArn=INSTANCE_ROLE_POLICY)
    with pytest.raises(ClientError) as caught:
        iam.detach_role_policy(RoleName=role, PolicyArn=INSTANCE_ROLE_POLICY)
    assert _error(caught) == ("NoSuchEntity", f"Policy {INSTANCE_ROLE_POLICY} was not found.", 404)
    iam.put_role_policy(RoleName=role, PolicyName="inline", PolicyDocument=json.dumps(DOC))
    with pytest.raises(ClientError) as caught:
        iam.delete_role(RoleName=role)
    assert _error(caught) == ("DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
    iam.delete_role_policy(RoleName=role, PolicyName="inline")
    iam.delete_role(RoleName=role)


def test_attach_errors(iam: Any, role: str) -> None:
    missing = f"arn:aws:iam::{ACCOUNT}:policy/missing"
    with pytest.raises(ClientError) as caught:
        iam.attach_role_policy(RoleName=role, PolicyArn=missing)
    assert _error(caught) == ("NoSuchEntity", f"Policy {missing} does not exist or is not attachable.", 404)
    with pytest.raises(ClientError) as caught:
        iam.attach_role_policy(RoleName=role, PolicyArn=ECS_SERVICE_POLICY)
    assert _error(caught) == ("PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.", 400)
    arns = [iam.create_policy(PolicyName=f"q{i}", PolicyDocument=json.dumps(DOC))["Policy"]["Arn"] for i in range(11)]
    for arn in arns[:10]:
        iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    with pytest.raises(ClientError) as caught:
        iam.attach_role_policy(RoleName=role, PolicyArn=arns[10])
    assert _error(caught) == ("LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10", 409)
    with pytest.raises(ClientError) as caught:
        iam.delete_policy(PolicyArn=arns[0])
    assert _error(caught) == ("DeleteConflict", "Cannot delete a policy attached to entities.", 409)


def test_user_attachments(iam: Any) -> None:
    iam.create_user(UserName="bob")
    arn = iam.create_policy(PolicyName="u", PolicyDocument=json.dumps(DOC))["Policy"]["Arn"]
    iam.attach_user_policy(UserName="bob", PolicyArn=arn)
    assert iam.list_attached_user_policies(UserName="bob")["AttachedPolicies"] == [
        {"PolicyName": "u", "PolicyArn": arn}
    ]
    assert [u["UserName"] for u in iam.list_entities_for_policy(PolicyArn=arn)["PolicyUsers"]] == ["bob"]
    with pytest.raises(ClientError) as caught:
        iam.delete_user(UserName="bob")
    assert _error(caught) == ("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
    iam.detach_user_policy(UserName="bob", PolicyArn=arn)
    iam.delete_user(UserName="bob")


def test_ecs_service_linked_role_has_its_aws_managed_policy(iam: Any) -> None:
    iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    attached = iam.list_attached_role_policies(RoleName="AWSServiceRoleForECS")["AttachedPolicies"]
    assert attached == [{"PolicyName": "AmazonECSServiceRolePolicy", "PolicyArn": ECS_SERVICE_POLICY}]
    protected = (
        "UnmodifiableEntity",
        "Cannot perform the operation on the protected role 'AWSServiceRoleForECS' - this role is only modifiable by AWS",
        400,
    )
    for call in (
        lambda: iam.detach_role_policy(RoleName="AWSServiceRoleForECS", PolicyArn=ECS_SERVICE_POLICY),
        lambda: iam.attach_role_policy(RoleName="AWSServiceRoleForECS", PolicyArn=INSTANCE_ROLE_POLICY),
        lambda: iam.put_role_policy(RoleName="AWSServiceRoleForECS", PolicyName="p", PolicyDocument=json.dumps(DOC)),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert _error(caught) == protected
    iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")
    assert iam.get_policy(PolicyArn=ECS_SERVICE_POLICY)["Policy"]["AttachmentCount"] == 0


# --- tags ----------------------------------------------------------------------------------------


def test_role_user_and_policy_tags(iam: Any, role: str) -> None:
    iam.tag_role(RoleName=role, Tags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "a"}])
    iam.tag_role(RoleName=role, Tags=[{"Key": "ENV", "Value": "prod"}])
    assert iam.list_role_tags(RoleName=role)["Tags"] == [{"Key": "ENV", "Value": "prod"}, {"Key": "team", "Value": "a"}]
    assert iam.get_role(RoleName=role)["Role"]["Tags"] == iam.list_role_tags(RoleName=role)["Tags"]
    iam.untag_role(RoleName=role, TagKeys=["env"])
    assert iam.list_role_tags(RoleName=role)["Tags"] == [{"Key": "team", "Value": "a"}]
    page = iam.list_role_tags(RoleName=role, MaxItems=1)
    assert not page["IsTruncated"]

    iam.create_user(UserName="carol")
    iam.tag_user(UserName="carol", Tags=[{"Key": "k", "Value": "v"}])
    assert iam.list_user_tags(UserName="carol")["Tags"] == [{"Key": "k", "Value": "v"}]
    iam.untag_user(UserName="carol", TagKeys=["k"])
    assert iam.list_user_tags(UserName="carol")["Tags"] == []

    arn = iam.create_policy(PolicyName="tagged", PolicyDocument=json.dumps(DOC))["Policy"]["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    iam.untag_policy(PolicyArn=arn, TagKeys=["k"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == []

    with pytest.raises(ClientError) as caught:
        iam.tag_role(RoleName=role, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert _error(caught)[0] == "LimitExceeded"
    assert len(iam.list_role_tags(RoleName=role)["Tags"]) == 1  # a refused request changes nothing
    with pytest.raises(ClientError) as caught:
        iam.tag_role(RoleName="ghost", Tags=[{"Key": "k", "Value": "v"}])
    assert _error(caught) == ("NoSuchEntity", "The role with name ghost cannot be found.", 404)


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            {"Effect": "Allow", "Action": "ecs:*", "Resource": "cluster/x"},
            'Resource cluster/x must be in ARN format or "*".',
        ),
        ({"Effect": "Allow", "Action": "ListClusters", "Resource": "*"}, None),
        ({"Effect": "Allow", "Action": "ecs:a:b", "Resource": "*"}, "Actions/Condition can contain only one colon."),
        (
            {"Effect": "Allow", "Action": "ecs:*", "Resource": "*", "Principal": {"AWS": "*"}},
            "Policy document should not specify a principal.",
        ),
        ({"Effect": "Allow", "Action": "ecs:*", "Resource": "*", "Condition": {"StringEqual": {"aws:x": "y"}}}, None),
        ({"Effect": "Allow", "Action": "ecs:*", "NotAction": "ec2:*", "Resource": "*"}, "Syntax errors in policy."),
        ({"Effect": "Allow", "Action": "ecs:*", "Resource": "*", "Extra": 1}, "Syntax errors in policy."),
        ({"Sid": "not ok!", "Effect": "Allow", "Action": "ecs:*", "Resource": "*"}, None),
        ({"Effect": "Permit", "Action": "ecs:*", "Resource": "*"}, "Syntax errors in policy."),
    ],
    ids=[
        "resource-not-arn",
        "action-without-vendor",
        "two-colons",
        "principal",
        "unknown-operator",
        "both",
        "extra",
        "sid",
        "effect",
    ],
)
def test_malformed_documents_are_refused_and_nothing_changes(
    iam: Any, role: str, statement: Any, message: str | None
) -> None:
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    for call in (
        lambda: iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=document),
        lambda: iam.create_policy(PolicyName="p", PolicyDocument=document),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        code, text, status = _error(caught)
        assert (code, status) == ("MalformedPolicyDocument", 400)
        if message is not None:
            assert text == message
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_condition_operator_error_names_it(iam: Any, role: str) -> None:
    statement = {"Effect": "Allow", "Action": "ecs:*", "Resource": "*", "Condition": {"StringEqual": {"aws:x": "y"}}}
    with pytest.raises(ClientError) as caught:
        iam.put_role_policy(
            RoleName=role, PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statement})
        )
    assert _error(caught)[1] == "Invalid Condition type : StringEqual"


def test_trust_policy_with_partial_wildcard_principal_is_refused(iam: Any) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/dev-*"}, "Action": "sts:AssumeRole"}
        ],
    }
    with pytest.raises(ClientError) as caught:
        iam.create_role(RoleName="wild", AssumeRolePolicyDocument=json.dumps(trust))
    assert _error(caught) == (
        "MalformedPolicyDocument",
        f'Invalid principal in policy: "AWS":"arn:aws:iam::{ACCOUNT}:user/dev-*"',
        400,
    )
