"""What `trunkline serve` prints: the ready line never shows a database password."""

from __future__ import annotations

import pytest

from trunkline.cli import _redacted


@pytest.mark.parametrize(
    ("state", "shown"),
    [
        (
            "postgresql://postgres:secret@127.0.0.1:5432/db?options=x",
            "postgresql://postgres:***@127.0.0.1:5432/db?options=x",
        ),
        ("postgres://user@host/db", "postgres://user@host/db"),
        ("/var/lib/trunkline/state.sqlite3", "/var/lib/trunkline/state.sqlite3"),
        (":memory:", ":memory:"),
    ],
)
def test_ready_line_hides_database_passwords(state: str, shown: str) -> None:
    assert _redacted(state) == shown
