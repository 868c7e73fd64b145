"""Check parsed parameters against the constraints in the input shape (required, lengths, ranges,
patterns, enums). Problems are collected, then phrased by `errors.validation_error` in the style of
the service that was called."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from trunkline.errors import ValidationProblem

#: Enum values AWS accepts although the model's enum lacks them (see docs/decisions.md).
EXTRA_ENUM_VALUES: dict[str, frozenset[str]] = {
    "SettingName": frozenset({"dualStackIPv6"}),
    # EC2's DescribeAccountAttributes documents six names; the model's enum has two of them.
    "AccountAttributeName": frozenset(
        {"max-instances", "max-elastic-ips", "vpc-max-elastic-ips", "vpc-max-security-groups-per-interface"}
    ),
}

#: Enums AWS does not check as enums: EC2 looks instance types up in its own catalog (and the
#: model's list lags behind it), answering with its own errors (e.g. InvalidInstanceType).
UNCHECKED_ENUMS = frozenset({"InstanceType"})


Matcher = Callable[[str], bool]


@cache
def _matcher(pattern: str) -> Matcher | None:
    """A full-match test for a model pattern (written for Java's regex engine); None when it
    cannot be reproduced, and the constraint is then not checked. Java's `\\w`, `\\d` and `\\s` are
    ASCII classes, Python's match any script (IAM's `[\\w+=,.@-]+` took the name "é"): re.ASCII."""
    try:
        compiled = re.compile(pattern, re.DOTALL | re.ASCII)
    except re.error:
        return _category_class(pattern)
    return lambda value: compiled.fullmatch(value) is not None


_CLASS_TOKEN = re.compile(r"\\p\{([A-Z])\}|\\(.)|(.)", re.DOTALL)


def _category_class(pattern: str) -> Matcher | None:
    """Java's Unicode categories (`\\p{L}`, ...), which Python's `re` lacks, in the one form the
    models use them (tag keys and values): one character class, repeated, e.g.
    `^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$`. Checked character by character, so the cost is linear."""
    core = pattern[1:-1] if pattern.startswith("^") and pattern.endswith("$") else pattern
    core = core[1:-1] if core.startswith("(") and core.endswith(")") else core
    shape = re.fullmatch(r"\[([^\]]*)\]([*+])", core, re.DOTALL)
    if shape is None:
        return None
    categories: set[str] = set()
    literals: set[str] = set()
    for category, escaped, plain in _CLASS_TOKEN.findall(shape.group(1)):
        if plain in ("-", "^", "[") or escaped.isalnum():
            return None  # a range, a negation or a shorthand class (`\\w`): not the simple form
        if category:
            categories.add(category)
        else:
            literals.add(escaped or plain)
    minimum = 1 if shape.group(2) == "+" else 0

    def matches(value: str) -> bool:
        return len(value) >= minimum and all(c in literals or unicodedata.category(c)[0] in categories for c in value)

    return matches


def validate(params: dict[str, Any], shape: StructureShape | None) -> list[ValidationProblem]:
    problems: list[ValidationProblem] = []
    if shape is not None:
        _structure(params, shape, "", problems)
    return problems


def _display(path: str, name: str) -> str:
    name = name[:1].lower() + name[1:]
    return f"{path}.{name}" if path else name


def _structure(value: dict[str, Any], shape: StructureShape, path: str, problems: list[ValidationProblem]) -> None:
    for name in shape.required_members:
        if value.get(name) is None:
            problems.append(ValidationProblem(_display(path, name), "missing", "Member must not be null", None))
    for name, member in shape.members.items():
        if value.get(name) is not None:
            _value(value[name], member, _display(path, name), problems)


def _value(value: Any, shape: Shape, path: str, problems: list[ValidationProblem]) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        _structure(value, shape, path, problems)
        return
    if kind == "list":
        assert isinstance(shape, ListShape)
        _length(len(value), meta, path, value, problems)
        for i, item in enumerate(value):
            _item(item, shape.member, f"{path}.{i + 1}.member", problems)
        return
    if kind == "map":
        assert isinstance(shape, MapShape)
        _length(len(value), meta, path, value, problems)
        for key, item in value.items():
            _value(key, shape.key, f"{path}.{key}.key", problems)
            _item(item, shape.value, f"{path}.{key}.value", problems)
        return
    if kind == "string":
        _string(value, shape, path, problems)
    elif kind in ("integer", "long", "float", "double"):
        _range(value, meta, path, problems)


def _item(value: Any, shape: Shape, path: str, problems: list[ValidationProblem]) -> None:
    """A list member or map value: JSON lets a client send `null` there, which no AWS shape allows
    (a null structure member is an absent one, but a list has no absent items)."""
    if value is None:
        problems.append(ValidationProblem(path, "missing", "Member must not be null", None))
    else:
        _value(value, shape, path, problems)


#: U+0000 in any string: no AWS identifier or name holds it, and PostgreSQL's text cannot (docs/decisions.md).
NUL_CONSTRAINT = "Member must not contain the NUL character (U+0000)"


def _string(value: str, shape: Shape, path: str, problems: list[ValidationProblem]) -> None:
    meta = shape.metadata
    if "\x00" in value:
        problems.append(ValidationProblem(path, "nul", NUL_CONSTRAINT, value))
        return
    _length(len(value), meta, path, value, problems)
    pattern = meta.get("pattern")
    if pattern:
        matches = _matcher(pattern)
        if matches is not None and not matches(value):
            problems.append(
                ValidationProblem(path, "pattern", f"Member must satisfy regular expression pattern: {pattern}", value)
            )
    enum = shape.enum
    unchecked = shape.name in UNCHECKED_ENUMS
    if enum and not unchecked and value not in enum and value not in EXTRA_ENUM_VALUES.get(shape.name, ()):
        problems.append(
            ValidationProblem(path, "enum", f"Member must satisfy enum value set: [{', '.join(enum)}]", value)
        )


def _length(length: int, meta: dict[str, Any], path: str, value: object, problems: list[ValidationProblem]) -> None:
    if "min" in meta and length < meta["min"]:
        problems.append(
            ValidationProblem(path, "length", f"Member must have length greater than or equal to {meta['min']}", value)
        )
    if "max" in meta and length > meta["max"]:
        problems.append(
            ValidationProblem(path, "length", f"Member must have length less than or equal to {meta['max']}", value)
        )


def _range(value: float, meta: dict[str, Any], path: str, problems: list[ValidationProblem]) -> None:
    limits = (meta.get("min"), meta.get("max"))
    if "min" in meta and value < meta["min"]:
        constraint = f"Member must have value greater than or equal to {meta['min']}"
        problems.append(ValidationProblem(path, "range", constraint, value, limits))
    if "max" in meta and value > meta["max"]:
        constraint = f"Member must have value less than or equal to {meta['max']}"
        problems.append(ValidationProblem(path, "range", constraint, value, limits))
