"""A state file written by the previous release migrates when a server starts on it.

`fixtures/state-schema2.sqlite` was written by the release before resource kinds were declared
once (schema version 2), with `fixtures/make_release_state.py`. Its index values were partly
unscoped; after the migration every lookup the new code makes by index finds the old records.
The second test runs the same migration on whichever database the suite uses (PostgreSQL too).
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from conftest import Server, fresh_state, postgres_url, release_state
from trunkline.store import open_store
from trunkline.store.sql import SqlTransaction, migrate

FIXTURE = Path(__file__).parent / "fixtures" / "state-schema2.sqlite"
VPC = "vpc-bef37db5ace597f0e"
SUBNET = "subnet-df055ac772d93cfa0"
GROUP = "sg-d643b99b8d6041427"
ENI = "eni-7c04349be11c17ce5"
ROOT = "arn:aws:iam::123456789012:root"


def _client(server: Server, service: str, region: str = "us-east-1") -> Any:
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name=region,
        aws_access_key_id="AKIAFIXTURE",
        aws_secret_access_key="x",
    )


@pytest.mark.skipif(postgres_url() is not None, reason="the release fixture is a SQLite file")
def test_a_state_file_from_the_previous_release_migrates_on_start(spawn: Callable[..., Server], tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    shutil.copy(FIXTURE, state)
    server = spawn("--timing", "manual", state=str(state))
    ec2 = _client(server, "ec2")

    vpcs = ec2.describe_vpcs()["Vpcs"]  # no ids: found through the owner index
    assert [v["VpcId"] for v in vpcs] == [VPC]
    assert vpcs[0]["Tags"] == [{"Key": "fixture", "Value": "yes"}]
    west = _client(server, "ec2", "us-west-2").describe_vpcs()["Vpcs"]
    assert len(west) == 1 and west[0]["VpcId"] != VPC
    groups = ec2.describe_security_groups()["SecurityGroups"]
    assert {g["GroupName"] for g in groups} == {"default", "web"}
    assert [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]] == [SUBNET]
    by_subnet = ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [SUBNET]}])
    assert ENI in {e["NetworkInterfaceId"] for e in by_subnet["NetworkInterfaces"]}
    reservations = ec2.describe_instances(Filters=[{"Name": "subnet-id", "Values": [SUBNET]}])["Reservations"]
    assert len(reservations) == 1
    with pytest.raises(ec2.exceptions.ClientError) as caught:
        ec2.delete_vpc(VpcId=VPC)  # the subnet, found by the VPC index, still depends on it
    assert caught.value.response["Error"]["Code"] == "DependencyViolation"
    tags = ec2.describe_tags(Filters=[{"Name": "key", "Values": ["fixture"]}])["Tags"]
    assert {t["ResourceId"] for t in tags} == {VPC, SUBNET, GROUP}

    ecs = _client(server, "ecs")
    assert ecs.list_clusters()["clusterArns"] == ["arn:aws:ecs:us-east-1:123456789012:cluster/fixture"]
    assert ecs.describe_clusters(clusters=["gone"])["clusters"][0]["status"] == "INACTIVE"
    setting = ecs.list_account_settings(name="awsvpcTrunking", effectiveSettings=True)["settings"]
    assert setting[0]["value"] == "enabled"

    iam = _client(server, "iam")
    assert iam.get_role(RoleName="fixture-role")["Role"]["RoleName"] == "Fixture-Role"

    ecs.create_cluster(clusterName="after")  # and the migrated file takes new writes
    assert len(ecs.list_clusters()["clusterArns"]) == 2
    version = sqlite3.connect(state).execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert int(version[0]) >= 3


def test_the_migration_scopes_bare_index_values_on_this_database(tmp_path: Path) -> None:
    state = fresh_state(tmp_path)
    store = open_store(state)
    try:
        dialect = _dialect(store)

        def as_release_left_it(tx: Any) -> None:
            tx.put("ec2.vpc", "us-west-2/vpc-0123abcd", {"VpcId": "vpc-0123abcd"}, {"owner": "123456789012"})
            tx.put("ecs.cluster", "123456789012/eu-west-1/c", {"clusterName": "c"}, {"status": "ACTIVE"})
            tx.put("ecs.account-setting", f"eu-west-1|{ROOT}|awsvpcTrunking", {"name": "awsvpcTrunking"})
            tx.put("iam.instance-profile", "123456789012/p", {"RoleNames": ["R"]}, {"role": "r@123456789012"})
            family = {"scope": "123456789012/eu-west-1", "status": "123456789012/eu-west-1|ACTIVE"}
            tx.put("ecs.task-definition-family", "123456789012/eu-west-1/web", {"family": "web"}, family)
            tx.set_meta("schema_version", "2")
            if dialect.name == "sqlite":
                _index_as_release_kept_it(tx)

        store.run(as_release_left_it)
        store.run(lambda tx: migrate(_sql(tx), dialect))
        assert store.run(lambda tx: tx.find_keys("ec2.vpc", "owner", "us-west-2/123456789012")) == [
            "us-west-2/vpc-0123abcd"
        ]
        assert store.run(lambda tx: tx.find_keys("ec2.vpc", "owner", "123456789012")) == []
        assert store.run(lambda tx: tx.count("ecs.cluster", "status", "123456789012/eu-west-1/ACTIVE")) == 1
        assert store.run(lambda tx: tx.find_keys("iam.instance-profile", "role", "123456789012/r")) == [
            "123456789012/p"
        ]
        for field, value in (("scope", ""), ("status", "ACTIVE")):
            found = store.run(
                lambda tx, f=field, v=value: tx.find_keys(
                    "ecs.task-definition-family", f, f"123456789012/eu-west-1/{v}"
                )
            )
            assert found == ["123456789012/eu-west-1/web"]
        setting = f"123456789012/eu-west-1/{ROOT}|awsvpcTrunking"
        assert store.run(lambda tx: tx.get("ecs.account-setting", setting)) == {"name": "awsvpcTrunking"}
        assert store.run(lambda tx: tx.scan("ecs.account-setting", prefix="eu-west-1|")) == []
        assert store.run(lambda tx: tx.get_meta("schema_version")) == str(len(dialect.migrations))
    finally:
        store.close()
        release_state(state)


def _index_as_release_kept_it(tx: Any) -> None:
    """SQLite: the entries back in one `doc_index` table, as every release before schema v11 kept
    them (the release steps rewrite that table); v11 interns its values again."""
    tx.execute(
        "CREATE TABLE doc_index (kind TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, key TEXT NOT NULL,"
        " PRIMARY KEY (kind, field, value, key)) WITHOUT ROWID"
    )
    tx.execute(
        "INSERT INTO doc_index SELECT f.kind, f.field, v.value, i.key FROM index_fields f"
        " JOIN index_values v ON v.fid = f.id JOIN index_entries i ON i.vid = v.id"
    )
    for table in ("index_entries", "index_values", "index_fields"):
        tx.execute(f"DROP TABLE {table}")


def _dialect(store: Any) -> Any:
    from trunkline.store import postgres, sqlite

    return postgres.DIALECT if store.description.startswith("postgresql") else sqlite.DIALECT


def _sql(tx: Any) -> SqlTransaction:
    assert isinstance(tx, SqlTransaction)
    return tx
