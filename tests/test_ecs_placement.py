"""The placement engine on fixed instance facts (no server): checks and their order, the "closest
matching" instance reported for a task that fits nowhere, strategies, and tasks placed one by one.

Seed requirements covered: S1 (RESOURCE:ENI once the ENI slots are used), S2 (trunked slot count),
S9 (a subnet of another VPC is ATTRIBUTE).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trunkline.domain.ecs.container_instances import placement_floor
from trunkline.domain.ecs.placement import (
    DISTINCT_FAILED,
    MEMBER_OF_FAILED,
    Candidate,
    Constraint,
    Demand,
    Strategy,
    _spread_attribute,
    _spread_counts,
    check,
    lone_binpack,
    lone_random,
    order,
    parse_constraints,
    parse_strategies,
    place,
    place_one,
)
from trunkline.errors import AwsError

ENI = "ecs.capability.task-eni"


@dataclass
class StubReads:
    """A candidate's lazily read facts (`placement.CandidateReads`), each from a callable a test sets."""

    group: Callable[[], int] = lambda: 0
    enis: Callable[[], int] = lambda: 0
    groups: Callable[[], Collection[str]] = list
    running: Callable[[], bool] = lambda: True

    def group_tasks(self) -> int:
        return self.group()

    def eni_free(self) -> int:
        return self.enis()

    def task_groups(self) -> Collection[str]:
        return self.groups()

    def host_running(self) -> bool:
        return self.running()


def stub(candidate: Candidate) -> StubReads:
    """The candidate's `StubReads` (every `instance` has one)."""
    assert isinstance(candidate.reads, StubReads)
    return candidate.reads


def instance(name: str, *, cpu: int = 2048, memory: int = 3705, enis: int = 2, **extra: object) -> Candidate:
    attributes = {ENI: None, "ecs.availability-zone": "us-east-1a", "ecs.vpc-id": "vpc-1"}
    attributes.update(extra.pop("attributes", {}))  # type: ignore[call-overload]
    defaults: dict[str, object] = {"vpc_id": "vpc-1", "zone": "us-east-1a"}
    group_tasks = extra.pop("group_tasks", 0)
    defaults.update(extra)
    return Candidate(
        arn=f"arn:ci/{name}",
        ec2_instance_id=f"i-{name}",
        attributes=attributes,
        cpu=cpu,
        memory=memory,
        tcp_ports={22, 2375, 2376, 51678, 51679},
        udp_ports=set(),
        reads=StubReads(group=lambda: group_tasks, enis=lambda: enis),  # type: ignore[arg-type]
        **defaults,  # type: ignore[arg-type]
    )


AWSVPC = Demand(
    cpu=256, memory=512, needs_eni=True, vpc_id="vpc-1", zones=frozenset({"us-east-1a"}), group="family:web"
)


def test_an_untrunked_c5_large_takes_two_awsvpc_tasks_and_the_third_is_resource_eni():
    """S1: two ENI slots (3 ENIs less the primary); one failure per task not placed."""
    host = instance("a", enis=2)
    outcome = place([host], AWSVPC, 3)
    assert outcome.placed == [host, host]
    assert outcome.failures == [{"arn": "arn:ci/a", "reason": "RESOURCE:ENI"}]
    assert (host.cpu, host.memory, host.eni_free) == (2048 - 512, 3705 - 1024, 0)


def test_a_trunked_c5_large_takes_ten():
    """S2: ten branch slots; 12 asked, 10 placed, 2 failures."""
    small = Demand(cpu=128, memory=256, needs_eni=True, vpc_id="vpc-1", zones=frozenset({"us-east-1a"}))
    outcome = place([instance("t", enis=10)], small, 12)
    assert len(outcome.placed) == 10
    assert outcome.failures == [{"arn": "arn:ci/t", "reason": "RESOURCE:ENI"}] * 2


def test_a_subnet_of_another_vpc_is_an_attribute_failure():
    """S9: the instance's VPC differs from the subnets' VPC."""
    demand = Demand(needs_eni=True, vpc_id="vpc-other", zones=frozenset({"us-east-1a"}))
    assert place([instance("a")], demand, 1).failures == [{"arn": "arn:ci/a", "reason": "ATTRIBUTE"}]


