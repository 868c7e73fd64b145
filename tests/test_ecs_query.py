"""The cluster query language (ListContainerInstances `filter`, `memberOf` constraints) as a pure
domain module: which instances each expression selects, which expressions are refused, the
equality hints an index can use, and properties over arbitrary text and generated expressions."""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trunkline.domain.ecs.query import MAX_DEPTH, MAX_PATTERN_LENGTH, Facts, InstanceFacts, Query, parse
from trunkline.errors import AwsError

# Uses no server and no store: the same code runs in every pass, so only the SQLite passes run it.
pytestmark = pytest.mark.one_store


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


# A: a Linux trunk instance running two service tasks, registered 2018-06-18T22:28:28.750Z.
A = Facts(
    agent_connected=True,
    agent_version="1.28.1",
    attributes={
        "ecs.instance-type": "t2.small",
        "ecs.availability-zone": "us-east-1a",
        "ecs.os-type": "linux",
        "ecs.awsvpc-trunk-id": "a6148e89-0416-415d-97e0-f23d18e134a4",
        "ecs.capability.task-eni-trunking": None,
        "stack": "prod",
    },
    ec2_instance_id="i-abcd1234",
    registered_at=_epoch("2018-06-18T22:28:28.750"),
    running_tasks_count=2,
    task_groups=("service:production", "family:web"),
)
# B: a disconnected Windows GPU instance with an old agent and no tasks.
B = Facts(
    agent_connected=False,
    agent_version="1.9.0",
    attributes={"ecs.instance-type": "g2.2xlarge", "ecs.availability-zone": "us-east-1b", "ecs.os-type": "windows"},
    ec2_instance_id="i-wxyx7890",
    registered_at=_epoch("2018-07-15T00:00:00"),
    running_tasks_count=0,
    task_groups=(),
)
# C: a Linux instance that never reported an agent version, running one database task.
C = Facts(
    agent_connected=True,
    agent_version=None,
    attributes={
        "ecs.instance-type": "c5.large",
        "ecs.availability-zone": "us-east-1d",
        "ecs.os-type": "linux",
        "ecs.capability.task-eni-trunking": None,
        "stack": "dev",
    },
    ec2_instance_id="i-0123456789abcdef0",
    registered_at=_epoch("2018-02-01T10:00:00"),
    running_tasks_count=1,
    task_groups=("database",),
)
INSTANCES = {"A": A, "B": B, "C": C}


def _selected(expression: str) -> str:
    query = parse(expression)
    return "".join(name for name, facts in INSTANCES.items() if query.matches(facts))


