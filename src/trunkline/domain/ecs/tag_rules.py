"""The rules every ECS tag list follows: at most 50 tags of the user's own per resource, keys
beginning with `aws:` reserved for ECS (not counted), and how new tags merge into a list."""

from __future__ import annotations

from trunkline.errors import AwsError

Tag = dict[str, str]

MAX_TAGS = 50
RESERVED_PREFIX = "aws:"


def is_reserved(key: str) -> bool:
    return key.lower().startswith(RESERVED_PREFIX)


def user_tag_count(tags: list[Tag]) -> int:
    return sum(1 for tag in tags if not is_reserved(tag["key"]))


def check_limit(tags: list[Tag]) -> None:
    """Refuse a list with more than MAX_TAGS tags of the user's own (decided text, docs/decisions.md)."""
    if user_tag_count(tags) > MAX_TAGS:
        raise AwsError(
            "InvalidParameterException",
            f"The number of tags on the resource exceeds the maximum allowed ({MAX_TAGS}).",
        )


def merged(current: list[Tag], given: list[Tag]) -> list[Tag]:
    """`current` with `given` applied: a given key replaces that key's value in place, new keys go last."""
    values = {tag["key"]: tag.get("value", "") for tag in given}
    result = [{"key": t["key"], "value": values.pop(t["key"], t.get("value", ""))} for t in current]
    result.extend({"key": key, "value": value} for key, value in values.items())
    return result
