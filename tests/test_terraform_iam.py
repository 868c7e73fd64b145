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

EXAMPLE = Path(__file__).parent.parent / "examples" / "terraform-iam"
MIRROR = Path(os.environ.get("TRUNKLINE_TF_PLUGIN_DIR", "/opt/tf-plugins"))

pytestmark = pytest.mark.terraform


def _terraform(tmp_path: Path, url: str) -> Any:
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
