"""IAM over boto3 against a real server: roles, users and access keys, instance profiles, the ECS
service-linked role, and the errors IAM answers (codes, HTTP statuses, exact messages)."""

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


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response: Any = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _create_role(iam: Any, name: str, path: str = "/") -> dict[str, Any]:
    role: dict[str, Any] = iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    return role


@pytest.fixture
def iam(aws: Any) -> Any:
    return aws("iam")


# --- roles --------------------------------------------------------------------------------------


def test_create_and_get_role_round_trips_the_trust_policy(iam: Any) -> None:
    created = iam.create_role(
        RoleName="ecsInstanceRole",
        AssumeRolePolicyDocument=json.dumps(TRUST),
        Description="instances",
        MaxSessionDuration=7200,
    )["Role"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/ecsInstanceRole"
    assert created["RoleId"].startswith("AROA") and len(created["RoleId"]) == 21
    assert created["Path"] == "/"

    role = iam.get_role(RoleName="ecsInstanceRole")["Role"]
    # botocore decodes IAM's URL-encoded policy into a dict: only works if we encode it as IAM does.
    assert role["AssumeRolePolicyDocument"] == TRUST
    assert role["RoleId"] == created["RoleId"]
    assert role["Description"] == "instances"
    assert role["MaxSessionDuration"] == 7200
    assert role["CreateDate"] == created["CreateDate"]


def test_role_names_are_case_insensitive(iam: Any) -> None:
    _create_role(iam, "MyRole")
    assert iam.get_role(RoleName="myrole")["Role"]["RoleName"] == "MyRole"
    with pytest.raises(ClientError) as caught:
        _create_role(iam, "MYROLE")
    assert _error(caught) == ("EntityAlreadyExists", "Role with name MYROLE already exists.", 409)


def test_get_missing_role_is_404_no_such_entity(iam: Any) -> None:
    with pytest.raises(ClientError) as caught:
        iam.get_role(RoleName="ghost")
    assert _error(caught) == ("NoSuchEntity", "The role with name ghost cannot be found.", 404)


def test_create_duplicate_role_is_409(iam: Any) -> None:
    _create_role(iam, "dup")
    with pytest.raises(ClientError) as caught:
        _create_role(iam, "dup")
    assert _error(caught) == ("EntityAlreadyExists", "Role with name dup already exists.", 409)


@pytest.mark.parametrize(
    "document",
    [
        "{not json",
        json.dumps({"Version": "2012-10-17"}),
        json.dumps(["a", "list"]),
        json.dumps({"Version": "2012-10-17", "Statement": []}),
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}),
        '{"Statement": ' + "[" * 20000 + "]" * 20000 + "}",
    ],
    ids=["invalid-json", "no-statement", "not-an-object", "empty-statement", "no-principal", "deeply-nested"],
)
def test_malformed_trust_policy_is_rejected_and_nothing_is_created(iam: Any, document: str) -> None:
    with pytest.raises(ClientError) as caught:
        iam.create_role(RoleName="bad", AssumeRolePolicyDocument=document)
    code, _, status = _error(caught)
    assert (code, status) == ("MalformedPolicyDocument", 400)
    with pytest.raises(ClientError):
        iam.get_role(RoleName="bad")


def test_invalid_json_policy_message(iam: Any) -> None:
    with pytest.raises(ClientError) as caught:
        iam.create_role(RoleName="bad", AssumeRolePolicyDocument="{")
    assert _error(caught) == ("MalformedPolicyDocument", "This policy contains invalid Json", 400)


def test_role_name_longer_than_64_is_a_model_validation_error(iam: Any) -> None:
    name = "r" * 65
    with pytest.raises(ClientError) as caught:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))
    code, message, status = _error(caught)
    assert (code, status) == ("ValidationError", 400)
    assert message == (
        f"1 validation error detected: Value '{name}' at 'roleName' failed to satisfy constraint: "
        "Member must have length less than or equal to 64"
    )


