"""`Transaction.prefetch` (issue 16): questions asked ahead answer exactly as the reads asked
later would, with the transaction's own writes before and after the asking; on PostgreSQL they
travel with the next read (no round trip of their own). `Transaction.send_writes` (writes sent
before the COMMIT) ends as if they were sent with it. Runs on PostgreSQL too with
TRUNKLINE_TEST_POSTGRES."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import opened_store
from pg_syncs import counting_syncs
from trunkline.store.api import Store

KEYS = ("k0", "k1", "k2", "k3", "k4")
VALUES = ("a", "b", "c")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with opened_store(tmp_path_factory.mktemp("prefetch")) as opened:
        opened.run(_fill)
        yield opened


def _fill(tx: Any) -> None:
    for n, key in enumerate(KEYS[:4]):
        tx.put("box", key, {"n": n}, {"f": VALUES[n % 3]})


class _Undo(Exception):
    """Carries a transaction's answers out of `Store.run` and rolls its writes back."""

    def __init__(self, answers: list[Any]) -> None:
        super().__init__()
        self.answers = answers


def _answers(store: Store, work: Callable[[Any], list[Any]]) -> list[Any]:
    def undone(tx: Any) -> None:
        raise _Undo(work(tx))

    with pytest.raises(_Undo) as caught:
        store.run(undone)
    return caught.value.answers


def _reads(tx: Any) -> list[Any]:
    return [
        [tx.get("box", key) for key in KEYS],
        [tx.find("box", "f", value) for value in VALUES],
        [tx.find_keys("box", "f", value, limit=limit) for value in VALUES for limit in (None, 1)],
    ]


def _ask_everything(tx: Any) -> None:
    tx.prefetch(
        gets=[("box", key) for key in KEYS],
        finds=[("box", "f", value) for value in VALUES],
        keys=[("box", "f", value, limit) for value in VALUES for limit in (None, 1)],
    )


def test_prefetched_reads_answer_as_plain_reads_with_writes_before_and_after(store: Store) -> None:
    def work(ask: bool) -> Callable[[Any], list[Any]]:
        def run(tx: Any) -> list[Any]:
            tx.put("box", "k4", {"n": 4}, {"f": "a"})  # pending when asked: the answers must hold it
            tx.delete("box", "k1")
            if ask:
                _ask_everything(tx)
            tx.put("box", "k0", {"n": 10}, {"f": "c"})  # after asking, before the answers are read
            tx.delete("box", "k2")
            first = _reads(tx)
            tx.put("box", "k3", {"n": 13}, {"f": "b"})  # after they were read: kept answers follow it
            return [first, _reads(tx)]

        return run

    asked, plain = _answers(store, work(True)), _answers(store, work(False))
    assert asked == plain
    first, then = asked
    assert first[0] == [{"n": 10}, None, None, {"n": 3}, {"n": 4}]
    assert first[2][0] == ["k3", "k4"] and then[1][1] == [{"n": 13}]  # keys of "a"; "b" after k3 moved


def test_answers_read_in_a_later_read_cost_no_round_trip(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL: asked ahead with one read, everything asked is then answered from memory."""
    waits: list[int] = []

    def work(tx: Any) -> list[Any]:
        if getattr(tx, "_pipeline", None) is None:
            pytest.skip("SQLite answers each read in a function call: nothing to save")
        syncs = counting_syncs(monkeypatch)
        _ask_everything(tx)
        tx.get("box", "elsewhere")  # the one wait: carries every question asked
        reads = _reads(tx)
        waits.append(len(syncs))
        return reads

    assert _answers(store, work) == _answers(store, _reads_after_get)
    assert waits == [1]


def _reads_after_get(tx: Any) -> list[Any]:
    tx.get("box", "elsewhere")
    return _reads(tx)


_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("put"), st.sampled_from(KEYS), st.sampled_from(VALUES)),
        st.tuples(st.just("delete"), st.sampled_from(KEYS), st.just("")),
        st.tuples(st.just("ask"), st.sampled_from(KEYS), st.sampled_from(VALUES)),
        st.tuples(st.just("read"), st.sampled_from(KEYS), st.sampled_from(VALUES)),
    ),
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=_OPS)
def test_any_interleaving_answers_as_without_asking(store: Store, ops: list[tuple[str, str, str]]) -> None:
    def work(ask: bool) -> Callable[[Any], list[Any]]:
        def run(tx: Any) -> list[Any]:
            seen: list[Any] = []
            for n, (op, key, value) in enumerate(ops):
                if op == "put":
                    tx.put("box", key, {"n": n}, {"f": value})
                elif op == "delete":
                    seen.append(tx.delete("box", key))
                elif op == "ask" and ask:
                    tx.prefetch(gets=[("box", key)], finds=[("box", "f", value)], keys=[("box", "f", value, None)])
                elif op == "read":
                    seen += [tx.get("box", key), tx.find("box", "f", value), tx.find_keys("box", "f", value)]
            return [*seen, _reads(tx)]

        return run

    assert _answers(store, work(True)) == _answers(store, work(False))


def test_writes_sent_early_end_as_if_sent_at_commit(store: Store) -> None:
    """`send_writes` (RunTask's new tasks): later writes of the same documents win, reads see the
    latest, a rollback undoes what was sent, and a commit keeps exactly the final state."""

    def work(tx: Any) -> list[Any]:
        tx.put("early", "a", {"v": 1}, {"f": "x"})
        tx.put("early", "b", {"v": 1}, {"f": "x"})
        tx.send_writes()
        tx.put("early", "a", {"v": 2}, {"f": "y"})
        tx.delete("early", "b")
        tx.send_writes()
        tx.put("early", "c", {"v": 3}, {"f": "x"})
        return [tx.get("early", "a"), tx.get("early", "b"), tx.find_keys("early", "f", "x"), tx.find("early", "f", "y")]

    def final(tx: Any) -> list[Any]:
        return [tx.get("early", "a"), tx.get("early", "b"), tx.find_keys("early", "f", "x"), tx.find("early", "f", "y")]

    expected = [{"v": 2}, None, ["c"], [{"v": 2}]]
    assert _answers(store, work) == expected
    assert store.run(final) == [None, None, [], []]  # rolled back, what was sent included
    assert store.run(work) == expected
    assert store.run(final) == expected
    store.run(lambda tx: [tx.delete("early", key) for key in "ac"])


def test_the_last_asked_ahead_answers_as_a_get_of_the_highest_key(store: Store) -> None:
    """`lasts` (RunTask: a family's latest ACTIVE revision): the document under the highest key of
    an index value, kept as a `get` would answer it, the transaction's pending writes included."""

    def work(ask: bool) -> Callable[[Any], list[Any]]:
        def run(tx: Any) -> list[Any]:
            tx.put("box", "k4", {"n": 4}, {"f": "a"})  # pending: the highest key of "a" now
            if ask:
                tx.prefetch(lasts=[("box", "f", "a"), ("box", "f", "none")])
            keys = tx.find_keys("box", "f", "a")
            return [keys, tx.get("box", keys[-1]), tx.find_keys("box", "f", "none")]

        return run

    assert _answers(store, work(True)) == _answers(store, work(False)) == [["k0", "k3", "k4"], {"n": 4}, []]
