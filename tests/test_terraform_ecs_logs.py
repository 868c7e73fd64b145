"""Terraform's AWS provider against trunkline: examples/terraform-ecs-logs (a log group, a tagged
cluster with a setting, a Fargate task definition logging with awslogs, a tagged service in a VPC
subnet) must apply, plan with no changes (every attribute reads back as written on refresh),
update tags, the cluster setting and the retention in place and plan clean again, then destroy
cleanly.

Runs when Terraform and the hashicorp/aws provider are available offline (tests/terraform_harness.py);
otherwise it is skipped and says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from terraform_harness import assert_no_changes, terraform

pytestmark = pytest.mark.terraform


def test_ecs_and_logs_stack_applies_has_no_drift_updates_and_destroys(server: Any, aws: Any, tmp_path: Path) -> None:
    run = terraform("terraform-ecs-logs", tmp_path, server.url)
    ecs, logs = aws("ecs"), aws("logs")
    run("init")
    run("apply", "-auto-approve")
    cluster = ecs.describe_clusters(clusters=["tf-main"], include=["TAGS", "SETTINGS"])["clusters"][0]
    assert {t["key"]: t["value"] for t in cluster["tags"]} == {"env": "dev", "team": "net"}
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    group = logs.describe_log_groups(logGroupNamePrefix="/ecs/app")["logGroups"][0]
    assert group["retentionInDays"] == 14
    assert logs.list_tags_for_resource(resourceArn=group["logGroupArn"])["tags"] == {"team": "net"}
    service = ecs.describe_services(cluster="tf-main", services=["web"], include=["TAGS"])["services"][0]
    assert (service["propagateTags"], service["enableECSManagedTags"]) == ("SERVICE", True)
    assert service["tags"] == [{"key": "svc", "value": "web"}]
    assert_no_changes(run)

    changed = (
        "-var=insights=enhanced",
        "-var=retention_in_days=30",
        '-var=cluster_tags={"env":"prod"}',
        '-var=service_tags={"svc":"api","more":"x"}',
    )
    run("apply", "-auto-approve", *changed)
    cluster = ecs.describe_clusters(clusters=["tf-main"], include=["TAGS", "SETTINGS"])["clusters"][0]
    assert cluster["tags"] == [{"key": "env", "value": "prod"}]
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    assert logs.describe_log_groups(logGroupNamePrefix="/ecs/app")["logGroups"][0]["retentionInDays"] == 30
    service_arn = ecs.describe_services(cluster="tf-main", services=["web"])["services"][0]["serviceArn"]
    assert ecs.list_tags_for_resource(resourceArn=service_arn)["tags"] == [
        {"key": "svc", "value": "api"},
        {"key": "more", "value": "x"},
    ]
    assert_no_changes(run, *changed)

    run("destroy", "-auto-approve", *changed)
    assert ecs.list_clusters()["clusterArns"] == []
    assert logs.describe_log_groups()["logGroups"] == []
    assert ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"] == []
