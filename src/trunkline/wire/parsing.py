"""Request bodies -> plain Python parameters, shaped by the operation's input model.

Both directions of a protocol are driven by botocore shapes: here the inverse of botocore's
serializers (JSON bodies, query and EC2 forms). Values that do not fit their shape's type become
`ValidationProblem`s of kind "type"; constraint checks (lengths, patterns, ...) live in validation.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from datetime import UTC, datetime
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from trunkline.errors import AwsError, ValidationProblem

Params = dict[str, Any]

_INTEGER_TYPES = ("integer", "long")


def _fits_integer(value: int, kind: str) -> bool:
    """botocore's `integer` is 32 bits and `long` 64, as the services read them: EC2 takes no
    DeviceIndex of 99999999999, ECS no container memory of 2**62."""
    bound = 2**31 if kind == "integer" else 2**63
    return -bound <= value < bound


_FLOAT_TYPES = ("float", "double")


class _Problems(list[ValidationProblem]):
    def type_error(self, path: str, shape: Shape, value: object) -> None:
        self.append(ValidationProblem(path, "type", f"Member must be of type {shape.type_name}", value))

    def json_type_error(self, path: str, shape: Shape, value: object) -> None:
        """A JSON value that does not fit its shape, worded as Coral's JSON reader words it."""
        self.append(ValidationProblem(path, "type", _coral_type_message(shape, value), value))


# Observed on real Coral JSON services (EventBridge Scheduler, SES v2): a number or a boolean given
# for a string is "NUMBER_VALUE / TRUE_VALUE can not be converted to a String", an object or array
# "Start of structure or map found where not expected.", a scalar for a list "Expected list or null",
# a string for a structure "Expected null". Other pairs follow the same pattern (inferred).
_JAVA_TYPES = {
    "string": "a String",
    "integer": "an Integer",
    "long": "a Long",
    "boolean": "a Boolean",
    "float": "a Float",
    "double": "a Double",
    "timestamp": "a Date",
    "blob": "a ByteBuffer",
}


def _coral_type_message(shape: Shape, value: object) -> str:
    kind = shape.type_name
    if kind == "list":
        return "Expected list or null"
    if kind == "map":
        return "Expected map or null"
    if kind == "structure":
        return "Expected null"
    if isinstance(value, (dict, list)):
        return "Start of structure or map found where not expected."
    if isinstance(value, bool):
        token = "TRUE_VALUE" if value else "FALSE_VALUE"
    else:
        token = "NUMBER_VALUE" if isinstance(value, (int, float)) else "STRING_VALUE"
    return f"{token} can not be converted to {_JAVA_TYPES.get(kind, 'a ' + kind)}"


_EPOCH_RANGE = (-62135596800, 253402300799)  # 0001-01-01 .. 9999-12-31T23:59:59Z: what datetime can hold


def _parse_timestamp(value: object) -> datetime | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or not _EPOCH_RANGE[0] <= value <= _EPOCH_RANGE[1]:
            return None
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        if _FLOAT_TEXT.fullmatch(value):
            return _parse_timestamp(float(value))
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


# --- JSON protocol -----------------------------------------------------------------------------


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Only SSM's aggregator shapes recurse; no real request nests this deep, and a bound keeps the
# parse (and validation after it) far from Python's recursion limit.
_MAX_DEPTH = 64


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: Python accepts them, JSON (and AWS) do not


def parse_json_body(body: bytes, shape: StructureShape | None) -> tuple[Params, list[ValidationProblem]]:
    """Decode an awsJson1_1 request body; garbage is a `SerializationException` as AWS answers."""
    if not body.strip():
        raw: object = {}
    else:
        try:
            raw = json.loads(body, parse_constant=_no_constants)
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser's stack
            raise AwsError("SerializationException", "Start of structure or map found where not expected.") from None
    if not isinstance(raw, dict):
        raise AwsError("SerializationException", "Start of structure or map found where not expected.")
    problems = _Problems()
    if shape is None:
        return {}, problems
    return _json_structure(raw, shape, "", problems, 0), problems


def _json_value(value: object, shape: Shape, path: str, problems: _Problems, depth: int) -> Any:
    if value is None:
        return None
    if depth > _MAX_DEPTH:
        raise AwsError("SerializationException", "Maximum nesting depth of the request exceeded.")
    if shape.type_name in ("structure", "list", "map"):
        return _json_container(value, shape, path, problems, depth)
    if isinstance(value, str) and _LONE_SURROGATE.search(value):
        # `"\ud800"` decodes in Python but is no Unicode text: nothing could store it.
        problems.append(ValidationProblem(path, "type", _NOT_UNICODE, value))
        return None
    parsed = _json_scalar(value, shape.type_name)
    if parsed is _INVALID:
        problems.json_type_error(path, shape, value)
        return None
    return parsed