def test_list_roles_paginates_7_roles_in_pages_of_3(iam: Any) -> None:
    names = [f"role-{i}" for i in range(7)]
    for name in names:
        _create_role(iam, name)
    pages = list(iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 3}))
    assert [len(p["Roles"]) for p in pages] == [3, 3, 1]
    assert [p["IsTruncated"] for p in pages] == [True, True, False]
    assert "Marker" not in pages[-1]
    assert [r["RoleName"] for p in pages for r in p["Roles"]] == names
    # ListRoles leaves out Tags and RoleLastUsed, as IAM does.
    assert "RoleLastUsed" not in pages[0]["Roles"][0]


def test_list_roles_max_items_and_marker_by_hand(iam: Any) -> None:
    for i in range(4):
        _create_role(iam, f"r{i}")
    first = iam.list_roles(MaxItems=2)
    assert [r["RoleName"] for r in first["Roles"]] == ["r0", "r1"]
    assert first["IsTruncated"] is True
    second = iam.list_roles(MaxItems=2, Marker=first["Marker"])
    assert [r["RoleName"] for r in second["Roles"]] == ["r2", "r3"]
    assert second["IsTruncated"] is False


def test_list_roles_path_prefix(iam: Any) -> None:
    _create_role(iam, "plain")
    _create_role(iam, "svc-a", path="/service/")
    _create_role(iam, "svc-b", path="/service/team/")
    _create_role(iam, "other", path="/serviceless/")
    roles = iam.list_roles(PathPrefix="/service/")["Roles"]
    assert sorted(r["RoleName"] for r in roles) == ["svc-a", "svc-b"]
    paged = list(iam.get_paginator("list_roles").paginate(PathPrefix="/service", PaginationConfig={"PageSize": 1}))
    assert [r["RoleName"] for p in paged for r in p["Roles"]] == ["other", "svc-a", "svc-b"]


@pytest.mark.parametrize("marker", ["forged", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "%%%", "a" * 300])
def test_forged_marker_is_an_error_not_a_crash(iam: Any, marker: str) -> None:
    _create_role(iam, "one")
    with pytest.raises(ClientError) as caught:
        iam.list_roles(Marker=marker)
    code, _, status = _error(caught)
    assert status == 400
    assert code == "ValidationError"


def test_marker_from_another_listing_is_refused(iam: Any) -> None:
    for i in range(2):
        iam.create_user(UserName=f"u{i}")
    marker = iam.list_users(MaxItems=1)["Marker"]
    with pytest.raises(ClientError) as caught:
        iam.list_roles(Marker=marker)
    assert _error(caught)[0] == "ValidationError"


def test_delete_role(iam: Any) -> None:
    _create_role(iam, "gone")
    iam.delete_role(RoleName="gone")
    with pytest.raises(ClientError) as caught:
        iam.get_role(RoleName="gone")
    assert _error(caught)[2] == 404
    with pytest.raises(ClientError) as caught:
        iam.delete_role(RoleName="gone")
    assert _error(caught) == ("NoSuchEntity", "The role with name gone cannot be found.", 404)


def test_delete_role_in_an_instance_profile_conflicts(iam: Any) -> None:
    _create_role(iam, "held")
    iam.create_instance_profile(InstanceProfileName="holder")
    iam.add_role_to_instance_profile(InstanceProfileName="holder", RoleName="held")
    with pytest.raises(ClientError) as caught:
        iam.delete_role(RoleName="held")
    assert _error(caught) == (
        "DeleteConflict",
        "Cannot delete entity, must remove roles from instance profile first.",
        409,
    )
    iam.remove_role_from_instance_profile(InstanceProfileName="holder", RoleName="held")
    iam.delete_role(RoleName="held")


