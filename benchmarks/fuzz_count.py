"""Fuzz runner (issue 13): send N generated requests (default 100,000) to a fresh `trunkline
serve` and count the answers by HTTP status; the target is 0 answers with status 500 (or any 5xx).

    .venv/bin/python benchmarks/fuzz_count.py                       # 100,000 requests, SQLite
    .venv/bin/python benchmarks/fuzz_count.py --state postgresql://...   # PostgreSQL

A pool of requests (--pool, default 5,000) is drawn once from tests/test_fuzz.py's five generators
mixed: raw malformed requests per protocol (JSON for ECS/SSM/Logs, query for IAM/STS, EC2's), and
the hostile classes drawn from the botocore shapes of every operation (null list items, NUL
characters, huge numbers, deep nesting, non-ASCII digits). Drawing costs 20-60 ms a request, so
the rest are the pool's requests mutated and recombined by tests/fuzz_mutate.py (the same hostile
classes again, grafts between requests of one operation, raw damage to bytes and headers), sent
by several client threads (--threads). A share of the requests (--deep, default 0.2) comes from
tests/fuzz_deep.py instead: every operation trunkline implements, its required members present and
ids from a seeded world, so that they reach the handlers (the other generators withhold each write's
required members). Nothing is asserted per request; the first 5xx answers are printed with their
requests. Exit status 1 if any answer was a 5xx. CI runs the generators
through pytest, a smaller sample (TRUNKLINE_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import test_fuzz as fuzz  # type: ignore[import-not-found]  # the tests folder, put on sys.path above
from common import machine, start, stop
from fuzz_deep import DeepRequests, World, seed_world  # type: ignore[import-not-found]  # the tests folder
from fuzz_mutate import Mutator, draw_pool  # type: ignore[import-not-found]  # the tests folder, as above


def _schema(database: str) -> str:
    import psycopg

    name = "fuzz_" + uuid.uuid4().hex[:10]
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    return f"{database}{'&' if '?' in database else '?'}options=-csearch_path%3D{name}"


def _drop(database: str, state: str) -> None:
    import psycopg

    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {state.rsplit('%3D', 1)[1]} CASCADE")


@dataclass
class _Tally:
    wanted: int
    deadline: float | None
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    claimed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def claim(self) -> bool:
        with self.lock:
            if self.claimed >= self.wanted or (self.deadline is not None and time.monotonic() > self.deadline):
                return False
            self.claimed += 1
            return True

    def record(self, request: fuzz.RawRequest, status: int, text: str) -> None:
        with self.lock:
            self.statuses[status] += 1
            if status >= 500 and len(self.failures) < 5:
                self.failures.append(f"{status} {text[:200]}\n    {request!r}"[:1500])


def _client(url: str, pool: list[fuzz.RawRequest], world: World, deep: float, seed: int, tally: _Tally) -> None:
    mutator = Mutator(pool, seed)
    deep_requests = DeepRequests(world, seed)
    with httpx.Client(base_url=url, timeout=120) as client:
        while tally.claim():
            try:
                request = deep_requests.next() if mutator.rng.random() < deep else mutator.next()
            except Exception as error:  # the generator's own fault: reported, and the run goes on
                with tally.lock:
                    tally.errors.append(f"generator: {error!r}"[:600])
                continue
            try:
                response = fuzz._send(client, request)
            except Exception as error:  # no answer (the connection failed, or httpx refused the request): counted
                with tally.lock:
                    tally.errors.append(f"{error!r} {request!r}"[:600])
                continue
            tally.record(request, response.status_code, response.text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--pool", type=int, default=5_000, help="requests drawn from the hypothesis strategies")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--deep", type=float, default=0.2, help="share of requests from tests/fuzz_deep.py")
    parser.add_argument("--minutes", type=float, help="stop sending after this long, and report what was sent")
    parser.add_argument("--state", help="a postgresql:// URL (a new schema is made in it); default: a new SQLite file")
    args = parser.parse_args()
    print(machine())
    drawing = time.monotonic()
    pool = draw_pool(args.pool)
    print(f"pool: {len(pool)} requests drawn in {time.monotonic() - drawing:.0f} s", flush=True)
    with tempfile.TemporaryDirectory(prefix="trunkline-fuzz-") as tmp:
        state = _schema(args.state) if args.state else str(Path(tmp) / "state.sqlite3")
        server = start(state, "--timing", "fast")
        began = time.monotonic()
        tally = _Tally(args.requests, None if args.minutes is None else began + args.minutes * 60)
        try:
            world = seed_world(server.url)
            threads = [
                threading.Thread(target=_client, args=(server.url, pool, world, args.deep, args.seed * 1000 + n, tally))
                for n in range(args.threads)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            stop(server)
            if args.state:
                _drop(args.state, state)
    statuses = tally.statuses
    sent = sum(statuses.values())
    errors = sum(n for status, n in statuses.items() if status >= 500)
    store = "PostgreSQL" if args.state else "SQLite"
    print(f"{sent} requests to one server ({store}) in {time.monotonic() - began:.0f} s, {args.threads} client threads")
    print("answers by status: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    print(f"5xx answers: {errors} (target 0); generator or connection errors: {len(tally.errors)}")
    for failure in tally.failures:
        print("  " + failure)
    for error in tally.errors[:5]:
        print("  " + error)
    return 1 if errors or tally.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
