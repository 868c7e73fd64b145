"""ECS clusters over boto3 and the AWS CLI: lifecycle, the default cluster, describe failures,
paging, validation, the ECS service-linked role (S15), and the counts and delete refusals derived
from the container instances, tasks and services indexed under a cluster.

Seed requirements covered: S15 (the service-linked role exists once a cluster was created).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from conftest import CREDENTIALS, CliError, Server, make_cli
from trunkline.context import Principal, RequestContext
from trunkline.domain.ecs import clusters
from trunkline.errors import AwsError
from trunkline.store import open_store
from trunkline.store.api import Store, Transaction
from trunkline.timing import PROFILES

ACCOUNT = "123456789012"
REGION = "us-east-1"
ARN_PREFIX = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/"
SLR_ARN = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response: Any = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _digest(server: Server) -> str:
    return str(server.get("/_trunkline/state/digest").json()["digest"])


@pytest.fixture
def ecs(server: Server) -> Any:
    return server.client("ecs")


# --- lifecycle --------------------------------------------------------------------------------------


def test_create_cluster(ecs: Any) -> None:
    cluster = ecs.create_cluster(clusterName="trunked")["cluster"]
    assert cluster == {
        "clusterArn": ARN_PREFIX + "trunked",
        "clusterName": "trunked",
        "status": "ACTIVE",
        "registeredContainerInstancesCount": 0,
        "runningTasksCount": 0,
        "pendingTasksCount": 0,
        "activeServicesCount": 0,
        "statistics": [],
        "tags": [],
        "settings": [{"name": "containerInsights", "value": "disabled"}],
        "capacityProviders": [],
        "defaultCapacityProviderStrategy": [],
    }


def test_create_without_a_name_makes_default(ecs: Any, cli: Any) -> None:
    created = cli("ecs", "create-cluster")["cluster"]
    assert (created["clusterName"], created["clusterArn"]) == ("default", ARN_PREFIX + "default")
    described = ecs.describe_clusters()  # no clusters: the default one
    assert [c["clusterName"] for c in described["clusters"]] == ["default"]
    assert described["failures"] == []


def test_default_cluster_is_not_created_implicitly(ecs: Any) -> None:
    assert ecs.list_clusters()["clusterArns"] == []
    assert ecs.describe_clusters()["failures"] == [{"arn": ARN_PREFIX + "default", "reason": "MISSING"}]
    with pytest.raises(ClientError) as caught:
        ecs.delete_cluster(cluster="default")
    assert _error(caught) == ("ClusterNotFoundException", "Cluster not found.", 400)


def test_create_existing_active_cluster_returns_it_unchanged(ecs: Any) -> None:
    first = ecs.create_cluster(clusterName="web", tags=[{"key": "team", "value": "a"}])["cluster"]
    again = ecs.create_cluster(clusterName="web", tags=[{"key": "team", "value": "b"}])["cluster"]
    assert again == first
    assert ecs.list_clusters()["clusterArns"] == [ARN_PREFIX + "web"]


def test_tags_and_settings(ecs: Any) -> None:
    tags = [{"key": "team", "value": "net"}, {"key": "cost-centre", "value": "42"}, {"key": "empty", "value": ""}]
    created = ecs.create_cluster(
        clusterName="tagged", tags=tags, settings=[{"name": "containerInsights", "value": "enhanced"}]
    )["cluster"]
    assert created["tags"] == tags
    assert created["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    plain = ecs.describe_clusters(clusters=["tagged"])["clusters"][0]
    # Without `include`, AWS leaves these members out of the Cluster altogether.
    assert not {"tags", "settings", "statistics", "configuration", "attachments"} & set(plain)
    full = ecs.describe_clusters(clusters=["tagged"], include=["TAGS", "SETTINGS", "STATISTICS"])["clusters"][0]
    assert full["tags"] == tags
    assert full["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    assert {s["name"]: s["value"] for s in full["statistics"]} == {
        "runningEC2TasksCount": "0",
        "runningFargateTasksCount": "0",
        "pendingEC2TasksCount": "0",
        "pendingFargateTasksCount": "0",
        "activeEC2ServiceCount": "0",
        "activeFargateServiceCount": "0",
        "drainingEC2ServiceCount": "0",
        "drainingFargateServiceCount": "0",
    }


def test_container_insights_follows_the_account_setting_at_creation(ecs: Any) -> None:
    ecs.put_account_setting_default(name="containerInsights", value="enabled")
    created = ecs.create_cluster(clusterName="observed")["cluster"]
    assert created["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    # Frozen at creation: a later change of the account setting does not touch the cluster.
    ecs.put_account_setting_default(name="containerInsights", value="disabled")
    described = ecs.describe_clusters(clusters=["observed"], include=["SETTINGS"])["clusters"][0]
    assert described["settings"] == [{"name": "containerInsights", "value": "enabled"}]


def test_configuration_is_kept_and_described_on_request(ecs: Any) -> None:
    configuration = {"executeCommandConfiguration": {"logging": "DEFAULT"}}
    created = ecs.create_cluster(clusterName="exec", configuration=configuration)["cluster"]
    assert created["configuration"] == configuration
    assert "configuration" not in ecs.describe_clusters(clusters=["exec"])["clusters"][0]
    described = ecs.describe_clusters(clusters=["exec"], include=["CONFIGURATIONS"])["clusters"][0]
    assert described["configuration"] == configuration


def test_fargate_capacity_providers(ecs: Any) -> None:
    created = ecs.create_cluster(
        clusterName="fargate",
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
    )["cluster"]
    assert created["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    # AWS fills in the omitted base.
    assert created["defaultCapacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}]


def test_delete_cluster_then_it_describes_inactive(ecs: Any) -> None:
    ecs.create_cluster(clusterName="gone")
    deleted = ecs.delete_cluster(cluster=ARN_PREFIX + "gone")["cluster"]
    assert (deleted["clusterArn"], deleted["status"]) == (ARN_PREFIX + "gone", "INACTIVE")
    assert deleted["registeredContainerInstancesCount"] == 0
    assert ecs.list_clusters()["clusterArns"] == []
    described = ecs.describe_clusters(clusters=["gone"])
    assert [(c["clusterName"], c["status"]) for c in described["clusters"]] == [("gone", "INACTIVE")]
    assert described["failures"] == []
    # Deleting again: an INACTIVE cluster is not found.
    with pytest.raises(ClientError) as caught:
        ecs.delete_cluster(cluster="gone")
    assert _error(caught) == ("ClusterNotFoundException", "Cluster not found.", 400)


def test_recreating_a_deleted_cluster_makes_a_fresh_one(ecs: Any) -> None:
    ecs.create_cluster(clusterName="phoenix", tags=[{"key": "generation", "value": "1"}])
    ecs.delete_cluster(cluster="phoenix")
    again = ecs.create_cluster(clusterName="phoenix")["cluster"]
    assert (again["status"], again["tags"]) == ("ACTIVE", [])
    assert ecs.list_clusters()["clusterArns"] == [ARN_PREFIX + "phoenix"]


def test_delete_missing_cluster_exact_error(cli: Any) -> None:
    with pytest.raises(CliError) as caught:
        cli("ecs", "delete-cluster", "--cluster", "nope")
    assert "ClusterNotFoundException" in caught.value.stderr
    assert "Cluster not found." in caught.value.stderr


def test_cli_lifecycle(cli: Any) -> None:
    created = cli("ecs", "create-cluster", "--cluster-name", "cli-made", "--tags", "key=env,value=test")["cluster"]
    assert created["tags"] == [{"key": "env", "value": "test"}]
    assert cli("ecs", "list-clusters") == {"clusterArns": [ARN_PREFIX + "cli-made"]}
    described = cli("ecs", "describe-clusters", "--clusters", "cli-made", "missing", "--include", "TAGS")
    assert described["clusters"][0]["tags"] == [{"key": "env", "value": "test"}]
    assert described["failures"] == [{"arn": ARN_PREFIX + "missing", "reason": "MISSING"}]
    assert cli("ecs", "delete-cluster", "--cluster", "cli-made")["cluster"]["status"] == "INACTIVE"


# --- DescribeClusters -------------------------------------------------------------------------------


def test_describe_by_name_and_arn_with_failures(ecs: Any) -> None:
    ecs.create_cluster(clusterName="alpha")
    ecs.create_cluster(clusterName="beta")
    foreign = "arn:aws:ecs:eu-west-1:123456789012:cluster/alpha"
    other_account = "arn:aws:ecs:us-east-1:210987654321:cluster/alpha"
    described = ecs.describe_clusters(clusters=["alpha", ARN_PREFIX + "beta", "ghost", foreign, other_account])
    assert [c["clusterName"] for c in described["clusters"]] == ["alpha", "beta"]
    assert described["failures"] == [
        {"arn": ARN_PREFIX + "ghost", "reason": "MISSING"},
        {"arn": foreign, "reason": "MISSING"},
        {"arn": other_account, "reason": "MISSING"},
    ]


def test_describe_names_one_cluster_once(ecs: Any) -> None:
    ecs.create_cluster(clusterName="alpha")
    described = ecs.describe_clusters(clusters=["alpha", ARN_PREFIX + "alpha", "alpha"])
    assert len(described["clusters"]) == 1


def test_describe_malformed_names_are_missing_not_errors(ecs: Any) -> None:
    described = ecs.describe_clusters(clusters=["bad name!", "arn:aws:ecs:us-east-1:123456789012:task/x"])
    assert described["clusters"] == []
    assert [f["reason"] for f in described["failures"]] == ["MISSING", "MISSING"]


def test_describe_more_than_100_is_refused(ecs: Any) -> None:
    with pytest.raises(ClientError) as caught:
        ecs.describe_clusters(clusters=[f"c{i}" for i in range(101)])
    assert _error(caught)[0] == "InvalidParameterException"


def test_clusters_are_per_region(server: Server, ecs: Any) -> None:
    ecs.create_cluster(clusterName="east")
    west = boto3.client(
        "ecs",
        endpoint_url=server.url,
        region_name="us-west-2",
        config=BotoConfig(retries={"max_attempts": 1}),
        **CREDENTIALS,
    )
    assert west.list_clusters()["clusterArns"] == []
    made = west.create_cluster(clusterName="east")["cluster"]
    assert made["clusterArn"] == f"arn:aws:ecs:us-west-2:{ACCOUNT}:cluster/east"
    assert ecs.list_clusters()["clusterArns"] == [ARN_PREFIX + "east"]


# --- ListClusters -----------------------------------------------------------------------------------


def test_list_clusters_pages(ecs: Any) -> None:
    names = [f"cluster-{i:02d}" for i in range(7)]
    for name in reversed(names):
        ecs.create_cluster(clusterName=name)
    first = ecs.list_clusters(maxResults=3)
    second = ecs.list_clusters(maxResults=3, nextToken=first["nextToken"])
    third = ecs.list_clusters(maxResults=3, nextToken=second["nextToken"])
    assert [len(p["clusterArns"]) for p in (first, second, third)] == [3, 3, 1]
    assert "nextToken" not in third
    listed = [arn for p in (first, second, third) for arn in p["clusterArns"]]
    assert listed == [ARN_PREFIX + n for n in names]


def test_list_clusters_paginator_and_only_active(ecs: Any) -> None:
    for name in ("a", "b", "c", "d"):
        ecs.create_cluster(clusterName=name)
    ecs.delete_cluster(cluster="b")
    pages = list(ecs.get_paginator("list_clusters").paginate(PaginationConfig={"PageSize": 2}))
    assert [arn for p in pages for arn in p["clusterArns"]] == [ARN_PREFIX + n for n in ("a", "c", "d")]


@pytest.mark.parametrize("size", [0, 101])
def test_list_clusters_max_results_1_to_100(ecs: Any, size: int) -> None:
    with pytest.raises(ClientError) as caught:
        ecs.list_clusters(maxResults=size)
    assert _error(caught)[0] == "InvalidParameterException"


@pytest.mark.parametrize("token", ["garbage", "eyJsIjoiZWNzOkxpc3RDbHVzdGVycyJ9"])
def test_list_clusters_forged_token(ecs: Any, token: str) -> None:
    with pytest.raises(ClientError) as caught:
        ecs.list_clusters(nextToken=token)
    assert _error(caught)[:1] == ("InvalidParameterException",)


def test_list_clusters_token_from_another_listing(ecs: Any) -> None:
    for name in ("a", "b"):
        ecs.create_cluster(clusterName=name)
    ecs.put_account_setting_default(name="awsvpcTrunking", value="enabled")
    token = ecs.list_account_settings(effectiveSettings=True, maxResults=1)["nextToken"]
    with pytest.raises(ClientError) as caught:
        ecs.list_clusters(nextToken=token)
    assert _error(caught)[0] == "InvalidParameterException"


# --- validation -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["has space", "dots.not.allowed", "x" * 256, "", "slash/name"])
def test_invalid_cluster_names_are_refused_and_change_nothing(server: Server, ecs: Any, name: str) -> None:
    before = _digest(server)
    with pytest.raises(ClientError) as caught:
        ecs.create_cluster(clusterName=name)
    assert _error(caught)[0] == "InvalidParameterException"
    assert _digest(server) == before


def test_longest_name_is_accepted(ecs: Any) -> None:
    name = "A-_9" * 63 + "xyz"
    assert len(name) == 255
    assert ecs.create_cluster(clusterName=name)["cluster"]["clusterName"] == name


@pytest.mark.parametrize(
    "tags",
    [
        [{"key": "aws:reserved", "value": "x"}],
        [{"key": "dup", "value": "1"}, {"key": "dup", "value": "2"}],
        [{"key": "bad<char>", "value": "x"}],
        [{"key": "ok", "value": "semi;colon"}],
        [{"key": f"k{i}", "value": "v"} for i in range(51)],
    ],
)
def test_invalid_tags_are_refused_and_change_nothing(server: Server, ecs: Any, tags: list[dict[str, str]]) -> None:
    before = _digest(server)
    with pytest.raises(ClientError) as caught:
        ecs.create_cluster(clusterName="tagged", tags=tags)
    assert _error(caught)[0] == "InvalidParameterException"
    assert _digest(server) == before


def test_invalid_container_insights_value(server: Server, ecs: Any) -> None:
    before = _digest(server)
    with pytest.raises(ClientError) as caught:
        ecs.create_cluster(clusterName="x", settings=[{"name": "containerInsights", "value": "on"}])
    assert _error(caught)[0] == "InvalidParameterException"
    assert _digest(server) == before


def test_unknown_capacity_provider_is_refused(ecs: Any) -> None:
    with pytest.raises(ClientError) as caught:
        ecs.create_cluster(clusterName="x", capacityProviders=["my-asg-provider"])
    assert _error(caught)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as caught:
        ecs.create_cluster(
            clusterName="x",
            capacityProviders=["FARGATE"],
            defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT"}],
        )
    assert _error(caught)[0] == "InvalidParameterException"


def test_service_connect_namespace_is_never_found(ecs: Any) -> None:
    with pytest.raises(ClientError) as caught:
        ecs.create_cluster(clusterName="x", serviceConnectDefaults={"namespace": "internal"})
    assert _error(caught)[0] == "NamespaceNotFoundException"
    assert ecs.list_clusters()["clusterArns"] == []


# --- the ECS service-linked role (S15) --------------------------------------------------------------


def test_create_cluster_creates_the_service_linked_role(server: Server, ecs: Any) -> None:
    iam = server.client("iam")
    with pytest.raises(ClientError):
        iam.get_role(RoleName="AWSServiceRoleForECS")
    ecs.create_cluster(clusterName="first")
    role = iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]
    assert role["Arn"] == SLR_ARN
    assert role["Path"] == "/aws-service-role/ecs.amazonaws.com/"
    # A second cluster reuses it.
    ecs.create_cluster(clusterName="second")
    assert iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]["RoleId"] == role["RoleId"]
    with pytest.raises(ClientError) as caught:
        iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    assert _error(caught) == (
        "InvalidInput",
        "Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.",
        400,
    )


def test_existing_service_linked_role_is_kept(server: Server, ecs: Any) -> None:
    iam = server.client("iam")
    made = iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com", Description="made first")["Role"]
    ecs.create_cluster(clusterName="after")
    role = iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]
    assert (role["RoleId"], role["Description"]) == (made["RoleId"], "made first")


def test_service_linked_role_deletion_fails_while_clusters_exist(server: Server, ecs: Any, tmp_path: Path) -> None:
    """ECS's role can be deleted only once every cluster in every region is deleted (ECS Developer
    Guide, deleting the service-linked role): until then the deletion task is FAILED with the
    clusters by region (IAM API Reference, DeletionTaskFailureReasonType) and the role stays."""
    iam = server.client("iam")
    west = boto3.client("ecs", endpoint_url=server.url, region_name="us-west-2", **CREDENTIALS)
    east_arn = ecs.create_cluster(clusterName="east")["cluster"]["clusterArn"]
    west_arn = west.create_cluster(clusterName="west")["cluster"]["clusterArn"]
    inactive = ecs.create_cluster(clusterName="gone")["cluster"]["clusterArn"]
    ecs.delete_cluster(cluster=inactive)  # an INACTIVE cluster no longer uses the role
    role = iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]

    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")["DeletionTaskId"]
    assert task.startswith("task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/")
    cli = make_cli(server.url, tmp_path)
    assert cli("iam", "get-service-linked-role-deletion-status", "--deletion-task-id", task) == {
        "Status": "FAILED",
        "Reason": {
            "Reason": "Service-linked role AWSServiceRoleForECS is in use by ecs.amazonaws.com; delete the "
            "resources that use it, then delete the role again.",
            "RoleUsageList": [
                {"Region": "us-east-1", "Resources": [east_arn]},
                {"Region": "us-west-2", "Resources": [west_arn]},
            ],
        },
    }
    assert iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]["RoleId"] == role["RoleId"]
    assert iam.list_attached_role_policies(RoleName="AWSServiceRoleForECS")["AttachedPolicies"] != []

    ecs.delete_cluster(cluster="east")
    second = cli("iam", "delete-service-linked-role", "--role-name", "AWSServiceRoleForECS")["DeletionTaskId"]
    reason = iam.get_service_linked_role_deletion_status(DeletionTaskId=second)["Reason"]
    assert reason["RoleUsageList"] == [{"Region": "us-west-2", "Resources": [west_arn]}]

    west.delete_cluster(cluster="west")
    done = iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")["DeletionTaskId"]
    assert len({task, second, done}) == 3
    answer = iam.get_service_linked_role_deletion_status(DeletionTaskId=done)
    assert answer["Status"] == "SUCCEEDED" and "Reason" not in answer
    with pytest.raises(ClientError) as caught:
        iam.get_role(RoleName="AWSServiceRoleForECS")
    assert _error(caught)[0] == "NoSuchEntity"
    # earlier tasks keep their answer; a task id of the right form this account never had is unknown
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "FAILED"
    unknown = "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/ec720f7a-c0ba-4838-be33-f72e1873dd52"
    with pytest.raises(ClientError) as caught:
        iam.get_service_linked_role_deletion_status(DeletionTaskId=unknown)
    assert _error(caught) == ("NoSuchEntity", f"The deletion task with id {unknown} cannot be found.", 404)


def test_refused_create_cluster_creates_no_role(server: Server, ecs: Any) -> None:
    with pytest.raises(ClientError):
        ecs.create_cluster(clusterName="bad name")
    with pytest.raises(ClientError):
        server.client("iam").get_role(RoleName="AWSServiceRoleForECS")


# --- counts and delete refusals, from records indexed by cluster -------------------------------------
# Container instances, tasks and services are written by their own modules; these tests store
# records the way the index contract says those modules will, and check what clusters derive.


@pytest.fixture
def store(tmp_path: Any) -> Iterator[Store]:
    opened = open_store(str(tmp_path / "clusters.sqlite3"))
    try:
        yield opened
    finally:
        opened.close()


def _ctx(tx: Transaction) -> RequestContext:
    return RequestContext(tx, Principal.root(ACCOUNT), REGION, 1_700_000_000.0, PROFILES["fast"])


def _instance(tx: Transaction, arn: str, key: str, status: str) -> None:
    tx.put(
        clusters.CONTAINER_INSTANCE.name, key, {"status": status}, {"cluster": arn, "cluster_status": f"{arn}|{status}"}
    )


def _task(tx: Transaction, arn: str, key: str, last: str, desired: str = "RUNNING", launch: str = "EC2") -> None:
    tx.put(
        clusters.TASK.name,
        key,
        {"lastStatus": last, "desiredStatus": desired, "launchType": launch},
        {"cluster_status": f"{arn}|{last}", "cluster_desired": f"{arn}|{desired}"},
    )


def _service(tx: Transaction, arn: str, key: str, status: str, launch: str = "EC2") -> None:
    tx.put(clusters.SERVICE.name, key, {"status": status, "launchType": launch}, {"cluster_status": f"{arn}|{status}"})


def test_counts_are_derived_from_indexed_records(store: Store) -> None:
    def work(tx: Transaction) -> None:
        ctx = _ctx(tx)
        arn = clusters.create_cluster(ctx, {"clusterName": "busy"})["clusterArn"]
        other = clusters.create_cluster(ctx, {"clusterName": "other"})["clusterArn"]
        for i, status in enumerate(["ACTIVE", "ACTIVE", "DRAINING", "REGISTERING", "INACTIVE"]):
            _instance(tx, arn, f"ci-{i}", status)
        _instance(tx, other, "ci-other", "ACTIVE")
        for i, last in enumerate(["RUNNING", "RUNNING", "RUNNING", "PENDING", "PROVISIONING", "STOPPED"]):
            _task(tx, arn, f"t-{i}", last, launch="FARGATE" if i == 0 else "EC2")
        _service(tx, arn, "s-1", "ACTIVE")
        _service(tx, arn, "s-2", "DRAINING")
        assert clusters.cluster_counts(ctx, arn) == {
            "registeredContainerInstancesCount": 3,
            "runningTasksCount": 3,
            "pendingTasksCount": 1,
            "activeServicesCount": 1,
        }
        stats = {s["name"]: s["value"] for s in clusters.cluster_statistics(ctx, arn)}
        assert (stats["runningEC2TasksCount"], stats["runningFargateTasksCount"]) == ("2", "1")
        assert (stats["pendingEC2TasksCount"], stats["drainingEC2ServiceCount"]) == ("1", "1")
        assert clusters.cluster_counts(ctx, other)["registeredContainerInstancesCount"] == 1

    store.run(work)


@pytest.mark.parametrize(
    ("populate", "code", "message"),
    [
        (
            lambda tx, arn: _instance(tx, arn, "ci", "ACTIVE"),
            "ClusterContainsContainerInstancesException",
            "The Cluster cannot be deleted while Container Instances are active or draining.",
        ),
        (
            lambda tx, arn: _instance(tx, arn, "ci", "DRAINING"),
            "ClusterContainsContainerInstancesException",
            "The Cluster cannot be deleted while Container Instances are active or draining.",
        ),
        (
            lambda tx, arn: _instance(tx, arn, "ci", "REGISTRATION_FAILED"),
            "ClusterContainsContainerInstancesException",
            "The Cluster cannot be deleted while Container Instances are active or draining.",
        ),
        (
            lambda tx, arn: _service(tx, arn, "svc", "ACTIVE"),
            "ClusterContainsServicesException",
            "The Cluster cannot be deleted while Services are active.",
        ),
        (
            lambda tx, arn: _task(tx, arn, "task", "PENDING", launch="FARGATE"),
            "ClusterContainsTasksException",
            "The Cluster cannot be deleted while Tasks are active.",
        ),
    ],
)
def test_delete_refused_while_the_cluster_holds_something(store: Store, populate: Any, code: str, message: str) -> None:
    def work(tx: Transaction) -> None:
        ctx = _ctx(tx)
        arn = clusters.create_cluster(ctx, {"clusterName": "held"})["clusterArn"]
        populate(tx, arn)
        with pytest.raises(AwsError) as caught:
            clusters.delete_cluster(ctx, "held")
        assert (caught.value.code, caught.value.message) == (code, message)
        assert clusters.resolve_cluster(ctx, "held")["status"] == "ACTIVE"

    store.run(work)


def test_delete_allowed_once_everything_left(store: Store) -> None:
    def work(tx: Transaction) -> None:
        ctx = _ctx(tx)
        arn = clusters.create_cluster(ctx, {"clusterName": "emptied"})["clusterArn"]
        _instance(tx, arn, "ci", "INACTIVE")
        _task(tx, arn, "task", "STOPPED", desired="STOPPED")
        _service(tx, arn, "svc", "INACTIVE")
        assert clusters.delete_cluster(ctx, arn)["status"] == "INACTIVE"

    store.run(work)


def test_resolve_cluster(store: Store) -> None:
    def work(tx: Transaction) -> None:
        ctx = _ctx(tx)
        with pytest.raises(AwsError) as caught:
            clusters.resolve_cluster(ctx, None)
        assert (caught.value.code, caught.value.message) == ("ClusterNotFoundException", "Cluster not found.")
        clusters.create_cluster(ctx, {})
        assert clusters.resolve_cluster(ctx, None)["clusterName"] == "default"
        assert clusters.resolve_cluster(ctx, ARN_PREFIX + "default")["clusterName"] == "default"
        for ref in ("arn:aws:ecs:eu-west-1:123456789012:cluster/default", "no such", ARN_PREFIX):
            with pytest.raises(AwsError):
                clusters.resolve_cluster(ctx, ref)

    store.run(work)
