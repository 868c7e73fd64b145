"""EC2 `Filter.N.Name` / `Filter.N.Value.M` matching, shared by every Describe call.

A resource matches when every filter matches; a filter matches when any of its values matches any
of the resource's values for that name. Values may use `*` and `?` wildcards, as in EC2 (no other
character is special). Like EC2, a call takes at most 200 filter values of at most 255 characters
(FilterLimitExceeded); wildcards run on RE2, in time linear in the value, and at most `CACHE_SIZE`
compiled patterns are kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import re2

from trunkline.errors import AwsError

Record = dict[str, Any]
Extractor = Callable[[Any], Iterable[Any]]  # a record (a TypedDict of records.py, or a dict) -> its values

MAX_VALUES = 200  # per call, over all filters (EC2's FilterLimitExceeded)
MAX_VALUE_LENGTH = 255
CACHE_SIZE = 512
_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
_OPTIONS.dot_nl = True  # `*` and `?` match any character, line breaks included


@lru_cache(maxsize=CACHE_SIZE)
def _pattern(value: str) -> Any:
    pieces = ("(?s:.*)" if c == "*" else "(?s:.)" if c == "?" else re.escape(c) for c in value)
    return re2.compile("".join(pieces), _OPTIONS)


def cached_patterns() -> int:
    return _pattern.cache_info().currsize


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _value_matches(wanted: str, actual: Any) -> bool:
    text = _text(actual)
    if "*" in wanted or "?" in wanted:
        return _pattern(wanted).fullmatch(text) is not None
    return wanted == text


def written_time(epoch: float) -> str:
    """A moment as EC2 writes it in answers (ISO 8601, milliseconds, Z): time filters match this
    text, so a value copied from an answer (or `2026-12-07T*`) finds the resource."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def tag_values(record: Mapping[str, Any], key: str) -> list[str]:
    return [t["Value"] for t in record.get("Tags", []) if t["Key"] == key]


def field(*path: str) -> Extractor:
    """The value at `path` in a record (nested keys), or none when any key is missing."""

    def extract(record: Any) -> list[Any]:
        value: Any = record
        for part in path:
            if not isinstance(value, dict) or part not in value:
                return []
            value = value[part]
        return [value]

    return extract


def check_filters(filters: Sequence[Mapping[str, Any]] | None, extractors: dict[str, Extractor]) -> None:
    """Refuse too many or too long values, then unknown filter names, before anything is read."""
    values = [v for f in filters or [] for v in f.get("Values") or []]
    if len(values) > MAX_VALUES:
        raise AwsError(
            "FilterLimitExceeded", f"The maximum number of filter values specified on a single call is {MAX_VALUES}"
        )
    if any(len(v) > MAX_VALUE_LENGTH for v in values):
        raise AwsError("FilterLimitExceeded", f"The maximum length for a filter value is {MAX_VALUE_LENGTH} characters")
    for f in filters or []:
        name = f.get("Name") or ""
        if not (name in extractors or name.startswith("tag:") or name == "tag-key"):
            raise AwsError("InvalidParameterValue", f"The filter '{name}' is invalid")


def matches(
    record: Mapping[str, Any], filters: Sequence[Mapping[str, Any]] | None, extractors: dict[str, Extractor]
) -> bool:
    for f in filters or []:
        name = f.get("Name") or ""
        wanted = f.get("Values") or []
        if name.startswith("tag:"):
            actual: Iterable[Any] = tag_values(record, name[4:])
        elif name == "tag-key":
            actual = [t["Key"] for t in record.get("Tags", [])]
        else:
            actual = extractors[name](record)
        actual = list(actual)
        if not any(_value_matches(w, a) for w in wanted for a in actual):
            return False
    return True


def filter_value(filters: Sequence[Mapping[str, Any]] | None, name: str) -> list[str] | None:
    """The values of filter `name` when it is exact (no wildcards), so a caller can use an index."""
    for f in filters or []:
        if f.get("Name") == name:
            values = f.get("Values") or []
            if all("*" not in v and "?" not in v for v in values):
                return list(values)
    return None
