"""Versioned schema. Append a migration to both lists to change it; never edit a released one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trunkline.store.interned_index import intern_index_values

if TYPE_CHECKING:
    from trunkline.store.sql import SqlTransaction, Step

_COMMON_V1: list[Step] = [
    "CREATE TABLE documents (kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, key))",
    "CREATE TABLE doc_index (kind TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, key TEXT NOT NULL,"
    " PRIMARY KEY (kind, field, value, key))",
    "CREATE INDEX doc_index_by_key ON doc_index (kind, key)",
    "CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
]

SQLITE_MIGRATIONS: list[list[Step]] = [
    _COMMON_V1
    + [
        "CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, due_at DOUBLE PRECISION NOT NULL,"
        " name TEXT NOT NULL, payload TEXT NOT NULL)",
        "CREATE INDEX jobs_by_due ON jobs (due_at, id)",
        "CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)",
    ],
]

POSTGRES_MIGRATIONS: list[list[Step]] = [
    _COMMON_V1
    + [
        "CREATE TABLE jobs (id BIGSERIAL PRIMARY KEY, due_at DOUBLE PRECISION NOT NULL,"
        " name TEXT NOT NULL, payload TEXT NOT NULL)",
        "CREATE INDEX jobs_by_due ON jobs (due_at, id)",
        "CREATE TABLE events (seq BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)",
    ],
]

# v2: the by-key index covers each entry's field and value, so `put` reads a document's current
# entries from it (and SQLite's planner prefers it to a scan of the kind's primary key).
_COVERING_BY_KEY: list[Step] = [
    "DROP INDEX doc_index_by_key",
    "CREATE INDEX doc_index_by_key ON doc_index (kind, key, field, value)",
]
SQLITE_MIGRATIONS.append(_COVERING_BY_KEY)
POSTGRES_MIGRATIONS.append(_COVERING_BY_KEY)


# v3: resource kinds are declared once (domain/resource_kind.py) and the store scopes every index
# value by the kind's account/region scope. These indexes were written bare before; they gain the
# prefix of their document's key (`REGION/` for EC2, `ACCOUNT/REGION/` for ECS).
_BARE_INDEXES = (
    ("ec2.vpc", "owner", 1),
    ("ec2.subnet", "owner", 1),
    ("ec2.security-group", "owner", 1),
    ("ecs.cluster", "status", 2),
)


def _scope_bare_indexes(tx: SqlTransaction) -> None:
    for kind, field, depth in _BARE_INDEXES:
        rows = tx.execute("SELECT key, value FROM doc_index WHERE kind = ? AND field = ?", (kind, field)).fetchall()
        for key, value in rows:
            prefix = "".join(part + "/" for part in key.split("/")[:depth])
            tx.execute(
                "UPDATE doc_index SET value = ? WHERE kind = ? AND field = ? AND key = ?",
                (prefix + value, kind, field, key),
            )


SQLITE_MIGRATIONS.append([_scope_bare_indexes])
POSTGRES_MIGRATIONS.append([_scope_bare_indexes])


# v4: ECS account settings were keyed `REGION|PRINCIPAL|NAME`, the one key without the account;
# they are now keyed like every account- and region-scoped kind, `ACCOUNT/REGION/PRINCIPAL|NAME`
# (the principal's ARN names the account: arn:aws:iam::ACCOUNT:...).
def _rekey_account_settings(tx: SqlTransaction) -> None:
    rows = tx.execute("SELECT key, body FROM documents WHERE kind = 'ecs.account-setting'").fetchall()
    for key, body in rows:
        region, principal, name = key.split("|", 2)
        account = principal.split(":")[4]
        new_key = f"{account}/{region}/{principal}|{name}"
        tx.execute("DELETE FROM documents WHERE kind = 'ecs.account-setting' AND key = ?", (key,))
        tx.execute("INSERT INTO documents (kind, key, body) VALUES ('ecs.account-setting', ?, ?)", (new_key, body))


SQLITE_MIGRATIONS.append([_rekey_account_settings])
POSTGRES_MIGRATIONS.append([_rekey_account_settings])


# v5: an instance profile's `role` index held `ROLENAME@ACCOUNT`; scoped by the store like every
# account-scoped value it is `ACCOUNT/ROLENAME` (the profile's key starts with `ACCOUNT/`).
def _scope_profile_roles(tx: SqlTransaction) -> None:
    rows = tx.execute("SELECT key, value FROM doc_index WHERE kind = 'iam.instance-profile' AND field = 'role'")
    for key, value in rows.fetchall():
        role, _, account = value.rpartition("@")
        tx.execute(
            "UPDATE doc_index SET value = ? WHERE kind = 'iam.instance-profile' AND field = 'role' AND key = ?",
            (f"{account}/{role}", key),
        )


SQLITE_MIGRATIONS.append([_scope_profile_roles])
POSTGRES_MIGRATIONS.append([_scope_profile_roles])


# v6: ECS task definitions and families: the status indexes held `ACCOUNT/REGION|STATUS` and the
# family list index `ACCOUNT/REGION`; scoped like every index they are `ACCOUNT/REGION/STATUS`
# and `ACCOUNT/REGION/` (the empty value, scoped).
def _scope_task_definition_indexes(tx: SqlTransaction) -> None:
    for kind, field in (
        ("ecs.task-definition", "status"),
        ("ecs.task-definition-family", "status"),
        ("ecs.task-definition-family", "scope"),
    ):
        rows = tx.execute("SELECT key, value FROM doc_index WHERE kind = ? AND field = ?", (kind, field)).fetchall()
        for key, value in rows:
            scope, _, status = value.partition("|")
            tx.execute(
                "UPDATE doc_index SET value = ? WHERE kind = ? AND field = ? AND key = ?",
                (f"{scope}/{status}", kind, field, key),
            )


SQLITE_MIGRATIONS.append([_scope_task_definition_indexes])
POSTGRES_MIGRATIONS.append([_scope_task_definition_indexes])

# Issue 13's steps check what is there first: a state can reach them with part of it done (a
# store opened by this code, then told it is older, as tests/test_state_migration.py does).


def _columns(tx: SqlTransaction, table: str) -> set[str]:
    rows = tx.execute(f"SELECT * FROM {table} LIMIT 0")
    return {column[0] for column in rows.description}


# v7: each event's time on the store's clock, so retention can drop events by age (docs/design.md).
def _event_times(tx: SqlTransaction) -> None:
    if "at" not in _columns(tx, "events"):
        tx.execute("ALTER TABLE events ADD COLUMN at DOUBLE PRECISION")
    tx.execute("CREATE INDEX IF NOT EXISTS events_by_at ON events (at)")


SQLITE_MIGRATIONS.append([_event_times])
POSTGRES_MIGRATIONS.append([_event_times])


# v8: SQLite keeps the index entries once, in their primary key (WITHOUT ROWID), instead of in a
# table and again in its key's index: a third less space for the entries every record has.
# PostgreSQL's heap tables have no such form; its v8 changes nothing.
def _entries_once(tx: SqlTransaction) -> None:
    table = tx.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'doc_index'").fetchone()
    if "WITHOUT ROWID" in str(table[0]).upper():
        return
    for statement in (
        "CREATE TABLE doc_index_v5 (kind TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, key TEXT NOT NULL,"
        " PRIMARY KEY (kind, field, value, key)) WITHOUT ROWID",
        "INSERT INTO doc_index_v5 (kind, field, value, key) SELECT kind, field, value, key FROM doc_index",
        "DROP TABLE doc_index",
        "ALTER TABLE doc_index_v5 RENAME TO doc_index",
    ):
        tx.execute(statement)


SQLITE_MIGRATIONS.append([_entries_once])
POSTGRES_MIGRATIONS.append([])


# v9: SQLite lists each document's index entries in its own row (`entries`, JSON, compressed like
# bodies), so neither `put` nor `delete` needs the by-key copy of every entry. With compressed
# bodies this is what brings a live task's state down (benchmarks/README.md). PostgreSQL: unchanged.
# The entries are recomputed from the index whatever was there: the index is the truth.
def _entries_in_documents(tx: SqlTransaction) -> None:
    if "entries" not in _columns(tx, "documents"):
        tx.execute("ALTER TABLE documents ADD COLUMN entries TEXT")
    tx.execute(
        "UPDATE documents SET entries = (SELECT json_group_object(i.field, i.value) FROM doc_index i"
        " WHERE i.kind = documents.kind AND i.key = documents.key HAVING COUNT(*) > 0)"
    )
    tx.execute("DROP INDEX IF EXISTS doc_index_by_key")


SQLITE_MIGRATIONS.append([_entries_in_documents])
POSTGRES_MIGRATIONS.append([])


# v10: SQLite bodies may be compressed with a preset dictionary (store/packing.py), which an older
# trunkline cannot read: the version tells it to refuse the state rather than fail on each body.
SQLITE_MIGRATIONS.append([])
POSTGRES_MIGRATIONS.append([])


# v11: SQLite keeps each distinct index value once, under a small id, and the entries as (id, key):
# the values (cluster and instance ARNs, mostly) were half of a live task's index bytes
# (store/interned_index.py; docs/design.md, "Growth"). PostgreSQL: unchanged.
# The outbox loses its index by time: SQLite trims by age in sequence order (store/sqlite_outbox.py).
SQLITE_MIGRATIONS.append([intern_index_values, "DROP INDEX IF EXISTS events_by_at"])
POSTGRES_MIGRATIONS.append([])


# v12: PostgreSQL lists each document's index entries in its row too (`entries`, a JSON object), so
# a transaction that read a document sends only the entries a save changes, not all of them (a
# container instance has hundreds; issue 16). NULL (rows written before): not listed, and the
# save replaces the entries by key as before. SQLite lists them since v9: unchanged.
def _listed_entries(tx: SqlTransaction) -> None:
    if "entries" not in _columns(tx, "documents"):
        tx.execute("ALTER TABLE documents ADD COLUMN entries TEXT")


SQLITE_MIGRATIONS.append([])
POSTGRES_MIGRATIONS.append([_listed_entries])


# v13: PostgreSQL drops its by-key copy of the index (`doc_index_by_key`, every entry's columns a
# second time): each document lists its entries (v12), so a save that does not know what is stored
# finds the entries to replace through its row's listing, by primary key. The listings are
# recomputed from the index first (the index is the truth; rows written before v12 list none).
# Every write of a document on PostgreSQL keeps its listing (store/pg_transaction.py); a migration
# that edits `doc_index` directly must keep `documents.entries` in step (issue 16: a third of the
# cost of writing an entry). SQLite: unchanged (it has no such index since v9).
def _entries_listed_everywhere(tx: SqlTransaction) -> None:
    tx.execute(
        "UPDATE documents d SET entries = COALESCE((SELECT json_object_agg(i.field, i.value)::text"
        " FROM doc_index i WHERE i.kind = d.kind AND i.key = d.key), '{}')"
    )
    tx.execute("DROP INDEX IF EXISTS doc_index_by_key")


SQLITE_MIGRATIONS.append([])
POSTGRES_MIGRATIONS.append([_entries_listed_everywhere])


# v14: PostgreSQL notes which process scheduled each job (`owner`, the store's id, random per
# process): a process's background pass runs its own jobs, and another process's only once they
# are overdue (the owner stopped or fell behind), so two processes do not try each other's
# clusters' steps (docs/design.md, "Several processes on one PostgreSQL"). NULL (jobs written
# before): anyone's. SQLite: unchanged (one process writes a state).
def _job_owners(tx: SqlTransaction) -> None:
    # No look at the columns first: on a session that prepares statements, a new statement right
    # after v13's DDL met "prepared statement does not exist" (psycopg forgets its statements
    # when it reads a DDL's answer; see postgres.py). IF NOT EXISTS: safe to run again.
    tx.execute("ALTER TABLE jobs ADD COLUMN IF NOT EXISTS owner TEXT")


SQLITE_MIGRATIONS.append([])
POSTGRES_MIGRATIONS.append([_job_owners])
