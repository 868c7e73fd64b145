"""The ECS cluster query language: ListContainerInstances `filter` and `memberOf` placement constraints.

An expression is parsed once into an immutable `Query` (parses are cached, because one filter or
constraint is evaluated against every instance of a cluster) and then matched against instances.

Grammar (subjects, operators and keywords are case-sensitive, spelled as the ECS guide spells them):

    expression  := disjunction
    disjunction := conjunction (("||" | "or") conjunction)*
    conjunction := negation (("&&" | "and") negation)*
    negation    := ("!" | "not") negation | "(" disjunction ")" | condition
    condition   := subject operator [argument]       -- exists and !exists take no argument
    argument    := value | "[" value ("," value)* "]"  -- the list form only for in and !in
    value       := 'text' | "text" | bare-text

So `not` binds tighter than `and`, which binds tighter than `or`. Quoted values are taken literally
(no escapes); bare values end at whitespace, a bracket, a parenthesis, a comma, a quote, && or ||.

Semantics: a subject reads zero or more values from an instance (task:group reads one per task
group; a name-only attribute is present with no value). A positive operator matches when some value
satisfies it. A negated one (!=, !in, !~) matches when the subject is present and no value satisfies
the positive form: `attribute:stack != prod` lists the instances that have a `stack` attribute other
than prod, as the guide describes, while `not(attribute:stack == prod)` also lists those without it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NoReturn, Protocol

import re2

from trunkline.errors import AwsError

ERROR_CODE = "InvalidParameterException"

# Bounds that keep one expression's cost small: nesting is parsed recursively, and Python's re
# compiles patterns (RE2 matches in linear time), so absurdly deep groups or long patterns are refused.
MAX_DEPTH = 50
MAX_PATTERN_LENGTH = 512
_CACHE_SIZE = 1024
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a bad pattern is the client's error, answered, not logged

_PUNCTUATION = "()[],"
_QUOTES = "'\""
_OPERATOR_CHARS = "=!<>~&|"
# Word operators and keywords must be followed by one of these (or whitespace, or the end).
_BOUNDARY = "()[]'\""

_ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_./\\-]{1,128}")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2}):([0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?)?")
_VERSION = re.compile(r"[0-9]{1,18}(?:\.[0-9]{1,18})*")
_INTEGER = re.compile(r"[+-]?[0-9]{1,10}")
_INT32 = range(-(2**31), 2**31)
# Java writes named groups (?<name>...); Python spells them (?P<name>...). Skip escaped parentheses.
_JAVA_NAMED_GROUP = re.compile(r"(?<!\\)((?:\\\\)*)\(\?<(?=[A-Za-z])")

_DATE_FORMATS = "2018-06-18T22:28:28+00:00, 2018-06-18T22:28:28Z, 2018-06-18T22:28:28 or 2018-06-18"
_SUBJECTS_HELP = (
    "agentConnected, agentVersion, attribute:<name>, ec2InstanceId, registeredAt, runningTasksCount or task:group"
)

# Every spelling -> its canonical (symbolic) operator.
_OPERATORS = {
    "==": "==",
    "equals": "==",
    "!=": "!=",
    "not_equals": "!=",
    ">": ">",
    "greater_than": ">",
    ">=": ">=",
    "greater_than_equal": ">=",
    "<": "<",
    "less_than": "<",
    "<=": "<=",
    "less_than_equal": "<=",
    "exists": "exists",
    "!exists": "!exists",
    "not_exists": "!exists",
    "in": "in",
    "!in": "!in",
    "not_in": "!in",
    "=~": "=~",
    "matches": "=~",
    "!~": "!~",
    "not_matches": "!~",
}
# Longest first, so `>=` is tried before `>` and `!exists` before `!=`.
_OPERATOR_SPELLINGS = sorted(_OPERATORS, key=len, reverse=True)
_CANONICAL_ORDER = ("==", "!=", ">", ">=", "<", "<=", "exists", "!exists", "in", "!in", "=~", "!~")
_NEGATED = {"!=": "==", "!in": "in", "!~": "=~"}


class InstanceFacts(Protocol):
    """What a query can see of a container instance."""

    @property
    def agent_connected(self) -> bool: ...

    @property
    def agent_version(self) -> str | None: ...

    @property
    def attributes(self) -> Mapping[str, str | None]: ...  # None: a name-only attribute

    @property
    def ec2_instance_id(self) -> str: ...

    @property
    def registered_at(self) -> float: ...  # epoch seconds

    @property
    def running_tasks_count(self) -> int: ...

    @property
    def task_groups(self) -> Collection[str]: ...  # the groups of the tasks running on the instance


@dataclass(frozen=True, slots=True)
class Facts:
    """A plain InstanceFacts, for callers that do not already hold an object of that shape."""

    agent_connected: bool
    agent_version: str | None
    attributes: Mapping[str, str | None]
    ec2_instance_id: str
    registered_at: float
    running_tasks_count: int
    task_groups: Collection[str] = ()


# --- subjects -------------------------------------------------------------------------------------

Reading = tuple[bool, tuple[Any, ...]]  # (is the subject present, its values)


@dataclass(frozen=True, slots=True)
class _Kind:
    name: str
    operators: frozenset[str]
    convert: Callable[[str], Any]  # argument text -> comparable value; ValueError(reason) if invalid
    read: Callable[[InstanceFacts, str], Reading]  # (facts, attribute name) -> reading


def _quoted(text: str, limit: int = 64) -> str:
    return f"'{text}'" if len(text) <= limit else f"'{text[:limit]}...'"


def _boolean(raw: str) -> str:
    value = raw.lower()
    if value not in ("true", "false"):
        raise ValueError(f"invalid value {_quoted(raw)} for agentConnected; use true or false")
    return value


def _version_key(text: str) -> tuple[int, ...]:
    """Dotted numbers compared numerically, with trailing zeros dropped so 1.28 == 1.28.0."""
    parts = [int(p) for p in text.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _version(raw: str) -> tuple[int, ...]:
    if not _VERSION.fullmatch(raw):
        raise ValueError(f"invalid version {_quoted(raw)} for agentVersion; use dotted numbers such as 1.28.1")
    return _version_key(raw)


def _epoch_seconds(found: re.Match[str]) -> int:
    year, month, day = int(found[1]), int(found[2]), int(found[3])
    hour, minute, second = (int(found[i]) if found[i] else 0 for i in (4, 5, 6))
    zone = found[7]
    offset = 0
    if zone and zone != "Z":
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 23 or minutes > 59:
            raise ValueError(zone)
        offset = (hours * 60 + minutes) * 60 * (1 if zone[0] == "+" else -1)
    moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    return int(moment.timestamp()) - offset


def _date(raw: str) -> int:
    found = _DATE.fullmatch(raw)
    try:
        if found:
            return _epoch_seconds(found)
    except ValueError:
        pass  # a well-shaped but impossible date, e.g. month 13
    raise ValueError(f"invalid date {_quoted(raw)} for registeredAt; use {_DATE_FORMATS}")


def _count(raw: str) -> int:
    if _INTEGER.fullmatch(raw) and int(raw) in _INT32:
        return int(raw)
    raise ValueError(f"invalid number {_quoted(raw)} for runningTasksCount; use a whole number")


def _text(raw: str) -> str:
    return raw


def _read_connected(facts: InstanceFacts, _: str) -> Reading:
    return True, ("true" if facts.agent_connected else "false",)


@lru_cache(maxsize=256)
def _reported_version(text: str) -> tuple[int, ...] | None:
    """The comparable form of an agent's reported version (a cluster runs few distinct versions).
    An agent may report e.g. "1.68.2-dev": the leading dotted numbers are its version."""
    found = _VERSION.match(text.strip())
    return _version_key(found[0]) if found else None


def _read_version(facts: InstanceFacts, _: str) -> Reading:
    key = _reported_version(facts.agent_version) if facts.agent_version else None
    return (True, (key,)) if key is not None else (False, ())


def _read_instance_id(facts: InstanceFacts, _: str) -> Reading:
    return (True, (facts.ec2_instance_id,)) if facts.ec2_instance_id else (False, ())


def _read_registered(facts: InstanceFacts, _: str) -> Reading:
    # Expressions name whole seconds, so compare the registration second: `== ...T22:28:28Z` holds
    # for an instance registered at 22:28:28.750.
    moment = facts.registered_at
    return (True, (math.floor(moment),)) if math.isfinite(moment) else (False, ())


def _read_count(facts: InstanceFacts, _: str) -> Reading:
    return True, (facts.running_tasks_count,)


def _read_attribute(facts: InstanceFacts, name: str) -> Reading:
    attributes = facts.attributes
    if name not in attributes:
        return False, ()
    value = attributes[name]
    return True, (() if value is None else (value,))


def _read_groups(facts: InstanceFacts, _: str) -> Reading:
    groups = tuple(facts.task_groups)
    return bool(groups), groups


_ALL = frozenset(_CANONICAL_ORDER)
_EQUALITY = frozenset({"==", "!=", "in", "!in", "=~", "!~"})
_ORDERING = frozenset({"==", "!=", ">", ">=", "<", "<="})

# The operator lists are the ones the guide gives per subject; it gives none for attributes and
# task groups, which therefore take every operator (ordering compares strings).
_KINDS = {
    "agentConnected": _Kind("agentConnected", _EQUALITY, _boolean, _read_connected),
    "agentVersion": _Kind("agentVersion", _ORDERING, _version, _read_version),
    "ec2InstanceId": _Kind("ec2InstanceId", _EQUALITY, _text, _read_instance_id),
    "registeredAt": _Kind("registeredAt", _ORDERING, _date, _read_registered),
    "runningTasksCount": _Kind("runningTasksCount", _ORDERING, _count, _read_count),
    "task:group": _Kind("task:group", _ALL, _text, _read_groups),
}
_ATTRIBUTE = _Kind("attribute", _ALL, _text, _read_attribute)


# --- the compiled tree ------------------------------------------------------------------------------

Hints = dict[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class _Condition:
    kind: _Kind
    name: str  # the attribute name; "" for other subjects
    test: Callable[[Any], bool] | None  # the positive form's test of one value; None for exists
    negated: bool
    hint: frozenset[str] | None  # the values `attribute:name` must equal, when the condition says so

    def matches(self, facts: InstanceFacts) -> bool:
        present, values = self.kind.read(facts, self.name)
        if self.test is None:
            return present != self.negated
        hit = any(self.test(v) for v in values)
        return present and not hit if self.negated else hit

    def hints(self) -> Hints:
        return {self.name: self.hint} if self.hint is not None else {}


@dataclass(frozen=True, slots=True)
class _And:
    parts: tuple[_Node, ...]

    def matches(self, facts: InstanceFacts) -> bool:
        return all(p.matches(facts) for p in self.parts)

    def hints(self) -> Hints:
        # Every conjunct must hold, so each name's allowed values are the intersection.
        merged: Hints = {}
        for part in self.parts:
            for name, values in part.hints().items():
                merged[name] = merged[name] & values if name in merged else values
        return merged


@dataclass(frozen=True, slots=True)
class _Or:
    parts: tuple[_Node, ...]

    def matches(self, facts: InstanceFacts) -> bool:
        return any(p.matches(facts) for p in self.parts)

    def hints(self) -> Hints:
        # Only a name every branch constrains is constrained, to the union of the branches' values.
        branches = [p.hints() for p in self.parts]
        common = set(branches[0]).intersection(*branches[1:])
        return {name: frozenset().union(*(b[name] for b in branches)) for name in common}


@dataclass(frozen=True, slots=True)
class _Not:
    part: _Node

    def matches(self, facts: InstanceFacts) -> bool:
        return not self.part.matches(facts)

    def hints(self) -> Hints:
        return {}


_Node = _Condition | _And | _Or | _Not


@dataclass(frozen=True, eq=False)
class Query:
    """A parsed expression; immutable and safe to share between threads."""

    expression: str
    _root: _Node = field(repr=False)
    _hints: tuple[tuple[str, frozenset[str]], ...] = field(repr=False)

    def matches(self, instance: InstanceFacts) -> bool:
        return self._root.matches(instance)

    def filter(self, instances: Iterable[InstanceFacts]) -> list[InstanceFacts]:
        return [i for i in instances if self._root.matches(i)]

    def equality_hints(self) -> dict[str, set[str]]:
        """Attribute values any matching instance must have: {name: allowed values}.

        A necessary condition for an index lookup, not a replacement for `matches`. A name missing
        from the result is unconstrained; an empty set means no instance can match.
        """
        return {name: set(values) for name, values in self._hints}


def parse(expression: str) -> Query:
    """The compiled query, or AwsError(InvalidParameterException) saying what is wrong and where."""
    return _compile(expression)


@lru_cache(maxsize=_CACHE_SIZE)
def _compile(expression: str) -> Query:
    root = _Parser(expression).expression()
    return Query(expression, root, tuple(sorted(root.hints().items())))


# --- the parser -------------------------------------------------------------------------------------


def _operator_list(kind: _Kind) -> str:
    return ", ".join(op for op in _CANONICAL_ORDER if op in kind.operators)


def _pattern(raw: str) -> Any:
    """The pattern on RE2: matching takes time linear in the value, so no pattern can stall the
    server (Python's `re` backtracks: `(a+)+` over 28 `a`s and a `-` took 9 s). RE2 has no
    backreferences or lookaround; such a pattern is refused as invalid (docs/decisions.md)."""
    if len(raw) > MAX_PATTERN_LENGTH:
        raise ValueError(f"the regular expression is longer than {MAX_PATTERN_LENGTH} characters")
    try:
        return re2.compile(_JAVA_NAMED_GROUP.sub(r"\1(?P<", raw), _RE2_OPTIONS)
    except (re2.error, RecursionError, OverflowError, ValueError, TypeError) as exc:
        reason = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else exc
        raise ValueError(f"invalid regular expression {_quoted(raw)}: {reason}") from None


def _positive_test(operator: str, argument: Any) -> Callable[[Any], bool]:
    if operator == "==":
        return lambda v: bool(v == argument)
    if operator == "in":
        return argument.__contains__
    if operator == "=~":
        return lambda v: argument.fullmatch(v) is not None
    if operator == ">":
        return lambda v: bool(v > argument)
    if operator == ">=":
        return lambda v: bool(v >= argument)
    if operator == "<":
        return lambda v: bool(v < argument)
    return lambda v: bool(v <= argument)


class _Parser:
    """Recursive descent over the raw text; each rule reads the tokens it expects, so the characters
    allowed in a subject, an operator or a value can differ (`g2.*` and `service:web` are values)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    # -- cursor helpers

    def fail(self, detail: str, at: int | None = None) -> NoReturn:
        column = (self.pos if at is None else at) + 1
        raise AwsError(ERROR_CODE, f"Invalid cluster query expression at column {column}: {detail}.")

    def skip(self) -> int:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1
        return self.pos

    def at_end(self) -> bool:
        return self.skip() >= len(self.text)

    def run(self, stop: str) -> str:
        """The characters from the cursor up to whitespace or a character in `stop`, consumed."""
        start = self.pos
        while self.pos < len(self.text) and not self.text[self.pos].isspace() and self.text[self.pos] not in stop:
            self.pos += 1
        return self.text[start : self.pos]

    def found(self) -> str:
        """What the cursor is on, for messages."""
        if self.at_end():
            return "the end of the expression"
        if self.text[self.pos] in _PUNCTUATION:
            return f"'{self.text[self.pos]}'"
        start = self.pos
        token = self.run(_PUNCTUATION)
        self.pos = start
        return _quoted(token, 40)

    def take(self, word: str) -> bool:
        """Consume `word` if it is next; a word ending in a letter must end at a boundary."""
        self.skip()
        if not self.text.startswith(word, self.pos):
            return False
        end = self.pos + len(word)
        if word[-1].isalpha() and end < len(self.text):
            following = self.text[end]
            if not (following.isspace() or following in _BOUNDARY):
                return False
        self.pos = end
        return True

    def enter(self, at: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"parentheses and negations nest more than {MAX_DEPTH} deep", at)

    # -- boolean structure

    def expression(self) -> _Node:
        if self.at_end():
            raise AwsError(ERROR_CODE, "Invalid cluster query expression: the expression is empty.")
        node = self.disjunction()
        if not self.at_end():
            if self.text[self.pos] == ")":
                self.fail("')' has no matching '('")
            self.fail(f"expected 'and', 'or' or the end of the expression but found {self.found()}")
        return node

    def disjunction(self) -> _Node:
        parts = [self.conjunction()]
        while self.take("||") or self.take("or"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else _Or(tuple(parts))

    def conjunction(self) -> _Node:
        parts = [self.negation()]
        while self.take("&&") or self.take("and"):
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else _And(tuple(parts))

    def negation(self) -> _Node:
        start = self.skip()
        if self.take("!") or self.take("not"):
            self.enter(start)
            node: _Node = _Not(self.negation())
        elif self.take("("):
            self.enter(start)
            node = self.disjunction()
            if not self.take(")"):
                self.fail(f"expected ')' to close the '(' at column {start + 1} but found {self.found()}")
        else:
            return self.condition()
        self.depth -= 1
        return node

    # -- one condition

    def condition(self) -> _Node:
        start = self.skip()
        subject = self.run(_PUNCTUATION + _QUOTES + _OPERATOR_CHARS)
        if not subject:
            self.fail(f"expected a condition, '(' or 'not' but found {self.found()}")
        kind, name = self.subject(subject, start)
        spelling, operator = self.operator(kind, subject)
        if operator in ("exists", "!exists"):
            return _Condition(kind, name, None, operator == "!exists", None)
        if operator in ("in", "!in"):
            values = self.list_argument(spelling)
            argument: Any = frozenset(self.convert(kind, raw, at) for raw, at in values)
        else:
            raw, at = self.scalar_argument(spelling)
            argument = self.convert_pattern(raw, at) if operator in ("=~", "!~") else self.convert(kind, raw, at)
        positive = _NEGATED.get(operator, operator)
        hint = None
        if kind is _ATTRIBUTE and operator in ("==", "in"):
            hint = frozenset(argument) if operator == "in" else frozenset({argument})
        return _Condition(kind, name, _positive_test(positive, argument), operator in _NEGATED, hint)

    def subject(self, subject: str, at: int) -> tuple[_Kind, str]:
        if subject.startswith("attribute:"):
            name = subject[len("attribute:") :]
            if not name:
                self.fail("'attribute:' needs an attribute name, such as attribute:ecs.instance-type", at)
            if not _ATTRIBUTE_NAME.fullmatch(name):
                self.fail(
                    f"invalid attribute name {_quoted(name)}; a name has 1 to 128 letters, digits, hyphens, "
                    "underscores, periods, forward slashes or back slashes",
                    at,
                )
            return _ATTRIBUTE, name
        if subject in _KINDS:
            return _KINDS[subject], ""
        self.fail(f"unknown subject {_quoted(subject)}; expected {_SUBJECTS_HELP}", at)

    def operator(self, kind: _Kind, subject: str) -> tuple[str, str]:
        at = self.skip()
        spelling = next((s for s in _OPERATOR_SPELLINGS if self.take(s)), None)
        if spelling is None:
            if self.at_end():
                self.fail(f"{_quoted(subject)} needs an operator ({_operator_list(kind)})")
            self.fail(f"unknown operator {self.found()} after {_quoted(subject)}; expected {_operator_list(kind)}")
        operator = _OPERATORS[spelling]
        if operator not in kind.operators:
            self.fail(f"operator '{spelling}' is not valid for {kind.name}; use {_operator_list(kind)}", at)
        return spelling, operator

    def list_argument(self, spelling: str) -> list[tuple[str, int]]:
        start = self.skip()
        if not self.take("["):
            self.fail(f"operator '{spelling}' needs a list such as [a, b] but found {self.found()}")
        values: list[tuple[str, int]] = []
        while True:
            if not values and self.take("]"):
                self.fail("the list is empty", start)
            values.append(self.value("a list item"))
            if self.take(","):
                continue
            if self.take("]"):
                return values
            if self.at_end():
                self.fail(f"the list opened at column {start + 1} has no closing ']'")
            self.fail(f"expected ',' or ']' in the list but found {self.found()}")

    def scalar_argument(self, spelling: str) -> tuple[str, int]:
        self.skip()
        if self.text.startswith("[", self.pos):
            self.fail(f"operator '{spelling}' takes one value, not a list; use in or !in for lists")
        return self.value(f"an argument for '{spelling}'")

    def value(self, what: str) -> tuple[str, int]:
        """A quoted or bare value and the position it starts at."""
        at = self.skip()
        if self.at_end():
            self.fail(f"missing {what}")
        first = self.text[at]
        if first in _QUOTES:
            end = self.text.find(first, at + 1)
            if end < 0:
                self.fail(f"the quoted value has no closing {first}", at)
            self.pos = end + 1
            return self.text[at + 1 : end], at
        if first in _PUNCTUATION:
            self.fail(f"missing {what}; found '{first}' (quote a value that contains ( ) [ ] or ,)")
        if first in _OPERATOR_CHARS:
            self.fail(f"{what} cannot start with {first!r} unless quoted; found {self.found()}")
        while self.pos < len(self.text) and not self.bare_value_ends():
            self.pos += 1
        return self.text[at : self.pos], at

    def bare_value_ends(self) -> bool:
        char = self.text[self.pos]
        if char.isspace() or char in _PUNCTUATION or char in _QUOTES:
            return True
        return self.text.startswith(("&&", "||"), self.pos)

    def convert(self, kind: _Kind, raw: str, at: int) -> Any:
        try:
            return kind.convert(raw)
        except ValueError as exc:
            self.fail(str(exc), at)

    def convert_pattern(self, raw: str, at: int) -> Any:
        try:
            return _pattern(raw)
        except ValueError as exc:
            self.fail(str(exc), at)