def test_the_check_order():
    """Each check reports only when the earlier ones pass."""
    demand = AWSVPC
    member = parse_constraints([{"type": "memberOf", "expression": "attribute:x == y"}])
    cases = [
        (_without_eni(), [], "ATTRIBUTE"),
        (instance("b", zone="us-east-1b"), [], "LOCATION"),
        (instance("c"), member, MEMBER_OF_FAILED),
        (instance("d", group_tasks=1), [Constraint("distinctInstance")], DISTINCT_FAILED),
        (instance("e", agent_connected=False), [], "AGENT"),
        (instance("f", cpu=100), [], "RESOURCE:CPU"),
        (instance("g", memory=100), [], "RESOURCE:MEMORY"),
        (instance("h", enis=0), [], "RESOURCE:ENI"),
    ]
    for candidate, constraints, reason in cases:
        assert check(candidate, demand, constraints) == reason, candidate.arn
    # An instance failing several checks reports the first: the wrong AZ and no CPU is LOCATION.
    assert check(instance("i", zone="us-east-1b", cpu=0), demand, []) == "LOCATION"


def _without_eni() -> Candidate:
    candidate = instance("a")
    candidate.attributes = {k: v for k, v in candidate.attributes.items() if k != ENI}
    return candidate


def test_ports_and_udp_ports():
    bridge = Demand(memory=128, tcp_ports=frozenset({80}), udp_ports=frozenset({53}))
    host = instance("a")
    assert check(host, Demand(tcp_ports=frozenset({22})), []) == "RESOURCE:PORTS"  # the agent reserves 22
    outcome = place([host], bridge, 2)
    assert len(outcome.placed) == 1 and outcome.failures == [{"arn": "arn:ci/a", "reason": "RESOURCE:PORTS"}]
    assert check(host, Demand(udp_ports=frozenset({53})), []) == "RESOURCE:PORTS_UDP"


def test_a_bridge_task_uses_no_eni_slot():
    host = instance("a", enis=0)
    outcome = place([host], Demand(cpu=10, memory=10), 5)
    assert len(outcome.placed) == 5 and outcome.failures == []


def test_required_attributes_are_attribute_failures():
    demand = Demand(required_attributes=("com.amazonaws.ecs.capability.docker-remote-api.1.19",))
    assert check(instance("a"), demand, []) == "ATTRIBUTE"


def test_the_closest_matching_instance_is_reported():
    """Of instances failing at ATTRIBUTE, LOCATION and RESOURCE:MEMORY, the last is named."""
    far = instance("far", vpc_id="vpc-2")
    elsewhere = instance("elsewhere", zone="us-east-1c")
    full = instance("full", memory=10)
    outcome = place([far, elsewhere, full], AWSVPC, 2)
    assert outcome.failures == [{"arn": "arn:ci/full", "reason": "RESOURCE:MEMORY"}] * 2


def test_binpack_memory_fills_the_fullest_instance_first():
    roomy, tight = instance("roomy", memory=4000), instance("tight", memory=1100)
    outcome = place([roomy, tight], Demand(memory=512), 3, strategies=[Strategy("binpack", "memory")])
    assert [c.arn for c in outcome.placed] == ["arn:ci/tight", "arn:ci/tight", "arn:ci/roomy"]


def test_spread_by_instance_alternates():
    a, b = instance("a"), instance("b")
    outcome = place([a, b], Demand(memory=10, group="g"), 4, strategies=[Strategy("spread", "instanceId")])
    assert [c.arn for c in outcome.placed] == ["arn:ci/a", "arn:ci/b", "arn:ci/a", "arn:ci/b"]


