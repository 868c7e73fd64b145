"""ECS tags on every taggable resource (TagResource, UntagResource, ListTagsForResource, tags on
create, propagateTags, ECS managed tags) and the cluster updates (UpdateCluster,
UpdateClusterSettings, DescribeClusters include), with boto3 and the AWS CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, CliError, Server
from ecs_world import World, config_script

CLUSTER = "tagged"
ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}"


@pytest.fixture
def world(server: Server) -> World:
    return World(server)


def error_of(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def tags(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in pairs]


def fargate_setup(world: World, definition_tags: list[dict[str, str]] | None = None) -> tuple[str, dict[str, Any]]:
    """A cluster, a Fargate task definition (with `definition_tags`) and the network for its tasks."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    net = world.network()
    extra = {"tags": definition_tags} if definition_tags else {}
    arn = world.ecs.register_task_definition(
        family="svc",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": "nginx", "essential": True}],
        **extra,
    )["taskDefinition"]["taskDefinitionArn"]
    network = {"awsvpcConfiguration": {"subnets": [net["subnet"]], "assignPublicIp": "ENABLED"}}
    return arn, network


def run_fargate(world: World, definition: str, network: dict[str, Any], **params: Any) -> dict[str, Any]:
    task: dict[str, Any] = world.ecs.run_task(
        cluster=CLUSTER, taskDefinition=definition, launchType="FARGATE", networkConfiguration=network, **params
    )["tasks"][0]
    return task


def test_tag_untag_and_list_a_cluster(world: World) -> None:
    ecs = world.ecs
    arn = ecs.create_cluster(clusterName=CLUSTER, tags=tags(("team", "net")))["cluster"]["clusterArn"]
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == tags(("team", "net"))
    ecs.tag_resource(resourceArn=arn, tags=tags(("env", "dev"), ("team", "ops")))
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == tags(("team", "ops"), ("env", "dev"))
    described = ecs.describe_clusters(clusters=[CLUSTER], include=["TAGS"])["clusters"][0]
    assert described["tags"] == tags(("team", "ops"), ("env", "dev"))
    ecs.untag_resource(resourceArn=arn, tagKeys=["team", "absent"])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == tags(("env", "dev"))
    ecs.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == []


def test_tagging_errors_are_aws_texts_and_change_nothing(world: World) -> None:
    ecs = world.ecs
    arn = ecs.create_cluster(clusterName=CLUSTER, tags=tags(("team", "net")))["cluster"]["clusterArn"]
    cases: list[tuple[Callable[[], Any], tuple[str, str]]] = [
        (
            lambda: ecs.tag_resource(resourceArn=arn, tags=tags(("aws:owner", "me"))),
            ("InvalidParameterException", "Tag keys beginning with 'aws:' are reserved for AWS use."),
        ),
        (
            lambda: ecs.tag_resource(resourceArn=arn, tags=tags(("AWS:Owner", "me"))),
            ("InvalidParameterException", "Tag keys beginning with 'aws:' are reserved for AWS use."),
        ),
        (
            lambda: ecs.untag_resource(resourceArn=arn, tagKeys=["aws:ecs:clusterName"]),
            ("InvalidParameterException", "Tag keys beginning with 'aws:' are reserved for AWS use."),
        ),
        (
            lambda: ecs.tag_resource(resourceArn=arn, tags=tags(("a", "1"), ("a", "2"))),
            ("InvalidParameterException", "Duplicate tag key 'a': each tag key must be unique."),
        ),
        (
            lambda: ecs.tag_resource(resourceArn=arn, tags=tags(*((f"k{n}", "v") for n in range(50)))),
            ("InvalidParameterException", "The number of tags on the resource exceeds the maximum allowed (50)."),
        ),
        (
            lambda: ecs.tag_resource(resourceArn=f"{ARN}:cluster/missing", tags=tags(("a", "1"))),
            ("ClusterNotFoundException", "Cluster not found."),
        ),
        (
            lambda: ecs.list_tags_for_resource(resourceArn=f"{ARN}:service/web"),
            ("InvalidParameterException", "Long arn format must be used for tagging operations"),
        ),
        (
            lambda: ecs.list_tags_for_resource(resourceArn=f"{ARN}:service/{CLUSTER}/web"),
            ("ResourceNotFoundException", "The specified resource wasn't found."),
        ),
        (
            lambda: ecs.list_tags_for_resource(resourceArn=f"{ARN}:task-definition/none:1"),
            ("ResourceNotFoundException", "The specified resource wasn't found."),
        ),
        (
            lambda: ecs.list_tags_for_resource(resourceArn="arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1"),
            ("InvalidParameterException", "The ARN provided is not a valid ECS resource ARN."),
        ),
        (
            lambda: ecs.list_tags_for_resource(resourceArn=f"arn:aws:ecs:eu-west-1:{ACCOUNT}:cluster/{CLUSTER}"),
            ("InvalidParameterException", "The ARN provided is not a valid ECS resource ARN."),
        ),
        (
            lambda: ecs.list_tags_for_resource(resourceArn="not-an-arn"),
            ("InvalidParameterException", "The ARN provided is not a valid ECS resource ARN."),
        ),
    ]
    for call, expected in cases:
        assert error_of(call) == expected
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == tags(("team", "net"))
    # 49 more is the limit exactly (aws: tags do not count).
    ecs.tag_resource(resourceArn=arn, tags=tags(*((f"k{n}", "v") for n in range(49))))
    assert len(ecs.list_tags_for_resource(resourceArn=arn)["tags"]) == 50
    # The model's own limits: key length, value pattern.
    assert error_of(lambda: ecs.tag_resource(resourceArn=arn, tags=tags(("k" * 129, "v"))))[0] in (
        "InvalidParameterException",
        "ValidationException",
    )


