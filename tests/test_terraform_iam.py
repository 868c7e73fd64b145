"""Terraform's AWS provider against trunkline's IAM:

- examples/terraform-iam (roles with AWS managed and inline policies, an instance profile, a
  customer managed policy) must apply, then plan with no changes (every attribute reads back as
  written on refresh), then destroy cleanly, exactly as the README shows;
- tests/data/terraform-iam-boundaries: permissions boundaries and a service-linked role, in one
  apply / change / destroy cycle (every Terraform command costs seconds of the provider's CPU).

Runs when `terraform` is on PATH and the hashicorp/aws provider can be installed without the
internet: from a filesystem mirror in $TRUNKLINE_TF_PLUGIN_DIR (default /opt/tf-plugins). Otherwise
it is skipped and says so (see terraform_harness)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import ACCOUNT
from terraform_harness import assert_no_changes, terraform

pytestmark = pytest.mark.terraform

CONFIGURATIONS = Path(__file__).parent / "data"


def test_iam_stack_applies_has_no_drift_and_destroys(server: Any, aws: Any, tmp_path: Path) -> None:
    run = terraform("terraform-iam", tmp_path, server.url)
    run("init")
    run("apply", "-auto-approve")
    iam = aws("iam")
    attached = iam.list_attached_role_policies(RoleName="ecsInstanceRole")["AttachedPolicies"]
    assert {p["PolicyName"] for p in attached} == {
        "AmazonEC2ContainerServiceforEC2Role",
        "AmazonSSMManagedInstanceCore",
    }
    assert iam.list_role_policies(RoleName="ecsInstanceRole")["PolicyNames"] == ["logs"]
    assert_no_changes(run)
    run("destroy", "-auto-approve")
    assert iam.list_roles()["Roles"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_boundaries_change_and_a_service_linked_role_in_use_blocks_its_destroy(
    server: Any, aws: Any, tmp_path: Path
) -> None:
    """aws_iam_role/aws_iam_user `permissions_boundary`: CreateRole/CreateUser set it, GetRole/GetUser
    read it back without drift, a change goes through PutRolePermissionsBoundary, and destroy
    removes the role and user before the policy their boundaries use.

    aws_iam_service_linked_role's destroy calls DeleteServiceLinkedRole and polls
    GetServiceLinkedRoleDeletionStatus for SUCCEEDED: while a cluster Terraform does not manage
    still uses the role, it fails on FAILED as against AWS and the role stays (everything else is
    destroyed); once that cluster is deleted, destroy succeeds."""
    run = terraform("terraform-iam-boundaries", tmp_path, server.url, root=CONFIGURATIONS)
    run("init")
    run("apply", "-auto-approve")
    iam, ecs = aws("iam"), aws("ecs")
    team = f"arn:aws:iam::{ACCOUNT}:policy/team-boundary"
    assert iam.get_role(RoleName="bounded")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == team
    assert iam.get_user(UserName="bounded")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == team
    assert iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]["Path"] == "/aws-service-role/ecs.amazonaws.com/"
    assert_no_changes(run)

    run("apply", "-auto-approve", "-var=boundary=aws")
    boundary = iam.get_role(RoleName="bounded")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"]
    assert boundary == "arn:aws:iam::aws:policy/AmazonECS_FullAccess"
    assert_no_changes(run, "-var=boundary=aws")

    ecs.create_cluster(clusterName="outside")  # uses the role too; Terraform does not know it
    failed = run("destroy", "-auto-approve", "-var=boundary=aws", ok=(1,))
    assert "unexpected state 'FAILED', wanted target 'SUCCEEDED'" in failed.stderr.replace("\n", " "), failed.stderr
    assert iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]["RoleName"] == "AWSServiceRoleForECS"
    assert ecs.describe_clusters(clusters=["main"])["clusters"][0]["status"] == "INACTIVE"  # destroyed first
    # Only the service-linked role failed: the role and user went before the policy they used.
    assert _managed(tmp_path / "terraform-iam-boundaries") == ["aws_iam_service_linked_role.ecs"]
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["AWSServiceRoleForECS"]
    assert iam.list_users()["Users"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []

    ecs.delete_cluster(cluster="outside")
    run("destroy", "-auto-approve", "-var=boundary=aws")
    assert iam.list_roles()["Roles"] == []
    assert _managed(tmp_path / "terraform-iam-boundaries") == []


def _managed(work: Path) -> list[str]:
    """The resources Terraform's state in WORK still holds, as `type.name`."""
    state = json.loads((work / "terraform.tfstate").read_text())
    return [f"{r['type']}.{r['name']}" for r in state["resources"] if r["mode"] == "managed"]
