"""The base class of every service provider (kept apart from `services/__init__.py`, which
builds the providers and so imports every service: a provider importing it would be a cycle)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trunkline.context import RequestContext
from trunkline.reconciler import JobHandler

Params = dict[str, Any]
#: A provider method: one AWS operation, given the context and the parsed parameters.
Operation = Callable[[RequestContext, Params], Params]


class Provider:
    """Base class: a provider lists the asynchronous jobs it schedules, by name, and may handle
    what all its operations share in `invoke` (EC2: DryRun and ClientToken)."""

    service: str = ""

    def jobs(self) -> dict[str, JobHandler]:
        return {}

    def invoke(self, ctx: RequestContext, operation: str, params: Params, method: Operation) -> Params:
        """Run `method` (the provider's method for `operation`)."""
        return method(ctx, params)
