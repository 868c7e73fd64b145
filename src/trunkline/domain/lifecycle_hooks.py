"""EC2 instance lifecycle hooks: how other services learn that an instance reached a state.

EC2 calls `notify` when an instance becomes `running`, `stopped` or `terminated`, inside the
transaction of that transition; every listener runs there too, so whatever it changes commits (or
rolls back) with the transition itself. EC2 imports only this module, never ECS: ECS subscribes
its listeners (the simulated agent, automatic deregistration) when its provider is built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trunkline.context import RequestContext

RUNNING = "running"
STOPPED = "stopped"
TERMINATED = "terminated"
EVENTS = (RUNNING, STOPPED, TERMINATED)

#: A listener gets the transition's context and the EC2 instance record, as just saved.
Listener = Callable[[RequestContext, dict[str, Any]], None]

_listeners: dict[str, list[Listener]] = {event: [] for event in EVENTS}


def subscribe(event: str, listener: Listener) -> None:
    """Call `listener` whenever an instance reaches `event`. Subscribing twice is harmless (several
    runtimes in one process build their providers alike)."""
    if event not in _listeners:
        raise ValueError(f"unknown instance lifecycle event {event!r}; choose from {', '.join(EVENTS)}")
    if listener not in _listeners[event]:
        _listeners[event].append(listener)


def notify(ctx: RequestContext, event: str, instance: dict[str, Any]) -> None:
    """Tell every listener that `instance` just reached `event`, in subscription order."""
    for listener in tuple(_listeners.get(event, ())):
        listener(ctx, instance)