def test_spread_by_zone_then_binpack():
    """Spread counts the group's tasks per attribute value; binpack breaks the tie inside a zone."""
    a1 = instance("a1", attributes={"ecs.availability-zone": "us-east-1a"}, memory=3000)
    a2 = instance("a2", attributes={"ecs.availability-zone": "us-east-1a"}, memory=1000)
    b1 = instance("b1", attributes={"ecs.availability-zone": "us-east-1b"}, memory=3000, group_tasks=1)
    strategies = [Strategy("spread", "attribute:ecs.availability-zone"), Strategy("binpack", "memory")]
    outcome = place([a1, a2, b1], Demand(memory=100, group="g"), 2, strategies=strategies)
    assert [c.arn for c in outcome.placed] == ["arn:ci/a2", "arn:ci/a2"]  # 1a had 0 tasks, then 1 vs 1: a2 is fuller
    outcome = place([a1, a2, b1], Demand(memory=100, group="g"), 1, strategies=strategies)
    assert [c.arn for c in outcome.placed] == ["arn:ci/b1"]  # 1a now has 2


def test_random_is_seedable_and_covers_instances():
    hosts = [instance(str(n)) for n in range(4)]
    outcome = place(hosts, Demand(memory=1, group="g"), 40, rng=random.Random(7))
    assert {c.arn for c in outcome.placed} == {h.arn for h in hosts}


def test_distinct_instance_counts_tasks_placed_in_the_same_call():
    a, b = instance("a"), instance("b")
    outcome = place([a, b], Demand(memory=1, group="g"), 3, constraints=[Constraint("distinctInstance")])
    assert sorted(c.arn for c in outcome.placed) == ["arn:ci/a", "arn:ci/b"]
    assert outcome.failures[0]["reason"] == DISTINCT_FAILED


def test_member_of_task_group_sees_tasks_placed_earlier_in_the_call():
    a = instance("a")
    stub(a).groups = lambda: ["family:db"]
    (query,) = parse_constraints([{"type": "memberOf", "expression": "task:group == family:db"}])
    assert place([a], Demand(memory=1, group="family:web"), 1, constraints=[query]).failures == []
    assert set(a.task_groups) == {"family:db", "family:web"}
    (other,) = parse_constraints([{"type": "memberOf", "expression": "task:group == family:web"}])
    b = instance("b")
    stub(b).groups = list
    outcome = place([b], Demand(memory=1, group="family:web"), 1, constraints=[other])
    assert outcome.failures == [{"arn": "arn:ci/b", "reason": MEMBER_OF_FAILED}]


def test_the_eni_slot_count_is_read_only_for_instances_reached():
    """The ledger read is lazy: a first instance that fits spares the others their reads."""
    reads: list[str] = []

    def loader(name: str) -> object:
        return lambda: reads.append(name) or 2

    hosts = [instance(str(n)) for n in range(3)]
    for host in hosts:
        stub(host).enis = loader(host.arn)  # type: ignore[assignment]
    place(hosts, AWSVPC, 1, strategies=[Strategy("binpack", "cpu")])
    assert reads == ["arn:ci/0"]


@pytest.mark.parametrize(
    ("entries", "fragment"),
    [
        ([{"type": "distinctInstance", "expression": "x"}], "cannot be specified"),
        ([{"type": "memberOf"}], "must be specified"),
        ([{"type": "memberOf", "expression": "attribute:x =="}], "Invalid cluster query expression"),
        ([{"type": "distinctInstance"}] * 11, "A maximum of 10"),
    ],
)
def test_constraint_validation(entries: list[dict[str, str]], fragment: str):
    with pytest.raises(AwsError) as raised:
        parse_constraints(entries)
    assert raised.value.code == "InvalidParameterException" and fragment in raised.value.message


@pytest.mark.parametrize(
    ("entries", "fragment"),
    [
        ([{"type": "binpack", "field": "disk"}], "Invalid field 'disk' for the binpack"),
        ([{"type": "spread", "field": "zone"}], "Invalid field 'zone' for the spread"),
        ([{"type": "random"}] * 6, "A maximum of 5"),
    ],
)
def test_strategy_validation(entries: list[dict[str, str]], fragment: str):
    with pytest.raises(AwsError) as raised:
        parse_strategies(entries)
    assert fragment in raised.value.message


def test_strategy_fields_accepted():
    parsed = parse_strategies(
        [{"type": "binpack", "field": "MEMORY"}, {"type": "spread", "field": "host"}, {"type": "random"}]
    )
    assert parsed == [Strategy("binpack", "memory"), Strategy("spread", "host"), Strategy("random")]