VALID = [
    # the guide's examples
    ("attribute:ecs.instance-type == t2.small", "A"),
    ("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", "AB"),
    ("attribute:ecs.instance-type =~ g2.*", "B"),
    ("attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", "B"),
    ("task:group == service:production", "A"),
    ("not(task:group == database)", "AB"),
    ("runningTasksCount == 1", "C"),
    ("agentVersion < 1.14.5", "B"),
    ("registeredAt < 2018-02-13", "C"),
    ("ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", "AB"),
    ("attribute:stack != prod", "C"),  # "has the attribute stack unless its value is prod": B has none
    ("attribute:ecs.instance-type in [t2.small, t2.medium]", "A"),
    # word spellings of the operators
    ("attribute:ecs.instance-type equals t2.small", "A"),
    ("attribute:stack not_equals prod", "C"),
    ("runningTasksCount greater_than 1", "A"),
    ("runningTasksCount greater_than_equal 1", "AC"),
    ("runningTasksCount less_than 1", "B"),
    ("runningTasksCount less_than_equal 1", "BC"),
    ("attribute:stack not_in [prod, qa]", "C"),
    ("ec2InstanceId matches 'i-[0-9a-f]{17}'", "C"),
    ("attribute:ecs.instance-type not_matches t2\\..*", "BC"),
    # agentConnected and ec2InstanceId
    ("agentConnected == false", "B"),
    ("agentConnected != false", "AC"),
    ("agentConnected in [TRUE]", "AC"),
    ("agentConnected =~ tr.*", "AC"),
    ("ec2InstanceId =~ i-abcd", ""),  # patterns match the whole value, as Java's matches() does
    ("ec2InstanceId !in [i-abcd1234]", "BC"),
    # numeric and version-aware comparisons
    ("runningTasksCount > 1", "A"),
    ("runningTasksCount != -1", "ABC"),
    ("agentVersion >= 1.28.1", "A"),
    ("agentVersion > 1.9", "A"),  # 28 > 9, though "1.28.1" < "1.9" as strings
    ("agentVersion == 1.9.0.0", "B"),
    ("agentVersion != 1.28.1", "B"),  # C reported no version, so no version comparison holds for it
    # registration time: four formats, compared in whole seconds
    ("registeredAt < 2018-07-01", "AC"),
    ("registeredAt == 2018-06-18T22:28:28Z", "A"),
    ("registeredAt >= 2018-06-18T22:28:28+00:00", "AB"),
    ("registeredAt > 2018-06-18T22:28:28", "B"),
    ("registeredAt <= 2018-06-19T00:28:28+02:00", "AC"),
    ("registeredAt > 2018-02-01T10:00:00Z and registeredAt < 2018-07-15", "A"),
    # attributes: name-only, presence, ordering as strings
    ("attribute:ecs.awsvpc-trunk-id exists", "A"),
    ("attribute:ecs.awsvpc-trunk-id !exists", "BC"),
    ("attribute:ecs.capability.task-eni-trunking exists", "AC"),
    ("attribute:ecs.capability.task-eni-trunking not_exists", "B"),
    ("attribute:ecs.capability.task-eni-trunking == true", ""),
    ("attribute:ecs.capability.task-eni-trunking != true", "AC"),
    ("attribute:ecs.instance-type > m5.large", "A"),
    ('attribute:stack in ["prod"]', "A"),
    ("attribute:ecs.availability-zone in [ us-east-1d ,us-east-1b ]", "BC"),
    ("attribute:ecs.instance-type =~ '(t2|c5)\\..*'", "AC"),
    ("attribute:ecs.instance-type =~ '(?<family>[a-z]+)[0-9]\\..*'", "ABC"),  # Java named group
    # task groups: any group for positive operators, present and none for negated ones
    ("task:group != database", "A"),
    ("task:group exists", "AC"),
    ("task:group in [family:web, database]", "AC"),
    ("task:group =~ 'service:.*'", "A"),
    # compound expressions and precedence (not > and > or)
    ("not(attribute:ecs.os-type == windows)", "AC"),
    ("not attribute:stack == prod", "BC"),
    ("attribute:ecs.os-type == linux and (attribute:stack == dev or runningTasksCount > 1)", "AC"),
    ("attribute:ecs.os-type == linux and attribute:stack == dev or agentConnected == false", "BC"),
    ("attribute:ecs.os-type == linux && (attribute:stack == dev || agentConnected == false)", "C"),
    ("!agentConnected == true || ec2InstanceId == i-abcd1234", "AB"),
    ("not (not (runningTasksCount >= 0))", "ABC"),
    ("((attribute:ecs.os-type == linux))", "AC"),
    ("runningTasksCount>1&&agentConnected==true", "A"),
    ("  agentConnected == true  ", "AC"),
]


@pytest.mark.parametrize(("expression", "expected"), VALID)
def test_expression_selects_the_expected_instances(expression: str, expected: str) -> None:
    assert _selected(expression) == expected


INVALID = [
    "",
    "   ",
    "foo == bar",
    "AgentConnected == true",  # subjects are case-sensitive
    "attribute: == x",
    "attribute:bad@name exists",
    "runningTasksCount => 1",
    "runningTasksCount = 1",
    "runningTasksCount",
    "runningTasksCount ==",
    "attribute:stack in prod",
    "attribute:stack in []",
    "attribute:stack in [a, b",
    "attribute:stack in [a b]",
    "attribute:stack in [a,]",
    "attribute:stack == [a]",
    "attribute:stack === prod",
    "attribute:stack == 'prod",
    "(attribute:stack exists",
    "attribute:stack exists)",
    "()",
    "attribute:stack =~ '['",
    "attribute:stack =~ (t2|c5).*",  # parentheses in a value need quotes
    "attribute:stack =~ " + "a" * (MAX_PATTERN_LENGTH + 1),
    "registeredAt < 2018-13-01",
    "registeredAt < 18-06-2018",
    "registeredAt < 2018-06-18T22:28",
    "registeredAt < 2018-06-18T22:28:28.123Z",
    "registeredAt < 2018-06-18T22:28:28+25:00",
    "runningTasksCount > one",
    "runningTasksCount > 1.5",
    "runningTasksCount > 99999999999",
    "agentVersion >= 1.28.x",
    "agentConnected == yes",
    "agentConnected > true",  # ordering is not among agentConnected's operators
    "ec2InstanceId exists",
    "runningTasksCount in [1, 2]",
    "registeredAt =~ 2018.*",
    "attribute:stack exists foo",
    "attribute:stack == prod attribute:other exists",
    "attribute:stack exists and",
    "and attribute:stack exists",
    "not",
    "attribute:stack exists AND attribute:other exists",  # keywords are lower-case
    "attribute:stack exists or or attribute:other exists",
    "(" * (MAX_DEPTH + 1) + "attribute:stack exists" + ")" * (MAX_DEPTH + 1),
    "not " * (MAX_DEPTH + 1) + "attribute:stack exists",
]


