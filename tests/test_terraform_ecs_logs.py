"""Terraform's AWS provider against trunkline: examples/terraform-ecs-logs (a log group, a tagged
cluster with a setting, a Fargate task definition logging with awslogs, a tagged service in a VPC
subnet) must apply, plan with no changes (every attribute reads back as written on refresh),
update tags, the cluster setting and the retention in place and plan clean again, then destroy
cleanly.

Runs when `terraform` is on PATH and the hashicorp/aws provider can be installed without the
internet: from a filesystem mirror in $TRUNKLINE_TF_PLUGIN_DIR (default /opt/tf-plugins). Otherwise
it is skipped and says so."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

EXAMPLE = Path(__file__).parent.parent / "examples" / "terraform-ecs-logs"
MIRROR = Path(os.environ.get("TRUNKLINE_TF_PLUGIN_DIR", "/opt/tf-plugins"))


def _terraform(tmp_path: Path, url: str) -> Callable[..., subprocess.CompletedProcess[str]]:
    if shutil.which("terraform") is None:
        pytest.skip("skipped: terraform is not installed")
    if not (MIRROR / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
        pytest.skip(f"skipped: no hashicorp/aws provider mirror at {MIRROR} (set TRUNKLINE_TF_PLUGIN_DIR)")
    rc = tmp_path / "terraformrc"
    rc.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path = "{MIRROR}"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }}\n'
        '  direct {\n    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n'
    )
    work = tmp_path / "stack"
    shutil.copytree(EXAMPLE, work)
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(rc), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}

    def run(*args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        command = ["terraform", *args, "-input=false", "-no-color"]
        if args[0] != "init":
            command.append(f"-var=endpoint={url}")
        done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode in ok, done.stdout[-3000:] + done.stderr[-3000:]
        return done

    return run


def _no_changes(terraform: Callable[..., subprocess.CompletedProcess[str]], *extra: str) -> None:
    # -detailed-exitcode: 0 = no changes, 2 = changes (drift)
    plan = terraform("plan", "-detailed-exitcode", *extra, ok=(0, 2))
    assert plan.returncode == 0, plan.stdout[-3000:]


def test_ecs_and_logs_stack_applies_has_no_drift_updates_and_destroys(server: Any, aws: Any, tmp_path: Path) -> None:
    terraform = _terraform(tmp_path, server.url)
    ecs, logs = aws("ecs"), aws("logs")
    terraform("init")
    terraform("apply", "-auto-approve")
    cluster = ecs.describe_clusters(clusters=["tf-main"], include=["TAGS", "SETTINGS"])["clusters"][0]
    assert {t["key"]: t["value"] for t in cluster["tags"]} == {"env": "dev", "team": "net"}
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    group = logs.describe_log_groups(logGroupNamePrefix="/ecs/app")["logGroups"][0]
    assert group["retentionInDays"] == 14
    assert logs.list_tags_for_resource(resourceArn=group["logGroupArn"])["tags"] == {"team": "net"}
    service = ecs.describe_services(cluster="tf-main", services=["web"], include=["TAGS"])["services"][0]
    assert (service["propagateTags"], service["enableECSManagedTags"]) == ("SERVICE", True)
    assert service["tags"] == [{"key": "svc", "value": "web"}]
    _no_changes(terraform)

    changed = (
        "-var=insights=enhanced",
        "-var=retention_in_days=30",
        '-var=cluster_tags={"env":"prod"}',
        '-var=service_tags={"svc":"api","more":"x"}',
    )
    terraform("apply", "-auto-approve", *changed)
    cluster = ecs.describe_clusters(clusters=["tf-main"], include=["TAGS", "SETTINGS"])["clusters"][0]
    assert cluster["tags"] == [{"key": "env", "value": "prod"}]
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    assert logs.describe_log_groups(logGroupNamePrefix="/ecs/app")["logGroups"][0]["retentionInDays"] == 30
    service_arn = ecs.describe_services(cluster="tf-main", services=["web"])["services"][0]["serviceArn"]
    assert ecs.list_tags_for_resource(resourceArn=service_arn)["tags"] == [
        {"key": "svc", "value": "api"},
        {"key": "more", "value": "x"},
    ]
    _no_changes(terraform, *changed)

    terraform("destroy", "-auto-approve", *changed)
    assert ecs.list_clusters()["clusterArns"] == []
    assert logs.describe_log_groups()["logGroups"] == []
    assert ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"] == []