# --- the binpack window gives what the full list gives ------------------------------------------------


class ListWindow:
    """A `BinpackWindow` over a list, as the store's reads its ordered index: instances with a
    connected agent, at least the demand of `resource` and the ladder's rung of the other one left
    (an ENI slot too, for awsvpc), in (amount, ARN) order, two per page."""

    def __init__(self, everyone: list[Candidate], resource: str, demand: Demand) -> None:
        self.resource = resource
        self._everyone = everyone
        other = "memory" if resource == "cpu" else "cpu"
        own_need, other_need = (demand.cpu, demand.memory) if resource == "cpu" else (demand.memory, demand.cpu)
        floor = placement_floor(other_need)
        eligible = [
            c
            for c in everyone
            if c.agent_connected
            and c.amount(resource) >= own_need
            and c.amount(other) >= floor
            and (c.eni_free > 0 or not demand.needs_eni)
        ]
        self._unread = sorted(eligible, key=lambda c: (c.amount(resource), c.arn))
        self._shown: list[Candidate] = []

    def shown(self) -> list[Candidate]:
        return list(self._shown)

    def next_page(self) -> list[Candidate]:
        page, self._unread = self._unread[:2], self._unread[2:]
        self._shown += page
        return page

    def everyone(self) -> list[Candidate]:
        return self._everyone


hosts_specs = st.lists(
    st.tuples(
        st.sampled_from([0, 100, 256, 700, 1024, 2048]),  # cpu left
        st.sampled_from([0, 300, 512, 900, 1500, 3705]),  # memory left
        st.integers(0, 3),  # ENI slots
        st.sampled_from(["us-east-1a", "us-east-1b"]),
        st.booleans(),  # agent connected
        st.integers(0, 2),  # tasks of the group already there
    ),
    min_size=1,
    max_size=8,
)


def _pictures(specs: Sequence[tuple[int, int, int, str, bool, int]]) -> list[Candidate]:
    """Fresh candidates in ARN order (the order the store reads them in)."""
    return [
        instance(f"{n:02d}", cpu=cpu, memory=memory, enis=enis, zone=zone, agent_connected=up, group_tasks=tasks)
        for n, (cpu, memory, enis, zone, up, tasks) in enumerate(specs)
    ]


def _generated_demand(cpu: int, memory: int, awsvpc: bool, distinct: bool) -> tuple[Demand, list[Constraint]]:
    """A generated task's demand (awsvpc: in vpc-1, zone us-east-1a) and its constraints."""
    demand = Demand(
        cpu=cpu,
        memory=memory,
        needs_eni=awsvpc,
        vpc_id="vpc-1" if awsvpc else None,
        zones=frozenset({"us-east-1a"}) if awsvpc else None,
        group="g",
    )
    return demand, [Constraint("distinctInstance")] if distinct else []


@settings(max_examples=300, deadline=None)
@given(
    specs=hosts_specs,
    resource=st.sampled_from(["cpu", "memory"]),
    cpu=st.sampled_from([0, 128, 256, 512]),
    memory=st.sampled_from([128, 512, 1024]),
    awsvpc=st.booleans(),
    distinct=st.booleans(),
    count=st.integers(1, 10),
)
def test_a_binpack_window_places_exactly_as_the_full_list(
    specs: list[tuple[int, int, int, str, bool, int]],
    resource: str,
    cpu: int,
    memory: int,
    awsvpc: bool,
    distinct: bool,
    count: int,
) -> None:
    """Same instances chosen in the same order, same failures (the closest match included), and the
    same pictures left behind, whether placement sees a window or every candidate."""
    demand, constraints = _generated_demand(cpu, memory, awsvpc, distinct)
    strategies = [Strategy("binpack", resource)]
    assert lone_binpack(strategies) == resource
    full, windowed = _pictures(specs), _pictures(specs)
    expected = place(full, demand, count, constraints, strategies)
    got = place(ListWindow(windowed, resource, demand), demand, count, constraints, strategies)
    assert [c.arn for c in got.placed] == [c.arn for c in expected.placed]
    assert got.failures == expected.failures
    assert [(c.cpu, c.memory, c.eni_free, c.group_tasks) for c in windowed] == [
        (c.cpu, c.memory, c.eni_free, c.group_tasks) for c in full
    ]