def test_task_definitions_services_and_tasks_take_tags(world: World) -> None:
    ecs = world.ecs
    definition, network = fargate_setup(world, definition_tags=tags(("app", "web"), ("tier", "front")))
    assert ecs.list_tags_for_resource(resourceArn=definition)["tags"] == tags(("app", "web"), ("tier", "front"))
    ecs.tag_resource(resourceArn=definition, tags=tags(("owner", "me")))
    described = ecs.describe_task_definition(taskDefinition=definition, include=["TAGS"])
    assert described["tags"] == tags(("app", "web"), ("tier", "front"), ("owner", "me"))

    service = ecs.create_service(
        cluster=CLUSTER,
        serviceName="web",
        taskDefinition=definition,
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=network,
        tags=tags(("svc", "1")),
    )["service"]
    assert service["serviceArn"] == f"{ARN}:service/{CLUSTER}/web"
    ecs.tag_resource(resourceArn=service["serviceArn"], tags=tags(("svc", "2"), ("more", "x")))
    shown = ecs.describe_services(cluster=CLUSTER, services=["web"], include=["TAGS"])["services"][0]
    assert shown["tags"] == tags(("svc", "2"), ("more", "x"))
    ecs.untag_resource(resourceArn=service["serviceArn"], tagKeys=["svc"])
    assert ecs.list_tags_for_resource(resourceArn=service["serviceArn"])["tags"] == tags(("more", "x"))

    task = run_fargate(world, definition, network, tags=tags(("run", "1")))
    assert task["tags"] == tags(("run", "1"))
    ecs.tag_resource(resourceArn=task["taskArn"], tags=tags(("later", "yes")))
    found = ecs.describe_tasks(cluster=CLUSTER, tasks=[task["taskArn"]], include=["TAGS"])["tasks"][0]
    assert found["tags"] == tags(("run", "1"), ("later", "yes"))
    short = task["taskArn"].replace(f"task/{CLUSTER}/", "task/")
    assert error_of(lambda: ecs.list_tags_for_resource(resourceArn=short)) == (
        "InvalidParameterException",
        "Long arn format must be used for tagging operations",
    )


def test_propagate_tags_and_managed_tags_on_run_task(world: World) -> None:
    ecs = world.ecs
    definition, network = fargate_setup(world, definition_tags=tags(("app", "web"), ("tier", "front")))
    plain = run_fargate(world, definition, network)
    assert plain["tags"] == []
    copied = run_fargate(world, definition, network, propagateTags="TASK_DEFINITION", tags=tags(("tier", "back")))
    assert copied["tags"] == tags(("app", "web"), ("tier", "back"))
    managed = run_fargate(world, definition, network, enableECSManagedTags=True, propagateTags="NONE")
    assert managed["tags"] == tags(("aws:ecs:clusterName", CLUSTER))
    assert ecs.list_tags_for_resource(resourceArn=managed["taskArn"])["tags"] == managed["tags"]
    before = ecs.list_tasks(cluster=CLUSTER)["taskArns"]
    assert error_of(lambda: run_fargate(world, definition, network, propagateTags="SERVICE")) == (
        "InvalidParameterException",
        "The propagateTags value SERVICE is only valid for tasks that a service starts.",
    )
    assert ecs.list_tasks(cluster=CLUSTER)["taskArns"] == before


