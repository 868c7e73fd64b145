"""Terraform's AWS provider against trunkline: examples/terraform-iam (roles with AWS managed and
inline policies, an instance profile, a customer managed policy) must apply, then plan with no
changes (every attribute reads back as written on refresh), then destroy cleanly.

Runs when `terraform` is on PATH and the hashicorp/aws provider can be installed without the
internet: from a filesystem mirror in $TRUNKLINE_TF_PLUGIN_DIR (default /opt/tf-plugins). Otherwise
it is skipped and says so."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import ACCOUNT

EXAMPLE = Path(__file__).parent.parent / "examples" / "terraform-iam"
MIRROR = Path(os.environ.get("TRUNKLINE_TF_PLUGIN_DIR", "/opt/tf-plugins"))

pytestmark = pytest.mark.terraform


def _terraform(tmp_path: Path, url: str, source: Path = EXAMPLE) -> Any:
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
    shutil.copytree(source, work)
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(rc), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}

    def run(*args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        command = ["terraform", *args, "-input=false", "-no-color"]
        if args[0] != "init":
            command.append(f"-var=endpoint={url}")
        done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode in ok, done.stdout[-3000:] + done.stderr[-3000:]
        return done

    return run


def test_iam_stack_applies_has_no_drift_and_destroys(server: Any, aws: Any, tmp_path: Path) -> None:
    terraform = _terraform(tmp_path, server.url)
    terraform("init")
    terraform("apply", "-auto-approve")
    iam = aws("iam")
    attached = iam.list_attached_role_policies(RoleName="ecsInstanceRole")["AttachedPolicies"]
    assert {p["PolicyName"] for p in attached} == {
        "AmazonEC2ContainerServiceforEC2Role",
        "AmazonSSMManagedInstanceCore",
    }
    assert iam.list_role_policies(RoleName="ecsInstanceRole")["PolicyNames"] == ["logs"]
    # -detailed-exitcode: 0 = no changes, 2 = changes (drift)
    plan = terraform("plan", "-detailed-exitcode", ok=(0, 2))
    assert plan.returncode == 0, plan.stdout[-3000:]
    terraform("destroy", "-auto-approve")
    assert iam.list_roles()["Roles"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []


BOUNDED = """
variable "endpoint" {
  type = string
}

variable "boundary" {
  type    = string
  default = "team"
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    iam = var.endpoint
    sts = var.endpoint
  }
}

resource "aws_iam_policy" "team" {
  name   = "team-boundary"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "ecs:*", Resource = "*" }] })
}

locals {
  boundaries = {
    team = aws_iam_policy.team.arn
    aws  = "arn:aws:iam::aws:policy/AmazonECS_FullAccess"
  }
}

resource "aws_iam_role" "bounded" {
  name = "bounded"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }]
  })
  permissions_boundary = local.boundaries[var.boundary]
}

resource "aws_iam_user" "bounded" {
  name                 = "bounded"
  permissions_boundary = aws_iam_policy.team.arn
}
"""


def test_permissions_boundaries_apply_read_back_change_and_destroy(server: Any, aws: Any, tmp_path: Path) -> None:
    """aws_iam_role/aws_iam_user `permissions_boundary`: CreateRole/CreateUser set it, GetRole/GetUser
    read it back without drift, a change goes through PutRolePermissionsBoundary, and destroy
    removes the role and user before the policy their boundaries use."""
    source = tmp_path / "bounded"
    source.mkdir()
    (source / "main.tf").write_text(BOUNDED)
    terraform = _terraform(tmp_path, server.url, source)
    terraform("init")
    terraform("apply", "-auto-approve")
    iam = aws("iam")
    team = f"arn:aws:iam::{ACCOUNT}:policy/team-boundary"
    assert iam.get_role(RoleName="bounded")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == team
    assert iam.get_user(UserName="bounded")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == team
    assert terraform("plan", "-detailed-exitcode", ok=(0, 2)).returncode == 0
    terraform("apply", "-auto-approve", "-var=boundary=aws")
    boundary = iam.get_role(RoleName="bounded")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"]
    assert boundary == "arn:aws:iam::aws:policy/AmazonECS_FullAccess"
    assert terraform("plan", "-detailed-exitcode", "-var=boundary=aws", ok=(0, 2)).returncode == 0
    terraform("destroy", "-auto-approve", "-var=boundary=aws")
    assert iam.list_roles()["Roles"] == []
    assert iam.list_users()["Users"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []


LINKED = """
variable "endpoint" {
  type = string
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    iam = var.endpoint
    sts = var.endpoint
    ecs = var.endpoint
  }
}

resource "aws_iam_service_linked_role" "ecs" {
  aws_service_name = "ecs.amazonaws.com"
}

resource "aws_ecs_cluster" "main" {
  name       = "main"
  depends_on = [aws_iam_service_linked_role.ecs]
}
"""


def test_service_linked_role_destroy_waits_for_its_deletion_task(server: Any, aws: Any, tmp_path: Path) -> None:
    """aws_iam_service_linked_role's destroy calls DeleteServiceLinkedRole and polls
    GetServiceLinkedRoleDeletionStatus for SUCCEEDED: while a cluster Terraform does not manage
    still uses the role, it fails on FAILED as against AWS and the role stays; once that cluster
    is deleted, destroy succeeds."""
    source = tmp_path / "linked"
    source.mkdir()
    (source / "main.tf").write_text(LINKED)
    terraform = _terraform(tmp_path, server.url, source)
    terraform("init")
    terraform("apply", "-auto-approve")
    iam, ecs = aws("iam"), aws("ecs")
    assert iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]["Path"] == "/aws-service-role/ecs.amazonaws.com/"
    assert terraform("plan", "-detailed-exitcode", ok=(0, 2)).returncode == 0
    ecs.create_cluster(clusterName="outside")  # uses the role too; Terraform does not know it
    failed = terraform("destroy", "-auto-approve", ok=(1,))
    assert "unexpected state 'FAILED', wanted target 'SUCCEEDED'" in failed.stderr.replace("\n", " "), failed.stderr
    assert iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]["RoleName"] == "AWSServiceRoleForECS"
    assert ecs.describe_clusters(clusters=["main"])["clusters"][0]["status"] == "INACTIVE"  # destroyed first
    ecs.delete_cluster(cluster="outside")
    terraform("destroy", "-auto-approve")
    assert iam.list_roles()["Roles"] == []
