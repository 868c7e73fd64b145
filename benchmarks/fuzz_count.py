"""Fuzz runner (issue 13): send N generated requests (default 100,000) to a fresh `trunkline
serve` and count the answers by HTTP status; the target is 0 answers with status 500 (or any 5xx).

    .venv/bin/python benchmarks/fuzz_count.py                       # 100,000 requests, SQLite
    .venv/bin/python benchmarks/fuzz_count.py --requests 5000 --state postgresql://...   # PostgreSQL

The requests are tests/test_fuzz.py's generators, all five mixed: raw malformed requests per
protocol (JSON for ECS/SSM, query for IAM/STS, EC2's), and the hostile classes drawn from the
botocore shapes of every operation (null list items, NUL characters, huge numbers, deep nesting,
non-ASCII digits). Nothing is asserted per request (hypothesis only generates: no shrinking);
the first 5xx answers are printed with their requests. Exit status 1 if any answer was a 5xx.
CI runs the same generators through pytest, a smaller sample (TRUNKLINE_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import test_fuzz as fuzz  # type: ignore[import-not-found]  # the tests folder, put on sys.path above
from common import machine, start, stop


class _TimeUp(Exception):
    """--minutes ran out."""


def _seed(url: str) -> None:
    """A little state for reads to describe: a VPC with a subnet, a cluster, a role."""
    import boto3
    from botocore.config import Config

    creds = {"aws_access_key_id": fuzz.ACCESS_KEY, "aws_secret_access_key": "x" * 40}
    config = Config(retries={"max_attempts": 1})
    ec2 = boto3.client("ec2", endpoint_url=url, region_name=fuzz.REGION, config=config, **creds)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")
    boto3.client("ecs", endpoint_url=url, region_name=fuzz.REGION, config=config, **creds).create_cluster(
        clusterName="fuzz"
    )


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--minutes", type=float, help="stop sending after this long, and report what was sent")
    parser.add_argument("--state", help="a postgresql:// URL (a new schema is made in it); default: a new SQLite file")
    args = parser.parse_args()
    print(machine())
    strategy = st.one_of(
        fuzz.json_requests(),
        fuzz.query_requests(),
        fuzz.ec2_requests(),
        fuzz.hostile_json_requests(),
        fuzz.hostile_query_requests(),
    )
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="trunkline-fuzz-") as tmp:
        state = _schema(args.state) if args.state else str(Path(tmp) / "state.sqlite3")
        server = start(state, "--timing", "fast")
        began = time.monotonic()
        deadline = None if args.minutes is None else began + args.minutes * 60
        try:
            _seed(server.url)
            with httpx.Client(base_url=server.url, timeout=120) as client:

                @settings(
                    max_examples=args.requests,
                    phases=[Phase.generate],
                    database=None,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                )
                @given(request=strategy)
                def send(request: fuzz.RawRequest) -> None:
                    if deadline is not None and time.monotonic() > deadline:
                        raise _TimeUp
                    response = fuzz._send(client, request)
                    statuses[response.status_code] += 1
                    if response.status_code >= 500 and len(failures) < 5:
                        failures.append(f"{response.status_code} {response.text[:200]}\n    {request!r}"[:1500])

                try:
                    send()
                except Exception as error:  # the time limit (hypothesis may wrap it)
                    if "_TimeUp" not in repr(error) and not isinstance(error, _TimeUp):
                        print(
                            f"the run stopped on an error of its own after {sum(statuses.values())} requests: {error!r}"[
                                :600
                            ]
                        )
        finally:
            stop(server)
            if args.state:
                _drop(args.state, state)
    sent = sum(statuses.values())
    errors = sum(n for status, n in statuses.items() if status >= 500)
    store = "PostgreSQL" if args.state else "SQLite"
    print(f"{sent} requests to one server ({store}) in {time.monotonic() - began:.0f} s")
    print("answers by status: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    print(f"5xx answers: {errors} (target 0)")
    for failure in failures:
        print("  " + failure)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
