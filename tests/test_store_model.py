"""The store's `Transaction` against a model (a dict of documents): random sequences of writes and
reads, in transactions that commit or roll back, must read back what the model says, inside the
transaction (read-your-writes) and after it. PostgreSQL answers repeated reads from memory and
queues its writes in a pipeline; SQLite does neither: both must behave alike. Runs on the store the
test session uses (SQLite, or PostgreSQL with TRUNKLINE_TEST_POSTGRES)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import opened_store
from trunkline.store.api import Document, Store, Transaction

KINDS = ("a", "b")
KEYS = ("k1", "k2", "p/k3")
FIELDS = ("f", "g")
VALUES = ("x", "y", "z")

Model = dict[tuple[str, str], tuple[Document, dict[str, str]]]  # (kind, key) -> (document, index)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with opened_store(Path(tmp_path_factory.mktemp("model"))) as opened:
        yield opened


kinds = st.sampled_from(KINDS)
keys = st.sampled_from(KEYS)
index = st.dictionaries(st.sampled_from(FIELDS), st.sampled_from(VALUES) | st.none(), max_size=2)
documents = st.fixed_dictionaries({"n": st.integers(0, 9), "nested": st.fixed_dictionaries({"t": st.text(max_size=3)})})
operation = st.one_of(
    st.tuples(st.just("put"), kinds, keys, documents, index),
    st.tuples(st.just("delete"), kinds, keys),
    st.tuples(st.just("get"), kinds, keys),
    st.tuples(st.just("find"), kinds, st.sampled_from(FIELDS), st.sampled_from(VALUES)),
    st.tuples(st.just("find_from"), kinds, st.sampled_from(FIELDS), st.sampled_from(VALUES)),
    st.tuples(st.just("count"), kinds, st.sampled_from(FIELDS), st.sampled_from(VALUES)),
    st.tuples(st.just("scan"), kinds, st.sampled_from(("", "p/"))),
)
transactions = st.lists(st.tuples(st.lists(operation, max_size=12), st.booleans()), min_size=1, max_size=4)


class _Rollback(Exception):
    pass


def _matching(model: Model, kind: str, field: str, value: str) -> list[tuple[str, Document]]:
    return sorted((key, doc) for (k, key), (doc, entries) in model.items() if k == kind and entries.get(field) == value)


def _derive(doc: Document) -> tuple[int, str]:
    return doc["n"], doc["nested"]["t"]


def _apply(tx: Transaction, model: Model, op: tuple[Any, ...]) -> None:
    """Run one operation on the store and on the model; reads must agree."""
    name, kind = op[0], op[1]
    if name == "put":
        key, doc, entries = op[2], copy.deepcopy(op[3]), op[4]
        tx.put(kind, key, doc, entries)
        model[kind, key] = (copy.deepcopy(doc), {f: v for f, v in entries.items() if v is not None})
        doc["n"] = -1  # the caller changing its dict afterwards changes nothing stored
    elif name == "delete":
        assert tx.delete(kind, op[2]) == ((kind, op[2]) in model)
        model.pop((kind, op[2]), None)
    elif name == "get":
        got = tx.get(kind, op[2])
        assert got == (model[kind, op[2]][0] if (kind, op[2]) in model else None)
        if got is not None:
            got["n"] = -1  # nor does changing what a read returned
    elif name == "find":
        expected = _matching(model, kind, op[2], op[3])
        assert tx.find(kind, op[2], op[3]) == [doc for _, doc in expected]
        assert tx.find_keys(kind, op[2], op[3]) == [key for key, _ in expected]
        assert tx.find_keys(kind, op[2], op[3], after="k1", limit=1) == [k for k, _ in expected if k > "k1"][:1]
        derived = tx.find_derived(kind, op[2], op[3], _derive)  # kept by stored bytes: never stale
        assert derived == [_derive(doc) for _, doc in expected]
        paged = tx.find_derived(kind, op[2], op[3], _derive, after="k1", limit=1)
        assert paged == [_derive(doc) for k, doc in expected if k > "k1"][:1]
    elif name == "find_from":
        rows = sorted(
            (entries[op[2]], key, doc)
            for (k, key), (doc, entries) in model.items()
            if k == kind and entries.get(op[2], "") >= op[3]
        )
        assert tx.find_from(kind, op[2], op[3]) == rows
    elif name == "count":
        assert tx.count(kind, op[2], op[3]) == len(_matching(model, kind, op[2], op[3]))
    elif name == "scan":
        expected = sorted((key, doc) for (k, key), (doc, _) in model.items() if k == kind and key.startswith(op[2]))
        assert tx.scan(kind, op[2]) == expected


def _transaction(operations: list[tuple[Any, ...]], commits: bool, committed: Model, out: list[Model]) -> Any:
    def work(tx: Transaction) -> None:
        working = copy.deepcopy(committed)  # afresh each time: the store may run the work again
        for op in operations:
            _apply(tx, working, op)
        if not commits:
            raise _Rollback
        out[:] = [working]

    return work


def _committed(model: Model) -> Any:
    def check(tx: Transaction) -> None:
        for kind in KINDS:
            assert tx.scan(kind) == sorted((key, doc) for (k, key), (doc, _) in model.items() if k == kind)
            for field in FIELDS:
                for value in VALUES:
                    found = tx.find_keys(kind, field, value)
                    assert found == [key for key, _ in _matching(model, kind, field, value)]

    return check


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(transactions)
@example(  # a read, a write, the read again; a delete, then a read: PostgreSQL answers some from memory
    [
        (
            [
                ("put", "a", "k1", {"n": 1, "nested": {"t": ""}}, {"f": "x"}),
                ("find", "a", "f", "x"),
                ("scan", "a", ""),
                ("get", "a", "k1"),
                ("put", "a", "k1", {"n": 2, "nested": {"t": ""}}, {"f": "y"}),
                ("get", "a", "k1"),
                ("find", "a", "f", "x"),
                ("delete", "a", "k1"),
                ("get", "a", "k1"),
                ("delete", "a", "k1"),
            ],
            True,
        )
    ]
)
def test_transactions_read_what_the_model_says(store: Store, plan: list[tuple[list[tuple[Any, ...]], bool]]) -> None:
    store.run(lambda tx: tx.clear())
    committed: Model = {}
    for operations, commits in plan:
        out: list[Model] = []
        try:
            store.run(_transaction(operations, commits, committed, out))
            committed = out[0]
        except _Rollback:
            pass
        store.run(_committed(committed))  # what a later transaction sees: the committed model