def test_update_assume_role_policy(iam: Any) -> None:
    _create_role(iam, "r")
    new = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    iam.update_assume_role_policy(RoleName="r", PolicyDocument=json.dumps(new))
    assert iam.get_role(RoleName="r")["Role"]["AssumeRolePolicyDocument"] == new
    with pytest.raises(ClientError) as caught:
        iam.update_assume_role_policy(RoleName="r", PolicyDocument="nope")
    assert _error(caught)[0] == "MalformedPolicyDocument"
    assert iam.get_role(RoleName="r")["Role"]["AssumeRolePolicyDocument"] == new


# --- users and access keys ----------------------------------------------------------------------


def test_create_list_delete_users(iam: Any) -> None:
    user = iam.create_user(UserName="alice", Path="/staff/")["User"]
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/staff/alice"
    assert user["UserId"].startswith("AIDA")
    iam.create_user(UserName="bob")
    assert [u["UserName"] for u in iam.list_users()["Users"]] == ["alice", "bob"]
    assert [u["UserName"] for u in iam.list_users(PathPrefix="/staff/")["Users"]] == ["alice"]
    with pytest.raises(ClientError) as caught:
        iam.create_user(UserName="Alice")
    assert _error(caught) == ("EntityAlreadyExists", "User with name Alice already exists.", 409)
    iam.delete_user(UserName="bob")
    assert [u["UserName"] for u in iam.list_users()["Users"]] == ["alice"]
    with pytest.raises(ClientError) as caught:
        iam.get_user(UserName="bob")
    assert _error(caught) == ("NoSuchEntity", "The user with name bob cannot be found.", 404)


def test_access_key_limit_is_two(iam: Any) -> None:
    iam.create_user(UserName="carol")
    keys = [iam.create_access_key(UserName="carol")["AccessKey"] for _ in range(2)]
    assert all(k["AccessKeyId"].startswith("AKIA") and len(k["AccessKeyId"]) == 20 for k in keys)
    assert all(len(k["SecretAccessKey"]) == 40 and k["Status"] == "Active" for k in keys)
    with pytest.raises(ClientError) as caught:
        iam.create_access_key(UserName="carol")
    assert _error(caught) == ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)
    listed = iam.list_access_keys(UserName="carol")["AccessKeyMetadata"]
    assert sorted(k["AccessKeyId"] for k in listed) == sorted(k["AccessKeyId"] for k in keys)
    assert all("SecretAccessKey" not in k for k in listed)


def test_delete_user_with_access_keys_conflicts(iam: Any) -> None:
    iam.create_user(UserName="dave")
    key = iam.create_access_key(UserName="dave")["AccessKey"]["AccessKeyId"]
    with pytest.raises(ClientError) as caught:
        iam.delete_user(UserName="dave")
    assert _error(caught) == ("DeleteConflict", "Cannot delete entity, must delete access keys first.", 409)
    iam.delete_access_key(UserName="dave", AccessKeyId=key)
    assert iam.list_access_keys(UserName="dave")["AccessKeyMetadata"] == []
    iam.delete_user(UserName="dave")


def test_access_key_of_another_user_is_not_found(iam: Any) -> None:
    iam.create_user(UserName="erin")
    iam.create_user(UserName="frank")
    key = iam.create_access_key(UserName="erin")["AccessKey"]["AccessKeyId"]
    with pytest.raises(ClientError) as caught:
        iam.delete_access_key(UserName="frank", AccessKeyId=key)
    assert _error(caught) == ("NoSuchEntity", f"The Access Key with id {key} cannot be found.", 404)


# --- instance profiles --------------------------------------------------------------------------


