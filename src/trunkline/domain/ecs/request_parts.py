"""The members that several ECS requests share, as the shared code reads them: each request shape
(`trunkline.wire.shapes.ecs`) that has these members, with these types, is accepted where one of
these is asked for (TypedDicts match by structure)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes


class Paged(TypedDict, total=False):
    """A list call's paging members (ListTasks, ListContainerInstances, ListAttributes, ...)."""

    maxResults: int
    nextToken: str


class StrategyChoice(TypedDict, total=False):
    """How RunTask, CreateService and UpdateService choose between a launch type and providers."""

    capacityProviderStrategy: list[shapes.CapacityProviderStrategyItem]
    launchType: str
