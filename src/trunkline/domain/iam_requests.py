"""The members that several IAM requests share, as the shared code reads them: a request shape
(`trunkline.wire.shapes.iam`) with these members, of these types, is accepted where one of these
is asked for (TypedDicts match by structure)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import iam as shapes


class Marked(TypedDict, total=False):
    """A list call's `Marker`/`MaxItems` paging."""

    Marker: str
    MaxItems: int


class PathPaged(Marked, total=False):
    """A list call that also narrows by `PathPrefix` (ListRoles, ListUsers, ...)."""

    PathPrefix: str


class Tagged(TypedDict, total=False):
    """A create call's `Tags`."""

    Tags: list[shapes.Tag]
