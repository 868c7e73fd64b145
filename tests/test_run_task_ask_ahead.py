"""RunTask's first reads asked before the caller's credential (issue 16, `Provider.ask_ahead`):
for the account an unissued key stands for, so on PostgreSQL they share the credential's round
trip. A key issued in another account makes the guess wrong: the answers are then unused and the
request sees its own account's state. The server runs in this process (`run_in_thread`), on
PostgreSQL with TRUNKLINE_TEST_POSTGRES."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from conftest import CREDENTIALS, REGION, fresh_state, release_state
from trunkline.runtime import Config
from trunkline.server import run_in_thread
from trunkline.store.pg_transaction import PgTransaction

OTHER_ACCOUNT = "111122223333"  # a 12-digit access key id stands for that account
CONTAINERS = [{"name": "app", "image": "nginx", "memory": 128}]


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    state = fresh_state(tmp_path_factory.mktemp("ask-ahead"))
    try:
        with run_in_thread(Config(state=state, timing="manual")) as served:
            yield served
    finally:
        release_state(state)


def _ecs(url: str, **credentials: str) -> Any:
    config = BotoConfig(retries={"max_attempts": 1})
    return boto3.client("ecs", endpoint_url=url, region_name=REGION, config=config, **(credentials or CREDENTIALS))


def _no_instances(ecs: Any, cluster: str) -> str:
    with pytest.raises(ClientError) as caught:
        ecs.run_task(cluster=cluster, taskDefinition="ahead")
    return str(caught.value.response["Error"]["Code"])


def test_run_task_asks_the_cluster_with_the_credential(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ecs = _ecs(url)
    ecs.create_cluster(clusterName="ahead")
    ecs.register_task_definition(family="ahead", containerDefinitions=CONTAINERS)
    waits: list[str] = []
    original = PgTransaction._sync

    def counting(self: PgTransaction) -> None:
        waits.append("wait")
        original(self)

    monkeypatch.setattr(PgTransaction, "_sync", counting)
    assert _no_instances(ecs, "ahead") == "InvalidParameterException"  # the cluster has no instance
    if not waits:
        pytest.skip("SQLite: each read is a function call, nothing is asked ahead")
    # The credential's trip carries the cluster, the task definition's keys and latest revision,
    # and the cluster's instances: one wait (before, the cluster and the task definition's body
    # were one each, and boto3's client token a third).
    assert len(waits) == 1


def test_a_key_of_another_account_reads_its_own_account(url: str, tmp_path: Path) -> None:
    """The guess (the default account, for a key id it does not know) is wrong for a key issued
    in another account: RunTask must still see that account's cluster, not the guessed one's."""
    other = {"aws_access_key_id": OTHER_ACCOUNT, "aws_secret_access_key": "x"}
    iam = boto3.client("iam", endpoint_url=url, region_name=REGION, **other)
    iam.create_user(UserName="runner")
    key = iam.create_access_key(UserName="runner")["AccessKey"]
    issued = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    ecs = _ecs(url, **issued)
    ecs.create_cluster(clusterName="elsewhere")  # in the other account only
    ecs.register_task_definition(family="ahead", containerDefinitions=CONTAINERS)
    assert _no_instances(ecs, "elsewhere") == "InvalidParameterException"  # found: its own account
    assert _no_instances(_ecs(url), "elsewhere") == "ClusterNotFoundException"  # not in the default one