@pytest.mark.parametrize("expression", INVALID)
def test_invalid_expression_is_refused_with_invalid_parameter_exception(expression: str) -> None:
    with pytest.raises(AwsError) as caught:
        parse(expression)
    assert caught.value.code == "InvalidParameterException"
    assert caught.value.message.startswith("Invalid cluster query expression")


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("", "Invalid cluster query expression: the expression is empty."),
        (
            "foo == bar",
            "Invalid cluster query expression at column 1: unknown subject 'foo'; expected agentConnected, "
            "agentVersion, attribute:<name>, ec2InstanceId, registeredAt, runningTasksCount or task:group.",
        ),
        (
            "runningTasksCount => 1",
            "Invalid cluster query expression at column 19: unknown operator '=>' after 'runningTasksCount'; "
            "expected ==, !=, >, >=, <, <=.",
        ),
        (
            "agentConnected > true",
            "Invalid cluster query expression at column 16: operator '>' is not valid for agentConnected; "
            "use ==, !=, in, !in, =~, !~.",
        ),
        (
            "runningTasksCount > one",
            "Invalid cluster query expression at column 21: invalid number 'one' for runningTasksCount; "
            "use a whole number.",
        ),
        (
            "(attribute:stack exists",
            "Invalid cluster query expression at column 24: expected ')' to close the '(' at column 1 but found "
            "the end of the expression.",
        ),
        ("attribute:stack in []", "Invalid cluster query expression at column 20: the list is empty."),
        (
            "attribute:stack exists foo",
            "Invalid cluster query expression at column 24: expected 'and', 'or' or the end of the expression "
            "but found 'foo'.",
        ),
    ],
)
def test_error_messages_name_the_problem_and_its_column(expression: str, message: str) -> None:
    with pytest.raises(AwsError) as caught:
        parse(expression)
    assert caught.value.message == message


def test_bad_regex_message_carries_the_regex_error() -> None:
    with pytest.raises(AwsError) as caught:
        parse("attribute:stack =~ '['")
    assert caught.value.message.startswith(
        "Invalid cluster query expression at column 20: invalid regular expression '['"
    )


# --- equality hints -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "hints"),
    [
        ("attribute:ecs.instance-type == c5.large and runningTasksCount > 1", {"ecs.instance-type": {"c5.large"}}),
        ("attribute:ecs.instance-type equals c5.large", {"ecs.instance-type": {"c5.large"}}),
        ("attribute:a in [x, y] and attribute:a == y", {"a": {"y"}}),
        ("attribute:a == x and attribute:a == y", {"a": set()}),  # nothing can match
        ("attribute:a == x and attribute:b in [1, 2]", {"a": {"x"}, "b": {"1", "2"}}),
        ("attribute:a == x or attribute:a in [y, z]", {"a": {"x", "y", "z"}}),
        ("attribute:a == x or runningTasksCount > 1", {}),
        ("attribute:a == x and (attribute:b == y or agentConnected == true)", {"a": {"x"}}),
        ("not(attribute:a == x)", {}),
        ("attribute:a != x", {}),
        ("attribute:a =~ x", {}),
        ("attribute:a exists", {}),
        ("task:group == x", {}),
    ],
)
def test_equality_hints(expression: str, hints: dict[str, set[str]]) -> None:
    assert parse(expression).equality_hints() == hints


def test_equality_hints_are_a_copy() -> None:
    query = parse("attribute:ecs.instance-type == c5.large")
    query.equality_hints()["ecs.instance-type"].add("t2.small")
    assert query.equality_hints() == {"ecs.instance-type": {"c5.large"}}


# --- the compiled query -------------------------------------------------------------------------


def test_parse_is_cached_and_the_query_is_immutable() -> None:
    query = parse("attribute:stack == prod")
    assert parse("attribute:stack == prod") is query
    assert query.expression == "attribute:stack == prod"
    with pytest.raises(dataclasses.FrozenInstanceError):
        query.expression = "runningTasksCount > 0"  # type: ignore[misc]
    assert query.filter([A, B, C]) == [A]


