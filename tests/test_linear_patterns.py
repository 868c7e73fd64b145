"""No single request may stall the server (issue 13): the cluster query language's `=~` (also in
memberOf constraints) runs on a linear-time engine (RE2), so a pattern built to backtrack finishes
at once; EC2 filter values are bounded as AWS bounds them and compiled wildcard patterns are cached
in a bounded cache."""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest

from trunkline.domain.ec2 import filters
from trunkline.domain.ecs.placement import parse_constraints
from trunkline.domain.ecs.query import parse
from trunkline.errors import AwsError

# Uses no server and no store: the same code runs in every pass, so only the SQLite passes run it.
pytestmark = pytest.mark.one_store


class _Facts:
    agent_connected = True
    agent_version = "1.0.0"
    ec2_instance_id = "i-0123456789abcdef0"
    registered_at = 0.0
    running_tasks_count = 0
    task_groups: tuple[str, ...] = ()

    def __init__(self, value: str) -> None:
        self.attributes = {"stack": value}


def _evaluate(expression: str, value: str, answers: Any) -> None:
    answers.put(parse(expression).matches(_Facts(value)))


def _within(seconds: float, expression: str, value: str) -> bool:
    """Evaluate in a child process that is killed if it runs past `seconds`: a backtracking engine
    needs centuries for these inputs, a linear one microseconds, so any bound in between tells."""
    answers: Any = multiprocessing.get_context("spawn").Queue()
    child = multiprocessing.get_context("spawn").Process(target=_evaluate, args=(expression, value, answers))
    child.start()
    child.join(seconds)
    if child.is_alive():
        child.kill()
        child.join()
        pytest.fail(f"{expression!r} on {value[:40]!r}... did not finish in {seconds} s")
    return bool(answers.get(timeout=5))


@pytest.mark.parametrize("pattern", ["(a+)+", "(a|a)*", "(a|aa)+", "(.*a){20}"])
def test_catastrophic_patterns_finish(pattern: str) -> None:
    assert _within(30, f"attribute:stack =~ '{pattern}'", "a" * 60 + "-") is False


def test_member_of_uses_the_same_engine() -> None:
    constraints = parse_constraints([{"type": "memberOf", "expression": "attribute:stack =~ '(a+)+'"}])
    assert constraints[0].query is not None
    assert constraints[0].query.matches(_Facts("a" * 5000 + "-")) is False  # would never return on `re`
    assert constraints[0].query.matches(_Facts("aaaa")) is True


def test_constructs_outside_rE2_are_refused_as_invalid() -> None:
    for pattern in ["(?=a)a", "(a)\\1"]:
        with pytest.raises(AwsError) as caught:
            parse(f"attribute:stack =~ '{pattern}'")
        assert caught.value.code == "InvalidParameterException"
        assert "invalid regular expression" in caught.value.message


def test_java_named_groups_still_work() -> None:
    assert parse("attribute:stack =~ '(?<family>[a-z]+)[0-9]'").matches(_Facts("c5"))


def test_ec2_filter_values_are_bounded() -> None:
    extractors = {"vpc-id": lambda r: [r["VpcId"]]}
    long_value = "*a" * 200_000
    with pytest.raises(AwsError) as caught:
        filters.check_filters([{"Name": "vpc-id", "Values": [long_value]}], extractors)
    assert caught.value.code == "FilterLimitExceeded"
    assert caught.value.message == "The maximum length for a filter value is 255 characters"
    with pytest.raises(AwsError):
        filters.check_filters(
            [{"Name": "vpc-id", "Values": [f"v{i}" for i in range(filters.MAX_VALUES + 1)]}], extractors
        )
    filters.check_filters([{"Name": "vpc-id", "Values": ["vpc-*"] * filters.MAX_VALUES}], extractors)


def test_the_wildcard_cache_is_bounded() -> None:
    for i in range(filters.CACHE_SIZE * 3):
        assert filters.matches(
            {"VpcId": "vpc-1"}, [{"Name": "vpc-id", "Values": [f"vpc-{i}*"]}], {"vpc-id": lambda r: [r["VpcId"]]}
        ) is (i == 1)
    assert filters.cached_patterns() <= filters.CACHE_SIZE


def test_wildcards_match_as_ec2_does() -> None:
    extract = {"vpc-id": lambda r: [r["VpcId"]]}
    for wanted, hit in [
        ("vpc-*", True),
        ("vpc-?", True),
        ("*", True),
        ("vpc-??", False),
        ("VPC-*", False),
        ("v*1", True),
        ("[v]*", False),
    ]:
        assert filters.matches({"VpcId": "vpc-1"}, [{"Name": "vpc-id", "Values": [wanted]}], extract) is hit, wanted
    assert filters.matches({"VpcId": "a" * 3000}, [{"Name": "vpc-id", "Values": ["*a" * 100 + "*b"]}], extract) is False