_NOT_UNICODE = "Invalid JSON string: a lone surrogate escape is not a Unicode character."
_INVALID = object()


def _json_container(value: object, shape: Shape, path: str, problems: _Problems, depth: int) -> Any:
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        return _json_structure(value, shape, path, problems, depth + 1)
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_json_value(item, shape.member, f"{path}.{i + 1}", problems, depth + 1) for i, item in enumerate(value)]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        if any(_LONE_SURROGATE.search(key) for key in value):
            problems.append(ValidationProblem(path, "type", _NOT_UNICODE, value))
            return None
        return {k: _json_value(v, shape.value, f"{path}.{k}", problems, depth + 1) for k, v in value.items()}
    problems.json_type_error(path, shape, value)
    return None


def _json_scalar(value: object, kind: str) -> Any:
    """The value for a scalar shape, or `_INVALID`."""
    if kind == "string":
        return value if isinstance(value, str) else _INVALID
    if kind == "boolean":
        return value if isinstance(value, bool) else _INVALID
    if isinstance(value, bool):  # a bool is an int to Python, never a number, date or blob to JSON
        return _INVALID
    if kind in _INTEGER_TYPES:
        return value if isinstance(value, int) and _fits_integer(value, kind) else _INVALID
    if kind in _FLOAT_TYPES:
        return float(value) if isinstance(value, (int, float)) and _finite(value) else _INVALID
    if kind == "timestamp":
        parsed = _parse_timestamp(value)
        return _INVALID if parsed is None else parsed
    if kind == "blob":
        if not isinstance(value, str):
            return _INVALID
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return _INVALID
    return value


def _finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def _json_structure(raw: dict[str, Any], shape: StructureShape, path: str, problems: _Problems, depth: int) -> Params:
    out: Params = {}
    for name, member in shape.members.items():
        if name in raw:
            parsed = _json_value(raw[name], member, _join(path, name), problems, depth)
            if parsed is not None:
                out[name] = parsed
    return out


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


# --- query and EC2 protocols --------------------------------------------------------------------

#: Form parameters that sign or route a request rather than carry input (SigV4 presigned, SigV2).
_ENVELOPE = frozenset(
    {
        "Action",
        "Version",
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
        "X-Amz-Security-Token",
        "AWSAccessKeyId",
        "SignatureMethod",
        "SignatureVersion",
        "Signature",
        "Timestamp",
        "Expires",
        "SecurityToken",
    }
)
_INDEX = re.compile(r"[0-9]{1,9}")  # list positions; AWS clients count from 1


class _Node:
    """One dotted segment of a form key: its own value (`A=x`) and its children (`A.B=y`) may
    both be present; which of them the shape wants decides what is used."""

    __slots__ = ("children", "order", "used", "value")

    def __init__(self, order: int) -> None:
        self.value: str | None = None
        self.children: dict[str, _Node] = {}
        self.order = order  # position of the first form key through this node: errors name the earliest
        self.used = False


def _form_tree(form: dict[str, str]) -> _Node:
    """`Filter.1.Value.2=x` -> root -> "Filter" -> "1" -> "Value" -> "2" (value "x")."""
    root = _Node(0)
    for order, (key, value) in enumerate(form.items()):
        node = root
        for part in key.split("."):
            child = node.children.get(part)
            if child is None:
                child = node.children[part] = _Node(order)
            node = child
        node.value = value
    return root


def parse_query_form(
    form: dict[str, str], shape: StructureShape | None, ec2: bool
) -> tuple[Params, list[ValidationProblem]]:
    """Decode a query or EC2 form. For EC2, a parameter the shape does not know is an
    `UnknownParameter` problem naming its first unrecognised segment, as EC2 answers."""
    problems = _Problems()
    tree = _form_tree({k: v for k, v in form.items() if k not in _ENVELOPE})
    params = _query_structure(tree, shape, "", problems, ec2) if shape is not None else {}
    if ec2:
        unknown = _first_unused(tree)
        if unknown is not None:
            problems.insert(
                0, ValidationProblem(unknown, "unknown", f"The parameter {unknown} is not recognized", None)
            )
    return params, problems