def test_any_object_with_the_facts_attributes_can_be_queried() -> None:
    class Record:
        def __init__(self) -> None:
            self.agent_connected = True
            self.agent_version = "1.68.2-dev"  # a suffix after the dotted numbers is ignored
            self.attributes = {"ecs.os-type": "linux"}
            self.ec2_instance_id = "i-1"
            self.registered_at = 0.0
            self.running_tasks_count = 0
            self.task_groups = frozenset({"service:web"})

    record: InstanceFacts = Record()
    assert parse("agentVersion > 1.68.1 and task:group == service:web").matches(record)
    assert parse("registeredAt == 1970-01-01").matches(record)


def test_an_unreadable_registration_time_or_agent_version_matches_no_comparison() -> None:
    odd = dataclasses.replace(A, registered_at=math.nan, agent_version="unknown")
    assert not parse("registeredAt < 2100-01-01").matches(odd)
    assert not parse("registeredAt != 2100-01-01").matches(odd)
    assert not parse("agentVersion != 1.0").matches(odd)
    assert parse("not(agentVersion == 1.0)").matches(odd)


# --- properties ---------------------------------------------------------------------------------

_FRAGMENTS = [
    "agentConnected", "agentVersion", "attribute:stack", "attribute:ecs.instance-type", "ec2InstanceId",
    "registeredAt", "runningTasksCount", "task:group", "==", "!=", ">", ">=", "<", "<=", "exists", "!exists",
    "in", "!in", "=~", "!~", "not_equals", "matches", "and", "or", "not", "&&", "||", "!", "(", ")", "[", "]",
    ",", "'", "prod", "t2.*", "1", "1.28.1", "2018-07-01", "true", "[prod, dev]", "(a|b)", "\\", "*",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(st.sampled_from(_FRAGMENTS), max_size=25).map(" ".join)))
def test_parse_is_total_and_evaluation_never_raises(text: str) -> None:
    try:
        query = parse(text)
    except AwsError as exc:
        assert exc.code == "InvalidParameterException"
        return
    for facts in INSTANCES.values():
        assert isinstance(query.matches(facts), bool)


# Generated expressions that are valid by construction, over instances drawn from small value pools
# so equalities hit.
_CONDITIONS = st.sampled_from(
    [
        "attribute:ecs.instance-type == t2.small",
        "attribute:ecs.instance-type in [t2.small, c5.large]",
        "attribute:ecs.instance-type =~ g2.*",
        "attribute:stack != prod",
        "attribute:stack == dev",
        "attribute:stack exists",
        "attribute:flag !exists",
        "agentConnected == true",
        "agentVersion >= 1.28.1",
        "agentVersion < 1.9.1",
        "ec2InstanceId in [i-1, i-2]",
        "registeredAt < 2018-07-01T00:00:00Z",
        "runningTasksCount > 1",
        "task:group == database",
        "task:group !in [database]",
    ]
)
_EXPRESSIONS = st.recursive(
    _CONDITIONS,
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"({a}) and ({b})", inner, inner),
        st.builds(lambda a, b: f"{a} || {b}", inner, inner),
        inner.map(lambda e: f"not({e})"),
    ),
    max_leaves=8,
)
_FACTS = st.builds(
    Facts,
    agent_connected=st.booleans(),
    agent_version=st.sampled_from([None, "1.9.0", "1.28.1", "1.68.2-dev", "garbage"]),
    attributes=st.fixed_dictionaries(
        {},
        optional={
            "ecs.instance-type": st.sampled_from(["t2.small", "c5.large", "g2.2xlarge"]),
            "stack": st.sampled_from(["prod", "dev", None]),
            "flag": st.none(),
        },
    ),
    ec2_instance_id=st.sampled_from(["i-1", "i-2", "i-3", ""]),
    registered_at=st.one_of(st.floats(0, 2e9), st.just(math.nan), st.just(math.inf)),
    running_tasks_count=st.integers(0, 4),
    task_groups=st.lists(st.sampled_from(["database", "service:web"]), max_size=2, unique=True),
)


@given(_EXPRESSIONS, _EXPRESSIONS, _FACTS)
def test_generated_expressions_compose_like_boolean_logic(left: str, right: str, facts: Facts) -> None:
    a, b = parse(left), parse(right)
    assert parse(f"not({left})").matches(facts) is (not a.matches(facts))
    assert parse(f"({left}) and ({right})").matches(facts) is (a.matches(facts) and b.matches(facts))
    assert parse(f"({left}) or ({right})").matches(facts) is (a.matches(facts) or b.matches(facts))


@given(_EXPRESSIONS, _FACTS)
def test_equality_hints_never_exclude_a_matching_instance(expression: str, facts: Facts) -> None:
    query: Query = parse(expression)
    if query.matches(facts):
        for name, values in query.equality_hints().items():
            assert facts.attributes.get(name) in values
