"""Domain-level ECS test helpers: a real SQLite store with two clusters, a request context on it,
and container-instance records as the registration code stores them (see container_instances'
docstring), for tests that call domain functions directly rather than through the API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from trunkline.context import Principal, RequestContext
from trunkline.domain.ecs import clusters, container_instances
from trunkline.errors import AwsError
from trunkline.store import open_store
from trunkline.store.api import Store, Transaction
from trunkline.timing import PROFILES

ACCOUNT = "123456789012"
REGION = "us-east-1"
NOW = 1_700_000_000.0
CLUSTER = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod"
OTHER = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/other"

Record = dict[str, Any]


def ctx_of(tx: Transaction) -> RequestContext:
    return RequestContext(tx, Principal.root(ACCOUNT), REGION, NOW, PROFILES["fast"])


@contextmanager
def domain_store(path: Path) -> Iterator[Store]:
    """A new SQLite store at `path` with the clusters `prod` and `other`."""
    opened = open_store(str(path))

    def clusters_exist(tx: Transaction) -> None:
        for name in ("prod", "other"):
            clusters.create_cluster(ctx_of(tx), {"clusterName": name})

    opened.run(clusters_exist)
    try:
        yield opened
    finally:
        opened.close()


def instance_id(n: int) -> str:
    return f"{n:032x}"


def instance_arn(n: int, cluster: str = CLUSTER) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:container-instance/{cluster.rsplit('/', 1)[-1]}/{instance_id(n)}"


def make_record(
    n: int,
    status: str = "ACTIVE",
    cluster: str = CLUSTER,
    attributes: dict[str, str | None] | None = None,
    **fields: Any,
) -> Record:
    """A container-instance record; `fields` replace any member."""
    record: Record = {
        "containerInstanceArn": instance_arn(n, cluster),
        "ec2InstanceId": f"i-{n:017x}",
        "version": 1,
        "versionInfo": {"agentVersion": "1.80.0", "agentHash": "abc1234", "dockerVersion": "DockerVersion: 25.0.3"},
        "registeredResources": [],
        "remainingResources": [],
        "status": status,
        "agentConnected": True,
        "runningTasksCount": 0,
        "pendingTasksCount": 0,
        "attributes": [
            {"name": k, **({"value": v} if v is not None else {})}
            for k, v in (attributes or {"ecs.os-type": "linux"}).items()
        ],
        "registeredAt": NOW - 3600 + n,
        "attachments": [],
        "tags": [],
        "_cluster": cluster,
        "_region": REGION,
        "_account": ACCOUNT,
    }
    record.update(fields)
    return record


def seed(store: Store, *records: Record) -> None:
    """Save the records through `container_instances.save`, in one transaction."""

    def work(tx: Transaction) -> None:
        for record in records:
            container_instances.save(ctx_of(tx), record)

    store.run(work)


class CountingTx:
    """A transaction that counts the documents index reads (`find`, `find_from`, `find_derived`) return."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx
        self.read = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tx, name)

    def find(self, *args: Any, **kwargs: Any) -> list[Record]:
        found = self.tx.find(*args, **kwargs)
        self.read += len(found)
        return found

    def find_from(self, *args: Any, **kwargs: Any) -> list[tuple[str, str, Record]]:
        found = self.tx.find_from(*args, **kwargs)
        self.read += len(found)
        return found

    def find_derived(self, *args: Any, **kwargs: Any) -> list[Any]:
        found = self.tx.find_derived(*args, **kwargs)
        self.read += len(found)
        return found


def call(store: Store, function: Callable[[RequestContext, dict[str, Any]], Any], **params: Any) -> Any:
    """A domain function called as its provider would, in one transaction."""
    return store.run(lambda tx: function(ctx_of(tx), params))


def refused(store: Store, function: Callable[..., Any], **params: Any) -> tuple[str, str]:
    """Call expecting an AwsError; the failed call must leave the store exactly as it was."""
    before = store.run(lambda tx: tx.digest())
    with pytest.raises(AwsError) as caught:
        call(store, function, **params)
    assert store.run(lambda tx: tx.digest()) == before
    return caught.value.code, caught.value.message


def resources(cpu: int, memory: int) -> list[Record]:
    """registeredResources / remainingResources of a host with this CPU and memory (port 22 taken)."""
    return [
        {"name": "CPU", "type": "INTEGER", "integerValue": cpu},
        {"name": "MEMORY", "type": "INTEGER", "integerValue": memory},
        {"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22"]},
        {"name": "PORTS_UDP", "type": "STRINGSET", "stringSetValue": []},
    ]


def hosts_run_without_ec2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Records with no EC2 instance nor ENIs behind them: placement would call them AGENT
    failures, and the ENI ledger would give them no slot. They run, and their free slots are their
    `_eniRoom` (which the ledger never exceeds; 5 when the record has none)."""
    from trunkline.domain.ecs import capacity, placement_candidates

    monkeypatch.setattr(placement_candidates, "_running", lambda ctx, instance_id: True)
    monkeypatch.setattr(capacity, "available_task_enis", lambda ctx, record: max(record.get("_eniRoom", 5), 0))
