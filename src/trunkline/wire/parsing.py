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
from datetime import UTC, datetime
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from trunkline.errors import AwsError, ValidationProblem

Params = dict[str, Any]

_INTEGER_TYPES = ("integer", "long")
_FLOAT_TYPES = ("float", "double")


class _Problems(list[ValidationProblem]):
    def type_error(self, path: str, shape: Shape, value: object) -> None:
        self.append(ValidationProblem(path, "type", f"Member must be of type {shape.type_name}", value))


def _parse_timestamp(value: object) -> datetime | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or abs(value) > 253402300799:
            return None
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            return _parse_timestamp(float(value))
        except ValueError:
            pass
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


# --- JSON protocol -----------------------------------------------------------------------------


def parse_json_body(body: bytes, shape: StructureShape | None) -> tuple[Params, list[ValidationProblem]]:
    """Decode an awsJson1_1 request body; garbage is a `SerializationException` as AWS answers."""
    if not body.strip():
        raw: object = {}
    else:
        try:
            raw = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise AwsError("SerializationException", "Start of structure or map found where not expected.") from None
    if not isinstance(raw, dict):
        raise AwsError("SerializationException", "Start of structure or map found where not expected.")
    problems = _Problems()
    if shape is None:
        return {}, problems
    return _json_structure(raw, shape, "", problems), problems


def _json_value(value: object, shape: Shape, path: str, problems: _Problems) -> Any:
    kind = shape.type_name
    if value is None:
        return None
    if kind == "structure":
        if not isinstance(value, dict):
            problems.type_error(path, shape, value)
            return None
        assert isinstance(shape, StructureShape)
        return _json_structure(value, shape, path, problems)
    if kind == "list":
        if not isinstance(value, list):
            problems.type_error(path, shape, value)
            return None
        assert isinstance(shape, ListShape)
        return [_json_value(item, shape.member, f"{path}.{i + 1}", problems) for i, item in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            problems.type_error(path, shape, value)
            return None
        assert isinstance(shape, MapShape)
        return {str(k): _json_value(v, shape.value, f"{path}.{k}", problems) for k, v in value.items()}
    if kind == "string":
        if not isinstance(value, str):
            problems.type_error(path, shape, value)
            return None
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            problems.type_error(path, shape, value)
            return None
        return value
    if kind in _INTEGER_TYPES:
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 2**63:
            problems.type_error(path, shape, value)
            return None
        return value
    if kind in _FLOAT_TYPES:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.type_error(path, shape, value)
            return None
        return float(value)
    if kind == "timestamp":
        parsed = _parse_timestamp(value)
        if parsed is None:
            problems.type_error(path, shape, value)
        return parsed
    if kind == "blob":
        try:
            return (
                base64.b64decode(value, validate=True) if isinstance(value, str) else _bad(problems, path, shape, value)
            )
        except (binascii.Error, ValueError):
            problems.type_error(path, shape, value)
            return None
    return value


def _bad(problems: _Problems, path: str, shape: Shape, value: object) -> None:
    problems.type_error(path, shape, value)
    return None


def _json_structure(raw: dict[str, Any], shape: StructureShape, path: str, problems: _Problems) -> Params:
    out: Params = {}
    for name, member in shape.members.items():
        if name in raw:
            parsed = _json_value(raw[name], member, _join(path, name), problems)
            if parsed is not None:
                out[name] = parsed
    return out


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


# --- query and EC2 protocols --------------------------------------------------------------------


def _form_tree(form: dict[str, str]) -> dict[str, Any]:
    """`Filter.1.Value.2=x` -> {"Filter": {"1": {"Value": {"2": "x"}}}}; a key that is both a leaf
    and a branch keeps the branch (such input is malformed and the leaf is ignored)."""
    tree: dict[str, Any] = {}
    for key, value in form.items():
        node = tree
        parts = key.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        if not isinstance(node.get(parts[-1]), dict):
            node[parts[-1]] = value
    return tree


def parse_query_form(
    form: dict[str, str], shape: StructureShape | None, ec2: bool
) -> tuple[Params, list[ValidationProblem]]:
    problems = _Problems()
    if shape is None:
        return {}, problems
    tree = _form_tree({k: v for k, v in form.items() if k not in ("Action", "Version")})
    return _query_structure(tree, shape, "", problems, ec2), problems


def _query_name(name: str, member: Shape, ec2: bool) -> str:
    if ec2:
        if "queryName" in member.serialization:
            return str(member.serialization["queryName"])
        location = member.serialization.get("name")
        if location:
            return str(location[0].upper() + location[1:])
        return name
    return str(member.serialization.get("name", name))


def _query_structure(node: object, shape: StructureShape, path: str, problems: _Problems, ec2: bool) -> Params:
    out: Params = {}
    if not isinstance(node, dict):
        problems.type_error(path, shape, node)
        return out
    for name, member in shape.members.items():
        key = _query_name(name, member, ec2)
        if key in node:
            parsed = _query_value(node[key], member, _join(path, name), problems, ec2)
            if parsed is not None:
                out[name] = parsed
    return out


def _indexed(node: object) -> list[Any] | None:
    """Items of a `.1`, `.2`, ... node in index order; None if the node is not such a list."""
    if not isinstance(node, dict):
        return None
    try:
        indexes = sorted((int(k), k) for k in node)
    except ValueError:
        return None
    if any(i < 1 for i, _ in indexes):
        return None
    return [node[k] for _, k in indexes]


def _query_value(node: object, shape: Shape, path: str, problems: _Problems, ec2: bool) -> Any:
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        return _query_structure(node, shape, path, problems, ec2)
    if kind == "list":
        assert isinstance(shape, ListShape)
        if node == "":
            return []  # `Name=` is how botocore's query serializer sends an empty list
        if isinstance(node, dict) and not ec2 and not shape.serialization.get("flattened"):
            node = node.get("member", {})
        items = _indexed(node)
        if items is None:
            problems.type_error(path, shape, node)
            return None
        return [_query_value(item, shape.member, f"{path}.{i + 1}", problems, ec2) for i, item in enumerate(items)]
    if kind == "map":
        assert isinstance(shape, MapShape)
        if isinstance(node, dict) and not shape.serialization.get("flattened"):
            node = node.get("entry", {})
        entries = _indexed(node)
        if entries is None:
            problems.type_error(path, shape, node)
            return None
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        out = {}
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get(key_name), str):
                out[entry[key_name]] = _query_value(
                    entry.get(value_name), shape.value, f"{path}.{entry[key_name]}", problems, ec2
                )
        return out
    if not isinstance(node, str):
        if node is None:
            return None
        problems.type_error(path, shape, node)
        return None
    return _query_scalar(node, shape, path, problems)


def _query_scalar(text: str, shape: Shape, path: str, problems: _Problems) -> Any:
    kind = shape.type_name
    if kind == "string":
        return text
    if kind == "boolean":
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
    elif kind in _INTEGER_TYPES:
        try:
            number = int(text)
        except ValueError:
            pass
        else:
            if abs(number) < 2**63:
                return number
    elif kind in _FLOAT_TYPES:
        try:
            return float(text)
        except ValueError:
            pass
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
