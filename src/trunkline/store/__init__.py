"""Storage: `open_store` picks the backend from the `--state` value."""

from __future__ import annotations

from trunkline.store.api import Store


def open_store(state: str) -> Store:
    if state.startswith(("postgresql://", "postgres://")):
        from trunkline.store.postgres import PostgresStore

        return PostgresStore(state)
    from trunkline.store.sqlite import SqliteStore

    return SqliteStore(state)
