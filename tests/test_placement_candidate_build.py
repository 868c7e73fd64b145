"""Building placement candidates from the store's shared pictures (placement_candidates.py): a
launch builds one per listed instance (a hundred by default) and checks a few, so building them
must stay cheap, and placing a task must never change the shared picture."""

from __future__ import annotations

import gc
from types import MappingProxyType
from typing import Any, cast

from hypothesis import given, settings
from hypothesis import strategies as st

from trunkline.domain.ecs.placement import Demand, place
from trunkline.domain.ecs.placement_candidates import Picture, _from_picture


def _picture(n: int, cpu: int = 4096, memory: int = 7000) -> Picture:
    return Picture(
        key=f"c/{n:03d}",
        arn=f"arn:aws:ecs:us-east-1:123456789012:container-instance/c/{n:03d}",
        cluster_arn="arn:aws:ecs:us-east-1:123456789012:cluster/c",
        ec2_instance_id=f"i-{n:017x}",
        status="ACTIVE",
        capacity_provider=None,
        attributes=MappingProxyType({"ecs.os-type": "linux"}),
        cpu=cpu,
        memory=memory,
        tcp_ports=frozenset({22, 2375, 2376, 51678, 51679}),
        udp_ports=frozenset(),
        agent_connected=True,
        agent_version="1.82.0",
        registered_at=1.0,
        running_tasks_count=0,
        vpc_id="vpc-1",
        zone="us-east-1a",
    )


def _no_group(arn: str) -> int:
    return 0


# Nothing is read while building: the context is never touched.
_CTX = cast(Any, object())


def test_a_candidate_is_two_tracked_objects() -> None:
    """The candidate and its one reader: no closures, cells, dicts or copied port sets (they were
    about fifteen objects a candidate, and the collector's passes over them were a few percent of
    RunTask)."""
    pictures = [_picture(n) for n in range(100)]
    gc.collect()
    gc.disable()
    try:
        # Held, so no id of these is reused while the candidates are built.
        before = gc.get_objects()
        built = [_from_picture(_CTX, p, _no_group, None) for p in pictures]
        grown = _new_tracked_reachable(built, {id(o) for o in before})
    finally:
        gc.enable()
    assert len(built) == 100
    assert grown <= 2 * 100 + 1  # two a candidate, and the list itself


def _new_tracked_reachable(root: object, old: set[int]) -> int:
    """Tracked objects reachable from `root` (itself included) that were not tracked before: what
    building made and keeps, whatever other threads of the process allocate meanwhile (counting
    every tracked object of the process failed in a test run with a server thread alongside)."""
    tracked_now = {id(o) for o in gc.get_objects()}
    seen, stack = {id(root)}, [root]
    while stack:
        for referent in gc.get_referents(stack.pop()):
            if id(referent) in tracked_now and id(referent) not in old and id(referent) not in seen:
                seen.add(id(referent))
                stack.append(referent)
    return len(seen)


@settings(max_examples=100, deadline=None)
@given(
    count=st.integers(1, 12),
    ports=st.frozensets(st.sampled_from([22, 80, 443, 8080]), max_size=2),
    udp=st.frozensets(st.sampled_from([53, 8125]), max_size=1),
)
def test_placing_tasks_leaves_the_shared_pictures_as_they_were(
    count: int, ports: frozenset[int], udp: frozenset[int]
) -> None:
    pictures = [_picture(n, cpu=1024) for n in range(3)]
    frozen = [(p.cpu, p.memory, p.tcp_ports, set(p.tcp_ports), set(p.udp_ports)) for p in pictures]
    candidates = [_from_picture(_CTX, p, _no_group, None) for p in pictures]
    for candidate in candidates:
        candidate.reads = None  # its reads go to a store; without them the host counts as running
    demand = Demand(cpu=256, memory=256, tcp_ports=ports, udp_ports=udp, group="family:web")
    outcome = place(candidates, demand, count)
    assert [(p.cpu, p.memory, p.tcp_ports, set(p.tcp_ports), set(p.udp_ports)) for p in pictures] == frozen
    for placed in outcome.placed:
        assert ports <= placed.tcp_ports and udp <= placed.udp_ports
    if ports - {22}:  # a port the agent does not hold: each instance takes it once
        assert len(outcome.placed) <= len(pictures)
