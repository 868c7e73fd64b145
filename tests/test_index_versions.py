"""Records saved before a kind's indexes changed are re-indexed when a server starts on them.

Managed scaling counts live group members through the `live` index entry, which an earlier
release did not write: without the refresh a group's N would read 0 until each member happened
to be saved again. Runs on whichever store the suite uses (SQLite file or PostgreSQL schema).
"""

from __future__ import annotations

from pathlib import Path

from conftest import fresh_state, release_state
from trunkline.domain import index_versions
from trunkline.domain.autoscaling.kinds import MEMBER
from trunkline.store import open_store
from trunkline.store.api import Transaction

SCOPE = "123456789012/us-east-1/"
MEMBER_RECORD = {
    "InstanceId": "i-0123456789abcdef0",
    "AutoScalingGroupName": "asg",
    "LifecycleState": "InService",
    "_launchedAt": 100.0,
}


def _written_by_an_earlier_release(tx: Transaction) -> None:
    # What the previous release stored: the member with its one index entry, no index version.
    tx.put(MEMBER.name, SCOPE + MEMBER_RECORD["InstanceId"], dict(MEMBER_RECORD), {"group": SCOPE + "asg"})


def test_an_earlier_state_is_reindexed_once(tmp_path: Path) -> None:
    state = fresh_state(tmp_path)
    store = open_store(state)
    try:
        store.run(_written_by_an_earlier_release)
        assert store.run(lambda tx: tx.count(MEMBER.name, "live", SCOPE + "asg")) == 0

        assert store.run(lambda tx: index_versions.refresh(tx, [MEMBER])) == {MEMBER.name: 1}
        assert store.run(lambda tx: tx.count(MEMBER.name, "live", SCOPE + "asg")) == 1
        assert store.run(lambda tx: tx.count(MEMBER.name, "state", SCOPE + "asg|InService")) == 1
        assert store.run(lambda tx: tx.count(MEMBER.name, "group", SCOPE + "asg")) == 1
        # the record itself is untouched, and a second start has nothing to do
        assert store.run(lambda tx: tx.get(MEMBER.name, SCOPE + MEMBER_RECORD["InstanceId"])) == MEMBER_RECORD
        assert store.run(lambda tx: index_versions.refresh(tx, [MEMBER])) == {}
    finally:
        store.close()
        release_state(state)


def test_a_new_store_records_the_versions_without_work(tmp_path: Path) -> None:
    state = fresh_state(tmp_path)
    store = open_store(state)
    try:
        first = store.run(index_versions.refresh)
        assert first == {kind.name: 0 for kind in index_versions.VERSIONED}
        assert store.run(index_versions.refresh) == {}
    finally:
        store.close()
        release_state(state)
