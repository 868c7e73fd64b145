"""The policy evaluator against 85 cases taken from AWS's IAM and ECS documentation
(tests/data/iam-evaluation-cases.json: each case names its source page; every case was cross-checked
with @cloud-copilot/iam-simulate, which differs on three for documented reasons), plus properties
that must hold for any policy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trunkline.domain.policy_evaluation import Caller, Request, evaluate, evaluate_assume_role

CASES: list[dict[str, Any]] = json.loads((Path(__file__).parent / "data" / "iam-evaluation-cases.json").read_text())


def decide(case: dict[str, Any]) -> str:
    request = case["request"]
    asked = Request(Caller.from_arn(request["principal"]), request["action"], request["resource"], request["context"])
    identity = [p["document"] for p in case["policies"] if p["type"] == "identity"]
    trust = [p["document"] for p in case["policies"] if p["type"] == "trust"]
    if trust:
        return evaluate_assume_role(trust[0], identity, asked)
    return evaluate(identity, asked)


def test_the_table_has_all_85_cases() -> None:
    assert len(CASES) == 85
    assert len({c["name"] for c in CASES}) == 85


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_documented_case(case: dict[str, Any]) -> None:
    assert decide(case) == case["expected"], case["reason"]


ALICE = Caller.from_arn("arn:aws:iam::111122223333:user/alice")
_actions = st.sampled_from(["ecs:RunTask", "ecs:ListClusters", "ec2:RunInstances", "iam:PassRole", "ssm:GetParameter"])
_resources = st.sampled_from(
    ["*", "arn:aws:ecs:us-east-1:111122223333:cluster/prod", "arn:aws:iam::111122223333:role/r"]
)
_patterns = st.sampled_from(["*", "ecs:*", "ec2:*", "ecs:Run*", "iam:PassRole", "*:List*", "ssm:Get?arameter"])
_statement = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Deny"]),
        "Action": _patterns,
        "Resource": st.sampled_from(["*", "arn:aws:ecs:*"]),
    }
)


@given(st.lists(_statement, max_size=5), _actions, _resources)
def test_adding_a_deny_for_everything_always_denies(statements: list[Any], action: str, resource: str) -> None:
    document = {"Version": "2012-10-17", "Statement": statements}
    deny_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    assert evaluate([document, deny_all], Request(ALICE, action, resource)) == "ExplicitDeny"


@given(st.lists(_statement, max_size=5), _actions, _resources)
def test_policy_order_never_matters_and_root_is_never_denied(statements: list[Any], action: str, resource: str) -> None:
    documents = [{"Version": "2012-10-17", "Statement": [s]} for s in statements]
    request = Request(ALICE, action, resource)
    assert evaluate(documents, request) == evaluate(list(reversed(documents)), request)
    root = Request(Caller.from_arn("arn:aws:iam::111122223333:root"), action, resource)
    assert evaluate(documents, root) == "Allow"