def test_a_window_serves_only_a_lone_binpack_on_its_resource() -> None:
    assert lone_binpack(None) is None
    assert lone_binpack([Strategy("binpack", "memory"), Strategy("random")]) is None
    assert lone_binpack([Strategy("spread", "instanceId")]) is None
    with pytest.raises(ValueError, match="lone binpack"):
        place(
            ListWindow([instance("a")], "cpu", Demand()),
            Demand(memory=1),
            1,
            strategies=[Strategy("binpack", "memory")],
        )


def test_the_task_group_is_read_only_when_placement_needs_it():
    """Counting a group's tasks per instance decodes every live task of the group, so it is read
    only when a strategy or constraint asks: never for the default (random), and tasks placed in
    the call are counted without it; spread by instance reads it once per instance."""
    reads: list[str] = []

    def host(name: str, already: int) -> Candidate:
        candidate = instance(name, enis=4)
        stub(candidate).group = lambda: reads.append(name) or already  # type: ignore[func-returns-value]
        return candidate

    hosts = [host("a", 3), host("b", 0)]
    outcome = place(hosts, AWSVPC, 2, rng=random.Random(1))
    assert len(outcome.placed) == 2 and reads == []
    spread = [host("c", 3), host("d", 0)]
    outcome = place(spread, AWSVPC, 3, strategies=parse_strategies([{"type": "spread", "field": "instanceId"}]))
    assert [c.arn for c in outcome.placed] == ["arn:ci/d", "arn:ci/d", "arn:ci/d"]  # 0, 1, 2 < 3 on c
    assert sorted(reads) == ["c", "d"]
    assert (spread[0].group_tasks, spread[1].group_tasks) == (3, 3)


class ListDraw:
    """A `RandomDraw` over a list (as `placement_candidates.KeyedDraw` over an index's keys); the
    instances named in `not_candidates` stand for listed instances that are not ACTIVE."""

    def __init__(self, everyone: list[Candidate], not_candidates: frozenset[str] = frozenset()) -> None:
        self._everyone, self._not = everyone, not_candidates
        self.drawn: list[int] = []

    def size(self) -> int:
        return len(self._everyone)

    def at(self, position: int) -> Candidate | None:
        self.drawn.append(position)
        candidate = self._everyone[position]
        return None if candidate.arn in self._not else candidate

    def everyone(self) -> list[Candidate]:
        return [c for c in self._everyone if c.arn not in self._not]


@settings(max_examples=300, deadline=None)
@given(
    specs=hosts_specs,
    cpu=st.sampled_from([0, 128, 256, 512]),
    memory=st.sampled_from([128, 512, 1024]),
    awsvpc=st.booleans(),
    distinct=st.booleans(),
    count=st.integers(1, 10),
    seed=st.integers(0, 2**32),
)
def test_a_random_draw_places_only_where_the_full_list_could_and_fails_only_where_it_would(
    specs: list[tuple[int, int, int, str, bool, int]],
    cpu: int,
    memory: int,
    awsvpc: bool,
    distinct: bool,
    count: int,
    seed: int,
) -> None:
    """Replayed on fresh pictures, every task the draw placed went to an instance that took it
    at that moment, and a task it could not place fits nowhere then, with the failure (closest
    match) the full list names."""
    demand, constraints = _generated_demand(cpu, memory, awsvpc, distinct)
    got = place(ListDraw(_pictures(specs)), demand, count, constraints, rng=random.Random(seed))
    replay = {c.arn: c for c in _pictures(specs)}
    for placed in got.placed:
        assert check(replay[placed.arn], demand, constraints) is None
        replay[placed.arn].take(demand)
    assert len(got.placed) + len(got.failures) == count
    if got.failures:
        expected = place_one(list(replay.values()), demand, constraints, [Strategy("random")], random.Random(0))
        assert isinstance(expected, dict)  # nothing fits after the placed ones
        # Among equally close instances random order picks one: the reason is the same, and the
        # instance named fails for that very reason.
        assert {f["reason"] for f in got.failures} == {expected["reason"]}
        assert len({f["arn"] for f in got.failures}) == 1
        assert check(replay[got.failures[0]["arn"]], demand, constraints) == expected["reason"]