def test_stop_task_deletes_the_tasks_tags(world: World) -> None:
    """API reference, StopTask: "Any tags associated with the task will be deleted." """
    ecs = world.ecs
    definition, network = fargate_setup(world)
    kept = run_fargate(world, definition, network, tags=tags(("keep", "1")))
    task = run_fargate(world, definition, network, tags=tags(("run", "1")), enableECSManagedTags=True)
    stopped = ecs.stop_task(cluster=CLUSTER, task=task["taskArn"], reason="done")["task"]
    assert (stopped["desiredStatus"], stopped.get("tags", [])) == ("STOPPED", [])
    assert ecs.list_tags_for_resource(resourceArn=task["taskArn"])["tags"] == []
    found = ecs.describe_tasks(cluster=CLUSTER, tasks=[task["taskArn"]], include=["TAGS"])["tasks"][0]
    assert (found["stoppedReason"], found["tags"]) == ("done", [])
    assert ecs.list_tags_for_resource(resourceArn=kept["taskArn"])["tags"] == tags(("keep", "1"))
    # Tags put on after the stop are deleted by the next StopTask, which changes nothing else.
    ecs.tag_resource(resourceArn=task["taskArn"], tags=tags(("late", "x")))
    again = ecs.stop_task(cluster=CLUSTER, task=task["taskArn"], reason="again")["task"]
    assert (again["stoppedReason"], ecs.list_tags_for_resource(resourceArn=task["taskArn"])["tags"]) == ("done", [])


def test_service_tasks_get_service_or_definition_tags_and_managed_tags(world: World) -> None:
    ecs = world.ecs
    definition, network = fargate_setup(world, definition_tags=tags(("app", "web")))
    common = {
        "cluster": CLUSTER,
        "taskDefinition": definition,
        "desiredCount": 1,
        "launchType": "FARGATE",
        "networkConfiguration": network,
    }
    ecs.create_service(
        serviceName="by-service",
        tags=tags(("svc", "a")),
        propagateTags="SERVICE",
        enableECSManagedTags=True,
        **common,
    )
    ecs.create_service(serviceName="by-definition", propagateTags="TASK_DEFINITION", **common)
    ecs.create_service(serviceName="none", tags=tags(("svc", "c")), **common)
    world.settle()

    def task_tags(service: str) -> list[dict[str, str]]:
        arns = ecs.list_tasks(cluster=CLUSTER, serviceName=service)["taskArns"]
        assert len(arns) == 1
        found: list[dict[str, str]] = ecs.describe_tasks(cluster=CLUSTER, tasks=arns, include=["TAGS"])["tasks"][0][
            "tags"
        ]
        return found

    assert task_tags("by-service") == tags(
        ("svc", "a"), ("aws:ecs:clusterName", CLUSTER), ("aws:ecs:serviceName", "by-service")
    )
    assert task_tags("by-definition") == tags(("app", "web"))
    assert task_tags("none") == []
    shown = ecs.describe_services(cluster=CLUSTER, services=["by-service"])["services"][0]
    assert (shown["propagateTags"], shown["enableECSManagedTags"]) == ("SERVICE", True)


def test_container_instances_take_tags(world: World) -> None:
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    net = world.network()
    instance = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    arn = world.container_instance_arn(CLUSTER, instance)
    assert arn.startswith(f"{ARN}:container-instance/{CLUSTER}/")
    world.ecs.tag_resource(resourceArn=arn, tags=tags(("rack", "7")))
    assert world.ecs.list_tags_for_resource(resourceArn=arn)["tags"] == tags(("rack", "7"))
    shown = world.ecs.describe_container_instances(cluster=CLUSTER, containerInstances=[arn], include=["TAGS"])
    assert shown["containerInstances"][0]["tags"] == tags(("rack", "7"))
    world.ecs.untag_resource(resourceArn=arn, tagKeys=["rack"])
    assert world.ecs.list_tags_for_resource(resourceArn=arn)["tags"] == []


