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
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any

import orjson
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
# Whatever `xml_text` would change: most values (ids, names, states) have none of it.
_XML_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    if _XML_SPECIAL.search(value) is None:
        return value
    value = _XML_INVALID.sub("\ufffd", value)
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\r", "&#13;")  # a raw CR reaches the client as LF: XML parsers normalise line ends


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromtimestamp(float(value), UTC)


# --- JSON ----------------------------------------------------------------------------------------

# Kinds whose values go into a JSON body as they are (no conversion, nothing nested to check).
_JSON_AS_IS = frozenset({"string", "integer", "long", "boolean", "float", "double"})


def json_body(operation: OperationModel, result: dict[str, Any]) -> bytes:
    shape = operation.output_shape
    out = _json_value(result, shape) if shape is not None else {}
    return _json_bytes(out)


def _json_bytes(out: Any) -> bytes:
    """The body, as `json.dumps(out, separators=(",", ":"))` writes it, by orjson (several times
    faster). The standard library writes what orjson cannot (integers beyond 64 bits, lone
    surrogates) and any non-ASCII text, so those bytes stay `\\u`-escaped as before. Doubles are
    the one difference in spelling: orjson writes 1e-05 as 0.00001, the same number to any parser."""
    try:
        body = orjson.dumps(out)
    except TypeError:  # orjson.JSONEncodeError is one
        return json.dumps(out, separators=(",", ":")).encode()
    return body if body.isascii() else json.dumps(out, separators=(",", ":")).encode()


# A shape's values as the JSON body carries them: timestamps as epoch seconds, blobs in base64,
# members the shape lacks refused or dropped (`_unknown`). One converter per shape, made once:
# DescribeTasks and RunTask answers convert thousands of values, and asking each value's shape
# for its kind and members again was most of their serialising.
Convert = Callable[[Any], Any]
_NO_MEMBER = object()


def _json_value(value: Any, shape: Shape) -> Any:
    convert = _json_converter(shape)
    return value if convert is None else convert(value)


