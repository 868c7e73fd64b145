"""Service providers: one class per AWS service, one method per operation (named as botocore's
`xform_name` spells it, e.g. `run_task` for RunTask), taking a `RequestContext` and the parsed
parameters and returning the output shape as plain data.

A provider's module imports its whole domain, so providers are imported on first use
(`Providers`): `trunkline serve` prints its ready line without waiting for all of them."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from trunkline.context import RequestContext
from trunkline.reconciler import JobHandler
from trunkline.services.provider import Provider

#: service -> (module, class) of its provider.
_PROVIDERS: dict[str, tuple[str, str]] = {
    "autoscaling": ("trunkline.services.autoscaling", "AutoScalingProvider"),
    "ec2": ("trunkline.services.ec2", "Ec2Provider"),
    "ecs": ("trunkline.services.ecs", "EcsProvider"),
    "iam": ("trunkline.services.iam", "IamProvider"),
    "logs": ("trunkline.services.logs", "LogsProvider"),
    "ssm": ("trunkline.services.ssm", "SsmProvider"),
    "sts": ("trunkline.services.sts", "StsProvider"),
}


class Providers(Mapping[str, Provider]):
    """Every service's provider by service name, each imported and built when first asked for."""

    def __init__(self) -> None:
        self._built: dict[str, Provider] = {}

    def __getitem__(self, service: str) -> Provider:
        provider = self._built.get(service)
        if provider is None:
            module, name = _PROVIDERS[service]  # KeyError: no such service, as a dict would say
            provider = self._built.setdefault(service, getattr(importlib.import_module(module), name)())
        return provider

    def __iter__(self) -> Iterator[str]:
        return iter(_PROVIDERS)

    def __len__(self) -> int:
        return len(_PROVIDERS)

    def load_all(self) -> None:
        for service in _PROVIDERS:
            self[service]


class JobHandlers(Mapping[str, JobHandler]):
    """Every provider's asynchronous jobs by name, for the reconciler: collected (importing every
    provider) when the first job runs. With `horizon` (a real clock's now), each job's context
    says when it runs (`RequestContext.horizon`)."""

    def __init__(self, providers: Providers, horizon: Callable[[], float] | None = None) -> None:
        self._providers = providers
        self._horizon = horizon
        self._handlers: dict[str, JobHandler] | None = None

    def _all(self) -> dict[str, JobHandler]:
        if self._handlers is None:
            handlers: dict[str, JobHandler] = {}
            for provider in self._providers.values():
                handlers.update(provider.jobs())
            horizon = self._horizon
            if horizon is not None:
                handlers = {name: _at_horizon(handler, horizon) for name, handler in handlers.items()}
            self._handlers = handlers
        return self._handlers

    def __getitem__(self, name: str) -> JobHandler:
        return self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def _at_horizon(handler: JobHandler, horizon: Callable[[], float]) -> JobHandler:
    def run(ctx: RequestContext, payload: dict[str, Any]) -> None:
        ctx.horizon = horizon()
        handler(ctx, payload)

    return run


def build_providers() -> dict[str, Any]:
    """Every provider, built now."""
    return dict(Providers())