def _first_unused(root: _Node) -> str | None:
    """The segment of the earliest form key that no member consumed, if any."""
    found: tuple[int, str] | None = None
    stack = [(name, child) for name, child in root.children.items()]
    while stack:
        name, node = stack.pop()
        if not node.used:
            if found is None or node.order < found[0]:
                found = (node.order, name)
            continue
        stack.extend(node.children.items())
    return None if found is None else found[1]


def _query_name(name: str, member: Shape, ec2: bool) -> str:
    if ec2:
        if "queryName" in member.serialization:
            return str(member.serialization["queryName"])
        location = member.serialization.get("name")
        if location:
            return str(location[0].upper() + location[1:])
        return name
    return str(member.serialization.get("name", name))


def _query_structure(node: _Node, shape: StructureShape, path: str, problems: _Problems, ec2: bool) -> Params:
    out: Params = {}
    node.used = True  # a known name, even with a value of the wrong kind: that is a bad value, not unknown
    if not node.children and node.value is not None:
        problems.type_error(path, shape, node.value)
        return out
    for name, member in shape.members.items():
        child = node.children.get(_query_name(name, member, ec2))
        if child is not None:
            parsed = _query_value(child, member, _join(path, name), problems, ec2)
            if parsed is not None:
                out[name] = parsed
    return out


def _indexed(node: _Node, ec2: bool) -> list[_Node] | None:
    """Children `1`, `2`, ... in index order (gaps allowed). Any other child makes the query
    protocol's list malformed (None); EC2 leaves it unused, so it is reported as unknown."""
    indexes = sorted((int(k), k) for k in node.children if _INDEX.fullmatch(k) and int(k) >= 1)
    if len(indexes) != len(node.children) and not ec2:
        return None
    node.used = True  # for a wrapped list, the `member` node
    return [node.children[k] for _, k in indexes]


def _query_value(node: _Node, shape: Shape, path: str, problems: _Problems, ec2: bool) -> Any:
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        return _query_structure(node, shape, path, problems, ec2)
    if kind in ("list", "map"):
        return _query_collection(node, shape, path, problems, ec2)
    node.used = True  # known, even when misused: EC2 then names the unknown segment below it
    if node.value is None:
        problems.type_error(path, shape, _describe(node))
        return None
    return _query_scalar(node.value, shape, path, problems)


def _query_collection(node: _Node, shape: Shape, path: str, problems: _Problems, ec2: bool) -> Any:
    node.used = True
    if not node.children:
        if node.value == "":
            return [] if shape.type_name == "list" else {}  # `Name=`: botocore's way to send an empty list
        problems.type_error(path, shape, node.value)
        return None
    inner: _Node | None = node
    if not (ec2 or shape.serialization.get("flattened")):
        inner = node.children.get("member" if shape.type_name == "list" else "entry")
    items = _indexed(inner, ec2) if inner is not None else None
    if items is None:
        problems.type_error(path, shape, _describe(node))
        return None
    if isinstance(shape, ListShape):
        return [_query_value(item, shape.member, f"{path}.{i + 1}", problems, ec2) for i, item in enumerate(items)]
    assert isinstance(shape, MapShape)
    key_name = shape.key.serialization.get("name", "key")
    value_name = shape.value.serialization.get("name", "value")
    out = {}
    for entry in items:
        key_node, value_node = entry.children.get(key_name), entry.children.get(value_name)
        if key_node is None or key_node.value is None:
            problems.type_error(f"{path}.key", shape.key, None)
            continue
        entry.used = key_node.used = True
        key = key_node.value
        out[key] = (
            _query_value(value_node, shape.value, f"{path}.{key}", problems, ec2) if value_node is not None else None
        )
    return out


def _describe(node: _Node) -> str:
    """A short text for a malformed container node, for error messages."""
    return node.value if node.value is not None else "{" + ", ".join(sorted(node.children)[:5]) + "}"


_INTEGER_TEXT = re.compile(r"[+-]?[0-9]{1,19}")
_FLOAT_TEXT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def _query_scalar(text: str, shape: Shape, path: str, problems: _Problems) -> Any:
    kind = shape.type_name
    if kind == "string":
        return text
    if kind == "boolean":
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
    elif kind in _INTEGER_TYPES:
        if _INTEGER_TEXT.fullmatch(text) and _fits_integer(int(text), kind):
            return int(text)
    elif kind in _FLOAT_TYPES:
        if _FLOAT_TEXT.fullmatch(text) and math.isfinite(float(text)):
            return float(text)
    elif kind == "timestamp":
        parsed = _parse_timestamp(text)
        if parsed is not None:
            return parsed
    elif kind == "blob":
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            pass
    problems.type_error(path, shape, text)
    return None
