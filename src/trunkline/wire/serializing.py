"""Plain Python results -> response bodies, shaped by the operation's output model.

The inverse of botocore's response parsers: awsJson1_1 bodies, query-protocol XML with its
`resultWrapper` and `ResponseMetadata`, and EC2 XML with `requestId` and `<item>` lists.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

log = logging.getLogger("trunkline.wire")

#: A result key the output shape lacks is a bug (a misspelt member would vanish silently). With
#: TRUNKLINE_STRICT_OUTPUT=1 (the test suite sets it) it is refused, so the call fails and the
#: test with it; otherwise it is logged and dropped. Keys starting with `_` are the records'
#: private bookkeeping fields, dropped without a word. (Read when a key is unknown, not at import:
#: the pytest plugin imports trunkline before a conftest can set it.)
STRICT_VARIABLE = "TRUNKLINE_STRICT_OUTPUT"


class UnknownOutputMember(ValueError):
    """A result carried a key its output shape does not have (strict mode)."""


def _unknown(shape: StructureShape, name: str) -> None:
    if name.startswith("_"):
        return
    if os.environ.get(STRICT_VARIABLE) == "1":
        raise UnknownOutputMember(f"output shape {shape.name} has no member {name!r}")
    log.warning("output shape %s has no member %r: dropped", shape.name, name)


# Characters XML 1.0 cannot carry at all, even escaped (lone surrogates cannot even be encoded).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    value = _XML_INVALID.sub("\ufffd", value)
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\r", "&#13;")  # a raw CR reaches the client as LF: XML parsers normalise line ends


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromtimestamp(float(value), UTC)


# --- JSON ----------------------------------------------------------------------------------------


def json_body(operation: OperationModel, result: dict[str, Any]) -> bytes:
    shape = operation.output_shape
    out = _json_value(result, shape) if shape is not None else {}
    return json.dumps(out, separators=(",", ":")).encode()


def _json_value(value: Any, shape: Shape) -> Any:
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        members = _members(shape)
        out = {}
        for name, item in value.items():
            if name not in members:
                _unknown(shape, name)
            elif item is not None:
                out[name] = _json_value(item, members[name][0])
        return out
    if kind == "list":
        assert isinstance(shape, ListShape)
        return [_json_value(item, shape.member) for item in value]
    if kind == "map":
        assert isinstance(shape, MapShape)
        return {key: _json_value(item, shape.value) for key, item in value.items()}
    if kind == "timestamp":
        return _as_datetime(value).timestamp()
    if kind == "blob":
        return base64.b64encode(value).decode()
    return value


# --- query and EC2 (XML) -------------------------------------------------------------------------


def query_body(operation: OperationModel, result: dict[str, Any], request_id: str, namespace: str) -> bytes:
    name = operation.name
    shape = operation.output_shape
    parts = [f'<{name}Response xmlns="{namespace}">']
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", f"{name}Result")
        parts.append(f"<{wrapper}>")
        _xml_members(result, shape, parts, iso_millis=False)
        parts.append(f"</{wrapper}>")
    parts.append(f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{name}Response>")
    return "".join(parts).encode()


def ec2_body(operation: OperationModel, result: dict[str, Any], request_id: str, namespace: str) -> bytes:
    name = operation.name
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<{name}Response xmlns="{namespace}/">']
    parts.append(f"<requestId>{request_id}</requestId>")
    if operation.output_shape is not None:
        _xml_members(result, operation.output_shape, parts, iso_millis=True)
    parts.append(f"</{name}Response>")
    return "".join(parts).encode()


@cache
def _members(shape: StructureShape) -> dict[str, tuple[Shape, str, bool]]:
    """Member name -> (shape, wire name, flattened), computed once per shape. Serialising walks the
    members a value has rather than every member of the shape: large shapes (Instance, Task) have
    dozens of members and a record fills few of them. Keys a shape lacks (internal `_` fields) are
    skipped."""
    return {
        name: (
            member,
            member.serialization.get("name", name),
            member.type_name in ("list", "map") and bool(member.serialization.get("flattened")),
        )
        for name, member in shape.members.items()
    }


def _xml_members(value: dict[str, Any], shape: StructureShape, parts: list[str], iso_millis: bool) -> None:
    members = _members(shape)
    for name, item in value.items():
        if name not in members:
            _unknown(shape, name)
            continue
        if item is None:
            continue
        member, tag, flattened = members[name]
        if flattened:
            _xml_flattened(item, member, tag, parts, iso_millis)
        else:
            _xml_element(item, member, tag, parts, iso_millis)


def _xml_flattened(value: Any, shape: Shape, tag: str, parts: list[str], iso_millis: bool) -> None:
    if isinstance(shape, ListShape):
        for item in value:
            _xml_element(item, shape.member, tag, parts, iso_millis)
    elif isinstance(shape, MapShape):
        for key, item in value.items():
            parts.append(f"<{tag}>")
            _xml_element(key, shape.key, shape.key.serialization.get("name", "key"), parts, iso_millis)
            _xml_element(item, shape.value, shape.value.serialization.get("name", "value"), parts, iso_millis)
            parts.append(f"</{tag}>")


def _xml_element(value: Any, shape: Shape, tag: str, parts: list[str], iso_millis: bool) -> None:
    parts.append(f"<{tag}>")
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        _xml_members(value, shape, parts, iso_millis)
    elif kind == "list":
        assert isinstance(shape, ListShape)
        item_tag = shape.member.serialization.get("name", "member")
        for item in value:
            _xml_element(item, shape.member, item_tag, parts, iso_millis)
    elif kind == "map":
        assert isinstance(shape, MapShape)
        for key, item in value.items():
            parts.append("<entry>")
            _xml_element(key, shape.key, shape.key.serialization.get("name", "key"), parts, iso_millis)
            _xml_element(item, shape.value, shape.value.serialization.get("name", "value"), parts, iso_millis)
            parts.append("</entry>")
    else:
        parts.append(xml_text(_xml_scalar(value, kind, iso_millis)))
    parts.append(f"</{tag}>")


def _xml_scalar(value: Any, kind: str, iso_millis: bool) -> str:
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        moment = _as_datetime(value).astimezone(UTC)
        # Not strftime: its %Y drops the leading zeros of years before 1000 on some platforms.
        text = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment:%H:%M:%S}"
        return f"{text}.{moment.microsecond // 1000:03d}Z" if iso_millis else f"{text}Z"
    if kind == "blob":
        return base64.b64encode(value).decode()
    return str(value)