def test_update_cluster_settings_and_configuration(world: World) -> None:
    ecs = world.ecs
    ecs.create_cluster(clusterName=CLUSTER, tags=tags(("team", "net")))
    updated = ecs.update_cluster_settings(
        cluster=CLUSTER, settings=[{"name": "containerInsights", "value": "enhanced"}]
    )["cluster"]
    assert updated["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    assert updated["tags"] == tags(("team", "net"))
    configuration = {
        "executeCommandConfiguration": {
            "logging": "OVERRIDE",
            "logConfiguration": {"cloudWatchLogGroupName": "/exec", "cloudWatchEncryptionEnabled": False},
        }
    }
    updated = ecs.update_cluster(
        cluster=CLUSTER, configuration=configuration, settings=[{"name": "containerInsights", "value": "disabled"}]
    )["cluster"]
    assert updated["configuration"] == configuration
    assert updated["settings"] == [{"name": "containerInsights", "value": "disabled"}]
    full = ecs.describe_clusters(clusters=[CLUSTER], include=["SETTINGS", "CONFIGURATIONS", "ATTACHMENTS"])
    shown = full["clusters"][0]
    assert shown["settings"] == [{"name": "containerInsights", "value": "disabled"}]
    assert shown["configuration"] == configuration
    assert shown["attachments"] == [] and "tags" not in shown and "statistics" not in shown
    plain = ecs.describe_clusters(clusters=[CLUSTER])["clusters"][0]
    assert not {"tags", "settings", "statistics", "configuration", "attachments"} & set(plain)

    refused = [
        (
            lambda: ecs.update_cluster_settings(
                cluster=CLUSTER, settings=[{"name": "containerInsights", "value": "on"}]
            ),
            (
                "InvalidParameterException",
                "Invalid value 'on' for cluster setting containerInsights: use enabled, enhanced or disabled.",
            ),
        ),
        (
            lambda: ecs.update_cluster(cluster=CLUSTER, serviceConnectDefaults={"namespace": "ns"}),
            ("NamespaceNotFoundException", "Namespace 'ns' was not found."),
        ),
        (
            lambda: ecs.update_cluster(
                cluster=CLUSTER,
                configuration={
                    "executeCommandConfiguration": {
                        "logging": "DEFAULT",
                        "logConfiguration": {"cloudWatchLogGroupName": "/x"},
                    }
                },
                settings=[{"name": "containerInsights", "value": "enabled"}],
            ),
            (
                "InvalidParameterException",
                "The specified logConfiguration is only valid when the logging setting is OVERRIDE.",
            ),
        ),
        (
            lambda: ecs.update_cluster_settings(
                cluster="missing", settings=[{"name": "containerInsights", "value": "enabled"}]
            ),
            ("ClusterNotFoundException", "Cluster not found."),
        ),
    ]
    for call, expected in refused:
        assert error_of(call) == expected
    again = ecs.describe_clusters(clusters=[CLUSTER], include=["SETTINGS", "CONFIGURATIONS"])["clusters"][0]
    assert again["settings"] == [{"name": "containerInsights", "value": "disabled"}]
    assert again["configuration"] == configuration


def test_tags_and_cluster_updates_with_the_aws_cli(world: World, cli: Callable[..., Any]) -> None:
    arn = cli("ecs", "create-cluster", "--cluster-name", CLUSTER)["cluster"]["clusterArn"]
    assert cli("ecs", "tag-resource", "--resource-arn", arn, "--tags", "key=team,value=net") is None
    assert cli("ecs", "list-tags-for-resource", "--resource-arn", arn) == {"tags": tags(("team", "net"))}
    cli("ecs", "untag-resource", "--resource-arn", arn, "--tag-keys", "team")
    assert cli("ecs", "list-tags-for-resource", "--resource-arn", arn) == {"tags": []}
    updated = cli(
        "ecs", "update-cluster-settings", "--cluster", CLUSTER, "--settings", "name=containerInsights,value=enabled"
    )["cluster"]
    assert updated["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    updated = cli("ecs", "update-cluster", "--cluster", CLUSTER, "--settings", "name=containerInsights,value=disabled")[
        "cluster"
    ]
    assert updated["settings"] == [{"name": "containerInsights", "value": "disabled"}]
    with pytest.raises(CliError) as caught:
        cli("ecs", "tag-resource", "--resource-arn", arn, "--tags", "key=aws:x,value=1")
    assert "Tag keys beginning with 'aws:' are reserved for AWS use." in caught.value.stderr