def test_instance_profile_with_a_role(iam: Any) -> None:
    role = _create_role(iam, "ecsInstanceRole")
    profile = iam.create_instance_profile(InstanceProfileName="ecsInstanceProfile")["InstanceProfile"]
    assert profile["Arn"] == f"arn:aws:iam::{ACCOUNT}:instance-profile/ecsInstanceProfile"
    assert profile["InstanceProfileId"].startswith("AIPA")
    assert profile["Roles"] == []
    iam.add_role_to_instance_profile(InstanceProfileName="ecsInstanceProfile", RoleName="ecsInstanceRole")
    got = iam.get_instance_profile(InstanceProfileName="ecsInstanceProfile")["InstanceProfile"]
    assert [r["Arn"] for r in got["Roles"]] == [role["Arn"]]
    assert got["Roles"][0]["AssumeRolePolicyDocument"] == TRUST

    for_role = iam.list_instance_profiles_for_role(RoleName="ecsInstanceRole")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in for_role] == ["ecsInstanceProfile"]
    assert iam.list_instance_profiles()["InstanceProfiles"][0]["Roles"][0]["RoleName"] == "ecsInstanceRole"


def test_second_role_in_an_instance_profile_exceeds_the_limit(iam: Any) -> None:
    _create_role(iam, "first")
    _create_role(iam, "second")
    iam.create_instance_profile(InstanceProfileName="p")
    iam.add_role_to_instance_profile(InstanceProfileName="p", RoleName="first")
    with pytest.raises(ClientError) as caught:
        iam.add_role_to_instance_profile(InstanceProfileName="p", RoleName="second")
    assert _error(caught) == ("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1", 409)
    assert iam.list_instance_profiles_for_role(RoleName="second")["InstanceProfiles"] == []


def test_instance_profile_errors(iam: Any) -> None:
    iam.create_instance_profile(InstanceProfileName="p")
    with pytest.raises(ClientError) as caught:
        iam.create_instance_profile(InstanceProfileName="p")
    assert _error(caught) == ("EntityAlreadyExists", "Instance Profile p already exists.", 409)
    with pytest.raises(ClientError) as caught:
        iam.get_instance_profile(InstanceProfileName="nope")
    assert _error(caught) == ("NoSuchEntity", "Instance Profile nope cannot be found.", 404)
    with pytest.raises(ClientError) as caught:
        iam.add_role_to_instance_profile(InstanceProfileName="p", RoleName="nope")
    assert _error(caught) == ("NoSuchEntity", "The role with name nope cannot be found.", 404)
    with pytest.raises(ClientError) as caught:
        iam.list_instance_profiles_for_role(RoleName="nope")
    assert _error(caught)[2] == 404


def test_delete_instance_profile_holding_a_role_conflicts(iam: Any) -> None:
    _create_role(iam, "r")
    iam.create_instance_profile(InstanceProfileName="p")
    iam.add_role_to_instance_profile(InstanceProfileName="p", RoleName="r")
    with pytest.raises(ClientError) as caught:
        iam.delete_instance_profile(InstanceProfileName="p")
    assert _error(caught)[0:3:2] == ("DeleteConflict", 409)
    iam.remove_role_from_instance_profile(InstanceProfileName="p", RoleName="r")
    iam.delete_instance_profile(InstanceProfileName="p")
    assert iam.list_instance_profiles()["InstanceProfiles"] == []


def test_deleted_role_leaves_the_profile_listing_consistent(iam: Any) -> None:
    _create_role(iam, "r")
    iam.create_instance_profile(InstanceProfileName="p")
    iam.add_role_to_instance_profile(InstanceProfileName="p", RoleName="r")
    iam.remove_role_from_instance_profile(InstanceProfileName="p", RoleName="r")
    iam.delete_role(RoleName="r")
    _create_role(iam, "r")
    assert iam.get_instance_profile(InstanceProfileName="p")["InstanceProfile"]["Roles"] == []
    assert iam.list_instance_profiles_for_role(RoleName="r")["InstanceProfiles"] == []


# --- the ECS service-linked role ----------------------------------------------------------------


