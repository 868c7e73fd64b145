"""Modules imported when first used, so that `trunkline serve` prints its ready line without
waiting for every domain module (benchmarks/README.md, "Where the start-up goes").

    agent = LateModule("trunkline.domain.ecs.agent")
    agent.on_running          # a function that imports the module and calls its on_running

`warm_up()` imports every such module and resolves every function named so far; the server runs
it right after its ready line, so requests rarely wait for an import, and a misspelt name fails
at start-up rather than in the request that needs it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, ClassVar


class LateModule:
    every: ClassVar[list[LateModule]] = []
    named: ClassVar[list[tuple[LateModule, str]]] = []

    def __init__(self, module: str) -> None:
        self.module = module
        LateModule.every.append(self)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("__"):
            raise AttributeError(name)
        found: list[Callable[..., Any]] = []

        def call(*args: Any, **kwargs: Any) -> Any:
            if not found:
                found.append(self.resolve(name))
            return found[0](*args, **kwargs)

        call.__qualname__ = call.__name__ = f"{self.module}.{name}"
        setattr(self, name, call)  # later reads find it in the instance, without coming here
        LateModule.named.append((self, name))
        return call

    def resolve(self, name: str) -> Callable[..., Any]:
        function: Callable[..., Any] = getattr(importlib.import_module(self.module), name)
        return function


def warm_up() -> None:
    """Import every late module and resolve every function named so far."""
    for late in LateModule.every:
        importlib.import_module(late.module)
    for late, name in LateModule.named:
        late.resolve(name)
