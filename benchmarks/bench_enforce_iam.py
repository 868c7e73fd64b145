"""What `--enforce-iam` costs.

(a) The policy evaluator alone: the 85 documented cases of tests/data/iam-evaluation-cases.json,
    decided `--rounds` times; microseconds per decision.
(b) A call under enforcement: ECS ListClusters through boto3 against an in-process server, as an
    IAM user whose policies are an inline policy plus the AWS managed AmazonECS_FullAccess (a large
    document), interleaved with the same call as root (never evaluated) in the same run; the ratio
    of the medians is the cost of evaluating, the rest of the request being common to both. The
    same is measured on a server without `--enforce-iam` as the baseline.

    .venv/bin/python benchmarks/bench_enforce_iam.py            # ~20 s
    .venv/bin/python benchmarks/bench_enforce_iam.py --calls 1000
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config as BotoConfig

from trunkline.domain.policy_evaluation import Caller, Request, evaluate, evaluate_assume_role
from trunkline.runtime import Config
from trunkline.server import run_in_thread

CASES = Path(__file__).parent.parent / "tests" / "data" / "iam-evaluation-cases.json"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecs:List*", "Resource": "*"}]}


def evaluator(rounds: int) -> float:
    cases = json.loads(CASES.read_text())
    prepared: list[tuple[Request, list[Any], Any]] = []
    for case in cases:
        r = case["request"]
        request = Request(Caller.from_arn(r["principal"]), r["action"], r["resource"], r["context"])
        identity = [p["document"] for p in case["policies"] if p["type"] == "identity"]
        trust = [p["document"] for p in case["policies"] if p["type"] == "trust"]
        prepared.append((request, identity, trust[0] if trust else None))
    start = time.perf_counter()
    for _ in range(rounds):
        for request, identity, trust in prepared:
            if trust is not None:
                evaluate_assume_role(trust, identity, request)
            else:
                evaluate(identity, request)
    return (time.perf_counter() - start) / (rounds * len(prepared)) * 1e6


def calls(enforce: bool, count: int) -> dict[str, float]:
    config = BotoConfig(retries={"max_attempts": 1})
    root = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
    with run_in_thread(Config(state=":memory:", enforce_iam=enforce)) as url:
        iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", config=config, **root)
        iam.create_user(UserName="bench")
        iam.put_user_policy(UserName="bench", PolicyName="list", PolicyDocument=json.dumps(POLICY))
        iam.attach_user_policy(UserName="bench", PolicyArn="arn:aws:iam::aws:policy/AmazonECS_FullAccess")
        key = iam.create_access_key(UserName="bench")["AccessKey"]
        user_creds = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
        clients: dict[str, Any] = {
            "root": boto3.client("ecs", endpoint_url=url, region_name="us-east-1", config=config, **root),
            "user": boto3.client("ecs", endpoint_url=url, region_name="us-east-1", config=config, **user_creds),
        }
        timings: dict[str, list[float]] = {"root": [], "user": []}
        for _ in range(20):
            for client in clients.values():
                client.list_clusters()
        for _ in range(count):
            for name, client in clients.items():
                start = time.perf_counter()
                client.list_clusters()
                timings[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) * 1000 for name, values in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200, help="rounds over the 85 evaluator cases")
    parser.add_argument("--calls", type=int, default=300, help="ListClusters calls per principal and server")
    args = parser.parse_args()
    print(f"(a) evaluator: {evaluator(args.rounds):.1f} us per decision (85 documented cases x {args.rounds})")
    off, on = calls(False, args.calls), calls(True, args.calls)
    print(f"(b) ListClusters median ms, without --enforce-iam: root {off['root']:.2f}, user {off['user']:.2f}")
    print(f"    with --enforce-iam:                    root {on['root']:.2f}, user {on['user']:.2f}")
    print(
        f"    user/root with --enforce-iam: x{on['user'] / on['root']:.2f} (baseline without: x{off['user'] / off['root']:.2f})"
    )


if __name__ == "__main__":
    main()
