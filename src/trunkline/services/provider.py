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
    #: Operations with `ask_ahead` questions (issue 16: RunTask on PostgreSQL).
    asks_ahead: frozenset[str] = frozenset()

    def jobs(self) -> dict[str, JobHandler]:
        return {}

    def invoke(self, ctx: RequestContext, operation: str, params: Params, method: Operation) -> Params:
        """Run `method` (the provider's method for `operation`)."""
        return method(ctx, params)

    def ask_ahead(self, ctx: RequestContext, operation: str, params: Params) -> None:
        """Before the caller's credential is read, what `operation` is certain to read first, asked
        of the store (`Transaction.prefetch`) for `ctx`'s account: the key's most likely one, so
        on PostgreSQL these questions share the credential's round trip. Only reads; nothing by
        default."""