@cache
def _json_converter(shape: Shape) -> Convert | None:
    """How to convert a value of `shape`; None: it goes out as it is."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        return _structure_converter(shape)
    if kind == "list":
        assert isinstance(shape, ListShape)
        member = shape.member
        if member.type_name in _JSON_AS_IS:
            return list
        return lambda value: _list_of(value, _json_converter(member))
    if kind == "map":
        assert isinstance(shape, MapShape)
        entry = shape.value
        return lambda value: _map_of(value, _json_converter(entry))
    if kind == "timestamp":
        return _json_timestamp
    if kind == "blob":
        return lambda value: base64.b64encode(value).decode()
    return None


def _list_of(value: Any, each: Convert | None) -> list[Any]:
    return list(value) if each is None else [each(item) for item in value]


def _map_of(value: Any, each: Convert | None) -> dict[Any, Any]:
    return dict(value.items()) if each is None else {key: each(item) for key, item in value.items()}


def _structure_converter(shape: StructureShape) -> Convert:
    members: dict[str, Any] | None = None  # name -> its converter, or None: as it is

    def convert(value: Any) -> Any:
        nonlocal members
        if members is None:  # made when first needed: a shape may contain itself
            members = {name: _json_converter(member) for name, member in shape.members.items()}
        out = {}
        for name, item in value.items():
            found = members.get(name, _NO_MEMBER)
            if found is _NO_MEMBER:
                _unknown(shape, name)
            elif item is not None:
                out[name] = item if found is None else found(item)
        return out

    return convert


@lru_cache(maxsize=4096)  # an answer repeats its moments (a launch's tasks, their steps)
def _json_timestamp(value: Any) -> float:
    return _as_datetime(value).timestamp()


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


# Serialising walks the members a value has rather than every member of the shape: large shapes
# (Instance, Task) have dozens of members and a record fills few of them. Each member's writer
# (its tags, its kind's formatting) is made once per shape: a DescribeInstances answer writes
# thousands of elements, and working out each element's tag and kind again was most of its cost.
Writer = Callable[[Any, list[str]], None]
# A member's (opening tag, closing tag, writer): no writer for text, numbers included, which the
# members' loop writes itself (most elements are text).
Member = tuple[str, str, Writer | None]


@cache
def _xml_writers(shape: StructureShape, iso_millis: bool) -> dict[str, Member]:
    """Member name -> how to write it (a flattened list or map without a wrapper element)."""
    writers: dict[str, Member] = {}
    for name, member in shape.members.items():
        tag = member.serialization.get("name", name)
        if member.type_name in ("list", "map") and member.serialization.get("flattened"):
            writers[name] = ("", "", _flattened_writer(member, tag, iso_millis))
        elif member.type_name in _XML_COMPOSITE:
            writers[name] = ("", "", _element_writer(member, tag, iso_millis))
        else:
            writers[name] = (f"<{tag}>", f"</{tag}>", None)
    return writers


def _xml_members(value: dict[str, Any], shape: StructureShape, parts: list[str], iso_millis: bool) -> None:
    _write_members(value, shape, _xml_writers(shape, iso_millis), parts)


def _write_members(value: dict[str, Any], shape: StructureShape, writers: dict[str, Member], parts: list[str]) -> None:
    for name, item in value.items():
        found = writers.get(name)
        if found is None:
            _unknown(shape, name)
        elif item is None:
            continue
        elif found[2] is not None:
            found[2](item, parts)
        elif type(item) is str:
            parts.append(found[0] + (item if _XML_SPECIAL.search(item) is None else xml_text(item)) + found[1])
        else:
            parts.append(found[0] + _text(item) + found[1])


_XML_COMPOSITE = frozenset({"structure", "list", "map", "boolean", "timestamp", "blob"})
_PLAIN = (int, float, bool)


def _text(value: Any) -> str:
    """A value of a text or number member: numbers need no escaping; anything else (a string, or a
    value of another type in a string member) does."""
    text = str(value)
    return text if type(value) in _PLAIN else xml_text(text)


def _flattened_writer(shape: Shape, tag: str, iso_millis: bool) -> Writer:
    if isinstance(shape, ListShape):
        item = _element_writer(shape.member, tag, iso_millis)

        def write_items(value: Any, parts: list[str]) -> None:
            for each in value:
                item(each, parts)

        return write_items
    assert isinstance(shape, MapShape)
    entry = _entry_writer(shape, f"<{tag}>", f"</{tag}>", iso_millis)

    def write_entries(value: Any, parts: list[str]) -> None:
        for key, each in value.items():
            entry(key, each, parts)

    return write_entries


def _entry_writer(
    shape: MapShape, opening: str, closing: str, iso_millis: bool
) -> Callable[[Any, Any, list[str]], None]:
    key = _element_writer(shape.key, shape.key.serialization.get("name", "key"), iso_millis)
    item = _element_writer(shape.value, shape.value.serialization.get("name", "value"), iso_millis)

    def write(name: Any, value: Any, parts: list[str]) -> None:
        parts.append(opening)
        key(name, parts)
        item(value, parts)
        parts.append(closing)

    return write


def _element_writer(shape: Shape, tag: str, iso_millis: bool) -> Writer:
    """`<tag>value</tag>` for one value of `shape`."""
    opening, closing = f"<{tag}>", f"</{tag}>"
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        members: dict[str, Member] | None = None

        def write_structure(value: Any, parts: list[str]) -> None:
            nonlocal members
            if members is None:  # the shape's writers when first needed: a shape may contain itself
                members = _xml_writers(shape, iso_millis)
            parts.append(opening)
            _write_members(value, shape, members, parts)
            parts.append(closing)

        return write_structure
    if kind == "list":
        assert isinstance(shape, ListShape)
        item = _element_writer(shape.member, shape.member.serialization.get("name", "member"), iso_millis)

        def write_list(value: Any, parts: list[str]) -> None:
            parts.append(opening)
            for each in value:
                item(each, parts)
            parts.append(closing)

        return write_list
    if kind == "map":
        assert isinstance(shape, MapShape)
        entry = _entry_writer(shape, "<entry>", "</entry>", iso_millis)

        def write_map(value: Any, parts: list[str]) -> None:
            parts.append(opening)
            for key, each in value.items():
                entry(key, each, parts)
            parts.append(closing)

        return write_map
    if kind == "boolean":
        yes, no = f"{opening}true{closing}", f"{opening}false{closing}"
        return lambda value, parts: parts.append(yes if value else no)
    if kind in ("timestamp", "blob"):
        return lambda value, parts: parts.append(opening + xml_text(_xml_scalar(value, kind, iso_millis)) + closing)
    return lambda value, parts: parts.append(opening + _text(value) + closing)


def _xml_scalar(value: Any, kind: str, iso_millis: bool) -> str:
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        return _xml_timestamp(value, iso_millis)
    if kind == "blob":
        return base64.b64encode(value).decode()
    return str(value)


@lru_cache(maxsize=4096)  # an answer repeats its moments (a launch's instances, their attachments)
def _xml_timestamp(value: Any, iso_millis: bool) -> str:
    moment = _as_datetime(value).astimezone(UTC)
    # Not strftime: its %Y drops the leading zeros of years before 1000 on some platforms.
    text = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment:%H:%M:%S}"
    return f"{text}.{moment.microsecond // 1000:03d}Z" if iso_millis else f"{text}Z"
