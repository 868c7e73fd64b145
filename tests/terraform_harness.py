"""Terraform's AWS provider against a trunkline server, for the tests that apply an example
configuration under examples/: they run when `terraform` is on PATH and the hashicorp/aws
provider can be installed without the internet, from a filesystem mirror in
$TRUNKLINE_TF_PLUGIN_DIR (default /opt/tf-plugins); otherwise they are skipped and say so.

The provider (hundreds of MB) is unpacked once into a plugin cache shared by every run
($TRUNKLINE_TF_PLUGIN_CACHE, default ~/.cache/trunkline/terraform-plugins) and linked from there."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent.parent / "examples"
MIRROR = Path(os.environ.get("TRUNKLINE_TF_PLUGIN_DIR", "/opt/tf-plugins"))
CACHE = Path(os.environ.get("TRUNKLINE_TF_PLUGIN_CACHE", Path.home() / ".cache" / "trunkline" / "terraform-plugins"))

Terraform = Callable[..., subprocess.CompletedProcess[str]]


def terraform(example: str, tmp_path: Path, url: str, root: Path = EXAMPLES) -> Terraform:
    """A runner of `terraform ARGS` in a copy of examples/EXAMPLE (or ROOT/EXAMPLE: a test's own
    configuration), with `-var endpoint=URL` on every command but init and output; it asserts
    the exit code is in `ok` (default 0)."""
    if shutil.which("terraform") is None:
        pytest.skip("skipped: terraform is not installed")
    if not (MIRROR / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
        pytest.skip(f"skipped: no hashicorp/aws provider mirror at {MIRROR} (set TRUNKLINE_TF_PLUGIN_DIR)")
    # Terraform's plugin cache is not safe for concurrent `terraform init`: one per xdist worker.
    cache = CACHE / os.environ.get("PYTEST_XDIST_WORKER", "main")
    cache.mkdir(parents=True, exist_ok=True)
    rc = tmp_path / "terraformrc"
    rc.write_text(
        f'plugin_cache_dir = "{cache}"\n'
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path = "{MIRROR}"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }}\n'
        '  direct {\n    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n'
    )
    work = tmp_path / example
    shutil.copytree(root / example, work)
    log = tmp_path / "terraform.log"  # the provider's HTTP exchanges, for a failure's post-mortem
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(rc),
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
        "TF_LOG": "DEBUG",
        "TF_LOG_PATH": str(log),
        # Terraform and the provider are Go programs, and most of a command's CPU is the provider
        # building its schemas of every AWS resource, each time it starts (several times a
        # command): collecting garbage less often cuts that CPU by about a quarter, for about
        # 150 MB more memory per provider. The CI machine's two cores are shared by every pass.
        "GOGC": os.environ.get("GOGC", "400"),
    }

    def run(*args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        command = ["terraform", *args, "-input=false", "-no-color"]
        if args[0] == "output":  # takes no -input or -var, and its flags go before the name
            command = ["terraform", "output", "-no-color", *args[1:]]
        elif args[0] != "init":
            command.append(f"-var=endpoint={url}")
        done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode in ok, f"terraform {args[0]} (log: {log}): {done.stdout[-4000:]}{done.stderr[-4000:]}"
        return done

    return run


def assert_no_changes(run: Terraform, *extra: str) -> None:
    """`plan -detailed-exitcode` exits 0 for no changes and 2 for changes (drift)."""
    plan = run("plan", "-detailed-exitcode", *extra, ok=(0, 2))
    assert plan.returncode == 0, f"terraform plan shows changes:\n{plan.stdout[-6000:]}"
