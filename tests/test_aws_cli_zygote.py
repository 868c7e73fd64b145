"""The forking AWS CLI launcher the tests use (tests/aws_cli_zygote.py) gives what a new `aws`
process gives: the same output, errors and exit status, and each command its own environment."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import ACCOUNT, CREDENTIALS, REGION, Server, aws_cli_command, aws_cli_zygote

# The test launcher against a new `aws` process: the same answers whatever the server's store.
pytestmark = pytest.mark.one_store


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "AWS_DEFAULT_REGION": REGION,
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        **extra,
    }


@pytest.mark.parametrize(
    "args",
    [
        ["ecs", "list-clusters"],
        ["ecs", "describe-clusters", "--clusters", "nope", "--include", "NOT_AN_OPTION"],
        ["ec2", "describe-vpcs", "--vpc-ids", "vpc-0000000000000000f"],
        ["ecs", "no-such-command"],
    ],
    ids=["answer", "client-side-refusal", "server-error", "usage-error"],
)
def test_a_forked_command_answers_as_a_new_process(server: Server, tmp_path: Path, args: list[str]) -> None:
    zygote = aws_cli_zygote()
    if zygote is None:
        pytest.skip("no forking launcher for this AWS CLI (TRUNKLINE_TEST_CLI_FORK=0 or no Python script)")
    full = ["--endpoint-url", server.url, "--output", "json", *args]
    forked = zygote.run(full, _env(tmp_path), timeout=60)
    direct = subprocess.run([*aws_cli_command(), *full], env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert (forked.returncode, forked.stdout, forked.stderr) == (direct.returncode, direct.stdout, direct.stderr)


def test_each_command_reads_its_own_environment(server: Server, tmp_path: Path) -> None:
    zygote = aws_cli_zygote()
    if zygote is None:
        pytest.skip("no forking launcher for this AWS CLI")
    server.client("ecs").create_cluster(clusterName="zygote")
    args = ["--endpoint-url", server.url, "ecs", "list-clusters"]
    as_text = zygote.run(args, _env(tmp_path, AWS_DEFAULT_OUTPUT="text"), timeout=60)
    as_json = zygote.run(args, _env(tmp_path, AWS_DEFAULT_OUTPUT="json"), timeout=60)
    arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/zygote"
    assert f"CLUSTERARNS\t{arn}" in as_text.stdout.splitlines()
    assert arn in json.loads(as_json.stdout)["clusterArns"]