def test_ecs_service_linked_role(iam: Any) -> None:
    role = iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForECS"
    assert role["Path"] == "/aws-service-role/ecs.amazonaws.com/"
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"

    got = iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]
    assert got["Arn"] == role["Arn"]
    statement = got["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Principal"]["Service"] in ("ecs.amazonaws.com", ["ecs.amazonaws.com"])

    with pytest.raises(ClientError) as caught:
        iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    assert _error(caught) == (
        "InvalidInput",
        "Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.",
        400,
    )

    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")["DeletionTaskId"]
    assert task
    with pytest.raises(ClientError) as caught:
        iam.get_role(RoleName="AWSServiceRoleForECS")
    assert _error(caught)[2] == 404
    # Once deleted it can be created again.
    assert iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")["Role"]["Arn"] == role["Arn"]


def test_auto_scaling_service_linked_role(iam: Any) -> None:
    role = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForAutoScaling"
    assert role["Arn"] == (
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    )
    with pytest.raises(ClientError) as caught:
        iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")
    assert _error(caught) == (
        "InvalidInput",
        "Service role name AWSServiceRoleForAutoScaling has been taken in this account, please try a different suffix.",
        400,
    )


def test_auto_scaling_service_linked_role_takes_a_custom_suffix(iam: Any) -> None:
    """CreateServiceLinkedRole CustomSuffix: Auto Scaling takes one (`AWSServiceRoleForAutoScaling_<suffix>`,
    EC2 Auto Scaling User Guide); ECS refuses it with IAM's text."""
    name = "AWSServiceRoleForAutoScaling_web"
    role = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="web")["Role"]
    assert (role["RoleName"], role["Path"]) == (name, "/aws-service-role/autoscaling.amazonaws.com/")
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/{name}"
    # the default role is another role; each suffix is taken once
    plain = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")["Role"]
    assert plain["RoleName"] == "AWSServiceRoleForAutoScaling"
    with pytest.raises(ClientError) as caught:
        iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="web")
    assert _error(caught) == (
        "InvalidInput",
        f"Service role name {name} has been taken in this account, please try a different suffix.",
        400,
    )
    with pytest.raises(ClientError) as caught:
        iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com", CustomSuffix="web")
    assert _error(caught) == ("InvalidInput", "Custom suffix is not allowed for ecs.amazonaws.com", 400)
    with pytest.raises(ClientError) as caught:
        iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="x" * 36)
    long_name = "AWSServiceRoleForAutoScaling_" + "x" * 36
    assert _error(caught) == (
        "InvalidInput",
        f"Role name {long_name} is longer than 64 characters: use a shorter suffix.",
        400,
    )
    assert {r["RoleName"] for r in iam.list_roles()["Roles"]} == {name, "AWSServiceRoleForAutoScaling"}
    # no group uses the suffixed role, so it deletes
    task = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
    assert task.startswith(f"task/aws-service-role/autoscaling.amazonaws.com/{name}/")
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"


def test_service_linked_role_cannot_be_deleted_with_delete_role(iam: Any) -> None:
    iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    with pytest.raises(ClientError) as caught:
        iam.delete_role(RoleName="AWSServiceRoleForECS")
    code, message, status = _error(caught)
    assert (code, status) == ("UnmodifiableEntity", 400)
    assert "AWSServiceRoleForECS" in message
    iam.get_role(RoleName="AWSServiceRoleForECS")


def test_delete_service_linked_role_refuses_ordinary_roles(iam: Any) -> None:
    _create_role(iam, "plain")
    with pytest.raises(ClientError) as caught:
        iam.delete_service_linked_role(RoleName="plain")
    assert _error(caught)[0:3:2] == ("InvalidInput", 400)
    iam.get_role(RoleName="plain")


def test_list_groups_for_user_lists_none(iam: Any) -> None:
    """trunkline keeps no groups; Terraform lists a user's groups before deleting the user."""
    iam.create_user(UserName="grouped")
    assert iam.list_groups_for_user(UserName="grouped")["Groups"] == []
    with pytest.raises(ClientError) as caught:
        iam.list_groups_for_user(UserName="ghost")
    assert _error(caught) == ("NoSuchEntity", "The user with name ghost cannot be found.", 404)
