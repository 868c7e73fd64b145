"""Requests that reach the operations' own code (session 9, tests/fuzz_deep.py): every operation
trunkline implements, with its required members and ids from a seeded world. Never a 5xx, every
answer in its protocol's format, and a refused request leaves stored state as it was.

tests/test_fuzz.py's generators withhold each write's required members (so that nothing they send
can change state), which stops their writes at the wire's "missing member" check; two handlers
that read a member the current botocore model no longer requires answered 500 (CreateNatGateway's
SubnetId, TerminateInstanceInAutoScalingGroup's InstanceId) and no fuzzer reached them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

import test_fuzz as fuzz
from fuzz_deep import PROTOCOLS, DeepRequests, World, implemented, seed_world

EXAMPLES = fuzz.EXAMPLES


@pytest.fixture
def world(spawn: Callable[..., Any]) -> Iterator[tuple[httpx.Client, World]]:
    """A server of its own on a manual clock (nothing moves between two digests), seeded."""
    server = spawn("--timing", "manual")
    seeded = seed_world(server.url)
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield client, seeded


def _digest(client: httpx.Client) -> str:
    return str(client.get("/_trunkline/state/digest").json()["digest"])


def _send_and_judge(client: httpx.Client, request: fuzz.RawRequest, before: str) -> str:
    """Send one request; judge its answer; return the digest after it (checked unchanged when refused)."""
    response = fuzz._send(client, request)
    assert request.service is not None
    fuzz._judge(response, request, PROTOCOLS[request.service])
    after = _digest(client)
    if response.status_code >= 400:
        assert after == before, f"a refused request changed stored state: {response.text[:300]} {request!r}"
    return after


class _RequiredOnly(DeepRequests):
    """Each operation's required members and nothing else: what a handler may assume it has."""

    def _structure(self, shape: Any, name: str, depth: int, hostile: bool, top: bool = False) -> Any:
        return {m: self._value(shape.members[m], m, depth + 1, False) for m in shape.required_members}


def test_every_operation_with_only_its_required_members(world: tuple[httpx.Client, World]) -> None:
    """Three rounds over every implemented operation of every service, each with exactly its
    required members (seeded ids mostly): an answer, never a 500."""
    client, seeded = world
    before = _digest(client)
    sent = 0
    for seed in range(3):
        requests = _RequiredOnly(seeded, seed)
        for service in PROTOCOLS:
            for operation in implemented(service):
                before = _send_and_judge(client, requests.build(service, operation), before)
                sent += 1
    assert sent > 3 * 200


def test_fuzz_implemented_operations(world: tuple[httpx.Client, World]) -> None:
    """Required members present, the rest odd-but-legal or hostile (tests/fuzz_deep.py)."""
    client, seeded = world
    requests = DeepRequests(seeded, seed=EXAMPLES)
    before = _digest(client)
    for _ in range(EXAMPLES):
        before = _send_and_judge(client, requests.next(), before)
