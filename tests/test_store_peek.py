"""`Store.peek`: read-only work of one statement (the manual clock's shared reading, on every
request; the health check's ping). On PostgreSQL it is sent alone, outside a transaction block:
one round trip where `read` takes three (BEGIN, the statement, COMMIT)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import opened_stores


def test_peek_answers_what_read_answers(tmp_path: Path) -> None:
    with opened_stores(tmp_path, 2) as (first, second):
        first.run(lambda tx: tx.set_meta("probe", "1"))
        assert second.peek(lambda tx: tx.get_meta("probe")) == "1"
        assert second.peek(lambda tx: tx.get_meta("probe")) == second.read(lambda tx: tx.get_meta("probe"))
        first.run(lambda tx: tx.set_meta("probe", "2"))
        assert second.peek(lambda tx: tx.get_meta("probe")) == "2"  # no snapshot kept between peeks


@pytest.mark.skipif(not os.environ.get("TRUNKLINE_TEST_POSTGRES"), reason="needs TRUNKLINE_TEST_POSTGRES")
def test_peek_sends_its_statement_alone_on_postgresql(tmp_path: Path) -> None:
    with opened_stores(tmp_path, 1) as (store,):
        store.peek(lambda tx: tx.get_meta("schema_version"))  # the reading connection opened
        reader = store._reader
        sent: list[str] = []
        trace = tmp_path / "trace"
        with trace.open("w") as out:
            reader.pgconn.trace(out.fileno())
            reader.pgconn.set_trace_flags(0)
            store.peek(lambda tx: tx.get_meta("schema_version"))
            store.read(lambda tx: tx.get_meta("schema_version"))
            reader.pgconn.untrace()
        for line in trace.read_text().splitlines():
            # timestamp, F(rontend)/B(ackend), length, message, its fields
            fields = line.split("\t")
            if fields[1:2] == ["F"] and fields[3] in ("Query", "Parse"):
                quoted = fields[4].split('"')
                sent.append(quoted[1] if fields[3] == "Query" else quoted[3])
        statements = sent
        # peek: the SELECT alone; read: BEGIN, the SELECT, COMMIT.
        assert [s.split()[0].upper() for s in statements] == ["SELECT", "BEGIN", "SELECT", "COMMIT"], statements