def test_a_random_draw_is_uniform_over_the_instances_that_fit_and_skips_non_candidates() -> None:
    """Three of ten instances fit and one listed instance is no candidate (not ACTIVE): over many
    launches each of the three is chosen about as often, no other ever; a launch draws a few
    positions, not the whole list."""
    hosts = [instance(str(n), memory=3705 if n in (2, 5, 7) else 100) for n in range(10)]
    hosts.append(instance("x"))  # fits, but is listed without being a candidate
    rng = random.Random(11)
    chosen: dict[str, int] = {}
    drawn = 0
    for _ in range(3000):
        fresh = [instance(h.arn.split("/")[-1], memory=h.memory) for h in hosts]
        draw = ListDraw(fresh, frozenset({"arn:ci/x"}))
        outcome = place(draw, Demand(memory=512, group="g"), 1, rng=rng)
        chosen[outcome.placed[0].arn] = chosen.get(outcome.placed[0].arn, 0) + 1
        drawn += len(draw.drawn)
    assert set(chosen) == {"arn:ci/2", "arn:ci/5", "arn:ci/7"}
    assert all(900 <= n <= 1100 for n in chosen.values()), chosen
    assert drawn / 3000 < 5  # 11 positions, 3 of them fit: about 3 draws a launch


def test_a_random_draw_serves_only_a_lone_random_strategy() -> None:
    assert lone_random(None) and lone_random([Strategy("random")])
    assert not lone_random([Strategy("random"), Strategy("binpack", "memory")])
    assert not lone_random([Strategy("spread", "instanceId")])
    with pytest.raises(ValueError, match="lone random"):
        place(ListDraw([instance("a")]), Demand(memory=1), 1, strategies=[Strategy("binpack", "memory")])


def _order_by_tuples(
    candidates: Sequence[Candidate], strategies: Sequence[Strategy], rng: random.Random
) -> list[Candidate]:
    """What `order` did before it sorted by columns: a tuple of every strategy's key per candidate
    (the random strategy's draws taken in the candidates' order). `order` must match it exactly."""
    keys: list[Callable[[Candidate], Any]] = []
    for strategy in strategies:
        if strategy.type == "binpack":
            keys.append(lambda c, resource=strategy.field or "": c.amount(resource))
        elif strategy.type == "spread":
            attribute = _spread_attribute(strategy.field or "")
            if attribute is None:
                keys.append(lambda c: c.group_tasks)
            else:
                counts = _spread_counts(candidates, attribute)
                keys.append(lambda c, counts=counts, a=attribute: counts[c.attributes.get(a)])
        else:
            draws = {id(c): rng.random() for c in candidates}
            keys.append(lambda c, draws=draws: draws[id(c)])
    return sorted(candidates, key=lambda c: tuple(k(c) for k in keys))


_STRATEGY = st.sampled_from(
    [
        Strategy("random"),
        Strategy("binpack", "cpu"),
        Strategy("binpack", "memory"),
        Strategy("spread", "instanceId"),
        Strategy("spread", "attribute:ecs.availability-zone"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(specs=hosts_specs, strategies=st.lists(_STRATEGY, max_size=3), seed=st.integers(0, 2**32))
def test_order_is_the_sort_by_every_strategys_key_in_turn(
    specs: list[tuple[int, int, int, str, bool, int]], strategies: list[Strategy], seed: int
) -> None:
    """The same order as sorting by a tuple of the keys (ties in the given order), and the random
    strategy draws the same numbers: a seeded launch places its tasks where it always did."""
    candidates = _pictures(specs)
    expected = _order_by_tuples(candidates, strategies, random.Random(seed))
    got_rng = random.Random(seed)
    assert [c.arn for c in order(candidates, strategies, got_rng)] == [c.arn for c in expected]
    after = random.Random(seed)
    _order_by_tuples(candidates, strategies, after)
    assert got_rng.random() == after.random()  # as many draws taken
